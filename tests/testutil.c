/*
 * testutil.c - the failing, counting allocator of testutil.h.
 */
#include "testutil.h"

#include <stdlib.h>

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
