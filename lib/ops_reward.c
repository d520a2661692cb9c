/*
 * ops_reward.c - the reward operation: validating a reward definition
 * completely (every kind's fields, caps, the condition, effective dates)
 * before it can ever fire, with a message that names the offending field.
 */
#include "ops.h"

#include <stdio.h>
#include <string.h>

const char *const rw_trigger_names[] = { "deal_registered", "deal_approved", "deal_won", "deal_contract_started",
                                         "deal_renewed", "deal_paid", NULL };

static const char *const kinds[] = { "percent", "fixed", "tiered", "milestone", "points", "override", NULL };
static const char *const recipients[] = { "partner", "sales_rep", NULL };
static const char *const policies[] = { "hold", "partner", "skip", NULL };
static const char *const periods[] = { "month", "quarter", "year", NULL };
static const char *const modes[] = { "graduated", "retroactive", NULL };
static const char *const metrics[] = { "revenue", "deals", "units", NULL };
static const char *const pers[] = { "deal", "line", NULL };
static const char *const bases[] = { "amount", "margin", NULL };

/* A trigger's name for messages: "deal_won", or "activity" for activity:TYPE. */
static const char *trigger_label(int trigger)
{
    return trigger == RW_TRIG_ACTIVITY ? "activity" : rw_trigger_names[trigger];
}

/* per, base, exclusive and priority (SPEC section 13), in that order after kind.
 * atype: the activity type of an activity:TYPE trigger, else NULL. */
static rewards_status read_precedence(rw_ctx *c, rw_program *program, int trigger, const char *atype, int *per,
                                      int *base, const char **exclusive, int64_t *priority)
{
    /* only the four stage triggers value the deal's lines (an activity has none) */
    int stage_trigger = trigger >= RW_TRIG_REGISTERED && trigger <= RW_TRIG_CONTRACT_STARTED;
    RW_TRY(rw_get_enum(c, "per", RW_OPTIONAL, pers, per));
    if (*per < 0)
        *per = 0;
    if (*per == 1 && !stage_trigger)
        return rw_fail(c->e, REWARDS_INVALID_ARGUMENT, "field 'per': a per-line reward needs a stage trigger, not '%s'",
                       trigger_label(trigger));
    RW_TRY(rw_get_enum(c, "base", RW_OPTIONAL, bases, base));
    if (*base < 0)
        *base = 0;
    if (*base == 1 && !stage_trigger)
        return rw_fail(c->e, REWARDS_INVALID_ARGUMENT, "field 'base': a margin needs a stage trigger, not '%s'",
                       trigger_label(trigger));
    *exclusive = NULL;
    if (rw_node_get(c->obj, "exclusive")) {
        RW_TRY(rw_get_id(c, "exclusive", exclusive));
        const rw_reward *first = rw_exclusive_first(program, *exclusive);
        /* activity triggers share a trigger only with the same type */
        if (first && (first->trigger != (rw_trigger)trigger || first->per_line != *per ||
                      (trigger == RW_TRIG_ACTIVITY && strcmp(first->activity_type, atype))))
            return rw_fail(c->e, REWARDS_INVALID_ARGUMENT,
                           "field 'exclusive': the rewards of group '%s' share trigger and per with its first, '%s' (%s%s%s, per %s)",
                           *exclusive, first->id, trigger_label(first->trigger), first->activity_type ? ":" : "",
                           first->activity_type ? first->activity_type : "", pers[first->per_line]);
    }
    *priority = 0;
    return rw_get_int(c, "priority", RW_OPTIONAL, INT64_MIN, INT64_MAX, priority);
}

/* The fields each kind takes beyond the common ones. */
static const char *const kind_keys[][4] = {
    { "rate", NULL }, { "amount", NULL }, { "tiers", "mode", NULL }, { "metric", "thresholds", NULL },
    { "points", "points_per_unit", NULL }, { "rate", "of", NULL },
};
static const char *const all_kind_keys[] = { "rate", "amount", "tiers", "mode", "metric", "thresholds",
                                             "points", "points_per_unit", "of", NULL };

static rewards_status list_field(rw_ctx *c, const char *key, const rw_node **out)
{
    RW_TRY(rw_field(c, key, RW_REQUIRED, out));
    if ((*out)->type != RW_V_LIST || (*out)->nkids == 0)
        return rw_fail(c->e, REWARDS_INVALID_ARGUMENT, "field '%s' must be a non-empty list", key);
    if ((*out)->nkids > 1000)
        return rw_fail(c->e, REWARDS_INVALID_ARGUMENT, "field '%s' has more than 1000 items", key);
    return REWARDS_OK;
}

/* Read the fields of list item index of key (its keys were checked with the shape). */
static rewards_status item_ctx(rw_ctx *c, const rw_node *item, const char *key, char *prefix, size_t size, size_t index,
                               rw_ctx *sub)
{
    snprintf(prefix, size, "%s.%zu.", key, index);
    if (item->type != RW_V_OBJECT)
        return rw_fail(c->e, REWARDS_INVALID_ARGUMENT, "field '%s.%zu' must be an object", key, index);
    *sub = *c;
    sub->obj = item;
    sub->prefix = prefix;
    return REWARDS_OK;
}

static rewards_status read_tiers(rw_ctx *c, rw_reward *r, int exp)
{
    const rw_node *list;
    RW_TRY(list_field(c, "tiers", &list));
    r->tiers = rw_new(c->e, list->nkids * sizeof *r->tiers);
    if (!r->tiers)
        return rw_nomem(c->e);
    for (size_t i = 0; i < list->nkids; i++) {
        char prefix[64];
        rw_ctx sub;
        const char *rate;
        RW_TRY(item_ctx(c, &list->kids[i], "tiers", prefix, sizeof prefix, i, &sub));
        RW_TRY(rw_get_amount(&sub, "from", RW_REQUIRED, exp, 0, &r->tiers[i].from));
        if (i == 0 && r->tiers[i].from != 0)
            return rw_fail(c->e, REWARDS_INVALID_ARGUMENT, "field 'tiers.0.from': the first tier starts at \"0\"");
        if (i > 0 && r->tiers[i].from <= r->tiers[i - 1].from)
            return rw_fail(c->e, REWARDS_INVALID_ARGUMENT, "field '%sfrom': tiers must start in ascending order", prefix);
        RW_TRY(rw_get_str(&sub, "rate", RW_REQUIRED, &rate));
        rw_dec_result dr = rw_rate_parse(rate, strlen(rate), &r->tiers[i].ppm);
        if (dr == RW_DEC_RANGE)
            return rw_fail(c->e, REWARDS_INVALID_ARGUMENT, "field '%srate': '%s' is above 100%%", prefix, rate);
        if (dr != RW_DEC_OK)
            return rw_fail(c->e, REWARDS_INVALID_ARGUMENT, "field '%srate': '%s' is not a rate like \"12.5%%\"", prefix, rate);
        r->ntiers = i + 1;
    }
    return REWARDS_OK;
}

static rewards_status read_thresholds(rw_ctx *c, rw_reward *r, int exp)
{
    const rw_node *list;
    RW_TRY(list_field(c, "thresholds", &list));
    r->thresholds = rw_new(c->e, list->nkids * sizeof *r->thresholds);
    if (!r->thresholds)
        return rw_nomem(c->e);
    for (size_t i = 0; i < list->nkids; i++) {
        char prefix[64];
        rw_ctx sub;
        RW_TRY(item_ctx(c, &list->kids[i], "thresholds", prefix, sizeof prefix, i, &sub));
        RW_TRY(rw_get_amount(&sub, "at", RW_REQUIRED, r->metric == RW_METRIC_REVENUE ? exp : 0, 1, &r->thresholds[i].at));
        if (i > 0 && r->thresholds[i].at <= r->thresholds[i - 1].at)
            return rw_fail(c->e, REWARDS_INVALID_ARGUMENT, "field '%sat': thresholds must be strictly ascending", prefix);
        RW_TRY(rw_get_amount(&sub, "bonus", RW_REQUIRED, exp, 0, &r->thresholds[i].bonus));
        r->nthresholds = i + 1;
    }
    return REWARDS_OK;
}

static rewards_status read_kind_fields(rw_ctx *c, rw_reward *r, int period)
{
    const rw_program *p = r->program;
    /* a field of another kind is a mistake worth naming, not something to ignore */
    for (int i = 0; all_kind_keys[i]; i++) {
        int mine = 0;
        for (int k = 0; kind_keys[r->kind][k]; k++)
            mine |= !strcmp(kind_keys[r->kind][k], all_kind_keys[i]);
        if (!mine && rw_node_get(c->obj, all_kind_keys[i]))
            return rw_fail(c->e, REWARDS_INVALID_ARGUMENT, "field '%s' does not apply to a %s reward", all_kind_keys[i],
                           kinds[r->kind]);
    }
    if ((r->kind == RW_KIND_TIERED || r->kind == RW_KIND_MILESTONE) && period < 0)
        return rw_fail(c->e, REWARDS_INVALID_ARGUMENT, "missing field 'period': a %s reward accumulates over a period",
                       kinds[r->kind]);
    switch (r->kind) {
    case RW_KIND_PERCENT: {
        const char *rate;
        RW_TRY(rw_get_str(c, "rate", RW_REQUIRED, &rate));
        rw_dec_result dr = rw_rate_parse(rate, strlen(rate), &r->rate_ppm);
        if (dr == RW_DEC_RANGE)
            return rw_fail(c->e, REWARDS_INVALID_ARGUMENT, "field 'rate': '%s' is above 100%%", rate);
        if (dr != RW_DEC_OK)
            return rw_fail(c->e, REWARDS_INVALID_ARGUMENT, "field 'rate': '%s' is not a rate with at most 4 decimals like \"12.5%%\"", rate);
        return REWARDS_OK;
    }
    case RW_KIND_FIXED:
        return rw_get_amount(c, "amount", RW_REQUIRED, p->exp, 0, &r->amount);
    case RW_KIND_TIERED: {
        int mode;
        RW_TRY(read_tiers(c, r, p->exp));
        RW_TRY(rw_get_enum(c, "mode", RW_OPTIONAL, modes, &mode));
        r->retroactive = mode == 1;
        return REWARDS_OK;
    }
    case RW_KIND_MILESTONE: {
        int metric;
        RW_TRY(rw_get_enum(c, "metric", RW_REQUIRED, metrics, &metric));
        r->metric = (rw_metric)metric;
        return read_thresholds(c, r, p->exp);
    }
    case RW_KIND_OVERRIDE: /* override.c reads its own fields */
        break;
    case RW_KIND_POINTS: {
        const rw_node *pts = rw_node_get(c->obj, "points"), *ppu = rw_node_get(c->obj, "points_per_unit");
        if (!pts && !ppu)
            return rw_fail(c->e, REWARDS_INVALID_ARGUMENT, "missing field 'points' or 'points_per_unit'");
        if (pts && ppu)
            return rw_fail(c->e, REWARDS_INVALID_ARGUMENT, "field 'points_per_unit': give 'points' or 'points_per_unit', not both");
        r->ppu_micro = RW_NONE;
        if (pts)
            return rw_get_amount(c, "points", RW_REQUIRED, 0, 0, &r->amount);
        return rw_get_amount(c, "points_per_unit", RW_REQUIRED, 6, 0, &r->ppu_micro);
    }
    }
    return REWARDS_OK;
}

rewards_status rw_op_reward(rw_ctx *c)
{
    rw_engine *e = c->e;
    const char *id, *name, *when;
    rw_level *level = NULL;
    rw_program *program = NULL;
    int trigger, recipient, kind, policy, period;
    int64_t clawback = 0;
    int auto_approve = 0;
    RW_TRY(rw_get_new_id(c, "id", &e->rewards, "reward", &id));
    if (rw_node_get(c->obj, "level") && rw_node_get(c->obj, "program"))
        return rw_fail(e, REWARDS_INVALID_ARGUMENT, "field 'program': a reward belongs to a level or to a program, not both");
    if (rw_node_get(c->obj, "program")) {
        RW_TRY(rw_get_ref(c, "program", RW_REQUIRED, &e->programs, "program", (void **)&program));
    } else {
        if (!rw_node_get(c->obj, "level"))
            return rw_fail(e, REWARDS_INVALID_ARGUMENT, "missing field 'level' or 'program'");
        RW_TRY(rw_get_ref(c, "level", RW_REQUIRED, &e->levels, "level", (void **)&level));
        program = level->program;
    }
    RW_TRY(rw_get_str(c, "name", RW_REQUIRED, &name));
    /* an override takes no trigger: whether one is allowed depends on the kind, read after it */
    const rw_node *kn = rw_node_get(c->obj, "kind");
    const char *atype;
    RW_TRY(rw_read_trigger(c, kn && kn->type == RW_V_STRING && !strcmp(kn->str, "override"), &trigger, &atype));
    RW_TRY(rw_get_enum(c, "recipient", RW_REQUIRED, recipients, &recipient));
    RW_TRY(rw_get_enum(c, "kind", RW_REQUIRED, kinds, &kind));
    if (kind == RW_KIND_OVERRIDE)
        return rw_op_override_reward(c, id, name, program, level, recipient);
    int per, base;
    const char *exclusive;
    int64_t priority;
    RW_TRY(read_precedence(c, program, trigger, atype, &per, &base, &exclusive, &priority));
    RW_TRY(rw_get_enum(c, "rep_policy", RW_OPTIONAL, policies, &policy));
    RW_TRY(rw_get_int(c, "clawback_days", RW_OPTIONAL, 0, RW_CLAWBACK_DAYS_MAX, &clawback));
    RW_TRY(rw_get_bool(c, "auto_approve", RW_OPTIONAL, &auto_approve));
    RW_TRY(rw_get_enum(c, "period", RW_OPTIONAL, periods, &period));

    rw_reward *r = rw_new_record(e, RW_KIND_REWARD, sizeof *r);
    if (!r || !(r->id = rw_new_str(e, id, strlen(id))) || !(r->name = rw_new_str(e, name, strlen(name))))
        return rw_nomem(e);
    r->program = program;
    r->level = level;
    r->trigger = (rw_trigger)trigger;
    r->recipient = (rw_recipient)recipient;
    r->kind = (rw_reward_kind)kind;
    r->policy = policy < 0 ? RW_POLICY_HOLD : (rw_policy)policy;
    r->clawback_days = clawback;
    r->auto_approve = auto_approve;
    r->period = period < 0 ? RW_PERIOD_NONE : (rw_period_kind)(period + 1);
    r->cap_deal = r->cap_period = RW_NONE;
    r->active_from = r->active_until = RW_NONE;
    if (atype && !(r->activity_type = rw_new_str(e, atype, strlen(atype))))
        return rw_nomem(e);
    r->per_line = per;
    r->margin = base;
    r->priority = priority;
    if (exclusive && !(r->exclusive = rw_new_str(e, exclusive, strlen(exclusive))))
        return rw_nomem(e);
    RW_TRY(read_kind_fields(c, r, period));

    int cappable = r->kind == RW_KIND_PERCENT || r->kind == RW_KIND_FIXED || r->kind == RW_KIND_TIERED;
    const char *caps[] = { "cap_per_deal", "cap_per_period" };
    int64_t *dst[] = { &r->cap_deal, &r->cap_period };
    for (int i = 0; i < 2; i++) {
        if (rw_node_get(c->obj, caps[i]) && !cappable)
            return rw_fail(e, REWARDS_INVALID_ARGUMENT, "field '%s' does not apply to a %s reward", caps[i], kinds[r->kind]);
        RW_TRY(rw_get_amount(c, caps[i], RW_OPTIONAL, program->exp, 0, dst[i]));
    }
    if (r->cap_period != RW_NONE && r->period == RW_PERIOD_NONE)
        return rw_fail(e, REWARDS_INVALID_ARGUMENT, "field 'cap_per_period' needs a 'period'");

    RW_TRY(rw_get_str(c, "when", RW_OPTIONAL, &when));
    if (when) {
        char msg[200];
        rewards_status st = rw_expr_compile(&e->alloc, when, strlen(when), &r->cond, msg, sizeof msg, NULL, NULL);
        if (st == REWARDS_NOMEM)
            return rw_nomem(e);
        if (st)
            return rw_fail(e, st, "field 'when': %s", msg);
        /* the compiled condition (one block) is owned by the record; the journal
         * frees it if the call fails, however late (event id, storage) */
        if (rw_free_on_rollback(e, r->cond)) {
            rw_expr_free(&e->alloc, r->cond);
            r->cond = NULL;
            return rw_nomem(e);
        }
        if (!(r->when = rw_new_str(e, when, strlen(when))))
            return rw_nomem(e);
    }
    rewards_status st = rw_get_time(c, "active_from", RW_OPTIONAL, &r->active_from);
    if (!st)
        st = rw_get_time(c, "active_until", RW_OPTIONAL, &r->active_until);
    if (!st && r->active_from != RW_NONE && r->active_until != RW_NONE && r->active_until <= r->active_from)
        st = rw_fail(e, REWARDS_INVALID_ARGUMENT, "field 'active_until' must be after 'active_from'");
    if (!st)
        st = rw_link_record(e, &r->h);
    return st;
}
