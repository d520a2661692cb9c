"""Snapshots of engine objects, and the enums of the C API.

The C handles are borrowed and their strings change with the objects, so
the binding copies what a handle says into an immutable Python object at
the moment it is read (an Entry, a Deal, an Event, ...).  A snapshot never
touches the engine again: it stays valid after the engine is closed.
"""
import ctypes
import datetime
import enum
from dataclasses import dataclass
from typing import Optional, Tuple

from ._native import lib, text

_UTC = datetime.timezone.utc
_EPOCH = datetime.datetime(1970, 1, 1, tzinfo=_UTC)


class RecordKind(enum.IntEnum):
    """rewards_record_kind: the kinds of persisted records."""
    META = 0
    CURRENCY = 1
    PROGRAM = 2
    LEVEL = 3
    REWARD = 4
    PARTNER = 5
    USER = 6
    FX = 7
    DEAL = 8
    LEVEL_CHANGE = 9
    CONTRIBUTION = 10
    PAYOUT = 11
    PAYOUT_LINE = 12
    ENTRY = 13
    EVENT_ID = 14

    @classmethod
    def of(cls, value):
        """A RecordKind from a number, a RecordKind or a name ("deal")."""
        if isinstance(value, str):
            return cls[value.upper()]
        try:
            return cls(value)
        except ValueError:
            return int(value)  # a kind a newer library knows: passed through as a number


class EventType(enum.IntEnum):
    """rewards_event_type: what an event reports."""
    ENTRY_EARNED = 1
    ENTRY_HELD = 2
    ENTRY_RELEASED = 3
    ENTRY_ADJUSTED = 4
    ENTRY_REVERSED = 5
    REWARD_SKIPPED = 6
    LEVEL_CHANGED = 7
    PAYOUT_CREATED = 8
    POINTS_REDEEMED = 9


def to_datetime(seconds):
    """UTC seconds as an aware datetime."""
    return _EPOCH + datetime.timedelta(seconds=seconds)


def format_amount(minor, currency):
    """Minor units as exact decimal text ("-35.50"); None for a currency the library does not know."""
    buf = ctypes.create_string_buffer(32)
    if currency is None or lib.rewards_amount_format(minor, currency.encode(), buf, len(buf)) != 0:
        return None
    return buf.value.decode()


def _id(getter, handle):
    return text(getter(handle)) if handle else None


@dataclass(frozen=True)
class Entry:
    """A ledger entry, as the ledger CSV shows it (amount in minor units)."""
    number: int
    type: str
    reward: Optional[str]
    deal: Optional[str]
    partner: Optional[str]
    recipient_type: str
    recipient: str
    amount: int
    currency: str
    status: str
    reason: str
    period: str
    earned_at: datetime.datetime
    payout: Optional[str]
    line: Optional[str] = None  # the deal line of a per-line reward's entry ("" for a deal without lines)

    @property
    def amount_text(self):
        """The amount as the CSV writes it ("1200.00", "-35.50")."""
        return format_amount(self.amount, self.currency)

    @classmethod
    def read(cls, h):
        return cls(
            number=lib.rewards_entry_number(h),
            type=text(lib.rewards_entry_type(h)),
            reward=_id(lib.rewards_reward_id, lib.rewards_entry_reward(h)),
            deal=_id(lib.rewards_deal_id, lib.rewards_entry_deal(h)),
            partner=_id(lib.rewards_partner_id, lib.rewards_entry_partner(h)),
            recipient_type=text(lib.rewards_entry_recipient_type(h)),
            recipient=text(lib.rewards_entry_recipient(h)),
            amount=lib.rewards_entry_amount(h),
            currency=text(lib.rewards_entry_currency(h)),
            status=text(lib.rewards_entry_status(h)),
            reason=text(lib.rewards_entry_reason(h)),
            period=text(lib.rewards_entry_period(h)),
            earned_at=to_datetime(lib.rewards_entry_earned_at(h)),
            payout=_id(lib.rewards_payout_id, lib.rewards_entry_payout(h)),
            line=text(lib.rewards_entry_line(h)),
        )


@dataclass(frozen=True)
class Program:
    id: str
    currency: str

    @classmethod
    def read(cls, h):
        return cls(text(lib.rewards_program_id(h)), text(lib.rewards_program_currency(h)))


@dataclass(frozen=True)
class Level:
    id: str
    rank: int

    @classmethod
    def read(cls, h):
        return cls(text(lib.rewards_level_id(h)), lib.rewards_level_rank(h))


@dataclass(frozen=True)
class Reward:
    id: str
    name: str

    @classmethod
    def read(cls, h):
        return cls(text(lib.rewards_reward_id(h)), text(lib.rewards_reward_name(h)))


@dataclass(frozen=True)
class Partner:
    id: str
    name: str
    level: Optional[str]

    @classmethod
    def read(cls, h):
        return cls(text(lib.rewards_partner_id(h)), text(lib.rewards_partner_name(h)),
                   _id(lib.rewards_level_id, lib.rewards_partner_level(h)))


@dataclass(frozen=True)
class User:
    id: str
    name: str
    partner: Optional[str]
    portal_access: bool

    @classmethod
    def read(cls, h):
        return cls(text(lib.rewards_user_id(h)), text(lib.rewards_user_name(h)),
                   _id(lib.rewards_partner_id, lib.rewards_user_partner(h)),
                   bool(lib.rewards_user_portal_access(h)))


@dataclass(frozen=True)
class Deal:
    """A deal: amount in minor units of the deal's currency."""
    id: str
    partner: Optional[str]
    user: Optional[str]
    stage: str
    amount: int

    @classmethod
    def read(cls, h):
        return cls(text(lib.rewards_deal_id(h)), _id(lib.rewards_partner_id, lib.rewards_deal_partner(h)),
                   _id(lib.rewards_user_id, lib.rewards_deal_user(h)), text(lib.rewards_deal_stage(h)),
                   lib.rewards_deal_amount(h))


@dataclass(frozen=True)
class PayoutLine:
    recipient_type: str
    recipient: str
    amount: int
    currency: str
    entries: int

    @classmethod
    def read(cls, h):
        return cls(text(lib.rewards_payout_line_recipient_type(h)), text(lib.rewards_payout_line_recipient(h)),
                   lib.rewards_payout_line_amount(h), text(lib.rewards_payout_line_currency(h)),
                   lib.rewards_payout_line_entries(h))


@dataclass(frozen=True)
class Payout:
    id: str
    lines: Tuple[PayoutLine, ...]

    @classmethod
    def read(cls, h):
        lines = tuple(PayoutLine.read(lib.rewards_payout_line_at(h, i))
                      for i in range(lib.rewards_payout_line_count(h)))
        return cls(text(lib.rewards_payout_id(h)), lines)


@dataclass(frozen=True)
class Event:
    """An event: what happened, and the ids of what it concerns (None when not relevant)."""
    type: EventType
    entry: Optional[Entry]
    partner: Optional[str]
    reward: Optional[str]
    deal: Optional[str]
    user: Optional[str]
    previous_level: Optional[str]
    level: Optional[str]
    payout: Optional[str]

    @classmethod
    def read(cls, h):
        raw_type = lib.rewards_event_get_type(h)
        try:
            etype = EventType(raw_type)
        except ValueError:
            etype = raw_type  # a type a newer library reports
        entry = lib.rewards_event_entry(h)
        return cls(
            type=etype,
            entry=Entry.read(entry) if entry else None,
            partner=_id(lib.rewards_partner_id, lib.rewards_event_partner(h)),
            reward=_id(lib.rewards_reward_id, lib.rewards_event_reward(h)),
            deal=_id(lib.rewards_deal_id, lib.rewards_event_deal(h)),
            user=_id(lib.rewards_user_id, lib.rewards_event_user(h)),
            previous_level=_id(lib.rewards_level_id, lib.rewards_event_previous_level(h)),
            level=_id(lib.rewards_level_id, lib.rewards_event_level(h)),
            payout=_id(lib.rewards_payout_id, lib.rewards_event_payout(h)),
        )
