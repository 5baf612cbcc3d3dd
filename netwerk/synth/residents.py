"""Stages 2 and 3: households on streets, resident groups, age bands, languages, names,
isolation and key figures; then needs and assets."""

from __future__ import annotations

import numpy as np

from .state import State
from .tables import (
    ASSET_BY_BAND,
    ASSET_NON_NL,
    GROUPS,
    N_GROUPS,
    N_THEMES,
    NEED_BY_BAND,
    NEED_NON_NL,
    STREET_THEMES,
    SUFFIXES,
    THEME_INDEX,
    VARIANTS,
)
from .vectors import Arr, categorical, sample_themes


class Residents(State):
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
        base = np.array([g.weight for g in GROUPS])
        base = base / base.sum()
        buurt_mix = rng.gamma(8 * base[None, :] + 0.02, size=(self.B, N_GROUPS))
        buurt_mix /= buurt_mix.sum(axis=1, keepdims=True)
        street_mix = rng.gamma(25 * buurt_mix[buurt_of_street] + 0.01)
        street_mix /= street_mix.sum(axis=1, keepdims=True)
        self.buurt_mix = buurt_mix
        hh_group = categorical(rng, street_mix[street_of_hh])

        group = hh_group[hh_of]
        size_r = sizes[hh_of]
        street = street_of_hh[hh_of]
        buurt = buurt_of_street[street]
        # age bands by household position
        p = np.array([g.age for g in GROUPS])[group]
        single, couple = size_r == 1, size_r == 2
        parent, child = (size_r >= 3) & (pos < 2), (size_r >= 3) & (pos >= 2)
        p[single | couple, 0] = 0.0
        p[single, 4] *= 1.8
        p[np.ix_(np.flatnonzero(parent), np.array([0, 1, 4]))] = 0.0
        p[child] = [0.65, 0.35, 0.0, 0.0, 0.0]
        band = categorical(rng, p)
        together = np.flatnonzero(couple & (pos == 1) & (rng.random(r_count) < 0.7))
        band[together] = band[together - 1]

        # languages by group and age class
        combos: list[tuple[str, ...]] = []
        offsets, widths = [], []
        c_max = max(len(g.languages) for g in GROUPS)
        lang_w = np.zeros((N_GROUPS, 3, c_max))
        for gi, g in enumerate(GROUPS):
            offsets.append(len(combos))
            widths.append(len(g.languages))
            for ci, (combo, young, mid, old) in enumerate(g.languages):
                combos.append(combo)
                lang_w[gi, :, ci] = (young, mid, old)
        age_class = np.select([band <= 1, band == 2], [0, 1], 2)
        lang = np.array(offsets)[group] + categorical(rng, lang_w[group, age_class])
        self.lang_combos = combos
        speaks_nl_combo = np.array(["nl" in c for c in combos])

        # names: the household shares a last name; half the partners keep their own
        firsts = [name for g in GROUPS for name in g.first]
        lasts = [name for g in GROUPS for name in g.last]
        f_off = np.cumsum([0] + [len(g.first) for g in GROUPS])[:-1]
        f_len = np.array([len(g.first) for g in GROUPS])
        l_off = np.cumsum([0] + [len(g.last) for g in GROUPS])[:-1]
        l_len = np.array([len(g.last) for g in GROUPS])
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
                stems = STREET_THEMES[t][1]
                plain = [s + x for s in stems for x in SUFFIXES]
                variant = [v + s + x for v in VARIANTS for s in stems for x in SUFFIXES]
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
        need_w = NEED_BY_BAND[band] * np.where(self.speaks_nl[:, None], 1.0, NEED_NON_NL)
        need_w[self.isolated, THEME_INDEX["eenzaamheid"]] *= 5
        need_k = np.minimum(rng.poisson(0.6, r_count), 3)
        need_k[self.isolated | self.prof_only] = np.maximum(
            need_k[self.isolated | self.prof_only], 1
        )
        self.need_mask = sample_themes(rng, need_w, need_k)
        del need_w
        scarce = np.ones((self.B, N_THEMES))
        for b in range(self.B):
            scarce[b, rng.choice(N_THEMES, size=3, replace=False)] = 0.03
        asset_w = (
            ASSET_BY_BAND[band]
            * np.where(self.speaks_nl[:, None], 1.0, ASSET_NON_NL)
            * scarce[self.buurt]
        )
        asset_k = np.minimum(rng.poisson(1.0, r_count), 3)
        self.asset_mask = sample_themes(rng, asset_w, asset_k)
