"""Storage callbacks: records persisted per transaction; an exception in a
callback is re-raised after the C call, with the engine rolled back."""
import unittest

import librewards
from librewards import RecordKind
from support import setup_program


class Boom(Exception):
    pass


class DictStorage:
    """A transactional {(kind, key): data} store that can be told to fail."""

    def __init__(self):
        self.saved = {}
        self.txn = None
        self.calls = []
        self.fail_put_at = None  # raise on the Nth put from now
        self.fail_in = None      # "begin" or "commit": raise there once
        self.puts = 0

    def begin(self):
        self.calls.append("begin")
        if self.fail_in == "begin":
            self.fail_in = None
            raise Boom("begin failed")
        self.txn = {}

    def put(self, kind, key, data):
        self.calls.append("put")
        assert isinstance(kind, RecordKind) and isinstance(key, str) and isinstance(data, bytes)
        self.puts += 1
        if self.fail_put_at is not None and self.puts == self.fail_put_at:
            self.fail_put_at = None
            raise Boom("disk full at put %d" % self.puts)
        self.txn[(kind, key)] = data

    def commit(self):
        self.calls.append("commit")
        if self.fail_in == "commit":
            self.fail_in = None
            raise Boom("commit failed")
        self.saved.update(self.txn)
        self.txn = None

    def rollback(self):
        self.calls.append("rollback")
        self.txn = None


class StorageTest(unittest.TestCase):
    def setUp(self):
        self.storage = DictStorage()
        self.engine = librewards.Engine(storage=self.storage)
        setup_program(self.engine)
        self.engine.apply("deal", at="2026-02-01", id="d-100", partner="acme", currency="USD",
                          amount="12000.00", user="jane")

    def tearDown(self):
        self.engine.close()

    def test_records_are_put_in_one_transaction(self):
        self.storage.calls.clear()
        self.engine.apply("stage", at="2026-02-02", deal="d-100", stage="contract_started")
        calls = self.storage.calls
        self.assertEqual("begin", calls[0])
        self.assertEqual("commit", calls[-1])
        self.assertGreaterEqual(calls.count("put"), 3)
        kinds = {kind for kind, _ in self.storage.saved}
        self.assertTrue({RecordKind.PROGRAM, RecordKind.PARTNER, RecordKind.DEAL, RecordKind.ENTRY} <= kinds)

    def test_exception_in_put_is_reraised_and_nothing_changes(self):
        before_ledger = self.engine.ledger_csv()
        before_saved = dict(self.storage.saved)
        self.storage.calls.clear()
        self.storage.puts = 0
        self.storage.fail_put_at = 3
        with self.assertRaises(Boom) as ctx:
            self.engine.apply("stage", at="2026-02-02", deal="d-100", stage="contract_started")
        self.assertEqual("disk full at put 3", str(ctx.exception))  # the original exception
        self.assertEqual(["begin", "put", "put", "put", "rollback"], self.storage.calls)
        self.assertEqual(before_ledger, self.engine.ledger_csv())
        self.assertEqual(before_saved, self.storage.saved)
        self.assertEqual("registered", self.engine.deal("d-100").stage)
        # The same call made again succeeds.
        self.engine.apply("stage", at="2026-02-02", deal="d-100", stage="contract_started")
        self.assertEqual(2, self.engine.entry_count())
        self.assertEqual("contract_started", self.engine.deal("d-100").stage)
        # and the result is what an engine without storage computes
        with librewards.Engine() as plain:
            setup_program(plain)
            plain.apply("deal", at="2026-02-01", id="d-100", partner="acme", currency="USD",
                        amount="12000.00", user="jane")
            plain.apply("stage", at="2026-02-02", deal="d-100", stage="contract_started")
            self.assertEqual(plain.ledger_csv(), self.engine.ledger_csv())

    def test_exception_in_begin_or_commit(self):
        before = self.engine.ledger_csv()
        self.storage.fail_in = "begin"
        with self.assertRaisesRegex(Boom, "begin failed"):
            self.engine.apply("stage", at="2026-02-02", deal="d-100", stage="contract_started")
        self.assertEqual(before, self.engine.ledger_csv())
        self.storage.fail_in = "commit"
        self.storage.calls.clear()
        with self.assertRaisesRegex(Boom, "commit failed"):
            self.engine.apply("stage", at="2026-02-02", deal="d-100", stage="contract_started")
        self.assertEqual("rollback", self.storage.calls[-1])
        self.assertEqual(before, self.engine.ledger_csv())
        self.engine.apply("stage", at="2026-02-02", deal="d-100", stage="contract_started")
        self.assertNotEqual(before, self.engine.ledger_csv())

    def test_rollback_exception_does_not_hide_the_first(self):
        def bad_rollback():
            raise RuntimeError("rollback failed too")
        storage = DictStorage()
        storage.rollback = bad_rollback
        storage.fail_put_at = 1
        with librewards.Engine(storage=storage) as engine:
            with self.assertRaisesRegex(Boom, "disk full"):
                engine.apply("program", id="p", name="P", currency="USD")
            self.assertIsNone(engine.program("p"))
            engine.apply("program", id="p", name="P", currency="USD")
            self.assertEqual("USD", engine.program("p").currency)

    def test_partial_storage_object(self):
        saved = []

        class PutOnly:
            def put(self, kind, key, data):
                saved.append((kind, key))

        with librewards.Engine(storage=PutOnly()) as engine:
            engine.apply("program", id="p", name="P", currency="USD")
        self.assertIn((RecordKind.PROGRAM, "p"), saved)

    def test_reentry_from_a_callback_is_misuse(self):
        engine_box = []

        class Reentrant(DictStorage):
            def put(self, kind, key, data):
                engine_box[0].apply("program", id="other", name="O", currency="USD")

        with librewards.Engine(storage=Reentrant()) as engine:
            engine_box.append(engine)
            with self.assertRaises(librewards.Misuse):
                engine.apply("program", id="p", name="P", currency="USD")
            with self.assertRaises(librewards.Misuse):
                engine.apply("program", id="p", name="P", currency="USD")
            self.assertFalse(engine.closed)
            self.assertIsNone(engine.program("p"))


if __name__ == "__main__":
    unittest.main()
