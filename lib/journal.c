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

void rw_journal_begin(rw_engine *e)
{
    rw_journal *j = &e->journal;
    j->active = 1;
    j->txn_id++;
    j->nundo = j->nbytes = j->nfc = j->nfr = j->ndirty = j->nfs = 0;
}

int rw_save(rw_engine *e, void *ptr, size_t size)
{
    rw_journal *j = &e->journal;
    if (!j->active)
        return 0;
    if (grow(e, (void **)&j->undo, &j->capundo, j->nundo + 1, sizeof(rw_undo)) ||
        grow(e, (void **)&j->bytes, &j->capbytes, j->nbytes + size, 1))
        return -1;
    rw_undo *u = &j->undo[j->nundo++];
    u->ptr = ptr;
    u->size = size;
    u->off = j->nbytes;
    memcpy(j->bytes + j->nbytes, ptr, size);
    j->nbytes += size;
    return 0;
}

int rw_touch(rw_engine *e, rw_rec *rec, size_t size)
{
    rw_journal *j = &e->journal;
    if (!j->active || rec->dirty_txn == j->txn_id)
        return 0;
    /* Reserve the dirty slot first so that a failure leaves nothing half done. */
    if (grow(e, (void **)&j->dirty, &j->capdirty, j->ndirty + 1, sizeof(rw_rec *)))
        return -1;
    if (rw_save(e, rec, size))
        return -1;
    rec->dirty_txn = j->txn_id;
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
    /* from the kind's slab: a rollback takes it back with the slab's state */
    rw_rec *r = rw_slab_record(e, kind, size);
    if (!r)
        return NULL;
    r->seq = e->next_seq - 1;
    r->kind = (uint8_t)kind;
    if (j->active) {
        r->dirty_txn = j->txn_id;
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
        if (ncap > UINT32_MAX || ncap > (size_t)-1 / elem)
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

int rw_segvec_push(rw_engine *e, rw_segvec *v, void *item)
{
    size_t seg = v->len >> RW_SEG_SHIFT;
    if (rw_save(e, v, sizeof *v))
        return -1;
    if (seg == v->nsegs) {
        if (v->nsegs == v->capsegs) {
            size_t ncap = v->capsegs ? v->capsegs * 2 : 4;
            void ***nd = rw_new(e, ncap * sizeof *nd);
            if (!nd)
                return -1;
            if (v->nsegs)
                memcpy(nd, v->segs, v->nsegs * sizeof *nd);
            if (rw_free_later(e, v->segs))
                return -1;
            v->segs = nd;
            v->capsegs = ncap;
        }
        /* not zeroed: only the first len elements are ever read */
        void **s = rw_malloc(&e->alloc, RW_SEG * sizeof *s);
        if (!s)
            return -1;
        if (rw_free_on_rollback(e, s)) {
            rw_free(&e->alloc, s);
            return -1;
        }
        v->segs[v->nsegs++] = s;
    }
    v->segs[seg][v->len & (RW_SEG - 1)] = item;
    v->len++;
    return 0;
}

void rw_segvec_release(rw_engine *e, rw_segvec *v)
{
    for (size_t i = 0; i < v->nsegs; i++)
        rw_free(&e->alloc, v->segs[i]);
    rw_free(&e->alloc, v->segs);
    memset(v, 0, sizeof *v);
}

void rw_journal_rollback(rw_engine *e)
{
    rw_journal *j = &e->journal;
    for (size_t i = j->nundo; i-- > 0;)
        memcpy(j->undo[i].ptr, j->bytes + j->undo[i].off, j->undo[i].size);
    for (size_t i = 0; i < j->nfr; i++)
        rw_free(&e->alloc, j->free_rollback[i]);
    j->nundo = j->nbytes = j->nfc = j->nfr = j->ndirty = j->nfs = 0;
    j->active = 0;
    j->batch = 0;
}

void rw_journal_mark_take(rw_engine *e, rw_journal_mark *m)
{
    rw_journal *j = &e->journal;
    j->txn_id++;
    m->nundo = j->nundo;
    m->nbytes = j->nbytes;
    m->nfc = j->nfc;
    m->nfr = j->nfr;
    m->ndirty = j->ndirty;
    m->nfs = j->nfs;
}

void rw_journal_rollback_to(rw_engine *e, const rw_journal_mark *m)
{
    rw_journal *j = &e->journal;
    for (size_t i = j->nundo; i-- > m->nundo;)
        memcpy(j->undo[i].ptr, j->bytes + j->undo[i].off, j->undo[i].size);
    for (size_t i = m->nfr; i < j->nfr; i++)
        rw_free(&e->alloc, j->free_rollback[i]);
    /* what the undone writes unlinked is linked again: it must outlive the commit */
    j->nundo = m->nundo;
    j->nbytes = m->nbytes;
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
    j->nundo = j->nbytes = j->nfc = j->nfr = j->ndirty = j->nfs = 0;
    j->active = 0;
    j->batch = 0;
}

void rw_journal_free(rw_engine *e)
{
    rw_journal *j = &e->journal;
    rw_free(&e->alloc, j->undo);
    rw_free(&e->alloc, j->bytes);
    rw_free(&e->alloc, j->free_commit);
    rw_free(&e->alloc, j->free_rollback);
    rw_free(&e->alloc, j->dirty);
    rw_free(&e->alloc, j->free_small);
    memset(j, 0, sizeof *j);
}
