/*
 * test_rewards.c - what deal triggers earn and how corrections move it
 * (SPEC sections 3, 4 and 6): tiered rewards (graduated and retroactive,
 * bracket boundaries, a deal spanning three brackets, period entries adding
 * up to the rounded commission on the period total, half_even vs half_up),
 * milestones (several thresholds at once, per period, deals and units,
 * thresholds un-crossed and re-crossed by clawbacks), caps (per deal, per
 * period in trigger order and recomputed, rejected where they do not
 * apply), clawback windows at their exact edge, amendments after payout and
 * their reach, renewals and payments, FX rate selection and when a rate is
 * needed at all, points, effective dates, and program- versus level-wide
 * rewards.  Every expected ledger is computed by hand in the comment next to
 * it and compared as the whole CSV export, so any stray, missing or
 * reordered entry fails.
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


/* Program "p" (USD, the given rounding or the default), level "std", partners acme and beta. */
static rewards_engine *plan(const char *rounding)
{
    rewards_engine *e;
    OK(rewards_engine_new(&e, NULL));
    OK(eu_op(e, "program", "id", "p", "name", "Plan", "currency", "USD", rounding ? "rounding" : NULL, rounding, NULL));
    OK(eu_op(e, "level", "id", "std", "program", "p", "name", "Standard", "rank:i", "1", NULL));
    OK(eu_op(e, "partner", "id", "acme", "program", "p", "level", "std", "name", "Acme", NULL));
    OK(eu_op(e, "partner", "id", "beta", "program", "p", "level", "std", "name", "Beta", NULL));
    return e;
}

static void deal_in(rewards_engine *e, const char *at, const char *id, const char *partner, const char *currency,
                    const char *amount)
{
    OK(eu_op(e, "deal", "at", at, "id", id, "partner", partner, "currency", currency, "amount", amount, NULL));
}

static void deal(rewards_engine *e, const char *at, const char *id, const char *partner, const char *amount)
{
    deal_in(e, at, id, partner, "USD", amount);
}

static void stage(rewards_engine *e, const char *at, const char *id, const char *st)
{
    OK(eu_op(e, "stage", "at", at, "deal", id, "stage", st, NULL));
}

static void won(rewards_engine *e, const char *at, const char *id)
{
    stage(e, at, id, "won");
}

static void amend(rewards_engine *e, const char *at, const char *id, const char *amount)
{
    OK(eu_op(e, "amend", "at", at, "deal", id, "amount", amount, NULL));
}

/* ---- tiered ------------------------------------------------------------- */

static void test_tiered_graduated_boundaries(void **state)
{
    (void)state;
    rewards_engine *e = plan(NULL);
    OK(eu_op(e, "reward", "id", "t", "level", "std", "name", "Tiers", "trigger", "deal_won", "recipient", "partner",
             "kind", "tiered", "period", "quarter", "tiers.0.from", "0", "tiers.0.rate", "5%", "tiers.1.from",
             "10000.00", "tiers.1.rate", "8%", "tiers.2.from", "50000.00", "tiers.2.rate", "12.5%", NULL));
    deal(e, "2026-01-02", "d1", "acme", "10000.00");
    deal(e, "2026-01-02", "d2", "acme", "40000.00");
    deal(e, "2026-01-02", "d3", "acme", "100.00");
    deal(e, "2026-01-02", "b1", "beta", "5000.00");
    deal(e, "2026-01-02", "b2", "beta", "60000.00");
    /* d1 ends exactly on the 10,000 boundary: T(10000) = 10000 x 5% = 500.00, nothing at 8%. */
    won(e, "2026-01-10", "d1");
    /* d2 runs 10,000 -> 50,000, exactly up to the next boundary: 40000 x 8% = 3200.00. */
    won(e, "2026-01-11", "d2");
    /* d3 starts on the 50,000 boundary: 100 x 12.5% = 12.50. */
    won(e, "2026-01-12", "d3");
    /* beta: b1 5000 x 5% = 250.00; b2 spans three brackets, 5,000 -> 65,000:
     * 5000 x 5% + 40000 x 8% + 15000 x 12.5% = 250 + 3200 + 1875 = 5325.00
     * (= T(65000) 5575.00 - T(5000) 250.00). */
    won(e, "2026-01-13", "b1");
    won(e, "2026-01-14", "b2");
    assert_ledger(e, LEDGER_HEADER
                  "1,earned,t,d1,acme,partner,acme,500.00,USD,pending,,FY2026-Q1,2026-01-10T00:00:00Z,\n"
                  "2,earned,t,d2,acme,partner,acme,3200.00,USD,pending,,FY2026-Q1,2026-01-11T00:00:00Z,\n"
                  "3,earned,t,d3,acme,partner,acme,12.50,USD,pending,,FY2026-Q1,2026-01-12T00:00:00Z,\n"
                  "4,earned,t,b1,beta,partner,beta,250.00,USD,pending,,FY2026-Q1,2026-01-13T00:00:00Z,\n"
                  "5,earned,t,b2,beta,partner,beta,5325.00,USD,pending,,FY2026-Q1,2026-01-14T00:00:00Z,\n");
    rewards_engine_free(e);
}

static void test_tiered_retroactive_boundaries(void **state)
{
    (void)state;
    rewards_engine *e = plan(NULL);
    OK(eu_op(e, "reward", "id", "r", "level", "std", "name", "Retro", "trigger", "deal_won", "recipient", "partner",
             "kind", "tiered", "period", "quarter", "mode", "retroactive", "tiers.0.from", "0", "tiers.0.rate", "2%",
             "tiers.1.from", "20000.00", "tiers.1.rate", "3%", "tiers.2.from", "40000.00", "tiers.2.rate", "4%", NULL));
    deal(e, "2026-01-02", "d1", "acme", "20000.00");
    deal(e, "2026-01-02", "d2", "acme", "19999.99");
    deal(e, "2026-01-02", "d3", "acme", "0.01");
    deal(e, "2026-01-02", "b1", "beta", "1000.00");
    deal(e, "2026-01-02", "b2", "beta", "45000.00");
    /* d1 lands exactly on 20,000: a bracket is reached when from <= amount, so 20000 x 3% = 600.00. */
    won(e, "2026-01-10", "d1");
    /* d2: 39,999.99 x 3% = 1199.9997 -> 1200.00; entry 1200.00 - 600.00 = 600.00. */
    won(e, "2026-01-11", "d2");
    /* d3 (one cent) reaches 40,000.00: the whole period at 4% = 1600.00; entry 1600.00 - 1200.00 = 400.00. */
    won(e, "2026-01-12", "d3");
    /* beta: b1 1000 x 2% = 20.00; b2 goes from the first bracket over two boundaries to 46,000:
     * 46000 x 4% = 1840.00, entry 1840.00 - 20.00 = 1820.00. */
    won(e, "2026-01-13", "b1");
    won(e, "2026-01-14", "b2");
    assert_ledger(e, LEDGER_HEADER
                  "1,earned,r,d1,acme,partner,acme,600.00,USD,pending,,FY2026-Q1,2026-01-10T00:00:00Z,\n"
                  "2,earned,r,d2,acme,partner,acme,600.00,USD,pending,,FY2026-Q1,2026-01-11T00:00:00Z,\n"
                  "3,earned,r,d3,acme,partner,acme,400.00,USD,pending,,FY2026-Q1,2026-01-12T00:00:00Z,\n"
                  "4,earned,r,b1,beta,partner,beta,20.00,USD,pending,,FY2026-Q1,2026-01-13T00:00:00Z,\n"
                  "5,earned,r,b2,beta,partner,beta,1820.00,USD,pending,,FY2026-Q1,2026-01-14T00:00:00Z,\n");
    rewards_engine_free(e);
}

static void test_tiered_entries_add_up_to_rounded_total(void **state)
{
    (void)state;
    rewards_engine *e = plan(NULL);
    /* A one-bracket graduated tier at 2.5% and a plain 2.5% percent, side by side. */
    OK(eu_op(e, "reward", "id", "t", "level", "std", "name", "Tier", "trigger", "deal_won", "recipient", "partner",
             "kind", "tiered", "period", "quarter", "tiers.0.from", "0", "tiers.0.rate", "2.5%", NULL));
    OK(eu_op(e, "reward", "id", "pc", "level", "std", "name", "Pct", "trigger", "deal_won", "recipient", "partner",
             "kind", "percent", "rate", "2.5%", NULL));
    const char *ids[] = { "d1", "d2", "d3", "d4" };
    for (int i = 0; i < 4; i++)
        deal(e, "2026-01-02", ids[i], "acme", "0.30");
    /* T(c) = c x 2.5% in cents, rounded half-even:
     *   T(0.30) = 0.75c -> 1   entry 1
     *   T(0.60) = 1.50c -> 2   entry 1
     *   T(0.90) = 2.25c -> 2   entry 0: not recorded
     *   T(1.20) = 3.00c -> 3   entry 1
     * The tier entries sum to 0.03 = round(T(1.20)); the percent rounds each
     * deal on its own (0.75c -> 1 each) and sums to 0.04. */
    won(e, "2026-01-10", "d1");
    won(e, "2026-01-11", "d2");
    won(e, "2026-01-12", "d3");
    won(e, "2026-01-13", "d4");
    assert_ledger(e, LEDGER_HEADER
                  "1,earned,t,d1,acme,partner,acme,0.01,USD,pending,,FY2026-Q1,2026-01-10T00:00:00Z,\n"
                  "2,earned,pc,d1,acme,partner,acme,0.01,USD,pending,,,2026-01-10T00:00:00Z,\n"
                  "3,earned,t,d2,acme,partner,acme,0.01,USD,pending,,FY2026-Q1,2026-01-11T00:00:00Z,\n"
                  "4,earned,pc,d2,acme,partner,acme,0.01,USD,pending,,,2026-01-11T00:00:00Z,\n"
                  "5,earned,pc,d3,acme,partner,acme,0.01,USD,pending,,,2026-01-12T00:00:00Z,\n"
                  "6,earned,t,d4,acme,partner,acme,0.01,USD,pending,,FY2026-Q1,2026-01-13T00:00:00Z,\n"
                  "7,earned,pc,d4,acme,partner,acme,0.01,USD,pending,,,2026-01-13T00:00:00Z,\n");
    /* Amending d2 to 0.40 (period 1.30): T(0.70) = 1.75c -> 2, T(1.00) = 2.5c -> 2 (even), T(1.30) = 3.25c -> 3.
     * Targets: d1 1, d2 2-1 = 1, d3 2-2 = 0, d4 3-2 = 1: nothing moves in the tier.
     * The percent on d2: 0.40 x 2.5% = 1c: unchanged.  The whole ledger stays as it was. */
    amend(e, "2026-01-20", "d2", "0.40");
    /* Amending d2 to 0.50 (period 1.40): T(0.80) = 2c, T(1.10) = 2.75c -> 3, T(1.40) = 3.5c -> 4 (even).
     * Targets: d1 1, d2 2-1 = 1, d3 3-2 = 1 (was 0: +0.01), d4 4-3 = 1: one adjustment on d3, and the
     * period sums to 0.04 = round(T(1.40)).  The percent on d2: 0.50 x 2.5% = 1.25c -> 1: unchanged. */
    amend(e, "2026-01-21", "d2", "0.50");
    assert_ledger(e, LEDGER_HEADER
                  "1,earned,t,d1,acme,partner,acme,0.01,USD,pending,,FY2026-Q1,2026-01-10T00:00:00Z,\n"
                  "2,earned,pc,d1,acme,partner,acme,0.01,USD,pending,,,2026-01-10T00:00:00Z,\n"
                  "3,earned,t,d2,acme,partner,acme,0.01,USD,pending,,FY2026-Q1,2026-01-11T00:00:00Z,\n"
                  "4,earned,pc,d2,acme,partner,acme,0.01,USD,pending,,,2026-01-11T00:00:00Z,\n"
                  "5,earned,pc,d3,acme,partner,acme,0.01,USD,pending,,,2026-01-12T00:00:00Z,\n"
                  "6,earned,t,d4,acme,partner,acme,0.01,USD,pending,,FY2026-Q1,2026-01-13T00:00:00Z,\n"
                  "7,earned,pc,d4,acme,partner,acme,0.01,USD,pending,,,2026-01-13T00:00:00Z,\n"
                  "8,adjustment,t,d3,acme,partner,acme,0.01,USD,pending,,FY2026-Q1,2026-01-21T00:00:00Z,\n");
    rewards_engine_free(e);
}

/* Both programs in one engine: the default (half_even) and half_up, same rewards and deals. */
static void rounding_program(rewards_engine *e, const char *id, const char *rounding)
{
    char lvl[16], partner[16], t[16], pc[16];
    snprintf(lvl, sizeof lvl, "%s-l", id);
    snprintf(partner, sizeof partner, "%s-p", id);
    snprintf(t, sizeof t, "%s-t", id);
    snprintf(pc, sizeof pc, "%s-pc", id);
    OK(eu_op(e, "program", "id", id, "name", id, "currency", "USD", rounding ? "rounding" : NULL, rounding, NULL));
    OK(eu_op(e, "level", "id", lvl, "program", id, "name", "L", "rank:i", "1", NULL));
    OK(eu_op(e, "reward", "id", t, "program", id, "name", "Tier", "trigger", "deal_won", "recipient", "partner",
             "kind", "tiered", "period", "quarter", "tiers.0.from", "0", "tiers.0.rate", "2.5%", NULL));
    OK(eu_op(e, "reward", "id", pc, "program", id, "name", "Pct", "trigger", "deal_won", "recipient", "partner",
             "kind", "percent", "rate", "2.5%", NULL));
    OK(eu_op(e, "partner", "id", partner, "program", id, "level", lvl, "name", partner, NULL));
}

static void test_rounding_half_even_vs_half_up(void **state)
{
    (void)state;
    rewards_engine *e;
    OK(rewards_engine_new(&e, NULL));
    rounding_program(e, "ev", NULL); /* default: half_even */
    rounding_program(e, "up", "half_up");
    const char *who[] = { "ev", "up" };
    const char *amounts[] = { "1.00", "1.00", "1.40" };
    char id[16], partner[16];
    for (int w = 0; w < 2; w++)
        for (int i = 0; i < 3; i++) {
            snprintf(id, sizeof id, "%s%d", who[w], i + 1);
            snprintf(partner, sizeof partner, "%s-p", who[w]);
            deal(e, "2026-01-02", id, partner, amounts[i]);
        }
    const char *days[] = { "2026-01-10", "2026-01-11", "2026-01-12" };
    for (int i = 0; i < 3; i++)
        for (int w = 0; w < 2; w++) {
            snprintf(id, sizeof id, "%s%d", who[w], i + 1);
            won(e, days[i], id);
        }
    /* Tier, T in cents:                 half_even     half_up
     *   T(1.00) = 2.5c                  2  entry 2     3  entry 3
     *   T(2.00) = 5c                    5  entry 3     5  entry 2
     *   T(3.40) = 8.5c                  8  entry 3     9  entry 4
     *   sum                             8 = round(8.5) 9 = round(8.5)
     * Percent per deal: 1.00 -> 2.5c: 2 / 3; 1.40 -> 3.5c: 4 / 4 (half_even goes to the even 4 too). */
    assert_ledger(e, LEDGER_HEADER
                  "1,earned,ev-t,ev1,ev-p,partner,ev-p,0.02,USD,pending,,FY2026-Q1,2026-01-10T00:00:00Z,\n"
                  "2,earned,ev-pc,ev1,ev-p,partner,ev-p,0.02,USD,pending,,,2026-01-10T00:00:00Z,\n"
                  "3,earned,up-t,up1,up-p,partner,up-p,0.03,USD,pending,,FY2026-Q1,2026-01-10T00:00:00Z,\n"
                  "4,earned,up-pc,up1,up-p,partner,up-p,0.03,USD,pending,,,2026-01-10T00:00:00Z,\n"
                  "5,earned,ev-t,ev2,ev-p,partner,ev-p,0.03,USD,pending,,FY2026-Q1,2026-01-11T00:00:00Z,\n"
                  "6,earned,ev-pc,ev2,ev-p,partner,ev-p,0.02,USD,pending,,,2026-01-11T00:00:00Z,\n"
                  "7,earned,up-t,up2,up-p,partner,up-p,0.02,USD,pending,,FY2026-Q1,2026-01-11T00:00:00Z,\n"
                  "8,earned,up-pc,up2,up-p,partner,up-p,0.03,USD,pending,,,2026-01-11T00:00:00Z,\n"
                  "9,earned,ev-t,ev3,ev-p,partner,ev-p,0.03,USD,pending,,FY2026-Q1,2026-01-12T00:00:00Z,\n"
                  "10,earned,ev-pc,ev3,ev-p,partner,ev-p,0.04,USD,pending,,,2026-01-12T00:00:00Z,\n"
                  "11,earned,up-t,up3,up-p,partner,up-p,0.04,USD,pending,,FY2026-Q1,2026-01-12T00:00:00Z,\n"
                  "12,earned,up-pc,up3,up-p,partner,up-p,0.04,USD,pending,,,2026-01-12T00:00:00Z,\n");
    rewards_engine_free(e);
}

/* ---- milestones ---------------------------------------------------------- */

static void test_milestone_thresholds_and_periods(void **state)
{
    (void)state;
    rewards_engine *e = plan(NULL);
    OK(eu_op(e, "reward", "id", "ms", "level", "std", "name", "Bonus", "trigger", "deal_won", "recipient", "partner",
             "kind", "milestone", "period", "quarter", "metric", "revenue", "thresholds.0.at", "10000.00",
             "thresholds.0.bonus", "1000.00", "thresholds.1.at", "25000.00", "thresholds.1.bonus", "2500.00",
             "thresholds.2.at", "50000.00", "thresholds.2.bonus", "5000.00", NULL));
    deal(e, "2026-01-02", "d1", "acme", "30000.00");
    deal(e, "2026-01-02", "d2", "acme", "20000.00");
    deal(e, "2026-01-02", "d3", "acme", "1000.00");
    deal(e, "2026-01-02", "d4", "acme", "9999.99");
    deal(e, "2026-01-02", "d5", "acme", "0.01");
    /* d1: 0 -> 30,000 crosses 10,000 and 25,000: two entries, ascending. */
    won(e, "2026-01-10", "d1");
    /* d2: 30,000 -> 50,000 reaches the 50,000 threshold exactly: 5000.00. */
    won(e, "2026-01-11", "d2");
    /* d3: 51,000: every threshold already paid in the quarter: nothing. */
    won(e, "2026-01-12", "d3");
    /* Q2 starts from zero: d4 9,999.99 crosses nothing; d5 reaches 10,000.00: 1000.00 in FY2026-Q2. */
    won(e, "2026-04-01", "d4");
    won(e, "2026-04-02", "d5");
    assert_ledger(e, LEDGER_HEADER
                  "1,earned,ms,d1,acme,partner,acme,1000.00,USD,pending,,FY2026-Q1,2026-01-10T00:00:00Z,\n"
                  "2,earned,ms,d1,acme,partner,acme,2500.00,USD,pending,,FY2026-Q1,2026-01-10T00:00:00Z,\n"
                  "3,earned,ms,d2,acme,partner,acme,5000.00,USD,pending,,FY2026-Q1,2026-01-11T00:00:00Z,\n"
                  "4,earned,ms,d5,acme,partner,acme,1000.00,USD,pending,,FY2026-Q2,2026-04-02T00:00:00Z,\n");
    rewards_engine_free(e);
}

static void test_milestone_deals_and_units(void **state)
{
    (void)state;
    rewards_engine *e = plan(NULL);
    OK(eu_op(e, "reward", "id", "md", "level", "std", "name", "Three deals", "trigger", "deal_won", "recipient",
             "partner", "kind", "milestone", "period", "quarter", "metric", "deals", "thresholds.0.at", "3",
             "thresholds.0.bonus", "300.00", NULL));
    OK(eu_op(e, "reward", "id", "mu", "level", "std", "name", "100 seats", "trigger", "deal_won", "recipient",
             "partner", "kind", "milestone", "period", "month", "metric", "units", "thresholds.0.at", "100",
             "thresholds.0.bonus", "200.00", NULL));
    /* The deals are in JPY and no JPY rate exists: counting deals and units needs no amount. */
    const char *units[] = { "60", "39", "1", "100" };
    const char *ids[] = { "u1", "u2", "u3", "u4" };
    for (int i = 0; i < 4; i++)
        OK(eu_op(e, "deal", "at", "2026-01-02", "id", ids[i], "partner", "acme", "currency", "JPY", "amount",
                 "100000", "units:i", units[i], NULL));
    /* u1 60 units, u2 99, u3 reaches 100 units in January and is the third deal of Q1:
     * md 300.00 then mu 200.00 (reward creation order). */
    won(e, "2026-01-10", "u1");
    won(e, "2026-01-11", "u2");
    won(e, "2026-01-12", "u3");
    /* u4 in February: 100 units in FY2026-M02 -> 200.00; the fourth deal of Q1 -> nothing. */
    won(e, "2026-02-01", "u4");
    assert_ledger(e, LEDGER_HEADER
                  "1,earned,md,u3,acme,partner,acme,300.00,USD,pending,,FY2026-Q1,2026-01-12T00:00:00Z,\n"
                  "2,earned,mu,u3,acme,partner,acme,200.00,USD,pending,,FY2026-M01,2026-01-12T00:00:00Z,\n"
                  "3,earned,mu,u4,acme,partner,acme,200.00,USD,pending,,FY2026-M02,2026-02-01T00:00:00Z,\n");
    rewards_engine_free(e);
}

static void test_milestone_uncrossed_by_clawback(void **state)
{
    (void)state;
    rewards_engine *e = plan(NULL);
    OK(eu_op(e, "reward", "id", "ms", "level", "std", "name", "Bonus", "trigger", "deal_won", "recipient", "partner",
             "kind", "milestone", "period", "quarter", "metric", "revenue", "clawback_days:i", "30",
             "thresholds.0.at", "10000.00", "thresholds.0.bonus", "1000.00", NULL));
    deal(e, "2026-01-02", "a1", "acme", "6000.00");
    deal(e, "2026-01-02", "a2", "acme", "5000.00");
    deal(e, "2026-01-02", "a3", "acme", "5000.00");
    deal(e, "2026-01-02", "b1", "beta", "6000.00");
    deal(e, "2026-01-02", "b2", "beta", "5000.00");
    deal(e, "2026-01-02", "b3", "beta", "5000.00");
    won(e, "2026-01-10", "a1");
    won(e, "2026-01-10", "b1");
    /* a2 and b2 take their partner from 6,000 to 11,000: 1000.00 each. */
    won(e, "2026-01-11", "a2");
    won(e, "2026-01-11", "b2");
    /* b3: 16,000, the threshold is paid: nothing. */
    won(e, "2026-01-12", "b3");
    /* acme: the crossing deal a2 is cancelled 9 days after its trigger: its bonus is reversed (-1000.00). */
    stage(e, "2026-01-20", "a2", "cancelled");
    /* a3 now crosses again (6,000 -> 11,000 without a2): 1000.00, the threshold's one payment this quarter. */
    won(e, "2026-01-21", "a3");
    /* beta: b1 (no bonus of its own) is cancelled 15 days after its trigger: b2 now runs 0 -> 5,000
     * and no longer crosses (adjustment -1000.00), b3 runs 5,000 -> 10,000 and now crosses (+1000.00),
     * in trigger order. */
    stage(e, "2026-01-25", "b1", "cancelled");
    /* a1 cancelled 31 days after its trigger: outside the window, nothing moves. */
    stage(e, "2026-02-10", "a1", "cancelled");
    assert_ledger(e, LEDGER_HEADER
                  "1,earned,ms,a2,acme,partner,acme,1000.00,USD,pending,,FY2026-Q1,2026-01-11T00:00:00Z,\n"
                  "2,earned,ms,b2,beta,partner,beta,1000.00,USD,pending,,FY2026-Q1,2026-01-11T00:00:00Z,\n"
                  "3,reversal,ms,a2,acme,partner,acme,-1000.00,USD,pending,,FY2026-Q1,2026-01-20T00:00:00Z,\n"
                  "4,earned,ms,a3,acme,partner,acme,1000.00,USD,pending,,FY2026-Q1,2026-01-21T00:00:00Z,\n"
                  "5,adjustment,ms,b2,beta,partner,beta,-1000.00,USD,pending,,FY2026-Q1,2026-01-25T00:00:00Z,\n"
                  "6,adjustment,ms,b3,beta,partner,beta,1000.00,USD,pending,,FY2026-Q1,2026-01-25T00:00:00Z,\n");
    rewards_engine_free(e);
}

/* ---- caps ---------------------------------------------------------------- */

static void test_cap_per_deal(void **state)
{
    (void)state;
    rewards_engine *e = plan(NULL);
    OK(eu_op(e, "reward", "id", "pc", "level", "std", "name", "Pct", "trigger", "deal_won", "recipient", "partner",
             "kind", "percent", "rate", "10%", "cap_per_deal", "500.00", NULL));
    OK(eu_op(e, "reward", "id", "fx", "level", "std", "name", "Fixed", "trigger", "deal_won", "recipient", "partner",
             "kind", "fixed", "amount", "200.00", "cap_per_deal", "150.00", NULL));
    OK(eu_op(e, "reward", "id", "tc", "level", "std", "name", "Tier", "trigger", "deal_won", "recipient", "partner",
             "kind", "tiered", "period", "quarter", "tiers.0.from", "0", "tiers.0.rate", "5%", "tiers.1.from",
             "10000.00", "tiers.1.rate", "8%", "cap_per_deal", "300.00", NULL));
    deal(e, "2026-01-02", "d1", "acme", "10000.00");
    deal(e, "2026-01-02", "d2", "acme", "2000.00");
    /* d1: pc 1000.00 -> cap 500.00; fx 200.00 -> cap 150.00; tc T(10000) = 500.00 -> cap 300.00. */
    won(e, "2026-01-10", "d1");
    /* d2: pc 200.00; fx 150.00; tc T(12000) - T(10000) = 660.00 - 500.00 = 160.00 (the cap limits what d2
     * earns, not the cumulative amount the brackets see). */
    won(e, "2026-01-11", "d2");
    /* d2 amended to 8000.00: pc 800.00 -> 500.00 (+300.00); fx unchanged; tc T(18000) - T(10000) =
     * 1140.00 - 500.00 = 640.00 -> 300.00 (+140.00). */
    amend(e, "2026-01-20", "d2", "8000.00");
    assert_ledger(e, LEDGER_HEADER
                  "1,earned,pc,d1,acme,partner,acme,500.00,USD,pending,,,2026-01-10T00:00:00Z,\n"
                  "2,earned,fx,d1,acme,partner,acme,150.00,USD,pending,,,2026-01-10T00:00:00Z,\n"
                  "3,earned,tc,d1,acme,partner,acme,300.00,USD,pending,,FY2026-Q1,2026-01-10T00:00:00Z,\n"
                  "4,earned,pc,d2,acme,partner,acme,200.00,USD,pending,,,2026-01-11T00:00:00Z,\n"
                  "5,earned,fx,d2,acme,partner,acme,150.00,USD,pending,,,2026-01-11T00:00:00Z,\n"
                  "6,earned,tc,d2,acme,partner,acme,160.00,USD,pending,,FY2026-Q1,2026-01-11T00:00:00Z,\n"
                  "7,adjustment,pc,d2,acme,partner,acme,300.00,USD,pending,,,2026-01-20T00:00:00Z,\n"
                  "8,adjustment,tc,d2,acme,partner,acme,140.00,USD,pending,,FY2026-Q1,2026-01-20T00:00:00Z,\n");
    rewards_engine_free(e);
}

static void test_cap_per_period(void **state)
{
    (void)state;
    rewards_engine *e = plan(NULL);
    OK(eu_op(e, "reward", "id", "cp", "level", "std", "name", "Capped", "trigger", "deal_won", "recipient", "partner",
             "kind", "percent", "rate", "10%", "clawback_days:i", "30", "period", "month", "cap_per_period",
             "1000.00", NULL));
    OK(eu_op(e, "reward", "id", "both", "level", "std", "name", "Both caps", "trigger", "deal_won", "recipient",
             "partner", "kind", "percent", "rate", "10%", "period", "quarter", "cap_per_deal", "500.00",
             "cap_per_period", "800.00", "when", "partner.id == \"beta\"", NULL));
    for (int i = 1; i <= 4; i++) {
        char id[8];
        snprintf(id, sizeof id, "d%d", i);
        deal(e, "2026-01-02", id, "acme", "6000.00");
    }
    deal(e, "2026-01-02", "b1", "beta", "10000.00");
    deal(e, "2026-01-02", "b2", "beta", "10000.00");
    /* January, cap 1000.00: d1 600.00 (room 1000); d2 600.00 -> room 400.00; d3 600.00 -> room 0: nothing. */
    won(e, "2026-01-10", "d1");
    won(e, "2026-01-11", "d2");
    won(e, "2026-01-12", "d3");
    /* February starts from zero: d4 600.00. */
    won(e, "2026-02-01", "d4");
    /* d1 amended to 2000.00 frees room in January, recomputed in trigger order: d1 200.00 (-400.00),
     * d2 600.00 (room 800: +200.00), d3 200.00 (room 200: +200.00).  February is another group. */
    amend(e, "2026-02-02", "d1", "2000.00");
    /* d2 cancelled 25 days after its trigger: reversal -600.00; d3 gets room 800: 600.00 (+400.00). */
    stage(e, "2026-02-05", "d2", "cancelled");
    /* beta, both caps: b1 1000.00 -> per deal 500.00; b2 500.00 -> room 300.00 of the period's 800.00. */
    won(e, "2026-02-06", "b1");
    won(e, "2026-02-07", "b2");
    assert_ledger(e, LEDGER_HEADER
                  "1,earned,cp,d1,acme,partner,acme,600.00,USD,pending,,FY2026-M01,2026-01-10T00:00:00Z,\n"
                  "2,earned,cp,d2,acme,partner,acme,400.00,USD,pending,,FY2026-M01,2026-01-11T00:00:00Z,\n"
                  "3,earned,cp,d4,acme,partner,acme,600.00,USD,pending,,FY2026-M02,2026-02-01T00:00:00Z,\n"
                  "4,adjustment,cp,d1,acme,partner,acme,-400.00,USD,pending,,FY2026-M01,2026-02-02T00:00:00Z,\n"
                  "5,adjustment,cp,d2,acme,partner,acme,200.00,USD,pending,,FY2026-M01,2026-02-02T00:00:00Z,\n"
                  "6,adjustment,cp,d3,acme,partner,acme,200.00,USD,pending,,FY2026-M01,2026-02-02T00:00:00Z,\n"
                  "7,reversal,cp,d2,acme,partner,acme,-600.00,USD,pending,,FY2026-M01,2026-02-05T00:00:00Z,\n"
                  "8,adjustment,cp,d3,acme,partner,acme,400.00,USD,pending,,FY2026-M01,2026-02-05T00:00:00Z,\n"
                  "9,earned,cp,b1,beta,partner,beta,1000.00,USD,pending,,FY2026-M02,2026-02-06T00:00:00Z,\n"
                  "10,earned,both,b1,beta,partner,beta,500.00,USD,pending,,FY2026-Q1,2026-02-06T00:00:00Z,\n"
                  "11,earned,both,b2,beta,partner,beta,300.00,USD,pending,,FY2026-Q1,2026-02-07T00:00:00Z,\n");
    rewards_engine_free(e);
}

static void test_caps_rejected_where_they_do_not_apply(void **state)
{
    (void)state;
    rewards_engine *e = plan(NULL);
    char *before = eu_fingerprint(e);
    assert_int_equal(eu_op(e, "reward", "id", "ms", "level", "std", "name", "M", "trigger", "deal_won", "recipient",
                           "partner", "kind", "milestone", "period", "quarter", "metric", "deals", "thresholds.0.at",
                           "3", "thresholds.0.bonus", "10.00", "cap_per_deal", "5.00", NULL),
                     REWARDS_INVALID_ARGUMENT);
    assert_int_equal(eu_op(e, "reward", "id", "ms", "level", "std", "name", "M", "trigger", "deal_won", "recipient",
                           "partner", "kind", "milestone", "period", "quarter", "metric", "deals", "thresholds.0.at",
                           "3", "thresholds.0.bonus", "10.00", "cap_per_period", "5.00", NULL),
                     REWARDS_INVALID_ARGUMENT);
    assert_int_equal(eu_op(e, "reward", "id", "pt", "level", "std", "name", "P", "trigger", "deal_won", "recipient",
                           "partner", "kind", "points", "points", "10", "cap_per_deal", "5.00", NULL),
                     REWARDS_INVALID_ARGUMENT);
    assert_int_equal(eu_op(e, "reward", "id", "pt", "level", "std", "name", "P", "trigger", "deal_won", "recipient",
                           "partner", "kind", "points", "period", "month", "points_per_unit", "1",
                           "cap_per_period", "5.00", NULL),
                     REWARDS_INVALID_ARGUMENT);
    /* cap_per_period needs a period */
    assert_int_equal(eu_op(e, "reward", "id", "pc", "level", "std", "name", "P", "trigger", "deal_won", "recipient",
                           "partner", "kind", "percent", "rate", "1%", "cap_per_period", "5.00", NULL),
                     REWARDS_INVALID_ARGUMENT);
    char *after = eu_fingerprint(e);
    assert_string_equal(before, after);
    assert_null(rewards_engine_find_reward(e, "ms"));
    assert_null(rewards_engine_find_reward(e, "pt"));
    assert_null(rewards_engine_find_reward(e, "pc"));
    free(before);
    free(after);
    rewards_engine_free(e);
}

/* SPEC section 3: every rate is 0% to 100% inclusive; above is invalid_argument
 * with a message saying so, and nothing changes. */
static void test_rates_above_100_percent_refused(void **state)
{
    (void)state;
    rewards_engine *e = plan(NULL);
    char *before = eu_fingerprint(e);
    static const char *const bad[] = { "101%", "100.0001%", "250%", "922337203685477.5807%", "99999999999999999999%" };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        assert_int_equal(eu_op(e, "reward", "id", "pc", "level", "std", "name", "P", "trigger", "deal_won",
                               "recipient", "partner", "kind", "percent", "rate", bad[i], NULL),
                         REWARDS_INVALID_ARGUMENT);
        assert_non_null(strstr(rewards_engine_errmsg(e), "above 100%"));
        assert_int_equal(eu_op(e, "reward", "id", "tr", "level", "std", "name", "T", "trigger", "deal_won",
                               "recipient", "partner", "kind", "tiered", "period", "quarter", "tiers.0.from", "0",
                               "tiers.0.rate", "5%", "tiers.1.from", "100.00", "tiers.1.rate", bad[i], NULL),
                         REWARDS_INVALID_ARGUMENT);
        assert_non_null(strstr(rewards_engine_errmsg(e), "tiers.1.rate"));
        assert_int_equal(eu_op(e, "reward", "id", "tr", "level", "std", "name", "T", "trigger", "deal_won",
                               "recipient", "partner", "kind", "tiered", "period", "quarter", "tiers.0.from", "0",
                               "tiers.0.rate", bad[i], NULL),
                         REWARDS_INVALID_ARGUMENT);
    }
    char *after = eu_fingerprint(e);
    assert_string_equal(before, after);
    free(before);
    free(after);
    /* the bounds themselves are rates */
    assert_ok(e, eu_op(e, "reward", "id", "all", "level", "std", "name", "All", "trigger", "deal_won", "recipient",
                       "partner", "kind", "percent", "rate", "100%", NULL));
    assert_ok(e, eu_op(e, "reward", "id", "none", "level", "std", "name", "None", "trigger", "deal_won", "recipient",
                       "partner", "kind", "tiered", "period", "quarter", "tiers.0.from", "0", "tiers.0.rate", "0%",
                       "tiers.1.from", "1.00", "tiers.1.rate", "100.0000%", NULL));
    rewards_engine_free(e);
}

/* ---- clawback ------------------------------------------------------------ */

static void test_clawback_window_edges(void **state)
{
    (void)state;
    rewards_engine *e = plan(NULL);
    OK(eu_op(e, "reward", "id", "pc", "level", "std", "name", "Pct", "trigger", "deal_won", "recipient", "partner",
             "kind", "percent", "rate", "10%", "clawback_days:i", "30", NULL));
    OK(eu_op(e, "reward", "id", "nc", "level", "std", "name", "No clawback", "trigger", "deal_won", "recipient",
             "partner", "kind", "fixed", "amount", "50.00", NULL));
    OK(eu_op(e, "reward", "id", "z0", "level", "std", "name", "Zero days", "trigger", "deal_won", "recipient",
             "partner", "kind", "fixed", "amount", "7.00", "clawback_days:i", "0", NULL));
    deal(e, "2025-12-20", "d1", "acme", "1000.00");
    deal(e, "2025-12-20", "d2", "acme", "1000.00");
    deal(e, "2025-12-20", "d3", "acme", "1000.00");
    deal(e, "2025-12-20", "d4", "acme", "1000.00");
    won(e, "2026-01-01T00:00:00Z", "d1");
    won(e, "2026-01-01T00:00:00Z", "d2");
    won(e, "2026-01-01T00:00:00Z", "d3");
    won(e, "2026-01-01T00:00:00Z", "d4");
    /* d4 cancelled at the very second of its trigger (c - t = 0): nc (no clawback_days) and z0 (0 days:
     * no clawback either, even at distance 0) keep their entries; pc: -100.00. */
    stage(e, "2026-01-01T00:00:00Z", "d4", "cancelled");
    /* d3 cancelled one second after its trigger: the same. */
    stage(e, "2026-01-01T00:00:01Z", "d3", "cancelled");
    /* d1 cancelled exactly 30 x 86400 s after the trigger: inside (c - t <= days x 86400): -100.00. */
    stage(e, "2026-01-31T00:00:00Z", "d1", "cancelled");
    /* d2 cancelled one second later: outside: nothing. */
    stage(e, "2026-01-31T00:00:01Z", "d2", "cancelled");
    assert_ledger(e, LEDGER_HEADER
                  "1,earned,pc,d1,acme,partner,acme,100.00,USD,pending,,,2026-01-01T00:00:00Z,\n"
                  "2,earned,nc,d1,acme,partner,acme,50.00,USD,pending,,,2026-01-01T00:00:00Z,\n"
                  "3,earned,z0,d1,acme,partner,acme,7.00,USD,pending,,,2026-01-01T00:00:00Z,\n"
                  "4,earned,pc,d2,acme,partner,acme,100.00,USD,pending,,,2026-01-01T00:00:00Z,\n"
                  "5,earned,nc,d2,acme,partner,acme,50.00,USD,pending,,,2026-01-01T00:00:00Z,\n"
                  "6,earned,z0,d2,acme,partner,acme,7.00,USD,pending,,,2026-01-01T00:00:00Z,\n"
                  "7,earned,pc,d3,acme,partner,acme,100.00,USD,pending,,,2026-01-01T00:00:00Z,\n"
                  "8,earned,nc,d3,acme,partner,acme,50.00,USD,pending,,,2026-01-01T00:00:00Z,\n"
                  "9,earned,z0,d3,acme,partner,acme,7.00,USD,pending,,,2026-01-01T00:00:00Z,\n"
                  "10,earned,pc,d4,acme,partner,acme,100.00,USD,pending,,,2026-01-01T00:00:00Z,\n"
                  "11,earned,nc,d4,acme,partner,acme,50.00,USD,pending,,,2026-01-01T00:00:00Z,\n"
                  "12,earned,z0,d4,acme,partner,acme,7.00,USD,pending,,,2026-01-01T00:00:00Z,\n"
                  "13,reversal,pc,d4,acme,partner,acme,-100.00,USD,pending,,,2026-01-01T00:00:00Z,\n"
                  "14,reversal,pc,d3,acme,partner,acme,-100.00,USD,pending,,,2026-01-01T00:00:01Z,\n"
                  "15,reversal,pc,d1,acme,partner,acme,-100.00,USD,pending,,,2026-01-31T00:00:00Z,\n");
    assert_string_equal(rewards_deal_stage(rewards_engine_find_deal(e, "d2")), "cancelled");
    rewards_engine_free(e);
}

static void test_lost_never_claws_back(void **state)
{
    (void)state;
    rewards_engine *e = plan(NULL);
    OK(eu_op(e, "reward", "id", "reg", "level", "std", "name", "Registration", "trigger", "deal_registered",
             "recipient", "partner", "kind", "fixed", "amount", "50.00", "clawback_days:i", "30", NULL));
    OK(eu_op(e, "reward", "id", "app", "level", "std", "name", "Approval", "trigger", "deal_approved", "recipient",
             "partner", "kind", "percent", "rate", "2%", "clawback_days:i", "30", NULL));
    deal(e, "2026-01-02", "d1", "acme", "1000.00");
    stage(e, "2026-01-03", "d1", "approved");
    /* 50.00 on registration, 1000 x 2% = 20.00 on approval; lost a day later, well inside 30 days: nothing. */
    stage(e, "2026-01-04", "d1", "lost");
    /* lost is final: no cancellation, no amendment */
    char *before = eu_fingerprint(e);
    assert_int_equal(eu_op(e, "stage", "at", "2026-01-05", "deal", "d1", "stage", "cancelled", NULL),
                     REWARDS_INVALID_TRANSITION);
    assert_int_equal(eu_op(e, "amend", "at", "2026-01-05", "deal", "d1", "amount", "1.00", NULL),
                     REWARDS_INVALID_TRANSITION);
    char *after = eu_fingerprint(e);
    assert_string_equal(before, after);
    free(before);
    free(after);
    assert_ledger(e, LEDGER_HEADER
                  "1,earned,reg,d1,acme,partner,acme,50.00,USD,pending,,,2026-01-02T00:00:00Z,\n"
                  "2,earned,app,d1,acme,partner,acme,20.00,USD,pending,,,2026-01-03T00:00:00Z,\n");
    rewards_engine_free(e);
}

static void test_cancel_voids_each_reward_by_its_own_window(void **state)
{
    (void)state;
    rewards_engine *e = plan(NULL);
    OK(eu_op(e, "reward", "id", "a", "level", "std", "name", "A", "trigger", "deal_won", "recipient", "partner",
             "kind", "percent", "rate", "10%", "clawback_days:i", "10", NULL));
    OK(eu_op(e, "reward", "id", "b", "level", "std", "name", "B", "trigger", "deal_won", "recipient", "partner",
             "kind", "fixed", "amount", "100.00", "clawback_days:i", "60", NULL));
    OK(eu_op(e, "reward", "id", "c", "level", "std", "name", "C", "trigger", "deal_contract_started", "recipient",
             "partner", "kind", "percent", "rate", "5%", "clawback_days:i", "10", NULL));
    deal(e, "2025-12-20", "d1", "acme", "1000.00");
    won(e, "2026-01-01", "d1");
    stage(e, "2026-01-21", "d1", "contract_started");
    /* cancelled 25 days after won and 5 after contract_started: a (10 days) keeps its 100.00; b (60 days)
     * is reversed; c (10 days, triggered 5 days before) is reversed; b's contribution came first. */
    stage(e, "2026-01-26", "d1", "cancelled");
    assert_ledger(e, LEDGER_HEADER
                  "1,earned,a,d1,acme,partner,acme,100.00,USD,pending,,,2026-01-01T00:00:00Z,\n"
                  "2,earned,b,d1,acme,partner,acme,100.00,USD,pending,,,2026-01-01T00:00:00Z,\n"
                  "3,earned,c,d1,acme,partner,acme,50.00,USD,pending,,,2026-01-21T00:00:00Z,\n"
                  "4,reversal,b,d1,acme,partner,acme,-100.00,USD,pending,,,2026-01-26T00:00:00Z,\n"
                  "5,reversal,c,d1,acme,partner,acme,-50.00,USD,pending,,,2026-01-26T00:00:00Z,\n");
    rewards_engine_free(e);
}

static void test_cancel_with_two_payments_in_one_group(void **state)
{
    (void)state;
    rewards_engine *e = plan(NULL);
    /* commission on cash collected, tiered over the quarter: 5% up to 1,000.00, 10% above */
    OK(eu_op(e, "reward", "id", "cash", "level", "std", "name", "Cash", "trigger", "deal_paid", "recipient",
             "partner", "kind", "tiered", "period", "quarter", "clawback_days:i", "10", "tiers.0.from", "0",
             "tiers.0.rate", "5%", "tiers.1.from", "1000.00", "tiers.1.rate", "10%", NULL));
    const char *ids[] = { "a1", "a2", "b1", "b2" };
    for (int i = 0; i < 4; i++) {
        deal(e, "2026-01-02", ids[i], i < 2 ? "acme" : "beta", "5000.00");
        won(e, "2026-01-02", ids[i]);
    }
    /* beta: b1 600.00 -> T(600) = 30.00 */
    OK(eu_op(e, "payment", "at", "2026-01-03", "deal", "b1", "amount", "600.00", NULL));
    /* acme: a1 600.00 -> 30.00; a1 600.00 -> T(1200) - T(600) = (50 + 20) - 30 = 40.00;
     * a2 500.00 -> T(1700) - T(1200) = (50 + 70) - 70 = 50.00 */
    OK(eu_op(e, "payment", "at", "2026-01-10", "deal", "a1", "amount", "600.00", NULL));
    OK(eu_op(e, "payment", "at", "2026-01-11", "deal", "a1", "amount", "600.00", NULL));
    OK(eu_op(e, "payment", "at", "2026-01-12", "deal", "a2", "amount", "500.00", NULL));
    /* beta: b1 600.00 -> 40.00; b2 500.00 -> 50.00 */
    OK(eu_op(e, "payment", "at", "2026-01-15", "deal", "b1", "amount", "600.00", NULL));
    OK(eu_op(e, "payment", "at", "2026-01-16", "deal", "b2", "amount", "500.00", NULL));
    /* a1 cancelled 10 and 9 days after its payments: both voided, one reversal each (-30.00, -40.00),
     * and a2 now runs 0 -> 500: T(500) = 25.00, -25.00.  One correction per contribution, however many
     * of the group's contributions the cancellation voids. */
    stage(e, "2026-01-20", "a1", "cancelled");
    /* b1 cancelled 17 and 5 days after its payments: only the second is voided (-40.00); b2 now runs
     * 600 -> 1100: T(1100) - T(600) = 60 - 30 = 30.00, -20.00. */
    stage(e, "2026-01-20", "b1", "cancelled");
    assert_ledger(e, LEDGER_HEADER
                  "1,earned,cash,b1,beta,partner,beta,30.00,USD,pending,,FY2026-Q1,2026-01-03T00:00:00Z,\n"
                  "2,earned,cash,a1,acme,partner,acme,30.00,USD,pending,,FY2026-Q1,2026-01-10T00:00:00Z,\n"
                  "3,earned,cash,a1,acme,partner,acme,40.00,USD,pending,,FY2026-Q1,2026-01-11T00:00:00Z,\n"
                  "4,earned,cash,a2,acme,partner,acme,50.00,USD,pending,,FY2026-Q1,2026-01-12T00:00:00Z,\n"
                  "5,earned,cash,b1,beta,partner,beta,40.00,USD,pending,,FY2026-Q1,2026-01-15T00:00:00Z,\n"
                  "6,earned,cash,b2,beta,partner,beta,50.00,USD,pending,,FY2026-Q1,2026-01-16T00:00:00Z,\n"
                  "7,reversal,cash,a1,acme,partner,acme,-30.00,USD,pending,,FY2026-Q1,2026-01-20T00:00:00Z,\n"
                  "8,reversal,cash,a1,acme,partner,acme,-40.00,USD,pending,,FY2026-Q1,2026-01-20T00:00:00Z,\n"
                  "9,adjustment,cash,a2,acme,partner,acme,-25.00,USD,pending,,FY2026-Q1,2026-01-20T00:00:00Z,\n"
                  "10,reversal,cash,b1,beta,partner,beta,-40.00,USD,pending,,FY2026-Q1,2026-01-20T00:00:00Z,\n"
                  "11,adjustment,cash,b2,beta,partner,beta,-20.00,USD,pending,,FY2026-Q1,2026-01-20T00:00:00Z,\n");
    rewards_engine_free(e);
}

/* ---- amendments, renewals, payments -------------------------------------- */

static void test_amend_after_payout(void **state)
{
    (void)state;
    rewards_engine *e = plan(NULL);
    OK(eu_op(e, "reward", "id", "pc", "level", "std", "name", "Pct", "trigger", "deal_won", "recipient", "partner",
             "kind", "percent", "rate", "10%", "auto_approve:b", "true", NULL));
    deal(e, "2026-01-02", "d1", "acme", "1000.00");
    deal(e, "2026-01-02", "d2", "acme", "500.00");
    won(e, "2026-01-10", "d1"); /* 100.00, approved */
    OK(eu_op(e, "payout", "at", "2026-02-01", "id", "p1", "until", "2026-01-31", NULL));
    /* 1500 x 10% = 150.00: +50.00; entry 1 stays paid in p1 for 100.00. */
    amend(e, "2026-02-02", "d1", "1500.00");
    OK(eu_op(e, "payout", "at", "2026-02-03", "id", "p2", "until", "2026-02-03", NULL));
    /* 1200 x 10% = 120.00: -30.00; d2 500 x 10% = 50.00; p3 nets 50.00 - 30.00 = 20.00 over 2 entries. */
    amend(e, "2026-02-04", "d1", "1200.00");
    won(e, "2026-02-04", "d2");
    OK(eu_op(e, "payout", "at", "2026-02-05", "id", "p3", "until", "2026-02-05", NULL));
    /* 900 x 10% = 90.00: -30.00, alone: p4's group sums below zero and is carried forward (no line). */
    amend(e, "2026-02-06", "d1", "900.00");
    OK(eu_op(e, "payout", "at", "2026-02-07", "id", "p4", "until", "2026-02-07", NULL));
    assert_ledger(e, LEDGER_HEADER
                  "1,earned,pc,d1,acme,partner,acme,100.00,USD,paid,,,2026-01-10T00:00:00Z,p1\n"
                  "2,adjustment,pc,d1,acme,partner,acme,50.00,USD,paid,,,2026-02-02T00:00:00Z,p2\n"
                  "3,adjustment,pc,d1,acme,partner,acme,-30.00,USD,paid,,,2026-02-04T00:00:00Z,p3\n"
                  "4,earned,pc,d2,acme,partner,acme,50.00,USD,paid,,,2026-02-04T00:00:00Z,p3\n"
                  "5,adjustment,pc,d1,acme,partner,acme,-30.00,USD,approved,,,2026-02-06T00:00:00Z,\n");
    assert_payouts(e, PAYOUTS_HEADER
                   "p1,partner,acme,Acme,acme,Acme,USD,100.00,1\n"
                   "p2,partner,acme,Acme,acme,Acme,USD,50.00,1\n"
                   "p3,partner,acme,Acme,acme,Acme,USD,20.00,2\n");
    rewards_engine_free(e);
}

static void test_amend_spares_renewals_and_payments(void **state)
{
    (void)state;
    rewards_engine *e = plan(NULL);
    OK(eu_op(e, "reward", "id", "w", "level", "std", "name", "Won", "trigger", "deal_won", "recipient", "partner",
             "kind", "percent", "rate", "10%", NULL));
    OK(eu_op(e, "reward", "id", "ren", "level", "std", "name", "Renewal", "trigger", "deal_renewed", "recipient",
             "partner", "kind", "percent", "rate", "2.5%", NULL));
    OK(eu_op(e, "reward", "id", "pay", "level", "std", "name", "Cash", "trigger", "deal_paid", "recipient", "partner",
             "kind", "percent", "rate", "8%", NULL));
    deal(e, "2026-01-02", "d1", "acme", "1000.00");
    /* no payment before the deal is won */
    assert_int_equal(eu_op(e, "payment", "at", "2026-01-03", "deal", "d1", "amount", "10.00", NULL),
                     REWARDS_INVALID_TRANSITION);
    won(e, "2026-01-10", "d1");                  /* 1000 x 10% = 100.00 */
    stage(e, "2026-01-11", "d1", "contract_started");
    OK(eu_op(e, "stage", "at", "2026-02-01", "deal", "d1", "stage", "renewed", "amount", "600.00", NULL)); /* 15.00 */
    OK(eu_op(e, "stage", "at", "2026-03-01", "deal", "d1", "stage", "renewed", "amount", "800.00", NULL)); /* 20.00 */
    OK(eu_op(e, "payment", "at", "2026-03-02", "deal", "d1", "amount", "400.00", NULL));                   /* 32.00 */
    /* 250.50 x 8% = 20.04 */
    OK(eu_op(e, "payment", "at", "2026-03-03", "deal", "d1", "amount", "250.50", NULL));
    /* amending the deal to 2000.00 moves only the won trigger: 200.00, +100.00 */
    amend(e, "2026-03-04", "d1", "2000.00");
    assert_string_equal(rewards_deal_stage(rewards_engine_find_deal(e, "d1")), "contract_started");
    assert_ledger(e, LEDGER_HEADER
                  "1,earned,w,d1,acme,partner,acme,100.00,USD,pending,,,2026-01-10T00:00:00Z,\n"
                  "2,earned,ren,d1,acme,partner,acme,15.00,USD,pending,,,2026-02-01T00:00:00Z,\n"
                  "3,earned,ren,d1,acme,partner,acme,20.00,USD,pending,,,2026-03-01T00:00:00Z,\n"
                  "4,earned,pay,d1,acme,partner,acme,32.00,USD,pending,,,2026-03-02T00:00:00Z,\n"
                  "5,earned,pay,d1,acme,partner,acme,20.04,USD,pending,,,2026-03-03T00:00:00Z,\n"
                  "6,adjustment,w,d1,acme,partner,acme,100.00,USD,pending,,,2026-03-04T00:00:00Z,\n");
    rewards_engine_free(e);
}

/* ---- FX ------------------------------------------------------------------- */

static void test_fx_rate_selection(void **state)
{
    (void)state;
    rewards_engine *e = plan(NULL);
    OK(eu_op(e, "reward", "id", "pc", "level", "std", "name", "Pct", "trigger", "deal_won", "recipient", "partner",
             "kind", "percent", "rate", "10%", NULL));
    deal_in(e, "2026-01-09", "e1", "acme", "EUR", "1000.00");
    deal_in(e, "2026-01-09", "e2", "acme", "EUR", "1000.00");
    deal_in(e, "2026-01-09", "e3", "acme", "EUR", "1000.00");
    deal_in(e, "2026-01-09", "g1", "acme", "GBP", "1000.00");
    OK(eu_op(e, "fx", "at", "2026-01-10", "from", "EUR", "to", "USD", "rate", "1.1", NULL));
    /* a rate registered exactly at the trigger time is in force: 1000 EUR x 1.1 = 1100.00 USD -> 110.00 */
    won(e, "2026-01-10", "e1");
    OK(eu_op(e, "fx", "at", "2026-01-11", "from", "EUR", "to", "USD", "rate", "1.2", NULL));
    /* the 1.1 rate is superseded: 1200.00 -> 120.00 */
    won(e, "2026-01-12", "e2");
    OK(eu_op(e, "fx", "at", "2026-01-13", "from", "EUR", "to", "USD", "rate", "1.3", NULL));
    OK(eu_op(e, "fx", "at", "2026-01-13", "from", "EUR", "to", "USD", "rate", "1.4", NULL));
    /* two rates at the same time: the last registered wins: 1400.00 -> 140.00 */
    won(e, "2026-01-13", "e3");
    /* GBP: only the inverse (USD->GBP) and a cross (GBP->EUR, EUR->USD) exist: no rate, nothing changes */
    OK(eu_op(e, "fx", "at", "2026-01-14", "from", "USD", "to", "GBP", "rate", "0.8", NULL));
    OK(eu_op(e, "fx", "at", "2026-01-14", "from", "GBP", "to", "EUR", "rate", "1.15", NULL));
    char *before = eu_fingerprint(e);
    assert_int_equal(eu_op(e, "stage", "at", "2026-01-15", "deal", "g1", "stage", "won", NULL), REWARDS_NO_FX_RATE);
    char *after = eu_fingerprint(e);
    assert_string_equal(before, after);
    free(before);
    free(after);
    assert_string_equal(rewards_deal_stage(rewards_engine_find_deal(e, "g1")), "registered");
    /* e1 amended to 2000 EUR is revalued at its trigger's rate (1.1), not today's 1.4: 2200.00 -> 220.00, +110.00 */
    amend(e, "2026-01-20", "e1", "2000.00");
    assert_ledger(e, LEDGER_HEADER
                  "1,earned,pc,e1,acme,partner,acme,110.00,USD,pending,,,2026-01-10T00:00:00Z,\n"
                  "2,earned,pc,e2,acme,partner,acme,120.00,USD,pending,,,2026-01-12T00:00:00Z,\n"
                  "3,earned,pc,e3,acme,partner,acme,140.00,USD,pending,,,2026-01-13T00:00:00Z,\n"
                  "4,adjustment,pc,e1,acme,partner,acme,110.00,USD,pending,,,2026-01-20T00:00:00Z,\n");
    rewards_engine_free(e);
}

static void test_fx_needed_only_for_amounts(void **state)
{
    (void)state;
    rewards_engine *e = plan(NULL);
    OK(eu_op(e, "reward", "id", "fix", "level", "std", "name", "Fixed", "trigger", "deal_won", "recipient",
             "partner", "kind", "fixed", "amount", "25.00", NULL));
    OK(eu_op(e, "reward", "id", "usd", "level", "std", "name", "USD only", "trigger", "deal_won", "recipient",
             "partner", "kind", "percent", "rate", "10%", "when", "deal.currency == \"USD\"", NULL));
    OK(eu_op(e, "reward", "id", "cs", "level", "std", "name", "On start", "trigger", "deal_contract_started",
             "recipient", "partner", "kind", "percent", "rate", "5%", NULL));
    deal_in(e, "2026-01-02", "j1", "acme", "JPY", "100000");
    /* the fixed reward needs no amount and the percent's condition is false: no rate is needed */
    won(e, "2026-01-10", "j1");
    /* contract_started fires a percent that needs the amount: no_fx_rate, and nothing changes */
    char *before = eu_fingerprint(e);
    assert_int_equal(eu_op(e, "stage", "at", "2026-01-11", "deal", "j1", "stage", "contract_started", NULL),
                     REWARDS_NO_FX_RATE);
    char *after = eu_fingerprint(e);
    assert_string_equal(before, after);
    free(before);
    free(after);
    assert_string_equal(rewards_deal_stage(rewards_engine_find_deal(e, "j1")), "won");
    /* with a rate: 100000 JPY x 0.0067 = 670.00 USD x 5% = 33.50 */
    OK(eu_op(e, "fx", "at", "2026-01-12", "from", "JPY", "to", "USD", "rate", "0.0067", NULL));
    stage(e, "2026-01-12", "j1", "contract_started");
    assert_ledger(e, LEDGER_HEADER
                  "1,earned,fix,j1,acme,partner,acme,25.00,USD,pending,,,2026-01-10T00:00:00Z,\n"
                  "2,earned,cs,j1,acme,partner,acme,33.50,USD,pending,,,2026-01-12T00:00:00Z,\n");
    rewards_engine_free(e);
}

static void test_fx_conversion_rounds_once_with_program_mode(void **state)
{
    (void)state;
    rewards_engine *e;
    OK(rewards_engine_new(&e, NULL));
    const char *progs[] = { "ev", "up" };
    for (int i = 0; i < 2; i++) {
        char lvl[8], partner[8], r[8];
        snprintf(lvl, sizeof lvl, "%s-l", progs[i]);
        snprintf(partner, sizeof partner, "%s-p", progs[i]);
        snprintf(r, sizeof r, "%s-all", progs[i]);
        OK(eu_op(e, "program", "id", progs[i], "name", progs[i], "currency", "USD", i ? "rounding" : NULL, "half_up",
                 NULL));
        OK(eu_op(e, "level", "id", lvl, "program", progs[i], "name", "L", "rank:i", "1", NULL));
        /* 100%: the entry is the converted amount itself */
        OK(eu_op(e, "reward", "id", r, "program", progs[i], "name", "All", "trigger", "deal_won", "recipient",
                 "partner", "kind", "percent", "rate", "100%", NULL));
        OK(eu_op(e, "partner", "id", partner, "program", progs[i], "level", lvl, "name", partner, NULL));
    }
    OK(eu_op(e, "fx", "at", "2026-01-01", "from", "EUR", "to", "USD", "rate", "1.5", NULL));
    deal_in(e, "2026-01-02", "e1", "ev-p", "EUR", "0.19");
    deal_in(e, "2026-01-02", "u1", "up-p", "EUR", "0.19");
    /* 0.19 EUR x 1.5 = 0.285 USD: half_even -> 0.28, half_up -> 0.29 */
    won(e, "2026-01-03", "e1");
    won(e, "2026-01-03", "u1");
    assert_ledger(e, LEDGER_HEADER
                  "1,earned,ev-all,e1,ev-p,partner,ev-p,0.28,USD,pending,,,2026-01-03T00:00:00Z,\n"
                  "2,earned,up-all,u1,up-p,partner,up-p,0.29,USD,pending,,,2026-01-03T00:00:00Z,\n");
    rewards_engine_free(e);
}

/* ---- points --------------------------------------------------------------- */

static void test_points(void **state)
{
    (void)state;
    rewards_engine *e = plan(NULL);
    OK(eu_op(e, "reward", "id", "ppu", "level", "std", "name", "Per dollar", "trigger", "deal_won", "recipient",
             "partner", "kind", "points", "points_per_unit", "1.333333", "auto_approve:b", "true", NULL));
    OK(eu_op(e, "reward", "id", "fixp", "level", "std", "name", "Flat", "trigger", "deal_won", "recipient",
             "partner", "kind", "points", "points", "250", NULL));
    deal(e, "2026-01-02", "d1", "acme", "99.99");
    deal(e, "2026-01-02", "d2", "acme", "3.00");
    deal_in(e, "2026-01-02", "d3", "acme", "EUR", "10.00");
    OK(eu_op(e, "fx", "at", "2026-01-05", "from", "EUR", "to", "USD", "rate", "1.5", NULL));
    /* d1: 99.99 x 1.333333 = 133.31996667 -> floor 133; fixed 250 (pending) */
    won(e, "2026-01-10", "d1");
    /* d2: 3.00 x 1.333333 = 3.999999 -> 3 */
    won(e, "2026-01-11", "d2");
    /* d3: 10.00 EUR x 1.5 = 15.00 USD (program currency) x 1.333333 = 19.999995 -> 19 */
    won(e, "2026-01-12", "d3");
    rewards_balance b = { REWARDS_BALANCE_VERSION, 0, 0, 0, 0, 0 };
    OK(rewards_engine_balance(e, &b, "partner", "acme"));
    assert_int_equal(b.points, 133 + 3 + 19); /* only approved points: the 250s are pending */
    assert_int_equal(b.pending, 0);
    char *before = eu_fingerprint(e);
    assert_int_equal(eu_op(e, "redeem", "at", "2026-01-13", "id", "r0", "recipient_type", "partner", "recipient",
                           "acme", "points", "156", NULL),
                     REWARDS_INSUFFICIENT_POINTS);
    char *after = eu_fingerprint(e);
    assert_string_equal(before, after);
    free(before);
    free(after);
    OK(eu_op(e, "redeem", "at", "2026-01-13", "id", "r1", "recipient_type", "partner", "recipient", "acme", "points",
             "155", NULL));
    OK(eu_op(e, "approve", "at", "2026-01-14", "until", "2026-01-31", NULL));
    OK(rewards_engine_balance(e, &b, "partner", "acme"));
    assert_int_equal(b.points, 750);
    OK(eu_op(e, "redeem", "at", "2026-01-15", "id", "r2", "recipient_type", "partner", "recipient", "acme", "points",
             "750", NULL));
    OK(rewards_engine_balance(e, &b, "partner", "acme"));
    assert_int_equal(b.points, 0);
    /* points are never paid out: the run has no line */
    OK(eu_op(e, "payout", "at", "2026-02-01", "id", "p1", "until", "2026-01-31", NULL));
    assert_payouts(e, PAYOUTS_HEADER);
    assert_ledger(e, LEDGER_HEADER
                  "1,earned,ppu,d1,acme,partner,acme,133,PTS,approved,,,2026-01-10T00:00:00Z,\n"
                  "2,earned,fixp,d1,acme,partner,acme,250,PTS,approved,,,2026-01-10T00:00:00Z,\n"
                  "3,earned,ppu,d2,acme,partner,acme,3,PTS,approved,,,2026-01-11T00:00:00Z,\n"
                  "4,earned,fixp,d2,acme,partner,acme,250,PTS,approved,,,2026-01-11T00:00:00Z,\n"
                  "5,earned,ppu,d3,acme,partner,acme,19,PTS,approved,,,2026-01-12T00:00:00Z,\n"
                  "6,earned,fixp,d3,acme,partner,acme,250,PTS,approved,,,2026-01-12T00:00:00Z,\n"
                  "7,redemption,,,acme,partner,acme,-155,PTS,redeemed,,,2026-01-13T00:00:00Z,\n"
                  "8,redemption,,,acme,partner,acme,-750,PTS,redeemed,,,2026-01-15T00:00:00Z,\n");
    rewards_engine_free(e);
}

/* ---- effective dates, program and level rewards ---------------------------- */

static void test_effective_dates(void **state)
{
    (void)state;
    rewards_engine *e = plan(NULL);
    OK(eu_op(e, "reward", "id", "h1", "level", "std", "name", "H1", "trigger", "deal_won", "recipient", "partner",
             "kind", "fixed", "amount", "10.00", "active_until", "2026-04-01", NULL));
    OK(eu_op(e, "reward", "id", "h2", "level", "std", "name", "H2", "trigger", "deal_won", "recipient", "partner",
             "kind", "fixed", "amount", "20.00", "active_from", "2026-04-01", NULL));
    OK(eu_op(e, "reward", "id", "feb", "level", "std", "name", "February", "trigger", "deal_won", "recipient",
             "partner", "kind", "fixed", "amount", "30.00", "active_from", "2026-02-01T00:00:00Z", "active_until",
             "2026-03-01", NULL));
    const char *ids[] = { "d0", "d1", "d2", "d3", "d4" };
    for (int i = 0; i < 5; i++)
        deal(e, "2026-01-02", ids[i], "acme", "100.00");
    won(e, "2026-01-31T23:59:59Z", "d0"); /* h1 only: feb not yet active */
    won(e, "2026-02-01T00:00:00Z", "d1"); /* h1 and feb: active_from is inclusive */
    won(e, "2026-03-01T00:00:00Z", "d2"); /* h1 only: feb's active_until is exclusive */
    won(e, "2026-03-31T23:59:59Z", "d3"); /* h1 only */
    won(e, "2026-04-01T00:00:00Z", "d4"); /* h2 only */
    assert_ledger(e, LEDGER_HEADER
                  "1,earned,h1,d0,acme,partner,acme,10.00,USD,pending,,,2026-01-31T23:59:59Z,\n"
                  "2,earned,h1,d1,acme,partner,acme,10.00,USD,pending,,,2026-02-01T00:00:00Z,\n"
                  "3,earned,feb,d1,acme,partner,acme,30.00,USD,pending,,,2026-02-01T00:00:00Z,\n"
                  "4,earned,h1,d2,acme,partner,acme,10.00,USD,pending,,,2026-03-01T00:00:00Z,\n"
                  "5,earned,h1,d3,acme,partner,acme,10.00,USD,pending,,,2026-03-31T23:59:59Z,\n"
                  "6,earned,h2,d4,acme,partner,acme,20.00,USD,pending,,,2026-04-01T00:00:00Z,\n");
    rewards_engine_free(e);
}

static void test_program_and_level_rewards(void **state)
{
    (void)state;
    rewards_engine *e;
    OK(rewards_engine_new(&e, NULL));
    OK(eu_op(e, "program", "id", "p", "name", "Plan", "currency", "USD", NULL));
    OK(eu_op(e, "program", "id", "q", "name", "Other", "currency", "USD", NULL));
    OK(eu_op(e, "level", "id", "silver", "program", "p", "name", "Silver", "rank:i", "1", NULL));
    OK(eu_op(e, "level", "id", "gold", "program", "p", "name", "Gold", "rank:i", "2", NULL));
    OK(eu_op(e, "level", "id", "q1", "program", "q", "name", "Q", "rank:i", "1", NULL));
    OK(eu_op(e, "reward", "id", "all", "program", "p", "name", "All", "trigger", "deal_won", "recipient", "partner",
             "kind", "fixed", "amount", "5.00", NULL));
    OK(eu_op(e, "reward", "id", "s", "level", "silver", "name", "Silver 1%", "trigger", "deal_won", "recipient",
             "partner", "kind", "percent", "rate", "1%", NULL));
    OK(eu_op(e, "reward", "id", "g", "level", "gold", "name", "Gold 2%", "trigger", "deal_won", "recipient",
             "partner", "kind", "percent", "rate", "2%", NULL));
    OK(eu_op(e, "partner", "id", "ps", "program", "p", "level", "silver", "name", "PS", NULL));
    OK(eu_op(e, "partner", "id", "pg", "program", "p", "level", "gold", "name", "PG", NULL));
    OK(eu_op(e, "partner", "id", "oq", "program", "q", "level", "q1", "name", "OQ", NULL));
    deal(e, "2026-01-02", "a", "ps", "1000.00");
    deal(e, "2026-01-02", "b", "pg", "1000.00");
    deal(e, "2026-01-02", "c", "ps", "1000.00");
    deal(e, "2026-01-02", "o", "oq", "1000.00");
    won(e, "2026-01-10", "a"); /* all 5.00, s 10.00 */
    won(e, "2026-01-10", "b"); /* all 5.00, g 20.00 */
    won(e, "2026-01-10", "o"); /* another program: nothing */
    OK(eu_op(e, "set_level", "at", "2026-01-11", "partner", "ps", "level", "gold", NULL));
    won(e, "2026-01-12", "c"); /* ps is gold now: all 5.00, g 20.00 */
    /* amending a recomputes the contribution recorded at its trigger (s, silver), not g:
     * 2000 x 1% = 20.00, +10.00 */
    amend(e, "2026-01-13", "a", "2000.00");
    assert_ledger(e, LEDGER_HEADER
                  "1,earned,all,a,ps,partner,ps,5.00,USD,pending,,,2026-01-10T00:00:00Z,\n"
                  "2,earned,s,a,ps,partner,ps,10.00,USD,pending,,,2026-01-10T00:00:00Z,\n"
                  "3,earned,all,b,pg,partner,pg,5.00,USD,pending,,,2026-01-10T00:00:00Z,\n"
                  "4,earned,g,b,pg,partner,pg,20.00,USD,pending,,,2026-01-10T00:00:00Z,\n"
                  "5,earned,all,c,ps,partner,ps,5.00,USD,pending,,,2026-01-12T00:00:00Z,\n"
                  "6,earned,g,c,ps,partner,ps,20.00,USD,pending,,,2026-01-12T00:00:00Z,\n"
                  "7,adjustment,s,a,ps,partner,ps,10.00,USD,pending,,,2026-01-13T00:00:00Z,\n");
    rewards_engine_free(e);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_tiered_graduated_boundaries),
        cmocka_unit_test(test_tiered_retroactive_boundaries),
        cmocka_unit_test(test_tiered_entries_add_up_to_rounded_total),
        cmocka_unit_test(test_rounding_half_even_vs_half_up),
        cmocka_unit_test(test_milestone_thresholds_and_periods),
        cmocka_unit_test(test_milestone_deals_and_units),
        cmocka_unit_test(test_milestone_uncrossed_by_clawback),
        cmocka_unit_test(test_cap_per_deal),
        cmocka_unit_test(test_cap_per_period),
        cmocka_unit_test(test_caps_rejected_where_they_do_not_apply),
        cmocka_unit_test(test_rates_above_100_percent_refused),
        cmocka_unit_test(test_clawback_window_edges),
        cmocka_unit_test(test_lost_never_claws_back),
        cmocka_unit_test(test_cancel_voids_each_reward_by_its_own_window),
        cmocka_unit_test(test_cancel_with_two_payments_in_one_group),
        cmocka_unit_test(test_amend_after_payout),
        cmocka_unit_test(test_amend_spares_renewals_and_payments),
        cmocka_unit_test(test_fx_rate_selection),
        cmocka_unit_test(test_fx_needed_only_for_amounts),
        cmocka_unit_test(test_fx_conversion_rounds_once_with_program_mode),
        cmocka_unit_test(test_points),
        cmocka_unit_test(test_effective_dates),
        cmocka_unit_test(test_program_and_level_rewards),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
