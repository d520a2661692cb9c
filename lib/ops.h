/*
 * ops.h - the operation handlers, one per operation kind, and the pieces of
 * the engine they share (records, events, the ledger).
 */
#ifndef RW_OPS_H
#define RW_OPS_H

#include "fields.h"
#include "field_limits.h"
#include "integrity.h"

typedef rewards_status (*rw_handler)(rw_ctx *c);

rewards_status rw_op_currency(rw_ctx *c);
rewards_status rw_op_program(rw_ctx *c);
rewards_status rw_op_level(rw_ctx *c);
rewards_status rw_op_reward(rw_ctx *c);
rewards_status rw_op_partner(rw_ctx *c);
rewards_status rw_op_user(rw_ctx *c);
rewards_status rw_op_user_access(rw_ctx *c);
rewards_status rw_op_fx(rw_ctx *c);
rewards_status rw_op_deal(rw_ctx *c);
rewards_status rw_op_assign(rw_ctx *c);
rewards_status rw_op_stage(rw_ctx *c);
rewards_status rw_op_payment(rw_ctx *c);
rewards_status rw_op_amend(rw_ctx *c);
rewards_status rw_op_set_level(rw_ctx *c);
rewards_status rw_op_evaluate_levels(rw_ctx *c);
rewards_status rw_op_approve(rw_ctx *c);
rewards_status rw_op_release(rw_ctx *c);
rewards_status rw_op_redeem(rw_ctx *c);
rewards_status rw_op_payout(rw_ctx *c);
rewards_status rw_op_adjust(rw_ctx *c);
rewards_status rw_op_activity(rw_ctx *c);

/* activity.c: the activity:TYPE trigger of a reward, and refusing activities where only deals go */
/* Reads field 'trigger' of a reward: a stage trigger, or activity:TYPE (*atype
 * then points into the operation).  An override takes none (is_override). */
rewards_status rw_read_trigger(rw_ctx *c, int is_override, int *trigger, const char **atype);
/* stage, payment and amend know deals only: an activity is not_found there. */
rewards_status rw_get_deal_only(rw_ctx *c, rw_deal **out);

/* override.c: override rewards and the entries that mirror a child's */
/* The rest of a reward operation once its kind is read as override: the
 * fields it refuses and takes, in SCENARIOS.md order, then the record. */
rewards_status rw_op_override_reward(rw_ctx *c, const char *id, const char *name, rw_program *program, rw_level *level,
                                     int recipient);
/* Called for every entry rw_entry_add records: the parent's mirrors, if any. */
rewards_status rw_override_mirror(rw_engine *e, const rw_entry *child, int64_t at);

/* record.c, record_encode.c: records as stored */
/* The storage key of a record (id, entry number or sequence number). */
void rw_record_key(const rw_rec *rec, char *buf, size_t size);
/* Encode a record; *out is allocated with the engine allocator. */
rewards_status rw_record_encode(rw_engine *e, const rw_rec *rec, char **out, size_t *size);
void rw_record_free(rw_engine *e, rw_rec *rec);
size_t rw_record_size(int kind);
/* record_decode.c: the sequence number of a record's data (0, or -1 when not a number), and
 * its fields into r (0, 1 when corrupt or a reference is missing, 2 when out of memory). */
int rw_record_seq(const char *data, size_t size, int64_t *seq);
int rw_record_decode(rw_engine *e, rw_rec *r, const char *data, size_t size);

/* evaluate.c: rewards on deal triggers, and corrections */
rewards_status rw_fire(rw_engine *e, rw_deal *d, rw_trigger trig, int64_t at, int64_t base, int uses_deal_amount);
/* Recompute the groups of the given contributions; cancelled: the deal whose own earnings are reversed. */
rewards_status rw_recompute(rw_engine *e, rw_contrib **changed, size_t n, const rw_deal *cancelled, int64_t at);
/* Convert an amount of a deal currency into the program currency at the FX rate in force at t. */
rewards_status rw_fx_rate_at(rw_engine *e, const char *from, const char *to, int64_t t, int64_t *rate);
/* The metric a contribution adds to its group: 0 when voided. */
rewards_status rw_contrib_metric(rw_engine *e, const rw_contrib *k, int64_t *out);
/* The value of attribute name (len bytes) of a, left missing when absent. */
void rw_attr_value(const rw_attrs *a, const char *name, size_t len, rw_xvalue *out);
/* activity.c: the activity.* names of a condition for activity d. */
void rw_activity_resolve(const rw_deal *d, rw_xname name, const char *attr, size_t len, rw_xvalue *out);
rewards_status rw_fx_convert(rw_engine *e, const rw_program *p, int64_t amount, int exp_from, int64_t rate, int64_t *out);

/* ledger.c */
rewards_status rw_entry_add(rw_engine *e, rw_contrib *k, size_t slot, int64_t amount, rw_entry_type type, int64_t at);
/* Release a held contribution (and its held entries) to a recipient. */
rewards_status rw_release_contrib(rw_engine *e, rw_contrib *k, rw_recipient to, rw_user *user, int64_t at);
/* link.c: add a new (or restored) record to the engine: its kind list, its
 * id index and every derived list that refers to it. */
rewards_status rw_link_record(rw_engine *e, rw_rec *rec);
/* group.c: the group of k (created when new), NULL for a reward without period */
rewards_status rw_group_of(rw_engine *e, rw_contrib *k, rw_group **out);
/* Free every group and the table (an engine reset). */
void rw_groups_free(rw_engine *e);
/* After a restore: each member's running total before it, from the entries. */
void rw_groups_restored(rw_engine *e);
/* The position of member k in its group g. */
size_t rw_group_position(const rw_group *g, const rw_contrib *k);
const rw_vec *rw_fx_pair(const rw_engine *e, const char *from, const char *to);

/* entry_queue.c: the pending and the payable (approved, unpaid money with a
 * recipient) entries.  rw_equeue_note puts an entry in the queue its status
 * calls for (none when neither): call it when an entry is linked and when
 * its status becomes pending or approved. */
int rw_entry_pending(const rw_entry *en);
int rw_entry_payable(const rw_entry *en);
rewards_status rw_equeue_note(rw_engine *e, rw_entry *en);
/* The entry at position i (head <= i < len) of q's main part. */
rw_entry *rw_equeue_at(const rw_equeue *q, size_t i);
/* Move q's head to the first member at or after position head. */
rewards_status rw_equeue_advance(rw_engine *e, rw_equeue *q, size_t head, int (*member)(const rw_entry *));
/* Remove late[i] (the last one takes its place). */
rewards_status rw_equeue_drop_late(rw_engine *e, rw_equeue *q, size_t i);
void rw_equeue_release(rw_engine *e, rw_equeue *q);

/* balance.c: take an entry out of (sign -1) or put it into (+1) its
 * recipient's running balance; call around every change of its status or
 * recipient, and (+1) when it is linked.  rw_balance_get: 0, or -1 when v
 * does not fit in int64. */
rewards_status rw_balance_add(rw_engine *e, const rw_entry *en, int sign);
int rw_balance_get(const rw_i128 v, int64_t *out);

/* precedence.c: exclusive groups.  cand[0..n) are the rewards that passed
 * level, active window and condition for one trigger of one deal, line or
 * activity, in creation order; fire[i] is set to 1 for those that fire. */
void rw_exclusive_choose(rw_reward *const *cand, size_t n, unsigned char *fire);
/* The first reward (creation order) of a program's exclusive group, or NULL. */
const rw_reward *rw_exclusive_first(const rw_program *p, const char *group);

/* lines.c: deal lines (SPEC section 13) */
/* Reads the 'lines' field of a deal into d (lines, nlines, amount, cost, units). */
rewards_status rw_read_deal_lines(rw_ctx *c, rw_deal *d);
/* Reads the 'lines' field of an amendment of d and applies it (journaled);
 * changed[i] is set for each line whose amount, cost or units changed
 * (changed has d->nlines bytes); *totals is set when a deal sum changed. */
rewards_status rw_amend_deal_lines(rw_ctx *c, rw_deal *d, unsigned char *changed, int *totals);
/* The base of a contribution on the current facts: a line's (line >= 0) or
 * the deal's amount, or margin (amount - cost, never below 0). */
int64_t rw_deal_base(const rw_deal *d, int64_t line, int margin);
/* The units of a line (the deal's units for a deal without lines, or line < 0). */
int64_t rw_deal_line_units(const rw_deal *d, int64_t line);
/* The number of lines a deal behaves as having (1 for a deal without lines). */
size_t rw_deal_line_count(const rw_deal *d);

extern const char *const rw_trigger_names[];
extern const char *const rw_stage_names[];
extern const char *const rw_entry_type_names[];
extern const char *const rw_status_names[];
extern const char *const rw_hold_names[];
extern const char *const rw_recipient_names[];

#endif
