/*
 * scenutil.h - the worked scenarios as operations (see scenutil.c).
 */
#ifndef SCENUTIL_H
#define SCENUTIL_H

#include <stddef.h>
#include "rewards.h"

#define SCENARIO_COUNT 9
extern const char *const scenario_names[SCENARIO_COUNT];

typedef struct scenario {
    char *text;
    char **lines; /* operation lines only */
    int *lineno;  /* their 1-based line numbers */
    size_t n;
} scenario;

/* A whole file as a malloc'd string, NULL when it cannot be read. */
char *read_file(const char *path);
/* tests/scenarios/NAME.EXT as a malloc'd string (aborts when absent). */
char *scenario_file(const char *name, const char *ext);
void scenario_load(scenario *s, const char *name);
void scenario_free(scenario *s);
/* One scenario line as an operation of e (NULL for a line that is not one). */
rewards_op *line_op(rewards_engine *e, const char *line);

#endif
