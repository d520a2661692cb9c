"""The engine-less helpers of the C API: times, amounts, conditions, version."""
import ctypes
import datetime
from typing import Union

from . import errors
from ._native import c_int, c_int64, encode, lib, text
from .records import format_amount as _format_amount
from .values import int64, to_seconds


def version() -> str:
    """The loaded library's version as text ("1.0.0")."""
    return text(lib.rewards_version_string())


def version_number() -> int:
    """The loaded library's version as major * 10000 + minor * 100 + patch."""
    return lib.rewards_version()


def parse_time(value: Union[str, int, datetime.datetime, datetime.date]) -> int:
    """UTC seconds of "YYYY-MM-DD" or "YYYY-MM-DDTHH:MM:SSZ" (also accepts a datetime or a date)."""
    return to_seconds(value)


def format_time(seconds: int) -> str:
    """UTC seconds as "YYYY-MM-DDTHH:MM:SSZ"."""
    buf = ctypes.create_string_buffer(32)
    status = lib.rewards_time_format(int64(seconds, "time"), buf, len(buf))
    if status != 0:
        raise errors.error(status, "cannot format time %d" % seconds)
    return buf.value.decode()


def parse_amount(value: str, currency: str) -> int:
    """Exact minor units of decimal text in a currency: parse_amount("1200.50", "USD") == 120050."""
    out = c_int64()
    try:
        status = lib.rewards_amount_parse(encode(value), encode(currency), ctypes.byref(out))
    except ValueError:
        status = 1
    if status != 0:
        raise errors.error(status, "'%s' is not an amount in %s" % (value, currency))
    return out.value


def format_amount(minor: int, currency: str) -> str:
    """Minor units as exact decimal text: format_amount(-3550, "USD") == "-35.50"."""
    result = _format_amount(int64(minor, "amount"), currency)
    if result is None:
        raise errors.error(1, "unknown currency '%s'" % currency)
    return result


def check_condition(condition: str) -> None:
    """Check a reward condition (SPEC section 8) without an engine.

    Returns None when it compiles; raises ParseError with ``line`` and
    ``column`` (1-based) and the library's message otherwise.
    """
    line, column = c_int(0), c_int(0)
    msg = ctypes.create_string_buffer(512)
    status = lib.rewards_condition_check(encode(condition), ctypes.byref(line), ctypes.byref(column),
                                         msg, len(msg))
    if status != 0:
        err = errors.error(status, text(msg.value))
        if isinstance(err, errors.ParseError):
            err.line, err.column = line.value, column.value
        raise err
