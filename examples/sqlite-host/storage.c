/*
 * storage.c - the rewards_storage callbacks: one SQLite transaction per
 * engine transaction.
 *
 * The engine calls begin, then put once per record it created or changed,
 * then commit; if anything fails it calls rollback and undoes its own
 * memory, so the database and the engine never disagree.  The mapping is
 * direct: begin is BEGIN IMMEDIATE (the write lock is taken at once, so
 * that a busy database fails here and not half-way), put is a prepared
 * INSERT OR REPLACE into the kind's table, commit is COMMIT and rollback is
 * ROLLBACK.  One thing is added: commit first writes the progress row of
 * the scenario line being applied (db->line), so the line's records and the
 * fact that the line was applied are one atomic write.  A crash before
 * COMMIT loses both, a crash after keeps both: a line is never applied
 * twice and never lost.
 */
#include "storage.h"
#include "hooks.h"
#include "progress.h"

#include <stdio.h>
#include <string.h>

int storage_txn_begin(host_db *db)
{
    return host_db_step_done(db, db->begin);
}

int storage_txn_commit(host_db *db)
{
    hooks_pause(db);
    if (hooks_fail_commit(db, db->line)) {
        snprintf(db->errmsg, sizeof db->errmsg, "COMMIT: refused by the test hook RW_HOST_FAIL");
        return -1;
    }
    long long t0 = hooks_now_ns();
    int rc = host_db_step_done(db, db->commit);
    db->commit_ns += hooks_now_ns() - t0;
    db->commits++;
    return rc;
}

void storage_txn_rollback(host_db *db)
{
    /* A failed COMMIT may already have ended the transaction (SQLITE_FULL, SQLITE_IOERR). */
    if (sqlite3_get_autocommit(db->db))
        return;
    char why[sizeof db->errmsg];
    memcpy(why, db->errmsg, sizeof why); /* keep the first failure: it is the one to report */
    host_db_step_done(db, db->rollback);
    memcpy(db->errmsg, why, sizeof why);
}

static int cb_begin(void *user)
{
    return storage_txn_begin(user);
}

static int cb_put(void *user, rewards_record_kind kind, const char *key, const void *data, size_t size)
{
    host_db *db = user;
    if ((int)kind < 0 || (int)kind >= db->nkinds) {
        snprintf(db->errmsg, sizeof db->errmsg, "record kind %d has no table", (int)kind);
        return -1;
    }
    sqlite3_stmt *st = db->put[kind];
    if (sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC) != SQLITE_OK ||
        sqlite3_bind_blob64(st, 2, size ? data : "", size, SQLITE_STATIC) != SQLITE_OK) {
        sqlite3_reset(st);
        sqlite3_clear_bindings(st);
        return host_db_fail(db, "binding a record");
    }
    return host_db_step_done(db, st);
}

static int cb_del(void *user, rewards_record_kind kind, const char *key)
{
    host_db *db = user;
    if ((int)kind < 0 || (int)kind >= db->nkinds) {
        snprintf(db->errmsg, sizeof db->errmsg, "record kind %d has no table", (int)kind);
        return -1;
    }
    sqlite3_stmt *st = db->del[kind];
    if (sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC) != SQLITE_OK) {
        sqlite3_reset(st);
        return host_db_fail(db, "binding a key");
    }
    return host_db_step_done(db, st);
}

static int cb_commit(void *user)
{
    host_db *db = user;
    if (progress_write(db, db->line, db->digest) || storage_txn_commit(db))
        return -1;
    db->line_recorded = 1;
    return 0;
}

static int cb_rollback(void *user)
{
    storage_txn_rollback(user);
    return 0;
}

void storage_callbacks(host_db *db, rewards_storage *s)
{
    rewards_storage_init(s);
    s->begin = cb_begin;
    s->put = cb_put;
    s->del = cb_del;
    s->commit = cb_commit;
    s->rollback = cb_rollback;
    s->user = db;
}
