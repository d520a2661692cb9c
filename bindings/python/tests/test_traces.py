"""Calculation traces, statements and holds through the binding (docs/traces.md)."""
import json
import os
import unittest
from decimal import Decimal

import librewards
from support import SCENARIOS, requires_scenarios, run_ops, scenario_ops
from test_storage import DictStorage

CAUSES = "../traces/causes"  # tests/traces/causes.jsonl, beside tests/scenarios


def expected(suffix):
    with open(os.path.join(SCENARIOS, CAUSES + suffix), encoding="utf-8") as f:
        return f.read()


def as_json_values(node):
    """The dict as its JSON rendering has it: Decimal as its text."""
    if isinstance(node, dict):
        return {k: as_json_values(v) for k, v in node.items()}
    if isinstance(node, list):
        return [as_json_values(v) for v in node]
    if isinstance(node, Decimal):
        return format(node, "f")
    return node


@requires_scenarios
class TracesTest(unittest.TestCase):
    def setUp(self):
        self.engine = librewards.Engine()
        self.assertEqual("", run_ops(self.engine, scenario_ops(CAUSES)))

    def tearDown(self):
        self.engine.close()

    def test_trace_is_native(self):
        t = self.engine.trace(19)
        self.assertEqual(1, t["version"])
        self.assertEqual(19, t["entry"])
        self.assertEqual(Decimal("-20.00"), t["amount"])
        self.assertEqual({"kind": "amend", "deal": "d1", "other_deal": True, "from": Decimal("1000.00"),
                          "to": Decimal("1200.00")}, t["cause"])
        self.assertEqual("marginal", t["tiers"]["mode"])
        self.assertEqual([Decimal("0.00"), Decimal("1500.00")], [b["slice"] for b in t["tiers"]["brackets"]])
        self.assertEqual(100000, t["tiers"]["brackets"][1]["rate_ppm"])
        self.assertEqual([{"kind": "cap_per_period", "limit": Decimal("300.00"), "used_before": Decimal("287.04"),
                           "cut": Decimal("137.04")}], t["caps"])
        self.assertIsNone(t["reward"]["condition"])
        self.assertIs(False, t["voided"])
        # target - previous is the amount
        self.assertEqual(t["amount"], t["target"] - t["previous"])
        # the same as the library's JSON
        self.assertEqual(json.loads(self.engine.trace_json(19)), as_json_values(t))

    def test_fx_and_hold_history(self):
        t = self.engine.trace(6)
        self.assertEqual({"from": "EUR", "to": "USD", "rate": Decimal("1.0850000000")}, t["fx"])
        self.assertEqual(Decimal("2170.36"), t["converted"]["amount"])
        self.assertEqual(Decimal("108.52"), t["amount"])
        self.assertEqual("deal.amount >= 100", t["reward"]["condition"])
        h = self.engine.trace(11)["hold"]
        self.assertEqual(("no_portal_access", "2026-01-13T00:00:00Z", "2026-02-02T00:00:00Z", "user_access", "kim"),
                         (h["reason"], h["since"], h["released_at"], h["released_by"], h["released_to"]))

    def test_every_trace_as_the_cli_writes_them(self):
        self.assertEqual(expected(".traces.jsonl"), self.engine.traces_jsonl())
        traces = self.engine.traces()
        self.assertEqual(self.engine.entry_count(), len(traces))
        self.assertEqual("manual", traces[-1]["cause"]["kind"])
        self.assertEqual("goodwill correction", traces[-1]["manual"]["note"])

    def test_unknown_entry(self):
        for n in (0, 27, 10 ** 6):
            with self.assertRaises(librewards.NotFound) as cm:
                self.engine.trace(n)
            self.assertIn("no entry %d" % n, str(cm.exception))

    def test_statements(self):
        self.assertEqual(expected(".statements.csv"), self.engine.statements_csv())
        self.assertEqual(expected(".statements-feb.csv"),
                         self.engine.statements_csv(start="2026-02-01", until="2026-03-01"))
        rows = self.engine.statements("sales_rep", "kim", "2026-01-01", "2026-02-01")
        self.assertEqual(["opening", "entry", "earned", "adjustments", "reversals", "manual", "redemptions", "paid",
                          "closing"], [r["row"] for r in rows])
        self.assertEqual(11, rows[1]["entry"])
        self.assertEqual(Decimal("15.00"), rows[-1]["amount"])
        with self.assertRaises(librewards.NotFound):
            self.engine.statements("partner", "nobody")
        with self.assertRaises(librewards.InvalidArgument):
            self.engine.statements("user", "jo")
        with self.assertRaises(librewards.InvalidArgument):
            self.engine.statements(start="2026-02-01", until="2026-01-01")

    def test_holds(self):
        self.assertEqual(expected(".holds.csv"), self.engine.holds_csv())
        (row,) = self.engine.holds()
        self.assertEqual((15, "no_assigned_rep", "d6", Decimal("5.00")),
                         (row["entry"], row["reason"], row["deal"], row["amount"]))


@requires_scenarios
class TracesRestoreTest(unittest.TestCase):
    def test_restored_engine_gives_the_same_traces(self):
        storage = DictStorage()
        with librewards.Engine(storage=storage) as engine:
            run_ops(engine, scenario_ops(CAUSES))
            want = engine.traces_jsonl()
        with librewards.Engine.restore(storage.saved.items()) as restored:
            self.assertEqual(want, restored.traces_jsonl())
        with librewards.Engine.restore(storage.saved.items(), traces=False) as off:
            self.assertEqual("unknown", off.trace(19)["history"])


@requires_scenarios
class TracesOffTest(unittest.TestCase):
    def test_no_history_same_amounts(self):
        with librewards.Engine(traces=False) as off, librewards.Engine() as on:
            run_ops(off, scenario_ops(CAUSES))
            run_ops(on, scenario_ops(CAUSES))
            self.assertEqual(on.ledger_csv(), off.ledger_csv())
            self.assertEqual("unknown", off.trace(1)["history"])
            self.assertEqual("complete", on.trace(1)["history"])


if __name__ == "__main__":
    unittest.main()
