/*
 * recs.h - the records of one kind, in creation order, stored in chunks of
 * whole records that never move.
 *
 * A record was carved from its kind's slab and listed, by pointer, in a
 * segmented list of its kind: 8 bytes per record (about 100 per deal) only
 * to find the i-th record, and a second structure to grow and roll back.
 * Here the records themselves are the list: chunk c holds 16 << c records
 * for c < 8 (16, 32, ... 2,048: a small engine stays small) and 4,096 from
 * then on, so the i-th record is found by arithmetic (rw_recs_at) under a
 * directory of one pointer per chunk.  Not 1,024: 104 KiB of contributions
 * or entries is under the size from which a typical malloc maps a block
 * of its own (glibc: 128 KiB), so such chunks came from the main heap amid
 * the host's own small blocks, and operations with storage attached ran
 * 1.3 times slower than with the slabs' 256 KiB chunks (bench_engine
 * 100000 --restore: 84k against 110k operations/s, median of 5); with
 * 4,096 (416 KiB) they were as fast as before or faster.
 *
 * Rollback: the list's state (its count, its chunks and directory) is saved
 * in the undo journal once per transaction before the first record changes
 * it; a rollback restores it, which takes back every record the call made,
 * and a chunk or directory the call took is freed by the rollback itself.
 * Records are handed out zeroed: a chunk is cleared when taken, and past
 * `clean` nothing was ever handed out; a record that a rolled-back call had
 * is cleared when handed out again.
 */
#ifndef RW_RECS_H
#define RW_RECS_H

#include <stddef.h>
#include <stdint.h>

typedef struct rewards_engine rw_engine;

#define RW_RECS_FIRST_SHIFT 4 /* the first chunk holds 16 records */
#define RW_RECS_SHIFT 12      /* every chunk from the ninth holds 4,096 */
#define RW_RECS_GROWING 8     /* chunks before that: 16, 32, ... 2,048 records */
/* records in the growing chunks: 16 + 32 + ... + 2,048 */
#define RW_RECS_SMALL (((size_t)1 << RW_RECS_SHIFT) - ((size_t)1 << RW_RECS_FIRST_SHIFT))

typedef struct rw_recs {
    uint64_t saved_txn; /* the journal transaction that last saved this state (0: none) */
    char **chunks;      /* the directory: chunk c holds records first(c) .. first(c) + capacity(c) - 1 */
    size_t len;         /* records */
    size_t nchunks, capchunks;
    /* Not journaled (a rollback must not move them back): */
    size_t size;        /* bytes per record: the kind's struct (a multiple of its alignment) */
    size_t clean;       /* from this index on, nothing was ever handed out: still zero */
} rw_recs;

/* The chunk of record i, and i's place in it. */
static inline size_t rw_recs_chunk_of(size_t i, size_t *off)
{
    if (i >= RW_RECS_SMALL) {
        size_t j = i - RW_RECS_SMALL;
        *off = j & (((size_t)1 << RW_RECS_SHIFT) - 1);
        return RW_RECS_GROWING + (j >> RW_RECS_SHIFT);
    }
    size_t q = (i >> RW_RECS_FIRST_SHIFT) + 1; /* 1 .. 2^RW_RECS_GROWING - 1: chunk c is where q reaches 2^c */
    size_t c = (size_t)(q >= 2) + (q >= 4) + (q >= 8) + (q >= 16) + (q >= 32) + (q >= 64) + (q >= 128);
    *off = i - ((((size_t)1 << c) - 1) << RW_RECS_FIRST_SHIFT);
    return c;
}

/* The i-th record (i < len). */
static inline void *rw_recs_at(const rw_recs *r, size_t i)
{
    size_t off, c = rw_recs_chunk_of(i, &off);
    return r->chunks[c] + off * r->size;
}

/* A new zeroed record at the end of the list; NULL when out of memory. */
void *rw_recs_new(rw_engine *e, rw_recs *r);
/* Every chunk back to the engine allocator: empty again (its size kept). */
void rw_recs_release(rw_engine *e, rw_recs *r);

#endif
