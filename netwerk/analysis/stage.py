"""Development stage of a network after Krebs & Holley's network-weaving stages.

Krebs and Holley (2006) describe how a community network grows when someone weaves it:
**scattered fragments** (small clusters that do not know each other), a **single hub and
spoke** (one weaver holds the fragments together), a **multi-hub small world** (several
hubs, tightly knit clusters joined by short paths) and **core/periphery** (a dense core of
weavers with a periphery of people each tied to it; the stable, resilient form). The
stages are descriptive, not a fitted model; this module places a snapshot with explicit
rules over standard figures, and returns the figures so a professional can weigh them:

1. ``scattered_fragments`` when the largest component holds less than half of the actors;
2. ``hub_and_spoke`` when Freeman degree centralisation is at least 0.3 and there are at
   most two hubs;
3. ``core_periphery`` when the largest component holds at least 80% of the actors and it
   has a k-core (Seidman 1983) with 5-50% of its actors, at least five times as dense as
   the component, to which at least 60% of the rest is tied directly;
4. ``multi_hub_small_world`` otherwise.

A hub is an actor with degree at least max(5, mean + 2 sd). Clustering is global
transitivity, compared with an Erdős–Rényi graph of the same density
(C_rand = mean degree / n); path length is the mean shortest path between connected pairs
(sampled on large networks, see :mod:`.centrality`), compared with L_rand = ln n / ln k;
small-world sigma = (C / C_rand) / (L / L_rand) (Humphries & Gurney 2008).

Complexity: O(m) plus the path-length sample (O(km)).

References
----------
Krebs V., Holley J. (2006) Building smart communities through network weaving.
http://www.orgnet.com/BuildingNetworks.pdf
Freeman L.C. (1978) Centrality in social networks: conceptual clarification. Social
Networks 1(3):215-239. doi:10.1016/0378-8733(78)90021-7.
Humphries M.D., Gurney K. (2008) Network 'small-world-ness'. PLoS ONE 3(4):e0002051.
doi:10.1371/journal.pone.0002051.
Seidman S.B. (1983) doi:10.1016/0378-8733(83)90028-X.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from netwerk.analysis.centrality import DEFAULT_EXACT_MAX, DistanceSample, distance_sample
from netwerk.analysis.records import Provenance, num, provenance
from netwerk.graph import Snapshot, require_lang
from netwerk.i18n import text
from netwerk.privacy import PersonCount, Sentences, aggregate
from netwerk.words import say

__all__ = ["STAGES", "Stage", "StageFigures", "StageResult", "stage", "stage_of"]

STAGES = ("scattered_fragments", "hub_and_spoke", "multi_hub_small_world", "core_periphery")
REFERENCES = (
    "Krebs V., Holley J. (2006) Building smart communities through network weaving",
    "Freeman L.C. (1978) doi:10.1016/0378-8733(78)90021-7",
    "Humphries M.D., Gurney K. (2008) doi:10.1371/journal.pone.0002051",
    "Seidman S.B. (1983) doi:10.1016/0378-8733(83)90028-X",
)


@aggregate
@dataclass(frozen=True)
class StageFigures:
    actors: PersonCount
    components: int
    largest_component_share: float
    isolates: PersonCount
    degree_centralisation: float | None
    hubs: int
    hub_threshold: float
    clustering: float | None
    clustering_random: float | None
    path_length: float | None
    path_length_random: float | None
    path_length_exact: bool
    small_world_sigma: float | None
    core_k: int
    core_size: PersonCount
    core_share: float
    core_density: float | None
    component_density: float | None
    periphery_tied_to_core: float | None


@aggregate
@dataclass(frozen=True)
class Stage:
    code: str
    number: int
    """1 to 4, in the order of Krebs & Holley's stages."""
    label: str
    reasons: Sentences
    figures: StageFigures


@aggregate
@dataclass(frozen=True)
class StageResult:
    stage: Stage
    provenance: Provenance


def _figures(snapshot: Snapshot, ds: DistanceSample) -> StageFigures:
    n = snapshot.n
    deg = snapshot.degree.astype(np.float64)
    comps = snapshot.components
    sizes = np.bincount(comps) if n else np.zeros(0, dtype=np.int64)
    giant_label = int(np.argmax(sizes)) if n else -1
    giant = comps == giant_label if n else np.zeros(0, dtype=bool)
    n_giant = int(giant.sum())
    centralisation = float((deg.max() - deg).sum() / ((n - 1) * (n - 2))) if n > 2 else None
    mean, sd = (float(deg.mean()), float(deg.std())) if n else (0.0, 0.0)
    hub_threshold = max(5.0, mean + 2 * sd)
    hubs = int((deg >= hub_threshold).sum())
    clustering = snapshot.transitivity if snapshot.m else None
    if clustering is not None and math.isnan(clustering):
        clustering = None
    c_rand = mean / n if n else None
    l_rand = math.log(n) / math.log(mean) if n > 1 and mean > 1 else None
    sigma = None
    if clustering and c_rand and ds.mean_path and l_rand:
        sigma = (clustering / c_rand) / (ds.mean_path / l_rand)
    # core: the deepest k-core holding at least 5% of the largest component
    core_k, core_size, core_density, periphery = 0, 0, None, None
    comp_density = None
    if n_giant > 1:
        coreness = snapshot.coreness
        e = snapshot.edge_array
        giant_edges = int(giant[e[:, 0]].sum()) if len(e) else 0
        comp_density = giant_edges / (n_giant * (n_giant - 1) / 2)
        cg = np.sort(coreness[giant])[::-1]
        need = max(1, math.ceil(0.05 * n_giant))
        core_k = int(cg[need - 1])
        core = giant & (coreness >= core_k)
        core_size = int(core.sum())
        if core_size > 1 and len(e):
            inside = core[e[:, 0]] & core[e[:, 1]]
            core_density = int(inside.sum()) / (core_size * (core_size - 1) / 2)
        rest = giant & ~core
        if rest.any() and len(e):
            touches = np.zeros(n, dtype=bool)
            touches[e[core[e[:, 1]], 0]] = True
            touches[e[core[e[:, 0]], 1]] = True
            periphery = float((touches & rest).sum() / rest.sum())
    return StageFigures(
        actors=n,
        components=len(sizes),
        largest_component_share=float(n_giant / n) if n else 0.0,
        isolates=int((deg == 0).sum()),
        degree_centralisation=num(centralisation),
        hubs=hubs,
        hub_threshold=hub_threshold,
        clustering=num(clustering),
        clustering_random=num(c_rand),
        path_length=num(ds.mean_path),
        path_length_random=num(l_rand),
        path_length_exact=ds.exact,
        small_world_sigma=num(sigma),
        core_k=core_k,
        core_size=core_size,
        core_share=float(core_size / n_giant) if n_giant else 0.0,
        core_density=num(core_density),
        component_density=num(comp_density),
        periphery_tied_to_core=num(periphery),
    )


def stage_of(snapshot: Snapshot, ds: DistanceSample, lang: str = "nl") -> Stage:
    """Place a snapshot in a stage (rules in the module doc), with the reasons in plain
    words (catalogue section ``[stage]``; the measures themselves are in the figures).

    Examples
    --------
    >>> import networkx as nx
    >>> from netwerk.graph import snapshot_from_networkx
    >>> s = snapshot_from_networkx(nx.karate_club_graph())
    >>> from netwerk.analysis.distances import distance_sample
    >>> stage_of(s, distance_sample(s), 'en').code
    'hub_and_spoke'
    """
    require_lang(lang)
    f = _figures(snapshot, ds)
    reasons: list[str] = []
    share = f.largest_component_share
    if share < 0.5:
        code = "scattered_fragments"
        reasons.append(say(f"stage.reason.{code}", lang, share=share, count=f.components))
    elif (f.degree_centralisation or 0) >= 0.3 and f.hubs <= 2:
        code = "hub_and_spoke"
        centralisation = f.degree_centralisation or 0.0
        reasons.append(
            say(f"stage.reason.{code}", lang, count=f.hubs, centralisation=centralisation)
            if f.hubs
            else say("stage.reason.hub_and_spoke_none", lang, centralisation=centralisation)
        )
    elif (
        share >= 0.8
        and 0.05 <= f.core_share <= 0.5
        and f.core_density is not None
        and f.component_density
        and f.core_density >= 5 * f.component_density
        and (f.periphery_tied_to_core or 0) >= 0.6
    ):
        code = "core_periphery"
        reasons.append(
            say(
                f"stage.reason.{code}",
                lang,
                count=f.core_size,
                share=f.core_share,
                periphery=f.periphery_tied_to_core or 0.0,
            )
        )
    else:
        code = "multi_hub_small_world"
        reasons.append(say(f"stage.reason.{code}", lang, share=share, count=f.hubs))
    if f.small_world_sigma is not None:
        key = "tight_and_short" if f.small_world_sigma > 1 else "loose_or_long"
        reasons.append(say(f"stage.reason.{key}", lang))
    return Stage(
        code=code,
        number=STAGES.index(code) + 1,
        label=text(f"stage.label.{code}", lang),
        reasons=tuple(reasons),
        figures=f,
    )


def stage(
    snapshot: Snapshot,
    *,
    exact_max: int = DEFAULT_EXACT_MAX,
    pivots: int | None = None,
    seed: int = 0,
    lang: str = "nl",
    distances: DistanceSample | None = None,
) -> StageResult:
    """The Krebs & Holley stage of ``snapshot`` with the figures behind it.

    Examples
    --------
    >>> import networkx as nx
    >>> from netwerk.graph import snapshot_from_networkx
    >>> s = snapshot_from_networkx(nx.karate_club_graph())
    >>> r = stage(s, lang='en')
    >>> r.stage.code, r.stage.number
    ('hub_and_spoke', 2)
    """
    ds = distances or distance_sample(snapshot, exact_max=exact_max, pivots=pivots, seed=seed)
    return StageResult(
        stage=stage_of(snapshot, ds, lang),
        provenance=provenance(
            snapshot,
            "stage.krebs_holley_rules",
            REFERENCES,
            {"exact_max": exact_max, "pivots": ds.pivots if not ds.exact else None},
            seed=None if ds.exact else seed,
            exact=ds.exact,
        ),
    )
