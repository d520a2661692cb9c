/*
 * listing.c - the 1.1 read-only API: every collection listed by count and
 * index (the ledger's convention), and the accessors a host needs to show
 * what it defined and what was paid: a deal's currency, a run's time,
 * cut-off and per-currency totals, a line's partner, a reward's kind and
 * its parameters.
 *
 * A reward's parameters are read through ONE text accessor keyed by the
 * reward operation's own field paths, so the ABI does not grow with every
 * reward field: a new field is one line in the table below (and, when it
 * has a new shape, one small formatter).  The text is what the scenario
 * format writes, so a host can show or re-send a definition unchanged.
 */
#include "ops.h"

#include <stdio.h>
#include <string.h>

/* ---- collections ---------------------------------------------------------- */

#define LIST(count_fn, at_fn, type, kind)                                              \
    size_t count_fn(const rewards_engine *e) { return e ? RW_COUNT(e, kind) : 0; }     \
    const type *at_fn(const rewards_engine *e, size_t i)                               \
    {                                                                                  \
        return e && i < RW_COUNT(e, kind) ? (const type *)RW_REC_AT(e, kind, rw_rec, i) : NULL;   \
    }
LIST(rewards_engine_program_count, rewards_engine_program, rewards_program, RW_KIND_PROGRAM)
LIST(rewards_engine_level_count, rewards_engine_level, rewards_level, RW_KIND_LEVEL)
LIST(rewards_engine_reward_count, rewards_engine_reward, rewards_reward, RW_KIND_REWARD)
LIST(rewards_engine_partner_count, rewards_engine_partner, rewards_partner, RW_KIND_PARTNER)
LIST(rewards_engine_user_count, rewards_engine_user, rewards_user, RW_KIND_USER)
LIST(rewards_engine_deal_count, rewards_engine_deal, rewards_deal, RW_KIND_DEAL)
LIST(rewards_engine_payout_count, rewards_engine_payout, rewards_payout, RW_KIND_RUN)

#define PROGRAM(x) ((const rw_program *)(x))
#define LEVEL(x) ((const rw_level *)(x))
#define REWARD(x) ((const rw_reward *)(x))
#define PARTNER(x) ((const rw_partner *)(x))
#define DEAL(x) ((const rw_deal *)(x))
#define RUN(x) ((const rw_run *)(x))
#define LINE(x) ((const rw_line *)(x))

size_t rewards_partner_deal_count(const rewards_partner *p) { return p ? PARTNER(p)->deals.len : 0; }
const rewards_deal *rewards_partner_deal(const rewards_partner *p, size_t i)
{
    return p && i < PARTNER(p)->deals.len ? (const rewards_deal *)RW_VEC_AT(PARTNER(p)->deals, rw_deal *, i) : NULL;
}

/* ---- programs, levels, partners, deals ------------------------------------ */

const char *rewards_program_name(const rewards_program *p) { return p ? PROGRAM(p)->name : NULL; }
const char *rewards_level_name(const rewards_level *l) { return l ? LEVEL(l)->name : NULL; }
const rewards_program *rewards_level_program(const rewards_level *l)
{
    return l ? (const rewards_program *)LEVEL(l)->program : NULL;
}
const rewards_partner *rewards_partner_parent(const rewards_partner *p)
{
    return p ? (const rewards_partner *)PARTNER(p)->parent : NULL;
}
const rewards_program *rewards_partner_program(const rewards_partner *p)
{
    return p ? (const rewards_program *)PARTNER(p)->program : NULL;
}
const char *rewards_deal_currency(const rewards_deal *d) { return d ? DEAL(d)->currency : NULL; }
int64_t rewards_deal_units(const rewards_deal *d) { return d ? DEAL(d)->units : 0; }
int64_t rewards_deal_registered_at(const rewards_deal *d) { return d ? DEAL(d)->registered_at : 0; }

/* Deal lines: the deal's array is amended in place (never reallocated), so a
 * line handle stays valid as long as the engine. */
#define DLINE(x) ((const rw_deal_line *)(x))
size_t rewards_deal_line_count(const rewards_deal *d) { return d ? DEAL(d)->nlines : 0; }
const rewards_deal_line *rewards_deal_line_at(const rewards_deal *d, size_t i)
{
    return d && i < DEAL(d)->nlines ? (const rewards_deal_line *)&DEAL(d)->lines[i] : NULL;
}
const char *rewards_deal_line_id(const rewards_deal_line *l) { return l ? DLINE(l)->id : NULL; }
const char *rewards_deal_line_product(const rewards_deal_line *l) { return l ? DLINE(l)->product : NULL; }
int64_t rewards_deal_line_amount(const rewards_deal_line *l) { return l ? DLINE(l)->amount : 0; }
int64_t rewards_deal_line_cost(const rewards_deal_line *l) { return l ? DLINE(l)->cost : 0; }
int64_t rewards_deal_line_units(const rewards_deal_line *l) { return l ? DLINE(l)->units : 0; }

/* ---- payout runs ------------------------------------------------------------ */

int64_t rewards_payout_at(const rewards_payout *p) { return p ? RUN(p)->at : 0; }
int64_t rewards_payout_until(const rewards_payout *p) { return p ? RUN(p)->until : 0; }

static const rw_line *line_of(const rw_run *run, size_t i) { return RW_VEC_AT(run->lines, rw_line *, i); }

/* Index of the first line of the line's currency: the currency's first appearance. */
static int first_of_currency(const rw_run *run, size_t i)
{
    for (size_t j = 0; j < i; j++)
        if (!strcmp(line_of(run, j)->currency, line_of(run, i)->currency))
            return 0;
    return 1;
}

size_t rewards_payout_currency_count(const rewards_payout *p)
{
    size_t n = 0;
    for (size_t i = 0; p && i < RUN(p)->lines.len; i++)
        n += (size_t)first_of_currency(RUN(p), i);
    return n;
}

const char *rewards_payout_currency(const rewards_payout *p, size_t index)
{
    for (size_t i = 0; p && i < RUN(p)->lines.len; i++)
        if (first_of_currency(RUN(p), i) && index-- == 0)
            return line_of(RUN(p), i)->currency;
    return NULL;
}

rewards_status rewards_payout_total(const rewards_payout *p, const char *currency, int64_t *out)
{
    if (!p || !currency || !out)
        return REWARDS_MISUSE;
    int64_t sum = 0;
    for (size_t i = 0; i < RUN(p)->lines.len; i++)
        if (!strcmp(line_of(RUN(p), i)->currency, currency) && rw_add(sum, line_of(RUN(p), i)->amount, &sum))
            return REWARDS_OVERFLOW;
    *out = sum;
    return REWARDS_OK;
}

const rewards_partner *rewards_payout_line_partner(const rewards_payout_line *l)
{
    return l ? (const rewards_partner *)LINE(l)->partner : NULL;
}
const rewards_user *rewards_payout_line_user(const rewards_payout_line *l)
{
    return l && LINE(l)->to == RW_TO_SALES_REP ? (const rewards_user *)LINE(l)->user : NULL;
}
const rewards_payout *rewards_payout_line_payout(const rewards_payout_line *l)
{
    return l ? (const rewards_payout *)LINE(l)->run : NULL;
}

/* ---- rewards ---------------------------------------------------------------- */

/* The reward operation's words for the stored enums (same order as ops_reward.c). */
static const char *const kind_names[] = { "percent", "fixed", "tiered", "milestone", "points", "override" };
static const char *const policy_names[] = { "hold", "partner", "skip" };
static const char *const period_names[] = { "", "month", "quarter", "year" };
static const char *const metric_names[] = { "revenue", "deals", "units" };
#define NAME(table, i) ((size_t)(i) < sizeof table / sizeof table[0] ? table[i] : "unknown")

const char *rewards_reward_kind(const rewards_reward *r) { return r ? NAME(kind_names, REWARD(r)->kind) : NULL; }
const char *rewards_reward_trigger(const rewards_reward *r)
{
    if (!r)
        return NULL;
    /* an activity:TYPE trigger is "activity" here; the param "trigger" gives "activity:TYPE";
     * an override fires on its children's entries, not on a trigger: "" */
    if (REWARD(r)->kind == RW_KIND_OVERRIDE)
        return "";
    return REWARD(r)->trigger == RW_TRIG_ACTIVITY ? "activity" : rw_trigger_names[REWARD(r)->trigger];
}
const char *rewards_reward_recipient(const rewards_reward *r)
{
    return r ? rw_recipient_names[REWARD(r)->recipient] : NULL;
}
const rewards_level *rewards_reward_level(const rewards_reward *r)
{
    return r ? (const rewards_level *)REWARD(r)->level : NULL;
}
const rewards_program *rewards_reward_program(const rewards_reward *r)
{
    return r ? (const rewards_program *)REWARD(r)->program : NULL;
}

/*
 * Formatting.  Every formatter writes one field's text into t (a buffer of
 * TEXT_MAX bytes, or the field's own string through *s) and returns 1, or 0
 * when this reward has no such field.  i is the list index for list items.
 */
#define TEXT_MAX 300 /* "activity:" and a type of up to 255 bytes */
typedef struct {
    char t[TEXT_MAX];
    const char *s; /* a longer text (the condition), pointed to instead of copied */
} param_text;
typedef int (*param_fn)(const rw_reward *r, size_t i, param_text *out);

/* value / 10^exp without trailing zeros ("12.5", "3"), plus a suffix. */
static int decimal(int64_t value, int exp, const char *suffix, param_text *out)
{
    if (rw_amount_format(value, exp, out->t, sizeof out->t) < 0)
        return 0;
    if (strchr(out->t, '.')) {
        size_t n = strlen(out->t);
        while (out->t[n - 1] == '0')
            out->t[--n] = '\0';
        if (out->t[n - 1] == '.')
            out->t[--n] = '\0';
    }
    strncat(out->t, suffix, sizeof out->t - strlen(out->t) - 1);
    return 1;
}
static int amount(int64_t minor, int exp, param_text *out)
{
    return minor != RW_NONE && rw_amount_format(minor, exp, out->t, sizeof out->t) >= 0;
}
static int rate(int64_t ppm, param_text *out) { return decimal(ppm, 4, "%", out); } /* ppm = percent x 10^4 */
static int word(const char *w, param_text *out)
{
    if (!w || !*w)
        return 0;
    out->s = w;
    return 1;
}
static int time_text(int64_t t, param_text *out) { return t != RW_NONE && rw_time_format(t, out->t, sizeof out->t) >= 0; }
static int integer(int64_t v, param_text *out) { return snprintf(out->t, sizeof out->t, "%lld", (long long)v) > 0; }
#define IS(kind_) (r->kind == (kind_))

static int p_rate(const rw_reward *r, size_t i, param_text *o)
{
    (void)i;
    return (IS(RW_KIND_PERCENT) || IS(RW_KIND_OVERRIDE)) && rate(r->rate_ppm, o);
}
static int p_trigger(const rw_reward *r, size_t i, param_text *o)
{
    (void)i;
    if (IS(RW_KIND_OVERRIDE))
        return 0;
    if (r->trigger != RW_TRIG_ACTIVITY)
        return word(rw_trigger_names[r->trigger], o);
    return snprintf(o->t, sizeof o->t, "activity:%s", r->activity_type ? r->activity_type : "") > 0;
}
static int p_of(const rw_reward *r, size_t i, param_text *o)
{
    (void)i;
    return IS(RW_KIND_OVERRIDE) && r->nof > 0 && integer((int64_t)r->nof, o);
}
static int p_of_item(const rw_reward *r, size_t i, param_text *o)
{
    return IS(RW_KIND_OVERRIDE) && i < r->nof && word(r->of[i]->id, o);
}
static int p_amount(const rw_reward *r, size_t i, param_text *o)
{
    (void)i;
    return IS(RW_KIND_FIXED) && amount(r->amount, r->program->exp, o);
}
static int p_points(const rw_reward *r, size_t i, param_text *o)
{
    (void)i;
    return IS(RW_KIND_POINTS) && r->ppu_micro == RW_NONE && amount(r->amount, 0, o);
}
static int p_ppu(const rw_reward *r, size_t i, param_text *o)
{
    (void)i;
    return IS(RW_KIND_POINTS) && r->ppu_micro != RW_NONE && decimal(r->ppu_micro, 6, "", o);
}
static int p_period(const rw_reward *r, size_t i, param_text *o) { (void)i; return word(NAME(period_names, r->period), o); }
static int p_mode(const rw_reward *r, size_t i, param_text *o)
{
    (void)i;
    return IS(RW_KIND_TIERED) && word(r->retroactive ? "retroactive" : "graduated", o);
}
static int p_metric(const rw_reward *r, size_t i, param_text *o)
{
    (void)i;
    return IS(RW_KIND_MILESTONE) && word(NAME(metric_names, r->metric), o);
}
static int p_policy(const rw_reward *r, size_t i, param_text *o) { (void)i; return word(NAME(policy_names, r->policy), o); }
static int p_clawback(const rw_reward *r, size_t i, param_text *o) { (void)i; return integer(r->clawback_days, o); }
static int p_auto(const rw_reward *r, size_t i, param_text *o) { (void)i; return word(r->auto_approve ? "true" : "false", o); }
static int p_cap_deal(const rw_reward *r, size_t i, param_text *o) { (void)i; return amount(r->cap_deal, r->program->exp, o); }
static int p_cap_period(const rw_reward *r, size_t i, param_text *o)
{
    (void)i;
    return amount(r->cap_period, r->program->exp, o);
}
static int p_per(const rw_reward *r, size_t i, param_text *o) { (void)i; return word(r->per_line ? "line" : "deal", o); }
static int p_base(const rw_reward *r, size_t i, param_text *o) { (void)i; return word(r->margin ? "margin" : "amount", o); }
static int p_exclusive(const rw_reward *r, size_t i, param_text *o) { (void)i; return word(r->exclusive, o); }
static int p_priority(const rw_reward *r, size_t i, param_text *o) { (void)i; return integer(r->priority, o); }
static int p_when(const rw_reward *r, size_t i, param_text *o) { (void)i; return word(r->when, o); }
static int p_from(const rw_reward *r, size_t i, param_text *o) { (void)i; return time_text(r->active_from, o); }
static int p_until(const rw_reward *r, size_t i, param_text *o) { (void)i; return time_text(r->active_until, o); }
static int p_tiers(const rw_reward *r, size_t i, param_text *o) { (void)i; return IS(RW_KIND_TIERED) && integer((int64_t)r->ntiers, o); }
static int p_tier_from(const rw_reward *r, size_t i, param_text *o)
{
    return IS(RW_KIND_TIERED) && i < r->ntiers && amount(r->tiers[i].from, r->program->exp, o);
}
static int p_tier_rate(const rw_reward *r, size_t i, param_text *o)
{
    return IS(RW_KIND_TIERED) && i < r->ntiers && rate(r->tiers[i].ppm, o);
}
static int p_thresholds(const rw_reward *r, size_t i, param_text *o)
{
    (void)i;
    return IS(RW_KIND_MILESTONE) && integer((int64_t)r->nthresholds, o);
}
static int p_threshold_at(const rw_reward *r, size_t i, param_text *o)
{
    return IS(RW_KIND_MILESTONE) && i < r->nthresholds &&
           amount(r->thresholds[i].at, r->metric == RW_METRIC_REVENUE ? r->program->exp : 0, o);
}
static int p_threshold_bonus(const rw_reward *r, size_t i, param_text *o)
{
    return IS(RW_KIND_MILESTONE) && i < r->nthresholds && amount(r->thresholds[i].bonus, r->program->exp, o);
}

/*
 * The fields, by the reward operation's path; "N" stands for a list index
 * ("tiers.N.from" answers "tiers.0.from", "tiers.1.from" ...).  The order
 * is the one rewards_reward_param_name() lists.  Adding a reward field is
 * adding a line here.
 */
static const struct {
    const char *path;
    param_fn fn;
} params[] = {
    { "rate", p_rate },
    { "amount", p_amount },
    { "points", p_points },
    { "points_per_unit", p_ppu },
    { "period", p_period },
    { "mode", p_mode },
    { "metric", p_metric },
    { "tiers", p_tiers },
    { "tiers.N.from", p_tier_from },
    { "tiers.N.rate", p_tier_rate },
    { "thresholds", p_thresholds },
    { "thresholds.N.at", p_threshold_at },
    { "thresholds.N.bonus", p_threshold_bonus },
    { "rep_policy", p_policy },
    { "clawback_days", p_clawback },
    { "auto_approve", p_auto },
    { "cap_per_deal", p_cap_deal },
    { "cap_per_period", p_cap_period },
    { "when", p_when },
    { "active_from", p_from },
    { "active_until", p_until },
    { "per", p_per },
    { "base", p_base },
    { "exclusive", p_exclusive },
    { "priority", p_priority },
    { "trigger", p_trigger },
    { "of", p_of },
    { "of.N", p_of_item },
};
#define NPARAMS (sizeof params / sizeof params[0])

size_t rewards_reward_param_count(void) { return NPARAMS; }
const char *rewards_reward_param_name(size_t index) { return index < NPARAMS ? params[index].path : NULL; }

/*
 * "tiers.12.from" -> list "tiers" (length 5), index 12, name "from"; an
 * item of a list of plain values, "of.3", has the name "".  0 when the
 * path is not that shape (the index: digits, no leading zero).
 */
static int split_item(const char *path, size_t *list_len, size_t *index, const char **name)
{
    const char *d1 = strchr(path, '.');
    if (!d1 || d1 == path)
        return 0;
    const char *d2 = strchr(d1 + 1, '.');
    const char *end = d2 ? d2 : d1 + 1 + strlen(d1 + 1);
    size_t digits = (size_t)(end - d1 - 1);
    if (digits == 0 || digits > 9 || (digits > 1 && d1[1] == '0'))
        return 0;
    size_t v = 0;
    for (const char *c = d1 + 1; c < end; c++) {
        if (*c < '0' || *c > '9')
            return 0;
        v = v * 10 + (size_t)(*c - '0');
    }
    *list_len = (size_t)(d1 - path);
    *index = v;
    *name = d2 ? d2 + 1 : "";
    return 1;
}

/*
 * Does the table's path pattern answer the request (an item request is
 * split already)?  "tiers.N.from" answers "tiers.<i>.from"; "of.N" (a list
 * of plain values) answers "of.<i>".
 */
static int matches(const char *pattern, const char *path, int item, size_t list_len, const char *name)
{
    const char *n = strstr(pattern, ".N");
    if (!n || (n[2] != '.' && n[2] != '\0'))
        return !item && strcmp(pattern, path) == 0;
    return item && (size_t)(n - pattern) == list_len && strncmp(pattern, path, list_len) == 0 &&
           strcmp(n[2] ? n + 3 : "", name) == 0;
}

rewards_status rewards_reward_param(const rewards_reward *reward, const char *path, char *buf, size_t size)
{
    if (!reward || !path || !buf || size == 0)
        return REWARDS_MISUSE;
    buf[0] = '\0';
    const rw_reward *r = REWARD(reward);
    size_t list_len = 0, index = 0;
    const char *name = path;
    int item = split_item(path, &list_len, &index, &name);
    for (size_t k = 0; k < NPARAMS; k++) {
        if (!matches(params[k].path, path, item, list_len, name))
            continue;
        param_text text = { { 0 }, NULL };
        if (!params[k].fn(r, index, &text))
            return REWARDS_NOT_FOUND;
        const char *s = text.s ? text.s : text.t;
        size_t n = strlen(s);
        if (n >= size)
            return REWARDS_INVALID_ARGUMENT;
        memcpy(buf, s, n + 1);
        return REWARDS_OK;
    }
    return REWARDS_NOT_FOUND;
}

/* ---- currencies ----------------------------------------------------------- */

/* A host that stores amounts as decimals (pg-host's NUMERIC column) needs the
 * exponent of every currency an entry can carry, including one the host
 * registered with the currency operation, which rewards_amount_format()
 * (ISO 4217 and PTS only, no engine) does not know. */
int rewards_engine_currency_exponent(const rewards_engine *e, const char *code)
{
    if (!e || !code)
        return -1;
    return rw_engine_currency_exp(e, code);
}
