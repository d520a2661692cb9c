/*
 * quickstart.c - the smallest complete host: a program, a level with a 10%
 * partner commission, a partner, a deal won, and the ledger printed as CSV.
 * Every change is an operation (a kind and its fields) applied as one
 * transaction.  Shown in the README; built and run by the tests.
 */
#include <rewards.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int print(void *user, const char *data, size_t size)
{
    return fwrite(data, 1, size, user) == size ? 0 : -1;
}

/* Apply one operation whose fields are string pairs; "rank" is an integer. */
static rewards_status apply(rewards_engine *e, const char *kind, const char *const *kv)
{
    rewards_op *op;
    rewards_status st = rewards_op_new(e, &op, kind);
    for (; !st && kv[0]; kv += 2)
        st = strcmp(kv[0], "rank") ? rewards_op_set_string(op, kv[0], kv[1])
                                   : rewards_op_set_int(op, kv[0], strtol(kv[1], NULL, 10));
    if (!st)
        st = rewards_engine_apply(e, op);
    if (st)
        fprintf(stderr, "%s: %s: %s\n", kind, rewards_status_name(st), rewards_engine_errmsg(e));
    rewards_op_free(op);
    return st;
}

int main(void)
{
    rewards_engine *e;
    if (rewards_engine_new(&e, NULL))
        return 1;
    int bad = apply(e, "program", (const char *[]){ "id", "resell", "name", "Resellers", "currency", "USD", NULL }) ||
              apply(e, "level", (const char *[]){ "id", "gold", "program", "resell", "name", "Gold", "rank", "1",
                                                  NULL }) ||
              apply(e, "reward", (const char *[]){ "id", "gold-10", "level", "gold", "name", "Gold 10%", "trigger",
                                                   "deal_won", "recipient", "partner", "kind", "percent", "rate",
                                                   "10%", NULL }) ||
              apply(e, "partner", (const char *[]){ "id", "acme", "program", "resell", "level", "gold", "name",
                                                    "Acme Corp", NULL }) ||
              apply(e, "deal", (const char *[]){ "at", "2026-01-05", "id", "d-100", "partner", "acme", "currency",
                                                 "USD", "amount", "12000.00", NULL }) ||
              apply(e, "stage", (const char *[]){ "at", "2026-01-20", "deal", "d-100", "stage", "won", NULL }) ||
              rewards_engine_export_ledger(e, print, stdout);
    rewards_engine_free(e);
    return bad;
}
