"""What the generator's stages share: the random streams and everything one stage leaves for
the next (:class:`State`), and the list of tie parts the tie stages add to.

The stages are mixins over :class:`State`, one module each, run in this order by
:func:`netwerk.synth.generate` (the random draws happen in that order, so the output for a
seed depends on it): :mod:`.geography` (buurten, wijken and the non-resident actors),
:mod:`.residents` (households, streets, groups, ages, languages, names; needs and assets),
:mod:`.ties` and :mod:`.columns` (the actor and tie columns, the latent traits).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import numpy as np

from .tables import CLASS_INDEX
from .vectors import Arr, Pool


class State:
    """The generator's state. Attributes are set by the stage named in each group."""

    # geography
    B: int  # buurten
    W: int  # wijken
    wijk_of_buurt: Arr
    share: Arr  # each buurt's share of the actors
    buurt_codes: list[str]
    wijk_codes: list[str]
    wijk_names: list[str]
    buurt_theme: Arr  # index into STREET_THEMES per buurt
    buurt_names: list[str]
    orgs: list[dict[str, Any]]
    profs: list[dict[str, Any]]  # {"role": Role, "org": int, "buurt": int}
    inits: list[dict[str, Any]]
    places: list[dict[str, Any]]
    n_org: int
    n_prof: int
    n_init: int
    n_place: int
    base_prof: int  # actor positions: organisations, professionals, initiatives, places,
    base_init: int  # then residents
    base_place: int
    base_res: int
    R: int  # residents

    # residents
    street_labels: list[str]
    streets_of_buurt: list[Arr]
    street_is_area: Arr
    buurt_mix: Arr
    lang_combos: list[tuple[str, ...]]
    first_names: Arr
    last_names: Arr
    res_first: Arr
    res_last: Arr
    key_figures: Arr
    hidden: Arr
    hh_start: Arr
    hh_size: Arr
    hh_of: Arr
    H: int  # households
    street_of_hh: Arr
    group: Arr
    band: Arr
    lang: Arr
    speaks_nl: Arr
    street: Arr
    buurt: Arr
    wijk: Arr
    soc: Arr  # sociability
    isolated: Arr
    prof_only: Arr
    social: Arr
    res_in_buurt: Arr
    # residents: needs and assets
    need_mask: Arr
    asset_mask: Arr

    # ties
    prof_buurt: Arr
    prof_wijk: Arr
    general_places: Pool
    init_buurt: Arr
    init_wijk: Arr
    place_type: Arr
    place_buurt: Arr
    org_type: Arr
    org_wijk: Arr

    def __init__(self, n: int, seed: int, start: dt.date, fresh_ids: bool) -> None:
        self.n = n
        self.rng = np.random.default_rng(seed)
        # ids come from their own stream, so that fresh ids leave everything else unchanged
        self.id_rng = np.random.default_rng() if fresh_ids else np.random.default_rng([seed, 1])
        self.start = start
        self.parts: list[tuple[Arr, Arr, int]] = []

    def _add(self, src: Arr, dst: Arr, cls: str) -> None:
        ok = (src >= 0) & (dst >= 0)
        self.parts.append((src[ok].astype(np.int64), dst[ok].astype(np.int64), CLASS_INDEX[cls]))

    def _orient(self, src: Arr, dst: Arr) -> tuple[Arr, Arr]:
        swap = self.rng.random(len(src)) < 0.5
        return np.where(swap, dst, src), np.where(swap, src, dst)
