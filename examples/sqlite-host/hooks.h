/*
 * hooks.h - test hooks of the SQLite host, read from the environment.
 *
 * They exist only so that the test suite can provoke what is otherwise
 * rare: a crash in the middle of a transaction, and a database that refuses
 * a write.  Without the variables the host behaves normally.
 *
 *   RW_HOST_SLEEP_US=N     pause N microseconds before every COMMIT, so that
 *                          a SIGKILL is likely to land inside a transaction
 *   RW_HOST_FAIL=WHAT@LINE make the storage fail at scenario line LINE:
 *       readonly  the connection turns read-only (PRAGMA query_only) before
 *                 the line: SQLite refuses its BEGIN IMMEDIATE
 *       put       before the line, temporary triggers make every INSERT
 *                 into the host's tables fail: SQLite refuses the line's
 *                 first write (a record, or the progress row)
 *       commit    the transaction of the line is written, progress row
 *                 included, and then COMMIT fails (it is rolled back)
 *   RW_HOST_STATS=1        at the end, print on standard error how many
 *                          COMMITs ran and the time spent in them (the
 *                          benchmark's share of time in commit/fsync)
 */
#ifndef SQLITE_HOST_HOOKS_H
#define SQLITE_HOST_HOOKS_H

#include <stddef.h>

typedef struct host_db host_db;

typedef enum { HOOK_FAIL_NONE, HOOK_FAIL_READONLY, HOOK_FAIL_PUT, HOOK_FAIL_COMMIT } host_hook_fail;

struct host_hooks {
    long sleep_us;
    host_hook_fail fail;
    long fail_line;
    int stats;
};
typedef struct host_hooks host_hooks;

/* Read the variables; 0, or -1 with a message in err for a malformed value. */
int hooks_from_env(host_hooks *h, char *err, size_t size);

/* Before a scenario line is handled: the readonly and put hooks; 0 or -1 with db->errmsg set. */
int hooks_before_line(host_db *db, long line);

/* 1 when the hook makes the commit of @p line fail. */
int hooks_fail_commit(const host_db *db, long line);

/* Before every COMMIT: the pause. */
void hooks_pause(const host_db *db);

/* A monotonic clock in nanoseconds, for the statistics. */
long long hooks_now_ns(void);

#endif
