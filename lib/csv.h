/*
 * csv.h - an RFC 4180 row writer with formula-injection neutralisation,
 * writing through the host's callback.
 */
#ifndef RW_CSV_H
#define RW_CSV_H

#include "engine.h"

typedef struct rw_csv {
    rewards_write_fn write;
    void *user;
    char buf[4096];
    size_t len;
    int failed;
    int first; /* no cell yet on this row */
} rw_csv;

void rw_csv_init(rw_csv *c, rewards_write_fn write, void *user);
/* An id or name: gets a leading ' when it could start a formula, then quoting. */
void rw_csv_text(rw_csv *c, const char *s);
/* A vocabulary word, number or time: quoted if needed, never prefixed. */
void rw_csv_word(rw_csv *c, const char *s);
void rw_csv_amount(rw_csv *c, int64_t amount, int exp);
void rw_csv_int(rw_csv *c, int64_t v);
void rw_csv_time(rw_csv *c, int64_t t);
void rw_csv_end_row(rw_csv *c);
/* Flush; REWARDS_STORAGE when the callback failed. */
rewards_status rw_csv_finish(rw_csv *c);

#endif
