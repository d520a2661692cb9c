"""Listing an engine's contents (C API 1.1, docs/c-api-listing.md).

A mixin of Engine: iterators over programs, levels, rewards, partners,
users, deals and payout runs, each yielding immutable snapshots (the
records module) in creation order, and the decimal view of balances.

The iterators read one item per step from the engine, by index, as the C
API lists: an operation applied while iterating only appends, so the
iteration sees what existed when it reached each index and never an item
twice.  A closed engine raises Misuse at the next step.  Each step holds
the engine's lock when it has one (Engine._lock): a reader in one thread
never runs C code concurrently with a writer in another.
"""
import contextlib
import decimal
from typing import Callable, Dict, Iterator, Optional, TypeVar

from . import _native, errors
from ._native import lib
from .records import Deal, Level, Partner, Payout, Program, Reward, User, reward_param, to_decimal

T = TypeVar("T")


class _Listing:
    def _live(self, mutating: bool = False):  # pragma: no cover - provided by Engine
        raise NotImplementedError

    def _guard(self):
        """The engine's lock, or nothing when this Engine has none."""
        lock = getattr(self, "_lock", None)
        return lock if lock is not None else contextlib.nullcontext()

    def _each(self, count: Callable[[], int], at: Callable[[int], int], read: Callable[[int], T]) -> Iterator[T]:
        i = 0
        while True:
            with self._guard():
                if i >= count():
                    return
                item = read(at(i))
            yield item
            i += 1

    def _engine_list(self, kind: str, cls) -> Iterator:
        count = getattr(lib, "rewards_engine_%s_count" % kind)
        at = getattr(lib, "rewards_engine_" + kind)
        return self._each(lambda: count(self._live()), lambda i: at(self._live(), i), cls.read)

    def programs(self) -> Iterator[Program]:
        """Every program, in creation order."""
        return self._engine_list("program", Program)

    def levels(self) -> Iterator[Level]:
        """Every level of every program, in creation order."""
        return self._engine_list("level", Level)

    def rewards(self) -> Iterator[Reward]:
        """Every reward definition, in creation order, with its kind and parameters."""
        return self._engine_list("reward", Reward)

    def partners(self) -> Iterator[Partner]:
        """Every partner, in creation order."""
        return self._engine_list("partner", Partner)

    def users(self) -> Iterator[User]:
        """Every user (partner contacts and sales reps), in creation order."""
        return self._engine_list("user", User)

    def deals(self, partner: Optional[str] = None) -> Iterator[Deal]:
        """Every deal in registration order, or a partner's deals (NotFound for an unknown partner)."""
        if partner is None:
            return self._engine_list("deal", Deal)
        key = _native.encode(partner)
        with self._guard():
            if not lib.rewards_engine_find_partner(self._live(), key):
                raise errors.error(2, "partner '%s' does not exist" % partner)

        def owner():
            # found again at each step: a partner made in a batch that was
            # rolled back is gone, and its old handle would be freed memory
            found = lib.rewards_engine_find_partner(self._live(), key)
            if not found:
                raise errors.error(2, "partner '%s' no longer exists" % partner)
            return found

        def count() -> int:
            return lib.rewards_partner_deal_count(owner())
        return self._each(count, lambda i: lib.rewards_partner_deal(owner(), i), Deal.read)

    def payouts(self) -> Iterator[Payout]:
        """Every payout run, in run order, with its lines and per-currency totals."""
        return self._engine_list("payout", Payout)

    def reward_param(self, reward: str, path: str) -> Optional[str]:
        """One field of a reward's definition as the scenario format writes it
        ("10%", "5000.00", "quarter"; path "tiers.1.from" ...); None when the
        reward has no such field.  NotFound for an unknown reward."""
        with self._guard():
            h = lib.rewards_engine_find_reward(self._live(), _native.encode(reward))
            if not h:
                raise errors.error(2, "reward '%s' does not exist" % reward)
            return reward_param(h, path)

    def balance_decimal(self, recipient_type: str, recipient: str) -> Dict[str, Optional[decimal.Decimal]]:
        """balance() as exact Decimals: money in the recipient's program currency
        (Decimal("1200.00")), points as a whole Decimal; also "currency"."""
        with self._guard():
            minor = self.balance(recipient_type, recipient)  # type: ignore[attr-defined]
            h = self._live()
            if recipient_type == "sales_rep":
                partner = lib.rewards_user_partner(lib.rewards_engine_find_user(h, _native.encode(recipient)))
            else:
                partner = lib.rewards_engine_find_partner(h, _native.encode(recipient))
            currency = _native.text(lib.rewards_program_currency(lib.rewards_partner_program(partner)))
        out: Dict[str, Optional[decimal.Decimal]] = {
            name: to_decimal(minor[name], currency) for name in ("pending", "approved", "held", "paid")}
        out["points"] = decimal.Decimal(minor["points"])
        out["currency"] = currency  # type: ignore[assignment]
        return out


__all__ = ["_Listing"]
