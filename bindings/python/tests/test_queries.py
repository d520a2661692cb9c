"""Lookups, entries, balances and payout previews."""
import unittest

import librewards
from support import setup_program, win_deal


class QueriesTest(unittest.TestCase):
    def test_queries(self):
        with librewards.Engine() as engine:
            setup_program(engine)
            win_deal(engine, "d-100", "12000.00", 1)
            win_deal(engine, "d-101", "3333.33", 2)
            engine.apply("approve", at="2026-03-01", until="2026-02-28")
            preview = engine.preview_payout("2026-02", "2026-02-28")
            self.assertEqual(preview, engine.preview_payout("2026-02", librewards.parse_time("2026-02-28")))
            self.assertEqual("", engine.payouts_csv().split("\n", 1)[1], "a preview changes nothing")
            self.assertIn("2026-02,sales_rep,jane,Jane Roe,acme,Acme Corp,USD,1533.33,2\n", preview)
            self.assertEqual({"pending": 0, "approved": 153333, "held": 0, "paid": 0, "points": 0},
                             engine.balance("sales_rep", "jane"))
            engine.apply("payout", at="2026-03-02", id="2026-02", until="2026-02-28")
            self.assertEqual(preview.split("\n", 1)[1], engine.payouts_csv().split("\n", 1)[1])
            self.assertEqual(76667, engine.balance("partner", "acme")["paid"])
            with self.assertRaises(librewards.NotFound):
                engine.balance("partner", "nobody")
            with self.assertRaises(librewards.InvalidArgument):
                engine.balance("customer", "acme")

            entries = list(engine.entries())
            self.assertEqual([1, 2, 3, 4], [e.number for e in entries])
            rows = engine.ledger_csv().splitlines()[1:]
            for entry, row in zip(entries, rows):
                cells = row.split(",")
                self.assertEqual(cells[:10], [str(entry.number), entry.type, entry.reward, entry.deal, entry.partner,
                                              entry.recipient_type, entry.recipient, entry.amount_text,
                                              entry.currency, entry.status])
                self.assertEqual(cells[12], librewards.format_time(int(entry.earned_at.timestamp())))
                self.assertEqual(cells[13], entry.payout)
            self.assertEqual(2, len(list(engine.entries(deal="d-101"))))
            self.assertEqual(4, len(list(engine.entries(partner="acme"))))
            with self.assertRaises(librewards.NotFound):
                engine.entries(deal="nope")

            self.assertEqual(librewards.Deal("d-100", "acme", "jane", "contract_started", 1200000),
                             engine.deal("d-100"))
            self.assertEqual(librewards.Partner("acme", "Acme Corp", "gold"), engine.partner("acme"))
            self.assertEqual(librewards.User("bob", "Bob Poe", "acme", False), engine.user("bob"))
            self.assertEqual(librewards.Level("gold", 2), engine.level("gold"))
            self.assertEqual(librewards.Reward("rep-10", "Rep commission"), engine.reward("rep-10"))
            self.assertEqual(librewards.Program("resell", "USD"), engine.program("resell"))
            payout = engine.payout("2026-02")
            self.assertEqual(["partner", "sales_rep"], [line.recipient_type for line in payout.lines])
            self.assertEqual(153333, payout.lines[1].amount)
            self.assertIsNone(engine.deal("nope"))
        # snapshots outlive the engine
        self.assertEqual("acme", entries[0].partner)
        self.assertEqual(76667, payout.lines[0].amount)


    def test_approve_listed_entries(self):
        with librewards.Engine() as engine:
            setup_program(engine)
            win_deal(engine, "d-100", "12000.00", 1)
            engine.apply("approve", at="2026-03-01", entries=[2])
            self.assertEqual(["pending", "approved"], [e.status for e in engine.entries()])
            with self.assertRaises(librewards.InvalidArgument):
                engine.apply("approve", at="2026-03-01", entries=[1, 1])
            with self.assertRaises(librewards.InvalidTransition):
                engine.apply("approve", at="2026-03-01", entries=[1, 2])
            self.assertEqual("pending", next(iter(engine.entries())).status, "a refused list approves nothing")

if __name__ == "__main__":
    unittest.main()
