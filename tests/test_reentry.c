/*
 * test_reentry.c - the engine is not re-entrant (CONVENTIONS.md: a callback
 * re-entering the engine gets REWARDS_MISUSE, never a crash).
 *
 * A table of callback kinds (storage begin, put, commit, rollback; the
 * event hook; the write callback of each export and of the preview; the
 * allocator's malloc, realloc and free) crossed with a table of entry
 * points (apply, restore, restore_finish, balance, the two exports, the
 * preview, op_new).  For each pair, the callback calls the entry point on
 * the engine that called it: the nested call must return REWARDS_MISUSE
 * with a message, the outer call must end as it would have without the
 * nested call, and the engine must not be left busy or in restore mode:
 * the next operation applies and the exports match a run with no
 * re-entry.  Before the guard, an apply from an export's writer was a
 * heap-use-after-free under ASan, and most of these nested calls returned
 * REWARDS_OK.
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

typedef enum {
    CB_BEGIN, CB_PUT, CB_COMMIT, CB_ROLLBACK, CB_EVENT, CB_WRITE_LEDGER, CB_WRITE_PAYOUTS, CB_WRITE_PREVIEW,
    CB_MALLOC, CB_REALLOC, CB_FREE, CB_COUNT
} cb_kind;
static const char *const cb_names[] = { "begin", "put", "commit", "rollback", "event", "ledger write",
                                        "payouts write", "preview write", "malloc", "realloc", "free" };

typedef enum {
    EP_APPLY, EP_RESTORE, EP_RESTORE_FINISH, EP_BALANCE, EP_EXPORT_LEDGER, EP_EXPORT_PAYOUTS, EP_PREVIEW, EP_OP_NEW,
    EP_COUNT
} entry_point;
static const char *const ep_names[] = { "apply", "restore", "restore_finish", "balance", "export_ledger",
                                        "export_payouts", "preview_payout", "op_new" };

/* What the callbacks do: when armed for kind, call entry point ep once. */
static struct {
    rewards_engine *e;
    cb_kind armed;
    int active;
    entry_point ep;
    rewards_op *op; /* for a nested apply */
    int calls;      /* nested calls made */
    rewards_status got;
    char msg[512];
    int fail_put;
} R;

static void reenter(cb_kind at)
{
    if (!R.active || R.armed != at || !R.e)
        return;
    R.active = 0; /* once: the nested call may allocate too */
    rewards_engine *e = R.e;
    rewards_status st = REWARDS_OK;
    rewards_balance bal;
    memset(&bal, 0, sizeof bal);
    bal.version = REWARDS_BALANCE_VERSION;
    rewards_op *op = NULL;
    switch (R.ep) {
    case EP_APPLY: st = rewards_engine_apply(e, R.op); break;
    case EP_RESTORE: st = rewards_engine_restore(e, REWARDS_RECORD_META, "rw1,1:1,1:0,", 12); break;
    case EP_RESTORE_FINISH: st = rewards_engine_restore_finish(e); break;
    case EP_BALANCE: st = rewards_engine_balance(e, &bal, "partner", "acme"); break;
    case EP_EXPORT_LEDGER: st = rewards_engine_export_ledger(e, eu_discard, NULL); break;
    case EP_EXPORT_PAYOUTS: st = rewards_engine_export_payouts(e, eu_discard, NULL); break;
    case EP_PREVIEW: st = rewards_engine_preview_payout(e, "x", INT64_MAX / 4, eu_discard, NULL); break;
    case EP_OP_NEW: st = rewards_op_new(e, &op, "deal"); break;
    case EP_COUNT: break;
    }
    rewards_op_free(op);
    R.calls++;
    R.got = st;
    snprintf(R.msg, sizeof R.msg, "%s", rewards_engine_errmsg(e));
}

static int s_begin(void *u) { (void)u; reenter(CB_BEGIN); return 0; }
static int s_put(void *u, rewards_record_kind k, const char *key, const void *d, size_t n)
{
    (void)u; (void)k; (void)key; (void)d; (void)n;
    reenter(CB_PUT);
    return R.fail_put ? -1 : 0;
}
static int s_commit(void *u) { (void)u; reenter(CB_COMMIT); return 0; }
static int s_rollback(void *u) { (void)u; reenter(CB_ROLLBACK); return 0; }
static void on_event(void *u, const rewards_event *ev) { (void)u; (void)ev; reenter(CB_EVENT); }
static int w_ledger(void *u, const char *d, size_t n) { (void)u; (void)d; (void)n; reenter(CB_WRITE_LEDGER); return 0; }
static int w_payouts(void *u, const char *d, size_t n) { (void)u; (void)d; (void)n; reenter(CB_WRITE_PAYOUTS); return 0; }
static int w_preview(void *u, const char *d, size_t n) { (void)u; (void)d; (void)n; reenter(CB_WRITE_PREVIEW); return 0; }
static void *a_malloc(void *u, size_t n) { (void)u; reenter(CB_MALLOC); return malloc(n); }
static void *a_realloc(void *u, void *p, size_t n) { (void)u; reenter(CB_REALLOC); return realloc(p, n); }
static void a_free(void *u, void *p) { (void)u; if (p) reenter(CB_FREE); free(p); }

static rewards_engine *new_engine(void)
{
    static rewards_storage s = { REWARDS_STORAGE_VERSION, s_begin, s_put, NULL, s_commit, s_rollback, NULL };
    static rewards_events ev = { REWARDS_EVENTS_VERSION, on_event, NULL };
    static rewards_allocator a = { REWARDS_ALLOCATOR_VERSION, a_malloc, a_realloc, a_free, NULL };
    rewards_options o = REWARDS_OPTIONS_INIT;
    o.storage = &s;
    o.events = &ev;
    o.allocator = &a;
    rewards_engine *e;
    assert_int_equal(rewards_engine_new(&e, &o), REWARDS_OK);
    OK(e, "program", "id", "p", "name", "P", "currency", "USD");
    OK(e, "level", "id", "l", "program", "p", "name", "L", "rank:i", "1");
    OK(e, "reward", "id", "r", "level", "l", "name", "10%", "trigger", "deal_won", "recipient", "partner", "kind",
       "percent", "rate", "10%", "auto_approve:b", "true");
    OK(e, "partner", "id", "acme", "program", "p", "level", "l", "name", "Acme");
    OK(e, "deal", "at", "2026-01-05", "id", "d1", "partner", "acme", "currency", "USD", "amount", "1000.00");
    OK(e, "stage", "at", "2026-01-06", "deal", "d1", "stage", "won");
    return e;
}

static rewards_op *build(rewards_engine *e, const char *kind, const char *const *kv)
{
    rewards_op *op;
    assert_int_equal(rewards_op_new(e, &op, kind), REWARDS_OK);
    for (size_t i = 0; kv[i]; i += 2)
        assert_int_equal(eu_set(op, kv[i], kv[i + 1]), REWARDS_OK);
    return op;
}

/* The outer call that makes the engine call callback kind k; the
 * callbacks are armed (arm) only once the call starts, not while its
 * operations are built. */
static rewards_status outer(rewards_engine *e, cb_kind k, int arm)
{
    rewards_status st;
    if (k >= CB_WRITE_LEDGER && k <= CB_WRITE_PREVIEW) {
        R.active = arm;
        st = k == CB_WRITE_LEDGER    ? rewards_engine_export_ledger(e, w_ledger, NULL)
             : k == CB_WRITE_PAYOUTS ? rewards_engine_export_payouts(e, w_payouts, NULL)
                                     : rewards_engine_preview_payout(e, "next", INT64_MAX / 4, w_preview, NULL);
        R.active = 0;
        return st;
    }
    /* a deal that is won at once: storage, events, and allocations */
    static const char *const deal[] = { "at", "2026-01-07", "id", "d2", "partner", "acme", "currency", "USD",
                                        "amount", "500.00", NULL };
    static const char *const won[] = { "at", "2026-01-08", "deal", "d2", "stage", "won", NULL };
    rewards_op *a = build(e, "deal", deal), *b = build(e, "stage", won);
    R.active = arm;
    st = rewards_engine_apply(e, a);
    if (!st)
        st = rewards_engine_apply(e, b);
    R.active = 0;
    rewards_op_free(a);
    rewards_op_free(b);
    return st;
}

static void test_every_callback_times_every_entry_point(void **state)
{
    (void)state;
    /* the reference: the outer calls with no re-entry */
    memset(&R, 0, sizeof R);
    rewards_engine *ref = new_engine();
    assert_ok(ref, outer(ref, CB_PUT, 0));
    char *ref_ledger = eu_ledger(ref), *ref_payouts = eu_payouts(ref);
    for (int k = 0; k < CB_COUNT; k++) {
        for (int p = 0; p < EP_COUNT; p++) {
            memset(&R, 0, sizeof R);
            rewards_engine *e = new_engine();
            assert_int_equal(rewards_op_new(e, &R.op, "set_level"), REWARDS_OK);
            assert_int_equal(eu_set(R.op, "at", "2026-01-09"), REWARDS_OK);
            assert_int_equal(eu_set(R.op, "partner", "acme"), REWARDS_OK);
            assert_int_equal(eu_set(R.op, "level", "l"), REWARDS_OK);
            R.e = e;
            R.armed = (cb_kind)k;
            R.ep = (entry_point)p;
            R.fail_put = k == CB_ROLLBACK;
            rewards_status st = outer(e, (cb_kind)k, 1);
            if (R.calls != 1)
                fail_msg("%s x %s: the callback was not reached", cb_names[k], ep_names[p]);
            if (R.got != REWARDS_MISUSE || !strstr(R.msg, "already inside a call"))
                fail_msg("%s x %s: nested call gave %s (%s)", cb_names[k], ep_names[p], rewards_status_name(R.got),
                         R.msg);
            /* the outer call ends as without the nested one */
            assert_int_equal(st, k == CB_ROLLBACK ? REWARDS_STORAGE : REWARDS_OK);
            R.fail_put = 0;
            if (k == CB_ROLLBACK)
                assert_ok(e, outer(e, CB_PUT, 0));
            else if (k >= CB_WRITE_LEDGER && k <= CB_WRITE_PREVIEW)
                assert_ok(e, outer(e, CB_PUT, 0));
            /* not busy, not restoring: the same state as the reference, and it goes on */
            char *l = eu_ledger(e), *y = eu_payouts(e);
            assert_str(l, ref_ledger);
            assert_str(y, ref_payouts);
            free(l);
            free(y);
            assert_ok(e, rewards_engine_apply(e, R.op));
            rewards_op_free(R.op);
            R.e = NULL;
            rewards_engine_free(e);
        }
    }
    free(ref_ledger);
    free(ref_payouts);
    rewards_engine_free(ref);
}

/* The first report: an apply from the ledger writer freed the rows being written. */
static int apply_from_writer(void *u, const char *d, size_t n)
{
    (void)d;
    (void)n;
    rewards_engine *e = u;
    rewards_status st = eu_op(e, "stage", "at", "2026-02-01", "deal", "d1", "stage", "cancelled", NULL);
    assert_int_equal(st, REWARDS_MISUSE);
    return 0;
}

static void test_apply_from_ledger_writer(void **state)
{
    (void)state;
    memset(&R, 0, sizeof R);
    rewards_engine *e = new_engine();
    char *before = eu_ledger(e);
    assert_ok(e, rewards_engine_export_ledger(e, apply_from_writer, e));
    char *after = eu_ledger(e);
    assert_str(after, before);
    free(before);
    free(after);
    rewards_engine_free(e);
}

/* A restore from a callback is refused and does not leave restore mode on. */
static void test_restore_from_event_hook_leaves_no_restore_mode(void **state)
{
    (void)state;
    memset(&R, 0, sizeof R);
    rewards_engine *e = new_engine();
    R.e = e;
    R.armed = CB_EVENT;
    R.ep = EP_RESTORE;
    assert_ok(e, outer(e, CB_EVENT, 1));
    assert_int_equal(R.got, REWARDS_MISUSE);
    assert_int_equal(e->restoring, 0);
    assert_int_equal(e->restore.len, 0);
    assert_ok(e, eu_op(e, "stage", "at", "2026-02-01", "deal", "d1", "stage", "cancelled", NULL));
    R.e = NULL;
    rewards_engine_free(e);
}

/* Freeing the engine from one of its callbacks is ignored, not a use after free. */
static rewards_engine *free_me;
static void free_from_event(void *u, const rewards_event *ev)
{
    (void)u;
    (void)ev;
    rewards_engine_free(free_me);
}

static void test_free_from_callback_is_ignored(void **state)
{
    (void)state;
    rewards_events ev = { REWARDS_EVENTS_VERSION, free_from_event, NULL };
    rewards_options o = REWARDS_OPTIONS_INIT;
    o.events = &ev;
    rewards_engine *e;
    assert_int_equal(rewards_engine_new(&e, &o), REWARDS_OK);
    free_me = e;
    OK(e, "program", "id", "p", "name", "P", "currency", "USD");
    OK(e, "level", "id", "l", "program", "p", "name", "L", "rank:i", "1");
    OK(e, "partner", "id", "acme", "program", "p", "level", "l", "name", "Acme");
    OK(e, "level", "id", "l2", "program", "p", "name", "L2", "rank:i", "2");
    OK(e, "set_level", "at", "2026-01-01", "partner", "acme", "level", "l2"); /* level_changed event */
    assert_non_null(rewards_engine_find_partner(e, "acme"));
    rewards_engine_free(e);
}

/* The op builder calls the engine's allocator too (rewards_op_set_*,
 * rewards_op_free): every entry point called from that allocator is refused,
 * and rewards_engine_free from it is ignored.  Before, a batch could be
 * opened from the allocator during rewards_op_set_string, and freeing the
 * engine from it was a use after free. */
static rewards_engine *building;
static int begin_from_alloc = -1, free_from_alloc;
static void *b_malloc(void *u, size_t n)
{
    (void)u;
    if (building && free_from_alloc)
        rewards_engine_free(building);
    else if (building)
        begin_from_alloc = (int)rewards_engine_begin(building);
    return malloc(n);
}
static void *b_realloc(void *u, void *p, size_t n) { return p ? realloc(p, n) : b_malloc(u, n); }
static void b_free(void *u, void *p)
{
    (void)u;
    if (building && p)
        begin_from_alloc = (int)rewards_engine_begin(building);
    free(p);
}

static void test_reentry_while_building_an_op(void **state)
{
    (void)state;
    rewards_allocator a = { REWARDS_ALLOCATOR_VERSION, b_malloc, b_realloc, b_free, NULL };
    rewards_options o = REWARDS_OPTIONS_INIT;
    o.allocator = &a;
    for (free_from_alloc = 0; free_from_alloc < 2; free_from_alloc++) {
        rewards_engine *e;
        assert_int_equal(rewards_engine_new(&e, &o), REWARDS_OK);
        rewards_op *op;
        assert_int_equal(rewards_op_new(e, &op, "program"), REWARDS_OK);
        building = e;
        begin_from_alloc = -1;
        assert_int_equal(rewards_op_set_string(op, "id", "p"), REWARDS_OK);
        assert_int_equal(rewards_op_set_string(op, "name", "P"), REWARDS_OK);
        assert_int_equal(rewards_op_set_string(op, "currency", "USD"), REWARDS_OK);
        if (!free_from_alloc)
            assert_int_equal(begin_from_alloc, REWARDS_MISUSE);
        assert_int_equal(rewards_engine_in_batch(e), 0);
        building = NULL;
        assert_ok(e, rewards_engine_apply(e, op)); /* not busy, and the engine is still there */
        building = e;
        begin_from_alloc = -1;
        rewards_op_free(op); /* its frees: the begin from them is refused */
        if (!free_from_alloc)
            assert_int_equal(begin_from_alloc, REWARDS_MISUSE);
        building = NULL;
        assert_int_equal(rewards_engine_in_batch(e), 0);
        assert_non_null(rewards_engine_find_program(e, "p"));
        rewards_engine_free(e);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_callback_times_every_entry_point),
        cmocka_unit_test(test_apply_from_ledger_writer),
        cmocka_unit_test(test_restore_from_event_hook_leaves_no_restore_mode),
        cmocka_unit_test(test_free_from_callback_is_ignored),
        cmocka_unit_test(test_reentry_while_building_an_op),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
