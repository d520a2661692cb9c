/*
 * rewards-cli - runs a scenario file (SCENARIOS.md) through librewards and
 * writes the ledger and the payouts it computed.  It uses only the public
 * API: it is the reference for how a host drives the library.
 */
#include "cli.h"
#include "output.h"
#include "scenario.h"

#include <errno.h>
#include <rewards.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char usage[] =
    "usage: rewards-cli run SCENARIO.jsonl [--ledger FILE] [--payouts FILE] [--batch N]\n"
    "       rewards-cli check SCENARIO.jsonl [--batch N]\n"
    "       rewards-cli whatif BASE.jsonl CHANGE.jsonl\n"
    "       rewards-cli --help | --version\n"
    "\n"
    "A scenario is a partner program written as JSON Lines: one operation per\n"
    "line ({\"op\":\"deal\", ...}); blank lines and lines starting with # are skipped.\n"
    "run applies every line in order and writes the ledger and payouts as CSV\n"
    "('-' is standard output); check applies them in memory and writes nothing.\n"
    "--batch N applies the lines in batches of N operations, one transaction each.\n"
    "whatif applies BASE, then CHANGE inside a batch, prints what CHANGE adds to or\n"
    "changes in the ledger and payouts, and rolls the batch back.\n"
    "A rejected line prints 'line N: CODE: message' on standard error and the run\n"
    "goes on. Exit status: 0 every line applied, 1 some line rejected, 2 the file\n"
    "cannot be read, a line is not a JSON object, or an output cannot be written\n"
    "(then no output file is written).\n";

static const char run_usage[] =
    "usage: rewards-cli run SCENARIO.jsonl [--ledger FILE] [--payouts FILE] [--batch N]\n"
    "\n"
    "Operations: program level reward partner user user_access fx deal assign stage\n"
    "payment amend set_level evaluate_levels approve release redeem payout currency\n"
    "adjust activity.\n"
    "Amounts, rates, points and times are JSON strings (\"1200.50\", \"12.5%\",\n"
    "\"2026-01-31\"); units, rank, clawback_days are integers. Any line may carry\n"
    "\"event\":\"ID\" for idempotent delivery. See SCENARIOS.md for every field.\n";

/*
 * Apply every line of @p path to @p e, reporting rejected lines as
 * "PREFIXline N: CODE: message" (cli.h).  batch > 0: begin a batch before
 * the first operation line and commit after every batch operation lines
 * (rejected ones included) and at the end; 0: no batches of its own.
 */
int cli_apply_file(rewards_engine *e, const char *path, const char *prefix, long batch, int *rejected)
{
    FILE *f = strcmp(path, "-") ? fopen(path, "rb") : stdin;
    if (!f) {
        fprintf(stderr, "rewards-cli: cannot read %s: %s\n", path, strerror(errno));
        return 2;
    }
    char *line = NULL;
    size_t cap = 0;
    long len;
    long n = 0, in_batch = 0;
    int fatal = 0;
    while ((len = scenario_read_line(f, &line, &cap)) >= 0) {
        n++;
        rewards_op *op;
        rewards_status st;
        char msg[512] = "";
        switch (scenario_parse_line(e, line, (size_t)len, &op, &st, msg, sizeof msg)) {
        case SCENARIO_SKIP:
            continue;
        case SCENARIO_FATAL:
            fprintf(stderr, "%sline %ld: %s\n", prefix, n, msg);
            fatal = 1;
            break;
        case SCENARIO_REJECT:
            fprintf(stderr, "%sline %ld: %s: %s\n", prefix, n, rewards_status_name(st), msg);
            *rejected = 1;
            continue;
        case SCENARIO_OP:
            if (batch > 0 && in_batch == 0 && (st = rewards_engine_begin(e)) != REWARDS_OK) {
                rewards_op_free(op);
                fprintf(stderr, "rewards-cli: cannot begin a batch at line %ld: %s: %s\n", n, rewards_status_name(st),
                        rewards_engine_errmsg(e));
                fatal = 1;
                break;
            }
            st = rewards_engine_apply(e, op);
            rewards_op_free(op);
            if (st != REWARDS_OK) {
                st = scenario_apply_error(e, st, msg, sizeof msg);
                fprintf(stderr, "%sline %ld: %s: %s\n", prefix, n, rewards_status_name(st), msg);
                *rejected = 1;
            }
            if (batch > 0 && ++in_batch == batch) {
                in_batch = 0;
                if ((st = rewards_engine_commit(e)) != REWARDS_OK) {
                    fprintf(stderr, "rewards-cli: the batch ending at line %ld failed: %s: %s\n", n,
                            rewards_status_name(st), rewards_engine_errmsg(e));
                    fatal = 1;
                    break;
                }
            }
            continue;
        }
        break;
    }
    if (len == SCENARIO_READ_ERROR) {
        fprintf(stderr, "rewards-cli: cannot read %s: %s (after line %ld)\n", path, strerror(errno), n);
        fatal = 1;
    } else if (len == SCENARIO_NOMEM) {
        fprintf(stderr, "rewards-cli: out of memory reading %s\n", path);
        fatal = 1;
    }
    if (batch > 0 && rewards_engine_in_batch(e)) {
        rewards_status st = fatal ? rewards_engine_rollback(e) : rewards_engine_commit(e);
        if (st != REWARDS_OK && !fatal) {
            fprintf(stderr, "rewards-cli: the batch ending at line %ld failed: %s: %s\n", n, rewards_status_name(st),
                    rewards_engine_errmsg(e));
            fatal = 1;
        }
    }
    free(line);
    if (f != stdin)
        fclose(f);
    return fatal ? 2 : 0;
}

static int run(const char *path, const char *ledger, const char *payouts, long batch)
{
    rewards_engine *e;
    if (rewards_engine_new(&e, NULL) != REWARDS_OK) {
        fprintf(stderr, "rewards-cli: out of memory\n");
        return 2;
    }
    int rejected = 0;
    int status = cli_apply_file(e, path, "", batch, &rejected);
    if (!status)
        status = rejected ? 1 : 0;
    if (status != 2 && output_write(e, "rewards-cli", ledger, payouts))
        status = 2;
    rewards_engine_free(e);
    return status;
}

long cli_batch_size(const char *s)
{
    long v = 0;
    if (!*s)
        return -1;
    for (; *s; s++) {
        if (*s < '0' || *s > '9' || v > 100000000)
            return -1;
        v = v * 10 + (*s - '0');
    }
    return v >= 1 && v <= 1000000000 ? v : -1;
}

/* A usage mistake: say which, then the usage; exit status 2. */
int usage_error(const char *fmt, const char *what)
{
    fputs("rewards-cli: ", stderr);
    fprintf(stderr, fmt, what);
    fputs("\n\n", stderr);
    fputs(usage, stderr);
    return 2;
}

int main(int argc, char **argv)
{
    if (argc >= 2 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) {
        fputs(usage, stdout);
        return 0;
    }
    if (argc >= 2 && !strcmp(argv[1], "--version")) {
        printf("rewards-cli (librewards %s)\n", rewards_version_string());
        return 0;
    }
    if (argc < 2)
        return usage_error("no command given%s", "");
    if (!strcmp(argv[1], "whatif"))
        return cli_whatif(argc - 2, argv + 2);
    if (strcmp(argv[1], "run") && strcmp(argv[1], "check"))
        return usage_error(argv[1][0] == '-' ? "unknown option '%s'" : "unknown command '%s' (run, check, whatif)",
                           argv[1]);
    int check = !strcmp(argv[1], "check");
    const char *scenario = NULL, *ledger = NULL, *payouts = NULL;
    long batch = 0;
    for (int i = 2; i < argc; i++) {
        int is_ledger = !strcmp(argv[i], "--ledger"), is_payouts = !strcmp(argv[i], "--payouts");
        if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
            fputs(run_usage, stdout);
            return 0;
        } else if ((is_ledger || is_payouts) && check) {
            return usage_error("check writes nothing: '%s' is for run", argv[i]);
        } else if ((is_ledger || is_payouts) && i + 1 >= argc) {
            return usage_error("'%s' needs a file name", argv[i]);
        } else if (is_ledger || is_payouts) {
            if (is_ledger ? ledger != NULL : payouts != NULL)
                return usage_error("'%s' given twice", argv[i]);
            *(is_ledger ? &ledger : &payouts) = argv[++i];
        } else if (!strcmp(argv[i], "--batch")) {
            if (batch)
                return usage_error("'%s' given twice", argv[i]);
            if (i + 1 >= argc || (batch = cli_batch_size(argv[i + 1])) <= 0)
                return usage_error("'--batch' needs a number of operations from 1 to 1000000000%s", "");
            i++;
        } else if (argv[i][0] == '-' && strcmp(argv[i], "-")) {
            return usage_error("unknown option '%s'", argv[i]);
        } else if (scenario) {
            return usage_error("one scenario file only: '%s' is a second one", argv[i]);
        } else {
            scenario = argv[i];
        }
    }
    if (!scenario)
        return usage_error("no scenario file given%s", "");
    if (ledger && payouts && !strcmp(ledger, "-") && !strcmp(payouts, "-"))
        return usage_error("--ledger - and --payouts - together would mix both files on standard output%s", "");
    return run(scenario, ledger, payouts, batch);
}
