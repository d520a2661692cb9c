/*
 * explain.c - rewards-cli explain SCENARIO.jsonl ENTRY [--json]: run the
 * file, then say why entry ENTRY has its amount.
 *
 * --json prints the entry's trace as the library renders it (one JSON
 * object, docs/traces.md), for programs.  Without it the same items are
 * printed for people: a headline, one sentence for the cause, and every
 * item as an indented outline (nested keys indent under their parent).
 * Only the public trace API is used, so this is also its example.
 */
#include "cli.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int write_stdout(void *user, const char *data, size_t size)
{
    (void)user;
    return fwrite(data, 1, size, stdout) == size ? 0 : -1;
}

static const char *get(const rewards_trace *t, const char *key)
{
    const char *v = rewards_trace_get(t, key);
    return v ? v : "";
}

static void cause_sentence(const rewards_trace *t)
{
    const char *kind = get(t, "cause.kind");
    if (!strcmp(kind, "trigger"))
        printf("Why: reward %s fired on %s of %s at %s\n", get(t, "reward.id"), get(t, "trigger.kind"),
               get(t, "trigger.deal"), get(t, "trigger.at"));
    else if (!strcmp(kind, "amend"))
        printf("Why: deal %s was amended from %s to %s%s\n", get(t, "cause.deal"), get(t, "cause.from"), get(t, "cause.to"),
               !strcmp(get(t, "cause.other_deal"), "true") ? " (another deal of the same group: the group was recomputed)" : "");
    else if (!strcmp(kind, "cancel") && !strcmp(get(t, "cause.other_deal"), "true"))
        printf("Why: deal %s, another deal of the same group, was cancelled: the group was recomputed\n",
               get(t, "cause.deal"));
    else if (!strcmp(kind, "cancel"))
        printf("Why: deal %s was cancelled %s day(s) after the trigger, inside %s clawback day(s)\n", get(t, "cause.deal"),
               get(t, "cause.days_since_trigger"), get(t, "cause.clawback_days"));
    else if (!strcmp(kind, "override"))
        printf("Why: override %s of %s mirrors the child's entry %s\n", get(t, "reward.id"), get(t, "override.covers"),
               get(t, "override.source_entry"));
    else if (!strcmp(kind, "manual"))
        printf("Why: manual adjustment %s\n", get(t, "manual.id"));
    else if (!strcmp(kind, "redemption"))
        printf("Why: points redemption %s\n", get(t, "redemption.id"));
    else
        printf("Why: not recorded (the entry was stored without a trace)\n");
}

static void outline(const rewards_trace *t)
{
    const char *prev = "";
    for (size_t i = 0; i < rewards_trace_count(t); i++) {
        const char *key = rewards_trace_key(t, i), *value = rewards_trace_value(t, i);
        /* print the parent segments this key does not share with the previous key */
        size_t depth = 0;
        const char *p = key, *q = prev;
        for (;;) {
            const char *dot = strchr(p, '.');
            if (!dot)
                break;
            size_t n = (size_t)(dot - p);
            int shared = q && !strncmp(p, q, n) && q[n] == '.';
            if (!shared) {
                printf("%*s%.*s:\n", (int)(2 * depth + 2), "", (int)n, p);
                q = NULL;
            } else {
                q += n + 1;
            }
            p = dot + 1;
            depth++;
        }
        printf("%*s%s: %s\n", (int)(2 * depth + 2), "", p,
               rewards_trace_type(t, i) == REWARDS_TRACE_NULL ? "-" : value);
        prev = key;
    }
}

int cli_explain(int argc, char **argv)
{
    const char *scenario = NULL, *number = NULL;
    int json = 0;
    for (int i = 0; i < argc; i++) {
        if (!strcmp(argv[i], "--json"))
            json = 1;
        else if (argv[i][0] == '-' && strcmp(argv[i], "-"))
            return usage_error("unknown option '%s'", argv[i]);
        else if (!scenario)
            scenario = argv[i];
        else if (!number)
            number = argv[i];
        else
            return usage_error("explain takes a scenario and an entry number: '%s' is one too many", argv[i]);
    }
    if (!scenario || !number)
        return usage_error("explain needs a scenario file and an entry number%s", "");
    char *end;
    unsigned long long entry = strtoull(number, &end, 10);
    if (*end || !*number || number[0] < '0' || number[0] > '9' || entry == 0)
        return usage_error("'%s' is not an entry number (1, 2, 3 ...)", number);
    rewards_engine *e;
    if (rewards_engine_new(&e, NULL) != REWARDS_OK) {
        fprintf(stderr, "rewards-cli: out of memory\n");
        return 2;
    }
    int rejected = 0;
    int status = cli_apply_file(e, scenario, "", 0, &rejected);
    if (status) {
        rewards_engine_free(e);
        return status;
    }
    rewards_trace *t;
    rewards_status st = rewards_engine_trace(e, &t, (uint64_t)entry);
    if (st != REWARDS_OK) {
        fprintf(stderr, "rewards-cli: %s: %s\n", rewards_status_name(st), rewards_engine_errmsg(e));
        rewards_engine_free(e);
        return 2;
    }
    if (json) {
        if (rewards_trace_write_json(t, write_stdout, NULL) != REWARDS_OK || fputc('\n', stdout) == EOF)
            status = 2;
    } else {
        printf("Entry %s: %s of %s %s to %s %s (%s)\n", get(t, "entry"), get(t, "type"), get(t, "amount"),
               get(t, "currency"), get(t, "recipient_type"), get(t, "recipient"), get(t, "status"));
        cause_sentence(t);
        outline(t);
    }
    rewards_trace_free(t);
    rewards_engine_free(e);
    if (fflush(stdout))
        status = 2;
    return status ? status : rejected ? 1 : 0;
}
