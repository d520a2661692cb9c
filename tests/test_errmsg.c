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

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_unknown_operation_escaped),
        cmocka_unit_test(test_not_found_id_escaped),
        cmocka_unit_test(test_long_message_cut_between_escapes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
