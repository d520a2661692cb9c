/*
 * db.h - the SQLite database of the host: one connection, its schema and
 * its prepared statements.
 *
 * Every librewards record kind has a table named after it
 * (rewards_record_kind_name(): "program", "deal", "entry" — the ledger —
 * ...), with the columns key TEXT PRIMARY KEY and data BLOB: the host stores
 * the engine's opaque bytes and never looks inside them.  The table
 * host_progress holds one row: how many lines of the scenario file are
 * applied, and a digest of those lines.  The other files of the host share
 * this struct: storage.c (the callbacks), progress.c (the progress row),
 * restore.c (database to engine) and main.c (the run).
 */
#ifndef SQLITE_HOST_DB_H
#define SQLITE_HOST_DB_H

#include <rewards.h>
#include <sqlite3.h>
#include <stdint.h>

/* More than the record kinds this library version has (15). */
#define HOST_MAX_KINDS 64

typedef struct host_hooks host_hooks;

typedef struct host_db {
    sqlite3 *db;
    int nkinds;                          /* kinds 0 .. nkinds-1 have a table */
    const char *table[HOST_MAX_KINDS];   /* rewards_record_kind_name(kind) */
    sqlite3_stmt *put[HOST_MAX_KINDS];   /* INSERT OR REPLACE INTO <kind>(key, data) */
    sqlite3_stmt *del[HOST_MAX_KINDS];   /* DELETE FROM <kind> WHERE key = ? */
    sqlite3_stmt *begin, *commit, *rollback;
    sqlite3_stmt *progress_set;          /* INSERT OR REPLACE INTO host_progress */

    /* The scenario line the current transaction belongs to (set by main.c
     * before each line): the commit callback writes it as the progress row,
     * in the same transaction as the line's records. */
    long line;
    uint64_t digest;
    int line_recorded;                   /* the progress row of `line` is committed */

    const host_hooks *hooks;             /* test hooks (hooks.h), never NULL */
    char errmsg[512];                    /* why the last SQLite call failed */
    long commits;                        /* COMMITs run, and the time they took (RW_HOST_STATS) */
    long long commit_ns;
} host_db;

/*
 * Open (or create) the database at @p path: pragmas (WAL journal,
 * synchronous=FULL, exclusive locking so that a second host cannot run on
 * the same file), the tables and the prepared statements.  0 on success;
 * -1 with db->errmsg set (the caller still calls host_db_close()).
 */
int host_db_open(host_db *db, const char *path, const host_hooks *hooks);

/* Finalize the statements and close the connection (an open transaction is rolled back). */
void host_db_close(host_db *db);

/* Run one SQL statement; 0 or -1 with db->errmsg set. */
int host_db_exec(host_db *db, const char *sql);

/* Step a prepared statement that returns no row, then reset it; 0 or -1 with db->errmsg set. */
int host_db_step_done(host_db *db, sqlite3_stmt *stmt);

/* Record SQLite's message for the connection as the last failure; returns -1. */
int host_db_fail(host_db *db, const char *what);

#endif
