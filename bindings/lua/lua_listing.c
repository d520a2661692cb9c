/*
 * lua_listing.c - the 1.1 listing in Lua: iterators over programs, levels,
 * rewards, partners, users, deals (all, or a partner's) and payout runs,
 * lookups of programs, levels and rewards, and a reward's parameters.
 *
 *   for p in e:partners() do print(p.id) end
 *   for d in e:deals("acme") do print(d.id, d.amount_text, d.currency) end
 *   e:reward_param("gold-10", "rate")   --> "10%" (nil when it has none)
 *
 * Iterators step by index as the C API lists (docs/c-api-listing.md): an
 * item appended while iterating is seen once, at the end; a closed engine
 * raises misuse at the next step.  Each item is a fresh table (lua_objects.c).
 */
#include "rewards_lua.h"

#include <string.h>

typedef const void *(*item_fn)(const void *owner, size_t index);
typedef void (*push_fn)(lua_State *L, const void *item);

/* The engine listings, with the C types erased for one iterator. */
static const void *program_at(const void *e, size_t i) { return rewards_engine_program(e, i); }
static const void *level_at(const void *e, size_t i) { return rewards_engine_level(e, i); }
static const void *reward_at(const void *e, size_t i) { return rewards_engine_reward(e, i); }
static const void *partner_at(const void *e, size_t i) { return rewards_engine_partner(e, i); }
static const void *user_at(const void *e, size_t i) { return rewards_engine_user(e, i); }
static const void *deal_at(const void *e, size_t i) { return rewards_engine_deal(e, i); }
static const void *payout_at(const void *e, size_t i) { return rewards_engine_payout(e, i); }
static const void *partner_deal_at(const void *p, size_t i) { return rewards_partner_deal(p, i); }

static void push_program(lua_State *L, const void *x) { lrw_push_program(L, x); }
static void push_level(lua_State *L, const void *x) { lrw_push_level(L, x); }
static void push_reward(lua_State *L, const void *x) { lrw_push_reward(L, x); }
static void push_partner(lua_State *L, const void *x) { lrw_push_partner(L, x); }
static void push_user(lua_State *L, const void *x) { lrw_push_user(L, x); }
static void push_deal(lua_State *L, const void *x) { lrw_push_deal(L, x); }
static void push_payout(lua_State *L, const void *x) { lrw_push_payout(L, x); }

/* What an iterator lists: items of the engine or of an owner, and how each is pushed. */
enum { L_PROGRAM, L_LEVEL, L_REWARD, L_PARTNER, L_USER, L_DEAL, L_PAYOUT, L_PARTNER_DEAL };
static const struct {
    item_fn at;
    push_fn push;
} lists[] = {
    { program_at, push_program }, { level_at, push_level }, { reward_at, push_reward },
    { partner_at, push_partner }, { user_at, push_user },   { deal_at, push_deal },
    { payout_at, push_payout },   { partner_deal_at, push_deal },
};

/* upvalues: the engine userdata, the next index, the list (L_*), the owning
 * partner's id (nil: the engine).  The partner is found again at each step:
 * one made in a batch that was rolled back is gone, and a handle kept from
 * before would be freed memory. */
static int list_next(lua_State *L)
{
    lrw_engine *le = lua_touserdata(L, lua_upvalueindex(1));
    lua_Integer i = lua_tointeger(L, lua_upvalueindex(2));
    int list = (int)lua_tointeger(L, lua_upvalueindex(3));
    const char *owner_id = lua_tostring(L, lua_upvalueindex(4));
    if (!le->engine)
        return lrw_raise(L, REWARDS_MISUSE, "the engine is closed");
    const void *owner = NULL;
    if (owner_id && !(owner = rewards_engine_find_partner(le->engine, owner_id)))
        return lrw_raisef(L, REWARDS_NOT_FOUND, "partner '%s' no longer exists", owner_id);
    const void *item = lists[list].at(owner ? owner : (const void *)le->engine, (size_t)i);
    if (!item)
        return 0;
    lua_pushinteger(L, i + 1);
    lua_replace(L, lua_upvalueindex(2));
    lists[list].push(L, item);
    return 1;
}

/* id_arg: the stack index of the owning partner's id, 0 for the engine's list */
static int iterate(lua_State *L, int list, int id_arg)
{
    lua_pushvalue(L, 1);
    lua_pushinteger(L, 0);
    lua_pushinteger(L, list);
    if (id_arg)
        lua_pushvalue(L, id_arg);
    else
        lua_pushnil(L);
    lua_pushcclosure(L, list_next, 4);
    return 1;
}

#define LISTER(name, list)                            \
    static int name(lua_State *L)                     \
    {                                                 \
        lrw_live(L, 0);                               \
        return iterate(L, list, 0);                \
    }
LISTER(l_programs, L_PROGRAM)
LISTER(l_levels, L_LEVEL)
LISTER(l_rewards, L_REWARD)
LISTER(l_partners, L_PARTNER)
LISTER(l_users, L_USER)
LISTER(l_payouts, L_PAYOUT)

/* e:deals() every deal; e:deals(partner_id) that partner's (not_found for an unknown one) */
static int l_deals(lua_State *L)
{
    lrw_engine *le = lrw_live(L, 0);
    if (lua_isnoneornil(L, 2))
        return iterate(L, L_DEAL, 0);
    const char *id = lrw_checktext(L, 2);
    const rewards_partner *p = rewards_engine_find_partner(le->engine, id);
    if (!p)
        return lrw_raisef(L, REWARDS_NOT_FOUND, "partner '%s' does not exist", id);
    return iterate(L, L_PARTNER_DEAL, 2);
}

static int l_program(lua_State *L)
{
    lrw_engine *le = lrw_live(L, 0);
    lrw_push_program(L, rewards_engine_find_program(le->engine, lrw_checktext(L, 2)));
    return 1;
}

static int l_level(lua_State *L)
{
    lrw_engine *le = lrw_live(L, 0);
    lrw_push_level(L, rewards_engine_find_level(le->engine, lrw_checktext(L, 2)));
    return 1;
}

static int l_reward(lua_State *L)
{
    lrw_engine *le = lrw_live(L, 0);
    lrw_push_reward(L, rewards_engine_find_reward(le->engine, lrw_checktext(L, 2)));
    return 1;
}

/* e:reward_param(reward_id, path) -> text, or nil when the reward has no such field */
static int l_reward_param(lua_State *L)
{
    lrw_engine *le = lrw_live(L, 0);
    const char *id = lrw_checktext(L, 2), *path = lrw_checktext(L, 3);
    const rewards_reward *r = rewards_engine_find_reward(le->engine, id);
    if (!r)
        return lrw_raisef(L, REWARDS_NOT_FOUND, "reward '%s' does not exist", id);
    lrw_push_reward_param(L, r, path);
    return 1;
}

const luaL_Reg lrw_listing_methods[] = {
    { "programs", l_programs },
    { "levels", l_levels },
    { "rewards", l_rewards },
    { "partners", l_partners },
    { "users", l_users },
    { "deals", l_deals },
    { "payouts", l_payouts },
    { "program", l_program },
    { "level", l_level },
    { "reward", l_reward },
    { "reward_param", l_reward_param },
    { NULL, NULL },
};
