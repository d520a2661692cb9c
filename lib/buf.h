/*
 * buf.h - a growable byte buffer for text the engine builds and hands out
 * whole (record data, operation signatures).  A failed allocation is sticky:
 * writers keep calling and check `failed` once at the end.
 */
#ifndef RW_BUF_H
#define RW_BUF_H

#include "rw_alloc.h"

#include <stdint.h>
#include <string.h>

typedef struct rw_buf {
    const rw_alloc *a;
    char *p;      /* NUL-terminated while not failed */
    size_t len, cap;
    int failed;
} rw_buf;

/* rw_buf_put when the buffer must grow first (or has failed). */
void rw_buf_grow_put(rw_buf *b, const char *s, size_t n);

/* Append n bytes.  Inline: a record's encoding appends a few dozen short
 * fields, and the call was a good part of their cost. */
static inline void rw_buf_put(rw_buf *b, const char *s, size_t n)
{
    if (b->failed || b->len + n + 1 > b->cap) {
        rw_buf_grow_put(b, s, n);
        return;
    }
    memcpy(b->p + b->len, s, n);
    b->len += n;
    b->p[b->len] = '\0';
}
void rw_buf_puts(rw_buf *b, const char *s);

/* v in decimal, written to end just before end; returns its first digit.
 * (The stored formats print many integers: snprintf was most of their cost.) */
char *rw_digits(char *end, uint64_t v);
/* The same for a signed v: a '-' before the digits of a negative one (INT64_MIN too). */
char *rw_int_digits(char *end, int64_t v);

/* The n bytes at s as an integer when they are an optional '-' and 1 to 18
 * digits (too few to overflow): 1, with *out set.  0 for anything else,
 * which the caller's general reader then judges.  Inline: a restore reads
 * some ten stored integers per record, nearly all of this shape. */
static inline int rw_short_int(const char *s, size_t n, int64_t *out)
{
    size_t i = n && s[0] == '-';
    const size_t first = i;
    if (n == first || n - first > 18)
        return 0;
    uint64_t v = 0;
    for (; i < n; i++) {
        unsigned d = (unsigned)(unsigned char)s[i] - '0';
        if (d > 9)
            return 0;
        v = v * 10 + d;
    }
    *out = first ? -(int64_t)v : (int64_t)v;
    return 1;
}

#endif
