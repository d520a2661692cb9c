/*
 * bench_amend.c - what one amendment costs as the ledger grows.
 *
 * SPEC section 6 corrections recompute only the groups a changed deal
 * belongs to (reward, period, partner, beneficiary).  This benchmark builds
 * ledgers of about 10, 1,000 and 100,000 entries whose deals are spread over
 * many partners and months, so that the amended deal's groups stay small,
 * then ledgers of about 100,000 entries where the amended deal's tiered
 * group holds 500, 5,000 and finally every deal; then it times one
 * amendment (the median of several, alternating between two amounts) in
 * each.  The cost should
 * follow the size of the affected group, not the size of the ledger.
 * Prints numbers; asserts nothing.  Run: build/tests/bench/bench_amend
 */
#include "rewards.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define REPEATS 21
#define DAY INT64_C(86400)

static void die(const char *what, rewards_engine *e, rewards_status st)
{
    fprintf(stderr, "%s: %s: %s\n", what, rewards_status_name(st), e ? rewards_engine_errmsg(e) : "");
    exit(1);
}

/* Apply an operation given as key/value string pairs (":i" keys are integers), NULL-terminated. */
static void op(rewards_engine *e, int64_t at, const char *kind, ...)
{
    rewards_op *o;
    rewards_status st = rewards_op_new(e, &o, kind);
    if (st)
        die(kind, e, st);
    if (at != INT64_MIN && (st = rewards_op_set_time(o, "at", at)))
        die(kind, e, st);
    va_list ap;
    va_start(ap, kind);
    const char *key;
    while (!st && (key = va_arg(ap, const char *))) {
        const char *val = va_arg(ap, const char *);
        size_t n = strlen(key);
        if (n > 2 && !strcmp(key + n - 2, ":i")) {
            char path[64];
            snprintf(path, sizeof path, "%.*s", (int)(n - 2), key);
            st = rewards_op_set_int(o, path, strtoll(val, NULL, 10));
        } else {
            st = rewards_op_set_string(o, key, val);
        }
    }
    va_end(ap);
    if (!st)
        st = rewards_engine_apply(e, o);
    rewards_op_free(o);
    if (st)
        die(kind, e, st);
}

static double now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

typedef struct bench {
    rewards_engine *e;
    int64_t clock;
    long deals;
    long group; /* contributions in the amended deal's tiered group */
    char target[32];
} bench;

/*
 * A plan with a 10% percent (no period) and a graduated monthly tier; ndeals
 * deals of partners "p0".."p{npartners-1}", spread over 12 months in time
 * order, each won: two entries per deal.  With one partner and one month,
 * every deal is in one tiered group.  The amended deal is the first one won.
 */
static void build(bench *b, long ndeals, long npartners, int months)
{
    rewards_status st = rewards_engine_new(&b->e, NULL);
    if (st)
        die("engine", NULL, st);
    rewards_engine *e = b->e;
    int64_t t0;
    rewards_time_parse("2026-01-01", &t0);
    op(e, INT64_MIN, "program", "id", "p", "name", "P", "currency", "USD", NULL);
    op(e, INT64_MIN, "level", "id", "std", "program", "p", "name", "Std", "rank:i", "1", NULL);
    op(e, INT64_MIN, "reward", "id", "pct", "level", "std", "name", "Pct", "trigger", "deal_won", "recipient",
       "partner", "kind", "percent", "rate", "10%", NULL);
    op(e, INT64_MIN, "reward", "id", "tier", "level", "std", "name", "Tier", "trigger", "deal_won", "recipient",
       "partner", "kind", "tiered", "period", "month", "tiers.0.from", "0", "tiers.0.rate", "5%", "tiers.1.from",
       "1000.00", "tiers.1.rate", "8%", "tiers.2.from", "5000.00", "tiers.2.rate", "10%", NULL);
    for (long p = 0; p < npartners; p++) {
        char id[32];
        snprintf(id, sizeof id, "p%ld", p);
        op(e, INT64_MIN, "partner", "id", id, "program", "p", "level", "std", "name", id, NULL);
    }
    long per_month = (ndeals + months - 1) / months;
    for (long i = 0; i < ndeals; i++) {
        int month = (int)(i / per_month);
        char first[32];
        snprintf(first, sizeof first, "2026-%02d-01", month + 1);
        rewards_time_parse(first, &t0);
        /* the deals of a month are spread over its first 20 days */
        int64_t at = t0 + (int64_t)(i % per_month) * (20 * DAY) / per_month;
        char id[32], partner[32], amount[32];
        snprintf(id, sizeof id, "d%ld", i);
        snprintf(partner, sizeof partner, "p%ld", i % npartners);
        snprintf(amount, sizeof amount, "%ld.00", 700 + (i % 7) * 100);
        op(e, at, "deal", "id", id, "partner", partner, "currency", "USD", "amount", amount, NULL);
        op(e, at, "stage", "deal", id, "stage", "won", NULL);
        b->clock = at;
    }
    b->deals = ndeals;
    snprintf(b->target, sizeof b->target, "d0");
    /* d0 is the first deal of month 0 for partner p0: its group holds the deals i with i % npartners == 0
     * among the first per_month */
    b->group = (per_month + npartners - 1) / npartners;
}

static void measure(const char *label, bench *b, double built_ns)
{
    size_t before = rewards_engine_entry_count(b->e);
    double ns[REPEATS];
    for (int r = 0; r < REPEATS; r++) {
        b->clock += 1;
        rewards_op *o;
        rewards_status st = rewards_op_new(b->e, &o, "amend");
        if (!st)
            st = rewards_op_set_time(o, "at", b->clock);
        if (!st)
            st = rewards_op_set_string(o, "deal", b->target);
        if (!st)
            st = rewards_op_set_string(o, "amount", r % 2 ? "700.00" : "1350.00");
        if (st)
            die("amend op", b->e, st);
        double t = now_ns();
        st = rewards_engine_apply(b->e, o);
        ns[r] = now_ns() - t;
        rewards_op_free(o);
        if (st)
            die("amend", b->e, st);
    }
    qsort(ns, REPEATS, sizeof ns[0], cmp_double);
    size_t after = rewards_engine_entry_count(b->e);
    printf("%-36s %9zu %8ld %7ld %11.1f %9.1f %9.1f %9.1f\n", label, before, b->deals, b->group,
           ns[REPEATS / 2] / 1e3, ns[0] / 1e3, ns[REPEATS - 1] / 1e3, built_ns / 1e6);
    if (after <= before)
        die("the amendments recorded no adjustment", b->e, REWARDS_OK);
}

int main(void)
{
    printf("one amendment (median of %d, alternating 700.00 / 1350.00); times in microseconds\n", REPEATS);
    printf("%-36s %9s %8s %7s %11s %9s %9s %9s\n", "ledger", "entries", "deals", "group", "median_us", "min_us",
           "max_us", "build_ms");
    struct {
        const char *label;
        long deals, partners;
        int months;
    } cases[] = {
        { "small groups, ~10 entries", 5, 3, 1 },
        { "small groups, ~1,000 entries", 500, 40, 12 },
        { "small groups, ~100,000 entries", 50000, 4000, 12 },
        { "groups of 500, ~100,000 entries", 50000, 100, 1 },
        { "groups of 5,000, ~100,000 entries", 50000, 10, 1 },
        { "one group of 50,000, ~100,000 entries", 50000, 1, 1 },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        bench b = { 0 };
        double t = now_ns();
        build(&b, cases[i].deals, cases[i].partners, cases[i].months);
        double built = now_ns() - t;
        measure(cases[i].label, &b, built);
        rewards_engine_free(b.e);
    }
    return 0;
}
