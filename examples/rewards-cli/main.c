/*
 * rewards-cli - runs a scenario file (SCENARIOS.md) through librewards and
 * writes the ledger and the payouts it computed.  It uses only the public
 * API: it is the reference for how a host drives the library.
 */
#include "cli.h"
#include "meter.h"
#include "output.h"
#include "scenario.h"

#include <errno.h>
#include <stdint.h>
#include <rewards.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char usage[] =
    "usage: rewards-cli run SCENARIO.jsonl [--ledger FILE] [--payouts FILE] [--batch N]\n"
    "                      [--traces FILE] [--statements FILE [--from T] [--until T]] [--holds FILE]\n"
    "       rewards-cli check SCENARIO.jsonl [--batch N]\n"
    "       rewards-cli whatif BASE.jsonl CHANGE.jsonl\n"
    "       rewards-cli explain SCENARIO.jsonl ENTRY [--json]\n"
    "       rewards-cli --help | --version\n"
    "\n"
    "A scenario is a partner program written as JSON Lines: one operation per\n"
    "line ({\"op\":\"deal\", ...}); blank lines and lines starting with # are skipped.\n"
    "run applies every line in order and writes the ledger and payouts as CSV\n"
    "('-' is standard output); check applies them in memory and writes nothing.\n"
    "--batch N applies the lines in batches of N operations, one transaction each.\n"
    "whatif applies BASE, then CHANGE inside a batch, prints what CHANGE adds to or\n"
    "changes in the ledger and payouts, and rolls the batch back.\n"
    "--traces writes every entry's calculation trace (JSON lines), --statements every\n"
    "recipient's statement (CSV; --from/--until limit the range), --holds every held\n"
    "entry (CSV). explain runs the file and prints why entry ENTRY has its amount.\n"
    "A rejected line prints 'line N: CODE: message' on standard error and the run\n"
    "goes on. Exit status: 0 every line applied, 1 some line rejected, 2 the file\n"
    "cannot be read, a line is not a JSON object, or an output cannot be written\n"
    "(then no output file is written).\n";

static const char run_usage[] =
    "usage: rewards-cli run SCENARIO.jsonl [--ledger FILE] [--payouts FILE] [--batch N]\n"
    "                      [--traces FILE] [--statements FILE [--from T] [--until T]] [--holds FILE]\n"
    "\n"
    "Operations: program level reward partner user user_access fx deal assign stage\n"
    "payment amend set_level evaluate_levels approve release redeem payout currency\n"
    "adjust activity.\n"
    "Amounts, rates, points and times are JSON strings (\"1200.50\", \"12.5%\",\n"
    "\"2026-01-31\"); units, rank, clawback_days are integers. Any line may carry\n"
    "\"event\":\"ID\" for idempotent delivery. See docs/operations.md for every field.\n";

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
    long n = 0, in_batch = 0, nrejected = 0;
    int fatal = 0;
    meter m;
    meter_start(&m);
    while ((len = scenario_read_line(f, &line, &cap)) >= 0) {
        n++;
        meter_line(&m, n - 1);
        rewards_op *op;
        rewards_status st;
        char msg[512] = "";
        switch (scenario_parse_line(e, line, (size_t)len, &op, &st, msg, sizeof msg)) {
        case SCENARIO_SKIP:
            continue;
        case SCENARIO_FATAL:
            meter_clear(&m);
            fprintf(stderr, "%sline %ld: %s\n", prefix, n, msg);
            fatal = 1;
            break;
        case SCENARIO_REJECT:
            meter_clear(&m);
            fprintf(stderr, "%sline %ld: %s: %s\n", prefix, n, rewards_status_name(st), msg);
            *rejected = 1;
            nrejected++;
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
                meter_clear(&m);
                fprintf(stderr, "%sline %ld: %s: %s\n", prefix, n, rewards_status_name(st), msg);
                *rejected = 1;
                nrejected++;
            }
            if (batch > 0 && ++in_batch == batch) {
                in_batch = 0;
                if ((st = rewards_engine_commit(e)) != REWARDS_OK) {
                    meter_clear(&m);
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
    meter_clear(&m);
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
    meter_end(&m, n, nrejected);
    return fatal ? 2 : 0;
}

static int run(const char *path, const output_files *files, long batch)
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
    if (status != 2 && output_write_files(e, "rewards-cli", files))
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
    if (!strcmp(argv[1], "explain"))
        return cli_explain(argc - 2, argv + 2);
    if (strcmp(argv[1], "run") && strcmp(argv[1], "check"))
        return usage_error(argv[1][0] == '-' ? "unknown option '%s'" : "unknown command '%s' (run, check, whatif, explain)",
                           argv[1]);
    int check = !strcmp(argv[1], "check");
    const char *scenario = NULL;
    output_files files = { NULL, NULL, NULL, NULL, NULL, INT64_MIN, INT64_MAX };
    const char *from = NULL, *until = NULL;
    const char *names[] = { "--ledger", "--payouts", "--traces", "--statements", "--holds", "--from", "--until" };
    const char **slots[] = { &files.ledger, &files.payouts, &files.traces, &files.statements, &files.holds, &from, &until };
    long batch = 0;
    for (int i = 2; i < argc; i++) {
        int opt = -1;
        for (int k = 0; k < 7; k++)
            if (!strcmp(argv[i], names[k]))
                opt = k;
        if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
            fputs(run_usage, stdout);
            return 0;
        } else if (opt >= 0 && check) {
            return usage_error("check writes nothing: '%s' is for run", argv[i]);
        } else if (opt >= 0 && i + 1 >= argc) {
            return usage_error(opt >= 5 ? "'%s' needs a time (YYYY-MM-DD or YYYY-MM-DDTHH:MM:SSZ)" : "'%s' needs a file name",
                               argv[i]);
        } else if (opt >= 0) {
            if (*slots[opt])
                return usage_error("'%s' given twice", argv[i]);
            *slots[opt] = argv[++i];
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
    if (files.ledger && files.payouts && !strcmp(files.ledger, "-") && !strcmp(files.payouts, "-"))
        return usage_error("--ledger - and --payouts - together would mix both files on standard output%s", "");
    int stdouts = 0;
    for (int k = 0; k < 5; k++)
        stdouts += *slots[k] && !strcmp(*slots[k], "-");
    if (stdouts > 1)
        return usage_error("only one output may be '-' (standard output)%s", "");
    if ((from || until) && !files.statements)
        return usage_error("--from and --until set the range of --statements%s", "");
    if ((from && rewards_time_parse(from, &files.from) != REWARDS_OK) ||
        (until && rewards_time_parse(until, &files.until) != REWARDS_OK))
        return usage_error("'%s' is not a time (YYYY-MM-DD or YYYY-MM-DDTHH:MM:SSZ)", from && rewards_time_parse(from, &files.from) ? from : until);
    if (files.until <= files.from)
        return usage_error("--until must be after --from%s", "");
    return run(scenario, &files, batch);
}
