#!/usr/bin/env python3
"""sqlite-host runs on a small disk (issue 10, item 11).

    test_wal.py SQLITE_HOST REWARDS_CLI GEN_SCENARIO

The WAL is checkpointed every 128 pages and truncated back to 512 KB, so
its size stays bounded whatever the database's size.  Measured here:

- the largest size the -wal file reaches during a generated run (polled
  while the host runs) stays under 1 MiB (it reached 4 MB before);
- on a 3 MB tmpfs the host runs a scenario whose database is under 1 MB,
  with the same errors and outputs as rewards-cli;
- on a tmpfs too small for the database, the host stops with
  "line N: storage: ... database or disk is full" (exit 1); once the disk
  is grown (remount) the next run resumes and ends as one uninterrupted run.

The tmpfs cases need to mount (root, in a private mount namespace made by
unshare): without that privilege they are skipped with a message.
"""
import os
import shlex
import subprocess
import sys
import tempfile
import time

import hostlib

WAL_BOUND = 1024 * 1024


def peak_wal(host, db, scenario, outdir):
    hostlib.remove_db(db)
    cmd = [host, db, scenario, "--ledger", os.path.join(outdir, "ledger.csv"),
           "--payouts", os.path.join(outdir, "payouts.csv")]
    p = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                         env=dict(os.environ, RW_HOST_SLEEP_US="50"))
    peak = 0
    while p.poll() is None:
        try:
            peak = max(peak, os.path.getsize(db + "-wal"))
        except OSError:
            pass
        time.sleep(0.0005)
    err = p.stderr.read().decode("utf-8", "replace")
    hostlib.check_sanitizers(err, " ".join(cmd))
    return p.returncode, err, peak


def can_mount(mnt):
    r = subprocess.run(["unshare", "-m", "sh", "-c", "mount -t tmpfs -o size=1m tmpfs %s && umount %s"
                        % (shlex.quote(mnt), shlex.quote(mnt))], stderr=subprocess.DEVNULL)
    return r.returncode == 0


def main():
    host, cli, gen = sys.argv[1:4]
    c = hostlib.Checker("sqlite wal")
    with tempfile.TemporaryDirectory() as tmp:
        scen = os.path.join(tmp, "g.jsonl")
        # 1200 operations: a database under 1 MB now that the generator also writes
        # two-tier overrides, activities and adjustments (1500 made 1.05 MB)
        subprocess.run([sys.executable, gen, "--ops", "1200", scen], check=True)
        ref = hostlib.cli(cli, scen, tmp)
        out = os.path.join(tmp, "out")
        os.mkdir(out)
        db = os.path.join(tmp, "r.db")
        status, err, peak = peak_wal(host, db, scen, out)
        c.same("exit status of the generated run", ref.status, status)
        c.true("the WAL stays under %d bytes" % WAL_BOUND, peak <= WAL_BOUND, "(it reached %d)" % peak)
        c.same("ledger", ref.ledger, hostlib.read(os.path.join(out, "ledger.csv")))
        dbsize = os.path.getsize(db)
        print("peak WAL %d bytes, database %d bytes" % (peak, dbsize))

        mnt = os.path.join(tmp, "mnt")
        os.mkdir(mnt)
        if not can_mount(mnt):
            print("skipped: cannot mount a tmpfs (needs root); the small-disk runs are not checked")
            c.finish("WAL bounded (peak %d bytes)" % peak)
        c.true("the scenario needs under 1 MB", dbsize < 1024 * 1024, str(dbsize))
        q = shlex.quote
        led, pay = os.path.join(out, "l.csv"), os.path.join(out, "p.csv")
        run = "%s %s %s --ledger %s --payouts %s" % (q(host), q(os.path.join(mnt, "r.db")), q(scen), q(led), q(pay))
        script = ("mount -t tmpfs -o size=3m tmpfs {m} || exit 99\n"
                  "{run} 2>{o}/err1; echo $? >{o}/st1\n"
                  "umount {m}; mount -t tmpfs -o size=256k tmpfs {m}\n"
                  "{run} 2>{o}/err2; echo $? >{o}/st2\n"
                  "mount -o remount,size=3m {m}\n"
                  "{run} 2>{o}/err3; echo $? >{o}/st3\n").format(m=q(mnt), run=run, o=q(out))
        r = subprocess.run(["unshare", "-m", "sh", "-c", script])
        if r.returncode == 99:
            print("skipped: mounting the tmpfs failed")
            c.finish("WAL bounded (peak %d bytes)" % peak)

        def result(k):
            with open(os.path.join(out, "st%d" % k)) as f:
                st = int(f.read())
            with open(os.path.join(out, "err%d" % k), encoding="utf-8", errors="replace") as f:
                return st, f.read()

        st, err = result(1)
        hostlib.check_sanitizers(err, "host on a 3 MB tmpfs")
        c.same("3 MB disk: exit status", ref.status, st)
        c.same("3 MB disk: errors", ref.errors(), hostlib.Result(st, err).errors())
        c.same("3 MB disk: ledger", ref.ledger, hostlib.read(led))
        c.same("3 MB disk: payouts", ref.payouts, hostlib.read(pay))

        st, err = result(2)
        c.same("256 KB disk: the run stops", 1, st)
        c.true("256 KB disk: the report says the disk is full",
               ": storage: " in err and "database or disk is full" in err, err[-400:])
        st, err = result(3)
        c.same("grown disk: the resumed run's status", ref.status, st)
        c.same("grown disk: ledger as one uninterrupted run", ref.ledger, hostlib.read(led))
        c.same("grown disk: payouts as one uninterrupted run", ref.payouts, hostlib.read(pay))
    c.finish("WAL bounded (peak %d bytes); runs on a 3 MB disk; a full disk is reported and resumed" % peak)


if __name__ == "__main__":
    main()
