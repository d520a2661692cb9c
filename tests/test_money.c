/*
 * test_money.c - unit tests of money.c: the ISO 4217 exponent table, exact
 * decimal and rate parsing, amount formatting, and the overflow-checked
 * arithmetic with its single rounding (every tie, both modes, both signs, and
 * the int64 boundaries).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "money.h"
#include "buf.h"
#include "testutil.h"

#define I128(x) ((rw_i128)(x))
#define SENTINEL INT64_C(0x5a5a5a5a)

/* ---- currencies --------------------------------------------------------- */

/* An independent copy of ISO 4217 List One (numeric minor units) plus PTS:
 * every one must be found, which also proves the table is sorted (binary
 * search misses entries of an unsorted table). */
static const struct { const char *code; int exp; } iso[] = {
    {"AED", 2}, {"AFN", 2}, {"ALL", 2}, {"AMD", 2}, {"AOA", 2}, {"ARS", 2}, {"AUD", 2},
    {"AWG", 2}, {"AZN", 2}, {"BAM", 2}, {"BBD", 2}, {"BDT", 2}, {"BHD", 3}, {"BIF", 0},
    {"BMD", 2}, {"BND", 2}, {"BOB", 2}, {"BOV", 2}, {"BRL", 2}, {"BSD", 2}, {"BTN", 2},
    {"BWP", 2}, {"BYN", 2}, {"BZD", 2}, {"CAD", 2}, {"CDF", 2}, {"CHE", 2}, {"CHF", 2},
    {"CHW", 2}, {"CLF", 4}, {"CLP", 0}, {"CNY", 2}, {"COP", 2}, {"COU", 2}, {"CRC", 2},
    {"CUP", 2}, {"CVE", 2}, {"CZK", 2}, {"DJF", 0}, {"DKK", 2}, {"DOP", 2}, {"DZD", 2},
    {"EGP", 2}, {"ERN", 2}, {"ETB", 2}, {"EUR", 2}, {"FJD", 2}, {"FKP", 2}, {"GBP", 2},
    {"GEL", 2}, {"GHS", 2}, {"GIP", 2}, {"GMD", 2}, {"GNF", 0}, {"GTQ", 2}, {"GYD", 2},
    {"HKD", 2}, {"HNL", 2}, {"HTG", 2}, {"HUF", 2}, {"IDR", 2}, {"ILS", 2}, {"INR", 2},
    {"IQD", 3}, {"IRR", 2}, {"ISK", 0}, {"JMD", 2}, {"JOD", 3}, {"JPY", 0}, {"KES", 2},
    {"KGS", 2}, {"KHR", 2}, {"KMF", 0}, {"KPW", 2}, {"KRW", 0}, {"KWD", 3}, {"KYD", 2},
    {"KZT", 2}, {"LAK", 2}, {"LBP", 2}, {"LKR", 2}, {"LRD", 2}, {"LSL", 2}, {"LYD", 3},
    {"MAD", 2}, {"MDL", 2}, {"MGA", 2}, {"MKD", 2}, {"MMK", 2}, {"MNT", 2}, {"MOP", 2},
    {"MRU", 2}, {"MUR", 2}, {"MVR", 2}, {"MWK", 2}, {"MXN", 2}, {"MXV", 2}, {"MYR", 2},
    {"MZN", 2}, {"NAD", 2}, {"NGN", 2}, {"NIO", 2}, {"NOK", 2}, {"NPR", 2}, {"NZD", 2},
    {"OMR", 3}, {"PAB", 2}, {"PEN", 2}, {"PGK", 2}, {"PHP", 2}, {"PKR", 2}, {"PLN", 2},
    {"PTS", 0}, {"PYG", 0}, {"QAR", 2}, {"RON", 2}, {"RSD", 2}, {"RUB", 2}, {"RWF", 0},
    {"SAR", 2}, {"SBD", 2}, {"SCR", 2}, {"SDG", 2}, {"SEK", 2}, {"SGD", 2}, {"SHP", 2},
    {"SLE", 2}, {"SOS", 2}, {"SRD", 2}, {"SSP", 2}, {"STN", 2}, {"SVC", 2}, {"SYP", 2},
    {"SZL", 2}, {"THB", 2}, {"TJS", 2}, {"TMT", 2}, {"TND", 3}, {"TOP", 2}, {"TRY", 2},
    {"TTD", 2}, {"TWD", 2}, {"TZS", 2}, {"UAH", 2}, {"UGX", 0}, {"USD", 2}, {"USN", 2},
    {"UYI", 0}, {"UYU", 2}, {"UYW", 4}, {"UZS", 2}, {"VED", 2}, {"VES", 2}, {"VND", 0},
    {"VUV", 0}, {"WST", 2}, {"XAD", 2}, {"XAF", 0}, {"XCD", 2}, {"XCG", 2}, {"XOF", 0},
    {"XPF", 0}, {"YER", 2}, {"ZAR", 2}, {"ZMW", 2}, {"ZWG", 2},
};

static void test_currency_every_iso_code(void **state)
{
    (void)state;
    size_t n = sizeof iso / sizeof iso[0];
    assert_int_equal(n, 166); /* 165 List One codes with a minor unit + PTS */
    for (size_t i = 0; i < n; i++) {
        if (rw_currency_exponent(iso[i].code) != iso[i].exp)
            fail_msg("%s: got %d, want %d", iso[i].code, rw_currency_exponent(iso[i].code), iso[i].exp);
    }
    /* and every other code of three capitals, AAA to ZZZ, is none */
    size_t found = 0;
    char code[4] = "AAA";
    for (int a = 0; a < 26; a++)
        for (int b = 0; b < 26; b++)
            for (int c = 0; c < 26; c++) {
                code[0] = (char)('A' + a);
                code[1] = (char)('A' + b);
                code[2] = (char)('A' + c);
                found += rw_currency_exponent(code) >= 0;
            }
    assert_int_equal(found, n);
}

static void test_currency_exponent_classes(void **state)
{
    (void)state;
    /* 0 */
    assert_int_equal(rw_currency_exponent("JPY"), 0);
    assert_int_equal(rw_currency_exponent("ISK"), 0);
    assert_int_equal(rw_currency_exponent("KRW"), 0);
    assert_int_equal(rw_currency_exponent("VND"), 0);
    assert_int_equal(rw_currency_exponent("CLP"), 0);
    assert_int_equal(rw_currency_exponent("XOF"), 0);
    assert_int_equal(rw_currency_exponent("XAF"), 0);
    assert_int_equal(rw_currency_exponent("XPF"), 0);
    assert_int_equal(rw_currency_exponent("PTS"), 0);
    /* 2 */
    assert_int_equal(rw_currency_exponent("USD"), 2);
    assert_int_equal(rw_currency_exponent("EUR"), 2);
    assert_int_equal(rw_currency_exponent("AED"), 2); /* first entry */
    assert_int_equal(rw_currency_exponent("ZWG"), 2); /* last entry */
    /* 3 */
    assert_int_equal(rw_currency_exponent("KWD"), 3);
    assert_int_equal(rw_currency_exponent("BHD"), 3);
    assert_int_equal(rw_currency_exponent("JOD"), 3);
    assert_int_equal(rw_currency_exponent("OMR"), 3);
    assert_int_equal(rw_currency_exponent("TND"), 3);
    assert_int_equal(rw_currency_exponent("LYD"), 3);
    assert_int_equal(rw_currency_exponent("IQD"), 3);
    /* 4 */
    assert_int_equal(rw_currency_exponent("CLF"), 4);
    assert_int_equal(rw_currency_exponent("UYW"), 4);
}

static void test_currency_unknown(void **state)
{
    (void)state;
    /* ISO codes whose minor unit is "N.A." */
    static const char *na[] = {"XXX", "XAU", "XAG", "XPT", "XPD", "XDR", "XTS",
                               "XSU", "XUA", "XBA", "XBB", "XBC", "XBD"};
    for (size_t i = 0; i < sizeof na / sizeof na[0]; i++)
        assert_int_equal(rw_currency_exponent(na[i]), -1);
    /* Malformed or not ISO */
    assert_int_equal(rw_currency_exponent("usd"), -1);
    assert_int_equal(rw_currency_exponent("Usd"), -1);
    assert_int_equal(rw_currency_exponent("US"), -1);
    assert_int_equal(rw_currency_exponent("USDX"), -1);
    assert_int_equal(rw_currency_exponent("USD "), -1);
    assert_int_equal(rw_currency_exponent(" USD"), -1);
    assert_int_equal(rw_currency_exponent("U1D"), -1);
    assert_int_equal(rw_currency_exponent(""), -1);
    assert_int_equal(rw_currency_exponent(NULL), -1);
    assert_int_equal(rw_currency_exponent("AAA"), -1); /* before the first entry */
    assert_int_equal(rw_currency_exponent("ZZZ"), -1); /* after the last */
    assert_int_equal(rw_currency_exponent("ABC"), -1);
    assert_int_equal(rw_currency_exponent("HRK"), -1); /* withdrawn 2023 */
    assert_int_equal(rw_currency_exponent("USE"), -1);
    /* A code is its 3 bytes and a NUL, nothing after. */
    const char bytes[] = {'U', 'S', 'D', '\0', 'X'};
    assert_int_equal(rw_currency_exponent(bytes), 2);
    assert_true(rw_currency_code_valid("ABC"));
    assert_false(rw_currency_code_valid("AB"));
    assert_false(rw_currency_code_valid("ABCD"));
    assert_false(rw_currency_code_valid(NULL));
}

/* ---- decimal parsing ---------------------------------------------------- */

static rw_dec_result parse(const char *s, int places, int sign, int64_t *out)
{
    return rw_decimal_parse(s, strlen(s), places, sign, out);
}

#define PARSE_OK(s, places, sign, want) do { \
        int64_t v_ = SENTINEL; \
        assert_int_equal(parse((s), (places), (sign), &v_), RW_DEC_OK); \
        assert_int_equal(v_, (want)); \
    } while (0)

#define PARSE_FAIL(s, places, sign, res) do { \
        int64_t v_ = SENTINEL; \
        assert_int_equal(parse((s), (places), (sign), &v_), (res)); \
        assert_int_equal(v_, SENTINEL); \
    } while (0)

static void test_decimal_parse_ok(void **state)
{
    (void)state;
    PARSE_OK("1200", 2, 0, 120000);
    PARSE_OK("1200.5", 2, 0, 120050);
    PARSE_OK("1200.50", 2, 0, 120050);
    PARSE_OK("0.0125", 4, 0, 125);
    PARSE_OK("007.50", 2, 0, 750);
    PARSE_OK("0", 2, 0, 0);
    PARSE_OK("0.00", 2, 0, 0);
    PARSE_OK("1200", 0, 0, 1200);
    PARSE_OK("5", 3, 0, 5000);
    PARSE_OK("0.005", 3, 0, 5);
    PARSE_OK("000000000000000000000000000001.5", 2, 0, 150);
    PARSE_OK("1.2345678901", 10, 0, INT64_C(12345678901));
    PARSE_OK("-35.5", 2, 1, -3550);
    PARSE_OK("-0", 2, 1, 0);
    PARSE_OK("35.5", 2, 1, 3550);
    /* len, not the NUL, ends the text */
    int64_t v = 0;
    assert_int_equal(rw_decimal_parse("12345", 3, 0, 0, &v), RW_DEC_OK);
    assert_int_equal(v, 123);
    assert_int_equal(rw_decimal_parse("1.25xyz", 4, 2, 0, &v), RW_DEC_OK);
    assert_int_equal(v, 125);
}

static void test_decimal_parse_invalid(void **state)
{
    (void)state;
    static const char *bad[] = {
        "", "-5", "+5", " 5", "5 ", "5\t", "1e5", "1E5", "1.", ".5", ".", "1.005",
        "1,5", "1.2.3", "abc", "1_000", "0x10", "1..2", "1. 5", "--5", "-",
        "\xef\xbc\x91", /* fullwidth digit one */
        "99999999999999999999.001", /* malformed wins over too large */
        "nan", "inf", "1-",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        int64_t v = SENTINEL;
        if (parse(bad[i], 2, 0, &v) != RW_DEC_INVALID)
            fail_msg("accepted \"%s\"", bad[i]);
        assert_int_equal(v, SENTINEL);
    }
    /* With signs allowed, only a single leading '-' */
    PARSE_FAIL("--5", 2, 1, RW_DEC_INVALID);
    PARSE_FAIL("-", 2, 1, RW_DEC_INVALID);
    PARSE_FAIL("+5", 2, 1, RW_DEC_INVALID);
    PARSE_FAIL("- 5", 2, 1, RW_DEC_INVALID);
    PARSE_FAIL("5-", 2, 1, RW_DEC_INVALID);
    PARSE_FAIL("-.5", 2, 1, RW_DEC_INVALID);
    /* More places than allowed is rejected, never rounded */
    PARSE_FAIL("1200.5", 0, 0, RW_DEC_INVALID);
    PARSE_FAIL("1.0", 0, 0, RW_DEC_INVALID);
    PARSE_FAIL("0.00001", 4, 0, RW_DEC_INVALID);
    PARSE_FAIL("1.000", 2, 0, RW_DEC_INVALID);
    /* An embedded NUL is a non-digit */
    int64_t v = SENTINEL;
    assert_int_equal(rw_decimal_parse("1\0", 2, 2, 0, &v), RW_DEC_INVALID);
    /* Bad arguments */
    assert_int_equal(rw_decimal_parse("1", 1, -1, 0, &v), RW_DEC_INVALID);
    assert_int_equal(rw_decimal_parse("1", 1, 19, 0, &v), RW_DEC_INVALID);
    assert_int_equal(rw_decimal_parse(NULL, 0, 2, 0, &v), RW_DEC_INVALID);
    assert_int_equal(rw_decimal_parse("1", 1, 2, 0, NULL), RW_DEC_INVALID);
    assert_int_equal(v, SENTINEL);
}

static void test_decimal_parse_overflow(void **state)
{
    (void)state;
    PARSE_FAIL("99999999999999999999.00", 2, 0, RW_DEC_OVERFLOW);
    PARSE_FAIL("99999999999999999999", 0, 0, RW_DEC_OVERFLOW);
    PARSE_OK("92233720368547758.07", 2, 0, INT64_MAX);
    PARSE_FAIL("92233720368547758.08", 2, 0, RW_DEC_OVERFLOW);
    PARSE_OK("9223372036854775807", 0, 0, INT64_MAX);
    PARSE_FAIL("9223372036854775808", 0, 0, RW_DEC_OVERFLOW);
    PARSE_OK("0009223372036854775807", 0, 0, INT64_MAX);
    /* Overflow from the scaling of missing decimals */
    PARSE_OK("92233720368547758", 2, 0, INT64_C(9223372036854775800));
    PARSE_FAIL("92233720368547759", 2, 0, RW_DEC_OVERFLOW);
    PARSE_FAIL("92233720368547758.1", 2, 0, RW_DEC_OVERFLOW);
    PARSE_OK("9.223372036854775807", 18, 0, INT64_MAX);
    PARSE_FAIL("9.3", 18, 0, RW_DEC_OVERFLOW);
    PARSE_FAIL("10", 18, 0, RW_DEC_OVERFLOW);
    /* Negative values reach INT64_MIN, one further than positive ones */
    PARSE_OK("-9223372036854775808", 0, 1, INT64_MIN);
    PARSE_FAIL("-9223372036854775809", 0, 1, RW_DEC_OVERFLOW);
    PARSE_OK("-92233720368547758.08", 2, 1, INT64_MIN);
    PARSE_FAIL("-92233720368547758.09", 2, 1, RW_DEC_OVERFLOW);
    PARSE_FAIL("-99999999999999999999.00", 2, 1, RW_DEC_OVERFLOW);
}

/* ---- rates -------------------------------------------------------------- */

static rw_dec_result rate(const char *s, int64_t *out)
{
    return rw_rate_parse(s, strlen(s), out);
}

static void test_rate_parse(void **state)
{
    (void)state;
    int64_t ppm = SENTINEL;
    assert_int_equal(rate("12.5%", &ppm), RW_DEC_OK);
    assert_int_equal(ppm, 125000);
    assert_int_equal(rate("0.0125%", &ppm), RW_DEC_OK);
    assert_int_equal(ppm, 125);
    assert_int_equal(rate("0.0001%", &ppm), RW_DEC_OK);
    assert_int_equal(ppm, 1);
    assert_int_equal(rate("100%", &ppm), RW_DEC_OK);
    assert_int_equal(ppm, RW_PPM_ONE);
    /* SPEC section 3: 0% to 100% inclusive; above is a range error, *ppm untouched */
    ppm = SENTINEL;
    assert_int_equal(rate("250%", &ppm), RW_DEC_RANGE);
    assert_int_equal(rate("101%", &ppm), RW_DEC_RANGE);
    assert_int_equal(rate("100.0001%", &ppm), RW_DEC_RANGE);
    assert_int_equal(rate("922337203685477.5807%", &ppm), RW_DEC_RANGE);
    assert_int_equal(rate("99999999999999999999%", &ppm), RW_DEC_RANGE);
    assert_int_equal(ppm, SENTINEL);
    assert_true(rw_rate_valid(0) && rw_rate_valid(RW_PPM_ONE));
    assert_false(rw_rate_valid(-1) || rw_rate_valid(RW_PPM_ONE + 1) || rw_rate_valid(INT64_MAX));
    assert_int_equal(rate("100.0000%", &ppm), RW_DEC_OK);
    assert_int_equal(ppm, RW_PPM_ONE);
    assert_int_equal(rate("0%", &ppm), RW_DEC_OK);
    assert_int_equal(ppm, 0);
    assert_int_equal(rate("5%", &ppm), RW_DEC_OK);
    assert_int_equal(ppm, 50000);

    static const char *bad[] = {
        "10.12345%", "12.5", "%", "", "-5%", "+5%", "12.5 %", " 12.5%", "12.5%%",
        ".5%", "5.%", "1e2%", "12,5%", "%12.5", "12.5% ", "abc%",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        ppm = SENTINEL;
        if (rate(bad[i], &ppm) != RW_DEC_INVALID)
            fail_msg("accepted \"%s\"", bad[i]);
        assert_int_equal(ppm, SENTINEL);
    }
    /* too large for int64 is far above 100%: a range error, not an overflow */
    assert_int_equal(rate("922337203685477.5808%", &ppm), RW_DEC_RANGE);
    assert_int_equal(ppm, SENTINEL);
    assert_int_equal(rw_rate_parse(NULL, 0, &ppm), RW_DEC_INVALID);
}

/* ---- formatting --------------------------------------------------------- */

#define FMT(minor, exp, want) do { \
        char b_[RW_AMOUNT_BUFSIZE]; \
        memset(b_, 'x', sizeof b_); \
        int n_ = rw_amount_format((minor), (exp), b_, sizeof b_); \
        assert_string_equal(b_, (want)); \
        assert_int_equal(n_, strlen(want)); \
    } while (0)

static void test_amount_format(void **state)
{
    (void)state;
    FMT(120050, 2, "1200.50");
    FMT(-3550, 2, "-35.50");
    FMT(1200, 0, "1200");
    FMT(-1200, 0, "-1200");
    FMT(5, 3, "0.005");
    FMT(-5, 3, "-0.005");
    FMT(1234567, 3, "1234.567");
    FMT(12345, 4, "1.2345");
    FMT(-1, 4, "-0.0001");
    FMT(10000, 4, "1.0000");
    FMT(0, 0, "0");
    FMT(0, 2, "0.00");
    FMT(0, 4, "0.0000");
    FMT(7, 2, "0.07");
    FMT(100, 2, "1.00");
    FMT(INT64_MAX, 2, "92233720368547758.07");
    FMT(INT64_MIN, 2, "-92233720368547758.08");
    FMT(INT64_MIN, 0, "-9223372036854775808");
    FMT(INT64_MAX, 0, "9223372036854775807");
    FMT(INT64_MIN, 18, "-9.223372036854775808");
    FMT(1, 18, "0.000000000000000001");
    FMT(-1, 18, "-0.000000000000000001");
}

static void test_amount_format_errors(void **state)
{
    (void)state;
    char b[32];
    /* exact fit: "-35.50" is 6 bytes + NUL */
    assert_int_equal(rw_amount_format(-3550, 2, b, 7), 6);
    assert_string_equal(b, "-35.50");
    memset(b, 'x', sizeof b);
    assert_int_equal(rw_amount_format(-3550, 2, b, 6), -1);
    assert_string_equal(b, "");
    assert_int_equal(rw_amount_format(1, 2, b, 0), -1);
    assert_int_equal(rw_amount_format(1, -1, b, sizeof b), -1);
    assert_string_equal(b, "");
    assert_int_equal(rw_amount_format(1, 19, b, sizeof b), -1);
    assert_int_equal(rw_amount_format(1, 2, NULL, 10), -1);
}

static void test_amount_round_trip(void **state)
{
    (void)state;
    static const int64_t values[] = {
        0, 1, -1, 5, 99, 100, 101, 120050, -3550, INT64_C(123456789012345),
        INT64_MAX, INT64_MIN, INT64_MAX - 1, INT64_MIN + 1,
    };
    for (size_t i = 0; i < sizeof values / sizeof values[0]; i++) {
        for (int exp = 0; exp <= RW_MAX_PLACES; exp++) {
            char b[RW_AMOUNT_BUFSIZE];
            int n = rw_amount_format(values[i], exp, b, sizeof b);
            assert_true(n > 0);
            int64_t back = SENTINEL;
            assert_int_equal(rw_decimal_parse(b, (size_t)n, exp, 1, &back), RW_DEC_OK);
            assert_int_equal(back, values[i]);
        }
    }
}

/* ---- rounding ----------------------------------------------------------- */

static int64_t round_ok(rw_i128 num, rw_i128 den, rw_rounding mode)
{
    int64_t v = SENTINEL;
    assert_int_equal(rw_div_round(num, den, mode, &v), 0);
    return v;
}

#define ROUND(num, den, even, up) do { \
        assert_int_equal(round_ok(I128(num), I128(den), RW_ROUND_HALF_EVEN), (even)); \
        assert_int_equal(round_ok(I128(num), I128(den), RW_ROUND_HALF_UP), (up)); \
    } while (0)

static void test_round_ties(void **state)
{
    (void)state;
    /* x.5 both modes, both signs: even goes to the even neighbour, up away from 0 */
    ROUND(1, 2, 0, 1);
    ROUND(-1, 2, 0, -1);
    ROUND(3, 2, 2, 2);
    ROUND(-3, 2, -2, -2);
    ROUND(5, 2, 2, 3);
    ROUND(-5, 2, -2, -3);
    ROUND(15, 10, 2, 2);
    ROUND(-15, 10, -2, -2);
    ROUND(25, 10, 2, 3);
    ROUND(-25, 10, -2, -3);
    ROUND(35, 10, 4, 4);
    ROUND(-35, 10, -4, -4);
    ROUND(1250, 100, 12, 13);
    ROUND(-1250, 100, -12, -13);
    ROUND(1350, 100, 14, 14);
    /* a tie in ppm: 100 minor units * 12.5% = 12.5 */
    ROUND(100 * 125000, 1000000, 12, 13);
}

static void test_round_near_ties(void **state)
{
    (void)state;
    /* just below and just above a tie go to the nearest, whatever the mode */
    ROUND(249, 100, 2, 2);
    ROUND(251, 100, 3, 3);
    ROUND(-249, 100, -2, -2);
    ROUND(-251, 100, -3, -3);
    ROUND(2499999, 1000000, 2, 2);
    ROUND(2500001, 1000000, 3, 3);
    ROUND(-2499999, 1000000, -2, -2);
    ROUND(-2500001, 1000000, -3, -3);
    ROUND(4, 10, 0, 0);
    ROUND(6, 10, 1, 1);
    ROUND(-4, 10, 0, 0);
    ROUND(-6, 10, -1, -1);
    /* odd denominators never tie: 1/3, 2/3 */
    ROUND(1, 3, 0, 0);
    ROUND(2, 3, 1, 1);
    ROUND(-2, 3, -1, -1);
}

static void test_round_exact(void **state)
{
    (void)state;
    ROUND(0, 7, 0, 0);
    ROUND(300, 100, 3, 3);
    ROUND(-300, 100, -3, -3);
    ROUND(42, 1, 42, 42);
    ROUND(-42, 1, -42, -42);
    ROUND(INT64_MAX, 1, INT64_MAX, INT64_MAX);
    ROUND(INT64_MIN, 1, INT64_MIN, INT64_MIN);
}

static void test_round_huge_denominator(void **state)
{
    (void)state;
    const rw_i128 max128 = (rw_i128)(((rw_u128)1 << 127) - 1); /* odd */
    ROUND((max128 - 1) / 2, max128, 0, 0);       /* just below one half */
    ROUND(max128 / 2 + 1, max128, 1, 1);         /* just above */
    ROUND(-(max128 / 2 + 1), max128, -1, -1);
    ROUND(max128, max128, 1, 1);
    ROUND(-max128, max128, -1, -1);
    const rw_i128 p126 = (rw_i128)1 << 126;
    ROUND(p126 / 2, p126, 0, 1);                 /* exact tie */
    ROUND(-(p126 / 2), p126, 0, -1);
    ROUND(3 * (p126 / 2), p126, 2, 2);
    /* a 128-bit numerator that lands back in int64 */
    ROUND((rw_i128)INT64_MAX * 1000000, 1000000, INT64_MAX, INT64_MAX);
}

static void test_round_overflow(void **state)
{
    (void)state;
    int64_t v = SENTINEL;
    /* INT64_MAX + 0.5: both modes go up (INT64_MAX is odd) and overflow */
    rw_i128 num = (rw_i128)INT64_MAX * 2 + 1;
    assert_int_equal(rw_div_round(num, 2, RW_ROUND_HALF_EVEN, &v), -1);
    assert_int_equal(rw_div_round(num, 2, RW_ROUND_HALF_UP, &v), -1);
    /* INT64_MAX + 0.4 rounds back into range */
    assert_int_equal(rw_div_round((rw_i128)INT64_MAX * 10 + 4, 10, RW_ROUND_HALF_UP, &v), 0);
    assert_int_equal(v, INT64_MAX);
    v = SENTINEL;
    /* INT64_MIN - 0.5: even keeps the even INT64_MIN, up overflows */
    num = (rw_i128)INT64_MIN * 2 - 1;
    assert_int_equal(rw_div_round(num, 2, RW_ROUND_HALF_UP, &v), -1);
    assert_int_equal(v, SENTINEL);
    assert_int_equal(rw_div_round(num, 2, RW_ROUND_HALF_EVEN, &v), 0);
    assert_int_equal(v, INT64_MIN);
    /* INT64_MIN + 0.5: both round to INT64_MIN */
    ROUND((rw_i128)INT64_MIN * 2 + 1, 2, INT64_MIN, INT64_MIN);
    v = SENTINEL;
    assert_int_equal(rw_div_round((rw_i128)INT64_MAX + 1, 1, RW_ROUND_HALF_EVEN, &v), -1);
    assert_int_equal(rw_div_round((rw_i128)INT64_MIN - 1, 1, RW_ROUND_HALF_EVEN, &v), -1);
    assert_int_equal(rw_div_round((rw_i128)INT64_MIN * 3, 2, RW_ROUND_HALF_EVEN, &v), -1);
    /* bad denominators and modes */
    assert_int_equal(rw_div_round(1, 0, RW_ROUND_HALF_EVEN, &v), -1);
    assert_int_equal(rw_div_round(1, -2, RW_ROUND_HALF_EVEN, &v), -1);
    assert_int_equal(rw_div_round(1, 2, (rw_rounding)2, &v), -1);
    assert_int_equal(v, SENTINEL);
}

static void test_mul_div_round(void **state)
{
    (void)state;
    int64_t v = SENTINEL;
    /* 1200.50 * 12.5% = 150.0625 -> 150.06 */
    assert_int_equal(rw_mul_div_round(120050, 125000, RW_PPM_ONE, RW_ROUND_HALF_EVEN, &v), 0);
    assert_int_equal(v, 15006);
    /* 1.00 * 12.5% = 0.125 -> tie: 0.12 / 0.13 */
    assert_int_equal(rw_mul_div_round(100, 125000, RW_PPM_ONE, RW_ROUND_HALF_EVEN, &v), 0);
    assert_int_equal(v, 12);
    assert_int_equal(rw_mul_div_round(100, 125000, RW_PPM_ONE, RW_ROUND_HALF_UP, &v), 0);
    assert_int_equal(v, 13);
    /* the product exceeds int64 but the quotient does not */
    assert_int_equal(rw_mul_div_round(INT64_MAX, 1000000, RW_PPM_ONE, RW_ROUND_HALF_EVEN, &v), 0);
    assert_int_equal(v, INT64_MAX);
    assert_int_equal(rw_mul_div_round(INT64_MIN, INT64_MIN, INT64_MIN, RW_ROUND_HALF_EVEN, &v), -1); /* den < 0 */
    /* 200% of INT64_MAX does not fit */
    v = SENTINEL;
    assert_int_equal(rw_mul_div_round(INT64_MAX, 2000000, RW_PPM_ONE, RW_ROUND_HALF_EVEN, &v), -1);
    assert_int_equal(rw_mul_div_round(INT64_MIN, INT64_MIN, 1, RW_ROUND_HALF_EVEN, &v), -1);
    assert_int_equal(v, SENTINEL);
}

static void test_div_floor(void **state)
{
    (void)state;
    int64_t v = SENTINEL;
    static const struct { int64_t num, den, want; } cases[] = {
        {7, 2, 3}, {-7, 2, -4}, {8, 2, 4}, {-8, 2, -4}, {0, 5, 0}, {1, 1000000, 0},
        {999999, 1000000, 0}, {-1, 1000000, -1}, {1999999, 1000000, 1},
        {INT64_MAX, 1, INT64_MAX}, {INT64_MIN, 1, INT64_MIN}, {INT64_MIN, 2, INT64_MIN / 2},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        assert_int_equal(rw_div_floor(cases[i].num, cases[i].den, &v), 0);
        assert_int_equal(v, cases[i].want);
    }
    /* points: 1234.56 USD * 1.5 points per unit -> 1851.84 -> 1851 */
    assert_int_equal(rw_div_floor((rw_i128)123456 * 1500000, (rw_i128)100 * 1000000, &v), 0);
    assert_int_equal(v, 1851);
    assert_int_equal(rw_div_floor((rw_i128)INT64_MAX * 2 + 1, 2, &v), 0);
    assert_int_equal(v, INT64_MAX);
    assert_int_equal(rw_div_floor((rw_i128)INT64_MIN * 2, 2, &v), 0);
    assert_int_equal(v, INT64_MIN);
    v = SENTINEL;
    assert_int_equal(rw_div_floor((rw_i128)INT64_MIN * 2 - 1, 2, &v), -1);
    assert_int_equal(rw_div_floor((rw_i128)INT64_MAX + 1, 1, &v), -1);
    assert_int_equal(rw_div_floor((rw_i128)INT64_MIN - 1, 1, &v), -1);
    assert_int_equal(rw_div_floor(1, 0, &v), -1);
    assert_int_equal(rw_div_floor(1, -1, &v), -1);
    assert_int_equal(v, SENTINEL);
}

/* ---- checked arithmetic ------------------------------------------------- */

static void test_checked_ops(void **state)
{
    (void)state;
    int64_t v = SENTINEL;
    assert_int_equal(rw_add(2, 3, &v), 0);
    assert_int_equal(v, 5);
    assert_int_equal(rw_add(INT64_MAX, 0, &v), 0);
    assert_int_equal(v, INT64_MAX);
    assert_int_equal(rw_add(INT64_MAX - 1, 1, &v), 0);
    assert_int_equal(v, INT64_MAX);
    assert_int_equal(rw_add(INT64_MIN, INT64_MAX, &v), 0);
    assert_int_equal(v, -1);
    assert_int_equal(rw_add(INT64_MIN + 1, -1, &v), 0);
    assert_int_equal(v, INT64_MIN);
    v = SENTINEL;
    assert_int_equal(rw_add(INT64_MAX, 1, &v), -1);
    assert_int_equal(rw_add(INT64_MIN, -1, &v), -1);
    assert_int_equal(rw_add(INT64_MAX, INT64_MAX, &v), -1);
    assert_int_equal(rw_add(INT64_MIN, INT64_MIN, &v), -1);
    assert_int_equal(v, SENTINEL);

    assert_int_equal(rw_sub(5, 7, &v), 0);
    assert_int_equal(v, -2);
    assert_int_equal(rw_sub(-1, INT64_MAX, &v), 0);
    assert_int_equal(v, INT64_MIN);
    assert_int_equal(rw_sub(INT64_MIN, INT64_MIN, &v), 0);
    assert_int_equal(v, 0);
    v = SENTINEL;
    assert_int_equal(rw_sub(INT64_MIN, 1, &v), -1);
    assert_int_equal(rw_sub(0, INT64_MIN, &v), -1);
    assert_int_equal(rw_sub(INT64_MAX, -1, &v), -1);
    assert_int_equal(rw_sub(-2, INT64_MAX, &v), -1);
    assert_int_equal(v, SENTINEL);

    assert_int_equal(rw_mul(-4, 5, &v), 0);
    assert_int_equal(v, -20);
    assert_int_equal(rw_mul(INT64_MAX, -1, &v), 0);
    assert_int_equal(v, -INT64_MAX);
    assert_int_equal(rw_mul(-(INT64_C(1) << 32), INT64_C(1) << 31, &v), 0);
    assert_int_equal(v, INT64_MIN);
    assert_int_equal(rw_mul(INT64_MIN, 1, &v), 0);
    assert_int_equal(v, INT64_MIN);
    assert_int_equal(rw_mul(INT64_MIN, 0, &v), 0);
    assert_int_equal(v, 0);
    v = SENTINEL;
    assert_int_equal(rw_mul(INT64_MIN, -1, &v), -1);
    assert_int_equal(rw_mul(INT64_C(1) << 32, INT64_C(1) << 31, &v), -1);
    assert_int_equal(rw_mul(INT64_MAX, 2, &v), -1);
    assert_int_equal(rw_mul(INT64_MIN, 2, &v), -1);
    assert_int_equal(rw_mul(INT64_C(3037000500), INT64_C(3037000500), &v), -1); /* ceil(sqrt(2^63)) squared */
    assert_int_equal(v, SENTINEL);
    assert_int_equal(rw_mul(INT64_C(3037000499), INT64_C(3037000499), &v), 0);
    assert_int_equal(v, INT64_C(9223372030926249001));
}

static void test_pow10(void **state)
{
    (void)state;
    int64_t p = 1;
    for (int n = 0; n <= 18; n++) {
        assert_int_equal(rw_pow10(n), p);
        if (n < 18)
            p *= 10;
    }
    assert_int_equal(rw_pow10(18), INT64_C(1000000000000000000));
    assert_int_equal(rw_pow10(-1), 0);
    assert_int_equal(rw_pow10(19), 0);
}

/* The digit writer of the stored formats: every length, every digit pair. */
static void test_digits(void **state)
{
    (void)state;
    char buf[32], want[32];
    uint64_t v = 0;
    for (int i = 0; i < 2000; i++) {
        /* 0..999, then numbers of every length up to 20 digits */
        v = i < 1000 ? (uint64_t)i : v * 7 + (uint64_t)i;
        if (i >= 1000 && i % 50 == 0)
            v = (uint64_t)i;
        char *d = rw_digits(buf + sizeof buf - 1, v);
        buf[sizeof buf - 1] = '\0';
        snprintf(want, sizeof want, "%llu", (unsigned long long)v);
        assert_string_equal(d, want);
    }
    char *d = rw_digits(buf + sizeof buf - 1, UINT64_MAX);
    assert_string_equal(d, "18446744073709551615");
    d = rw_digits(buf + sizeof buf - 1, 10000000000000000000ULL);
    assert_string_equal(d, "10000000000000000000");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_digits),
        cmocka_unit_test(test_currency_every_iso_code),
        cmocka_unit_test(test_currency_exponent_classes),
        cmocka_unit_test(test_currency_unknown),
        cmocka_unit_test(test_decimal_parse_ok),
        cmocka_unit_test(test_decimal_parse_invalid),
        cmocka_unit_test(test_decimal_parse_overflow),
        cmocka_unit_test(test_rate_parse),
        cmocka_unit_test(test_amount_format),
        cmocka_unit_test(test_amount_format_errors),
        cmocka_unit_test(test_amount_round_trip),
        cmocka_unit_test(test_round_ties),
        cmocka_unit_test(test_round_near_ties),
        cmocka_unit_test(test_round_exact),
        cmocka_unit_test(test_round_huge_denominator),
        cmocka_unit_test(test_round_overflow),
        cmocka_unit_test(test_mul_div_round),
        cmocka_unit_test(test_div_floor),
        cmocka_unit_test(test_checked_ops),
        cmocka_unit_test(test_pow10),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
