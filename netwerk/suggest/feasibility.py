"""Feasibility of a new tie: how plausible it is that two actors can meet.

The score for a candidate pair (u, v) is a weighted sum of a few explainable structural
features, plus optional attribute features supplied by the caller (same area, shared
language, shared place or initiative). The weights are *learned from the network's own ties*:
a share of the observed ties is held out, the features are computed on the remaining graph,
and a logistic regression separates the held-out ties from sampled non-ties. Because the
score is linear in the features, every feature's share of the score is a reason
(``Contribution``) that can be shown to a neighbourhood worker.

Methods
-------
The features are the classical link-prediction indices of :mod:`.linkpred` (common
neighbours, Jaccard, Adamic–Adar, resource allocation, local paths, truncated rooted
PageRank, distance; Liben-Nowell & Kleinberg 2007 and the references there). Their
combination is learned from the network's own ties (held-out observed edges against sampled
non-edges) as in SEAL (Zhang & Chen 2018), which learns a graph neural network; we learn a
logistic regression over the classical indices, which keeps every reason readable.

Features (reason codes)
-----------------------
``common_contacts`` log(1 + CN); ``jaccard``; ``adamic_adar`` and ``resource_allocation``
(weighted forms on weighted graphs), log-scaled; ``local_paths`` log(1 + number of 3-paths);
``rooted_pagerank`` log-scaled pi_u(v) + pi_v(u); ``network_distance`` (hops, a log and a
linear term) and ``no_path`` (none within the distance horizon); ``degree_min`` and
``degree_max`` (log(1 + number of ties) of the less and the more connected of the two; on the
benchmark these carry the fact that a held-out tie leaves its endpoints short of ties, an
effect the self-supervised fit reproduces, so the benchmark reports the score without them
too); then the caller's ``PairFeatures`` (indicator or log(1 + shared items)).

Score and reasons
-----------------
``score(u, v) = intercept + sum_j beta_j * x_j(u, v)``, a log-odds. Each feature ``x_j`` is
transformed so that 0 means "no evidence" (no common contact, no path, no shared place),
hence a reason's contribution is ``beta_j * x_j`` and
``sum(c.contribution for c in explain(u, v)) == score(u, v) - intercept``. Contributions may
be negative (e.g. a long distance, or a learned negative weight).

Complexity (n vertices, m ties, k pairs, vol(B) = sum of degrees in a vertex set B)
-----------------------------------------------------------------------------------
* ``fit``: builds the sparse matrices once per fold (O(m log m)) and computes the features of
  at most ``2 * max_positives`` pairs per fold (below); the logistic regression has a dozen
  coefficients (Newton steps, negligible). About 2-5 s on a 100,000-vertex graph.
* ``score_pairs`` and ``explain_many(u, targets)``: the cost of
  :func:`.evidence.pair_evidence` (vectorised; exact distances on graphs with n + m <=
  ``exact_distance_limit``, from the walk expansions up to ``local_horizon`` on larger ones).
* ``candidates_for(u)`` and ``explain_many(u)``: local only. A breadth-first ball of radius
  max(max_hops, (max_hops + ppr_steps) // 2) around u (3 for the defaults) contains every walk
  the features need, so all features of all candidates come from a handful of sparse
  products on that ball: O(vol(ball)), plus one O(n) index array. Sub-millisecond to a few
  milliseconds on a 100,000-vertex network of ordinary degrees; tens of milliseconds when the
  3-ball holds tens of thousands of vertices (hubs of degree in the thousands).

References
----------
Liben-Nowell D., Kleinberg J. (2007) The link-prediction problem for social networks. JASIST
58(7):1019-1031. doi:10.1002/asi.20591.
Zhang M., Chen Y. (2018) Link prediction based on graph neural networks. NeurIPS 2018.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from functools import cached_property
from typing import TypeAlias

import igraph as ig
import numpy as np
import numpy.typing as npt
import scipy.sparse as sp

from netwerk.graph import FloatArray, IntArray
from netwerk.graph import ball as graph_ball
from netwerk.suggest.evidence import PairEvidence, evidence_around, pair_evidence
from netwerk.suggest.linkpred import LinkGraph, pair_arrays, row_sums, sample_non_edges

__all__ = [
    "EXTRA_CODES",
    "STRUCTURAL_CODES",
    "Contribution",
    "FeasibilityModel",
    "FittedFeasibility",
    "PairFeatures",
    "PairScores",
]

Sparse: TypeAlias = sp.csr_matrix

#: Reason codes of the structural features, in column order (see ``_COLUMNS``).
STRUCTURAL_CODES: tuple[str, ...] = (
    "common_contacts",
    "jaccard",
    "adamic_adar",
    "resource_allocation",
    "local_paths",
    "rooted_pagerank",
    "network_distance",
    "no_path",
    "degree_min",
    "degree_max",
)
#: Reason codes for attribute features the product supplies (any other code is accepted too).
EXTRA_CODES: tuple[str, ...] = ("same_area", "shared_language", "shared_place")

# Column -> reason code. A code can own several columns (the distance has a log and a linear
# term); its contribution is the sum over its columns.
_COLUMNS: tuple[str, ...] = (*STRUCTURAL_CODES[:7], "network_distance", *STRUCTURAL_CODES[7:])

# Coefficients used when a network has too few ties to learn from (per column, raw scale):
# the classical evidence pointing the obvious way, nothing learned.
_PRIOR: tuple[float, ...] = (1.0, 0.0, 0.0, 1.0, 0.3, 0.3, 0.5, 0.0, -1.0, 0.0, 0.0)
_PRIOR_EXTRA = 1.0
_MIN_POSITIVES = 20


# ---------------------------------------------------------------------------------------------
# caller-supplied pair features
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class PairFeatures:
    """Attribute evidence for pairs, from vertex attributes (none in the benchmark): the
    common neighbours of the pair in a vertex x item affiliation graph.

    ``labels``: code -> one integer label per vertex (e.g. the area); the feature is 1 when
    both labels are known (>= 0) and equal.
    ``memberships``: code -> sparse vertex x item 0/1 matrix (languages spoken, places
    visited, initiatives joined); the feature is log(1 + number of shared items) and the
    reported value the number of shared items.
    """

    labels: Mapping[str, npt.NDArray[np.int64]] = field(default_factory=dict)
    memberships: Mapping[str, sp.csr_matrix] = field(default_factory=dict)

    @property
    def codes(self) -> tuple[str, ...]:
        return (*self.labels.keys(), *self.memberships.keys())

    def validate(self, n: int) -> None:
        for code, lab in self.labels.items():
            if np.asarray(lab).shape != (n,):
                raise ValueError(f"labels[{code!r}] must have one entry per vertex ({n})")
        for code, mem in self.memberships.items():
            if mem.shape[0] != n:
                raise ValueError(f"memberships[{code!r}] must have one row per vertex ({n})")
        if len(set(self.codes)) != len(self.codes) or set(self.codes) & set(STRUCTURAL_CODES):
            raise ValueError("extra feature codes must be unique and not structural codes")

    def values(self, us: IntArray, vs: IntArray) -> FloatArray:
        """Raw values, shape (len(us), len(codes))."""
        cols: list[FloatArray] = []
        for lab in self.labels.values():
            arr = np.asarray(lab, dtype=np.int64)
            lu, lv = arr[us], arr[vs]
            cols.append(((lu == lv) & (lu >= 0)).astype(np.float64))
        for mem in self.memberships.values():
            m = sp.csr_matrix(mem, dtype=np.float64)
            m.data[:] = 1.0
            cols.append(row_sums(sp.csr_matrix(m[us].multiply(m[vs]))))
        if not cols:
            return np.zeros((us.size, 0))
        return np.column_stack(cols)

    def transformed(self, us: IntArray, vs: IntArray) -> tuple[FloatArray, FloatArray]:
        raw = self.values(us, vs)
        x = raw.copy()
        n_lab = len(self.labels)
        x[:, n_lab:] = np.log1p(x[:, n_lab:])
        return x, raw


@dataclass(frozen=True)
class _Scales:
    """Frozen at fit time so that training and scoring features are on one scale.

    ``max_distance`` is the distance horizon: exact breadth-first distances up to it on
    graphs with n + m <= ``FeasibilityModel.exact_distance_limit``, else the local horizon
    (``FeasibilityModel.local_horizon``) resolved from the walk expansions.
    """

    aa: float
    ra: float
    rpr_floor: float
    max_distance: int
    exact_distance: bool


def _design(raw: PairEvidence, sc: _Scales) -> tuple[FloatArray, FloatArray]:
    """(transformed columns per ``_COLUMNS``, raw value per structural code)."""
    cap = float(sc.max_distance)
    reach = np.isfinite(raw.dist) & (raw.dist <= cap)
    d = np.where(reach, np.maximum(raw.dist, 1.0), cap)
    x = np.column_stack(
        [
            np.log1p(raw.cn),
            raw.jaccard,
            np.log1p(raw.aa / sc.aa),
            np.log1p(raw.ra / sc.ra),
            np.log1p(raw.l3),
            np.log1p(raw.rpr / sc.rpr_floor),
            np.where(reach, np.log(cap / d), 0.0),
            np.where(reach, (cap - d) / cap, 0.0),
            (~reach).astype(np.float64),
            np.log1p(raw.dmin),
            np.log1p(raw.dmax),
        ]
    )
    dist = np.where(reach, raw.dist, np.inf)
    no_path = (~reach).astype(np.float64)
    values = np.column_stack(
        [raw.cn, raw.jaccard, raw.aa, raw.ra, raw.l3, raw.rpr, dist, no_path, raw.dmin, raw.dmax]
    )
    return x, values


def _positive_mean(x: FloatArray) -> float:
    pos = x[x > 0]
    return float(pos.mean()) if pos.size else 1.0


# ---------------------------------------------------------------------------------------------
# sampling and learning
# ---------------------------------------------------------------------------------------------


def _fit_logistic(x: FloatArray, y: FloatArray, l2: float) -> tuple[float, FloatArray]:
    """L2-regularised logistic regression (Newton/IRLS on standardised columns).

    Returns the intercept and coefficients on the raw (unstandardised) columns.
    """
    mu = x.mean(axis=0)
    sd = x.std(axis=0)
    live = sd > 1e-12
    z = np.zeros_like(x)
    z[:, live] = (x[:, live] - mu[live]) / sd[live]
    zz = np.column_stack([np.ones(len(z)), z])
    penalty = l2 * len(y) * np.r_[0.0, live.astype(np.float64)]
    penalty[1:][~live] = 1.0  # dead columns: pinned to 0
    w = np.zeros(zz.shape[1])
    for _ in range(100):
        p = 1.0 / (1.0 + np.exp(-np.clip(zz @ w, -35, 35)))
        grad = zz.T @ (p - y) + penalty * w
        hess = (zz * (p * (1.0 - p))[:, None]).T @ zz + np.diag(penalty + 1e-9)
        step = np.linalg.solve(hess, grad)
        w -= step
        if np.max(np.abs(step)) < 1e-9:
            break
    beta = np.zeros(x.shape[1])
    beta[live] = w[1:][live] / sd[live]
    intercept = float(w[0] - np.sum(beta * mu))
    return intercept, beta


# ---------------------------------------------------------------------------------------------
# public model
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class PairScores:
    """Feasibility of ``(u, targets[i])``: log-odds, and per code (columns in ``codes`` order)
    its contribution and raw value. ``logodds == intercept + contributions.sum(axis=1)``."""

    targets: IntArray
    logodds: FloatArray
    contributions: FloatArray
    values: FloatArray
    codes: tuple[str, ...]

    @property
    def size(self) -> int:
        return int(self.targets.size)

    @staticmethod
    def empty(codes: tuple[str, ...]) -> PairScores:
        c = len(codes)
        e = np.zeros(0)
        return PairScores(np.zeros(0, dtype=np.int64), e, np.zeros((0, c)), np.zeros((0, c)), codes)

    @staticmethod
    def concat(parts: list[PairScores], codes: tuple[str, ...]) -> PairScores:
        parts = [p for p in parts if p.size]
        if not parts:
            return PairScores.empty(codes)
        return PairScores(
            np.concatenate([p.targets for p in parts]),
            np.concatenate([p.logodds for p in parts]),
            np.vstack([p.contributions for p in parts]),
            np.vstack([p.values for p in parts]),
            codes,
        )


@dataclass(frozen=True)
class Contribution:
    """One reason: a feature's raw value and its additive share of the score (log-odds)."""

    code: str
    value: float
    contribution: float


@dataclass(frozen=True)
class FeasibilityModel:
    """Settings for learning the feasibility score from a network's own ties.

    ``holdout_fraction`` of the ties is held out in each of ``folds`` disjoint folds (at most
    ``max_positives`` per fold), with as many sampled non-ties; features are computed on the
    graph without that fold. ``l2`` is the ridge penalty on standardised coefficients.
    Rooted PageRank keeps walks of at most ``ppr_steps`` steps, continuing with probability
    ``ppr_alpha``. Distances are exact breadth-first distances up to ``max_distance`` when
    the graph has n + m <= ``exact_distance_limit``; on larger graphs they are resolved up to
    ``local_horizon`` hops only (farther counts as ``no_path``), which keeps fitting local.
    ``exclude`` lists reason codes to leave out (their weight is fixed at 0).
    """

    ppr_alpha: float = 0.85
    ppr_steps: int = 4
    max_distance: int = 32
    exact_distance_limit: int = 100_000
    local_horizon: int = 4
    holdout_fraction: float = 0.1
    folds: int = 2
    max_positives: int = 2000
    l2: float = 1e-3
    exclude: tuple[str, ...] = ()

    def fit(
        self,
        graph: ig.Graph | LinkGraph,
        *,
        weights: str | None = "weight",
        seed: int = 0,
        extra: PairFeatures | None = None,
    ) -> FittedFeasibility:
        """Learn the weights on ``graph`` (treated as undirected) and return the fitted score.

        ``weights`` names the edge attribute with tie strengths (ignored when absent or None;
        ``graph`` may also be a :class:`~.linkpred.LinkGraph`, weighted as it is).
        """
        if not 0.0 < self.holdout_fraction < 1.0:
            raise ValueError("holdout_fraction must be in (0, 1)")
        if self.folds < 1 or self.ppr_steps < 1 or self.max_distance < 2 or self.local_horizon < 2:
            raise ValueError("folds, ppr_steps >= 1; max_distance, local_horizon >= 2 required")
        if not 0.0 < self.ppr_alpha < 1.0:
            raise ValueError("ppr_alpha must be in (0, 1)")
        g = graph if isinstance(graph, LinkGraph) else LinkGraph.from_igraph(graph, weights)
        if extra is not None:
            extra.validate(g.n)
        extra_codes = extra.codes if extra is not None else ()
        unknown = set(self.exclude) - set(STRUCTURAL_CODES) - set(extra_codes)
        if unknown:
            raise ValueError(f"unknown codes in exclude: {sorted(unknown)}")
        rng = np.random.default_rng(seed)
        m = len(g.edges)
        exact = g.n + m <= self.exact_distance_limit
        horizon = self.max_distance if exact else self.local_horizon
        per_fold = min(round(self.holdout_fraction * m), self.max_positives)
        per_fold = min(per_fold, m // (self.folds + 1))
        cols = (*_COLUMNS, *extra_codes)
        if per_fold * self.folds < _MIN_POSITIVES:
            scales = _Scales(1.0, 1.0, 1e-4 / max(g.n, 1), horizon, exact)
            beta = np.r_[np.asarray(_PRIOR), np.full(len(extra_codes), _PRIOR_EXTRA)]
            beta[[c in self.exclude for c in cols]] = 0.0
            return FittedFeasibility(self, g, scales, 0.0, beta, extra, learned=False)
        order = rng.permutation(m)
        keys_sorted = np.sort(g.edge_keys())
        raws: list[PairEvidence] = []
        pairs_all: list[IntArray] = []
        labels: list[FloatArray] = []
        for f in range(self.folds):
            held = order[f * per_fold : (f + 1) * per_fold]
            drop = np.zeros(m, dtype=bool)
            drop[held] = True
            inner = g.without(drop)
            neg = sample_non_edges(g.n, keys_sorted, per_fold, rng)
            pairs = np.vstack([g.edges[held], neg])
            raws.append(
                pair_evidence(
                    inner,
                    pairs[:, 0],
                    pairs[:, 1],
                    alpha=self.ppr_alpha,
                    steps=self.ppr_steps,
                    exact_distance=exact,
                    horizon=horizon,
                )
            )
            pairs_all.append(pairs)
            labels.append(np.r_[np.ones(held.size), np.zeros(len(neg))])
        scales = _Scales(
            aa=_positive_mean(np.concatenate([r.aa for r in raws])),
            ra=_positive_mean(np.concatenate([r.ra for r in raws])),
            rpr_floor=1e-4 * _positive_mean(np.concatenate([r.rpr for r in raws])),
            max_distance=horizon,
            exact_distance=exact,
        )
        xs = [_design(r, scales)[0] for r in raws]
        if extra_codes and extra is not None:
            xs = [
                np.column_stack([x, extra.transformed(p[:, 0], p[:, 1])[0]])
                for x, p in zip(xs, pairs_all, strict=True)
            ]
        x_all = np.vstack(xs)
        x_all[:, [c in self.exclude for c in cols]] = 0.0  # constant column: weight pinned to 0
        intercept, beta = _fit_logistic(x_all, np.concatenate(labels), self.l2)
        return FittedFeasibility(self, g, scales, intercept, beta, extra, learned=True)


@dataclass(frozen=True, eq=False)
class FittedFeasibility:
    """A feasibility score fitted on one graph; scores pairs of that graph's vertices.

    ``score = intercept + sum of contributions`` (log-odds that the pair is, or would be, a
    tie, as learned from held-out ties). ``learned`` is False when the graph had too few ties
    to learn from and fixed prior weights are used.
    """

    model: FeasibilityModel
    _g: LinkGraph
    _scales: _Scales
    intercept: float
    coefficients: FloatArray  # per column: _COLUMNS, then the extra codes
    extra: PairFeatures | None
    learned: bool

    def on(self, graph: LinkGraph, extra: PairFeatures | None) -> FittedFeasibility:
        """The same learned weights and scales, scoring the pairs of ``graph`` with the
        attribute evidence ``extra`` (same codes): the model fitted on an earlier state of
        a network applied to its current one (:mod:`netwerk.suggest.context`), so that a
        new tie counts in the scores of its two ends at once."""
        if (extra.codes if extra else ()) != (self.extra.codes if self.extra else ()):
            raise ValueError("the attribute features must have the codes the model learned")
        if extra is not None:
            extra.validate(graph.n)
        return replace(self, _g=graph, extra=extra)

    @property
    def graph(self) -> LinkGraph:
        """The graph the pairs are scored on."""
        return self._g

    @property
    def codes(self) -> tuple[str, ...]:
        """All reason codes, structural first, then the caller's extra codes."""
        return (*STRUCTURAL_CODES, *(self.extra.codes if self.extra is not None else ()))

    @property
    def weights_by_code(self) -> dict[str, float]:
        """Learned coefficient(s) per code on the transformed feature scale (summed per code)."""
        cols = (*_COLUMNS, *(self.extra.codes if self.extra is not None else ()))
        out: dict[str, float] = {}
        for c, b in zip(cols, self.coefficients, strict=True):
            out[c] = out.get(c, 0.0) + float(b)
        return out

    def _features(self, us: IntArray, vs: IntArray) -> tuple[FloatArray, FloatArray]:
        sc = self._scales
        raw = pair_evidence(
            self._g,
            us,
            vs,
            alpha=self.model.ppr_alpha,
            steps=self.model.ppr_steps,
            exact_distance=sc.exact_distance,
            horizon=sc.max_distance,
        )
        return self._assemble(raw, us, vs)

    def _assemble(
        self, raw: PairEvidence, us: IntArray, vs: IntArray
    ) -> tuple[FloatArray, FloatArray]:
        x, values = _design(raw, self._scales)
        if self.extra is not None and self.extra.codes:
            ex, ev = self.extra.transformed(us, vs)
            x = np.column_stack([x, ex])
            values = np.column_stack([values, ev])
        return x, values

    def score_pairs(self, us: npt.ArrayLike, vs: npt.ArrayLike) -> FloatArray:
        """Feasibility (log-odds) for each pair (us[i], vs[i]); vectorised."""
        u, v = pair_arrays(us, vs, self._g.n)
        if u.size == 0:
            return np.zeros(0)
        x, _ = self._features(u, v)
        return np.asarray(self.intercept + x @ self.coefficients, dtype=np.float64)

    def explain(self, u: int, v: int) -> list[Contribution]:
        """Every reason code with its raw value and contribution, largest contribution first.

        The contributions add up to ``score_pairs([u], [v])[0] - intercept``.
        """
        ps = self.explain_many(u, pair_arrays([u], [v], self._g.n)[1])
        out = [
            Contribution(code, float(ps.values[0, i]), float(ps.contributions[0, i]))
            for i, code in enumerate(ps.codes)
        ]
        return sorted(out, key=lambda c: -c.contribution)

    def radius(self, max_hops: int) -> int:
        """The ball radius around ``u`` that holds every walk the features of the candidates
        up to ``max_hops`` hops need (rooted PageRank walks of ``ppr_steps`` steps)."""
        return max(max_hops, (max_hops + self.model.ppr_steps) // 2)

    def explain_many(
        self,
        u: int,
        targets: npt.ArrayLike | None = None,
        *,
        max_hops: int = 3,
        ball: tuple[IntArray, IntArray] | None = None,
        select: npt.NDArray[np.bool_] | None = None,
    ) -> PairScores:
        """Scores and per-code reasons of many pairs ``(u, t)`` in one pass.

        With ``targets``: those pairs, anywhere in the graph (the cost of :meth:`score_pairs`).
        Without: the non-neighbours of ``u`` within ``max_hops`` (>= 2) hops — all of them,
        or those flagged in ``select`` (a mask over the ball) — computed on the ball around
        ``u`` alone (the cost of :meth:`candidates_for`). ``ball`` is
        :func:`netwerk.graph.ball` of ``u`` with radius :meth:`radius` when the caller has it
        already (the vertices of the graph this model was fitted on, same indices).

        The score is linear in the features, so every code's contribution is its columns of
        ``x * beta``: ``logodds == intercept + contributions.sum(axis=1)``, and the
        contributions equal those of :meth:`explain`. Targets of the ball come in ball order.
        """
        if targets is not None:
            t = np.asarray(targets, dtype=np.int64).ravel()
            if t.size == 0:
                return PairScores.empty(self.codes)
            us, t = pair_arrays(np.full(t.size, u), t, self._g.n)
            x, values = self._features(us, t)
            return self._scores(t, x, values)
        if not 0 <= u < self._g.n:
            raise ValueError("vertex index out of range")
        vertices, hops = (
            ball if ball is not None else graph_ball(self._g.a, [u], self.radius(max_hops))
        )
        is_cand = (hops >= 2) & (hops <= max_hops)
        if select is not None:
            is_cand &= select
        if not is_cand.any():
            return PairScores.empty(self.codes)
        raw, local = self._around(vertices, hops, is_cand)
        cand = vertices[local].astype(np.int64)
        x, values = self._assemble(raw, np.full(cand.size, u, dtype=np.int64), cand)
        return self._scores(cand, x, values)

    @cached_property
    def _column_code(self) -> IntArray:
        pos = {c: i for i, c in enumerate(self.codes)}
        cols = (*_COLUMNS, *(self.extra.codes if self.extra is not None else ()))
        return np.array([pos[c] for c in cols], dtype=np.int64)

    def _scores(self, targets: IntArray, x: FloatArray, values: FloatArray) -> PairScores:
        # Column by column rather than a matrix product: k x ~14 is too small to be worth a
        # (possibly multi-threaded) BLAS call.
        xc = np.asarray(x, dtype=np.float64) * self.coefficients
        contrib = np.zeros((targets.size, len(self.codes)))
        for j, code_pos in enumerate(self._column_code.tolist()):
            contrib[:, code_pos] += xc[:, j]
        logodds = self.intercept + xc.sum(axis=1)
        return PairScores(targets, logodds, contrib, np.asarray(values), self.codes)

    def _around(
        self, ball: IntArray, hops: IntArray, is_cand: npt.NDArray[np.bool_]
    ) -> tuple[PairEvidence, IntArray]:
        return evidence_around(
            self._g, ball, hops, is_cand, alpha=self.model.ppr_alpha, steps=self.model.ppr_steps
        )

    def probability(self, scores: FloatArray) -> FloatArray:
        """Logistic transform of scores (calibrated only for the held-out-tie task)."""
        return np.asarray(1.0 / (1.0 + np.exp(-np.clip(scores, -35, 35))), dtype=np.float64)

    def candidates_for(
        self, u: int, *, max_hops: int = 3, limit: int = 200
    ) -> tuple[IntArray, FloatArray]:
        """Best-scoring non-neighbours of ``u`` within ``max_hops`` (>= 2) steps.

        Returns (vertex indices, scores), highest score first, at most ``limit``. Scores are
        those of ``score_pairs`` (same features), computed locally around ``u``.
        """
        if max_hops < 2 or limit < 1:
            if not 0 <= u < self._g.n:
                raise ValueError("vertex index out of range")
            return np.zeros(0, dtype=np.int64), np.zeros(0)
        ps = self.explain_many(u, max_hops=max_hops)
        cand, scores = ps.targets, ps.logodds
        if cand.size > limit:
            top = np.argpartition(-scores, limit - 1)[:limit]
            cand, scores = cand[top], scores[top]
        order = np.lexsort((cand, -scores))
        return cand[order].astype(np.int64), np.asarray(scores[order], dtype=np.float64)
