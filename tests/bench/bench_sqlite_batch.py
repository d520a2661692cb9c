#!/usr/bin/env python3
"""sqlite-host operations per second for batch sizes 1, 10, 100 and 1000
(docs/batches.md).  Prints; never asserts a time.

    bench_sqlite_batch.py SQLITE_HOST GEN_SCENARIO [--ops N] [--dir DIR] [--sizes 1,10,100,1000]

A scenario of N operations is generated (tests/sqlite/gen_scenario.py) and
run into a new database once per batch size (size 1 is also run without
--batch: one transaction per line, as sqlite-host does by default).  The
database lives in --dir (default: a temporary directory), so that the
fsync cost of that file system is what is measured; the synchronous mode
is the host's own.  Each figure is the best of --repeat runs.
"""
import argparse
import os
import subprocess
import sys
import tempfile
import time


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("host")
    ap.add_argument("gen")
    ap.add_argument("--ops", type=int, default=3000)
    ap.add_argument("--dir", default=None)
    ap.add_argument("--sizes", default="1,10,100,1000")
    ap.add_argument("--repeat", type=int, default=1)
    a = ap.parse_args()
    with tempfile.TemporaryDirectory(dir=a.dir) as tmp:
        scenario = os.path.join(tmp, "bench.jsonl")
        subprocess.run([sys.executable, a.gen, "--seed", "7", "--ops", str(a.ops), scenario], check=True)
        with open(scenario, encoding="utf-8") as f:
            ops = sum(1 for line in f if line.strip() and not line.lstrip().startswith("#"))
        db = os.path.join(tmp, "bench.db")
        runs = [("no --batch", [])] + [("--batch %s" % n, ["--batch", n]) for n in a.sizes.split(",")]
        base = None
        print("sqlite-host, %d operations, database in %s" % (ops, a.dir or tempfile.gettempdir()))
        for name, args in runs:
            best = None
            for _ in range(a.repeat):
                for suffix in ("", "-wal", "-shm", "-journal"):
                    if os.path.exists(db + suffix):
                        os.unlink(db + suffix)
                t0 = time.monotonic()
                p = subprocess.run([a.host, db, scenario] + args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
                dt = time.monotonic() - t0
                if p.returncode not in (0, 1):
                    print("%-14s failed with status %d" % (name, p.returncode))
                    break
                best = dt if best is None else min(best, dt)
            if best is None:
                continue
            rate = ops / best
            base = base or rate
            print("%-14s %8.0f operations/s  %7.3f s  x%.1f" % (name, rate, best, rate / base))


if __name__ == "__main__":
    main()
