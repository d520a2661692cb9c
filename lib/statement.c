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

typedef struct totals {
    int64_t opening, earned, adjustments, reversals, manual, redemptions, paid;
} totals;

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
    cells(w, r, en->currency, row);
    rw_csv_int(w, (int64_t)en->number);
    rw_csv_time(w, at);
    rw_csv_word(w, rw_entry_type_names[en->type]);
    rw_csv_text(w, k ? k->deal->id : en->deal ? en->deal->id : "");
    rw_csv_text(w, k ? k->reward->id : "");
    rw_csv_word(w, rw_status_names[en->status]);
    rw_csv_amount(w, en->amount, en->exp);
    rw_csv_end_row(w);
}

#define ADD(x, v) (ovf |= rw_add((x), (v), &(x)))

/* One currency of one recipient's statement. */
static rewards_status statement_currency(rw_engine *e, rw_csv *w, const who *r, const rw_vec *entries,
                                         const char *currency, int exp, int64_t from, int64_t until)
{
    totals t = { 0, 0, 0, 0, 0, 0, 0 };
    int ovf = 0;
    for (size_t i = 0; i < entries->len; i++) {
        const rw_entry *en = RW_VEC_AT(*entries, rw_entry *, i);
        int64_t pat;
        if (!is_for(en, r) || strcmp(en->currency, currency))
            continue;
        if (en->earned_at < from)
            ADD(t.opening, en->amount);
        if (paid_at(en, &pat) && pat < from)
            ovf |= rw_sub(t.opening, en->amount, &t.opening);
    }
    total_row(w, r, currency, exp, "opening", from, t.opening);
    for (size_t i = 0; i < entries->len; i++) {
        const rw_entry *en = RW_VEC_AT(*entries, rw_entry *, i);
        if (!is_for(en, r) || strcmp(en->currency, currency) || en->earned_at < from || en->earned_at >= until)
            continue;
        entry_row(w, r, en, "entry", en->earned_at);
        switch (en->type) {
        case RW_ENTRY_EARNED: ADD(t.earned, en->amount); break;
        case RW_ENTRY_ADJUSTMENT: ADD(t.adjustments, en->amount); break;
        case RW_ENTRY_REVERSAL: ADD(t.reversals, en->amount); break;
        case RW_ENTRY_MANUAL: ADD(t.manual, en->amount); break;
        case RW_ENTRY_REDEMPTION: ADD(t.redemptions, en->amount); break;
        }
    }
    for (size_t i = 0; i < entries->len; i++) {
        const rw_entry *en = RW_VEC_AT(*entries, rw_entry *, i);
        int64_t pat;
        if (!is_for(en, r) || strcmp(en->currency, currency) || !paid_at(en, &pat) || pat < from || pat >= until)
            continue;
        entry_row(w, r, en, "payout", pat);
        ADD(t.paid, en->amount);
    }
    int64_t closing = t.opening;
    ADD(closing, t.earned);
    ADD(closing, t.adjustments);
    ADD(closing, t.reversals);
    ADD(closing, t.manual);
    ADD(closing, t.redemptions);
    ovf |= rw_sub(closing, t.paid, &closing);
    if (ovf)
        return rw_fail(e, REWARDS_OVERFLOW, "a statement total of %s '%s' overflows", rw_recipient_names[r->to],
                       r->to == RW_TO_PARTNER ? r->partner->id : r->user->id);
    total_row(w, r, currency, exp, "earned", RW_NONE, t.earned);
    total_row(w, r, currency, exp, "adjustments", RW_NONE, t.adjustments);
    total_row(w, r, currency, exp, "reversals", RW_NONE, t.reversals);
    total_row(w, r, currency, exp, "manual", RW_NONE, t.manual);
    total_row(w, r, currency, exp, "redemptions", RW_NONE, t.redemptions);
    total_row(w, r, currency, exp, "paid", RW_NONE, t.paid);
    total_row(w, r, currency, exp, "closing", until, closing);
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
            seen = is_for(o, r) && !strcmp(o->currency, en->currency);
        }
        if (!seen)
            RW_TRY(statement_currency(e, w, r, entries, en->currency, en->exp, from, until));
    }
    if (!any && always) /* a statement of nothing still says so, in the program currency */
        return statement_currency(e, w, r, entries, r->partner->program->currency, r->partner->program->exp, from, until);
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
    if (type) {
        if (!strcmp(type, "partner")) {
            if (!(one.partner = rw_index_get(&e->partners, id)))
                return rw_fail(e, REWARDS_NOT_FOUND, "no partner '%s'", id);
        } else if (!strcmp(type, "sales_rep")) {
            one.to = RW_TO_SALES_REP;
            if (!(one.user = rw_index_get(&e->users, id)))
                return rw_fail(e, REWARDS_NOT_FOUND, "no user '%s'", id);
            one.partner = one.user->partner;
        } else {
            return rw_fail(e, REWARDS_INVALID_ARGUMENT, "recipient type '%s' is not partner or sales_rep", type);
        }
    }
    if (write(user, header, sizeof header - 1))
        return rw_fail(e, REWARDS_STORAGE, "the export's write callback failed");
    rw_csv w;
    rw_csv_init(&w, write, user);
    rewards_status st = REWARDS_OK;
    if (type) {
        st = statement(e, &w, &one, from, until, 1);
    } else {
        rw_partner **ps = RW_RECORDS(e, RW_KIND_PARTNER, rw_partner);
        rw_user **us = RW_RECORDS(e, RW_KIND_USER, rw_user);
        for (size_t i = 0; i < RW_COUNT(e, RW_KIND_PARTNER) && !st; i++) {
            who r = { RW_TO_PARTNER, ps[i], NULL };
            st = statement(e, &w, &r, from, until, 0);
            for (size_t j = 0; j < RW_COUNT(e, RW_KIND_USER) && !st; j++) {
                if (us[j]->partner != ps[i])
                    continue;
                who u = { RW_TO_SALES_REP, ps[i], us[j] };
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
    RW_LEAVE(e);
    return st;
}

static rewards_status holds_call(rw_engine *e, rewards_write_fn write, void *user)
{
    static const char header[] = "entry,reason,since,partner,deal,user,reward,amount,currency\n";
    if (write(user, header, sizeof header - 1))
        return rw_fail(e, REWARDS_STORAGE, "the export's write callback failed");
    rw_csv w;
    rw_csv_init(&w, write, user);
    rw_entry **entries = RW_RECORDS(e, RW_KIND_ENTRY, rw_entry);
    for (size_t i = 0; i < RW_COUNT(e, RW_KIND_ENTRY); i++) {
        const rw_entry *en = entries[i];
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
        rw_csv_amount(&w, en->amount, en->exp);
        rw_csv_word(&w, en->currency);
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
    RW_LEAVE(e);
    return st;
}
