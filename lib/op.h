/*
 * op.h - operations as the host builds them: a kind and a small tree of
 * typed fields (the shape of one scenario line), and the readers the
 * operation handlers use to take fields in the documented order.
 */
#ifndef RW_OP_H
#define RW_OP_H

#include "engine.h"

typedef enum { RW_V_STRING = 0, RW_V_INT, RW_V_BOOL, RW_V_TIME, RW_V_NUMBER, RW_V_NULL, RW_V_OBJECT, RW_V_LIST } rw_vtype;

typedef struct rw_node {
    char *key;  /* object members; NULL for list elements */
    rw_vtype type;
    char *str;  /* RW_V_STRING, RW_V_NUMBER */
    int64_t num;/* RW_V_INT, RW_V_BOOL, RW_V_TIME */
    struct rw_node *kids;
    size_t nkids, capkids;
} rw_node;

/* A chunk of an op's text (op.c), beyond the one inside the op. */
typedef struct rw_op_chunk {
    struct rw_op_chunk *next;
    char text[];
} rw_op_chunk;

#define RW_OP_TEXT 192 /* the kind, keys and values of a typical operation */

struct rewards_op {
    rw_engine *engine;
    char *kind;
    rw_node root;
    /* Every key and string of the op is copied here: into text, then
     * chunks of the engine's allocator, all freed with the op.  (One heap
     * block per key and per value was most of the cost of building an op.) */
    rw_op_chunk *chunks; /* newest first */
    char *cur, *end;     /* room left in text or the newest chunk */
    char text[RW_OP_TEXT];
};

const rw_node *rw_node_get(const rw_node *obj, const char *key);
const char *rw_vtype_name(rw_vtype t);

/* The canonical form of an operation for event-id comparison: the kind and
 * its fields sorted by key, times and decimals normalised, without "event". */
char *rw_op_signature(rw_engine *e, const rewards_op *op);

#endif
