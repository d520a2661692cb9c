/*
 * rewards_lua.c - the Lua 5.4 module "rewards": librewards engines as
 * userdata.
 *
 *   local rewards = require "rewards"
 *   local e <close> = rewards.engine()          -- or rewards.engine{storage=..., on_event=...}
 *   e:apply("program", {id = "resell", name = "Reseller Program", currency = "USD"})
 *   e:apply{op = "level", id = "gold", program = "resell", name = "Gold", rank = 2}
 *   io.write(e:ledger_csv())
 *
 * Errors: every failure raises a Lua error whose value is a table
 * {code = "not_found", message = "...", status = 2} (code is
 * rewards_status_name(); the table's __tostring gives "code: message").
 * Catch it with pcall.  A callback's own error is re-raised as it was.
 *
 * The engine is freed by e:close(), by a to-be-closed variable going out of
 * scope (__close) or by the garbage collector (__gc), whichever comes first.
 */
#include "rewards_lua.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#if LUA_VERSION_NUM < 504
#error "the rewards module needs Lua 5.4"
#endif

/* ---- errors ------------------------------------------------------------ */

int lrw_raise(lua_State *L, rewards_status status, const char *message)
{
    lua_createtable(L, 0, 3);
    lua_pushstring(L, rewards_status_name(status));
    lua_setfield(L, -2, "code");
    lua_pushstring(L, message ? message : "");
    lua_setfield(L, -2, "message");
    lua_pushinteger(L, (lua_Integer)status);
    lua_setfield(L, -2, "status");
    luaL_setmetatable(L, LRW_ERROR_MT);
    return lua_error(L);
}

int lrw_raisef(lua_State *L, rewards_status status, const char *fmt, ...)
{
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    return lrw_raise(L, status, msg);
}

const char *lrw_checktext(lua_State *L, int arg)
{
    size_t len;
    const char *s = luaL_checklstring(L, arg, &len);
    if (strlen(s) != len)
        lrw_raisef(L, REWARDS_INVALID_ARGUMENT, "argument %d holds a NUL byte", arg);
    return s;
}

const char *lrw_opttext(lua_State *L, int arg)
{
    return lua_isnoneornil(L, arg) ? NULL : lrw_checktext(L, arg);
}

static int error_tostring(lua_State *L)
{
    lua_getfield(L, 1, "code");
    lua_getfield(L, 1, "message");
    const char *code = lua_tostring(L, -2), *msg = lua_tostring(L, -1);
    if (msg && *msg)
        lua_pushfstring(L, "%s: %s", code ? code : "?", msg);
    else
        lua_pushstring(L, code ? code : "?");
    return 1;
}

/* ---- the engine userdata ------------------------------------------------ */

lrw_engine *lrw_live(lua_State *L, int mutating)
{
    lrw_engine *le = luaL_checkudata(L, 1, LRW_ENGINE_MT);
    if (!le->engine)
        lrw_raise(L, REWARDS_MISUSE, "the engine is closed");
    if (mutating && le->busy)
        lrw_raise(L, REWARDS_MISUSE, "the engine was called from one of its callbacks");
    return le;
}

/*
 * Start a call that may run callbacks: push the callback targets, mark the
 * engine busy.  Nothing between call_begin() and call_end() may raise.
 */
void lrw_call_begin(lua_State *L, lrw_engine *le)
{
    luaL_checkstack(L, 8, NULL);
    lua_getiuservalue(L, 1, LRW_UV_STORAGE);
    le->storage_idx = lua_isnil(L, -1) ? 0 : lua_gettop(L);
    lua_getiuservalue(L, 1, LRW_UV_ON_EVENT);
    le->events_idx = lua_isnil(L, -1) ? 0 : lua_gettop(L);
    le->err_idx = 0;
    le->L = L;
    le->busy = 1;
}

/* End it: re-raise what a callback raised, else raise @p st (with @p msg, or the engine's message). */
void lrw_call_end(lua_State *L, lrw_engine *le, rewards_status st, const char *msg)
{
    int err = le->err_idx;
    le->busy = 0;
    le->L = NULL;
    le->storage_idx = le->events_idx = le->err_idx = 0;
    if (err) {
        lua_pushvalue(L, err);
        lua_error(L);
    }
    if (st)
        lrw_raise(L, st, msg && *msg ? msg : rewards_engine_errmsg(le->engine));
}

static void free_engine(lua_State *L, lrw_engine *le, int idx)
{
    if (le->engine) {
        rewards_engine_free(le->engine);
        le->engine = NULL;
    }
    if (idx) {
        lua_pushnil(L);
        lua_setiuservalue(L, idx, LRW_UV_STORAGE);
        lua_pushnil(L);
        lua_setiuservalue(L, idx, LRW_UV_ON_EVENT);
    }
}

/* Create an engine from the options table at @p opts (0: none); leaves the userdata on the stack. */
static lrw_engine *new_engine(lua_State *L, int opts)
{
    rewards_options o;
    rewards_storage s;
    rewards_events ev;
    rewards_options_init(&o);
    lrw_engine *le = lua_newuserdatauv(L, sizeof *le, 2);
    memset(le, 0, sizeof *le);
    luaL_setmetatable(L, LRW_ENGINE_MT);
    int ud = lua_gettop(L);
    if (opts) {
        lua_pushnil(L);
        while (lua_next(L, opts)) {
            const char *k = lua_type(L, -2) == LUA_TSTRING ? lua_tostring(L, -2) : "";
            if (strcmp(k, "storage") && strcmp(k, "on_event") && strcmp(k, "traces"))
                lrw_raisef(L, REWARDS_INVALID_ARGUMENT, "unknown engine option '%s' (storage, on_event, traces)", k);
            lua_pop(L, 1);
        }
        /* traces = false: keep no calculation traces (docs/traces.md) */
        if (lua_getfield(L, opts, "traces") != LUA_TNIL) {
            if (!lua_isboolean(L, -1))
                lrw_raise(L, REWARDS_INVALID_ARGUMENT, "option 'traces' must be true or false");
            o.traces = lua_toboolean(L, -1) ? REWARDS_TRACES_ON : REWARDS_TRACES_OFF;
        }
        lua_pop(L, 1);
        if (lua_getfield(L, opts, "storage") != LUA_TNIL) {
            if (!lua_istable(L, -1) && !lua_isuserdata(L, -1))
                lrw_raise(L, REWARDS_INVALID_ARGUMENT, "option 'storage' must be a table of methods");
            rewards_storage_init(&s);
            lrw_storage_callbacks(&s, le);
            o.storage = &s;
        }
        lua_setiuservalue(L, ud, LRW_UV_STORAGE);
        if (lua_getfield(L, opts, "on_event") != LUA_TNIL) {
            if (!lua_isfunction(L, -1) && !luaL_getmetafield(L, -1, "__call"))
                lrw_raise(L, REWARDS_INVALID_ARGUMENT, "option 'on_event' must be callable");
            lua_settop(L, ud + 1);
            rewards_events_init(&ev);
            lrw_events_callbacks(&ev, le);
            o.events = &ev;
        }
        lua_setiuservalue(L, ud, LRW_UV_ON_EVENT);
    }
    rewards_status st = rewards_engine_new(&le->engine, &o);
    if (st)
        lrw_raise(L, st, "rewards_engine_new failed");
    return le;
}

/* rewards.engine([{storage = obj, on_event = fn}]) */
static int l_engine(lua_State *L)
{
    int opts = 0;
    if (!lua_isnoneornil(L, 1)) {
        luaL_checktype(L, 1, LUA_TTABLE);
        opts = 1;
    }
    new_engine(L, opts);
    return 1;
}

static int record_kind(lua_State *L, int idx, rewards_record_kind *out)
{
    if (lua_isinteger(L, idx)) {
        *out = (rewards_record_kind)lua_tointeger(L, idx);
        return 1;
    }
    if (lua_type(L, idx) != LUA_TSTRING)
        return 0;
    const char *name = lua_tostring(L, idx);
    for (int k = 0; k < 64; k++) {
        if (!strcmp(rewards_record_kind_name((rewards_record_kind)k), name) && strcmp(name, "unknown")) {
            *out = (rewards_record_kind)k;
            return 1;
        }
    }
    return 0;
}

/*
 * rewards.restore(records [, options]): a new engine from saved records.
 * records: any table whose values are {kind = "deal" (or its number), data = "..."}
 * (key may be there too and is ignored), in any order.
 */
static int l_restore(lua_State *L)
{
    luaL_checktype(L, 1, LUA_TTABLE);
    int opts = 0;
    if (!lua_isnoneornil(L, 2)) {
        luaL_checktype(L, 2, LUA_TTABLE);
        opts = 2;
    }
    lua_settop(L, 2);
    lrw_engine *le = new_engine(L, opts);
    int ud = lua_gettop(L);
    rewards_status st = REWARDS_OK;
    char msg[256] = "";
    lua_pushnil(L);
    while (!st && lua_next(L, 1)) {
        rewards_record_kind kind;
        int ok = 0;
        if (lua_istable(L, -1)) {
            lua_getfield(L, -1, "kind");
            lua_getfield(L, -2, "data");
            if (lua_type(L, -1) == LUA_TSTRING && record_kind(L, -2, &kind)) {
                size_t size;
                const char *data = lua_tolstring(L, -1, &size);
                st = rewards_engine_restore(le->engine, kind, data, size);
                ok = 1;
            }
            lua_pop(L, 2);
        }
        if (!ok) {
            st = REWARDS_INVALID_ARGUMENT;
            snprintf(msg, sizeof msg, "a record must be a table {kind = name or number, data = string}");
        }
        lua_pop(L, 1);
    }
    if (!st)
        st = rewards_engine_restore_finish(le->engine);
    if (st) {
        if (!*msg)
            snprintf(msg, sizeof msg, "%s", rewards_engine_errmsg(le->engine));
        free_engine(L, le, ud);
        lrw_raise(L, st, msg);
    }
    lua_settop(L, ud);
    return 1;
}

/* e:apply(kind, fields) or e:apply{op = kind, ...} */
static int l_apply(lua_State *L)
{
    lrw_engine *le = lrw_live(L, 1);
    const char *kind;
    size_t kind_len;
    int fields = 0, skip_op = 0;
    if (lua_istable(L, 2) && lua_isnoneornil(L, 3)) {
        fields = 2;
        skip_op = 1;
        lua_settop(L, 2);
        lua_getfield(L, 2, "op"); /* at 3 */
    } else if (!lua_isnoneornil(L, 3)) {
        if (!lua_istable(L, 3))
            lrw_raise(L, REWARDS_INVALID_ARGUMENT, "the fields must be a table");
        fields = 3;
    }
    if (lua_type(L, fields == 2 ? 3 : 2) != LUA_TSTRING)
        lrw_raise(L, REWARDS_INVALID_ARGUMENT, "field 'op' must be a string naming the operation");
    kind = lua_tolstring(L, fields == 2 ? 3 : 2, &kind_len);
    if (strlen(kind) != kind_len)
        lrw_raise(L, REWARDS_INVALID_ARGUMENT, "field 'op' contains a NUL byte");

    lrw_call_begin(L, le);
    rewards_op *op = NULL;
    char msg[512] = "";
    rewards_status st = rewards_op_new(le->engine, &op, kind);
    if (st)
        snprintf(msg, sizeof msg, "cannot start operation '%s'", kind);
    else if (fields)
        st = lrw_set_fields(L, op, fields, skip_op, msg, sizeof msg);
    if (!st) {
        msg[0] = '\0';
        st = rewards_engine_apply(le->engine, op);
    }
    rewards_op_free(op);
    lrw_call_end(L, le, st, msg);
    return 0;
}

/* ---- life cycle --------------------------------------------------------- */

static int l_close(lua_State *L)
{
    lrw_engine *le = luaL_checkudata(L, 1, LRW_ENGINE_MT);
    if (le->busy)
        lrw_raise(L, REWARDS_MISUSE, "close() called from one of the engine's callbacks");
    free_engine(L, le, 1);
    return 0;
}

static int l_gc(lua_State *L)
{
    lrw_engine *le = luaL_checkudata(L, 1, LRW_ENGINE_MT);
    free_engine(L, le, 0);
    return 0;
}

/* __close: like close(), but a callback's to-be-closed variable leaves a busy engine to __gc. */
static int l_close_tbc(lua_State *L)
{
    lrw_engine *le = luaL_checkudata(L, 1, LRW_ENGINE_MT);
    if (!le->busy)
        free_engine(L, le, 1);
    return 0;
}

static int l_closed(lua_State *L)
{
    lrw_engine *le = luaL_checkudata(L, 1, LRW_ENGINE_MT);
    lua_pushboolean(L, le->engine == NULL);
    return 1;
}

static int l_tostring(lua_State *L)
{
    lrw_engine *le = luaL_checkudata(L, 1, LRW_ENGINE_MT);
    if (le->engine)
        lua_pushfstring(L, "rewards.engine (%p)", (void *)le);
    else
        lua_pushliteral(L, "rewards.engine (closed)");
    return 1;
}

/* ---- the module --------------------------------------------------------- */

/* The engine's methods; the read-only ones are lrw_query_methods (lua_queries.c). */
static const luaL_Reg engine_methods[] = {
    { "apply", l_apply },
    { "close", l_close },
    { "closed", l_closed },
    { NULL, NULL },
};

static const luaL_Reg module_functions[] = {
    { "engine", l_engine },
    { "restore", l_restore },
    { NULL, NULL },
};

int luaopen_rewards(lua_State *L);

int luaopen_rewards(lua_State *L)
{
    if (luaL_newmetatable(L, LRW_ENGINE_MT)) {
        luaL_newlib(L, engine_methods);
        luaL_setfuncs(L, lrw_query_methods, 0);
        luaL_setfuncs(L, lrw_listing_methods, 0);
        luaL_setfuncs(L, lrw_batch_methods, 0);
        luaL_setfuncs(L, lrw_trace_methods, 0);
        lua_setfield(L, -2, "__index");
        lua_pushcfunction(L, l_gc);
        lua_setfield(L, -2, "__gc");
        lua_pushcfunction(L, l_close_tbc);
        lua_setfield(L, -2, "__close");
        lua_pushcfunction(L, l_tostring);
        lua_setfield(L, -2, "__tostring");
    }
    lua_pop(L, 1);
    if (luaL_newmetatable(L, LRW_ERROR_MT)) {
        lua_pushcfunction(L, error_tostring);
        lua_setfield(L, -2, "__tostring");
    }
    lua_pop(L, 1);
    lua_newtable(L);
    lua_pushliteral(L, "rewards.array");
    lua_setfield(L, -2, "__name");
    lua_rawsetp(L, LUA_REGISTRYINDEX, lrw_array_key());
    lrw_register_out_buf(L);
    lrw_register_batch(L);
    lrw_register_trace(L);

    luaL_newlib(L, module_functions);
    luaL_setfuncs(L, lrw_helper_functions, 0);
    lua_pushlightuserdata(L, NULL);
    lua_setfield(L, -2, "null");
    lua_pushstring(L, rewards_version_string());
    lua_setfield(L, -2, "_LIBRARY_VERSION");
    return 1;
}
