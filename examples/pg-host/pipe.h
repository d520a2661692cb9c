/*
 * pipe.h - one transaction as one libpq pipeline: the statements of a
 * transaction are sent without waiting for their answers, and the answers
 * are read at the commit.
 */
#ifndef PG_HOST_PIPE_H
#define PG_HOST_PIPE_H

#include "pgdb.h"

/* Enter pipeline mode and send BEGIN; 0 or -1 with db->errmsg set. */
int pipe_begin(pg_db *db);

/*
 * Send the prepared statement @p stmt with its parameters (as
 * PQsendQueryPrepared); @p what names it in a failure message.  A failure
 * the server reports is known only later (pipe_commit); -1 here means the
 * statement could not be sent (the connection is gone).
 */
int pipe_send(pg_db *db, const char *stmt, int n, const char *const *values, const int *lengths,
              const int *formats, const char *what);

/*
 * Send COMMIT and a sync, read every answer, leave pipeline mode.  0 when
 * every statement succeeded and the server answered COMMIT; -1 with
 * db->errmsg set to the first failure (the transaction is then not
 * committed: call pipe_abort()).
 */
int pipe_commit(pg_db *db);

/* Whatever state the pipeline is in: end it and roll the transaction back (keeps db->errmsg). */
void pipe_abort(pg_db *db);

#endif
