/*
 * expr_eval.c - the evaluator of compiled conditions and exact decimal
 * comparison.
 *
 * A compiled condition (expr_compile.c) is a flat stack program.  Running it
 * needs no allocation: the value stack is a fixed array whose bound the
 * compiler has checked, and jumps only go forward, so evaluation ends after
 * at most one step per instruction.  Values of names come from the engine's
 * resolver, one call per name occurrence actually reached, and are
 * sanitised on the way in so that a careless resolver cannot make the
 * evaluator read out of bounds.
 */
#include "expr.h"

#include <string.h>

static const int64_t pow10_tab[RW_XNUM_MAX_SCALE + 1] = {
    1LL, 10LL, 100LL, 1000LL, 10000LL, 100000LL, 1000000LL, 10000000LL, 100000000LL,
    1000000000LL, 10000000000LL, 100000000000LL, 1000000000000LL, 10000000000000LL,
    100000000000000LL, 1000000000000000LL, 10000000000000000LL, 100000000000000000LL,
    1000000000000000000LL,
};

static int32_t clamp_scale(int32_t s)
{
    return s < 0 ? 0 : s > RW_XNUM_MAX_SCALE ? RW_XNUM_MAX_SCALE : s;
}

static int cmp_i64(int64_t x, int64_t y) { return (x > y) - (x < y); }

/*
 * Scales the coefficient with the smaller scale up to the other one and
 * compares.  Rather than a 128-bit product, an overflow check decides: if
 * x * 10^d would leave the int64 range it is beyond every int64 y, which
 * settles the comparison exactly without needing __int128 (absent on
 * 32-bit targets and MSVC).
 */
int rw_xnum_cmp(rw_xnum a, rw_xnum b)
{
    int32_t sa = clamp_scale(a.scale), sb = clamp_scale(b.scale);

    if (sa == sb)
        return cmp_i64(a.coef, b.coef);
    if (sa < sb) {
        int64_t m = pow10_tab[sb - sa];
        if (a.coef > INT64_MAX / m)
            return 1;
        if (a.coef < INT64_MIN / m)
            return -1;
        return cmp_i64(a.coef * m, b.coef);
    }
    int64_t m = pow10_tab[sa - sb];
    if (b.coef > INT64_MAX / m)
        return -1;
    if (b.coef < INT64_MIN / m)
        return 1;
    return cmp_i64(a.coef, b.coef * m);
}

/* Calls the resolver and makes its answer safe to use. */
static void load(const rw_expr *e, const rw_xinstr *in, rw_xresolve resolve, void *ctx,
                 rw_xvalue *v)
{
    *v = (rw_xvalue){ RW_XV_MISSING, 0, { 0, 0 }, NULL, 0 };
    if (!resolve)
        return;
    resolve(ctx, (rw_xname)in->arg, in->b ? e->strings + in->a : NULL, in->b, v);
    switch (v->type) {
    case RW_XV_BOOL:
        v->b = v->b != 0;
        break;
    case RW_XV_NUM:
        if (v->num.scale < 0 || v->num.scale > RW_XNUM_MAX_SCALE)
            v->type = RW_XV_MISSING;
        break;
    case RW_XV_STR:
        if (!v->str) {
            if (v->len)
                v->type = RW_XV_MISSING;
            else
                v->str = "";
        }
        break;
    case RW_XV_MISSING:
        break;
    default:
        v->type = RW_XV_MISSING;
        break;
    }
}

static int is_true(const rw_xvalue *v) { return v->type == RW_XV_BOOL && v->b; }

/* Bytewise, then the shorter first: the order of memcmp on the common
 * prefix, as the spec's "strings compare bytewise" asks. */
static int cmp_str(const rw_xvalue *l, const rw_xvalue *r)
{
    size_t n = l->len < r->len ? l->len : r->len;
    int c = n ? memcmp(l->str, r->str, n) : 0;
    if (c)
        return c < 0 ? -1 : 1;
    return (l->len > r->len) - (l->len < r->len);
}

static int compare(unsigned op, const rw_xvalue *l, const rw_xvalue *r)
{
    int c;

    /* A missing value makes every comparison false, != included. */
    if (l->type == RW_XV_MISSING || r->type == RW_XV_MISSING)
        return 0;
    if (l->type != r->type)
        return op == RW_XCMP_NE;
    switch (l->type) {
    case RW_XV_NUM:
        c = rw_xnum_cmp(l->num, r->num);
        break;
    case RW_XV_STR:
        c = cmp_str(l, r);
        break;
    default:
        /* Booleans have no order: only == and != mean something. */
        if (op == RW_XCMP_EQ)
            return l->b == r->b;
        if (op == RW_XCMP_NE)
            return l->b != r->b;
        return 0;
    }
    switch (op) {
    case RW_XCMP_EQ: return c == 0;
    case RW_XCMP_NE: return c != 0;
    case RW_XCMP_LT: return c < 0;
    case RW_XCMP_LE: return c <= 0;
    case RW_XCMP_GT: return c > 0;
    default: return c >= 0;
    }
}

static int in_list(const rw_expr *e, const rw_xinstr *in, const rw_xvalue *v)
{
    if (v->type == RW_XV_MISSING)
        return 0;
    for (uint32_t k = 0; k < in->b; k++)
        if (compare(RW_XCMP_EQ, v, &e->consts[in->a + k]))
            return 1;
    return 0;
}

/* Stores a boolean into a stack slot; the value is computed first because
 * it is often read from the very slot being overwritten. */
static void set_bool(rw_xvalue *v, int x)
{
    v->type = RW_XV_BOOL;
    v->b = x;
}

int rw_expr_eval(const rw_expr *e, rw_xresolve resolve, void *ctx)
{
    rw_xvalue st[RW_XSTACK];
    uint32_t sp = 0, pc = 0;

    if (!e || !e->ncode)
        return 0;
    /* pc only grows (every jump target is past the jump), so the loop
     * runs at most ncode times. */
    while (pc < e->ncode) {
        const rw_xinstr *in = &e->code[pc++];
        switch ((rw_xop)in->op) {
        case RW_XOP_PUSH:
            st[sp++] = e->consts[in->a];
            break;
        case RW_XOP_LOAD:
            load(e, in, resolve, ctx, &st[sp++]);
            break;
        case RW_XOP_HAS:
            load(e, in, resolve, ctx, &st[sp]);
            set_bool(&st[sp], st[sp].type != RW_XV_MISSING);
            sp++;
            break;
        case RW_XOP_CMP:
            sp--;
            set_bool(&st[sp - 1], compare(in->arg, &st[sp - 1], &st[sp]));
            break;
        case RW_XOP_IN:
            set_bool(&st[sp - 1], in_list(e, in, &st[sp - 1]));
            break;
        case RW_XOP_NOT:
            set_bool(&st[sp - 1], !is_true(&st[sp - 1]));
            break;
        case RW_XOP_AND:
            if (!is_true(&st[sp - 1])) {
                set_bool(&st[sp - 1], 0);
                pc = in->a;
            } else {
                sp--;
            }
            break;
        case RW_XOP_OR:
            if (is_true(&st[sp - 1])) {
                pc = in->a;
            } else {
                sp--;
            }
            break;
        case RW_XOP_TOBOOL:
            set_bool(&st[sp - 1], is_true(&st[sp - 1]));
            break;
        }
    }
    return sp == 1 && is_true(&st[0]);
}
