/*
 * trace_pack.c - an entry's trace as it is kept in memory: packed bytes.
 *
 * A trace's five numbers are mostly small or zero (a plain percent reward
 * has no group, so its metric and total before are 0, and its metric is its
 * base), and an entry of a contribution has one, five or so per deal.  As a
 * struct of 8-byte fields a trace took 56 bytes; packed it takes about 15.
 * The layout, never stored (trace_record.c writes the stored text):
 *
 *   byte 0   flags: voided (1), converted (2), has a rarer part (4),
 *            metric equal to base (8); the hold at creation in bits 4-5
 *   byte 1   cause (rw_cause_kind)
 *   byte 2   release (rw_cause_kind; 0 while held or never held)
 *   then     base, metric (unless flag 8), metric before, total before and
 *            uncapped, each a zigzag varint (7 bits a byte, low first)
 *   then     with flag 4, a byte saying which of the rarer part's eight
 *            fields differ from their defaults (bit i: the i-th of
 *            rw_trace_more), and those fields in order: the two addresses
 *            as 8 raw bytes, the numbers as zigzag varints
 *
 * Packed bytes never change; a release packs the trace again
 * (rw_trace_release, trace.c).
 */
#include "ops.h"

#include <string.h>

enum { F_VOIDED = 1, F_CONVERTED = 2, F_MORE = 4, F_METRIC_IS_BASE = 8, HOLD_SHIFT = 4 };
#define HEAD 3 /* the bytes before the numbers */

static unsigned char *put_varint(unsigned char *p, int64_t v)
{
    uint64_t z = ((uint64_t)v << 1) ^ (v < 0 ? UINT64_MAX : 0); /* zigzag: small magnitudes, few bytes */
    while (z >= 0x80) {
        *p++ = (unsigned char)(z | 0x80);
        z >>= 7;
    }
    *p++ = (unsigned char)z;
    return p;
}

static const unsigned char *get_varint(const unsigned char *p, int64_t *v)
{
    uint64_t z = 0;
    for (int shift = 0;; shift += 7) {
        unsigned char b = *p++;
        z |= (uint64_t)(b & 0x7F) << shift;
        if (!(b & 0x80))
            break;
    }
    *v = (int64_t)(z >> 1) ^ -(int64_t)(z & 1);
    return p;
}

/* The rarer part's defaults, field by field (rw_trace_init). */
static const rw_trace_more no_more = { NULL, 0, 0, 0, RW_NONE, NULL, 0, 0 };

void rw_trace_init(rw_trace *t)
{
    memset(t, 0, sizeof *t);
    t->more = no_more;
}

static unsigned char *put_ptr(unsigned char *p, const void *v)
{
    memcpy(p, &v, sizeof v);
    return p + sizeof v;
}

static const unsigned char *get_ptr(const unsigned char *p, void *out)
{
    memcpy(out, p, sizeof(void *));
    return p + sizeof(void *);
}

/* Which fields of m differ from the defaults: bit i for the i-th field. */
static unsigned more_mask(const rw_trace_more *m)
{
    return (m->cause_deal ? 1u : 0) | (m->cause_from ? 2u : 0) | (m->cause_to ? 4u : 0) | (m->source ? 8u : 0) |
           (m->released_at != RW_NONE ? 16u : 0) | (m->released_to ? 32u : 0) | (m->cap_used ? 64u : 0) |
           (m->previous ? 128u : 0);
}

unsigned char *rw_trace_pack(rw_engine *e, const rw_trace *t)
{
    unsigned char buf[RW_TRACE_PACKED_MAX], *p = buf + HEAD;
    const rw_trace_more *m = &t->more;
    unsigned mask = more_mask(m);
    int same = t->metric == t->base;
    buf[0] = (unsigned char)((t->voided ? F_VOIDED : 0) | (t->converted ? F_CONVERTED : 0) | (mask ? F_MORE : 0) |
                             (same ? F_METRIC_IS_BASE : 0) | (t->hold << HOLD_SHIFT));
    buf[1] = t->cause;
    buf[2] = t->release;
    p = put_varint(p, t->base);
    if (!same)
        p = put_varint(p, t->metric);
    p = put_varint(p, t->metric_before);
    p = put_varint(p, t->total_before);
    p = put_varint(p, t->uncapped);
    if (mask) {
        *p++ = (unsigned char)mask;
        if (mask & 1u)
            p = put_ptr(p, m->cause_deal);
        if (mask & 2u)
            p = put_varint(p, m->cause_from);
        if (mask & 4u)
            p = put_varint(p, m->cause_to);
        if (mask & 8u)
            p = put_varint(p, (int64_t)m->source);
        if (mask & 16u)
            p = put_varint(p, m->released_at);
        if (mask & 32u)
            p = put_ptr(p, m->released_to);
        if (mask & 64u)
            p = put_varint(p, m->cap_used);
        if (mask & 128u)
            p = put_varint(p, m->previous);
    }
    size_t n = (size_t)(p - buf);
    /* from the trace slab (a rollback takes it back): not a heap block per entry */
    unsigned char *out = rw_slab_alloc_aligned(e, &e->trace_slab, n, 1);
    if (out)
        memcpy(out, buf, n);
    return out;
}

/* Past the five numbers of the packed trace at p, to its rarer part (if any). */
static const unsigned char *numbers(const unsigned char *p, rw_trace *t)
{
    const unsigned char *q = get_varint(p + HEAD, &t->base);
    if (p[0] & F_METRIC_IS_BASE)
        t->metric = t->base;
    else
        q = get_varint(q, &t->metric);
    q = get_varint(q, &t->metric_before);
    q = get_varint(q, &t->total_before);
    return get_varint(q, &t->uncapped);
}

void rw_trace_unpack(const unsigned char *p, rw_trace *t)
{
    rw_trace_init(t);
    t->voided = p[0] & F_VOIDED ? 1 : 0;
    t->converted = p[0] & F_CONVERTED ? 1 : 0;
    t->hold = (uint8_t)(p[0] >> HOLD_SHIFT);
    t->cause = p[1];
    t->release = p[2];
    const unsigned char *q = numbers(p, t);
    if (!(p[0] & F_MORE))
        return;
    unsigned mask = *q++;
    rw_trace_more *m = &t->more;
    int64_t source = 0;
    if (mask & 1u)
        q = get_ptr(q, &m->cause_deal);
    if (mask & 2u)
        q = get_varint(q, &m->cause_from);
    if (mask & 4u)
        q = get_varint(q, &m->cause_to);
    if (mask & 8u)
        q = get_varint(q, &source);
    m->source = (uint64_t)source;
    if (mask & 16u)
        q = get_varint(q, &m->released_at);
    if (mask & 32u)
        q = get_ptr(q, &m->released_to);
    if (mask & 64u)
        q = get_varint(q, &m->cap_used);
    if (mask & 128u)
        (void)get_varint(q, &m->previous);
}

size_t rw_trace_packed_size(const unsigned char *p)
{
    rw_trace t;
    const unsigned char *q = numbers(p, &t);
    if (p[0] & F_MORE) {
        unsigned mask = *q++;
        for (unsigned bit = 1; bit < 256; bit <<= 1) {
            if (!(mask & bit))
                continue;
            if (bit == 1u || bit == 32u) {
                q += sizeof(void *);
                continue;
            }
            int64_t v;
            q = get_varint(q, &v);
        }
    }
    return (size_t)(q - p);
}
