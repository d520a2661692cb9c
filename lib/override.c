/*
 * override.c - two-tier programs: override rewards and their mirror entries.
 *
 * A partner may have a parent (set when it is created).  An override reward
 * (kind "override", recipient partner) pays the parent a rate of what its
 * children earn from the covered rewards.  It never fires on a trigger of
 * its own: every time an entry of type earned, adjustment or reversal in
 * the program currency is recorded for a covered reward on a child's deal
 * or activity, each override applicable to the parent at that moment
 * records one entry right after it (rw_override_mirror, called by
 * rw_entry_add, the only place such entries are made).
 *
 * The mirror state is a contribution (rw_contrib) whose reward is the
 * override and whose deal is the child's: one per (override, deal, covered
 * reward, child recipient) (the parent is fixed by the child).  Its base is
 * C, the child's net mirrored so far (every child entry counts, even one
 * whose mirror rounds to zero); its net is the parent's total.  Each new entry is
 * round(rate x (C + x)) - round(rate x C), which keeps the parent's total
 * at round(rate x the child's net) whatever order corrections come in, just
 * as tiers do.  Keeping it a contribution lets the ledger, the export and
 * restore treat mirror entries like any other entry; corrections never
 * touch it (no clawback days, no use of the deal amount, no hold).
 */
#include "ops.h"

#include <string.h>

static rewards_status refuse(rw_ctx *c, const char *key)
{
    if (rw_node_get(c->obj, key))
        return rw_fail(c->e, REWARDS_INVALID_ARGUMENT, "field '%s' does not apply to an override reward", key);
    return REWARDS_OK;
}

/* Field 'of': a non-empty list of ids of money rewards of the program that are not overrides. */
static rewards_status read_of(rw_ctx *c, rw_reward *r)
{
    const rw_node *list;
    RW_TRY(rw_field(c, "of", RW_OPTIONAL, &list));
    if (!list)
        return REWARDS_OK;
    if (list->type != RW_V_LIST || list->nkids == 0)
        return rw_fail(c->e, REWARDS_INVALID_ARGUMENT, "field 'of' must be a non-empty list of reward ids");
    if (list->nkids > 1000)
        return rw_fail(c->e, REWARDS_INVALID_ARGUMENT, "field 'of' has more than 1000 items");
    if (!(r->of = rw_new(c->e, list->nkids * sizeof *r->of)))
        return rw_nomem(c->e);
    for (size_t i = 0; i < list->nkids; i++) {
        const rw_node *n = &list->kids[i];
        if (n->type != RW_V_STRING || !*n->str || strlen(n->str) > 255 || !rw_utf8_valid(n->str, strlen(n->str)))
            return rw_fail(c->e, REWARDS_INVALID_ARGUMENT, "field 'of.%zu' must be a reward id of 1 to 255 bytes", i);
        rw_reward *w = rw_index_get(&c->e->rewards, n->str);
        if (!w)
            return rw_fail(c->e, REWARDS_NOT_FOUND, "field 'of.%zu': no reward '%s'", i, n->str);
        if (w->program != r->program)
            return rw_fail(c->e, REWARDS_INVALID_ARGUMENT, "field 'of.%zu': reward '%s' is not in program '%s'", i, w->id,
                           r->program->id);
        if (w->kind == RW_KIND_OVERRIDE)
            return rw_fail(c->e, REWARDS_INVALID_ARGUMENT, "field 'of.%zu': reward '%s' is an override (one level up only)",
                           i, w->id);
        if (w->kind == RW_KIND_POINTS)
            return rw_fail(c->e, REWARDS_INVALID_ARGUMENT, "field 'of.%zu': reward '%s' pays points, which are never overridden",
                           i, w->id);
        for (size_t j = 0; j < i; j++)
            if (r->of[j] == w)
                return rw_fail(c->e, REWARDS_INVALID_ARGUMENT, "field 'of.%zu': reward '%s' is listed twice", i, w->id);
        r->of[i] = w;
        r->nof = i + 1;
    }
    return REWARDS_OK;
}

rewards_status rw_op_override_reward(rw_ctx *c, const char *id, const char *name, rw_program *program, rw_level *level,
                                     int recipient)
{
    static const char *const before[] = { "per", "base", "exclusive", "priority", "rep_policy", "clawback_days", NULL };
    static const char *const others[] = { "amount", "tiers", "mode", "metric", "thresholds", "points",
                                          "points_per_unit", NULL };
    static const char *const after[] = { "cap_per_deal", "cap_per_period", "when", NULL };
    rw_engine *e = c->e;
    int auto_approve = 0;
    if (recipient != RW_TO_PARTNER)
        return rw_fail(e, REWARDS_INVALID_ARGUMENT, "field 'recipient': an override reward pays the parent: 'partner'");
    for (int i = 0; before[i]; i++)
        RW_TRY(refuse(c, before[i]));
    RW_TRY(rw_get_bool(c, "auto_approve", RW_OPTIONAL, &auto_approve));
    RW_TRY(refuse(c, "period"));
    for (int i = 0; others[i]; i++)
        RW_TRY(refuse(c, others[i]));

    rw_reward *r = rw_new_record(e, RW_KIND_REWARD, sizeof *r);
    if (!r || !(r->id = rw_new_str(e, id, strlen(id))) || !(r->name = rw_new_str(e, name, strlen(name))))
        return rw_nomem(e);
    r->program = program;
    r->level = level;
    r->trigger = RW_TRIG_ACTIVITY; /* never matched: an override has no activity type and fires on no trigger */
    r->recipient = RW_TO_PARTNER;
    r->kind = RW_KIND_OVERRIDE;
    r->policy = RW_POLICY_HOLD;
    r->auto_approve = auto_approve;
    r->period = RW_PERIOD_NONE;
    r->cap_deal = r->cap_period = RW_NONE;
    r->ppu_micro = RW_NONE;
    r->active_from = r->active_until = RW_NONE;

    const char *rate;
    RW_TRY(rw_get_str(c, "rate", RW_REQUIRED, &rate));
    if (rw_rate_parse(rate, strlen(rate), &r->rate_ppm) != RW_DEC_OK)
        return rw_fail(e, REWARDS_INVALID_ARGUMENT, "field 'rate': '%s' is not a rate with at most 4 decimals like \"2%%\"",
                       rate);
    if (r->rate_ppm > RW_PPM_ONE)
        return rw_fail(e, REWARDS_INVALID_ARGUMENT, "field 'rate': an override rate is at most 100%%");
    RW_TRY(read_of(c, r));
    for (int i = 0; after[i]; i++)
        RW_TRY(refuse(c, after[i]));
    RW_TRY(rw_get_time(c, "active_from", RW_OPTIONAL, &r->active_from));
    RW_TRY(rw_get_time(c, "active_until", RW_OPTIONAL, &r->active_until));
    if (r->active_from != RW_NONE && r->active_until != RW_NONE && r->active_until <= r->active_from)
        return rw_fail(e, REWARDS_INVALID_ARGUMENT, "field 'active_until' must be after 'active_from'");
    return rw_link_record(e, &r->h);
}

/* Is child reward w covered by override o?  Without 'of': decided now, so later rewards count. */
static int covers(const rw_reward *o, const rw_reward *w)
{
    if (o->nof) {
        for (size_t i = 0; i < o->nof; i++)
            if (o->of[i] == w)
                return 1;
        return 0;
    }
    return w->kind != RW_KIND_OVERRIDE && w->kind != RW_KIND_POINTS && w->recipient == RW_TO_PARTNER;
}

static rewards_status mirror_of(rw_engine *e, rw_reward *o, const rw_entry *child, rw_contrib **out)
{
    const rw_contrib *k = child->contrib;
    rw_deal *d = k->deal;
    for (size_t i = 0; i < d->contribs.len; i++) {
        rw_contrib *m = RW_VEC_AT(d->contribs, rw_contrib *, i);
        if (m->reward == o && rw_contrib_covered(m) == k->reward && rw_contrib_child_to(m) == child->to &&
            rw_contrib_child_user(m) == child->to_user) {
            *out = m;
            return REWARDS_OK;
        }
    }
    rw_contrib *m = rw_new_record(e, RW_KIND_CONTRIB, sizeof *m);
    if (!m)
        return rw_nomem(e);
    m->reward = o;
    m->deal = d;
    m->trigger = k->trigger;
    m->at = child->earned_at;
    m->to = RW_TO_PARTNER;
    m->line = -1; /* per deal */
    if (!(m->rare = rw_contrib_rare_new(e, 0, k->reward, child->to_user, child->to)))
        return rw_nomem(e);
    RW_TRY(rw_link_record(e, &m->h));
    *out = m;
    return REWARDS_OK;
}

rewards_status rw_override_mirror(rw_engine *e, const rw_entry *child, int64_t at)
{
    const rw_contrib *k = child->contrib;
    const rw_partner *parent = k->deal->partner->parent;
    const rw_program *p = k->reward->program;
    if (!parent || child->type > RW_ENTRY_REVERSAL || rw_entry_points(child))
        return REWARDS_OK;
    const rw_vec *rewards = &p->rewards;
    for (size_t i = 0; i < rewards->len; i++) {
        rw_reward *o = RW_VEC_AT(*rewards, rw_reward *, i);
        if (o->kind != RW_KIND_OVERRIDE || (o->level && o->level != parent->level) || !covers(o, k->reward))
            continue;
        if ((o->active_from != RW_NONE && at < o->active_from) || (o->active_until != RW_NONE && at >= o->active_until))
            continue;
        rw_contrib *m = NULL;
        RW_TRY(mirror_of(e, o, child, &m));
        /* C is the child's net mirrored so far (kept in base), not the parent's total */
        int64_t c = m->base, cx, before, after, diff;
        if (rw_add(c, child->amount, &cx) || rw_div_round((rw_i128)c * o->rate_ppm, RW_PPM_ONE, p->rounding, &before) ||
            rw_div_round((rw_i128)cx * o->rate_ppm, RW_PPM_ONE, p->rounding, &after) || rw_sub(after, before, &diff))
            return rw_fail(e, REWARDS_OVERFLOW, "the amount of override '%s' does not fit in 64 bits", o->id);
        if (RW_MARK_SET(e, m, m->base, cx))
            return rw_nomem(e);
        if (diff) {
            /* the mirror's trace: C before, the child's amount, the child entry (trace.c) */
            rw_trace_calc saved = e->trace.calc;
            rw_trace_calc_begin(e, m, child->amount, 1, c, 0, NULL);
            e->trace.calc.base = c;
            e->trace.source = child->number;
            rewards_status st = rw_entry_add(e, m, 0, diff, child->type, at);
            e->trace.calc = saved;
            e->trace.source = 0;
            RW_TRY(st);
        }
    }
    return REWARDS_OK;
}
