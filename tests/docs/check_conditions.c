/*
 * check_conditions.c - compiles the examples of docs/conditions.md.
 *
 * The reference's examples must be real: every fenced block marked
 * `condition` must compile with rewards_condition_check(), and every block
 * marked `condition-error` must be refused (with a line and a column), so
 * the page cannot drift from the language. Usage: check_conditions FILE.md
 */
#include <rewards.h>
#include <stdio.h>
#include <string.h>

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: check_conditions FILE.md\n");
        return 2;
    }
    FILE *f = fopen(argv[1], "r");
    if (!f) {
        perror(argv[1]);
        return 2;
    }
    char line[1024], block[8192];
    size_t used = 0;
    int in_block = 0, expect_ok = 0, failures = 0, good = 0, bad = 0, lineno = 0, start = 0;
    while (fgets(line, sizeof line, f)) {
        lineno++;
        if (!in_block && !strcmp(line, "```condition\n")) {
            in_block = 1, expect_ok = 1, used = 0, start = lineno;
        } else if (!in_block && !strcmp(line, "```condition-error\n")) {
            in_block = 1, expect_ok = 0, used = 0, start = lineno;
        } else if (in_block && !strcmp(line, "```\n")) {
            in_block = 0;
            block[used] = '\0';
            int l = 0, c = 0;
            char msg[256] = "";
            rewards_status st = rewards_condition_check(block, &l, &c, msg, sizeof msg);
            if (expect_ok && st != REWARDS_OK) {
                printf("%s:%d: example does not compile: %d:%d: %s\n", argv[1], start, l, c, msg);
                failures++;
            } else if (!expect_ok && (st != REWARDS_PARSE_ERROR || l < 1 || c < 1)) {
                printf("%s:%d: example that must fail was accepted\n", argv[1], start);
                failures++;
            } else {
                printf("%s:%d: %s%s\n", argv[1], start, expect_ok ? "compiles" : "refused: ", msg);
            }
            expect_ok ? good++ : bad++;
        } else if (in_block) {
            size_t n = strlen(line);
            if (used + n >= sizeof block) {
                printf("%s:%d: block too long for the test\n", argv[1], start);
                fclose(f);
                return 1;
            }
            memcpy(block + used, line, n);
            used += n;
        }
    }
    fclose(f);
    if (in_block || good == 0 || bad == 0) {
        printf("%s: unterminated block, or no example of each sort\n", argv[1]);
        return 1;
    }
    printf("%d examples compile, %d refused as documented\n", good, bad);
    return failures ? 1 : 0;
}
