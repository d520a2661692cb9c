"""RewardsError and one subclass per rewards_status.

Every failed call raises the subclass of its status.  ``.code`` is the
stable name the library gives the status (rewards_status_name(): the codes
of scenario output, "not_found"), ``.status`` its number and ``.message``
what rewards_engine_errmsg() said (or what the binding found wrong before
calling the library).
"""
from typing import Optional


class RewardsError(Exception):
    """A librewards call failed: ``code`` (e.g. "not_found") and ``message``."""

    status: Optional[int] = None  # the rewards_status number, set on each subclass

    def __init__(self, code: str, message: str = "") -> None:
        super().__init__(code, message)
        self.code = code
        self.message = message

    def __str__(self) -> str:
        return "%s: %s" % (self.code, self.message) if self.message else self.code


class InvalidArgument(RewardsError, ValueError):
    """A field is missing, malformed or out of range (invalid_argument)."""
    status = 1


class NotFound(RewardsError, LookupError):
    """A referenced id does not exist (not_found)."""
    status = 2


class Exists(RewardsError):
    """An id is already taken (exists)."""
    status = 3


class InvalidTransition(RewardsError):
    """The deal's stage does not allow this (invalid_transition)."""
    status = 4


class NoPortalAccess(RewardsError):
    """The user lacks partner-portal access (no_portal_access)."""
    status = 5


class OutOfOrder(RewardsError):
    """The operation's time is before the last applied one (out_of_order)."""
    status = 6


class NoFxRate(RewardsError):
    """No FX rate converts the deal's currency (no_fx_rate)."""
    status = 7


class InsufficientPoints(RewardsError):
    """A redemption exceeds the approved points (insufficient_points)."""
    status = 8


class Conflict(RewardsError):
    """An event id was used for another operation (conflict)."""
    status = 9


class Overflow(RewardsError, OverflowError):
    """A value does not fit in 64 bits (overflow)."""
    status = 10


class ParseError(RewardsError):
    """A condition expression does not compile (parse_error).

    From check_condition(), ``line`` and ``column`` say where (1-based).
    """
    status = 11
    line = None
    column = None


class Storage(RewardsError):
    """A storage callback failed; nothing changed (storage).

    When the callback failed by raising, apply() re-raises that exception
    instead, so this is only seen for failures without one.
    """
    status = 12


class NoMemory(RewardsError, MemoryError):
    """Out of memory; nothing changed (nomem)."""
    status = 13


class Misuse(RewardsError):
    """API misuse: a closed engine, or re-entry from a callback (misuse)."""
    status = 14


_BY_STATUS = {cls.status: cls for cls in (
    InvalidArgument, NotFound, Exists, InvalidTransition, NoPortalAccess, OutOfOrder, NoFxRate,
    InsufficientPoints, Conflict, Overflow, ParseError, Storage, NoMemory, Misuse)}


def status_name(status: int) -> str:
    """The stable code name of a status number ("not_found")."""
    from ._native import lib, text
    return text(lib.rewards_status_name(status))


def error(status: int, message: str = "") -> RewardsError:
    """The exception for a status number (RewardsError for a number this binding does not know)."""
    cls = _BY_STATUS.get(status, RewardsError)
    err = cls(status_name(status), message)
    if cls is RewardsError:
        err.status = status
    return err
