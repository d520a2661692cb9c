/*
 * test_property_lines.c - the correction invariant of SPEC section 6 with
 * the deal lines, margins and exclusive groups of section 13: "the net per
 * (reward, deal, line, beneficiary) equals the rules on the current facts".
 *
 * 150 seeded pseudo-random sequences (the same every run) of about 80
 * operations over two quarters: deals of 0 (an amount) to 4 lines for three
 * partners, won, amended (lines restated with new amounts, costs and units,
 * sometimes unchanged; line-less deals by amount), lost, cancelled at random
 * distances from their trigger.  The plan:
 *
 *   lgrad  per line, graduated quarterly tier, product "a" only, exclusive
 *          group "x" priority 5, clawback 30
 *   lpct   per line, 10%, cap_per_deal 300.00 shared by a trigger's lines,
 *          exclusive group "x" priority 0 (so it takes the lines lgrad does
 *          not), clawback 20
 *   lmile  per line, milestone on units (20, 50) a quarter, clawback 60
 *   mrg    per deal, 10% of the margin (never below 0), clawback 45
 *   dfix   per deal, fixed 25.00 when deal.attr.big, exclusive "y" priority 1
 *   dpct   per deal, 1%, exclusive "y" priority 0 (wins when dfix's
 *          condition fails), clawback 10
 *
 * After every operation an oracle with its own arithmetic evaluates the
 * final facts from scratch, and the nets read through the public accessors
 * (rewards_entry_line for the line) must equal it for every (reward, deal,
 * line); recorded entries never change in amount and no zero is recorded.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "rewards.h"
#include "engineutil.h"

#define OK(x) assert_int_equal((x), REWARDS_OK)

#define NSEEDS 150
#define NSTEPS 80
#define NPARTNERS 3
#define MAXDEALS 96
#define MAXLINES 4
#define MAXENTRIES 8192
#define DAY INT64_C(86400)

enum { R_LGRAD, R_LPCT, R_LMILE, R_MRG, R_DFIX, R_DPCT, NREWARDS };
static const char *const rids[NREWARDS] = { "lgrad", "lpct", "lmile", "mrg", "dfix", "dpct" };
static const int64_t claw[NREWARDS] = { 30, 20, 60, 45, 0, 10 };

static void define_plan(rewards_engine *e)
{
#define WON(id) "reward", "id", id, "level", "std", "name", id, "trigger", "deal_won", "recipient", "partner"
    OK(eu_op(e, "program", "id", "p", "name", "P", "currency", "USD", NULL));
    OK(eu_op(e, "level", "id", "std", "program", "p", "name", "Std", "rank:i", "1", NULL));
    OK(eu_op(e, WON("lgrad"), "kind", "tiered", "per", "line", "exclusive", "x", "priority:i", "5", "clawback_days:i",
             "30", "period", "quarter", "tiers.0.from", "0", "tiers.0.rate", "3%", "tiers.1.from", "5000.00",
             "tiers.1.rate", "6%", "when", "line.product == \"a\"", NULL));
    OK(eu_op(e, WON("lpct"), "kind", "percent", "per", "line", "exclusive", "x", "clawback_days:i", "20", "rate",
             "10%", "cap_per_deal", "300.00", NULL));
    OK(eu_op(e, WON("lmile"), "kind", "milestone", "per", "line", "clawback_days:i", "60", "period", "quarter",
             "metric", "units", "thresholds.0.at", "20", "thresholds.0.bonus", "100.00", "thresholds.1.at", "50",
             "thresholds.1.bonus", "300.00", NULL));
    OK(eu_op(e, WON("mrg"), "kind", "percent", "base", "margin", "clawback_days:i", "45", "rate", "10%", NULL));
    OK(eu_op(e, WON("dfix"), "kind", "fixed", "exclusive", "y", "priority:i", "1", "amount", "25.00", "when",
             "deal.attr.big == true", NULL));
    OK(eu_op(e, WON("dpct"), "kind", "percent", "exclusive", "y", "clawback_days:i", "10", "rate", "1%", NULL));
    for (int p = 0; p < NPARTNERS; p++) {
        char id[16];
        snprintf(id, sizeof id, "P%d", p);
        OK(eu_op(e, "partner", "id", id, "program", "p", "level", "std", "name", id, NULL));
    }
}

/* ---- the oracle's arithmetic ------------------------------------------------ */

/* n / 10^6 rounded half-even, n >= 0 (the program's default rounding) */
static int64_t round_ppm(int64_t n)
{
    int64_t q = n / 1000000, r = n % 1000000;
    if (2 * r > 1000000 || (2 * r == 1000000 && (q & 1)))
        q++;
    return q;
}

static int64_t grad_exact(int64_t c)
{
    return c <= 500000 ? c * 30000 : INT64_C(500000) * 30000 + (c - 500000) * 60000;
}

static void civil(int64_t t, int64_t *y, int *m)
{
    int64_t z = t / DAY + 719468;
    int64_t era = z / 146097, doe = z - era * 146097;
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100), mp = (5 * doy + 2) / 153;
    *m = (int)(mp < 10 ? mp + 3 : mp - 9);
    *y = yoe + era * 400 + (*m <= 2);
}

static int64_t quarter_of(int64_t t)
{
    int64_t y;
    int m;
    civil(t, &y, &m);
    return y * 10 + (m - 1) / 3;
}

/* ---- facts -------------------------------------------------------------------- */

enum { ST_REG, ST_WON, ST_LOST, ST_CANC };

typedef struct pline {
    int product; /* 0 "a", 1 "b", 2 "" */
    int64_t amount, cost, units;
} pline;

typedef struct pdeal {
    int partner, big, nlines; /* nlines 0: a deal given by amount (one line "", cost 0) */
    pline lines[MAXLINES];
    int64_t amount, units;    /* a line-less deal's */
    int state, won_seq;
    int64_t won_at, cancel_at;
} pdeal;

typedef struct world {
    rewards_engine *e;
    uint64_t rng;
    int64_t now;
    int ndeals, nwins;
    pdeal deals[MAXDEALS];
    size_t nsnaps;
    int64_t snaps[MAXENTRIES];
    int64_t expected[NREWARDS][MAXDEALS][MAXLINES];
} world;

static uint64_t next(world *w)
{
    uint64_t z = (w->rng += UINT64_C(0x9E3779B97F4A7C15));
    z = (z ^ (z >> 30)) * UINT64_C(0xBF58476D1CE4E5B9);
    z = (z ^ (z >> 27)) * UINT64_C(0x94D049BB133111EB);
    return z ^ (z >> 31);
}

static int64_t rnd(world *w, int64_t n)
{
    return (int64_t)(next(w) % (uint64_t)n);
}

/* The deal's lines as a line-less deal shows them: one line "", cost 0. */
static int view(const pdeal *d, pline *out)
{
    if (d->nlines) {
        memcpy(out, d->lines, sizeof d->lines);
        return d->nlines;
    }
    out[0].product = 2;
    out[0].amount = d->amount;
    out[0].cost = 0;
    out[0].units = d->units;
    return 1;
}

static void oracle(world *w)
{
    memset(w->expected, 0, sizeof w->expected);
    int order[MAXDEALS], n = 0;
    for (int i = 0; i < w->ndeals; i++)
        if (w->deals[i].state == ST_WON || w->deals[i].state == ST_CANC)
            order[n++] = i;
    for (int i = 1; i < n; i++)
        for (int j = i; j > 0 && w->deals[order[j]].won_seq < w->deals[order[j - 1]].won_seq; j--) {
            int t = order[j];
            order[j] = order[j - 1];
            order[j - 1] = t;
        }
    /* running metrics of the period groups (quarter, partner) of lgrad and lmile */
    int64_t gkey[2][MAXDEALS * MAXLINES], gm[2][MAXDEALS * MAXLINES];
    int ng[2] = { 0, 0 };
    for (int i = 0; i < n; i++) {
        int di = order[i];
        const pdeal *d = &w->deals[di];
        pline l[MAXLINES];
        int nl = view(d, l);
        int voided[NREWARDS];
        for (int r = 0; r < NREWARDS; r++)
            voided[r] = d->state == ST_CANC && claw[r] > 0 && d->cancel_at - d->won_at <= claw[r] * DAY;
        int64_t key = quarter_of(d->won_at) * 16 + d->partner, used = 0;
        for (int k = 0; k < nl; k++) {
            /* exclusive "x": lgrad (priority 5) takes product "a", lpct the others */
            int rr = l[k].product == 0 ? R_LGRAD : R_LPCT;
            if (rr == R_LPCT) {
                int64_t t = voided[rr] ? 0 : round_ppm(l[k].amount * 100000);
                if (t > 30000 - used)
                    t = 30000 - used;
                used += t;
                w->expected[rr][di][k] = t;
            }
            for (int g = 0; g < 2; g++) {
                int r = g ? R_LMILE : R_LGRAD;
                if (r == R_LGRAD && rr != R_LGRAD)
                    continue;
                int x = 0;
                while (x < ng[g] && gkey[g][x] != key)
                    x++;
                if (x == ng[g]) {
                    gkey[g][x] = key;
                    gm[g][x] = 0;
                    ng[g]++;
                }
                int64_t before = gm[g][x], after = before + (voided[r] ? 0 : g ? l[k].units : l[k].amount), t = 0;
                if (!voided[r]) {
                    if (g == 0) {
                        t = round_ppm(grad_exact(after)) - round_ppm(grad_exact(before));
                    } else {
                        t += before < 20 && 20 <= after ? 10000 : 0;
                        t += before < 50 && 50 <= after ? 30000 : 0;
                    }
                }
                gm[g][x] = after;
                w->expected[r][di][k] = t;
            }
        }
        int64_t amount = 0, cost = 0;
        for (int k = 0; k < nl; k++) {
            amount += l[k].amount;
            cost += l[k].cost;
        }
        w->expected[R_MRG][di][0] = voided[R_MRG] || amount <= cost ? 0 : round_ppm((amount - cost) * 100000);
        if (d->big)
            w->expected[R_DFIX][di][0] = voided[R_DFIX] ? 0 : 2500;
        else
            w->expected[R_DPCT][di][0] = voided[R_DPCT] ? 0 : round_ppm(amount * 10000);
    }
}

static int reward_index(const char *id)
{
    for (int r = 0; r < NREWARDS; r++)
        if (!strcmp(rids[r], id))
            return r;
    fail_msg("unknown reward %s", id);
    return -1;
}

static void check(world *w, int seed, int step)
{
    rewards_engine *e = w->e;
    size_t count = rewards_engine_entry_count(e);
    assert_true(count <= MAXENTRIES);
    static int64_t net[NREWARDS][MAXDEALS][MAXLINES];
    memset(net, 0, sizeof net);
    for (size_t i = 0; i < count; i++) {
        const rewards_entry *en = rewards_engine_entry(e, i);
        int r = reward_index(rewards_reward_id(rewards_entry_reward(en)));
        int di = atoi(rewards_deal_id(rewards_entry_deal(en)) + 1);
        const char *line = rewards_entry_line(en);
        int per_line = r <= R_LMILE;
        if (per_line != (line != NULL))
            fail_msg("seed %d step %d: entry %zu of %s has line %s", seed, step, i + 1, rids[r], line ? line : "NULL");
        int k = line && *line ? atoi(line + 1) : 0;
        if (line && !*line && w->deals[di].nlines)
            fail_msg("seed %d step %d: entry %zu has line \"\" on a deal with lines", seed, step, i + 1);
        int64_t amount = rewards_entry_amount(en);
        if (!amount)
            fail_msg("seed %d step %d: entry %zu records zero", seed, step, i + 1);
        if (i < w->nsnaps && w->snaps[i] != amount)
            fail_msg("seed %d step %d: entry %zu changed", seed, step, i + 1);
        net[r][di][k] += amount;
    }
    for (int r = 0; r < NREWARDS; r++)
        for (int d = 0; d < w->ndeals; d++)
            for (int k = 0; k < MAXLINES; k++)
                if (net[r][d][k] != w->expected[r][d][k])
                    fail_msg("seed %d step %d: %s on d%d line %d nets %lld, expected %lld", seed, step, rids[r], d, k,
                             (long long)net[r][d][k], (long long)w->expected[r][d][k]);
    for (size_t i = 0; i < count; i++)
        w->snaps[i] = rewards_entry_amount(rewards_engine_entry(e, i));
    w->nsnaps = count;
}

/* ---- operations ------------------------------------------------------------------ */

static const char *at(world *w)
{
    static char buf[32];
    OK(rewards_time_format(w->now, buf, sizeof buf));
    return buf;
}

static void cents(int64_t c, char *buf, size_t size)
{
    snprintf(buf, size, "%lld.%02lld", (long long)(c / 100), (long long)(c % 100));
}

static int64_t random_amount(world *w)
{
    static const int64_t special[] = { 0, 1, 5, 500000, 499999, 300000, 299999, 300001 };
    if (rnd(w, 5) == 0)
        return special[rnd(w, (int64_t)(sizeof special / sizeof special[0]))];
    return rnd(w, 400001);
}

static void random_line(world *w, pline *l)
{
    l->amount = random_amount(w);
    /* costs around the amount: negative margins are common */
    l->cost = rnd(w, 4) ? rnd(w, l->amount + l->amount / 2 + 2) : 0;
    l->units = rnd(w, 4) ? rnd(w, 31) : 0;
}

/* Set the lines of op from d (with product when creating). */
static void set_lines(rewards_op *op, const pdeal *d, int with_product, const int *order)
{
    static const char *const products[] = { "a", "b", "" };
    for (int i = 0; i < d->nlines; i++) {
        const pline *l = &d->lines[order[i]];
        char path[64], v[40];
        snprintf(path, sizeof path, "lines.%d.id", i);
        snprintf(v, sizeof v, "L%d", order[i]);
        OK(rewards_op_set_string(op, path, v));
        if (with_product) {
            snprintf(path, sizeof path, "lines.%d.product", i);
            OK(rewards_op_set_string(op, path, products[l->product]));
        }
        snprintf(path, sizeof path, "lines.%d.amount", i);
        cents(l->amount, v, sizeof v);
        OK(rewards_op_set_string(op, path, v));
        if (l->cost || with_product) { /* an omitted cost is 0 */
            snprintf(path, sizeof path, "lines.%d.cost", i);
            cents(l->cost, v, sizeof v);
            OK(rewards_op_set_string(op, path, v));
        }
        if (l->units) {
            snprintf(path, sizeof path, "lines.%d.units", i);
            OK(rewards_op_set_int(op, path, l->units));
        }
    }
}

static void apply(world *w, rewards_op *op)
{
    rewards_status st = rewards_engine_apply(w->e, op);
    if (st)
        fail_msg("%s: %s", rewards_status_name(st), rewards_engine_errmsg(w->e));
    rewards_op_free(op);
}

static void op_create(world *w)
{
    if (w->ndeals >= MAXDEALS)
        return;
    int di = w->ndeals++;
    pdeal *d = &w->deals[di];
    d->partner = (int)rnd(w, NPARTNERS);
    d->big = rnd(w, 3) == 0;
    d->nlines = (int)rnd(w, MAXLINES + 1);
    d->state = ST_REG;
    rewards_op *op;
    char id[16], partner[16], v[40];
    snprintf(id, sizeof id, "d%d", di);
    snprintf(partner, sizeof partner, "P%d", d->partner);
    OK(rewards_op_new(w->e, &op, "deal"));
    OK(rewards_op_set_string(op, "at", at(w)));
    OK(rewards_op_set_string(op, "id", id));
    OK(rewards_op_set_string(op, "partner", partner));
    OK(rewards_op_set_string(op, "currency", "USD"));
    OK(rewards_op_set_bool(op, "attrs.big", d->big));
    if (d->nlines) {
        int order[MAXLINES] = { 0, 1, 2, 3 };
        for (int i = 0; i < d->nlines; i++) {
            d->lines[i].product = (int)rnd(w, 3);
            random_line(w, &d->lines[i]);
        }
        set_lines(op, d, 1, order);
    } else {
        d->amount = random_amount(w);
        d->units = rnd(w, 31);
        cents(d->amount, v, sizeof v);
        OK(rewards_op_set_string(op, "amount", v));
        OK(rewards_op_set_int(op, "units", d->units));
    }
    apply(w, op);
}

static int pick(world *w, int won_or_reg)
{
    int cand[MAXDEALS], n = 0;
    for (int i = 0; i < w->ndeals; i++)
        if (won_or_reg ? w->deals[i].state == ST_WON || w->deals[i].state == ST_REG : w->deals[i].state == ST_REG)
            cand[n++] = i;
    return n ? cand[rnd(w, n)] : -1;
}

static void op_stage(world *w, int di, const char *stage)
{
    char id[16];
    snprintf(id, sizeof id, "d%d", di);
    OK(eu_op(w->e, "stage", "at", at(w), "deal", id, "stage", stage, NULL));
}

static void op_amend(world *w)
{
    int di = pick(w, 1);
    if (di < 0)
        return;
    pdeal *d = &w->deals[di];
    rewards_op *op;
    char id[16], v[40];
    snprintf(id, sizeof id, "d%d", di);
    OK(rewards_op_new(w->e, &op, "amend"));
    OK(rewards_op_set_string(op, "at", at(w)));
    OK(rewards_op_set_string(op, "deal", id));
    if (d->nlines) {
        /* change one line, some lines or none; restate all, in a shuffled order */
        int order[MAXLINES] = { 0, 1, 2, 3 };
        for (int i = d->nlines; i > 1; i--) {
            int j = (int)rnd(w, i), t = order[i - 1];
            order[i - 1] = order[j];
            order[j] = t;
        }
        for (int i = 0; i < d->nlines; i++)
            if (rnd(w, 3) == 0)
                random_line(w, &d->lines[i]);
        set_lines(op, d, 0, order);
    } else {
        d->amount = random_amount(w);
        cents(d->amount, v, sizeof v);
        OK(rewards_op_set_string(op, "amount", v));
    }
    apply(w, op);
}

typedef struct stats {
    long entries, adjustments, reversals, amends;
} stats;

static void run_sequence(int seed, stats *st)
{
    world *w = calloc(1, sizeof *w);
    assert_non_null(w);
    w->rng = (uint64_t)seed * UINT64_C(0x9E3779B97F4A7C15);
    OK(rewards_engine_new(&w->e, NULL));
    define_plan(w->e);
    OK(rewards_time_parse("2026-01-01", &w->now));
    for (int step = 0; step < NSTEPS; step++) {
        w->now += rnd(w, 3 * DAY);
        int64_t roll = rnd(w, 100);
        if (roll < 30) {
            op_create(w);
        } else if (roll < 60) {
            int di = pick(w, 0);
            if (di >= 0) {
                op_stage(w, di, "won");
                w->deals[di].state = ST_WON;
                w->deals[di].won_at = w->now;
                w->deals[di].won_seq = w->nwins++;
            }
        } else if (roll < 85) {
            op_amend(w);
            st->amends++;
        } else if (roll < 97) {
            int cand[MAXDEALS], n = 0;
            for (int i = 0; i < w->ndeals; i++)
                if (w->deals[i].state == ST_WON)
                    cand[n++] = i;
            if (n) {
                int di = cand[rnd(w, n)];
                op_stage(w, di, "cancelled");
                w->deals[di].state = ST_CANC;
                w->deals[di].cancel_at = w->now;
            }
        } else {
            int di = pick(w, 0);
            if (di >= 0) {
                op_stage(w, di, "lost");
                w->deals[di].state = ST_LOST;
            }
        }
        oracle(w);
        check(w, seed, step);
    }
    for (size_t i = 0; i < w->nsnaps; i++) {
        const char *type = rewards_entry_type(rewards_engine_entry(w->e, i));
        st->entries++;
        st->adjustments += !strcmp(type, "adjustment");
        st->reversals += !strcmp(type, "reversal");
    }
    rewards_engine_free(w->e);
    free(w);
}

static void test_lines_invariant_on_random_sequences(void **state)
{
    (void)state;
    stats st = { 0 };
    for (int seed = 1; seed <= NSEEDS; seed++)
        run_sequence(seed, &st);
    print_message("%d sequences of %d operations: %ld entries, %ld adjustments, %ld reversals, %ld amendments\n",
                  NSEEDS, NSTEPS, st.entries, st.adjustments, st.reversals, st.amends);
    assert_true(st.adjustments >= 500);
    assert_true(st.reversals >= 200);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_lines_invariant_on_random_sequences),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
