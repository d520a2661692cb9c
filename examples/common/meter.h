/*
 * meter.h - progress and a closing summary for a long run, on a terminal.
 *
 * rewards-cli and sqlite-host can take minutes on a large file.  When
 * standard error is a terminal they show, on one line rewritten in place,
 * how many lines are done and how fast (`120000 lines, 10240 lines/s`),
 * and end with one summary line (`204840 lines, 3 rejected, 20.1 s`).
 * When standard error is not a terminal (a pipe, a file, a test comparing
 * error lines) nothing of this is written: the error lines stay the only
 * output there, exactly as before.
 */
#ifndef REWARDS_METER_H
#define REWARDS_METER_H

#include <stdint.h>

typedef struct meter {
    int on;             /* standard error is a terminal */
    int64_t start_ms;   /* when the run started */
    int64_t next_ms;    /* when the next progress line is due */
    int64_t every_ms;   /* progress interval (REWARDS_PROGRESS_MS, default 500) */
    int shown;          /* a progress line is on the screen */
} meter;

/* Starts the clock; on is isatty(2) unless forced for tests. */
void meter_start(meter *m);
/* Before a message on stderr: erase a progress line if one is shown. */
void meter_clear(meter *m);
/* After line n: a progress line when one is due. */
void meter_line(meter *m, long n);
/* The summary: lines read, lines rejected, seconds (one decimal). */
void meter_end(meter *m, long lines, long rejected);

#endif
