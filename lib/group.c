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
 * at most half full and grows without a stall (table_put).  Every write is
 * journaled like the id index's.
 *
 * Each member of a group also has the group's running metric and total
 * before it (rw_group.befores, parallel to the members), so that a correction
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

static int place(rw_engine *e, rw_group **slots, size_t cap, rw_group *g)
{
    size_t i = g->hash & (cap - 1);
    while (slots[i])
        i = (i + 1) & (cap - 1);
    if (rw_save(e, &slots[i], sizeof slots[i]))
        return -1;
    slots[i] = g;
    return 0;
}

/* Copy up to n more slots of the old table into the new one; drop the old one when done. */
static int migrate(rw_engine *e, rw_gtable *t, size_t n)
{
    if (!t->old)
        return 0;
    if (rw_save(e, &t->moved, sizeof t->moved))
        return -1;
    for (; n && t->moved < t->oldcap; n--, t->moved++)
        if (t->old[t->moved] && place(e, t->slots, t->cap, t->old[t->moved]))
            return -1;
    if (t->moved < t->oldcap)
        return 0;
    /* outside a transaction (a restore) rw_free_later frees at once */
    if (rw_save(e, t, sizeof *t) || rw_free_later(e, t->old))
        return -1;
    t->old = NULL;
    t->oldcap = t->moved = 0;
    return 0;
}

/*
 * Insert g (not present).  0, or -1 when out of memory.  A table that
 * reaches half full gets one twice its size and keeps the old one beside it
 * (lookups look in both), copying 16 of its slots at each insertion: no
 * insertion ever rehashes the whole table at once.
 */
static int table_put(rw_engine *e, rw_gtable *t, rw_group *g)
{
    if ((t->count + 1) * 2 > t->cap) {
        if (t->old && migrate(e, t, t->oldcap)) /* not expected: migration outpaces growth */
            return -1;
        size_t ncap = t->cap ? t->cap * 2 : 64;
        rw_group **ns = rw_new(e, ncap * sizeof *ns);
        if (!ns || rw_save(e, t, sizeof *t))
            return -1;
        t->old = t->slots;
        t->oldcap = t->cap;
        t->moved = 0;
        t->slots = ns;
        t->cap = ncap;
    }
    if (migrate(e, t, 16) || rw_save(e, &t->count, sizeof t->count) || place(e, t->slots, t->cap, g))
        return -1;
    t->count++;
    return 0;
}

static rw_group *probe(rw_group *const *slots, size_t cap, uint64_t h, const rw_reward *r, const char *period,
                       const rw_partner *p, const rw_user *u)
{
    if (cap)
        for (size_t i = h & (cap - 1); slots[i]; i = (i + 1) & (cap - 1))
            if (same(slots[i], h, r, period, p, u))
                return slots[i];
    return NULL;
}

rewards_status rw_group_of(rw_engine *e, rw_contrib *k, rw_group **out)
{
    *out = NULL;
    const rw_reward *r = k->reward;
    if (r->period == RW_PERIOD_NONE)
        return REWARDS_OK;
    const rw_partner *p = k->deal->partner;
    const rw_user *u = k->beneficiary;
    char period[RW_PERIOD_KEY_BUFSIZE];
    rw_period_key(k->at, p->program->fy_start, r->period, period, sizeof period);
    uint64_t h = key_hash(r, period, p, u);
    rw_gtable *t = &e->gtab;
    rw_group *g = probe(t->slots, t->cap, h, r, period, p, u);
    if (!g && t->old)
        g = probe(t->old, t->oldcap, h, r, period, p, u);
    if (g) {
        *out = g;
        return REWARDS_OK;
    }
    g = rw_new(e, sizeof *g);
    if (!g)
        return rw_nomem(e);
    g->reward = r;
    g->partner = p;
    g->beneficiary = u;
    memcpy(g->period, period, sizeof g->period);
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

/* Every group once: the table's, then the old table's not yet copied. */
static rw_group *nth_slot(const rw_gtable *t, size_t i)
{
    return i < t->cap ? t->slots[i] : t->old[t->moved + (i - t->cap)];
}

static size_t nslots(const rw_gtable *t)
{
    return t->cap + (t->old ? t->oldcap - t->moved : 0);
}

void rw_groups_free(rw_engine *e)
{
    rw_gtable *t = &e->gtab;
    for (size_t i = 0; i < nslots(t); i++) {
        rw_group *g = nth_slot(t, i);
        if (g) {
            rw_vec_release(e, &g->contribs);
            rw_free(&e->alloc, g->befores);
            rw_free(&e->alloc, g);
        }
    }
    rw_free(&e->alloc, t->slots);
    rw_free(&e->alloc, t->old);
    memset(t, 0, sizeof *t);
}

void rw_groups_restored(rw_engine *e)
{
    rw_gtable *t = &e->gtab;
    for (size_t i = 0; i < nslots(t); i++) {
        rw_group *g = nth_slot(t, i);
        if (!g)
            continue;
        /* the metric before each member was kept as it was linked; the total needs the entries */
        int64_t total = 0;
        for (size_t j = 0; j < g->contribs.len; j++) {
            rw_contrib *k = RW_VEC_AT(g->contribs, rw_contrib *, j);
            g->befores[j].total = total;
            for (size_t s = 0, ns = rw_contrib_nslots(k); s < ns; s++)
                total = (int64_t)((uint64_t)total + (uint64_t)rw_contrib_net_at(k, s)); /* the whole sum was checked when linked */
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

rewards_status rw_group_push_before(rw_engine *e, rw_group *g, rw_before b)
{
    /* not an rw_vec (lists hold pointers): a block of its own, grown the same journaled way */
    if (g->nbefores == g->capbefores) {
        size_t ncap = g->capbefores ? g->capbefores * 2 : 4;
        if (ncap > (size_t)-1 / sizeof *g->befores)
            return rw_nomem(e);
        rw_before *nb = rw_new(e, ncap * sizeof *nb);
        if (!nb)
            return rw_nomem(e);
        if (g->nbefores)
            memcpy(nb, g->befores, g->nbefores * sizeof *nb);
        /* the old block stays intact for a rollback; a restore (no journal) frees it at once */
        if (rw_save(e, &g->befores, sizeof g->befores) || rw_save(e, &g->capbefores, sizeof g->capbefores) ||
            rw_free_later(e, g->befores))
            return rw_nomem(e);
        g->befores = nb;
        g->capbefores = ncap;
    }
    if (rw_save(e, &g->nbefores, sizeof g->nbefores))
        return rw_nomem(e);
    g->befores[g->nbefores++] = b;
    return REWARDS_OK;
}
