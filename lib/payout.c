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
    size_t index;  /* arrange(): its discovery index */
    rw_i128 sum;   /* arrange(): the exact sum, and the sum of magnitudes (no partial sum exceeds it) */
    rw_i128 mag;
} pgroup;

typedef struct plan {
    rw_entry **entries; /* as taken from the queue (creation order, mostly) */
    size_t *group_of;   /* each entry's group (once arranged: its index in groups) */
    size_t nentries;
    pgroup *groups;     /* in line order */
    size_t ngroups;
    size_t nmain, stop; /* entries[0, nmain) came from the queue's main part, whose walk stopped at stop */
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
    rw_free(&e->alloc, p->group_of);
}

static uint64_t key_hash(rw_recipient to, const void *who, const char *currency)
{
    uint64_t h = (uint64_t)(uintptr_t)who;
    unsigned char c[4];
    memcpy(c, currency, 4);
    h ^= ((uint64_t)c[0] << 40 | (uint64_t)c[1] << 48 | (uint64_t)c[2] << 56) + (uint64_t)to;
    h *= 0x9E3779B97F4A7C15ULL;
    return h ^ (h >> 31);
}

static uint64_t entry_hash(const rw_entry *en)
{
    return key_hash(en->to, en->to == RW_TO_PARTNER ? (const void *)en->partner : (const void *)en->to_user,
                    rw_entry_currency(en));
}

static uint64_t group_hash(const pgroup *g)
{
    return key_hash(g->to, g->to == RW_TO_PARTNER ? (const void *)g->partner : (const void *)g->user, g->currency);
}

static int in_group(const pgroup *g, const rw_entry *en)
{
    return g->to == en->to && (en->to == RW_TO_PARTNER ? g->partner == en->partner : g->user == en->to_user) &&
           !memcmp(g->currency, rw_entry_currency(en), 4);
}

/* Scratch space of arrange(), sized by the groups found, not by the entries. */
typedef struct gscratch {
    rw_engine *e;
    pgroup *found;
    size_t n, cap;
    size_t *slots; /* group index + 1, 0: empty; at most half full */
    size_t nslots;
} gscratch;

static int slots_grow(gscratch *g)
{
    size_t ncap = g->nslots ? g->nslots * 2 : 256;
    size_t *ns = rw_calloc(&g->e->alloc, ncap, sizeof *ns);
    if (!ns)
        return -1;
    for (size_t i = 0; i < g->n; i++) {
        size_t j = group_hash(&g->found[i]) & (ncap - 1);
        while (ns[j])
            j = (j + 1) & (ncap - 1);
        ns[j] = i + 1;
    }
    rw_free(&g->e->alloc, g->slots);
    g->slots = ns;
    g->nslots = ncap;
    return 0;
}

/* The index of en's group, made when new; (size_t)-1 when out of memory. */
static size_t group_index(gscratch *g, const rw_entry *en)
{
    uint64_t h = entry_hash(en);
    size_t j = h & (g->nslots - 1);
    while (g->slots[j] && !in_group(&g->found[g->slots[j] - 1], en))
        j = (j + 1) & (g->nslots - 1);
    if (g->slots[j])
        return g->slots[j] - 1;
    if (g->n == g->cap) {
        size_t ncap = g->cap * 2;
        pgroup *nf = rw_realloc(&g->e->alloc, g->found, ncap * sizeof *nf);
        if (!nf)
            return (size_t)-1;
        g->found = nf;
        g->cap = ncap;
    }
    pgroup *gr = &g->found[g->n];
    memset(gr, 0, sizeof *gr);
    gr->to = en->to;
    gr->partner = en->to == RW_TO_PARTNER ? en->partner : en->to_user->partner;
    gr->user = en->to_user;
    gr->currency = rw_entry_currency(en);
    gr->exp = rw_entry_exp(en);
    g->slots[j] = ++g->n;
    if (g->n * 2 > g->nslots && slots_grow(g))
        return (size_t)-1;
    return g->n - 1;
}

/* Take en into the plan: its group found (or made), counted and summed exactly (128-bit). */
static rewards_status take(rw_engine *e, plan *p, gscratch *g, size_t *cap, rw_entry *en)
{
    if (p->nentries == *cap) {
        size_t ncap = *cap ? *cap * 2 : 64;
        if (ncap > (size_t)-1 / sizeof(size_t))
            return rw_nomem(e);
        rw_entry **ne = rw_realloc(&e->alloc, p->entries, ncap * sizeof *ne);
        if (!ne)
            return rw_nomem(e);
        p->entries = ne;
        size_t *no = rw_realloc(&e->alloc, p->group_of, ncap * sizeof *no);
        if (!no)
            return rw_nomem(e);
        p->group_of = no;
        *cap = ncap;
    }
    size_t gi = group_index(g, en);
    if (gi == (size_t)-1)
        return rw_nomem(e);
    pgroup *gr = &g->found[gi];
    gr->count++;
    gr->sum += en->amount;
    gr->mag += en->amount < 0 ? -(rw_i128)en->amount : (rw_i128)en->amount;
    p->entries[p->nentries] = en;
    p->group_of[p->nentries++] = gi;
    return REWARDS_OK;
}

/* The payable entries earned at or before until (entry_queue.c: the main part in time order). */
static rewards_status collect(rw_engine *e, int64_t until, plan *p, gscratch *g)
{
    const rw_equeue *q = &e->payable_q;
    size_t cap = 0, i = q->head;
    for (; i < q->len; i++) {
        rw_entry *en = rw_equeue_at(q, i);
        if (!rw_entry_payable(en))
            continue;
        if (en->earned_at > until)
            break;
        RW_TRY(take(e, p, g, &cap, en));
    }
    p->nmain = p->nentries;
    p->stop = i;
    for (size_t i = 0; i < q->nlate; i++)
        if (rw_entry_payable(q->late[i]) && q->late[i]->earned_at <= until)
            RW_TRY(take(e, p, g, &cap, q->late[i]));
    return REWARDS_OK;
}

/* Group gi's amount summed in number order with an overflow check (a line near the int64 limit). */
static rewards_status exact_sum(rw_engine *e, const plan *p, const size_t *of, size_t gi, pgroup *gr)
{
    rw_entry **ens = rw_malloc(&e->alloc, ((size_t)gr->count + 1) * sizeof *ens);
    if (!ens)
        return rw_nomem(e);
    size_t c = 0;
    for (size_t i = 0; i < p->nentries; i++)
        if (of[i] == gi)
            ens[c++] = p->entries[i];
    qsort(ens, c, sizeof *ens, by_number);
    rewards_status st = REWARDS_OK;
    gr->amount = 0;
    for (size_t i = 0; i < c && !st; i++)
        if (rw_add(gr->amount, ens[i]->amount, &gr->amount))
            st = rw_fail(e, REWARDS_OVERFLOW, "a payout line overflows");
    rw_free(&e->alloc, ens);
    return st;
}

/*
 * The plan's lines: the taken entries were grouped by recipient and
 * currency as they were taken (a scratch hash table, one pass, exact
 * sums); the groups (not the entries) are sorted by recipient id, the order
 * of the lines: O(k + groups log groups) work instead of O(k log k) string
 * comparisons.  Scratch memory: a pointer and an index per entry, and the
 * groups' table.
 */
static rewards_status arrange(rw_engine *e, plan *p, gscratch *g)
{
    size_t k = p->nentries, n = g->n;
    pgroup *found = g->found;
    size_t *rank = rw_malloc(&e->alloc, (n + 1) * sizeof *rank);
    if (!rank)
        return rw_nomem(e);
    for (size_t i = 0; i < n; i++)
        found[i].index = i;
    qsort(found, n, sizeof *found, by_line_order);
    for (size_t i = 0; i < n; i++)
        rank[found[i].index] = i;
    for (size_t i = 0; i < k; i++)
        p->group_of[i] = rank[p->group_of[i]];
    rw_free(&e->alloc, rank);
    /* A line overflows when a partial sum of its entries in number order
     * does not fit in int64; none can when the magnitudes' sum fits. */
    for (size_t i = 0; i < n; i++) {
        pgroup *gr = &found[i];
        if (gr->mag <= INT64_MAX)
            gr->amount = (int64_t)gr->sum;
        else
            RW_TRY(exact_sum(e, p, p->group_of, i, gr));
    }
    p->groups = found;
    p->ngroups = n;
    g->found = NULL;
    return REWARDS_OK;
}

/* The run's lines: the payable entries by recipient and currency, each line's entries in number order. */
static rewards_status plan_run(rw_engine *e, int64_t until, plan *p)
{
    memset(p, 0, sizeof *p);
    gscratch g = { e, rw_malloc(&e->alloc, 64 * sizeof(pgroup)), 0, 64, NULL, 0 };
    rewards_status st = !g.found || slots_grow(&g) ? rw_nomem(e) : collect(e, until, p, &g);
    if (!st && p->nentries)
        st = arrange(e, p, &g);
    rw_free(&e->alloc, g.slots);
    rw_free(&e->alloc, g.found);
    if (st)
        plan_free(e, p);
    return st;
}

/* What a run paid leaves the payable queue: when it paid every entry it
 * took from the main part, the head moves to where the walk stopped without
 * reading them again. */
static rewards_status forget_paid(rw_engine *e, const plan *p)
{
    rw_equeue *q = &e->payable_q;
    size_t from = p->stop;
    for (size_t i = 0; i < p->nmain && from != q->head; i++)
        if (p->groups[p->group_of[i]].amount <= 0)
            from = q->head; /* carried forward: the head stops at it */
    RW_TRY(rw_equeue_advance(e, q, from, rw_entry_payable));
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
    /* The entries paid, in the order they were taken (creation order, mostly),
     * before the lines: the records this call changes are then nearly in
     * creation order, which the seal puts in order without a full sort. */
    for (size_t i = 0; i < p.nentries && !st; i++) {
        rw_entry *en = p.entries[i];
        if (p.groups[p.group_of[i]].amount <= 0)
            continue;
        if (rw_mark(e, &en->h) || rw_balance_add(e, en, -1) || RW_SET(e, en->status, RW_ST_PAID) ||
            RW_SET(e, en->run, run) || rw_balance_add(e, en, 1)) {
            st = rw_nomem(e);
            break;
        }
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
    }
    if (!st)
        st = forget_paid(e, &p);
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
        rw_csv_text(&w, rw_entry_about(en) ? rw_entry_about(en)->id : "");
        rw_csv_text(&w, en->partner->id);
        rw_csv_word(&w, rw_recipient_names[en->to]);
        rw_csv_text(&w, en->to == RW_TO_PARTNER ? en->partner->id : en->to_user ? en->to_user->id : "");
        rw_csv_amount(&w, en->amount, rw_entry_exp(en));
        rw_csv_word(&w, rw_entry_currency(en));
        rw_csv_word(&w, rw_status_names[en->status]);
        rw_csv_word(&w, rw_hold_names[en->hold]);
        rw_csv_word(&w, k ? rw_contrib_period(k) : "");
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
    return rw_leave(e, st);
}

rewards_status rewards_engine_preview_payout(rewards_engine *e, const char *id, int64_t until, rewards_write_fn write,
                                             void *user)
{
    RW_TRY(export_ready(e, write, "rewards_engine_preview_payout"));
    rewards_status st = preview_payout_call(e, id, until, write, user);
    return rw_leave(e, st);
}

rewards_status rewards_engine_export_ledger(rewards_engine *e, rewards_write_fn write, void *user)
{
    RW_TRY(export_ready(e, write, "rewards_engine_export_ledger"));
    rewards_status st = export_ledger_call(e, write, user);
    return rw_leave(e, st);
}
