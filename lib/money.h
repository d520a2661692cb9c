/*
 * money.h - exact money: integer minor units, exact decimal text, one rounding.
 *
 * librewards never uses floating point for money (SPEC section 3).  An amount
 * is an int64_t count of the currency's minor units, a rate is an int64_t
 * count of parts per million, and every intermediate product is computed in
 * 128 bits so that a value is exact until the single rounding that turns it
 * into a ledger amount.  Every operation that could leave int64 reports it so
 * the caller can fail with REWARDS_OVERFLOW and change nothing.
 */
#ifndef RW_MONEY_H
#define RW_MONEY_H

#include <stddef.h>
#include <stdint.h>

#ifndef __SIZEOF_INT128__
#error "librewards needs a compiler with __int128 (GCC or Clang on a 64-bit target)"
#endif

/* __extension__ keeps -Wpedantic quiet: __int128 is a GNU extension. */
__extension__ typedef __int128 rw_i128;
__extension__ typedef unsigned __int128 rw_u128;

/* The program's rounding mode.  Values are stored, never renumber them. */
typedef enum {
    RW_ROUND_HALF_EVEN = 0, /* ties go to the even neighbour (banker's rounding) */
    RW_ROUND_HALF_UP = 1    /* ties go away from zero */
} rw_rounding;

/* Largest exponent any helper accepts: 10^18 is the largest power of ten in int64. */
#define RW_MAX_PLACES 18

/* ---- currencies --------------------------------------------------------- */

/*
 * The ISO 4217 minor-unit exponent of a 3-letter code (USD 2, JPY 0, KWD 3,
 * CLF 4), 0 for the points pseudo-currency "PTS", or -1 when the code is not
 * exactly three uppercase ASCII letters, is unknown, or has no minor unit
 * (XXX, XAU, XDR, ...).  code must be NUL-terminated (NULL gives -1).
 */
int rw_currency_exponent(const char *code);

/* Non-zero when code is exactly three uppercase ASCII letters and a NUL. */
int rw_currency_code_valid(const char *code);

/* ---- decimal text ------------------------------------------------------- */

typedef enum {
    RW_DEC_OK = 0,
    RW_DEC_INVALID = 1,  /* not the accepted syntax: caller reports invalid_argument */
    RW_DEC_OVERFLOW = 2, /* well-formed but too large for int64: caller reports overflow */
    RW_DEC_RANGE = 3     /* well-formed but outside the field's range (a rate above 100%): invalid_argument */
} rw_dec_result;

/*
 * Parse the exact decimal in text[0..len) ("1200", "1200.5", "0.0125",
 * "007.50") with at most max_places (0..18) digits after the point, giving
 * value * 10^max_places in *out ("1200.5", 2 -> 120050).  Never rounds.
 *
 * RW_DEC_INVALID: empty, '+', a sign when allow_sign is 0, spaces, exponents,
 * "1.", ".5", more than max_places decimals, any other character, max_places
 * out of range, NULL text or out.
 * RW_DEC_OVERFLOW: the scaled value does not fit in int64 (a negative value
 * may reach INT64_MIN).  Syntax is checked first: text that is both malformed
 * and too large is RW_DEC_INVALID.
 * With allow_sign non-zero a single leading '-' negates the result.
 * *out is written only on RW_DEC_OK.
 */
rw_dec_result rw_decimal_parse(const char *text, size_t len, int max_places,
                               int allow_sign, int64_t *out);

/*
 * Parse a percent rate with up to 4 decimals and a required trailing '%'
 * ("12.5%" -> 125000 ppm, "0.0125%" -> 125, "100%" -> 1000000).  No sign.
 * Results as rw_decimal_parse, and RW_DEC_RANGE for a well-formed rate
 * above 100% (SPEC section 3: rates are 0% to 100% inclusive); *ppm is
 * written only on RW_DEC_OK.  Every rate field goes through here.
 */
rw_dec_result rw_rate_parse(const char *text, size_t len, int64_t *ppm);

/* Whether ppm is a legal rate, 0 to RW_PPM_ONE inclusive (restore checks
 * stored rates with it). */
int rw_rate_valid(int64_t ppm);

/* Parts per million in one whole (100%). */
#define RW_PPM_ONE INT64_C(1000000)

/*
 * Format minor units with exactly exp (0..18) digits after the point:
 * (120050, 2) -> "1200.50", (-3550, 2) -> "-35.50", (1200, 0) -> "1200",
 * (5, 3) -> "0.005"; INT64_MIN works.  Returns the length of the text.
 * Returns -1 (and writes "" when size > 0) when exp is out of range or buf
 * is too small; 32 bytes (RW_AMOUNT_BUFSIZE) always suffice.
 */
#define RW_AMOUNT_BUFSIZE 32
int rw_amount_format(int64_t minor, int exp, char *buf, size_t size);

/* ---- exact arithmetic --------------------------------------------------- */

/*
 * round(num / den) with the given mode.  den must be > 0; num may have any
 * sign.  Returns 0 and writes *out, or -1 (leaving *out alone) when the
 * result does not fit in int64, den <= 0 or mode is unknown.
 */
int rw_div_round(rw_i128 num, rw_i128 den, rw_rounding mode, int64_t *out);

/* floor(num / den) for den > 0 (points are rounded down).  -1 as above. */
int rw_div_floor(rw_i128 num, rw_i128 den, int64_t *out);

/*
 * round(a * b / den) computed exactly: the product of two int64 always fits
 * in 128 bits.  The usual way to apply a rate: rw_mul_div_round(amount, ppm,
 * RW_PPM_ONE, mode, &out).  -1 as rw_div_round.
 */
int rw_mul_div_round(int64_t a, int64_t b, int64_t den, rw_rounding mode, int64_t *out);

/* Overflow-checked int64 arithmetic: 0 on success, -1 (out untouched) on overflow. */
int rw_add(int64_t a, int64_t b, int64_t *out);
int rw_sub(int64_t a, int64_t b, int64_t *out);
int rw_mul(int64_t a, int64_t b, int64_t *out);

/* 10^n for 0 <= n <= 18; 0 (never a power of ten) when n is out of range. */
int64_t rw_pow10(int n);

#endif
