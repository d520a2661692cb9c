/*
 * testutil.h - helpers shared by the cmocka tests: an allocator that fails
 * the Nth allocation and counts what is still live (to prove that a failed
 * call leaks nothing).
 */
#ifndef TESTUTIL_H
#define TESTUTIL_H

#include <stddef.h>
#include "rw_alloc.h"

typedef struct test_alloc_state {
    long fail_at;   /* 1-based index of the allocation to fail; 0 = never */
    long count;     /* allocations attempted so far */
    long live;      /* blocks currently allocated */
} test_alloc_state;

/* An rw_alloc over malloc that consults *state. */
rw_alloc test_alloc_make(test_alloc_state *state);

#endif
