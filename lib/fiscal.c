/*
 * fiscal.c - the calendar arithmetic behind instants and fiscal periods.
 *
 * Dates convert to and from a day count with the era-based algorithms of
 * H. Hinnant ("chrono-compatible low-level date algorithms"): the proleptic
 * Gregorian calendar splits into 400-year eras of exactly 146097 days, so the
 * conversion is a handful of integer divisions, exact for any year and
 * independent of libc's time functions, the locale and TZ.  Fiscal periods are
 * then plain month arithmetic relative to the fiscal year's start month.
 */
#include "fiscal.h"

/* ---- calendar ----------------------------------------------------------- */

int rw_time_valid(int64_t t) { return t >= RW_TIME_MIN && t <= RW_TIME_MAX; }

int rw_is_leap_year(int64_t y)
{
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

int rw_days_in_month(int64_t y, int m)
{
    static const unsigned char days[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (m < 1 || m > 12)
        return 0;
    return days[m - 1] + (m == 2 && rw_is_leap_year(y));
}

/* Floor division for a positive divisor: C's '/' truncates toward zero,
 * which would put negative days and years in the wrong era. */
static int64_t floor_div(int64_t a, int64_t b)
{
    int64_t q = a / b;
    return (a % b != 0 && a < 0) ? q - 1 : q;
}

int64_t rw_days_from_civil(int64_t y, int m, int d)
{
    /* Count years from March so the leap day is the last day of the year. */
    y -= m <= 2;
    int64_t era = floor_div(y, 400);
    int64_t yoe = y - era * 400;                                   /* [0, 399] */
    int64_t doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;  /* [0, 365] */
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;           /* [0, 146096] */
    return era * 146097 + doe - 719468;     /* 719468: 0000-03-01 to 1970-01-01 */
}

void rw_civil_from_days(int64_t z, int64_t *y, int *m, int *d)
{
    z += 719468;
    int64_t era = floor_div(z, 146097);
    int64_t doe = z - era * 146097;                                       /* [0, 146096] */
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;  /* [0, 399] */
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);                /* [0, 365] */
    int64_t mp = (5 * doy + 2) / 153;                                     /* March = 0 */
    int mon = (int)(mp < 10 ? mp + 3 : mp - 9);
    *d = (int)(doy - (153 * mp + 2) / 5 + 1);
    *m = mon;
    *y = yoe + era * 400 + (mon <= 2);
}

int64_t rw_day_start(int64_t t)
{
    int64_t r = t % RW_SECONDS_PER_DAY;
    if (r < 0)
        r += RW_SECONDS_PER_DAY;
    int64_t s;
    /* Only the first partial day of the int64 range has no representable
     * midnight; clamp rather than overflow. */
    if (__builtin_sub_overflow(t, r, &s))
        return INT64_MIN;
    return s;
}

/* ---- text form ---------------------------------------------------------- */

/* The unsigned decimal in text[0..n), every byte a digit, or -1. */
static int digits(const char *text, int n)
{
    int v = 0;
    for (int i = 0; i < n; i++) {
        if (text[i] < '0' || text[i] > '9')
            return -1;
        v = v * 10 + (text[i] - '0');
    }
    return v;
}

int rw_time_parse(const char *text, size_t len, int64_t *out)
{
    if (!text || !out || (len != 10 && len != 20))
        return -1;
    if (text[4] != '-' || text[7] != '-')
        return -1;
    int y = digits(text, 4), m = digits(text + 5, 2), d = digits(text + 8, 2);
    if (y < 1 || m < 1 || m > 12 || d < 1 || d > rw_days_in_month(y, m))
        return -1;
    int hh = 0, mm = 0, ss = 0;
    if (len == 20) {
        if (text[10] != 'T' || text[13] != ':' || text[16] != ':' || text[19] != 'Z')
            return -1;
        hh = digits(text + 11, 2);
        mm = digits(text + 14, 2);
        ss = digits(text + 17, 2);
        if (hh < 0 || hh > 23 || mm < 0 || mm > 59 || ss < 0 || ss > 59)
            return -1;
    }
    *out = rw_days_from_civil(y, m, d) * RW_SECONDS_PER_DAY + hh * 3600 + mm * 60 + ss;
    return 0;
}

/* n zero-padded digits of v at p; returns p + n. */
static char *put_digits(char *p, int64_t v, int n)
{
    for (int i = n - 1; i >= 0; i--) {
        p[i] = (char)('0' + v % 10);
        v /= 10;
    }
    return p + n;
}

int rw_time_format(int64_t t, char *buf, size_t size)
{
    if (buf && size > 0)
        buf[0] = '\0';
    if (!buf || size < RW_TIME_BUFSIZE || !rw_time_valid(t))
        return -1;
    int64_t day = rw_day_start(t);
    int64_t sec = t - day;
    int64_t y;
    int m, d;
    rw_civil_from_days(day / RW_SECONDS_PER_DAY, &y, &m, &d);
    char *p = buf;
    p = put_digits(p, y, 4);
    *p++ = '-';
    p = put_digits(p, m, 2);
    *p++ = '-';
    p = put_digits(p, d, 2);
    *p++ = 'T';
    p = put_digits(p, sec / 3600, 2);
    *p++ = ':';
    p = put_digits(p, sec / 60 % 60, 2);
    *p++ = ':';
    p = put_digits(p, sec % 60, 2);
    *p++ = 'Z';
    *p = '\0';
    return (int)(p - buf);
}

/* ---- fiscal periods ----------------------------------------------------- */

/*
 * Where t falls: its fiscal year (by name) and the 0-based month of that
 * fiscal year (0 = the start month).  The fiscal year named N starts in
 * calendar year N - 1 unless it starts in January.
 */
static void fiscal_position(int64_t t, int start, int64_t *fy, int *fmonth)
{
    int64_t y;
    int m, d;
    rw_civil_from_days(rw_day_start(t) / RW_SECONDS_PER_DAY, &y, &m, &d);
    *fy = (start != 1 && m >= start) ? y + 1 : y;
    *fmonth = (m - start + 12) % 12;
}

static int args_valid(int64_t t, int start, rw_period_kind kind)
{
    return rw_time_valid(t) && start >= 1 && start <= 12 &&
           (kind == RW_PERIOD_NONE || kind == RW_PERIOD_MONTH ||
            kind == RW_PERIOD_QUARTER || kind == RW_PERIOD_YEAR);
}

int64_t rw_fiscal_year(int64_t t, int fy_start_month)
{
    if (!args_valid(t, fy_start_month, RW_PERIOD_YEAR))
        return 0;
    int64_t fy;
    int fm;
    fiscal_position(t, fy_start_month, &fy, &fm);
    return fy;
}

int rw_period_key(int64_t t, int fy_start_month, rw_period_kind kind, char *buf, size_t size)
{
    if (buf && size > 0)
        buf[0] = '\0';
    if (!buf || !args_valid(t, fy_start_month, kind))
        return -1;
    if (kind == RW_PERIOD_NONE)
        return size > 0 ? 0 : -1;

    int64_t fy;
    int fm;
    fiscal_position(t, fy_start_month, &fy, &fm);
    /* The fiscal year ending in 10000 (late 9999) needs a fifth digit. */
    int ydigits = fy > 9999 ? 5 : 4;
    size_t need = 2 + (size_t)ydigits + (kind == RW_PERIOD_MONTH ? 4 : kind == RW_PERIOD_QUARTER ? 3 : 0) + 1;
    if (size < need)
        return -1;

    char *p = buf;
    *p++ = 'F';
    *p++ = 'Y';
    p = put_digits(p, fy, ydigits);
    if (kind == RW_PERIOD_QUARTER) {
        *p++ = '-';
        *p++ = 'Q';
        *p++ = (char)('1' + fm / 3);
    } else if (kind == RW_PERIOD_MONTH) {
        *p++ = '-';
        *p++ = 'M';
        p = put_digits(p, fm + 1, 2);
    }
    *p = '\0';
    return (int)(p - buf);
}

int64_t rw_period_start(int64_t t, int fy_start_month, rw_period_kind kind)
{
    if (!args_valid(t, fy_start_month, kind) || kind == RW_PERIOD_NONE)
        return INT64_MIN;

    int64_t fy;
    int fm;
    fiscal_position(t, fy_start_month, &fy, &fm);
    /* The period's first month, counted in months of the fiscal year. */
    int first = kind == RW_PERIOD_MONTH ? fm : kind == RW_PERIOD_QUARTER ? fm / 3 * 3 : 0;
    int64_t fy_first_year = fy_start_month == 1 ? fy : fy - 1;
    int months = fy_start_month - 1 + first;        /* from January of fy_first_year */
    int64_t y = fy_first_year + months / 12;
    int m = months % 12 + 1;
    return rw_days_from_civil(y, m, 1) * RW_SECONDS_PER_DAY;
}
