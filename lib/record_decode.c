/*
 * record_decode.c - reading a stored record back into a new record.
 *
 * The inverse of record_encode.c, field by field.  Decoding checks the
 * shape (netstrings, integers, enumerations in range), that every
 * reference names a record already restored (restore.c orders the set so
 * that one always is), and what the engine's own data structures need
 * before a record is linked; the limits an operation puts on each value
 * are record_check.c's, which names the field it refuses.  A 1.0 record
 * lacks the fields appended since, which take their defaults.
 */
#include "ops.h"
#include "integrity.h"
#include "buf.h"

#include <stdio.h>
#include <string.h>

typedef struct rbuf {
    rw_engine *e;
    const char *p, *end;
    int bad;
    int nomem; /* an allocation failed: kept whatever later fields make of bad */
    int v2;    /* the data starts "rw2," (a meta record with integrity fields) */
    const char *start; /* the data's first byte */
} rbuf;

/* The next field into s and n; s is NULL when the field is absent. */
static void r_field(rbuf *b, const char **s, size_t *n)
{
    *s = NULL;
    *n = 0;
    if (b->bad || b->p >= b->end) {
        b->bad = 1;
        return;
    }
    if (*b->p == '-') {
        if (b->end - b->p < 2 || b->p[1] != ',')
            b->bad = 1;
        b->p += 2;
        return;
    }
    size_t len = 0;
    const char *q = b->p;
    while (q < b->end && *q >= '0' && *q <= '9' && len < ((size_t)1 << 40))
        len = len * 10 + (size_t)(*q++ - '0');
    if (q == b->p || q >= b->end || *q != ':' || (size_t)(b->end - q - 1) < len + 1 || q[1 + len] != ',') {
        b->bad = 1;
        return;
    }
    *s = q + 1;
    *n = len;
    b->p = q + 2 + len;
}

/* An integer: an optional '-', then 1 to 19 digits, within int64_t (INT64_MIN too). */
static int64_t r_int(rbuf *b)
{
    /* Most integers are a short field, "<length>:<text>," with a length of
     * one or two digits and a text rw_short_int reads: taken in one pass.
     * Anything else (longer, or not well formed) goes the general way
     * below, which decides. */
    const char *p = b->p;
    if (!b->bad && b->end - p >= 3 && p[0] > '0' && p[0] <= '9') {
        size_t len = (size_t)(p[0] - '0');
        const char *t = p + 2;
        int shape = p[1] == ':';
        if (!shape && p[1] >= '0' && p[1] <= '9' && p[2] == ':') {
            len = len * 10 + (size_t)(p[1] - '0');
            t = p + 3;
            shape = 1;
        }
        int64_t v;
        if (shape && (size_t)(b->end - t) > len && t[len] == ',' && rw_short_int(t, len, &v)) {
            b->p = t + len + 1;
            return v;
        }
    }
    const char *s;
    size_t n;
    r_field(b, &s, &n);
    int neg = s && n && s[0] == '-';
    if (!s || n == 0 || n > 20 || n == (size_t)neg) {
        b->bad = 1;
        return 0;
    }
    /* up to 18 digits cannot overflow; more are checked digit by digit */
    const uint64_t limit = neg ? (uint64_t)INT64_MAX + 1u : (uint64_t)INT64_MAX;
    uint64_t v = 0;
    for (size_t i = (size_t)neg; i < n; i++) {
        unsigned d = (unsigned)(unsigned char)s[i] - '0';
        if (d > 9 || (n - (size_t)neg > 18 && v > (limit - d) / 10)) {
            b->bad = 1;
            return 0;
        }
        v = v * 10 + d;
    }
    return !neg ? (int64_t)v : v == (uint64_t)INT64_MAX + 1u ? INT64_MIN : -(int64_t)v;
}

static uint64_t r_u64(rbuf *b)
{
    const char *s;
    size_t n;
    r_field(b, &s, &n);
    uint64_t v = 0;
    if (!s || n == 0 || n > 20)
        b->bad = 1;
    for (size_t i = 0; !b->bad && i < n; i++) {
        unsigned d = (unsigned)(s[i] - '0');
        if (s[i] < '0' || s[i] > '9' || v > (UINT64_MAX - d) / 10)
            b->bad = 1;
        else
            v = v * 10 + d;
    }
    return v;
}

/* A string copy owned by the record (NULL when absent and allowed). */
static char *r_str(rbuf *b, int required)
{
    const char *s;
    size_t n;
    r_field(b, &s, &n);
    if (!s) {
        if (required)
            b->bad = 1;
        return NULL;
    }
    char *c = rw_strndup(&b->e->alloc, s, n);
    if (!c)
        b->bad = b->nomem = 2;
    return c;
}

/* A record's id that never changes: from the engine's general slab (slab.h). */
static char *r_id(rbuf *b)
{
    const char *s;
    size_t n;
    r_field(b, &s, &n);
    if (!s) {
        b->bad = 1;
        return NULL;
    }
    char *c = rw_slab_str(b->e, s, n);
    if (!c)
        b->bad = b->nomem = 2;
    return c;
}

/* A reference by id into an index (NULL when absent and allowed). */
static void *r_ref(rbuf *b, const rw_index *ix, int required)
{
    const char *s;
    size_t n;
    r_field(b, &s, &n);
    if (!s) {
        if (required)
            b->bad = 1;
        return NULL;
    }
    /* the same reference as the last one through this index: no lookup (restore.c clears the memo) */
    struct rw_ref_memo *m = &b->e->ref_memo[((uintptr_t)ix >> 3) % (sizeof b->e->ref_memo / sizeof b->e->ref_memo[0])];
    if (m->ix == ix && m->len == n && memcmp(m->key, s, n) == 0)
        return m->val;
    void *v = rw_index_getn(ix, s, n);
    if (!v) {
        b->bad = 1;
        return NULL;
    }
    m->ix = ix;
    m->key = s;
    m->len = n;
    m->val = v;
    return v;
}

static void r_code(rbuf *b, char code[4])
{
    const char *s;
    size_t n;
    r_field(b, &s, &n);
    if (!s || n != 3)
        b->bad = 1;
    else
        memcpy(code, s, 3);
    code[3] = '\0';
}

static rw_attrs *r_attrs(rbuf *b)
{
    int64_t n = r_int(b);
    if (n < 0 || b->bad)
        return NULL;
    if (n > 100000) {
        b->bad = 1;
        return NULL;
    }
    /* one block (rw_attrs_new): a first pass over the fields measures the strings */
    rbuf look = *b;
    size_t bytes = 0;
    for (int64_t i = 0; i < n && !look.bad; i++) {
        const char *s;
        size_t len;
        r_field(&look, &s, &len);
        bytes += len + 1;
        (void)r_int(&look);
        r_field(&look, &s, &len);
        bytes += len + 1;
    }
    char *str;
    rw_attrs *a = rw_attrs_new(b->e, (size_t)n, bytes, &str);
    if (!a) {
        b->bad = b->nomem = 2;
        return NULL;
    }
    for (int64_t i = 0; i < n && !b->bad; i++) {
        rw_attr *at = &a->items[i];
        const char *s;
        size_t len;
        r_field(b, &s, &len);
        if (!s)
            b->bad = 1;
        else
            at->name = rw_attrs_str(&str, s, len);
        int64_t type = r_int(b);
        if (type < RW_ATTR_STR || type > RW_ATTR_BOOL)
            b->bad = 1;
        at->type = (rw_attr_type)type;
        r_field(b, &s, &len);
        if (!s)
            b->bad = 1;
        else if (!b->bad)
            at->text = rw_attrs_str(&str, s, len);
        a->n = (size_t)i + 1;
        if (!b->bad && at->type == RW_ATTR_NUM && rw_xnum_parse(at->text, strlen(at->text), &at->num))
            b->bad = 1;
    }
    return a;
}

static int64_t r_enum(rbuf *b, int64_t max)
{
    int64_t v = r_int(b);
    if (v < 0 || v > max)
        b->bad = 1;
    return v;
}

/* Fields appended after 1.0: present in a newer record, absent (defaults) in a 1.0 one. */
static int r_more(const rbuf *b)
{
    return !b->bad && b->p < b->end;
}

static void r_deal_lines(rbuf *b, rw_deal *d)
{
    int64_t n = r_enum(b, 1000);
    if (b->bad || !n)
        return;
    if (!(d->lines = rw_calloc(&b->e->alloc, (size_t)n, sizeof *d->lines))) {
        b->bad = b->nomem = 2;
        return;
    }
    int64_t cost = 0;
    for (int64_t i = 0; i < n && !b->bad; i++) {
        rw_deal_line *l = &d->lines[i];
        d->nlines = (size_t)i + 1;
        l->id = r_str(b, 1); l->product = r_str(b, 1); l->amount = r_int(b); l->cost = r_int(b); l->units = r_int(b);
        l->attrs = r_attrs(b);
        (void)rw_add(cost, l->cost, &cost);
    }
    /* signs, ids, sums (and their overflow) are record_check.c's, which names the field */
    d->cost = cost;
}

static rw_contrib *find_contrib(rw_engine *e, int64_t seq)
{
    /* entries come in creation order and mostly name a contribution just after the last one named */
    size_t n = RW_COUNT(e, RW_KIND_CONTRIB);
    for (size_t i = e->contrib_finger; i < n && i < e->contrib_finger + 4; i++) {
        rw_contrib *k = RW_REC_AT(e, RW_KIND_CONTRIB, rw_contrib, i);
        if ((int64_t)k->h.seq == seq) {
            e->contrib_finger = i;
            return k;
        }
        if ((int64_t)k->h.seq > seq)
            break;
    }
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if ((int64_t)RW_REC_AT(e, RW_KIND_CONTRIB, rw_contrib, mid)->h.seq < seq)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (lo == n)
        return NULL;
    rw_contrib *k = RW_REC_AT(e, RW_KIND_CONTRIB, rw_contrib, lo);
    if ((int64_t)k->h.seq != seq)
        return NULL;
    e->contrib_finger = lo;
    return k;
}

static void decode(rbuf *b, rw_rec *r)
{
    rw_engine *e = b->e;
    switch ((rw_kind)rw_rec_kind(r)) {
    case RW_KIND_META: {
        rw_meta *m = (rw_meta *)r;
        m->clock = r_int(b);
        if (b->v2) { /* a 1.0 host's meta record ("rw1,") ends with the clock */
            m->sealed = 1;
            m->next_seq = r_u64(b);
            m->digest = r_u64(b);
            int64_t nk = r_enum(b, RW_KIND_COUNT); /* more kinds: a newer version's records */
            for (int64_t k = 0; k < nk && !b->bad; k++)
                m->counts[k] = r_u64(b);
            size_t upto = (size_t)(b->p - b->start);
            if (!b->bad && r_u64(b) != rw_record_hash(RW_KIND_META, b->start, upto))
                b->bad = 1; /* the meta record itself was altered */
        }
        break;
    }
    case RW_KIND_CURRENCY: {
        rw_currency *c = (rw_currency *)r;
        r_code(b, c->code);
        c->exp = (int)r_enum(b, 9);
        break;
    }
    case RW_KIND_PROGRAM: {
        rw_program *p = (rw_program *)r;
        p->id = r_str(b, 1); p->name = r_str(b, 1); r_code(b, p->currency);
        p->fy_start = (int)r_enum(b, 12); p->rounding = (rw_rounding)r_enum(b, 1);
        p->exp = rw_engine_currency_exp(e, p->currency);
        if (p->exp < 0 || p->fy_start < 1)
            b->bad = 1;
        break;
    }
    case RW_KIND_LEVEL: {
        rw_level *l = (rw_level *)r;
        l->id = r_str(b, 1); l->program = r_ref(b, &e->programs, 1); l->name = r_str(b, 1); l->rank = r_int(b);
        l->req_revenue = r_int(b); l->req_deals = r_int(b); l->window = (rw_window)r_enum(b, RW_WINDOW_TRAILING);
        l->window_days = r_int(b);
        break;
    }
    case RW_KIND_REWARD: {
        rw_reward *w = (rw_reward *)r;
        w->id = r_str(b, 1); w->name = r_str(b, 1); w->program = r_ref(b, &e->programs, 1);
        w->level = r_ref(b, &e->levels, 0);
        w->trigger = (rw_trigger)r_enum(b, RW_TRIG_ACTIVITY); w->recipient = (rw_recipient)r_enum(b, 1);
        w->kind = (rw_reward_kind)r_enum(b, RW_KIND_OVERRIDE); w->policy = (rw_policy)r_enum(b, RW_POLICY_SKIP);
        w->clawback_days = r_int(b); w->auto_approve = (int)r_enum(b, 1); w->period = (rw_period_kind)r_enum(b, 3);
        w->rate_ppm = r_int(b); w->amount = r_int(b); w->ppu_micro = r_int(b); w->retroactive = (int)r_enum(b, 1);
        int64_t n = r_enum(b, 1000);
        if (!b->bad && n && !(w->tiers = rw_calloc(&e->alloc, (size_t)n, sizeof *w->tiers)))
            b->bad = b->nomem = 2;
        for (int64_t i = 0; i < n && !b->bad; i++) {
            w->tiers[i].from = r_int(b);
            w->tiers[i].ppm = r_int(b);
            w->ntiers = (size_t)i + 1;
        }
        w->metric = (rw_metric)r_enum(b, RW_METRIC_UNITS);
        n = r_enum(b, 1000);
        if (!b->bad && n && !(w->thresholds = rw_calloc(&e->alloc, (size_t)n, sizeof *w->thresholds)))
            b->bad = b->nomem = 2;
        for (int64_t i = 0; i < n && !b->bad; i++) {
            w->thresholds[i].at = r_int(b);
            w->thresholds[i].bonus = r_int(b);
            w->nthresholds = (size_t)i + 1;
        }
        w->cap_deal = r_int(b); w->cap_period = r_int(b); w->when = r_str(b, 0);
        w->active_from = r_int(b); w->active_until = r_int(b);
        if (r_more(b)) {
            w->per_line = (int)r_enum(b, 1); w->margin = (int)r_enum(b, 1); w->exclusive = r_str(b, 0);
            w->priority = r_int(b);
        }
        if (r_more(b)) {
            w->activity_type = r_str(b, 0);
            n = r_enum(b, 1000);
            if (!b->bad && n && !(w->of = rw_calloc(&e->alloc, (size_t)n, sizeof *w->of)))
                b->bad = b->nomem = 2;
            for (int64_t i = 0; i < n && !b->bad; i++) {
                w->of[i] = r_ref(b, &e->rewards, 1);
                w->nof = (size_t)i + 1;
                /* only an override lists rewards; which ones is record_check.c's */
                if (!b->bad && w->kind != RW_KIND_OVERRIDE)
                    b->bad = 1;
            }
        }
        /* an activity trigger has its type; only an override has neither */
        if (!b->bad && (w->trigger == RW_TRIG_ACTIVITY) != (w->activity_type != NULL || w->kind == RW_KIND_OVERRIDE))
            b->bad = 1;
        /* per and base only with a stage trigger, and what an override may have: record_check.c */
        if (!b->bad && w->level && w->level->program != w->program)
            b->bad = 1;
        /* what evaluation relies on (a first tier from 0, ascending) is record_check.c's */
        if (!b->bad && w->when) {
            rewards_status st = rw_expr_compile(&e->alloc, w->when, strlen(w->when), &w->cond, NULL, 0, NULL, NULL);
            if (st)
                b->bad = st == REWARDS_NOMEM ? (b->nomem = 2) : 1;
        }
        break;
    }
    case RW_KIND_PARTNER: {
        rw_partner *p = (rw_partner *)r;
        p->id = r_str(b, 1); p->program = r_ref(b, &e->programs, 1); p->level = r_ref(b, &e->levels, 1);
        p->name = r_str(b, 1); p->attrs = r_attrs(b);
        if (r_more(b))
            p->parent = r_ref(b, &e->partners, 0);
        break;
    }
    case RW_KIND_USER: {
        rw_user *u = (rw_user *)r;
        u->id = r_str(b, 1); u->partner = r_ref(b, &e->partners, 1); u->name = r_str(b, 1); u->email = r_str(b, 0);
        u->portal_access = (int)r_enum(b, 1); u->attrs = r_attrs(b);
        break;
    }
    case RW_KIND_FX: {
        rw_fx *f = (rw_fx *)r;
        r_code(b, f->from); r_code(b, f->to); f->rate = r_int(b); f->at = r_int(b);
        break;
    }
    case RW_KIND_DEAL: {
        rw_deal *d = (rw_deal *)r;
        d->id = r_id(b); d->partner = r_ref(b, &e->partners, 1); d->user = r_ref(b, &e->users, 0);
        r_code(b, d->currency); d->amount = r_int(b); d->units = r_int(b); d->attrs = r_attrs(b);
        d->stage = (rw_stage)r_enum(b, RW_STAGE_CANCELLED); d->registered_at = r_int(b); d->won_at = r_int(b);
        d->closed_at = r_int(b);
        if (r_more(b))
            r_deal_lines(b, d);
        d->exp = rw_engine_currency_exp(e, d->currency);
        if (d->exp < 0)
            b->bad = 1;
        break;
    }
    case RW_KIND_LEVEL_CHANGE: {
        rw_level_change *c = (rw_level_change *)r;
        c->partner = r_ref(b, &e->partners, 1); c->from = r_ref(b, &e->levels, 0); c->to = r_ref(b, &e->levels, 1);
        c->at = r_int(b);
        break;
    }
    case RW_KIND_CONTRIB: {
        rw_contrib *k = (rw_contrib *)r;
        const char *s;
        size_t n;
        k->reward = r_ref(b, &e->rewards, 1); k->deal = r_ref(b, &e->deals, 1); k->trigger = (uint8_t)r_enum(b, RW_TRIG_ACTIVITY);
        /* what follows from the reward and trigger is checked (below), not kept: rw_contrib_nslots and the like */
        int64_t uses_deal_amount, margin = 0, child_to = 0;
        k->at = r_int(b); k->base = r_int(b); uses_deal_amount = r_enum(b, 1);
        int64_t fx_rate = r_int(b);
        k->beneficiary = r_ref(b, &e->users, 0);
        r_field(b, &s, &n); /* the period: checked against what the group will be (below) */
        k->to = (uint8_t)r_enum(b, 1); k->to_user = r_ref(b, &e->users, 0);
        k->hold = (uint8_t)r_enum(b, RW_HOLD_NO_ACCESS); k->voided = (uint8_t)r_enum(b, 1);
        k->line = -1;
        if (r_more(b)) {
            int64_t line = r_int(b);
            /* out of the field's range: -2, which the field check refuses by name */
            k->line = line < -1 || line > INT32_MAX ? -2 : (int32_t)line;
            margin = r_enum(b, 1);
        }
        rw_reward *covered = NULL;
        rw_user *child_user = NULL;
        if (r_more(b)) {
            covered = r_ref(b, &e->rewards, 0); child_to = r_enum(b, 1);
            child_user = r_ref(b, &e->users, 0);
        }
        if (!b->bad && (fx_rate || covered || child_user) &&
            !(k->rare = rw_contrib_rare_new(e, fx_rate, covered, child_user, (int)child_to)))
            b->bad = b->nomem = 2;
        /* the period is derived (the group's, rw_contrib_period); what was stored must be it
         * (a time out of range is left to the field check, which names it) */
        char period[RW_PERIOD_KEY_BUFSIZE];
        if (!b->bad && s &&
            !rw_period_key(k->at, k->deal->partner->program->fy_start, k->reward->period, period, sizeof period) &&
            (n != strlen(period) || memcmp(s, period, n)))
            b->bad = 1;
        /* a mirror belongs to an override and to a child with a parent; nothing else is an override's */
        if (!b->bad && (covered != NULL) != (k->reward->kind == RW_KIND_OVERRIDE))
            b->bad = 1;
        if (!b->bad && covered && (!k->deal->partner->parent || covered->kind == RW_KIND_OVERRIDE))
            b->bad = 1;
        if (!b->bad && !covered && (child_to || child_user))
            b->bad = 1;
        if (!b->bad && (uses_deal_amount != rw_contrib_uses_deal_amount(k) || margin != rw_contrib_margin(k)))
            b->bad = 1;
        if (!b->bad && rw_contrib_nslots(k) > 1 &&
            !(k->net.many = rw_slab_alloc(e, &e->general, rw_contrib_nslots(k) * sizeof *k->net.many)))
            b->bad = b->nomem = 2;
        break;
    }
    case RW_KIND_RUN: {
        rw_run *run = (rw_run *)r;
        run->id = r_str(b, 1); run->at = r_int(b); run->until = r_int(b);
        break;
    }
    case RW_KIND_LINE: {
        rw_line *l = (rw_line *)r;
        l->run = r_ref(b, &e->runs, 1); l->to = (rw_recipient)r_enum(b, 1); l->partner = r_ref(b, &e->partners, 1);
        l->user = r_ref(b, &e->users, 0); r_code(b, l->currency); l->amount = r_int(b); l->count = r_int(b);
        l->exp = rw_engine_currency_exp(e, l->currency);
        if (!b->bad) {
            l->index = l->run->lines.len;
            if (l->exp < 0 || (l->to == RW_TO_SALES_REP && !l->user))
                b->bad = 1;
        }
        break;
    }
    case RW_KIND_ENTRY: {
        rw_entry *en = (rw_entry *)r;
        en->number = (uint64_t)r_int(b); en->type = (uint8_t)r_enum(b, RW_ENTRY_MANUAL);
        int64_t cseq = r_int(b);
        int64_t slot = r_int(b);
        if (slot < 0 || slot > UINT32_MAX) /* (the contribution's slot count is checked below) */
            b->bad = 1;
        en->slot = (uint32_t)slot; en->partner = r_ref(b, &e->partners, 1); en->to = (uint8_t)r_enum(b, 1);
        char currency[4]; /* PTS or the program's: checked below, not kept (rw_entry_currency) */
        en->to_user = r_ref(b, &e->users, 0); en->amount = r_int(b); r_code(b, currency);
        en->status = (uint8_t)r_enum(b, RW_ST_REDEEMED); en->hold = (uint8_t)r_enum(b, RW_HOLD_NO_ACCESS);
        en->earned_at = r_int(b); en->run = r_ref(b, &e->runs, 0);
        /* (a redemption is in points whatever it says: what it says is checked below) */
        rw_entry_extra x = { r_str(b, 0), NULL, NULL, NULL,
                             en->type == RW_ENTRY_REDEMPTION || !strcmp(currency, "PTS"), 0 };
        if (r_more(b)) {
            x.deal = r_ref(b, &e->deals, 0); x.note = r_str(b, 0); x.adjust_id = r_str(b, 0);
        }
        if (x.redemption_id || x.deal || x.note || x.adjust_id) {
            /* (the strings are owned by the record from here, freed with it) */
            if ((en->extra = rw_slab_alloc(e, &e->general, sizeof *en->extra)))
                *en->extra = x;
            else {
                rw_free(&e->alloc, x.redemption_id); rw_free(&e->alloc, x.note); rw_free(&e->alloc, x.adjust_id);
                b->bad = b->nomem = 2;
            }
        }
        const char *ts = NULL; /* since 1.1: the calculation trace, decoded once the contribution is found */
        size_t tn = 0;
        if (r_more(b))
            r_field(b, &ts, &tn);
        /* manual entries, and only they, have an adjustment id and no contribution */
        if (!b->bad && (en->type == RW_ENTRY_MANUAL) != (rw_entry_adjust_id(en) != NULL))
            b->bad = 1;
        if (!b->bad && rw_entry_deal(en) && en->type != RW_ENTRY_MANUAL)
            b->bad = 1;
        /* (whose the deal is, is record_check.c's) */
        if (!b->bad && en->type == RW_ENTRY_MANUAL && cseq)
            b->bad = 1;
        if (!b->bad && rw_entry_adjust_id(en) && rw_index_get(&e->adjustments, rw_entry_adjust_id(en)))
            b->bad = 1;
        /* the entries of a contribution, and only they, name one; the others have their extra */
        int of_contrib = en->type == RW_ENTRY_EARNED || en->type == RW_ENTRY_ADJUSTMENT || en->type == RW_ENTRY_REVERSAL;
        if (!b->bad && (of_contrib != (cseq != 0) || (!of_contrib && !en->extra) ||
                        (en->type == RW_ENTRY_REDEMPTION) != (rw_entry_redemption_id(en) != NULL)))
            b->bad = 1;
        if (!b->bad && cseq && !(en->contrib = find_contrib(e, cseq)))
            b->bad = 1;
        /* PTS or the program currency, as its reward (or for a redemption, points) says;
         * a manual entry's is its own, refused by record_check.c when neither */
        if (!b->bad && en->type == RW_ENTRY_MANUAL)
            en->extra->foreign = (uint8_t)(strcmp(currency, rw_entry_currency(en)) != 0);
        else if (!b->bad && strcmp(currency, rw_entry_currency(en)))
            b->bad = 1;
        if (!b->bad && ts) {
            int tr = rw_trace_decode(e, en, ts, tn);
            if (tr)
                b->bad = 1;
            if (tr == 2)
                b->nomem = 2;
        }
        if (!b->bad && ((en->contrib && en->slot >= rw_contrib_nslots(en->contrib)) ||
                        en->number != RW_COUNT(e, RW_KIND_ENTRY))) /* (it is the last of the list) */
            b->bad = 1;
        break;
    }
    case RW_KIND_EVENT_ID: {
        rw_event_id *ev = (rw_event_id *)r;
        ev->id = r_str(b, 1); ev->signature = r_str(b, 1);
        break;
    }
    case RW_KIND_ACTIVITY: {
        rw_deal *d = (rw_deal *)r;
        d->id = r_id(b); d->partner = r_ref(b, &e->partners, 1); d->user = r_ref(b, &e->users, 0);
        d->activity_type = r_str(b, 1); d->units = r_int(b); d->has_amount = (int)r_enum(b, 1);
        r_code(b, d->currency); d->amount = r_int(b); d->attrs = r_attrs(b); d->registered_at = r_int(b);
        d->stage = RW_STAGE_REGISTERED;
        d->won_at = d->closed_at = RW_NONE;
        d->exp = rw_engine_currency_exp(e, d->currency);
        if (d->exp < 0 || d->units < 0 || d->amount < 0 || (d->user && d->user->partner != d->partner))
            b->bad = 1;
        break;
    }
    case RW_KIND_COUNT:
        b->bad = 1;
        break;
    }
    if (!b->bad && b->p != b->end)
        b->bad = 1;
}

/* The sequence number after "rwN,": 0, or -1 when it is not a number. */
int rw_record_seq(const char *data, size_t size, int64_t *seq)
{
    rbuf b = { NULL, data + 4, data + size, 0, 0, 0, data };
    *seq = r_int(&b);
    return b.bad ? -1 : 0;
}

int rw_record_decode(rw_engine *e, rw_rec *r, const char *data, size_t size)
{
    rbuf b = { e, data, data + size, 0, 0, data[2] == '2', data };
    b.p += 4;
    (void)r_int(&b);
    decode(&b, r);
    return b.nomem ? 2 : b.bad ? 1 : 0;
}

void rw_pending_key(const rw_pending *p, char *buf, size_t size)
{
    static const unsigned char keyed[RW_KIND_COUNT] = {
        [RW_KIND_CURRENCY] = 1, [RW_KIND_PROGRAM] = 1, [RW_KIND_LEVEL] = 1, [RW_KIND_REWARD] = 1,
        [RW_KIND_PARTNER] = 1,  [RW_KIND_USER] = 1,    [RW_KIND_DEAL] = 1,  [RW_KIND_RUN] = 1,
        [RW_KIND_ENTRY] = 1,    [RW_KIND_EVENT_ID] = 1, [RW_KIND_ACTIVITY] = 1,
    };
    rbuf b = { NULL, p->data + 4, p->data + p->size, 0, 0, 0, p->data };
    const char *s;
    size_t n;
    r_field(&b, &s, &n); /* the sequence number */
    r_field(&b, &s, &n); /* the id, for the kinds keyed by one */
    if (p->kind == RW_KIND_META || !keyed[p->kind] || !s) {
        snprintf(buf, size, "%s", p->kind == RW_KIND_META ? "meta" : "");
        if (p->kind != RW_KIND_META)
            snprintf(buf, size, "%llu", (unsigned long long)p->seq);
        return;
    }
    size_t k = 0;
    for (size_t i = 0; i < n && k + 1 < size; i++) /* printable for a message */
        buf[k++] = (unsigned char)s[i] < 0x20 || s[i] == 0x7f ? '?' : s[i];
    buf[k] = '\0';
}
