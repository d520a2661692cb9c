#!/usr/bin/env python3
"""sqlite-host reads and writes exactly as rewards-cli (issue 10, items 4-8).

    test_inputs.py SQLITE_HOST REWARDS_CLI

The shared reader and output code are used by both programs: the same file
gives the same error lines and exit status from both.  Cases: duplicate
keys, numbers beyond int64 or double, control bytes in ids (one report
line each), a NUL byte, a directory as the scenario, and outputs that
cannot be written (neither file is left); --traces gives rewards-cli's
traces, and its usage mistakes are named.
"""
import os
import re
import shutil
import subprocess
import sys
import tempfile

import hostlib

BAD = b"\n".join([
    b'{"op":"program","id":"p","name":"P","currency":"USD"}',
    b'{"op":"level","id":"l","program":"p","name":"L","rank":1}',
    b'{"op":"partner","id":"a","program":"p","level":"l","name":"A","attrs":{"n":12345678901234567890}}',
    b'{"op":"partner","id":"a","program":"p","level":"l","name":"A"}',
    b'{"op":"deal","at":"2026-01-01","id":"d","partner":"a","currency":"USD","amount":"1.00","amount":"1000000.00"}',
    b'{"op":"level","id":"m","program":"p","name":"M","rank":1e400}',
    b'{"op":"level","id":"m","program":"p","name":"M","rank":123456789012345678901}',
    b'{"op":"partner","id":"b","program":"p","level":"x\\r\\nline 99: ok","name":"B"}',
    b'{"op":"deal","at":"2026-01-01","id":"d","partner":"a","currency":"USD","amount":"1.00"}',
]) + b"\n"


def run(cmd):
    p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    err = p.stderr.decode("utf-8", "replace")
    hostlib.check_sanitizers(err, " ".join(cmd))
    return p.returncode, err


def main():
    host, cli = sys.argv[1:3]
    c = hostlib.Checker("sqlite inputs")
    with tempfile.TemporaryDirectory() as tmp:
        bad = os.path.join(tmp, "bad.jsonl")
        with open(bad, "wb") as f:
            f.write(BAD)
        db = os.path.join(tmp, "r.db")
        st_cli, err_cli = run([cli, "run", bad])
        st_host, err_host = run([host, db, bad])
        c.same("exit status of a file with bad lines", 1, st_host)
        c.same("the same status as rewards-cli", st_cli, st_host)
        c.same("the same error lines as rewards-cli", err_cli.splitlines(), err_host.splitlines())
        c.same("one report line per bad line", 5, len(err_host.splitlines()))
        c.true("duplicate key rejected", "line 5: invalid_argument: duplicate object key" in err_host, err_host)
        c.true("big integer is overflow", "line 3: overflow: field 'attrs.n'" in err_host, err_host)
        c.true("CR LF escaped", "x\\r\\nline 99: ok" in err_host, err_host)

        nul = os.path.join(tmp, "nul.jsonl")
        with open(nul, "wb") as f:
            f.write(BAD.replace(b'"rank":1}', b'"rank":1}\0x', 1))
        hostlib.remove_db(db)
        st, err = run([host, db, nul])
        c.same("exit status of a NUL byte", 2, st)
        c.true("a NUL byte names its line", "line 2: not JSON: a NUL byte at column" in err, err)

        hostlib.remove_db(db)
        st, err = run([host, db, tmp])
        c.same("exit status of a directory", 2, st)
        c.true("a directory gives the reason", "Is a directory" in err, err)

        hostlib.remove_db(db)
        payouts = os.path.join(tmp, "payouts.csv")
        st, err = run([host, db, bad, "--ledger", os.path.join(tmp, "no", "l.csv"), "--payouts", payouts])
        c.same("exit status of an unwritable ledger", 2, st)
        c.true("the reason is given", "No such file or directory" in err, err)
        c.true("no payouts file without the ledger", not os.path.exists(payouts))
        st, err = run([host, db, bad, "--ledger", "/dev/full", "--payouts", payouts])
        c.true("a full device gives the reason", "cannot write /dev/full: No space left on device" in err, err)
        c.true("no payouts file after a full device", not os.path.exists(payouts))
        c.true("no temporary file left", not [n for n in os.listdir(tmp) if ".tmp-" in n], os.listdir(tmp))

        # a database that cannot be opened: its path once, then SQLite's reason (issue 17)
        nodb = os.path.join(tmp, "no", "r.db")
        st, err = run([host, nodb, bad])
        c.same("exit status of an unopenable database", 2, st)
        c.same("the path is named once", 1, err.count(nodb))
        c.true("the reason is given", "cannot open: unable to open database file" in err, err)

        # --traces: the same traces as rewards-cli; usage mistakes
        hostlib.remove_db(db)
        tc, th = os.path.join(tmp, "tc.jsonl"), os.path.join(tmp, "th.jsonl")
        run([cli, "run", bad, "--traces", tc])
        st, err = run([host, db, bad, "--traces", th])
        c.same("exit status with --traces", 1, st)
        c.same("--traces as rewards-cli writes them", hostlib.read(tc), hostlib.read(th))
        for args, msg in ((["--traces"], "'--traces' needs a file name"),
                          (["--traces", th, "--traces", th], "'--traces' given twice"),
                          (["--traces", "-", "--ledger", "-"], "only one output may be '-'")):
            hostlib.remove_db(db)
            st, err = run([host, db, bad] + args)
            c.same("usage mistake: " + " ".join(args), 2, st)
            c.true("usage mistake named: " + msg, msg in err, err)

        # progress and summary on a terminal only (issue 17): script(1) gives one
        if shutil.which("script"):
            hostlib.remove_db(db)
            env = dict(os.environ, REWARDS_PROGRESS_MS="0")
            p = subprocess.run(["script", "-qec", f"'{host}' '{db}' '{bad}'", "/dev/null"],
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, env=env)
            tty = p.stdout.decode("utf-8", "replace").replace("\r\x1b[K", "\n").replace("\r", "")
            c.same("exit status on a terminal", 1, p.returncode)
            c.true("progress on a terminal", " lines/s" in tty, tty)
            c.true("summary on a terminal", re.search(r"^9 lines, 5 rejected, \d+\.\d s$", tty, re.M), tty)
            hostlib.remove_db(db)
            st, err = run([host, db, bad])
            c.true("no summary without a terminal", " rejected, " not in err and "lines/s" not in err, err)
    c.finish("same reports as rewards-cli; bad input and unwritable outputs refused")


if __name__ == "__main__":
    main()
