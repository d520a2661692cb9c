#!/usr/bin/env python3
"""Tenants and ownership: pg-host runs one engine per tenant, owns its tenant
through an advisory lock, and refuses what is not its own.

    test_tenants.py PG_HOST REWARDS_CLI GEN_SCENARIO SCENARIO_DIR

  - two hosts on two tenants at once (seen holding both locks at the same
    moment) each end equal to rewards-cli;
  - four hosts started together on a new tenant: one creates and runs it,
    three are refused as busy;
  - a second host on a busy tenant is refused at once with exit status 3 and
    a message naming the holder, writes no output and changes nothing; the
    first host finishes unharmed; once it is gone the tenant is free again;
  - a schema that belongs to another tenant (renamed), a schema pg-host did
    not make, lines of another scenario, and a shorter file are refused
    with exit status 2 and a clear message, changing nothing;
  - usage and connection errors: a bad tenant name, no scenario, a server
    that is not there (exit 2, libpq's reason).
"""
import os
import subprocess
import sys
import tempfile
import time

import pglib
import hostlib


def wait_for(cond, timeout=20.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if cond():
            return True
        time.sleep(0.02)
    return False


def main():
    pg_host, cli, gen, sdir = sys.argv[1:5]

    def body(server):
        c = hostlib.Checker("pg tenants")
        dbname = "tenants"
        conninfo = server.createdb(dbname)
        with tempfile.TemporaryDirectory() as tmp:
            scenario = os.path.join(tmp, "long.jsonl")
            subprocess.run([sys.executable, gen, "--seed", "5", "--ops", "1200", scenario], check=True)
            ref = hostlib.cli(cli, scenario, tmp)
            slow = {"RW_HOST_SLEEP_US": "1500"}

            # two tenants at once
            outs = {}
            procs = {}
            for t in ("north", "south"):
                outs[t] = os.path.join(tmp, t)
                os.mkdir(outs[t])
                errf = open(os.path.join(outs[t], "stderr"), "wb")
                procs[t] = (pglib.popen(pg_host, conninfo, t, scenario, errf, slow,
                                        ["--ledger", os.path.join(outs[t], "ledger.csv"),
                                         "--payouts", os.path.join(outs[t], "payouts.csv")]), errf)
            both = wait_for(lambda: server.query(
                "SELECT count(*) FROM pg_stat_activity WHERE application_name IN ('pg-host north', 'pg-host south')"
                " AND pid IN (SELECT pid FROM pg_locks WHERE locktype = 'advisory' AND granted)", dbname).strip() == "2")
            c.true("both hosts hold their tenant's lock at the same moment", both)
            for t, (p, errf) in procs.items():
                status = p.wait()
                errf.close()
                c.same(t + ": status", ref.status, status)
                c.same(t + ": ledger", ref.ledger, hostlib.read(os.path.join(outs[t], "ledger.csv")))
                c.same(t + ": payouts", ref.payouts, hostlib.read(os.path.join(outs[t], "payouts.csv")))
                c.same(t + ": errors", ref.errors(),
                       hostlib.Result(status, hostlib.read(os.path.join(outs[t], "stderr")).decode()).errors())

            # a second host on a busy tenant
            errpath = os.path.join(tmp, "first.err")
            first_out = os.path.join(tmp, "first")
            os.mkdir(first_out)
            with open(errpath, "wb") as errf:
                first = pglib.popen(pg_host, conninfo, "busy", scenario, errf, {"RW_HOST_SLEEP_US": "3000"},
                                    ["--ledger", os.path.join(first_out, "ledger.csv"),
                                     "--payouts", os.path.join(first_out, "payouts.csv")])
                c.true("the first host starts applying", wait_for(lambda: server.progress("busy", dbname) > 0))
                before = server.progress("busy", dbname)
                second = pglib.host(pg_host, conninfo, "busy", scenario, tmp)
                c.same("a second host on a busy tenant: exit status 3", 3, second.status)
                c.true("the refusal says why and names the holder",
                       "tenant busy: in use by another host" in second.stderr and "pid" in second.stderr,
                       second.stderr)
                c.true("the refused host writes no output", second.ledger is None and second.payouts is None)
                c.true("the refused host applies nothing", second.errors() == [], second.stderr)
                c.true("the first host is still running", first.poll() is None)
                c.true("progress went on (the refusal took nothing)", server.progress("busy", dbname) >= before)
                status = first.wait()
            c.same("busy: the first host's ledger", ref.ledger, hostlib.read(os.path.join(first_out, "ledger.csv")))
            c.same("busy: the first host's errors", ref.errors(),
                   hostlib.Result(status, hostlib.read(errpath).decode()).errors())
            again = pglib.host(pg_host, conninfo, "busy", scenario, tmp)
            c.same("the tenant is free once its host is gone", 0, again.status)
            c.same("a finished tenant: the same ledger, nothing applied", ref.ledger, again.ledger)

            # four hosts started together on a new tenant: the lock picks one
            racers = []
            for i in range(4):
                errf = open(os.path.join(tmp, "race-%d.err" % i), "wb")
                racers.append((pglib.popen(pg_host, conninfo, "race", scenario, errf, {"RW_HOST_SLEEP_US": "1000"},
                                           ["--ledger", os.path.join(tmp, "race-%d.csv" % i)]), errf, i))
            statuses = []
            for p, errf, i in racers:
                statuses.append(p.wait())
                errf.close()
            winners = [i for (p, errf, i), st in zip(racers, statuses) if st != 3]
            c.same("four hosts on a new tenant: one runs, three are refused as busy", (1, 3),
                   (len(winners), statuses.count(3)))
            if len(winners) == 1:
                c.same("the race's winner: ledger", ref.ledger,
                       hostlib.read(os.path.join(tmp, "race-%d.csv" % winners[0])))

            # a schema that belongs to another tenant
            small = os.path.join(sdir, "holds_release.jsonl")
            small_ref = hostlib.cli(cli, small, tmp)
            r = pglib.host(pg_host, conninfo, "ta", small, tmp)
            c.same("ta: ledger", small_ref.ledger, r.ledger)
            server.psql("ALTER SCHEMA rw_ta RENAME TO rw_tb", dbname)
            r = pglib.host(pg_host, conninfo, "tb", small, tmp)
            c.same("another tenant's schema: exit status 2", 2, r.status)
            c.true("another tenant's schema: the message", "schema rw_tb belongs to tenant 'ta', not 'tb'" in r.stderr,
                   r.stderr)
            c.true("another tenant's schema: no output", r.ledger is None)
            server.psql("ALTER SCHEMA rw_tb RENAME TO rw_ta", dbname)
            r = pglib.host(pg_host, conninfo, "ta", small, tmp)
            c.same("ta renamed back: resumes with nothing to do", (0, small_ref.ledger), (r.status, r.ledger))

            # a schema pg-host did not make
            server.psql("CREATE SCHEMA rw_alien; CREATE TABLE rw_alien.deal (id int)", dbname)
            r = pglib.host(pg_host, conninfo, "alien", small, tmp)
            c.same("a foreign schema: exit status 2", 2, r.status)
            c.true("a foreign schema: the message", "not made by pg-host" in r.stderr, r.stderr)
            c.same("a foreign schema is left alone", "deal",
                   server.query("SELECT string_agg(tablename, ',') FROM pg_tables WHERE schemaname = 'rw_alien'",
                                dbname).strip())

            # lines of another scenario, and a shorter file
            other = os.path.join(sdir, "bad_input.jsonl")
            done = server.progress("ta", dbname)
            r = pglib.host(pg_host, conninfo, "ta", other, tmp)
            c.same("another scenario: exit status 2", 2, r.status)
            c.true("another scenario: the message", "holds lines 1..%d of another file" % done in r.stderr
                   or "has only" in r.stderr, r.stderr)
            c.true("another scenario: no output", r.ledger is None)
            short = os.path.join(tmp, "short.jsonl")
            hostlib.head(small, done - 3, short)
            r = pglib.host(pg_host, conninfo, "ta", short, tmp)
            c.same("a shorter file: exit status 2", 2, r.status)
            c.true("a shorter file: the message", "the database holds %d lines but" % done in r.stderr, r.stderr)
            c.same("the tenant is unchanged", done, server.progress("ta", dbname))

            # usage and connection errors
            for args, what, needle in (
                    (["--db", conninfo, "--tenant", "Bad-Name", small], "a bad tenant name", "tenant name"),
                    (["--db", conninfo, "--tenant", "x" * 49, small], "a tenant name too long", "tenant name"),
                    (["--db", conninfo], "no scenario", "a scenario file is needed"),
                    (["--db", conninfo, "--db", conninfo, small], "--db twice", "given twice"),
                    (["--db", conninfo, "--batch", "0", small], "--batch 0", "--batch"),
                    (["--db", "host=%s/nowhere port=5432 dbname=x" % tmp, small], "no server", "cannot connect"),
                    (["--db", server.conninfo("missing_db"), small], "no such database", "cannot connect")):
                p = subprocess.run([pg_host] + args, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
                err = p.stderr.decode(errors="replace")
                hostlib.check_sanitizers(err, what)
                c.same(what + ": exit status 2", 2, p.returncode)
                c.true(what + ": the message", needle in err, err)
            for args, needle in ((["--help"], "usage: pg-host"), (["--version"], "pg-host (librewards ")):
                p = subprocess.run([pg_host] + args, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
                c.same(args[0] + ": exit status 0", 0, p.returncode)
                c.true(args[0] + ": the text", needle in p.stdout.decode(errors="replace"), p.stdout[:200])
        c.finish("two tenants at once, a race of four hosts for a new tenant (one wins), a busy tenant refused (status 3), another tenant's schema, a foreign schema, "
                 "another scenario, a shorter file, usage and connection errors refused (status 2)")

    pglib.main_with_server("pg tenants", body)


if __name__ == "__main__":
    main()
