/*
 * activity.c - activities: triggers that are not deal stages (a
 * certification, a referral sign-up, a training).
 *
 * An activity fires the rewards whose trigger is activity:TYPE exactly as a
 * deal stage fires its rewards, so it is kept as a deal record (rw_deal with
 * activity_type set, record kind RW_KIND_ACTIVITY) and goes through the
 * same rw_fire: level, active window, condition, eligibility and holds,
 * caps, periods, FX and the ledger's deal column all come for free, and
 * anything added to that path later (exclusive groups) applies to both.
 * What differs is kept here: the operation, the trigger name, the
 * activity.* condition names, and refusing an activity where only a deal
 * goes (stage, payment, amend).  Activities share the deals' id index: an
 * id is unique among deals and activities, and release, assign and adjust
 * find either.  An activity never changes after it is recorded.
 */
#include "ops.h"

#include <string.h>

#define ACTIVITY_PREFIX "activity:"

rewards_status rw_read_trigger(rw_ctx *c, int is_override, int *trigger, const char **atype)
{
    const char *s;
    *atype = NULL;
    if (is_override) {
        if (rw_node_get(c->obj, "trigger"))
            return rw_fail(c->e, REWARDS_INVALID_ARGUMENT, "field 'trigger': an override reward has no trigger");
        *trigger = RW_TRIG_ACTIVITY;
        return REWARDS_OK;
    }
    RW_TRY(rw_get_str(c, "trigger", RW_REQUIRED, &s));
    size_t n = strlen(ACTIVITY_PREFIX);
    if (!strncmp(s, ACTIVITY_PREFIX, n)) {
        size_t len = strlen(s + n);
        if (len == 0 || len > 255)
            return rw_fail(c->e, REWARDS_INVALID_ARGUMENT,
                           "field 'trigger': the activity type after 'activity:' must be 1 to 255 bytes");
        *trigger = RW_TRIG_ACTIVITY;
        *atype = s + n;
        return REWARDS_OK;
    }
    for (int i = 0; rw_trigger_names[i]; i++)
        if (!strcmp(s, rw_trigger_names[i])) {
            *trigger = i;
            return REWARDS_OK;
        }
    return rw_fail(c->e, REWARDS_INVALID_ARGUMENT,
                   "field 'trigger': unknown trigger '%s' (a deal stage trigger or activity:TYPE)", s);
}

rewards_status rw_get_deal_only(rw_ctx *c, rw_deal **out)
{
    RW_TRY(rw_get_ref(c, "deal", RW_REQUIRED, &c->e->deals, "deal", (void **)out));
    if ((*out)->activity_type)
        return rw_fail(c->e, REWARDS_NOT_FOUND, "no deal '%s' ('%s' is an activity, which has no stages)", (*out)->id,
                       (*out)->id);
    return REWARDS_OK;
}

void rw_activity_resolve(const rw_deal *d, rw_xname name, const char *attr, size_t len, rw_xvalue *out)
{
    switch (name) {
    case RW_XNAME_ACTIVITY_TYPE:
        out->type = RW_XV_STR;
        out->str = d->activity_type;
        out->len = strlen(d->activity_type);
        break;
    case RW_XNAME_ACTIVITY_UNITS:
        out->type = RW_XV_NUM;
        out->num.coef = d->units;
        out->num.scale = 0;
        break;
    case RW_XNAME_ACTIVITY_AMOUNT:
        if (d->has_amount) {
            out->type = RW_XV_NUM;
            out->num.coef = d->amount;
            out->num.scale = d->exp;
        }
        break;
    case RW_XNAME_ACTIVITY_ATTR:
        rw_attr_value(d->attrs, attr, len, out);
        break;
    default:
        break;
    }
}

/* amount and currency come together; the amount is read with the currency's decimals. */
static rewards_status read_amount(rw_ctx *c, rw_deal *a)
{
    const rw_node *amount = rw_node_get(c->obj, "amount"), *cur = rw_node_get(c->obj, "currency");
    if (!amount && cur)
        return rw_fail(c->e, REWARDS_INVALID_ARGUMENT, "field 'currency' comes with an 'amount'");
    if (amount && !cur) {
        const char *s;
        RW_TRY(rw_get_str(c, "amount", RW_REQUIRED, &s)); /* a wrong type is reported first */
        return rw_fail(c->e, REWARDS_INVALID_ARGUMENT, "missing field 'currency': an 'amount' comes with its currency");
    }
    if (!amount)
        return REWARDS_OK;
    const char *s;
    RW_TRY(rw_get_str(c, "amount", RW_REQUIRED, &s));
    RW_TRY(rw_get_currency(c, "currency", a->currency, &a->exp));
    if (!strcmp(a->currency, "PTS"))
        return rw_fail(c->e, REWARDS_INVALID_ARGUMENT, "field 'currency': an activity's amount is not in points");
    RW_TRY(rw_get_amount(c, "amount", RW_REQUIRED, a->exp, 0, &a->amount));
    a->has_amount = 1;
    return REWARDS_OK;
}

rewards_status rw_op_activity(rw_ctx *c)
{
    rw_engine *e = c->e;
    const char *id, *type;
    rw_partner *p;
    rw_user *u;
    RW_TRY(rw_get_at(c));
    RW_TRY(rw_get_new_id(c, "id", &e->deals, "deal or activity", &id));
    RW_TRY(rw_get_ref(c, "partner", RW_REQUIRED, &e->partners, "partner", (void **)&p));
    RW_TRY(rw_get_ref(c, "user", RW_OPTIONAL, &e->users, "user", (void **)&u));
    RW_TRY(rw_get_str(c, "type", RW_REQUIRED, &type));
    if (!*type || strlen(type) > 255)
        return rw_fail(e, REWARDS_INVALID_ARGUMENT, "field 'type' must be 1 to 255 bytes");
    rw_deal *a = rw_new_record(e, RW_KIND_ACTIVITY, sizeof *a);
    if (!a)
        return rw_nomem(e);
    a->units = 1;
    RW_TRY(rw_get_int(c, "units", RW_OPTIONAL, 0, INT64_MAX, &a->units));
    /* without an amount the base is 0 in the program currency: no FX is ever needed */
    memcpy(a->currency, p->program->currency, 4);
    a->exp = p->program->exp;
    RW_TRY(read_amount(c, a));
    if (!a->has_amount)
        a->amount = 0;
    RW_TRY(rw_get_attrs(c, "attrs", &a->attrs));
    /* the rules: a user of the partner; portal access is not needed (rep rewards are then held) */
    if (u && u->partner != p)
        return rw_fail(e, REWARDS_INVALID_ARGUMENT, "field 'user': user '%s' belongs to partner '%s', not '%s'", u->id,
                       u->partner->id, p->id);
    if (!(a->id = rw_slab_str(e, id, strlen(id))) || !(a->activity_type = rw_new_str(e, type, strlen(type))))
        return rw_nomem(e);
    a->partner = p;
    a->user = u;
    a->stage = RW_STAGE_REGISTERED;
    a->registered_at = c->at;
    a->won_at = a->closed_at = RW_NONE;
    RW_TRY(rw_link_record(e, &a->h));
    return rw_fire(e, a, RW_TRIG_ACTIVITY, c->at, a->amount, 0);
}
