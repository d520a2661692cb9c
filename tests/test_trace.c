/*
 * test_trace.c - calculation traces, statements and the holds report
 * (trace.c, trace_record.c, trace_model.c, trace_api.c, statement.c).
 *
 * The traces' numbers are checked against arithmetic by
 * tests/traces/trace_check.py; here: a restored engine (after every line of
 * tests/traces/causes.jsonl) gives byte-identical traces; traces off
 * changes no amount and explains no history; records written without a
 * trace restore with "history unknown"; a corrupt trace field is refused;
 * version 1 options are still accepted; every error of the API (unknown
 * entry, NULL handles, a failing writer, re-entry, unknown recipient, an
 * empty range) and allocation failure at every allocation.
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

typedef struct buf {
    char *p;
    size_t len, cap;
    int fail_after; /* fail the write after this many calls (0: never) */
    int calls;
    rewards_engine *reenter;
} buf;

static int buf_write(void *user, const char *data, size_t size)
{
    buf *b = user;
    b->calls++;
    if (b->fail_after && b->calls >= b->fail_after)
        return -1;
    if (b->reenter) {
        rewards_trace *t = NULL;
        assert_int_equal(rewards_engine_trace(b->reenter, &t, 1), REWARDS_MISUSE);
        assert_null(t);
    }
    if (b->len + size + 1 > b->cap) {
        b->cap = (b->len + size + 1) * 2;
        b->p = realloc(b->p, b->cap);
        assert_non_null(b->p);
    }
    memcpy(b->p + b->len, data, size);
    b->len += size;
    b->p[b->len] = '\0';
    return 0;
}

static char *traces_of(rewards_engine *e)
{
    buf b = { NULL, 0, 0, 0, 0, NULL };
    buf_write(&b, "", 0);
    assert_int_equal(rewards_engine_export_traces(e, buf_write, &b), REWARDS_OK);
    return b.p;
}

/* tests/traces/NAME next to this file. */
static char *traces_file(const char *name)
{
    char path[700];
    snprintf(path, sizeof path, "%s", __FILE__);
    char *slash = strrchr(path, '/');
    snprintf(slash ? slash + 1 : path, sizeof path - (size_t)(slash ? slash + 1 - path : 0), "traces/%s", name);
    char *s = read_file(path);
    static const char *const dirs[] = { "../tests/traces/", "../../tests/traces/", "tests/traces/" };
    for (size_t i = 0; !s && i < sizeof dirs / sizeof dirs[0]; i++) {
        snprintf(path, sizeof path, "%s%s", dirs[i], name);
        s = read_file(path);
    }
    assert_non_null(s);
    return s;
}

/* The operation lines of causes.jsonl (pointing into *text). */
static size_t causes_lines(char **text, char ***lines)
{
    *text = traces_file("causes.jsonl");
    size_t n = 0;
    *lines = malloc(64 * sizeof **lines);
    for (char *l = *text; l && *l;) {
        char *nl = strchr(l, '\n');
        if (nl)
            *nl = '\0';
        if (*l && *l != '#') {
            assert_true(n < 64);
            (*lines)[n++] = l;
        }
        l = nl ? nl + 1 : NULL;
    }
    return n;
}

static void apply_all(rewards_engine *e, char **lines, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        rewards_op *op = line_op(e, lines[i]);
        assert_non_null(op);
        assert_ok(e, rewards_engine_apply(e, op));
        rewards_op_free(op);
    }
}

static rewards_engine *engine_opts(mock *m, int traces)
{
    rewards_storage s = { REWARDS_STORAGE_VERSION, mock_begin, mock_put, NULL, mock_commit, mock_rollback, m };
    rewards_options o = REWARDS_OPTIONS_INIT;
    if (m)
        o.storage = &s;
    o.traces = traces;
    rewards_engine *e;
    assert_int_equal(rewards_engine_new(&e, &o), REWARDS_OK);
    return e;
}

static rewards_engine *restored(const table *t, int traces)
{
    rewards_engine *b = engine_opts(NULL, traces);
    grec *recs = from_table(t);
    assert_ok(b, give(b, recs, t->n, 7));
    free(recs);
    return b;
}

/* After every line: a restored engine gives the same traces, byte for byte, and goes on alike. */
static void test_restore_identical(void **state)
{
    (void)state;
    char *text, **lines;
    size_t n = causes_lines(&text, &lines);
    mock m;
    memset(&m, 0, sizeof m);
    rewards_engine *a = engine_opts(&m, REWARDS_TRACES_ON);
    for (size_t i = 0; i < n; i++) {
        apply_all(a, lines + i, 1);
        rewards_engine *b = restored(&m.committed, REWARDS_TRACES_ON);
        char *x = traces_of(a), *y = traces_of(b);
        assert_str(y, x);
        free(y);
        /* the restored engine goes on: the rest of the file gives the same traces */
        if (i == n / 2) {
            apply_all(b, lines + i + 1, n - i - 1);
            rewards_engine *c = engine_opts(NULL, REWARDS_TRACES_ON);
            apply_all(c, lines, n);
            char *z = traces_of(c), *w = traces_of(b);
            assert_str(w, z);
            free(z);
            free(w);
            rewards_engine_free(c);
        }
        free(x);
        rewards_engine_free(b);
    }
    /* and they are the expected file's */
    char *want = traces_file("causes.traces.jsonl"), *got = traces_of(a);
    assert_str(got, want);
    free(want);
    free(got);
    rewards_engine_free(a);
    mock_free(&m);
    free(lines);
    free(text);
}

static int count_of(const char *s, const char *what)
{
    int n = 0;
    for (const char *p = s; (p = strstr(p, what)); p++)
        n++;
    return n;
}

/* Traces off: the same ledger; contributions' entries explain no history; restores either way. */
static void test_traces_off(void **state)
{
    (void)state;
    char *text, **lines;
    size_t n = causes_lines(&text, &lines);
    mock m, moff;
    memset(&m, 0, sizeof m);
    memset(&moff, 0, sizeof moff);
    rewards_engine *on = engine_opts(&m, REWARDS_TRACES_ON), *off = engine_opts(&moff, REWARDS_TRACES_OFF);
    apply_all(on, lines, n);
    apply_all(off, lines, n);
    char *l1 = eu_ledger(on), *l2 = eu_ledger(off);
    assert_str(l2, l1);
    char *t = traces_of(off);
    /* 25 entries of contributions, 1 manual entry (its record is its whole story) */
    assert_int_equal(count_of(t, "\"history\":\"unknown\""), 25);
    assert_int_equal(count_of(t, "\"history\":\"complete\""), 1);
    free(t);
    /* records without traces restore into an engine with traces: history unknown */
    rewards_engine *b = restored(&moff.committed, REWARDS_TRACES_ON);
    t = traces_of(b);
    assert_int_equal(count_of(t, "\"history\":\"unknown\""), 25);
    char *l3 = eu_ledger(b);
    assert_str(l3, l1);
    free(l3);
    free(t);
    rewards_engine_free(b);
    /* records with traces restore into an engine without: nothing kept, nothing refused */
    b = restored(&m.committed, REWARDS_TRACES_OFF);
    t = traces_of(b);
    assert_int_equal(count_of(t, "\"history\":\"unknown\""), 25);
    free(t);
    rewards_engine_free(b);
    free(l1);
    free(l2);
    rewards_engine_free(on);
    rewards_engine_free(off);
    mock_free(&m);
    mock_free(&moff);
    free(lines);
    free(text);
}

/* A corrupt trace field makes the entry record corrupt: the restore is refused. */
static void test_corrupt_trace_refused(void **state)
{
    (void)state;
    char *text, **lines;
    size_t n = causes_lines(&text, &lines);
    mock m;
    memset(&m, 0, sizeof m);
    rewards_engine *a = engine_opts(&m, REWARDS_TRACES_ON);
    apply_all(a, lines, n);
    static const char *const bad[] = { "2;;;", "1;9", "1;;;;x", "1;;;;;;;;;;;;;3:zz", "1;;;;;;;;;;;;;;;;;;4:nobody",
                                       "1;;;;;;;;;;;;;;;;99", "1;;;;;;;;;;;;;;;;;;2:jo", "1;;;;-0", "1;;;;0" };
    const table *t = &m.committed;
    /* a 1.0-style meta record (no digest): what refuses is the entry's decoder, not the digest */
    size_t meta = find_kind(t, REWARDS_RECORD_META, NULL), k = find_kind(t, REWARDS_RECORD_ENTRY, "19");
    size_t start[64], len[64];
    fields_of(t->v[meta].data, t->v[meta].size, start, len, 64);
    char meta10[128];
    snprintf(meta10, sizeof meta10, "rw1,%.*s", (int)(start[1] + len[1] + 1 - 4), t->v[meta].data + 4);
    grec *recs = from_table(t);
    recs[meta].data = meta10;
    recs[meta].size = strlen(meta10);
    {
        rewards_engine *b = engine_opts(NULL, REWARDS_TRACES_ON);
        assert_ok(b, give(b, recs, t->n, 0)); /* as it is, it restores */
        rewards_engine_free(b);
    }
    size_t nf = fields_of(t->v[k].data, t->v[k].size, start, len, 64);
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        /* entry 19 (a correction of another deal's amendment) gets a bad trace, its last field */
        size_t size;
        char *d = with_field(t->v[k].data, t->v[k].size, nf - 1, bad[i], &size);
        recs[k].data = d;
        recs[k].size = size;
        rewards_engine *b = engine_opts(NULL, REWARDS_TRACES_ON);
        rewards_status st = give(b, recs, t->n, 0);
        if (st == REWARDS_OK)
            fail_msg("trace '%s' was accepted", bad[i]);
        if (!strstr(rewards_engine_errmsg(b), "entry"))
            fail_msg("trace %s: %s", bad[i], rewards_engine_errmsg(b));
        rewards_engine_free(b);
        free(d);
    }
    free(recs);
    rewards_engine_free(a);
    mock_free(&m);
    free(lines);
    free(text);
}

/* A program built against 1.0 passes a version 1 struct without 'traces': accepted, traces kept. */
typedef struct options_v1 {
    unsigned version;
    const rewards_allocator *allocator;
    const rewards_storage *storage;
    const rewards_events *events;
} options_v1;

static void test_options_versions(void **state)
{
    (void)state;
    options_v1 v1 = { 1, NULL, NULL, NULL };
    rewards_engine *e;
    assert_int_equal(rewards_engine_new(&e, (const rewards_options *)(const void *)&v1), REWARDS_OK);
    OK(e, "program", "id", "p", "name", "P", "currency", "USD");
    OK(e, "level", "id", "l", "program", "p", "name", "L", "rank:i", "1");
    OK(e, "reward", "id", "r", "level", "l", "name", "R", "trigger", "deal_registered", "recipient", "partner", "kind",
       "percent", "rate", "10%");
    OK(e, "partner", "id", "a", "program", "p", "level", "l", "name", "A");
    OK(e, "deal", "id", "d", "partner", "a", "amount", "10.05", "currency", "USD", "at", "2026-01-01");
    rewards_trace *t;
    assert_ok(e, rewards_engine_trace(e, &t, 1));
    assert_string_equal(rewards_trace_get(t, "history"), "complete");
    assert_string_equal(rewards_trace_get(t, "uncapped"), "1.00"); /* 1.005 to even */
    assert_string_equal(rewards_trace_get(t, "rounding"), "half_even");
    rewards_trace_free(t);
    rewards_engine_free(e);
    rewards_options o = REWARDS_OPTIONS_INIT;
    o.traces = 2;
    e = (rewards_engine *)&e;
    assert_int_equal(rewards_engine_new(&e, &o), REWARDS_INVALID_ARGUMENT);
    assert_null(e);
    o.traces = -1;
    assert_int_equal(rewards_engine_new(&e, &o), REWARDS_INVALID_ARGUMENT);
}

static rewards_engine *causes_engine(void)
{
    char *text, **lines;
    size_t n = causes_lines(&text, &lines);
    rewards_engine *e = engine_opts(NULL, REWARDS_TRACES_ON);
    apply_all(e, lines, n);
    free(lines);
    free(text);
    return e;
}

static void test_api(void **state)
{
    (void)state;
    rewards_engine *e = causes_engine();
    char *fp = eu_fingerprint(e);
    rewards_trace *t = (rewards_trace *)&t;
    assert_int_equal(rewards_engine_trace(e, &t, 0), REWARDS_NOT_FOUND);
    assert_null(t);
    assert_string_equal(rewards_engine_errmsg(e), "no entry 0");
    assert_int_equal(rewards_engine_trace(e, &t, 27), REWARDS_NOT_FOUND);
    assert_string_equal(rewards_engine_errmsg(e), "no entry 27");
    assert_int_equal(rewards_engine_trace(NULL, &t, 1), REWARDS_MISUSE);
    assert_int_equal(rewards_engine_trace(e, NULL, 1), REWARDS_MISUSE);
    assert_ok(e, rewards_engine_trace(e, &t, 20));
    assert_int_equal(rewards_trace_version(t), REWARDS_TRACE_VERSION);
    assert_true(rewards_trace_count(t) > 20);
    assert_string_equal(rewards_trace_key(t, 0), "version");
    assert_int_equal(rewards_trace_type(t, 0), REWARDS_TRACE_INTEGER);
    assert_string_equal(rewards_trace_get(t, "cause.kind"), "cancel");
    assert_string_equal(rewards_trace_get(t, "cause.days_since_trigger"), "14");
    assert_string_equal(rewards_trace_get(t, "cause.clawback_days"), "30");
    assert_string_equal(rewards_trace_get(t, "type"), "reversal");
    assert_string_equal(rewards_trace_get(t, "voided"), "true");
    assert_null(rewards_trace_get(t, "hold.reason")); /* null */
    assert_null(rewards_trace_get(t, "no.such.key"));
    assert_null(rewards_trace_key(t, rewards_trace_count(t)));
    assert_null(rewards_trace_value(t, rewards_trace_count(t)));
    assert_int_equal(rewards_trace_type(t, rewards_trace_count(t)), -1);
    assert_int_equal(rewards_trace_count(NULL), 0);
    assert_int_equal(rewards_trace_version(NULL), 0);
    assert_null(rewards_trace_key(NULL, 0));
    assert_null(rewards_trace_get(NULL, "type"));
    assert_null(rewards_trace_get(t, NULL));
    buf b = { NULL, 0, 0, 1, 0, NULL };
    assert_int_equal(rewards_trace_write_json(t, buf_write, &b), REWARDS_STORAGE);
    assert_int_equal(rewards_trace_write_json(NULL, buf_write, &b), REWARDS_MISUSE);
    assert_int_equal(rewards_trace_write_json(t, NULL, &b), REWARDS_MISUSE);
    rewards_trace_free(t);
    rewards_trace_free(NULL);
    /* the hold paths, as the entries say them */
    static const struct { uint64_t entry; const char *reason, *by, *to; } holds[] = {
        { 9, "no_assigned_rep", "assign", "jo" },
        { 11, "no_portal_access", "user_access", "kim" },
        { 13, "no_assigned_rep", "release", "acme" },
        { 15, "no_assigned_rep", NULL, NULL },
    };
    for (size_t i = 0; i < sizeof holds / sizeof holds[0]; i++) {
        assert_ok(e, rewards_engine_trace(e, &t, holds[i].entry));
        assert_string_equal(rewards_trace_get(t, "hold.reason"), holds[i].reason);
        if (holds[i].by) {
            assert_string_equal(rewards_trace_get(t, "hold.released_by"), holds[i].by);
            assert_string_equal(rewards_trace_get(t, "hold.released_to"), holds[i].to);
        } else {
            assert_null(rewards_trace_get(t, "hold.released_by"));
            assert_null(rewards_trace_get(t, "hold.released_at"));
        }
        rewards_trace_free(t);
    }
    /* the causes of corrections: own amendment, another deal's amendment, own cancellation, another's */
    static const struct { uint64_t entry; const char *kind, *deal, *other; } causes[] = {
        { 16, "amend", "d1", "false" }, { 19, "amend", "d1", "true" },
        { 21, "cancel", "d2", "false" }, { 22, "cancel", "d2", "true" },
        { 1, "trigger", NULL, NULL }, { 26, "manual", NULL, NULL },
    };
    for (size_t i = 0; i < sizeof causes / sizeof causes[0]; i++) {
        assert_ok(e, rewards_engine_trace(e, &t, causes[i].entry));
        assert_string_equal(rewards_trace_get(t, "cause.kind"), causes[i].kind);
        if (causes[i].deal) {
            assert_string_equal(rewards_trace_get(t, "cause.deal"), causes[i].deal);
            assert_string_equal(rewards_trace_get(t, "cause.other_deal"), causes[i].other);
        }
        rewards_trace_free(t);
    }
    /* exports: a failing writer, NULL, re-entry from the writer */
    for (int k = 1; k <= 2; k++) {
        buf f = { NULL, 0, 0, k, 0, NULL };
        assert_int_equal(rewards_engine_export_traces(e, buf_write, &f), REWARDS_STORAGE);
        f.calls = 0;
        assert_int_equal(rewards_engine_export_holds(e, buf_write, &f), REWARDS_STORAGE);
        f.calls = 0;
        assert_int_equal(rewards_engine_export_statements(e, NULL, NULL, INT64_MIN, INT64_MAX, buf_write, &f),
                         REWARDS_STORAGE);
        free(f.p);
    }
    assert_int_equal(rewards_engine_export_traces(NULL, buf_write, &b), REWARDS_MISUSE);
    assert_int_equal(rewards_engine_export_traces(e, NULL, &b), REWARDS_MISUSE);
    assert_int_equal(rewards_engine_export_holds(NULL, buf_write, &b), REWARDS_MISUSE);
    assert_int_equal(rewards_engine_export_statements(e, NULL, NULL, 0, 1, NULL, &b), REWARDS_MISUSE);
    buf r = { NULL, 0, 0, 0, 0, e };
    assert_int_equal(rewards_engine_export_holds(e, buf_write, &r), REWARDS_OK);
    assert_int_equal(rewards_engine_export_traces(e, buf_write, &r), REWARDS_OK);
    free(r.p);
    /* statements: the refusals in check order */
    buf s = { NULL, 0, 0, 0, 0, NULL };
    assert_int_equal(rewards_engine_export_statements(e, "partner", NULL, 0, 1, buf_write, &s), REWARDS_INVALID_ARGUMENT);
    assert_int_equal(rewards_engine_export_statements(e, NULL, NULL, 5, 5, buf_write, &s), REWARDS_INVALID_ARGUMENT);
    assert_int_equal(rewards_engine_export_statements(e, "partner", "nobody", 0, 1, buf_write, &s), REWARDS_NOT_FOUND);
    assert_string_equal(rewards_engine_errmsg(e), "no partner 'nobody'");
    assert_int_equal(rewards_engine_export_statements(e, "sales_rep", "acme", 0, 1, buf_write, &s), REWARDS_NOT_FOUND);
    assert_int_equal(rewards_engine_export_statements(e, "user", "jo", 0, 1, buf_write, &s), REWARDS_INVALID_ARGUMENT);
    assert_null(s.p); /* nothing written by a refused call */
    /* one recipient: Kim in January (held then released in February: earned counts in January) */
    int64_t jan, feb;
    assert_int_equal(rewards_time_parse("2026-01-01", &jan), REWARDS_OK);
    assert_int_equal(rewards_time_parse("2026-02-01", &feb), REWARDS_OK);
    assert_ok(e, rewards_engine_export_statements(e, "sales_rep", "kim", jan, feb, buf_write, &s));
    assert_str(s.p, "recipient_type,recipient,currency,row,entry,at,type,deal,reward,status,amount\n"
                    "sales_rep,kim,USD,opening,,2026-01-01T00:00:00Z,,,,,0.00\n"
                    "sales_rep,kim,USD,entry,11,2026-01-13T00:00:00Z,earned,d4,rep,paid,15.00\n"
                    "sales_rep,kim,USD,earned,,,,,,,15.00\n"
                    "sales_rep,kim,USD,adjustments,,,,,,,0.00\n"
                    "sales_rep,kim,USD,reversals,,,,,,,0.00\n"
                    "sales_rep,kim,USD,manual,,,,,,,0.00\n"
                    "sales_rep,kim,USD,redemptions,,,,,,,0.00\n"
                    "sales_rep,kim,USD,paid,,,,,,,0.00\n"
                    "sales_rep,kim,USD,closing,,2026-02-01T00:00:00Z,,,,,15.00\n");
    free(s.p);
    /* the same as a structure */
    rewards_statement *st = (rewards_statement *)&st;
    assert_ok(e, rewards_engine_statement(e, &st, "sales_rep", "kim", jan, feb));
    assert_int_equal(rewards_statement_currency_count(st), 1);
    assert_string_equal(rewards_statement_currency(st, 0), "USD");
    assert_null(rewards_statement_currency(st, 1));
    static const struct { const char *row; int64_t v; } kim[] = {
        { "opening", 0 }, { "earned", 1500 }, { "adjustments", 0 }, { "paid", 0 }, { "closing", 1500 } };
    for (size_t i = 0; i < sizeof kim / sizeof kim[0]; i++) {
        int64_t v = -1;
        assert_int_equal(rewards_statement_total(st, "USD", kim[i].row, &v), REWARDS_OK);
        assert_int_equal(v, kim[i].v);
    }
    int64_t v;
    assert_int_equal(rewards_statement_total(st, "EUR", "opening", &v), REWARDS_NOT_FOUND);
    assert_int_equal(rewards_statement_total(st, "USD", "balance", &v), REWARDS_INVALID_ARGUMENT);
    assert_int_equal(rewards_statement_total(st, "USD", NULL, &v), REWARDS_MISUSE);
    assert_int_equal(rewards_statement_entry_count(st), 1);
    assert_int_equal(rewards_entry_number(rewards_statement_entry(st, 0)), 11);
    assert_null(rewards_statement_entry(st, 1));
    assert_int_equal(rewards_statement_payout_count(st), 0);
    rewards_statement_free(st);
    int64_t mar;
    assert_int_equal(rewards_time_parse("2026-03-01", &mar), REWARDS_OK);
    assert_ok(e, rewards_engine_statement(e, &st, "partner", "acme", feb, mar));
    assert_int_equal(rewards_statement_total(st, "USD", "opening", &v), REWARDS_OK);
    assert_int_equal(v, 62000);
    assert_int_equal(rewards_statement_total(st, "USD", "paid", &v), REWARDS_OK);
    assert_int_equal(v, 62000);
    assert_int_equal(rewards_statement_total(st, "USD", "closing", &v), REWARDS_OK);
    assert_int_equal(v, 0);
    assert_int_equal(rewards_statement_entry_count(st), 0);
    assert_int_equal(rewards_statement_payout_count(st), 19);
    assert_int_equal(rewards_entry_number(rewards_statement_payout_entry(st, 0)), 1);
    assert_null(rewards_statement_payout_entry(st, 19));
    rewards_statement_free(st);
    rewards_statement_free(NULL);
    assert_int_equal(rewards_statement_currency_count(NULL), 0);
    assert_int_equal(rewards_engine_statement(e, &st, "partner", "nobody", feb, mar), REWARDS_NOT_FOUND);
    assert_null(st);
    assert_int_equal(rewards_engine_statement(e, &st, "partner", "acme", mar, feb), REWARDS_INVALID_ARGUMENT);
    assert_int_equal(rewards_engine_statement(e, &st, "user", "acme", feb, mar), REWARDS_INVALID_ARGUMENT);
    assert_int_equal(rewards_engine_statement(e, &st, NULL, "acme", feb, mar), REWARDS_MISUSE);
    assert_int_equal(rewards_engine_statement(NULL, &st, "partner", "acme", feb, mar), REWARDS_MISUSE);
    /* nothing changed the engine */
    char *fp2 = eu_fingerprint(e);
    assert_str(fp2, fp);
    free(fp2);
    free(fp);
    free(b.p);
    rewards_engine_free(e);
}

/* An amendment of a deal's lines: the cause names the deal's totals; the line and its share of the cap. */
static void test_lines_amendment(void **state)
{
    (void)state;
    rewards_engine *e = engine_opts(NULL, REWARDS_TRACES_ON);
    OK(e, "program", "id", "p", "name", "P", "currency", "USD");
    OK(e, "level", "id", "std", "program", "p", "name", "Std", "rank:i", "1");
    OK(e, "partner", "id", "acme", "program", "p", "level", "std", "name", "Acme");
    OK(e, "reward", "id", "pl", "level", "std", "name", "pl", "trigger", "deal_won", "recipient", "partner", "kind",
       "percent", "per", "line", "rate", "10%", "cap_per_deal", "150.00");
    OK(e, "deal", "at", "2026-01-02", "id", "d1", "partner", "acme", "currency", "USD", "lines.0.id", "a",
       "lines.0.product", "sw", "lines.0.amount", "1000.00", "lines.1.id", "b", "lines.1.product", "hw",
       "lines.1.amount", "1000.00");
    OK(e, "stage", "at", "2026-01-03", "deal", "d1", "stage", "won");
    /* line a 100.00; line b 100.00 cut to the 50.00 the cap has left */
    OK(e, "amend", "at", "2026-01-06", "deal", "d1", "lines.0.id", "a", "lines.0.amount", "500.00", "lines.1.id", "b",
       "lines.1.amount", "1000.00");
    /* entries 3 (a: -50.00) and 4 (b: +50.00, the room line a gave back) */
    static const char *const want[][2] = {
        { "type", "adjustment" }, { "amount", "50.00" }, { "cause.kind", "amend" }, { "cause.deal", "d1" },
        { "cause.other_deal", "false" }, { "cause.from", "2000.00" }, { "cause.to", "1500.00" },
        { "base.of", "line_amount" }, { "base.line", "1" }, { "base.line_id", "b" }, { "base.amount", "1000.00" },
        { "uncapped", "100.00" }, { "caps.0.kind", "cap_per_deal" }, { "caps.0.used_before", "50.00" },
        { "caps.0.cut", "0.00" }, { "previous", "50.00" }, { "target", "100.00" },
    };
    rewards_trace *t;
    assert_ok(e, rewards_engine_trace(e, &t, 4));
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
        const char *v = rewards_trace_get(t, want[i][0]);
        if (!v || strcmp(v, want[i][1]))
            fail_msg("%s: %s, want %s", want[i][0], v ? v : "(null)", want[i][1]);
    }
    rewards_trace_free(t);
    assert_ok(e, rewards_engine_trace(e, &t, 2)); /* b when won: the cap cut 50.00 */
    assert_string_equal(rewards_trace_get(t, "caps.0.cut"), "50.00");
    assert_string_equal(rewards_trace_get(t, "caps.0.used_before"), "100.00");
    rewards_trace_free(t);
    rewards_engine_free(e);
}

/* The level a trace names is the partner's at the trigger, not at a later correction. */
static void test_level_at_trigger(void **state)
{
    (void)state;
    rewards_engine *e = engine_opts(NULL, REWARDS_TRACES_ON);
    OK(e, "program", "id", "p", "name", "P", "currency", "USD");
    OK(e, "level", "id", "silver", "program", "p", "name", "Silver", "rank:i", "1");
    OK(e, "level", "id", "gold", "program", "p", "name", "Gold", "rank:i", "2");
    OK(e, "reward", "id", "r", "program", "p", "name", "R", "trigger", "deal_won", "recipient", "partner", "kind",
       "percent", "rate", "10%");
    OK(e, "partner", "id", "acme", "program", "p", "level", "silver", "name", "Acme");
    OK(e, "deal", "at", "2026-01-02", "id", "d1", "partner", "acme", "currency", "USD", "amount", "100.00");
    OK(e, "stage", "at", "2026-01-03", "deal", "d1", "stage", "won");
    OK(e, "set_level", "at", "2026-01-04", "partner", "acme", "level", "gold");
    OK(e, "amend", "at", "2026-01-05", "deal", "d1", "amount", "200.00");
    OK(e, "deal", "at", "2026-01-06", "id", "d2", "partner", "acme", "currency", "USD", "amount", "100.00");
    OK(e, "stage", "at", "2026-01-07", "deal", "d2", "stage", "won");
    static const char *const want[] = { "silver", "silver", "gold" }; /* earned d1, its adjustment, earned d2 */
    for (uint64_t n = 1; n <= 3; n++) {
        rewards_trace *t;
        assert_ok(e, rewards_engine_trace(e, &t, n));
        assert_string_equal(rewards_trace_get(t, "level"), want[n - 1]);
        assert_null(rewards_trace_get(t, "reward.level")); /* a program reward: every level */
        rewards_trace_free(t);
    }
    rewards_engine_free(e);
}

/* JSON escapes what ids may contain. */
static void test_json_escapes(void **state)
{
    (void)state;
    rewards_engine *e = engine_opts(NULL, REWARDS_TRACES_ON);
    OK(e, "program", "id", "p", "name", "P", "currency", "USD");
    OK(e, "level", "id", "l", "program", "p", "name", "L", "rank:i", "1");
    OK(e, "reward", "id", "r\"q", "level", "l", "name", "R", "trigger", "deal_registered", "recipient", "partner", "kind",
       "fixed", "amount", "5.00", "when", "deal.currency == \"USD\"");
    OK(e, "partner", "id", "a\\b", "program", "p", "level", "l", "name", "A");
    OK(e, "deal", "id", "d\x01", "partner", "a\\b", "amount", "10.00", "currency", "USD", "at", "2026-01-01");
    char *t = traces_of(e);
    assert_non_null(strstr(t, "\"id\":\"r\\\"q\""));
    assert_non_null(strstr(t, "\"partner\":\"a\\\\b\""));
    assert_non_null(strstr(t, "\"deal\":\"d\\u0001\""));
    assert_non_null(strstr(t, "\"condition\":\"deal.currency == \\\"USD\\\"\""));
    free(t);
    rewards_engine_free(e);
}

/* Allocation failure at every allocation of a trace and of the exports: a clean NOMEM, no leak. */
static void test_alloc_failure(void **state)
{
    (void)state;
    char *text, **lines;
    size_t n = causes_lines(&text, &lines);
    counted c;
    rewards_engine *e = counted_engine(&c);
    apply_all(e, lines, n);
    int failures = 0;
    for (long k = 1;; k++) {
        long live = c.st.live;
        c.st.count = 0;
        c.st.fail_at = k;
        rewards_trace *t = NULL;
        rewards_status st = rewards_engine_trace(e, &t, 19);
        c.st.fail_at = 0;
        if (st == REWARDS_OK) {
            rewards_trace_free(t);
            break;
        }
        assert_int_equal(st, REWARDS_NOMEM);
        assert_null(t);
        assert_int_equal(c.st.live, live);
        failures++;
    }
    assert_true(failures > 10);
    for (long k = 1;; k++) {
        long live = c.st.live;
        c.st.count = 0;
        c.st.fail_at = k;
        buf b = { NULL, 0, 0, 0, 0, NULL };
        rewards_status st = rewards_engine_export_traces(e, buf_write, &b);
        c.st.fail_at = 0;
        free(b.p);
        if (st == REWARDS_OK)
            break;
        assert_int_equal(st, REWARDS_NOMEM);
        assert_int_equal(c.st.live, live);
    }
    for (long k = 1;; k++) {
        long live = c.st.live;
        c.st.count = 0;
        c.st.fail_at = k;
        rewards_statement *st = NULL;
        rewards_status r = rewards_engine_statement(e, &st, "partner", "acme", INT64_MIN, INT64_MAX);
        c.st.fail_at = 0;
        if (r == REWARDS_OK) {
            rewards_statement_free(st);
            break;
        }
        assert_int_equal(r, REWARDS_NOMEM);
        assert_null(st);
        assert_int_equal(c.st.live, live);
    }
    rewards_engine_free(e);
    assert_int_equal(c.st.live, 0);
    free(lines);
    free(text);
}

/* An entry's trace as its readers see it (the entry keeps it packed). */
static rw_trace unpacked(const rw_entry *en)
{
    rw_trace t;
    assert_non_null(en->trace);
    rw_trace_unpack(en->trace, &t);
    return t;
}

/* The packed form a trace is kept in gives back exactly the trace packed:
 * every flag, the bytes at their limits, and numbers at every varint length
 * (0, 1 and 2 bytes either side of the boundaries, INT64_MIN and INT64_MAX),
 * with and without a rarer part and every combination of its fields; its
 * size is what was taken. */
static void test_trace_pack_round_trip(void **state)
{
    (void)state;
    rewards_engine *e;
    assert_int_equal(rewards_engine_new(&e, NULL), REWARDS_OK);
    static const int64_t values[] = { 0, 1, -1, 63, -64, 64, -65, 8191, 8192, -8193, 123456789012, INT64_MAX,
                                      INT64_MIN, INT64_MIN + 1, INT64_MAX - 1 };
    const size_t nv = sizeof values / sizeof values[0];
    for (size_t i = 0; i < 512; i++) { /* every combination of the rarer part's fields */
        rw_trace t;
        rw_trace_init(&t);
        t.base = values[i % nv];
        t.metric = i % 3 ? values[(i * 7 + 1) % nv] : t.base; /* equal to the base a third of the time */
        t.metric_before = values[(i * 5 + 2) % nv];
        t.total_before = values[(i * 3 + 4) % nv];
        t.uncapped = values[(i * 11 + 3) % nv];
        if (i % 2) { /* a rarer part: each field set or at its default in turn (bit j of i / 2) */
            size_t f = i / 2 % 256;
            rw_deal *deal = (rw_deal *)&values[1]; /* (addresses only: never followed) */
            rw_user *user = (rw_user *)&values[2];
            t.more.cause_deal = f & 1 ? deal : NULL;
            t.more.cause_from = f & 2 ? values[(i + 5) % nv] : 0;
            t.more.cause_to = f & 4 ? values[(i + 6) % nv] : 0;
            t.more.source = f & 8 ? (uint64_t)values[(i + 7) % nv] : 0;
            t.more.released_at = f & 16 ? values[(i + 8) % nv] : RW_NONE;
            t.more.released_to = f & 32 ? user : NULL;
            t.more.cap_used = f & 64 ? values[(i + 9) % nv] : 0;
            t.more.previous = f & 128 ? values[(i + 10) % nv] : 0;
        }
        t.cause = (uint8_t)(i % RW_CAUSE_COUNT);
        t.release = (uint8_t)((i / 2) % RW_CAUSE_COUNT);
        t.hold = (uint8_t)(i % 3);
        t.voided = (uint8_t)(i / nv % 2);
        t.converted = (uint8_t)(i / nv / 2 % 2);
        unsigned char *p = rw_trace_pack(e, &t);
        assert_non_null(p);
        size_t n = rw_trace_packed_size(p);
        assert_true(n >= 7 && n <= RW_TRACE_PACKED_MAX);
        assert_ptr_equal(e->trace_slab.cur, p + n); /* what it says it took is what it took */
        unsigned char *again = rw_trace_pack(e, &t);
        assert_non_null(again);
        assert_memory_equal(p, again, n);
        rw_trace back;
        rw_trace_unpack(p, &back);
        if (memcmp(&back, &t, sizeof t))
            fail_msg("case %zu did not come back as packed", i);
    }
    rewards_engine_free(e);
}

/* The stored trace's integers at their extremes: "=" for the value before
 * it, "n" for INT64_MIN, nothing for 0, and read back to the same trace. */
static void test_trace_record_integers(void **state)
{
    (void)state;
    rewards_engine *e;
    assert_int_equal(rewards_engine_new(&e, NULL), REWARDS_OK);
    /* a contribution whose slot's net before the entry traced is -INT64_MAX */
    rw_reward rwd;
    memset(&rwd, 0, sizeof rwd);
    rwd.kind = RW_KIND_PERCENT;
    rw_contrib k;
    memset(&k, 0, sizeof k);
    k.reward = &rwd;
    k.net.one = -INT64_MAX;
    rw_trace t;
    rw_trace_init(&t);
    t.more.previous = -INT64_MAX;
    t.cause = 1;
    t.base = -1234567890123;
    t.converted = 1; /* the metric */
    t.metric = INT64_MAX;
    t.metric_before = INT64_MIN;
    t.total_before = -1;
    t.uncapped = 1;
    rw_entry en;
    memset(&en, 0, sizeof en);
    en.contrib = &k;
    en.number = 10;
    en.trace = rw_trace_pack(e, &t);
    assert_non_null(en.trace);
    char text[512], again[512];
    size_t n = rw_trace_encode(&en, text, sizeof text);
    assert_string_equal(text, "1;1;;;-1234567890123;9223372036854775807;=;n;-1;;1;;-9223372036854775807");
    assert_int_equal(n, strlen(text));
    rw_entry back;
    memset(&back, 0, sizeof back);
    back.contrib = &k;
    back.number = 10;
    assert_int_equal(rw_trace_decode(e, &back, text, n), 0);
    assert_non_null(back.trace);
    rw_trace bt = unpacked(&back);
    assert_true(bt.base == t.base && bt.converted == t.converted && bt.metric == INT64_MAX &&
                bt.metric_before == INT64_MIN && bt.total_before == -1 && bt.more.cap_used == 0 &&
                bt.uncapped == 1);
    assert_int_equal(rw_trace_previous(&bt), -INT64_MAX);
    assert_int_equal(rw_trace_encode(&back, again, sizeof again), n);
    assert_string_equal(again, text);
    /* what earlier lines took of a cap per deal lives in the rarer part too, and comes back there */
    t.more.cap_used = 7;
    en.trace = rw_trace_pack(e, &t);
    assert_non_null(en.trace);
    n = rw_trace_encode(&en, text, sizeof text);
    assert_string_equal(text, "1;1;;;-1234567890123;9223372036854775807;=;n;-1;7;1;;-9223372036854775807");
    memset(&back, 0, sizeof back);
    back.contrib = &k;
    back.number = 10;
    assert_int_equal(rw_trace_decode(e, &back, text, n), 0);
    assert_true(unpacked(&back).more.cap_used == 7 && unpacked(&back).uncapped == 1 && !unpacked(&back).voided);
    assert_int_equal(rw_trace_encode(&back, again, sizeof again), n);
    assert_string_equal(again, text);
    /* read back, the net before it must be the slot's net so far */
    k.net.one = 0;
    memset(&back, 0, sizeof back);
    back.contrib = &k;
    back.number = 10;
    assert_int_equal(rw_trace_decode(e, &back, text, n), 1);
    memset(&back, 0, sizeof back);
    back.contrib = &k;
    back.number = 10;
    assert_int_equal(rw_trace_decode(e, &back, "1;1;;;1", 7), 0); /* (the net so far is 0: the control) */
    rw_trace none; /* a net of 0 before it needs no rarer part */
    rw_trace_init(&none);
    bt = unpacked(&back);
    assert_memory_equal(&bt.more, &none.more, sizeof none.more);
    /* the converted amount is the metric or none: anything else is not a trace the engine wrote */
    static const struct { const char *text; int got; } conv[] = {
        { "1;;;;5;6;7", 1 }, { "1;;;;5;7;=", 0 }, { "1;;;;5;n;7", 0 }, { "1;;;;5;;7", 1 }, { "1;;;;5;=;=", 0 } };
    for (size_t i = 0; i < sizeof conv / sizeof conv[0]; i++) {
        memset(&back, 0, sizeof back);
        back.contrib = &k;
        back.number = 10;
        if (rw_trace_decode(e, &back, conv[i].text, strlen(conv[i].text)) != conv[i].got)
            fail_msg("'%s' did not give %d", conv[i].text, conv[i].got);
        if (!conv[i].got) {
            rw_trace_calc calc;
            bt = unpacked(&back);
            rw_trace_calc_of(&bt, &calc);
            assert_true(calc.base == 5 && calc.metric == (i == 2 ? 7 : i == 1 ? 7 : 5));
            assert_true(calc.converted == (i == 2 ? RW_NONE : calc.metric));
        }
    }
    /* a value a writer never makes: "-0", "+1", digits past int64_t */
    static const char *const bad[] = { "1;1;;;-0", "1;1;;;00", "1;1;;;+1", "1;1;;;9223372036854775808", "1;1;;;-",
                                       "1;1;;;1x", "1;1;;;-1x" };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        memset(&back, 0, sizeof back);
        back.contrib = &k;
        back.number = 10;
        if (rw_trace_decode(e, &back, bad[i], strlen(bad[i])) != 1)
            fail_msg("'%s' was read", bad[i]);
    }
    /* 18 digits are read in one pass, 19 by the general reader: both come back exactly;
     * a small value out of its field's range (a cause) is refused either way */
    static const struct { const char *text; int64_t base; } digits[] = {
        { "1;1;;;123456789012345678", 123456789012345678 },
        { "1;1;;;-123456789012345678", -123456789012345678 },
        { "1;1;;;1234567890123456789", 1234567890123456789 },
        { "1;1;;;-9223372036854775807", -INT64_MAX } };
    for (size_t i = 0; i < sizeof digits / sizeof digits[0]; i++) {
        memset(&back, 0, sizeof back);
        back.contrib = &k;
        back.number = 10;
        assert_int_equal(rw_trace_decode(e, &back, digits[i].text, strlen(digits[i].text)), 0);
        assert_true(unpacked(&back).base == digits[i].base);
    }
    memset(&back, 0, sizeof back);
    back.contrib = &k;
    back.number = 10;
    assert_int_equal(rw_trace_decode(e, &back, "1;99", 4), 1);
    assert_int_equal(rw_trace_decode(e, &back, "1;-1", 4), 1);
    rewards_engine_free(e);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_restore_identical),
        cmocka_unit_test(test_traces_off),
        cmocka_unit_test(test_corrupt_trace_refused),
        cmocka_unit_test(test_options_versions),
        cmocka_unit_test(test_api),
        cmocka_unit_test(test_json_escapes),
        cmocka_unit_test(test_lines_amendment),
        cmocka_unit_test(test_level_at_trigger),
        cmocka_unit_test(test_alloc_failure),
        cmocka_unit_test(test_trace_record_integers),
        cmocka_unit_test(test_trace_pack_round_trip),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
