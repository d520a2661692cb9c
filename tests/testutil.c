/*
 * testutil.c - the failing, counting allocator of testutil.h.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "testutil.h"
#include "engine.h"

static int should_fail(test_alloc_state *s)
{
    s->count++;
    return s->fail_at > 0 && s->count == s->fail_at;
}

static void *t_malloc(void *user, size_t size)
{
    test_alloc_state *s = user;
    if (should_fail(s))
        return NULL;
    void *p = malloc(size);
    if (p)
        s->live++;
    return p;
}

static void *t_realloc(void *user, void *ptr, size_t size)
{
    test_alloc_state *s = user;
    if (should_fail(s))
        return NULL;
    void *p = realloc(ptr, size);
    if (p && !ptr)
        s->live++;
    return p;
}

static void t_free(void *user, void *ptr)
{
    test_alloc_state *s = user;
    if (ptr)
        s->live--;
    free(ptr);
}

rw_alloc test_alloc_make(test_alloc_state *state)
{
    rw_alloc a = { t_malloc, t_realloc, t_free, state };
    return a;
}

static void *c_malloc(void *u, size_t n) { return ((rw_alloc *)u)->malloc_fn(((rw_alloc *)u)->user, n); }
static void *c_realloc(void *u, void *p, size_t n) { return ((rw_alloc *)u)->realloc_fn(((rw_alloc *)u)->user, p, n); }
static void c_free(void *u, void *p) { ((rw_alloc *)u)->free_fn(((rw_alloc *)u)->user, p); }

void counted_init(counted *c)
{
    memset(c, 0, sizeof *c);
    c->a = test_alloc_make(&c->st);
    rewards_allocator ra = { REWARDS_ALLOCATOR_VERSION, c_malloc, c_realloc, c_free, &c->a };
    c->ra = ra;
}

long scratch_blocks(const rewards_engine *e)
{
    const rw_journal *j = &e->journal;
    long chunks = (long)j->nuchunks; /* the undo records' and saved bytes' chunks */
    for (size_t i = 0; i < j->nbchunks; i++)
        chunks += j->bytes[i].p != NULL;
    return (j->undo != NULL) + (j->bytes != NULL) + chunks + (j->free_commit != NULL) + (j->free_rollback != NULL) +
           (j->dirty != NULL) + (j->free_small != NULL) + (e->queued.data != NULL);
}

rewards_engine *counted_engine(counted *c)
{
    counted_init(c);
    rewards_options o = REWARDS_OPTIONS_INIT;
    o.allocator = &c->ra;
    rewards_engine *e = NULL;
    assert_int_equal(rewards_engine_new(&e, &o), REWARDS_OK);
    return e;
}
