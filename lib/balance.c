/*
 * balance.c - each recipient's running balances (pending, approved, held,
 * paid money and redeemable points), kept as entries are recorded and move,
 * so that a balance query or a redemption's check costs the same whatever
 * the size of the recipient's ledger (they summed every entry of the
 * partner, reps' included).
 *
 * An entry counts for at most one balance of one recipient: its partner when
 * it is paid to the partner, its user when it is paid to a sales rep (none
 * while held with no rep); money by status, points only while approved or
 * redeemed.  Whoever changes an entry's status or recipient takes it out
 * first (sign -1) and puts it back after (+1).  The sums are 128-bit, so
 * that only a balance that does not fit in int64 is an overflow, when it is
 * read (SPEC: a result that does not fit in int64).  Every change is
 * journaled (a recipient's balances are saved whole at their first change
 * in a transaction, like a record by rw_touch); a restore rebuilds them as
 * entries are linked.
 */
#include "ops.h"

#include <string.h>

static rw_balances *owner(const rw_entry *en)
{
    if (en->to == RW_TO_PARTNER)
        return &en->partner->bal;
    return en->to_user ? &en->to_user->bal : NULL;
}

static rw_i128 *slot(rw_balances *b, const rw_entry *en)
{
    if (!b)
        return NULL;
    if (rw_entry_points(en))
        return en->status == RW_ST_APPROVED || en->status == RW_ST_REDEEMED ? &b->points : NULL;
    switch (en->status) {
    case RW_ST_PENDING: return &b->pending;
    case RW_ST_APPROVED: return &b->approved;
    case RW_ST_HELD: return &b->held;
    case RW_ST_PAID: return &b->paid;
    case RW_ST_REDEEMED: break;
    }
    return NULL;
}

rewards_status rw_balance_add(rw_engine *e, const rw_entry *en, int sign)
{
    rw_balances *b = owner(en);
    rw_i128 *s = slot(b, en);
    if (!s)
        return REWARDS_OK;
    /* saved whole once per transaction (an approval of thousands moves each many times) */
    if (e->journal.active && b->txn != e->journal.txn_id) {
        if (rw_save(e, b, sizeof *b))
            return rw_nomem(e);
        b->txn = e->journal.txn_id;
    }
    *s += sign < 0 ? -(rw_i128)en->amount : (rw_i128)en->amount;
    return REWARDS_OK;
}

int rw_balance_get(const rw_i128 v, int64_t *out)
{
    if (v > INT64_MAX || v < INT64_MIN)
        return -1;
    *out = (int64_t)v;
    return 0;
}
