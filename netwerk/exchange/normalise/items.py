"""What readers yield (:class:`Header`, :class:`RawActor`, :class:`RawTie`,
:class:`RawError`) and the list that collects every error with its row or line."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal, NamedTuple

from netwerk.errors import FieldError, ValidationFailed

__all__ = ["MAX_ERRORS", "ErrorList", "Header", "Item", "RawActor", "RawError", "RawTie", "Section"]

MAX_ERRORS = 100
"""Errors listed in a report or a ValidationFailed; more are counted, not listed."""

Section = Literal["actors", "ties"]


class Header(NamedTuple):
    """The columns of a section, before its rows. ``structural``: the key (and a tie's ends)
    come from the file's structure (an XML id, a JSON ``id``), not from a column."""

    section: Section
    columns: list[str]
    structural: bool
    where: str = ""
    """A prefix for error fields, e.g. a sheet name ``Elements``."""
    keys_are_refs: bool = True
    """Whether an actor's key in the file is a stable external reference (not so for
    Pajek's vertex numbers)."""
    typed: bool = False
    """Cells arrive typed (Parquet): text is kept as text, never read as a number."""


class RawActor(NamedTuple):
    values: Mapping[str, Any]
    key: str | None = None
    row: int | None = None
    line: int | None = None


class RawTie(NamedTuple):
    values: Mapping[str, Any]
    source: str | None = None
    target: str | None = None
    row: int | None = None
    line: int | None = None


class RawError(NamedTuple):
    """A problem a reader found in a row (e.g. too many cells), passed on to the report."""

    field: str
    message: str
    row: int | None = None
    line: int | None = None


Item = Header | RawActor | RawTie | RawError


class ErrorList:
    """Collects errors; keeps the first :data:`MAX_ERRORS`, counts all."""

    def __init__(self, cap: int = MAX_ERRORS) -> None:
        self.cap = cap
        self.items: list[FieldError] = []
        self.count = 0

    def add(self, field: str, message: str, row: int | None, line: int | None) -> None:
        self.count += 1
        if len(self.items) < self.cap:
            self.items.append(FieldError(field, message, row=row, line=line))

    def extend(self, exc: ValidationFailed, row: int | None, line: int | None, prefix: str) -> None:
        for e in exc.errors:
            self.add(
                prefix or e.field,
                e.message,
                e.row if e.row is not None else row,
                e.line if e.line is not None else line,
            )

    def listed(self) -> list[FieldError]:
        """The listed errors, plus one line saying how many were left out."""
        if self.count > len(self.items):
            more = self.count - len(self.items)
            return [*self.items, FieldError("errors", f"{more} more errors not listed")]
        return list(self.items)

    def __bool__(self) -> bool:
        return self.count > 0
