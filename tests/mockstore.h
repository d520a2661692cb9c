/*
 * mockstore.h - a table of records (kind, key) -> data, and a mock storage
 * over it for the storage callbacks: a committed table and the puts of the
 * open transaction, with counters and the failures a test can ask for
 * (begin, the Nth put of a transaction, commit).  Uses cmocka assertions.
 */
#ifndef MOCKSTORE_H
#define MOCKSTORE_H

#include <stddef.h>
#include "rewards.h"

typedef struct mrec {
    int kind;
    char *key;
    char *data; /* size bytes, then a '\0' */
    size_t size;
} mrec;

typedef struct table {
    mrec *v;
    size_t n, cap;
} table;

void table_clear(table *t);
void table_free(table *t);
mrec *table_find(table *t, int kind, const char *key);
/* Append (or replace when replace is set and the key exists). */
void table_put(table *t, int kind, const char *key, const void *data, size_t size, int replace);
/* dst becomes a copy of src. */
void table_copy(table *dst, const table *src);

typedef struct mock {
    table committed;
    table pending; /* this transaction's puts, in the order received */
    int begins, puts, commits, rollbacks, dels, events;
    int in_txn;
    int fail_begin, fail_commit, fail_put; /* fail_put: 1-based put of the transaction */
    int txn_puts;
    int dup_puts;      /* a (kind, key) put twice in one transaction */
    int put_outside;   /* a put with no transaction open */
} mock;

/* The storage and event callbacks; user is a mock * (zeroed before use). */
int mock_begin(void *u);
int mock_put(void *u, rewards_record_kind kind, const char *key, const void *data, size_t size);
int mock_del(void *u, rewards_record_kind kind, const char *key);
int mock_commit(void *u);
int mock_rollback(void *u);
void mock_event(void *u, const rewards_event *ev);
void mock_free(mock *m);

#endif
