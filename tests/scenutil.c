/*
 * scenutil.c - reading the worked scenarios (tests/scenarios/NAME.jsonl)
 * into operations, for the tests and the fuzz targets alike: a minimal JSON
 * reader that builds a rewards_op through the public setters, and the
 * scenario files found next to this source (or under $RW_SCENARIOS).  No
 * test framework here, so the libFuzzer targets can use it; an allocation
 * failure of the test process itself aborts.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "scenutil.h"

/* ---- a minimal JSON reader that builds operations ------------------------ */

typedef struct jp {
    const char *p;
    rewards_op *op; /* NULL: only looking for "op" */
    char kind[64];
    int bad;
} jp;

static void ws(jp *j)
{
    while (*j->p == ' ' || *j->p == '\t' || *j->p == '\r' || *j->p == '\n')
        j->p++;
}

static void put_utf8(char **o, unsigned c)
{
    if (c < 0x80) {
        *(*o)++ = (char)c;
    } else if (c < 0x800) {
        *(*o)++ = (char)(0xC0 | c >> 6);
        *(*o)++ = (char)(0x80 | (c & 0x3F));
    } else if (c < 0x10000) {
        *(*o)++ = (char)(0xE0 | c >> 12);
        *(*o)++ = (char)(0x80 | ((c >> 6) & 0x3F));
        *(*o)++ = (char)(0x80 | (c & 0x3F));
    } else {
        *(*o)++ = (char)(0xF0 | c >> 18);
        *(*o)++ = (char)(0x80 | ((c >> 12) & 0x3F));
        *(*o)++ = (char)(0x80 | ((c >> 6) & 0x3F));
        *(*o)++ = (char)(0x80 | (c & 0x3F));
    }
}

static unsigned hex4(jp *j)
{
    unsigned v = 0;
    for (int i = 0; i < 4; i++) {
        char c = *j->p++;
        v <<= 4;
        if (c >= '0' && c <= '9')
            v |= (unsigned)(c - '0');
        else if (c >= 'a' && c <= 'f')
            v |= (unsigned)(c - 'a' + 10);
        else if (c >= 'A' && c <= 'F')
            v |= (unsigned)(c - 'A' + 10);
        else
            j->bad = 1;
    }
    return v;
}

/* A JSON string, decoded; malloc'd. */
static char *jstring(jp *j)
{
    if (*j->p != '"') {
        j->bad = 1;
        return NULL;
    }
    j->p++;
    char *out = malloc(strlen(j->p) * 2 + 1), *o = out;
    if (!out)
        abort();
    while (*j->p && *j->p != '"') {
        if (*j->p != '\\') {
            *o++ = *j->p++;
            continue;
        }
        j->p++;
        char c = *j->p++;
        switch (c) {
        case 'n': *o++ = '\n'; break;
        case 't': *o++ = '\t'; break;
        case 'r': *o++ = '\r'; break;
        case 'b': *o++ = '\b'; break;
        case 'f': *o++ = '\f'; break;
        case 'u': {
            unsigned u = hex4(j);
            if (u >= 0xD800 && u < 0xDC00 && j->p[0] == '\\' && j->p[1] == 'u') {
                j->p += 2;
                unsigned lo = hex4(j);
                u = 0x10000 + ((u - 0xD800) << 10) + (lo - 0xDC00);
            }
            put_utf8(&o, u);
            break;
        }
        default: *o++ = c; break; /* \" \\ \/ */
        }
    }
    if (*j->p != '"')
        j->bad = 1;
    else
        j->p++;
    *o = '\0';
    return out;
}

static void jvalue(jp *j, const char *path);

static void set(jp *j, rewards_status st)
{
    if (st)
        j->bad = 1;
}

static void jcontainer(jp *j, const char *path, int top)
{
    int list = *j->p == '[';
    j->p++;
    ws(j);
    if (*j->p == (list ? ']' : '}')) {
        j->p++;
        if (j->op && !top)
            set(j, list ? rewards_op_set_list(j->op, path) : rewards_op_set_object(j->op, path));
        return;
    }
    for (size_t i = 0; !j->bad; i++) {
        ws(j);
        char child[512];
        if (list) {
            snprintf(child, sizeof child, "%s.%zu", path, i);
        } else {
            char *key = jstring(j);
            ws(j);
            if (*j->p != ':')
                j->bad = 1;
            j->p++;
            ws(j);
            if (top && key && !strcmp(key, "op")) {
                char *kind = jstring(j);
                if (kind)
                    snprintf(j->kind, sizeof j->kind, "%s", kind);
                free(kind);
                free(key);
                goto next;
            }
            snprintf(child, sizeof child, top ? "%s%s" : "%s.%s", path, key ? key : "");
            free(key);
        }
        jvalue(j, child);
    next:
        ws(j);
        if (*j->p == ',') {
            j->p++;
            continue;
        }
        if (*j->p == (list ? ']' : '}')) {
            j->p++;
            return;
        }
        j->bad = 1;
    }
}

static void jvalue(jp *j, const char *path)
{
    ws(j);
    char c = *j->p;
    if (c == '{' || c == '[') {
        jcontainer(j, path, 0);
    } else if (c == '"') {
        char *s = jstring(j);
        if (j->op && s)
            set(j, rewards_op_set_string(j->op, path, s));
        free(s);
    } else if (!strncmp(j->p, "true", 4) || !strncmp(j->p, "false", 5)) {
        int v = c == 't';
        j->p += v ? 4 : 5;
        if (j->op)
            set(j, rewards_op_set_bool(j->op, path, v));
    } else if (!strncmp(j->p, "null", 4)) {
        j->p += 4;
        if (j->op)
            set(j, rewards_op_set_null(j->op, path));
    } else if (c == '-' || (c >= '0' && c <= '9')) {
        const char *start = j->p;
        int integer = 1;
        while (*j->p == '-' || *j->p == '+' || *j->p == '.' || *j->p == 'e' || *j->p == 'E' ||
               (*j->p >= '0' && *j->p <= '9')) {
            if (*j->p == '.' || *j->p == 'e' || *j->p == 'E')
                integer = 0;
            j->p++;
        }
        char num[64];
        snprintf(num, sizeof num, "%.*s", (int)(j->p - start), start);
        if (j->op)
            set(j, integer ? rewards_op_set_int(j->op, path, strtoll(num, NULL, 10))
                           : rewards_op_set_number(j->op, path, num));
    } else {
        j->bad = 1;
    }
}

/* One scenario line as an operation (NULL for a line that is not one). */
rewards_op *line_op(rewards_engine *e, const char *line)
{
    jp j;
    memset(&j, 0, sizeof j);
    j.p = line;
    ws(&j);
    if (*j.p != '{')
        return NULL;
    jcontainer(&j, "", 1);
    if (j.bad || !j.kind[0])
        return NULL;
    const char *again = line;
    rewards_op *op;
    if (rewards_op_new(e, &op, j.kind))
        return NULL;
    memset(&j, 0, sizeof j);
    j.p = again;
    j.op = op;
    ws(&j);
    jcontainer(&j, "", 1);
    if (j.bad) {
        rewards_op_free(op);
        return NULL;
    }
    return op;
}

/* ---- scenario files ----------------------------------------------------- */

const char *const scenario_names[SCENARIO_COUNT] = { "bad_input", "collections_retroactive", "holds_release", "kiflo_sales_rep",
                                              "levels_points_fx", "tiered_clawback", "trakti_quarter_bonus",
                                              "lines_margin_precedence", "two_tier_activities" };

char *read_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *s = n >= 0 ? malloc((size_t)n + 1) : NULL;
    if (!s || fread(s, 1, (size_t)n, f) != (size_t)n) {
        fclose(f);
        free(s);
        return NULL;
    }
    s[n] = '\0';
    fclose(f);
    return s;
}

/* The scenarios directory: next to this file, whichever build directory runs us. */
char *scenario_file(const char *name, const char *ext)
{
    static const char *const dirs[] = { "", "../tests/scenarios/", "../../tests/scenarios/", "tests/scenarios/",
                                        "scenarios/" };
    char base[512];
    const char *env = getenv("RW_SCENARIOS");
    if (env) {
        char path[700];
        snprintf(path, sizeof path, "%s/%s.%s", env, name, ext);
        char *s = read_file(path);
        if (s)
            return s;
    }
    snprintf(base, sizeof base, "%s", __FILE__);
    char *slash = strrchr(base, '/');
    if (slash)
        snprintf(slash + 1, sizeof base - (size_t)(slash + 1 - base), "scenarios/");
    for (size_t i = 0; i < sizeof dirs / sizeof dirs[0]; i++) {
        char path[700];
        snprintf(path, sizeof path, "%s%s.%s", i == 0 ? (slash ? base : "./") : dirs[i], name, ext);
        char *s = read_file(path);
        if (s)
            return s;
    }
    fprintf(stderr, "cannot find scenario %s.%s\n", name, ext);
    abort();
}

void scenario_load(scenario *s, const char *name)
{
    memset(s, 0, sizeof *s);
    s->text = scenario_file(name, "jsonl");
    size_t cap = 16;
    s->lines = malloc(cap * sizeof *s->lines);
    s->lineno = malloc(cap * sizeof *s->lineno);
    if (!s->lines || !s->lineno)
        abort();
    int no = 0;
    for (char *line = s->text; line && *line;) {
        char *nl = strchr(line, '\n');
        if (nl)
            *nl = '\0';
        no++;
        const char *q = line;
        while (*q == ' ' || *q == '\t' || *q == '\r')
            q++;
        if (*q && *q != '#') {
            if (s->n == cap) {
                cap *= 2;
                s->lines = realloc(s->lines, cap * sizeof *s->lines);
                s->lineno = realloc(s->lineno, cap * sizeof *s->lineno);
                if (!s->lines || !s->lineno)
                    abort();
            }
            s->lines[s->n] = line;
            s->lineno[s->n++] = no;
        }
        line = nl ? nl + 1 : NULL;
    }
}

void scenario_free(scenario *s)
{
    free(s->text);
    free(s->lines);
    free(s->lineno);
}

