/*
 * lines.c - deal lines (SPEC section 13): reading a deal's lines, amending
 * them, and the bases and units a contribution takes from them.
 *
 * A deal gives either an amount or 1-1000 lines {id, product, amount,
 * [cost], [units], [attrs]}; with lines its amount and units are the sums
 * of its lines'.  A deal without lines behaves as one line (id "", product
 * "", its amount, cost 0, its units), which is what rw_deal_base and
 * rw_deal_line_units give for line 0 of such a deal.  Everything about a
 * line is checked with the 'lines' field (SPEC section 11 order): each line
 * fully (shape, then its fields in order, a duplicate id with the id), then
 * the sums, whose overflow is reported at 'lines'.
 *
 * An amendment restates every line whole (an omitted cost or units is 0)
 * and changes lines in place, each saved in the journal first, so that a
 * one-line change of a 1,000-line deal writes one line.
 */
#include "ops.h"

#include <stdio.h>
#include <string.h>

static const char *const line_keys[] = { "id", "product", "amount", "cost", "units", "attrs", NULL };

/* A throw-away hash set of line ids (indexes into the node list), built per call. */
typedef struct idset {
    const char **keys;
    size_t *vals;
    size_t cap;
} idset;

static int idset_init(rw_engine *e, idset *s, size_t n)
{
    s->cap = 16;
    while (s->cap < n * 2)
        s->cap *= 2;
    s->keys = rw_calloc(&e->alloc, s->cap, sizeof *s->keys);
    s->vals = rw_calloc(&e->alloc, s->cap, sizeof *s->vals);
    if (!s->keys || !s->vals) {
        rw_free(&e->alloc, s->keys);
        rw_free(&e->alloc, s->vals);
        return -1;
    }
    return 0;
}

static void idset_free(rw_engine *e, idset *s)
{
    rw_free(&e->alloc, s->keys);
    rw_free(&e->alloc, s->vals);
}

/* The slot of key: where it is, or the empty slot where it would go. */
static size_t idset_slot(const idset *s, const char *key)
{
    size_t i = (size_t)rw_hash(key, strlen(key)) & (s->cap - 1);
    while (s->keys[i] && strcmp(s->keys[i], key))
        i = (i + 1) & (s->cap - 1);
    return i;
}

static rewards_status line_ctx(rw_ctx *c, const rw_node *item, size_t i, char *prefix, size_t size, rw_ctx *sub)
{
    if (item->type != RW_V_OBJECT)
        return rw_fail(c->e, REWARDS_INVALID_ARGUMENT, "field 'lines.%zu' must be an object", i);
    snprintf(prefix, size, "lines.%zu.", i);
    for (size_t k = 0; k < item->nkids; k++) {
        int known = 0;
        for (size_t j = 0; !known && line_keys[j]; j++)
            known = !strcmp(item->kids[k].key, line_keys[j]);
        if (!known)
            return rw_fail(c->e, REWARDS_INVALID_ARGUMENT, "unknown field 'lines.%zu.%s' in a deal line", i,
                           item->kids[k].key);
    }
    *sub = *c;
    sub->obj = item;
    sub->prefix = prefix;
    return REWARDS_OK;
}

static rewards_status lines_list(rw_ctx *c, const rw_node **out)
{
    RW_TRY(rw_field(c, "lines", RW_REQUIRED, out));
    if ((*out)->type != RW_V_LIST)
        return rw_fail(c->e, REWARDS_INVALID_ARGUMENT, "field 'lines' must be a list, not %s", rw_vtype_name((*out)->type));
    if ((*out)->nkids == 0)
        return rw_fail(c->e, REWARDS_INVALID_ARGUMENT, "field 'lines' must be a non-empty list");
    if ((*out)->nkids > 1000)
        return rw_fail(c->e, REWARDS_INVALID_ARGUMENT, "field 'lines' has more than 1000 lines");
    return REWARDS_OK;
}

/* The optional cost and units of a line (0 when absent). */
static rewards_status cost_units(rw_ctx *sub, int exp, int64_t *cost, int64_t *units)
{
    RW_TRY(rw_get_amount(sub, "cost", RW_OPTIONAL, exp, 0, cost));
    if (*cost == RW_NONE)
        *cost = 0;
    *units = 0;
    return rw_get_int(sub, "units", RW_OPTIONAL, 0, INT64_MAX, units);
}

static rewards_status sums_overflow(rw_ctx *c, const char *what)
{
    return rw_fail(c->e, REWARDS_OVERFLOW, "field 'lines': the sum of the line %s does not fit in 64 bits", what);
}

static rewards_status read_lines(rw_ctx *c, rw_deal *d, const rw_node *list, idset *ids)
{
    rw_engine *e = c->e;
    size_t n = list->nkids;
    rw_deal_line *lines = rw_new(e, n * sizeof *lines);
    if (!lines)
        return rw_nomem(e);
    int64_t amount = 0, cost = 0, units = 0;
    int over_a = 0, over_c = 0, over_u = 0;
    for (size_t i = 0; i < n; i++) {
        char prefix[40];
        rw_ctx sub;
        const char *id, *product;
        rw_deal_line *l = &lines[i];
        RW_TRY(line_ctx(c, &list->kids[i], i, prefix, sizeof prefix, &sub));
        RW_TRY(rw_get_id(&sub, "id", &id));
        size_t slot = idset_slot(ids, id);
        if (ids->keys[slot])
            return rw_fail(e, REWARDS_INVALID_ARGUMENT, "field '%sid': line '%s' is given twice", prefix, id);
        ids->keys[slot] = id;
        RW_TRY(rw_get_str(&sub, "product", RW_REQUIRED, &product));
        if (strlen(product) > 255)
            return rw_fail(e, REWARDS_INVALID_ARGUMENT, "field '%sproduct' is longer than 255 bytes", prefix);
        RW_TRY(rw_get_amount(&sub, "amount", RW_REQUIRED, d->exp, 0, &l->amount));
        RW_TRY(cost_units(&sub, d->exp, &l->cost, &l->units));
        RW_TRY(rw_get_attrs(&sub, "attrs", &l->attrs));
        if (!(l->id = rw_new_str(e, id, strlen(id))) || !(l->product = rw_new_str(e, product, strlen(product))))
            return rw_nomem(e);
        over_a |= rw_add(amount, l->amount, &amount);
        over_c |= rw_add(cost, l->cost, &cost);
        over_u |= rw_add(units, l->units, &units);
    }
    if (over_a)
        return sums_overflow(c, "amounts");
    if (over_c)
        return sums_overflow(c, "costs");
    if (over_u)
        return sums_overflow(c, "units");
    d->lines = lines;
    d->nlines = n;
    d->amount = amount;
    d->cost = cost;
    d->units = units;
    return REWARDS_OK;
}

rewards_status rw_read_deal_lines(rw_ctx *c, rw_deal *d)
{
    const rw_node *list;
    RW_TRY(lines_list(c, &list));
    idset ids;
    if (idset_init(c->e, &ids, list->nkids))
        return rw_nomem(c->e);
    rewards_status st = read_lines(c, d, list, &ids);
    idset_free(c->e, &ids);
    return st;
}

static int attrs_equal(const rw_attrs *a, const rw_attrs *b)
{
    size_t na = a ? a->n : 0, nb = b ? b->n : 0;
    if (na != nb)
        return 0;
    for (size_t i = 0; i < na; i++)
        if (strcmp(a->items[i].name, b->items[i].name) || a->items[i].type != b->items[i].type ||
            strcmp(a->items[i].text, b->items[i].text))
            return 0;
    return 1;
}

/* An attribute set read only to be compared: freed when the call commits (rollback frees it otherwise). */
static int drop_attrs(rw_engine *e, rw_attrs *a)
{
    return rw_free_later(e, a); /* one block with its items and strings (rw_attrs_new) */
}

typedef struct restated {
    int64_t amount, cost, units;
    int seen;
} restated;

static rewards_status read_amendment(rw_ctx *c, rw_deal *d, const rw_node *list, idset *ids, restated *now)
{
    rw_engine *e = c->e;
    for (size_t i = 0; i < list->nkids; i++) {
        char prefix[40];
        rw_ctx sub;
        const char *id, *product;
        RW_TRY(line_ctx(c, &list->kids[i], i, prefix, sizeof prefix, &sub));
        RW_TRY(rw_get_id(&sub, "id", &id));
        size_t slot = idset_slot(ids, id);
        if (!ids->keys[slot])
            return rw_fail(e, REWARDS_INVALID_ARGUMENT,
                           "field '%sid': deal '%s' has no line '%s' (an amendment cannot add a line)", prefix, d->id, id);
        size_t at = ids->vals[slot];
        rw_deal_line *l = &d->lines[at];
        restated *r = &now[at];
        if (r->seen)
            return rw_fail(e, REWARDS_INVALID_ARGUMENT, "field '%sid': line '%s' is given twice", prefix, id);
        r->seen = 1;
        RW_TRY(rw_get_str(&sub, "product", RW_OPTIONAL, &product));
        if (product && strcmp(product, l->product))
            return rw_fail(e, REWARDS_INVALID_ARGUMENT, "field '%sproduct': the product of line '%s' never changes", prefix,
                           id);
        RW_TRY(rw_get_amount(&sub, "amount", RW_REQUIRED, d->exp, 0, &r->amount));
        RW_TRY(cost_units(&sub, d->exp, &r->cost, &r->units));
        const rw_node *an = rw_node_get(sub.obj, "attrs");
        if (an) {
            rw_attrs *attrs;
            RW_TRY(rw_get_attrs(&sub, "attrs", &attrs));
            if (drop_attrs(e, attrs))
                return rw_nomem(e);
            if (!attrs_equal(attrs, l->attrs))
                return rw_fail(e, REWARDS_INVALID_ARGUMENT, "field '%sattrs': the attributes of line '%s' never change",
                               prefix, id);
        }
    }
    if (list->nkids != d->nlines)
        return rw_fail(e, REWARDS_INVALID_ARGUMENT,
                       "field 'lines': an amendment gives every line of deal '%s' (%zu of %zu given; set an amount to 0 "
                       "instead of dropping a line)", d->id, list->nkids, d->nlines);
    return REWARDS_OK;
}

rewards_status rw_amend_deal_lines(rw_ctx *c, rw_deal *d, unsigned char *changed, int *totals)
{
    rw_engine *e = c->e;
    const rw_node *list;
    *totals = 0;
    RW_TRY(lines_list(c, &list));
    idset ids;
    restated *now = rw_calloc(&e->alloc, d->nlines, sizeof *now);
    if (!now || idset_init(e, &ids, d->nlines)) {
        rw_free(&e->alloc, now);
        return rw_nomem(e);
    }
    for (size_t i = 0; i < d->nlines; i++) {
        size_t slot = idset_slot(&ids, d->lines[i].id);
        ids.keys[slot] = d->lines[i].id;
        ids.vals[slot] = i;
    }
    rewards_status st = read_amendment(c, d, list, &ids, now);
    idset_free(e, &ids);
    int64_t amount = 0, cost = 0, units = 0;
    int over_a = 0, over_c = 0, over_u = 0;
    for (size_t i = 0; !st && i < d->nlines; i++) {
        over_a |= rw_add(amount, now[i].amount, &amount);
        over_c |= rw_add(cost, now[i].cost, &cost);
        over_u |= rw_add(units, now[i].units, &units);
    }
    if (!st && (over_a || over_c || over_u))
        st = sums_overflow(c, over_a ? "amounts" : over_c ? "costs" : "units");
    /* the operation's own rule comes after its fields (SPEC section 11) */
    if (!st && (d->stage == RW_STAGE_LOST || d->stage == RW_STAGE_CANCELLED))
        st = rw_fail(e, REWARDS_INVALID_TRANSITION, "deal '%s' is '%s' and cannot be amended", d->id,
                     rw_stage_names[d->stage]);
    int any = 0;
    for (size_t i = 0; !st && i < d->nlines; i++) {
        const rw_deal_line *l = &d->lines[i];
        changed[i] = l->amount != now[i].amount || l->cost != now[i].cost || l->units != now[i].units;
        any |= changed[i];
    }
    /* the deal record holds its lines: storage hears of it when one changes */
    if (!st && any && rw_mark(e, &d->h))
        st = rw_nomem(e);
    for (size_t i = 0; !st && any && i < d->nlines; i++) {
        rw_deal_line *l = &d->lines[i];
        if (!changed[i])
            continue;
        if (rw_save(e, l, sizeof *l)) {
            st = rw_nomem(e);
            break;
        }
        l->amount = now[i].amount;
        l->cost = now[i].cost;
        l->units = now[i].units;
    }
    rw_free(&e->alloc, now);
    if (st || !any)
        return st;
    *totals = amount != d->amount || cost != d->cost || units != d->units;
    if (RW_SET(e, d->amount, amount) || RW_SET(e, d->cost, cost) || RW_SET(e, d->units, units))
        return rw_nomem(e);
    return REWARDS_OK;
}

size_t rw_deal_line_count(const rw_deal *d)
{
    return d->nlines ? d->nlines : 1;
}

int64_t rw_deal_base(const rw_deal *d, int64_t line, int margin)
{
    int64_t amount = d->amount, cost = d->cost;
    if (line >= 0 && d->nlines) {
        amount = d->lines[line].amount;
        cost = d->lines[line].cost;
    }
    if (!margin)
        return amount;
    /* both are non-negative: no overflow */
    return amount > cost ? amount - cost : 0;
}

int64_t rw_deal_line_units(const rw_deal *d, int64_t line)
{
    return line >= 0 && d->nlines ? d->lines[line].units : d->units;
}
