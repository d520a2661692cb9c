"""Statuses as exceptions, and how Python values become operation fields."""
import datetime
import decimal
import unittest

import librewards
from librewards import (Conflict, Exists, InvalidArgument, InvalidTransition, Misuse, NoPortalAccess,
                        NotFound, OutOfOrder, Overflow, RewardsError)
from support import setup_program


class ErrorMappingTest(unittest.TestCase):
    def setUp(self):
        self.engine = librewards.Engine()
        setup_program(self.engine)
        self.engine.apply("deal", at="2026-01-05", id="d-100", partner="acme", currency="USD", amount="12000.00")

    def tearDown(self):
        self.engine.close()

    def assertRaisesCode(self, cls, code, kind, **fields):
        before = self.engine.ledger_csv()
        with self.assertRaises(cls) as ctx:
            self.engine.apply(kind, **fields)
        err = ctx.exception
        self.assertIsInstance(err, RewardsError)
        self.assertEqual(code, err.code)
        self.assertEqual(cls.status, err.status)
        self.assertTrue(err.message, "the library's message is carried")
        self.assertIn(code, str(err))
        self.assertEqual(before, self.engine.ledger_csv(), "a failed call changes nothing")
        return err

    def test_not_found(self):
        err = self.assertRaisesCode(NotFound, "not_found", "assign", at="2026-01-06", deal="d-999", user="jane")
        self.assertIn("d-999", err.message)
        self.assertIsInstance(err, LookupError)

    def test_no_portal_access(self):
        self.assertRaisesCode(NoPortalAccess, "no_portal_access", "assign", at="2026-01-06", deal="d-100",
                              user="bob")

    def test_exists(self):
        self.assertRaisesCode(Exists, "exists", "partner", id="acme", program="resell", level="gold", name="Again")

    def test_invalid_transition(self):
        self.engine.apply("stage", at="2026-01-07", deal="d-100", stage="won")
        self.assertRaisesCode(InvalidTransition, "invalid_transition", "stage", at="2026-01-08", deal="d-100",
                              stage="approved")

    def test_out_of_order(self):
        self.assertRaisesCode(OutOfOrder, "out_of_order", "stage", at="2025-12-31", deal="d-100", stage="won")

    def test_conflict(self):
        self.engine.apply("stage", at="2026-01-07", deal="d-100", stage="won", event="crm-1")
        self.engine.apply("stage", at="2026-01-07", deal="d-100", stage="won", event="crm-1")  # replay: no-op
        self.assertRaisesCode(Conflict, "conflict", "stage", at="2026-01-07", deal="d-100", stage="lost",
                              event="crm-1")

    def test_invalid_argument(self):
        err = self.assertRaisesCode(InvalidArgument, "invalid_argument", "deal", at="2026-01-06", id="d-1",
                                    partner="acme", currency="USD", amount="1.00", colour="red")
        self.assertIn("colour", err.message)
        self.assertIsInstance(err, ValueError)
        self.assertRaisesCode(InvalidArgument, "invalid_argument", "frobnicate", at="2026-01-06")
        # A wrong type is reported by the library at that field's turn.
        self.assertRaisesCode(InvalidArgument, "invalid_argument", "level", id="x", program="resell", name="X",
                              rank="1")
        self.assertRaisesCode(InvalidArgument, "invalid_argument", "level", id="x", program="resell", name="X",
                              rank=None)
        self.assertRaisesCode(InvalidArgument, "invalid_argument", "level", id="x", program="resell", name="X",
                              rank=object())

    def test_errors_are_checked_in_field_order(self):
        # 'program' (not found) comes before 'rank' (wrong type).
        self.assertRaisesCode(NotFound, "not_found", "level", id="x", program="nope", name="X", rank="one")

    def test_field_names_are_checked_by_the_binding(self):
        with self.assertRaises(InvalidArgument):
            self.engine.apply({"op": "deal", "at.x": "2026-01-06"})
        with self.assertRaises(InvalidArgument):
            self.engine.apply("deal", at="2026-01-06", attrs={"": "x"})
        with self.assertRaises(InvalidArgument):
            self.engine.apply({"id": "no op"})
        with self.assertRaises(InvalidArgument):
            self.engine.apply({"op": 7})

    def test_ints_beyond_64_bits_and_nul_bytes(self):
        # ctypes would wrap these into other numbers, or C end the string early
        with self.assertRaises(librewards.Overflow):
            librewards.format_amount(2 ** 63, "USD")
        with self.assertRaises(librewards.Overflow):
            librewards.format_time(2 ** 64)
        self.assertEqual("-92233720368547758.08", librewards.format_amount(-2 ** 63, "USD"))
        for n in (0, -1, 2 ** 64 + 1):
            with self.assertRaises(librewards.NotFound):
                self.engine.trace(n)
        with self.assertRaises(InvalidArgument):
            self.engine.partner("acme\0x")
        with self.assertRaises(InvalidArgument):
            self.engine.balance("partner", "acme\0x")
        with self.assertRaises(InvalidArgument):
            list(librewards.Engine.restore([(2 ** 32 + 2, b"rw1,")]).programs())

    def test_overflow(self):
        with self.assertRaises(Overflow) as ctx:
            self.engine.apply("level", id="x", program="resell", name="X", rank=1 << 64)
        self.assertEqual("overflow", ctx.exception.code)
        self.assertRaisesCode(Overflow, "overflow", "deal", at="2026-01-06", id="d-1", partner="acme",
                              currency="USD", amount="99999999999999999999.00")

    def test_closed_engine_is_misuse(self):
        engine = librewards.Engine()
        engine.close()
        engine.close()  # twice is fine
        self.assertTrue(engine.closed)
        with self.assertRaises(Misuse) as ctx:
            engine.apply("program", id="p", name="P", currency="USD")
        self.assertEqual("misuse", ctx.exception.code)
        with self.assertRaises(Misuse):
            engine.ledger_csv()

    def test_error_constructor(self):
        err = librewards.NotFound("not_found", "no deal 'x'")
        self.assertEqual(("not_found", "no deal 'x'"), (err.code, err.message))
        self.assertEqual("not_found: no deal 'x'", str(err))


class ValuesTest(unittest.TestCase):
    """Python values of every supported type reach the library as the right field type."""

    def test_types(self):
        with librewards.Engine() as engine:
            setup_program(engine)
            # dict form, datetime for a time, Decimal for an attribute number, bool, nested dict.
            engine.apply({"op": "deal", "at": datetime.datetime(2026, 1, 5, 9, 30, tzinfo=datetime.timezone.utc),
                          "id": "d-1", "partner": "acme", "currency": "USD", "amount": "100.00",
                          "attrs": {"seats": decimal.Decimal("12.5"), "renewal": True, "region": "EMEA",
                                    "size": 3, "ratio": 0.25}})
            # a date, and a naive datetime taken as UTC
            engine.apply("assign", at=datetime.date(2026, 1, 6), deal="d-1", user="jane")
            engine.apply("stage", at=datetime.datetime(2026, 1, 7), deal="d-1", stage="contract_started")
            entries = list(engine.entries())
            self.assertEqual(2, len(entries))
            self.assertEqual(datetime.datetime(2026, 1, 7, tzinfo=datetime.timezone.utc), entries[0].earned_at)
            with self.assertRaises(OutOfOrder):
                engine.apply("stage", at=datetime.datetime(2026, 1, 5, 9, 29), deal="d-1", stage="lost")

    def test_lists_and_keyword_fields(self):
        with librewards.Engine() as engine:
            engine.apply("program", id="msp", name="MSP", currency="EUR")
            engine.apply("level", id="std", program="msp", name="Standard", rank=1,
                         requires={"deals": 2, "window": "fiscal_year"})
            engine.apply("reward", id="tiers", level="std", name="Tiers", trigger="deal_won", recipient="partner",
                         kind="tiered", period="quarter",
                         tiers=[{"from": "0", "rate": "5%"}, {"from": "10000.00", "rate": "8%"}])
            engine.apply("fx", at="2026-01-01", from_="USD", to="EUR", rate="0.9")
            engine.apply("partner", id="nord", program="msp", level="std", name="Nordic")
            engine.apply("deal", at="2026-01-02", id="n1", partner="nord", currency="USD", amount="1000.00")
            engine.apply("stage", at="2026-01-03", deal="n1", stage="won")
            (entry,) = engine.entries()
            self.assertEqual(("tiers", "n1", "EUR", 4500, "45.00"),
                             (entry.reward, entry.deal, entry.currency, entry.amount, entry.amount_text))
            with self.assertRaises(InvalidArgument):  # a float where an amount string is expected
                engine.apply("deal", at="2026-01-04", id="n2", partner="nord", currency="USD", amount=1000.5)


class HelpersTest(unittest.TestCase):
    def test_helpers(self):
        self.assertRegex(librewards.version(), r"^\d+\.\d+\.\d+$")
        self.assertEqual(1, librewards.version_number() // 10000)
        self.assertEqual(1769817600, librewards.parse_time("2026-01-31"))
        self.assertEqual("2026-01-31T09:30:00Z", librewards.format_time(librewards.parse_time("2026-01-31T09:30:00Z")))
        self.assertEqual(120050, librewards.parse_amount("1200.50", "USD"))
        self.assertEqual("-35.50", librewards.format_amount(-3550, "USD"))
        self.assertEqual(-3550, librewards.parse_amount("-35.50", "USD"))
        self.assertEqual("1200", librewards.format_amount(1200, "JPY"))
        with self.assertRaises(InvalidArgument):
            librewards.parse_amount("1.001", "USD")
        with self.assertRaises(InvalidArgument):
            librewards.parse_time("2026-02-30")
        self.assertIsNone(librewards.check_condition('deal.amount >= 1000 && deal.attr.region == "EMEA"'))
        with self.assertRaises(librewards.ParseError) as ctx:
            librewards.check_condition("deal.amount >= ")
        self.assertEqual(("parse_error", 1), (ctx.exception.code, ctx.exception.line))
        self.assertGreater(ctx.exception.column, 1)


if __name__ == "__main__":
    unittest.main()
