/*
 * assertutil.c - the cmocka assertions of assertutil.h.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "assertutil.h"

void assert_str(const char *got, const char *want)
{
    if (!got || strcmp(got, want))
        fail_msg("got:\n%s\nwant:\n%s", got ? got : "(null)", want);
}

void assert_ledger(rewards_engine *e, const char *want)
{
    char *got = eu_ledger(e);
    assert_str(got, want);
    free(got);
}

void assert_payouts(rewards_engine *e, const char *want)
{
    char *got = eu_payouts(e);
    assert_str(got, want);
    free(got);
}

void check_ok(rewards_engine *e, rewards_status st, int line)
{
    if (st != REWARDS_OK)
        fail_msg("line %d: expected ok, got %s: %s", line, rewards_status_name(st), rewards_engine_errmsg(e));
}

void check_refused(rewards_engine *e, rewards_status want, rewards_status got, const char *before, int line)
{
    if (got != want)
        fail_msg("line %d: expected %s, got %s: %s", line, rewards_status_name(want), rewards_status_name(got),
                 rewards_engine_errmsg(e));
    char *after = eu_fingerprint(e);
    if (!after || strcmp(before, after))
        fail_msg("line %d: a refused call changed the engine", line);
    free(after);
}

rewards_op *build_op(rewards_engine *e, const char *const *s)
{
    rewards_op *op = NULL;
    assert_int_equal(rewards_op_new(e, &op, s[0]), REWARDS_OK);
    for (size_t i = 1; s[i]; i += 2) {
        rewards_status st = eu_set(op, s[i], s[i + 1]);
        if (st != REWARDS_OK)
            fail_msg("setting %s on %s: %s", s[i], s[0], rewards_status_name(st));
    }
    return op;
}

rewards_status apply_spec(rewards_engine *e, const char *const *s)
{
    rewards_op *op = build_op(e, s);
    rewards_status st = rewards_engine_apply(e, op);
    rewards_op_free(op);
    return st;
}
