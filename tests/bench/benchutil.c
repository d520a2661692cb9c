/*
 * benchutil.c - the helpers every benchmark shares (see benchutil.h).
 */
#include "benchutil.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

void bu_die(const char *what, rewards_engine *e, rewards_status st)
{
    fprintf(stderr, "%s: %s: %s\n", what, rewards_status_name(st), e ? rewards_engine_errmsg(e) : "");
    exit(1);
}

double bu_now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

/* key without its ":i" / ":b" suffix, and which suffix it had */
static char typed_key(const char *key, char *path, size_t size)
{
    size_t n = strlen(key);
    if (n > 2 && key[n - 2] == ':' && (key[n - 1] == 'i' || key[n - 1] == 'b')) {
        snprintf(path, size, "%.*s", (int)(n - 2), key);
        return key[n - 1];
    }
    snprintf(path, size, "%s", key);
    return 's';
}

double bu_op(rewards_engine *e, int64_t at, const char *kind, ...)
{
    rewards_op *o;
    rewards_status st = rewards_op_new(e, &o, kind);
    if (st)
        bu_die(kind, e, st);
    if (at != INT64_MIN && (st = rewards_op_set_time(o, "at", at)))
        bu_die(kind, e, st);
    va_list ap;
    va_start(ap, kind);
    const char *key;
    while (!st && (key = va_arg(ap, const char *))) {
        const char *val = va_arg(ap, const char *);
        char path[128];
        switch (typed_key(key, path, sizeof path)) {
        case 'i': st = rewards_op_set_int(o, path, strtoll(val, NULL, 10)); break;
        case 'b': st = rewards_op_set_bool(o, path, !strcmp(val, "true")); break;
        default: st = rewards_op_set_string(o, path, val); break;
        }
    }
    va_end(ap);
    if (st)
        bu_die(kind, e, st);
    double t = bu_now_ns();
    st = rewards_engine_apply(e, o);
    t = bu_now_ns() - t;
    rewards_op_free(o);
    if (st)
        bu_die(kind, e, st);
    return t;
}
