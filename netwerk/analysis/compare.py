"""Change over time: the same network on two dates (DESIGN.md 4).

Ties are compared as connected pairs of actors (the snapshot's edges, see
:mod:`netwerk.graph`): a pair gained has an active tie on ``to_date`` and none on
``from_date``; a pair lost the reverse; a pair whose tie kinds or strength changed is
counted as changed. Whole-network figures come from :func:`.summary.summary` on both dates,
and the development stage (:mod:`.stage`) of each.

Both snapshots are of the network's current revision, so they hold the same actors (the
store has no validity period for actors): the comparison is about ties.

Complexity: O(m log m) for the tie sets plus two summaries.

References
----------
Snijders T.A.B. (2011) Statistical models for social networks. Annual Review of Sociology
37:131-153. doi:10.1146/annurev.soc.012809.102709.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from netwerk.analysis.records import (
    Provenance,
    check_positive,
    num,
    provenance,
)
from netwerk.analysis.stage import Stage
from netwerk.analysis.summary import SummaryResult, summary
from netwerk.errors import ValidationFailed
from netwerk.graph import PERSONS, Snapshot, require_lang
from netwerk.i18n import text
from netwerk.store.session import Conn
from netwerk.store.snapshot import load_snapshot
from netwerk.words import date_text, say

__all__ = ["CompareResult", "MetricChange", "TieChange", "compare", "compare_snapshots"]

REFERENCES = ("Snijders T.A.B. (2011) doi:10.1146/annurev.soc.012809.102709",)
METRICS = (
    "actors",
    "persons",
    "ties",
    "connected_pairs",
    "referrals",
    "density",
    "mean_degree",
    "components",
    "largest_component",
    "largest_component_share",
    "isolates",
    "clustering",
    "mean_local_clustering",
    "path_length",
)


@dataclass(frozen=True)
class TieChange:
    source_id: str
    source_kind: str
    target_id: str
    target_kind: str
    person_pair: bool
    kinds: tuple[str, ...]
    weight: float


@dataclass(frozen=True)
class MetricChange:
    metric: str
    before: float | None
    after: float | None
    change: float | None


@dataclass(frozen=True)
class CompareResult:
    from_date: str
    to_date: str
    ties_gained_count: int
    ties_lost_count: int
    ties_changed_count: int
    ties_gained: tuple[TieChange, ...]
    ties_lost: tuple[TieChange, ...]
    metrics: tuple[MetricChange, ...]
    stage_before: Stage
    stage_after: Stage
    stage_changed: bool
    summary: str
    provenance: Provenance


def _pairs(s: Snapshot) -> dict[tuple[str, str], int]:
    e = s.edge_array
    ids = s.ids
    out: dict[tuple[str, str], int] = {}
    for i, (a, b) in enumerate(zip(e[:, 0].tolist(), e[:, 1].tolist(), strict=True)):
        x, y = ids[a], ids[b]
        out[(x, y) if x < y else (y, x)] = i
    return out


def _change(s: Snapshot, eid: int) -> TieChange:
    a, b = int(s.edge_array[eid, 0]), int(s.edge_array[eid, 1])
    ka, kb = s.kind[a], s.kind[b]
    return TieChange(
        source_id=s.ids[a],
        source_kind=ka,
        target_id=s.ids[b],
        target_kind=kb,
        person_pair=ka in PERSONS or kb in PERSONS,
        kinds=tuple(s.graph.es[eid]["kinds"]),
        weight=float(s.weights[eid]),
    )


def compare_snapshots(
    before: Snapshot,
    after: Snapshot,
    *,
    limit: int = 100,
    lang: str = "nl",
    summary_before: SummaryResult | None = None,
    summary_after: SummaryResult | None = None,
    seed: int = 0,
) -> CompareResult:
    """Ties gained, lost and changed, figure changes and stage change between two
    snapshots of one network (``before.as_of`` to ``after.as_of``).

    Examples
    --------
    >>> import networkx as nx
    >>> from netwerk.graph import snapshot_from_networkx
    >>> before = snapshot_from_networkx(nx.path_graph(3), network_id='wijk', revision=1)
    >>> after = snapshot_from_networkx(nx.cycle_graph(3), network_id='wijk', revision=2)
    >>> r = compare_snapshots(before, after, lang='en')
    >>> r.ties_gained_count, r.ties_lost_count  # the tie 0-2 is new
    (1, 0)
    >>> [(t.source_id, t.target_id) for t in r.ties_gained]
    [('0', '2')]
    """
    if before.network_id != after.network_id:
        raise ValidationFailed("network", "both snapshots must be of one network")
    check_positive(limit, "limit", maximum=100_000)
    pa, pb = _pairs(before), _pairs(after)
    gained = sorted(set(pb) - set(pa))
    lost = sorted(set(pa) - set(pb))
    changed = 0
    if before.m and after.m:
        ka, kb = before.graph.es["kinds"], after.graph.es["kinds"]
        for key in set(pa) & set(pb):
            i, j = pa[key], pb[key]
            if ka[i] != kb[j] or before.weights[i] != after.weights[j]:
                changed += 1
    sa_ = summary_before or summary(before, seed=seed, lang=lang)
    sb = summary_after or summary(after, seed=seed, lang=lang)
    metrics = []
    for name in METRICS:
        x, y = getattr(sa_, name), getattr(sb, name)
        metrics.append(
            MetricChange(
                name,
                num(x),
                num(y),
                num(y - x) if x is not None and y is not None else None,
            )
        )
    stage_changed = sa_.stage.code != sb.stage.code
    require_lang(lang)
    moved = (
        text("compare.stage_moved", lang, before=sa_.stage.label, after=sb.stage.label)
        if stage_changed
        else text("compare.stage_stayed", lang, after=sb.stage.label)
    )
    sentence = say(
        "compare.summary",
        lang,
        from_date=date_text(before.as_of, lang),
        to_date=date_text(after.as_of, lang),
        gained=text("compare.gained", lang, count=len(gained)),
        lost=text("compare.lost", lang, count=len(lost)),
        changed=text("compare.changed", lang, count=changed),
        stage=moved,
    )
    return CompareResult(
        from_date=before.as_of.isoformat(),
        to_date=after.as_of.isoformat(),
        ties_gained_count=len(gained),
        ties_lost_count=len(lost),
        ties_changed_count=changed,
        ties_gained=tuple(_change(after, pb[k]) for k in gained[:limit]),
        ties_lost=tuple(_change(before, pa[k]) for k in lost[:limit]),
        metrics=tuple(metrics),
        stage_before=sa_.stage,
        stage_after=sb.stage,
        stage_changed=stage_changed,
        summary=sentence,
        provenance=provenance(
            after,
            "compare.two_dates",
            REFERENCES,
            {
                "from": before.as_of.isoformat(),
                "to": after.as_of.isoformat(),
                "limit": limit,
            },
            seed=None if sb.path_length_exact else seed,
            exact=sa_.path_length_exact and sb.path_length_exact,
        ),
    )


def compare(
    conn: Conn,
    network_id: str,
    from_date: dt.date,
    to_date: dt.date,
    *,
    limit: int = 100,
    lang: str = "nl",
    seed: int = 0,
) -> CompareResult:
    """Load the network on both dates and compare them (:func:`compare_snapshots`)."""
    if from_date > to_date:
        raise ValidationFailed("from", "'from' must not be after 'to'")
    before = load_snapshot(conn, network_id, as_of=from_date)
    after = load_snapshot(conn, network_id, as_of=to_date)
    return compare_snapshots(before, after, limit=limit, lang=lang, seed=seed)
