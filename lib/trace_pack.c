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

/* The rarer part's fields in their packed order (bit i of the mask: the
 * i-th), each 8 bytes: an address is packed as its raw bytes, a number as
 * a varint.  A field is packed when it differs from no_more's. */
static const struct {
    size_t off;
    int address;
} more_fields[] = {
    { offsetof(rw_trace_more, cause_deal), 1 }, { offsetof(rw_trace_more, cause_from), 0 },
    { offsetof(rw_trace_more, cause_to), 0 },   { offsetof(rw_trace_more, source), 0 },
    { offsetof(rw_trace_more, released_at), 0 }, { offsetof(rw_trace_more, released_to), 1 },
    { offsetof(rw_trace_more, cap_used), 0 },   { offsetof(rw_trace_more, previous), 0 },
};
#define MORE_FIELDS (sizeof more_fields / sizeof more_fields[0])
_Static_assert(sizeof(rw_trace_more) == 8 * 8, "the rarer part is eight 8-byte fields, each in more_fields");

static unsigned more_mask(const rw_trace_more *m)
{
    unsigned mask = 0;
    for (size_t i = 0; i < MORE_FIELDS; i++)
        if (memcmp((const char *)m + more_fields[i].off, (const char *)&no_more + more_fields[i].off, 8))
            mask |= 1u << i;
    return mask;
}

/* The fields of mask from m, packed at p; past them. */
static unsigned char *put_more(unsigned char *p, const rw_trace_more *m, unsigned mask)
{
    for (size_t i = 0; i < MORE_FIELDS; i++) {
        const char *field = (const char *)m + more_fields[i].off;
        int64_t v;
        if (!(mask & 1u << i))
            continue;
        if (more_fields[i].address) {
            memcpy(p, field, 8);
            p += 8;
        } else {
            memcpy(&v, field, 8);
            p = put_varint(p, v);
        }
    }
    return p;
}

/* The fields of mask packed at q into m (NULL: only skipped); past them. */
static const unsigned char *get_more(const unsigned char *q, rw_trace_more *m, unsigned mask)
{
    for (size_t i = 0; i < MORE_FIELDS; i++) {
        char *field = m ? (char *)m + more_fields[i].off : NULL;
        int64_t v;
        if (!(mask & 1u << i))
            continue;
        if (more_fields[i].address) {
            if (field)
                memcpy(field, q, 8);
            q += 8;
        } else {
            q = get_varint(q, &v);
            if (field)
                memcpy(field, &v, 8);
        }
    }
    return q;
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
        p = put_more(p, m, mask);
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
    (void)get_more(q, &t->more, mask);
}

size_t rw_trace_packed_size(const unsigned char *p)
{
    rw_trace t;
    const unsigned char *q = numbers(p, &t);
    if (p[0] & F_MORE) {
        unsigned mask = *q++;
        q = get_more(q, NULL, mask);
    }
    return (size_t)(q - p);
}
