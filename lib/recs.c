/*
 * recs.c - the records of a kind in chunks of whole records (recs.h).
 */
#include "recs.h"
#include "engine.h"

#include <string.h>

/* Records in chunk c. */
static size_t capacity(size_t c)
{
    return (size_t)1 << (c < RW_RECS_GROWING ? RW_RECS_FIRST_SHIFT + c : RW_RECS_SHIFT);
}

/* The state a rollback restores: everything before size. */
#define RECS_STATE offsetof(rw_recs, size)

void *rw_recs_new(rw_engine *e, rw_recs *r)
{
    const rw_journal *j = &e->journal;
    if (j->active && r->saved_txn != j->txn_id) {
        if (rw_save(e, r, RECS_STATE))
            return NULL;
        r->saved_txn = j->txn_id;
    }
    size_t off, c = rw_recs_chunk_of(r->len, &off);
    if (c == r->nchunks) {
        size_t cap = capacity(c);
        /* a larger directory when full (recs' state is saved above) */
        if (cap > (size_t)-1 / r->size ||
            (r->nchunks == r->capchunks &&
             rw_buffer_double(e, (void **)&r->chunks, &r->capchunks, r->nchunks, sizeof *r->chunks, 8)))
            return NULL;
        /* rw_new: zeroed, and freed by a rollback of this call */
        char *chunk = rw_new(e, cap * r->size);
        if (!chunk)
            return NULL;
        r->chunks[r->nchunks++] = chunk;
        r->clean = r->len; /* the chunks before are full: from here on, all of it is fresh */
    }
    char *p = r->chunks[c] + off * r->size;
    if (r->len < r->clean) /* a rolled-back call had it */
        memset(p, 0, r->size);
    r->len++;
    if (r->clean < r->len)
        r->clean = r->len;
    return p;
}

void rw_recs_release(rw_engine *e, rw_recs *r)
{
    for (size_t c = 0; c < r->nchunks; c++)
        rw_free(&e->alloc, r->chunks[c]);
    rw_free(&e->alloc, r->chunks);
    size_t size = r->size;
    memset(r, 0, sizeof *r);
    r->size = size;
}
