/*
 * A program outside the tree, built against the installed library with
 * `pkg-config --cflags --libs librewards`: it checks the run-time version
 * and computes a commission through the public API only.
 */
#include <rewards.h>
#include <stdio.h>
#include <string.h>

static int collect(void *user, const char *data, size_t size)
{
    strncat(user, data, size);
    return 0;
}

int main(void)
{
    if (rewards_version() / 10000 != REWARDS_VERSION_MAJOR)
        return 1;
    rewards_engine *e;
    if (rewards_engine_new(&e, NULL))
        return 1;
    const char *ops[][12] = {
        { "program", "id", "p", "name", "P", "currency", "USD", NULL },
        { "partner", "id", "acme", "program", "p", "level", "l", "name", "Acme", NULL },
        { "deal", "at", "2026-01-05", "id", "d", "partner", "acme", "currency", "USD", "amount", "1000.00", NULL },
    };
    rewards_op *op;
    int bad = 0;
    for (size_t i = 0; i < 3 && !bad; i++) {
        if (i == 1) { /* a level and a reward need an integer field */
            bad |= rewards_op_new(e, &op, "level") || rewards_op_set_string(op, "id", "l") ||
                   rewards_op_set_string(op, "program", "p") || rewards_op_set_string(op, "name", "L") ||
                   rewards_op_set_int(op, "rank", 1) || rewards_engine_apply(e, op);
            rewards_op_free(op);
            const char *kv[] = { "id", "r", "level", "l", "name", "R", "trigger", "deal_registered", "recipient",
                                 "partner", "kind", "percent", "rate", "2.5%", NULL };
            bad |= rewards_op_new(e, &op, "reward");
            for (size_t k = 0; !bad && kv[k]; k += 2)
                bad |= rewards_op_set_string(op, kv[k], kv[k + 1]);
            bad |= bad || rewards_engine_apply(e, op);
            rewards_op_free(op);
        }
        bad |= rewards_op_new(e, &op, ops[i][0]);
        for (size_t k = 1; !bad && ops[i][k]; k += 2)
            bad |= rewards_op_set_string(op, ops[i][k], ops[i][k + 1]);
        bad |= bad || rewards_engine_apply(e, op);
        rewards_op_free(op);
    }
    char csv[1024] = "";
    bad |= bad || rewards_engine_export_ledger(e, collect, csv);
    rewards_engine_free(e);
    if (bad || !strstr(csv, "1,earned,r,d,acme,partner,acme,25.00,USD,pending,,,2026-01-05T00:00:00Z,\n")) {
        fprintf(stderr, "unexpected ledger:\n%s\n", csv);
        return 1;
    }
    printf("outside program linked against librewards %s: ok\n", rewards_version_string());
    return 0;
}
