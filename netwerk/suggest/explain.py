"""Feasibility reasons for many pairs at once, on top of :mod:`netwerk.suggest.feasibility`.

:class:`~netwerk.suggest.feasibility.FittedFeasibility` offers ``candidates_for(u)`` (scores
of the non-neighbours around ``u``) and ``explain(u, v)`` (the reasons of one pair). A
suggestion list needs the reasons of every candidate it ranks, and ``explain`` recomputes the
features of one pair over the whole graph (about 7 ms a pair on a 100,000-actor network), so
explaining each candidate separately would not fit a 50 ms budget. The score is linear in the
features (``score = intercept + x . beta``, Liben-Nowell & Kleinberg 2007 features combined by
a logistic regression as in Zhang & Chen 2018), so the per-code contributions of all
candidates come from the same feature matrix ``candidates_for`` computes: ``x * beta``,
summed over the columns of each code.

:class:`BatchExplainer` does that in one pass. It uses the fitted model's internal feature
routines (``_raw_in_ball``, ``_assemble``, ``_features`` and the column layout
``_COLUMNS``); when they are not there (the feasibility module was refactored) it falls back
to the public ``candidates_for``/``score_pairs``/``explain`` API, slower but with the same
numbers. ``tests/test_suggest_explain.py`` checks that both paths agree with the public API.

Complexity: :meth:`BatchExplainer.ball` is a breadth-first search with a visited mask,
O(vol(ball)) (no sorting); :meth:`BatchExplainer.around` costs what ``candidates_for`` costs
(local to the ball of radius ``max(max_hops, (max_hops + ppr_steps) // 2)`` around ``u``) plus
O(k c) for k candidates and c codes, and may be restricted to a subset of the candidates;
:meth:`BatchExplainer.pairs` costs what ``score_pairs`` costs.

References
----------
Liben-Nowell D., Kleinberg J. (2007) The link-prediction problem for social networks. JASIST
58(7):1019-1031. doi:10.1002/asi.20591.
Zhang M., Chen Y. (2018) Link prediction based on graph neural networks. NeurIPS 2018.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from netwerk.graph import Adjacency
from netwerk.suggest import feasibility as _f
from netwerk.suggest.feasibility import FittedFeasibility

__all__ = ["BatchExplainer", "PairScores"]

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]


@dataclass(frozen=True, eq=False)
class PairScores:
    """Feasibility of (u, targets[i]): log-odds, and per code (columns in ``codes`` order)
    its contribution and raw value. ``logodds == intercept + contributions.sum(axis=1)``."""

    targets: IntArray
    logodds: FloatArray
    contributions: FloatArray
    values: FloatArray
    codes: tuple[str, ...]

    @property
    def size(self) -> int:
        return int(self.targets.size)

    def take(self, idx: IntArray) -> PairScores:
        return PairScores(
            self.targets[idx],
            self.logodds[idx],
            self.contributions[idx],
            self.values[idx],
            self.codes,
        )

    @staticmethod
    def empty(codes: tuple[str, ...]) -> PairScores:
        c = len(codes)
        return PairScores(
            np.zeros(0, dtype=np.int64),
            np.zeros(0),
            np.zeros((0, c)),
            np.zeros((0, c)),
            codes,
        )

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


class BatchExplainer:
    """Scores and per-code reasons of many pairs (see the module doc)."""

    def __init__(self, fitted: FittedFeasibility, adjacency: Adjacency) -> None:
        self.fitted = fitted
        self.adjacency = adjacency
        self.n = len(adjacency.indptr) - 1
        self.codes: tuple[str, ...] = tuple(fitted.codes)
        self.intercept = float(fitted.intercept)
        columns: Any = getattr(_f, "_COLUMNS", None)
        extra = fitted.extra.codes if fitted.extra is not None else ()
        self._fast = (
            columns is not None
            and all(
                hasattr(fitted, name) for name in ("_raw_in_ball", "_assemble", "_features", "_g")
            )
            and len(tuple(columns)) + len(extra) == len(fitted.coefficients)
        )
        if self._fast:
            cols = (*tuple(columns), *extra)
            pos = {c: i for i, c in enumerate(self.codes)}
            self._fast = all(c in pos for c in cols)
            self._column_code = [pos.get(c, 0) for c in cols]
            self._coef = np.asarray(fitted.coefficients, dtype=np.float64)

    @property
    def fast(self) -> bool:
        """True when the one-pass path over the model's feature matrix is used."""
        return self._fast

    # ------------------------------------------------------------------ balls

    def ball(self, u: int, radius: int) -> tuple[IntArray, IntArray]:
        """Vertices within ``radius`` hops of ``u`` (``u`` first, then by hop, ascending
        within a hop) and their hop counts; the same as the model's own ball, computed with a
        visited mask instead of sorting."""
        adj = self.adjacency
        seen = np.zeros(self.n, dtype=bool)
        seen[u] = True
        parts = [np.array([u], dtype=np.int64)]
        levels = [np.zeros(1, dtype=np.int64)]
        frontier = parts[0]
        for h in range(1, radius + 1):
            starts = adj.indptr[frontier]
            counts = adj.indptr[frontier + 1] - starts
            total = int(counts.sum())
            if total == 0:
                break
            offsets = np.repeat(starts - np.cumsum(counts) + counts, counts)
            nbr = adj.indices[np.arange(total, dtype=np.int64) + offsets]
            nbr = nbr[~seen[nbr]]
            if nbr.size == 0:
                break
            mark = np.zeros(self.n, dtype=bool)
            mark[nbr] = True
            nxt = np.flatnonzero(mark).astype(np.int64)
            seen[nxt] = True
            parts.append(nxt)
            levels.append(np.full(nxt.size, h, dtype=np.int64))
            frontier = nxt
        return np.concatenate(parts), np.concatenate(levels)

    def radius(self, max_hops: int) -> int:
        """The ball radius the model needs for candidates up to ``max_hops`` hops (rooted
        PageRank walks of ``ppr_steps`` steps stay within it)."""
        steps = int(self.fitted.model.ppr_steps)
        return max(max_hops, (max_hops + steps) // 2)

    # ------------------------------------------------------------------ scoring

    def around(
        self,
        u: int,
        max_hops: int,
        ball: IntArray,
        hops: IntArray,
        select: BoolArray | None = None,
    ) -> PairScores:
        """Non-neighbours of ``u`` within ``max_hops`` (>= 2) hops, with their reasons: all of
        them, or those flagged in ``select`` (a mask over ``ball``).

        ``ball``/``hops`` must be :meth:`ball` of ``u`` with radius :meth:`radius`.
        """
        is_cand = (hops >= 2) & (hops <= max_hops)
        if select is not None:
            is_cand &= select
        if not is_cand.any():
            return PairScores.empty(self.codes)
        if not self._fast:
            wanted = ball[is_cand]
            return self._pairs_public(u, np.sort(wanted))
        raw, local = self.fitted._raw_in_ball(ball, hops, is_cand)
        cand = ball[local].astype(np.int64)
        x, values = self.fitted._assemble(raw, np.full(cand.size, u, dtype=np.int64), cand)
        return self._finish(cand, x, values)

    def pairs(self, u: int, targets: IntArray) -> PairScores:
        """The pairs (u, t) for arbitrary targets, with their reasons."""
        targets = np.asarray(targets, dtype=np.int64)
        if targets.size == 0:
            return PairScores.empty(self.codes)
        if not self._fast:
            return self._pairs_public(u, targets)
        x, values = self.fitted._features(np.full(targets.size, u, dtype=np.int64), targets)
        return self._finish(targets, x, values)

    def _finish(self, cand: IntArray, x: FloatArray, values: FloatArray) -> PairScores:
        # Column by column rather than a matrix product: k x ~14 is too small to be worth a
        # (possibly multi-threaded) BLAS call.
        xc = np.asarray(x, dtype=np.float64) * self._coef
        contrib = np.zeros((cand.size, len(self.codes)))
        for j, code_pos in enumerate(self._column_code):
            contrib[:, code_pos] += xc[:, j]
        logodds = self.intercept + xc.sum(axis=1)
        return PairScores(cand, logodds, contrib, np.asarray(values), self.codes)

    # ------------------------------------------------------------------ public fallback

    def _explained(self, u: int, targets: IntArray, scores: FloatArray) -> PairScores:
        pos = {c: i for i, c in enumerate(self.codes)}
        contrib = np.zeros((targets.size, len(self.codes)))
        values = np.zeros((targets.size, len(self.codes)))
        for i, v in enumerate(targets.tolist()):
            for c in self.fitted.explain(u, v):
                contrib[i, pos[c.code]] = c.contribution
                values[i, pos[c.code]] = c.value
        return PairScores(targets, scores, contrib, values, self.codes)

    def _pairs_public(self, u: int, targets: IntArray) -> PairScores:
        scores = self.fitted.score_pairs(np.full(targets.size, u), targets)
        return self._explained(u, targets, scores)
