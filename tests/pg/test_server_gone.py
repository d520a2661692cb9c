#!/usr/bin/env python3
"""Storage failures of pg-host: the server killed mid-batch (and mid-line),
a transaction the server refuses, a COMMIT that fails.

    test_server_gone.py PG_HOST REWARDS_CLI GEN_SCENARIO

Server killed: the host runs a generated scenario with a pause before every
COMMIT (RW_HOST_SLEEP_US), so that the transaction of a batch is open; once
some batches are committed the server is killed with SIGKILL (postmaster
and backends).  The host must stop with status 1 and a `storage` report, its
engine rolled back to the last committed batch: the outputs it writes are
those of rewards-cli on exactly the lines the database holds.  The server
is restarted (crash recovery) and the host run again: it resumes exactly,
and ends equal to one uninterrupted rewards-cli run, each rejected line
reported once, or again only when the killed run had not committed it.
The same without --batch (one transaction per line).

Refusals (test hooks, hooks.h): RW_HOST_FAIL=readonly@L (the server
refuses the line's first write) and commit@L (the COMMIT fails), inside a
batch and outside; the host stops at the line (or batch) with `storage`,
and the next run resumes to the same end.
"""
import os
import subprocess
import sys
import tempfile
import time

import pglib
import hostlib
from test_scenarios import check_ledger_table


def line_of(e):
    return int(e.split(":")[0].split()[1])


def resume_and_compare(c, a, server, conninfo, dbname, tenant, scenario, ref, tmp, what, args, first_errors, stopped):
    """The run after a failure: the same end as rewards-cli, errors each once (a stopped run's uncommitted repeat)."""
    done = server.progress(tenant, dbname)
    final = pglib.host(a.host, conninfo, tenant, scenario, tmp, args=args)
    c.true(what + ": the next run ends normally", final.status in (0, 1), final.stderr)
    c.same(what + ": ledger after resuming", ref.ledger, final.ledger)
    c.same(what + ": payouts after resuming", ref.payouts, final.payouts)
    c.same(what + ": traces after resuming", ref.traces, final.traces)
    c.true(what + ": the next run reports only lines after the progress", all(line_of(e) > done for e in final.errors()))
    c.same(what + ": errors over both runs", ref.errors(),
           [e for e in first_errors if line_of(e) <= done] + final.errors())
    if final.ledger:
        check_ledger_table(c, server, dbname, tenant, final.ledger, what)
    return done


def stopped_state_is_committed(c, a, server, dbname, tenant, scenario, stopped, tmp, what):
    """The stopped run's outputs are rewards-cli's on the lines the database holds."""
    done = server.progress(tenant, dbname)
    head = os.path.join(tmp, "head.jsonl")
    hostlib.head(scenario, done, head)
    part = hostlib.cli(a.cli, head, tmp)
    c.same(what + ": the stopped run's ledger is that of the committed lines (engine rolled back)", part.ledger,
           stopped.ledger)
    c.same(what + ": the stopped run's payouts likewise", part.payouts, stopped.payouts)
    return done


def kill_server_case(c, a, server, conninfo, dbname, tenant, scenario, ref, tmp, batch, sleep_us):
    what = "server killed " + ("mid-batch (--batch %d)" % batch if batch else "mid-line")
    args = ["--batch", str(batch)] if batch else []
    out = os.path.join(tmp, tenant)
    os.mkdir(out)
    errpath = os.path.join(out, "stderr")
    with open(errpath, "wb") as errf:
        p = pglib.popen(a.host, conninfo, tenant, scenario, errf, {"RW_HOST_SLEEP_US": str(sleep_us)},
                        args + ["--ledger", os.path.join(out, "ledger.csv"), "--payouts", os.path.join(out, "payouts.csv")])
        deadline = time.monotonic() + 30
        while server.progress(tenant, dbname) < max(3 * batch, 100) and time.monotonic() < deadline:
            time.sleep(0.02)
        time.sleep(sleep_us / 1e6 / 2)  # half-way into a pause: a transaction is open
        server.kill()
        try:
            status = p.wait(timeout=30)
        except subprocess.TimeoutExpired:
            p.kill()
            status = "hung"
    stderr = hostlib.read(errpath).decode("utf-8", "replace")
    hostlib.check_sanitizers(stderr, what)
    stopped = hostlib.Result(status, stderr, hostlib.read(os.path.join(out, "ledger.csv")) if os.path.exists(
        os.path.join(out, "ledger.csv")) else None, hostlib.read(os.path.join(out, "payouts.csv")) if os.path.exists(
        os.path.join(out, "payouts.csv")) else None)
    c.same(what + ": the host stops with status 1", 1, status)
    storage = [l for l in stderr.splitlines() if ": storage: " in l]
    c.true(what + ": the host reports storage", len(storage) == 1, stderr[-1000:])
    if batch:
        c.true(what + ": the report says the batch was rolled back", "was rolled back" in stderr, stderr[-1000:])
    server.start()
    done = stopped_state_is_committed(c, a, server, dbname, tenant, scenario, stopped, tmp, what)
    resume_and_compare(c, a, server, conninfo, dbname, tenant, scenario, ref, tmp, what, args, stopped.errors(),
                       stopped)
    return "%s at line %d: %s" % (what, done, storage[0][:110] if storage else "?")


def hook_case(c, a, server, conninfo, dbname, tenant, scenario, ref, tmp, hook, line, batch):
    what = "RW_HOST_FAIL=%s@%d%s" % (hook, line, " --batch %d" % batch if batch else "")
    args = ["--batch", str(batch)] if batch else []
    r = pglib.host(a.host, conninfo, tenant, scenario, tmp, env={"RW_HOST_FAIL": "%s@%d" % (hook, line)}, args=args)
    c.same(what + ": status 1", 1, r.status)
    storage = [l for l in r.stderr.splitlines() if ": storage: " in l]
    c.true(what + ": one storage report", len(storage) == 1, r.stderr[-800:])
    done = stopped_state_is_committed(c, a, server, dbname, tenant, scenario, r, tmp, what)
    c.true(what + ": stopped before the line", done < line, "(progress %d)" % done)
    resume_and_compare(c, a, server, conninfo, dbname, tenant, scenario, ref, tmp, what, args, r.errors(), r)
    return storage[0][:110] if storage else "?"


def main():
    class A:
        pass
    a = A()
    a.host, a.cli, a.gen = sys.argv[1:4]

    def body(server):
        c = hostlib.Checker("pg server gone")
        dbname = "gone"
        conninfo = server.createdb(dbname)
        notes = []
        with tempfile.TemporaryDirectory() as tmp:
            scenario = os.path.join(tmp, "long.jsonl")
            subprocess.run([sys.executable, a.gen, "--seed", "11", "--ops", "1500", scenario], check=True)
            ref = hostlib.cli(a.cli, scenario, tmp)
            notes.append(kill_server_case(c, a, server, conninfo, dbname, "kill_b", scenario, ref, tmp, 40, 60000))
            notes.append(kill_server_case(c, a, server, conninfo, dbname, "kill_1", scenario, ref, tmp, 0, 3000))
            # a batch of more statements than the pipeline's window (256): answers read mid-batch
            notes.append(kill_server_case(c, a, server, conninfo, dbname, "kill_b200", scenario, ref, tmp, 200,
                                          300000))
            total = hostlib.count_lines(scenario)
            for i, (hook, frac, batch) in enumerate((("readonly", 0.3, 0), ("commit", 0.5, 0), ("readonly", 0.4, 25),
                                                      ("commit", 0.7, 25))):
                # the line must be an operation that makes a transaction: take the first such at or after frac
                line = int(total * frac)
                notes.append(hook_case(c, a, server, conninfo, dbname, "hook_%d" % i, scenario, ref, tmp, hook,
                                       pick_line(scenario, line), batch))
        c.finish("; ".join(notes))

    pglib.main_with_server("pg server gone", body)


def pick_line(scenario, start):
    """The first line at or after start that is an operation the reference applies (not a comment or blank)."""
    with open(scenario, encoding="utf-8") as f:
        lines = f.read().split("\n")
    for n in range(start, len(lines) + 1):
        text = lines[n - 1].strip()
        if text and not text.startswith("#") and '"event_id"' not in text and '"op": "check"' not in text:
            return n
    return start


if __name__ == "__main__":
    main()
