/*
 * rewards_lua.h - what the files of the Lua module share: the engine
 * userdata, error raising, and the entry points of each file.
 *
 * rewards_lua.c    the module table, the engine userdata: life cycle, apply, restore
 * lua_queries.c    the read methods: exports, balance, entries, lookups
 * lua_helpers.c    engine-less functions: times, amounts, conditions, version
 * lua_op.c         Lua values to rewards_op fields
 * lua_callbacks.c  storage and event callbacks calling Lua
 * lua_objects.c    entries, deals, ... and events as Lua tables
 * lua_listing.c    iterators over programs, levels, rewards, partners, users, deals, payout runs
 * lua_traces.c     calculation traces as tables, statements and holds
 */
#ifndef REWARDS_LUA_H
#define REWARDS_LUA_H

#include <lauxlib.h>
#include <lua.h>
#include <rewards.h>

#define LRW_ENGINE_MT "rewards.engine"
#define LRW_ERROR_MT "rewards.error"

/* User values of the engine userdata. */
#define LRW_UV_STORAGE 1 /* the storage object, or nil */
#define LRW_UV_ON_EVENT 2 /* the event function, or nil */

typedef struct lrw_engine {
    rewards_engine *engine; /* NULL once closed */
    lua_State *L;           /* the thread of the C call in progress, for callbacks */
    int busy;               /* in a C call that may run callbacks */
    int storage_idx;        /* during a call: stack index of the storage object (0: none) */
    int events_idx;         /* during a call: stack index of on_event (0: none) */
    int err_idx;            /* during a call: stack index of the first error a callback raised (0: none) */
} lrw_engine;

/* The engine at stack index 1, open (else raise misuse); @p mutating: not inside one of its callbacks. */
lrw_engine *lrw_live(lua_State *L, int mutating);
/*
 * Around a C call that may run callbacks: push the callback targets and mark
 * the engine busy; then re-raise what a callback raised, else raise @p st
 * (with @p msg, or the engine's message).  Nothing between the two may raise.
 */
void lrw_call_begin(lua_State *L, lrw_engine *le);
void lrw_call_end(lua_State *L, lrw_engine *le, rewards_status st, const char *msg);

/* Method and function tables of lua_queries.c and lua_helpers.c. */
extern const luaL_Reg lrw_query_methods[];
extern const luaL_Reg lrw_helper_functions[];
/* Register the metatable of export buffers (at module load). */
void lrw_register_out_buf(lua_State *L);
/* Batches (lua_batch.c): the engine's batch methods, and the batch object's metatable. */
extern const luaL_Reg lrw_batch_methods[];
void lrw_register_batch(lua_State *L);

/* Raise a librewards error: a table {code=, message=, status=} with LRW_ERROR_MT. */
int lrw_raise(lua_State *L, rewards_status status, const char *message);
/* lrw_raise() with a printf-style message. */
int lrw_raisef(lua_State *L, rewards_status status, const char *fmt, ...);
/* Argument arg as a C string: invalid_argument when it holds a NUL byte (the
 * C string would end there and name something else: "acme\0x" is not "acme"). */
const char *lrw_checktext(lua_State *L, int arg);
/* The same, NULL when absent or nil. */
const char *lrw_opttext(lua_State *L, int arg);

/*
 * Set the field @p path of @p op from the Lua value at @p idx.  Never
 * raises a Lua error (the op must be freed first): returns a status and
 * writes a message into @p msg.
 */
rewards_status lrw_set_value(lua_State *L, rewards_op *op, const char *path, int idx, int depth, char *msg,
                             size_t msg_size);
/* Registry key (lua_rawsetp) of the metatable marking a table as a list (rewards.array()). */
const void *lrw_array_key(void);
/* Fill every field of @p op from the table at @p idx (skipping "op" when @p skip_op). */
rewards_status lrw_set_fields(lua_State *L, rewards_op *op, int idx, int skip_op, char *msg, size_t msg_size);

/* The C callback tables for an engine whose Lua options have storage / on_event. */
void lrw_storage_callbacks(rewards_storage *s, lrw_engine *le);
void lrw_events_callbacks(rewards_events *ev, lrw_engine *le);

/* Push a table describing a handle; nil for NULL. */
void lrw_push_entry(lua_State *L, const rewards_entry *entry);
void lrw_push_deal(lua_State *L, const rewards_deal *deal);
void lrw_push_partner(lua_State *L, const rewards_partner *partner);
void lrw_push_user(lua_State *L, const rewards_user *user);
void lrw_push_payout(lua_State *L, const rewards_payout *payout);
void lrw_push_event(lua_State *L, const rewards_event *event);
void lrw_push_program(lua_State *L, const rewards_program *program);
void lrw_push_level(lua_State *L, const rewards_level *level);
void lrw_push_reward(lua_State *L, const rewards_reward *reward);
/* Push a reward's field as text (rewards_reward_param), or nil when it has none. */
void lrw_push_reward_param(lua_State *L, const rewards_reward *reward, const char *path);
/* The listing methods (lua_listing.c). */
extern const luaL_Reg lrw_listing_methods[];
/* Traces, statements and holds (lua_traces.c): the methods, and the metatable of a trace box. */
extern const luaL_Reg lrw_trace_methods[];
void lrw_register_trace(lua_State *L);
/* The export buffer of lua_queries.c, for other files' exports. */
typedef struct lrw_out lrw_out;
/* Push a new buffer (freed by the collector) and return it; lrw_out_write is its rewards_write_fn. */
lrw_out *lrw_out_new(lua_State *L);
int lrw_out_write(void *user, const char *data, size_t size);
/* Whether a write ran out of memory. */
int lrw_out_oom(const lrw_out *b);
/* Push its contents as a string and free them (returns lrw_out_oom()). */
int lrw_out_push(lua_State *L, lrw_out *b);
/* Push a C string or nil. */
void lrw_push_str(lua_State *L, const char *s);

#endif
