/*
 * test_ledger.c - the money side of SPEC.md section 10, asserted on exact
 * ledger and payouts CSV: approval up to a time (held entries never
 * approved), payout runs grouping by recipient and currency in the
 * documented order, groups that net to zero or less carried forward
 * untouched, runs with no line (the id is still taken), the preview (the
 * run's own lines, changing nothing), balances per recipient, points (never
 * paid, redeemed only from the approved balance), the partner's and the
 * deal's entry queries, CSV quoting and formula neutralisation (ids and
 * names only, never vocabulary or amounts), and export write failures.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "rewards.h"
#include "engineutil.h"
#include "assertutil.h"

static rewards_engine *new_engine(void)
{
    rewards_engine *e;
    assert_int_equal(rewards_engine_new(&e, NULL), REWARDS_OK);
    return e;
}

/* A string sink for exports. */
typedef struct sink {
    char buf[65536];
    size_t len;
    int calls;
    int fail_at; /* 1-based call that fails; 0 never */
} sink;

static int sink_write(void *u, const char *data, size_t size)
{
    sink *s = u;
    s->calls++;
    if (s->calls == s->fail_at)
        return 1;
    assert_true(s->len + size < sizeof s->buf);
    memcpy(s->buf + s->len, data, size);
    s->len += size;
    s->buf[s->len] = '\0';
    return 0;
}

static char *preview(rewards_engine *e, const char *id, const char *until)
{
    int64_t t;
    assert_int_equal(rewards_time_parse(until, &t), REWARDS_OK);
    static sink s;
    memset(&s, 0, sizeof s);
    rewards_status st = rewards_engine_preview_payout(e, id, t, sink_write, &s);
    if (st)
        fail_msg("preview: %s", rewards_status_name(st));
    return s.buf;
}

/* ---- approvals ------------------------------------------------------------- */

/* Approval by entry number: all or nothing, faults in list order. */
static void test_approve_entries(void **state)
{
    (void)state;
    rewards_engine *e = new_engine();
    OK(e, "program", "id", "p", "name", "P", "currency", "USD");
    OK(e, "level", "id", "l", "program", "p", "name", "L", "rank:i", "1");
    OK(e, "reward", "id", "pct", "level", "l", "name", "10%", "trigger", "deal_won", "recipient", "partner", "kind",
       "percent", "rate", "10%");
    OK(e, "reward", "id", "rep", "level", "l", "name", "Rep", "trigger", "deal_won", "recipient", "sales_rep", "kind",
       "fixed", "amount", "1.00");
    OK(e, "partner", "id", "acme", "program", "p", "level", "l", "name", "Acme");
    OK(e, "deal", "at", "2026-01-01", "id", "a", "partner", "acme", "currency", "USD", "amount", "100.00");
    OK(e, "deal", "at", "2026-01-01", "id", "b", "partner", "acme", "currency", "USD", "amount", "200.00");
    OK(e, "stage", "at", "2026-01-10", "deal", "a", "stage", "won");
    OK(e, "stage", "at", "2026-01-20", "deal", "b", "stage", "won");
    /* entries 1 and 3 are pending, 2 and 4 held (no rep) */
    OK(e, "approve", "at", "2026-01-21", "entries.0:i", "3");
    assert_ledger(e, LEDGER_HEADER
                  "1,earned,pct,a,acme,partner,acme,10.00,USD,pending,,,2026-01-10T00:00:00Z,\n"
                  "2,earned,rep,a,acme,sales_rep,,1.00,USD,held,no_assigned_rep,,2026-01-10T00:00:00Z,\n"
                  "3,earned,pct,b,acme,partner,acme,20.00,USD,approved,,,2026-01-20T00:00:00Z,\n"
                  "4,earned,rep,b,acme,sales_rep,,1.00,USD,held,no_assigned_rep,,2026-01-20T00:00:00Z,\n");
    /* each fault refuses the whole list, even after items that were fine */
    REFUSED(e, REWARDS_NOT_FOUND, "approve", "at", "2026-01-22", "entries.0:i", "1", "entries.1:i", "5");
    REFUSED(e, REWARDS_NOT_FOUND, "approve", "at", "2026-01-22", "entries.0:i", "0");
    REFUSED(e, REWARDS_INVALID_ARGUMENT, "approve", "at", "2026-01-22", "entries.0:i", "1", "entries.1:i", "1");
    REFUSED(e, REWARDS_INVALID_TRANSITION, "approve", "at", "2026-01-22", "entries.0:i", "1", "entries.1:i", "2");
    REFUSED(e, REWARDS_INVALID_TRANSITION, "approve", "at", "2026-01-22", "entries.0:i", "3");
    REFUSED(e, REWARDS_INVALID_ARGUMENT, "approve", "at", "2026-01-22", "entries.0", "1");
    REFUSED(e, REWARDS_INVALID_ARGUMENT, "approve", "at", "2026-01-22", "entries:l", "");
    /* the first fault in list order wins: a repeat before a missing entry */
    REFUSED(e, REWARDS_INVALID_ARGUMENT, "approve", "at", "2026-01-22", "entries.0:i", "1", "entries.1:i", "1",
            "entries.2:i", "9");
    REFUSED(e, REWARDS_INVALID_ARGUMENT, "approve", "at", "2026-01-22", "until", "2026-01-31", "entries.0:i", "1");
    assert_string_equal(rewards_engine_errmsg(e), "give 'until' or 'entries', not both");
    REFUSED(e, REWARDS_INVALID_ARGUMENT, "approve", "at", "2026-01-22");
    /* a listed entry is approved whatever its time; the rest stays pending */
    OK(e, "release", "at", "2026-01-22", "deal", "b", "to", "partner");
    OK(e, "approve", "at", "2026-01-23", "entries.0:i", "4", "entries.1:i", "1");
    assert_ledger(e, LEDGER_HEADER
                  "1,earned,pct,a,acme,partner,acme,10.00,USD,approved,,,2026-01-10T00:00:00Z,\n"
                  "2,earned,rep,a,acme,sales_rep,,1.00,USD,held,no_assigned_rep,,2026-01-10T00:00:00Z,\n"
                  "3,earned,pct,b,acme,partner,acme,20.00,USD,approved,,,2026-01-20T00:00:00Z,\n"
                  "4,earned,rep,b,acme,partner,acme,1.00,USD,approved,,,2026-01-20T00:00:00Z,\n");
    rewards_engine_free(e);
}

static void test_approve_until(void **state)
{
    (void)state;
    rewards_engine *e = new_engine();
    OK(e, "program", "id", "p", "name", "P", "currency", "USD");
    OK(e, "level", "id", "l", "program", "p", "name", "L", "rank:i", "1");
    OK(e, "reward", "id", "pct", "level", "l", "name", "10%", "trigger", "deal_won", "recipient", "partner", "kind",
       "percent", "rate", "10%");
    OK(e, "reward", "id", "rep", "level", "l", "name", "Rep", "trigger", "deal_won", "recipient", "sales_rep", "kind",
       "fixed", "amount", "1.00");
    OK(e, "partner", "id", "acme", "program", "p", "level", "l", "name", "Acme");
    OK(e, "deal", "at", "2026-01-01", "id", "a", "partner", "acme", "currency", "USD", "amount", "100.00");
    OK(e, "deal", "at", "2026-01-01", "id", "b", "partner", "acme", "currency", "USD", "amount", "200.00");
    OK(e, "deal", "at", "2026-01-01", "id", "c", "partner", "acme", "currency", "USD", "amount", "300.00");
    OK(e, "stage", "at", "2026-01-10", "deal", "a", "stage", "won");
    OK(e, "stage", "at", "2026-01-20T00:00:00Z", "deal", "b", "stage", "won");
    OK(e, "stage", "at", "2026-01-20T00:00:01Z", "deal", "c", "stage", "won");
    /* the cut-off is inclusive, to the second; held entries stay held */
    OK(e, "approve", "at", "2026-01-21", "until", "2026-01-20");
    assert_ledger(e, LEDGER_HEADER
                  "1,earned,pct,a,acme,partner,acme,10.00,USD,approved,,,2026-01-10T00:00:00Z,\n"
                  "2,earned,rep,a,acme,sales_rep,,1.00,USD,held,no_assigned_rep,,2026-01-10T00:00:00Z,\n"
                  "3,earned,pct,b,acme,partner,acme,20.00,USD,approved,,,2026-01-20T00:00:00Z,\n"
                  "4,earned,rep,b,acme,sales_rep,,1.00,USD,held,no_assigned_rep,,2026-01-20T00:00:00Z,\n"
                  "5,earned,pct,c,acme,partner,acme,30.00,USD,pending,,,2026-01-20T00:00:01Z,\n"
                  "6,earned,rep,c,acme,sales_rep,,1.00,USD,held,no_assigned_rep,,2026-01-20T00:00:01Z,\n");
    /* approving again changes nothing but the clock; a cut-off in the past is allowed */
    OK(e, "approve", "at", "2026-01-22", "until", "2025-01-01");
    REFUSED(e, REWARDS_OK, "approve", "at", "2026-01-22", "until", "2026-01-20");
    /* a released entry is pending again, and approved by the next approval */
    OK(e, "release", "at", "2026-01-23", "deal", "a", "to", "partner");
    OK(e, "approve", "at", "2026-01-24", "until", "2026-01-31");
    assert_ledger(e, LEDGER_HEADER
                  "1,earned,pct,a,acme,partner,acme,10.00,USD,approved,,,2026-01-10T00:00:00Z,\n"
                  "2,earned,rep,a,acme,partner,acme,1.00,USD,approved,,,2026-01-10T00:00:00Z,\n"
                  "3,earned,pct,b,acme,partner,acme,20.00,USD,approved,,,2026-01-20T00:00:00Z,\n"
                  "4,earned,rep,b,acme,sales_rep,,1.00,USD,held,no_assigned_rep,,2026-01-20T00:00:00Z,\n"
                  "5,earned,pct,c,acme,partner,acme,30.00,USD,approved,,,2026-01-20T00:00:01Z,\n"
                  "6,earned,rep,c,acme,sales_rep,,1.00,USD,held,no_assigned_rep,,2026-01-20T00:00:01Z,\n");
    REFUSED(e, REWARDS_INVALID_ARGUMENT, "approve", "at", "2026-01-24");
    REFUSED(e, REWARDS_INVALID_ARGUMENT, "approve", "at", "2026-01-24", "until", "January");
    rewards_engine_free(e);
}

/* ---- payout runs ------------------------------------------------------------ */

static rewards_engine *two_programs(void)
{
    rewards_engine *e = new_engine();
    OK(e, "program", "id", "pu", "name", "Dollars", "currency", "USD");
    OK(e, "level", "id", "lu", "program", "pu", "name", "L", "rank:i", "1");
    OK(e, "reward", "id", "pu%", "level", "lu", "name", "10%", "trigger", "deal_won", "recipient", "partner", "kind",
       "percent", "rate", "10%");
    OK(e, "reward", "id", "rep", "level", "lu", "name", "Rep", "trigger", "deal_won", "recipient", "sales_rep", "kind",
       "fixed", "amount", "1.00");
    OK(e, "reward", "id", "pt", "level", "lu", "name", "Points", "trigger", "deal_won", "recipient", "partner", "kind",
       "points", "points", "5", "auto_approve:b", "true");
    OK(e, "program", "id", "pe", "name", "Euros", "currency", "EUR");
    OK(e, "level", "id", "le", "program", "pe", "name", "L", "rank:i", "1");
    OK(e, "reward", "id", "pe%", "level", "le", "name", "10%", "trigger", "deal_won", "recipient", "partner", "kind",
       "percent", "rate", "10%");
    OK(e, "partner", "id", "b", "program", "pu", "level", "lu", "name", "Bee");
    OK(e, "partner", "id", "a", "program", "pu", "level", "lu", "name", "Ay");
    OK(e, "partner", "id", "Z", "program", "pu", "level", "lu", "name", "Zed");
    OK(e, "partner", "id", "e", "program", "pe", "level", "le", "name", "Eee");
    OK(e, "user", "id", "jo", "partner", "a", "name", "Jo", "portal_access:b", "true");
    OK(e, "user", "id", "Al", "partner", "b", "name", "Al Smith", "portal_access:b", "true");
    OK(e, "deal", "at", "2026-01-01", "id", "b1", "partner", "b", "currency", "USD", "amount", "100.00", "user", "Al");
    OK(e, "deal", "at", "2026-01-01", "id", "a1", "partner", "a", "currency", "USD", "amount", "200.00", "user", "jo");
    OK(e, "deal", "at", "2026-01-01", "id", "a2", "partner", "a", "currency", "USD", "amount", "300.00", "user", "jo");
    OK(e, "deal", "at", "2026-01-01", "id", "Z1", "partner", "Z", "currency", "USD", "amount", "50.00");
    OK(e, "deal", "at", "2026-01-01", "id", "e1", "partner", "e", "currency", "EUR", "amount", "400.00");
    const char *deals[] = { "b1", "a1", "a2", "Z1", "e1" };
    for (size_t i = 0; i < 5; i++)
        OK(e, "stage", "at", "2026-01-05", "deal", deals[i], "stage", "won");
    return e;
}

static const char run1_payouts[] = PAYOUTS_HEADER "r1,partner,Z,Zed,Z,Zed,USD,5.00,1\n"
                                                  "r1,partner,a,Ay,a,Ay,USD,50.00,2\n"
                                                  "r1,partner,b,Bee,b,Bee,USD,10.00,1\n"
                                                  "r1,partner,e,Eee,e,Eee,EUR,40.00,1\n"
                                                  "r1,sales_rep,Al,Al Smith,b,Bee,USD,1.00,1\n"
                                                  "r1,sales_rep,jo,Jo,a,Ay,USD,2.00,2\n";

static void test_payout_grouping(void **state)
{
    (void)state;
    rewards_engine *e = two_programs();
    OK(e, "approve", "at", "2026-02-01", "until", "2026-01-31");
    OK(e, "payout", "at", "2026-02-02", "id", "r1", "until", "2026-01-31");
    assert_payouts(e, run1_payouts);
    /* the accessors say the same */
    const rewards_payout *r1 = rewards_engine_find_payout(e, "r1");
    assert_non_null(r1);
    assert_string_equal(rewards_payout_id(r1), "r1");
    assert_int_equal(rewards_payout_line_count(r1), 6);
    const rewards_payout_line *l = rewards_payout_line_at(r1, 5);
    assert_string_equal(rewards_payout_line_recipient_type(l), "sales_rep");
    assert_string_equal(rewards_payout_line_recipient(l), "jo");
    assert_int_equal(rewards_payout_line_amount(l), 200);
    assert_string_equal(rewards_payout_line_currency(l), "USD");
    assert_int_equal(rewards_payout_line_entries(l), 2);
    l = rewards_payout_line_at(r1, 3);
    assert_string_equal(rewards_payout_line_currency(l), "EUR");
    assert_int_equal(rewards_payout_line_amount(l), 4000);
    assert_null(rewards_payout_line_at(r1, 6));
    /* points were not paid: they stay approved with no payout */
    const rewards_entry *pt = rewards_engine_entry(e, 2);
    assert_string_equal(rewards_entry_currency(pt), "PTS");
    assert_string_equal(rewards_entry_status(pt), "approved");
    assert_null(rewards_entry_payout(pt));
    /* Z1's rep entry is held: not paid */
    assert_string_equal(rewards_entry_status(rewards_engine_entry(e, 10)), "held");

    /* later entries go to later runs; entries earned after the cut-off wait */
    OK(e, "deal", "at", "2026-02-03", "id", "a3", "partner", "a", "currency", "USD", "amount", "100.00", "user", "jo");
    OK(e, "stage", "at", "2026-02-03", "deal", "a3", "stage", "won");
    OK(e, "deal", "at", "2026-02-03", "id", "b2", "partner", "b", "currency", "USD", "amount", "70.00");
    OK(e, "stage", "at", "2026-02-10", "deal", "b2", "stage", "won");
    OK(e, "approve", "at", "2026-02-11", "until", "2026-02-28");
    OK(e, "payout", "at", "2026-02-12", "id", "r2", "until", "2026-02-05");
    OK(e, "payout", "at", "2026-03-01", "id", "r3", "until", "2026-02-28");
    REFUSED(e, REWARDS_EXISTS, "payout", "at", "2026-03-01", "id", "r3", "until", "2026-03-31");
    REFUSED(e, REWARDS_EXISTS, "payout", "at", "2026-03-01", "id", "r1", "until", "2026-03-31");
    assert_payouts(e, PAYOUTS_HEADER "r1,partner,Z,Zed,Z,Zed,USD,5.00,1\n"
                                     "r1,partner,a,Ay,a,Ay,USD,50.00,2\n"
                                     "r1,partner,b,Bee,b,Bee,USD,10.00,1\n"
                                     "r1,partner,e,Eee,e,Eee,EUR,40.00,1\n"
                                     "r1,sales_rep,Al,Al Smith,b,Bee,USD,1.00,1\n"
                                     "r1,sales_rep,jo,Jo,a,Ay,USD,2.00,2\n"
                                     "r2,partner,a,Ay,a,Ay,USD,10.00,1\n"
                                     "r2,sales_rep,jo,Jo,a,Ay,USD,1.00,1\n"
                                     "r3,partner,b,Bee,b,Bee,USD,7.00,1\n");
    rewards_engine_free(e);
}

static void test_payout_carry_forward(void **state)
{
    (void)state;
    rewards_engine *e = new_engine();
    OK(e, "program", "id", "p", "name", "P", "currency", "USD");
    OK(e, "level", "id", "l", "program", "p", "name", "L", "rank:i", "1");
    OK(e, "reward", "id", "pct", "level", "l", "name", "10%", "trigger", "deal_won", "recipient", "partner", "kind",
       "percent", "rate", "10%", "clawback_days:i", "30", "auto_approve:b", "true");
    OK(e, "reward", "id", "rep", "level", "l", "name", "Rep", "trigger", "deal_won", "recipient", "sales_rep", "kind",
       "fixed", "amount", "2.00", "auto_approve:b", "true");
    OK(e, "partner", "id", "acme", "program", "p", "level", "l", "name", "Acme");
    OK(e, "user", "id", "jo", "partner", "acme", "name", "Jo", "portal_access:b", "true");
    OK(e, "deal", "at", "2026-01-01", "id", "d1", "partner", "acme", "currency", "USD", "amount", "1000.00");
    OK(e, "stage", "at", "2026-01-05", "deal", "d1", "stage", "won");
    OK(e, "release", "at", "2026-01-05", "deal", "d1", "to", "partner");
    OK(e, "payout", "at", "2026-01-06", "id", "run1", "until", "2026-01-06");
    /* d1 cancelled: its 100.00 is reversed after being paid: acme nets -100.00 */
    OK(e, "stage", "at", "2026-01-10", "deal", "d1", "stage", "cancelled");
    OK(e, "deal", "at", "2026-01-10", "id", "d2", "partner", "acme", "currency", "USD", "amount", "10.00", "user", "jo");
    OK(e, "stage", "at", "2026-01-11", "deal", "d2", "stage", "won");
    /* acme's group is -99.00: no line, carried forward; jo is paid */
    OK(e, "payout", "at", "2026-01-12", "id", "run2", "until", "2026-01-12");
    /* d3 brings acme to exactly zero: still no line */
    OK(e, "deal", "at", "2026-01-12", "id", "d3", "partner", "acme", "currency", "USD", "amount", "970.00");
    OK(e, "stage", "at", "2026-01-13", "deal", "d3", "stage", "won");
    OK(e, "release", "at", "2026-01-13", "deal", "d3", "to", "partner");
    OK(e, "payout", "at", "2026-01-14", "id", "run3", "until", "2026-01-14");
    assert_int_equal(rewards_payout_line_count(rewards_engine_find_payout(e, "run3")), 0);
    assert_ledger(e, LEDGER_HEADER
                  "1,earned,pct,d1,acme,partner,acme,100.00,USD,paid,,,2026-01-05T00:00:00Z,run1\n"
                  "2,earned,rep,d1,acme,partner,acme,2.00,USD,paid,,,2026-01-05T00:00:00Z,run1\n"
                  "3,reversal,pct,d1,acme,partner,acme,-100.00,USD,approved,,,2026-01-10T00:00:00Z,\n"
                  "4,earned,pct,d2,acme,partner,acme,1.00,USD,approved,,,2026-01-11T00:00:00Z,\n"
                  "5,earned,rep,d2,acme,sales_rep,jo,2.00,USD,paid,,,2026-01-11T00:00:00Z,run2\n"
                  "6,earned,pct,d3,acme,partner,acme,97.00,USD,approved,,,2026-01-13T00:00:00Z,\n"
                  "7,earned,rep,d3,acme,partner,acme,2.00,USD,approved,,,2026-01-13T00:00:00Z,\n");
    /* the carried entries are paid with the next positive sum, all in one line */
    OK(e, "deal", "at", "2026-01-14", "id", "d4", "partner", "acme", "currency", "USD", "amount", "100.00");
    OK(e, "stage", "at", "2026-01-15", "deal", "d4", "stage", "won");
    OK(e, "release", "at", "2026-01-15", "deal", "d4", "to", "partner");
    OK(e, "payout", "at", "2026-01-16", "id", "run4", "until", "2026-01-16");
    assert_payouts(e, PAYOUTS_HEADER "run1,partner,acme,Acme,acme,Acme,USD,102.00,2\n"
                                     "run2,sales_rep,jo,Jo,acme,Acme,USD,2.00,1\n"
                                     "run4,partner,acme,Acme,acme,Acme,USD,12.00,6\n");
    assert_string_equal(rewards_payout_id(rewards_entry_payout(rewards_engine_entry(e, 2))), "run4");
    rewards_engine_free(e);
}

/* A run that nets to zero for its only recipient, then one with nothing at all. */
static void test_zero_and_empty_runs(void **state)
{
    (void)state;
    rewards_engine *e = new_engine();
    OK(e, "program", "id", "p", "name", "P", "currency", "USD");
    OK(e, "level", "id", "l", "program", "p", "name", "L", "rank:i", "1");
    OK(e, "reward", "id", "pct", "level", "l", "name", "10%", "trigger", "deal_won", "recipient", "partner", "kind",
       "percent", "rate", "10%", "clawback_days:i", "30", "auto_approve:b", "true");
    OK(e, "partner", "id", "acme", "program", "p", "level", "l", "name", "Acme");
    /* nothing at all: the run succeeds and takes its id */
    OK(e, "payout", "at", "2026-01-01", "id", "empty", "until", "2026-01-01");
    const rewards_payout *empty = rewards_engine_find_payout(e, "empty");
    assert_non_null(empty);
    assert_int_equal(rewards_payout_line_count(empty), 0);
    REFUSED(e, REWARDS_EXISTS, "payout", "at", "2026-01-02", "id", "empty", "until", "2026-01-02");
    assert_payouts(e, PAYOUTS_HEADER);
    OK(e, "deal", "at", "2026-01-02", "id", "d1", "partner", "acme", "currency", "USD", "amount", "100.00");
    OK(e, "stage", "at", "2026-01-03", "deal", "d1", "stage", "won");
    OK(e, "stage", "at", "2026-01-04", "deal", "d1", "stage", "cancelled");
    /* +10.00 and -10.00, both approved and unpaid: a zero group, carried forward untouched */
    OK(e, "payout", "at", "2026-01-05", "id", "zero", "until", "2026-01-05");
    assert_int_equal(rewards_payout_line_count(rewards_engine_find_payout(e, "zero")), 0);
    assert_ledger(e, LEDGER_HEADER "1,earned,pct,d1,acme,partner,acme,10.00,USD,approved,,,2026-01-03T00:00:00Z,\n"
                                   "2,reversal,pct,d1,acme,partner,acme,-10.00,USD,approved,,,2026-01-04T00:00:00Z,\n");
    /* the next earning is paid together with both */
    OK(e, "deal", "at", "2026-01-05", "id", "d2", "partner", "acme", "currency", "USD", "amount", "30.00");
    OK(e, "stage", "at", "2026-01-06", "deal", "d2", "stage", "won");
    OK(e, "payout", "at", "2026-01-07", "id", "last", "until", "2026-01-07");
    assert_payouts(e, PAYOUTS_HEADER "last,partner,acme,Acme,acme,Acme,USD,3.00,3\n");
    assert_ledger(e, LEDGER_HEADER "1,earned,pct,d1,acme,partner,acme,10.00,USD,paid,,,2026-01-03T00:00:00Z,last\n"
                                   "2,reversal,pct,d1,acme,partner,acme,-10.00,USD,paid,,,2026-01-04T00:00:00Z,last\n"
                                   "3,earned,pct,d2,acme,partner,acme,3.00,USD,paid,,,2026-01-06T00:00:00Z,last\n");
    REFUSED(e, REWARDS_INVALID_ARGUMENT, "payout", "at", "2026-01-08", "id", "", "until", "2026-01-08");
    REFUSED(e, REWARDS_INVALID_ARGUMENT, "payout", "at", "2026-01-08", "id", "x");
    rewards_engine_free(e);
}

static void test_preview_is_the_run(void **state)
{
    (void)state;
    rewards_engine *e = two_programs();
    OK(e, "approve", "at", "2026-02-01", "until", "2026-01-31");
    char *before = eu_fingerprint(e);
    char *ledger_before = eu_ledger(e);
    /* a preview before the approval cut-off is empty; the one of the run is its lines */
    assert_str(preview(e, "r1", "2026-01-04"), PAYOUTS_HEADER);
    char *p = strdup(preview(e, "r1", "2026-01-31"));
    assert_str(p, run1_payouts);
    /* changing nothing */
    char *after = eu_fingerprint(e);
    assert_str(after, before);
    free(after);
    char *ledger_after = eu_ledger(e);
    assert_str(ledger_after, ledger_before);
    free(ledger_after);
    assert_null(rewards_engine_find_payout(e, "r1"));
    OK(e, "payout", "at", "2026-02-02", "id", "r1", "until", "2026-01-31");
    char *runs = eu_payouts(e);
    assert_str(runs, p);
    free(runs);
    /* after the run, the same preview has nothing left to pay */
    assert_str(preview(e, "r1", "2026-01-31"), PAYOUTS_HEADER);
    free(p);
    free(before);
    free(ledger_before);
    rewards_engine_free(e);
}

/* ---- balances and points -------------------------------------------------- */

static void balance(rewards_engine *e, const char *type, const char *who, int64_t pending, int64_t approved,
                    int64_t held, int64_t paid, int64_t points)
{
    rewards_balance b = { REWARDS_BALANCE_VERSION, -1, -1, -1, -1, -1 };
    rewards_status st = rewards_engine_balance(e, &b, type, who);
    if (st)
        fail_msg("balance of %s %s: %s", type, who, rewards_status_name(st));
    if (b.pending != pending || b.approved != approved || b.held != held || b.paid != paid || b.points != points)
        fail_msg("balance of %s %s: %lld/%lld/%lld/%lld/%lld, want %lld/%lld/%lld/%lld/%lld", type, who,
                 (long long)b.pending, (long long)b.approved, (long long)b.held, (long long)b.paid,
                 (long long)b.points, (long long)pending, (long long)approved, (long long)held, (long long)paid,
                 (long long)points);
    assert_int_equal(b.version, REWARDS_BALANCE_VERSION);
}

static void test_balances(void **state)
{
    (void)state;
    rewards_engine *e = new_engine();
    OK(e, "program", "id", "p", "name", "P", "currency", "USD");
    OK(e, "level", "id", "l", "program", "p", "name", "L", "rank:i", "1");
    OK(e, "reward", "id", "pct", "level", "l", "name", "10%", "trigger", "deal_won", "recipient", "partner", "kind",
       "percent", "rate", "10%");
    OK(e, "reward", "id", "rep", "level", "l", "name", "Rep", "trigger", "deal_won", "recipient", "sales_rep", "kind",
       "fixed", "amount", "50.00");
    OK(e, "reward", "id", "pts", "level", "l", "name", "Points", "trigger", "deal_won", "recipient", "partner", "kind",
       "points", "points", "100", "auto_approve:b", "true");
    OK(e, "reward", "id", "rpts", "level", "l", "name", "Rep points", "trigger", "deal_won", "recipient", "sales_rep",
       "kind", "points", "points", "7");
    OK(e, "partner", "id", "acme", "program", "p", "level", "l", "name", "Acme");
    OK(e, "user", "id", "jo", "partner", "acme", "name", "Jo", "portal_access:b", "true");
    OK(e, "user", "id", "kim", "partner", "acme", "name", "Kim", "portal_access:b", "true");
    balance(e, "partner", "acme", 0, 0, 0, 0, 0);
    OK(e, "deal", "at", "2026-01-01", "id", "d1", "partner", "acme", "currency", "USD", "amount", "1000.00", "user",
       "jo");
    OK(e, "stage", "at", "2026-01-05", "deal", "d1", "stage", "won");
    balance(e, "partner", "acme", 10000, 0, 0, 0, 100);
    balance(e, "sales_rep", "jo", 5000, 0, 0, 0, 0); /* pending points are not redeemable */
    OK(e, "approve", "at", "2026-01-05", "until", "2026-01-05");
    OK(e, "payout", "at", "2026-01-06", "id", "run1", "until", "2026-01-05");
    balance(e, "partner", "acme", 0, 0, 0, 10000, 100);
    balance(e, "sales_rep", "jo", 0, 0, 0, 5000, 7);
    OK(e, "deal", "at", "2026-01-07", "id", "d2", "partner", "acme", "currency", "USD", "amount", "2000.00", "user",
       "jo");
    OK(e, "stage", "at", "2026-01-10", "deal", "d2", "stage", "won");
    OK(e, "approve", "at", "2026-01-10", "until", "2026-01-10");
    OK(e, "user_access", "at", "2026-01-11", "user", "jo", "portal_access:b", "false");
    OK(e, "deal", "at", "2026-01-11", "id", "d3", "partner", "acme", "currency", "USD", "amount", "500.00");
    OK(e, "assign", "at", "2026-01-11", "deal", "d3", "user", "kim");
    OK(e, "user_access", "at", "2026-01-11", "user", "kim", "portal_access:b", "false");
    OK(e, "stage", "at", "2026-01-12", "deal", "d3", "stage", "won");
    OK(e, "redeem", "at", "2026-01-13", "id", "rd1", "recipient_type", "partner", "recipient", "acme", "points", "150");
    balance(e, "partner", "acme", 5000, 20000, 0, 10000, 150);
    balance(e, "sales_rep", "jo", 0, 5000, 0, 5000, 14);
    balance(e, "sales_rep", "kim", 0, 0, 5000, 0, 0); /* held money, held points */
    /* points entries are never paid: a run changes no points */
    OK(e, "payout", "at", "2026-01-14", "id", "run2", "until", "2026-01-31");
    balance(e, "partner", "acme", 5000, 0, 0, 30000, 150);
    balance(e, "sales_rep", "jo", 0, 0, 0, 10000, 14);
    for (size_t i = 0; i < rewards_engine_entry_count(e); i++) {
        const rewards_entry *en = rewards_engine_entry(e, i);
        if (!strcmp(rewards_entry_currency(en), "PTS"))
            assert_null(rewards_entry_payout(en));
    }
    /* errors */
    rewards_balance b = { REWARDS_BALANCE_VERSION, 0, 0, 0, 0, 0 };
    assert_int_equal(rewards_engine_balance(e, &b, "partner", "ghost"), REWARDS_NOT_FOUND);
    assert_int_equal(rewards_engine_balance(e, &b, "sales_rep", "acme"), REWARDS_NOT_FOUND);
    assert_int_equal(rewards_engine_balance(e, &b, "partner", "jo"), REWARDS_NOT_FOUND);
    assert_int_equal(rewards_engine_balance(e, &b, "rep", "jo"), REWARDS_INVALID_ARGUMENT);
    b.version = 0;
    assert_int_equal(rewards_engine_balance(e, &b, "partner", "acme"), REWARDS_INVALID_ARGUMENT);
    b.version = 2;
    assert_int_equal(rewards_engine_balance(e, &b, "partner", "acme"), REWARDS_INVALID_ARGUMENT);
    rewards_engine_free(e);
}

static void test_redeem_points(void **state)
{
    (void)state;
    rewards_engine *e = new_engine();
    OK(e, "program", "id", "p", "name", "P", "currency", "USD");
    OK(e, "level", "id", "l", "program", "p", "name", "L", "rank:i", "1");
    OK(e, "reward", "id", "pts", "level", "l", "name", "Points", "trigger", "deal_won", "recipient", "partner", "kind",
       "points", "points_per_unit", "1.5");
    OK(e, "reward", "id", "rpts", "level", "l", "name", "Rep points", "trigger", "deal_won", "recipient", "sales_rep",
       "kind", "points", "points", "40", "auto_approve:b", "true");
    OK(e, "partner", "id", "acme", "program", "p", "level", "l", "name", "Acme");
    OK(e, "user", "id", "jo", "partner", "acme", "name", "Jo", "portal_access:b", "true");
    OK(e, "deal", "at", "2026-01-01", "id", "d1", "partner", "acme", "currency", "USD", "amount", "100.33", "user",
       "jo");
    OK(e, "stage", "at", "2026-01-02", "deal", "d1", "stage", "won");
    /* 1.5 x 100.33 = 150.495: 150 points (rounded down), pending: nothing to redeem yet */
    REFUSED(e, REWARDS_INSUFFICIENT_POINTS, "redeem", "at", "2026-01-03", "id", "r1", "recipient_type", "partner",
            "recipient", "acme", "points", "1");
    OK(e, "approve", "at", "2026-01-03", "until", "2026-01-03");
    REFUSED(e, REWARDS_INSUFFICIENT_POINTS, "redeem", "at", "2026-01-03", "id", "r1", "recipient_type", "partner",
            "recipient", "acme", "points", "151");
    assert_non_null(strstr(rewards_engine_errmsg(e), "150"));
    OK(e, "redeem", "at", "2026-01-03", "id", "r1", "recipient_type", "partner", "recipient", "acme", "points", "150");
    REFUSED(e, REWARDS_INSUFFICIENT_POINTS, "redeem", "at", "2026-01-03", "id", "r2", "recipient_type", "partner",
            "recipient", "acme", "points", "1");
    /* the rep's points are the rep's */
    REFUSED(e, REWARDS_INSUFFICIENT_POINTS, "redeem", "at", "2026-01-04", "id", "r2", "recipient_type", "sales_rep",
            "recipient", "jo", "points", "41");
    OK(e, "redeem", "at", "2026-01-04", "id", "r2", "recipient_type", "sales_rep", "recipient", "jo", "points", "25");
    /* redemption ids are unique across recipients */
    REFUSED(e, REWARDS_EXISTS, "redeem", "at", "2026-01-04", "id", "r2", "recipient_type", "partner", "recipient",
            "acme", "points", "1");
    REFUSED(e, REWARDS_INVALID_ARGUMENT, "redeem", "at", "2026-01-04", "id", "r3", "recipient_type", "sales_rep",
            "recipient", "jo", "points", "0");
    REFUSED(e, REWARDS_INVALID_ARGUMENT, "redeem", "at", "2026-01-04", "id", "r3", "recipient_type", "sales_rep",
            "recipient", "jo", "points", "1.5");
    REFUSED(e, REWARDS_INVALID_ARGUMENT, "redeem", "at", "2026-01-04", "id", "r3", "recipient_type", "sales_rep",
            "recipient", "jo", "points", "-1");
    assert_ledger(e, LEDGER_HEADER "1,earned,pts,d1,acme,partner,acme,150,PTS,approved,,,2026-01-02T00:00:00Z,\n"
                                   "2,earned,rpts,d1,acme,sales_rep,jo,40,PTS,approved,,,2026-01-02T00:00:00Z,\n"
                                   "3,redemption,,,acme,partner,acme,-150,PTS,redeemed,,,2026-01-03T00:00:00Z,\n"
                                   "4,redemption,,,acme,sales_rep,jo,-25,PTS,redeemed,,,2026-01-04T00:00:00Z,\n");
    const rewards_entry *r = rewards_engine_entry(e, 3);
    assert_string_equal(rewards_entry_type(r), "redemption");
    assert_null(rewards_entry_reward(r));
    assert_null(rewards_entry_deal(r));
    assert_string_equal(rewards_entry_period(r), "");
    rewards_balance b = { REWARDS_BALANCE_VERSION, 0, 0, 0, 0, 0 };
    assert_int_equal(rewards_engine_balance(e, &b, "sales_rep", "jo"), REWARDS_OK);
    assert_int_equal(b.points, 15);
    /* no money moved */
    assert_int_equal(b.pending + b.approved + b.held + b.paid, 0);
    rewards_engine_free(e);
}

/* ---- queries --------------------------------------------------------------- */

static void test_partner_and_deal_queries(void **state)
{
    (void)state;
    rewards_engine *e = two_programs();
    OK(e, "approve", "at", "2026-02-01", "until", "2026-01-31");
    OK(e, "payout", "at", "2026-02-02", "id", "r1", "until", "2026-01-31");
    /* partner a: its own entries and its rep's, in creation order */
    const rewards_partner *a = rewards_engine_find_partner(e, "a");
    assert_string_equal(rewards_partner_name(a), "Ay");
    assert_int_equal(rewards_partner_entry_count(a), 6);
    static const char *const want[][4] = {
        { "pu%", "a1", "partner", "a" }, { "rep", "a1", "sales_rep", "jo" }, { "pt", "a1", "partner", "a" },
        { "pu%", "a2", "partner", "a" }, { "rep", "a2", "sales_rep", "jo" }, { "pt", "a2", "partner", "a" },
    };
    uint64_t last = 0;
    for (size_t i = 0; i < 6; i++) {
        const rewards_entry *en = rewards_partner_entry(a, i);
        assert_string_equal(rewards_reward_id(rewards_entry_reward(en)), want[i][0]);
        assert_string_equal(rewards_deal_id(rewards_entry_deal(en)), want[i][1]);
        assert_string_equal(rewards_entry_recipient_type(en), want[i][2]);
        assert_string_equal(rewards_entry_recipient(en), want[i][3]);
        assert_ptr_equal(rewards_entry_partner(en), a);
        assert_true(rewards_entry_number(en) > last);
        last = rewards_entry_number(en);
    }
    assert_null(rewards_partner_entry(a, 6));
    /* a deal's entries, its user and stage */
    const rewards_deal *d = rewards_engine_find_deal(e, "a2");
    assert_int_equal(rewards_deal_entry_count(d), 3);
    assert_string_equal(rewards_user_id(rewards_deal_user(d)), "jo");
    assert_string_equal(rewards_user_name(rewards_deal_user(d)), "Jo");
    assert_ptr_equal(rewards_user_partner(rewards_deal_user(d)), a);
    assert_int_equal(rewards_user_portal_access(rewards_deal_user(d)), 1);
    assert_ptr_equal(rewards_deal_partner(d), a);
    assert_string_equal(rewards_deal_stage(d), "won");
    assert_int_equal(rewards_deal_amount(d), 30000);
    const rewards_entry *en = rewards_deal_entry(d, 0);
    assert_int_equal(rewards_entry_number(en), 7);
    assert_string_equal(rewards_entry_type(en), "earned");
    assert_int_equal(rewards_entry_amount(en), 3000);
    assert_string_equal(rewards_entry_currency(en), "USD");
    assert_string_equal(rewards_entry_status(en), "paid");
    assert_string_equal(rewards_entry_reason(en), "");
    assert_string_equal(rewards_entry_period(en), "");
    assert_int_equal(rewards_entry_earned_at(en), INT64_C(1767571200));
    assert_string_equal(rewards_payout_id(rewards_entry_payout(en)), "r1");
    assert_string_equal(rewards_reward_name(rewards_entry_reward(en)), "10%");
    assert_null(rewards_deal_entry(d, 3));
    /* Z1 has no user; its rep entry is held with no recipient */
    d = rewards_engine_find_deal(e, "Z1");
    assert_null(rewards_deal_user(d));
    en = rewards_deal_entry(d, 1);
    assert_string_equal(rewards_entry_status(en), "held");
    assert_string_equal(rewards_entry_reason(en), "no_assigned_rep");
    assert_string_equal(rewards_entry_recipient(en), "");
    assert_null(rewards_entry_payout(en));
    /* the EUR partner: its program's currency */
    const rewards_partner *pe = rewards_engine_find_partner(e, "e");
    assert_int_equal(rewards_partner_entry_count(pe), 1);
    assert_string_equal(rewards_entry_currency(rewards_partner_entry(pe, 0)), "EUR");
    assert_string_equal(rewards_program_currency(rewards_engine_find_program(e, "pe")), "EUR");
    /* a user of another partner: no entries in a's tab from b */
    const rewards_partner *b = rewards_engine_find_partner(e, "b");
    assert_int_equal(rewards_partner_entry_count(b), 3);
    rewards_engine_free(e);
}

/* ---- CSV ---------------------------------------------------------------- */

static void test_csv_quoting_and_neutralisation(void **state)
{
    (void)state;
    rewards_engine *e = new_engine();
    OK(e, "program", "id", "p", "name", "P", "currency", "USD");
    OK(e, "level", "id", "l", "program", "p", "name", "L", "rank:i", "1");
    OK(e, "reward", "id", "+r", "level", "l", "name", "=bad()", "trigger", "deal_won", "recipient", "partner", "kind",
       "percent", "rate", "10%", "auto_approve:b", "true");
    OK(e, "reward", "id", "rep", "level", "l", "name", "Rep", "trigger", "deal_won", "recipient", "sales_rep", "kind",
       "fixed", "amount", "5.00", "auto_approve:b", "true");
    OK(e, "partner", "id", "=SUM(A1)", "program", "p", "level", "l", "name", "+cmd");
    OK(e, "partner", "id", "-neg", "program", "p", "level", "l", "name", "\rCR");
    OK(e, "partner", "id", "\tTab", "program", "p", "level", "l", "name", "plain");
    OK(e, "user", "id", "@jo", "partner", "=SUM(A1)", "name", "Jo, \"the\" rep\nline2", "portal_access:b", "true");
    OK(e, "deal", "at", "2026-01-01", "id", "-d,1", "partner", "=SUM(A1)", "currency", "USD", "amount", "100.00",
       "user", "@jo");
    OK(e, "deal", "at", "2026-01-01", "id", "q\"d", "partner", "-neg", "currency", "USD", "amount", "200.00");
    OK(e, "deal", "at", "2026-01-01", "id", "ok", "partner", "\tTab", "currency", "USD", "amount", "300.00");
    OK(e, "stage", "at", "2026-01-05", "deal", "-d,1", "stage", "won");
    OK(e, "stage", "at", "2026-01-05", "deal", "q\"d", "stage", "won");
    OK(e, "stage", "at", "2026-01-05", "deal", "ok", "stage", "won");
    /* a negative amount: a number, never prefixed */
    OK(e, "amend", "at", "2026-01-06", "deal", "-d,1", "amount", "50.00");
    OK(e, "payout", "at", "2026-01-07", "id", "=run", "until", "2026-01-06");
    assert_ledger(e, LEDGER_HEADER
                  "1,earned,'+r,\"'-d,1\",'=SUM(A1),partner,'=SUM(A1),10.00,USD,paid,,,2026-01-05T00:00:00Z,'=run\n"
                  "2,earned,rep,\"'-d,1\",'=SUM(A1),sales_rep,'@jo,5.00,USD,paid,,,2026-01-05T00:00:00Z,'=run\n"
                  "3,earned,'+r,\"q\"\"d\",'-neg,partner,'-neg,20.00,USD,paid,,,2026-01-05T00:00:00Z,'=run\n"
                  "4,earned,rep,\"q\"\"d\",'-neg,sales_rep,,5.00,USD,held,no_assigned_rep,,2026-01-05T00:00:00Z,\n"
                  "5,earned,'+r,ok,'\tTab,partner,'\tTab,30.00,USD,paid,,,2026-01-05T00:00:00Z,'=run\n"
                  "6,earned,rep,ok,'\tTab,sales_rep,,5.00,USD,held,no_assigned_rep,,2026-01-05T00:00:00Z,\n"
                  "7,adjustment,'+r,\"'-d,1\",'=SUM(A1),partner,'=SUM(A1),-5.00,USD,paid,,,2026-01-06T00:00:00Z,'=run\n");
    /* partners first, by id bytewise: tab (0x09) < '-' < '=' */
    assert_payouts(e, PAYOUTS_HEADER "'=run,partner,'\tTab,plain,'\tTab,plain,USD,30.00,1\n"
                                     "'=run,partner,'-neg,\"'\rCR\",'-neg,\"'\rCR\",USD,20.00,1\n"
                                     "'=run,partner,'=SUM(A1),'+cmd,'=SUM(A1),'+cmd,USD,5.00,2\n"
                                     "'=run,sales_rep,'@jo,\"Jo, \"\"the\"\" rep\nline2\",'=SUM(A1),'+cmd,USD,5.00,1\n");
    /* the preview neutralises its id too */
    OK(e, "release", "at", "2026-01-08", "deal", "ok", "to", "partner");
    assert_str(preview(e, "@p", "2026-01-31"), PAYOUTS_HEADER "'@p,partner,'\tTab,plain,'\tTab,plain,USD,5.00,1\n");
    rewards_engine_free(e);
}

/* Ids that merely contain a risky character, or start with a harmless one, are left alone. */
static void test_csv_plain_cells(void **state)
{
    (void)state;
    rewards_engine *e = new_engine();
    OK(e, "program", "id", "p", "name", "P", "currency", "JPY");
    OK(e, "level", "id", "l", "program", "p", "name", "L", "rank:i", "1");
    OK(e, "reward", "id", "a=b", "level", "l", "name", "x", "trigger", "deal_won", "recipient", "partner", "kind",
       "percent", "rate", "12.5%", "auto_approve:b", "true", "period", "year");
    OK(e, "partner", "id", " =x", "program", "p", "level", "l", "name", "x-y@z");
    OK(e, "deal", "at", "2026-01-01", "id", "1-2", "partner", " =x", "currency", "JPY", "amount", "1001");
    OK(e, "stage", "at", "2026-01-02", "deal", "1-2", "stage", "won");
    OK(e, "payout", "at", "2026-01-03", "id", "run 1", "until", "2026-01-03");
    /* 12.5% of 1001 yen = 125.125: 125 */
    assert_ledger(e, LEDGER_HEADER "1,earned,a=b,1-2, =x,partner, =x,125,JPY,paid,,FY2026,2026-01-02T00:00:00Z,run 1\n");
    assert_payouts(e, PAYOUTS_HEADER "run 1,partner, =x,x-y@z, =x,x-y@z,JPY,125,1\n");
    rewards_engine_free(e);
}

/* ---- export failures ---------------------------------------------------- */

typedef rewards_status (*export_fn)(rewards_engine *, sink *);

static rewards_status do_ledger(rewards_engine *e, sink *s) { return rewards_engine_export_ledger(e, sink_write, s); }
static rewards_status do_payouts(rewards_engine *e, sink *s) { return rewards_engine_export_payouts(e, sink_write, s); }
static rewards_status do_preview(rewards_engine *e, sink *s)
{
    return rewards_engine_preview_payout(e, "next", INT64_C(4102444800), sink_write, s);
}

static void test_export_write_failure(void **state)
{
    (void)state;
    rewards_engine *e = new_engine();
    OK(e, "program", "id", "p", "name", "P", "currency", "USD");
    OK(e, "level", "id", "l", "program", "p", "name", "L", "rank:i", "1");
    OK(e, "reward", "id", "pct", "level", "l", "name", "10%", "trigger", "deal_won", "recipient", "sales_rep", "kind",
       "percent", "rate", "10%", "rep_policy", "partner", "auto_approve:b", "true");
    OK(e, "partner", "id", "acme", "program", "p", "level", "l", "name", "Acme");
    /* enough rows for several buffer flushes, and many payout lines */
    for (int i = 0; i < 150; i++) {
        char id[32];
        snprintf(id, sizeof id, "user-with-a-longish-id-%03d", i);
        OK(e, "user", "id", id, "partner", "acme", "name", id, "portal_access:b", "true");
        char deal[32];
        snprintf(deal, sizeof deal, "deal-with-a-longish-id-%03d", i);
        OK(e, "deal", "at", "2026-01-02", "id", deal, "partner", "acme", "currency", "USD", "amount", "100.00", "user",
           id);
        OK(e, "stage", "at", "2026-01-02", "deal", deal, "stage", "won");
        if (i == 75)
            OK(e, "payout", "at", "2026-01-02", "id", "half", "until", "2026-01-02");
    }
    export_fn fns[] = { do_ledger, do_payouts, do_preview };
    const char *names[] = { "ledger", "payouts", "preview" };
    for (size_t f = 0; f < 3; f++) {
        static sink s;
        memset(&s, 0, sizeof s);
        assert_int_equal(fns[f](e, &s), REWARDS_OK);
        int calls = s.calls;
        char *full = strdup(s.buf);
        if (f < 2)
            assert_true(calls >= 3); /* header, then more than one buffer */
        char *fp = eu_fingerprint(e);
        for (int k = 1; k <= calls; k++) {
            memset(&s, 0, sizeof s);
            s.fail_at = k;
            rewards_status st = fns[f](e, &s);
            if (st != REWARDS_STORAGE)
                fail_msg("%s failing at write %d of %d: %s", names[f], k, calls, rewards_status_name(st));
            assert_string_equal(rewards_engine_errmsg(e), "the export's write callback failed");
            /* it stopped writing at the failure */
            assert_int_equal(s.calls, k);
        }
        char *fp2 = eu_fingerprint(e);
        assert_str(fp2, fp);
        free(fp);
        free(fp2);
        /* and works again */
        memset(&s, 0, sizeof s);
        assert_int_equal(fns[f](e, &s), REWARDS_OK);
        assert_str(s.buf, full);
        free(full);
    }
    rewards_engine_free(e);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_approve_until),
        cmocka_unit_test(test_approve_entries),
        cmocka_unit_test(test_payout_grouping),
        cmocka_unit_test(test_payout_carry_forward),
        cmocka_unit_test(test_zero_and_empty_runs),
        cmocka_unit_test(test_preview_is_the_run),
        cmocka_unit_test(test_balances),
        cmocka_unit_test(test_redeem_points),
        cmocka_unit_test(test_partner_and_deal_queries),
        cmocka_unit_test(test_csv_quoting_and_neutralisation),
        cmocka_unit_test(test_csv_plain_cells),
        cmocka_unit_test(test_export_write_failure),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
