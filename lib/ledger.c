/*
 * ledger.c - ledger entries: recording them (the only place an entry is
 * created), releasing holds, approvals, points redemptions and balances.
 * Recorded entries never change in amount; only their status, recipient
 * (while held) and payout move.
 */
#include "ops.h"

#include <string.h>

const char *const rw_entry_type_names[] = { "earned", "adjustment", "reversal", "redemption", "manual", NULL };
const char *const rw_status_names[] = { "pending", "approved", "held", "paid", "redeemed", NULL };
const char *const rw_hold_names[] = { "", "no_assigned_rep", "no_portal_access", NULL };
const char *const rw_recipient_names[] = { "partner", "sales_rep", NULL };

static rw_status released_status(const rw_reward *r)
{
    return r->auto_approve ? RW_ST_APPROVED : RW_ST_PENDING;
}

rewards_status rw_entry_add(rw_engine *e, rw_contrib *k, size_t slot, int64_t amount, rw_entry_type type, int64_t at)
{
    const rw_reward *r = k->reward;
    rw_entry *en = rw_new_record(e, RW_KIND_ENTRY, sizeof *en);
    if (!en)
        return rw_nomem(e);
    en->number = RW_COUNT(e, RW_KIND_ENTRY); /* it is the last of its kind's list already */
    en->type = type;
    en->contrib = k;
    en->slot = slot;
    /* an override's mirror is the parent's entry */
    en->partner = rw_contrib_covered(k) ? k->deal->partner->parent : k->deal->partner;
    en->to = k->to;
    en->to_user = k->to_user;
    en->amount = amount;
    en->hold = k->hold;
    en->status = k->hold ? RW_ST_HELD : released_status(r);
    en->earned_at = at;
    if (rw_trace_entry(e, en, type))
        return rw_nomem(e);
    RW_TRY(rw_link_record(e, &en->h));
    int type_ev = rw_contrib_covered(k)         ? REWARDS_EVENT_OVERRIDE_RECORDED
                  : type == RW_ENTRY_REVERSAL   ? REWARDS_EVENT_ENTRY_REVERSED
                  : type == RW_ENTRY_ADJUSTMENT ? REWARDS_EVENT_ENTRY_ADJUSTED
                  : k->hold                     ? REWARDS_EVENT_ENTRY_HELD
                                                : REWARDS_EVENT_ENTRY_EARNED;
    rw_event ev = { type_ev, en, en->partner, NULL, NULL, k->reward, k->deal, en->to_user, NULL, at };
    RW_TRY(rw_queue_event(e, &ev));
    /* the parent's override entries follow the child entry they mirror */
    return rw_contrib_covered(k) ? REWARDS_OK : rw_override_mirror(e, en, at);
}

rewards_status rw_release_contrib(rw_engine *e, rw_contrib *k, rw_recipient to, rw_user *user, int64_t at)
{
    if (RW_MARK_SET(e, k, k->to, to) || RW_SET(e, k->to_user, user) || RW_SET(e, k->hold, RW_HOLD_NONE))
        return rw_nomem(e);
    /* Its entries, in the order they were made, are among its deal's: a
     * contribution keeps no list of its own (a deal has a few entries, and
     * a list per contribution was 32 bytes for each of about 7 per deal). */
    const rw_vec *of_deal = &k->deal->entries;
    for (size_t i = 0; i < of_deal->len; i++) {
        rw_entry *en = RW_VEC_AT(*of_deal, rw_entry *, i);
        if (en->contrib != k || en->status != RW_ST_HELD)
            continue;
        if (rw_mark(e, &en->h))
            return rw_nomem(e);
        RW_TRY(rw_balance_add(e, en, -1));
        if (RW_SET(e, en->to, to) || RW_SET(e, en->to_user, user) || RW_SET(e, en->hold, RW_HOLD_NONE) ||
            RW_SET(e, en->status, released_status(k->reward)))
            return rw_nomem(e);
        RW_TRY(rw_balance_add(e, en, 1));
        RW_TRY(rw_equeue_note(e, en));
        if (rw_trace_release(e, en, at))
            return rw_nomem(e);
        rw_event ev = { REWARDS_EVENT_ENTRY_RELEASED, en, en->partner, NULL, NULL, k->reward, k->deal, user, NULL, at };
        RW_TRY(rw_queue_event(e, &ev));
    }
    return REWARDS_OK;
}

static rewards_status approve_entry(rw_engine *e, rw_entry *en)
{
    if (rw_mark(e, &en->h))
        return rw_nomem(e);
    RW_TRY(rw_balance_add(e, en, -1));
    if (RW_SET(e, en->status, RW_ST_APPROVED))
        return rw_nomem(e);
    RW_TRY(rw_balance_add(e, en, 1));
    return rw_equeue_note(e, en);
}

/*
 * Approval of listed entries: each, in list order, is an integer, exists,
 * does not repeat an earlier one and is pending; all or nothing (a failure
 * rolls back the ones approved before it).  A repeat is recognised without
 * any allocation: an earlier item was pending and this call approved it, so
 * only an entry that is approved now can be one, and only then are the
 * earlier items searched.
 */
static rewards_status approve_listed(rw_ctx *c, const rw_node *list)
{
    rw_engine *e = c->e;
    if (list->type != RW_V_LIST || list->nkids == 0)
        return rw_fail(e, REWARDS_INVALID_ARGUMENT, "field 'entries' must be a non-empty list");
    size_t count = RW_COUNT(e, RW_KIND_ENTRY);
    for (size_t i = 0; i < list->nkids; i++) {
        const rw_node *item = &list->kids[i];
        if (item->type != RW_V_INT)
            return rw_fail(e, REWARDS_INVALID_ARGUMENT, "field 'entries.%zu' must be an integer, not %s", i,
                           rw_vtype_name(item->type));
        if (item->num < 1 || (uint64_t)item->num > count)
            return rw_fail(e, REWARDS_NOT_FOUND, "field 'entries.%zu': no entry %lld", i, (long long)item->num);
        rw_entry *en = RW_REC_AT(e, RW_KIND_ENTRY, rw_entry, (size_t)item->num - 1);
        if (en->status == RW_ST_APPROVED)
            for (size_t j = 0; j < i; j++)
                if (list->kids[j].num == item->num)
                    return rw_fail(e, REWARDS_INVALID_ARGUMENT, "field 'entries.%zu': entry %lld is listed twice", i,
                                   (long long)item->num);
        if (en->status != RW_ST_PENDING)
            return rw_fail(e, REWARDS_INVALID_TRANSITION, "field 'entries.%zu': entry %lld is %s, not pending", i,
                           (long long)item->num, rw_status_names[en->status]);
        RW_TRY(approve_entry(e, en));
    }
    return REWARDS_OK;
}

/*
 * Approval up to a time, from the pending queue (entry_queue.c): its main
 * part is in time order, so the walk stops at the first pending entry
 * earned after until; its late part is read whole.  The order entries are
 * approved in shows nowhere: storage hears them in record order.
 */
static rewards_status approve_until(rw_engine *e, int64_t until)
{
    rw_equeue *q = &e->pending_q;
    size_t i = q->head;
    for (; i < q->len; i++) {
        rw_entry *en = rw_equeue_at(q, i);
        if (en->status != RW_ST_PENDING)
            continue;
        if (en->earned_at > until)
            break;
        RW_TRY(approve_entry(e, en));
    }
    RW_TRY(rw_equeue_advance(e, q, i, rw_entry_pending));
    for (size_t j = 0; j < q->nlate;) {
        rw_entry *en = q->late[j];
        if (en->status == RW_ST_PENDING && en->earned_at > until) {
            j++;
            continue;
        }
        if (en->status == RW_ST_PENDING)
            RW_TRY(approve_entry(e, en));
        RW_TRY(rw_equeue_drop_late(e, q, j));
    }
    return REWARDS_OK;
}

rewards_status rw_op_approve(rw_ctx *c)
{
    int64_t until;
    const rw_node *list;
    RW_TRY(rw_get_at(c));
    RW_TRY(rw_field(c, "entries", RW_OPTIONAL, &list));
    if (list) {
        if (rw_node_get(c->obj, "until"))
            return rw_fail(c->e, REWARDS_INVALID_ARGUMENT, "give 'until' or 'entries', not both");
        return approve_listed(c, list);
    }
    if (!rw_node_get(c->obj, "until"))
        return rw_fail(c->e, REWARDS_INVALID_ARGUMENT, "missing field 'until' (or 'entries')");
    RW_TRY(rw_get_time(c, "until", RW_REQUIRED, &until));
    return approve_until(c->e, until);
}

/* Redeemable points: approved points entries plus redemptions (negative), kept by balance.c. */
static rewards_status points_balance(rw_engine *e, const rw_balances *bal, int64_t *out)
{
    if (rw_balance_get(bal->points, out))
        return rw_fail(e, REWARDS_OVERFLOW, "the points balance overflows");
    return REWARDS_OK;
}

rewards_status rw_op_redeem(rw_ctx *c)
{
    static const char *const types[] = { "partner", "sales_rep", NULL };
    rw_engine *e = c->e;
    const char *id;
    int type;
    void *who;
    int64_t points, balance = 0;
    RW_TRY(rw_get_at(c));
    RW_TRY(rw_get_new_id(c, "id", &e->redemptions, "redemption", &id));
    RW_TRY(rw_get_enum(c, "recipient_type", RW_REQUIRED, types, &type));
    RW_TRY(rw_get_ref(c, "recipient", RW_REQUIRED, type == 0 ? &e->partners : &e->users, types[type], &who));
    RW_TRY(rw_get_amount(c, "points", RW_REQUIRED, 0, 1, &points));
    rw_partner *p = type == 0 ? who : ((rw_user *)who)->partner;
    RW_TRY(points_balance(e, type == 0 ? &p->bal : &((rw_user *)who)->bal, &balance));
    if (points > balance)
        return rw_fail(e, REWARDS_INSUFFICIENT_POINTS, "redeeming %lld points with %lld approved", (long long)points,
                       (long long)balance);
    rw_entry *en = rw_new_record(e, RW_KIND_ENTRY, sizeof *en);
    if (!en || !(en->extra = rw_slab_alloc(e, &e->general, sizeof *en->extra)) ||
        !(en->extra->redemption_id = rw_new_str(e, id, strlen(id))))
        return rw_nomem(e);
    en->number = RW_COUNT(e, RW_KIND_ENTRY); /* it is the last of its kind's list already */
    en->type = RW_ENTRY_REDEMPTION;
    en->partner = p;
    en->to = (rw_recipient)type;
    en->to_user = type == 1 ? who : NULL;
    en->amount = -points;
    en->extra->points = 1;
    en->status = RW_ST_REDEEMED;
    en->earned_at = c->at;
    RW_TRY(rw_link_record(e, &en->h));
    rw_event ev = { REWARDS_EVENT_POINTS_REDEEMED, en, p, NULL, NULL, NULL, NULL, en->to_user, NULL, c->at };
    return rw_queue_event(e, &ev);
}

static rewards_status balance_call(rewards_engine *e, rewards_balance *out, const char *type, const char *recipient);

rewards_status rewards_engine_balance(rewards_engine *e, rewards_balance *out, const char *type, const char *recipient)
{
    if (!e || !type || !recipient || !out)
        return REWARDS_MISUSE;
    RW_TRY(rw_enter(e, "rewards_engine_balance"));
    rewards_status st = balance_call(e, out, type, recipient);
    return rw_leave(e, st);
}

static rewards_status balance_call(rewards_engine *e, rewards_balance *out, const char *type, const char *recipient)
{
    if (out->version != REWARDS_BALANCE_VERSION)
        return rw_fail(e, REWARDS_INVALID_ARGUMENT, "unknown rewards_balance version %u", out->version);
    int to = !strcmp(type, "partner") ? 0 : !strcmp(type, "sales_rep") ? 1 : -1;
    if (to < 0)
        return rw_fail(e, REWARDS_INVALID_ARGUMENT, "recipient type '%s' is not partner or sales_rep", type);
    void *who = rw_index_get(to == 0 ? &e->partners : &e->users, recipient);
    if (!who)
        return rw_fail(e, REWARDS_NOT_FOUND, "no %s '%s'", type, recipient);
    /* balance.c keeps them as entries move: no walk over the partner's ledger */
    const rw_balances *bal = to == 0 ? &((rw_partner *)who)->bal : &((rw_user *)who)->bal;
    rewards_balance b = { out->version, 0, 0, 0, 0, 0 };
    if (rw_balance_get(bal->pending, &b.pending) || rw_balance_get(bal->approved, &b.approved) ||
        rw_balance_get(bal->held, &b.held) || rw_balance_get(bal->paid, &b.paid) ||
        rw_balance_get(bal->points, &b.points))
        return rw_fail(e, REWARDS_OVERFLOW, "a balance of %s '%s' overflows", type, recipient);
    *out = b;
    return REWARDS_OK;
}
