"""User-facing words: one catalogue per language, Dutch by default, English on request.

Every sentence the product shows a person (suggestion reasons, gap explanations, stage,
what-if, brokers and communities, CLI help and messages, problem details) lives in
``netwerk/locale/nl.toml`` and ``netwerk/locale/en.toml`` under the same dotted key, so a
translator reviews one file per language. Code asks for a sentence by key::

    >>> text("demo.example", "nl", count=3, share=0.125)
    'Een los deel van 3 actoren (12,5%).'
    >>> text("demo.example", "en", count=1, share=0.125)
    'A separate part of 1 actor (12.5%).'

Placeholders use :meth:`str.format` syntax with three extra format specs that follow the
language's conventions: ``{x:num}`` (a number: ``1.234,5`` in Dutch, ``1,234.5`` in
English; whole numbers without decimals), ``{x:num2}`` (at most two decimals) and
``{x:pct}`` (a share of 1 as a percentage with at most one decimal). An entry may be a table
``{one = "…", other = "…"}``: the ``count`` value chooses (plural agreement).
"""

from __future__ import annotations

import string
import tomllib
from collections.abc import Mapping
from functools import cache
from pathlib import Path
from typing import Any

__all__ = ["LANGS", "catalogue", "keys", "number", "percent", "text"]

LANGS: tuple[str, ...] = ("nl", "en")
_HERE = Path(__file__).with_name("locale")
_NL_DIGITS = str.maketrans(",.", ".,")


@cache
def catalogue(lang: str) -> dict[str, str | dict[str, str]]:
    """The flattened catalogue of one language: dotted key → sentence (or plural table)."""
    if lang not in LANGS:
        raise ValueError(f"unknown language {lang!r}")
    with (_HERE / f"{lang}.toml").open("rb") as fh:
        raw = tomllib.load(fh)
    flat: dict[str, str | dict[str, str]] = {}

    def walk(prefix: str, node: Mapping[str, Any]) -> None:
        for key, value in node.items():
            path = f"{prefix}.{key}" if prefix else key
            if isinstance(value, Mapping) and set(value) <= {"one", "other"} and value:
                flat[path] = {k: str(v) for k, v in value.items()}
            elif isinstance(value, Mapping):
                walk(path, value)
            else:
                flat[path] = str(value)

    walk("", raw)
    return flat


def keys(lang: str) -> set[str]:
    return set(catalogue(lang))


def number(value: float | int, lang: str, decimals: int = 1) -> str:
    """``1234.5`` → ``1.234,5`` (nl) or ``1,234.5`` (en); trailing zeros dropped."""
    if isinstance(value, bool):
        value = int(value)
    if isinstance(value, int) or float(value).is_integer():
        body = f"{round(value):,}"
    else:
        body = f"{value:,.{decimals}f}"
        if "." in body:
            body = body.rstrip("0").rstrip(".")
    if lang == "nl":
        body = body.translate(_NL_DIGITS)
    return body


def percent(share: float, lang: str, decimals: int = 1) -> str:
    """A share of 1 as a percentage: ``0.125`` → ``12,5%`` (nl) / ``12.5%`` (en)."""
    return f"{number(share * 100, lang, decimals)}%"


class _Formatter(string.Formatter):
    def __init__(self, lang: str) -> None:
        self.lang = lang

    def format_field(self, value: Any, format_spec: str) -> str:
        if format_spec == "num":
            return number(value, self.lang)
        if format_spec == "num2":
            return number(value, self.lang, 2)
        if format_spec == "pct":
            return percent(value, self.lang)
        return str(super().format_field(value, format_spec))


def text(key: str, lang: str = "nl", /, **values: Any) -> str:
    """The sentence ``key`` in ``lang`` with ``values`` filled in.

    A plural entry chooses ``one`` when ``count == 1`` and ``other`` otherwise. An unknown key
    raises :class:`KeyError` (the catalogue test keeps both languages complete).
    """
    entry = catalogue(lang if lang in LANGS else "nl")[key]
    if isinstance(entry, dict):
        entry = entry["one"] if values.get("count") == 1 else entry["other"]
    return _Formatter(lang).format(entry, **values)
