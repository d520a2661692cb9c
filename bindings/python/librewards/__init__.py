"""librewards for Python: the C library through ctypes, no compiled extension.

    from librewards import Engine, NotFound

    with Engine() as engine:
        engine.apply("program", id="resell", name="Reseller Program", currency="USD")
        ...
        print(engine.ledger_csv())

Install it with ``pip install .`` from the repository's root (the package
then carries librewards.so.1 and needs no environment variable); amounts go
in as Decimal or str and come out as minor units and as Decimal.  The
library is found as _native's documentation says (LIBREWARDS_PATH first).
"""
from .engine import Engine
from .errors import (Conflict, Exists, InsufficientPoints, InvalidArgument, InvalidTransition, Misuse,
                     NoFxRate, NoMemory, NoPortalAccess, NotFound, OutOfOrder, Overflow, ParseError,
                     RewardsError, Storage)
from .helpers import (check_condition, format_amount, format_time, parse_amount, parse_time, version,
                      version_number)
from .records import (Deal, DealLine, Entry, Event, EventType, Level, Partner, Payout, PayoutLine,
                      Program, RecordKind, Reward, User, to_decimal)


def _version() -> str:
    try:
        from importlib.metadata import PackageNotFoundError, version as _dist_version
        try:
            return _dist_version("librewards")
        except PackageNotFoundError:
            pass
    except ImportError:  # pragma: no cover - Python < 3.8
        pass
    return version()  # not installed as a distribution: the library's own version


__version__: str = _version()

__all__ = [
    "Engine", "RewardsError", "InvalidArgument", "NotFound", "Exists", "InvalidTransition",
    "NoPortalAccess", "OutOfOrder", "NoFxRate", "InsufficientPoints", "Conflict", "Overflow",
    "ParseError", "Storage", "NoMemory", "Misuse", "Entry", "Event", "EventType", "RecordKind",
    "Program", "Level", "Reward", "Partner", "User", "Deal", "Payout", "PayoutLine",
    "check_condition", "format_amount", "format_time", "parse_amount", "parse_time", "version",
    "version_number", "to_decimal", "__version__", "DealLine",
]
