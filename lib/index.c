/*
 * index.c - the hash maps of index.h (FNV-1a, linear probing, at most half full).
 */
#include "index.h"
#include "engine.h"

#include <string.h>

uint64_t rw_hash(const char *s, size_t len)
{
    uint64_t h = 1469598103934665603ULL;
    for (size_t i = 0; i < len; i++) {
        h ^= (unsigned char)s[i];
        h *= 1099511628211ULL;
    }
    return h;
}

void *rw_index_getn(const rw_index *ix, const char *key, size_t len)
{
    if (!ix->cap)
        return NULL;
    uint64_t h = rw_hash(key, len);
    for (size_t i = h & (ix->cap - 1);; i = (i + 1) & (ix->cap - 1)) {
        const rw_slot *s = &ix->slots[i];
        if (!s->key)
            return NULL;
        if (s->hash == h && strncmp(s->key, key, len) == 0 && s->key[len] == '\0')
            return s->val;
    }
}

void *rw_index_get(const rw_index *ix, const char *key)
{
    return rw_index_getn(ix, key, strlen(key));
}

static void place(rw_slot *slots, size_t cap, rw_slot s)
{
    size_t i = s.hash & (cap - 1);
    while (slots[i].key)
        i = (i + 1) & (cap - 1);
    slots[i] = s;
}

int rw_index_put(rw_engine *e, rw_index *ix, const char *key, void *val)
{
    if ((ix->count + 1) * 2 > ix->cap) {
        size_t ncap = ix->cap ? ix->cap * 2 : 16;
        rw_slot *ns = rw_new(e, ncap * sizeof *ns);
        if (!ns)
            return -1;
        for (size_t i = 0; i < ix->cap; i++)
            if (ix->slots[i].key)
                place(ns, ncap, ix->slots[i]);
        if (rw_save(e, ix, sizeof *ix) || rw_free_later(e, ix->slots))
            return -1;
        ix->slots = ns;
        ix->cap = ncap;
    } else if (rw_save(e, &ix->count, sizeof ix->count)) {
        return -1;
    }
    rw_slot s = { key, val, rw_hash(key, strlen(key)) };
    size_t i = s.hash & (ix->cap - 1);
    while (ix->slots[i].key)
        i = (i + 1) & (ix->cap - 1);
    if (rw_save(e, &ix->slots[i], sizeof ix->slots[i]))
        return -1;
    ix->slots[i] = s;
    ix->count++;
    return 0;
}

void rw_index_release(rw_engine *e, rw_index *ix)
{
    rw_free(&e->alloc, ix->slots);
    memset(ix, 0, sizeof *ix);
}
