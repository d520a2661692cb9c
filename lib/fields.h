/*
 * fields.h - reading an operation's fields, one at a time and each fully:
 * presence, JSON type, format, then the reference it names or the id it
 * takes.  Handlers call these in the documented field order, which is what
 * makes the first fault reported the one SPEC.md section 11 names.
 */
#ifndef RW_FIELDS_H
#define RW_FIELDS_H

#include "op.h"

typedef struct rw_ctx {
    rw_engine *e;
    const rewards_op *op;
    const rw_node *obj;  /* the object fields are read from (the op, or a nested one) */
    const char *prefix;  /* for messages: "" or "requires." */
    int64_t at;          /* the operation's time, RW_NONE for untimed operations */
} rw_ctx;

enum { RW_OPTIONAL = 0, RW_REQUIRED = 1 };

/* The node of a field; NULL when absent (a required one is then an error). */
rewards_status rw_field(rw_ctx *c, const char *key, int required, const rw_node **out);
/* "at": a time not older than the engine's clock. */
rewards_status rw_get_at(rw_ctx *c);
rewards_status rw_get_time(rw_ctx *c, const char *key, int required, int64_t *out);
/* A UTF-8 string (NULL when absent and optional); ids are 1-255 bytes. */
rewards_status rw_get_str(rw_ctx *c, const char *key, int required, const char **out);
rewards_status rw_get_id(rw_ctx *c, const char *key, const char **out);
rewards_status rw_get_new_id(rw_ctx *c, const char *key, const rw_index *ix, const char *what, const char **out);
rewards_status rw_get_ref(rw_ctx *c, const char *key, int required, const rw_index *ix, const char *what, void **out);
rewards_status rw_get_int(rw_ctx *c, const char *key, int required, int64_t min, int64_t max, int64_t *out);
rewards_status rw_get_bool(rw_ctx *c, const char *key, int required, int *out);
/* One of names[] (NULL-terminated); *out is its index, or -1 when absent. */
rewards_status rw_get_enum(rw_ctx *c, const char *key, int required, const char *const *names, int *out);
/* An amount with at most exp decimals; positive: must be > 0. RW_NONE when absent. */
rewards_status rw_get_amount(rw_ctx *c, const char *key, int required, int exp, int positive, int64_t *out);
rewards_status rw_get_currency(rw_ctx *c, const char *key, char code[4], int *exp);
/* An attribute object, allocated in the transaction (NULL when absent). */
rewards_status rw_get_attrs(rw_ctx *c, const char *key, rw_attrs **out);
/* An attribute set of n items and strbytes of strings as ONE heap block (one
 * rw_free frees it all), zeroed, not journaled; *strings is where the first
 * string goes, each placed with rw_attrs_str.  NULL when out of memory. */
rw_attrs *rw_attrs_new(rw_engine *e, size_t n, size_t strbytes, char **strings);
char *rw_attrs_str(char **strings, const char *s, size_t len);

int rw_utf8_valid(const char *s, size_t len);

#endif
