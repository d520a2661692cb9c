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
                return -2;
            *buf = nb;
            *cap = ncap;
        }
        if (c == '\n')
            break;
        (*buf)[len++] = (char)c;
    }
    if (c == EOF && len == 0)
        return -1;
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

static rewards_status set_value(rewards_op *op, const char *path, json_t *v)
{
    switch (json_typeof(v)) {
    case JSON_STRING:
        return rewards_op_set_string(op, path, json_string_value(v));
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
            st = set_value(op, sub, member);
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
            st = set_value(op, sub, item);
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

static scenario_line parse_line(rewards_engine *engine, const char *line, rewards_op **out, rewards_status *status,
                                char *msg, size_t msg_size);

scenario_line scenario_parse_line(rewards_engine *engine, const char *line, rewards_op **out, rewards_status *status,
                                  char *msg, size_t msg_size)
{
    scenario_line r = parse_line(engine, line, out, status, msg, msg_size);
    if (r == SCENARIO_FATAL || r == SCENARIO_REJECT)
        scenario_escape(msg, msg_size);
    return r;
}

static scenario_line parse_line(rewards_engine *engine, const char *line, rewards_op **out, rewards_status *status,
                                char *msg, size_t msg_size)
{
    *out = NULL;
    const char *p = line;
    while (*p == ' ' || *p == '\t')
        p++;
    if (!*p || *p == '#')
        return SCENARIO_SKIP;
    json_error_t err;
    json_t *root = json_loads(line, 0, &err);
    if (!root) {
        snprintf(msg, msg_size, "not JSON: %s (column %d)", err.text, err.column);
        return SCENARIO_FATAL;
    }
    if (!json_is_object(root)) {
        json_decref(root);
        snprintf(msg, msg_size, "not a JSON object");
        return SCENARIO_FATAL;
    }
    json_t *kind = json_object_get(root, "op");
    if (!json_is_string(kind)) {
        json_decref(root);
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
        st = set_value(op, key, v);
        if (st)
            snprintf(msg, msg_size, "field '%s' cannot be represented", key);
    }
    json_decref(root);
    if (st) {
        rewards_op_free(op);
        *status = st;
        return SCENARIO_REJECT;
    }
    *out = op;
    return SCENARIO_OP;
}
