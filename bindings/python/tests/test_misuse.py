"""Misuse of the binding is refused clearly (issue 10, item 9): a storage
object that would persist nothing, an unknown record kind at restore, and
threads, which are serialised by the engine's lock rather than mistaken for
re-entry from a callback."""
import threading
import time
import unittest

import librewards
from librewards import RecordKind


class StorageObjectTest(unittest.TestCase):
    def test_a_number_is_not_a_storage(self):
        with self.assertRaises(TypeError):
            librewards.Engine(storage=42)

    def test_members_that_are_not_callable(self):
        class Broken:
            begin = None
            put = 5
            commit = "yes"

        with self.assertRaisesRegex(TypeError, "storage.put must be callable"):
            librewards.Engine(storage=Broken())

    def test_a_non_callable_optional_member(self):
        class Half:
            def put(self, kind, key, data):
                pass
            commit = 1

        with self.assertRaisesRegex(TypeError, "storage.commit must be callable"):
            librewards.Engine(storage=Half())

    def test_no_put(self):
        class NoPut:
            def begin(self):
                pass

            def commit(self):
                pass

        with self.assertRaisesRegex(TypeError, "put"):
            librewards.Engine(storage=NoPut())

    def test_a_dict_is_not_a_storage(self):
        with self.assertRaises(TypeError):
            librewards.Engine(storage={})


class RestoreKindTest(unittest.TestCase):
    def test_unknown_kind_name(self):
        with self.assertRaises(librewards.InvalidArgument) as cm:
            librewards.Engine.restore([("no_such_kind", b"rw1,")])
        self.assertIn("no_such_kind", str(cm.exception))
        self.assertNotIsInstance(cm.exception, KeyError)

    def test_kind_of_a_wrong_type(self):
        for kind in (None, 1.5j, object()):
            with self.assertRaises(librewards.InvalidArgument):
                librewards.Engine.restore([(kind, b"rw1,")])

    def test_known_kind_still_restores(self):
        saved = {}

        class Store:
            def put(self, kind, key, data):
                saved[(kind, key)] = data

            def delete(self, kind, key):
                saved.pop((kind, key), None)

        with librewards.Engine(storage=Store()) as e:
            e.apply("program", id="p", name="P", currency="USD")
        records = [(kind.name.lower(), key, data) for (kind, key), data in saved.items()]
        with librewards.Engine.restore(records) as e:
            self.assertEqual("USD", e.program("p").currency)


class ThreadsTest(unittest.TestCase):
    def test_threads_are_serialised(self):
        class Slow:
            def put(self, kind, key, data):
                time.sleep(0.0005)  # widen the window in which another thread calls in

        errors = []
        with librewards.Engine(storage=Slow()) as engine:
            engine.apply("program", id="p", name="P", currency="USD")
            engine.apply("level", id="l", program="p", name="L", rank=1)

            def worker(t):
                try:
                    for i in range(40):
                        engine.apply("partner", id="a%d-%d" % (t, i), program="p", level="l", name="A")
                        engine.partner("a%d-%d" % (t, i))
                        engine.ledger_csv()
                except Exception as exc:  # noqa: BLE001 - collected and reported below
                    errors.append(exc)

            threads = [threading.Thread(target=worker, args=(t,)) for t in range(4)]
            for t in threads:
                t.start()
            for t in threads:
                t.join()
            self.assertEqual([], errors)
            for t in range(4):
                for i in range(40):
                    self.assertIsNotNone(engine.partner("a%d-%d" % (t, i)))

    def test_reentry_is_still_misuse(self):
        box = []

        class Reenter:
            def put(self, kind, key, data):
                box[0].apply("program", id="q", name="Q", currency="USD")

        with librewards.Engine(storage=Reenter()) as engine:
            box.append(engine)
            with self.assertRaisesRegex(librewards.Misuse, "callbacks"):
                engine.apply("program", id="p", name="P", currency="USD")
            self.assertIsNone(engine.program("q"))


if __name__ == "__main__":
    unittest.main()
