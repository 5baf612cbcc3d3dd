"""The records every analysis result is made of (provenance, actor references) and the small

Every analysis returns a frozen dataclass of plain values (str, int, float, bool, None,
tuples, dicts and nested frozen dataclasses): usable as a FastAPI response model as it is,
and safe to share between threads from the cache. Every result carries a
:class:`Provenance`. Every entry about one actor carries ``actor_id`` and ``kind`` (and
``person``) so the API can hide person-level entries from roles that may only see
aggregates (DESIGN.md 6).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import igraph as ig
import numpy as np
import numpy.typing as npt

from netwerk.errors import ValidationFailed
from netwerk.graph import ACTOR_KINDS, PERSONS, Snapshot
from netwerk.privacy import aggregate

__all__ = [
    "ActorRef",
    "Param",
    "Provenance",
    "actor_ref",
    "check_kinds",
    "num",
    "percentile_rank",
    "provenance",
    "ranked",
    "t_quantile",
]

Param = str | int | float | bool | None


@aggregate
@dataclass(frozen=True)
class Provenance:
    """Where a result comes from: method, sources, parameters, randomness and data version."""

    method: str
    references: tuple[str, ...]
    parameters: dict[str, Param]
    seed: int | None
    network_id: str
    revision: int
    as_of: str
    """ISO date the ties were active on."""
    exact: bool = True
    """False when the result is estimated from a sample (the result states the error)."""
    engine: str = field(default_factory=lambda: f"igraph {ig.__version__}")
    current_revision: int | None = None
    """The network's revision when answered: ``revision`` unless the result is stale."""
    stale: bool = False
    """True when the result is of an older revision (the one before the last write) and the
    current one is being computed (:mod:`netwerk.analysis.service`)."""


def provenance(
    snapshot: Snapshot,
    method: str,
    references: Iterable[str],
    parameters: Mapping[str, Any],
    *,
    seed: int | None = None,
    exact: bool = True,
) -> Provenance:
    """The provenance record of a result computed on ``snapshot``.

    Examples
    --------
    >>> import networkx as nx
    >>> from netwerk.graph import snapshot_from_networkx
    >>> s = snapshot_from_networkx(nx.star_graph(4))  # 0 in the middle
    >>> p = provenance(s, 'example', ['Freeman L.C. (1978)'], {'top': 5})
    >>> p.method, p.parameters, p.revision, p.exact
    ('example', {'top': 5}, 0, True)
    """
    return Provenance(
        method=method,
        references=tuple(references),
        parameters={k: _param(v) for k, v in parameters.items()},
        seed=seed,
        network_id=snapshot.network_id,
        revision=snapshot.revision,
        as_of=snapshot.as_of.isoformat(),
        exact=exact,
        current_revision=snapshot.revision,
    )


def _param(value: Any) -> Param:
    if value is None or isinstance(value, str | bool | int | float):
        return value
    if isinstance(value, list | tuple | set | frozenset):
        return ",".join(str(v) for v in value)
    return str(value)


@aggregate
@dataclass(frozen=True)
class ActorRef:
    """One actor, without name: the API joins names in for roles allowed to see them."""

    actor_id: str
    kind: str
    person: bool


def actor_ref(snapshot: Snapshot, v: int) -> ActorRef:
    """The actor at vertex ``v``: its id, kind and whether it is a person.

    Examples
    --------
    >>> import networkx as nx
    >>> from netwerk.graph import snapshot_from_networkx
    >>> s = snapshot_from_networkx(nx.star_graph(4))  # 0 in the middle
    >>> actor_ref(s, 0)
    ActorRef(actor_id='0', kind='resident', person=True)
    """
    kind = snapshot.kind[v]
    return ActorRef(actor_id=snapshot.ids[v], kind=kind, person=kind in PERSONS)


def num(x: Any, digits: int | None = None) -> float | None:
    """A JSON-safe float: NaN and infinities become None.

    Examples
    --------
    >>> import numpy as np
    >>> num(np.float64(2.0 / 3), 3), num(float('nan')), num(None)
    (0.667, None, None)
    """
    if x is None:
        return None
    f = float(x)
    if math.isnan(f) or math.isinf(f):
        return None
    return round(f, digits) if digits is not None else f


def check_kinds(kind: str | Sequence[str] | None, field_name: str = "kind") -> tuple[str, ...]:
    """Validate an actor-kind filter (``"resident"``, ``"resident,key_figure"`` or a list).

    Examples
    --------
    >>> check_kinds('resident,key_figure')
    ('resident', 'key_figure')
    >>> check_kinds(None)
    ()
    """
    if kind is None:
        return ()
    items = kind.split(",") if isinstance(kind, str) else list(kind)
    out: list[str] = []
    for item in items:
        k = item.strip()
        if not k:
            continue
        if k not in ACTOR_KINDS:
            raise ValidationFailed(
                field_name, f"'{k[:30]}' is not an actor kind: use one of {', '.join(ACTOR_KINDS)}"
            )
        out.append(k)
    return tuple(dict.fromkeys(out))


def check_positive(value: int, field_name: str, *, maximum: int | None = None) -> int:
    if not isinstance(value, int) or value < 1 or (maximum is not None and value > maximum):
        limit = f" and at most {maximum}" if maximum is not None else ""
        raise ValidationFailed(field_name, f"must be a whole number of at least 1{limit}")
    return value


def ranked(
    snapshot: Snapshot,
    values: npt.NDArray[np.float64],
    *,
    kinds: Sequence[str] = (),
    top: int | None = None,
    descending: bool = True,
    eligible: npt.NDArray[np.bool_] | None = None,
) -> npt.NDArray[np.int64]:
    """Vertices ordered by value (ties broken by actor id), filtered by kind; NaN last.

    Examples
    --------
    >>> import networkx as nx
    >>> from netwerk.graph import snapshot_from_networkx
    >>> s = snapshot_from_networkx(nx.star_graph(4))  # 0 in the middle
    >>> ranked(s, s.degree.astype(float), top=2).tolist()
    [0, 1]
    """
    mask = np.ones(snapshot.n, dtype=bool) if not kinds else snapshot.kind_mask(*kinds)
    if eligible is not None:
        mask &= eligible
    cand = np.flatnonzero(mask & ~np.isnan(values))
    if not len(cand):
        return cand.astype(np.int64)
    vals = values[cand]
    key = -vals if descending else vals
    if top is not None and len(cand) > 4 * top:
        # keep the candidates up to the top-th value (ties included) before sorting
        cut = np.partition(key, top - 1)[top - 1]
        keep = key <= cut
        cand, key = cand[keep], key[keep]
    # stable lexicographic: value first, then actor id (vertex order is id order)
    order = np.lexsort((cand, key))
    out = cand[order]
    return (out[:top] if top is not None else out).astype(np.int64)


def percentile_rank(
    values: npt.NDArray[np.float64], among: npt.NDArray[np.bool_]
) -> npt.NDArray[np.float64]:
    """Per vertex, the share of ``among`` vertices with a value <= its own (0..1).

    Examples
    --------
    >>> import numpy as np
    >>> values = np.array([1.0, 2.0, 3.0, 4.0])
    >>> among = np.array([True, True, True, False])  # ranked among the first three
    >>> [round(p, 2) for p in percentile_rank(values, among).tolist()]
    [0.33, 0.67, 1.0, 1.0]
    """
    ref = np.sort(values[among])
    if not len(ref):
        return np.zeros(len(values))
    return np.searchsorted(ref, values, side="right") / len(ref)


_T975 = (
    12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228,
    2.201, 2.179, 2.160, 2.145, 2.131, 2.120, 2.110, 2.101, 2.093, 2.086,
    2.080, 2.074, 2.069, 2.064, 2.060, 2.056, 2.052, 2.048, 2.045, 2.042,
)  # fmt: skip


def t_quantile(df: int) -> float:
    """Two-sided 95% Student-t quantile for ``df`` degrees of freedom.

    Examples
    --------
    >>> round(t_quantile(10), 3), round(t_quantile(1000), 2)
    (2.228, 1.96)
    """
    if df < 1:
        return math.inf
    if df <= len(_T975):
        return _T975[df - 1]
    return 1.96 + 2.4 / df  # within 0.002 of the exact quantile for df > 30
