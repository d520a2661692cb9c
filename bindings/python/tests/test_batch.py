"""Batches (docs/batches.md): ``with engine.batch():`` commits on a normal
exit and rolls back on an exception; storage hears one transaction at the
commit, events follow it; a rollback leaves the engine as before."""
import unittest

import librewards
from support import setup_program, win_deal
from test_storage import Boom, DictStorage


class BatchTest(unittest.TestCase):
    def setUp(self):
        self.storage = DictStorage()
        self.events = []
        self.engine = librewards.Engine(storage=self.storage, on_event=lambda ev: self.events.append(ev.type))
        setup_program(self.engine)
        self.storage.calls.clear()
        self.events.clear()

    def tearDown(self):
        self.engine.close()

    def state(self):
        return (self.engine.ledger_csv(), self.engine.payouts_csv(), dict(self.storage.saved))

    def test_iterators_over_what_a_rollback_removed(self):
        # iterators find their partner or deal again at each step: one made in
        # the rolled-back batch is gone (NotFound), never freed memory read
        e = self.engine
        e.begin()
        e.apply("partner", id="new", program="resell", level="gold", name="New")
        e.apply("deal", at="2026-02-01", id="dn", partner="new", currency="USD", amount="10.00")
        deals, entries = e.deals("new"), e.entries(deal="dn")
        by_partner = e.entries(partner="new")
        e.rollback()
        for it in (deals, entries, by_partner):
            with self.assertRaises(librewards.NotFound):
                list(it)
        win_deal(e, "d1", "1000.00", 1)  # a partner from before the batch lists as usual
        self.assertEqual([d.id for d in e.deals("acme")], ["d1"])

    def test_commit_on_normal_exit(self):
        with self.engine.batch() as e:
            self.assertTrue(e.in_batch)
            win_deal(e, "d1", "1000.00", 1)
            win_deal(e, "d2", "2000.00", 2)
            self.assertEqual(self.storage.calls, [])  # storage hears nothing yet
            self.assertEqual(self.events, [])
            self.assertIn("d2", e.ledger_csv())  # exports see the batch
        self.assertFalse(self.engine.in_batch)
        calls = self.storage.calls
        self.assertEqual(calls[0], "begin")
        self.assertEqual(calls[-1], "commit")
        self.assertEqual(calls.count("begin"), 1)
        self.assertEqual(calls.count("commit"), 1)
        self.assertEqual(len(self.events), 4)  # two entries per deal, after the commit
        restored = librewards.Engine.restore(self.storage.saved.items())
        self.assertEqual(restored.ledger_csv(), self.engine.ledger_csv())
        restored.close()

    def test_rollback_on_exception(self):
        win_deal(self.engine, "d0", "500.00", 1)
        before = self.state()
        self.storage.calls.clear()
        self.events.clear()
        with self.assertRaises(KeyError):
            with self.engine.batch():
                for i in range(200):
                    win_deal(self.engine, "b%d" % i, "100.00", 2)
                self.engine.apply("approve", at="2026-03-01", until="2026-02-28")
                self.engine.apply("payout", at="2026-03-02", id="run", until="2026-02-28")
                raise KeyError("abandon")
        self.assertFalse(self.engine.in_batch)
        self.assertEqual(self.state(), before)
        self.assertEqual(self.storage.calls, [])
        self.assertEqual(self.events, [])

    def test_failed_operation_inside_a_batch(self):
        with self.engine.batch():
            win_deal(self.engine, "d1", "1000.00", 1)
            with self.assertRaises(librewards.NotFound):
                self.engine.apply("stage", at="2026-02-02", deal="nope", stage="won")
            win_deal(self.engine, "d2", "1000.00", 2)  # the batch goes on
        self.assertEqual(self.engine.ledger_csv().count("\n"), 5)

    def test_explicit_calls_and_misuse(self):
        self.engine.begin()
        with self.assertRaises(librewards.Misuse):
            self.engine.begin()
        win_deal(self.engine, "d1", "1000.00", 1)
        self.engine.rollback()
        with self.assertRaises(librewards.Misuse):
            self.engine.commit()
        with self.assertRaises(librewards.Misuse):
            self.engine.rollback()
        self.assertIsNone(self.engine.deal("d1"))
        # a body that commits itself: the exit does not commit again
        with self.engine.batch():
            win_deal(self.engine, "d1", "1000.00", 1)
            self.engine.commit()
        self.assertIsNotNone(self.engine.deal("d1"))

    def test_storage_failure_at_commit(self):
        before = self.state()
        self.storage.fail_in = "commit"
        with self.assertRaises(Boom):
            with self.engine.batch():
                win_deal(self.engine, "d1", "1000.00", 1)
        self.assertFalse(self.engine.in_batch)
        self.assertEqual(self.state(), before)
        self.assertEqual(self.events, [])
        self.assertEqual(self.storage.calls[-1], "rollback")


if __name__ == "__main__":
    unittest.main()
