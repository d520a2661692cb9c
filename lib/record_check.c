/*
 * record_check.c - a restored record passes the limits of the operation
 * that made it.
 *
 * Stored data is host data: a database edited by hand, a bug in a host, a
 * disk that flipped a bit (and a 1.0 host's set, which has no digest).  The
 * engine's arithmetic relies on what operations guarantee (times within the
 * years 0001-9999, rates 0-100%, day counts bounded, tiers from 0 and
 * ascending, amounts that are never negative where an operation refuses a
 * negative one); a stored value outside those ranges would later overflow a
 * signed computation.  So every restored record is checked against the same
 * rules, through the same helpers (rw_time_valid, rw_rate_valid, field_limits.h)
 * the operations use, and a violation is refused naming the record and the
 * field.  Enumerations, references and the decoding itself are checked by
 * record_decode.c as it reads.
 */
#include "ops.h"

#include <string.h>

typedef struct chk {
    rw_engine *e;
    const rw_rec *r;
    rewards_status st;
} chk;

static void bad(chk *c, const char *field, const char *why)
{
    if (c->st)
        return;
    char key[300];
    rw_record_key(c->r, key, sizeof key);
    c->st = rw_fail(c->e, REWARDS_INVALID_ARGUMENT, "%s record '%s' (sequence %llu): field '%s' %s",
                    rewards_record_kind_name((rewards_record_kind)rw_rec_kind(c->r)), key, (unsigned long long)c->r->seq,
                    field, why);
}

static void time_(chk *c, const char *field, int64_t t, int optional)
{
    if (!(optional && t == RW_NONE) && !rw_time_valid(t))
        bad(c, field, "is not a time in the years 0001 to 9999");
}

static void nonneg(chk *c, const char *field, int64_t v, int optional)
{
    if (!(optional && v == RW_NONE) && v < 0)
        bad(c, field, "is negative");
}

static void positive(chk *c, const char *field, int64_t v)
{
    if (v <= 0)
        bad(c, field, "is not positive");
}

static void id(chk *c, const char *field, const char *s)
{
    size_t n = strlen(s); /* ids are required fields: never NULL here */
    if (n < 1 || n > RW_ID_MAX || !rw_utf8_valid(s, n))
        bad(c, field, "is not an id of 1 to 255 bytes of UTF-8");
}

static void text(chk *c, const char *field, const char *s)
{
    if (s && !rw_utf8_valid(s, strlen(s)))
        bad(c, field, "is not UTF-8");
}

/* per, base, exclusive (SPEC section 13), as ops_reward.c's read_precedence takes them */
static void check_precedence(chk *c, const rw_reward *w)
{
    int stage_trigger = w->trigger >= RW_TRIG_REGISTERED && w->trigger <= RW_TRIG_CONTRACT_STARTED;
    if (w->per_line && !stage_trigger)
        bad(c, "per", "is line without a stage trigger");
    if (w->margin && !stage_trigger)
        bad(c, "base", "is margin without a stage trigger");
    if (!w->exclusive)
        return;
    id(c, "exclusive", w->exclusive);
    /* the first reward of the group, restored before this one, sets its trigger and per */
    const rw_reward *first = rw_exclusive_first(w->program, w->exclusive);
    if (first && (first->trigger != w->trigger || first->per_line != w->per_line ||
                  (w->trigger == RW_TRIG_ACTIVITY &&
                   (!first->activity_type || !w->activity_type || strcmp(first->activity_type, w->activity_type)))))
        bad(c, "exclusive", "names a group whose first reward has another trigger or per");
}

/* an override as override.c makes one: the parent's, a rate up to 100%, nothing else; 'of' lists
 * money rewards of the program that are not overrides, each once */
static void check_override(chk *c, const rw_reward *w)
{
    if (w->recipient != RW_TO_PARTNER)
        bad(c, "recipient", "is not partner for an override reward");
    if (w->activity_type)
        bad(c, "trigger", "is given for an override reward");
    if (w->period != RW_PERIOD_NONE)
        bad(c, "period", "is given for an override reward");
    if (w->cap_deal != RW_NONE)
        bad(c, "cap_per_deal", "is given for an override reward");
    if (w->cap_period != RW_NONE)
        bad(c, "cap_per_period", "is given for an override reward");
    if (w->when)
        bad(c, "when", "is given for an override reward");
    if (w->per_line || w->margin || w->exclusive)
        bad(c, "per", "(or base, exclusive) is given for an override reward");
    for (size_t i = 0; i < w->nof; i++) {
        const rw_reward *o = w->of[i];
        if (o->program != w->program || o->kind == RW_KIND_OVERRIDE || o->kind == RW_KIND_POINTS)
            bad(c, "of", "lists a reward of another program, an override or a points reward");
        for (size_t j = 0; j < i; j++)
            if (w->of[j] == o)
                bad(c, "of", "lists a reward twice");
    }
}

static void check_reward(chk *c, const rw_reward *w)
{
    id(c, "id", w->id);
    text(c, "name", w->name);
    if (w->clawback_days < 0 || w->clawback_days > RW_CLAWBACK_DAYS_MAX)
        bad(c, "clawback_days", "is outside 0 to 36600");
    if (!rw_rate_valid(w->rate_ppm))
        bad(c, "rate", "is not a rate of 0% to 100%");
    nonneg(c, "amount", w->amount, 0);
    nonneg(c, "points_per_unit", w->ppu_micro, 1);
    for (size_t i = 0; i < w->ntiers; i++) {
        if (!rw_rate_valid(w->tiers[i].ppm))
            bad(c, "tiers.rate", "is not a rate of 0% to 100%");
        if (i == 0 ? w->tiers[i].from != 0 : w->tiers[i].from <= w->tiers[i - 1].from)
            bad(c, "tiers.from", "does not start at 0 and ascend strictly");
    }
    if (w->kind == RW_KIND_TIERED && !w->ntiers)
        bad(c, "tiers", "is empty for a tiered reward");
    for (size_t i = 0; i < w->nthresholds; i++) {
        positive(c, "thresholds.at", w->thresholds[i].at);
        if (i > 0 && w->thresholds[i].at <= w->thresholds[i - 1].at)
            bad(c, "thresholds.at", "does not ascend strictly");
        nonneg(c, "thresholds.bonus", w->thresholds[i].bonus, 0);
    }
    if (w->kind == RW_KIND_MILESTONE && !w->nthresholds)
        bad(c, "thresholds", "is empty for a milestone reward");
    nonneg(c, "cap_per_deal", w->cap_deal, 1);
    nonneg(c, "cap_per_period", w->cap_period, 1);
    time_(c, "active_from", w->active_from, 1);
    time_(c, "active_until", w->active_until, 1);
    if (w->active_from != RW_NONE && w->active_until != RW_NONE && w->active_until <= w->active_from)
        bad(c, "active_until", "is not after active_from");
    check_precedence(c, w);
    if (w->kind == RW_KIND_OVERRIDE)
        check_override(c, w);
}

/* A deal's lines, as lines.c reads them: 1 to 1000 (the decoder's bound), ids of 1 to 255 bytes
 * unique within the deal, a product of at most 255 bytes of UTF-8, amounts, costs and units never
 * negative, and the deal's amount and units the sums of its lines' (costs summing in 64 bits). */
static void check_lines(chk *c, const rw_deal *d)
{
    int64_t amount = 0, cost = 0, units = 0;
    int over = 0;
    for (size_t i = 0; i < d->nlines; i++) {
        const rw_deal_line *l = &d->lines[i];
        id(c, "lines.id", l->id);
        for (size_t j = 0; j < i; j++) /* quadratic, but at most 1000 lines and only at restore */
            if (!strcmp(d->lines[j].id, l->id))
                bad(c, "lines.id", "is given twice in the deal");
        if (strlen(l->product) > 255 || !rw_utf8_valid(l->product, strlen(l->product)))
            bad(c, "lines.product", "is not at most 255 bytes of UTF-8");
        nonneg(c, "lines.amount", l->amount, 0);
        nonneg(c, "lines.cost", l->cost, 0);
        nonneg(c, "lines.units", l->units, 0);
        over |= rw_add(amount, l->amount, &amount) | rw_add(cost, l->cost, &cost) | rw_add(units, l->units, &units);
    }
    if (!d->nlines)
        return;
    if (over)
        bad(c, "lines", "sum past 64 bits");
    if (amount != d->amount)
        bad(c, "amount", "is not the sum of the line amounts");
    if (units != d->units)
        bad(c, "units", "is not the sum of the line units");
}

static void check_deal(chk *c, const rw_deal *d)
{
    id(c, "id", d->id);
    nonneg(c, "amount", d->amount, 0);
    nonneg(c, "units", d->units, 0);
    time_(c, "registered_at", d->registered_at, 0);
    time_(c, "won_at", d->won_at, 1);
    time_(c, "closed_at", d->closed_at, 1);
    if (d->won_at != RW_NONE && d->won_at < d->registered_at)
        bad(c, "won_at", "is before registered_at");
    if (d->closed_at != RW_NONE && d->closed_at < d->registered_at)
        bad(c, "closed_at", "is before registered_at");
    if (d->user && d->user->partner != d->partner)
        bad(c, "user", "belongs to another partner");
    check_lines(c, d);
}

/* activity.c: an amount comes with a money currency; without one, 0 in the program currency */
static void check_activity(chk *c, const rw_deal *a)
{
    text(c, "type", a->activity_type);
    if (a->has_amount && !strcmp(a->currency, "PTS"))
        bad(c, "currency", "is points for an activity's amount");
    if (!a->has_amount && strcmp(a->currency, a->partner->program->currency))
        bad(c, "currency", "is not the program currency for an activity without an amount");
    if (!a->has_amount && a->amount != 0)
        bad(c, "amount", "is not 0 for an activity without an amount");
}

rewards_status rw_record_check(rw_engine *e, const rw_rec *r)
{
    chk c = { e, r, REWARDS_OK };
    switch ((rw_kind)rw_rec_kind(r)) {
    case RW_KIND_META:
        time_(&c, "clock", ((const rw_meta *)r)->clock, 1);
        break;
    case RW_KIND_CURRENCY: {
        const rw_currency *k = (const rw_currency *)r;
        for (int i = 0; i < 3; i++)
            if (k->code[i] < 'A' || k->code[i] > 'Z')
                bad(&c, "code", "is not three capital letters");
        break;
    }
    case RW_KIND_PROGRAM: {
        const rw_program *p = (const rw_program *)r;
        id(&c, "id", p->id);
        text(&c, "name", p->name);
        if (!strcmp(p->currency, "PTS"))
            bad(&c, "currency", "is points, not money");
        break;
    }
    case RW_KIND_LEVEL: {
        const rw_level *l = (const rw_level *)r;
        id(&c, "id", l->id);
        text(&c, "name", l->name);
        if (l->rank == INT64_MIN)
            bad(&c, "rank", "is out of range");
        nonneg(&c, "requires.revenue", l->req_revenue, 1);
        nonneg(&c, "requires.deals", l->req_deals, 1);
        if (l->window == RW_WINDOW_TRAILING ? l->window_days < 1 || l->window_days > RW_WINDOW_DAYS_MAX
                                            : l->window_days != 0)
            bad(&c, "window_days", "is outside 1 to 3660000 for a trailing window, or not 0 for another");
        break;
    }
    case RW_KIND_REWARD:
        check_reward(&c, (const rw_reward *)r);
        break;
    case RW_KIND_PARTNER: {
        const rw_partner *p = (const rw_partner *)r;
        id(&c, "id", p->id);
        text(&c, "name", p->name);
        if (p->level->program != p->program)
            bad(&c, "level", "belongs to another program");
        /* never itself: the decoder finds a parent among the partners restored before */
        if (p->parent && p->parent->program != p->program)
            bad(&c, "parent", "is a partner of another program");
        break;
    }
    case RW_KIND_USER: {
        const rw_user *u = (const rw_user *)r;
        id(&c, "id", u->id);
        text(&c, "name", u->name);
        text(&c, "email", u->email);
        break;
    }
    case RW_KIND_FX: {
        const rw_fx *f = (const rw_fx *)r;
        if (rw_engine_currency_exp(e, f->from) < 0 || rw_engine_currency_exp(e, f->to) < 0 || !strcmp(f->from, f->to) ||
            !strcmp(f->from, "PTS") || !strcmp(f->to, "PTS"))
            bad(&c, "from", "and 'to' are not two different money currencies");
        positive(&c, "rate", f->rate);
        time_(&c, "at", f->at, 0);
        break;
    }
    case RW_KIND_DEAL:
    case RW_KIND_ACTIVITY: /* an activity is kept as a deal (activity.c) */
        check_deal(&c, (const rw_deal *)r);
        if (rw_rec_kind(r) == RW_KIND_ACTIVITY && (!((const rw_deal *)r)->activity_type ||
                                            !*((const rw_deal *)r)->activity_type ||
                                            strlen(((const rw_deal *)r)->activity_type) > 255))
            bad(&c, "type", "is not 1 to 255 bytes");
        if (rw_rec_kind(r) == RW_KIND_ACTIVITY)
            check_activity(&c, (const rw_deal *)r);
        break;
    case RW_KIND_LEVEL_CHANGE: {
        const rw_level_change *l = (const rw_level_change *)r;
        time_(&c, "at", l->at, 0);
        if (l->to->program != l->partner->program || (l->from && l->from->program != l->partner->program))
            bad(&c, "to", "is a level of another program");
        break;
    }
    case RW_KIND_CONTRIB: {
        const rw_contrib *k = (const rw_contrib *)r;
        time_(&c, "at", k->at, 0);
        /* an override's mirror keeps the child's net mirrored so far there, which may be negative
         * (a child entry corrected after its recipient changed starts a new key) */
        if (!rw_contrib_covered(k))
            nonneg(&c, "base", k->base, 0);
        nonneg(&c, "fx_rate", rw_contrib_fx_rate(k), 0);
        /* a per-line reward's contribution names a line of its deal (lines.c); none else has one */
        if (k->line < -1 || (k->line >= 0 && (!k->reward->per_line || (uint64_t)k->line >= rw_deal_line_count(k->deal))))
            bad(&c, "line", "is not a line of the deal of a per-line reward");
        break;
    }
    case RW_KIND_RUN: {
        const rw_run *run = (const rw_run *)r;
        id(&c, "id", run->id);
        time_(&c, "at", run->at, 0);
        time_(&c, "until", run->until, 0);
        break;
    }
    case RW_KIND_LINE: {
        const rw_line *l = (const rw_line *)r;
        positive(&c, "amount", l->amount);
        positive(&c, "entries", l->count);
        break;
    }
    case RW_KIND_ENTRY: {
        const rw_entry *en = (const rw_entry *)r;
        time_(&c, "earned_at", en->earned_at, 0);
        if (en->status == RW_ST_PAID && !en->run)
            bad(&c, "payout", "is missing for a paid entry");
        if (rw_entry_adjust_id(en)) /* a manual entry (adjust.c) */
            id(&c, "id", rw_entry_adjust_id(en));
        text(&c, "note", rw_entry_note(en));
        if (en->type == RW_ENTRY_MANUAL && en->extra->foreign)
            bad(&c, "currency", "is neither the program currency nor PTS for a manual entry");
        if (en->type == RW_ENTRY_MANUAL && (en->amount == 0 || (rw_entry_points(en) && en->amount < 0)))
            bad(&c, "amount", "is zero, or negative points, for a manual entry");
        if (en->type == RW_ENTRY_MANUAL) { /* adjust.c's rules (its currency: record_decode.c) */
            if (en->to_user && en->to_user->partner != en->partner)
                bad(&c, "user", "belongs to another partner");
            if (rw_entry_deal(en) && rw_entry_deal(en)->partner != en->partner)
                bad(&c, "deal", "belongs to another partner");
        }
        break;
    }
    case RW_KIND_EVENT_ID: {
        const rw_event_id *ev = (const rw_event_id *)r;
        id(&c, "id", ev->id);
        break;
    }
    default: /* a kind added later checks its fields here (its decoder checks its references) */
        break;
    }
    return c.st;
}
