"""Deal lines (SPEC section 13) through the binding: lists of line objects, amendments, entry lines."""
import unittest

import librewards


class LinesTest(unittest.TestCase):
    def test_lines_as_lists_of_dicts(self):
        with librewards.Engine() as engine:
            engine.apply("program", id="p", name="P", currency="USD")
            engine.apply("level", id="std", program="p", name="Std", rank=1)
            engine.apply("reward", id="pl", level="std", name="Per line", trigger="deal_won", recipient="partner",
                         kind="percent", per="line", rate="10%", exclusive="g", priority=1,
                         when='line.attr.kind == "sw"')
            engine.apply("reward", id="mg", level="std", name="Margin", trigger="deal_won", recipient="partner",
                         kind="percent", base="margin", rate="50%")
            engine.apply("partner", id="acme", program="p", level="std", name="Acme")
            engine.apply("deal", at="2026-01-02", id="d1", partner="acme", currency="USD",
                         lines=[{"id": "a", "product": "x", "amount": "100.00", "cost": "40.00", "units": 2,
                                 "attrs": {"kind": "sw"}},
                                {"id": "b", "product": "y", "amount": "50.00"}])
            engine.apply("stage", at="2026-01-03", deal="d1", stage="won")
            engine.apply({"op": "amend", "at": "2026-01-04", "deal": "d1",
                          "lines": ({"id": "b", "amount": "50.00"}, {"id": "a", "amount": "200.00", "cost": "40.00"})})
            before = engine.ledger_csv()
            with self.assertRaises(librewards.InvalidArgument):
                engine.apply("amend", at="2026-01-05", deal="d1", lines=[{"id": "a", "amount": "1.00"}])
            with self.assertRaises(librewards.InvalidArgument):
                engine.apply("deal", at="2026-01-05", id="d2", partner="acme", currency="USD", lines=[])
            with self.assertRaises(librewards.InvalidArgument):
                engine.apply("deal", at="2026-01-05", id="d2", partner="acme", currency="USD", amount="1.00",
                             lines=[{"id": "a", "product": "x", "amount": "1.00"}])
            self.assertEqual(before, engine.ledger_csv())
            self.assertEqual(
                "1,earned,pl,d1,acme,partner,acme,10.00,USD,pending,,,2026-01-03T00:00:00Z,\n"
                "2,earned,mg,d1,acme,partner,acme,55.00,USD,pending,,,2026-01-03T00:00:00Z,\n"
                "3,adjustment,pl,d1,acme,partner,acme,10.00,USD,pending,,,2026-01-04T00:00:00Z,\n"
                "4,adjustment,mg,d1,acme,partner,acme,50.00,USD,pending,,,2026-01-04T00:00:00Z,\n",
                before.split("\n", 1)[1])
            self.assertEqual(["a", None, "a", None], [e.line for e in engine.entries()])


if __name__ == "__main__":
    unittest.main()
