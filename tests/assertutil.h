/*
 * assertutil.h - cmocka assertions shared by the engine tests: exact string,
 * ledger and payouts comparisons, an operation that must succeed (OK) or be
 * refused with a given status and change nothing (REFUSED), and operations
 * given as arrays of strings.
 */
#ifndef ASSERTUTIL_H
#define ASSERTUTIL_H

#include "rewards.h"
#include "engineutil.h"

#define LEDGER_HEADER \
    "entry,type,reward,deal,partner,recipient_type,recipient,amount,currency,status,reason,period,earned_at,payout\n"
#define PAYOUTS_HEADER "payout,recipient_type,recipient,recipient_name,partner,partner_name,currency,amount,entries\n"

/* got must be non-NULL and equal to want. */
void assert_str(const char *got, const char *want);
void assert_ledger(rewards_engine *e, const char *want);
void assert_payouts(rewards_engine *e, const char *want);

/* st must be REWARDS_OK (the message names the line and the engine's error). */
void check_ok(rewards_engine *e, rewards_status st, int line);
#define assert_ok(e, st) check_ok((e), (st), __LINE__)

/* A refused call: its status, and the engine's fingerprint still before. */
void check_refused(rewards_engine *e, rewards_status want, rewards_status got, const char *before, int line);

/* OK(e, kind, key, value, ...) and REFUSED(e, status, kind, key, value, ...)
 * apply an operation as eu_op does.  Define ASSERTUTIL_NO_OK before the
 * include to keep a file's own OK. */
#ifndef ASSERTUTIL_NO_OK
#define OK(e, ...) check_ok((e), eu_op((e), __VA_ARGS__, NULL), __LINE__)
#endif
#define REFUSED(e, want, ...)                                                     \
    do {                                                                          \
        char *fp_ = eu_fingerprint(e);                                            \
        check_refused((e), (want), eu_op((e), __VA_ARGS__, NULL), fp_, __LINE__); \
        free(fp_);                                                                \
    } while (0)

/* An operation given as an array: kind, key, value, ..., NULL (keys as in
 * eu_op); every field must set. */
rewards_op *build_op(rewards_engine *e, const char *const *s);
/* build_op, then apply; the status of the apply. */
rewards_status apply_spec(rewards_engine *e, const char *const *s);

#endif
