/*
 * bench_sqlite.c - bench_engine's workload in SQLite, one transaction and
 * SQL per event: what a host that kept its rewards in SQL tables would do
 * for each event.  Deals, groups (reward, period, partner, rep with their
 * running metric and total), contributions (what each trigger earned, per
 * slot) and entries are tables; each event reads what it needs with
 * prepared statements, computes the amounts in C with the program's
 * arithmetic (bench_model.c), and inserts or updates rows, between BEGIN
 * and COMMIT.  Like the bare loop it relies on an amended or cancelled deal
 * being the last member of its groups (true of this workload).
 *
 * Built only when SQLite is found (BENCH_SQLITE); otherwise bm_sql_new()
 * gives NULL and bench_engine says the comparison was not built.
 */
#include "bench_model.h"

#ifndef BENCH_SQLITE

bm_sql *bm_sql_new(const char *path)
{
    (void)path;
    return NULL;
}
void bm_sql_apply(bm_sql *s, const bm_event *ev)
{
    (void)s;
    (void)ev;
}
bm_totals bm_sql_totals(bm_sql *s)
{
    (void)s;
    bm_totals t = { 0, 0, 0 };
    return t;
}
void bm_sql_free(bm_sql *s)
{
    (void)s;
}

#else

#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* reward numbers */
enum { R_REG, R_RESALE, R_TIER, R_MS, R_PTS, R_REPBIG, R_CASH, R_UPLIFT };

enum { S_BEGIN, S_COMMIT, S_DEAL_INS, S_DEAL_GET, S_DEAL_AMOUNT, S_DEAL_STAGE, S_GROUP_GET, S_GROUP_PUT, S_CONTRIB_INS,
       S_CONTRIB_OF, S_CONTRIB_NET, S_ENTRY_INS, S_COUNT };

static const char *const sql_text[S_COUNT] = {
    "BEGIN",
    "COMMIT",
    "INSERT INTO deals(id, partner, rep, emea, amount, stage) VALUES (?1, ?2, ?3, ?4, ?5, 0)",
    "SELECT partner, rep, emea, amount FROM deals WHERE id = ?1",
    "UPDATE deals SET amount = ?2 WHERE id = ?1",
    "UPDATE deals SET stage = ?2, at = ?3 WHERE id = ?1",
    "SELECT metric, total FROM groups WHERE reward = ?1 AND period = ?2 AND partner = ?3 AND rep = ?4",
    "INSERT INTO groups(reward, period, partner, rep, metric, total) VALUES (?1, ?2, ?3, ?4, ?5, ?6) "
    "ON CONFLICT(reward, period, partner, rep) DO UPDATE SET metric = excluded.metric, total = excluded.total",
    "INSERT INTO contribs(deal, reward, period, base, metric_before, net0, net1) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
    "SELECT id, reward, period, metric_before, net0, net1 FROM contribs WHERE deal = ?1",
    "UPDATE contribs SET base = ?2, net0 = ?3, net1 = ?4 WHERE id = ?1",
    "INSERT INTO entries(contrib, deal, partner, rep, reward, slot, amount, currency, status, earned_at) "
    "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, 0, ?9)",
};

struct bm_sql {
    sqlite3 *db;
    sqlite3_stmt *st[S_COUNT];
};

static void die(bm_sql *s, const char *what)
{
    fprintf(stderr, "sqlite: %s: %s\n", what, sqlite3_errmsg(s->db));
    exit(1);
}

static void exec(bm_sql *s, const char *sql)
{
    char *err = NULL;
    if (sqlite3_exec(s->db, sql, NULL, NULL, &err) != SQLITE_OK) {
        fprintf(stderr, "sqlite: %s: %s\n", sql, err ? err : "");
        exit(1);
    }
}

bm_sql *bm_sql_new(const char *path)
{
    bm_sql *s = calloc(1, sizeof *s);
    if (sqlite3_open(path, &s->db) != SQLITE_OK)
        die(s, "open");
    exec(s, "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL;"
            "CREATE TABLE deals(id INTEGER PRIMARY KEY, partner INT, rep INT, emea INT, amount INT, stage INT, at INT);"
            "CREATE TABLE groups(reward INT, period INT, partner INT, rep INT, metric INT, total INT,"
            " PRIMARY KEY(reward, period, partner, rep)) WITHOUT ROWID;"
            "CREATE TABLE contribs(id INTEGER PRIMARY KEY, deal INT, reward INT, period INT, base INT,"
            " metric_before INT, net0 INT, net1 INT);"
            "CREATE INDEX contribs_deal ON contribs(deal);"
            "CREATE TABLE entries(id INTEGER PRIMARY KEY, contrib INT, deal INT, partner INT, rep INT, reward INT,"
            " slot INT, amount INT, currency TEXT, status INT, earned_at INT);");
    for (int i = 0; i < S_COUNT; i++)
        if (sqlite3_prepare_v2(s->db, sql_text[i], -1, &s->st[i], NULL) != SQLITE_OK)
            die(s, sql_text[i]);
    return s;
}

void bm_sql_free(bm_sql *s)
{
    if (!s)
        return;
    for (int i = 0; i < S_COUNT; i++)
        sqlite3_finalize(s->st[i]);
    sqlite3_close(s->db);
    free(s);
}

/* Bind the int64 arguments and run a statement that returns no row. */
static void run(bm_sql *s, int which, int n, const int64_t *args)
{
    sqlite3_stmt *st = s->st[which];
    for (int i = 0; i < n; i++)
        sqlite3_bind_int64(st, i + 1, args[i]);
    if (sqlite3_step(st) != SQLITE_DONE)
        die(s, sql_text[which]);
    sqlite3_reset(st);
}

#define RUN(s, which, ...)                                                              \
    do {                                                                                \
        const int64_t args_[] = { __VA_ARGS__ };                                        \
        run((s), (which), (int)(sizeof args_ / sizeof args_[0]), args_);                \
    } while (0)

static void entry(bm_sql *s, int64_t contrib, const bm_event *ev, int reward, int slot, int64_t amount, int points)
{
    if (!amount)
        return;
    sqlite3_stmt *st = s->st[S_ENTRY_INS];
    sqlite3_bind_int64(st, 1, contrib);
    sqlite3_bind_int64(st, 2, ev->deal);
    sqlite3_bind_int64(st, 3, ev->partner);
    sqlite3_bind_int64(st, 4, ev->rep);
    sqlite3_bind_int64(st, 5, reward);
    sqlite3_bind_int64(st, 6, slot);
    sqlite3_bind_int64(st, 7, amount);
    sqlite3_bind_text(st, 8, points ? "PTS" : "USD", 3, SQLITE_STATIC);
    sqlite3_bind_int64(st, 9, ev->t);
    if (sqlite3_step(st) != SQLITE_DONE)
        die(s, "insert entry");
    sqlite3_reset(st);
}

/* A contribution and its entries (net0, net1: its slots). */
static void contrib(bm_sql *s, const bm_event *ev, int reward, int period, int64_t base, int64_t before, int64_t net0,
                    int64_t net1, int points)
{
    RUN(s, S_CONTRIB_INS, ev->deal, reward, period, base, before, net0, net1);
    int64_t id = sqlite3_last_insert_rowid(s->db);
    entry(s, id, ev, reward, 0, net0, points);
    entry(s, id, ev, reward, 1, net1, points);
}

/* A group's metric and total (0, 0 when new). */
static void group_get(bm_sql *s, int reward, int period, int partner, int rep, int64_t *metric, int64_t *total)
{
    sqlite3_stmt *st = s->st[S_GROUP_GET];
    sqlite3_bind_int64(st, 1, reward);
    sqlite3_bind_int64(st, 2, period);
    sqlite3_bind_int64(st, 3, partner);
    sqlite3_bind_int64(st, 4, rep);
    *metric = *total = 0;
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        *metric = sqlite3_column_int64(st, 0);
        *total = sqlite3_column_int64(st, 1);
    } else if (rc != SQLITE_DONE) {
        die(s, "group");
    }
    sqlite3_reset(st);
}

static int64_t resale_of(int64_t a)
{
    int64_t x = bm_percent(a, 80000);
    return x > 400000 ? 400000 : x;
}

static int64_t uplift_of(int partner, int64_t a)
{
    return partner % 3 == 1 ? bm_percent(a, 10000) : partner % 3 == 2 ? bm_percent(a, 20000) : 0;
}

static int64_t ms_of(int slot, int64_t before, int64_t after)
{
    int64_t at = slot ? 25000000 : 10000000;
    return before < at && at <= after ? (slot ? 300000 : 100000) : 0;
}

static void won(bm_sql *s, bm_event *ev)
{
    sqlite3_stmt *st = s->st[S_DEAL_GET];
    sqlite3_bind_int64(st, 1, ev->deal);
    if (sqlite3_step(st) != SQLITE_ROW)
        die(s, "deal");
    int64_t a = sqlite3_column_int64(st, 3);
    ev->emea = (int)sqlite3_column_int64(st, 2);
    sqlite3_reset(st);
    RUN(s, S_DEAL_STAGE, ev->deal, 2, ev->t);
    int q = bm_quarter(ev->t);
    int64_t m, tot;
    contrib(s, ev, R_RESALE, -1, a, 0, resale_of(a), 0, 0);
    group_get(s, R_TIER, q, ev->partner, ev->rep, &m, &tot);
    int64_t tier = bm_tier(m + a) - bm_tier(m);
    contrib(s, ev, R_TIER, q, a, m, tier, 0, 0);
    RUN(s, S_GROUP_PUT, R_TIER, q, ev->partner, ev->rep, m + a, tot + tier);
    group_get(s, R_MS, q, ev->partner, 0, &m, &tot);
    int64_t ms0 = ms_of(0, m, m + a), ms1 = ms_of(1, m, m + a);
    contrib(s, ev, R_MS, q, a, m, ms0, ms1, 0);
    RUN(s, S_GROUP_PUT, R_MS, q, ev->partner, 0, m + a, tot + ms0 + ms1);
    contrib(s, ev, R_PTS, -1, a, 0, a / 100, 0, 1);
    if (a >= 2000000 && ev->emea)
        contrib(s, ev, R_REPBIG, -1, a, 0, 15000, 0, 0);
    if (ev->partner % 3)
        contrib(s, ev, R_UPLIFT, -1, a, 0, uplift_of(ev->partner, a), 0, 0);
}

/* Amend (amount > 0) or cancel (amount 0: resale and rep-tier reversed) a won deal. */
static void correct(bm_sql *s, const bm_event *ev, int cancel)
{
    if (!cancel)
        RUN(s, S_DEAL_AMOUNT, ev->deal, ev->amount);
    else
        RUN(s, S_DEAL_STAGE, ev->deal, 5, ev->t);
    int64_t a = ev->amount;
    sqlite3_stmt *st = s->st[S_CONTRIB_OF];
    sqlite3_bind_int64(st, 1, ev->deal);
    struct {
        int64_t id, reward, period, before, net0, net1;
    } k[16];
    int n = 0;
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW && n < 16) {
        k[n].id = sqlite3_column_int64(st, 0);
        k[n].reward = sqlite3_column_int64(st, 1);
        k[n].period = sqlite3_column_int64(st, 2);
        k[n].before = sqlite3_column_int64(st, 3);
        k[n].net0 = sqlite3_column_int64(st, 4);
        k[n].net1 = sqlite3_column_int64(st, 5);
        n++;
    }
    if (rc != SQLITE_DONE && rc != SQLITE_ROW)
        die(s, "contribs of a deal");
    sqlite3_reset(st);
    for (int i = 0; i < n; i++) {
        int64_t t0 = k[i].net0, t1 = k[i].net1;
        int points = 0;
        switch (k[i].reward) {
        case R_RESALE: t0 = cancel ? 0 : resale_of(a); break;
        case R_TIER: {
            t0 = cancel ? 0 : bm_tier(k[i].before + a) - bm_tier(k[i].before);
            int64_t m, tot;
            group_get(s, R_TIER, (int)k[i].period, ev->partner, ev->rep, &m, &tot);
            RUN(s, S_GROUP_PUT, R_TIER, k[i].period, ev->partner, ev->rep, k[i].before + a, tot + t0 - k[i].net0);
            break;
        }
        case R_MS:
            if (!cancel) {
                t0 = ms_of(0, k[i].before, k[i].before + a);
                t1 = ms_of(1, k[i].before, k[i].before + a);
                int64_t m, tot;
                group_get(s, R_MS, (int)k[i].period, ev->partner, 0, &m, &tot);
                RUN(s, S_GROUP_PUT, R_MS, k[i].period, ev->partner, 0, k[i].before + a,
                    tot + t0 + t1 - k[i].net0 - k[i].net1);
            }
            break;
        case R_PTS: t0 = cancel ? t0 : a / 100, points = 1; break;
        case R_UPLIFT: t0 = cancel ? t0 : uplift_of(ev->partner, a); break;
        default: break; /* fixed amounts, payments: unchanged */
        }
        if (t0 == k[i].net0 && t1 == k[i].net1)
            continue;
        entry(s, k[i].id, ev, (int)k[i].reward, 0, t0 - k[i].net0, points);
        entry(s, k[i].id, ev, (int)k[i].reward, 1, t1 - k[i].net1, points);
        RUN(s, S_CONTRIB_NET, k[i].id, cancel ? 0 : a, t0, t1);
    }
}

void bm_sql_apply(bm_sql *s, const bm_event *event)
{
    bm_event ev = *event;
    run(s, S_BEGIN, 0, NULL);
    switch (ev.kind) {
    case BM_DEAL:
        RUN(s, S_DEAL_INS, ev.deal, ev.partner, ev.rep, ev.emea, ev.amount);
        break;
    case BM_APPROVED:
        RUN(s, S_DEAL_STAGE, ev.deal, 1, ev.t);
        contrib(s, &ev, R_REG, -1, 0, 0, 2500, 0, 0);
        break;
    case BM_LOST:
        RUN(s, S_DEAL_STAGE, ev.deal, 4, ev.t);
        break;
    case BM_WON:
        won(s, &ev);
        break;
    case BM_PAYMENT: {
        int mo = bm_month(ev.t);
        int64_t m, tot;
        group_get(s, R_CASH, mo, ev.partner, 0, &m, &tot);
        int64_t x = bm_percent(ev.amount, 20000), room = 250000 - tot;
        if (room < 0)
            room = 0;
        if (x > room)
            x = room;
        contrib(s, &ev, R_CASH, mo, ev.amount, tot, x, 0, 0);
        RUN(s, S_GROUP_PUT, R_CASH, mo, ev.partner, 0, m + ev.amount, tot + x);
        break;
    }
    case BM_AMEND:
        correct(s, &ev, 0);
        break;
    case BM_CANCEL:
        correct(s, &ev, 1);
        break;
    }
    run(s, S_COMMIT, 0, NULL);
}

bm_totals bm_sql_totals(bm_sql *s)
{
    bm_totals t = { 0, 0, 0 };
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(s->db, "SELECT currency, SUM(amount), COUNT(*) FROM entries GROUP BY currency", -1, &st,
                           NULL) != SQLITE_OK)
        die(s, "totals");
    while (sqlite3_step(st) == SQLITE_ROW) {
        int pts = !strcmp((const char *)sqlite3_column_text(st, 0), "PTS");
        *(pts ? &t.points : &t.money) += sqlite3_column_int64(st, 1);
        t.entries += (long)sqlite3_column_int64(st, 2);
    }
    sqlite3_finalize(st);
    return t;
}

#endif
