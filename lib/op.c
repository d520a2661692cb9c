/*
 * op.c - building operations (the public rewards_op_* calls) and their
 * canonical signature.  An operation is only a description: nothing is
 * checked here but the paths, so that the engine can report faults in the
 * documented order when it applies the operation.
 */
#include "op.h"
#include "buf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Keys and strings live in the op's text (op.h); only lists of fields are
 * heap blocks of their own. */
static void node_clear(const rw_alloc *a, rw_node *n)
{
    for (size_t i = 0; i < n->nkids; i++)
        node_clear(a, &n->kids[i]);
    rw_free(a, n->kids);
    memset(n, 0, sizeof *n);
}

/* Where the op's text stood, so that a failed call can give back what it took. */
typedef struct text_mark {
    rw_op_chunk *chunks;
    char *cur, *end;
} text_mark;

static text_mark text_mark_take(const rewards_op *op)
{
    text_mark m = { op->chunks, op->cur, op->end };
    return m;
}

static void text_mark_back(rewards_op *op, const text_mark *m)
{
    while (op->chunks != m->chunks) {
        rw_op_chunk *c = op->chunks;
        op->chunks = c->next;
        rw_free(&op->engine->alloc, c);
    }
    op->cur = m->cur;
    op->end = m->end;
}

/* A NUL-terminated copy of the len bytes at s in the op's text; NULL when out of memory. */
static char *text_copy(rewards_op *op, const char *s, size_t len)
{
    if (len >= (size_t)(op->end - op->cur)) {
        if (len > (size_t)-1 / 2 - sizeof(rw_op_chunk))
            return NULL;
        size_t n = len + 1 > 2 * RW_OP_TEXT ? len + 1 : 2 * RW_OP_TEXT;
        rw_op_chunk *c = rw_malloc(&op->engine->alloc, sizeof *c + n);
        if (!c)
            return NULL;
        c->next = op->chunks;
        op->chunks = c;
        op->cur = c->text;
        op->end = c->text + n;
    }
    char *p = op->cur;
    memcpy(p, s, len);
    p[len] = '\0';
    op->cur += len + 1;
    return p;
}

static rewards_status op_new_call(rewards_engine *engine, rewards_op **out, const char *kind)
{
    rewards_op *op = rw_malloc(&engine->alloc, sizeof *op);
    if (!op)
        return REWARDS_NOMEM;
    memset(op, 0, offsetof(rewards_op, text)); /* the text is written before it is read */
    op->engine = engine;
    op->root.type = RW_V_OBJECT;
    op->cur = op->text;
    op->end = op->text + sizeof op->text;
    op->kind = text_copy(op, kind, strlen(kind));
    if (!op->kind) {
        rw_free(&engine->alloc, op);
        return REWARDS_NOMEM;
    }
    *out = op;
    return REWARDS_OK;
}

rewards_status rewards_op_new(rewards_engine *engine, rewards_op **out, const char *kind)
{
    if (out)
        *out = NULL;
    if (!engine || !kind || !out)
        return REWARDS_MISUSE;
    RW_TRY(rw_enter(engine, "rewards_op_new"));
    rewards_status st = op_new_call(engine, out, kind);
    return rw_leave(engine, st);
}

void rewards_op_free(rewards_op *op)
{
    if (!op)
        return;
    /* Busy while the allocator frees (so a free callback cannot re-enter or
     * free the engine under us); freed from inside a callback, the engine
     * is busy already and the op is freed all the same (it is not engine
     * state). */
    rw_engine *e = op->engine;
    int entered = !e->in_callback;
    e->in_callback = 1;
    rw_alloc a = e->alloc;
    node_clear(&a, &op->root);
    const text_mark none = { NULL, NULL, NULL };
    text_mark_back(op, &none); /* every chunk of its text */
    rw_free(&a, op);
    if (entered)
        RW_LEAVE(e);
}

const rw_node *rw_node_get(const rw_node *obj, const char *key)
{
    if (!obj || obj->type != RW_V_OBJECT)
        return NULL;
    for (size_t i = 0; i < obj->nkids; i++) /* the first byte first: most keys differ there */
        if (obj->kids[i].key[0] == key[0] && strcmp(obj->kids[i].key, key) == 0)
            return &obj->kids[i];
    return NULL;
}

static int is_index(const char *s, size_t len, size_t *out)
{
    if (len == 0 || len > 9)
        return 0;
    size_t v = 0;
    for (size_t i = 0; i < len; i++) {
        if (s[i] < '0' || s[i] > '9')
            return 0;
        v = v * 10 + (size_t)(s[i] - '0');
    }
    if (len > 1 && s[0] == '0')
        return 0;
    *out = v;
    return 1;
}

static rw_node *add_kid(rewards_op *op, rw_node *parent, const char *key, size_t keylen)
{
    const rw_alloc *a = &op->engine->alloc;
    if (parent->nkids == parent->capkids) {
        size_t ncap = parent->capkids ? parent->capkids * 2 : 4;
        rw_node *k = rw_realloc(a, parent->kids, ncap * sizeof *k);
        if (!k)
            return NULL;
        parent->kids = k;
        parent->capkids = ncap;
    }
    rw_node *n = &parent->kids[parent->nkids];
    memset(n, 0, sizeof *n);
    if (key) {
        n->key = text_copy(op, key, keylen);
        if (!n->key)
            return NULL;
    }
    n->type = RW_V_NULL;
    parent->nkids++;
    return n;
}

/*
 * Walk @p path from the root, creating containers on the way, and return the
 * (new, untyped) node at its end.  A component that is a number selects a
 * list element; a container is created as a list when the component after
 * it is a number.
 */
/* Why a path was refused, so the message can say which fault it is. */
typedef enum { PATH_MALFORMED = 0, PATH_SET_TWICE, PATH_SKIPS_INDEX } path_fault;
typedef struct {
    path_fault fault;
    size_t at;        /* length of the path prefix naming the offending node */
    size_t index, len;/* PATH_SKIPS_INDEX: the index given and the list's length */
} path_why;

static rewards_status locate(rewards_op *op, const char *path, rw_node **out, path_why *why)
{
    const rw_alloc *a = &op->engine->alloc;
    why->fault = PATH_MALFORMED;
    why->at = 0;
    if (!path || !*path)
        return REWARDS_INVALID_ARGUMENT;
    rw_node *cur = &op->root;
    rw_node *made_in = NULL; /* the node under which this call added its first node */
    rewards_status st = REWARDS_INVALID_ARGUMENT;
    const char *p = path;
    for (;;) {
        const char *dot = strchr(p, '.');
        size_t len = dot ? (size_t)(dot - p) : strlen(p);
        if (len == 0)
            goto fail;
        rw_node *next = NULL;
        int fresh = 0; /* next was added by this call (else it was set before, possibly to null) */
        size_t idx;
        why->at = (size_t)(p - path) + len;
        if (cur->type == RW_V_LIST) {
            if (!is_index(p, len, &idx))
                goto fail;
            if (idx > cur->nkids) {
                why->fault = PATH_SKIPS_INDEX;
                why->index = idx;
                why->len = cur->nkids;
                why->at = (size_t)(p - path) - 1; /* the list's own path (a list is never the root) */
                goto fail;
            }
            if (idx < cur->nkids)
                next = &cur->kids[idx];
            else if (!(next = add_kid(op, cur, NULL, 0)))
                goto nomem;
            else {
                fresh = 1;
                if (!made_in)
                    made_in = cur;
            }
        } else if (cur->type == RW_V_OBJECT) {
            for (size_t i = 0; i < cur->nkids; i++)
                if (strncmp(cur->kids[i].key, p, len) == 0 && cur->kids[i].key[len] == '\0')
                    next = &cur->kids[i];
            if (!next) {
                if (!(next = add_kid(op, cur, p, len)))
                    goto nomem;
                fresh = 1;
                if (!made_in)
                    made_in = cur;
            }
        } else {
            why->fault = PATH_SET_TWICE; /* a scalar has no fields: its parent was set as a value */
            why->at = p - path > 0 ? (size_t)(p - path) - 1 : 0;
            goto fail;
        }
        if (!dot) {
            if (!fresh) { /* set before: a value (null too) or a container */
                why->fault = PATH_SET_TWICE;
                goto fail;
            }
            *out = next;
            return REWARDS_OK;
        }
        if (next->type == RW_V_NULL) {
            if (!fresh) { /* set to null before: a value, which has no fields */
                why->fault = PATH_SET_TWICE;
                goto fail;
            }
            const char *after = dot + 1;
            const char *d2 = strchr(after, '.');
            size_t l2 = d2 ? (size_t)(d2 - after) : strlen(after);
            next->type = is_index(after, l2, &idx) ? RW_V_LIST : RW_V_OBJECT;
        }
        cur = next;
        p = dot + 1;
    }
nomem:
    st = REWARDS_NOMEM;
fail:
    /* a failed call leaves the op as it was: drop the containers it added
     * (they are the last node of made_in, and everything below it) */
    if (made_in) {
        node_clear(a, &made_in->kids[made_in->nkids - 1]);
        made_in->nkids--;
    }
    return st;
}

static rewards_status set_node_call(rewards_op *op, const char *path, rw_vtype t, const char *s, int64_t v);

/* The engine is busy while an op calls its allocator: an allocator callback
 * that re-enters the engine is refused, as from any other call. */
static rewards_status set_node(rewards_op *op, const char *path, rw_vtype t, const char *s, int64_t v)
{
    if (!op)
        return REWARDS_MISUSE;
    RW_TRY(rw_enter(op->engine, "rewards_op_set"));
    rewards_status st = set_node_call(op, path, t, s, v);
    return rw_leave(op->engine, st);
}

static rewards_status set_node_call(rewards_op *op, const char *path, rw_vtype t, const char *s, int64_t v)
{
    text_mark mark = text_mark_take(op);
    char *copy = NULL;
    if (s) {
        copy = text_copy(op, s, strlen(s));
        if (!copy)
            return rw_nomem(op->engine);
    }
    rw_node *n;
    path_why why = { PATH_MALFORMED, 0, 0, 0 };
    rewards_status st = locate(op, path, &n, &why);
    if (st) {
        text_mark_back(op, &mark); /* a failed call leaves the op as it was */
        if (st == REWARDS_NOMEM)
            return rw_nomem(op->engine);
        if (!path)
            return rw_fail(op->engine, st, "field path is missing");
        switch (why.fault) {
        case PATH_SET_TWICE:
            return rw_fail(op->engine, st, "field path '%s': field '%.*s' is set twice", path, (int)why.at, path);
        case PATH_SKIPS_INDEX:
            return rw_fail(op->engine, st, "field path '%s' skips a list index: '%.*s' has %zu items, so the next is %zu, not %zu",
                           path, (int)why.at, path, why.len, why.len, why.index);
        default:
            return rw_fail(op->engine, st, "field path '%s' is malformed (components are names or list indexes "
                           "without leading zeros, separated by single dots)", path);
        }
    }
    n->type = t;
    n->str = copy;
    n->num = v;
    return REWARDS_OK;
}

rewards_status rewards_op_set_string(rewards_op *op, const char *path, const char *value)
{
    if (!value)
        return REWARDS_MISUSE;
    return set_node(op, path, RW_V_STRING, value, 0);
}

rewards_status rewards_op_set_int(rewards_op *op, const char *path, int64_t value)
{
    return set_node(op, path, RW_V_INT, NULL, value);
}

rewards_status rewards_op_set_bool(rewards_op *op, const char *path, int value)
{
    return set_node(op, path, RW_V_BOOL, NULL, value ? 1 : 0);
}

rewards_status rewards_op_set_time(rewards_op *op, const char *path, int64_t at)
{
    return set_node(op, path, RW_V_TIME, NULL, at);
}

rewards_status rewards_op_set_number(rewards_op *op, const char *path, const char *decimal)
{
    if (!decimal)
        return REWARDS_MISUSE;
    return set_node(op, path, RW_V_NUMBER, decimal, 0);
}

rewards_status rewards_op_set_null(rewards_op *op, const char *path)
{
    return set_node(op, path, RW_V_NULL, NULL, 0);
}

rewards_status rewards_op_set_object(rewards_op *op, const char *path)
{
    return set_node(op, path, RW_V_OBJECT, NULL, 0);
}

rewards_status rewards_op_set_list(rewards_op *op, const char *path)
{
    return set_node(op, path, RW_V_LIST, NULL, 0);
}

const char *rw_vtype_name(rw_vtype t)
{
    static const char *names[] = { "a string", "an integer", "a boolean", "a time", "a number", "null", "an object", "a list" };
    return names[t];
}

/* ---- signature ---------------------------------------------------------- */

static int is_time_key(const char *k)
{
    return k && (!strcmp(k, "at") || !strcmp(k, "until") || !strcmp(k, "active_from") || !strcmp(k, "active_until"));
}

static int is_decimal_key(const char *k)
{
    static const char *keys[] = { "amount", "rate", "points", "points_per_unit", "cap_per_deal", "cap_per_period",
                                  "revenue", "from", "bonus", "at", "cost" };
    for (size_t i = 0; k && i < sizeof keys / sizeof keys[0]; i++)
        if (!strcmp(k, keys[i]))
            return 1;
    return 0;
}

/* A decimal written canonically: no leading zeros, no trailing fractional zeros. */
static int canonical_decimal(const char *s, char *out, size_t size)
{
    size_t n = strlen(s);
    int pct = n && s[n - 1] == '%';
    if (pct)
        n--;
    size_t i = 0, dot = n;
    if (n == 0 || n + 2 > size)
        return -1;
    for (i = 0; i < n; i++) {
        if (s[i] == '.' && dot == n && i > 0 && i + 1 < n)
            dot = i;
        else if (s[i] < '0' || s[i] > '9')
            return -1;
    }
    size_t start = 0;
    while (start + 1 < dot && s[start] == '0')
        start++;
    size_t end = n;
    if (dot < n) {
        while (end > dot + 1 && s[end - 1] == '0')
            end--;
        if (end == dot + 1)
            end = dot;
    }
    size_t len = end - start;
    memcpy(out, s + start, len);
    if (pct)
        out[len++] = '%';
    out[len] = '\0';
    return 0;
}

/*
 * key: the field name when n is a field of the operation (its value is then
 * compared after parsing: times as instants, amounts as decimals), NULL for
 * host data such as attributes, which conditions compare byte for byte.
 * fields: n's members are fields.  root: n is the operation itself.
 */
static void sig_node(rw_buf *b, const rw_node *n, const char *key, int fields, int root)
{
    char tmp[64];
    switch (n->type) {
    case RW_V_STRING: {
        int64_t t;
        if (is_time_key(key) && rw_time_parse(n->str, strlen(n->str), &t) == 0) {
            snprintf(tmp, sizeof tmp, "T%lld", (long long)t);
            rw_buf_puts(b, tmp);
        } else if (is_decimal_key(key) && canonical_decimal(n->str + (n->str[0] == '-'), tmp + 1 + (n->str[0] == '-'),
                                                            sizeof tmp - 2) == 0) {
            /* signed amounts (adjust) compare as numbers too ("-5.0" is "-5.00"); an unsigned
             * one is written as 1.0 wrote it, so that stored signatures still match */
            tmp[0] = 'D';
            if (n->str[0] == '-')
                tmp[1] = '-';
            rw_buf_puts(b, tmp);
        } else {
            snprintf(tmp, sizeof tmp, "S%zu:", strlen(n->str));
            rw_buf_puts(b, tmp);
            rw_buf_puts(b, n->str);
        }
        break;
    }
    case RW_V_NUMBER: {
        /* a number compares as a number: 1.5 and 1.50 are the same value */
        int neg = n->str[0] == '-';
        rw_buf_puts(b, neg ? "N-" : "N");
        if (canonical_decimal(n->str + neg, tmp, sizeof tmp) == 0)
            rw_buf_puts(b, tmp);
        else
            rw_buf_puts(b, n->str + neg);
        break;
    }
    case RW_V_TIME:
        snprintf(tmp, sizeof tmp, "T%lld", (long long)n->num);
        rw_buf_puts(b, tmp);
        break;
    case RW_V_INT:
    case RW_V_BOOL:
        snprintf(tmp, sizeof tmp, "%c%lld", n->type == RW_V_INT ? 'I' : 'B', (long long)n->num);
        rw_buf_puts(b, tmp);
        break;
    case RW_V_NULL:
        rw_buf_puts(b, "Z");
        break;
    case RW_V_LIST:
        rw_buf_puts(b, "[");
        for (size_t i = 0; i < n->nkids; i++) {
            sig_node(b, &n->kids[i], NULL, fields, 0);
            rw_buf_puts(b, ",");
        }
        rw_buf_puts(b, "]");
        break;
    case RW_V_OBJECT: {
        /* members in key order: the same fields given in another order are the same operation */
        const rw_node *prev = NULL;
        rw_buf_puts(b, "{");
        for (;;) {
            const rw_node *best = NULL;
            for (size_t i = 0; i < n->nkids; i++) {
                const rw_node *k = &n->kids[i];
                if (root && !strcmp(k->key, "event"))
                    continue;
                if (prev && strcmp(k->key, prev->key) <= 0)
                    continue;
                if (!best || strcmp(k->key, best->key) < 0)
                    best = k;
            }
            if (!best)
                break;
            snprintf(tmp, sizeof tmp, "%zu:", strlen(best->key));
            rw_buf_puts(b, tmp);
            rw_buf_puts(b, best->key);
            rw_buf_puts(b, "=");
            sig_node(b, best, fields ? best->key : NULL, fields && strcmp(best->key, "attrs"), 0);
            rw_buf_puts(b, ";");
            prev = best;
        }
        rw_buf_puts(b, "}");
        break;
    }
    }
}

char *rw_op_signature(rw_engine *e, const rewards_op *op)
{
    rw_buf b = { &e->alloc, NULL, 0, 0, 0 };
    rw_buf_puts(&b, op->kind);
    sig_node(&b, &op->root, NULL, 1, 1);
    if (b.failed) {
        rw_free(&e->alloc, b.p);
        return NULL;
    }
    return b.p;
}
