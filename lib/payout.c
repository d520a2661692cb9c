/*
 * payout.c - payout runs, their preview, and the payouts and ledger exports.
 *
 * A run takes every approved, unpaid money entry earned by its cut-off,
 * groups it by recipient and currency, and pays each group whose sum is
 * positive; a group that nets to zero or less (reversals larger than new
 * earnings) is carried forward untouched.  The preview is the same
 * computation without the records.
 *
 * Both read only the payable entries (entry_queue.c) earned by the
 * cut-off, so they cost in proportion to those, not to the ledger.
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

/* Groups in payout-line order: recipient type, recipient id, currency. */
static int by_line_order(const void *a, const void *b)
{
    const pgroup *x = a, *y = b;
    if (x->to != y->to)
        return x->to < y->to ? -1 : 1;
    int c = strcmp(x->to == RW_TO_PARTNER ? x->partner->id : x->user->id,
                   y->to == RW_TO_PARTNER ? y->partner->id : y->user->id);
    return c ? c : strcmp(x->currency, y->currency);
}

static int by_number(const void *a, const void *b)
{
    const rw_entry *x = *(rw_entry *const *)a, *y = *(rw_entry *const *)b;
    return x->number < y->number ? -1 : x->number > y->number;
}

static void plan_free(rw_engine *e, plan *p)
{
    rw_free(&e->alloc, p->entries);
    rw_free(&e->alloc, p->groups);
}

static rewards_status take(rw_engine *e, plan *p, size_t *cap, rw_entry *en)
{
    if (p->nentries == *cap) {
        size_t ncap = *cap ? *cap * 2 : 64;
        rw_entry **ne = ncap <= (size_t)-1 / sizeof *ne ? rw_realloc(&e->alloc, p->entries, ncap * sizeof *ne) : NULL;
        if (!ne)
            return rw_nomem(e);
        p->entries = ne;
        *cap = ncap;
    }
    p->entries[p->nentries++] = en;
    return REWARDS_OK;
}

/* The payable entries earned at or before until (entry_queue.c: the main part in time order). */
static rewards_status collect(rw_engine *e, int64_t until, plan *p)
{
    const rw_equeue *q = &e->payable_q;
    size_t cap = 0;
    for (size_t i = q->head; i < q->len; i++) {
        rw_entry *en = rw_equeue_at(q, i);
        if (!rw_entry_payable(en))
            continue;
        if (en->earned_at > until)
            break;
        RW_TRY(take(e, p, &cap, en));
    }
    for (size_t i = 0; i < q->nlate; i++)
        if (rw_entry_payable(q->late[i]) && q->late[i]->earned_at <= until)
            RW_TRY(take(e, p, &cap, q->late[i]));
    return REWARDS_OK;
}

static uint64_t group_hash(const rw_entry *en)
{
    uint64_t h = (uint64_t)(uintptr_t)(en->to == RW_TO_PARTNER ? (void *)en->partner : (void *)en->to_user);
    unsigned char c[4];
    memcpy(c, en->currency, 4);
    h ^= ((uint64_t)c[0] << 40 | (uint64_t)c[1] << 48 | (uint64_t)c[2] << 56) + (uint64_t)en->to;
    h *= 0x9E3779B97F4A7C15ULL;
    return h ^ (h >> 31);
}

static int in_group(const pgroup *g, const rw_entry *en)
{
    return g->to == en->to && (en->to == RW_TO_PARTNER ? g->partner == en->partner : g->user == en->to_user) &&
           !strcmp(g->currency, en->currency);
}

/*
 * Group the collected entries (k of them) by recipient and currency with a
 * scratch hash table, sort the groups (not the entries) by recipient id,
 * and lay the entries out group by group, each group's in number order:
 * the order of the lines and of the entries they pay, in O(k + groups log
 * groups) string comparisons instead of O(k log k).
 */
static rewards_status arrange(rw_engine *e, plan *p)
{
    size_t k = p->nentries, cap = 16;
    while (cap < 2 * k)
        cap *= 2;
    size_t *slots = rw_calloc(&e->alloc, cap, sizeof *slots); /* group index + 1, 0: empty */
    size_t *of = rw_malloc(&e->alloc, (k + 1) * sizeof *of);  /* each entry's group */
    pgroup *found = rw_malloc(&e->alloc, (k + 1) * sizeof *found);
    rw_entry **sorted = rw_malloc(&e->alloc, (k + 1) * sizeof *sorted);
    rewards_status st = REWARDS_OK;
    if (!slots || !of || !found || !sorted) {
        st = rw_nomem(e);
        goto done;
    }
    size_t n = 0;
    for (size_t i = 0; i < k; i++) {
        rw_entry *en = p->entries[i];
        size_t j = group_hash(en) & (cap - 1);
        while (slots[j] && !in_group(&found[slots[j] - 1], en))
            j = (j + 1) & (cap - 1);
        if (!slots[j]) {
            pgroup *g = &found[n];
            memset(g, 0, sizeof *g);
            g->to = en->to;
            g->partner = en->to == RW_TO_PARTNER ? en->partner : en->to_user->partner;
            g->user = en->to_user;
            g->currency = en->currency;
            g->exp = en->exp;
            slots[j] = ++n;
        }
        of[i] = slots[j] - 1;
        found[of[i]].count++;
    }
    /* found[g].first: where group g's entries go once the groups are in line order */
    for (size_t g = 0; g < n; g++)
        found[g].amount = (int64_t)g; /* remember each group's discovery index through the sort */
    qsort(found, n, sizeof *found, by_line_order);
    size_t *pos = slots; /* reused: discovery index -> next free place in sorted */
    size_t at = 0;
    for (size_t g = 0; g < n; g++) {
        pos[found[g].amount] = at;
        found[g].first = at;
        at += (size_t)found[g].count;
    }
    for (size_t i = 0; i < k; i++)
        sorted[pos[of[i]]++] = p->entries[i];
    for (size_t g = 0; g < n && !st; g++) {
        pgroup *gr = &found[g];
        rw_entry **ens = sorted + gr->first;
        size_t c = (size_t)gr->count;
        for (size_t i = 1; i < c; i++)
            if (ens[i - 1]->number > ens[i]->number) { /* the queue's late part, or equal times */
                qsort(ens, c, sizeof *ens, by_number);
                break;
            }
        gr->amount = 0;
        for (size_t i = 0; i < c; i++)
            if (rw_add(gr->amount, ens[i]->amount, &gr->amount)) {
                st = rw_fail(e, REWARDS_OVERFLOW, "a payout line overflows");
                break;
            }
    }
    if (!st) {
        rw_entry **t = p->entries;
        p->entries = sorted;
        sorted = t;
        rw_free(&e->alloc, p->groups);
        p->groups = found;
        p->ngroups = n;
        found = NULL;
    }
done:
    rw_free(&e->alloc, slots);
    rw_free(&e->alloc, of);
    rw_free(&e->alloc, found);
    rw_free(&e->alloc, sorted);
    return st;
}

/* The run's lines: the payable entries by recipient and currency, each group's entries in number order. */
static rewards_status plan_run(rw_engine *e, int64_t until, plan *p)
{
    memset(p, 0, sizeof *p);
    rewards_status st = collect(e, until, p);
    if (!st && p->nentries)
        st = arrange(e, p);
    if (st)
        plan_free(e, p);
    return st;
}

static rewards_status forget_paid(rw_engine *e)
{
    rw_equeue *q = &e->payable_q;
    RW_TRY(rw_equeue_advance(e, q, q->head, rw_entry_payable));
    for (size_t j = 0; j < q->nlate;) {
        if (rw_entry_payable(q->late[j]))
            j++;
        else
            RW_TRY(rw_equeue_drop_late(e, q, j));
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
            if (rw_mark(e, &en->h) || rw_balance_add(e, en, -1) || RW_SET(e, en->status, RW_ST_PAID) ||
                RW_SET(e, en->run, run) || rw_balance_add(e, en, 1)) {
                st = rw_nomem(e);
                break;
            }
        }
    }
    plan_free(e, &p);
    if (!st) /* what was paid leaves the payable queue */
        st = forget_paid(e);
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
