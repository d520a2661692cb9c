/*
 * benchutil.h - what every benchmark needs: stop on a failed call with the
 * engine's message, build and apply an operation in one line, and a
 * monotonic clock.  Benchmarks use the public API only, so that they measure
 * what a host gets.
 */
#ifndef BENCHUTIL_H
#define BENCHUTIL_H

#include "rewards.h"

#include <stdint.h>

/* Print "what: status: message" and exit 1. */
void bu_die(const char *what, rewards_engine *e, rewards_status st);

/*
 * Build and apply an operation from key/value string pairs, NULL-terminated
 * (a key ending in ":i" is an integer, ":b" a boolean "true"/"false"); at is
 * its time, or INT64_MIN for an untimed one.  Any failure stops the program.
 * Returns the wall time of rewards_engine_apply() alone, in nanoseconds.
 */
double bu_op(rewards_engine *e, int64_t at, const char *kind, ...);

/* Monotonic wall time in nanoseconds. */
double bu_now_ns(void);

#endif
