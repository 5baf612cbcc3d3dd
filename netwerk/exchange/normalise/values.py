"""Reading one cell: typed attribute values, dates, tie strengths, stripped text."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from netwerk.errors import ValidationFailed
from netwerk.model import Scalar

from ..records import Text
from .vocab import _STRENGTH_WORDS, _norm

__all__ = ["infer_scalar"]

_INT = re.compile(r"^-?(0|[1-9]\d{0,17})$")
_FLOAT = re.compile(r"^-?\d+\.\d+([eE][-+]?\d+)?$")


def infer_scalar(value: str) -> Scalar:
    """A CSV cell as a typed attribute: ``true``/``false``, integers, decimals, else text
    (a cell the file marks as text stays text)."""
    if isinstance(value, Text):
        return str(value)
    text = value.strip()
    low = text.lower()
    if low in ("true", "false"):
        return low == "true"
    if _INT.match(text):
        return int(text)
    if _FLOAT.match(text):
        return float(text)
    return text


def _parse_date(value: Any) -> dt.date | None:
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = str(value).strip()
    if not text:
        return None
    try:
        return dt.date.fromisoformat(text[:10])
    except ValueError:
        pass
    m = re.fullmatch(r"(\d{1,2})[-/](\d{1,2})[-/](\d{4})", text)
    if m:
        try:
            return dt.date(int(m.group(3)), int(m.group(2)), int(m.group(1)))
        except ValueError:
            pass
    raise ValidationFailed("date", f"'{text[:20]}' is not a date (use YYYY-MM-DD)")


def _strength(value: Any) -> int:
    if isinstance(value, bool):
        raise ValidationFailed("strength", "a whole number from 1 (weak) to 5 (strong)")
    if isinstance(value, int | float):
        number = float(value)
    else:
        text = str(value).strip()
        word = _STRENGTH_WORDS.get(_norm(text))
        if word is not None:
            return word
        try:
            number = float(text.replace(",", "."))
        except ValueError:
            raise ValidationFailed(
                "strength", f"'{text[:20]}' is not a strength: use 1 (weak) to 5 (strong)"
            ) from None
    if not number.is_integer() or not 1 <= number <= 5:
        raise ValidationFailed(
            "strength", f"{value!s:.20} is not a strength: use a whole number from 1 to 5"
        )
    return int(number)


def _clean(value: Any) -> Any:
    """Strings stripped (empty → None); other values as they are."""
    if isinstance(value, str):
        value = value.strip()
        return value or None
    return value


def _clean_scalar(value: Any) -> Any:
    """As :func:`_clean`, for a one-valued field: lists, objects and booleans become text
    (hashable for the caches, and reported as not a valid value)."""
    if isinstance(value, str):
        value = value.strip()
        return value or None
    if isinstance(value, list | dict | bool):
        return str(value)
    return value
