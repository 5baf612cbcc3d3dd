"""The structural evidence of pairs of vertices, all indices at once: common neighbours,
Jaccard, Adamic–Adar, resource allocation (:mod:`.linkpred`), 3-paths (Lü, Jin & Zhou 2009),
rooted PageRank truncated to ``steps`` steps (Jeh & Widom 2003; Liben-Nowell & Kleinberg 2007)
and the hop distance, the path-counting limit of Katz (1953). What the feasibility score
(:mod:`.feasibility`) is fitted on and scores with.

:func:`pair_evidence` scores given pairs (truncated rooted PageRank by meeting in the middle,
O(sum over pairs of vol(2-ball)) for 4 steps; exact distances by breadth-first search from each
distinct source, O(k (n + m))); :func:`evidence_around` scores every candidate around one vertex
from its ball alone, O(vol(ball)).

References
----------
Liben-Nowell D., Kleinberg J. (2007) The link-prediction problem for social networks. JASIST
58(7):1019-1031. doi:10.1002/asi.20591.
Lü L., Jin C.-H., Zhou T. (2009) Similarity index based on local paths for link prediction of
complex networks. Phys Rev E 80:046122. doi:10.1103/PhysRevE.80.046122.
Jeh G., Widom J. (2003) Scaling personalized web search. WWW 2003:271-279.
Katz L. (1953) A new status index derived from sociometric analysis. Psychometrika 18:39-43.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import scipy.sparse as sp

from netwerk.graph import FloatArray, IntArray, row_positions
from netwerk.suggest.linkpred import LinkGraph, Sparse, common, row_sums

__all__ = ["PairEvidence", "evidence_around", "pair_evidence"]


@dataclass(frozen=True)
class PairEvidence:
    """Raw structural evidence for k pairs, one array per quantity: common neighbours,
    Jaccard, Adamic–Adar, resource allocation, 3-paths, rooted PageRank, hop distance (inf:
    no path within the horizon) and the smaller and larger degree of the two."""

    cn: FloatArray
    jaccard: FloatArray
    aa: FloatArray
    ra: FloatArray
    l3: FloatArray
    rpr: FloatArray
    dist: FloatArray  # hops; inf when no path (within the horizon, see _Scales)
    dmin: FloatArray
    dmax: FloatArray


def _rowdot(x: Sparse, y: Sparse) -> FloatArray:
    return row_sums(sp.csr_matrix(x.multiply(y)))


def _walks(g: LinkGraph, nodes: IntArray, levels: int) -> list[Sparse]:
    """[S^t e_x for t = 0..levels] as sparse rows, one row per entry of ``nodes``."""
    k = nodes.size
    x = sp.csr_matrix((np.ones(k), (np.arange(k), nodes)), shape=(k, g.n))
    out = [x]
    for _ in range(levels):
        x = _step(g, x)
        out.append(x)
    return out


def _step(g: LinkGraph, x: Sparse) -> Sparse:
    """``x @ g.s``. While the walks reach a small part of the graph (a few pairs scored on a
    new revision's graph, whose S is not made yet) only the rows of S they reach are made,
    with the same entries in the same order as in ``g.s``: the same values, bit for bit,
    at O(vol(reached)) instead of O(m) for all of S."""
    reached = np.unique(x.indices)
    if g.has_s or 8 * reached.size > g.n:
        return sp.csr_matrix(x @ g.s)
    local = sp.csr_matrix(
        (x.data, np.searchsorted(reached, x.indices), x.indptr), shape=(x.shape[0], reached.size)
    )
    return sp.csr_matrix(local @ g.s_rows(reached))


def _local_pairs(
    g: LinkGraph, us: IntArray, vs: IntArray, alpha: float, steps: int, horizon: int
) -> tuple[FloatArray, FloatArray]:
    """Truncated rooted PageRank pi_u(v) + pi_v(u) and hop distance up to ``horizon``.

    Meet in the middle: S^t[u, v] = <S^a e_u, S^b e_v> with a + b = t, so only walks of about
    half the length are expanded from each end. With S = D^-1/2 W D^-1/2 and D the strengths,
    (P^T)^t[v, u] = sqrt(s_v / s_u) S^t[u, v], hence
    pi_u(v) + pi_v(u) = (1 - alpha) (s_u + s_v) / sqrt(s_u s_v) sum_t alpha^t S^t[u, v].
    The distance (when ``horizon`` > 0, at most 2 * ceil(horizon / 2) is resolved) comes from
    the supports of the same expansions (balls around u and v meet).
    """
    hu = max((steps + 1) // 2, (horizon + 1) // 2)
    hv = max(steps // 2, horizon // 2)
    rpr = np.zeros(us.size)
    dist = np.full(us.size, np.inf)
    chunk = 2048
    for start in range(0, us.size, chunk):
        u, v = us[start : start + chunk], vs[start : start + chunk]
        xu, xv = _walks(g, u, hu), _walks(g, v, hv)
        acc = np.zeros(u.size)
        for t in range(1, steps + 1):
            a = min(t, hu)
            acc += alpha**t * _rowdot(xu[a], xv[t - a])
        su, sv = g.strength[u], g.strength[v]
        prod = su * sv
        fac = np.divide(su + sv, np.sqrt(prod), where=prod > 0, out=np.zeros_like(prod))
        rpr[start : start + chunk] = (1.0 - alpha) * fac * acc
        if horizon > 0:
            # balls: supports of the cumulative walk rows
            bu = [xu[0]]
            for x in xu[1:]:
                bu.append(sp.csr_matrix(bu[-1] + x))
            bv = [xv[0]]
            for x in xv[1:]:
                bv.append(sp.csr_matrix(bv[-1] + x))
            d = np.full(u.size, np.inf)
            for t in range(horizon, -1, -1):
                a = min(t, hu)
                if t - a > hv:
                    continue
                meet = _rowdot(bu[a], bv[t - a]) > 0
                d[meet] = t
            dist[start : start + chunk] = d
    return rpr, dist


def _bfs_distances(g: LinkGraph, us: IntArray, vs: IntArray) -> FloatArray:
    out = np.full(us.size, np.inf)
    if us.size == 0:
        return out
    src, col = np.unique(us, return_inverse=True)
    chunk = 256
    for start in range(0, src.size, chunk):
        block = src[start : start + chunk]
        sel = np.flatnonzero((col >= start) & (col < start + block.size))
        tgt, tcol = np.unique(vs[sel], return_inverse=True)
        dm = np.asarray(
            g.ig_graph.distances(source=block.tolist(), target=tgt.tolist()), dtype=np.float64
        )
        out[sel] = dm[col[sel] - start, tcol]
    return out


def pair_evidence(
    g: LinkGraph,
    us: IntArray,
    vs: IntArray,
    *,
    alpha: float,
    steps: int,
    exact_distance: bool,
    horizon: int,
) -> PairEvidence:
    """The evidence for each pair ``(us[i], vs[i])`` of ``g``, vectorised.

    Common neighbours, Jaccard, Adamic–Adar and resource allocation (weighted forms when
    ``g`` is weighted), 3-paths, truncated rooted PageRank (``steps`` steps, continuing with
    probability ``alpha``) and the hop distance: exact breadth-first distances when
    ``exact_distance``, else resolved up to ``horizon`` from the walk expansions.
    """
    shared = common(g.a, us, vs)
    cn = row_sums(shared)
    union = g.deg[us] + g.deg[vs] - cn
    jac = np.divide(cn, union, out=np.zeros_like(cn), where=union > 0)
    if g.weighted:
        ra = np.asarray(common(g.w, us, vs) @ g.inv_strength, dtype=np.float64)
        mean_w = (
            sp.csr_matrix(g.w[us].multiply(shared)) + sp.csr_matrix(g.w[vs].multiply(shared))
        ) * 0.5
        aa = np.asarray(mean_w @ g.inv_log_strength, dtype=np.float64)
    else:
        ra = np.asarray(shared @ g.inv_strength, dtype=np.float64)
        aa = np.asarray(shared @ g.inv_log_deg, dtype=np.float64)
    l3 = row_sums(sp.csr_matrix((g.a[us] @ g.a).multiply(g.a[vs])))
    rpr, dist = _local_pairs(g, us, vs, alpha, steps, 0 if exact_distance else horizon)
    if exact_distance:
        dist = _bfs_distances(g, us, vs)
    du, dv = g.deg[us], g.deg[vs]
    return PairEvidence(cn, jac, aa, ra, l3, rpr, dist, np.minimum(du, dv), np.maximum(du, dv))


def evidence_around(
    g: LinkGraph,
    ball: IntArray,
    hops: IntArray,
    is_cand: npt.NDArray[np.bool_],
    *,
    alpha: float,
    steps: int,
) -> tuple[PairEvidence, IntArray]:
    """The evidence for the pairs ``(ball[0], c)``, ``c`` the ball vertices flagged in
    ``is_cand``, from the subgraph on ``ball`` alone; and the candidates' positions in ``ball``.

    ``ball``/``hops`` are :func:`netwerk.graph.ball` of ``u = ball[0]`` on ``g.a`` with a
    radius of at least ``max(max hop of a candidate, (that + steps) // 2)``: every walk of at
    most ``steps`` steps from ``u`` to a candidate stays inside it, so the truncated rooted
    PageRank, the 3-paths and the common-neighbour family equal those of
    :func:`pair_evidence` on the whole graph; the distance is the hop count. Cost
    O(vol(ball)) (a handful of sparse products on the ball).
    """
    k = ball.size
    local = np.full(g.n, -1, dtype=np.int64)
    local[ball] = np.arange(k)
    _, pos = row_positions(g.w.indptr, ball)
    lens = g.w.indptr[ball + 1] - g.w.indptr[ball]
    rows = np.repeat(np.arange(k), lens)
    cols = local[g.w.indices[pos]]
    keep = cols >= 0
    rows, cols, wdata = rows[keep], cols[keep], g.w.data[pos][keep]
    indptr = np.r_[0, np.cumsum(np.bincount(rows, minlength=k))]
    w_b = sp.csr_matrix((wdata, cols, indptr), shape=(k, k))
    a_b = sp.csr_matrix((np.ones(cols.size), cols, indptr), shape=(k, k))
    isq = np.sqrt(g.inv_strength[ball])
    s_b = sp.csr_matrix((wdata * isq[rows] * isq[cols], cols, indptr), shape=(k, k))
    cl = np.flatnonzero(is_cand)
    # local index 0 is u; N(u) = ball vertices at hop 1
    e_u = np.zeros(k)
    e_u[0] = 1.0
    nb = (hops == 1).astype(np.float64)
    gb = ball  # global ids, for the per-vertex weights
    cn_all = a_b @ nb
    if g.weighted:
        w_u = np.asarray(w_b @ e_u, dtype=np.float64)  # w_uz at z
        ra_all = w_b @ (w_u * g.inv_strength[gb])
        ils = g.inv_log_strength[gb]
        aa_all = 0.5 * (a_b @ (w_u * ils) + w_b @ (nb * ils))
    else:
        ra_all = a_b @ (nb * g.inv_strength[gb])
        aa_all = a_b @ (nb * g.inv_log_deg[gb])
    l3_all = a_b @ (a_b @ nb)
    x = e_u
    acc = np.zeros(k)
    for t in range(1, steps + 1):
        x = s_b @ x
        acc += alpha**t * x
    cand_g = ball[cl]
    su, sv = g.strength[ball[0]], g.strength[cand_g]
    prod = su * sv
    fac = np.divide(su + sv, np.sqrt(prod), where=prod > 0, out=np.zeros_like(sv))
    rpr = (1.0 - alpha) * fac * acc[cl]
    cn = np.asarray(cn_all[cl], dtype=np.float64)
    du, dv = g.deg[ball[0]], g.deg[cand_g]
    union = du + dv - cn
    jac = np.divide(cn, union, out=np.zeros_like(cn), where=union > 0)
    raw = PairEvidence(
        cn,
        jac,
        np.asarray(aa_all[cl], dtype=np.float64),
        np.asarray(ra_all[cl], dtype=np.float64),
        np.asarray(l3_all[cl], dtype=np.float64),
        rpr,
        hops[cl].astype(np.float64),
        np.minimum(du, dv),
        np.maximum(du, dv),
    )
    return raw, cl
