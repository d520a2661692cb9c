/*
 * group.c - the groups contributions accumulate in (one reward, period,
 * partner and beneficiary), found by that key without building a string.
 *
 * A group used to be found through the id index by an snprintf'd key
 * "reward\x1fperiod\x1fpartner\x1fbeneficiary", twice per contribution
 * (when its targets are computed and when it is linked).  Here the key is
 * the three records and the period text, hashed directly from the records'
 * sequence numbers (stable across a restore, so a restored engine probes
 * like the live one) in an open-addressing table of group pointers that is
 * at most half full.  Every write is journaled like the id index's.
 *
 * Each member of a group also keeps the group's running metric and total
 * before it (rw_contrib.metric_before, total_before), so that a correction
 * recomputes a group from the first changed member on (evaluate.c; members
 * are in sequence order, so a member's position is a binary search);
 * rw_groups_restored() sets the totals after a restore, when the entries
 * that make them up are back.
 */
#include "ops.h"

#include <string.h>

static uint64_t mix(uint64_t h, uint64_t v)
{
    h ^= v + 0x9E3779B97F4A7C15ULL + (h << 6) + (h >> 2);
    return h * 0xFF51AFD7ED558CCDULL;
}

static uint64_t key_hash(const rw_reward *r, const char *period, const rw_partner *p, const rw_user *u)
{
    uint64_t h = mix(mix(mix(0, r->h.seq), p->h.seq), u ? u->h.seq : 0);
    for (size_t i = 0; i < 16 && period[i]; i++)
        h = (h ^ (unsigned char)period[i]) * 1099511628211ULL;
    return h ^ (h >> 29);
}

static int same(const rw_group *g, uint64_t h, const rw_reward *r, const char *period, const rw_partner *p,
                const rw_user *u)
{
    return g->hash == h && g->reward == r && g->partner == p && g->beneficiary == u &&
           !strncmp(g->period, period, sizeof g->period);
}

static void place(rw_group **slots, size_t cap, rw_group *g)
{
    size_t i = g->hash & (cap - 1);
    while (slots[i])
        i = (i + 1) & (cap - 1);
    slots[i] = g;
}

/* Insert g (not present).  0, or -1 when out of memory (nothing changed then). */
static int table_put(rw_engine *e, rw_gtable *t, rw_group *g)
{
    if ((t->count + 1) * 2 > t->cap) {
        size_t ncap = t->cap ? t->cap * 2 : 64;
        rw_group **ns = rw_new(e, ncap * sizeof *ns);
        if (!ns)
            return -1;
        for (size_t i = 0; i < t->cap; i++)
            if (t->slots[i])
                place(ns, ncap, t->slots[i]);
        /* outside a transaction (a restore) rw_free_later frees at once: the copy is made */
        if (rw_save(e, t, sizeof *t) || rw_free_later(e, t->slots))
            return -1;
        t->slots = ns;
        t->cap = ncap;
    } else if (rw_save(e, &t->count, sizeof t->count)) {
        return -1;
    }
    size_t i = g->hash & (t->cap - 1);
    while (t->slots[i])
        i = (i + 1) & (t->cap - 1);
    if (rw_save(e, &t->slots[i], sizeof t->slots[i]))
        return -1;
    t->slots[i] = g;
    t->count++;
    return 0;
}

rewards_status rw_group_of(rw_engine *e, rw_contrib *k, rw_group **out)
{
    *out = NULL;
    const rw_reward *r = k->reward;
    if (r->period == RW_PERIOD_NONE)
        return REWARDS_OK;
    const rw_partner *p = k->deal->partner;
    const rw_user *u = k->beneficiary;
    uint64_t h = key_hash(r, k->period, p, u);
    rw_gtable *t = &e->gtab;
    if (t->cap)
        for (size_t i = h & (t->cap - 1); t->slots[i]; i = (i + 1) & (t->cap - 1))
            if (same(t->slots[i], h, r, k->period, p, u)) {
                *out = t->slots[i];
                return REWARDS_OK;
            }
    rw_group *g = rw_new(e, sizeof *g);
    if (!g)
        return rw_nomem(e);
    g->reward = r;
    g->partner = p;
    g->beneficiary = u;
    memcpy(g->period, k->period, sizeof g->period);
    g->hash = h;
    if (table_put(e, t, g)) {
        /* in a transaction rollback frees it; in a restore nobody else would */
        if (!e->journal.active)
            rw_free(&e->alloc, g);
        return rw_nomem(e);
    }
    *out = g;
    return REWARDS_OK;
}

void rw_groups_free(rw_engine *e)
{
    rw_gtable *t = &e->gtab;
    for (size_t i = 0; i < t->cap; i++) {
        rw_group *g = t->slots[i];
        if (g) {
            rw_vec_release(e, &g->contribs);
            rw_free(&e->alloc, g);
        }
    }
    rw_free(&e->alloc, t->slots);
    memset(t, 0, sizeof *t);
}

void rw_groups_restored(rw_engine *e)
{
    rw_gtable *t = &e->gtab;
    for (size_t i = 0; i < t->cap; i++) {
        rw_group *g = t->slots[i];
        if (!g)
            continue;
        /* the metric before each member was kept as it was linked; the total needs the entries */
        int64_t total = 0;
        for (size_t j = 0; j < g->contribs.len; j++) {
            rw_contrib *k = RW_VEC_AT(g->contribs, rw_contrib *, j);
            k->total_before = total;
            for (size_t s = 0; s < k->nslots; s++)
                total = (int64_t)((uint64_t)total + (uint64_t)k->net[s]); /* the whole sum was checked when linked */
        }
    }
}

size_t rw_group_position(const rw_group *g, const rw_contrib *k)
{
    /* members are linked in creation order: their sequence numbers increase */
    size_t lo = 0, hi = g->contribs.len;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (RW_VEC_AT(g->contribs, rw_contrib *, mid)->h.seq < k->h.seq)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}
