"""Learning simulation: do outcomes re-weight the suggestions towards introductions that hold?
(issue 15, part 2)

Usage::

    .venv/bin/python bench/learning.py [--actors 1500] [--seeds 1,2,3,4,5]
        [--checkpoints 100,200,400] [--evaluate 150] [--per-person 2]

Protocol. For each seed a synthetic neighbourhood is generated (:func:`netwerk.synth.generate`).
Simulated brokers work through a caseload of persons (consent given) in a seeded random
order; for each they ask for the top 5 suggestions (:func:`suggest_for_actor`, ranked with the
weights learned so far) and make the first ``--per-person`` introductions. An introduction
forms a tie by a *hidden rule* the engine never sees: the generator's latent chance for the
pair (:meth:`netwerk.synth.SynthNetwork.tie_chance`: same street, group, age band, a shared
language — cross-language introductions hold far less often —, sociability; isolated
residents are harder), doubled (at most 0.95) when the introducer is a key figure. Outcomes
are drawn from it with a seeded generator. Like the product, the weights are refitted
(:func:`netwerk.suggest.learning.fit`) every 10 outcomes from 100 on.

At each checkpoint (100, 200, 400 outcomes) the learned weights rank the top 5 for a fixed
evaluation caseload (``--evaluate`` other persons), and the bench reports the *expected
share of top-5 suggestions that form a tie* (the mean hidden chance of those suggestions:
no extra sampling noise) next to the same figure with the prior weights. "Floors hold": the
smallest value multiplier (never below the floor, 0.5) and the number of top-5 suggestions
that end someone's isolation, prior and learned.

Progress goes to stderr, the tables to stdout; the last line counts the seeds in which the
learned weights beat the prior at every checkpoint.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from netwerk.columns import snapshot_from_columns  # noqa: E402
from netwerk.suggest.context import SuggestContext, build_context  # noqa: E402
from netwerk.suggest.learning import (  # noqa: E402
    MIN_OUTCOMES,
    PRIOR,
    REFIT_EVERY,
    VALUE_FLOOR,
    LearnedWeights,
    fit,
    term_matrix,
)
from netwerk.suggest.suggestions import Suggestion, suggest_for_actor  # noqa: E402
from netwerk.synth import SynthNetwork, generate  # noqa: E402

TOP = 5


def log(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


class World:
    def __init__(self, n: int, seed: int) -> None:
        self.synth: SynthNetwork = generate(n, seed=seed)
        a = self.synth.actors
        self.s = snapshot_from_columns(a, self.synth.ties, network_id=f"learn-{seed}")
        self.ctx: SuggestContext = build_context(self.s, seed=0)
        self.pos = {x: i for i, x in enumerate(a.id)}

    def chance(self, u: int, sug: Suggestion) -> float:
        """The hidden rule: latent chance, doubled through a key figure (at most 0.95)."""
        s = self.s
        a = np.array([self.pos[s.ids[u]]])
        b = np.array([self.pos[sug.target.actor_id]])
        p = float(self.synth.tie_chance(a, b)[0])
        intro = sug.introduction.introducer
        if intro is not None and intro.kind == "key_figure":
            p = min(0.95, 2.0 * p)
        return p

    def top(self, u: int, weights: LearnedWeights) -> tuple[Suggestion, ...]:
        res = suggest_for_actor(self.s, self.s.ids[u], limit=TOP, context=self.ctx, learned=weights)
        return res.suggestions


def evaluate(world: World, sources: list[int], weights: LearnedWeights) -> tuple[float, int]:
    """(expected share of top-5 that form a tie, top-5 suggestions that end isolation)."""
    chances: list[float] = []
    isolation = 0
    for u in sources:
        for sug in world.top(u, weights):
            chances.append(world.chance(u, sug))
            isolation += any(r.code == "ends_isolation" for r in sug.reasons)
    return (float(np.mean(chances)) if chances else 0.0), isolation


def simulate(
    n: int, seed: int, checkpoints: list[int], n_eval: int, per_person: int
) -> dict[str, object]:
    t0 = time.perf_counter()
    world = World(n, seed)
    ctx = world.ctx
    s = world.s
    persons = np.flatnonzero(ctx.allowed & s.kind_mask("resident", "key_figure"))
    rng = np.random.default_rng(seed)
    order = rng.permutation(persons).tolist()
    eval_sources, train = order[:n_eval], order[n_eval:]
    outcome_rng = np.random.default_rng([seed, 15])
    prior_share, prior_iso = evaluate(world, eval_sources, PRIOR)
    took = time.perf_counter() - t0
    log(f"seed {seed}: {s.n} actors, prior share {prior_share:.3f} ({took:.0f} s)")
    rows: list[dict[str, float]] = []
    ys: list[float] = []
    weights = PRIOR
    last_fit = 0
    curve: dict[int, tuple[float, int, float, float]] = {}
    goal = max(checkpoints)
    for u in train * 3:
        if len(ys) >= goal:
            break
        for sug in world.top(u, weights)[:per_person]:
            p = world.chance(u, sug)
            rows.append(dict(sug.terms))
            ys.append(float(outcome_rng.random() < p))
            k = len(ys)
            if k >= MIN_OUTCOMES and (k - last_fit >= REFIT_EVERY or k in checkpoints):
                weights = fit(term_matrix(rows), np.asarray(ys)).weights
                last_fit = k
            if k in checkpoints and k not in curve:
                share, iso = evaluate(world, eval_sources, weights)
                raw = fit(term_matrix(rows), np.asarray(ys))
                curve[k] = (
                    share,
                    iso,
                    min(weights.value.values()),
                    float(np.exp(raw.estimate["ends_isolation"])),
                )
                log(
                    f"  {k} outcomes: share {share:.3f} (prior {prior_share:.3f}), "
                    f"feasibility x{weights.feasibility:.2f}, language "
                    f"{weights.attributes.get('shared_language', 0):+.2f}, key figure "
                    f"{weights.key_figure_contact:+.2f}"
                )
            if len(ys) >= goal:
                break
    return {
        "seed": seed,
        "prior": prior_share,
        "prior_isolation": prior_iso,
        "curve": curve,
        "positives": int(sum(ys)),
    }


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("--actors", type=int, default=1500)
    p.add_argument("--seeds", default="1,2,3,4,5")
    p.add_argument("--checkpoints", default="100,200,400")
    p.add_argument("--evaluate", type=int, default=150)
    p.add_argument("--per-person", type=int, default=2)
    args = p.parse_args()
    seeds = [int(x) for x in args.seeds.split(",") if x.strip()]
    checkpoints = sorted(int(x) for x in args.checkpoints.split(",") if x.strip())
    results = [
        simulate(args.actors, seed, checkpoints, args.evaluate, args.per_person) for seed in seeds
    ]
    print(
        f"# learning simulation: {args.actors} actors, seeds {args.seeds}, evaluation caseload "
        f"{args.evaluate} persons x top {TOP}; expected share of top-{TOP} suggestions that "
        "form a tie under the hidden rule"
    )
    head = f"{'seed':>6}{'prior':>9}" + "".join(f"{f'after {c}':>12}" for c in checkpoints)
    head += f"{'min value weight':>18}{'ends_isolation raw':>20}{'isolation top-5':>18}"
    print(head)
    wins = {c: 0 for c in checkpoints}
    for r in results:
        curve = r["curve"]
        assert isinstance(curve, dict)
        line = f"{r['seed']:>6}{r['prior']:>9.3f}"
        for c in checkpoints:
            share = curve[c][0] if c in curve else float("nan")
            line += f"{share:>12.3f}"
            if c in curve and share > float(r["prior"]):  # type: ignore[arg-type]
                wins[c] += 1
        last = curve.get(checkpoints[-1], None)
        if last is not None:
            line += f"{last[2]:>18.2f}{last[3]:>20.2f}"
            moved = f"{r['prior_isolation']} -> {last[1]}"
            line += f"{moved:>18}"
        print(line)
    mean_prior = float(np.mean([r["prior"] for r in results]))
    line = f"{'mean':>6}{mean_prior:>9.3f}"
    for c in checkpoints:
        vals = [r["curve"][c][0] for r in results if c in r["curve"]]  # type: ignore[index, operator]
        line += f"{float(np.mean(vals)):>12.3f}"
    print(line)
    print(
        "learned above prior in "
        + ", ".join(f"{wins[c]} of {len(results)} seeds after {c}" for c in checkpoints)
        + f"; value floor {VALUE_FLOOR} holds: "
        + (
            "yes"
            if all(
                r["curve"][c][2] >= VALUE_FLOOR - 1e-12  # type: ignore[index]
                for r in results
                for c in r["curve"]  # type: ignore[attr-defined]
            )
            else "NO"
        )
    )


if __name__ == "__main__":
    main()
