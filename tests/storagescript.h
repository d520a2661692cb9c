/*
 * storagescript.h - one script of operations that touches every kind of
 * record and every kind of change (holds, tiers, milestones, points, a
 * condition, clawbacks, payout runs, an event id, two tiers, an activity,
 * a manual entry).  The storage and batch tests run it with a failure
 * injected at every position, so it lives in one place.
 */
#ifndef STORAGESCRIPT_H
#define STORAGESCRIPT_H

#include <stddef.h>

#define MAXF 40
/* One operation: its kind, then key/value pairs as eu_op takes them, NULL-padded. */
typedef const char *spec[MAXF];

extern const spec storage_script[];
extern const size_t storage_script_len;

#endif
