/*
 * buf.c - the growable buffer of buf.h.
 */
#include "buf.h"

#include <string.h>

void rw_buf_put(rw_buf *b, const char *s, size_t n)
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

char *rw_digits(char *end, uint64_t v)
{
    do {
        *--end = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    return end;
}
