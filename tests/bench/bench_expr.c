/*
 * bench_expr.c - how long compiling and evaluating typical conditions take.
 *
 * Evaluation runs once per candidate deal and reward rule, so it is the
 * number that matters; compiling happens once per rule definition.  The
 * resolver answers from constants, as an engine answering from an
 * in-memory deal would, so the figures are the evaluator's own cost plus
 * one indirect call per name.  Prints nanoseconds per operation (integer
 * arithmetic only: the library has no floating point, nor does this);
 * it asserts nothing.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "expr.h"

static void resolve(void *ctx, rw_xname name, const char *attr, size_t attr_len, rw_xvalue *out)
{
    (void)ctx;
    switch (name) {
    case RW_XNAME_DEAL_AMOUNT:
        out->type = RW_XV_NUM;
        out->num = (rw_xnum){ 500025, 2 };
        break;
    case RW_XNAME_DEAL_CYCLE_DAYS:
        out->type = RW_XV_NUM;
        out->num = (rw_xnum){ 21, 0 };
        break;
    case RW_XNAME_PARTNER_LEVEL:
        out->type = RW_XV_NUM;
        out->num = (rw_xnum){ 3, 0 };
        break;
    case RW_XNAME_DEAL_CURRENCY:
        out->type = RW_XV_STR;
        out->str = "USD";
        out->len = 3;
        break;
    case RW_XNAME_DEAL_ATTR:
        if (attr_len == 7 && !memcmp(attr, "product", 7)) {
            out->type = RW_XV_STR;
            out->str = "platform";
            out->len = 8;
        } else if (attr_len == 6 && !memcmp(attr, "region", 6)) {
            out->type = RW_XV_STR;
            out->str = "APAC";
            out->len = 4;
        }
        break;
    case RW_XNAME_REP_ATTR:
        out->type = RW_XV_BOOL;
        out->b = 1;
        break;
    default:
        break;
    }
}

static long long now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

/* "12.3": tenths of a nanosecond without floating point. */
static void print_ns(const char *what, long long total, long long n)
{
    long long tenths = total * 10 / n;
    printf("  %-8s %6lld.%lld ns\n", what, tenths / 10, tenths % 10);
}

int main(void)
{
    static const char *const conds[] = {
        "deal.amount >= 2000",
        "deal.cycle_days <= 30 && deal.amount >= 2000",
        "deal.attr.product in [\"suite\", \"platform\"]",
        "deal.attr.region == \"EMEA\" || !has(deal.attr.region)",
        "(partner.level >= 2 && deal.currency in [\"EUR\", \"USD\", \"GBP\"]) || rep.attr.quota_met == true",
    };
    const long long eval_iters = 5000000, compile_iters = 200000;
    volatile int sink = 0;

    for (size_t i = 0; i < sizeof conds / sizeof conds[0]; i++) {
        rw_expr *e = NULL;
        size_t len = strlen(conds[i]);

        long long t0 = now_ns();
        for (long long k = 0; k < compile_iters; k++) {
            if (rw_expr_compile(&rw_alloc_default, conds[i], len, &e, NULL, 0, NULL, NULL) !=
                REWARDS_OK) {
                printf("does not compile: %s\n", conds[i]);
                return 1;
            }
            if (k + 1 < compile_iters)
                rw_expr_free(&rw_alloc_default, e);
        }
        long long t1 = now_ns();
        for (long long k = 0; k < eval_iters; k++)
            sink += rw_expr_eval(e, resolve, NULL);
        long long t2 = now_ns();

        printf("%s  (holds: %d)\n", conds[i], rw_expr_eval(e, resolve, NULL));
        print_ns("compile", t1 - t0, compile_iters);
        print_ns("eval", t2 - t1, eval_iters);
        rw_expr_free(&rw_alloc_default, e);
    }
    (void)sink;
    return 0;
}
