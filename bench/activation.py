"""Value benchmark of the suggestions (issue 4, second acceptance item; issue 15, realistic
protocol).

Usage::

    .venv/bin/python bench/activation.py [--actors 2000] [--seeds 1,2,3,4,5] [--caseload 300]
        [--scenarios generated,newcomers] [--groups 4] [--protocols realistic,all]
        [--powers 1] [--weights '{"joins_components": 1.0}']

Protocol. For each seed a synthetic neighbourhood is generated (:func:`netwerk.synth.generate`)
and turned into a snapshot, in two scenarios: ``generated`` as it comes, and ``newcomers``
with ``--groups`` groups of 5-10 newly arrived residents added who know only each other (the
generator itself produces no community without a tie to help, so without them that figure
is 0 for every method and says nothing). ``--weights`` overrides
:class:`netwerk.suggest.suggestions.ValueWeights` (for tuning); ``--powers`` runs ours with
each ``feasibility_power`` (score = feasibility^power x value) to choose the trade-off.

A broker's *caseload* is drawn: ``--caseload`` persons (residents and key figures), uniformly
at random, the same for every method. Each method proposes one new tie per person of the
caseload:

* ``ours``: the top suggestion of :func:`netwerk.suggest.suggestions.suggest_for_actor`
  (feasibility x value);
* ``resource allocation``: the non-neighbour with the highest resource-allocation index
  (Zhou, Lü & Zhang 2009), ties broken at random; a random one when it has no common contact;
* ``random``: a uniformly random non-neighbour;
* ``feasibility-only``: the best candidate of the fitted feasibility model alone
  (``FittedFeasibility.candidates_for``, three steps), random when it has none;
* ``value-only``: our ranking with the feasibility factor held at 1 (score = value).

All propose only targets that may be proposed (consent ``given``, or not a person) and never an
existing tie or a pair already proposed. Two protocols decide which proposals become ties:

* ``all``: every proposal is accepted and forms a tie (issue 4);
* ``realistic``: a proposal forms a tie with the generator's own latent chance for the pair
  (:meth:`netwerk.synth.SynthNetwork.tie_chance`: place, group, age, language, sociability,
  isolation — the generator's ground truth, not the engine's scores). The same uniform draw
  per pair is used for every method (common random numbers).

Then, on the network with the formed ties, the bench counts (lower is better for each):

* ``isolated``: persons (residents, key figures) with no tie to anyone but professionals and
  organisations;
* ``unmet needs``: (person, need) pairs with no actor offering that theme within three steps
  (the person's own asset counts);
* ``no help``: communities of the original network (Leiden, >= 3 actors) without an
  organisation, initiative, professional or key figure among them or tied to them;
* ``components``: connected components;

and ``ties`` formed and ``ties/intro`` (higher is better). The table gives, per protocol and
method, the mean over the runs (seed x scenario) with a 95 % t-interval and the total; the
verdict lines say whether ours beats resource allocation and random on every figure in total,
and whether its ties per introduction are at least half of feasibility-only's.

Progress goes to stderr, the tables to stdout.
"""

from __future__ import annotations

import argparse
import dataclasses
import hashlib
import json
import sys
import time
from collections.abc import Callable
from pathlib import Path

import igraph as ig
import numpy as np
import scipy.sparse as sp
from scipy import stats as sps

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from netwerk.columns import snapshot_from_columns  # noqa: E402
from netwerk.graph import Snapshot  # noqa: E402
from netwerk.model import HELP_KINDS  # noqa: E402
from netwerk.store.bulk import ActorColumns, TieColumns  # noqa: E402
from netwerk.suggest.context import MIN_COMMUNITY, SuggestContext, build_context  # noqa: E402
from netwerk.suggest.suggestions import ValueWeights, suggest_for_actor  # noqa: E402
from netwerk.synth import SynthNetwork, generate  # noqa: E402
from netwerk.synth_latent import LatentTraits  # noqa: E402

METRICS = ("isolated", "unmet needs", "no help", "components")
EXTRA = ("ties", "ties/intro")
BASELINES = ("resource allocation", "random", "feasibility-only", "value-only")
METHODS = ("ours", *BASELINES)
HELP = tuple(sorted(k.value for k in HELP_KINDS))
WEIGHTS = ValueWeights()
INTRODUCED: list[bool] = []
KINDS: dict[str, int] = {}


def log(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


# --------------------------------------------------------------------------- metrics


def metrics(ctx: SuggestContext, extra: list[tuple[int, int]]) -> dict[str, int]:
    s = ctx.snapshot
    n = s.n
    e = s.edge_array
    if extra:
        e = np.vstack([e, np.asarray(extra, dtype=np.int64)])
    a = sp.csr_matrix((np.ones(len(e)), (e[:, 0], e[:, 1])), shape=(n, n))
    a = sp.csr_matrix(a + a.T)
    a.data[:] = 1.0
    # isolated: persons with no tie to anyone but professionals and organisations
    formal = s.kind_mask("professional", "organisation")
    informal = np.asarray(a @ (~formal).astype(np.float64)).ravel()
    isolated = int((s.kind_mask("resident", "key_figure") & (informal == 0)).sum())
    # unmet needs within three steps
    unmet = 0
    persons = s.is_person
    for theme, holders in ctx.asset_holders.items():
        needers = np.flatnonzero(persons & np.fromiter((theme in x for x in s.needs), bool, n))
        if needers.size == 0:
            continue
        reach = np.zeros(n, dtype=bool)
        reach[holders] = True
        front = reach.copy()
        for _ in range(3):
            step = (np.asarray(a @ front.astype(np.float64)).ravel() > 0) & ~reach
            reach |= step
            front = step
        unmet += int((~reach[needers]).sum())
    for v in np.flatnonzero(persons).tolist():  # needs nobody offers at all
        unmet += sum(1 for t in s.needs[v] if t not in ctx.asset_holders)
    # communities without help
    memb = ctx.membership
    helpers = s.kind_mask(*HELP)
    has = np.zeros(ctx.community_sizes.size, dtype=bool)
    has[memb[helpers]] = True
    rows, cols = a.nonzero()
    has[memb[rows[helpers[cols]]]] = True
    big = ctx.community_sizes >= MIN_COMMUNITY
    no_help = int((big & ~has).sum())
    g = ig.Graph(n=n, edges=e.tolist(), directed=False)
    components = len(g.connected_components())
    return {
        "isolated": isolated,
        "unmet needs": unmet,
        "no help": no_help,
        "components": components,
    }


# --------------------------------------------------------------------------- methods


def _free(s: Snapshot, ctx: SuggestContext, u: int, taken: set[tuple[int, int]]) -> np.ndarray:
    ok = ctx.allowed.copy()
    ok[u] = False
    ok[s.adjacency.neighbours(u)] = False
    for a, b in taken:
        if a == u:
            ok[b] = False
        elif b == u:
            ok[a] = False
    return ok


def pick_ours(
    ctx: SuggestContext, u: int, taken: set[tuple[int, int]], rng: np.random.Generator
) -> int:
    s = ctx.snapshot
    res = suggest_for_actor(s, s.ids[u], limit=10, context=ctx, weights=WEIGHTS)
    for sug in res.suggestions:
        v = s.index[sug.target.actor_id]
        if (min(u, v), max(u, v)) not in taken:
            INTRODUCED.append(sug.introduction.introducer is not None)
            KINDS[sug.kind] = KINDS.get(sug.kind, 0) + 1
            return v
    return pick_random(ctx, u, taken, rng)


def pick_ra(
    ctx: SuggestContext, u: int, taken: set[tuple[int, int]], rng: np.random.Generator
) -> int:
    s = ctx.snapshot
    adj = s.adjacency
    nbrs = adj.neighbours(u)
    score = np.zeros(s.n)
    deg = s.degree.astype(np.float64)
    for z in nbrs.tolist():
        score[adj.neighbours(z)] += 1.0 / deg[z]
    ok = _free(s, ctx, u, taken)
    score[~ok] = -1.0
    best = score.max()
    if best <= 0:
        return pick_random(ctx, u, taken, rng)
    top = np.flatnonzero(score == best)
    return int(rng.choice(top))


def pick_random(
    ctx: SuggestContext, u: int, taken: set[tuple[int, int]], rng: np.random.Generator
) -> int:
    s = ctx.snapshot
    ok = np.flatnonzero(_free(s, ctx, u, taken))
    return int(rng.choice(ok))


def pick_feasibility(
    ctx: SuggestContext, u: int, taken: set[tuple[int, int]], rng: np.random.Generator
) -> int:
    s = ctx.snapshot
    cand, _ = ctx.fitted.candidates_for(u, max_hops=3, limit=200)
    ok = _free(s, ctx, u, taken)
    for v in cand.tolist():
        if ok[v]:
            return int(v)
    return pick_random(ctx, u, taken, rng)


VALUE_ONLY = ValueWeights(feasibility_floor=1.0)


def pick_value(
    ctx: SuggestContext, u: int, taken: set[tuple[int, int]], rng: np.random.Generator
) -> int:
    s = ctx.snapshot
    weights = dataclasses.replace(WEIGHTS, feasibility_floor=1.0)
    res = suggest_for_actor(s, s.ids[u], limit=10, context=ctx, weights=weights)
    for sug in res.suggestions:
        v = s.index[sug.target.actor_id]
        if (min(u, v), max(u, v)) not in taken:
            return v
    return pick_random(ctx, u, taken, rng)


PICKERS: dict[str, Callable[..., int]] = {
    "ours": pick_ours,
    "resource allocation": pick_ra,
    "random": pick_random,
    "feasibility-only": pick_feasibility,
    "value-only": pick_value,
}


NEWCOMER_LANGUAGES = (("ti",), ("ar",), ("so",), ("pl",), ("ti", "en"), ("ar", "en"))
NEWCOMER_NEEDS = ("taal", "werk", "administratie", "geldzaken", "ontmoeting", "digitaal")
NEWCOMER_ASSETS = ("koken", "klussen", "tuinieren", "bewegen")


def add_newcomers(synth: SynthNetwork, groups: int, seed: int) -> SynthNetwork:
    """The neighbourhood with ``groups`` groups of newly arrived residents (5 to 10 each,
    e.g. status holders housed in one block): they know each other and nobody else, speak
    their own language, ask for taal, werk, administratie, ... and offer what they can; most
    gave consent. Each group is a component and a community without any tie to help."""
    rng = np.random.default_rng(seed + 7)
    a, t = synth.actors, synth.ties
    areas = [x for x in a.area if x]
    actors = ActorColumns(
        id=list(a.id),
        kind=list(a.kind),
        name=list(a.name),
        area=list(a.area),
        languages=[list(x) for x in a.languages],
        assets=[list(x) for x in a.assets],
        needs=[list(x) for x in a.needs],
        consent=list(a.consent),
    )
    ties = TieColumns(
        id=list(t.id),
        source_id=list(t.source_id),
        target_id=list(t.target_id),
        kind=list(t.kind),
        strength=list(t.strength),
        support=list(t.support),
        since=list(t.since),
        until=list(t.until),
    )
    for g in range(groups):
        size = int(rng.integers(5, 11))
        area = areas[int(rng.integers(len(areas)))]
        langs = list(NEWCOMER_LANGUAGES[int(rng.integers(len(NEWCOMER_LANGUAGES)))])
        ids = [f"newcomer{seed}x{g}x{i}" for i in range(size)]
        for i, x in enumerate(ids):
            actors.id.append(x)
            actors.kind.append("resident")
            actors.name.append(f"Nieuwkomer {g}.{i}")
            actors.area.append(area)
            actors.languages.append(langs)
            k = int(rng.integers(1, 4))
            actors.needs.append(sorted(set(rng.choice(NEWCOMER_NEEDS, size=k).tolist())))
            j = int(rng.integers(0, 3))
            actors.assets.append(sorted(set(rng.choice(NEWCOMER_ASSETS, size=j).tolist())))
            actors.consent.append("given" if rng.random() < 0.85 else "unknown")
        pairs = [(i, i + 1) for i in range(size - 1)]
        pairs += [(i, j) for i in range(size) for j in range(i + 2, size) if rng.random() < 0.4]
        for i, j in pairs:
            ties.id.append(f"{ids[i]}t{j}")
            ties.source_id.append(ids[i])
            ties.target_id.append(ids[j])
            ties.kind.append("friend" if rng.random() < 0.7 else "family")
            ties.strength.append(int(rng.integers(3, 6)))
            ties.support.append(["company"])
            ties.since.append(None)
            ties.until.append(None)
    info = dict(synth.info)
    info["latent"] = _newcomer_traits(synth, actors)
    return SynthNetwork(actors=actors, ties=ties, info=info)


def _newcomer_traits(synth: SynthNetwork, actors: ActorColumns) -> LatentTraits:
    """The generator's traits extended to the newcomers: the buurt of their area, a block of
    their own (a street), a group of their own per arrival group, age band 27-45, ordinary
    sociability, their languages, needs and assets."""
    lt: LatentTraits = synth.info["latent"]
    old = len(lt.ids)
    area_of = {a: i for i, a in reversed(list(enumerate(synth.actors.area))) if a}
    new = range(old, len(actors.id))
    buurt, wijk, street, group = [], [], [], []
    for i in new:
        home = area_of.get(actors.area[i] or "", 0)
        g = int(actors.id[i].split("x")[1])
        buurt.append(int(lt.buurt[home]))
        wijk.append(int(lt.wijk[home]))
        street.append(10_000_000 + g)
        group.append(1_000 + g)
    k = len(new)
    return LatentTraits(
        ids=(*lt.ids, *actors.id[old:]),
        kind_bonus=np.concatenate([lt.kind_bonus, np.zeros(k)]),
        buurt=np.concatenate([lt.buurt, np.array(buurt, dtype=np.int64)]),
        wijk=np.concatenate([lt.wijk, np.array(wijk, dtype=np.int64)]),
        street=np.concatenate([lt.street, np.array(street, dtype=np.int64)]),
        group=np.concatenate([lt.group, np.array(group, dtype=np.int64)]),
        band=np.concatenate([lt.band, np.full(k, 2, dtype=np.int64)]),
        sociability=np.concatenate([lt.sociability, np.ones(k)]),
        isolated=np.concatenate([lt.isolated, np.zeros(k, dtype=bool)]),
        languages=(*lt.languages, *(frozenset(x) for x in actors.languages[old:])),
        needs=(*lt.needs, *(frozenset(x) for x in actors.needs[old:])),
        assets=(*lt.assets, *(frozenset(x) for x in actors.assets[old:])),
    )


def _draw(seed: int, a: str, b: str) -> float:
    """The same uniform number for a pair in every method (common random numbers)."""
    lo, hi = sorted((a, b))
    digest = hashlib.sha256(f"{seed}|{lo}|{hi}".encode()).digest()
    return int.from_bytes(digest[:8], "big") / 2.0**64


Figures = dict[str, float]


def run(
    n: int, seed: int, caseload: int, scenario: str, groups: int, protocols: list[str],
    powers: list[float],
) -> dict[str, dict[str, Figures]]:  # fmt: skip
    """{protocol: {method: figures}} for one seed and scenario."""
    global WEIGHTS
    t0 = time.perf_counter()
    synth = generate(n, seed=seed)
    if scenario == "newcomers":
        synth = add_newcomers(synth, groups, seed)
    s = snapshot_from_columns(synth.actors, synth.ties, network_id=f"bench-{seed}-{scenario}")
    ctx = build_context(s, seed=0)
    pos = {a: i for i, a in enumerate(synth.actors.id)}
    log(
        f"seed {seed}, {scenario}: {s.n} actors, {s.m} ties, context in "
        f"{time.perf_counter() - t0:.1f} s"
    )
    rng = np.random.default_rng(seed)
    pool = np.flatnonzero(s.kind_mask("resident", "key_figure"))
    sources = rng.choice(pool, size=min(caseload, pool.size), replace=False).tolist()
    base = metrics(ctx, [])
    out: dict[str, dict[str, Figures]] = {
        p: {"before": {**base, "ties": 0, "ties/intro": 0.0}} for p in protocols
    }
    base_weights = WEIGHTS
    methods: list[tuple[str, str, float]] = [
        (f"ours (power {p:g})" if len(powers) > 1 else "ours", "ours", p) for p in powers
    ]
    methods += [(m, m, base_weights.feasibility_power) for m in BASELINES]
    for label, method, power in methods:
        t1 = time.perf_counter()
        WEIGHTS = dataclasses.replace(base_weights, feasibility_power=power)
        prng = np.random.default_rng(seed + 1000)
        taken: set[tuple[int, int]] = set()
        proposed: list[tuple[int, int]] = []
        for u in sources:
            v = PICKERS[method](ctx, u, taken, prng)
            taken.add((min(u, v), max(u, v)))
            proposed.append((u, v))
        a = np.array([pos[s.ids[u]] for u, _ in proposed], dtype=np.int64)
        b = np.array([pos[s.ids[v]] for _, v in proposed], dtype=np.int64)
        chance = synth.tie_chance(a, b)
        for protocol in protocols:
            if protocol == "all":
                formed = proposed
            else:
                formed = [
                    (u, v)
                    for (u, v), p in zip(proposed, chance.tolist(), strict=True)
                    if _draw(seed, s.ids[u], s.ids[v]) < p
                ]
            figures: Figures = {**metrics(ctx, formed)}
            figures["ties"] = len(formed)
            figures["ties/intro"] = len(formed) / max(len(proposed), 1)
            out[protocol][label] = figures
        if method == "ours":
            log(
                f"  {label}: {sum(INTRODUCED)} of {len(INTRODUCED)} with an introducer; "
                f"kinds {dict(sorted(KINDS.items()))}; mean latent chance {chance.mean():.3f}"
            )
            INTRODUCED.clear()
            KINDS.clear()
        log(f"  {label}: {len(proposed)} proposals in {time.perf_counter() - t1:.1f} s")
    WEIGHTS = base_weights
    return out


def _interval(values: list[float]) -> tuple[float, float]:
    """Mean and half-width of the 95 % t-interval."""
    x = np.asarray(values, dtype=np.float64)
    if x.size < 2:
        return float(x.mean()), 0.0
    half = float(sps.t.ppf(0.975, x.size - 1) * x.std(ddof=1) / np.sqrt(x.size))
    return float(x.mean()), half


def main() -> None:
    global WEIGHTS
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("--actors", type=int, default=2000)
    p.add_argument("--seeds", default="1,2,3,4,5")
    p.add_argument("--caseload", type=int, default=300)
    p.add_argument("--scenarios", default="generated,newcomers")
    p.add_argument("--groups", type=int, default=4, help="groups of newcomers")
    p.add_argument("--protocols", default="realistic,all")
    p.add_argument("--powers", default="", help="feasibility powers for ours, e.g. 1,2")
    p.add_argument("--weights", default="{}", help="ValueWeights overrides as JSON")
    args = p.parse_args()
    WEIGHTS = ValueWeights(**json.loads(args.weights))
    seeds = [int(x) for x in args.seeds.split(",") if x.strip()]
    scenarios = [x.strip() for x in args.scenarios.split(",") if x.strip()]
    protocols = [x.strip() for x in args.protocols.split(",") if x.strip()]
    powers = [float(x) for x in args.powers.split(",") if x.strip()] or [WEIGHTS.feasibility_power]
    runs: list[dict[str, dict[str, Figures]]] = []
    for seed in seeds:
        for scenario in scenarios:
            runs.append(
                run(args.actors, seed, args.caseload, scenario, args.groups, protocols, powers)
            )
    columns = (*METRICS, *EXTRA)
    print(
        f"# {args.actors} actors, seeds {args.seeds}, scenarios {args.scenarios}, caseload "
        f"{args.caseload}: one proposal per person; mean over {len(runs)} runs with 95 % "
        "interval, and the total (lower is better, except ties and ties/intro)"
    )
    for protocol in protocols:
        labels = list(runs[0][protocol])
        print(f"\nprotocol: {protocol}")
        print(f"{'method':<20}" + "".join(f"{c:>22}" for c in columns))
        totals: dict[str, dict[str, float]] = {}
        for label in labels:
            cells = []
            totals[label] = {}
            for c in columns:
                values = [r[protocol][label][c] for r in runs]
                mean, half = _interval(values)
                totals[label][c] = float(np.sum(values))
                cells.append(f"{mean:.3f} ± {half:.3f}" if c == "ties/intro" else
                             f"{mean:.1f} ± {half:.1f}")  # fmt: skip
            print(f"{label:<20}" + "".join(f"{x:>22}" for x in cells))
        print(f"{'total':<20}" + "".join(f"{'':>22}" for _ in columns))
        for label in labels:
            row = totals[label]
            print(f"{label:<20}" + "".join(
                f"{row[c] / len(runs):>22.3f}" if c == "ties/intro" else f"{row[c]:>22.0f}"
                for c in columns
            ))  # fmt: skip
        for label in (x for x in labels if x.startswith("ours")):
            mine = totals[label]
            beats = all(
                mine[m] < min(totals["resource allocation"][m], totals["random"][m])
                for m in METRICS
            )
            ratio = mine["ties/intro"] / max(totals["feasibility-only"]["ties/intro"], 1e-9)
            print(
                f"{label}: beats RA and random on every figure in total: "
                f"{'yes' if beats else 'NO'}; ties per introduction {ratio:.2f} x "
                f"feasibility-only's ({'ok' if ratio >= 0.5 else 'BELOW HALF'})"
            )


if __name__ == "__main__":
    main()
