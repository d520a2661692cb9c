/*
 * pgdb.c - connecting pg-host to its tenant: lock, schema check, schema,
 * statements.
 *
 * Ownership: the engine is read from the database once, at start, and from
 * then on the host's memory is the truth it writes from; a second host on
 * the same tenant would write behind its back.  So a host first takes a
 * session-level advisory lock on its tenant (pg_try_advisory_lock, held
 * until the connection ends, which PostgreSQL also ends for a killed
 * host) and a second host is refused at once, naming the holder.  The
 * lock is taken before the schema is looked at, so that two hosts
 * starting together cannot both create it.
 *
 * Belonging: the schema's host_meta row names its tenant.  A schema whose
 * row names another tenant (renamed, or restored from another tenant's
 * dump) is refused, and so is a schema that holds tables but no host_meta
 * (not made by pg-host): the host never guesses which engine a set of
 * records belongs to.  Which scenario file the records come from is
 * checked later, by the progress digest (hostrun.c), as in sqlite-host.
 *
 * Messages: CREATE ... IF NOT EXISTS sends notices; they would mix with
 * the error lines on standard error, so the notice processor drops them.
 */
#include "pgdb.h"
#include "hooks.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The version of this host's schema, kept in host_meta. */
#define PG_SCHEMA_VERSION 1

int pg_tenant_valid(const char *name)
{
    size_t n = strlen(name);
    if (n == 0 || n > PG_TENANT_MAX)
        return 0;
    for (; *name; name++)
        if (!((*name >= 'a' && *name <= 'z') || (*name >= '0' && *name <= '9') || *name == '_'))
            return 0;
    return 1;
}

/* The server's message without its trailing newline. */
static void set_error(pg_db *db, const char *what, const char *msg)
{
    snprintf(db->errmsg, sizeof db->errmsg, "%s: %s", what, msg && *msg ? msg : "no message");
    size_t n = strlen(db->errmsg);
    while (n && (db->errmsg[n - 1] == '\n' || db->errmsg[n - 1] == ' '))
        db->errmsg[--n] = '\0';
}

int pg_db_check(pg_db *db, PGresult *r, ExecStatusType want, const char *what)
{
    if (r && PQresultStatus(r) == want) {
        PQclear(r);
        return 0;
    }
    set_error(db, what, r ? PQresultErrorMessage(r) : PQerrorMessage(db->conn));
    if (r && !*PQresultErrorMessage(r))
        set_error(db, what, PQerrorMessage(db->conn));
    PQclear(r);
    return -1;
}

int pg_db_exec(pg_db *db, const char *sql)
{
    return pg_db_check(db, PQexec(db->conn, sql), PGRES_COMMAND_OK, sql);
}

void pg_db_table(const pg_db *db, const char *table, char *buf, size_t size)
{
    snprintf(buf, size, "\"%s\".\"%s\"", db->schema, table);
}

static void no_notices(void *arg, const char *message)
{
    (void)arg;
    (void)message;
}

/* One row, one column, parameter $1 = @p param: the value copied to out (NULL: "" ). */
static int query_one(pg_db *db, const char *sql, const char *param, char *out, size_t size, int *isnull)
{
    const char *values[1] = { param };
    PGresult *r = PQexecParams(db->conn, sql, param ? 1 : 0, NULL, values, NULL, NULL, 0);
    if (!r || PQresultStatus(r) != PGRES_TUPLES_OK || PQntuples(r) != 1) {
        if (r && PQresultStatus(r) == PGRES_TUPLES_OK) {
            PQclear(r);
            snprintf(db->errmsg, sizeof db->errmsg, "%s: expected one row", sql);
            return -1;
        }
        return pg_db_check(db, r, PGRES_TUPLES_OK, sql);
    }
    *isnull = PQgetisnull(r, 0, 0);
    snprintf(out, size, "%s", *isnull ? "" : PQgetvalue(r, 0, 0));
    PQclear(r);
    return 0;
}

/* The advisory lock key of a tenant: a 64-bit hash of a name no other application uses. */
static const char lock_key[] = "hashtextextended('librewards pg-host tenant ' || $1, 0)";

static pg_open_result take_lock(pg_db *db)
{
    char sql[512], got[16];
    int isnull;
    snprintf(sql, sizeof sql, "SELECT pg_try_advisory_lock(%s)", lock_key);
    if (query_one(db, sql, db->tenant, got, sizeof got, &isnull))
        return PG_OPEN_FAIL;
    if (!strcmp(got, "t"))
        return PG_OPEN_OK;
    /* Name the holder (best effort: it may have gone in between). */
    char who[128] = "";
    snprintf(sql, sizeof sql,
             "SELECT l.pid || coalesce(' (' || nullif(a.application_name, '') || ')', '')"
             " FROM pg_locks l LEFT JOIN pg_stat_activity a ON a.pid = l.pid"
             " WHERE l.locktype = 'advisory' AND l.granted AND l.objsubid = 1"
             " AND ((l.classid::bigint << 32) | l.objid::bigint) = %s LIMIT 1",
             lock_key);
    const char *values[1] = { db->tenant };
    PGresult *r = PQexecParams(db->conn, sql, 1, NULL, values, NULL, NULL, 0);
    if (r && PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) == 1)
        snprintf(who, sizeof who, " by PostgreSQL backend pid %s", PQgetvalue(r, 0, 0));
    PQclear(r);
    snprintf(db->errmsg, sizeof db->errmsg,
             "in use by another host (the tenant's advisory lock is held%s); one host per tenant", who);
    return PG_OPEN_BUSY;
}

/* The schema is new, or this tenant's own; else -1 with the reason. */
static int check_belongs(pg_db *db)
{
    char got[256], sql[256];
    int isnull;
    if (query_one(db, "SELECT count(*) FROM pg_namespace WHERE nspname = $1", db->schema, got, sizeof got, &isnull))
        return -1;
    if (!strcmp(got, "0"))
        return 0;
    char meta[160];
    pg_db_table(db, "host_meta", meta, sizeof meta);
    if (query_one(db, "SELECT to_regclass($1) IS NOT NULL", meta, got, sizeof got, &isnull))
        return -1;
    if (strcmp(got, "t")) {
        if (query_one(db,
                      "SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
                      " WHERE n.nspname = $1 AND c.relkind IN ('r', 'p', 'v', 'm', 'f')",
                      db->schema, got, sizeof got, &isnull))
            return -1;
        if (strcmp(got, "0")) {
            snprintf(db->errmsg, sizeof db->errmsg,
                     "schema %s holds %s tables but no host_meta: it was not made by pg-host", db->schema, got);
            return -1;
        }
        return 0;
    }
    snprintf(sql, sizeof sql, "SELECT tenant || ' ' || version FROM %s WHERE id = 1", meta);
    if (query_one(db, sql, NULL, got, sizeof got, &isnull))
        return -1;
    char *space = strrchr(got, ' ');
    if (!space) {
        snprintf(db->errmsg, sizeof db->errmsg, "schema %s: the host_meta row is corrupt", db->schema);
        return -1;
    }
    *space = '\0';
    if (strcmp(got, db->tenant)) {
        snprintf(db->errmsg, sizeof db->errmsg, "schema %s belongs to tenant '%s', not '%s'", db->schema, got,
                 db->tenant);
        return -1;
    }
    int version = atoi(space + 1);
    if (version != PG_SCHEMA_VERSION) {
        snprintf(db->errmsg, sizeof db->errmsg, "schema %s has schema version %d; this host knows %d", db->schema,
                 version, PG_SCHEMA_VERSION);
        return -1;
    }
    return 0;
}

static int create_schema(pg_db *db)
{
    char sql[1024], t[160];
    snprintf(sql, sizeof sql, "CREATE SCHEMA IF NOT EXISTS \"%s\"", db->schema);
    if (pg_db_exec(db, sql))
        return -1;
    for (int k = 0; k < db->nkinds; k++) {
        pg_db_table(db, db->table[k], t, sizeof t);
        snprintf(sql, sizeof sql, "CREATE TABLE IF NOT EXISTS %s (key TEXT PRIMARY KEY, data BYTEA NOT NULL)", t);
        if (pg_db_exec(db, sql))
            return -1;
    }
    pg_db_table(db, "host_progress", t, sizeof t);
    snprintf(sql, sizeof sql,
             "CREATE TABLE IF NOT EXISTS %s (id INTEGER PRIMARY KEY CHECK (id = 1),"
             " line BIGINT NOT NULL, digest TEXT NOT NULL)",
             t);
    if (pg_db_exec(db, sql))
        return -1;
    pg_db_table(db, "ledger_entry", t, sizeof t);
    snprintf(sql, sizeof sql,
             "CREATE TABLE IF NOT EXISTS %s (number BIGINT PRIMARY KEY, type TEXT NOT NULL, reward TEXT,"
             " deal TEXT, partner TEXT NOT NULL, recipient_type TEXT NOT NULL, recipient TEXT NOT NULL,"
             " amount NUMERIC NOT NULL, amount_minor BIGINT NOT NULL, currency TEXT NOT NULL,"
             " status TEXT NOT NULL, reason TEXT, period TEXT, earned_at TIMESTAMPTZ NOT NULL, payout TEXT)",
             t);
    if (pg_db_exec(db, sql))
        return -1;
    snprintf(sql, sizeof sql, "CREATE INDEX IF NOT EXISTS ledger_entry_partner ON %s (partner)", t);
    if (pg_db_exec(db, sql))
        return -1;
    pg_db_table(db, "host_meta", t, sizeof t);
    snprintf(sql, sizeof sql,
             "CREATE TABLE IF NOT EXISTS %s (id INTEGER PRIMARY KEY CHECK (id = 1), tenant TEXT NOT NULL,"
             " version INTEGER NOT NULL)",
             t);
    if (pg_db_exec(db, sql))
        return -1;
    snprintf(sql, sizeof sql, "INSERT INTO %s (id, tenant, version) VALUES (1, $1, %d) ON CONFLICT (id) DO NOTHING",
             t, PG_SCHEMA_VERSION);
    const char *values[1] = { db->tenant };
    return pg_db_check(db, PQexecParams(db->conn, sql, 1, NULL, values, NULL, NULL, 0), PGRES_COMMAND_OK, sql);
}

static int prepare(pg_db *db, const char *name, const char *sql, int nparams)
{
    return pg_db_check(db, PQprepare(db->conn, name, sql, nparams, NULL), PGRES_COMMAND_OK, sql);
}

static int prepare_all(pg_db *db)
{
    char sql[1024], t[160], name[32];
    for (int k = 0; k < db->nkinds; k++) {
        pg_db_table(db, db->table[k], t, sizeof t);
        snprintf(sql, sizeof sql,
                 "INSERT INTO %s (key, data) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET data = EXCLUDED.data", t);
        snprintf(name, sizeof name, "put_%d", k);
        if (prepare(db, name, sql, 2))
            return -1;
        snprintf(sql, sizeof sql, "DELETE FROM %s WHERE key = $1", t);
        snprintf(name, sizeof name, "del_%d", k);
        if (prepare(db, name, sql, 1))
            return -1;
    }
    pg_db_table(db, "host_progress", t, sizeof t);
    snprintf(sql, sizeof sql,
             "INSERT INTO %s (id, line, digest) VALUES (1, $1, $2)"
             " ON CONFLICT (id) DO UPDATE SET line = EXCLUDED.line, digest = EXCLUDED.digest",
             t);
    if (prepare(db, "progress_set", sql, 2))
        return -1;
    pg_db_table(db, "ledger_entry", t, sizeof t);
    snprintf(sql, sizeof sql,
             "INSERT INTO %s (number, type, reward, deal, partner, recipient_type, recipient, amount,"
             " amount_minor, currency, status, reason, period, earned_at, payout)"
             " VALUES ($1, $2, $3, $4, $5, $6, $7, $8::numeric, $9, $10, $11, $12, $13, $14::timestamptz, $15)"
             " ON CONFLICT (number) DO UPDATE SET type = EXCLUDED.type, reward = EXCLUDED.reward,"
             " deal = EXCLUDED.deal, partner = EXCLUDED.partner, recipient_type = EXCLUDED.recipient_type,"
             " recipient = EXCLUDED.recipient, amount = EXCLUDED.amount, amount_minor = EXCLUDED.amount_minor,"
             " currency = EXCLUDED.currency, status = EXCLUDED.status, reason = EXCLUDED.reason,"
             " period = EXCLUDED.period, earned_at = EXCLUDED.earned_at, payout = EXCLUDED.payout",
             t);
    if (prepare(db, "entry_put", sql, 15))
        return -1;
    snprintf(sql, sizeof sql, "DELETE FROM %s WHERE number = $1", t);
    return prepare(db, "entry_del", sql, 1);
}

pg_open_result pg_db_open(pg_db *db, const char *conninfo, const char *tenant, const pg_hooks *hooks)
{
    memset(db, 0, sizeof *db);
    db->hooks = hooks;
    snprintf(db->tenant, sizeof db->tenant, "%s", tenant);
    snprintf(db->schema, sizeof db->schema, "rw_%s", tenant);
    while (db->nkinds < PG_MAX_KINDS) {
        const char *name = rewards_record_kind_name((rewards_record_kind)db->nkinds);
        if (!strcmp(name, "unknown"))
            break;
        db->table[db->nkinds++] = name; /* always quoted: "user" is a reserved word */
    }
    db->conn = PQconnectdb(conninfo);
    if (!db->conn || PQstatus(db->conn) != CONNECTION_OK) {
        set_error(db, "cannot connect", db->conn ? PQerrorMessage(db->conn) : "out of memory");
        return PG_OPEN_FAIL;
    }
    PQsetNoticeProcessor(db->conn, no_notices, NULL);
    char sql[128];
    snprintf(sql, sizeof sql, "SET application_name = 'pg-host %s'", db->tenant);
    if (pg_db_exec(db, sql) || pg_db_exec(db, "SET client_min_messages = warning"))
        return PG_OPEN_FAIL;
    pg_open_result lock = take_lock(db);
    if (lock != PG_OPEN_OK)
        return lock;
    if (pg_db_exec(db, "BEGIN"))
        return PG_OPEN_FAIL;
    if (check_belongs(db) || create_schema(db) || pg_db_exec(db, "COMMIT")) {
        char why[sizeof db->errmsg];
        memcpy(why, db->errmsg, sizeof why);
        PQclear(PQexec(db->conn, "ROLLBACK"));
        memcpy(db->errmsg, why, sizeof why);
        return PG_OPEN_FAIL;
    }
    return prepare_all(db) ? PG_OPEN_FAIL : PG_OPEN_OK;
}

void pg_db_close(pg_db *db)
{
    if (db->conn)
        PQfinish(db->conn);
    db->conn = NULL;
}
