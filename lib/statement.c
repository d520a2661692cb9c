/*
 * statement.c - statements and the holds report (docs/traces.md), the two
 * documents finance asks for: what a recipient was owed, earned and paid
 * over a period, and what is held and why.
 *
 * A statement covers one recipient (the partner itself, or one of its
 * users: the entries whose recipient it is, as for balances) and the
 * half-open range [from, until), per currency.  Its balance at time t is
 * the sum of its entries recorded before t (redemptions are negative)
 * minus the entries paid by runs before t, so consecutive statements
 * chain: one's closing is the next one's opening.  Rows are written in
 * entry order; nothing is allocated except the short list of currencies.
 */
#include "trace_model.h"
#include "csv.h"
#include "ops.h"

#include <string.h>

typedef struct who {
    rw_recipient to;
    const rw_partner *partner;
    const rw_user *user;
} who;

static int is_for(const rw_entry *en, const who *w)
{
    if (en->to != w->to || en->partner != w->partner)
        return 0;
    return w->to == RW_TO_PARTNER || en->to_user == w->user;
}

static int paid_at(const rw_entry *en, int64_t *at)
{
    if (en->status != RW_ST_PAID || !en->run)
        return 0;
    *at = en->run->at;
    return 1;
}

static void cells(rw_csv *w, const who *r, const char *currency, const char *row)
{
    rw_csv_word(w, rw_recipient_names[r->to]);
    rw_csv_text(w, r->to == RW_TO_PARTNER ? r->partner->id : r->user->id);
    rw_csv_word(w, currency);
    rw_csv_word(w, row);
}

static void total_row(rw_csv *w, const who *r, const char *currency, int exp, const char *row, int64_t at, int64_t v)
{
    cells(w, r, currency, row);
    rw_csv_word(w, "");
    if (at == INT64_MIN || at == INT64_MAX)
        rw_csv_word(w, "");
    else
        rw_csv_time(w, at);
    for (int i = 0; i < 4; i++)
        rw_csv_word(w, "");
    rw_csv_amount(w, v, exp);
    rw_csv_end_row(w);
}

static void entry_row(rw_csv *w, const who *r, const rw_entry *en, const char *row, int64_t at)
{
    const rw_contrib *k = en->contrib;
    cells(w, r, rw_entry_currency(en), row);
    rw_csv_int(w, (int64_t)en->number);
    rw_csv_time(w, at);
    rw_csv_word(w, rw_entry_type_names[en->type]);
    rw_csv_text(w, rw_entry_about(en) ? rw_entry_about(en)->id : "");
    rw_csv_text(w, k ? k->reward->id : "");
    rw_csv_word(w, rw_status_names[en->status]);
    rw_csv_amount(w, en->amount, rw_entry_exp(en));
    rw_csv_end_row(w);
}

#define ADD(x, v) (ovf |= rw_add((x), (v), &(x)))

/* The totals of a statement, in this order (rewards_statement_total()'s row names). */
enum { T_OPENING, T_EARNED, T_ADJUSTMENTS, T_REVERSALS, T_MANUAL, T_REDEMPTIONS, T_PAID, T_CLOSING, T_COUNT };
static const char *const total_names[T_COUNT] = { "opening", "earned", "adjustments", "reversals", "manual",
                                                  "redemptions", "paid", "closing" };

/* The totals of one currency of r's statement over [from, until); 0, or -1 on overflow. */
static int sum_currency(const rw_vec *entries, const who *r, const char *currency, int64_t from, int64_t until,
                        int64_t *t)
{
    int ovf = 0;
    memset(t, 0, T_COUNT * sizeof *t);
    for (size_t i = 0; i < entries->len; i++) {
        const rw_entry *en = RW_VEC_AT(*entries, rw_entry *, i);
        int64_t pat;
        if (!is_for(en, r) || strcmp(rw_entry_currency(en), currency))
            continue;
        if (en->earned_at < from)
            ADD(t[T_OPENING], en->amount);
        else if (en->earned_at < until) {
            static const int col[] = { [RW_ENTRY_EARNED] = T_EARNED, [RW_ENTRY_ADJUSTMENT] = T_ADJUSTMENTS,
                                       [RW_ENTRY_REVERSAL] = T_REVERSALS, [RW_ENTRY_REDEMPTION] = T_REDEMPTIONS,
                                       [RW_ENTRY_MANUAL] = T_MANUAL };
            ADD(t[col[en->type]], en->amount);
        }
        if (paid_at(en, &pat) && pat < from)
            ovf |= rw_sub(t[T_OPENING], en->amount, &t[T_OPENING]);
        else if (paid_at(en, &pat) && pat < until)
            ADD(t[T_PAID], en->amount);
    }
    t[T_CLOSING] = t[T_OPENING];
    for (int k = T_EARNED; k <= T_REDEMPTIONS; k++)
        ADD(t[T_CLOSING], t[k]);
    ovf |= rw_sub(t[T_CLOSING], t[T_PAID], &t[T_CLOSING]);
    return ovf ? -1 : 0;
}

static rewards_status overflowed(rw_engine *e, const who *r)
{
    return rw_fail(e, REWARDS_OVERFLOW, "a statement total of %s '%s' overflows", rw_recipient_names[r->to],
                   r->to == RW_TO_PARTNER ? r->partner->id : r->user->id);
}

/* One currency of one recipient's statement. */
static rewards_status statement_currency(rw_engine *e, rw_csv *w, const who *r, const rw_vec *entries,
                                         const char *currency, int exp, int64_t from, int64_t until)
{
    int64_t t[T_COUNT];
    if (sum_currency(entries, r, currency, from, until, t))
        return overflowed(e, r);
    total_row(w, r, currency, exp, "opening", from, t[T_OPENING]);
    for (size_t i = 0; i < entries->len; i++) {
        const rw_entry *en = RW_VEC_AT(*entries, rw_entry *, i);
        if (is_for(en, r) && !strcmp(rw_entry_currency(en), currency) && en->earned_at >= from && en->earned_at < until)
            entry_row(w, r, en, "entry", en->earned_at);
    }
    for (size_t i = 0; i < entries->len; i++) {
        const rw_entry *en = RW_VEC_AT(*entries, rw_entry *, i);
        int64_t pat;
        if (is_for(en, r) && !strcmp(rw_entry_currency(en), currency) && paid_at(en, &pat) && pat >= from && pat < until)
            entry_row(w, r, en, "payout", pat);
    }
    for (int k = T_EARNED; k <= T_PAID; k++)
        total_row(w, r, currency, exp, total_names[k], RW_NONE, t[k]);
    total_row(w, r, currency, exp, "closing", until, t[T_CLOSING]);
    return REWARDS_OK;
}

/* A recipient's statement: its currencies in order of first use. */
static rewards_status statement(rw_engine *e, rw_csv *w, const who *r, int64_t from, int64_t until, int always)
{
    const rw_vec *entries = &r->partner->entries;
    int any = 0;
    for (size_t i = 0; i < entries->len; i++) {
        const rw_entry *en = RW_VEC_AT(*entries, rw_entry *, i);
        if (!is_for(en, r))
            continue;
        any = 1;
        int seen = 0;
        for (size_t j = 0; j < i && !seen; j++) {
            const rw_entry *o = RW_VEC_AT(*entries, rw_entry *, j);
            seen = is_for(o, r) && !strcmp(rw_entry_currency(o), rw_entry_currency(en));
        }
        if (!seen)
            RW_TRY(statement_currency(e, w, r, entries, rw_entry_currency(en), rw_entry_exp(en), from, until));
    }
    if (!any && always) /* a statement of nothing still says so, in the program currency */
        return statement_currency(e, w, r, entries, r->partner->program->currency, r->partner->program->exp, from, until);
    return REWARDS_OK;
}

/* The recipient a type ("partner", "sales_rep") and id name. */
static rewards_status resolve(rw_engine *e, const char *type, const char *id, who *out)
{
    out->to = RW_TO_PARTNER;
    out->partner = NULL;
    out->user = NULL;
    if (!strcmp(type, "partner")) {
        if (!(out->partner = rw_index_get(&e->partners, id)))
            return rw_fail(e, REWARDS_NOT_FOUND, "no partner '%s'", id);
    } else if (!strcmp(type, "sales_rep")) {
        out->to = RW_TO_SALES_REP;
        if (!(out->user = rw_index_get(&e->users, id)))
            return rw_fail(e, REWARDS_NOT_FOUND, "no user '%s'", id);
        out->partner = out->user->partner;
    } else {
        return rw_fail(e, REWARDS_INVALID_ARGUMENT, "recipient type '%s' is not partner or sales_rep", type);
    }
    return REWARDS_OK;
}

static rewards_status statements_call(rw_engine *e, const char *type, const char *id, int64_t from, int64_t until,
                                      rewards_write_fn write, void *user)
{
    static const char header[] = "recipient_type,recipient,currency,row,entry,at,type,deal,reward,status,amount\n";
    if ((type == NULL) != (id == NULL))
        return rw_fail(e, REWARDS_INVALID_ARGUMENT, "give both a recipient type and a recipient, or neither");
    if (until <= from)
        return rw_fail(e, REWARDS_INVALID_ARGUMENT, "the statement's 'until' must be after its 'from'");
    who one = { RW_TO_PARTNER, NULL, NULL };
    if (type)
        RW_TRY(resolve(e, type, id, &one));
    if (write(user, header, sizeof header - 1))
        return rw_fail(e, REWARDS_STORAGE, "the export's write callback failed");
    rw_csv w;
    rw_csv_init(&w, write, user);
    rewards_status st = REWARDS_OK;
    if (type) {
        st = statement(e, &w, &one, from, until, 1);
    } else {
        for (size_t i = 0; i < RW_COUNT(e, RW_KIND_PARTNER) && !st; i++) {
            rw_partner *pa = RW_REC_AT(e, RW_KIND_PARTNER, rw_partner, i);
            who r = { RW_TO_PARTNER, pa, NULL };
            st = statement(e, &w, &r, from, until, 0);
            for (size_t j = 0; j < RW_COUNT(e, RW_KIND_USER) && !st; j++) {
                rw_user *us = RW_REC_AT(e, RW_KIND_USER, rw_user, j);
                if (us->partner != pa)
                    continue;
                who u = { RW_TO_SALES_REP, pa, us };
                st = statement(e, &w, &u, from, until, 0);
            }
        }
    }
    if (rw_csv_finish(&w))
        return rw_fail(e, REWARDS_STORAGE, "the export's write callback failed");
    return st;
}

rewards_status rewards_engine_export_statements(rewards_engine *e, const char *type, const char *id, int64_t from,
                                                int64_t until, rewards_write_fn write, void *user)
{
    if (!e || !write)
        return REWARDS_MISUSE;
    RW_TRY(rw_read_ready(e, "rewards_engine_export_statements"));
    rewards_status st = statements_call(e, type, id, from, until, write, user);
    return rw_leave(e, st);
}

static rewards_status holds_call(rw_engine *e, rewards_write_fn write, void *user)
{
    static const char header[] = "entry,reason,since,partner,deal,user,reward,amount,currency\n";
    if (write(user, header, sizeof header - 1))
        return rw_fail(e, REWARDS_STORAGE, "the export's write callback failed");
    rw_csv w;
    rw_csv_init(&w, write, user);
    for (size_t i = 0; i < RW_COUNT(e, RW_KIND_ENTRY); i++) {
        const rw_entry *en = RW_REC_AT(e, RW_KIND_ENTRY, rw_entry, i);
        if (en->status != RW_ST_HELD)
            continue;
        const rw_contrib *k = en->contrib;
        rw_csv_int(&w, (int64_t)en->number);
        rw_csv_word(&w, rw_hold_names[en->hold]);
        rw_csv_time(&w, en->earned_at);
        rw_csv_text(&w, en->partner->id);
        rw_csv_text(&w, k ? k->deal->id : "");
        rw_csv_text(&w, en->to_user ? en->to_user->id : "");
        rw_csv_text(&w, k ? k->reward->id : "");
        rw_csv_amount(&w, en->amount, rw_entry_exp(en));
        rw_csv_word(&w, rw_entry_currency(en));
        rw_csv_end_row(&w);
    }
    if (rw_csv_finish(&w))
        return rw_fail(e, REWARDS_STORAGE, "the export's write callback failed");
    return REWARDS_OK;
}

rewards_status rewards_engine_export_holds(rewards_engine *e, rewards_write_fn write, void *user)
{
    if (!e || !write)
        return REWARDS_MISUSE;
    RW_TRY(rw_read_ready(e, "rewards_engine_export_holds"));
    rewards_status st = holds_call(e, write, user);
    return rw_leave(e, st);
}

/* ---- the statement as a structure (rewards_engine_statement) ------------------ */

typedef struct st_currency {
    char code[4];
    int64_t t[T_COUNT];
} st_currency;

struct rewards_statement {
    rw_alloc alloc;
    st_currency *cur;
    size_t ncur;
    const rw_entry **rec, **paid; /* recorded in the range; paid in the range (entry order) */
    size_t nrec, npaid;
};

void rewards_statement_free(rewards_statement *s)
{
    if (!s)
        return;
    rw_alloc a = s->alloc;
    rw_free(&a, s->cur);
    rw_free(&a, s->rec);
    rw_free(&a, s->paid);
    rw_free(&a, s);
}

static rewards_status statement_build(rw_engine *e, const who *r, int64_t from, int64_t until, rewards_statement *s)
{
    const rw_vec *entries = &r->partner->entries;
    size_t n = entries->len ? entries->len : 1;
    /* at most one currency per entry, plus the program's for a statement of nothing */
    s->cur = rw_calloc(&e->alloc, n + 1, sizeof *s->cur);
    s->rec = rw_calloc(&e->alloc, n, sizeof *s->rec);
    s->paid = rw_calloc(&e->alloc, n, sizeof *s->paid);
    if (!s->cur || !s->rec || !s->paid)
        return rw_nomem(e);
    for (size_t i = 0; i < entries->len; i++) {
        const rw_entry *en = RW_VEC_AT(*entries, rw_entry *, i);
        int64_t pat;
        if (!is_for(en, r))
            continue;
        size_t c = 0;
        while (c < s->ncur && strcmp(s->cur[c].code, rw_entry_currency(en)))
            c++;
        if (c == s->ncur)
            memcpy(s->cur[s->ncur++].code, rw_entry_currency(en), 4);
        if (en->earned_at >= from && en->earned_at < until)
            s->rec[s->nrec++] = en;
        if (paid_at(en, &pat) && pat >= from && pat < until)
            s->paid[s->npaid++] = en;
    }
    if (!s->ncur)
        memcpy(s->cur[s->ncur++].code, r->partner->program->currency, 4);
    for (size_t c = 0; c < s->ncur; c++)
        if (sum_currency(entries, r, s->cur[c].code, from, until, s->cur[c].t))
            return overflowed(e, r);
    return REWARDS_OK;
}

rewards_status rewards_engine_statement(rewards_engine *e, rewards_statement **out, const char *type, const char *id,
                                        int64_t from, int64_t until)
{
    if (!e || !out || !type || !id)
        return REWARDS_MISUSE;
    *out = NULL;
    RW_TRY(rw_read_ready(e, "rewards_engine_statement"));
    who r;
    rewards_status st = until <= from ? rw_fail(e, REWARDS_INVALID_ARGUMENT, "the statement's 'until' must be after its 'from'")
                                      : resolve(e, type, id, &r);
    rewards_statement *s = NULL;
    if (!st && !(s = rw_calloc(&e->alloc, 1, sizeof *s)))
        st = rw_nomem(e);
    if (!st) {
        s->alloc = e->alloc;
        st = statement_build(e, &r, from, until, s);
    }
    if (st)
        rewards_statement_free(s);
    else
        *out = s;
    return rw_leave(e, st);
}

size_t rewards_statement_currency_count(const rewards_statement *s) { return s ? s->ncur : 0; }
const char *rewards_statement_currency(const rewards_statement *s, size_t i)
{
    return s && i < s->ncur ? s->cur[i].code : NULL;
}

rewards_status rewards_statement_total(const rewards_statement *s, const char *currency, const char *row, int64_t *out)
{
    if (!s || !currency || !row || !out)
        return REWARDS_MISUSE;
    for (size_t c = 0; c < s->ncur; c++) {
        if (strcmp(s->cur[c].code, currency))
            continue;
        for (int k = 0; k < T_COUNT; k++)
            if (!strcmp(total_names[k], row)) {
                *out = s->cur[c].t[k];
                return REWARDS_OK;
            }
        return REWARDS_INVALID_ARGUMENT;
    }
    return REWARDS_NOT_FOUND;
}

size_t rewards_statement_entry_count(const rewards_statement *s) { return s ? s->nrec : 0; }
const rewards_entry *rewards_statement_entry(const rewards_statement *s, size_t i)
{
    return s && i < s->nrec ? (const rewards_entry *)s->rec[i] : NULL;
}
size_t rewards_statement_payout_count(const rewards_statement *s) { return s ? s->npaid : 0; }
const rewards_entry *rewards_statement_payout_entry(const rewards_statement *s, size_t i)
{
    return s && i < s->npaid ? (const rewards_entry *)s->paid[i] : NULL;
}
