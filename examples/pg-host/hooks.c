/*
 * hooks.c - the test hooks of hooks.h, each a few lines at one place of the
 * host, so that what the tests exercise is the normal code path: the
 * readonly hook makes the server itself refuse the write, the commit hook
 * makes the commit fail exactly where a real error (the server gone, a
 * serialization failure) would.
 */
#include "hooks.h"
#include "pgdb.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static int parse_long(const char *s, long *out)
{
    char *end;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (end == s || *end || v < 0 || errno)
        return -1;
    *out = v;
    return 0;
}

int hooks_from_env(pg_hooks *h, char *err, size_t size)
{
    memset(h, 0, sizeof *h);
    const char *v = getenv("RW_HOST_SLEEP_US");
    if (v && *v && parse_long(v, &h->sleep_us)) {
        snprintf(err, size, "RW_HOST_SLEEP_US must be a number of microseconds, not '%s'", v);
        return -1;
    }
    v = getenv("RW_HOST_FAIL");
    if (v && *v) {
        const char *at = strchr(v, '@');
        size_t n = at ? (size_t)(at - v) : 0;
        if (n == 8 && !strncmp(v, "readonly", n))
            h->fail = PG_HOOK_FAIL_READONLY;
        else if (n == 6 && !strncmp(v, "commit", n))
            h->fail = PG_HOOK_FAIL_COMMIT;
        if (h->fail == PG_HOOK_FAIL_NONE || parse_long(at + 1, &h->fail_line) || h->fail_line < 1) {
            snprintf(err, size, "RW_HOST_FAIL must be readonly@LINE or commit@LINE, not '%s'", v);
            return -1;
        }
    }
    v = getenv("RW_HOST_STATS");
    h->stats = v && *v && strcmp(v, "0");
    return 0;
}

int hooks_before_line(pg_db *db, long line)
{
    if (db->hooks->fail == PG_HOOK_FAIL_READONLY && db->hooks->fail_line == line)
        return pg_db_exec(db, "SET default_transaction_read_only = on");
    return 0;
}

int hooks_fail_commit(pg_db *db, long line)
{
    if (db->hooks->fail != PG_HOOK_FAIL_COMMIT || line < db->hooks->fail_line || db->hook_fired)
        return 0;
    db->hook_fired = 1;
    return 1;
}

void hooks_pause(const pg_db *db)
{
    long us = db->hooks->sleep_us;
    if (us <= 0)
        return;
    struct timespec ts = { us / 1000000, (us % 1000000) * 1000 };
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
        ;
}

int64_t hooks_now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}
