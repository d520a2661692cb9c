/*
 * progress.c - the progress row: the number of the last scenario line
 * handled, and a digest of lines 1..N.
 *
 * The row is what makes a restart exact.  It is written in the same
 * transaction as the records of the line it counts (storage.c writes it in
 * the commit callback), or, for a line that makes no engine transaction, in
 * a small transaction of its own (below).  On restart the host skips lines
 * 1..N; the digest proves that those lines are the ones the database
 * holds, so that resuming with another file is an error rather than a
 * silently mixed ledger.
 */
#include "progress.h"
#include "hooks.h"
#include "storage.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>

int progress_read(host_db *db, long *line, uint64_t *digest, int *found)
{
    *line = 0;
    *digest = PROGRESS_DIGEST_INIT;
    *found = 0;
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(db->db, "SELECT line, digest FROM host_progress WHERE id = 1", -1, &st, NULL) != SQLITE_OK)
        return host_db_fail(db, "reading host_progress");
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        const char *hex = (const char *)sqlite3_column_text(st, 1);
        char *end = NULL;
        *line = (long)sqlite3_column_int64(st, 0);
        *digest = hex ? strtoull(hex, &end, 16) : 0;
        *found = 1;
        if (*line < 0 || !hex || *end) {
            sqlite3_finalize(st);
            snprintf(db->errmsg, sizeof db->errmsg, "the host_progress row is corrupt");
            return -1;
        }
    } else if (rc != SQLITE_DONE) {
        host_db_fail(db, "reading host_progress");
    }
    sqlite3_finalize(st);
    return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : -1;
}

int progress_write(host_db *db, long line, uint64_t digest)
{
    char hex[17];
    snprintf(hex, sizeof hex, "%016" PRIx64, digest);
    if (sqlite3_bind_int64(db->progress_set, 1, line) != SQLITE_OK ||
        sqlite3_bind_text(db->progress_set, 2, hex, -1, SQLITE_TRANSIENT) != SQLITE_OK) {
        sqlite3_reset(db->progress_set);
        return host_db_fail(db, "binding the progress row");
    }
    return host_db_step_done(db, db->progress_set);
}

int progress_record_begin(host_db *db, long line, uint64_t digest)
{
    if (storage_txn_begin(db))
        return -1;
    if (progress_write(db, line, digest)) {
        storage_txn_rollback(db);
        return -1;
    }
    return 0;
}

int progress_record_commit(host_db *db)
{
    if (storage_txn_commit(db)) {
        storage_txn_rollback(db);
        return -1;
    }
    db->line_recorded = 1;
    return 0;
}

static void be_set_line(void *db, long line, uint64_t digest)
{
    host_db *d = db;
    d->line = line;
    d->digest = digest;
    d->line_recorded = 0;
}

static int be_line_recorded(void *db)
{
    return ((host_db *)db)->line_recorded;
}

static int be_before_line(void *db, long line)
{
    return hooks_before_line(db, line);
}

static int be_record_begin(void *db, long line, uint64_t digest)
{
    return progress_record_begin(db, line, digest);
}

static int be_record_commit(void *db)
{
    return progress_record_commit(db);
}

static const char *be_errmsg(void *db)
{
    return ((host_db *)db)->errmsg;
}

void progress_backend(host_db *db, host_backend *b)
{
    b->prog = "sqlite-host";
    b->db = db;
    b->set_line = be_set_line;
    b->line_recorded = be_line_recorded;
    b->before_line = be_before_line;
    b->record_begin = be_record_begin;
    b->record_commit = be_record_commit;
    b->errmsg = be_errmsg;
}
