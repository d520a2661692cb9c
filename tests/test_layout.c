/*
 * test_layout.c - the memory layout of issue 13, below the API: slabs
 * (lib/slab.c), an id index that grows a few slots per insertion
 * (lib/index.c), the records of a kind in chunks (rw_recs, lib/recs.c) and
 * the undo journal's chunks (lib/journal.c).
 *
 * Each is driven through many transactions, some rolled back, some failing
 * an allocation at every position, against a plain model of what must be
 * there: a rolled-back or failed transaction leaves exactly what was there
 * before (same lookups, same length, the same heap blocks live), and the
 * engine frees everything at the end.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "engine.h"
#include "testutil.h"

#define NKEYS 6000

static char keys[NKEYS][16];

static void make_keys(void)
{
    for (int i = 0; i < NKEYS; i++)
        snprintf(keys[i], sizeof keys[i], "k%d", i * 7919);
}

/* Every key below n is found with its value, none from n on. */
static void check_index(const rw_index *ix, int n)
{
    assert_int_equal(ix->count, (size_t)n);
    for (int i = 0; i < NKEYS; i++) {
        void *v = rw_index_get(ix, keys[i]);
        if (i < n && v != (void *)&keys[i])
            fail_msg("key %d of %d not found", i, n);
        if (i >= n && v)
            fail_msg("key %d found with %d inserted", i, n);
    }
}

/* Transactions of 1..97 insertions; every third one rolled back; each growth
 * stage (zeroing, moving) is crossed inside committed and rolled-back ones. */
static void test_index_growth_and_rollback(void **state)
{
    (void)state;
    counted c;
    rewards_engine *e = counted_engine(&c);
    rw_index ix;
    memset(&ix, 0, sizeof ix);
    int n = 0, txn = 0, grew_during_move = 0;
    while (n < NKEYS) {
        int size = 1 + (txn * 37) % 97;
        int rollback = txn % 3 == 2;
        rw_journal_begin(e);
        int i;
        for (i = n; i < n + size && i < NKEYS; i++) {
            assert_int_equal(rw_index_put(e, &ix, keys[i], (void *)&keys[i]), 0);
            grew_during_move += ix.old != NULL;
            if (ix.old || ix.next) /* lookups in both tables while growing */
                assert_ptr_equal(rw_index_get(&ix, keys[n / 2]), (void *)&keys[n / 2]);
        }
        if (rollback) {
            rw_journal_rollback(e);
        } else {
            rw_journal_commit(e);
            n = i;
        }
        if (txn % 50 == 0 || n == NKEYS)
            check_index(&ix, n);
        txn++;
    }
    assert_true(grew_during_move > 0);
    /* the tables stay at most 5/8 full */
    assert_true(ix.count * 8 <= ix.cap * 5 + 8);
    rw_index_release(e, &ix);
    rewards_engine_free(e);
    assert_int_equal(c.st.live, 0);
}

/* An allocation failing at every position of a transaction that crosses a growth. */
static void test_index_alloc_failure(void **state)
{
    (void)state;
    counted c;
    rewards_engine *e = counted_engine(&c);
    rw_index ix;
    memset(&ix, 0, sizeof ix);
    int n = 0, failures = 0;
    while (n < 3000) {
        int size = 1 + n % 61;
        if (n + size > 3000)
            size = 3000 - n;
        long live = c.st.live - scratch_blocks(e);
        for (long at = 1;; at++) {
            rw_journal_begin(e);
            c.st.fail_at = c.st.count + at;
            int ok = 1;
            for (int i = n; i < n + size && ok; i++)
                ok = rw_index_put(e, &ix, keys[i], (void *)&keys[i]) == 0;
            c.st.fail_at = 0;
            if (ok) {
                rw_journal_commit(e);
                break;
            }
            failures++;
            rw_journal_rollback(e);
            check_index(&ix, n);
            if (c.st.live - scratch_blocks(e) != live)
                fail_msg("at %d, allocation %ld failing: %ld blocks live, %ld before", n, at,
                         c.st.live - scratch_blocks(e), live);
        }
        n += size;
    }
    check_index(&ix, n);
    assert_true(failures > 10);
    rw_index_release(e, &ix);
    rewards_engine_free(e);
    assert_int_equal(c.st.live, 0);
}

/* A kind's records (recs.h): where each index lands, across the growing
 * chunks and the fixed ones; records that stay where they were made, and
 * are handed out zeroed, through directory growth, rollbacks (after which
 * the same records are handed out again, cleared) and allocation failures. */
static void test_recs(void **state)
{
    (void)state;
    /* every index maps to the chunk that follows its predecessor's when the predecessor's is full */
    size_t prev_c = 0, prev_off = 0;
    for (size_t i = 0; i < 40000; i++) {
        size_t off, c = rw_recs_chunk_of(i, &off);
        size_t cap = (size_t)1 << (prev_c < RW_RECS_GROWING ? RW_RECS_FIRST_SHIFT + prev_c : RW_RECS_SHIFT);
        if (i == 0)
            assert_true(c == 0 && off == 0);
        else if (prev_off + 1 == cap)
            assert_true(c == prev_c + 1 && off == 0);
        else
            assert_true(c == prev_c && off == prev_off + 1);
        prev_c = c;
        prev_off = off;
    }
    counted c;
    rewards_engine *e = counted_engine(&c);
    rw_recs v;
    memset(&v, 0, sizeof v);
    v.size = 40;
    size_t n = 0;
    int txn = 0, failures = 0;
    char **at = calloc(30000, sizeof *at); /* where record i was made */
    assert_non_null(at);
    while (n < 20000) {
        size_t size = 1 + (size_t)(txn * 331) % 1500;
        long live = c.st.live - scratch_blocks(e);
        rw_journal_begin(e);
        int fail = txn % 4 == 1;
        if (fail)
            c.st.fail_at = c.st.count + 1 + txn % 3;
        int ok = 1;
        for (size_t i = n; i < n + size && ok; i++) {
            unsigned char *r = rw_recs_new(e, &v);
            ok = r != NULL;
            if (!ok)
                break;
            for (size_t b = 0; b < 40; b++)
                if (r[b])
                    fail_msg("record %zu handed out with byte %zu set", i, b);
            assert_ptr_equal(r, rw_recs_at(&v, i));
            memset(r, 0xA5, 40); /* so that a rolled-back record is dirty when handed out again */
            memcpy(r, &i, sizeof i);
            at[i] = (char *)r;
        }
        c.st.fail_at = 0;
        if (!ok || txn % 4 == 3) {
            failures += !ok;
            rw_journal_rollback(e);
            assert_int_equal(c.st.live - scratch_blocks(e), live);
        } else {
            rw_journal_commit(e);
            n += size;
        }
        assert_int_equal(v.len, n);
        for (size_t i = 0; i < n; i++) {
            size_t got;
            memcpy(&got, rw_recs_at(&v, i), sizeof got);
            if (got != i || (char *)rw_recs_at(&v, i) != at[i])
                fail_msg("record %zu reads %zu", i, got);
        }
        txn++;
    }
    assert_true(failures > 0 && v.nchunks > 8);
    free(at);
    rw_recs_release(e, &v);
    rewards_engine_free(e);
    assert_int_equal(c.st.live, 0);
}

/* The slab: a rolled-back transaction's allocations are carved again by the next
 * one (same addresses), a chunk it took is freed; small list buffers go back to
 * their free list at commit only. */
static void test_slab_rollback(void **state)
{
    (void)state;
    counted c;
    rewards_engine *e = counted_engine(&c);
    rw_slab *s = &e->general;
    rw_journal_begin(e);
    char *a = rw_slab_alloc(e, s, 40);
    assert_non_null(a);
    rw_journal_commit(e);
    long live = c.st.live - scratch_blocks(e);
    rw_journal_begin(e);
    char *b = rw_slab_alloc(e, s, 24);
    char *big = rw_slab_alloc(e, s, 3 * RW_SLAB_CHUNK_MIN); /* a new chunk */
    assert_non_null(b);
    assert_non_null(big);
    assert_true(c.st.live - scratch_blocks(e) > live);
    rw_journal_rollback(e);
    assert_int_equal(c.st.live - scratch_blocks(e), live);
    rw_journal_begin(e);
    char *b2 = rw_slab_alloc(e, s, 24);
    assert_ptr_equal(b2, b);
    for (int i = 0; i < 24; i++)
        assert_int_equal(b2[i], 0);
    /* small buffers: freed at commit, reused afterwards, restored by a rollback */
    void *p = rw_small_alloc(e, 4);
    assert_non_null(p);
    rw_journal_commit(e);
    rw_journal_begin(e);
    assert_int_equal(rw_small_free_later(e, p, 4), 0);
    assert_null(e->small.head[1]); /* not before the commit */
    rw_journal_commit(e);
    assert_ptr_equal(e->small.head[1], p);
    rw_journal_begin(e);
    assert_ptr_equal(rw_small_alloc(e, 4), p);
    assert_null(e->small.head[1]);
    rw_journal_rollback(e);
    assert_ptr_equal(e->small.head[1], p);
    rewards_engine_free(e);
    assert_int_equal(c.st.live, 0);
}

/* Slab memory comes zeroed: chunks from calloc need no memset where
 * nothing was handed out before, and whatever a rolled-back call wrote
 * (through a zeroing or a raw allocation, in a chunk kept or taken back)
 * is zero again when carved anew. */
static void slab_zeroing(rw_slab *(*pick)(rewards_engine *))
{
    counted c;
    rewards_engine *e = counted_engine(&c);
    rw_slab *s = pick(e);
    for (int round = 0; round < 50; round++) {
        rw_journal_begin(e);
        for (int i = 0; i < 20; i++) {
            size_t n = 8 + (size_t)((round * 37 + i * 101) % 3000);
            char *p = i % 3 ? rw_slab_alloc(e, s, n) : rw_slab_alloc_raw(e, s, n);
            assert_non_null(p);
            if (i % 3) /* a zeroing allocation is zero */
                for (size_t k = 0; k < n; k++)
                    assert_int_equal(p[k], 0);
            memset(p, 0xA5, n); /* and then written, as every caller does */
        }
        if (round % 4 == 3)
            rw_journal_commit(e); /* kept: the next rounds carve after it */
        else
            rw_journal_rollback(e); /* carved again, over what was written */
    }
    rewards_engine_free(e);
    assert_int_equal(c.st.live, 0);
}

static rw_slab *general_slab(rewards_engine *e) { return &e->general; }
static rw_slab *trace_slab(rewards_engine *e) { return &e->trace_slab; }

static void test_slab_zeroing(void **state)
{
    (void)state;
    slab_zeroing(general_slab);
}

/* A raw slab's chunks come from malloc, whatever they held before (here,
 * the 0xA5 of chunks a rollback gave back): a zeroing allocation from it
 * is still zero. */
static void test_raw_slab_zeroing(void **state)
{
    (void)state;
    slab_zeroing(trace_slab);
}

/* A deterministic generator for the journal test. */
static uint64_t rnd_state = 88172645463325252ULL;
static size_t rnd(size_t n)
{
    rnd_state ^= rnd_state << 13;
    rnd_state ^= rnd_state >> 7;
    rnd_state ^= rnd_state << 17;
    return (size_t)(rnd_state % n);
}

#define JBUF 300000

/* Save [off, off + size) and overwrite it, as a journaled writer does. */
static int save_and_scribble(rewards_engine *e, unsigned char *buf, size_t off, size_t size, unsigned char v)
{
    if (rw_save(e, buf + off, size))
        return -1;
    memset(buf + off, v, size);
    return 0;
}

/* Saves of every size (one byte to more than a chunk) across many chunks, a
 * savepoint rolled back in the middle, whole transactions committed or
 * rolled back, and an allocation failing at every position of a save:
 * every rollback gives back exactly the bytes saved, and at most
 * RW_JOURNAL_KEEP chunks of each kind outlive a transaction. */
static void test_journal_chunks(void **state)
{
    (void)state;
    counted c;
    rewards_engine *e = counted_engine(&c);
    unsigned char *buf = malloc(JBUF), *model = malloc(JBUF), *at_mark = malloc(JBUF);
    assert_non_null(buf);
    assert_non_null(model);
    assert_non_null(at_mark);
    for (size_t i = 0; i < JBUF; i++)
        buf[i] = model[i] = (unsigned char)(i * 31);
    for (int txn = 0; txn < 40; txn++) {
        rw_journal_begin(e);
        size_t nsaves = txn % 5 == 0 ? 20000 : 1 + rnd(300);
        rw_journal_mark m;
        for (size_t i = 0; i < nsaves; i++) {
            if (i == nsaves / 2) {
                rw_journal_mark_take(e, &m);
                memcpy(at_mark, buf, JBUF);
            }
            size_t size = rnd(50) == 0 ? 1 + rnd(150000) : 1 + rnd(40);
            size_t off = rnd(JBUF - size);
            assert_int_equal(save_and_scribble(e, buf, off, size, (unsigned char)(txn + i)), 0);
        }
        rw_journal_rollback_to(e, &m);
        assert_memory_equal(buf, at_mark, JBUF);
        for (size_t i = 0; i < 100; i++) /* saved again after the savepoint's rollback */
            assert_int_equal(save_and_scribble(e, buf, rnd(JBUF - 70000), 1 + rnd(70000), 7), 0);
        if (txn % 3 == 0) {
            rw_journal_rollback(e);
            assert_memory_equal(buf, model, JBUF);
        } else {
            rw_journal_commit(e);
            memcpy(model, buf, JBUF);
        }
        assert_true(e->journal.nuchunks <= RW_JOURNAL_KEEP && e->journal.nbchunks <= RW_JOURNAL_KEEP);
    }
    /* an allocation failing at each position: the save fails, the rollback is exact */
    int failed = 0;
    for (long at = 1; at < 40; at++) {
        long live = c.st.live - scratch_blocks(e);
        rw_journal_begin(e);
        c.st.fail_at = c.st.count + at;
        int ok = 1;
        for (size_t i = 0; i < 30000 && ok; i++)
            ok = save_and_scribble(e, buf, rnd(JBUF - 100000), i % 1000 == 999 ? 100000 : 1 + rnd(16), 9) == 0;
        c.st.fail_at = 0;
        failed += !ok;
        rw_journal_rollback(e);
        assert_memory_equal(buf, model, JBUF);
        if (c.st.live - scratch_blocks(e) != live)
            fail_msg("allocation %ld failing: %ld blocks live, %ld before", at, c.st.live - scratch_blocks(e), live);
    }
    assert_true(failed > 10); /* the saves did allocate: chunks, and large saves' own */
    free(buf);
    free(model);
    free(at_mark);
    rewards_engine_free(e);
    assert_int_equal(c.st.live, 0);
}

/* The records a deal multiplies (about 7 contributions, 5 entries and their
 * traces per deal) stay within the sizes docs/performance.md counts on, on
 * a 64-bit build: a field added to one is a deliberate choice, not a drift. */
static void test_record_size_budget(void **state)
{
    (void)state;
    if (sizeof(void *) != 8)
        skip();
    assert_true(sizeof(rw_rec) <= 24);
    assert_true(sizeof(rw_contrib) <= 104);
    assert_true(sizeof(rw_entry) <= 104);
    assert_true(sizeof(rw_deal) <= 176);
    /* a trace is kept packed: a plain earned entry's (its metric is its base, no group) and one in a
     * group (the metric and total before it in the millions) */
    rewards_engine *e;
    assert_int_equal(rewards_engine_new(&e, NULL), REWARDS_OK);
    rw_trace t;
    rw_trace_init(&t);
    t.base = t.metric = 1234567;
    t.converted = 1;
    t.uncapped = 61728;
    unsigned char *p = rw_trace_pack(e, &t);
    assert_non_null(p);
    assert_true(rw_trace_packed_size(p) <= 12);
    t.metric_before = 98765432;
    t.total_before = 4938271;
    p = rw_trace_pack(e, &t);
    assert_non_null(p);
    assert_true(rw_trace_packed_size(p) <= 18);
    /* a correction's: its cause (the deal, the amounts from and to) and the net before it */
    t.more.cause_deal = (rw_deal *)&t; /* (an address only: never followed) */
    t.more.cause_from = 1000000;
    t.more.cause_to = 1250000;
    t.more.previous = 61728;
    p = rw_trace_pack(e, &t);
    assert_non_null(p);
    assert_true(rw_trace_packed_size(p) <= 40);
    rewards_engine_free(e);
}

int main(void)
{
    make_keys();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_index_growth_and_rollback),
        cmocka_unit_test(test_index_alloc_failure),
        cmocka_unit_test(test_recs),
        cmocka_unit_test(test_slab_rollback),
        cmocka_unit_test(test_slab_zeroing),
        cmocka_unit_test(test_raw_slab_zeroing),
        cmocka_unit_test(test_journal_chunks),
        cmocka_unit_test(test_record_size_budget),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
