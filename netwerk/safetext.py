"""Which characters may enter: one rule for every string the product stores or reads back.

Refused everywhere (values, keys, ids, search terms):

* control characters: C0 (``U+0000``–``U+001F``, NUL included), DEL (``U+007F``) and C1
  (``U+0080``–``U+009F``). PostgreSQL cannot store NUL at all, XML 1.0 forbids most C0
  characters, and none of them belongs in a name, a note or an id;
* lone surrogate halves (``U+D800``–``U+DFFF``): not Unicode text, they cannot be encoded
  as UTF-8 and so cannot reach a database or a file;
* noncharacters (``U+FDD0``–``U+FDEF`` and the last two code points of every plane,
  ``U+FFFE``, ``U+FFFF``, ``U+1FFFE`` …): XML 1.0 forbids ``U+FFFE``/``U+FFFF``, so a name
  holding one would make every GraphML and GEXF export unreadable.

Multi-line values (names, notes, descriptions, attribute values) may hold tab, line feed and
carriage return; one-line strings (ids, attribute keys, path and query parameters) may not.

``netwerk.model.clean_text`` and ``normalise_attributes`` apply this rule inside the library
(CLI, imports); the API applies it to every path, query and JSON body string before a route
runs (``api.inputguard``).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from netwerk.i18n import text

__all__ = ["Flaw", "first_flaw", "flaws", "message"]

# One character class of ranges (a class of many single code points is ~10x slower in
# Python's re); everything from U+1FFFE up matches it and is checked in Python, where only
# the last two code points of each plane are noncharacters.
_BAD = "\x7f-\x9f\ud800-\udfff\ufdd0-\ufdef\ufffe\uffff\U0001fffe-\U0010ffff"
_BAD_MULTILINE = re.compile(f"[\x00-\x08\x0b\x0c\x0e-\x1f{_BAD}]")
_BAD_ONE_LINE = re.compile(f"[\x00-\x1f{_BAD}]")


class Flaw:
    """The first forbidden character of a string, and what kind it is."""

    __slots__ = ("char", "kind")

    def __init__(self, char: str) -> None:
        self.char = char
        code = ord(char)
        if 0xD800 <= code <= 0xDFFF:
            self.kind = "surrogate"
        elif code < 0x20 or 0x7F <= code <= 0x9F:
            self.kind = "control"
        else:
            self.kind = "noncharacter"

    @property
    def code(self) -> str:
        return f"U+{ord(self.char):04X}"

    def __repr__(self) -> str:
        return f"Flaw({self.code}, {self.kind})"


def first_flaw(value: str, *, multiline: bool = True) -> Flaw | None:
    """The first character of ``value`` the rule refuses, or None."""
    for found in (_BAD_MULTILINE if multiline else _BAD_ONE_LINE).finditer(value):
        code = ord(found.group())
        if code <= 0xFFFF or code & 0xFFFE == 0xFFFE:
            return Flaw(found.group())
    return None


def message(flaw: Flaw, lang: str = "en", *, key: bool = False) -> str:
    """A sentence for a person: what is wrong with the value (or with a key in it)."""
    reason = text(f"input.{flaw.kind}", lang, code=flaw.code)
    return text("input.in_key", lang, reason=reason) if key else reason


def _join(where: str, part: str | int) -> str:
    if isinstance(part, int):
        return f"{where}[{part}]"
    return f"{where}.{part}" if where else part


def flaws(value: Any, where: str = "") -> Iterator[tuple[str, Flaw, bool]]:
    """Every (field path, flaw, in a key?) of a parsed JSON value. A flaw in a key is reported
    on the object that holds it (the key itself cannot be shown)."""
    if isinstance(value, str):
        flaw = first_flaw(value)
        if flaw is not None:
            yield where, flaw, False
    elif isinstance(value, list):
        for i, item in enumerate(value):
            yield from flaws(item, _join(where, i))
    elif isinstance(value, dict):
        for key, item in value.items():
            flaw = first_flaw(key, multiline=False)
            if flaw is not None:
                yield where, flaw, True
                continue
            yield from flaws(item, _join(where, key))
