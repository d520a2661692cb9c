/*
 * progress.h - how far the scenario file has been applied to the tenant.
 */
#ifndef PG_HOST_PROGRESS_H
#define PG_HOST_PROGRESS_H

#include "hostrun.h"
#include "pgdb.h"

/* Read the progress row (inside the caller's transaction): *line = 0 and *digest = HOST_DIGEST_INIT when there is none. */
int progress_read(pg_db *db, long *line, uint64_t *digest, int *found);

/* Write the progress row inside the open transaction; 0 or -1 with db->errmsg set. */
int progress_write(pg_db *db, long line, uint64_t digest);

/* The tenant as the shared line loop (hostrun.h) sees it. */
void progress_backend(pg_db *db, host_backend *b);

#endif
