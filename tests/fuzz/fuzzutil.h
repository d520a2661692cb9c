/*
 * fuzzutil.h - what the engine fuzz targets share (no test framework: a
 * broken oracle calls abort(), which libFuzzer reports with the input):
 * a record table that plays the host's storage, with counters and failure
 * injection; an allocator that fails the Nth allocation and counts live
 * blocks; the worked scenarios captured as record sets.
 */
#ifndef FUZZUTIL_H
#define FUZZUTIL_H

#include <stddef.h>
#include <stdint.h>
#include "rewards.h"

#define FZ_CHECK(cond)                                                                  \
    do {                                                                                \
        if (!(cond))                                                                    \
            fz_fail(__FILE__, __LINE__, #cond);                                         \
    } while (0)
void fz_fail(const char *file, int line, const char *what);

typedef struct fz_rec {
    int kind;
    char *key;
    char *data;
    size_t size;
} fz_rec;

typedef struct fz_table {
    fz_rec *v;
    size_t n, cap;
} fz_table;

void fz_table_put(fz_table *t, int kind, const char *key, const void *data, size_t size, int replace);
void fz_table_copy(fz_table *dst, const fz_table *src);
void fz_table_clear(fz_table *t);
int fz_table_equal(const fz_table *a, const fz_table *b);

/* Storage: committed records and this transaction's puts. */
typedef struct fz_store {
    fz_table committed, pending;
    int in_txn;
    long begins, puts, commits, rollbacks, events;
    int fail_begin, fail_commit, fail_put; /* fail_put: the Nth put of a transaction */
    int txn_puts;
} fz_store;

/* Allocation: fail the allocation numbered fail_at (0: never). */
typedef struct fz_alloc {
    long count, fail_at, live;
} fz_alloc;

/* An engine over s (may be NULL) and a (may be NULL). */
rewards_engine *fz_engine(fz_store *s, fz_alloc *a);
void fz_store_free(fz_store *s);

/* Restore t (in the order of perm, NULL: as it is) into e and finish. */
rewards_status fz_restore(rewards_engine *e, const fz_table *t, const size_t *perm);

/* Every worked scenario, run with storage: what storage held at its end and half way. */
typedef struct fz_capture {
    fz_table set;
    const char *name;
} fz_capture;
size_t fz_captures(fz_capture **out);

#endif
