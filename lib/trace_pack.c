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
 *   then     the rarer part's address (8 bytes, unaligned) when flag 4
 *   then     base, metric (unless flag 8), metric before, total before and
 *            uncapped, each a zigzag varint (7 bits a byte, low first)
 *
 * The release byte is the only one that changes after creation
 * (rw_trace_release, trace.c); everything else a release writes is in the
 * rarer part.
 */
#include "ops.h"

#include <string.h>

enum { F_VOIDED = 1, F_CONVERTED = 2, F_MORE = 4, F_METRIC_IS_BASE = 8, HOLD_SHIFT = 4 };
#define HEAD 3 /* the bytes before the rarer part's address */

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

unsigned char *rw_trace_pack(rw_engine *e, const rw_trace *t)
{
    unsigned char buf[RW_TRACE_PACKED_MAX], *p = buf + HEAD;
    int same = t->metric == t->base;
    buf[0] = (unsigned char)((t->voided ? F_VOIDED : 0) | (t->converted ? F_CONVERTED : 0) | (t->more ? F_MORE : 0) |
                             (same ? F_METRIC_IS_BASE : 0) | (t->hold << HOLD_SHIFT));
    buf[1] = t->cause;
    buf[2] = t->release;
    if (t->more) {
        memcpy(p, &t->more, sizeof t->more);
        p += sizeof t->more;
    }
    p = put_varint(p, t->base);
    if (!same)
        p = put_varint(p, t->metric);
    p = put_varint(p, t->metric_before);
    p = put_varint(p, t->total_before);
    p = put_varint(p, t->uncapped);
    size_t n = (size_t)(p - buf);
    /* from the trace slab (a rollback takes it back): not a heap block per entry */
    unsigned char *out = rw_slab_alloc_aligned(e, &e->trace_slab, n, 1);
    if (out)
        memcpy(out, buf, n);
    return out;
}

void rw_trace_unpack(const unsigned char *p, rw_trace *t)
{
    memset(t, 0, sizeof *t);
    t->voided = p[0] & F_VOIDED ? 1 : 0;
    t->converted = p[0] & F_CONVERTED ? 1 : 0;
    t->hold = (uint8_t)(p[0] >> HOLD_SHIFT);
    t->cause = p[1];
    t->release = p[2];
    const unsigned char *q = p + HEAD;
    if (p[0] & F_MORE) {
        memcpy(&t->more, q, sizeof t->more);
        q += sizeof t->more;
    }
    q = get_varint(q, &t->base);
    if (p[0] & F_METRIC_IS_BASE)
        t->metric = t->base;
    else
        q = get_varint(q, &t->metric);
    q = get_varint(q, &t->metric_before);
    q = get_varint(q, &t->total_before);
    (void)get_varint(q, &t->uncapped);
}

size_t rw_trace_packed_size(const unsigned char *p)
{
    const unsigned char *q = p + HEAD + (p[0] & F_MORE ? sizeof(void *) : 0);
    for (int values = p[0] & F_METRIC_IS_BASE ? 4 : 5; values > 0; q++)
        if (!(*q & 0x80))
            values--;
    return (size_t)(q - p);
}

int rw_trace_set_release(rw_engine *e, unsigned char *p, int kind)
{
    if (rw_save(e, &p[2], 1))
        return -1;
    p[2] = (unsigned char)kind;
    return 0;
}
