"""The synthetic generator's own chance that an introduction between two actors forms a tie.

:func:`netwerk.synth.generate` keeps, per actor, the latent traits it generated the actor
with (:class:`LatentTraits`, in ``SynthNetwork.info["latent"]``): buurt, wijk, street and
household position, resident group, age band, sociability, whether the generator made the
resident isolated, and the languages. :func:`tie_chance` turns them into the probability that
a broker's introduction of the two holds — *from the generator's ground truth, never from the
engine's scores* — so a benchmark can let a suggestion become a tie with that chance
(``bench/activation.py``, realistic protocol; ``bench/learning.py``).

The model mirrors how the generator forms ties (homophily by place, group, age band and
language; sociable people tie more; McPherson, Smith-Lovin & Cook 2001) as a logistic
score:

``logit p = -2.2 + place + group + age + language + sociability + need + isolation + kind``

* place: +1.0 same street, +0.6 same buurt, +0.1 same wijk, -0.8 farther;
* group: +0.7 both residents of the same group; age: -0.35 per age band apart;
* language: +0.8 with a shared language, -1.0 without (an introduction through an
  interpreter rarely holds), 0 when one of them lists no language (an organisation);
* sociability: 0.6 x log of the geometric mean of both sociabilities (residents; 1 otherwise);
* need: +0.6 when one offers what the other asks (a reason to meet again);
* isolation: -0.7 per generated-isolated resident (harder, and worth more);
* kind: +0.4 when one is an initiative or a place (open doors), +0.2 a professional or
  organisation.

``p`` is bounded to [0.02, 0.95]. Vectorised: O(k) for k pairs.

References
----------
McPherson M., Smith-Lovin L., Cook J.M. (2001) Birds of a feather: homophily in social
networks. Annu Rev Sociol 27:415-444. doi:10.1146/annurev.soc.27.1.415.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

__all__ = ["LatentTraits", "tie_chance"]

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]

KIND_OPEN = {"initiative": 0.4, "place": 0.4, "professional": 0.2, "organisation": 0.2}


@dataclass(frozen=True, eq=False)
class LatentTraits:
    """Per actor, in the order of ``SynthNetwork.actors`` (``-1``: not applicable)."""

    ids: tuple[str, ...]
    kind_bonus: FloatArray
    buurt: IntArray
    wijk: IntArray
    street: IntArray
    group: IntArray
    band: IntArray
    sociability: FloatArray
    isolated: BoolArray
    languages: tuple[frozenset[str], ...]
    needs: tuple[frozenset[str], ...]
    assets: tuple[frozenset[str], ...]

    def index(self) -> dict[str, int]:
        return {a: i for i, a in enumerate(self.ids)}


def build_traits(
    ids: list[str],
    kinds: list[str],
    languages: list[list[str]],
    needs: list[list[str]],
    assets: list[list[str]],
    *,
    buurt: IntArray,
    wijk: IntArray,
    street: IntArray,
    group: IntArray,
    band: IntArray,
    sociability: FloatArray,
    isolated: BoolArray,
) -> LatentTraits:
    """Assemble the traits (used by :func:`netwerk.synth.generate`)."""
    return LatentTraits(
        ids=tuple(ids),
        kind_bonus=np.array([KIND_OPEN.get(k, 0.0) for k in kinds]),
        buurt=buurt,
        wijk=wijk,
        street=street,
        group=group,
        band=band,
        sociability=sociability,
        isolated=isolated,
        languages=tuple(frozenset(x) for x in languages),
        needs=tuple(frozenset(x) for x in needs),
        assets=tuple(frozenset(x) for x in assets),
    )


def tie_chance(traits: LatentTraits, a: IntArray, b: IntArray) -> FloatArray:
    """The generator's chance that introducing ``a[i]`` to ``b[i]`` (positions in the actor
    columns) forms a tie (see the module doc)."""
    a = np.asarray(a, dtype=np.int64)
    b = np.asarray(b, dtype=np.int64)
    t = traits
    same_street = (t.street[a] >= 0) & (t.street[a] == t.street[b])
    same_buurt = (t.buurt[a] >= 0) & (t.buurt[a] == t.buurt[b])
    same_wijk = (t.wijk[a] >= 0) & (t.wijk[a] == t.wijk[b])
    place = np.where(same_street, 1.0, np.where(same_buurt, 0.6, np.where(same_wijk, 0.1, -0.8)))
    residents = (t.group[a] >= 0) & (t.group[b] >= 0)
    group = np.where(residents & (t.group[a] == t.group[b]), 0.7, 0.0)
    age = np.where(residents, -0.35 * np.abs(t.band[a] - t.band[b]), 0.0)
    pairs = list(zip(a.tolist(), b.tolist(), strict=True))
    shared = np.array([bool(t.languages[i] & t.languages[j]) for i, j in pairs], dtype=bool)
    listed = np.array([bool(t.languages[i]) and bool(t.languages[j]) for i, j in pairs], bool)
    language = np.where(shared, 0.8, np.where(listed, -1.0, 0.0))
    social = 0.6 * 0.5 * np.log(t.sociability[a] * t.sociability[b])
    match = np.array(
        [bool((t.needs[i] & t.assets[j]) | (t.needs[j] & t.assets[i])) for i, j in pairs],
        dtype=bool,
    )
    need = np.where(match, 0.6, 0.0)
    isolation = -0.7 * (t.isolated[a].astype(float) + t.isolated[b].astype(float))
    kind = np.maximum(t.kind_bonus[a], t.kind_bonus[b])
    logit = -2.2 + place + group + age + language + social + need + isolation + kind
    return np.clip(1.0 / (1.0 + np.exp(-logit)), 0.02, 0.95)
