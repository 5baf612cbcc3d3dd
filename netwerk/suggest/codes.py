"""Stable codes and the sentences that go with them, in Dutch (default) and English.

The sentences live in the catalogues (``netwerk/locale/{nl,en}.toml``, section ``[reason]``,
one key per code); this module picks the key and fills in the values.

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
from netwerk.i18n import text
from netwerk.suggest.feasibility import EXTRA_CODES, STRUCTURAL_CODES
from netwerk.words import cap, kind_the, kind_this, say, themes_text

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


def _count(value: float) -> int:
    return round(value)


def value_sentence(
    code: str,
    lang: str,
    *,
    target_kind: str = "resident",
    source_kind: str = "resident",
    themes: Iterable[str] = (),
    count: int = 0,
    size: int = 0,
    reverse: bool = False,
    gap: bool = False,
) -> str:
    """The sentence of a value reason (see the module doc for the codes), from the
    ``[reason]`` catalogue section.

    ``reverse`` says the reason is about the target rather than the source (the target is
    the isolated one, or the target's community lacks help); ``gap`` that a matched need is
    unmet (nobody offers it within three steps).
    """
    require_lang(lang)
    who = kind_this(target_kind, lang)
    values = {
        "who": who,
        "Who": cap(who),
        "themes": themes_text(themes, lang),
        "source": text("reason.source", lang, the=kind_the(source_kind, lang)),
    }
    if code == "need_match":
        return say("reason.need_match_gap" if gap else "reason.need_match", lang, **values)
    if code == "offer_match":
        return say("reason.offer_match", lang, **values)
    if code == "ends_isolation":
        key = "reason.ends_isolation_target" if reverse else "reason.ends_isolation"
        return say(key, lang, **values)
    if code == "joins_components":
        return say("reason.joins_components", lang)
    if code == "bridges_communities":
        if count == 0:
            return say("reason.bridges_communities_none", lang)
        return say("reason.bridges_communities", lang, count=count)
    if code == "first_help":
        return say("reason.first_help", lang, count=size)
    if code == "relieves_key_figure":
        return say("reason.relieves_key_figure", lang, degree=count, **values)
    raise ValueError(f"unknown value code {code!r}")


def feasibility_sentence(
    code: str,
    value: float,
    lang: str,
    *,
    busiest_kind: str | None = None,
    busiest_is_source: bool = False,
) -> str:
    """The sentence of a feasibility reason with its raw value (count, distance, share ...).

    ``busiest_kind`` names the more active of the two for ``degree_max`` (the target, or the
    source when ``busiest_is_source``); without it the sentence says "the more active of the
    two".
    """
    require_lang(lang)
    n = _count(value)
    if code == "jaccard":
        return say("reason.jaccard", lang, share=value)
    if code == "degree_max":
        if busiest_kind is None:
            return say("reason.degree_max_either", lang, degree=n)
        if busiest_is_source:
            source = text("reason.source", lang, the=kind_the(busiest_kind, lang))
            return say("reason.degree_max_source", lang, degree=n, Source=cap(source))
        return say(
            "reason.degree_max", lang, degree=n, Who=kind_this(busiest_kind, lang, capital=True)
        )
    if code in _COUNTED:
        return say(f"reason.{code}", lang, count=n)
    if code in ("adamic_adar", "resource_allocation", "rooted_pagerank", "no_path", "same_area"):
        return say(f"reason.{code}", lang)
    return say("reason.other", lang, code=code)


_COUNTED = frozenset(
    {
        "common_contacts",
        "local_paths",
        "network_distance",
        "degree_min",
        "shared_language",
        "shared_place",
    }
)
