/*
 * test_batch.c - batches (SPEC.md section 9): many operations in one
 * transaction, rolled back exactly, committed to storage as one begin, one
 * put per record with its final data, one commit, events after it.
 *
 * A batch is checked against a reference engine that applies the same
 * operations one by one: committed, both must agree on every record,
 * ledger and event; rolled back (explicitly, by an allocation failure at
 * any position, or by a storage failure at any callback of the commit), the
 * engine's full-state fingerprint must equal the one taken before begin.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "ops.h"
#include "engineutil.h"
#include "assertutil.h"
#include "mockstore.h"
#include "testutil.h"

/* The script of test_storage.c (storagescript.c). */
#include "storagescript.h"

#define script storage_script
#define NSCRIPT storage_script_len

/* ---- an engine over the mock storage, with a counting allocator ------------ */


/* Events as text, one line each: type, entry number, and the mock's count. */
typedef struct evlog {
    mock *m;
    char *text;
    size_t len;
} evlog;

static void log_event(void *u, const rewards_event *ev)
{
    evlog *l = u;
    mock_event(l->m, ev);
    char line[96];
    const rewards_entry *en = rewards_event_entry(ev);
    int n = snprintf(line, sizeof line, "%s %llu\n", rewards_event_type_name(rewards_event_get_type(ev)),
                     en ? (unsigned long long)rewards_entry_number(en) : 0ULL);
    l->text = realloc(l->text, l->len + (size_t)n + 1);
    assert_non_null(l->text);
    memcpy(l->text + l->len, line, (size_t)n + 1);
    l->len += (size_t)n;
}

typedef struct fixture {
    mock m;
    evlog ev;
    counted c;
    rewards_storage s;
    rewards_events evs;
    rewards_engine *e;
} fixture;

static void fx_init(fixture *f, int counting)
{
    memset(f, 0, sizeof *f);
    f->ev.m = &f->m;
    rewards_storage s0 = { REWARDS_STORAGE_VERSION, mock_begin, mock_put, mock_del, mock_commit, mock_rollback, &f->m };
    rewards_events ev0 = { REWARDS_EVENTS_VERSION, log_event, &f->ev };
    f->s = s0;
    f->evs = ev0;
    rewards_options o = REWARDS_OPTIONS_INIT;
    o.storage = &f->s;
    o.events = &f->evs;
    if (counting) {
        counted_init(&f->c);
        o.allocator = &f->c.ra;
    }
    assert_int_equal(rewards_engine_new(&f->e, &o), REWARDS_OK);
}

static void fx_free(fixture *f)
{
    rewards_engine_free(f->e);
    if (f->c.ra.malloc)
        assert_int_equal(f->c.st.live, 0);
    mock_free(&f->m);
    free(f->ev.text);
}

static const char *evtext(const fixture *f) { return f->ev.text ? f->ev.text : ""; }

static int by_kind_key(const void *a, const void *b)
{
    const mrec *x = a, *y = b;
    if (x->kind != y->kind)
        return x->kind < y->kind ? -1 : 1;
    return strcmp(x->key, y->key);
}

/* A table as text, sorted by kind and key. */
static char *table_text(const table *t)
{
    mrec *copy = malloc((t->n + 1) * sizeof *copy);
    assert_non_null(copy);
    if (t->n)
        memcpy(copy, t->v, t->n * sizeof *copy);
    qsort(copy, t->n, sizeof *copy, by_kind_key);
    size_t len = 1;
    for (size_t i = 0; i < t->n; i++)
        len += strlen(copy[i].key) + copy[i].size + 40;
    char *s = malloc(len), *p = s;
    assert_non_null(s);
    *p = '\0';
    for (size_t i = 0; i < t->n; i++) {
        p += sprintf(p, "%s:%s=", rewards_record_kind_name((rewards_record_kind)copy[i].kind), copy[i].key);
        memcpy(p, copy[i].data, copy[i].size);
        p += copy[i].size;
        *p++ = '\n';
        *p = '\0';
    }
    free(copy);
    return s;
}

/* Every record the engine holds, encoded as storage would receive it. */
static char *engine_text(rewards_engine *e)
{
    table t = { NULL, 0, 0 };
    for (int k = 0; k < RW_KIND_COUNT; k++) {
        for (size_t i = 0; i < e->records[k].len; i++) {
            rw_rec *r = RW_REC_AT(e, k, rw_rec, i);
            char key[300], *data;
            size_t size;
            rw_record_key(r, key, sizeof key);
            assert_int_equal(rw_record_encode(e, r, &data, &size), REWARDS_OK);
            table_put(&t, k, key, data, size, 0);
            rw_free(&e->alloc, data);
        }
    }
    char *s = table_text(&t);
    table_free(&t);
    return s;
}

/* Many deals won, approved and paid: thousands of operations. */
static void bulk(rewards_engine *e, int ndeals, int with_payout)
{
    char id[32], at[32];
    for (int i = 0; i < ndeals; i++) {
        snprintf(id, sizeof id, "bulk%d", i);
        snprintf(at, sizeof at, "2026-04-%02dT%02d:%02d:00Z", 1 + i / 1440 % 28, i / 60 % 24, i % 60);
        assert_ok(e, eu_op(e, "deal", "at", at, "id", id, "partner", "acme", "currency", "USD", "amount", "100.00",
                           "user", "jo", NULL));
        assert_ok(e, eu_op(e, "stage", "at", at, "deal", id, "stage", "won", NULL));
    }
    if (with_payout) {
        assert_ok(e, eu_op(e, "approve", "at", "2026-05-01", "until", "2026-04-30", NULL));
        assert_ok(e, eu_op(e, "payout", "at", "2026-05-02", "id", "bulkrun", "until", "2026-04-30", NULL));
    }
}

/* ---- tests ------------------------------------------------------------------ */

static int preview_sink(void *user, const char *data, size_t size)
{
    (void)user;
    (void)data;
    (void)size;
    return 0;
}

/* Committed, a batch is the same as its operations one by one: same records
 * (and storage holds exactly them), same ledger, same events in the same
 * order; storage heard one begin, one put per changed record, one commit. */
static void test_commit_equals_one_by_one(void **state)
{
    (void)state;
    fixture f, r;
    fx_init(&f, 0);
    fx_init(&r, 0);
    /* a common start that creates the meta record, so that sequence numbers match:
     * one by one, the first operation's seal creates it, in a batch the first timed one */
    size_t pre = 12;
    for (size_t i = 0; i < NSCRIPT; i++)
        assert_ok(r.e, apply_spec(r.e, script[i]));
    for (size_t i = 0; i < pre; i++)
        assert_ok(f.e, apply_spec(f.e, script[i]));
    int heard = f.m.begins + f.m.puts + f.m.commits + f.m.events;
    assert_ok(f.e, rewards_engine_begin(f.e));
    assert_int_equal(rewards_engine_in_batch(f.e), 1);
    for (size_t i = pre; i < NSCRIPT; i++)
        assert_ok(f.e, apply_spec(f.e, script[i]));
    /* nothing heard yet */
    assert_int_equal(f.m.begins + f.m.puts + f.m.commits + f.m.events, heard);
    int begins = f.m.begins, commits = f.m.commits, puts = f.m.puts;
    /* lookups, previews and exports see the batch */
    assert_non_null(rewards_engine_find_deal(f.e, "s1"));
    assert_ok(f.e, rewards_engine_preview_payout(f.e, "preview", INT64_MAX, preview_sink, NULL));
    char *l = eu_ledger(f.e);
    char *lr = eu_ledger(r.e);
    assert_str(l, lr);
    free(l);
    assert_ok(f.e, rewards_engine_commit(f.e));
    assert_int_equal(rewards_engine_in_batch(f.e), 0);
    assert_int_equal(f.m.begins, begins + 1);
    assert_int_equal(f.m.commits, commits + 1);
    assert_int_equal(f.m.rollbacks, 0);
    assert_int_equal(f.m.dup_puts, 0);
    assert_int_equal(f.m.put_outside, 0);
    char *a = engine_text(f.e), *b = table_text(&f.m.committed), *c = engine_text(r.e);
    assert_int_equal(f.m.dup_puts, 0); /* one put per record, its final data */
    assert_true(f.m.puts - puts > 40);
    assert_str(b, a);
    assert_str(a, c);
    free(a);
    free(b);
    free(c);
    a = table_text(&r.m.committed);
    b = table_text(&f.m.committed);
    assert_str(b, a); /* meta record (digest, counts) included */
    free(a);
    free(b);
    assert_str(evtext(&f), evtext(&r));
    assert_true(f.m.events > 30);
    a = eu_fingerprint(f.e);
    b = eu_fingerprint(r.e);
    assert_str(a, b);
    free(a);
    free(b);
    l = eu_ledger(f.e);
    assert_str(l, lr);
    free(l);
    free(lr);
    fx_free(&f);
    fx_free(&r);
}

/* A rollback after thousands of operations and a payout run leaves the
 * engine exactly as before begin, and storage and events heard nothing; the
 * engine then goes on as if the batch had never been. */
static void test_rollback_restores_exactly(void **state)
{
    (void)state;
    fixture f, r;
    fx_init(&f, 1);
    fx_init(&r, 0);
    size_t half = 14; /* through the first payout run */
    for (size_t i = 0; i < half; i++) {
        assert_ok(f.e, apply_spec(f.e, script[i]));
        assert_ok(r.e, apply_spec(r.e, script[i]));
    }
    char *fp = eu_fingerprint(f.e), *ledger = eu_ledger(f.e), *stored = table_text(&f.m.committed);
    int heard = f.m.begins + f.m.puts + f.m.commits + f.m.rollbacks + f.m.events;
    long live = f.c.st.live - scratch_blocks(f.e);
    assert_ok(f.e, rewards_engine_begin(f.e));
    for (size_t i = half; i < NSCRIPT; i++)
        assert_ok(f.e, apply_spec(f.e, script[i]));
    bulk(f.e, 1500, 1);
    assert_ok(f.e, rewards_engine_rollback(f.e));
    assert_int_equal(rewards_engine_in_batch(f.e), 0);
    assert_int_equal(f.m.begins + f.m.puts + f.m.commits + f.m.rollbacks + f.m.events, heard);
    char *fp2 = eu_fingerprint(f.e), *ledger2 = eu_ledger(f.e), *stored2 = table_text(&f.m.committed);
    assert_str(fp2, fp);
    assert_str(ledger2, ledger);
    assert_str(stored2, stored);
    free(fp2);
    free(ledger2);
    free(stored2);
    assert_int_equal(f.c.st.live - scratch_blocks(f.e), live);
    /* and it goes on as the reference that never saw the batch */
    for (size_t i = half; i < NSCRIPT; i++) {
        assert_ok(f.e, apply_spec(f.e, script[i]));
        assert_ok(r.e, apply_spec(r.e, script[i]));
    }
    fp2 = eu_fingerprint(f.e);
    char *fr = eu_fingerprint(r.e);
    assert_str(fp2, fr);
    free(fp2);
    free(fr);
    free(fp);
    free(ledger);
    free(stored);
    fx_free(&f);
    fx_free(&r);
}

/* An operation failing inside a batch changes nothing and the batch goes on;
 * an event id applied earlier in the batch counts as seen. */
static void test_failure_inside_batch(void **state)
{
    (void)state;
    fixture f;
    fx_init(&f, 0);
    for (size_t i = 0; i < 13; i++) /* the plan, partners, users, two deals */
        assert_ok(f.e, apply_spec(f.e, script[i]));
    assert_ok(f.e, rewards_engine_begin(f.e));
    assert_ok(f.e, eu_op(f.e, "stage", "at", "2026-01-10", "deal", "d1", "stage", "won", "event", "w1", NULL));
    char *fp = eu_fingerprint(f.e);
    /* unknown deal, an out-of-order time, a conflicting event id: each fails alone */
    assert_int_equal(eu_op(f.e, "stage", "at", "2026-01-11", "deal", "nope", "stage", "won", NULL), REWARDS_NOT_FOUND);
    assert_int_equal(eu_op(f.e, "stage", "at", "2026-01-01", "deal", "d2", "stage", "won", NULL), REWARDS_OUT_OF_ORDER);
    assert_int_equal(eu_op(f.e, "stage", "at", "2026-01-11", "deal", "d2", "stage", "won", "event", "w1", NULL),
                     REWARDS_CONFLICT);
    /* the same event again is a replay: success, nothing changes */
    assert_ok(f.e, eu_op(f.e, "stage", "at", "2026-01-10", "deal", "d1", "stage", "won", "event", "w1", NULL));
    char *fp2 = eu_fingerprint(f.e);
    assert_str(fp2, fp);
    free(fp2);
    free(fp);
    assert_int_equal(rewards_engine_in_batch(f.e), 1);
    assert_ok(f.e, eu_op(f.e, "stage", "at", "2026-01-11", "deal", "d2", "stage", "won", NULL));
    int begins = f.m.begins;
    assert_ok(f.e, rewards_engine_commit(f.e));
    assert_int_equal(f.m.begins, begins + 1);
    char *a = engine_text(f.e), *b = table_text(&f.m.committed);
    assert_str(b, a);
    free(a);
    free(b);
    assert_non_null(strstr(evtext(&f), "entry_earned 10\n"));
    fx_free(&f);
}

/*
 * A record keeps only the low 56 bits of the last transaction that touched
 * it.  At the end of a round of 2^56 ids every record's mark is cleared, so
 * that a mark left from the round before never passes for the current
 * transaction's.  Here a deal carries the mark the first transaction of the
 * next round has (1).  Without the clearing, that transaction would take the
 * deal for one it already listed: storage would not be told the deal was
 * won.  And a failed call in the new round still changes nothing.
 */
static void end_round(rewards_engine *e, const char *deal)
{
    e->journal.txn_id = (e->journal.txn_id | RW_TXN_MASK) - RW_TXN_HEADROOM;
    rw_deal *d = rw_index_get(&e->deals, deal);
    assert_non_null(d);
    rw_rec_set_txn(&d->h, 1);
}

static void test_txn_id_round(void **state)
{
    (void)state;
    fixture f;
    fx_init(&f, 0);
    for (size_t i = 0; i < 13; i++) /* the plan, partners, users, two deals */
        assert_ok(f.e, apply_spec(f.e, script[i]));
    end_round(f.e, "d1");
    uint64_t before = f.e->journal.txn_id;
    assert_ok(f.e, eu_op(f.e, "stage", "at", "2026-01-10", "deal", "d1", "stage", "won", NULL));
    char *a = engine_text(f.e), *b = table_text(&f.m.committed);
    assert_str(b, a);
    free(a);
    free(b);
    /* the id only grows (the other marks are 64-bit), and the new round starts at 1 */
    assert_true(f.e->journal.txn_id > before);
    assert_int_equal(f.e->journal.txn_id & RW_TXN_MASK, 1);
    /* the next round, with a call that fails at the storage commit */
    end_round(f.e, "d2");
    char *fp = eu_fingerprint(f.e);
    f.m.fail_commit = 1;
    assert_int_equal(eu_op(f.e, "stage", "at", "2026-01-11", "deal", "d2", "stage", "won", NULL), REWARDS_STORAGE);
    char *fp2 = eu_fingerprint(f.e);
    assert_str(fp2, fp);
    free(fp2);
    free(fp);
    for (int k = 0; k < RW_KIND_COUNT; k++)
        for (size_t i = 0; i < RW_COUNT(f.e, k); i++)
            assert_int_equal(rw_rec_txn(RW_REC_AT(f.e, k, rw_rec, i)), 0);
    f.m.fail_commit = 0;
    assert_ok(f.e, eu_op(f.e, "stage", "at", "2026-01-11", "deal", "d2", "stage", "won", NULL));
    a = engine_text(f.e);
    b = table_text(&f.m.committed);
    assert_str(b, a);
    free(a);
    free(b);
    fx_free(&f);
}

/* Begin twice, commit or roll back without a batch, restore inside one. */
static void test_misuse(void **state)
{
    (void)state;
    fixture f;
    fx_init(&f, 0);
    assert_int_equal(rewards_engine_commit(f.e), REWARDS_MISUSE);
    assert_non_null(strstr(rewards_engine_errmsg(f.e), "no batch"));
    assert_int_equal(rewards_engine_rollback(f.e), REWARDS_MISUSE);
    assert_int_equal(rewards_engine_begin(NULL), REWARDS_MISUSE);
    assert_int_equal(rewards_engine_commit(NULL), REWARDS_MISUSE);
    assert_int_equal(rewards_engine_rollback(NULL), REWARDS_MISUSE);
    assert_int_equal(rewards_engine_in_batch(NULL), 0);
    assert_ok(f.e, rewards_engine_begin(f.e));
    assert_int_equal(rewards_engine_begin(f.e), REWARDS_MISUSE);
    assert_non_null(strstr(rewards_engine_errmsg(f.e), "already open"));
    assert_int_equal(rewards_engine_in_batch(f.e), 1); /* the first batch is still open */
    assert_ok(f.e, apply_spec(f.e, script[0]));
    assert_int_equal(rewards_engine_restore(f.e, REWARDS_RECORD_META, "x", 1), REWARDS_MISUSE);
    assert_non_null(strstr(rewards_engine_errmsg(f.e), "batch is open"));
    assert_int_equal(rewards_engine_restore_finish(f.e), REWARDS_MISUSE);
    assert_ok(f.e, rewards_engine_commit(f.e));
    assert_int_equal(rewards_engine_commit(f.e), REWARDS_MISUSE);
    /* an empty batch commits: storage hears begin and commit, no put */
    int puts = f.m.puts;
    assert_ok(f.e, rewards_engine_begin(f.e));
    assert_ok(f.e, rewards_engine_commit(f.e));
    assert_int_equal(f.m.puts, puts);
    /* freeing an engine with a batch open rolls it back (nothing leaks: ASan/valgrind) */
    assert_ok(f.e, rewards_engine_begin(f.e));
    for (size_t i = 1; i < NSCRIPT; i++)
        assert_ok(f.e, apply_spec(f.e, script[i]));
    fx_free(&f);
}

/* A callback re-entering during the commit gets MISUSE; the commit goes on. */
static rewards_engine *reenter_target;
static int reenter_results[3];
static void reenter_event(void *u, const rewards_event *ev)
{
    (void)u;
    (void)ev;
    reenter_results[0] = rewards_engine_begin(reenter_target);
    reenter_results[1] = rewards_engine_commit(reenter_target);
    reenter_results[2] = rewards_engine_rollback(reenter_target);
}

static void test_reentry(void **state)
{
    (void)state;
    rewards_events ev = { REWARDS_EVENTS_VERSION, reenter_event, NULL };
    rewards_options o = REWARDS_OPTIONS_INIT;
    o.events = &ev;
    rewards_engine *e;
    assert_int_equal(rewards_engine_new(&e, &o), REWARDS_OK);
    reenter_target = e;
    assert_ok(e, rewards_engine_begin(e));
    for (size_t i = 0; i < 14; i++)
        assert_ok(e, apply_spec(e, script[i]));
    assert_int_equal(reenter_results[0], 0);
    assert_ok(e, rewards_engine_commit(e));
    for (int i = 0; i < 3; i++)
        assert_int_equal(reenter_results[i], REWARDS_MISUSE);
    assert_int_equal(rewards_engine_in_batch(e), 0);
    rewards_engine_free(e);
}

/* Storage failing at every callback position of a batch's commit: the whole
 * batch is rolled back (engine as before begin, storage told rollback, no
 * event); then the same batch commits as the reference. */
static void test_storage_failure_every_position(void **state)
{
    (void)state;
    fixture f, r;
    fx_init(&f, 1);
    fx_init(&r, 0);
    size_t pre = 12;
    for (size_t i = 0; i < pre; i++) {
        assert_ok(f.e, apply_spec(f.e, script[i]));
        assert_ok(r.e, apply_spec(r.e, script[i]));
    }
    assert_ok(r.e, rewards_engine_begin(r.e));
    for (size_t i = pre; i < NSCRIPT; i++)
        assert_ok(r.e, apply_spec(r.e, script[i]));
    int puts0 = r.m.puts;
    assert_ok(r.e, rewards_engine_commit(r.e));
    int nputs = r.m.puts - puts0;
    assert_true(nputs > 40);
    print_message("storage failing at each of %d positions of a batch's commit\n", nputs + 2);
    char *fp = eu_fingerprint(f.e), *stored = table_text(&f.m.committed), *evs = strdup(evtext(&f));
    long live = f.c.st.live - scratch_blocks(f.e);
    for (int pos = 0; pos <= nputs + 1; pos++) {
        assert_ok(f.e, rewards_engine_begin(f.e));
        for (size_t i = pre; i < NSCRIPT; i++)
            assert_ok(f.e, apply_spec(f.e, script[i]));
        int rollbacks = f.m.rollbacks;
        f.m.fail_begin = pos == 0;
        f.m.fail_put = pos >= 1 && pos <= nputs ? pos : 0;
        f.m.fail_commit = pos == nputs + 1;
        rewards_status st = rewards_engine_commit(f.e);
        f.m.fail_begin = f.m.fail_put = f.m.fail_commit = 0;
        f.m.in_txn = 0;
        if (st != REWARDS_STORAGE)
            fail_msg("commit failing at position %d of %d: %s", pos, nputs + 1, rewards_status_name(st));
        assert_int_equal(f.m.rollbacks, rollbacks + (pos == 0 ? 0 : 1));
        assert_int_equal(rewards_engine_in_batch(f.e), 0);
        char *fp2 = eu_fingerprint(f.e), *stored2 = table_text(&f.m.committed);
        if (strcmp(fp2, fp))
            fail_msg("commit failing at position %d changed the engine", pos);
        assert_str(stored2, stored);
        assert_str(evtext(&f), evs);
        free(fp2);
        free(stored2);
        if (f.c.st.live - scratch_blocks(f.e) != live)
            fail_msg("position %d: %ld blocks live, %ld before", pos, f.c.st.live - scratch_blocks(f.e), live);
    }
    assert_ok(f.e, rewards_engine_begin(f.e));
    for (size_t i = pre; i < NSCRIPT; i++)
        assert_ok(f.e, apply_spec(f.e, script[i]));
    assert_ok(f.e, rewards_engine_commit(f.e));
    char *a = eu_fingerprint(f.e), *b = eu_fingerprint(r.e);
    assert_str(a, b);
    free(a);
    free(b);
    a = table_text(&f.m.committed);
    b = table_text(&r.m.committed);
    assert_str(a, b);
    free(a);
    free(b);
    free(fp);
    free(stored);
    free(evs);
    fx_free(&f);
    fx_free(&r);
}

/* Fingerprint without disturbing the allocation count's failure point. */
static char *quiet_fingerprint(fixture *f)
{
    long left = f->c.st.fail_at ? f->c.st.fail_at - f->c.st.count : 0;
    f->c.st.fail_at = 0;
    char *fp = eu_fingerprint(f->e);
    if (left > 0)
        f->c.st.fail_at = f->c.st.count + left;
    return fp;
}

/*
 * The allocation failing at every position of a batch (begin, each
 * operation, the commit): an operation that fails with NOMEM changed
 * nothing and the batch goes on (the operation is retried and succeeds); a
 * commit that fails rolled everything back to before begin.  Otherwise the
 * committed batch equals the reference.
 */
static void test_nomem_every_position(void **state)
{
    (void)state;
    fixture r;
    fx_init(&r, 0);
    size_t pre = 12;
    for (size_t i = 0; i < NSCRIPT; i++)
        assert_ok(r.e, apply_spec(r.e, script[i]));
    char *want = eu_fingerprint(r.e), *want_stored = table_text(&r.m.committed);
    int commits_failed = 0, ops_failed = 0;
    for (long k = 1;; k++) {
        fixture f;
        fx_init(&f, 1);
        for (size_t i = 0; i < pre; i++)
            assert_ok(f.e, apply_spec(f.e, script[i]));
        char *before = eu_fingerprint(f.e), *stored = table_text(&f.m.committed), *evs = strdup(evtext(&f));
        f.c.st.fail_at = f.c.st.count + k;
        assert_ok(f.e, rewards_engine_begin(f.e));
        int failed = 0;
        for (size_t i = pre; i < NSCRIPT; i++) {
            char *fp = failed ? NULL : quiet_fingerprint(&f);
            long left = f.c.st.fail_at - f.c.st.count;
            f.c.st.fail_at = 0;
            rewards_op *op = build_op(f.e, script[i]);
            if (left > 0)
                f.c.st.fail_at = f.c.st.count + left;
            rewards_status st = rewards_engine_apply(f.e, op);
            if (st == REWARDS_NOMEM && !failed) {
                failed = 1;
                ops_failed++;
                char *fp2 = quiet_fingerprint(&f);
                if (strcmp(fp, fp2))
                    fail_msg("k=%ld: op %zu failing with nomem inside a batch changed the engine", k, i);
                free(fp2);
                assert_int_equal(rewards_engine_in_batch(f.e), 1);
                st = rewards_engine_apply(f.e, op);
            }
            if (st != REWARDS_OK)
                fail_msg("k=%ld: op %zu (%s): %s", k, i, script[i][0], rewards_status_name(st));
            rewards_op_free(op);
            free(fp);
        }
        int done = !failed && f.c.st.count < f.c.st.fail_at;
        rewards_status st = rewards_engine_commit(f.e);
        f.c.st.fail_at = 0;
        assert_int_equal(rewards_engine_in_batch(f.e), 0);
        char *got = eu_fingerprint(f.e), *got_stored = table_text(&f.m.committed);
        if (st == REWARDS_NOMEM) {
            commits_failed++;
            if (strcmp(got, before))
                fail_msg("k=%ld: a commit failing with nomem left the engine changed", k);
            assert_str(got_stored, stored);
            assert_str(evtext(&f), evs); /* no event of the batch */
        } else {
            assert_ok(f.e, st);
            assert_str(got, want);
            assert_str(got_stored, want_stored);
            /* the failed operation's events dropped, its retry's delivered once, in order */
            assert_str(evtext(&f), evtext(&r));
        }
        free(evs);
        free(got);
        free(got_stored);
        free(before);
        free(stored);
        fx_free(&f);
        if (done && st == REWARDS_OK)
            break;
    }
    print_message("%d operations failed\n", ops_failed);
    assert_true(ops_failed > 60); /* records and small lists come from slabs: few allocations per operation */
    assert_true(commits_failed > 0);
    print_message("nomem at every position: %d operations failed inside a batch and were retried, %d commits "
                  "rolled the batch back\n", ops_failed, commits_failed);
    free(want);
    free(want_stored);
    fx_free(&r);
}

/* What storage holds after a committed batch restores to the live engine. */
static void test_restore_after_batch(void **state)
{
    (void)state;
    fixture f;
    fx_init(&f, 0);
    for (size_t i = 0; i < 5; i++)
        assert_ok(f.e, apply_spec(f.e, script[i]));
    assert_ok(f.e, rewards_engine_begin(f.e));
    for (size_t i = 5; i < NSCRIPT; i++)
        assert_ok(f.e, apply_spec(f.e, script[i]));
    bulk(f.e, 300, 1);
    assert_ok(f.e, rewards_engine_commit(f.e));
    /* a second batch rolled back must not reach storage */
    assert_ok(f.e, rewards_engine_begin(f.e));
    assert_ok(f.e, eu_op(f.e, "payout", "at", "2026-06-01", "id", "ghost", "until", "2026-05-31", NULL));
    assert_ok(f.e, rewards_engine_rollback(f.e));
    rewards_engine *g;
    assert_int_equal(rewards_engine_new(&g, NULL), REWARDS_OK);
    for (size_t i = 0; i < f.m.committed.n; i++)
        assert_ok(g, rewards_engine_restore(g, (rewards_record_kind)f.m.committed.v[i].kind, f.m.committed.v[i].data,
                                            f.m.committed.v[i].size));
    assert_ok(g, rewards_engine_restore_finish(g));
    char *a = eu_fingerprint(f.e), *b = eu_fingerprint(g);
    assert_str(b, a);
    free(a);
    free(b);
    rewards_engine_free(g);
    fx_free(&f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_commit_equals_one_by_one),
        cmocka_unit_test(test_rollback_restores_exactly),
        cmocka_unit_test(test_failure_inside_batch),
        cmocka_unit_test(test_misuse),
        cmocka_unit_test(test_txn_id_round),
        cmocka_unit_test(test_reentry),
        cmocka_unit_test(test_storage_failure_every_position),
        cmocka_unit_test(test_nomem_every_position),
        cmocka_unit_test(test_restore_after_batch),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
