"""A seeded, realistic synthetic neighbourhood: for the demo, the tests and the benchmarks.

The generative model
--------------------
The network is built the way a neighbourhood is, from places outwards, and every step is
vectorised with numpy so that 100 to 1,000,000 actors take seconds, not minutes.

1. **Geography.** One buurt per ~2,000 actors, with CBS codes ``BU0363WWBB`` grouped into
   wijken (``WK0363WW``) of six buurten. Each buurt has a naming theme (birds, flowers,
   painters, poets, rivers, trees, ...) that names its streets (``Merelstraat``,
   ``Tweede Rembrandtlaan``). Buurten differ in size (log-normal).
2. **Households and streets.** Residents live in households of 1–6 persons (Dutch size
   distribution) on streets of ~40 households. In about a quarter of the streets the
   residents' ``area`` is the street label (a broker who charts by street); elsewhere it is
   the buurt code.
3. **Resident groups.** Each household belongs to a group that differs in languages, age
   profile, names and (for some) a place of worship: Dutch, Moroccan-Dutch, Turkish-Dutch,
   Surinamese-Dutch, Antillean, Polish, Somali, Syrian, Eritrean, Ghanaian and international
   residents. The mix is segregated: each buurt draws its mix from a Dirichlet around the city
   mix, each street again around its buurt's. Age bands (``age_band`` attribute: 12-17,
   18-26, 27-45, 46-66, 67+) follow the household position (singles, couples, parents and
   children), languages follow group and age (first-generation elders speak less Dutch).
4. **Needs and assets.** Residents get 0–3 needs and 0–3 assets from the 15 themes, weighted
   by age band and by whether they speak Dutch (taal and administratie needs are higher for
   non-Dutch speakers). Each buurt lacks 3 themes on the asset side, and ``vervoer`` is scarce
   everywhere, so some needs have a matching asset nearby and some do not.
5. **Organisations, professionals, initiatives, places.** Welfare organisations, buurtteams,
   police teams and tenants' associations per wijk; schools, GP practices, care teams and
   sports clubs per buurt; housing corporations and the municipality city-wide.
   Professionals (opbouwwerker, wijkagent, huismeester, wijkverpleegkundige, straatcoach, ...,
   attribute ``role``) ``works_for`` their organisation and cover a buurt. Each buurt has
   initiatives (taalcafé, buurtmoestuin, voedselbank, repair café, ...) and places
   (buurthuis, bibliotheek, schoolplein, café, mosque, church, ...), each with themes.
6. **Ties.** ``family`` within households (strong) and to relatives in the buurt;
   ``neighbour`` ties to nearby households on the same street; ``friend`` ties mostly within
   group, buurt and age band, some across; ``knows`` ties mixing more widely. The number of
   person-to-person ties per resident follows a log-normal sociability (heavy-tailed degrees),
   and partners are drawn in proportion to their sociability. Residents ``participates_in``
   initiatives (often one that serves one of their needs), ``volunteers_at`` initiatives that
   ask for one of their assets, ``meets_at`` places (some at their group's place of worship)
   and are ``member_of`` clubs. About 1 % of the actors are recognised key figures
   (``key_figure``) with 30–200 ties across the groups of their buurt, and another 0.5 % of
   residents have the same position without the label (``info["hidden_key_figures"]``, for
   testing the analysis). Professionals know clients of the age bands their role serves and
   ``refers_to`` each other (directed); organisations and initiatives ``partners_with`` each
   other. About 3 % of residents are isolated (no ties at all) and 2 % are tied only to
   professionals. Strengths 1–5, ``support`` kinds and ``since`` dates (over six years) are
   drawn per kind of tie; about 5 % of the ties have an ``until`` in the past (history).

At most one tie is kept per pair of actors (``refers_to`` per direction), preferring the
strongest kind (family over friend over neighbour over knows), so there are no self-loops
and no duplicate ``(source, target, kind)``.

Output is deterministic for a given ``(seed, start)``; ``start`` defaults to six years before
today, so that ``since`` dates run up to today.
"""

from __future__ import annotations

import datetime as dt
import gc
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt

from netwerk.model import ActorKind, Consent, SupportKind, TieKind
from netwerk.store.bulk import ActorColumns, TieColumns, insert_actors, insert_ties
from netwerk.store.revision import bump_revision
from netwerk.store.session import Connection
from netwerk.synth_latent import LatentTraits, build_traits, tie_chance

__all__ = [
    "AGE_BANDS",
    "GENERATE_STEPS",
    "THEMES",
    "SynthNetwork",
    "generate",
    "load",
    "random_ids",
]

Arr = npt.NDArray[Any]

THEMES: tuple[str, ...] = (
    "taal",
    "ontmoeting",
    "geldzaken",
    "opvoeding",
    "werk",
    "gezondheid",
    "bewegen",
    "koken",
    "tuinieren",
    "klussen",
    "vervoer",
    "digitaal",
    "huiswerk",
    "eenzaamheid",
    "administratie",
)
_T = {name: i for i, name in enumerate(THEMES)}
N_THEMES = len(THEMES)

AGE_BANDS: tuple[str, ...] = ("12-17", "18-26", "27-45", "46-66", "67+")
N_BANDS = len(AGE_BANDS)

GENERATE_STEPS: tuple[str, ...] = (
    "geography",
    "residents",
    "themes",
    "ties",
    "columns",
)
"""The stages :func:`generate` reports to its ``progress`` callback, in order."""

SPAN_DAYS = 6 * 365 + 1
GEMEENTE = "0363"

# --------------------------------------------------------------------------------------------
# Resident groups
# --------------------------------------------------------------------------------------------


def _items(text: str) -> tuple[str, ...]:
    """A tuple from a comma-separated literal (keeps long name lists compact)."""
    return tuple(part.strip() for part in text.split(",") if part.strip())


@dataclass(frozen=True)
class _Group:
    key: str
    weight: float
    age: tuple[float, float, float, float, float]
    # language combination, weight for young (12-26), middle (27-45), old (46+)
    languages: tuple[tuple[tuple[str, ...], float, float, float], ...]
    first: tuple[str, ...]
    last: tuple[str, ...]
    faith: int  # 0 none, 1 mosque, 2 church


_GROUPS: tuple[_Group, ...] = (
    _Group(
        "nl",
        0.46,
        (0.05, 0.12, 0.27, 0.30, 0.26),
        ((("nl",), 0.75, 0.8, 0.9), (("nl", "en"), 0.25, 0.2, 0.1)),
        _items(
            "Jan, Piet, Kees, Henk, Gerrit, Willem, Bram, Daan, Lars, Sem, Ruben, Thijs, Joost, "
            "Maarten, Sander, Koen, Jeroen, Erik, Mark, Anna, Emma, Sanne, Lotte, Fleur, Anouk, "
            "Femke, Ingrid, Marijke, Els, Wilma, Joke, Tineke, Sophie, Julia, Noor, Lieke, Iris, "
            "Ria, Hanneke"
        ),
        _items(
            "de Vries, Jansen, de Jong, van den Berg, Bakker, Visser, Smit, Meijer, de Boer, "
            "Mulder, de Groot, Bos, Vos, Peters, Hendriks, van Leeuwen, Dekker, Brouwer, de Wit, "
            "Dijkstra, Smits, de Graaf, van der Meer, van der Linden, Kok, Jacobs, de Haan, "
            "Vermeulen, van den Heuvel, van der Veen, van Dijk, Schouten, Willems, Hoekstra, "
            "Koster, Prins, Huisman, Post, Kuipers, Verhoeven"
        ),
        2,
    ),
    _Group(
        "ma",
        0.12,
        (0.10, 0.20, 0.32, 0.28, 0.10),
        (
            (("nl",), 0.35, 0.10, 0.02),
            (("nl", "ar"), 0.35, 0.40, 0.20),
            (("nl", "ber"), 0.25, 0.30, 0.15),
            (("ar", "ber"), 0.05, 0.15, 0.40),
            (("ber",), 0.0, 0.05, 0.23),
        ),
        _items(
            "Mohammed, Ahmed, Youssef, Said, Rachid, Karim, Ilias, Bilal, Anouar, Hamza, Mustafa, "
            "Khalid, Fatima, Khadija, Naima, Samira, Nadia, Malika, Yasmina, Houda, Soukaina, "
            "Loubna, Zineb, Aicha, Imane, Meryem"
        ),
        _items(
            "El Amrani, Bouzid, El Idrissi, Benali, Azzouzi, Ouali, Tahiri, El Khatib, Boukhari, "
            "Haddouchi, Ziani, Chaoui, El Ouardi, Belhaj, Aït Taleb, Bakkali, El Hamdaoui, "
            "Moussaoui, Essadki, Amrani"
        ),
        1,
    ),
    _Group(
        "tr",
        0.10,
        (0.09, 0.18, 0.32, 0.29, 0.12),
        (
            (("nl", "tr"), 0.70, 0.60, 0.30),
            (("tr",), 0.05, 0.30, 0.65),
            (("nl",), 0.25, 0.10, 0.05),
        ),
        _items(
            "Mehmet, Ahmet, Hasan, Hüseyin, Emre, Burak, Murat, Kemal, Osman, Yusuf, Ayşe, Fatma, "
            "Emine, Hatice, Zeynep, Elif, Merve, Esra, Özlem, Derya, Selin, Büşra"
        ),
        _items(
            "Yılmaz, Kaya, Demir, Şahin, Çelik, Yıldız, Aydın, Öztürk, Arslan, Doğan, Kılıç, "
            "Aslan, Çetin, Kara, Koç, Kurt, Özdemir, Polat, Erdoğan, Aksoy"
        ),
        1,
    ),
    _Group(
        "sr",
        0.08,
        (0.07, 0.15, 0.30, 0.32, 0.16),
        (
            (("nl",), 0.5, 0.5, 0.4),
            (("nl", "srn"), 0.4, 0.35, 0.3),
            (("nl", "hns"), 0.1, 0.15, 0.3),
        ),
        _items(
            "Ricardo, Romano, Dwayne, Marciano, Glenn, Clarence, Quincy, Jerrel, Rajesh, Ravi, "
            "Roshni, Anita, Sharmila, Priya, Shanti, Gaitri, Lucretia, Denise, Sheryl, Ingrid"
        ),
        _items(
            "Pinas, Biharie, Ramdin, Sewdien, Kromodikoro, Brunings, Vlijter, Doelwijt, Mahabier, "
            "Ramautar, Soekhai, Tjon, Kartodikromo, Sedney, Sabajo, Lachman, Jagessar, Nanhoe, "
            "Refos, Kensmil"
        ),
        2,
    ),
    _Group(
        "an",
        0.04,
        (0.08, 0.22, 0.35, 0.25, 0.10),
        ((("nl", "pap"), 0.6, 0.6, 0.4), (("pap",), 0.05, 0.15, 0.4), (("nl",), 0.35, 0.25, 0.2)),
        _items(
            "Jurick, Shurandy, Ryangelo, Glenson, Jeandro, Churandy, Giovanni, Rudsel, Shaquira, "
            "Jurmaine, Shanella, Ruthmila, Xiomara, Yesenia, Migdalia, Elvira"
        ),
        _items(
            "Martina, Isenia, Maduro, Croes, Frans, Rosaria, Wawoe, Pietersz, Statia, Coffie, "
            "Everts, Janga, Bernabela, Zimmerman, Capriles, Sulvaran"
        ),
        2,
    ),
    _Group(
        "pl",
        0.05,
        (0.04, 0.20, 0.55, 0.18, 0.03),
        ((("pl",), 0.3, 0.5, 0.7), (("pl", "en"), 0.5, 0.3, 0.2), (("pl", "nl"), 0.2, 0.2, 0.1)),
        _items(
            "Piotr, Krzysztof, Tomasz, Paweł, Marek, Łukasz, Michał, Kamil, Anna, Katarzyna, "
            "Magdalena, Agnieszka, Joanna, Monika, Ewa, Natalia"
        ),
        _items(
            "Kowalski, Nowak, Wiśniewski, Wójcik, Kowalczyk, Kamiński, Lewandowska, Zielińska, "
            "Szymański, Woźniak, Dąbrowska, Kozłowski, Jankowska, Mazur, Kwiatkowski, Krawczyk"
        ),
        2,
    ),
    _Group(
        "so",
        0.025,
        (0.12, 0.25, 0.38, 0.20, 0.05),
        ((("so", "nl"), 0.6, 0.4, 0.2), (("so",), 0.1, 0.3, 0.6), (("so", "en"), 0.3, 0.3, 0.2)),
        _items(
            "Abdi, Abdullahi, Mohamed, Hassan, Omar, Farah, Hodan, Amina, Fadumo, Hawa, Sahra, "
            "Ayan, Halima, Ifrah, Nasra, Yasin"
        ),
        _items(
            "Warsame, Ali, Hassan, Abdi, Mohamud, Jama, Yusuf, Osman, Hersi, Ismail, Aden, Nur, "
            "Dirie, Guled, Egal, Farah"
        ),
        1,
    ),
    _Group(
        "sy",
        0.04,
        (0.12, 0.22, 0.40, 0.20, 0.06),
        ((("ar",), 0.2, 0.5, 0.7), (("ar", "nl"), 0.6, 0.3, 0.15), (("ar", "en"), 0.2, 0.2, 0.15)),
        _items(
            "Ahmad, Omar, Khaled, Mahmoud, Rami, Ammar, Samer, Bashar, Rania, Lina, Hiba, Dima, "
            "Nour, Reem, Ghada, Yara"
        ),
        _items(
            "Al-Hassan, Haddad, Khoury, Al-Ahmad, Hamoud, Darwish, Kassem, Sabbagh, Al-Khatib, "
            "Nasser, Masri, Halabi, Shami, Saleh, Mansour, Othman"
        ),
        1,
    ),
    _Group(
        "er",
        0.02,
        (0.06, 0.38, 0.45, 0.10, 0.01),
        ((("ti",), 0.2, 0.5, 0.7), (("ti", "nl"), 0.6, 0.35, 0.2), (("ti", "en"), 0.2, 0.15, 0.1)),
        _items(
            "Tesfay, Yonas, Filmon, Dawit, Biniam, Robel, Senait, Helen, Luwam, Selam, Semhar, "
            "Winta"
        ),
        _items(
            "Tekle, Ghebremedhin, Haile, Berhane, Tesfamariam, Woldu, Kidane, Abraha, Mehari, Gebru"
        ),
        2,
    ),
    _Group(
        "gh",
        0.025,
        (0.08, 0.18, 0.36, 0.30, 0.08),
        (
            (("tw", "en"), 0.3, 0.5, 0.6),
            (("en", "nl"), 0.5, 0.3, 0.2),
            (("tw", "nl"), 0.2, 0.2, 0.2),
        ),
        _items("Kwame, Kofi, Kwaku, Yaw, Kojo, Akosua, Ama, Abena, Efua, Adjoa, Esi, Yaa"),
        _items("Mensah, Owusu, Boateng, Asante, Appiah, Osei, Agyeman, Ofori, Amponsah, Darko"),
        2,
    ),
    _Group(
        "int",
        0.05,
        (0.02, 0.18, 0.62, 0.15, 0.03),
        ((("en",), 0.6, 0.7, 0.7), (("en", "nl"), 0.4, 0.3, 0.3)),
        _items(
            "James, Oliver, David, Michael, Daniel, Arjun, Wei, Lucas, Priya, Maria, Sofia, Laura, "
            "Emily, Chloe, Ana, Mei"
        ),
        _items(
            "Smith, Johnson, Brown, Garcia, Rossi, Müller, Kumar, Sharma, Wang, Li, Silva, Santos, "
            "Dubois, Novak, Andersen, O'Brien"
        ),
        0,
    ),
)
N_GROUPS = len(_GROUPS)

# needs and assets per age band, theme order as THEMES
_NEED_BY_BAND = np.array(
    [
        [0.5, 1.0, 0.2, 0.0, 0.5, 0.3, 1.0, 0.2, 0.1, 0.1, 0.3, 0.2, 4.0, 0.8, 0.1],
        [0.8, 1.2, 1.5, 0.3, 3.0, 0.5, 0.6, 0.3, 0.1, 0.3, 0.3, 0.2, 0.5, 1.0, 1.2],
        [1.0, 1.0, 2.0, 2.5, 2.0, 0.8, 0.7, 0.3, 0.2, 0.8, 0.5, 0.4, 1.5, 0.8, 1.5],
        [0.8, 1.0, 1.8, 0.6, 1.5, 1.5, 0.8, 0.3, 0.2, 1.2, 0.8, 1.2, 0.3, 1.2, 1.5],
        [0.4, 1.5, 0.8, 0.05, 0.05, 2.5, 1.0, 0.5, 0.2, 2.0, 2.5, 2.5, 0.05, 3.0, 2.0],
    ]
)
_ASSET_BY_BAND = np.array(
    [
        [0.5, 0.8, 0.0, 0.0, 0.1, 0.1, 2.5, 0.5, 0.3, 0.3, 0.02, 3.0, 1.0, 0.2, 0.0],
        [1.5, 1.2, 0.4, 0.3, 0.6, 0.4, 2.0, 1.0, 0.4, 0.8, 0.1, 3.0, 2.0, 0.5, 0.5],
        [1.5, 1.2, 0.8, 1.5, 1.0, 0.8, 1.0, 1.8, 0.6, 1.2, 0.15, 1.5, 1.0, 0.6, 1.0],
        [1.5, 1.4, 1.0, 1.0, 1.0, 0.8, 0.8, 1.8, 1.2, 1.5, 0.2, 0.8, 0.6, 0.8, 1.2],
        [1.2, 1.5, 0.8, 0.8, 0.3, 0.5, 0.3, 1.5, 1.5, 0.8, 0.1, 0.1, 0.4, 1.2, 0.8],
    ]
)
_NEED_NON_NL = np.ones(N_THEMES)
_NEED_NON_NL[[_T["taal"], _T["administratie"], _T["werk"], _T["geldzaken"]]] = [6, 2, 1.3, 1.2]
_ASSET_NON_NL = np.ones(N_THEMES)
_ASSET_NON_NL[[_T["taal"], _T["administratie"]]] = [0.3, 0.3]

# --------------------------------------------------------------------------------------------
# Streets, buurten, wijken
# --------------------------------------------------------------------------------------------

_STREET_THEMES: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("Vogelbuurt", _items(
        "Merel, Lijster, Spreeuw, Vink, Koolmees, Reiger, Kievit, Zwaluw, Meeuw, Specht, Uilen, "
        "Wielewaal, Roodborst, Nachtegaal, Ekster, Fazant, Patrijs, Ooievaar, Valk, Karekiet")),
    ("Bloemenbuurt", _items(
        "Tulp, Rozen, Lelie, Narcis, Krokus, Hyacint, Anjer, Iris, Violier, Dahlia, Jasmijn, "
        "Seringen, Madelief, Zonnebloem, Klaproos, Akelei, Goudsbloem, Lavendel")),
    ("Schildersbuurt", _items(
        "Rembrandt, Vermeer, Frans Hals, Jan Steen, Van Ostade, Ruysdael, Hobbema, Van Gogh, "
        "Mondriaan, Breitner, Israëls, Mesdag, Saenredam, Potter, Van Goyen, Cuyp, Jongkind, "
        "Maris")),
    ("Dichtersbuurt", _items(
        "Vondel, Bilderdijk, Da Costa, Tollens, Hooft, Cats, Huygens, Bredero, Multatuli, Gorter, "
        "Kloos, Perk, Staring, Beets, Van Lennep, Potgieter, Vestdijk, Achterberg")),
    ("Rivierenbuurt", _items(
        "Maas, Waal, Rijn, IJssel, Amstel, Vecht, Lek, Schelde, Dommel, Dinkel, Berkel, Regge, "
        "Linge, Merwede, Eem, Gein, Zaan, Spaarne")),
    ("Bomenbuurt", _items(
        "Eiken, Beuken, Linden, Esdoorn, Kastanje, Berken, Populieren, Wilgen, Iepen, Platanen, "
        "Elzen, Essen, Lariks, Acacia, Hazelaar, Meidoorn, Hulst, Taxus")),
    ("Indische Buurt", _items(
        "Java, Sumatra, Borneo, Celebes, Bali, Lombok, Timor, Ambon, Madoera, Flores, Soenda, "
        "Molukken, Banda, Ternate, Riouw, Billiton")),
    ("Oude Dorp", _items(
        "Kerk, Molen, School, Dorps, Hof, Spoor, Haven, Markt, Brug, Sluis, Dijk, Veld, Weide, "
        "Poort, Wal, Gasthuis, Kloosters, Brouwers")),
    ("Provinciebuurt", _items(
        "Groningen, Friesland, Drenthe, Overijssel, Gelderland, Utrecht, Zeeland, Brabant, "
        "Limburg, Flevoland, Holland, Twente, Veluwe, Achterhoek")),
    ("Componistenbuurt", _items(
        "Mozart, Bach, Beethoven, Haydn, Chopin, Schubert, Händel, Vivaldi, Sweelinck, "
        "Diepenbrock, Verdi, Grieg, Brahms, Ravel")),
)  # fmt: skip
_SUFFIXES = ("straat", "laan", "weg", "plein", "hof", "kade", "dwarsstraat", "pad", "singel")
_VARIANTS = ("Eerste ", "Tweede ", "Derde ", "Nieuwe ", "Korte ", "Lange ")
_DIRECTIONS = ("", "-Oost", "-West", "-Noord", "-Zuid", "-Midden")
_WIJK_NAMES = (
    "Centrum", "Oost", "West", "Noord", "Zuid", "Nieuw-West", "Zuidoost", "Oud-Zuid",
    "Watergraafsmeer", "Oud-West", "Noordoost", "Zuidwest", "De Baarsjes", "Bos en Lommer",
    "Slotervaart", "Osdorp", "Geuzenveld", "Buitenveldert", "IJburg", "De Pijp",
)  # fmt: skip

# --------------------------------------------------------------------------------------------
# Organisations, professionals, initiatives, places
# --------------------------------------------------------------------------------------------

# type, level (buurt | wijk | city), probability per buurt (buurt level), themes
_ORG_TYPES: tuple[tuple[str, str, float, tuple[str, ...]], ...] = (
    ("welfare", "wijk", 1.0, ("ontmoeting", "opvoeding", "eenzaamheid", "administratie")),
    ("housing", "city", 1.0, ("klussen",)),
    ("school", "buurt", 1.33, ("opvoeding", "huiswerk", "taal")),
    ("tenants", "wijk", 1.0, ("klussen", "ontmoeting")),
    ("gp", "buurt", 0.7, ("gezondheid",)),
    ("municipality", "city", 1.0, ("geldzaken", "werk", "administratie")),
    ("wijkteam", "wijk", 1.0, ("opvoeding", "geldzaken", "gezondheid", "administratie")),
    ("police", "wijk", 1.0, ()),
    ("care", "buurt", 0.34, ("gezondheid",)),
    ("sports", "buurt", 0.34, ("bewegen", "gezondheid")),
)
_ORG_INDEX = {t[0]: i for i, t in enumerate(_ORG_TYPES)}


@dataclass(frozen=True)
class _Role:
    role: str
    org_type: str
    per_org: str  # a number, or "buurten/k" for city-wide organisations
    clients: float
    bands: tuple[float, float, float, float, float]
    assets: tuple[str, ...]


_ROLES: tuple[_Role, ...] = (
    _Role("opbouwwerker", "welfare", "3", 35, (0.05, 0.15, 0.3, 0.3, 0.2), ("ontmoeting",)),
    _Role("jongerenwerker", "welfare", "3", 30, (0.5, 0.5, 0, 0, 0), ("bewegen", "werk")),
    _Role("maatschappelijk werker", "welfare", "3", 25, (0, 0.1, 0.45, 0.35, 0.1), ("geldzaken",)),
    _Role("wijkcoach", "wijkteam", "6", 30, (0, 0.1, 0.4, 0.3, 0.2), ("opvoeding", "geldzaken")),
    _Role("wijkverpleegkundige", "care", "4", 25, (0, 0, 0.05, 0.25, 0.7), ("gezondheid",)),
    _Role("wijkagent", "police", "3", 20, (0.25, 0.25, 0.2, 0.2, 0.1), ()),
    _Role("huismeester", "housing", "buurten/1", 35, (0, 0.1, 0.35, 0.3, 0.25), ("klussen",)),
    _Role("schoolmaatschappelijk werker", "school", "0.5", 15, (0.3, 0, 0.6, 0.1, 0),
          ("opvoeding", "huiswerk")),
    _Role("praktijkondersteuner", "gp", "1", 20, (0, 0.05, 0.2, 0.35, 0.4), ("gezondheid",)),
    _Role("straatcoach", "municipality", "buurten/2", 25, (0.6, 0.4, 0, 0, 0), ()),
    _Role("schuldhulpverlener", "municipality", "buurten/3", 20, (0, 0.15, 0.45, 0.35, 0.05),
          ("administratie", "geldzaken")),
    _Role("gebiedsmakelaar", "municipality", "buurten/6", 15, (0, 0.1, 0.3, 0.35, 0.25), ()),
)  # fmt: skip

# type, label, assets, needs, weight
_INITIATIVES: tuple[tuple[str, str, tuple[str, ...], tuple[str, ...], float], ...] = (
    ("taalcafe", "Taalcafé", ("taal", "ontmoeting"), ("taal",), 1.5),
    ("buurtmoestuin", "Buurtmoestuin", ("tuinieren", "ontmoeting", "gezondheid"), ("tuinieren",),
     1.0),
    ("voedselbank", "Voedselbank uitgiftepunt", ("geldzaken", "koken"), ("vervoer",), 0.6),
    ("repair_cafe", "Repair Café", ("klussen", "ontmoeting"), ("klussen",), 0.8),
    ("huiswerkklas", "Huiswerkklas", ("huiswerk", "opvoeding"), ("huiswerk",), 1.0),
    ("buurtkeuken", "Buurtkeuken", ("koken", "ontmoeting", "eenzaamheid"), ("koken",), 1.0),
    ("wandelgroep", "Wandelgroep", ("bewegen", "gezondheid", "eenzaamheid"), (), 0.8),
    ("formulierenhulp", "Formulierenbrigade", ("administratie", "geldzaken"), ("administratie",),
     0.8),
    ("digicafe", "Digicafé", ("digitaal",), ("digitaal",), 0.7),
    ("mamacafe", "Mama's café", ("opvoeding", "ontmoeting"), (), 0.7),
    ("buurtbus", "Buurtbus", ("vervoer",), ("vervoer",), 0.15),
    ("klusteam", "Klusteam", ("klussen",), ("klussen",), 0.5),
    ("naaiatelier", "Naaiatelier", ("ontmoeting", "werk"), (), 0.5),
    ("werkcafe", "Werkcafé", ("werk", "digitaal"), (), 0.5),
    ("schuldhulpmaatje", "SchuldHulpMaatje", ("geldzaken", "administratie"), ("geldzaken",), 0.5),
    ("seniorensoos", "Seniorensoos", ("ontmoeting", "eenzaamheid"), (), 0.8),
    ("straatvoetbal", "Straatvoetbal", ("bewegen",), (), 0.6),
)  # fmt: skip

# type, assets, weight, faith (0 general, 1 mosque, 2 church), popularity
_PLACES: tuple[tuple[str, tuple[str, ...], float, int, float], ...] = (
    ("buurthuis", ("ontmoeting", "koken"), 1.0, 0, 3.0),
    ("bibliotheek", ("taal", "digitaal", "huiswerk", "administratie"), 0.4, 0, 2.0),
    ("schoolplein", ("opvoeding", "ontmoeting"), 0.8, 0, 2.0),
    ("cafe", ("ontmoeting",), 1.0, 0, 2.0),
    ("speeltuin", ("opvoeding", "bewegen"), 0.6, 0, 1.0),
    ("sportveld", ("bewegen",), 0.4, 0, 1.0),
    ("markt", ("ontmoeting", "koken"), 0.3, 0, 1.5),
    ("park", ("bewegen", "ontmoeting"), 0.4, 0, 1.0),
    ("moskee", ("ontmoeting",), 0.35, 1, 2.0),
    ("kerk", ("ontmoeting",), 0.35, 2, 1.5),
)
_NICE_NAMES = (
    "De Kroon", "De Pauw", "Het Trefpunt", "De Meeuw", "De Brug", "Het Anker", "De Ontmoeting",
    "De Boei", "De Horizon", "Het Middelpunt", "De Linde", "De Vonk", "Samen Sterk", "De Schakel",
    "Het Kompas", "De Regenboog", "De Zonnewijzer", "Het Palet", "De Vlinder", "De Springplank",
    "De Vuurtoren", "Het Mozaïek", "De Kameleon", "De Klimop", "De Boomgaard", "De Ark",
)  # fmt: skip
_CAFE_NAMES = (
    "De Zwaan", "'t Hoekje", "De Gouden Leeuw", "Het Wapen", "De Buurvrouw", "Lokaal",
    "De Tijd", "Het Pleintje", "De Ooievaar", "De Zon", "Bij Ome Jan", "De Kastanjeboom",
)  # fmt: skip
_MOSQUE_NAMES = ("Al-Nour", "Mevlana", "Ayasofya", "Al-Houda", "Ulu", "Taiba", "El Fath", "Essalam")
_CHURCH_NAMES = (
    "Pauluskerk", "Petruskerk", "Kerk De Ark", "Bethelkerk", "Maranathakerk", "Sint-Jozefkerk",
    "Emmaüskerk", "Pinkstergemeente Sion", "Evangelische Gemeente Shalom",
)  # fmt: skip
_HOUSING_NAMES = (
    "Woonstichting Het Anker", "Wooncorporatie Thuis Samen", "Woonstichting De Linie",
    "Stadswonen", "Woongroep Nieuw Thuis", "Woonstichting Ons Huis",
)  # fmt: skip
_SCHOOL_PREFIX = ("Basisschool", "OBS", "IKC", "Kindcentrum", "Daltonschool", "Montessorischool")
_SPORTS = ("Voetbalvereniging", "Sportclub", "Boksschool", "Zwemvereniging", "Turnvereniging")

# --------------------------------------------------------------------------------------------
# Tie classes: kind, strength distribution, support combinations, since ~ Beta(a, b)
# --------------------------------------------------------------------------------------------

_P, _C, _A, _E = (
    SupportKind.practical.value,
    SupportKind.company.value,
    SupportKind.advice.value,
    SupportKind.emotional.value,
)


@dataclass(frozen=True)
class _TieClass:
    kind: TieKind
    strength: tuple[float, float, float, float, float]
    support: tuple[tuple[tuple[str, ...], float], ...]
    since: tuple[float, float]
    since_unknown: float = 0.0
    symmetric_persons: bool = False  # person-person: orientation is random


_CLASSES: dict[str, _TieClass] = {
    "family_hh": _TieClass(
        TieKind.family,
        (0, 0, 0.05, 0.25, 0.7),
        (((_E, _P, _C), 0.5), ((_E, _C), 0.2), ((_P,), 0.1), ((), 0.2)),
        (0.6, 2.5),
        0.35,
        True,
    ),
    "family_rel": _TieClass(
        TieKind.family,
        (0, 0.1, 0.3, 0.35, 0.25),
        (((_E, _C), 0.4), ((_P,), 0.2), ((), 0.4)),
        (0.6, 2.0),
        0.35,
        True,
    ),
    "works_for": _TieClass(TieKind.works_for, (0, 0, 0.1, 0.4, 0.5), (((), 1.0),), (1.5, 1.0)),
    "refers_to": _TieClass(
        TieKind.refers_to, (0.1, 0.3, 0.4, 0.15, 0.05), (((_A,), 0.7), ((), 0.3)), (2.0, 1.0)
    ),
    "partners": _TieClass(
        TieKind.partners_with,
        (0.1, 0.3, 0.4, 0.15, 0.05),
        (((), 0.5), ((_A,), 0.3), ((_P,), 0.2)),
        (1.0, 1.0),
    ),
    "client": _TieClass(
        TieKind.knows,
        (0.1, 0.4, 0.35, 0.15, 0),
        (((_A,), 0.5), ((_A, _P), 0.4), ((_E, _A), 0.1)),
        (3.0, 1.0),
    ),
    "kf_prof": _TieClass(
        TieKind.knows, (0, 0.2, 0.4, 0.3, 0.1), (((_A,), 0.6), ((_A, _P), 0.4)), (1.5, 1.0)
    ),
    "friend": _TieClass(
        TieKind.friend,
        (0, 0.1, 0.3, 0.35, 0.25),
        (((_C,), 0.4), ((_C, _E), 0.4), ((_E, _P, _C), 0.2)),
        (1.0, 1.2),
        0.05,
        True,
    ),
    "neighbour": _TieClass(
        TieKind.neighbour,
        (0.3, 0.4, 0.2, 0.08, 0.02),
        (((), 0.5), ((_P,), 0.35), ((_P, _C), 0.15)),
        (1.0, 1.0),
        0.05,
        True,
    ),
    "kf_knows": _TieClass(
        TieKind.knows,
        (0.1, 0.35, 0.35, 0.15, 0.05),
        (((_A,), 0.4), ((_A, _P), 0.3), ((_C,), 0.3)),
        (1.0, 1.2),
        0.0,
        True,
    ),
    "knows": _TieClass(
        TieKind.knows,
        (0.45, 0.35, 0.15, 0.05, 0),
        (((), 0.8), ((_C,), 0.2)),
        (1.2, 1.0),
        0.05,
        True,
    ),
    "volunteers": _TieClass(
        TieKind.volunteers_at,
        (0, 0.1, 0.3, 0.4, 0.2),
        (((_P,), 0.6), ((_P, _C), 0.4)),
        (1.5, 1.0),
    ),
    "participates": _TieClass(
        TieKind.participates_in,
        (0.2, 0.35, 0.3, 0.1, 0.05),
        (((), 0.6), ((_C,), 0.4)),
        (1.5, 1.0),
    ),
    "member": _TieClass(
        TieKind.member_of, (0.2, 0.4, 0.3, 0.1, 0), (((), 0.7), ((_C,), 0.3)), (1.0, 1.0)
    ),
    "meets": _TieClass(
        TieKind.meets_at, (0.3, 0.4, 0.2, 0.1, 0), (((), 0.7), ((_C,), 0.3)), (1.0, 1.0)
    ),
    "init_meets": _TieClass(TieKind.meets_at, (0, 0.1, 0.3, 0.4, 0.2), (((), 1.0),), (1.0, 1.0)),
}
_CLASS_NAMES = tuple(_CLASSES)
_CLASS_INDEX = {name: i for i, name in enumerate(_CLASS_NAMES)}

# --------------------------------------------------------------------------------------------
# Small vectorised helpers
# --------------------------------------------------------------------------------------------

_ALPHABET = np.frombuffer(b"abcdefghijkmnpqrstuvwxyz23456789", dtype=np.uint8)


def random_ids(rng: np.random.Generator, n: int) -> list[str]:
    """``n`` unique, opaque 16-character ids (80 random bits each, in the alphabet of
    :func:`netwerk.model.new_id`), drawn from ``rng``."""
    symbols = rng.integers(0, 32, size=(n, 16), dtype=np.uint8)
    while n > 1:
        # a 64-bit hash of the 16 symbols; rows with equal hashes are compared in full
        halves = symbols.view(np.uint64)
        digest = halves[:, 0] ^ (halves[:, 1] * np.uint64(0x9E3779B97F4A7C15))
        order = np.argsort(digest)
        equal = np.flatnonzero(digest[order][1:] == digest[order][:-1])
        equal = equal[(symbols[order[equal]] == symbols[order[equal + 1]]).all(axis=1)]
        if not len(equal):
            break
        again = order[equal + 1]
        symbols[again] = rng.integers(0, 32, size=(len(again), 16), dtype=np.uint8)
    text = _ALPHABET[symbols].tobytes().decode("ascii")
    return [text[i : i + 16] for i in range(0, 16 * n, 16)]


def _categorical(rng: np.random.Generator, probs: Arr) -> Arr:
    """One draw per row of an (n, k) matrix of non-negative weights."""
    cum = np.cumsum(probs, axis=1)
    total = cum[:, -1:]
    u = rng.random((len(probs), 1)) * total
    out = (u >= cum).sum(axis=1)
    return np.minimum(out, probs.shape[1] - 1).astype(np.int64)


def _stochastic_round(rng: np.random.Generator, x: float) -> int:
    whole = math.floor(x)
    return whole + int(rng.random() < x - whole)


NONE = -(1 << 40)
"""What :meth:`_Pool.pick` returns when there is no candidate: negative even after an index
offset is added to it, so that :meth:`_Builder._add` drops it."""


class _Pool:
    """Candidates grouped by an integer key; :meth:`pick` draws one candidate per wanted key,
    uniformly or in proportion to a weight, or :data:`NONE` when the key has no candidate."""

    def __init__(self, keys: Arr, members: Arr, weights: Arr | None = None) -> None:
        order = np.argsort(keys, kind="stable")
        self.keys = keys[order]
        self.members = members[order]
        self.cum = None if weights is None else np.cumsum(weights[order].astype(np.float64))

    def pick(self, rng: np.random.Generator, want: Arr) -> Arr:
        left = np.searchsorted(self.keys, want, "left")
        right = np.searchsorted(self.keys, want, "right")
        ok = right > left
        out = np.full(len(want), NONE, dtype=np.int64)
        if not ok.any():
            return out
        left, right = left[ok], right[ok]
        u = rng.random(len(left))
        if self.cum is None:
            pos = left + (u * (right - left)).astype(np.int64)
        else:
            below = np.where(left > 0, self.cum[np.maximum(left - 1, 0)], 0.0)
            target = below + u * (self.cum[right - 1] - below)
            pos = np.searchsorted(self.cum, target, "right")
        pos = np.clip(pos, left, right - 1)
        out[ok] = self.members[pos]
        return out


def _sample_themes(rng: np.random.Generator, weights: Arr, k: Arr) -> Arr:
    """Bit masks of ``k[i]`` distinct themes per row, drawn without replacement in proportion
    to ``weights[i]`` (Gumbel top-k), in chunks to bound memory."""
    n = len(weights)
    masks = np.zeros(n, dtype=np.int64)
    bits = np.int64(1) << np.arange(N_THEMES, dtype=np.int64)
    for lo in range(0, n, 200_000):
        w = weights[lo : lo + 200_000]
        with np.errstate(divide="ignore"):
            score = np.log(w) + rng.gumbel(size=w.shape)
        rank = np.argsort(np.argsort(-score, axis=1), axis=1)
        chosen = (rank < k[lo : lo + 200_000, None]) & (w > 0)
        masks[lo : lo + 200_000] = (chosen * bits).sum(axis=1)
    return masks


def _mask_lists(masks: Arr) -> list[list[str]]:
    """Theme lists (in THEMES order) for bit masks; a fresh list per actor."""
    uniq, inverse = np.unique(masks, return_inverse=True)
    table = [tuple(THEMES[t] for t in range(N_THEMES) if int(m) >> t & 1) for m in uniq]
    return [list(table[i]) for i in inverse.ravel().tolist()]


def _expand_bits(masks: Arr) -> tuple[Arr, Arr]:
    """(row, theme) pairs for every bit set in ``masks``."""
    rows: list[Arr] = []
    themes: list[Arr] = []
    for t in range(N_THEMES):
        idx = np.flatnonzero((masks >> t) & 1)
        rows.append(idx)
        themes.append(np.full(len(idx), t, dtype=np.int64))
    return np.concatenate(rows), np.concatenate(themes)


def _theme_mask(names: Sequence[str]) -> int:
    mask = 0
    for name in names:
        mask |= 1 << _T[name]
    return mask


# --------------------------------------------------------------------------------------------
# The result
# --------------------------------------------------------------------------------------------


@dataclass
class SynthNetwork:
    """A generated neighbourhood: columns ready for :mod:`netwerk.store.bulk`.

    ``info`` holds the parameters and the ground truth the generator planted: ``seed``,
    ``start`` and ``end`` (the history window), ``counts`` per actor kind,
    ``hidden_key_figures``, ``isolated`` and ``professional_only`` (actor ids), and
    ``latent``: the traits each actor was generated with, behind :meth:`tie_chance`.
    """

    actors: ActorColumns
    ties: TieColumns
    info: dict[str, Any] = field(default_factory=dict)

    def tie_chance(self, a: Arr, b: Arr) -> Arr:
        """The generator's own chance that introducing ``a[i]`` to ``b[i]`` (positions in
        ``actors``) forms a tie, from the traits it generated them with
        (:func:`netwerk.synth_latent.tie_chance`; ``info["latent"]``)."""
        return tie_chance(self.info["latent"], a, b)


# --------------------------------------------------------------------------------------------
# The generator
# --------------------------------------------------------------------------------------------


class _Builder:
    def __init__(self, n: int, seed: int, start: dt.date, fresh_ids: bool) -> None:
        self.n = n
        self.rng = np.random.default_rng(seed)
        # ids come from their own stream, so that fresh ids leave everything else unchanged
        self.id_rng = np.random.default_rng() if fresh_ids else np.random.default_rng([seed, 1])
        self.start = start
        self.parts: list[tuple[Arr, Arr, int]] = []

    # -- geography and the non-resident actors ------------------------------------------------

    def geography(self) -> None:
        rng, n = self.rng, self.n
        b_count = max(1, round(n / 2000))
        per_wijk = max(6, math.ceil(b_count / 100))
        self.B = b_count
        self.W = math.ceil(b_count / per_wijk)
        self.wijk_of_buurt = np.arange(b_count) // per_wijk
        share = rng.lognormal(0.0, 0.35, b_count)
        self.share = share / share.sum()
        est = n * self.share
        self.buurt_codes = [
            f"BU{GEMEENTE}{w:02d}{j:02d}"
            for w, j in zip(
                self.wijk_of_buurt.tolist(),
                (np.arange(b_count) % per_wijk).tolist(),
                strict=True,
            )
        ]
        self.wijk_codes = [f"WK{GEMEENTE}{w:02d}" for w in range(self.W)]
        self.wijk_names = [
            _WIJK_NAMES[w % len(_WIJK_NAMES)]
            + (f" {w // len(_WIJK_NAMES) + 1}" if w >= len(_WIJK_NAMES) else "")
            for w in range(self.W)
        ]
        # street naming themes and buurt names
        themes = rng.permutation(np.arange(b_count) % len(_STREET_THEMES))
        self.buurt_theme = themes
        seen: dict[int, int] = {}
        self.buurt_names: list[str] = []
        for t in themes.tolist():
            k = seen.get(t, 0)
            seen[t] = k + 1
            base = _STREET_THEMES[t][0]
            suffix = _DIRECTIONS[k] if k < len(_DIRECTIONS) else f" {k + 1}"
            self.buurt_names.append(base + suffix)

        # organisations
        scale = min(1.0, n / 2000)
        kept = len(_ORG_TYPES) if b_count > 1 else int(np.clip(3 + n // 150, 4, len(_ORG_TYPES)))
        orgs: list[dict[str, Any]] = []
        for otype, level, rate, themes_ in _ORG_TYPES[:kept]:
            if level == "wijk":
                homes = [(-1, w) for w in range(self.W)]
            elif level == "city":
                count = (
                    max(1, min(len(_HOUSING_NAMES), 1 + b_count // 8)) if otype == "housing" else 1
                )
                homes = [(-1, -1)] * count
            else:
                homes = [
                    (b, int(self.wijk_of_buurt[b]))
                    for b in range(b_count)
                    for _ in range(_stochastic_round(rng, rate))
                ]
                if not homes:
                    b = int(rng.integers(b_count))
                    homes = [(b, int(self.wijk_of_buurt[b]))]
            for i, (b, w) in enumerate(homes):
                orgs.append({"type": otype, "buurt": b, "wijk": w, "i": i, "themes": list(themes_)})
        self.orgs = orgs

        # professionals
        profs: list[dict[str, Any]] = []
        for o_index, org in enumerate(orgs):
            roles = [r for r in _ROLES if r.org_type == org["type"]]
            if org["buurt"] >= 0:
                cover = [org["buurt"]]
            elif org["wijk"] >= 0:
                cover = np.flatnonzero(self.wijk_of_buurt == org["wijk"]).tolist()
            else:
                cover = list(range(b_count))
            n_same_type = sum(1 for o in orgs if o["type"] == org["type"])
            made = 0
            for r_index, role in enumerate(roles):
                if role.per_org.startswith("buurten/"):
                    base = b_count / float(role.per_org.split("/")[1]) / n_same_type
                else:
                    base = float(role.per_org) * scale
                count = _stochastic_round(rng, base)
                if count == 0 and made == 0 and r_index == len(roles) - 1:
                    count = 1
                offset = int(rng.integers(len(cover)))
                for k in range(count):
                    b = cover[(offset + k) % len(cover)]
                    profs.append({"role": role, "org": o_index, "buurt": b})
                made += count
        self.profs = profs

        # initiatives and places, per buurt
        init_w = np.array([t[4] for t in _INITIATIVES])
        place_w = np.array([t[2] for t in _PLACES])
        inits: list[dict[str, Any]] = []
        places: list[dict[str, Any]] = []
        for b in range(b_count):
            k = max(2, _stochastic_round(rng, 5 * est[b] / 2000))
            chosen = rng.choice(
                len(_INITIATIVES), size=min(k, len(_INITIATIVES)), replace=False,
                p=init_w / init_w.sum(),
            )  # fmt: skip
            inits.extend({"type": int(c), "buurt": b} for c in chosen.tolist())
            k = max(2, _stochastic_round(rng, 4 * est[b] / 2000))
            first = 0 if rng.random() < 0.8 else 3  # a buurthuis, else a café
            rest = rng.choice(len(_PLACES), size=k - 1, p=place_w / place_w.sum())
            places.extend({"type": int(c), "buurt": b} for c in [first, *rest.tolist()])
        self.inits = inits
        self.places = places

        self.n_org, self.n_prof = len(orgs), len(profs)
        self.n_init, self.n_place = len(inits), len(places)
        self.base_prof = self.n_org
        self.base_init = self.base_prof + self.n_prof
        self.base_place = self.base_init + self.n_init
        self.base_res = self.base_place + self.n_place
        self.R = n - self.base_res
        if self.R < 10:
            raise ValueError(f"n_actors={n} is too small for a neighbourhood (at least 40)")

    # -- residents ------------------------------------------------------------------------------

    def residents(self) -> None:
        rng, r_count = self.rng, self.R
        # households
        size_p = np.array([0.38, 0.30, 0.13, 0.12, 0.05, 0.02])
        sizes = rng.choice(np.arange(1, 7), size=r_count, p=size_p)
        cum = np.cumsum(sizes)
        h_count = int(np.searchsorted(cum, r_count)) + 1
        sizes = sizes[:h_count].copy()
        sizes[-1] -= int(cum[h_count - 1] - r_count)
        hh_start = np.concatenate(([0], np.cumsum(sizes)[:-1]))
        hh_of = np.repeat(np.arange(h_count), sizes)
        pos = np.arange(r_count) - hh_start[hh_of]
        # streets of ~40 households, streets into buurten by cumulative share
        st_sizes = 8 + rng.poisson(32, size=h_count // 8 + 2)
        st_cum = np.cumsum(st_sizes)
        s_count = int(np.searchsorted(st_cum, h_count)) + 1
        st_sizes = st_sizes[:s_count].copy()
        st_sizes[-1] -= int(st_cum[s_count - 1] - h_count)
        street_first_hh = np.concatenate(([0], np.cumsum(st_sizes)[:-1]))
        street_of_hh = np.repeat(np.arange(s_count), st_sizes)
        first_res = hh_start[street_first_hh]
        bounds = np.cumsum(self.share)[:-1] * r_count
        buurt_of_street = np.searchsorted(bounds, first_res, "right")
        self.street_labels = self._street_labels(buurt_of_street)
        order = np.argsort(buurt_of_street, kind="stable")
        cuts = np.searchsorted(buurt_of_street[order], np.arange(self.B + 1))
        self.streets_of_buurt = [order[cuts[b] : cuts[b + 1]] for b in range(self.B)]
        self.street_is_area = rng.random(s_count) < 0.25

        # group mix per buurt and street (segregated), a group per household
        base = np.array([g.weight for g in _GROUPS])
        base = base / base.sum()
        buurt_mix = rng.gamma(8 * base[None, :] + 0.02, size=(self.B, N_GROUPS))
        buurt_mix /= buurt_mix.sum(axis=1, keepdims=True)
        street_mix = rng.gamma(25 * buurt_mix[buurt_of_street] + 0.01)
        street_mix /= street_mix.sum(axis=1, keepdims=True)
        self.buurt_mix = buurt_mix
        hh_group = _categorical(rng, street_mix[street_of_hh])

        group = hh_group[hh_of]
        size_r = sizes[hh_of]
        street = street_of_hh[hh_of]
        buurt = buurt_of_street[street]
        # age bands by household position
        p = np.array([g.age for g in _GROUPS])[group]
        single, couple = size_r == 1, size_r == 2
        parent, child = (size_r >= 3) & (pos < 2), (size_r >= 3) & (pos >= 2)
        p[single | couple, 0] = 0.0
        p[single, 4] *= 1.8
        p[np.ix_(np.flatnonzero(parent), np.array([0, 1, 4]))] = 0.0
        p[child] = [0.65, 0.35, 0.0, 0.0, 0.0]
        band = _categorical(rng, p)
        together = np.flatnonzero(couple & (pos == 1) & (rng.random(r_count) < 0.7))
        band[together] = band[together - 1]

        # languages by group and age class
        combos: list[tuple[str, ...]] = []
        offsets, widths = [], []
        c_max = max(len(g.languages) for g in _GROUPS)
        lang_w = np.zeros((N_GROUPS, 3, c_max))
        for gi, g in enumerate(_GROUPS):
            offsets.append(len(combos))
            widths.append(len(g.languages))
            for ci, (combo, young, mid, old) in enumerate(g.languages):
                combos.append(combo)
                lang_w[gi, :, ci] = (young, mid, old)
        age_class = np.select([band <= 1, band == 2], [0, 1], 2)
        lang = np.array(offsets)[group] + _categorical(rng, lang_w[group, age_class])
        self.lang_combos = combos
        speaks_nl_combo = np.array(["nl" in c for c in combos])

        # names: the household shares a last name; half the partners keep their own
        firsts = [name for g in _GROUPS for name in g.first]
        lasts = [name for g in _GROUPS for name in g.last]
        f_off = np.cumsum([0] + [len(g.first) for g in _GROUPS])[:-1]
        f_len = np.array([len(g.first) for g in _GROUPS])
        l_off = np.cumsum([0] + [len(g.last) for g in _GROUPS])[:-1]
        l_len = np.array([len(g.last) for g in _GROUPS])
        first_idx = f_off[group] + (rng.random(r_count) * f_len[group]).astype(np.int64)
        hh_last = l_off[hh_group] + (rng.random(h_count) * l_len[hh_group]).astype(np.int64)
        last_idx = hh_last[hh_of]
        own = (pos == 1) & (rng.random(r_count) < 0.5)
        last_idx[own] = l_off[group[own]] + (rng.random(int(own.sum())) * l_len[group[own]]).astype(
            np.int64
        )
        self.first_names = np.array(firsts, dtype=object)
        self.last_names = np.array(lasts, dtype=object)
        self.res_first, self.res_last = first_idx, last_idx

        sociability = rng.lognormal(0.0, 0.55, r_count) * np.array([0.9, 1.2, 1.0, 1.0, 0.8])[band]

        # isolated and professional-only residents live alone
        alone = np.flatnonzero(single)
        w_alone = np.where(band[alone] == 4, 3.0, 1.0)
        n_iso = max(1, min(len(alone) // 3, round(0.03 * r_count)))
        n_po = max(1, min(len(alone) // 3, round(0.02 * r_count)))
        picked = rng.choice(alone, size=n_iso + n_po, replace=False, p=w_alone / w_alone.sum())
        isolated = np.zeros(r_count, dtype=bool)
        isolated[picked[:n_iso]] = True
        prof_only = np.zeros(r_count, dtype=bool)
        prof_only[picked[n_iso:]] = True
        social = ~isolated & ~prof_only

        # recognised and hidden key figures
        kf_weight = np.array([0.0, 0.7, 1.5, 2.0, 2.0])[band] * sociability * social
        n_kf = max(1, round(0.01 * self.n))
        n_hidden = max(1, round(0.005 * self.n))
        n_kf = min(n_kf, int((kf_weight > 0).sum()) // 3)
        n_hidden = min(n_hidden, int((kf_weight > 0).sum()) // 3)
        chosen = rng.choice(
            r_count, size=n_kf + n_hidden, replace=False, p=kf_weight / kf_weight.sum()
        )
        self.key_figures, self.hidden = chosen[:n_kf], chosen[n_kf:]

        self.hh_start, self.hh_size, self.hh_of, self.H = hh_start, sizes, hh_of, h_count
        self.street_of_hh = street_of_hh
        self.group, self.band, self.lang = group, band, lang
        self.speaks_nl = speaks_nl_combo[lang]
        self.street, self.buurt, self.wijk = street, buurt, self.wijk_of_buurt[buurt]
        self.soc = sociability
        self.isolated, self.prof_only, self.social = isolated, prof_only, social
        self.res_in_buurt = np.bincount(buurt, minlength=self.B)

    def _street_labels(self, buurt_of_street: Arr) -> list[str]:
        rng = self.rng
        pools: dict[int, list[str]] = {}
        used: dict[int, int] = {}
        labels: list[str] = []
        for b in buurt_of_street.tolist():
            t = int(self.buurt_theme[b])
            if t not in pools:
                stems = _STREET_THEMES[t][1]
                plain = [s + x for s in stems for x in _SUFFIXES]
                variant = [v + s + x for v in _VARIANTS for s in stems for x in _SUFFIXES]
                pools[t] = [plain[i] for i in rng.permutation(len(plain))] + [
                    variant[i] for i in rng.permutation(len(variant))
                ]
            k = used.get(t, 0)
            used[t] = k + 1
            pool = pools[t]
            labels.append(pool[k % len(pool)])
        return labels

    # -- needs and assets -----------------------------------------------------------------------

    def themes(self) -> None:
        rng, r_count = self.rng, self.R
        band = self.band
        need_w = _NEED_BY_BAND[band] * np.where(self.speaks_nl[:, None], 1.0, _NEED_NON_NL)
        need_w[self.isolated, _T["eenzaamheid"]] *= 5
        need_k = np.minimum(rng.poisson(0.6, r_count), 3)
        need_k[self.isolated | self.prof_only] = np.maximum(
            need_k[self.isolated | self.prof_only], 1
        )
        self.need_mask = _sample_themes(rng, need_w, need_k)
        del need_w
        scarce = np.ones((self.B, N_THEMES))
        for b in range(self.B):
            scarce[b, rng.choice(N_THEMES, size=3, replace=False)] = 0.03
        asset_w = (
            _ASSET_BY_BAND[band]
            * np.where(self.speaks_nl[:, None], 1.0, _ASSET_NON_NL)
            * scarce[self.buurt]
        )
        asset_k = np.minimum(rng.poisson(1.0, r_count), 3)
        self.asset_mask = _sample_themes(rng, asset_w, asset_k)

    # -- ties -----------------------------------------------------------------------------------

    def _add(self, src: Arr, dst: Arr, cls: str) -> None:
        ok = (src >= 0) & (dst >= 0)
        self.parts.append((src[ok].astype(np.int64), dst[ok].astype(np.int64), _CLASS_INDEX[cls]))

    def ties(self) -> None:
        rng = self.rng
        base = self.base_res
        social = np.flatnonzero(self.social)
        g, bnd, bu, wi = self.group, self.band, self.buurt, self.wijk
        soc = self.soc

        # family within households: every pair
        for i in range(6):
            for j in range(i + 1, 6):
                hh = np.flatnonzero(self.hh_size > j)
                self._add(base + self.hh_start[hh] + i, base + self.hh_start[hh] + j, "family_hh")
        # organisations and professionals come early: they win over person ties of the pair
        self._org_and_prof_ties()

        # relatives elsewhere in the buurt
        src = social[rng.random(len(social)) < 0.3]
        pool = _Pool(bu[social] * N_GROUPS + g[social], social)
        self._add(base + src, base + pool.pick(rng, bu[src] * N_GROUPS + g[src]), "family_rel")

        # friends: mostly same group, buurt and age band
        src = np.repeat(social, rng.poisson(1.5 * soc[social]))
        shift = rng.choice([-1, 0, 1], size=len(src), p=[0.15, 0.7, 0.15])
        want_band = np.clip(bnd[src] + shift, 0, N_BANDS - 1)
        u = rng.random(len(src))
        dst = np.full(len(src), NONE, dtype=np.int64)
        keys = [
            (
                (bu * N_GROUPS + g) * N_BANDS + bnd,
                (bu[src] * N_GROUPS + g[src]) * N_BANDS + want_band,
            ),
            (
                (wi * N_GROUPS + g) * N_BANDS + bnd,
                (wi[src] * N_GROUPS + g[src]) * N_BANDS + want_band,
            ),
            (bu * N_BANDS + bnd, bu[src] * N_BANDS + want_band),
        ]
        for (cand_key, want), sel in zip(
            keys, [u < 0.65, (u >= 0.65) & (u < 0.85), u >= 0.85], strict=True
        ):
            pool = _Pool(cand_key[social], social, soc[social])
            dst[sel] = pool.pick(rng, want[sel])
        self._add(*self._orient(base + src, base + dst), "friend")

        # neighbours: nearby households on the same street
        src = np.repeat(social, rng.poisson(1.6 * soc[social]))
        off = rng.choice([-4, -3, -2, -1, 1, 2, 3, 4], size=len(src))
        hh = self.hh_of[src] + off
        ok = (hh >= 0) & (hh < self.H)
        hh = np.where(ok, hh, 0)
        ok &= self.street_of_hh[hh] == self.street_of_hh[self.hh_of[src]]
        member = self.hh_start[hh] + (rng.random(len(src)) * self.hh_size[hh]).astype(np.int64)
        self._add(base + src[ok], base + member[ok], "neighbour")

        # key figures: many ties across the groups of their buurt
        self._key_figure_ties()

        # acquaintances: wider mixing
        src = np.repeat(social, rng.poisson(2.8 * soc[social]))
        u = rng.random(len(src))
        dst = np.full(len(src), NONE, dtype=np.int64)
        keys2 = [
            (bu * N_GROUPS + g, bu[src] * N_GROUPS + g[src]),
            (bu, bu[src]),
            (wi, wi[src]),
        ]
        for (cand_key, want), sel in zip(
            keys2, [u < 0.45, (u >= 0.45) & (u < 0.85), u >= 0.85], strict=True
        ):
            pool = _Pool(cand_key[social], social, soc[social])
            dst[sel] = pool.pick(rng, want[sel])
        self._add(*self._orient(base + src, base + dst), "knows")

        self._activity_ties(social)

    def _orient(self, src: Arr, dst: Arr) -> tuple[Arr, Arr]:
        swap = self.rng.random(len(src)) < 0.5
        return np.where(swap, dst, src), np.where(swap, src, dst)

    def _org_and_prof_ties(self) -> None:
        rng = self.rng
        base = self.base_res
        org_type = np.array([_ORG_INDEX[o["type"]] for o in self.orgs])
        org_wijk = np.array([o["wijk"] if o["wijk"] >= 0 else -1 for o in self.orgs])
        org_idx = np.arange(self.n_org)
        n_p = self.n_prof
        prof_idx = np.arange(n_p)
        prof_org = np.array([p["org"] for p in self.profs], dtype=np.int64)
        prof_buurt = np.array([p["buurt"] for p in self.profs], dtype=np.int64)
        prof_wijk = self.wijk_of_buurt[prof_buurt] if n_p else prof_buurt
        self.prof_buurt = prof_buurt

        # works_for, and some professionals also work for a second organisation in the wijk
        self._add(self.base_prof + prof_idx, prof_org, "works_for")
        second = prof_idx[rng.random(n_p) < 0.1]
        wijk_orgs = _Pool(org_wijk[org_wijk >= 0], org_idx[org_wijk >= 0])
        self._add(self.base_prof + second, wijk_orgs.pick(rng, prof_wijk[second]), "works_for")

        # professionals refer to colleagues in their wijk (directed)
        src = np.repeat(prof_idx, rng.poisson(3.0, n_p))
        pool = _Pool(prof_wijk, prof_idx)
        self._add(
            self.base_prof + src, self.base_prof + pool.pick(rng, prof_wijk[src]), "refers_to"
        )

        # organisations partner: the municipality with welfare and buurtteams, housing with
        # tenants' associations, and others in the wijk or city
        for a, b in (
            ("municipality", "welfare"),
            ("municipality", "wijkteam"),
            ("housing", "tenants"),
        ):
            if a in _ORG_INDEX and b in _ORG_INDEX:
                left = org_idx[org_type == _ORG_INDEX[a]]
                right = org_idx[org_type == _ORG_INDEX[b]]
                if len(left) and len(right):
                    pick = left[rng.integers(len(left), size=len(right))]
                    self._add(pick, right, "partners")
        src = np.repeat(org_idx, rng.poisson(2.0, self.n_org))
        city = (org_wijk[src] < 0) | (rng.random(len(src)) < 0.3)
        dst = np.where(
            city,
            org_idx[rng.integers(self.n_org, size=len(src))],
            wijk_orgs.pick(rng, org_wijk[src]),
        )
        self._add(src, dst, "partners")

        # initiatives partner with a welfare organisation, other organisations, each other
        n_i = self.n_init
        init_idx = np.arange(n_i)
        init_buurt = np.array([i["buurt"] for i in self.inits], dtype=np.int64)
        init_wijk = self.wijk_of_buurt[init_buurt]
        welfare = _Pool(org_wijk * 100 + org_type, org_idx)
        src = init_idx[rng.random(n_i) < 0.6]
        self._add(
            self.base_init + src,
            welfare.pick(rng, init_wijk[src] * 100 + _ORG_INDEX["welfare"]),
            "partners",
        )
        src = np.repeat(init_idx, rng.poisson(0.6, n_i))
        self._add(self.base_init + src, wijk_orgs.pick(rng, init_wijk[src]), "partners")
        src = np.repeat(init_idx, rng.poisson(0.35, n_i))
        pool = _Pool(init_buurt, init_idx)
        self._add(
            self.base_init + src, self.base_init + pool.pick(rng, init_buurt[src]), "partners"
        )
        # initiatives are held at a place
        place_type = np.array([p["type"] for p in self.places], dtype=np.int64)
        place_buurt = np.array([p["buurt"] for p in self.places], dtype=np.int64)
        general = np.array([_PLACES[t][3] == 0 for t in place_type.tolist()], dtype=bool)
        place_idx = np.arange(self.n_place)
        self.general_places = _Pool(
            place_buurt[general], place_idx[general],
            np.array([_PLACES[t][4] for t in place_type[general].tolist()]),
        )  # fmt: skip
        src = init_idx[rng.random(n_i) < 0.7]
        self._add(
            self.base_init + src,
            self.base_place + self.general_places.pick(rng, init_buurt[src]),
            "init_meets",
        )
        self.init_buurt, self.init_wijk = init_buurt, init_wijk
        self.place_type, self.place_buurt = place_type, place_buurt
        self.org_type, self.org_wijk = org_type, org_wijk

        # clients: residents of the age bands the role serves, in the professional's buurt
        if n_p:
            served = ~self.isolated
            r_idx = np.flatnonzero(served)
            pool = _Pool(self.buurt[r_idx] * N_BANDS + self.band[r_idx], r_idx)
            scale = float(np.clip(self.R / self.B / 2000, 0.15, 1.0))
            mean = np.array([p["role"].clients for p in self.profs]) * scale
            src = np.repeat(prof_idx, rng.poisson(mean))
            bands = np.array([p["role"].bands for p in self.profs])
            want = prof_buurt[src] * N_BANDS + _categorical(rng, bands[src])
            self._add(self.base_prof + src, base + pool.pick(rng, want), "client")
            # residents tied only to professionals: one or two of the buurt or wijk
            po = np.flatnonzero(self.prof_only)
            po = np.repeat(po, 1 + (rng.random(len(po)) < 0.4))
            by_buurt = _Pool(prof_buurt, prof_idx).pick(rng, self.buurt[po])
            by_wijk = _Pool(prof_wijk, prof_idx).pick(rng, self.wijk[po])
            by_any = rng.integers(n_p, size=len(po))
            dst = np.where(by_buurt >= 0, by_buurt, np.where(by_wijk >= 0, by_wijk, by_any))
            self._add(self.base_prof + dst, base + po, "client")
        self.prof_wijk = prof_wijk

    def _key_figure_ties(self) -> None:
        rng = self.rng
        base = self.base_res
        social = np.flatnonzero(self.social)
        kf = np.concatenate([self.key_figures, self.hidden])
        mean = np.concatenate(
            [np.full(len(self.key_figures), 60.0), np.full(len(self.hidden), 35.0)]
        )
        count = rng.lognormal(np.log(mean), 0.45).astype(np.int64)
        cap = np.maximum(3, (0.3 * self.res_in_buurt[self.buurt[kf]]).astype(np.int64))
        count = np.clip(count, 10, 200)
        count = np.minimum(count, cap)
        src = np.repeat(kf, count)
        in_wijk = rng.random(len(src)) < 0.25
        by_buurt = _Pool(self.buurt[social], social).pick(rng, self.buurt[src])
        by_wijk = _Pool(self.wijk[social], social).pick(rng, self.wijk[src])
        dst = np.where(in_wijk | (by_buurt < 0), by_wijk, by_buurt)
        self._add(*self._orient(base + src, base + dst), "kf_knows")
        # they know the professionals of their buurt, volunteer and meet at places
        if self.n_prof:
            src = np.repeat(kf, rng.integers(2, 6, size=len(kf)))
            dst = _Pool(self.prof_buurt, np.arange(self.n_prof)).pick(rng, self.buurt[src])
            self._add(base + src, self.base_prof + dst, "kf_prof")
        src = np.repeat(kf, rng.integers(1, 4, size=len(kf)))
        dst = _Pool(self.init_buurt, np.arange(self.n_init)).pick(rng, self.buurt[src])
        self._add(base + src, self.base_init + dst, "volunteers")
        src = np.repeat(kf, rng.integers(1, 4, size=len(kf)))
        dst = self.general_places.pick(rng, self.buurt[src])
        self._add(base + src, self.base_place + dst, "meets")

    def _activity_ties(self, social: Arr) -> None:
        rng = self.rng
        base = self.base_res
        inits = np.arange(self.n_init)
        init_assets = np.array([_theme_mask(_INITIATIVES[i["type"]][2]) for i in self.inits])
        init_needs = np.array([_theme_mask(_INITIATIVES[i["type"]][3]) for i in self.inits])

        # volunteering at an initiative that asks for one of your assets
        rows, themes = _expand_bits(init_needs)
        asks = _Pool(self.init_wijk[rows] * N_THEMES + themes, inits[rows])
        rows, themes = _expand_bits(self.asset_mask[social])
        keep = rng.random(len(rows)) < 0.12
        src, th = social[rows[keep]], themes[keep]
        self._add(
            base + src,
            self.base_init + asks.pick(rng, self.wijk[src] * N_THEMES + th),
            "volunteers",
        )
        src = social[rng.random(len(social)) < 0.03]
        by_buurt = _Pool(self.init_buurt, inits)
        self._add(base + src, self.base_init + by_buurt.pick(rng, self.buurt[src]), "volunteers")

        # participating in an initiative that serves one of your needs, or one nearby
        rows, themes = _expand_bits(init_assets)
        serves = _Pool(self.init_wijk[rows] * N_THEMES + themes, inits[rows])
        rows, themes = _expand_bits(self.need_mask[social])
        keep = rng.random(len(rows)) < 0.35
        src, th = social[rows[keep]], themes[keep]
        self._add(
            base + src,
            self.base_init + serves.pick(rng, self.wijk[src] * N_THEMES + th),
            "participates",
        )
        src = np.repeat(social, rng.poisson(0.5, len(social)))
        in_wijk = rng.random(len(src)) < 0.15
        by_wijk = _Pool(self.init_wijk, inits)
        dst = np.where(
            in_wijk, by_wijk.pick(rng, self.wijk[src]), by_buurt.pick(rng, self.buurt[src])
        )
        self._add(base + src, self.base_init + dst, "participates")

        # meeting places; a fifth of the visits go to the group's place of worship in the wijk
        places = np.arange(self.n_place)
        faith = np.array([_PLACES[t][3] for t in self.place_type.tolist()], dtype=np.int64)
        place_wijk = self.wijk_of_buurt[self.place_buurt]
        worship = _Pool((place_wijk * 3 + faith)[faith > 0], places[faith > 0])
        group_faith = np.array([gr.faith for gr in _GROUPS], dtype=np.int64)
        src = np.repeat(social, rng.poisson(0.9, len(social)))
        to_faith = (rng.random(len(src)) < 0.2) & (group_faith[self.group[src]] > 0)
        dst = self.general_places.pick(rng, self.buurt[src])
        holy = worship.pick(rng, self.wijk[src] * 3 + group_faith[self.group[src]])
        dst = np.where(to_faith & (holy >= 0), holy, dst)
        self._add(base + src, self.base_place + dst, "meets")

        # members of a sports club or tenants' association in the wijk
        clubs = np.isin(
            self.org_type, [_ORG_INDEX.get("sports", -1), _ORG_INDEX.get("tenants", -1)]
        )
        club_pool = _Pool(self.org_wijk[clubs], np.flatnonzero(clubs))
        src = np.repeat(social, rng.poisson(0.2, len(social)))
        self._add(base + src, club_pool.pick(rng, self.wijk[src]), "member")

    # -- finishing ------------------------------------------------------------------------------

    def tie_columns(self, actor_ids: Arr) -> tuple[TieColumns, int]:
        rng = self.rng
        src = np.concatenate([p[0] for p in self.parts])
        dst = np.concatenate([p[1] for p in self.parts])
        cls = np.concatenate([np.full(len(p[0]), p[2], dtype=np.int64) for p in self.parts])
        self.parts = []
        n = np.int64(self.n)
        # no self-loops; no tie touching an isolated resident; professional-only residents
        # keep only their ties to professionals
        ok = src != dst
        iso = np.zeros(self.n, dtype=bool)
        iso[self.base_res :] = self.isolated
        po = np.zeros(self.n, dtype=bool)
        po[self.base_res :] = self.prof_only
        prof = np.zeros(self.n, dtype=bool)
        prof[self.base_prof : self.base_init] = True
        ok &= ~iso[src] & ~iso[dst]
        ok &= ~(po[src] & ~prof[dst]) & ~(po[dst] & ~prof[src])
        src, dst, cls = src[ok], dst[ok], cls[ok]
        # one tie per pair (refers_to: per direction), the first (strongest) kind wins
        refers = cls == _CLASS_INDEX["refers_to"]
        lo, hi = np.minimum(src, dst), np.maximum(src, dst)
        key = np.where(refers, n * n + src * n + dst, lo * n + hi)
        _, first = np.unique(key, return_index=True)
        keep = np.sort(first)
        src, dst, cls = src[keep], dst[keep], cls[keep]
        t_count = len(src)

        classes = [_CLASSES[name] for name in _CLASS_NAMES]
        kinds = np.array([c.kind.value for c in classes], dtype=object)
        strength_p = np.array([c.strength for c in classes])
        strength = _categorical(rng, strength_p[cls]) + 1
        combos: list[tuple[str, ...]] = []
        s_max = max(len(c.support) for c in classes)
        support_p = np.zeros((len(classes), s_max))
        support_off = []
        for ci, c in enumerate(classes):
            support_off.append(len(combos))
            for k, (combo, w) in enumerate(c.support):
                combos.append(combo)
                support_p[ci, k] = w
        support = np.array(support_off)[cls] + _categorical(rng, support_p[cls])

        a = np.array([c.since[0] for c in classes])[cls]
        b = np.array([c.since[1] for c in classes])[cls]
        since = (rng.beta(a, b) * SPAN_DAYS).astype(np.int64)
        since = np.minimum(since, SPAN_DAYS - 1)
        unknown = rng.random(t_count) < np.array([c.since_unknown for c in classes])[cls]
        history = rng.random(t_count) < 0.05
        unknown &= ~history
        h = np.flatnonzero(history)
        since[h] = (rng.beta(a[h], b[h]) * (SPAN_DAYS - 31)).astype(np.int64)
        until = np.full(t_count, -1, dtype=np.int64)
        until[h] = since[h] + 1 + (rng.random(len(h)) * (SPAN_DAYS - 2 - since[h])).astype(np.int64)
        since[unknown] = -1

        dates = np.array(
            [self.start + dt.timedelta(days=d) for d in range(SPAN_DAYS)] + [None], dtype=object
        )
        combo_arr = np.empty(len(combos), dtype=object)
        combo_arr[:] = combos
        ties = TieColumns(
            id=random_ids(self.id_rng, t_count),
            source_id=actor_ids[src].tolist(),
            target_id=actor_ids[dst].tolist(),
            kind=kinds[cls].tolist(),
            strength=strength.tolist(),
            support=list(map(list, combo_arr[support].tolist())),
            since=dates[since].tolist(),
            until=dates[until].tolist(),
        )
        return ties, t_count

    def latent(self, actors: ActorColumns) -> LatentTraits:
        """The traits each actor was generated with (:mod:`netwerk.synth_latent`)."""
        w_of = self.wijk_of_buurt
        org_b = np.array([o["buurt"] for o in self.orgs], dtype=np.int64)
        org_w = np.array([o["wijk"] for o in self.orgs], dtype=np.int64)
        non_res_b = np.concatenate([org_b, self.prof_buurt, self.init_buurt, self.place_buurt])
        non_res_w = np.concatenate(
            [org_w, w_of[non_res_b[self.n_org :]] if len(non_res_b) > self.n_org else org_w[:0]]
        )
        none = np.full(self.base_res, -1, dtype=np.int64)
        return build_traits(
            list(actors.id),
            list(actors.kind),
            [list(x) for x in actors.languages],
            [list(x) for x in actors.needs],
            [list(x) for x in actors.assets],
            buurt=np.concatenate([non_res_b, self.buurt]).astype(np.int64),
            wijk=np.concatenate([non_res_w, self.wijk]).astype(np.int64),
            street=np.concatenate([none, self.street]).astype(np.int64),
            group=np.concatenate([none, self.group]).astype(np.int64),
            band=np.concatenate([none, self.band]).astype(np.int64),
            sociability=np.concatenate([np.ones(self.base_res), self.soc]),
            isolated=np.concatenate([np.zeros(self.base_res, dtype=bool), self.isolated]),
        )

    def actor_columns(self) -> ActorColumns:
        rng = self.rng
        n = self.n
        ids = random_ids(self.id_rng, n)
        kinds: list[str] = []
        names: list[str] = []
        areas: list[str | None] = []
        languages: list[list[str]] = []
        assets: list[list[str]] = []
        needs: list[list[str]] = []
        consent: list[str | None] = []
        attributes: list[dict[str, object]] = []
        used: set[str] = set()

        def unique(name: str) -> str:
            out, k = name, 2
            while out in used:
                out, k = f"{name} ({k})", k + 1
            used.add(out)
            return out

        def pick(options: Sequence[str]) -> str:
            return options[int(rng.integers(len(options)))]

        schools: dict[int, str] = {}
        for o in self.orgs:
            t, b, w = o["type"], o["buurt"], o["wijk"]
            bname = self.buurt_names[b] if b >= 0 else ""
            wname = self.wijk_names[w] if w >= 0 else ""
            if t == "welfare":
                name = f"{pick(('Stichting Welzijn', 'Buurtwerk', 'Welzijn'))} {wname}"
            elif t == "housing":
                name = _HOUSING_NAMES[o["i"] % len(_HOUSING_NAMES)]
            elif t == "school":
                name = f"{pick(_SCHOOL_PREFIX)} {pick(_NICE_NAMES)}"
            elif t == "gp":
                name = f"{pick(('Huisartsenpraktijk', 'Gezondheidscentrum'))} {bname}"
            elif t == "municipality":
                name = "Gemeente, stadsdeel " + self.wijk_names[0]
            elif t == "wijkteam":
                name = f"Buurtteam {wname}"
            elif t == "police":
                name = f"Politie basisteam {wname}"
            elif t == "care":
                name = f"Wijkverpleging team {bname}"
            elif t == "tenants":
                name = f"Huurdersvereniging {wname}"
            else:
                name = f"{pick(_SPORTS)} {bname}"
            name = unique(name)
            if t == "school":
                schools.setdefault(b, name)
            kinds.append(ActorKind.organisation.value)
            names.append(name)
            area = self.buurt_codes[b] if b >= 0 else self.wijk_codes[w] if w >= 0 else None
            areas.append(f"GM{GEMEENTE}" if t == "municipality" else area)
            languages.append(["nl", "en"] if t in ("municipality", "gp") else ["nl"])
            assets.append(list(o["themes"]))
            needs.append([])
            consent.append(None)
            attributes.append({"type": t})

        # professionals: names from the groups (more often Dutch), they all speak Dutch
        g_w = np.array([g.weight for g in _GROUPS])
        g_w[0] *= 1.5
        p_group = rng.choice(N_GROUPS, size=self.n_prof, p=g_w / g_w.sum())
        p_consent = rng.choice(
            [Consent.given.value, Consent.unknown.value], size=self.n_prof, p=[0.92, 0.08]
        )
        for p, gi, c in zip(self.profs, p_group.tolist(), p_consent.tolist(), strict=True):
            grp = _GROUPS[gi]
            role: _Role = p["role"]
            kinds.append(ActorKind.professional.value)
            names.append(f"{pick(grp.first)} {pick(grp.last)}")
            areas.append(self.buurt_codes[p["buurt"]])
            langs = list(grp.languages[int(rng.integers(len(grp.languages)))][0])
            languages.append(langs if "nl" in langs else ["nl", *langs])
            assets.append([t for t in THEMES if t in role.assets])
            needs.append([])
            consent.append(str(c))
            attributes.append({"role": role.role})

        # initiatives: some also speak the buurt's largest other language
        main_lang = [
            next((x for combo, *_ in grp.languages for x in combo if x != "nl"), None)
            for grp in _GROUPS
        ]
        for i in self.inits:
            t, label, a, nd, _w = _INITIATIVES[i["type"]]
            b = i["buurt"]
            street = self._a_street(b)
            where = pick((self.buurt_names[b], street, pick(_NICE_NAMES)))
            kinds.append(ActorKind.initiative.value)
            names.append(unique(f"{label} {where}"))
            areas.append(street if rng.random() < 0.3 else self.buurt_codes[b])
            langs = ["nl"]
            mix = self.buurt_mix[b].copy()
            mix[0] = 0
            top = main_lang[int(np.argmax(mix))]
            if top and rng.random() < 0.4:
                langs.append(top)
            languages.append(langs)
            assets.append(list(a))
            needs.append(list(nd))
            consent.append(None)
            attributes.append({"type": t})

        for pl in self.places:
            t, a, _w, _faith, _pop = _PLACES[pl["type"]]
            b = pl["buurt"]
            street = self._a_street(b)
            if t == "buurthuis":
                name = f"Buurthuis {pick(_NICE_NAMES)}"
            elif t == "bibliotheek":
                name = f"Bibliotheek {self.buurt_names[b]}"
            elif t == "schoolplein":
                name = f"Schoolplein {schools.get(b, street)}"
            elif t == "cafe":
                name = f"Café {pick(_CAFE_NAMES)}"
            elif t == "speeltuin":
                name = f"Speeltuin {street}"
            elif t == "sportveld":
                name = f"Sportveld {self.buurt_names[b]}"
            elif t == "markt":
                name = f"Buurtmarkt {street}"
            elif t == "park":
                name = f"{self.buurt_names[b].split('-')[0].split(' ')[0]}park"
            elif t == "moskee":
                name = f"Moskee {pick(_MOSQUE_NAMES)}"
            else:
                name = pick(_CHURCH_NAMES)
            kinds.append(ActorKind.place.value)
            names.append(unique(name))
            areas.append(street if rng.random() < 0.4 else self.buurt_codes[b])
            languages.append([])
            assets.append(list(a))
            needs.append([])
            consent.append(None)
            attributes.append({"type": t})

        # residents, vectorised
        r = self.R
        kind_r = np.full(r, ActorKind.resident.value, dtype=object)
        kind_r[self.key_figures] = ActorKind.key_figure.value
        kinds.extend(kind_r.tolist())
        names.extend(
            f"{a} {b}"
            for a, b in zip(
                self.first_names[self.res_first].tolist(),
                self.last_names[self.res_last].tolist(),
                strict=True,
            )
        )
        street_arr = np.array(self.street_labels, dtype=object)
        buurt_arr = np.array(self.buurt_codes, dtype=object)
        area_r = np.where(
            self.street_is_area[self.street], street_arr[self.street], buurt_arr[self.buurt]
        )
        areas.extend(area_r.tolist())
        combo_lists = np.empty(len(self.lang_combos), dtype=object)
        combo_lists[:] = self.lang_combos
        languages.extend(map(list, combo_lists[self.lang].tolist()))
        assets.extend(_mask_lists(self.asset_mask))
        needs.extend(_mask_lists(self.need_mask))
        c = rng.choice(3, size=r, p=[0.80, 0.17, 0.03])
        c[self.key_figures] = rng.choice(3, size=len(self.key_figures), p=[0.9, 0.08, 0.02])
        consent_values = np.array(
            [Consent.given.value, Consent.unknown.value, Consent.withdrawn.value], dtype=object
        )
        consent.extend(consent_values[c].tolist())
        bands = np.array(AGE_BANDS, dtype=object)[self.band].tolist()
        attributes.extend(
            {"age_band": a, "street": s}
            for a, s in zip(bands, street_arr[self.street].tolist(), strict=True)
        )
        return ActorColumns(
            id=ids,
            kind=kinds,
            name=names,
            area=areas,
            languages=languages,
            assets=assets,
            needs=needs,
            consent=consent,
            attributes=attributes,
        )

    def _a_street(self, b: int) -> str:
        streets = self.streets_of_buurt[b]
        if len(streets) == 0:
            return self.buurt_names[b]
        return self.street_labels[int(streets[int(self.rng.integers(len(streets)))])]


def generate(
    n_actors: int,
    *,
    seed: int = 0,
    start: dt.date | None = None,
    progress: Callable[[str], None] | None = None,
    fresh_ids: bool = False,
) -> SynthNetwork:
    """Generate a realistic synthetic neighbourhood of ``n_actors`` actors (about ten ties per
    actor), deterministic for a given ``seed`` and ``start``.

    Parameters
    ----------
    n_actors:
        Number of actors, at least 40; scales to millions.
    seed:
        Seed of the random generator.
    start:
        First day of the six-year history window of ``since``/``until`` dates; by default six
        years before today, so the history runs up to today.
    progress:
        Called with the name of each stage as it starts (see :data:`GENERATE_STEPS`).
    fresh_ids:
        Draw the actor and tie ids from the operating system's entropy instead of the seed,
        leaving everything else the same. Ids are primary keys across all networks: use this
        to load the same seed more than once into one database.
    """
    if n_actors < 40:
        raise ValueError("n_actors must be at least 40")
    if start is None:
        start = dt.date.today() - dt.timedelta(days=SPAN_DAYS - 1)
    # Millions of small lists and dicts are built below; none of them form cycles, so the
    # cyclic garbage collector's repeated full passes over them are pure overhead.
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        return _generate(n_actors, seed, start, progress, fresh_ids)
    finally:
        if was_enabled:
            gc.enable()


def _generate(
    n_actors: int,
    seed: int,
    start: dt.date,
    progress: Callable[[str], None] | None,
    fresh_ids: bool,
) -> SynthNetwork:
    builder = _Builder(n_actors, seed, start, fresh_ids)
    steps = iter(GENERATE_STEPS)

    def step() -> None:
        name = next(steps)
        if progress is not None:
            progress(name)

    step()
    builder.geography()
    step()
    builder.residents()
    step()
    builder.themes()
    step()
    builder.ties()
    step()
    actors = builder.actor_columns()
    actor_ids = np.array(actors.id, dtype=object)
    ties, _ = builder.tie_columns(actor_ids)
    base = builder.base_res
    counts: dict[str, int] = {}
    for kind in actors.kind:
        counts[kind] = counts.get(kind, 0) + 1
    info: dict[str, Any] = {
        "seed": seed,
        "start": start,
        "end": start + dt.timedelta(days=SPAN_DAYS - 1),
        "counts": counts,
        "buurten": builder.buurt_codes,
        "hidden_key_figures": actor_ids[base + builder.hidden].tolist(),
        "isolated": actor_ids[base + np.flatnonzero(builder.isolated)].tolist(),
        "professional_only": actor_ids[base + np.flatnonzero(builder.prof_only)].tolist(),
        "latent": builder.latent(actors),
    }
    return SynthNetwork(actors=actors, ties=ties, info=info)


def load(
    conn: Connection,
    network_id: str,
    synth: SynthNetwork,
    progress: Callable[[int], None] | None = None,
) -> int:
    """Bulk-insert ``synth`` into the (existing) network ``network_id`` inside the caller's
    transaction and bump its revision once. Returns the new revision.

    ``progress(n)`` is called with the number of rows just written (actors, then ties; the
    total is ``len(synth.actors) + len(synth.ties)``).
    """
    insert_actors(conn, network_id, synth.actors, progress=progress)
    insert_ties(conn, network_id, synth.ties, progress=progress)
    return bump_revision(conn, network_id)
