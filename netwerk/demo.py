"""The demo neighbourhood: a synthetic wijk (:mod:`netwerk.synth`) with a hand-written story
woven into it, so that every example in README.md answers as it says.

The story (``STORY``) is a small part of the wijk, three streets around the church square —
the Kerkstraat, the Molenweg and the Schoolstraat — with named residents, a recognised key
figure, professionals, resident initiatives and groups, and meeting places:

* **Lina Haddad** is new in the Kerkstraat, speaks Arabic and little Dutch, and sits at home:
  her only ties are Karim and her neighbour Anja. She asks for ``taal`` and ``ontmoeting``.
* **Karim Bouali**, the key figure of the street, knows her well and volunteers at the
  **Taalcafé Kerkstraat** every week, so the taalcafé is the suggestion for Lina with Karim
  as the introducer (the common contact with the strongest ties to both).
* Around them: Anja, Henk and Truus (elderly neighbours; Truus is lonely), Ewa, Fatma,
  Samira and Joost; Marieke, Yusuf, Abdi, Daan and Noor in the Molenweg; Priya, Kees and
  Tesfay in the Schoolstraat; the opbouwwerker Sanne Visser, the huismeester Bram Hendriks
  and the wijkcoach Esther Koster; the Seniorensoos De Molen, Wandelgroep Kerkbuurt,
  Vrouwengroep Al Amal, Jongerenclub Molenweg and Formulierenbrigade Schoolstraat; Buurthuis
  Het Kerkplein, Bibliotheek Molenweg, Moskee Al-Fath and Café De Molen. An activation plan
  for the Kerkstraat on ``taal`` and ``eenzaamheid`` finds the taalcafé, the library, the
  seniorensoos and the walking group, and the people who make the first call.

The story is tied into the synthetic wijk (professionals work for its organisations, Karim
knows two of its key figures, the initiatives partner with its initiatives), so it is one
network, not an island. Names in the synthetic part that would make a README search
ambiguous (another "Lina", another "Karim", a second Kerkstraat) are renamed.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from netwerk import synth
from netwerk.model import PERSON_KINDS
from netwerk.store.session import Connection

__all__ = ["STORY", "STREETS", "StoryActor", "generate", "load", "story_ids"]

STREETS = ("Kerkstraat", "Molenweg", "Schoolstraat")

# Names of the CBS area codes the synthetic wijk uses (the demo supplies them as ``area_name``
# attributes beside a coded ``area``, so that the dashboard reads "Kerkbuurt", not a code).
_BUURT_NAMES = ("Kerkbuurt", "Molenbuurt", "Schoolbuurt", "Pleinbuurt", "Parkbuurt", "Dijkbuurt")
_WIJK_NAMES = ("Oud-Noord", "Nieuw-Noord", "Oost", "West")
_MUNICIPALITY = "Amsterdam"

# Names the README looks up; the synthetic part must not hold them (substring, any case).
_RESERVED = {"lina": "Rania", "karim": "Samir", "taalcafé kerkstraat": "Taalcafé Kerkplein"}


@dataclass(frozen=True)
class StoryActor:
    key: str
    kind: str
    name: str
    area: str | None
    languages: tuple[str, ...] = ()
    assets: tuple[str, ...] = ()
    needs: tuple[str, ...] = ()
    consent: str | None = None
    attributes: tuple[tuple[str, str], ...] = ()


def _p(
    key: str,
    kind: str,
    name: str,
    area: str | None,
    langs: str,
    assets: str = "",
    needs: str = "",
    consent: str = "given",
    **attrs: str,
) -> StoryActor:
    person = kind in PERSON_KINDS
    return StoryActor(
        key=key,
        kind=kind,
        name=name,
        area=area,
        languages=tuple(langs.split()),
        assets=tuple(assets.split()),
        needs=tuple(needs.split()),
        consent=consent if person else None,
        attributes=tuple(sorted(attrs.items())),
    )


K, M, S = STREETS
STORY: tuple[StoryActor, ...] = (
    # the Kerkstraat
    _p("lina", "resident", "Lina Haddad", K, "ar", "koken", "taal ontmoeting",
       age_band="27-45", street=K),
    _p("karim", "key_figure", "Karim Bouali", K, "nl ar", "taal ontmoeting administratie",
       age_band="46-66", street=K),
    _p("anja", "resident", "Anja de Vries", K, "nl", "tuinieren klussen", "vervoer",
       age_band="67+", street=K),
    _p("ewa", "resident", "Ewa Kowalska", K, "pl nl", "koken digitaal", "taal",
       age_band="27-45", street=K),
    _p("henk", "resident", "Henk Bakker", K, "nl", "klussen", "eenzaamheid vervoer",
       age_band="67+", street=K),
    _p("fatma", "resident", "Fatma Yıldız", K, "tr nl", "koken opvoeding", "geldzaken",
       age_band="27-45", street=K),
    _p("joost", "resident", "Joost Smit", K, "nl", "werk digitaal", "",
       age_band="27-45", street=K),
    _p("samira", "resident", "Samira el Amrani", K, "nl ar", "huiswerk taal", "opvoeding",
       age_band="18-26", street=K),
    _p("mohamed", "resident", "Mohamed Ouali", K, "ar nl", "", "werk", consent="unknown",
       age_band="46-66", street=K),
    _p("truus", "resident", "Truus Jansen", K, "nl", "", "eenzaamheid gezondheid",
       age_band="67+", street=K),
    # the Molenweg
    _p("yusuf", "resident", "Yusuf Demir", M, "tr nl", "bewegen ontmoeting", "",
       age_band="27-45", street=M),
    _p("marieke", "resident", "Marieke Mulder", M, "nl en", "taal huiswerk", "",
       age_band="67+", street=M),
    _p("abdi", "resident", "Abdi Warsame", M, "so nl", "bewegen", "werk taal",
       age_band="18-26", street=M),
    _p("daan", "resident", "Daan Peters", M, "nl", "digitaal", "huiswerk",
       age_band="12-17", street=M),
    _p("noor", "resident", "Noor Haddou", M, "ar nl", "opvoeding koken", "",
       age_band="27-45", street=M),
    # the Schoolstraat
    _p("priya", "resident", "Priya Ramdin", S, "nl srn", "geldzaken administratie", "",
       age_band="46-66", street=S),
    _p("kees", "resident", "Kees van Dijk", S, "nl", "", "digitaal",
       age_band="67+", street=S),
    _p("tesfay", "resident", "Tesfay Gebremedhin", S, "ti", "klussen", "taal werk",
       age_band="27-45", street=S),
    # professionals (they cover the buurt; area set from the synthetic wijk)
    _p("sanne", "professional", "Sanne Visser", None, "nl", "ontmoeting", role="opbouwwerker"),
    _p("bram", "professional", "Bram Hendriks", None, "nl", "klussen", role="huismeester"),
    _p("esther", "professional", "Esther Koster", None, "nl", "opvoeding geldzaken",
       role="wijkcoach"),
    # resident initiatives and named groups
    _p("taalcafe", "initiative", "Taalcafé Kerkstraat", K, "nl ar", "taal ontmoeting", "taal",
       type="taalcafe"),
    _p("soos", "initiative", "Seniorensoos De Molen", M, "nl", "ontmoeting eenzaamheid",
       type="seniorensoos"),
    _p("wandel", "initiative", "Wandelgroep Kerkbuurt", K, "nl",
       "bewegen gezondheid eenzaamheid", type="wandelgroep"),
    _p("vrouwen", "initiative", "Vrouwengroep Al Amal", M, "ar nl", "ontmoeting opvoeding",
       type="mamacafe"),
    _p("jongeren", "initiative", "Jongerenclub Molenweg", M, "nl", "bewegen huiswerk",
       type="straatvoetbal"),
    _p("formulieren", "initiative", "Formulierenbrigade Schoolstraat", S, "nl",
       "administratie geldzaken", "administratie", type="formulierenhulp"),
    # meeting places
    _p("buurthuis", "place", "Buurthuis Het Kerkplein", K, "", "ontmoeting koken",
       type="buurthuis"),
    _p("bieb", "place", "Bibliotheek Molenweg", M, "", "taal digitaal huiswerk",
       type="bibliotheek"),
    _p("moskee", "place", "Moskee Al-Fath", S, "", "ontmoeting", type="moskee"),
    _p("cafe", "place", "Café De Molen", M, "", "ontmoeting", type="cafe"),
)  # fmt: skip

_A, _C, _E, _P = "advice", "company", "emotional", "practical"

# (a, b, kind, strength, support); "@type" names an actor of the synthetic wijk by its
# ``type`` attribute (an organisation or initiative), "@key_figure:i" its i-th key figure.
_TIES: tuple[tuple[str, str, str, int, tuple[str, ...]], ...] = (
    ("lina", "karim", "knows", 4, (_A, _C)),
    ("lina", "anja", "neighbour", 2, (_C,)),
    ("karim", "taalcafe", "volunteers_at", 5, (_P,)),
    ("karim", "buurthuis", "meets_at", 4, ()),
    ("karim", "sanne", "knows", 4, (_A,)),
    ("karim", "henk", "neighbour", 3, (_P,)),
    ("karim", "fatma", "knows", 3, (_A,)),
    ("karim", "joost", "knows", 2, ()),
    ("karim", "mohamed", "knows", 3, (_C,)),
    ("karim", "yusuf", "friend", 4, (_C, _E)),
    ("karim", "moskee", "meets_at", 4, ()),
    ("karim", "abdi", "knows", 2, (_A,)),
    ("karim", "@key_figure:0", "knows", 3, (_A,)),
    ("karim", "@key_figure:1", "knows", 3, ()),
    ("samira", "taalcafe", "volunteers_at", 4, (_P,)),
    ("marieke", "taalcafe", "volunteers_at", 4, (_P,)),
    ("marieke", "bieb", "volunteers_at", 3, (_P,)),
    ("ewa", "taalcafe", "participates_in", 3, ()),
    ("tesfay", "taalcafe", "participates_in", 3, ()),
    ("abdi", "taalcafe", "participates_in", 2, ()),
    ("taalcafe", "buurthuis", "meets_at", 3, ()),
    ("taalcafe", "bieb", "partners_with", 3, ()),
    ("taalcafe", "@taalcafe", "partners_with", 2, ()),
    ("sanne", "@welfare", "works_for", 5, ()),
    ("sanne", "soos", "knows", 3, (_A,)),
    ("sanne", "henk", "knows", 2, (_A,)),
    ("sanne", "truus", "knows", 2, (_A, _E)),
    ("henk", "truus", "neighbour", 3, (_P, _C)),
    ("henk", "anja", "neighbour", 3, (_P,)),
    ("henk", "soos", "participates_in", 3, ()),
    ("anja", "wandel", "participates_in", 3, ()),
    ("anja", "buurthuis", "meets_at", 2, ()),
    ("anja", "ewa", "neighbour", 2, (_C,)),
    ("ewa", "joost", "neighbour", 2, ()),
    ("fatma", "vrouwen", "participates_in", 4, ()),
    ("samira", "vrouwen", "volunteers_at", 4, (_P,)),
    ("noor", "vrouwen", "participates_in", 3, ()),
    ("fatma", "samira", "friend", 3, (_C, _E)),
    ("joost", "jongeren", "volunteers_at", 3, (_P,)),
    ("daan", "jongeren", "participates_in", 4, ()),
    ("yusuf", "jongeren", "volunteers_at", 4, (_P,)),
    ("abdi", "jongeren", "participates_in", 2, ()),
    ("jongeren", "@sports", "partners_with", 2, ()),
    ("yusuf", "cafe", "meets_at", 3, ()),
    ("kees", "cafe", "meets_at", 2, ()),
    ("yusuf", "moskee", "meets_at", 2, ()),
    ("mohamed", "moskee", "meets_at", 3, ()),
    ("priya", "formulieren", "volunteers_at", 4, (_P,)),
    ("kees", "priya", "neighbour", 3, (_P,)),
    ("tesfay", "priya", "neighbour", 2, (_A,)),
    ("tesfay", "formulieren", "participates_in", 2, ()),
    ("formulieren", "@municipality", "partners_with", 2, ()),
    ("marieke", "kees", "friend", 3, (_C,)),
    ("bram", "@housing", "works_for", 5, ()),
    ("bram", "henk", "knows", 2, (_P,)),
    ("bram", "anja", "knows", 2, (_P,)),
    ("bram", "kees", "knows", 2, (_P,)),
    ("esther", "@wijkteam", "works_for", 5, ()),
    ("esther", "fatma", "knows", 3, (_A,)),
    ("esther", "priya", "knows", 2, ()),
    ("soos", "buurthuis", "meets_at", 3, ()),
    ("wandel", "soos", "partners_with", 3, ()),
    ("bieb", "@bibliotheek", "partners_with", 2, ()),
    ("wandel", "@wandelgroep", "partners_with", 2, ()),
)


def _rename(name: str) -> str:
    low = name.casefold()
    for reserved, other in _RESERVED.items():
        if reserved in low:
            start = low.index(reserved)
            return name[:start] + other + name[start + len(reserved) :]
    return name


def _street_free(label: str | None) -> str | None:
    if label in STREETS:
        return f"Lange {label}"
    return label


def generate(
    n_actors: int = 1500,
    *,
    seed: int = 7,
    start: dt.date | None = None,
    fresh_ids: bool = False,
) -> synth.SynthNetwork:
    """The synthetic wijk with the story woven in: ``n_actors`` actors in all (at least
    ``40 + len(STORY)``). Deterministic for a given ``seed`` and ``start``; ``fresh_ids`` as in
    :func:`netwerk.synth.generate` (to load the demo more than once into one database)."""
    data = synth.generate(
        max(40, n_actors - len(STORY)), seed=seed, start=start, fresh_ids=fresh_ids
    )
    a, t = data.actors, data.ties
    a.name = [_rename(n) for n in a.name]
    a.area = [_street_free(x) for x in a.area]
    if a.attributes is not None:
        for attrs in a.attributes:
            if attrs.get("street") in STREETS:
                attrs["street"] = f"Lange {attrs['street']}"

    # anchors in the synthetic wijk: the first actor of each type, and its key figures
    by_type: dict[str, str] = {}
    for i, attrs in enumerate(a.attributes or []):
        kind_type = attrs.get("type")
        if isinstance(kind_type, str):
            by_type.setdefault(kind_type, a.id[i])
    key_figures = [a.id[i] for i, k in enumerate(a.kind) if k == "key_figure"]
    buurt = next((x for x in a.area if x and x.startswith("BU")), None)

    taken = set(a.id)
    ids = [i for i in synth.random_ids(_rng(seed, 77, fresh_ids), 2 * len(STORY)) if i not in taken]
    story_id = {actor.key: ids[n] for n, actor in enumerate(STORY)}
    for actor in STORY:
        person = actor.kind in PERSON_KINDS
        a.id.append(story_id[actor.key])
        a.kind.append(actor.kind)
        a.name.append(actor.name)
        a.area.append(actor.area if actor.area is not None else buurt)
        a.languages.append(list(actor.languages))
        a.assets.append(list(actor.assets))
        a.needs.append(list(actor.needs))
        a.consent.append(actor.consent if person else None)
        if a.attributes is not None:
            a.attributes.append(dict(actor.attributes))

    def resolve(ref: str) -> str | None:
        if not ref.startswith("@"):
            return story_id[ref]
        if ref.startswith("@key_figure:"):
            k = int(ref.split(":")[1])
            return key_figures[k] if k < len(key_figures) else None
        return by_type.get(ref[1:])

    end = data.info.get("end") or dt.date.today()
    tie_rng = _rng(seed, 78, fresh_ids)
    tie_ids = synth.random_ids(tie_rng, len(_TIES) + 8)
    taken_ties = set(t.id)
    tie_ids = [i for i in tie_ids if i not in taken_ties]
    for n, (x, y, kind, strength, support) in enumerate(_TIES):
        src, dst = resolve(x), resolve(y)
        if src is None or dst is None:
            continue
        t.id.append(tie_ids[n])
        t.source_id.append(src)
        t.target_id.append(dst)
        t.kind.append(kind)
        t.strength.append(strength)
        t.support.append(list(support))
        # Lina is new in the street: her ties are recent; the others have grown for years
        days = 60 if "lina" in (x, y) else 200 + 37 * n
        t.since.append(end - dt.timedelta(days=days))
        t.until.append(None)
        if t.note is not None:
            t.note.append(None)
    if a.note is not None:
        a.note.extend([None] * len(STORY))
    if a.external_ref is not None:
        a.external_ref.extend([None] * len(STORY))
    area_names = _area_names(a.area)
    if a.attributes is not None:
        for area, attrs in zip(a.area, a.attributes, strict=True):
            if area in area_names:
                attrs["area_name"] = area_names[area]
    a.check()
    t.check()
    data.info["story"] = story_id
    data.info["area_names"] = area_names
    data.info["counts"] = {k: a.kind.count(k) for k in sorted(set(a.kind))}
    return data


def _area_names(areas: list[str | None]) -> dict[str, str]:
    """A name for every CBS code among ``areas``: buurten and wijken in code order."""
    codes = sorted({x for x in areas if x and x[:2] in ("BU", "WK", "GM") and x[2:].isdigit()})
    out: dict[str, str] = {}
    levels = {"BU": _BUURT_NAMES, "WK": _WIJK_NAMES}
    for prefix, names in levels.items():
        mine = [c for c in codes if c.startswith(prefix)]
        for i, code in enumerate(mine):
            out[code] = (
                names[i] if i < len(names) else f"{names[i % len(names)]} {i // len(names) + 1}"
            )
    for code in codes:
        if code.startswith("GM"):
            out[code] = _MUNICIPALITY
    return out


def _rng(seed: int, stream: int, fresh: bool) -> np.random.Generator:
    return np.random.default_rng() if fresh else np.random.default_rng([seed, stream])


def story_ids(data: synth.SynthNetwork) -> dict[str, str]:
    """The actor id of each story key (``"lina"``, ``"karim"``, ``"taalcafe"``, ...)."""
    return dict(data.info["story"])


def load(
    conn: Connection,
    network_id: str,
    data: synth.SynthNetwork,
    progress: Callable[[int], None] | None = None,
) -> int:
    """Bulk-insert the demo wijk (see :func:`netwerk.synth.load`)."""
    return synth.load(conn, network_id, data, progress=progress)
