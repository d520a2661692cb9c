"""The Engine: one rewards_engine, its callbacks, operations and queries.

Callbacks follow the library's convention (CONVENTIONS.md, "Errors"): a C
callback signals failure by returning non-zero.  A Python exception cannot
cross the C frames, so each callback catches it, stores it, returns
failure, and the binding re-raises it once the C call has returned
(pygit2's pattern).  For storage the engine has then rolled back and
changed nothing; the original exception is what the caller sees.

The ctypes callback objects are kept on the Engine for as long as the C
engine lives.  They refer to a small _Callbacks object, never to the
Engine, so that dropping the last reference to an Engine frees it at once.
"""
import contextlib
import ctypes
import datetime
import functools
import keyword
import threading
from collections.abc import Mapping
from typing import Any, Callable, Dict, Iterable, Iterator, List, Optional, Union

from . import _native, errors
from . import traces as _traces
from ._native import lib, text
from .records import (Deal, Entry, Event, Level, Partner, Payout, Program, RecordKind, Reward,
                      User)
from .values import check_name, set_field, to_seconds
from .listing import _Listing


class _Callbacks:
    """What the C callbacks of one engine share: the host's objects and the pending exception."""

    def __init__(self, storage, on_event):
        self.storage = storage
        self.on_event = on_event
        self.pending = None

    def fail(self, exc):
        # Keep the first exception of a call: a rollback that raises after a
        # failed put must not hide why the put failed.
        if self.pending is None:
            self.pending = exc


def _method(obj, name):
    fn = getattr(obj, name, None)
    return fn if callable(fn) else None


_STORAGE_METHODS = ("begin", "put", "delete", "commit", "rollback")


def _check_storage(storage):
    """Refuse a storage object that would silently persist nothing."""
    for name in _STORAGE_METHODS:
        member = getattr(storage, name, None)
        if member is not None and not callable(member):
            raise TypeError("storage.%s must be callable, not %s" % (name, type(member).__name__))
    if getattr(storage, "put", None) is None:
        raise TypeError("storage must have a put(kind, key, data) method; %s has none" % type(storage).__name__)


def _locked(method):
    """Run an Engine method holding the engine's lock (see Engine)."""
    @functools.wraps(method)
    def wrapper(self, *args, **kwargs):
        with self._lock:
            return method(self, *args, **kwargs)
    return wrapper


def _storage_struct(cb, keep):
    """A rewards_storage calling the methods the storage object has (a method the object lacks is skipped, as a NULL member is)."""
    st = _native.Storage()
    st.version = _native.STORAGE_VERSION

    def simple(fn):
        def c_fn(_user):
            try:
                fn()
                return 0
            except BaseException as exc:  # noqa: B902 - stored and re-raised after the C call
                cb.fail(exc)
                return -1
        return c_fn

    for name, ctype in (("begin", _native.STORAGE_BEGIN), ("commit", _native.STORAGE_COMMIT),
                        ("rollback", _native.STORAGE_ROLLBACK)):
        fn = _method(cb.storage, name)
        if fn is not None:
            obj = ctype(simple(fn))
            keep.append(obj)
            setattr(st, name, obj)

    put = _method(cb.storage, "put")
    if put is not None:
        def c_put(_user, kind, key, data, size):
            try:
                put(RecordKind.of(kind), text(key), ctypes.string_at(data, size))
                return 0
            except BaseException as exc:  # noqa: B902
                cb.fail(exc)
                return -1
        obj = _native.STORAGE_PUT(c_put)
        keep.append(obj)
        st.put = obj

    delete = _method(cb.storage, "delete")
    if delete is not None:
        def c_delete(_user, kind, key):
            try:
                delete(RecordKind.of(kind), text(key))
                return 0
            except BaseException as exc:  # noqa: B902
                cb.fail(exc)
                return -1
        obj = _native.STORAGE_DEL(c_delete)
        keep.append(obj)
        st.delete = obj
    return st


def _events_struct(cb, keep):
    ev = _native.Events()
    ev.version = _native.EVENTS_VERSION

    def c_on_event(_user, event):
        # The event has already been committed: an exception cannot undo it.
        # It is stored and re-raised when apply() returns; the operation's
        # other events are still delivered.
        try:
            cb.on_event(Event.read(event))
        except BaseException as exc:  # noqa: B902
            cb.fail(exc)

    obj = _native.ON_EVENT(c_on_event)
    keep.append(obj)
    ev.on_event = obj
    return ev


def _field_name(key):
    # Keyword arguments cannot be Python keywords: from_="EUR" is the field "from".
    if key.endswith("_") and keyword.iskeyword(key[:-1]):
        return key[:-1]
    return key


def _entry_number(entry: int) -> int:
    """An entry number for the C API (uint64_t): NotFound for one no engine can have."""
    n = int(entry)
    if not 1 <= n < 2 ** 64:
        raise errors.error(errors.NotFound.status, "no entry %d" % n)
    return n


class Engine(_Listing):
    """A librewards engine.

    ``storage``: an object with any of begin(), put(kind, key, data),
    delete(kind, key), commit() and rollback(); a missing method counts as
    success, an exception as failure (re-raised by the call that caused it).
    ``on_event``: a callable taking an Event, called after each successful
    operation for what it did.

    Use it as a context manager, or call close(); the engine is also freed
    when it is garbage collected.

    Threads: the C engine is not thread-safe, so every call takes the
    engine's own lock; calls from several threads are serialised (each
    waits for the one in progress).  A call made from inside one of the
    engine's callbacks (storage, on_event) on the same thread is re-entry,
    not concurrency: it raises Misuse.

    ``storage`` must have a callable ``put``; any of the other method names
    it has must be callable too: otherwise TypeError, as nothing would be
    persisted.
    """

    def __init__(self, storage: Any = None, on_event: Optional[Callable[[Event], Any]] = None,
                 traces: bool = True) -> None:
        self._handle = None
        self._busy = False
        self._lock = threading.RLock()
        self._keep = []  # ctypes callback objects: alive as long as the C engine
        if on_event is not None and not callable(on_event):
            raise TypeError("on_event must be callable")
        if storage is not None:
            _check_storage(storage)
        self._cb = _Callbacks(storage, on_event)
        opts = _native.Options()
        opts.version = _native.OPTIONS_VERSION
        opts.traces = _native.TRACES_ON if traces else _native.TRACES_OFF
        if storage is not None:
            opts.storage = ctypes.pointer(_storage_struct(self._cb, self._keep))
        if on_event is not None:
            opts.events = ctypes.pointer(_events_struct(self._cb, self._keep))
        handle = _native.engine_p()
        status = lib.rewards_engine_new(ctypes.byref(handle), ctypes.byref(opts))
        if status != 0:
            raise errors.error(status, "rewards_engine_new failed")
        self._handle = handle

    # -- life cycle -------------------------------------------------------

    @classmethod
    def restore(cls, records: Iterable[Any], storage: Any = None,
                on_event: Optional[Callable[[Event], Any]] = None, traces: bool = True) -> "Engine":
        """A new engine rebuilt from saved records.

        ``records`` yields (kind, data) or (kind, key, data), where kind is a
        RecordKind, its number or its name; ((kind, key), data) pairs, as
        ``dict.items()`` of a {(kind, key): data} store gives them, work too.
        The new engine then persists through ``storage`` as usual.
        """
        engine = cls(storage=storage, on_event=on_event, traces=traces)
        try:
            engine._lock.acquire()
            h = engine._live(mutating=True)
            for record in records:
                kind, data = record[0], record[-1]
                if isinstance(kind, tuple):
                    kind = kind[0]
                try:
                    kind = int(RecordKind.of(kind))
                except (KeyError, ValueError, TypeError, AttributeError):
                    raise errors.error(1, "unknown record kind %r" % (kind,)) from None
                if not 0 <= kind < 2 ** 31:  # a C int: ctypes would wrap it into a known kind
                    raise errors.error(1, "unknown record kind %r" % (kind,))
                data = bytes(data)
                status = lib.rewards_engine_restore(h, kind, data, len(data))
                if status != 0:
                    raise engine._error(status)
            status = lib.rewards_engine_restore_finish(h)
            if status != 0:
                raise engine._error(status)
        except BaseException:
            engine.close()
            raise
        finally:
            engine._lock.release()
        return engine

    @_locked
    def close(self) -> None:
        """Free the engine (and everything in it).  Calling it again does nothing."""
        if self._busy:
            raise errors.error(14, "close() called from one of the engine's callbacks")
        handle, self._handle = self._handle, None
        if handle is not None:
            lib.rewards_engine_free(handle)
        self._keep = []

    @property
    def closed(self) -> bool:
        return self._handle is None

    def __enter__(self) -> "Engine":
        self._live()
        return self

    def __exit__(self, *exc: Any) -> bool:
        self.close()
        return False

    def __del__(self):
        try:
            if getattr(self, "_handle", None) is not None and not self._busy:
                self.close()
        except Exception:  # noqa: BLE001 - at interpreter exit the library may be gone
            pass

    # -- calls ------------------------------------------------------------

    def _live(self, mutating=False):
        if self._handle is None:
            raise errors.error(14, "the engine is closed")
        if mutating and self._busy:
            raise errors.error(14, "the engine was called from one of its callbacks")
        return self._handle

    def _error(self, status):
        return errors.error(status, text(lib.rewards_engine_errmsg(self._handle)) if self._handle else "")

    @_locked
    def _call(self, fn, *args):
        """Call a C function that may run callbacks; re-raise what they raised."""
        h = self._live(mutating=True)
        self._busy = True
        self._cb.pending = None
        try:
            status = fn(h, *args)
        finally:
            self._busy = False
            pending, self._cb.pending = self._cb.pending, None
        if pending is not None:
            raise pending
        if status != 0:
            raise self._error(status)

    @_locked
    def apply(self, op: Union[str, Mapping], /, **fields: Any) -> None:
        """Apply one operation: ``apply("deal", at="2026-01-05", id="d-100", ...)`` or
        ``apply({"op": "deal", "at": ..., ...})`` (keyword fields are added to
        the mapping's).  ``from_=`` stands for the field "from".  Raises the
        RewardsError of the status; changes nothing when it raises.
        """
        if isinstance(op, Mapping):
            values = dict(op)
            kind = values.pop("op", None)
        else:
            values, kind = {}, op
        for key, value in fields.items():
            values[_field_name(key)] = value
        if not isinstance(kind, str) or not kind or "\0" in kind:
            raise errors.error(1, "field 'op' must be a string naming the operation")
        h = self._live(mutating=True)
        op_handle = _native.op_p()
        status = lib.rewards_op_new(h, ctypes.byref(op_handle), _native.encode(kind))
        if status != 0:
            raise errors.error(status, "cannot start operation '%s'" % kind)
        try:
            for key, value in values.items():
                check_name(key)
                set_field(op_handle, key, value)
            self._call(lib.rewards_engine_apply, op_handle)
        finally:
            lib.rewards_op_free(op_handle)

    # -- exports ----------------------------------------------------------

    def _export(self, fn, *args):
        chunks = []
        cb = self._cb

        def write(_user, data, size):
            try:
                chunks.append(ctypes.string_at(data, size))
                return 0
            except BaseException as exc:  # noqa: B902
                cb.fail(exc)
                return -1

        writer = _native.WRITE_FN(write)
        self._call(fn, *args, writer, None)
        return b"".join(chunks).decode("utf-8")

    def ledger_csv(self) -> str:
        """The ledger as CSV text (SCENARIOS.md, "Output: the ledger")."""
        return self._export(lib.rewards_engine_export_ledger)

    def payouts_csv(self) -> str:
        """Every payout line as CSV text (SCENARIOS.md, "Output: the payouts")."""
        return self._export(lib.rewards_engine_export_payouts)

    def preview_payout(self, id: str, until: Union[str, int, datetime.datetime, datetime.date]) -> str:
        """The payouts CSV a run ``id`` with cut-off ``until`` would create; changes nothing.
        ``until``: "YYYY-MM-DD[THH:MM:SSZ]", UTC seconds, a datetime or a date."""
        seconds = to_seconds(until, "until")
        return self._export(lib.rewards_engine_preview_payout, _native.encode(id), seconds)

    # -- traces, statements, holds (docs/traces.md) -----------------------

    @_locked
    def trace(self, entry: int) -> Dict[str, Any]:
        """Why entry number ``entry`` has its amount: nested dicts and lists,
        amounts and rates as Decimal.  Raises NotFound for an unknown entry."""
        handle = _traces.new_handle()
        self._call(lib.rewards_engine_trace, ctypes.byref(handle), _entry_number(entry))
        try:
            return _traces.read_trace(handle)
        finally:
            lib.rewards_trace_free(handle)

    @_locked
    def trace_json(self, entry: int) -> str:
        """The trace of entry ``entry`` as the library's JSON (one object, no newline)."""
        handle = _traces.new_handle()
        self._call(lib.rewards_engine_trace, ctypes.byref(handle), _entry_number(entry))
        try:
            chunks = []
            writer = _native.WRITE_FN(lambda _u, data, size: chunks.append(ctypes.string_at(data, size)) or 0)
            status = lib.rewards_trace_write_json(handle, writer, None)
            if status != 0:
                raise self._error(status)
            return b"".join(chunks).decode("utf-8")
        finally:
            lib.rewards_trace_free(handle)

    def traces(self) -> List[Dict[str, Any]]:
        """Every entry's trace, in entry order."""
        return [self.trace(n) for n in range(1, self.entry_count() + 1)]

    def traces_jsonl(self) -> str:
        """Every entry's trace as JSON lines (as rewards-cli run --traces writes)."""
        return self._export(lib.rewards_engine_export_traces)

    def statements_csv(self, recipient_type: Optional[str] = None, recipient: Optional[str] = None,
                       start: Any = None, until: Any = None) -> str:
        """Statements as CSV (docs/traces.md): of one recipient ("partner" or
        "sales_rep" and its id) or, with neither, of every recipient with
        entries; over [start, until) (None: unbounded)."""
        lo = -2 ** 63 if start is None else to_seconds(start, "start")
        hi = 2 ** 63 - 1 if until is None else to_seconds(until, "until")
        return self._export(lib.rewards_engine_export_statements,
                            None if recipient_type is None else _native.encode(recipient_type),
                            None if recipient is None else _native.encode(recipient), lo, hi)

    def statements(self, recipient_type: Optional[str] = None, recipient: Optional[str] = None,
                   start: Any = None, until: Any = None) -> List[Dict[str, Any]]:
        """statements_csv() as rows (dicts), amounts as Decimal, entry numbers as int."""
        return _traces.csv_rows(self.statements_csv(recipient_type, recipient, start, until))

    def holds_csv(self) -> str:
        """Every held entry as CSV: entry,reason,since,partner,deal,user,reward,amount,currency."""
        return self._export(lib.rewards_engine_export_holds)

    def holds(self) -> List[Dict[str, Any]]:
        """holds_csv() as rows (dicts), amounts as Decimal, entry numbers as int."""
        return _traces.csv_rows(self.holds_csv())

    # -- queries ----------------------------------------------------------

    def balance(self, recipient_type: str, recipient: str) -> Dict[str, int]:
        """Balances of a recipient ("partner" or "sales_rep", and its id), in minor units:
        {"pending", "approved", "held", "paid", "points"}."""
        out = _native.Balance()
        out.version = _native.BALANCE_VERSION
        self._call(lib.rewards_engine_balance, ctypes.byref(out), _native.encode(recipient_type),
                   _native.encode(recipient))
        return {name: getattr(out, name) for name in ("pending", "approved", "held", "paid", "points")}

    @_locked
    def entries(self, partner: Optional[str] = None, deal: Optional[str] = None) -> Iterator[Entry]:
        """Iterate over the ledger entries (creation order) as Entry snapshots: all of
        them, a partner's (its own and its reps') or a deal's."""
        h = self._live()
        if partner is not None and deal is not None:
            raise TypeError("give partner or deal, not both")
        if partner is not None or deal is not None:
            finder, count, at = ((lib.rewards_engine_find_partner, lib.rewards_partner_entry_count,
                                  lib.rewards_partner_entry) if partner is not None else
                                 (lib.rewards_engine_find_deal, lib.rewards_deal_entry_count,
                                  lib.rewards_deal_entry))
            what = "partner" if partner is not None else "deal"
            name = partner if partner is not None else deal
            key = _native.encode(name)
            if not finder(h, key):
                raise errors.error(2, "%s '%s' does not exist" % (what, name))

            def owner():
                # found again at each step: one made in a batch that was rolled
                # back is gone, and its old handle would be freed memory
                found = finder(self._live(), key)
                if not found:
                    raise errors.error(2, "%s '%s' no longer exists" % (what, name))
                return found
            return self._iter(lambda: count(owner()), lambda i: at(owner(), i))
        return self._iter(lambda: lib.rewards_engine_entry_count(self._live()),
                          lambda i: lib.rewards_engine_entry(self._live(), i))

    def _iter(self, count, at):
        i = 0
        while True:
            with self._lock:
                self._live()
                if i >= count():
                    return
                entry = Entry.read(at(i))
            yield entry
            i += 1

    @_locked
    def entry_count(self) -> int:
        return lib.rewards_engine_entry_count(self._live())

    @_locked
    def _find(self, finder, cls, id):
        handle = finder(self._live(), _native.encode(id))
        return cls.read(handle) if handle else None

    def program(self, id: str) -> Optional[Program]:
        """The program ``id`` as a Program snapshot, or None."""
        return self._find(lib.rewards_engine_find_program, Program, id)

    def level(self, id: str) -> Optional[Level]:
        return self._find(lib.rewards_engine_find_level, Level, id)

    def reward(self, id: str) -> Optional[Reward]:
        return self._find(lib.rewards_engine_find_reward, Reward, id)

    def partner(self, id: str) -> Optional[Partner]:
        return self._find(lib.rewards_engine_find_partner, Partner, id)

    def user(self, id: str) -> Optional[User]:
        return self._find(lib.rewards_engine_find_user, User, id)

    def deal(self, id: str) -> Optional[Deal]:
        return self._find(lib.rewards_engine_find_deal, Deal, id)

    def payout(self, id: str) -> Optional[Payout]:
        return self._find(lib.rewards_engine_find_payout, Payout, id)

    # -- batches ----------------------------------------------------------

    def begin(self):
        """Open a batch (docs/batches.md): operations until commit() or
        rollback() are one transaction.  Misuse when one is already open."""
        self._call(lib.rewards_engine_begin)

    def commit(self):
        """Commit the open batch: storage hears one transaction, then the
        batch's events are delivered.  On a storage failure the whole batch
        is rolled back and the error raised; the batch is closed either way."""
        self._call(lib.rewards_engine_commit)

    def rollback(self):
        """Undo the open batch: the engine is exactly as before begin();
        storage and on_event hear nothing."""
        self._call(lib.rewards_engine_rollback)

    @property
    def in_batch(self):
        """True while a batch is open."""
        return bool(lib.rewards_engine_in_batch(self._live()))

    @contextlib.contextmanager
    def batch(self):
        """``with engine.batch(): ...``: begin; commit on a normal exit (unless
        the body already committed or rolled back), roll back on an exception.
        An operation that raises inside the body has changed nothing; catch
        it there to let the batch go on."""
        self.begin()
        try:
            yield self
        except BaseException:
            if self._handle is not None and self.in_batch:
                self.rollback()
            raise
        if self.in_batch:
            self.commit()
