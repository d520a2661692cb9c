#!/usr/bin/env python3
"""What sqlite-host refuses, rather than guess: each case exits 2 with a
message and leaves the database as it was.

    test_guards.py SQLITE_HOST REWARDS_CLI GEN_SCENARIO SCENARIO_DIR

- a second host on a database in use (exclusive lock);
- resuming with another file than the one the database holds, or with a
  shorter one;
- a line that is not JSON: the run stops there, nothing of that line is
  recorded, and once the file is fixed the run resumes and ends as one
  uninterrupted run of the fixed file;
- a corrupt record, a database with records but no progress row, a schema
  from a newer host, a database path that cannot be opened;
- command-line mistakes and a malformed test hook.
Also: '-' writes the ledger to standard output.
"""
import os
import sqlite3
import subprocess
import sys
import tempfile
import time

import hostlib


def main():
    host, cli, gen, sdir = sys.argv[1:5]
    c = hostlib.Checker("sqlite guards")
    started = time.monotonic()
    with tempfile.TemporaryDirectory() as tmp:
        db = os.path.join(tmp, "rewards.db")
        longfile = os.path.join(tmp, "long.jsonl")
        subprocess.run([sys.executable, gen, "--seed", "11", "--ops", "1500", longfile], check=True)
        small = os.path.join(sdir, "tiered_clawback.jsonl")
        other = os.path.join(sdir, "holds_release.jsonl")
        ref = hostlib.cli(cli, small, tmp)

        def refused(what, r, words):
            c.same("exit status: " + what, 2, r.status)
            c.true("message: " + what, words in r.stderr, repr(r.stderr[-300:]))

        # a second host while the first runs
        env = dict(os.environ, RW_HOST_SLEEP_US="2000")
        first = subprocess.Popen([host, db, longfile], stderr=subprocess.DEVNULL, env=env)
        for _ in range(200):
            if os.path.exists(db) and hostlib.progress(db) > 0:
                break
            time.sleep(0.01)
        r = hostlib.host(host, db, longfile, tmp)
        refused("a second host on the same database", r, "locked")
        still = first.poll() is None
        first.kill()
        first.wait()
        c.true("the first host was still running when the second was refused", still)

        # another file, a shorter file
        hostlib.remove_db(db)
        r = hostlib.host(host, db, small, tmp)
        c.same("ledger of the small scenario", ref.ledger, r.ledger)
        refused("resuming with another file", hostlib.host(host, db, other, tmp), "another file")
        part = os.path.join(tmp, "part.jsonl")
        hostlib.head(small, 5, part)
        refused("resuming with a shorter file", hostlib.host(host, db, part, tmp), "has only 5")
        r = hostlib.host(host, db, small, tmp)
        c.same("the database is intact after the refusals", (0, ref.ledger, ref.payouts),
               (r.status, r.ledger, r.payouts))

        # a line that is not JSON stops the run; fixed, the file resumes
        with open(small, encoding="utf-8") as f:
            lines = f.read().split("\n")
        broken = os.path.join(tmp, "broken.jsonl")
        bad = 12
        with open(broken, "w", encoding="utf-8") as f:
            f.write("\n".join(lines[:bad - 1] + ['{"op":"stage",'] + lines[bad - 1:]))
        hostlib.remove_db(db)
        r = hostlib.host(host, db, broken, tmp)
        refused("a line that is not JSON", r, "line %d: not JSON" % bad)
        c.same("no output after a fatal line", (None, None), (r.ledger, r.payouts))
        c.same("progress stops before the fatal line", bad - 1, hostlib.progress(db))
        r = hostlib.host(host, db, small, tmp)
        c.same("the fixed file resumes: ledger", ref.ledger, r.ledger)
        c.same("the fixed file resumes: payouts", ref.payouts, r.payouts)
        c.same("the fixed file resumes: errors", [e for e in ref.errors()], r.errors())

        # damaged databases
        def tamper(sql, what, words):
            hostlib.remove_db(db)
            hostlib.host(host, db, small, tmp)
            con = sqlite3.connect(db)
            con.executescript(sql)
            con.close()
            refused(what, hostlib.host(host, db, small, tmp), words)

        tamper("UPDATE deal SET data = CAST('rw1,1:9,garbage' AS BLOB) WHERE key = 'n2'", "a corrupt record",
               "rebuilding the engine: invalid_argument")
        tamper("UPDATE deal SET data = CAST('xx' AS BLOB)", "a record in an unknown format", "restoring deal")
        tamper("DELETE FROM host_progress", "records but no progress row", "no host_progress row")
        tamper("PRAGMA user_version = 99", "a schema from a newer host", "schema version 99")
        tamper("DELETE FROM program", "a record referring to a missing one", "rebuilding the engine")
        refused("a database path that cannot be opened", hostlib.host(host, tmp, small, tmp), tmp)

        # the command line
        for args, what in (([], "no argument"), ([db], "no scenario"), ([db, small, "extra"], "a third file"),
                           ([db, small, "--bogus"], "an unknown option"), (["-", small], "'-' as database")):
            p = subprocess.run([host] + args, capture_output=True)
            c.same("exit status: " + what, 2, p.returncode)
            c.true("usage printed: " + what, b"usage:" in p.stderr)
        for opt in ("--help", "--version"):
            p = subprocess.run([host, opt], capture_output=True)
            c.same("exit status of " + opt, 0, p.returncode)
        r = hostlib.host(host, db, small, tmp, env={"RW_HOST_FAIL": "sometimes"})
        refused("a malformed test hook", r, "RW_HOST_FAIL must be")

        hostlib.remove_db(db)
        p = subprocess.run([host, db, small, "--ledger", "-"], capture_output=True)
        c.same("ledger on standard output", ref.ledger, p.stdout)
    c.finish("every refusal exits 2 with its message and leaves the database usable; %.1f s" %
             (time.monotonic() - started))


if __name__ == "__main__":
    main()
