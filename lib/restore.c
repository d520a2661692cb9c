/*
 * restore.c - rebuilding an engine from the records a host stored
 * (rewards_engine_restore, rewards_engine_restore_finish).
 *
 * Records may come in any order.  restore_finish verifies the set whole
 * (integrity.c), then sorts it by kind and creation order, so that every
 * reference points to a record already rebuilt, and decodes
 * (record_decode.c), checks (record_check.c) and links each one exactly as
 * a new one is linked (link.c).  A refused set leaves the engine new again.
 */
#include "ops.h"
#include "integrity.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A saved record waiting for restore_finish: its kind and sequence number lead. */
typedef rw_pending pending;

static rewards_status restore_call(rewards_engine *e, rewards_record_kind kind, const void *data, size_t size)
{
    if ((unsigned)kind >= RW_KIND_COUNT)
        return rw_fail(e, REWARDS_INVALID_ARGUMENT, "unknown record kind %d", (int)kind);
    if (size < 4 || (memcmp(data, "rw1,", 4) && ((int)kind != RW_KIND_META || memcmp(data, "rw2,", 4))))
        return rw_fail(e, REWARDS_INVALID_ARGUMENT, "a %s record is not in a format this version knows",
                       rewards_record_kind_name(kind));
    int64_t seq;
    if (rw_record_seq(data, size, &seq) || seq < 1)
        return rw_fail(e, REWARDS_INVALID_ARGUMENT, "a %s record is corrupt", rewards_record_kind_name(kind));
    /* from a slab of its own, released whole by restore_finish: not a heap block per record */
    pending *p = rw_slab_alloc_raw(e, &e->restore_slab, sizeof *p + size);
    if (!p)
        return rw_nomem(e);
    p->kind = kind;
    p->seq = (uint64_t)seq;
    p->size = size;
    memcpy(p->data, data, size);
    if (rw_vec_push(e, &e->restore, sizeof p, &p))
        return rw_nomem(e); /* p stays in the restore slab until restore_finish or the engine's end */
    e->restoring = 1;
    return REWARDS_OK;
}

/* The restore order of a kind: kinds added after 1.0 take their place among the old ones. */
static int restore_rank(int kind)
{
    if (kind == RW_KIND_ACTIVITY)
        return 2 * RW_KIND_DEAL + 1; /* after deals, before anything that fires (contributions, entries) */
    return 2 * kind;
}

static int by_kind_seq(const void *a, const void *b)
{
    const pending *x = *(pending *const *)a, *y = *(pending *const *)b;
    if (x->kind != y->kind)
        return restore_rank(x->kind) < restore_rank(y->kind) ? -1 : 1;
    return x->seq < y->seq ? -1 : x->seq > y->seq;
}

/*
 * The order of by_kind_seq in linear time: sequence numbers are distinct and
 * dense (records are never deleted), so each record is placed at its number,
 * then the numbers are walked once, each record going to the next place of
 * its kind.  A set with repeated or sparse numbers (corrupt, or not from one
 * engine) is sorted by qsort, as is one too small to matter.
 */
static void sort_pending(rw_engine *e, pending **all, size_t n)
{
    uint64_t max = 0;
    for (size_t i = 0; i < n; i++)
        if (all[i]->seq > max)
            max = all[i]->seq;
    pending **at = NULL;
    if (n >= 64 && max <= 2 * (uint64_t)n + 1024)
        at = rw_calloc(&e->alloc, (size_t)max + 1, sizeof *at);
    size_t i = 0;
    for (; at && i < n; i++) {
        if (at[all[i]->seq])
            break; /* a number given twice */
        at[all[i]->seq] = all[i];
    }
    if (!at || i < n) {
        rw_free(&e->alloc, at);
        if (n) /* no record restored: data is NULL, which qsort must not be given */
            qsort(all, n, sizeof *all, by_kind_seq);
        return;
    }
    size_t start[2 * RW_KIND_COUNT + 1] = { 0 };
    for (i = 0; i < n; i++)
        start[restore_rank(all[i]->kind)]++;
    size_t sum = 0;
    for (size_t r = 0; r < sizeof start / sizeof start[0]; r++) {
        size_t c = start[r];
        start[r] = sum;
        sum += c;
    }
    for (uint64_t s = 1; s <= max; s++)
        if (at[s])
            all[start[restore_rank(at[s]->kind)]++] = at[s];
    rw_free(&e->alloc, at);
}

static rewards_status restore_one(rw_engine *e, const pending *p)
{
    rw_rec *r = rw_recs_new(e, &e->records[p->kind]);
    if (!r)
        return rw_nomem(e);
    r->txn_kind = (uint8_t)p->kind; /* no transaction yet */
    r->seq = p->seq;
    int dec = rw_record_decode(e, r, p->data, p->size);
    rewards_status st = REWARDS_OK;
    if (dec == 2)
        st = rw_nomem(e);
    else if (dec)
        st = rw_fail(e, REWARDS_INVALID_ARGUMENT, "%s record %llu is corrupt or refers to a missing record",
                     rewards_record_kind_name(p->kind), (unsigned long long)p->seq);
    else
        st = rw_record_check(e, r); /* the limits the operation that made it has */
    r->hash = p->kind == RW_KIND_META ? rw_record_hash(p->kind, p->data, p->size) : p->hash; /* rw_restore_verify's */
    if (!st) {
        /* kinds with an id index (not the bulk: contributions, entries) */
        if (p->kind != RW_KIND_META && p->kind != RW_KIND_FX && p->kind != RW_KIND_CONTRIB && p->kind != RW_KIND_LINE &&
            p->kind != RW_KIND_LEVEL_CHANGE && p->kind != RW_KIND_ENTRY) {
            char key[300];
            rw_record_key(r, key, sizeof key);
            const rw_index *ixs[] = { NULL, &e->currencies, &e->programs, &e->levels, &e->rewards, &e->partners,
                                      &e->users, NULL, &e->deals, NULL, NULL, &e->runs, NULL, NULL, &e->event_ids,
                                      &e->deals };
            if (rw_index_get(ixs[p->kind], key))
                st = rw_fail(e, REWARDS_INVALID_ARGUMENT, "%s '%s' is restored twice", rewards_record_kind_name(p->kind), key);
        }
    }
    if (!st)
        st = rw_link_record(e, r);
    if (st == REWARDS_OVERFLOW) { /* totals no operation could have made: the set is corrupt */
        char why[sizeof e->errmsg];
        memcpy(why, e->errmsg, sizeof why);
        st = rw_fail(e, REWARDS_INVALID_ARGUMENT, "%s record %llu: %s", rewards_record_kind_name(p->kind),
                     (unsigned long long)p->seq, why);
    }
    if (st) /* it is in its kind's list: the engine's reset frees what it holds */
        return st;
    if (r->seq >= e->next_seq)
        e->next_seq = r->seq + 1;
    return REWARDS_OK;
}

static rewards_status restore_finish_call(rewards_engine *e)
{
    memset(e->ref_memo, 0, sizeof e->ref_memo);
    e->contrib_finger = 0;
    pending **all = e->restore.data;
    size_t n = e->restore.len;
    sort_pending(e, all, n);
    size_t meta_at = (size_t)-1;
    rewards_status st = e->restore_failed;
    if (st)
        st = rw_fail(e, st, "a record given to rewards_engine_restore was refused, so the set is incomplete");
    else
        st = rw_restore_verify(e, all, n, &meta_at);
    /* the meta record sorts first: decoded, it says what the others add up to */
    if (!st && meta_at != (size_t)-1) {
        st = restore_one(e, all[meta_at]);
        if (!st)
            st = rw_restore_check_meta(e, all, n);
    }
    for (size_t i = 0; i < n && !st; i++)
        if (i != meta_at)
            st = restore_one(e, all[i]);
    rw_vec_release(e, &e->restore);
    rw_slab_release(e, &e->restore_slab);
    memset(e->ref_memo, 0, sizeof e->ref_memo); /* its keys were in the records just released */
    e->restoring = 0;
    e->restore_failed = REWARDS_OK;
    if (st) {
        /* nothing half restored: the engine is new again, for another attempt */
        char msg[sizeof e->errmsg];
        memcpy(msg, e->errmsg, sizeof msg);
        rw_engine_reset(e);
        memcpy(e->errmsg, msg, sizeof msg);
        return st;
    }
    rw_groups_restored(e); /* group.c: the running totals corrections start from */
    rw_meta *m = e->meta;
    if (m) {
        /* a 1.0 host's meta record gains the fields at its next put */
        if (m->sealed && m->next_seq > e->next_seq)
            e->next_seq = m->next_seq;
        m->sealed = 1;
        m->next_seq = e->next_seq;
        m->digest = e->integ.digest;
        memcpy(m->counts, e->integ.counts, sizeof m->counts);
    }
    return REWARDS_OK;
}

/* An engine that made or restored records is not one to restore into: a
 * refused restore, or the finish that follows, would leave it new (reset). */
static int in_use(const rw_engine *e)
{
    return !e->restoring && e->next_seq > 1;
}

rewards_status rewards_engine_restore(rewards_engine *e, rewards_record_kind kind, const void *data, size_t size)
{
    if (!e || (!data && size))
        return REWARDS_MISUSE;
    RW_TRY(rw_enter(e, "rewards_engine_restore"));
    if (e->journal.batch) { /* batch.c: a restore builds a new engine, never inside a batch */
        RW_LEAVE(e);
        return rw_fail(e, REWARDS_MISUSE, "rewards_engine_restore: a batch is open (commit or roll it back first)");
    }
    if (in_use(e)) {
        RW_LEAVE(e);
        return rw_fail(e, REWARDS_MISUSE, "rewards_engine_restore: the engine has records already (restore into a new engine)");
    }
    rewards_status st = restore_call(e, kind, data, size);
    if (st) {
        /* the set is now incomplete: restore_finish will say so, whatever follows */
        if (!e->restore_failed)
            e->restore_failed = st;
        e->restoring = 1;
    }
    return rw_leave(e, st);
}

rewards_status rewards_engine_restore_finish(rewards_engine *e)
{
    if (!e)
        return REWARDS_MISUSE;
    RW_TRY(rw_enter(e, "rewards_engine_restore_finish"));
    if (e->journal.batch) { /* batch.c: a restore builds a new engine, never inside a batch */
        RW_LEAVE(e);
        return rw_fail(e, REWARDS_MISUSE, "rewards_engine_restore_finish: a batch is open (commit or roll it back first)");
    }
    if (in_use(e)) {
        RW_LEAVE(e);
        return rw_fail(e, REWARDS_MISUSE, "rewards_engine_restore_finish: no restore in progress, and the engine has records");
    }
    rewards_status st = restore_finish_call(e);
    return rw_leave(e, st);
}
