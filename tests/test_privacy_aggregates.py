"""Viewer results are aggregate types whose person counts are marked on the type
(:mod:`netwerk.privacy`, :mod:`netwerk.aggregate`): the marks are applied, and nothing that is
not an aggregate, or that is a row about a person, can reach a viewer."""

from __future__ import annotations

import dataclasses
import typing
from dataclasses import dataclass
from typing import Annotated, Any

import pytest

from netwerk.aggregate.routes import VIEWS, for_viewer
from netwerk.analysis import service
from netwerk.analysis.key_figures import KeyFigure
from netwerk.analysis.records import ActorRef
from netwerk.privacy import (
    Cells,
    PersonCells,
    PersonCount,
    PrivacyError,
    aggregate,
    check_aggregate,
    is_aggregate,
    suppress,
)
from netwerk.suggest import service as suggest_service


@aggregate
@dataclass(frozen=True)
class Row:
    area: str
    persons: PersonCount
    density: float | None


@aggregate
@dataclass(frozen=True)
class Table:
    total: PersonCount
    ties: int
    by_kind: PersonCells
    rows: Annotated[tuple[Row, ...], Cells("persons", ("density",))]


def test_suppression_follows_the_marks_on_the_type() -> None:
    t = Table(
        total=12,
        ties=2,  # not marked: a count of ties is shown as it is
        by_kind={"resident": 9, "key_figure": 2, "professional": 1},
        rows=(Row("Merelstraat", 8, 0.5), Row("Lijstersingel", 1, 1.0), Row("Vink", 4, 0.2)),
    )
    out = suppress(t, 5)
    assert out.total == 12 and out.ties == 2
    # 2 and 1 hidden (3 < 5), so the 9 goes too, else 12 - 9 gives them away
    assert out.by_kind == {"resident": None, "key_figure": None, "professional": None}
    # 1 and 4 hidden (together 5: no longer a small cell); their densities (which give a
    # size away) with them
    assert [(r.persons, r.density) for r in out.rows] == [(8, 0.5), (None, None), (None, None)]
    assert suppress(Table(3, 0, {}, ()), 5).total is None
    # suppressing twice changes nothing: a hidden cell stays hidden, never becomes 0
    assert suppress(out, 5) == out


def test_a_single_hidden_cell_takes_another_with_it() -> None:
    rows = (Row("A", 7, None), Row("B", 1, None), Row("C", 6, None))
    out = suppress(Table(14, 0, {}, rows), 5)
    assert [r.persons for r in out.rows] == [7, None, None]


def test_only_aggregates_without_person_rows_pass() -> None:
    check_aggregate(ActorRef("org1", "organisation", False))
    with pytest.raises(PrivacyError, match="about a person"):
        check_aggregate((ActorRef("r1", "resident", True),))
    figure = KeyFigure("r1", "resident", True, False, False, 3, 0, 1, 1, None, 0.0, 1, ())
    with pytest.raises(PrivacyError, match="not an aggregate type"):
        check_aggregate({"unrecognised": [figure]})


def _dataclasses_in(hint: Any, seen: set[type]) -> None:
    for arg in typing.get_args(hint):
        _dataclasses_in(arg, seen)
    if isinstance(hint, type) and dataclasses.is_dataclass(hint) and hint not in seen:
        seen.add(hint)
        for h in typing.get_type_hints(hint, include_extras=True).values():
            _dataclasses_in(h, seen)


def test_every_viewer_view_is_built_from_aggregate_types_only() -> None:
    """Statically: every type a viewer function returns, and every type inside it."""
    seen: set[type] = set()
    for fn in VIEWS.values():
        _dataclasses_in(typing.get_type_hints(fn)["return"], seen)
    assert len(seen) >= 20
    assert not [t.__name__ for t in seen if not is_aggregate(t)]
    assert ActorRef in seen  # allowed, and refused at run time when it is a person


def test_a_route_function_without_a_view_never_reaches_a_viewer() -> None:
    assert for_viewer(service.gaps) is VIEWS[service.gaps]
    assert for_viewer(suggest_service.stats) is VIEWS[suggest_service.stats]
    with pytest.raises(PrivacyError):
        for_viewer(suggest_service.weave)
