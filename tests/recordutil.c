/*
 * recordutil.c - the helpers of recordutil.h.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "recordutil.h"
#include "engineutil.h"
#include "assertutil.h"



rewards_engine *new_engine(mock *s, counted *c)
{
    rewards_storage st;
    rewards_storage st0 = { REWARDS_STORAGE_VERSION, mock_begin, mock_put, NULL, mock_commit, mock_rollback, s };
    st = st0;
    rewards_options o = REWARDS_OPTIONS_INIT;
    if (s)
        o.storage = &st;
    if (c) {
        counted_init(c);
        o.allocator = &c->ra;
    }
    rewards_engine *e;
    assert_int_equal(rewards_engine_new(&e, &o), REWARDS_OK);
    return e;
}


static uint64_t rng_state;
static uint64_t rng(void)
{
    rng_state = rng_state * 6364136223846793005ULL + 1442695040888963407ULL;
    return rng_state >> 33;
}

/* Give recs to e in the order of a seeded shuffle (seed 0: as given) and finish. */
rewards_status give(rewards_engine *e, const grec *recs, size_t n, uint64_t seed)
{
    size_t *o = malloc((n + 1) * sizeof *o);
    assert_non_null(o);
    for (size_t i = 0; i < n; i++)
        o[i] = i;
    rng_state = seed;
    for (size_t i = n; seed && i > 1; i--) {
        size_t j = (size_t)(rng() % i), t = o[i - 1];
        o[i - 1] = o[j];
        o[j] = t;
    }
    rewards_status st = REWARDS_OK;
    for (size_t i = 0; i < n && !st; i++)
        st = rewards_engine_restore(e, (rewards_record_kind)recs[o[i]].kind, recs[o[i]].data, recs[o[i]].size);
    free(o);
    rewards_status fin = rewards_engine_restore_finish(e);
    return st ? st : fin;
}

grec *from_table(const table *t)
{
    grec *g = malloc((t->n + 2) * sizeof *g);
    assert_non_null(g);
    for (size_t i = 0; i < t->n; i++) {
        g[i].kind = t->v[i].kind;
        g[i].data = t->v[i].data;
        g[i].size = t->v[i].size;
    }
    return g;
}

void assert_same(rewards_engine *a, rewards_engine *b)
{
    char *x = eu_fingerprint(a), *y = eu_fingerprint(b);
    assert_str(y, x);
    free(x);
    free(y);
    x = eu_ledger(a);
    y = eu_ledger(b);
    assert_str(y, x);
    free(x);
    free(y);
    x = eu_payouts(a);
    y = eu_payouts(b);
    assert_str(y, x);
    free(x);
    free(y);
}

/* What follows a restart in every scenario: the same statuses, the same state. */
void next_operations(rewards_engine *live, rewards_engine *b)
{
    const char *const ops[][8] = {
        { "approve", "at", "9000-01-01", "until", "9000-01-01" },
        { "payout", "at", "9000-01-02", "id", "after-restore", "until", "9000-01-02" },
        { "payout", "at", "1999-01-01", "id", "too-old", "until", "1999-01-01" }, /* out_of_order */
    };
    for (size_t i = 0; i < sizeof ops / sizeof ops[0]; i++) {
        const char *const *o = ops[i];
        rewards_status x = eu_op(live, o[0], o[1], o[2], o[3], o[4], o[5], o[6], NULL);
        rewards_status y = eu_op(b, o[0], o[1], o[2], o[3], o[4], o[5], o[6], NULL);
        assert_int_equal(y, x);
    }
    assert_same(live, b);
}

/* Refused, with a message; then the same engine takes the intact set. */
void assert_refused_then_intact(const grec *bad, size_t nbad, const grec *good, size_t ngood,
                                       rewards_engine *live, const char *what, const char *must_say)
{
    counted c;
    rewards_engine *b = new_engine(NULL, &c);
    rewards_status st = give(b, bad, nbad, 0);
    if (st != REWARDS_INVALID_ARGUMENT)
        fail_msg("%s: restore gave %s (%s)", what, rewards_status_name(st), rewards_engine_errmsg(b));
    const char *msg = rewards_engine_errmsg(b);
    if (!*msg || (must_say && !strstr(msg, must_say)))
        fail_msg("%s: message '%s' does not say '%s'", what, msg, must_say ? must_say : "anything");
    /* a failed restore leaves a new engine: another attempt works */
    assert_int_equal(give(b, good, ngood, 7), REWARDS_OK);
    if (live)
        assert_same(live, b);
    rewards_engine_free(b);
    if (c.st.live != 0)
        fail_msg("%s: %ld blocks leaked", what, c.st.live);
}

/* ---- every worked scenario ------------------------------------------------ */

/* The fields of a record's data after "rwN,": where each token starts
 * (its length prefix, or the '-' of an absent value) and ends (after its
 * ','), and where its bytes start and how many. */

size_t fields_at(const char *d, size_t n, fld *f, size_t max)
{
    size_t k = 0, p = 4;
    while (p < n && k < max) {
        f[k].tok = p;
        if (d[p] == '-') {
            f[k].start = p;
            f[k].len = 0;
            p += 2;
        } else {
            size_t l = 0;
            while (p < n && d[p] >= '0' && d[p] <= '9')
                l = l * 10 + (size_t)(d[p++] - '0');
            f[k].start = p + 1;
            f[k].len = l;
            p += l + 2;
        }
        f[k++].end = p;
    }
    return k;
}

size_t fields_of(const char *d, size_t n, size_t *start, size_t *len, size_t max)
{
    fld f[400];
    size_t k = fields_at(d, n, f, max < 400 ? max : 400);
    for (size_t i = 0; i < k; i++) {
        start[i] = f[i].start;
        len[i] = f[i].len;
    }
    return k;
}

/* data with field i replaced by text v, or made absent when v is NULL
 * (malloc'd, *size set). */
char *with_field(const char *d, size_t n, size_t i, const char *v, size_t *size)
{
    fld f[400];
    size_t k = fields_at(d, n, f, 400);
    assert_true(i < k);
    size_t vl = v ? strlen(v) : 0;
    char *out = malloc(n + vl + 32);
    assert_non_null(out);
    memcpy(out, d, f[i].tok);
    size_t o = f[i].tok;
    if (v)
        o += (size_t)sprintf(out + o, "%zu:%s,", vl, v);
    else
        o += (size_t)sprintf(out + o, "-,");
    memcpy(out + o, d + f[i].end, n - f[i].end);
    o += n - f[i].end;
    out[o] = '\0';
    *size = o;
    return out;
}

void build_small(rewards_engine *e)
{
    assert_ok(e, eu_op(e, "program", "id", "p", "name", "P", "currency", "USD", NULL));
    assert_ok(e, eu_op(e, "level", "id", "l", "program", "p", "name", "L", "rank:i", "1", "requires.window",
                       "trailing_days:90", "requires.deals:i", "1", NULL));
    assert_ok(e, eu_op(e, "reward", "id", "t", "level", "l", "name", "T", "trigger", "deal_won", "recipient",
                       "partner", "kind", "tiered", "period", "quarter", "clawback_days:i", "30", "tiers.0.from", "0",
                       "tiers.0.rate", "5%", "tiers.1.from", "100.00", "tiers.1.rate", "8%", "auto_approve:b", "true",
                       NULL));
    assert_ok(e, eu_op(e, "partner", "id", "acme", "program", "p", "level", "l", "name", "Acme", NULL));
    assert_ok(e, eu_op(e, "fx", "at", "2026-01-01", "from", "EUR", "to", "USD", "rate", "1.1", NULL));
    assert_ok(e, eu_op(e, "deal", "at", "2026-01-02", "id", "d1", "partner", "acme", "currency", "EUR", "amount",
                       "500.00", NULL));
    assert_ok(e, eu_op(e, "stage", "at", "2026-01-03", "deal", "d1", "stage", "won", NULL));
    assert_ok(e, eu_op(e, "payout", "at", "2026-01-04", "id", "run1", "until", "2026-01-04", NULL));
}

size_t find_kind(const table *t, int kind, const char *key)
{
    for (size_t i = 0; i < t->n; i++)
        if (t->v[i].kind == kind && (!key || !strcmp(t->v[i].key, key)))
            return i;
    fail_msg("no %s record", rewards_record_kind_name((rewards_record_kind)kind));
    return 0;
}

