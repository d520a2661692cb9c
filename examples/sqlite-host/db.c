/*
 * db.c - opening the host's SQLite database: pragmas, schema, statements.
 *
 * Durability first: the journal is a write-ahead log with synchronous=FULL,
 * so a transaction that COMMIT returned for is on disk, and one that was
 * cut short by a crash is not there at all.  The connection runs in
 * exclusive locking mode and takes the write lock before it reads anything:
 * the engine is rebuilt from the database once, at start, so a second host
 * writing the same file behind its back would make the two disagree; the
 * second one fails at open with "database is locked" instead.  The schema
 * is made from the library's own names for its record kinds, so a later
 * library version with a new kind gets its table without a change here.
 * Every statement the callbacks run is prepared once, here.
 */
#include "db.h"
#include "hooks.h"

#include <stdio.h>
#include <string.h>

/* The WAL's bounds (see host_db_open): checkpoint every 128 pages (512 KB), keep at most 512 KB of WAL file. */
#define HOST_WAL_PAGES 128
#define HOST_WAL_LIMIT (512 * 1024)

/* The version of this host's schema, kept in PRAGMA user_version. */
#define HOST_SCHEMA_VERSION 1

int host_db_fail(host_db *db, const char *what)
{
    snprintf(db->errmsg, sizeof db->errmsg, "%s: %s", what, db->db ? sqlite3_errmsg(db->db) : "no database");
    return -1;
}

int host_db_exec(host_db *db, const char *sql)
{
    char *err = NULL;
    if (sqlite3_exec(db->db, sql, NULL, NULL, &err) != SQLITE_OK) {
        snprintf(db->errmsg, sizeof db->errmsg, "%s: %s", sql, err ? err : sqlite3_errmsg(db->db));
        sqlite3_free(err);
        return -1;
    }
    return 0;
}

int host_db_step_done(host_db *db, sqlite3_stmt *stmt)
{
    int rc = sqlite3_step(stmt);
    int bad = rc != SQLITE_DONE && rc != SQLITE_ROW;
    if (bad)
        host_db_fail(db, sqlite3_sql(stmt));
    sqlite3_reset(stmt);
    sqlite3_clear_bindings(stmt);
    return bad ? -1 : 0;
}

static int prepare(host_db *db, const char *sql, sqlite3_stmt **out)
{
    if (sqlite3_prepare_v3(db->db, sql, -1, SQLITE_PREPARE_PERSISTENT, out, NULL) != SQLITE_OK)
        return host_db_fail(db, sql);
    return 0;
}

/* A kind's name is used as a table name: accept only [a-z_]+ so that it needs no quoting. */
static int plain_name(const char *s)
{
    if (!*s)
        return 0;
    for (; *s; s++)
        if (!((*s >= 'a' && *s <= 'z') || *s == '_'))
            return 0;
    return 1;
}

static int create_schema(host_db *db)
{
    char sql[256];
    for (int k = 0; k < db->nkinds; k++) {
        snprintf(sql, sizeof sql, "CREATE TABLE IF NOT EXISTS %s (key TEXT PRIMARY KEY, data BLOB NOT NULL)",
                 db->table[k]);
        if (host_db_exec(db, sql))
            return -1;
    }
    if (host_db_exec(db, "CREATE TABLE IF NOT EXISTS host_progress ("
                         " id INTEGER PRIMARY KEY CHECK (id = 1),"
                         " line INTEGER NOT NULL, digest TEXT NOT NULL)"))
        return -1;
    sqlite3_stmt *st;
    if (prepare(db, "PRAGMA user_version", &st))
        return -1;
    int version = sqlite3_step(st) == SQLITE_ROW ? sqlite3_column_int(st, 0) : -1;
    sqlite3_finalize(st);
    if (version > HOST_SCHEMA_VERSION || version < 0) {
        snprintf(db->errmsg, sizeof db->errmsg, "the database has schema version %d; this host knows %d", version,
                 HOST_SCHEMA_VERSION);
        return -1;
    }
    snprintf(sql, sizeof sql, "PRAGMA user_version = %d", HOST_SCHEMA_VERSION);
    return host_db_exec(db, sql);
}

static int prepare_all(host_db *db)
{
    char sql[256];
    for (int k = 0; k < db->nkinds; k++) {
        snprintf(sql, sizeof sql, "INSERT OR REPLACE INTO %s (key, data) VALUES (?1, ?2)", db->table[k]);
        if (prepare(db, sql, &db->put[k]))
            return -1;
        snprintf(sql, sizeof sql, "DELETE FROM %s WHERE key = ?1", db->table[k]);
        if (prepare(db, sql, &db->del[k]))
            return -1;
    }
    return prepare(db, "BEGIN IMMEDIATE", &db->begin) || prepare(db, "COMMIT", &db->commit) ||
                   prepare(db, "ROLLBACK", &db->rollback) ||
                   prepare(db, "INSERT OR REPLACE INTO host_progress (id, line, digest) VALUES (1, ?1, ?2)",
                           &db->progress_set)
               ? -1
               : 0;
}

int host_db_open(host_db *db, const char *path, const host_hooks *hooks)
{
    memset(db, 0, sizeof *db);
    db->hooks = hooks;
    while (db->nkinds < HOST_MAX_KINDS) {
        const char *name = rewards_record_kind_name((rewards_record_kind)db->nkinds);
        if (!strcmp(name, "unknown"))
            break;
        if (!plain_name(name)) {
            snprintf(db->errmsg, sizeof db->errmsg, "record kind %d has a name unfit for a table: '%s'", db->nkinds,
                     name);
            return -1;
        }
        db->table[db->nkinds++] = name;
    }
    if (sqlite3_open_v2(path, &db->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL) != SQLITE_OK)
        return host_db_fail(db, path);
    sqlite3_extended_result_codes(db->db, 1);
    sqlite3_busy_timeout(db->db, 1000);
    /* Exclusive mode first, so that WAL needs no shared-memory file and the
     * lock taken by the schema transaction below is kept until close. */
    if (host_db_exec(db, "PRAGMA locking_mode = EXCLUSIVE") || host_db_exec(db, "PRAGMA journal_mode = WAL") ||
        host_db_exec(db, "PRAGMA synchronous = FULL"))
        return -1;
    /* A small disk must suffice: by default the WAL grows to 1000 pages
     * (4 MB) before a checkpoint copies it back, and a checkpointed WAL keeps
     * its size.  Checkpoint every HOST_WAL_PAGES pages and truncate the WAL
     * file back to HOST_WAL_LIMIT bytes after each, so it stays a few hundred
     * kilobytes whatever the database's size. */
    char pragma[96];
    snprintf(pragma, sizeof pragma, "PRAGMA wal_autocheckpoint = %d", HOST_WAL_PAGES);
    if (host_db_exec(db, pragma))
        return -1;
    snprintf(pragma, sizeof pragma, "PRAGMA journal_size_limit = %d", HOST_WAL_LIMIT);
    if (host_db_exec(db, pragma))
        return -1;
    if (host_db_exec(db, "BEGIN EXCLUSIVE"))
        return -1;
    if (create_schema(db)) {
        host_db_exec(db, "ROLLBACK");
        return -1;
    }
    if (host_db_exec(db, "COMMIT"))
        return -1;
    return prepare_all(db);
}

void host_db_close(host_db *db)
{
    if (!db->db)
        return;
    if (!sqlite3_get_autocommit(db->db))
        sqlite3_exec(db->db, "ROLLBACK", NULL, NULL, NULL);
    for (int k = 0; k < db->nkinds; k++) {
        sqlite3_finalize(db->put[k]);
        sqlite3_finalize(db->del[k]);
    }
    sqlite3_finalize(db->begin);
    sqlite3_finalize(db->commit);
    sqlite3_finalize(db->rollback);
    sqlite3_finalize(db->progress_set);
    sqlite3_close(db->db);
    db->db = NULL;
}
