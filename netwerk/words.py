"""Words the engine's sentences are built from: actor kinds, themes, languages, lists, dates.

Every word comes from the catalogues (``netwerk/locale/{nl,en}.toml``, sections ``[kind]``,
``[theme]`` and ``[summary.words]``) through :func:`netwerk.i18n.text`, so the sentences
that use them stay translatable in one file per language::

    >>> kind_count("resident", 1, "nl"), kind_count("resident", 3, "nl")
    ('1 bewoner', '3 bewoners')
    >>> themes_text(["koken", "digitaal", "taal"], "nl")
    'digitale vaardigheden, koken en taal'
    >>> say("reason.common_contacts", "en", count=1)
    'They have 1 contact in common.'
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from typing import Any

from netwerk.graph import require_lang
from netwerk.i18n import catalogue, text
from netwerk.model import ActorKind

__all__ = [
    "cap",
    "date_text",
    "join",
    "kind_a",
    "kind_count",
    "kind_the",
    "kind_this",
    "kinds_text",
    "labels",
    "language_names",
    "say",
    "steps_text",
    "theme_label",
    "themes_text",
]

KIND_ORDER: tuple[str, ...] = tuple(k.value for k in ActorKind)
"""The kinds in the order a list of counts names them (the order of :class:`ActorKind`)."""


def cap(sentence: str) -> str:
    """The sentence with its first letter in capitals."""
    return sentence[:1].upper() + sentence[1:]


def say(key: str, lang: str, /, **values: Any) -> str:
    """:func:`netwerk.i18n.text` with the first letter in capitals (a whole sentence); an
    unknown language is a :class:`~netwerk.errors.ValidationFailed` on ``lang``."""
    return cap(text(key, require_lang(lang), **values))


def _kind(kind: str) -> str:
    return kind if kind in KIND_ORDER else "actor"


def kind_this(kind: str, lang: str, *, capital: bool = False) -> str:
    """``deze bewoner`` / ``dit initiatief`` / ``this resident``."""
    word = text(f"kind.this.{_kind(kind)}", lang)
    return cap(word) if capital else word


def kind_a(kind: str, lang: str) -> str:
    """``een bewoner`` / ``an organisation``."""
    return text(f"kind.a.{_kind(kind)}", lang)


def kind_the(kind: str, lang: str) -> str:
    """``de bewoner`` / ``het initiatief`` / ``the resident``."""
    return text(f"kind.the.{_kind(kind)}", lang)


def kind_count(kind: str, count: int, lang: str) -> str:
    """``1 bewoner`` / ``3 bewoners`` (plural agreement)."""
    return text(f"kind.{_kind(kind)}", lang, count=count)


def join(items: Iterable[str], lang: str) -> str:
    """``a, b en c`` / ``a, b and c``."""
    parts = list(items)
    if len(parts) <= 1:
        return "".join(parts)
    sep = text("summary.words.list_separator", lang)
    return f"{sep.join(parts[:-1])} {text('summary.words.and', lang)} {parts[-1]}"


def kinds_text(counts: Mapping[str, int], lang: str) -> str:
    """``28 bewoners, 3 initiatieven en 1 professional``: kinds in their usual order."""
    ordered = [k for k in KIND_ORDER if counts.get(k)]
    ordered += sorted(k for k in counts if k not in KIND_ORDER and counts[k])
    return join((kind_count(k, int(counts[k]), lang) for k in ordered), lang)


def theme_label(theme: str, lang: str) -> str:
    """The theme as a professional reads it (``digitaal`` → ``digitale vaardigheden``); a
    theme of the network's own is shown as it is, underscores as spaces."""
    entry = catalogue(lang).get(f"theme.label.{theme}")
    return str(entry) if isinstance(entry, str) else theme.replace("_", " ")


def labels(section: str, lang: str) -> dict[str, str]:
    """Every entry of one catalogue section (``theme.label``, ``theme.language``) as
    ``{key: words}``: for clients that show themes and languages the way the engine does."""
    prefix = f"{section}."
    return {
        k[len(prefix) :]: str(v)
        for k, v in catalogue(lang).items()
        if k.startswith(prefix) and isinstance(v, str)
    }


def themes_text(themes: Iterable[str], lang: str) -> str:
    """``geldzaken, koken en taal`` (sorted by label)."""
    return join(sorted(theme_label(t, lang) for t in themes), lang)


def language_names(codes: Iterable[str], lang: str) -> str:
    """``Arabisch en Turks`` for ``ar``, ``tr`` (an unknown code in capitals)."""
    names = []
    for code in codes:
        entry = catalogue(lang).get(f"theme.language.{code}")
        names.append(str(entry) if isinstance(entry, str) else code.upper())
    return join(names, lang)


def steps_text(count: int, lang: str) -> str:
    """``één stap``, ``drie stappen``, ``5 stappen``."""
    entry = catalogue(lang).get(f"summary.words.steps_in_words.{count}")
    return str(entry) if isinstance(entry, str) else text("summary.words.steps", lang, count=count)


def date_text(day: dt.date, lang: str) -> str:
    """``3 maart 2025`` / ``3 March 2025``."""
    month = text(f"summary.words.month.{day.month}", lang)
    return text("summary.words.date", lang, day=day.day, month=month, year=day.year)
