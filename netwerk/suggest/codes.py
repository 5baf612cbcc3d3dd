"""Stable codes and the sentences that go with them, in Dutch (default) and English.

Every reason a suggestion, a weaving introduction or an activation plan gives carries a
stable ``code`` (what feedback statistics are grouped by) and a sentence a professional can
read. Sentences never contain names: results carry actor ids and kinds, and the API joins
names in for the roles allowed to see them (DESIGN.md 6).

Codes
-----
*Feasibility* (can the two plausibly meet?) — the reason codes of
:mod:`netwerk.suggest.feasibility` (common contacts, Adamic–Adar, resource allocation,
local paths, rooted PageRank, distance, degrees) and the attribute features this package
adds (``same_area``, ``shared_language``, ``shared_place``).

*Value* (is the meeting worth making?), after the asset-based approach of Kretzmann &
McKnight (1993) and the network-weaving practice of Krebs & Holley (2006):

=========================== ==========================================================
``need_match``              the target offers a theme the source asks for
``offer_match``             the source offers a theme the target asks for
``ends_isolation``          one of the two has no tie to anyone from the neighbourhood
``joins_components``        the two are in parts of the network with no path between them
``bridges_communities``     the two are in communities with no or few ties between them
``first_help``              the first tie to help for a community that has none
``relieves_key_figure``     an alternative to an overloaded key figure the source leans on
=========================== ==========================================================

References
----------
Kretzmann J.P., McKnight J.L. (1993) Building Communities from the Inside Out. ACTA
Publications. ISBN 0879462108.
Krebs V., Holley J. (2006) Building smart communities through network weaving.
http://www.orgnet.com/BuildingNetworks.pdf
"""

from __future__ import annotations

from collections.abc import Iterable

from netwerk.graph import require_lang
from netwerk.suggest.feasibility import EXTRA_CODES, STRUCTURAL_CODES

__all__ = [
    "ACTIVATION_CODES",
    "DECISIONS",
    "FEASIBILITY_CODES",
    "OUTCOMES",
    "REASON_CODES",
    "SUGGESTION_KINDS",
    "VALUE_CODES",
    "WEAVE_CODES",
    "feasibility_sentence",
    "kind_noun",
    "say",
    "themes_text",
    "value_sentence",
]

VALUE_CODES: tuple[str, ...] = (
    "need_match",
    "offer_match",
    "ends_isolation",
    "joins_components",
    "bridges_communities",
    "first_help",
    "relieves_key_figure",
)
FEASIBILITY_CODES: tuple[str, ...] = (*STRUCTURAL_CODES, *EXTRA_CODES)
WEAVE_CODES: tuple[str, ...] = ("efficiency_gain", "help_within_reach")
ACTIVATION_CODES: tuple[str, ...] = (
    "asset_match",
    "connector",
    "area_ties",
    "reachable",
    "overloaded",
    "no_face",
)
REASON_CODES: frozenset[str] = frozenset(
    (*VALUE_CODES, *FEASIBILITY_CODES, *WEAVE_CODES, *ACTIVATION_CODES)
)
"""Every reason code this package emits (feedback validates against it)."""

SUGGESTION_KINDS: tuple[str, ...] = (*VALUE_CODES, "contact", "weave", "activation")
"""A suggestion's kind: its strongest value reason, ``contact`` when it has none (only
feasibility), ``weave`` for a network-level introduction, ``activation`` for a plan item."""

DECISIONS: tuple[str, ...] = ("accepted", "declined", "not_now")
OUTCOMES: tuple[str, ...] = ("tie_formed", "no_contact", "not_helpful", "other")


def say(lang: str, nl: str, en: str) -> str:
    """The sentence in the requested language (``nl`` default, ``en``)."""
    return en if require_lang(lang) == "en" else nl


_NOUN_NL = {
    "resident": "deze bewoner",
    "key_figure": "deze sleutelfiguur",
    "professional": "deze professional",
    "organisation": "deze organisatie",
    "initiative": "dit initiatief",
    "place": "deze plek",
}
_NOUN_EN = {
    "resident": "this resident",
    "key_figure": "this key figure",
    "professional": "this professional",
    "organisation": "this organisation",
    "initiative": "this initiative",
    "place": "this place",
}


def kind_noun(kind: str, lang: str, *, capital: bool = False) -> str:
    """``deze bewoner`` / ``this resident`` (``capital`` for the start of a sentence)."""
    noun = (_NOUN_EN if lang == "en" else _NOUN_NL).get(kind, "deze actor")
    return noun[:1].upper() + noun[1:] if capital else noun


def themes_text(themes: Iterable[str], lang: str) -> str:
    items = sorted(themes)
    if not items:
        return ""
    if len(items) == 1:
        return items[0]
    last = " and " if lang == "en" else " en "
    return ", ".join(items[:-1]) + last + items[-1]


def _plural(n: int, one: str, many: str) -> str:
    return one if n == 1 else many


def value_sentence(
    code: str,
    lang: str,
    *,
    target_kind: str = "resident",
    themes: Iterable[str] = (),
    count: int = 0,
    size: int = 0,
    reverse: bool = False,
    gap: bool = False,
) -> str:
    """The sentence of a value reason (see the module doc for the codes).

    ``reverse`` says the reason is about the target rather than the source (the target is
    the isolated one, or the target's community lacks help); ``gap`` that a matched need is
    unmet (nobody offers it within three steps).
    """
    t = themes_text(themes, lang)
    noun = kind_noun(target_kind, lang, capital=True)
    if code == "need_match":
        if gap:
            return say(
                lang,
                f"{noun} biedt {t}: daar wordt om gevraagd, en niemand binnen drie stappen "
                "biedt het nu.",
                f"{noun} offers {t}, which is asked for and offered by nobody within three "
                "steps now.",
            )
        return say(
            lang,
            f"{noun} biedt {t}: daar wordt om gevraagd.",
            f"{noun} offers {t}, which is what is asked for.",
        )
    if code == "offer_match":
        return say(
            lang,
            f"{noun} vraagt om {t}: dat kan de ander zelf bieden.",
            f"{noun} asks for {t}, which the other can offer.",
        )
    if code == "ends_isolation":
        if reverse:
            return say(
                lang,
                f"Doorbreekt een isolement: {kind_noun(target_kind, 'nl')} heeft nu geen band "
                "met iemand uit de buurt zelf.",
                f"Ends isolation: {kind_noun(target_kind, 'en')} has no tie to anyone from the "
                "neighbourhood itself yet.",
            )
        return say(
            lang,
            "Doorbreekt een isolement: er is nu geen band met iemand uit de buurt zelf.",
            "Ends isolation: there is no tie to anyone from the neighbourhood itself yet.",
        )
    if code == "joins_components":
        return say(
            lang,
            "Verbindt twee delen van het netwerk die nu helemaal los van elkaar staan.",
            "Joins two parts of the network that have no path between them now.",
        )
    if code == "bridges_communities":
        if count == 0:
            return say(
                lang,
                "Slaat een brug tussen twee groepen die nog geen enkele band met elkaar hebben.",
                "Bridges two groups that have no tie to each other yet.",
            )
        return say(
            lang,
            f"Slaat een brug tussen twee groepen die nu maar {count} "
            f"{_plural(count, 'band', 'banden')} met elkaar hebben.",
            f"Bridges two groups that have only {count} {_plural(count, 'tie', 'ties')} "
            "between them now.",
        )
    if code == "first_help":
        return say(
            lang,
            f"Eerste band met hulp voor een groep van {size} die nu geen band heeft met een "
            "organisatie, initiatief, professional of sleutelfiguur.",
            f"The first tie to help for a group of {size} that has no tie to any "
            "organisation, initiative, professional or key figure now.",
        )
    if code == "relieves_key_figure":
        return say(
            lang,
            f"Ontlast een overbelaste sleutelfiguur ({count} contacten): "
            f"{kind_noun(target_kind, 'nl')} biedt ook {t}.",
            f"Relieves an overloaded key figure ({count} contacts): "
            f"{kind_noun(target_kind, 'en')} offers {t} too.",
        )
    raise ValueError(f"unknown value code {code!r}")


def feasibility_sentence(code: str, value: float, lang: str) -> str:
    """The sentence of a feasibility reason with its raw value (count, distance, ...)."""
    n = round(value)
    if code == "common_contacts":
        return say(
            lang,
            f"Ze hebben {n} "
            f"{_plural(n, 'gemeenschappelijk contact', 'gemeenschappelijke contacten')}.",
            f"They have {n} {_plural(n, 'contact', 'contacts')} in common.",
        )
    if code == "jaccard":
        pct = round(100 * value)
        return say(
            lang,
            f"Hun contacten overlappen voor {pct}%.",
            f"{pct}% of their contacts overlap.",
        )
    if code in ("adamic_adar", "resource_allocation"):
        return say(
            lang,
            "Hun gemeenschappelijke contacten hebben zelf weinig andere contacten: een sterke "
            "aanwijzing dat ze elkaar kunnen treffen.",
            "Their common contacts have few other contacts themselves: strong evidence that "
            "they can meet.",
        )
    if code == "local_paths":
        return say(
            lang,
            f"Er lopen {n} korte {_plural(n, 'pad', 'paden')} van drie stappen tussen hen.",
            f"There {_plural(n, 'is', 'are')} {n} short {_plural(n, 'path', 'paths')} of three "
            "steps between them.",
        )
    if code == "rooted_pagerank":
        return say(
            lang,
            "Ze liggen dicht bij elkaar in het netwerk (korte wandelingen langs banden).",
            "They are close in the network (short walks along ties).",
        )
    if code == "network_distance":
        return say(
            lang,
            f"Ze zijn {n} {_plural(n, 'stap', 'stappen')} van elkaar verwijderd in het netwerk.",
            f"They are {n} {_plural(n, 'step', 'steps')} apart in the network.",
        )
    if code == "no_path":
        return say(
            lang,
            "Er is nog geen pad tussen hen in het netwerk.",
            "There is no path between them in the network yet.",
        )
    if code in ("degree_min", "degree_max"):
        return say(
            lang,
            f"Actief in het netwerk ({n} contacten).",
            f"Active in the network ({n} contacts).",
        )
    if code == "same_area":
        return say(lang, "Ze zitten in hetzelfde gebied.", "They are in the same area.")
    if code == "shared_language":
        return say(
            lang,
            f"Ze spreken {n} {_plural(n, 'taal', 'talen')} gemeenschappelijk.",
            f"They share {n} {_plural(n, 'language', 'languages')}.",
        )
    if code == "shared_place":
        return say(
            lang,
            "Ze komen bij "
            + _plural(
                n,
                "dezelfde plek, hetzelfde initiatief of dezelfde club",
                f"{n} dezelfde plekken, initiatieven of clubs",
            )
            + ".",
            "They go to "
            + _plural(n, "the same place, initiative or club", f"{n} of the same places or groups")
            + ".",
        )
    return say(lang, f"Aanwijzing: {code}.", f"Evidence: {code}.")
