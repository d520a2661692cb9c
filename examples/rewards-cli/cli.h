/*
 * cli.h - what the files of rewards-cli share: applying a scenario file
 * (main.c) and the whatif command (whatif.c).
 */
#ifndef CLI_H
#define CLI_H

#include <rewards.h>

/* Apply every line of path to e; rejected lines go to stderr as
 * "PREFIXline N: CODE: message" and set *rejected.  batch > 0: commit every
 * batch operation lines.  Returns 0, or 2 when the run had to stop. */
int cli_apply_file(rewards_engine *e, const char *path, const char *prefix, long batch, int *rejected);
/* "N" from 1 to 10^9, else -1. */
long cli_batch_size(const char *s);
/* A usage mistake: the message, then the usage; returns 2. */
int usage_error(const char *fmt, const char *what);
/* rewards-cli whatif BASE.jsonl CHANGE.jsonl (argv without the command). */
int cli_whatif(int argc, char **argv);
/* rewards-cli explain SCENARIO.jsonl ENTRY [--json] (argv without the command). */
int cli_explain(int argc, char **argv);

#endif
