"""XML helpers: escaping for the streaming writers, and a safe streaming parse.

Every XML import goes through :class:`defusedxml.ElementTree.DefusedXMLParser` with DTDs,
entity declarations and external references forbidden, so a billion-laughs or XXE document
is refused at its ``<!DOCTYPE`` before anything is expanded or fetched. The parser drives a
small event target (no tree is built), so memory stays flat and every event knows its line.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from typing import Any, Protocol

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import DefusedXMLParser, ParseError

from netwerk.errors import ValidationFailed

__all__ = ["LocalNames", "XmlEvents", "attr", "legal", "local", "parse_events", "text"]

# Besides markup: every character XML 1.0 forbids (C0 controls other than tab, line feed and
# carriage return, lone surrogates, U+FFFE, U+FFFF). Input refuses them (netwerk.safetext);
# a value stored before that rule is written with U+FFFD in their place, so the file parses.
_ILLEGAL = "\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff"
_ATTR_SPECIAL = re.compile(f'[&<>"\t\n\r{_ILLEGAL}]')
_TEXT_SPECIAL = re.compile(f"[&<>\r{_ILLEGAL}]")  # a raw CR would be read back as LF
_ATTR_MAP = {"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;"}
_ATTR_MAP.update({"\n": "&#10;", "\r": "&#13;", "\t": "&#9;"})
_TEXT_MAP = {"&": "&amp;", "<": "&lt;", ">": "&gt;", "\r": "&#13;"}


def _attr_sub(match: re.Match[str]) -> str:
    return _ATTR_MAP.get(match.group(), "\ufffd")  # the others are not XML


def _text_sub(match: re.Match[str]) -> str:
    return _TEXT_MAP.get(match.group(), "\ufffd")


_ILLEGAL_ONLY = re.compile(f"[{_ILLEGAL}]")


def legal(value: str) -> str:
    """``value`` with only the characters XML 1.0 allows (for writers that escape markup
    themselves, such as openpyxl's)."""
    if _ILLEGAL_ONLY.search(value) is None:
        return value
    return _ILLEGAL_ONLY.sub("\ufffd", value)


def attr(value: str) -> str:
    """Escape a value for a double-quoted XML attribute."""
    if _ATTR_SPECIAL.search(value) is None:
        return value
    return _ATTR_SPECIAL.sub(_attr_sub, value)


def text(value: str) -> str:
    """Escape character data."""
    if _TEXT_SPECIAL.search(value) is None:
        return value
    return _TEXT_SPECIAL.sub(_text_sub, value)


def local(tag: str) -> str:
    """``{namespace}name`` or expat's ``namespace}name`` → ``name``."""
    return tag.rsplit("}", 1)[-1]


class LocalNames(dict[str, str]):
    """A memo of :func:`local` (a file uses a handful of distinct tags)."""

    def __missing__(self, tag: str) -> str:
        name = self[tag] = local(tag)
        return name


class XmlEvents(Protocol):
    """A streaming handler: gets start/end/data; ``line()`` gives the current line."""

    line: Callable[[], int]

    def start(self, tag: str, attrib: dict[str, str]) -> None: ...

    def end(self, tag: str) -> None: ...

    def data(self, data: str) -> None: ...


_CHUNK = 1 << 20


def parse_events(data: bytes, handler: XmlEvents, drain: Callable[[], list[Any]]) -> Iterator[Any]:
    """Feed ``data`` to a defused parser driving ``handler``; after every chunk yield what
    ``drain()`` returns, so readers stream their rows while parsing."""
    parser = DefusedXMLParser(
        target=handler, forbid_dtd=True, forbid_entities=True, forbid_external=True
    )
    expat = parser.parser  # the pyexpat parser under the pure-Python XMLParser
    # The defused parser has set its refusing handlers (DOCTYPE, entity declarations,
    # external references) on ``expat``; we only route the element events straight to our
    # handler, skipping ElementTree's per-event name fixing (3x faster on big files).
    expat.ordered_attributes = False
    expat.StartElementHandler = handler.start
    expat.EndElementHandler = handler.end
    expat.CharacterDataHandler = handler.data
    handler.line = lambda: int(expat.CurrentLineNumber)
    try:
        for offset in range(0, max(len(data), 1), _CHUNK):
            parser.feed(data[offset : offset + _CHUNK])
            yield from drain()
        parser.close()
        yield from drain()
    except DefusedXmlException as exc:
        raise ValidationFailed(
            "file",
            "XML with a document type declaration (DTD), entities or external references is "
            f"refused for safety ({type(exc).__name__})",
            line=int(expat.CurrentLineNumber) or None,
        ) from None
    except ParseError as exc:
        line = exc.position[0] if getattr(exc, "position", None) else None
        reason = str(exc).split(":", 1)[0]
        raise ValidationFailed(
            "file", f"not well-formed XML ({reason}); is it UTF-8 encoded?", line=line
        ) from None
