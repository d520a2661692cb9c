/*
 * evaluate.c - what a deal trigger earns, and what a correction changes.
 *
 * A reward that fires for a trigger becomes a contribution.  Contributions
 * of a reward with a period accumulate in a group (reward, period, partner,
 * beneficiary) in trigger order.  The amount a contribution should have
 * earned (its target, per slot: one slot, or one per milestone threshold)
 * depends only on its own facts and on the group's running metric and
 * total before it.  A new trigger is the last of its group, so its target
 * comes from the group's running totals in constant time; a correction
 * (amendment, clawback) recomputes the affected groups from their first
 * changed member on (each member keeps the running sums before it) and
 * records the difference between each target and what was recorded.  That
 * keeps the invariant of SPEC.md section 6 with work proportional to the
 * group members after the changed one, not to the ledger or the group.
 */
#include "ops.h"

#include <stdlib.h>
#include <string.h>

/* ---- FX ----------------------------------------------------------------- */

rewards_status rw_fx_rate_at(rw_engine *e, const char *from, const char *to, int64_t t, int64_t *rate)
{
    const rw_vec *v = rw_fx_pair(e, from, to);
    /* rates are registered in time order: the last one at or before t wins */
    size_t lo = 0, hi = v ? v->len : 0;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (RW_VEC_AT(*v, rw_fx *, mid)->at <= t)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (lo == 0) {
        char when[32];
        rw_time_format(t, when, sizeof when);
        return rw_fail(e, REWARDS_NO_FX_RATE, "no FX rate from %s to %s at or before %s", from, to, when);
    }
    *rate = RW_VEC_AT(*v, rw_fx *, lo - 1)->rate;
    return REWARDS_OK;
}

rewards_status rw_fx_convert(rw_engine *e, const rw_program *p, int64_t amount, int exp_from, int64_t rate, int64_t *out)
{
    /* amount x rate / 10^10, moved from the deal currency's exponent to the program's, rounded once */
    rw_i128 num = (rw_i128)amount * rate, den = (rw_i128)10000000000LL;
    if (p->exp >= exp_from) {
        rw_i128 scaled;
        if (__builtin_mul_overflow(num, (rw_i128)rw_pow10(p->exp - exp_from), &scaled))
            return rw_fail(e, REWARDS_OVERFLOW, "converting %lld at the FX rate overflows", (long long)amount);
        num = scaled;
    } else {
        den *= rw_pow10(exp_from - p->exp);
    }
    if (rw_div_round(num, den, p->rounding, out))
        return rw_fail(e, REWARDS_OVERFLOW, "converting %lld at the FX rate overflows", (long long)amount);
    return REWARDS_OK;
}

static int needs_amount(const rw_reward *r)
{
    switch (r->kind) {
    case RW_KIND_PERCENT:
    case RW_KIND_TIERED:
        return 1;
    case RW_KIND_MILESTONE:
        return r->metric == RW_METRIC_REVENUE;
    case RW_KIND_POINTS:
        return r->ppu_micro != RW_NONE;
    case RW_KIND_FIXED:
    case RW_KIND_OVERRIDE:
        break;
    }
    return 0;
}

/* The contribution's base in program currency, at the rate kept from its trigger. */
static rewards_status program_amount(rw_engine *e, const rw_contrib *k, int64_t *out)
{
    if (!rw_contrib_fx_rate(k)) {
        *out = k->base;
        return REWARDS_OK;
    }
    return rw_fx_convert(e, k->reward->program, k->base, k->deal->exp, rw_contrib_fx_rate(k), out);
}

rewards_status rw_contrib_metric(rw_engine *e, const rw_contrib *k, int64_t *out)
{
    const rw_reward *r = k->reward;
    *out = 0;
    if (k->voided)
        return REWARDS_OK;
    if (r->kind == RW_KIND_MILESTONE && r->metric == RW_METRIC_DEALS)
        *out = 1;
    else if (r->kind == RW_KIND_MILESTONE && r->metric == RW_METRIC_UNITS)
        *out = rw_deal_line_units(k->deal, k->line);
    else if (needs_amount(r))
        return program_amount(e, k, out);
    return REWARDS_OK;
}

/* ---- targets ------------------------------------------------------------ */

/* The exact commission on a cumulative amount c, in minor units x 10^6. */
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

static rewards_status overflow(rw_engine *e, const rw_reward *r)
{
    return rw_fail(e, REWARDS_OVERFLOW, "the amount of reward '%s' does not fit in 64 bits", r->id);
}

/*
 * Targets of contribution k given the group's cumulative metric and total
 * before it.  targets has rw_contrib_nslots(k) elements; *metric_after and
 * *total_after continue the running sums.  cap_used (NULL: 0) is what the
 * earlier lines of the same trigger of a per-line reward took of its
 * cap_per_deal, and is continued.
 */
static rewards_status compute_targets(rw_engine *e, const rw_contrib *k, int64_t metric_before, int64_t total_before,
                                      int64_t *targets, int64_t *metric_after, int64_t *total_after, int64_t *cap_used)
{
    const rw_reward *r = k->reward;
    const rw_program *p = r->program;
    int64_t m, t = 0;
    RW_TRY(rw_contrib_metric(e, k, &m));
    rw_trace_calc_begin(e, k, m, needs_amount(r), metric_before, total_before, cap_used);
    if (rw_add(metric_before, m, metric_after))
        return overflow(e, r);
    memset(targets, 0, rw_contrib_nslots(k) * sizeof *targets);
    *total_after = total_before;
    if (k->voided)
        return REWARDS_OK;
    switch (r->kind) {
    case RW_KIND_PERCENT:
        if (rw_div_round((rw_i128)m * r->rate_ppm, RW_PPM_ONE, p->rounding, &t))
            return overflow(e, r);
        break;
    case RW_KIND_FIXED:
        t = r->amount;
        break;
    case RW_KIND_TIERED: {
        int64_t before, after;
        if (rw_div_round(tier_exact(r, metric_before), RW_PPM_ONE, p->rounding, &before) ||
            rw_div_round(tier_exact(r, *metric_after), RW_PPM_ONE, p->rounding, &after) || rw_sub(after, before, &t))
            return overflow(e, r);
        break;
    }
    case RW_KIND_POINTS:
        if (r->ppu_micro == RW_NONE)
            t = r->amount;
        else if (rw_div_floor((rw_i128)r->ppu_micro * m, (rw_i128)RW_PPM_ONE * rw_pow10(p->exp), &t))
            return overflow(e, r);
        break;
    case RW_KIND_MILESTONE:
        for (size_t i = 0; i < r->nthresholds; i++)
            if (metric_before < r->thresholds[i].at && r->thresholds[i].at <= *metric_after) {
                targets[i] = r->thresholds[i].bonus;
                if (rw_add(*total_after, targets[i], total_after))
                    return overflow(e, r);
            }
        return REWARDS_OK;
    case RW_KIND_OVERRIDE: /* never a target of its own: override.c mirrors entries */
        break;
    }
    e->trace.calc.uncapped = t;
    if (r->cap_deal != RW_NONE) {
        /* per line: the trigger's lines share the cap, filled in line order */
        int64_t room = r->cap_deal;
        if (k->line >= 0 && cap_used && rw_sub(r->cap_deal, *cap_used, &room))
            return overflow(e, r);
        if (t > room)
            t = room;
    }
    if (r->cap_period != RW_NONE) {
        int64_t room = r->cap_period - total_before; /* both are non-negative: no overflow */
        if (room < 0)
            room = 0;
        if (t > room)
            t = room;
    }
    targets[0] = t;
    if (rw_add(*total_after, t, total_after) || (cap_used && rw_add(*cap_used, t, cap_used)))
        return overflow(e, r);
    return REWARDS_OK;
}

/* ---- firing ------------------------------------------------------------- */

typedef struct cond_ctx {
    const rw_deal *deal;
    int64_t amount;
    const char *stage;
    int64_t cycle_days;
    int64_t line; /* the line a per-line reward is evaluated for, -1: line.* are missing */
} cond_ctx;

void rw_attr_value(const rw_attrs *a, const char *name, size_t len, rw_xvalue *out)
{
    for (size_t i = 0; a && i < a->n; i++) {
        const rw_attr *at = &a->items[i];
        if (strlen(at->name) != len || memcmp(at->name, name, len))
            continue;
        if (at->type == RW_ATTR_STR) {
            out->type = RW_XV_STR;
            out->str = at->text;
            out->len = strlen(at->text);
        } else if (at->type == RW_ATTR_BOOL) {
            out->type = RW_XV_BOOL;
            out->b = at->text[0] == 't';
        } else {
            out->type = RW_XV_NUM;
            out->num = at->num;
        }
        return;
    }
}

static void set_str(rw_xvalue *v, const char *s)
{
    v->type = RW_XV_STR;
    v->str = s;
    v->len = strlen(s);
}

static void set_num(rw_xvalue *v, int64_t coef, int scale)
{
    v->type = RW_XV_NUM;
    v->num.coef = coef;
    v->num.scale = scale;
}

/* line.*: a deal without lines is one line (id "", product "", cost 0, no attrs). */
static void resolve_line(const cond_ctx *c, rw_xname name, const char *attr, size_t len, rw_xvalue *out)
{
    const rw_deal *d = c->deal;
    if (c->line < 0)
        return; /* missing in a per-deal reward */
    static const rw_deal_line none = { "", "", 0, 0, 0, NULL };
    rw_deal_line whole = none;
    const rw_deal_line *l = &whole;
    if (d->nlines) {
        l = &d->lines[c->line];
    } else {
        whole.amount = d->amount;
        whole.units = d->units;
    }
    switch (name) {
    case RW_XNAME_LINE_ID: set_str(out, l->id); break;
    case RW_XNAME_LINE_PRODUCT: set_str(out, l->product); break;
    case RW_XNAME_LINE_AMOUNT: set_num(out, l->amount, d->exp); break;
    case RW_XNAME_LINE_COST: set_num(out, l->cost, d->exp); break;
    case RW_XNAME_LINE_MARGIN: set_num(out, l->amount - l->cost, d->exp); break;
    case RW_XNAME_LINE_UNITS: set_num(out, l->units, 0); break;
    case RW_XNAME_LINE_ATTR: rw_attr_value(l->attrs, attr, len, out); break;
    default: break;
    }
}

static void resolve(void *ctx, rw_xname name, const char *attr, size_t len, rw_xvalue *out)
{
    const cond_ctx *c = ctx;
    const rw_deal *d = c->deal;
    memset(out, 0, sizeof *out);
    /* an activity has no deal.* names; a deal has no activity.* names */
    if (name == RW_XNAME_ACTIVITY_TYPE || name == RW_XNAME_ACTIVITY_UNITS || name == RW_XNAME_ACTIVITY_AMOUNT ||
        name == RW_XNAME_ACTIVITY_ATTR) {
        if (d->activity_type)
            rw_activity_resolve(d, name, attr, len, out);
        return;
    }
    if (d->activity_type && (name <= RW_XNAME_DEAL_ATTR || name == RW_XNAME_DEAL_COST || name == RW_XNAME_DEAL_MARGIN))
        return;
    switch (name) {
    case RW_XNAME_DEAL_AMOUNT: set_num(out, c->amount, d->exp); break;
    case RW_XNAME_DEAL_CURRENCY: set_str(out, d->currency); break;
    case RW_XNAME_DEAL_UNITS: set_num(out, d->units, 0); break;
    case RW_XNAME_DEAL_STAGE: set_str(out, c->stage); break;
    case RW_XNAME_DEAL_CYCLE_DAYS: set_num(out, c->cycle_days, 0); break;
    case RW_XNAME_DEAL_ATTR: rw_attr_value(d->attrs, attr, len, out); break;
    case RW_XNAME_PARTNER_ID: set_str(out, d->partner->id); break;
    case RW_XNAME_PARTNER_LEVEL: set_num(out, d->partner->level->rank, 0); break;
    case RW_XNAME_PARTNER_ATTR: rw_attr_value(d->partner->attrs, attr, len, out); break;
    case RW_XNAME_REP_ID:
        if (d->user)
            set_str(out, d->user->id);
        break;
    case RW_XNAME_REP_ATTR:
        if (d->user)
            rw_attr_value(d->user->attrs, attr, len, out);
        break;
    case RW_XNAME_DEAL_COST: set_num(out, d->cost, d->exp); break;
    case RW_XNAME_DEAL_MARGIN: set_num(out, d->amount - d->cost, d->exp); break;
    default:
        resolve_line(c, name, attr, len, out);
        break;
    }
}

/* deal.stage for each trigger; an activity has no stage (deal.* is missing there) */
static const char *const trigger_stage[RW_TRIG_COUNT] = { "registered", "approved", "won", "contract_started",
                                                          "renewed", "paid", "" };

static rewards_status add_entries(rw_engine *e, rw_contrib *k, const int64_t *targets, int64_t at)
{
    for (size_t s = 0, ns = rw_contrib_nslots(k); s < ns; s++)
        if (targets[s])
            RW_TRY(rw_entry_add(e, k, s, targets[s], RW_ENTRY_EARNED, at));
    return REWARDS_OK;
}

static rewards_status fire_one(rw_engine *e, rw_reward *r, rw_deal *d, rw_trigger trig, int64_t at, int64_t base,
                               int uses_deal_amount, int64_t line, int64_t *cap_used)
{
    const rw_program *p = d->partner->program;
    rw_user *u = r->recipient == RW_TO_SALES_REP ? d->user : NULL;
    rw_recipient to = r->recipient;
    rw_hold hold = RW_HOLD_NONE;
    if (r->recipient == RW_TO_SALES_REP && !(u && u->portal_access)) {
        rw_hold reason = u ? RW_HOLD_NO_ACCESS : RW_HOLD_NO_REP;
        if (r->policy == RW_POLICY_SKIP) {
            rw_event ev = { REWARDS_EVENT_REWARD_SKIPPED, NULL, d->partner, NULL, NULL, r, d, u, NULL, at };
            return rw_queue_event(e, &ev);
        }
        if (r->policy == RW_POLICY_PARTNER)
            to = RW_TO_PARTNER;
        else
            hold = reason;
    }
    int64_t rate = 0;
    if (needs_amount(r) && strcmp(d->currency, p->currency))
        RW_TRY(rw_fx_rate_at(e, d->currency, p->currency, at, &rate));

    /* The contribution keeps these narrow (engine.h); such counts would need
     * terabytes of input, but the check costs nothing. */
    if (line > INT32_MAX || (uint64_t)r->nthresholds > UINT32_MAX)
        return rw_fail(e, REWARDS_OVERFLOW, "%s: too many lines or thresholds", r->id);
    rw_contrib *k = rw_new_record(e, RW_KIND_CONTRIB, sizeof *k);
    if (!k)
        return rw_nomem(e);
    k->reward = r;
    k->deal = d;
    k->trigger = (uint8_t)trig;
    k->at = at;
    k->line = (int32_t)line;
    /* a stage trigger values the deal (or line) on its current facts; a renewal or payment its own amount */
    k->base = uses_deal_amount ? rw_deal_base(d, line, r->margin) : base;
    if (rate && !(k->rare = rw_contrib_rare_new(e, rate, NULL, NULL, 0)))
        return rw_nomem(e);
    k->beneficiary = u;
    k->to = (uint8_t)to;
    k->to_user = to == RW_TO_SALES_REP ? u : NULL;
    k->hold = (uint8_t)hold;
    size_t nslots = rw_contrib_nslots(k);
    int64_t targets_small[8], *targets = targets_small;
    if (nslots > 1 && !(k->net.many = rw_slab_alloc(e, &e->general, nslots * sizeof *k->net.many)))
        return rw_nomem(e);
    if (nslots > 8 && !(targets = rw_malloc(&e->alloc, nslots * sizeof *targets)))
        return rw_nomem(e);
    rw_group *g;
    int64_t m_after, t_after;
    rewards_status st = rw_group_of(e, k, &g);
    k->group = g;
    if (!st)
        st = compute_targets(e, k, g ? g->metric : 0, g ? g->total : 0, targets, &m_after, &t_after, cap_used);
    if (!st)
        st = rw_link_record(e, &k->h);
    if (!st)
        st = add_entries(e, k, targets, at);
    if (targets != targets_small)
        rw_free(&e->alloc, targets);
    return st;
}

/* Level, active window and trigger: whether r applies at all to this trigger. */
static int applies(const rw_reward *r, const rw_deal *d, rw_trigger trig, int64_t at)
{
    const rw_partner *pa = d->partner;
    if (r->trigger != trig || (r->level && r->level != pa->level))
        return 0;
    /* activity:TYPE fires for activities of that type only (an override has no type) */
    if (trig == RW_TRIG_ACTIVITY && (!r->activity_type || strcmp(r->activity_type, d->activity_type)))
        return 0;
    return !((r->active_from != RW_NONE && at < r->active_from) || (r->active_until != RW_NONE && at >= r->active_until));
}

/*
 * Marks in fire[] (one byte per reward of the program) the rewards that
 * fire for one unit of a trigger: the deal (line < 0, per-deal rewards) or
 * one of its lines (per-line rewards).  Exclusive groups are settled by
 * rw_exclusive_choose among the rewards that passed level, window and
 * condition.
 */
static void choose(const rw_vec *rewards, const rw_partner *pa, rw_trigger trig, int64_t at, cond_ctx *cc,
                   rw_reward **cand, size_t *pos, unsigned char *chosen, unsigned char *fire)
{
    (void)pa; /* the deal's partner: applies() reads it from cc->deal */
    size_t m = 0;
    for (size_t i = 0; i < rewards->len; i++) {
        rw_reward *r = RW_VEC_AT(*rewards, rw_reward *, i);
        fire[i] = 0;
        if (!applies(r, cc->deal, trig, at) || r->per_line != (cc->line >= 0))
            continue;
        if (r->cond && !rw_expr_eval(r->cond, resolve, cc))
            continue;
        cand[m] = r;
        pos[m++] = i;
    }
    rw_exclusive_choose(cand, m, chosen);
    for (size_t j = 0; j < m; j++)
        fire[pos[j]] = chosen[j];
}

rewards_status rw_fire(rw_engine *e, rw_deal *d, rw_trigger trig, int64_t at, int64_t base, int uses_deal_amount)
{
    const rw_partner *pa = d->partner;
    cond_ctx cc = { d, base, trigger_stage[trig], 0, -1 };
    /* floor division: a trigger is never before registration, but be exact anyway */
    int64_t diff = at - d->registered_at;
    cc.cycle_days = diff >= 0 ? diff / 86400 : -((-diff + 86399) / 86400);
    const rw_vec *rewards = &pa->program->rewards;
    size_t n = rewards->len;
    if (!n)
        return REWARDS_OK;
    int any_line = 0;
    for (size_t i = 0; i < n && !any_line; i++) {
        const rw_reward *r = RW_VEC_AT(*rewards, rw_reward *, i);
        any_line = r->per_line && applies(r, d, trig, at);
    }
    /* fire[0..n): per deal; fire[(1 + l) * n ..): line l, when a per-line reward applies */
    size_t nl = any_line ? rw_deal_line_count(d) : 0;
    /* the usual plan fits on the stack: no allocation on the hot path */
    enum { SMALL = 32, SMALL_FIRE = 512 };
    rw_reward *cand_s[SMALL];
    size_t pos_s[SMALL];
    unsigned char chosen_s[SMALL], fire_s[SMALL_FIRE];
    int small = n <= SMALL && n * (1 + nl) <= SMALL_FIRE;
    rw_reward **cand = small ? cand_s : rw_malloc(&e->alloc, n * sizeof *cand);
    size_t *pos = small ? pos_s : rw_malloc(&e->alloc, n * sizeof *pos);
    unsigned char *chosen = small ? chosen_s : rw_malloc(&e->alloc, n);
    unsigned char *fire = small ? fire_s : rw_malloc(&e->alloc, n * (1 + nl));
    rewards_status st = REWARDS_OK;
    if (!cand || !pos || !chosen || !fire) {
        st = rw_nomem(e);
        goto done;
    }
    choose(rewards, pa, trig, at, &cc, cand, pos, chosen, fire);
    for (size_t l = 0; l < nl; l++) {
        cc.line = (int64_t)l;
        choose(rewards, pa, trig, at, &cc, cand, pos, chosen, fire + (1 + l) * n);
    }
    /* entries: rewards in creation order, a per-line reward's in line order */
    for (size_t i = 0; i < n && !st; i++) {
        rw_reward *r = RW_VEC_AT(*rewards, rw_reward *, i);
        if (!r->per_line) {
            if (fire[i])
                st = fire_one(e, r, d, trig, at, base, uses_deal_amount, -1, NULL);
            continue;
        }
        int64_t cap_used = 0;
        for (size_t l = 0; l < nl && !st; l++)
            if (fire[(1 + l) * n + i])
                st = fire_one(e, r, d, trig, at, base, uses_deal_amount, (int64_t)l, &cap_used);
    }
done:
    if (!small) {
        rw_free(&e->alloc, cand);
        rw_free(&e->alloc, pos);
        rw_free(&e->alloc, chosen);
        rw_free(&e->alloc, fire);
    }
    return st;
}

/* ---- corrections -------------------------------------------------------- */

typedef struct correction {
    rw_contrib *k;
    size_t slot;
    int64_t diff;
    rw_trace_calc calc; /* the computation's numbers, for the entry's trace */
} correction;

typedef struct scratch {
    rw_engine *e;
    correction *items;
    size_t n, cap;
} scratch;

static rewards_status note(scratch *s, rw_contrib *k, const int64_t *targets)
{
    for (size_t slot = 0, ns = rw_contrib_nslots(k); slot < ns; slot++) {
        int64_t diff;
        if (rw_sub(targets[slot], rw_contrib_net_at(k, slot), &diff))
            return overflow(s->e, k->reward);
        if (!diff)
            continue;
        if (s->n == s->cap) {
            size_t ncap = s->cap ? s->cap * 2 : 16;
            correction *p = rw_realloc(&s->e->alloc, s->items, ncap * sizeof *p);
            if (!p)
                return rw_nomem(s->e);
            s->items = p;
            s->cap = ncap;
        }
        correction c = { k, slot, diff, s->e->trace.calc };
        s->items[s->n++] = c;
    }
    return REWARDS_OK;
}

static int by_record_order(const void *a, const void *b)
{
    const correction *x = a, *y = b;
    if (x->k->h.seq != y->k->h.seq)
        return x->k->h.seq < y->k->h.seq ? -1 : 1;
    return x->slot < y->slot ? -1 : x->slot > y->slot;
}

/* Two contributions of one per-line reward for the same trigger of a deal share its cap_per_deal. */
static int siblings(const rw_contrib *a, const rw_contrib *b)
{
    return a && b && a->line >= 0 && b->line >= 0 && a->reward == b->reward && a->deal == b->deal &&
           a->trigger == b->trigger && a->at == b->at;
}

/*
 * Recompute group g from member `from` on: the members before it keep
 * their targets (their facts did not change, and a target depends only on
 * its member's facts and the running sums before it), so the running
 * metric and total start from what `from` kept of them.  A per-line
 * trigger's lines share a cap_per_deal: the walk starts at the first line
 * of the trigger `from` belongs to.  Each member's kept sums follow.
 */
static rewards_status recompute_group(rw_engine *e, rw_group *g, size_t from, scratch *s, int64_t *targets)
{
    rw_contrib **ks = (rw_contrib **)g->contribs.data;
    while (from > 0 && siblings(ks[from - 1], ks[from]))
        from--;
    rw_before *bs = g->befores;
    int64_t metric = bs[from].metric, total = bs[from].total, cap_used = 0;
    const rw_contrib *prev = NULL;
    for (size_t i = from; i < g->contribs.len; i++) {
        rw_contrib *k = ks[i];
        /* a trigger's lines are consecutive in their group: the cap room restarts with each trigger */
        if (!siblings(prev, k))
            cap_used = 0;
        prev = k;
        if ((bs[i].metric != metric && RW_SET(e, bs[i].metric, metric)) ||
            (bs[i].total != total && RW_SET(e, bs[i].total, total)))
            return rw_nomem(e);
        RW_TRY(compute_targets(e, k, metric, total, targets, &metric, &total, &cap_used));
        RW_TRY(note(s, k, targets));
    }
    if (RW_SET(e, g->metric, metric))
        return rw_nomem(e);
    return REWARDS_OK;
}

/*
 * A contribution without a group: alone, or with the other lines of its
 * trigger when a per-line reward has a cap_per_deal (they are consecutive
 * in the deal's list, in line order).
 */
static rewards_status recompute_alone(rw_engine *e, rw_contrib *k, scratch *s, int64_t *targets)
{
    int64_t m, t, cap_used = 0;
    if (k->line < 0 || k->reward->cap_deal == RW_NONE) {
        RW_TRY(compute_targets(e, k, 0, 0, targets, &m, &t, NULL));
        return note(s, k, targets);
    }
    const rw_vec *v = &k->deal->contribs;
    for (size_t i = 0; i < v->len; i++) {
        rw_contrib *o = RW_VEC_AT(*v, rw_contrib *, i);
        if (!siblings(o, k))
            continue;
        RW_TRY(compute_targets(e, o, 0, 0, targets, &m, &t, &cap_used));
        RW_TRY(note(s, o, targets));
    }
    return REWARDS_OK;
}

static rewards_status recompute(rw_engine *e, rw_contrib **changed, size_t n, const rw_deal *cancelled, int64_t at,
                                scratch *s, int64_t *targets)
{
    for (size_t i = 0; i < n; i++) {
        rw_contrib *k = changed[i];
        int shared = !k->group && k->line >= 0 && k->reward->cap_deal != RW_NONE;
        int seen = 0;
        for (size_t j = 0; j < i && !seen; j++)
            seen = k->group ? changed[j]->group == k->group : shared ? siblings(changed[j], k) : changed[j] == k;
        if (seen)
            continue;
        if (k->group) {
            /* from the group's first changed member on */
            const rw_contrib *first = k;
            for (size_t j = i + 1; j < n; j++)
                if (changed[j]->group == k->group && changed[j]->h.seq < first->h.seq)
                    first = changed[j];
            size_t from = rw_group_position(k->group, first);
            RW_TRY(recompute_group(e, k->group, from, s, targets));
        }
        else
            RW_TRY(recompute_alone(e, k, s, targets));
    }
    if (s->n) /* items is NULL when nothing changed: qsort must not be given NULL */
        qsort(s->items, s->n, sizeof *s->items, by_record_order);
    for (size_t i = 0; i < s->n; i++) {
        correction *c = &s->items[i];
        int own = cancelled && c->k->deal == cancelled && c->k->voided;
        e->trace.calc = c->calc;
        RW_TRY(rw_entry_add(e, c->k, c->slot, c->diff, own ? RW_ENTRY_REVERSAL : RW_ENTRY_ADJUSTMENT, at));
    }
    return REWARDS_OK;
}

rewards_status rw_recompute(rw_engine *e, rw_contrib **changed, size_t n, const rw_deal *cancelled, int64_t at)
{
    /* every contribution of a group belongs to one reward, so has its slot count */
    size_t slots = 1;
    for (size_t i = 0; i < n; i++)
        if (rw_contrib_nslots(changed[i]) > slots)
            slots = rw_contrib_nslots(changed[i]);
    scratch s = { e, NULL, 0, 0 };
    int64_t *targets = rw_malloc(&e->alloc, slots * sizeof *targets);
    if (!targets)
        return rw_nomem(e);
    rewards_status st = recompute(e, changed, n, cancelled, at, &s, targets);
    rw_free(&e->alloc, targets);
    rw_free(&e->alloc, s.items);
    return st;
}
