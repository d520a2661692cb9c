/*
 * fiscal.h - instants, their text form, and fiscal periods.
 *
 * An instant is int64 UTC seconds since 1970-01-01T00:00:00Z (SPEC section
 * 4).  The calendar is the proleptic Gregorian one, computed with plain
 * integer day arithmetic: no libc time functions, no locale, no TZ, so the
 * result never depends on the machine.  Supported instants are those of the
 * years 0001-9999 (RW_TIME_MIN..RW_TIME_MAX), the years the text form can
 * spell.
 */
#ifndef RW_FISCAL_H
#define RW_FISCAL_H

#include <stddef.h>
#include <stdint.h>

/* 0001-01-01T00:00:00Z and 9999-12-31T23:59:59Z. */
#define RW_TIME_MIN INT64_C(-62135596800)
#define RW_TIME_MAX INT64_C(253402300799)
#define RW_SECONDS_PER_DAY INT64_C(86400)

/* Non-zero when RW_TIME_MIN <= t <= RW_TIME_MAX. */
int rw_time_valid(int64_t t);

/* Days since 1970-01-01 of a proleptic Gregorian date (any year; month 1-12,
 * day 1-31, not validated: callers check rw_date_valid first). */
int64_t rw_days_from_civil(int64_t y, int m, int d);
/* The inverse: the date of day z since 1970-01-01 (exact for |z| < 2^50,
 * far beyond the years 0001-9999). */
void rw_civil_from_days(int64_t z, int64_t *y, int *m, int *d);
/* Non-zero for a leap year of the proleptic Gregorian calendar. */
int rw_is_leap_year(int64_t y);
/* Days in month m (1-12) of year y; 0 when m is out of range. */
int rw_days_in_month(int64_t y, int m);
/* Midnight UTC of the day containing t (floor, also before 1970). */
int64_t rw_day_start(int64_t t);

/*
 * Parse text[0..len), exactly "YYYY-MM-DD" (midnight UTC) or
 * "YYYY-MM-DDTHH:MM:SSZ": a 4-digit year 0001-9999, 2-digit fields, a real
 * calendar date, hours 00-23, minutes and seconds 00-59 (no leap seconds).
 * 0 and *out on success, -1 otherwise (*out untouched).
 */
int rw_time_parse(const char *text, size_t len, int64_t *out);

/* "YYYY-MM-DDTHH:MM:SSZ" into buf; returns 20.  -1 (and "" when size > 0)
 * when t is outside RW_TIME_MIN..RW_TIME_MAX or size < RW_TIME_BUFSIZE. */
#define RW_TIME_BUFSIZE 21
int rw_time_format(int64_t t, char *buf, size_t size);

/* ---- fiscal periods ----------------------------------------------------- */

/* Stored values, never renumber. */
typedef enum {
    RW_PERIOD_NONE = 0,     /* no period: the whole timeline */
    RW_PERIOD_MONTH = 1,
    RW_PERIOD_QUARTER = 2,
    RW_PERIOD_YEAR = 3
} rw_period_kind;

/*
 * A fiscal year starts on the 1st of fy_start_month (1-12) and is named by
 * the calendar year in which it ends: with start month 7, 2025-07-01 ..
 * 2026-06-30 is FY2026; with start month 1 the calendar year 2026 is FY2026.
 */

/* The fiscal year (its name's number) containing t; 0 (never a fiscal
 * year's name) when t is not rw_time_valid or fy_start_month is not 1-12. */
int64_t rw_fiscal_year(int64_t t, int fy_start_month);

/*
 * The key of the period of the given kind containing t: "FY2026",
 * "FY2026-Q1" (quarters of the fiscal year), "FY2026-M01" (months of the
 * fiscal year, M01 being the start month).  Example: start 7, 2025-10-15 ->
 * FY2026-Q2 and FY2026-M04.  RW_PERIOD_NONE gives "" and 0.  Returns the
 * length, or -1 (and "" when size > 0) when t is not rw_time_valid,
 * fy_start_month or kind is out of range, or buf is smaller than
 * RW_PERIOD_KEY_BUFSIZE needs for the key ("FY10000-M12" for late 9999).
 */
#define RW_PERIOD_KEY_BUFSIZE 16
int rw_period_key(int64_t t, int fy_start_month, rw_period_kind kind, char *buf, size_t size);

/*
 * The first instant (midnight UTC of the 1st) of the period containing t.
 * RW_PERIOD_NONE gives INT64_MIN: the unbounded period began before any
 * instant.  Invalid arguments (as rw_period_key) also give INT64_MIN, which
 * is never the start of a real period.
 */
int64_t rw_period_start(int64_t t, int fy_start_month, rw_period_kind kind);

#endif
