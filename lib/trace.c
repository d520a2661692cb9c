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

void rw_trace_calc_of(const rw_trace *t, rw_trace_calc *c)
{
    c->base = t->base;
    c->converted = t->converted ? t->metric : RW_NONE;
    c->metric = t->metric;
    c->metric_before = t->metric_before;
    c->total_before = t->total_before;
    c->cap_used = t->more.cap_used;
    c->uncapped = t->uncapped;
    c->voided = t->voided;
}

int rw_trace_entry(rw_engine *e, rw_entry *en, int type)
{
    if (e->trace.off)
        return 0;
    rw_trace t;
    rw_trace_init(&t);
    const rw_trace_calc *c = &e->trace.calc;
    t.base = c->base;
    t.converted = c->converted != RW_NONE; /* the metric, when not none: rw_trace_calc_begin */
    t.metric = c->metric;
    t.metric_before = c->metric_before;
    t.total_before = c->total_before;
    t.uncapped = c->uncapped;
    t.voided = (uint8_t)c->voided;
    t.hold = (uint8_t)en->hold;
    t.more.source = e->trace.source;
    t.more.cap_used = c->cap_used;
    t.more.previous = rw_contrib_net_at(en->contrib, en->slot);
    if (type == RW_ENTRY_ADJUSTMENT || type == RW_ENTRY_REVERSAL) {
        t.cause = (uint8_t)e->trace.cause.kind;
        t.more.cause_deal = e->trace.cause.deal;
        t.more.cause_from = e->trace.cause.from;
        t.more.cause_to = e->trace.cause.to;
    }
    /* packed, from the trace slab (a rollback takes it back) */
    if (!(en->trace = rw_trace_pack(e, &t)))
        return -1;
    return 0;
}

int rw_trace_release(rw_engine *e, rw_entry *en, int64_t at)
{
    if (!en->trace)
        return 0;
    /* packed again with the release (the old bytes stay in the slab: releases are few) */
    rw_trace t;
    rw_trace_unpack(en->trace, &t);
    t.release = (uint8_t)e->trace.cause.kind;
    t.more.released_at = at;
    t.more.released_to = en->to_user;
    unsigned char *p = rw_trace_pack(e, &t);
    if (!p || RW_SET(e, en->trace, p))
        return -1;
    return 0;
}
