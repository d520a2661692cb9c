/*
 * trace_model.h - a trace as the API hands it out: an ordered list of
 * items, each a dotted key ("tiers.brackets.0.slice"), a value as text
 * and its type.  One flat list serves every consumer: the accessor API
 * (bindings build dicts/tables from it), the JSON rendering (nesting by
 * key: a numeric segment is an array index) and the CLI's text.  Items of
 * one object or array are always consecutive, which is what lets the JSON
 * writer nest them in one pass.
 */
#ifndef RW_TRACE_MODEL_H
#define RW_TRACE_MODEL_H

#include "engine.h"

typedef struct rw_titem {
    char *key;
    char *value;
    int type; /* rewards_trace_value_type */
} rw_titem;

struct rewards_trace {
    rw_alloc alloc;
    rw_titem *items;
    size_t n, cap;
    int failed; /* an allocation failed */
};

/* Build the trace of entry en into t (trace_model.c); REWARDS_NOMEM or OK. */
rewards_status rw_trace_build(rw_engine *e, const rw_entry *en, rewards_trace *t);
void rw_trace_clear(rewards_trace *t);
/* The JSON rendering of t, one line without the newline (trace_api.c). */
rewards_status rw_trace_json(const rewards_trace *t, rewards_write_fn write, void *user);

/* Enter a read-only call (the guard, no restore in progress); RW_LEAVE after. */
rewards_status rw_read_ready(rw_engine *e, const char *fn);

#endif
