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
 *
 * A second table amends ONE line of a deal with 10, 100 or 1,000 lines
 * (SPEC section 13): per-line rewards without a period give each line its
 * own contribution, so only the amended line's (and the per-deal margin
 * reward's) are recomputed; a per-line reward with a period puts every line
 * of the deal in one group, which is then recomputed whole.  The amendment
 * restates every line (the operation's size), so reading it grows with the
 * line count; the recomputation follows the groups touched.
 * Prints numbers; asserts nothing.  Run: build/tests/bench/bench_amend
 */
#include "rewards.h"
#include "benchutil.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define REPEATS 21
#define DAY INT64_C(86400)

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
        bu_die("engine", NULL, st);
    rewards_engine *e = b->e;
    int64_t t0;
    rewards_time_parse("2026-01-01", &t0);
    bu_op(e, INT64_MIN, "program", "id", "p", "name", "P", "currency", "USD", NULL);
    bu_op(e, INT64_MIN, "level", "id", "std", "program", "p", "name", "Std", "rank:i", "1", NULL);
    bu_op(e, INT64_MIN, "reward", "id", "pct", "level", "std", "name", "Pct", "trigger", "deal_won", "recipient",
       "partner", "kind", "percent", "rate", "10%", NULL);
    bu_op(e, INT64_MIN, "reward", "id", "tier", "level", "std", "name", "Tier", "trigger", "deal_won", "recipient",
       "partner", "kind", "tiered", "period", "month", "tiers.0.from", "0", "tiers.0.rate", "5%", "tiers.1.from",
       "1000.00", "tiers.1.rate", "8%", "tiers.2.from", "5000.00", "tiers.2.rate", "10%", NULL);
    for (long p = 0; p < npartners; p++) {
        char id[32];
        snprintf(id, sizeof id, "p%ld", p);
        bu_op(e, INT64_MIN, "partner", "id", id, "program", "p", "level", "std", "name", id, NULL);
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
        bu_op(e, at, "deal", "id", id, "partner", partner, "currency", "USD", "amount", amount, NULL);
        bu_op(e, at, "stage", "deal", id, "stage", "won", NULL);
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
            bu_die("amend op", b->e, st);
        double t = bu_now_ns();
        st = rewards_engine_apply(b->e, o);
        ns[r] = bu_now_ns() - t;
        rewards_op_free(o);
        if (st)
            bu_die("amend", b->e, st);
    }
    qsort(ns, REPEATS, sizeof ns[0], cmp_double);
    size_t after = rewards_engine_entry_count(b->e);
    printf("%-36s %9zu %8ld %7ld %11.1f %9.1f %9.1f %9.1f\n", label, before, b->deals, b->group,
           ns[REPEATS / 2] / 1e3, ns[0] / 1e3, ns[REPEATS - 1] / 1e3, built_ns / 1e6);
    if (after <= before)
        bu_die("the amendments recorded no adjustment", b->e, REWARDS_OK);
}

/* Set lines.i.<field> of o. */
static rewards_status set_line(rewards_op *o, long i, const char *field, const char *value)
{
    char path[64];
    snprintf(path, sizeof path, "lines.%ld.%s", i, field);
    return rewards_op_set_string(o, path, value);
}

/*
 * One deal of nlines lines (amount 100.00, cost 60.00 each), won; rewards:
 * a 10% per line, a 10% of the deal's margin, and with grouped, a per-line
 * graduated monthly tier (every line of the deal in one group).  Then ONE
 * line's amount alternates between two values.
 */
static void measure_lines(long nlines, int grouped)
{
    rewards_engine *e;
    rewards_status st = rewards_engine_new(&e, NULL);
    if (st)
        bu_die("engine", NULL, st);
    int64_t t;
    rewards_time_parse("2026-01-01", &t);
    bu_op(e, INT64_MIN, "program", "id", "p", "name", "P", "currency", "USD", NULL);
    bu_op(e, INT64_MIN, "level", "id", "std", "program", "p", "name", "Std", "rank:i", "1", NULL);
    bu_op(e, INT64_MIN, "reward", "id", "pl", "level", "std", "name", "Per line", "trigger", "deal_won", "recipient",
       "partner", "kind", "percent", "per", "line", "rate", "10%", NULL);
    bu_op(e, INT64_MIN, "reward", "id", "mg", "level", "std", "name", "Margin", "trigger", "deal_won", "recipient",
       "partner", "kind", "percent", "base", "margin", "rate", "10%", NULL);
    if (grouped)
        bu_op(e, INT64_MIN, "reward", "id", "tier", "level", "std", "name", "Tier", "trigger", "deal_won", "recipient",
           "partner", "kind", "tiered", "per", "line", "period", "month", "tiers.0.from", "0", "tiers.0.rate", "5%",
           "tiers.1.from", "1000.00", "tiers.1.rate", "8%", NULL);
    bu_op(e, INT64_MIN, "partner", "id", "p0", "program", "p", "level", "std", "name", "P0", NULL);
    for (int pass = 0; pass <= REPEATS; pass++) {
        rewards_op *o;
        const char *kind = pass ? "amend" : "deal";
        st = rewards_op_new(e, &o, kind);
        if (!st)
            st = rewards_op_set_time(o, "at", t + pass);
        if (!st && !pass)
            st = rewards_op_set_string(o, "id", "big");
        if (!st && !pass)
            st = rewards_op_set_string(o, "partner", "p0");
        if (!st && !pass)
            st = rewards_op_set_string(o, "currency", "USD");
        if (!st && pass)
            st = rewards_op_set_string(o, "deal", "big");
        for (long i = 0; i < nlines && !st; i++) {
            char id[32];
            snprintf(id, sizeof id, "l%ld", i);
            st = set_line(o, i, "id", id);
            if (!st && !pass)
                st = set_line(o, i, "product", "p");
            if (!st) /* the middle line is the one amended */
                st = set_line(o, i, "amount", i == nlines / 2 && pass ? (pass % 2 ? "300.00" : "50.00") : "100.00");
            if (!st)
                st = set_line(o, i, "cost", "60.00");
        }
        if (st)
            bu_die("lines op", e, st);
        double t0 = bu_now_ns();
        st = rewards_engine_apply(e, o);
        double ns = bu_now_ns() - t0;
        /* the same amendment again changes nothing: what reading the restated lines costs */
        double ns_same = 0;
        if (!st && pass) {
            t0 = bu_now_ns();
            st = rewards_engine_apply(e, o);
            ns_same = bu_now_ns() - t0;
        }
        rewards_op_free(o);
        if (st)
            bu_die(kind, e, st);
        if (!pass) {
            bu_op(e, t, "stage", "deal", "big", "stage", "won", NULL);
            continue;
        }
        static double all[REPEATS], same[REPEATS], extra[REPEATS];
        all[pass - 1] = ns;
        same[pass - 1] = ns_same;
        extra[pass - 1] = ns - ns_same;
        if (pass == REPEATS) {
            qsort(all, REPEATS, sizeof all[0], cmp_double);
            qsort(same, REPEATS, sizeof same[0], cmp_double);
            qsort(extra, REPEATS, sizeof extra[0], cmp_double);
            char label[64];
            snprintf(label, sizeof label, "%ld lines, %s", nlines, grouped ? "+ per-line tier (1 group)" : "no group");
            printf("%-40s %9zu %8ld %11.1f %11.1f %11.1f\n", label, rewards_engine_entry_count(e),
                   grouped ? nlines + 2 : 2, all[REPEATS / 2] / 1e3, same[REPEATS / 2] / 1e3,
                   extra[REPEATS / 2] / 1e3);
        }
    }
    rewards_engine_free(e);
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
        double t = bu_now_ns();
        build(&b, cases[i].deals, cases[i].partners, cases[i].months);
        double built = bu_now_ns() - t;
        measure(cases[i].label, &b, built);
        rewards_engine_free(b.e);
    }
    printf("\none line of a deal amended (median of %d, alternating 300.00 / 50.00); times in microseconds\n",
           REPEATS);
    printf("(recomp: contributions recomputed; restate_us: the same amendment again, which changes nothing;\n"
           " recompute_us: the median of amend - restate, what the correction itself costs)\n");
    printf("%-40s %9s %8s %11s %11s %11s\n", "deal", "entries", "recomp", "amend_us", "restate_us",
           "recompute_us");
    long sizes[] = { 10, 100, 1000 };
    for (int grouped = 0; grouped <= 1; grouped++)
        for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++)
            measure_lines(sizes[i], grouped);
    return 0;
}
