/*
 * progress.h - how far the scenario file has been applied to the database.
 */
#ifndef SQLITE_HOST_PROGRESS_H
#define SQLITE_HOST_PROGRESS_H

#include "db.h"
#include "hostrun.h"

#include <stddef.h>
#include <stdint.h>

/* The digest of no line (lines are digested by host_digest(), hostrun.h). */
#define PROGRESS_DIGEST_INIT HOST_DIGEST_INIT

/* Read the progress row: *line = 0 and *digest = PROGRESS_DIGEST_INIT when there is none (*found = 0). */
int progress_read(host_db *db, long *line, uint64_t *digest, int *found);

/* Write the progress row inside the open transaction; 0 or -1 with db->errmsg set. */
int progress_write(host_db *db, long line, uint64_t digest);

/*
 * Record that @p line was handled, in a transaction of its own, for a line
 * with no engine transaction (a comment, a rejected line, an event-id
 * replay): progress_record_begin() opens it and writes the row,
 * progress_record_commit() commits it (rolling back on failure).  In
 * between, main.c reports the line's error, so a crash can repeat the
 * report of the last line but never lose it.  0 or -1 with db->errmsg set.
 */
int progress_record_begin(host_db *db, long line, uint64_t digest);
int progress_record_commit(host_db *db);

/* The database as the shared line loop (hostrun.h) sees it. */
void progress_backend(host_db *db, host_backend *b);

#endif
