"""Worked scenarios run line by line through the binding, compared byte for byte."""
import os
import unittest

import librewards
from support import SCENARIOS, read_expected, requires_scenarios, run_ops, scenario_ops

REQUIRED = ["kiflo_sales_rep", "tiered_clawback", "lines_margin_precedence"]


@requires_scenarios
class ScenarioTest(unittest.TestCase):
    maxDiff = None

    def check(self, name):
        with librewards.Engine() as engine:
            errors = run_ops(engine, scenario_ops(name))
            ledger = engine.ledger_csv()
            payouts = engine.payouts_csv()
        self.assertEqual(read_expected(name, ".ledger.csv").decode(), ledger)
        self.assertEqual(read_expected(name, ".payouts.csv").decode(), payouts)
        self.assertEqual(read_expected(name, ".ledger.csv"), ledger.encode("utf-8"))
        self.assertEqual(read_expected(name, ".payouts.csv"), payouts.encode("utf-8"))
        self.assertEqual(read_expected(name, ".errors.txt").decode(), errors)

    def test_kiflo_sales_rep(self):
        self.check("kiflo_sales_rep")

    def test_tiered_clawback(self):
        self.check("tiered_clawback")

    def test_lines_margin_precedence(self):
        self.check("lines_margin_precedence")

    def test_every_other_scenario(self):
        names = sorted(f[:-len(".jsonl")] for f in os.listdir(SCENARIOS) if f.endswith(".jsonl"))
        for name in names:
            if name not in REQUIRED:
                with self.subTest(scenario=name):
                    self.check(name)


if __name__ == "__main__":
    unittest.main()
