/*
 * scenario.h - reading scenario files (JSON Lines, SCENARIOS.md) into
 * librewards operations.  Shared by rewards-cli and the SQLite host so that
 * both read files exactly alike.
 */
#ifndef SCENARIO_H
#define SCENARIO_H

#include <stdio.h>
#include <rewards.h>

/* What a line turned into. */
typedef enum {
    SCENARIO_SKIP = 0, /* blank or comment */
    SCENARIO_OP,       /* *op is an operation to apply */
    SCENARIO_REJECT,   /* the line is an object but not an operation: *status and msg say why */
    SCENARIO_FATAL     /* not JSON, or not an object: the run stops (exit 2) */
} scenario_line;

/*
 * Turn one line (without its newline) into an operation built on @p engine.
 * On SCENARIO_OP the caller frees *op with rewards_op_free().
 */
scenario_line scenario_parse_line(rewards_engine *engine, const char *line, rewards_op **op, rewards_status *status,
                                  char *msg, size_t msg_size);

/* Read the next line of f into a growing buffer; -1 at end of file. */
long scenario_read_line(FILE *f, char **buf, size_t *cap);

/* Escape the control bytes of msg in place (\n, \r, \t, \xNN), cutting between escapes. */
void scenario_escape(char *msg, size_t size);

/* A rewards_write_fn writing to a FILE *. */
int scenario_write_file(void *user, const char *data, size_t size);

#endif
