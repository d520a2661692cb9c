#!/usr/bin/env python3
"""sqlite-host and pg-host: operations per second for batch sizes 1, 10, 100
and 1000, and the share of the run spent in COMMIT (where the fsync is).
Prints; never asserts a time.

    bench_hosts.py GEN_SCENARIO [--sqlite SQLITE_HOST] [--pg PG_HOST] [--ops N]
                   [--dir DIR] [--sizes 1,10,100,1000] [--repeat N]

A scenario of N operations is generated (tests/sqlite/gen_scenario.py) and
run into a new database (sqlite-host) or a new tenant (pg-host) once per
batch size; "no --batch" is one transaction per line, each host's default.
The SQLite database and the PostgreSQL server's data directory both live in
--dir (default: the temporary directory), so the fsync cost of one file
system is measured.  The server is the test's own (tests/pg/pglib.py) with
fsync on and synchronous_commit on (the defaults), reached over a Unix
socket.  Each host prints, with RW_HOST_STATS=1, its number of COMMITs and
the time spent in them: for sqlite-host that is the WAL append and its
fsync (synchronous=FULL), for pg-host the round trip to the server, which
flushes its WAL to disk before answering.  Each figure is the best of
--repeat runs.
"""
import argparse
import os
import re
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "pg"))
import pglib  # noqa: E402

STATS_RE = re.compile(r"stats: ([0-9]+) commits, ([0-9.]+) s in COMMIT")


def run_one(cmd):
    env = dict(os.environ, RW_HOST_STATS="1")
    env.pop("RW_HOST_FAIL", None)
    env.pop("RW_HOST_SLEEP_US", None)
    t0 = time.monotonic()
    p = subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env)
    dt = time.monotonic() - t0
    m = STATS_RE.search(p.stderr.decode(errors="replace"))
    if p.returncode not in (0, 1) or not m:
        return None, "status %d: %s" % (p.returncode, p.stderr.decode(errors="replace")[-300:])
    return (dt, int(m.group(1)), float(m.group(2))), None


def bench(name, ops, runs, repeat, make_cmd):
    base = None
    print("%s, %d operations" % (name, ops))
    print("  %-14s %12s %9s %7s %8s %12s" % ("", "operations/s", "seconds", "speedup", "commits", "in COMMIT"))
    for label, args in runs:
        best = None
        for i in range(repeat):
            res, err = run_one(make_cmd(label, i, args))
            if err:
                print("  %-14s failed: %s" % (label, err))
                break
            best = res if best is None or res[0] < best[0] else best
        if best is None:
            continue
        dt, commits, commit_s = best
        rate = ops / dt
        base = base or rate
        print("  %-14s %12.0f %9.3f %6.1fx %8d %6.3f s %3.0f%%" % (label, rate, dt, rate / base, commits, commit_s,
                                                                    100 * commit_s / dt))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("gen")
    ap.add_argument("--sqlite", default=None)
    ap.add_argument("--pg", default=None)
    ap.add_argument("--ops", type=int, default=3000)
    ap.add_argument("--dir", default=None)
    ap.add_argument("--sizes", default="1,10,100,1000")
    ap.add_argument("--repeat", type=int, default=1)
    a = ap.parse_args()
    runs = [("no --batch", [])] + [("--batch %s" % n, ["--batch", n]) for n in a.sizes.split(",")]
    if a.dir:
        os.environ["TMPDIR"] = a.dir
        tempfile.tempdir = a.dir
    with tempfile.TemporaryDirectory() as tmp:
        scenario = os.path.join(tmp, "bench.jsonl")
        subprocess.run([sys.executable, a.gen, "--seed", "7", "--ops", str(a.ops), scenario], check=True)
        with open(scenario, encoding="utf-8") as f:
            ops = sum(1 for line in f if line.strip() and not line.lstrip().startswith("#"))
        print("files in %s" % tmp)
        if a.sqlite:
            def sqlite_cmd(label, i, args):
                db = os.path.join(tmp, "bench-%d-%d.db" % (runs.index((label, args)), i))
                return [a.sqlite, db, scenario] + args
            bench("sqlite-host (WAL, synchronous=FULL)", ops, runs, a.repeat, sqlite_cmd)
        if a.pg:
            missing = [b for b in ("initdb", "postgres") if not os.access(os.path.join(pglib.PG_BIN, b), os.X_OK)]
            if missing:
                print("pg-host: skipped, no PostgreSQL server binaries in %s" % pglib.PG_BIN)
                return
            server = pglib.Server(fsync=True)
            try:
                conninfo = server.createdb("bench")

                def pg_cmd(label, i, args):
                    tenant = "b%d_%d" % (runs.index((label, args)), i)
                    return [a.pg, "--db", conninfo, "--tenant", tenant, scenario] + args
                bench("pg-host (PostgreSQL 15, fsync on, Unix socket)", ops, runs, a.repeat, pg_cmd)
            finally:
                server.stop()


if __name__ == "__main__":
    main()
