/*
 * expr.h - the condition language of reward rules (SPEC section 8), internal.
 *
 * A condition such as `deal.amount >= 2000 && deal.attr.region == "EMEA"` is
 * compiled once, when the rule is defined, into a compact flat program held
 * in a single allocation; it is then evaluated many times, once per
 * candidate deal, without allocating and in time bounded by the program's
 * length (jumps only go forward).  The engine supplies the values of names
 * through a resolver callback, so this module knows nothing of deals,
 * partners or storage.  Numbers are exact decimals (rw_xnum); there is no
 * floating point anywhere.
 *
 * expr_compile.c holds the lexer, parser and compiler; expr_eval.c holds the
 * evaluator and the decimal helpers.
 */
#ifndef RW_EXPR_H
#define RW_EXPR_H

#include <stddef.h>
#include <stdint.h>

#include "rewards.h"
#include "rw_alloc.h"

/* Limits of the language (SPEC section 8). */
#define RW_EXPR_MAX_LEN 4096   /* bytes of condition text */
#define RW_EXPR_MAX_DEPTH 64   /* nesting of ( ! [ has( */
#define RW_XNUM_MAX_DIGITS 18  /* significant digits of a number */
#define RW_XNUM_MAX_SCALE 18   /* digits after the decimal point */

typedef struct rw_expr rw_expr; /* a compiled condition */

/* An exact decimal: coef / 10^scale, 0 <= scale <= 18. */
typedef struct {
    int64_t coef;
    int32_t scale;
} rw_xnum;

typedef enum { RW_XV_MISSING = 0, RW_XV_BOOL, RW_XV_NUM, RW_XV_STR } rw_xv_type;

/* A value: b for RW_XV_BOOL (0 or non-zero), num for RW_XV_NUM, str/len for
 * RW_XV_STR (not necessarily NUL-terminated; may contain NUL bytes). */
typedef struct {
    rw_xv_type type;
    int b;
    rw_xnum num;
    const char *str;
    size_t len;
} rw_xvalue;

/* The names a condition may use.  The values are stored in compiled
 * programs only in memory, never persisted, but keep them stable anyway. */
typedef enum {
    RW_XNAME_DEAL_AMOUNT,
    RW_XNAME_DEAL_CURRENCY,
    RW_XNAME_DEAL_UNITS,
    RW_XNAME_DEAL_STAGE,
    RW_XNAME_DEAL_CYCLE_DAYS,
    RW_XNAME_DEAL_ATTR,
    RW_XNAME_PARTNER_ID,
    RW_XNAME_PARTNER_LEVEL,
    RW_XNAME_PARTNER_ATTR,
    RW_XNAME_REP_ID,
    RW_XNAME_REP_ATTR,
    /* activity triggers (activity.c); missing on deal triggers */
    RW_XNAME_ACTIVITY_TYPE,
    RW_XNAME_ACTIVITY_UNITS,
    RW_XNAME_ACTIVITY_AMOUNT,
    RW_XNAME_ACTIVITY_ATTR,
    RW_XNAME_LINE_ID,      /* SPEC section 13: missing in a per-deal reward */
    RW_XNAME_LINE_PRODUCT,
    RW_XNAME_LINE_AMOUNT,
    RW_XNAME_LINE_COST,
    RW_XNAME_LINE_MARGIN,  /* signed: amount - cost */
    RW_XNAME_LINE_UNITS,
    RW_XNAME_LINE_ATTR,
    RW_XNAME_DEAL_COST,
    RW_XNAME_DEAL_MARGIN   /* signed: amount - cost */
} rw_xname;

/*
 * Fills *out with the value of a name.  For the *_ATTR names attr/attr_len
 * give NAME (and attr[attr_len] is a NUL, so it may be used as a C string);
 * for the others they are NULL/0.  Must not fail: a value it does not have
 * is RW_XV_MISSING (*out is RW_XV_MISSING on entry, so leaving it untouched
 * also means missing).  Strings it returns must stay valid until
 * rw_expr_eval returns.  A value of an unknown type, a string with a NULL
 * pointer and a non-zero length, or a number with a scale outside 0..18 is
 * treated as missing.
 */
typedef void (*rw_xresolve)(void *ctx, rw_xname name, const char *attr, size_t attr_len,
                            rw_xvalue *out);

/*
 * Compiles text (len bytes, not necessarily NUL-terminated).
 *
 * REWARDS_OK: *out is the program; free it with rw_expr_free.
 * REWARDS_PARSE_ERROR: a syntax error, an unknown name, text longer than
 *   RW_EXPR_MAX_LEN bytes, nesting deeper than RW_EXPR_MAX_DEPTH, or empty
 *   text.  msg (if not NULL) receives, NUL-terminated and truncated to
 *   msg_size, "line L, column C: <what>", e.g. "line 1, column 1: unknown
 *   name 'deal.colour'"; lines and columns are 1-based, columns count bytes.
 *   *line and *column (each may be NULL) receive L and C; on any other
 *   result they are 0 and msg is "".
 * REWARDS_NOMEM: the allocation failed; nothing is leaked.
 * REWARDS_MISUSE: a, out is NULL, or text is NULL with len > 0.
 * On any failure *out is NULL (when out is not NULL).
 */
rewards_status rw_expr_compile(const rw_alloc *a, const char *text, size_t len, rw_expr **out,
                               char *msg, size_t msg_size, int *line, int *column);

/* 1 when the condition holds (the whole expression evaluates to boolean
 * true), else 0.  Never allocates; calls resolve once per name occurrence
 * actually reached (short-circuit skips the rest).  e NULL gives 0; resolve
 * NULL makes every name missing. */
int rw_expr_eval(const rw_expr *e, rw_xresolve resolve, void *ctx);

/* Frees a compiled condition; accepts NULL. */
/* A compiled program is ONE block of the allocator, so rw_expr_free is a
 * plain rw_free: the reward operation relies on that to let the undo
 * journal free a program when its call rolls back (rw_free_on_rollback).
 * Keep it one block, or change ops_reward.c with it. */
void rw_expr_free(const rw_alloc *a, rw_expr *e);

/*
 * Parses a decimal number as the language does: an optional '-', then "0" or
 * a digit 1-9 followed by digits, then optionally '.' and one or more
 * digits ("5", "-0.25", "5000.25").  At most 18 significant digits (leading
 * zeros do not count) and 18 digits after the point; no exponent, no '+',
 * no leading zeros ("007"), no "1." or ".5", no surrounding spaces.
 * Returns 0 and fills *out (out may be NULL to only validate), or -1.
 */
int rw_xnum_parse(const char *s, size_t len, rw_xnum *out);

/* Exact comparison of two decimals: -1, 0 or 1.  A scale outside 0..18 is
 * clamped into that range. */
int rw_xnum_cmp(rw_xnum a, rw_xnum b);

/* ---- shared by expr_compile.c and expr_eval.c only ---- */

/* Opcodes of the flat program: a stack machine over rw_xvalue. */
typedef enum {
    RW_XOP_PUSH,    /* push consts[a] */
    RW_XOP_LOAD,    /* push resolve(name, strings + a, b) */
    RW_XOP_HAS,     /* push bool: resolve(name, strings + a, b) is not missing */
    RW_XOP_CMP,     /* pop r, pop l, push bool: l <cmp> r */
    RW_XOP_IN,      /* pop v, push bool: v equals one of consts[a .. a+b) */
    RW_XOP_NOT,     /* pop v, push bool: v is not boolean true */
    RW_XOP_AND,     /* pop v; if v is not true: push false, jump to a */
    RW_XOP_OR,      /* pop v; if v is true: push true, jump to a */
    RW_XOP_TOBOOL   /* pop v, push bool: v is boolean true */
} rw_xop;

typedef enum { RW_XCMP_EQ, RW_XCMP_NE, RW_XCMP_LT, RW_XCMP_LE, RW_XCMP_GT, RW_XCMP_GE } rw_xcmp;

typedef struct {
    uint8_t op;   /* rw_xop */
    uint8_t arg;  /* rw_xname for LOAD/HAS, rw_xcmp for CMP */
    uint16_t pad;
    uint32_t a;
    uint32_t b;
} rw_xinstr;

/* The evaluator's fixed stack.  At most one pending left operand per
 * enclosing parenthesis plus the two operands of a comparison are ever on
 * it; the compiler verifies the bound for every program. */
#define RW_XSTACK (RW_EXPR_MAX_DEPTH + 4)

/* One allocation: this header, then code[ncode], then consts[nconst], then
 * the string bytes (literals and attribute names, each NUL-terminated). */
struct rw_expr {
    uint32_t ncode;
    uint32_t nconst;
    uint32_t max_stack;
    const rw_xinstr *code;
    const rw_xvalue *consts;
    const char *strings;
};

#endif
