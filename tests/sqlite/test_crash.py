#!/usr/bin/env python3
"""Crash test: sqlite-host killed with SIGKILL again and again loses nothing
and applies nothing twice.

    test_crash.py SQLITE_HOST REWARDS_CLI GEN_SCENARIO [--seed N] [--ops N]
                  [--kills N] [--sleep-us N] [--budget SECONDS] [--batch N]

A long scenario is generated (gen_scenario.py, deterministic).  The host
runs it with a small pause before every COMMIT (RW_HOST_SLEEP_US), so that
most kills land inside an open transaction, and is killed after a random
delay; then restarted, and killed again, --kills times, the delays spread
so that the kills cover the whole file (a few land during start-up and
restore).  A last run finishes the file.  Its ledger, payouts and traces
(every entry's calculation trace, --traces) must be byte-identical to those
of one uninterrupted rewards-cli run, the progress
row must never go back, and the errors reported over all runs must be the
reference ones: each once, except that a run killed right after reporting
a line may see that line reported again by the next run (reports are at
least once, never lost).  With --batch N the host commits N operation lines
per transaction: a killed run may then have reported several lines of its
uncommitted batch, which the next run reports again; every report of a run
is of a line after the progress it started from, and a repeat is allowed
only for a line the killed run had not committed.
"""
import argparse
import collections
import os
import random
import subprocess
import sys
import tempfile
import time

import hostlib


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("host")
    ap.add_argument("cli")
    ap.add_argument("gen")
    ap.add_argument("--seed", type=int, default=20260101)
    ap.add_argument("--ops", type=int, default=3000)
    ap.add_argument("--kills", type=int, default=30)
    ap.add_argument("--sleep-us", type=int, default=1000)
    ap.add_argument("--budget", type=float, default=45.0, help="stop killing after this many seconds")
    ap.add_argument("--batch", type=int, default=0, help="run the host with --batch N")
    a = ap.parse_args()
    c = hostlib.Checker("sqlite crash")
    rng = random.Random(a.seed)
    started = time.monotonic()
    with tempfile.TemporaryDirectory() as tmp:
        scenario = os.path.join(tmp, "long.jsonl")
        subprocess.run([sys.executable, a.gen, "--seed", str(a.seed), "--ops", str(a.ops), scenario], check=True)
        total = hostlib.count_lines(scenario)
        with open(scenario, encoding="utf-8") as f:
            ops = sum(1 for line in f if line.strip() and not line.lstrip().startswith("#"))
        ref = hostlib.cli(a.cli, scenario, tmp)
        c.true("rewards-cli ran", ref.status in (0, 1), ref.stderr)
        ref_errors = ref.errors()

        db = os.path.join(tmp, "rewards.db")
        batch_args = ["--batch", str(a.batch)] if a.batch else []
        env = dict(os.environ, RW_HOST_SLEEP_US=str(a.sleep_us))
        env.pop("RW_HOST_FAIL", None)
        rate = 1e6 / (a.sleep_us + 200)  # lines per second, refined as we go
        kills = starts = 0
        killed_time = 0.0
        killed_lines = 0
        at_kill = []  # progress after each kill
        runs = []  # (errors, killed)
        done = 0
        while kills < a.kills and time.monotonic() - started < a.budget:
            remaining = total - done
            if remaining <= 0:
                break
            if rng.random() < 0.1:
                delay = rng.uniform(0.001, 0.02)  # during start-up or the restore
            else:
                delay = remaining / rate / (a.kills - kills) * rng.uniform(0.2, 1.8)
            errpath = os.path.join(tmp, "stderr-%d" % starts)
            with open(errpath, "wb") as errf:
                p = subprocess.Popen([a.host, db, scenario] + batch_args, stdout=subprocess.DEVNULL, stderr=errf, env=env)
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
            errors = hostlib.Result(status, stderr).errors()
            now = hostlib.progress(db)
            runs.append((errors, killed, done, now))
            c.true("progress never goes back", now >= done, "(%d then %d)" % (done, now))
            if killed:
                kills += 1
                killed_time += elapsed
                killed_lines += now - done
                at_kill.append((done, now))
                if elapsed > 0.05 and now > done:
                    rate = 0.5 * rate + 0.5 * (now - done) / elapsed
            else:
                c.true("an unkilled run ends normally", status in (0, 1), "status %d" % status)
            done = now

        # the last run, uninterrupted and without the pause
        final = hostlib.host(a.host, db, scenario, tmp, args=batch_args)
        starts += 1
        runs.append((final.errors(), False, done, total))
        c.true("the last run ends normally", final.status in (0, 1), final.stderr)
        c.same("ledger after %d kills" % kills, ref.ledger, final.ledger)
        c.same("payouts after %d kills" % kills, ref.payouts, final.payouts)
        c.true("traces written", bool(ref.traces) and ref.traces.count(b"\n") == ref.ledger.count(b"\n") - 1,
               "(rewards-cli --traces)")
        c.same("traces after %d kills (every entry's calculation trace)" % kills, ref.traces, final.traces)
        c.same("progress at the end", total, hostlib.progress(db))

        # errors: every reference error reported, nothing else; a repeat only
        # for the last report of a killed run
        seen = collections.Counter()
        repeatable = collections.Counter()
        for errors, killed, before, after in runs:
            last_line = before
            for e in errors:
                n = int(e.split(":")[0].split()[1])
                c.true("a run reports its lines in order, after the progress it started from", n > last_line, e)
                last_line = n
                if killed and n > after:
                    repeatable[e] += 1  # reported, not committed: the next run reports it again
            seen.update(errors)
        c.same("errors reported (set)", sorted(set(ref_errors), key=ref_errors.index),
               sorted(set(seen), key=lambda e: ref_errors.index(e) if e in ref_errors else -1))
        for e, n in seen.items():
            c.true("error reported once (or again after a kill)", n <= 1 + repeatable[e], "%s: %d times" % (e, n))
        repeats = sum(n - 1 for n in seen.values())

        entries = ref.ledger.count(b"\n") - 1 if ref.ledger else 0
        spread = sorted(after for _, after in at_kill)
        c.true("enough kills", kills >= min(a.kills, 20), "(%d)" % kills)
        summary = (("batches of %d: " % a.batch if a.batch else "") + "%d kills and %d starts over %d lines (%d operations, %d ledger entries, %d rejected lines); "
                   "progress at the kills: min %d, median %d, max %d; %d kills before any new line; "
                   "%d error report(s) repeated after a kill; about %d%% of the killed runs' time was spent "
                   "inside an open transaction (the pause before COMMIT); %.1f s" %
                   (kills, starts, total, ops, entries, len(ref_errors),
                    spread[0] if spread else 0, spread[len(spread) // 2] if spread else 0,
                    spread[-1] if spread else 0,
                    sum(1 for before, after in at_kill if before == after),
                    repeats, 100 * killed_lines / max(1, a.batch) * a.sleep_us / 1e6 / killed_time if killed_time else 0,
                    time.monotonic() - started))
    c.finish(summary)


if __name__ == "__main__":
    main()
