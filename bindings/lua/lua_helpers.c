/*
 * lua_helpers.c - the engine-less functions of the module: version, times,
 * amounts, condition checking, and rewards.array().
 */
#include "rewards_lua.h"

static int l_version(lua_State *L)
{
    lua_pushstring(L, rewards_version_string());
    lua_pushinteger(L, rewards_version());
    return 2;
}

static int l_parse_time(lua_State *L)
{
    int64_t at;
    rewards_status st = rewards_time_parse(lrw_checktext(L, 1), &at);
    if (st)
        lrw_raisef(L, st, "'%s' is not YYYY-MM-DD or YYYY-MM-DDTHH:MM:SSZ", lua_tostring(L, 1));
    lua_pushinteger(L, (lua_Integer)at);
    return 1;
}

static int l_format_time(lua_State *L)
{
    char buf[32];
    rewards_status st = rewards_time_format((int64_t)luaL_checkinteger(L, 1), buf, sizeof buf);
    if (st)
        lrw_raise(L, st, "cannot format that time");
    lua_pushstring(L, buf);
    return 1;
}

static int l_parse_amount(lua_State *L)
{
    int64_t v;
    const char *text = lrw_checktext(L, 1), *currency = lrw_checktext(L, 2);
    rewards_status st = rewards_amount_parse(text, currency, &v);
    if (st)
        lrw_raisef(L, st, "'%s' is not an amount in %s", text, currency);
    lua_pushinteger(L, (lua_Integer)v);
    return 1;
}

static int l_format_amount(lua_State *L)
{
    char buf[32];
    const char *currency = lrw_checktext(L, 2);
    rewards_status st = rewards_amount_format((int64_t)luaL_checkinteger(L, 1), currency, buf, sizeof buf);
    if (st)
        lrw_raisef(L, st, "unknown currency '%s'", currency);
    lua_pushstring(L, buf);
    return 1;
}

/* rewards.check_condition(text) -> true, or raises {code = "parse_error", message, line, column} */
static int l_check_condition(lua_State *L)
{
    int line = 0, column = 0;
    char msg[512] = "";
    rewards_status st = rewards_condition_check(lrw_checktext(L, 1), &line, &column, msg, sizeof msg);
    if (!st) {
        lua_pushboolean(L, 1);
        return 1;
    }
    lua_createtable(L, 0, 5);
    lua_pushstring(L, rewards_status_name(st));
    lua_setfield(L, -2, "code");
    lua_pushstring(L, msg);
    lua_setfield(L, -2, "message");
    lua_pushinteger(L, (lua_Integer)st);
    lua_setfield(L, -2, "status");
    lua_pushinteger(L, line);
    lua_setfield(L, -2, "line");
    lua_pushinteger(L, column);
    lua_setfield(L, -2, "column");
    luaL_setmetatable(L, LRW_ERROR_MT);
    return lua_error(L);
}

/* rewards.array(t): mark t as a list (for an empty one); returns t. */
static int l_array(lua_State *L)
{
    if (lua_isnoneornil(L, 1)) {
        lua_settop(L, 0);
        lua_newtable(L);
    }
    luaL_checktype(L, 1, LUA_TTABLE);
    lua_settop(L, 1);
    lua_rawgetp(L, LUA_REGISTRYINDEX, lrw_array_key());
    lua_setmetatable(L, 1);
    return 1;
}

const luaL_Reg lrw_helper_functions[] = {
    { "array", l_array },
    { "version", l_version },
    { "parse_time", l_parse_time },
    { "format_time", l_format_time },
    { "parse_amount", l_parse_amount },
    { "format_amount", l_format_amount },
    { "check_condition", l_check_condition },
    { NULL, NULL },
};
