/*
 * lua_objects.c - engine objects and events as plain Lua tables.
 *
 * A handle is borrowed and its strings change with the object, so each is
 * copied into a new table when it is read; the table stays valid after the
 * engine is closed.  Amounts are integers in minor units, with the decimal
 * text beside them (amount_text), times integers in UTC seconds.
 */
#include "rewards_lua.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void lrw_push_str(lua_State *L, const char *s)
{
    if (s)
        lua_pushstring(L, s);
    else
        lua_pushnil(L);
}

static void set_str(lua_State *L, const char *name, const char *value)
{
    lrw_push_str(L, value);
    lua_setfield(L, -2, name);
}

static void set_int(lua_State *L, const char *name, int64_t value)
{
    lua_pushinteger(L, (lua_Integer)value);
    lua_setfield(L, -2, name);
}

/* name = seconds, name_text = "YYYY-MM-DDTHH:MM:SSZ" */
static void set_time(lua_State *L, const char *name, int64_t at)
{
    char text[32], key[64];
    set_int(L, name, at);
    if (rewards_time_format(at, text, sizeof text) == REWARDS_OK) {
        snprintf(key, sizeof key, "%s_text", name);
        set_str(L, key, text);
    }
}

static void set_amount(lua_State *L, int64_t amount, const char *currency)
{
    char text[32];
    set_int(L, "amount", amount);
    if (currency && rewards_amount_format(amount, currency, text, sizeof text) == REWARDS_OK)
        set_str(L, "amount_text", text);
}

void lrw_push_entry(lua_State *L, const rewards_entry *e)
{
    char when[32];
    if (!e) {
        lua_pushnil(L);
        return;
    }
    lua_createtable(L, 0, 16);
    set_int(L, "number", (int64_t)rewards_entry_number(e));
    set_str(L, "type", rewards_entry_type(e));
    set_str(L, "reward", rewards_reward_id(rewards_entry_reward(e)));
    set_str(L, "deal", rewards_deal_id(rewards_entry_deal(e)));
    set_str(L, "partner", rewards_partner_id(rewards_entry_partner(e)));
    set_str(L, "recipient_type", rewards_entry_recipient_type(e));
    set_str(L, "recipient", rewards_entry_recipient(e));
    set_amount(L, rewards_entry_amount(e), rewards_entry_currency(e));
    set_str(L, "currency", rewards_entry_currency(e));
    set_str(L, "status", rewards_entry_status(e));
    set_str(L, "reason", rewards_entry_reason(e));
    set_str(L, "period", rewards_entry_period(e));
    set_int(L, "earned_at", rewards_entry_earned_at(e));
    if (rewards_time_format(rewards_entry_earned_at(e), when, sizeof when) == REWARDS_OK)
        set_str(L, "earned_at_text", when);
    set_str(L, "payout", rewards_payout_id(rewards_entry_payout(e)));
    set_str(L, "note", rewards_entry_note(e)); /* manual entries only (nil otherwise) */
    set_str(L, "line", rewards_entry_line(e));
}

void lrw_push_deal(lua_State *L, const rewards_deal *d)
{
    if (!d) {
        lua_pushnil(L);
        return;
    }
    lua_createtable(L, 0, 5);
    set_str(L, "id", rewards_deal_id(d));
    set_str(L, "partner", rewards_partner_id(rewards_deal_partner(d)));
    set_str(L, "user", rewards_user_id(rewards_deal_user(d)));
    set_str(L, "stage", rewards_deal_stage(d));
    set_amount(L, rewards_deal_amount(d), rewards_deal_currency(d));
    set_str(L, "currency", rewards_deal_currency(d));
    set_int(L, "units", rewards_deal_units(d));
    set_time(L, "registered_at", rewards_deal_registered_at(d));
    /* lines = { {id =, product =, amount =, amount_text =, cost =, cost_text =, units =}, ... } */
    size_t n = rewards_deal_line_count(d);
    const char *currency = rewards_deal_currency(d);
    lua_createtable(L, (int)(n < 1000000 ? n : 0), 0);
    for (size_t i = 0; i < n; i++) {
        const rewards_deal_line *line = rewards_deal_line_at(d, i);
        char text[32];
        lua_createtable(L, 0, 7);
        set_str(L, "id", rewards_deal_line_id(line));
        set_str(L, "product", rewards_deal_line_product(line));
        set_amount(L, rewards_deal_line_amount(line), currency);
        set_int(L, "cost", rewards_deal_line_cost(line));
        if (rewards_amount_format(rewards_deal_line_cost(line), currency, text, sizeof text) == REWARDS_OK)
            set_str(L, "cost_text", text);
        set_int(L, "units", rewards_deal_line_units(line));
        lua_rawseti(L, -2, (lua_Integer)i + 1);
    }
    lua_setfield(L, -2, "lines");
}

void lrw_push_partner(lua_State *L, const rewards_partner *p)
{
    if (!p) {
        lua_pushnil(L);
        return;
    }
    lua_createtable(L, 0, 3);
    set_str(L, "id", rewards_partner_id(p));
    set_str(L, "name", rewards_partner_name(p));
    set_str(L, "level", rewards_level_id(rewards_partner_level(p)));
    set_str(L, "program", rewards_program_id(rewards_partner_program(p)));
    set_str(L, "parent", rewards_partner_id(rewards_partner_parent(p)));
}

void lrw_push_user(lua_State *L, const rewards_user *u)
{
    if (!u) {
        lua_pushnil(L);
        return;
    }
    lua_createtable(L, 0, 4);
    set_str(L, "id", rewards_user_id(u));
    set_str(L, "name", rewards_user_name(u));
    set_str(L, "partner", rewards_partner_id(rewards_user_partner(u)));
    lua_pushboolean(L, rewards_user_portal_access(u));
    lua_setfield(L, -2, "portal_access");
}

void lrw_push_payout(lua_State *L, const rewards_payout *p)
{
    if (!p) {
        lua_pushnil(L);
        return;
    }
    size_t n = rewards_payout_line_count(p);
    lua_createtable(L, 0, 6);
    set_str(L, "id", rewards_payout_id(p));
    set_time(L, "at", rewards_payout_at(p));
    set_time(L, "until", rewards_payout_until(p));
    /* totals[currency] = minor units; totals_text[currency] = "1200.00" (a run may pay several currencies) */
    lua_createtable(L, 0, 1);
    lua_createtable(L, 0, 1);
    for (size_t i = 0; i < rewards_payout_currency_count(p); i++) {
        const char *cur = rewards_payout_currency(p, i);
        int64_t total;
        char text[32];
        if (rewards_payout_total(p, cur, &total) != REWARDS_OK)
            continue; /* beyond 64 bits: left out rather than wrong */
        lua_pushinteger(L, (lua_Integer)total);
        lua_setfield(L, -3, cur);
        if (rewards_amount_format(total, cur, text, sizeof text) == REWARDS_OK) {
            lua_pushstring(L, text);
            lua_setfield(L, -2, cur);
        }
    }
    lua_setfield(L, -3, "totals_text");
    lua_setfield(L, -2, "totals");
    lua_createtable(L, (int)(n < 1000000 ? n : 0), 0);
    for (size_t i = 0; i < n; i++) {
        const rewards_payout_line *line = rewards_payout_line_at(p, i);
        lua_createtable(L, 0, 6);
        set_str(L, "recipient_type", rewards_payout_line_recipient_type(line));
        set_str(L, "recipient", rewards_payout_line_recipient(line));
        set_amount(L, rewards_payout_line_amount(line), rewards_payout_line_currency(line));
        set_str(L, "currency", rewards_payout_line_currency(line));
        set_int(L, "entries", rewards_payout_line_entries(line));
        set_str(L, "partner", rewards_partner_id(rewards_payout_line_partner(line)));
        set_str(L, "user", rewards_user_id(rewards_payout_line_user(line)));
        set_str(L, "payout", rewards_payout_id(rewards_payout_line_payout(line)));
        lua_rawseti(L, -2, (lua_Integer)i + 1);
    }
    lua_setfield(L, -2, "lines");
}

void lrw_push_program(lua_State *L, const rewards_program *p)
{
    if (!p) {
        lua_pushnil(L);
        return;
    }
    lua_createtable(L, 0, 3);
    set_str(L, "id", rewards_program_id(p));
    set_str(L, "name", rewards_program_name(p));
    set_str(L, "currency", rewards_program_currency(p));
}

void lrw_push_level(lua_State *L, const rewards_level *l)
{
    if (!l) {
        lua_pushnil(L);
        return;
    }
    lua_createtable(L, 0, 4);
    set_str(L, "id", rewards_level_id(l));
    set_str(L, "name", rewards_level_name(l));
    set_int(L, "rank", rewards_level_rank(l));
    set_str(L, "program", rewards_program_id(rewards_level_program(l)));
}

void lrw_push_reward_param(lua_State *L, const rewards_reward *r, const char *path)
{
    char small[256];
    size_t size = sizeof small;
    char *buf = small;
    int grown = 0;
    rewards_status st;
    /* a long condition needs more room: a Lua buffer, kept on the stack while used */
    while ((st = rewards_reward_param(r, path, buf, size)) == REWARDS_INVALID_ARGUMENT && size < ((size_t)1 << 24)) {
        size *= 16;
        if (grown)
            lua_pop(L, 1);
        buf = lua_newuserdatauv(L, size, 0);
        grown = 1;
    }
    if (st == REWARDS_OK)
        lua_pushstring(L, buf);
    else
        lua_pushnil(L);
    if (grown)
        lua_remove(L, -2);
}

/* Where the list index of a path pattern is: "tiers.N.from" and "of.N" (NULL for a plain path). */
static const char *list_mark(const char *pattern)
{
    const char *n = strstr(pattern, ".N");
    return n && (n[2] == '.' || n[2] == '\0') ? n : NULL;
}

/* Is the path a list ("tiers": some path is "tiers.N..." or "tiers.N")? */
static int is_list(const char *path)
{
    size_t len = strlen(path);
    for (size_t i = 0; i < rewards_reward_param_count(); i++) {
        const char *p = rewards_reward_param_name(i), *n = list_mark(p);
        if (n && (size_t)(n - p) == len && strncmp(p, path, len) == 0)
            return 1;
    }
    return 0;
}

void lrw_push_reward(lua_State *L, const rewards_reward *r)
{
    if (!r) {
        lua_pushnil(L);
        return;
    }
    lua_createtable(L, 0, 9);
    set_str(L, "id", rewards_reward_id(r));
    set_str(L, "name", rewards_reward_name(r));
    set_str(L, "kind", rewards_reward_kind(r));
    set_str(L, "trigger", rewards_reward_trigger(r));
    set_str(L, "recipient", rewards_reward_recipient(r));
    set_str(L, "level", rewards_level_id(rewards_reward_level(r)));
    set_str(L, "program", rewards_program_id(rewards_reward_program(r)));
    /* params["rate"] = "10%", params["tiers.0.from"] = "0.00", ...: every path the library
     * lists ("tiers.N.from" stands for each item of the list "tiers") that this reward has */
    lua_createtable(L, 0, 8);
    for (size_t i = 0; i < rewards_reward_param_count(); i++) {
        const char *pattern = rewards_reward_param_name(i), *dot_n = list_mark(pattern);
        char list[64], n[32], path[160];
        long count = 1;
        if (!dot_n && is_list(pattern))
            continue; /* a list's number of items: its items are listed instead */
        if (dot_n) {
            snprintf(list, sizeof list, "%.*s", (int)(dot_n - pattern), pattern);
            count = rewards_reward_param(r, list, n, sizeof n) == REWARDS_OK ? strtol(n, NULL, 10) : 0;
        }
        for (long k = 0; k < count; k++) {
            if (dot_n && dot_n[2])
                snprintf(path, sizeof path, "%s.%ld.%s", list, k, dot_n + 3);
            else if (dot_n)
                snprintf(path, sizeof path, "%s.%ld", list, k);
            else
                snprintf(path, sizeof path, "%s", pattern);
            lrw_push_reward_param(L, r, path);
            lua_setfield(L, -2, path);
        }
    }
    lua_setfield(L, -2, "params");
}

static const char *const event_names[] = {
    NULL, "entry_earned", "entry_held", "entry_released", "entry_adjusted", "entry_reversed",
    "reward_skipped", "level_changed", "payout_created", "points_redeemed", "manual_recorded",
    "override_recorded",
};

void lrw_push_event(lua_State *L, const rewards_event *ev)
{
    rewards_event_type type = rewards_event_get_type(ev);
    lua_createtable(L, 0, 10);
    if ((unsigned)type < sizeof event_names / sizeof event_names[0] && event_names[type])
        set_str(L, "type", event_names[type]);
    else
        set_int(L, "type", (int64_t)type); /* a type a newer library reports */
    lrw_push_entry(L, rewards_event_entry(ev));
    lua_setfield(L, -2, "entry");
    set_str(L, "partner", rewards_partner_id(rewards_event_partner(ev)));
    set_str(L, "reward", rewards_reward_id(rewards_event_reward(ev)));
    set_str(L, "deal", rewards_deal_id(rewards_event_deal(ev)));
    set_str(L, "user", rewards_user_id(rewards_event_user(ev)));
    set_str(L, "previous_level", rewards_level_id(rewards_event_previous_level(ev)));
    set_str(L, "level", rewards_level_id(rewards_event_level(ev)));
    set_str(L, "payout", rewards_payout_id(rewards_event_payout(ev)));
}
