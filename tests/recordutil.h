/*
 * recordutil.h - helpers of the restore-integrity tests (test_integrity.c,
 * test_restore_limits.c): engines with a counting allocator, record sets
 * given to restore in a seeded order, engines compared whole, a refused set
 * followed by the intact one, and a record's netstring fields edited one
 * at a time.  Uses cmocka assertions.
 */
#ifndef RECORDUTIL_H
#define RECORDUTIL_H

#include <stddef.h>
#include <stdint.h>
#include "ops.h"
#include "mockstore.h"
#include "testutil.h"

/* An engine saving into s (when given), allocating through c (when given). */
rewards_engine *new_engine(mock *s, counted *c);

/* One record of a set given to restore. */
typedef struct grec {
    int kind;
    const char *data;
    size_t size;
} grec;

/* Give recs to e in the order of a seeded shuffle (seed 0: as given) and finish. */
rewards_status give(rewards_engine *e, const grec *recs, size_t n, uint64_t seed);
/* The records of a table (pointing into it), with room for two more. */
grec *from_table(const table *t);
/* Same fingerprint, ledger and payouts. */
void assert_same(rewards_engine *a, rewards_engine *b);
/* What follows a restart: the same statuses, the same state. */
void next_operations(rewards_engine *live, rewards_engine *b);
/* Refused (with must_say in the message, when given); then the same engine takes the intact set. */
void assert_refused_then_intact(const grec *bad, size_t nbad, const grec *good, size_t ngood, rewards_engine *live,
                                const char *what, const char *must_say);

/* The fields of a record's data after "rwN,". */
typedef struct fld {
    size_t tok, end, start, len;
} fld;
size_t fields_at(const char *d, size_t n, fld *f, size_t max);
size_t fields_of(const char *d, size_t n, size_t *start, size_t *len, size_t max);
/* data with field i replaced by text v, or absent when v is NULL (malloc'd). */
char *with_field(const char *d, size_t n, size_t i, const char *v, size_t *size);

/* A small engine: program, trailing-window level, tiered reward, partner, fx, a won deal, a payout. */
void build_small(rewards_engine *e);
/* The index of the record of kind (and key, when given) in t. */
size_t find_kind(const table *t, int kind, const char *key);

#endif
