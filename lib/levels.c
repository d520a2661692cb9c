/*
 * levels.c - partner levels: set by hand, or earned by evaluating each
 * level's requirements (won revenue and won deals within a window).
 */
#include "ops.h"

#include <stdlib.h>
#include <string.h>

static rewards_status change_level(rw_engine *e, rw_partner *p, rw_level *to, int64_t at)
{
    rw_level *from = p->level;
    if (from == to)
        return REWARDS_OK;
    if (RW_MARK_SET(e, p, p->level, to))
        return rw_nomem(e);
    rw_level_change *lc = rw_new_record(e, RW_KIND_LEVEL_CHANGE, sizeof *lc);
    if (!lc)
        return rw_nomem(e);
    lc->partner = p;
    lc->from = from;
    lc->to = to;
    lc->at = at;
    RW_TRY(rw_link_record(e, &lc->h));
    rw_event ev = { REWARDS_EVENT_LEVEL_CHANGED, NULL, p, from, to, NULL, NULL, NULL, NULL, at };
    return rw_queue_event(e, &ev);
}

rewards_status rw_op_set_level(rw_ctx *c)
{
    rw_partner *p;
    rw_level *l;
    RW_TRY(rw_get_at(c));
    RW_TRY(rw_get_ref(c, "partner", RW_REQUIRED, &c->e->partners, "partner", (void **)&p));
    RW_TRY(rw_get_ref(c, "level", RW_REQUIRED, &c->e->levels, "level", (void **)&l));
    if (l->program != p->program)
        return rw_fail(c->e, REWARDS_INVALID_ARGUMENT, "field 'level': level '%s' is not in program '%s'", l->id,
                       p->program->id);
    return change_level(c->e, p, l, c->at);
}

/* Won revenue (program currency, at the rate in force when each deal was won) and won deals in a window. */
static rewards_status won_in_window(rw_engine *e, const rw_partner *p, const rw_level *l, int64_t at, int64_t *revenue,
                                    int64_t *deals)
{
    const rw_program *prog = p->program;
    int64_t from; /* exclusive lower bound */
    if (l->window == RW_WINDOW_TRAILING)
        from = at - l->window_days * 86400;
    else
        from = rw_period_start(at, prog->fy_start, l->window == RW_WINDOW_FY ? RW_PERIOD_YEAR : RW_PERIOD_QUARTER) - 1;
    *revenue = *deals = 0;
    for (size_t i = 0; i < p->deals.len; i++) {
        const rw_deal *d = RW_VEC_AT(p->deals, rw_deal *, i);
        if (d->won_at == RW_NONE || d->won_at <= from || d->won_at > at || d->stage == RW_STAGE_CANCELLED)
            continue;
        int64_t amount = d->amount;
        if (l->req_revenue != RW_NONE && strcmp(d->currency, prog->currency)) {
            int64_t rate;
            RW_TRY(rw_fx_rate_at(e, d->currency, prog->currency, d->won_at, &rate));
            RW_TRY(rw_fx_convert(e, prog, d->amount, d->exp, rate, &amount));
        }
        if (rw_add(*revenue, amount, revenue))
            return rw_fail(e, REWARDS_OVERFLOW, "the won revenue of partner '%s' overflows", p->id);
        (*deals)++;
    }
    return REWARDS_OK;
}

static rewards_status requirements_met(rw_engine *e, const rw_partner *p, const rw_level *l, int64_t at, int *met)
{
    *met = 1;
    if (l->window == RW_WINDOW_NONE)
        return REWARDS_OK;
    int64_t revenue, deals;
    RW_TRY(won_in_window(e, p, l, at, &revenue, &deals));
    *met = (l->req_revenue == RW_NONE || revenue >= l->req_revenue) && (l->req_deals == RW_NONE || deals >= l->req_deals);
    return REWARDS_OK;
}

static int by_rank_desc(const void *a, const void *b)
{
    const rw_level *x = *(rw_level *const *)a, *y = *(rw_level *const *)b;
    return x->rank > y->rank ? -1 : x->rank < y->rank;
}

/*
 * Each partner moves to the highest-rank level it meets.  Levels are tried
 * from the highest rank down and the first met wins, so that what is
 * evaluated (and so whether a deal without an FX rate must be valued) does
 * not depend on the order the levels were created in.
 */
rewards_status rw_op_evaluate_levels(rw_ctx *c)
{
    rw_program *prog;
    int demote = 0;
    RW_TRY(rw_get_at(c));
    RW_TRY(rw_get_ref(c, "program", RW_REQUIRED, &c->e->programs, "program", (void **)&prog));
    RW_TRY(rw_get_bool(c, "demote", RW_OPTIONAL, &demote));
    size_t n = prog->levels.len;
    rw_level **levels = rw_malloc(&c->e->alloc, (n + 1) * sizeof *levels);
    if (!levels)
        return rw_nomem(c->e);
    if (n) {
        memcpy(levels, prog->levels.data, n * sizeof *levels);
        qsort(levels, n, sizeof *levels, by_rank_desc);
    }
    rewards_status st = REWARDS_OK;
    for (size_t i = 0; i < prog->partners.len && !st; i++) {
        rw_partner *p = RW_VEC_AT(prog->partners, rw_partner *, i);
        rw_level *best = NULL;
        for (size_t j = 0; j < n && !best && !st; j++) {
            int met = 0;
            st = requirements_met(c->e, p, levels[j], c->at, &met);
            if (met)
                best = levels[j];
        }
        if (!st && best && (best->rank > p->level->rank || (demote && best->rank < p->level->rank)))
            st = change_level(c->e, p, best, c->at);
    }
    rw_free(&c->e->alloc, levels);
    return st;
}
