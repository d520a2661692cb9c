/*
 * test_restore_limits.c - a restored record passes the limits of the
 * operation that made it (issue 10, finding 3).
 *
 * Each case sets one field of one record of a small engine's saved set to a
 * value an operation would refuse (a time past the year 9999 or INT64_MAX,
 * a rate over 100%, a clawback or window day count out of range, tiers not
 * from 0 or not ascending, a negative amount, ...).  The set is given with
 * a 1.0-style meta record (no digest), so that what refuses it is the field
 * check, whose message must name the field; then with the meta record as
 * stored, which refuses it too (the digest).  Before the check, these sets
 * restored, and the values later overflowed signed arithmetic.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <limits.h> /* the C library's, though this file is compiled with -Ilib */

#ifndef INT_MAX
#error "<limits.h> is shadowed by a header under lib/"
#endif

#include "ops.h"
#include "engineutil.h"
#include "assertutil.h"
#include "mockstore.h"
#include "recordutil.h"

typedef struct field_case {
    int kind;
    const char *key;  /* NULL: the first record of the kind */
    size_t field;     /* index after "rwN,": 0 is the sequence number */
    const char *value;
    const char *says; /* in the message */
} field_case;

/* The meta record m as 1.0 wrote it, without the digest (its first field
 * only): a set changed on purpose is then refused by the check under test,
 * not by the digest. */
static void meta_without_digest(const grec *m, char *out, size_t size)
{
    size_t start[400], len[400];
    fields_of(m->data, m->size, start, len, 400);
    snprintf(out, size, "rw1,%.*s", (int)(start[1] + len[1] + 1 - 4), m->data + 4);
}

/* More of each kind: a currency, a second program, users, a milestone and a
 * dated reward, a level change, a lost deal, an event id. */
static void build_more(rewards_engine *e)
{
    assert_ok(e, eu_op(e, "currency", "code", "QQQ", "exponent:i", "1", NULL));
    assert_ok(e, eu_op(e, "program", "id", "p2", "name", "P2", "currency", "USD", NULL));
    assert_ok(e, eu_op(e, "level", "id", "l9", "program", "p2", "name", "L9", "rank:i", "1", NULL));
    assert_ok(e, eu_op(e, "level", "id", "lf", "program", "p", "name", "LF", "rank:i", "5", "requires.window",
                       "fiscal_year", NULL));
    assert_ok(e, eu_op(e, "reward", "id", "ms", "program", "p", "name", "M", "trigger", "deal_won", "recipient",
                       "partner", "kind", "milestone", "period", "quarter", "metric", "deals", "thresholds.0.at", "2",
                       "thresholds.0.bonus", "10.00", "thresholds.1.at", "3", "thresholds.1.bonus", "20.00", NULL));
    assert_ok(e, eu_op(e, "reward", "id", "act", "program", "p", "name", "A", "trigger", "deal_renewed", "recipient",
                       "partner", "kind", "fixed", "amount", "1.00", "active_from", "2026-01-01", "active_until",
                       "2027-01-01", NULL));
    assert_ok(e, eu_op(e, "partner", "id", "bee", "program", "p", "level", "l", "name", "Bee", NULL));
    assert_ok(e, eu_op(e, "user", "id", "jo", "partner", "acme", "name", "Jo", "email", "jo@x", "portal_access:b",
                       "true", NULL));
    assert_ok(e, eu_op(e, "user", "id", "bo", "partner", "bee", "name", "Bo", "portal_access:b", "true", NULL));
    assert_ok(e, eu_op(e, "deal", "at", "2026-01-05", "id", "d2", "partner", "acme", "currency", "USD", "amount",
                       "5.00", "user", "jo", "event", "ev-1", NULL));
    assert_ok(e, eu_op(e, "stage", "at", "2026-01-06", "deal", "d2", "stage", "lost", NULL));
    assert_ok(e, eu_op(e, "set_level", "at", "2026-01-07", "partner", "bee", "level", "lf", NULL));
}

static void test_restore_checks_every_field_limit(void **state)
{
    (void)state;
    mock st;
    memset(&st, 0, sizeof st);
    rewards_engine *a = new_engine(&st, NULL);
    build_small(a);
    build_more(a);
    const table *t = &st.committed;
    grec *good = from_table(t);
    size_t meta = find_kind(t, REWARDS_RECORD_META, NULL);
    /* a 1.0-style meta record (no digest): what refuses is the field check */
    char meta10[128];
    meta_without_digest(&good[meta], meta10, sizeof meta10);
    grec *base = from_table(t);
    base[meta].data = meta10;
    base[meta].size = strlen(meta10);
    {
        rewards_engine *b = new_engine(NULL, NULL);
        assert_ok(b, give(b, base, t->n, 0)); /* as it is, it restores */
        rewards_engine_free(b);
    }
    static const field_case cases[] = {
        { REWARDS_RECORD_META, NULL, 1, "9223372036854775807", "clock" },
        { REWARDS_RECORD_META, NULL, 1, "253402300800", "clock" },
        { REWARDS_RECORD_LEVEL, "l", 8, "9223372036854775807", "window_days" },
        { REWARDS_RECORD_LEVEL, "l", 8, "0", "window_days" },
        { REWARDS_RECORD_LEVEL, "l", 4, "-9223372036854775808", "rank" },
        { REWARDS_RECORD_LEVEL, "l", 6, "-1", "requires.deals" },
        { REWARDS_RECORD_REWARD, "t", 9, "36601", "clawback_days" },
        { REWARDS_RECORD_REWARD, "t", 9, "-1", "clawback_days" },
        { REWARDS_RECORD_REWARD, "t", 9, "9223372036854775807", "clawback_days" },
        { REWARDS_RECORD_REWARD, "t", 12, "1000001", "rate" },
        { REWARDS_RECORD_REWARD, "t", 13, "-5", "amount" },
        { REWARDS_RECORD_REWARD, "t", 17, "1", "tiers.from" },             /* first tier not from 0 */
        { REWARDS_RECORD_REWARD, "t", 18, "1000001", "tiers.rate" },
        { REWARDS_RECORD_REWARD, "t", 19, "0", "tiers.from" },             /* not ascending */
        { REWARDS_RECORD_REWARD, "t", 19, "-9223372036854775808", "tiers.from" },
        { REWARDS_RECORD_REWARD, "t", 20, "-1", "tiers.rate" },
        { REWARDS_RECORD_REWARD, "t", 23, "-1", "cap_per_deal" },
        { REWARDS_RECORD_FX, NULL, 3, "0", "rate" },
        { REWARDS_RECORD_FX, NULL, 4, "9223372036854775807", "at" },
        { REWARDS_RECORD_FX, NULL, 2, "EUR", "from" },
        { REWARDS_RECORD_DEAL, "d1", 9, "9223372036854775807", "registered_at" },
        { REWARDS_RECORD_DEAL, "d1", 9, "-62135596801", "registered_at" },
        { REWARDS_RECORD_DEAL, "d1", 10, "9223372036854775807", "won_at" },
        { REWARDS_RECORD_DEAL, "d1", 5, "-100", "amount" },
        { REWARDS_RECORD_DEAL, "d1", 6, "-1", "units" },
        { REWARDS_RECORD_CONTRIBUTION, NULL, 4, "9223372036854775807", "at" },
        { REWARDS_RECORD_CONTRIBUTION, NULL, 5, "-1", "base" },
        { REWARDS_RECORD_PAYOUT, NULL, 2, "-9223372036854775807", "at" },
        { REWARDS_RECORD_PAYOUT_LINE, NULL, 6, "0", "amount" },
        { REWARDS_RECORD_ENTRY, NULL, 12, "9223372036854775807", "earned_at" },
        { REWARDS_RECORD_ENTRY, NULL, 13, NULL, "payout" },
        { REWARDS_RECORD_CURRENCY, "QQQ", 1, "QqQ", "code" },
        { REWARDS_RECORD_PROGRAM, "p2", 1, "", "id" },
        { REWARDS_RECORD_PROGRAM, "p2", 2, "\xff", "name" },
        { REWARDS_RECORD_PROGRAM, "p2", 3, "PTS", "currency" },
        { REWARDS_RECORD_LEVEL, "lf", 8, "5", "window_days" },
        { REWARDS_RECORD_REWARD, "ms", 19, "0", "thresholds.at" },
        { REWARDS_RECORD_REWARD, "ms", 21, "2", "thresholds.at" },
        { REWARDS_RECORD_REWARD, "ms", 22, "-1", "thresholds.bonus" },
        { REWARDS_RECORD_REWARD, "act", 23, "1767225600", "active_until" },
        { REWARDS_RECORD_REWARD, "act", 22, "9223372036854775807", "active_from" },
        { REWARDS_RECORD_REWARD, "act", 14, "-2", "points_per_unit" },
        { REWARDS_RECORD_PARTNER, "bee", 3, "l9", "level" },
        { REWARDS_RECORD_USER, "jo", 3, "\xc3", "name" },
        { REWARDS_RECORD_USER, "jo", 4, "\xff@x", "email" },
        { REWARDS_RECORD_FX, NULL, 1, "PTS", "from" },
        { REWARDS_RECORD_FX, NULL, 1, "XYZ", "from" },
        { REWARDS_RECORD_DEAL, "d2", 11, "1000", "closed_at" },
        { REWARDS_RECORD_DEAL, "d1", 10, "1000", "won_at" },
        { REWARDS_RECORD_DEAL, "d2", 3, "bo", "user" },
        { REWARDS_RECORD_LEVEL_CHANGE, NULL, 4, "9223372036854775807", "at" },
        { REWARDS_RECORD_LEVEL_CHANGE, NULL, 3, "l9", "to" },
        { REWARDS_RECORD_CONTRIBUTION, NULL, 7, "-1", "fx_rate" },
        { REWARDS_RECORD_PAYOUT, NULL, 3, "9223372036854775807", "until" },
        { REWARDS_RECORD_PAYOUT_LINE, NULL, 7, "0", "entries" },
        { REWARDS_RECORD_EVENT_ID, NULL, 1, "", "id" },
    };
    grec *bad = from_table(t);
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const field_case *fc = &cases[i];
        size_t r = find_kind(t, fc->kind, fc->key);
        memcpy(bad, base, t->n * sizeof *bad);
        size_t sz;
        char *d = with_field(bad[r].data, bad[r].size, fc->field, fc->value, &sz);
        bad[r].data = d;
        bad[r].size = sz;
        char what[200];
        snprintf(what, sizeof what, "%s field %zu = %s", rewards_record_kind_name((rewards_record_kind)fc->kind),
                 fc->field, fc->value ? fc->value : "absent");
        assert_refused_then_intact(bad, t->n, good, t->n, a, what, fc->says);
        /* with the digest (the meta record as stored) it is refused as well */
        if (r != meta) {
            bad[meta] = good[meta];
            assert_refused_then_intact(bad, t->n, good, t->n, a, what, NULL);
        }
        free(d);
    }
    free(bad);
    free(base);
    free(good);
    rewards_engine_free(a);
    mock_free(&st);
}

/*
 * Every field of every record, set in turn to each of a list of awkward
 * values (empty, absent, signs, the int64 and uint64 ends and beyond, ids
 * of other records, control bytes), with a 1.0-style meta record so that
 * the decoder and the field checks see them: each set is refused with
 * INVALID_ARGUMENT, or restores to an engine that exports and takes more
 * operations; nothing leaks either way.
 */
static void test_every_field_every_awkward_value(void **state)
{
    (void)state;
    mock st;
    memset(&st, 0, sizeof st);
    rewards_engine *a = new_engine(&st, NULL);
    build_small(a);
    build_more(a);
    const table *t = &st.committed;
    grec *good = from_table(t);
    size_t meta = find_kind(t, REWARDS_RECORD_META, NULL);
    char meta10[128];
    meta_without_digest(&good[meta], meta10, sizeof meta10);
    static const char *const values[] = { "", NULL, "0", "-1", "1", "-", "x", "9223372036854775807",
                                          "-9223372036854775808", "9223372036854775808", "18446744073709551616",
                                          "99999999999999999999", "2", "3", "100001", "1001", "l9", "p2", "QQQ",
                                          "PTS", "acme", "jo", "d1", "run1", "\x01", "\xff" };
    grec *bad = from_table(t);
    long refused = 0, restored = 0;
    for (size_t r = 0; r < t->n; r++) {
        if (r == meta)
            continue;
        fld f[400];
        size_t nf = fields_at(good[r].data, good[r].size, f, 400);
        for (size_t i = 0; i < nf; i++) {
            for (size_t v = 0; v < sizeof values / sizeof values[0]; v++) {
                memcpy(bad, good, t->n * sizeof *bad);
                bad[meta].data = meta10;
                bad[meta].size = strlen(meta10);
                size_t sz;
                char *d = with_field(good[r].data, good[r].size, i, values[v], &sz);
                bad[r].data = d;
                bad[r].size = sz;
                counted c;
                rewards_engine *b = new_engine(NULL, &c);
                rewards_status got = give(b, bad, t->n, 0);
                if (got == REWARDS_OK) {
                    restored++;
                    free(eu_ledger(b));
                    free(eu_payouts(b));
                    (void)eu_op(b, "approve", "at", "9000-01-01", "until", "9000-01-01", NULL);
                    (void)eu_op(b, "payout", "at", "9000-01-02", "id", "z", "until", "9000-01-02", NULL);
                    (void)eu_op(b, "evaluate_levels", "at", "9000-01-03", "program", "p", NULL);
                } else {
                    if (got != REWARDS_INVALID_ARGUMENT)
                        fail_msg("%s '%s' field %zu = %s: %s", rewards_record_kind_name((rewards_record_kind)good[r].kind),
                                 t->v[r].key, i, values[v] ? values[v] : "absent", rewards_status_name(got));
                    refused++;
                }
                rewards_engine_free(b);
                assert_int_equal(c.st.live, 0);
                free(d);
            }
        }
    }
    print_message("%ld refused, %ld restored\n", refused, restored);
    assert_true(refused > restored);
    free(bad);
    free(good);
    rewards_engine_free(a);
    mock_free(&st);
}

/* The records of SPEC section 13: per-line and margin rewards in an exclusive
 * group, a deal_paid reward, an override, a partner with a parent (and one of
 * the second program), a deal with two lines won, and two activities. */
static void build_s13(rewards_engine *e)
{
    assert_ok(e, eu_op(e, "reward", "id", "pl", "program", "p", "name", "PL", "trigger", "deal_won", "recipient",
                       "partner", "kind", "percent", "rate", "10%", "per", "line", "base", "margin", "exclusive", "g",
                       "priority:i", "2", NULL));
    assert_ok(e, eu_op(e, "reward", "id", "pd", "program", "p", "name", "PD", "trigger", "deal_paid", "recipient",
                       "partner", "kind", "percent", "rate", "1%", NULL));
    assert_ok(e, eu_op(e, "reward", "id", "q2", "program", "p2", "name", "Q", "trigger", "deal_won", "recipient",
                       "partner", "kind", "percent", "rate", "1%", NULL));
    assert_ok(e, eu_op(e, "reward", "id", "ov", "program", "p", "name", "O", "recipient", "partner", "kind",
                       "override", "rate", "2%", "of.0", "t", NULL));
    assert_ok(e, eu_op(e, "reward", "id", "pl3", "program", "p", "name", "PL3", "trigger", "deal_won", "recipient",
                       "partner", "kind", "fixed", "amount", "1.00", "per", "line", "exclusive", "g", NULL));
    assert_ok(e, eu_op(e, "reward", "id", "ex1", "program", "p", "name", "E1", "trigger", "activity:cert", "recipient",
                       "partner", "kind", "fixed", "amount", "1.00", "exclusive", "h", NULL));
    assert_ok(e, eu_op(e, "reward", "id", "ex2", "program", "p", "name", "E2", "trigger", "activity:cert", "recipient",
                       "partner", "kind", "fixed", "amount", "2.00", "exclusive", "h", NULL));
    assert_ok(e, eu_op(e, "partner", "id", "z2", "program", "p2", "level", "l9", "name", "Z", NULL));
    assert_ok(e, eu_op(e, "partner", "id", "kid", "program", "p", "level", "l", "name", "Kid", "parent", "acme", NULL));
    assert_ok(e, eu_op(e, "deal", "at", "2026-01-08", "id", "dl", "partner", "kid", "currency", "USD", "lines.0.id",
                       "L1", "lines.0.product", "X", "lines.0.amount", "10.00", "lines.0.cost", "2.00",
                       "lines.0.units:i", "1", "lines.1.id", "L2", "lines.1.product", "Y", "lines.1.amount", "5.00",
                       "lines.1.units:i", "2", NULL));
    assert_ok(e, eu_op(e, "stage", "at", "2026-01-09", "deal", "dl", "stage", "won", NULL));
    assert_ok(e, eu_op(e, "activity", "at", "2026-01-09", "id", "a1", "partner", "acme", "type", "cert", "units:i",
                       "2", "amount", "4.00", "currency", "USD", NULL));
    assert_ok(e, eu_op(e, "activity", "at", "2026-01-09", "id", "a0", "partner", "acme", "type", "cert", NULL));
    assert_ok(e, eu_op(e, "adjust", "at", "2026-01-10", "id", "m1", "partner", "acme", "user", "jo", "amount", "-1.00",
                       "deal", "a1", NULL));
}

/* The contribution of reward rid on deal did (the first). */
static size_t find_contrib_of(const table *t, const char *rid, const char *did)
{
    for (size_t i = 0; i < t->n; i++) {
        if (t->v[i].kind != REWARDS_RECORD_CONTRIBUTION)
            continue;
        fld f[40];
        size_t nf = fields_at(t->v[i].data, t->v[i].size, f, 40);
        if (nf > 2 && f[1].len == strlen(rid) && !memcmp(t->v[i].data + f[1].start, rid, f[1].len) &&
            f[2].len == strlen(did) && !memcmp(t->v[i].data + f[2].start, did, f[2].len))
            return i;
    }
    fail_msg("no contribution of %s on %s", rid, did);
    return 0;
}

/* The manual entry of adjustment aid. */
static size_t find_manual(const table *t, const char *aid)
{
    for (size_t i = 0; i < t->n; i++) {
        if (t->v[i].kind != REWARDS_RECORD_ENTRY)
            continue;
        fld f[40];
        size_t nf = fields_at(t->v[i].data, t->v[i].size, f, 40);
        if (nf > 17 && f[17].len == strlen(aid) && !memcmp(t->v[i].data + f[17].start, aid, f[17].len))
            return i;
    }
    fail_msg("no manual entry %s", aid);
    return 0;
}

/* The entry record field a test changes: 2 type, 3 contribution, 9 currency (see build_s13's list). */
#define ENTRY_TYPE 2
#define ENTRY_CONTRIB 3
#define ENTRY_CURRENCY 9

static size_t entry_field(const table *t, size_t r, size_t i, char *out, size_t size)
{
    fld f[40];
    size_t nf = fields_at(t->v[r].data, t->v[r].size, f, 40);
    assert_true(i < nf && f[i].len < size);
    memcpy(out, t->v[r].data + f[i].start, f[i].len);
    out[f[i].len] = '\0';
    return f[i].len;
}

/* An entry keeps no currency of its own (rw_entry_currency): the stored one
 * must be what its reward gives (PTS for points, the program's otherwise),
 * PTS for a redemption; and the entries of a contribution, and only they,
 * name one.  Anything else is refused, and the intact set restores. */
static void test_restore_entry_currency_and_kind(void **state)
{
    (void)state;
    mock st;
    memset(&st, 0, sizeof st);
    rewards_engine *a = new_engine(&st, NULL);
    build_small(a);
    assert_ok(a, eu_op(a, "reward", "id", "pts", "program", "p", "name", "Pts", "trigger", "deal_won", "recipient",
                       "partner", "kind", "points", "points_per_unit", "1", "auto_approve:b", "true", NULL));
    assert_ok(a, eu_op(a, "deal", "at", "2026-01-05", "id", "d3", "partner", "acme", "currency", "USD", "amount",
                       "50.00", NULL));
    assert_ok(a, eu_op(a, "stage", "at", "2026-01-06", "deal", "d3", "stage", "won", NULL));
    assert_ok(a, eu_op(a, "redeem", "at", "2026-01-07", "id", "r1", "recipient_type", "partner", "recipient", "acme",
                       "points", "20", NULL));
    const table *t = &st.committed;
    grec *good = from_table(t), *bad = from_table(t);
    size_t meta = find_kind(t, REWARDS_RECORD_META, NULL);
    char meta10[128];
    meta_without_digest(&good[meta], meta10, sizeof meta10);
    size_t tried = 0, seen[4] = { 0 };
    for (size_t r = 0; r < t->n; r++) {
        if (t->v[r].kind != REWARDS_RECORD_ENTRY)
            continue;
        char type[8], cur[8], contrib[24];
        entry_field(t, r, ENTRY_TYPE, type, sizeof type);
        entry_field(t, r, ENTRY_CURRENCY, cur, sizeof cur);
        entry_field(t, r, ENTRY_CONTRIB, contrib, sizeof contrib);
        int has_contrib = strcmp(contrib, "0") != 0; /* (0: none) */
        int redemption = !strcmp(type, "3");
        assert_int_equal(has_contrib, !redemption); /* (the set as written: only the redemption names none) */
        /* earned in USD, earned in points, a redemption */
        seen[redemption ? 2 : !strcmp(cur, "PTS")]++;
        static const char *const currencies[] = { "USD", "PTS", "EUR" };
        for (size_t c = 0; c < sizeof currencies / sizeof currencies[0]; c++) {
            if (!strcmp(currencies[c], cur))
                continue;
            memcpy(bad, good, t->n * sizeof *bad);
            size_t sz;
            char *d = with_field(good[r].data, good[r].size, ENTRY_CURRENCY, currencies[c], &sz);
            bad[r].data = d;
            bad[r].size = sz;
            bad[meta].data = meta10;
            bad[meta].size = strlen(meta10);
            assert_refused_then_intact(bad, t->n, good, t->n, a, currencies[c], "is corrupt");
            free(d);
            tried++;
        }
        /* a contribution's entry as a redemption, a redemption as an earned entry (with and without one) */
        const char *as[] = { redemption ? "0" : "3", "0" };
        for (size_t k = 0; k < (redemption ? 2u : 1u); k++) {
            memcpy(bad, good, t->n * sizeof *bad);
            size_t sz, sz2;
            char *d = with_field(good[r].data, good[r].size, ENTRY_TYPE, as[k], &sz);
            char *d2 = NULL;
            if (k == 1) { /* and naming the first contribution */
                size_t first = find_kind(t, REWARDS_RECORD_CONTRIBUTION, NULL); /* keyed by its sequence */
                d2 = with_field(d, sz, ENTRY_CONTRIB, t->v[first].key, &sz2);
            }
            bad[r].data = d2 ? d2 : d;
            bad[r].size = d2 ? sz2 : sz;
            bad[meta].data = meta10;
            bad[meta].size = strlen(meta10);
            assert_refused_then_intact(bad, t->n, good, t->n, a, type, "is corrupt");
            free(d);
            free(d2);
            tried++;
        }
    }
    assert_true(seen[0] >= 1 && seen[1] >= 1 && seen[2] == 1);
    assert_true(tried >= 8);
    free(bad);
    free(good);
    rewards_engine_free(a);
    mock_free(&st);
}

/* Every field SPEC section 13 added is held to its operation's limits on restore, naming the field. */
static void test_restore_checks_section13_fields(void **state)
{
    (void)state;
    mock st;
    memset(&st, 0, sizeof st);
    rewards_engine *a = new_engine(&st, NULL);
    build_small(a);
    build_more(a);
    build_s13(a);
    const table *t = &st.committed;
    grec *good = from_table(t);
    size_t meta = find_kind(t, REWARDS_RECORD_META, NULL);
    char meta10[128];
    meta_without_digest(&good[meta], meta10, sizeof meta10);
    grec *base = from_table(t);
    base[meta].data = meta10;
    base[meta].size = strlen(meta10);
    {
        rewards_engine *b = new_engine(NULL, NULL);
        assert_ok(b, give(b, base, t->n, 0));
        rewards_engine_free(b);
    }
    char longp[300];
    memset(longp, 'p', 256);
    longp[256] = 0;
    size_t kline = find_contrib_of(t, "pl", "dl"), kman = find_manual(t, "m1");
    /* reward (percent): 24 per, 25 base, 26 exclusive, 27 priority, 28 activity type, 29 nof, 30 of.0;
     * deal: 12 nlines, then id, product, amount, cost, units, attrs per line from 13;
     * activity: 4 type, 5 units, 6 has_amount, 7 currency, 8 amount; partner: 6 parent;
     * contribution: 6 uses the deal amount, 9 period, 14 line, 15 margin, 17 child recipient;
     * entry: 7 user, 9 currency, 15 deal */
    const struct {
        int kind;
        const char *key; /* NULL: the contribution of pl on dl, or the manual entry m1 */
        size_t field;
        const char *value;
        const char *says;
    } cases[] = {
        { REWARDS_RECORD_REWARD, "pd", 24, "1", "field 'per'" },
        { REWARDS_RECORD_REWARD, "pd", 25, "1", "field 'base'" },
        { REWARDS_RECORD_REWARD, "pl", 26, "\xff", "field 'exclusive'" },
        { REWARDS_RECORD_REWARD, "pd", 26, "g", "field 'exclusive'" },
        { REWARDS_RECORD_REWARD, "ov", 12, "1000001", "field 'rate'" },
        { REWARDS_RECORD_REWARD, "ov", 11, "1", "field 'period'" },
        { REWARDS_RECORD_REWARD, "ov", 19, "5", "field 'cap_per_deal'" },
        { REWARDS_RECORD_REWARD, "ov", 20, "5", "field 'cap_per_period'" },
        { REWARDS_RECORD_REWARD, "ov", 21, "true", "field 'when'" },
        { REWARDS_RECORD_REWARD, "ov", 26, "h", "field 'per'" },
        { REWARDS_RECORD_REWARD, "ov", 30, "q2", "field 'of'" },
        { REWARDS_RECORD_REWARD, "ov", 6, "1", "field 'recipient'" },
        { REWARDS_RECORD_REWARD, "ov", 28, "cert", "field 'trigger'" },
        { REWARDS_RECORD_REWARD, "ov", 25, "1", "field 'base'" },
        { REWARDS_RECORD_REWARD, "ex2", 28, "train", "field 'exclusive'" },
        { REWARDS_RECORD_REWARD, "pl3", 24, "0", "field 'exclusive'" },
        { REWARDS_RECORD_ACTIVITY, "a0", 4, "", "field 'type'" },
        { REWARDS_RECORD_ACTIVITY, "a0", 4, longp, "field 'type'" },
        { REWARDS_RECORD_ENTRY, NULL, 8, "0", "field 'amount'" },
        { REWARDS_RECORD_ENTRY, NULL, 9, "PTS", "field 'amount'" },
        { REWARDS_RECORD_PARTNER, "kid", 6, "z2", "field 'parent'" },
        { REWARDS_RECORD_DEAL, "dl", 13, "", "field 'lines.id'" },
        { REWARDS_RECORD_DEAL, "dl", 19, "L1", "field 'lines.id'" },
        { REWARDS_RECORD_DEAL, "dl", 14, "\xff", "field 'lines.product'" },
        { REWARDS_RECORD_DEAL, "dl", 14, longp, "field 'lines.product'" },
        { REWARDS_RECORD_DEAL, "dl", 15, "-1", "field 'lines.amount'" },
        { REWARDS_RECORD_DEAL, "dl", 16, "-1", "field 'lines.cost'" },
        { REWARDS_RECORD_DEAL, "dl", 17, "-1", "field 'lines.units'" },
        { REWARDS_RECORD_DEAL, "dl", 17, "9223372036854775807", "field 'lines'" },
        { REWARDS_RECORD_DEAL, "dl", 21, "600", "field 'amount'" },
        { REWARDS_RECORD_DEAL, "dl", 23, "3", "field 'units'" },
        { REWARDS_RECORD_ACTIVITY, "a1", 7, "PTS", "field 'currency'" },
        { REWARDS_RECORD_ACTIVITY, "a0", 7, "EUR", "field 'currency'" },
        { REWARDS_RECORD_ACTIVITY, "a0", 8, "5", "field 'amount'" },
        { REWARDS_RECORD_ACTIVITY, "a0", 4, "\xff", "field 'type'" },
        { REWARDS_RECORD_CONTRIBUTION, NULL, 14, "2", "field 'line'" },
        { REWARDS_RECORD_CONTRIBUTION, NULL, 14, "-2", "field 'line'" },
        { REWARDS_RECORD_CONTRIBUTION, NULL, 14, "4294967296", "field 'line'" },
        /* the period is derived from the trigger time and the reward: a stored one that differs is corrupt */
        { REWARDS_RECORD_CONTRIBUTION, NULL, 9, "2026-Q1", "is corrupt" },
        /* so are whether the base follows the deal (6), is the margin (15), and a mirror's child recipient (17) */
        { REWARDS_RECORD_CONTRIBUTION, NULL, 6, "0", "is corrupt" },
        { REWARDS_RECORD_CONTRIBUTION, NULL, 15, "0", "is corrupt" },
        { REWARDS_RECORD_CONTRIBUTION, NULL, 17, "1", "is corrupt" },
        { REWARDS_RECORD_ENTRY, NULL, 9, "EUR", "field 'currency'" },
        { REWARDS_RECORD_ENTRY, NULL, 7, "bo", "field 'user'" },
        { REWARDS_RECORD_ENTRY, NULL, 15, "dl", "field 'deal'" },
    };
    grec *bad = from_table(t);
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        size_t r = cases[i].key                                      ? find_kind(t, cases[i].kind, cases[i].key)
                   : cases[i].kind == REWARDS_RECORD_CONTRIBUTION ? kline
                                                                  : kman;
        memcpy(bad, base, t->n * sizeof *bad);
        size_t sz;
        char *d = with_field(bad[r].data, bad[r].size, cases[i].field, cases[i].value, &sz);
        bad[r].data = d;
        bad[r].size = sz;
        char what[200], says[100];
        snprintf(what, sizeof what, "%s '%s' field %zu", rewards_record_kind_name((rewards_record_kind)cases[i].kind),
                 cases[i].key ? cases[i].key : cases[i].kind == REWARDS_RECORD_CONTRIBUTION ? "pl/dl" : "m1", cases[i].field);
        /* the record, then the field */
        snprintf(says, sizeof says, "%s record", rewards_record_kind_name((rewards_record_kind)cases[i].kind));
        assert_refused_then_intact(bad, t->n, good, t->n, a, what, says);
        assert_refused_then_intact(bad, t->n, good, t->n, a, what, cases[i].says);
        bad[meta] = good[meta];
        assert_refused_then_intact(bad, t->n, good, t->n, a, what, NULL);
        free(d);
    }
    free(bad);
    free(base);
    free(good);
    rewards_engine_free(a);
    mock_free(&st);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_restore_checks_every_field_limit),
        cmocka_unit_test(test_every_field_every_awkward_value),
        cmocka_unit_test(test_restore_checks_section13_fields),
        cmocka_unit_test(test_restore_entry_currency_and_kind),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
