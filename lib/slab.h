/*
 * slab.h - the small never-resized parts of records (ids, net arrays),
 * small lists and traces, carved from big chunks of the engine's allocator
 * instead of one heap block each (the records themselves: recs.h).
 *
 * A deal with its contributions and entries used to be some thirty heap
 * blocks (every record, id, net array and small list its own block); the
 * allocator was a quarter of the time and its per-block overhead a good
 * part of the memory.  A slab hands out memory by moving a pointer through
 * a chunk, and takes a new chunk (each twice the size of the one before,
 * up to RW_SLAB_CHUNK_MAX) when the current one is full.  Records are never
 * deleted, so what they own stays until the engine is reset or freed.
 *
 * Rollback: the slab's state (the bump pointer, the chunk list) is ordinary
 * engine state, saved in the undo journal once per transaction before the
 * first allocation changes it.  Rolling back restores it, which takes back
 * at once everything the call carved; a chunk taken during the call is
 * registered to be freed on rollback.  Nothing per object is journaled.
 *
 * Small lists (rw_vec buffers of up to RW_SMALL_CAP pointers) come from the
 * engine's general slab too, by size class, with a free list per class:
 * a list that outgrows its buffer gives the old one back at commit.
 */
#ifndef RW_SLAB_H
#define RW_SLAB_H

#include <stddef.h>
#include <stdint.h>

typedef struct rewards_engine rw_engine;

#define RW_SLAB_CHUNK_MIN 1024
#define RW_SLAB_CHUNK_MAX (256 * 1024)

typedef struct rw_slab {
    uint64_t saved_txn; /* the journal transaction that last saved this state (0: none) */
    char *cur, *end;    /* free space left in the newest chunk */
    void *chunks;       /* newest first; a chunk starts with the pointer to the next */
    size_t next_size;   /* size of the next chunk */
    uint64_t serial;    /* of the newest chunk: 1, 2, 3 ... */
    /* Not journaled (a rollback must not move it back): chunks are zeroed
     * when taken (rw_calloc: one memset), and in the chunk numbered
     * clean_serial nothing from clean on was ever handed out, so it is
     * still zero and needs no memset. */
    uint64_t clean_serial;
    char *clean;
    /* Set once by the engine, kept by rw_slab_release: a slab whose every
     * allocation is raw (traces, pending restore records) takes its chunks
     * from rw_malloc, not rw_calloc, so their memory is not cleared for nothing. */
    int raw;
} rw_slab;

/* Size classes of small list buffers: 2, 4, 8 and 16 pointers. */
#define RW_SMALL_CLASSES 4
#define RW_SMALL_CAP 16

typedef struct rw_small_free {
    uint64_t saved_txn;
    void *head[RW_SMALL_CLASSES]; /* freed buffers; each starts with the next one */
} rw_small_free;

/* size bytes of zeroed memory, 8-byte aligned, from slab s; NULL when out of memory. */
void *rw_slab_alloc(rw_engine *e, rw_slab *s, size_t size);
/* The same, not zeroed (the caller writes every byte). */
void *rw_slab_alloc_raw(rw_engine *e, rw_slab *s, size_t size);
/* size bytes, not zeroed, aligned to align (a power of two up to the chunks'
 * malloc alignment): records whose struct needs more than 8 (a 128-bit
 * member), or 1 for bytes packed end to end (a packed trace: trace_pack.c). */
void *rw_slab_alloc_aligned(rw_engine *e, rw_slab *s, size_t size, size_t align);
/* A NUL-terminated copy of the len bytes at str, from the engine's general slab. */
char *rw_slab_str(rw_engine *e, const char *str, size_t len);
/* Every chunk of s back to the engine allocator; s is empty again. */
void rw_slab_release(rw_engine *e, rw_slab *s);

/* A buffer for cap pointers (cap a power of two, 2..RW_SMALL_CAP); not zeroed. */
void *rw_small_alloc(rw_engine *e, size_t cap);
/* Give back a buffer of rw_small_alloc(cap): at commit inside a transaction (it
 * may still be needed by a rollback), at once outside.  -1 when out of memory. */
int rw_small_free_later(rw_engine *e, void *p, size_t cap);
/* Put it on its free list now (the journal's commit). */
void rw_small_put(rw_engine *e, void *p, size_t cap);

#endif
