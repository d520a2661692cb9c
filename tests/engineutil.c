/*
 * engineutil.c - the helpers of engineutil.h.  The fingerprint reaches into
 * the engine's internals (tests link the static library).
 */
#include "engineutil.h"
#include "ops.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

rewards_status eu_set(rewards_op *op, const char *key, const char *val)
{
    char path[256];
    size_t n = strlen(key);
    char type = n > 2 && key[n - 2] == ':' ? key[n - 1] : 's';
    snprintf(path, sizeof path, "%.*s", (int)(type == 's' ? n : n - 2), key);
    switch (type) {
    case 'i': return rewards_op_set_int(op, path, strtoll(val, NULL, 10));
    case 'b': return rewards_op_set_bool(op, path, !strcmp(val, "true"));
    case 'n': return rewards_op_set_number(op, path, val);
    case 'o': return rewards_op_set_object(op, path);
    case 'l': return rewards_op_set_list(op, path);
    default: return rewards_op_set_string(op, path, val);
    }
}

rewards_status eu_op(rewards_engine *e, const char *kind, ...)
{
    rewards_op *op;
    rewards_status st = rewards_op_new(e, &op, kind);
    if (st)
        return st;
    va_list ap;
    va_start(ap, kind);
    const char *key;
    while (!st && (key = va_arg(ap, const char *))) {
        const char *val = va_arg(ap, const char *);
        st = eu_set(op, key, val);
    }
    va_end(ap);
    if (!st)
        st = rewards_engine_apply(e, op);
    rewards_op_free(op);
    return st;
}

typedef struct sb {
    char *p;
    size_t len, cap;
} sb;

static int sb_write(void *user, const char *data, size_t size)
{
    sb *b = user;
    if (b->len + size + 1 > b->cap) {
        size_t ncap = b->cap ? b->cap * 2 : 1024;
        while (ncap < b->len + size + 1)
            ncap *= 2;
        char *np = realloc(b->p, ncap);
        if (!np)
            return -1;
        b->p = np;
        b->cap = ncap;
    }
    memcpy(b->p + b->len, data, size);
    b->len += size;
    b->p[b->len] = '\0';
    return 0;
}

static char *export(rewards_engine *e, rewards_status (*fn)(rewards_engine *, rewards_write_fn, void *))
{
    sb b = { NULL, 0, 0 };
    sb_write(&b, "", 0);
    if (fn(e, sb_write, &b)) {
        free(b.p);
        return NULL;
    }
    return b.p;
}

char *eu_ledger(rewards_engine *e) { return export(e, rewards_engine_export_ledger); }
char *eu_payouts(rewards_engine *e) { return export(e, rewards_engine_export_payouts); }
char *eu_traces(rewards_engine *e) { return export(e, rewards_engine_export_traces); }

static void sb_printf(sb *b, const char *fmt, ...)
{
    char buf[512];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    sb_write(b, buf, n < (int)sizeof buf ? (size_t)n : sizeof buf - 1);
}

/*
 * Whether the meta record's digest and counts describe the records (an
 * engine with storage; integrity.c).  Engines without storage keep none, so
 * the digest is not printed itself, which would tell an engine with storage
 * from one without; a digest left wrong by a rollback still shows.
 */
static const char *integrity(const rewards_engine *e)
{
    if (!rw_has_storage(e) || !e->meta || !e->meta->sealed)
        return "consistent";
    uint64_t sum = 0;
    for (int k = 0; k < RW_KIND_COUNT; k++) {
        if (k == RW_KIND_META)
            continue;
        uint64_t hashed = 0;
        for (size_t i = 0; i < e->records[k].len; i++) {
            const rw_rec *r = RW_REC_AT(e, k, rw_rec, i);
            sum += r->hash;
            hashed += r->hash != 0;
        }
        if (hashed != e->integ.counts[k] || e->meta->counts[k] != e->integ.counts[k])
            return "counts inconsistent";
    }
    return sum == e->integ.digest && e->meta->digest == sum ? "consistent" : "digest inconsistent";
}

static int by_number(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

/* The entry numbers a queue (entry_queue.c) holds as members, sorted (a
 * restored engine rebuilds its queues from the statuses, so comparing with
 * one checks that nothing is missing or twice), then whether every entry
 * with the queue's status is among them. */
static void print_queue(sb *b, rewards_engine *e, const char *name, const rw_equeue *q,
                        int (*member)(const rw_entry *))
{
    size_t n = 0, want = 0;
    uint64_t *nums = malloc((q->len - q->head + q->nlate + 1) * sizeof *nums);
    for (size_t i = q->head; i < q->len; i++)
        if (member(rw_equeue_at(q, i)))
            nums[n++] = rw_equeue_at(q, i)->number;
    for (size_t i = 0; i < q->nlate; i++)
        if (member(q->late[i]))
            nums[n++] = q->late[i]->number;
    qsort(nums, n, sizeof *nums, by_number);
    sb_printf(b, "%s", name);
    for (size_t i = 0; i < n; i++)
        sb_printf(b, " %llu", (unsigned long long)nums[i]);
    for (size_t i = 0; i < RW_COUNT(e, RW_KIND_ENTRY); i++)
        want += member(RW_REC_AT(e, RW_KIND_ENTRY, rw_entry, i)) != 0;
    sb_printf(b, "%s\n", want == n ? "" : " (MISSING OR REPEATED)");
    free(nums);
}

/* A recipient's running balances (balance.c): they fit in int64 in every test. */
static void print_balances(sb *b, const rw_balances *bal)
{
    sb_printf(b, " bal=%lld/%lld/%lld/%lld/%lld", (long long)bal->pending, (long long)bal->approved,
              (long long)bal->held, (long long)bal->paid, (long long)bal->points);
}

char *eu_fingerprint(rewards_engine *e)
{
    sb b = { NULL, 0, 0 };
    sb_printf(&b, "next_seq=%llu clock=%lld integrity=%s\n", (unsigned long long)e->next_seq,
              (long long)(e->meta ? e->meta->clock : RW_NONE), integrity(e));
    for (int k = 0; k < RW_KIND_COUNT; k++) {
        for (size_t i = 0; i < e->records[k].len; i++) {
            rw_rec *r = RW_REC_AT(e, k, rw_rec, i);
            char *data;
            size_t size;
            if (k == RW_KIND_META)
                continue; /* its clock and sequence are above; its digest is checked below */
            if (rw_record_encode(e, r, &data, &size)) {
                free(b.p);
                return NULL;
            }
            sb_printf(&b, "%d:", k);
            sb_write(&b, data, size);
            rw_free(&e->alloc, data);
            /* derived lists, which a bad rollback could leave longer */
            switch ((rw_kind)k) {
            case RW_KIND_PROGRAM: {
                rw_program *p = (rw_program *)r;
                sb_printf(&b, " [%zu %zu %zu]", p->levels.len, p->rewards.len, p->partners.len);
                break;
            }
            case RW_KIND_PARTNER: {
                rw_partner *p = (rw_partner *)r;
                sb_printf(&b, " [%zu %zu]", p->entries.len, p->deals.len);
                print_balances(&b, &p->bal);
                break;
            }
            case RW_KIND_USER:
                sb_printf(&b, " [%zu]", ((rw_user *)r)->contribs.len);
                print_balances(&b, &((rw_user *)r)->bal);
                break;
            case RW_KIND_DEAL: {
                rw_deal *d = (rw_deal *)r;
                sb_printf(&b, " [%zu %zu]", (size_t)d->contribs.len, (size_t)d->entries.len);
                break;
            }
            case RW_KIND_CONTRIB: {
                rw_contrib *c = (rw_contrib *)r;
                size_t nentries = 0; /* its entries: those of its deal that are its */
                for (size_t j = 0; j < c->deal->entries.len; j++)
                    nentries += RW_VEC_AT(c->deal->entries, rw_entry *, j)->contrib == c;
                sb_printf(&b, " [%zu", nentries);
                for (size_t s = 0; s < rw_contrib_nslots(c); s++)
                    sb_printf(&b, " %lld", (long long)rw_contrib_net_at(c, s));
                if (c->group) {
                    const rw_group *g = c->group;
                    const rw_before *bf = &g->befores[rw_group_position(g, c)];
                    sb_printf(&b, " g=%zu/%lld/%lld b=%zu/%lld/%lld", (size_t)g->contribs.len, (long long)g->metric,
                              (long long)g->total, g->nbefores, (long long)bf->metric, (long long)bf->total);
                }
                sb_printf(&b, "]");
                break;
            }
            case RW_KIND_RUN:
                sb_printf(&b, " [%zu]", ((rw_run *)r)->lines.len);
                break;
            default:
                break;
            }
            sb_printf(&b, "\n");
        }
    }
    size_t counts[] = { e->currencies.count, e->programs.count, e->levels.count, e->rewards.count, e->partners.count,
                        e->users.count, e->deals.count, e->runs.count, e->event_ids.count, e->redemptions.count,
                        e->gtab.count, e->fx_pairs.count };
    sb_printf(&b, "indexes");
    for (size_t i = 0; i < sizeof counts / sizeof counts[0]; i++)
        sb_printf(&b, " %zu", counts[i]);
    sb_printf(&b, "\n");
    print_queue(&b, e, "pending", &e->pending_q, rw_entry_pending);
    print_queue(&b, e, "payable", &e->payable_q, rw_entry_payable);
    return b.p;
}

int eu_discard(void *user, const char *data, size_t size)
{
    (void)user;
    (void)data;
    (void)size;
    return 0;
}
