/*
 * hooks.c - the test hooks of hooks.h.  Each is a few lines at one place of
 * the host, so that what the tests exercise is the normal code path: the
 * readonly and put hooks make SQLite itself refuse the transaction or the
 * write, and the commit hook makes the commit report failure exactly where
 * a real error (SQLITE_BUSY, SQLITE_FULL, SQLITE_IOERR) would.
 */
#include "hooks.h"
#include "db.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static int parse_long(const char *s, long *out)
{
    char *end;
    long v = strtol(s, &end, 10);
    if (end == s || *end || v < 0)
        return -1;
    *out = v;
    return 0;
}

int hooks_from_env(host_hooks *h, char *err, size_t size)
{
    memset(h, 0, sizeof *h);
    const char *v = getenv("RW_HOST_SLEEP_US");
    if (v && *v && parse_long(v, &h->sleep_us)) {
        snprintf(err, size, "RW_HOST_SLEEP_US must be a number of microseconds, not '%s'", v);
        return -1;
    }
    v = getenv("RW_HOST_FAIL");
    if (v && *v) {
        static const char *const names[] = { "readonly", "put", "commit" };
        const char *at = strchr(v, '@');
        for (int i = 0; at && i < 3; i++)
            if (strlen(names[i]) == (size_t)(at - v) && !strncmp(v, names[i], (size_t)(at - v)))
                h->fail = (host_hook_fail)(HOOK_FAIL_READONLY + i);
        if (h->fail == HOOK_FAIL_NONE || parse_long(at + 1, &h->fail_line) || h->fail_line < 1) {
            snprintf(err, size, "RW_HOST_FAIL must be readonly@LINE, put@LINE or commit@LINE, not '%s'", v);
            return -1;
        }
    }
    v = getenv("RW_HOST_STATS");
    h->stats = v && *v && strcmp(v, "0");
    return 0;
}

int hooks_before_line(host_db *db, long line)
{
    if (db->hooks->fail_line != line)
        return 0;
    if (db->hooks->fail == HOOK_FAIL_READONLY)
        return host_db_exec(db, "PRAGMA query_only = ON");
    if (db->hooks->fail == HOOK_FAIL_PUT) {
        for (int k = 0; k <= db->nkinds; k++) {
            const char *table = k < db->nkinds ? db->table[k] : "host_progress";
            char sql[256];
            snprintf(sql, sizeof sql,
                     "CREATE TEMP TRIGGER IF NOT EXISTS fail_%s BEFORE INSERT ON main.%s"
                     " BEGIN SELECT RAISE(ABORT, 'refused by the test hook RW_HOST_FAIL'); END",
                     table, table);
            if (host_db_exec(db, sql))
                return -1;
        }
    }
    return 0;
}

int hooks_fail_commit(const host_db *db, long line)
{
    return db->hooks->fail == HOOK_FAIL_COMMIT && db->hooks->fail_line == line;
}

void hooks_pause(const host_db *db)
{
    long us = db->hooks->sleep_us;
    if (us <= 0)
        return;
    struct timespec ts = { us / 1000000, (us % 1000000) * 1000 };
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
        ;
}

long long hooks_now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000000000 + ts.tv_nsec;
}
