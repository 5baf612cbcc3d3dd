"""Key figures: the recognised ones and the residents who already act as one (DESIGN.md 4).

A key figure (sleutelfiguur) is the one people go to. The network shows it in position:
they broker between groups that otherwise barely meet, they reach groups nobody else
reaches, and many paths and people are within their reach. For every resident this module
checks five position criteria, each a stable reason code with a weight:

=========================== ====== ==================================================
code                        weight criterion
=========================== ====== ==================================================
``sole_gateway``            3      the only actor outside a community (>= ``min_group``
                                   actors) with a tie into it
``sole_language_gateway``   3      the only actor with a tie into a language group: the
                                   persons who share languages but no Dutch (>=
                                   ``min_group`` persons)
``cuts_off_group``          3      an articulation point whose departure cuts at least
                                   ``min_group`` persons off from the rest (all parts
                                   but the one with the most persons)
``sole_exit``               3      the only member of a community (>= ``min_group``
                                   actors) with a tie outside it: the group's only way
                                   out
``bridges_communities``     2      contacts in at least three communities (>=
                                   ``min_group`` actors each), own included
``high_betweenness``        2      betweenness at or above the ``percentile`` of persons
``wide_reach``              1      two-step reach at or above the ``percentile`` of
                                   persons and at least twice the persons' median
=========================== ====== ==================================================

The first four are a *unique reach*: ``sole_gateway`` looks at a community from outside,
``sole_exit`` and ``cuts_off_group`` from inside (the member through whom everyone else in
the group reaches the rest of the neighbourhood), so a resident who is a group's only way
out counts as much as the neighbour who is the only one to reach in.

A resident whose reasons weigh at least ``min_score`` (default 3: a unique reach alone, or
two other criteria) is an *unrecognised* key figure. Recognised key figures (kind
``key_figure``) are listed with the same figures and reasons, and ``confirmed`` says whether
their position bears the recognition out. Professionals are not candidates: they are
reachable through their role already. Betweenness follows :mod:`.centrality` (sampled above
its exact threshold; the result says so).

Brokerage and unique reach follow Burt (2005) and Gould & Fernandez (1989); the two-step
reach follows Borgatti (2006), "key player" reach. Complexity: O(m) beyond the centrality
and community computations it reuses.

References
----------
Burt R.S. (2005) Brokerage and Closure. Oxford University Press. ISBN 9780199249190.
Borgatti S.P. (2006) Identifying sets of key players in a social network. Comput Math
Organ Theory 12:21-34. doi:10.1007/s10588-006-7084-x.
Valente T.W., Pumpuang P. (2007) Identifying opinion leaders to promote behavior change.
Health Educ Behav 34(6):881-896. doi:10.1177/1090198106297855.
Hopcroft J., Tarjan R. (1973) Algorithm 447: efficient algorithms for graph manipulation.
Commun ACM 16(6):372-378. doi:10.1145/362248.362272 (articulation points, block-cut tree).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from netwerk.analysis.brokers import BlockCutTree
from netwerk.analysis.centrality import DEFAULT_EXACT_MAX, Scores, scores
from netwerk.analysis.communities import Partition, partition
from netwerk.analysis.records import (
    Provenance,
    check_positive,
    num,
    percentile_rank,
    provenance,
)
from netwerk.errors import ValidationFailed
from netwerk.graph import Snapshot, require_lang
from netwerk.i18n import text
from netwerk.rows import distinct
from netwerk.words import language_names, say

__all__ = ["REASON_WEIGHTS", "KeyFigure", "KeyFiguresResult", "Reason", "key_figures"]

IntArray = npt.NDArray[np.int64]
REASON_WEIGHTS = {
    "sole_gateway": 3,
    "sole_language_gateway": 3,
    "cuts_off_group": 3,
    "sole_exit": 3,
    "bridges_communities": 2,
    "high_betweenness": 2,
    "wide_reach": 1,
}
REFERENCES = (
    "Burt R.S. (2005) Brokerage and Closure, ISBN 9780199249190",
    "Borgatti S.P. (2006) doi:10.1007/s10588-006-7084-x",
    "Valente T.W., Pumpuang P. (2007) doi:10.1177/1090198106297855",
    "Hopcroft J., Tarjan R. (1973) doi:10.1145/362248.362272",
)


@dataclass(frozen=True)
class Reason:
    code: str
    weight: int
    sentence: str


@dataclass(frozen=True)
class KeyFigure:
    actor_id: str
    kind: str
    person: bool
    recognised: bool
    confirmed: bool
    """Position bears out the key-figure role (score >= min_score)."""
    score: int
    community: int
    degree: int
    two_step_reach: int
    betweenness: float | None
    betweenness_percentile: float
    communities_reached: int
    reasons: tuple[Reason, ...]


@dataclass(frozen=True)
class KeyFiguresResult:
    recognised: tuple[KeyFigure, ...]
    unrecognised: tuple[KeyFigure, ...]
    """Highest score first; at most ``top`` of each list, the ``*_count`` fields hold the
    totals."""

    recognised_count: int
    unrecognised_count: int
    betweenness_exact: bool
    thresholds: dict[str, float]
    provenance: Provenance


def _sole_gateways(snapshot: Snapshot, labels: IntArray, min_group: int) -> dict[int, list[int]]:
    """Vertex -> groups into which it is the only outside actor with a tie."""
    e = snapshot.edge_array
    if not len(e):
        return {}
    size = np.bincount(labels[labels >= 0]) if (labels >= 0).any() else np.zeros(0, np.int64)
    src = np.concatenate([e[:, 0], e[:, 1]])
    dst = np.concatenate([e[:, 1], e[:, 0]])
    lg = labels[dst]
    ok = (lg >= 0) & (labels[src] != lg)
    src, lg = src[ok], lg[ok]
    if not len(src):
        return {}
    k = int(labels.max()) + 1
    pairs = distinct(lg * snapshot.n + src)
    grp, who = pairs // snapshot.n, pairs % snapshot.n
    outsiders = np.bincount(grp, minlength=k)
    out: dict[int, list[int]] = defaultdict(list)
    sole = (outsiders[grp] == 1) & (size[grp] >= min_group)
    for g_, w in zip(grp[sole].tolist(), who[sole].tolist(), strict=True):
        out[w].append(g_)
    return out


def _sole_exits(snapshot: Snapshot, labels: IntArray, min_group: int) -> dict[int, list[int]]:
    """Vertex -> communities (>= ``min_group`` actors) of which it is the only member with a
    tie outside the community."""
    e = snapshot.edge_array
    if not len(e):
        return {}
    src = np.concatenate([e[:, 0], e[:, 1]])
    dst = np.concatenate([e[:, 1], e[:, 0]])
    ok = labels[src] != labels[dst]
    src = src[ok]
    if not len(src):
        return {}
    size = np.bincount(labels, minlength=int(labels.max()) + 1)
    members = distinct(src)
    group = labels[members]
    exits = np.bincount(group, minlength=len(size))
    out: dict[int, list[int]] = defaultdict(list)
    sole = (exits[group] == 1) & (size[group] >= min_group)
    for v, g_ in zip(members[sole].tolist(), group[sole].tolist(), strict=True):
        out[v].append(g_)
    return out


def _persons_cut_off(snapshot: Snapshot) -> dict[int, int]:
    """Articulation point -> persons cut off from the rest when it goes: the persons in every
    remaining part but the one with the most persons (Hopcroft-Tarjan block-cut tree)."""
    tree = BlockCutTree(snapshot, vertex_weight=snapshot.is_person)
    out: dict[int, int] = {}
    for v in tree.aps:
        sizes = sorted((size for _, size in tree.pieces(v)), reverse=True)
        if len(sizes) > 1:
            out[v] = int(sum(sizes[1:]))
    return out


def _language_groups(snapshot: Snapshot) -> tuple[IntArray, list[str]]:
    """Persons who speak languages but no Dutch, grouped by their set of languages."""
    names: dict[str, int] = {}
    labels = np.full(snapshot.n, -1, dtype=np.int64)
    for v in np.flatnonzero(snapshot.is_person).tolist():
        langs = snapshot.languages[v]
        if langs and "nl" not in langs:
            key = "+".join(sorted(langs))
            labels[v] = names.setdefault(key, len(names))
    return labels, list(names)


def key_figures(
    snapshot: Snapshot,
    *,
    percentile: float = 0.95,
    min_score: int = 3,
    min_group: int = 3,
    top: int = 50,
    seed: int = 0,
    exact_max: int = DEFAULT_EXACT_MAX,
    lang: str = "nl",
    communities: Partition | None = None,
    betweenness: Scores | None = None,
    two_step: Scores | None = None,
) -> KeyFiguresResult:
    """Recognised and unrecognised key figures with their reasons (see the module doc).

    Examples
    --------
    >>> import networkx as nx
    >>> from netwerk.graph import snapshot_from_networkx
    >>> s = snapshot_from_networkx(nx.karate_club_graph())
    >>> r = key_figures(s, lang='en')
    >>> r.recognised_count, [k.actor_id for k in r.unrecognised[:3]]
    (0, ['0', '33'])
    """
    if not 0 < percentile < 1:
        raise ValidationFailed("percentile", "must be between 0 and 1")
    check_positive(top, "top", maximum=10_000)
    check_positive(min_group, "min_group")
    part = communities or partition(snapshot, seed=seed)
    btw = betweenness or scores(snapshot, "betweenness", exact_max=exact_max, seed=seed)
    reach = two_step or scores(snapshot, "two_step_reach")
    memb = part.membership
    persons = snapshot.is_person
    n = snapshot.n
    btw_pct = percentile_rank(btw.values, persons)
    reach_pct = percentile_rank(reach.values, persons)
    median_reach = float(np.median(reach.values[persons])) if persons.any() else 0.0

    # communities reached (communities of at least min_group actors), own included
    big = part.sizes >= min_group
    e = snapshot.edge_array
    reached = np.zeros(n, dtype=np.int64)
    if len(e):
        src = np.concatenate([e[:, 0], e[:, 1], np.arange(n)])
        com = np.concatenate([memb[e[:, 1]], memb[e[:, 0]], memb])
        ok = big[com]
        pairs = distinct(src[ok] * max(part.count, 1) + com[ok])
        reached = np.bincount(pairs // max(part.count, 1), minlength=n).astype(np.int64)
    gate = _sole_gateways(snapshot, memb, min_group)
    lang_labels, lang_names = _language_groups(snapshot)
    lang_gate = _sole_gateways(snapshot, lang_labels, min_group)
    lang_size = np.bincount(lang_labels[lang_labels >= 0], minlength=len(lang_names))
    require_lang(lang)
    exits = _sole_exits(snapshot, memb, min_group)
    cut_off = {v: k for v, k in _persons_cut_off(snapshot).items() if k >= min_group}

    def reasons_of(v: int) -> list[Reason]:
        out: list[Reason] = []
        for c in gate.get(v, []):
            out.append(
                Reason(
                    "sole_gateway",
                    REASON_WEIGHTS["sole_gateway"],
                    say(
                        "key_figures.sole_gateway",
                        lang,
                        count=1,
                        group=text("communities.group", lang, group=c, count=int(part.sizes[c])),
                    ),
                )
            )
        for g_ in lang_gate.get(v, []):
            out.append(
                Reason(
                    "sole_language_gateway",
                    REASON_WEIGHTS["sole_language_gateway"],
                    say(
                        "key_figures.sole_language_gateway",
                        lang,
                        count=int(lang_size[g_]),
                        languages=language_names(lang_names[g_].split("+"), lang),
                    ),
                )
            )
        if v in cut_off:
            out.append(
                Reason(
                    "cuts_off_group",
                    REASON_WEIGHTS["cuts_off_group"],
                    text("figures.cuts_off_group", lang, count=cut_off[v]),
                )
            )
        for c in exits.get(v, []):
            out.append(
                Reason(
                    "sole_exit",
                    REASON_WEIGHTS["sole_exit"],
                    text(
                        "figures.sole_exit",
                        lang,
                        group=c,
                        count=int(part.sizes[c]) - 1,
                    ),
                )
            )
        if reached[v] >= 3:
            out.append(
                Reason(
                    "bridges_communities",
                    REASON_WEIGHTS["bridges_communities"],
                    say("key_figures.bridges_communities", lang, count=int(reached[v])),
                )
            )
        if btw.values[v] > 0 and btw_pct[v] >= percentile:
            out.append(
                Reason(
                    "high_betweenness",
                    REASON_WEIGHTS["high_betweenness"],
                    say("key_figures.high_betweenness", lang, share=percentile),
                )
            )
        r = reach.values[v]
        if reach_pct[v] >= percentile and r >= 2 * median_reach and r > 0:
            out.append(
                Reason(
                    "wide_reach",
                    REASON_WEIGHTS["wide_reach"],
                    (
                        say("key_figures.wide_reach", lang, count=int(r), times=r / median_reach)
                        if median_reach > 0
                        else say("key_figures.wide_reach_alone", lang, count=int(r))
                    ),
                )
            )
        return out

    def figure(v: int, recognised: bool) -> KeyFigure:
        rs = reasons_of(v)
        score = sum(r.weight for r in rs)
        return KeyFigure(
            actor_id=snapshot.ids[v],
            kind=snapshot.kind[v],
            person=True,
            recognised=recognised,
            confirmed=score >= min_score,
            score=score,
            community=int(memb[v]),
            degree=int(snapshot.degree[v]),
            two_step_reach=int(reach.values[v]),
            betweenness=num(btw.values[v]),
            betweenness_percentile=float(btw_pct[v]),
            communities_reached=int(reached[v]),
            reasons=tuple(rs),
        )

    recognised = tuple(
        sorted(
            (figure(v, True) for v in snapshot.vertices_of_kind("key_figure").tolist()),
            key=lambda f: (-f.score, f.actor_id),
        )
    )
    # candidates: residents that meet at least one criterion cheaply detectable; their
    # scores in numpy (the sum of the weights reasons_of would give), the figures with
    # their sentences only for the ``top`` listed
    cand = np.zeros(n, dtype=bool)
    score = np.zeros(n, dtype=np.int64)
    for found_in, code in (
        (gate, "sole_gateway"),
        (lang_gate, "sole_language_gateway"),
        (exits, "sole_exit"),
    ):
        if found_in:
            at = np.fromiter(found_in, dtype=np.int64, count=len(found_in))
            cand[at] = True
            score[at] += REASON_WEIGHTS[code] * np.fromiter(
                (len(found_in[v]) for v in at.tolist()), dtype=np.int64, count=len(at)
            )
    if cut_off:
        at = np.fromiter(cut_off, dtype=np.int64, count=len(cut_off))
        cand[at] = True
        score[at] += REASON_WEIGHTS["cuts_off_group"]
    resident = snapshot.kind_mask("resident")
    wide_pct = reach_pct >= percentile
    bridging = reached >= 3
    high = (btw_pct >= percentile) & (btw.values > 0)
    cand |= bridging | high | wide_pct
    score += REASON_WEIGHTS["bridges_communities"] * bridging
    score += REASON_WEIGHTS["high_betweenness"] * high
    r_all = reach.values
    score += REASON_WEIGHTS["wide_reach"] * (wide_pct & (r_all >= 2 * median_reach) & (r_all > 0))
    chosen = np.flatnonzero(cand & resident & (score >= min_score))
    btw_key = btw.values[chosen]
    btw_key = np.where(np.isfinite(btw_key), btw_key, 0.0)  # as num(): None sorts as 0
    ranked_keys = sorted(
        zip((-score[chosen]).tolist(), (-btw_key).tolist(), chosen.tolist(), strict=True),
        key=lambda x: (x[0], x[1], snapshot.ids[x[2]]),
    )
    found = [figure(v, False) for _, _, v in ranked_keys[:top]]
    return KeyFiguresResult(
        recognised=recognised[:top],
        unrecognised=tuple(found),
        recognised_count=len(recognised),
        unrecognised_count=len(chosen),
        betweenness_exact=btw.exact,
        thresholds={
            "percentile": percentile,
            "min_score": float(min_score),
            "betweenness_at_percentile": float(
                np.quantile(btw.values[persons], percentile) if persons.any() else 0.0
            ),
            "two_step_reach_at_percentile": float(
                np.quantile(reach.values[persons], percentile) if persons.any() else 0.0
            ),
            "two_step_reach_median": median_reach,
        },
        provenance=provenance(
            snapshot,
            "key_figures.position_criteria",
            REFERENCES,
            {
                "percentile": percentile,
                "min_score": min_score,
                "min_group": min_group,
                "top": top,
                "exact_max": exact_max,
                "weights": ",".join(f"{k}={w}" for k, w in REASON_WEIGHTS.items()),
            },
            seed=seed,
            exact=btw.exact,
        ),
    )
