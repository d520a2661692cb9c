/*
 * record.c - what every record kind has: its size, its storage key, and
 * freeing it.
 *
 * A record's data (record_encode.c) is "rw1," followed by its fields, each
 * written as "<length>:<bytes>," (a netstring), or "-," for an absent value;
 * record_decode.c reads it back and restore.c rebuilds an engine from a
 * set of them.  The four were one file until it passed 1,000 lines; they
 * are split along those seams, each kind's fields being listed once per
 * direction.
 */
#include "ops.h"

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

/* What snprintf(buf, size, "%s" or "%llu") wrote, without its cost (a key is made per put and per restored record). */
static void key_text(char *buf, size_t size, const char *s)
{
    if (!size)
        return;
    size_t n = strlen(s);
    if (n >= size)
        n = size - 1;
    memcpy(buf, s, n);
    buf[n] = '\0';
}

static void key_number(char *buf, size_t size, uint64_t v)
{
    char tmp[24];
    size_t n = sizeof tmp;
    tmp[--n] = '\0';
    do {
        tmp[--n] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    key_text(buf, size, tmp + n);
}

void rw_record_key(const rw_rec *r, char *buf, size_t size)
{
    const char *id = NULL;
    switch ((rw_kind)rw_rec_kind(r)) {
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
        key_number(buf, size, ((const rw_entry *)r)->number);
        return;
    default:
        break;
    }
    if (id)
        key_text(buf, size, id);
    else
        key_number(buf, size, r->seq);
}

/* ---- freeing ------------------------------------------------------------ */

static void free_attrs(rw_engine *e, rw_attrs *a)
{
    rw_free(&e->alloc, a); /* one block with its items and strings (rw_attrs_new) */
}

void rw_record_free(rw_engine *e, rw_rec *r)
{
    const rw_alloc *a = &e->alloc;
    switch ((rw_kind)rw_rec_kind(r)) {
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
        rw_vec_release(e, &u->held);
        break;
    }
    case RW_KIND_DEAL:
    case RW_KIND_ACTIVITY: {
        rw_deal *d = (rw_deal *)r;
        free_attrs(e, d->attrs); /* the id is in the slab */ rw_free(a, d->activity_type);
        rw_vec_release(e, &d->contribs); rw_vec_release(e, &d->entries);
        for (size_t i = 0; d->lines && i < d->nlines; i++) {
            rw_free(a, d->lines[i].id); rw_free(a, d->lines[i].product); free_attrs(e, d->lines[i].attrs);
        }
        rw_free(a, d->lines);
        break;
    }
    case RW_KIND_CONTRIB: /* its net, if not inside it, is in the slab */
        break;
    case RW_KIND_RUN: {
        rw_run *run = (rw_run *)r;
        rw_free(a, run->id);
        rw_vec_release(e, &run->lines);
        break;
    }
    case RW_KIND_ENTRY:
        if (((rw_entry *)r)->extra) { /* the extra itself, like the trace, is in a slab */
            rw_free(a, ((rw_entry *)r)->extra->redemption_id);
            rw_free(a, ((rw_entry *)r)->extra->note);
            rw_free(a, ((rw_entry *)r)->extra->adjust_id);
        }
        break;
    case RW_KIND_EVENT_ID: {
        rw_event_id *ev = (rw_event_id *)r;
        rw_free(a, ev->id); rw_free(a, ev->signature);
        break;
    }
    default:
        break;
    }
    /* the record itself is in its kind's slab (slab.c), released with the engine */
}

rw_contrib_rare *rw_contrib_rare_new(rw_engine *e, int64_t fx_rate, struct rw_reward *covered, rw_user *child_user,
                                     int child_to)
{
    /* from the general slab: a rollback of the call that made it takes it back */
    rw_contrib_rare *r = rw_slab_alloc(e, &e->general, sizeof *r);
    if (r) {
        r->fx_rate = fx_rate;
        r->covered = covered;
        r->child_user = child_user;
        r->child_to = (uint8_t)child_to;
    }
    return r;
}
