"""Feedback: what a broker did with a suggestion, what came of it, and the rates per reason.

A decision is ``accepted``, ``declined`` or ``not_now``; an accepted suggestion later gets an
outcome: ``tie_formed``, ``no_contact``, ``not_helpful`` or ``other``. Declined and postponed
pairs cool down (:mod:`.exclusions`); a pair can be marked do-not-suggest for good. An accepted
suggestion with outcome ``tie_formed`` can create the tie (kind ``knows``, strength 2, since
the day of the outcome) through :func:`netwerk.store.ties.create_tie`, in the same transaction
as the feedback row, which bumps the network's revision (DESIGN.md 7); when the two already
have an open tie, that tie is linked instead of a duplicate made.

Feedback refers to a shown suggestion by its id (:mod:`.impressions`), or names the pair (the
form for tools without ids; then the pair's latest undecided impression is linked). The
statistics over what was shown are in :mod:`.stats`.

This is the evaluation loop of a recommender judged by its acceptance in use rather than by
offline accuracy (Herlocker et al. 2004; Krebs & Holley 2006 on tracking network weaving).

References
----------
Herlocker J.L., Konstan J.A., Terveen L.G., Riedl J.T. (2004) Evaluating collaborative
filtering recommender systems. ACM TOIS 22(1):5-53. doi:10.1145/963770.963772.
Krebs V., Holley J. (2006) Building smart communities through network weaving.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, fields
from typing import Any

from netwerk.errors import Conflict, NotFound, ValidationFailed
from netwerk.model import new_id
from netwerk.store import decisions as store
from netwerk.store.revision import current_revision
from netwerk.store.session import Session
from netwerk.store.tables import DoNotSuggest, SuggestionImpression
from netwerk.store.tables import Feedback as FeedbackRow
from netwerk.store.ties import create_tie
from netwerk.suggest.codes import DECISIONS, OUTCOMES, REASON_CODES, SUGGESTION_KINDS
from netwerk.suggest.exclusions import pair_key
from netwerk.suggest.stats import FeedbackStats, RateRow  # re-exported: older import path

__all__ = [
    "DoNotSuggestPair",
    "Feedback",
    "FeedbackStats",
    "RateRow",
    "mark_do_not_suggest",
    "record_feedback",
    "record_outcome",
    "unmark_do_not_suggest",
]

TIE_KIND = "knows"
TIE_STRENGTH = 2
MAX_REASON_CODES = 30


@dataclass(frozen=True)
class Feedback:
    """One stored feedback record. ``tie_id`` is the tie an outcome ``tie_formed`` created or
    linked; ``revision`` the network's revision after the write."""

    id: str
    network_id: str
    source_id: str
    target_id: str
    introducer_id: str | None
    suggestion_kind: str
    reason_codes: tuple[str, ...]
    score: float | None
    decision: str
    outcome: str | None
    tie_id: str | None
    token_id: str | None
    decided_at: dt.datetime
    outcome_at: dt.datetime | None
    revision: int
    suggestion: str | None = None
    """The id of the shown suggestion this feedback is about (given, or the pair's latest
    undecided one), ``None`` when the pair was never shown through the API."""


@dataclass(frozen=True)
class DoNotSuggestPair:
    network_id: str
    source_id: str
    target_id: str
    created_at: dt.datetime


# --------------------------------------------------------------------------- validation


def _required_id(value: Any, field: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ValidationFailed(field, "required: an actor id")
    if len(value) > 64:
        raise ValidationFailed(field, "at most 64 characters")
    return value.strip()


def _choice(value: Any, field: str, allowed: Sequence[str]) -> str:
    if not isinstance(value, str) or value not in allowed:
        raise ValidationFailed(field, f"'{str(value)[:40]}' is not one of: {', '.join(allowed)}")
    return value


def _reason_codes(values: Iterable[str] | None) -> list[str]:
    if values is None:
        return []
    if isinstance(values, str):
        raise ValidationFailed("reason_codes", "a list of reason codes")
    out: list[str] = []
    for i, code in enumerate(values):
        if not isinstance(code, str) or code not in REASON_CODES:
            raise ValidationFailed(
                f"reason_codes[{i}]", f"'{str(code)[:40]}' is not a known reason code"
            )
        if code not in out:
            out.append(code)
    if len(out) > MAX_REASON_CODES:
        raise ValidationFailed("reason_codes", f"at most {MAX_REASON_CODES} codes")
    return out


def _score(value: Any) -> float | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise ValidationFailed("score", "a finite number")
    return float(value)


def _check_network(session: Session, network_id: str) -> None:
    if not store.network_exists(session, network_id):
        raise NotFound("network", network_id)


def _check_actors(session: Session, network_id: str, ids: Mapping[str, str]) -> None:
    found = store.actor_ids_in(session, network_id, list(ids.values()))
    for field, actor_id in ids.items():
        if actor_id not in found:
            raise ValidationFailed(field, f"actor '{actor_id[:64]}' is not in this network")


_COLUMNS = tuple(
    f.name for f in fields(Feedback) if f.name not in ("reason_codes", "revision", "suggestion")
)
"""The fields of :class:`Feedback` that are the stored row's columns of the same name."""


def _record(row: FeedbackRow, revision: int) -> Feedback:
    return Feedback(
        **{name: getattr(row, name) for name in _COLUMNS},
        reason_codes=tuple(row.reason_codes or ()),
        revision=revision,
        suggestion=row.suggestion_id,
    )


def _form_tie(session: Session, row: FeedbackRow, day: dt.date) -> None:
    existing = store.open_tie_id(session, row.network_id, row.source_id, row.target_id, day)
    if existing is not None:
        row.tie_id = existing
        return
    tie = create_tie(
        session,
        row.network_id,
        {
            "source": row.source_id,
            "target": row.target_id,
            "kind": TIE_KIND,
            "strength": TIE_STRENGTH,
            "since": day,
        },
    )
    row.tie_id = tie.id


# --------------------------------------------------------------------------- writes


def record_feedback(
    session: Session,
    network_id: str,
    *,
    source: str | None = None,
    target: str | None = None,
    decision: str,
    suggestion: str | None = None,
    outcome: str | None = None,
    introducer: str | None = None,
    reason_codes: Iterable[str] | None = None,
    suggestion_kind: str = "contact",
    score: float | None = None,
    token_id: str | None = None,
    create_tie: bool = False,
    now: dt.datetime | None = None,
) -> Feedback:
    """Store what a broker did with a suggestion (inside the caller's transaction).

    ``suggestion`` is the id of the shown suggestion (:mod:`.impressions`): the pair, the
    introducer, the kind, the reason codes and the score then come from what was shown.
    Without it (the pair form, for tools that have no id) the pair's latest undecided
    impression is linked when there is one, and fills what the caller left out.
    ``outcome`` may be given at once for an accepted suggestion; ``create_tie`` (only with
    ``decision="accepted"`` and ``outcome="tie_formed"``) creates the tie.

    Raises
    ------
    NotFound
        Unknown network or suggestion id.
    Conflict
        The suggestion already has a decision.
    ValidationFailed
        A bad field (named), including an actor that is not in the network.
    """
    _check_network(session, network_id)
    shown: SuggestionImpression | None = None
    if suggestion is not None:
        shown = store.shown_suggestion(session, network_id, _required_id(suggestion, "suggestion"))
        if shown is None:
            raise NotFound("suggestion", suggestion)
        if shown.source_id is None:
            raise ValidationFailed("suggestion", "an activation plan item without a focus person")
        for field, given, stored in (
            ("source", source, shown.source_id),
            ("target", target, shown.target_id),
        ):
            if given is not None and given != stored:
                raise ValidationFailed(field, "differs from the pair of the suggestion")
        if store.decided(session, shown.id):
            raise Conflict(f"suggestion '{shown.id}' already has a decision")
        source, target = shown.source_id, shown.target_id
    src = _required_id(source, "source")
    tgt = _required_id(target, "target")
    if shown is None:
        shown = store.latest_undecided_impression(session, network_id, src, tgt)
    if shown is not None:
        if introducer is None:
            introducer = shown.introducer_id
        if not reason_codes:
            reason_codes = list(shown.reason_codes or ())
        if suggestion_kind == "contact" and shown.suggestion_kind:
            suggestion_kind = shown.suggestion_kind
        if score is None:
            score = shown.score
    if src == tgt:
        raise ValidationFailed("target", "a suggestion pairs two different actors")
    dec = _choice(decision, "decision", DECISIONS)
    out = None if outcome is None else _choice(outcome, "outcome", OUTCOMES)
    _check_outcome(dec, out, create_tie)
    kind = _choice(suggestion_kind, "suggestion_kind", SUGGESTION_KINDS)
    codes = _reason_codes(reason_codes)
    value = _score(score)
    intro = None if introducer is None else _required_id(introducer, "introducer")
    if intro is not None and intro in (src, tgt):
        raise ValidationFailed("introducer", "the introducer is a third actor")
    ids = {"source": src, "target": tgt}
    if intro is not None:
        ids["introducer"] = intro
    _check_actors(session, network_id, ids)
    moment = now or dt.datetime.now(dt.UTC)
    row = FeedbackRow(
        id=new_id(),
        network_id=network_id,
        source_id=src,
        target_id=tgt,
        introducer_id=intro,
        suggestion_kind=kind,
        reason_codes=codes,
        score=value,
        decision=dec,
        outcome=out,
        token_id=token_id,
        decided_at=moment,
        outcome_at=moment if out is not None else None,
        suggestion_id=shown.id if shown is not None else None,
    )
    session.add(row)
    return _stored(session, row, moment, create_tie)


def record_outcome(
    session: Session,
    network_id: str,
    feedback_id: str | None = None,
    *,
    suggestion: str | None = None,
    outcome: str,
    create_tie: bool = False,
    now: dt.datetime | None = None,
) -> Feedback:
    """Record what came of an accepted suggestion (inside the caller's transaction): the
    decision ``feedback_id``, or the latest decision on the shown suggestion ``suggestion``.

    Raises
    ------
    NotFound
        Unknown network, feedback or suggestion, or no decision on the suggestion yet.
    ValidationFailed
        A bad outcome, an outcome for a suggestion that was not accepted, or ``create_tie``
        with an outcome other than ``tie_formed``.
    """
    _check_network(session, network_id)
    out = _choice(outcome, "outcome", OUTCOMES)
    if suggestion is not None:
        feedback_id = store.latest_decision_id(session, network_id, suggestion)
        if feedback_id is None:
            raise NotFound("decision on suggestion", suggestion)
    if feedback_id is None:
        raise TypeError("give feedback_id or suggestion")
    row = store.stored_feedback(session, network_id, feedback_id)
    if row is None:
        raise NotFound("feedback", feedback_id)
    _check_outcome(row.decision, out, create_tie)
    moment = now or dt.datetime.now(dt.UTC)
    row.outcome = out
    row.outcome_at = moment
    return _stored(session, row, moment, create_tie)


def _check_outcome(decision: str, outcome: str | None, create_tie: bool) -> None:
    """The rule both writes keep: an outcome only for an accepted suggestion, a tie created
    only for an accepted one with the outcome ``tie_formed``."""
    if outcome is not None and decision != "accepted":
        raise ValidationFailed("outcome", "only an accepted suggestion has an outcome")
    if create_tie and not (decision == "accepted" and outcome == "tie_formed"):
        raise ValidationFailed(
            "create_tie", "a tie is created only for an accepted suggestion with outcome tie_formed"
        )


def _stored(session: Session, row: FeedbackRow, moment: dt.datetime, create_tie: bool) -> Feedback:
    """Write ``row`` (and, with ``create_tie``, the tie it formed) and return its record."""
    session.flush()
    if create_tie:
        _form_tie(session, row, moment.date())
        session.flush()
    return _record(row, current_revision(session, row.network_id))


def mark_do_not_suggest(
    session: Session,
    network_id: str,
    a: str,
    b: str,
    *,
    token_id: str | None = None,
    now: dt.datetime | None = None,
) -> DoNotSuggestPair:
    """Never suggest this pair (either way round) again; idempotent."""
    _check_network(session, network_id)
    first = _required_id(a, "source")
    second = _required_id(b, "target")
    if first == second:
        raise ValidationFailed("target", "a pair needs two different actors")
    _check_actors(session, network_id, {"source": first, "target": second})
    lo, hi = pair_key(first, second)
    row = session.get(DoNotSuggest, (network_id, lo, hi))
    if row is None:
        row = DoNotSuggest(
            network_id=network_id,
            source_id=lo,
            target_id=hi,
            created_at=now or dt.datetime.now(dt.UTC),
            token_id=token_id,
        )
        session.add(row)
        session.flush()
    return DoNotSuggestPair(network_id, row.source_id, row.target_id, row.created_at)


def unmark_do_not_suggest(session: Session, network_id: str, a: str, b: str) -> bool:
    """Allow the pair again; returns whether a mark was removed."""
    lo, hi = pair_key(_required_id(a, "source"), _required_id(b, "target"))
    return store.remove_do_not_suggest(session, network_id, lo, hi)
