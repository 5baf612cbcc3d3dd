"""Change per month over the past year, for the dashboard's small charts.

The year up to ``to`` is cut at the same day of each month (``to`` minus 12, 11, …, 0
months; the 31st becomes the month's last day). For each month ``(b[k-1], b[k]]`` the figures
are exactly those of the compare route between those two dates
(:func:`netwerk.analysis.service.compare`: ties gained and lost, the development stage at
the end), and at its end date those of the gaps route (isolated residents, groups without a
line to help, unmet needs: :func:`netwerk.analysis.service.gaps`), so a chart never says
something another page contradicts. Suggestions accepted and ties formed through them are
counted from the feedback table by the date of the decision and of the outcome.

The whole series is cached per ``(network, revision, to)``: 13 snapshots are loaded once per
revision, and a warm dashboard pays one primary-key lookup. After a write, the page is
answered at once with the previous revision's series marked ``stale`` while the new one is
computed in the background (the cold series costs 13 exact distance passes, seconds on a
1,500-actor network).
"""

from __future__ import annotations

import calendar
import datetime as dt
import threading
from dataclasses import dataclass, replace
from itertools import pairwise
from typing import Any, cast

from netwerk import cache
from netwerk.analysis import service as analysis
from netwerk.errors import ValidationFailed
from netwerk.graph import params_key
from netwerk.store.decisions import accepted_and_formed
from netwerk.store.revision import current_revision
from netwerk.store.session import Conn

__all__ = ["Month", "Trend", "month_bounds", "trend"]


@dataclass(frozen=True)
class Month:
    start: str
    """ISO date the month starts after (the compare route's ``from``)."""
    end: str
    """ISO date the month ends on (the compare route's ``to``)."""
    ties_gained: int
    ties_lost: int
    isolated: int
    """Isolated residents and key figures on ``end`` (persons)."""
    groups_without_help: int
    unmet_needs: int
    """Needs (person and theme) with no offer within reach on ``end``."""
    stage: int
    stage_code: str
    accepted: int
    """Suggestions accepted in the month (persons involved: a person count)."""
    ties_formed: int


@dataclass(frozen=True)
class Trend:
    network_id: str
    revision: int
    """The revision these figures belong to."""
    months: tuple[Month, ...]
    stale: bool = False
    """True: the network has a newer revision (``current_revision``) whose series is being
    computed in the background; these are the figures of ``revision``."""
    current_revision: int | None = None


_latest: cache.LRUCache[tuple[Any, ...], Trend] = cache.LRUCache(64)
"""The newest series computed per (network, to, months, lang, seed), of any revision."""


def _minus_months(day: dt.date, months: int) -> dt.date:
    y, m = divmod(day.year * 12 + day.month - 1 - months, 12)
    last = calendar.monthrange(y, m + 1)[1]
    return dt.date(y, m + 1, min(day.day, last))


def month_bounds(to: dt.date, months: int = 12) -> list[dt.date]:
    """``months + 1`` dates: ``to`` minus ``months`` months, …, ``to``."""
    if to.year < 1901 or to.year > 9998:
        raise ValidationFailed("to", "a date between 1901 and 9998")
    return [_minus_months(to, months - k) for k in range(months + 1)]


def _feedback(
    source: cache.Source, network_id: str, first: dt.date, last: dt.date
) -> tuple[list[dt.date], list[dt.date]]:
    lo = dt.datetime.combine(first, dt.time.min, tzinfo=dt.UTC)
    hi = dt.datetime.combine(last + dt.timedelta(days=1), dt.time.min, tzinfo=dt.UTC)

    def run(c: Conn) -> tuple[list[dt.date], list[dt.date]]:
        decided, formed = accepted_and_formed(c, network_id, lo, hi)
        return [d.date() for d in decided if d], [d.date() for d in formed if d]

    return cache.with_connection(source, run)


def trend(
    source: cache.Source,
    network_id: str,
    *,
    to: dt.date | None = None,
    months: int = 12,
    lang: str = "nl",
    seed: int = 0,
    wait: bool = True,
) -> Trend:
    """The monthly series (see the module doc). ``wait=False``: when only an older
    revision's series is at hand, answer that one (``stale``) and compute the new one in the
    background (DESIGN.md 7: global figures recompute once per revision)."""
    end = to or dt.date.today()
    revision = cache.with_connection(source, lambda c: current_revision(c, network_id))

    def run() -> Trend:
        bounds = month_bounds(end, months)
        accepted, formed = _feedback(source, network_id, bounds[0], bounds[-1])
        rows = []
        for a, b in pairwise(bounds):
            cmp = analysis.compare(source, network_id, from_date=a, to_date=b, lang=lang, seed=seed)
            counts = analysis.gaps(source, network_id, as_of=b, lang=lang, seed=seed).counts
            rows.append(
                Month(
                    start=a.isoformat(),
                    end=b.isoformat(),
                    ties_gained=cmp.ties_gained_count,
                    ties_lost=cmp.ties_lost_count,
                    isolated=int(counts.get("isolated_person", 0)),
                    groups_without_help=int(counts.get("community_without_help", 0)),
                    unmet_needs=int(counts.get("unmet_need", 0)),
                    stage=cmp.stage_after.number,
                    stage_code=cmp.stage_after.code,
                    accepted=sum(1 for d in accepted if a < d <= b),
                    ties_formed=sum(1 for d in formed if a < d <= b),
                )
            )
        return Trend(network_id=network_id, revision=revision, months=tuple(rows))

    params = {"to": end, "months": months, "lang": lang, "seed": seed}
    slot = (network_id, end, months, lang, seed)

    def compute() -> Trend:
        result = cache.cached(network_id, revision, "dashboard.trend", params, run, as_of=end)
        _latest.put(slot, result)
        return result

    key = (network_id, revision, end, "dashboard.trend", params_key(params))
    hit = cache.result_cache.get(key)
    if hit is not None:
        return cast(Trend, hit)
    previous = _latest.get(slot)
    if wait or previous is None or previous.revision > revision:
        return compute()
    threading.Thread(target=compute, name="dashboard-trend", daemon=True).start()
    return replace(previous, stale=True, current_revision=revision)
