"""What the broker's workspace (and brokers' own tools) ask beyond the analyses: type-ahead
search, the ego network of one actor, the neighbourhood map's positions, consent provenance.

Same shape as :mod:`netwerk.analysis.service`: ``(source, network_id, *, ...)``, results are
frozen dataclasses without names (the API joins names in for the roles that may see them),
cached per ``(network, revision)``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection
from dataclasses import dataclass

import numpy as np

from netwerk import cache
from netwerk.analysis import service as analysis
from netwerk.analysis.blocks import partition, scores
from netwerk.analysis.records import Provenance, provenance
from netwerk.analysis.service import DEFAULT_EXACT_MAX
from netwerk.errors import NotFound, ValidationFailed
from netwerk.explore import layout as _layout
from netwerk.explore.ego import EgoNetwork, ego_network
from netwerk.explore.layout import MapLayout
from netwerk.explore.search import Candidate, rank, words
from netwerk.graph import PERSONS, Snapshot
from netwerk.model import normalise_area, normalise_languages, normalise_themes
from netwerk.privacy import shown_as_pseudonym
from netwerk.store.lookups import actor_decisions, actor_exists, actor_names, consent_row
from netwerk.store.revision import current_revision
from netwerk.store.session import Conn, Session
from netwerk.suggest.feedback import Feedback
from netwerk.suggest.feedback import _record as feedback_record

__all__ = [
    "ConsentRecord",
    "DecisionList",
    "SearchItem",
    "SearchResult",
    "consent_record",
    "decisions",
    "ego",
    "map_layout",
    "search",
]

Source = cache.Source
MAP_MEASURES = ("degree", "strength", "betweenness", "pagerank", "two_step_reach", "coreness")


@dataclass(frozen=True)
class SearchItem:
    actor_id: str
    kind: str
    person: bool
    score: float
    match: str
    area: str | None
    languages: tuple[str, ...]
    assets: tuple[str, ...]
    needs: tuple[str, ...]
    consent: str | None
    ties: int
    """Number of actors this one has an active tie with."""


@dataclass(frozen=True)
class SearchResult:
    items: tuple[SearchItem, ...]
    total: int
    """Matches before ``limit``."""
    provenance: Provenance


def _candidates(conn: Conn, s: Snapshot) -> list[Candidate]:
    """Folded name words of every actor, cached per revision. A person with withdrawn
    consent gets no words: the real name must not be matchable."""

    def load() -> list[Candidate]:
        rows = actor_names(conn, s.network_id)
        return [
            Candidate(aid, kind, () if shown_as_pseudonym(kind, consent) else words(name))
            for aid, kind, name, consent in rows
        ]

    return cache.cached_for(s, "explore.candidates", {}, load)


def search(
    source: Source,
    network_id: str,
    *,
    q: str | None = None,
    kinds: Collection[str] = (),
    area: str | None = None,
    theme: str | None = None,
    language: str | None = None,
    consent: str | None = None,
    limit: int = 20,
) -> SearchResult:
    """Actors whose name matches ``q`` (accent and typo tolerant, best first), narrowed by
    kind, area, theme (need or asset), language and consent. Without ``q``, the actors that
    pass the filters, by name."""
    if q is not None and len(q) > 100:
        raise ValidationFailed("q", "at most 100 characters")
    area_n = normalise_area(area) if area else None
    (theme_n,) = normalise_themes([theme], field="theme") if theme else (None,)
    (lang_n,) = normalise_languages([language]) if language else (None,)
    if consent is not None and consent not in ("given", "unknown", "withdrawn"):
        raise ValidationFailed("consent", "one of given, unknown, withdrawn")

    def run(conn: Conn) -> SearchResult:
        s = cache.get_snapshot(conn, network_id)
        cands = _candidates(conn, s)

        def keep(v: int) -> bool:
            if kinds and s.kind[v] not in kinds:
                return False
            if area_n is not None and s.area[v] != area_n:
                return False
            if theme_n is not None and theme_n not in s.assets[v] and theme_n not in s.needs[v]:
                return False
            if lang_n is not None and lang_n not in s.languages[v]:
                return False
            return consent is None or s.consent[v] == consent

        allowed = {s.ids[v] for v in range(s.n) if keep(v)}
        if q and q.strip():
            hits = rank(q, cands, allowed=allowed, limit=10_000)
            chosen = [(h.actor_id, h.score, h.match) for h in hits]
        else:
            listed = sorted(
                (c for c in cands if c.actor_id in allowed),
                key=lambda c: (not c.words, c.words, c.actor_id),
            )
            chosen = [(c.actor_id, 0.0, "filter") for c in listed]
        items = []
        for aid, score, match in chosen[:limit]:
            v = s.index[aid]
            items.append(
                SearchItem(
                    actor_id=aid,
                    kind=s.kind[v],
                    person=s.kind[v] in PERSONS,
                    score=score,
                    match=match,
                    area=s.area[v],
                    languages=tuple(sorted(s.languages[v])),
                    assets=tuple(sorted(s.assets[v])),
                    needs=tuple(sorted(s.needs[v])),
                    consent=s.consent[v],
                    ties=int(s.degree[v]),
                )
            )
        return SearchResult(
            items=tuple(items),
            total=len(chosen),
            provenance=provenance(
                s,
                "accent-folded, typo-tolerant name match (optimal string alignment)",
                ("Damerau 1964",),
                {"limit": limit},
            ),
        )

    return cache.with_connection(source, run)


def ego(
    source: Source,
    network_id: str,
    *,
    actor_id: str,
    steps: int = 2,
    max_nodes: int = 150,
    as_of: dt.date | None = None,
    lang: str = "nl",
    seed: int = 0,
) -> EgoNetwork:
    """The actor's network ``steps`` ties out, on a netwerkkaart layout."""
    if not 1 <= steps <= 3:
        raise ValidationFailed("steps", "between 1 and 3")
    s = cache.get_snapshot(source, network_id, as_of)
    s.actor_index(actor_id)
    return cache.cached_for(
        s,
        "explore.ego",
        {"actor": actor_id, "steps": steps, "max_nodes": max_nodes, "seed": seed},
        lambda: ego_network(
            s,
            actor_id,
            membership=partition(s, seed).membership,
            steps=steps,
            max_nodes=max_nodes,
        ),
    )


def map_layout(
    source: Source,
    network_id: str,
    *,
    measure: str = "degree",
    lang: str = "nl",
    seed: int = 0,
    exact_max: int = DEFAULT_EXACT_MAX,
) -> MapLayout:
    """Positions, communities, sizes, recognised key figures and gap marks (isolated persons,
    unmet needs, groups without help) of every actor, cached per revision. ``exact_max``:
    above this many actors a betweenness size is sampled."""
    if measure not in MAP_MEASURES:
        raise ValidationFailed("measure", f"one of {', '.join(MAP_MEASURES)}")
    s = cache.get_snapshot(source, network_id)
    xy = cache.cached_for(
        s,
        "explore.positions",
        {"seed": seed},
        lambda: _layout.positions(s, membership=partition(s, seed).membership, seed=seed),
    )

    def compute() -> MapLayout:
        # Recognised key figures only: the unrecognised ones need betweenness over the whole
        # network (seconds at 10,000 actors), so a client asks GET …/analysis/key-figures
        # when it shows that layer, instead of every map paying for it.
        key_ids = {s.ids[v] for v in s.vertices_of_kind("key_figure").tolist()}
        gaps = analysis.gaps(
            source,
            network_id,
            limit=max(s.n, 1),
            kinds=("isolated_person", "unmet_need", "community_without_help"),
            seed=seed,
            lang=lang,
        )
        marked: dict[str, set[int]] = {
            "isolated_person": set(),
            "unmet_need": set(),
            "community_without_help": set(),
        }
        for gap in gaps.gaps:
            if gap.kind in marked:
                marked[gap.kind].update(s.index[a.actor_id] for a in gap.actors)
        em = analysis.check_exact_max(exact_max)
        size = np.asarray(scores(s, measure, em, None, seed).values, dtype=np.float64)
        return _layout.build(
            s,
            xy,
            membership=partition(s, seed).membership,
            size=size,
            measure=measure,
            key_figures={s.index[a] for a in key_ids},
            isolated=marked["isolated_person"],
            unmet=marked["unmet_need"],
            no_help=marked["community_without_help"],
            seed=seed,
        )

    params = {"measure": measure, "seed": seed, "exact_max": exact_max}
    return cache.cached_for(s, "explore.map", params, compute)


@dataclass(frozen=True)
class ConsentRecord:
    """Who recorded a person's consent, when, and on what basis (AVG art. 6 and 7)."""

    actor_id: str
    consent: str
    basis: str | None
    recorded_at: dt.datetime | None
    recorded_by_token: str | None
    recorded_by: str | None
    """The name of the token that recorded it (a person or a team), if it still exists."""
    recorded_by_role: str | None


def consent_record(session: Session, network_id: str, actor_id: str) -> ConsentRecord:
    row = consent_row(session, network_id, actor_id)
    if row is None:
        raise NotFound("actor", actor_id)
    kind, consent, basis, at, by, by_name, by_role = row
    if kind not in PERSONS:
        raise ValidationFailed("actor", "only persons carry consent")
    return ConsentRecord(
        actor_id=actor_id,
        consent=consent or "unknown",
        basis=basis,
        recorded_at=at,
        recorded_by_token=by,
        recorded_by=by_name,
        recorded_by_role=by_role,
    )


@dataclass(frozen=True)
class DecisionList:
    """What brokers decided on suggestions that involve one actor, newest first."""

    actor_id: str
    items: tuple[Feedback, ...]


def decisions(session: Session, network_id: str, actor_id: str, *, limit: int = 50) -> DecisionList:
    """The feedback rows where ``actor_id`` is the source or the target (newest first)."""
    if not actor_exists(session, network_id, actor_id):
        raise NotFound("actor", actor_id)
    rows = actor_decisions(session, network_id, actor_id, limit)
    revision = current_revision(session, network_id)
    return DecisionList(actor_id=actor_id, items=tuple(feedback_record(r, revision) for r in rows))
