"""Consent rules of DESIGN.md section 6 and small-cell suppression (property-based)."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from netwerk.privacy import (
    anonymous_label,
    may_be_suggested,
    may_export_for_research,
    shown_as_pseudonym,
    suppress_counts,
)


@pytest.mark.parametrize(
    ("kind", "consent", "suggest", "pseudonym", "export"),
    [
        ("resident", "given", True, False, True),
        ("resident", "unknown", False, False, False),
        ("resident", None, False, False, False),  # unknown is the default
        ("resident", "withdrawn", False, True, False),
        ("key_figure", "withdrawn", False, True, False),
        ("professional", "given", True, False, True),
        ("organisation", None, True, False, True),
        ("initiative", None, True, False, True),
        ("place", None, True, False, True),
    ],
)
def test_consent_table(
    kind: str, consent: str | None, suggest: bool, pseudonym: bool, export: bool
) -> None:
    assert may_be_suggested(kind, consent) is suggest
    assert shown_as_pseudonym(kind, consent) is pseudonym
    assert may_export_for_research(kind, consent) is export


def test_anonymous_label_is_stable_and_says_nothing() -> None:
    assert anonymous_label("abc") == anonymous_label("abc") != anonymous_label("abd")
    assert "abc" not in anonymous_label("abc")


def test_worked_example() -> None:
    cells = suppress_counts({"Noord": 12, "Zuid": 3, "West": 9, "Oost": 0}, 5)
    shown = {c.label: c.count for c in cells}
    # Zuid (3) is small; hiding it alone would let total - shown recover it, so the
    # smallest other non-zero cell (West) is hidden too. A zero is not disclosive.
    assert shown == {"Noord": 12, "Zuid": None, "West": None, "Oost": 0}


@settings(max_examples=400, deadline=None)
@given(
    st.lists(st.integers(min_value=0, max_value=60), min_size=1, max_size=12),
    st.integers(min_value=2, max_value=11),
)
def test_no_small_count_is_revealed_directly_or_by_subtraction(
    counts: list[int], threshold: int
) -> None:
    cells = suppress_counts([(str(i), n) for i, n in enumerate(counts)], threshold)
    total = sum(counts)
    visible = [c.count for c in cells if not c.suppressed]
    # directly: no visible count in 1 .. threshold-1
    assert all(n == 0 or n >= threshold for n in visible if n is not None)
    hidden = [counts[i] for i, c in enumerate(cells) if c.suppressed]
    if not hidden:
        return
    # by subtraction: the viewer knows total - sum(visible) = sum(hidden). That sum must not
    # be a small count, nor pin down a single hidden cell.
    recovered = total - sum(n for n in visible if n is not None)
    assert recovered == sum(hidden)
    if total >= threshold:
        assert len(hidden) >= 2 and recovered >= threshold
    else:
        # the whole table is a small cell: every non-zero count is hidden (and a caller
        # must not publish such a total either)
        assert all(c.suppressed for c, n in zip(cells, counts, strict=True) if n > 0)
