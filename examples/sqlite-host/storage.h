/*
 * storage.h - the librewards storage callbacks on the host's database.
 */
#ifndef SQLITE_HOST_STORAGE_H
#define SQLITE_HOST_STORAGE_H

#include "db.h"

/* Fill @p s with the callbacks; their user pointer is @p db. */
void storage_callbacks(host_db *db, rewards_storage *s);

/*
 * The transaction primitives the callbacks use, shared with progress.c for
 * the lines that have no engine transaction.  Each returns 0 or -1 with
 * db->errmsg set.  After a failed commit the transaction may still be open:
 * call storage_txn_rollback().
 */
int storage_txn_begin(host_db *db);
int storage_txn_commit(host_db *db);
void storage_txn_rollback(host_db *db);

#endif
