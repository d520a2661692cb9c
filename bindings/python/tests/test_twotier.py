"""Manual adjustments, activities and two-tier overrides through the binding."""
import unittest

import librewards
from librewards import EventType, RecordKind
from support import requires_scenarios, run_ops, scenario_ops
from test_storage import DictStorage


def two_tier(engine):
    engine.apply("program", id="tt", name="Two tier", currency="EUR")
    engine.apply("level", id="res", program="tt", name="Reseller", rank=1)
    engine.apply("level", id="dist", program="tt", name="Distributor", rank=2)
    engine.apply("reward", id="resale", level="res", name="Resale", trigger="deal_won", recipient="partner",
                 kind="percent", rate="10%")
    engine.apply("reward", id="ovr", level="dist", name="Override", recipient="partner", kind="override",
                 rate="2%", of=["resale"])
    engine.apply("reward", id="cert", program="tt", name="Cert", trigger="activity:certification",
                 recipient="sales_rep", kind="fixed", amount="200.00", when='activity.attr.track == "gold"')
    engine.apply("partner", id="alp", program="tt", level="dist", name="Alpine")
    engine.apply("partner", id="ber", program="tt", level="res", name="Bergen", parent="alp")
    engine.apply("user", id="bea", partner="ber", name="Bea", portal_access=True)


class TwoTierTest(unittest.TestCase):
    def test_override_activity_adjust_and_events(self):
        events = []
        with librewards.Engine(on_event=events.append) as engine:
            two_tier(engine)
            engine.apply("deal", at="2026-01-05", id="b1", partner="ber", currency="EUR", amount="1000.00",
                         user="bea")
            engine.apply("stage", at="2026-01-06", deal="b1", stage="won")
            self.assertEqual([EventType.ENTRY_EARNED, EventType.OVERRIDE_RECORDED], [e.type for e in events])
            mirror = events[1]
            self.assertEqual(("ovr", "b1", "alp", 200), (mirror.reward, mirror.deal, mirror.partner,
                                                         mirror.entry.amount))

            events.clear()
            engine.apply("activity", at="2026-01-07", id="cert-bea", partner="ber", user="bea",
                         type="certification", attrs={"track": "gold"})
            self.assertEqual([EventType.ENTRY_EARNED], [e.type for e in events])
            self.assertEqual(("cert", "cert-bea", 20000), (events[0].reward, events[0].deal, events[0].entry.amount))

            events.clear()
            engine.apply("adjust", at="2026-01-08", id="adj-1", partner="ber", user="bea", amount="-15.50",
                         deal="cert-bea", note="Travel refund", approved=True)
            self.assertEqual([EventType.MANUAL_RECORDED], [e.type for e in events])
            entry = events[0].entry
            self.assertEqual(("manual", None, "cert-bea", -1550, "approved", "Travel refund"),
                             (entry.type, entry.reward, entry.deal, entry.amount, entry.status, entry.note))
            self.assertIsNone(mirror.entry.note)
            self.assertIn("4,manual,,cert-bea,ber,sales_rep,bea,-15.50,EUR,approved,,,2026-01-08T00:00:00Z,",
                          engine.ledger_csv())

    def test_refusals(self):
        with librewards.Engine() as engine:
            two_tier(engine)
            with self.assertRaises(librewards.InvalidArgument):
                engine.apply("adjust", at="2026-01-08", id="a", partner="ber", amount="0.00")
            with self.assertRaises(librewards.NotFound):
                engine.apply("stage", at="2026-01-08", deal="nope", stage="won")
            engine.apply("activity", at="2026-01-08", id="x1", partner="ber", type="training")
            with self.assertRaises(librewards.NotFound):
                engine.apply("stage", at="2026-01-08", deal="x1", stage="won")
            with self.assertRaises(librewards.Exists):
                engine.apply("activity", at="2026-01-08", id="x1", partner="ber", type="training")
            with self.assertRaises(librewards.InvalidArgument):
                engine.apply("partner", id="solo", program="tt", level="res", name="Solo", parent="solo")

    @requires_scenarios
    def test_restore_round_trip_of_the_scenario(self):
        ops = scenario_ops("two_tier_activities")
        for cut in (10, 21, 22, 28, len(ops) - 3):
            first, rest = ops[:cut], ops[cut:]
            storage = DictStorage()
            with librewards.Engine(storage=storage) as original:
                run_ops(original, first)
                self.assertTrue(cut < 22 or any(kind == RecordKind.ACTIVITY for kind, _key in storage.saved))
                with librewards.Engine.restore(storage.saved.items()) as restored:
                    self.assertEqual(original.ledger_csv(), restored.ledger_csv())
                    self.assertEqual(run_ops(original, rest), run_ops(restored, rest))
                    self.assertEqual(original.ledger_csv(), restored.ledger_csv())
                    self.assertEqual(original.payouts_csv(), restored.payouts_csv())
                    notes = [e.note for e in restored.entries() if e.type == "manual"]
                    self.assertEqual(["Discount given outside the price list"], notes)

    def test_kinds(self):
        self.assertEqual(15, RecordKind.ACTIVITY)
        self.assertEqual(RecordKind.ACTIVITY, RecordKind.of("activity"))


if __name__ == "__main__":
    unittest.main()
