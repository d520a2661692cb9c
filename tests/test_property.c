/*
 * test_property.c - a seeded property test of the correction invariant of
 * SPEC section 6: "at every moment, the net of a reward's entries for each
 * deal and beneficiary equals what the rules give on the current facts,
 * applied in trigger order", and "recorded entries are never changed in
 * amount; paid entries never change at all".
 *
 * 200 pseudo-random sequences (fixed seeds 1..200, so every run is the same)
 * of about 90 operations each, over two quarters: deals created for three
 * partners and their reps (sometimes no rep), won, amended, lost, cancelled
 * at random distances from their trigger (often exactly on or one second
 * past a clawback edge), portal access revoked and granted, approvals and
 * payout runs.  The plan has a graduated tier (quarter, clawback 30), a
 * retroactive tier for the rep (quarter, clawback 60), a revenue milestone
 * with two thresholds (quarter, clawback 45), a percent with cap_per_deal
 * for the rep with rep_policy partner (clawback 20), and a percent with
 * cap_per_period (month, clawback 15).
 *
 * After every operation the test recomputes, from the final facts alone and
 * with its own arithmetic (no library internals), what each (reward, deal)
 * should net, and compares it with the nets read through the public entry
 * accessors.  It also checks that earlier entries kept their amount, type,
 * recipient and time (and paid ones their status and run), that no zero
 * entry is recorded, that each operation creates only the entry types it
 * may (earned on a win; reversals on the cancelled deal, adjustments on
 * others), and that corrections come in trigger order, then reward order.
 *
 * Two tiers (SPEC.md section 13): P0 and P1 have the parent D (P2 has none),
 * which has two override rewards: "ovr" (3.5%, no 'of': every partner
 * reward) and "ovr2" (12.5% of the two rep rewards, auto-approved).  After
 * every operation, for every (override, deal, covered reward) the sum of
 * D's override entries equals round(rate x the child's net) (the child's
 * recipient is fixed per reward and deal here), each override entry comes
 * right after the child entry it mirrors (overrides in creation order),
 * with its type and time, paid to D and never held.
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

#define NSEEDS 200
#define NSTEPS 90
#define NPARTNERS 3
#define NUSERS (NPARTNERS * 2)
#define MAXDEALS 128
#define MAXENTRIES 4096
#define NREWARDS 5
#define NOVERRIDES 2
#define DAY INT64_C(86400)

/* ---- the plan, as the oracle knows it ------------------------------------ */

enum { K_GRAD, K_RETRO, K_MILE, K_PCAP, K_MCAP };

typedef struct rdef {
    const char *id;
    int to_rep;      /* beneficiary: the deal's rep (else the partner) */
    int policy_partner;
    int period;      /* 1 month, 2 quarter */
    int64_t claw_days;
} rdef;

static const rdef rdefs[NREWARDS] = {
    { "grad", 0, 0, 2, 30 },
    { "retro", 1, 0, 2, 60 },
    { "mile", 0, 0, 2, 45 },
    { "pcap", 1, 1, 0, 20 },
    { "mcap", 0, 0, 1, 15 },
};

/* Override rewards: rate in ppm, and which rewards each covers. */
typedef struct odef {
    const char *id;
    int64_t ppm;
    int covers[NREWARDS];
    int auto_approve;
} odef;

static const odef odefs[NOVERRIDES] = {
    { "ovr", 35000, { 1, 0, 1, 0, 1 }, 0 },
    { "ovr2", 125000, { 0, 1, 0, 1, 0 }, 1 },
};

static int has_parent(int partner)
{
    return partner < 2;
}

static void define_plan(rewards_engine *e)
{
    OK(eu_op(e, "program", "id", "p", "name", "P", "currency", "USD", NULL));
    OK(eu_op(e, "level", "id", "std", "program", "p", "name", "Std", "rank:i", "1", NULL));
    OK(eu_op(e, "level", "id", "dist", "program", "p", "name", "Distributor", "rank:i", "2", NULL));
    OK(eu_op(e, "partner", "id", "D", "program", "p", "level", "dist", "name", "D", NULL));
    OK(eu_op(e, "reward", "id", "grad", "level", "std", "name", "Graduated", "trigger", "deal_won", "recipient",
             "partner", "kind", "tiered", "clawback_days:i", "30", "auto_approve:b", "true", "period", "quarter",
             "tiers.0.from", "0", "tiers.0.rate", "5%", "tiers.1.from", "10000.00", "tiers.1.rate", "8%",
             "tiers.2.from", "50000.00", "tiers.2.rate", "12.5%", NULL));
    OK(eu_op(e, "reward", "id", "retro", "level", "std", "name", "Retroactive", "trigger", "deal_won", "recipient",
             "sales_rep", "kind", "tiered", "clawback_days:i", "60", "period", "quarter", "mode", "retroactive",
             "tiers.0.from", "0", "tiers.0.rate", "2%", "tiers.1.from", "20000.00", "tiers.1.rate", "3.3333%",
             "tiers.2.from", "40000.00", "tiers.2.rate", "4%", NULL));
    OK(eu_op(e, "reward", "id", "mile", "level", "std", "name", "Milestone", "trigger", "deal_won", "recipient",
             "partner", "kind", "milestone", "clawback_days:i", "45", "period", "quarter", "metric", "revenue",
             "thresholds.0.at", "25000.00", "thresholds.0.bonus", "500.00", "thresholds.1.at", "60000.00",
             "thresholds.1.bonus", "1500.00", NULL));
    OK(eu_op(e, "reward", "id", "pcap", "level", "std", "name", "Per deal cap", "trigger", "deal_won", "recipient",
             "sales_rep", "kind", "percent", "rep_policy", "partner", "clawback_days:i", "20", "rate", "7.5%",
             "cap_per_deal", "900.00", NULL));
    OK(eu_op(e, "reward", "id", "mcap", "level", "std", "name", "Monthly cap", "trigger", "deal_won", "recipient",
             "partner", "kind", "percent", "clawback_days:i", "15", "auto_approve:b", "true", "period", "month",
             "rate", "10%", "cap_per_period", "2500.00", NULL));
    OK(eu_op(e, "reward", "id", "ovr", "level", "dist", "name", "Override", "recipient", "partner", "kind", "override",
             "rate", "3.5%", NULL));
    OK(eu_op(e, "reward", "id", "ovr2", "program", "p", "name", "Rep override", "recipient", "partner", "kind",
             "override", "rate", "12.5%", "of.0", "retro", "of.1", "pcap", "auto_approve:b", "true", NULL));
    for (int p = 0; p < NPARTNERS; p++) {
        char id[16];
        snprintf(id, sizeof id, "P%d", p);
        OK(eu_op(e, "partner", "id", id, "program", "p", "level", "std", "name", id, has_parent(p) ? "parent" : NULL,
                 "D", NULL));
        for (int u = 0; u < 2; u++) {
            char uid[16];
            snprintf(uid, sizeof uid, "U%d", p * 2 + u);
            OK(eu_op(e, "user", "id", uid, "partner", id, "name", uid, "portal_access:b", "true", NULL));
        }
    }
}

/* ---- the oracle's own arithmetic ----------------------------------------- */

/* n / 10^6 rounded half-even, n >= 0 */
static int64_t round_ppm(int64_t n)
{
    int64_t q = n / 1000000, r = n % 1000000;
    if (2 * r > 1000000 || (2 * r == 1000000 && (q & 1)))
        q++;
    return q;
}

/* exact commission x 10^6 (cents x ppm) on a cumulative amount c in cents */
static int64_t grad_exact(int64_t c)
{
    static const int64_t from[] = { 0, 1000000, 5000000 }, ppm[] = { 50000, 80000, 125000 };
    int64_t sum = 0;
    for (int i = 0; i < 3 && c > from[i]; i++) {
        int64_t top = i < 2 && from[i + 1] < c ? from[i + 1] : c;
        sum += (top - from[i]) * ppm[i];
    }
    return sum;
}

static int64_t retro_exact(int64_t c)
{
    int64_t ppm = c >= 4000000 ? 40000 : c >= 2000000 ? 33333 : 20000;
    return c * ppm;
}

/* days since 1970-01-01 -> civil date (Howard Hinnant's algorithm) */
static void civil(int64_t t, int64_t *y, int *m)
{
    int64_t z = (t >= 0 ? t / DAY : (t - DAY + 1) / DAY) + 719468;
    int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    int64_t doe = z - era * 146097;
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int64_t mp = (5 * doy + 2) / 153;
    *m = (int)(mp < 10 ? mp + 3 : mp - 9);
    *y = yoe + era * 400 + (*m <= 2);
}

static int64_t period_key(int64_t t, int period)
{
    int64_t y;
    int m;
    civil(t, &y, &m);
    return period == 1 ? y * 100 + m : y * 10 + (m - 1) / 3;
}

/* ---- facts ----------------------------------------------------------------- */

enum { ST_REG, ST_WON, ST_LOST, ST_CANC };

typedef struct pdeal {
    int partner, user; /* user -1: no rep */
    int64_t amount;
    int state;
    int64_t won_at, cancel_at;
    int won_seq;
    int access_at_win;
} pdeal;

typedef struct snap {
    char type[12], reward[8], recipient[16], status[10], payout[16];
    int deal;
    int64_t amount, earned_at;
} snap;

typedef struct world {
    rewards_engine *e;
    uint64_t rng;
    int64_t now;
    int ndeals, nwins, nruns;
    pdeal deals[MAXDEALS];
    int access[NUSERS];
    size_t nsnaps;
    snap snaps[MAXENTRIES];
    int64_t expected[NREWARDS][MAXDEALS];
    long overrides; /* (override, reward, deal) with a non-zero mirror, summed over checks */
    char rec_expected[NREWARDS][MAXDEALS][16];
} world;

static uint64_t next(world *w)
{
    /* splitmix64 */
    uint64_t z = (w->rng += UINT64_C(0x9E3779B97F4A7C15));
    z = (z ^ (z >> 30)) * UINT64_C(0xBF58476D1CE4E5B9);
    z = (z ^ (z >> 27)) * UINT64_C(0x94D049BB133111EB);
    return z ^ (z >> 31);
}

static int64_t rnd(world *w, int64_t n)
{
    return (int64_t)(next(w) % (uint64_t)n);
}

/* For every (reward, deal): what a from-scratch evaluation of the final facts gives. */
static void oracle(world *w)
{
    memset(w->expected, 0, sizeof w->expected);
    int order[MAXDEALS], n = 0;
    for (int i = 0; i < w->ndeals; i++)
        if (w->deals[i].state == ST_WON || w->deals[i].state == ST_CANC)
            order[n++] = i;
    /* trigger order */
    for (int i = 1; i < n; i++)
        for (int j = i; j > 0 && w->deals[order[j]].won_seq < w->deals[order[j - 1]].won_seq; j--) {
            int t = order[j];
            order[j] = order[j - 1];
            order[j - 1] = t;
        }
    for (int r = 0; r < NREWARDS; r++) {
        const rdef *rd = &rdefs[r];
        /* groups: (period, partner, beneficiary) with their running metric and total */
        int64_t gkey[MAXDEALS], gmetric[MAXDEALS], gtotal[MAXDEALS];
        int ng = 0;
        for (int i = 0; i < n; i++) {
            int di = order[i];
            const pdeal *d = &w->deals[di];
            int ben = rd->to_rep ? d->user + 1 : 0;
            int64_t key = ((rd->period ? period_key(d->won_at, rd->period) : 0) * 16 + d->partner) * 16 + ben;
            int g = 0;
            while (g < ng && gkey[g] != key)
                g++;
            if (g == ng) {
                gkey[ng] = key;
                gmetric[ng] = gtotal[ng] = 0;
                ng++;
            }
            int voided = d->state == ST_CANC && d->cancel_at - d->won_at <= rd->claw_days * DAY;
            int64_t m = voided ? 0 : d->amount, before = gmetric[g], after = before + m, t = 0;
            if (!voided) {
                switch (r) {
                case K_GRAD: t = round_ppm(grad_exact(after)) - round_ppm(grad_exact(before)); break;
                case K_RETRO: t = round_ppm(retro_exact(after)) - round_ppm(retro_exact(before)); break;
                case K_MILE:
                    if (before < 2500000 && 2500000 <= after)
                        t += 50000;
                    if (before < 6000000 && 6000000 <= after)
                        t += 150000;
                    break;
                case K_PCAP:
                    t = round_ppm(m * 75000);
                    if (t > 90000)
                        t = 90000;
                    break;
                case K_MCAP: {
                    int64_t room = 250000 - gtotal[g];
                    t = round_ppm(m * 100000);
                    if (room < 0)
                        room = 0;
                    if (t > room)
                        t = room;
                    break;
                }
                }
            }
            gmetric[g] = after;
            gtotal[g] += t;
            w->expected[r][di] = t;
            /* who is paid: the partner, or the rep (held with no rep; rep_policy partner without access) */
            char *rec = w->rec_expected[r][di];
            if (!rd->to_rep || (rd->policy_partner && (d->user < 0 || !d->access_at_win)))
                snprintf(rec, 16, "P%d", d->partner);
            else if (d->user < 0)
                rec[0] = '\0';
            else
                snprintf(rec, 16, "U%d", d->user);
        }
    }
}

static int override_index(const char *id)
{
    for (int o = 0; o < NOVERRIDES; o++)
        if (!strcmp(odefs[o].id, id))
            return o;
    return -1;
}

static int reward_index(const char *id)
{
    for (int r = 0; r < NREWARDS; r++)
        if (!strcmp(rdefs[r].id, id))
            return r;
    fail_msg("unknown reward %s", id);
    return -1;
}

static void snap_of(const rewards_entry *en, snap *s)
{
    memset(s, 0, sizeof *s);
    snprintf(s->type, sizeof s->type, "%s", rewards_entry_type(en));
    snprintf(s->reward, sizeof s->reward, "%s", rewards_reward_id(rewards_entry_reward(en)));
    snprintf(s->recipient, sizeof s->recipient, "%s", rewards_entry_recipient(en));
    snprintf(s->status, sizeof s->status, "%s", rewards_entry_status(en));
    const rewards_payout *po = rewards_entry_payout(en);
    snprintf(s->payout, sizeof s->payout, "%s", po ? rewards_payout_id(po) : "");
    s->deal = atoi(rewards_deal_id(rewards_entry_deal(en)) + 1);
    s->amount = rewards_entry_amount(en);
    s->earned_at = rewards_entry_earned_at(en);
}

enum { OP_OTHER, OP_WIN, OP_AMEND, OP_CANCEL };

/* Everything the property says, after one operation of kind op on deal di. */
static void check(world *w, int seed, int step, int op, int di)
{
    rewards_engine *e = w->e;
    size_t count = rewards_engine_entry_count(e);
    assert_true(count <= MAXENTRIES);
    assert_true(count >= w->nsnaps);
    int64_t net[NREWARDS][MAXDEALS], mirrored[NOVERRIDES][NREWARDS][MAXDEALS];
    memset(net, 0, sizeof net);
    memset(mirrored, 0, sizeof mirrored);
    int prev_seq = -1, prev_r = -1;
    int last_r = -1, last_o = -1; /* the child reward, and the override, of the entries just before */
    snap last;
    memset(&last, 0, sizeof last);
    for (size_t i = 0; i < count; i++) {
        const rewards_entry *en = rewards_engine_entry(e, i);
        snap s;
        snap_of(en, &s);
        int o = override_index(s.reward);
        if (o >= 0) {
            /* right after the child entry it mirrors (or an earlier override's mirror of it) */
            if (last_r < 0 || !odefs[o].covers[last_r] || o <= last_o || last.deal != s.deal || strcmp(last.type, s.type) ||
                last.earned_at != s.earned_at || !has_parent(w->deals[s.deal].partner))
                fail_msg("seed %d step %d: override entry %zu does not follow a covered child entry", seed, step, i + 1);
            if (strcmp(s.recipient, "D") || strcmp(rewards_partner_id(rewards_entry_partner(en)), "D") ||
                !strcmp(s.status, "held") || strcmp(rewards_entry_period(en), "") || s.amount == 0)
                fail_msg("seed %d step %d: override entry %zu is not D's, or held, or zero", seed, step, i + 1);
            if (i >= w->nsnaps && strcmp(s.status, odefs[o].auto_approve ? "approved" : "pending"))
                fail_msg("seed %d step %d: new override entry %zu is %s", seed, step, i + 1, s.status);
            mirrored[o][last_r][s.deal] += s.amount;
            last_o = o;
            if (i < w->nsnaps && (w->snaps[i].amount != s.amount || strcmp(w->snaps[i].reward, s.reward)))
                fail_msg("seed %d step %d: override entry %zu changed", seed, step, i + 1);
            continue;
        }
        int r = reward_index(s.reward);
        last_r = r;
        last_o = -1;
        last = s;
        if (s.amount == 0)
            fail_msg("seed %d step %d: entry %zu records zero", seed, step, i + 1);
        if (strcmp(s.recipient, w->rec_expected[r][s.deal]))
            fail_msg("seed %d step %d: entry %zu paid to '%s', expected '%s'", seed, step, i + 1, s.recipient,
                     w->rec_expected[r][s.deal]);
        net[r][s.deal] += s.amount;
        if (i < w->nsnaps) {
            /* recorded entries never change in amount; paid ones never change at all */
            const snap *o = &w->snaps[i];
            if (o->amount != s.amount || strcmp(o->type, s.type) || strcmp(o->reward, s.reward) ||
                o->deal != s.deal || o->earned_at != s.earned_at || strcmp(o->recipient, s.recipient))
                fail_msg("seed %d step %d: entry %zu changed", seed, step, i + 1);
            if (!strcmp(o->status, "paid") && (strcmp(s.status, "paid") || strcmp(o->payout, s.payout)))
                fail_msg("seed %d step %d: paid entry %zu changed", seed, step, i + 1);
            continue;
        }
        /* a new entry: the kinds an operation may create, in the order it must create them */
        const char *want = op == OP_WIN ? "earned" : op == OP_AMEND ? "adjustment"
                           : op == OP_CANCEL ? (s.deal == di ? "reversal" : "adjustment")
                                             : "";
        if (strcmp(s.type, want))
            fail_msg("seed %d step %d: op %d created a '%s' entry %zu on deal d%d", seed, step, op, s.type, i + 1,
                     s.deal);
        if (op == OP_WIN && s.deal != di)
            fail_msg("seed %d step %d: winning d%d earned on d%d", seed, step, di, s.deal);
        if (s.earned_at != w->now)
            fail_msg("seed %d step %d: entry %zu earned at %lld, not now", seed, step, i + 1, (long long)s.earned_at);
        int seq = w->deals[s.deal].won_seq;
        if (seq < prev_seq || (seq == prev_seq && r < prev_r))
            fail_msg("seed %d step %d: entry %zu out of trigger/reward order", seed, step, i + 1);
        prev_seq = seq;
        prev_r = r;
    }
    for (int r = 0; r < NREWARDS; r++)
        for (int d = 0; d < w->ndeals; d++)
            if (net[r][d] != w->expected[r][d])
                fail_msg("seed %d step %d: %s on d%d nets %lld, expected %lld", seed, step, rdefs[r].id, d,
                         (long long)net[r][d], (long long)w->expected[r][d]);
    /* the parent's total per (override, deal, covered reward) is round(rate x the child's net) */
    for (int o = 0; o < NOVERRIDES; o++)
        for (int r = 0; r < NREWARDS; r++)
            for (int d = 0; d < w->ndeals; d++) {
                int64_t want = odefs[o].covers[r] && has_parent(w->deals[d].partner) ? round_ppm(net[r][d] * odefs[o].ppm)
                                                                                      : 0;
                if (mirrored[o][r][d] != want)
                    fail_msg("seed %d step %d: %s of %s on d%d mirrors %lld, expected %lld", seed, step, odefs[o].id,
                             rdefs[r].id, d, (long long)mirrored[o][r][d], (long long)want);
                w->overrides += mirrored[o][r][d] != 0;
            }
    for (size_t i = 0; i < count; i++)
        snap_of(rewards_engine_entry(e, i), &w->snaps[i]);
    w->nsnaps = count;
}

/* ---- operations -------------------------------------------------------------- */

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
    static const int64_t special[] = { 0, 1, 1000000, 2000000, 2500000, 4000000, 999999, 2500001 };
    if (rnd(w, 5) == 0)
        return special[rnd(w, (int64_t)(sizeof special / sizeof special[0]))];
    return rnd(w, 2500001);
}

static int pick(world *w, int state)
{
    int cand[MAXDEALS], n = 0;
    for (int i = 0; i < w->ndeals; i++)
        if (w->deals[i].state == state || (state == -1 && w->deals[i].state != ST_LOST && w->deals[i].state != ST_CANC))
            cand[n++] = i;
    return n ? cand[rnd(w, n)] : -1;
}

static void op_create(world *w)
{
    if (w->ndeals >= MAXDEALS)
        return;
    int di = w->ndeals;
    pdeal *d = &w->deals[di];
    d->partner = (int)rnd(w, NPARTNERS);
    d->user = -1;
    if (rnd(w, 3)) {
        int u = d->partner * 2 + (int)rnd(w, 2);
        if (w->access[u])
            d->user = u;
    }
    d->amount = random_amount(w);
    d->state = ST_REG;
    char id[16], partner[16], user[16], amount[32];
    snprintf(id, sizeof id, "d%d", di);
    snprintf(partner, sizeof partner, "P%d", d->partner);
    snprintf(user, sizeof user, "U%d", d->user);
    cents(d->amount, amount, sizeof amount);
    OK(eu_op(w->e, "deal", "at", at(w), "id", id, "partner", partner, "currency", "USD", "amount", amount,
             d->user >= 0 ? "user" : NULL, user, NULL));
    w->ndeals++;
}

static void op_stage(world *w, int di, const char *stage)
{
    char id[16];
    snprintf(id, sizeof id, "d%d", di);
    OK(eu_op(w->e, "stage", "at", at(w), "deal", id, "stage", stage, NULL));
}

static int op_win(world *w)
{
    int di = pick(w, ST_REG);
    if (di < 0)
        return -1;
    op_stage(w, di, "won");
    pdeal *d = &w->deals[di];
    d->state = ST_WON;
    d->won_at = w->now;
    d->won_seq = w->nwins++;
    d->access_at_win = d->user >= 0 && w->access[d->user];
    return di;
}

static int op_amend(world *w)
{
    int di = pick(w, -1);
    if (di < 0)
        return -1;
    char id[16], amount[32];
    int64_t a = random_amount(w);
    snprintf(id, sizeof id, "d%d", di);
    cents(a, amount, sizeof amount);
    OK(eu_op(w->e, "amend", "at", at(w), "deal", id, "amount", amount, NULL));
    w->deals[di].amount = a;
    return di;
}

static int op_cancel(world *w)
{
    /* often jump to exactly a clawback edge of a won deal, or one second past it */
    static const int64_t edges[] = { 15, 20, 30, 45, 60 };
    int cand[MAXDEALS * 10], n = 0;
    int64_t when[MAXDEALS * 10];
    for (int i = 0; i < w->ndeals; i++) {
        if (w->deals[i].state != ST_WON)
            continue;
        for (int k = 0; k < 5; k++)
            for (int off = 0; off < 2; off++) {
                int64_t t = w->deals[i].won_at + edges[k] * DAY + off;
                if (t >= w->now && t <= w->now + 12 * DAY) {
                    cand[n] = i;
                    when[n++] = t;
                }
            }
    }
    int di;
    if (n && rnd(w, 10) < 6) {
        int c = (int)rnd(w, n);
        di = cand[c];
        w->now = when[c];
    } else if ((di = pick(w, ST_WON)) < 0) {
        return -1;
    }
    op_stage(w, di, "cancelled");
    w->deals[di].state = ST_CANC;
    w->deals[di].cancel_at = w->now;
    return di;
}

/* What the sequences reached, so that the test proves it exercised the corrections. */
typedef struct stats {
    long entries, adjustments, reversals, paid, held, edge_cancels, past_edge_cancels, mixed_cancels;
    long override_entries, override_corrections, override_checks;
} stats;

static void run_sequence(int seed, stats *st)
{
    world *w = calloc(1, sizeof *w);
    assert_non_null(w);
    w->rng = (uint64_t)seed * UINT64_C(0x2545F4914F6CDD1D);
    OK(rewards_engine_new(&w->e, NULL));
    define_plan(w->e);
    for (int u = 0; u < NUSERS; u++)
        w->access[u] = 1;
    OK(rewards_time_parse("2026-01-01", &w->now));
    for (int step = 0; step < NSTEPS; step++) {
        int64_t t = w->now + rnd(w, 4 * DAY);
        if (rnd(w, 4) == 0 && t - t % DAY >= w->now)
            t -= t % DAY; /* midnight, the time of most real events (never back in time) */
        w->now = t;
        int64_t roll = rnd(w, 100);
        int op = OP_OTHER, di = -1;
        if (roll < 30) {
            op_create(w);
        } else if (roll < 60) {
            op = OP_WIN;
            di = op_win(w);
        } else if (roll < 75) {
            op = OP_AMEND;
            di = op_amend(w);
        } else if (roll < 88) {
            op = OP_CANCEL;
            di = op_cancel(w);
            if (di >= 0) {
                int64_t dist = w->now - w->deals[di].won_at, in = 0;
                for (int r = 0; r < NREWARDS; r++) {
                    st->edge_cancels += dist == rdefs[r].claw_days * DAY;
                    st->past_edge_cancels += dist == rdefs[r].claw_days * DAY + 1;
                    in += dist <= rdefs[r].claw_days * DAY;
                }
                st->mixed_cancels += in > 0 && in < NREWARDS;
            }
        } else if (roll < 91) {
            int l = pick(w, ST_REG);
            if (l >= 0) {
                op_stage(w, l, "lost");
                w->deals[l].state = ST_LOST;
            }
        } else if (roll < 95) {
            int u = (int)rnd(w, NUSERS);
            char uid[16];
            snprintf(uid, sizeof uid, "U%d", u);
            w->access[u] = !w->access[u];
            OK(eu_op(w->e, "user_access", "at", at(w), "user", uid, "portal_access:b",
                     w->access[u] ? "true" : "false", NULL));
        } else if (roll < 97) {
            OK(eu_op(w->e, "approve", "at", at(w), "until", at(w), NULL));
        } else {
            char id[16];
            snprintf(id, sizeof id, "run%d", w->nruns++);
            OK(eu_op(w->e, "payout", "at", at(w), "id", id, "until", at(w), NULL));
        }
        oracle(w);
        check(w, seed, step, di < 0 ? OP_OTHER : op, di);
    }
    for (size_t i = 0; i < w->nsnaps; i++) {
        const snap *s = &w->snaps[i];
        st->entries++;
        st->adjustments += !strcmp(s->type, "adjustment");
        st->reversals += !strcmp(s->type, "reversal");
        st->paid += !strcmp(s->status, "paid");
        st->held += !strcmp(s->status, "held");
        if (override_index(s->reward) >= 0) {
            st->override_entries++;
            st->override_corrections += strcmp(s->type, "earned") != 0;
        }
    }
    st->override_checks += w->overrides;
    rewards_engine_free(w->e);
    free(w);
}

static void test_invariant_holds_on_random_sequences(void **state)
{
    (void)state;
    stats st = { 0 };
    for (int seed = 1; seed <= NSEEDS; seed++)
        run_sequence(seed, &st);
    print_message("%d sequences of %d operations: %ld entries, %ld adjustments, %ld reversals, %ld paid, %ld held;"
                  " cancellations exactly on a clawback edge %ld, one second past %ld, inside some windows only %ld\n",
                  NSEEDS, NSTEPS, st.entries, st.adjustments, st.reversals, st.paid, st.held, st.edge_cancels,
                  st.past_edge_cancels, st.mixed_cancels);
    /* the generator must reach what the property is about, or passing proves little */
    assert_true(st.adjustments >= 500);
    assert_true(st.reversals >= 200);
    assert_true(st.paid >= 100);
    assert_true(st.held >= 20);
    assert_true(st.edge_cancels >= 50);
    assert_true(st.past_edge_cancels >= 50);
    assert_true(st.mixed_cancels >= 50);
    print_message("override entries %ld (corrections %ld); non-zero (override, reward, deal) totals checked %ld\n",
                  st.override_entries, st.override_corrections, st.override_checks);
    assert_true(st.override_entries >= 500);
    assert_true(st.override_corrections >= 200);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_invariant_holds_on_random_sequences),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
