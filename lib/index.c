/*
 * index.c - the hash maps of index.h: linear probing, at most half full
 * (a little more while the next table is being zeroed), a word-at-a-time
 * hash (the values are internal: nothing stored or printed depends on
 * them), and the stored hash compared before the key.
 *
 * Growth without a stall.  At half full (count C/2 in C slots) the index
 * allocates a table of 2C slots and zeroes ZERO_STEP of its slots per
 * insertion: 2C / 16 = C/8 insertions, during which the old table goes up to
 * 5/8 full.  Then the new table takes the insertions and MOVE_STEP old slots
 * move per insertion: the old table's C slots are gone after C/8 more, well
 * before the new table (at 5C/8 + C/8 of 2C slots) is half full and the
 * next growth could start.  Lookups during the move look in the new table,
 * then in the old one (a key moved is found in the new table first; keys
 * are never removed or changed).  Moves into the new table are journaled
 * like any write; zeroing is not (a zeroed slot that a rollback "unzeroes"
 * is zeroed again, and the table is new memory freed by a rollback of the
 * call that allocated it).
 */
#include "index.h"
#include "engine.h"

#include <string.h>

#define ZERO_STEP 16
#define MOVE_STEP 8
#define FIRST_CAP 16

uint64_t rw_hash(const char *s, size_t len)
{
    uint64_t h = 0x9e3779b97f4a7c15ULL ^ (uint64_t)len;
    while (len >= 8) {
        uint64_t w;
        memcpy(&w, s, 8);
        h = (h ^ w) * 0xff51afd7ed558ccdULL;
        h ^= h >> 32;
        s += 8;
        len -= 8;
    }
    uint64_t w = 0;
    for (size_t i = 0; i < len; i++)
        w |= (uint64_t)(unsigned char)s[i] << (8 * i);
    h = (h ^ w) * 0xc4ceb9fe1a85ec53ULL;
    h ^= h >> 29;
    h *= 0xff51afd7ed558ccdULL;
    h ^= h >> 32;
    return h;
}

static void *find(const rw_slot *slots, size_t cap, const char *key, size_t len, uint64_t h)
{
    for (size_t i = h & (cap - 1);; i = (i + 1) & (cap - 1)) {
        const rw_slot *s = &slots[i];
        if (!s->key)
            return NULL;
        if (s->hash == h && strncmp(s->key, key, len) == 0 && s->key[len] == '\0')
            return s->val;
    }
}

void *rw_index_getn(const rw_index *ix, const char *key, size_t len)
{
    if (!ix->cap)
        return NULL;
    uint64_t h = rw_hash(key, len);
    void *v = find(ix->slots, ix->cap, key, len, h);
    if (!v && ix->old)
        v = find(ix->old, ix->old_cap, key, len, h);
    return v;
}

void *rw_index_get(const rw_index *ix, const char *key)
{
    return rw_index_getn(ix, key, strlen(key));
}

/* The empty slot where a key of hash h goes. */
static size_t free_slot(const rw_slot *slots, size_t cap, uint64_t h)
{
    size_t i = h & (cap - 1);
    while (slots[i].key)
        i = (i + 1) & (cap - 1);
    return i;
}

/* Journaled write of s into an empty slot of the live table. */
static int place(rw_engine *e, rw_slot *slots, size_t cap, rw_slot s)
{
    size_t i = free_slot(slots, cap, s.hash);
    if (rw_save(e, &slots[i], sizeof slots[i]))
        return -1;
    slots[i] = s;
    return 0;
}

/* One insertion's share of the growth: start it, zero, switch, or move. */
static int grow_step(rw_engine *e, rw_index *ix)
{
    if (ix->old) {
        size_t stop = ix->moved + MOVE_STEP < ix->old_cap ? ix->moved + MOVE_STEP : ix->old_cap;
        for (size_t i = ix->moved; i < stop; i++)
            if (ix->old[i].key && place(e, ix->slots, ix->cap, ix->old[i]))
                return -1;
        ix->moved = stop;
        if (ix->moved == ix->old_cap) {
            if (rw_free_later(e, ix->old))
                return -1;
            ix->old = NULL;
            ix->old_cap = ix->moved = 0;
        }
        return 0;
    }
    if (!ix->next) {
        if (!ix->cap) { /* the first table: small, zeroed at once */
            rw_slot *s = rw_new(e, FIRST_CAP * sizeof *s);
            if (!s)
                return -1;
            ix->slots = s;
            ix->cap = FIRST_CAP;
            return 0;
        }
        if ((ix->count + 1) * 2 <= ix->cap)
            return 0;
        if (ix->cap > (size_t)-1 / 2 / sizeof(rw_slot))
            return -1;
        /* not zeroed here: a few slots per insertion below */
        rw_slot *n = rw_malloc(&e->alloc, 2 * ix->cap * sizeof *n);
        if (!n)
            return -1;
        if (rw_free_on_rollback(e, n)) {
            rw_free(&e->alloc, n);
            return -1;
        }
        ix->next = n;
        ix->next_cap = 2 * ix->cap;
        ix->zeroed = 0;
    }
    size_t stop = ix->zeroed + ZERO_STEP < ix->next_cap ? ix->zeroed + ZERO_STEP : ix->next_cap;
    memset(ix->next + ix->zeroed, 0, (stop - ix->zeroed) * sizeof *ix->next);
    ix->zeroed = stop;
    if (ix->zeroed == ix->next_cap) { /* the new table takes over; the old one moves into it */
        ix->old = ix->slots;
        ix->old_cap = ix->cap;
        ix->moved = 0;
        ix->slots = ix->next;
        ix->cap = ix->next_cap;
        ix->next = NULL;
        ix->next_cap = ix->zeroed = 0;
    }
    return 0;
}

int rw_index_put(rw_engine *e, rw_index *ix, const char *key, void *val)
{
    if (rw_save(e, ix, sizeof *ix) || grow_step(e, ix))
        return -1;
    rw_slot s = { key, val, rw_hash(key, strlen(key)) };
    if (place(e, ix->slots, ix->cap, s))
        return -1;
    ix->count++;
    return 0;
}

void rw_index_settle(rw_engine *e, rw_index *ix)
{
    if (ix->next) { /* a growth not yet switched: drop the new table, the old one holds everything */
        rw_free(&e->alloc, ix->next);
        ix->next = NULL;
        ix->next_cap = ix->zeroed = 0;
    }
    if (ix->old) {
        for (size_t i = ix->moved; i < ix->old_cap; i++)
            if (ix->old[i].key)
                ix->slots[free_slot(ix->slots, ix->cap, ix->old[i].hash)] = ix->old[i];
        rw_free(&e->alloc, ix->old);
        ix->old = NULL;
        ix->old_cap = ix->moved = 0;
    }
}

void rw_index_release(rw_engine *e, rw_index *ix)
{
    rw_free(&e->alloc, ix->slots);
    rw_free(&e->alloc, ix->next);
    rw_free(&e->alloc, ix->old);
    memset(ix, 0, sizeof *ix);
}
