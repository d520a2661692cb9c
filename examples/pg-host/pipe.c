/*
 * pipe.c - a transaction as one libpq pipeline (PostgreSQL 14+ protocol).
 *
 * Why: without it every record the engine puts is one network round trip,
 * and a batch of 1,000 operations (several thousand records) spends its
 * time waiting for "INSERT 0 1" answers that say nothing.  In pipeline mode
 * BEGIN, the puts, the ledger_entry rows, the progress row and COMMIT go
 * out back to back and the answers are read once, at the commit: one
 * round trip (and one fsync on the server) per transaction.
 *
 * What changes for the engine: a put the server refuses (a read-only
 * session, a constraint) is known only at the commit, which then fails;
 * the engine rolls back either way, so the outcome is the same as a failed
 * put: nothing of the transaction is stored, and `storage` is reported with
 * the server's message for the first statement that failed.
 *
 * Bounded: every PIPE_WINDOW statements the host asks the server to flush
 * its answers and reads them, so neither side's socket buffer fills with
 * unread answers while the other waits (the deadlock libpq's manual warns
 * of for a blocking connection).
 */
#include "pipe.h"

#include <stdio.h>
#include <string.h>

#define PIPE_WINDOW 256
#define PIPE_RING 1024 /* > PIPE_WINDOW + the statements sent after the last drain */

/* The statement whose answer is read next: what it was, for the message. */
static const char *whats[PIPE_RING];

/* Record the first failure only: it is the cause, later ones are its echo. */
static void fail(pg_db *db, const char *what, const char *msg)
{
    if (db->pipe_failed)
        return;
    db->pipe_failed = 1;
    snprintf(db->errmsg, sizeof db->errmsg, "%s: %s", what, msg && *msg ? msg : "no message");
    size_t n = strlen(db->errmsg);
    while (n && (db->errmsg[n - 1] == '\n' || db->errmsg[n - 1] == ' '))
        db->errmsg[--n] = '\0';
}

/* Read the answers of one statement; 0, or -1 when the connection gave none. */
static int read_one(pg_db *db)
{
    const char *what = whats[db->pipe_got % PIPE_RING];
    PGresult *r = PQgetResult(db->conn);
    if (!r) {
        fail(db, what, PQerrorMessage(db->conn));
        return -1;
    }
    ExecStatusType st = PQresultStatus(r);
    if (st == PGRES_PIPELINE_ABORTED)
        fail(db, what, "skipped after an earlier failure");
    else if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK)
        fail(db, what, *PQresultErrorMessage(r) ? PQresultErrorMessage(r) : PQerrorMessage(db->conn));
    else if (!strcmp(what, "COMMIT") && strcmp(PQcmdStatus(r), "COMMIT"))
        fail(db, what, "the server rolled the transaction back");
    PQclear(r);
    db->pipe_got++;
    /* each statement's answers end with NULL */
    while ((r = PQgetResult(db->conn)) != NULL) {
        if (PQresultStatus(r) == PGRES_FATAL_ERROR)
            fail(db, what, PQresultErrorMessage(r));
        PQclear(r);
    }
    return 0;
}

static int flush(pg_db *db)
{
    if (PQflush(db->conn) != 0) {
        fail(db, "sending to the server", PQerrorMessage(db->conn));
        return -1;
    }
    return 0;
}

/* Read answers until at most @p left statements are unanswered. */
static int drain(pg_db *db, long left)
{
    while (db->pipe_sent - db->pipe_got > left)
        if (read_one(db))
            return -1;
    return 0;
}

static int send_text(pg_db *db, const char *sql)
{
    whats[db->pipe_sent % PIPE_RING] = sql;
    if (!PQsendQueryParams(db->conn, sql, 0, NULL, NULL, NULL, NULL, 0)) {
        fail(db, sql, PQerrorMessage(db->conn));
        return -1;
    }
    db->pipe_sent++;
    return 0;
}

int pipe_begin(pg_db *db)
{
    db->pipe_sent = db->pipe_got = 0;
    db->pipe_failed = 0;
    if (!PQenterPipelineMode(db->conn)) {
        snprintf(db->errmsg, sizeof db->errmsg, "BEGIN: %s", PQerrorMessage(db->conn));
        return -1;
    }
    if (send_text(db, "BEGIN")) {
        pipe_abort(db);
        return -1;
    }
    return 0;
}

int pipe_send(pg_db *db, const char *stmt, int n, const char *const *values, const int *lengths,
              const int *formats, const char *what)
{
    if (PQpipelineStatus(db->conn) == PQ_PIPELINE_OFF) {
        snprintf(db->errmsg, sizeof db->errmsg, "%s: no transaction is open", what);
        return -1;
    }
    whats[db->pipe_sent % PIPE_RING] = what;
    if (!PQsendQueryPrepared(db->conn, stmt, n, values, lengths, formats, 0)) {
        fail(db, what, PQerrorMessage(db->conn));
        return -1;
    }
    db->pipe_sent++;
    if (db->pipe_sent - db->pipe_got >= PIPE_WINDOW) {
        if (!PQsendFlushRequest(db->conn) || flush(db) || drain(db, 0))
            return -1;
        if (db->pipe_failed)
            return -1; /* the server refused a statement: no use sending more */
    }
    return 0;
}

int pipe_commit(pg_db *db)
{
    if (PQpipelineStatus(db->conn) == PQ_PIPELINE_OFF) {
        snprintf(db->errmsg, sizeof db->errmsg, "COMMIT: no transaction is open");
        return -1;
    }
    if (send_text(db, "COMMIT") || !PQpipelineSync(db->conn) || flush(db) || drain(db, 0))
        return -1;
    PGresult *r = PQgetResult(db->conn);
    int synced = r && PQresultStatus(r) == PGRES_PIPELINE_SYNC;
    PQclear(r);
    if (!synced) {
        fail(db, "COMMIT", PQerrorMessage(db->conn));
        return -1;
    }
    if (!PQexitPipelineMode(db->conn))
        fail(db, "COMMIT", PQerrorMessage(db->conn));
    return db->pipe_failed ? -1 : 0;
}

void pipe_abort(pg_db *db)
{
    char why[sizeof db->errmsg];
    memcpy(why, db->errmsg, sizeof why);
    if (PQstatus(db->conn) == CONNECTION_OK && PQpipelineStatus(db->conn) != PQ_PIPELINE_OFF) {
        /* end the pipeline: a sync, then every answer up to it */
        if (PQpipelineSync(db->conn) && PQflush(db->conn) == 0) {
            db->pipe_failed = 1; /* keep the message we have */
            if (drain(db, 0) == 0) {
                PGresult *r;
                while ((r = PQgetResult(db->conn)) != NULL) {
                    int sync = PQresultStatus(r) == PGRES_PIPELINE_SYNC;
                    PQclear(r);
                    if (sync)
                        break;
                }
            }
        }
        PQexitPipelineMode(db->conn);
    }
    PGTransactionStatusType ts = PQtransactionStatus(db->conn);
    if (PQpipelineStatus(db->conn) == PQ_PIPELINE_OFF && (ts == PQTRANS_INTRANS || ts == PQTRANS_INERROR))
        PQclear(PQexec(db->conn, "ROLLBACK"));
    memcpy(db->errmsg, why, sizeof why);
}
