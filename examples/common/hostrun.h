/*
 * hostrun.h - the run of a storage host: a scenario file applied line by
 * line (or in batches) to an engine whose records a database keeps, with
 * exactly-once progress across restarts.
 *
 * sqlite-host and pg-host differ only in their database: how a
 * transaction is opened and committed, where the progress row lives, and
 * what the test hooks do.  Everything else (which lines are skipped on
 * restart, how a rejected line, a storage failure or a batch's commit is
 * reported, the exit status) is this one loop, so the two hosts behave
 * alike line for line and their outputs are byte-identical to
 * rewards-cli's.  A host describes its database to the loop with a
 * host_backend; see examples/sqlite-host/main.c for the rules the loop
 * follows (reports at least once, never lost; a storage failure stops the
 * run; a batch is one transaction).
 */
#ifndef HOSTRUN_H
#define HOSTRUN_H

#include <rewards.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* The digest of no line; then that of lines 1..n from that of lines 1..n-1 (FNV-1a 64). */
#define HOST_DIGEST_INIT UINT64_C(14695981039346656037)
uint64_t host_digest(uint64_t digest, const char *line, size_t len);

/* What the loop needs of a host's database.  Every function gets `db`. */
typedef struct host_backend {
    const char *prog;   /* "sqlite-host": the prefix of the host's own messages */
    void *db;
    /* The line the next transaction belongs to: the commit callback writes
     * its progress row with the line's records; clears "recorded". */
    void (*set_line)(void *db, long line, uint64_t digest);
    /* 1 when the progress row of the line set last is committed. */
    int (*line_recorded)(void *db);
    /* Test hooks run before a line; 0, or -1 with the message in errmsg. */
    int (*before_line)(void *db, long line);
    /* Record that a line with no engine transaction was handled: begin
     * opens a transaction and writes the progress row, commit commits it
     * (rolling back on failure); the loop reports the line's error in
     * between.  0, or -1 with the message in errmsg. */
    int (*record_begin)(void *db, long line, uint64_t digest);
    int (*record_commit)(void *db);
    /* Why the last database call failed. */
    const char *(*errmsg)(void *db);
} host_backend;

/*
 * Apply the lines of f after the first @p done (whose digest must be
 * @p done_digest: otherwise the database holds another file), in batches
 * of @p batch operation lines when batch > 0.  Returns the exit status:
 * 0 every line of this run applied, 1 a line rejected or a storage failure
 * (the run stopped there), 2 the file cannot be used.
 */
int host_apply_file(const host_backend *b, rewards_engine *e, FILE *f, const char *path, long done,
                    uint64_t done_digest, long batch);

/* "N" from 1 to 10^9, else -1: the argument of --batch. */
long host_batch_size(const char *s);

#endif
