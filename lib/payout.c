/*
 * payout.c - payout runs, their preview, and the payouts and ledger exports.
 *
 * A run takes every approved, unpaid money entry earned by its cut-off,
 * groups it by recipient and currency, and pays each group whose sum is
 * positive; a group that nets to zero or less (reversals larger than new
 * earnings) is carried forward untouched.  The preview is the same
 * computation without the records.
 */
#include "ops.h"
#include "csv.h"

#include <stdlib.h>
#include <string.h>

typedef struct pgroup {
    rw_recipient to;
    rw_partner *partner;
    rw_user *user;
    const char *currency;
    int exp;
    int64_t amount;
    int64_t count;
    size_t first; /* index of its first entry in the sorted list */
} pgroup;

typedef struct plan {
    rw_entry **entries;
    size_t nentries;
    pgroup *groups;
    size_t ngroups;
} plan;

static const char *recipient_id(const rw_entry *en)
{
    return en->to == RW_TO_PARTNER ? en->partner->id : en->to_user->id;
}

static int by_recipient(const void *a, const void *b)
{
    const rw_entry *x = *(rw_entry *const *)a, *y = *(rw_entry *const *)b;
    if (x->to != y->to)
        return x->to < y->to ? -1 : 1;
    int c = strcmp(recipient_id(x), recipient_id(y));
    if (!c)
        c = strcmp(x->currency, y->currency);
    if (!c)
        c = x->number < y->number ? -1 : x->number > y->number;
    return c;
}

static void plan_free(rw_engine *e, plan *p)
{
    rw_free(&e->alloc, p->entries);
    rw_free(&e->alloc, p->groups);
}

static rewards_status plan_run(rw_engine *e, int64_t until, plan *p)
{
    memset(p, 0, sizeof *p);
    size_t n = RW_COUNT(e, RW_KIND_ENTRY);
    p->entries = rw_malloc(&e->alloc, (n + 1) * sizeof *p->entries);
    p->groups = rw_malloc(&e->alloc, (n + 1) * sizeof *p->groups);
    if (!p->entries || !p->groups) {
        plan_free(e, p);
        return rw_nomem(e);
    }
    for (size_t i = 0; i < n; i++) {
        rw_entry *en = RW_REC_AT(e, RW_KIND_ENTRY, rw_entry, i);
        /* a held entry with no user has no recipient yet; it is never approved anyway */
        if (en->status == RW_ST_APPROVED && !en->run && en->earned_at <= until && strcmp(en->currency, "PTS") &&
            (en->to == RW_TO_PARTNER || en->to_user))
            p->entries[p->nentries++] = en;
    }
    qsort(p->entries, p->nentries, sizeof *p->entries, by_recipient);
    pgroup *g = NULL;
    for (size_t i = 0; i < p->nentries; i++) {
        rw_entry *en = p->entries[i];
        if (!g || g->to != en->to || strcmp(recipient_id(en), g->to == RW_TO_PARTNER ? g->partner->id : g->user->id) ||
            strcmp(g->currency, en->currency)) {
            g = &p->groups[p->ngroups++];
            memset(g, 0, sizeof *g);
            g->to = en->to;
            g->partner = en->to == RW_TO_PARTNER ? en->partner : en->to_user->partner;
            g->user = en->to_user;
            g->currency = en->currency;
            g->exp = en->exp;
            g->first = i;
        }
        g->count++;
        if (rw_add(g->amount, en->amount, &g->amount)) {
            plan_free(e, p);
            return rw_fail(e, REWARDS_OVERFLOW, "a payout line overflows");
        }
    }
    return REWARDS_OK;
}

rewards_status rw_op_payout(rw_ctx *c)
{
    rw_engine *e = c->e;
    const char *id;
    int64_t until;
    RW_TRY(rw_get_at(c));
    RW_TRY(rw_get_new_id(c, "id", &e->runs, "payout", &id));
    RW_TRY(rw_get_time(c, "until", RW_REQUIRED, &until));
    plan p;
    RW_TRY(plan_run(e, until, &p));
    rewards_status st = REWARDS_OK;
    rw_run *run = rw_new_record(e, RW_KIND_RUN, sizeof *run);
    if (!run || !(run->id = rw_new_str(e, id, strlen(id))))
        st = rw_nomem(e);
    if (!st) {
        run->at = c->at;
        run->until = until;
        st = rw_link_record(e, &run->h);
    }
    for (size_t i = 0; i < p.ngroups && !st; i++) {
        pgroup *g = &p.groups[i];
        if (g->amount <= 0)
            continue;
        rw_line *l = rw_new_record(e, RW_KIND_LINE, sizeof *l);
        if (!l) {
            st = rw_nomem(e);
            break;
        }
        l->run = run;
        l->index = run->lines.len;
        l->to = g->to;
        l->partner = g->partner;
        l->user = g->user;
        memcpy(l->currency, g->currency, 4);
        l->exp = g->exp;
        l->amount = g->amount;
        l->count = g->count;
        st = rw_link_record(e, &l->h);
        for (size_t k = 0; k < (size_t)g->count && !st; k++) {
            rw_entry *en = p.entries[g->first + k];
            if (RW_MARK_SET(e, en, en->status, RW_ST_PAID) || RW_SET(e, en->run, run)) {
                st = rw_nomem(e);
                break;
            }
        }
    }
    plan_free(e, &p);
    if (!st) {
        rw_event ev = { REWARDS_EVENT_PAYOUT_CREATED, NULL, NULL, NULL, NULL, NULL, NULL, NULL, run, c->at };
        st = rw_queue_event(e, &ev);
    }
    return st;
}

/* ---- exports ------------------------------------------------------------ */

static const char payouts_header[] = "payout,recipient_type,recipient,recipient_name,partner,partner_name,currency,amount,entries\n";

static void payout_row(rw_csv *w, const char *run, rw_recipient to, const rw_partner *p, const rw_user *u,
                       const char *currency, int exp, int64_t amount, int64_t count)
{
    rw_csv_text(w, run);
    rw_csv_word(w, rw_recipient_names[to]);
    rw_csv_text(w, to == RW_TO_PARTNER ? p->id : u->id);
    rw_csv_text(w, to == RW_TO_PARTNER ? p->name : u->name);
    rw_csv_text(w, p->id);
    rw_csv_text(w, p->name);
    rw_csv_word(w, currency);
    rw_csv_amount(w, amount, exp);
    rw_csv_int(w, count);
    rw_csv_end_row(w);
}

/* Every export enters the engine (guard.c): the write callback may not call it. */
static rewards_status export_ready(rw_engine *e, rewards_write_fn write, const char *fn)
{
    if (!e || !write)
        return REWARDS_MISUSE;
    RW_TRY(rw_enter(e, fn));
    if (e->restoring) {
        RW_LEAVE(e);
        return rw_fail(e, REWARDS_MISUSE, "%s: a restore is in progress (call rewards_engine_restore_finish first)", fn);
    }
    return REWARDS_OK;
}

static rewards_status finish(rw_engine *e, rw_csv *w)
{
    if (rw_csv_finish(w))
        return rw_fail(e, REWARDS_STORAGE, "the export's write callback failed");
    return REWARDS_OK;
}

static rewards_status export_payouts_call(rewards_engine *e, rewards_write_fn write, void *user)
{
    rw_csv w;
    rw_csv_init(&w, write, user);
    if (write(user, payouts_header, sizeof payouts_header - 1))
        return rw_fail(e, REWARDS_STORAGE, "the export's write callback failed");
    for (size_t i = 0; i < RW_COUNT(e, RW_KIND_LINE); i++) {
        const rw_line *l = RW_REC_AT(e, RW_KIND_LINE, rw_line, i);
        payout_row(&w, l->run->id, l->to, l->partner, l->user, l->currency, l->exp, l->amount, l->count);
    }
    return finish(e, &w);
}

static rewards_status preview_payout_call(rewards_engine *e, const char *id, int64_t until, rewards_write_fn write,
                                   void *user)
{
    if (!id)
        return REWARDS_MISUSE;
    plan p;
    RW_TRY(plan_run(e, until, &p));
    rw_csv w;
    rw_csv_init(&w, write, user);
    if (write(user, payouts_header, sizeof payouts_header - 1)) {
        plan_free(e, &p);
        return rw_fail(e, REWARDS_STORAGE, "the export's write callback failed");
    }
    for (size_t i = 0; i < p.ngroups; i++) {
        const pgroup *g = &p.groups[i];
        if (g->amount > 0)
            payout_row(&w, id, g->to, g->partner, g->user, g->currency, g->exp, g->amount, g->count);
    }
    plan_free(e, &p);
    return finish(e, &w);
}

static rewards_status export_ledger_call(rewards_engine *e, rewards_write_fn write, void *user)
{
    static const char header[] =
        "entry,type,reward,deal,partner,recipient_type,recipient,amount,currency,status,reason,period,earned_at,payout\n";
    if (write(user, header, sizeof header - 1))
        return rw_fail(e, REWARDS_STORAGE, "the export's write callback failed");
    rw_csv w;
    rw_csv_init(&w, write, user);
    for (size_t i = 0; i < RW_COUNT(e, RW_KIND_ENTRY); i++) {
        const rw_entry *en = RW_REC_AT(e, RW_KIND_ENTRY, rw_entry, i);
        const rw_contrib *k = en->contrib;
        rw_csv_int(&w, (int64_t)en->number);
        rw_csv_word(&w, rw_entry_type_names[en->type]);
        rw_csv_text(&w, k ? k->reward->id : "");
        rw_csv_text(&w, k ? k->deal->id : en->deal ? en->deal->id : "");
        rw_csv_text(&w, en->partner->id);
        rw_csv_word(&w, rw_recipient_names[en->to]);
        rw_csv_text(&w, en->to == RW_TO_PARTNER ? en->partner->id : en->to_user ? en->to_user->id : "");
        rw_csv_amount(&w, en->amount, en->exp);
        rw_csv_word(&w, en->currency);
        rw_csv_word(&w, rw_status_names[en->status]);
        rw_csv_word(&w, rw_hold_names[en->hold]);
        rw_csv_word(&w, k ? k->period : "");
        rw_csv_time(&w, en->earned_at);
        rw_csv_text(&w, en->run ? en->run->id : "");
        rw_csv_end_row(&w);
    }
    return finish(e, &w);
}

rewards_status rewards_engine_export_payouts(rewards_engine *e, rewards_write_fn write, void *user)
{
    RW_TRY(export_ready(e, write, "rewards_engine_export_payouts"));
    rewards_status st = export_payouts_call(e, write, user);
    RW_LEAVE(e);
    return st;
}

rewards_status rewards_engine_preview_payout(rewards_engine *e, const char *id, int64_t until, rewards_write_fn write,
                                             void *user)
{
    RW_TRY(export_ready(e, write, "rewards_engine_preview_payout"));
    rewards_status st = preview_payout_call(e, id, until, write, user);
    RW_LEAVE(e);
    return st;
}

rewards_status rewards_engine_export_ledger(rewards_engine *e, rewards_write_fn write, void *user)
{
    RW_TRY(export_ready(e, write, "rewards_engine_export_ledger"));
    rewards_status st = export_ledger_call(e, write, user);
    RW_LEAVE(e);
    return st;
}
