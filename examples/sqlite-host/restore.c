/*
 * restore.c - database to engine, at start-up.
 *
 * The engine is in memory only; the database is the truth.  At start the
 * host reads every row of every record table, in any order (the engine
 * sorts them), hands each to rewards_engine_restore(), then calls
 * rewards_engine_restore_finish(): from there the engine behaves as if it
 * had never stopped.  The progress row, read in the same read transaction,
 * says which scenario lines those records account for.  A database with
 * records but no progress row was not written by this host (or is
 * damaged), and is refused rather than guessed at.
 */
#include "restore.h"
#include "progress.h"

#include <stdio.h>

/* Restore the rows of one table; the number restored is added to *count. */
static int restore_table(host_db *db, rewards_engine *e, int kind, long *count)
{
    char sql[128];
    sqlite3_stmt *st;
    snprintf(sql, sizeof sql, "SELECT key, data FROM %s", db->table[kind]);
    if (sqlite3_prepare_v2(db->db, sql, -1, &st, NULL) != SQLITE_OK)
        return host_db_fail(db, sql);
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        const void *data = sqlite3_column_blob(st, 1);
        int size = sqlite3_column_bytes(st, 1);
        rewards_status rs = rewards_engine_restore(e, (rewards_record_kind)kind, data, (size_t)size);
        if (rs != REWARDS_OK) {
            snprintf(db->errmsg, sizeof db->errmsg, "restoring %s '%s': %s: %s", db->table[kind],
                     (const char *)sqlite3_column_text(st, 0), rewards_status_name(rs), rewards_engine_errmsg(e));
            sqlite3_finalize(st);
            return -1;
        }
        (*count)++;
    }
    if (rc != SQLITE_DONE)
        host_db_fail(db, sql);
    sqlite3_finalize(st);
    return rc == SQLITE_DONE ? 0 : -1;
}

static int restore_all(host_db *db, rewards_engine *e, long *line, uint64_t *digest)
{
    long count = 0;
    for (int k = 0; k < db->nkinds; k++)
        if (restore_table(db, e, k, &count))
            return -1;
    int found;
    if (progress_read(db, line, digest, &found))
        return -1;
    if (count && !found) {
        snprintf(db->errmsg, sizeof db->errmsg, "the database holds %ld records but no host_progress row", count);
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

int restore_engine(host_db *db, rewards_engine *e, long *line, uint64_t *digest)
{
    if (host_db_exec(db, "BEGIN"))
        return -1;
    if (restore_all(db, e, line, digest)) {
        host_db_exec(db, "ROLLBACK");
        return -1;
    }
    return host_db_exec(db, "COMMIT");
}
