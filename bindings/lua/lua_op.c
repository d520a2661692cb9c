/*
 * lua_op.c - Lua values to the fields of a rewards_op.
 *
 * The mapping mirrors rewards-cli's JSON reader, so that a wrong type is
 * reported by the library at that field's turn, as for any host:
 *
 *   string                   rewards_op_set_string (no embedded NUL)
 *   integer                  rewards_op_set_int
 *   float                    rewards_op_set_number, shortest round-trip text
 *                            ("%.17g" at the least precision that reads back)
 *   boolean                  rewards_op_set_bool
 *   table 1..n (a sequence)  rewards_op_set_list, then each element in order
 *   rewards.array(t)         a list, even when empty
 *   other table              rewards_op_set_object, then each string key
 *   rewards.null, a non-finite float, anything else
 *                            rewards_op_set_null (invalid_argument at apply)
 *
 * Nothing here raises a Lua error: the caller owns the op and must free it
 * before raising.  Only raw accesses are used, so no metamethod runs.
 */
#include "rewards_lua.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_DEPTH 32
#define MAX_PATH 1024

static void real_text(double v, char *buf, size_t size)
{
    for (int prec = 1; prec <= 17; prec++) {
        snprintf(buf, size, "%.*g", prec, v);
        if (strtod(buf, NULL) == v)
            break;
    }
}

static rewards_status fail(rewards_status st, char *msg, size_t msg_size, const char *fmt, const char *path)
{
    snprintf(msg, msg_size, fmt, path);
    return st;
}

/* Count the keys of the table at idx; *seq is set when they are exactly 1..n. */
static size_t table_shape(lua_State *L, int idx, int *seq)
{
    size_t n = 0, len = (size_t)lua_rawlen(L, idx);
    lua_pushnil(L);
    while (lua_next(L, idx)) {
        n++;
        lua_pop(L, 1);
    }
    *seq = len > 0 && n == len;
    return n;
}

/* The registry key of the metatable rewards.array() sets (a light userdata: no allocation to look up). */
static const char array_key;

const void *lrw_array_key(void)
{
    return &array_key;
}

static int is_array_marked(lua_State *L, int idx)
{
    if (!lua_getmetatable(L, idx))
        return 0;
    lua_rawgetp(L, LUA_REGISTRYINDEX, &array_key);
    int marked = lua_rawequal(L, -1, -2);
    lua_pop(L, 2);
    return marked;
}

static rewards_status set_table(lua_State *L, rewards_op *op, const char *path, int idx, int depth, char *msg,
                                size_t msg_size)
{
    char sub[MAX_PATH];
    int seq;
    size_t count = table_shape(L, idx, &seq);
    rewards_status st;
    if (seq || is_array_marked(L, idx)) {
        size_t len = (size_t)lua_rawlen(L, idx);
        if (count != len)
            return fail(REWARDS_INVALID_ARGUMENT, msg, msg_size, "field '%s': a list must be a sequence 1..n",
                        path);
        if ((st = rewards_op_set_list(op, path)))
            return fail(st, msg, msg_size, "field '%s': cannot set a list", path);
        for (size_t i = 0; i < len; i++) {
            if (snprintf(sub, sizeof sub, "%s.%zu", path, i) >= (int)sizeof sub)
                return fail(REWARDS_INVALID_ARGUMENT, msg, msg_size, "field '%s': path too long", path);
            lua_rawgeti(L, idx, (lua_Integer)i + 1);
            st = lrw_set_value(L, op, sub, lua_gettop(L), depth + 1, msg, msg_size);
            lua_pop(L, 1);
            if (st)
                return st;
        }
        return REWARDS_OK;
    }
    if ((st = rewards_op_set_object(op, path)))
        return fail(st, msg, msg_size, "field '%s': cannot set an object", path);
    lua_pushnil(L);
    while (lua_next(L, idx)) {
        size_t klen;
        const char *key = lua_type(L, -2) == LUA_TSTRING ? lua_tolstring(L, -2, &klen) : NULL;
        if (!key || !klen || strlen(key) != klen || strchr(key, '.')) {
            lua_pop(L, 2);
            return fail(REWARDS_INVALID_ARGUMENT, msg, msg_size,
                        "field '%s': member names are non-empty strings without '.'", path);
        }
        if (snprintf(sub, sizeof sub, "%s.%s", path, key) >= (int)sizeof sub) {
            lua_pop(L, 2);
            return fail(REWARDS_INVALID_ARGUMENT, msg, msg_size, "field '%s': path too long", path);
        }
        st = lrw_set_value(L, op, sub, lua_gettop(L), depth + 1, msg, msg_size);
        lua_pop(L, 1);
        if (st) {
            lua_pop(L, 1);
            return st;
        }
    }
    return REWARDS_OK;
}

rewards_status lrw_set_value(lua_State *L, rewards_op *op, const char *path, int idx, int depth, char *msg,
                             size_t msg_size)
{
    rewards_status st;
    if (depth > MAX_DEPTH || !lua_checkstack(L, 4))
        return fail(REWARDS_INVALID_ARGUMENT, msg, msg_size, "field '%s' is nested too deeply", path);
    switch (lua_type(L, idx)) {
    case LUA_TSTRING: {
        size_t len;
        const char *s = lua_tolstring(L, idx, &len);
        if (strlen(s) != len)
            return fail(REWARDS_INVALID_ARGUMENT, msg, msg_size, "field '%s' contains a NUL byte", path);
        st = rewards_op_set_string(op, path, s);
        break;
    }
    case LUA_TNUMBER:
        if (lua_isinteger(L, idx)) {
            st = rewards_op_set_int(op, path, (int64_t)lua_tointeger(L, idx));
        } else {
            double v = (double)lua_tonumber(L, idx);
            char text[64];
            if (!isfinite(v)) {
                st = rewards_op_set_null(op, path);
                break;
            }
            real_text(v, text, sizeof text);
            st = rewards_op_set_number(op, path, text);
        }
        break;
    case LUA_TBOOLEAN:
        st = rewards_op_set_bool(op, path, lua_toboolean(L, idx));
        break;
    case LUA_TTABLE:
        return set_table(L, op, path, idx, depth, msg, msg_size);
    default: /* nil, rewards.null, functions, userdata: no field takes them */
        st = rewards_op_set_null(op, path);
        break;
    }
    if (st)
        return fail(st, msg, msg_size, "field '%s' cannot be set", path);
    return REWARDS_OK;
}

/* Lua's reserved words: a field with such a name may be written name_ ("until_"). */
static int is_keyword(const char *s)
{
    static const char *const words[] = {
        "and", "break", "do", "else", "elseif", "end", "false", "for", "function", "goto", "if", "in",
        "local", "nil", "not", "or", "repeat", "return", "then", "true", "until", "while",
    };
    for (size_t i = 0; i < sizeof words / sizeof words[0]; i++)
        if (!strcmp(s, words[i]))
            return 1;
    return 0;
}

rewards_status lrw_set_fields(lua_State *L, rewards_op *op, int idx, int skip_op, char *msg, size_t msg_size)
{
    if (!lua_checkstack(L, 4))
        return fail(REWARDS_NOMEM, msg, msg_size, "%s", "Lua stack overflow");
    lua_pushnil(L);
    while (lua_next(L, idx)) {
        size_t klen;
        const char *key = lua_type(L, -2) == LUA_TSTRING ? lua_tolstring(L, -2, &klen) : NULL;
        if (!key || !klen || strlen(key) != klen || strchr(key, '.')) {
            lua_pop(L, 2);
            return fail(REWARDS_INVALID_ARGUMENT, msg, msg_size, "%s",
                        "unknown field: field names are non-empty strings without '.'");
        }
        rewards_status st = REWARDS_OK;
        char name[32];
        if (klen > 1 && klen < sizeof name && key[klen - 1] == '_') {
            memcpy(name, key, klen - 1);
            name[klen - 1] = '\0';
            if (is_keyword(name))
                key = name; /* until_ = ... stands for ["until"] = ... */
        }
        if (!(skip_op && !strcmp(key, "op")))
            st = lrw_set_value(L, op, key, lua_gettop(L), 0, msg, msg_size);
        lua_pop(L, 1);
        if (st) {
            lua_pop(L, 1);
            return st;
        }
    }
    return REWARDS_OK;
}
