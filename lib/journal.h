/*
 * journal.h - the undo journal that makes every mutating call atomic.
 *
 * All engine state lives in plain C structures.  A mutating call opens a
 * transaction; before any byte of existing state is written, the writer
 * saves the old bytes here (rw_save, or rw_touch for whole records).  Memory
 * allocated during the call is registered to be freed on rollback; memory
 * unlinked during the call is freed only on commit.  Rolling back restores
 * the saved bytes in reverse order, which returns the engine to exactly the
 * state before the call whatever went wrong (an invalid field found late,
 * out of memory, a storage callback failing).  The same journal lists the
 * records a call created or changed: those are what the storage callbacks
 * are told at commit.
 */
#ifndef RW_JOURNAL_H
#define RW_JOURNAL_H

#include <stddef.h>
#include <stdint.h>

typedef struct rewards_engine rw_engine;

/* The header every persisted record starts with: 24 bytes.  The kind
 * shares a word with the last transaction that touched the record (a kind
 * of its own took 8 bytes with padding, in every record: about 100 bytes
 * per deal).  Only the transaction id's low RW_TXN_BITS bits are kept;
 * rw_journal_begin clears every record's before they could come round
 * again (journal.c: next_round_if_due). */
typedef struct rw_rec {
    uint64_t seq;        /* creation order across all records, from 1 */
    uint64_t txn_kind;   /* rw_kind in the low 8 bits, the transaction above: rw_rec_kind(), rw_rec_txn() */
    uint64_t hash;       /* hash of the data storage holds for it, 0 before its first commit (integrity.c) */
} rw_rec;

#define RW_TXN_BITS 56
#define RW_TXN_MASK ((UINT64_C(1) << RW_TXN_BITS) - 1)
/* How many transaction ids a batch may use between two beginnings (one per
 * savepoint): a round ends this far before the low bits would wrap. */
#define RW_TXN_HEADROOM (UINT64_C(1) << 48)

static inline int rw_rec_kind(const rw_rec *r) { return (int)(r->txn_kind & 0xFF); }
/* The low RW_TXN_BITS bits of the last transaction that touched it (0: none since the last clearing). */
static inline uint64_t rw_rec_txn(const rw_rec *r) { return r->txn_kind >> 8; }
static inline void rw_rec_set_txn(rw_rec *r, uint64_t txn) { r->txn_kind = (txn << 8) | (r->txn_kind & 0xFF); }

typedef struct rw_undo {
    void *ptr;
    unsigned char *saved; /* the old bytes, in a chunk of the journal's byte log */
    size_t size;
} rw_undo;

/* A chunk of the byte log. */
typedef struct rw_bchunk {
    unsigned char *p;
    size_t size;
} rw_bchunk;

#define RW_UNDO_SHIFT 12         /* undo records per chunk: 4,096 (96 KiB) */
#define RW_BYTES_CHUNK 65536     /* bytes per chunk of the byte log (a larger save gets its own) */
#define RW_JOURNAL_KEEP 16       /* chunks of each kind kept for the next transaction */

/*
 * The undo records and the bytes they saved are kept in chunks that never
 * move: a transaction of a million saves (a payout of everything, a large
 * batch) grows by adding chunks instead of reallocating one array twice
 * its size and copying it, which cost a varying share of such a
 * transaction depending on whether the allocator could extend in place.
 * After a transaction at most RW_JOURNAL_KEEP chunks of each kind stay.
 */
typedef struct rw_journal {
    int active;
    uint64_t txn_id;
    rw_undo **undo;              /* chunks of 1 << RW_UNDO_SHIFT records */
    size_t nundo, nuchunks, capuchunks;
    rw_bchunk *bytes;            /* the byte log: chunk bchunk is in use, bused bytes of it */
    size_t nbchunks, capbchunks, bchunk, bused;
    void **free_commit;
    size_t nfc, capfc;
    void **free_rollback;
    size_t nfr, capfr;
    rw_rec **dirty;
    size_t ndirty, capdirty;
    int batch; /* a batch (batch.c) is open: the transaction spans many operations */
    struct rw_small_ref {
        void *ptr;
        size_t cap;
    } *free_small; /* slab.c: small list buffers given back at commit */
    size_t nfs, capfs;
} rw_journal;

/* A savepoint inside a transaction (batch.c): how far every list had grown. */
typedef struct rw_journal_mark {
    size_t nundo, bchunk, bused, nfc, nfr, ndirty;
    size_t nfs;
} rw_journal_mark;

/* A growable array owned by the engine; growth is journaled.  Its counts
 * are 32-bit: a list is in many records (a deal's contributions and
 * entries, a partner's, a group's), so 8 bytes here are 8 in each; growth
 * refuses to pass UINT32_MAX elements (far more than memory holds). */
typedef struct rw_vec {
    void *data;
    uint32_t len, cap;
} rw_vec;

void rw_journal_begin(rw_engine *e);
void rw_journal_rollback(rw_engine *e);
void rw_journal_commit(rw_engine *e);
void rw_journal_free(rw_engine *e);
/* Take a savepoint: later writes get a new transaction id, so a record
 * already saved earlier in the transaction is saved again before it changes
 * (the dirty list may then name it twice: rw_seal() drops the repeats). */
void rw_journal_mark_take(rw_engine *e, rw_journal_mark *m);
/* Undo everything since the savepoint and keep the transaction open. */
void rw_journal_rollback_to(rw_engine *e, const rw_journal_mark *m);

/* rw_save (engine.h) when the journal needs a new chunk, or is too near a
 * chunk's end for the bytes: -1 when out of memory. */
int rw_save_slow(rw_engine *e, void *ptr, size_t size);
/* Save a whole record before changing it, and list it for storage. */
int rw_touch(rw_engine *e, rw_rec *rec, size_t size);
/* List a record for storage and save only its header (the seal writes its
 * hash there): the caller saves each field it writes (RW_SET).  What most
 * writers use: a stage change saves a few bytes, not the whole record. */
int rw_mark(rw_engine *e, rw_rec *rec);
/* rw_mark, then RW_SET: 0, or -1 when out of memory. */
#define RW_MARK_SET(e, rec, lv, val) (rw_mark((e), &(rec)->h) ? -1 : RW_SET((e), (lv), (val)))
/* Allocate zeroed memory that rollback frees. */
void *rw_new(rw_engine *e, size_t size);
/* A journaled string copy (freed on rollback). */
char *rw_new_str(rw_engine *e, const char *s, size_t len);
/* Free ptr when the transaction commits (it was unlinked from the state). */
int rw_free_later(rw_engine *e, void *ptr);
/* Free ptr (one block of the engine allocator) if the transaction rolls back. */
int rw_free_on_rollback(rw_engine *e, void *ptr);
/* The buffer *data of *cap elements of elem bytes, len of them in use, for
 * twice as many (first when it has none): a new zeroed block that a rollback
 * frees, the old one freed at commit.  The caller saved *data and *cap in
 * the journal first.  0, or -1 when out of memory (nothing changed). */
int rw_buffer_double(rw_engine *e, void **data, size_t *cap, size_t len, size_t elem, size_t first);
/* Allocate a new record of the given kind and size with the next sequence number. */
void *rw_new_record(rw_engine *e, int kind, size_t size);

int rw_vec_push(rw_engine *e, rw_vec *v, size_t elem, const void *item);

#define RW_VEC_AT(v, type, i) (((type *)(v).data)[i])
void rw_vec_release(rw_engine *e, rw_vec *v);

/* Journaled assignment: RW_SET(e, lvalue, value) evaluates to 0 or -1. */
#define RW_SET(e, lv, val) (rw_save((e), &(lv), sizeof(lv)) ? -1 : ((lv) = (val), 0))

#endif
