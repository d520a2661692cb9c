/*
 * field_limits.h - the numeric limits of operation fields, in one place, so that
 * the operations that accept a value and the restore that re-checks a
 * stored one (record_check.c) apply the same rule.  Not "limits.h": with
 * -Ilib (the bindings, a rockspec) that name hid the C library's own.
 */
#ifndef RW_FIELD_LIMITS_H
#define RW_FIELD_LIMITS_H

#include <stdint.h>

#define RW_CLAWBACK_DAYS_MAX INT64_C(36600)   /* reward clawback_days: 0..100 years */
#define RW_WINDOW_DAYS_MAX INT64_C(3660000)   /* level window trailing_days:N: 1..N */
#define RW_CURRENCY_EXP_MAX 9                 /* currency exponent: 0..9 */
#define RW_ID_MAX 255                         /* ids: 1..255 bytes of UTF-8 */

#endif
