/*
 * fuzz_ops.c - libFuzzer target for operation sequences.
 *
 * A fixed plan (two levels; percent, sales-rep, tiered, milestone, points
 * and on-payment rewards; two partners, three users, an FX rate) and then
 * one operation per four input bytes on a small universe of ids: deals,
 * stage changes, payments, amendments, assignments, portal access, levels,
 * approvals (up to a time or by entry number), releases, redemptions,
 * payouts, FX rates, and the operations of SPEC section 13: deals and
 * amendments with lines (rewards per line, on the margin, in an exclusive
 * group with priorities), activities, manual adjustments, and a child
 * partner whose parent earns two override rewards; some with event ids,
 * and replays of an earlier event.  Time mostly moves forward and sometimes
 * back.  Some operations run with a failure injected: an allocation, a
 * storage put, the commit or the begin.
 *
 * Oracles, after every operation:
 *  - a failed apply leaves the engine (fingerprint), both exports and what
 *    storage committed byte-identical, with no commit and no event;
 *  - each contribution's net per slot equals the sum of its entries, and
 *    each group's total the sum of its contributions' entries;
 *  - balances equal the sums of the entries by status, and each payout line
 *    the sum and count of the entries it paid;
 *  - an entry once paid never changes;
 *  - replaying an event id already applied returns OK and calls no storage;
 *  - each override mirror pays the parent round(rate x the child's net it
 *    mirrored) (its entries telescope), always to the child's parent;
 * and every few operations and at the end, an engine restored from what
 * storage was told is the live engine.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzzutil.h"
#include "engineutil.h"
#include "ops.h"

static int same_str(char *a, char *b)
{
    int eq = a && b && !strcmp(a, b);
    free(a);
    free(b);
    return eq;
}

/* ---- operations ---------------------------------------------------------- */

#define MAXKV 48
#define NBUF 16
#define EVBUF (NBUF - 1) /* the event id's buffer */
typedef struct fop {
    const char *kind;
    const char *kv[MAXKV]; /* keys typed as eu_set's, NULL-terminated pairs */
    char buf[NBUF][48];    /* storage for generated values */
} fop;

static rewards_status apply_fop(rewards_engine *e, const fop *o)
{
    rewards_op *op = NULL;
    rewards_status st = rewards_op_new(e, &op, o->kind);
    for (size_t i = 0; !st && o->kv[i]; i += 2)
        st = eu_set(op, o->kv[i], o->kv[i + 1]);
    if (!st)
        st = rewards_engine_apply(e, op);
    rewards_op_free(op);
    return st;
}

static const char *day(char *buf, int64_t t)
{
    rewards_time_format(t, buf, 48);
    return buf;
}

static const char *money(char *buf, unsigned v)
{
    snprintf(buf, 48, "%u.%02u", v / 100, v % 100);
    return buf;
}

static void setup(rewards_engine *e)
{
    static const char *const plan[][MAXKV] = {
        { "program", "id", "p", "name", "P", "currency", "USD" },
        { "level", "id", "l1", "program", "p", "name", "One", "rank:i", "1" },
        { "level", "id", "l2", "program", "p", "name", "Two", "rank:i", "2", "requires.revenue", "1000.00",
          "requires.window", "fiscal_year" },
        { "reward", "id", "pct", "level", "l1", "name", "Pct", "trigger", "deal_won", "recipient", "partner", "kind",
          "percent", "rate", "10%", "clawback_days:i", "30", "period", "quarter", "cap_per_period", "500.00" },
        { "reward", "id", "rep", "level", "l1", "name", "Rep", "trigger", "deal_won", "recipient", "sales_rep",
          "kind", "fixed", "amount", "50.00" },
        { "reward", "id", "tier", "program", "p", "name", "Tier", "trigger", "deal_won", "recipient", "partner",
          "kind", "tiered", "period", "quarter", "tiers.0.from", "0", "tiers.0.rate", "5%", "tiers.1.from", "1000.00",
          "tiers.1.rate", "8%", "clawback_days:i", "60" },
        { "reward", "id", "ms", "program", "p", "name", "Ms", "trigger", "deal_contract_started", "recipient",
          "partner", "kind", "milestone", "period", "quarter", "metric", "deals", "thresholds.0.at", "2",
          "thresholds.0.bonus", "100.00", "thresholds.1.at", "3", "thresholds.1.bonus", "200.00" },
        { "reward", "id", "pts", "program", "p", "name", "Pts", "trigger", "deal_won", "recipient", "sales_rep",
          "kind", "points", "points", "100", "auto_approve:b", "true" },
        { "reward", "id", "cash", "level", "l2", "name", "Cash", "trigger", "deal_paid", "recipient", "partner",
          "kind", "percent", "rate", "2%", "auto_approve:b", "true" },
        /* SPEC section 13: per line, on the margin, one of an exclusive group */
        { "reward", "id", "pl", "program", "p", "name", "PL", "trigger", "deal_won", "recipient", "partner", "kind",
          "percent", "rate", "3%", "per", "line", "base", "margin", "exclusive", "g", "priority:i", "1" },
        { "reward", "id", "pl2", "program", "p", "name", "PL2", "trigger", "deal_won", "recipient", "partner", "kind",
          "fixed", "amount", "5.00", "per", "line", "exclusive", "g", "priority:i", "2", "when",
          "line.units >= 2" },
        { "reward", "id", "cert", "program", "p", "name", "Cert", "trigger", "activity:cert", "recipient", "sales_rep",
          "kind", "fixed", "amount", "2.00", "auto_approve:b", "true" },
        { "reward", "id", "train", "program", "p", "name", "Train", "trigger", "activity:train", "recipient",
          "partner", "kind", "percent", "rate", "10%" },
        { "partner", "id", "a", "program", "p", "level", "l1", "name", "A" },
        { "partner", "id", "b", "program", "p", "level", "l2", "name", "B" },
        { "partner", "id", "c", "program", "p", "level", "l1", "name", "C", "parent", "a" },
        { "reward", "id", "ov", "program", "p", "name", "Ov", "recipient", "partner", "kind", "override", "rate", "5%",
          "of.0", "pct", "of.1", "train", "of.2", "pl" },
        { "reward", "id", "ov2", "level", "l1", "name", "Ov2", "recipient", "partner", "kind", "override", "rate",
          "33.3333%", "auto_approve:b", "true" },
        { "user", "id", "u1", "partner", "a", "name", "U1", "portal_access:b", "true" },
        { "user", "id", "u2", "partner", "a", "name", "U2", "portal_access:b", "false" },
        { "user", "id", "u3", "partner", "b", "name", "U3", "portal_access:b", "true" },
        { "user", "id", "u4", "partner", "c", "name", "U4", "portal_access:b", "true" },
        { "fx", "at", "2026-01-01", "from", "EUR", "to", "USD", "rate", "1.1" },
    };
    for (size_t i = 0; i < sizeof plan / sizeof plan[0]; i++) {
        fop o;
        memset(&o, 0, sizeof o);
        o.kind = plan[i][0];
        for (size_t k = 1; plan[i][k]; k++)
            o.kv[k - 1] = plan[i][k];
        if (apply_fop(e, &o))
            abort();
    }
}

static const char *const deals[] = { "d0", "d1", "d2", "d3" };
static const char *const users[] = { "u1", "u2", "u3", "u4" };
static const char *const partners[] = { "a", "b", "c" };
#define NUSERS 4
#define NPARTNERS 3

/* Keys of up to three deal lines. */
static const char *const line_keys[3][5] = {
    { "lines.0.id", "lines.0.product", "lines.0.amount", "lines.0.cost", "lines.0.units:i" },
    { "lines.1.id", "lines.1.product", "lines.1.amount", "lines.1.cost", "lines.1.units:i" },
    { "lines.2.id", "lines.2.product", "lines.2.amount", "lines.2.cost", "lines.2.units:i" },
};
static const char *const line_ids[] = { "L0", "L1", "L2", "L0" }; /* the last: a duplicate */
static const char *const products[] = { "hw", "sw", "svc" };

/* 1-3 lines into o from x, y (buffers 1-9), k the next free kv slot; returns the new k. */
static size_t put_lines(fop *o, size_t k, unsigned x, unsigned y)
{
    unsigned n = 1 + (y >> 2) % 3;
    for (unsigned i = 0; i < n; i++) {
        o->kv[k++] = line_keys[i][0];
        o->kv[k++] = line_ids[i + (i == n - 1 && n > 1 && (x & 0x80) ? 3 - i : 0)];
        o->kv[k++] = line_keys[i][1];
        o->kv[k++] = products[(x + i) % 3];
        o->kv[k++] = line_keys[i][2];
        o->kv[k++] = money(o->buf[1 + 3 * i], (x * 31 + i * 977 + y * 7) % 100000);
        if ((y >> (4 + i)) & 1) {
            o->kv[k++] = line_keys[i][3];
            o->kv[k++] = money(o->buf[2 + 3 * i], (x * 53 + i * 131) % 60000);
        }
        if ((x >> i) & 1) {
            o->kv[k++] = line_keys[i][4];
            snprintf(o->buf[3 + 3 * i], 48, "%u", (x + y + i) % 4);
            o->kv[k++] = o->buf[3 + 3 * i];
        }
    }
    return k;
}
static const char *const stages[] = { "approved", "won", "contract_started", "lost", "cancelled", "renewed" };

/* Decode four bytes into an operation at time *t. */
static void decode(const uint8_t *b, int64_t *t, unsigned *runs, fop *o)
{
    memset(o, 0, sizeof o->kv);
    size_t k = 0;
#define KV(key, val) (o->kv[k++] = (key), o->kv[k++] = (val))
    if ((b[1] & 0x38) == 0x38)
        *t -= 86400 * (int64_t)(b[2] % 5); /* sometimes back in time */
    else
        *t += 86400 * (int64_t)(b[1] % 4);
    unsigned x = b[2], y = b[3];
    unsigned c = b[0] % 21; /* deals and stage changes more often than the rest */
    switch (c < 3 ? 0 : c < 6 ? 1 : c - 4) {
    case 0:
        o->kind = "deal";
        KV("at", day(o->buf[0], *t));
        KV("id", deals[x % 4]);
        KV("partner", partners[y % NPARTNERS]);
        KV("currency", y & 2 ? "EUR" : "USD");
        KV("amount", money(o->buf[1], (x * 257 + y * 13) % 300000));
        if (y & 4)
            KV("user", users[(y >> 3) % NUSERS]);
        break;
    case 1:
    case 2:
        o->kind = "stage";
        KV("at", day(o->buf[0], *t));
        KV("deal", deals[x % 4]);
        KV("stage", stages[y % 6]);
        break;
    case 3:
        o->kind = "payment";
        KV("at", day(o->buf[0], *t));
        KV("deal", deals[x % 4]);
        KV("amount", money(o->buf[1], 1 + (x * y) % 50000));
        break;
    case 4:
        o->kind = "amend";
        KV("at", day(o->buf[0], *t));
        KV("deal", deals[x % 4]);
        KV("amount", money(o->buf[1], (x * 97 + y) % 300000));
        break;
    case 5:
        o->kind = "assign";
        KV("at", day(o->buf[0], *t));
        KV("deal", deals[x % 4]);
        KV("user", users[y % NUSERS]);
        break;
    case 6:
        o->kind = "user_access";
        KV("at", day(o->buf[0], *t));
        KV("user", users[x % NUSERS]);
        KV("portal_access:b", y & 1 ? "true" : "false");
        break;
    case 7:
        if (x & 1) {
            o->kind = "set_level";
            KV("at", day(o->buf[0], *t));
            KV("partner", partners[y % NPARTNERS]);
            KV("level", y & 4 ? "l2" : "l1");
        } else {
            o->kind = "evaluate_levels";
            KV("at", day(o->buf[0], *t));
            KV("program", "p");
            KV("demote:b", y & 1 ? "true" : "false");
        }
        break;
    case 8:
        o->kind = "approve";
        KV("at", day(o->buf[0], *t));
        if (y & 1) { /* by number: one or two entries, sometimes one that does not exist */
            snprintf(o->buf[1], 48, "%u", 1 + x % 48);
            KV("entries.0:i", o->buf[1]);
            if (y & 2) {
                snprintf(o->buf[2], 48, "%u", 1 + (x + y) % 48);
                KV("entries.1:i", o->buf[2]);
            }
        } else {
            KV("until", day(o->buf[1], *t - 86400 * (int64_t)(x % 40)));
        }
        break;
    case 9:
        o->kind = "release";
        KV("at", day(o->buf[0], *t));
        KV("deal", deals[x % 4]);
        KV("to", y & 1 ? "partner" : "sales_rep");
        break;
    case 10:
        o->kind = "redeem";
        KV("at", day(o->buf[0], *t));
        snprintf(o->buf[1], 48, "r%u", x % 6);
        KV("id", o->buf[1]);
        KV("recipient_type", y & 1 ? "sales_rep" : "partner");
        KV("recipient", y & 1 ? users[(y >> 1) % NUSERS] : partners[(y >> 1) % NPARTNERS]);
        snprintf(o->buf[2], 48, "%u", 1 + x % 150);
        KV("points", o->buf[2]);
        break;
    case 11:
        o->kind = "payout";
        KV("at", day(o->buf[0], *t));
        snprintf(o->buf[1], 48, "run%u", (*runs)++ % 8);
        KV("id", o->buf[1]);
        KV("until", day(o->buf[2], *t - 86400 * (int64_t)(x % 20)));
        break;
    case 13:
        o->kind = "deal";
        KV("at", day(o->buf[0], *t));
        KV("id", deals[x % 4]);
        KV("partner", partners[y % NPARTNERS]);
        KV("currency", y & 2 ? "EUR" : "USD");
        k = put_lines(o, k, x, y);
        break;
    case 14:
        o->kind = "amend";
        KV("at", day(o->buf[0], *t));
        KV("deal", deals[x % 4]);
        k = put_lines(o, k, x ^ 0x5a, y);
        break;
    case 15:
        o->kind = "activity";
        KV("at", day(o->buf[0], *t));
        snprintf(o->buf[10], 48, "%s%u", x & 0x40 ? "d" : "act", x % 4); /* a deal id: refused */
        KV("id", o->buf[10]);
        KV("partner", partners[y % NPARTNERS]);
        KV("type", y & 8 ? "train" : "cert");
        if (y & 16)
            KV("user", users[(x >> 2) % NUSERS]);
        if (y & 32) {
            snprintf(o->buf[11], 48, "%u", (x >> 3) % 5);
            KV("units:i", o->buf[11]);
        }
        if (y & 64) {
            KV("amount", money(o->buf[1], x * 41 % 20000));
            KV("currency", y & 128 ? (x & 2 ? "PTS" : "EUR") : "USD");
        }
        break;
    case 16:
        o->kind = "adjust";
        KV("at", day(o->buf[0], *t));
        snprintf(o->buf[10], 48, "adj%u", x % 8);
        KV("id", o->buf[10]);
        KV("partner", partners[y % NPARTNERS]);
        if (y & 4)
            KV("user", users[(y >> 3) % NUSERS]);
        if (x & 1) {
            snprintf(o->buf[1], 48, "%u", x % 30); /* 0: refused */
            KV("amount", o->buf[1]);
            KV("currency", "PTS");
        } else {
            snprintf(o->buf[1], 48, "%s%u.%02u", y & 32 ? "-" : "", x % 40, y % 100);
            KV("amount", o->buf[1]);
        }
        if (x & 2) {
            snprintf(o->buf[11], 48, "%s%u", x & 4 ? "act" : "d", (x >> 3) % 4);
            KV("deal", o->buf[11]);
        }
        if (y & 64)
            KV("note", "fuzz");
        if (y & 128)
            KV("approved:b", "true");
        break;
    default:
        o->kind = "fx";
        KV("at", day(o->buf[0], *t));
        KV("from", "EUR");
        KV("to", "USD");
        snprintf(o->buf[1], 48, "1.%u", x);
        KV("rate", o->buf[1]);
        break;
    }
    if ((b[1] & 0xC0) == 0x40) {
        snprintf(o->buf[EVBUF], 48, "ev%u", y % 4);
        KV("event", o->buf[EVBUF]);
    }
#undef KV
}

/* ---- invariants ------------------------------------------------------------- */

/* A contribution's entries are those of its deal's list that are its. */
static int64_t contrib_sum(const rw_contrib *k, size_t slot, int all_slots)
{
    int64_t sum = 0;
    for (size_t j = 0; j < k->deal->entries.len; j++) {
        const rw_entry *en = RW_VEC_AT(k->deal->entries, rw_entry *, j);
        if (en->contrib == k && (all_slots || en->slot == slot))
            sum += en->amount;
    }
    return sum;
}

static void check_totals(rewards_engine *e)
{
    for (size_t i = 0; i < RW_COUNT(e, RW_KIND_CONTRIB); i++) {
        const rw_contrib *k = RW_REC_AT(e, RW_KIND_CONTRIB, rw_contrib, i);
        for (size_t s = 0; s < rw_contrib_nslots(k); s++)
            FZ_CHECK(contrib_sum(k, s, 0) == rw_contrib_net_at(k, s));
        if (k->group) {
            int64_t total = 0;
            for (size_t c = 0; c < k->group->contribs.len; c++) {
                const rw_contrib *m = RW_VEC_AT(k->group->contribs, rw_contrib *, c);
                FZ_CHECK(m->group == k->group);
                total += contrib_sum(m, 0, 1);
            }
            FZ_CHECK(total == k->group->total);
        }
    }
    /* every entry of a contribution is in its deal's list, once */
    size_t with_contrib = 0, listed = 0;
    for (size_t i = 0; i < RW_COUNT(e, RW_KIND_ENTRY); i++)
        with_contrib += RW_REC_AT(e, RW_KIND_ENTRY, rw_entry, i)->contrib != NULL;
    static const int kinds[] = { RW_KIND_DEAL, RW_KIND_ACTIVITY }; /* an activity is a deal record too */
    for (size_t kd = 0; kd < 2; kd++)
        for (size_t i = 0; i < RW_COUNT(e, kinds[kd]); i++) {
            const rw_deal *d = RW_REC_AT(e, kinds[kd], rw_deal, i);
            for (size_t j = 0; j < d->entries.len; j++) {
                const rw_entry *en = RW_VEC_AT(d->entries, rw_entry *, j);
                if (en->contrib) {
                    FZ_CHECK(en->contrib->deal == d);
                    listed++;
                }
            }
        }
    FZ_CHECK(with_contrib == listed);
}

static void check_balance(rewards_engine *e, int to, const char *id)
{
    rewards_balance b;
    memset(&b, 0, sizeof b);
    b.version = REWARDS_BALANCE_VERSION;
    FZ_CHECK(rewards_engine_balance(e, &b, to ? "sales_rep" : "partner", id) == REWARDS_OK);
    int64_t want[5] = { 0, 0, 0, 0, 0 }, points = 0;
    for (size_t i = 0; i < RW_COUNT(e, RW_KIND_ENTRY); i++) {
        const rw_entry *en = RW_REC_AT(e, RW_KIND_ENTRY, rw_entry, i);
        if ((int)en->to != to || strcmp(to ? (en->to_user ? en->to_user->id : "") : en->partner->id, id))
            continue;
        if (!strcmp(rw_entry_currency(en), "PTS")) {
            if (en->status == RW_ST_APPROVED || en->status == RW_ST_REDEEMED)
                points += en->amount;
        } else {
            want[en->status] += en->amount;
        }
    }
    FZ_CHECK(b.pending == want[RW_ST_PENDING] && b.approved == want[RW_ST_APPROVED] && b.held == want[RW_ST_HELD] &&
             b.paid == want[RW_ST_PAID] + want[RW_ST_REDEEMED] && b.points == points);
}

/* An override mirror's entries telescope to round(rate x C), C the child's net it mirrored (its base). */
static void check_overrides(rewards_engine *e)
{
    for (size_t i = 0; i < RW_COUNT(e, RW_KIND_CONTRIB); i++) {
        const rw_contrib *k = RW_REC_AT(e, RW_KIND_CONTRIB, rw_contrib, i);
        if (!rw_contrib_covered(k))
            continue;
        FZ_CHECK(k->reward->kind == RW_KIND_OVERRIDE && k->deal->partner->parent);
        int64_t want;
        FZ_CHECK(!rw_div_round((rw_i128)k->base * k->reward->rate_ppm, RW_PPM_ONE, k->reward->program->rounding, &want));
        FZ_CHECK(rw_contrib_nslots(k) == 1 && rw_contrib_net_at(k, 0) == want);
        for (size_t j = 0; j < k->deal->entries.len; j++) {
            const rw_entry *en = RW_VEC_AT(k->deal->entries, rw_entry *, j);
            FZ_CHECK(en->contrib != k || en->partner == k->deal->partner->parent);
        }
    }
}

static void check_payout_lines(rewards_engine *e)
{
    for (size_t i = 0; i < RW_COUNT(e, RW_KIND_LINE); i++) {
        const rw_line *l = RW_REC_AT(e, RW_KIND_LINE, rw_line, i);
        int64_t sum = 0, count = 0;
        for (size_t j = 0; j < RW_COUNT(e, RW_KIND_ENTRY); j++) {
            const rw_entry *en = RW_REC_AT(e, RW_KIND_ENTRY, rw_entry, j);
            if (en->run != l->run || en->to != l->to || strcmp(rw_entry_currency(en), l->currency))
                continue;
            if (l->to == RW_TO_PARTNER ? en->partner != l->partner : en->to_user != l->user)
                continue;
            FZ_CHECK(en->status == RW_ST_PAID);
            sum += en->amount;
            count++;
        }
        FZ_CHECK(sum == l->amount && count == l->count);
    }
}

/* Paid entries, as encoded when first seen paid: they never change after. */
typedef struct paid {
    char **data;
    size_t *size;
    size_t n;
} paid;

static void check_paid(rewards_engine *e, paid *p)
{
    size_t n = RW_COUNT(e, RW_KIND_ENTRY);
    if (n > p->n) {
        p->data = realloc(p->data, n * sizeof *p->data);
        p->size = realloc(p->size, n * sizeof *p->size);
        if (!p->data || !p->size)
            abort();
        for (size_t i = p->n; i < n; i++)
            p->data[i] = NULL;
        p->n = n;
    }
    for (size_t i = 0; i < n; i++) {
        rw_rec *r = &RW_REC_AT(e, RW_KIND_ENTRY, rw_entry, i)->h;
        char *d;
        size_t sz;
        if (rw_record_encode(e, r, &d, &sz))
            abort();
        if (p->data[i]) {
            FZ_CHECK(sz == p->size[i] && !memcmp(d, p->data[i], sz));
            rw_free(&e->alloc, d);
        } else if (((rw_entry *)r)->status == RW_ST_PAID) {
            p->data[i] = malloc(sz);
            if (!p->data[i])
                abort();
            memcpy(p->data[i], d, sz);
            p->size[i] = sz;
            rw_free(&e->alloc, d);
        } else {
            rw_free(&e->alloc, d);
        }
    }
}

static void check_restored(rewards_engine *e, const fz_store *s)
{
    rewards_engine *b = fz_engine(NULL, NULL);
    FZ_CHECK(fz_restore(b, &s->committed, NULL) == REWARDS_OK);
    FZ_CHECK(same_str(eu_fingerprint(e), eu_fingerprint(b)));
    rewards_engine_free(b);
}

int LLVMFuzzerTestOneInput(const uint8_t *in, size_t len)
{
    fz_store s;
    memset(&s, 0, sizeof s);
    fz_alloc al;
    memset(&al, 0, sizeof al);
    rewards_engine *e = fz_engine(&s, &al);
    setup(e);
    int64_t t;
    rewards_time_parse("2026-01-05", &t);
    unsigned runs = 0;
    paid p = { NULL, NULL, 0 };
    fop last_event;
    int have_event = 0;
    fz_table before_tab;
    memset(&before_tab, 0, sizeof before_tab);
    for (size_t i = 0; i + 4 <= len && i < 4 * 200; i += 4) {
        fop o;
        int replay = in[i] % 21 == 20 && (in[i + 1] & 0xC0) == 0xC0 && have_event;
        if (replay)
            o = last_event; /* an event already applied, given again */
        else
            decode(in + i, &t, &runs, &o);
        /* the kv pointers into o.buf must follow the copy */
        for (size_t k = 0; o.kv[k]; k++)
            for (int bi = 0; bi < NBUF; bi++)
                if (replay && o.kv[k] == last_event.buf[bi])
                    o.kv[k] = o.buf[bi];
        int inject = !replay && (in[i + 1] & 0xC0) == 0xC0 ? 1 + in[i + 3] % 4 : 0;
        char *fp = eu_fingerprint(e), *lg = eu_ledger(e), *py = eu_payouts(e), *tr = eu_traces(e);
        fz_table_copy(&before_tab, &s.committed);
        long commits = s.commits, events = s.events, begins = s.begins, puts = s.puts;
        switch (inject) {
        case 1: al.fail_at = al.count + 1 + in[i + 2] % 64; break;
        case 2: s.fail_put = 1 + in[i + 2] % 6; break;
        case 3: s.fail_commit = 1; break;
        case 4: s.fail_begin = 1; break;
        default: break;
        }
        rewards_status st = apply_fop(e, &o);
        if (getenv("FZ_TRACE")) /* FZ_TRACE=1: each operation and its status, to see what an input does */
            fprintf(stderr, "%s %s inject=%d: %s %s\n", o.kind, o.kv[1] ? o.kv[1] : "", inject, rewards_status_name(st), rewards_engine_errmsg(e));
        al.fail_at = 0;
        s.fail_put = s.fail_commit = s.fail_begin = 0;
        if (replay) {
            /* the same event id and operation: OK, and storage is not called */
            FZ_CHECK(st == REWARDS_OK);
            FZ_CHECK(s.begins == begins && s.puts == puts && s.commits == commits && s.events == events);
        }
        if (st != REWARDS_OK) {
            FZ_CHECK(same_str(fp, eu_fingerprint(e)));
            FZ_CHECK(same_str(lg, eu_ledger(e)));
            FZ_CHECK(same_str(py, eu_payouts(e)));
            FZ_CHECK(same_str(tr, eu_traces(e))); /* traces too: a failed call changes nothing */
            FZ_CHECK(fz_table_equal(&before_tab, &s.committed));
            FZ_CHECK(s.commits == commits && s.events == events);
            FZ_CHECK(!s.in_txn);
        } else {
            free(fp);
            free(lg);
            free(py);
            free(tr);
            if (!replay && o.kv[0]) {
                for (size_t k = 0; o.kv[k]; k += 2)
                    if (!strcmp(o.kv[k], "event")) {
                        last_event = o;
                        for (size_t m = 0; last_event.kv[m]; m++)
                            for (int bi = 0; bi < NBUF; bi++)
                                if (o.kv[m] == o.buf[bi])
                                    last_event.kv[m] = last_event.buf[bi];
                        have_event = 1;
                    }
            }
        }
        check_totals(e);
        for (int to = 0; to < 2; to++)
            for (int w = 0; w < (to ? NUSERS : NPARTNERS); w++)
                check_balance(e, to, to ? users[w] : partners[w]);
        check_payout_lines(e);
        check_overrides(e);
        check_paid(e, &p);
        if (i % 64 == 60)
            check_restored(e, &s);
    }
    check_restored(e, &s);
    rewards_engine_free(e);
    FZ_CHECK(al.live == 0);
    for (size_t i = 0; i < p.n; i++)
        free(p.data[i]);
    free(p.data);
    free(p.size);
    fz_table_clear(&before_tab);
    fz_store_free(&s);
    return 0;
}
