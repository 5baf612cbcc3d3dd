"""A seeded, realistic synthetic neighbourhood: for the demo, the tests and the benchmarks.

The generative model
--------------------
The stages live in one module each (:mod:`netwerk.synth.state` lists them); the tables of
names, streets, themes, organisations, initiatives and places are data, in
``netwerk/synth/tables.toml`` (:mod:`netwerk.synth.tables`).

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
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from netwerk.store.bulk import ActorColumns, TieColumns, insert_actors, insert_ties
from netwerk.store.revision import bump_revision
from netwerk.store.session import Connection
from netwerk.synth_latent import tie_chance

from .columns import Columns
from .geography import Geography
from .residents import Residents
from .tables import AGE_BANDS, SPAN_DAYS, THEMES
from .ties import Ties
from .vectors import Arr, random_ids

__all__ = [
    "AGE_BANDS",
    "GENERATE_STEPS",
    "THEMES",
    "SynthNetwork",
    "generate",
    "load",
    "random_ids",
]

GENERATE_STEPS: tuple[str, ...] = (
    "geography",
    "residents",
    "themes",
    "ties",
    "columns",
)
"""The stages :func:`generate` reports to its ``progress`` callback, in order."""


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


class _Builder(Geography, Residents, Ties, Columns):
    """The generator: one stage per module (:mod:`netwerk.synth.state`)."""


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

    Examples
    --------
    >>> import datetime as dt
    >>> s = generate(100, seed=1, start=dt.date(2020, 1, 1))
    >>> len(s.actors), s.actors.kind[0], s.info["end"]
    (100, 'organisation', datetime.date(2025, 12, 30))
    >>> generate(100, seed=1, start=dt.date(2020, 1, 1)).ties == s.ties  # same seed, same ties
    True
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
