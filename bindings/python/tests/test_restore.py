"""Restore: the records storage saved rebuild an engine that goes on identically."""
import unittest

import librewards
from support import requires_scenarios, run_ops, scenario_ops, setup_program, win_deal
from test_storage import DictStorage


@requires_scenarios
class RestoreTest(unittest.TestCase):
    def test_round_trip(self):
        ops = scenario_ops("tiered_clawback")
        first, rest = ops[:12], ops[12:]
        storage = DictStorage()
        with librewards.Engine(storage=storage) as original:
            run_ops(original, first)
            restored_storage = DictStorage()
            restored_storage.saved = dict(storage.saved)
            # {(kind, key): data}.items() is a valid record source
            with librewards.Engine.restore(storage.saved.items(), storage=restored_storage) as restored:
                self.assertEqual(original.ledger_csv(), restored.ledger_csv())
                self.assertEqual(original.payouts_csv(), restored.payouts_csv())
                # both go on with the rest of the scenario and stay identical
                self.assertEqual(run_ops(original, rest), run_ops(restored, rest))
                self.assertEqual(original.ledger_csv(), restored.ledger_csv())
                self.assertEqual(original.payouts_csv(), restored.payouts_csv())
                self.assertEqual(storage.saved, restored_storage.saved)
        # and a third engine from the final records, given as (kind name, data) pairs
        records = [(kind.name.lower(), data) for (kind, _key), data in storage.saved.items()]
        with librewards.Engine.restore(records) as again:
            self.assertEqual(restored_storage.saved.keys(), storage.saved.keys())
            with librewards.Engine() as reference:
                run_ops(reference, ops)
                self.assertEqual(reference.ledger_csv(), again.ledger_csv())
                self.assertEqual(reference.payouts_csv(), again.payouts_csv())

    def test_corrupt_record(self):
        with self.assertRaises(librewards.InvalidArgument):
            librewards.Engine.restore([(librewards.RecordKind.DEAL, b"not a record")])
        storage = DictStorage()
        with librewards.Engine(storage=storage) as engine:
            setup_program(engine)
            win_deal(engine, "d-1", "100.00", 1)
        # a deal without its partner refers to a missing record
        records = [(k, d) for k, d in storage.saved.items() if k[0] != librewards.RecordKind.PARTNER]
        with self.assertRaises(librewards.InvalidArgument) as ctx:
            librewards.Engine.restore(records)
        self.assertTrue(ctx.exception.message)


if __name__ == "__main__":
    unittest.main()
