/*
 * buf.c - the growable buffer of buf.h.
 */
#include "buf.h"

#include <string.h>

void rw_buf_grow_put(rw_buf *b, const char *s, size_t n)
{
    if (b->failed)
        return;
    if (b->len + n + 1 > b->cap) {
        size_t ncap = b->cap ? b->cap * 2 : 256;
        while (ncap < b->len + n + 1)
            ncap *= 2;
        char *np = rw_realloc(b->a, b->p, ncap);
        if (!np) {
            b->failed = 1;
            return;
        }
        b->p = np;
        b->cap = ncap;
    }
    memcpy(b->p + b->len, s, n);
    b->len += n;
    b->p[b->len] = '\0';
}

void rw_buf_puts(rw_buf *b, const char *s)
{
    rw_buf_put(b, s, strlen(s));
}

/* Two digits per division: most integers written are times and amounts of ten digits or more. */
static const char two_digits[] = "00010203040506070809101112131415161718192021222324252627282930313233343536373839"
                                 "40414243444546474849505152535455565758596061626364656667686970717273747576777879"
                                 "8081828384858687888990919293949596979899";

char *rw_digits(char *end, uint64_t v)
{
    while (v >= 100) {
        size_t r = (size_t)(v % 100);
        v /= 100;
        end -= 2;
        memcpy(end, two_digits + 2 * r, 2);
    }
    if (v >= 10) {
        end -= 2;
        memcpy(end, two_digits + 2 * v, 2);
    } else
        *--end = (char)('0' + v);
    return end;
}

char *rw_int_digits(char *end, int64_t v)
{
    char *s = rw_digits(end, v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v);
    if (v < 0)
        *--s = '-';
    return s;
}
