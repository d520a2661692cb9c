#!/usr/bin/env python3
"""Every worked scenario through pg-host, against a server of the test's own.

    test_scenarios.py PG_HOST REWARDS_CLI SCENARIO_DIR NAME|FILE.jsonl...

A NAME is a worked scenario of SCENARIO_DIR (also checked against its
expected files); a FILE.jsonl is compared with rewards-cli only
(tests/pg/registered_currency.jsonl: a currency the host registers, with
three decimals, amounts below one unit, negative amounts, guarded ids).

For each scenario, in its own tenant of one database:
  - in one go: ledger, payouts, traces (--traces), error codes and exit
    status byte for byte those of rewards-cli on the same file (and those
    the scenario expects);
  - with --batch 3 (operations that fail inside a batch are reported and the
    batch goes on): the same outputs and errors;
  - in pieces (the first third, then two thirds, then the whole file on the
    same tenant): the same outputs, each rejected line reported once;
  - ledger_entry agrees with the ledger export: every row, column for
    column, and the sum of amount per partner and currency computed by SQL
    equals the sum of the export's amounts (exact decimals).
"""
import csv
import decimal
import io
import os
import sys
import tempfile

import pglib
import hostlib

COLUMNS = ["entry", "type", "reward", "deal", "partner", "recipient_type", "recipient", "amount", "currency",
           "status", "reason", "period", "earned_at", "payout"]
ROWS_SQL = ("COPY (SELECT number, type, coalesce(reward, ''), coalesce(deal, ''), partner, recipient_type, recipient,"
            " amount::text, currency, status, coalesce(reason, ''), coalesce(period, ''),"
            " to_char(earned_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'), coalesce(payout, '')"
            " FROM rw_%s.ledger_entry ORDER BY number) TO STDOUT (FORMAT csv)")
SUMS_SQL = ("COPY (SELECT partner, currency, sum(amount)::text FROM rw_%s.ledger_entry GROUP BY partner, currency"
            " ORDER BY partner, currency) TO STDOUT (FORMAT csv)")


def unprefix(cell):
    """The export guards id cells against formula injection with a leading "'"."""
    if len(cell) > 1 and cell[0] == "'" and cell[1] in "=+-@\t\r":
        return cell[1:]
    return cell


def check_ledger_table(c, server, dbname, tenant, ledger_csv, what):
    rows = list(csv.reader(io.StringIO(ledger_csv.decode())))
    c.same("%s: ledger header" % what, COLUMNS, rows[0])
    export = [[unprefix(x) for x in r] for r in rows[1:]]
    table = list(csv.reader(io.StringIO(server.query(ROWS_SQL % tenant, dbname))))
    c.same("%s: ledger_entry rows = the ledger export" % what, [",".join(r) for r in export],
           [",".join(r) for r in table])
    sums = {}
    for r in export:
        key = (r[4], r[8])
        sums[key] = sums.get(key, decimal.Decimal(0)) + decimal.Decimal(r[7])
    sql_sums = {(p, cur): decimal.Decimal(s) for p, cur, s in csv.reader(io.StringIO(server.query(SUMS_SQL % tenant,
                                                                                                 dbname)))}
    c.same("%s: sum(amount) per partner and currency by SQL = the export's" % what,
           sorted((k, str(v)) for k, v in sums.items()), sorted((k, str(v)) for k, v in sql_sums.items()))
    return len(export), len(sums)


def main():
    pg_host, cli, sdir = sys.argv[1:4]
    names = sys.argv[4:]

    def body(server):
        c = hostlib.Checker("pg scenarios")
        dbname = "scen"
        conninfo = server.createdb(dbname)
        entries = groups = 0
        with tempfile.TemporaryDirectory() as tmp:
            for name in names:
                if name.endswith(".jsonl"):  # a file of the pg tests: compared with rewards-cli only
                    scenario = name
                    name = os.path.basename(name)[:-len(".jsonl")]
                    ref = hostlib.cli(cli, scenario, tmp)
                else:
                    scenario = os.path.join(sdir, name + ".jsonl")
                    ref = hostlib.cli(cli, scenario, tmp)
                    exp_ledger = hostlib.read(os.path.join(sdir, name + ".ledger.csv"))
                    exp_payouts = hostlib.read(os.path.join(sdir, name + ".payouts.csv"))
                    c.same(name + ": rewards-cli ledger is the expected one", exp_ledger, ref.ledger)
                    c.same(name + ": rewards-cli payouts are the expected ones", exp_payouts, ref.payouts)
                for tenant, args in ((name, []), (name + "_b3", ["--batch", "3"])):
                    r = pglib.host(pg_host, conninfo, tenant, scenario, tmp, args=args)
                    what = "%s %s" % (name, " ".join(args) or "one go")
                    c.same(what + ": status", ref.status, r.status)
                    c.same(what + ": ledger", ref.ledger, r.ledger)
                    c.same(what + ": payouts", ref.payouts, r.payouts)
                    c.same(what + ": traces", ref.traces, r.traces)
                    c.same(what + ": errors", ref.errors(), r.errors())
                    if r.ledger:
                        n, g = check_ledger_table(c, server, dbname, tenant, r.ledger, what)
                        entries += n
                        groups += g
                # in pieces: a third, two thirds, the whole file
                nlines = hostlib.count_lines(scenario)
                tenant = name + "_pieces"
                errors = []
                for k in (nlines // 3, 2 * nlines // 3):
                    piece = os.path.join(tmp, "piece.jsonl")
                    hostlib.head(scenario, k, piece)
                    r = pglib.host(pg_host, conninfo, tenant, piece, tmp, outputs=False)
                    c.true("%s: piece of %d lines runs" % (name, k), r.status in (0, 1), r.stderr)
                    errors += r.errors()
                r = pglib.host(pg_host, conninfo, tenant, scenario, tmp)
                errors += r.errors()
                c.same(name + " in pieces: ledger", ref.ledger, r.ledger)
                c.same(name + " in pieces: payouts", ref.payouts, r.payouts)
                c.same(name + " in pieces: traces", ref.traces, r.traces)
                c.same(name + " in pieces: errors, each once", ref.errors(), errors)
                if r.ledger:
                    check_ledger_table(c, server, dbname, tenant, r.ledger, name + " in pieces")
        c.finish("%d scenarios in one go, with --batch 3 and in pieces, equal to rewards-cli; ledger_entry equal "
                 "to the export (%d rows, %d partner/currency sums)" % (len(names), entries, groups))

    pglib.main_with_server("pg scenarios", body)


if __name__ == "__main__":
    main()
