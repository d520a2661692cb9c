/*
 * ops_define.c - operations that define the plan and its people: currency,
 * program, level, partner, user, and FX rates.
 */
#include "ops.h"

#include <stdio.h>
#include <string.h>

static char *dup(rw_ctx *c, const char *s)
{
    return s ? rw_new_str(c->e, s, strlen(s)) : NULL;
}

rewards_status rw_op_currency(rw_ctx *c)
{
    const char *code;
    int64_t exp = 0;
    RW_TRY(rw_get_str(c, "code", RW_REQUIRED, &code));
    int ok = strlen(code) == 3;
    for (int i = 0; ok && i < 3; i++)
        ok = code[i] >= 'A' && code[i] <= 'Z';
    if (!ok)
        return rw_fail(c->e, REWARDS_INVALID_ARGUMENT, "field 'code': '%s' is not three capital letters", code);
    if (rw_engine_currency_exp(c->e, code) >= 0)
        return rw_fail(c->e, REWARDS_EXISTS, "currency '%s' is already known", code);
    RW_TRY(rw_get_int(c, "exponent", RW_REQUIRED, 0, RW_CURRENCY_EXP_MAX, &exp));
    rw_currency *cur = rw_new_record(c->e, RW_KIND_CURRENCY, sizeof *cur);
    if (!cur)
        return rw_nomem(c->e);
    memcpy(cur->code, code, 4);
    cur->exp = (int)exp;
    return rw_link_record(c->e, &cur->h);
}

rewards_status rw_op_program(rw_ctx *c)
{
    static const char *const roundings[] = { "half_even", "half_up", NULL };
    const char *id, *name;
    char cur[4];
    int exp, rounding;
    int64_t fy = 1;
    RW_TRY(rw_get_new_id(c, "id", &c->e->programs, "program", &id));
    RW_TRY(rw_get_str(c, "name", RW_REQUIRED, &name));
    RW_TRY(rw_get_currency(c, "currency", cur, &exp));
    if (!strcmp(cur, "PTS"))
        return rw_fail(c->e, REWARDS_INVALID_ARGUMENT, "field 'currency': a program pays money, not PTS");
    RW_TRY(rw_get_int(c, "fiscal_year_start_month", RW_OPTIONAL, 1, 12, &fy));
    RW_TRY(rw_get_enum(c, "rounding", RW_OPTIONAL, roundings, &rounding));
    rw_program *p = rw_new_record(c->e, RW_KIND_PROGRAM, sizeof *p);
    if (!p || !(p->id = dup(c, id)) || !(p->name = dup(c, name)))
        return rw_nomem(c->e);
    memcpy(p->currency, cur, 4);
    p->exp = exp;
    p->fy_start = (int)fy;
    p->rounding = rounding == 1 ? RW_ROUND_HALF_UP : RW_ROUND_HALF_EVEN;
    return rw_link_record(c->e, &p->h);
}

rewards_status rw_op_level(rw_ctx *c)
{
    const char *id, *name;
    rw_program *p;
    int64_t rank = 0;
    RW_TRY(rw_get_new_id(c, "id", &c->e->levels, "level", &id));
    RW_TRY(rw_get_ref(c, "program", RW_REQUIRED, &c->e->programs, "program", (void **)&p));
    RW_TRY(rw_get_str(c, "name", RW_REQUIRED, &name));
    RW_TRY(rw_get_int(c, "rank", RW_REQUIRED, INT64_MIN + 1, INT64_MAX, &rank));
    for (size_t i = 0; i < p->levels.len; i++)
        if (RW_VEC_AT(p->levels, rw_level *, i)->rank == rank)
            return rw_fail(c->e, REWARDS_INVALID_ARGUMENT, "field 'rank': program '%s' already has a level of rank %lld",
                           p->id, (long long)rank);
    int64_t revenue = RW_NONE, deals = RW_NONE, days = 0;
    rw_window window = RW_WINDOW_NONE;
    const rw_node *req;
    RW_TRY(rw_field(c, "requires", RW_OPTIONAL, &req));
    if (req) {
        if (req->type != RW_V_OBJECT)
            return rw_fail(c->e, REWARDS_INVALID_ARGUMENT, "field 'requires' must be an object");
        rw_ctx sub = *c;
        sub.obj = req;
        sub.prefix = "requires.";
        RW_TRY(rw_get_amount(&sub, "revenue", RW_OPTIONAL, p->exp, 0, &revenue));
        RW_TRY(rw_get_int(&sub, "deals", RW_OPTIONAL, 0, INT64_MAX, &deals));
        const char *w;
        RW_TRY(rw_get_str(&sub, "window", RW_REQUIRED, &w));
        if (!strcmp(w, "fiscal_year")) {
            window = RW_WINDOW_FY;
        } else if (!strcmp(w, "fiscal_quarter")) {
            window = RW_WINDOW_FQ;
        } else if (!strncmp(w, "trailing_days:", 14)) {
            int64_t v;
            const char *num = w + 14;
            if (rw_decimal_parse(num, strlen(num), 0, 0, &v) != RW_DEC_OK || v < 1 || v > RW_WINDOW_DAYS_MAX)
                return rw_fail(c->e, REWARDS_INVALID_ARGUMENT, "field 'requires.window': '%s' needs a positive day count", w);
            window = RW_WINDOW_TRAILING;
            days = v;
        } else {
            return rw_fail(c->e, REWARDS_INVALID_ARGUMENT, "field 'requires.window': unknown window '%s'", w);
        }
    }
    rw_level *l = rw_new_record(c->e, RW_KIND_LEVEL, sizeof *l);
    if (!l || !(l->id = dup(c, id)) || !(l->name = dup(c, name)))
        return rw_nomem(c->e);
    l->program = p;
    l->rank = rank;
    l->req_revenue = revenue;
    l->req_deals = deals;
    l->window = window;
    l->window_days = days;
    return rw_link_record(c->e, &l->h);
}

rewards_status rw_op_partner(rw_ctx *c)
{
    const char *id, *name;
    rw_program *p;
    rw_level *l;
    rw_attrs *attrs;
    RW_TRY(rw_get_new_id(c, "id", &c->e->partners, "partner", &id));
    RW_TRY(rw_get_ref(c, "program", RW_REQUIRED, &c->e->programs, "program", (void **)&p));
    RW_TRY(rw_get_ref(c, "level", RW_REQUIRED, &c->e->levels, "level", (void **)&l));
    if (l->program != p)
        return rw_fail(c->e, REWARDS_INVALID_ARGUMENT, "field 'level': level '%s' is not in program '%s'", l->id, p->id);
    RW_TRY(rw_get_str(c, "name", RW_REQUIRED, &name));
    RW_TRY(rw_get_attrs(c, "attrs", &attrs));
    /* two-tier programs: the parent exists already, so there is never a cycle */
    rw_partner *parent;
    const rw_node *pn = rw_node_get(c->obj, "parent");
    if (pn && pn->type == RW_V_STRING && !strcmp(pn->str, id))
        return rw_fail(c->e, REWARDS_INVALID_ARGUMENT, "field 'parent': partner '%s' cannot be its own parent", id);
    RW_TRY(rw_get_ref(c, "parent", RW_OPTIONAL, &c->e->partners, "partner", (void **)&parent));
    if (parent && parent->program != p)
        return rw_fail(c->e, REWARDS_INVALID_ARGUMENT, "field 'parent': partner '%s' is not in program '%s'", parent->id,
                       p->id);
    rw_partner *pa = rw_new_record(c->e, RW_KIND_PARTNER, sizeof *pa);
    if (!pa || !(pa->id = dup(c, id)) || !(pa->name = dup(c, name)))
        return rw_nomem(c->e);
    pa->program = p;
    pa->level = l;
    pa->attrs = attrs;
    pa->parent = parent;
    return rw_link_record(c->e, &pa->h);
}

rewards_status rw_op_user(rw_ctx *c)
{
    const char *id, *name, *email;
    rw_partner *p;
    rw_attrs *attrs;
    int access = 0;
    RW_TRY(rw_get_new_id(c, "id", &c->e->users, "user", &id));
    RW_TRY(rw_get_ref(c, "partner", RW_REQUIRED, &c->e->partners, "partner", (void **)&p));
    RW_TRY(rw_get_str(c, "name", RW_REQUIRED, &name));
    RW_TRY(rw_get_str(c, "email", RW_OPTIONAL, &email));
    RW_TRY(rw_get_bool(c, "portal_access", RW_REQUIRED, &access));
    RW_TRY(rw_get_attrs(c, "attrs", &attrs));
    rw_user *u = rw_new_record(c->e, RW_KIND_USER, sizeof *u);
    if (!u || !(u->id = dup(c, id)) || !(u->name = dup(c, name)) || (email && !(u->email = dup(c, email))))
        return rw_nomem(c->e);
    u->partner = p;
    u->portal_access = access;
    u->attrs = attrs;
    return rw_link_record(c->e, &u->h);
}

/* FX rates are kept per currency pair, in registration (= time) order. */
rewards_status rw_op_fx(rw_ctx *c)
{
    char from[4], to[4];
    int xf, xt;
    int64_t rate;
    RW_TRY(rw_get_at(c));
    RW_TRY(rw_get_currency(c, "from", from, &xf));
    RW_TRY(rw_get_currency(c, "to", to, &xt));
    if (!strcmp(from, to) || !strcmp(from, "PTS") || !strcmp(to, "PTS"))
        return rw_fail(c->e, REWARDS_INVALID_ARGUMENT, "field 'to': an FX rate converts between two money currencies");
    RW_TRY(rw_get_amount(c, "rate", RW_REQUIRED, 10, 1, &rate));
    rw_fx *fx = rw_new_record(c->e, RW_KIND_FX, sizeof *fx);
    if (!fx)
        return rw_nomem(c->e);
    memcpy(fx->from, from, 4);
    memcpy(fx->to, to, 4);
    fx->rate = rate;
    fx->at = c->at;
    return rw_link_record(c->e, &fx->h);
}
