/*
 * trace_model.c - what an entry's trace says (docs/traces.md): the
 * entry, its trigger, its reward and condition, the base and FX
 * conversion, the rule's numbers per kind (rate; tiers with each bracket's
 * slice; the milestone threshold; points), every cap and what it cut, the
 * net before and after, the cause of a correction, an override's source
 * entry, and the hold history.
 *
 * Everything here is read from the records and the entry's trace block
 * (trace.h); nothing is recomputed by the engine's own rule code, so the
 * trace can be checked against arithmetic (tests/trace_check.py re-derives
 * every amount from these numbers).  A few values are derived for the
 * reader (the tier slices, the caps' cuts, the level at the trigger): from
 * the same numbers, by the plain definitions in docs/traces.md.
 */
#include "trace_model.h"
#include "ops.h"

#include <stdio.h>
#include <string.h>

static void push(rewards_trace *t, const char *key, const char *value, int type)
{
    if (t->failed)
        return;
    if (t->n == t->cap) {
        size_t ncap = t->cap ? t->cap * 2 : 48;
        rw_titem *p = rw_realloc(&t->alloc, t->items, ncap * sizeof *p);
        if (!p) {
            t->failed = 1;
            return;
        }
        t->items = p;
        t->cap = ncap;
    }
    rw_titem *it = &t->items[t->n];
    it->key = rw_strdup(&t->alloc, key);
    it->value = rw_strdup(&t->alloc, value ? value : "");
    it->type = value ? type : REWARDS_TRACE_NULL;
    if (!it->key || !it->value) {
        rw_free(&t->alloc, it->key);
        rw_free(&t->alloc, it->value);
        t->failed = 1;
        return;
    }
    t->n++;
}

void rw_trace_clear(rewards_trace *t)
{
    for (size_t i = 0; i < t->n; i++) {
        rw_free(&t->alloc, t->items[i].key);
        rw_free(&t->alloc, t->items[i].value);
    }
    rw_free(&t->alloc, t->items);
    t->items = NULL;
    t->n = t->cap = 0;
    t->failed = 0;
}

static void str(rewards_trace *t, const char *key, const char *v) { push(t, key, v, REWARDS_TRACE_STRING); }
static void boolean(rewards_trace *t, const char *key, int v) { push(t, key, v ? "true" : "false", REWARDS_TRACE_BOOL); }

static void integer(rewards_trace *t, const char *key, int64_t v)
{
    char b[32];
    snprintf(b, sizeof b, "%lld", (long long)v);
    push(t, key, b, REWARDS_TRACE_INTEGER);
}

/* An exact decimal: minor units with exp decimals (RW_NONE: null). */
static void decimal(rewards_trace *t, const char *key, int64_t v, int exp)
{
    char b[48];
    if (v == RW_NONE) {
        push(t, key, NULL, 0);
        return;
    }
    rw_amount_format(v, exp, b, sizeof b);
    push(t, key, b, REWARDS_TRACE_DECIMAL);
}

/* An exact decimal of a 128-bit value (a tier's commission in minor units x 10^6). */
static void decimal128(rewards_trace *t, const char *key, rw_i128 v, int exp)
{
    char digits[64], b[80];
    int neg = v < 0;
    rw_u128 u = neg ? (rw_u128)(-(v + 1)) + 1 : (rw_u128)v;
    int n = 0;
    do {
        digits[n++] = (char)('0' + (int)(u % 10));
        u /= 10;
    } while (u);
    while (n <= exp)
        digits[n++] = '0';
    int k = 0;
    if (neg)
        b[k++] = '-';
    for (int i = n - 1; i >= 0; i--) {
        b[k++] = digits[i];
        if (i == exp && exp > 0)
            b[k++] = '.';
    }
    b[k] = '\0';
    push(t, key, b, REWARDS_TRACE_DECIMAL);
}

static void timev(rewards_trace *t, const char *key, int64_t at)
{
    char b[40];
    if (at == RW_NONE) {
        push(t, key, NULL, 0);
        return;
    }
    rw_time_format(at, b, sizeof b);
    str(t, key, b);
}

static char *k2(char *buf, size_t size, const char *a, size_t i, const char *b)
{
    snprintf(buf, size, "%s.%zu.%s", a, i, b);
    return buf;
}

/* The partner's level when record seq was made: level changes are records, in order. */
static const rw_level *level_at(rw_engine *e, const rw_partner *p, uint64_t seq)
{
    const rw_level *lv = NULL, *first_from = NULL;
    for (size_t i = 0; i < RW_COUNT(e, RW_KIND_LEVEL_CHANGE); i++) {
        const rw_level_change *c = RW_REC_AT(e, RW_KIND_LEVEL_CHANGE, rw_level_change, i);
        if (c->partner != p)
            continue;
        if (!first_from)
            first_from = c->from;
        if (c->h.seq < seq)
            lv = c->to;
    }
    return lv ? lv : first_from ? first_from : p->level;
}

static const char *const kind_words[] = { "percent", "fixed", "tiered", "milestone", "points", "override" };
static const char *const metric_words[] = { "revenue", "deals", "units" };
static const char *const period_words[] = { "none", "month", "quarter", "year" };
static const char *const rounding_words[] = { "half_even", "half_up" };
static const char *const cause_words[] = { "trigger", "amend", "cancel", "assign", "user_access", "release" };

static void reward_part(rewards_trace *t, const rw_reward *r)
{
    str(t, "reward.id", r->id);
    str(t, "reward.kind", kind_words[r->kind]);
    str(t, "reward.recipient", rw_recipient_names[r->recipient]);
    str(t, "reward.level", r->level ? r->level->id : NULL);
    str(t, "reward.period", period_words[r->period]);
    str(t, "reward.condition", r->when);
    /* the parameters that shape which entries exist and how they move (the rule's numbers come later) */
    static const char *const policy_words[] = { "hold", "partner", "skip" };
    str(t, "reward.per", r->per_line ? "line" : "deal");
    str(t, "reward.base", r->margin ? "margin" : "amount");
    str(t, "reward.rep_policy", r->recipient == RW_TO_SALES_REP ? policy_words[r->policy] : NULL);
    integer(t, "reward.clawback_days", r->clawback_days);
    boolean(t, "reward.auto_approve", r->auto_approve);
}

/* The exact commission of a tiered reward on cumulative c, minor units x 10^6 (as evaluate.c defines it). */
static rw_i128 tier_exact(const rw_reward *r, int64_t c)
{
    if (r->retroactive) {
        size_t j = 0;
        for (size_t i = 0; i < r->ntiers; i++)
            if (r->tiers[i].from <= c)
                j = i;
        return (rw_i128)c * r->tiers[j].ppm;
    }
    rw_i128 sum = 0;
    for (size_t i = 0; i < r->ntiers && c > r->tiers[i].from; i++) {
        int64_t top = i + 1 < r->ntiers && r->tiers[i + 1].from < c ? r->tiers[i + 1].from : c;
        sum += (rw_i128)(top - r->tiers[i].from) * r->tiers[i].ppm;
    }
    return sum;
}

static void tiered_part(rewards_trace *t, const rw_reward *r, const rw_trace_calc *c, int pexp)
{
    char k[96];
    int64_t before = c->metric_before, after = c->metric_before + c->metric;
    str(t, "tiers.mode", r->retroactive ? "retroactive" : "marginal");
    decimal(t, "tiers.cumulative_before", before, pexp);
    decimal(t, "tiers.cumulative_after", after, pexp);
    for (size_t i = 0; i < r->ntiers; i++) {
        int64_t lo = r->tiers[i].from, hi = i + 1 < r->ntiers ? r->tiers[i + 1].from : INT64_MAX;
        int64_t s0 = before > lo ? before : lo, s1 = after < hi ? after : hi;
        int64_t slice = s1 > s0 ? s1 - s0 : 0;
        decimal(t, k2(k, sizeof k, "tiers.brackets", i, "from"), lo, pexp);
        integer(t, k2(k, sizeof k, "tiers.brackets", i, "rate_ppm"), r->tiers[i].ppm);
        decimal(t, k2(k, sizeof k, "tiers.brackets", i, "slice"), slice, pexp);
        decimal128(t, k2(k, sizeof k, "tiers.brackets", i, "commission"), (rw_i128)slice * r->tiers[i].ppm, pexp + 6);
    }
    decimal128(t, "tiers.commission_before", tier_exact(r, before), pexp + 6);
    decimal128(t, "tiers.commission_after", tier_exact(r, after), pexp + 6);
}

static void metric_value(rewards_trace *t, const char *key, const rw_reward *r, int64_t v, int pexp)
{
    if (r->metric == RW_METRIC_REVENUE)
        decimal(t, key, v, pexp);
    else
        integer(t, key, v);
}

static void caps_part(rewards_trace *t, const rw_reward *r, const rw_trace_calc *c, int64_t line, int pexp)
{
    char k[96];
    size_t n = 0;
    int64_t amt = c->voided ? 0 : c->uncapped;
    if (r->cap_deal != RW_NONE) {
        int64_t room = r->cap_deal - (line >= 0 ? c->cap_used : 0);
        int64_t cut = amt > room ? amt - room : 0;
        str(t, k2(k, sizeof k, "caps", n, "kind"), "cap_per_deal");
        decimal(t, k2(k, sizeof k, "caps", n, "limit"), r->cap_deal, pexp);
        decimal(t, k2(k, sizeof k, "caps", n, "used_before"), line >= 0 ? c->cap_used : 0, pexp);
        decimal(t, k2(k, sizeof k, "caps", n, "cut"), cut, pexp);
        amt -= cut;
        n++;
    }
    if (r->cap_period != RW_NONE) {
        int64_t room = r->cap_period - c->total_before;
        if (room < 0)
            room = 0;
        int64_t cut = amt > room ? amt - room : 0;
        str(t, k2(k, sizeof k, "caps", n, "kind"), "cap_per_period");
        decimal(t, k2(k, sizeof k, "caps", n, "limit"), r->cap_period, pexp);
        decimal(t, k2(k, sizeof k, "caps", n, "used_before"), c->total_before, pexp);
        decimal(t, k2(k, sizeof k, "caps", n, "cut"), cut, pexp);
    }
}

static void calc_part(rewards_trace *t, const rw_entry *en, const rw_trace *tr)
{
    const rw_contrib *k = en->contrib;
    const rw_reward *r = k->reward;
    const rw_deal *d = k->deal;
    const rw_program *p = r->program;
    rw_trace_calc calc;
    rw_trace_calc_of(tr, &calc);
    const rw_trace_calc *c = &calc;
    str(t, "rounding", rounding_words[p->rounding]);
    if (rw_contrib_covered(k)) {
        const rw_reward *o = r;
        integer(t, "override.source_entry", (int64_t)tr->more.source);
        str(t, "override.covers", rw_contrib_covered(k)->id);
        integer(t, "override.rate_ppm", o->rate_ppm);
        decimal(t, "override.child_net_before", c->metric_before, p->exp);
        decimal(t, "override.child_amount", c->metric, p->exp);
        decimal(t, "previous", rw_trace_previous(tr), rw_entry_exp(en));
        decimal(t, "target", rw_trace_previous(tr) + en->amount, rw_entry_exp(en));
        return;
    }
    decimal(t, "base.amount", c->base, d->exp);
    str(t, "base.currency", d->currency);
    str(t, "base.of", rw_contrib_margin(k) ? "margin" : rw_contrib_uses_deal_amount(k) ? (k->line >= 0 ? "line_amount" : "deal_amount")
                                                               : k->trigger == RW_TRIG_ACTIVITY ? "activity_amount"
                                                                                                : "payment_amount");
    if (k->line >= 0) {
        integer(t, "base.line", k->line);
        str(t, "base.line_id", d->nlines ? d->lines[k->line].id : "");
    }
    if (rw_contrib_fx_rate(k)) {
        str(t, "fx.from", d->currency);
        str(t, "fx.to", p->currency);
        decimal(t, "fx.rate", rw_contrib_fx_rate(k), 10);
    }
    decimal(t, "converted.amount", c->converted, p->exp);
    str(t, "converted.currency", p->currency);
    boolean(t, "voided", c->voided);
    switch (r->kind) {
    case RW_KIND_PERCENT:
        integer(t, "rate_ppm", r->rate_ppm);
        break;
    case RW_KIND_FIXED:
        decimal(t, "fixed", r->amount, p->exp);
        break;
    case RW_KIND_POINTS:
        if (r->ppu_micro == RW_NONE)
            integer(t, "points.fixed", r->amount);
        else
            decimal(t, "points.per_unit", r->ppu_micro, 6);
        break;
    case RW_KIND_TIERED:
        tiered_part(t, r, c, p->exp);
        break;
    case RW_KIND_MILESTONE: {
        const rw_threshold *th = &r->thresholds[en->slot];
        str(t, "milestone.metric", metric_words[r->metric]);
        metric_value(t, "milestone.before", r, c->metric_before, p->exp);
        metric_value(t, "milestone.after", r, c->metric_before + c->metric, p->exp);
        integer(t, "milestone.threshold_index", (int64_t)en->slot);
        metric_value(t, "milestone.threshold", r, th->at, p->exp);
        decimal(t, "milestone.bonus", th->bonus, p->exp);
        boolean(t, "milestone.crossed", !c->voided && c->metric_before < th->at && th->at <= c->metric_before + c->metric);
        break;
    }
    case RW_KIND_OVERRIDE:
        break;
    }
    if (r->kind != RW_KIND_MILESTONE) {
        decimal(t, "uncapped", c->voided ? 0 : c->uncapped, rw_entry_exp(en));
        caps_part(t, r, c, k->line, p->exp);
    }
    decimal(t, "previous", rw_trace_previous(tr), rw_entry_exp(en));
    decimal(t, "target", rw_trace_previous(tr) + en->amount, rw_entry_exp(en));
}

static void cause_part(rewards_trace *t, const rw_entry *en, const rw_trace *tr)
{
    const rw_contrib *k = en->contrib;
    if (rw_contrib_covered(k)) {
        str(t, "cause.kind", "override");
        return;
    }
    if (en->type == RW_ENTRY_EARNED) {
        str(t, "cause.kind", "trigger");
        return;
    }
    const rw_trace_more *m = &tr->more;
    str(t, "cause.kind", tr->cause < RW_CAUSE_COUNT ? cause_words[tr->cause] : "unknown");
    str(t, "cause.deal", m->cause_deal ? m->cause_deal->id : NULL);
    boolean(t, "cause.other_deal", m->cause_deal && m->cause_deal != k->deal);
    if (tr->cause == RW_CAUSE_AMEND && m->cause_deal) {
        decimal(t, "cause.from", m->cause_from, m->cause_deal->exp);
        decimal(t, "cause.to", m->cause_to, m->cause_deal->exp);
    } else if (tr->cause == RW_CAUSE_CANCEL && m->cause_deal == k->deal) {
        /* the clawback: inside the reward's days, counted from the trigger (another deal's says nothing of this one) */
        integer(t, "cause.clawback_days", k->reward->clawback_days);
        integer(t, "cause.days_since_trigger", (en->earned_at - k->at) / 86400);
    }
}

static void hold_part(rewards_trace *t, const rw_entry *en, const rw_trace *tr)
{
    if (!tr->hold) {
        str(t, "hold.reason", NULL);
        return;
    }
    const rw_trace_more *m = &tr->more;
    str(t, "hold.reason", rw_hold_names[tr->hold]);
    timev(t, "hold.since", en->earned_at);
    timev(t, "hold.released_at", tr->release ? m->released_at : RW_NONE);
    str(t, "hold.released_by", tr->release ? cause_words[tr->release] : NULL);
    if (tr->release)
        str(t, "hold.released_to", m->released_to ? m->released_to->id : en->partner->id);
    if (tr->release)
        str(t, "hold.released_to_type", m->released_to ? "sales_rep" : "partner");
}

rewards_status rw_trace_build(rw_engine *e, const rw_entry *en, rewards_trace *t)
{
    const rw_contrib *k = en->contrib;
    integer(t, "version", 1);
    integer(t, "entry", (int64_t)en->number);
    str(t, "type", rw_entry_type_names[en->type]);
    decimal(t, "amount", en->amount, rw_entry_exp(en));
    str(t, "currency", rw_entry_currency(en));
    str(t, "status", rw_status_names[en->status]);
    str(t, "partner", en->partner->id);
    str(t, "recipient_type", rw_recipient_names[en->to]);
    str(t, "recipient", en->to == RW_TO_PARTNER ? en->partner->id : en->to_user ? en->to_user->id : NULL);
    timev(t, "at", en->earned_at);
    if (!k) {
        str(t, "history", "complete");
        if (en->type == RW_ENTRY_MANUAL) {
            str(t, "cause.kind", "manual");
            str(t, "manual.id", rw_entry_adjust_id(en));
            str(t, "manual.deal", rw_entry_deal(en) ? rw_entry_deal(en)->id : NULL);
            str(t, "manual.note", rw_entry_note(en));
        } else {
            str(t, "cause.kind", "redemption");
            str(t, "redemption.id", rw_entry_redemption_id(en));
        }
        return t->failed ? rw_nomem(e) : REWARDS_OK;
    }
    rw_trace unpacked;
    const rw_trace *tr = NULL;
    if (en->trace) {
        rw_trace_unpack(en->trace, &unpacked);
        tr = &unpacked;
    }
    str(t, "history", tr ? "complete" : "unknown");
    str(t, "trigger.kind", rw_contrib_covered(k) ? "override" : k->trigger == RW_TRIG_ACTIVITY ? "activity" : rw_trigger_names[k->trigger]);
    timev(t, "trigger.at", k->at);
    str(t, "trigger.deal", k->deal->id);
    if (k->deal->activity_type)
        str(t, "trigger.activity_type", k->deal->activity_type);
    str(t, "trigger.period", rw_contrib_period(k)[0] ? rw_contrib_period(k) : NULL);
    reward_part(t, k->reward);
    const rw_partner *who = rw_contrib_covered(k) ? k->deal->partner->parent : k->deal->partner;
    /* the level at the trigger: the contribution was made then (an override's, when mirroring began) */
    const rw_level *lv = level_at(e, who, k->h.seq);
    str(t, "level", lv ? lv->id : NULL);
    if (tr) {
        cause_part(t, en, tr);
        calc_part(t, en, tr);
        hold_part(t, en, tr);
    } else {
        /* what the records still say: the reason it is held now, if it is */
        str(t, "hold.reason", en->hold ? rw_hold_names[en->hold] : NULL);
    }
    return t->failed ? rw_nomem(e) : REWARDS_OK;
}
