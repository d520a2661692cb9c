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

struct rewards_op {
    rw_engine *engine;
    char *kind;
    rw_node root;
};

const rw_node *rw_node_get(const rw_node *obj, const char *key);
const char *rw_vtype_name(rw_vtype t);

/* The canonical form of an operation for event-id comparison: the kind and
 * its fields sorted by key, times and decimals normalised, without "event". */
char *rw_op_signature(rw_engine *e, const rewards_op *op);

#endif
