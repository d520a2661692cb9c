/*
 * integrity.c - making a lost, duplicated, extra or altered record visible
 * to a restore.
 *
 * The meta record (one per engine) carries, besides the clock, the next
 * sequence number, the number of live records of each kind, and a digest:
 * the sum modulo 2^64 of a 64-bit hash of every other live record's kind
 * and data.  A sum does not depend on the order records come back in, and
 * it can be kept up to date one record at a time: each record's header
 * remembers the hash of the data storage holds for it, so a transaction
 * that changes a record subtracts the old hash and adds the new one.  The
 * meta record is part of every transaction that changes anything, so what
 * storage commits is always a set whose meta record describes the rest.
 * Everything written here is journaled (the digest and counts with
 * rw_save, the headers and the meta record with rw_touch), so a rollback
 * leaves the previous values exactly.
 *
 * Two things future code must keep in step (SPEC.md section 9 allows
 * both): a record deleted in a transaction must subtract its hash and count
 * here, and a batch of operations must seal once, at the batch's commit,
 * where its puts are made.
 *
 * A restore recomputes counts and digest from the records it is given and
 * refuses a set that does not match.  A 1.0 host's meta record has no such
 * fields: its set is checked for structure and field limits only.
 */
#include "ops.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- the hash ----------------------------------------------------------- */

static uint64_t fmix(uint64_t h)
{
    h ^= h >> 33;
    h *= UINT64_C(0xff51afd7ed558ccd);
    h ^= h >> 33;
    h *= UINT64_C(0xc4ceb9fe1a85ec53);
    h ^= h >> 33;
    return h;
}

static uint64_t rotl(uint64_t x, int r) { return (x << r) | (x >> (64 - r)); }

/* A MurmurHash3-style 64-bit hash over little-endian words: the same value
 * on every platform, so a database moved between machines still restores. */
uint64_t rw_record_hash(int kind, const void *data, size_t size)
{
    const unsigned char *p = data;
    const uint64_t c1 = UINT64_C(0x87c37b91114253d5), c2 = UINT64_C(0x4cf5ad432745937f);
    uint64_t h = fmix(UINT64_C(0x9e3779b97f4a7c15) ^ ((uint64_t)(unsigned)kind << 56) ^ (uint64_t)size);
    while (size >= 8) {
        uint64_t k = 0;
        for (int i = 7; i >= 0; i--)
            k = (k << 8) | p[i];
        k *= c1;
        k = rotl(k, 31);
        k *= c2;
        h ^= k;
        h = rotl(h, 27) * 5 + UINT64_C(0x52dce729);
        p += 8;
        size -= 8;
    }
    uint64_t k = 0;
    for (size_t i = size; i-- > 0;)
        k = (k << 8) | p[i];
    k *= c1;
    k = rotl(k, 31);
    k *= c2;
    h ^= k;
    h = fmix(h ^ (uint64_t)size);
    return h ? h : 1;
}

/* ---- sealing a transaction ---------------------------------------------- */

static int by_seq(const void *a, const void *b)
{
    const rw_rec *x = *(rw_rec *const *)a, *y = *(rw_rec *const *)b;
    return x->seq < y->seq ? -1 : x->seq > y->seq;
}

/*
 * The dirty list in creation order.  It is usually in order already but for
 * a few records touched out of order (the meta record, touched last, comes
 * first): then an insertion sort is linear (an approval of a million entries
 * need not be sorted); otherwise, or when the moves grow long, a sort.
 */
static void sort_dirty(rw_rec **d, size_t n)
{
    size_t breaks = 0;
    for (size_t i = 1; i < n && breaks <= 8; i++)
        breaks += d[i - 1]->seq > d[i]->seq;
    if (!breaks)
        return;
    if (breaks > 8) {
        qsort(d, n, sizeof *d, by_seq);
        return;
    }
    size_t moved = 0;
    for (size_t i = 1; i < n; i++) {
        rw_rec *r = d[i];
        if (d[i - 1]->seq <= r->seq)
            continue;
        if (moved > 4 * n + 64) { /* few breaks, but long moves: sort after all */
            qsort(d, n, sizeof *d, by_seq);
            return;
        }
        size_t lo = 0, hi = i; /* the first place whose record comes after r */
        while (lo < hi) {
            size_t mid = lo + (hi - lo) / 2;
            if (d[mid]->seq <= r->seq)
                lo = mid + 1;
            else
                hi = mid;
        }
        memmove(d + lo + 1, d + lo, (i - lo) * sizeof *d);
        d[lo] = r;
        moved += i - lo;
    }
}

void rw_sealed_free(rw_engine *e, rw_sealed *s)
{
    for (size_t i = 0; i < s->n; i++)
        rw_free(&e->alloc, s->items[i].data);
    rw_free(&e->alloc, s->items);
    s->items = NULL;
    s->n = 0;
}

rewards_status rw_seal(rw_engine *e, rw_sealed *out)
{
    rw_journal *j = &e->journal;
    out->items = NULL;
    out->n = 0;
    if (!j->ndirty)
        return REWARDS_OK; /* nothing changed: nothing to put, not even the meta record */
    if (!e->meta) {
        rw_meta *m = rw_new_record(e, RW_KIND_META, sizeof *m);
        if (!m)
            return rw_nomem(e);
        m->clock = RW_NONE;
        RW_TRY(rw_link_record(e, &m->h));
    } else if (rw_touch(e, &e->meta->h, sizeof *e->meta)) {
        return rw_nomem(e);
    }
    if (rw_save(e, &e->integ, sizeof e->integ))
        return rw_nomem(e);
    sort_dirty(j->dirty, j->ndirty);
    /* a batch's savepoints may list a record once per operation that touched it: one put each */
    size_t nd = 0;
    for (size_t i = 0; i < j->ndirty; i++)
        if (!nd || j->dirty[nd - 1] != j->dirty[i])
            j->dirty[nd++] = j->dirty[i];
    j->ndirty = nd;
    /* Without storage nothing is ever put, so nothing can be restored: the
     * encoding and the digest (most of a transaction's cost) are skipped. */
    if (!rw_has_storage(e)) {
        e->meta->next_seq = e->next_seq;
        return REWARDS_OK;
    }
    out->items = rw_calloc(&e->alloc, j->ndirty, sizeof *out->items);
    if (!out->items)
        return rw_nomem(e);
    /* the others in creation order; the meta record last, once the digest is final */
    for (size_t i = 0; i < j->ndirty; i++) {
        rw_rec *r = j->dirty[i];
        if (r == &e->meta->h)
            continue;
        rw_sealed_item *it = &out->items[out->n++];
        it->rec = r;
        RW_TRY(rw_record_encode(e, r, &it->data, &it->size));
        uint64_t h = rw_record_hash(rw_rec_kind(r), it->data, it->size);
        if (r->hash)
            e->integ.digest -= r->hash;
        else
            e->integ.counts[rw_rec_kind(r)]++;
        r->hash = h; /* the header was saved when the record was touched, or is new */
        e->integ.digest += h;
    }
    rw_meta *m = e->meta;
    m->sealed = 1;
    m->next_seq = e->next_seq;
    m->digest = e->integ.digest;
    memcpy(m->counts, e->integ.counts, sizeof m->counts);
    rw_sealed_item *it = &out->items[out->n++];
    it->rec = &m->h;
    RW_TRY(rw_record_encode(e, &m->h, &it->data, &it->size));
    m->h.hash = rw_record_hash(RW_KIND_META, it->data, it->size);
    return REWARDS_OK;
}

/* ---- checking a set given to restore ------------------------------------ */

/* Kinds a 1.0 engine could save before its first timed operation, which is
 * when it created the meta record: a set of only these may lack one. */
static int definition_kind(int kind)
{
    return kind == RW_KIND_CURRENCY || kind == RW_KIND_PROGRAM || kind == RW_KIND_LEVEL || kind == RW_KIND_REWARD ||
           kind == RW_KIND_PARTNER || kind == RW_KIND_USER || kind == RW_KIND_EVENT_ID;
}

rewards_status rw_restore_verify(rw_engine *e, rw_pending *const *all, size_t n, size_t *meta_at)
{
    *meta_at = (size_t)-1;
    memset(&e->integ, 0, sizeof e->integ);
    int only_definitions = 1;
    for (size_t i = 0; i < n; i++) {
        const rw_pending *p = all[i];
        if (i > 0 && all[i - 1]->kind == p->kind && all[i - 1]->seq == p->seq) {
            char key[64];
            rw_pending_key(p, key, sizeof key);
            return rw_fail(e, REWARDS_INVALID_ARGUMENT, "%s '%s' (record %llu) is given twice",
                           rewards_record_kind_name((rewards_record_kind)p->kind), key, (unsigned long long)p->seq);
        }
        if (p->kind == RW_KIND_META) {
            if (*meta_at != (size_t)-1)
                return rw_fail(e, REWARDS_INVALID_ARGUMENT, "the meta record is given twice (records %llu and %llu)",
                               (unsigned long long)all[*meta_at]->seq, (unsigned long long)p->seq);
            *meta_at = i;
            continue;
        }
        only_definitions &= definition_kind(p->kind);
        e->integ.counts[p->kind]++;
        all[i]->hash = rw_record_hash(p->kind, p->data, p->size); /* restore_one uses it again */
        e->integ.digest += all[i]->hash;
    }
    if (n && *meta_at == (size_t)-1 && !only_definitions)
        return rw_fail(e, REWARDS_INVALID_ARGUMENT,
                       "the meta record is missing: it holds the clock and what the other records add up to");
    return REWARDS_OK;
}

rewards_status rw_restore_check_meta(rw_engine *e, rw_pending *const *all, size_t n)
{
    const rw_meta *m = e->meta;
    if (!m || !m->sealed)
        return REWARDS_OK; /* a 1.0 host's records: nothing to compare with */
    for (int k = 0; k < RW_KIND_COUNT; k++) {
        uint64_t want = m->counts[k], got = e->integ.counts[k];
        const char *name = rewards_record_kind_name((rewards_record_kind)k);
        if (got < want)
            return rw_fail(e, REWARDS_INVALID_ARGUMENT,
                           "%llu %s record(s) missing: the meta record counts %llu, %llu given",
                           (unsigned long long)(want - got), name, (unsigned long long)want, (unsigned long long)got);
        if (got > want)
            return rw_fail(e, REWARDS_INVALID_ARGUMENT,
                           "%llu %s record(s) too many (duplicated or extra): the meta record counts %llu, %llu given",
                           (unsigned long long)(got - want), name, (unsigned long long)want, (unsigned long long)got);
    }
    for (size_t i = 0; i < n; i++)
        if (all[i]->seq >= m->next_seq)
            return rw_fail(e, REWARDS_INVALID_ARGUMENT,
                           "%s record %llu is newer than the meta record (next sequence number %llu): "
                           "records from different saves are mixed",
                           rewards_record_kind_name((rewards_record_kind)all[i]->kind),
                           (unsigned long long)all[i]->seq, (unsigned long long)m->next_seq);
    if (e->integ.digest != m->digest)
        return rw_fail(e, REWARDS_INVALID_ARGUMENT,
                       "the records do not add up to the digest in the meta record: a record was altered, "
                       "or replaced by another version of itself");
    return REWARDS_OK;
}
