/*
 * index.h - id lookup tables: open-addressing hash maps from a string key to
 * a pointer.  Keys are not copied: they are the ids owned by the records the
 * table points to.  Entries are never removed (records are never deleted),
 * and every write is journaled, so a rolled-back call also rolls back its
 * insertions.
 *
 * A table never stops the world to grow: at half full it takes a table twice
 * the size, zeroes it a few slots per insertion (inserts still go to the old
 * one meanwhile), then moves a few old slots per insertion into it (inserts
 * go to the new one, lookups look in both).  No insertion does more than a
 * bounded amount of work, whatever the size (index.c says how much).
 */
#ifndef RW_INDEX_H
#define RW_INDEX_H

#include <stddef.h>
#include <stdint.h>

typedef struct rewards_engine rw_engine;

typedef struct rw_slot {
    const char *key;
    void *val;
    uint64_t hash;
} rw_slot;

typedef struct rw_index {
    rw_slot *slots;
    size_t cap, count;
    /* growing: the next table, its first 'zeroed' slots zeroed so far */
    rw_slot *next;
    size_t next_cap, zeroed;
    /* moving: the previous table, its first 'moved' slots moved into slots */
    rw_slot *old;
    size_t old_cap, moved;
} rw_index;

uint64_t rw_hash(const char *s, size_t len);
void *rw_index_get(const rw_index *ix, const char *key);
void *rw_index_getn(const rw_index *ix, const char *key, size_t len);
/* Insert key (not present).  0, or -1 when out of memory. */
int rw_index_put(rw_engine *e, rw_index *ix, const char *key, void *val);
void rw_index_release(rw_engine *e, rw_index *ix);
/* Finish any growth at once, not journaled (outside a transaction: before
 * the slots are walked, as rw_engine_reset does). */
void rw_index_settle(rw_engine *e, rw_index *ix);

#endif
