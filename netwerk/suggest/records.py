"""Result records shared by suggestions, weaving and activation plans, and small helpers.

All records are frozen dataclasses of plain values (str, int, float, bool, None, tuples and
nested records): usable as FastAPI response models as they are and safe to share between
threads from the cache. Actors appear as :class:`~netwerk.analysis.records.ActorRef` (id, kind,
whether a person), never with a name (DESIGN.md 6).
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass

from netwerk.analysis.records import ActorRef
from netwerk.errors import ValidationFailed
from netwerk.model import normalise_themes

__all__ = [
    "ACTIVATION_HOPS",
    "SUGGESTION_HOPS",
    "ActorRef",
    "Introduction",
    "Reason",
    "Step",
    "check_limit",
    "clean_themes",
    "rounded",
]


SUGGESTION_HOPS: tuple[int, int] = (2, 4)
"""Smallest and largest ``max_hops`` of per-actor suggestions (a candidate is at least two
steps away: one step is an existing tie). The API's schema is generated from this."""

ACTIVATION_HOPS: tuple[int, int] = (1, 4)
"""Smallest and largest ``max_hops`` of activation plans (a direct tie counts)."""


@dataclass(frozen=True)
class Reason:
    """One reason behind a suggestion, an introduction or a plan item.

    ``kind`` is ``value`` (why the meeting is worth making), ``feasibility`` (why the two can
    plausibly meet; ``contribution`` in log-odds points of the feasibility score), ``gain``
    (a measured network-level gain) or ``activation`` (why to activate an actor).
    ``value`` is the raw figure behind the reason (a count, a distance, a share) when it has
    one; ``themes`` the themes it is about.
    """

    code: str
    kind: str
    contribution: float
    value: float | None
    themes: tuple[str, ...]
    sentence: str


@dataclass(frozen=True)
class Step:
    """One actor on a chain of existing ties, with the tie that reaches it from the previous
    actor (``None`` and ``()`` on the first)."""

    actor: ActorRef
    tie_strength: float | None
    tie_kinds: tuple[str, ...]


@dataclass(frozen=True)
class Introduction:
    """Who can introduce the two. ``path`` runs from the source to the target over existing
    ties (both included); ``introducer`` is the common contact (a path of two ties) or the
    first intermediary of a longer chain, the one who makes the first call; ``None`` when no
    intermediary who may be named connects them (the broker introduces them). ``weakest_tie``
    is the lowest tie strength on the path."""

    introducer: ActorRef | None
    path: tuple[Step, ...]
    hops: int | None
    weakest_tie: float | None
    sentence: str


def rounded(x: float, digits: int = 4) -> float:
    """A JSON-safe float (NaN and infinities become 0.0)."""
    f = float(x)
    if math.isnan(f) or math.isinf(f):
        return 0.0
    return round(f, digits)


def clean_themes(themes: str | Iterable[str] | None, field: str = "themes") -> tuple[str, ...]:
    """Themes from a list or a comma-separated string, normalised to slugs."""
    if themes is None:
        return ()
    items = themes.split(",") if isinstance(themes, str) else list(themes)
    items = [t for t in items if not (isinstance(t, str) and not t.strip())]
    return tuple(normalise_themes(items, field=field))


def check_limit(value: int, field: str, maximum: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= maximum:
        raise ValidationFailed(field, f"a whole number from 1 to {maximum}")
    return value
