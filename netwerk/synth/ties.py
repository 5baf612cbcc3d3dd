"""Stage 4: the ties, as parts of (source, target, tie class) positions (:meth:`State._add`):
family, organisations and professionals, relatives, friends, neighbours, key figures,
acquaintances, and activities (initiatives, places, clubs)."""

from __future__ import annotations

import numpy as np

from .state import State
from .tables import GROUPS, INITIATIVES, N_BANDS, N_GROUPS, N_THEMES, ORG_INDEX, PLACES
from .vectors import NONE, Arr, Pool, categorical, expand_bits, theme_mask


class Ties(State):
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
        pool = Pool(bu[social] * N_GROUPS + g[social], social)
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
            pool = Pool(cand_key[social], social, soc[social])
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
            pool = Pool(cand_key[social], social, soc[social])
            dst[sel] = pool.pick(rng, want[sel])
        self._add(*self._orient(base + src, base + dst), "knows")

        self._activity_ties(social)

    def _org_and_prof_ties(self) -> None:
        rng = self.rng
        base = self.base_res
        org_type = np.array([ORG_INDEX[o["type"]] for o in self.orgs])
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
        wijk_orgs = Pool(org_wijk[org_wijk >= 0], org_idx[org_wijk >= 0])
        self._add(self.base_prof + second, wijk_orgs.pick(rng, prof_wijk[second]), "works_for")

        # professionals refer to colleagues in their wijk (directed)
        src = np.repeat(prof_idx, rng.poisson(3.0, n_p))
        pool = Pool(prof_wijk, prof_idx)
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
            if a in ORG_INDEX and b in ORG_INDEX:
                left = org_idx[org_type == ORG_INDEX[a]]
                right = org_idx[org_type == ORG_INDEX[b]]
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
        welfare = Pool(org_wijk * 100 + org_type, org_idx)
        src = init_idx[rng.random(n_i) < 0.6]
        self._add(
            self.base_init + src,
            welfare.pick(rng, init_wijk[src] * 100 + ORG_INDEX["welfare"]),
            "partners",
        )
        src = np.repeat(init_idx, rng.poisson(0.6, n_i))
        self._add(self.base_init + src, wijk_orgs.pick(rng, init_wijk[src]), "partners")
        src = np.repeat(init_idx, rng.poisson(0.35, n_i))
        pool = Pool(init_buurt, init_idx)
        self._add(
            self.base_init + src, self.base_init + pool.pick(rng, init_buurt[src]), "partners"
        )
        # initiatives are held at a place
        place_type = np.array([p["type"] for p in self.places], dtype=np.int64)
        place_buurt = np.array([p["buurt"] for p in self.places], dtype=np.int64)
        general = np.array([PLACES[t][3] == 0 for t in place_type.tolist()], dtype=bool)
        place_idx = np.arange(self.n_place)
        self.general_places = Pool(
            place_buurt[general], place_idx[general],
            np.array([PLACES[t][4] for t in place_type[general].tolist()]),
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
            pool = Pool(self.buurt[r_idx] * N_BANDS + self.band[r_idx], r_idx)
            scale = float(np.clip(self.R / self.B / 2000, 0.15, 1.0))
            mean = np.array([p["role"].clients for p in self.profs]) * scale
            src = np.repeat(prof_idx, rng.poisson(mean))
            bands = np.array([p["role"].bands for p in self.profs])
            want = prof_buurt[src] * N_BANDS + categorical(rng, bands[src])
            self._add(self.base_prof + src, base + pool.pick(rng, want), "client")
            # residents tied only to professionals: one or two of the buurt or wijk
            po = np.flatnonzero(self.prof_only)
            po = np.repeat(po, 1 + (rng.random(len(po)) < 0.4))
            by_buurt = Pool(prof_buurt, prof_idx).pick(rng, self.buurt[po])
            by_wijk = Pool(prof_wijk, prof_idx).pick(rng, self.wijk[po])
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
        by_buurt = Pool(self.buurt[social], social).pick(rng, self.buurt[src])
        by_wijk = Pool(self.wijk[social], social).pick(rng, self.wijk[src])
        dst = np.where(in_wijk | (by_buurt < 0), by_wijk, by_buurt)
        self._add(*self._orient(base + src, base + dst), "kf_knows")
        # they know the professionals of their buurt, volunteer and meet at places
        if self.n_prof:
            src = np.repeat(kf, rng.integers(2, 6, size=len(kf)))
            dst = Pool(self.prof_buurt, np.arange(self.n_prof)).pick(rng, self.buurt[src])
            self._add(base + src, self.base_prof + dst, "kf_prof")
        src = np.repeat(kf, rng.integers(1, 4, size=len(kf)))
        dst = Pool(self.init_buurt, np.arange(self.n_init)).pick(rng, self.buurt[src])
        self._add(base + src, self.base_init + dst, "volunteers")
        src = np.repeat(kf, rng.integers(1, 4, size=len(kf)))
        dst = self.general_places.pick(rng, self.buurt[src])
        self._add(base + src, self.base_place + dst, "meets")

    def _activity_ties(self, social: Arr) -> None:
        rng = self.rng
        base = self.base_res
        inits = np.arange(self.n_init)
        init_assets = np.array([theme_mask(INITIATIVES[i["type"]][2]) for i in self.inits])
        init_needs = np.array([theme_mask(INITIATIVES[i["type"]][3]) for i in self.inits])

        # volunteering at an initiative that asks for one of your assets
        rows, themes = expand_bits(init_needs)
        asks = Pool(self.init_wijk[rows] * N_THEMES + themes, inits[rows])
        rows, themes = expand_bits(self.asset_mask[social])
        keep = rng.random(len(rows)) < 0.12
        src, th = social[rows[keep]], themes[keep]
        self._add(
            base + src,
            self.base_init + asks.pick(rng, self.wijk[src] * N_THEMES + th),
            "volunteers",
        )
        src = social[rng.random(len(social)) < 0.03]
        by_buurt = Pool(self.init_buurt, inits)
        self._add(base + src, self.base_init + by_buurt.pick(rng, self.buurt[src]), "volunteers")

        # participating in an initiative that serves one of your needs, or one nearby
        rows, themes = expand_bits(init_assets)
        serves = Pool(self.init_wijk[rows] * N_THEMES + themes, inits[rows])
        rows, themes = expand_bits(self.need_mask[social])
        keep = rng.random(len(rows)) < 0.35
        src, th = social[rows[keep]], themes[keep]
        self._add(
            base + src,
            self.base_init + serves.pick(rng, self.wijk[src] * N_THEMES + th),
            "participates",
        )
        src = np.repeat(social, rng.poisson(0.5, len(social)))
        in_wijk = rng.random(len(src)) < 0.15
        by_wijk = Pool(self.init_wijk, inits)
        dst = np.where(
            in_wijk, by_wijk.pick(rng, self.wijk[src]), by_buurt.pick(rng, self.buurt[src])
        )
        self._add(base + src, self.base_init + dst, "participates")

        # meeting places; a fifth of the visits go to the group's place of worship in the wijk
        places = np.arange(self.n_place)
        faith = np.array([PLACES[t][3] for t in self.place_type.tolist()], dtype=np.int64)
        place_wijk = self.wijk_of_buurt[self.place_buurt]
        worship = Pool((place_wijk * 3 + faith)[faith > 0], places[faith > 0])
        group_faith = np.array([gr.faith for gr in GROUPS], dtype=np.int64)
        src = np.repeat(social, rng.poisson(0.9, len(social)))
        to_faith = (rng.random(len(src)) < 0.2) & (group_faith[self.group[src]] > 0)
        dst = self.general_places.pick(rng, self.buurt[src])
        holy = worship.pick(rng, self.wijk[src] * 3 + group_faith[self.group[src]])
        dst = np.where(to_faith & (holy >= 0), holy, dst)
        self._add(base + src, self.base_place + dst, "meets")

        # members of a sports club or tenants' association in the wijk
        clubs = np.isin(self.org_type, [ORG_INDEX.get("sports", -1), ORG_INDEX.get("tenants", -1)])
        club_pool = Pool(self.org_wijk[clubs], np.flatnonzero(clubs))
        src = np.repeat(social, rng.poisson(0.2, len(social)))
        self._add(base + src, club_pool.pick(rng, self.wijk[src]), "member")
