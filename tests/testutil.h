/*
 * testutil.h - helpers shared by the cmocka tests: an allocator that fails
 * the Nth allocation and counts what is still live (to prove that a failed
 * call leaks nothing).
 */
#ifndef TESTUTIL_H
#define TESTUTIL_H

#include <stddef.h>
#include "rewards.h"
#include "rw_alloc.h"

typedef struct test_alloc_state {
    long fail_at;   /* 1-based index of the allocation to fail; 0 = never */
    long count;     /* allocations attempted so far */
    long live;      /* blocks currently allocated */
} test_alloc_state;

/* An rw_alloc over malloc that consults *state. */
rw_alloc test_alloc_make(test_alloc_state *state);

/* That allocator behind the public rewards_allocator (ra), for rewards_options. */
typedef struct counted {
    test_alloc_state st;
    rw_alloc a;
    rewards_allocator ra;
} counted;

/* Zero *c and make its allocators: nothing fails until c->st.fail_at is set. */
void counted_init(counted *c);

/* counted_init(c), then a new engine that allocates through it (the test
 * fails if the engine cannot be made). */
rewards_engine *counted_engine(counted *c);

/*
 * Blocks an engine keeps as scratch space across calls: the journal's arrays
 * and the event queue grow on demand and are kept for the next call (a
 * failed call may be the one that first allocates them).  Everything else
 * that is live must be exactly what was live before a failed call.
 */
long scratch_blocks(const rewards_engine *e);

#endif
