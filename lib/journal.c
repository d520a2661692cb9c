/*
 * journal.c - the undo journal of journal.h.
 *
 * Outside a transaction (while an engine is being restored from storage)
 * nothing is journaled: restore builds a fresh engine that the host throws
 * away if restoring fails.
 */
#include "journal.h"
#include "engine.h"

#include <string.h>

/* Grow a journal-private array with the engine allocator (not journaled). */
static int grow(rw_engine *e, void **arr, size_t *cap, size_t need, size_t elem)
{
    if (need <= *cap)
        return 0;
    size_t ncap = *cap ? *cap * 2 : 16;
    while (ncap < need)
        ncap *= 2;
    if (ncap > (size_t)-1 / elem)
        return -1;
    void *p = rw_realloc(&e->alloc, *arr, ncap * elem);
    if (!p)
        return -1;
    *arr = p;
    *cap = ncap;
    return 0;
}

static int push_ptr(rw_engine *e, void ***arr, size_t *n, size_t *cap, void *p)
{
    if (grow(e, (void **)arr, cap, *n + 1, sizeof(void *)))
        return -1;
    (*arr)[(*n)++] = p;
    return 0;
}

/*
 * Records keep only the low RW_TXN_BITS bits of the transaction that last
 * touched them (journal.h).  Before those bits could come round to a value
 * some record still holds, every record's is cleared and the id moves on to
 * the next round, where no transaction has low bits 0 (a record that shows
 * 0 is not dirty in any).  The id itself only grows, so the other 64-bit
 * marks (a slab's, a balance's, a queue's) never see it again either.
 * RW_TXN_HEADROOM (journal.h) leaves room for the ids a batch takes
 * between two beginnings.  Once every 2^56 - 2^48 transactions: at a
 * million a second, once in 2,000 years.
 */
static void next_round_if_due(rw_engine *e)
{
    rw_journal *j = &e->journal;
    if ((j->txn_id & RW_TXN_MASK) < RW_TXN_MASK - RW_TXN_HEADROOM)
        return;
    for (int k = 0; k < RW_KIND_COUNT; k++)
        for (size_t i = 0; i < RW_COUNT(e, k); i++)
            rw_rec_set_txn(RW_REC_AT(e, k, rw_rec, i), 0);
    j->txn_id = (j->txn_id | RW_TXN_MASK) + 1; /* the next begin makes the low bits 1 */
}

void rw_journal_begin(rw_engine *e)
{
    rw_journal *j = &e->journal;
    next_round_if_due(e);
    j->active = 1;
    j->txn_id++;
    j->nundo = j->bchunk = j->bused = j->nfc = j->nfr = j->ndirty = j->nfs = 0;
}

/* The next undo record's place (its chunk made when new); NULL out of memory. */
static rw_undo *undo_slot(rw_engine *e)
{
    rw_journal *j = &e->journal;
    size_t c = j->nundo >> RW_UNDO_SHIFT;
    if (c == j->nuchunks) {
        if (grow(e, (void **)&j->undo, &j->capuchunks, c + 1, sizeof *j->undo))
            return NULL;
        if (!(j->undo[c] = rw_malloc(&e->alloc, ((size_t)1 << RW_UNDO_SHIFT) * sizeof **j->undo)))
            return NULL;
        j->nuchunks++;
    }
    return &j->undo[c][j->nundo & (((size_t)1 << RW_UNDO_SHIFT) - 1)];
}

/* size bytes at the end of the byte log; NULL out of memory (nothing taken). */
static unsigned char *bytes_take(rw_engine *e, size_t size)
{
    rw_journal *j = &e->journal;
    if (j->nbchunks && j->bused + size <= j->bytes[j->bchunk].size) {
        unsigned char *p = j->bytes[j->bchunk].p + j->bused;
        j->bused += size;
        return p;
    }
    /* the next chunk (or this one, while nothing is in it) */
    size_t c = j->nbchunks && j->bused ? j->bchunk + 1 : j->bchunk;
    size_t want = size > RW_BYTES_CHUNK ? size : RW_BYTES_CHUNK;
    if (c == j->nbchunks) {
        if (grow(e, (void **)&j->bytes, &j->capbchunks, c + 1, sizeof *j->bytes))
            return NULL;
        j->bytes[c].p = NULL;
        j->bytes[c].size = 0;
        j->nbchunks++;
    }
    if (j->bytes[c].size < want) { /* new, or kept from before but too small for this save */
        unsigned char *p = rw_malloc(&e->alloc, want);
        if (!p)
            return NULL;
        rw_free(&e->alloc, j->bytes[c].p);
        j->bytes[c].p = p;
        j->bytes[c].size = want;
    }
    j->bchunk = c;
    j->bused = size;
    return j->bytes[c].p;
}

int rw_save_slow(rw_engine *e, void *ptr, size_t size)
{
    rw_journal *j = &e->journal;
    if (!j->active)
        return 0;
    rw_undo *u = undo_slot(e);
    unsigned char *saved = u ? bytes_take(e, size) : NULL;
    if (!saved)
        return -1;
    memcpy(saved, ptr, size);
    u->ptr = ptr;
    u->saved = saved;
    u->size = size;
    j->nundo++;
    return 0;
}

/* Copy back what the undo records from, up to the end, saved (newest first). */
static void undo_from(rw_journal *j, size_t from)
{
    for (size_t i = j->nundo; i-- > from;) {
        const rw_undo *u = &j->undo[i >> RW_UNDO_SHIFT][i & (((size_t)1 << RW_UNDO_SHIFT) - 1)];
        memcpy(u->ptr, u->saved, u->size);
    }
}

/* Between transactions: give back the chunks beyond the few kept. */
static void trim(rw_engine *e)
{
    rw_journal *j = &e->journal;
    while (j->nuchunks > RW_JOURNAL_KEEP)
        rw_free(&e->alloc, j->undo[--j->nuchunks]);
    while (j->nbchunks > RW_JOURNAL_KEEP)
        rw_free(&e->alloc, j->bytes[--j->nbchunks].p);
}

int rw_touch(rw_engine *e, rw_rec *rec, size_t size)
{
    rw_journal *j = &e->journal;
    if (!j->active || rw_rec_txn(rec) == (j->txn_id & RW_TXN_MASK))
        return 0;
    /* Reserve the dirty slot first so that a failure leaves nothing half done. */
    if (grow(e, (void **)&j->dirty, &j->capdirty, j->ndirty + 1, sizeof(rw_rec *)))
        return -1;
    if (rw_save(e, rec, size))
        return -1;
    rw_rec_set_txn(rec, j->txn_id);
    j->dirty[j->ndirty++] = rec;
    return 0;
}

int rw_mark(rw_engine *e, rw_rec *rec)
{
    return rw_touch(e, rec, sizeof *rec);
}

void *rw_new(rw_engine *e, size_t size)
{
    rw_journal *j = &e->journal;
    void *p = rw_calloc(&e->alloc, 1, size);
    if (!p)
        return NULL;
    if (j->active && push_ptr(e, &j->free_rollback, &j->nfr, &j->capfr, p)) {
        rw_free(&e->alloc, p);
        return NULL;
    }
    return p;
}

int rw_buffer_double(rw_engine *e, void **data, size_t *cap, size_t len, size_t elem, size_t first)
{
    size_t ncap = *cap ? *cap * 2 : first;
    if (ncap < *cap || ncap > (size_t)-1 / elem)
        return -1;
    void *nd = rw_new(e, ncap * elem);
    if (!nd)
        return -1;
    if (len)
        memcpy(nd, *data, len * elem);
    if (rw_free_later(e, *data))
        return -1; /* (nd is freed by the rollback that follows) */
    *data = nd;
    *cap = ncap;
    return 0;
}

char *rw_new_str(rw_engine *e, const char *s, size_t len)
{
    char *p = rw_new(e, len + 1);
    if (p)
        memcpy(p, s, len);
    return p;
}

int rw_free_later(rw_engine *e, void *ptr)
{
    rw_journal *j = &e->journal;
    if (!ptr)
        return 0;
    if (!j->active) {
        rw_free(&e->alloc, ptr);
        return 0;
    }
    return push_ptr(e, &j->free_commit, &j->nfc, &j->capfc, ptr);
}

int rw_free_on_rollback(rw_engine *e, void *ptr)
{
    rw_journal *j = &e->journal;
    if (!ptr || !j->active)
        return 0;
    return push_ptr(e, &j->free_rollback, &j->nfr, &j->capfr, ptr);
}

void *rw_new_record(rw_engine *e, int kind, size_t size)
{
    rw_journal *j = &e->journal;
    if (j->active && grow(e, (void **)&j->dirty, &j->capdirty, j->ndirty + 1, sizeof(rw_rec *)))
        return NULL;
    if (RW_SET(e, e->next_seq, e->next_seq + 1))
        return NULL;
    /* at the end of its kind's list (recs.h): a rollback takes it back with the list's state */
    rw_rec *r = size == e->records[kind].size ? rw_recs_new(e, &e->records[kind]) : NULL;
    if (!r)
        return NULL;
    r->seq = e->next_seq - 1;
    r->txn_kind = (uint8_t)kind;
    if (j->active) {
        rw_rec_set_txn(r, j->txn_id);
        j->dirty[j->ndirty++] = r;
    }
    return r;
}

/* A list buffer for ncap pointers: small ones from the slab (slab.h), larger from the allocator. */
static void *vec_buffer(rw_engine *e, size_t ncap)
{
    return ncap <= RW_SMALL_CAP ? rw_small_alloc(e, ncap) : rw_new(e, ncap * sizeof(void *));
}

static int vec_free_later(rw_engine *e, void *data, size_t cap)
{
    return cap <= RW_SMALL_CAP ? rw_small_free_later(e, data, cap) : rw_free_later(e, data);
}

int rw_vec_push(rw_engine *e, rw_vec *v, size_t elem, const void *item)
{
    if (elem != sizeof(void *)) /* every list holds pointers: the buffer size follows from cap alone */
        return -1;
    if (v->len == v->cap) {
        size_t ncap = v->cap ? (size_t)v->cap * 2 : 2;
        if ((uint64_t)ncap > UINT32_MAX || ncap > (size_t)-1 / elem)
            return -1;
        /* A new buffer rather than realloc: rollback must find the old one intact. */
        void *nd = vec_buffer(e, ncap);
        if (!nd)
            return -1;
        /* Copy before freeing the old one: outside a transaction (a restore) it is freed at once. */
        if (v->len)
            memcpy(nd, v->data, v->len * elem);
        if (rw_save(e, v, sizeof *v) || vec_free_later(e, v->data, v->cap))
            return -1;
        v->data = nd;
        v->cap = (uint32_t)ncap;
    } else if (rw_save(e, &v->len, sizeof v->len)) {
        return -1;
    }
    memcpy((char *)v->data + v->len * elem, item, elem);
    v->len++;
    return 0;
}

void rw_vec_release(rw_engine *e, rw_vec *v)
{
    /* a small buffer belongs to the slab, which is released whole */
    if (v->cap > RW_SMALL_CAP)
        rw_free(&e->alloc, v->data);
    v->data = NULL;
    v->len = v->cap = 0;
}

void rw_journal_rollback(rw_engine *e)
{
    rw_journal *j = &e->journal;
    undo_from(j, 0);
    for (size_t i = 0; i < j->nfr; i++)
        rw_free(&e->alloc, j->free_rollback[i]);
    j->nundo = j->bchunk = j->bused = j->nfc = j->nfr = j->ndirty = j->nfs = 0;
    j->active = 0;
    j->batch = 0;
    trim(e);
}

void rw_journal_mark_take(rw_engine *e, rw_journal_mark *m)
{
    rw_journal *j = &e->journal;
    j->txn_id++;
    m->nundo = j->nundo;
    m->bchunk = j->bchunk;
    m->bused = j->bused;
    m->nfc = j->nfc;
    m->nfr = j->nfr;
    m->ndirty = j->ndirty;
    m->nfs = j->nfs;
}

void rw_journal_rollback_to(rw_engine *e, const rw_journal_mark *m)
{
    rw_journal *j = &e->journal;
    undo_from(j, m->nundo);
    for (size_t i = m->nfr; i < j->nfr; i++)
        rw_free(&e->alloc, j->free_rollback[i]);
    /* what the undone writes unlinked is linked again: it must outlive the commit */
    j->nundo = m->nundo;
    j->bchunk = m->bchunk;
    j->bused = m->bused;
    j->nfc = m->nfc;
    j->nfr = m->nfr;
    j->ndirty = m->ndirty;
    j->nfs = m->nfs;
    j->txn_id++; /* records restored to an older id are saved again when next touched */
}

void rw_journal_commit(rw_engine *e)
{
    rw_journal *j = &e->journal;
    for (size_t i = 0; i < j->nfc; i++)
        rw_free(&e->alloc, j->free_commit[i]);
    for (size_t i = 0; i < j->nfs; i++)
        rw_small_put(e, j->free_small[i].ptr, j->free_small[i].cap);
    j->nundo = j->bchunk = j->bused = j->nfc = j->nfr = j->ndirty = j->nfs = 0;
    j->active = 0;
    j->batch = 0;
    trim(e);
}

void rw_journal_free(rw_engine *e)
{
    rw_journal *j = &e->journal;
    for (size_t i = 0; i < j->nuchunks; i++)
        rw_free(&e->alloc, j->undo[i]);
    rw_free(&e->alloc, j->undo);
    for (size_t i = 0; i < j->nbchunks; i++)
        rw_free(&e->alloc, j->bytes[i].p);
    rw_free(&e->alloc, j->bytes);
    rw_free(&e->alloc, j->free_commit);
    rw_free(&e->alloc, j->free_rollback);
    rw_free(&e->alloc, j->dirty);
    rw_free(&e->alloc, j->free_small);
    memset(j, 0, sizeof *j);
}
