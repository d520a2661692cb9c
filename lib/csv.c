/*
 * csv.c - the CSV writer of csv.h.  Output is buffered so that the host's
 * callback sees a few large writes rather than one per cell.
 */
#include "csv.h"

#include <stdio.h>
#include <string.h>

void rw_csv_init(rw_csv *c, rewards_write_fn write, void *user)
{
    memset(c, 0, sizeof *c);
    c->write = write;
    c->user = user;
    c->first = 1;
}

static void flush(rw_csv *c)
{
    if (!c->failed && c->len && c->write(c->user, c->buf, c->len))
        c->failed = 1;
    c->len = 0;
}

static void put(rw_csv *c, const char *s, size_t n)
{
    while (n && !c->failed) {
        size_t room = sizeof c->buf - c->len;
        size_t k = n < room ? n : room;
        memcpy(c->buf + c->len, s, k);
        c->len += k;
        s += k;
        n -= k;
        if (c->len == sizeof c->buf)
            flush(c);
    }
}

static void cell(rw_csv *c, const char *prefix, const char *s)
{
    if (!c->first)
        put(c, ",", 1);
    c->first = 0;
    int quote = strpbrk(s, ",\"\r\n") != NULL;
    if (quote)
        put(c, "\"", 1);
    put(c, prefix, strlen(prefix));
    for (const char *q; (q = strchr(s, '"')); s = q + 1) {
        put(c, s, (size_t)(q - s) + 1);
        put(c, "\"", 1);
    }
    put(c, s, strlen(s));
    if (quote)
        put(c, "\"", 1);
}

void rw_csv_text(rw_csv *c, const char *s)
{
    int risky = s[0] && strchr("=+-@\t\r", s[0]);
    cell(c, risky ? "'" : "", s);
}

void rw_csv_word(rw_csv *c, const char *s) { cell(c, "", s); }

void rw_csv_amount(rw_csv *c, int64_t amount, int exp)
{
    char b[40];
    rw_amount_format(amount, exp, b, sizeof b);
    cell(c, "", b);
}

void rw_csv_int(rw_csv *c, int64_t v)
{
    char b[32];
    snprintf(b, sizeof b, "%lld", (long long)v);
    cell(c, "", b);
}

void rw_csv_time(rw_csv *c, int64_t t)
{
    char b[32];
    rw_time_format(t, b, sizeof b);
    cell(c, "", b);
}

void rw_csv_end_row(rw_csv *c)
{
    put(c, "\n", 1);
    c->first = 1;
}

rewards_status rw_csv_finish(rw_csv *c)
{
    flush(c);
    return c->failed ? REWARDS_STORAGE : REWARDS_OK;
}
