/*
 * test_decimal.c - pg-host's exact decimal for ledger_entry.amount
 * (ledger_decimal in examples/pg-host/ledger_row.c): minor units and an
 * exponent to text, integers only, at the edges (zero, values below one
 * unit, negative values, INT64_MIN and INT64_MAX, exponents 0 to 9).
 */
#include "ledger_row.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>

static int failures;

static void check(int64_t minor, int exponent, const char *want)
{
    char buf[48];
    ledger_decimal(minor, exponent, buf, sizeof buf);
    if (strcmp(buf, want)) {
        printf("FAIL: ledger_decimal(%lld, %d) = '%s', want '%s'\n", (long long)minor, exponent, buf, want);
        failures++;
    }
}

int main(void)
{
    check(0, 0, "0");
    check(0, 2, "0.00");
    check(5, 2, "0.05");
    check(-5, 2, "-0.05");
    check(-3550, 2, "-35.50");
    check(100, 2, "1.00");
    check(123456, 3, "123.456");
    check(7, 9, "0.000000007");
    check(-1, 9, "-0.000000001");
    check(42, 0, "42");
    check(-42, 0, "-42");
    check(INT64_MAX, 2, "92233720368547758.07");
    check(INT64_MIN, 2, "-92233720368547758.08");
    check(INT64_MIN, 0, "-9223372036854775808");
    check(INT64_MAX, 9, "9223372036.854775807");
    if (failures)
        return 1;
    printf("ledger_decimal: 15 cases\n");
    return 0;
}
