/*
 * test_twotier.c - SPEC.md section 13, second half: manual adjustments
 * (adjust), activities and two-tier overrides, asserted on exact ledgers.
 * Every refused call is checked to change nothing (REFUSED compares the
 * engine's fingerprint), and faults are checked in the documented order
 * (fields in SCENARIOS.md order, then the operation's rules).
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

typedef struct evlog {
    int n;
    int types[64];
    char notes[64][32];
} evlog;

static void log_event(void *u, const rewards_event *ev)
{
    evlog *l = u;
    if (l->n < 64) {
        const char *note = rewards_entry_note(rewards_event_entry(ev));
        snprintf(l->notes[l->n], sizeof l->notes[0], "%s", note ? note : "(null)");
        l->types[l->n++] = rewards_event_get_type(ev);
    }
}

static rewards_engine *engine_with(evlog *l)
{
    rewards_events ev = { REWARDS_EVENTS_VERSION, log_event, l };
    rewards_options o = REWARDS_OPTIONS_INIT;
    o.events = l ? &ev : NULL;
    rewards_engine *e;
    assert_int_equal(rewards_engine_new(&e, &o), REWARDS_OK);
    return e;
}

/* Two programs; in "p": distributor dist, its resellers res (and res's own child grand), a stray partner. */
static void plan(rewards_engine *e)
{
    OK(e, "program", "id", "p", "name", "P", "currency", "EUR");
    OK(e, "program", "id", "q", "name", "Q", "currency", "EUR");
    OK(e, "level", "id", "r1", "program", "p", "name", "Reseller", "rank:i", "1");
    OK(e, "level", "id", "d2", "program", "p", "name", "Distributor", "rank:i", "2");
    OK(e, "level", "id", "q1", "program", "q", "name", "Q", "rank:i", "1");
    OK(e, "reward", "id", "pct", "level", "r1", "name", "10%", "trigger", "deal_won", "recipient", "partner", "kind",
       "percent", "rate", "10%", "clawback_days:i", "30");
    OK(e, "reward", "id", "pts", "program", "p", "name", "Points", "trigger", "deal_won", "recipient", "partner",
       "kind", "points", "points", "100", "auto_approve:b", "true");
    OK(e, "reward", "id", "qfix", "program", "q", "name", "Q fixed", "trigger", "deal_won", "recipient", "partner",
       "kind", "fixed", "amount", "1.00");
    OK(e, "partner", "id", "dist", "program", "p", "level", "d2", "name", "Dist");
    OK(e, "partner", "id", "res", "program", "p", "level", "r1", "name", "Res", "parent", "dist");
    OK(e, "partner", "id", "grand", "program", "p", "level", "r1", "name", "Grand", "parent", "res");
    OK(e, "partner", "id", "stray", "program", "p", "level", "r1", "name", "Stray");
    OK(e, "partner", "id", "qp", "program", "q", "level", "q1", "name", "QP");
    OK(e, "user", "id", "jo", "partner", "res", "name", "Jo", "portal_access:b", "true");
    OK(e, "user", "id", "nox", "partner", "res", "name", "Nox", "portal_access:b", "false");
    OK(e, "user", "id", "zed", "partner", "stray", "name", "Zed", "portal_access:b", "true");
    OK(e, "deal", "at", "2026-01-02", "id", "d1", "partner", "res", "currency", "EUR", "amount", "1000.00");
    OK(e, "deal", "at", "2026-01-02", "id", "sd", "partner", "stray", "currency", "EUR", "amount", "10.00");
}

/* ---- adjust ------------------------------------------------------------------ */

static void test_adjust_refusals(void **state)
{
    (void)state;
    rewards_engine *e = engine_with(NULL);
    plan(e);
    /* the amount: zero, malformed, too many decimals, negative or fractional points, too large */
    REFUSED(e, REWARDS_INVALID_ARGUMENT, "adjust", "at", "2026-01-03", "id", "a", "partner", "res", "amount", "0.00");
    REFUSED(e, REWARDS_INVALID_ARGUMENT, "adjust", "at", "2026-01-03", "id", "a", "partner", "res", "amount", "-0");
    REFUSED(e, REWARDS_INVALID_ARGUMENT, "adjust", "at", "2026-01-03", "id", "a", "partner", "res", "amount", "ten");
    REFUSED(e, REWARDS_INVALID_ARGUMENT, "adjust", "at", "2026-01-03", "id", "a", "partner", "res", "amount", "1.001");
    REFUSED(e, REWARDS_INVALID_ARGUMENT, "adjust", "at", "2026-01-03", "id", "a", "partner", "res", "amount:n", "1.00");
    REFUSED(e, REWARDS_INVALID_ARGUMENT, "adjust", "at", "2026-01-03", "id", "a", "partner", "res", "amount", "-5",
            "currency", "PTS");
    REFUSED(e, REWARDS_INVALID_ARGUMENT, "adjust", "at", "2026-01-03", "id", "a", "partner", "res", "amount", "1.5",
            "currency", "PTS");
    REFUSED(e, REWARDS_OVERFLOW, "adjust", "at", "2026-01-03", "id", "a", "partner", "res", "amount",
            "-99999999999999999999.00");
    REFUSED(e, REWARDS_INVALID_ARGUMENT, "adjust", "at", "2026-01-03", "id", "a", "partner", "res");
    /* the currency: the program's or PTS only */
    REFUSED(e, REWARDS_INVALID_ARGUMENT, "adjust", "at", "2026-01-03", "id", "a", "partner", "res", "amount", "5.00",
            "currency", "USD");
    assert_non_null(strstr(rewards_engine_errmsg(e), "currency"));
    REFUSED(e, REWARDS_INVALID_ARGUMENT, "adjust", "at", "2026-01-03", "id", "a", "partner", "res", "amount", "5.00",
            "currency", "QQQ");
    /* references */
    REFUSED(e, REWARDS_NOT_FOUND, "adjust", "at", "2026-01-03", "id", "a", "partner", "ghost", "amount", "5.00");
    REFUSED(e, REWARDS_NOT_FOUND, "adjust", "at", "2026-01-03", "id", "a", "partner", "res", "user", "ghost", "amount",
            "5.00");
    REFUSED(e, REWARDS_NOT_FOUND, "adjust", "at", "2026-01-03", "id", "a", "partner", "res", "amount", "5.00", "deal",
            "nope");
    /* the rules, in order: the user's partner, the deal's partner, then portal access */
    REFUSED(e, REWARDS_INVALID_ARGUMENT, "adjust", "at", "2026-01-03", "id", "a", "partner", "res", "user", "zed",
            "amount", "5.00", "deal", "sd");
    assert_non_null(strstr(rewards_engine_errmsg(e), "field 'user'"));
    REFUSED(e, REWARDS_INVALID_ARGUMENT, "adjust", "at", "2026-01-03", "id", "a", "partner", "res", "user", "nox",
            "amount", "5.00", "deal", "sd");
    assert_non_null(strstr(rewards_engine_errmsg(e), "field 'deal'"));
    REFUSED(e, REWARDS_NO_PORTAL_ACCESS, "adjust", "at", "2026-01-03", "id", "a", "partner", "res", "user", "nox",
            "amount", "5.00", "deal", "d1");
    /* fields before rules: a malformed amount is reported before a user of another partner */
    REFUSED(e, REWARDS_INVALID_ARGUMENT, "adjust", "at", "2026-01-03", "id", "a", "partner", "res", "user", "zed",
            "amount", "0");
    assert_non_null(strstr(rewards_engine_errmsg(e), "field 'amount'"));
    REFUSED(e, REWARDS_INVALID_ARGUMENT, "adjust", "at", "2026-01-03", "id", "a", "partner", "res", "amount", "5.00",
            "approved", "yes");
    /* ids are unique among adjustments (a deal's id is fine) */
    OK(e, "adjust", "at", "2026-01-03", "id", "d1", "partner", "res", "amount", "5.00");
    REFUSED(e, REWARDS_EXISTS, "adjust", "at", "2026-01-03", "id", "d1", "partner", "stray", "amount", "5.00");
    rewards_engine_free(e);
}

static void test_adjust_entries(void **state)
{
    (void)state;
    evlog l;
    memset(&l, 0, sizeof l);
    rewards_engine *e = engine_with(&l);
    plan(e);
    OK(e, "adjust", "at", "2026-01-03", "id", "a1", "partner", "res", "amount", "-12.50", "deal", "d1", "note",
       "Price-list discount, \"manual\"");
    OK(e, "adjust", "at", "2026-01-03", "id", "a2", "partner", "res", "user", "jo", "amount", "40.00", "approved:b",
       "true");
    OK(e, "adjust", "at", "2026-01-04", "id", "a3", "partner", "res", "amount", "250", "currency", "PTS");
    OK(e, "adjust", "at", "2026-01-04", "id", "a4", "partner", "res", "amount", "75.00", "currency", "EUR", "approved:b",
       "false", "note", "");
    /* never overridden (res has a parent, and dist an override would cover nothing manual) */
    OK(e, "reward", "id", "ovr", "program", "p", "name", "Override", "recipient", "partner", "kind", "override", "rate",
       "50%");
    OK(e, "adjust", "at", "2026-01-05", "id", "a5", "partner", "res", "amount", "10.00");
    assert_ledger(e, LEDGER_HEADER
                  "1,manual,,d1,res,partner,res,-12.50,EUR,pending,,,2026-01-03T00:00:00Z,\n"
                  "2,manual,,,res,sales_rep,jo,40.00,EUR,approved,,,2026-01-03T00:00:00Z,\n"
                  "3,manual,,,res,partner,res,250,PTS,pending,,,2026-01-04T00:00:00Z,\n"
                  "4,manual,,,res,partner,res,75.00,EUR,pending,,,2026-01-04T00:00:00Z,\n"
                  "5,manual,,,res,partner,res,10.00,EUR,pending,,,2026-01-05T00:00:00Z,\n");
    assert_int_equal(l.n, 5);
    for (int i = 0; i < 5; i++)
        assert_int_equal(l.types[i], REWARDS_EVENT_MANUAL_RECORDED);
    assert_string_equal(l.notes[0], "Price-list discount, \"manual\"");
    assert_string_equal(l.notes[1], "(null)");
    assert_string_equal(l.notes[3], "");
    /* the accessors: no reward, the deal named, the note */
    const rewards_entry *en = rewards_engine_entry(e, 0);
    assert_null(rewards_entry_reward(en));
    assert_string_equal(rewards_deal_id(rewards_entry_deal(en)), "d1");
    assert_string_equal(rewards_entry_type(en), "manual");
    assert_string_equal(rewards_entry_period(en), "");
    assert_string_equal(rewards_entry_note(en), "Price-list discount, \"manual\"");
    assert_null(rewards_entry_note(rewards_engine_entry(e, 1)));
    assert_null(rewards_entry_note(NULL));
    assert_null(rewards_entry_deal(rewards_engine_entry(e, 1)));
    const rewards_deal *d1 = rewards_engine_find_deal(e, "d1");
    assert_int_equal(rewards_deal_entry_count(d1), 1);
    /* points count once approved; money is paid like any entry */
    rewards_balance b = { REWARDS_BALANCE_VERSION, 0, 0, 0, 0, 0 };
    assert_ok(e, rewards_engine_balance(e, &b, "partner", "res"));
    assert_int_equal(b.points, 0);
    assert_int_equal(b.pending, -1250 + 7500 + 1000);
    OK(e, "approve", "at", "2026-02-01", "until", "2026-01-31");
    assert_ok(e, rewards_engine_balance(e, &b, "partner", "res"));
    assert_int_equal(b.points, 250);
    OK(e, "redeem", "at", "2026-02-01", "id", "r", "recipient_type", "partner", "recipient", "res", "points", "250");
    OK(e, "payout", "at", "2026-02-02", "id", "jan", "until", "2026-01-31");
    char *p = eu_payouts(e);
    assert_str(p, PAYOUTS_HEADER "jan,partner,res,Res,res,Res,EUR,72.50,3\n"
                                 "jan,sales_rep,jo,Jo,res,Res,EUR,40.00,1\n");
    free(p);
    rewards_engine_free(e);
}

/* ---- activities -------------------------------------------------------------- */

static void test_activity_refusals(void **state)
{
    (void)state;
    rewards_engine *e = engine_with(NULL);
    plan(e);
    OK(e, "activity", "at", "2026-01-03", "id", "act", "partner", "res", "type", "training");
    /* ids are unique among activities and deals, both ways */
    REFUSED(e, REWARDS_EXISTS, "activity", "at", "2026-01-03", "id", "act", "partner", "res", "type", "training");
    REFUSED(e, REWARDS_EXISTS, "activity", "at", "2026-01-03", "id", "d1", "partner", "res", "type", "training");
    REFUSED(e, REWARDS_EXISTS, "deal", "at", "2026-01-03", "id", "act", "partner", "res", "currency", "EUR", "amount",
            "1.00");
    /* the type: 1 to 255 bytes, a string */
    char longtype[300];
    memset(longtype, 'x', 256);
    longtype[256] = '\0';
    REFUSED(e, REWARDS_INVALID_ARGUMENT, "activity", "at", "2026-01-03", "id", "a2", "partner", "res", "type", "");
    REFUSED(e, REWARDS_INVALID_ARGUMENT, "activity", "at", "2026-01-03", "id", "a2", "partner", "res", "type", longtype);
    REFUSED(e, REWARDS_INVALID_ARGUMENT, "activity", "at", "2026-01-03", "id", "a2", "partner", "res", "type:i", "1");
    REFUSED(e, REWARDS_INVALID_ARGUMENT, "activity", "at", "2026-01-03", "id", "a2", "partner", "res");
    longtype[255] = '\0';
    OK(e, "activity", "at", "2026-01-03", "id", "a255", "partner", "res", "type", longtype);
    /* user: of another partner refused; without access accepted */
    REFUSED(e, REWARDS_INVALID_ARGUMENT, "activity", "at", "2026-01-03", "id", "a2", "partner", "res", "user", "zed",
            "type", "t");
    REFUSED(e, REWARDS_NOT_FOUND, "activity", "at", "2026-01-03", "id", "a2", "partner", "res", "user", "ghost", "type",
            "t");
    OK(e, "activity", "at", "2026-01-03", "id", "a-nox", "partner", "res", "user", "nox", "type", "t");
    /* units: an integer, not negative (0 allowed); amount and currency together */
    REFUSED(e, REWARDS_INVALID_ARGUMENT, "activity", "at", "2026-01-03", "id", "a2", "partner", "res", "type", "t",
            "units:i", "-1");
    OK(e, "activity", "at", "2026-01-03", "id", "a-zero", "partner", "res", "type", "t", "units:i", "0");
    REFUSED(e, REWARDS_INVALID_ARGUMENT, "activity", "at", "2026-01-03", "id", "a2", "partner", "res", "type", "t",
            "amount", "5.00");
    REFUSED(e, REWARDS_INVALID_ARGUMENT, "activity", "at", "2026-01-03", "id", "a2", "partner", "res", "type", "t",
            "currency", "EUR");
    REFUSED(e, REWARDS_INVALID_ARGUMENT, "activity", "at", "2026-01-03", "id", "a2", "partner", "res", "type", "t",
            "amount", "5.00", "currency", "PTS");
    REFUSED(e, REWARDS_INVALID_ARGUMENT, "activity", "at", "2026-01-03", "id", "a2", "partner", "res", "type", "t",
            "amount", "-5.00", "currency", "EUR");
    REFUSED(e, REWARDS_INVALID_ARGUMENT, "activity", "at", "2026-01-03", "id", "a2", "partner", "res", "type", "t",
            "amount", "5", "currency", "JPY", "colour", "red");
    OK(e, "activity", "at", "2026-01-03", "id", "a-jpy", "partner", "res", "type", "t", "amount", "5", "currency", "JPY");
    /* an activity has no stages */
    REFUSED(e, REWARDS_NOT_FOUND, "stage", "at", "2026-01-04", "deal", "act", "stage", "won");
    REFUSED(e, REWARDS_NOT_FOUND, "payment", "at", "2026-01-04", "deal", "act", "amount", "1.00");
    REFUSED(e, REWARDS_NOT_FOUND, "amend", "at", "2026-01-04", "deal", "act", "amount", "1.00");
    /* the trigger of a reward */
    REFUSED(e, REWARDS_INVALID_ARGUMENT, "reward", "id", "x", "program", "p", "name", "X", "trigger", "activity:",
            "recipient", "partner", "kind", "fixed", "amount", "1.00");
    REFUSED(e, REWARDS_INVALID_ARGUMENT, "reward", "id", "x", "program", "p", "name", "X", "trigger", "activity",
            "recipient", "partner", "kind", "fixed", "amount", "1.00");
    REFUSED(e, REWARDS_INVALID_ARGUMENT, "reward", "id", "x", "program", "p", "name", "X", "trigger", "activty:cert",
            "recipient", "partner", "kind", "fixed", "amount", "1.00");
    REFUSED(e, REWARDS_PARSE_ERROR, "reward", "id", "x", "program", "p", "name", "X", "trigger", "activity:cert",
            "recipient", "partner", "kind", "fixed", "amount", "1.00", "when", "activity.colour == 1");
    rewards_engine_free(e);
}

static void test_activity_fires_like_a_deal(void **state)
{
    (void)state;
    rewards_engine *e = engine_with(NULL);
    plan(e);
    OK(e, "reward", "id", "cert", "program", "p", "name", "Cert", "trigger", "activity:certification", "recipient",
       "sales_rep", "kind", "fixed", "amount", "200.00");
    OK(e, "reward", "id", "ref", "level", "r1", "name", "Referral", "trigger", "activity:referral", "recipient",
       "partner", "kind", "percent", "rate", "10%", "cap_per_deal", "50.00",
       "when", "activity.units >= 1 && activity.attr.channel != \"web\" && activity.type == \"referral\"");
    OK(e, "reward", "id", "noamt", "program", "p", "name", "No amount", "trigger", "activity:referral", "recipient",
       "partner", "kind", "fixed", "amount", "1.00", "when", "!has(activity.amount)");
    OK(e, "reward", "id", "dealnames", "program", "p", "name", "Deal names", "trigger", "activity:referral",
       "recipient", "partner", "kind", "fixed", "amount", "2.00", "when", "has(deal.amount) || has(deal.stage)");
    OK(e, "reward", "id", "actnames", "program", "p", "name", "Activity names", "trigger", "deal_won", "recipient",
       "partner", "kind", "fixed", "amount", "3.00", "when", "has(activity.type)");
    OK(e, "reward", "id", "ms", "program", "p", "name", "Trainings", "trigger", "activity:training", "recipient",
       "partner", "kind", "milestone", "period", "quarter", "metric", "units", "thresholds.0.at", "5",
       "thresholds.0.bonus", "30.00");
    OK(e, "reward", "id", "late", "program", "p", "name", "Later", "trigger", "activity:certification", "recipient",
       "partner", "kind", "fixed", "amount", "4.00", "active_from", "2026-06-01");
    OK(e, "fx", "at", "2026-01-02", "from", "USD", "to", "EUR", "rate", "0.5");
    /* a rep without access: held, released when access comes back */
    OK(e, "activity", "at", "2026-01-03", "id", "c-nox", "partner", "res", "user", "nox", "type", "certification");
    OK(e, "activity", "at", "2026-01-03", "id", "c-none", "partner", "res", "type", "certification");
    OK(e, "activity", "at", "2026-01-04", "id", "r1", "partner", "res", "type", "referral", "units:i", "2", "amount",
       "1000.00", "currency", "USD", "attrs.channel", "event");
    OK(e, "activity", "at", "2026-01-04", "id", "r2", "partner", "res", "type", "referral", "attrs.channel", "event");
    OK(e, "activity", "at", "2026-01-04", "id", "r3", "partner", "res", "type", "referral", "units:i", "3", "amount",
       "100.00", "currency", "EUR", "attrs.channel", "web");
    OK(e, "activity", "at", "2026-01-05", "id", "t1", "partner", "res", "type", "training", "units:i", "3");
    OK(e, "activity", "at", "2026-01-06", "id", "t2", "partner", "res", "type", "training", "units:i", "2");
    OK(e, "user_access", "at", "2026-01-07", "user", "nox", "portal_access:b", "true");
    OK(e, "assign", "at", "2026-01-08", "deal", "c-none", "user", "jo");
    /* a deal trigger sees no activity.* names */
    OK(e, "stage", "at", "2026-01-09", "deal", "sd", "stage", "won");
    assert_ledger(e, LEDGER_HEADER
                  "1,earned,cert,c-nox,res,sales_rep,nox,200.00,EUR,pending,,,2026-01-03T00:00:00Z,\n"
                  "2,earned,cert,c-none,res,sales_rep,jo,200.00,EUR,pending,,,2026-01-03T00:00:00Z,\n"
                  "3,earned,ref,r1,res,partner,res,50.00,EUR,pending,,,2026-01-04T00:00:00Z,\n"
                  "4,earned,noamt,r2,res,partner,res,1.00,EUR,pending,,,2026-01-04T00:00:00Z,\n"
                  "5,earned,ms,t2,res,partner,res,30.00,EUR,pending,,FY2026-Q1,2026-01-06T00:00:00Z,\n"
                  "6,earned,pct,sd,stray,partner,stray,1.00,EUR,pending,,,2026-01-09T00:00:00Z,\n"
                  "7,earned,pts,sd,stray,partner,stray,100,PTS,approved,,,2026-01-09T00:00:00Z,\n");
    /* a release names an activity too */
    OK(e, "activity", "at", "2026-01-10", "id", "c-z", "partner", "res", "type", "certification");
    OK(e, "release", "at", "2026-01-11", "deal", "c-z", "to", "partner");
    const rewards_entry *last = rewards_engine_entry(e, rewards_engine_entry_count(e) - 1);
    assert_string_equal(rewards_entry_recipient_type(last), "partner");
    assert_string_equal(rewards_entry_status(last), "pending");
    rewards_engine_free(e);
}

/* ---- overrides --------------------------------------------------------------- */

static void test_override_refusals(void **state)
{
    (void)state;
    rewards_engine *e = engine_with(NULL);
    plan(e);
#define OVR "reward", "id", "o", "program", "p", "name", "O"
    REFUSED(e, REWARDS_INVALID_ARGUMENT, OVR, "trigger", "deal_won", "recipient", "partner", "kind", "override", "rate",
            "2%");
    REFUSED(e, REWARDS_INVALID_ARGUMENT, OVR, "recipient", "sales_rep", "kind", "override", "rate", "2%");
    REFUSED(e, REWARDS_INVALID_ARGUMENT, OVR, "recipient", "partner", "kind", "override", "rate", "2%", "rep_policy",
            "hold");
    REFUSED(e, REWARDS_INVALID_ARGUMENT, OVR, "recipient", "partner", "kind", "override", "rate", "2%",
            "clawback_days:i", "3");
    REFUSED(e, REWARDS_INVALID_ARGUMENT, OVR, "recipient", "partner", "kind", "override", "rate", "2%", "period",
            "month");
    REFUSED(e, REWARDS_INVALID_ARGUMENT, OVR, "recipient", "partner", "kind", "override", "rate", "2%", "cap_per_deal",
            "5.00");
    REFUSED(e, REWARDS_INVALID_ARGUMENT, OVR, "recipient", "partner", "kind", "override", "rate", "2%",
            "cap_per_period", "5.00");
    REFUSED(e, REWARDS_INVALID_ARGUMENT, OVR, "recipient", "partner", "kind", "override", "rate", "2%", "when", "true");
    REFUSED(e, REWARDS_INVALID_ARGUMENT, OVR, "recipient", "partner", "kind", "override", "amount", "2.00");
    REFUSED(e, REWARDS_INVALID_ARGUMENT, OVR, "recipient", "partner", "kind", "override");
    REFUSED(e, REWARDS_INVALID_ARGUMENT, OVR, "recipient", "partner", "kind", "override", "rate", "100.01%");
    REFUSED(e, REWARDS_INVALID_ARGUMENT, OVR, "recipient", "partner", "kind", "override", "rate", "2%", "of:l", "");
    REFUSED(e, REWARDS_NOT_FOUND, OVR, "recipient", "partner", "kind", "override", "rate", "2%", "of.0", "ghost");
    REFUSED(e, REWARDS_INVALID_ARGUMENT, OVR, "recipient", "partner", "kind", "override", "rate", "2%", "of.0", "pts");
    REFUSED(e, REWARDS_INVALID_ARGUMENT, OVR, "recipient", "partner", "kind", "override", "rate", "2%", "of.0", "qfix");
    REFUSED(e, REWARDS_INVALID_ARGUMENT, OVR, "recipient", "partner", "kind", "override", "rate", "2%", "of.0", "pct",
            "of.1", "pct");
    REFUSED(e, REWARDS_INVALID_ARGUMENT, OVR, "recipient", "partner", "kind", "override", "rate", "2%", "of.0:i", "1");
    /* 'of' not a list; ids empty, too long, not UTF-8; auto_approve and the window of the wrong type */
    REFUSED(e, REWARDS_INVALID_ARGUMENT, OVR, "recipient", "partner", "kind", "override", "rate", "2%", "of", "pct");
    REFUSED(e, REWARDS_INVALID_ARGUMENT, OVR, "recipient", "partner", "kind", "override", "rate", "2%", "of.0", "");
    REFUSED(e, REWARDS_INVALID_ARGUMENT, OVR, "recipient", "partner", "kind", "override", "rate", "2%", "of.0",
            "rrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrr"
            "rrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrr"
            "rrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrr");
    REFUSED(e, REWARDS_INVALID_ARGUMENT, OVR, "recipient", "partner", "kind", "override", "rate", "2%", "of.0", "\xff");
    REFUSED(e, REWARDS_INVALID_ARGUMENT, OVR, "recipient", "partner", "kind", "override", "rate", "2%",
            "auto_approve", "yes");
    REFUSED(e, REWARDS_INVALID_ARGUMENT, OVR, "recipient", "partner", "kind", "override", "rate", "2%",
            "active_from", "soon");
    REFUSED(e, REWARDS_INVALID_ARGUMENT, OVR, "recipient", "partner", "kind", "override", "rate", "2%",
            "active_until", "later");
    REFUSED(e, REWARDS_INVALID_ARGUMENT, OVR, "recipient", "partner", "kind", "override", "rate", "2%",
            "active_from", "2026-02-01", "active_until", "2026-01-01");
    OK(e, OVR, "recipient", "partner", "kind", "override", "rate", "100%", "of.0", "pct", "auto_approve:b", "true",
       "active_from", "2026-01-01");
    REFUSED(e, REWARDS_INVALID_ARGUMENT, "reward", "id", "o2", "program", "p", "name", "O", "recipient", "partner",
            "kind", "override", "rate", "2%", "of.0", "o");
    /* 'of' belongs to overrides only */
    REFUSED(e, REWARDS_INVALID_ARGUMENT, "reward", "id", "f", "program", "p", "name", "F", "trigger", "deal_won",
            "recipient", "partner", "kind", "fixed", "amount", "1.00", "of.0", "pct");
    /* a missing trigger on any other kind */
    REFUSED(e, REWARDS_INVALID_ARGUMENT, "reward", "id", "f", "program", "p", "name", "F", "recipient", "partner",
            "kind", "fixed", "amount", "1.00");
#undef OVR
    /* parents: unknown, another program, itself */
    REFUSED(e, REWARDS_NOT_FOUND, "partner", "id", "n", "program", "p", "level", "r1", "name", "N", "parent", "ghost");
    REFUSED(e, REWARDS_INVALID_ARGUMENT, "partner", "id", "n", "program", "p", "level", "r1", "name", "N", "parent",
            "qp");
    REFUSED(e, REWARDS_INVALID_ARGUMENT, "partner", "id", "n", "program", "p", "level", "r1", "name", "N", "parent",
            "n");
    REFUSED(e, REWARDS_INVALID_ARGUMENT, "partner", "id", "n", "program", "p", "level", "r1", "name", "N", "parent:i",
            "1");
    rewards_engine_free(e);
}

/* Rounding on the net mirrored so far, corrections, level, window, one level up, points. */
static void test_override_mirrors(void **state)
{
    (void)state;
    evlog l;
    memset(&l, 0, sizeof l);
    rewards_engine *e = engine_with(&l);
    plan(e);
    OK(e, "reward", "id", "rep", "level", "r1", "name", "Rep 1%", "trigger", "deal_won", "recipient", "sales_rep",
       "kind", "percent", "rate", "1%");
    OK(e, "reward", "id", "all", "level", "d2", "name", "3% of all", "recipient", "partner", "kind", "override", "rate",
       "3%");
    OK(e, "reward", "id", "reps", "program", "p", "name", "50% of reps", "recipient", "partner", "kind", "override",
       "rate", "50%", "of.0", "rep", "auto_approve:b", "true", "active_until", "2026-03-01");
    OK(e, "deal", "at", "2026-01-03", "id", "d2", "partner", "res", "currency", "EUR", "amount", "16.50", "user", "jo");
    OK(e, "user_access", "at", "2026-01-03", "user", "jo", "portal_access:b", "false");
    OK(e, "stage", "at", "2026-01-04", "deal", "d2", "stage", "won");
    /* 10% of 16.50 = 1.65, 3% = 0.0495 -> 0.05; the rep's 0.165 -> 0.16 (half even) is held,
     * its mirror is not; points are never mirrored; grand's parent res has the reseller
     * level, where 'all' does not apply, but 'reps' (a program reward) covers grand's rep only */
    OK(e, "amend", "at", "2026-01-05", "deal", "d2", "amount", "33.00");
    /* 3.30 net: round(0.099) = 0.10, so +0.05 more; the rep's 0.33: round(0.165) = 0.16, +0.08 */
    OK(e, "amend", "at", "2026-01-06", "deal", "d2", "amount", "16.83");
    /* 1.68 net: round(0.0504) = 0.05: -0.05; the rep's 0.17: round(0.085) = 0.08, -0.08 */
    OK(e, "deal", "at", "2026-01-07", "id", "g1", "partner", "grand", "currency", "EUR", "amount", "100.00");
    OK(e, "stage", "at", "2026-01-08", "deal", "g1", "stage", "won");
    /* a reward created later is covered by 'all' (no 'of') when its entries are recorded */
    OK(e, "reward", "id", "later", "level", "r1", "name", "Later", "trigger", "deal_contract_started", "recipient",
       "partner", "kind", "fixed", "amount", "10.00");
    OK(e, "stage", "at", "2026-01-09", "deal", "d2", "stage", "contract_started");
    /* outside the window of 'reps'; and the parent's level changes: 'all' no longer applies,
     * so the reversal of d1 is not mirrored and dist keeps its 3.00 (SPEC.md: "applicable to
     * the parent at that moment") */
    OK(e, "stage", "at", "2026-03-02", "deal", "d1", "stage", "won");
    OK(e, "set_level", "at", "2026-03-03", "partner", "dist", "level", "r1");
    OK(e, "stage", "at", "2026-03-04", "deal", "d1", "stage", "cancelled");
    assert_ledger(e, LEDGER_HEADER
                  "1,earned,pct,d2,res,partner,res,1.65,EUR,pending,,,2026-01-04T00:00:00Z,\n"
                  "2,earned,all,d2,dist,partner,dist,0.05,EUR,pending,,,2026-01-04T00:00:00Z,\n"
                  "3,earned,pts,d2,res,partner,res,100,PTS,approved,,,2026-01-04T00:00:00Z,\n"
                  "4,earned,rep,d2,res,sales_rep,jo,0.16,EUR,held,no_portal_access,,2026-01-04T00:00:00Z,\n"
                  "5,earned,reps,d2,dist,partner,dist,0.08,EUR,approved,,,2026-01-04T00:00:00Z,\n"
                  "6,adjustment,pct,d2,res,partner,res,1.65,EUR,pending,,,2026-01-05T00:00:00Z,\n"
                  "7,adjustment,all,d2,dist,partner,dist,0.05,EUR,pending,,,2026-01-05T00:00:00Z,\n"
                  "8,adjustment,rep,d2,res,sales_rep,jo,0.17,EUR,held,no_portal_access,,2026-01-05T00:00:00Z,\n"
                  "9,adjustment,reps,d2,dist,partner,dist,0.08,EUR,approved,,,2026-01-05T00:00:00Z,\n"
                  "10,adjustment,pct,d2,res,partner,res,-1.62,EUR,pending,,,2026-01-06T00:00:00Z,\n"
                  "11,adjustment,all,d2,dist,partner,dist,-0.05,EUR,pending,,,2026-01-06T00:00:00Z,\n"
                  "12,adjustment,rep,d2,res,sales_rep,jo,-0.16,EUR,held,no_portal_access,,2026-01-06T00:00:00Z,\n"
                  "13,adjustment,reps,d2,dist,partner,dist,-0.08,EUR,approved,,,2026-01-06T00:00:00Z,\n"
                  "14,earned,pct,g1,grand,partner,grand,10.00,EUR,pending,,,2026-01-08T00:00:00Z,\n"
                  "15,earned,pts,g1,grand,partner,grand,100,PTS,approved,,,2026-01-08T00:00:00Z,\n"
                  "16,earned,rep,g1,grand,sales_rep,,1.00,EUR,held,no_assigned_rep,,2026-01-08T00:00:00Z,\n"
                  "17,earned,reps,g1,res,partner,res,0.50,EUR,approved,,,2026-01-08T00:00:00Z,\n"
                  "18,earned,later,d2,res,partner,res,10.00,EUR,pending,,,2026-01-09T00:00:00Z,\n"
                  "19,earned,all,d2,dist,partner,dist,0.30,EUR,pending,,,2026-01-09T00:00:00Z,\n"
                  "20,earned,pct,d1,res,partner,res,100.00,EUR,pending,,,2026-03-02T00:00:00Z,\n"
                  "21,earned,all,d1,dist,partner,dist,3.00,EUR,pending,,,2026-03-02T00:00:00Z,\n"
                  "22,earned,pts,d1,res,partner,res,100,PTS,approved,,,2026-03-02T00:00:00Z,\n"
                  "23,earned,rep,d1,res,sales_rep,,10.00,EUR,held,no_assigned_rep,,2026-03-02T00:00:00Z,\n"
                  "24,reversal,pct,d1,res,partner,res,-100.00,EUR,pending,,,2026-03-04T00:00:00Z,\n");
    int overrides = 0;
    for (int i = 0; i < l.n; i++)
        overrides += l.types[i] == REWARDS_EVENT_OVERRIDE_RECORDED;
    assert_int_equal(overrides, 9);
    rewards_engine_free(e);
}

/* Event ids: a signed amount compares as a number, so a redelivery written differently is a no-op. */
static void test_adjust_event_ids(void **state)
{
    (void)state;
    rewards_engine *e = engine_with(NULL);
    plan(e);
    OK(e, "adjust", "at", "2026-01-03", "id", "a1", "partner", "res", "amount", "-5.0", "event", "ev1");
    OK(e, "adjust", "at", "2026-01-03T00:00:00Z", "id", "a1", "partner", "res", "amount", "-5.00", "event", "ev1");
    REFUSED(e, REWARDS_CONFLICT, "adjust", "at", "2026-01-03", "id", "a1", "partner", "res", "amount", "5.00", "event",
            "ev1");
    OK(e, "activity", "at", "2026-01-03", "id", "x", "partner", "res", "type", "t", "amount", "1.5", "currency", "EUR",
       "event", "ev2");
    OK(e, "activity", "at", "2026-01-03", "id", "x", "partner", "res", "type", "t", "amount", "1.50", "currency", "EUR",
       "event", "ev2");
    assert_int_equal(rewards_engine_entry_count(e), 1);
    rewards_engine_free(e);
}

/* A held child entry released to the partner, then clawed back: the reversal is mirrored under
 * the new recipient (a new key, C = 0), and the parent's mirrors still net to zero. */
static void test_override_after_release(void **state)
{
    (void)state;
    rewards_engine *e = engine_with(NULL);
    plan(e);
    OK(e, "reward", "id", "rep", "level", "r1", "name", "Rep", "trigger", "deal_won", "recipient", "sales_rep", "kind",
       "percent", "rate", "3.3%", "clawback_days:i", "30");
    OK(e, "reward", "id", "o", "program", "p", "name", "O", "recipient", "partner", "kind", "override", "rate", "12.5%",
       "of.0", "rep");
    OK(e, "deal", "at", "2026-01-03", "id", "d2", "partner", "res", "currency", "EUR", "amount", "123.45", "user", "jo");
    OK(e, "user_access", "at", "2026-01-03", "user", "jo", "portal_access:b", "false");
    OK(e, "stage", "at", "2026-01-04", "deal", "d2", "stage", "won");
    OK(e, "release", "at", "2026-01-05", "deal", "d2", "to", "partner");
    OK(e, "stage", "at", "2026-01-06", "deal", "d2", "stage", "cancelled");
    /* 10% of 123.45 = 12.345 -> 12.34 (half even); 3.3% = 4.07385 -> 4.07; 12.5% of 4.07 = 0.50875 -> 0.51 */
    assert_ledger(e, LEDGER_HEADER
                  "1,earned,pct,d2,res,partner,res,12.34,EUR,pending,,,2026-01-04T00:00:00Z,\n"
                  "2,earned,pts,d2,res,partner,res,100,PTS,approved,,,2026-01-04T00:00:00Z,\n"
                  "3,earned,rep,d2,res,partner,res,4.07,EUR,pending,,,2026-01-04T00:00:00Z,\n"
                  "4,earned,o,d2,dist,partner,dist,0.51,EUR,pending,,,2026-01-04T00:00:00Z,\n"
                  "5,reversal,pct,d2,res,partner,res,-12.34,EUR,pending,,,2026-01-06T00:00:00Z,\n"
                  "6,reversal,rep,d2,res,partner,res,-4.07,EUR,pending,,,2026-01-06T00:00:00Z,\n"
                  "7,reversal,o,d2,dist,partner,dist,-0.51,EUR,pending,,,2026-01-06T00:00:00Z,\n");
    rewards_engine_free(e);
}

/* Deal lines and precedence (SPEC.md section 13, first half) meet activities: no per line, no
 * margin; exclusive groups choose among activity rewards as among deal rewards. */
static void test_activity_precedence(void **state)
{
    (void)state;
    rewards_engine *e = engine_with(NULL);
    plan(e);
    REFUSED(e, REWARDS_INVALID_ARGUMENT, "reward", "id", "x", "program", "p", "name", "X", "trigger", "activity:cert",
            "recipient", "partner", "kind", "percent", "rate", "1%", "per", "line");
    REFUSED(e, REWARDS_INVALID_ARGUMENT, "reward", "id", "x", "program", "p", "name", "X", "trigger", "activity:cert",
            "recipient", "partner", "kind", "percent", "rate", "1%", "base", "margin");
    OK(e, "reward", "id", "low", "program", "p", "name", "Low", "trigger", "activity:cert", "recipient", "partner",
       "kind", "fixed", "amount", "10.00", "exclusive", "g", "priority:i", "1");
    OK(e, "reward", "id", "high", "program", "p", "name", "High", "trigger", "activity:cert", "recipient", "partner",
       "kind", "fixed", "amount", "20.00", "exclusive", "g", "priority:i", "2");
    REFUSED(e, REWARDS_INVALID_ARGUMENT, "reward", "id", "x", "program", "p", "name", "X", "trigger", "activity:other",
            "recipient", "partner", "kind", "fixed", "amount", "1.00", "exclusive", "g");
    assert_non_null(strstr(rewards_engine_errmsg(e), "activity:cert"));
    REFUSED(e, REWARDS_INVALID_ARGUMENT, "reward", "id", "x", "program", "p", "name", "X", "trigger", "deal_won",
            "recipient", "partner", "kind", "fixed", "amount", "1.00", "exclusive", "g");
    OK(e, "activity", "at", "2026-01-03", "id", "a1", "partner", "stray", "type", "cert");
    assert_ledger(e, LEDGER_HEADER "1,earned,high,a1,stray,partner,stray,20.00,EUR,pending,,,2026-01-03T00:00:00Z,\n");
    rewards_engine_free(e);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_adjust_refusals),
        cmocka_unit_test(test_adjust_entries),
        cmocka_unit_test(test_activity_refusals),
        cmocka_unit_test(test_activity_fires_like_a_deal),
        cmocka_unit_test(test_override_refusals),
        cmocka_unit_test(test_override_mirrors),
        cmocka_unit_test(test_adjust_event_ids),
        cmocka_unit_test(test_override_after_release),
        cmocka_unit_test(test_activity_precedence),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
