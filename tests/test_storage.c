/*
 * test_storage.c - the storage callbacks of SPEC.md section 9: every
 * mutating call is one transaction (begin, one put per record created or
 * changed, commit), and a failing callback rolls the whole call back.
 *
 * A mock storage keeps a committed table of (kind, key) -> data and the
 * puts of the open transaction, and can fail begin, the Nth put or commit.
 * The tests check that the committed table always mirrors the engine's
 * records exactly (so every created or changed record was put, once), and
 * that failing at every callback position of every operation of a long
 * sequence (stage changes firing several rewards, approvals, payout runs, a
 * cancellation with clawback corrections, an amendment, releases) returns
 * REWARDS_STORAGE, leaves the engine byte-identical with nothing leaked,
 * calls rollback (unless begin failed), delivers no event, leaves the
 * committed table untouched, and that the same call then succeeds with the
 * result of a run that never failed.
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

static int by_kind_key(const void *a, const void *b)
{
    const mrec *x = a, *y = b;
    if (x->kind != y->kind)
        return x->kind < y->kind ? -1 : 1;
    return strcmp(x->key, y->key);
}

/* The table as text, sorted by kind and key: equal texts, equal tables. */
static char *table_text(const table *t)
{
    mrec *copy = malloc((t->n + 1) * sizeof *copy);
    assert_non_null(copy);
    if (t->n)
        memcpy(copy, t->v, t->n * sizeof *copy);
    qsort(copy, t->n, sizeof *copy, by_kind_key);
    size_t len = 1;
    for (size_t i = 0; i < t->n; i++)
        len += strlen(copy[i].key) + copy[i].size + 40;
    char *s = malloc(len), *p = s;
    assert_non_null(s);
    *p = '\0';
    for (size_t i = 0; i < t->n; i++) {
        p += sprintf(p, "%s:%s=", rewards_record_kind_name((rewards_record_kind)copy[i].kind), copy[i].key);
        memcpy(p, copy[i].data, copy[i].size);
        p += copy[i].size;
        *p++ = '\n';
        *p = '\0';
    }
    free(copy);
    return s;
}

/* Every record the engine holds, encoded as storage would receive it. */
static void engine_table(rewards_engine *e, table *t)
{
    table_clear(t);
    for (int k = 0; k < RW_KIND_COUNT; k++) {
        for (size_t i = 0; i < e->records[k].len; i++) {
            rw_rec *r = RW_REC_AT(e, k, rw_rec, i);
            char key[300], *data;
            size_t size;
            rw_record_key(r, key, sizeof key);
            assert_int_equal(rw_record_encode(e, r, &data, &size), REWARDS_OK);
            table_put(t, k, key, data, size, 0);
            rw_free(&e->alloc, data);
        }
    }
}

/* A counting allocator behind the public rewards_allocator. */

static rewards_engine *new_engine(mock *m, counted *c)
{
    static rewards_storage s;
    static rewards_events ev;
    rewards_storage s0 = { REWARDS_STORAGE_VERSION, mock_begin, mock_put, mock_del, mock_commit, mock_rollback, m };
    rewards_events ev0 = { REWARDS_EVENTS_VERSION, mock_event, m };
    s = s0;
    ev = ev0;
    rewards_options o = REWARDS_OPTIONS_INIT;
    o.storage = &s;
    o.events = &ev;
    if (c) {
        counted_init(c);
        o.allocator = &c->ra;
    }
    rewards_engine *e;
    assert_int_equal(rewards_engine_new(&e, &o), REWARDS_OK);
    return e;
}

/* ---- operations as arrays --------------------------------------------------- */

#include "storagescript.h"

#define script storage_script
#define NSCRIPT storage_script_len

static const char script_ledger[] =
    LEDGER_HEADER
    "1,earned,pct,d1,acme,partner,acme,100.00,USD,paid,,,2026-01-10T00:00:00Z,run1\n"
    "2,earned,rep,d1,acme,sales_rep,jo,50.00,USD,paid,,,2026-01-10T00:00:00Z,run1\n"
    "3,earned,tier,d1,acme,partner,acme,50.00,USD,paid,,FY2026-Q1,2026-01-10T00:00:00Z,run1\n"
    "4,earned,pts,d1,acme,partner,acme,10,PTS,approved,,,2026-01-10T00:00:00Z,\n"
    "5,earned,pct,d2,acme,partner,acme,150.00,USD,paid,,,2026-01-11T00:00:00Z,run1\n"
    "6,earned,rep,d2,acme,sales_rep,kim,50.00,USD,paid,,,2026-01-11T00:00:00Z,run1\n"
    "7,earned,tier,d2,acme,partner,acme,150.00,USD,paid,,FY2026-Q1,2026-01-11T00:00:00Z,run1\n"
    "8,earned,ms,d2,acme,partner,acme,30.00,USD,paid,,FY2026-Q1,2026-01-11T00:00:00Z,run1\n"
    "9,earned,pts,d2,acme,partner,acme,10,PTS,approved,,,2026-01-11T00:00:00Z,\n"
    "10,earned,vip,d2,acme,partner,acme,5.00,USD,paid,,,2026-01-11T00:00:00Z,run1\n"
    "11,reversal,pct,d1,acme,partner,acme,-100.00,USD,paid,,,2026-02-10T00:00:00Z,run2\n"
    "12,reversal,tier,d1,acme,partner,acme,-50.00,USD,paid,,FY2026-Q1,2026-02-10T00:00:00Z,run2\n"
    "13,adjustment,tier,d2,acme,partner,acme,-50.00,USD,paid,,FY2026-Q1,2026-02-10T00:00:00Z,run2\n"
    "14,adjustment,ms,d2,acme,partner,acme,-30.00,USD,paid,,FY2026-Q1,2026-02-10T00:00:00Z,run2\n"
    "15,adjustment,pct,d2,acme,partner,acme,50.00,USD,paid,,,2026-02-11T00:00:00Z,run2\n"
    "16,adjustment,tier,d2,acme,partner,acme,50.00,USD,paid,,FY2026-Q1,2026-02-11T00:00:00Z,run2\n"
    "17,earned,pct,d3,acme,partner,acme,100.00,USD,paid,,,2026-02-14T00:00:00Z,run2\n"
    "18,earned,rep,d3,acme,sales_rep,jo,50.00,USD,paid,,,2026-02-14T00:00:00Z,run2\n"
    "19,earned,tier,d3,acme,partner,acme,100.00,USD,paid,,FY2026-Q1,2026-02-14T00:00:00Z,run2\n"
    "20,earned,ms,d3,acme,partner,acme,30.00,USD,paid,,FY2026-Q1,2026-02-14T00:00:00Z,run2\n"
    "21,earned,pts,d3,acme,partner,acme,10,PTS,approved,,,2026-02-14T00:00:00Z,\n"
    "22,redemption,,,acme,partner,acme,-20,PTS,redeemed,,,2026-02-16T00:00:00Z,\n"
    "23,earned,pct,s1,sub,partner,sub,10.00,USD,pending,,,2026-03-04T00:00:00Z,\n"
    "24,earned,ovr,s1,acme,partner,acme,1.00,USD,pending,,,2026-03-04T00:00:00Z,\n"
    "25,earned,rep,s1,sub,sales_rep,,50.00,USD,held,no_assigned_rep,,2026-03-04T00:00:00Z,\n"
    "26,earned,tier,s1,sub,partner,sub,5.00,USD,pending,,FY2026-Q1,2026-03-04T00:00:00Z,\n"
    "27,earned,ovr,s1,acme,partner,acme,0.50,USD,pending,,,2026-03-04T00:00:00Z,\n"
    "28,earned,pts,s1,sub,partner,sub,10,PTS,approved,,,2026-03-04T00:00:00Z,\n"
    "29,earned,cert,act1,sub,partner,sub,7.00,USD,pending,,,2026-03-05T00:00:00Z,\n"
    "30,earned,ovr,act1,acme,partner,acme,0.70,USD,pending,,,2026-03-05T00:00:00Z,\n"
    "31,manual,,s1,sub,partner,sub,-1.00,USD,pending,,,2026-03-06T00:00:00Z,\n"
    "32,reversal,pct,s1,sub,partner,sub,-10.00,USD,pending,,,2026-03-07T00:00:00Z,\n"
    "33,reversal,ovr,s1,acme,partner,acme,-1.00,USD,pending,,,2026-03-07T00:00:00Z,\n"
    "34,reversal,tier,s1,sub,partner,sub,-5.00,USD,pending,,FY2026-Q1,2026-03-07T00:00:00Z,\n"
    "35,reversal,ovr,s1,acme,partner,acme,-0.50,USD,pending,,,2026-03-07T00:00:00Z,\n";

/* ---- tests -------------------------------------------------------------- */

static void test_script_ledger(void **state)
{
    (void)state;
    mock m;
    memset(&m, 0, sizeof m);
    rewards_engine *e = new_engine(&m, NULL);
    for (size_t i = 0; i < NSCRIPT; i++)
        assert_ok(e, apply_spec(e, script[i]));
    char *l = eu_ledger(e);
    assert_str(l, script_ledger);
    free(l);
    rewards_engine_free(e);
    mock_free(&m);
}

/* After every operation the committed table is exactly the engine's records;
 * every transaction put each created or changed record once, and only those. */
static void test_puts_mirror_every_change(void **state)
{
    (void)state;
    mock m;
    memset(&m, 0, sizeof m);
    rewards_engine *e = new_engine(&m, NULL);
    table before = { 0 }, after = { 0 };
    engine_table(e, &before);
    for (size_t i = 0; i < NSCRIPT; i++) {
        int begins = m.begins, commits = m.commits;
        assert_ok(e, apply_spec(e, script[i]));
        assert_int_equal(m.begins, begins + 1);
        assert_int_equal(m.commits, commits + 1);
        engine_table(e, &after);
        /* the changed or new records, and the puts, are the same set, with the same data */
        size_t changed = 0;
        for (size_t k = 0; k < after.n; k++) {
            mrec *a = &after.v[k];
            mrec *b = table_find(&before, a->kind, a->key);
            if (b && b->size == a->size && !memcmp(b->data, a->data, a->size))
                continue;
            changed++;
            mrec *p = table_find(&m.pending, a->kind, a->key);
            if (!p)
                fail_msg("op %zu (%s): %s '%s' changed but was not put", i, script[i][0],
                         rewards_record_kind_name((rewards_record_kind)a->kind), a->key);
            assert_int_equal(p->size, a->size);
            assert_memory_equal(p->data, a->data, a->size);
        }
        if (m.pending.n != changed)
            fail_msg("op %zu (%s): %zu puts for %zu changed records", i, script[i][0], m.pending.n, changed);
        /* new records are put in creation order, and the meta record last */
        uint64_t last_seq = 0;
        assert_int_equal(m.pending.v[m.pending.n - 1].kind, REWARDS_RECORD_META);
        for (size_t k = 0; k + 1 < m.pending.n; k++) {
            mrec *p = &m.pending.v[k];
            if (table_find(&before, p->kind, p->key))
                continue;
            unsigned long long seq = 0;
            assert_int_equal(sscanf(p->data, "rw1,%*u:%llu,", &seq), 1);
            assert_true(seq > last_seq);
            last_seq = seq;
        }
        char *t1 = table_text(&m.committed), *t2 = table_text(&after);
        assert_str(t1, t2);
        free(t1);
        free(t2);
        table tmp = before;
        before = after;
        after = tmp;
    }
    assert_int_equal(m.dup_puts, 0);
    assert_int_equal(m.put_outside, 0);
    assert_int_equal(m.dels, 0); /* this version never deletes */
    assert_int_equal(m.rollbacks, 0);
    table_free(&before);
    table_free(&after);
    rewards_engine_free(e);
    mock_free(&m);
}

/* What the first operations put, by kind name and key, in order. */
static char *put_names(mock *m)
{
    static char buf[2048];
    buf[0] = '\0';
    for (size_t i = 0; i < m->pending.n; i++) {
        char one[320];
        snprintf(one, sizeof one, "%s%s:%s", i ? " " : "",
                 rewards_record_kind_name((rewards_record_kind)m->pending.v[i].kind), m->pending.v[i].key);
        strncat(buf, one, sizeof buf - strlen(buf) - 1);
    }
    return buf;
}

static void test_put_kinds_and_keys(void **state)
{
    (void)state;
    mock m;
    memset(&m, 0, sizeof m);
    rewards_engine *e = new_engine(&m, NULL);
    assert_ok(e, eu_op(e, "currency", "code", "QQQ", "exponent:i", "1", NULL));
    assert_string_equal(put_names(&m), "currency:QQQ meta:meta");
    assert_ok(e, eu_op(e, "program", "id", "p", "name", "P", "currency", "QQQ", NULL));
    assert_string_equal(put_names(&m), "program:p meta:meta");
    assert_ok(e, eu_op(e, "level", "id", "l", "program", "p", "name", "L", "rank:i", "1", NULL));
    assert_string_equal(put_names(&m), "level:l meta:meta");
    assert_ok(e, eu_op(e, "level", "id", "l2", "program", "p", "name", "L2", "rank:i", "2", NULL));
    assert_ok(e, eu_op(e, "reward", "id", "r", "level", "l", "name", "R", "trigger", "deal_won", "recipient",
                       "sales_rep", "kind", "percent", "rate", "10%", NULL));
    assert_string_equal(put_names(&m), "reward:r meta:meta");
    assert_ok(e, eu_op(e, "partner", "id", "acme", "program", "p", "level", "l", "name", "Acme", NULL));
    assert_string_equal(put_names(&m), "partner:acme meta:meta");
    assert_ok(e, eu_op(e, "user", "id", "jo", "partner", "acme", "name", "Jo", "portal_access:b", "false", NULL));
    assert_string_equal(put_names(&m), "user:jo meta:meta");
    /* the meta record (clock, counts, digest) is created by the first transaction and
     * put last in every transaction that changes anything (docs/host-guide-integrity.md) */
    assert_ok(e, eu_op(e, "fx", "at", "2026-01-01", "from", "EUR", "to", "QQQ", "rate", "2", NULL));
    assert_string_equal(put_names(&m), "fx:9 meta:meta");
    assert_ok(e, eu_op(e, "deal", "at", "2026-01-02", "id", "d", "partner", "acme", "currency", "EUR", "amount",
                       "10.00", "event", "crm-1", NULL));
    assert_string_equal(put_names(&m), "deal:d event_id:crm-1 meta:meta");
    /* a stage change: the deal, then a contribution and its (held) entry.
     * Puts come in creation order of the records, then the meta record. */
    assert_ok(e, eu_op(e, "stage", "at", "2026-01-02", "deal", "d", "stage", "won", NULL));
    assert_string_equal(put_names(&m), "deal:d contribution:12 entry:1 meta:meta");
    assert_ok(e, eu_op(e, "release", "at", "2026-01-03", "deal", "d", "to", "partner", NULL));
    assert_string_equal(put_names(&m), "contribution:12 entry:1 meta:meta");
    assert_ok(e, eu_op(e, "set_level", "at", "2026-01-03", "partner", "acme", "level", "l2", NULL));
    assert_string_equal(put_names(&m), "partner:acme level_change:14 meta:meta");
    assert_ok(e, eu_op(e, "approve", "at", "2026-01-03", "until", "2026-01-03", NULL));
    assert_string_equal(put_names(&m), "entry:1 meta:meta");
    assert_ok(e, eu_op(e, "payout", "at", "2026-01-03", "id", "run", "until", "2026-01-03", NULL));
    assert_string_equal(put_names(&m), "entry:1 payout:run payout_line:16 meta:meta");
    /* a call that succeeds and changes nothing is an empty transaction */
    int begins = m.begins, commits = m.commits;
    assert_ok(e, eu_op(e, "release", "at", "2026-01-03", "deal", "d", "to", "partner", NULL));
    assert_string_equal(put_names(&m), "");
    assert_int_equal(m.begins, begins + 1);
    assert_int_equal(m.commits, commits + 1);
    char *l = eu_ledger(e);
    assert_str(l, LEDGER_HEADER "1,earned,r,d,acme,partner,acme,2.0,QQQ,paid,,,2026-01-02T00:00:00Z,run\n");
    free(l);
    rewards_engine_free(e);
    mock_free(&m);
}

/* A call that fails validation never reaches storage; nor does an event-id replay. */
static void test_failed_validation_calls_no_storage(void **state)
{
    (void)state;
    mock m;
    memset(&m, 0, sizeof m);
    rewards_engine *e = new_engine(&m, NULL);
    for (size_t i = 0; i < 14; i++)
        assert_ok(e, apply_spec(e, script[i]));
    int begins = m.begins, puts = m.puts, commits = m.commits, events = m.events;
    char *fp = eu_fingerprint(e);
    assert_int_equal(eu_op(e, "stage", "at", "2026-01-12", "deal", "nope", "stage", "won", NULL), REWARDS_NOT_FOUND);
    assert_int_equal(eu_op(e, "stage", "at", "2026-01-01", "deal", "d1", "stage", "won", NULL), REWARDS_OUT_OF_ORDER);
    assert_int_equal(eu_op(e, "stage", "at", "2026-01-12", "deal", "d1", "stage", "approved", NULL),
                     REWARDS_INVALID_TRANSITION);
    assert_int_equal(eu_op(e, "stage", "at", "2026-01-12", "deal", "d1", "stage", "won", "colour", "red", NULL),
                     REWARDS_INVALID_ARGUMENT);
    assert_int_equal(eu_op(e, "frobnicate", "at", "2026-01-12", NULL), REWARDS_INVALID_ARGUMENT);
    assert_int_equal(eu_op(e, "payment", "at", "2026-01-12", "deal", "d1", "amount", "0.00", NULL),
                     REWARDS_INVALID_ARGUMENT);
    assert_int_equal(eu_op(e, "redeem", "at", "2026-01-12", "id", "x", "recipient_type", "partner", "recipient",
                           "acme", "points", "1000", NULL),
                     REWARDS_INSUFFICIENT_POINTS);
    /* the same event id for another operation: conflict; for the same one: a no-op */
    assert_int_equal(eu_op(e, "stage", "at", "2026-01-12", "deal", "d2", "stage", "won", "event", "crm-won-d1", NULL),
                     REWARDS_CONFLICT);
    assert_ok(e, eu_op(e, "stage", "at", "2026-01-10", "deal", "d1", "stage", "won", "event", "crm-won-d1", NULL));
    assert_int_equal(m.begins, begins);
    assert_int_equal(m.puts, puts);
    assert_int_equal(m.commits, commits);
    assert_int_equal(m.rollbacks, 0);
    assert_int_equal(m.events, events);
    char *fp2 = eu_fingerprint(e);
    assert_str(fp2, fp);
    free(fp);
    free(fp2);
    rewards_engine_free(e);
    mock_free(&m);
}

/*
 * Every operation of the script, failing in turn at begin, at each put and
 * at commit, then succeeding; a reference engine that never fails runs in
 * lockstep and both must agree on every table, ledger and fingerprint.
 */
static void test_fail_at_every_callback_position(void **state)
{
    (void)state;
    mock m, rm;
    memset(&m, 0, sizeof m);
    memset(&rm, 0, sizeof rm);
    counted c;
    rewards_engine *e = new_engine(&m, &c);
    rewards_engine *ref = new_engine(&rm, NULL);
    long attempts = 0;
    for (size_t i = 0; i < NSCRIPT; i++) {
        int ref_events = rm.events;
        assert_ok(ref, apply_spec(ref, script[i]));
        ref_events = rm.events - ref_events;
        int nputs = (int)rm.pending.n;
        rewards_op *op = build_op(e, script[i]);
        char *fp = eu_fingerprint(e);
        char *committed = table_text(&m.committed);
        char *ledger = eu_ledger(e);
        long live = c.st.live - scratch_blocks(e);
        /* position 0: begin; 1..nputs: that put; nputs + 1: commit */
        for (int pos = 0; pos <= nputs + 1; pos++) {
            int rollbacks = m.rollbacks, commits = m.commits, events = m.events;
            m.fail_begin = pos == 0;
            m.fail_put = pos >= 1 && pos <= nputs ? pos : 0;
            m.fail_commit = pos == nputs + 1;
            rewards_status st = rewards_engine_apply(e, op);
            m.fail_begin = m.fail_commit = m.fail_put = 0;
            attempts++;
            if (st != REWARDS_STORAGE)
                fail_msg("op %zu (%s) failing at position %d of %d: %s", i, script[i][0], pos, nputs + 1,
                         rewards_status_name(st));
            assert_non_null(strstr(rewards_engine_errmsg(e), pos == 0 ? "begin" : pos == nputs + 1 ? "commit" : "saving"));
            assert_int_equal(m.rollbacks, rollbacks + (pos == 0 ? 0 : 1));
            assert_int_equal(m.commits, commits);
            assert_int_equal(m.events, events);
            m.in_txn = 0; /* a failed begin left none open; rollback closed the others */
            char *fp2 = eu_fingerprint(e);
            if (strcmp(fp, fp2))
                fail_msg("op %zu (%s) failing at position %d changed the engine", i, script[i][0], pos);
            free(fp2);
            char *committed2 = table_text(&m.committed);
            assert_str(committed2, committed);
            free(committed2);
            char *ledger2 = eu_ledger(e);
            assert_str(ledger2, ledger);
            free(ledger2);
            if (c.st.live - scratch_blocks(e) != live)
                fail_msg("op %zu (%s) failing at position %d: %ld blocks live, %ld before", i, script[i][0], pos,
                         c.st.live - scratch_blocks(e), live);
        }
        /* the same call now succeeds, as in the run that never failed */
        int events = m.events;
        assert_ok(e, rewards_engine_apply(e, op));
        assert_int_equal(m.events - events, ref_events);
        assert_int_equal((int)m.pending.n, nputs);
        rewards_op_free(op);
        free(fp);
        free(committed);
        free(ledger);
        char *a = table_text(&m.committed), *b = table_text(&rm.committed);
        assert_str(a, b);
        free(a);
        free(b);
        a = eu_fingerprint(e);
        b = eu_fingerprint(ref);
        assert_str(a, b);
        free(a);
        free(b);
    }
    assert_true(attempts > 150);
    char *l = eu_ledger(e);
    assert_str(l, script_ledger);
    free(l);
    rewards_engine_free(e);
    assert_int_equal(c.st.live, 0);
    rewards_engine_free(ref);
    mock_free(&m);
    mock_free(&rm);
}

/* NULL members are "not implemented", i.e. success; a failure with no
 * rollback member still rolls the engine back. */
static int count_put(void *u, rewards_record_kind k, const char *key, const void *d, size_t n)
{
    (void)k;
    (void)key;
    (void)d;
    (void)n;
    (*(int *)u)++;
    return 0;
}
static int count_begin(void *u)
{
    (*(int *)u) += 1000;
    return 0;
}
static int fail_commit_only(void *u)
{
    (void)u;
    return 7;
}

static void test_null_members(void **state)
{
    (void)state;
    int calls = 0;
    rewards_storage only_put = { REWARDS_STORAGE_VERSION, NULL, count_put, NULL, NULL, NULL, &calls };
    rewards_options o = REWARDS_OPTIONS_INIT;
    o.storage = &only_put;
    rewards_engine *e;
    assert_int_equal(rewards_engine_new(&e, &o), REWARDS_OK);
    assert_ok(e, eu_op(e, "program", "id", "p", "name", "P", "currency", "USD", NULL));
    assert_ok(e, eu_op(e, "fx", "at", "2026-01-01", "from", "EUR", "to", "USD", "rate", "1.1", NULL));
    assert_int_equal(calls, 4); /* program and meta; fx and meta */
    rewards_engine_free(e);

    calls = 0;
    rewards_storage only_begin = { REWARDS_STORAGE_VERSION, count_begin, NULL, NULL, NULL, NULL, &calls };
    o.storage = &only_begin;
    assert_int_equal(rewards_engine_new(&e, &o), REWARDS_OK);
    assert_ok(e, eu_op(e, "program", "id", "p", "name", "P", "currency", "USD", NULL));
    assert_int_equal(calls, 1000);
    rewards_engine_free(e);

    rewards_storage bad_commit = { REWARDS_STORAGE_VERSION, NULL, NULL, NULL, fail_commit_only, NULL, NULL };
    o.storage = &bad_commit;
    assert_int_equal(rewards_engine_new(&e, &o), REWARDS_OK);
    char *fp = eu_fingerprint(e);
    assert_int_equal(eu_op(e, "program", "id", "p", "name", "P", "currency", "USD", NULL), REWARDS_STORAGE);
    assert_string_equal(rewards_engine_errmsg(e), "the storage commit callback failed");
    char *fp2 = eu_fingerprint(e);
    assert_str(fp2, fp);
    free(fp);
    free(fp2);
    assert_null(rewards_engine_find_program(e, "p"));
    rewards_engine_free(e);

    /* all members NULL: nothing is persisted and everything works */
    rewards_storage none = REWARDS_STORAGE_INIT;
    o.storage = &none;
    assert_int_equal(rewards_engine_new(&e, &o), REWARDS_OK);
    assert_ok(e, eu_op(e, "program", "id", "p", "name", "P", "currency", "USD", NULL));
    rewards_engine_free(e);
}

/* A put failure names the record; storage errors are reported as "storage". */
static void test_put_failure_message(void **state)
{
    (void)state;
    mock m;
    memset(&m, 0, sizeof m);
    rewards_engine *e = new_engine(&m, NULL);
    assert_ok(e, eu_op(e, "program", "id", "p", "name", "P", "currency", "USD", NULL));
    m.fail_put = 1;
    assert_int_equal(eu_op(e, "level", "id", "gold", "program", "p", "name", "Gold", "rank:i", "1", NULL),
                     REWARDS_STORAGE);
    assert_string_equal(rewards_engine_errmsg(e), "saving level 'gold' failed");
    m.fail_put = 0;
    m.fail_begin = 1;
    assert_int_equal(eu_op(e, "level", "id", "gold", "program", "p", "name", "Gold", "rank:i", "1", NULL),
                     REWARDS_STORAGE);
    assert_string_equal(rewards_engine_errmsg(e), "the storage begin callback failed");
    m.fail_begin = 0;
    assert_null(rewards_engine_find_level(e, "gold"));
    assert_ok(e, eu_op(e, "level", "id", "gold", "program", "p", "name", "Gold", "rank:i", "1", NULL));
    assert_string_equal(rewards_engine_errmsg(e), "");
    assert_non_null(rewards_engine_find_level(e, "gold"));
    assert_int_equal(m.rollbacks, 1);
    rewards_engine_free(e);
    mock_free(&m);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_script_ledger),
        cmocka_unit_test(test_puts_mirror_every_change),
        cmocka_unit_test(test_put_kinds_and_keys),
        cmocka_unit_test(test_failed_validation_calls_no_storage),
        cmocka_unit_test(test_fail_at_every_callback_position),
        cmocka_unit_test(test_null_members),
        cmocka_unit_test(test_put_failure_message),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
