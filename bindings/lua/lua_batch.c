/*
 * lua_batch.c - batches (docs/batches.md) in the Lua module.
 *
 *   local b <close> = e:batch()     -- begin; b is a to-be-closed batch object
 *   e:apply(...)                    -- operations inside the batch
 *   b:commit()                      -- or b:rollback()
 *
 * Leaving the scope of b without commit() rolls the batch back, whether by
 * an error or normally: committing must be said.  e:begin(), e:commit(),
 * e:rollback() and e:in_batch() are the plain calls.  Errors are raised as
 * every other call's (begin twice, commit with no batch: misuse).
 */
#include "rewards_lua.h"

#define LRW_BATCH_MT "rewards.batch"

typedef struct lrw_batch {
    int done; /* committed or rolled back through this object */
} lrw_batch;

typedef rewards_status (*batch_fn)(rewards_engine *);

/* Call fn on the engine at stack index 1. */
static void engine_call(lua_State *L, batch_fn fn)
{
    lrw_engine *le = lrw_live(L, 1);
    lrw_call_begin(L, le);
    rewards_status st = fn(le->engine);
    lrw_call_end(L, le, st, NULL);
}

static int l_begin(lua_State *L)
{
    lua_settop(L, 1);
    engine_call(L, rewards_engine_begin);
    return 0;
}

static int l_commit(lua_State *L)
{
    lua_settop(L, 1);
    engine_call(L, rewards_engine_commit);
    return 0;
}

static int l_rollback(lua_State *L)
{
    lua_settop(L, 1);
    engine_call(L, rewards_engine_rollback);
    return 0;
}

static int l_in_batch(lua_State *L)
{
    lrw_engine *le = lrw_live(L, 0);
    lua_pushboolean(L, rewards_engine_in_batch(le->engine));
    return 1;
}

/* e:batch(): begin, and return the batch object (its user value is the engine). */
static int l_batch(lua_State *L)
{
    lua_settop(L, 1);
    engine_call(L, rewards_engine_begin);
    lrw_batch *b = lua_newuserdatauv(L, sizeof *b, 1);
    b->done = 0;
    lua_pushvalue(L, 1);
    lua_setiuservalue(L, -2, 1);
    luaL_setmetatable(L, LRW_BATCH_MT);
    return 1;
}

/* Replace the batch object at index 1 by its engine; the batch stays reachable. */
static lrw_batch *batch_engine(lua_State *L)
{
    lrw_batch *b = luaL_checkudata(L, 1, LRW_BATCH_MT);
    lua_settop(L, 1);
    lua_getiuservalue(L, 1, 1);
    lua_insert(L, 1); /* engine at 1, batch at 2 */
    return b;
}

static int b_commit(lua_State *L)
{
    lrw_batch *b = batch_engine(L);
    if (b->done)
        lrw_raise(L, REWARDS_MISUSE, "this batch was already committed or rolled back");
    b->done = 1; /* commit closes the batch whatever it returns */
    engine_call(L, rewards_engine_commit);
    return 0;
}

static int b_rollback(lua_State *L)
{
    lrw_batch *b = batch_engine(L);
    if (b->done)
        lrw_raise(L, REWARDS_MISUSE, "this batch was already committed or rolled back");
    b->done = 1;
    engine_call(L, rewards_engine_rollback);
    return 0;
}

/* __close: roll back unless committed.  Never raises (it may run while an
 * error unwinds): a closed engine has rolled its batch back already. */
static int b_close(lua_State *L)
{
    lrw_batch *b = batch_engine(L);
    lrw_engine *le = luaL_testudata(L, 1, LRW_ENGINE_MT);
    if (b->done || !le || !le->engine || le->busy || !rewards_engine_in_batch(le->engine))
        return 0;
    b->done = 1;
    /* a rollback runs no callback and cannot fail with a batch open: no call_begin/end,
     * whose end could raise */
    (void)rewards_engine_rollback(le->engine);
    return 0;
}

const luaL_Reg lrw_batch_methods[] = {
    { "begin", l_begin },
    { "commit", l_commit },
    { "rollback", l_rollback },
    { "in_batch", l_in_batch },
    { "batch", l_batch },
    { NULL, NULL },
};

static const luaL_Reg batch_object_methods[] = {
    { "commit", b_commit },
    { "rollback", b_rollback },
    { NULL, NULL },
};

void lrw_register_batch(lua_State *L)
{
    if (luaL_newmetatable(L, LRW_BATCH_MT)) {
        luaL_newlib(L, batch_object_methods);
        lua_setfield(L, -2, "__index");
        lua_pushcfunction(L, b_close);
        lua_setfield(L, -2, "__close");
    }
    lua_pop(L, 1);
}
