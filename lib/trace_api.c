/*
 * trace_api.c - the public trace API (include/rewards.h, "Traces"): build
 * an entry's trace, read its items, render it as JSON, and write every
 * entry's trace as JSON lines.
 *
 * The JSON rendering nests the flat items by their dotted keys (a numeric
 * segment is an array index); values keep their type: integers and
 * booleans bare, decimals (amounts, rates) as strings so that no reader
 * turns money into floating point, null for absent values.  Keys appear in
 * the order the model adds them, so the same trace is the same bytes.
 */
#include "trace_model.h"
#include "ops.h"

#include <stdio.h>
#include <string.h>

typedef struct jw {
    rewards_write_fn write;
    void *user;
    char buf[2048];
    size_t len;
    int failed;
} jw;

static void jflush(jw *w)
{
    if (!w->failed && w->len && w->write(w->user, w->buf, w->len))
        w->failed = 1;
    w->len = 0;
}

static void jput(jw *w, const char *s, size_t n)
{
    while (n && !w->failed) {
        size_t room = sizeof w->buf - w->len, k = n < room ? n : room;
        memcpy(w->buf + w->len, s, k);
        w->len += k;
        s += k;
        n -= k;
        if (w->len == sizeof w->buf)
            jflush(w);
    }
}

static void jstr(jw *w, const char *s, size_t n)
{
    static const char hex[] = "0123456789abcdef";
    jput(w, "\"", 1);
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == '"' || c == '\\') {
            char esc[2] = { '\\', (char)c };
            jput(w, esc, 2);
        } else if (c < 0x20) {
            char esc[6] = { '\\', 'u', '0', '0', hex[c >> 4], hex[c & 15] };
            jput(w, esc, 6);
        } else {
            jput(w, (const char *)&s[i], 1);
        }
    }
    jput(w, "\"", 1);
}

/* The n-th dot-separated segment of key: start and length; 0 when there is none. */
static int segment(const char *key, size_t n, const char **s, size_t *len)
{
    const char *p = key;
    for (size_t i = 0; i < n; i++) {
        p = strchr(p, '.');
        if (!p)
            return 0;
        p++;
    }
    const char *q = strchr(p, '.');
    *s = p;
    *len = q ? (size_t)(q - p) : strlen(p);
    return 1;
}

static size_t depth_of(const char *key)
{
    size_t d = 1;
    for (; *key; key++)
        d += *key == '.';
    return d;
}

static int numeric(const char *s, size_t n)
{
    if (!n)
        return 0;
    for (size_t i = 0; i < n; i++)
        if (s[i] < '0' || s[i] > '9')
            return 0;
    return 1;
}

enum { MAXDEPTH = 16 };

rewards_status rw_trace_json(const rewards_trace *t, rewards_write_fn write, void *user)
{
    jw w = { write, user, { 0 }, 0, 0 };
    /* the open containers below the root: array or object, and whether they hold a value yet */
    int is_array[MAXDEPTH], filled[MAXDEPTH];
    size_t open = 0; /* containers open below the root */
    const char *prev = NULL;
    int root_filled = 0;
    jput(&w, "{", 1);
    for (size_t i = 0; i < t->n; i++) {
        const rw_titem *it = &t->items[i];
        size_t d = depth_of(it->key);
        if (d > MAXDEPTH)
            continue;
        /* keep the open containers this key shares with the previous one */
        size_t common = 0;
        while (prev && common < open && common + 1 < d) {
            const char *a, *b;
            size_t la, lb;
            if (!segment(prev, common, &a, &la) || !segment(it->key, common, &b, &lb) || la != lb || memcmp(a, b, la))
                break;
            common++;
        }
        while (open > common) {
            open--;
            jput(&w, is_array[open] ? "]" : "}", 1);
        }
        for (size_t s = open; s < d; s++) {
            int *parent_filled = s == 0 ? &root_filled : &filled[s - 1];
            int parent_array = s > 0 && is_array[s - 1];
            const char *seg = NULL; /* set by segment(): -O3 cannot see it (maybe-uninitialized) */
            size_t len = 0;
            segment(it->key, s, &seg, &len);
            if (*parent_filled)
                jput(&w, ",", 1);
            *parent_filled = 1;
            if (!parent_array) {
                jstr(&w, seg, len);
                jput(&w, ":", 1);
            }
            if (s + 1 == d)
                break;
            const char *next = NULL;
            size_t nlen = 0;
            segment(it->key, s + 1, &next, &nlen);
            is_array[s] = numeric(next, nlen);
            filled[s] = 0;
            jput(&w, is_array[s] ? "[" : "{", 1);
            open = s + 1;
        }
        switch (it->type) {
        case REWARDS_TRACE_INTEGER:
        case REWARDS_TRACE_BOOL:
            jput(&w, it->value, strlen(it->value));
            break;
        case REWARDS_TRACE_NULL:
            jput(&w, "null", 4);
            break;
        default:
            jstr(&w, it->value, strlen(it->value));
            break;
        }
        prev = it->key;
    }
    while (open > 0) {
        open--;
        jput(&w, is_array[open] ? "]" : "}", 1);
    }
    jput(&w, "}", 1);
    jflush(&w);
    return w.failed ? REWARDS_STORAGE : REWARDS_OK;
}

static rewards_status trace_call(rewards_engine *e, rewards_trace **out, uint64_t entry)
{
    if (entry < 1 || entry > RW_COUNT(e, RW_KIND_ENTRY))
        return rw_fail(e, REWARDS_NOT_FOUND, "no entry %llu", (unsigned long long)entry);
    rewards_trace *t = rw_calloc(&e->alloc, 1, sizeof *t);
    if (!t)
        return rw_nomem(e);
    t->alloc = e->alloc;
    rewards_status st = rw_trace_build(e, RW_REC_AT(e, RW_KIND_ENTRY, rw_entry, entry - 1), t);
    if (st) {
        rewards_trace_free(t);
        return st;
    }
    *out = t;
    return REWARDS_OK;
}

rewards_status rw_read_ready(rw_engine *e, const char *fn)
{
    RW_TRY(rw_enter(e, fn));
    e->errmsg[0] = '\0';
    if (e->restoring) {
        RW_LEAVE(e);
        return rw_fail(e, REWARDS_MISUSE, "%s: a restore is in progress (call rewards_engine_restore_finish first)", fn);
    }
    return REWARDS_OK;
}

rewards_status rewards_engine_trace(rewards_engine *e, rewards_trace **out, uint64_t entry)
{
    if (!e || !out)
        return REWARDS_MISUSE;
    *out = NULL;
    RW_TRY(rw_read_ready(e, "rewards_engine_trace"));
    rewards_status st = trace_call(e, out, entry);
    return rw_leave(e, st);
}

void rewards_trace_free(rewards_trace *t)
{
    if (!t)
        return;
    rw_alloc a = t->alloc;
    rw_trace_clear(t);
    rw_free(&a, t);
}

unsigned rewards_trace_version(const rewards_trace *t) { return t ? REWARDS_TRACE_VERSION : 0; }
size_t rewards_trace_count(const rewards_trace *t) { return t ? t->n : 0; }
const char *rewards_trace_key(const rewards_trace *t, size_t i) { return t && i < t->n ? t->items[i].key : NULL; }
const char *rewards_trace_value(const rewards_trace *t, size_t i) { return t && i < t->n ? t->items[i].value : NULL; }
int rewards_trace_type(const rewards_trace *t, size_t i) { return t && i < t->n ? t->items[i].type : -1; }

const char *rewards_trace_get(const rewards_trace *t, const char *key)
{
    for (size_t i = 0; t && key && i < t->n; i++)
        if (!strcmp(t->items[i].key, key))
            return t->items[i].type == REWARDS_TRACE_NULL ? NULL : t->items[i].value;
    return NULL;
}

rewards_status rewards_trace_write_json(const rewards_trace *t, rewards_write_fn write, void *user)
{
    if (!t || !write)
        return REWARDS_MISUSE;
    return rw_trace_json(t, write, user);
}

static rewards_status traces_call(rewards_engine *e, rewards_write_fn write, void *user)
{
    rewards_trace t;
    memset(&t, 0, sizeof t);
    t.alloc = e->alloc;
    for (size_t i = 0; i < RW_COUNT(e, RW_KIND_ENTRY); i++) {
        rewards_status st = rw_trace_build(e, RW_REC_AT(e, RW_KIND_ENTRY, rw_entry, i), &t);
        if (!st && (st = rw_trace_json(&t, write, user)) == REWARDS_OK && write(user, "\n", 1))
            st = REWARDS_STORAGE;
        rw_trace_clear(&t);
        if (st == REWARDS_STORAGE)
            return rw_fail(e, st, "the export's write callback failed");
        if (st)
            return st;
    }
    return REWARDS_OK;
}

rewards_status rewards_engine_export_traces(rewards_engine *e, rewards_write_fn write, void *user)
{
    if (!e || !write)
        return REWARDS_MISUSE;
    RW_TRY(rw_read_ready(e, "rewards_engine_export_traces"));
    rewards_status st = traces_call(e, write, user);
    return rw_leave(e, st);
}
