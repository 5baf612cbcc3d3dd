"""The aggregate types viewers receive (DESIGN.md 6): counts per kind, area, theme and
community, and rows about organisations, initiatives and places. No type here can hold a
row about one person; the person counts are marked on the fields (:mod:`netwerk.privacy`)
and suppressed below the network's threshold by :func:`netwerk.privacy.suppress`.

Row types of the analyses that are reused here for non-person actors (centrality entries,
structural holes, brokerage entries, gaps between organisations or initiatives, tie
changes between them) are registered as aggregates below; :func:`~netwerk.privacy.check_aggregate`
refuses any such row that turns out to be about a person.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from netwerk.analysis.brokers import BrokerageEntry, StructuralHole
from netwerk.analysis.centrality import CentralityEntry, SamplingError
from netwerk.analysis.compare import TieChange
from netwerk.analysis.gaps import Gap
from netwerk.analysis.records import ActorRef, Provenance
from netwerk.analysis.stage import Stage
from netwerk.privacy import Cells, PersonCells, PersonCount, Sentence, aggregate

__all__ = [
    "AreaCount",
    "BridgesView",
    "BrokerageView",
    "BrokersView",
    "CentralityView",
    "CommunitiesView",
    "CommunityGapView",
    "CommunityLinkView",
    "CommunityPair",
    "CommunityView",
    "CompareView",
    "DensityView",
    "FeedbackStatsView",
    "GapKindView",
    "GapsView",
    "KeyFiguresView",
    "MetricView",
    "NonPersonSplit",
    "NonPersonTie",
    "PieceView",
    "RateView",
    "ThemeCount",
    "WhatIfView",
]

for _row in (CentralityEntry, SamplingError, StructuralHole, BrokerageEntry, Gap, TieChange):
    aggregate(_row)


@aggregate
@dataclass(frozen=True)
class AreaCount:
    """Persons in one area (street or CBS code; ``None``: no area recorded)."""

    area: str | None
    persons: PersonCount


@aggregate
@dataclass(frozen=True)
class ThemeCount:
    """Persons with one theme."""

    theme: str
    persons: PersonCount


ByArea = Annotated[tuple[AreaCount, ...], Cells()]
ByTheme = Annotated[tuple[ThemeCount, ...], Cells()]


# --------------------------------------------------------------------------- centrality


@aggregate
@dataclass(frozen=True)
class CentralityView:
    measure: str
    description: str
    normalisation: str
    exact: bool
    actors_considered: PersonCount
    top: int
    """How many actors the ranking had (persons are counted below, not listed)."""
    top_persons: PersonCount
    top_persons_by_kind: PersonCells
    top_persons_by_area: ByArea
    non_persons: tuple[CentralityEntry, ...]
    """Organisations, initiatives and places in the ranking, with their rank."""
    mean: float | None
    median: float | None
    maximum: float | None
    sampling: SamplingError | None
    provenance: Provenance


# --------------------------------------------------------------------------- key figures


@aggregate
@dataclass(frozen=True)
class KeyFiguresView:
    recognised_count: PersonCount
    confirmed_count: PersonCount
    """Recognised key figures whose position bears the recognition out."""
    unrecognised_count: PersonCount
    recognised_by_area: ByArea
    unrecognised_by_area: ByArea
    unrecognised_by_reason: PersonCells
    """Persons acting as a key figure per reason code (one person may have several)."""
    betweenness_exact: bool
    thresholds: dict[str, float]
    provenance: Provenance


# --------------------------------------------------------------------------- brokers


@aggregate
@dataclass(frozen=True)
class NonPersonSplit:
    """An organisation, initiative or place whose departure splits the network."""

    actor_id: str
    kind: str
    splits_off: PersonCount
    """Actors cut off from the rest of the component when it leaves."""
    sentence: Sentence


@aggregate
@dataclass(frozen=True)
class BrokerageView:
    grouping: str
    directed: bool
    convention: str
    totals: dict[str, int]
    """Brokerage triads per role over the whole network (not persons)."""
    role_labels: dict[str, str]
    non_persons: tuple[BrokerageEntry, ...]


@aggregate
@dataclass(frozen=True)
class BrokersView:
    articulation_point_count: PersonCount
    articulation_points_by_kind: PersonCells
    articulation_points_by_area: ByArea
    """Persons whose departure splits the network, per area."""
    non_person_articulation_points: tuple[NonPersonSplit, ...]
    structural_holes: tuple[StructuralHole, ...]
    """Organisations, initiatives and places among the top of the structural-hole ranking."""
    weighted: bool
    brokerage: BrokerageView
    referral_brokerage: BrokerageView
    provenance: Provenance


# --------------------------------------------------------------------------- bridges


@aggregate
@dataclass(frozen=True)
class NonPersonTie:
    """A tie between two actors that are not persons."""

    source_id: str
    source_kind: str
    target_id: str
    target_kind: str
    kinds: tuple[str, ...]
    cut_edge: bool
    only_link: bool
    splits_off: PersonCount


@aggregate
@dataclass(frozen=True)
class CommunityPair:
    a: int
    b: int


@aggregate
@dataclass(frozen=True)
class BridgesView:
    cut_edge_count: int
    pendant_cut_edge_count: PersonCount
    """Actors that hang on the network by one tie."""
    only_link_count: int
    only_link_pairs: tuple[CommunityPair, ...]
    """Pairs of communities joined by one tie only."""
    non_person_ties: tuple[NonPersonTie, ...]
    provenance: Provenance


# --------------------------------------------------------------------------- communities

_COMMUNITY_DETAIL = ("persons", "kinds", "internal_ties", "density", "main_area", "main_languages")


@aggregate
@dataclass(frozen=True)
class CommunityView:
    community: int
    size: PersonCount
    persons: PersonCount
    kinds: PersonCells
    internal_ties: int | None
    density: float | None
    ties_out: int
    main_area: str | None
    main_languages: tuple[str, ...]
    non_person_core: tuple[ActorRef, ...]
    """Organisations, initiatives and places among the community's best tied members."""
    sentence: Sentence
    """Withheld when it names a count that is not shown."""


@aggregate
@dataclass(frozen=True)
class CommunityLinkView:
    a: int
    b: int
    ties: int
    density: float | None
    """``None`` when either community's size is not shown (the density would give it)."""


@aggregate
@dataclass(frozen=True)
class DensityView:
    communities: tuple[int, ...]
    density: tuple[tuple[float | None, ...], ...]


@aggregate
@dataclass(frozen=True)
class CommunitiesView:
    count: int
    singletons: PersonCount
    modularity: float
    summary: Sentence
    communities: Annotated[tuple[CommunityView, ...], Cells("size", _COMMUNITY_DETAIL)]
    links: tuple[CommunityLinkView, ...]
    matrix: DensityView
    provenance: Provenance


# --------------------------------------------------------------------------- gaps


@aggregate
@dataclass(frozen=True)
class GapKindView:
    """One kind of gap: how many, where, about which themes."""

    kind: str
    count: int | None
    explanation: Sentence
    by_area: ByArea
    by_theme: ByTheme


@aggregate
@dataclass(frozen=True)
class CommunityGapView:
    """A gap about one or two communities (no line to help; no or one tie between them)."""

    kind: str
    code: str
    communities: tuple[int, ...]
    main_area: str | None
    persons: PersonCount
    explanation: Sentence


@aggregate
@dataclass(frozen=True)
class GapsView:
    total: int | None
    counts: dict[str, int | None]
    """Gaps per kind; the person gaps (isolated persons, unmet needs) count persons and are
    suppressed as one table."""
    kinds: tuple[GapKindView, ...]
    community_gaps: tuple[CommunityGapView, ...]
    non_person_gaps: tuple[Gap, ...]
    """Organisations without faces and initiatives unaware of each other."""
    provenance: Provenance


# --------------------------------------------------------------------------- what if


@aggregate
@dataclass(frozen=True)
class PieceView:
    persons: PersonCount
    others: int
    """Organisations, initiatives and places in the piece."""


@aggregate
@dataclass(frozen=True)
class WhatIfView:
    actor: ActorRef
    steps: int
    lose_help_count: PersonCount
    lose_help_by_area: ByArea
    components_before: int
    components_after: int
    split_off: Annotated[tuple[PieceView, ...], Cells(total_published=False)]
    community: int
    community_parts_before: int
    community_parts_after: int
    community_falls_apart: bool
    community_cut_off: PersonCount
    lost_community_links: tuple[tuple[int, int], ...]
    handover_count: PersonCount
    summary: Sentence
    provenance: Provenance


# --------------------------------------------------------------------------- compare


@aggregate
@dataclass(frozen=True)
class MetricView:
    metric: str
    before: float | None
    after: float | None
    change: float | None


@aggregate
@dataclass(frozen=True)
class CompareView:
    from_date: str
    to_date: str
    ties_gained_count: int
    ties_lost_count: int
    ties_changed_count: int
    non_person_ties_gained: tuple[TieChange, ...]
    non_person_ties_lost: tuple[TieChange, ...]
    metrics: tuple[MetricView, ...]
    stage_before: Stage
    stage_after: Stage
    stage_changed: bool
    summary: Sentence
    provenance: Provenance


# --------------------------------------------------------------------------- feedback


@aggregate
@dataclass(frozen=True)
class RateView:
    key: str
    shown: PersonCount
    decided: PersonCount
    suggestions: PersonCount
    accepted: PersonCount
    declined: PersonCount
    not_now: PersonCount
    outcomes: PersonCells
    outcomes_known: PersonCount
    tie_formed: PersonCount
    acceptance_rate: float | None
    acceptance_interval: tuple[float, float] | None
    tie_rate: float | None
    tie_rate_interval: tuple[float, float] | None
    success_rate: float | None
    success_interval: tuple[float, float] | None
    tie_per_shown: float | None
    tie_per_shown_interval: tuple[float, float] | None


@aggregate
@dataclass(frozen=True)
class FeedbackStatsView:
    network_id: str
    since: str | None
    until: str | None
    total: RateView
    by_reason: tuple[RateView, ...]
    by_kind: tuple[RateView, ...]
    by_origin: tuple[RateView, ...]
    by_broker: None
    broker_names: None
    definitions: dict[str, str]
