/*
 * restore.h - rebuilding the engine from the host's database at start.
 */
#ifndef SQLITE_HOST_RESTORE_H
#define SQLITE_HOST_RESTORE_H

#include "db.h"

/*
 * Give every row of every record table to rewards_engine_restore(), call
 * rewards_engine_restore_finish(), and read the progress row (*line lines
 * applied, *digest of them).  @p e must be a new engine.  0, or -1 with
 * db->errmsg set (then the engine must be freed, not used).
 */
int restore_engine(host_db *db, rewards_engine *e, long *line, uint64_t *digest);

#endif
