/*
 * bench_engine.c - the whole engine under a realistic program, at scale.
 *
 * A deterministic mix: 3 levels and 9 rewards (a fixed bonus at approval, a
 * capped percent with clawback, a 3-bracket quarterly graduated tier for the
 * rep, a quarterly revenue milestone, points per unit, a conditional rep
 * bonus, a capped percent of payments, and two level uplifts), 1,000
 * partners with 3 reps each, and N deals in time order: each registered
 * and approved, 10% lost, the rest won with 1-2 payments, 10% of those
 * amended and 5% cancelled inside the clawback window.  Then the finance
 * side at full size: an approval and a payout run that find nothing to do,
 * an approval of everything pending, a payout run of everything approved;
 * and, with --restore, a restart from every record storage was told.
 *
 * It prints operations per second (CPU time), the median, p99 and maximum
 * wall time of each operation kind, and the heap the engine holds per deal
 * (bytes and blocks, counted by a wrapping allocator).  It asserts nothing:
 * run it side by side with another build to compare.
 *
 *   build/tests/bench/bench_engine [DEALS] [--restore]     (default 10000)
 */
#include "rewards.h"
#include "benchutil.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define PARTNERS 1000
#define REPS 3

/* ---- counting allocator ---------------------------------------------------- */

typedef struct counter {
    long long bytes, blocks;
} counter;

/* Each block carries its size in front, so that free and realloc can count. */
#define HEAD 16

static void *c_malloc(void *user, size_t size)
{
    counter *c = user;
    unsigned char *p = malloc(size + HEAD);
    if (!p)
        return NULL;
    memcpy(p, &size, sizeof size);
    c->bytes += (long long)size;
    c->blocks++;
    return p + HEAD;
}

static void c_free(void *user, void *ptr)
{
    counter *c = user;
    unsigned char *p = (unsigned char *)ptr - HEAD;
    size_t size;
    memcpy(&size, p, sizeof size);
    c->bytes -= (long long)size;
    c->blocks--;
    free(p);
}

static void *c_realloc(void *user, void *ptr, size_t size)
{
    counter *c = user;
    if (!ptr)
        return c_malloc(user, size);
    unsigned char *p = (unsigned char *)ptr - HEAD;
    size_t old;
    memcpy(&old, p, sizeof old);
    unsigned char *q = realloc(p, size + HEAD);
    if (!q)
        return NULL;
    memcpy(q, &size, sizeof size);
    c->bytes += (long long)size - (long long)old;
    return q + HEAD;
}

/* ---- timing ------------------------------------------------------------------ */

static double cpu_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

enum { K_DEAL, K_APPROVED, K_WON, K_LOST, K_PAYMENT, K_AMEND, K_CANCEL, K_COUNT };
static const char *const kind_names[] = { "deal", "stage approved", "stage won", "stage lost", "payment", "amend",
                                          "stage cancelled" };

/* Wall times per operation kind (float microseconds: enough, and half the memory). */
typedef struct samples {
    float *us;
    size_t n, cap;
} samples;

static samples timing[K_COUNT];

static void record(int kind, double ns)
{
    samples *s = &timing[kind];
    if (s->n == s->cap) {
        s->cap = s->cap ? s->cap * 2 : 1024;
        s->us = realloc(s->us, s->cap * sizeof *s->us);
        if (!s->us)
            exit(3);
    }
    s->us[s->n++] = (float)(ns / 1e3);
}

static int cmp_float(const void *a, const void *b)
{
    float x = *(const float *)a, y = *(const float *)b;
    return x < y ? -1 : x > y;
}

/* ---- operations -------------------------------------------------------------- */

/* Apply an operation (as bu_op) and record its time under kind (or not, for -1). */
#define op(e, kind, at, ...) record_kind((kind), bu_op((e), (at), __VA_ARGS__))

static void record_kind(int kind, double ns)
{
    if (kind >= 0)
        record(kind, ns);
}

/* ---- the plan -------------------------------------------------------------------- */

static void plan(rewards_engine *e)
{
    op(e, -1, INT64_MIN, "program", "id", "p", "name", "Resellers", "currency", "USD", NULL);
    op(e, -1, INT64_MIN, "level", "id", "silver", "program", "p", "name", "Silver", "rank:i", "1", NULL);
    op(e, -1, INT64_MIN, "level", "id", "gold", "program", "p", "name", "Gold", "rank:i", "2", NULL);
    op(e, -1, INT64_MIN, "level", "id", "platinum", "program", "p", "name", "Platinum", "rank:i", "3", NULL);
    op(e, -1, INT64_MIN, "reward", "id", "reg-bonus", "program", "p", "name", "Approval bonus", "trigger",
       "deal_approved", "recipient", "partner", "kind", "fixed", "amount", "25.00", NULL);
    op(e, -1, INT64_MIN, "reward", "id", "resale", "program", "p", "name", "Resale 8%", "trigger", "deal_won",
       "recipient", "partner", "kind", "percent", "rate", "8%", "clawback_days:i", "90", "cap_per_deal", "4000.00",
       NULL);
    op(e, -1, INT64_MIN, "reward", "id", "rep-tier", "program", "p", "name", "Rep tiers", "trigger", "deal_won",
       "recipient", "sales_rep", "kind", "tiered", "period", "quarter", "tiers.0.from", "0", "tiers.0.rate", "2%",
       "tiers.1.from", "50000.00", "tiers.1.rate", "3%", "tiers.2.from", "200000.00", "tiers.2.rate", "4%",
       "clawback_days:i", "90", NULL);
    op(e, -1, INT64_MIN, "reward", "id", "quarter-bonus", "program", "p", "name", "Quarter milestone", "trigger",
       "deal_won", "recipient", "partner", "kind", "milestone", "period", "quarter", "metric", "revenue",
       "thresholds.0.at", "100000.00", "thresholds.0.bonus", "1000.00", "thresholds.1.at", "250000.00",
       "thresholds.1.bonus", "3000.00", NULL);
    op(e, -1, INT64_MIN, "reward", "id", "points", "program", "p", "name", "Points", "trigger", "deal_won",
       "recipient", "partner", "kind", "points", "points_per_unit", "1", "auto_approve:b", "true", NULL);
    op(e, -1, INT64_MIN, "reward", "id", "rep-big", "program", "p", "name", "Big deal bonus", "trigger", "deal_won",
       "recipient", "sales_rep", "kind", "fixed", "amount", "150.00", "when",
       "deal.amount >= 20000 && deal.attr.region == \"emea\"", NULL);
    op(e, -1, INT64_MIN, "reward", "id", "cash", "program", "p", "name", "Cash collected 2%", "trigger", "deal_paid",
       "recipient", "partner", "kind", "percent", "rate", "2%", "period", "month", "cap_per_period", "2500.00", NULL);
    op(e, -1, INT64_MIN, "reward", "id", "gold-uplift", "level", "gold", "name", "Gold uplift", "trigger", "deal_won",
       "recipient", "partner", "kind", "percent", "rate", "1%", NULL);
    op(e, -1, INT64_MIN, "reward", "id", "plat-uplift", "level", "platinum", "name", "Platinum uplift", "trigger",
       "deal_won", "recipient", "partner", "kind", "percent", "rate", "2%", NULL);
    static const char *const levels[] = { "silver", "gold", "platinum" };
    for (int p = 0; p < PARTNERS; p++) {
        char id[32], name[48];
        snprintf(id, sizeof id, "partner-%04d", p);
        snprintf(name, sizeof name, "Partner %d", p);
        op(e, -1, INT64_MIN, "partner", "id", id, "program", "p", "level", levels[p % 3], "name", name, NULL);
        for (int r = 0; r < REPS; r++) {
            char uid[40];
            snprintf(uid, sizeof uid, "rep-%04d-%d", p, r);
            op(e, -1, INT64_MIN, "user", "id", uid, "partner", id, "name", uid, "portal_access:b", "true", NULL);
        }
    }
}

/* A small deterministic generator (xorshift), so that every run is the same. */
static uint64_t rng = 0x9E3779B97F4A7C15u;
static uint64_t next(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return rng;
}

/* Deal i takes a 60-second slot: every one of its operations is inside it, in time order. */
static void deal(rewards_engine *e, long i, int64_t t)
{
    char id[32], partner[32], user[40], amount[32], amended[32], pay[32];
    uint64_t r = next();
    int p = (int)(r % PARTNERS);
    snprintf(id, sizeof id, "d-%ld", i);
    snprintf(partner, sizeof partner, "partner-%04d", p);
    snprintf(user, sizeof user, "rep-%04d-%d", p, (int)((r >> 10) % REPS));
    long cents = 100000 + (long)((r >> 20) % 4000000); /* 1,000.00 .. 40,999.99 */
    snprintf(amount, sizeof amount, "%ld.%02ld", cents / 100, cents % 100);
    op(e, K_DEAL, t, "deal", "id", id, "partner", partner, "currency", "USD", "amount", amount, "user", user,
       "attrs.region", (r >> 40) % 3 ? "amer" : "emea", NULL);
    op(e, K_APPROVED, t + 5, "stage", "deal", id, "stage", "approved", NULL);
    int fate = (int)((r >> 48) % 100);
    if (fate < 10) {
        op(e, K_LOST, t + 10, "stage", "deal", id, "stage", "lost", NULL);
        return;
    }
    op(e, K_WON, t + 10, "stage", "deal", id, "stage", "won", NULL);
    int payments = 1 + (int)((r >> 56) % 2);
    long part = cents / payments;
    snprintf(pay, sizeof pay, "%ld.%02ld", part / 100, part % 100);
    for (int k = 0; k < payments; k++)
        op(e, K_PAYMENT, t + 20 + k, "payment", "deal", id, "amount", pay, NULL);
    if (fate < 20) {
        long cents2 = cents * 9 / 10;
        snprintf(amended, sizeof amended, "%ld.%02ld", cents2 / 100, cents2 % 100);
        op(e, K_AMEND, t + 30, "amend", "deal", id, "amount", amended, NULL);
    } else if (fate < 25) {
        op(e, K_CANCEL, t + 40, "stage", "deal", id, "stage", "cancelled", NULL);
    }
}

/* ---- restore: every record storage was told, latest data per (kind, key) ---------- */

typedef struct stored {
    int kind;
    char *key;
    char *data;
    size_t size;
} stored;

typedef struct store {
    stored *items;
    size_t n, cap;
    size_t puts;
} store;

static int st_put(void *user, rewards_record_kind kind, const char *key, const void *data, size_t size)
{
    store *s = user;
    s->puts++;
    /* append; duplicates are resolved after the run (the latest wins) */
    if (s->n == s->cap) {
        s->cap = s->cap ? s->cap * 2 : 4096;
        s->items = realloc(s->items, s->cap * sizeof *s->items);
        if (!s->items)
            return -1;
    }
    stored *it = &s->items[s->n++];
    it->kind = (int)kind;
    it->key = strdup(key);
    it->data = malloc(size ? size : 1);
    if (!it->key || !it->data)
        return -1;
    memcpy(it->data, data, size);
    it->size = size;
    return 0;
}

static int by_kind_key_order(const void *a, const void *b)
{
    const stored *x = a, *y = b;
    if (x->kind != y->kind)
        return x->kind < y->kind ? -1 : 1;
    int c = strcmp(x->key, y->key);
    if (c)
        return c;
    return x < y ? -1 : x > y; /* stable: later puts after earlier ones */
}

/* ---- main ---------------------------------------------------------------------------- */

static void print_timing(void)
{
    printf("%-16s %10s %10s %10s %10s\n", "operation", "count", "median_us", "p99_us", "max_us");
    for (int k = 0; k < K_COUNT; k++) {
        samples *s = &timing[k];
        if (!s->n)
            continue;
        qsort(s->us, s->n, sizeof *s->us, cmp_float);
        printf("%-16s %10zu %10.2f %10.2f %10.1f\n", kind_names[k], s->n, s->us[s->n / 2],
               s->us[(size_t)((double)s->n * 0.99)], s->us[s->n - 1]);
    }
}

static double timed_op(rewards_engine *e, int64_t at, const char *name, const char *k1, const char *v1,
                       const char *k2, const char *v2)
{
    double t = bu_now_ns();
    op(e, -1, at, name, k1, v1, k2, v2, NULL);
    return (bu_now_ns() - t) / 1e3;
}

/*
 * The heap per entry of the same deals with traces on and off (issue 14:
 * traces may at most double it): the deal loop again, in a fresh engine
 * with the same random sequence, before the finance operations.
 */
static double heap_per_entry(long deals, int64_t t0, int traces, size_t *entries)
{
    counter heap = { 0, 0 };
    rewards_allocator alloc = REWARDS_ALLOCATOR_INIT;
    alloc.malloc = c_malloc;
    alloc.realloc = c_realloc;
    alloc.free = c_free;
    alloc.user = &heap;
    rewards_options opt = REWARDS_OPTIONS_INIT;
    opt.allocator = &alloc;
    opt.traces = traces;
    rewards_engine *e;
    rewards_status st = rewards_engine_new(&e, &opt);
    if (st)
        bu_die("engine", NULL, st);
    uint64_t saved_rng = rng;
    rng = 0x9E3779B97F4A7C15u;
    plan(e);
    long long base = heap.bytes;
    for (long i = 0; i < deals; i++)
        deal(e, i, t0 + (int64_t)i * 60);
    *entries = rewards_engine_entry_count(e);
    double per = (double)(heap.bytes - base) / (double)*entries;
    rewards_engine_free(e);
    rng = saved_rng;
    return per;
}

int main(int argc, char **argv)
{
    long deals = 10000;
    int with_restore = 0;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--restore"))
            with_restore = 1;
        else
            deals = strtol(argv[i], NULL, 10);
    }
    if (deals <= 0) {
        fprintf(stderr, "usage: bench_engine [DEALS] [--restore]\n");
        return 2;
    }
    counter heap = { 0, 0 };
    rewards_allocator alloc = REWARDS_ALLOCATOR_INIT;
    alloc.malloc = c_malloc;
    alloc.realloc = c_realloc;
    alloc.free = c_free;
    alloc.user = &heap;
    store saved = { 0 };
    rewards_storage storage = REWARDS_STORAGE_INIT;
    storage.put = st_put;
    storage.user = &saved;
    rewards_options opt = REWARDS_OPTIONS_INIT;
    opt.allocator = &alloc;
    if (with_restore)
        opt.storage = &storage;
    rewards_engine *e;
    rewards_status st = rewards_engine_new(&e, &opt);
    if (st)
        bu_die("engine", NULL, st);
    plan(e);
    long long base_bytes = heap.bytes, base_blocks = heap.blocks;

    int64_t t0;
    rewards_time_parse("2026-01-01", &t0);
    size_t ops = 0;
    double c0 = cpu_s(), w0 = bu_now_ns();
    for (long i = 0; i < deals; i++)
        deal(e, i, t0 + (int64_t)i * 60);
    double cpu = cpu_s() - c0, wall = (bu_now_ns() - w0) / 1e9;
    for (int k = 0; k < K_COUNT; k++)
        ops += timing[k].n;
    size_t entries = rewards_engine_entry_count(e);
    int64_t end = t0 + (int64_t)deals * 60 + 60;

    printf("bench_engine: %ld deals, %zu operations, %zu entries, %d partners x %d reps\n", deals, ops, entries,
           PARTNERS, REPS);
    printf("operations/s (CPU) %.0f   (%.2f us/op; %.2f s CPU, %.2f s wall)\n", (double)ops / cpu,
           cpu * 1e6 / (double)ops, cpu, wall);
    print_timing();
    printf("heap per deal      %.0f B in %.1f blocks (engine total %.1f MB in %lld blocks)\n",
           (double)(heap.bytes - base_bytes) / (double)deals, (double)(heap.blocks - base_blocks) / (double)deals,
           (double)heap.bytes / 1e6, heap.blocks);

    {
        size_t n_on, n_off;
        double on = heap_per_entry(deals, t0, REWARDS_TRACES_ON, &n_on);
        double off = heap_per_entry(deals, t0, REWARDS_TRACES_OFF, &n_off);
        printf("heap per entry     %.0f B with traces, %.0f B without (traces add %.0f B, x%.2f; %zu entries)\n", on,
               off, on - off, on / off, n_on);
    }

    char until[32];
    rewards_time_format(end, until, sizeof until);
    char before[32];
    rewards_time_format(t0 - 86400, before, sizeof before);
    printf("approve, nothing due        %10.1f us\n", timed_op(e, end, "approve", "until", before, NULL, NULL));
    printf("payout, nothing due         %10.1f us\n",
           timed_op(e, end, "payout", "id", "run-empty", "until", before));
    printf("approve, all pending        %10.1f us\n", timed_op(e, end, "approve", "until", until, NULL, NULL));
    printf("payout, all approved        %10.1f us\n", timed_op(e, end, "payout", "id", "run-all", "until", until));

    if (with_restore) {
        /* the latest data of each (kind, key), as a host's tables hold it */
        qsort(saved.items, saved.n, sizeof *saved.items, by_kind_key_order);
        size_t live = 0;
        for (size_t i = 0; i < saved.n; i++)
            if (i + 1 == saved.n || saved.items[i + 1].kind != saved.items[i].kind ||
                strcmp(saved.items[i + 1].key, saved.items[i].key))
                saved.items[live++] = saved.items[i];
            else {
                free(saved.items[i].key); /* an older version of the record */
                free(saved.items[i].data);
            }
        rewards_engine *r;
        if ((st = rewards_engine_new(&r, NULL)))
            bu_die("engine", NULL, st);
        double rc = cpu_s();
        for (size_t i = 0; i < live; i++)
            if ((st = rewards_engine_restore(r, (rewards_record_kind)saved.items[i].kind, saved.items[i].data,
                                             saved.items[i].size)))
                bu_die("restore", r, st);
        if ((st = rewards_engine_restore_finish(r)))
            bu_die("restore_finish", r, st);
        rc = cpu_s() - rc;
        printf("restore            %.0f records/s (%zu records, %.2f s CPU; %zu puts)\n", (double)live / rc, live, rc,
               saved.puts);
        rewards_engine_free(r);
        for (size_t i = 0; i < live; i++) {
            free(saved.items[i].key);
            free(saved.items[i].data);
        }
    }
    free(saved.items);
    rewards_engine_free(e);
    for (int k = 0; k < K_COUNT; k++)
        free(timing[k].us);
    return 0;
}
