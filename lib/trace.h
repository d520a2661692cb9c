/*
 * trace.h - calculation traces: why an entry has its amount.
 *
 * Most of an entry's explanation can be read later from the records (the
 * reward's parameters, the contribution's trigger, deal, line and FX rate),
 * but not what the engine saw at the moment it computed the amount: the
 * base then (an amendment changes it), the group's running metric and total
 * before it (a later correction changes those), what the caps left, the
 * net before the entry, the operation that caused a correction, and what
 * became of a hold.  rw_trace keeps exactly that, one small block per entry
 * of a contribution (about 15 bytes, packed, from the engine's trace slab,
 * so no heap block of its own and nothing to free: trace_pack.c),
 * persisted at the end of the entry's record (trace_record.c) so a restart
 * explains an entry exactly as the run that made it.  Manual entries and redemptions need no block: their record is
 * their whole story.  An entry restored from a record written without a
 * trace (an older host, or an engine with traces off) has none: its trace
 * says the history is unknown.
 *
 * Capture is by small hooks: compute_targets leaves its numbers in
 * e->trace.calc, the operations that correct or release set e->trace.cause,
 * and rw_entry_add / rw_release_contrib copy them into the entry's block.
 */
#ifndef RW_TRACE_H
#define RW_TRACE_H

#include <stddef.h>
#include <stdint.h>

struct rw_deal;
struct rw_level;
struct rw_user;
struct rw_entry;
struct rw_contrib;
typedef struct rewards_engine rw_engine;

/* The operation in progress, as far as traces care (values are stored: append only). */
typedef enum {
    RW_CAUSE_NONE = 0,    /* a trigger (earned entries), or unknown */
    RW_CAUSE_AMEND = 1,   /* amend: the deal's amount (or line total) from -> to */
    RW_CAUSE_CANCEL = 2,  /* stage cancelled: clawback */
    RW_CAUSE_ASSIGN = 3,  /* assign: a held entry went to the assigned user */
    RW_CAUSE_ACCESS = 4,  /* user_access granted: held for no access, released to the user */
    RW_CAUSE_RELEASE = 5, /* release to the partner */
    RW_CAUSE_COUNT
} rw_cause_kind;

typedef struct rw_trace_cause {
    int kind;              /* rw_cause_kind */
    struct rw_deal *deal;  /* the deal amended or cancelled */
    int64_t from, to;      /* amend: the deal amount before and after (deal minor units) */
} rw_trace_cause;

/* The numbers of one target computation (compute_targets). */
typedef struct rw_trace_calc {
    int64_t base;          /* the contribution's base then, deal currency minor units */
    int64_t converted;     /* that base in program currency (RW_NONE when the reward reads no amount) */
    int64_t metric;        /* what the contribution adds to its group's metric (0 when voided) */
    int64_t metric_before; /* the group's metric before it (0 without a group) */
    int64_t total_before;  /* the group's total of targets before it (cap_per_period) */
    int64_t cap_used;      /* per-line: what earlier lines of the trigger took of cap_per_deal */
    int64_t uncapped;      /* the rule's amount before any cap (single-slot kinds) */
    int voided;
} rw_trace_calc;

/* What only some traces have: a correction's cause, an override's source,
 * a release, what earlier lines took of a cap per deal, a net before the
 * entry other than 0.  Packed, a field at its default (0, NULL, and RW_NONE
 * for released_at) takes nothing, so the earned entries of plain deals
 * (most entries) carry none of it. */
typedef struct rw_trace_more {
    struct rw_deal *cause_deal;
    int64_t cause_from, cause_to;
    uint64_t source;       /* an override's entry: the child entry it mirrors */
    int64_t released_at;   /* RW_NONE when never released */
    struct rw_user *released_to; /* NULL: released to the partner */
    int64_t cap_used;      /* rw_trace_calc.cap_used: per-line rewards with a cap per deal only */
    int64_t previous;      /* the slot's net before the entry: 0 but for corrections and mirrors */
} rw_trace_more;

/* An entry's trace, unpacked (rw_trace_unpack; the entry keeps it packed):
 * the numbers of rw_trace_calc but cap_used (in more, as it is rarely other
 * than 0), voided among the bytes at the end, and the converted amount as
 * a byte: it is the metric or none (rw_trace_calc_begin).  The slot's net
 * before the entry is in more too: it is 0 for the first entry of a slot
 * (most).  Start one with rw_trace_init: more's defaults are not all 0. */
typedef struct rw_trace {
    int64_t base, metric, metric_before, total_before, uncapped; /* rw_trace_calc's */
    rw_trace_more more;    /* its defaults when the trace has none of it */
    uint8_t cause;         /* rw_cause_kind of the operation that recorded it */
    uint8_t hold;          /* rw_hold when recorded (the entry's own hold is cleared on release) */
    uint8_t release;       /* rw_cause_kind of the operation that released it, 0 while held/never */
    uint8_t voided;        /* rw_trace_calc.voided */
    uint8_t converted;     /* rw_trace_calc.converted is the metric (1) or RW_NONE (0) */
} rw_trace;

/* An empty trace: every number 0, the rarer part at its defaults. */
void rw_trace_init(rw_trace *t);

/* trace_pack.c: a trace as an entry keeps it (rw_entry.trace), packed into
 * about 15 bytes of the trace slab (a correction's, with its cause, about
 * 30) instead of the 112 of rw_trace, which is the unpacked view its
 * readers fill on their stack.  Packed bytes never change: a release packs
 * the trace again (rw_trace_release). */
#define RW_TRACE_PACKED_MAX 160 /* 4 bytes, 2 addresses, 11 varints of up to 10 bytes */
/* t packed into a new block of the trace slab (a rollback takes it back); NULL out of memory. */
unsigned char *rw_trace_pack(rw_engine *e, const rw_trace *t);
void rw_trace_unpack(const unsigned char *p, rw_trace *t);
/* How many bytes rw_trace_pack made of it. */
size_t rw_trace_packed_size(const unsigned char *p);

/* The numbers of the computation a trace recorded, as rw_trace_calc. */
void rw_trace_calc_of(const rw_trace *t, rw_trace_calc *c);
/* The net of the entry's slot before it. */
static inline int64_t rw_trace_previous(const rw_trace *t) { return t->more.previous; }

/* Per engine: whether traces are kept, and what the hooks leave for rw_entry_add. */
typedef struct rw_trace_state {
    int off;               /* rewards_options.traces == REWARDS_TRACES_OFF */
    rw_trace_cause cause;
    rw_trace_calc calc;
    uint64_t source;       /* set by the override mirror around its own rw_entry_add */
} rw_trace_state;

/* Hooks (trace.c). */
/* Set the operation in progress (amend, cancel, assign, access, release). */
void rw_trace_cause_set(rw_engine *e, int kind, struct rw_deal *d, int64_t from, int64_t to);
/* compute_targets: the numbers it starts from (uncapped is set after). */
void rw_trace_calc_begin(rw_engine *e, const struct rw_contrib *k, int64_t metric, int amount_based,
                         int64_t metric_before, int64_t total_before, const int64_t *cap_used);
/* rw_entry_add: the new entry's block (before it is linked); 0, or -1 out of memory. */
int rw_trace_entry(rw_engine *e, struct rw_entry *en, int type);
/* rw_release_contrib: a held entry is released now (journaled); 0, or -1 out of memory. */
int rw_trace_release(rw_engine *e, struct rw_entry *en, int64_t at);

/* trace_record.c: the block as the last field of an entry record. */
/* Encode into buf (NUL-terminated); the length, or 0 when there is no block. */
size_t rw_trace_encode(const struct rw_entry *en, char *buf, size_t size);
/* Decode a block of n bytes at s into en->trace: 0, 1 when corrupt, 2 out of memory. */
int rw_trace_decode(rw_engine *e, struct rw_entry *en, const char *s, size_t n);
#define RW_TRACE_MAX_ENCODED 1536

#endif
