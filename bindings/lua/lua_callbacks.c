/*
 * lua_callbacks.c - the storage and event callbacks of an engine, in Lua.
 *
 * A Lua error must never unwind through the library's frames: every call
 * into Lua runs under lua_pcall.  The C callback (running inside, say,
 * rewards_engine_apply() called from the engine's apply method) pushes only
 * things that need no allocation - a C function, a light userdata and a
 * copy of a stack slot - and lets the protected function do the rest.
 *
 * When the Lua code raises, the error value stays on the stack of the
 * method's frame (its index is remembered in lrw_engine.err_idx; later
 * errors of the same call are dropped), the callback returns failure, and
 * the method raises that same value once the C call has returned: the
 * convention "store the exception, return failure, re-raise after the C
 * call" (pygit2's pattern).  For storage, the engine has by then rolled
 * back and changed nothing.  An event callback's error is raised after the
 * operation committed; the operation's other events are still delivered.
 *
 * The storage object and the on_event function are the engine's user
 * values; during a call the method has pushed them on its stack
 * (lrw_engine.storage_idx, events_idx), so no registry reference ties the
 * engine's life to theirs.
 */
#include "rewards_lua.h"

#include <string.h>

typedef struct call_args {
    const char *method;         /* storage method; unused for events */
    int nargs;                  /* 0 (begin, commit, rollback), 2 (delete) or 3 (put) */
    rewards_record_kind kind;
    const char *key;
    const void *data;
    size_t size;
    const rewards_event *event;
} call_args;

/* Protected: [1] light userdata call_args, [2] the storage object. */
static int storage_body(lua_State *L)
{
    const call_args *a = lua_touserdata(L, 1);
    if (lua_getfield(L, 2, a->method) == LUA_TNIL)
        return 0; /* the host gave no such method: nothing to do, success */
    lua_pushvalue(L, 2);
    if (a->nargs >= 2) {
        const char *name = rewards_record_kind_name(a->kind);
        if (strcmp(name, "unknown"))
            lua_pushstring(L, name);
        else
            lua_pushinteger(L, (lua_Integer)a->kind); /* a kind a newer library knows */
        lua_pushstring(L, a->key);
    }
    if (a->nargs >= 3)
        lua_pushlstring(L, a->data, a->size);
    lua_call(L, 1 + a->nargs, 0);
    return 0;
}

/* Protected: [1] light userdata call_args, [2] the on_event function. */
static int event_body(lua_State *L)
{
    const call_args *a = lua_touserdata(L, 1);
    lua_pushvalue(L, 2);
    lrw_push_event(L, a->event);
    lua_call(L, 1, 0);
    return 0;
}

static int run_protected(lrw_engine *le, lua_CFunction body, int target_idx, call_args *a)
{
    lua_State *L = le->L;
    if (!L || !le->busy || !target_idx || !lua_checkstack(L, 4))
        return -1;
    lua_pushcfunction(L, body);
    lua_pushlightuserdata(L, a);
    lua_pushvalue(L, target_idx);
    if (lua_pcall(L, 2, 0, 0) == LUA_OK)
        return 0;
    if (!le->err_idx)
        le->err_idx = lua_gettop(L); /* keep the first error where it is */
    else
        lua_pop(L, 1);
    return -1;
}

static int storage_call(lrw_engine *le, const char *method)
{
    call_args a = { method, 0, REWARDS_RECORD_META, NULL, NULL, 0, NULL };
    return run_protected(le, storage_body, le->storage_idx, &a);
}

static int cb_begin(void *user)
{
    return storage_call(user, "begin");
}

static int cb_commit(void *user)
{
    return storage_call(user, "commit");
}

static int cb_rollback(void *user)
{
    return storage_call(user, "rollback");
}

static int cb_put(void *user, rewards_record_kind kind, const char *key, const void *data, size_t size)
{
    lrw_engine *le = user;
    call_args a = { "put", 3, kind, key, data, size, NULL };
    return run_protected(le, storage_body, le->storage_idx, &a);
}

static int cb_del(void *user, rewards_record_kind kind, const char *key)
{
    lrw_engine *le = user;
    call_args a = { "delete", 2, kind, key, NULL, 0, NULL };
    return run_protected(le, storage_body, le->storage_idx, &a);
}

static void cb_event(void *user, const rewards_event *event)
{
    lrw_engine *le = user;
    call_args a = { NULL, 0, REWARDS_RECORD_META, NULL, NULL, 0, event };
    (void)run_protected(le, event_body, le->events_idx, &a);
}

void lrw_storage_callbacks(rewards_storage *s, lrw_engine *le)
{
    s->begin = cb_begin;
    s->put = cb_put;
    s->del = cb_del;
    s->commit = cb_commit;
    s->rollback = cb_rollback;
    s->user = le;
}

void lrw_events_callbacks(rewards_events *ev, lrw_engine *le)
{
    ev->on_event = cb_event;
    ev->user = le;
}
