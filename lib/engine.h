/*
 * engine.h - the engine's internal model: every entity, the ledger, and the
 * engine itself.  Shared by the library's files only; nothing here is API.
 *
 * Records (the structs that start with rw_rec) are what the host persists.
 * Everything else (indexes, per-deal and per-group lists, running totals)
 * is derived from records and rebuilt when an engine is restored.
 */
#ifndef RW_ENGINE_H
#define RW_ENGINE_H

#include "rewards.h"
#include "rw_alloc.h"
#include "journal.h"
#include "index.h"
#include "slab.h"
#include "recs.h"
#include "money.h"
#include "fiscal.h"
#include "expr.h"
#include "trace.h"

#include <stdint.h>
#include <string.h>

#define RW_NONE INT64_MIN /* an absent optional amount or time */

/* Record kinds, in the order a restore rebuilds them (references point backwards). */
typedef enum rw_kind {
    RW_KIND_META = 0,
    RW_KIND_CURRENCY,
    RW_KIND_PROGRAM,
    RW_KIND_LEVEL,
    RW_KIND_REWARD,
    RW_KIND_PARTNER,
    RW_KIND_USER,
    RW_KIND_FX,
    RW_KIND_DEAL,
    RW_KIND_LEVEL_CHANGE,
    RW_KIND_CONTRIB,
    RW_KIND_RUN,
    RW_KIND_LINE,
    RW_KIND_ENTRY,
    RW_KIND_EVENT_ID,
    RW_KIND_ACTIVITY, /* restored right after deals: see restore.c */
    RW_KIND_COUNT
} rw_kind;

typedef enum { RW_ATTR_STR = 0, RW_ATTR_NUM, RW_ATTR_BOOL } rw_attr_type;

typedef struct rw_attr {
    char *name;
    rw_attr_type type;
    char *text;   /* the value as given: string, decimal text, "true"/"false" */
    rw_xnum num;  /* RW_ATTR_NUM */
} rw_attr;

/* An immutable attribute set: replaced whole when changed. */
typedef struct rw_attrs {
    size_t n;
    rw_attr *items;
} rw_attrs;

typedef struct rw_meta {
    rw_rec h;
    int64_t clock; /* time of the last applied timed operation, RW_NONE before */
    /* integrity.c: what every other live record adds up to, as of the
     * transaction that last put this record (absent from a 1.0 host's meta) */
    int sealed;           /* the fields below were read or written */
    uint64_t next_seq;    /* the engine's next sequence number */
    uint64_t digest;      /* sum mod 2^64 of the other live records' hashes */
    uint64_t counts[RW_KIND_COUNT]; /* live records per kind (meta: 0) */
} rw_meta;

typedef struct rw_currency {
    rw_rec h;
    char code[4];
    int exp;
} rw_currency;

typedef struct rw_program {
    rw_rec h;
    char *id, *name;
    char currency[4];
    int exp;
    int fy_start;
    rw_rounding rounding;
    rw_vec levels;   /* rw_level*, creation order (derived) */
    rw_vec rewards;  /* rw_reward*, creation order, level and program rewards (derived) */
    rw_vec partners; /* rw_partner* (derived) */
} rw_program;

typedef enum { RW_WINDOW_NONE = 0, RW_WINDOW_FY, RW_WINDOW_FQ, RW_WINDOW_TRAILING } rw_window;

typedef struct rw_level {
    rw_rec h;
    char *id, *name;
    rw_program *program;
    int64_t rank;
    int64_t req_revenue; /* RW_NONE when absent */
    int64_t req_deals;   /* RW_NONE when absent */
    rw_window window;
    int64_t window_days;
} rw_level;

typedef enum {
    RW_TRIG_REGISTERED = 0, RW_TRIG_APPROVED, RW_TRIG_WON, RW_TRIG_CONTRACT_STARTED,
    RW_TRIG_RENEWED, RW_TRIG_PAID, RW_TRIG_ACTIVITY, RW_TRIG_COUNT
} rw_trigger;

typedef enum { RW_KIND_PERCENT = 0, RW_KIND_FIXED, RW_KIND_TIERED, RW_KIND_MILESTONE, RW_KIND_POINTS,
               RW_KIND_OVERRIDE } rw_reward_kind;
typedef enum { RW_POLICY_HOLD = 0, RW_POLICY_PARTNER, RW_POLICY_SKIP } rw_policy;
typedef enum { RW_METRIC_REVENUE = 0, RW_METRIC_DEALS, RW_METRIC_UNITS } rw_metric;
typedef enum { RW_TO_PARTNER = 0, RW_TO_SALES_REP = 1 } rw_recipient;

typedef struct rw_tier {
    int64_t from; /* program currency minor units */
    int64_t ppm;
} rw_tier;

typedef struct rw_threshold {
    int64_t at;    /* revenue in minor units, or a count */
    int64_t bonus; /* minor units */
} rw_threshold;

typedef struct rw_reward {
    rw_rec h;
    char *id, *name;
    rw_program *program;
    rw_level *level; /* NULL: every partner of the program */
    rw_trigger trigger;
    rw_recipient recipient;
    rw_reward_kind kind;
    rw_policy policy;
    int64_t clawback_days;
    int auto_approve;
    rw_period_kind period;
    int64_t rate_ppm;  /* percent */
    int64_t amount;    /* fixed; fixed points */
    int64_t ppu_micro; /* points_per_unit x 10^6, RW_NONE for fixed points */
    int retroactive;
    size_t ntiers;
    rw_tier *tiers;
    rw_metric metric;
    size_t nthresholds;
    rw_threshold *thresholds;
    int64_t cap_deal, cap_period; /* RW_NONE when absent */
    char *when;                   /* NULL when absent */
    rw_expr *cond;
    int64_t active_from, active_until; /* RW_NONE when absent */
    char *activity_type;          /* trigger activity:TYPE (trigger RW_TRIG_ACTIVITY), else NULL */
    size_t nof;                   /* override: the rewards listed in 'of' (0: every partner reward) */
    struct rw_reward **of;
    /* SPEC section 13 (lines.c, precedence.c) */
    int per_line;    /* per: line (one contribution per deal line) */
    int margin;      /* base: margin (amount - cost, never below 0) */
    char *exclusive; /* exclusive group name, NULL when absent */
    int64_t priority;
} rw_reward;

/* A recipient's running balances (balance.c); 128-bit: checked when read. */
typedef struct rw_balances {
    rw_i128 pending, approved, held, paid, points;
    uint64_t txn; /* the transaction that last saved them in the journal */
} rw_balances;

typedef struct rw_partner {
    rw_rec h;
    char *id, *name;
    rw_program *program;
    rw_level *level;
    rw_attrs *attrs;
    rw_vec entries; /* rw_entry* whose partner is this one (derived) */
    rw_vec deals;   /* rw_deal* (derived) */
    struct rw_partner *parent; /* two-tier programs: set at creation only, NULL without */
    rw_balances bal; /* entries paid to the partner (derived, balance.c) */
} rw_partner;

typedef struct rw_user {
    rw_rec h;
    char *id, *name, *email;
    rw_partner *partner;
    int portal_access;
    rw_attrs *attrs;
    rw_vec contribs; /* rw_contrib* whose recipient is this user (derived) */
    rw_balances bal; /* entries paid to the user (derived, balance.c) */
    rw_vec held;      /* rw_contrib* held for the want of this user's portal access, from held_from on;
                       * some may have been released since (derived) */
    size_t held_from;
} rw_user;

typedef struct rw_fx {
    rw_rec h;
    char from[4], to[4];
    int64_t rate; /* x 10^10 */
    int64_t at;
} rw_fx;

typedef enum {
    RW_STAGE_REGISTERED = 0, RW_STAGE_APPROVED, RW_STAGE_WON, RW_STAGE_CONTRACT_STARTED,
    RW_STAGE_LOST, RW_STAGE_CANCELLED
} rw_stage;

/* A deal line (SPEC section 13): product, amount and cost in the deal currency. */
typedef struct rw_deal_line {
    char *id, *product;
    int64_t amount, cost, units;
    rw_attrs *attrs; /* NULL when absent */
} rw_deal_line;

typedef struct rw_deal {
    rw_rec h;
    char *id;
    rw_partner *partner;
    rw_user *user;
    char currency[4];
    int exp;
    int64_t amount;
    int64_t units;
    rw_attrs *attrs;
    rw_stage stage;
    int has_amount;      /* activity: an amount was given (activity.amount is missing without); beside stage: no padding */
    int64_t registered_at;
    int64_t won_at; /* first entry into won or contract_started, RW_NONE before */
    int64_t closed_at; /* lost or cancelled, RW_NONE before */
    rw_vec contribs; /* rw_contrib*, trigger order (derived) */
    rw_vec entries;  /* rw_entry* (derived) */
    /* An activity (activity.c) is kept as a deal that never changes stage:
     * every firing, hold and ledger path then serves both alike. */
    char *activity_type; /* non-NULL: this is an activity (record kind RW_KIND_ACTIVITY) */
    size_t nlines;         /* 0: a deal without lines (it behaves as one line) */
    rw_deal_line *lines;   /* amended in place, each line saved in the journal first */
    int64_t cost;          /* sum of the line costs (derived) */
} rw_deal;

typedef struct rw_level_change {
    rw_rec h;
    rw_partner *partner;
    rw_level *from, *to;
    int64_t at;
} rw_level_change;

typedef enum { RW_HOLD_NONE = 0, RW_HOLD_NO_REP, RW_HOLD_NO_ACCESS } rw_hold;

struct rw_group;

/* What few contributions have: a conversion into the program currency, and
 * an override's mirror (override.c: reward is the override, deal the
 * child's deal; these name what it mirrors).  From the general slab, made
 * with the contribution and never changed: 32 bytes in the few instead of
 * 25 in each of a deal's about 7 contributions. */
typedef struct rw_contrib_rare {
    int64_t fx_rate;        /* x 10^10, 0 when no conversion was needed */
    struct rw_reward *covered;
    rw_user *child_user;
    uint8_t child_to;       /* rw_recipient of the mirrored entry */
} rw_contrib_rare;

/*
 * A contribution: one reward fired for one trigger of one deal.  It keeps
 * what a recomputation needs (its base amount, the FX rate used, its
 * beneficiary and period) and who is paid for it now.  The net of its
 * entries per slot (one slot, or one per milestone threshold) always equals
 * what the rules give on the current facts.
 */
typedef struct rw_contrib {
    rw_rec h;
    rw_reward *reward;
    rw_deal *deal;
    int64_t at;
    int64_t base;          /* deal currency minor units */
    rw_user *beneficiary;  /* sales_rep rewards: the user assigned at the trigger */
    rw_user *to_user;      /* when to == RW_TO_SALES_REP (NULL: held with no user) */
    union {                /* the net paid per slot: rw_contrib_net() */
        int64_t one;       /* nslots <= 1: inside the record */
        int64_t *many;     /* a milestone's thresholds: from the general slab */
    } net;
    struct rw_group *group;/* (derived) */
    /* (its entries are those of deal->entries whose contrib it is: rw_release_contrib) */
    rw_contrib_rare *rare; /* NULL: no conversion, not a mirror (rw_contrib_fx_rate and the like) */
    /* (its period is its group's: rw_contrib_period) */
    /* The small fields last and narrow: a deal has about 7 contributions,
     * so every byte here is 7 bytes per deal (docs/performance.md). */
    /* (its slot count, whether its base is the margin and whether it follows
     * the deal's amount follow from its reward and trigger: rw_contrib_nslots
     * and the like) */
    int32_t line;          /* index of the deal line of a per-line reward, -1 for per deal */
    uint8_t trigger;       /* rw_trigger */
    uint8_t to;            /* rw_recipient: who is paid now */
    uint8_t hold;          /* rw_hold */
    uint8_t voided;
} rw_contrib;

/* A contribution's rare part (record.c); NULL when out of memory. */
rw_contrib_rare *rw_contrib_rare_new(rw_engine *e, int64_t fx_rate, struct rw_reward *covered, rw_user *child_user,
                                     int child_to);
static inline int64_t rw_contrib_fx_rate(const rw_contrib *k) { return k->rare ? k->rare->fx_rate : 0; }
/* The child's reward an override's mirror mirrors; NULL for any other contribution. */
static inline struct rw_reward *rw_contrib_covered(const rw_contrib *k) { return k->rare ? k->rare->covered : NULL; }
static inline rw_user *rw_contrib_child_user(const rw_contrib *k) { return k->rare ? k->rare->child_user : NULL; }
/* The rw_recipient of the entry an override's mirror mirrors (0 for any other contribution). */
static inline int rw_contrib_child_to(const rw_contrib *k) { return k->rare ? k->rare->child_to : 0; }

/* Net slots: one per threshold of a milestone, one for every other kind
 * (an override's mirror too).  A reward never changes, so neither does this. */
static inline size_t rw_contrib_nslots(const rw_contrib *k)
{
    return k->reward->kind == RW_KIND_MILESTONE ? k->reward->nthresholds : 1;
}
/* Whether the base is the margin (the reward's base: margin). */
static inline int rw_contrib_margin(const rw_contrib *k) { return k->reward->margin; }
/* Whether the base follows the deal's amount (or line's) through amendments:
 * a stage trigger's; not a renewal's, a payment's, an activity's or a mirror's. */
static inline int rw_contrib_uses_deal_amount(const rw_contrib *k)
{
    return k->trigger <= RW_TRIG_CONTRACT_STARTED && !rw_contrib_covered(k);
}

/* The net per slot of a contribution (an array of nslots). */
static inline int64_t *rw_contrib_net(rw_contrib *k)
{
    return rw_contrib_nslots(k) > 1 ? k->net.many : &k->net.one;
}
static inline int64_t rw_contrib_net_at(const rw_contrib *k, size_t slot)
{
    return rw_contrib_nslots(k) > 1 ? k->net.many[slot] : k->net.one;
}

/* A group member's running sums before it, on the current facts (group.c). */
typedef struct rw_before {
    int64_t metric, total;
} rw_before;

/* Contributions that accumulate together: one reward, period, partner and beneficiary. */
typedef struct rw_group {
    rw_vec contribs; /* trigger order */
    int64_t metric;  /* cumulative metric after the last contribution */
    int64_t total;   /* sum of targets, for cap_per_period */
    /* the key (group.c) */
    const rw_reward *reward;
    const rw_partner *partner;
    const rw_user *beneficiary;
    char period[16];
    uint64_t hash;
    rw_before *befores; /* one per member, parallel to contribs (derived, group.c) */
    size_t nbefores, capbefores;
} rw_group;

/* A contribution's period key ("" for a reward without period): its group
 * keeps it, computed from the trigger time, the program's fiscal year and
 * the reward's period kind, none of which ever changes (group.c). */
static inline const char *rw_contrib_period(const rw_contrib *k)
{
    return k->group ? k->group->period : "";
}

/* The groups by key (group.c): open addressing, at most half full. */
typedef struct rw_gtable {
    rw_group **slots;
    size_t cap, count;
    rw_group **old; /* while growing: the previous table, copied from slot `moved` on */
    size_t oldcap, moved;
} rw_gtable;

typedef enum { RW_ENTRY_EARNED = 0, RW_ENTRY_ADJUSTMENT, RW_ENTRY_REVERSAL, RW_ENTRY_REDEMPTION,
               RW_ENTRY_MANUAL } rw_entry_type;
typedef enum { RW_ST_PENDING = 0, RW_ST_APPROVED, RW_ST_HELD, RW_ST_PAID, RW_ST_REDEEMED } rw_status;

typedef struct rw_run rw_run;

/* What only a manual entry (adjust.c) or a redemption (ledger.c) has: kept
 * apart so that the 5 or so entries of every deal do not carry it. */
typedef struct rw_entry_extra {
    char *redemption_id;
    rw_deal *deal;   /* a manual entry's deal or activity, NULL when none */
    char *note;      /* NULL when none */
    char *adjust_id; /* a manual entry's adjustment id */
    uint8_t points;  /* in points (a redemption, or manual points), else in the program currency */
    uint8_t foreign; /* restore only: the stored currency was neither (record_check.c refuses it) */
} rw_entry_extra;

typedef struct rw_entry {
    rw_rec h;
    uint64_t number;     /* 1, 2, 3 ... */
    rw_contrib *contrib; /* NULL for redemptions and manual entries */
    rw_partner *partner;
    rw_user *to_user;
    int64_t amount;
    int64_t earned_at;
    rw_run *run;
    unsigned char *trace; /* why it has its amount, packed (trace.h: rw_trace_unpack); NULL: manual, redemption, unknown or traces off */
    rw_entry_extra *extra; /* NULL but for manual entries and redemptions (rw_entry_deal() and the like) */
    /* (its currency is PTS or its program's: rw_entry_currency) */
    uint32_t slot;
    /* narrow, last: see rw_contrib */
    uint8_t type;        /* rw_entry_type */
    uint8_t to;          /* rw_recipient */
    uint8_t status;      /* rw_status */
    uint8_t hold;        /* rw_hold */
} rw_entry;

static inline rw_deal *rw_entry_deal(const rw_entry *en) { return en->extra ? en->extra->deal : NULL; }
static inline const char *rw_entry_note(const rw_entry *en) { return en->extra ? en->extra->note : NULL; }
static inline const char *rw_entry_adjust_id(const rw_entry *en) { return en->extra ? en->extra->adjust_id : NULL; }
static inline const char *rw_entry_redemption_id(const rw_entry *en)
{
    return en->extra ? en->extra->redemption_id : NULL;
}
/* Whether an entry is in points.  Every entry has a contribution (points
 * when its reward's are) or the extra of a manual entry or a redemption,
 * so an entry needs no currency of its own: it is PTS or its program's
 * currency (8 bytes in every entry otherwise: docs/performance.md). */
static inline int rw_entry_points(const rw_entry *en)
{
    return en->contrib ? en->contrib->reward->kind == RW_KIND_POINTS : en->extra->points;
}
static inline const char *rw_entry_currency(const rw_entry *en)
{
    return rw_entry_points(en) ? "PTS" : en->partner->program->currency;
}
static inline int rw_entry_exp(const rw_entry *en)
{
    return rw_entry_points(en) ? 0 : en->partner->program->exp;
}
/* The deal or activity an entry is about: its contribution's, or the one a
 * manual entry names; NULL for a redemption or a manual entry naming none. */
static inline rw_deal *rw_entry_about(const rw_entry *en)
{
    return en->contrib ? en->contrib->deal : rw_entry_deal(en);
}

/* Entries an approval or payout can act on, in time order (entry_queue.c). */
#define RW_EQ_CHUNK 512
typedef struct rw_equeue {
    rw_entry ***chunks; /* positions [head, len), RW_EQ_CHUNK per chunk: non-decreasing earned_at; some may have left */
    size_t capchunks;
    size_t head, len;
    rw_entry **late;    /* [0, nlate): joined out of time order */
    size_t nlate, caplate;
    uint64_t txn;       /* the transaction that last saved this struct in the journal */
} rw_equeue;

struct rw_run {
    rw_rec h;
    char *id;
    int64_t at, until;
    rw_vec lines; /* rw_line* (derived) */
};

typedef struct rw_line {
    rw_rec h;
    rw_run *run;
    size_t index; /* position in the run */
    rw_recipient to;
    rw_partner *partner;
    rw_user *user;
    char currency[4];
    int exp;
    int64_t amount;
    int64_t count;
} rw_line;

typedef struct rw_event_id {
    rw_rec h;
    char *id;
    char *signature;
} rw_event_id;

/* A queued event, delivered after commit. */
typedef struct rw_event {
    int type;
    rw_entry *entry;
    rw_partner *partner;
    rw_level *from, *to;
    rw_reward *reward;
    rw_deal *deal;
    rw_user *user;
    rw_run *run;
    int64_t at;
} rw_event;

struct rewards_engine {
    rw_alloc alloc;
    rewards_storage storage;
    rewards_events events;
    rw_journal journal;
    int in_callback; /* a call is in progress: the host's callbacks run inside it (guard.c) */
    int restoring;
    rewards_status restore_failed; /* the first refusal of rewards_engine_restore() in this restore */
    rewards_status last_status;
    char errmsg[512];
    uint64_t next_seq;
    rw_meta *meta;
    rw_recs records[RW_KIND_COUNT]; /* every record by kind, creation order (recs.h) */
    rw_index currencies, programs, levels, rewards, partners, users, deals, runs, event_ids,
        redemptions, fx_pairs, adjustments;
    struct {
        uint64_t digest, counts[RW_KIND_COUNT];
    } integ;        /* the live records' digest and counts (integrity.c), journaled */
    rw_vec queued;  /* rw_event, this transaction's events (not journaled: reset per call) */
    rw_vec restore; /* pending restore blobs */
    rw_gtable gtab; /* contribution groups (group.c) */
    rw_equeue pending_q, payable_q; /* pending; approved, unpaid money (entry_queue.c) */
    rw_slab general;                  /* slab.c: ids, net arrays, small list buffers */
    rw_small_free small;              /* slab.c: free small list buffers by size class */
    rw_slab restore_slab;             /* the pending restore blobs (restore.c) */
    /* record_decode.c, during a restore only: the last reference resolved per
     * index (consecutive records mostly name the same deal, partner, user or
     * reward), and where the last contribution named by an entry was found */
    struct rw_ref_memo {
        const rw_index *ix;
        const char *key; /* in a pending record's data, alive until restore_finish ends */
        size_t len;
        void *val;
    } ref_memo[16];
    size_t contrib_finger;
    rw_trace_state trace; /* traces on or off, and what their hooks pass along (trace.h) */
    rw_slab trace_slab;   /* slab.c: the entries' traces (never freed before the engine) */
};

/*
 * Save size bytes at ptr so that rollback restores them: 0, or -1 when out
 * of memory.  Inline, with the common case first (room in the journal's
 * current chunks, a save of 4 or 8 bytes): an operation makes some seventy
 * saves, and a call and a general memcpy each were most of their cost
 * (docs/performance.md).  Everything else is rw_save_slow's (journal.c).
 */
static inline int rw_save(rw_engine *e, void *ptr, size_t size)
{
    rw_journal *j = &e->journal;
    if (!j->active)
        return 0;
    size_t c = j->nundo >> RW_UNDO_SHIFT;
    if (c >= j->nuchunks || !j->nbchunks || j->bused + size > j->bytes[j->bchunk].size)
        return rw_save_slow(e, ptr, size);
    unsigned char *saved = j->bytes[j->bchunk].p + j->bused;
    if (size == 8)
        memcpy(saved, ptr, 8); /* (constant sizes: a move, not a call) */
    else if (size == 4)
        memcpy(saved, ptr, 4);
    else
        memcpy(saved, ptr, size);
    rw_undo *u = &j->undo[c][j->nundo & (((size_t)1 << RW_UNDO_SHIFT) - 1)];
    u->ptr = ptr;
    u->saved = saved;
    u->size = size;
    j->bused += size;
    j->nundo++;
    return 0;
}

/* The i-th record of a kind (creation order), i < RW_COUNT(e, kind). */
#define RW_REC_AT(e, kind, type, i) ((type *)rw_recs_at(&(e)->records[kind], (i)))
#define RW_COUNT(e, kind) ((e)->records[kind].len)

/* Errors: set the message and return the status. */
rewards_status rw_fail(rw_engine *e, rewards_status st, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;
rewards_status rw_nomem(rw_engine *e);
#define RW_TRY(x) do { rewards_status rw_st_ = (x); if (rw_st_) return rw_st_; } while (0)

/* Back to a new engine's state: every record and index freed (a failed restore). */
void rw_engine_reset(rw_engine *e);

/* Registration of a new record in its id index when ix (its kind's list has it since rw_new_record). */
rewards_status rw_register(rw_engine *e, rw_rec *rec, rw_index *ix, const char *id);

/* Currencies: exponent of a known code (ISO, PTS or registered), -1 otherwise. */
int rw_engine_currency_exp(const rw_engine *e, const char *code);

/* The re-entrancy guard (guard.c): every entry point taking an engine enters
 * it first; a second entry while a call is in progress (from a storage,
 * event, export-writer or allocator callback) returns REWARDS_MISUSE. */
rewards_status rw_enter(rw_engine *e, const char *fn);
#define RW_LEAVE(e) ((e)->in_callback = 0)
/* Leave with status st: on success the message is "" (whatever a refused
 * nested call from a callback left there). */
rewards_status rw_leave(rw_engine *e, rewards_status st);

/* Whether the host gave storage callbacks: without them nothing is ever put. */
int rw_has_storage(const rw_engine *e);

/* Events */
rewards_status rw_queue_event(rw_engine *e, const rw_event *ev);

/* End the open transaction (engine.c): seal, tell storage, commit, deliver
 * the queued events; on a storage failure roll all of it back. */
rewards_status rw_txn_finish(rw_engine *e);

#endif
