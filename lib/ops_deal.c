/*
 * ops_deal.c - deals and the people on them: creation, assignment, stage
 * changes (with their triggers and clawbacks), payments, amendments,
 * portal access, and releasing holds.
 */
#include "ops.h"

#include <string.h>

const char *const rw_stage_names[] = { "registered", "approved", "won", "contract_started", "lost", "cancelled", NULL };

/* An assignment needs a user of the deal's partner with portal access. */
static rewards_status check_assignable(rw_ctx *c, const rw_partner *p, const rw_user *u)
{
    if (u->partner != p)
        return rw_fail(c->e, REWARDS_INVALID_ARGUMENT, "field 'user': user '%s' belongs to partner '%s', not '%s'", u->id,
                       u->partner->id, p->id);
    if (!u->portal_access)
        return rw_fail(c->e, REWARDS_NO_PORTAL_ACCESS, "user '%s' has no partner-portal access", u->id);
    return REWARDS_OK;
}

static rewards_status release_deal(rw_engine *e, rw_deal *d, rw_recipient to, rw_user *u, int64_t at)
{
    for (size_t i = 0; i < d->contribs.len; i++) {
        rw_contrib *k = RW_VEC_AT(d->contribs, rw_contrib *, i);
        if (k->hold)
            RW_TRY(rw_release_contrib(e, k, to, u, at));
    }
    return REWARDS_OK;
}

rewards_status rw_op_deal(rw_ctx *c)
{
    rw_engine *e = c->e;
    const char *id;
    rw_partner *p;
    char cur[4];
    int exp;
    int64_t amount, units = 1;
    rw_attrs *attrs;
    rw_user *u;
    RW_TRY(rw_get_at(c));
    RW_TRY(rw_get_new_id(c, "id", &e->deals, "deal", &id));
    RW_TRY(rw_get_ref(c, "partner", RW_REQUIRED, &e->partners, "partner", (void **)&p));
    RW_TRY(rw_get_currency(c, "currency", cur, &exp));
    if (!strcmp(cur, "PTS"))
        return rw_fail(e, REWARDS_INVALID_ARGUMENT, "field 'currency': a deal is not in points");
    rw_deal *d = rw_new_record(e, RW_KIND_DEAL, sizeof *d);
    if (!d)
        return rw_nomem(e);
    memcpy(d->currency, cur, 4);
    d->exp = exp;
    /* amount or lines (SPEC section 13), checked at the amount's turn */
    const rw_node *an = rw_node_get(c->obj, "amount"), *ln = rw_node_get(c->obj, "lines");
    if (an && ln)
        return rw_fail(e, REWARDS_INVALID_ARGUMENT, "field 'lines': a deal gives 'amount' or 'lines', not both");
    if (!an && !ln)
        return rw_fail(e, REWARDS_INVALID_ARGUMENT, "missing field 'amount' or 'lines'");
    if (ln) {
        RW_TRY(rw_read_deal_lines(c, d));
        if (rw_node_get(c->obj, "units"))
            return rw_fail(e, REWARDS_INVALID_ARGUMENT,
                           "field 'units': a deal with lines has the sum of its lines' units");
        amount = d->amount;
        units = d->units;
    } else {
        RW_TRY(rw_get_amount(c, "amount", RW_REQUIRED, exp, 0, &amount));
        RW_TRY(rw_get_int(c, "units", RW_OPTIONAL, 0, INT64_MAX, &units));
    }
    RW_TRY(rw_get_attrs(c, "attrs", &attrs));
    RW_TRY(rw_get_ref(c, "user", RW_OPTIONAL, &e->users, "user", (void **)&u));
    if (u)
        RW_TRY(check_assignable(c, p, u));
    if (!(d->id = rw_slab_str(e, id, strlen(id)))) /* never changes: in the slab */
        return rw_nomem(e);
    d->partner = p;
    d->user = u;
    d->amount = amount;
    d->units = units;
    d->attrs = attrs;
    d->stage = RW_STAGE_REGISTERED;
    d->registered_at = c->at;
    d->won_at = d->closed_at = RW_NONE;
    RW_TRY(rw_link_record(e, &d->h));
    return rw_fire(e, d, RW_TRIG_REGISTERED, c->at, amount, 1);
}

rewards_status rw_op_assign(rw_ctx *c)
{
    rw_deal *d;
    rw_user *u;
    RW_TRY(rw_get_at(c));
    RW_TRY(rw_get_ref(c, "deal", RW_REQUIRED, &c->e->deals, "deal", (void **)&d));
    RW_TRY(rw_get_ref(c, "user", RW_REQUIRED, &c->e->users, "user", (void **)&u));
    RW_TRY(check_assignable(c, d->partner, u));
    if (RW_MARK_SET(c->e, d, d->user, u))
        return rw_nomem(c->e);
    rw_trace_cause_set(c->e, RW_CAUSE_ASSIGN, d, 0, 0);
    return release_deal(c->e, d, RW_TO_SALES_REP, u, c->at);
}

/*
 * Correct a deal's earnings: a cancellation (cancel) voids the contributions
 * still inside their reward's clawback window; an amendment re-bases the
 * contributions that follow the deal amount.  Then the affected groups are
 * recomputed and the differences recorded.
 */
static rewards_status correct_deal(rw_engine *e, rw_deal *d, int64_t at, int cancel, const unsigned char *lines_changed,
                                   int totals_changed)
{
    rw_contrib **changed = rw_malloc(&e->alloc, (d->contribs.len + 1) * sizeof *changed);
    if (!changed)
        return rw_nomem(e);
    size_t n = 0;
    rewards_status st = REWARDS_OK;
    for (size_t i = 0; i < d->contribs.len; i++) {
        rw_contrib *k = RW_VEC_AT(d->contribs, rw_contrib *, i);
        int64_t days = k->reward->clawback_days;
        int affected;
        if (cancel)
            affected = !k->voided && days > 0 && at - k->at <= days * 86400;
        else if (!rw_contrib_uses_deal_amount(k)) /* a renewal or payment: only a units milestone reads the deal */
            affected = totals_changed && k->reward->kind == RW_KIND_MILESTONE && k->reward->metric == RW_METRIC_UNITS;
        else if (k->line >= 0 && lines_changed)
            affected = lines_changed[k->line];
        else
            affected = totals_changed;
        if (!affected)
            continue;
        if (cancel ? RW_MARK_SET(e, k, k->voided, 1)
                   : rw_mark(e, &k->h) || (rw_contrib_uses_deal_amount(k) && RW_SET(e, k->base, rw_deal_base(d, k->line, rw_contrib_margin(k))))) {
            st = rw_nomem(e);
            break;
        }
        changed[n++] = k;
    }
    if (!st)
        st = rw_recompute(e, changed, n, cancel ? d : NULL, at);
    rw_free(&e->alloc, changed);
    return st;
}

static int stage_rank(rw_stage s)
{
    return s <= RW_STAGE_CONTRACT_STARTED ? (int)s : -1;
}

rewards_status rw_op_stage(rw_ctx *c)
{
    static const char *const names[] = { "registered", "approved", "won", "contract_started", "lost", "cancelled",
                                         "renewed", NULL };
    rw_engine *e = c->e;
    rw_deal *d;
    int target;
    int64_t amount = RW_NONE;
    RW_TRY(rw_get_at(c));
    RW_TRY(rw_get_deal_only(c, &d));
    RW_TRY(rw_get_enum(c, "stage", RW_REQUIRED, names, &target));
    int renewed = target == 6;
    if (!renewed && rw_node_get(c->obj, "amount"))
        return rw_fail(e, REWARDS_INVALID_ARGUMENT, "field 'amount' is only for stage 'renewed'");
    if (renewed)
        RW_TRY(rw_get_amount(c, "amount", RW_REQUIRED, d->exp, 0, &amount));

    rw_stage from = d->stage;
    int ok;
    if (renewed)
        ok = from == RW_STAGE_CONTRACT_STARTED;
    else if (target == RW_STAGE_LOST)
        ok = from == RW_STAGE_REGISTERED || from == RW_STAGE_APPROVED;
    else if (target == RW_STAGE_CANCELLED)
        ok = from == RW_STAGE_WON || from == RW_STAGE_CONTRACT_STARTED;
    else
        ok = stage_rank(from) >= 0 && target > stage_rank(from);
    if (!ok)
        return rw_fail(e, REWARDS_INVALID_TRANSITION, "deal '%s' cannot go from '%s' to '%s'", d->id, rw_stage_names[from],
                       names[target]);
    if (renewed)
        return rw_fire(e, d, RW_TRIG_RENEWED, c->at, amount, 0);

    if (RW_MARK_SET(e, d, d->stage, (rw_stage)target))
        return rw_nomem(e);
    switch ((rw_stage)target) {
    case RW_STAGE_APPROVED:
        return rw_fire(e, d, RW_TRIG_APPROVED, c->at, d->amount, 1);
    case RW_STAGE_WON:
    case RW_STAGE_CONTRACT_STARTED:
        if (d->won_at == RW_NONE && RW_SET(e, d->won_at, c->at))
            return rw_nomem(e);
        return rw_fire(e, d, target == RW_STAGE_WON ? RW_TRIG_WON : RW_TRIG_CONTRACT_STARTED, c->at, d->amount, 1);
    case RW_STAGE_LOST:
        return RW_SET(e, d->closed_at, c->at) ? rw_nomem(e) : REWARDS_OK;
    case RW_STAGE_CANCELLED:
        if (RW_SET(e, d->closed_at, c->at))
            return rw_nomem(e);
        rw_trace_cause_set(e, RW_CAUSE_CANCEL, d, from, target);
        return correct_deal(e, d, c->at, 1, NULL, 0);
    case RW_STAGE_REGISTERED:
        break;
    }
    return REWARDS_OK;
}

rewards_status rw_op_payment(rw_ctx *c)
{
    rw_deal *d;
    int64_t amount;
    RW_TRY(rw_get_at(c));
    RW_TRY(rw_get_deal_only(c, &d));
    RW_TRY(rw_get_amount(c, "amount", RW_REQUIRED, d->exp, 1, &amount));
    if (d->stage != RW_STAGE_WON && d->stage != RW_STAGE_CONTRACT_STARTED)
        return rw_fail(c->e, REWARDS_INVALID_TRANSITION, "deal '%s' is '%s': payments need a won deal", d->id,
                       rw_stage_names[d->stage]);
    return rw_fire(c->e, d, RW_TRIG_PAID, c->at, amount, 0);
}

rewards_status rw_op_amend(rw_ctx *c)
{
    rw_engine *e = c->e;
    rw_deal *d;
    int64_t amount;
    RW_TRY(rw_get_at(c));
    RW_TRY(rw_get_deal_only(c, &d));
    /* amount (a deal without lines) or lines (a deal with lines), SPEC section 13 */
    const rw_node *an = rw_node_get(c->obj, "amount"), *ln = rw_node_get(c->obj, "lines");
    if (an && ln)
        return rw_fail(e, REWARDS_INVALID_ARGUMENT, "field 'lines': an amendment gives 'amount' or 'lines', not both");
    if (ln) {
        if (!d->nlines)
            return rw_fail(e, REWARDS_INVALID_ARGUMENT, "field 'lines': deal '%s' has no lines: amend its amount", d->id);
        unsigned char *changed = rw_malloc(&e->alloc, d->nlines);
        if (!changed)
            return rw_nomem(e);
        int totals;
        rw_trace_cause_set(e, RW_CAUSE_AMEND, d, d->amount, 0);
        rewards_status st = rw_amend_deal_lines(c, d, changed, &totals);
        e->trace.cause.to = d->amount;
        if (!st)
            st = correct_deal(e, d, c->at, 0, changed, totals);
        rw_free(&e->alloc, changed);
        return st;
    }
    if (an && d->nlines)
        return rw_fail(e, REWARDS_INVALID_ARGUMENT, "field 'amount': deal '%s' has lines: amend its lines", d->id);
    if (!an)
        return rw_fail(e, REWARDS_INVALID_ARGUMENT, "missing field 'amount' or 'lines'");
    RW_TRY(rw_get_amount(c, "amount", RW_REQUIRED, d->exp, 0, &amount));
    if (d->stage == RW_STAGE_LOST || d->stage == RW_STAGE_CANCELLED)
        return rw_fail(e, REWARDS_INVALID_TRANSITION, "deal '%s' is '%s' and cannot be amended", d->id,
                       rw_stage_names[d->stage]);
    if (amount == d->amount)
        return REWARDS_OK;
    rw_trace_cause_set(e, RW_CAUSE_AMEND, d, d->amount, amount); /* the amount before, then after */
    if (RW_MARK_SET(e, d, d->amount, amount))
        return rw_nomem(e);
    return correct_deal(e, d, c->at, 0, NULL, 1);
}

rewards_status rw_op_user_access(rw_ctx *c)
{
    rw_user *u;
    int access = 0;
    RW_TRY(rw_get_at(c));
    RW_TRY(rw_get_ref(c, "user", RW_REQUIRED, &c->e->users, "user", (void **)&u));
    RW_TRY(rw_get_bool(c, "portal_access", RW_REQUIRED, &access));
    if (access == u->portal_access)
        return REWARDS_OK;
    if (RW_MARK_SET(c->e, u, u->portal_access, access))
        return rw_nomem(c->e);
    if (!access)
        return REWARDS_OK;
    /* access is back: what was held only for the want of it goes to the user
     * (the user's held list, in trigger order: not every contribution of the user) */
    rw_trace_cause_set(c->e, RW_CAUSE_ACCESS, NULL, 0, 0);
    for (size_t i = u->held_from; i < u->held.len; i++) {
        rw_contrib *k = RW_VEC_AT(u->held, rw_contrib *, i);
        if (k->hold == RW_HOLD_NO_ACCESS && k->to_user == u)
            RW_TRY(rw_release_contrib(c->e, k, RW_TO_SALES_REP, u, c->at));
    }
    if (u->held_from != u->held.len && RW_SET(c->e, u->held_from, u->held.len))
        return rw_nomem(c->e);
    return REWARDS_OK;
}

rewards_status rw_op_release(rw_ctx *c)
{
    static const char *const targets[] = { "partner", NULL };
    rw_deal *d;
    int to;
    RW_TRY(rw_get_at(c));
    RW_TRY(rw_get_ref(c, "deal", RW_REQUIRED, &c->e->deals, "deal", (void **)&d));
    RW_TRY(rw_get_enum(c, "to", RW_REQUIRED, targets, &to));
    rw_trace_cause_set(c->e, RW_CAUSE_RELEASE, d, 0, 0);
    return release_deal(c->e, d, RW_TO_PARTNER, NULL, c->at);
}
