/*
 * listing_example.c - the examples of docs/c-api-listing.md, run.
 *
 * The two loops below are copied verbatim from the page (the docs test
 * 'docs links and examples' checks that they stay identical); this program
 * gives them a small engine (two partners, three deals, one payout run) and
 * its output is compared with listing_example.expected.
 */
#include <rewards.h>
#include <stdio.h>
#include <string.h>

static int apply(rewards_engine *e, const char *kind, const char *const *kv)
{
    rewards_op *op;
    rewards_status st = rewards_op_new(e, &op, kind);
    for (; !st && kv[0]; kv += 2)
        st = !strcmp(kv[0], "rank") ? rewards_op_set_int(op, kv[0], 1)
             : !strcmp(kv[0], "auto_approve") ? rewards_op_set_bool(op, kv[0], 1)
                                               : rewards_op_set_string(op, kv[0], kv[1]);
    if (!st)
        st = rewards_engine_apply(e, op);
    if (st)
        fprintf(stderr, "%s: %s\n", kind, rewards_engine_errmsg(e));
    rewards_op_free(op);
    return st != REWARDS_OK;
}

static void list_deals(const rewards_engine *e)
{
for (size_t i = 0; i < rewards_engine_partner_count(e); i++) {
    const rewards_partner *p = rewards_engine_partner(e, i);
    for (size_t j = 0; j < rewards_partner_deal_count(p); j++)
        printf("%s %s\n", rewards_partner_id(p), rewards_deal_id(rewards_partner_deal(p, j)));
}
}

static void totals(const rewards_payout *run)
{
for (size_t i = 0; i < rewards_payout_currency_count(run); i++) {
    const char *cur = rewards_payout_currency(run, i);
    int64_t total;
    if (rewards_payout_total(run, cur, &total) == REWARDS_OK)
        printf("%s %lld\n", cur, (long long)total);
}
}

int main(void)
{
    rewards_engine *e;
    if (rewards_engine_new(&e, NULL))
        return 1;
    int bad = apply(e, "program", (const char *[]){ "id", "p", "name", "P", "currency", "USD", NULL }) ||
              apply(e, "level", (const char *[]){ "id", "l", "program", "p", "name", "L", "rank", "1", NULL }) ||
              apply(e, "reward", (const char *[]){ "id", "r", "level", "l", "name", "R", "trigger", "deal_won",
                                                   "recipient", "partner", "kind", "percent", "rate", "10%",
                                                   "auto_approve", "true", NULL }) ||
              apply(e, "partner", (const char *[]){ "id", "acme", "program", "p", "level", "l", "name", "A", NULL }) ||
              apply(e, "partner", (const char *[]){ "id", "bolt", "program", "p", "level", "l", "name", "B", NULL }) ||
              apply(e, "deal", (const char *[]){ "at", "2026-01-05", "id", "d1", "partner", "acme", "currency", "USD",
                                                 "amount", "1000.00", NULL }) ||
              apply(e, "deal", (const char *[]){ "at", "2026-01-06", "id", "d2", "partner", "bolt", "currency", "USD",
                                                 "amount", "500.00", NULL }) ||
              apply(e, "deal", (const char *[]){ "at", "2026-01-07", "id", "d3", "partner", "acme", "currency", "USD",
                                                 "amount", "200.00", NULL }) ||
              apply(e, "stage", (const char *[]){ "at", "2026-01-10", "deal", "d1", "stage", "won", NULL }) ||
              apply(e, "stage", (const char *[]){ "at", "2026-01-11", "deal", "d2", "stage", "won", NULL }) ||
              apply(e, "payout", (const char *[]){ "at", "2026-02-01", "id", "jan", "until", "2026-01-31", NULL });
    if (!bad) {
        list_deals(e);
        totals(rewards_engine_find_payout(e, "jan"));
    }
    rewards_engine_free(e);
    return bad;
}
