/*
 * money.c - exact money: the ISO 4217 exponent table, exact decimal parsing
 * and formatting, and overflow-checked integer arithmetic with one rounding.
 *
 * Everything here is integer-only (SPEC section 3: floating point is never
 * used for money).  Decimal text is parsed digit by digit into a scaled
 * integer and rejected rather than rounded when it carries more places than
 * allowed; products are taken in 128 bits so that the only inexact step is
 * the explicit rounding in rw_div_round / rw_div_floor.
 */
#include "money.h"

#include <string.h>

/* ---- currencies --------------------------------------------------------- */

/*
 * ISO 4217 List One codes that have a numeric minor unit, as published on
 * 2026-01-01 (XAD, XCG and ZWG current; ANG, BGN, CUC, SLL and ZWL moved to
 * the historic list, so a host still using them registers them itself),
 * plus the points pseudo-currency PTS.  Codes whose minor unit is "N.A."
 * (XAG, XAU, XBA-XBD, XDR, XPD, XPT, XSU, XTS, XUA, XXX) are deliberately
 * absent: an amount in them has no defined minor unit.
 * Sorted by code: rw_currency_exponent binary-searches it.
 */
static const struct currency {
    char code[4];
    signed char exp;
} currencies[] = {
    {"AED", 2}, {"AFN", 2}, {"ALL", 2}, {"AMD", 2}, {"AOA", 2}, {"ARS", 2},
    {"AUD", 2}, {"AWG", 2}, {"AZN", 2}, {"BAM", 2}, {"BBD", 2}, {"BDT", 2},
    {"BHD", 3}, {"BIF", 0}, {"BMD", 2}, {"BND", 2}, {"BOB", 2}, {"BOV", 2},
    {"BRL", 2}, {"BSD", 2}, {"BTN", 2}, {"BWP", 2}, {"BYN", 2}, {"BZD", 2},
    {"CAD", 2}, {"CDF", 2}, {"CHE", 2}, {"CHF", 2}, {"CHW", 2}, {"CLF", 4},
    {"CLP", 0}, {"CNY", 2}, {"COP", 2}, {"COU", 2}, {"CRC", 2}, {"CUP", 2},
    {"CVE", 2}, {"CZK", 2}, {"DJF", 0}, {"DKK", 2}, {"DOP", 2}, {"DZD", 2},
    {"EGP", 2}, {"ERN", 2}, {"ETB", 2}, {"EUR", 2}, {"FJD", 2}, {"FKP", 2},
    {"GBP", 2}, {"GEL", 2}, {"GHS", 2}, {"GIP", 2}, {"GMD", 2}, {"GNF", 0},
    {"GTQ", 2}, {"GYD", 2}, {"HKD", 2}, {"HNL", 2}, {"HTG", 2}, {"HUF", 2},
    {"IDR", 2}, {"ILS", 2}, {"INR", 2}, {"IQD", 3}, {"IRR", 2}, {"ISK", 0},
    {"JMD", 2}, {"JOD", 3}, {"JPY", 0}, {"KES", 2}, {"KGS", 2}, {"KHR", 2},
    {"KMF", 0}, {"KPW", 2}, {"KRW", 0}, {"KWD", 3}, {"KYD", 2}, {"KZT", 2},
    {"LAK", 2}, {"LBP", 2}, {"LKR", 2}, {"LRD", 2}, {"LSL", 2}, {"LYD", 3},
    {"MAD", 2}, {"MDL", 2}, {"MGA", 2}, {"MKD", 2}, {"MMK", 2}, {"MNT", 2},
    {"MOP", 2}, {"MRU", 2}, {"MUR", 2}, {"MVR", 2}, {"MWK", 2}, {"MXN", 2},
    {"MXV", 2}, {"MYR", 2}, {"MZN", 2}, {"NAD", 2}, {"NGN", 2}, {"NIO", 2},
    {"NOK", 2}, {"NPR", 2}, {"NZD", 2}, {"OMR", 3}, {"PAB", 2}, {"PEN", 2},
    {"PGK", 2}, {"PHP", 2}, {"PKR", 2}, {"PLN", 2}, {"PTS", 0}, {"PYG", 0},
    {"QAR", 2}, {"RON", 2}, {"RSD", 2}, {"RUB", 2}, {"RWF", 0}, {"SAR", 2},
    {"SBD", 2}, {"SCR", 2}, {"SDG", 2}, {"SEK", 2}, {"SGD", 2}, {"SHP", 2},
    {"SLE", 2}, {"SOS", 2}, {"SRD", 2}, {"SSP", 2}, {"STN", 2}, {"SVC", 2},
    {"SYP", 2}, {"SZL", 2}, {"THB", 2}, {"TJS", 2}, {"TMT", 2}, {"TND", 3},
    {"TOP", 2}, {"TRY", 2}, {"TTD", 2}, {"TWD", 2}, {"TZS", 2}, {"UAH", 2},
    {"UGX", 0}, {"USD", 2}, {"USN", 2}, {"UYI", 0}, {"UYU", 2}, {"UYW", 4},
    {"UZS", 2}, {"VED", 2}, {"VES", 2}, {"VND", 0}, {"VUV", 0}, {"WST", 2},
    {"XAD", 2}, {"XAF", 0}, {"XCD", 2}, {"XCG", 2}, {"XOF", 0}, {"XPF", 0},
    {"YER", 2}, {"ZAR", 2}, {"ZMW", 2}, {"ZWG", 2},
};

static uint32_t code3(const char *c)
{
    return (uint32_t)(unsigned char)c[0] << 16 | (uint32_t)(unsigned char)c[1] << 8 | (unsigned char)c[2];
}

int rw_currency_code_valid(const char *code)
{
    /* Checked one byte at a time so a short string stops at its NUL. */
    if (!code)
        return 0;
    for (int i = 0; i < 3; i++)
        if (code[i] < 'A' || code[i] > 'Z')
            return 0;
    return code[3] == '\0';
}

int rw_currency_exponent(const char *code)
{
    if (!rw_currency_code_valid(code))
        return -1;
    /* Compared as one number each (the codes are three capitals, so the
     * order is the table's): a memcmp call per step was most of the cost,
     * and every deal and stored entry looks its currency up. */
    const uint32_t key = code3(code);
    size_t lo = 0, hi = sizeof currencies / sizeof currencies[0];
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        uint32_t c = code3(currencies[mid].code);
        if (c == key)
            return currencies[mid].exp;
        if (key < c)
            hi = mid;
        else
            lo = mid + 1;
    }
    return -1;
}

/* ---- decimal text ------------------------------------------------------- */

static int is_digit(char c) { return c >= '0' && c <= '9'; }

rw_dec_result rw_decimal_parse(const char *text, size_t len, int max_places,
                               int allow_sign, int64_t *out)
{
    if (!text || !out || max_places < 0 || max_places > RW_MAX_PLACES)
        return RW_DEC_INVALID;

    size_t i = 0;
    int negative = 0;
    if (allow_sign && len > 0 && text[0] == '-') {
        negative = 1;
        i = 1;
    }

    /* Syntax first, so malformed text is never reported as an overflow:
     * digits+ ( '.' digits{1,max_places} )? */
    size_t int_start = i;
    while (i < len && is_digit(text[i]))
        i++;
    size_t int_end = i;
    if (int_end == int_start)
        return RW_DEC_INVALID;          /* "", "-", ".5", "+1", " 1" */
    size_t frac_start = i, frac_end = i;
    if (i < len && text[i] == '.') {
        frac_start = ++i;
        while (i < len && is_digit(text[i]))
            i++;
        frac_end = i;
        if (frac_end == frac_start)
            return RW_DEC_INVALID;      /* "1." */
    }
    if (i != len)
        return RW_DEC_INVALID;          /* trailing junk: "1e5", "1 ", "1.2.3" */
    size_t places = frac_end - frac_start;
    if (places > (size_t)max_places)
        return RW_DEC_INVALID;          /* never round: "1.005" as cents */

    /* Accumulate the magnitude; a negative value may reach 2^63 (INT64_MIN).
     * The limit check before each step keeps the u64 from wrapping however
     * many (leading-zero or not) digits there are. */
    const uint64_t limit = negative ? (uint64_t)INT64_MAX + 1u : (uint64_t)INT64_MAX;
    uint64_t v = 0;
    for (size_t k = int_start; k < frac_end; k++) {
        if (k == int_end)
            continue;                   /* the '.' */
        unsigned d = (unsigned)(text[k] - '0');
        if (v > (limit - d) / 10)
            return RW_DEC_OVERFLOW;
        v = v * 10 + d;
    }
    for (size_t k = places; k < (size_t)max_places; k++) {
        if (v > limit / 10)
            return RW_DEC_OVERFLOW;
        v *= 10;
    }

    if (negative)
        *out = v == (uint64_t)INT64_MAX + 1u ? INT64_MIN : -(int64_t)v;
    else
        *out = (int64_t)v;
    return RW_DEC_OK;
}

rw_dec_result rw_rate_parse(const char *text, size_t len, int64_t *ppm)
{
    /* A percent with 4 decimals scaled by 10^4 is exactly parts per million:
     * 1% = 10000 ppm. */
    if (!text || len == 0 || text[len - 1] != '%')
        return RW_DEC_INVALID;
    int64_t v;
    rw_dec_result r = rw_decimal_parse(text, len - 1, 4, 0, &v);
    if (r == RW_DEC_OVERFLOW || (r == RW_DEC_OK && !rw_rate_valid(v)))
        return RW_DEC_RANGE; /* well-formed, and far above 100% */
    if (r == RW_DEC_OK)
        *ppm = v;
    return r;
}

int rw_rate_valid(int64_t ppm)
{
    return ppm >= 0 && ppm <= RW_PPM_ONE;
}

int rw_amount_format(int64_t minor, int exp, char *buf, size_t size)
{
    if (buf && size > 0)
        buf[0] = '\0';
    if (!buf || exp < 0 || exp > RW_MAX_PLACES)
        return -1;

    /* Work on the unsigned magnitude; -(minor + 1) + 1 reaches 2^63 for
     * INT64_MIN without any signed or unsigned wrap-around. */
    uint64_t mag = minor < 0 ? (uint64_t)(-(minor + 1)) + 1u : (uint64_t)minor;
    char digits[24];
    int n = 0;
    do {
        digits[n++] = (char)('0' + mag % 10);
        mag /= 10;
    } while (mag);
    while (n < exp + 1)                 /* at least one digit before the point */
        digits[n++] = '0';

    size_t need = (size_t)(minor < 0) + (size_t)n + (exp > 0) + 1;
    if (need > size)
        return -1;

    char *p = buf;
    if (minor < 0)
        *p++ = '-';
    for (int k = n - 1; k >= 0; k--) {
        *p++ = digits[k];
        if (k == exp && exp > 0)
            *p++ = '.';
    }
    *p = '\0';
    return (int)(p - buf);
}

/* ---- exact arithmetic --------------------------------------------------- */

static int fits_i64(rw_i128 v) { return v >= INT64_MIN && v <= INT64_MAX; }

int rw_div_round(rw_i128 num, rw_i128 den, rw_rounding mode, int64_t *out)
{
    if (den <= 0 || (mode != RW_ROUND_HALF_EVEN && mode != RW_ROUND_HALF_UP))
        return -1;
    /* C division truncates toward zero, so q is the result rounded toward
     * zero and |r| is the distance to it in units of 1/den. */
    rw_i128 q = num / den;
    rw_i128 r = num % den;
    rw_i128 ar = r < 0 ? -r : r;
    /* Compare |r| with den - |r| instead of 2|r| with den: no overflow even
     * when den is near the 128-bit maximum. */
    rw_i128 rest = den - ar;
    int away = 0;
    if (ar > rest)
        away = 1;
    else if (ar == rest && ar != 0)     /* exact tie */
        away = mode == RW_ROUND_HALF_UP || (q % 2 != 0);
    if (away)
        q += num < 0 ? -1 : 1;
    if (!fits_i64(q))
        return -1;
    *out = (int64_t)q;
    return 0;
}

int rw_div_floor(rw_i128 num, rw_i128 den, int64_t *out)
{
    if (den <= 0)
        return -1;
    rw_i128 q = num / den;
    if (num % den != 0 && num < 0)
        q -= 1;                         /* truncation went up for negatives */
    if (!fits_i64(q))
        return -1;
    *out = (int64_t)q;
    return 0;
}

int rw_mul_div_round(int64_t a, int64_t b, int64_t den, rw_rounding mode, int64_t *out)
{
    /* |a * b| <= 2^126: always representable in rw_i128. */
    return rw_div_round((rw_i128)a * b, den, mode, out);
}

int rw_add(int64_t a, int64_t b, int64_t *out)
{
    int64_t r;
    if (__builtin_add_overflow(a, b, &r))
        return -1;
    *out = r;
    return 0;
}

int rw_sub(int64_t a, int64_t b, int64_t *out)
{
    int64_t r;
    if (__builtin_sub_overflow(a, b, &r))
        return -1;
    *out = r;
    return 0;
}

int rw_mul(int64_t a, int64_t b, int64_t *out)
{
    int64_t r;
    if (__builtin_mul_overflow(a, b, &r))
        return -1;
    *out = r;
    return 0;
}

int64_t rw_pow10(int n)
{
    static const int64_t p[RW_MAX_PLACES + 1] = {
        INT64_C(1), INT64_C(10), INT64_C(100), INT64_C(1000), INT64_C(10000),
        INT64_C(100000), INT64_C(1000000), INT64_C(10000000), INT64_C(100000000),
        INT64_C(1000000000), INT64_C(10000000000), INT64_C(100000000000),
        INT64_C(1000000000000), INT64_C(10000000000000), INT64_C(100000000000000),
        INT64_C(1000000000000000), INT64_C(10000000000000000),
        INT64_C(100000000000000000), INT64_C(1000000000000000000),
    };
    if (n < 0 || n > RW_MAX_PLACES)
        return 0;
    return p[n];
}
