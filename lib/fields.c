/*
 * fields.c - the field readers of fields.h.  Messages name the field
 * (with its nesting prefix) and, for references, the missing id.
 */
#include "fields.h"

#include <string.h>

int rw_utf8_valid(const char *s, size_t len)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t i = 0;
    while (i < len) {
        unsigned c = p[i];
        size_t n;
        unsigned min;
        if (c < 0x80) { i++; continue; }
        else if ((c & 0xE0) == 0xC0) { n = 1; min = 0x80; c &= 0x1F; }
        else if ((c & 0xF0) == 0xE0) { n = 2; min = 0x800; c &= 0x0F; }
        else if ((c & 0xF8) == 0xF0) { n = 3; min = 0x10000; c &= 0x07; }
        else return 0;
        if (i + n >= len)
            return 0;
        for (size_t k = 1; k <= n; k++) {
            if ((p[i + k] & 0xC0) != 0x80)
                return 0;
            c = (c << 6) | (p[i + k] & 0x3F);
        }
        if (c < min || c > 0x10FFFF || (c >= 0xD800 && c <= 0xDFFF))
            return 0;
        i += n + 1;
    }
    return 1;
}

rewards_status rw_field(rw_ctx *c, const char *key, int required, const rw_node **out)
{
    *out = rw_node_get(c->obj, key);
    if (!*out && required)
        return rw_fail(c->e, REWARDS_INVALID_ARGUMENT, "missing field '%s%s'", c->prefix, key);
    return REWARDS_OK;
}

static rewards_status type_error(rw_ctx *c, const char *key, const char *want, const rw_node *n)
{
    return rw_fail(c->e, REWARDS_INVALID_ARGUMENT, "field '%s%s' must be %s, not %s", c->prefix, key, want,
                   rw_vtype_name(n->type));
}

rewards_status rw_get_time(rw_ctx *c, const char *key, int required, int64_t *out)
{
    const rw_node *n;
    *out = RW_NONE;
    RW_TRY(rw_field(c, key, required, &n));
    if (!n)
        return REWARDS_OK;
    if (n->type == RW_V_TIME) {
        if (!rw_time_valid(n->num))
            return rw_fail(c->e, REWARDS_INVALID_ARGUMENT, "field '%s%s': %lld is outside the years 0001 to 9999",
                           c->prefix, key, (long long)n->num);
        *out = n->num;
        return REWARDS_OK;
    }
    if (n->type != RW_V_STRING)
        return type_error(c, key, "a time string", n);
    if (rw_time_parse(n->str, strlen(n->str), out))
        return rw_fail(c->e, REWARDS_INVALID_ARGUMENT, "field '%s%s': '%s' is not a date (YYYY-MM-DD or YYYY-MM-DDTHH:MM:SSZ)",
                       c->prefix, key, n->str);
    return REWARDS_OK;
}

rewards_status rw_get_at(rw_ctx *c)
{
    RW_TRY(rw_get_time(c, "at", RW_REQUIRED, &c->at));
    int64_t clock = c->e->meta ? c->e->meta->clock : RW_NONE;
    if (clock != RW_NONE && c->at < clock) {
        char a[32], b[32];
        rw_time_format(c->at, a, sizeof a);
        rw_time_format(clock, b, sizeof b);
        return rw_fail(c->e, REWARDS_OUT_OF_ORDER, "time %s is before the last applied operation (%s)", a, b);
    }
    return REWARDS_OK;
}

rewards_status rw_get_str(rw_ctx *c, const char *key, int required, const char **out)
{
    const rw_node *n;
    *out = NULL;
    RW_TRY(rw_field(c, key, required, &n));
    if (!n)
        return REWARDS_OK;
    if (n->type != RW_V_STRING)
        return type_error(c, key, "a string", n);
    if (!rw_utf8_valid(n->str, strlen(n->str)))
        return rw_fail(c->e, REWARDS_INVALID_ARGUMENT, "field '%s%s' is not valid UTF-8", c->prefix, key);
    *out = n->str;
    return REWARDS_OK;
}

rewards_status rw_get_id(rw_ctx *c, const char *key, const char **out)
{
    RW_TRY(rw_get_str(c, key, RW_REQUIRED, out));
    size_t len = strlen(*out);
    if (len < 1 || len > 255)
        return rw_fail(c->e, REWARDS_INVALID_ARGUMENT, "field '%s%s': an id is 1 to 255 bytes", c->prefix, key);
    return REWARDS_OK;
}

rewards_status rw_get_new_id(rw_ctx *c, const char *key, const rw_index *ix, const char *what, const char **out)
{
    RW_TRY(rw_get_id(c, key, out));
    if (rw_index_get(ix, *out))
        return rw_fail(c->e, REWARDS_EXISTS, "%s '%s' already exists", what, *out);
    return REWARDS_OK;
}

rewards_status rw_get_ref(rw_ctx *c, const char *key, int required, const rw_index *ix, const char *what, void **out)
{
    const rw_node *n;
    *out = NULL;
    RW_TRY(rw_field(c, key, required, &n));
    if (!n)
        return REWARDS_OK;
    const char *id;
    RW_TRY(rw_get_id(c, key, &id));
    *out = rw_index_get(ix, id);
    if (!*out)
        return rw_fail(c->e, REWARDS_NOT_FOUND, "no %s '%s'", what, id);
    return REWARDS_OK;
}

rewards_status rw_get_int(rw_ctx *c, const char *key, int required, int64_t min, int64_t max, int64_t *out)
{
    const rw_node *n;
    RW_TRY(rw_field(c, key, required, &n));
    if (!n)
        return REWARDS_OK;
    if (n->type != RW_V_INT)
        return type_error(c, key, "an integer", n);
    if (n->num < min || n->num > max)
        return rw_fail(c->e, REWARDS_INVALID_ARGUMENT, "field '%s%s' must be between %lld and %lld", c->prefix, key,
                       (long long)min, (long long)max);
    *out = n->num;
    return REWARDS_OK;
}

rewards_status rw_get_bool(rw_ctx *c, const char *key, int required, int *out)
{
    const rw_node *n;
    RW_TRY(rw_field(c, key, required, &n));
    if (!n)
        return REWARDS_OK;
    if (n->type != RW_V_BOOL)
        return type_error(c, key, "a boolean", n);
    *out = (int)n->num;
    return REWARDS_OK;
}

rewards_status rw_get_enum(rw_ctx *c, const char *key, int required, const char *const *names, int *out)
{
    const char *s;
    *out = -1;
    RW_TRY(rw_get_str(c, key, required, &s));
    if (!s)
        return REWARDS_OK;
    for (int i = 0; names[i]; i++)
        if (!strcmp(names[i], s)) {
            *out = i;
            return REWARDS_OK;
        }
    return rw_fail(c->e, REWARDS_INVALID_ARGUMENT, "field '%s%s': unknown value '%s'", c->prefix, key, s);
}

rewards_status rw_get_amount(rw_ctx *c, const char *key, int required, int exp, int positive, int64_t *out)
{
    const char *s;
    *out = RW_NONE;
    RW_TRY(rw_get_str(c, key, required, &s));
    if (!s)
        return REWARDS_OK;
    int64_t v;
    switch (rw_decimal_parse(s, strlen(s), exp, 0, &v)) {
    case RW_DEC_OK:
        break;
    case RW_DEC_OVERFLOW:
        return rw_fail(c->e, REWARDS_OVERFLOW, "field '%s%s': %s does not fit in 64 bits", c->prefix, key, s);
    default:
        return rw_fail(c->e, REWARDS_INVALID_ARGUMENT,
                       "field '%s%s': '%s' is not a non-negative amount with at most %d decimals", c->prefix, key, s, exp);
    }
    if (positive && v == 0)
        return rw_fail(c->e, REWARDS_INVALID_ARGUMENT, "field '%s%s' must be positive", c->prefix, key);
    *out = v;
    return REWARDS_OK;
}

rewards_status rw_get_currency(rw_ctx *c, const char *key, char code[4], int *exp)
{
    const char *s;
    RW_TRY(rw_get_str(c, key, RW_REQUIRED, &s));
    int x = strlen(s) == 3 ? rw_engine_currency_exp(c->e, s) : -1;
    if (x < 0)
        return rw_fail(c->e, REWARDS_INVALID_ARGUMENT, "field '%s%s': unknown currency '%s'", c->prefix, key, s);
    memcpy(code, s, 4);
    *exp = x;
    return REWARDS_OK;
}

static int is_ident(const char *s)
{
    if (!((*s >= 'A' && *s <= 'Z') || (*s >= 'a' && *s <= 'z') || *s == '_'))
        return 0;
    for (s++; *s; s++)
        if (!((*s >= 'A' && *s <= 'Z') || (*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') || *s == '_'))
            return 0;
    return 1;
}

/* An attribute's value as text: a string as given, an integer in decimal, a boolean as a word. */
static const char *attr_text(const rw_node *k, char buf[32])
{
    if (k->type == RW_V_INT) {
        int len = 0;
        int64_t v = k->num;
        uint64_t u = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
        char tmp[24];
        do { tmp[len++] = (char)('0' + u % 10); u /= 10; } while (u);
        size_t o = 0;
        if (v < 0) buf[o++] = '-';
        while (len) buf[o++] = tmp[--len];
        buf[o] = '\0';
        return buf;
    }
    if (k->type == RW_V_BOOL)
        return k->num ? "true" : "false";
    return k->str;
}

rewards_status rw_get_attrs(rw_ctx *c, const char *key, rw_attrs **out)
{
    const rw_node *n;
    *out = NULL;
    RW_TRY(rw_field(c, key, RW_OPTIONAL, &n));
    if (!n)
        return REWARDS_OK;
    if (n->type != RW_V_OBJECT)
        return type_error(c, key, "an object", n);
    for (size_t i = 0; i < n->nkids; i++) {
        const rw_node *k = &n->kids[i];
        rw_xnum num;
        if (!is_ident(k->key) || strlen(k->key) > 255)
            return rw_fail(c->e, REWARDS_INVALID_ARGUMENT, "attribute name '%s' is not an identifier", k->key);
        if (k->type == RW_V_STRING) {
            if (!rw_utf8_valid(k->str, strlen(k->str)))
                return rw_fail(c->e, REWARDS_INVALID_ARGUMENT, "attribute '%s' is not valid UTF-8", k->key);
        } else if (k->type == RW_V_NUMBER) {
            if (rw_xnum_parse(k->str, strlen(k->str), &num))
                return rw_fail(c->e, REWARDS_INVALID_ARGUMENT, "attribute '%s': '%s' is not an exact decimal", k->key, k->str);
        } else if (k->type != RW_V_INT && k->type != RW_V_BOOL) {
            return rw_fail(c->e, REWARDS_INVALID_ARGUMENT, "attribute '%s' must be a string, number or boolean", k->key);
        }
    }
    /* one block for the set, its items and their strings (rw_attrs_new) */
    size_t bytes = 0;
    for (size_t i = 0; i < n->nkids; i++) {
        char buf[32];
        bytes += strlen(n->kids[i].key) + strlen(attr_text(&n->kids[i], buf)) + 2;
    }
    char *str;
    rw_attrs *a = rw_attrs_new(c->e, n->nkids, bytes, &str);
    if (!a)
        return rw_nomem(c->e);
    if (rw_free_on_rollback(c->e, a)) {
        rw_free(&c->e->alloc, a);
        return rw_nomem(c->e);
    }
    a->n = n->nkids;
    for (size_t i = 0; i < n->nkids; i++) {
        const rw_node *k = &n->kids[i];
        rw_attr *at = &a->items[i];
        char buf[32];
        const char *text = attr_text(k, buf);
        at->type = k->type == RW_V_STRING ? RW_ATTR_STR : k->type == RW_V_BOOL ? RW_ATTR_BOOL : RW_ATTR_NUM;
        if (at->type == RW_ATTR_NUM && rw_xnum_parse(text, strlen(text), &at->num))
            return rw_fail(c->e, REWARDS_INVALID_ARGUMENT, "attribute '%s': %s is out of range", k->key, text);
        at->name = rw_attrs_str(&str, k->key, strlen(k->key));
        at->text = rw_attrs_str(&str, text, strlen(text));
    }
    *out = a;
    return REWARDS_OK;
}

rw_attrs *rw_attrs_new(rw_engine *e, size_t n, size_t strbytes, char **strings)
{
    if (n > ((size_t)-1 / 2 - strbytes) / sizeof(rw_attr))
        return NULL;
    rw_attrs *a = rw_calloc(&e->alloc, 1, sizeof *a + n * sizeof(rw_attr) + strbytes);
    if (!a)
        return NULL;
    a->items = n ? (rw_attr *)(a + 1) : NULL;
    *strings = (char *)((rw_attr *)(a + 1) + n);
    return a;
}

char *rw_attrs_str(char **strings, const char *s, size_t len)
{
    char *p = *strings;
    memcpy(p, s, len);
    p[len] = '\0';
    *strings = p + len + 1;
    return p;
}
