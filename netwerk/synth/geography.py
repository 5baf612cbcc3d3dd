"""Stage 1: buurten and wijken with their names, and the non-resident actors (organisations,
professionals, initiatives, places)."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from .state import State
from .tables import (
    DIRECTIONS,
    GEMEENTE,
    HOUSING_NAMES,
    INITIATIVES,
    ORG_TYPES,
    PLACES,
    ROLES,
    STREET_THEMES,
    WIJK_NAMES,
)
from .vectors import stochastic_round


class Geography(State):
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
            WIJK_NAMES[w % len(WIJK_NAMES)]
            + (f" {w // len(WIJK_NAMES) + 1}" if w >= len(WIJK_NAMES) else "")
            for w in range(self.W)
        ]
        # street naming themes and buurt names
        themes = rng.permutation(np.arange(b_count) % len(STREET_THEMES))
        self.buurt_theme = themes
        seen: dict[int, int] = {}
        self.buurt_names: list[str] = []
        for t in themes.tolist():
            k = seen.get(t, 0)
            seen[t] = k + 1
            base = STREET_THEMES[t][0]
            suffix = DIRECTIONS[k] if k < len(DIRECTIONS) else f" {k + 1}"
            self.buurt_names.append(base + suffix)

        # organisations
        scale = min(1.0, n / 2000)
        kept = len(ORG_TYPES) if b_count > 1 else int(np.clip(3 + n // 150, 4, len(ORG_TYPES)))
        orgs: list[dict[str, Any]] = []
        for otype, level, rate, themes_ in ORG_TYPES[:kept]:
            if level == "wijk":
                homes = [(-1, w) for w in range(self.W)]
            elif level == "city":
                count = (
                    max(1, min(len(HOUSING_NAMES), 1 + b_count // 8)) if otype == "housing" else 1
                )
                homes = [(-1, -1)] * count
            else:
                homes = [
                    (b, int(self.wijk_of_buurt[b]))
                    for b in range(b_count)
                    for _ in range(stochastic_round(rng, rate))
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
            roles = [r for r in ROLES if r.org_type == org["type"]]
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
                count = stochastic_round(rng, base)
                if count == 0 and made == 0 and r_index == len(roles) - 1:
                    count = 1
                offset = int(rng.integers(len(cover)))
                for k in range(count):
                    b = cover[(offset + k) % len(cover)]
                    profs.append({"role": role, "org": o_index, "buurt": b})
                made += count
        self.profs = profs

        # initiatives and places, per buurt
        init_w = np.array([t[4] for t in INITIATIVES])
        place_w = np.array([t[2] for t in PLACES])
        inits: list[dict[str, Any]] = []
        places: list[dict[str, Any]] = []
        for b in range(b_count):
            k = max(2, stochastic_round(rng, 5 * est[b] / 2000))
            chosen = rng.choice(
                len(INITIATIVES), size=min(k, len(INITIATIVES)), replace=False,
                p=init_w / init_w.sum(),
            )  # fmt: skip
            inits.extend({"type": int(c), "buurt": b} for c in chosen.tolist())
            k = max(2, stochastic_round(rng, 4 * est[b] / 2000))
            first = 0 if rng.random() < 0.8 else 3  # a buurthuis, else a café
            rest = rng.choice(len(PLACES), size=k - 1, p=place_w / place_w.sum())
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
