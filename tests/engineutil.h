/*
 * engineutil.h - helpers shared by the engine tests: building and applying
 * operations in one line, exporting to strings, and a fingerprint of the
 * whole engine state (records and derived totals) to prove that a failed
 * call changed nothing.
 */
#ifndef ENGINEUTIL_H
#define ENGINEUTIL_H

#include "rewards.h"

/*
 * Apply an operation given as key/value strings, NULL-terminated:
 *   eu_op(e, "level", "id", "gold", "program", "p", "name", "Gold", "rank:i", "2", NULL)
 * A key ending in ":i" is an integer, ":b" a boolean ("true"/"false"),
 * ":n" a number (exact decimal text), ":o" an empty object, ":l" an empty list;
 * any other key is a string.
 */
rewards_status eu_op(rewards_engine *e, const char *kind, ...);

/* Set one field of op, the key typed as for eu_op. */
rewards_status eu_set(rewards_op *op, const char *key, const char *val);

/* The ledger / payouts CSV as a malloc'd string (free()). */
/* A write callback that accepts and drops everything (exports whose text does not matter). */
int eu_discard(void *user, const char *data, size_t size);
char *eu_ledger(rewards_engine *e);
char *eu_payouts(rewards_engine *e);
/* Every entry's calculation trace, JSON lines (NULL when the export fails). */
char *eu_traces(rewards_engine *e);

/* Everything the engine holds, as a malloc'd string (free()). Two engines
 * (or one engine before and after a failed call) with equal fingerprints
 * are in the same state. */
char *eu_fingerprint(rewards_engine *e);

#endif
