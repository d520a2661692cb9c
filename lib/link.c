/*
 * link.c - adding a record to the engine.  Operations and restore both end
 * here, so the derived state (id indexes, per-program, per-deal and
 * per-group lists, running totals) is built by one piece of code whether a
 * record is new or comes back from storage.
 */
#include "ops.h"

#include <stdio.h>
#include <string.h>

#define PUSH(e, vec, item) (rw_vec_push((e), &(vec), sizeof(item), &(item)) ? rw_nomem(e) : REWARDS_OK)

const rw_vec *rw_fx_pair(const rw_engine *e, const char *from, const char *to)
{
    char key[8];
    snprintf(key, sizeof key, "%s>%s", from, to);
    return rw_index_get(&e->fx_pairs, key);
}

static rewards_status link_fx(rw_engine *e, rw_fx *fx)
{
    char key[8];
    snprintf(key, sizeof key, "%s>%s", fx->from, fx->to);
    rw_vec *v = rw_index_get(&e->fx_pairs, key);
    if (!v) {
        char *k = rw_new_str(e, key, strlen(key));
        v = rw_new(e, sizeof *v);
        if (!k || !v || rw_index_put(e, &e->fx_pairs, k, v)) {
            /* in a transaction rollback frees them; in a restore nobody else would */
            if (!e->journal.active) {
                rw_free(&e->alloc, k);
                rw_free(&e->alloc, v);
            }
            return rw_nomem(e);
        }
    }
    return PUSH(e, *v, fx);
}

static rewards_status link_contrib(rw_engine *e, rw_contrib *k)
{
    /* a new contribution was given its group when its targets were computed */
    rw_group *g = k->group;
    if (!g) {
        RW_TRY(rw_group_of(e, k, &g));
        k->group = g;
    }
    RW_TRY(PUSH(e, k->deal->contribs, k));
    if (k->beneficiary)
        RW_TRY(PUSH(e, k->beneficiary->contribs, k));
    if (k->hold == RW_HOLD_NO_ACCESS && k->to_user) /* what a grant of access releases */
        RW_TRY(PUSH(e, k->to_user->held, k));
    if (g) {
        int64_t m, sum;
        RW_TRY(rw_contrib_metric(e, k, &m));
        if (rw_add(g->metric, m, &sum))
            return rw_fail(e, REWARDS_OVERFLOW, "the period total of reward '%s' overflows", k->reward->id);
        rw_before b = { g->metric, g->total };
        RW_TRY(PUSH(e, g->contribs, k));
        RW_TRY(rw_group_push_before(e, g, b));
        if (RW_SET(e, g->metric, sum))
            return rw_nomem(e);
    }
    return REWARDS_OK;
}

static rewards_status link_entry(rw_engine *e, rw_entry *en)
{
    RW_TRY(PUSH(e, en->partner->entries, en));
    if (rw_entry_redemption_id(en) && rw_index_put(e, &e->redemptions, en->extra->redemption_id, en))
        return rw_nomem(e);
    if (rw_entry_adjust_id(en) && rw_index_put(e, &e->adjustments, en->extra->adjust_id, en))
        return rw_nomem(e);
    if (rw_entry_deal(en)) /* a manual entry naming a deal or activity */
        RW_TRY(PUSH(e, en->extra->deal->entries, en));
    RW_TRY(rw_equeue_note(e, en));
    RW_TRY(rw_balance_add(e, en, 1));
    rw_contrib *k = en->contrib;
    if (!k)
        return REWARDS_OK;
    RW_TRY(PUSH(e, k->deal->entries, en));
    int64_t net, total;
    if (rw_add(rw_contrib_net_at(k, en->slot), en->amount, &net) || (k->group && rw_add(k->group->total, en->amount, &total)))
        return rw_fail(e, REWARDS_OVERFLOW, "the total of reward '%s' overflows", k->reward->id);
    if (RW_SET(e, rw_contrib_net(k)[en->slot], net) || (k->group && RW_SET(e, k->group->total, total)))
        return rw_nomem(e);
    return REWARDS_OK;
}

rewards_status rw_link_record(rw_engine *e, rw_rec *rec)
{
    switch ((rw_kind)rw_rec_kind(rec)) {
    case RW_KIND_META:
        if (RW_SET(e, e->meta, (rw_meta *)rec))
            return rw_nomem(e);
        return rw_register(e, rec, NULL, NULL);
    case RW_KIND_CURRENCY:
        return rw_register(e, rec, &e->currencies, ((rw_currency *)rec)->code);
    case RW_KIND_PROGRAM:
        return rw_register(e, rec, &e->programs, ((rw_program *)rec)->id);
    case RW_KIND_LEVEL: {
        rw_level *l = (rw_level *)rec;
        RW_TRY(rw_register(e, rec, &e->levels, l->id));
        return PUSH(e, l->program->levels, l);
    }
    case RW_KIND_REWARD: {
        rw_reward *r = (rw_reward *)rec;
        RW_TRY(rw_register(e, rec, &e->rewards, r->id));
        return PUSH(e, r->program->rewards, r);
    }
    case RW_KIND_PARTNER: {
        rw_partner *p = (rw_partner *)rec;
        RW_TRY(rw_register(e, rec, &e->partners, p->id));
        return PUSH(e, p->program->partners, p);
    }
    case RW_KIND_USER:
        return rw_register(e, rec, &e->users, ((rw_user *)rec)->id);
    case RW_KIND_FX:
        RW_TRY(rw_register(e, rec, NULL, NULL));
        return link_fx(e, (rw_fx *)rec);
    case RW_KIND_DEAL: {
        rw_deal *d = (rw_deal *)rec;
        RW_TRY(rw_register(e, rec, &e->deals, d->id));
        return PUSH(e, d->partner->deals, d);
    }
    case RW_KIND_LEVEL_CHANGE:
        return rw_register(e, rec, NULL, NULL);
    case RW_KIND_CONTRIB:
        RW_TRY(rw_register(e, rec, NULL, NULL));
        return link_contrib(e, (rw_contrib *)rec);
    case RW_KIND_RUN:
        return rw_register(e, rec, &e->runs, ((rw_run *)rec)->id);
    case RW_KIND_LINE: {
        rw_line *l = (rw_line *)rec;
        RW_TRY(rw_register(e, rec, NULL, NULL));
        return PUSH(e, l->run->lines, l);
    }
    case RW_KIND_ENTRY:
        RW_TRY(rw_register(e, rec, NULL, NULL));
        return link_entry(e, (rw_entry *)rec);
    case RW_KIND_EVENT_ID:
        return rw_register(e, rec, &e->event_ids, ((rw_event_id *)rec)->id);
    case RW_KIND_ACTIVITY: /* shares the deals' ids; never counts as a partner's deal (levels) */
        return rw_register(e, rec, &e->deals, ((rw_deal *)rec)->id);
    case RW_KIND_COUNT:
        break;
    }
    return rw_fail(e, REWARDS_INVALID_ARGUMENT, "unknown record kind %d", rw_rec_kind(rec));
}
