"""Privacy rules of DESIGN.md section 6, in one place: consent, roles, small-cell suppression.

| consent   | analysis       | broker sees    | suggested | viewer     | research export |
|-----------|----------------|----------------|-----------|------------|-----------------|
| given     | yes            | yes            | yes       | aggregates | pseudonymised   |
| unknown   | yes            | yes            | no        | aggregates | excluded        |
| withdrawn | yes, anonymous | pseudonym only | no        | aggregates | excluded        |

Organisations, initiatives and places need no consent.

Small cells: a count of persons below the network's threshold (default 5) is suppressed for
viewers. Where a suppressed count could be recomputed from a published total and the other
cells (``total - sum(shown)``), a second cell is suppressed as well (secondary suppression,
as in statistical disclosure control: Hundepool et al., *Statistical Disclosure Control*,
Wiley 2012, ch. 5).
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from netwerk.i18n import LANGS, text
from netwerk.model import PERSON_KINDS, ActorKind, Consent, Role

__all__ = [
    "Cell",
    "anonymous_label",
    "is_person",
    "may_be_suggested",
    "may_export_for_research",
    "sees_persons",
    "shown_as_pseudonym",
    "suppress_counts",
]


def is_person(kind: str) -> bool:
    return ActorKind(kind) in PERSON_KINDS


def _consent(kind: str, consent: str | None) -> Consent | None:
    if not is_person(kind):
        return None
    return Consent(consent or Consent.unknown)


def may_be_suggested(kind: str, consent: str | None) -> bool:
    """May this actor be proposed to someone else (as a target, or as an introducer)?"""
    c = _consent(kind, consent)
    return c is None or c is Consent.given


def shown_as_pseudonym(kind: str, consent: str | None) -> bool:
    """A broker sees a withdrawn person only as a pseudonym."""
    return _consent(kind, consent) is Consent.withdrawn


def may_export_for_research(kind: str, consent: str | None) -> bool:
    c = _consent(kind, consent)
    return c is None or c is Consent.given


def sees_persons(role: Role) -> bool:
    """Person-level results go to brokers and admins; viewers get aggregates and non-persons,
    researchers get pseudonymised exports."""
    return role in (Role.admin, Role.broker)


def anonymous_label(actor_id: str, lang: str = "nl") -> str:
    """A stable label that says nothing about the person (for withdrawn consent)."""
    digest = hashlib.sha256(f"anon:{actor_id}".encode()).hexdigest()[:6]
    return text("kind.anonymous", lang if lang in LANGS else "nl", code=digest)


@dataclass(frozen=True)
class Cell:
    label: str
    count: int | None
    suppressed: bool


def suppress_counts(
    counts: Mapping[str, int] | Sequence[tuple[str, int]],
    threshold: int,
    *,
    total_published: bool = True,
) -> list[Cell]:
    """Suppress person counts in ``1 .. threshold-1``; add secondary suppression so that no
    hidden count can be recomputed as ``total - sum(visible)``.

    A zero is not disclosive and is shown. When exactly one cell is hidden and the total is
    published, the smallest other non-zero cell is hidden too; if the hidden cells together
    still sum to less than the threshold, more cells are hidden until they do not.
    """
    items = list(counts.items()) if isinstance(counts, Mapping) else list(counts)
    hidden = {i for i, (_, n) in enumerate(items) if 0 < n < threshold}
    if total_published and hidden:
        order = sorted((n, i) for i, (_, n) in enumerate(items) if i not in hidden and n > 0)

        def exposed() -> bool:
            return len(hidden) == 1 or sum(items[i][1] for i in hidden) < threshold

        while exposed() and order:
            hidden.add(order.pop(0)[1])
    return [
        Cell(label, None if i in hidden else n, i in hidden) for i, (label, n) in enumerate(items)
    ]
