/*
 * adjust.c - manual adjustments: entries the host enters by hand (type
 * "manual"), for a partner or one of its users.
 *
 * A manual entry has no contribution: nothing recomputes, claws back,
 * holds or overrides it (rw_entry_add, which the override mirror hangs on,
 * is never used for it).  It is paid (money) or counted in the points
 * balance (points, once approved) like any entry, because approvals,
 * payouts and balances look only at an entry's amount, currency, status
 * and recipient.  It keeps its adjustment id (unique among adjustments),
 * the deal or activity it names, and the host's note.
 */
#include "ops.h"

#include <string.h>

/* The amount: signed and non-zero in the program currency, or positive whole points. */
static rewards_status read_amount(rw_ctx *c, const rw_program *p, int *points, int64_t *out)
{
    const char *s;
    RW_TRY(rw_get_str(c, "amount", RW_REQUIRED, &s));
    /* the decimals allowed follow the currency field, read next */
    const rw_node *cur = rw_node_get(c->obj, "currency");
    *points = cur && cur->type == RW_V_STRING && !strcmp(cur->str, "PTS");
    int exp = *points ? 0 : p->exp;
    int64_t v;
    switch (rw_decimal_parse(s, strlen(s), exp, 1, &v)) {
    case RW_DEC_OK:
        break;
    case RW_DEC_OVERFLOW:
        return rw_fail(c->e, REWARDS_OVERFLOW, "field 'amount': %s does not fit in 64 bits", s);
    default:
        if (*points)
            return rw_fail(c->e, REWARDS_INVALID_ARGUMENT, "field 'amount': '%s' is not a whole number of points", s);
        return rw_fail(c->e, REWARDS_INVALID_ARGUMENT, "field 'amount': '%s' is not a signed amount with at most %d decimals",
                       s, exp);
    }
    if (v == 0)
        return rw_fail(c->e, REWARDS_INVALID_ARGUMENT, "field 'amount': a manual adjustment is never zero");
    if (*points && v < 0)
        return rw_fail(c->e, REWARDS_INVALID_ARGUMENT,
                       "field 'amount': points are adjusted up only (points are taken back with redeem)");
    *out = v;
    return REWARDS_OK;
}

rewards_status rw_op_adjust(rw_ctx *c)
{
    rw_engine *e = c->e;
    const char *id, *note;
    rw_partner *p;
    rw_user *u;
    rw_deal *d;
    int points, approved = 0;
    int64_t amount = 0;
    RW_TRY(rw_get_at(c));
    RW_TRY(rw_get_new_id(c, "id", &e->adjustments, "adjustment", &id));
    RW_TRY(rw_get_ref(c, "partner", RW_REQUIRED, &e->partners, "partner", (void **)&p));
    RW_TRY(rw_get_ref(c, "user", RW_OPTIONAL, &e->users, "user", (void **)&u));
    RW_TRY(read_amount(c, p->program, &points, &amount));
    if (rw_node_get(c->obj, "currency")) {
        char cur[4];
        int exp;
        RW_TRY(rw_get_currency(c, "currency", cur, &exp));
        if (strcmp(cur, "PTS") && strcmp(cur, p->program->currency))
            return rw_fail(e, REWARDS_INVALID_ARGUMENT, "field 'currency': '%s' is neither the program currency %s nor PTS",
                           cur, p->program->currency);
    }
    RW_TRY(rw_get_ref(c, "deal", RW_OPTIONAL, &e->deals, "deal or activity", (void **)&d));
    RW_TRY(rw_get_str(c, "note", RW_OPTIONAL, &note));
    RW_TRY(rw_get_bool(c, "approved", RW_OPTIONAL, &approved));
    /* the rules, in SPEC.md section 13's order */
    if (u && u->partner != p)
        return rw_fail(e, REWARDS_INVALID_ARGUMENT, "field 'user': user '%s' belongs to partner '%s', not '%s'", u->id,
                       u->partner->id, p->id);
    if (d && d->partner != p)
        return rw_fail(e, REWARDS_INVALID_ARGUMENT, "field 'deal': '%s' belongs to partner '%s', not '%s'", d->id,
                       d->partner->id, p->id);
    if (u && !u->portal_access)
        return rw_fail(e, REWARDS_NO_PORTAL_ACCESS, "user '%s' has no partner-portal access", u->id);

    rw_entry *en = rw_new_record(e, RW_KIND_ENTRY, sizeof *en);
    if (!en || !(en->extra = rw_slab_alloc(e, &e->general, sizeof *en->extra)) ||
        !(en->extra->adjust_id = rw_new_str(e, id, strlen(id))) ||
        (note && !(en->extra->note = rw_new_str(e, note, strlen(note)))))
        return rw_nomem(e);
    en->number = RW_COUNT(e, RW_KIND_ENTRY); /* it is the last of its kind's list already */
    en->type = RW_ENTRY_MANUAL;
    en->partner = p;
    en->to = u ? RW_TO_SALES_REP : RW_TO_PARTNER;
    en->to_user = u;
    en->amount = amount;
    en->extra->points = points;
    en->status = approved ? RW_ST_APPROVED : RW_ST_PENDING;
    en->earned_at = c->at;
    en->extra->deal = d;
    RW_TRY(rw_link_record(e, &en->h));
    rw_event ev = { REWARDS_EVENT_MANUAL_RECORDED, en, p, NULL, NULL, NULL, d, u, NULL, c->at };
    return rw_queue_event(e, &ev);
}
