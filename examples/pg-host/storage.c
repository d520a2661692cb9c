/*
 * storage.c - the rewards_storage callbacks: one PostgreSQL transaction per
 * engine transaction (per operation, or per batch with --batch N).
 *
 * begin is BEGIN, put an INSERT ... ON CONFLICT DO UPDATE into the kind's
 * table (the data as binary BYTEA) plus, for an entry record, its
 * ledger_entry row (ledger_row.c), commit writes the progress row of the
 * scenario line (db->line) and runs COMMIT, rollback is ROLLBACK.  As in
 * sqlite-host, a line's records and the fact that it was applied are one
 * atomic write.  The statements of a transaction go out as one libpq
 * pipeline (pipe.c): one round trip per transaction, not per record; a
 * statement the server refuses makes the commit fail.
 *
 * A COMMIT counts only when the server answers "COMMIT": PostgreSQL
 * answers a COMMIT of a failed transaction with "ROLLBACK" and success,
 * and a server that went away answers nothing; both are failures here.
 * When the server goes away (killed, restarted, network cut) every call
 * fails with libpq's message, the engine rolls back, and the host stops
 * with `storage`: the next run, on a server that is back, resumes from the
 * last committed line.
 */
#include "storage.h"
#include "hooks.h"
#include "ledger_row.h"
#include "pipe.h"
#include "progress.h"

#include <stdio.h>
#include <string.h>

int storage_txn_begin(pg_db *db)
{
    return pipe_begin(db);
}

int storage_txn_commit(pg_db *db)
{
    hooks_pause(db);
    if (hooks_fail_commit(db, db->line)) {
        snprintf(db->errmsg, sizeof db->errmsg, "COMMIT: refused by the test hook RW_HOST_FAIL");
        return -1;
    }
    int64_t t0 = hooks_now_ns();
    int rc = pipe_commit(db);
    db->commit_ns += hooks_now_ns() - t0;
    db->commits++;
    return rc;
}

void storage_txn_rollback(pg_db *db)
{
    pipe_abort(db); /* keeps the first failure in db->errmsg: it is the one to report */
}

static int cb_begin(void *user)
{
    return storage_txn_begin(user);
}

static int kind_ok(pg_db *db, rewards_record_kind kind)
{
    if ((int)kind >= 0 && (int)kind < db->nkinds)
        return 1;
    snprintf(db->errmsg, sizeof db->errmsg, "record kind %d has no table", (int)kind);
    return 0;
}

static int cb_put(void *user, rewards_record_kind kind, const char *key, const void *data, size_t size)
{
    pg_db *db = user;
    if (!kind_ok(db, kind))
        return -1;
    char name[32];
    snprintf(name, sizeof name, "put_%d", (int)kind);
    const char *values[2] = { key, size ? data : "" };
    int lengths[2] = { 0, (int)size };
    int formats[2] = { 0, 1 };
    if (size > 0x7fffffff) {
        snprintf(db->errmsg, sizeof db->errmsg, "a record of %zu bytes is too large", size);
        return -1;
    }
    if (pipe_send(db, name, 2, values, lengths, formats, "writing a record"))
        return -1;
    return kind == REWARDS_RECORD_ENTRY ? ledger_row_put(db, key) : 0;
}

static int cb_del(void *user, rewards_record_kind kind, const char *key)
{
    pg_db *db = user;
    if (!kind_ok(db, kind))
        return -1;
    char name[32];
    snprintf(name, sizeof name, "del_%d", (int)kind);
    const char *values[1] = { key };
    if (pipe_send(db, name, 1, values, NULL, NULL, "deleting a record"))
        return -1;
    return kind == REWARDS_RECORD_ENTRY ? ledger_row_del(db, key) : 0;
}

static int cb_commit(void *user)
{
    pg_db *db = user;
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

void storage_callbacks(pg_db *db, rewards_storage *s)
{
    rewards_storage_init(s);
    s->begin = cb_begin;
    s->put = cb_put;
    s->del = cb_del;
    s->commit = cb_commit;
    s->rollback = cb_rollback;
    s->user = db;
}
