/*
 * progress.c - the progress row (the last scenario line handled and a
 * digest of lines 1..N), written in the transaction of the line's records
 * by the commit callback, or in a small transaction of its own for a line
 * with no engine transaction; and the loop's view of the tenant
 * (hostrun.h).  The rules are sqlite-host's (examples/sqlite-host/progress.c).
 */
#include "progress.h"
#include "hooks.h"
#include "pipe.h"
#include "storage.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>

int progress_read(pg_db *db, long *line, uint64_t *digest, int *found)
{
    *line = 0;
    *digest = HOST_DIGEST_INIT;
    *found = 0;
    char t[160], sql[256];
    pg_db_table(db, "host_progress", t, sizeof t);
    snprintf(sql, sizeof sql, "SELECT line, digest FROM %s WHERE id = 1", t);
    PGresult *r = PQexec(db->conn, sql);
    if (!r || PQresultStatus(r) != PGRES_TUPLES_OK)
        return pg_db_check(db, r, PGRES_TUPLES_OK, "reading host_progress");
    if (PQntuples(r) == 1) {
        char *end1 = NULL, *end2 = NULL;
        const char *hex = PQgetvalue(r, 0, 1);
        *line = strtol(PQgetvalue(r, 0, 0), &end1, 10);
        *digest = strtoull(hex, &end2, 16);
        *found = 1;
        if (*line < 0 || *end1 || !*hex || *end2) {
            PQclear(r);
            snprintf(db->errmsg, sizeof db->errmsg, "the host_progress row is corrupt");
            return -1;
        }
    }
    PQclear(r);
    return 0;
}

int progress_write(pg_db *db, long line, uint64_t digest)
{
    char n[32], hex[17];
    snprintf(n, sizeof n, "%ld", line);
    snprintf(hex, sizeof hex, "%016" PRIx64, digest);
    const char *values[2] = { n, hex };
    return pipe_send(db, "progress_set", 2, values, NULL, NULL, "writing host_progress");
}

static void be_set_line(void *db, long line, uint64_t digest)
{
    pg_db *d = db;
    d->line = line;
    d->digest = digest;
    d->line_recorded = 0;
}

static int be_line_recorded(void *db)
{
    return ((pg_db *)db)->line_recorded;
}

static int be_before_line(void *db, long line)
{
    return hooks_before_line(db, line);
}

static int be_record_begin(void *db, long line, uint64_t digest)
{
    if (storage_txn_begin(db))
        return -1;
    if (progress_write(db, line, digest)) {
        storage_txn_rollback(db);
        return -1;
    }
    return 0;
}

static int be_record_commit(void *db)
{
    pg_db *d = db;
    if (storage_txn_commit(d)) {
        storage_txn_rollback(d);
        return -1;
    }
    d->line_recorded = 1;
    return 0;
}

static const char *be_errmsg(void *db)
{
    return ((pg_db *)db)->errmsg;
}

void progress_backend(pg_db *db, host_backend *b)
{
    b->prog = "pg-host";
    b->db = db;
    b->set_line = be_set_line;
    b->line_recorded = be_line_recorded;
    b->before_line = be_before_line;
    b->record_begin = be_record_begin;
    b->record_commit = be_record_commit;
    b->errmsg = be_errmsg;
}
