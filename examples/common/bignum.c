/*
 * bignum.c - rewriting number tokens jansson cannot hold into placeholders.
 *
 * The scan follows JSON's lexical rules only as far as needed: it skips
 * strings (with their escapes) and looks at each number token outside them.
 * A token is rewritten only when it is a valid JSON number and out of range
 * (an integer form beyond int64, or a real whose value is beyond double),
 * so every other fault of the line is still jansson's to report.
 */
#include "bignum.h"

#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int is_digit(char c) { return c >= '0' && c <= '9'; }

/* Length of the JSON number at s (0 when it is not one); *integer when it has no fraction or exponent. */
static size_t number_length(const char *s, int *integer)
{
    size_t i = 0;
    *integer = 1;
    if (s[i] == '-')
        i++;
    if (s[i] == '0')
        i++;
    else if (s[i] >= '1' && s[i] <= '9')
        while (is_digit(s[i]))
            i++;
    else
        return 0;
    if (s[i] == '.') {
        *integer = 0;
        if (!is_digit(s[++i]))
            return 0;
        while (is_digit(s[i]))
            i++;
    }
    if (s[i] == 'e' || s[i] == 'E') {
        *integer = 0;
        i++;
        if (s[i] == '+' || s[i] == '-')
            i++;
        if (!is_digit(s[i]))
            return 0;
        while (is_digit(s[i]))
            i++;
    }
    return i;
}

/* Whether the token (len bytes) is out of the range jansson decodes. */
static int out_of_range(const char *s, size_t len, int integer)
{
    char buf[512];
    if (len >= sizeof buf)
        return integer ? 1 : !isfinite(strtod(s, NULL)); /* a very long token: decide on what strtod sees */
    memcpy(buf, s, len);
    buf[len] = '\0';
    errno = 0;
    if (integer) {
        (void)strtoll(buf, NULL, 10);
        return errno == ERANGE;
    }
    double v = strtod(buf, NULL);
    return errno == ERANGE && (v == HUGE_VAL || v == -HUGE_VAL);
}

int bignum_substitute(const char *line, bignum_set *set)
{
    memset(set, 0, sizeof *set);
    size_t n = strlen(line);
    /* each placeholder "\u0000NN" is at most 10 bytes; a token it replaces is at least 19 */
    char *out = malloc(n + 1 + BIGNUM_MAX * 16);
    if (!out)
        return 0;
    size_t o = 0;
    for (size_t i = 0; i < n;) {
        char c = line[i];
        if (c == '"') {
            out[o++] = line[i++];
            while (i < n && line[i] != '"') {
                if (line[i] == '\\' && i + 1 < n) {
                    if (line[i + 1] == 'u' && !strncmp(line + i + 2, "0000", 4))
                        goto refuse; /* a real \u0000 would be taken for a placeholder */
                    out[o++] = line[i++];
                }
                out[o++] = line[i++];
            }
            if (i < n)
                out[o++] = line[i++];
            continue;
        }
        int integer;
        size_t len = (c == '-' || is_digit(c)) ? number_length(line + i, &integer) : 0;
        if (!len) {
            out[o++] = line[i++];
            continue;
        }
        if (out_of_range(line + i, len, integer)) {
            if (set->count == BIGNUM_MAX)
                goto refuse;
            bignum_token *t = &set->tokens[set->count];
            t->integer = integer;
            t->src = line + i;
            t->len = len;
            o += (size_t)sprintf(out + o, "\"\\u0000%zu\"", set->count);
            set->count++;
        } else {
            memcpy(out + o, line + i, len);
            o += len;
        }
        i += len;
    }
    out[o] = '\0';
    if (!set->count)
        goto refuse;
    set->line = out;
    return 1;
refuse:
    free(out);
    memset(set, 0, sizeof *set);
    return 0;
}

void bignum_free(bignum_set *set)
{
    free(set->line);
    memset(set, 0, sizeof *set);
}

const bignum_token *bignum_lookup(const bignum_set *set, const char *s, size_t size)
{
    if (size < 2 || s[0] != '\0' || !set->line)
        return NULL;
    char *end;
    unsigned long k = strtoul(s + 1, &end, 10);
    if ((size_t)(end - s) != size || k >= set->count)
        return NULL;
    return &set->tokens[k];
}
