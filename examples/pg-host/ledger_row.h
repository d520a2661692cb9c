/*
 * ledger_row.h - the typed ledger_entry table, written beside the opaque
 * entry records.
 */
#ifndef PG_HOST_LEDGER_ROW_H
#define PG_HOST_LEDGER_ROW_H

#include "pgdb.h"

#include <stddef.h>
#include <stdint.h>

/* Write (insert or update) the ledger_entry row of the entry whose record key is @p key; 0 or -1 with db->errmsg. */
int ledger_row_put(pg_db *db, const char *key);

/* Delete the ledger_entry row of the entry record @p key; 0 or -1 with db->errmsg. */
int ledger_row_del(pg_db *db, const char *key);

/* Minor units as an exact decimal with @p exponent decimals ("-35.50"): integers only; buf of 32 bytes or more. */
void ledger_decimal(int64_t minor, int exponent, char *buf, size_t size);

#endif
