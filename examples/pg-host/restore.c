/*
 * restore.c - tenant schema to engine, at start-up (as sqlite-host's
 * restore.c): every row of every record table, in any order, then
 * rewards_engine_restore_finish(); the progress row read in the same
 * snapshot says which scenario lines the records account for.  Records
 * without a progress row are refused.  The data column is read in binary
 * so that the engine gets its bytes exactly; ledger_entry is never read
 * back (it is derived from the engine, not a source of it).
 */
#include "restore.h"
#include "progress.h"

#include <stdio.h>

static int restore_table(pg_db *db, rewards_engine *e, int kind, long *count)
{
    char t[160], sql[256];
    pg_db_table(db, db->table[kind], t, sizeof t);
    snprintf(sql, sizeof sql, "SELECT key, data FROM %s", t);
    PGresult *r = PQexecParams(db->conn, sql, 0, NULL, NULL, NULL, NULL, 1);
    if (!r || PQresultStatus(r) != PGRES_TUPLES_OK)
        return pg_db_check(db, r, PGRES_TUPLES_OK, sql);
    int rows = PQntuples(r);
    for (int i = 0; i < rows; i++) {
        rewards_status rs = rewards_engine_restore(e, (rewards_record_kind)kind, PQgetvalue(r, i, 1),
                                                   (size_t)PQgetlength(r, i, 1));
        if (rs != REWARDS_OK) {
            snprintf(db->errmsg, sizeof db->errmsg, "restoring %s '%.*s': %s: %s", db->table[kind],
                     PQgetlength(r, i, 0), PQgetvalue(r, i, 0), rewards_status_name(rs), rewards_engine_errmsg(e));
            PQclear(r);
            return -1;
        }
        (*count)++;
    }
    PQclear(r);
    return 0;
}

static int restore_all(pg_db *db, rewards_engine *e, long *line, uint64_t *digest)
{
    long count = 0;
    for (int k = 0; k < db->nkinds; k++)
        if (restore_table(db, e, k, &count))
            return -1;
    int found;
    if (progress_read(db, line, digest, &found))
        return -1;
    if (count && !found) {
        snprintf(db->errmsg, sizeof db->errmsg, "the schema holds %ld records but no host_progress row", count);
        return -1;
    }
    rewards_status rs = rewards_engine_restore_finish(e);
    if (rs != REWARDS_OK) {
        snprintf(db->errmsg, sizeof db->errmsg, "rebuilding the engine: %s: %s", rewards_status_name(rs),
                 rewards_engine_errmsg(e));
        return -1;
    }
    return 0;
}

int restore_engine(pg_db *db, rewards_engine *e, long *line, uint64_t *digest)
{
    if (pg_db_exec(db, "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY"))
        return -1;
    if (restore_all(db, e, line, digest)) {
        char why[sizeof db->errmsg];
        snprintf(why, sizeof why, "%s", db->errmsg);
        pg_db_exec(db, "ROLLBACK");
        snprintf(db->errmsg, sizeof db->errmsg, "%s", why);
        return -1;
    }
    return pg_db_exec(db, "COMMIT");
}
