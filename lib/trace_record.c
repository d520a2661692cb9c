/*
 * trace_record.c - an entry's trace block (trace.h) as stored.
 *
 * The block is one field appended at the end of the entry record (so a
 * record without it, from an older host or from an engine with traces off, still
 * decodes: the entry then has no block and its trace says the history is
 * unknown).  Every entry carries one, so it is kept short (the SQLite
 * host's database budget is about a kilobyte per entry): after the format
 * number "1", values separated by ';' in a fixed order, a 0 written as
 * nothing, INT64_MIN (an absent amount) as "n", "=" for a value equal to
 * the one before it (converted = base, metric = converted), references as
 * "LEN:ID" (a host id, resolved on restore: the records they name are
 * restored first), and trailing empty values left out.  A typical earned
 * entry takes about 25 bytes.  New values are appended at the end.
 */
#include "ops.h"
#include "buf.h"

#include <string.h>

typedef struct tbuf {
    char *p;
    size_t len, size, keep; /* keep: the length up to the last non-empty value */
    int full;
} tbuf;

static void put_raw(tbuf *b, const char *s, size_t n)
{
    if (b->len + n + 1 > b->size) {
        b->full = 1;
        return;
    }
    memcpy(b->p + b->len, s, n);
    b->len += n;
}

static void put_sep(tbuf *b)
{
    put_raw(b, ";", 1);
}

static void put_int(tbuf *b, int64_t v, int64_t prev)
{
    put_sep(b);
    if (v == prev && v != 0)
        put_raw(b, "=", 1);
    else if (v == INT64_MIN)
        put_raw(b, "n", 1);
    else if (v) {
        char num[24];
        char *d = rw_int_digits(num + sizeof num, v);
        put_raw(b, d, (size_t)(num + sizeof num - d));
    } else
        return; /* 0 is the empty value */
    b->keep = b->len;
}

static void put_id(tbuf *b, const char *id)
{
    put_sep(b);
    if (!id)
        return;
    char head[24];
    head[sizeof head - 1] = ':';
    char *h = rw_digits(head + sizeof head - 1, strlen(id));
    put_raw(b, h, (size_t)(head + sizeof head - h));
    put_raw(b, id, strlen(id));
    b->keep = b->len;
}

#define ID(x) ((x) ? (x)->id : NULL)
#define NOPREV 0 /* put_int: "=" only where the format says so */

size_t rw_trace_encode(const rw_entry *en, char *buf, size_t size)
{
    if (!en->trace || size == 0)
        return 0;
    rw_trace unpacked;
    rw_trace_unpack(en->trace, &unpacked);
    const rw_trace *t = &unpacked;
    tbuf b = { buf, 0, size, 0, 0 };
    put_raw(&b, "1", 1);
    b.keep = b.len;
    rw_trace_calc calc;
    rw_trace_calc_of(t, &calc);
    const rw_trace_calc *c = &calc;
    put_int(&b, t->cause, NOPREV); put_int(&b, t->hold, NOPREV); put_int(&b, t->release, NOPREV);
    put_int(&b, c->base, NOPREV); put_int(&b, c->converted, c->base); put_int(&b, c->metric, c->converted);
    put_int(&b, c->metric_before, NOPREV); put_int(&b, c->total_before, NOPREV); put_int(&b, c->cap_used, NOPREV);
    put_int(&b, c->uncapped, NOPREV); put_int(&b, c->voided, NOPREV); put_int(&b, rw_trace_previous(t), NOPREV);
    const rw_trace_more *m = &t->more;
    put_id(&b, ID(m->cause_deal)); put_int(&b, m->cause_from, NOPREV); put_int(&b, m->cause_to, NOPREV);
    put_int(&b, (int64_t)m->source, NOPREV); put_int(&b, t->release ? m->released_at : 0, NOPREV);
    put_id(&b, ID(m->released_to));
    if (b.full)
        return 0;
    buf[b.keep] = '\0';
    return b.keep;
}

typedef struct rd {
    const char *p, *end;
    int bad;
} rd;

/* The next value: [*s, *s + *n); absent values past the end are empty. */
static void field(rd *r, const char **s, size_t *n)
{
    *s = r->p;
    *n = 0;
    if (r->p >= r->end)
        return;
    if (*r->p != ';') {
        r->bad = 1;
        return;
    }
    const char *q = ++r->p;
    while (q < r->end && *q != ';')
        q++;
    *s = r->p;
    *n = (size_t)(q - r->p);
    r->p = q;
}

static int64_t get_int(rd *r, int64_t lo, int64_t hi, int64_t prev)
{
    const char *s;
    size_t n;
    int64_t v = 0;
    field(r, &s, &n);
    if (r->bad || n == 0)
        return 0;
    if (n == 1 && *s == '=')
        return prev;
    if (n == 1 && *s == 'n') {
        v = INT64_MIN;
    } else if (!rw_short_int(s, n, &v)) { /* longer ones: the decimal parser decides */
        int neg = s[0] == '-';
        if (n > 20 || n == (size_t)neg || rw_decimal_parse(s + neg, n - (size_t)neg, 0, 0, &v) != RW_DEC_OK) {
            r->bad = 1;
            return 0;
        }
        v = neg ? -v : v;
    }
    if (!v) {
        r->bad = 1; /* (INT64_MIN is written "n"; 0 is written empty) */
        return 0;
    }
    if (v < lo || v > hi)
        r->bad = 1;
    return v;
}

/* A reference "LEN:ID" (empty: none).  Ids never contain what would end the value early: the length says. */
static void *get_ref(rd *r, const rw_index *ix)
{
    if (r->bad || r->p >= r->end)
        return NULL;
    if (*r->p != ';') {
        r->bad = 1;
        return NULL;
    }
    const char *q = ++r->p;
    size_t len = 0;
    while (q < r->end && *q >= '0' && *q <= '9' && len < 4096)
        len = len * 10 + (size_t)(*q++ - '0');
    if (q == r->p) /* empty */
        return NULL;
    char id[256];
    if (q >= r->end || *q != ':' || len == 0 || len >= sizeof id || (size_t)(r->end - q - 1) < len) {
        r->bad = 1;
        return NULL;
    }
    memcpy(id, q + 1, len);
    id[len] = '\0';
    r->p = q + 1 + len;
    void *v = rw_index_get(ix, id);
    if (!v)
        r->bad = 1;
    return v;
}

int rw_trace_decode(rw_engine *e, rw_entry *en, const char *s, size_t n)
{
    rd r = { s + 1, s + n, 0 };
    rw_trace t;
    rw_trace_calc calc;
    rw_trace_init(&t);
    rw_trace_more *m = &t.more; /* (read straight into the trace, which keeps it by value) */
    if (n < 1 || s[0] != '1' || !en->contrib)
        return 1;
    rw_trace_calc *c = &calc;
    t.cause = (uint8_t)get_int(&r, 0, RW_CAUSE_COUNT - 1, 0);
    t.hold = (uint8_t)get_int(&r, 0, RW_HOLD_NO_ACCESS, 0);
    t.release = (uint8_t)get_int(&r, 0, RW_CAUSE_COUNT - 1, 0);
    c->base = get_int(&r, INT64_MIN, INT64_MAX, 0);
    c->converted = get_int(&r, INT64_MIN, INT64_MAX, c->base);
    c->metric = get_int(&r, INT64_MIN, INT64_MAX, c->converted);
    c->metric_before = get_int(&r, INT64_MIN, INT64_MAX, 0);
    c->total_before = get_int(&r, INT64_MIN, INT64_MAX, 0);
    c->cap_used = get_int(&r, INT64_MIN, INT64_MAX, 0);
    c->uncapped = get_int(&r, INT64_MIN, INT64_MAX, 0);
    c->voided = (int)get_int(&r, 0, 1, 0);
    /* the slot's net so far, the entry being the slot's next */
    m->previous = get_int(&r, INT64_MIN, INT64_MAX, 0);
    if (en->slot >= rw_contrib_nslots(en->contrib) || m->previous != rw_contrib_net_at(en->contrib, en->slot))
        r.bad = 1;
    /* the converted amount is kept as a byte: it is the metric or none (rw_trace_calc_begin) */
    if (c->converted != RW_NONE && c->converted != c->metric)
        r.bad = 1;
    m->cause_deal = get_ref(&r, &e->deals);
    m->cause_from = get_int(&r, INT64_MIN, INT64_MAX, 0);
    m->cause_to = get_int(&r, INT64_MIN, INT64_MAX, 0);
    m->source = (uint64_t)get_int(&r, 0, INT64_MAX, 0);
    m->released_at = get_int(&r, INT64_MIN, INT64_MAX, 0);
    m->released_to = get_ref(&r, &e->users);
    if (!t.release)
        m->released_at = RW_NONE;
    t.base = c->base;
    t.converted = c->converted != RW_NONE;
    t.metric = c->metric;
    t.metric_before = c->metric_before;
    t.total_before = c->total_before;
    m->cap_used = c->cap_used;
    t.uncapped = c->uncapped;
    t.voided = (uint8_t)c->voided;
    /* later formats append values: what follows is theirs; the rest must make sense */
    if (r.bad || (m->source && m->source >= en->number) || (m->released_to && !t.release))
        return 1;
    if (e->trace.off)
        return 0;
    if (!(en->trace = rw_trace_pack(e, &t)))
        return 2;
    return 0;
}
