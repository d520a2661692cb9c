"""Python values to operation fields, and times to UTC seconds.

An operation's fields are set one by one on a rewards_op by path
("requires.window", "tiers.0.from").  This module walks a Python value and
picks the setter by type:

    str                      rewards_op_set_string
    bool                     rewards_op_set_bool
    int                      rewards_op_set_int (beyond 64 bits: Overflow)
    decimal.Decimal          money: rewards_op_set_string, as plain decimal text
                             ("1200.50"), since amounts are decimal strings;
                             inside attrs (whose values are numbers):
                             rewards_op_set_number
    float                    rewards_op_set_number, as plain decimal text
    datetime.datetime        rewards_op_set_time (naive values are UTC)
    datetime.date            rewards_op_set_time, at 00:00:00 UTC
    dict (any Mapping)       rewards_op_set_object, then each member
    list, tuple              rewards_op_set_list, then each element in order
    None, anything else      rewards_op_set_null: the library reports
                             invalid_argument when it reaches that field

so that a wrong type is reported by the library, in its documented field
order, exactly as for any other host.
"""
import calendar
import datetime
import decimal
import math
from collections.abc import Mapping
from typing import Any, Optional, Union

from . import errors
from ._native import c_int64, encode, lib

INT64_MIN = -(1 << 63)
INT64_MAX = (1 << 63) - 1


def int64(value: int, what: str) -> int:
    """value when it fits in int64_t; Overflow otherwise (ctypes would wrap it
    silently into another number)."""
    if not INT64_MIN <= value <= INT64_MAX:
        raise errors.error(errors.Overflow.status, "%s does not fit in 64 bits" % what)
    return value


def to_seconds(value: Union[str, int, datetime.datetime, datetime.date], what: str = "time") -> int:
    """UTC seconds from an int, a "YYYY-MM-DD[THH:MM:SSZ]" string, a datetime or a date."""
    if isinstance(value, bool):
        raise errors.error(1, "%s must be a time, not a boolean" % what)
    if isinstance(value, int):
        return int64(value, what)
    if isinstance(value, datetime.datetime):
        return calendar.timegm(value.utctimetuple())
    if isinstance(value, datetime.date):
        return calendar.timegm(value.timetuple())
    if isinstance(value, str):
        out = c_int64()
        try:
            raw = encode(value)
        except ValueError:
            raw = None
        if raw is not None and lib.rewards_time_parse(raw, out) == 0:
            return out.value
        raise errors.error(1, "%s '%s' is not YYYY-MM-DD or YYYY-MM-DDTHH:MM:SSZ" % (what, value))
    raise errors.error(1, "%s must be a string, an int, a datetime or a date" % what)


def decimal_text(value: Union[decimal.Decimal, float]) -> Optional[str]:
    """Plain decimal text of a finite Decimal or float ("12.5", never "1.25E+1"); None otherwise."""
    if isinstance(value, float):
        if not math.isfinite(value):
            return None
        value = decimal.Decimal(repr(value))  # the shortest text that reads back the same
    if not value.is_finite():
        return None
    return format(value, "f")


def _check(status, path, what):
    if status != 0:
        raise errors.error(status, "field '%s': cannot set %s" % (path, what))


def set_field(op: Any, path: str, value: Any) -> None:
    """Set the field at @p path of @p op to @p value (see the module doc for the types)."""
    raw_path = encode(path)
    if isinstance(value, bool):
        _check(lib.rewards_op_set_bool(op, raw_path, 1 if value else 0), path, "a boolean")
    elif isinstance(value, int):
        if not INT64_MIN <= value <= INT64_MAX:
            raise errors.error(10, "field '%s': %d does not fit in 64 bits" % (path, value))
        _check(lib.rewards_op_set_int(op, raw_path, value), path, "an integer")
    elif isinstance(value, str):
        try:
            raw = encode(value)
        except ValueError:
            raise errors.error(1, "field '%s' contains a NUL character" % path) from None
        _check(lib.rewards_op_set_string(op, raw_path, raw), path, "a string")
    elif isinstance(value, decimal.Decimal) and not _in_attrs(path) and value.is_finite():
        _check(lib.rewards_op_set_string(op, raw_path, decimal_text(value).encode()), path, "a string")
    elif isinstance(value, (decimal.Decimal, float)):
        text = decimal_text(value)
        if text is None:
            _check(lib.rewards_op_set_null(op, raw_path), path, "a null")
        else:
            _check(lib.rewards_op_set_number(op, raw_path, text.encode()), path, "a number")
    elif isinstance(value, (datetime.date, datetime.datetime)):
        _check(lib.rewards_op_set_time(op, raw_path, to_seconds(value)), path, "a time")
    elif isinstance(value, Mapping):
        _check(lib.rewards_op_set_object(op, raw_path), path, "an object")
        for key, member in value.items():
            check_name(key, path)
            set_field(op, path + "." + key, member)
    elif isinstance(value, (list, tuple)):
        _check(lib.rewards_op_set_list(op, raw_path), path, "a list")
        for i, item in enumerate(value):
            set_field(op, "%s.%d" % (path, i), item)
    else:
        _check(lib.rewards_op_set_null(op, raw_path), path, "a null")


def _in_attrs(path: str) -> bool:
    """Attributes hold numbers; everywhere else a Decimal is money, written as a decimal string."""
    return path == "attrs" or path.startswith("attrs.")


def check_name(key: Any, parent: Optional[str] = None) -> None:
    """A field name must be a non-empty str without '.' (paths are dot-separated)."""
    if not isinstance(key, str) or not key or "." in key or "\0" in key:
        where = " in '%s'" % parent if parent else ""
        raise errors.error(1, "unknown field %r%s: names are non-empty strings without '.'" % (key, where))
