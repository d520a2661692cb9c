/*
 * test_levels.c - partner levels (SPEC section 7) and fiscal periods as the
 * ledger shows them (section 4): requirements on revenue and/or deal count
 * (both must be met), the windows fiscal_year, fiscal_quarter and
 * trailing_days:N at their exact boundaries, revenue valued at the FX rate
 * in force when each deal was won, cancelled deals left out, promotion,
 * demotion only when asked, a partner meeting nothing staying put, levels
 * set by hand, level-change events, unique ranks, triggers using the level
 * held when applied, and the period keys of a fiscal year starting in each
 * of the twelve months.
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
#define ASSERTUTIL_NO_OK /* this file's OK(x) checks any status */
#include "assertutil.h"

#define OK(x) assert_int_equal((x), REWARDS_OK)


static const char *level_of(rewards_engine *e, const char *partner)
{
    const rewards_partner *p = rewards_engine_find_partner(e, partner);
    assert_non_null(p);
    return rewards_level_id(rewards_partner_level(p));
}

static void won_deal(rewards_engine *e, const char *at, const char *id, const char *partner, const char *currency,
                     const char *amount)
{
    OK(eu_op(e, "deal", "at", at, "id", id, "partner", partner, "currency", currency, "amount", amount, NULL));
    OK(eu_op(e, "stage", "at", at, "deal", id, "stage", "won", NULL));
}

/* Events recorded by the callback: type, partner, previous and new level. */
typedef struct seen {
    int n;
    char lines[16][96];
} seen;

static void on_event(void *user, const rewards_event *ev)
{
    seen *s = user;
    if (s->n >= 16)
        return;
    if (rewards_event_get_type(ev) == REWARDS_EVENT_LEVEL_CHANGED)
        snprintf(s->lines[s->n++], sizeof s->lines[0], "level %s %s->%s",
                 rewards_partner_id(rewards_event_partner(ev)), rewards_level_id(rewards_event_previous_level(ev)),
                 rewards_level_id(rewards_event_level(ev)));
    else
        snprintf(s->lines[s->n++], sizeof s->lines[0], "other %d", (int)rewards_event_get_type(ev));
}

static void test_requirements_revenue_and_deals(void **state)
{
    (void)state;
    rewards_engine *e;
    OK(rewards_engine_new(&e, NULL));
    OK(eu_op(e, "program", "id", "p", "name", "P", "currency", "USD", NULL));
    OK(eu_op(e, "level", "id", "base", "program", "p", "name", "Base", "rank:i", "1", NULL));
    OK(eu_op(e, "level", "id", "bronze", "program", "p", "name", "Bronze", "rank:i", "2", "requires.deals:i", "3",
             "requires.window", "fiscal_year", NULL));
    OK(eu_op(e, "level", "id", "silver", "program", "p", "name", "Silver", "rank:i", "3", "requires.revenue",
             "20000.00", "requires.window", "fiscal_year", NULL));
    OK(eu_op(e, "level", "id", "gold", "program", "p", "name", "Gold", "rank:i", "4", "requires.revenue", "50000.00",
             "requires.deals:i", "3", "requires.window", "fiscal_year", NULL));
    const char *partners[] = { "a", "b", "c", "d", "z" };
    for (int i = 0; i < 5; i++)
        OK(eu_op(e, "partner", "id", partners[i], "program", "p", "level", "base", "name", partners[i], NULL));
    /* a: 60,000 in 2 deals: revenue for gold, not the count -> silver */
    won_deal(e, "2026-01-05", "a1", "a", "USD", "30000.00");
    won_deal(e, "2026-01-05", "a2", "a", "USD", "30000.00");
    /* b: 3 deals, 49,999.99: the count for gold, one cent short of its revenue -> silver */
    won_deal(e, "2026-01-05", "b1", "b", "USD", "20000.00");
    won_deal(e, "2026-01-05", "b2", "b", "USD", "20000.00");
    won_deal(e, "2026-01-05", "b3", "b", "USD", "9999.99");
    /* c: 3 deals, exactly 50,000.00 -> gold */
    won_deal(e, "2026-01-05", "c1", "c", "USD", "20000.00");
    won_deal(e, "2026-01-05", "c2", "c", "USD", "20000.00");
    won_deal(e, "2026-01-05", "c3", "c", "USD", "10000.00");
    /* d: 3 small deals -> bronze (count only) */
    won_deal(e, "2026-01-05", "d1", "d", "USD", "100.00");
    won_deal(e, "2026-01-05", "d2", "d", "USD", "100.00");
    won_deal(e, "2026-01-05", "d3", "d", "USD", "100.00");
    /* z: a deal registered, never won: stays at base */
    OK(eu_op(e, "deal", "at", "2026-01-05", "id", "z1", "partner", "z", "currency", "USD", "amount", "90000.00", NULL));
    OK(eu_op(e, "evaluate_levels", "at", "2026-01-06", "program", "p", NULL));
    assert_string_equal(level_of(e, "a"), "silver");
    assert_string_equal(level_of(e, "b"), "silver");
    assert_string_equal(level_of(e, "c"), "gold");
    assert_string_equal(level_of(e, "d"), "bronze");
    assert_string_equal(level_of(e, "z"), "base");
    rewards_engine_free(e);
}

/*
 * A fresh engine: program with fiscal_year_start_month fy, level "base" and a
 * level "met" needing 100.00 of revenue in the window; one deal of 100.00
 * won at won_at; levels evaluated at eval_at.  Returns the partner's level.
 */
static const char *window_case(const char *window, int fy, const char *won_at, const char *eval_at)
{
    static char out[16];
    char fys[4];
    snprintf(fys, sizeof fys, "%d", fy);
    rewards_engine *e;
    OK(rewards_engine_new(&e, NULL));
    OK(eu_op(e, "program", "id", "p", "name", "P", "currency", "USD", "fiscal_year_start_month:i", fys, NULL));
    OK(eu_op(e, "level", "id", "base", "program", "p", "name", "Base", "rank:i", "1", NULL));
    OK(eu_op(e, "level", "id", "met", "program", "p", "name", "Met", "rank:i", "2", "requires.revenue", "100.00",
             "requires.window", window, NULL));
    OK(eu_op(e, "partner", "id", "x", "program", "p", "level", "base", "name", "X", NULL));
    won_deal(e, won_at, "d", "x", "USD", "100.00");
    OK(eu_op(e, "evaluate_levels", "at", eval_at, "program", "p", NULL));
    snprintf(out, sizeof out, "%s", level_of(e, "x"));
    rewards_engine_free(e);
    return out;
}

static void test_window_fiscal_year_boundaries(void **state)
{
    (void)state;
    /* start month 4: FY2026 = 2025-04-01 .. 2026-03-31, FY2027 from 2026-04-01 */
    assert_string_equal(window_case("fiscal_year", 4, "2026-03-31T23:59:59Z", "2026-03-31T23:59:59Z"), "met");
    assert_string_equal(window_case("fiscal_year", 4, "2026-03-31T23:59:59Z", "2026-04-01T00:00:00Z"), "base");
    assert_string_equal(window_case("fiscal_year", 4, "2026-04-01T00:00:00Z", "2026-04-01T00:00:00Z"), "met");
    assert_string_equal(window_case("fiscal_year", 4, "2025-04-01T00:00:00Z", "2026-03-31T23:59:59Z"), "met");
    assert_string_equal(window_case("fiscal_year", 4, "2025-03-31T23:59:59Z", "2026-03-31T23:59:59Z"), "base");
    /* start month 1: the calendar year */
    assert_string_equal(window_case("fiscal_year", 1, "2025-12-31T23:59:59Z", "2026-01-01T00:00:00Z"), "base");
    assert_string_equal(window_case("fiscal_year", 1, "2026-01-01T00:00:00Z", "2026-12-31T23:59:59Z"), "met");
}

static void test_window_fiscal_quarter_boundaries(void **state)
{
    (void)state;
    /* start month 2: quarters start on Feb 1, May 1, Aug 1, Nov 1 */
    assert_string_equal(window_case("fiscal_quarter", 2, "2026-04-30T23:59:59Z", "2026-05-01T00:00:00Z"), "base");
    assert_string_equal(window_case("fiscal_quarter", 2, "2026-05-01T00:00:00Z", "2026-05-01T00:00:00Z"), "met");
    assert_string_equal(window_case("fiscal_quarter", 2, "2026-02-01T00:00:00Z", "2026-04-30T23:59:59Z"), "met");
    assert_string_equal(window_case("fiscal_quarter", 2, "2026-01-31T23:59:59Z", "2026-02-01T00:00:00Z"), "base");
    /* with start month 1 the quarter is Apr-Jun: 04-30 and 05-01 share it; 03-31 does not */
    assert_string_equal(window_case("fiscal_quarter", 1, "2026-04-30T23:59:59Z", "2026-05-01T00:00:00Z"), "met");
    assert_string_equal(window_case("fiscal_quarter", 1, "2026-03-31T23:59:59Z", "2026-04-01T00:00:00Z"), "base");
}

static void test_window_trailing_days_boundaries(void **state)
{
    (void)state;
    /* trailing_days:30 at t = 2026-03-01: after t - 30 days (2026-01-30T00:00:00Z), up to t inclusive */
    assert_string_equal(window_case("trailing_days:30", 1, "2026-01-30T00:00:00Z", "2026-03-01T00:00:00Z"), "base");
    assert_string_equal(window_case("trailing_days:30", 1, "2026-01-30T00:00:01Z", "2026-03-01T00:00:00Z"), "met");
    assert_string_equal(window_case("trailing_days:30", 1, "2026-03-01T00:00:00Z", "2026-03-01T00:00:00Z"), "met");
    /* trailing_days:1: only the last 86400 seconds */
    assert_string_equal(window_case("trailing_days:1", 1, "2026-02-28T00:00:00Z", "2026-03-01T00:00:00Z"), "base");
    assert_string_equal(window_case("trailing_days:1", 1, "2026-02-28T00:00:01Z", "2026-03-01T00:00:00Z"), "met");
}

static void test_revenue_at_the_rate_when_won(void **state)
{
    (void)state;
    rewards_engine *e;
    OK(rewards_engine_new(&e, NULL));
    OK(eu_op(e, "program", "id", "p", "name", "P", "currency", "USD", NULL));
    OK(eu_op(e, "level", "id", "base", "program", "p", "name", "Base", "rank:i", "1", NULL));
    OK(eu_op(e, "level", "id", "met", "program", "p", "name", "Met", "rank:i", "2", "requires.revenue", "15000.00",
             "requires.window", "fiscal_year", NULL));
    OK(eu_op(e, "partner", "id", "x", "program", "p", "level", "base", "name", "X", NULL));
    OK(eu_op(e, "fx", "at", "2026-01-01", "from", "EUR", "to", "USD", "rate", "1.0", NULL));
    won_deal(e, "2026-01-05", "e1", "x", "EUR", "10000.00"); /* 10,000.00 USD at 1.0 */
    OK(eu_op(e, "fx", "at", "2026-01-10", "from", "EUR", "to", "USD", "rate", "2.0", NULL));
    /* 10,000.00 < 15,000.00: today's rate (2.0, which would give 20,000) does not apply */
    OK(eu_op(e, "evaluate_levels", "at", "2026-01-11", "program", "p", NULL));
    assert_string_equal(level_of(e, "x"), "base");
    /* 2,500 EUR won at 2.0 = 5,000.00: 15,000.00 in all */
    won_deal(e, "2026-01-12", "e2", "x", "EUR", "2500.00");
    OK(eu_op(e, "evaluate_levels", "at", "2026-01-13", "program", "p", NULL));
    assert_string_equal(level_of(e, "x"), "met");
    rewards_engine_free(e);
}

static void test_no_fx_rate_fails_evaluation(void **state)
{
    (void)state;
    rewards_engine *e;
    OK(rewards_engine_new(&e, NULL));
    OK(eu_op(e, "program", "id", "p", "name", "P", "currency", "USD", NULL));
    OK(eu_op(e, "program", "id", "q", "name", "Q", "currency", "USD", NULL));
    OK(eu_op(e, "level", "id", "pb", "program", "p", "name", "Base", "rank:i", "1", NULL));
    OK(eu_op(e, "level", "id", "prev", "program", "p", "name", "Revenue", "rank:i", "2", "requires.revenue", "1.00",
             "requires.window", "fiscal_year", NULL));
    OK(eu_op(e, "level", "id", "qb", "program", "q", "name", "Base", "rank:i", "1", NULL));
    OK(eu_op(e, "level", "id", "qdeals", "program", "q", "name", "Deals", "rank:i", "2", "requires.deals:i", "1",
             "requires.window", "fiscal_year", NULL));
    OK(eu_op(e, "partner", "id", "x", "program", "p", "level", "pb", "name", "X", NULL));
    OK(eu_op(e, "partner", "id", "y", "program", "q", "level", "qb", "name", "Y", NULL));
    /* no reward values these GBP deals, so they can be won without a rate */
    won_deal(e, "2026-01-05", "g1", "x", "GBP", "100.00");
    won_deal(e, "2026-01-05", "g2", "y", "GBP", "100.00");
    char *before = eu_fingerprint(e);
    assert_int_equal(eu_op(e, "evaluate_levels", "at", "2026-01-06", "program", "p", NULL), REWARDS_NO_FX_RATE);
    char *after = eu_fingerprint(e);
    assert_string_equal(before, after);
    free(before);
    free(after);
    assert_string_equal(level_of(e, "x"), "pb");
    /* a deal count needs no rate */
    OK(eu_op(e, "evaluate_levels", "at", "2026-01-06", "program", "q", NULL));
    assert_string_equal(level_of(e, "y"), "qdeals");
    rewards_engine_free(e);
}

static void test_cancelled_and_lost_deals_excluded(void **state)
{
    (void)state;
    rewards_engine *e;
    OK(rewards_engine_new(&e, NULL));
    OK(eu_op(e, "program", "id", "p", "name", "P", "currency", "USD", NULL));
    OK(eu_op(e, "level", "id", "base", "program", "p", "name", "Base", "rank:i", "1", NULL));
    OK(eu_op(e, "level", "id", "met", "program", "p", "name", "Met", "rank:i", "2", "requires.revenue", "100.00",
             "requires.deals:i", "2", "requires.window", "fiscal_year", NULL));
    OK(eu_op(e, "partner", "id", "x", "program", "p", "level", "base", "name", "X", NULL));
    won_deal(e, "2026-01-05", "d1", "x", "USD", "60.00");
    won_deal(e, "2026-01-05", "d2", "x", "USD", "60.00");
    OK(eu_op(e, "deal", "at", "2026-01-05", "id", "d3", "partner", "x", "currency", "USD", "amount", "500.00", NULL));
    OK(eu_op(e, "stage", "at", "2026-01-05", "deal", "d3", "stage", "lost", NULL));
    /* d2 cancelled: 60.00 and one deal left (the lost d3 never counts) */
    OK(eu_op(e, "stage", "at", "2026-01-06", "deal", "d2", "stage", "cancelled", NULL));
    OK(eu_op(e, "evaluate_levels", "at", "2026-01-07", "program", "p", NULL));
    assert_string_equal(level_of(e, "x"), "base");
    /* d4 goes straight to contract_started (won then) and counts once even after a renewal */
    OK(eu_op(e, "deal", "at", "2026-01-08", "id", "d4", "partner", "x", "currency", "USD", "amount", "40.00", NULL));
    OK(eu_op(e, "stage", "at", "2026-01-08", "deal", "d4", "stage", "contract_started", NULL));
    OK(eu_op(e, "stage", "at", "2026-01-08", "deal", "d4", "stage", "renewed", "amount", "1000.00", NULL));
    /* 60.00 + 40.00 = 100.00 in 2 deals */
    OK(eu_op(e, "evaluate_levels", "at", "2026-01-09", "program", "p", NULL));
    assert_string_equal(level_of(e, "x"), "met");
    rewards_engine_free(e);
}

static void test_promote_demote_and_stay(void **state)
{
    (void)state;
    seen s = { 0, { { 0 } } };
    rewards_events ev = REWARDS_EVENTS_INIT;
    ev.on_event = on_event;
    ev.user = &s;
    rewards_options o = REWARDS_OPTIONS_INIT;
    o.events = &ev;
    rewards_engine *e;
    OK(rewards_engine_new(&e, &o));
    OK(eu_op(e, "program", "id", "p", "name", "P", "currency", "USD", NULL));
    OK(eu_op(e, "level", "id", "base", "program", "p", "name", "Base", "rank:i", "1", NULL));
    OK(eu_op(e, "level", "id", "silver", "program", "p", "name", "Silver", "rank:i", "2", "requires.revenue",
             "1000.00", "requires.window", "trailing_days:30", NULL));
    OK(eu_op(e, "level", "id", "gold", "program", "p", "name", "Gold", "rank:i", "3", "requires.revenue", "5000.00",
             "requires.window", "trailing_days:30", NULL));
    OK(eu_op(e, "partner", "id", "x", "program", "p", "level", "base", "name", "X", NULL));
    OK(eu_op(e, "partner", "id", "y", "program", "p", "level", "base", "name", "Y", NULL));
    won_deal(e, "2026-01-01", "x1", "x", "USD", "6000.00");
    won_deal(e, "2026-01-01", "y1", "y", "USD", "1000.00");
    s.n = 0;
    /* both promoted, straight to the highest level each meets: events in partner order */
    OK(eu_op(e, "evaluate_levels", "at", "2026-01-02", "program", "p", NULL));
    assert_string_equal(level_of(e, "x"), "gold");
    assert_string_equal(level_of(e, "y"), "silver");
    assert_int_equal(s.n, 2);
    assert_string_equal(s.lines[0], "level x base->gold");
    assert_string_equal(s.lines[1], "level y base->silver");
    /* 2026-02-15: the deals of 01-01 left the window (after 01-16); without demote nobody moves */
    s.n = 0;
    OK(eu_op(e, "evaluate_levels", "at", "2026-02-15", "program", "p", NULL));
    assert_string_equal(level_of(e, "x"), "gold");
    assert_string_equal(level_of(e, "y"), "silver");
    assert_int_equal(s.n, 0);
    /* x wins 2,000: with demote, x goes down to silver (the best it meets); y down to base */
    won_deal(e, "2026-02-16", "x2", "x", "USD", "2000.00");
    s.n = 0;
    OK(eu_op(e, "evaluate_levels", "at", "2026-02-17", "program", "p", "demote:b", "true", NULL));
    assert_string_equal(level_of(e, "x"), "silver");
    assert_string_equal(level_of(e, "y"), "base");
    assert_int_equal(s.n, 2);
    assert_string_equal(s.lines[0], "level x gold->silver");
    assert_string_equal(s.lines[1], "level y silver->base");
    /* demote:false explicitly behaves as absent */
    OK(eu_op(e, "evaluate_levels", "at", "2026-04-01", "program", "p", "demote:b", "false", NULL));
    assert_string_equal(level_of(e, "x"), "silver");
    rewards_engine_free(e);
}

static void test_partner_meeting_nothing_stays(void **state)
{
    (void)state;
    rewards_engine *e;
    OK(rewards_engine_new(&e, NULL));
    OK(eu_op(e, "program", "id", "p", "name", "P", "currency", "USD", NULL));
    OK(eu_op(e, "level", "id", "l1", "program", "p", "name", "L1", "rank:i", "1", "requires.revenue", "1000.00",
             "requires.window", "fiscal_year", NULL));
    OK(eu_op(e, "level", "id", "l2", "program", "p", "name", "L2", "rank:i", "2", "requires.revenue", "5000.00",
             "requires.window", "fiscal_year", NULL));
    OK(eu_op(e, "partner", "id", "x", "program", "p", "level", "l2", "name", "X", NULL));
    OK(eu_op(e, "partner", "id", "y", "program", "p", "level", "l1", "name", "Y", NULL));
    won_deal(e, "2026-01-05", "y1", "y", "USD", "999.99");
    /* neither meets any level: both stay, even with demote */
    OK(eu_op(e, "evaluate_levels", "at", "2026-01-06", "program", "p", "demote:b", "true", NULL));
    assert_string_equal(level_of(e, "x"), "l2");
    assert_string_equal(level_of(e, "y"), "l1");
    /* x now meets l1 only: demote moves it down */
    won_deal(e, "2026-01-07", "x1", "x", "USD", "1000.00");
    OK(eu_op(e, "evaluate_levels", "at", "2026-01-08", "program", "p", "demote:b", "true", NULL));
    assert_string_equal(level_of(e, "x"), "l1");
    rewards_engine_free(e);
}

static void test_set_level_by_hand(void **state)
{
    (void)state;
    seen s = { 0, { { 0 } } };
    rewards_events ev = REWARDS_EVENTS_INIT;
    ev.on_event = on_event;
    ev.user = &s;
    rewards_options o = REWARDS_OPTIONS_INIT;
    o.events = &ev;
    rewards_engine *e;
    OK(rewards_engine_new(&e, &o));
    OK(eu_op(e, "program", "id", "p", "name", "P", "currency", "USD", NULL));
    OK(eu_op(e, "program", "id", "q", "name", "Q", "currency", "USD", NULL));
    OK(eu_op(e, "level", "id", "base", "program", "p", "name", "Base", "rank:i", "1", NULL));
    OK(eu_op(e, "level", "id", "top", "program", "p", "name", "Top", "rank:i", "2", "requires.revenue", "1000000.00",
             "requires.window", "fiscal_year", NULL));
    OK(eu_op(e, "level", "id", "other", "program", "q", "name", "Other", "rank:i", "2", NULL));
    OK(eu_op(e, "partner", "id", "x", "program", "p", "level", "base", "name", "X", NULL));
    s.n = 0;
    /* a level of another program is rejected and changes nothing */
    char *before = eu_fingerprint(e);
    assert_int_equal(eu_op(e, "set_level", "at", "2026-01-01", "partner", "x", "level", "other", NULL),
                     REWARDS_INVALID_ARGUMENT);
    assert_int_equal(eu_op(e, "set_level", "at", "2026-01-01", "partner", "x", "level", "nope", NULL),
                     REWARDS_NOT_FOUND);
    char *after = eu_fingerprint(e);
    assert_string_equal(before, after);
    free(before);
    free(after);
    assert_int_equal(s.n, 0);
    /* by hand, requirements do not matter */
    OK(eu_op(e, "set_level", "at", "2026-01-01", "partner", "x", "level", "top", NULL));
    assert_string_equal(level_of(e, "x"), "top");
    assert_int_equal(s.n, 1);
    assert_string_equal(s.lines[0], "level x base->top");
    /* setting the level it already holds is no change: no event */
    OK(eu_op(e, "set_level", "at", "2026-01-02", "partner", "x", "level", "top", NULL));
    assert_int_equal(s.n, 1);
    /* an evaluation without demote keeps a level set by hand; with demote it goes to what is met */
    OK(eu_op(e, "evaluate_levels", "at", "2026-01-03", "program", "p", NULL));
    assert_string_equal(level_of(e, "x"), "top");
    OK(eu_op(e, "evaluate_levels", "at", "2026-01-04", "program", "p", "demote:b", "true", NULL));
    assert_string_equal(level_of(e, "x"), "base");
    assert_int_equal(s.n, 2);
    assert_string_equal(s.lines[1], "level x top->base");
    rewards_engine_free(e);
}

static void test_ranks_unique_per_program(void **state)
{
    (void)state;
    rewards_engine *e;
    OK(rewards_engine_new(&e, NULL));
    OK(eu_op(e, "program", "id", "p", "name", "P", "currency", "USD", NULL));
    OK(eu_op(e, "program", "id", "q", "name", "Q", "currency", "USD", NULL));
    OK(eu_op(e, "level", "id", "a", "program", "p", "name", "A", "rank:i", "1", NULL));
    char *before = eu_fingerprint(e);
    assert_int_equal(eu_op(e, "level", "id", "b", "program", "p", "name", "B", "rank:i", "1", NULL),
                     REWARDS_INVALID_ARGUMENT);
    char *after = eu_fingerprint(e);
    assert_string_equal(before, after);
    free(before);
    free(after);
    assert_null(rewards_engine_find_level(e, "b"));
    /* the same rank in another program is fine, and another rank in the same one */
    OK(eu_op(e, "level", "id", "b", "program", "q", "name", "B", "rank:i", "1", NULL));
    OK(eu_op(e, "level", "id", "c", "program", "p", "name", "C", "rank:i", "2", NULL));
    assert_int_equal(rewards_level_rank(rewards_engine_find_level(e, "c")), 2);
    rewards_engine_free(e);
}

static void test_triggers_use_level_held_when_applied(void **state)
{
    (void)state;
    rewards_engine *e;
    OK(rewards_engine_new(&e, NULL));
    OK(eu_op(e, "program", "id", "p", "name", "P", "currency", "USD", NULL));
    OK(eu_op(e, "level", "id", "member", "program", "p", "name", "Member", "rank:i", "1", NULL));
    OK(eu_op(e, "level", "id", "silver", "program", "p", "name", "Silver", "rank:i", "2", "requires.revenue",
             "1000.00", "requires.window", "trailing_days:10", NULL));
    OK(eu_op(e, "reward", "id", "m5", "level", "member", "name", "Member 5%", "trigger", "deal_won", "recipient",
             "partner", "kind", "percent", "rate", "5%", NULL));
    OK(eu_op(e, "reward", "id", "s8", "level", "silver", "name", "Silver 8%", "trigger", "deal_won", "recipient",
             "partner", "kind", "percent", "rate", "8%", NULL));
    OK(eu_op(e, "partner", "id", "x", "program", "p", "level", "member", "name", "X", NULL));
    won_deal(e, "2026-01-01", "d1", "x", "USD", "1000.00"); /* member: 50.00 */
    OK(eu_op(e, "evaluate_levels", "at", "2026-01-02", "program", "p", NULL));
    won_deal(e, "2026-01-03", "d2", "x", "USD", "100.00"); /* silver: 8.00 */
    /* 2026-01-20: d1 and d2 are out of the 10-day window: demoted to member */
    OK(eu_op(e, "evaluate_levels", "at", "2026-01-20", "program", "p", "demote:b", "true", NULL));
    won_deal(e, "2026-01-21", "d3", "x", "USD", "100.00"); /* member: 5.00 */
    /* amending d2 recomputes the silver contribution recorded at its trigger: 200 x 8% = 16.00, +8.00 */
    OK(eu_op(e, "amend", "at", "2026-01-22", "deal", "d2", "amount", "200.00", NULL));
    assert_ledger(e, LEDGER_HEADER
                  "1,earned,m5,d1,x,partner,x,50.00,USD,pending,,,2026-01-01T00:00:00Z,\n"
                  "2,earned,s8,d2,x,partner,x,8.00,USD,pending,,,2026-01-03T00:00:00Z,\n"
                  "3,earned,m5,d3,x,partner,x,5.00,USD,pending,,,2026-01-21T00:00:00Z,\n"
                  "4,adjustment,s8,d2,x,partner,x,8.00,USD,pending,,,2026-01-22T00:00:00Z,\n");
    rewards_engine_free(e);
}

/*
 * Fiscal years starting in each month.  Three deals per start month, won in
 * time order: at the last second of FY2026, the first second of FY2027, and
 * 2026-03-15T12:00:00Z, each worth 1.00 from each of three one-bracket 1%
 * tiered rewards (period year, quarter, month).  The keys below are worked
 * out by hand from the rule "named by the calendar year in which it ends".
 */
typedef struct fy_deal {
    const char *at;
    const char *year, *quarter, *month;
} fy_deal;

typedef struct fy_case {
    int start;
    fy_deal deals[3]; /* in time order */
} fy_case;

static const fy_case fy_cases[] = {
    { 1, { { "2026-03-15T12:00:00Z", "FY2026", "FY2026-Q1", "FY2026-M03" },
           { "2026-12-31T23:59:59Z", "FY2026", "FY2026-Q4", "FY2026-M12" },
           { "2027-01-01T00:00:00Z", "FY2027", "FY2027-Q1", "FY2027-M01" } } },
    { 2, { { "2026-01-31T23:59:59Z", "FY2026", "FY2026-Q4", "FY2026-M12" },
           { "2026-02-01T00:00:00Z", "FY2027", "FY2027-Q1", "FY2027-M01" },
           { "2026-03-15T12:00:00Z", "FY2027", "FY2027-Q1", "FY2027-M02" } } },
    { 3, { { "2026-02-28T23:59:59Z", "FY2026", "FY2026-Q4", "FY2026-M12" },
           { "2026-03-01T00:00:00Z", "FY2027", "FY2027-Q1", "FY2027-M01" },
           { "2026-03-15T12:00:00Z", "FY2027", "FY2027-Q1", "FY2027-M01" } } },
    { 4, { { "2026-03-15T12:00:00Z", "FY2026", "FY2026-Q4", "FY2026-M12" },
           { "2026-03-31T23:59:59Z", "FY2026", "FY2026-Q4", "FY2026-M12" },
           { "2026-04-01T00:00:00Z", "FY2027", "FY2027-Q1", "FY2027-M01" } } },
    { 5, { { "2026-03-15T12:00:00Z", "FY2026", "FY2026-Q4", "FY2026-M11" },
           { "2026-04-30T23:59:59Z", "FY2026", "FY2026-Q4", "FY2026-M12" },
           { "2026-05-01T00:00:00Z", "FY2027", "FY2027-Q1", "FY2027-M01" } } },
    { 6, { { "2026-03-15T12:00:00Z", "FY2026", "FY2026-Q4", "FY2026-M10" },
           { "2026-05-31T23:59:59Z", "FY2026", "FY2026-Q4", "FY2026-M12" },
           { "2026-06-01T00:00:00Z", "FY2027", "FY2027-Q1", "FY2027-M01" } } },
    { 7, { { "2026-03-15T12:00:00Z", "FY2026", "FY2026-Q3", "FY2026-M09" },
           { "2026-06-30T23:59:59Z", "FY2026", "FY2026-Q4", "FY2026-M12" },
           { "2026-07-01T00:00:00Z", "FY2027", "FY2027-Q1", "FY2027-M01" } } },
    { 8, { { "2026-03-15T12:00:00Z", "FY2026", "FY2026-Q3", "FY2026-M08" },
           { "2026-07-31T23:59:59Z", "FY2026", "FY2026-Q4", "FY2026-M12" },
           { "2026-08-01T00:00:00Z", "FY2027", "FY2027-Q1", "FY2027-M01" } } },
    { 9, { { "2026-03-15T12:00:00Z", "FY2026", "FY2026-Q3", "FY2026-M07" },
           { "2026-08-31T23:59:59Z", "FY2026", "FY2026-Q4", "FY2026-M12" },
           { "2026-09-01T00:00:00Z", "FY2027", "FY2027-Q1", "FY2027-M01" } } },
    { 10, { { "2026-03-15T12:00:00Z", "FY2026", "FY2026-Q2", "FY2026-M06" },
            { "2026-09-30T23:59:59Z", "FY2026", "FY2026-Q4", "FY2026-M12" },
            { "2026-10-01T00:00:00Z", "FY2027", "FY2027-Q1", "FY2027-M01" } } },
    { 11, { { "2026-03-15T12:00:00Z", "FY2026", "FY2026-Q2", "FY2026-M05" },
            { "2026-10-31T23:59:59Z", "FY2026", "FY2026-Q4", "FY2026-M12" },
            { "2026-11-01T00:00:00Z", "FY2027", "FY2027-Q1", "FY2027-M01" } } },
    { 12, { { "2026-03-15T12:00:00Z", "FY2026", "FY2026-Q2", "FY2026-M04" },
            { "2026-11-30T23:59:59Z", "FY2026", "FY2026-Q4", "FY2026-M12" },
            { "2026-12-01T00:00:00Z", "FY2027", "FY2027-Q1", "FY2027-M01" } } },
};

static void test_period_keys_every_start_month(void **state)
{
    (void)state;
    for (size_t c = 0; c < sizeof fy_cases / sizeof fy_cases[0]; c++) {
        const fy_case *fc = &fy_cases[c];
        char fys[4];
        snprintf(fys, sizeof fys, "%d", fc->start);
        rewards_engine *e;
        OK(rewards_engine_new(&e, NULL));
        OK(eu_op(e, "program", "id", "p", "name", "P", "currency", "USD", "fiscal_year_start_month:i", fys, NULL));
        OK(eu_op(e, "level", "id", "l", "program", "p", "name", "L", "rank:i", "1", NULL));
        const char *periods[] = { "year", "quarter", "month" };
        const char *ids[] = { "ty", "tq", "tm" };
        for (int r = 0; r < 3; r++)
            OK(eu_op(e, "reward", "id", ids[r], "program", "p", "name", ids[r], "trigger", "deal_won", "recipient",
                     "partner", "kind", "tiered", "period", periods[r], "tiers.0.from", "0", "tiers.0.rate", "1%",
                     NULL));
        OK(eu_op(e, "partner", "id", "x", "program", "p", "level", "l", "name", "X", NULL));
        char expected[4096], *w = expected;
        w += snprintf(w, sizeof expected, "%s", LEDGER_HEADER);
        int n = 0;
        for (int d = 0; d < 3; d++) {
            const fy_deal *fd = &fc->deals[d];
            char id[8];
            snprintf(id, sizeof id, "d%d", d + 1);
            won_deal(e, fd->at, id, "x", "USD", "100.00");
            const char *keys[] = { fd->year, fd->quarter, fd->month };
            for (int r = 0; r < 3; r++)
                w += snprintf(w, sizeof expected - (size_t)(w - expected),
                              "%d,earned,%s,%s,x,partner,x,1.00,USD,pending,,%s,%s,\n", ++n, ids[r], id, keys[r], fd->at);
        }
        char *got = eu_ledger(e);
        assert_non_null(got);
        if (strcmp(got, expected))
            fail_msg("fiscal_year_start_month %d:\n%s\nexpected:\n%s", fc->start, got, expected);
        free(got);
        rewards_engine_free(e);
    }
}

/* Levels are tried from the highest rank down: the result, and whether a deal
 * without an FX rate must be valued, do not depend on the creation order. */
static void test_evaluation_independent_of_creation_order(void **state)
{
    (void)state;
    for (int order = 0; order < 2; order++) {
        rewards_engine *e;
        OK(rewards_engine_new(&e, NULL));
        OK(eu_op(e, "program", "id", "p", "name", "P", "currency", "USD", NULL));
        OK(eu_op(e, "level", "id", "base", "program", "p", "name", "Base", "rank:i", "1", NULL));
        for (int k = 0; k < 2; k++) {
            if ((k == 0) == (order == 0))
                OK(eu_op(e, "level", "id", "gold", "program", "p", "name", "Gold", "rank:i", "3", "requires.deals:i", "1",
                         "requires.window", "fiscal_year", NULL));
            else
                OK(eu_op(e, "level", "id", "silver", "program", "p", "name", "Silver", "rank:i", "2",
                         "requires.revenue", "1.00", "requires.window", "fiscal_year", NULL));
        }
        OK(eu_op(e, "partner", "id", "x", "program", "p", "level", "base", "name", "X", NULL));
        /* a GBP deal with no GBP rate: only the revenue level would need to value it */
        won_deal(e, "2026-01-05", "g", "x", "GBP", "100.00");
        OK(eu_op(e, "evaluate_levels", "at", "2026-01-06", "program", "p", NULL));
        assert_string_equal(level_of(e, "x"), "gold");
        rewards_engine_free(e);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_requirements_revenue_and_deals),
        cmocka_unit_test(test_window_fiscal_year_boundaries),
        cmocka_unit_test(test_window_fiscal_quarter_boundaries),
        cmocka_unit_test(test_window_trailing_days_boundaries),
        cmocka_unit_test(test_revenue_at_the_rate_when_won),
        cmocka_unit_test(test_no_fx_rate_fails_evaluation),
        cmocka_unit_test(test_cancelled_and_lost_deals_excluded),
        cmocka_unit_test(test_promote_demote_and_stay),
        cmocka_unit_test(test_partner_meeting_nothing_stays),
        cmocka_unit_test(test_set_level_by_hand),
        cmocka_unit_test(test_ranks_unique_per_program),
        cmocka_unit_test(test_triggers_use_level_held_when_applied),
        cmocka_unit_test(test_period_keys_every_start_month),
        cmocka_unit_test(test_evaluation_independent_of_creation_order),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
