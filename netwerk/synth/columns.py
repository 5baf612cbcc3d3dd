"""Stage 5: the actor and tie columns (:mod:`netwerk.store.bulk`) and the latent traits the
actors were generated with (:mod:`netwerk.synth_latent`)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import numpy as np

from netwerk.model import ActorKind, Consent
from netwerk.store.bulk import ActorColumns, TieColumns
from netwerk.synth_latent import LatentTraits, build_traits

from .state import State
from .tables import (
    AGE_BANDS,
    CAFE_NAMES,
    CHURCH_NAMES,
    CLASS_INDEX,
    CLASS_NAMES,
    CLASSES,
    GEMEENTE,
    GROUPS,
    HOUSING_NAMES,
    INITIATIVES,
    MOSQUE_NAMES,
    N_GROUPS,
    NICE_NAMES,
    PLACES,
    SCHOOL_PREFIX,
    SPAN_DAYS,
    SPORTS,
    THEMES,
    Role,
)
from .vectors import Arr, categorical, mask_lists, random_ids


class Columns(State):
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
        refers = cls == CLASS_INDEX["refers_to"]
        lo, hi = np.minimum(src, dst), np.maximum(src, dst)
        key = np.where(refers, n * n + src * n + dst, lo * n + hi)
        _, first = np.unique(key, return_index=True)
        keep = np.sort(first)
        src, dst, cls = src[keep], dst[keep], cls[keep]
        t_count = len(src)

        classes = [CLASSES[name] for name in CLASS_NAMES]
        kinds = np.array([c.kind.value for c in classes], dtype=object)
        strength_p = np.array([c.strength for c in classes])
        strength = categorical(rng, strength_p[cls]) + 1
        combos: list[tuple[str, ...]] = []
        s_max = max(len(c.support) for c in classes)
        support_p = np.zeros((len(classes), s_max))
        support_off = []
        for ci, c in enumerate(classes):
            support_off.append(len(combos))
            for k, (combo, w) in enumerate(c.support):
                combos.append(combo)
                support_p[ci, k] = w
        support = np.array(support_off)[cls] + categorical(rng, support_p[cls])

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
                name = HOUSING_NAMES[o["i"] % len(HOUSING_NAMES)]
            elif t == "school":
                name = f"{pick(SCHOOL_PREFIX)} {pick(NICE_NAMES)}"
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
                name = f"{pick(SPORTS)} {bname}"
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
        g_w = np.array([g.weight for g in GROUPS])
        g_w[0] *= 1.5
        p_group = rng.choice(N_GROUPS, size=self.n_prof, p=g_w / g_w.sum())
        p_consent = rng.choice(
            [Consent.given.value, Consent.unknown.value], size=self.n_prof, p=[0.92, 0.08]
        )
        for p, gi, c in zip(self.profs, p_group.tolist(), p_consent.tolist(), strict=True):
            grp = GROUPS[gi]
            role: Role = p["role"]
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
            for grp in GROUPS
        ]
        for i in self.inits:
            t, label, a, nd, _w = INITIATIVES[i["type"]]
            b = i["buurt"]
            street = self._a_street(b)
            where = pick((self.buurt_names[b], street, pick(NICE_NAMES)))
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
            t, a, _w, _faith, _pop = PLACES[pl["type"]]
            b = pl["buurt"]
            street = self._a_street(b)
            if t == "buurthuis":
                name = f"Buurthuis {pick(NICE_NAMES)}"
            elif t == "bibliotheek":
                name = f"Bibliotheek {self.buurt_names[b]}"
            elif t == "schoolplein":
                name = f"Schoolplein {schools.get(b, street)}"
            elif t == "cafe":
                name = f"Café {pick(CAFE_NAMES)}"
            elif t == "speeltuin":
                name = f"Speeltuin {street}"
            elif t == "sportveld":
                name = f"Sportveld {self.buurt_names[b]}"
            elif t == "markt":
                name = f"Buurtmarkt {street}"
            elif t == "park":
                name = f"{self.buurt_names[b].split('-')[0].split(' ')[0]}park"
            elif t == "moskee":
                name = f"Moskee {pick(MOSQUE_NAMES)}"
            else:
                name = pick(CHURCH_NAMES)
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
        assets.extend(mask_lists(self.asset_mask))
        needs.extend(mask_lists(self.need_mask))
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
