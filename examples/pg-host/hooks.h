/*
 * hooks.h - test hooks of pg-host, read from the environment.
 *
 * They exist so that the tests can provoke what is otherwise rare: a kill
 * inside a transaction, and a server that refuses a write.  Without the
 * variables the host behaves normally.  The names are sqlite-host's.
 *
 *   RW_HOST_SLEEP_US=N     pause N microseconds before every COMMIT, so that
 *                          a SIGKILL of the host (or of the server) is likely
 *                          to land inside an open transaction
 *   RW_HOST_FAIL=WHAT@LINE make the storage fail at scenario line LINE:
 *       readonly  before the line the session turns read-only
 *                 (default_transaction_read_only): the server refuses the
 *                 line's first write (a record, or the progress row)
 *       commit    the first COMMIT at or after line LINE (the line's own, or
 *                 that of the batch holding it) is refused after everything
 *                 was written, progress row included; it is rolled back
 *   RW_HOST_STATS=1        at the end, print on standard error how many
 *                          COMMITs ran and the time spent in them (the
 *                          benchmark's share of time in commit/fsync)
 */
#ifndef PG_HOST_HOOKS_H
#define PG_HOST_HOOKS_H

#include <stddef.h>
#include <stdint.h>

typedef struct pg_db pg_db;

typedef enum { PG_HOOK_FAIL_NONE, PG_HOOK_FAIL_READONLY, PG_HOOK_FAIL_COMMIT } pg_hook_fail;

struct pg_hooks {
    long sleep_us;
    pg_hook_fail fail;
    long fail_line;
    int stats;
};
typedef struct pg_hooks pg_hooks;

/* Read the variables; 0, or -1 with a message in err for a malformed value. */
int hooks_from_env(pg_hooks *h, char *err, size_t size);

/* Before a scenario line is handled: the readonly hook; 0 or -1 with db->errmsg set. */
int hooks_before_line(pg_db *db, long line);

/* 1 when the hook makes this commit (of a transaction ending at @p line) fail: once. */
int hooks_fail_commit(pg_db *db, long line);

/* Before every COMMIT: the pause. */
void hooks_pause(const pg_db *db);

/* A monotonic clock in nanoseconds, for the statistics. */
int64_t hooks_now_ns(void);

#endif
