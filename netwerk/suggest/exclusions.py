"""Pairs that must not be suggested now: marked do-not-suggest, or decided on recently.

A pair is a pair in both directions: proposing B to A is the same introduction as proposing A
to B. A pair is excluded when

* a broker marked it do-not-suggest (table ``do_not_suggest``; for good, until unmarked);
* it was ``declined`` less than ``declined_days`` ago (default 90);
* it was put off (``not_now``) less than ``not_now_days`` ago (default 30);
* it was ``accepted`` less than ``accepted_days`` ago (default 90): the introduction is in
  progress, proposing it again is noise (once the tie is formed it is an existing tie).

Consent is not stored here: it comes from the snapshot (``netwerk.privacy.may_be_suggested``).

:func:`load_exclusions` reads both tables with set-based queries (one ``SELECT`` each,
restricted to one actor's pairs when ``actor_id`` is given, through the pair index).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property

from netwerk.store.decisions import do_not_suggest_pairs, recent_decisions
from netwerk.store.session import Conn

__all__ = ["CoolDown", "Exclusions", "load_exclusions", "pair_key"]


def pair_key(a: str, b: str) -> tuple[str, str]:
    """The unordered pair as ``(lower id, higher id)``."""
    return (a, b) if a < b else (b, a)


@dataclass(frozen=True)
class CoolDown:
    """Days a decision keeps a pair from being suggested again."""

    declined_days: int = 90
    not_now_days: int = 30
    accepted_days: int = 90

    def days(self, decision: str) -> int:
        return {
            "declined": self.declined_days,
            "not_now": self.not_now_days,
            "accepted": self.accepted_days,
        }.get(decision, 0)


@dataclass(frozen=True)
class Exclusions:
    """Excluded pairs with the reason (``do_not_suggest``, ``declined``, ``not_now`` or
    ``accepted``) and, for a cool-down, the moment it ends."""

    reasons: Mapping[tuple[str, str], str] = field(default_factory=dict)
    until: Mapping[tuple[str, str], dt.datetime] = field(default_factory=dict)
    as_of: dt.datetime | None = None

    @classmethod
    def none(cls) -> Exclusions:
        return cls()

    @cached_property
    def _by_actor(self) -> dict[str, dict[str, str]]:
        out: dict[str, dict[str, str]] = {}
        for (a, b), why in self.reasons.items():
            out.setdefault(a, {})[b] = why
            out.setdefault(b, {})[a] = why
        return out

    def partners(self, actor_id: str) -> Mapping[str, str]:
        """The actors ``actor_id`` must not be paired with now, each with the reason."""
        return self._by_actor.get(actor_id, {})

    def excluded(self, a: str, b: str) -> str | None:
        """The reason the pair is excluded, or ``None``."""
        return self.reasons.get(pair_key(a, b))

    def __len__(self) -> int:
        return len(self.reasons)


def load_exclusions(
    conn: Conn,
    network_id: str,
    *,
    actor_id: str | None = None,
    now: dt.datetime | None = None,
    cool_down: CoolDown | None = None,
) -> Exclusions:
    """The exclusions of one network (or only the pairs of ``actor_id``) at ``now``."""
    cd = cool_down or CoolDown()
    moment = now or dt.datetime.now(dt.UTC)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    reasons: dict[tuple[str, str], str] = {}
    until: dict[tuple[str, str], dt.datetime] = {}

    for a, b in do_not_suggest_pairs(conn, network_id, actor_id):
        reasons[pair_key(a, b)] = "do_not_suggest"

    longest = max(cd.declined_days, cd.not_now_days, cd.accepted_days)
    since = moment - dt.timedelta(days=longest)
    decisions = ("declined", "not_now", "accepted")
    for a, b, decision, decided_at in recent_decisions(
        conn, network_id, decisions, since, actor_id
    ):
        at = decided_at if decided_at.tzinfo else decided_at.replace(tzinfo=dt.UTC)
        end = at + dt.timedelta(days=cd.days(decision))
        if end <= moment:
            continue
        key = pair_key(a, b)
        if reasons.get(key) == "do_not_suggest":
            continue
        if key not in until or end > until[key]:
            until[key] = end
            reasons[key] = decision
    return Exclusions(reasons=reasons, until=until, as_of=moment)
