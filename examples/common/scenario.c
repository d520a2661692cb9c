/*
 * scenario.c - JSON Lines to librewards operations, with jansson.
 *
 * The reader only translates: every JSON value becomes a field of the same
 * type (strings, integers, booleans, objects, lists; other numbers as exact
 * decimal text), and the library checks fields in the documented order.  So
 * a wrong JSON type is reported by the library at that field's turn, with
 * the same code any other host would get.
 */
#include "scenario.h"
#include "bignum.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

long scenario_read_line(FILE *f, char **buf, size_t *cap)
{
    size_t len = 0;
    int c;
    while ((c = fgetc(f)) != EOF) {
        if (len + 2 > *cap) {
            size_t ncap = *cap ? *cap * 2 : 256;
            char *nb = realloc(*buf, ncap);
            if (!nb)
                return SCENARIO_NOMEM;
            *buf = nb;
            *cap = ncap;
        }
        if (c == '\n')
            break;
        (*buf)[len++] = (char)c;
    }
    if (c == EOF && ferror(f))
        return SCENARIO_READ_ERROR; /* errno says why; the line read so far is not a line */
    if (c == EOF && len == 0)
        return SCENARIO_EOF;
    if (len && (*buf)[len - 1] == '\r')
        len--;
    (*buf)[len] = '\0';
    return (long)len;
}

int scenario_write_file(void *user, const char *data, size_t size)
{
    return fwrite(data, 1, size, (FILE *)user) == size ? 0 : -1;
}

/* A JSON real as the shortest decimal text that reads back the same. */
static void real_text(double v, char *buf, size_t size)
{
    for (int prec = 1; prec <= 17; prec++) {
        snprintf(buf, size, "%.*g", prec, v);
        if (strtod(buf, NULL) == v)
            break;
    }
    /* exponent notation is not a decimal the library takes: it is reported as malformed */
}

/*
 * The integer tokens beyond int64 of the line parsed last, by field path:
 * the library sees their exact text as a number, and scenario_apply_error()
 * reports its "must be an integer" for such a field as overflow.  The
 * reader serves one thread (both hosts read one file in one loop).
 */
static struct {
    size_t n;
    struct {
        char path[256];
        char text[96];
    } field[BIGNUM_MAX];
} big_fields;

static rewards_status set_big(rewards_op *op, const char *path, const bignum_token *t)
{
    char *text = malloc(t->len + 1);
    if (!text)
        return REWARDS_NOMEM;
    memcpy(text, t->src, t->len);
    text[t->len] = '\0';
    if (t->integer && big_fields.n < BIGNUM_MAX) {
        snprintf(big_fields.field[big_fields.n].path, sizeof big_fields.field[0].path, "%s", path);
        snprintf(big_fields.field[big_fields.n].text, sizeof big_fields.field[0].text, "%s%s", text,
                 strlen(text) >= sizeof big_fields.field[0].text ? "..." : "");
        if (strlen(text) >= sizeof big_fields.field[0].text)
            strcpy(big_fields.field[big_fields.n].text + sizeof big_fields.field[0].text - 4, "...");
        big_fields.n++;
    }
    rewards_status st = rewards_op_set_number(op, path, text);
    free(text);
    return st;
}

static rewards_status set_value(rewards_op *op, const char *path, json_t *v, const bignum_set *big)
{
    switch (json_typeof(v)) {
    case JSON_STRING: {
        const bignum_token *t = bignum_lookup(big, json_string_value(v), json_string_length(v));
        if (t)
            return set_big(op, path, t);
        return rewards_op_set_string(op, path, json_string_value(v));
    }
    case JSON_INTEGER:
        return rewards_op_set_int(op, path, (int64_t)json_integer_value(v));
    case JSON_REAL: {
        char text[64];
        real_text(json_real_value(v), text, sizeof text);
        return rewards_op_set_number(op, path, text);
    }
    case JSON_TRUE:
    case JSON_FALSE:
        return rewards_op_set_bool(op, path, json_is_true(v));
    case JSON_NULL:
        return rewards_op_set_null(op, path);
    case JSON_OBJECT: {
        rewards_status st = rewards_op_set_object(op, path);
        const char *key;
        json_t *member;
        json_object_foreach(v, key, member) {
            char sub[1024];
            if (st)
                break;
            if (!*key || strchr(key, '.') || snprintf(sub, sizeof sub, "%s.%s", path, key) >= (int)sizeof sub)
                return REWARDS_INVALID_ARGUMENT;
            st = set_value(op, sub, member, big);
        }
        return st;
    }
    case JSON_ARRAY: {
        rewards_status st = rewards_op_set_list(op, path);
        size_t i;
        json_t *item;
        json_array_foreach(v, i, item) {
            char sub[1024];
            if (st)
                break;
            if (snprintf(sub, sizeof sub, "%s.%zu", path, i) >= (int)sizeof sub)
                return REWARDS_INVALID_ARGUMENT;
            st = set_value(op, sub, item, big);
        }
        return st;
    }
    }
    return REWARDS_INVALID_ARGUMENT;
}

/*
 * Control bytes of a message escaped in place (\n, \r, \t, \xNN), as the
 * library does for its own messages: a message quotes keys and parser text
 * from the line, and must stay one line on standard error.
 */
void scenario_escape(char *msg, size_t size)
{
    static const char hex[] = "0123456789abcdef";
    char raw[1024];
    snprintf(raw, sizeof raw, "%s", msg);
    size_t n = 0;
    for (const char *p = raw; *p; p++) {
        unsigned char c = (unsigned char)*p;
        char esc[4];
        size_t len = 0;
        if (c == '\n' || c == '\r' || c == '\t') {
            esc[len++] = '\\';
            esc[len++] = c == '\n' ? 'n' : c == '\r' ? 'r' : 't';
        } else if (c < 0x20 || c == 0x7f) {
            esc[len++] = '\\';
            esc[len++] = 'x';
            esc[len++] = hex[c >> 4];
            esc[len++] = hex[c & 15];
        } else {
            esc[len++] = (char)c;
        }
        if (n + len >= size)
            break;
        memcpy(msg + n, esc, len);
        n += len;
    }
    if (size)
        msg[n] = '\0';
}

static scenario_line parse_line(rewards_engine *engine, const char *line, size_t len, rewards_op **out,
                                rewards_status *status, char *msg, size_t msg_size);

scenario_line scenario_parse_line(rewards_engine *engine, const char *line, size_t len, rewards_op **out,
                                  rewards_status *status, char *msg, size_t msg_size)
{
    scenario_line r = parse_line(engine, line, len, out, status, msg, msg_size);
    if (r == SCENARIO_FATAL || r == SCENARIO_REJECT)
        scenario_escape(msg, msg_size);
    return r;
}

/*
 * Parse the line as JSON: rejecting duplicate keys, and with the numbers
 * jansson cannot hold turned into placeholders (bignum.h).  Returns the
 * object, or NULL with the line's verdict in *verdict.
 */
static json_t *load(const char *line, bignum_set *big, scenario_line *verdict, rewards_status *status, char *msg,
                    size_t msg_size)
{
    json_error_t err;
    size_t flags = JSON_REJECT_DUPLICATES;
    json_t *root = json_loads(line, flags, &err);
    if (!root && json_error_code(&err) == json_error_numeric_overflow && bignum_substitute(line, big)) {
        flags |= JSON_ALLOW_NUL;
        root = json_loads(big->line, flags, &err);
    }
    if (!root && json_error_code(&err) == json_error_duplicate_key) {
        /* a duplicate key is the line's fault only when the rest is a JSON object */
        json_error_t err2;
        json_t *again = json_loads(big->line ? big->line : line, flags & ~(size_t)JSON_REJECT_DUPLICATES, &err2);
        if (!again) {
            err = err2;
        } else {
            int object = json_is_object(again);
            json_decref(again);
            if (!object) {
                snprintf(msg, msg_size, "not a JSON object");
                *verdict = SCENARIO_FATAL;
                return NULL;
            }
            /* jansson names the key: "duplicate object key near '"amount"'" */
            snprintf(msg, msg_size, "%s (column %d): a key may appear once in an object", err.text, err.column);
            *status = REWARDS_INVALID_ARGUMENT;
            *verdict = SCENARIO_REJECT;
            return NULL;
        }
    }
    if (!root) {
        snprintf(msg, msg_size, "not JSON: %s (column %d)", err.text, err.column);
        *verdict = SCENARIO_FATAL;
        return NULL;
    }
    if (!json_is_object(root)) {
        json_decref(root);
        snprintf(msg, msg_size, "not a JSON object");
        *verdict = SCENARIO_FATAL;
        return NULL;
    }
    return root;
}

static scenario_line parse_line(rewards_engine *engine, const char *line, size_t len, rewards_op **out,
                                rewards_status *status, char *msg, size_t msg_size)
{
    *out = NULL;
    big_fields.n = 0;
    const char *p = line;
    while (*p == ' ' || *p == '\t')
        p++;
    if (strlen(line) != len) {
        snprintf(msg, msg_size, "not JSON: a NUL byte at column %zu", strlen(line) + 1);
        return SCENARIO_FATAL;
    }
    if (!*p || *p == '#')
        return SCENARIO_SKIP;
    bignum_set big = { 0 };
    scenario_line verdict = SCENARIO_FATAL;
    json_t *root = load(line, &big, &verdict, status, msg, msg_size);
    if (!root) {
        bignum_free(&big);
        return verdict;
    }
    json_t *kind = json_object_get(root, "op");
    if (!json_is_string(kind) || strlen(json_string_value(kind)) != json_string_length(kind)) {
        json_decref(root);
        bignum_free(&big);
        *status = REWARDS_INVALID_ARGUMENT;
        snprintf(msg, msg_size, "field 'op' must be a string naming the operation");
        return SCENARIO_REJECT;
    }
    rewards_op *op;
    rewards_status st = rewards_op_new(engine, &op, json_string_value(kind));
    const char *key;
    json_t *v;
    json_object_foreach(root, key, v) {
        if (st)
            break;
        if (!strcmp(key, "op"))
            continue;
        if (!*key || strchr(key, '.')) {
            st = REWARDS_INVALID_ARGUMENT;
            snprintf(msg, msg_size, "unknown field '%s'", key);
            break;
        }
        st = set_value(op, key, v, &big);
        if (st)
            snprintf(msg, msg_size, "field '%s' cannot be represented", key);
    }
    json_decref(root);
    bignum_free(&big);
    if (st) {
        rewards_op_free(op);
        *status = st;
        return SCENARIO_REJECT;
    }
    *out = op;
    return SCENARIO_OP;
}

rewards_status scenario_apply_error(rewards_engine *engine, rewards_status st, char *msg, size_t msg_size)
{
    const char *lib = rewards_engine_errmsg(engine);
    for (size_t i = 0; st == REWARDS_INVALID_ARGUMENT && i < big_fields.n; i++) {
        char want[400];
        snprintf(want, sizeof want, "field '%s' must be an integer, not a number", big_fields.field[i].path);
        /* an attribute's message names the attribute only: match its name and the token's text */
        const char *dot = strrchr(big_fields.field[i].path, '.');
        char attr[400];
        snprintf(attr, sizeof attr, "attribute '%s': '%s' is not an exact decimal", dot ? dot + 1 : "",
                 big_fields.field[i].text);
        if (!strcmp(lib, want) || (dot && !strcmp(lib, attr))) {
            snprintf(msg, msg_size, "field '%s': %s is beyond the 64-bit integer range", big_fields.field[i].path,
                     big_fields.field[i].text);
            scenario_escape(msg, msg_size);
            return REWARDS_OVERFLOW;
        }
    }
    snprintf(msg, msg_size, "%s", lib);
    return st;
}
