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

/* A place for one more chunk in the directory (a larger directory when full:
 * the old one is freed at commit, the new one on rollback). */
static int directory_room(rw_engine *e, rw_recs *r)
{
    if (r->nchunks < r->capchunks)
        return 0;
    size_t ncap = r->capchunks ? r->capchunks * 2 : 8;
    if (ncap > (size_t)-1 / sizeof *r->chunks)
        return -1;
    char **nd = rw_new(e, ncap * sizeof *nd);
    if (!nd)
        return -1;
    if (r->nchunks)
        memcpy(nd, r->chunks, r->nchunks * sizeof *nd);
    if (rw_free_later(e, r->chunks))
        return -1;
    r->chunks = nd;
    r->capchunks = ncap;
    return 0;
}

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
        if (cap > (size_t)-1 / r->size || directory_room(e, r))
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
