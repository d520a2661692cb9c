"""Events delivered to a Python callable, after commit, in order."""
import unittest

import librewards
from librewards import EventType
from support import setup_program, win_deal


class EventsTest(unittest.TestCase):
    def test_events_in_order(self):
        events = []
        with librewards.Engine(on_event=events.append) as engine:
            setup_program(engine)
            self.assertEqual([], events)
            win_deal(engine, "d-100", "12000.00", 1)
            self.assertEqual([EventType.ENTRY_EARNED, EventType.ENTRY_EARNED], [e.type for e in events])
            rep, partner = events
            self.assertEqual(("rep-10", "d-100", "acme", "jane"), (rep.reward, rep.deal, rep.partner, rep.user))
            self.assertEqual((1, "sales_rep", "jane", 120000, "USD", "pending"),
                             (rep.entry.number, rep.entry.recipient_type, rep.entry.recipient, rep.entry.amount,
                              rep.entry.currency, rep.entry.status))
            self.assertEqual("1200.00", rep.entry.amount_text)
            self.assertEqual(("partner-5", "partner", "acme", 60000),
                             (partner.reward, partner.entry.recipient_type, partner.entry.recipient,
                              partner.entry.amount))
            self.assertIsNone(rep.payout)

            # a rep reward with no eligible rep is held
            events.clear()
            engine.apply("deal", at="2026-02-02", id="d-101", partner="acme", currency="USD", amount="100.00")
            engine.apply("stage", at="2026-02-02", deal="d-101", stage="contract_started")
            self.assertEqual([EventType.ENTRY_HELD, EventType.ENTRY_EARNED], [e.type for e in events])
            self.assertEqual("no_assigned_rep", events[0].entry.reason)

            events.clear()
            engine.apply("approve", at="2026-03-01", until="2026-02-28")
            engine.apply("payout", at="2026-03-02", id="2026-02", until="2026-02-28")
            self.assertEqual(EventType.PAYOUT_CREATED, events[-1].type)
            self.assertEqual("2026-02", events[-1].payout)

    def test_no_events_on_failure(self):
        events = []
        with librewards.Engine(on_event=events.append) as engine:
            setup_program(engine)
            win_deal(engine, "d-1", "10.00", 1)
            events.clear()
            with self.assertRaises(librewards.NotFound):
                engine.apply("stage", at="2026-02-03", deal="nope", stage="won")
            self.assertEqual([], events)

    def test_exception_in_on_event_is_reraised_after_commit(self):
        seen = []

        def on_event(event):
            seen.append(event.type)
            raise KeyError("webhook down")

        with librewards.Engine(on_event=on_event) as engine:
            setup_program(engine)
            with self.assertRaises(KeyError):
                win_deal(engine, "d-100", "12000.00", 1)
            # The operation had committed: its effects stay, every event was delivered.
            self.assertEqual(2, len(seen))
            self.assertEqual(2, engine.entry_count())

    def test_callback_may_read_but_not_change(self):
        reads = []
        box = []

        def on_event(event):
            engine = box[0]
            reads.append(engine.deal(event.deal).stage)
            with self.assertRaises(librewards.Misuse):
                engine.ledger_csv()
            with self.assertRaises(librewards.Misuse):
                engine.close()

        with librewards.Engine(on_event=on_event) as engine:
            box.append(engine)
            setup_program(engine)
            win_deal(engine, "d-100", "12000.00", 1)
        self.assertEqual(["contract_started", "contract_started"], reads)


if __name__ == "__main__":
    unittest.main()
