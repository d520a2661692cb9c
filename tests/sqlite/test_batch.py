#!/usr/bin/env python3
"""sqlite-host --batch N (docs/batches.md): N operation lines per database
transaction, the progress row written in the batch's commit.

    test_batch.py SQLITE_HOST REWARDS_CLI GEN_SCENARIO [--seed N] [--ops N]

- For batch sizes 1, 3, 10, 1000 a generated scenario gives rewards-cli's
  ledger, payouts and errors byte for byte, and the progress row ends at
  the last line.
- The database refusing a write (RW_HOST_FAIL=readonly@LINE or put@LINE)
  inside a batch: the run exits 1 with `line L: storage` where L ends the
  batch holding LINE; the whole batch is rolled back (the progress row is
  at a batch boundary before LINE, and the outputs are rewards-cli's on the
  lines up to it); a run without the hook resumes there and ends with the
  reference outputs, reporting exactly the reference errors after that
  boundary.
- --batch 0, x, a missing number, or given twice: exit 2.
"""
import argparse
import os
import random
import subprocess
import sys
import tempfile
import time

import hostlib


def line_of(error):
    return int(error.split(":")[0].split()[1])


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("host")
    ap.add_argument("cli")
    ap.add_argument("gen")
    ap.add_argument("--seed", type=int, default=11)
    ap.add_argument("--ops", type=int, default=400)
    a = ap.parse_args()
    c = hostlib.Checker("sqlite batch")
    rng = random.Random(a.seed)
    started = time.monotonic()
    with tempfile.TemporaryDirectory() as tmp:
        scenario = os.path.join(tmp, "gen.jsonl")
        subprocess.run([sys.executable, a.gen, "--seed", str(a.seed), "--ops", str(a.ops), scenario], check=True)
        total = hostlib.count_lines(scenario)
        ref = hostlib.cli(a.cli, scenario, tmp)
        ref_errors = ref.errors()
        db = os.path.join(tmp, "rewards.db")

        for n in (1, 3, 10, 1000):
            hostlib.remove_db(db)
            r = hostlib.host(a.host, db, scenario, tmp, args=["--batch", str(n)])
            c.same("exit status, --batch %d" % n, ref.status, r.status)
            c.same("errors, --batch %d" % n, ref_errors, r.errors())
            c.same("ledger, --batch %d" % n, ref.ledger, r.ledger)
            c.same("payouts, --batch %d" % n, ref.payouts, r.payouts)
            c.same("progress, --batch %d" % n, total, hostlib.progress(db))

        cases = 0
        for what in ("readonly", "put"):
            for n in sorted(rng.sample(range(2, total), 4)):
                cases += 1
                name = "%s@%d, --batch 10" % (what, n)
                hostlib.remove_db(db)
                r = hostlib.host(a.host, db, scenario, tmp, env={"RW_HOST_FAIL": "%s@%d" % (what, n)},
                                 args=["--batch", "10"])
                c.same("exit status of the failing run, " + name, 1, r.status)
                errs = r.errors()
                last = line_of(errs[-1]) if errs else 0
                c.true("the failing run ends with a storage line at or after %d, %s" % (n, name),
                       errs and errs[-1].endswith(": storage") and last >= n, r.stderr[-300:])
                c.true("the message names the batch rolled back, " + name, "was rolled back" in r.stderr,
                       r.stderr[-300:])
                p = hostlib.progress(db)
                c.true("progress before the failing line, " + name, p < n, "(%d)" % p)
                part = os.path.join(tmp, "part.jsonl")
                hostlib.head(scenario, p, part)
                want = hostlib.cli(a.cli, part, tmp)
                c.same("ledger of the failing run = state at the progress row, " + name, want.ledger, r.ledger)
                c.same("payouts of the failing run = state at the progress row, " + name, want.payouts, r.payouts)
                r = hostlib.host(a.host, db, scenario, tmp, args=["--batch", "10"])
                c.same("errors of the resumed run, " + name, [e for e in ref_errors if line_of(e) > p], r.errors())
                c.same("ledger of the resumed run, " + name, ref.ledger, r.ledger)
                c.same("payouts of the resumed run, " + name, ref.payouts, r.payouts)
                c.same("progress of the resumed run, " + name, total, hostlib.progress(db))

        for bad in (["--batch", "0"], ["--batch", "x"], ["--batch"], ["--batch", "2", "--batch", "3"]):
            r = hostlib.host(a.host, db, scenario, tmp, args=bad, outputs=False)
            c.same("usage mistake: " + " ".join(bad), 2, r.status)
            c.true("the message names --batch: " + " ".join(bad), "'--batch'" in r.stderr, r.stderr)
    c.finish("batch sizes 1, 3, 10, 1000 over %d lines; %d storage failures inside batches rolled back and "
             "resumed; %.1f s" % (total, cases, time.monotonic() - started))


if __name__ == "__main__":
    main()
