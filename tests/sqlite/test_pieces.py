#!/usr/bin/env python3
"""One worked scenario through sqlite-host, in one go and in pieces.

    test_pieces.py SQLITE_HOST SCENARIO_DIR NAME

In one go, the ledger, the payouts, the error codes and the exit status must
be those expected (the same files rewards-cli is tested against).  In
pieces: the first K lines are run on a new database, then the whole file on
the same database (for every K; and in three pieces for a few pairs); the
outputs must be byte-identical, and the errors reported by the runs, put
together, must be exactly the expected ones: each rejected line reported
once, by the run that applied it.  A last run on a finished database
applies nothing, reports nothing and writes the same outputs.
"""
import os
import sys
import tempfile

import hostlib


def main():
    host, sdir, name = sys.argv[1:4]
    scenario = os.path.join(sdir, name + ".jsonl")
    exp_ledger = hostlib.read(os.path.join(sdir, name + ".ledger.csv"))
    exp_payouts = hostlib.read(os.path.join(sdir, name + ".payouts.csv"))
    errors_path = os.path.join(sdir, name + ".errors.txt")
    exp_errors = hostlib.read(errors_path).decode().splitlines() if os.path.exists(errors_path) else []
    c = hostlib.Checker("sqlite " + name)
    nlines = hostlib.count_lines(scenario)
    with tempfile.TemporaryDirectory() as tmp:
        db = os.path.join(tmp, "rewards.db")
        part = os.path.join(tmp, "part.jsonl")

        r = hostlib.host(host, db, scenario, tmp)
        c.same("exit status (one go)", 1 if exp_errors else 0, r.status)
        c.same("ledger (one go)", exp_ledger, r.ledger)
        c.same("payouts (one go)", exp_payouts, r.payouts)
        c.same("errors (one go)", exp_errors, r.errors())
        r = hostlib.host(host, db, scenario, tmp)
        c.same("exit status (finished database)", 0, r.status)
        c.same("stderr (finished database)", "", r.stderr)
        c.same("ledger (finished database)", exp_ledger, r.ledger)
        c.same("payouts (finished database)", exp_payouts, r.payouts)

        def pieces(cuts):
            hostlib.remove_db(db)
            errors = []
            for k in cuts:
                hostlib.head(scenario, k, part)
                r = hostlib.host(host, db, part, tmp, outputs=False)
                errors += r.errors()
                c.true("exit status of the piece ending at line %d" % k, r.status in (0, 1), r.stderr)
            r = hostlib.host(host, db, scenario, tmp)
            errors += r.errors()
            what = "pieces ending at %s" % ",".join(map(str, cuts))
            c.same("ledger (%s)" % what, exp_ledger, r.ledger)
            c.same("payouts (%s)" % what, exp_payouts, r.payouts)
            c.same("errors (%s)" % what, exp_errors, errors)

        for k in range(1, nlines):
            pieces([k])
        step = max(1, nlines // 4)
        for k in range(1, nlines - step, step):
            pieces([k, k + step])
    c.finish("one go and %d ways of running it in pieces give the same bytes" % (nlines - 1))


if __name__ == "__main__":
    main()
