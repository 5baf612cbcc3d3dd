"""Gaps: where the network is torn or thin, each with the actors concerned and a sentence a
professional can act on (DESIGN.md 4). Six kinds, each with a stable code:

``isolated_person``
    A resident or key figure with no active tie (``no_ties``), or with ties only to
    professionals and organisations (``only_professional_ties``): nobody from the
    neighbourhood itself.
``community_without_help``
    A community (Leiden, at least ``min_size`` actors) with no help (a professional,
    organisation, initiative or key figure: :data:`netwerk.model.HELP_KINDS`) among its
    members and no tie to one.
``community_pair``
    Two communities (at least ``min_size`` actors each) joined by only one tie
    (``single_tie``), or by none (``no_tie``). Unlinked pairs are reported when the two
    share their main area, or, when the network has at most ten such communities, for
    every pair: in a city-sized network most pairs of far-apart groups are unlinked and
    that is no gap.
``unmet_need``
    An actor's need (theme) with no actor offering that theme as an asset within
    ``reach`` steps (2 by default, 3 allowed). An actor offering the theme itself is not
    a gap.
``organisation_without_faces``
    An organisation no resident or key figure knows personally: no tie to one, directly
    or through one of the organisation's professionals.
``initiatives_unaware``
    Two initiatives with a shared theme (asset) in the same area without a tie between
    them: "the neighbourhood as a dump of projects".

Each kind is listed up to ``limit`` gaps (``counts`` has the totals). Complexity: O(m) for
the isolation, community and organisation checks; O(T m) for the needs over T themes
(bounded multi-source breadth-first search); O(sum of squared group sizes) for
initiatives.

References
----------
Kretzmann J.P., McKnight J.L. (1993) Building Communities from the Inside Out: A Path
Toward Finding and Mobilizing a Community's Assets. ACTA Publications. ISBN 0879462108.
Krebs V., Holley J. (2006) Building smart communities through network weaving.
http://www.orgnet.com/BuildingNetworks.pdf
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from itertools import combinations

import numpy as np
import numpy.typing as npt

from netwerk.analysis.communities import Partition, partition
from netwerk.analysis.records import ActorRef, Provenance, actor_ref, check_positive, provenance
from netwerk.errors import ValidationFailed
from netwerk.graph import Snapshot, bfs_levels, require_lang
from netwerk.i18n import text
from netwerk.model import FORMAL_KINDS, HELP_KINDS, RESIDENT_KINDS, ActorKind
from netwerk.privacy import Sentence
from netwerk.words import cap, kind_this, say, steps_text, theme_label, themes_text

__all__ = ["GAP_KINDS", "Gap", "GapsResult", "gaps", "helped_communities", "isolated_mask"]

IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]
GAP_KINDS = (
    "isolated_person",
    "community_without_help",
    "community_pair",
    "unmet_need",
    "organisation_without_faces",
    "initiatives_unaware",
)
REFERENCES = (
    "Kretzmann J.P., McKnight J.L. (1993) ISBN 0879462108",
    "Krebs V., Holley J. (2006) Building smart communities through network weaving",
)
MEMBER_CAP = 50


@dataclass(frozen=True)
class Gap:
    kind: str
    code: str
    """Sub-kind, e.g. ``no_ties`` / ``only_professional_ties``; equals ``kind`` if none."""
    actors: tuple[ActorRef, ...]
    communities: tuple[int, ...]
    themes: tuple[str, ...]
    area: str | None
    explanation: Sentence


@dataclass(frozen=True)
class GapsResult:
    total: int
    counts: dict[str, int]
    """Gaps found per kind (before ``limit``)."""
    gaps: tuple[Gap, ...]
    provenance: Provenance


def gaps(
    snapshot: Snapshot,
    *,
    reach: int = 2,
    min_size: int = 3,
    limit: int = 100,
    kinds: tuple[str, ...] = GAP_KINDS,
    seed: int = 0,
    lang: str = "nl",
    communities: Partition | None = None,
) -> GapsResult:
    """Every gap of the kinds asked for (all six by default), see the module doc.

    Examples
    --------
    >>> import networkx as nx
    >>> from netwerk.graph import snapshot_from_networkx
    >>> G = nx.path_graph(3)
    >>> G.add_node('alone')
    >>> r = gaps(snapshot_from_networkx(G), lang='en')
    >>> [(g.code, [a.actor_id for a in g.actors]) for g in r.gaps if g.kind == 'isolated_person']
    [('no_ties', ['alone'])]
    """
    if reach not in (1, 2, 3):
        raise ValidationFailed("reach", "reach is 1, 2 or 3 steps")
    check_positive(min_size, "min_size")
    check_positive(limit, "limit", maximum=100_000)
    for k in kinds:
        if k not in GAP_KINDS:
            raise ValidationFailed("kinds", f"'{k[:40]}' is not one of {', '.join(GAP_KINDS)}")
    require_lang(lang)
    found: dict[str, list[Gap]] = {k: [] for k in GAP_KINDS}
    part: Partition | None = None
    if {"community_without_help", "community_pair"} & set(kinds):
        part = communities or partition(snapshot, seed=seed)
    # the per-actor kinds can run to many thousands: counted in full, sentences made only
    # for the ``limit`` listed
    total: dict[str, int] = {}
    if "isolated_person" in kinds:
        total["isolated_person"], found["isolated_person"] = _isolated(snapshot, lang, limit)
    if "community_without_help" in kinds and part is not None:
        found["community_without_help"] = _without_help(snapshot, part, min_size, lang)
    if "community_pair" in kinds and part is not None:
        found["community_pair"] = _pairs(snapshot, part, min_size, lang)
    if "unmet_need" in kinds:
        total["unmet_need"], found["unmet_need"] = _unmet(snapshot, reach, lang, limit)
    if "organisation_without_faces" in kinds:
        found["organisation_without_faces"] = _faceless(snapshot, lang)
    if "initiatives_unaware" in kinds:
        found["initiatives_unaware"] = _unaware(snapshot, lang)
    counts = {k: total.get(k, len(found[k])) for k in GAP_KINDS if k in kinds}
    listed = tuple(g for k in GAP_KINDS for g in found[k][:limit])
    return GapsResult(
        total=sum(counts.values()),
        counts=counts,
        gaps=listed,
        provenance=provenance(
            snapshot,
            "gaps.six_kinds",
            REFERENCES,
            {
                "reach": reach,
                "min_size": min_size,
                "limit": limit,
                "kinds": ",".join(kinds),
                "communities": "leiden",
            },
            seed=seed if part is not None else None,
        ),
    )


# --------------------------------------------------------------------------- the six kinds


def isolated_mask(snapshot: Snapshot) -> BoolArray:
    """Per actor, whether it is an isolated person: a resident or key figure
    (:data:`~netwerk.model.RESIDENT_KINDS`) with no tie to anyone from the neighbourhood
    itself, that is no tie at all or ties only to professionals and organisations
    (:data:`~netwerk.model.FORMAL_KINDS`). The one definition of isolation: the
    ``isolated_person`` gap and the suggestions (ending someone's isolation) both read it.
    O(n + m).

    Examples
    --------
    >>> import networkx as nx
    >>> from netwerk.graph import snapshot_from_networkx
    >>> G = nx.Graph([('ann', 'bob'), ('cas', 'wijkteam')])
    >>> G.nodes['wijkteam']['kind'] = 'professional'
    >>> G.add_node('dirk')
    >>> s = snapshot_from_networkx(G)
    >>> sorted(s.ids[v] for v in isolated_mask(s).nonzero()[0])
    ['cas', 'dirk']
    """
    formal = snapshot.kind_mask(*FORMAL_KINDS)
    adj = snapshot.adjacency
    owner = np.repeat(np.arange(snapshot.n), np.diff(adj.indptr))
    informal = np.bincount(owner[~formal[adj.indices]], minlength=snapshot.n)
    return snapshot.kind_mask(*RESIDENT_KINDS) & (informal == 0)


def helped_communities(snapshot: Snapshot, membership: IntArray, count: int) -> BoolArray:
    """Per community (``count`` of them, ``membership`` per actor), whether help
    (:data:`~netwerk.model.HELP_KINDS`) is among its members or tied to one of them. The one
    definition of a community with help: the ``community_without_help`` gap and the
    suggestions (a community's first tie to help) both read it. O(n + m).

    Examples
    --------
    >>> import networkx as nx
    >>> import numpy as np
    >>> from netwerk.graph import snapshot_from_networkx
    >>> G = nx.Graph([('ann', 'bob'), ('cas', 'wijkteam')])
    >>> G.nodes['wijkteam']['kind'] = 'professional'
    >>> s = snapshot_from_networkx(G)
    >>> membership = np.array([0 if i in ('ann', 'bob') else 1 for i in s.ids])
    >>> helped_communities(s, membership, 2).tolist()
    [False, True]
    """
    helpers = snapshot.kind_mask(*HELP_KINDS)
    has = np.zeros(count, dtype=bool)
    has[membership[helpers]] = True
    e = snapshot.edge_array
    if len(e):
        has[membership[e[helpers[e[:, 1]], 0]]] = True
        has[membership[e[helpers[e[:, 0]], 1]]] = True
    return has


def _isolated(snapshot: Snapshot, lang: str, limit: int) -> tuple[int, list[Gap]]:
    """The number of isolated persons and the gaps of the first ``limit`` (vertex order)."""
    out: list[Gap] = []
    deg = snapshot.degree
    isolated = np.flatnonzero(isolated_mask(snapshot))
    for v in isolated[:limit].tolist():
        k = int(deg[v])
        who = kind_this(snapshot.kind[v], lang, capital=True)
        out.append(
            Gap(
                kind="isolated_person",
                code="no_ties" if k == 0 else "only_professional_ties",
                actors=(actor_ref(snapshot, v),),
                communities=(),
                themes=(),
                area=snapshot.area[v],
                explanation=(
                    say("gap.no_ties", lang, Who=who)
                    if k == 0
                    else say("gap.only_professional_ties", lang, Who=who, count=k)
                ),
            )
        )
    return len(isolated), out


def _members(part: Partition) -> dict[int, list[int]]:
    members: dict[int, list[int]] = defaultdict(list)
    for v, c in enumerate(part.membership.tolist()):
        members[c].append(v)
    return members


def _without_help(snapshot: Snapshot, part: Partition, min_size: int, lang: str) -> list[Gap]:
    has = helped_communities(snapshot, part.membership, part.count)
    members = _members(part)
    out: list[Gap] = []
    for c in range(part.count):
        if part.sizes[c] < min_size or has[c]:
            continue
        vs = members[c]
        out.append(
            Gap(
                kind="community_without_help",
                code="community_without_help",
                actors=tuple(actor_ref(snapshot, v) for v in vs[:MEMBER_CAP]),
                communities=(c,),
                themes=(),
                area=_main_area(snapshot, vs),
                explanation=say(
                    "gap.community_without_help", lang, Group=_group(c, len(vs), lang, True)
                ),
            )
        )
    return out


def _main_area(snapshot: Snapshot, vs: list[int]) -> str | None:
    counts: dict[str, int] = defaultdict(int)
    for v in vs:
        a = snapshot.area[v]
        if a:
            counts[a] += 1
    if not counts:
        return None
    return min(counts, key=lambda a: (-counts[a], a))


def _pairs(snapshot: Snapshot, part: Partition, min_size: int, lang: str) -> list[Gap]:
    memb, k = part.membership, part.count
    big = [c for c in range(k) if part.sizes[c] >= min_size]
    big_set = set(big)
    e = snapshot.edge_array
    tie_count: dict[tuple[int, int], int] = {}
    tie_of: dict[tuple[int, int], int] = {}
    if len(e):
        ca, cb = memb[e[:, 0]], memb[e[:, 1]]
        inter = np.flatnonzero(ca != cb)
        lo = np.minimum(ca[inter], cb[inter])
        hi = np.maximum(ca[inter], cb[inter])
        keys, first, counts = np.unique(lo * k + hi, return_index=True, return_counts=True)
        for key, f, cnt in zip(keys.tolist(), first.tolist(), counts.tolist(), strict=True):
            pair = (key // k, key % k)
            if pair[0] in big_set and pair[1] in big_set:
                tie_count[pair] = cnt
                tie_of[pair] = int(inter[f])
    members = _members(part)
    areas = {c: _main_area(snapshot, members[c]) for c in big}
    out: list[Gap] = []
    for pair, cnt in sorted(tie_count.items()):
        if cnt != 1:
            continue
        a, b = pair
        eid = tie_of[pair]
        s, t = int(e[eid, 0]), int(e[eid, 1])
        out.append(
            Gap(
                kind="community_pair",
                code="single_tie",
                actors=(actor_ref(snapshot, s), actor_ref(snapshot, t)),
                communities=(a, b),
                themes=(),
                area=areas[a] if areas[a] == areas[b] else None,
                explanation=say(
                    "gap.single_tie",
                    lang,
                    A=_group(a, int(part.sizes[a]), lang, True),
                    b=_group(b, int(part.sizes[b]), lang),
                ),
            )
        )
    all_pairs = len(big) <= 10
    for a, b in combinations(big, 2):
        if (a, b) in tie_count:
            continue
        same_area = areas[a] is not None and areas[a] == areas[b]
        if not (all_pairs or same_area):
            continue
        out.append(
            Gap(
                kind="community_pair",
                code="no_tie",
                actors=(),
                communities=(a, b),
                themes=(),
                area=areas[a] if same_area else None,
                explanation=say(
                    "gap.no_tie_area" if same_area else "gap.no_tie",
                    lang,
                    A=_group(a, int(part.sizes[a]), lang, True),
                    b=_group(b, int(part.sizes[b]), lang),
                    area=areas[a] or "",
                ),
            )
        )
    return out


def _unmet(snapshot: Snapshot, reach: int, lang: str, limit: int) -> tuple[int, list[Gap]]:
    """The number of (actor, theme) needs nobody within ``reach`` steps can meet and the
    gaps of the first ``limit`` of them (by actor, then theme)."""
    by_theme: dict[str, list[int]] = defaultdict(list)
    for v, needs in enumerate(snapshot.needs):
        for t in needs:
            by_theme[t].append(v)
    holders: dict[str, list[int]] = defaultdict(list)
    for v, assets in enumerate(snapshot.assets):
        for t in assets:
            if t in by_theme:
                holders[t].append(v)
    themes = sorted(by_theme)
    who: list[npt.NDArray[np.int64]] = []
    for theme in themes:
        needers = np.asarray(by_theme[theme], dtype=np.int64)
        if holders[theme]:
            near = _within(snapshot, np.asarray(holders[theme], dtype=np.int64), reach)
            who.append(needers[~near[needers]])
        else:
            who.append(needers)
    actors = np.concatenate(who) if who else np.zeros(0, dtype=np.int64)
    theme_of = np.repeat(np.arange(len(themes), dtype=np.int64), [len(w) for w in who])
    first = np.lexsort((theme_of, actors))[:limit]  # by actor, then theme (themes sorted)
    steps = steps_text(reach, lang)
    out: list[Gap] = []
    for v, t in zip(actors[first].tolist(), theme_of[first].tolist(), strict=True):
        theme = themes[t]
        out.append(
            Gap(
                kind="unmet_need",
                code="unmet_need",
                actors=(actor_ref(snapshot, v),),
                communities=(),
                themes=(theme,),
                area=snapshot.area[v],
                explanation=say(
                    "gap.unmet_need" if holders[theme] else "gap.unmet_need_nobody",
                    lang,
                    theme=theme_label(theme, lang),
                    steps=steps,
                ),
            )
        )
    return len(actors), out


def _within(snapshot: Snapshot, sources: IntArray, reach: int) -> BoolArray:
    """Per vertex, whether it is within ``reach`` hops of one of ``sources`` (as
    :func:`~netwerk.graph.bfs_levels` ``>= 0``). Many sources (a theme's holders): by
    sparse products of the adjacency with the reached set, one per step, in C; few: by the
    breadth-first gather."""
    if len(sources) * 64 < snapshot.n:
        return bfs_levels(snapshot, sources, reach) >= 0
    near = np.zeros(snapshot.n, dtype=bool)
    near[sources] = True
    a = snapshot.sparse
    for _ in range(reach):
        near |= (a @ near.astype(np.float32)) > 0
    return near


def _faceless(snapshot: Snapshot, lang: str) -> list[Gap]:
    adj = snapshot.adjacency
    locals_ = snapshot.kind_mask(*RESIDENT_KINDS)
    professional = snapshot.kind_mask(ActorKind.professional)
    out: list[Gap] = []
    for o in snapshot.vertices_of_kind("organisation").tolist():
        nbrs = adj.neighbours(o)
        if locals_[nbrs].any():
            continue
        staff = nbrs[professional[nbrs]]
        if len(staff):
            _, second = adj.gather(staff)
            if locals_[second].any():
                continue
        out.append(
            Gap(
                kind="organisation_without_faces",
                code="organisation_without_faces",
                actors=(actor_ref(snapshot, o),),
                communities=(),
                themes=tuple(sorted(snapshot.assets[o])),
                area=snapshot.area[o],
                explanation=say("gap.organisation_without_faces", lang),
            )
        )
    return out


def _unaware(snapshot: Snapshot, lang: str) -> list[Gap]:
    groups: dict[tuple[str, str], list[int]] = defaultdict(list)
    for v in snapshot.vertices_of_kind("initiative").tolist():
        area = snapshot.area[v]
        if not area:
            continue
        for t in snapshot.assets[v]:
            groups[(area, t)].append(v)
    shared: dict[tuple[int, int], set[str]] = defaultdict(set)
    area_of: dict[tuple[int, int], str] = {}
    g = snapshot.graph
    for (area, theme), vs in groups.items():
        for a, b in combinations(sorted(vs), 2):
            if g.get_eid(a, b, error=False) >= 0:
                continue
            shared[(a, b)].add(theme)
            area_of[(a, b)] = area
    out: list[Gap] = []
    adj = snapshot.adjacency
    for (a, b), themes in sorted(shared.items()):
        common = len(np.intersect1d(adj.neighbours(a), adj.neighbours(b)))
        ts = tuple(sorted(themes))
        out.append(
            Gap(
                kind="initiatives_unaware",
                code="initiatives_unaware",
                actors=(actor_ref(snapshot, a), actor_ref(snapshot, b)),
                communities=(),
                themes=ts,
                area=area_of[(a, b)],
                explanation=say(
                    "gap.initiatives_unaware" if common else "gap.initiatives_unaware_alone",
                    lang,
                    count=common,
                    themes=themes_text(ts, lang),
                    area=area_of[(a, b)],
                ),
            )
        )
    return out


def _group(c: int, size: int, lang: str, capital: bool = False) -> str:
    """``groep 3 (12 actoren)``."""
    phrase = text("communities.group", lang, group=c, count=size)
    return cap(phrase) if capital else phrase
