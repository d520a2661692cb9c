#!/usr/bin/env python3
"""Storage failures: when the database refuses a write, the line is reported
as `storage`, nothing of it is kept (neither in the engine nor in the
database), the run stops with exit status 1, and a later run resumes from
that line with byte-identical results.

    test_storage_failure.py SQLITE_HOST REWARDS_CLI GEN_SCENARIO [--seed N] [--ops N]

The failure is provoked by the host's test hook RW_HOST_FAIL=WHAT@LINE:
readonly (the connection turns read-only: SQLite refuses BEGIN IMMEDIATE),
put (temporary triggers make SQLite refuse the first INSERT: a record, or
the progress row) and commit (COMMIT fails after every record and the
progress row were written).  It is aimed
at lines of each sort: an operation the engine applies, one it rejects, an
event-id replay (a no-op with no engine transaction), a comment or blank
line, the first and the last line.  For each case:

- the failing run exits 1 and its last error line is `line N: storage: ...`;
  the errors before line N are the reference ones;
- its ledger and payouts are those of rewards-cli on lines 1..N-1 (the
  engine's state is that before line N), and the progress row says N-1;
- a second run, without the hook, reports exactly the reference errors from
  line N on and writes the reference ledger and payouts.
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
    ap.add_argument("--seed", type=int, default=5)
    ap.add_argument("--ops", type=int, default=400)
    a = ap.parse_args()
    c = hostlib.Checker("sqlite storage failure")
    rng = random.Random(a.seed)
    started = time.monotonic()
    with tempfile.TemporaryDirectory() as tmp:
        scenario = os.path.join(tmp, "gen.jsonl")
        subprocess.run([sys.executable, a.gen, "--seed", str(a.seed), "--ops", str(a.ops), scenario], check=True)
        with open(scenario, encoding="utf-8") as f:
            texts = f.read().split("\n")[:-1]
        total = len(texts)
        ref = hostlib.cli(a.cli, scenario, tmp)
        ref_errors = ref.errors()
        rejected = {line_of(e) for e in ref_errors}

        sorts = {"comment or blank": [], "rejected": [], "replay": [], "applied": []}
        earlier = set()
        for n, text in enumerate(texts, 1):
            if not text.strip() or text.lstrip().startswith("#"):
                sorts["comment or blank"].append(n)
            elif n in rejected:
                sorts["rejected"].append(n)
            elif text in earlier and '"event"' in text:
                sorts["replay"].append(n)
            else:
                sorts["applied"].append(n)
            earlier.add(text)
        targets = {"first line": [1], "last line": [total]}
        for sort, lines in sorts.items():
            c.true("the scenario has a line of each sort", lines, sort)
            targets[sort] = rng.sample(lines, min(2, len(lines)))

        before_cache = {}

        def before(n):
            """rewards-cli's outputs for lines 1..n-1."""
            if n not in before_cache:
                part = os.path.join(tmp, "part.jsonl")
                hostlib.head(scenario, n - 1, part)
                r = hostlib.cli(a.cli, part, tmp)
                before_cache[n] = (r.ledger, r.payouts)
            return before_cache[n]

        db = os.path.join(tmp, "rewards.db")
        cases = 0
        for what in ("readonly", "put", "commit"):
            for sort, lines in targets.items():
                for n in lines:
                    cases += 1
                    name = "%s@%d (%s)" % (what, n, sort)
                    hostlib.remove_db(db)
                    r = hostlib.host(a.host, db, scenario, tmp, env={"RW_HOST_FAIL": "%s@%d" % (what, n)})
                    c.same("exit status of the failing run, " + name, 1, r.status)
                    errs = r.errors()
                    c.true("the failing run ends with 'line %d: storage', %s" % (n, name),
                           errs and errs[-1] == "line %d: storage" % n, r.stderr[-300:])
                    c.same("errors before the failure, " + name,
                           [e for e in ref_errors if line_of(e) < n], [e for e in errs if line_of(e) < n])
                    c.true("nothing reported after the failing line, " + name,
                           all(line_of(e) <= n for e in errs), r.stderr[-300:])
                    ledger, payouts = before(n)
                    c.same("ledger of the failing run = state before line %d, %s" % (n, name), ledger, r.ledger)
                    c.same("payouts of the failing run = state before line %d, %s" % (n, name), payouts, r.payouts)
                    c.same("progress after the failure, " + name, n - 1, hostlib.progress(db))

                    r = hostlib.host(a.host, db, scenario, tmp)
                    later = [e for e in ref_errors if line_of(e) >= n]
                    c.same("exit status of the resumed run, " + name, 1 if later else 0, r.status)
                    c.same("errors of the resumed run, " + name, later, r.errors())
                    c.same("ledger of the resumed run, " + name, ref.ledger, r.ledger)
                    c.same("payouts of the resumed run, " + name, ref.payouts, r.payouts)
    c.finish("%d failures injected (%s) over %d lines; each reported as storage, undone, and resumed "
             "to byte-identical outputs; %.1f s" %
             (cases, ", ".join("%s: %s" % (k, v) for k, v in targets.items()), total, time.monotonic() - started))


if __name__ == "__main__":
    main()
