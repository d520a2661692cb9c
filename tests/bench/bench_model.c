/*
 * bench_model.c - bench_engine's workload as events, the program's
 * arithmetic, and the bare C loop that is the lower bound librewards is
 * measured against.
 *
 * The bare loop computes the same amounts as the engine for the same events
 * with plain arrays: running sums per group (reward, period, partner, rep)
 * and per deal what its won trigger earned, and it counts and totals every
 * non-zero amount the engine would record as an entry.  It keeps no entries,
 * no history and checks nothing, and it relies on what this workload
 * guarantees: a deal's operations all fall inside its own 60-second slot, so
 * an amended or cancelled deal is always the last member of its groups (the
 * engine recomputes the later members too; here there are none).
 */
#include "bench_model.h"

#include <stdlib.h>
#include <string.h>

/* ---- the events ---------------------------------------------------------- */

static uint64_t rng;

void bm_reset(void)
{
    rng = 0x9E3779B97F4A7C15u;
}

static uint64_t next(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return rng;
}

size_t bm_deal_events(long i, int64_t t, bm_event *out)
{
    uint64_t r = next();
    bm_event ev = { BM_DEAL, i, (int)(r % BM_PARTNERS), (int)((r >> 10) % BM_REPS), (r >> 40) % 3 == 0, t, 0 };
    int64_t cents = 100000 + (int64_t)((r >> 20) % 4000000); /* 1,000.00 .. 40,999.99 */
    size_t n = 0;
    ev.amount = cents;
    out[n++] = ev;
    ev.kind = BM_APPROVED, ev.t = t + 5;
    out[n++] = ev;
    int fate = (int)((r >> 48) % 100);
    if (fate < 10) {
        ev.kind = BM_LOST, ev.t = t + 10;
        out[n++] = ev;
        return n;
    }
    ev.kind = BM_WON, ev.t = t + 10;
    out[n++] = ev;
    int payments = 1 + (int)((r >> 56) % 2);
    for (int k = 0; k < payments; k++) {
        ev.kind = BM_PAYMENT, ev.t = t + 20 + k, ev.amount = cents / payments;
        out[n++] = ev;
    }
    if (fate < 20) {
        ev.kind = BM_AMEND, ev.t = t + 30, ev.amount = cents * 9 / 10;
        out[n++] = ev;
    } else if (fate < 25) {
        ev.kind = BM_CANCEL, ev.t = t + 40, ev.amount = 0;
        out[n++] = ev;
    }
    return n;
}

/* ---- arithmetic -------------------------------------------------------------- */

int64_t bm_round(bm_i128 num, int64_t den)
{
    bm_i128 q = num / den, r = num % den, ar = r < 0 ? -r : r, rest = den - ar;
    if (ar > rest || (ar == rest && (q & 1)))
        q += num < 0 ? -1 : 1;
    return (int64_t)q;
}

int64_t bm_percent(int64_t cents, int64_t ppm)
{
    return bm_round((bm_i128)cents * ppm, 1000000);
}

/* rep-tier: graduated 2% from 0, 3% from 50,000.00, 4% from 200,000.00 */
int64_t bm_tier(int64_t c)
{
    static const int64_t from[] = { 0, 5000000, 20000000 }, ppm[] = { 20000, 30000, 40000 };
    bm_i128 sum = 0;
    for (int i = 0; i < 3 && c > from[i]; i++) {
        int64_t top = i + 1 < 3 && from[i + 1] < c ? from[i + 1] : c;
        sum += (bm_i128)(top - from[i]) * ppm[i];
    }
    return bm_round(sum, 1000000);
}

int bm_month(int64_t t)
{
    /* civil_from_days (H. Hinnant) */
    int64_t z = (t >= 0 ? t / 86400 : (t - 86399) / 86400) + 719468;
    int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    int64_t doe = z - era * 146097;
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t y = yoe + era * 400, doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int64_t mp = (5 * doy + 2) / 153, m = mp < 10 ? mp + 3 : mp - 9;
    if (m <= 2)
        y++;
    return (int)((y - 2026) * 12 + (m - 1));
}

int bm_quarter(int64_t t)
{
    return bm_month(t) / 3;
}

/* ---- the bare loop ----------------------------------------------------------------- */

enum { RESALE_CAP = 400000, CASH_CAP = 250000, MS_AT0 = 10000000, MS_AT1 = 25000000, MS_BONUS0 = 100000,
       MS_BONUS1 = 300000, REG_BONUS = 2500, REP_BIG = 15000 };

typedef struct bdeal {
    int64_t amount;
    int64_t resale, tier, tier_before, ms_before, ms[2], points, uplift; /* what its won trigger nets */
    int quarter;
} bdeal;

struct bm_bare {
    bdeal *deals;
    int64_t *tier;  /* metric per (quarter, partner, rep) */
    int64_t *ms;    /* metric per (quarter, partner) */
    int64_t *cash;  /* total per (month, partner) */
    bm_totals tot;
};

bm_bare *bm_bare_new(long deals, int64_t end)
{
    bm_bare *b = calloc(1, sizeof *b);
    int months = bm_month(end) + 1, quarters = months / 3 + 1;
    b->deals = calloc((size_t)deals, sizeof *b->deals);
    b->tier = calloc((size_t)quarters * BM_PARTNERS * BM_REPS, sizeof *b->tier);
    b->ms = calloc((size_t)quarters * BM_PARTNERS, sizeof *b->ms);
    b->cash = calloc((size_t)months * BM_PARTNERS, sizeof *b->cash);
    return b;
}

void bm_bare_free(bm_bare *b)
{
    free(b->deals);
    free(b->tier);
    free(b->ms);
    free(b->cash);
    free(b);
}

bm_totals bm_bare_totals(const bm_bare *b)
{
    return b->tot;
}

static void money(bm_bare *b, int64_t amount)
{
    if (amount) {
        b->tot.money += amount;
        b->tot.entries++;
    }
}

static void points(bm_bare *b, int64_t amount)
{
    if (amount) {
        b->tot.points += amount;
        b->tot.entries++;
    }
}

/* A milestone slot's target for a member between before and after. */
static int64_t ms_slot(int slot, int64_t before, int64_t after)
{
    int64_t at = slot ? MS_AT1 : MS_AT0;
    return before < at && at <= after ? (slot ? MS_BONUS1 : MS_BONUS0) : 0;
}

static int64_t uplift(int partner, int64_t amount)
{
    int level = partner % 3; /* silver, gold (1%), platinum (2%) */
    return level == 1 ? bm_percent(amount, 10000) : level == 2 ? bm_percent(amount, 20000) : 0;
}

/* Every amount the won trigger gives a deal of this amount, with its group sums before it. */
static void won_targets(const bdeal *d, int64_t amount, int64_t *resale, int64_t *tier, int64_t ms[2],
                        int64_t *pts, int64_t *up)
{
    *resale = bm_percent(amount, 80000);
    if (*resale > RESALE_CAP)
        *resale = RESALE_CAP;
    *tier = bm_tier(d->tier_before + amount) - bm_tier(d->tier_before);
    ms[0] = ms_slot(0, d->ms_before, d->ms_before + amount);
    ms[1] = ms_slot(1, d->ms_before, d->ms_before + amount);
    *pts = amount / 100;
    *up = 0;
}

void bm_bare_apply(bm_bare *b, const bm_event *ev)
{
    bdeal *d = &b->deals[ev->deal];
    size_t gt = ((size_t)d->quarter * BM_PARTNERS + (size_t)ev->partner) * BM_REPS + (size_t)ev->rep;
    size_t gm = (size_t)d->quarter * BM_PARTNERS + (size_t)ev->partner;
    switch (ev->kind) {
    case BM_DEAL:
        d->amount = ev->amount;
        break;
    case BM_APPROVED:
        money(b, REG_BONUS);
        break;
    case BM_WON: {
        d->quarter = bm_quarter(ev->t);
        gt = ((size_t)d->quarter * BM_PARTNERS + (size_t)ev->partner) * BM_REPS + (size_t)ev->rep;
        gm = (size_t)d->quarter * BM_PARTNERS + (size_t)ev->partner;
        d->tier_before = b->tier[gt];
        d->ms_before = b->ms[gm];
        won_targets(d, d->amount, &d->resale, &d->tier, d->ms, &d->points, &d->uplift);
        d->uplift = uplift(ev->partner, d->amount);
        b->tier[gt] += d->amount;
        b->ms[gm] += d->amount;
        money(b, d->resale);
        money(b, d->tier);
        money(b, d->ms[0]);
        money(b, d->ms[1]);
        points(b, d->points);
        if (d->amount >= 2000000 && ev->emea)
            money(b, REP_BIG);
        money(b, d->uplift);
        break;
    }
    case BM_PAYMENT: {
        int64_t *total = &b->cash[(size_t)bm_month(ev->t) * BM_PARTNERS + (size_t)ev->partner];
        int64_t x = bm_percent(ev->amount, 20000), room = CASH_CAP - *total;
        if (room < 0)
            room = 0;
        if (x > room)
            x = room;
        *total += x;
        money(b, x);
        break;
    }
    case BM_AMEND: {
        int64_t resale, tier, ms[2], pts, up;
        won_targets(d, ev->amount, &resale, &tier, ms, &pts, &up);
        up = uplift(ev->partner, ev->amount);
        money(b, resale - d->resale);
        money(b, tier - d->tier);
        money(b, ms[0] - d->ms[0]);
        money(b, ms[1] - d->ms[1]);
        points(b, pts - d->points);
        money(b, up - d->uplift);
        d->resale = resale, d->tier = tier, d->ms[0] = ms[0], d->ms[1] = ms[1], d->points = pts, d->uplift = up;
        b->tier[gt] = d->tier_before + ev->amount; /* the last member of its groups */
        b->ms[gm] = d->ms_before + ev->amount;
        d->amount = ev->amount;
        break;
    }
    case BM_CANCEL: /* inside the 90-day clawback of resale and rep-tier: both reversed */
        money(b, -d->resale);
        money(b, -d->tier);
        d->resale = d->tier = 0;
        b->tier[gt] = d->tier_before;
        break;
    case BM_LOST:
        break;
    }
}
