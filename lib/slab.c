/*
 * slab.c - the chunked bump allocator of slab.h.
 *
 * Every change to a slab's state or to a free list head is saved in the
 * undo journal first (the state once per transaction, a free buffer's link
 * each time one is taken), so a rollback gives back exactly what the call
 * carved, and a chunk the call took is freed by the rollback itself.
 */
#include "slab.h"
#include "engine.h"

#include <string.h>

#define ALIGN 8
#define HEADER ALIGN /* a chunk starts with the link to the next one (pointer-sized, kept 8-aligned) */

/* Save s once per transaction (outside one, nothing is journaled). */
static int save_state(rw_engine *e, void *state, uint64_t *saved_txn, size_t size)
{
    const rw_journal *j = &e->journal;
    if (!j->active || *saved_txn == j->txn_id)
        return 0;
    if (rw_save(e, state, size))
        return -1;
    *saved_txn = j->txn_id;
    return 0;
}

/* The state a rollback restores: everything before clean_serial. */
#define SLAB_STATE offsetof(rw_slab, clean_serial)

static void *carve(rw_engine *e, rw_slab *s, size_t size, size_t align, size_t *dirty);

/* Carved and zeroed: only the part that was handed out before (and then
 * rolled back) can be other than zero. */
static void *carve_zeroed(rw_engine *e, rw_slab *s, size_t size, size_t align)
{
    size_t dirty = 0;
    void *p = carve(e, s, size, align, &dirty);
    if (p && dirty)
        memset(p, 0, dirty);
    return p;
}

void *rw_slab_alloc(rw_engine *e, rw_slab *s, size_t size)
{
    return carve_zeroed(e, s, size, ALIGN);
}

void *rw_slab_alloc_raw(rw_engine *e, rw_slab *s, size_t size)
{
    return rw_slab_alloc_aligned(e, s, size, ALIGN);
}

/* Bytes to skip at cur so that it is a multiple of align (a power of two). */
static size_t padding(const char *cur, size_t align)
{
    return (size_t)(-(uintptr_t)cur & (uintptr_t)(align - 1));
}

void *rw_slab_alloc_aligned(rw_engine *e, rw_slab *s, size_t size, size_t align)
{
    size_t dirty = 0;
    return carve(e, s, size, align, &dirty);
}

/* size bytes aligned to align; *dirty: how many of them, from the start,
 * may not be zero (handed out before, then taken back by a rollback). */
static void *carve(rw_engine *e, rw_slab *s, size_t size, size_t align, size_t *dirty)
{
    if (size > (size_t)-1 / 4)
        return NULL;
    /* (below ALIGN only for bytes packed end to end: trace_pack.c) */
    size = (size + align - 1) & ~(size_t)(align - 1);
    if (!size)
        size = align;
    if (save_state(e, s, &s->saved_txn, SLAB_STATE))
        return NULL;
    if (!s->cur || (size_t)(s->end - s->cur) < size + padding(s->cur, align)) {
        size_t n = s->next_size ? s->next_size : RW_SLAB_CHUNK_MIN;
        while (n - HEADER < size + align)
            n *= 2;
        /* zero, often without a memset (fresh pages); not at all for a raw slab */
        char *c = s->raw ? rw_malloc(&e->alloc, n) : rw_calloc(&e->alloc, 1, n);
        if (!c)
            return NULL;
        if (rw_free_on_rollback(e, c)) {
            rw_free(&e->alloc, c);
            return NULL;
        }
        memcpy(c, &s->chunks, sizeof s->chunks);
        s->chunks = c;
        s->clean_serial = ++s->serial;
        s->clean = c + HEADER;
        s->cur = c + HEADER;
        s->end = c + n;
        s->next_size = n * 2 <= RW_SLAB_CHUNK_MAX ? n * 2 : n > RW_SLAB_CHUNK_MAX ? n : RW_SLAB_CHUNK_MAX;
    }
    s->cur += padding(s->cur, align);
    char *p = s->cur;
    s->cur += size;
    /* every allocation, raw ones too, moves clean past what it hands out */
    if (s->raw || s->clean_serial != s->serial) /* not zeroed, or a rollback took back the chunk clean was in */
        *dirty = size;
    else if (p >= s->clean)
        *dirty = 0;
    else
        *dirty = (size_t)(s->clean - p) < size ? (size_t)(s->clean - p) : size;
    if (s->clean_serial == s->serial && s->cur > s->clean)
        s->clean = s->cur;
    return p;
}

char *rw_slab_str(rw_engine *e, const char *str, size_t len)
{
    char *p = rw_slab_alloc(e, &e->general, len + 1);
    if (p)
        memcpy(p, str, len); /* the NUL is there: the memory is zeroed */
    return p;
}

void rw_slab_release(rw_engine *e, rw_slab *s)
{
    void *c = s->chunks;
    while (c) {
        void *next;
        memcpy(&next, c, sizeof next);
        rw_free(&e->alloc, c);
        c = next;
    }
    int raw = s->raw;
    memset(s, 0, sizeof *s);
    s->raw = raw;
}

static size_t class_of(size_t cap)
{
    size_t c = 0;
    while (((size_t)2 << c) < cap)
        c++;
    return c;
}

void *rw_small_alloc(rw_engine *e, size_t cap)
{
    rw_small_free *f = &e->small;
    size_t c = class_of(cap);
    void *p = f->head[c];
    if (!p)
        return rw_slab_alloc(e, &e->general, cap * sizeof(void *));
    /* taken from the free list: the head and the buffer's link are saved, a rollback puts it back */
    if (save_state(e, f, &f->saved_txn, sizeof *f) || rw_save(e, p, sizeof(void *)))
        return NULL;
    memcpy(&f->head[c], p, sizeof(void *));
    return p;
}

void rw_small_put(rw_engine *e, void *p, size_t cap)
{
    rw_small_free *f = &e->small;
    size_t c = class_of(cap);
    memcpy(p, &f->head[c], sizeof(void *));
    f->head[c] = p;
}

int rw_small_free_later(rw_engine *e, void *p, size_t cap)
{
    rw_journal *j = &e->journal;
    if (!p)
        return 0;
    if (!j->active) {
        rw_small_put(e, p, cap);
        return 0;
    }
    if (j->nfs == j->capfs) {
        size_t ncap = j->capfs ? j->capfs * 2 : 16;
        void *n = rw_realloc(&e->alloc, j->free_small, ncap * sizeof *j->free_small);
        if (!n)
            return -1;
        j->free_small = n;
        j->capfs = ncap;
    }
    j->free_small[j->nfs].ptr = p;
    j->free_small[j->nfs].cap = cap;
    j->nfs++;
    return 0;
}
