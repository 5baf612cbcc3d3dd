"""Statistics of the suggestions, computed from what was shown.

For every shown suggestion (:mod:`.impressions`) and every decision on it (:mod:`.feedback`),
counted overall, per reason code, per suggestion kind, per origin (``actor``, ``weave``,
``activation``; ``pair`` for feedback in the pair form on a pair never shown through the API,
which counts as shown once) and, for admins, per broker (the token that asked):

* ``shown``, ``decided`` (``accepted + declined + not_now``), each decision and outcome;
* ``acceptance_rate = accepted / decided``, ``tie_rate = tie_formed / outcomes known``,
  ``success_rate = tie_formed / accepted`` and ``tie_per_shown = tie_formed / shown``, each
  with its 95 % Wilson score interval (Wilson 1927; recommended over the Wald interval for
  small counts by Brown, Cai & DasGupta 2001). A rate is ``None`` when its denominator is 0.

A suggestion with several reasons counts once for each of its reason codes. ``since`` and
``until`` (dates, inclusive) select what was shown (pair-form feedback: decided) in that range.

Counting is two set-based ``GROUP BY`` queries (impressions left-joined to their decision;
pair-form feedback), whatever the number of rows. Viewers get the aggregate view
(:func:`netwerk.aggregate.build.stats`): counts below the network's small-cell threshold
suppressed, with secondary suppression over the kinds, and no rate or interval computed from a
suppressed count.

References
----------
Wilson E.B. (1927) Probable inference, the law of succession, and statistical inference.
JASA 22(158):209-212. doi:10.1080/01621459.1927.10502953.
Brown L.D., Cai T.T., DasGupta A. (2001) Interval estimation for a binomial proportion.
Statistical Science 16(2):101-133. doi:10.1214/ss/1009213286.
Herlocker J.L., Konstan J.A., Terveen L.G., Riedl J.T. (2004) Evaluating collaborative
filtering recommender systems. ACM TOIS 22(1):5-53. doi:10.1145/963770.963772.
"""

from __future__ import annotations

import datetime as dt
import json
import math
from dataclasses import dataclass
from typing import Any

from netwerk.errors import NotFound, ValidationFailed
from netwerk.store.learning import network_known
from netwerk.store.session import Conn
from netwerk.store.stats import decision_counts, token_names
from netwerk.suggest.codes import OUTCOMES

__all__ = ["FeedbackStats", "RateRow", "stats", "wilson"]

Z95 = 1.959964
Interval = tuple[float, float]


def wilson(k: int, n: int, z: float = Z95) -> Interval | None:
    """The Wilson score interval of ``k`` successes in ``n`` trials (``None`` when n = 0)."""
    if n <= 0:
        return None
    p = k / n
    d = 1.0 + z * z / n
    centre = (p + z * z / (2 * n)) / d
    half = z / d * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
    return (round(max(0.0, centre - half), 4), round(min(1.0, centre + half), 4))


@dataclass(frozen=True)
class RateRow:
    """Counts and rates for one group of suggestions (a reason code, a kind, an origin, a
    broker, or all). ``suggestions`` is ``decided`` (kept for older clients)."""

    key: str
    shown: int
    decided: int
    suggestions: int
    accepted: int
    declined: int
    not_now: int
    outcomes: dict[str, int]
    outcomes_known: int
    tie_formed: int
    acceptance_rate: float | None
    acceptance_interval: Interval | None
    tie_rate: float | None
    tie_rate_interval: Interval | None
    success_rate: float | None
    success_interval: Interval | None
    tie_per_shown: float | None
    tie_per_shown_interval: Interval | None


@dataclass(frozen=True)
class FeedbackStats:
    network_id: str
    since: dt.date | None
    until: dt.date | None
    total: RateRow
    by_reason: tuple[RateRow, ...]
    by_kind: tuple[RateRow, ...]
    by_origin: tuple[RateRow, ...]
    by_broker: tuple[RateRow, ...] | None
    """Per token that asked (admins only; ``None`` for other roles)."""
    broker_names: dict[str, str] | None
    """The names of those tokens, as admins see them in the token list (admins only)."""
    definitions: dict[str, str]


class _Tally:
    __slots__ = ("accepted", "declined", "not_now", "outcomes", "shown")

    def __init__(self) -> None:
        self.shown = 0
        self.accepted = 0
        self.declined = 0
        self.not_now = 0
        self.outcomes: dict[str, int] = dict.fromkeys(OUTCOMES, 0)

    def add(self, decision: str | None, outcome: str | None, count: int) -> None:
        self.shown += count
        if decision == "accepted":
            self.accepted += count
        elif decision == "declined":
            self.declined += count
        elif decision == "not_now":
            self.not_now += count
        if outcome in self.outcomes:
            self.outcomes[outcome] += count

    def row(self, key: str) -> RateRow:
        decided = self.accepted + self.declined + self.not_now
        known = sum(self.outcomes.values())
        tie = self.outcomes["tie_formed"]
        return _rates(
            key,
            self.shown,
            decided,
            self.accepted,
            self.declined,
            self.not_now,
            dict(self.outcomes),
            known,
            tie,
        )


def _rate(a: int, b: int) -> tuple[float | None, Interval | None]:
    if b == 0:
        return None, None
    return round(a / b, 4), wilson(a, b)


def _rates(
    key: str,
    shown: int,
    decided: int,
    accepted: int,
    declined: int,
    not_now: int,
    outcomes: dict[str, int],
    known: int,
    tie: int,
) -> RateRow:
    acc, acc_i = _rate(accepted, decided)
    tr, tr_i = _rate(tie, known)
    sr, sr_i = _rate(tie, accepted)
    ts, ts_i = _rate(tie, shown)
    return RateRow(
        key=key,
        shown=shown,
        decided=decided,
        suggestions=decided,
        accepted=accepted,
        declined=declined,
        not_now=not_now,
        outcomes=outcomes,
        outcomes_known=known,
        tie_formed=tie,
        acceptance_rate=acc,
        acceptance_interval=acc_i,
        tie_rate=tr,
        tie_rate_interval=tr_i,
        success_rate=sr,
        success_interval=sr_i,
        tie_per_shown=ts,
        tie_per_shown_interval=ts_i,
    )


def _codes(raw: Any) -> list[str]:
    if raw is None:
        return []
    if isinstance(raw, list):
        return [str(x) for x in raw]
    value = json.loads(raw)
    return [str(x) for x in value] if isinstance(value, list) else []


def stats(
    conn: Conn,
    network_id: str,
    *,
    since: dt.date | None = None,
    until: dt.date | None = None,
    by_broker: bool = False,
) -> FeedbackStats:
    """Counts and rates of the shown suggestions (see the module doc)."""
    if not network_known(conn, network_id):
        raise NotFound("network", network_id)
    if since is not None and until is not None and until < since:
        raise ValidationFailed("until", "the end of the range is before its start")
    counted = decision_counts(conn, network_id, since, until)
    total = _Tally()
    groups: dict[str, dict[str, _Tally]] = {"reason": {}, "kind": {}, "origin": {}, "broker": {}}
    for origin, kind, raw, token, decision, outcome, count in counted:
        n = int(count)
        total.add(decision, outcome, n)
        groups["kind"].setdefault(kind, _Tally()).add(decision, outcome, n)
        groups["origin"].setdefault(origin, _Tally()).add(decision, outcome, n)
        groups["broker"].setdefault(token or "unknown", _Tally()).add(decision, outcome, n)
        for code in dict.fromkeys(_codes(raw)):
            groups["reason"].setdefault(code, _Tally()).add(decision, outcome, n)

    def rows(name: str) -> tuple[RateRow, ...]:
        g = groups[name]
        return tuple(g[k].row(k) for k in sorted(g))

    names: dict[str, str] | None = None
    if by_broker:
        tokens = sorted(groups["broker"])
        names = token_names(conn, tokens)

    return FeedbackStats(
        network_id=network_id,
        since=since,
        until=until,
        total=total.row("all"),
        by_reason=rows("reason"),
        by_kind=rows("kind"),
        by_origin=rows("origin"),
        by_broker=rows("broker") if by_broker else None,
        broker_names=names,
        definitions={
            "shown": "suggestions shown through the API (pair-form feedback on a pair never "
            "shown counts as shown once)",
            "acceptance_rate": "accepted / (accepted + declined + not_now)",
            "tie_rate": "tie_formed / accepted suggestions with a known outcome",
            "success_rate": "tie_formed / accepted",
            "tie_per_shown": "tie_formed / shown",
            "intervals": "95 % Wilson score intervals",
        },
    )
