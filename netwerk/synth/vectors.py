"""Small vectorised helpers of the generator: opaque ids, categorical draws, candidate pools,
theme bit masks."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np
import numpy.typing as npt

from .tables import N_THEMES, THEME_INDEX, THEMES

Arr = npt.NDArray[Any]

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


def categorical(rng: np.random.Generator, probs: Arr) -> Arr:
    """One draw per row of an (n, k) matrix of non-negative weights."""
    cum = np.cumsum(probs, axis=1)
    total = cum[:, -1:]
    u = rng.random((len(probs), 1)) * total
    out = (u >= cum).sum(axis=1)
    return np.minimum(out, probs.shape[1] - 1).astype(np.int64)


def stochastic_round(rng: np.random.Generator, x: float) -> int:
    whole = math.floor(x)
    return whole + int(rng.random() < x - whole)


NONE = -(1 << 40)
"""What :meth:`Pool.pick` returns when there is no candidate: negative even after an index
offset is added to it, so that :meth:`netwerk.synth.state.State._add` drops it."""


class Pool:
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


def sample_themes(rng: np.random.Generator, weights: Arr, k: Arr) -> Arr:
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


def mask_lists(masks: Arr) -> list[list[str]]:
    """Theme lists (in THEMES order) for bit masks; a fresh list per actor."""
    uniq, inverse = np.unique(masks, return_inverse=True)
    table = [tuple(THEMES[t] for t in range(N_THEMES) if int(m) >> t & 1) for m in uniq]
    return [list(table[i]) for i in inverse.ravel().tolist()]


def expand_bits(masks: Arr) -> tuple[Arr, Arr]:
    """(row, theme) pairs for every bit set in ``masks``."""
    rows: list[Arr] = []
    themes: list[Arr] = []
    for t in range(N_THEMES):
        idx = np.flatnonzero((masks >> t) & 1)
        rows.append(idx)
        themes.append(np.full(len(idx), t, dtype=np.int64))
    return np.concatenate(rows), np.concatenate(themes)


def theme_mask(names: Sequence[str]) -> int:
    mask = 0
    for name in names:
        mask |= 1 << THEME_INDEX[name]
    return mask
