/*
 * record.c - records as the host stores them, and restoring an engine.
 *
 * A record's data is "rw1," followed by its fields, each written as
 * "<length>:<bytes>," (a netstring), or "-," for an absent value.  The
 * format is exact (integers in decimal, strings as given), binary-safe and
 * deterministic; references name the referred record by its host id, or by
 * its sequence number for records without one.  Restore sorts the records
 * by kind and then creation order, so that every reference points to a
 * record already rebuilt, and links each one exactly as a new one is
 * linked (link.c).
 */
#include "ops.h"
#include "buf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

size_t rw_record_size(int kind)
{
    static const size_t sizes[] = { sizeof(rw_meta), sizeof(rw_currency), sizeof(rw_program), sizeof(rw_level),
                                    sizeof(rw_reward), sizeof(rw_partner), sizeof(rw_user), sizeof(rw_fx),
                                    sizeof(rw_deal), sizeof(rw_level_change), sizeof(rw_contrib), sizeof(rw_run),
                                    sizeof(rw_line), sizeof(rw_entry), sizeof(rw_event_id), sizeof(rw_deal) };
    return kind >= 0 && kind < RW_KIND_COUNT ? sizes[kind] : 0;
}

void rw_record_key(const rw_rec *r, char *buf, size_t size)
{
    const char *id = NULL;
    switch ((rw_kind)r->kind) {
    case RW_KIND_META: id = "meta"; break;
    case RW_KIND_CURRENCY: id = ((const rw_currency *)r)->code; break;
    case RW_KIND_PROGRAM: id = ((const rw_program *)r)->id; break;
    case RW_KIND_LEVEL: id = ((const rw_level *)r)->id; break;
    case RW_KIND_REWARD: id = ((const rw_reward *)r)->id; break;
    case RW_KIND_PARTNER: id = ((const rw_partner *)r)->id; break;
    case RW_KIND_USER: id = ((const rw_user *)r)->id; break;
    case RW_KIND_DEAL:
    case RW_KIND_ACTIVITY: id = ((const rw_deal *)r)->id; break;
    case RW_KIND_RUN: id = ((const rw_run *)r)->id; break;
    case RW_KIND_EVENT_ID: id = ((const rw_event_id *)r)->id; break;
    case RW_KIND_ENTRY:
        snprintf(buf, size, "%llu", (unsigned long long)((const rw_entry *)r)->number);
        return;
    default:
        break;
    }
    if (id)
        snprintf(buf, size, "%s", id);
    else
        snprintf(buf, size, "%llu", (unsigned long long)r->seq);
}

/* ---- writing ------------------------------------------------------------ */

static void w_strn(rw_buf *b, const char *s, size_t n)
{
    char head[32];
    int h = snprintf(head, sizeof head, "%zu:", n);
    rw_buf_put(b, head, (size_t)h);
    rw_buf_put(b, s, n);
    rw_buf_put(b, ",", 1);
}

static void w_str(rw_buf *b, const char *s)
{
    if (s)
        w_strn(b, s, strlen(s));
    else
        rw_buf_put(b, "-,", 2);
}

static void w_int(rw_buf *b, int64_t v)
{
    char num[32];
    snprintf(num, sizeof num, "%lld", (long long)v);
    w_str(b, num);
}

static void w_u64(rw_buf *b, uint64_t v)
{
    char num[32];
    snprintf(num, sizeof num, "%llu", (unsigned long long)v);
    w_str(b, num);
}

static void w_attrs(rw_buf *b, const rw_attrs *a)
{
    w_int(b, a ? (int64_t)a->n : -1);
    for (size_t i = 0; a && i < a->n; i++) {
        w_str(b, a->items[i].name);
        w_int(b, a->items[i].type);
        w_str(b, a->items[i].text);
    }
}

#define ID(x) ((x) ? (x)->id : NULL)

static void encode(rw_buf *b, const rw_rec *r)
{
    /* The meta record's format has its own version: "rw2," carries the
     * integrity fields, a 1.0 host's "rw1," only the clock; so a cut-off
     * "rw2," record can never pass for a 1.0 one. */
    rw_buf_put(b, r->kind == RW_KIND_META ? "rw2," : "rw1,", 4);
    w_int(b, (int64_t)r->seq);
    switch ((rw_kind)r->kind) {
    case RW_KIND_META: {
        const rw_meta *m = (const rw_meta *)r;
        w_int(b, m->clock);
        /* since 1.1 (integrity.c): next sequence number, digest, counts per kind */
        w_u64(b, m->next_seq);
        w_u64(b, m->digest);
        w_int(b, RW_KIND_COUNT);
        for (int k = 0; k < RW_KIND_COUNT; k++)
            w_u64(b, m->counts[k]);
        /* and a hash of all of the above: the digest covers the others, this the meta record */
        w_u64(b, b->failed ? 0 : rw_record_hash(RW_KIND_META, b->p, b->len));
        break;
    }
    case RW_KIND_CURRENCY: {
        const rw_currency *c = (const rw_currency *)r;
        w_str(b, c->code);
        w_int(b, c->exp);
        break;
    }
    case RW_KIND_PROGRAM: {
        const rw_program *p = (const rw_program *)r;
        w_str(b, p->id); w_str(b, p->name); w_str(b, p->currency);
        w_int(b, p->fy_start); w_int(b, p->rounding);
        break;
    }
    case RW_KIND_LEVEL: {
        const rw_level *l = (const rw_level *)r;
        w_str(b, l->id); w_str(b, l->program->id); w_str(b, l->name); w_int(b, l->rank);
        w_int(b, l->req_revenue); w_int(b, l->req_deals); w_int(b, l->window); w_int(b, l->window_days);
        break;
    }
    case RW_KIND_REWARD: {
        const rw_reward *w = (const rw_reward *)r;
        w_str(b, w->id); w_str(b, w->name); w_str(b, w->program->id); w_str(b, ID(w->level));
        w_int(b, w->trigger); w_int(b, w->recipient); w_int(b, w->kind); w_int(b, w->policy);
        w_int(b, w->clawback_days); w_int(b, w->auto_approve); w_int(b, w->period);
        w_int(b, w->rate_ppm); w_int(b, w->amount); w_int(b, w->ppu_micro); w_int(b, w->retroactive);
        w_int(b, (int64_t)w->ntiers);
        for (size_t i = 0; i < w->ntiers; i++) {
            w_int(b, w->tiers[i].from);
            w_int(b, w->tiers[i].ppm);
        }
        w_int(b, w->metric);
        w_int(b, (int64_t)w->nthresholds);
        for (size_t i = 0; i < w->nthresholds; i++) {
            w_int(b, w->thresholds[i].at);
            w_int(b, w->thresholds[i].bonus);
        }
        w_int(b, w->cap_deal); w_int(b, w->cap_period); w_str(b, w->when);
        w_int(b, w->active_from); w_int(b, w->active_until);
        /* 1.1 (SPEC section 13), appended: per, base, exclusive, priority */
        w_int(b, w->per_line); w_int(b, w->margin); w_str(b, w->exclusive); w_int(b, w->priority);
        /* since 1.1, absent in older records: activity type, override coverage */
        w_str(b, w->activity_type); w_int(b, (int64_t)w->nof);
        for (size_t i = 0; i < w->nof; i++)
            w_str(b, w->of[i]->id);
        break;
    }
    case RW_KIND_PARTNER: {
        const rw_partner *p = (const rw_partner *)r;
        w_str(b, p->id); w_str(b, p->program->id); w_str(b, p->level->id); w_str(b, p->name); w_attrs(b, p->attrs);
        w_str(b, ID(p->parent)); /* since 1.1 */
        break;
    }
    case RW_KIND_USER: {
        const rw_user *u = (const rw_user *)r;
        w_str(b, u->id); w_str(b, u->partner->id); w_str(b, u->name); w_str(b, u->email);
        w_int(b, u->portal_access); w_attrs(b, u->attrs);
        break;
    }
    case RW_KIND_FX: {
        const rw_fx *f = (const rw_fx *)r;
        w_str(b, f->from); w_str(b, f->to); w_int(b, f->rate); w_int(b, f->at);
        break;
    }
    case RW_KIND_DEAL: {
        const rw_deal *d = (const rw_deal *)r;
        w_str(b, d->id); w_str(b, d->partner->id); w_str(b, ID(d->user)); w_str(b, d->currency);
        w_int(b, d->amount); w_int(b, d->units); w_attrs(b, d->attrs); w_int(b, d->stage);
        w_int(b, d->registered_at); w_int(b, d->won_at); w_int(b, d->closed_at);
        /* 1.1, appended: the lines (a count, then id, product, amount, cost, units, attrs each) */
        w_int(b, (int64_t)d->nlines);
        for (size_t i = 0; i < d->nlines; i++) {
            const rw_deal_line *l = &d->lines[i];
            w_str(b, l->id); w_str(b, l->product); w_int(b, l->amount); w_int(b, l->cost); w_int(b, l->units);
            w_attrs(b, l->attrs);
        }
        break;
    }
    case RW_KIND_LEVEL_CHANGE: {
        const rw_level_change *c = (const rw_level_change *)r;
        w_str(b, c->partner->id); w_str(b, ID(c->from)); w_str(b, c->to->id); w_int(b, c->at);
        break;
    }
    case RW_KIND_CONTRIB: {
        const rw_contrib *k = (const rw_contrib *)r;
        w_str(b, k->reward->id); w_str(b, k->deal->id); w_int(b, k->trigger); w_int(b, k->at); w_int(b, k->base);
        w_int(b, k->uses_deal_amount); w_int(b, k->fx_rate); w_str(b, ID(k->beneficiary)); w_str(b, k->period);
        w_int(b, k->to); w_str(b, ID(k->to_user)); w_int(b, k->hold); w_int(b, k->voided);
        /* 1.1, appended: the line index (-1: per deal) and the base kind */
        w_int(b, k->line); w_int(b, k->margin);
        /* since 1.1: what an override's mirror mirrors */
        w_str(b, ID(k->covered)); w_int(b, k->child_to); w_str(b, ID(k->child_user));
        break;
    }
    case RW_KIND_RUN: {
        const rw_run *run = (const rw_run *)r;
        w_str(b, run->id); w_int(b, run->at); w_int(b, run->until);
        break;
    }
    case RW_KIND_LINE: {
        const rw_line *l = (const rw_line *)r;
        w_str(b, l->run->id); w_int(b, l->to); w_str(b, l->partner->id); w_str(b, ID(l->user));
        w_str(b, l->currency); w_int(b, l->amount); w_int(b, l->count);
        break;
    }
    case RW_KIND_ENTRY: {
        const rw_entry *en = (const rw_entry *)r;
        w_int(b, (int64_t)en->number); w_int(b, en->type); w_int(b, en->contrib ? (int64_t)en->contrib->h.seq : 0);
        w_int(b, (int64_t)en->slot); w_str(b, en->partner->id); w_int(b, en->to); w_str(b, ID(en->to_user));
        w_int(b, en->amount); w_str(b, en->currency); w_int(b, en->status); w_int(b, en->hold);
        w_int(b, en->earned_at); w_str(b, ID(en->run)); w_str(b, en->redemption_id);
        /* since 1.1: manual entries */
        w_str(b, ID(en->deal)); w_str(b, en->note); w_str(b, en->adjust_id);
        break;
    }
    case RW_KIND_EVENT_ID: {
        const rw_event_id *ev = (const rw_event_id *)r;
        w_str(b, ev->id); w_str(b, ev->signature);
        break;
    }
    case RW_KIND_ACTIVITY: {
        const rw_deal *d = (const rw_deal *)r;
        w_str(b, d->id); w_str(b, d->partner->id); w_str(b, ID(d->user)); w_str(b, d->activity_type);
        w_int(b, d->units); w_int(b, d->has_amount); w_str(b, d->currency); w_int(b, d->amount); w_attrs(b, d->attrs);
        w_int(b, d->registered_at);
        break;
    }
    case RW_KIND_COUNT:
        break;
    }
}

rewards_status rw_record_encode(rw_engine *e, const rw_rec *rec, char **out, size_t *size)
{
    rw_buf b = { &e->alloc, NULL, 0, 0, 0 };
    encode(&b, rec);
    if (b.failed) {
        rw_free(&e->alloc, b.p);
        return rw_nomem(e);
    }
    *out = b.p;
    *size = b.len;
    return REWARDS_OK;
}

/* ---- freeing ------------------------------------------------------------ */

static void free_attrs(rw_engine *e, rw_attrs *a)
{
    for (size_t i = 0; a && i < a->n; i++) {
        rw_free(&e->alloc, a->items[i].name);
        rw_free(&e->alloc, a->items[i].text);
    }
    if (a)
        rw_free(&e->alloc, a->items);
    rw_free(&e->alloc, a);
}

void rw_record_free(rw_engine *e, rw_rec *r)
{
    const rw_alloc *a = &e->alloc;
    switch ((rw_kind)r->kind) {
    case RW_KIND_PROGRAM: {
        rw_program *p = (rw_program *)r;
        rw_free(a, p->id); rw_free(a, p->name);
        rw_vec_release(e, &p->levels); rw_vec_release(e, &p->rewards); rw_vec_release(e, &p->partners);
        break;
    }
    case RW_KIND_LEVEL: {
        rw_level *l = (rw_level *)r;
        rw_free(a, l->id); rw_free(a, l->name);
        break;
    }
    case RW_KIND_REWARD: {
        rw_reward *w = (rw_reward *)r;
        rw_free(a, w->id); rw_free(a, w->name); rw_free(a, w->tiers); rw_free(a, w->thresholds); rw_free(a, w->when);
        rw_free(a, w->exclusive);
        rw_expr_free(a, w->cond); rw_free(a, w->activity_type); rw_free(a, w->of);
        break;
    }
    case RW_KIND_PARTNER: {
        rw_partner *p = (rw_partner *)r;
        rw_free(a, p->id); rw_free(a, p->name); free_attrs(e, p->attrs);
        rw_vec_release(e, &p->entries); rw_vec_release(e, &p->deals);
        break;
    }
    case RW_KIND_USER: {
        rw_user *u = (rw_user *)r;
        rw_free(a, u->id); rw_free(a, u->name); rw_free(a, u->email); free_attrs(e, u->attrs);
        rw_vec_release(e, &u->contribs);
        break;
    }
    case RW_KIND_DEAL:
    case RW_KIND_ACTIVITY: {
        rw_deal *d = (rw_deal *)r;
        rw_free(a, d->id); free_attrs(e, d->attrs); rw_free(a, d->activity_type);
        rw_vec_release(e, &d->contribs); rw_vec_release(e, &d->entries);
        for (size_t i = 0; d->lines && i < d->nlines; i++) {
            rw_free(a, d->lines[i].id); rw_free(a, d->lines[i].product); free_attrs(e, d->lines[i].attrs);
        }
        rw_free(a, d->lines);
        break;
    }
    case RW_KIND_CONTRIB: {
        rw_contrib *k = (rw_contrib *)r;
        rw_free(a, k->net);
        rw_vec_release(e, &k->entries);
        break;
    }
    case RW_KIND_RUN: {
        rw_run *run = (rw_run *)r;
        rw_free(a, run->id);
        rw_vec_release(e, &run->lines);
        break;
    }
    case RW_KIND_ENTRY:
        rw_free(a, ((rw_entry *)r)->redemption_id);
        rw_free(a, ((rw_entry *)r)->note);
        rw_free(a, ((rw_entry *)r)->adjust_id);
        break;
    case RW_KIND_EVENT_ID: {
        rw_event_id *ev = (rw_event_id *)r;
        rw_free(a, ev->id); rw_free(a, ev->signature);
        break;
    }
    default:
        break;
    }
    rw_free(a, r);
}

/* ---- reading ------------------------------------------------------------ */

typedef struct rbuf {
    rw_engine *e;
    const char *p, *end;
    int bad;
    int nomem; /* an allocation failed: kept whatever later fields make of bad */
    int v2;    /* the data starts "rw2," (a meta record with integrity fields) */
    const char *start; /* the data's first byte */
} rbuf;

/* The next field into s and n; s is NULL when the field is absent. */
static void r_field(rbuf *b, const char **s, size_t *n)
{
    *s = NULL;
    *n = 0;
    if (b->bad || b->p >= b->end) {
        b->bad = 1;
        return;
    }
    if (*b->p == '-') {
        if (b->end - b->p < 2 || b->p[1] != ',')
            b->bad = 1;
        b->p += 2;
        return;
    }
    size_t len = 0;
    const char *q = b->p;
    while (q < b->end && *q >= '0' && *q <= '9' && len < ((size_t)1 << 40))
        len = len * 10 + (size_t)(*q++ - '0');
    if (q == b->p || q >= b->end || *q != ':' || (size_t)(b->end - q - 1) < len + 1 || q[1 + len] != ',') {
        b->bad = 1;
        return;
    }
    *s = q + 1;
    *n = len;
    b->p = q + 2 + len;
}

static int64_t r_int(rbuf *b)
{
    const char *s;
    size_t n;
    r_field(b, &s, &n);
    if (!s || n == 0 || n > 20) {
        b->bad = 1;
        return 0;
    }
    int neg = s[0] == '-';
    int64_t v;
    if (rw_decimal_parse(s + neg, n - (size_t)neg, 0, 0, &v) != RW_DEC_OK) {
        /* INT64_MIN does not parse as a positive number */
        if (neg && n == 20 && !memcmp(s, "-9223372036854775808", 20))
            return INT64_MIN;
        b->bad = 1;
        return 0;
    }
    return neg ? -v : v;
}

static uint64_t r_u64(rbuf *b)
{
    const char *s;
    size_t n;
    r_field(b, &s, &n);
    uint64_t v = 0;
    if (!s || n == 0 || n > 20)
        b->bad = 1;
    for (size_t i = 0; !b->bad && i < n; i++) {
        unsigned d = (unsigned)(s[i] - '0');
        if (s[i] < '0' || s[i] > '9' || v > (UINT64_MAX - d) / 10)
            b->bad = 1;
        else
            v = v * 10 + d;
    }
    return v;
}

/* A string copy owned by the record (NULL when absent and allowed). */
static char *r_str(rbuf *b, int required)
{
    const char *s;
    size_t n;
    r_field(b, &s, &n);
    if (!s) {
        if (required)
            b->bad = 1;
        return NULL;
    }
    char *c = rw_strndup(&b->e->alloc, s, n);
    if (!c)
        b->bad = b->nomem = 2;
    return c;
}

/* A reference by id into an index (NULL when absent and allowed). */
static void *r_ref(rbuf *b, const rw_index *ix, int required)
{
    const char *s;
    size_t n;
    r_field(b, &s, &n);
    if (!s) {
        if (required)
            b->bad = 1;
        return NULL;
    }
    void *v = rw_index_getn(ix, s, n);
    if (!v)
        b->bad = 1;
    return v;
}

static void r_code(rbuf *b, char code[4])
{
    const char *s;
    size_t n;
    r_field(b, &s, &n);
    if (!s || n != 3)
        b->bad = 1;
    else
        memcpy(code, s, 3);
    code[3] = '\0';
}

static rw_attrs *r_attrs(rbuf *b)
{
    int64_t n = r_int(b);
    if (n < 0 || b->bad)
        return NULL;
    if (n > 100000) {
        b->bad = 1;
        return NULL;
    }
    rw_attrs *a = rw_calloc(&b->e->alloc, 1, sizeof *a);
    if (!a || (n && !(a->items = rw_calloc(&b->e->alloc, (size_t)n, sizeof *a->items)))) {
        rw_free(&b->e->alloc, a);
        b->bad = b->nomem = 2;
        return NULL;
    }
    for (int64_t i = 0; i < n && !b->bad; i++) {
        rw_attr *at = &a->items[i];
        at->name = r_str(b, 1);
        int64_t type = r_int(b);
        if (type < RW_ATTR_STR || type > RW_ATTR_BOOL)
            b->bad = 1;
        at->type = (rw_attr_type)type;
        at->text = r_str(b, 1);
        a->n = (size_t)i + 1;
        if (!b->bad && at->type == RW_ATTR_NUM && rw_xnum_parse(at->text, strlen(at->text), &at->num))
            b->bad = 1;
    }
    return a;
}

static int64_t r_enum(rbuf *b, int64_t max)
{
    int64_t v = r_int(b);
    if (v < 0 || v > max)
        b->bad = 1;
    return v;
}

/* Fields appended after 1.0: present in a newer record, absent (defaults) in a 1.0 one. */
static int r_more(const rbuf *b)
{
    return !b->bad && b->p < b->end;
}

static void r_deal_lines(rbuf *b, rw_deal *d)
{
    int64_t n = r_enum(b, 1000);
    if (b->bad || !n)
        return;
    if (!(d->lines = rw_calloc(&b->e->alloc, (size_t)n, sizeof *d->lines))) {
        b->bad = b->nomem = 2;
        return;
    }
    int64_t cost = 0;
    for (int64_t i = 0; i < n && !b->bad; i++) {
        rw_deal_line *l = &d->lines[i];
        d->nlines = (size_t)i + 1;
        l->id = r_str(b, 1); l->product = r_str(b, 1); l->amount = r_int(b); l->cost = r_int(b); l->units = r_int(b);
        l->attrs = r_attrs(b);
        (void)rw_add(cost, l->cost, &cost);
    }
    /* signs, ids, sums (and their overflow) are record_check.c's, which names the field */
    d->cost = cost;
}

static rw_contrib *find_contrib(rw_engine *e, int64_t seq)
{
    rw_contrib **all = RW_RECORDS(e, RW_KIND_CONTRIB, rw_contrib);
    size_t lo = 0, hi = RW_COUNT(e, RW_KIND_CONTRIB);
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if ((int64_t)all[mid]->h.seq < seq)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < RW_COUNT(e, RW_KIND_CONTRIB) && (int64_t)all[lo]->h.seq == seq ? all[lo] : NULL;
}

static void decode(rbuf *b, rw_rec *r)
{
    rw_engine *e = b->e;
    switch ((rw_kind)r->kind) {
    case RW_KIND_META: {
        rw_meta *m = (rw_meta *)r;
        m->clock = r_int(b);
        if (b->v2) { /* a 1.0 host's meta record ("rw1,") ends with the clock */
            m->sealed = 1;
            m->next_seq = r_u64(b);
            m->digest = r_u64(b);
            int64_t nk = r_enum(b, RW_KIND_COUNT); /* more kinds: a newer version's records */
            for (int64_t k = 0; k < nk && !b->bad; k++)
                m->counts[k] = r_u64(b);
            size_t upto = (size_t)(b->p - b->start);
            if (!b->bad && r_u64(b) != rw_record_hash(RW_KIND_META, b->start, upto))
                b->bad = 1; /* the meta record itself was altered */
        }
        break;
    }
    case RW_KIND_CURRENCY: {
        rw_currency *c = (rw_currency *)r;
        r_code(b, c->code);
        c->exp = (int)r_enum(b, 9);
        break;
    }
    case RW_KIND_PROGRAM: {
        rw_program *p = (rw_program *)r;
        p->id = r_str(b, 1); p->name = r_str(b, 1); r_code(b, p->currency);
        p->fy_start = (int)r_enum(b, 12); p->rounding = (rw_rounding)r_enum(b, 1);
        p->exp = rw_engine_currency_exp(e, p->currency);
        if (p->exp < 0 || p->fy_start < 1)
            b->bad = 1;
        break;
    }
    case RW_KIND_LEVEL: {
        rw_level *l = (rw_level *)r;
        l->id = r_str(b, 1); l->program = r_ref(b, &e->programs, 1); l->name = r_str(b, 1); l->rank = r_int(b);
        l->req_revenue = r_int(b); l->req_deals = r_int(b); l->window = (rw_window)r_enum(b, RW_WINDOW_TRAILING);
        l->window_days = r_int(b);
        break;
    }
    case RW_KIND_REWARD: {
        rw_reward *w = (rw_reward *)r;
        w->id = r_str(b, 1); w->name = r_str(b, 1); w->program = r_ref(b, &e->programs, 1);
        w->level = r_ref(b, &e->levels, 0);
        w->trigger = (rw_trigger)r_enum(b, RW_TRIG_ACTIVITY); w->recipient = (rw_recipient)r_enum(b, 1);
        w->kind = (rw_reward_kind)r_enum(b, RW_KIND_OVERRIDE); w->policy = (rw_policy)r_enum(b, RW_POLICY_SKIP);
        w->clawback_days = r_int(b); w->auto_approve = (int)r_enum(b, 1); w->period = (rw_period_kind)r_enum(b, 3);
        w->rate_ppm = r_int(b); w->amount = r_int(b); w->ppu_micro = r_int(b); w->retroactive = (int)r_enum(b, 1);
        int64_t n = r_enum(b, 1000);
        if (!b->bad && n && !(w->tiers = rw_calloc(&e->alloc, (size_t)n, sizeof *w->tiers)))
            b->bad = b->nomem = 2;
        for (int64_t i = 0; i < n && !b->bad; i++) {
            w->tiers[i].from = r_int(b);
            w->tiers[i].ppm = r_int(b);
            w->ntiers = (size_t)i + 1;
        }
        w->metric = (rw_metric)r_enum(b, RW_METRIC_UNITS);
        n = r_enum(b, 1000);
        if (!b->bad && n && !(w->thresholds = rw_calloc(&e->alloc, (size_t)n, sizeof *w->thresholds)))
            b->bad = b->nomem = 2;
        for (int64_t i = 0; i < n && !b->bad; i++) {
            w->thresholds[i].at = r_int(b);
            w->thresholds[i].bonus = r_int(b);
            w->nthresholds = (size_t)i + 1;
        }
        w->cap_deal = r_int(b); w->cap_period = r_int(b); w->when = r_str(b, 0);
        w->active_from = r_int(b); w->active_until = r_int(b);
        if (r_more(b)) {
            w->per_line = (int)r_enum(b, 1); w->margin = (int)r_enum(b, 1); w->exclusive = r_str(b, 0);
            w->priority = r_int(b);
        }
        if (r_more(b)) {
            w->activity_type = r_str(b, 0);
            n = r_enum(b, 1000);
            if (!b->bad && n && !(w->of = rw_calloc(&e->alloc, (size_t)n, sizeof *w->of)))
                b->bad = b->nomem = 2;
            for (int64_t i = 0; i < n && !b->bad; i++) {
                w->of[i] = r_ref(b, &e->rewards, 1);
                w->nof = (size_t)i + 1;
                /* only an override lists rewards; which ones is record_check.c's */
                if (!b->bad && w->kind != RW_KIND_OVERRIDE)
                    b->bad = 1;
            }
        }
        /* an activity trigger has its type; only an override has neither */
        if (!b->bad && (w->trigger == RW_TRIG_ACTIVITY) != (w->activity_type != NULL || w->kind == RW_KIND_OVERRIDE))
            b->bad = 1;
        /* per and base only with a stage trigger, and what an override may have: record_check.c */
        if (!b->bad && w->level && w->level->program != w->program)
            b->bad = 1;
        /* what evaluation relies on (a first tier from 0, ascending) is record_check.c's */
        if (!b->bad && w->when) {
            rewards_status st = rw_expr_compile(&e->alloc, w->when, strlen(w->when), &w->cond, NULL, 0, NULL, NULL);
            if (st)
                b->bad = st == REWARDS_NOMEM ? (b->nomem = 2) : 1;
        }
        break;
    }
    case RW_KIND_PARTNER: {
        rw_partner *p = (rw_partner *)r;
        p->id = r_str(b, 1); p->program = r_ref(b, &e->programs, 1); p->level = r_ref(b, &e->levels, 1);
        p->name = r_str(b, 1); p->attrs = r_attrs(b);
        if (r_more(b))
            p->parent = r_ref(b, &e->partners, 0);
        break;
    }
    case RW_KIND_USER: {
        rw_user *u = (rw_user *)r;
        u->id = r_str(b, 1); u->partner = r_ref(b, &e->partners, 1); u->name = r_str(b, 1); u->email = r_str(b, 0);
        u->portal_access = (int)r_enum(b, 1); u->attrs = r_attrs(b);
        break;
    }
    case RW_KIND_FX: {
        rw_fx *f = (rw_fx *)r;
        r_code(b, f->from); r_code(b, f->to); f->rate = r_int(b); f->at = r_int(b);
        break;
    }
    case RW_KIND_DEAL: {
        rw_deal *d = (rw_deal *)r;
        d->id = r_str(b, 1); d->partner = r_ref(b, &e->partners, 1); d->user = r_ref(b, &e->users, 0);
        r_code(b, d->currency); d->amount = r_int(b); d->units = r_int(b); d->attrs = r_attrs(b);
        d->stage = (rw_stage)r_enum(b, RW_STAGE_CANCELLED); d->registered_at = r_int(b); d->won_at = r_int(b);
        d->closed_at = r_int(b);
        if (r_more(b))
            r_deal_lines(b, d);
        d->exp = rw_engine_currency_exp(e, d->currency);
        if (d->exp < 0)
            b->bad = 1;
        break;
    }
    case RW_KIND_LEVEL_CHANGE: {
        rw_level_change *c = (rw_level_change *)r;
        c->partner = r_ref(b, &e->partners, 1); c->from = r_ref(b, &e->levels, 0); c->to = r_ref(b, &e->levels, 1);
        c->at = r_int(b);
        break;
    }
    case RW_KIND_CONTRIB: {
        rw_contrib *k = (rw_contrib *)r;
        const char *s;
        size_t n;
        k->reward = r_ref(b, &e->rewards, 1); k->deal = r_ref(b, &e->deals, 1); k->trigger = (rw_trigger)r_enum(b, RW_TRIG_ACTIVITY);
        k->at = r_int(b); k->base = r_int(b); k->uses_deal_amount = (int)r_enum(b, 1); k->fx_rate = r_int(b);
        k->beneficiary = r_ref(b, &e->users, 0);
        r_field(b, &s, &n);
        if (s && n < sizeof k->period)
            memcpy(k->period, s, n);
        else if (s)
            b->bad = 1;
        k->to = (rw_recipient)r_enum(b, 1); k->to_user = r_ref(b, &e->users, 0);
        k->hold = (rw_hold)r_enum(b, RW_HOLD_NO_ACCESS); k->voided = (int)r_enum(b, 1);
        k->line = -1;
        if (r_more(b)) {
            k->line = r_int(b); k->margin = (int)r_enum(b, 1);
        }
        if (r_more(b)) {
            k->covered = r_ref(b, &e->rewards, 0); k->child_to = (rw_recipient)r_enum(b, 1);
            k->child_user = r_ref(b, &e->users, 0);
        }
        /* a mirror belongs to an override and to a child with a parent; nothing else is an override's */
        if (!b->bad && (k->covered != NULL) != (k->reward->kind == RW_KIND_OVERRIDE))
            b->bad = 1;
        if (!b->bad && k->covered && (!k->deal->partner->parent || k->covered->kind == RW_KIND_OVERRIDE))
            b->bad = 1;
        if (!b->bad) {
            k->nslots = k->reward->kind == RW_KIND_MILESTONE ? k->reward->nthresholds : 1;
            if (!(k->net = rw_calloc(&e->alloc, k->nslots, sizeof *k->net)))
                b->bad = b->nomem = 2;
        }
        break;
    }
    case RW_KIND_RUN: {
        rw_run *run = (rw_run *)r;
        run->id = r_str(b, 1); run->at = r_int(b); run->until = r_int(b);
        break;
    }
    case RW_KIND_LINE: {
        rw_line *l = (rw_line *)r;
        l->run = r_ref(b, &e->runs, 1); l->to = (rw_recipient)r_enum(b, 1); l->partner = r_ref(b, &e->partners, 1);
        l->user = r_ref(b, &e->users, 0); r_code(b, l->currency); l->amount = r_int(b); l->count = r_int(b);
        l->exp = rw_engine_currency_exp(e, l->currency);
        if (!b->bad) {
            l->index = l->run->lines.len;
            if (l->exp < 0 || (l->to == RW_TO_SALES_REP && !l->user))
                b->bad = 1;
        }
        break;
    }
    case RW_KIND_ENTRY: {
        rw_entry *en = (rw_entry *)r;
        en->number = (uint64_t)r_int(b); en->type = (rw_entry_type)r_enum(b, RW_ENTRY_MANUAL);
        int64_t cseq = r_int(b);
        en->slot = (size_t)r_int(b); en->partner = r_ref(b, &e->partners, 1); en->to = (rw_recipient)r_enum(b, 1);
        en->to_user = r_ref(b, &e->users, 0); en->amount = r_int(b); r_code(b, en->currency);
        en->status = (rw_status)r_enum(b, RW_ST_REDEEMED); en->hold = (rw_hold)r_enum(b, RW_HOLD_NO_ACCESS);
        en->earned_at = r_int(b); en->run = r_ref(b, &e->runs, 0); en->redemption_id = r_str(b, 0);
        if (r_more(b)) {
            en->deal = r_ref(b, &e->deals, 0); en->note = r_str(b, 0); en->adjust_id = r_str(b, 0);
        }
        /* manual entries, and only they, have an adjustment id and no contribution */
        if (!b->bad && (en->type == RW_ENTRY_MANUAL) != (en->adjust_id != NULL))
            b->bad = 1;
        if (!b->bad && en->deal && en->type != RW_ENTRY_MANUAL)
            b->bad = 1;
        if (!b->bad && en->type == RW_ENTRY_MANUAL && (cseq || (en->deal && en->deal->partner != en->partner)))
            b->bad = 1;
        if (!b->bad && en->adjust_id && rw_index_get(&e->adjustments, en->adjust_id))
            b->bad = 1;
        en->exp = rw_engine_currency_exp(e, en->currency);
        if (!b->bad && cseq && !(en->contrib = find_contrib(e, cseq)))
            b->bad = 1;
        if (!b->bad && (en->exp < 0 || (en->contrib && en->slot >= en->contrib->nslots) ||
                        en->number != RW_COUNT(e, RW_KIND_ENTRY) + 1))
            b->bad = 1;
        break;
    }
    case RW_KIND_EVENT_ID: {
        rw_event_id *ev = (rw_event_id *)r;
        ev->id = r_str(b, 1); ev->signature = r_str(b, 1);
        break;
    }
    case RW_KIND_ACTIVITY: {
        rw_deal *d = (rw_deal *)r;
        d->id = r_str(b, 1); d->partner = r_ref(b, &e->partners, 1); d->user = r_ref(b, &e->users, 0);
        d->activity_type = r_str(b, 1); d->units = r_int(b); d->has_amount = (int)r_enum(b, 1);
        r_code(b, d->currency); d->amount = r_int(b); d->attrs = r_attrs(b); d->registered_at = r_int(b);
        d->stage = RW_STAGE_REGISTERED;
        d->won_at = d->closed_at = RW_NONE;
        d->exp = rw_engine_currency_exp(e, d->currency);
        if (d->exp < 0 || d->units < 0 || d->amount < 0 || (d->user && d->user->partner != d->partner))
            b->bad = 1;
        break;
    }
    case RW_KIND_COUNT:
        b->bad = 1;
        break;
    }
    if (!b->bad && b->p != b->end)
        b->bad = 1;
}

/* ---- restore ------------------------------------------------------------ */

/* A saved record waiting for restore_finish: its kind and sequence number lead. */
typedef rw_pending pending;

static rewards_status restore_call(rewards_engine *e, rewards_record_kind kind, const void *data, size_t size)
{
    if ((unsigned)kind >= RW_KIND_COUNT)
        return rw_fail(e, REWARDS_INVALID_ARGUMENT, "unknown record kind %d", (int)kind);
    rbuf b = { e, data, (const char *)data + size, 0, 0, 0, data };
    if (size < 4 || (memcmp(data, "rw1,", 4) && ((int)kind != RW_KIND_META || memcmp(data, "rw2,", 4))))
        return rw_fail(e, REWARDS_INVALID_ARGUMENT, "a %s record is not in a format this version knows",
                       rewards_record_kind_name(kind));
    b.p += 4;
    int64_t seq = r_int(&b);
    if (b.bad || seq < 1)
        return rw_fail(e, REWARDS_INVALID_ARGUMENT, "a %s record is corrupt", rewards_record_kind_name(kind));
    pending *p = rw_malloc(&e->alloc, sizeof *p + size);
    if (!p)
        return rw_nomem(e);
    p->kind = kind;
    p->seq = (uint64_t)seq;
    p->size = size;
    memcpy(p->data, data, size);
    if (rw_vec_push(e, &e->restore, sizeof p, &p)) {
        rw_free(&e->alloc, p);
        return rw_nomem(e);
    }
    e->restoring = 1;
    return REWARDS_OK;
}

/* The restore order of a kind: kinds added after 1.0 take their place among the old ones. */
static int restore_rank(int kind)
{
    if (kind == RW_KIND_ACTIVITY)
        return 2 * RW_KIND_DEAL + 1; /* after deals, before anything that fires (contributions, entries) */
    return 2 * kind;
}

void rw_pending_key(const rw_pending *p, char *buf, size_t size)
{
    static const unsigned char keyed[RW_KIND_COUNT] = {
        [RW_KIND_CURRENCY] = 1, [RW_KIND_PROGRAM] = 1, [RW_KIND_LEVEL] = 1, [RW_KIND_REWARD] = 1,
        [RW_KIND_PARTNER] = 1,  [RW_KIND_USER] = 1,    [RW_KIND_DEAL] = 1,  [RW_KIND_RUN] = 1,
        [RW_KIND_ENTRY] = 1,    [RW_KIND_EVENT_ID] = 1, [RW_KIND_ACTIVITY] = 1,
    };
    rbuf b = { NULL, p->data + 4, p->data + p->size, 0, 0, 0, p->data };
    const char *s;
    size_t n;
    r_field(&b, &s, &n); /* the sequence number */
    r_field(&b, &s, &n); /* the id, for the kinds keyed by one */
    if (p->kind == RW_KIND_META || !keyed[p->kind] || !s) {
        snprintf(buf, size, "%s", p->kind == RW_KIND_META ? "meta" : "");
        if (p->kind != RW_KIND_META)
            snprintf(buf, size, "%llu", (unsigned long long)p->seq);
        return;
    }
    size_t k = 0;
    for (size_t i = 0; i < n && k + 1 < size; i++) /* printable for a message */
        buf[k++] = (unsigned char)s[i] < 0x20 || s[i] == 0x7f ? '?' : s[i];
    buf[k] = '\0';
}

static int by_kind_seq(const void *a, const void *b)
{
    const pending *x = *(pending *const *)a, *y = *(pending *const *)b;
    if (x->kind != y->kind)
        return restore_rank(x->kind) < restore_rank(y->kind) ? -1 : 1;
    return x->seq < y->seq ? -1 : x->seq > y->seq;
}

static rewards_status restore_one(rw_engine *e, const pending *p)
{
    rw_rec *r = rw_calloc(&e->alloc, 1, rw_record_size(p->kind));
    if (!r)
        return rw_nomem(e);
    r->kind = (uint8_t)p->kind;
    r->seq = p->seq;
    rbuf b = { e, p->data, p->data + p->size, 0, 0, p->data[2] == '2', p->data };
    b.p += 4;
    (void)r_int(&b);
    decode(&b, r);
    rewards_status st = REWARDS_OK;
    if (b.nomem)
        st = rw_nomem(e);
    else if (b.bad)
        st = rw_fail(e, REWARDS_INVALID_ARGUMENT, "%s record %llu is corrupt or refers to a missing record",
                     rewards_record_kind_name(p->kind), (unsigned long long)p->seq);
    else
        st = rw_record_check(e, r); /* the limits the operation that made it has */
    r->hash = rw_record_hash(p->kind, p->data, p->size);
    if (!st) {
        char key[300];
        rw_record_key(r, key, sizeof key);
        if (r->kind != RW_KIND_META && r->kind != RW_KIND_FX && r->kind != RW_KIND_CONTRIB && r->kind != RW_KIND_LINE &&
            r->kind != RW_KIND_LEVEL_CHANGE && r->kind != RW_KIND_ENTRY) {
            const rw_index *ixs[] = { NULL, &e->currencies, &e->programs, &e->levels, &e->rewards, &e->partners,
                                      &e->users, NULL, &e->deals, NULL, NULL, &e->runs, NULL, NULL, &e->event_ids,
                                      &e->deals };
            if (rw_index_get(ixs[r->kind], key))
                st = rw_fail(e, REWARDS_INVALID_ARGUMENT, "%s '%s' is restored twice", rewards_record_kind_name(p->kind), key);
        }
    }
    if (!st)
        st = rw_link_record(e, r);
    if (st == REWARDS_OVERFLOW) { /* totals no operation could have made: the set is corrupt */
        char why[sizeof e->errmsg];
        memcpy(why, e->errmsg, sizeof why);
        st = rw_fail(e, REWARDS_INVALID_ARGUMENT, "%s record %llu: %s", rewards_record_kind_name(p->kind),
                     (unsigned long long)p->seq, why);
    }
    if (st) {
        /* once registered in its kind list the engine owns it (and frees it with the engine) */
        const rw_vec *v = &e->records[r->kind];
        if (!(v->len && RW_VEC_AT(*v, rw_rec *, v->len - 1) == r))
            rw_record_free(e, r);
        return st;
    }
    if (r->seq >= e->next_seq)
        e->next_seq = r->seq + 1;
    return REWARDS_OK;
}

static rewards_status restore_finish_call(rewards_engine *e)
{
    pending **all = e->restore.data;
    size_t n = e->restore.len;
    if (n) /* no record restored: data is NULL, which qsort must not be given */
        qsort(all, n, sizeof *all, by_kind_seq);
    size_t meta_at = (size_t)-1;
    rewards_status st = e->restore_failed;
    if (st)
        st = rw_fail(e, st, "a record given to rewards_engine_restore was refused, so the set is incomplete");
    else
        st = rw_restore_verify(e, all, n, &meta_at);
    /* the meta record sorts first: decoded, it says what the others add up to */
    if (!st && meta_at != (size_t)-1) {
        st = restore_one(e, all[meta_at]);
        if (!st)
            st = rw_restore_check_meta(e, all, n);
    }
    for (size_t i = 0; i < n && !st; i++)
        if (i != meta_at)
            st = restore_one(e, all[i]);
    for (size_t i = 0; i < n; i++)
        rw_free(&e->alloc, all[i]);
    rw_vec_release(e, &e->restore);
    e->restoring = 0;
    e->restore_failed = REWARDS_OK;
    if (st) {
        /* nothing half restored: the engine is new again, for another attempt */
        char msg[sizeof e->errmsg];
        memcpy(msg, e->errmsg, sizeof msg);
        rw_engine_reset(e);
        memcpy(e->errmsg, msg, sizeof msg);
        return st;
    }
    rw_meta *m = e->meta;
    if (m) {
        /* a 1.0 host's meta record gains the fields at its next put */
        if (m->sealed && m->next_seq > e->next_seq)
            e->next_seq = m->next_seq;
        m->sealed = 1;
        m->next_seq = e->next_seq;
        m->digest = e->integ.digest;
        memcpy(m->counts, e->integ.counts, sizeof m->counts);
    }
    return REWARDS_OK;
}

rewards_status rewards_engine_restore(rewards_engine *e, rewards_record_kind kind, const void *data, size_t size)
{
    if (!e || (!data && size))
        return REWARDS_MISUSE;
    RW_TRY(rw_enter(e, "rewards_engine_restore"));
    rewards_status st = restore_call(e, kind, data, size);
    if (st) {
        /* the set is now incomplete: restore_finish will say so, whatever follows */
        if (!e->restore_failed)
            e->restore_failed = st;
        e->restoring = 1;
    }
    RW_LEAVE(e);
    return st;
}

rewards_status rewards_engine_restore_finish(rewards_engine *e)
{
    if (!e)
        return REWARDS_MISUSE;
    RW_TRY(rw_enter(e, "rewards_engine_restore_finish"));
    rewards_status st = restore_finish_call(e);
    RW_LEAVE(e);
    return st;
}
