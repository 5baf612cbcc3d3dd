"""Value benchmark of the suggestions (issue 4, second acceptance item).

Usage::

    .venv/bin/python bench/activation.py [--actors 2000] [--seeds 1,2,3] [--caseload 300]
        [--scenarios generated,newcomers] [--groups 4] [--weights '{"joins_components": 1.0}']

Protocol. For each seed a synthetic neighbourhood is generated (:func:`netwerk.synth.generate`)
and turned into a snapshot, in two scenarios: ``generated`` as it comes, and ``newcomers``
with ``--groups`` groups of 5-10 newly arrived residents added who know only each other (the
generator itself produces no community without a tie to help, so without them that figure
is 0 for every method and says nothing). ``--weights`` overrides
:class:`netwerk.suggest.suggestions.ValueWeights` (for tuning).

A broker's *caseload* is drawn: ``--caseload`` persons (residents and key figures), uniformly
at random, the same for every method. Each method proposes one
new tie per person of the caseload and all proposals are accepted at once, so every method
adds the same number of ties:

* ``ours``: the top suggestion of :func:`netwerk.suggest.suggestions.suggest_for_actor`
  (feasibility x value);
* ``resource allocation``: the non-neighbour with the highest resource-allocation index
  (Zhou, Lü & Zhang 2009), ties broken at random; a random one when it has no common contact;
* ``random``: a uniformly random non-neighbour.

All three propose only targets that may be proposed (consent ``given``, or not a person) and
never an existing tie or a pair already proposed. Then, on the network with the accepted ties,
the bench counts (lower is better for each):

* ``isolated``: persons (residents, key figures) with no tie to anyone but professionals and
  organisations;
* ``unmet needs``: (person, need) pairs with no actor offering that theme within three steps
  (the person's own asset counts);
* ``no help``: communities of the original network (Leiden, >= 3 actors) without an
  organisation, initiative, professional or key figure among them or tied to them;
* ``components``: connected components.

Progress goes to stderr, the table to stdout; the last column says whether ours beats both
baselines on every figure, summed over the seeds.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Callable
from pathlib import Path

import igraph as ig
import numpy as np
import scipy.sparse as sp

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from netwerk.graph import Snapshot, snapshot_from_columns  # noqa: E402
from netwerk.model import HELP_KINDS  # noqa: E402
from netwerk.store.bulk import ActorColumns, TieColumns  # noqa: E402
from netwerk.suggest.context import MIN_COMMUNITY, SuggestContext, build_context  # noqa: E402
from netwerk.suggest.suggestions import ValueWeights, suggest_for_actor  # noqa: E402
from netwerk.synth import SynthNetwork, generate  # noqa: E402

METRICS = ("isolated", "unmet needs", "no help", "components")
METHODS = ("ours", "resource allocation", "random")
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


PICKERS: dict[str, Callable[..., int]] = {
    "ours": pick_ours,
    "resource allocation": pick_ra,
    "random": pick_random,
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
    return SynthNetwork(actors=actors, ties=ties, info=synth.info)


def run(n: int, seed: int, caseload: int, scenario: str, groups: int) -> dict[str, dict[str, int]]:
    t0 = time.perf_counter()
    synth = generate(n, seed=seed)
    if scenario == "newcomers":
        synth = add_newcomers(synth, groups, seed)
    s = snapshot_from_columns(synth.actors, synth.ties, network_id=f"bench-{seed}-{scenario}")
    ctx = build_context(s, seed=0)
    log(
        f"seed {seed}, {scenario}: {s.n} actors, {s.m} ties, context in "
        f"{time.perf_counter() - t0:.1f} s"
    )
    rng = np.random.default_rng(seed)
    pool = np.flatnonzero(s.kind_mask("resident", "key_figure"))
    sources = rng.choice(pool, size=min(caseload, pool.size), replace=False).tolist()
    out: dict[str, dict[str, int]] = {"before": metrics(ctx, [])}
    for method in METHODS:
        t1 = time.perf_counter()
        prng = np.random.default_rng(seed + 1000)
        taken: set[tuple[int, int]] = set()
        extra: list[tuple[int, int]] = []
        for u in sources:
            v = PICKERS[method](ctx, u, taken, prng)
            taken.add((min(u, v), max(u, v)))
            extra.append((u, v))
        out[method] = metrics(ctx, extra)
        if method == "ours":
            log(
                f"  ours: {sum(INTRODUCED)} of {len(INTRODUCED)} with an introducer; "
                f"kinds {dict(sorted(KINDS.items()))}"
            )
            INTRODUCED.clear()
            KINDS.clear()
        log(f"  {method}: {len(extra)} ties in {time.perf_counter() - t1:.1f} s {out[method]}")
    return out


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("--actors", type=int, default=2000)
    p.add_argument("--seeds", default="1,2,3")
    p.add_argument("--caseload", type=int, default=300)
    p.add_argument("--scenarios", default="generated,newcomers")
    p.add_argument("--groups", type=int, default=4, help="groups of newcomers")
    p.add_argument("--weights", default="{}", help="ValueWeights overrides as JSON")
    args = p.parse_args()
    global WEIGHTS
    WEIGHTS = ValueWeights(**json.loads(args.weights))
    seeds = [int(x) for x in args.seeds.split(",") if x.strip()]
    scenarios = [x.strip() for x in args.scenarios.split(",") if x.strip()]
    totals: dict[str, dict[str, int]] = {}
    per_seed: list[tuple[str, dict[str, dict[str, int]]]] = []
    for seed in seeds:
        for scenario in scenarios:
            res = run(args.actors, seed, args.caseload, scenario, args.groups)
            per_seed.append((f"seed {seed}, {scenario}", res))
            for method, figures in res.items():
                acc = totals.setdefault(method, dict.fromkeys(METRICS, 0))
                for k, v in figures.items():
                    acc[k] += v
    print(
        f"# {args.actors} actors, seeds {args.seeds}, caseload {args.caseload} "
        "(one accepted suggestion per person; lower is better)"
    )
    head = f"{'method':<22}" + "".join(f"{m:>14}" for m in METRICS)
    for label, res in per_seed:
        print(f"\n{label}")
        print(head)
        for method in ("before", *METHODS):
            print(f"{method:<22}" + "".join(f"{res[method][m]:>14}" for m in METRICS))
    print(f"\ntotal over {len(per_seed)} runs")
    print(head)
    for method in ("before", *METHODS):
        print(f"{method:<22}" + "".join(f"{totals[method][m]:>14}" for m in METRICS))
    wins = {
        m: totals["ours"][m] < min(totals["resource allocation"][m], totals["random"][m])
        for m in METRICS
    }
    print(
        f"{'ours beats both':<22}" + "".join(f"{('yes' if wins[m] else 'NO'):>14}" for m in METRICS)
    )


if __name__ == "__main__":
    main()
