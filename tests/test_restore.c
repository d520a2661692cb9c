/*
 * test_restore.c - restoring an engine from the records its storage
 * callbacks saved (SPEC.md section 9: "the engine then behaves as if it had
 * never stopped").
 *
 * Every worked scenario (tests/scenarios/NAME.jsonl, read through a small
 * JSON-to-operation converter) runs with a mock storage that keeps the
 * latest data per (kind, key).  After every line a second engine is
 * restored from that table, records given in reversed or shuffled order;
 * it must have the same fingerprint as the running engine, and applying
 * the rest of the scenario to it must give the same statuses line by line
 * and the same ledger, payouts and fingerprint as a run that never stopped
 * (which must also match the scenario's expected files).  Then the ways a
 * restore must fail: unknown kind, corrupt or truncated data, a record
 * referring to a missing one, a duplicate id, an entry out of sequence,
 * allocation failure at every allocation; each fails cleanly and freeing
 * the engine returns every block (the suite also runs under ASan).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "ops.h"
#include "engineutil.h"
#include "assertutil.h"
#include "mockstore.h"
#include "testutil.h"
#include "scenutil.h"
#include "recordutil.h"

/* ---- engines -------------------------------------------------------------- */

/* A small deterministic generator for shuffles. */
static uint64_t rng_state;
static uint64_t rng(void)
{
    rng_state = rng_state * 6364136223846793005ULL + 1442695040888963407ULL;
    return rng_state >> 33;
}

/* The order records are given back in: 0 as saved, 1 reversed, 2 shuffled. */
static size_t *order_of(size_t n, int how, uint64_t seed)
{
    size_t *o = malloc((n + 1) * sizeof *o);
    assert_non_null(o);
    for (size_t i = 0; i < n; i++)
        o[i] = how == 1 ? n - 1 - i : i;
    if (how == 2) {
        rng_state = seed;
        for (size_t i = n; i > 1; i--) {
            size_t j = (size_t)(rng() % i);
            size_t t = o[i - 1];
            o[i - 1] = o[j];
            o[j] = t;
        }
    }
    return o;
}

/* Restore every record of t into e; the first failure's status. */
static rewards_status restore_table(rewards_engine *e, const table *t, int how, uint64_t seed)
{
    size_t *o = order_of(t->n, how, seed);
    rewards_status st = REWARDS_OK;
    for (size_t i = 0; i < t->n && !st; i++)
        st = rewards_engine_restore(e, (rewards_record_kind)t->v[o[i]].kind, t->v[o[i]].data, t->v[o[i]].size);
    free(o);
    if (!st)
        st = rewards_engine_restore_finish(e);
    return st;
}

static rewards_status apply_line(rewards_engine *e, const char *line)
{
    rewards_op *op = line_op(e, line);
    if (!op)
        fail_msg("not an operation: %s", line);
    rewards_status st = rewards_engine_apply(e, op);
    rewards_op_free(op);
    return st;
}

/* The scenario's own check: its ledger, payouts and error lines. */
static void test_scenarios_match_expected_files(void **state)
{
    (void)state;
    for (size_t k = 0; k < sizeof scenario_names / sizeof scenario_names[0]; k++) {
        scenario s;
        scenario_load(&s, scenario_names[k]);
        rewards_engine *e = new_engine(NULL, NULL);
        char errors[4096] = "";
        for (size_t i = 0; i < s.n; i++) {
            rewards_status st = apply_line(e, s.lines[i]);
            if (st) {
                char one[64];
                snprintf(one, sizeof one, "line %d: %s\n", s.lineno[i], rewards_status_name(st));
                strncat(errors, one, sizeof errors - strlen(errors) - 1);
            }
        }
        char *want = scenario_file(scenario_names[k], "errors.txt");
        assert_str(errors, want);
        free(want);
        char *got = eu_ledger(e);
        want = scenario_file(scenario_names[k], "ledger.csv");
        assert_str(got, want);
        free(got);
        free(want);
        got = eu_payouts(e);
        want = scenario_file(scenario_names[k], "payouts.csv");
        assert_str(got, want);
        free(got);
        free(want);
        rewards_engine_free(e);
        scenario_free(&s);
    }
}

/*
 * For every cut point of every scenario: restore a new engine from what
 * storage holds, check it is the running engine, then play the rest of the
 * scenario on it and check it ends as the run that never stopped.
 */
static void test_scenarios_restore_at_every_cut(void **state)
{
    (void)state;
    for (size_t k = 0; k < sizeof scenario_names / sizeof scenario_names[0]; k++) {
        scenario s;
        scenario_load(&s, scenario_names[k]);
        /* the run that never stops */
        rewards_engine *ref = new_engine(NULL, NULL);
        rewards_status *want = malloc((s.n + 1) * sizeof *want);
        for (size_t i = 0; i < s.n; i++)
            want[i] = apply_line(ref, s.lines[i]);
        /* the run that saves, restored after each line */
        mock st;
        memset(&st, 0, sizeof st);
        rewards_engine *a = new_engine(&st, NULL);
        for (size_t cut = 0; cut <= s.n; cut++) {
            if (cut > 0)
                assert_int_equal(apply_line(a, s.lines[cut - 1]), want[cut - 1]);
            counted c;
            mock st2;
            memset(&st2, 0, sizeof st2);
            table_copy(&st2.committed, &st.committed);
            rewards_engine *b = new_engine(&st2, &c);
            rewards_status rs = restore_table(b, &st.committed, 1 + (int)(cut % 2), cut * 7919 + k);
            if (rs)
                fail_msg("%s, cut after %zu lines: restore %s: %s", scenario_names[k], cut, rewards_status_name(rs),
                         rewards_engine_errmsg(b));
            assert_same(a, b);
            for (size_t i = cut; i < s.n; i++) {
                rewards_status got = apply_line(b, s.lines[i]);
                if (got != want[i])
                    fail_msg("%s, restored after %zu lines: line %d gave %s, %s without the restart",
                             scenario_names[k], cut, s.lineno[i], rewards_status_name(got),
                             rewards_status_name(want[i]));
            }
            assert_same(ref, b);
            /* and what the restored engine saved on top of its table is the same state */
            if (cut == s.n / 2) {
                rewards_engine *b2 = new_engine(NULL, NULL);
                assert_ok(b2, restore_table(b2, &st2.committed, 0, 0));
                assert_same(ref, b2);
                rewards_engine_free(b2);
            }
            rewards_engine_free(b);
            assert_int_equal(c.st.live, 0);
            mock_free(&st2);
        }
        assert_same(ref, a);
        rewards_engine_free(a);
        rewards_engine_free(ref);
        mock_free(&st);
        free(want);
        scenario_free(&s);
    }
}

/* ---- a small saved engine ------------------------------------------------- */

static void build_small_plan(rewards_engine *e)
{
    assert_ok(e, eu_op(e, "currency", "code", "QQQ", "exponent:i", "3", NULL));
    assert_ok(e, eu_op(e, "program", "id", "p", "name", "P", "currency", "USD", NULL));
    assert_ok(e, eu_op(e, "level", "id", "l", "program", "p", "name", "L", "rank:i", "1", NULL));
    assert_ok(e, eu_op(e, "level", "id", "l2", "program", "p", "name", "L2", "rank:i", "2", "requires.deals:i", "1",
                       "requires.window", "trailing_days:30", NULL));
    assert_ok(e, eu_op(e, "reward", "id", "pct", "level", "l", "name", "10%", "trigger", "deal_won", "recipient",
                       "partner", "kind", "percent", "rate", "10%", "when", "partner.attr.tier == \"gold\"", NULL));
    assert_ok(e, eu_op(e, "reward", "id", "ms", "program", "p", "name", "M", "trigger", "deal_won", "recipient",
                       "sales_rep", "kind", "milestone", "period", "month", "metric", "units", "thresholds.0.at", "2",
                       "thresholds.0.bonus", "5.00", "thresholds.1.at", "4", "thresholds.1.bonus", "7.00", NULL));
    assert_ok(e, eu_op(e, "reward", "id", "pts", "program", "p", "name", "Pts", "trigger", "deal_won", "recipient",
                       "partner", "kind", "points", "points", "40", "auto_approve:b", "true", NULL));
    assert_ok(e, eu_op(e, "reward", "id", "cash", "program", "p", "name", "Cash", "trigger", "deal_paid", "recipient",
                       "partner", "kind", "tiered", "period", "quarter", "mode", "retroactive", "tiers.0.from", "0",
                       "tiers.0.rate", "1%", "tiers.1.from", "100.00", "tiers.1.rate", "2%", "clawback_days:i", "90",
                       NULL));
    assert_ok(e, eu_op(e, "partner", "id", "acme", "program", "p", "level", "l", "name", "Acme", "attrs.tier", "gold",
                       "attrs.n:n", "2.5", "attrs.big:b", "true", NULL));
    assert_ok(e, eu_op(e, "user", "id", "jo", "partner", "acme", "name", "Jo", "email", "jo@x.example",
                       "portal_access:b", "true", "attrs.k:i", "-3", NULL));
    assert_ok(e, eu_op(e, "fx", "at", "2026-01-01", "from", "EUR", "to", "USD", "rate", "1.25", NULL));
    assert_ok(e, eu_op(e, "deal", "at", "2026-01-02", "id", "d1", "partner", "acme", "currency", "EUR", "amount",
                       "100.00", "units:i", "3", "user", "jo", "attrs.x", "y", "event", "crm-1", NULL));
    assert_ok(e, eu_op(e, "deal", "at", "2026-01-02", "id", "d2", "partner", "acme", "currency", "USD", "amount",
                       "50.00", NULL));
    assert_ok(e, eu_op(e, "stage", "at", "2026-01-03", "deal", "d1", "stage", "won", NULL));
    assert_ok(e, eu_op(e, "stage", "at", "2026-01-04", "deal", "d2", "stage", "won", NULL));
    assert_ok(e, eu_op(e, "evaluate_levels", "at", "2026-01-05", "program", "p", NULL));
    assert_ok(e, eu_op(e, "approve", "at", "2026-01-06", "until", "2026-01-06", NULL));
    assert_ok(e, eu_op(e, "payout", "at", "2026-01-07", "id", "run", "until", "2026-01-06", NULL));
    assert_ok(e, eu_op(e, "redeem", "at", "2026-01-08", "id", "rd", "recipient_type", "partner", "recipient", "acme",
                       "points", "30", NULL));
}

static void test_small_round_trip(void **state)
{
    (void)state;
    mock st;
    memset(&st, 0, sizeof st);
    rewards_engine *a = new_engine(&st, NULL);
    build_small_plan(a);
    char *l = eu_ledger(a);
    /* d1: 100.00 EUR = 125.00 USD, 10% for acme (gold), 3 units cross jo's first threshold,
     * points; d2 has no rep: its 1 unit starts the "no user" group, below any threshold */
    assert_str(l, LEDGER_HEADER
                  "1,earned,pct,d1,acme,partner,acme,12.50,USD,paid,,,2026-01-03T00:00:00Z,run\n"
                  "2,earned,ms,d1,acme,sales_rep,jo,5.00,USD,paid,,FY2026-M01,2026-01-03T00:00:00Z,run\n"
                  "3,earned,pts,d1,acme,partner,acme,40,PTS,approved,,,2026-01-03T00:00:00Z,\n"
                  "4,earned,pct,d2,acme,partner,acme,5.00,USD,paid,,,2026-01-04T00:00:00Z,run\n"
                  "5,earned,pts,d2,acme,partner,acme,40,PTS,approved,,,2026-01-04T00:00:00Z,\n"
                  "6,redemption,,,acme,partner,acme,-30,PTS,redeemed,,,2026-01-08T00:00:00Z,\n");
    free(l);
    for (int how = 0; how < 3; how++) {
        counted c;
        rewards_engine *b = new_engine(NULL, &c);
        assert_ok(b, restore_table(b, &st.committed, how, 42));
        assert_same(a, b);
        /* it behaves as if it never stopped: the clock, the event ids, the ids, the points */
        assert_int_equal(eu_op(b, "fx", "at", "2026-01-07", "from", "EUR", "to", "USD", "rate", "1", NULL),
                         REWARDS_OUT_OF_ORDER);
        assert_ok(b, eu_op(b, "deal", "at", "2026-01-02", "id", "d1", "partner", "acme", "currency", "EUR", "amount",
                           "100.0", "units:i", "3", "user", "jo", "attrs.x", "y", "event", "crm-1", NULL));
        assert_int_equal(eu_op(b, "deal", "at", "2026-01-09", "id", "d9", "partner", "acme", "currency", "EUR",
                               "amount", "1.00", "event", "crm-1", NULL),
                         REWARDS_CONFLICT);
        assert_int_equal(eu_op(b, "payout", "at", "2026-01-09", "id", "run", "until", "2026-01-09", NULL),
                         REWARDS_EXISTS);
        assert_int_equal(eu_op(b, "redeem", "at", "2026-01-09", "id", "rd", "recipient_type", "partner", "recipient",
                               "acme", "points", "1", NULL),
                         REWARDS_EXISTS);
        assert_int_equal(eu_op(b, "redeem", "at", "2026-01-09", "id", "rd2", "recipient_type", "partner", "recipient",
                               "acme", "points", "51", NULL),
                         REWARDS_INSUFFICIENT_POINTS);
        assert_int_equal(eu_op(b, "level", "id", "l3", "program", "p", "name", "L3", "rank:i", "2", NULL),
                         REWARDS_INVALID_ARGUMENT);
        assert_string_equal(rewards_level_id(rewards_partner_level(rewards_engine_find_partner(b, "acme"))), "l2");
        /* the compiled condition came back: a partner without the attribute earns nothing */
        assert_ok(b, eu_op(b, "partner", "id", "other", "program", "p", "level", "l", "name", "Other", NULL));
        assert_ok(b, eu_op(b, "deal", "at", "2026-01-09", "id", "o1", "partner", "other", "currency", "USD",
                           "amount", "10.00", NULL));
        assert_ok(b, eu_op(b, "stage", "at", "2026-01-09", "deal", "o1", "stage", "won", NULL));
        assert_int_equal(rewards_deal_entry_count(rewards_engine_find_deal(b, "o1")), 1); /* points only */
        rewards_engine_free(b);
        assert_int_equal(c.st.live, 0);
    }
    rewards_engine_free(a);
    mock_free(&st);
}

/* Restore the table with record i replaced by (data, size) or, with data NULL, left out. */
static rewards_status restore_variant(const table *t, size_t i, int kind, const char *data, size_t size,
                                      int export_after)
{
    counted c;
    rewards_engine *b = new_engine(NULL, &c);
    rewards_status st = REWARDS_OK;
    for (size_t k = 0; k < t->n && !st; k++) {
        if (k == i && !data)
            continue;
        if (k == i)
            st = rewards_engine_restore(b, (rewards_record_kind)kind, data, size);
        else
            st = rewards_engine_restore(b, (rewards_record_kind)t->v[k].kind, t->v[k].data, t->v[k].size);
    }
    rewards_status fin = rewards_engine_restore_finish(b);
    if (!st)
        st = fin;
    if (!st && export_after) {
        /* a table that restored must be usable without crashing, whatever the statuses */
        free(eu_ledger(b));
        free(eu_payouts(b));
        free(eu_fingerprint(b));
        rewards_balance bal = { REWARDS_BALANCE_VERSION, 0, 0, 0, 0, 0 };
        (void)rewards_engine_balance(b, &bal, "partner", "acme");
        (void)rewards_engine_balance(b, &bal, "sales_rep", "jo");
        (void)eu_op(b, "deal", "at", "2026-02-01", "id", "z1", "partner", "acme", "currency", "EUR", "amount", "10.00",
                    "units:i", "2", "user", "jo", NULL);
        (void)eu_op(b, "stage", "at", "2026-02-01", "deal", "z1", "stage", "won", NULL);
        (void)eu_op(b, "payment", "at", "2026-02-02", "deal", "d1", "amount", "150.00", NULL);
        (void)eu_op(b, "payment", "at", "2026-02-02", "deal", "z1", "amount", "5.00", NULL);
        (void)eu_op(b, "amend", "at", "2026-02-03", "deal", "d1", "amount", "300.00", NULL);
        (void)eu_op(b, "amend", "at", "2026-02-03", "deal", "d2", "amount", "1.00", NULL);
        (void)eu_op(b, "user_access", "at", "2026-02-04", "user", "jo", "portal_access:b", "false", NULL);
        (void)eu_op(b, "user_access", "at", "2026-02-04", "user", "jo", "portal_access:b", "true", NULL);
        (void)eu_op(b, "assign", "at", "2026-02-04", "deal", "d2", "user", "jo", NULL);
        (void)eu_op(b, "stage", "at", "2026-02-05", "deal", "d1", "stage", "cancelled", NULL);
        (void)eu_op(b, "release", "at", "2026-02-05", "deal", "z1", "to", "partner", NULL);
        (void)eu_op(b, "evaluate_levels", "at", "2026-02-06", "program", "p", "demote:b", "true", NULL);
        (void)eu_op(b, "approve", "at", "2026-02-07", "until", "2026-02-07", NULL);
        (void)eu_op(b, "redeem", "at", "2026-02-07", "id", "zr", "recipient_type", "partner", "recipient", "acme",
                    "points", "10", NULL);
        (void)eu_op(b, "payout", "at", "2026-02-08", "id", "zrun", "until", "2026-02-08", NULL);
        free(eu_ledger(b));
        free(eu_payouts(b));
    }
    rewards_engine_free(b);
    if (c.st.live != 0)
        fail_msg("record %zu variant: %ld blocks leaked", i, c.st.live);
    return st;
}

static void test_restore_rejects_bad_records(void **state)
{
    (void)state;
    mock st;
    memset(&st, 0, sizeof st);
    rewards_engine *a = new_engine(&st, NULL);
    build_small_plan(a);
    const table *t = &st.committed;
    size_t deal = find_kind(t, REWARDS_RECORD_DEAL, "d1");
    size_t program = find_kind(t, REWARDS_RECORD_PROGRAM, "p");
    size_t entry1 = find_kind(t, REWARDS_RECORD_ENTRY, "1");
    size_t partner = find_kind(t, REWARDS_RECORD_PARTNER, "acme");

    /* unknown kind: refused at once */
    counted c;
    rewards_engine *b = new_engine(NULL, &c);
    assert_int_equal(rewards_engine_restore(b, (rewards_record_kind)rewards_record_kind_count(), t->v[deal].data,
                                            t->v[deal].size),
                     REWARDS_INVALID_ARGUMENT);
    assert_int_equal(rewards_engine_restore(b, (rewards_record_kind)-1, t->v[deal].data, t->v[deal].size),
                     REWARDS_INVALID_ARGUMENT);
    assert_int_equal(rewards_engine_restore(b, (rewards_record_kind)1000, t->v[deal].data, t->v[deal].size),
                     REWARDS_INVALID_ARGUMENT);
    /* a format this version does not know, or no data at all */
    assert_int_equal(rewards_engine_restore(b, REWARDS_RECORD_DEAL, "rw2,1:5,", 8), REWARDS_INVALID_ARGUMENT);
    assert_int_equal(rewards_engine_restore(b, REWARDS_RECORD_DEAL, "", 0), REWARDS_INVALID_ARGUMENT);
    assert_int_equal(rewards_engine_restore(b, REWARDS_RECORD_DEAL, "rw1,", 4), REWARDS_INVALID_ARGUMENT);
    assert_int_equal(rewards_engine_restore(b, REWARDS_RECORD_DEAL, "rw1,1:0,", 8), REWARDS_INVALID_ARGUMENT);
    assert_int_equal(rewards_engine_restore(b, REWARDS_RECORD_DEAL, "rw1,2:-1,", 9), REWARDS_INVALID_ARGUMENT);
    assert_non_null(strstr(rewards_engine_errmsg(b), "deal"));
    rewards_engine_free(b);
    assert_int_equal(c.st.live, 0);

    /* a record referring to a missing one */
    assert_int_equal(restore_variant(t, program, 0, NULL, 0, 0), REWARDS_INVALID_ARGUMENT);
    assert_int_equal(restore_variant(t, partner, 0, NULL, 0, 0), REWARDS_INVALID_ARGUMENT);
    /* an entry out of sequence (entry 1 missing) */
    assert_int_equal(restore_variant(t, entry1, 0, NULL, 0, 0), REWARDS_INVALID_ARGUMENT);
    /* a record given as another kind */
    assert_int_equal(restore_variant(t, deal, REWARDS_RECORD_PARTNER, t->v[deal].data, t->v[deal].size, 0),
                     REWARDS_INVALID_ARGUMENT);
    /* trailing bytes */
    char *longer = malloc(t->v[deal].size + 3);
    memcpy(longer, t->v[deal].data, t->v[deal].size);
    memcpy(longer + t->v[deal].size, "1:x", 3);
    assert_int_equal(restore_variant(t, deal, REWARDS_RECORD_DEAL, longer, t->v[deal].size + 3, 0),
                     REWARDS_INVALID_ARGUMENT);
    free(longer);

    /* a duplicate id: the deal given twice (as it is, and under another sequence number) */
    b = new_engine(NULL, &c);
    for (size_t k = 0; k < t->n; k++)
        assert_ok(b, rewards_engine_restore(b, (rewards_record_kind)t->v[k].kind, t->v[k].data, t->v[k].size));
    assert_ok(b, rewards_engine_restore(b, REWARDS_RECORD_DEAL, t->v[deal].data, t->v[deal].size));
    assert_int_equal(rewards_engine_restore_finish(b), REWARDS_INVALID_ARGUMENT);
    assert_non_null(strstr(rewards_engine_errmsg(b), "d1"));
    rewards_engine_free(b);
    assert_int_equal(c.st.live, 0);
    {
        /* the same deal id under a sequence number no other record has */
        const char *d = t->v[deal].data;
        size_t n = t->v[deal].size;
        const char *rest = strchr(d + 4, ',') + 1; /* after the sequence number */
        char *dup = malloc(n + 16);
        int h = sprintf(dup, "rw1,4:9999,");
        memcpy(dup + h, rest, n - (size_t)(rest - d));
        size_t dn = (size_t)h + n - (size_t)(rest - d);
        b = new_engine(NULL, &c);
        for (size_t k = 0; k < t->n; k++)
            assert_ok(b, rewards_engine_restore(b, (rewards_record_kind)t->v[k].kind, t->v[k].data, t->v[k].size));
        assert_ok(b, rewards_engine_restore(b, REWARDS_RECORD_DEAL, dup, dn));
        assert_int_equal(rewards_engine_restore_finish(b), REWARDS_INVALID_ARGUMENT);
        rewards_engine_free(b);
        assert_int_equal(c.st.live, 0);
        free(dup);
    }

    /* an attribute of a type that does not exist */
    {
        const char *d = t->v[partner].data;
        size_t n = t->v[partner].size;
        /* the partner's attributes: count, then (name, type, text) triples; type 0 is string */
        const char *at = strstr(d, "4:tier,1:0,");
        assert_non_null(at);
        char *bad = malloc(n + 1);
        memcpy(bad, d, n);
        bad[(at - d) + 9] = '7';
        assert_int_equal(restore_variant(t, partner, REWARDS_RECORD_PARTNER, bad, n, 0), REWARDS_INVALID_ARGUMENT);
        free(bad);
    }
    /* a tiered reward whose tiers are gone (count 0, consistently): evaluation would
     * have no bracket to use, so the record is corrupt */
    {
        size_t cash = find_kind(t, REWARDS_RECORD_REWARD, "cash");
        const char *d = t->v[cash].data;
        size_t n = t->v[cash].size;
        const char *tiers = strstr(d, "1:2,1:0,5:10000,5:10000,5:20000,"); /* 2 tiers: 0 at 1%, 100.00 at 2% */
        assert_non_null(tiers);
        char *bad = malloc(n + 1);
        size_t head = (size_t)(tiers - d), cut = strlen("1:2,1:0,5:10000,5:10000,5:20000,");
        memcpy(bad, d, head);
        memcpy(bad + head, "1:0,", 4);
        memcpy(bad + head + 4, d + head + cut, n - head - cut);
        size_t bn = head + 4 + n - head - cut;
        assert_int_equal(restore_variant(t, cash, REWARDS_RECORD_REWARD, bad, bn, 0), REWARDS_INVALID_ARGUMENT);
        /* and one whose first tier does not start at 0 */
        memcpy(bad, d, n);
        memcpy(bad + head, "1:2,1:1,", 8);
        assert_int_equal(restore_variant(t, cash, REWARDS_RECORD_REWARD, bad, n, 0), REWARDS_INVALID_ARGUMENT);
        free(bad);
    }
    rewards_engine_free(a);
    mock_free(&st);
}

/* Every truncation and many byte changes of every record: the restore
 * either succeeds or says INVALID_ARGUMENT, never crashes, never leaks. */
static void mangle_records(void (*build)(rewards_engine *), int strict_legacy)
{
    mock st;
    memset(&st, 0, sizeof st);
    rewards_engine *a = new_engine(&st, NULL);
    build(a);
    const table *t = &st.committed;
    long invalid = 0, variants = 0;
    static const char subst[] = { '0', '9', '-', ',', ':', 'x' };
    for (size_t i = 0; i < t->n; i++) {
        const mrec *r = &t->v[i];
        char *buf = malloc(r->size + 1);
        (void)strict_legacy;
        for (size_t len = 0; len < r->size; len++) {
            memcpy(buf, r->data, len);
            /* even a cut where a 1.0 record ends: the set's digest (meta) no longer matches */
            rewards_status s = restore_variant(t, i, r->kind, buf, len, 1);
            if (s != REWARDS_INVALID_ARGUMENT)
                fail_msg("record %s %s cut at %zu of %zu: %s", rewards_record_kind_name(r->kind), r->key, len, r->size,
                         rewards_status_name(s));
            invalid++;
            variants++;
        }
        for (size_t pos = 4; pos < r->size; pos++) {
            for (size_t k = 0; k < sizeof subst; k++) {
                if (r->data[pos] == subst[k])
                    continue;
                memcpy(buf, r->data, r->size);
                buf[pos] = subst[k];
                rewards_status s = restore_variant(t, i, r->kind, buf, r->size, 1);
                if (s != REWARDS_OK && s != REWARDS_INVALID_ARGUMENT)
                    fail_msg("record %s %s, byte %zu = '%c': %s", rewards_record_kind_name(r->kind), r->key, pos,
                             subst[k], rewards_status_name(s));
                invalid += s != REWARDS_OK;
                variants++;
            }
        }
        free(buf);
    }
    assert_true(invalid > variants / 2);
    rewards_engine_free(a);
    mock_free(&st);
}

static void test_restore_mangled_records(void **state)
{
    (void)state;
    mangle_records(build_small, 1);
}

/* Two tiers, an activity and manual entries (SPEC.md section 13). */
static void build_twotier(rewards_engine *e)
{
    assert_ok(e, eu_op(e, "program", "id", "p", "name", "P", "currency", "USD", NULL));
    assert_ok(e, eu_op(e, "level", "id", "l", "program", "p", "name", "L", "rank:i", "1", NULL));
    assert_ok(e, eu_op(e, "reward", "id", "pct", "level", "l", "name", "10%", "trigger", "deal_won", "recipient",
                       "partner", "kind", "percent", "rate", "10%", "clawback_days:i", "9", NULL));
    assert_ok(e, eu_op(e, "reward", "id", "act", "program", "p", "name", "A", "trigger", "activity:cert", "recipient",
                       "sales_rep", "kind", "percent", "rate", "5%", "when", "activity.units > 0", NULL));
    assert_ok(e, eu_op(e, "reward", "id", "ovr", "program", "p", "name", "O", "recipient", "partner", "kind",
                       "override", "rate", "2.5%", "of.0", "pct", "of.1", "act", "auto_approve:b", "true", NULL));
    assert_ok(e, eu_op(e, "partner", "id", "top", "program", "p", "level", "l", "name", "Top", NULL));
    assert_ok(e, eu_op(e, "partner", "id", "acme", "program", "p", "level", "l", "name", "Acme", "parent", "top", NULL));
    assert_ok(e, eu_op(e, "user", "id", "jo", "partner", "acme", "name", "Jo", "portal_access:b", "false", NULL));
    assert_ok(e, eu_op(e, "fx", "at", "2026-01-01", "from", "EUR", "to", "USD", "rate", "1.25", NULL));
    assert_ok(e, eu_op(e, "deal", "at", "2026-01-02", "id", "d1", "partner", "acme", "currency", "USD", "amount",
                       "100.00", NULL));
    assert_ok(e, eu_op(e, "stage", "at", "2026-01-03", "deal", "d1", "stage", "won", NULL));
    assert_ok(e, eu_op(e, "activity", "at", "2026-01-03", "id", "a1", "partner", "acme", "user", "jo", "type", "cert",
                       "units:i", "2", "amount", "40.00", "currency", "EUR", "attrs.k", "v", NULL));
    assert_ok(e, eu_op(e, "adjust", "at", "2026-01-04", "id", "m1", "partner", "acme", "amount", "-3.50", "deal", "a1",
                       "note", "n", "approved:b", "true", NULL));
    assert_ok(e, eu_op(e, "adjust", "at", "2026-01-04", "id", "m2", "partner", "acme", "amount", "9", "currency", "PTS",
                       NULL));
    assert_ok(e, eu_op(e, "stage", "at", "2026-01-05", "deal", "d1", "stage", "cancelled", NULL));
}

/* The same over every new field and kind: corrupt or valid, never a crash or a leak. */
static void test_restore_mangled_twotier_records(void **state)
{
    (void)state;
    mangle_records(build_twotier, 0);
}

/* Allocation failure at every allocation of a restore: NOMEM, nothing leaked. */
static void test_restore_alloc_failure(void **state)
{
    (void)state;
    mock st;
    memset(&st, 0, sizeof st);
    rewards_engine *a = new_engine(&st, NULL);
    build_small_plan(a);
    long n, failures = 0;
    for (n = 1; n < 100000; n++) {
        counted c;
        rewards_engine *b = new_engine(NULL, &c);
        c.st.fail_at = c.st.count + n;
        rewards_status s = restore_table(b, &st.committed, 2, (uint64_t)n);
        c.st.fail_at = 0;
        if (s == REWARDS_OK) {
            assert_same(a, b);
            rewards_engine_free(b);
            assert_int_equal(c.st.live, 0);
            break;
        }
        if (s != REWARDS_NOMEM)
            fail_msg("allocation %ld failing: %s (%s)", n, rewards_status_name(s), rewards_engine_errmsg(b));
        failures++;
        rewards_engine_free(b);
        if (c.st.live != 0)
            fail_msg("allocation %ld failing: %ld blocks leaked", n, c.st.live);
    }
    assert_true(failures > 50);
    rewards_engine_free(a);
    mock_free(&st);
}

/* Until restore_finish, the engine takes no operation and no export. */
static void test_restore_misuse(void **state)
{
    (void)state;
    mock st;
    memset(&st, 0, sizeof st);
    rewards_engine *a = new_engine(&st, NULL);
    build_small_plan(a);
    rewards_engine *b = new_engine(NULL, NULL);
    assert_ok(b, rewards_engine_restore(b, (rewards_record_kind)st.committed.v[0].kind, st.committed.v[0].data,
                                        st.committed.v[0].size));
    assert_int_equal(eu_op(b, "program", "id", "q", "name", "Q", "currency", "USD", NULL), REWARDS_MISUSE);
    char *l = eu_ledger(b);
    assert_null(l); /* the export said MISUSE */
    for (size_t k = 1; k < st.committed.n; k++)
        assert_ok(b, rewards_engine_restore(b, (rewards_record_kind)st.committed.v[k].kind, st.committed.v[k].data,
                                            st.committed.v[k].size));
    assert_ok(b, rewards_engine_restore_finish(b));
    assert_same(a, b);
    assert_ok(b, eu_op(b, "program", "id", "q", "name", "Q", "currency", "USD", NULL));
    /* an engine with records (restored or made) refuses a restore and a
     * finish, unchanged and still usable: before, a refused record locked it
     * and the finish that followed reset it to new, its records gone */
    char *before = eu_fingerprint(b);
    assert_int_equal(rewards_engine_restore(b, (rewards_record_kind)99, "rw1,", 4), REWARDS_MISUSE);
    assert_int_equal(rewards_engine_restore(b, (rewards_record_kind)st.committed.v[0].kind, st.committed.v[0].data,
                                            st.committed.v[0].size),
                     REWARDS_MISUSE);
    assert_non_null(strstr(rewards_engine_errmsg(b), "new engine"));
    assert_int_equal(rewards_engine_restore_finish(b), REWARDS_MISUSE);
    char *after = eu_fingerprint(b);
    assert_string_equal(before, after);
    free(before);
    free(after);
    assert_ok(b, eu_op(b, "program", "id", "q2", "name", "Q2", "currency", "USD", NULL));
    assert_int_equal(rewards_engine_program_count(b), rewards_engine_program_count(a) + 2);
    rewards_engine_free(b);
    /* an empty restore is an empty engine */
    b = new_engine(NULL, NULL);
    assert_ok(b, rewards_engine_restore_finish(b));
    rewards_engine *empty = new_engine(NULL, NULL);
    assert_same(empty, b);
    rewards_engine_free(empty);
    rewards_engine_free(b);
    rewards_engine_free(a);
    mock_free(&st);
}

/* The integers of a stored record: an optional '-' and digits, within
 * int64_t, nothing else (read here through the sequence number, the first
 * field, by the same reader as every other integer field). */
static void test_record_integer_syntax(void **state)
{
    (void)state;
    static const struct {
        const char *text;
        int ok;
        int64_t value;
    } cases[] = {
        { "1", 1, 1 },
        { "0", 1, 0 },
        { "-0", 1, 0 },
        { "-17", 1, -17 },
        { "007", 1, 7 },
        { "999999999999999999", 1, INT64_C(999999999999999999) },   /* 18 digits */
        { "9223372036854775807", 1, INT64_MAX },
        { "-9223372036854775808", 1, INT64_MIN },
        { "00000000000000000042", 1, 42 },                          /* 20 characters */
        { "9223372036854775808", 0, 0 },
        { "-9223372036854775809", 0, 0 },
        { "9999999999999999999", 0, 0 },
        { "18446744073709551616", 0, 0 },
        { "000000000000000000042", 0, 0 },                          /* 21 characters */
        { "", 0, 0 },
        { "-", 0, 0 },
        { "+1", 0, 0 },
        { "--1", 0, 0 },
        { "1-", 0, 0 },
        { " 1", 0, 0 },
        { "1 ", 0, 0 },
        { "1.0", 0, 0 },
        { "0x1", 0, 0 },
        { "1e3", 0, 0 },
        { "1\0012", 0, 0 },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char data[64];
        size_t n = strlen(cases[i].text);
        int len = snprintf(data, sizeof data, "rw1,%zu:%s,", n, cases[i].text);
        int64_t seq = -99;
        int got = rw_record_seq(data, (size_t)len, &seq);
        if (got != (cases[i].ok ? 0 : -1) || (cases[i].ok && seq != cases[i].value))
            fail_msg("'%s': %d, %lld", cases[i].text, got, (long long)seq);
    }
    /* the field around it: a length of one or two digits is read on a short
     * path, any other the general way; both judge alike */
    static const struct {
        const char *data;
        int ok;
        int64_t value;
    } fields[] = {
        { "rw1,2:17,", 1, 17 },
        { "rw1,02:17,", 1, 17 },                 /* a length with a leading zero */
        { "rw1,18:-99999999999999999,", 1, INT64_C(-99999999999999999) },
        { "rw1,19:-999999999999999999,", 1, INT64_C(-999999999999999999) },
        { "rw1,2:17", 0, 0 },                    /* no comma: the data ends */
        { "rw1,2:17;", 0, 0 },
        { "rw1,3:17,", 0, 0 },                   /* the length runs past the comma */
        { "rw1,1:17,", 0, 0 },
        { "rw1,0:,", 0, 0 },
        { "rw1,1:", 0, 0 },
        { "rw1,1", 0, 0 },
        { "rw1,2;17,", 0, 0 },
        { "rw1,-,", 0, 0 },                      /* absent */
    };
    for (size_t i = 0; i < sizeof fields / sizeof fields[0]; i++) {
        int64_t seq = -99;
        int got = rw_record_seq(fields[i].data, strlen(fields[i].data), &seq);
        if (got != (fields[i].ok ? 0 : -1) || (fields[i].ok && seq != fields[i].value))
            fail_msg("'%s': %d, %lld", fields[i].data, got, (long long)seq);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_scenarios_match_expected_files),
        cmocka_unit_test(test_scenarios_restore_at_every_cut),
        cmocka_unit_test(test_small_round_trip),
        cmocka_unit_test(test_restore_rejects_bad_records),
        cmocka_unit_test(test_restore_mangled_records),
        cmocka_unit_test(test_restore_mangled_twotier_records),
        cmocka_unit_test(test_restore_alloc_failure),
        cmocka_unit_test(test_restore_misuse),
        cmocka_unit_test(test_record_integer_syntax),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
