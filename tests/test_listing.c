/*
 * test_listing.c - the 1.1 listing API and accessors (lib/listing.c):
 * every collection by count and index in creation order (NULL past the end
 * and for NULL handles), a deal's currency, units and registration time, a
 * payout run's time, cut-off, currencies and per-currency totals (with the
 * overflow of a total), a payout line's partner, user and run, a reward's
 * kind, trigger, recipient, level, program and every parameter path in the
 * operation's own vocabulary, and the three distinct field-path errors of
 * rewards_op_set_*.
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
#include "mockstore.h"

static mock *world_store; /* when set, world() persists into it */

/* Two programs in two currencies, every reward kind, partners, reps, deals
 * won, everything approved and paid in one run. */
static rewards_engine *world(void)
{
    rewards_engine *e;
    rewards_storage st = { REWARDS_STORAGE_VERSION, mock_begin, mock_put, NULL, mock_commit, mock_rollback, world_store };
    rewards_options o = REWARDS_OPTIONS_INIT;
    o.storage = world_store ? &st : NULL;
    assert_int_equal(rewards_engine_new(&e, &o), REWARDS_OK);
    OK(e, "program", "id", "us", "name", "US Resellers", "currency", "USD");
    OK(e, "program", "id", "eu", "name", "EU Resellers", "currency", "EUR");
    OK(e, "level", "id", "gold", "program", "us", "name", "Gold", "rank:i", "2");
    OK(e, "level", "id", "silver", "program", "us", "name", "Silver", "rank:i", "1");
    OK(e, "level", "id", "eu-std", "program", "eu", "name", "Standard", "rank:i", "1");
    OK(e, "reward", "id", "pct", "level", "gold", "name", "Gold 12.5%", "trigger", "deal_won", "recipient", "partner",
       "kind", "percent", "rate", "12.50%", "auto_approve:b", "true", "cap_per_deal", "5000", "when",
       "deal.amount >= 100", "active_from", "2026-01-01", "active_until", "2027-01-01T12:00:00Z");
    OK(e, "reward", "id", "fix", "program", "us", "name", "Rep bonus", "trigger", "deal_won", "recipient",
       "sales_rep", "kind", "fixed", "amount", "50", "rep_policy", "partner", "clawback_days:i", "90", "exclusive",
       "solo");
    OK(e, "reward", "id", "tier", "level", "silver", "name", "Tiers", "trigger", "deal_won", "recipient", "partner",
       "kind", "tiered", "period", "quarter", "tiers.0.from", "0", "tiers.0.rate", "5%", "tiers.1.from",
       "10000.5", "tiers.1.rate", "7.25%", "mode", "retroactive", "cap_per_period", "20000.00");
    OK(e, "reward", "id", "mile", "program", "eu", "name", "Milestones", "trigger", "deal_won", "recipient",
       "partner", "kind", "milestone", "period", "year", "metric", "deals", "thresholds.0.at", "2",
       "thresholds.0.bonus", "100", "thresholds.1.at", "5", "thresholds.1.bonus", "300.00");
    OK(e, "reward", "id", "pts", "program", "eu", "name", "Points", "trigger", "deal_won", "recipient", "partner",
       "kind", "points", "points_per_unit", "1.5");
    OK(e, "reward", "id", "pts2", "program", "eu", "name", "Flat points", "trigger", "deal_registered",
       "recipient", "partner", "kind", "points", "points", "10");
    OK(e, "partner", "id", "acme", "program", "us", "level", "gold", "name", "Acme");
    OK(e, "partner", "id", "beta", "program", "us", "level", "silver", "name", "Beta");
    OK(e, "partner", "id", "euro", "program", "eu", "level", "eu-std", "name", "Euro GmbH");
    OK(e, "user", "id", "rep1", "partner", "acme", "name", "Rep One", "portal_access:b", "true");
    OK(e, "user", "id", "rep2", "partner", "euro", "name", "Rep Two", "portal_access:b", "false");
    OK(e, "fx", "at", "2026-01-01", "from", "JPY", "to", "USD", "rate", "0.0068");
    OK(e, "deal", "at", "2026-01-05", "id", "d1", "partner", "acme", "currency", "USD", "amount", "1000.00", "user",
       "rep1");
    OK(e, "deal", "at", "2026-01-06", "id", "d2", "partner", "beta", "currency", "JPY", "amount", "150000",
       "units:i", "3");
    OK(e, "deal", "at", "2026-01-07", "id", "d3", "partner", "euro", "currency", "EUR", "amount", "200.00",
       "units:i", "4");
    OK(e, "deal", "at", "2026-01-08", "id", "d4", "partner", "acme", "currency", "USD", "amount", "300.00");
    OK(e, "stage", "at", "2026-01-10", "deal", "d1", "stage", "won");
    OK(e, "stage", "at", "2026-01-11", "deal", "d2", "stage", "won");
    OK(e, "stage", "at", "2026-01-12", "deal", "d3", "stage", "won");
    OK(e, "approve", "at", "2026-01-20", "until", "2026-01-20");
    OK(e, "payout", "at", "2026-01-31", "id", "run-1", "until", "2026-01-20");
    OK(e, "payout", "at", "2026-02-28", "id", "run-2", "until", "2026-02-28");
    return e;
}

static void test_collections(void **state)
{
    (void)state;
    rewards_engine *e = world();
    assert_int_equal(rewards_engine_program_count(e), 2);
    assert_string_equal(rewards_program_id(rewards_engine_program(e, 0)), "us");
    assert_string_equal(rewards_program_id(rewards_engine_program(e, 1)), "eu");
    assert_null(rewards_engine_program(e, 2));
    assert_int_equal(rewards_engine_level_count(e), 3);
    assert_string_equal(rewards_level_id(rewards_engine_level(e, 1)), "silver");
    assert_null(rewards_engine_level(e, 3));
    assert_int_equal(rewards_engine_reward_count(e), 6);
    const char *rewards[] = { "pct", "fix", "tier", "mile", "pts", "pts2" };
    for (size_t i = 0; i < 6; i++)
        assert_string_equal(rewards_reward_id(rewards_engine_reward(e, i)), rewards[i]);
    assert_null(rewards_engine_reward(e, 6));
    assert_int_equal(rewards_engine_partner_count(e), 3);
    assert_string_equal(rewards_partner_id(rewards_engine_partner(e, 2)), "euro");
    assert_null(rewards_engine_partner(e, 3));
    assert_int_equal(rewards_engine_user_count(e), 2);
    assert_string_equal(rewards_user_id(rewards_engine_user(e, 1)), "rep2");
    assert_null(rewards_engine_user(e, 2));
    assert_int_equal(rewards_engine_deal_count(e), 4);
    assert_string_equal(rewards_deal_id(rewards_engine_deal(e, 3)), "d4");
    assert_null(rewards_engine_deal(e, 4));
    assert_int_equal(rewards_engine_payout_count(e), 2);
    assert_string_equal(rewards_payout_id(rewards_engine_payout(e, 1)), "run-2");
    assert_null(rewards_engine_payout(e, 2));

    /* a partner's deals, in registration order */
    const rewards_partner *acme = rewards_engine_find_partner(e, "acme");
    assert_int_equal(rewards_partner_deal_count(acme), 2);
    assert_string_equal(rewards_deal_id(rewards_partner_deal(acme, 0)), "d1");
    assert_string_equal(rewards_deal_id(rewards_partner_deal(acme, 1)), "d4");
    assert_null(rewards_partner_deal(acme, 2));
    assert_int_equal(rewards_partner_deal_count(rewards_engine_find_partner(e, "euro")), 1);

    /* names and owners */
    assert_string_equal(rewards_program_name(rewards_engine_program(e, 1)), "EU Resellers");
    assert_string_equal(rewards_level_name(rewards_engine_level(e, 2)), "Standard");
    assert_string_equal(rewards_program_id(rewards_level_program(rewards_engine_level(e, 2))), "eu");
    assert_string_equal(rewards_program_id(rewards_partner_program(acme)), "us");

    /* NULL handles */
    assert_int_equal(rewards_engine_program_count(NULL), 0);
    assert_null(rewards_engine_program(NULL, 0));
    assert_int_equal(rewards_engine_level_count(NULL), 0);
    assert_null(rewards_engine_level(NULL, 0));
    assert_int_equal(rewards_engine_reward_count(NULL), 0);
    assert_null(rewards_engine_reward(NULL, 0));
    assert_int_equal(rewards_engine_partner_count(NULL), 0);
    assert_null(rewards_engine_partner(NULL, 0));
    assert_int_equal(rewards_engine_user_count(NULL), 0);
    assert_null(rewards_engine_user(NULL, 0));
    assert_int_equal(rewards_engine_deal_count(NULL), 0);
    assert_null(rewards_engine_deal(NULL, 0));
    assert_int_equal(rewards_engine_payout_count(NULL), 0);
    assert_null(rewards_engine_payout(NULL, 0));
    assert_int_equal(rewards_partner_deal_count(NULL), 0);
    assert_null(rewards_partner_deal(NULL, 0));
    assert_null(rewards_program_name(NULL));
    assert_null(rewards_level_name(NULL));
    assert_null(rewards_level_program(NULL));
    assert_null(rewards_partner_program(NULL));
    rewards_engine_free(e);

    /* an empty engine lists nothing */
    assert_int_equal(rewards_engine_new(&e, NULL), REWARDS_OK);
    assert_int_equal(rewards_engine_program_count(e), 0);
    assert_null(rewards_engine_program(e, 0));
    assert_int_equal(rewards_engine_payout_count(e), 0);
    assert_null(rewards_engine_payout(e, 0));
    rewards_engine_free(e);
}

static void test_deals(void **state)
{
    (void)state;
    rewards_engine *e = world();
    const rewards_deal *d2 = rewards_engine_find_deal(e, "d2"), *d1 = rewards_engine_find_deal(e, "d1");
    assert_string_equal(rewards_deal_currency(d2), "JPY");
    assert_int_equal(rewards_deal_units(d2), 3);
    assert_int_equal(rewards_deal_units(d1), 1); /* the default */
    int64_t t;
    assert_int_equal(rewards_time_parse("2026-01-06", &t), REWARDS_OK);
    assert_int_equal(rewards_deal_registered_at(d2), t);
    assert_null(rewards_deal_currency(NULL));
    assert_int_equal(rewards_deal_units(NULL), 0);
    assert_int_equal(rewards_deal_registered_at(NULL), 0);
    rewards_engine_free(e);
}

static void test_payouts(void **state)
{
    (void)state;
    rewards_engine *e = world();
    const rewards_payout *run = rewards_engine_find_payout(e, "run-1");
    int64_t at, until;
    assert_int_equal(rewards_time_parse("2026-01-31", &at), REWARDS_OK);
    assert_int_equal(rewards_time_parse("2026-01-20", &until), REWARDS_OK);
    assert_int_equal(rewards_payout_at(run), at);
    assert_int_equal(rewards_payout_until(run), until);

    /* USD lines (acme, beta, rep1), and EUR only if the EU program paid money */
    char *csv = eu_payouts(e);
    size_t nlines = rewards_payout_line_count(run);
    assert_true(nlines >= 3);
    assert_int_equal(rewards_payout_currency_count(run), 1 + (strstr(csv, ",EUR,") != NULL));
    free(csv);
    assert_string_equal(rewards_payout_currency(run, 0), "USD");
    int64_t usd = 0, want = 0, eur = -1;
    for (size_t i = 0; i < nlines; i++) {
        const rewards_payout_line *l = rewards_payout_line_at(run, i);
        assert_ptr_equal(rewards_payout_line_payout(l), run);
        if (!strcmp(rewards_payout_line_currency(l), "USD"))
            want += rewards_payout_line_amount(l);
        if (!strcmp(rewards_payout_line_recipient_type(l), "sales_rep")) {
            assert_string_equal(rewards_user_id(rewards_payout_line_user(l)), rewards_payout_line_recipient(l));
            assert_string_equal(rewards_partner_id(rewards_payout_line_partner(l)), "acme");
        } else {
            assert_null(rewards_payout_line_user(l));
            assert_string_equal(rewards_partner_id(rewards_payout_line_partner(l)), rewards_payout_line_recipient(l));
        }
    }
    assert_int_equal(rewards_payout_total(run, "USD", &usd), REWARDS_OK);
    assert_int_equal(usd, want);
    assert_true(usd > 0);
    assert_int_equal(rewards_payout_total(run, "GBP", &eur), REWARDS_OK);
    assert_int_equal(eur, 0);
    assert_null(rewards_payout_currency(run, rewards_payout_currency_count(run)));

    /* a run with no lines */
    const rewards_payout *empty = rewards_engine_find_payout(e, "run-2");
    assert_int_equal(rewards_payout_line_count(empty), 0);
    assert_int_equal(rewards_payout_currency_count(empty), 0);
    assert_null(rewards_payout_currency(empty, 0));
    assert_int_equal(rewards_payout_total(empty, "USD", &usd), REWARDS_OK);
    assert_int_equal(usd, 0);

    /* misuse, NULL handles */
    assert_int_equal(rewards_payout_total(NULL, "USD", &usd), REWARDS_MISUSE);
    assert_int_equal(rewards_payout_total(run, NULL, &usd), REWARDS_MISUSE);
    assert_int_equal(rewards_payout_total(run, "USD", NULL), REWARDS_MISUSE);
    assert_int_equal(rewards_payout_at(NULL), 0);
    assert_int_equal(rewards_payout_until(NULL), 0);
    assert_int_equal(rewards_payout_currency_count(NULL), 0);
    assert_null(rewards_payout_currency(NULL, 0));
    assert_null(rewards_payout_line_partner(NULL));
    assert_null(rewards_payout_line_user(NULL));
    assert_null(rewards_payout_line_payout(NULL));
    rewards_engine_free(e);
}

/* A run in two currencies, and a total that does not fit in 64 bits. */
static void test_payout_currencies_and_overflow(void **state)
{
    (void)state;
    rewards_engine *e;
    assert_int_equal(rewards_engine_new(&e, NULL), REWARDS_OK);
    OK(e, "program", "id", "us", "name", "US", "currency", "USD");
    OK(e, "program", "id", "eu", "name", "EU", "currency", "EUR");
    OK(e, "level", "id", "l-us", "program", "us", "name", "L", "rank:i", "1");
    OK(e, "level", "id", "l-eu", "program", "eu", "name", "L", "rank:i", "1");
    OK(e, "reward", "id", "big", "level", "l-us", "name", "Big", "trigger", "deal_won", "recipient", "partner",
       "kind", "fixed", "amount", "50000000000000000.00", "auto_approve:b", "true");
    OK(e, "reward", "id", "eu10", "level", "l-eu", "name", "10%", "trigger", "deal_won", "recipient", "partner",
       "kind", "percent", "rate", "10%", "auto_approve:b", "true");
    OK(e, "partner", "id", "a", "program", "us", "level", "l-us", "name", "A");
    OK(e, "partner", "id", "b", "program", "us", "level", "l-us", "name", "B");
    OK(e, "partner", "id", "c", "program", "eu", "level", "l-eu", "name", "C");
    OK(e, "deal", "at", "2026-01-05", "id", "d-c", "partner", "c", "currency", "EUR", "amount", "100.00");
    OK(e, "deal", "at", "2026-01-05", "id", "d-a", "partner", "a", "currency", "USD", "amount", "1.00");
    OK(e, "deal", "at", "2026-01-05", "id", "d-b", "partner", "b", "currency", "USD", "amount", "1.00");
    OK(e, "stage", "at", "2026-01-06", "deal", "d-c", "stage", "won");
    OK(e, "stage", "at", "2026-01-06", "deal", "d-a", "stage", "won");
    OK(e, "stage", "at", "2026-01-06", "deal", "d-b", "stage", "won");
    OK(e, "payout", "at", "2026-01-31", "id", "r", "until", "2026-01-31");
    const rewards_payout *run = rewards_engine_find_payout(e, "r");
    assert_int_equal(rewards_payout_line_count(run), 3);
    assert_int_equal(rewards_payout_currency_count(run), 2);
    /* first appearance among the lines (export order: by recipient id) */
    assert_string_equal(rewards_payout_currency(run, 0), rewards_payout_line_currency(rewards_payout_line_at(run, 0)));
    assert_string_not_equal(rewards_payout_currency(run, 0), rewards_payout_currency(run, 1));
    int64_t total = 7;
    assert_int_equal(rewards_payout_total(run, "EUR", &total), REWARDS_OK);
    assert_int_equal(total, 1000);
    total = 7;
    assert_int_equal(rewards_payout_total(run, "USD", &total), REWARDS_OVERFLOW);
    assert_int_equal(total, 7); /* untouched */
    rewards_engine_free(e);
}

static void param_is(const rewards_engine *e, const char *reward, const char *path, const char *want)
{
    char buf[128];
    memset(buf, 'x', sizeof buf);
    rewards_status st = rewards_reward_param(rewards_engine_find_reward(e, reward), path, buf, sizeof buf);
    if (!want) {
        if (st != REWARDS_NOT_FOUND)
            fail_msg("%s %s: want not_found, got %s '%s'", reward, path, rewards_status_name(st), buf);
        assert_string_equal(buf, "");
        return;
    }
    if (st != REWARDS_OK)
        fail_msg("%s %s: %s", reward, path, rewards_status_name(st));
    assert_string_equal(buf, want);
}

/* A two-tier program: a parent, an override of two rewards, an activity reward. */
static rewards_engine *two_tier(void)
{
    rewards_engine *e;
    assert_int_equal(rewards_engine_new(&e, NULL), REWARDS_OK);
    OK(e, "program", "id", "p", "name", "P", "currency", "USD");
    OK(e, "level", "id", "l", "program", "p", "name", "L", "rank:i", "1");
    OK(e, "reward", "id", "a", "level", "l", "name", "A", "trigger", "deal_won", "recipient", "partner", "kind",
       "percent", "rate", "10%");
    OK(e, "reward", "id", "b", "level", "l", "name", "B", "trigger", "deal_won", "recipient", "partner", "kind",
       "fixed", "amount", "5");
    OK(e, "reward", "id", "act", "level", "l", "name", "Demo", "trigger", "activity:demo", "recipient", "partner",
       "kind", "fixed", "amount", "1");
    OK(e, "reward", "id", "ovr", "program", "p", "name", "Override", "recipient", "partner", "kind", "override",
       "rate", "2.5%", "of.0", "a", "of.1", "b");
    OK(e, "partner", "id", "top", "program", "p", "level", "l", "name", "Top");
    OK(e, "partner", "id", "sub", "program", "p", "level", "l", "name", "Sub", "parent", "top");
    return e;
}

static void test_two_tier(void **state)
{
    (void)state;
    rewards_engine *e = two_tier();
    const rewards_reward *ovr = rewards_engine_find_reward(e, "ovr"), *act = rewards_engine_find_reward(e, "act");
    assert_string_equal(rewards_reward_kind(ovr), "override");
    assert_string_equal(rewards_reward_trigger(ovr), "");
    param_is(e, "ovr", "trigger", NULL);
    param_is(e, "ovr", "rate", "2.5%");
    param_is(e, "ovr", "of", "2");
    param_is(e, "ovr", "of.0", "a");
    param_is(e, "ovr", "of.1", "b");
    param_is(e, "ovr", "of.2", NULL);
    param_is(e, "ovr", "of.01", NULL);
    param_is(e, "a", "of", NULL);
    param_is(e, "a", "of.0", NULL);
    param_is(e, "a", "trigger", "deal_won");
    assert_string_equal(rewards_reward_trigger(act), "activity");
    param_is(e, "act", "trigger", "activity:demo");
    assert_string_equal(rewards_partner_id(rewards_partner_parent(rewards_engine_find_partner(e, "sub"))), "top");
    assert_null(rewards_partner_parent(rewards_engine_find_partner(e, "top")));
    assert_null(rewards_partner_parent(NULL));
    rewards_engine_free(e);
}

static void test_rewards(void **state)
{
    (void)state;
    rewards_engine *e = world();
    const rewards_reward *pct = rewards_engine_find_reward(e, "pct"), *fix = rewards_engine_find_reward(e, "fix");
    assert_string_equal(rewards_reward_kind(pct), "percent");
    assert_string_equal(rewards_reward_trigger(pct), "deal_won");
    assert_string_equal(rewards_reward_recipient(pct), "partner");
    assert_string_equal(rewards_level_id(rewards_reward_level(pct)), "gold");
    assert_string_equal(rewards_program_id(rewards_reward_program(pct)), "us");
    assert_string_equal(rewards_reward_kind(fix), "fixed");
    assert_string_equal(rewards_reward_recipient(fix), "sales_rep");
    assert_null(rewards_reward_level(fix));
    assert_string_equal(rewards_program_id(rewards_reward_program(fix)), "us");
    assert_string_equal(rewards_reward_kind(rewards_engine_find_reward(e, "tier")), "tiered");
    assert_string_equal(rewards_reward_kind(rewards_engine_find_reward(e, "mile")), "milestone");
    assert_string_equal(rewards_reward_kind(rewards_engine_find_reward(e, "pts")), "points");
    assert_string_equal(rewards_reward_trigger(rewards_engine_find_reward(e, "pts2")), "deal_registered");
    assert_null(rewards_reward_kind(NULL));
    assert_null(rewards_reward_trigger(NULL));
    assert_null(rewards_reward_recipient(NULL));
    assert_null(rewards_reward_level(NULL));
    assert_null(rewards_reward_program(NULL));

    /* percent, with every common optional field */
    param_is(e, "pct", "rate", "12.5%");
    param_is(e, "pct", "cap_per_deal", "5000.00");
    param_is(e, "pct", "when", "deal.amount >= 100");
    param_is(e, "pct", "active_from", "2026-01-01T00:00:00Z");
    param_is(e, "pct", "active_until", "2027-01-01T12:00:00Z");
    param_is(e, "pct", "auto_approve", "true");
    param_is(e, "pct", "rep_policy", "hold");
    param_is(e, "pct", "clawback_days", "0");
    param_is(e, "pct", "cap_per_period", NULL);
    param_is(e, "pct", "period", NULL);
    param_is(e, "pct", "amount", NULL);
    param_is(e, "pct", "tiers", NULL);
    param_is(e, "pct", "tiers.0.from", NULL);
    param_is(e, "pct", "mode", NULL);
    /* fixed */
    param_is(e, "fix", "amount", "50.00");
    param_is(e, "fix", "rep_policy", "partner");
    param_is(e, "fix", "clawback_days", "90");
    param_is(e, "fix", "auto_approve", "false");
    param_is(e, "fix", "rate", NULL);
    param_is(e, "fix", "when", NULL);
    param_is(e, "fix", "active_from", NULL);
    /* tiered */
    param_is(e, "tier", "period", "quarter");
    param_is(e, "tier", "mode", "retroactive");
    param_is(e, "tier", "tiers", "2");
    param_is(e, "tier", "tiers.0.from", "0.00");
    param_is(e, "tier", "tiers.0.rate", "5%");
    param_is(e, "tier", "tiers.1.from", "10000.50");
    param_is(e, "tier", "tiers.1.rate", "7.25%");
    param_is(e, "tier", "tiers.2.from", NULL);
    param_is(e, "tier", "tiers.01.from", NULL);
    param_is(e, "tier", "tiers.1.at", NULL);
    param_is(e, "tier", "tiers.1", NULL);
    param_is(e, "tier", "tiers.x.from", NULL);
    param_is(e, "tier", "thresholds.0.at", NULL);
    param_is(e, "tier", "cap_per_period", "20000.00");
    /* milestone: counts have no decimals, bonuses have the currency's */
    param_is(e, "mile", "period", "year");
    param_is(e, "mile", "metric", "deals");
    param_is(e, "mile", "thresholds", "2");
    param_is(e, "mile", "thresholds.0.at", "2");
    param_is(e, "mile", "thresholds.0.bonus", "100.00");
    param_is(e, "mile", "thresholds.1.at", "5");
    param_is(e, "mile", "thresholds.1.bonus", "300.00");
    param_is(e, "mile", "thresholds.2.bonus", NULL);
    param_is(e, "mile", "mode", NULL);
    param_is(e, "mile", "tiers", NULL);
    /* points */
    param_is(e, "pts", "points_per_unit", "1.5");
    param_is(e, "pts", "points", NULL);
    param_is(e, "pts2", "points", "10");
    param_is(e, "pts2", "points_per_unit", NULL);
    param_is(e, "pts2", "metric", NULL);
    /* unknown and odd paths */
    param_is(e, "pct", "nonsense", NULL);
    param_is(e, "pct", "", NULL);
    param_is(e, "pct", "rate.0.x", NULL);
    param_is(e, "pct", ".0.from", NULL);

    /* a buffer too small, misuse */
    char small[4] = "abc";
    assert_int_equal(rewards_reward_param(pct, "rate", small, sizeof small), REWARDS_INVALID_ARGUMENT);
    assert_string_equal(small, "");
    char fits[6];
    assert_int_equal(rewards_reward_param(pct, "rate", fits, sizeof fits), REWARDS_OK); /* "12.5%" + NUL */
    assert_string_equal(fits, "12.5%");
    assert_int_equal(rewards_reward_param(NULL, "rate", fits, sizeof fits), REWARDS_MISUSE);
    assert_int_equal(rewards_reward_param(pct, NULL, fits, sizeof fits), REWARDS_MISUSE);
    assert_int_equal(rewards_reward_param(pct, "rate", NULL, 8), REWARDS_MISUSE);
    assert_int_equal(rewards_reward_param(pct, "rate", fits, 0), REWARDS_MISUSE);

    /* the paths the library lists: every one is answered by some reward of the world or the two-tier engine */
    rewards_engine *e2 = two_tier();
    size_t n = rewards_reward_param_count();
    assert_true(n >= 21);
    assert_string_equal(rewards_reward_param_name(0), "rate");
    assert_null(rewards_reward_param_name(n));
    int tiers_from = 0;
    for (size_t i = 0; i < n; i++) {
        char path[64], buf[128];
        const char *name = rewards_reward_param_name(i);
        const char *dot_n = strstr(name, ".N");
        if (dot_n && dot_n[2] == '.')
            snprintf(path, sizeof path, "%.*s.0.%s", (int)(dot_n - name), name, dot_n + 3);
        else if (dot_n && !dot_n[2])
            snprintf(path, sizeof path, "%.*s.0", (int)(dot_n - name), name);
        else
            snprintf(path, sizeof path, "%s", name);
        tiers_from |= !strcmp(name, "tiers.N.from");
        int answered = 0;
        for (size_t k = 0; k < rewards_engine_reward_count(e); k++)
            answered |= rewards_reward_param(rewards_engine_reward(e, k), path, buf, sizeof buf) == REWARDS_OK;
        for (size_t k = 0; k < rewards_engine_reward_count(e2); k++)
            answered |= rewards_reward_param(rewards_engine_reward(e2, k), path, buf, sizeof buf) == REWARDS_OK;
        if (!answered)
            fail_msg("no reward answers '%s'", path);
    }
    assert_true(tiers_from);
    rewards_engine_free(e2);
    rewards_engine_free(e);
}

/* Extremes of the formatting: a 4-decimal rate, a large amount. */
static void test_reward_param_extremes(void **state)
{
    (void)state;
    rewards_engine *e;
    assert_int_equal(rewards_engine_new(&e, NULL), REWARDS_OK);
    OK(e, "program", "id", "jp", "name", "JP", "currency", "JPY");
    OK(e, "reward", "id", "r1", "program", "jp", "name", "R", "trigger", "deal_won", "recipient", "partner", "kind",
       "percent", "rate", "0.0125%");
    OK(e, "reward", "id", "r2", "program", "jp", "name", "R", "trigger", "deal_won", "recipient", "partner", "kind",
       "fixed", "amount", "9000000000000000000");
    OK(e, "reward", "id", "r3", "program", "jp", "name", "R", "trigger", "deal_won", "recipient", "partner", "kind",
       "percent", "rate", "100%");
    OK(e, "reward", "id", "r4", "program", "jp", "name", "R", "trigger", "deal_won", "recipient", "partner", "kind",
       "milestone", "period", "month", "metric", "revenue", "thresholds.0.at", "1000", "thresholds.0.bonus", "5");
    param_is(e, "r1", "rate", "0.0125%");
    param_is(e, "r2", "amount", "9000000000000000000");
    param_is(e, "r3", "rate", "100%");
    param_is(e, "r4", "thresholds.0.at", "1000");
    param_is(e, "r4", "period", "month");
    param_is(e, "r4", "metric", "revenue");
    rewards_engine_free(e);
}

/* Every listing of one engine, as text. */
static void listing_text(const rewards_engine *e, char *out, size_t size)
{
    size_t n = 0;
#define PUT(s) n += (size_t)snprintf(out + n, size - n, "%s ", (s))
    for (size_t i = 0; i < rewards_engine_program_count(e); i++)
        PUT(rewards_program_id(rewards_engine_program(e, i)));
    for (size_t i = 0; i < rewards_engine_level_count(e); i++)
        PUT(rewards_level_id(rewards_engine_level(e, i)));
    for (size_t i = 0; i < rewards_engine_reward_count(e); i++)
        PUT(rewards_reward_id(rewards_engine_reward(e, i)));
    for (size_t i = 0; i < rewards_engine_partner_count(e); i++) {
        const rewards_partner *p = rewards_engine_partner(e, i);
        PUT(rewards_partner_id(p));
        for (size_t j = 0; j < rewards_partner_deal_count(p); j++)
            PUT(rewards_deal_id(rewards_partner_deal(p, j)));
    }
    for (size_t i = 0; i < rewards_engine_user_count(e); i++)
        PUT(rewards_user_id(rewards_engine_user(e, i)));
    for (size_t i = 0; i < rewards_engine_deal_count(e); i++)
        PUT(rewards_deal_id(rewards_engine_deal(e, i)));
    for (size_t i = 0; i < rewards_engine_payout_count(e); i++) {
        const rewards_payout *r = rewards_engine_payout(e, i);
        PUT(rewards_payout_id(r));
        for (size_t j = 0; j < rewards_payout_currency_count(r); j++)
            PUT(rewards_payout_currency(r, j));
    }
#undef PUT
}

/* A restored engine lists the same things in the same order, whatever the
 * order the records come back in. */
static void test_restored_listing(void **state)
{
    (void)state;
    mock m;
    memset(&m, 0, sizeof m);
    world_store = &m;
    rewards_engine *a = world();
    world_store = NULL;
    rewards_engine *b;
    assert_int_equal(rewards_engine_new(&b, NULL), REWARDS_OK);
    for (size_t i = m.committed.n; i-- > 0;) /* backwards */
        assert_int_equal(rewards_engine_restore(b, (rewards_record_kind)m.committed.v[i].kind, m.committed.v[i].data,
                                                m.committed.v[i].size), REWARDS_OK);
    assert_int_equal(rewards_engine_restore_finish(b), REWARDS_OK);
    char la[2048], lb[2048];
    listing_text(a, la, sizeof la);
    listing_text(b, lb, sizeof lb);
    assert_string_equal(la, lb);
    assert_non_null(strstr(la, "us eu gold silver eu-std pct fix tier mile pts pts2 acme d1 d4 beta d2 euro d3 "));
    rewards_engine_free(a);
    rewards_engine_free(b);
    mock_free(&m);
}

/* A deal's lines, amended in place, and the section 13 reward fields. */
static void test_deal_lines_and_precedence_params(void **state)
{
    (void)state;
    rewards_engine *e;
    assert_int_equal(rewards_engine_new(&e, NULL), REWARDS_OK);
    OK(e, "program", "id", "p", "name", "P", "currency", "USD");
    OK(e, "level", "id", "l", "program", "p", "name", "L", "rank:i", "1");
    OK(e, "reward", "id", "m", "level", "l", "name", "Margin", "trigger", "deal_won", "recipient", "partner", "kind",
       "percent", "rate", "10%", "per", "line", "base", "margin", "exclusive", "grp", "priority:i", "-3");
    OK(e, "reward", "id", "plain", "level", "l", "name", "Plain", "trigger", "deal_won", "recipient", "partner",
       "kind", "percent", "rate", "1%");
    OK(e, "partner", "id", "a", "program", "p", "level", "l", "name", "A");
    OK(e, "deal", "at", "2026-01-05", "id", "d", "partner", "a", "currency", "USD", "lines.0.id", "x", "lines.0.product",
       "Widget", "lines.0.amount", "100.00", "lines.0.cost", "60.00", "lines.0.units:i", "4", "lines.1.id", "y",
       "lines.1.product", "Service", "lines.1.amount", "50.00");
    OK(e, "deal", "at", "2026-01-05", "id", "plain-deal", "partner", "a", "currency", "USD", "amount", "10.00");
    const rewards_deal *d = rewards_engine_find_deal(e, "d");
    assert_int_equal(rewards_deal_line_count(d), 2);
    const rewards_deal_line *x = rewards_deal_line_at(d, 0), *y = rewards_deal_line_at(d, 1);
    assert_string_equal(rewards_deal_line_id(x), "x");
    assert_string_equal(rewards_deal_line_product(x), "Widget");
    assert_int_equal(rewards_deal_line_amount(x), 10000);
    assert_int_equal(rewards_deal_line_cost(x), 6000);
    assert_int_equal(rewards_deal_line_units(x), 4);
    assert_string_equal(rewards_deal_line_id(y), "y");
    assert_int_equal(rewards_deal_line_cost(y), 0);
    assert_int_equal(rewards_deal_line_units(y), 0);
    assert_null(rewards_deal_line_at(d, 2));
    assert_int_equal(rewards_deal_amount(d), 15000);
    /* an amendment restates the lines in place: the handles stay valid */
    OK(e, "amend", "at", "2026-01-06", "deal", "d", "lines.0.id", "x", "lines.0.product", "Widget", "lines.0.amount",
       "120.00", "lines.1.id", "y", "lines.1.product", "Service", "lines.1.amount", "50.00", "lines.1.cost", "5.00");
    assert_ptr_equal(rewards_deal_line_at(d, 0), x);
    assert_int_equal(rewards_deal_line_amount(x), 12000);
    assert_int_equal(rewards_deal_line_cost(x), 0); /* restated without a cost */
    assert_int_equal(rewards_deal_line_cost(y), 500);
    /* a deal without lines lists none */
    assert_int_equal(rewards_deal_line_count(rewards_engine_find_deal(e, "plain-deal")), 0);
    assert_null(rewards_deal_line_at(rewards_engine_find_deal(e, "plain-deal"), 0));
    assert_int_equal(rewards_deal_line_count(NULL), 0);
    assert_null(rewards_deal_line_at(NULL, 0));
    assert_null(rewards_deal_line_id(NULL));
    assert_null(rewards_deal_line_product(NULL));
    assert_int_equal(rewards_deal_line_amount(NULL), 0);
    assert_int_equal(rewards_deal_line_cost(NULL), 0);
    assert_int_equal(rewards_deal_line_units(NULL), 0);

    param_is(e, "m", "per", "line");
    param_is(e, "m", "base", "margin");
    param_is(e, "m", "exclusive", "grp");
    param_is(e, "m", "priority", "-3");
    param_is(e, "plain", "per", "deal");
    param_is(e, "plain", "base", "amount");
    param_is(e, "plain", "exclusive", NULL);
    param_is(e, "plain", "priority", "0");
    rewards_engine_free(e);
}

static void path_error(rewards_engine *e, rewards_op *op, const char *path, const char *want)
{
    assert_int_equal(rewards_op_set_string(op, path, "v"), REWARDS_INVALID_ARGUMENT);
    if (!strstr(rewards_engine_errmsg(e), want))
        fail_msg("path '%s': message '%s' lacks '%s'", path, rewards_engine_errmsg(e), want);
}

static void test_field_path_errors(void **state)
{
    (void)state;
    rewards_engine *e;
    rewards_op *op;
    assert_int_equal(rewards_engine_new(&e, NULL), REWARDS_OK);
    assert_int_equal(rewards_op_new(e, &op, "reward"), REWARDS_OK);
    assert_int_equal(rewards_op_set_string(op, "id", "r"), REWARDS_OK);
    assert_int_equal(rewards_op_set_string(op, "tiers.0.from", "0"), REWARDS_OK);
    path_error(e, op, "", "is malformed");
    path_error(e, op, "a..b", "is malformed");
    path_error(e, op, ".a", "is malformed");
    path_error(e, op, "a.", "is malformed");
    path_error(e, op, "tiers.x", "is malformed");
    path_error(e, op, "tiers.01.from", "is malformed");
    path_error(e, op, "id", "field path 'id': field 'id' is set twice");
    path_error(e, op, "tiers.0.from", "field 'tiers.0.from' is set twice");
    path_error(e, op, "id.x", "field 'id' is set twice");
    path_error(e, op, "tiers.2.from", "field path 'tiers.2.from' skips a list index: 'tiers' has 1 items, so the next is 1, not 2");
    path_error(e, op, "thresholds.1.at", "'thresholds' has 0 items, so the next is 0, not 1");
    assert_int_equal(rewards_op_set_string(op, NULL, "v"), REWARDS_INVALID_ARGUMENT);
    assert_string_equal(rewards_engine_errmsg(e), "field path is missing");
    /* the refused paths changed nothing: the next index is still 1 */
    assert_int_equal(rewards_op_set_string(op, "tiers.1.from", "10"), REWARDS_OK);
    rewards_op_free(op);
    rewards_engine_free(e);
}

/* rewards_engine_currency_exponent: ISO codes, points, a registered currency
 * (before and after its registration, and after a restore), unknown codes
 * and NULL arguments. */
static void test_currency_exponent(void **state)
{
    (void)state;
    rewards_engine *e;
    rewards_options o = REWARDS_OPTIONS_INIT;
    assert_int_equal(rewards_engine_new(&e, &o), REWARDS_OK);
    assert_int_equal(rewards_engine_currency_exponent(e, "USD"), 2);
    assert_int_equal(rewards_engine_currency_exponent(e, "JPY"), 0);
    assert_int_equal(rewards_engine_currency_exponent(e, "BHD"), 3);
    assert_int_equal(rewards_engine_currency_exponent(e, "PTS"), 0);
    assert_int_equal(rewards_engine_currency_exponent(e, "ZCR"), -1);
    OK(e, "currency", "code", "ZCR", "exponent:i", "4");
    assert_int_equal(rewards_engine_currency_exponent(e, "ZCR"), 4);
    assert_int_equal(rewards_engine_currency_exponent(e, "zcr"), -1);
    assert_int_equal(rewards_engine_currency_exponent(e, ""), -1);
    assert_int_equal(rewards_engine_currency_exponent(e, NULL), -1);
    assert_int_equal(rewards_engine_currency_exponent(NULL, "USD"), -1);
    rewards_engine_free(e);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_collections),
        cmocka_unit_test(test_deals),
        cmocka_unit_test(test_payouts),
        cmocka_unit_test(test_payout_currencies_and_overflow),
        cmocka_unit_test(test_rewards),
        cmocka_unit_test(test_two_tier),
        cmocka_unit_test(test_reward_param_extremes),
        cmocka_unit_test(test_field_path_errors),
        cmocka_unit_test(test_restored_listing),
        cmocka_unit_test(test_deal_lines_and_precedence_params),
        cmocka_unit_test(test_currency_exponent),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
