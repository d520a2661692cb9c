#!/usr/bin/env python3
"""Crash test: pg-host killed with SIGKILL again and again loses nothing and
applies nothing twice, without and with batches.

    test_crash.py PG_HOST REWARDS_CLI GEN_SCENARIO [--seed N] [--ops N]
                  [--kills N] [--sleep-us N] [--budget SECONDS] [--batches 0,37]

The rules are those of tests/sqlite/test_crash.py: a generated scenario
(gen_scenario.py, 3,000 operations by default) runs with a pause before
every COMMIT (RW_HOST_SLEEP_US) so that most kills land inside an open
transaction; the host is killed after a random delay, --kills times, the
delays spread over the file (some during start-up: connection, advisory
lock, restore); a last run finishes.  Its ledger and payouts must equal one
uninterrupted rewards-cli run byte for byte, the progress row never goes
back, each reference error is reported at least once and repeated only for
a line a killed run had not committed; the ledger_entry table must hold
exactly the export's rows.  A killed host's session ends with it, so the
next run must get the tenant's advisory lock again at once (a restart
refused as busy is a failure).  Each batch size of --batches runs in its
own tenant of one server; 0 is one transaction per line.

meson runs 15 kills per batch size (the suite's time budget on a 2-core
machine); a manual run takes --kills 30 or more.
"""
import argparse
import collections
import os
import random
import subprocess
import sys
import tempfile
import time

import pglib
import hostlib
from test_scenarios import check_ledger_table


def crash_run(c, a, server, conninfo, dbname, tenant, batch, scenario, ref, tmp, rng):
    started = time.monotonic()
    total = hostlib.count_lines(scenario)
    ref_errors = ref.errors()
    batch_args = ["--batch", str(batch)] if batch else []
    # a batch commits once per `batch` operation lines: a longer pause keeps
    # most of a batched run inside an open transaction, as without batches
    sleep_us = a.sleep_us * max(1, batch // 4)
    env = {"RW_HOST_SLEEP_US": str(sleep_us)}
    rate = max(1, batch) * 1e6 / (sleep_us + 500 * max(1, batch))
    kills = starts = busy = 0
    at_kill = []
    runs = []
    done = 0
    while kills < a.kills and time.monotonic() - started < a.budget:
        remaining = total - done
        if remaining <= 0:
            break
        if rng.random() < 0.1:
            delay = rng.uniform(0.001, 0.03)  # during connection, lock or restore
        else:
            delay = remaining / rate / (a.kills - kills) * rng.uniform(0.2, 1.8)
        errpath = os.path.join(tmp, "stderr-%s-%d" % (tenant, starts))
        with open(errpath, "wb") as errf:
            p = pglib.popen(a.host, conninfo, tenant, scenario, errf, env, batch_args)
            starts += 1
            t0 = time.monotonic()
            time.sleep(delay)
            killed = p.poll() is None
            if killed:
                p.kill()
            status = p.wait()
            elapsed = time.monotonic() - t0
        stderr = hostlib.read(errpath).decode("utf-8", "replace")
        hostlib.check_sanitizers(stderr, "run %d" % starts)
        if status == 3:
            busy += 1
        errors = hostlib.Result(status, stderr).errors()
        now = server.progress(tenant, dbname)
        runs.append((errors, killed, done, now))
        c.true("progress never goes back", now >= done, "(%d then %d)" % (done, now))
        if killed:
            kills += 1
            at_kill.append((done, now))
            if elapsed > 0.05 and now > done:
                rate = 0.5 * rate + 0.5 * (now - done) / elapsed
        else:
            c.true("an unkilled run ends normally", status in (0, 1), "status %d: %s" % (status, stderr[-500:]))
        done = now

    final = pglib.host(a.host, conninfo, tenant, scenario, tmp, args=batch_args)
    runs.append((final.errors(), False, done, total))
    c.true("the last run ends normally", final.status in (0, 1), final.stderr)
    c.same("ledger after %d kills" % kills, ref.ledger, final.ledger)
    c.same("payouts after %d kills" % kills, ref.payouts, final.payouts)
    c.same("traces after %d kills" % kills, ref.traces, final.traces)
    c.same("progress at the end", total, server.progress(tenant, dbname))
    c.same("no restart refused as busy (a killed host's lock ends with its session)", 0, busy)
    if final.ledger:
        check_ledger_table(c, server, dbname, tenant, final.ledger, "after the kills")

    seen = collections.Counter()
    repeatable = collections.Counter()
    for errors, killed, before, after in runs:
        last_line = before
        for e in errors:
            n = int(e.split(":")[0].split()[1])
            c.true("a run reports its lines in order, after the progress it started from", n > last_line, e)
            last_line = n
            if killed and n > after:
                repeatable[e] += 1
        seen.update(errors)
    c.same("errors reported (set)", sorted(set(ref_errors), key=ref_errors.index),
           sorted(set(seen), key=lambda e: ref_errors.index(e) if e in ref_errors else -1))
    for e, n in seen.items():
        c.true("error reported once (or again after a kill)", n <= 1 + repeatable[e], "%s: %d times" % (e, n))
    c.true("enough kills", kills >= min(a.kills, 10), "(%d)" % kills)
    spread = sorted(after for _, after in at_kill)
    return ("%s: %d kills, %d starts, progress at the kills min %d median %d max %d, %d before any new line, %.1f s"
            % ("batches of %d" % batch if batch else "one transaction per line", kills, starts,
               spread[0] if spread else 0, spread[len(spread) // 2] if spread else 0, spread[-1] if spread else 0,
               sum(1 for before, after in at_kill if before == after), time.monotonic() - started))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("host")
    ap.add_argument("cli")
    ap.add_argument("gen")
    ap.add_argument("--seed", type=int, default=20261201)
    ap.add_argument("--ops", type=int, default=3000)
    ap.add_argument("--kills", type=int, default=30)
    ap.add_argument("--sleep-us", type=int, default=1000)
    ap.add_argument("--budget", type=float, default=45.0, help="per batch size: stop killing after this many seconds")
    ap.add_argument("--batches", default="0,37")
    a = ap.parse_args()

    def body(server):
        c = hostlib.Checker("pg crash")
        rng = random.Random(a.seed)
        dbname = "crash"
        conninfo = server.createdb(dbname)
        summaries = []
        with tempfile.TemporaryDirectory() as tmp:
            scenario = os.path.join(tmp, "long.jsonl")
            subprocess.run([sys.executable, a.gen, "--seed", str(a.seed), "--ops", str(a.ops), scenario], check=True)
            ref = hostlib.cli(a.cli, scenario, tmp)
            c.true("rewards-cli ran", ref.status in (0, 1), ref.stderr)
            for batch in [int(x) for x in a.batches.split(",")]:
                summaries.append(crash_run(c, a, server, conninfo, dbname, "crash_%d" % batch, batch, scenario, ref,
                                           tmp, rng))
            entries = ref.ledger.count(b"\n") - 1 if ref.ledger else 0
        c.finish("%d operations, %d ledger entries, %d rejected lines; %s" % (
            a.ops, entries, len(ref.errors()), "; ".join(summaries)))

    pglib.main_with_server("pg crash", body)


if __name__ == "__main__":
    main()
