/*
 * record_encode.c - a record as the host stores it.
 *
 * "rw1," (the meta record: "rw2,") then the sequence number and the kind's
 * fields, each "<length>:<bytes>," (a netstring) or "-," when absent.  The
 * format is exact (integers in decimal, strings as given), binary-safe and
 * deterministic; references name the referred record by its host id, or by
 * its sequence number for records without one.  Fields added after 1.0 are
 * appended at the end of a kind's encoding, so a 1.0 record still decodes
 * (record_decode.c reads absent trailing fields as their defaults).
 */
#include "ops.h"
#include "buf.h"

#include <string.h>

/* A netstring "<n>:<bytes>,": one append for a short field (most are). */
static void w_strn(rw_buf *b, const char *s, size_t n)
{
    char field[96];
    char *end = field + 24; /* the length goes before, the bytes after */
    end[0] = ':';
    char *h = rw_digits(end, n);
    if (n <= sizeof field - 24 - 2) {
        memcpy(end + 1, s, n);
        end[1 + n] = ',';
        rw_buf_put(b, h, (size_t)(end + 2 + n - h));
        return;
    }
    rw_buf_put(b, h, (size_t)(end + 1 - h));
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

/* An integer field, "len:digits,", whose digits were written just before
 * its comma at end: the length goes in front of them and the whole field is
 * appended in one copy (most fields of a record are integers). */
static void w_number(rw_buf *b, char *s, char *end)
{
    size_t n = (size_t)(end - s);
    *--s = ':';
    s = rw_digits(s, n);
    rw_buf_put(b, s, (size_t)(end + 1 - s));
}

static void w_u64(rw_buf *b, uint64_t v)
{
    char field[48];
    char *end = field + sizeof field - 1;
    *end = ',';
    w_number(b, rw_digits(end, v), end);
}

static void w_int(rw_buf *b, int64_t v)
{
    char field[48];
    char *end = field + sizeof field - 1;
    *end = ',';
    w_number(b, rw_int_digits(end, v), end);
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
    rw_buf_put(b, rw_rec_kind(r) == RW_KIND_META ? "rw2," : "rw1,", 4);
    w_int(b, (int64_t)r->seq);
    switch ((rw_kind)rw_rec_kind(r)) {
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
        w_int(b, rw_contrib_uses_deal_amount(k)); w_int(b, rw_contrib_fx_rate(k)); w_str(b, ID(k->beneficiary)); w_str(b, rw_contrib_period(k));
        w_int(b, k->to); w_str(b, ID(k->to_user)); w_int(b, k->hold); w_int(b, k->voided);
        /* 1.1, appended: the line index (-1: per deal) and the base kind */
        w_int(b, k->line); w_int(b, rw_contrib_margin(k));
        /* since 1.1: what an override's mirror mirrors */
        w_str(b, ID(rw_contrib_covered(k))); w_int(b, rw_contrib_child_to(k)); w_str(b, ID(rw_contrib_child_user(k)));
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
        w_int(b, en->amount); w_str(b, rw_entry_currency(en)); w_int(b, en->status); w_int(b, en->hold);
        w_int(b, en->earned_at); w_str(b, ID(en->run)); w_str(b, rw_entry_redemption_id(en));
        /* since 1.1: manual entries */
        w_str(b, ID(rw_entry_deal(en))); w_str(b, rw_entry_note(en)); w_str(b, rw_entry_adjust_id(en));
        /* since 1.1: the calculation trace (trace_record.c), "-," without one */
        char tb[RW_TRACE_MAX_ENCODED];
        size_t tn = rw_trace_encode(en, tb, sizeof tb);
        if (tn)
            w_strn(b, tb, tn);
        else
            w_str(b, NULL);
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
