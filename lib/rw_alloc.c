/*
 * rw_alloc.c - the default allocator and the thin wrappers around the
 * engine's allocator.  Zero-size requests are rounded up to one byte so that
 * a NULL result always means "out of memory".
 */
#include "rw_alloc.h"

#include <stdlib.h>
#include <string.h>

static void *libc_malloc(void *user, size_t size) { (void)user; return malloc(size); }
static void *libc_realloc(void *user, void *ptr, size_t size) { (void)user; return realloc(ptr, size); }
static void libc_free(void *user, void *ptr) { (void)user; free(ptr); }

const rw_alloc rw_alloc_default = { libc_malloc, libc_realloc, libc_free, NULL };

void *rw_malloc(const rw_alloc *a, size_t size)
{
    return a->malloc_fn(a->user, size ? size : 1);
}

void *rw_calloc(const rw_alloc *a, size_t n, size_t size)
{
    if (size && n > (size_t)-1 / size)
        return NULL;
    void *p = rw_malloc(a, n * size);
    if (p)
        memset(p, 0, n * size != 0 ? n * size : 1);
    return p;
}

void *rw_realloc(const rw_alloc *a, void *ptr, size_t size)
{
    return a->realloc_fn(a->user, ptr, size ? size : 1);
}

void rw_free(const rw_alloc *a, void *ptr)
{
    if (ptr)
        a->free_fn(a->user, ptr);
}

char *rw_strndup(const rw_alloc *a, const char *s, size_t len)
{
    char *p = rw_malloc(a, len + 1);
    if (p) {
        memcpy(p, s, len);
        p[len] = '\0';
    }
    return p;
}

char *rw_strdup(const rw_alloc *a, const char *s)
{
    return rw_strndup(a, s, strlen(s));
}
