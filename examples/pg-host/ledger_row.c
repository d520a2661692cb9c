/*
 * ledger_row.c - ledger_entry: a typed, queryable copy of the ledger.
 *
 * The records pg-host keeps are the engine's opaque bytes (a later library
 * may change their encoding); reports need columns.  So whenever the
 * engine puts an entry record, the same transaction writes the entry's row
 * of ledger_entry from the PUBLIC accessors (rewards_entry_*), never from
 * the record's bytes: the row is what the ledger export shows, column for
 * column, and `SELECT partner, currency, sum(amount) FROM ledger_entry
 * GROUP BY 1, 2` sums exactly what the export lists.  The record key of an
 * entry is its number; entries are numbered 1, 2, 3 ... in creation order,
 * which is also their index + 1 in rewards_engine_entry().
 *
 * The amount is NUMERIC, made from the integer minor units and the
 * currency's exponent (rewards_engine_currency_exponent(), which knows the
 * currencies the host registered) by integer arithmetic and text, so no
 * floating point ever touches it; amount_minor keeps the integer too.
 * Absent values (no reward, no deal, no payout, no reason, no period) are
 * NULL; recipient is '' for an entry held with no user, as in the export.
 */
#include "ledger_row.h"
#include "pipe.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void ledger_decimal(int64_t minor, int exponent, char *buf, size_t size)
{
    /* the magnitude as unsigned, so that INT64_MIN has one too */
    uint64_t mag = minor < 0 ? (uint64_t)0 - (uint64_t)minor : (uint64_t)minor;
    char digits[32];
    int n = snprintf(digits, sizeof digits, "%" PRIu64, mag);
    if (exponent <= 0) {
        snprintf(buf, size, "%s%s", minor < 0 ? "-" : "", digits);
        return;
    }
    char padded[64];
    int zeros = exponent + 1 - n; /* at least one digit before the point */
    int len = 0;
    for (int i = 0; i < zeros; i++)
        padded[len++] = '0';
    memcpy(padded + len, digits, (size_t)n + 1);
    len += n;
    snprintf(buf, size, "%s%.*s.%s", minor < 0 ? "-" : "", len - exponent, padded, padded + len - exponent);
}

static const char *or_null(const char *s)
{
    return s && *s ? s : NULL;
}

int ledger_row_put(pg_db *db, const char *key)
{
    char *end;
    unsigned long long number = strtoull(key, &end, 10);
    const rewards_entry *en = *end || !number ? NULL : rewards_engine_entry(db->engine, (size_t)(number - 1));
    if (!en || rewards_entry_number(en) != number) {
        snprintf(db->errmsg, sizeof db->errmsg, "ledger_entry: no entry numbered '%s' in the engine", key);
        return -1;
    }
    const char *currency = rewards_entry_currency(en);
    int exponent = rewards_engine_currency_exponent(db->engine, currency);
    if (exponent < 0) {
        snprintf(db->errmsg, sizeof db->errmsg, "ledger_entry %s: unknown currency '%s'", key, currency);
        return -1;
    }
    char amount[48], minor[32], at[32];
    int64_t m = rewards_entry_amount(en);
    ledger_decimal(m, exponent, amount, sizeof amount);
    snprintf(minor, sizeof minor, "%" PRId64, m);
    if (rewards_time_format(rewards_entry_earned_at(en), at, sizeof at) != REWARDS_OK) {
        snprintf(db->errmsg, sizeof db->errmsg, "ledger_entry %s: earned_at out of range", key);
        return -1;
    }
    const rewards_reward *reward = rewards_entry_reward(en);
    const rewards_deal *deal = rewards_entry_deal(en);
    const rewards_payout *payout = rewards_entry_payout(en);
    const char *values[15] = {
        key,
        rewards_entry_type(en),
        reward ? rewards_reward_id(reward) : NULL,
        deal ? or_null(rewards_deal_id(deal)) : NULL,
        rewards_partner_id(rewards_entry_partner(en)),
        rewards_entry_recipient_type(en),
        rewards_entry_recipient(en),
        amount,
        minor,
        currency,
        rewards_entry_status(en),
        or_null(rewards_entry_reason(en)),
        or_null(rewards_entry_period(en)),
        at,
        payout ? rewards_payout_id(payout) : NULL,
    };
    return pipe_send(db, "entry_put", 15, values, NULL, NULL, "writing ledger_entry");
}

int ledger_row_del(pg_db *db, const char *key)
{
    const char *values[1] = { key };
    return pipe_send(db, "entry_del", 1, values, NULL, NULL, "deleting from ledger_entry");
}
