"""Outcomes re-weight the suggestions, per network.

Method
------
Every suggestion the API shows is stored with its *terms* (:mod:`.impressions`): the value
terms at the prior weights (:class:`~.suggestions.ValueWeights`), the feasibility log-odds,
the attribute parts of it (``same_area``, ``shared_language``, ``shared_place``) and whether
a key figure knows both (``key_figure_contact``). When a network has at least
:data:`MIN_OUTCOMES` suggestions with a known result — declined (no tie), or accepted with an
outcome (``tie_formed`` is 1, any other outcome 0); ``not_now`` and accepted suggestions
still waiting for their outcome are left out — a logistic model of *tie formed* is fitted
on those terms:

``logit P(tie) = a + g * feasibility_logodds + sum_j h_j * attribute_j + k * key_figure_contact
+ sum_v b_v * value_term_v``

by maximum a posteriori estimation (Newton steps) under a Gaussian prior centred on the
current ranking: ``g ~ N(1, s^2)``, the attribute and key-figure coefficients ``~ N(0, s^2)``
(``s`` = :data:`PRIOR_SD`, 1) and the value-term coefficients ``~ N(0, v^2)`` (``v`` =
:data:`VALUE_PRIOR_SD`, 0.5: what a network values moves more slowly than what it finds
likely), so that with few outcomes the weights stay near the prior and move only as
far as the evidence carries them (Bayesian logistic regression with a Laplace approximation
for the uncertainty; Gelman et al. 2008; MacKay 1992). The ranking then uses

* each value term multiplied by ``exp(b_v)`` — the odds ratio of success per value point,
  so a term whose introductions hold more often counts more — bounded to
  [:data:`VALUE_FLOOR`, :data:`VALUE_CAP`]: no value term drops below half its prior weight,
  so a network cannot learn to stop suggesting isolated residents because such
  introductions are harder;
* the feasibility log-odds scaled by ``g``, bounded to [1, 3] — the feasibility never weighs
  less than in the prior: among the suggestions a network has decided, which were all
  ranked high already, its link to success looks weaker than it is (selection), and a
  flatter feasibility would let value alone pick the top — plus the learned attribute and
  key-figure terms (bounded to [-3, 3]) on top of it.

Uncertainty: the 90 % interval of each multiplier from the Laplace approximation of the
posterior (``exp(b +- 1.645 se)``), before bounding.

Complexity: one query over the network's decided impressions, then O(n p^2) for n outcomes
and p = 12 terms per Newton step (a few milliseconds for thousands of outcomes).

References
----------
Gelman A., Jakulin A., Pittau M.G., Su Y.-S. (2008) A weakly informative default prior
distribution for logistic and other regression models. Ann Appl Stat 2(4):1360-1383.
doi:10.1214/08-AOAS191.
MacKay D.J.C. (1992) The evidence framework applied to classification networks. Neural
Computation 4(5):720-736. doi:10.1162/neco.1992.4.5.720.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from netwerk.errors import NotFound
from netwerk.graph import FloatArray
from netwerk.store.learning import (
    count_outcomes,
    delete_weights,
    network_known,
    outcome_rows,
    stored_weights,
    weights_row,
)
from netwerk.store.session import Conn, Session
from netwerk.store.tables import SuggestionWeights
from netwerk.suggest.codes import VALUE_CODES

__all__ = [
    "ATTRIBUTE_TERMS",
    "FEASIBILITY_TERMS",
    "MIN_OUTCOMES",
    "VALUE_FLOOR",
    "LearnedWeights",
    "WeightReport",
    "fit",
    "load_weights",
    "refit",
    "reset_weights",
    "weight_report",
]


MIN_OUTCOMES = 100
REFIT_EVERY = 10
PRIOR_SD = 1.0
VALUE_PRIOR_SD = 0.5
VALUE_FLOOR = 0.5
VALUE_CAP = 3.0
FEASIBILITY_BOUNDS = (1.0, 3.0)
ADDITIVE_BOUNDS = (-3.0, 3.0)
Z90 = 1.6449
METHOD = "Bayesian logistic regression (Gaussian prior at the current weights, Laplace)"

#: Attribute parts of the feasibility log-odds the outcomes may re-weight.
ATTRIBUTE_TERMS: tuple[str, ...] = ("same_area", "shared_language", "shared_place")
#: Every non-value term of an impression, in the model's column order.
FEASIBILITY_TERMS: tuple[str, ...] = ("feasibility", *ATTRIBUTE_TERMS, "key_figure_contact")
TERMS: tuple[str, ...] = (*FEASIBILITY_TERMS, *VALUE_CODES)


@dataclass(frozen=True)
class LearnedWeights:
    """What ranks a network's suggestions: ``value`` multiplies each value term (1 = prior),
    ``feasibility`` scales the feasibility log-odds, ``attributes`` and ``key_figure_contact``
    add log-odds points. ``source`` is ``prior`` or ``learned`` (then ``fitted_at`` and
    ``outcomes`` say when, on how much evidence)."""

    value: Mapping[str, float] = field(default_factory=lambda: dict.fromkeys(VALUE_CODES, 1.0))
    feasibility: float = 1.0
    attributes: Mapping[str, float] = field(
        default_factory=lambda: dict.fromkeys(ATTRIBUTE_TERMS, 0.0)
    )
    key_figure_contact: float = 0.0
    source: str = "prior"
    fitted_at: dt.datetime | None = None
    outcomes: int = 0

    @property
    def label(self) -> str:
        """Short provenance: ``prior`` or ``learned@<iso time>/<outcomes>``."""
        if self.source == "prior" or self.fitted_at is None:
            return "prior"
        return f"learned@{self.fitted_at.isoformat(timespec='seconds')}/{self.outcomes}"

    def value_vector(self) -> FloatArray:
        return np.array([float(self.value.get(c, 1.0)) for c in VALUE_CODES])

    def provenance(self) -> dict[str, Any]:
        """Which weights ranked a list, for its provenance (and each stored item's model
        version, :mod:`.impressions`): ``prior`` or ``learned``, when, on how many outcomes,
        and the learned multipliers."""
        out: dict[str, Any] = {
            "weights": self.source,
            "weights_fitted_at": self.fitted_at.isoformat() if self.fitted_at else None,
            "weights_outcomes": self.outcomes,
        }
        if self.source != "prior":
            out.update({f"learned_{k}": round(v, 4) for k, v in self.as_multipliers().items()})
        return out

    def as_multipliers(self) -> dict[str, float]:
        out = {"feasibility": self.feasibility, "key_figure_contact": self.key_figure_contact}
        out.update({k: float(v) for k, v in self.attributes.items()})
        out.update({k: float(v) for k, v in self.value.items()})
        return out


PRIOR = LearnedWeights()


@dataclass(frozen=True)
class TermWeight:
    """One learned term: its weight as used (bounded), the estimate before bounding and its
    90 % interval, and whether a bound applied."""

    term: str
    kind: str
    prior: float
    weight: float
    estimate: float
    low: float
    high: float
    bounded: bool


@dataclass(frozen=True)
class WeightReport:
    """The weights a network's suggestions are ranked with, for admins."""

    network_id: str
    source: str
    fitted_at: dt.datetime | None
    outcomes: int
    positives: int
    outcomes_available: int
    min_outcomes: int
    value_floor: float
    method: str
    terms: tuple[TermWeight, ...]


# --------------------------------------------------------------------------- fitting


@dataclass(frozen=True)
class Fit:
    weights: LearnedWeights
    estimate: dict[str, float]
    interval: dict[str, tuple[float, float]]
    positives: int


def _bounded(term: str, raw: float) -> float:
    if term in VALUE_CODES:
        return float(np.clip(math.exp(raw), VALUE_FLOOR, VALUE_CAP))
    if term == "feasibility":
        return float(np.clip(raw, *FEASIBILITY_BOUNDS))
    return float(np.clip(raw, *ADDITIVE_BOUNDS))


def _shown(term: str, raw: float) -> float:
    return math.exp(raw) if term in VALUE_CODES else raw


def fit(
    x: FloatArray, y: FloatArray, *, now: dt.datetime | None = None, prior_sd: float = PRIOR_SD
) -> Fit:
    """MAP logistic fit of ``y`` (tie formed 1/0) on the term matrix ``x`` (columns
    :data:`TERMS`) under the prior of the module doc; returns the bounded weights."""
    n, p = x.shape
    if p != len(TERMS):
        raise ValueError(f"expected {len(TERMS)} columns, got {p}")
    # Newton steps on standardised columns (the prior transformed with them), halved until
    # the log posterior rises: well conditioned even when a term hardly varies.
    mu = x.mean(axis=0)
    sd = x.std(axis=0)
    live = sd > 1e-9
    scale = np.where(live, sd, 1.0)
    z = np.column_stack([np.ones(n), (x - mu) / scale])
    prior_mean = np.zeros(p)
    prior_mean[TERMS.index("feasibility")] = 1.0
    mean = np.r_[0.0, prior_mean * scale]
    sds = np.array([VALUE_PRIOR_SD if t in VALUE_CODES else prior_sd for t in TERMS])
    precision = np.r_[1e-4, np.where(live, 1.0 / (sds * scale) ** 2, 1e12)]

    def log_post(w: FloatArray) -> float:
        eta = z @ w
        ll = float(np.sum(y * eta - np.logaddexp(0.0, eta)))
        return ll - 0.5 * float(np.sum(precision * (w - mean) ** 2))

    w = mean.copy()
    w[0] = math.log((y.sum() + 0.5) / (n - y.sum() + 0.5)) - float(np.mean(z[:, 1:] @ w[1:]))
    current = log_post(w)
    hess = np.diag(precision)
    for _ in range(100):
        prob = 1.0 / (1.0 + np.exp(-np.clip(z @ w, -35.0, 35.0)))
        grad = z.T @ (prob - y) + precision * (w - mean)
        hess = (z * (prob * (1.0 - prob))[:, None]).T @ z + np.diag(precision)
        step = np.linalg.solve(hess, grad)
        t = 1.0
        while t > 1e-6:
            trial = w - t * step
            value = log_post(trial)
            if value >= current - 1e-12:
                break
            t /= 2
        w, current = trial, value
        if float(np.max(np.abs(t * step))) < 1e-8:
            break
    cov = np.linalg.inv(hess)
    beta = w[1:] / scale
    se_beta = np.sqrt(np.clip(np.diag(cov)[1:], 0.0, None)) / scale
    w = np.r_[w[0] - float(np.sum(beta * mu)), beta]
    se = np.r_[0.0, se_beta]
    est = {t: float(w[1 + i]) for i, t in enumerate(TERMS)}
    interval = {
        t: (_shown(t, est[t] - Z90 * float(se[1 + i])), _shown(t, est[t] + Z90 * float(se[1 + i])))
        for i, t in enumerate(TERMS)
    }
    weights = LearnedWeights(
        value={c: _bounded(c, est[c]) for c in VALUE_CODES},
        feasibility=_bounded("feasibility", est["feasibility"]),
        attributes={c: _bounded(c, est[c]) for c in ATTRIBUTE_TERMS},
        key_figure_contact=_bounded("key_figure_contact", est["key_figure_contact"]),
        source="learned",
        fitted_at=now or dt.datetime.now(dt.UTC),
        outcomes=n,
    )
    return Fit(weights, est, interval, int(y.sum()))


def term_matrix(terms: Sequence[Mapping[str, float]]) -> FloatArray:
    """Rows of impression terms as the model's matrix (missing terms are 0)."""
    return np.array([[float(t.get(c, 0.0) or 0.0) for c in TERMS] for t in terms]).reshape(
        len(terms), len(TERMS)
    )


# --------------------------------------------------------------------------- store


def _outcome_rows(conn: Conn, network_id: str) -> list[tuple[dict[str, float], int]]:
    """(terms, tie formed) of the network's suggestions with a known result, oldest first."""
    return [
        (dict(terms or {}) if isinstance(terms, dict) else {}, int(outcome == "tie_formed"))
        for terms, outcome in outcome_rows(conn, network_id)
    ]


def _from_row(row: SuggestionWeights | None) -> LearnedWeights:
    if row is None:
        return PRIOR
    m = dict(row.multipliers or {})
    return LearnedWeights(
        value={c: float(m.get(c, 1.0)) for c in VALUE_CODES},
        feasibility=float(m.get("feasibility", 1.0)),
        attributes={c: float(m.get(c, 0.0)) for c in ATTRIBUTE_TERMS},
        key_figure_contact=float(m.get("key_figure_contact", 0.0)),
        source="learned",
        fitted_at=row.fitted_at,
        outcomes=int(row.outcomes),
    )


def load_weights(conn: Conn, network_id: str) -> LearnedWeights:
    """The network's learned weights (one primary-key lookup), else the prior."""
    return _from_row(weights_row(conn, network_id))


def refit(
    session: Session, network_id: str, *, force: bool = False, now: dt.datetime | None = None
) -> LearnedWeights:
    """Fit and store the weights when the network has enough outcomes (at least
    :data:`MIN_OUTCOMES`, and :data:`REFIT_EVERY` more than at the last fit unless
    ``force``); returns the weights that rank from now on. Runs in the caller's
    transaction."""
    available = count_outcomes(session, network_id)
    current = stored_weights(session, network_id)
    if available < MIN_OUTCOMES:
        return _from_row(current)
    if current is not None and not force and available - current.outcomes < REFIT_EVERY:
        return _from_row(current)
    rows = _outcome_rows(session, network_id)
    x = term_matrix([r[0] for r in rows])
    y = np.array([r[1] for r in rows], dtype=np.float64)
    result = fit(x, y, now=now)
    w = result.weights
    values = {
        "multipliers": w.as_multipliers(),
        "spread": {t: [result.estimate[t], *result.interval[t]] for t in TERMS},
        "outcomes": len(rows),
        "positives": result.positives,
        "method": METHOD,
        "fitted_at": w.fitted_at,
    }
    if current is None:
        session.add(SuggestionWeights(network_id=network_id, **values))
    else:
        for key, value in values.items():
            setattr(current, key, value)
    session.flush()
    return w


def reset_weights(session: Session, network_id: str) -> bool:
    """Back to the prior weights (the outcomes stay; the next refit starts afresh)."""
    if not network_known(session, network_id):
        raise NotFound("network", network_id)
    return delete_weights(session, network_id)


def weight_report(conn: Conn, network_id: str) -> WeightReport:
    """The weights with their uncertainty (admins)."""
    if not network_known(conn, network_id):
        raise NotFound("network", network_id)
    row = weights_row(conn, network_id)
    available = count_outcomes(conn, network_id)
    weights = _from_row(row)
    multipliers = weights.as_multipliers()
    spread: dict[str, list[float]] = dict(row.spread or {}) if row is not None else {}
    terms = []
    for term in TERMS:
        prior = 1.0 if term in VALUE_CODES or term == "feasibility" else 0.0
        used = float(multipliers.get(term, prior))
        stored: list[float | None] = [*(spread.get(term) or []), None, None, None]
        est, low, high = stored[:3]
        shown_est = _shown(term, float(est)) if est is not None else used
        terms.append(
            TermWeight(
                term=term,
                kind="value" if term in VALUE_CODES else "feasibility",
                prior=prior,
                weight=round(used, 4),
                estimate=round(shown_est, 4),
                low=round(float(low), 4) if low is not None else used,
                high=round(float(high), 4) if high is not None else used,
                bounded=abs(shown_est - used) > 1e-9,
            )
        )
    return WeightReport(
        network_id=network_id,
        source=weights.source,
        fitted_at=weights.fitted_at,
        outcomes=weights.outcomes,
        positives=int(row.positives) if row is not None else 0,
        outcomes_available=available,
        min_outcomes=MIN_OUTCOMES,
        value_floor=VALUE_FLOOR,
        method=METHOD if row is not None else "prior weights (not enough outcomes yet)",
        terms=tuple(terms),
    )
