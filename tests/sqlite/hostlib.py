"""Helpers shared by the SQLite host tests: running the programs, reading
their outputs, comparing them byte for byte with a readable diff."""
import difflib
import os
import re
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time

ERROR_RE = re.compile(r"^(line ([0-9]+): [a-z_]+): .*$")
SANITIZER_RE = re.compile(r"ERROR: (Address|Leak|Undefined)Sanitizer|runtime error: ")


def check_sanitizers(stderr, what):
    """Stop the test at once when a sanitizer reported something."""
    if SANITIZER_RE.search(stderr):
        print("FAIL: a sanitizer reported an error in %s:\n%s" % (what, stderr[-4000:]))
        sys.exit(1)


class Result:
    """What one run of rewards-cli or sqlite-host produced."""

    def __init__(self, status, stderr, ledger=None, payouts=None, traces=None):
        self.status = status
        self.stderr = stderr
        self.ledger = ledger
        self.payouts = payouts
        self.traces = traces

    def errors(self):
        """The 'line N: CODE' part of every error line, as the .errors.txt files hold it."""
        out = []
        for line in self.stderr.splitlines():
            m = ERROR_RE.match(line)
            if m:
                out.append(m.group(1))
        return out


def read(path):
    with open(path, "rb") as f:
        return f.read()


def _run(cmd, outdir, env=None, outputs=True):
    ledger = os.path.join(outdir, "ledger.csv")
    payouts = os.path.join(outdir, "payouts.csv")
    traces = os.path.join(outdir, "traces.jsonl")
    for p in (ledger, payouts, traces):
        if os.path.exists(p):
            os.unlink(p)
    if outputs:
        cmd = cmd + ["--ledger", ledger, "--payouts", payouts, "--traces", traces]
    full_env = dict(os.environ)
    full_env.pop("RW_HOST_FAIL", None)
    full_env.pop("RW_HOST_SLEEP_US", None)
    if env:
        full_env.update(env)
    p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=full_env)
    err = p.stderr.decode("utf-8", "replace")
    check_sanitizers(err, " ".join(cmd))
    return Result(p.returncode, err,
                  read(ledger) if os.path.exists(ledger) else None,
                  read(payouts) if os.path.exists(payouts) else None,
                  read(traces) if os.path.exists(traces) else None)


def cli(cli_path, scenario, outdir):
    return _run([cli_path, "run", scenario], outdir)


def host(host_path, db, scenario, outdir, env=None, outputs=True, args=()):
    return _run([host_path, db, scenario] + list(args), outdir, env, outputs)


def head(src, n, dst):
    """Write the first n lines of src to dst."""
    with open(src, "rb") as f:
        lines = f.read().split(b"\n")
    with open(dst, "wb") as f:
        f.write(b"\n".join(lines[:n]) + (b"\n" if n else b""))


def count_lines(path):
    with open(path, "rb") as f:
        data = f.read()
    return data.count(b"\n") + (0 if data.endswith(b"\n") or not data else 1)


def progress(db):
    """The host's progress row (lines applied), read from a copy so that the
    host's own files, a hot write-ahead log included, stay untouched.

    While a host runs, its journal can vanish between the check and the
    copy, and a copy taken mid-commit can be torn: such a read is retried."""
    for attempt in range(50):
        try:
            return _progress_of_copy(db)
        except (FileNotFoundError, sqlite3.DatabaseError):
            if attempt == 49:
                raise
            time.sleep(0.01)


def _progress_of_copy(db):
    tmp = tempfile.mkdtemp()
    try:
        for suffix in ("", "-wal", "-journal"):
            if os.path.exists(db + suffix):
                shutil.copy(db + suffix, os.path.join(tmp, "copy.db" + suffix))
        con = sqlite3.connect(os.path.join(tmp, "copy.db"))
        try:
            row = con.execute("SELECT line FROM host_progress WHERE id = 1").fetchone()
        except sqlite3.OperationalError as err:
            if "no such table" not in str(err):
                raise
            row = None
        finally:
            con.close()
        return row[0] if row else 0
    finally:
        shutil.rmtree(tmp)


def remove_db(db):
    for suffix in ("", "-wal", "-journal", "-shm"):
        if os.path.exists(db + suffix):
            os.unlink(db + suffix)


class Checker:
    """Collects failures; every comparison prints a diff when it fails."""

    def __init__(self, name):
        self.name = name
        self.failures = 0

    def same(self, what, expected, actual):
        if expected == actual:
            return True
        self.failures += 1
        print("FAIL %s: %s differs (expected, actual):" % (self.name, what))
        if isinstance(expected, bytes):
            expected = expected.decode("utf-8", "replace").splitlines()
        if isinstance(actual, bytes):
            actual = actual.decode("utf-8", "replace").splitlines()
        if expected is None or actual is None or not isinstance(expected, list):
            print("  expected %r\n  actual   %r" % (expected, actual))
        else:
            diff = list(difflib.unified_diff(expected, actual, "expected", "actual", lineterm="", n=2))
            for line in diff[:60]:
                print("  " + line)
            if len(diff) > 60:
                print("  ... %d more diff lines" % (len(diff) - 60))
        return False

    def true(self, what, cond, detail=""):
        if not cond:
            self.failures += 1
            print("FAIL %s: %s %s" % (self.name, what, detail))
        return cond

    def finish(self, summary):
        if self.failures:
            print("%s: %d failure(s)" % (self.name, self.failures))
            sys.exit(1)
        print("%s: %s" % (self.name, summary))
        sys.exit(0)
