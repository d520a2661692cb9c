/*
 * restore.h - rebuilding the tenant's engine from its schema at start.
 */
#ifndef PG_HOST_RESTORE_H
#define PG_HOST_RESTORE_H

#include "pgdb.h"

/*
 * Give every row of every record table to rewards_engine_restore(), call
 * rewards_engine_restore_finish(), and read the progress row, in one
 * REPEATABLE READ transaction.  @p e must be a new engine.  0, or -1 with
 * db->errmsg set.
 */
int restore_engine(pg_db *db, rewards_engine *e, long *line, uint64_t *digest);

#endif
