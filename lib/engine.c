/*
 * engine.c - the engine's life cycle and the one place where a mutating
 * call becomes a transaction: rewards_engine_apply() checks the event id and
 * the shape, runs the handler inside a journal, tells storage what changed,
 * commits, and only then delivers the queued events.
 */
#include "ops.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int rewards_version(void) { return REWARDS_VERSION_NUMBER; }

const char *rewards_version_string(void)
{
#define RW_STR2(x) #x
#define RW_STR(x) RW_STR2(x)
    return RW_STR(REWARDS_VERSION_MAJOR) "." RW_STR(REWARDS_VERSION_MINOR) "." RW_STR(REWARDS_VERSION_PATCH);
}

const char *rewards_status_name(rewards_status s)
{
    static const char *const names[] = { "ok", "invalid_argument", "not_found", "exists", "invalid_transition",
                                         "no_portal_access", "out_of_order", "no_fx_rate", "insufficient_points",
                                         "conflict", "overflow", "parse_error", "storage", "nomem", "misuse" };
    if ((unsigned)s < sizeof names / sizeof names[0])
        return names[s];
    return "unknown";
}

const char *rewards_record_kind_name(rewards_record_kind k)
{
    static const char *const names[] = { "meta", "currency", "program", "level", "reward", "partner", "user", "fx",
                                         "deal", "level_change", "contribution", "payout", "payout_line", "entry",
                                         "event_id", "activity" };
    if ((unsigned)k < sizeof names / sizeof names[0])
        return names[k];
    return "unknown";
}

int rewards_record_kind_count(void) { return RW_KIND_COUNT; }

const char *rewards_event_type_name(rewards_event_type t)
{
    static const char *const names[] = { "unknown", "entry_earned", "entry_held", "entry_released", "entry_adjusted",
                                         "entry_reversed", "reward_skipped", "level_changed", "payout_created",
                                         "points_redeemed", "manual_recorded", "override_recorded" };
    if ((unsigned)t < sizeof names / sizeof names[0])
        return names[t];
    return "unknown";
}

void rewards_allocator_init(rewards_allocator *a)
{
    if (a) {
        rewards_allocator z = REWARDS_ALLOCATOR_INIT;
        *a = z;
    }
}

void rewards_storage_init(rewards_storage *s)
{
    if (s) {
        rewards_storage z = REWARDS_STORAGE_INIT;
        *s = z;
    }
}

void rewards_events_init(rewards_events *ev)
{
    if (ev) {
        rewards_events z = REWARDS_EVENTS_INIT;
        *ev = z;
    }
}

void rewards_options_init(rewards_options *o)
{
    if (o) {
        rewards_options z = REWARDS_OPTIONS_INIT;
        *o = z;
    }
}

/*
 * Control bytes of a message are escaped (\n, \r, \t, \xNN): a message
 * quotes ids and keys the caller gave, and a host prints it as one line
 * ("line N: CODE: message"), so a raw CR or LF in an id could otherwise
 * forge a line of its own.  An escape is never cut by the size limit.
 */
static void escape_message(char *out, size_t size, const char *in)
{
    static const char hex[] = "0123456789abcdef";
    size_t n = 0;
    for (; *in; in++) {
        unsigned char c = (unsigned char)*in;
        char esc[4];
        size_t len = 0;
        if (c == '\n' || c == '\r' || c == '\t') {
            esc[len++] = '\\';
            esc[len++] = c == '\n' ? 'n' : c == '\r' ? 'r' : 't';
        } else if (c < 0x20 || c == 0x7f) {
            esc[len++] = '\\';
            esc[len++] = 'x';
            esc[len++] = hex[c >> 4];
            esc[len++] = hex[c & 15];
        } else {
            esc[len++] = (char)c;
        }
        if (n + len >= size)
            break;
        memcpy(out + n, esc, len);
        n += len;
    }
    out[n] = '\0';
}

rewards_status rw_fail(rw_engine *e, rewards_status st, const char *fmt, ...)
{
    char raw[sizeof e->errmsg];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(raw, sizeof raw, fmt, ap);
    va_end(ap);
    escape_message(e->errmsg, sizeof e->errmsg, raw);
    return st;
}

rewards_status rw_nomem(rw_engine *e)
{
    return rw_fail(e, REWARDS_NOMEM, "out of memory");
}

rewards_status rewards_engine_new(rewards_engine **out, const rewards_options *options)
{
    if (!out)
        return REWARDS_MISUSE;
    *out = NULL;
    rw_alloc a = rw_alloc_default;
    rewards_storage storage = REWARDS_STORAGE_INIT;
    rewards_events events = REWARDS_EVENTS_INIT;
    int traces_off = 0;
    if (options) {
        /* version 1 (1.0, 1.1) ends before 'traces': that member is never read from it */
        if (options->version != 1 && options->version != REWARDS_OPTIONS_VERSION)
            return REWARDS_INVALID_ARGUMENT;
        if (options->version >= 2) {
            if (options->traces != REWARDS_TRACES_ON && options->traces != REWARDS_TRACES_OFF)
                return REWARDS_INVALID_ARGUMENT;
            traces_off = options->traces == REWARDS_TRACES_OFF;
        }
        if (options->allocator) {
            const rewards_allocator *h = options->allocator;
            if (h->version != REWARDS_ALLOCATOR_VERSION || !h->malloc || !h->realloc || !h->free)
                return REWARDS_INVALID_ARGUMENT;
            a.malloc_fn = h->malloc;
            a.realloc_fn = h->realloc;
            a.free_fn = h->free;
            a.user = h->user;
        }
        if (options->storage) {
            if (options->storage->version != REWARDS_STORAGE_VERSION)
                return REWARDS_INVALID_ARGUMENT;
            storage = *options->storage;
        }
        if (options->events) {
            if (options->events->version != REWARDS_EVENTS_VERSION)
                return REWARDS_INVALID_ARGUMENT;
            events = *options->events;
        }
    }
    rw_engine *e = rw_calloc(&a, 1, sizeof *e);
    if (!e)
        return REWARDS_NOMEM;
    e->alloc = a;
    e->storage = storage;
    e->events = events;
    e->trace.off = traces_off;
    e->next_seq = 1;
    e->trace_slab.raw = 1;   /* traces and pending records are written whole: slab.h */
    e->restore_slab.raw = 1;
    for (int k = 0; k < RW_KIND_COUNT; k++)
        e->records[k].size = rw_record_size(k);
    *out = e;
    return REWARDS_OK;
}

static void free_group_values(rw_engine *e)
{
    rw_groups_free(e);
    rw_equeue_release(e, &e->pending_q);
    rw_equeue_release(e, &e->payable_q);
    rw_index_settle(e, &e->fx_pairs); /* every value in one table, walked once */
    for (size_t i = 0; i < e->fx_pairs.cap; i++) {
        rw_vec *v = e->fx_pairs.slots[i].val;
        if (e->fx_pairs.slots[i].key && v) {
            rw_free(&e->alloc, (void *)e->fx_pairs.slots[i].key);
            rw_vec_release(e, v);
            rw_free(&e->alloc, v);
        }
    }
}

void rw_engine_reset(rw_engine *e)
{
    free_group_values(e);
    for (int k = 0; k < RW_KIND_COUNT; k++) {
        for (size_t i = 0; i < e->records[k].len; i++)
            rw_record_free(e, RW_REC_AT(e, k, rw_rec, i));
        rw_recs_release(e, &e->records[k]);
    }
    rw_index *ixs[] = { &e->currencies, &e->programs, &e->levels, &e->rewards, &e->partners, &e->users, &e->deals,
                        &e->runs, &e->event_ids, &e->redemptions, &e->fx_pairs,
                        &e->adjustments };
    for (size_t i = 0; i < sizeof ixs / sizeof ixs[0]; i++)
        rw_index_release(e, ixs[i]);
    rw_slab_release(e, &e->general);
    rw_slab_release(e, &e->trace_slab);
    memset(&e->small, 0, sizeof e->small);
    e->meta = NULL;
    e->next_seq = 1;
    memset(&e->integ, 0, sizeof e->integ);
}

void rewards_engine_free(rewards_engine *e)
{
    /* Freed from one of its own callbacks, the engine would be pulled from
     * under the call in progress: that misuse is ignored (nothing freed). */
    if (!e || e->in_callback)
        return;
    e->in_callback = 1; /* the allocator's free callbacks may not re-enter */
    if (e->journal.batch) /* an open batch: give back what it unlinked or made */
        rw_journal_rollback(e);
    /* the pending restore list may live in the slab that the reset releases */
    rw_vec_release(e, &e->restore);
    rw_slab_release(e, &e->restore_slab);
    rw_engine_reset(e);
    rw_free(&e->alloc, e->queued.data); /* grown by rw_queue_event, never from the slab */
    rw_journal_free(e);
    rw_alloc a = e->alloc;
    rw_free(&a, e);
}

const char *rewards_engine_errmsg(const rewards_engine *e)
{
    return e ? e->errmsg : "no engine";
}

rewards_status rw_register(rw_engine *e, rw_rec *rec, rw_index *ix, const char *id)
{
    if (ix && rw_index_put(e, ix, id, rec))
        return rw_nomem(e);
    return REWARDS_OK;
}

int rw_engine_currency_exp(const rw_engine *e, const char *code)
{
    int x = rw_currency_exponent(code);
    if (x >= 0)
        return x;
    const rw_currency *c = rw_index_get(&e->currencies, code);
    return c ? c->exp : -1;
}

rewards_status rw_queue_event(rw_engine *e, const rw_event *ev)
{
    /* The queue is scratch space reset by every call: plain growth, no journal. */
    rw_vec *q = &e->queued;
    if (q->len == q->cap) {
        size_t ncap = q->cap ? (size_t)q->cap * 2 : 16;
        /* (compared in 64 bits: never an always-false test where size_t has 32) */
        if ((uint64_t)ncap > UINT32_MAX || ncap > (size_t)-1 / sizeof(rw_event))
            return rw_nomem(e);
        void *p = rw_realloc(&e->alloc, q->data, ncap * sizeof(rw_event));
        if (!p)
            return rw_nomem(e);
        q->data = p;
        q->cap = (uint32_t)ncap;
    }
    RW_VEC_AT(*q, rw_event, q->len++) = *ev;
    return REWARDS_OK;
}

/* ---- dispatch ----------------------------------------------------------- */

typedef struct rw_opdef {
    const char *name;
    rw_handler handler;
    const char *const *keys;
} rw_opdef;

#define KEYS(...) ((const char *const[]){ __VA_ARGS__, NULL })

static const rw_opdef opdefs[] = {
    { "program", rw_op_program, KEYS("id", "name", "currency", "fiscal_year_start_month", "rounding") },
    { "level", rw_op_level, KEYS("id", "program", "name", "rank", "requires") },
    { "reward", rw_op_reward,
      KEYS("id", "level", "program", "name", "trigger", "recipient", "kind", "rep_policy", "clawback_days",
           "auto_approve", "period", "rate", "amount", "tiers", "mode", "metric", "thresholds", "points",
           "points_per_unit", "cap_per_deal", "cap_per_period", "when", "active_from", "active_until", "per", "base",
           "exclusive", "priority", "of") },
    { "partner", rw_op_partner, KEYS("id", "program", "level", "name", "attrs", "parent") },
    { "user", rw_op_user, KEYS("id", "partner", "name", "email", "portal_access", "attrs") },
    { "user_access", rw_op_user_access, KEYS("at", "user", "portal_access") },
    { "fx", rw_op_fx, KEYS("at", "from", "to", "rate") },
    { "deal", rw_op_deal, KEYS("at", "id", "partner", "currency", "amount", "units", "attrs", "user", "lines") },
    { "assign", rw_op_assign, KEYS("at", "deal", "user") },
    { "stage", rw_op_stage, KEYS("at", "deal", "stage", "amount") },
    { "payment", rw_op_payment, KEYS("at", "deal", "amount") },
    { "amend", rw_op_amend, KEYS("at", "deal", "amount", "lines") },
    { "set_level", rw_op_set_level, KEYS("at", "partner", "level") },
    { "evaluate_levels", rw_op_evaluate_levels, KEYS("at", "program", "demote") },
    { "approve", rw_op_approve, KEYS("at", "until", "entries") },
    { "release", rw_op_release, KEYS("at", "deal", "to") },
    { "redeem", rw_op_redeem, KEYS("at", "id", "recipient_type", "recipient", "points") },
    { "payout", rw_op_payout, KEYS("at", "id", "until") },
    { "currency", rw_op_currency, KEYS("code", "exponent") },
    { "adjust", rw_op_adjust, KEYS("at", "id", "partner", "user", "amount", "currency", "deal", "note", "approved") },
    { "activity", rw_op_activity, KEYS("at", "id", "partner", "user", "type", "units", "amount", "currency", "attrs") },
};

/* Nested objects whose keys are part of an operation's shape. */
static const struct {
    const char *field;
    const char *const *keys;
} nested_shapes[] = {
    { "requires", KEYS("revenue", "deals", "window") },
    { "tiers", KEYS("from", "rate") },
    { "thresholds", KEYS("at", "bonus") },
};

static rewards_status check_keys(rw_engine *e, const rw_node *obj, const char *const *keys, const char *prefix,
                                 const char *kind)
{
    for (size_t i = 0; i < obj->nkids; i++) {
        const char *k = obj->kids[i].key;
        /* the first byte settles almost every comparison: no call for those */
        int known = !*prefix && k[0] == 'e' && !strcmp(k, "event");
        for (size_t j = 0; !known && keys[j]; j++)
            known = keys[j][0] == k[0] && !strcmp(k, keys[j]);
        if (!known)
            return rw_fail(e, REWARDS_INVALID_ARGUMENT, "unknown field '%s%s' for operation '%s'", prefix, k, kind);
    }
    return REWARDS_OK;
}

/* The shape: a known operation with known fields, nested ones included (SPEC section 11). */
static rewards_status check_shape(rw_engine *e, const rewards_op *op, const rw_opdef **out)
{
    const rw_opdef *def = NULL;
    for (size_t i = 0; i < sizeof opdefs / sizeof opdefs[0] && !def; i++)
        if (opdefs[i].name[0] == op->kind[0] && !strcmp(opdefs[i].name, op->kind))
            def = &opdefs[i];
    if (!def)
        return rw_fail(e, REWARDS_INVALID_ARGUMENT, "unknown operation '%s'", op->kind);
    RW_TRY(check_keys(e, &op->root, def->keys, "", op->kind));
    for (size_t i = 0; i < sizeof nested_shapes / sizeof nested_shapes[0]; i++) {
        const rw_node *n = rw_node_get(&op->root, nested_shapes[i].field);
        char prefix[64];
        if (n && n->type == RW_V_OBJECT) {
            snprintf(prefix, sizeof prefix, "%s.", nested_shapes[i].field);
            RW_TRY(check_keys(e, n, nested_shapes[i].keys, prefix, op->kind));
        }
        for (size_t k = 0; n && n->type == RW_V_LIST && k < n->nkids; k++) {
            if (n->kids[k].type != RW_V_OBJECT)
                continue; /* a type error, reported at the field's turn */
            snprintf(prefix, sizeof prefix, "%s.%zu.", nested_shapes[i].field, k);
            RW_TRY(check_keys(e, &n->kids[k], nested_shapes[i].keys, prefix, op->kind));
        }
    }
    *out = def;
    return REWARDS_OK;
}

/* Tell storage about every record the transaction created or changed
 * (sealed: encoded, in creation order of the records), and commit. */
int rw_has_storage(const rw_engine *e)
{
    const rewards_storage *s = &e->storage;
    return s->put || s->begin || s->commit;
}

static rewards_status persist(rw_engine *e, const rw_sealed *sealed)
{
    rewards_storage *s = &e->storage;
    if (!rw_has_storage(e))
        return REWARDS_OK;
    if (s->begin && s->begin(s->user))
        return rw_fail(e, REWARDS_STORAGE, "the storage begin callback failed");
    rewards_status st = REWARDS_OK;
    for (size_t i = 0; i < sealed->n && !st; i++) {
        const rw_rec *r = sealed->items[i].rec;
        char key[300];
        rw_record_key(r, key, sizeof key);
        if (s->put && s->put(s->user, (rewards_record_kind)rw_rec_kind(r), key, sealed->items[i].data, sealed->items[i].size))
            st = rw_fail(e, REWARDS_STORAGE, "saving %s '%s' failed", rewards_record_kind_name((rewards_record_kind)rw_rec_kind(r)), key);
    }
    if (!st && s->commit && s->commit(s->user))
        st = rw_fail(e, REWARDS_STORAGE, "the storage commit callback failed");
    if (st && s->rollback)
        s->rollback(s->user);
    return st;
}

static void deliver_events(rw_engine *e)
{
    if (!e->events.on_event)
        return;
    for (size_t i = 0; i < e->queued.len; i++)
        e->events.on_event(e->events.user, (const rewards_event *)&RW_VEC_AT(e->queued, rw_event, i));
}

static rewards_status remember_event(rw_engine *e, const char *id, char *sig)
{
    rw_event_id *ev = rw_new_record(e, RW_KIND_EVENT_ID, sizeof *ev);
    if (!ev || !(ev->id = rw_new_str(e, id, strlen(id))))
        return rw_nomem(e);
    ev->signature = sig;
    return rw_register(e, &ev->h, &e->event_ids, ev->id);
}

static rewards_status advance_clock(rw_engine *e, int64_t at)
{
    if (at == RW_NONE || (e->meta && e->meta->clock == at))
        return REWARDS_OK;
    if (!e->meta) {
        rw_meta *m = rw_new_record(e, RW_KIND_META, sizeof *m);
        if (!m)
            return rw_nomem(e);
        RW_TRY(rw_link_record(e, &m->h));
    } else if (rw_touch(e, &e->meta->h, sizeof *e->meta)) {
        return rw_nomem(e);
    }
    e->meta->clock = at;
    return REWARDS_OK;
}

static rewards_status apply_in_txn(rw_engine *e, const rewards_op *op, const rw_opdef *def, const char *event_id,
                                   char **sig)
{
    rw_ctx c = { e, op, &op->root, "", RW_NONE };
    RW_TRY(def->handler(&c));
    if (event_id) {
        /* the journal owns the signature from here: freed on rollback */
        char *s = rw_new_str(e, *sig, strlen(*sig));
        if (!s)
            return rw_nomem(e);
        RW_TRY(remember_event(e, event_id, s));
    }
    return advance_clock(e, c.at);
}

static rewards_status apply_call(rewards_engine *e, const rewards_op *op)
{
    if (e->restoring)
        return rw_fail(e, REWARDS_MISUSE, "rewards_engine_apply: a restore is in progress (call rewards_engine_restore_finish first)");
    e->errmsg[0] = '\0';
    const rw_node *evn = rw_node_get(&op->root, "event");
    const char *event_id = NULL;
    char *sig = NULL;
    if (evn) {
        if (evn->type != RW_V_STRING || !*evn->str || strlen(evn->str) > 255 || !rw_utf8_valid(evn->str, strlen(evn->str)))
            return rw_fail(e, REWARDS_INVALID_ARGUMENT, "field 'event' must be an id of 1 to 255 bytes");
        event_id = evn->str;
        if (!(sig = rw_op_signature(e, op)))
            return rw_nomem(e);
        const rw_event_id *seen = rw_index_get(&e->event_ids, event_id);
        if (seen) {
            int same = !strcmp(seen->signature, sig);
            rw_free(&e->alloc, sig);
            if (same)
                return REWARDS_OK;
            return rw_fail(e, REWARDS_CONFLICT, "event '%s' was already used for another operation", event_id);
        }
    }
    const rw_opdef *def = NULL;
    rewards_status st = check_shape(e, op, &def);
    if (st) {
        rw_free(&e->alloc, sig);
        return st;
    }
    if (e->journal.batch) {
        /* inside a batch (batch.c): a savepoint, no storage, events kept for the commit */
        size_t nqueued = e->queued.len;
        rw_journal_mark mark;
        rw_journal_mark_take(e, &mark);
        st = apply_in_txn(e, op, def, event_id, &sig);
        rw_free(&e->alloc, sig);
        if (st) {
            rw_journal_rollback_to(e, &mark);
            e->queued.len = nqueued;
            return st;
        }
        e->errmsg[0] = '\0';
        return REWARDS_OK;
    }
    e->queued.len = 0;
    rw_journal_begin(e);
    st = apply_in_txn(e, op, def, event_id, &sig);
    rw_free(&e->alloc, sig);
    if (st) {
        rw_journal_rollback(e);
        e->queued.len = 0;
        return st;
    }
    return rw_txn_finish(e);
}

rewards_status rw_txn_finish(rw_engine *e)
{
    rw_sealed sealed = { NULL, 0 };
    rewards_status st = rw_seal(e, &sealed);
    if (!st)
        st = persist(e, &sealed);
    rw_sealed_free(e, &sealed);
    if (st) {
        rw_journal_rollback(e);
        e->queued.len = 0;
        return st;
    }
    rw_journal_commit(e);
    deliver_events(e);
    e->queued.len = 0;
    e->errmsg[0] = '\0'; /* a callback's refused call leaves no message on a success */
    return REWARDS_OK;
}

rewards_status rewards_engine_apply(rewards_engine *e, const rewards_op *op)
{
    if (!e || !op || op->engine != e)
        return REWARDS_MISUSE;
    RW_TRY(rw_enter(e, "rewards_engine_apply"));
    rewards_status st = apply_call(e, op);
    return rw_leave(e, st);
}
