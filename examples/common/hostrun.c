/*
 * hostrun.c - the line loop shared by sqlite-host and pg-host (hostrun.h).
 *
 * Moved here from sqlite-host's main.c when pg-host was added, unchanged
 * in behaviour: the rules it follows (reporting across runs, storage
 * failures, batches) are described at the top of
 * examples/sqlite-host/main.c and in docs/sqlite-host.md.
 */
#include "hostrun.h"
#include "meter.h"
#include "scenario.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

uint64_t host_digest(uint64_t digest, const char *line, size_t len)
{
    uint64_t h = digest;
    for (size_t i = 0; i < len; i++) {
        h ^= (unsigned char)line[i];
        h *= 1099511628211u;
    }
    h ^= '\n';
    h *= 1099511628211u;
    return h;
}

enum { LINE_OK, LINE_REJECTED, LINE_STOP, LINE_FATAL };

/* Progress and summary on a terminal (meter.h); cleared before any message. */
static meter host_meter;

/* A storage failure at line n: the line is not applied and the run stops. */
static int stop_storage(const host_backend *b, long n, const char *what)
{
    meter_clear(&host_meter);
    fprintf(stderr, "line %ld: storage: %s (%s)\n", n, what, b->errmsg(b->db));
    return LINE_STOP;
}

/*
 * Record in a transaction of its own that line n was handled, reporting
 * @p report (an error line, or NULL) inside the transaction.
 */
static int record_line(const host_backend *b, long n, uint64_t digest, const char *report, int result)
{
    if (b->record_begin(b->db, n, digest))
        return stop_storage(b, n, "recording the line failed");
    if (report) {
        meter_clear(&host_meter);
        fputs(report, stderr);
    }
    if (b->record_commit(b->db))
        return stop_storage(b, n, "recording the line failed");
    return result;
}

/* Handle line n (not yet applied): one of LINE_*.  Inside a batch (batch.c of
 * the library, --batch N) a line records nothing itself: the batch's commit
 * writes the progress row of its last line; a rejected line is reported at
 * once (a crash before the commit makes the next run report it again).
 * *was_op: the line was an operation. */
static int handle_line(const host_backend *b, rewards_engine *e, const char *text, size_t len, long n, uint64_t digest,
                       int *was_op)
{
    int batch = rewards_engine_in_batch(e);
    *was_op = 0;
    b->set_line(b->db, n, digest);
    if (b->before_line(b->db, n))
        return stop_storage(b, n, "the test hook failed");
    rewards_op *op;
    rewards_status st;
    char msg[512] = "", report[1024];
    switch (scenario_parse_line(e, text, len, &op, &st, msg, sizeof msg)) {
    case SCENARIO_SKIP:
        return batch ? LINE_OK : record_line(b, n, digest, NULL, LINE_OK);
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
        return record_line(b, n, digest, report, LINE_REJECTED);
    case SCENARIO_OP:
        break;
    }
    *was_op = 1;
    st = rewards_engine_apply(e, op);
    rewards_op_free(op);
    if (st == REWARDS_STORAGE)
        return stop_storage(b, n, rewards_engine_errmsg(e));
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
        return record_line(b, n, digest, report, LINE_REJECTED);
    }
    if (batch)
        return LINE_OK;
    /* An event-id replay succeeds without a transaction: record the line anyway. */
    if (!b->line_recorded(b->db))
        return record_line(b, n, digest, NULL, LINE_OK);
    return LINE_OK;
}

/* Commit the open batch (lines first..last): 0, or LINE_STOP after reporting. */
static int commit_batch(const host_backend *b, rewards_engine *e, long first, long last)
{
    rewards_status st = rewards_engine_commit(e);
    if (st == REWARDS_OK)
        return 0;
    /* the engine rolled the whole batch back, and storage with it */
    meter_clear(&host_meter);
    fprintf(stderr, "line %ld: %s: the batch of lines %ld..%ld was rolled back: %s (%s)\n", last,
            rewards_status_name(st), first, last, rewards_engine_errmsg(e), st == REWARDS_STORAGE ? b->errmsg(b->db) : "");
    return LINE_STOP;
}

/* Apply the lines of f after the first `done`, in batches of @p batch
 * operation lines when batch > 0; returns the exit status (0, 1 or 2). */
int host_apply_file(const host_backend *b, rewards_engine *e, FILE *f, const char *path, long done, uint64_t done_digest,
                      long batch)
{
    long ops = 0, first = 0;
    char *text = NULL;
    size_t cap = 0;
    long len, n = 0;
    uint64_t digest = HOST_DIGEST_INIT;
    int status = 0;
    long rejected = 0;
    meter_start(&host_meter);
    while (status != 2 && (len = scenario_read_line(f, &text, &cap)) >= 0) {
        n++;
        meter_line(&host_meter, n - 1);
        digest = host_digest(digest, text, (size_t)len);
        if (n < done)
            continue;
        if (n == done) {
            if (digest != done_digest) {
                meter_clear(&host_meter);
                fprintf(stderr, "%s: the database holds lines 1..%ld of another file than %s\n", b->prog, done, path);
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
        int r = handle_line(b, e, text, (size_t)len, n, digest, &was_op);
        if ((r == LINE_FATAL || r == LINE_STOP) && rewards_engine_in_batch(e))
            rewards_engine_rollback(e); /* the batch's lines are applied again by the next run */
        else if (batch > 0 && was_op && ++ops == batch && commit_batch(b, e, first, n))
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
            if (commit_batch(b, e, first, n))
                status = 1;
        } else {
            rewards_engine_rollback(e);
        }
    }
    meter_end(&host_meter, n, rejected);
    if (status != 2 && len == SCENARIO_READ_ERROR) {
        fprintf(stderr, "%s: cannot read %s: %s (after line %ld)\n", b->prog, path, strerror(read_errno), n);
        return 2;
    }
    if (status != 2 && len == SCENARIO_NOMEM) {
        fprintf(stderr, "%s: out of memory reading %s\n", b->prog, path);
        return 2;
    }
    if (status != 2 && len < 0 && n < done) {
        fprintf(stderr, "%s: the database holds %ld lines but %s has only %ld\n", b->prog, done, path, n);
        return 2;
    }
    return status;
}

/* "N" from 1 to 10^9, else -1. */
long host_batch_size(const char *s)
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
