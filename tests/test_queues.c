/*
 * test_queues.c - approvals, payout runs and previews read the pending and
 * payable queues (lib/entry_queue.c) instead of the whole ledger; this
 * checks, on seeded random histories, that they act on exactly what a scan
 * of the whole ledger (SPEC.md section 10, the former implementation) would.
 *
 * Each of 60 seeds runs about 150 operations over three partners and two
 * reps each: deals won (a percent, a held rep bonus, an auto-approved
 * percent with clawback, points), cancellations (auto-approved reversals, so
 * some recipients net to zero or less and are carried forward), portal
 * access revoked and granted and reps assigned (held entries released long
 * after they were earned: the queues' out-of-order part), manual entries
 * approved or not, points redeemed, approvals by list in random order, approvals up to a
 * random time in the past, previews and payout runs up to a random time,
 * and batches rolled back.  Before every approval and run the expected
 * result is computed by scanning every entry; after it the entries' statuses
 * and runs, and the run's lines (order, amounts, counts) must match, and a
 * preview taken just before must equal the run's exported lines.  After
 * every operation each recipient's balances (kept by balance.c as entries
 * move) equal a sum over the whole ledger.  A rolled
 * back batch leaves the fingerprint (which prints the queues' members)
 * unchanged, and at the end an engine restored from storage equals the live
 * one (the restored queues are rebuilt from the statuses).
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
#include "recordutil.h"
#include "testutil.h"

#define DAY 86400

static uint64_t seed_state;
static uint64_t rnd(uint64_t n)
{
    seed_state ^= seed_state << 13;
    seed_state ^= seed_state >> 7;
    seed_state ^= seed_state << 17;
    return seed_state % n;
}

static int64_t now;
/* what the histories covered, printed at the end */
static size_t st_lines, st_paid, st_carried, st_late_pending, st_late_payable, st_approved_until;
static char at_buf[32];
static const char *at(void)
{
    rewards_time_format(now, at_buf, sizeof at_buf);
    return at_buf;
}

/* The engine's entries in creation order, copied out of its segmented
 * record list into one array (reused by the next call). */
static rw_entry **entries(rewards_engine *e, size_t *n)
{
    static rw_entry **all;
    *n = RW_COUNT(e, RW_KIND_ENTRY);
    rw_entry **grown = realloc(all, (*n + 1) * sizeof *all);
    assert_non_null(grown);
    all = grown;
    for (size_t i = 0; i < *n; i++)
        all[i] = RW_REC_AT(e, RW_KIND_ENTRY, rw_entry, i);
    return all;
}

/* ---- approvals ------------------------------------------------------------ */

static void check_approve_until(rewards_engine *e, int64_t until)
{
    size_t n;
    rw_entry **all = entries(e, &n);
    rw_status *before = malloc((n + 1) * sizeof *before);
    for (size_t i = 0; i < n; i++)
        before[i] = all[i]->status;
    char t[32];
    rewards_time_format(until, t, sizeof t);
    assert_ok(e, eu_op(e, "approve", "at", at(), "until", t, NULL));
    all = entries(e, &n);
    for (size_t i = 0; i < n; i++) {
        st_approved_until += before[i] == RW_ST_PENDING && all[i]->status == RW_ST_APPROVED;
        rw_status want = before[i] == RW_ST_PENDING && all[i]->earned_at <= until ? RW_ST_APPROVED : before[i];
        if (all[i]->status != want)
            fail_msg("approve until %s: entry %zu is %s, want %s", t, i + 1, rw_status_names[all[i]->status],
                     rw_status_names[want]);
    }
    free(before);
}

static void approve_some(rewards_engine *e)
{
    size_t n, m = 0;
    rw_entry **all = entries(e, &n);
    size_t *pick = malloc((n + 1) * sizeof *pick);
    for (size_t i = 0; i < n; i++)
        if (all[i]->status == RW_ST_PENDING && rnd(3) == 0)
            pick[m++] = i;
    for (size_t i = m; i > 1; i--) { /* a random order: later entries often first */
        size_t j = rnd(i), x = pick[i - 1];
        pick[i - 1] = pick[j];
        pick[j] = x;
    }
    if (m) {
        rewards_op *op;
        assert_int_equal(rewards_op_new(e, &op, "approve"), REWARDS_OK);
        assert_int_equal(rewards_op_set_string(op, "at", at()), REWARDS_OK);
        for (size_t i = 0; i < m; i++) {
            char path[32];
            snprintf(path, sizeof path, "entries.%zu", i);
            assert_int_equal(rewards_op_set_int(op, path, (int64_t)pick[i] + 1), REWARDS_OK);
        }
        assert_ok(e, rewards_engine_apply(e, op));
        rewards_op_free(op);
        for (size_t i = 0; i < m; i++)
            assert_int_equal(all[pick[i]]->status, RW_ST_APPROVED);
    }
    free(pick);
}

/* ---- payout runs ------------------------------------------------------------ */

static const char *rid(const rw_entry *en)
{
    return en->to == RW_TO_PARTNER ? en->partner->id : en->to_user->id;
}

static int by_recipient(const void *a, const void *b)
{
    const rw_entry *x = *(rw_entry *const *)a, *y = *(rw_entry *const *)b;
    if (x->to != y->to)
        return x->to < y->to ? -1 : 1;
    int c = strcmp(rid(x), rid(y));
    if (!c)
        c = strcmp(rw_entry_currency(x), rw_entry_currency(y));
    return c ? c : x->number < y->number ? -1 : x->number > y->number;
}

typedef struct sink {
    char *text;
    size_t n;
} sink;

static int to_sink(void *user, const char *data, size_t size)
{
    sink *s = user;
    s->text = realloc(s->text, s->n + size + 1);
    memcpy(s->text + s->n, data, size);
    s->n += size;
    s->text[s->n] = '\0';
    return 0;
}

/* The rows of a payouts CSV that belong to run id (the header dropped). */
static char *rows_of(const char *csv, const char *id)
{
    size_t len = strlen(id), n = 0;
    char *out = malloc(strlen(csv) + 1);
    for (const char *l = strchr(csv, '\n'); l && l[1]; l = strchr(l + 1, '\n'))
        if (!strncmp(l + 1, id, len) && l[1 + len] == ',') {
            const char *end = strchr(l + 1, '\n');
            size_t k = (size_t)(end - l);
            memcpy(out + n, l + 1, k);
            n += k;
        }
    out[n] = '\0';
    return out;
}

static void check_payout(rewards_engine *e, const char *id, int64_t until)
{
    size_t n, m = 0;
    rw_entry **all = entries(e, &n);
    /* the former scan: every approved, unpaid money entry with a recipient earned by until */
    rw_entry **due = malloc((n + 1) * sizeof *due);
    for (size_t i = 0; i < n; i++) {
        rw_entry *en = all[i];
        if (en->status == RW_ST_APPROVED && !en->run && en->earned_at <= until && strcmp(rw_entry_currency(en), "PTS") &&
            (en->to == RW_TO_PARTNER || en->to_user))
            due[m++] = en;
    }
    if (m)
        qsort(due, m, sizeof *due, by_recipient);
    unsigned char *paid = calloc(n + 1, 1);
    size_t nlines = 0;
    int64_t amounts[64], counts[64];
    for (size_t i = 0; i < m;) {
        size_t j = i;
        int64_t sum = 0;
        while (j < m && due[j]->to == due[i]->to && !strcmp(rid(due[j]), rid(due[i])) &&
               !strcmp(rw_entry_currency(due[j]), rw_entry_currency(due[i])))
            sum += due[j++]->amount;
        if (sum <= 0)
            st_carried++;
        if (sum > 0) {
            assert_true(nlines < 64);
            amounts[nlines] = sum;
            counts[nlines++] = (int64_t)(j - i);
            for (size_t k = i; k < j; k++)
                paid[due[k]->number - 1] = 1;
            st_paid += j - i;
        }
        i = j;
    }
    rw_status *before = malloc((n + 1) * sizeof *before);
    for (size_t i = 0; i < n; i++)
        before[i] = all[i]->status;
    sink preview = { NULL, 0 }, exported = { NULL, 0 };
    assert_ok(e, rewards_engine_preview_payout(e, id, until, to_sink, &preview));
    char t[32];
    rewards_time_format(until, t, sizeof t);
    assert_ok(e, eu_op(e, "payout", "at", at(), "id", id, "until", t, NULL));
    all = entries(e, &n);
    rw_run *run = rw_index_get(&e->runs, id);
    assert_non_null(run);
    for (size_t i = 0; i < n; i++) {
        rw_status want = paid[i] ? RW_ST_PAID : before[i];
        assert_int_equal(all[i]->status, want);
        assert_true(paid[i] ? all[i]->run == run : all[i]->run != run);
    }
    assert_int_equal(run->lines.len, nlines);
    st_lines += nlines;
    for (size_t i = 0; i < nlines; i++) {
        const rw_line *l = RW_VEC_AT(run->lines, rw_line *, i);
        assert_int_equal(l->amount, amounts[i]);
        assert_int_equal(l->count, counts[i]);
    }
    assert_ok(e, rewards_engine_export_payouts(e, to_sink, &exported));
    char *a = rows_of(preview.text, id), *b = rows_of(exported.text, id);
    assert_str(a, b);
    free(a);
    free(b);
    free(preview.text);
    free(exported.text);
    free(before);
    free(paid);
    free(due);
}

/* ---- balances ------------------------------------------------------------------ */

/* Every recipient's balances (kept by balance.c) against a sum over the whole ledger. */
static void check_balances(rewards_engine *e)
{
    size_t n;
    rw_entry **all = entries(e, &n);
    const char *ids[] = { "P0", "P1", "P2", "U00", "U01", "U10", "U11", "U20", "U21" };
    for (size_t r = 0; r < sizeof ids / sizeof ids[0]; r++) {
        int to = ids[r][0] == 'U';
        const void *who = rw_index_get(to ? &e->users : &e->partners, ids[r]);
        rewards_balance want = { REWARDS_BALANCE_VERSION, 0, 0, 0, 0, 0 }, got = want;
        for (size_t i = 0; i < n; i++) {
            const rw_entry *en = all[i];
            if ((int)en->to != to || (to ? (const void *)en->to_user : (const void *)en->partner) != who)
                continue;
            if (!strcmp(rw_entry_currency(en), "PTS")) {
                if (en->status == RW_ST_APPROVED || en->status == RW_ST_REDEEMED)
                    want.points += en->amount;
                continue;
            }
            int64_t *slot = en->status == RW_ST_PENDING ? &want.pending : en->status == RW_ST_APPROVED ? &want.approved
                            : en->status == RW_ST_HELD ? &want.held : &want.paid;
            *slot += en->amount;
        }
        assert_ok(e, rewards_engine_balance(e, &got, to ? "sales_rep" : "partner", ids[r]));
        assert_int_equal(got.pending, want.pending);
        assert_int_equal(got.approved, want.approved);
        assert_int_equal(got.held, want.held);
        assert_int_equal(got.paid, want.paid);
        assert_int_equal(got.points, want.points);
    }
}

/* ---- the history -------------------------------------------------------------- */

static void plan(rewards_engine *e)
{
    assert_ok(e, eu_op(e, "program", "id", "p", "name", "P", "currency", "USD", NULL));
    assert_ok(e, eu_op(e, "level", "id", "l", "program", "p", "name", "L", "rank:i", "1", NULL));
    assert_ok(e, eu_op(e, "reward", "id", "pct", "program", "p", "name", "Pct", "trigger", "deal_won", "recipient",
                       "partner", "kind", "percent", "rate", "10%", "clawback_days:i", "60", NULL));
    assert_ok(e, eu_op(e, "reward", "id", "rep", "program", "p", "name", "Rep", "trigger", "deal_won", "recipient",
                       "sales_rep", "kind", "fixed", "amount", "50.00", "clawback_days:i", "60", NULL));
    assert_ok(e, eu_op(e, "reward", "id", "auto", "program", "p", "name", "Auto", "trigger", "deal_won", "recipient",
                       "partner", "kind", "percent", "rate", "2%", "clawback_days:i", "60", "auto_approve:b", "true",
                       NULL));
    assert_ok(e, eu_op(e, "reward", "id", "pts", "program", "p", "name", "Pts", "trigger", "deal_won", "recipient",
                       "partner", "kind", "points", "points_per_unit", "1", NULL));
    for (int p = 0; p < 3; p++) {
        char id[8], uid[8];
        snprintf(id, sizeof id, "P%d", p);
        assert_ok(e, eu_op(e, "partner", "id", id, "program", "p", "level", "l", "name", id, NULL));
        for (int u = 0; u < 2; u++) {
            snprintf(uid, sizeof uid, "U%d%d", p, u);
            assert_ok(e, eu_op(e, "user", "id", uid, "partner", id, "name", uid, "portal_access:b", u ? "false" : "true",
                               NULL));
        }
    }
}

static int ndeals, nadj, nruns;

static void step(rewards_engine *e, int checked)
{
    char id[24], partner[8], user[8], amount[24], t[32];
    int p = (int)rnd(3), u = (int)rnd(2);
    snprintf(partner, sizeof partner, "P%d", p);
    snprintf(user, sizeof user, "U%d%d", p, u);
    now += (int64_t)rnd(3 * DAY);
    switch (rnd(13)) {
    case 0: case 1: case 2: case 3: { /* a deal, won, with a rep or none */
        snprintf(id, sizeof id, "d%d", ++ndeals);
        snprintf(amount, sizeof amount, "%d.%02d", 100 + (int)rnd(9000), (int)rnd(100));
        /* a rep with access, or none (the rep bonus is then held until one is assigned) */
        int with_rep = rnd(4) && ((rw_user *)rw_index_get(&e->users, user))->portal_access;
        assert_ok(e, eu_op(e, "deal", "at", at(), "id", id, "partner", partner, "currency", "USD", "amount", amount,
                           with_rep ? "user" : NULL, user, NULL));
        assert_ok(e, eu_op(e, "stage", "at", at(), "deal", id, "stage", "won", NULL));
        break;
    }
    case 4: { /* cancel a deal (its auto-approved earnings reversed inside the window) */
        if (!ndeals)
            break;
        snprintf(id, sizeof id, "d%d", 1 + (int)rnd((uint64_t)ndeals));
        rw_deal *d = rw_index_get(&e->deals, id);
        if (d->stage == RW_STAGE_WON)
            assert_ok(e, eu_op(e, "stage", "at", at(), "deal", id, "stage", "cancelled", NULL));
        break;
    }
    case 5: /* access toggled: a grant releases what was held for the want of it */
        assert_ok(e, eu_op(e, "user_access", "at", at(), "user", user, "portal_access:b",
                           ((rw_user *)rw_index_get(&e->users, user))->portal_access ? "false" : "true", NULL));
        break;
    case 6: { /* a rep assigned to a deal that had none: its holds released */
        if (!ndeals)
            break;
        snprintf(id, sizeof id, "d%d", 1 + (int)rnd((uint64_t)ndeals));
        rw_deal *d = rw_index_get(&e->deals, id);
        rw_user *us = rw_index_get(&e->users, user);
        if (!d->user && us->portal_access && us->partner == d->partner)
            assert_ok(e, eu_op(e, "assign", "at", at(), "deal", id, "user", user, NULL));
        break;
    }
    case 7: { /* a manual entry, either sign, approved or not */
        snprintf(id, sizeof id, "m%d", ++nadj);
        snprintf(amount, sizeof amount, "%s%d.00", rnd(2) ? "-" : "", 1 + (int)rnd(900));
        int to_user = rnd(2) && ((rw_user *)rw_index_get(&e->users, user))->portal_access;
        assert_ok(e, eu_op(e, "adjust", "at", at(), "id", id, "partner", partner, "amount", amount, "approved:b",
                           rnd(2) ? "true" : "false", to_user ? "user" : NULL, user, NULL));
        break;
    }
    case 8:
        approve_some(e);
        break;
    case 9: { /* approve up to a time in the past (sometimes now) */
        int64_t until = now - (int64_t)rnd(40) * DAY;
        if (checked)
            check_approve_until(e, until);
        else {
            rewards_time_format(until, t, sizeof t);
            assert_ok(e, eu_op(e, "approve", "at", at(), "until", t, NULL));
        }
        break;
    }
    case 11: { /* a redemption of some of a partner's approved points */
        rewards_balance b = { REWARDS_BALANCE_VERSION, 0, 0, 0, 0, 0 };
        assert_ok(e, rewards_engine_balance(e, &b, "partner", partner));
        if (b.points > 0) {
            char pts[24];
            snprintf(id, sizeof id, "x%d", ++nadj);
            snprintf(pts, sizeof pts, "%lld", (long long)(1 + (int64_t)rnd((uint64_t)b.points)));
            assert_ok(e, eu_op(e, "redeem", "at", at(), "id", id, "recipient_type", "partner", "recipient", partner,
                               "points", pts, NULL));
        }
        break;
    }
    default: { /* a run up to a time in the past (sometimes now) */
        int64_t until = now - (int64_t)rnd(30) * DAY;
        snprintf(id, sizeof id, "r%d", ++nruns);
        if (checked)
            check_payout(e, id, until);
        else {
            rewards_time_format(until, t, sizeof t);
            assert_ok(e, eu_op(e, "payout", "at", at(), "id", id, "until", t, NULL));
        }
        break;
    }
    }
}

static void test_queues_match_a_full_scan(void **state)
{
    (void)state;
    for (uint64_t seed = 1; seed <= 60; seed++) {
        seed_state = seed * 0x9E3779B97F4A7C15ULL;
        ndeals = nadj = nruns = 0;
        rewards_time_parse("2026-01-01", &now);
        mock m;
        memset(&m, 0, sizeof m);
        rewards_engine *e = new_engine(&m, NULL);
        plan(e);
        for (int i = 0; i < 150; i++) {
            if (i % 25 == 24) { /* a batch rolled back leaves everything, the queues too, as it was */
                char *fp = eu_fingerprint(e);
                int64_t t0 = now;
                int nd = ndeals, na = nadj, nr = nruns;
                uint64_t s0 = seed_state;
                assert_ok(e, rewards_engine_begin(e));
                for (int k = 0; k < 8; k++)
                    step(e, 0);
                assert_ok(e, rewards_engine_rollback(e));
                char *fp2 = eu_fingerprint(e);
                assert_str(fp2, fp);
                free(fp);
                free(fp2);
                now = t0, ndeals = nd, nadj = na, nruns = nr;
                seed_state = s0 + 1; /* then another path */
            }
            step(e, 1);
            check_balances(e);
            st_late_pending += e->pending_q.nlate;
            st_late_payable += e->payable_q.nlate;
        }
        grec *g = from_table(&m.committed);
        rewards_engine *r = new_engine(NULL, NULL);
        assert_ok(r, give(r, g, m.committed.n, seed));
        assert_same(e, r);
        free(g);
        rewards_engine_free(r);
        rewards_engine_free(e);
        mock_free(&m);
    }
    printf("%zu lines paying %zu entries, %zu groups carried forward, %zu approved up to a time; "
           "late entries seen after each operation: %zu pending, %zu payable\n",
           st_lines, st_paid, st_carried, st_approved_until, st_late_pending, st_late_payable);
    assert_true(st_carried > 0 && st_late_pending > 0 && st_late_payable > 0);
}

/*
 * A payout line overflows when a partial sum of its entries, in number
 * order, does not fit in int64 (what the full-ledger implementation
 * checked), even when the whole sum would; a line whose entries' magnitudes
 * fit is summed at once.  The run fails whole and changes nothing.
 */
static void test_payout_line_overflow(void **state)
{
    (void)state;
    rewards_engine *e = new_engine(NULL, NULL);
    now = 1767225600; /* 2026-01-01 */
    plan(e);
    /* 92,233,720,368,547,758.00 + 1.00 overflows at the second entry; -5.00 would bring it back */
    assert_ok(e, eu_op(e, "adjust", "at", at(), "id", "big", "partner", "P0", "amount", "92233720368547758.00",
                       "approved:b", "true", NULL));
    assert_ok(e, eu_op(e, "adjust", "at", at(), "id", "one", "partner", "P0", "amount", "1.00", "approved:b", "true",
                       NULL));
    assert_ok(e, eu_op(e, "adjust", "at", at(), "id", "back", "partner", "P0", "amount", "-5.00", "approved:b",
                       "true", NULL));
    char *before = eu_fingerprint(e);
    assert_int_equal(eu_op(e, "payout", "at", at(), "id", "r1", "until", at(), NULL), REWARDS_OVERFLOW);
    assert_non_null(strstr(rewards_engine_errmsg(e), "a payout line overflows"));
    sink preview = { NULL, 0 };
    assert_int_equal(rewards_engine_preview_payout(e, "r1", now, to_sink, &preview), REWARDS_OVERFLOW);
    free(preview.text);
    char *after = eu_fingerprint(e);
    assert_str(after, before);
    free(before);
    free(after);
    rewards_engine_free(e);
    /* near the limit, in an order whose partial sums fit: paid in one line */
    e = new_engine(NULL, NULL);
    plan(e);
    assert_ok(e, eu_op(e, "adjust", "at", at(), "id", "neg", "partner", "P1", "amount", "-50.00", "approved:b",
                       "true", NULL));
    assert_ok(e, eu_op(e, "adjust", "at", at(), "id", "big", "partner", "P1", "amount", "92233720368547758.00",
                       "approved:b", "true", NULL));
    assert_ok(e, eu_op(e, "adjust", "at", at(), "id", "one", "partner", "P1", "amount", "0.07", "approved:b",
                       "true", NULL));
    assert_ok(e, eu_op(e, "payout", "at", at(), "id", "r2", "until", at(), NULL));
    rw_run *run = rw_index_get(&e->runs, "r2");
    assert_int_equal(run->lines.len, 1);
    assert_int_equal(RW_VEC_AT(run->lines, rw_line *, 0)->amount, 9223372036854770807LL);
    assert_int_equal(RW_VEC_AT(run->lines, rw_line *, 0)->count, 3);
    rewards_engine_free(e);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_queues_match_a_full_scan),
        cmocka_unit_test(test_payout_line_overflow),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
