"""Listing (C API 1.1): iterators over every collection, reward parameters,
payout runs with per-currency totals, and Decimal amounts in and out."""
import datetime
import threading
import unittest
from decimal import Decimal

import librewards
from support import setup_program, win_deal

UTC = datetime.timezone.utc


class ListingTest(unittest.TestCase):
    def test_version(self):
        self.assertEqual(librewards.version(), librewards.__version__)
        self.assertRegex(librewards.__version__, r"^\d+\.\d+\.\d+")

    def test_iterators(self):
        with librewards.Engine() as engine:
            setup_program(engine)
            engine.apply("program", id="eu", name="EU Program", currency="EUR")
            engine.apply("level", id="eu-std", program="eu", name="Standard", rank=1)
            engine.apply("partner", id="euro", program="eu", level="eu-std", name="Euro GmbH")
            win_deal(engine, "d-100", Decimal("12000.00"), 1)  # a Decimal amount
            win_deal(engine, "d-101", "3333.33", 2)
            engine.apply("deal", at="2026-02-03", id="d-eu", partner="euro", currency="EUR", amount=Decimal("99.5"),
                         units=4)
            self.assertEqual(["resell", "eu"], [p.id for p in engine.programs()])
            self.assertEqual(["Reseller Program", "EU Program"], [p.name for p in engine.programs()])
            self.assertEqual([("gold", "resell"), ("eu-std", "eu")], [(lv.id, lv.program) for lv in engine.levels()])
            self.assertEqual(["acme", "euro"], [p.id for p in engine.partners()])
            self.assertEqual("eu", list(engine.partners())[1].program)
            self.assertEqual(["jane", "bob"], [u.id for u in engine.users()])
            self.assertEqual(["d-100", "d-101", "d-eu"], [d.id for d in engine.deals()])
            self.assertEqual(["d-100", "d-101"], [d.id for d in engine.deals(partner="acme")])
            deal = list(engine.deals(partner="euro"))[0]
            self.assertEqual(("EUR", 4, 9950, Decimal("99.50")), (deal.currency, deal.units, deal.amount,
                                                                 deal.amount_decimal))
            self.assertEqual(datetime.datetime(2026, 2, 3, tzinfo=UTC), deal.registered_at)
            self.assertEqual(Decimal("12000.00"), engine.deal("d-100").amount_decimal)
            with self.assertRaises(librewards.NotFound):
                engine.deals(partner="nobody")

            # an iterator steps by index: an item appended meanwhile is seen once, at the end
            it = engine.deals()
            self.assertEqual("d-100", next(it).id)
            engine.apply("deal", at="2026-02-04", id="d-late", partner="acme", currency="USD", amount="1.00")
            self.assertEqual(["d-101", "d-eu", "d-late"], [d.id for d in it])

            rewards = list(engine.rewards())
            self.assertEqual(["rep-10", "partner-5"], [r.id for r in rewards])
            rep = rewards[0]
            self.assertEqual(("percent", "deal_contract_started", "sales_rep", "gold", "resell"),
                             (rep.kind, rep.trigger, rep.recipient, rep.level, rep.program))
            self.assertEqual({"rate": "10%", "rep_policy": "hold", "clawback_days": "0", "auto_approve": "false",
                              "per": "deal", "base": "amount", "priority": "0", "trigger": "deal_contract_started"},
                             dict(rep.params))
            self.assertEqual("5%", engine.reward_param("partner-5", "rate"))
            self.assertIsNone(engine.reward_param("partner-5", "amount"))
            with self.assertRaises(librewards.NotFound):
                engine.reward_param("nobody", "rate")

            # entries: minor units and Decimal
            first = next(engine.entries())
            self.assertEqual((120000, Decimal("1200.00"), "1200.00"),
                             (first.amount, first.amount_decimal, first.amount_text))

            engine.apply("approve", at="2026-03-01", until="2026-02-28")
            self.assertEqual({"pending": Decimal("0.00"), "approved": Decimal("1533.33"), "held": Decimal("0.00"),
                              "paid": Decimal("0.00"), "points": Decimal(0), "currency": "USD"},
                             engine.balance_decimal("sales_rep", "jane"))
            engine.apply("payout", at="2026-03-02", id="2026-02", until="2026-02-28")
            runs = list(engine.payouts())
            self.assertEqual(["2026-02"], [r.id for r in runs])
            run = runs[0]
            self.assertEqual(datetime.datetime(2026, 3, 2, tzinfo=UTC), run.at)
            self.assertEqual(datetime.datetime(2026, 2, 28, tzinfo=UTC), run.until)
            self.assertEqual({"USD": 76667 + 153333}, dict(run.totals))
            self.assertEqual({"USD": Decimal("2300.00")}, run.totals_decimal)
            self.assertEqual([("partner", "acme", "acme", Decimal("766.67")),
                              ("sales_rep", "jane", "acme", Decimal("1533.33"))],
                             [(ln.recipient_type, ln.recipient, ln.partner, ln.amount_decimal) for ln in run.lines])
            self.assertEqual([(None, "2026-02"), ("jane", "2026-02")], [(ln.user, ln.payout) for ln in run.lines])
        with self.assertRaises(librewards.Misuse):
            list(engine.programs())

    def test_payout_total_beyond_64_bits_is_left_out(self):
        # two lines of 92233720368547758.07 each: the run's total does not fit,
        # its lines do; the run lists (it used to raise Overflow, and stop the listing)
        with librewards.Engine() as e:
            e.apply("program", id="p", name="P", currency="USD")
            e.apply("level", id="l", program="p", name="L", rank=1)
            e.apply("reward", id="all", level="l", name="All", trigger="deal_won", recipient="partner",
                    kind="percent", rate="100%", auto_approve=True)
            for day, name in ((5, "a"), (7, "b")):
                e.apply("partner", id=name, program="p", level="l", name=name.upper())
                e.apply("deal", at="2026-01-%02d" % day, id="d" + name, partner=name, currency="USD",
                        amount="92233720368547758.07")
                e.apply("stage", at="2026-01-%02d" % (day + 1), deal="d" + name, stage="won")
            e.apply("payout", at="2026-02-01", id="run1", until="2026-02-01")
            run = e.payout("run1")
            self.assertEqual(run.totals, {})
            self.assertEqual([line.amount for line in run.lines], [2 ** 63 - 1, 2 ** 63 - 1])
            self.assertEqual([p.id for p in e.payouts()], ["run1"])

    def test_reward_params_of_every_kind(self):
        with librewards.Engine() as engine:
            engine.apply("program", id="p", name="P", currency="USD")
            engine.apply("reward", id="t", program="p", name="T", trigger="deal_won", recipient="partner",
                         kind="tiered", period="quarter",
                         tiers=[{"from": "0", "rate": "5%"}, {"from": Decimal("10000"), "rate": "7.5%"}],
                         cap_per_period=Decimal("500"), when="deal.amount > 0", active_from="2026-01-01")
            self.assertEqual({"period": "quarter", "mode": "graduated", "tiers.0.from": "0.00",
                              "tiers.0.rate": "5%", "tiers.1.from": "10000.00", "tiers.1.rate": "7.5%",
                              "cap_per_period": "500.00", "when": "deal.amount > 0",
                              "active_from": "2026-01-01T00:00:00Z", "rep_policy": "hold", "clawback_days": "0",
                              "auto_approve": "false", "per": "deal", "base": "amount", "priority": "0",
                              "trigger": "deal_won"}, dict(engine.reward("t").params))
            long_when = " || ".join(["deal.amount > %d" % i for i in range(60)])
            engine.apply("reward", id="w", program="p", name="W", trigger="deal_won", recipient="partner",
                         kind="fixed", amount="1", when=long_when)
            self.assertEqual(long_when, engine.reward_param("w", "when"))  # longer than the first buffer

    def test_listing_while_other_threads_apply(self):
        # every step of an iterator holds the engine's lock: readers and writers are serialised
        with librewards.Engine() as engine:
            setup_program(engine)
            errors = []

            def writer(n):
                try:
                    for i in range(50):
                        engine.apply("deal", at="2026-02-01", id="t%d-%d" % (n, i), partner="acme",
                                     currency="USD", amount=Decimal("1.00"))
                except Exception as exc:  # noqa: BLE001 - reported below
                    errors.append(exc)
            threads = [threading.Thread(target=writer, args=(n,)) for n in range(4)]
            for t in threads:
                t.start()
            seen = 0
            while any(t.is_alive() for t in threads):
                ids = [d.id for d in engine.deals()]
                self.assertEqual(len(ids), len(set(ids)))
                seen = max(seen, len(ids))
            for t in threads:
                t.join()
            self.assertEqual([], errors)
            self.assertEqual(200, len(list(engine.deals(partner="acme"))))

    def test_deal_lines_and_precedence_params(self):
        with librewards.Engine() as engine:
            setup_program(engine)
            engine.apply("reward", id="m", level="gold", name="M", trigger="deal_won", recipient="partner",
                         kind="percent", rate="10%", per="line", base="margin", exclusive="g", priority=2)
            engine.apply("deal", at="2026-02-01", id="d", partner="acme", currency="USD",
                         lines=[{"id": "x", "product": "Widget", "amount": Decimal("100"), "cost": "60.00", "units": 4},
                                {"id": "y", "product": "Service", "amount": "50.00"}])
            deal = engine.deal("d")
            self.assertEqual([("x", "Widget", 10000, 6000, 4), ("y", "Service", 5000, 0, 0)],
                             [(ln.id, ln.product, ln.amount, ln.cost, ln.units) for ln in deal.lines])
            self.assertEqual((Decimal("100.00"), Decimal("60.00")), (deal.lines[0].amount_decimal,
                                                                     deal.lines[0].cost_decimal))
            self.assertEqual(15000, deal.amount)
            self.assertEqual((), engine.deal("d").lines[2:])
            engine.apply("deal", at="2026-02-01", id="plain", partner="acme", currency="USD", amount="1.00")
            self.assertEqual((), engine.deal("plain").lines)
            self.assertEqual({"rate": "10%", "per": "line", "base": "margin", "exclusive": "g", "priority": "2",
                              "rep_policy": "hold", "clawback_days": "0", "auto_approve": "false",
                              "trigger": "deal_won"}, dict(engine.reward("m").params))

    def test_two_tier(self):
        with librewards.Engine() as engine:
            engine.apply("program", id="tt", name="Two tier", currency="EUR")
            engine.apply("level", id="res", program="tt", name="Reseller", rank=1)
            engine.apply("reward", id="resale", level="res", name="Resale", trigger="deal_won",
                         recipient="partner", kind="percent", rate="10%")
            engine.apply("reward", id="ovr", program="tt", name="Override", recipient="partner", kind="override",
                         rate="2%", of=["resale"])
            engine.apply("reward", id="cert", program="tt", name="Cert", trigger="activity:certification",
                         recipient="partner", kind="fixed", amount="50.00")
            engine.apply("partner", id="alp", program="tt", level="res", name="Alpine")
            engine.apply("partner", id="ber", program="tt", level="res", name="Bergen", parent="alp")
            self.assertEqual(["alp", None], [p.parent for p in engine.partners()][::-1])
            ovr = engine.reward("ovr")
            self.assertEqual(("override", ""), (ovr.kind, ovr.trigger))
            self.assertEqual({"rate": "2%", "of.0": "resale", "auto_approve": "false"}, {
                k: v for k, v in ovr.params.items() if k in ("rate", "of.0", "of", "auto_approve")})
            cert = engine.reward("cert")
            self.assertEqual(("activity", "activity:certification"), (cert.trigger, cert.params["trigger"]))

    def test_decimal_in(self):
        with librewards.Engine() as engine:
            setup_program(engine)
            # Decimal is money (a decimal string); inside attrs it stays a number
            engine.apply("deal", at="2026-02-01", id="d", partner="acme", currency="USD",
                         amount=Decimal("1E+3"), attrs={"seats": Decimal("12.5")})
            self.assertEqual(Decimal("1000.00"), engine.deal("d").amount_decimal)
            with self.assertRaises(librewards.InvalidArgument):
                engine.apply("amend", at="2026-02-02", deal="d", amount=Decimal("1.001"))  # too many decimals
            with self.assertRaises(librewards.InvalidArgument):
                engine.apply("amend", at="2026-02-02", deal="d", amount=Decimal("NaN"))
            engine.apply("amend", at="2026-02-02", deal="d", amount=Decimal("-0") + Decimal("2000.1"))
            self.assertEqual(200010, engine.deal("d").amount)


if __name__ == "__main__":
    unittest.main()
