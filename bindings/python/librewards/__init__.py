"""librewards for Python: the C library through ctypes, no compiled extension.

    from librewards import Engine, NotFound

    with Engine() as engine:
        engine.apply("program", id="resell", name="Reseller Program", currency="USD")
        ...
        print(engine.ledger_csv())

The shared library is found through the LIBREWARDS_PATH environment
variable (a path to librewards.so.1) or else ctypes.util.find_library.
"""
from .engine import Engine
from .errors import (Conflict, Exists, InsufficientPoints, InvalidArgument, InvalidTransition, Misuse,
                     NoFxRate, NoMemory, NoPortalAccess, NotFound, OutOfOrder, Overflow, ParseError,
                     RewardsError, Storage)
from .helpers import (check_condition, format_amount, format_time, parse_amount, parse_time, version,
                      version_number)
from .records import (Deal, Entry, Event, EventType, Level, Partner, Payout, PayoutLine, Program,
                      RecordKind, Reward, User)

__all__ = [
    "Engine", "RewardsError", "InvalidArgument", "NotFound", "Exists", "InvalidTransition",
    "NoPortalAccess", "OutOfOrder", "NoFxRate", "InsufficientPoints", "Conflict", "Overflow",
    "ParseError", "Storage", "NoMemory", "Misuse", "Entry", "Event", "EventType", "RecordKind",
    "Program", "Level", "Reward", "Partner", "User", "Deal", "Payout", "PayoutLine",
    "check_condition", "format_amount", "format_time", "parse_amount", "parse_time", "version",
    "version_number",
]
