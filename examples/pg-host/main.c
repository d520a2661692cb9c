/*
 * pg-host - the host that keeps librewards' state in PostgreSQL, one
 * schema and one engine per tenant.
 *
 * It runs a scenario file exactly as sqlite-host does (the same line loop,
 * examples/common/hostrun.c: the same error lines, outputs, exit statuses,
 * exactly-once progress across kills and restarts, --batch N as one
 * transaction per N operation lines), with the records of tenant NAME in
 * the schema rw_NAME of the database --db names (pgdb.h), plus the typed
 * ledger_entry table for SQL reports (ledger_row.c).
 *
 * One host per tenant: the host holds the tenant's advisory lock for its
 * whole life, and a second host on the same tenant is refused at start
 * with exit status 3 (the one status sqlite-host does not have: "busy,
 * try later or elsewhere", distinct from 2, "cannot be used").  Many
 * tenants are many hosts, in one process each, on one server or many.
 *
 * This file is the arguments, the start (connect, lock, restore) and the
 * outputs; pgdb.c connects, storage.c holds the callbacks, progress.c the
 * progress row, restore.c rebuilds the engine, hooks.c has the test hooks.
 */
#include "hooks.h"
#include "hostrun.h"
#include "output.h"
#include "pgdb.h"
#include "progress.h"
#include "restore.h"
#include "storage.h"

#include <errno.h>
#include <rewards.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The tenant is in use by another host. */
#define EXIT_BUSY 3

static const char usage[] =
    "usage: pg-host [--db CONNINFO] [--tenant NAME] SCENARIO.jsonl [--ledger FILE] [--payouts FILE]\n"
    "               [--batch N] [--traces FILE]\n"
    "       pg-host --help | --version\n"
    "\n"
    "Runs a scenario file (JSON Lines, as rewards-cli run) with every librewards\n"
    "record of tenant NAME (default 'default'; [a-z0-9_], at most 48 bytes) kept in\n"
    "the schema rw_NAME of the PostgreSQL database CONNINFO names (a libpq\n"
    "connection string, e.g. \"host=/run/postgresql dbname=rewards\"; default: the\n"
    "PG* environment variables). Run again on the same tenant and file, it resumes\n"
    "after the last line applied: a run that was killed loses nothing and applies\n"
    "nothing twice. The ledger and payouts are written as CSV ('-' is standard\n"
    "output); the schema's ledger_entry table holds the ledger as typed columns.\n"
    "A rejected line prints 'line N: CODE: message' on standard error, in the\n"
    "run that handles it.\n"
    "Exit status: 0 every line of this run applied, 1 some line rejected or the\n"
    "server refused a write or went away (the run stops there; run again to\n"
    "resume), 2 the file, server or schema cannot be used (another tenant's\n"
    "schema, another scenario's lines), a line is not a JSON object, or an output\n"
    "cannot be written, 3 another host holds the tenant.\n"
    "--batch N applies N operation lines per PostgreSQL transaction; the progress\n"
    "row is written in the batch's commit.\n"
    "--traces writes every entry's calculation trace as JSON lines (as rewards-cli\n"
    "run --traces): the same after a restart as in one uninterrupted run.\n";

static int run(const char *conninfo, const char *tenant, const char *path, const output_files *files, long batch)
{
    char err[256];
    pg_hooks hooks;
    if (hooks_from_env(&hooks, err, sizeof err)) {
        fprintf(stderr, "pg-host: %s\n", err);
        return 2;
    }
    FILE *f = strcmp(path, "-") ? fopen(path, "rb") : stdin;
    if (!f) {
        fprintf(stderr, "pg-host: cannot read %s: %s\n", path, strerror(errno));
        return 2;
    }
    int status = 2;
    pg_db db;
    rewards_engine *e = NULL;
    rewards_storage storage;
    rewards_options options = REWARDS_OPTIONS_INIT;
    long done;
    uint64_t digest;
    pg_open_result opened = pg_db_open(&db, conninfo, tenant, &hooks);
    if (opened != PG_OPEN_OK) {
        fprintf(stderr, "pg-host: tenant %s: %s\n", tenant, db.errmsg);
        status = opened == PG_OPEN_BUSY ? EXIT_BUSY : 2;
        goto out;
    }
    storage_callbacks(&db, &storage);
    options.storage = &storage;
    if (rewards_engine_new(&e, &options) != REWARDS_OK) {
        fprintf(stderr, "pg-host: out of memory\n");
        goto out;
    }
    db.engine = e;
    if (restore_engine(&db, e, &done, &digest)) {
        fprintf(stderr, "pg-host: tenant %s: %s\n", tenant, db.errmsg);
        goto out;
    }
    host_backend backend;
    progress_backend(&db, &backend);
    status = host_apply_file(&backend, e, f, path, done, digest, batch);
    if (status != 2 && output_write_files(e, "pg-host", files))
        status = 2;
    if (hooks.stats)
        fprintf(stderr, "pg-host: stats: %ld commits, %.3f s in COMMIT\n", db.commits, (double)db.commit_ns / 1e9);
out:
    rewards_engine_free(e);
    pg_db_close(&db);
    if (f != stdin)
        fclose(f);
    return status;
}

/* A usage mistake: say which, then the usage; exit status 2. */
static int usage_error(const char *fmt, const char *what)
{
    fputs("pg-host: ", stderr);
    fprintf(stderr, fmt, what);
    fputs("\n\n", stderr);
    fputs(usage, stderr);
    return 2;
}

int main(int argc, char **argv)
{
    const char *conninfo = NULL, *tenant = NULL, *scenario = NULL, *ledger = NULL, *payouts = NULL, *traces = NULL;
    long batch = 0;
    for (int i = 1; i < argc; i++) {
        const char **value = !strcmp(argv[i], "--ledger")   ? &ledger
                             : !strcmp(argv[i], "--payouts") ? &payouts
                             : !strcmp(argv[i], "--db")      ? &conninfo
                             : !strcmp(argv[i], "--tenant")  ? &tenant
                             : !strcmp(argv[i], "--traces")  ? &traces
                                                             : NULL;
        if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
            fputs(usage, stdout);
            return 0;
        } else if (!strcmp(argv[i], "--version")) {
            printf("pg-host (librewards %s, libpq %d)\n", rewards_version_string(), PQlibVersion());
            return 0;
        } else if (value && i + 1 >= argc) {
            return usage_error("'%s' needs a value", argv[i]);
        } else if (value) {
            if (*value)
                return usage_error("'%s' given twice", argv[i]);
            *value = argv[++i];
        } else if (!strcmp(argv[i], "--batch")) {
            if (batch)
                return usage_error("'%s' given twice", argv[i]);
            if (i + 1 >= argc || (batch = host_batch_size(argv[i + 1])) <= 0)
                return usage_error("'--batch' needs a number of operations from 1 to 1000000000%s", "");
            i++;
        } else if (argv[i][0] == '-' && strcmp(argv[i], "-")) {
            return usage_error("unknown option '%s'", argv[i]);
        } else if (!scenario) {
            scenario = argv[i];
        } else {
            return usage_error("too many arguments: '%s' (one scenario file)", argv[i]);
        }
    }
    if (!scenario)
        return usage_error("a scenario file is needed%s", "");
    if (!tenant)
        tenant = "default";
    if (!pg_tenant_valid(tenant))
        return usage_error("the tenant name '%s' must be 1 to 48 bytes of a-z, 0-9 and _", tenant);
    if (ledger && payouts && !strcmp(ledger, "-") && !strcmp(payouts, "-"))
        return usage_error("--ledger - and --payouts - together would mix both files on standard output%s", "");
    if (traces && !strcmp(traces, "-") && ((ledger && !strcmp(ledger, "-")) || (payouts && !strcmp(payouts, "-"))))
        return usage_error("only one output may be '-' (standard output)%s", "");
    output_files files = { ledger, payouts, traces, NULL, NULL, INT64_MIN, INT64_MAX };
    return run(conninfo ? conninfo : "", tenant, scenario, &files, batch);
}
