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
#include <stdint.h>

/*
 * Write the ledger to @p ledger and the payouts to @p payouts (either may
 * be NULL: not written; "-" is standard output).  Returns 0, or -1 after
 * printing "PROG: cannot write PATH: reason" on standard error, with no
 * output file created or replaced.  A path that exists and is not a
 * regular file (a device, a pipe) is written in place: it cannot be renamed
 * over, so what was written to it before the failure stays written.
 */
int output_write(rewards_engine *e, const char *prog, const char *ledger, const char *payouts);

/* Every output a run may write (NULL: not written), all or nothing as output_write. */
typedef struct output_files {
    const char *ledger, *payouts;
    const char *traces;     /* every entry's trace, JSON lines (rewards_engine_export_traces) */
    const char *statements; /* every recipient's statement over [from, until) */
    const char *holds;      /* the holds report */
    int64_t from, until;    /* INT64_MIN / INT64_MAX: unbounded */
} output_files;
int output_write_files(rewards_engine *e, const char *prog, const output_files *files);

#endif
