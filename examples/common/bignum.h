/*
 * bignum.h - numbers in a scenario line that jansson cannot hold.
 *
 * jansson refuses a whole line when an integer is beyond int64 or a real
 * beyond double.  Such a number is a fault of one field, not of the file:
 * bignum_substitute() rewrites each such number token into a placeholder
 * string (a NUL byte and its index, which no valid line can contain) so the
 * line parses, and the reader then hands the token's exact text to the
 * library at that field.  See scenario.c for how the field is reported.
 */
#ifndef BIGNUM_H
#define BIGNUM_H

#include <stddef.h>

#define BIGNUM_MAX 16

typedef struct {
    int integer; /* an integer token (no fraction or exponent) beyond int64; else a real beyond double */
    const char *src; /* the token as written: len bytes of the original line */
    size_t len;
} bignum_token;

typedef struct {
    char *line; /* the rewritten line (malloc'd), or NULL */
    size_t count;
    bignum_token tokens[BIGNUM_MAX];
} bignum_set;

/*
 * Rewrite the out-of-range number tokens of line into placeholders.
 * Returns 1 when at least one was rewritten (set->line holds the new text),
 * 0 when there is none or the line cannot be rewritten safely (a string
 * already holds \u0000, more than BIGNUM_MAX tokens, no memory): the caller
 * then reports jansson's own error.  Free with bignum_free().
 */
int bignum_substitute(const char *line, bignum_set *set);
void bignum_free(bignum_set *set);

/* The token behind a placeholder string of size bytes, or NULL when s is not one. */
const bignum_token *bignum_lookup(const bignum_set *set, const char *s, size_t size);

#endif
