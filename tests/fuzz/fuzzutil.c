/*
 * fuzzutil.c - the shared pieces of fuzzutil.h.
 */
#include "fuzzutil.h"
#include "scenutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void fz_fail(const char *file, int line, const char *what)
{
    fprintf(stderr, "%s:%d: oracle failed: %s\n", file, line, what);
    abort();
}

static void *xmalloc(size_t n)
{
    void *p = malloc(n ? n : 1);
    if (!p)
        abort();
    return p;
}

void fz_table_clear(fz_table *t)
{
    for (size_t i = 0; i < t->n; i++) {
        free(t->v[i].key);
        free(t->v[i].data);
    }
    free(t->v);
    memset(t, 0, sizeof *t);
}

void fz_table_put(fz_table *t, int kind, const char *key, const void *data, size_t size, int replace)
{
    fz_rec *r = NULL;
    for (size_t i = 0; replace && i < t->n && !r; i++)
        if (t->v[i].kind == kind && !strcmp(t->v[i].key, key))
            r = &t->v[i];
    if (!r) {
        if (t->n == t->cap) {
            t->cap = t->cap ? t->cap * 2 : 64;
            t->v = realloc(t->v, t->cap * sizeof *t->v);
            if (!t->v)
                abort();
        }
        r = &t->v[t->n++];
        r->kind = kind;
        r->key = xmalloc(strlen(key) + 1);
        strcpy(r->key, key);
    } else {
        free(r->data);
    }
    r->data = xmalloc(size + 1);
    if (size)
        memcpy(r->data, data, size);
    r->data[size] = '\0';
    r->size = size;
}

void fz_table_copy(fz_table *dst, const fz_table *src)
{
    fz_table_clear(dst);
    for (size_t i = 0; i < src->n; i++)
        fz_table_put(dst, src->v[i].kind, src->v[i].key, src->v[i].data, src->v[i].size, 0);
}

int fz_table_equal(const fz_table *a, const fz_table *b)
{
    if (a->n != b->n)
        return 0;
    for (size_t i = 0; i < a->n; i++) {
        const fz_rec *x = &a->v[i], *y = NULL;
        for (size_t j = 0; j < b->n && !y; j++)
            if (b->v[j].kind == x->kind && !strcmp(b->v[j].key, x->key))
                y = &b->v[j];
        if (!y || y->size != x->size || memcmp(y->data, x->data, x->size))
            return 0;
    }
    return 1;
}

static int s_begin(void *u)
{
    fz_store *s = u;
    s->begins++;
    if (s->fail_begin)
        return 1;
    FZ_CHECK(!s->in_txn);
    s->in_txn = 1;
    s->txn_puts = 0;
    fz_table_clear(&s->pending);
    return 0;
}

static int s_put(void *u, rewards_record_kind kind, const char *key, const void *data, size_t size)
{
    fz_store *s = u;
    s->puts++;
    FZ_CHECK(s->in_txn);
    if (++s->txn_puts == s->fail_put)
        return 1;
    fz_table_put(&s->pending, kind, key, data, size, 0);
    return 0;
}

static int s_commit(void *u)
{
    fz_store *s = u;
    if (s->fail_commit)
        return 1;
    for (size_t i = 0; i < s->pending.n; i++)
        fz_table_put(&s->committed, s->pending.v[i].kind, s->pending.v[i].key, s->pending.v[i].data,
                     s->pending.v[i].size, 1);
    fz_table_clear(&s->pending);
    s->commits++;
    s->in_txn = 0;
    return 0;
}

static int s_rollback(void *u)
{
    fz_store *s = u;
    s->rollbacks++;
    s->in_txn = 0;
    fz_table_clear(&s->pending);
    return 0;
}

static void s_event(void *u, const rewards_event *ev)
{
    fz_store *s = u;
    (void)ev;
    FZ_CHECK(!s->in_txn);
    s->events++;
}

void fz_store_free(fz_store *s)
{
    fz_table_clear(&s->committed);
    fz_table_clear(&s->pending);
}

static void *a_malloc(void *u, size_t n)
{
    fz_alloc *a = u;
    if (++a->count == a->fail_at)
        return NULL;
    void *p = malloc(n);
    if (p)
        a->live++;
    return p;
}

static void *a_realloc(void *u, void *p, size_t n)
{
    fz_alloc *a = u;
    if (++a->count == a->fail_at)
        return NULL;
    void *q = realloc(p, n);
    if (q && !p)
        a->live++;
    return q;
}

static void a_free(void *u, void *p)
{
    fz_alloc *a = u;
    if (p)
        a->live--;
    free(p);
}

rewards_engine *fz_engine(fz_store *s, fz_alloc *a)
{
    /* the engine copies these tables: locals are enough */
    rewards_storage st = { REWARDS_STORAGE_VERSION, s_begin, s_put, NULL, s_commit, s_rollback, s };
    rewards_events ev = { REWARDS_EVENTS_VERSION, s_event, s };
    rewards_allocator al = { REWARDS_ALLOCATOR_VERSION, a_malloc, a_realloc, a_free, a };
    rewards_options o = REWARDS_OPTIONS_INIT;
    if (s) {
        o.storage = &st;
        o.events = &ev;
    }
    if (a)
        o.allocator = &al;
    rewards_engine *e = NULL;
    if (rewards_engine_new(&e, &o) != REWARDS_OK)
        abort();
    return e;
}

rewards_status fz_restore(rewards_engine *e, const fz_table *t, const size_t *perm)
{
    rewards_status st = REWARDS_OK;
    for (size_t i = 0; i < t->n && !st; i++) {
        const fz_rec *r = &t->v[perm ? perm[i] : i];
        st = rewards_engine_restore(e, (rewards_record_kind)r->kind, r->data, r->size);
    }
    rewards_status fin = rewards_engine_restore_finish(e);
    return st ? st : fin;
}

size_t fz_captures(fz_capture **out)
{
    fz_capture *c = calloc(2 * SCENARIO_COUNT, sizeof *c);
    if (!c)
        abort();
    size_t n = 0;
    for (size_t k = 0; k < SCENARIO_COUNT; k++) {
        scenario s;
        scenario_load(&s, scenario_names[k]);
        fz_store st;
        memset(&st, 0, sizeof st);
        rewards_engine *e = fz_engine(&st, NULL);
        for (size_t i = 0; i < s.n; i++) {
            rewards_op *op = line_op(e, s.lines[i]);
            if (op)
                (void)rewards_engine_apply(e, op);
            rewards_op_free(op);
            if (i + 1 == s.n / 2 || i + 1 == s.n) {
                c[n].name = scenario_names[k];
                fz_table_copy(&c[n++].set, &st.committed);
            }
        }
        rewards_engine_free(e);
        fz_store_free(&st);
        scenario_free(&s);
    }
    *out = c;
    return n;
}
