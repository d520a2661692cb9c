/*
 * test_deals.c - the deal rules of SPEC.md sections 5 and 6, asserted on
 * exact ledgers: the stage machine (every allowed and refused transition,
 * the trigger of the stage entered only, renewals with their own amounts),
 * payments and amendments and the stages that allow them, assignment
 * (partner checked before portal access; entries already earned stay with
 * their recipient), the rep policies (hold with its two reasons, partner,
 * skip) and the three ways a hold is released, the engine clock
 * (out_of_order; untimed definitions neither check nor advance it), event
 * ids (replay, conflict, remembered only on success, the same operation
 * written differently), and the order in which faults are reported
 * (SPEC.md section 11).  Every refused call is also checked to change
 * nothing (eu_fingerprint).
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

static int64_t clock_of(const rewards_engine *e)
{
    return e->meta ? e->meta->clock : RW_NONE;
}

/* ---- a plan with one reward per trigger ---------------------------------- */

typedef struct evcount {
    int skipped, held, earned, released;
    char last_skip_user[32];
} evcount;

static void count_events(void *u, const rewards_event *ev)
{
    evcount *c = u;
    switch (rewards_event_get_type(ev)) {
    case REWARDS_EVENT_REWARD_SKIPPED: {
        c->skipped++;
        const char *id = rewards_user_id(rewards_event_user(ev));
        snprintf(c->last_skip_user, sizeof c->last_skip_user, "%s", id ? id : "(none)");
        break;
    }
    case REWARDS_EVENT_ENTRY_HELD: c->held++; break;
    case REWARDS_EVENT_ENTRY_EARNED: c->earned++; break;
    case REWARDS_EVENT_ENTRY_RELEASED: c->released++; break;
    default: break;
    }
}

static rewards_engine *engine_with(evcount *c)
{
    rewards_events ev = { REWARDS_EVENTS_VERSION, count_events, c };
    rewards_options o = REWARDS_OPTIONS_INIT;
    o.events = c ? &ev : NULL;
    rewards_engine *e;
    assert_int_equal(rewards_engine_new(&e, &o), REWARDS_OK);
    return e;
}

static void people(rewards_engine *e)
{
    OK(e, "program", "id", "p", "name", "P", "currency", "USD");
    OK(e, "level", "id", "l", "program", "p", "name", "L", "rank:i", "1");
    OK(e, "partner", "id", "acme", "program", "p", "level", "l", "name", "Acme");
    OK(e, "partner", "id", "other", "program", "p", "level", "l", "name", "Other");
    OK(e, "user", "id", "jo", "partner", "acme", "name", "Jo", "portal_access:b", "true");
    OK(e, "user", "id", "kim", "partner", "acme", "name", "Kim", "portal_access:b", "true");
    OK(e, "user", "id", "nox", "partner", "acme", "name", "Nox", "portal_access:b", "false");
    OK(e, "user", "id", "zed", "partner", "other", "name", "Zed", "portal_access:b", "true");
    OK(e, "user", "id", "zox", "partner", "other", "name", "Zox", "portal_access:b", "false");
}

static rewards_engine *trigger_plan(void)
{
    rewards_engine *e = engine_with(NULL);
    people(e);
    OK(e, "reward", "id", "reg", "level", "l", "name", "R", "trigger", "deal_registered", "recipient", "partner", "kind",
       "fixed", "amount", "1.00");
    OK(e, "reward", "id", "appr", "level", "l", "name", "A", "trigger", "deal_approved", "recipient", "partner", "kind",
       "fixed", "amount", "2.00");
    OK(e, "reward", "id", "won", "level", "l", "name", "W", "trigger", "deal_won", "recipient", "partner", "kind",
       "fixed", "amount", "3.00");
    OK(e, "reward", "id", "cs", "level", "l", "name", "C", "trigger", "deal_contract_started", "recipient", "partner",
       "kind", "fixed", "amount", "4.00");
    OK(e, "reward", "id", "ren", "level", "l", "name", "N", "trigger", "deal_renewed", "recipient", "partner", "kind",
       "percent", "rate", "10%");
    OK(e, "reward", "id", "paid", "level", "l", "name", "P", "trigger", "deal_paid", "recipient", "partner", "kind",
       "percent", "rate", "1%");
    return e;
}

/* ---- the stage machine ---------------------------------------------------- */

enum { S_REG, S_APPR, S_WON, S_CS, S_LOST, S_CANC, S_RENEW, S_COUNT };
static const char *const stage_names[] = { "registered", "approved", "won", "contract_started", "lost",
                                           "cancelled", "renewed" };

/* allowed[from][to], SPEC.md section 5 */
static const int allowed[6][S_COUNT] = {
    /* to:        reg appr won cs lost canc renew */
    /* reg  */ { 0, 1, 1, 1, 1, 0, 0 },
    /* appr */ { 0, 0, 1, 1, 1, 0, 0 },
    /* won  */ { 0, 0, 0, 1, 0, 1, 0 },
    /* cs   */ { 0, 0, 0, 0, 0, 1, 1 },
    /* lost */ { 0, 0, 0, 0, 0, 0, 0 },
    /* canc */ { 0, 0, 0, 0, 0, 0, 0 },
};

/* The reward each transition fires, and what it earns (10% of 50.00 for a renewal). */
static const char *const fires[S_COUNT] = { NULL, "appr", "won", "cs", NULL, NULL, "ren" };
static const int64_t earns[S_COUNT] = { 0, 200, 300, 400, 0, 0, 500 };

static void test_stage_machine_every_transition(void **state)
{
    (void)state;
    for (int from = 0; from < 6; from++) {
        for (int to = 0; to < S_COUNT; to++) {
            rewards_engine *e = trigger_plan();
            OK(e, "deal", "at", "2026-01-01", "id", "d", "partner", "acme", "currency", "USD", "amount", "100.00");
            switch (from) {
            case S_APPR: OK(e, "stage", "at", "2026-01-02", "deal", "d", "stage", "approved"); break;
            case S_WON: OK(e, "stage", "at", "2026-01-02", "deal", "d", "stage", "won"); break;
            case S_CS: OK(e, "stage", "at", "2026-01-02", "deal", "d", "stage", "contract_started"); break;
            case S_LOST: OK(e, "stage", "at", "2026-01-02", "deal", "d", "stage", "lost"); break;
            case S_CANC:
                OK(e, "stage", "at", "2026-01-02", "deal", "d", "stage", "won");
                OK(e, "stage", "at", "2026-01-03", "deal", "d", "stage", "cancelled");
                break;
            default: break;
            }
            const rewards_deal *d = rewards_engine_find_deal(e, "d");
            assert_string_equal(rewards_deal_stage(d), stage_names[from]);
            size_t entries = rewards_engine_entry_count(e);
            char *before = eu_fingerprint(e);
            rewards_status st = to == S_RENEW ? eu_op(e, "stage", "at", "2026-02-01", "deal", "d", "stage", "renewed",
                                                      "amount", "50.00", NULL)
                                              : eu_op(e, "stage", "at", "2026-02-01", "deal", "d", "stage",
                                                      stage_names[to], NULL);
            if (!allowed[from][to]) {
                if (st != REWARDS_INVALID_TRANSITION)
                    fail_msg("%s -> %s: %s, expected invalid_transition", stage_names[from], stage_names[to],
                             rewards_status_name(st));
                char *after = eu_fingerprint(e);
                assert_str(after, before);
                free(after);
                assert_non_null(strstr(rewards_engine_errmsg(e), "'d'"));
            } else {
                if (st != REWARDS_OK)
                    fail_msg("%s -> %s: %s (%s)", stage_names[from], stage_names[to], rewards_status_name(st),
                             rewards_engine_errmsg(e));
                assert_string_equal(rewards_deal_stage(d), to == S_RENEW ? "contract_started" : stage_names[to]);
                /* only the trigger of the stage entered fires */
                if (fires[to]) {
                    assert_int_equal(rewards_engine_entry_count(e), entries + 1);
                    const rewards_entry *en = rewards_engine_entry(e, entries);
                    assert_string_equal(rewards_reward_id(rewards_entry_reward(en)), fires[to]);
                    assert_int_equal(rewards_entry_amount(en), earns[to]);
                } else {
                    assert_int_equal(rewards_engine_entry_count(e), entries);
                }
            }
            free(before);
            rewards_engine_free(e);
        }
    }
}

/* Skipping stages fires only the stage entered; renewals repeat with their own amounts. */
static void test_stage_skip_and_renewals(void **state)
{
    (void)state;
    rewards_engine *e = trigger_plan();
    OK(e, "deal", "at", "2026-01-01", "id", "d", "partner", "acme", "currency", "USD", "amount", "100.00");
    OK(e, "stage", "at", "2026-01-05", "deal", "d", "stage", "contract_started");
    OK(e, "stage", "at", "2026-02-01", "deal", "d", "stage", "renewed", "amount", "50.00");
    OK(e, "stage", "at", "2026-03-01", "deal", "d", "stage", "renewed", "amount", "70.00");
    OK(e, "payment", "at", "2026-03-02", "deal", "d", "amount", "30.00");
    /* the renewals did not change the deal's amount */
    assert_int_equal(rewards_deal_amount(rewards_engine_find_deal(e, "d")), 10000);
    assert_string_equal(rewards_deal_stage(rewards_engine_find_deal(e, "d")), "contract_started");
    assert_ledger(e, LEDGER_HEADER "1,earned,reg,d,acme,partner,acme,1.00,USD,pending,,,2026-01-01T00:00:00Z,\n"
                                   "2,earned,cs,d,acme,partner,acme,4.00,USD,pending,,,2026-01-05T00:00:00Z,\n"
                                   "3,earned,ren,d,acme,partner,acme,5.00,USD,pending,,,2026-02-01T00:00:00Z,\n"
                                   "4,earned,ren,d,acme,partner,acme,7.00,USD,pending,,,2026-03-01T00:00:00Z,\n"
                                   "5,earned,paid,d,acme,partner,acme,0.30,USD,pending,,,2026-03-02T00:00:00Z,\n");
    /* a deal won then started: both triggers, once each */
    OK(e, "deal", "at", "2026-03-03", "id", "w", "partner", "acme", "currency", "USD", "amount", "10.00");
    OK(e, "stage", "at", "2026-03-03", "deal", "w", "stage", "approved");
    OK(e, "stage", "at", "2026-03-04", "deal", "w", "stage", "won");
    OK(e, "stage", "at", "2026-03-05", "deal", "w", "stage", "contract_started");
    REFUSED(e, REWARDS_INVALID_TRANSITION, "stage", "at", "2026-03-06", "deal", "w", "stage", "contract_started");
    assert_int_equal(rewards_deal_entry_count(rewards_engine_find_deal(e, "w")), 4); /* reg, appr, won, cs */
    rewards_engine_free(e);
}

static void test_stage_fields(void **state)
{
    (void)state;
    rewards_engine *e = trigger_plan();
    OK(e, "deal", "at", "2026-01-01", "id", "d", "partner", "acme", "currency", "USD", "amount", "100.00");
    OK(e, "stage", "at", "2026-01-02", "deal", "d", "stage", "contract_started");
    /* renewed needs an amount, a valid one */
    REFUSED(e, REWARDS_INVALID_ARGUMENT, "stage", "at", "2026-01-03", "deal", "d", "stage", "renewed");
    assert_non_null(strstr(rewards_engine_errmsg(e), "amount"));
    REFUSED(e, REWARDS_INVALID_ARGUMENT, "stage", "at", "2026-01-03", "deal", "d", "stage", "renewed", "amount", "-1.00");
    REFUSED(e, REWARDS_INVALID_ARGUMENT, "stage", "at", "2026-01-03", "deal", "d", "stage", "renewed", "amount", "1.001");
    REFUSED(e, REWARDS_INVALID_ARGUMENT, "stage", "at", "2026-01-03", "deal", "d", "stage", "renewed", "amount:i", "5");
    /* an amount anywhere else is refused, before the transition is looked at */
    REFUSED(e, REWARDS_INVALID_ARGUMENT, "stage", "at", "2026-01-03", "deal", "d", "stage", "cancelled", "amount",
            "5.00");
    REFUSED(e, REWARDS_INVALID_ARGUMENT, "stage", "at", "2026-01-03", "deal", "d", "stage", "won", "amount", "5.00");
    /* unknown stage names */
    REFUSED(e, REWARDS_INVALID_ARGUMENT, "stage", "at", "2026-01-03", "deal", "d", "stage", "finished");
    REFUSED(e, REWARDS_INVALID_ARGUMENT, "stage", "at", "2026-01-03", "deal", "d", "stage", "Won");
    REFUSED(e, REWARDS_INVALID_ARGUMENT, "stage", "at", "2026-01-03", "deal", "d", "stage", "");
    REFUSED(e, REWARDS_INVALID_ARGUMENT, "stage", "at", "2026-01-03", "deal", "d", "stage", "paid");
    REFUSED(e, REWARDS_INVALID_ARGUMENT, "stage", "at", "2026-01-03", "deal", "d");
    REFUSED(e, REWARDS_NOT_FOUND, "stage", "at", "2026-01-03", "deal", "nope", "stage", "won");
    rewards_engine_free(e);
}

/* ---- payments and amendments -------------------------------------------- */

static void test_payments(void **state)
{
    (void)state;
    for (int from = 0; from < 6; from++) {
        rewards_engine *e = trigger_plan();
        OK(e, "deal", "at", "2026-01-01", "id", "d", "partner", "acme", "currency", "USD", "amount", "100.00");
        if (from == S_APPR)
            OK(e, "stage", "at", "2026-01-02", "deal", "d", "stage", "approved");
        if (from == S_WON || from == S_CANC)
            OK(e, "stage", "at", "2026-01-02", "deal", "d", "stage", "won");
        if (from == S_CS)
            OK(e, "stage", "at", "2026-01-02", "deal", "d", "stage", "contract_started");
        if (from == S_LOST)
            OK(e, "stage", "at", "2026-01-02", "deal", "d", "stage", "lost");
        if (from == S_CANC)
            OK(e, "stage", "at", "2026-01-03", "deal", "d", "stage", "cancelled");
        /* the amount is checked before the stage */
        REFUSED(e, REWARDS_INVALID_ARGUMENT, "payment", "at", "2026-01-04", "deal", "d", "amount", "0.00");
        REFUSED(e, REWARDS_INVALID_ARGUMENT, "payment", "at", "2026-01-04", "deal", "d", "amount", "-3.00");
        REFUSED(e, REWARDS_INVALID_ARGUMENT, "payment", "at", "2026-01-04", "deal", "d", "amount", "3.001");
        if (from == S_WON || from == S_CS) {
            size_t n = rewards_engine_entry_count(e);
            OK(e, "payment", "at", "2026-01-04", "deal", "d", "amount", "100.00");
            OK(e, "payment", "at", "2026-01-05", "deal", "d", "amount", "250.50");
            assert_int_equal(rewards_engine_entry_count(e), n + 2);
            /* 1% of each payment: 1.00, and 2.505 rounded half-even to 2.50 */
            assert_int_equal(rewards_entry_amount(rewards_engine_entry(e, n)), 100);
            assert_int_equal(rewards_entry_amount(rewards_engine_entry(e, n + 1)), 250);
            assert_int_equal(rewards_entry_earned_at(rewards_engine_entry(e, n + 1)), INT64_C(1767571200));
        } else {
            REFUSED(e, REWARDS_INVALID_TRANSITION, "payment", "at", "2026-01-04", "deal", "d", "amount", "100.00");
            assert_non_null(strstr(rewards_engine_errmsg(e), stage_names[from]));
        }
        rewards_engine_free(e);
    }
}

static void test_amendments(void **state)
{
    (void)state;
    rewards_engine *e = engine_with(NULL);
    people(e);
    OK(e, "reward", "id", "wp", "level", "l", "name", "W", "trigger", "deal_won", "recipient", "partner", "kind",
       "percent", "rate", "10%");
    OK(e, "reward", "id", "ren", "level", "l", "name", "N", "trigger", "deal_renewed", "recipient", "partner", "kind",
       "percent", "rate", "10%");
    OK(e, "reward", "id", "paid", "level", "l", "name", "P", "trigger", "deal_paid", "recipient", "partner", "kind",
       "percent", "rate", "1%");
    OK(e, "deal", "at", "2026-01-01", "id", "d", "partner", "acme", "currency", "USD", "amount", "100.00");
    OK(e, "amend", "at", "2026-01-02", "deal", "d", "amount", "120.00"); /* registered: allowed */
    OK(e, "stage", "at", "2026-01-03", "deal", "d", "stage", "won");
    OK(e, "stage", "at", "2026-01-04", "deal", "d", "stage", "contract_started");
    OK(e, "stage", "at", "2026-01-05", "deal", "d", "stage", "renewed", "amount", "50.00");
    OK(e, "payment", "at", "2026-01-06", "deal", "d", "amount", "30.00");
    /* the amendment recomputes what used the deal's amount, not the renewal or the payment */
    OK(e, "amend", "at", "2026-01-07", "deal", "d", "amount", "200.00");
    /* the same amount again: nothing to correct */
    size_t n = rewards_engine_entry_count(e);
    OK(e, "amend", "at", "2026-01-08", "deal", "d", "amount", "200.00");
    assert_int_equal(rewards_engine_entry_count(e), n);
    REFUSED(e, REWARDS_INVALID_ARGUMENT, "amend", "at", "2026-01-08", "deal", "d", "amount", "-200.00");
    REFUSED(e, REWARDS_INVALID_ARGUMENT, "amend", "at", "2026-01-08", "deal", "d");
    assert_ledger(e, LEDGER_HEADER "1,earned,wp,d,acme,partner,acme,12.00,USD,pending,,,2026-01-03T00:00:00Z,\n"
                                   "2,earned,ren,d,acme,partner,acme,5.00,USD,pending,,,2026-01-05T00:00:00Z,\n"
                                   "3,earned,paid,d,acme,partner,acme,0.30,USD,pending,,,2026-01-06T00:00:00Z,\n"
                                   "4,adjustment,wp,d,acme,partner,acme,8.00,USD,pending,,,2026-01-07T00:00:00Z,\n");
    /* amendments are refused on lost and cancelled deals (whatever the window) */
    OK(e, "deal", "at", "2026-01-09", "id", "lost", "partner", "acme", "currency", "USD", "amount", "10.00");
    OK(e, "stage", "at", "2026-01-09", "deal", "lost", "stage", "lost");
    REFUSED(e, REWARDS_INVALID_TRANSITION, "amend", "at", "2026-01-10", "deal", "lost", "amount", "20.00");
    OK(e, "stage", "at", "2026-01-10", "deal", "d", "stage", "cancelled");
    REFUSED(e, REWARDS_INVALID_TRANSITION, "amend", "at", "2026-01-11", "deal", "d", "amount", "20.00");
    /* fields before rules: a bad amount on a cancelled deal is invalid_argument */
    REFUSED(e, REWARDS_INVALID_ARGUMENT, "amend", "at", "2026-01-11", "deal", "d", "amount", "x");
    rewards_engine_free(e);
}

/* ---- assignment ----------------------------------------------------------- */

static void test_assignment(void **state)
{
    (void)state;
    rewards_engine *e = engine_with(NULL);
    people(e);
    OK(e, "reward", "id", "rw", "level", "l", "name", "Rep won", "trigger", "deal_won", "recipient", "sales_rep", "kind",
       "fixed", "amount", "10.00");
    OK(e, "reward", "id", "rp", "level", "l", "name", "Rep paid", "trigger", "deal_paid", "recipient", "sales_rep",
       "kind", "percent", "rate", "10%");
    OK(e, "deal", "at", "2026-01-01", "id", "d", "partner", "acme", "currency", "USD", "amount", "100.00", "user", "jo");
    /* another partner's user: invalid_argument, even one without access (partner first) */
    REFUSED(e, REWARDS_INVALID_ARGUMENT, "assign", "at", "2026-01-02", "deal", "d", "user", "zed");
    assert_non_null(strstr(rewards_engine_errmsg(e), "user"));
    REFUSED(e, REWARDS_INVALID_ARGUMENT, "assign", "at", "2026-01-02", "deal", "d", "user", "zox");
    REFUSED(e, REWARDS_NO_PORTAL_ACCESS, "assign", "at", "2026-01-02", "deal", "d", "user", "nox");
    assert_non_null(strstr(rewards_engine_errmsg(e), "nox"));
    REFUSED(e, REWARDS_NOT_FOUND, "assign", "at", "2026-01-02", "deal", "d", "user", "ghost");
    REFUSED(e, REWARDS_NOT_FOUND, "assign", "at", "2026-01-02", "deal", "ghost", "user", "ghost");
    assert_non_null(strstr(rewards_engine_errmsg(e), "deal"));
    REFUSED(e, REWARDS_INVALID_ARGUMENT, "assign", "at", "2026-01-02", "deal", "d");
    /* the same rules when the deal is created with a user */
    REFUSED(e, REWARDS_INVALID_ARGUMENT, "deal", "at", "2026-01-02", "id", "e", "partner", "acme", "currency", "USD",
            "amount", "1.00", "user", "zox");
    REFUSED(e, REWARDS_NO_PORTAL_ACCESS, "deal", "at", "2026-01-02", "id", "e", "partner", "acme", "currency", "USD",
            "amount", "1.00", "user", "nox");
    assert_string_equal(rewards_user_id(rewards_deal_user(rewards_engine_find_deal(e, "d"))), "jo");

    /* reassignment: what was earned stays with its recipient */
    OK(e, "stage", "at", "2026-01-03", "deal", "d", "stage", "won");
    OK(e, "payment", "at", "2026-01-04", "deal", "d", "amount", "40.00");
    OK(e, "assign", "at", "2026-01-05", "deal", "d", "user", "kim");
    OK(e, "payment", "at", "2026-01-06", "deal", "d", "amount", "60.00");
    /* jo loses access: kim's deal is not affected, jo's entries stay hers */
    OK(e, "user_access", "at", "2026-01-07", "user", "jo", "portal_access:b", "false");
    OK(e, "assign", "at", "2026-01-08", "deal", "d", "user", "kim"); /* the same user again: fine */
    assert_string_equal(rewards_user_id(rewards_deal_user(rewards_engine_find_deal(e, "d"))), "kim");
    assert_ledger(e, LEDGER_HEADER "1,earned,rw,d,acme,sales_rep,jo,10.00,USD,pending,,,2026-01-03T00:00:00Z,\n"
                                   "2,earned,rp,d,acme,sales_rep,jo,4.00,USD,pending,,,2026-01-04T00:00:00Z,\n"
                                   "3,earned,rp,d,acme,sales_rep,kim,6.00,USD,pending,,,2026-01-06T00:00:00Z,\n");
    rewards_engine_free(e);
}

/* ---- holds and releases ------------------------------------------------- */

static rewards_engine *hold_plan(evcount *c)
{
    rewards_engine *e = engine_with(c);
    people(e);
    OK(e, "reward", "id", "hold", "level", "l", "name", "Rep 10%", "trigger", "deal_won", "recipient", "sales_rep",
       "kind", "percent", "rate", "10%");
    OK(e, "reward", "id", "part", "level", "l", "name", "Rep or partner", "trigger", "deal_won", "recipient",
       "sales_rep", "kind", "fixed", "amount", "5.00", "rep_policy", "partner");
    OK(e, "reward", "id", "skip", "level", "l", "name", "Rep only", "trigger", "deal_won", "recipient", "sales_rep",
       "kind", "fixed", "amount", "2.00", "rep_policy", "skip");
    OK(e, "reward", "id", "auto", "level", "l", "name", "Rep auto", "trigger", "deal_won", "recipient", "sales_rep",
       "kind", "fixed", "amount", "1.00", "rep_policy", "hold", "auto_approve:b", "true");
    return e;
}

static void test_hold_policies(void **state)
{
    (void)state;
    evcount c;
    memset(&c, 0, sizeof c);
    rewards_engine *e = hold_plan(&c);
    OK(e, "deal", "at", "2026-01-01", "id", "a", "partner", "acme", "currency", "USD", "amount", "100.00");
    OK(e, "deal", "at", "2026-01-01", "id", "b", "partner", "acme", "currency", "USD", "amount", "200.00", "user", "jo");
    OK(e, "user_access", "at", "2026-01-02", "user", "jo", "portal_access:b", "false");
    OK(e, "stage", "at", "2026-01-03", "deal", "a", "stage", "won");
    assert_int_equal(c.skipped, 1);
    assert_string_equal(c.last_skip_user, "(none)");
    OK(e, "stage", "at", "2026-01-04", "deal", "b", "stage", "won");
    assert_int_equal(c.skipped, 2);
    assert_string_equal(c.last_skip_user, "jo");
    assert_int_equal(c.held, 4);
    assert_int_equal(c.earned, 2);
    assert_ledger(e, LEDGER_HEADER
                  "1,earned,hold,a,acme,sales_rep,,10.00,USD,held,no_assigned_rep,,2026-01-03T00:00:00Z,\n"
                  "2,earned,part,a,acme,partner,acme,5.00,USD,pending,,,2026-01-03T00:00:00Z,\n"
                  "3,earned,auto,a,acme,sales_rep,,1.00,USD,held,no_assigned_rep,,2026-01-03T00:00:00Z,\n"
                  "4,earned,hold,b,acme,sales_rep,jo,20.00,USD,held,no_portal_access,,2026-01-04T00:00:00Z,\n"
                  "5,earned,part,b,acme,partner,acme,5.00,USD,pending,,,2026-01-04T00:00:00Z,\n"
                  "6,earned,auto,b,acme,sales_rep,jo,1.00,USD,held,no_portal_access,,2026-01-04T00:00:00Z,\n");
    const rewards_entry *en = rewards_engine_entry(e, 0);
    assert_string_equal(rewards_entry_reason(en), "no_assigned_rep");
    assert_string_equal(rewards_entry_recipient(en), "");
    assert_string_equal(rewards_entry_recipient_type(en), "sales_rep");
    /* held entries are never approved */
    OK(e, "approve", "at", "2026-01-05", "until", "2026-01-05");
    assert_string_equal(rewards_entry_status(rewards_engine_entry(e, 0)), "held");
    assert_string_equal(rewards_entry_status(rewards_engine_entry(e, 1)), "approved");
    rewards_engine_free(e);
}

static void test_release_paths(void **state)
{
    (void)state;
    evcount c;
    memset(&c, 0, sizeof c);
    rewards_engine *e = hold_plan(&c);
    OK(e, "deal", "at", "2026-01-01", "id", "a", "partner", "acme", "currency", "USD", "amount", "100.00");
    OK(e, "deal", "at", "2026-01-01", "id", "b", "partner", "acme", "currency", "USD", "amount", "200.00", "user", "jo");
    OK(e, "deal", "at", "2026-01-01", "id", "c", "partner", "acme", "currency", "USD", "amount", "300.00", "user", "kim");
    OK(e, "deal", "at", "2026-01-01", "id", "d", "partner", "acme", "currency", "USD", "amount", "400.00");
    OK(e, "user_access", "at", "2026-01-02", "user", "jo", "portal_access:b", "false");
    OK(e, "user_access", "at", "2026-01-02", "user", "kim", "portal_access:b", "false");
    OK(e, "stage", "at", "2026-01-03", "deal", "a", "stage", "won");
    OK(e, "stage", "at", "2026-01-03", "deal", "b", "stage", "won");
    OK(e, "stage", "at", "2026-01-03", "deal", "c", "stage", "won");
    OK(e, "stage", "at", "2026-01-03", "deal", "d", "stage", "won");
    /* d's hold grows: the amendment's adjustment is held like the entry it corrects */
    OK(e, "amend", "at", "2026-01-04", "deal", "d", "amount", "500.00");
    /* access back for jo: only jo's no_portal_access holds */
    c.released = 0;
    OK(e, "user_access", "at", "2026-01-05", "user", "jo", "portal_access:b", "true");
    assert_int_equal(c.released, 2);
    /* an eligible user assigned: all of the deal's holds, whoever they were for */
    OK(e, "assign", "at", "2026-01-06", "deal", "c", "user", "jo");
    OK(e, "assign", "at", "2026-01-06", "deal", "a", "user", "jo");
    /* kim's access back later changes nothing: c's holds went to jo */
    OK(e, "user_access", "at", "2026-01-07", "user", "kim", "portal_access:b", "true");
    /* the partner takes d's holds */
    OK(e, "release", "at", "2026-01-08", "deal", "d", "to", "partner");
    assert_ledger(e, LEDGER_HEADER
                  "1,earned,hold,a,acme,sales_rep,jo,10.00,USD,pending,,,2026-01-03T00:00:00Z,\n"
                  "2,earned,part,a,acme,partner,acme,5.00,USD,pending,,,2026-01-03T00:00:00Z,\n"
                  "3,earned,auto,a,acme,sales_rep,jo,1.00,USD,approved,,,2026-01-03T00:00:00Z,\n"
                  "4,earned,hold,b,acme,sales_rep,jo,20.00,USD,pending,,,2026-01-03T00:00:00Z,\n"
                  "5,earned,part,b,acme,partner,acme,5.00,USD,pending,,,2026-01-03T00:00:00Z,\n"
                  "6,earned,auto,b,acme,sales_rep,jo,1.00,USD,approved,,,2026-01-03T00:00:00Z,\n"
                  "7,earned,hold,c,acme,sales_rep,jo,30.00,USD,pending,,,2026-01-03T00:00:00Z,\n"
                  "8,earned,part,c,acme,partner,acme,5.00,USD,pending,,,2026-01-03T00:00:00Z,\n"
                  "9,earned,auto,c,acme,sales_rep,jo,1.00,USD,approved,,,2026-01-03T00:00:00Z,\n"
                  "10,earned,hold,d,acme,partner,acme,40.00,USD,pending,,,2026-01-03T00:00:00Z,\n"
                  "11,earned,part,d,acme,partner,acme,5.00,USD,pending,,,2026-01-03T00:00:00Z,\n"
                  "12,earned,auto,d,acme,partner,acme,1.00,USD,approved,,,2026-01-03T00:00:00Z,\n"
                  "13,adjustment,hold,d,acme,partner,acme,10.00,USD,pending,,,2026-01-04T00:00:00Z,\n");
    /* the release of d released both the entry and its adjustment */
    rewards_engine_free(e);
}

/* The intermediate states of the release paths, checked one step at a time. */
static void test_release_only_matching_holds(void **state)
{
    (void)state;
    rewards_engine *e = hold_plan(NULL);
    OK(e, "deal", "at", "2026-01-01", "id", "a", "partner", "acme", "currency", "USD", "amount", "100.00");
    OK(e, "deal", "at", "2026-01-01", "id", "b", "partner", "acme", "currency", "USD", "amount", "200.00", "user", "jo");
    OK(e, "deal", "at", "2026-01-01", "id", "c", "partner", "acme", "currency", "USD", "amount", "300.00", "user", "kim");
    OK(e, "user_access", "at", "2026-01-02", "user", "jo", "portal_access:b", "false");
    OK(e, "user_access", "at", "2026-01-02", "user", "kim", "portal_access:b", "false");
    OK(e, "stage", "at", "2026-01-03", "deal", "a", "stage", "won");
    OK(e, "stage", "at", "2026-01-03", "deal", "b", "stage", "won");
    OK(e, "stage", "at", "2026-01-03", "deal", "c", "stage", "won");
    OK(e, "user_access", "at", "2026-01-04", "user", "jo", "portal_access:b", "true");
    /* a: still held for want of a rep; b: released to jo; c: still held for kim */
    static const char *const want[][3] = {
        { "held", "no_assigned_rep", "" }, { "pending", "", "acme" }, { "held", "no_assigned_rep", "" },
        { "pending", "", "jo" },           { "pending", "", "acme" }, { "approved", "", "jo" },
        { "held", "no_portal_access", "kim" }, { "pending", "", "acme" }, { "held", "no_portal_access", "kim" },
    };
    assert_int_equal(rewards_engine_entry_count(e), 9);
    for (size_t i = 0; i < 9; i++) {
        const rewards_entry *en = rewards_engine_entry(e, i);
        if (strcmp(rewards_entry_status(en), want[i][0]) || strcmp(rewards_entry_reason(en), want[i][1]) ||
            strcmp(rewards_entry_recipient(en), want[i][2]))
            fail_msg("entry %zu: %s/%s/%s, want %s/%s/%s", i + 1, rewards_entry_status(en), rewards_entry_reason(en),
                     rewards_entry_recipient(en), want[i][0], want[i][1], want[i][2]);
    }
    /* a deal with no holds: the release succeeds and changes nothing (same time: no clock move) */
    REFUSED(e, REWARDS_OK, "release", "at", "2026-01-04", "deal", "b", "to", "partner");
    /* release fields */
    REFUSED(e, REWARDS_INVALID_ARGUMENT, "release", "at", "2026-01-04", "deal", "a", "to", "sales_rep");
    REFUSED(e, REWARDS_INVALID_ARGUMENT, "release", "at", "2026-01-04", "deal", "a");
    REFUSED(e, REWARDS_NOT_FOUND, "release", "at", "2026-01-04", "deal", "zz", "to", "partner");
    /* access revoked again does not re-hold what was released */
    OK(e, "user_access", "at", "2026-01-05", "user", "jo", "portal_access:b", "false");
    assert_string_equal(rewards_entry_status(rewards_engine_entry(e, 3)), "pending");
    /* access granted to a user who has it: nothing happens */
    OK(e, "user_access", "at", "2026-01-05", "user", "kim", "portal_access:b", "true");
    REFUSED(e, REWARDS_OK, "user_access", "at", "2026-01-05", "user", "kim", "portal_access:b", "true");
    assert_string_equal(rewards_entry_status(rewards_engine_entry(e, 6)), "pending");
    assert_string_equal(rewards_entry_recipient(rewards_engine_entry(e, 6)), "kim");
    REFUSED(e, REWARDS_INVALID_ARGUMENT, "user_access", "at", "2026-01-05", "user", "kim", "portal_access", "yes");
    rewards_engine_free(e);
}

/* ---- the clock ------------------------------------------------------------- */

static void test_out_of_order(void **state)
{
    (void)state;
    rewards_engine *e = trigger_plan();
    /* untimed definitions neither need nor move the clock */
    assert_true(clock_of(e) == RW_NONE);
    OK(e, "deal", "at", "2026-03-01T10:00:00Z", "id", "d", "partner", "acme", "currency", "USD", "amount", "1.00");
    assert_int_equal(clock_of(e), INT64_C(1772359200));
    REFUSED(e, REWARDS_OUT_OF_ORDER, "stage", "at", "2026-03-01T09:59:59Z", "deal", "d", "stage", "won");
    REFUSED(e, REWARDS_OUT_OF_ORDER, "stage", "at", "2026-03-01", "deal", "d", "stage", "won");
    assert_non_null(strstr(rewards_engine_errmsg(e), "2026-03-01T10:00:00Z"));
    OK(e, "currency", "code", "QQQ", "exponent:i", "2");
    OK(e, "program", "id", "p2", "name", "P2", "currency", "QQQ");
    OK(e, "level", "id", "l2", "program", "p2", "name", "L2", "rank:i", "1");
    OK(e, "reward", "id", "r2", "level", "l2", "name", "R2", "trigger", "deal_won", "recipient", "partner", "kind",
       "fixed", "amount", "1.00", "active_from", "2020-01-01");
    OK(e, "partner", "id", "p2a", "program", "p2", "level", "l2", "name", "A");
    OK(e, "user", "id", "u2", "partner", "p2a", "name", "U", "portal_access:b", "true");
    assert_int_equal(clock_of(e), INT64_C(1772359200));
    /* the same time again is fine; cut-off times in the future do not move the clock */
    OK(e, "stage", "at", "2026-03-01T10:00:00Z", "deal", "d", "stage", "won");
    OK(e, "approve", "at", "2026-03-01T10:00:00Z", "until", "2030-01-01");
    OK(e, "payout", "at", "2026-03-01T10:00:00Z", "id", "x", "until", "2030-01-01");
    assert_int_equal(clock_of(e), INT64_C(1772359200));
    OK(e, "payment", "at", "2026-03-02", "deal", "d", "amount", "1.00");
    assert_int_equal(clock_of(e), INT64_C(1772409600));
    REFUSED(e, REWARDS_OUT_OF_ORDER, "fx", "at", "2026-03-01", "from", "EUR", "to", "USD", "rate", "1");
    /* a refused operation does not move the clock either */
    REFUSED(e, REWARDS_NOT_FOUND, "stage", "at", "2026-04-01", "deal", "nope", "stage", "won");
    OK(e, "fx", "at", "2026-03-03", "from", "EUR", "to", "USD", "rate", "1");
    rewards_engine_free(e);
}

/* ---- event ids ------------------------------------------------------------- */

static void test_event_ids(void **state)
{
    (void)state;
    rewards_engine *e = trigger_plan();
    OK(e, "deal", "at", "2026-01-02", "id", "d", "partner", "acme", "currency", "USD", "amount", "100.00", "event",
       "crm-1");
    OK(e, "stage", "at", "2026-01-02", "deal", "d", "stage", "won", "event", "crm-2");
    /* replays: no-ops that succeed, even though the operation itself would now fail */
    REFUSED(e, REWARDS_OK, "stage", "at", "2026-01-02", "deal", "d", "stage", "won", "event", "crm-2");
    REFUSED(e, REWARDS_OK, "deal", "at", "2026-01-02", "id", "d", "partner", "acme", "currency", "USD", "amount",
            "100.00", "event", "crm-1");
    /* the same operation written differently: field order, time and decimal forms */
    REFUSED(e, REWARDS_OK, "deal", "event", "crm-1", "amount", "100.0", "currency", "USD", "partner", "acme", "id", "d",
            "at", "2026-01-02T00:00:00Z");
    REFUSED(e, REWARDS_OK, "stage", "stage", "won", "deal", "d", "at", "2026-01-02T00:00:00Z", "event", "crm-2");
    {
        rewards_op *op;
        assert_int_equal(rewards_op_new(e, &op, "stage"), REWARDS_OK);
        rewards_op_set_time(op, "at", INT64_C(1767312000)); /* 2026-01-02 */
        rewards_op_set_string(op, "deal", "d");
        rewards_op_set_string(op, "stage", "won");
        rewards_op_set_string(op, "event", "crm-2");
        char *fp = eu_fingerprint(e);
        assert_int_equal(rewards_engine_apply(e, op), REWARDS_OK);
        char *fp2 = eu_fingerprint(e);
        assert_str(fp2, fp);
        free(fp);
        free(fp2);
        rewards_op_free(op);
    }
    /* the same id with another operation or other arguments: conflict */
    REFUSED(e, REWARDS_CONFLICT, "deal", "at", "2026-01-02", "id", "d", "partner", "acme", "currency", "USD", "amount",
            "100.01", "event", "crm-1");
    REFUSED(e, REWARDS_CONFLICT, "stage", "at", "2026-01-03", "deal", "d", "stage", "won", "event", "crm-2");
    REFUSED(e, REWARDS_CONFLICT, "payment", "at", "2026-01-03", "deal", "d", "amount", "1.00", "event", "crm-2");
    REFUSED(e, REWARDS_CONFLICT, "stage", "at", "2026-01-02", "deal", "d", "stage", "won", "units:i", "1", "event",
            "crm-2");
    assert_non_null(strstr(rewards_engine_errmsg(e), "crm-2"));
    /* remembered only when the operation succeeds */
    REFUSED(e, REWARDS_NOT_FOUND, "payment", "at", "2026-01-03", "deal", "nope", "amount", "1.00", "event", "crm-3");
    REFUSED(e, REWARDS_NOT_FOUND, "payment", "at", "2026-01-03", "deal", "nope", "amount", "1.00", "event", "crm-3");
    OK(e, "payment", "at", "2026-01-03", "deal", "d", "amount", "1.00", "event", "crm-3");
    REFUSED(e, REWARDS_OK, "payment", "at", "2026-01-03", "deal", "d", "amount", "1.00", "event", "crm-3");
    /* a different event id for the same operation is a new operation */
    OK(e, "payment", "at", "2026-01-03", "deal", "d", "amount", "1.00", "event", "crm-4");
    /* event id values */
    REFUSED(e, REWARDS_INVALID_ARGUMENT, "payment", "at", "2026-01-03", "deal", "d", "amount", "1.00", "event", "");
    REFUSED(e, REWARDS_INVALID_ARGUMENT, "payment", "at", "2026-01-03", "deal", "d", "amount", "1.00", "event:i", "5");
    char id[300];
    memset(id, 'e', 256);
    id[256] = '\0';
    REFUSED(e, REWARDS_INVALID_ARGUMENT, "payment", "at", "2026-01-03", "deal", "d", "amount", "1.00", "event", id);
    id[255] = '\0';
    OK(e, "payment", "at", "2026-01-03", "deal", "d", "amount", "1.00", "event", id);
    REFUSED(e, REWARDS_OK, "payment", "at", "2026-01-03", "deal", "d", "amount", "1.00", "event", id);
    /* 1% of 1.00 rounds to 0.01: three payments earned */
    assert_ledger(e, LEDGER_HEADER "1,earned,reg,d,acme,partner,acme,1.00,USD,pending,,,2026-01-02T00:00:00Z,\n"
                                   "2,earned,won,d,acme,partner,acme,3.00,USD,pending,,,2026-01-02T00:00:00Z,\n"
                                   "3,earned,paid,d,acme,partner,acme,0.01,USD,pending,,,2026-01-03T00:00:00Z,\n"
                                   "4,earned,paid,d,acme,partner,acme,0.01,USD,pending,,,2026-01-03T00:00:00Z,\n"
                                   "5,earned,paid,d,acme,partner,acme,0.01,USD,pending,,,2026-01-03T00:00:00Z,\n");
    /* a replay succeeds even when its time is now before the clock */
    OK(e, "payment", "at", "2026-01-10", "deal", "d", "amount", "2.00");
    REFUSED(e, REWARDS_OK, "payment", "at", "2026-01-03", "deal", "d", "amount", "1.00", "event", "crm-3");
    rewards_engine_free(e);
}

/* ---- the order of faults (SPEC.md section 11) ------------------------------ */

static void test_error_precedence(void **state)
{
    (void)state;
    rewards_engine *e = trigger_plan();
    OK(e, "deal", "at", "2026-01-05", "id", "d", "partner", "acme", "currency", "USD", "amount", "100.00", "event", "x");
    /* the event id before the shape */
    REFUSED(e, REWARDS_CONFLICT, "stage", "at", "2026-01-06", "deal", "d", "stage", "won", "colour", "red", "event", "x");
    REFUSED(e, REWARDS_CONFLICT, "frobnicate", "event", "x");
    /* the shape before the time */
    REFUSED(e, REWARDS_INVALID_ARGUMENT, "stage", "at", "2026-01-01", "deal", "d", "stage", "won", "colour", "red");
    assert_non_null(strstr(rewards_engine_errmsg(e), "colour"));
    REFUSED(e, REWARDS_INVALID_ARGUMENT, "frobnicate", "at", "2026-01-01");
    /* the time before the fields */
    REFUSED(e, REWARDS_OUT_OF_ORDER, "stage", "at", "2026-01-01", "deal", "nope", "stage", "bogus");
    REFUSED(e, REWARDS_OUT_OF_ORDER, "deal", "at", "2026-01-01", "id", "d", "partner", "nope", "currency", "XXX",
            "amount", "x");
    REFUSED(e, REWARDS_INVALID_ARGUMENT, "stage", "at", "2026-02-30", "deal", "nope", "stage", "won");
    REFUSED(e, REWARDS_INVALID_ARGUMENT, "stage", "deal", "nope", "stage", "won");
    /* then the fields in order, each fully: id (exists), partner, currency, amount */
    REFUSED(e, REWARDS_EXISTS, "deal", "at", "2026-01-06", "id", "d", "partner", "acme", "currency", "USD", "amount",
            "-1");
    REFUSED(e, REWARDS_EXISTS, "deal", "at", "2026-01-06", "id", "d", "partner", "nope", "currency", "USD", "amount",
            "1.00");
    REFUSED(e, REWARDS_INVALID_ARGUMENT, "deal", "at", "2026-01-06", "partner", "nope", "currency", "USD", "amount",
            "1.00");
    assert_non_null(strstr(rewards_engine_errmsg(e), "'id'"));
    REFUSED(e, REWARDS_NOT_FOUND, "deal", "at", "2026-01-06", "id", "n", "partner", "nope", "currency", "XXX", "amount",
            "x");
    REFUSED(e, REWARDS_INVALID_ARGUMENT, "deal", "at", "2026-01-06", "id", "n", "partner", "acme", "currency", "XXX",
            "amount", "x");
    assert_non_null(strstr(rewards_engine_errmsg(e), "currency"));
    REFUSED(e, REWARDS_INVALID_ARGUMENT, "deal", "at", "2026-01-06", "id", "n", "partner", "acme", "currency", "USD",
            "amount", "x", "user", "ghost");
    assert_non_null(strstr(rewards_engine_errmsg(e), "amount"));
    REFUSED(e, REWARDS_NOT_FOUND, "deal", "at", "2026-01-06", "id", "n", "partner", "acme", "currency", "USD", "amount",
            "1.00", "units:i", "2", "user", "ghost");
    REFUSED(e, REWARDS_INVALID_ARGUMENT, "deal", "at", "2026-01-06", "id", "n", "partner", "acme", "currency", "USD",
            "amount", "1.00", "units", "2", "user", "ghost");
    assert_non_null(strstr(rewards_engine_errmsg(e), "units"));
    /* the fields before the rules: a bad amount on a payment to a registered deal */
    REFUSED(e, REWARDS_INVALID_ARGUMENT, "payment", "at", "2026-01-06", "deal", "d", "amount", "0");
    /* the rules before the computation: a payment that would need an FX rate */
    OK(e, "deal", "at", "2026-01-06", "id", "j", "partner", "acme", "currency", "JPY", "amount", "1000");
    REFUSED(e, REWARDS_INVALID_TRANSITION, "payment", "at", "2026-01-07", "deal", "j", "amount", "500");
    /* and the computation: no rate, nothing changes (the deal stays registered) */
    OK(e, "stage", "at", "2026-01-07", "deal", "j", "stage", "approved"); /* fixed rewards need no rate */
    OK(e, "reward", "id", "pct", "level", "l", "name", "Pct", "trigger", "deal_won", "recipient", "partner", "kind",
       "percent", "rate", "5%");
    REFUSED(e, REWARDS_NO_FX_RATE, "stage", "at", "2026-01-08", "deal", "j", "stage", "won");
    assert_string_equal(rewards_deal_stage(rewards_engine_find_deal(e, "j")), "approved");
    /* redeem: fields (recipient) before the computation (points) */
    REFUSED(e, REWARDS_NOT_FOUND, "redeem", "at", "2026-01-08", "id", "r", "recipient_type", "partner", "recipient",
            "ghost", "points", "100");
    REFUSED(e, REWARDS_INSUFFICIENT_POINTS, "redeem", "at", "2026-01-08", "id", "r", "recipient_type", "partner",
            "recipient", "acme", "points", "100");
    REFUSED(e, REWARDS_INVALID_ARGUMENT, "redeem", "at", "2026-01-08", "id", "r", "recipient_type", "boss",
            "recipient", "ghost", "points", "100");
    rewards_engine_free(e);
}

/* Event-id comparison normalises the operation's own fields, never host data. */
static void test_event_ids_compare_fields_not_attributes(void **state)
{
    (void)state;
    rewards_engine *e = trigger_plan();
    OK(e, "deal", "at", "2026-01-05", "id", "d", "partner", "acme", "currency", "USD", "amount", "100.00",
       "attrs.from", "010", "attrs.event", "x", "event", "e1");
    /* the same amount written otherwise is the same operation */
    OK(e, "deal", "at", "2026-01-05T00:00:00Z", "id", "d", "partner", "acme", "currency", "USD", "amount", "100.0",
       "attrs.from", "010", "attrs.event", "x", "event", "e1");
    /* attribute strings compare byte for byte: "10" is not "010", even under a key named like a field */
    REFUSED(e, REWARDS_CONFLICT, "deal", "at", "2026-01-05", "id", "d", "partner", "acme", "currency", "USD", "amount",
            "100.00", "attrs.from", "10", "attrs.event", "x", "event", "e1");
    /* an attribute called "event" is data, not the event id */
    REFUSED(e, REWARDS_CONFLICT, "deal", "at", "2026-01-05", "id", "d", "partner", "acme", "currency", "USD", "amount",
            "100.00", "attrs.from", "010", "attrs.event", "y", "event", "e1");
    /* numeric attributes compare as numbers */
    OK(e, "deal", "at", "2026-01-05", "id", "d2", "partner", "acme", "currency", "USD", "amount", "1.00",
       "attrs.seats:n", "1.5", "event", "e2");
    OK(e, "deal", "at", "2026-01-05", "id", "d2", "partner", "acme", "currency", "USD", "amount", "1.00",
       "attrs.seats:n", "1.50", "event", "e2");
    rewards_engine_free(e);
}

/* Unknown keys inside requires, tiers and thresholds are shape errors, found before any field. */
static void test_nested_unknown_keys_are_shape(void **state)
{
    (void)state;
    rewards_engine *e = trigger_plan();
    REFUSED(e, REWARDS_INVALID_ARGUMENT, "level", "id", "l", "program", "nope", "name", "L", "rank:i", "9",
            "requires.window", "fiscal_year", "requires.bogus", "1");
    assert_non_null(strstr(rewards_engine_errmsg(e), "requires.bogus"));
    REFUSED(e, REWARDS_INVALID_ARGUMENT, "reward", "id", "t", "program", "nope", "name", "T", "trigger", "deal_won",
            "recipient", "partner", "kind", "tiered", "period", "quarter", "tiers.0.from", "0", "tiers.0.rate", "5%",
            "tiers.0.bogus", "1");
    assert_non_null(strstr(rewards_engine_errmsg(e), "tiers.0.bogus"));
    REFUSED(e, REWARDS_INVALID_ARGUMENT, "reward", "id", "m", "program", "nope", "name", "M", "trigger", "deal_won",
            "recipient", "partner", "kind", "milestone", "period", "quarter", "metric", "deals", "thresholds.0.at", "1",
            "thresholds.0.bonus", "5.00", "thresholds.0.x", "1");
    assert_non_null(strstr(rewards_engine_errmsg(e), "thresholds.0.x"));
    rewards_engine_free(e);
}

/* A time given as seconds is range-checked like a time given as text. */
static void test_times_out_of_range(void **state)
{
    (void)state;
    rewards_engine *e = trigger_plan();
    rewards_op *op;
    char *fp = eu_fingerprint(e);
    const int64_t bad[] = { INT64_MIN, INT64_MAX, -62135596801LL, 253402300800LL };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        assert_int_equal(rewards_op_new(e, &op, "deal"), REWARDS_OK);
        assert_int_equal(rewards_op_set_time(op, "at", bad[i]), REWARDS_OK);
        assert_int_equal(rewards_op_set_string(op, "id", "d"), REWARDS_OK);
        assert_int_equal(rewards_op_set_string(op, "partner", "acme"), REWARDS_OK);
        assert_int_equal(rewards_op_set_string(op, "currency", "USD"), REWARDS_OK);
        assert_int_equal(rewards_op_set_string(op, "amount", "1.00"), REWARDS_OK);
        assert_int_equal(rewards_engine_apply(e, op), REWARDS_INVALID_ARGUMENT);
        assert_non_null(strstr(rewards_engine_errmsg(e), "'at'"));
        rewards_op_free(op);
    }
    char *after = eu_fingerprint(e);
    assert_string_equal(fp, after);
    free(fp);
    free(after);
    /* the edges of the range are times */
    assert_int_equal(rewards_op_new(e, &op, "fx"), REWARDS_OK);
    assert_int_equal(rewards_op_set_time(op, "at", 253402300799LL), REWARDS_OK);
    assert_int_equal(rewards_op_set_string(op, "from", "EUR"), REWARDS_OK);
    assert_int_equal(rewards_op_set_string(op, "to", "USD"), REWARDS_OK);
    assert_int_equal(rewards_op_set_string(op, "rate", "1.1"), REWARDS_OK);
    assert_int_equal(rewards_engine_apply(e, op), REWARDS_OK);
    rewards_op_free(op);
    rewards_engine_free(e);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_stage_machine_every_transition),
        cmocka_unit_test(test_stage_skip_and_renewals),
        cmocka_unit_test(test_stage_fields),
        cmocka_unit_test(test_payments),
        cmocka_unit_test(test_amendments),
        cmocka_unit_test(test_assignment),
        cmocka_unit_test(test_hold_policies),
        cmocka_unit_test(test_release_paths),
        cmocka_unit_test(test_release_only_matching_holds),
        cmocka_unit_test(test_out_of_order),
        cmocka_unit_test(test_event_ids),
        cmocka_unit_test(test_error_precedence),
        cmocka_unit_test(test_event_ids_compare_fields_not_attributes),
        cmocka_unit_test(test_nested_unknown_keys_are_shape),
        cmocka_unit_test(test_times_out_of_range),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
