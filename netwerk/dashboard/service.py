"""The dashboard's figures in one call, cached per ``(network, revision, as_of)``.

:func:`dashboard` gathers what the wall page shows from the analyses of one snapshot
(summary and stage, communities, gaps, key figures, the what-if of the most central
professional, feedback rates) plus the group map, actions and dependence of this package.
It holds person ids (for brokers); :mod:`netwerk.dashboard.view` turns it into what a role
may see. Group names are not part of the cached result: a broker may rename a group without
a new revision, so :func:`group_names` joins them per request (one query).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace

from netwerk import cache
from netwerk.analysis import blocks
from netwerk.analysis import service as analysis
from netwerk.analysis.key_figures import KeyFiguresResult
from netwerk.analysis.resilience import WhatIfResult
from netwerk.analysis.summary import SummaryResult
from netwerk.dashboard import names as _names
from netwerk.dashboard.actions import Action, AreaRow, Dependence, actions, area_rows, dependence
from netwerk.dashboard.groups import (
    CBS_CODE,
    GroupFacts,
    GroupLayout,
    group_layout,
    place_of,
    rule_name,
    unique_names,
)
from netwerk.graph import require_lang
from netwerk.privacy import anonymous_label
from netwerk.store.actors import actor_labels, actor_places
from netwerk.store.revision import current_revision
from netwerk.store.session import Conn
from netwerk.suggest import service as suggest_service
from netwerk.suggest.feedback import FeedbackStats

__all__ = [
    "Dashboard",
    "actor_names",
    "area_facts",
    "dashboard",
    "group_names",
    "group_of",
    "non_person_names",
    "referenced_ids",
]

MIN_GROUP = 3


@dataclass(frozen=True)
class Dashboard:
    network_id: str
    revision: int
    as_of: str
    summary: SummaryResult
    layout: GroupLayout
    gap_counts: dict[str, int]
    areas: tuple[AreaRow, ...]
    actions: tuple[Action, ...]
    key_figures: KeyFiguresResult
    dependence: Dependence
    central_id: str | None
    """The professional with the highest betweenness (its what-if below)."""
    central: WhatIfResult | None
    stats: FeedbackStats
    area_names: dict[str, str]
    """Names of CBS area codes, as the network supplies them (``area_name`` attributes)."""


def area_facts(source: cache.Source, network_id: str) -> tuple[dict[str, str], dict[str, str]]:
    """What the network says about places beyond ``area``: each actor's ``street`` attribute
    (by actor id) and the name of each CBS area code, the most common ``area_name`` attribute
    among the actors with that code (ties: alphabetical). One query over the actors."""

    def run(conn: Conn) -> tuple[dict[str, str], dict[str, str]]:
        rows = actor_places(conn, network_id)
        streets: dict[str, str] = {}
        named: dict[str, dict[str, int]] = {}
        for aid, area, attrs in rows:
            if not attrs:
                continue
            street = attrs.get("street")
            if isinstance(street, str) and street.strip() and not CBS_CODE.match(street):
                streets[str(aid)] = street.strip()
            name = attrs.get("area_name")
            if area and CBS_CODE.match(area) and isinstance(name, str) and name.strip():
                counts = named.setdefault(area, {})
                counts[name.strip()] = counts.get(name.strip(), 0) + 1
        names = {
            code: min(c.items(), key=lambda kv: (-kv[1], kv[0]))[0] for code, c in named.items()
        }
        return streets, names

    return cache.with_connection(source, run)


def dashboard(
    source: cache.Source,
    network_id: str,
    *,
    as_of: dt.date | None = None,
    lang: str = "nl",
    seed: int = 0,
) -> Dashboard:
    """Every figure of the dashboard (see the module doc)."""
    require_lang(lang)
    day = as_of or dt.date.today()
    # the result is looked up before the snapshot: the monthly series loads 13 snapshots and
    # may have pushed today's out of the snapshot cache, which a warm dashboard must not pay
    revision = cache.with_connection(source, lambda c: current_revision(c, network_id))

    def run() -> Dashboard:
        s = cache.get_snapshot(source, network_id, as_of)
        summ = analysis.summary(source, network_id, as_of=as_of, lang=lang, seed=seed)
        gaps = analysis.gaps(
            source, network_id, as_of=as_of, lang=lang, seed=seed, limit=max(s.n, 1)
        )
        part = blocks.partition(s, seed)
        streets, area_names = area_facts(source, network_id)
        places = [place_of(s.area[v], streets.get(s.ids[v]), area_names) for v in range(s.n)]
        unmet = {s.index[a.actor_id] for g in gaps.gaps if g.kind == "unmet_need" for a in g.actors}
        isolated = {
            s.index[a.actor_id] for g in gaps.gaps if g.kind == "isolated_person" for a in g.actors
        }
        no_help = {
            c for g in gaps.gaps if g.kind == "community_without_help" for c in g.communities
        }
        layout = group_layout(
            s,
            part,
            without_help=no_help,
            unmet=unmet,
            isolated=isolated,
            min_size=MIN_GROUP,
            seed=seed,
            places=places,
        )
        persons = {g.group: g.persons for g in layout.groups}
        sizes = {g.group: g.size for g in layout.groups}
        kf = analysis.key_figures(source, network_id, as_of=as_of, lang=lang, seed=seed, top=20)
        central_id = None
        central = None
        if s.vertices_of_kind("professional").size:
            top = analysis.centrality(
                source,
                network_id,
                as_of=as_of,
                lang=lang,
                seed=seed,
                measure="betweenness",
                kind="professional",
                top=1,
            )
            if top.entries:
                central_id = top.entries[0].actor_id
                central = analysis.what_if(
                    source, network_id, remove=central_id, as_of=as_of, lang=lang, seed=seed
                )
        return Dashboard(
            network_id=network_id,
            revision=s.revision,
            as_of=s.as_of.isoformat(),
            summary=summ,
            layout=layout,
            gap_counts=dict(gaps.counts),
            areas=tuple(area_rows(gaps, sizes, persons)),
            actions=tuple(actions(s, gaps, part.membership, persons)),
            key_figures=kf,
            dependence=dependence(s),
            central_id=central_id,
            central=central,
            stats=suggest_service.stats(source, network_id),
            area_names=area_names,
        )

    result = cache.cached(
        network_id, revision, "dashboard", {"lang": lang, "seed": seed}, run, as_of=day
    )
    # feedback is not a write to the network (no new revision): read its rates every time
    return replace(result, stats=suggest_service.stats(source, network_id))


def non_person_names(source: cache.Source, network_id: str, ids: set[str]) -> dict[str, str]:
    """Names of the organisations, initiatives and places among ``ids``."""
    if not ids:
        return {}

    def run(conn: Conn) -> dict[str, str]:
        return {
            str(i): str(n)
            for i, n, kind, _ in actor_labels(conn, network_id, ids)
            if kind in ("organisation", "initiative", "place")
        }

    return cache.with_connection(source, run)


def group_names(
    source: cache.Source,
    d: Dashboard,
    lang: str,
    *,
    shown: dict[int, bool] | None = None,
) -> dict[int, tuple[str, bool]]:
    """Per group: its name and whether a broker gave it. ``shown[g]`` False: the group's
    size is suppressed for this reader, so its rule name leaves out what describes its
    members (language, area)."""
    anchors = {g.anchor_id for g in d.layout.groups if g.anchor_id}
    labels = non_person_names(source, d.network_id, anchors)
    stored = cache.with_connection(source, lambda c: _names.stored(c, d.network_id))
    matched = _names.match(stored, {g.group: frozenset(g.members) for g in d.layout.groups})
    rules = unique_names(
        [
            rule_name(
                g,
                lang,
                number=i + 1,
                anchor_name=labels.get(g.anchor_id or ""),
                detail=True if shown is None else shown.get(g.group, False),
            )
            for i, g in enumerate(d.layout.groups)
        ],
        lang,
    )
    out: dict[int, tuple[str, bool]] = {}
    for g, rule in zip(d.layout.groups, rules, strict=True):
        hit = matched.get(g.group)
        out[g.group] = (hit.name, True) if hit else (rule, False)
    return out


def group_of(d: Dashboard, group: int) -> GroupFacts | None:
    return next((g for g in d.layout.groups if g.group == group), None)


def referenced_ids(d: Dashboard) -> set[str]:
    """Every actor id the dashboard may name (for the name lookup)."""
    ids = {p.actor_id for p in d.layout.points}
    ids |= {g.anchor_id for g in d.layout.groups if g.anchor_id}
    for a in d.actions:
        ids |= {x for x in (a.via_id, a.contact_id, a.contact_org_id) if x}
    ids |= {f.actor_id for f in (*d.key_figures.recognised, *d.key_figures.unrecognised)}
    ids |= {a for a, _ in d.dependence.top}
    if d.central_id:
        ids.add(d.central_id)
    return ids


def actor_names(
    source: cache.Source, network_id: str, ids: set[str], *, sees_persons: bool, lang: str
) -> dict[str, str]:
    """Names a reader may see: every actor for brokers (a withdrawn person as a pseudonym),
    organisations, initiatives and places only for viewers."""
    if not sees_persons:
        return non_person_names(source, network_id, ids)
    if not ids:
        return {}

    def run(conn: Conn) -> dict[str, str]:
        return {
            i: anonymous_label(i, lang) if consent == "withdrawn" else n
            for i, n, _, consent in actor_labels(conn, network_id, ids)
        }

    return cache.with_connection(source, run)
