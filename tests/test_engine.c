/*
 * test_engine.c - the engine's life cycle and the contract of one call:
 * creation with every kind of bad option (wrong struct versions, an
 * allocator missing a member), NULL handles (REWARDS_MISUSE, never a crash),
 * status and version names, the operation builder's path rules, callbacks
 * that re-enter the engine (they get REWARDS_MISUSE and the outer call still
 * completes), the events delivered after commit with their accessors, and
 * allocation failure at every allocation of a long, representative sequence
 * of operations: each failure must return REWARDS_NOMEM, leave the engine
 * byte-identical (eu_fingerprint) with no block leaked, and the same call
 * must then succeed.  These are the promises CONVENTIONS.md ("a call that
 * fails changes nothing") and SPEC.md section 9 make to every host.
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
#include "op.h"
#include "engineutil.h"
#include "assertutil.h"
#include "testutil.h"

/* ---- operations given as arrays ------------------------------------------ */

#define MAXF 48
typedef const char *spec[MAXF]; /* kind, key, value, ..., NULL (keys as in eu_op) */

/* ---- creation and options ------------------------------------------------ */

static void test_new_with_null_options(void **state)
{
    (void)state;
    rewards_engine *e = (rewards_engine *)&e;
    assert_int_equal(rewards_engine_new(&e, NULL), REWARDS_OK);
    assert_non_null(e);
    assert_string_equal(rewards_engine_errmsg(e), "");
    assert_int_equal(rewards_engine_entry_count(e), 0);
    /* the default allocator works: a real operation succeeds */
    OK(e, "program", "id", "p", "name", "P", "currency", "USD");
    assert_non_null(rewards_engine_find_program(e, "p"));
    rewards_engine_free(e);

    assert_int_equal(rewards_engine_new(NULL, NULL), REWARDS_MISUSE);
    rewards_options o = REWARDS_OPTIONS_INIT;
    assert_int_equal(rewards_engine_new(NULL, &o), REWARDS_MISUSE);
    /* options with every member NULL are the defaults */
    assert_int_equal(rewards_engine_new(&e, &o), REWARDS_OK);
    rewards_engine_free(e);
}

static void expect_invalid(const rewards_options *o)
{
    rewards_engine *e = (rewards_engine *)&e; /* not NULL: the call must clear it */
    assert_int_equal(rewards_engine_new(&e, o), REWARDS_INVALID_ARGUMENT);
    assert_null(e);
}

static void test_new_wrong_versions(void **state)
{
    (void)state;
    counted c;
    counted_init(&c);
    rewards_storage s = REWARDS_STORAGE_INIT;
    rewards_events ev = REWARDS_EVENTS_INIT;
    const unsigned bad[] = { 0, 3, 99, 0xffffffffu }; /* 1 (1.0) and 2 (1.1) are known */
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        rewards_options o = REWARDS_OPTIONS_INIT;
        o.version = bad[i];
        expect_invalid(&o);

        rewards_options o2 = REWARDS_OPTIONS_INIT;
        rewards_allocator a = c.ra;
        a.version = bad[i];
        o2.allocator = &a;
        expect_invalid(&o2);

        rewards_options o3 = REWARDS_OPTIONS_INIT;
        rewards_storage s2 = s;
        s2.version = bad[i];
        o3.storage = &s2;
        expect_invalid(&o3);

        rewards_options o4 = REWARDS_OPTIONS_INIT;
        rewards_events ev2 = ev;
        ev2.version = bad[i];
        o4.events = &ev2;
        expect_invalid(&o4);
    }
    /* nothing was allocated by the rejected calls */
    assert_int_equal(c.st.count, 0);
    assert_int_equal(c.st.live, 0);

    /* every struct at its version: accepted, and the allocator is the one used */
    rewards_options o = REWARDS_OPTIONS_INIT;
    o.allocator = &c.ra;
    o.storage = &s;
    o.events = &ev;
    rewards_engine *e;
    assert_int_equal(rewards_engine_new(&e, &o), REWARDS_OK);
    assert_true(c.st.live > 0);
    OK(e, "program", "id", "p", "name", "P", "currency", "USD");
    rewards_engine_free(e);
    assert_int_equal(c.st.live, 0);
}

static void test_new_allocator_missing_member(void **state)
{
    (void)state;
    counted c;
    counted_init(&c);
    for (int missing = 0; missing < 3; missing++) {
        rewards_allocator a = c.ra;
        if (missing == 0)
            a.malloc = NULL;
        else if (missing == 1)
            a.realloc = NULL;
        else
            a.free = NULL;
        rewards_options o = REWARDS_OPTIONS_INIT;
        o.allocator = &a;
        expect_invalid(&o);
    }
    /* a NULL user pointer is fine (it is only passed back) */
    rewards_allocator a = REWARDS_ALLOCATOR_INIT;
    assert_int_equal(c.st.count, 0);
    a.malloc = c.ra.malloc;
    a.realloc = c.ra.realloc;
    a.free = c.ra.free;
    a.user = &c.a;
    rewards_options o = REWARDS_OPTIONS_INIT;
    o.allocator = &a;
    rewards_engine *e;
    assert_int_equal(rewards_engine_new(&e, &o), REWARDS_OK);
    /* the option structs were copied: changing ours afterwards changes nothing */
    a.malloc = NULL;
    memset(&o, 0, sizeof o);
    OK(e, "program", "id", "p", "name", "P", "currency", "USD");
    rewards_engine_free(e);
    assert_int_equal(c.st.live, 0);
}

static void test_init_functions(void **state)
{
    (void)state;
    rewards_allocator a, az = REWARDS_ALLOCATOR_INIT;
    rewards_storage s, sz = REWARDS_STORAGE_INIT;
    rewards_events ev, evz = REWARDS_EVENTS_INIT;
    rewards_options o, oz = REWARDS_OPTIONS_INIT;
    memset(&a, 0x5a, sizeof a);
    memset(&s, 0x5a, sizeof s);
    memset(&ev, 0x5a, sizeof ev);
    memset(&o, 0x5a, sizeof o);
    rewards_allocator_init(&a);
    rewards_storage_init(&s);
    rewards_events_init(&ev);
    rewards_options_init(&o);
    assert_int_equal(a.version, REWARDS_ALLOCATOR_VERSION);
    assert_true(a.malloc == az.malloc && a.realloc == az.realloc && a.free == az.free && a.user == az.user);
    assert_null(a.malloc);
    assert_int_equal(s.version, REWARDS_STORAGE_VERSION);
    assert_true(s.begin == sz.begin && s.put == sz.put && s.del == sz.del && s.commit == sz.commit &&
                s.rollback == sz.rollback && s.user == sz.user);
    assert_null(s.put);
    assert_int_equal(ev.version, REWARDS_EVENTS_VERSION);
    assert_true(ev.on_event == evz.on_event && ev.user == evz.user);
    assert_int_equal(o.version, REWARDS_OPTIONS_VERSION);
    assert_true(o.allocator == oz.allocator && o.storage == oz.storage && o.events == oz.events);
    assert_null(o.storage);
    /* NULL is accepted */
    rewards_allocator_init(NULL);
    rewards_storage_init(NULL);
    rewards_events_init(NULL);
    rewards_options_init(NULL);
}

static void test_free_null(void **state)
{
    (void)state;
    rewards_engine_free(NULL);
    rewards_op_free(NULL);
}

/* ---- names and versions --------------------------------------------------- */

static void test_status_names(void **state)
{
    (void)state;
    static const char *const names[] = { "ok", "invalid_argument", "not_found", "exists", "invalid_transition",
                                         "no_portal_access", "out_of_order", "no_fx_rate", "insufficient_points",
                                         "conflict", "overflow", "parse_error", "storage", "nomem", "misuse" };
    const rewards_status codes[] = { REWARDS_OK, REWARDS_INVALID_ARGUMENT, REWARDS_NOT_FOUND, REWARDS_EXISTS,
                                     REWARDS_INVALID_TRANSITION, REWARDS_NO_PORTAL_ACCESS, REWARDS_OUT_OF_ORDER,
                                     REWARDS_NO_FX_RATE, REWARDS_INSUFFICIENT_POINTS, REWARDS_CONFLICT,
                                     REWARDS_OVERFLOW, REWARDS_PARSE_ERROR, REWARDS_STORAGE, REWARDS_NOMEM,
                                     REWARDS_MISUSE };
    for (size_t i = 0; i < sizeof codes / sizeof codes[0]; i++) {
        assert_int_equal((int)codes[i], (int)i); /* values are stable */
        assert_string_equal(rewards_status_name(codes[i]), names[i]);
    }
    assert_string_equal(rewards_status_name((rewards_status)15), "unknown");
    assert_string_equal(rewards_status_name((rewards_status)-1), "unknown");
    assert_string_equal(rewards_status_name((rewards_status)1000000), "unknown");
}

static void test_record_kind_names(void **state)
{
    (void)state;
    static const char *const names[] = { "meta", "currency", "program", "level", "reward", "partner", "user", "fx",
                                         "deal", "level_change", "contribution", "payout", "payout_line", "entry",
                                         "event_id", "activity" };
    for (int k = 0; k <= REWARDS_RECORD_ACTIVITY; k++)
        assert_string_equal(rewards_record_kind_name((rewards_record_kind)k), names[k]);
    assert_int_equal(REWARDS_RECORD_ENTRY, 13);
    assert_int_equal(REWARDS_RECORD_ACTIVITY, 15);
    assert_string_equal(rewards_record_kind_name((rewards_record_kind)16), "unknown");
    assert_string_equal(rewards_record_kind_name((rewards_record_kind)-1), "unknown");
    assert_int_equal(rewards_record_kind_count(), REWARDS_RECORD_ACTIVITY + 1);
}

static void test_event_type_names(void **state)
{
    (void)state;
    static const char *const names[] = { "entry_earned", "entry_held", "entry_released", "entry_adjusted",
                                         "entry_reversed", "reward_skipped", "level_changed", "payout_created",
                                         "points_redeemed", "manual_recorded", "override_recorded" };
    for (int t = REWARDS_EVENT_ENTRY_EARNED; t <= REWARDS_EVENT_OVERRIDE_RECORDED; t++)
        assert_string_equal(rewards_event_type_name((rewards_event_type)t), names[t - 1]);
    assert_int_equal(REWARDS_EVENT_MANUAL_RECORDED, 10);
    assert_int_equal(REWARDS_EVENT_OVERRIDE_RECORDED, 11);
    assert_string_equal(rewards_event_type_name((rewards_event_type)0), "unknown");
    assert_string_equal(rewards_event_type_name((rewards_event_type)12), "unknown");
}

/* A refused op setter says why through the engine's message. */
static void test_op_setter_messages(void **state)
{
    (void)state;
    rewards_engine *e;
    rewards_op *op;
    assert_int_equal(rewards_engine_new(&e, NULL), REWARDS_OK);
    assert_int_equal(rewards_op_new(e, &op, "deal"), REWARDS_OK);
    assert_int_equal(rewards_op_set_string(op, "id", "a"), REWARDS_OK);
    assert_int_equal(rewards_op_set_string(op, "id", "b"), REWARDS_INVALID_ARGUMENT);
    assert_non_null(strstr(rewards_engine_errmsg(e), "'id'"));
    assert_int_equal(rewards_op_set_string(op, "tiers.1.from", "0"), REWARDS_INVALID_ARGUMENT);
    assert_non_null(strstr(rewards_engine_errmsg(e), "'tiers.1.from'"));
    rewards_op_free(op);
    /* a failed rewards_op_new leaves NULL behind */
    op = (rewards_op *)&op;
    assert_int_equal(rewards_op_new(e, &op, NULL), REWARDS_MISUSE);
    assert_null(op);
    rewards_engine_free(e);
}

static void test_version(void **state)
{
    (void)state;
    assert_int_equal(rewards_version(), REWARDS_VERSION_NUMBER);
    assert_int_equal(REWARDS_VERSION_NUMBER,
                     REWARDS_VERSION_MAJOR * 10000 + REWARDS_VERSION_MINOR * 100 + REWARDS_VERSION_PATCH);
    char want[32];
    snprintf(want, sizeof want, "%d.%d.%d", REWARDS_VERSION_MAJOR, REWARDS_VERSION_MINOR, REWARDS_VERSION_PATCH);
    assert_string_equal(rewards_version_string(), want);
    /* static storage: the same pointer every time */
    assert_ptr_equal(rewards_version_string(), rewards_version_string());
    assert_true(rewards_version() >= 10000); /* the declared stable major is 1 */
}

/* ---- misuse --------------------------------------------------------------- */

static void test_misuse_null_handles(void **state)
{
    (void)state;
    rewards_engine *e, *other;
    assert_int_equal(rewards_engine_new(&e, NULL), REWARDS_OK);
    assert_int_equal(rewards_engine_new(&other, NULL), REWARDS_OK);
    rewards_op *op;
    assert_int_equal(rewards_op_new(NULL, &op, "program"), REWARDS_MISUSE);
    assert_int_equal(rewards_op_new(e, &op, NULL), REWARDS_MISUSE);
    assert_int_equal(rewards_op_new(e, NULL, "program"), REWARDS_MISUSE);
    assert_int_equal(rewards_op_set_string(NULL, "id", "x"), REWARDS_MISUSE);
    assert_int_equal(rewards_op_set_int(NULL, "rank", 1), REWARDS_MISUSE);
    assert_int_equal(rewards_op_set_bool(NULL, "b", 1), REWARDS_MISUSE);
    assert_int_equal(rewards_op_set_time(NULL, "at", 0), REWARDS_MISUSE);
    assert_int_equal(rewards_op_set_number(NULL, "n", "1"), REWARDS_MISUSE);
    assert_int_equal(rewards_op_set_null(NULL, "n"), REWARDS_MISUSE);
    assert_int_equal(rewards_op_set_object(NULL, "o"), REWARDS_MISUSE);
    assert_int_equal(rewards_op_set_list(NULL, "l"), REWARDS_MISUSE);

    assert_int_equal(rewards_op_new(other, &op, "program"), REWARDS_OK);
    assert_int_equal(rewards_op_set_string(op, "id", NULL), REWARDS_MISUSE);
    assert_int_equal(rewards_op_set_number(op, "n", NULL), REWARDS_MISUSE);
    assert_int_equal(rewards_op_set_string(op, "id", "p"), REWARDS_OK);
    assert_int_equal(rewards_op_set_string(op, "name", "P"), REWARDS_OK);
    assert_int_equal(rewards_op_set_string(op, "currency", "USD"), REWARDS_OK);
    assert_int_equal(rewards_engine_apply(NULL, op), REWARDS_MISUSE);
    assert_int_equal(rewards_engine_apply(e, NULL), REWARDS_MISUSE);
    /* an op built on another engine */
    assert_int_equal(rewards_engine_apply(e, op), REWARDS_MISUSE);
    assert_null(rewards_engine_find_program(e, "p"));
    assert_int_equal(rewards_engine_apply(other, op), REWARDS_OK);
    rewards_op_free(op);

    assert_int_equal(rewards_engine_export_ledger(NULL, eu_discard, NULL), REWARDS_MISUSE);
    assert_int_equal(rewards_engine_export_ledger(e, NULL, NULL), REWARDS_MISUSE);
    assert_int_equal(rewards_engine_export_payouts(NULL, eu_discard, NULL), REWARDS_MISUSE);
    assert_int_equal(rewards_engine_export_payouts(e, NULL, NULL), REWARDS_MISUSE);
    assert_int_equal(rewards_engine_preview_payout(NULL, "x", 0, eu_discard, NULL), REWARDS_MISUSE);
    assert_int_equal(rewards_engine_preview_payout(e, NULL, 0, eu_discard, NULL), REWARDS_MISUSE);
    assert_int_equal(rewards_engine_preview_payout(e, "x", 0, NULL, NULL), REWARDS_MISUSE);
    rewards_balance b = { REWARDS_BALANCE_VERSION, 0, 0, 0, 0, 0 };
    assert_int_equal(rewards_engine_balance(NULL, &b, "partner", "a"), REWARDS_MISUSE);
    assert_int_equal(rewards_engine_balance(e, &b, NULL, "a"), REWARDS_MISUSE);
    assert_int_equal(rewards_engine_balance(e, &b, "partner", NULL), REWARDS_MISUSE);
    assert_int_equal(rewards_engine_balance(e, NULL, "partner", "a"), REWARDS_MISUSE);
    assert_int_equal(rewards_engine_restore(NULL, REWARDS_RECORD_META, "", 0), REWARDS_MISUSE);
    assert_int_equal(rewards_engine_restore(e, REWARDS_RECORD_META, NULL, 5), REWARDS_MISUSE);
    assert_int_equal(rewards_engine_restore_finish(NULL), REWARDS_MISUSE);
    assert_string_equal(rewards_engine_errmsg(NULL), "no engine");
    assert_int_equal(rewards_condition_check(NULL, NULL, NULL, NULL, 0), REWARDS_MISUSE);
    int64_t t;
    assert_int_equal(rewards_time_parse(NULL, &t), REWARDS_MISUSE);
    assert_int_equal(rewards_time_parse("2026-01-01", NULL), REWARDS_MISUSE);
    assert_int_equal(rewards_time_format(0, NULL, 10), REWARDS_MISUSE);
    assert_int_equal(rewards_amount_parse(NULL, "USD", &t), REWARDS_MISUSE);
    assert_int_equal(rewards_amount_parse("1", NULL, &t), REWARDS_MISUSE);
    assert_int_equal(rewards_amount_parse("1", "USD", NULL), REWARDS_MISUSE);
    char buf[32];
    assert_int_equal(rewards_amount_format(1, NULL, buf, sizeof buf), REWARDS_MISUSE);
    assert_int_equal(rewards_amount_format(1, "USD", NULL, 0), REWARDS_MISUSE);

    /* accessors given NULL return NULL or 0 */
    assert_null(rewards_engine_find_program(NULL, "p"));
    assert_null(rewards_engine_find_program(e, NULL));
    assert_null(rewards_engine_find_level(NULL, "l"));
    assert_null(rewards_engine_find_reward(NULL, "r"));
    assert_null(rewards_engine_find_partner(NULL, "a"));
    assert_null(rewards_engine_find_user(NULL, "u"));
    assert_null(rewards_engine_find_deal(NULL, "d"));
    assert_null(rewards_engine_find_payout(NULL, "x"));
    assert_null(rewards_program_id(NULL));
    assert_null(rewards_program_currency(NULL));
    assert_null(rewards_level_id(NULL));
    assert_int_equal(rewards_level_rank(NULL), 0);
    assert_null(rewards_reward_id(NULL));
    assert_null(rewards_reward_name(NULL));
    assert_null(rewards_partner_id(NULL));
    assert_null(rewards_partner_name(NULL));
    assert_null(rewards_partner_level(NULL));
    assert_null(rewards_user_id(NULL));
    assert_null(rewards_user_name(NULL));
    assert_null(rewards_user_partner(NULL));
    assert_int_equal(rewards_user_portal_access(NULL), 0);
    assert_null(rewards_deal_id(NULL));
    assert_null(rewards_deal_partner(NULL));
    assert_null(rewards_deal_user(NULL));
    assert_null(rewards_deal_stage(NULL));
    assert_int_equal(rewards_deal_amount(NULL), 0);
    assert_int_equal(rewards_engine_entry_count(NULL), 0);
    assert_null(rewards_engine_entry(NULL, 0));
    assert_null(rewards_engine_entry(e, 0));
    assert_int_equal(rewards_partner_entry_count(NULL), 0);
    assert_null(rewards_partner_entry(NULL, 0));
    assert_int_equal(rewards_deal_entry_count(NULL), 0);
    assert_null(rewards_deal_entry(NULL, 0));
    assert_int_equal(rewards_entry_number(NULL), 0);
    assert_null(rewards_entry_type(NULL));
    assert_null(rewards_entry_reward(NULL));
    assert_null(rewards_entry_deal(NULL));
    assert_null(rewards_entry_partner(NULL));
    assert_null(rewards_entry_recipient_type(NULL));
    assert_null(rewards_entry_recipient(NULL));
    assert_int_equal(rewards_entry_amount(NULL), 0);
    assert_null(rewards_entry_currency(NULL));
    assert_null(rewards_entry_status(NULL));
    assert_null(rewards_entry_reason(NULL));
    assert_null(rewards_entry_period(NULL));
    assert_int_equal(rewards_entry_earned_at(NULL), 0);
    assert_null(rewards_entry_payout(NULL));
    assert_null(rewards_payout_id(NULL));
    assert_int_equal(rewards_payout_line_count(NULL), 0);
    assert_null(rewards_payout_line_at(NULL, 0));
    assert_null(rewards_payout_line_recipient_type(NULL));
    assert_null(rewards_payout_line_recipient(NULL));
    assert_int_equal(rewards_payout_line_amount(NULL), 0);
    assert_null(rewards_payout_line_currency(NULL));
    assert_int_equal(rewards_payout_line_entries(NULL), 0);
    assert_int_equal((int)rewards_event_get_type(NULL), 0);
    assert_null(rewards_event_entry(NULL));
    assert_null(rewards_event_partner(NULL));
    assert_null(rewards_event_reward(NULL));
    assert_null(rewards_event_deal(NULL));
    assert_null(rewards_event_user(NULL));
    assert_null(rewards_event_previous_level(NULL));
    assert_null(rewards_event_level(NULL));
    assert_null(rewards_event_payout(NULL));
    rewards_engine_free(e);
    rewards_engine_free(other);
}

/* ---- the operation builder's paths -------------------------------------- */

/*
 * An op keeps its keys and strings in text of its own (op.h): short ones
 * inside the op, longer ones in chunks.  Every one reads back as given,
 * however many chunks it took; a failed set gives back the chunk it took
 * (a host retrying a bad path on one op does not grow it), and an
 * allocation failing at any point of a set leaves the op as it was and
 * usable.
 */
static void test_op_text(void **state)
{
    (void)state;
    counted c;
    rewards_engine *e = counted_engine(&c);
    rewards_op *op;
    assert_int_equal(rewards_op_new(e, &op, "partner"), REWARDS_OK);
    char key[32], big[3 * RW_OP_TEXT];
    for (int i = 0; i < 40; i++) { /* from short to longer than a chunk */
        size_t len = (size_t)(i * 17) % sizeof big;
        memset(big, 'a' + i % 26, len);
        big[len] = '\0';
        snprintf(key, sizeof key, "attrs.key_%d", i);
        assert_int_equal(rewards_op_set_string(op, key, big), REWARDS_OK);
    }
    long live = c.st.live;
    for (int i = 0; i < 100; i++) { /* set twice: refused, and nothing kept */
        memset(big, 'z', sizeof big - 1);
        big[sizeof big - 1] = '\0';
        assert_int_equal(rewards_op_set_string(op, "attrs.key_3", big), REWARDS_INVALID_ARGUMENT);
        assert_int_equal(c.st.live, live);
    }
    for (long n = 1;; n++) { /* a new key and a long value, an allocation failing at each point */
        c.st.fail_at = c.st.count + n;
        rewards_status st = rewards_op_set_string(op, "attrs.late", big);
        c.st.fail_at = 0;
        if (st == REWARDS_OK)
            break;
        assert_int_equal(st, REWARDS_NOMEM);
        assert_int_equal(c.st.live, live);
        assert_null(rw_node_get(rw_node_get(&op->root, "attrs"), "late"));
    }
    assert_string_equal(op->kind, "partner");
    const rw_node *attrs = rw_node_get(&op->root, "attrs");
    assert_non_null(attrs);
    assert_int_equal(attrs->nkids, 41);
    for (int i = 0; i < 40; i++) {
        size_t len = (size_t)(i * 17) % sizeof big;
        snprintf(key, sizeof key, "key_%d", i);
        const rw_node *n = rw_node_get(attrs, key);
        assert_non_null(n);
        assert_int_equal(strlen(n->str), len);
        for (size_t k = 0; k < len; k++)
            assert_int_equal(n->str[k], 'a' + i % 26);
    }
    assert_string_equal(rw_node_get(attrs, "late")->str, big);
    rewards_op_free(op);
    rewards_engine_free(e);
    assert_int_equal(c.st.live, 0);
}

static void test_op_paths(void **state)
{
    (void)state;
    rewards_engine *e;
    assert_int_equal(rewards_engine_new(&e, NULL), REWARDS_OK);
    OK(e, "program", "id", "p", "name", "P", "currency", "USD");
    OK(e, "level", "id", "l", "program", "p", "name", "L", "rank:i", "1");
    rewards_op *op;
    assert_int_equal(rewards_op_new(e, &op, "reward"), REWARDS_OK);
    assert_int_equal(rewards_op_set_string(op, "id", "t"), REWARDS_OK);
    /* set twice, whatever the type the second time */
    assert_int_equal(rewards_op_set_string(op, "id", "t2"), REWARDS_INVALID_ARGUMENT);
    assert_int_equal(rewards_op_set_int(op, "id", 5), REWARDS_INVALID_ARGUMENT);
    assert_int_equal(rewards_op_set_object(op, "id"), REWARDS_INVALID_ARGUMENT);
    /* a scalar has no fields */
    assert_int_equal(rewards_op_set_string(op, "id.x", "y"), REWARDS_INVALID_ARGUMENT);
    assert_int_equal(rewards_op_set_string(op, "id.0", "y"), REWARDS_INVALID_ARGUMENT);
    /* malformed paths */
    assert_int_equal(rewards_op_set_string(op, "", "y"), REWARDS_INVALID_ARGUMENT);
    assert_int_equal(rewards_op_set_string(op, NULL, "y"), REWARDS_INVALID_ARGUMENT);
    assert_int_equal(rewards_op_set_string(op, ".name", "y"), REWARDS_INVALID_ARGUMENT);
    assert_int_equal(rewards_op_set_string(op, "name.", "y"), REWARDS_INVALID_ARGUMENT);
    assert_int_equal(rewards_op_set_string(op, "a..b", "y"), REWARDS_INVALID_ARGUMENT);
    /* list indexes: appended in order, never skipping one */
    assert_int_equal(rewards_op_set_string(op, "tiers.1.from", "0"), REWARDS_INVALID_ARGUMENT);
    assert_int_equal(rewards_op_set_string(op, "tiers.0.from", "0"), REWARDS_OK);
    assert_int_equal(rewards_op_set_string(op, "tiers.0.rate", "5%"), REWARDS_OK);
    assert_int_equal(rewards_op_set_string(op, "tiers.2.from", "200.00"), REWARDS_INVALID_ARGUMENT);
    assert_int_equal(rewards_op_set_string(op, "tiers.01.from", "200.00"), REWARDS_INVALID_ARGUMENT);
    assert_int_equal(rewards_op_set_string(op, "tiers.x", "200.00"), REWARDS_INVALID_ARGUMENT);
    assert_int_equal(rewards_op_set_string(op, "tiers.0.from", "1"), REWARDS_INVALID_ARGUMENT);
    assert_int_equal(rewards_op_set_string(op, "tiers.1.from", "1000.00"), REWARDS_OK);
    assert_int_equal(rewards_op_set_string(op, "tiers.1.rate", "10%"), REWARDS_OK);
    /* an empty object then a member of it is fine; the object twice is not */
    assert_int_equal(rewards_op_set_string(op, "level", "l"), REWARDS_OK);
    assert_int_equal(rewards_op_set_string(op, "name", "Tiers"), REWARDS_OK);
    assert_int_equal(rewards_op_set_string(op, "trigger", "deal_won"), REWARDS_OK);
    assert_int_equal(rewards_op_set_string(op, "recipient", "partner"), REWARDS_OK);
    assert_int_equal(rewards_op_set_string(op, "kind", "tiered"), REWARDS_OK);
    assert_int_equal(rewards_op_set_string(op, "period", "quarter"), REWARDS_OK);
    /* the failed calls left the op usable and unchanged */
    assert_int_equal(rewards_engine_apply(e, op), REWARDS_OK);
    rewards_op_free(op);

    /* a null is a value too: not set again, and without fields, even when the
     * failed call would have made containers below it (it leaves it null) */
    assert_int_equal(rewards_op_new(e, &op, "level"), REWARDS_OK);
    assert_int_equal(rewards_op_set_null(op, "id"), REWARDS_OK);
    assert_int_equal(rewards_op_set_string(op, "id", "l2"), REWARDS_INVALID_ARGUMENT);
    assert_non_null(strstr(rewards_engine_errmsg(e), "'id' is set twice"));
    assert_int_equal(rewards_op_set_null(op, "id"), REWARDS_INVALID_ARGUMENT);
    assert_int_equal(rewards_op_set_object(op, "id"), REWARDS_INVALID_ARGUMENT);
    assert_int_equal(rewards_op_set_string(op, "id.x", "y"), REWARDS_INVALID_ARGUMENT);
    assert_int_equal(rewards_op_set_null(op, "requires"), REWARDS_OK);
    assert_int_equal(rewards_op_set_string(op, "requires.a..b", "x"), REWARDS_INVALID_ARGUMENT);
    assert_int_equal(rewards_op_set_string(op, "requires.window", "quarter"), REWARDS_INVALID_ARGUMENT);
    assert_int_equal(rewards_engine_apply(e, op), REWARDS_INVALID_ARGUMENT);
    assert_non_null(strstr(rewards_engine_errmsg(e), "'id'"));
    rewards_op_free(op);

    assert_int_equal(rewards_op_new(e, &op, "partner"), REWARDS_OK);
    assert_int_equal(rewards_op_set_object(op, "attrs"), REWARDS_OK);
    assert_int_equal(rewards_op_set_string(op, "attrs.region", "EMEA"), REWARDS_OK);
    assert_int_equal(rewards_op_set_object(op, "attrs"), REWARDS_INVALID_ARGUMENT);
    assert_int_equal(rewards_op_set_string(op, "attrs.region", "APAC"), REWARDS_INVALID_ARGUMENT);
    assert_int_equal(rewards_op_set_string(op, "id", "acme"), REWARDS_OK);
    assert_int_equal(rewards_op_set_string(op, "program", "p"), REWARDS_OK);
    assert_int_equal(rewards_op_set_string(op, "level", "l"), REWARDS_OK);
    assert_int_equal(rewards_op_set_string(op, "name", "Acme"), REWARDS_OK);
    assert_int_equal(rewards_engine_apply(e, op), REWARDS_OK);
    rewards_op_free(op);

    /* the 1000-item limit of lists is the engine's, the builder takes more */
    OK(e, "deal", "at", "2026-01-02", "id", "d", "partner", "acme", "currency", "USD", "amount", "2000.00");
    OK(e, "stage", "at", "2026-01-03", "deal", "d", "stage", "won");
    assert_ledger(e, LEDGER_HEADER "1,earned,t,d,acme,partner,acme,150.00,USD,pending,,FY2026-Q1,2026-01-03T00:00:00Z,\n");

    /* an unknown operation is accepted by the builder and refused by apply */
    assert_int_equal(rewards_op_new(e, &op, "frobnicate"), REWARDS_OK);
    assert_int_equal(rewards_engine_apply(e, op), REWARDS_INVALID_ARGUMENT);
    assert_non_null(strstr(rewards_engine_errmsg(e), "frobnicate"));
    rewards_op_free(op);
    rewards_engine_free(e);
}

/* ---- events --------------------------------------------------------------- */

typedef struct evlog {
    char text[8192];
    int count;
    int commits_at_event; /* the storage commit count when the first event of a call came */
    int *commits;
    rewards_engine *engine;
} evlog;

static const char *idor(const char *s) { return s ? s : "-"; }

static void on_event(void *user, const rewards_event *ev)
{
    evlog *l = user;
    static const char *const types[] = { "?", "earned", "held", "released", "adjusted", "reversed", "skipped",
                                         "level", "payout", "redeemed" };
    const rewards_entry *en = rewards_event_entry(ev);
    char amount[32] = "-";
    if (en)
        rewards_amount_format(rewards_entry_amount(en), rewards_entry_currency(en), amount, sizeof amount);
    char line[512];
    snprintf(line, sizeof line, "%s #%llu %s r=%s d=%s p=%s u=%s %s>%s po=%s %s %s;",
             types[rewards_event_get_type(ev) <= 9 ? rewards_event_get_type(ev) : 0],
             (unsigned long long)rewards_entry_number(en), amount, idor(rewards_reward_id(rewards_event_reward(ev))),
             idor(rewards_deal_id(rewards_event_deal(ev))), idor(rewards_partner_id(rewards_event_partner(ev))),
             idor(rewards_user_id(rewards_event_user(ev))), idor(rewards_level_id(rewards_event_previous_level(ev))),
             idor(rewards_level_id(rewards_event_level(ev))), idor(rewards_payout_id(rewards_event_payout(ev))),
             idor(rewards_entry_status(en)), idor(rewards_entry_recipient(en)));
    if (l->count == 0 && l->commits)
        l->commits_at_event = *l->commits;
    strncat(l->text, line, sizeof l->text - strlen(l->text) - 1);
    l->count++;
}

typedef struct cstore {
    int begins, puts, commits, rollbacks;
    int in_txn;
} cstore;

static int cs_begin(void *u)
{
    cstore *s = u;
    s->begins++;
    s->in_txn = 1;
    return 0;
}
static int cs_put(void *u, rewards_record_kind k, const char *key, const void *d, size_t n)
{
    cstore *s = u;
    (void)k;
    (void)key;
    (void)d;
    (void)n;
    assert_true(s->in_txn);
    s->puts++;
    return 0;
}
static int cs_commit(void *u)
{
    cstore *s = u;
    s->commits++;
    s->in_txn = 0;
    return 0;
}
static int cs_rollback(void *u)
{
    cstore *s = u;
    s->rollbacks++;
    s->in_txn = 0;
    return 0;
}

static void expect_events(rewards_engine *e, evlog *l, cstore *s, rewards_status st, const char *want)
{
    assert_ok(e, st);
    if (strcmp(l->text, want))
        fail_msg("events:\n%s\nwant:\n%s", l->text, want);
    if (l->count)
        assert_int_equal(l->commits_at_event, s->commits); /* delivered after the commit */
    assert_int_equal(s->in_txn, 0);
    l->text[0] = '\0';
    l->count = 0;
}

static void test_events_after_commit_in_order(void **state)
{
    (void)state;
    cstore s = { 0, 0, 0, 0, 0 };
    evlog l;
    memset(&l, 0, sizeof l);
    l.commits = &s.commits;
    rewards_storage st = { REWARDS_STORAGE_VERSION, cs_begin, cs_put, NULL, cs_commit, cs_rollback, &s };
    rewards_events ev = { REWARDS_EVENTS_VERSION, on_event, &l };
    rewards_options o = REWARDS_OPTIONS_INIT;
    o.storage = &st;
    o.events = &ev;
    rewards_engine *e;
    assert_int_equal(rewards_engine_new(&e, &o), REWARDS_OK);
    l.engine = e;
    OK(e, "program", "id", "p", "name", "P", "currency", "USD");
    OK(e, "level", "id", "l1", "program", "p", "name", "One", "rank:i", "1");
    OK(e, "level", "id", "l2", "program", "p", "name", "Two", "rank:i", "2", "requires.deals:i", "1", "requires.window",
       "fiscal_year");
    OK(e, "reward", "id", "pct", "program", "p", "name", "10%", "trigger", "deal_won", "recipient", "partner", "kind",
       "percent", "rate", "10%", "clawback_days:i", "30");
    OK(e, "reward", "id", "rep", "program", "p", "name", "Rep", "trigger", "deal_won", "recipient", "sales_rep", "kind",
       "fixed", "amount", "50.00");
    OK(e, "reward", "id", "skp", "program", "p", "name", "Rep or nothing", "trigger", "deal_won", "recipient",
       "sales_rep", "kind", "fixed", "amount", "20.00", "rep_policy", "skip");
    OK(e, "reward", "id", "tier", "program", "p", "name", "Tiers", "trigger", "deal_won", "recipient", "partner", "kind",
       "tiered", "period", "quarter", "tiers.0.from", "0", "tiers.0.rate", "5%", "tiers.1.from", "1000.00",
       "tiers.1.rate", "10%", "clawback_days:i", "30");
    OK(e, "reward", "id", "pts", "program", "p", "name", "Points", "trigger", "deal_won", "recipient", "partner", "kind",
       "points", "points", "100", "auto_approve:b", "true");
    OK(e, "partner", "id", "acme", "program", "p", "level", "l1", "name", "Acme");
    OK(e, "user", "id", "jo", "partner", "acme", "name", "Jo", "portal_access:b", "true");
    OK(e, "user", "id", "kim", "partner", "acme", "name", "Kim", "portal_access:b", "true");
    OK(e, "deal", "at", "2026-01-05", "id", "d1", "partner", "acme", "currency", "USD", "amount", "1000.00", "user", "jo");
    OK(e, "deal", "at", "2026-01-06", "id", "d2", "partner", "acme", "currency", "USD", "amount", "500.00", "user", "kim");
    OK(e, "user_access", "at", "2026-01-07", "user", "kim", "portal_access:b", "false");
    /* definitions, deals and access changes report nothing */
    expect_events(e, &l, &s, REWARDS_OK, "");

    expect_events(e, &l, &s, eu_op(e, "stage", "at", "2026-01-10", "deal", "d1", "stage", "won", NULL),
                  "earned #1 100.00 r=pct d=d1 p=acme u=- ->- po=- pending acme;"
                  "earned #2 50.00 r=rep d=d1 p=acme u=jo ->- po=- pending jo;"
                  "earned #3 20.00 r=skp d=d1 p=acme u=jo ->- po=- pending jo;"
                  "earned #4 50.00 r=tier d=d1 p=acme u=- ->- po=- pending acme;"
                  "earned #5 100 r=pts d=d1 p=acme u=- ->- po=- approved acme;");
    /* kim lacks access: held (the user is the recipient-to-be), and skipped for the skip policy */
    expect_events(e, &l, &s, eu_op(e, "stage", "at", "2026-01-11", "deal", "d2", "stage", "won", NULL),
                  "earned #6 50.00 r=pct d=d2 p=acme u=- ->- po=- pending acme;"
                  "held #7 50.00 r=rep d=d2 p=acme u=kim ->- po=- held kim;"
                  "skipped #0 - r=skp d=d2 p=acme u=kim ->- po=- - -;"
                  "earned #8 50.00 r=tier d=d2 p=acme u=- ->- po=- pending acme;"
                  "earned #9 100 r=pts d=d2 p=acme u=- ->- po=- approved acme;");
    expect_events(e, &l, &s, eu_op(e, "user_access", "at", "2026-01-12", "user", "kim", "portal_access:b", "true", NULL),
                  "released #7 50.00 r=rep d=d2 p=acme u=kim ->- po=- pending kim;");
    /* d1 cancelled 5 days after it was won: its 10% and tier are reversed, d2 moves down to 5% */
    expect_events(e, &l, &s, eu_op(e, "stage", "at", "2026-01-15", "deal", "d1", "stage", "cancelled", NULL),
                  "reversed #10 -100.00 r=pct d=d1 p=acme u=- ->- po=- pending acme;"
                  "reversed #11 -50.00 r=tier d=d1 p=acme u=- ->- po=- pending acme;"
                  "adjusted #12 -25.00 r=tier d=d2 p=acme u=- ->- po=- pending acme;");
    expect_events(e, &l, &s, eu_op(e, "evaluate_levels", "at", "2026-01-16", "program", "p", NULL),
                  "level #0 - r=- d=- p=acme u=- l1>l2 po=- - -;");
    expect_events(e, &l, &s, eu_op(e, "approve", "at", "2026-02-01", "until", "2026-01-31", NULL), "");
    expect_events(e, &l, &s,
                  eu_op(e, "redeem", "at", "2026-02-02", "id", "r1", "recipient_type", "partner", "recipient", "acme",
                        "points", "150", NULL),
                  "redeemed #13 -150 r=- d=- p=acme u=- ->- po=- redeemed acme;");
    expect_events(e, &l, &s, eu_op(e, "payout", "at", "2026-02-03", "id", "run1", "until", "2026-01-31", NULL),
                  "payout #0 - r=- d=- p=- u=- ->- po=run1 - -;");
    /* a failed call delivers nothing and commits nothing */
    int commits = s.commits;
    assert_int_equal(eu_op(e, "stage", "at", "2026-02-04", "deal", "d2", "stage", "won", NULL),
                     REWARDS_INVALID_TRANSITION);
    expect_events(e, &l, &s, REWARDS_OK, "");
    assert_int_equal(s.commits, commits);
    assert_int_equal(s.rollbacks, 0);

    assert_ledger(e, LEDGER_HEADER
                  "1,earned,pct,d1,acme,partner,acme,100.00,USD,paid,,,2026-01-10T00:00:00Z,run1\n"
                  "2,earned,rep,d1,acme,sales_rep,jo,50.00,USD,paid,,,2026-01-10T00:00:00Z,run1\n"
                  "3,earned,skp,d1,acme,sales_rep,jo,20.00,USD,paid,,,2026-01-10T00:00:00Z,run1\n"
                  "4,earned,tier,d1,acme,partner,acme,50.00,USD,paid,,FY2026-Q1,2026-01-10T00:00:00Z,run1\n"
                  "5,earned,pts,d1,acme,partner,acme,100,PTS,approved,,,2026-01-10T00:00:00Z,\n"
                  "6,earned,pct,d2,acme,partner,acme,50.00,USD,paid,,,2026-01-11T00:00:00Z,run1\n"
                  "7,earned,rep,d2,acme,sales_rep,kim,50.00,USD,paid,,,2026-01-11T00:00:00Z,run1\n"
                  "8,earned,tier,d2,acme,partner,acme,50.00,USD,paid,,FY2026-Q1,2026-01-11T00:00:00Z,run1\n"
                  "9,earned,pts,d2,acme,partner,acme,100,PTS,approved,,,2026-01-11T00:00:00Z,\n"
                  "10,reversal,pct,d1,acme,partner,acme,-100.00,USD,paid,,,2026-01-15T00:00:00Z,run1\n"
                  "11,reversal,tier,d1,acme,partner,acme,-50.00,USD,paid,,FY2026-Q1,2026-01-15T00:00:00Z,run1\n"
                  "12,adjustment,tier,d2,acme,partner,acme,-25.00,USD,paid,,FY2026-Q1,2026-01-15T00:00:00Z,run1\n"
                  "13,redemption,,,acme,partner,acme,-150,PTS,redeemed,,,2026-02-02T00:00:00Z,\n");
    char *p = eu_payouts(e);
    assert_str(p, "payout,recipient_type,recipient,recipient_name,partner,partner_name,currency,amount,entries\n"
                  "run1,partner,acme,Acme,acme,Acme,USD,75.00,7\n"
                  "run1,sales_rep,jo,Jo,acme,Acme,USD,70.00,2\n"
                  "run1,sales_rep,kim,Kim,acme,Acme,USD,50.00,1\n");
    free(p);
    rewards_engine_free(e);
}

/* ---- callbacks re-entering the engine ------------------------------------ */

typedef struct reenter {
    rewards_engine *e;
    rewards_op *op;
    int calls;
    rewards_status got[8];
    int from_storage;
    const char *seen_stage;
} reenter;

static void try_everything(reenter *r)
{
    rewards_balance b = { REWARDS_BALANCE_VERSION, 0, 0, 0, 0, 0 };
    r->got[0] = rewards_engine_apply(r->e, r->op);
    r->got[1] = rewards_engine_export_ledger(r->e, eu_discard, NULL);
    r->got[2] = rewards_engine_export_payouts(r->e, eu_discard, NULL);
    r->got[3] = rewards_engine_preview_payout(r->e, "x", 0, eu_discard, NULL);
    r->got[4] = rewards_engine_balance(r->e, &b, "partner", "acme");
    r->got[5] = rewards_engine_restore(r->e, REWARDS_RECORD_META, "rw1,1:1,1:0,", 12);
    r->got[6] = rewards_engine_restore_finish(r->e);
    /* read-only accessors are allowed */
    const rewards_deal *d = rewards_engine_find_deal(r->e, "d1");
    r->seen_stage = d ? rewards_deal_stage(d) : NULL;
    r->calls++;
}

static void reenter_event(void *user, const rewards_event *ev)
{
    (void)ev;
    try_everything(user);
}

static int reenter_put(void *user, rewards_record_kind k, const char *key, const void *d, size_t n)
{
    (void)k;
    (void)key;
    (void)d;
    (void)n;
    reenter *r = user;
    if (r->from_storage)
        try_everything(r);
    return 0;
}

static void check_reentry(int from_storage)
{
    reenter r;
    memset(&r, 0, sizeof r);
    r.from_storage = from_storage;
    rewards_events ev = { REWARDS_EVENTS_VERSION, from_storage ? NULL : reenter_event, &r };
    rewards_storage s = { REWARDS_STORAGE_VERSION, NULL, reenter_put, NULL, NULL, NULL, &r };
    rewards_options o = REWARDS_OPTIONS_INIT;
    o.events = &ev;
    o.storage = &s;
    assert_int_equal(rewards_engine_new(&r.e, &o), REWARDS_OK);
    rewards_engine *e = r.e;
    OK(e, "program", "id", "p", "name", "P", "currency", "USD");
    OK(e, "level", "id", "l", "program", "p", "name", "L", "rank:i", "1");
    OK(e, "reward", "id", "pct", "level", "l", "name", "10%", "trigger", "deal_won", "recipient", "partner", "kind",
       "percent", "rate", "10%");
    OK(e, "partner", "id", "acme", "program", "p", "level", "l", "name", "Acme");
    OK(e, "deal", "at", "2026-01-05", "id", "d1", "partner", "acme", "currency", "USD", "amount", "1000.00");
    /* the op a callback tries to apply: a valid one, that would create a deal */
    assert_int_equal(rewards_op_new(e, &r.op, "deal"), REWARDS_OK);
    rewards_op_set_string(r.op, "at", "2026-01-10");
    rewards_op_set_string(r.op, "id", "sneaky");
    rewards_op_set_string(r.op, "partner", "acme");
    rewards_op_set_string(r.op, "currency", "USD");
    rewards_op_set_string(r.op, "amount", "1.00");
    r.calls = 0;
    assert_ok(e, eu_op(e, "stage", "at", "2026-01-10", "deal", "d1", "stage", "won", NULL));
    assert_true(r.calls >= 1);
    for (int i = 0; i < 7; i++)
        if (r.got[i] != REWARDS_MISUSE)
            fail_msg("call %d from a %s callback: %s", i, from_storage ? "storage" : "event", rewards_status_name(r.got[i]));
    assert_non_null(r.seen_stage);
    assert_string_equal(r.seen_stage, "won");
    /* the outer call completed, and the refused one did nothing: the outer call's
     * message is that of a success, not the nested call's */
    assert_string_equal(rewards_engine_errmsg(e), "");
    assert_null(rewards_engine_find_deal(e, "sneaky"));
    assert_ledger(e, LEDGER_HEADER "1,earned,pct,d1,acme,partner,acme,100.00,USD,pending,,,2026-01-10T00:00:00Z,\n");
    /* and the engine is usable afterwards: the same op now applies (callbacks
     * still run, and still get MISUSE for their own calls) */
    r.from_storage = 0;
    assert_ok(e, rewards_engine_apply(e, r.op));
    assert_non_null(rewards_engine_find_deal(e, "sneaky"));
    char *ledger = eu_ledger(e);
    assert_non_null(ledger);
    free(ledger);
    rewards_op_free(r.op);
    rewards_engine_free(e);
}

static void test_reentry_from_event_callback(void **state)
{
    (void)state;
    check_reentry(0);
}

static void test_reentry_from_storage_callback(void **state)
{
    (void)state;
    check_reentry(1);
}

/* ---- allocation failure --------------------------------------------------- */

/* A long sequence that reaches every operation kind and most code paths:
 * definitions of every reward kind (tiered, milestone, a `when` condition,
 * points), FX, holds and their release, a cancellation that recomputes a
 * group, an amendment, approvals, a payout, a redemption, level evaluation
 * and event ids (remembered, replayed). */
static const spec sequence[] = {
    { "currency", "code", "QQQ", "exponent:i", "3" },
    { "program", "id", "p", "name", "Program", "currency", "USD", "fiscal_year_start_month:i", "1", "rounding",
      "half_up" },
    { "level", "id", "l1", "program", "p", "name", "One", "rank:i", "1" },
    { "level", "id", "l2", "program", "p", "name", "Two", "rank:i", "2", "requires.revenue", "1000.00",
      "requires.deals:i", "1", "requires.window", "fiscal_quarter" },
    { "reward", "id", "pct", "level", "l1", "name", "10%", "trigger", "deal_won", "recipient", "partner", "kind",
      "percent", "rate", "10%", "clawback_days:i", "30", "event", "ev-pct" },
    { "reward", "id", "tier", "program", "p", "name", "Tiers", "trigger", "deal_won", "recipient", "partner", "kind",
      "tiered", "period", "quarter", "tiers.0.from", "0", "tiers.0.rate", "5%", "tiers.1.from", "1000.00",
      "tiers.1.rate", "10%", "clawback_days:i", "30", "cap_per_period", "5000.00" },
    { "reward", "id", "ms", "program", "p", "name", "Milestones", "trigger", "deal_won", "recipient", "sales_rep",
      "kind", "milestone", "period", "quarter", "metric", "revenue", "thresholds.0.at", "1000.00",
      "thresholds.0.bonus", "100.00", "thresholds.1.at", "2000.00", "thresholds.1.bonus", "200.00",
      "clawback_days:i", "30" },
    { "reward", "id", "cond", "level", "l1", "name", "EMEA", "trigger", "deal_won", "recipient", "sales_rep", "kind",
      "fixed", "amount", "25.00", "auto_approve:b", "true",
      "when", "deal.attr.region == \"EMEA\" && deal.amount >= 100 && rep.attr.team in [\"east\", \"west\"]",
      "event", "ev-cond" },
    { "reward", "id", "pts", "program", "p", "name", "Points", "trigger", "deal_won", "recipient", "partner", "kind",
      "points", "points_per_unit", "0.5", "auto_approve:b", "true" },
    { "reward", "id", "onpay", "program", "p", "name", "On cash", "trigger", "deal_paid", "recipient", "partner",
      "kind", "percent", "rate", "5%", "active_from", "2026-01-01", "active_until", "2027-01-01" },
    { "reward", "id", "renew", "program", "p", "name", "Renewals", "trigger", "deal_renewed", "recipient",
      "sales_rep", "kind", "percent", "rate", "2.5%", "rep_policy", "partner" },
    { "partner", "id", "acme", "program", "p", "level", "l1", "name", "Acme", "attrs.tier", "gold",
      "attrs.score:n", "4.5", "attrs.size:i", "12", "attrs.vip:b", "true" },
    { "user", "id", "jo", "partner", "acme", "name", "Jo", "email", "jo@acme.example", "portal_access:b", "true",
      "attrs.team", "east" },
    { "user", "id", "kim", "partner", "acme", "name", "Kim", "portal_access:b", "false" },
    { "fx", "at", "2026-01-01", "from", "EUR", "to", "USD", "rate", "1.1" },
    { "deal", "at", "2026-01-05", "id", "d1", "partner", "acme", "currency", "USD", "amount", "1200.00", "units:i",
      "3", "attrs.region", "EMEA", "user", "jo", "event", "crm-d1" },
    { "deal", "at", "2026-01-06", "id", "d2", "partner", "acme", "currency", "EUR", "amount", "800.00" },
    { "stage", "at", "2026-01-07", "deal", "d1", "stage", "approved" },
    { "stage", "at", "2026-01-10", "deal", "d1", "stage", "won", "event", "crm-1" },
    /* a replay: a no-op that succeeds */
    { "stage", "at", "2026-01-10T00:00:00Z", "deal", "d1", "stage", "won", "event", "crm-1" },
    { "stage", "at", "2026-01-11", "deal", "d2", "stage", "won" },
    { "payment", "at", "2026-01-12", "deal", "d1", "amount", "100.00" },
    { "stage", "at", "2026-01-20", "deal", "d1", "stage", "cancelled" },
    { "amend", "at", "2026-01-21", "deal", "d2", "amount", "1000.00" },
    { "user_access", "at", "2026-01-22", "user", "kim", "portal_access:b", "true" },
    { "assign", "at", "2026-01-23", "deal", "d2", "user", "kim" },
    { "approve", "at", "2026-02-01", "until", "2026-01-31" },
    { "payout", "at", "2026-02-02", "id", "run1", "until", "2026-01-31" },
    { "redeem", "at", "2026-02-03", "id", "rd1", "recipient_type", "partner", "recipient", "acme", "points", "100" },
    { "evaluate_levels", "at", "2026-02-04", "program", "p", "demote:b", "true" },
    { "set_level", "at", "2026-02-05", "partner", "acme", "level", "l1" },
    { "stage", "at", "2026-02-06", "deal", "d2", "stage", "contract_started" },
    { "stage", "at", "2026-02-07", "deal", "d2", "stage", "renewed", "amount", "50.00" },
    { "release", "at", "2026-02-08", "deal", "d2", "to", "partner" },
    { "deal", "at", "2026-02-09", "id", "d3", "partner", "acme", "currency", "USD", "amount", "1000.00" },
    { "stage", "at", "2026-02-10", "deal", "d3", "stage", "won" },
    { "user_access", "at", "2026-02-11", "user", "kim", "portal_access:b", "false" },
    { "stage", "at", "2026-02-11", "deal", "d3", "stage", "contract_started" },
    { "stage", "at", "2026-02-12", "deal", "d3", "stage", "renewed", "amount", "10.00" },
    { "release", "at", "2026-02-13", "deal", "d3", "to", "partner" },
    { "approve", "at", "2026-03-01", "until", "2026-02-28" },
    { "payout", "at", "2026-03-02", "id", "run2", "until", "2026-02-28", "event", "pay-2" },
    /* two tiers, an activity and manual adjustments (SPEC.md section 13) */
    { "program", "id", "q", "name", "Two tier", "currency", "EUR" },
    { "level", "id", "q1", "program", "q", "name", "Q1", "rank:i", "1" },
    { "reward", "id", "qpct", "level", "q1", "name", "Q 10%", "trigger", "deal_won", "recipient", "partner", "kind",
      "percent", "rate", "10%", "clawback_days:i", "30" },
    { "reward", "id", "qovr", "program", "q", "name", "Override", "recipient", "partner", "kind", "override", "rate",
      "3%", "of.0", "qpct", "auto_approve:b", "true" },
    { "reward", "id", "qact", "program", "q", "name", "Cert", "trigger", "activity:cert", "recipient", "sales_rep",
      "kind", "fixed", "amount", "20.00", "when", "activity.units >= 1 && activity.attr.k == \"v\"" },
    { "partner", "id", "qd", "program", "q", "level", "q1", "name", "Dist" },
    { "partner", "id", "qr", "program", "q", "level", "q1", "name", "Res", "parent", "qd" },
    { "user", "id", "qu", "partner", "qr", "name", "Qu", "portal_access:b", "false" },
    { "deal", "at", "2026-03-03", "id", "qdeal", "partner", "qr", "currency", "EUR", "amount", "333.33" },
    { "stage", "at", "2026-03-04", "deal", "qdeal", "stage", "won" },
    { "activity", "at", "2026-03-05", "id", "qa1", "partner", "qr", "user", "qu", "type", "cert", "units:i", "2",
      "attrs.k", "v" },
    { "release", "at", "2026-03-06", "deal", "qa1", "to", "partner" },
    { "adjust", "at", "2026-03-07", "id", "qadj", "partner", "qr", "amount", "-5.00", "deal", "qdeal", "note", "Fix",
      "approved:b", "true" },
    { "adjust", "at", "2026-03-07", "id", "qadj2", "partner", "qr", "amount", "7", "currency", "PTS" },
    { "stage", "at", "2026-03-08", "deal", "qdeal", "stage", "cancelled" },
};
#define NSEQ (sizeof sequence / sizeof sequence[0])

typedef struct accept_store {
    int puts, rollbacks;
} accept_store;

static int as_put(void *u, rewards_record_kind k, const char *key, const void *d, size_t n)
{
    (void)k;
    (void)key;
    (void)d;
    (void)n;
    ((accept_store *)u)->puts++;
    return 0;
}
static int as_rollback(void *u)
{
    ((accept_store *)u)->rollbacks++;
    return 0;
}

static rewards_engine *new_counted_engine(counted *c, accept_store *as)
{
    rewards_storage s = { REWARDS_STORAGE_VERSION, NULL, as_put, NULL, NULL, as_rollback, as };
    rewards_options o = REWARDS_OPTIONS_INIT;
    o.allocator = &c->ra;
    o.storage = as ? &s : NULL;
    rewards_engine *e;
    assert_int_equal(rewards_engine_new(&e, &o), REWARDS_OK);
    return e;
}

static void run_alloc_failures(int with_storage)
{
    counted c;
    counted_init(&c);
    accept_store as = { 0, 0 };
    rewards_engine *e = new_counted_engine(&c, with_storage ? &as : NULL);
    /* a reference engine that never fails */
    rewards_engine *ref;
    assert_int_equal(rewards_engine_new(&ref, NULL), REWARDS_OK);
    long failures = 0;
    size_t ops_failed = 0;
    for (size_t i = 0; i < NSEQ; i++) {
        assert_ok(ref, apply_spec(ref, sequence[i]));
        rewards_op *op = build_op(e, sequence[i]);
        char *before = eu_fingerprint(e);
        long live_before = c.st.live - scratch_blocks(e);
        int rollbacks = as.rollbacks;
        rewards_status st = REWARDS_NOMEM;
        long n;
        for (n = 1; n < 100000; n++) {
            c.st.fail_at = c.st.count + n;
            st = rewards_engine_apply(e, op);
            c.st.fail_at = 0;
            if (st == REWARDS_OK)
                break;
            if (st != REWARDS_NOMEM)
                fail_msg("op %zu (%s), allocation %ld failing: %s (%s)", i, sequence[i][0], n, rewards_status_name(st),
                         rewards_engine_errmsg(e));
            failures++;
            char *after = eu_fingerprint(e);
            if (strcmp(before, after))
                fail_msg("op %zu (%s), allocation %ld failing changed the engine:\n%s\nvs\n%s", i, sequence[i][0], n,
                         before, after);
            free(after);
            if (c.st.live - scratch_blocks(e) != live_before)
                fail_msg("op %zu (%s), allocation %ld failing: %ld blocks live, %ld before", i, sequence[i][0], n,
                         c.st.live - scratch_blocks(e), live_before);
            assert_string_equal(rewards_engine_errmsg(e), "out of memory");
            /* storage never saw a commit; a rollback only once begin was called (no begin here) */
        }
        assert_int_equal(st, REWARDS_OK);
        ops_failed += n > 1;
        (void)rollbacks;
        free(before);
        rewards_op_free(op);
    }
    /* many positions failed (records come from slabs, so an operation allocates only
     * a few times); storage adds the encoding of every record */
    print_message("%ld allocation failures; %zu of %zu operations failed at least once\n", failures, ops_failed,
                  (size_t)NSEQ);
    assert_true(failures > (with_storage ? 350 : 100));
    /* the engine that went through every failure ends as the one that never failed */
    char *a = eu_fingerprint(e), *b = eu_fingerprint(ref);
    assert_str(a, b);
    free(a);
    free(b);
    a = eu_ledger(e);
    b = eu_ledger(ref);
    assert_str(a, b);
    free(a);
    free(b);
    rewards_engine_free(ref);
    rewards_engine_free(e);
    assert_int_equal(c.st.live, 0);
}

static void test_alloc_failure_every_operation(void **state)
{
    (void)state;
    run_alloc_failures(0);
}

static void test_alloc_failure_every_operation_with_storage(void **state)
{
    (void)state;
    run_alloc_failures(1);
}

/* The reference ledger of the sequence, so that the failure tests above are
 * known to exercise what they claim (holds, corrections, a payout). */
static void test_sequence_ledger(void **state)
{
    (void)state;
    rewards_engine *e;
    assert_int_equal(rewards_engine_new(&e, NULL), REWARDS_OK);
    for (size_t i = 0; i < NSEQ; i++)
        assert_ok(e, apply_spec(e, sequence[i]));
    /* d1 cancelled 10 days after it was won: its 10%, tier and milestone are reversed (in the
     * order the contributions were recorded), then d2 moves down a bracket; d2's amendment
     * (800 -> 1000 EUR at the rate kept from its trigger, 1.1) makes the "no user" milestone
     * group cross 1,000.00: a held adjustment, released to kim when she is assigned */
    assert_ledger(e, LEDGER_HEADER
                  "1,earned,pct,d1,acme,partner,acme,120.00,USD,paid,,,2026-01-10T00:00:00Z,run1\n"
                  "2,earned,tier,d1,acme,partner,acme,70.00,USD,paid,,FY2026-Q1,2026-01-10T00:00:00Z,run1\n"
                  "3,earned,ms,d1,acme,sales_rep,jo,100.00,USD,paid,,FY2026-Q1,2026-01-10T00:00:00Z,run1\n"
                  "4,earned,cond,d1,acme,sales_rep,jo,25.00,USD,paid,,,2026-01-10T00:00:00Z,run1\n"
                  "5,earned,pts,d1,acme,partner,acme,600,PTS,approved,,,2026-01-10T00:00:00Z,\n"
                  "6,earned,pct,d2,acme,partner,acme,88.00,USD,paid,,,2026-01-11T00:00:00Z,run1\n"
                  "7,earned,tier,d2,acme,partner,acme,88.00,USD,paid,,FY2026-Q1,2026-01-11T00:00:00Z,run1\n"
                  "8,earned,pts,d2,acme,partner,acme,440,PTS,approved,,,2026-01-11T00:00:00Z,\n"
                  "9,earned,onpay,d1,acme,partner,acme,5.00,USD,paid,,,2026-01-12T00:00:00Z,run1\n"
                  "10,reversal,pct,d1,acme,partner,acme,-120.00,USD,paid,,,2026-01-20T00:00:00Z,run1\n"
                  "11,reversal,tier,d1,acme,partner,acme,-70.00,USD,paid,,FY2026-Q1,2026-01-20T00:00:00Z,run1\n"
                  "12,reversal,ms,d1,acme,sales_rep,jo,-100.00,USD,paid,,FY2026-Q1,2026-01-20T00:00:00Z,run1\n"
                  "13,adjustment,tier,d2,acme,partner,acme,-44.00,USD,paid,,FY2026-Q1,2026-01-20T00:00:00Z,run1\n"
                  "14,adjustment,pct,d2,acme,partner,acme,22.00,USD,paid,,,2026-01-21T00:00:00Z,run1\n"
                  "15,adjustment,tier,d2,acme,partner,acme,16.00,USD,paid,,FY2026-Q1,2026-01-21T00:00:00Z,run1\n"
                  "16,adjustment,ms,d2,acme,sales_rep,kim,100.00,USD,paid,,FY2026-Q1,2026-01-21T00:00:00Z,run1\n"
                  "17,adjustment,pts,d2,acme,partner,acme,110,PTS,approved,,,2026-01-21T00:00:00Z,\n"
                  "18,redemption,,,acme,partner,acme,-100,PTS,redeemed,,,2026-02-03T00:00:00Z,\n"
                  "19,earned,renew,d2,acme,sales_rep,kim,1.38,USD,paid,,,2026-02-07T00:00:00Z,run2\n"
                  "20,earned,pct,d3,acme,partner,acme,100.00,USD,paid,,,2026-02-10T00:00:00Z,run2\n"
                  "21,earned,tier,d3,acme,partner,acme,100.00,USD,paid,,FY2026-Q1,2026-02-10T00:00:00Z,run2\n"
                  "22,earned,ms,d3,acme,partner,acme,200.00,USD,paid,,FY2026-Q1,2026-02-10T00:00:00Z,run2\n"
                  "23,earned,pts,d3,acme,partner,acme,500,PTS,approved,,,2026-02-10T00:00:00Z,\n"
                  "24,earned,renew,d3,acme,partner,acme,0.25,USD,paid,,,2026-02-12T00:00:00Z,run2\n"
                  /* 3% of 33.33 is 0.9999: 1.00; the manual entries are not mirrored */
                  "25,earned,qpct,qdeal,qr,partner,qr,33.33,EUR,pending,,,2026-03-04T00:00:00Z,\n"
                  "26,earned,qovr,qdeal,qd,partner,qd,1.00,EUR,approved,,,2026-03-04T00:00:00Z,\n"
                  "27,earned,qact,qa1,qr,partner,qr,20.00,EUR,pending,,,2026-03-05T00:00:00Z,\n"
                  "28,manual,,qdeal,qr,partner,qr,-5.00,EUR,approved,,,2026-03-07T00:00:00Z,\n"
                  "29,manual,,,qr,partner,qr,7,PTS,pending,,,2026-03-07T00:00:00Z,\n"
                  "30,reversal,qpct,qdeal,qr,partner,qr,-33.33,EUR,pending,,,2026-03-08T00:00:00Z,\n"
                  "31,reversal,qovr,qdeal,qd,partner,qd,-1.00,EUR,approved,,,2026-03-08T00:00:00Z,\n");
    char *p = eu_payouts(e);
    assert_str(p, "payout,recipient_type,recipient,recipient_name,partner,partner_name,currency,amount,entries\n"
                  "run1,partner,acme,Acme,acme,Acme,USD,175.00,10\n"
                  "run1,sales_rep,jo,Jo,acme,Acme,USD,25.00,3\n"
                  "run1,sales_rep,kim,Kim,acme,Acme,USD,100.00,1\n"
                  "run2,partner,acme,Acme,acme,Acme,USD,400.25,4\n"
                  "run2,sales_rep,kim,Kim,acme,Acme,USD,1.38,1\n");
    free(p);
    const rewards_partner *acme = rewards_engine_find_partner(e, "acme");
    assert_string_equal(rewards_level_id(rewards_partner_level(acme)), "l1");
    rewards_engine_free(e);
}

static void test_alloc_failure_engine_new(void **state)
{
    (void)state;
    counted c;
    counted_init(&c);
    rewards_options o = REWARDS_OPTIONS_INIT;
    o.allocator = &c.ra;
    long n;
    rewards_engine *e = NULL;
    for (n = 1; n < 1000; n++) {
        c.st.fail_at = c.st.count + n;
        rewards_status st = rewards_engine_new(&e, &o);
        c.st.fail_at = 0;
        if (st == REWARDS_OK)
            break;
        assert_int_equal(st, REWARDS_NOMEM);
        assert_null(e);
        assert_int_equal(c.st.live, 0);
    }
    assert_non_null(e);
    assert_true(n >= 2); /* at least one allocation failed */
    rewards_engine_free(e);
    assert_int_equal(c.st.live, 0);

    /* building an operation under allocation failure: NOMEM and nothing leaked */
    assert_int_equal(rewards_engine_new(&e, &o), REWARDS_OK);
    long base = c.st.live;
    for (n = 1; n < 1000; n++) {
        rewards_op *op = NULL;
        c.st.fail_at = c.st.count + n;
        rewards_status st = rewards_op_new(e, &op, "deal");
        if (!st)
            st = rewards_op_set_string(op, "tiers.0.from", "0");
        if (!st)
            st = rewards_op_set_number(op, "attrs.score", "1.5");
        if (!st)
            st = rewards_op_set_object(op, "requires");
        c.st.fail_at = 0;
        rewards_op_free(op);
        assert_int_equal(c.st.live, base);
        if (st == REWARDS_OK)
            break;
        assert_int_equal(st, REWARDS_NOMEM);
    }
    assert_true(n > 3);
    rewards_engine_free(e);
    assert_int_equal(c.st.live, 0);
}

/* Every allocation of a whole session failing in turn, the session going on
 * regardless (as a host that logs and carries on would): freeing the engine
 * always returns every block. */
static void test_alloc_failure_whole_session_no_leak(void **state)
{
    (void)state;
    counted c;
    counted_init(&c);
    accept_store as = { 0, 0 };
    /* count the allocations of a session that does not fail */
    rewards_engine *e = new_counted_engine(&c, &as);
    for (size_t i = 0; i < NSEQ; i++)
        assert_ok(e, apply_spec(e, sequence[i]));
    rewards_engine_free(e);
    long total = c.st.count;
    assert_int_equal(c.st.live, 0);
    for (long n = 1; n <= total; n++) {
        counted_init(&c);
        c.st.fail_at = n;
        rewards_engine *f = NULL;
        rewards_storage s = { REWARDS_STORAGE_VERSION, NULL, as_put, NULL, NULL, as_rollback, &as };
        rewards_options o = REWARDS_OPTIONS_INIT;
        o.allocator = &c.ra;
        o.storage = &s;
        if (rewards_engine_new(&f, &o) != REWARDS_OK) {
            assert_int_equal(c.st.live, 0);
            continue;
        }
        for (size_t i = 0; i < NSEQ; i++) {
            rewards_op *op = NULL;
            if (rewards_op_new(f, &op, sequence[i][0]) != REWARDS_OK)
                continue;
            rewards_status st = REWARDS_OK;
            for (size_t k = 1; sequence[i][k] && !st; k += 2) {
                const char *key = sequence[i][k];
                size_t len = strlen(key);
                char path[256];
                char type = len > 2 && key[len - 2] == ':' ? key[len - 1] : 's';
                snprintf(path, sizeof path, "%.*s", (int)(type == 's' ? len : len - 2), key);
                if (type == 'i')
                    st = rewards_op_set_int(op, path, strtoll(sequence[i][k + 1], NULL, 10));
                else if (type == 'b')
                    st = rewards_op_set_bool(op, path, !strcmp(sequence[i][k + 1], "true"));
                else if (type == 'n')
                    st = rewards_op_set_number(op, path, sequence[i][k + 1]);
                else
                    st = rewards_op_set_string(op, path, sequence[i][k + 1]);
            }
            if (!st)
                st = rewards_engine_apply(f, op);
            rewards_op_free(op);
        }
        char *ledger = eu_ledger(f);
        free(ledger);
        rewards_engine_free(f);
        if (c.st.live != 0)
            fail_msg("allocation %ld of %ld failing: %ld blocks leaked", n, total, c.st.live);
    }
}

/* The stand-alone helpers a host's UI uses: a rule editor's condition check, times, amounts. */
static void test_public_helpers(void **state)
{
    (void)state;
    int line = -1, column = -1;
    char msg[128];
    assert_int_equal(rewards_condition_check("deal.amount >= 5000 && deal.attr.product in [\"suite\"]", &line, &column,
                                             msg, sizeof msg),
                     REWARDS_OK);
    assert_int_equal(line, 0);
    assert_int_equal(column, 0);
    assert_string_equal(msg, "");
    assert_int_equal(rewards_condition_check("deal.amount >= 5000 &&\n  deal.colour == 1", &line, &column, msg, sizeof msg),
                     REWARDS_PARSE_ERROR);
    assert_int_equal(line, 2);
    assert_int_equal(column, 3);
    assert_string_equal(msg, "line 2, column 3: unknown name 'deal.colour'");
    char tiny[8];
    assert_int_equal(rewards_condition_check("(", NULL, NULL, tiny, sizeof tiny), REWARDS_PARSE_ERROR);
    assert_int_equal(strlen(tiny), sizeof tiny - 1);

    int64_t t;
    char buf[32];
    assert_int_equal(rewards_time_parse("2026-01-02", &t), REWARDS_OK);
    assert_int_equal(t, 1767312000);
    assert_int_equal(rewards_time_parse("2026-01-02T00:00:00Z", &t), REWARDS_OK);
    assert_int_equal(t, 1767312000);
    assert_int_equal(rewards_time_parse("2026-02-30", &t), REWARDS_INVALID_ARGUMENT);
    assert_int_equal(rewards_time_format(1767312000 + 3661, buf, sizeof buf), REWARDS_OK);
    assert_string_equal(buf, "2026-01-02T01:01:01Z");

    int64_t a;
    assert_int_equal(rewards_amount_parse("1200.50", "USD", &a), REWARDS_OK);
    assert_int_equal(a, 120050);
    assert_int_equal(rewards_amount_parse("1200.5", "JPY", &a), REWARDS_INVALID_ARGUMENT);
    assert_int_equal(rewards_amount_parse("1.234", "KWD", &a), REWARDS_OK);
    assert_int_equal(a, 1234);
    assert_int_equal(rewards_amount_parse("99999999999999999999", "USD", &a), REWARDS_OVERFLOW);
    assert_int_equal(rewards_amount_parse("1", "XXX", &a), REWARDS_INVALID_ARGUMENT);
    assert_int_equal(rewards_amount_format(-3550, "USD", buf, sizeof buf), REWARDS_OK);
    assert_string_equal(buf, "-35.50");
    /* what format writes, parse reads back, to the extremes */
    static const int64_t round_trip[] = { -3550, 0, 1, -1, INT64_MAX, INT64_MIN, -100 };
    for (size_t i = 0; i < sizeof round_trip / sizeof round_trip[0]; i++) {
        assert_int_equal(rewards_amount_format(round_trip[i], "USD", buf, sizeof buf), REWARDS_OK);
        assert_int_equal(rewards_amount_parse(buf, "USD", &a), REWARDS_OK);
        assert_true(a == round_trip[i]);
    }
    assert_int_equal(rewards_amount_parse("+1.00", "USD", &a), REWARDS_INVALID_ARGUMENT);
    assert_int_equal(rewards_amount_parse("--1.00", "USD", &a), REWARDS_INVALID_ARGUMENT);
    assert_int_equal(rewards_amount_parse("-", "USD", &a), REWARDS_INVALID_ARGUMENT);
    assert_int_equal(rewards_amount_parse("-92233720368547758.09", "USD", &a), REWARDS_OVERFLOW);
    assert_int_equal(rewards_amount_format(1200, "JPY", buf, sizeof buf), REWARDS_OK);
    assert_string_equal(buf, "1200");
    assert_int_equal(rewards_amount_format(1, "XAU", buf, sizeof buf), REWARDS_INVALID_ARGUMENT);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_new_with_null_options),
        cmocka_unit_test(test_new_wrong_versions),
        cmocka_unit_test(test_new_allocator_missing_member),
        cmocka_unit_test(test_init_functions),
        cmocka_unit_test(test_free_null),
        cmocka_unit_test(test_status_names),
        cmocka_unit_test(test_record_kind_names),
        cmocka_unit_test(test_event_type_names),
        cmocka_unit_test(test_public_helpers),
        cmocka_unit_test(test_op_setter_messages),
        cmocka_unit_test(test_version),
        cmocka_unit_test(test_misuse_null_handles),
        cmocka_unit_test(test_op_paths),
        cmocka_unit_test(test_op_text),
        cmocka_unit_test(test_events_after_commit_in_order),
        cmocka_unit_test(test_reentry_from_event_callback),
        cmocka_unit_test(test_reentry_from_storage_callback),
        cmocka_unit_test(test_sequence_ledger),
        cmocka_unit_test(test_alloc_failure_every_operation),
        cmocka_unit_test(test_alloc_failure_every_operation_with_storage),
        cmocka_unit_test(test_alloc_failure_engine_new),
        cmocka_unit_test(test_alloc_failure_whole_session_no_leak),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
