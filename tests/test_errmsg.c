/*
 * test_errmsg.c - the engine's error messages are one printable line.
 *
 * A message quotes what the caller gave (ids, keys, operation names), and a
 * host prints it as "line N: CODE: message".  Control bytes in those values
 * are escaped (\n, \r, \t, \xNN) so that an id holding CR or LF cannot
 * forge a line of its own; a long message is cut between escapes, never
 * inside one.
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
#include "engineutil.h"
#include "assertutil.h"
#include "testutil.h"

static void assert_printable(const char *msg)
{
    for (const char *p = msg; *p; p++)
        if ((unsigned char)*p < 0x20 || *p == 0x7f)
            fail_msg("control byte 0x%02x at %d in '%s'", (unsigned char)*p, (int)(p - msg), msg);
}

static void test_unknown_operation_escaped(void **state)
{
    (void)state;
    rewards_engine *e;
    rewards_op *op;
    assert_int_equal(rewards_engine_new(&e, NULL), REWARDS_OK);
    assert_int_equal(rewards_op_new(e, &op, "x\nline 9: ok\r\x01\x7f\t\\"), REWARDS_OK);
    assert_int_equal(rewards_engine_apply(e, op), REWARDS_INVALID_ARGUMENT);
    assert_printable(rewards_engine_errmsg(e));
    assert_non_null(strstr(rewards_engine_errmsg(e), "'x\\nline 9: ok\\r\\x01\\x7f\\t\\'"));
    rewards_op_free(op);
    rewards_engine_free(e);
}

static void test_not_found_id_escaped(void **state)
{
    (void)state;
    rewards_engine *e;
    assert_int_equal(rewards_engine_new(&e, NULL), REWARDS_OK);
    OK(e, "program", "id", "p", "name", "P", "currency", "USD");
    assert_int_equal(eu_op(e, "partner", "id", "a", "program", "p", "level", "l\r\nline 2: ok", "name", "A", NULL),
                     REWARDS_NOT_FOUND);
    assert_printable(rewards_engine_errmsg(e));
    assert_non_null(strstr(rewards_engine_errmsg(e), "l\\r\\nline 2: ok"));
    rewards_engine_free(e);
}

static void test_long_message_cut_between_escapes(void **state)
{
    (void)state;
    rewards_engine *e;
    rewards_op *op;
    char kind[600];
    memset(kind, '\x01', sizeof kind - 1);
    kind[sizeof kind - 1] = '\0';
    assert_int_equal(rewards_engine_new(&e, NULL), REWARDS_OK);
    assert_int_equal(rewards_op_new(e, &op, kind), REWARDS_OK);
    assert_int_equal(rewards_engine_apply(e, op), REWARDS_INVALID_ARGUMENT);
    const char *msg = rewards_engine_errmsg(e);
    assert_printable(msg);
    size_t len = strlen(msg);
    assert_true(len < 512);
    const char *first = strstr(msg, "\\x01");
    assert_non_null(first);
    /* everything from the first escape on is whole escapes */
    assert_int_equal((len - (size_t)(first - msg)) % 4, 0);
    for (const char *p = first; *p; p += 4)
        assert_memory_equal(p, "\\x01", 4);
    rewards_op_free(op);
    rewards_engine_free(e);
}

/* "" after a success, from every call that can fail: before, the exports,
 * the preview, balance and op_new kept the previous failure's message. */
static void test_success_clears_message(void **state)
{
    (void)state;
    rewards_engine *e;
    assert_int_equal(rewards_engine_new(&e, NULL), REWARDS_OK);
    OK(e, "program", "id", "p", "name", "P", "currency", "USD");
    OK(e, "level", "id", "l", "program", "p", "name", "L", "rank:i", "1");
    OK(e, "partner", "id", "acme", "program", "p", "level", "l", "name", "Acme");
    rewards_op *op = NULL;
    rewards_balance bal;
    rewards_statement *stmt = NULL;
    for (int call = 0; call < 12; call++) {
        assert_int_equal(eu_op(e, "stage", "at", "2026-01-02", "deal", "nope", "stage", "won", NULL), REWARDS_NOT_FOUND);
        assert_string_not_equal(rewards_engine_errmsg(e), "");
        rewards_status st = REWARDS_MISUSE;
        memset(&bal, 0, sizeof bal);
        bal.version = REWARDS_BALANCE_VERSION;
        switch (call) {
        case 0: st = rewards_engine_export_ledger(e, eu_discard, NULL); break;
        case 1: st = rewards_engine_export_payouts(e, eu_discard, NULL); break;
        case 2: st = rewards_engine_preview_payout(e, "x", 0, eu_discard, NULL); break;
        case 3: st = rewards_engine_balance(e, &bal, "partner", "acme"); break;
        case 4: st = rewards_op_new(e, &op, "deal"); break;
        case 5: st = rewards_op_set_string(op, "id", "d"); break;
        case 6: st = rewards_engine_export_holds(e, eu_discard, NULL); break;
        case 7: st = rewards_engine_export_traces(e, eu_discard, NULL); break;
        case 8: st = rewards_engine_statement(e, &stmt, "partner", "acme", INT64_MIN, INT64_MAX); break;
        case 9: st = rewards_engine_begin(e); break;
        case 10: st = rewards_engine_rollback(e); break;
        case 11: st = rewards_engine_apply(e, op); break; /* an error of its own, then a success below */
        }
        if (call == 11) {
            assert_int_equal(st, REWARDS_INVALID_ARGUMENT);
            OK(e, "program", "id", "p2", "name", "P2", "currency", "USD");
        } else if (st != REWARDS_OK)
            fail_msg("call %d: %s", call, rewards_status_name(st));
        if (strcmp(rewards_engine_errmsg(e), ""))
            fail_msg("call %d left '%s'", call, rewards_engine_errmsg(e));
    }
    rewards_statement_free(stmt);
    rewards_op_free(op);
    rewards_engine_free(e);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_unknown_operation_escaped),
        cmocka_unit_test(test_not_found_id_escaped),
        cmocka_unit_test(test_long_message_cut_between_escapes),
        cmocka_unit_test(test_success_clears_message),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
