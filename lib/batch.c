/*
 * batch.c - batches (SPEC.md section 9): many operations in one transaction.
 *
 * A batch is one journal transaction that stays open across calls.  Each
 * operation applied inside it takes a savepoint (rw_journal_mark_take) and
 * rolls back to it when it fails, so an operation still succeeds whole or
 * fails alone while the batch goes on; later operations see earlier ones
 * (an event id applied earlier in the batch counts as seen, since it is in
 * the index already).  Storage and events hear nothing until the commit:
 * then the batch is sealed once (integrity.c: the dirty list, deduplicated,
 * gives one put per record with its final data, the meta record last), told
 * to storage as one begin, the puts, one commit, and the queued events are
 * delivered in order.  A storage failure there, or an explicit rollback,
 * undoes the whole journal: the engine is exactly as before the batch and
 * neither storage nor events heard of it, which is what a what-if needs.
 *
 * The three calls enter the re-entrancy guard like every other one: a
 * storage or event callback of the commit that calls back gets MISUSE.
 */
#include "ops.h"

rewards_status rewards_engine_begin(rewards_engine *e)
{
    if (!e)
        return REWARDS_MISUSE;
    RW_TRY(rw_enter(e, "rewards_engine_begin"));
    rewards_status st = REWARDS_OK;
    if (e->restoring)
        st = rw_fail(e, REWARDS_MISUSE, "rewards_engine_begin: a restore is in progress (call rewards_engine_restore_finish first)");
    else if (e->journal.batch)
        st = rw_fail(e, REWARDS_MISUSE, "rewards_engine_begin: a batch is already open (batches do not nest)");
    else {
        e->errmsg[0] = '\0';
        e->queued.len = 0;
        rw_journal_begin(e);
        e->journal.batch = 1;
    }
    return rw_leave(e, st);
}

rewards_status rewards_engine_commit(rewards_engine *e)
{
    if (!e)
        return REWARDS_MISUSE;
    RW_TRY(rw_enter(e, "rewards_engine_commit"));
    rewards_status st;
    if (!e->journal.batch) {
        st = rw_fail(e, REWARDS_MISUSE, "rewards_engine_commit: no batch is open (call rewards_engine_begin first)");
    } else {
        e->errmsg[0] = '\0';
        /* a new transaction id: the seal's writes are saved even over the last operation's */
        rw_journal_mark mark;
        rw_journal_mark_take(e, &mark);
        st = rw_txn_finish(e); /* closes the batch whether it commits or rolls back */
    }
    return rw_leave(e, st);
}

rewards_status rewards_engine_rollback(rewards_engine *e)
{
    if (!e)
        return REWARDS_MISUSE;
    RW_TRY(rw_enter(e, "rewards_engine_rollback"));
    rewards_status st = REWARDS_OK;
    if (!e->journal.batch) {
        st = rw_fail(e, REWARDS_MISUSE, "rewards_engine_rollback: no batch is open");
    } else {
        rw_journal_rollback(e);
        e->queued.len = 0;
        e->errmsg[0] = '\0';
    }
    return rw_leave(e, st);
}

int rewards_engine_in_batch(const rewards_engine *e)
{
    return e && e->journal.batch;
}
