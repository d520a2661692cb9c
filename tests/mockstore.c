/*
 * mockstore.c - the record table and mock storage of mockstore.h.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "mockstore.h"

void table_clear(table *t)
{
    for (size_t i = 0; i < t->n; i++) {
        free(t->v[i].key);
        free(t->v[i].data);
    }
    t->n = 0;
}

void table_free(table *t)
{
    table_clear(t);
    free(t->v);
    memset(t, 0, sizeof *t);
}

mrec *table_find(table *t, int kind, const char *key)
{
    for (size_t i = 0; i < t->n; i++)
        if (t->v[i].kind == kind && !strcmp(t->v[i].key, key))
            return &t->v[i];
    return NULL;
}

void table_put(table *t, int kind, const char *key, const void *data, size_t size, int replace)
{
    mrec *r = replace ? table_find(t, kind, key) : NULL;
    if (!r) {
        if (t->n == t->cap) {
            t->cap = t->cap ? t->cap * 2 : 64;
            t->v = realloc(t->v, t->cap * sizeof *t->v);
            assert_non_null(t->v);
        }
        r = &t->v[t->n++];
        r->kind = kind;
        r->key = strdup(key);
        assert_non_null(r->key);
    } else {
        free(r->data);
    }
    r->data = malloc(size + 1);
    assert_non_null(r->data);
    if (size)
        memcpy(r->data, data, size);
    r->data[size] = '\0';
    r->size = size;
}

void table_copy(table *dst, const table *src)
{
    table_clear(dst);
    for (size_t i = 0; i < src->n; i++)
        table_put(dst, src->v[i].kind, src->v[i].key, src->v[i].data, src->v[i].size, 1);
}

int mock_begin(void *u)
{
    mock *m = u;
    m->begins++;
    if (m->fail_begin)
        return 1;
    assert_false(m->in_txn);
    m->in_txn = 1;
    m->txn_puts = 0;
    table_clear(&m->pending);
    return 0;
}

int mock_put(void *u, rewards_record_kind kind, const char *key, const void *data, size_t size)
{
    mock *m = u;
    m->puts++;
    if (!m->in_txn)
        m->put_outside++;
    if (++m->txn_puts == m->fail_put)
        return -1;
    if (table_find(&m->pending, kind, key))
        m->dup_puts++;
    table_put(&m->pending, kind, key, data, size, 0);
    return 0;
}

int mock_del(void *u, rewards_record_kind kind, const char *key)
{
    (void)kind;
    (void)key;
    ((mock *)u)->dels++;
    return 0;
}

int mock_commit(void *u)
{
    mock *m = u;
    if (m->fail_commit)
        return 1;
    for (size_t i = 0; i < m->pending.n; i++) {
        mrec *r = &m->pending.v[i];
        table_put(&m->committed, r->kind, r->key, r->data, r->size, 1);
    }
    /* pending keeps the transaction's puts until the next begin */
    m->commits++;
    m->in_txn = 0;
    return 0;
}

int mock_rollback(void *u)
{
    mock *m = u;
    m->rollbacks++;
    m->in_txn = 0;
    table_clear(&m->pending);
    return 0;
}

void mock_event(void *u, const rewards_event *ev)
{
    mock *m = u;
    (void)ev;
    assert_false(m->in_txn); /* after the commit */
    m->events++;
}

void mock_free(mock *m)
{
    table_free(&m->committed);
    table_free(&m->pending);
}
