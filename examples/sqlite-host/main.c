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
 * This file is the run: arguments, the loop over lines, reporting, and the
 * outputs.  db.c opens the database, storage.c holds the callbacks,
 * progress.c the progress row, restore.c rebuilds the engine, hooks.c has
 * the test hooks.
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
#include "meter.h"
#include "hooks.h"
#include "output.h"
#include "progress.h"
#include "restore.h"
#include "scenario.h"
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

enum { LINE_OK, LINE_REJECTED, LINE_STOP, LINE_FATAL };

/* Progress and summary on a terminal (meter.h); cleared before any message. */
static meter host_meter;

/* A storage failure at line n: the line is not applied and the run stops. */
static int stop_storage(host_db *db, long n, const char *what)
{
    meter_clear(&host_meter);
    fprintf(stderr, "line %ld: storage: %s (%s)\n", n, what, db->errmsg);
    return LINE_STOP;
}

/*
 * Record in a transaction of its own that line n was handled, reporting
 * @p report (an error line, or NULL) inside the transaction.
 */
static int record_line(host_db *db, long n, uint64_t digest, const char *report, int result)
{
    if (progress_record_begin(db, n, digest))
        return stop_storage(db, n, "recording the line failed");
    if (report) {
        meter_clear(&host_meter);
        fputs(report, stderr);
    }
    if (progress_record_commit(db))
        return stop_storage(db, n, "recording the line failed");
    return result;
}

/* Handle line n (not yet applied): one of LINE_*.  Inside a batch (batch.c of
 * the library, --batch N) a line records nothing itself: the batch's commit
 * writes the progress row of its last line; a rejected line is reported at
 * once (a crash before the commit makes the next run report it again).
 * *was_op: the line was an operation. */
static int handle_line(host_db *db, rewards_engine *e, const char *text, size_t len, long n, uint64_t digest,
                       int *was_op)
{
    int batch = rewards_engine_in_batch(e);
    *was_op = 0;
    db->line = n;
    db->digest = digest;
    db->line_recorded = 0;
    if (hooks_before_line(db, n))
        return stop_storage(db, n, "the test hook failed");
    rewards_op *op;
    rewards_status st;
    char msg[512] = "", report[1024];
    switch (scenario_parse_line(e, text, len, &op, &st, msg, sizeof msg)) {
    case SCENARIO_SKIP:
        return batch ? LINE_OK : record_line(db, n, digest, NULL, LINE_OK);
    case SCENARIO_FATAL:
        meter_clear(&host_meter);
        fprintf(stderr, "line %ld: %s\n", n, msg);
        return LINE_FATAL;
    case SCENARIO_REJECT:
        if (st == REWARDS_NOMEM) {
            meter_clear(&host_meter);
            fprintf(stderr, "line %ld: nomem: %s\n", n, msg);
            return LINE_STOP;
        }
        snprintf(report, sizeof report, "line %ld: %s: %s\n", n, rewards_status_name(st), msg);
        if (batch) {
            meter_clear(&host_meter);
            fputs(report, stderr);
            return LINE_REJECTED;
        }
        return record_line(db, n, digest, report, LINE_REJECTED);
    case SCENARIO_OP:
        break;
    }
    *was_op = 1;
    st = rewards_engine_apply(e, op);
    rewards_op_free(op);
    if (st == REWARDS_STORAGE)
        return stop_storage(db, n, rewards_engine_errmsg(e));
    if (st == REWARDS_NOMEM) {
        /* nothing changed and a later run may succeed: like storage, do not record the line */
        meter_clear(&host_meter);
        fprintf(stderr, "line %ld: nomem: %s\n", n, rewards_engine_errmsg(e));
        return LINE_STOP;
    }
    if (st != REWARDS_OK) {
        st = scenario_apply_error(e, st, msg, sizeof msg);
        snprintf(report, sizeof report, "line %ld: %s: %s\n", n, rewards_status_name(st), msg);
        if (batch) {
            meter_clear(&host_meter);
            fputs(report, stderr);
            return LINE_REJECTED;
        }
        return record_line(db, n, digest, report, LINE_REJECTED);
    }
    if (batch)
        return LINE_OK;
    /* An event-id replay succeeds without a transaction: record the line anyway. */
    if (!db->line_recorded)
        return record_line(db, n, digest, NULL, LINE_OK);
    return LINE_OK;
}

/* Commit the open batch (lines first..last): 0, or LINE_STOP after reporting. */
static int commit_batch(host_db *db, rewards_engine *e, long first, long last)
{
    rewards_status st = rewards_engine_commit(e);
    if (st == REWARDS_OK)
        return 0;
    /* the engine rolled the whole batch back, and storage with it */
    meter_clear(&host_meter);
    fprintf(stderr, "line %ld: %s: the batch of lines %ld..%ld was rolled back: %s (%s)\n", last,
            rewards_status_name(st), first, last, rewards_engine_errmsg(e), st == REWARDS_STORAGE ? db->errmsg : "");
    return LINE_STOP;
}

/* Apply the lines of f after the first `done`, in batches of @p batch
 * operation lines when batch > 0; returns the exit status (0, 1 or 2). */
static int apply_file(host_db *db, rewards_engine *e, FILE *f, const char *path, long done, uint64_t done_digest,
                      long batch)
{
    long ops = 0, first = 0;
    char *text = NULL;
    size_t cap = 0;
    long len, n = 0;
    uint64_t digest = PROGRESS_DIGEST_INIT;
    int status = 0;
    long rejected = 0;
    meter_start(&host_meter);
    while (status != 2 && (len = scenario_read_line(f, &text, &cap)) >= 0) {
        n++;
        meter_line(&host_meter, n - 1);
        digest = progress_digest(digest, text, (size_t)len);
        if (n < done)
            continue;
        if (n == done) {
            if (digest != done_digest) {
                meter_clear(&host_meter);
                fprintf(stderr, "sqlite-host: the database holds lines 1..%ld of another file than %s\n", done, path);
                status = 2;
            }
            continue;
        }
        if (batch > 0 && !rewards_engine_in_batch(e)) {
            rewards_status st = rewards_engine_begin(e);
            if (st != REWARDS_OK) {
                meter_clear(&host_meter);
                fprintf(stderr, "line %ld: %s: %s\n", n, rewards_status_name(st), rewards_engine_errmsg(e));
                status = 1;
                break;
            }
            ops = 0;
            first = n;
        }
        int was_op;
        int r = handle_line(db, e, text, (size_t)len, n, digest, &was_op);
        if ((r == LINE_FATAL || r == LINE_STOP) && rewards_engine_in_batch(e))
            rewards_engine_rollback(e); /* the batch's lines are applied again by the next run */
        else if (batch > 0 && was_op && ++ops == batch && commit_batch(db, e, first, n))
            r = LINE_STOP;
        if (r == LINE_FATAL)
            status = 2;
        else if (r == LINE_REJECTED)
            status = 1, rejected++;
        else if (r == LINE_STOP) {
            status = 1;
            break;
        }
    }
    int read_errno = errno;
    free(text);
    meter_clear(&host_meter);
    if (rewards_engine_in_batch(e)) {
        if (status != 2 && len == SCENARIO_EOF) {
            if (commit_batch(db, e, first, n))
                status = 1;
        } else {
            rewards_engine_rollback(e);
        }
    }
    meter_end(&host_meter, n, rejected);
    if (status != 2 && len == SCENARIO_READ_ERROR) {
        fprintf(stderr, "sqlite-host: cannot read %s: %s (after line %ld)\n", path, strerror(read_errno), n);
        return 2;
    }
    if (status != 2 && len == SCENARIO_NOMEM) {
        fprintf(stderr, "sqlite-host: out of memory reading %s\n", path);
        return 2;
    }
    if (status != 2 && len < 0 && n < done) {
        fprintf(stderr, "sqlite-host: the database holds %ld lines but %s has only %ld\n", done, path, n);
        return 2;
    }
    return status;
}

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
    status = apply_file(&db, e, f, path, done, digest, batch);
    if (status != 2 && output_write_files(e, "sqlite-host", files))
        status = 2;
out:
    rewards_engine_free(e);
    host_db_close(&db);
    if (f != stdin)
        fclose(f);
    return status;
}

/* "N" from 1 to 10^9, else -1. */
static long batch_size(const char *s)
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
            if (i + 1 >= argc || (batch = batch_size(argv[i + 1])) <= 0)
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
