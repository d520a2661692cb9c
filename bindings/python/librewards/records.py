"""Snapshots of engine objects, and the enums of the C API.

The C handles are borrowed and their strings change with the objects, so
the binding copies what a handle says into an immutable Python object at
the moment it is read (an Entry, a Deal, an Event, ...).  A snapshot never
touches the engine again: it stays valid after the engine is closed.
"""
import ctypes
import datetime
import decimal
import enum
from dataclasses import dataclass, field
from typing import Dict, Mapping, Optional, Tuple

from ._native import c_int64, encode, lib, text

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
    ACTIVITY = 15

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
    MANUAL_RECORDED = 10
    OVERRIDE_RECORDED = 11


def to_datetime(seconds: int) -> datetime.datetime:
    """UTC seconds as an aware datetime."""
    return _EPOCH + datetime.timedelta(seconds=seconds)


def format_amount(minor: int, currency: Optional[str]) -> Optional[str]:
    """Minor units as exact decimal text ("-35.50"); None for a currency the library does not know."""
    buf = ctypes.create_string_buffer(32)
    if currency is None or lib.rewards_amount_format(minor, currency.encode(), buf, len(buf)) != 0:
        return None
    return buf.value.decode()


def to_decimal(minor: int, currency: Optional[str]) -> Optional[decimal.Decimal]:
    """Minor units as an exact Decimal with the currency's decimals (Decimal("1200.00"));
    None for a currency the library does not know (one registered in an engine only)."""
    text_ = format_amount(minor, currency)
    return None if text_ is None else decimal.Decimal(text_)


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
    note: Optional[str] = None  # a manual entry's note (operation adjust)
    line: Optional[str] = None  # the deal line of a per-line reward's entry ("" for a deal without lines)

    @property
    def amount_text(self) -> Optional[str]:
        """The amount as the CSV writes it ("1200.00", "-35.50")."""
        return format_amount(self.amount, self.currency)

    @property
    def amount_decimal(self) -> Optional[decimal.Decimal]:
        """The amount as an exact Decimal in its currency (Decimal("-35.50"))."""
        return to_decimal(self.amount, self.currency)

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
            note=text(lib.rewards_entry_note(h)),
            line=text(lib.rewards_entry_line(h)),
        )


@dataclass(frozen=True)
class Program:
    """A program.  Fields added in 1.1 (after the first ones) are left out
    of equality, so snapshots compare as they did in 1.0."""
    id: str
    currency: str
    name: Optional[str] = field(default=None, compare=False)

    @classmethod
    def read(cls, h) -> "Program":
        return cls(text(lib.rewards_program_id(h)), text(lib.rewards_program_currency(h)),
                   text(lib.rewards_program_name(h)))


@dataclass(frozen=True)
class Level:
    id: str
    rank: int
    name: Optional[str] = field(default=None, compare=False)
    program: Optional[str] = field(default=None, compare=False)

    @classmethod
    def read(cls, h) -> "Level":
        return cls(text(lib.rewards_level_id(h)), lib.rewards_level_rank(h), text(lib.rewards_level_name(h)),
                   _id(lib.rewards_program_id, lib.rewards_level_program(h)))


def reward_param(h, path: str) -> Optional[str]:
    """One field of a reward definition as the scenario format writes it; None when it has none."""
    size = 256
    while True:
        buf = ctypes.create_string_buffer(size)
        status = lib.rewards_reward_param(h, encode(path), buf, size)
        if status == 1 and size < (1 << 20):  # invalid_argument: the buffer is too small
            size *= 4
            continue
        return text(buf.value) if status == 0 else None


def _list_pattern(pattern: str):
    """("tiers", "from") for "tiers.N.from", ("of", None) for "of.N", None for a plain path."""
    if pattern.endswith(".N"):
        return pattern[:-2], None
    if ".N." in pattern:
        list_path, key = pattern.split(".N.", 1)
        return list_path, key
    return None


def _reward_params(h) -> Dict[str, str]:
    """Every field the reward has, by path: the library lists the paths it
    knows ("tiers.N.from" stands for each item of the list "tiers", "of.N"
    for each value of the list "of")."""
    params = {}
    patterns = [text(lib.rewards_reward_param_name(i)) for i in range(lib.rewards_reward_param_count())]
    lists = {split[0] for split in map(_list_pattern, patterns) if split}
    for pattern in patterns:
        if pattern in lists:
            continue  # a list's number of items: its items are listed instead
        split = _list_pattern(pattern)
        if split:
            list_path, key = split
            count = reward_param(h, list_path)
            paths = [("%s.%d.%s" % (list_path, k, key)) if key else ("%s.%d" % (list_path, k))
                     for k in range(int(count) if count else 0)]
        else:
            paths = [pattern]
        for path in paths:
            value = reward_param(h, path)
            if value is not None:
                params[path] = value
    return params


@dataclass(frozen=True)
class Reward:
    """A reward definition.  ``params``: every field of its definition beyond
    these, keyed by the operation's field path ("rate", "tiers.0.from"), as
    text in the scenario format ("10%", "5000.00")."""
    id: str
    name: str
    kind: Optional[str] = field(default=None, compare=False)
    trigger: Optional[str] = field(default=None, compare=False)
    recipient: Optional[str] = field(default=None, compare=False)
    level: Optional[str] = field(default=None, compare=False)
    program: Optional[str] = field(default=None, compare=False)
    params: Mapping[str, str] = field(default_factory=dict, compare=False)

    @classmethod
    def read(cls, h) -> "Reward":
        return cls(text(lib.rewards_reward_id(h)), text(lib.rewards_reward_name(h)),
                   text(lib.rewards_reward_kind(h)), text(lib.rewards_reward_trigger(h)),
                   text(lib.rewards_reward_recipient(h)), _id(lib.rewards_level_id, lib.rewards_reward_level(h)),
                   _id(lib.rewards_program_id, lib.rewards_reward_program(h)), _reward_params(h))


@dataclass(frozen=True)
class Partner:
    id: str
    name: str
    level: Optional[str]
    program: Optional[str] = field(default=None, compare=False)
    parent: Optional[str] = field(default=None, compare=False)  # two-tier programs

    @classmethod
    def read(cls, h) -> "Partner":
        return cls(text(lib.rewards_partner_id(h)), text(lib.rewards_partner_name(h)),
                   _id(lib.rewards_level_id, lib.rewards_partner_level(h)),
                   _id(lib.rewards_program_id, lib.rewards_partner_program(h)),
                   _id(lib.rewards_partner_id, lib.rewards_partner_parent(h)))


@dataclass(frozen=True)
class User:
    id: str
    name: str
    partner: Optional[str]
    portal_access: bool

    @classmethod
    def read(cls, h) -> "User":
        return cls(text(lib.rewards_user_id(h)), text(lib.rewards_user_name(h)),
                   _id(lib.rewards_partner_id, lib.rewards_user_partner(h)),
                   bool(lib.rewards_user_portal_access(h)))


@dataclass(frozen=True)
class DealLine:
    """A deal line (SPEC section 13): amount and cost in minor units of the deal's currency."""
    id: str
    product: str
    amount: int
    cost: int
    units: int
    currency: Optional[str] = None

    @property
    def amount_decimal(self) -> Optional[decimal.Decimal]:
        return to_decimal(self.amount, self.currency)

    @property
    def cost_decimal(self) -> Optional[decimal.Decimal]:
        return to_decimal(self.cost, self.currency)

    @classmethod
    def read(cls, h, currency: Optional[str]) -> "DealLine":
        return cls(text(lib.rewards_deal_line_id(h)), text(lib.rewards_deal_line_product(h)),
                   lib.rewards_deal_line_amount(h), lib.rewards_deal_line_cost(h), lib.rewards_deal_line_units(h),
                   currency)


@dataclass(frozen=True)
class Deal:
    """A deal: amount in minor units of the deal's currency (and as a Decimal)."""
    id: str
    partner: Optional[str]
    user: Optional[str]
    stage: str
    amount: int
    currency: Optional[str] = field(default=None, compare=False)
    units: int = field(default=1, compare=False)
    registered_at: Optional[datetime.datetime] = field(default=None, compare=False)
    lines: Tuple[DealLine, ...] = field(default=(), compare=False)  # empty for a deal without lines

    @property
    def amount_decimal(self) -> Optional[decimal.Decimal]:
        """The amount as an exact Decimal in the deal's currency."""
        return to_decimal(self.amount, self.currency)

    @classmethod
    def read(cls, h) -> "Deal":
        return cls(text(lib.rewards_deal_id(h)), _id(lib.rewards_partner_id, lib.rewards_deal_partner(h)),
                   _id(lib.rewards_user_id, lib.rewards_deal_user(h)), text(lib.rewards_deal_stage(h)),
                   lib.rewards_deal_amount(h), text(lib.rewards_deal_currency(h)), lib.rewards_deal_units(h),
                   to_datetime(lib.rewards_deal_registered_at(h)),
                   tuple(DealLine.read(lib.rewards_deal_line_at(h, i), text(lib.rewards_deal_currency(h)))
                         for i in range(lib.rewards_deal_line_count(h))))


@dataclass(frozen=True)
class PayoutLine:
    recipient_type: str
    recipient: str
    amount: int
    currency: str
    entries: int
    partner: Optional[str] = field(default=None, compare=False)
    user: Optional[str] = field(default=None, compare=False)    # the sales rep; None for a partner line
    payout: Optional[str] = field(default=None, compare=False)  # the run's id

    @property
    def amount_decimal(self) -> Optional[decimal.Decimal]:
        """The amount as an exact Decimal in the line's currency."""
        return to_decimal(self.amount, self.currency)

    @classmethod
    def read(cls, h) -> "PayoutLine":
        return cls(text(lib.rewards_payout_line_recipient_type(h)), text(lib.rewards_payout_line_recipient(h)),
                   lib.rewards_payout_line_amount(h), text(lib.rewards_payout_line_currency(h)),
                   lib.rewards_payout_line_entries(h), _id(lib.rewards_partner_id, lib.rewards_payout_line_partner(h)),
                   _id(lib.rewards_user_id, lib.rewards_payout_line_user(h)),
                   _id(lib.rewards_payout_id, lib.rewards_payout_line_payout(h)))


@dataclass(frozen=True)
class Payout:
    """A payout run.  ``totals``: minor units per currency (a run may pay
    several); ``totals_decimal``: the same as Decimals."""
    id: str
    lines: Tuple[PayoutLine, ...]
    at: Optional[datetime.datetime] = field(default=None, compare=False)
    until: Optional[datetime.datetime] = field(default=None, compare=False)
    totals: Mapping[str, int] = field(default_factory=dict, compare=False)

    @property
    def totals_decimal(self) -> Dict[str, Optional[decimal.Decimal]]:
        return {cur: to_decimal(minor, cur) for cur, minor in self.totals.items()}

    @classmethod
    def read(cls, h) -> "Payout":
        lines = tuple(PayoutLine.read(lib.rewards_payout_line_at(h, i))
                      for i in range(lib.rewards_payout_line_count(h)))
        totals = {}
        for i in range(lib.rewards_payout_currency_count(h)):
            cur = lib.rewards_payout_currency(h, i)
            out = c_int64()
            if lib.rewards_payout_total(h, cur, ctypes.byref(out)) != 0:
                continue  # beyond 64 bits: left out rather than wrong (its lines are all there), as in Lua
            totals[text(cur)] = out.value
        return cls(text(lib.rewards_payout_id(h)), lines, to_datetime(lib.rewards_payout_at(h)),
                   to_datetime(lib.rewards_payout_until(h)), totals)


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
