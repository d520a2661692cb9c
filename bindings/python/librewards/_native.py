"""Loading librewards with ctypes and declaring the C prototypes.

Only this module knows the C signatures.  The library is found, in order:

1. through the ``LIBREWARDS_PATH`` environment variable (a path to
   ``librewards.so.1``; the meson tests set it to the library just built);
2. inside this package (``pip install .`` bundles ``librewards.so.1`` next
   to this file);
3. in the library directory a ``meson install`` wrote it to (recorded at
   build time in ``_libpath.py``);
4. by the dynamic linker's own search (``librewards.so.1`` installed system-wide).

so an installed package imports without any environment variable.  The
loaded library must have the same major version as the header these
prototypes were written from (REWARDS_VERSION_MAJOR = 1).
"""
import ctypes
import ctypes.util
import glob
import os

from ctypes import (CFUNCTYPE, POINTER, Structure, c_char_p, c_int, c_int64, c_size_t,
                    c_uint, c_uint64, c_void_p)

ABI_MAJOR = 1

# Opaque handles are plain pointers on this side.
engine_p = c_void_p
op_p = c_void_p
handle_p = c_void_p

# struct rewards_storage and rewards_events (REWARDS_*_VERSION 1).
STORAGE_BEGIN = CFUNCTYPE(c_int, c_void_p)
STORAGE_PUT = CFUNCTYPE(c_int, c_void_p, c_int, c_char_p, c_void_p, c_size_t)
STORAGE_DEL = CFUNCTYPE(c_int, c_void_p, c_int, c_char_p)
STORAGE_COMMIT = CFUNCTYPE(c_int, c_void_p)
STORAGE_ROLLBACK = CFUNCTYPE(c_int, c_void_p)
ON_EVENT = CFUNCTYPE(None, c_void_p, c_void_p)
WRITE_FN = CFUNCTYPE(c_int, c_void_p, POINTER(ctypes.c_char), c_size_t)


class Storage(Structure):
    _fields_ = [("version", c_uint), ("begin", STORAGE_BEGIN), ("put", STORAGE_PUT),
                ("delete", STORAGE_DEL), ("commit", STORAGE_COMMIT),
                ("rollback", STORAGE_ROLLBACK), ("user", c_void_p)]


class Events(Structure):
    _fields_ = [("version", c_uint), ("on_event", ON_EVENT), ("user", c_void_p)]


class Options(Structure):
    # version 2 (1.1): 'traces' appended
    _fields_ = [("version", c_uint), ("allocator", c_void_p),
                ("storage", POINTER(Storage)), ("events", POINTER(Events)), ("traces", c_int)]


class Balance(Structure):
    _fields_ = [("version", c_uint), ("pending", c_int64), ("approved", c_int64),
                ("held", c_int64), ("paid", c_int64), ("points", c_int64)]


STORAGE_VERSION = 1
EVENTS_VERSION = 1
OPTIONS_VERSION = 2
TRACES_ON, TRACES_OFF = 0, 1
BALANCE_VERSION = 1

_PROTOTYPES = {
    # name: (restype, argtypes)
    "rewards_version": (c_int, []),
    "rewards_version_string": (c_char_p, []),
    "rewards_status_name": (c_char_p, [c_int]),
    "rewards_record_kind_name": (c_char_p, [c_int]),
    "rewards_engine_new": (c_int, [POINTER(engine_p), POINTER(Options)]),
    "rewards_engine_free": (None, [engine_p]),
    "rewards_engine_errmsg": (c_char_p, [engine_p]),
    "rewards_op_new": (c_int, [engine_p, POINTER(op_p), c_char_p]),
    "rewards_op_free": (None, [op_p]),
    "rewards_op_set_string": (c_int, [op_p, c_char_p, c_char_p]),
    "rewards_op_set_int": (c_int, [op_p, c_char_p, c_int64]),
    "rewards_op_set_bool": (c_int, [op_p, c_char_p, c_int]),
    "rewards_op_set_time": (c_int, [op_p, c_char_p, c_int64]),
    "rewards_op_set_number": (c_int, [op_p, c_char_p, c_char_p]),
    "rewards_op_set_null": (c_int, [op_p, c_char_p]),
    "rewards_op_set_object": (c_int, [op_p, c_char_p]),
    "rewards_op_set_list": (c_int, [op_p, c_char_p]),
    "rewards_engine_apply": (c_int, [engine_p, op_p]),
    "rewards_engine_restore": (c_int, [engine_p, c_int, c_void_p, c_size_t]),
    "rewards_engine_restore_finish": (c_int, [engine_p]),
    "rewards_engine_balance": (c_int, [engine_p, POINTER(Balance), c_char_p, c_char_p]),
    "rewards_engine_export_ledger": (c_int, [engine_p, WRITE_FN, c_void_p]),
    # 1.2: traces, statements, holds (docs/traces.md)
    "rewards_engine_trace": (c_int, [engine_p, POINTER(c_void_p), c_uint64]),
    "rewards_trace_free": (None, [c_void_p]),
    "rewards_trace_count": (c_size_t, [c_void_p]),
    "rewards_trace_key": (c_char_p, [c_void_p, c_size_t]),
    "rewards_trace_value": (c_char_p, [c_void_p, c_size_t]),
    "rewards_trace_type": (c_int, [c_void_p, c_size_t]),
    "rewards_trace_write_json": (c_int, [c_void_p, WRITE_FN, c_void_p]),
    "rewards_engine_export_traces": (c_int, [engine_p, WRITE_FN, c_void_p]),
    "rewards_engine_export_statements": (c_int, [engine_p, c_char_p, c_char_p, c_int64, c_int64, WRITE_FN, c_void_p]),
    "rewards_engine_export_holds": (c_int, [engine_p, WRITE_FN, c_void_p]),
    "rewards_engine_export_payouts": (c_int, [engine_p, WRITE_FN, c_void_p]),
    "rewards_engine_preview_payout": (c_int, [engine_p, c_char_p, c_int64, WRITE_FN, c_void_p]),
    "rewards_condition_check": (c_int, [c_char_p, POINTER(c_int), POINTER(c_int), c_char_p, c_size_t]),
    "rewards_time_parse": (c_int, [c_char_p, POINTER(c_int64)]),
    "rewards_time_format": (c_int, [c_int64, c_char_p, c_size_t]),
    "rewards_amount_parse": (c_int, [c_char_p, c_char_p, POINTER(c_int64)]),
    "rewards_amount_format": (c_int, [c_int64, c_char_p, c_char_p, c_size_t]),
    "rewards_engine_entry_count": (c_size_t, [engine_p]),
    "rewards_engine_entry": (handle_p, [engine_p, c_size_t]),
    "rewards_partner_entry_count": (c_size_t, [handle_p]),
    "rewards_partner_entry": (handle_p, [handle_p, c_size_t]),
    "rewards_deal_entry_count": (c_size_t, [handle_p]),
    "rewards_deal_entry": (handle_p, [handle_p, c_size_t]),
    "rewards_entry_number": (c_uint64, [handle_p]),
    "rewards_entry_amount": (c_int64, [handle_p]),
    "rewards_entry_earned_at": (c_int64, [handle_p]),
    "rewards_level_rank": (c_int64, [handle_p]),
    "rewards_user_portal_access": (c_int, [handle_p]),
    "rewards_deal_amount": (c_int64, [handle_p]),
    "rewards_payout_line_count": (c_size_t, [handle_p]),
    "rewards_payout_line_at": (handle_p, [handle_p, c_size_t]),
    "rewards_payout_line_amount": (c_int64, [handle_p]),
    "rewards_payout_line_entries": (c_int64, [handle_p]),
    "rewards_event_get_type": (c_int, [handle_p]),
    # 1.1: listing and accessors (docs/c-api-listing.md)
    "rewards_partner_deal_count": (c_size_t, [handle_p]),
    "rewards_partner_deal": (handle_p, [handle_p, c_size_t]),
    "rewards_deal_units": (c_int64, [handle_p]),
    "rewards_deal_registered_at": (c_int64, [handle_p]),
    "rewards_payout_at": (c_int64, [handle_p]),
    "rewards_payout_until": (c_int64, [handle_p]),
    "rewards_payout_currency_count": (c_size_t, [handle_p]),
    "rewards_payout_currency": (c_char_p, [handle_p, c_size_t]),
    "rewards_payout_total": (c_int, [handle_p, c_char_p, POINTER(c_int64)]),
    "rewards_reward_param": (c_int, [handle_p, c_char_p, c_char_p, c_size_t]),
    "rewards_reward_param_count": (c_size_t, []),
    "rewards_deal_line_count": (c_size_t, [handle_p]),
    "rewards_deal_line_at": (handle_p, [handle_p, c_size_t]),
    "rewards_deal_line_id": (c_char_p, [handle_p]),
    "rewards_deal_line_product": (c_char_p, [handle_p]),
    "rewards_deal_line_amount": (c_int64, [handle_p]),
    "rewards_deal_line_cost": (c_int64, [handle_p]),
    "rewards_deal_line_units": (c_int64, [handle_p]),
    "rewards_reward_param_name": (c_char_p, [c_size_t]),
}

# 1.1 engine listings: size_t rewards_engine_<t>_count(e), const T *rewards_engine_<t>(e, i)
for _t in ("program", "level", "reward", "partner", "user", "deal", "payout"):
    _PROTOTYPES["rewards_engine_%s_count" % _t] = (c_size_t, [engine_p])
    _PROTOTYPES["rewards_engine_" + _t] = (handle_p, [engine_p, c_size_t])

# Lookups: const T *rewards_engine_find_<t>(const rewards_engine *, const char *id)
for _t in ("program", "level", "reward", "partner", "user", "deal", "payout"):
    _PROTOTYPES["rewards_engine_find_" + _t] = (handle_p, [engine_p, c_char_p])

# Accessors returning a string: const char *f(const T *)
for _f in ("program_id", "program_currency", "level_id", "reward_id", "reward_name", "partner_id",
           "partner_name", "user_id", "user_name", "deal_id", "deal_stage", "entry_type",
           "entry_recipient_type", "entry_recipient", "entry_currency", "entry_status", "entry_reason",
           "entry_period", "payout_id", "payout_line_recipient_type", "payout_line_recipient",
           "payout_line_currency", "entry_note", "entry_line",
           # 1.1
           "program_name", "level_name", "deal_currency", "reward_kind", "reward_trigger", "reward_recipient"):
    _PROTOTYPES["rewards_" + _f] = (c_char_p, [handle_p])

# Accessors returning another handle: const U *f(const T *)
for _f in ("partner_level", "user_partner", "deal_partner", "deal_user", "entry_reward", "entry_deal",
           "entry_partner", "entry_payout", "event_entry", "event_partner", "event_reward", "event_deal",
           "event_user", "event_previous_level", "event_level", "event_payout",
           # 1.1
           "level_program", "partner_program", "partner_parent", "payout_line_partner", "payout_line_user", "payout_line_payout",
           "reward_level", "reward_program"):
    _PROTOTYPES["rewards_" + _f] = (handle_p, [handle_p])

# Batches (1.1): int f(rewards_engine *)
for _f in ("begin", "commit", "rollback", "in_batch"):
    _PROTOTYPES["rewards_engine_" + _f] = (c_int, [engine_p])


def _candidates():
    """Where librewards.so.1 may be, best first (see the module doc)."""
    env = os.environ.get("LIBREWARDS_PATH")
    if env:
        yield env
        return
    soname = "librewards.so.%d" % ABI_MAJOR
    here = os.path.dirname(os.path.abspath(__file__))
    yield os.path.join(here, soname)
    # a wheel holds the real file only (no symlinks): librewards.so.1.x.y
    yield from sorted(glob.glob(os.path.join(here, soname + ".*")), reverse=True)
    try:
        from ._libpath import LIBDIR  # written by meson install
        yield os.path.join(LIBDIR, soname)
    except ImportError:
        pass
    yield soname
    found = ctypes.util.find_library("rewards")
    if found:
        yield found


def _load():
    lib, tried = None, []
    for path in _candidates():
        if os.path.sep in path and not os.path.exists(path):
            tried.append(path)
            continue
        try:
            lib = ctypes.CDLL(path)
            break
        except OSError as exc:
            tried.append("%s (%s)" % (path, exc))
    if lib is None:
        raise ImportError("librewards.so.%d not found (tried: %s); install the package with pip, "
                          "or set LIBREWARDS_PATH" % (ABI_MAJOR, "; ".join(tried)))
    for name, (restype, argtypes) in _PROTOTYPES.items():
        fn = getattr(lib, name)
        fn.restype = restype
        fn.argtypes = argtypes
    major = lib.rewards_version() // 10000
    if major != ABI_MAJOR:
        raise ImportError("%s is librewards %s; this package needs major version %d"
                          % (path, lib.rewards_version_string().decode(), ABI_MAJOR))
    return lib


lib = _load()


def text(raw):
    """A C string returned by the library as str (None stays None)."""
    return None if raw is None else raw.decode("utf-8", "surrogateescape")


def encode(value):
    """A Python str as a C string; embedded NUL characters are refused
    (InvalidArgument, a ValueError: the C string would end early and name
    something else)."""
    data = value.encode("utf-8", "surrogateescape")
    if b"\0" in data:
        from . import errors
        raise errors.error(errors.InvalidArgument.status, "text contains a NUL character")
    return data

