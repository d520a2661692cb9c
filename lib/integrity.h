/*
 * integrity.h - what lets a restore tell a complete, unaltered set of
 * records from one that lost, gained or changed a record (integrity.c), and
 * the field checks a restored record passes (record_check.c).
 */
#ifndef RW_INTEGRITY_H
#define RW_INTEGRITY_H

#include "engine.h"

/* The hash of one record as storage holds it: its kind and data bytes
 * (the key is a function of both).  Never 0, which marks "not yet stored". */
uint64_t rw_record_hash(int kind, const void *data, size_t size);

/* The encoded records of one transaction: in creation order, then the meta record. */
typedef struct rw_sealed_item {
    rw_rec *rec;
    char *data;
    size_t size;
} rw_sealed_item;

typedef struct rw_sealed {
    rw_sealed_item *items;
    size_t n;
} rw_sealed;

/*
 * At the end of a transaction that changed anything: make sure the meta
 * record exists and is part of it, encode every changed record once, move
 * each one's hash into the digest (old out, new in; new records counted),
 * and write the digest, counts and next sequence number into the meta
 * record.  All of it journaled, so a rollback undoes it exactly.
 */
rewards_status rw_seal(rw_engine *e, rw_sealed *out);
void rw_sealed_free(rw_engine *e, rw_sealed *s);

/* A record waiting for restore_finish. */
typedef struct rw_pending {
    int kind;
    uint64_t seq;
    size_t size;
    uint64_t hash; /* rw_record_hash of the data, set by rw_restore_verify (not for the meta record) */
    char data[];
} rw_pending;

/* The key a pending record is stored under, as far as its data tells (for messages). */
void rw_pending_key(const rw_pending *p, char *buf, size_t size);

/*
 * Before any record is rebuilt: the set given to restore (sorted by kind
 * and sequence, the meta record first) has no record twice, has a meta
 * record when it has anything a meta record must cover, and matches the
 * meta record's counts, digest and next sequence number when it has them.
 * Sets e->integ to what the set adds up to.  *meta_at is the index of the
 * meta record, or (size_t)-1.
 */
rewards_status rw_restore_verify(rw_engine *e, rw_pending *const *all, size_t n, size_t *meta_at);
/* After the meta record is decoded: compare it with what the set adds up to. */
rewards_status rw_restore_check_meta(rw_engine *e, rw_pending *const *all, size_t n);

/* The limits an operation puts on the fields of the record it creates,
 * checked again on a restored record (record_check.c). */
rewards_status rw_record_check(rw_engine *e, const rw_rec *r);

#endif
