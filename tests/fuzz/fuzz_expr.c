/*
 * fuzz_expr.c - libFuzzer target for the condition language.
 *
 * The input up to its first NUL byte is compiled as a condition; the bytes
 * after it (or the text itself when there is no NUL) seed a resolver that
 * gives each name a value of a type and content derived from those bytes,
 * so that comparisons, `in` lists and short-circuits are all reached.
 * Besides the sanitizers, it checks what must always hold: a failed
 * compile leaves *out NULL and a message that starts "line ", evaluation is
 * deterministic, calls the resolver at most once per instruction, every
 * successfully parsed number compares equal to itself, and identities of
 * the language hold: !(T) is the negation of T, (T) == true, true && (T),
 * false || (T) and (T) in [true] agree with T.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "expr.h"

typedef struct {
    const uint8_t *seed;
    size_t seed_len;
    unsigned calls;
} fuzz_ctx;

static uint64_t mix(uint64_t h, const void *p, size_t n)
{
    const unsigned char *s = p;
    for (size_t i = 0; i < n; i++)
        h = (h ^ s[i]) * 0x100000001b3ULL;
    return h;
}

static void resolve(void *vctx, rw_xname name, const char *attr, size_t attr_len, rw_xvalue *out)
{
    fuzz_ctx *c = vctx;
    uint64_t h = 0xcbf29ce484222325ULL;
    unsigned n = (unsigned)name;

    c->calls++;
    if ((attr == NULL) != (attr_len == 0) || (attr && attr[attr_len] != '\0'))
        abort();
    h = mix(h, &n, sizeof n);
    h = mix(h, attr ? attr : "", attr_len);
    h = mix(h, c->seed, c->seed_len < 8 ? c->seed_len : 8);
    switch (h % 5) {
    case 0:
        break; /* missing */
    case 1:
        out->type = RW_XV_BOOL;
        out->b = (int)((h >> 8) & 3); /* not only 0 and 1 */
        break;
    case 2: {
        static const int64_t coefs[] = { 0, 1, -1, 5, 25, 500025, INT64_MAX, INT64_MIN,
                                         999999999999999999LL, -100 };
        out->type = RW_XV_NUM;
        out->num.coef = coefs[(h >> 8) % (sizeof coefs / sizeof coefs[0])];
        out->num.scale = (int32_t)((h >> 16) % 21) - 1; /* includes invalid -1, 19 */
        break;
    }
    default:
        out->type = RW_XV_STR;
        if (c->seed_len) {
            size_t off = (size_t)(h >> 24) % c->seed_len;
            size_t len = (size_t)(h >> 40) % 17;
            if (len > c->seed_len - off)
                len = c->seed_len - off;
            out->str = (const char *)c->seed + off;
            out->len = len;
        } else {
            out->str = NULL;
            out->len = (h >> 8) & 1; /* NULL with a length: must be treated as missing */
        }
        break;
    }
}

/* Compiles pre + text + post and evaluates it; 0 when it does not compile
 * (the wrapping can push it past the length or nesting limit). */
static int eval_wrapped(const char *pre, const char *text, size_t n, const char *post,
                        fuzz_ctx *ctx, int *result)
{
    size_t lp = strlen(pre), lq = strlen(post);
    char *buf = malloc(lp + n + lq);
    rw_expr *e;
    if (!buf)
        return 0;
    memcpy(buf, pre, lp);
    memcpy(buf + lp, text, n);
    memcpy(buf + lp + n, post, lq);
    rewards_status st = rw_expr_compile(&rw_alloc_default, buf, lp + n + lq, &e, NULL, 0, NULL, NULL);
    free(buf);
    if (st != REWARDS_OK)
        return 0;
    *result = rw_expr_eval(e, resolve, ctx);
    rw_expr_free(&rw_alloc_default, e);
    return 1;
}

/* Identities of the language that must hold for every condition T. */
static void check_identities(const char *text, size_t n, fuzz_ctx *ctx, int r)
{
    int w;
    if (eval_wrapped("!(", text, n, ")", ctx, &w) && w != !r)
        abort();
    if (eval_wrapped("(", text, n, ") == true", ctx, &w) && w != r)
        abort();
    /* Not (T) != true: a missing T makes that false, while !(T) is true. */
    if (eval_wrapped("true && (", text, n, ")", ctx, &w) && w != r)
        abort();
    if (eval_wrapped("false || (", text, n, ")", ctx, &w) && w != r)
        abort();
    if (eval_wrapped("(", text, n, ") in [true]", ctx, &w) && w != r)
        abort();
    if (eval_wrapped("false && (", text, n, ")", ctx, &w) && w != 0)
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const uint8_t *nul = memchr(data, 0, size);
    size_t text_len = nul ? (size_t)(nul - data) : size;
    fuzz_ctx ctx = { nul ? nul + 1 : data, nul ? size - text_len - 1 : size, 0 };
    rw_expr *e = (rw_expr *)1;
    char msg[128];
    int line = 0, column = 0;

    /* Copy the text so that reads past text_len are caught by ASan. */
    char *text = malloc(text_len ? text_len : 1);
    if (!text)
        return 0;
    memcpy(text, data, text_len);

    rw_xnum x;
    if (rw_xnum_parse(text, text_len, &x) == 0 && rw_xnum_cmp(x, x) != 0)
        abort();

    rewards_status st = rw_expr_compile(&rw_alloc_default, text, text_len, &e, msg, sizeof msg,
                                        &line, &column);
    if (st == REWARDS_OK) {
        int r1 = rw_expr_eval(e, resolve, &ctx);
        unsigned calls = ctx.calls;
        ctx.calls = 0;
        int r2 = rw_expr_eval(e, resolve, &ctx);
        if (r1 != r2 || calls != ctx.calls || calls > e->ncode || (r1 != 0 && r1 != 1))
            abort();
        (void)rw_expr_eval(e, NULL, NULL);
        rw_expr_free(&rw_alloc_default, e);
        check_identities(text, text_len, &ctx, r1);
    } else {
        if (st != REWARDS_PARSE_ERROR || e != NULL || strncmp(msg, "line ", 5) != 0 ||
            line < 1 || column < 1 || memchr(msg, 0, sizeof msg) == NULL)
            abort();
        /* A tiny message buffer must still be NUL-terminated. */
        char small[4];
        rw_expr_compile(&rw_alloc_default, text, text_len, &e, small, sizeof small, NULL, NULL);
        if (small[3] != '\0' || e != NULL)
            abort();
    }
    free(text);
    return 0;
}
