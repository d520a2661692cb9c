/*
 * rw_alloc.h - the per-engine allocator every internal module allocates through.
 *
 * The host may give an engine its own allocator (rewards_allocator); the
 * engine copies it into an rw_alloc so that internal code never calls
 * malloc directly.  Tests install an allocator that fails on demand, which
 * is how every allocation-failure path is exercised.
 */
#ifndef RW_ALLOC_H
#define RW_ALLOC_H

#include <stddef.h>

typedef struct rw_alloc {
    void *(*malloc_fn)(void *user, size_t size);
    void *(*realloc_fn)(void *user, void *ptr, size_t size);
    void (*free_fn)(void *user, void *ptr);
    void *user;
} rw_alloc;

/* The libc allocator, used when the host gives none. */
extern const rw_alloc rw_alloc_default;

void *rw_malloc(const rw_alloc *a, size_t size);
void *rw_calloc(const rw_alloc *a, size_t n, size_t size);
void *rw_realloc(const rw_alloc *a, void *ptr, size_t size);
void rw_free(const rw_alloc *a, void *ptr);
/* A copy of the len bytes at s plus a terminating NUL; NULL when out of memory. */
char *rw_strndup(const rw_alloc *a, const char *s, size_t len);
char *rw_strdup(const rw_alloc *a, const char *s);

#endif
