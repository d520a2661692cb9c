/*
 * sqlite-host - the reference host that keeps librewards' state in SQLite.
 *
 * It runs a scenario file (SCENARIOS.md) like rewards-cli, with the same
 * reader, the same error lines and the same outputs, but every record the
 * engine creates or changes is saved in a database, so the run survives
 * being stopped: restarted on the same database and file, it restores the
 * engine, skips the lines already applied and goes on with the next one.
 * The result is byte for byte that of one uninterrupted run, however often
 * and wherever the process was killed.
 *
 * This file is the run: arguments, and the outputs; the loop over lines
 * and its reporting are examples/common/hostrun.c, shared with pg-host.
 * db.c opens the database, storage.c holds the callbacks, progress.c the
 * progress row (and the loop's view of the database, progress_backend()),
 * restore.c rebuilds the engine, hooks.c has the test hooks.
 *
 * Reporting across runs: a rejected line is reported by the run that
 * handles it, so the errors of a resumed run cover only its own lines.  The
 * report is written before the line's progress is committed: a crash at
 * that moment makes the next run report the line again (at least once,
 * never lost).  The exit status is that of the lines this run handled.
 *
 * A storage failure (the database refuses a write) stops the run: the line
 * is reported as `storage`, the engine has undone it, no progress is
 * recorded for it, the outputs show the state before it, and the exit
 * status is 1.  The next run starts again from that line.
 *
 * With --batch N the lines are applied in library batches of N operation
 * lines, one database transaction each: the commit writes the batch's
 * records and the progress row of its last line together (storage.c), so
 * a crash loses or keeps a whole batch.  Rejected lines are reported as
 * they are met; a storage failure at a batch's commit rolls the whole batch
 * back and stops the run (the next run starts at the batch's first line).
 */
#include "db.h"
#include "hooks.h"
#include "hostrun.h"
#include "output.h"
#include "progress.h"
#include "restore.h"
#include "storage.h"

#include <errno.h>
#include <rewards.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char usage[] =
    "usage: sqlite-host DATABASE SCENARIO.jsonl [--ledger FILE] [--payouts FILE] [--batch N]\n"
    "                   [--traces FILE]\n"
    "       sqlite-host --help | --version\n"
    "\n"
    "Runs a scenario file (JSON Lines, as rewards-cli run) with every librewards\n"
    "record kept in the SQLite DATABASE (created if missing). Run again on the\n"
    "same database and file, it resumes after the last line applied: a run that\n"
    "was killed loses nothing and applies nothing twice. The ledger and payouts\n"
    "are written as CSV ('-' is standard output). A rejected line prints\n"
    "'line N: CODE: message' on standard error, in the run that handles it.\n"
    "Exit status: 0 every line of this run applied, 1 some line rejected or the\n"
    "database refused a write (the run stops there; run again to resume), 2 the\n"
    "file or database cannot be used, a line is not a JSON object, or an output\n"
    "cannot be written (then no output file is written).\n"
    "--batch N applies N operation lines per database transaction (one fsync per\n"
    "batch); the progress row is written in the batch's commit.\n"
    "--traces writes every entry's calculation trace as JSON lines (as rewards-cli\n"
    "run --traces): the same after a restart as in one uninterrupted run.\n";

static int run(const char *dbpath, const char *path, const output_files *files, long batch)
{
    char err[256];
    host_hooks hooks;
    if (hooks_from_env(&hooks, err, sizeof err)) {
        fprintf(stderr, "sqlite-host: %s\n", err);
        return 2;
    }
    FILE *f = strcmp(path, "-") ? fopen(path, "rb") : stdin;
    if (!f) {
        fprintf(stderr, "sqlite-host: cannot read %s: %s\n", path, strerror(errno));
        return 2;
    }
    int status = 2;
    host_db db;
    rewards_engine *e = NULL;
    rewards_storage storage;
    rewards_options options = REWARDS_OPTIONS_INIT;
    long done;
    uint64_t digest;
    if (host_db_open(&db, dbpath, &hooks)) {
        fprintf(stderr, "sqlite-host: %s: %s\n", dbpath, db.errmsg);
        goto out;
    }
    storage_callbacks(&db, &storage);
    options.storage = &storage;
    if (rewards_engine_new(&e, &options) != REWARDS_OK) {
        fprintf(stderr, "sqlite-host: out of memory\n");
        goto out;
    }
    if (restore_engine(&db, e, &done, &digest)) {
        fprintf(stderr, "sqlite-host: %s: %s\n", dbpath, db.errmsg);
        goto out;
    }
    host_backend backend;
    progress_backend(&db, &backend);
    status = host_apply_file(&backend, e, f, path, done, digest, batch);
    if (status != 2 && output_write_files(e, "sqlite-host", files))
        status = 2;
    if (hooks.stats)
        fprintf(stderr, "sqlite-host: stats: %ld commits, %.3f s in COMMIT\n", db.commits, (double)db.commit_ns / 1e9);
out:
    rewards_engine_free(e);
    host_db_close(&db);
    if (f != stdin)
        fclose(f);
    return status;
}

/* A usage mistake: say which, then the usage; exit status 2. */
static int usage_error(const char *fmt, const char *what)
{
    fputs("sqlite-host: ", stderr);
    fprintf(stderr, fmt, what);
    fputs("\n\n", stderr);
    fputs(usage, stderr);
    return 2;
}

int main(int argc, char **argv)
{
    const char *dbpath = NULL, *scenario = NULL, *ledger = NULL, *payouts = NULL, *traces = NULL;
    long batch = 0;
    for (int i = 1; i < argc; i++) {
        int is_ledger = !strcmp(argv[i], "--ledger"), is_payouts = !strcmp(argv[i], "--payouts");
        if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
            fputs(usage, stdout);
            return 0;
        } else if (!strcmp(argv[i], "--version")) {
            printf("sqlite-host (librewards %s, SQLite %s)\n", rewards_version_string(), sqlite3_libversion());
            return 0;
        } else if ((is_ledger || is_payouts) && i + 1 >= argc) {
            return usage_error("'%s' needs a file name", argv[i]);
        } else if (is_ledger || is_payouts) {
            if (is_ledger ? ledger != NULL : payouts != NULL)
                return usage_error("'%s' given twice", argv[i]);
            *(is_ledger ? &ledger : &payouts) = argv[++i];
        } else if (!strcmp(argv[i], "--traces")) {
            if (traces)
                return usage_error("'%s' given twice", argv[i]);
            if (i + 1 >= argc)
                return usage_error("'%s' needs a file name", argv[i]);
            traces = argv[++i];
        } else if (!strcmp(argv[i], "--batch")) {
            if (batch)
                return usage_error("'%s' given twice", argv[i]);
            if (i + 1 >= argc || (batch = host_batch_size(argv[i + 1])) <= 0)
                return usage_error("'--batch' needs a number of operations from 1 to 1000000000%s", "");
            i++;
        } else if (argv[i][0] == '-' && strcmp(argv[i], "-")) {
            return usage_error("unknown option '%s'", argv[i]);
        } else if (!dbpath) {
            dbpath = argv[i];
        } else if (!scenario) {
            scenario = argv[i];
        } else {
            return usage_error("too many arguments: '%s' (a database and a scenario file)", argv[i]);
        }
    }
    if (!dbpath || !scenario)
        return usage_error("a database and a scenario file are needed%s", "");
    if (!strcmp(dbpath, "-"))
        return usage_error("the database must be a file, not '-'%s", "");
    if (ledger && payouts && !strcmp(ledger, "-") && !strcmp(payouts, "-"))
        return usage_error("--ledger - and --payouts - together would mix both files on standard output%s", "");
    if (traces && !strcmp(traces, "-") && ((ledger && !strcmp(ledger, "-")) || (payouts && !strcmp(payouts, "-"))))
        return usage_error("only one output may be '-' (standard output)%s", "");
    output_files files = { ledger, payouts, traces, NULL, NULL, INT64_MIN, INT64_MAX };
    return run(dbpath, scenario, &files, batch);
}
