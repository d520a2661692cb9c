/*
 * pgdb.h - pg-host's PostgreSQL connection: one tenant's schema, its
 * advisory lock and its prepared statements.
 *
 * A tenant NAME lives in the schema rw_NAME of the database: one table per
 * record kind, named by rewards_record_kind_name() ("program", "deal",
 * "entry", ...), each (key TEXT PRIMARY KEY, data BYTEA) holding the
 * engine's opaque bytes as sqlite-host does; host_progress (the one
 * progress row); host_meta (the tenant the schema belongs to, the schema
 * version); and ledger_entry, a typed copy of every ledger entry written
 * from the public accessors in the same transaction as the entry's
 * record, for SQL reports.  The other files share this struct: storage.c
 * (the callbacks), ledger_row.c (ledger_entry), progress.c (the progress
 * row), restore.c (database to engine), hooks.c and main.c.
 */
#ifndef PG_HOST_PGDB_H
#define PG_HOST_PGDB_H

#include <libpq-fe.h>
#include <rewards.h>
#include <stdint.h>

/* More than the record kinds this library version has (15). */
#define PG_MAX_KINDS 64
/* A tenant name: 1 to PG_TENANT_MAX bytes of [a-z0-9_]. */
#define PG_TENANT_MAX 48

typedef struct pg_hooks pg_hooks;

typedef struct pg_db {
    PGconn *conn;
    rewards_engine *engine;              /* for ledger_entry: the entry behind a put */
    char tenant[PG_TENANT_MAX + 1];
    char schema[PG_TENANT_MAX + 8];      /* "rw_" + tenant */
    int nkinds;                          /* kinds 0 .. nkinds-1 have a table */
    const char *table[PG_MAX_KINDS];     /* rewards_record_kind_name(kind) */

    /* The scenario line the current transaction belongs to (hostrun.h). */
    long line;
    uint64_t digest;
    int line_recorded;

    const pg_hooks *hooks;               /* test hooks (hooks.h), never NULL */
    long commits;                        /* COMMITs run, and the time they took (RW_HOST_STATS) */
    int64_t commit_ns;
    char errmsg[512];                    /* why the last call failed */
    int hook_fired;                      /* the commit hook has failed its COMMIT */
    long pipe_sent, pipe_got;            /* statements of the open pipeline sent, answered (pipe.c) */
    int pipe_failed;                     /* one of them failed: errmsg says which */
} pg_db;

/* How pg_db_open() failed. */
typedef enum { PG_OPEN_OK = 0, PG_OPEN_FAIL = -1, PG_OPEN_BUSY = -2 } pg_open_result;

/* 1 when @p name is a valid tenant name. */
int pg_tenant_valid(const char *name);

/*
 * Connect with @p conninfo (a libpq connection string), take the tenant's
 * advisory lock (PG_OPEN_BUSY when another session holds it), check that
 * the schema is this tenant's own or new, create what is missing, prepare
 * the statements.  PG_OPEN_OK, or a failure with db->errmsg set (the
 * caller still calls pg_db_close()).
 */
pg_open_result pg_db_open(pg_db *db, const char *conninfo, const char *tenant, const pg_hooks *hooks);

/* Close the connection (an open transaction is rolled back by the server; the lock is released). */
void pg_db_close(pg_db *db);

/* Run one statement with no result rows; 0 or -1 with db->errmsg set. */
int pg_db_exec(pg_db *db, const char *sql);

/*
 * Check a result: 0 when its status is @p want, else -1 with db->errmsg
 * set from @p what and the server's message.  The result is cleared.
 */
int pg_db_check(pg_db *db, PGresult *r, ExecStatusType want, const char *what);

/* The schema-qualified, quoted name of a table of the tenant: "rw_t"."entry". */
void pg_db_table(const pg_db *db, const char *table, char *buf, size_t size);

#endif
