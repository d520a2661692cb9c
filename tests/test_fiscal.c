/*
 * test_fiscal.c - unit tests of fiscal.c: the calendar (every day of the
 * years 0001-9999, leap years, pre-1970 instants), the exact text form of
 * instants, and fiscal period keys and starts for fiscal years beginning in
 * each of the twelve months.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "fiscal.h"
#include "testutil.h"

#define SENTINEL INT64_C(0x5a5a5a5a)

/* The instant of a text the tests trust (rw_time_parse is itself checked
 * against literal epoch seconds below). */
static int64_t T(const char *text)
{
    int64_t t = SENTINEL;
    if (rw_time_parse(text, strlen(text), &t) != 0)
        fail_msg("could not parse %s", text);
    return t;
}

/* Midnight UTC of the 1st of month m of year y (m may run past 12). */
static int64_t first_of(int64_t y, int m)
{
    y += (m - 1) / 12;
    m = (m - 1) % 12 + 1;
    return rw_days_from_civil(y, m, 1) * RW_SECONDS_PER_DAY;
}

/* ---- calendar ----------------------------------------------------------- */

static void test_days_from_civil_known(void **state)
{
    (void)state;
    assert_int_equal(rw_days_from_civil(1970, 1, 1), 0);
    assert_int_equal(rw_days_from_civil(1970, 1, 2), 1);
    assert_int_equal(rw_days_from_civil(1969, 12, 31), -1);
    assert_int_equal(rw_days_from_civil(2000, 3, 1), 11017);
    assert_int_equal(rw_days_from_civil(2026, 1, 1), 20454);
    assert_int_equal(rw_days_from_civil(1, 1, 1), -719162);
    assert_int_equal(rw_days_from_civil(9999, 12, 31), 2932896);
    assert_int_equal(rw_days_from_civil(0, 3, 1), -719468);
    int64_t y;
    int m, d;
    rw_civil_from_days(-719468, &y, &m, &d);
    assert_int_equal(y, 0);
    assert_int_equal(m, 3);
    assert_int_equal(d, 1);
    rw_civil_from_days(-1, &y, &m, &d);
    assert_int_equal(y, 1969);
    assert_int_equal(m, 12);
    assert_int_equal(d, 31);
}

/* Walk every day of 0001-01-01 .. 9999-12-31 (and a little around it):
 * each date follows the previous one by exactly one calendar day, and the
 * two conversions are inverse. */
static void test_every_day_round_trip(void **state)
{
    (void)state;
    int64_t first = rw_days_from_civil(0, 12, 1), last = rw_days_from_civil(10000, 2, 1);
    int64_t py;
    int pm, pd;
    rw_civil_from_days(first, &py, &pm, &pd);
    assert_int_equal(py, 0);
    assert_int_equal(pm, 12);
    assert_int_equal(pd, 1);
    for (int64_t z = first + 1; z <= last; z++) {
        int64_t y;
        int m, d;
        rw_civil_from_days(z, &y, &m, &d);
        int next_ok;
        if (pd < rw_days_in_month(py, pm))
            next_ok = y == py && m == pm && d == pd + 1;
        else if (pm < 12)
            next_ok = y == py && m == pm + 1 && d == 1;
        else
            next_ok = y == py + 1 && m == 1 && d == 1;
        if (!next_ok)
            fail_msg("day %lld: %lld-%d-%d after %lld-%d-%d", (long long)z, (long long)y, m, d,
                     (long long)py, pm, pd);
        if (rw_days_from_civil(y, m, d) != z)
            fail_msg("day %lld does not round-trip", (long long)z);
        py = y;
        pm = m;
        pd = d;
    }
    assert_int_equal(py, 10000);
}

static void test_leap_years(void **state)
{
    (void)state;
    assert_false(rw_is_leap_year(1900));
    assert_true(rw_is_leap_year(2000));
    assert_true(rw_is_leap_year(2024));
    assert_false(rw_is_leap_year(2025));
    assert_false(rw_is_leap_year(2100));
    assert_true(rw_is_leap_year(2400));
    assert_true(rw_is_leap_year(4));
    assert_false(rw_is_leap_year(1));
    assert_true(rw_is_leap_year(0));
    assert_int_equal(rw_days_in_month(1900, 2), 28);
    assert_int_equal(rw_days_in_month(2000, 2), 29);
    assert_int_equal(rw_days_in_month(2024, 2), 29);
    assert_int_equal(rw_days_in_month(2025, 2), 28);
    assert_int_equal(rw_days_in_month(2025, 4), 30);
    assert_int_equal(rw_days_in_month(2025, 12), 31);
    assert_int_equal(rw_days_in_month(2025, 0), 0);
    assert_int_equal(rw_days_in_month(2025, 13), 0);
    /* a leap year has 366 days, a century 365 unless divisible by 400 */
    assert_int_equal(rw_days_from_civil(2001, 1, 1) - rw_days_from_civil(2000, 1, 1), 366);
    assert_int_equal(rw_days_from_civil(1901, 1, 1) - rw_days_from_civil(1900, 1, 1), 365);
    assert_int_equal(rw_days_from_civil(2101, 1, 1) - rw_days_from_civil(2100, 1, 1), 365);
}

static void test_day_start(void **state)
{
    (void)state;
    assert_int_equal(rw_day_start(0), 0);
    assert_int_equal(rw_day_start(86399), 0);
    assert_int_equal(rw_day_start(86400), 86400);
    assert_int_equal(rw_day_start(-1), -86400);
    assert_int_equal(rw_day_start(-86400), -86400);
    assert_int_equal(rw_day_start(-86401), -172800);
    assert_int_equal(rw_day_start(T("2025-10-15T13:45:10Z")), T("2025-10-15"));
    assert_int_equal(rw_day_start(T("1969-07-20T20:17:40Z")), T("1969-07-20"));
    assert_int_equal(rw_day_start(INT64_MAX), INT64_MAX - INT64_MAX % 86400);
    assert_int_equal(rw_day_start(INT64_MIN), INT64_MIN); /* clamped */
}

/* ---- text form ---------------------------------------------------------- */

static void test_time_parse_known(void **state)
{
    (void)state;
    assert_int_equal(T("1970-01-01"), 0);
    assert_int_equal(T("1970-01-01T00:00:00Z"), 0);
    assert_int_equal(T("1970-01-01T00:00:01Z"), 1);
    assert_int_equal(T("1969-12-31T23:59:59Z"), -1);
    assert_int_equal(T("1969-12-31"), -86400);
    assert_int_equal(T("2000-03-01"), 951868800);
    assert_int_equal(T("2026-01-01"), 1767225600);
    assert_int_equal(T("2024-02-29"), 1709164800);
    assert_int_equal(T("2024-02-29T12:00:00Z"), 1709208000);
    assert_int_equal(T("2000-02-29"), 951782400);
    assert_int_equal(T("1900-01-01"), INT64_C(-2208988800));
    assert_int_equal(T("1900-03-01"), INT64_C(-2203891200));
    assert_int_equal(T("2038-01-19T03:14:08Z"), INT64_C(2147483648));
    assert_int_equal(T("0001-01-01"), RW_TIME_MIN);
    assert_int_equal(T("0001-01-01T00:00:00Z"), INT64_C(-62135596800));
    assert_int_equal(T("9999-12-31T23:59:59Z"), RW_TIME_MAX);
    assert_int_equal(T("9999-12-31T23:59:59Z"), INT64_C(253402300799));
    assert_int_equal(T("2025-10-15T13:45:10Z") - T("2025-10-15"), 13 * 3600 + 45 * 60 + 10);
    /* len ends the text */
    int64_t t = SENTINEL;
    assert_int_equal(rw_time_parse("2026-01-01T00:00:00Z", 10, &t), 0);
    assert_int_equal(t, 1767225600);
}

static void test_time_parse_invalid(void **state)
{
    (void)state;
    static const char *bad[] = {
        "2026-02-30", "2025-02-29", "1900-02-29", "2100-02-29", "2026-13-01", "2026-00-10",
        "2026-01-00", "2026-04-31", "2026-06-31", "2026-01-32", "0000-01-01", "0000-12-31",
        "2026-01-01T24:00:00Z", "2026-01-01T12:60:00Z", "2026-01-01T12:00:60Z",
        "2026-01-01T23:59:60Z", "2026-01-01T99:00:00Z",
        "2026-01-01T12:00:00", "2026-01-01 12:00:00Z", "2026-01-01t12:00:00Z",
        "2026-01-01T12:00:00z", "2026-01-01T12:00Z", "2026-01-01T12:00:00+00:00",
        "2026-01-01T12:00:00.5Z", "2026-01-01T", "2026-01-01Z", "2026-1-01", "2026-01-1",
        "26-01-01", "+2026-01-01", "-001-01-01", "20260101", "2026/01/01", "2026-0a-01",
        "2026-01-0a", "202a-01-01", " 2026-01-01", "2026-01-01 ", "", "2026-01-01T1a:00:00Z",
        "2026-01-01T12:0b:00Z", "2026-01-01T12:00:0cZ", "2026-01-01T-1:00:00Z",
        "12026-01-01", "2026--01-01", "2026-01-01T12-00-00Z", "2026-01-01T12:00:00ZZ",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        int64_t t = SENTINEL;
        if (rw_time_parse(bad[i], strlen(bad[i]), &t) != -1)
            fail_msg("accepted \"%s\"", bad[i]);
        assert_int_equal(t, SENTINEL);
    }
    int64_t t = SENTINEL;
    assert_int_equal(rw_time_parse("2026-01-01\0", 11, &t), -1);
    assert_int_equal(rw_time_parse(NULL, 10, &t), -1);
    assert_int_equal(rw_time_parse("2026-01-01", 10, NULL), -1);
    assert_int_equal(t, SENTINEL);
}

static void test_time_format(void **state)
{
    (void)state;
    char b[RW_TIME_BUFSIZE];
    assert_int_equal(rw_time_format(0, b, sizeof b), 20);
    assert_string_equal(b, "1970-01-01T00:00:00Z");
    assert_int_equal(rw_time_format(-1, b, sizeof b), 20);
    assert_string_equal(b, "1969-12-31T23:59:59Z");
    assert_int_equal(rw_time_format(1709208000, b, sizeof b), 20);
    assert_string_equal(b, "2024-02-29T12:00:00Z");
    assert_int_equal(rw_time_format(INT64_C(-2203891200), b, sizeof b), 20);
    assert_string_equal(b, "1900-03-01T00:00:00Z");
    assert_int_equal(rw_time_format(RW_TIME_MIN, b, sizeof b), 20);
    assert_string_equal(b, "0001-01-01T00:00:00Z");
    assert_int_equal(rw_time_format(RW_TIME_MAX, b, sizeof b), 20);
    assert_string_equal(b, "9999-12-31T23:59:59Z");
    assert_int_equal(rw_time_format(T("2025-10-15T13:45:10Z"), b, sizeof b), 20);
    assert_string_equal(b, "2025-10-15T13:45:10Z");

    /* outside 0001..9999, or too small a buffer */
    assert_int_equal(rw_time_format(RW_TIME_MAX + 1, b, sizeof b), -1);
    assert_string_equal(b, "");
    assert_int_equal(rw_time_format(RW_TIME_MIN - 1, b, sizeof b), -1);
    assert_int_equal(rw_time_format(INT64_MIN, b, sizeof b), -1);
    assert_int_equal(rw_time_format(INT64_MAX, b, sizeof b), -1);
    assert_int_equal(rw_time_format(0, b, 20), -1);
    assert_string_equal(b, "");
    assert_int_equal(rw_time_format(0, NULL, 21), -1);
    assert_true(rw_time_valid(RW_TIME_MIN));
    assert_true(rw_time_valid(RW_TIME_MAX));
    assert_false(rw_time_valid(RW_TIME_MIN - 1));
    assert_false(rw_time_valid(RW_TIME_MAX + 1));
}

static void test_time_round_trip(void **state)
{
    (void)state;
    /* every 7 hours 13 minutes 17 seconds across 1900..2100, plus the ends */
    char b[RW_TIME_BUFSIZE];
    for (int64_t t = T("1900-01-01"); t < T("2100-01-01"); t += 7 * 3600 + 13 * 60 + 17) {
        assert_int_equal(rw_time_format(t, b, sizeof b), 20);
        int64_t back = SENTINEL;
        assert_int_equal(rw_time_parse(b, 20, &back), 0);
        if (back != t)
            fail_msg("%lld -> %s -> %lld", (long long)t, b, (long long)back);
    }
    static const int64_t ends[] = {RW_TIME_MIN, RW_TIME_MIN + 1, RW_TIME_MAX, RW_TIME_MAX - 1, 0, -1};
    for (size_t i = 0; i < sizeof ends / sizeof ends[0]; i++) {
        assert_int_equal(rw_time_format(ends[i], b, sizeof b), 20);
        assert_int_equal(T(b), ends[i]);
    }
    /* the date-only form is midnight of the full form */
    assert_int_equal(T("1969-07-20"), T("1969-07-20T00:00:00Z"));
}

/* ---- fiscal periods ----------------------------------------------------- */

static void check_key(int64_t t, int start, rw_period_kind kind, const char *want)
{
    char b[RW_PERIOD_KEY_BUFSIZE];
    memset(b, 'x', sizeof b);
    int n = rw_period_key(t, start, kind, b, sizeof b);
    if (strcmp(b, want) != 0 || n != (int)strlen(want)) {
        char tb[RW_TIME_BUFSIZE];
        rw_time_format(t, tb, sizeof tb);
        fail_msg("%s start %d kind %d: got \"%s\" (%d), want \"%s\"", tb, start, (int)kind, b, n, want);
    }
}

/* One expectation: where an instant lies for one fiscal start month. */
struct expect {
    int start;                  /* fiscal_year_start_month */
    const char *year, *quarter, *month;
    const char *year_start, *quarter_start, *month_start;
};

static void check_all(const char *when, const struct expect *e, size_t n)
{
    int64_t t = T(when);
    for (size_t i = 0; i < n; i++) {
        check_key(t, e[i].start, RW_PERIOD_YEAR, e[i].year);
        check_key(t, e[i].start, RW_PERIOD_QUARTER, e[i].quarter);
        check_key(t, e[i].start, RW_PERIOD_MONTH, e[i].month);
        assert_int_equal(rw_period_start(t, e[i].start, RW_PERIOD_YEAR), T(e[i].year_start));
        assert_int_equal(rw_period_start(t, e[i].start, RW_PERIOD_QUARTER), T(e[i].quarter_start));
        assert_int_equal(rw_period_start(t, e[i].start, RW_PERIOD_MONTH), T(e[i].month_start));
    }
}

/* The SPEC's worked example (start 7: 2025-10-15 is FY2026-Q2, FY2026-M04)
 * and the same instant for every other start month. */
static void test_fiscal_mid_october(void **state)
{
    (void)state;
    static const struct expect e[] = {
        {1, "FY2025", "FY2025-Q4", "FY2025-M10", "2025-01-01", "2025-10-01", "2025-10-01"},
        {2, "FY2026", "FY2026-Q3", "FY2026-M09", "2025-02-01", "2025-08-01", "2025-10-01"},
        {3, "FY2026", "FY2026-Q3", "FY2026-M08", "2025-03-01", "2025-09-01", "2025-10-01"},
        {4, "FY2026", "FY2026-Q3", "FY2026-M07", "2025-04-01", "2025-10-01", "2025-10-01"},
        {5, "FY2026", "FY2026-Q2", "FY2026-M06", "2025-05-01", "2025-08-01", "2025-10-01"},
        {6, "FY2026", "FY2026-Q2", "FY2026-M05", "2025-06-01", "2025-09-01", "2025-10-01"},
        {7, "FY2026", "FY2026-Q2", "FY2026-M04", "2025-07-01", "2025-10-01", "2025-10-01"},
        {8, "FY2026", "FY2026-Q1", "FY2026-M03", "2025-08-01", "2025-08-01", "2025-10-01"},
        {9, "FY2026", "FY2026-Q1", "FY2026-M02", "2025-09-01", "2025-09-01", "2025-10-01"},
        {10, "FY2026", "FY2026-Q1", "FY2026-M01", "2025-10-01", "2025-10-01", "2025-10-01"},
        {11, "FY2025", "FY2025-Q4", "FY2025-M12", "2024-11-01", "2025-08-01", "2025-10-01"},
        {12, "FY2025", "FY2025-Q4", "FY2025-M11", "2024-12-01", "2025-09-01", "2025-10-01"},
    };
    check_all("2025-10-15T13:45:00Z", e, sizeof e / sizeof e[0]);
}

/* The last second of a calendar year and the first of the next. */
static void test_fiscal_calendar_year_boundary(void **state)
{
    (void)state;
    static const struct expect before[] = {
        {1, "FY2025", "FY2025-Q4", "FY2025-M12", "2025-01-01", "2025-10-01", "2025-12-01"},
        {2, "FY2026", "FY2026-Q4", "FY2026-M11", "2025-02-01", "2025-11-01", "2025-12-01"},
        {3, "FY2026", "FY2026-Q4", "FY2026-M10", "2025-03-01", "2025-12-01", "2025-12-01"},
        {4, "FY2026", "FY2026-Q3", "FY2026-M09", "2025-04-01", "2025-10-01", "2025-12-01"},
        {5, "FY2026", "FY2026-Q3", "FY2026-M08", "2025-05-01", "2025-11-01", "2025-12-01"},
        {6, "FY2026", "FY2026-Q3", "FY2026-M07", "2025-06-01", "2025-12-01", "2025-12-01"},
        {7, "FY2026", "FY2026-Q2", "FY2026-M06", "2025-07-01", "2025-10-01", "2025-12-01"},
        {8, "FY2026", "FY2026-Q2", "FY2026-M05", "2025-08-01", "2025-11-01", "2025-12-01"},
        {9, "FY2026", "FY2026-Q2", "FY2026-M04", "2025-09-01", "2025-12-01", "2025-12-01"},
        {10, "FY2026", "FY2026-Q1", "FY2026-M03", "2025-10-01", "2025-10-01", "2025-12-01"},
        {11, "FY2026", "FY2026-Q1", "FY2026-M02", "2025-11-01", "2025-11-01", "2025-12-01"},
        {12, "FY2026", "FY2026-Q1", "FY2026-M01", "2025-12-01", "2025-12-01", "2025-12-01"},
    };
    check_all("2025-12-31T23:59:59Z", before, sizeof before / sizeof before[0]);
    static const struct expect after[] = {
        {1, "FY2026", "FY2026-Q1", "FY2026-M01", "2026-01-01", "2026-01-01", "2026-01-01"},
        {2, "FY2026", "FY2026-Q4", "FY2026-M12", "2025-02-01", "2025-11-01", "2026-01-01"},
        {3, "FY2026", "FY2026-Q4", "FY2026-M11", "2025-03-01", "2025-12-01", "2026-01-01"},
        {4, "FY2026", "FY2026-Q4", "FY2026-M10", "2025-04-01", "2026-01-01", "2026-01-01"},
        {5, "FY2026", "FY2026-Q3", "FY2026-M09", "2025-05-01", "2025-11-01", "2026-01-01"},
        {6, "FY2026", "FY2026-Q3", "FY2026-M08", "2025-06-01", "2025-12-01", "2026-01-01"},
        {7, "FY2026", "FY2026-Q3", "FY2026-M07", "2025-07-01", "2026-01-01", "2026-01-01"},
        {8, "FY2026", "FY2026-Q2", "FY2026-M06", "2025-08-01", "2025-11-01", "2026-01-01"},
        {9, "FY2026", "FY2026-Q2", "FY2026-M05", "2025-09-01", "2025-12-01", "2026-01-01"},
        {10, "FY2026", "FY2026-Q2", "FY2026-M04", "2025-10-01", "2026-01-01", "2026-01-01"},
        {11, "FY2026", "FY2026-Q1", "FY2026-M03", "2025-11-01", "2025-11-01", "2026-01-01"},
        {12, "FY2026", "FY2026-Q1", "FY2026-M02", "2025-12-01", "2025-12-01", "2026-01-01"},
    };
    check_all("2026-01-01T00:00:00Z", after, sizeof after / sizeof after[0]);
}

/* Each start month's own fiscal-year boundary: the first second of FY
 * starting on the 1st of month s, and the last second of the one before. */
static void test_fiscal_year_boundary_every_month(void **state)
{
    (void)state;
    for (int s = 1; s <= 12; s++) {
        int64_t t0 = first_of(2025, s);
        int fy = s == 1 ? 2025 : 2026;
        char want[RW_PERIOD_KEY_BUFSIZE];

        snprintf(want, sizeof want, "FY%d", fy);
        check_key(t0, s, RW_PERIOD_YEAR, want);
        snprintf(want, sizeof want, "FY%d-Q1", fy);
        check_key(t0, s, RW_PERIOD_QUARTER, want);
        snprintf(want, sizeof want, "FY%d-M01", fy);
        check_key(t0, s, RW_PERIOD_MONTH, want);
        assert_int_equal(rw_period_start(t0, s, RW_PERIOD_YEAR), t0);
        assert_int_equal(rw_period_start(t0, s, RW_PERIOD_QUARTER), t0);
        assert_int_equal(rw_period_start(t0, s, RW_PERIOD_MONTH), t0);
        assert_int_equal(rw_fiscal_year(t0, s), fy);

        snprintf(want, sizeof want, "FY%d", fy - 1);
        check_key(t0 - 1, s, RW_PERIOD_YEAR, want);
        snprintf(want, sizeof want, "FY%d-Q4", fy - 1);
        check_key(t0 - 1, s, RW_PERIOD_QUARTER, want);
        snprintf(want, sizeof want, "FY%d-M12", fy - 1);
        check_key(t0 - 1, s, RW_PERIOD_MONTH, want);
        assert_int_equal(rw_period_start(t0 - 1, s, RW_PERIOD_YEAR), first_of(2024, s));
        assert_int_equal(rw_period_start(t0 - 1, s, RW_PERIOD_QUARTER), first_of(2024, s + 9));
        assert_int_equal(rw_period_start(t0 - 1, s, RW_PERIOD_MONTH), first_of(2024, s + 11));
        assert_int_equal(rw_fiscal_year(t0 - 1, s), fy - 1);
    }
}

/* Every day of 2019-2031 at 12:34:56 and at its first and last second, for
 * every start month and kind: the period start is a midnight on the 1st of
 * the right kind of month, not after t; the start has t's key and the second
 * before it does not; each month/quarter key agrees with the month count. */
static void test_fiscal_sweep(void **state)
{
    (void)state;
    for (int s = 1; s <= 12; s++) {
        for (int64_t day = T("2019-01-01"); day < T("2032-01-01"); day += RW_SECONDS_PER_DAY) {
            int64_t ts[3] = {day, day + 12 * 3600 + 34 * 60 + 56, day + RW_SECONDS_PER_DAY - 1};
            for (int k = 0; k < 3; k++) {
                int64_t t = ts[k];
                int64_t y;
                int m, d;
                rw_civil_from_days(day / RW_SECONDS_PER_DAY, &y, &m, &d);
                int fm = (m - s + 12) % 12; /* months since the fiscal year began */
                for (int kind = RW_PERIOD_MONTH; kind <= RW_PERIOD_YEAR; kind++) {
                    char key[RW_PERIOD_KEY_BUFSIZE], skey[RW_PERIOD_KEY_BUFSIZE], pkey[RW_PERIOD_KEY_BUFSIZE];
                    assert_true(rw_period_key(t, s, (rw_period_kind)kind, key, sizeof key) > 0);
                    int64_t start = rw_period_start(t, s, (rw_period_kind)kind);
                    assert_true(start <= t);
                    assert_int_equal(rw_day_start(start), start);
                    int64_t sy;
                    int sm, sd;
                    rw_civil_from_days(start / RW_SECONDS_PER_DAY, &sy, &sm, &sd);
                    assert_int_equal(sd, 1);
                    int back = kind == RW_PERIOD_MONTH ? 0 : kind == RW_PERIOD_QUARTER ? fm % 3 : fm;
                    assert_int_equal(sy * 12 + sm, y * 12 + m - back);
                    assert_true(rw_period_key(start, s, (rw_period_kind)kind, skey, sizeof skey) > 0);
                    assert_string_equal(skey, key);
                    assert_true(rw_period_key(start - 1, s, (rw_period_kind)kind, pkey, sizeof pkey) > 0);
                    assert_string_not_equal(pkey, key);
                    char want[RW_PERIOD_KEY_BUFSIZE];
                    int64_t fy = (s != 1 && m >= s) ? y + 1 : y;
                    if (kind == RW_PERIOD_MONTH)
                        snprintf(want, sizeof want, "FY%lld-M%02d", (long long)fy, fm + 1);
                    else if (kind == RW_PERIOD_QUARTER)
                        snprintf(want, sizeof want, "FY%lld-Q%d", (long long)fy, fm / 3 + 1);
                    else
                        snprintf(want, sizeof want, "FY%lld", (long long)fy);
                    assert_string_equal(key, want);
                }
            }
        }
    }
}

static void test_fiscal_pre_epoch_and_extremes(void **state)
{
    (void)state;
    check_key(T("1969-12-31T23:59:59Z"), 1, RW_PERIOD_MONTH, "FY1969-M12");
    check_key(T("1969-12-31T23:59:59Z"), 7, RW_PERIOD_MONTH, "FY1970-M06");
    check_key(T("1969-08-15"), 7, RW_PERIOD_QUARTER, "FY1970-Q1");
    assert_int_equal(rw_period_start(T("1969-08-15"), 7, RW_PERIOD_QUARTER), T("1969-07-01"));
    assert_int_equal(rw_period_start(T("1900-02-28T23:00:00Z"), 4, RW_PERIOD_YEAR), T("1899-04-01"));
    check_key(T("1900-02-28T23:00:00Z"), 4, RW_PERIOD_YEAR, "FY1900");

    /* year 0001: a fiscal year starting in July began in year 0 */
    check_key(RW_TIME_MIN, 7, RW_PERIOD_MONTH, "FY0001-M07");
    check_key(RW_TIME_MIN, 1, RW_PERIOD_QUARTER, "FY0001-Q1");
    assert_int_equal(rw_period_start(RW_TIME_MIN, 1, RW_PERIOD_YEAR), RW_TIME_MIN);
    assert_int_equal(rw_period_start(RW_TIME_MIN, 7, RW_PERIOD_YEAR),
                     RW_TIME_MIN - 184 * RW_SECONDS_PER_DAY);
    /* late 9999: the fiscal year ending in 10000 */
    check_key(RW_TIME_MAX, 1, RW_PERIOD_MONTH, "FY9999-M12");
    check_key(RW_TIME_MAX, 7, RW_PERIOD_MONTH, "FY10000-M06");
    check_key(RW_TIME_MAX, 7, RW_PERIOD_QUARTER, "FY10000-Q2");
    check_key(RW_TIME_MAX, 7, RW_PERIOD_YEAR, "FY10000");
    assert_int_equal(rw_fiscal_year(RW_TIME_MAX, 7), 10000);
    assert_int_equal(rw_period_start(RW_TIME_MAX, 7, RW_PERIOD_QUARTER), T("9999-10-01"));

    char b[12];
    assert_int_equal(rw_period_key(RW_TIME_MAX, 7, RW_PERIOD_MONTH, b, 12), 11);
    assert_string_equal(b, "FY10000-M06");
    assert_int_equal(rw_period_key(RW_TIME_MAX, 7, RW_PERIOD_MONTH, b, 11), -1);
    assert_string_equal(b, "");
    assert_int_equal(rw_period_key(RW_TIME_MAX, 1, RW_PERIOD_MONTH, b, 11), 10);
    assert_string_equal(b, "FY9999-M12");
}

static void test_fiscal_none_and_invalid(void **state)
{
    (void)state;
    char b[RW_PERIOD_KEY_BUFSIZE];
    int64_t t = T("2025-10-15");
    memset(b, 'x', sizeof b);
    assert_int_equal(rw_period_key(t, 7, RW_PERIOD_NONE, b, sizeof b), 0);
    assert_string_equal(b, "");
    assert_int_equal(rw_period_start(t, 7, RW_PERIOD_NONE), INT64_MIN);

    static const int bad_months[] = {0, 13, -1};
    for (size_t i = 0; i < sizeof bad_months / sizeof bad_months[0]; i++) {
        memset(b, 'x', sizeof b);
        assert_int_equal(rw_period_key(t, bad_months[i], RW_PERIOD_YEAR, b, sizeof b), -1);
        assert_string_equal(b, "");
        assert_int_equal(rw_period_start(t, bad_months[i], RW_PERIOD_YEAR), INT64_MIN);
        assert_int_equal(rw_fiscal_year(t, bad_months[i]), 0);
    }
    assert_int_equal(rw_period_key(t, 7, (rw_period_kind)4, b, sizeof b), -1);
    assert_int_equal(rw_period_start(t, 7, (rw_period_kind)4), INT64_MIN);
    assert_int_equal(rw_period_key(RW_TIME_MAX + 1, 7, RW_PERIOD_YEAR, b, sizeof b), -1);
    assert_int_equal(rw_period_key(INT64_MIN, 7, RW_PERIOD_MONTH, b, sizeof b), -1);
    assert_int_equal(rw_period_start(INT64_MAX, 7, RW_PERIOD_MONTH), INT64_MIN);
    assert_int_equal(rw_period_start(RW_TIME_MIN - 1, 1, RW_PERIOD_YEAR), INT64_MIN);
    assert_int_equal(rw_fiscal_year(INT64_MIN, 1), 0);
    assert_int_equal(rw_period_key(t, 7, RW_PERIOD_QUARTER, b, 9), -1); /* "FY2026-Q2" needs 10 */
    assert_int_equal(rw_period_key(t, 7, RW_PERIOD_QUARTER, b, 10), 9);
    assert_string_equal(b, "FY2026-Q2");
    assert_int_equal(rw_period_key(t, 7, RW_PERIOD_NONE, b, 0), -1);
    assert_int_equal(rw_period_key(t, 7, RW_PERIOD_YEAR, NULL, 16), -1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_days_from_civil_known),
        cmocka_unit_test(test_every_day_round_trip),
        cmocka_unit_test(test_leap_years),
        cmocka_unit_test(test_day_start),
        cmocka_unit_test(test_time_parse_known),
        cmocka_unit_test(test_time_parse_invalid),
        cmocka_unit_test(test_time_format),
        cmocka_unit_test(test_time_round_trip),
        cmocka_unit_test(test_fiscal_mid_october),
        cmocka_unit_test(test_fiscal_calendar_year_boundary),
        cmocka_unit_test(test_fiscal_year_boundary_every_month),
        cmocka_unit_test(test_fiscal_sweep),
        cmocka_unit_test(test_fiscal_pre_epoch_and_extremes),
        cmocka_unit_test(test_fiscal_none_and_invalid),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
