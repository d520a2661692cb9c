/**
 * @file rewards.h
 * @brief librewards: partner-program rewards as an embeddable C library.
 */
#ifndef REWARDS_H
#define REWARDS_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/** Marks a symbol exported from the shared library. */
#if defined(REWARDS_BUILDING) && defined(__GNUC__)
#define REWARDS_API __attribute__((visibility("default")))
#else
#define REWARDS_API
#endif

/**
 * @brief Result of every fallible call. Values are stable and never renumbered.
 */
typedef enum rewards_status {
    REWARDS_OK = 0,                  /**< success */
    REWARDS_INVALID_ARGUMENT = 1,    /**< a field is missing, malformed or out of range */
    REWARDS_NOT_FOUND = 2,           /**< a referenced id does not exist */
    REWARDS_EXISTS = 3,              /**< an id is already taken */
    REWARDS_INVALID_TRANSITION = 4,  /**< the deal's stage does not allow this */
    REWARDS_NO_PORTAL_ACCESS = 5,    /**< the user lacks partner-portal access */
    REWARDS_OUT_OF_ORDER = 6,        /**< the operation's time is before the last applied one */
    REWARDS_NO_FX_RATE = 7,          /**< no FX rate converts the deal's currency */
    REWARDS_INSUFFICIENT_POINTS = 8, /**< a redemption exceeds the approved points */
    REWARDS_CONFLICT = 9,            /**< an event id was used for another operation */
    REWARDS_OVERFLOW = 10,           /**< a value does not fit in 64 bits */
    REWARDS_PARSE_ERROR = 11,        /**< a condition expression does not compile */
    REWARDS_STORAGE = 12,            /**< a storage callback failed; nothing changed */
    REWARDS_NOMEM = 13,              /**< out of memory; nothing changed */
    REWARDS_MISUSE = 14              /**< API misuse: NULL handle, re-entry from a callback */
} rewards_status;


/**
 * @defgroup version Version
 * @{
 */
/** Major version: changes only when the ABI breaks (and then the soname changes). */
#define REWARDS_VERSION_MAJOR 1
/** Minor version: new API, backward compatible. */
#define REWARDS_VERSION_MINOR 1
/** Patch version: fixes only. */
#define REWARDS_VERSION_PATCH 0
/** The version as one number: major * 10000 + minor * 100 + patch. */
#define REWARDS_VERSION_NUMBER (REWARDS_VERSION_MAJOR * 10000 + REWARDS_VERSION_MINOR * 100 + REWARDS_VERSION_PATCH)
/**
 * @brief The version of the library actually loaded, as REWARDS_VERSION_NUMBER.
 *
 * Compare it with REWARDS_VERSION_NUMBER to check at run time that the
 * shared library is at least the one the host was built against.
 */
REWARDS_API int rewards_version(void);
/** @brief The loaded library's version as text, e.g. "1.0.0". Static storage. */
REWARDS_API const char *rewards_version_string(void);
/** @} */

/**
 * @defgroup errors Errors
 * @{
 */
/**
 * @brief The stable code name of a status: "ok", "invalid_argument",
 * "not_found", ... "nomem", "misuse" (the names scenario output uses).
 * @return static storage; "unknown" for a value this version does not know.
 */
REWARDS_API const char *rewards_status_name(rewards_status status);
/** @} */

/**
 * @defgroup engine The engine
 *
 * An engine holds one or more partner programs, their partners, users,
 * deals, the ledger and the payouts, entirely in memory.  It never reads a
 * clock, a file or the network: every timed operation carries its time.
 * One engine is used by one thread at a time; separate engines are
 * independent.
 * @{
 */

/** @brief The engine: owns every object created in it. */
typedef struct rewards_engine rewards_engine;

/** Version of rewards_allocator this header describes. */
#define REWARDS_ALLOCATOR_VERSION 1
/**
 * @brief A host-supplied allocator for one engine (given at creation).
 *
 * Every allocation the engine makes goes through it.  A NULL return means
 * out of memory: the call in progress fails with REWARDS_NOMEM and changes
 * nothing.  Set @c version to REWARDS_ALLOCATOR_VERSION; members added in
 * later versions are only ever appended.
 */
typedef struct rewards_allocator {
    unsigned version;                                    /**< REWARDS_ALLOCATOR_VERSION */
    void *(*malloc)(void *user, size_t size);            /**< like malloc(3); size > 0 */
    void *(*realloc)(void *user, void *ptr, size_t size);/**< like realloc(3) */
    void (*free)(void *user, void *ptr);                 /**< like free(3); never given NULL */
    void *user;                                          /**< passed to every member */
} rewards_allocator;
/** Static initializer: version set, everything else NULL. */
#define REWARDS_ALLOCATOR_INIT { REWARDS_ALLOCATOR_VERSION, NULL, NULL, NULL, NULL }
/** @brief Initialize @p a as REWARDS_ALLOCATOR_INIT does (for bindings). */
REWARDS_API void rewards_allocator_init(rewards_allocator *a);

/**
 * @brief Kinds of persisted records (values are stable).
 *
 * Every piece of engine state is a record of one of these kinds.  The
 * storage callbacks receive records; a restore gives them back.
 */
typedef enum rewards_record_kind {
    REWARDS_RECORD_META = 0,        /**< the engine's clock, and what the other records add up to */
    REWARDS_RECORD_CURRENCY = 1,    /**< a currency registered by the host */
    REWARDS_RECORD_PROGRAM = 2,     /**< a partner program */
    REWARDS_RECORD_LEVEL = 3,       /**< a level of a program */
    REWARDS_RECORD_REWARD = 4,      /**< a reward definition */
    REWARDS_RECORD_PARTNER = 5,     /**< a partner company */
    REWARDS_RECORD_USER = 6,        /**< a partner contact or sales rep */
    REWARDS_RECORD_FX = 7,          /**< an FX rate */
    REWARDS_RECORD_DEAL = 8,        /**< a deal */
    REWARDS_RECORD_LEVEL_CHANGE = 9,/**< a partner's level change */
    REWARDS_RECORD_CONTRIBUTION = 10,/**< a reward fired for a deal trigger (what corrections recompute) */
    REWARDS_RECORD_PAYOUT = 11,     /**< a payout run */
    REWARDS_RECORD_PAYOUT_LINE = 12,/**< one line of a payout run */
    REWARDS_RECORD_ENTRY = 13,      /**< a ledger entry */
    REWARDS_RECORD_EVENT_ID = 14,   /**< an event id remembered for idempotent delivery */
    REWARDS_RECORD_ACTIVITY = 15    /**< an activity (a trigger that is not a deal stage; since 1.1) */
} rewards_record_kind;

/** @brief The stable name of a record kind ("deal", "entry", ...); "unknown" otherwise. */
REWARDS_API const char *rewards_record_kind_name(rewards_record_kind kind);
/**
 * @brief How many record kinds this library version has: kinds are
 * 0 .. count - 1 (a host creating one table per kind loops over them).
 */
REWARDS_API int rewards_record_kind_count(void);

/** Version of rewards_storage this header describes. */
#define REWARDS_STORAGE_VERSION 1
/**
 * @brief Persistence callbacks: the host saves what the engine tells it.
 *
 * Every successful mutating call is one transaction: @c begin, then one
 * @c put per record created or changed (in creation order of the records,
 * and last the meta record, which every transaction that changes anything
 * puts: it says what the other records add up to), then @c commit.  A call that succeeds without changing anything still
 * runs begin and commit (with no put); a replayed event id (a no-op) and a
 * failed call run no storage callback at all.  A host that keeps data of
 * its own in the same database (say, how far it has read its input) writes
 * it in @c commit, before committing, so that it lands atomically with the
 * engine's records.  A put replaces the record with the same kind and key.
 * @c data is an opaque, versioned byte string (not NUL-terminated) that the
 * host stores as it is and gives back to rewards_engine_restore().
 *
 * Every member returns 0 on success and non-zero on failure.  When begin,
 * a put or commit fails, the engine calls @c rollback (if begin had
 * succeeded), restores its memory to the state before the call, calls no
 * event callback and returns REWARDS_STORAGE; the same call may simply be
 * made again later.  A NULL member is "not implemented" and treated as
 * success.  Callbacks must not call back into the engine: every entry
 * point called from a storage, event, export-writer or allocator callback
 * returns REWARDS_MISUSE and changes nothing.
 */
typedef struct rewards_storage {
    unsigned version; /**< REWARDS_STORAGE_VERSION */
    int (*begin)(void *user); /**< a transaction starts */
    /** Create or replace the record (@p kind, @p key); key is NUL-terminated. */
    int (*put)(void *user, rewards_record_kind kind, const char *key, const void *data, size_t size);
    /** Delete the record (@p kind, @p key).  This version never deletes records. */
    int (*del)(void *user, rewards_record_kind kind, const char *key);
    int (*commit)(void *user);   /**< make the transaction durable */
    int (*rollback)(void *user); /**< undo the transaction (its result is ignored) */
    void *user;                  /**< passed to every member */
} rewards_storage;
/** Static initializer: version set, everything else NULL. */
#define REWARDS_STORAGE_INIT { REWARDS_STORAGE_VERSION, NULL, NULL, NULL, NULL, NULL, NULL }
/** @brief Initialize @p s as REWARDS_STORAGE_INIT does (for bindings). */
REWARDS_API void rewards_storage_init(rewards_storage *s);

/** @brief What an event reports (values are stable). */
typedef enum rewards_event_type {
    REWARDS_EVENT_ENTRY_EARNED = 1,   /**< a new entry was earned (pending or approved) */
    REWARDS_EVENT_ENTRY_HELD = 2,     /**< a new entry was recorded on hold */
    REWARDS_EVENT_ENTRY_RELEASED = 3, /**< a held entry was released */
    REWARDS_EVENT_ENTRY_ADJUSTED = 4, /**< a correction entry of type adjustment */
    REWARDS_EVENT_ENTRY_REVERSED = 5, /**< a correction entry of type reversal */
    REWARDS_EVENT_REWARD_SKIPPED = 6, /**< a sales_rep reward with policy skip recorded nothing */
    REWARDS_EVENT_LEVEL_CHANGED = 7,  /**< a partner moved to another level */
    REWARDS_EVENT_PAYOUT_CREATED = 8, /**< a payout run completed */
    REWARDS_EVENT_POINTS_REDEEMED = 9, /**< points were redeemed */
    REWARDS_EVENT_MANUAL_RECORDED = 10, /**< a manual entry was recorded by the adjust operation (since 1.1) */
    REWARDS_EVENT_OVERRIDE_RECORDED = 11 /**< a parent's override entry mirrored a child's entry (since 1.1) */
} rewards_event_type;

/** @brief The stable name of an event type ("entry_earned", ...); "unknown" otherwise. */
REWARDS_API const char *rewards_event_type_name(rewards_event_type type);

/** @brief An event, valid only during the event callback. */
typedef struct rewards_event rewards_event;

/** Version of rewards_events this header describes. */
#define REWARDS_EVENTS_VERSION 1
/**
 * @brief Event callbacks, called after a successful commit, in the order
 * things happened.  The callback must not call back into the engine
 * (it gets REWARDS_MISUSE) but may use the handles' accessors.
 */
typedef struct rewards_events {
    unsigned version; /**< REWARDS_EVENTS_VERSION */
    void (*on_event)(void *user, const rewards_event *event); /**< may be NULL */
    void *user;       /**< passed to on_event */
} rewards_events;
/** Static initializer: version set, everything else NULL. */
#define REWARDS_EVENTS_INIT { REWARDS_EVENTS_VERSION, NULL, NULL }
/** @brief Initialize @p ev as REWARDS_EVENTS_INIT does (for bindings). */
REWARDS_API void rewards_events_init(rewards_events *ev);

/**
 * Version of rewards_options this header describes: 2 since 1.1 (member
 * @c traces added at the end).  The library still accepts version 1
 * structs (from programs built against 1.0), which have no @c traces
 * member: their engines keep traces.
 */
#define REWARDS_OPTIONS_VERSION 2
/** @brief rewards_options.traces: keep a calculation trace per entry (the default). */
#define REWARDS_TRACES_ON 0
/** @brief rewards_options.traces: keep no traces (entries recorded then explain no history). */
#define REWARDS_TRACES_OFF 1
/** @brief Options of rewards_engine_new(); every pointer member may be NULL. */
typedef struct rewards_options {
    unsigned version;                  /**< REWARDS_OPTIONS_VERSION */
    const rewards_allocator *allocator;/**< NULL: malloc/realloc/free */
    const rewards_storage *storage;    /**< NULL: nothing is persisted */
    const rewards_events *events;      /**< NULL: no events */
    int traces;                        /**< REWARDS_TRACES_ON or REWARDS_TRACES_OFF (version 2, since 1.1) */
} rewards_options;
/** Static initializer. */
#define REWARDS_OPTIONS_INIT { REWARDS_OPTIONS_VERSION, NULL, NULL, NULL, REWARDS_TRACES_ON }
/** @brief Initialize @p o as REWARDS_OPTIONS_INIT does (for bindings). */
REWARDS_API void rewards_options_init(rewards_options *o);

/**
 * @brief Create an engine.
 *
 * The callback tables are copied: the host's structs need not outlive the
 * call (their user pointers must outlive the engine).
 *
 * @param[out] out     the new engine
 * @param      options NULL for defaults
 * @return REWARDS_OK; REWARDS_INVALID_ARGUMENT for an unknown struct
 *         version or an allocator missing a member; REWARDS_NOMEM;
 *         REWARDS_MISUSE when @p out is NULL.
 *
 * @code
 * rewards_engine *engine;
 * if (rewards_engine_new(&engine, NULL) != REWARDS_OK) abort();
 * ...
 * rewards_engine_free(engine);
 * @endcode
 */
REWARDS_API rewards_status rewards_engine_new(rewards_engine **out, const rewards_options *options);
/** @brief Free an engine and everything in it.  Accepts NULL. */
REWARDS_API void rewards_engine_free(rewards_engine *engine);
/**
 * @brief A human message for the engine's last failed call, naming the
 * offending field or id; "" after a success.  Owned by the engine, valid
 * until the next call on it.
 */
REWARDS_API const char *rewards_engine_errmsg(const rewards_engine *engine);
/** @} */

/**
 * @defgroup ops Operations
 *
 * Everything that changes an engine is an operation: a kind and its fields,
 * applied with rewards_engine_apply().  The kinds and fields are those of
 * the scenario format (docs/operations.md, summarised below); fields are checked
 * in the order listed and the first fault is reported.
 *
 * | kind | fields ([optional]) |
 * | --- | --- |
 * | program | id, name, currency, [fiscal_year_start_month], [rounding] |
 * | level | id, program, name, rank, [requires: {[revenue], [deals], window}] |
 * | reward | id, level or program, name, trigger, recipient, kind, [rep_policy], [clawback_days], [auto_approve], [period], kind fields, [cap_per_deal], [cap_per_period], [when], [active_from], [active_until] |
 * | partner | id, program, level, name, [attrs] |
 * | user | id, partner, name, [email], portal_access, [attrs] |
 * | user_access | at, user, portal_access |
 * | fx | at, from, to, rate |
 * | deal | at, id, partner, currency, amount, [units], [attrs], [user] |
 * | assign | at, deal, user |
 * | stage | at, deal, stage, [amount] |
 * | payment | at, deal, amount |
 * | amend | at, deal, amount |
 * | set_level | at, partner, level |
 * | evaluate_levels | at, program, [demote] |
 * | approve | at, until |
 * | release | at, deal, to |
 * | redeem | at, id, recipient_type, recipient, points |
 * | payout | at, id, until |
 * | currency | code, exponent (registers a currency the host needs) |
 *
 * Kind fields of a reward: percent: rate; fixed: amount; tiered: period,
 * tiers (a list of {from, rate}), [mode]; milestone: period, metric,
 * thresholds (a list of {at, bonus}); points: points or points_per_unit.
 *
 * Value types: amounts, rates, points, thresholds, ids, names and times are
 * strings (rewards_op_set_string(); times may also be given with
 * rewards_op_set_time()); units, rank, requires.deals,
 * fiscal_year_start_month, clawback_days and exponent are integers; portal_access,
 * auto_approve and demote are booleans; attrs is an object whose values are
 * strings, numbers (rewards_op_set_number()) or booleans.  Any other type is
 * REWARDS_INVALID_ARGUMENT.  Every operation may carry an @c event string
 * field: an event id already applied with the same operation and arguments
 * makes the call a no-op that succeeds; with another operation,
 * REWARDS_CONFLICT.
 *
 * Fields are addressed by a path: "id", "requires.window", "attrs.region",
 * "tiers.0.from" (a number selects a list element; elements are appended in
 * order: index 0, then 1, ...).
 *
 * @code
 * rewards_op *op;
 * rewards_op_new(engine, &op, "deal");
 * rewards_op_set_string(op, "at", "2026-01-05");
 * rewards_op_set_string(op, "id", "d-100");
 * rewards_op_set_string(op, "partner", "acme");
 * rewards_op_set_string(op, "currency", "USD");
 * rewards_op_set_string(op, "amount", "12000.00");
 * rewards_status st = rewards_engine_apply(engine, op);
 * rewards_op_free(op);
 * @endcode
 * @{
 */

/** @brief An operation being built; owned by the caller (rewards_op_free()). */
typedef struct rewards_op rewards_op;

/**
 * @brief Start an operation of @p kind ("deal", "stage", ...).
 *
 * An unknown kind is accepted here and reported by rewards_engine_apply()
 * (so that a host can forward whatever it received).  The op uses the
 * engine's allocator and must be freed before the engine.
 * @return REWARDS_OK, REWARDS_NOMEM, REWARDS_MISUSE (NULL argument).
 */
REWARDS_API rewards_status rewards_op_new(rewards_engine *engine, rewards_op **out, const char *kind);
/** @brief Free an operation.  Accepts NULL.  While it frees, the engine is
 * busy: its allocator's free callback cannot re-enter it. */
REWARDS_API void rewards_op_free(rewards_op *op);
/**
 * @brief Set a string field (copied).
 * @return REWARDS_OK; REWARDS_INVALID_ARGUMENT for a malformed path, a path
 *         set twice (to any value, null included), a field under one set to
 *         a value, or a list index that skips one (rewards_engine_errmsg()
 *         of the op's engine says which); REWARDS_NOMEM; REWARDS_MISUSE
 *         (NULL op or value, or called from one of the engine's callbacks,
 *         the allocator's included: the op uses the engine's allocator).
 *         A failed call leaves the op as it was.
 */
REWARDS_API rewards_status rewards_op_set_string(rewards_op *op, const char *path, const char *value);
/** @brief Set an integer field.  Same errors as rewards_op_set_string(). */
REWARDS_API rewards_status rewards_op_set_int(rewards_op *op, const char *path, int64_t value);
/** @brief Set a boolean field (0 or 1).  Same errors as rewards_op_set_string(). */
REWARDS_API rewards_status rewards_op_set_bool(rewards_op *op, const char *path, int value);
/** @brief Set a time field, UTC seconds since the epoch.  Same errors as rewards_op_set_string(). */
REWARDS_API rewards_status rewards_op_set_time(rewards_op *op, const char *path, int64_t at);
/**
 * @brief Set a field to a number given as exact decimal text ("12.5"),
 * as a JSON number that is not an integer.  Only attribute values take
 * numbers; anywhere else it is a type error at apply time.
 */
REWARDS_API rewards_status rewards_op_set_number(rewards_op *op, const char *path, const char *decimal);
/**
 * @brief Set a field to a value of a type no field takes (a JSON null, or a
 * value the host could not represent): applying reports it as
 * REWARDS_INVALID_ARGUMENT at that field's turn.  A null is a value: the
 * path cannot be set again, nor have fields below it.
 */
REWARDS_API rewards_status rewards_op_set_null(rewards_op *op, const char *path);
/** @brief Make @p path an empty object (e.g. "attrs" with no attributes). */
REWARDS_API rewards_status rewards_op_set_object(rewards_op *op, const char *path);
/** @brief Make @p path an empty list. */
REWARDS_API rewards_status rewards_op_set_list(rewards_op *op, const char *path);

/**
 * @brief Apply an operation: one transaction.
 *
 * On success the storage callbacks have committed every record the
 * operation created or changed, and then the event callbacks ran.  On any
 * failure nothing changed, no event was delivered, and
 * rewards_engine_errmsg() says why.  Faults are reported in this order:
 * a replayed event id (success), the shape (unknown kind or field:
 * REWARDS_INVALID_ARGUMENT), the time (REWARDS_OUT_OF_ORDER when older than
 * the last applied timed operation), the fields in the order listed, the
 * operation's own rules, then the computation (REWARDS_NO_FX_RATE,
 * REWARDS_OVERFLOW, REWARDS_INSUFFICIENT_POINTS).  REWARDS_STORAGE and
 * REWARDS_NOMEM may come from any operation.  The op is not consumed.
 */
REWARDS_API rewards_status rewards_engine_apply(rewards_engine *engine, const rewards_op *op);

/**
 * @brief Restore one saved record into an engine (at start-up).
 *
 * Give every record the storage callbacks saved, in any order, then call
 * rewards_engine_restore_finish().  Use a new engine; until finish
 * returns the engine must not be used for anything else.  A record refused
 * here makes finish refuse the whole set.
 * @return REWARDS_OK, REWARDS_INVALID_ARGUMENT (unknown kind, a format this
 *         version does not know), REWARDS_NOMEM, REWARDS_MISUSE (from a
 *         callback, inside a batch, or the engine has records already: made
 *         by operations or by an earlier restore; the engine is unchanged).
 */
REWARDS_API rewards_status rewards_engine_restore(rewards_engine *engine, rewards_record_kind kind,
                                                  const void *data, size_t size);
/**
 * @brief Rebuild the engine from the restored records.
 *
 * The set is checked before anything is rebuilt: no record given twice, a
 * meta record present, and the live records' counts per kind, newest
 * sequence number and digest equal to what the meta record says (records
 * of a 1.0 host, whose meta record has no such fields, are checked for
 * structure only).  Then every field of every record is checked against
 * the limits of the operation that made it.  On any failure the engine is
 * left as new (nothing half restored): restore the set again, or free it.
 * @return REWARDS_OK: the engine behaves as if it had never stopped;
 *         REWARDS_INVALID_ARGUMENT: a record is missing, given twice,
 *         extra, altered, corrupt, out of range or refers to one that is
 *         missing, and rewards_engine_errmsg() names the kind and key or
 *         count; REWARDS_NOMEM; REWARDS_MISUSE (from a callback, inside a
 *         batch, or no restore in progress and the engine has records;
 *         the engine is unchanged).  With nothing restored into a new
 *         engine, finish succeeds: an empty store is an empty engine.
 */
REWARDS_API rewards_status rewards_engine_restore_finish(rewards_engine *engine);
/** @} */


/**
 * @defgroup objects Objects and queries
 *
 * Handles are borrowed from the engine: valid until the engine is freed,
 * except that the handle of an object created inside a batch is invalid
 * once the batch is rolled back (or its commit fails): the object is gone.
 * Strings returned are owned by the engine and valid until the object
 * changes or the engine is freed.  Accessors never fail; given NULL they
 * return NULL, 0 or -1.  They may be used inside callbacks.
 * @{
 */
typedef struct rewards_program rewards_program; /**< a partner program */
typedef struct rewards_level rewards_level;     /**< a level of a program */
typedef struct rewards_reward rewards_reward;   /**< a reward definition */
typedef struct rewards_partner rewards_partner; /**< a partner company */
typedef struct rewards_user rewards_user;       /**< a partner contact or sales rep */
typedef struct rewards_deal rewards_deal;       /**< a deal */
typedef struct rewards_entry rewards_entry;     /**< a ledger entry */
typedef struct rewards_payout rewards_payout;   /**< a payout run */
typedef struct rewards_payout_line rewards_payout_line; /**< one recipient's line of a payout run */

/** @brief Find a program by id; NULL when there is none. */
REWARDS_API const rewards_program *rewards_engine_find_program(const rewards_engine *engine, const char *id);
/** @brief Find a level by id; NULL when there is none. */
REWARDS_API const rewards_level *rewards_engine_find_level(const rewards_engine *engine, const char *id);
/** @brief Find a reward by id; NULL when there is none. */
REWARDS_API const rewards_reward *rewards_engine_find_reward(const rewards_engine *engine, const char *id);
/** @brief Find a partner by id; NULL when there is none. */
REWARDS_API const rewards_partner *rewards_engine_find_partner(const rewards_engine *engine, const char *id);
/** @brief Find a user by id; NULL when there is none. */
REWARDS_API const rewards_user *rewards_engine_find_user(const rewards_engine *engine, const char *id);
/**
 * @brief Find a deal by id; NULL when there is none.  An activity (since
 * 1.1) is found too, as a deal handle: ids are unique among both.
 */
REWARDS_API const rewards_deal *rewards_engine_find_deal(const rewards_engine *engine, const char *id);
/** @brief Find a payout run by id; NULL when there is none. */
REWARDS_API const rewards_payout *rewards_engine_find_payout(const rewards_engine *engine, const char *id);

/** @brief The program's id. */
REWARDS_API const char *rewards_program_id(const rewards_program *program);
/** @brief The program's currency code ("USD"). */
REWARDS_API const char *rewards_program_currency(const rewards_program *program);
/** @brief The level's id. */
REWARDS_API const char *rewards_level_id(const rewards_level *level);
/** @brief The level's rank (higher is better). */
REWARDS_API int64_t rewards_level_rank(const rewards_level *level);
/** @brief The reward's id. */
REWARDS_API const char *rewards_reward_id(const rewards_reward *reward);
/** @brief The reward's name. */
REWARDS_API const char *rewards_reward_name(const rewards_reward *reward);
/** @brief The partner's id. */
REWARDS_API const char *rewards_partner_id(const rewards_partner *partner);
/** @brief The partner's name. */
REWARDS_API const char *rewards_partner_name(const rewards_partner *partner);
/** @brief The partner's current level. */
REWARDS_API const rewards_level *rewards_partner_level(const rewards_partner *partner);
/** @brief The user's id. */
REWARDS_API const char *rewards_user_id(const rewards_user *user);
/** @brief The user's name. */
REWARDS_API const char *rewards_user_name(const rewards_user *user);
/** @brief The user's partner. */
REWARDS_API const rewards_partner *rewards_user_partner(const rewards_user *user);
/** @brief 1 when the user has partner-portal access, else 0. */
REWARDS_API int rewards_user_portal_access(const rewards_user *user);
/** @brief The deal's id. */
REWARDS_API const char *rewards_deal_id(const rewards_deal *deal);
/** @brief The deal's partner. */
REWARDS_API const rewards_partner *rewards_deal_partner(const rewards_deal *deal);
/** @brief The user assigned to the deal, or NULL. */
REWARDS_API const rewards_user *rewards_deal_user(const rewards_deal *deal);
/** @brief The deal's current stage: "registered", "approved", "won", "contract_started", "lost" or "cancelled". */
REWARDS_API const char *rewards_deal_stage(const rewards_deal *deal);
/** @brief The deal's current amount in minor units of its currency. */
REWARDS_API int64_t rewards_deal_amount(const rewards_deal *deal);

/** @brief Number of ledger entries in the engine. */
REWARDS_API size_t rewards_engine_entry_count(const rewards_engine *engine);
/** @brief The ledger entry at @p index (0-based, creation order); NULL past the end. */
REWARDS_API const rewards_entry *rewards_engine_entry(const rewards_engine *engine, size_t index);
/** @brief Number of entries of a partner (its own and its reps': the partner's Rewards tab). */
REWARDS_API size_t rewards_partner_entry_count(const rewards_partner *partner);
/** @brief The partner's entry at @p index (creation order); NULL past the end. */
REWARDS_API const rewards_entry *rewards_partner_entry(const rewards_partner *partner, size_t index);
/** @brief Number of entries of a deal. */
REWARDS_API size_t rewards_deal_entry_count(const rewards_deal *deal);
/** @brief The deal's entry at @p index (creation order); NULL past the end. */
REWARDS_API const rewards_entry *rewards_deal_entry(const rewards_deal *deal, size_t index);

/** @brief The entry's number: 1, 2, 3 ... in creation order. */
REWARDS_API uint64_t rewards_entry_number(const rewards_entry *entry);
/** @brief "earned", "adjustment", "reversal", "redemption" or "manual". */
REWARDS_API const char *rewards_entry_type(const rewards_entry *entry);
/** @brief The reward that produced the entry; NULL for a redemption or a manual entry. */
REWARDS_API const rewards_reward *rewards_entry_reward(const rewards_entry *entry);
/**
 * @brief The deal of the entry; NULL for a redemption or a manual entry
 * that names none.  An activity is returned as a deal handle: its id is
 * rewards_deal_id(); its other deal accessors describe no real deal.
 */
REWARDS_API const rewards_deal *rewards_entry_deal(const rewards_entry *entry);
/** @brief The partner the entry belongs to. */
REWARDS_API const rewards_partner *rewards_entry_partner(const rewards_entry *entry);
/** @brief "partner" or "sales_rep". */
REWARDS_API const char *rewards_entry_recipient_type(const rewards_entry *entry);
/** @brief The recipient's id; "" for an entry held with no user. */
REWARDS_API const char *rewards_entry_recipient(const rewards_entry *entry);
/** @brief Signed amount in minor units of rewards_entry_currency(). */
REWARDS_API int64_t rewards_entry_amount(const rewards_entry *entry);
/** @brief The entry's currency: the program's, or "PTS" for points. */
REWARDS_API const char *rewards_entry_currency(const rewards_entry *entry);
/** @brief "pending", "approved", "held", "paid" or "redeemed". */
REWARDS_API const char *rewards_entry_status(const rewards_entry *entry);
/** @brief "no_assigned_rep" or "no_portal_access" while held, else "". */
REWARDS_API const char *rewards_entry_reason(const rewards_entry *entry);
/** @brief The fiscal period key ("FY2026-Q1") for rewards with a period, else "". */
REWARDS_API const char *rewards_entry_period(const rewards_entry *entry);
/** @brief When the entry was earned (UTC seconds). */
REWARDS_API int64_t rewards_entry_earned_at(const rewards_entry *entry);
/** @brief The payout run that paid the entry, or NULL. */
REWARDS_API const rewards_payout *rewards_entry_payout(const rewards_entry *entry);
/**
 * @brief The free-text note of a manual entry (operation adjust), or NULL
 * when the entry is not manual or has no note (since 1.1).
 */
REWARDS_API const char *rewards_entry_note(const rewards_entry *entry);
/**
 * @brief The id of the deal line a per-line reward's entry was earned on
 * (since 1.1).
 *
 * "" for the one line of a deal without lines; NULL for an entry of a
 * per-deal reward, for a redemption, and when @p entry is NULL.
 */
REWARDS_API const char *rewards_entry_line(const rewards_entry *entry);

/** @brief The payout run's id. */
REWARDS_API const char *rewards_payout_id(const rewards_payout *payout);
/** @brief Number of lines of the run. */
REWARDS_API size_t rewards_payout_line_count(const rewards_payout *payout);
/** @brief The run's line at @p index (export order); NULL past the end. */
REWARDS_API const rewards_payout_line *rewards_payout_line_at(const rewards_payout *payout, size_t index);
/** @brief "partner" or "sales_rep". */
REWARDS_API const char *rewards_payout_line_recipient_type(const rewards_payout_line *line);
/** @brief The recipient's id. */
REWARDS_API const char *rewards_payout_line_recipient(const rewards_payout_line *line);
/** @brief The line's amount, in minor units of its currency. */
REWARDS_API int64_t rewards_payout_line_amount(const rewards_payout_line *line);
/** @brief The line's currency. */
REWARDS_API const char *rewards_payout_line_currency(const rewards_payout_line *line);
/** @brief Number of ledger entries the line paid. */
REWARDS_API int64_t rewards_payout_line_entries(const rewards_payout_line *line);

/** Version of rewards_balance this header describes. */
#define REWARDS_BALANCE_VERSION 1
/** @brief A recipient's balances; set @c version before the call. */
typedef struct rewards_balance {
    unsigned version;  /**< REWARDS_BALANCE_VERSION */
    int64_t pending;   /**< money entries pending approval (minor units) */
    int64_t approved;  /**< approved, not yet paid */
    int64_t held;      /**< held, waiting for eligibility */
    int64_t paid;      /**< paid out */
    int64_t points;    /**< redeemable points: approved points less redemptions */
} rewards_balance;
/**
 * @brief Balances of a recipient ("partner" or "sales_rep", and its id).
 * @return REWARDS_OK, REWARDS_NOT_FOUND, REWARDS_INVALID_ARGUMENT (type or
 *         version), REWARDS_OVERFLOW, REWARDS_MISUSE.
 */
REWARDS_API rewards_status rewards_engine_balance(rewards_engine *engine, rewards_balance *out,
                                                  const char *recipient_type, const char *recipient);
/** @} */

/**
 * @defgroup listing Listing and more accessors (1.1)
 *
 * Every collection is listed the same way as the ledger: a count and an
 * accessor by 0-based index, in creation order (rewards_engine_entry_count()
 * and rewards_engine_entry()).  An index past the end, or a NULL handle,
 * gives NULL (and a count of 0).  Indexes are stable while the engine is
 * not changed: a successful operation may append, never reorders.  The
 * handles follow the rules of @ref objects.  See docs/c-api-listing.md.
 * @{
 */
/** @brief Number of programs. */
REWARDS_API size_t rewards_engine_program_count(const rewards_engine *engine);
/** @brief The program at @p index (creation order); NULL past the end. */
REWARDS_API const rewards_program *rewards_engine_program(const rewards_engine *engine, size_t index);
/** @brief Number of levels, of every program. */
REWARDS_API size_t rewards_engine_level_count(const rewards_engine *engine);
/** @brief The level at @p index (creation order); NULL past the end. */
REWARDS_API const rewards_level *rewards_engine_level(const rewards_engine *engine, size_t index);
/** @brief Number of reward definitions, of every program. */
REWARDS_API size_t rewards_engine_reward_count(const rewards_engine *engine);
/** @brief The reward at @p index (creation order); NULL past the end. */
REWARDS_API const rewards_reward *rewards_engine_reward(const rewards_engine *engine, size_t index);
/** @brief Number of partners, of every program. */
REWARDS_API size_t rewards_engine_partner_count(const rewards_engine *engine);
/** @brief The partner at @p index (creation order); NULL past the end. */
REWARDS_API const rewards_partner *rewards_engine_partner(const rewards_engine *engine, size_t index);
/** @brief Number of users, of every partner. */
REWARDS_API size_t rewards_engine_user_count(const rewards_engine *engine);
/** @brief The user at @p index (creation order); NULL past the end. */
REWARDS_API const rewards_user *rewards_engine_user(const rewards_engine *engine, size_t index);
/** @brief Number of deals, of every partner. */
REWARDS_API size_t rewards_engine_deal_count(const rewards_engine *engine);
/** @brief The deal at @p index (registration order); NULL past the end. */
REWARDS_API const rewards_deal *rewards_engine_deal(const rewards_engine *engine, size_t index);
/** @brief Number of payout runs. */
REWARDS_API size_t rewards_engine_payout_count(const rewards_engine *engine);
/** @brief The payout run at @p index (run order); NULL past the end. */
REWARDS_API const rewards_payout *rewards_engine_payout(const rewards_engine *engine, size_t index);
/** @brief Number of deals of a partner. */
REWARDS_API size_t rewards_partner_deal_count(const rewards_partner *partner);
/** @brief The partner's deal at @p index (registration order); NULL past the end. */
REWARDS_API const rewards_deal *rewards_partner_deal(const rewards_partner *partner, size_t index);

/** @brief The program's name. */
REWARDS_API const char *rewards_program_name(const rewards_program *program);
/** @brief The level's name. */
REWARDS_API const char *rewards_level_name(const rewards_level *level);
/** @brief The level's program. */
REWARDS_API const rewards_program *rewards_level_program(const rewards_level *level);
/** @brief The partner's program. */
REWARDS_API const rewards_program *rewards_partner_program(const rewards_partner *partner);
/** @brief The partner's parent in a two-tier program; NULL without one. */
REWARDS_API const rewards_partner *rewards_partner_parent(const rewards_partner *partner);

/** @brief The deal's currency code ("EUR"): its amount's currency. */
REWARDS_API const char *rewards_deal_currency(const rewards_deal *deal);
/** @brief The deal's units (1 when the deal operation gave none). */
REWARDS_API int64_t rewards_deal_units(const rewards_deal *deal);
/** @brief When the deal was registered (UTC seconds). */
REWARDS_API int64_t rewards_deal_registered_at(const rewards_deal *deal);
/** @brief A line of a deal (docs/lines-margin-precedence.md), borrowed like every handle. */
typedef struct rewards_deal_line rewards_deal_line;
/** @brief Number of the deal's lines: 0 for a deal given without lines. */
REWARDS_API size_t rewards_deal_line_count(const rewards_deal *deal);
/** @brief The deal's line at @p index, in the order the lines were given; NULL past the end. */
REWARDS_API const rewards_deal_line *rewards_deal_line_at(const rewards_deal *deal, size_t index);
/** @brief The line's id, unique within its deal. */
REWARDS_API const char *rewards_deal_line_id(const rewards_deal_line *line);
/** @brief The line's product. */
REWARDS_API const char *rewards_deal_line_product(const rewards_deal_line *line);
/** @brief The line's current amount, in minor units of the deal's currency. */
REWARDS_API int64_t rewards_deal_line_amount(const rewards_deal_line *line);
/** @brief The line's cost in minor units of the deal's currency (0 when none was given). */
REWARDS_API int64_t rewards_deal_line_cost(const rewards_deal_line *line);
/** @brief The line's units (0 when none were given). */
REWARDS_API int64_t rewards_deal_line_units(const rewards_deal_line *line);

/** @brief When the payout run was made (its operation's "at", UTC seconds). */
REWARDS_API int64_t rewards_payout_at(const rewards_payout *payout);
/** @brief The run's cut-off: it paid approved entries earned up to this time ("until"). */
REWARDS_API int64_t rewards_payout_until(const rewards_payout *payout);
/**
 * @brief Number of distinct currencies among the run's lines (a run pays
 * each line in its entries' currency, so one run may hold several).
 */
REWARDS_API size_t rewards_payout_currency_count(const rewards_payout *payout);
/** @brief The run's currency at @p index, in order of first appearance among its lines; NULL past the end. */
REWARDS_API const char *rewards_payout_currency(const rewards_payout *payout, size_t index);
/**
 * @brief The run's total in one currency: the sum of its lines in
 * @p currency, in minor units (0 when it has no line in that currency).
 * Totals are per currency because amounts of different currencies are
 * never added.
 * @return REWARDS_OK; REWARDS_OVERFLOW when the sum leaves 64 bits;
 *         REWARDS_MISUSE when an argument is NULL.
 */
REWARDS_API rewards_status rewards_payout_total(const rewards_payout *payout, const char *currency, int64_t *out);
/** @brief The partner the line's recipient belongs to (the partner itself, or the rep's partner). */
REWARDS_API const rewards_partner *rewards_payout_line_partner(const rewards_payout_line *line);
/** @brief The sales rep paid by the line; NULL for a partner line. */
REWARDS_API const rewards_user *rewards_payout_line_user(const rewards_payout_line *line);
/** @brief The run the line belongs to. */
REWARDS_API const rewards_payout *rewards_payout_line_payout(const rewards_payout_line *line);

/** @brief The reward's kind: "percent", "fixed", "tiered", "milestone", "points", "override" (or a later kind's name). */
REWARDS_API const char *rewards_reward_kind(const rewards_reward *reward);
/** @brief The reward's trigger: "deal_won", ... as in the reward operation; "activity" for activity:TYPE (the param "trigger" gives it whole). */
REWARDS_API const char *rewards_reward_trigger(const rewards_reward *reward);
/** @brief The reward's recipient: "partner" or "sales_rep". */
REWARDS_API const char *rewards_reward_recipient(const rewards_reward *reward);
/** @brief The level the reward belongs to; NULL for a program-wide reward. */
REWARDS_API const rewards_level *rewards_reward_level(const rewards_reward *reward);
/** @brief The reward's program (its level's for a level reward). */
REWARDS_API const rewards_program *rewards_reward_program(const rewards_reward *reward);
/**
 * @brief One field of the reward's definition as text, in the reward
 * operation's own vocabulary and format: @p path is the operation's field
 * path ("rate", "amount", "period", "tiers.1.from", "thresholds.0.bonus",
 * "cap_per_deal", "when", "active_from", ...) and the text is what the
 * scenario format writes: "10%", "5000.00", "quarter", a time as
 * "YYYY-MM-DDTHH:MM:SSZ", a boolean as "true" or "false".  A list field
 * ("tiers", "thresholds") gives its number of items ("3").  Rates and
 * points per unit come without trailing zeros ("12.5%"); amounts with the
 * currency's decimals.  Fields with a default (rep_policy, clawback_days,
 * auto_approve, and mode for a tiered reward) give their value in force.
 * New reward fields become new paths; the signature never changes.
 *
 * @param reward the reward
 * @param path   the field path, as in the reward operation
 * @param buf    receives the NUL-terminated text ("" on failure)
 * @param size   size of @p buf
 * @return REWARDS_OK; REWARDS_NOT_FOUND when the reward has no such field
 *         (an absent optional field, a field of another kind, an index past
 *         the end, an unknown path); REWARDS_INVALID_ARGUMENT when @p buf
 *         is too small; REWARDS_MISUSE when an argument is NULL or size is 0.
 */
REWARDS_API rewards_status rewards_reward_param(const rewards_reward *reward, const char *path, char *buf, size_t size);
/**
 * @brief How many field paths rewards_reward_param() knows in this
 * library version (so a binding can list a reward's parameters without a
 * list of its own that would age).
 */
REWARDS_API size_t rewards_reward_param_count(void);
/**
 * @brief The field path at @p index (0 .. count - 1): "rate", "tiers",
 * "tiers.N.from" ...  "N" stands for a list index: ask the list's own path
 * ("tiers") for its number of items, then "tiers.0.from" and so on; a
 * list of plain values ends in ".N" ("of.N": "of.0", "of.1" ...).
 * @return static storage; NULL past the end.
 */
REWARDS_API const char *rewards_reward_param_name(size_t index);
/**
 * @brief The exponent (number of decimals) of a currency the engine knows:
 * an ISO 4217 code, "PTS", or one registered with the currency operation
 * (which rewards_amount_format() does not know).  For a host that stores
 * amounts as exact decimals: an amount of minor units m is m / 10^exponent.
 * @return 0 to 9; -1 for an unknown code, a NULL engine or a NULL code.
 * @since 1.1
 */
REWARDS_API int rewards_engine_currency_exponent(const rewards_engine *engine, const char *code);
/** @} */

/**
 * @defgroup events Events
 *
 * Accessors of the event passed to rewards_events.on_event.  What is not
 * relevant to an event's type is NULL.
 * @{
 */
/** @brief What happened. */
REWARDS_API rewards_event_type rewards_event_get_type(const rewards_event *event);
/** @brief The entry earned, held, released, adjusted, reversed or redeemed. */
REWARDS_API const rewards_entry *rewards_event_entry(const rewards_event *event);
/** @brief The partner concerned. */
REWARDS_API const rewards_partner *rewards_event_partner(const rewards_event *event);
/** @brief The reward concerned (entries and skips). */
REWARDS_API const rewards_reward *rewards_event_reward(const rewards_event *event);
/** @brief The deal concerned (entries and skips). */
REWARDS_API const rewards_deal *rewards_event_deal(const rewards_event *event);
/** @brief The user concerned: the recipient, or the ineligible rep of a skip. */
REWARDS_API const rewards_user *rewards_event_user(const rewards_event *event);
/** @brief REWARDS_EVENT_LEVEL_CHANGED: the level before. */
REWARDS_API const rewards_level *rewards_event_previous_level(const rewards_event *event);
/** @brief REWARDS_EVENT_LEVEL_CHANGED: the new level. */
REWARDS_API const rewards_level *rewards_event_level(const rewards_event *event);
/** @brief REWARDS_EVENT_PAYOUT_CREATED: the run. */
REWARDS_API const rewards_payout *rewards_event_payout(const rewards_event *event);
/** @} */

/**
 * @defgroup export Exports
 *
 * CSV (RFC 4180, lines ending in "\n") written through a callback, so the
 * host chooses the destination.  Id and name cells starting with '=', '+',
 * '-', '@', tab or CR get a leading "'" against formula injection.
 * @{
 */
/** @brief Receives exported bytes; returns 0, or non-zero to stop the export. */
typedef int (*rewards_write_fn)(void *user, const char *data, size_t size);
/**
 * @brief The ledger: header, then one row per entry in creation order:
 * entry,type,reward,deal,partner,recipient_type,recipient,amount,currency,status,reason,period,earned_at,payout
 * @return REWARDS_OK, REWARDS_STORAGE when @p write failed, REWARDS_MISUSE.
 */
REWARDS_API rewards_status rewards_engine_export_ledger(rewards_engine *engine, rewards_write_fn write, void *user);
/**
 * @brief Every payout line: header, then rows in run order, partner
 * recipients before sales reps, then by recipient id:
 * payout,recipient_type,recipient,recipient_name,partner,partner_name,currency,amount,entries
 * @return as rewards_engine_export_ledger().
 */
REWARDS_API rewards_status rewards_engine_export_payouts(rewards_engine *engine, rewards_write_fn write, void *user);
/**
 * @brief Preview a payout run: the lines a run with id @p id and cut-off
 * @p until would create, in the payouts CSV format, changing nothing.
 * @return as rewards_engine_export_ledger(); REWARDS_OVERFLOW.
 */
REWARDS_API rewards_status rewards_engine_preview_payout(rewards_engine *engine, const char *id, int64_t until,
                                                         rewards_write_fn write, void *user);
/** @} */

/**
 * @defgroup helpers Helpers
 * @{
 */
/**
 * @brief Check a reward condition (docs/conditions.md) without an engine, for
 * a rule editor.
 * @param text     the condition, NUL-terminated
 * @param[out] line,column where the first error is (1-based), may be NULL
 * @param[out] msg the message ("line 1, column 12: expected an expression"), may be NULL
 * @param msg_size size of @p msg
 * @return REWARDS_OK, REWARDS_PARSE_ERROR, REWARDS_NOMEM, REWARDS_MISUSE (NULL text).
 */
REWARDS_API rewards_status rewards_condition_check(const char *text, int *line, int *column, char *msg, size_t msg_size);
/**
 * @brief Parse a time "YYYY-MM-DD" or "YYYY-MM-DDTHH:MM:SSZ" (UTC).
 * @return REWARDS_OK or REWARDS_INVALID_ARGUMENT.
 */
REWARDS_API rewards_status rewards_time_parse(const char *text, int64_t *out);
/** @brief Format a time as "YYYY-MM-DDTHH:MM:SSZ" into @p buf (21 bytes or more). */
REWARDS_API rewards_status rewards_time_format(int64_t at, char *buf, size_t size);
/**
 * @brief Parse an amount "1200.50" (or "-35.50") into minor units of an ISO
 * 4217 currency (or PTS) exactly: more decimals than the currency has is an
 * error.  Reads back whatever rewards_amount_format() writes.  (Whether a
 * negative amount is allowed in an operation is that field's rule.)
 * @return REWARDS_OK, REWARDS_INVALID_ARGUMENT, REWARDS_OVERFLOW.
 */
REWARDS_API rewards_status rewards_amount_parse(const char *text, const char *currency, int64_t *out);
/** @brief Format minor units of a currency with its exact decimals ("-35.50"); buf of 32 bytes. */
REWARDS_API rewards_status rewards_amount_format(int64_t amount, const char *currency, char *buf, size_t size);
/** @} */

/**
 * @defgroup batches Batches
 *
 * A batch groups operations into one transaction (docs/batches.md):
 * rewards_engine_begin(), any number of rewards_engine_apply() calls, then
 * rewards_engine_commit() or rewards_engine_rollback().  Inside a batch each
 * operation still succeeds whole or fails alone, changing nothing, and the
 * batch goes on; later operations see earlier ones (an event id applied
 * earlier in the batch counts as seen).  Storage and events hear nothing
 * until the commit: then one begin, one put per record with its final
 * data, one commit, and the batch's events in order.  A rollback (or a
 * storage failure at the commit) leaves the engine exactly as before the
 * batch and tells storage and events nothing: a what-if.  Batches do not
 * nest.  Exports, previews and lookups work inside a batch and see its
 * operations; restoring does not (REWARDS_MISUSE).  Freeing an engine with a
 * batch open rolls the batch back first.
 *
 * @code
 * if (rewards_engine_begin(engine) != REWARDS_OK) abort();
 * for (i = 0; i < n; i++)
 *     if (rewards_engine_apply(engine, ops[i]) != REWARDS_OK)
 *         report(i, rewards_engine_errmsg(engine)); // the batch goes on
 * if (rewards_engine_commit(engine) != REWARDS_OK)
 *     report_storage(rewards_engine_errmsg(engine)); // nothing of the batch remains
 * @endcode
 * @{
 */
/**
 * @brief Open a batch.
 * @return REWARDS_OK; REWARDS_MISUSE when a batch is already open, a
 *         restore is in progress, from a callback, or for a NULL engine.
 * @since 1.1
 */
REWARDS_API rewards_status rewards_engine_begin(rewards_engine *engine);
/**
 * @brief Commit the open batch: seal it, tell storage (begin, one put per
 * changed record, commit), then deliver its events in order.  The batch is
 * closed whatever the outcome.
 * @return REWARDS_OK; REWARDS_STORAGE (a storage callback failed: the whole
 *         batch was rolled back, storage was told rollback); REWARDS_NOMEM
 *         (likewise rolled back); REWARDS_MISUSE when no batch is open, from
 *         a callback, or for a NULL engine.
 * @since 1.1
 */
REWARDS_API rewards_status rewards_engine_commit(rewards_engine *engine);
/**
 * @brief Roll the open batch back: the engine is exactly as before
 * rewards_engine_begin(); storage and events are told nothing.  Handles
 * and statements obtained inside the batch for what it created are
 * invalid from here.
 * @return REWARDS_OK; REWARDS_MISUSE when no batch is open, from a
 *         callback, or for a NULL engine.
 * @since 1.1
 */
REWARDS_API rewards_status rewards_engine_rollback(rewards_engine *engine);
/**
 * @brief Whether a batch is open: 1 or 0 (0 for NULL).  Callable from callbacks.
 * @since 1.1
 */
REWARDS_API int rewards_engine_in_batch(const rewards_engine *engine);
/** @} */

/**
 * @defgroup traces Calculation traces, statements and holds (1.1)
 *
 * Why an entry has its amount (docs/traces.md).  The engine keeps, per
 * entry, what it computed the amount from (unless the engine was created
 * with rewards_options.traces = REWARDS_TRACES_OFF) and stores it with the
 * entry's record, so a restored engine explains an entry exactly as the run
 * that made it.  A trace is a list of items: a dotted key ("trigger.at",
 * "tiers.brackets.0.slice": a numeric segment is an array index), a value
 * as text and its type.  Items of one object or array are consecutive;
 * keys and their meaning are listed in docs/traces.md and only ever added
 * (rewards_trace_version() says which list a trace follows).  Amounts,
 * rates and FX rates are exact decimal text (REWARDS_TRACE_DECIMAL), never
 * floating point.
 *
 * @code
 * rewards_trace *t;
 * if (rewards_engine_trace(engine, &t, 3) == REWARDS_OK) {
 *     printf("entry 3 came from %s\n", rewards_trace_get(t, "cause.kind"));
 *     rewards_trace_write_json(t, write_to_file, f);
 *     rewards_trace_free(t);
 * }
 * @endcode
 * @{
 */
/** Version of the trace items this header describes (the "version" item). */
#define REWARDS_TRACE_VERSION 1
/** @brief A trace: owned by the caller, freed with rewards_trace_free(). */
typedef struct rewards_trace rewards_trace;
/** @brief The type of a trace item's value. */
typedef enum rewards_trace_value_type {
    REWARDS_TRACE_STRING = 0,  /**< text (ids, words, times "YYYY-MM-DDTHH:MM:SSZ") */
    REWARDS_TRACE_INTEGER = 1, /**< a decimal integer (entry numbers, ppm, counts, days) */
    REWARDS_TRACE_DECIMAL = 2, /**< an exact decimal ("1234.50", "1.0850000000") */
    REWARDS_TRACE_BOOL = 3,    /**< "true" or "false" */
    REWARDS_TRACE_NULL = 4     /**< absent (the value is "") */
} rewards_trace_value_type;
/**
 * @brief Build the trace of entry number @p entry (1-based, as in the ledger).
 * @param engine the engine
 * @param[out] out the trace, NULL on failure; free it with rewards_trace_free()
 * @return REWARDS_OK; REWARDS_NOT_FOUND (no such entry: the message names it);
 *         REWARDS_NOMEM; REWARDS_MISUSE (NULL argument, from a callback).
 *         Nothing in the engine changes.
 * @param entry the entry number
 * @since 1.1
 */
REWARDS_API rewards_status rewards_engine_trace(rewards_engine *engine, rewards_trace **out, uint64_t entry);
/** @brief Free a trace.  Accepts NULL. @since 1.1 */
REWARDS_API void rewards_trace_free(rewards_trace *trace);
/** @brief REWARDS_TRACE_VERSION of the library that built it; 0 for NULL. @since 1.1 */
REWARDS_API unsigned rewards_trace_version(const rewards_trace *trace);
/** @brief The number of items; 0 for NULL. @since 1.1 */
REWARDS_API size_t rewards_trace_count(const rewards_trace *trace);
/** @brief The key of item @p i ("reward.kind"); NULL past the end.  Owned by the trace. @since 1.1 */
REWARDS_API const char *rewards_trace_key(const rewards_trace *trace, size_t i);
/** @brief The value of item @p i as text ("" for null); NULL past the end.  Owned by the trace. @since 1.1 */
REWARDS_API const char *rewards_trace_value(const rewards_trace *trace, size_t i);
/** @brief The rewards_trace_value_type of item @p i; -1 past the end. @since 1.1 */
REWARDS_API int rewards_trace_type(const rewards_trace *trace, size_t i);
/** @brief The value of the item with key @p key; NULL when absent or null. @since 1.1 */
REWARDS_API const char *rewards_trace_get(const rewards_trace *trace, const char *key);
/**
 * @brief The trace as one JSON object (no newline): objects and arrays
 * nested by key, integers and booleans bare, decimals and text as strings,
 * null for absent values; the same trace always gives the same bytes.
 * @return REWARDS_OK; REWARDS_STORAGE when @p write failed; REWARDS_MISUSE.
 * @since 1.1
 */
REWARDS_API rewards_status rewards_trace_write_json(const rewards_trace *trace, rewards_write_fn write, void *user);
/**
 * @brief Every entry's trace, one JSON object per line, in entry order
 * (what rewards-cli and sqlite-host write with --traces).
 * @return REWARDS_OK; REWARDS_STORAGE when @p write failed; REWARDS_NOMEM;
 *         REWARDS_MISUSE (NULL argument, from a callback, during a restore).
 * @since 1.1
 */
REWARDS_API rewards_status rewards_engine_export_traces(rewards_engine *engine, rewards_write_fn write, void *user);
/**
 * @brief Statements as CSV (docs/traces.md): for a recipient and the time
 * range [@p from, @p until), per currency: the opening balance, every entry
 * recorded in the range, every entry paid in the range, and the totals
 * earned, adjustments, reversals, manual, redemptions, paid and closing.
 * Header: recipient_type,recipient,currency,row,entry,at,type,deal,reward,status,amount
 * @param engine the engine
 * @param write receives the CSV bytes
 * @param user passed to @p write
 * @param recipient_type "partner" or "sales_rep"; NULL (with @p recipient
 *        NULL) for every recipient that has entries: each partner in
 *        creation order, then its users
 * @param recipient the partner or user id
 * @param from  INT64_MIN for the beginning (opening balance 0)
 * @param until INT64_MAX for no end
 * @return REWARDS_OK; REWARDS_INVALID_ARGUMENT (unknown recipient type,
 *         @p until not after @p from); REWARDS_NOT_FOUND (no such
 *         recipient); REWARDS_OVERFLOW; REWARDS_STORAGE (write failed);
 *         REWARDS_MISUSE.
 * @since 1.1
 */
REWARDS_API rewards_status rewards_engine_export_statements(rewards_engine *engine, const char *recipient_type,
                                                            const char *recipient, int64_t from, int64_t until,
                                                            rewards_write_fn write, void *user);
/** @brief A statement as a structure: owned by the caller, freed with rewards_statement_free(). */
typedef struct rewards_statement rewards_statement;
/**
 * @brief One recipient's statement over [@p from, @p until), as
 * rewards_engine_export_statements() writes it, for reading in C.
 * @param engine the engine
 * @param[out] out the statement, NULL on failure
 * @param recipient_type "partner" or "sales_rep"
 * @param recipient the partner or user id
 * @param from  INT64_MIN for the beginning
 * @param until INT64_MAX for no end
 * @return REWARDS_OK; REWARDS_INVALID_ARGUMENT (@p until not after @p from,
 *         unknown recipient type); REWARDS_NOT_FOUND; REWARDS_OVERFLOW;
 *         REWARDS_NOMEM; REWARDS_MISUSE (a NULL argument, from a callback).
 * @since 1.1
 */
REWARDS_API rewards_status rewards_engine_statement(rewards_engine *engine, rewards_statement **out,
                                                    const char *recipient_type, const char *recipient, int64_t from,
                                                    int64_t until);
/** @brief Free a statement.  Accepts NULL. @since 1.1 */
REWARDS_API void rewards_statement_free(rewards_statement *statement);
/** @brief The currencies of the statement, in order of first use (at least one). @since 1.1 */
REWARDS_API size_t rewards_statement_currency_count(const rewards_statement *statement);
/** @brief Currency @p i ("USD", "PTS"); NULL past the end.  Owned by the statement. @since 1.1 */
REWARDS_API const char *rewards_statement_currency(const rewards_statement *statement, size_t i);
/**
 * @brief A total of one currency in minor units: @p row is "opening",
 * "earned", "adjustments", "reversals", "manual", "redemptions", "paid" or
 * "closing" (closing = opening + earned + adjustments + reversals + manual +
 * redemptions - paid).
 * @return REWARDS_OK; REWARDS_NOT_FOUND (not a currency of the statement);
 *         REWARDS_INVALID_ARGUMENT (unknown row); REWARDS_MISUSE (NULL argument).
 * @since 1.1
 */
REWARDS_API rewards_status rewards_statement_total(const rewards_statement *statement, const char *currency,
                                                   const char *row, int64_t *out);
/** @brief The number of entries recorded in the range (every currency). @since 1.1 */
REWARDS_API size_t rewards_statement_entry_count(const rewards_statement *statement);
/** @brief Entry @p i recorded in the range, in entry order; NULL past the end.  Valid until the engine is freed. @since 1.1 */
REWARDS_API const rewards_entry *rewards_statement_entry(const rewards_statement *statement, size_t i);
/** @brief The number of entries paid by a payout run in the range. @since 1.1 */
REWARDS_API size_t rewards_statement_payout_count(const rewards_statement *statement);
/** @brief Entry @p i paid in the range, in entry order; NULL past the end. @since 1.1 */
REWARDS_API const rewards_entry *rewards_statement_payout_entry(const rewards_statement *statement, size_t i);
/**
 * @brief The holds report as CSV: every held entry in entry order with the
 * reason, since when, partner, deal, user and amount.
 * Header: entry,reason,since,partner,deal,user,reward,amount,currency
 * @return REWARDS_OK; REWARDS_STORAGE (write failed); REWARDS_MISUSE.
 * @since 1.1
 */
REWARDS_API rewards_status rewards_engine_export_holds(rewards_engine *engine, rewards_write_fn write, void *user);
/** @} */

#ifdef __cplusplus
}
#endif
#endif
