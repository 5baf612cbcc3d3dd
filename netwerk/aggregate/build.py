"""From an analysis result (person-level, as brokers see it) to the aggregate a viewer sees.

Each function takes the domain result, the snapshot it was computed on and the network's
small-cell threshold, counts persons per kind, area, theme or community, and keeps the rows
about organisations, initiatives and places. Suppression itself is applied afterwards, from
the marks on the types (:func:`netwerk.privacy.suppress`); a builder only handles what
depends on it (a rate whose counts are hidden, a density that would give a hidden size
away). Complexity: linear in the rows of the result.
"""

from __future__ import annotations

import dataclasses
from collections import Counter
from collections.abc import Iterable
from typing import Any

import numpy as np

from netwerk.aggregate.types import (
    AreaCount,
    BridgesView,
    BrokerageView,
    BrokersView,
    CentralityView,
    CommunitiesView,
    CommunityGapView,
    CommunityLinkView,
    CommunityPair,
    CommunityView,
    CompareView,
    DensityView,
    FeedbackStatsView,
    GapKindView,
    GapsView,
    KeyFiguresView,
    MetricView,
    NonPersonSplit,
    NonPersonTie,
    PieceView,
    RateView,
    ThemeCount,
    WhatIfView,
)
from netwerk.analysis.bridges import BridgesResult, BridgeTie
from netwerk.analysis.brokers import BrokerageResult, BrokersResult
from netwerk.analysis.centrality import CentralityResult
from netwerk.analysis.communities import CommunitiesResult, Partition
from netwerk.analysis.compare import CompareResult, TieChange
from netwerk.analysis.gaps import GAP_KINDS, GapsResult
from netwerk.analysis.key_figures import KeyFiguresResult
from netwerk.analysis.resilience import WhatIfResult
from netwerk.graph import PERSONS, Snapshot
from netwerk.i18n import text
from netwerk.privacy import PERSONS as COUNTS_PERSONS
from netwerk.privacy import marked_fields, suppress, suppress_counts
from netwerk.suggest.stats import FeedbackStats, RateRow

__all__ = [
    "bridges",
    "brokers",
    "centrality",
    "communities",
    "compare",
    "gaps",
    "key_figures",
    "stats",
    "what_if",
]

PERSON_GAPS = ("isolated_person", "unmet_need")
COMMUNITY_GAPS = ("community_without_help", "community_pair")
PERSON_METRICS = frozenset({"actors", "persons", "isolates", "largest_component"})


def _area_counts(snapshot: Snapshot, vertices: Iterable[int]) -> tuple[AreaCount, ...]:
    counts = Counter(snapshot.area[v] for v in vertices)
    return tuple(
        AreaCount(area, n) for area, n in sorted(counts.items(), key=lambda x: (x[0] is None, x[0]))
    )


def _vertices(snapshot: Snapshot, ids: Iterable[str]) -> list[int]:
    """Vertices of the persons among ``ids`` (ids unknown to the snapshot are left out)."""
    out = []
    for aid in ids:
        v = snapshot.index.get(aid)
        if v is not None and snapshot.kind[v] in PERSONS:
            out.append(v)
    return out


def _kind_counts(snapshot: Snapshot, vertices: Iterable[int]) -> dict[str, int | None]:
    counts = Counter(snapshot.kind[v] for v in vertices)
    return {k: counts[k] for k in sorted(PERSONS) if counts[k]}


# --------------------------------------------------------------------------- routes


def centrality(r: CentralityResult, snapshot: Snapshot) -> CentralityView:
    persons = _vertices(snapshot, (e.actor_id for e in r.entries if e.person))
    return CentralityView(
        measure=r.measure,
        description=r.description,
        normalisation=r.normalisation,
        exact=r.exact,
        actors_considered=r.actors_considered,
        top=len(r.entries),
        top_persons=len(persons),
        top_persons_by_kind=_kind_counts(snapshot, persons),
        top_persons_by_area=_area_counts(snapshot, persons),
        non_persons=tuple(e for e in r.entries if not e.person),
        mean=r.mean,
        median=r.median,
        maximum=r.maximum,
        sampling=r.sampling,
        provenance=r.provenance,
    )


def key_figures(r: KeyFiguresResult, snapshot: Snapshot) -> KeyFiguresView:
    reasons = Counter(code for f in r.unrecognised for code in {x.code for x in f.reasons})
    return KeyFiguresView(
        recognised_count=r.recognised_count,
        confirmed_count=sum(1 for f in r.recognised if f.confirmed),
        unrecognised_count=r.unrecognised_count,
        recognised_by_area=_area_counts(
            snapshot, _vertices(snapshot, (f.actor_id for f in r.recognised))
        ),
        unrecognised_by_area=_area_counts(
            snapshot, _vertices(snapshot, (f.actor_id for f in r.unrecognised))
        ),
        unrecognised_by_reason=dict(sorted(reasons.items())),
        betweenness_exact=r.betweenness_exact,
        thresholds=r.thresholds,
        provenance=r.provenance,
    )


def _brokerage(b: BrokerageResult) -> BrokerageView:
    return BrokerageView(
        grouping=b.grouping,
        directed=b.directed,
        convention=b.convention,
        totals=b.totals,
        role_labels=b.role_labels,
        non_persons=tuple(e for e in b.entries if not e.person),
    )


def brokers(r: BrokersResult, snapshot: Snapshot) -> BrokersView:
    aps = [int(v) for v in snapshot.graph.articulation_points()]
    persons = [v for v in aps if snapshot.kind[v] in PERSONS]
    by_kind = Counter(snapshot.kind[v] for v in aps)
    return BrokersView(
        articulation_point_count=len(aps),
        articulation_points_by_kind=dict(sorted(by_kind.items())),
        articulation_points_by_area=_area_counts(snapshot, persons),
        non_person_articulation_points=tuple(
            NonPersonSplit(a.actor_id, a.kind, a.splits_off, a.sentence)
            for a in r.articulation_points
            if not a.person
        ),
        structural_holes=tuple(h for h in r.structural_holes if not h.person),
        weighted=r.weighted,
        brokerage=_brokerage(r.brokerage),
        referral_brokerage=_brokerage(r.referral_brokerage),
        provenance=r.provenance,
    )


def _non_person_tie(t: BridgeTie) -> NonPersonTie | None:
    if t.source_kind in PERSONS or t.target_kind in PERSONS:
        return None
    return NonPersonTie(
        t.source_id,
        t.source_kind,
        t.target_id,
        t.target_kind,
        t.kinds,
        t.cut_edge,
        t.only_link,
        t.splits_off,
    )


def bridges(r: BridgesResult, snapshot: Snapshot) -> BridgesView:
    seen: dict[tuple[str, str], NonPersonTie] = {}
    for t in (*r.cut_edges, *r.only_links):
        row = _non_person_tie(t)
        if row is not None:
            seen.setdefault((row.source_id, row.target_id), row)
    pairs = sorted({tuple(sorted(t.communities)) for t in r.only_links})
    return BridgesView(
        cut_edge_count=r.cut_edge_count,
        pendant_cut_edge_count=r.pendant_cut_edge_count,
        only_link_count=r.only_link_count,
        only_link_pairs=tuple(CommunityPair(a, b) for a, b in pairs),
        non_person_ties=tuple(seen.values()),
        provenance=r.provenance,
    )


def communities(r: CommunitiesResult, threshold: int) -> CommunitiesView:
    rows = tuple(
        CommunityView(
            community=c.community,
            size=c.size,
            persons=c.persons,
            kinds=dict(c.kinds),
            internal_ties=c.internal_ties,
            density=c.density,
            ties_out=c.ties_out,
            main_area=c.main_area,
            main_languages=c.main_languages,
            non_person_core=tuple(a for a in c.core_actors if not a.person),
            sentence=c.sentence,
        )
        for c in r.communities
    )
    view = CommunitiesView(
        count=r.count,
        singletons=r.singletons,
        modularity=r.modularity,
        summary=r.summary,
        communities=rows,
        links=(),
        matrix=DensityView((), ()),
        provenance=r.provenance,
    )
    # a density with its number of ties gives the sizes away: only between communities whose
    # size stays shown once suppressed (suppression itself is left to the caller)
    shown = {c.community for c in suppress(view, threshold).communities if c.size is not None}
    links = tuple(
        CommunityLinkView(x.a, x.b, x.ties, x.density if x.a in shown and x.b in shown else None)
        for x in r.links
    )
    m = r.matrix
    density = tuple(
        tuple(
            value if a in shown and b in shown else None
            for b, value in zip(m.communities, row, strict=True)
        )
        for a, row in zip(m.communities, m.density, strict=True)
    )
    return dataclasses.replace(view, links=links, matrix=DensityView(m.communities, density))


def gaps(
    r: GapsResult, snapshot: Snapshot, part: Partition | None, threshold: int, lang: str
) -> GapsView:
    person_vertices: dict[str, set[int]] = {k: set() for k in PERSON_GAPS}
    themes: Counter[str] = Counter()
    theme_seen: set[tuple[int, str]] = set()
    community_rows: list[CommunityGapView] = []
    non_person = []
    for g in r.gaps:
        if g.kind in COMMUNITY_GAPS:
            persons = None
            if part is not None:
                mask = np.isin(part.membership, np.asarray(g.communities, dtype=np.int64))
                persons = int((mask & snapshot.is_person).sum())
            community_rows.append(
                CommunityGapView(
                    g.kind,
                    g.code,
                    g.communities,
                    g.area,
                    persons,
                    text(
                        f"privacy.community_gap.{g.code}",
                        lang,
                        a=g.communities[0],
                        b=g.communities[-1],
                    ),
                )
            )
        elif any(a.person for a in g.actors):
            vs = _vertices(snapshot, (a.actor_id for a in g.actors if a.person))
            person_vertices.setdefault(g.kind, set()).update(vs)
            for v in vs:
                for t in g.themes:
                    if (v, t) not in theme_seen:
                        theme_seen.add((v, t))
                        themes[t] += 1
        else:
            non_person.append(g)
    # persons per person-gap kind: one table (the kinds overlap, so no total is implied)
    person_counts = {
        c.label: c.count
        for c in suppress_counts(
            [(k, len(person_vertices[k])) for k in PERSON_GAPS if k in r.counts],
            threshold,
            total_published=False,
        )
    }
    counts: dict[str, int | None] = {
        k: person_counts[k] if k in PERSON_GAPS else r.counts[k] for k in GAP_KINDS if k in r.counts
    }
    kinds = tuple(
        GapKindView(
            kind=k,
            count=counts[k],
            explanation=text(f"privacy.gap_kind.{k}", lang),
            by_area=_area_counts(snapshot, sorted(person_vertices[k])) if k in PERSON_GAPS else (),
            by_theme=tuple(ThemeCount(t, n) for t, n in sorted(themes.items()))
            if k == "unmet_need"
            else (),
        )
        for k in counts
    )
    return GapsView(
        total=None if None in counts.values() else sum(v or 0 for v in counts.values()),
        counts=counts,
        kinds=kinds,
        community_gaps=tuple(community_rows),
        non_person_gaps=tuple(non_person),
        provenance=r.provenance,
    )


def what_if(
    r: WhatIfResult,
    snapshot: Snapshot,
    pieces: list[np.ndarray],
    threshold: int,
    lang: str,
) -> WhatIfView:
    lost = _vertices(snapshot, (a.actor_id for a in r.lose_help))
    split = tuple(
        PieceView(
            persons=int(snapshot.is_person[p].sum()), others=int((~snapshot.is_person[p]).sum())
        )
        for p in pieces
    )
    count = r.lose_help_count
    key = "privacy.what_if.summary_few" if 0 < count < threshold else "privacy.what_if.summary"
    return WhatIfView(
        actor=r.actor,
        steps=r.steps,
        lose_help_count=count,
        lose_help_by_area=_area_counts(snapshot, lost),
        components_before=r.components_before,
        components_after=r.components_after,
        split_off=split,
        community=r.community,
        community_parts_before=r.community_parts_before,
        community_parts_after=r.community_parts_after,
        community_falls_apart=r.community_falls_apart,
        community_cut_off=r.community_cut_off,
        lost_community_links=r.lost_community_links,
        handover_count=len(r.handover),
        summary=text(key, lang, count=count, threshold=threshold),
        provenance=r.provenance,
    )


def _small(value: float | None, threshold: int) -> bool:
    return value is not None and 0 < value < threshold


def compare(r: CompareResult, threshold: int) -> CompareView:
    metrics = []
    for m in r.metrics:
        if m.metric in PERSON_METRICS and (
            _small(m.before, threshold) or _small(m.after, threshold)
        ):
            before = None if _small(m.before, threshold) else m.before
            after = None if _small(m.after, threshold) else m.after
            metrics.append(MetricView(m.metric, before, after, None))
        else:
            metrics.append(MetricView(m.metric, m.before, m.after, m.change))

    def non_person(rows: Iterable[TieChange]) -> tuple[TieChange, ...]:
        return tuple(
            t for t in rows if t.source_kind not in PERSONS and t.target_kind not in PERSONS
        )

    return CompareView(
        from_date=r.from_date,
        to_date=r.to_date,
        ties_gained_count=r.ties_gained_count,
        ties_lost_count=r.ties_lost_count,
        ties_changed_count=r.ties_changed_count,
        non_person_ties_gained=non_person(r.ties_gained),
        non_person_ties_lost=non_person(r.ties_lost),
        metrics=tuple(metrics),
        stage_before=r.stage_before,
        stage_after=r.stage_after,
        stage_changed=r.stage_changed,
        summary=r.summary,
        provenance=r.provenance,
    )


# --------------------------------------------------------------------------- feedback


_COUNT_FIELDS = tuple(sorted(marked_fields(RateView, COUNTS_PERSONS) - {"tie_formed"}))
"""The person counts of a rate row, as :class:`RateView` marks them (``tie_formed`` is a
cell of the ``outcomes`` table and is suppressed with it)."""


def _rate(row: RateRow, hidden: set[str], threshold: int) -> RateView:
    def shown(name: str) -> int | None:
        value = getattr(row, name)
        return None if name in hidden or 0 < value < threshold else int(value)

    outcomes = {
        k: c.count
        for k, c in zip(
            row.outcomes,
            suppress_counts(list(row.outcomes.items()), threshold),
            strict=True,
        )
    }
    counts = {name: shown(name) for name in _COUNT_FIELDS}
    tie = outcomes.get("tie_formed")

    def rate(value: Any, *parts: int | None) -> Any:
        return None if any(p is None for p in parts) else value

    return RateView(
        key=row.key,
        shown=counts["shown"],
        decided=counts["decided"],
        suggestions=counts["suggestions"],
        accepted=counts["accepted"],
        declined=counts["declined"],
        not_now=counts["not_now"],
        outcomes=outcomes,
        outcomes_known=counts["outcomes_known"],
        tie_formed=tie,
        acceptance_rate=rate(row.acceptance_rate, counts["accepted"], counts["decided"]),
        acceptance_interval=rate(row.acceptance_interval, counts["accepted"], counts["decided"]),
        tie_rate=rate(row.tie_rate, tie, counts["outcomes_known"]),
        tie_rate_interval=rate(row.tie_rate_interval, tie, counts["outcomes_known"]),
        success_rate=rate(row.success_rate, tie, counts["accepted"]),
        success_interval=rate(row.success_interval, tie, counts["accepted"]),
        tie_per_shown=rate(row.tie_per_shown, tie, counts["shown"]),
        tie_per_shown_interval=rate(row.tie_per_shown_interval, tie, counts["shown"]),
    )


def stats(r: FeedbackStats, threshold: int) -> FeedbackStatsView:
    """Rates per reason and per kind; the kinds add up to the total, so each count is
    suppressed over the kinds as one table (a hidden kind cannot be recomputed)."""
    hidden: dict[str, set[str]] = {row.key: set() for row in r.by_kind}
    for name in _COUNT_FIELDS:
        cells = suppress_counts(
            [(row.key, int(getattr(row, name))) for row in r.by_kind], threshold
        )
        for cell in cells:
            if cell.suppressed:
                hidden[cell.label].add(name)
    return FeedbackStatsView(
        network_id=r.network_id,
        since=r.since.isoformat() if r.since else None,
        until=r.until.isoformat() if r.until else None,
        total=_rate(r.total, set(), threshold),
        by_reason=tuple(_rate(row, set(), threshold) for row in r.by_reason),
        by_kind=tuple(_rate(row, hidden[row.key], threshold) for row in r.by_kind),
        by_origin=tuple(_rate(row, set(), threshold) for row in r.by_origin),
        by_broker=None,
        broker_names=None,
        definitions=r.definitions,
    )
