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
 * Then, in the same run, the same events through a bare C loop (plain
 * arrays, no history, no checks: the lower bound) and through SQLite with
 * one transaction and SQL per event (in memory unless --sqlite=FILE; not
 * built without sqlite3), each with its operations per second, its speed
 * relative to librewards, and its totals (money, points, entries) and
 * whether they agree with librewards' (bench_model.c, bench_sqlite.c).
 *
 *   build/tests/bench/bench_engine [DEALS] [--restore] [--sqlite=FILE | --no-sqlite] [--no-traces]   (default 10000)
 */
#include "rewards.h"
#include "benchutil.h"
#include "bench_model.h"

#include <sys/resource.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define PARTNERS BM_PARTNERS
#define REPS BM_REPS

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

/* The process's CPU time in the kernel (page faults, mostly): part of cpu_s(). */
static double sys_s(void)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec / 1e6;
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

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
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

/* Deal i takes a 60-second slot: every one of its operations is inside it, in
 * time order.  The events come from bench_model.c, so that the comparisons
 * see the very same history. */
static void deal(rewards_engine *e, long i, int64_t t)
{
    char id[32], partner[32], user[40], amount[32];
    bm_event evs[8];
    size_t n = bm_deal_events(i, t, evs);
    snprintf(id, sizeof id, "d-%ld", i);
    snprintf(partner, sizeof partner, "partner-%04d", evs[0].partner);
    snprintf(user, sizeof user, "rep-%04d-%d", evs[0].partner, evs[0].rep);
    for (size_t k = 0; k < n; k++) {
        const bm_event *ev = &evs[k];
        if (ev->kind == BM_DEAL || ev->kind == BM_PAYMENT || ev->kind == BM_AMEND) /* as a host formats them */
            snprintf(amount, sizeof amount, "%lld.%02lld", (long long)(ev->amount / 100),
                     (long long)(ev->amount % 100));
        switch (ev->kind) {
        case BM_DEAL:
            op(e, K_DEAL, ev->t, "deal", "id", id, "partner", partner, "currency", "USD", "amount", amount, "user",
               user, "attrs.region", ev->emea ? "emea" : "amer", NULL);
            break;
        case BM_APPROVED: op(e, K_APPROVED, ev->t, "stage", "deal", id, "stage", "approved", NULL); break;
        case BM_LOST: op(e, K_LOST, ev->t, "stage", "deal", id, "stage", "lost", NULL); break;
        case BM_WON: op(e, K_WON, ev->t, "stage", "deal", id, "stage", "won", NULL); break;
        case BM_PAYMENT: op(e, K_PAYMENT, ev->t, "payment", "deal", id, "amount", amount, NULL); break;
        case BM_AMEND: op(e, K_AMEND, ev->t, "amend", "deal", id, "amount", amount, NULL); break;
        case BM_CANCEL: op(e, K_CANCEL, ev->t, "stage", "deal", id, "stage", "cancelled", NULL); break;
        }
    }
}

/* ---- totals and the comparisons ----------------------------------------------------- */

/* What the engine recorded, through the balances of every recipient (each entry has one). */
static bm_totals engine_totals(rewards_engine *e)
{
    bm_totals t = { 0, 0, (long)rewards_engine_entry_count(e) };
    for (int p = 0; p < PARTNERS; p++) {
        char id[40];
        rewards_balance b = { REWARDS_BALANCE_VERSION, 0, 0, 0, 0, 0 };
        snprintf(id, sizeof id, "partner-%04d", p);
        rewards_status st = rewards_engine_balance(e, &b, "partner", id);
        if (st)
            bu_die("balance", e, st);
        t.money += b.pending + b.approved + b.held + b.paid;
        t.points += b.points;
        for (int r = 0; r < REPS; r++) {
            snprintf(id, sizeof id, "rep-%04d-%d", p, r);
            if ((st = rewards_engine_balance(e, &b, "sales_rep", id)))
                bu_die("balance", e, st);
            t.money += b.pending + b.approved + b.held + b.paid;
            t.points += b.points;
        }
    }
    return t;
}

static int same_totals(bm_totals a, bm_totals b)
{
    return a.money == b.money && a.points == b.points && a.entries == b.entries;
}

static void print_pass(const char *name, double cpu, size_t ops, double lib_cpu, bm_totals t, bm_totals want)
{
    printf("%-34s %10.0f %8.2fx %16lld %12lld %10ld  %s\n", name, (double)ops / cpu, lib_cpu / cpu,
           (long long)t.money, (long long)t.points, t.entries, same_totals(t, want) ? "agree" : "DIFFER");
}

/* The bare loop and SQLite per event over the same events; librewards took lib_cpu. */
static void compare(long deals, int64_t t0, size_t ops, double lib_cpu, bm_totals lib, const char *sqlite_path)
{
    printf("%-34s %10s %9s %16s %12s %10s  %s\n", "same events (CPU time)", "ops/s", "speed", "money (cents)", "points",
           "entries", "totals");
    print_pass("librewards", lib_cpu, ops, lib_cpu, lib, lib);
    bm_reset();
    bm_bare *b = bm_bare_new(deals, t0 + (int64_t)deals * 60 + 60);
    double c = cpu_s();
    for (long i = 0; i < deals; i++) {
        bm_event evs[8];
        size_t n = bm_deal_events(i, t0 + (int64_t)i * 60, evs);
        for (size_t k = 0; k < n; k++)
            bm_bare_apply(b, &evs[k]);
    }
    double bare_cpu = cpu_s() - c;
    bm_totals bt = bm_bare_totals(b);
    bm_bare_free(b);
    print_pass("bare C loop (lower bound)", bare_cpu, ops, lib_cpu, bt, lib);
    bm_sql *s = sqlite_path ? bm_sql_new(sqlite_path) : NULL;
    double sql_cpu = 0;
    bm_totals st = { 0, 0, 0 };
    if (s) {
        bm_reset();
        c = cpu_s();
        for (long i = 0; i < deals; i++) {
            bm_event evs[8];
            size_t n = bm_deal_events(i, t0 + (int64_t)i * 60, evs);
            for (size_t k = 0; k < n; k++)
                bm_sql_apply(s, &evs[k]);
        }
        sql_cpu = cpu_s() - c;
        st = bm_sql_totals(s);
        bm_sql_free(s);
        char name[64];
        snprintf(name, sizeof name, "SQLite, a transaction per event");
        print_pass(name, sql_cpu, ops, lib_cpu, st, lib);
    } else {
        printf("%-34s (%s)\n", "SQLite, a transaction per event", sqlite_path ? "not built: no sqlite3" : "skipped");
    }
    printf("bare loop %.1fx faster than librewards", lib_cpu / bare_cpu);
    if (s)
        printf("; librewards %.1fx faster than SQLite per event (%s)", sql_cpu / lib_cpu,
               strcmp(sqlite_path, ":memory:") ? sqlite_path : "in memory");
    printf("; totals %s\n", same_totals(bt, lib) && (!s || same_totals(st, lib)) ? "agree" : "DIFFER");
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

static double last_cpu_us; /* the CPU time of the last timed_op (the machine may be shared) */

static double timed_op(rewards_engine *e, int64_t at, const char *name, const char *k1, const char *v1,
                       const char *k2, const char *v2)
{
    double t = bu_now_ns(), c = cpu_s();
    op(e, -1, at, name, k1, v1, k2, v2, NULL);
    last_cpu_us = (cpu_s() - c) * 1e6;
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
    bm_reset(); /* the same deals as the main pass */
    plan(e);
    long long base = heap.bytes;
    for (long i = 0; i < deals; i++)
        deal(e, i, t0 + (int64_t)i * 60);
    *entries = rewards_engine_entry_count(e);
    double per = (double)(heap.bytes - base) / (double)*entries;
    rewards_engine_free(e);
    return per;
}

int main(int argc, char **argv)
{
    long deals = 10000;
    int with_restore = 0, traces = REWARDS_TRACES_ON;
    const char *sqlite_path = ":memory:";
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--restore"))
            with_restore = 1;
        else if (!strncmp(argv[i], "--sqlite=", 9))
            sqlite_path = argv[i] + 9;
        else if (!strcmp(argv[i], "--no-traces"))
            traces = REWARDS_TRACES_OFF;
        else if (!strcmp(argv[i], "--no-sqlite"))
            sqlite_path = NULL;
        else
            deals = strtol(argv[i], NULL, 10);
    }
    if (deals <= 0) {
        fprintf(stderr, "usage: bench_engine [DEALS] [--restore] [--sqlite=FILE | --no-sqlite] [--no-traces]\n");
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
    opt.traces = traces; /* --no-traces: the engine without calculation traces */
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
    bm_reset();
    double c0 = cpu_s(), w0 = bu_now_ns();
    for (long i = 0; i < deals; i++)
        deal(e, i, t0 + (int64_t)i * 60);
    double cpu = cpu_s() - c0, wall = (bu_now_ns() - w0) / 1e9;
    for (int k = 0; k < K_COUNT; k++)
        ops += timing[k].n;
    size_t entries = rewards_engine_entry_count(e);
    bm_totals lib_totals = engine_totals(e);
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
    /* a call that changes nothing takes microseconds: one sample is mostly cache misses, so the median of 5 */
    double nothing[2][5];
    for (int k = 0; k < 5; k++) {
        char run[32];
        snprintf(run, sizeof run, "run-empty-%d", k);
        nothing[0][k] = timed_op(e, end, "approve", "until", before, NULL, NULL);
        nothing[1][k] = timed_op(e, end, "payout", "id", run, "until", before);
    }
    for (int w = 0; w < 2; w++)
        qsort(nothing[w], 5, sizeof nothing[w][0], cmp_double);
    printf("approve, nothing due        %10.1f us (median of 5, max %.1f)\n", nothing[0][2], nothing[0][4]);
    printf("payout, nothing due         %10.1f us (median of 5, max %.1f)\n", nothing[1][2], nothing[1][4]);
    double us = timed_op(e, end, "approve", "until", until, NULL, NULL);
    printf("approve, all pending        %10.1f us (CPU %.1f us)\n", us, last_cpu_us);
    us = timed_op(e, end, "payout", "id", "run-all", "until", until);
    printf("payout, all approved        %10.1f us (CPU %.1f us)\n", us, last_cpu_us);

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
        double rc = cpu_s(), rsys = sys_s();
        for (size_t i = 0; i < live; i++)
            if ((st = rewards_engine_restore(r, (rewards_record_kind)saved.items[i].kind, saved.items[i].data,
                                             saved.items[i].size)))
                bu_die("restore", r, st);
        if ((st = rewards_engine_restore_finish(r)))
            bu_die("restore_finish", r, st);
        rc = cpu_s() - rc;
        rsys = sys_s() - rsys;
        printf("restore            %.0f records/s (%zu records, %.2f s CPU of which %.2f s in the kernel; %zu puts)\n",
               (double)live / rc, live, rc, rsys, saved.puts);
        rewards_engine_free(r);
        for (size_t i = 0; i < live; i++) {
            free(saved.items[i].key);
            free(saved.items[i].data);
        }
    }
    free(saved.items);
    rewards_engine_free(e);
    compare(deals, t0, ops, cpu, lib_totals, sqlite_path);
    for (int k = 0; k < K_COUNT; k++)
        free(timing[k].us);
    return 0;
}
