/*
 * api.c - the read-only side of the API: lookups, accessors of the opaque
 * handles, event accessors, and the stand-alone helpers (conditions, times,
 * amounts).  Handles are the internal records, cast: the public types are
 * never defined, so hosts cannot depend on a layout.
 */
#include "ops.h"

#include <string.h>

#define FIND(fn, type, ix)                                                   \
    const type *fn(const rewards_engine *e, const char *id)                  \
    {                                                                        \
        return e && id ? (const type *)rw_index_get(&e->ix, id) : NULL;      \
    }
FIND(rewards_engine_find_program, rewards_program, programs)
FIND(rewards_engine_find_level, rewards_level, levels)
FIND(rewards_engine_find_reward, rewards_reward, rewards)
FIND(rewards_engine_find_partner, rewards_partner, partners)
FIND(rewards_engine_find_user, rewards_user, users)
FIND(rewards_engine_find_deal, rewards_deal, deals)
FIND(rewards_engine_find_payout, rewards_payout, runs)

#define PROGRAM(x) ((const rw_program *)(x))
#define LEVEL(x) ((const rw_level *)(x))
#define REWARD(x) ((const rw_reward *)(x))
#define PARTNER(x) ((const rw_partner *)(x))
#define USER(x) ((const rw_user *)(x))
#define DEAL(x) ((const rw_deal *)(x))
#define ENTRY(x) ((const rw_entry *)(x))
#define RUN(x) ((const rw_run *)(x))
#define LINE(x) ((const rw_line *)(x))
#define EVENT(x) ((const rw_event *)(x))

const char *rewards_program_id(const rewards_program *p) { return p ? PROGRAM(p)->id : NULL; }
const char *rewards_program_currency(const rewards_program *p) { return p ? PROGRAM(p)->currency : NULL; }
const char *rewards_level_id(const rewards_level *l) { return l ? LEVEL(l)->id : NULL; }
int64_t rewards_level_rank(const rewards_level *l) { return l ? LEVEL(l)->rank : 0; }
const char *rewards_reward_id(const rewards_reward *r) { return r ? REWARD(r)->id : NULL; }
const char *rewards_reward_name(const rewards_reward *r) { return r ? REWARD(r)->name : NULL; }
const char *rewards_partner_id(const rewards_partner *p) { return p ? PARTNER(p)->id : NULL; }
const char *rewards_partner_name(const rewards_partner *p) { return p ? PARTNER(p)->name : NULL; }
const rewards_level *rewards_partner_level(const rewards_partner *p)
{
    return p ? (const rewards_level *)PARTNER(p)->level : NULL;
}
const char *rewards_user_id(const rewards_user *u) { return u ? USER(u)->id : NULL; }
const char *rewards_user_name(const rewards_user *u) { return u ? USER(u)->name : NULL; }
const rewards_partner *rewards_user_partner(const rewards_user *u)
{
    return u ? (const rewards_partner *)USER(u)->partner : NULL;
}
int rewards_user_portal_access(const rewards_user *u) { return u ? USER(u)->portal_access : 0; }
const char *rewards_deal_id(const rewards_deal *d) { return d ? DEAL(d)->id : NULL; }
const rewards_partner *rewards_deal_partner(const rewards_deal *d)
{
    return d ? (const rewards_partner *)DEAL(d)->partner : NULL;
}
const rewards_user *rewards_deal_user(const rewards_deal *d) { return d ? (const rewards_user *)DEAL(d)->user : NULL; }
const char *rewards_deal_stage(const rewards_deal *d) { return d ? rw_stage_names[DEAL(d)->stage] : NULL; }
int64_t rewards_deal_amount(const rewards_deal *d) { return d ? DEAL(d)->amount : 0; }

size_t rewards_engine_entry_count(const rewards_engine *e) { return e ? RW_COUNT(e, RW_KIND_ENTRY) : 0; }
const rewards_entry *rewards_engine_entry(const rewards_engine *e, size_t i)
{
    return e && i < RW_COUNT(e, RW_KIND_ENTRY) ? (const rewards_entry *)RW_REC_AT(e, RW_KIND_ENTRY, rw_entry, i) : NULL;
}
size_t rewards_partner_entry_count(const rewards_partner *p) { return p ? PARTNER(p)->entries.len : 0; }
const rewards_entry *rewards_partner_entry(const rewards_partner *p, size_t i)
{
    return p && i < PARTNER(p)->entries.len ? (const rewards_entry *)RW_VEC_AT(PARTNER(p)->entries, rw_entry *, i) : NULL;
}
size_t rewards_deal_entry_count(const rewards_deal *d) { return d ? DEAL(d)->entries.len : 0; }
const rewards_entry *rewards_deal_entry(const rewards_deal *d, size_t i)
{
    return d && i < DEAL(d)->entries.len ? (const rewards_entry *)RW_VEC_AT(DEAL(d)->entries, rw_entry *, i) : NULL;
}

uint64_t rewards_entry_number(const rewards_entry *x) { return x ? ENTRY(x)->number : 0; }
const char *rewards_entry_type(const rewards_entry *x) { return x ? rw_entry_type_names[ENTRY(x)->type] : NULL; }
const rewards_reward *rewards_entry_reward(const rewards_entry *x)
{
    return x && ENTRY(x)->contrib ? (const rewards_reward *)ENTRY(x)->contrib->reward : NULL;
}
const rewards_deal *rewards_entry_deal(const rewards_entry *x)
{
    return x ? (const rewards_deal *)rw_entry_about(ENTRY(x)) : NULL;
}
const rewards_partner *rewards_entry_partner(const rewards_entry *x)
{
    return x ? (const rewards_partner *)ENTRY(x)->partner : NULL;
}
const char *rewards_entry_recipient_type(const rewards_entry *x) { return x ? rw_recipient_names[ENTRY(x)->to] : NULL; }
const char *rewards_entry_recipient(const rewards_entry *x)
{
    if (!x)
        return NULL;
    if (ENTRY(x)->to == RW_TO_PARTNER)
        return ENTRY(x)->partner->id;
    return ENTRY(x)->to_user ? ENTRY(x)->to_user->id : "";
}
int64_t rewards_entry_amount(const rewards_entry *x) { return x ? ENTRY(x)->amount : 0; }
const char *rewards_entry_currency(const rewards_entry *x) { return x ? rw_entry_currency(ENTRY(x)) : NULL; }
const char *rewards_entry_status(const rewards_entry *x) { return x ? rw_status_names[ENTRY(x)->status] : NULL; }
const char *rewards_entry_reason(const rewards_entry *x) { return x ? rw_hold_names[ENTRY(x)->hold] : NULL; }
const char *rewards_entry_period(const rewards_entry *x)
{
    return x ? (ENTRY(x)->contrib ? rw_contrib_period(ENTRY(x)->contrib) : "") : NULL;
}
int64_t rewards_entry_earned_at(const rewards_entry *x) { return x ? ENTRY(x)->earned_at : 0; }
const char *rewards_entry_line(const rewards_entry *x)
{
    const rw_contrib *k = x ? ENTRY(x)->contrib : NULL;
    if (!k || k->line < 0)
        return NULL;
    return k->deal->nlines ? k->deal->lines[k->line].id : "";
}
const rewards_payout *rewards_entry_payout(const rewards_entry *x)
{
    return x ? (const rewards_payout *)ENTRY(x)->run : NULL;
}
const char *rewards_entry_note(const rewards_entry *x) { return x ? rw_entry_note(ENTRY(x)) : NULL; }

const char *rewards_payout_id(const rewards_payout *p) { return p ? RUN(p)->id : NULL; }
size_t rewards_payout_line_count(const rewards_payout *p) { return p ? RUN(p)->lines.len : 0; }
const rewards_payout_line *rewards_payout_line_at(const rewards_payout *p, size_t i)
{
    return p && i < RUN(p)->lines.len ? (const rewards_payout_line *)RW_VEC_AT(RUN(p)->lines, rw_line *, i) : NULL;
}
const char *rewards_payout_line_recipient_type(const rewards_payout_line *l)
{
    return l ? rw_recipient_names[LINE(l)->to] : NULL;
}
const char *rewards_payout_line_recipient(const rewards_payout_line *l)
{
    return l ? (LINE(l)->to == RW_TO_PARTNER ? LINE(l)->partner->id : LINE(l)->user->id) : NULL;
}
int64_t rewards_payout_line_amount(const rewards_payout_line *l) { return l ? LINE(l)->amount : 0; }
const char *rewards_payout_line_currency(const rewards_payout_line *l) { return l ? LINE(l)->currency : NULL; }
int64_t rewards_payout_line_entries(const rewards_payout_line *l) { return l ? LINE(l)->count : 0; }

rewards_event_type rewards_event_get_type(const rewards_event *ev)
{
    return ev ? (rewards_event_type)EVENT(ev)->type : (rewards_event_type)0;
}
const rewards_entry *rewards_event_entry(const rewards_event *ev) { return ev ? (const rewards_entry *)EVENT(ev)->entry : NULL; }
const rewards_partner *rewards_event_partner(const rewards_event *ev)
{
    return ev ? (const rewards_partner *)EVENT(ev)->partner : NULL;
}
const rewards_reward *rewards_event_reward(const rewards_event *ev)
{
    return ev ? (const rewards_reward *)EVENT(ev)->reward : NULL;
}
const rewards_deal *rewards_event_deal(const rewards_event *ev) { return ev ? (const rewards_deal *)EVENT(ev)->deal : NULL; }
const rewards_user *rewards_event_user(const rewards_event *ev) { return ev ? (const rewards_user *)EVENT(ev)->user : NULL; }
const rewards_level *rewards_event_previous_level(const rewards_event *ev)
{
    return ev ? (const rewards_level *)EVENT(ev)->from : NULL;
}
const rewards_level *rewards_event_level(const rewards_event *ev) { return ev ? (const rewards_level *)EVENT(ev)->to : NULL; }
const rewards_payout *rewards_event_payout(const rewards_event *ev) { return ev ? (const rewards_payout *)EVENT(ev)->run : NULL; }

/* ---- helpers ------------------------------------------------------------ */

rewards_status rewards_condition_check(const char *text, int *line, int *column, char *msg, size_t msg_size)
{
    if (!text)
        return REWARDS_MISUSE;
    rw_expr *x = NULL;
    char buf[256];
    int l = 0, c = 0;
    rewards_status st = rw_expr_compile(&rw_alloc_default, text, strlen(text), &x, buf, sizeof buf, &l, &c);
    rw_expr_free(&rw_alloc_default, x);
    if (line)
        *line = st == REWARDS_PARSE_ERROR ? l : 0;
    if (column)
        *column = st == REWARDS_PARSE_ERROR ? c : 0;
    if (msg && msg_size) {
        const char *m = st == REWARDS_OK ? "" : st == REWARDS_NOMEM ? "out of memory" : buf;
        size_t n = strlen(m) < msg_size - 1 ? strlen(m) : msg_size - 1;
        memcpy(msg, m, n);
        msg[n] = '\0';
    }
    return st;
}

rewards_status rewards_time_parse(const char *text, int64_t *out)
{
    if (!text || !out)
        return REWARDS_MISUSE;
    return rw_time_parse(text, strlen(text), out) ? REWARDS_INVALID_ARGUMENT : REWARDS_OK;
}

rewards_status rewards_time_format(int64_t at, char *buf, size_t size)
{
    if (!buf)
        return REWARDS_MISUSE;
    return rw_time_format(at, buf, size) < 0 ? REWARDS_INVALID_ARGUMENT : REWARDS_OK;
}

rewards_status rewards_amount_parse(const char *text, const char *currency, int64_t *out)
{
    if (!text || !currency || !out)
        return REWARDS_MISUSE;
    int exp = rw_currency_exponent(currency);
    if (exp < 0)
        return REWARDS_INVALID_ARGUMENT;
    /* signed: every amount rewards_amount_format writes (a reversal's too) reads back */
    switch (rw_decimal_parse(text, strlen(text), exp, 1, out)) {
    case RW_DEC_OK: return REWARDS_OK;
    case RW_DEC_OVERFLOW: return REWARDS_OVERFLOW;
    default: return REWARDS_INVALID_ARGUMENT;
    }
}

rewards_status rewards_amount_format(int64_t amount, const char *currency, char *buf, size_t size)
{
    if (!currency || !buf)
        return REWARDS_MISUSE;
    int exp = rw_currency_exponent(currency);
    if (exp < 0)
        return REWARDS_INVALID_ARGUMENT;
    return rw_amount_format(amount, exp, buf, size) < 0 ? REWARDS_INVALID_ARGUMENT : REWARDS_OK;
}
