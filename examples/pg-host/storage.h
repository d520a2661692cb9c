/*
 * storage.h - the librewards storage callbacks on the tenant's schema.
 */
#ifndef PG_HOST_STORAGE_H
#define PG_HOST_STORAGE_H

#include "pgdb.h"

/* Fill @p s with the callbacks; their user pointer is @p db. */
void storage_callbacks(pg_db *db, rewards_storage *s);

/*
 * The transaction primitives the callbacks use, shared with progress.c for
 * the lines that have no engine transaction.  Each returns 0 or -1 with
 * db->errmsg set.  After a failed commit call storage_txn_rollback().
 */
int storage_txn_begin(pg_db *db);
int storage_txn_commit(pg_db *db);
void storage_txn_rollback(pg_db *db);

#endif
