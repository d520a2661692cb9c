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
 * whole; it holds only such entries until they leave.  The main part lives
 * in chunks of RW_EQ_CHUNK positions, so that it grows without ever copying
 * its entries (no stall when it is large); a chunk is given back once the
 * head has passed it.  A slot below the length is never written over
 * unsaved: a rollback may make its entry live again.
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
    return en->status == RW_ST_APPROVED && !en->run && !rw_entry_points(en) &&
           (en->to == RW_TO_PARTNER || en->to_user);
}

rw_entry *rw_equeue_at(const rw_equeue *q, size_t i)
{
    return q->chunks[i / RW_EQ_CHUNK][i % RW_EQ_CHUNK];
}

/* Position len needs a new chunk: make it, and grow the directory when full. */
static int add_chunk(rw_engine *e, rw_equeue *q)
{
    size_t ci = q->len / RW_EQ_CHUNK;
    rw_entry **c = rw_new(e, RW_EQ_CHUNK * sizeof *c);
    if (!c)
        return -1;
    if (ci == q->capchunks) {
        size_t ncap = q->capchunks ? q->capchunks * 2 : 8;
        if (ncap > (size_t)-1 / sizeof *q->chunks)
            return -1;
        rw_entry ***nd = rw_new(e, ncap * sizeof *nd);
        if (!nd)
            return -1;
        if (ci)
            memcpy(nd, q->chunks, ci * sizeof *nd);
        /* the old directory stays intact for a rollback; a restore (no journal) frees it at once */
        if (rw_save(e, q, sizeof *q) || rw_free_later(e, q->chunks))
            return -1;
        q->chunks = nd;
        q->capchunks = ncap;
    }
    /* past the last position in use: nothing a rollback needs there */
    q->chunks[ci] = c;
    return 0;
}

static int push_late(rw_engine *e, rw_equeue *q, rw_entry *en)
{
    if (q->nlate == q->caplate) {
        if (rw_save(e, q, sizeof *q) ||
            rw_buffer_double(e, (void **)&q->late, &q->caplate, q->nlate, sizeof *q->late, 8))
            return -1;
    } else if (rw_save(e, &q->nlate, sizeof q->nlate) || rw_save(e, &q->late[q->nlate], sizeof *q->late)) {
        /* the slot may hold an entry this call dropped (a rollback puts it back) */
        return -1;
    }
    q->late[q->nlate++] = en;
    return 0;
}

/* Save the struct once per transaction (an approval of thousands pushes each). */
static int save_once(rw_engine *e, rw_equeue *q)
{
    if (!e->journal.active || q->txn == e->journal.txn_id)
        return 0;
    if (rw_save(e, q, sizeof *q))
        return -1;
    q->txn = e->journal.txn_id;
    return 0;
}

static int push(rw_engine *e, rw_equeue *q, rw_entry *en)
{
    if (q->head < q->len && rw_equeue_at(q, q->len - 1)->earned_at > en->earned_at)
        return push_late(e, q, en);
    if (save_once(e, q) || (q->len % RW_EQ_CHUNK == 0 && add_chunk(e, q)))
        return -1;
    q->chunks[q->len / RW_EQ_CHUNK][q->len % RW_EQ_CHUNK] = en;
    q->len++;
    return 0;
}

rewards_status rw_equeue_note(rw_engine *e, rw_entry *en)
{
    int st = 0;
    if (rw_entry_pending(en))
        st = push(e, &e->pending_q, en);
    else if (rw_entry_payable(en))
        st = push(e, &e->payable_q, en);
    return st ? rw_nomem(e) : REWARDS_OK;
}

rewards_status rw_equeue_advance(rw_engine *e, rw_equeue *q, size_t head, int (*member)(const rw_entry *))
{
    while (head < q->len && !member(rw_equeue_at(q, head)))
        head++;
    if (head == q->head)
        return REWARDS_OK;
    /* the chunks wholly before the new head are given back (at commit) */
    for (size_t ci = q->head / RW_EQ_CHUNK; ci < head / RW_EQ_CHUNK; ci++)
        if (q->chunks[ci] && (rw_free_later(e, q->chunks[ci]) || RW_SET(e, q->chunks[ci], NULL)))
            return rw_nomem(e);
    if (RW_SET(e, q->head, head))
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
    /* directory slots past the last chunk in use may name chunks a rollback freed */
    for (size_t ci = 0; ci < (q->len + RW_EQ_CHUNK - 1) / RW_EQ_CHUNK; ci++)
        rw_free(&e->alloc, q->chunks[ci]);
    rw_free(&e->alloc, q->chunks);
    rw_free(&e->alloc, q->late);
    memset(q, 0, sizeof *q);
}
