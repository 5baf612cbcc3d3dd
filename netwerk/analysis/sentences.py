"""Plain sentences for the brokers and communities results (catalogue sections
``[brokers]`` and ``[communities]``): a frontline worker reads what a broker does and what a
group looks like, the raw measures stay in the figures next to them.

Role names follow Gould & Fernandez (1989) with the words Dutch professionals use:
coordinator → coördinator, itinerant → bemiddelaar, representative → vertegenwoordiger,
gatekeeper → poortwachter, liaison → verbinder. The stable English code stays in ``role``.

References
----------
Gould R.V., Fernandez R.M. (1989) Structures of mediation: a formal approach to brokerage
in transaction networks. Sociological Methodology 19:89-126. doi:10.2307/270949.
Burt R.S. (1992) Structural Holes. Harvard University Press. doi:10.4159/9780674029095.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from netwerk.i18n import text
from netwerk.words import cap, kind_this, kinds_text, language_names, say

__all__ = [
    "EFFICIENCY_CLOSED",
    "EFFICIENCY_OPEN",
    "articulation_sentence",
    "brokerage_sentence",
    "community_sentence",
    "hole_sentence",
    "main_role",
    "overall_sentence",
    "role_label",
]

EFFICIENCY_OPEN = 0.75
"""Efficiency (effective size / contacts) from which contacts 'hardly know each other'."""
EFFICIENCY_CLOSED = 0.4
"""Efficiency up to which contacts 'also know each other'."""


def role_label(role: str, lang: str) -> str:
    """``poortwachter`` for ``gatekeeper`` (``verbinder`` for ``liaison``, ...).

    Examples
    --------
    >>> role_label('gatekeeper', 'en'), role_label('gatekeeper', 'nl')
    ('gatekeeper', 'poortwachter')
    """
    return text(f"brokers.role.{role}", lang)


def main_role(counts: Sequence[int], roles: Sequence[str]) -> str:
    """The role a broker plays most often (ties: the first in ``roles`` order).

    Examples
    --------
    >>> roles = ['coordinator', 'itinerant', 'representative', 'gatekeeper', 'liaison']
    >>> main_role([0, 2, 5, 0, 1], roles)
    'representative'
    """
    best = max(range(len(roles)), key=lambda i: (counts[i], -i))
    return roles[best]


def brokerage_sentence(kind: str, role: str, count: int, lang: str) -> str:
    """``Deze bewoner is vooral poortwachter: brengt 12 keer iemand van buiten ...``.

    Examples
    --------
    >>> brokerage_sentence('resident', 'gatekeeper', 2, 'en')
    'This resident is mainly a gatekeeper: puts someone from outside in touch with their own group,
    2 times.'
    """
    return say(
        f"brokers.sentence.{role}", lang, Who=kind_this(kind, lang, capital=True), count=count
    )


def articulation_sentence(kind: str, splits_off: int, lang: str) -> str:
    """``Als deze bewoner wegvalt, raken 5 actoren los van de rest van het netwerk.``

    Examples
    --------
    >>> articulation_sentence('resident', 3, 'en')
    'If this resident leaves, 3 actors are cut off from the rest of the network.'
    """
    return say("brokers.articulation", lang, who=kind_this(kind, lang), count=splits_off)


def hole_sentence(
    kind: str, degree: int, effective_size: float | None, efficiency: float | None, lang: str
) -> str:
    """Burt's measures in words: do this actor's contacts know each other?

    Examples
    --------
    >>> hole_sentence('key_figure', 6, 5.5, 0.92, 'en')
    'This key figure has 6 contacts who hardly know each other: links circles that would not meet
    otherwise.'
    """
    who = kind_this(kind, lang, capital=True)
    if degree <= 1 or efficiency is None or effective_size is None:
        return say("brokers.hole.single", lang, Who=who)
    if efficiency >= EFFICIENCY_OPEN:
        key = "open"
    elif efficiency <= EFFICIENCY_CLOSED:
        key = "closed"
    else:
        key = "mixed"
    return say(
        f"brokers.hole.{key}",
        lang,
        Who=who,
        degree=degree,
        effective=round(effective_size),
    )


def community_sentence(
    community: int,
    size: int,
    kinds: Mapping[str, int],
    area: str | None,
    languages: Sequence[str],
    internal_ties: int,
    ties_out: int,
    lang: str,
) -> str:
    """``Groep 1 (34 actoren): 28 bewoners, 3 initiatieven en 3 professionals, vooral uit
    Kerkstraat; talen: Arabisch en Nederlands. 80 banden binnen de groep en 12 banden met
    andere groepen.``

    Examples
    --------
    >>> kinds = {'resident': 10, 'initiative': 2}
    >>> community_sentence(1, 12, kinds, 'Kerkstraat', ['nl', 'ar'], 20, 3, 'en')
    'Group 1 (12 actors): 10 residents and 2 initiatives, mainly from Kerkstraat; languages: Dutch
    and Arabic. 20 ties within the group and 3 ties to other groups.'
    """
    group = cap(text("communities.group", lang, group=community, count=size))
    first = say(
        "communities.composition",
        lang,
        count=size,
        Group=group,
        kinds=kinds_text(kinds, lang),
        area=text("communities.area", lang, area=area) if area else "",
        languages=(
            text("communities.languages", lang, languages=language_names(languages, lang))
            if languages
            else ""
        ),
    )
    inside = text("communities.inside", lang, count=internal_ties)
    if ties_out:
        outside = text("communities.outside", lang, count=ties_out)
        second = say("communities.ties", lang, inside=inside, outside=outside)
    else:
        second = say("communities.ties_none", lang, inside=inside)
    return f"{first} {second}"


def overall_sentence(count: int, singletons: int, lang: str) -> str:
    """``Het netwerk heeft 12 groepen ...; 3 actoren staan helemaal alleen.``

    Examples
    --------
    >>> overall_sentence(4, 1, 'en')
    'The network has 4 groups of two or more actors who mainly know each other; 1 actor stands
    entirely alone.'
    """
    alone = (
        text("communities.alone", lang, count=singletons)
        if singletons
        else text("communities.alone_none", lang)
    )
    return say("communities.overall", lang, count=count, alone=alone)
