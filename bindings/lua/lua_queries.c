/*
 * lua_queries.c - the engine's read methods: the CSV exports (ledger,
 * payouts, payout preview), balances, the ledger's entries and lookups.
 *
 * An export writes through a callback into a C buffer owned by a userdata,
 * so the buffer is freed even when pushing the result raises.
 */
#include "rewards_lua.h"

#include <stdlib.h>
#include <string.h>

typedef struct out_buf {
    char *data;
    size_t len, cap;
    int oom;
} out_buf;

static int out_buf_gc(lua_State *L)
{
    out_buf *b = lua_touserdata(L, 1);
    free(b->data);
    b->data = NULL;
    return 0;
}

static int out_write(void *user, const char *data, size_t size)
{
    out_buf *b = user;
    if (size > b->cap - b->len) {
        size_t ncap = b->cap ? b->cap : 4096;
        while (ncap - b->len < size) {
            if (ncap > ((size_t)-1) / 2) {
                b->oom = 1;
                return -1;
            }
            ncap *= 2;
        }
        char *nd = realloc(b->data, ncap);
        if (!nd) {
            b->oom = 1;
            return -1;
        }
        b->data = nd;
        b->cap = ncap;
    }
    memcpy(b->data + b->len, data, size);
    b->len += size;
    return 0;
}

static const char out_buf_mt;

void lrw_register_out_buf(lua_State *L)
{
    lua_newtable(L);
    lua_pushcfunction(L, out_buf_gc);
    lua_setfield(L, -2, "__gc");
    lua_rawsetp(L, LUA_REGISTRYINDEX, &out_buf_mt);
}

/* A buffer freed by the collector even if pushing its contents raises. */
static out_buf *new_out_buf(lua_State *L)
{
    out_buf *b = lua_newuserdatauv(L, sizeof *b, 0);
    memset(b, 0, sizeof *b);
    lua_rawgetp(L, LUA_REGISTRYINDEX, &out_buf_mt);
    lua_setmetatable(L, -2);
    return b;
}

struct lrw_out {
    out_buf b;
};

lrw_out *lrw_out_new(lua_State *L)
{
    return (lrw_out *)new_out_buf(L); /* an lrw_out is an out_buf */
}

int lrw_out_write(void *user, const char *data, size_t size)
{
    return out_write(user, data, size);
}

int lrw_out_oom(const lrw_out *o)
{
    return o->b.oom;
}

int lrw_out_push(lua_State *L, lrw_out *o)
{
    out_buf *b = &o->b;
    int oom = b->oom;
    lua_pushlstring(L, b->data ? b->data : "", b->len);
    free(b->data);
    b->data = NULL;
    return oom;
}

enum { EXPORT_LEDGER, EXPORT_PAYOUTS, EXPORT_PREVIEW };

static int export(lua_State *L, int which, const char *id, int64_t until)
{
    lrw_engine *le = lrw_live(L, 1);
    out_buf *b = new_out_buf(L);
    lrw_call_begin(L, le);
    rewards_status st;
    if (which == EXPORT_LEDGER)
        st = rewards_engine_export_ledger(le->engine, out_write, b);
    else if (which == EXPORT_PAYOUTS)
        st = rewards_engine_export_payouts(le->engine, out_write, b);
    else
        st = rewards_engine_preview_payout(le->engine, id, until, out_write, b);
    if (st && b->oom)
        st = REWARDS_NOMEM;
    lrw_call_end(L, le, st, b->oom ? "out of memory writing the export" : NULL);
    lua_pushlstring(L, b->data ? b->data : "", b->len);
    free(b->data);
    b->data = NULL;
    return 1;
}

static int l_ledger_csv(lua_State *L)
{
    return export(L, EXPORT_LEDGER, NULL, 0);
}

static int l_payouts_csv(lua_State *L)
{
    return export(L, EXPORT_PAYOUTS, NULL, 0);
}

static int64_t check_time(lua_State *L, int idx, const char *what)
{
    if (lua_isinteger(L, idx))
        return (int64_t)lua_tointeger(L, idx);
    int64_t at = 0;
    if (lua_type(L, idx) != LUA_TSTRING || rewards_time_parse(lua_tostring(L, idx), &at) != REWARDS_OK)
        lrw_raisef(L, REWARDS_INVALID_ARGUMENT, "%s must be YYYY-MM-DD, YYYY-MM-DDTHH:MM:SSZ or UTC seconds", what);
    return at;
}

/* e:preview_payout(id, until): the payouts CSV of a run that is not made. */
static int l_preview_payout(lua_State *L)
{
    lrw_live(L, 1);
    const char *id = lrw_checktext(L, 2);
    int64_t until = check_time(L, 3, "until");
    return export(L, EXPORT_PREVIEW, id, until);
}
/* e:balance(recipient_type, id) -> {pending=, approved=, held=, paid=, points=} (minor units) */
static int l_balance(lua_State *L)
{
    lrw_engine *le = lrw_live(L, 1);
    const char *type = lrw_checktext(L, 2), *id = lrw_checktext(L, 3);
    rewards_balance b;
    memset(&b, 0, sizeof b);
    b.version = REWARDS_BALANCE_VERSION;
    rewards_status st = rewards_engine_balance(le->engine, &b, type, id);
    if (st)
        lrw_raise(L, st, rewards_engine_errmsg(le->engine));
    lua_createtable(L, 0, 5);
    lua_pushinteger(L, (lua_Integer)b.pending);
    lua_setfield(L, -2, "pending");
    lua_pushinteger(L, (lua_Integer)b.approved);
    lua_setfield(L, -2, "approved");
    lua_pushinteger(L, (lua_Integer)b.held);
    lua_setfield(L, -2, "held");
    lua_pushinteger(L, (lua_Integer)b.paid);
    lua_setfield(L, -2, "paid");
    lua_pushinteger(L, (lua_Integer)b.points);
    lua_setfield(L, -2, "points");
    /* the money as decimal strings in the recipient's program currency: pending_text = "1200.00" */
    const rewards_partner *p = strcmp(type, "sales_rep") == 0
                                   ? rewards_user_partner(rewards_engine_find_user(le->engine, id))
                                   : rewards_engine_find_partner(le->engine, id);
    const char *currency = rewards_program_currency(rewards_partner_program(p));
    const char *names[] = { "pending_text", "approved_text", "held_text", "paid_text" };
    int64_t values[] = { b.pending, b.approved, b.held, b.paid };
    char text[32];
    for (int i = 0; i < 4 && currency; i++)
        if (rewards_amount_format(values[i], currency, text, sizeof text) == REWARDS_OK) {
            lua_pushstring(L, text);
            lua_setfield(L, -2, names[i]);
        }
    if (currency) {
        lua_pushstring(L, currency);
        lua_setfield(L, -2, "currency");
    }
    return 1;
}

static int entries_next(lua_State *L)
{
    lrw_engine *le = lua_touserdata(L, lua_upvalueindex(1));
    lua_Integer i = lua_tointeger(L, lua_upvalueindex(2));
    if (!le->engine)
        lrw_raise(L, REWARDS_MISUSE, "the engine is closed");
    const rewards_entry *entry = rewards_engine_entry(le->engine, (size_t)i);
    if (!entry)
        return 0;
    lua_pushinteger(L, i + 1);
    lua_replace(L, lua_upvalueindex(2));
    lrw_push_entry(L, entry);
    return 1;
}

/* for entry in e:entries() do ... end: every ledger entry, in creation order */
static int l_entries(lua_State *L)
{
    lrw_live(L, 0);
    lua_settop(L, 1);
    lua_pushinteger(L, 0);
    lua_pushcclosure(L, entries_next, 2);
    return 1;
}

static int l_entry_count(lua_State *L)
{
    lua_pushinteger(L, (lua_Integer)rewards_engine_entry_count(lrw_live(L, 0)->engine));
    return 1;
}

static int l_deal(lua_State *L)
{
    lrw_engine *le = lrw_live(L, 0);
    lrw_push_deal(L, rewards_engine_find_deal(le->engine, lrw_checktext(L, 2)));
    return 1;
}

static int l_partner(lua_State *L)
{
    lrw_engine *le = lrw_live(L, 0);
    lrw_push_partner(L, rewards_engine_find_partner(le->engine, lrw_checktext(L, 2)));
    return 1;
}

static int l_user(lua_State *L)
{
    lrw_engine *le = lrw_live(L, 0);
    lrw_push_user(L, rewards_engine_find_user(le->engine, lrw_checktext(L, 2)));
    return 1;
}

static int l_payout(lua_State *L)
{
    lrw_engine *le = lrw_live(L, 0);
    lrw_push_payout(L, rewards_engine_find_payout(le->engine, lrw_checktext(L, 2)));
    return 1;
}

const luaL_Reg lrw_query_methods[] = {
    { "ledger_csv", l_ledger_csv },
    { "payouts_csv", l_payouts_csv },
    { "preview_payout", l_preview_payout },
    { "balance", l_balance },
    { "entries", l_entries },
    { "entry_count", l_entry_count },
    { "deal", l_deal },
    { "partner", l_partner },
    { "user", l_user },
    { "payout", l_payout },
    { NULL, NULL },
};
