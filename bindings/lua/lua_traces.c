/*
 * lua_traces.c - calculation traces, statements and the holds report
 * (docs/traces.md) as Lua values.
 *
 * e:trace(n) is the trace of entry n as nested tables: a numeric key
 * segment becomes a list index (1-based), decimals (amounts, rates) stay
 * decimal strings (Lua numbers are floats or 64-bit integers, neither
 * exact for money), integers are integers, booleans booleans, absent
 * values absent.  Statements and holds come as the library's CSV and as
 * lists of row tables (every cell a string).  The C trace is boxed in a
 * userdata so that it is freed even when building the table raises.
 */
#include "rewards_lua.h"

#include <stdlib.h>
#include <string.h>

typedef struct trace_box {
    rewards_trace *t;
} trace_box;

static const char trace_mt;

static int box_gc(lua_State *L)
{
    trace_box *b = lua_touserdata(L, 1);
    rewards_trace_free(b->t);
    b->t = NULL;
    return 0;
}

void lrw_register_trace(lua_State *L)
{
    lua_newtable(L);
    lua_pushcfunction(L, box_gc);
    lua_setfield(L, -2, "__gc");
    lua_rawsetp(L, LUA_REGISTRYINDEX, &trace_mt);
}

/* The trace of entry n (argument 2), boxed at the top of the stack. */
static trace_box *get_trace(lua_State *L)
{
    lrw_engine *le = lrw_live(L, 1);
    lua_Integer n = luaL_checkinteger(L, 2);
    trace_box *b = lua_newuserdatauv(L, sizeof *b, 0);
    b->t = NULL;
    lua_rawgetp(L, LUA_REGISTRYINDEX, &trace_mt);
    lua_setmetatable(L, -2);
    lrw_call_begin(L, le);
    rewards_status st = n < 1 ? REWARDS_NOT_FOUND : rewards_engine_trace(le->engine, &b->t, (uint64_t)n);
    lrw_call_end(L, le, st, n < 1 ? "no such entry" : NULL);
    return b;
}

/* Push the value of item i. */
static void push_value(lua_State *L, const rewards_trace *t, size_t i)
{
    const char *v = rewards_trace_value(t, i);
    switch (rewards_trace_type(t, i)) {
    case REWARDS_TRACE_INTEGER:
        lua_pushinteger(L, (lua_Integer)strtoll(v, NULL, 10));
        break;
    case REWARDS_TRACE_BOOL:
        lua_pushboolean(L, !strcmp(v, "true"));
        break;
    case REWARDS_TRACE_NULL:
        lua_pushnil(L);
        break;
    default:
        lua_pushstring(L, v);
        break;
    }
}

/* Push key segment [s, s + n) as a table key: an integer (1-based) for a numeric one. */
static void push_key(lua_State *L, const char *s, size_t n)
{
    int numeric = n > 0;
    for (size_t i = 0; i < n; i++)
        numeric &= s[i] >= '0' && s[i] <= '9';
    if (numeric)
        lua_pushinteger(L, (lua_Integer)strtoll(s, NULL, 10) + 1);
    else
        lua_pushlstring(L, s, n);
}

/* e:trace(n) -> table */
static int l_trace(lua_State *L)
{
    trace_box *b = get_trace(L);
    int box = lua_gettop(L);
    lua_newtable(L);
    int root = lua_gettop(L);
    for (size_t i = 0; i < rewards_trace_count(b->t); i++) {
        const char *key = rewards_trace_key(b->t, i);
        lua_pushvalue(L, root);
        const char *dot;
        while ((dot = strchr(key, '.'))) {
            push_key(L, key, (size_t)(dot - key));
            lua_pushvalue(L, -1);
            if (lua_gettable(L, -3) == LUA_TNIL) {
                lua_pop(L, 1);
                lua_newtable(L);
                lua_pushvalue(L, -2);
                lua_pushvalue(L, -2);
                lua_settable(L, -5);
            }
            lua_remove(L, -2); /* the key */
            lua_remove(L, -2); /* the parent */
            key = dot + 1;
        }
        push_key(L, key, strlen(key));
        push_value(L, b->t, i);
        lua_settable(L, -3);
        lua_pop(L, 1);
    }
    rewards_trace_free(b->t);
    b->t = NULL;
    lua_remove(L, box);
    return 1;
}

/* e:trace_json(n) -> string */
static int l_trace_json(lua_State *L)
{
    trace_box *b = get_trace(L);
    lrw_out *o = lrw_out_new(L);
    rewards_status st = rewards_trace_write_json(b->t, lrw_out_write, o);
    if (st)
        return lrw_raise(L, lrw_out_oom(o) ? REWARDS_NOMEM : st, "out of memory writing the trace");
    lrw_out_push(L, o);
    return 1;
}

enum { TRACES, STATEMENTS, HOLDS };

static int export(lua_State *L, int which)
{
    lrw_engine *le = lrw_live(L, 1);
    const char *type = NULL, *id = NULL;
    int64_t from = INT64_MIN, until = INT64_MAX;
    if (which == STATEMENTS) {
        type = lrw_opttext(L, 2);
        id = lrw_opttext(L, 3);
        for (int k = 4; k <= 5; k++) {
            if (lua_isnoneornil(L, k))
                continue;
            int64_t at;
            if (lua_isinteger(L, k))
                at = (int64_t)lua_tointeger(L, k);
            else if (lua_type(L, k) != LUA_TSTRING || rewards_time_parse(lua_tostring(L, k), &at) != REWARDS_OK)
                return lrw_raisef(L, REWARDS_INVALID_ARGUMENT, "%s must be YYYY-MM-DD, YYYY-MM-DDTHH:MM:SSZ or UTC seconds",
                                  k == 4 ? "from" : "until");
            *(k == 4 ? &from : &until) = at;
        }
    }
    lrw_out *o = lrw_out_new(L);
    lrw_call_begin(L, le);
    rewards_status st = which == TRACES       ? rewards_engine_export_traces(le->engine, lrw_out_write, o)
                        : which == STATEMENTS ? rewards_engine_export_statements(le->engine, type, id, from, until,
                                                                                 lrw_out_write, o)
                                              : rewards_engine_export_holds(le->engine, lrw_out_write, o);
    if (st && lrw_out_oom(o))
        st = REWARDS_NOMEM;
    lrw_call_end(L, le, st, lrw_out_oom(o) ? "out of memory writing the export" : NULL);
    lrw_out_push(L, o);
    return 1;
}

static int l_traces_jsonl(lua_State *L) { return export(L, TRACES); }
static int l_statements_csv(lua_State *L) { return export(L, STATEMENTS); }
static int l_holds_csv(lua_State *L) { return export(L, HOLDS); }

/* Push one CSV cell starting at *p (RFC 4180 quoting); *p moves past it and its separator. */
static int push_cell(lua_State *L, const char **p, const char *end)
{
    const char *s = *p;
    luaL_Buffer b;
    luaL_buffinit(L, &b);
    int last;
    if (s < end && *s == '"') {
        s++;
        while (s < end) {
            if (*s == '"' && s + 1 < end && s[1] == '"') {
                luaL_addchar(&b, '"');
                s += 2;
            } else if (*s == '"') {
                s++;
                break;
            } else {
                luaL_addchar(&b, *s++);
            }
        }
    } else {
        while (s < end && *s != ',' && *s != '\n')
            luaL_addchar(&b, *s++);
    }
    last = s >= end || *s == '\n';
    *p = s < end ? s + 1 : s;
    luaL_pushresult(&b);
    return last;
}

/* The CSV string at the top of the stack as a list of rows keyed by the header's names (replacing it). */
static void csv_rows(lua_State *L)
{
    size_t n;
    const char *p = lua_tolstring(L, -1, &n), *end = p + n;
    int csv = lua_gettop(L);
    lua_newtable(L); /* header */
    int header = csv + 1;
    for (int i = 1; p < end; i++) {
        int last = push_cell(L, &p, end);
        lua_rawseti(L, header, i);
        if (last)
            break;
    }
    lua_newtable(L);
    int rows = header + 1;
    for (lua_Integer r = 1; p < end; r++) {
        lua_newtable(L);
        for (int i = 1; p < end; i++) {
            int last = push_cell(L, &p, end);
            lua_rawgeti(L, header, i);
            lua_insert(L, -2);
            lua_settable(L, -3);
            if (last)
                break;
        }
        lua_rawseti(L, rows, r);
    }
    lua_replace(L, csv);
    lua_settop(L, csv);
}

static int l_statements(lua_State *L)
{
    export(L, STATEMENTS);
    csv_rows(L);
    return 1;
}

static int l_holds(lua_State *L)
{
    export(L, HOLDS);
    csv_rows(L);
    return 1;
}

const luaL_Reg lrw_trace_methods[] = {
    { "trace", l_trace },
    { "trace_json", l_trace_json },
    { "traces_jsonl", l_traces_jsonl },
    { "statements_csv", l_statements_csv },
    { "statements", l_statements },
    { "holds_csv", l_holds_csv },
    { "holds", l_holds },
    { NULL, NULL },
};
