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
 * Turn one line of len bytes (without its newline) into an operation built
 * on @p engine.  On SCENARIO_OP the caller frees *op with rewards_op_free().
 * A NUL byte in the line, text that is not JSON or not an object is
 * SCENARIO_FATAL; a duplicate key is SCENARIO_REJECT (invalid_argument).
 * msg has its control bytes escaped.
 */
scenario_line scenario_parse_line(rewards_engine *engine, const char *line, size_t len, rewards_op **op,
                                  rewards_status *status, char *msg, size_t msg_size);

/*
 * The status and message to report when applying the operation of the line
 * parsed last failed with st: the engine's, except that a field holding an
 * integer beyond int64, which the engine refused as not an integer, is
 * reported as overflow at that field.
 */
rewards_status scenario_apply_error(rewards_engine *engine, rewards_status st, char *msg, size_t msg_size);

/*
 * Read the next line of f into a growing buffer (NUL bytes kept: the length
 * counts them).  Returns its length; SCENARIO_EOF at end of file,
 * SCENARIO_NOMEM, or SCENARIO_READ_ERROR with errno set to the reason.
 */
#define SCENARIO_EOF (-1)
#define SCENARIO_NOMEM (-2)
#define SCENARIO_READ_ERROR (-3)
long scenario_read_line(FILE *f, char **buf, size_t *cap);

/* Escape the control bytes of msg in place (\n, \r, \t, \xNN), cutting between escapes. */
void scenario_escape(char *msg, size_t size);

/* A rewards_write_fn writing to a FILE *. */
int scenario_write_file(void *user, const char *data, size_t size);

#endif
