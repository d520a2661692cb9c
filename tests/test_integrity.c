/*
 * test_integrity.c - a restore refuses a set of records that lost, gained or
 * changed a record, and a record whose fields are outside the limits of the
 * operation that made it (issue 10, findings 2 and 3).
 *
 * Every worked scenario runs with a mock storage; what storage holds at the
 * end (and half way) is the set under test.  Each record in turn is
 * dropped, given twice, changed by one byte and changed by one field: every
 * such set must be refused with INVALID_ARGUMENT and a message, the engine
 * must then take the intact set (a failed restore leaves a new engine), and
 * the intact set in several orders must restore to the running engine's
 * state (fingerprint, ledger, payouts) and take the next operations the
 * same way.  Then the 1.0 compatibility (a fixture of records captured from
 * the 1.0 library restores and goes on), the meta record's own rules, and
 * storage failures at every put leaving a digest that still matches.  The
 * field limits are test_restore_limits.c's.
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
#include "scenutil.h"
#include "testutil.h"
#include "recordutil.h"

/* ---- engines and sets ----------------------------------------------------- */

typedef struct capture {
    rewards_engine *live;
    mock st;
    scenario s;
} capture;

static void capture_run(capture *c, const char *name, size_t upto_percent)
{
    memset(c, 0, sizeof *c);
    scenario_load(&c->s, name);
    c->live = new_engine(&c->st, NULL);
    size_t upto = c->s.n * upto_percent / 100;
    for (size_t i = 0; i < upto; i++) {
        rewards_op *op = line_op(c->live, c->s.lines[i]);
        assert_non_null(op);
        (void)rewards_engine_apply(c->live, op);
        rewards_op_free(op);
    }
}

static void capture_free(capture *c)
{
    rewards_engine_free(c->live);
    mock_free(&c->st);
    scenario_free(&c->s);
}

static void check_set(const char *name, size_t percent)
{
    capture cap;
    capture_run(&cap, name, percent);
    const table *t = &cap.st.committed;
    size_t n = t->n;
    grec *good = from_table(t);
    grec *bad = malloc((n + 2) * sizeof *bad);
    char what[200];

    /* the intact set, in several orders */
    for (uint64_t seed = 0; seed < 4; seed++) {
        counted c;
        rewards_engine *b = new_engine(NULL, &c);
        assert_int_equal(give(b, good, n, seed * 7919 + 1), REWARDS_OK);
        assert_same(cap.live, b);
        rewards_engine_free(b);
        assert_int_equal(c.st.live, 0);
    }
    {
        /* and the next operations, on a copy of the live engine restored the same way */
        rewards_engine *live2 = new_engine(NULL, NULL), *b = new_engine(NULL, NULL);
        assert_int_equal(give(live2, good, n, 0), REWARDS_OK);
        assert_int_equal(give(b, good, n, 12345), REWARDS_OK);
        next_operations(live2, b);
        rewards_engine_free(live2);
        rewards_engine_free(b);
    }

    for (size_t i = 0; i < n; i++) {
        const char *kname = rewards_record_kind_name((rewards_record_kind)good[i].kind);
        /* dropped */
        size_t k = 0;
        for (size_t j = 0; j < n; j++)
            if (j != i)
                bad[k++] = good[j];
        snprintf(what, sizeof what, "%s at %zu%%: %s '%s' dropped", name, percent, kname, t->v[i].key);
        int definitions_only = 1;
        for (size_t j = 0; j < n - 1; j++)
            definitions_only &= bad[j].kind <= REWARDS_RECORD_USER || bad[j].kind == REWARDS_RECORD_EVENT_ID;
        if (good[i].kind == REWARDS_RECORD_META && definitions_only) {
            /* the one set a restore cannot tell from a 1.0 host's: definitions that never
             * had a meta record (docs/host-guide-integrity.md); it restores */
            rewards_engine *b = new_engine(NULL, NULL);
            assert_int_equal(give(b, bad, n - 1, 0), REWARDS_OK);
            rewards_engine_free(b);
        } else {
            assert_refused_then_intact(bad, n - 1, good, n, cap.live, what,
                                       good[i].kind == REWARDS_RECORD_META ? "meta record is missing" : kname);
        }
        /* given twice */
        memcpy(bad, good, n * sizeof *bad);
        bad[n] = good[i];
        snprintf(what, sizeof what, "%s at %zu%%: %s '%s' given twice", name, percent, kname, t->v[i].key);
        assert_refused_then_intact(bad, n + 1, good, n, cap.live, what, "given twice");
        /* one byte changed: the last byte of its last field that is a digit or letter */
        char *copy = malloc(good[i].size + 1);
        memcpy(copy, good[i].data, good[i].size);
        size_t pos = good[i].size;
        while (pos-- > 4 && !((copy[pos] >= '0' && copy[pos] <= '9') || (copy[pos] >= 'a' && copy[pos] <= 'z') ||
                              (copy[pos] >= 'A' && copy[pos] <= 'Z')))
            ;
        assert_true(pos > 4);
        copy[pos] = copy[pos] == '1' ? '2' : copy[pos] >= '0' && copy[pos] <= '9' ? '1' : copy[pos] == 'a' ? 'b' : 'a';
        memcpy(bad, good, n * sizeof *bad);
        bad[i].data = copy;
        snprintf(what, sizeof what, "%s at %zu%%: %s '%s' byte %zu changed", name, percent, kname, t->v[i].key, pos);
        assert_refused_then_intact(bad, n, good, n, cap.live, what, NULL);
        free(copy);
        /* one whole field changed: the last one, set to another valid-looking value */
        size_t start[400], len[400];
        size_t nf = fields_of(good[i].data, good[i].size, start, len, 400);
        size_t f = nf > 1 ? nf - 1 : 0;
        size_t sz;
        const char *val = len[f] == 1 && good[i].data[start[f]] == '0' ? "1" : "0";
        char *changed = with_field(good[i].data, good[i].size, f, val, &sz);
        memcpy(bad, good, n * sizeof *bad);
        bad[i].data = changed;
        bad[i].size = sz;
        snprintf(what, sizeof what, "%s at %zu%%: %s '%s' field %zu set to %s", name, percent, kname, t->v[i].key, f,
                 val);
        assert_refused_then_intact(bad, n, good, n, cap.live, what, NULL);
        free(changed);
    }
    free(bad);
    free(good);
    capture_free(&cap);
}

static void test_every_scenario_record_dropped_doubled_altered(void **state)
{
    (void)state;
    for (size_t k = 0; k < SCENARIO_COUNT; k++) {
        check_set(scenario_names[k], 100);
        check_set(scenario_names[k], 50);
    }
}

/* A record set back to an older version of itself (one transaction older) is refused. */
static void test_stale_record_refused(void **state)
{
    (void)state;
    capture cap;
    capture_run(&cap, "holds_release", 60);
    table old;
    memset(&old, 0, sizeof old);
    table_copy(&old, &cap.st.committed);
    /* one more line that changes existing records */
    for (size_t i = cap.s.n * 60 / 100; i < cap.s.n; i++) {
        rewards_op *op = line_op(cap.live, cap.s.lines[i]);
        rewards_status st = rewards_engine_apply(cap.live, op);
        rewards_op_free(op);
        if (!st && cap.st.pending.n > 2)
            break;
    }
    const table *t = &cap.st.committed;
    grec *good = from_table(t);
    int tried = 0;
    for (size_t i = 0; i < t->n; i++) {
        mrec *o = table_find(&old, t->v[i].kind, t->v[i].key);
        if (!o || t->v[i].kind == REWARDS_RECORD_META || (o->size == t->v[i].size && !memcmp(o->data, t->v[i].data, o->size)))
            continue;
        grec *bad = from_table(t);
        bad[i].data = o->data;
        bad[i].size = o->size;
        assert_refused_then_intact(bad, t->n, good, t->n, cap.live, "stale record", "digest");
        free(bad);
        tried++;
    }
    assert_true(tried > 0);
    free(good);
    table_free(&old);
    capture_free(&cap);
}

/* ---- the meta record ------------------------------------------------------ */

/* An rw2 meta record with its last field (its own hash) recomputed, as a
 * host forging it on purpose could: what the other checks then say. */
static char *reseal(char *meta, size_t *size)
{
    fld f[400];
    size_t k = fields_at(meta, *size, f, 400);
    char *out = malloc(f[k - 1].tok + 32);
    assert_non_null(out);
    memcpy(out, meta, f[k - 1].tok);
    uint64_t h = rw_record_hash(RW_KIND_META, meta, f[k - 1].tok);
    char num[24];
    int n = snprintf(num, sizeof num, "%llu", (unsigned long long)h);
    *size = f[k - 1].tok + (size_t)sprintf(out + f[k - 1].tok, "%d:%s,", n, num);
    free(meta);
    return out;
}

static void test_meta_record_rules(void **state)
{
    (void)state;
    mock st;
    memset(&st, 0, sizeof st);
    rewards_engine *a = new_engine(&st, NULL);
    build_small(a);
    const table *t = &st.committed;
    grec *good = from_table(t);
    size_t meta = find_kind(t, REWARDS_RECORD_META, NULL);
    assert_memory_equal(t->v[meta].data, "rw2,", 4);
    grec *bad = from_table(t);

    /* the meta record cut back to what a 1.0 host wrote is not a 1.0 record */
    size_t start[400], len[400];
    size_t nf = fields_of(good[meta].data, good[meta].size, start, len, 400);
    assert_true(nf >= 5);
    bad[meta].size = start[1] + len[1] + 1;
    assert_refused_then_intact(bad, t->n, good, t->n, a, "meta truncated", "meta");
    /* ... nor renamed rw1 */
    char *v1 = malloc(good[meta].size);
    memcpy(v1, good[meta].data, good[meta].size);
    v1[2] = '1';
    bad[meta].data = v1;
    bad[meta].size = good[meta].size;
    assert_refused_then_intact(bad, t->n, good, t->n, a, "meta as rw1", "meta");
    /* two meta records */
    memcpy(bad, good, t->n * sizeof *bad);
    size_t sz;
    char *other = with_field(good[meta].data, good[meta].size, 0, "999", &sz);
    bad[t->n].kind = REWARDS_RECORD_META;
    bad[t->n].data = other;
    bad[t->n].size = sz;
    assert_refused_then_intact(bad, t->n + 1, good, t->n, a, "two metas", "meta record is given twice");
    free(other);
    /* a count that does not match, with a digest that does: a record of a kind missing */
    memcpy(bad, good, t->n * sizeof *bad);
    char *fewer = with_field(good[meta].data, good[meta].size, 4 + 1 + REWARDS_RECORD_ENTRY, "0", &sz);
    bad[meta].data = fewer;
    bad[meta].size = sz;
    assert_refused_then_intact(bad, t->n, good, t->n, a, "counts, unsealed", "meta record");
    fewer = reseal(fewer, &sz);
    bad[meta].data = fewer;
    bad[meta].size = sz;
    assert_refused_then_intact(bad, t->n, good, t->n, a, "counts", "entry record(s) too many");
    free(fewer);
    /* a record newer than the meta record */
    memcpy(bad, good, t->n * sizeof *bad);
    char *older = reseal(with_field(good[meta].data, good[meta].size, 2, "3", &sz), &sz);
    bad[meta].data = older;
    bad[meta].size = sz;
    assert_refused_then_intact(bad, t->n, good, t->n, a, "next_seq", "newer than the meta record");
    free(older);
    /* the clock moved back (old operations would be accepted again) */
    memcpy(bad, good, t->n * sizeof *bad);
    char *clock = with_field(good[meta].data, good[meta].size, 1, "1767225600", &sz);
    bad[meta].data = clock;
    bad[meta].size = sz;
    assert_refused_then_intact(bad, t->n, good, t->n, a, "clock", "meta record");
    free(clock);
    /* a digest that does not match (resealed: the meta record itself is consistent) */
    char *dig = reseal(with_field(good[meta].data, good[meta].size, 3, "12345", &sz), &sz);
    bad[meta].data = dig;
    bad[meta].size = sz;
    assert_refused_then_intact(bad, t->n, good, t->n, a, "digest", "digest");
    free(dig);
    /* the same (kind, key) twice with different data: the same sequence number, or another */
    size_t deal = find_kind(t, REWARDS_RECORD_DEAL, "d1");
    memcpy(bad, good, t->n * sizeof *bad);
    char *d2 = with_field(good[deal].data, good[deal].size, 5, "1.00", &sz);
    bad[t->n].kind = REWARDS_RECORD_DEAL;
    bad[t->n].data = d2;
    bad[t->n].size = sz;
    assert_refused_then_intact(bad, t->n + 1, good, t->n, a, "deal twice, other data", "deal 'd1' (record");
    free(d2);
    d2 = with_field(good[deal].data, good[deal].size, 0, "9999", &sz);
    bad[t->n].data = d2;
    bad[t->n].size = sz;
    assert_refused_then_intact(bad, t->n + 1, good, t->n, a, "deal twice, other sequence", "deal record(s) too many");
    free(d2);
    /* no meta record, but records a meta record must cover */
    size_t k = 0;
    for (size_t i = 0; i < t->n; i++)
        if (i != meta)
            bad[k++] = good[i];
    assert_refused_then_intact(bad, k, good, t->n, a, "no meta", "meta record is missing");
    free(v1);
    free(bad);
    free(good);
    rewards_engine_free(a);
    mock_free(&st);
}

/* A record refused by rewards_engine_restore() makes the set incomplete:
 * restore_finish refuses it even if the host goes on, and the engine is new again. */
static void test_refused_record_fails_the_finish(void **state)
{
    (void)state;
    mock st;
    memset(&st, 0, sizeof st);
    rewards_engine *a = new_engine(&st, NULL);
    build_small(a);
    const table *t = &st.committed;
    grec *good = from_table(t);
    size_t meta = find_kind(t, REWARDS_RECORD_META, NULL);
    counted c;
    rewards_engine *b = new_engine(NULL, &c);
    for (size_t i = 0; i < t->n; i++) {
        rewards_status s = rewards_engine_restore(b, (rewards_record_kind)good[i].kind, good[i].data,
                                                  i == meta ? 3 : good[i].size);
        assert_int_equal(s, i == meta ? REWARDS_INVALID_ARGUMENT : REWARDS_OK);
    }
    assert_int_equal(rewards_engine_restore_finish(b), REWARDS_INVALID_ARGUMENT);
    assert_non_null(strstr(rewards_engine_errmsg(b), "incomplete"));
    assert_null(rewards_engine_find_program(b, "p"));
    assert_ok(b, give(b, good, t->n, 3));
    assert_same(a, b);
    rewards_engine_free(b);
    assert_int_equal(c.st.live, 0);
    free(good);
    rewards_engine_free(a);
    mock_free(&st);
}

/* A 1.0 host that only defined things never had a meta record: still restores. */
static void test_definitions_without_meta_restore(void **state)
{
    (void)state;
    mock st;
    memset(&st, 0, sizeof st);
    rewards_engine *a = new_engine(&st, NULL);
    assert_ok(a, eu_op(a, "program", "id", "p", "name", "P", "currency", "USD", NULL));
    assert_ok(a, eu_op(a, "level", "id", "l", "program", "p", "name", "L", "rank:i", "1", NULL));
    const table *t = &st.committed;
    grec *g = from_table(t);
    size_t k = 0;
    for (size_t i = 0; i < t->n; i++)
        if (g[i].kind != REWARDS_RECORD_META)
            g[k++] = g[i];
    assert_int_equal(k, 2);
    mock st2;
    memset(&st2, 0, sizeof st2);
    rewards_engine *b = new_engine(&st2, NULL);
    assert_ok(b, give(b, g, k, 0));
    assert_non_null(rewards_engine_find_level(b, "l"));
    /* its next transaction writes a meta record that covers what was restored */
    assert_ok(b, eu_op(b, "partner", "id", "acme", "program", "p", "level", "l", "name", "Acme", NULL));
    table all;
    memset(&all, 0, sizeof all);
    for (size_t i = 0; i < k; i++)
        table_put(&all, g[i].kind, i ? "l" : "p", g[i].data, g[i].size, 1);
    for (size_t i = 0; i < st2.committed.n; i++)
        table_put(&all, st2.committed.v[i].kind, st2.committed.v[i].key, st2.committed.v[i].data,
                  st2.committed.v[i].size, 1);
    grec *g2 = from_table(&all);
    rewards_engine *c = new_engine(NULL, NULL);
    assert_ok(c, give(c, g2, all.n, 3));
    assert_non_null(rewards_engine_find_partner(c, "acme"));
    rewards_engine_free(c);
    free(g2);
    table_free(&all);
    rewards_engine_free(b);
    mock_free(&st2);
    free(g);
    rewards_engine_free(a);
    mock_free(&st);
}

/* ---- the 1.0 fixture -------------------------------------------------------- */

static int unhex(char c) { return c >= '0' && c <= '9' ? c - '0' : c - 'a' + 10; }

/* tests/fixtures/records-1.0-NAME.txt: kind TAB key TAB data (\xNN escapes) per line. */
static void load_fixture(table *t, const char *name)
{
    char file[128];
    snprintf(file, sizeof file, "../fixtures/records-1.0-%s", name);
    char *text = scenario_file(file, "txt");
    memset(t, 0, sizeof *t);
    for (char *line = strtok(text, "\n"); line; line = strtok(NULL, "\n")) {
        if (*line == '#')
            continue;
        char *k = line, *key = strchr(k, '\t');
        assert_non_null(key);
        *key++ = '\0';
        char *data = strchr(key, '\t');
        assert_non_null(data);
        *data++ = '\0';
        int kind = -1;
        for (int i = 0; i < rewards_record_kind_count(); i++)
            if (!strcmp(rewards_record_kind_name((rewards_record_kind)i), k))
                kind = i;
        assert_true(kind >= 0);
        char *raw = malloc(strlen(data) + 1);
        size_t n = 0;
        for (const char *p = data; *p; p++) {
            if (p[0] == '\\' && p[1] == 'x' && p[2] && p[3]) {
                raw[n++] = (char)(unhex(p[2]) * 16 + unhex(p[3]));
                p += 3;
            } else {
                raw[n++] = *p;
            }
        }
        table_put(t, kind, key, raw, n, 0);
        free(raw);
    }
    free(text);
}

static void test_records_of_a_1_0_host_restore(void **state)
{
    (void)state;
    table t;
    load_fixture(&t, "levels_points_fx");
    size_t meta = find_kind(&t, REWARDS_RECORD_META, NULL);
    assert_memory_equal(t.v[meta].data, "rw1,", 4);
    grec *g = from_table(&t);
    mock st;
    memset(&st, 0, sizeof st);
    counted c;
    rewards_engine *b = new_engine(&st, &c);
    assert_ok(b, give(b, g, t.n, 99));
    /* the same state as the scenario's expected files */
    char *got = eu_ledger(b), *want = scenario_file("levels_points_fx", "ledger.csv");
    assert_str(got, want);
    free(got);
    free(want);
    got = eu_payouts(b);
    want = scenario_file("levels_points_fx", "payouts.csv");
    assert_str(got, want);
    free(got);
    free(want);
    /* and as an engine that ran the scenario with this version */
    capture cap;
    capture_run(&cap, "levels_points_fx", 100);
    char *x = eu_ledger(cap.live), *y = eu_ledger(b);
    assert_str(y, x);
    free(x);
    free(y);
    /* it goes on as an engine restored from the same records (sequence numbers differ from a 1.1 run's) */
    rewards_engine *b0 = new_engine(NULL, NULL);
    assert_ok(b0, give(b0, g, t.n, 0));
    next_operations(b0, b);
    rewards_engine_free(b0);
    /* the next transaction wrote an rw2 meta record; the combined set restores with its check */
    for (size_t i = 0; i < st.committed.n; i++)
        table_put(&t, st.committed.v[i].kind, st.committed.v[i].key, st.committed.v[i].data, st.committed.v[i].size, 1);
    meta = find_kind(&t, REWARDS_RECORD_META, NULL);
    assert_memory_equal(t.v[meta].data, "rw2,", 4);
    free(g);
    g = from_table(&t);
    rewards_engine *b2 = new_engine(NULL, NULL);
    assert_ok(b2, give(b2, g, t.n, 5));
    assert_same(b, b2);
    /* and now a dropped record is seen */
    grec *bad = from_table(&t);
    size_t k = 0;
    for (size_t i = 0; i < t.n; i++)
        if (t.v[i].kind != REWARDS_RECORD_ENTRY || strcmp(t.v[i].key, "3"))
            bad[k++] = g[i];
    assert_int_equal(k, t.n - 1);
    assert_refused_then_intact(bad, k, g, t.n, b, "1.0 then 1.1, entry dropped", "entry record(s) missing");
    free(bad);
    rewards_engine_free(b2);
    rewards_engine_free(b);
    assert_int_equal(c.st.live, 0);
    capture_free(&cap);
    mock_free(&st);
    free(g);
    table_free(&t);
}

/* ---- the digest through failures ------------------------------------------- */

/* A storage failure at every put of every call: after each rollback the next
 * calls succeed and what storage holds still restores with its check. */
static void test_digest_survives_rollbacks(void **state)
{
    (void)state;
    capture ref;
    capture_run(&ref, "tiered_clawback", 100);
    mock st;
    memset(&st, 0, sizeof st);
    scenario s;
    scenario_load(&s, "tiered_clawback");
    rewards_engine *e = new_engine(&st, NULL);
    for (size_t i = 0; i < s.n; i++) {
        for (int f = 1;; f++) {
            st.fail_put = f;
            rewards_op *op = line_op(e, s.lines[i]);
            rewards_status got = rewards_engine_apply(e, op);
            rewards_op_free(op);
            st.fail_put = 0;
            if (got != REWARDS_STORAGE)
                break;
            /* rolled back: what storage holds restores and is the engine */
            grec *g = from_table(&st.committed);
            rewards_engine *b = new_engine(NULL, NULL);
            assert_ok(b, give(b, g, st.committed.n, (uint64_t)f));
            assert_same(e, b);
            rewards_engine_free(b);
            free(g);
        }
    }
    assert_same(ref.live, e);
    grec *g = from_table(&st.committed);
    rewards_engine *b = new_engine(NULL, NULL);
    assert_ok(b, give(b, g, st.committed.n, 77));
    assert_same(e, b);
    rewards_engine_free(b);
    free(g);
    rewards_engine_free(e);
    scenario_free(&s);
    mock_free(&st);
    capture_free(&ref);
}

/* Allocation failure at every allocation of a restore_finish that then fails
 * or succeeds: NOMEM or the same answer, nothing leaked, engine reusable. */
static void test_failed_restore_is_reusable_under_alloc_failure(void **state)
{
    (void)state;
    mock st;
    memset(&st, 0, sizeof st);
    rewards_engine *a = new_engine(&st, NULL);
    build_small(a);
    const table *t = &st.committed;
    grec *good = from_table(t);
    for (long n = 1;; n++) {
        counted c;
        rewards_engine *b = new_engine(NULL, &c);
        for (size_t i = 0; i < t->n; i++)
            assert_ok(b, rewards_engine_restore(b, (rewards_record_kind)good[i].kind, good[i].data, good[i].size));
        c.st.fail_at = c.st.count + n;
        rewards_status got = rewards_engine_restore_finish(b);
        c.st.fail_at = 0;
        if (got == REWARDS_OK) {
            assert_same(a, b);
            rewards_engine_free(b);
            assert_int_equal(c.st.live, 0);
            break;
        }
        assert_int_equal(got, REWARDS_NOMEM);
        /* nothing half restored: the same engine takes the whole set again */
        assert_int_equal(rewards_engine_entry_count(b), 0);
        assert_null(rewards_engine_find_program(b, "p"));
        assert_ok(b, give(b, good, t->n, 1));
        assert_same(a, b);
        rewards_engine_free(b);
        assert_int_equal(c.st.live, 0);
    }
    free(good);
    rewards_engine_free(a);
    mock_free(&st);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_scenario_record_dropped_doubled_altered),
        cmocka_unit_test(test_stale_record_refused),
        cmocka_unit_test(test_meta_record_rules),
        cmocka_unit_test(test_definitions_without_meta_restore),
        cmocka_unit_test(test_refused_record_fails_the_finish),
        cmocka_unit_test(test_records_of_a_1_0_host_restore),
        cmocka_unit_test(test_digest_survives_rollbacks),
        cmocka_unit_test(test_failed_restore_is_reusable_under_alloc_failure),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
