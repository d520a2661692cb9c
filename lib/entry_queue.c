/*
 * entry_queue.c - the entries an approval or a payout run can still act
 * on, kept as lists so that they cost in proportion to the entries they
 * change rather than to the ledger.
 *
 * Two queues: the pending entries (what `approve until T` approves) and the
 * approved, unpaid money entries that have a recipient (what a payout run
 * or preview with cut-off T takes).  An entry joins a queue when it gets
 * that status (created, released, approved, or restored) and leaves
 * lazily: a scan skips and drops entries whose status moved on, so a status
 * change never searches a queue.
 *
 * Entries join in creation order almost always, and creation order is time
 * order (operations never go back in time), so a queue's main part is kept
 * in non-decreasing earned_at: a scan with cut-off T stops at the first
 * member earned after T, and the head moves past what has left.  An entry
 * that arrives out of time order (a held entry released later, an approval
 * by list) goes to the queue's `late` part instead, which every scan reads
 * whole; it holds only such entries until they leave.  When the main part
 * is full it is copied to a new block holding only the members still in
 * it (amortised constant per entry).  A slot below the length is never
 * written over unsaved: a rollback may make its entry live again.
 *
 * Every write is journaled (rw_save, rw_new, rw_free_later), so a rolled
 * back call leaves the queues as they were; a restore rebuilds them from
 * the entries as they are linked.
 */
#include "ops.h"

#include <string.h>

int rw_entry_pending(const rw_entry *en)
{
    return en->status == RW_ST_PENDING;
}

/* a held entry with no user has no recipient yet; it is never approved anyway */
int rw_entry_payable(const rw_entry *en)
{
    return en->status == RW_ST_APPROVED && !en->run && strcmp(en->currency, "PTS") &&
           (en->to == RW_TO_PARTNER || en->to_user);
}

/* The main part is full: copy its members to a block twice their number (at least 16). */
static int regrow(rw_engine *e, rw_equeue *q, int (*member)(const rw_entry *))
{
    size_t live = 0;
    for (size_t i = q->head; i < q->len; i++)
        live += member(q->items[i]) != 0;
    size_t ncap = live < 8 ? 16 : live * 2;
    if (ncap > (size_t)-1 / sizeof *q->items)
        return -1;
    rw_entry **ni = rw_new(e, ncap * sizeof *ni);
    if (!ni)
        return -1;
    size_t n = 0;
    for (size_t i = q->head; i < q->len; i++)
        if (member(q->items[i]))
            ni[n++] = q->items[i];
    /* the old block stays intact for a rollback; a restore (no journal) frees it at once */
    if (rw_save(e, q, sizeof *q) || rw_free_later(e, q->items))
        return -1;
    q->items = ni;
    q->cap = ncap;
    q->head = 0;
    q->len = n;
    return 0;
}

static int push_late(rw_engine *e, rw_equeue *q, rw_entry *en)
{
    if (q->nlate == q->caplate) {
        size_t ncap = q->caplate ? q->caplate * 2 : 8;
        if (ncap > (size_t)-1 / sizeof *q->late)
            return -1;
        rw_entry **nl = rw_new(e, ncap * sizeof *nl);
        if (!nl)
            return -1;
        if (q->nlate)
            memcpy(nl, q->late, q->nlate * sizeof *nl);
        if (rw_save(e, q, sizeof *q) || rw_free_later(e, q->late))
            return -1;
        q->late = nl;
        q->caplate = ncap;
    } else if (rw_save(e, &q->nlate, sizeof q->nlate) || rw_save(e, &q->late[q->nlate], sizeof *q->late)) {
        /* the slot may hold an entry this call dropped (a rollback puts it back) */
        return -1;
    }
    q->late[q->nlate++] = en;
    return 0;
}

static int push(rw_engine *e, rw_equeue *q, rw_entry *en, int (*member)(const rw_entry *))
{
    if (q->head < q->len && q->items[q->len - 1]->earned_at > en->earned_at)
        return push_late(e, q, en);
    if (q->len == q->cap) {
        if (regrow(e, q, member))
            return -1;
    } else if (rw_save(e, &q->len, sizeof q->len)) {
        return -1;
    }
    q->items[q->len++] = en;
    return 0;
}

rewards_status rw_equeue_note(rw_engine *e, rw_entry *en)
{
    int st = 0;
    if (rw_entry_pending(en))
        st = push(e, &e->pending_q, en, rw_entry_pending);
    else if (rw_entry_payable(en))
        st = push(e, &e->payable_q, en, rw_entry_payable);
    return st ? rw_nomem(e) : REWARDS_OK;
}

rewards_status rw_equeue_advance(rw_engine *e, rw_equeue *q, size_t head, int (*member)(const rw_entry *))
{
    while (head < q->len && !member(q->items[head]))
        head++;
    if (head != q->head && RW_SET(e, q->head, head))
        return rw_nomem(e);
    return REWARDS_OK;
}

rewards_status rw_equeue_drop_late(rw_engine *e, rw_equeue *q, size_t i)
{
    size_t last = q->nlate - 1;
    if ((i != last && RW_SET(e, q->late[i], q->late[last])) || RW_SET(e, q->nlate, last))
        return rw_nomem(e);
    return REWARDS_OK;
}

void rw_equeue_release(rw_engine *e, rw_equeue *q)
{
    rw_free(&e->alloc, q->items);
    rw_free(&e->alloc, q->late);
    memset(q, 0, sizeof *q);
}
