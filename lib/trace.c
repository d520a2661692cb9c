/*
 * trace.c - capturing calculation traces (trace.h): the hooks the
 * evaluation, ledger and operation code call, kept here so those files
 * change by a line each.
 *
 * The hooks only copy numbers the engine already has at hand; no hook
 * computes anything of its own, so a trace shows what the engine did, not
 * a second opinion.  With traces off (rewards_options.traces) the entry
 * block is never allocated and nothing else changes.
 */
#include "ops.h"

#include <string.h>

void rw_trace_cause_set(rw_engine *e, int kind, rw_deal *d, int64_t from, int64_t to)
{
    e->trace.cause.kind = kind;
    e->trace.cause.deal = d;
    e->trace.cause.from = from;
    e->trace.cause.to = to;
}

void rw_trace_calc_begin(rw_engine *e, const rw_contrib *k, int64_t metric, int amount_based, int64_t metric_before,
                         int64_t total_before, const int64_t *cap_used)
{
    rw_trace_calc *c = &e->trace.calc;
    c->base = k->base;
    c->converted = amount_based && !k->voided ? metric : RW_NONE;
    c->metric = metric;
    c->metric_before = metric_before;
    c->total_before = total_before;
    c->cap_used = cap_used ? *cap_used : 0;
    c->uncapped = 0;
    c->voided = k->voided;
}

static const rw_trace_more nothing_more = { NULL, 0, 0, 0, RW_NONE, NULL, 0, 0 };

const rw_trace_more *rw_trace_more_of(const rw_trace *t)
{
    return t->more ? t->more : &nothing_more;
}

void rw_trace_calc_of(const rw_trace *t, rw_trace_calc *c)
{
    c->base = t->base;
    c->converted = t->converted ? t->metric : RW_NONE;
    c->metric = t->metric;
    c->metric_before = t->metric_before;
    c->total_before = t->total_before;
    c->cap_used = rw_trace_more_of(t)->cap_used;
    c->uncapped = t->uncapped;
    c->voided = t->voided;
}

/* A trace's rarer part, from the trace slab (a rollback takes it back). */
static rw_trace_more *more_new(rw_engine *e)
{
    rw_trace_more *m = rw_slab_alloc_aligned(e, &e->trace_slab, sizeof *m, _Alignof(rw_trace_more));
    if (m)
        *m = nothing_more;
    return m;
}

int rw_trace_entry(rw_engine *e, rw_entry *en, int type)
{
    if (e->trace.off)
        return 0;
    rw_trace t;
    memset(&t, 0, sizeof t);
    const rw_trace_calc *c = &e->trace.calc;
    t.base = c->base;
    t.converted = c->converted != RW_NONE; /* the metric, when not none: rw_trace_calc_begin */
    t.metric = c->metric;
    t.metric_before = c->metric_before;
    t.total_before = c->total_before;
    t.uncapped = c->uncapped;
    t.voided = (uint8_t)c->voided;
    t.hold = (uint8_t)en->hold;
    int correction = type == RW_ENTRY_ADJUSTMENT || type == RW_ENTRY_REVERSAL;
    int64_t previous = rw_contrib_net_at(en->contrib, en->slot);
    if (correction || e->trace.source || c->cap_used || previous) {
        if (!(t.more = more_new(e)))
            return -1;
        t.more->source = e->trace.source;
        t.more->cap_used = c->cap_used;
        t.more->previous = previous;
        if (correction) {
            t.cause = (uint8_t)e->trace.cause.kind;
            t.more->cause_deal = e->trace.cause.deal;
            t.more->cause_from = e->trace.cause.from;
            t.more->cause_to = e->trace.cause.to;
        }
    }
    /* packed, from the trace slab (a rollback takes it and the rarer part back) */
    if (!(en->trace = rw_trace_pack(e, &t)))
        return -1;
    return 0;
}

int rw_trace_release(rw_engine *e, rw_entry *en, int64_t at)
{
    if (!en->trace)
        return 0;
    rw_trace t;
    rw_trace_unpack(en->trace, &t);
    if (t.more) {
        if (rw_save(e, t.more, sizeof *t.more) || rw_trace_set_release(e, en->trace, e->trace.cause.kind))
            return -1;
    } else {
        /* a rarer part now: the trace is packed again with its address (the old block stays in the slab) */
        unsigned char *p;
        if (!(t.more = more_new(e)))
            return -1;
        t.release = (uint8_t)e->trace.cause.kind;
        if (!(p = rw_trace_pack(e, &t)) || RW_SET(e, en->trace, p))
            return -1;
    }
    t.more->released_at = at;
    t.more->released_to = en->to_user;
    return 0;
}
