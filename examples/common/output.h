/*
 * output.h - writing a run's ledger and payouts all or nothing.
 *
 * Shared by rewards-cli and the SQLite host.  Each file is written to a
 * temporary file in its own directory and renamed over the path only when
 * both files were written completely, so a full disk or an unwritable path
 * never leaves a file cut mid-row, nor one output without the other.
 */
#ifndef OUTPUT_H
#define OUTPUT_H

#include <rewards.h>

/*
 * Write the ledger to @p ledger and the payouts to @p payouts (either may
 * be NULL: not written; "-" is standard output).  Returns 0, or -1 after
 * printing "PROG: cannot write PATH: reason" on standard error, with no
 * output file created or replaced.  A path that exists and is not a
 * regular file (a device, a pipe) is written in place: it cannot be renamed
 * over, so what was written to it before the failure stays written.
 */
int output_write(rewards_engine *e, const char *prog, const char *ledger, const char *payouts);

#endif
