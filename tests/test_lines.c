/*
 * test_lines.c - SPEC section 13, part I: deal lines, per-line rewards, the
 * margin base, the line condition names and exclusive groups with priority.
 *
 * Every bad input the issue lists is refused with its code, in section 11's
 * order (the first fault of several), and changes nothing (eu_fingerprint).
 * Ledgers worked out by hand pin per-line caps, margins, line-less deals,
 * and the exclusive choice made before eligibility.  A sequence of line
 * operations is run with every allocation failing in turn and every storage
 * put failing in turn (NOMEM / STORAGE, nothing changed, nothing leaked),
 * and through a save and restore (the restored engine amends like the
 * original).
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
#include "ops.h"
#include "engineutil.h"
#include "assertutil.h"
#include "mockstore.h"
#include "testutil.h"

static void expect_msg(rewards_engine *e, const char *part)
{
    const char *m = rewards_engine_errmsg(e);
    if (!strstr(m, part))
        fail_msg("message '%s' does not contain '%s'", m, part);
}

#define REFUSED_MSG(e, want, part, ...)       \
    do {                                      \
        REFUSED(e, want, __VA_ARGS__);        \
        expect_msg(e, part);                  \
    } while (0)

static void base_plan(rewards_engine *e)
{
    OK(e, "program", "id", "p", "name", "P", "currency", "USD");
    OK(e, "level", "id", "std", "program", "p", "name", "Std", "rank:i", "1");
    OK(e, "partner", "id", "acme", "program", "p", "level", "std", "name", "Acme");
    OK(e, "user", "id", "jo", "partner", "acme", "name", "Jo", "portal_access:b", "true");
}

/* ---- bad input: deals --------------------------------------------------- */

static void test_bad_deal_lines(void **state)
{
    (void)state;
    rewards_engine *e;
    assert_int_equal(rewards_engine_new(&e, NULL), REWARDS_OK);
    base_plan(e);
#define DEAL "deal", "at", "2026-01-01", "id", "d1", "partner", "acme", "currency", "USD"
    REFUSED_MSG(e, REWARDS_INVALID_ARGUMENT, "not both", DEAL, "amount", "10.00", "lines.0.id", "a",
                "lines.0.product", "x", "lines.0.amount", "10.00");
    REFUSED_MSG(e, REWARDS_INVALID_ARGUMENT, "missing field 'amount' or 'lines'", DEAL);
    REFUSED_MSG(e, REWARDS_INVALID_ARGUMENT, "non-empty", DEAL, "lines:l", "");
    REFUSED_MSG(e, REWARDS_INVALID_ARGUMENT, "must be a list", DEAL, "lines", "x");
    REFUSED_MSG(e, REWARDS_INVALID_ARGUMENT, "'lines.0' must be an object", DEAL, "lines.0", "x");
    REFUSED_MSG(e, REWARDS_INVALID_ARGUMENT, "given twice", DEAL, "lines.0.id", "a", "lines.0.product", "x",
                "lines.0.amount", "1.00", "lines.1.id", "a", "lines.1.product", "y", "lines.1.amount", "2.00");
    REFUSED_MSG(e, REWARDS_INVALID_ARGUMENT, "lines.0.cost", DEAL, "lines.0.id", "a", "lines.0.product", "x",
                "lines.0.amount", "1.00", "lines.0.cost", "-1.00");
    REFUSED_MSG(e, REWARDS_INVALID_ARGUMENT, "field 'units'", DEAL, "lines.0.id", "a", "lines.0.product", "x",
                "lines.0.amount", "1.00", "units:i", "3");
    REFUSED_MSG(e, REWARDS_INVALID_ARGUMENT, "unknown field 'lines.0.sku'", DEAL, "lines.0.id", "a",
                "lines.0.product", "x", "lines.0.amount", "1.00", "lines.0.sku", "X-1");
    REFUSED_MSG(e, REWARDS_INVALID_ARGUMENT, "missing field 'lines.0.product'", DEAL, "lines.0.id", "a",
                "lines.0.amount", "1.00");
    REFUSED_MSG(e, REWARDS_INVALID_ARGUMENT, "lines.0.id", DEAL, "lines.0.id", "", "lines.0.product", "x",
                "lines.0.amount", "1.00");
    REFUSED_MSG(e, REWARDS_INVALID_ARGUMENT, "lines.0.units", DEAL, "lines.0.id", "a", "lines.0.product", "x",
                "lines.0.amount", "1.00", "lines.0.units:i", "-1");
    REFUSED_MSG(e, REWARDS_INVALID_ARGUMENT, "lines.0.units", DEAL, "lines.0.id", "a", "lines.0.product", "x",
                "lines.0.amount", "1.00", "lines.0.units", "1");
    /* each line alone fits, the sum does not: overflow at 'lines' */
    REFUSED_MSG(e, REWARDS_OVERFLOW, "field 'lines'", DEAL, "lines.0.id", "a", "lines.0.product", "x",
                "lines.0.amount", "50000000000000000.00", "lines.1.id", "b", "lines.1.product", "x",
                "lines.1.amount", "50000000000000000.00");
    /* and so do the costs and the units */
    REFUSED_MSG(e, REWARDS_OVERFLOW, "line costs", DEAL, "lines.0.id", "a", "lines.0.product", "x",
                "lines.0.amount", "1.00", "lines.0.cost", "50000000000000000.00", "lines.1.id", "b",
                "lines.1.product", "x", "lines.1.amount", "1.00", "lines.1.cost", "50000000000000000.00");
    REFUSED_MSG(e, REWARDS_OVERFLOW, "line units", DEAL, "lines.0.id", "a", "lines.0.product", "x",
                "lines.0.amount", "1.00", "lines.0.units:i", "9223372036854775807", "lines.1.id", "b",
                "lines.1.product", "x", "lines.1.amount", "1.00", "lines.1.units:i", "1");
    /* a product of 256 bytes */
    REFUSED_MSG(e, REWARDS_INVALID_ARGUMENT, "lines.0.product", DEAL, "lines.0.id", "a", "lines.0.product",
                "pppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppp"
                "pppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppp"
                "pppppppppppppppppppppppppppppppppppppppppppp", "lines.0.amount", "1.00");
    /* section 11 order: the sums come after every line, so a malformed later line is reported first */
    REFUSED_MSG(e, REWARDS_INVALID_ARGUMENT, "lines.2.amount", DEAL, "lines.0.id", "a", "lines.0.product", "x",
                "lines.0.amount", "50000000000000000.00", "lines.1.id", "b", "lines.1.product", "x",
                "lines.1.amount", "50000000000000000.00", "lines.2.id", "c", "lines.2.product", "x",
                "lines.2.amount", "1.005");
    /* each line fully, in order: line 0's bad amount before line 1's duplicate id */
    REFUSED_MSG(e, REWARDS_INVALID_ARGUMENT, "lines.0.amount", DEAL, "lines.0.id", "a", "lines.0.product", "x",
                "lines.0.amount", "oops", "lines.1.id", "a", "lines.1.product", "y", "lines.1.amount", "2.00");
    /* lines (its turn: after currency) before units, attrs and user */
    REFUSED_MSG(e, REWARDS_INVALID_ARGUMENT, "not both", DEAL, "amount", "1.00", "lines.0.id", "a", "user", "ghost");
    REFUSED_MSG(e, REWARDS_NOT_FOUND, "ghost", DEAL, "lines.0.id", "a", "lines.0.product", "x", "lines.0.amount",
                "1.00", "user", "ghost");
    /* and after the earlier fields */
    REFUSED_MSG(e, REWARDS_NOT_FOUND, "nobody", "deal", "at", "2026-01-01", "id", "d1", "partner", "nobody",
                "currency", "USD", "amount", "1.00", "lines.0.id", "a");

    /* 1000 lines are fine, 1001 are not */
    for (int n = 1000; n <= 1001; n++) {
        rewards_op *op;
        assert_int_equal(rewards_op_new(e, &op, "deal"), REWARDS_OK);
        assert_int_equal(eu_set(op, "at", "2026-01-01"), REWARDS_OK);
        assert_int_equal(eu_set(op, "id", n == 1000 ? "big" : "bigger"), REWARDS_OK);
        assert_int_equal(eu_set(op, "partner", "acme"), REWARDS_OK);
        assert_int_equal(eu_set(op, "currency", "USD"), REWARDS_OK);
        for (int i = 0; i < n; i++) {
            char path[64], id[16];
            snprintf(id, sizeof id, "l%d", i);
            snprintf(path, sizeof path, "lines.%d.id", i);
            assert_int_equal(eu_set(op, path, id), REWARDS_OK);
            snprintf(path, sizeof path, "lines.%d.product", i);
            assert_int_equal(eu_set(op, path, "p"), REWARDS_OK);
            snprintf(path, sizeof path, "lines.%d.amount", i);
            assert_int_equal(eu_set(op, path, "1.00"), REWARDS_OK);
        }
        char *before = eu_fingerprint(e);
        rewards_status st = rewards_engine_apply(e, op);
        if (n == 1000) {
            assert_ok(e, st);
            rw_deal *d = rw_index_get(&e->deals, "big");
            assert_non_null(d);
            assert_int_equal(d->nlines, 1000);
            assert_int_equal(d->amount, 100000);
        } else {
            check_refused(e, REWARDS_INVALID_ARGUMENT, st, before, __LINE__);
            expect_msg(e, "more than 1000");
        }
        free(before);
        rewards_op_free(op);
    }
    rewards_engine_free(e);
}

/* ---- bad input: rewards ------------------------------------------------- */

static void test_bad_reward_fields(void **state)
{
    (void)state;
    rewards_engine *e;
    assert_int_equal(rewards_engine_new(&e, NULL), REWARDS_OK);
    base_plan(e);
#define RW(id, trig) "reward", "id", id, "level", "std", "name", "R", "trigger", trig, "recipient", "partner", \
                     "kind", "percent", "rate", "5%"
    REFUSED_MSG(e, REWARDS_INVALID_ARGUMENT, "field 'per'", RW("r", "deal_renewed"), "per", "line");
    REFUSED_MSG(e, REWARDS_INVALID_ARGUMENT, "field 'per'", RW("r", "deal_paid"), "per", "line");
    REFUSED_MSG(e, REWARDS_INVALID_ARGUMENT, "field 'per'", RW("r", "deal_won"), "per", "product");
    REFUSED_MSG(e, REWARDS_INVALID_ARGUMENT, "field 'base'", RW("r", "deal_paid"), "base", "margin");
    REFUSED_MSG(e, REWARDS_INVALID_ARGUMENT, "field 'base'", RW("r", "deal_won"), "base", "profit");
    REFUSED_MSG(e, REWARDS_INVALID_ARGUMENT, "field 'priority'", RW("r", "deal_won"), "priority", "1");
    REFUSED_MSG(e, REWARDS_INVALID_ARGUMENT, "field 'exclusive'", RW("r", "deal_won"), "exclusive", "");
    /* per before base before exclusive before priority before rep_policy */
    REFUSED_MSG(e, REWARDS_INVALID_ARGUMENT, "field 'per'", RW("r", "deal_renewed"), "per", "line", "base", "margin",
                "rep_policy", "nope");
    REFUSED_MSG(e, REWARDS_INVALID_ARGUMENT, "field 'base'", RW("r", "deal_renewed"), "base", "margin", "priority",
                "x");
    REFUSED_MSG(e, REWARDS_PARSE_ERROR, "line.sku", RW("r", "deal_won"), "per", "line", "when", "line.sku == \"X\"");
    /* a group's members agree on trigger and per with its first */
    OK(e, RW("g1", "deal_won"), "per", "line", "exclusive", "g");
    REFUSED_MSG(e, REWARDS_INVALID_ARGUMENT, "field 'exclusive'", RW("g2", "deal_won"), "exclusive", "g");
    REFUSED_MSG(e, REWARDS_INVALID_ARGUMENT, "field 'exclusive'", RW("g2", "deal_approved"), "per", "line",
                "exclusive", "g");
    OK(e, RW("g2", "deal_won"), "per", "line", "exclusive", "g", "priority:i", "-3");
    /* priority alone is accepted; group names are per program */
    OK(e, RW("solo", "deal_won"), "priority:i", "7");
    OK(e, "program", "id", "q", "name", "Q", "currency", "USD");
    OK(e, "reward", "id", "q1", "program", "q", "name", "Q1", "trigger", "deal_paid", "recipient", "partner", "kind",
       "fixed", "amount", "1.00", "exclusive", "g");
    /* base on a kind that does not value the deal: accepted, no effect */
    OK(e, "reward", "id", "fx", "level", "std", "name", "F", "trigger", "deal_won", "recipient", "partner", "kind",
       "fixed", "amount", "1.00", "base", "margin");
    rewards_engine_free(e);
}

/* ---- bad input: amendments ---------------------------------------------- */

static void two_line_deal(rewards_engine *e, const char *id, const char *at)
{
    OK(e, "deal", "at", at, "id", id, "partner", "acme", "currency", "USD", "lines.0.id", "a",
       "lines.0.product", "sw", "lines.0.amount", "100.00", "lines.0.cost", "10.00", "lines.0.units:i", "2",
       "lines.0.attrs.color", "red", "lines.1.id", "b", "lines.1.product", "hw", "lines.1.amount", "50.00");
}

static void test_bad_amendments(void **state)
{
    (void)state;
    rewards_engine *e;
    assert_int_equal(rewards_engine_new(&e, NULL), REWARDS_OK);
    base_plan(e);
    two_line_deal(e, "d1", "2026-01-02");
    OK(e, "deal", "at", "2026-01-02", "id", "plain", "partner", "acme", "currency", "USD", "amount", "10.00");
#define AMEND(deal) "amend", "at", "2026-01-03", "deal", deal
#define LINE_A "lines.0.id", "a", "lines.0.amount", "100.00"
#define LINE_B "lines.1.id", "b", "lines.1.amount", "50.00"
    REFUSED_MSG(e, REWARDS_INVALID_ARGUMENT, "cannot add", AMEND("d1"), LINE_A, LINE_B, "lines.2.id", "c",
                "lines.2.amount", "1.00");
    REFUSED_MSG(e, REWARDS_INVALID_ARGUMENT, "every line", AMEND("d1"), LINE_A);
    REFUSED_MSG(e, REWARDS_INVALID_ARGUMENT, "cannot add", AMEND("d1"), LINE_A, "lines.1.id", "z", "lines.1.amount",
                "1.00");
    REFUSED_MSG(e, REWARDS_INVALID_ARGUMENT, "given twice", AMEND("d1"), LINE_A, "lines.1.id", "a", "lines.1.amount",
                "1.00");
    REFUSED_MSG(e, REWARDS_INVALID_ARGUMENT, "has no lines", AMEND("plain"), LINE_A);
    REFUSED_MSG(e, REWARDS_INVALID_ARGUMENT, "has lines", AMEND("d1"), "amount", "1.00");
    REFUSED_MSG(e, REWARDS_INVALID_ARGUMENT, "not both", AMEND("d1"), "amount", "1.00", LINE_A, LINE_B);
    REFUSED_MSG(e, REWARDS_INVALID_ARGUMENT, "missing field", AMEND("d1"));
    REFUSED_MSG(e, REWARDS_INVALID_ARGUMENT, "never changes", AMEND("d1"), LINE_A, "lines.0.product", "hw", LINE_B);
    REFUSED_MSG(e, REWARDS_INVALID_ARGUMENT, "never change", AMEND("d1"), LINE_A, "lines.0.attrs.color", "blue",
                LINE_B);
    REFUSED_MSG(e, REWARDS_INVALID_ARGUMENT, "lines.1.cost", AMEND("d1"), LINE_A, LINE_B, "lines.1.cost", "-2.00");
    /* attributes compared whole: one more, another name, another type, some where there were none */
    REFUSED_MSG(e, REWARDS_INVALID_ARGUMENT, "never change", AMEND("d1"), LINE_A, "lines.0.attrs.color", "red",
                "lines.0.attrs.size", "L", LINE_B);
    REFUSED_MSG(e, REWARDS_INVALID_ARGUMENT, "never change", AMEND("d1"), LINE_A, "lines.0.attrs.shade", "red",
                LINE_B);
    REFUSED_MSG(e, REWARDS_INVALID_ARGUMENT, "never change", AMEND("d1"), LINE_A, "lines.0.attrs.color:i", "1",
                LINE_B);
    REFUSED_MSG(e, REWARDS_INVALID_ARGUMENT, "never change", AMEND("d1"), LINE_A, LINE_B, "lines.1.attrs.x", "y");
    /* the restated sums overflow: at 'lines' */
    REFUSED_MSG(e, REWARDS_OVERFLOW, "line amounts", AMEND("d1"), "lines.0.id", "a", "lines.0.amount",
                "50000000000000000.00", "lines.1.id", "b", "lines.1.amount", "50000000000000000.00");
    REFUSED_MSG(e, REWARDS_OVERFLOW, "line costs", AMEND("d1"), LINE_A, "lines.0.cost", "50000000000000000.00", LINE_B,
                "lines.1.cost", "50000000000000000.00");
    REFUSED_MSG(e, REWARDS_OVERFLOW, "line units", AMEND("d1"), LINE_A, "lines.0.units:i", "9223372036854775807", LINE_B,
                "lines.1.units:i", "1");
    REFUSED_MSG(e, REWARDS_INVALID_ARGUMENT, "unknown field 'lines.1.price'", AMEND("d1"), LINE_A, LINE_B,
                "lines.1.price", "1");
    /* repeating product and attrs unchanged is fine; omitted cost and units become 0 */
    OK(e, AMEND("d1"), LINE_A, "lines.0.product", "sw", "lines.0.attrs.color", "red", LINE_B);
    rw_deal *d = rw_index_get(&e->deals, "d1");
    assert_int_equal(d->lines[0].cost, 0);
    assert_int_equal(d->lines[0].units, 0);
    assert_int_equal(d->cost, 0);
    assert_int_equal(d->units, 0);
    assert_int_equal(d->amount, 15000);
    /* any order of the lines */
    OK(e, AMEND("d1"), "lines.0.id", "b", "lines.0.amount", "70.00", "lines.1.id", "a", "lines.1.amount", "30.00",
       "lines.1.cost", "5.00", "lines.1.units:i", "4");
    assert_int_equal(d->lines[0].amount, 3000);
    assert_int_equal(d->lines[1].amount, 7000);
    assert_int_equal(d->cost, 500);
    assert_int_equal(d->units, 4);
    assert_int_equal(d->amount, 10000);
    /* a lost deal: fields first (invalid_argument), then the transition */
    two_line_deal(e, "d2", "2026-01-04");
    OK(e, "stage", "at", "2026-01-04", "deal", "d2", "stage", "lost");
    REFUSED(e, REWARDS_INVALID_ARGUMENT, "amend", "at", "2026-01-05", "deal", "d2", LINE_A);
    REFUSED_MSG(e, REWARDS_INVALID_TRANSITION, "cannot be amended", "amend", "at", "2026-01-05", "deal", "d2", LINE_A,
                LINE_B);
    rewards_engine_free(e);
}

/* ---- outcomes ----------------------------------------------------------- */

/*
 * pl: 10% per line, cap_per_deal 150.00 shared by a trigger's lines in line
 * order; m: 10% of the deal's margin (never below 0); ms: 50.00 at 3
 * "deals" a quarter, counted 1 per line; neg: 5.00 when deal.margin (signed)
 * is negative; red: 1.00 per line with line.attr.color == "red"; lineless:
 * 2.00 per deal when has(line.id), which a per-deal reward never sees.
 */
static void test_per_line_caps_and_margin(void **state)
{
    (void)state;
    rewards_engine *e;
    assert_int_equal(rewards_engine_new(&e, NULL), REWARDS_OK);
    base_plan(e);
#define WON(id) "reward", "id", id, "level", "std", "name", id, "trigger", "deal_won", "recipient", "partner"
    OK(e, WON("pl"), "kind", "percent", "per", "line", "rate", "10%", "cap_per_deal", "150.00");
    OK(e, WON("m"), "kind", "percent", "base", "margin", "rate", "10%");
    OK(e, WON("ms"), "kind", "milestone", "per", "line", "period", "quarter", "metric", "deals", "thresholds.0.at",
       "3", "thresholds.0.bonus", "50.00");
    OK(e, WON("neg"), "kind", "fixed", "amount", "5.00", "when", "deal.margin < 0 && deal.cost > 0");
    OK(e, WON("red"), "kind", "fixed", "per", "line", "amount", "1.00",
       "when", "line.attr.color == \"red\" && line.margin < 0 && line.cost == 1200 && line.units == 1");
    OK(e, WON("lineless"), "kind", "fixed", "amount", "2.00", "when", "has(line.id) || line.amount > 0");
    OK(e, "deal", "at", "2026-01-02", "id", "d1", "partner", "acme", "currency", "USD", "lines.0.id", "a",
       "lines.0.product", "sw", "lines.0.amount", "1000.00", "lines.0.cost", "1200.00", "lines.0.units:i", "1",
       "lines.0.attrs.color", "red", "lines.1.id", "b", "lines.1.product", "hw", "lines.1.amount", "1000.00");
    OK(e, "stage", "at", "2026-01-03", "deal", "d1", "stage", "won");
    OK(e, "deal", "at", "2026-01-04", "id", "d2", "partner", "acme", "currency", "USD", "amount", "300.00");
    OK(e, "stage", "at", "2026-01-05", "deal", "d2", "stage", "won");
    /* line a 1000 -> 500: its 10% falls to 50, which frees room for line b (50 -> 100); margin 800 -> 300 */
    OK(e, "amend", "at", "2026-01-06", "deal", "d1", "lines.0.id", "a", "lines.0.amount", "500.00", "lines.0.cost",
       "1200.00", "lines.0.units:i", "1", "lines.1.id", "b", "lines.1.amount", "1000.00");
    OK(e, "deal", "at", "2026-01-07", "id", "d3", "partner", "acme", "currency", "USD", "lines.0.id", "x",
       "lines.0.product", "sw", "lines.0.amount", "100.00", "lines.0.cost", "300.00");
    OK(e, "stage", "at", "2026-01-08", "deal", "d3", "stage", "won");
    assert_ledger(e, LEDGER_HEADER
                  "1,earned,pl,d1,acme,partner,acme,100.00,USD,pending,,,2026-01-03T00:00:00Z,\n"
                  "2,earned,pl,d1,acme,partner,acme,50.00,USD,pending,,,2026-01-03T00:00:00Z,\n"
                  "3,earned,m,d1,acme,partner,acme,80.00,USD,pending,,,2026-01-03T00:00:00Z,\n"
                  "4,earned,red,d1,acme,partner,acme,1.00,USD,pending,,,2026-01-03T00:00:00Z,\n"
                  "5,earned,pl,d2,acme,partner,acme,30.00,USD,pending,,,2026-01-05T00:00:00Z,\n"
                  "6,earned,m,d2,acme,partner,acme,30.00,USD,pending,,,2026-01-05T00:00:00Z,\n"
                  "7,earned,ms,d2,acme,partner,acme,50.00,USD,pending,,FY2026-Q1,2026-01-05T00:00:00Z,\n"
                  "8,adjustment,pl,d1,acme,partner,acme,-50.00,USD,pending,,,2026-01-06T00:00:00Z,\n"
                  "9,adjustment,pl,d1,acme,partner,acme,50.00,USD,pending,,,2026-01-06T00:00:00Z,\n"
                  "10,adjustment,m,d1,acme,partner,acme,-50.00,USD,pending,,,2026-01-06T00:00:00Z,\n"
                  "11,earned,pl,d3,acme,partner,acme,10.00,USD,pending,,,2026-01-08T00:00:00Z,\n"
                  "12,earned,neg,d3,acme,partner,acme,5.00,USD,pending,,,2026-01-08T00:00:00Z,\n");
    /* the line of each entry */
    const char *lines[] = { "a", "b", NULL, "a", "", NULL, "", "a", "b", NULL, "x", NULL };
    for (size_t i = 0; i < 12; i++) {
        const rewards_entry *en = rewards_engine_entry(e, i);
        const char *l = rewards_entry_line(en);
        if (!lines[i] ? l != NULL : !l || strcmp(l, lines[i]))
            fail_msg("entry %zu: line '%s', expected '%s'", i + 1, l ? l : "(none)", lines[i] ? lines[i] : "(none)");
    }
    assert_null(rewards_entry_line(NULL));
    rewards_engine_free(e);
}

/*
 * Exclusive group "g" per deal: low (priority 0, created first), rep
 * (priority 5, sales_rep, rep_policy skip, deal.amount > 1000) and high
 * (priority 5, created after rep).  solo has a priority and no group.
 */
static void test_exclusive_choice(void **state)
{
    (void)state;
    rewards_engine *e;
    assert_int_equal(rewards_engine_new(&e, NULL), REWARDS_OK);
    base_plan(e);
    OK(e, WON("low"), "kind", "fixed", "amount", "1.00", "exclusive", "g");
    OK(e, "reward", "id", "rep", "level", "std", "name", "rep", "trigger", "deal_won", "recipient", "sales_rep",
       "kind", "fixed", "exclusive", "g", "priority:i", "5", "rep_policy", "skip", "amount", "2.00",
       "when", "deal.amount > 1000");
    OK(e, WON("high"), "kind", "fixed", "amount", "3.00", "exclusive", "g", "priority:i", "5");
    OK(e, WON("solo"), "kind", "fixed", "amount", "4.00", "priority:i", "-100");
    /* d1 has no user: rep wins the group and skips; neither high nor low fires */
    OK(e, "deal", "at", "2026-01-02", "id", "d1", "partner", "acme", "currency", "USD", "amount", "5000.00");
    OK(e, "stage", "at", "2026-01-03", "deal", "d1", "stage", "won");
    /* d2: rep's condition fails; high and low remain, high (priority 5) wins */
    OK(e, "deal", "at", "2026-01-04", "id", "d2", "partner", "acme", "currency", "USD", "amount", "500.00");
    OK(e, "stage", "at", "2026-01-05", "deal", "d2", "stage", "won");
    /* d3 with a rep: rep wins and pays the rep */
    OK(e, "deal", "at", "2026-01-06", "id", "d3", "partner", "acme", "currency", "USD", "amount", "5000.00", "user",
       "jo");
    OK(e, "stage", "at", "2026-01-07", "deal", "d3", "stage", "won");
    assert_ledger(e, LEDGER_HEADER
                  "1,earned,solo,d1,acme,partner,acme,4.00,USD,pending,,,2026-01-03T00:00:00Z,\n"
                  "2,earned,high,d2,acme,partner,acme,3.00,USD,pending,,,2026-01-05T00:00:00Z,\n"
                  "3,earned,solo,d2,acme,partner,acme,4.00,USD,pending,,,2026-01-05T00:00:00Z,\n"
                  "4,earned,rep,d3,acme,sales_rep,jo,2.00,USD,pending,,,2026-01-07T00:00:00Z,\n"
                  "5,earned,solo,d3,acme,partner,acme,4.00,USD,pending,,,2026-01-07T00:00:00Z,\n");
    rewards_engine_free(e);
}

/* Event ids: a replayed deal with lines (its decimals written differently) is a no-op; other lines conflict. */
static void test_event_id_with_lines(void **state)
{
    (void)state;
    rewards_engine *e;
    assert_int_equal(rewards_engine_new(&e, NULL), REWARDS_OK);
    base_plan(e);
    OK(e, "deal", "at", "2026-01-02", "id", "d1", "partner", "acme", "currency", "USD", "event", "ev1", "lines.0.id",
       "a", "lines.0.product", "x", "lines.0.amount", "10.00", "lines.0.cost", "2.50", "lines.0.attrs.n:i", "3");
    OK(e, "deal", "at", "2026-01-02", "id", "d1", "partner", "acme", "currency", "USD", "event", "ev1", "lines.0.id",
       "a", "lines.0.product", "x", "lines.0.cost", "2.5", "lines.0.amount", "10.0", "lines.0.attrs.n:i", "3");
    REFUSED(e, REWARDS_CONFLICT, "deal", "at", "2026-01-02", "id", "d1", "partner", "acme", "currency", "USD", "event",
            "ev1", "lines.0.id", "a", "lines.0.product", "x", "lines.0.amount", "10.00", "lines.0.cost", "2.60",
            "lines.0.attrs.n:i", "3");
    rewards_engine_free(e);
}

/* The choice itself, as other triggers (activities) use it: ties go to the first candidate. */
static void test_exclusive_choose_function(void **state)
{
    (void)state;
    rw_program p1, p2;
    rw_reward r[5];
    memset(r, 0, sizeof r);
    char g[] = "g", h[] = "h";
    r[0].program = &p1; r[0].exclusive = g; r[0].priority = 1;
    r[1].program = &p1; r[1].exclusive = g; r[1].priority = 1;
    r[2].program = &p1; r[2].exclusive = h; r[2].priority = -5;
    r[3].program = &p1; r[3].priority = 99;
    r[4].program = &p2; r[4].exclusive = g; r[4].priority = 0;
    rw_reward *cand[] = { &r[0], &r[1], &r[2], &r[3], &r[4] };
    unsigned char fire[5];
    rw_exclusive_choose(cand, 5, fire);
    assert_int_equal(fire[0], 1);
    assert_int_equal(fire[1], 0);
    assert_int_equal(fire[2], 1);
    assert_int_equal(fire[3], 1);
    assert_int_equal(fire[4], 1);
    r[1].priority = 2;
    rw_exclusive_choose(cand, 5, fire);
    assert_int_equal(fire[0], 0);
    assert_int_equal(fire[1], 1);
    rw_exclusive_choose(cand, 0, fire);
}

/* ---- failures and restore ----------------------------------------------- */

#define MAXF 64
typedef const char *spec[MAXF];

static const spec sequence[] = {
    { "program", "id", "p", "name", "P", "currency", "USD" },
    { "level", "id", "std", "program", "p", "name", "Std", "rank:i", "1" },
    { "reward", "id", "gen", "level", "std", "name", "General", "trigger", "deal_won", "recipient", "partner", "kind",
      "percent", "per", "line", "exclusive", "rate", "rate", "5%", "cap_per_deal", "500.00" },
    { "reward", "id", "sw", "level", "std", "name", "Software", "trigger", "deal_won", "recipient", "partner", "kind",
      "percent", "per", "line", "exclusive", "rate", "priority:i", "10", "rate", "12%",
      "when", "line.product == \"software\" && line.attr.tier == 2" },
    { "reward", "id", "hw", "level", "std", "name", "Hardware", "trigger", "deal_won", "recipient", "partner", "kind",
      "tiered", "per", "line", "exclusive", "rate", "priority:i", "10", "period", "quarter", "tiers.0.from", "0",
      "tiers.0.rate", "2%", "tiers.1.from", "10000.00", "tiers.1.rate", "4%", "when", "line.product == \"hardware\"" },
    { "reward", "id", "mg", "level", "std", "name", "Margin", "trigger", "deal_won", "recipient", "sales_rep", "kind",
      "percent", "base", "margin", "rate", "10%", "clawback_days:i", "90" },
    { "reward", "id", "seats", "level", "std", "name", "Seats", "trigger", "deal_won", "recipient", "partner", "kind",
      "milestone", "per", "line", "period", "quarter", "metric", "units", "thresholds.0.at", "50",
      "thresholds.0.bonus", "250.00", "when", "line.product == \"software\"" },
    { "partner", "id", "n", "program", "p", "level", "std", "name", "N" },
    { "user", "id", "maria", "partner", "n", "name", "Maria", "portal_access:b", "true" },
    { "deal", "at", "2026-01-10", "id", "n1", "partner", "n", "currency", "USD", "user", "maria",
      "lines.0.id", "sw", "lines.0.product", "software", "lines.0.amount", "8000.00", "lines.0.cost", "2000.00",
      "lines.0.units:i", "30", "lines.0.attrs.tier:i", "2",
      "lines.1.id", "hw", "lines.1.product", "hardware", "lines.1.amount", "6000.00", "lines.1.cost", "5100.00",
      "lines.1.units:i", "3",
      "lines.2.id", "svc", "lines.2.product", "services", "lines.2.amount", "2000.00", "lines.2.cost", "1500.00" },
    { "stage", "at", "2026-01-20", "deal", "n1", "stage", "won" },
    { "deal", "at", "2026-02-03", "id", "n2", "partner", "n", "currency", "USD", "user", "maria",
      "lines.0.id", "h1", "lines.0.product", "hardware", "lines.0.amount", "7000.00", "lines.0.cost", "6000.00",
      "lines.0.units:i", "4",
      "lines.1.id", "s1", "lines.1.product", "software", "lines.1.amount", "5000.00", "lines.1.cost", "1000.00",
      "lines.1.units:i", "25" },
    { "stage", "at", "2026-02-15", "deal", "n2", "stage", "won" },
    { "amend", "at", "2026-03-01", "deal", "n1", "lines.0.id", "hw", "lines.0.amount", "9000.00", "lines.0.cost",
      "5100.00", "lines.0.units:i", "3", "lines.1.id", "sw", "lines.1.amount", "7000.00", "lines.1.cost", "2000.00",
      "lines.1.units:i", "20", "lines.2.id", "svc", "lines.2.amount", "2000.00", "lines.2.cost", "1500.00",
      "lines.2.attrs:o", "" },
    { "deal", "at", "2026-03-02", "id", "n3", "partner", "n", "currency", "USD", "amount", "100.00" },
    { "stage", "at", "2026-03-03", "deal", "n3", "stage", "won" },
    { "stage", "at", "2026-03-04", "deal", "n2", "stage", "cancelled" },
};
#define NSEQ (sizeof sequence / sizeof sequence[0])


static rewards_engine *engine_with(counted *c, mock *m)
{
    rewards_storage s = { REWARDS_STORAGE_VERSION, mock_begin, mock_put, NULL, mock_commit, mock_rollback, m };
    rewards_options o = REWARDS_OPTIONS_INIT;
    if (c)
        o.allocator = &c->ra;
    if (m)
        o.storage = &s;
    rewards_engine *e;
    assert_int_equal(rewards_engine_new(&e, &o), REWARDS_OK);
    return e;
}

static void test_sequence_ledger(void **state)
{
    (void)state;
    rewards_engine *e = engine_with(NULL, NULL);
    for (size_t i = 0; i < NSEQ; i++)
        assert_ok(e, apply_spec(e, sequence[i]));
    /* as the worked scenario up to its amendment (software needs tier 2 here), then n3
     * (a line-less deal with no rep: the general rate; margin = amount, held) and n2 cancelled inside
     * mg's 90 days: only mg claws back (the others have no clawback_days) */
    assert_ledger(e, LEDGER_HEADER
                  "1,earned,gen,n1,n,partner,n,100.00,USD,pending,,,2026-01-20T00:00:00Z,\n"
                  "2,earned,sw,n1,n,partner,n,960.00,USD,pending,,,2026-01-20T00:00:00Z,\n"
                  "3,earned,hw,n1,n,partner,n,120.00,USD,pending,,FY2026-Q1,2026-01-20T00:00:00Z,\n"
                  "4,earned,mg,n1,n,sales_rep,maria,740.00,USD,pending,,,2026-01-20T00:00:00Z,\n"
                  "5,earned,gen,n2,n,partner,n,250.00,USD,pending,,,2026-02-15T00:00:00Z,\n"
                  "6,earned,hw,n2,n,partner,n,200.00,USD,pending,,FY2026-Q1,2026-02-15T00:00:00Z,\n"
                  "7,earned,mg,n2,n,sales_rep,maria,500.00,USD,pending,,,2026-02-15T00:00:00Z,\n"
                  "8,earned,seats,n2,n,partner,n,250.00,USD,pending,,FY2026-Q1,2026-02-15T00:00:00Z,\n"
                  "9,adjustment,sw,n1,n,partner,n,-120.00,USD,pending,,,2026-03-01T00:00:00Z,\n"
                  "10,adjustment,hw,n1,n,partner,n,60.00,USD,pending,,FY2026-Q1,2026-03-01T00:00:00Z,\n"
                  "11,adjustment,mg,n1,n,sales_rep,maria,200.00,USD,pending,,,2026-03-01T00:00:00Z,\n"
                  "12,adjustment,hw,n2,n,partner,n,60.00,USD,pending,,FY2026-Q1,2026-03-01T00:00:00Z,\n"
                  "13,adjustment,seats,n2,n,partner,n,-250.00,USD,pending,,FY2026-Q1,2026-03-01T00:00:00Z,\n"
                  "14,earned,gen,n3,n,partner,n,5.00,USD,pending,,,2026-03-03T00:00:00Z,\n"
                  "15,earned,mg,n3,n,sales_rep,,10.00,USD,held,no_assigned_rep,,2026-03-03T00:00:00Z,\n"
                  "16,reversal,mg,n2,n,sales_rep,maria,-500.00,USD,pending,,,2026-03-04T00:00:00Z,\n");
    rewards_engine_free(e);
}

static void test_alloc_failure_every_allocation(void **state)
{
    (void)state;
    counted c;
    counted_init(&c);
    rewards_engine *e = engine_with(&c, NULL);
    long failures = 0;
    for (size_t i = 0; i < NSEQ; i++) {
        rewards_op *op = build_op(e, sequence[i]);
        char *before = eu_fingerprint(e);
        long live_before = c.st.live - scratch_blocks(e);
        rewards_status st = REWARDS_NOMEM;
        for (long n = 1; n < 100000; n++) {
            c.st.fail_at = c.st.count + n;
            st = rewards_engine_apply(e, op);
            c.st.fail_at = 0;
            if (st == REWARDS_OK)
                break;
            if (st != REWARDS_NOMEM)
                fail_msg("op %zu, allocation %ld failing: %s (%s)", i, n, rewards_status_name(st), rewards_engine_errmsg(e));
            failures++;
            char *after = eu_fingerprint(e);
            if (strcmp(before, after))
                fail_msg("op %zu, allocation %ld failing changed the engine", i, n);
            free(after);
            if (c.st.live - scratch_blocks(e) != live_before)
                fail_msg("op %zu, allocation %ld failing leaked", i, n);
        }
        assert_int_equal(st, REWARDS_OK);
        free(before);
        rewards_op_free(op);
    }
    print_message("%ld allocation failures\n", failures);
    assert_true(failures > 60); /* records and small lists come from slabs: few allocations per operation */
    rewards_engine_free(e);
    assert_int_equal(c.st.live, 0);
}

/* Every allocation of op failing in turn: NOMEM, nothing changed, nothing leaked; then it applies. */
static long fail_every_allocation(counted *c, rewards_engine *e, rewards_op *op)
{
    char *before = eu_fingerprint(e);
    long live_before = c->st.live - scratch_blocks(e), failures = 0;
    rewards_status st = REWARDS_NOMEM;
    for (long n = 1; n < 1000000 && st != REWARDS_OK; n++) {
        c->st.fail_at = c->st.count + n;
        st = rewards_engine_apply(e, op);
        c->st.fail_at = 0;
        if (st == REWARDS_OK)
            break;
        assert_int_equal(st, REWARDS_NOMEM);
        failures++;
        char *after = eu_fingerprint(e);
        if (strcmp(before, after))
            fail_msg("allocation %ld failing changed the engine", n);
        free(after);
        if (c->st.live - scratch_blocks(e) != live_before)
            fail_msg("allocation %ld failing leaked", n);
    }
    assert_ok(e, st);
    free(before);
    return failures;
}

/* A deal of 200 lines and a plan of 40 rewards: firing and amending take their large-plan paths. */
static void test_alloc_failure_large_deal(void **state)
{
    (void)state;
    counted c;
    counted_init(&c);
    rewards_engine *e = engine_with(&c, NULL);
    base_plan(e);
    for (int i = 0; i < 40; i++) {
        char id[16];
        snprintf(id, sizeof id, "r%d", i);
        OK(e, WON(id), "kind", "percent", "rate", "1%", "per", i % 2 ? "line" : "deal", "exclusive", (const char *[]){ "da", "la", "db", "lb" }[i % 4],
           "priority:i", i % 3 ? "1" : "2", "cap_per_deal", "5.00");
    }
    rewards_op *ops[3];
    const char *kinds[] = { "deal", "stage", "amend" };
    for (int k = 0; k < 3; k++) {
        assert_int_equal(rewards_op_new(e, &ops[k], kinds[k]), REWARDS_OK);
        assert_int_equal(eu_set(ops[k], "at", "2026-02-01"), REWARDS_OK);
        assert_int_equal(eu_set(ops[k], k ? "deal" : "id", "big"), REWARDS_OK);
    }
    assert_int_equal(eu_set(ops[0], "partner", "acme"), REWARDS_OK);
    assert_int_equal(eu_set(ops[0], "currency", "USD"), REWARDS_OK);
    assert_int_equal(eu_set(ops[1], "stage", "won"), REWARDS_OK);
    for (int i = 0; i < 200; i++) {
        char path[64], id[16];
        snprintf(id, sizeof id, "l%d", i);
        for (int k = 0; k < 3; k += 2) {
            snprintf(path, sizeof path, "lines.%d.id", i);
            assert_int_equal(eu_set(ops[k], path, id), REWARDS_OK);
            snprintf(path, sizeof path, "lines.%d.amount", i);
            assert_int_equal(eu_set(ops[k], path, k && i == 2 ? "1.00" : "100.00"), REWARDS_OK);
        }
        snprintf(path, sizeof path, "lines.%d.product", i);
        assert_int_equal(eu_set(ops[0], path, "p"), REWARDS_OK);
    }
    long failures = 0;
    for (int k = 0; k < 3; k++) {
        failures += fail_every_allocation(&c, e, ops[k]);
        rewards_op_free(ops[k]);
    }
    assert_true(failures > 10);
    /* four groups, each with one winner: two per-deal entries, and two per line (capped at 5.00 a trigger:
     * five lines of 1.00 each), then the amendment of line 2 (to 1.00: 0.01) frees 0.99 for line 5 */
    assert_int_equal(rewards_engine_entry_count(e), 2 + 2 * 5 + 2 * 2);
    rewards_engine_free(e);
    assert_int_equal(c.st.live, 0);
}

static void test_storage_failure_every_put(void **state)
{
    (void)state;
    mock m;
    memset(&m, 0, sizeof m);
    rewards_engine *e = engine_with(NULL, &m);
    long failures = 0;
    for (size_t i = 0; i < NSEQ; i++) {
        rewards_op *op = build_op(e, sequence[i]);
        char *before = eu_fingerprint(e);
        rewards_status st;
        for (int n = 1;; n++) {
            m.fail_put = n;
            st = rewards_engine_apply(e, op);
            m.fail_put = 0;
            if (st == REWARDS_OK)
                break;
            assert_int_equal(st, REWARDS_STORAGE);
            failures++;
            char *after = eu_fingerprint(e);
            if (strcmp(before, after))
                fail_msg("op %zu, put %d failing changed the engine", i, n);
            free(after);
        }
        free(before);
        rewards_op_free(op);
    }
    assert_true(failures > 20);
    /* what storage holds restores to the same engine, which then amends the same way */
    rewards_engine *b = engine_with(NULL, NULL);
    for (size_t i = 0; i < m.committed.n; i++)
        assert_ok(b, rewards_engine_restore(b, (rewards_record_kind)m.committed.v[i].kind, m.committed.v[i].data,
                                            m.committed.v[i].size));
    assert_ok(b, rewards_engine_restore_finish(b));
    char *x = eu_fingerprint(e), *y = eu_fingerprint(b);
    assert_str(y, x);
    free(x);
    free(y);
    rw_deal *d = rw_index_get(&b->deals, "n1");
    assert_int_equal(d->cost, 860000);
    for (rewards_engine *t = e; t; t = t == e ? b : NULL)
        assert_ok(t, eu_op(t, "amend", "at", "2026-03-05", "deal", "n1", "lines.0.id", "hw", "lines.0.amount", "9500.00",
                           "lines.0.cost", "5100.00", "lines.0.units:i", "3", "lines.1.id", "sw", "lines.1.amount",
                           "7000.00", "lines.1.cost", "2000.00", "lines.1.units:i", "20", "lines.2.id", "svc",
                           "lines.2.amount", "2000.00", "lines.2.cost", "1500.00", NULL));
    char *la = eu_ledger(e), *lb = eu_ledger(b);
    assert_str(lb, la);
    free(la);
    free(lb);
    rewards_engine_free(b);
    rewards_engine_free(e);
    mock_free(&m);
}

/* Drop the last k netstring fields of a record ("rw1,<n>:<bytes>,...,-,"); returns the new size. */
static size_t drop_fields(const char *data, size_t size, int k)
{
    size_t ends[512], n = 0, p = 4;
    while (p < size && n < 512) {
        if (data[p] == '-') {
            p += 2;
        } else {
            size_t len = 0;
            while (data[p] != ':')
                len = len * 10 + (size_t)(data[p++] - '0');
            p += len + 2;
        }
        ends[n++] = p;
    }
    assert_true(n > (size_t)k);
    return ends[n - 1 - (size_t)k];
}

/* Records as a 1.0 host stored them (without the fields 1.1 appends) restore with the defaults. */
static void test_restore_10_records(void **state)
{
    (void)state;
    mock m;
    memset(&m, 0, sizeof m);
    /* traces off: its entries' records end with an absent trace, as a 1.0 host's lack one */
    rewards_storage s = { REWARDS_STORAGE_VERSION, mock_begin, mock_put, NULL, mock_commit, mock_rollback, &m };
    rewards_options o = REWARDS_OPTIONS_INIT;
    o.storage = &s;
    o.traces = REWARDS_TRACES_OFF;
    rewards_engine *a;
    assert_int_equal(rewards_engine_new(&a, &o), REWARDS_OK);
    base_plan(a);
    OK(a, WON("pct"), "kind", "percent", "rate", "10%");
    OK(a, WON("tier"), "kind", "tiered", "period", "quarter", "tiers.0.from", "0", "tiers.0.rate", "5%",
       "tiers.1.from", "100.00", "tiers.1.rate", "10%");
    OK(a, "deal", "at", "2026-01-02", "id", "d1", "partner", "acme", "currency", "USD", "amount", "150.00", "units:i",
       "4", "user", "jo");
    OK(a, "stage", "at", "2026-01-03", "deal", "d1", "stage", "won");
    rewards_engine *b = engine_with(NULL, NULL);
    int stripped = 0;
    for (size_t i = 0; i < m.committed.n; i++) {
        const mrec *r = &m.committed.v[i];
        /* 1.1 appends 4 + 2 fields to a reward (lines, then two tiers: an activity type and an
         * empty 'of'), 2 + 3 to a contribution, a line count (0) to a deal, a parent to a partner,
         * and a deal, note and adjustment id to an entry (and 1.2 a trace) */
        int k = r->kind == REWARDS_RECORD_REWARD ? 6 : r->kind == REWARDS_RECORD_CONTRIBUTION ? 5
              : r->kind == REWARDS_RECORD_DEAL || r->kind == REWARDS_RECORD_PARTNER ? 1
              : r->kind == REWARDS_RECORD_ENTRY ? 4 : 0;
        size_t size = k ? drop_fields(r->data, r->size, k) : r->size;
        stripped += k > 0;
        if (r->kind == REWARDS_RECORD_META) {
            /* a 1.0 host's meta record: "rw1," with the sequence number and the clock only
             * (docs/host-guide-integrity.md); the rw2 one describes the unstripped records */
            char meta[128];
            size_t n = drop_fields(r->data, r->size, (int)(4 + rewards_record_kind_count()));
            snprintf(meta, sizeof meta, "rw1,%.*s", (int)(n - 4), r->data + 4);
            assert_ok(b, rewards_engine_restore(b, REWARDS_RECORD_META, meta, strlen(meta)));
            continue;
        }
        assert_ok(b, rewards_engine_restore(b, (rewards_record_kind)r->kind, r->data, size));
    }
    assert_ok(b, rewards_engine_restore_finish(b));
    assert_true(stripped >= 5);
    char *x = eu_fingerprint(a), *y = eu_fingerprint(b);
    /* the same engine but for the meta record's digest, which covers the bytes storage holds */
    for (char *f = x; f; f = f == x ? y : NULL) {
        char *meta = strstr(f, "\n0:");
        char *end = meta ? strchr(meta + 1, '\n') : NULL;
        if (end)
            memmove(meta, end, strlen(end) + 1);
    }
    assert_str(y, x);
    free(x);
    free(y);
    for (rewards_engine *t = a; t; t = t == a ? b : NULL)
        assert_ok(t, eu_op(t, "amend", "at", "2026-01-04", "deal", "d1", "amount", "250.00", NULL));
    char *la = eu_ledger(a), *lb = eu_ledger(b);
    assert_str(lb, la);
    free(la);
    free(lb);
    rewards_engine_free(a);
    rewards_engine_free(b);
    mock_free(&m);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_bad_deal_lines),
        cmocka_unit_test(test_bad_reward_fields),
        cmocka_unit_test(test_bad_amendments),
        cmocka_unit_test(test_per_line_caps_and_margin),
        cmocka_unit_test(test_exclusive_choice),
        cmocka_unit_test(test_exclusive_choose_function),
        cmocka_unit_test(test_event_id_with_lines),
        cmocka_unit_test(test_sequence_ledger),
        cmocka_unit_test(test_alloc_failure_every_allocation),
        cmocka_unit_test(test_alloc_failure_large_deal),
        cmocka_unit_test(test_storage_failure_every_put),
        cmocka_unit_test(test_restore_10_records),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
