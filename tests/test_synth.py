"""The synthetic neighbourhood: deterministic, valid by the rules of netwerk.model, and
realistic in the ways the analysis relies on (groups, key figures, isolation, unmet needs)."""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict

import pytest

from netwerk.model import (
    MAX_NAME,
    PERSON_KINDS,
    ActorKind,
    Consent,
    SupportKind,
    TieKind,
    normalise_area,
    normalise_attributes,
    normalise_languages,
    normalise_themes,
)
from netwerk.synth import AGE_BANDS, THEMES, SynthNetwork, generate, random_ids

START = dt.date(2020, 1, 1)


@pytest.fixture(scope="module")
def synth() -> SynthNetwork:
    return generate(2000, seed=7, start=START)


def test_deterministic_by_seed() -> None:
    a = generate(400, seed=3, start=START)
    b = generate(400, seed=3, start=START)
    c = generate(400, seed=4, start=START)
    assert a.actors == b.actors
    assert a.ties == b.ties
    assert a.actors.id != c.actors.id
    assert a.actors.name != c.actors.name


def test_fresh_ids_change_only_the_ids() -> None:
    a = generate(300, seed=3, start=START)
    b = generate(300, seed=3, start=START, fresh_ids=True)
    assert not set(a.actors.id) & set(b.actors.id)
    assert a.actors.name == b.actors.name
    assert a.ties.kind == b.ties.kind
    assert [a.actors.id.index(s) for s in a.ties.source_id[:50]] == [
        b.actors.id.index(s) for s in b.ties.source_id[:50]
    ]


@pytest.mark.parametrize("n", [100, 300, 2000])
def test_counts(n: int) -> None:
    s = generate(n, seed=1, start=START)
    assert len(s.actors) == n
    assert all(len(column) == n for column in vars(s.actors).values() if column is not None)
    low = 6 if n < 1000 else 8.5
    assert low * n <= len(s.ties) <= 11.5 * n
    kinds = Counter(s.actors.kind)
    assert kinds[ActorKind.key_figure] >= max(1, round(0.005 * n))
    assert kinds[ActorKind.resident] >= 0.8 * n


def test_too_small() -> None:
    with pytest.raises(ValueError):
        generate(10)


def test_every_kind_present(synth: SynthNetwork) -> None:
    assert set(synth.actors.kind) == {k.value for k in ActorKind}
    assert set(synth.ties.kind) == {k.value for k in TieKind}


def test_actor_values_follow_the_model(synth: SynthNetwork) -> None:
    a = synth.actors
    assert len(set(a.id)) == len(a)
    assert a.attributes is not None
    themes = set(THEMES)
    for i in range(len(a)):
        assert len(a.id[i]) == 16 and a.id[i].isalnum()
        assert 1 <= len(a.name[i]) <= MAX_NAME
        assert normalise_area(a.area[i]) == a.area[i]
        assert normalise_languages(a.languages[i]) == a.languages[i]
        assert normalise_themes(a.assets[i], field="assets") == a.assets[i]
        assert normalise_themes(a.needs[i], field="needs") == a.needs[i]
        assert set(a.assets[i]) <= themes and set(a.needs[i]) <= themes
        assert normalise_attributes(a.attributes[i]) == a.attributes[i]
        if ActorKind(a.kind[i]) in PERSON_KINDS:
            assert a.consent[i] in {c.value for c in Consent}
        else:
            assert a.consent[i] is None
        if a.kind[i] in (ActorKind.resident, ActorKind.key_figure):
            assert a.attributes[i]["age_band"] in AGE_BANDS
        if a.kind[i] == ActorKind.professional:
            assert a.attributes[i]["role"]
    assert {c for c in a.consent if c} == {c.value for c in Consent}
    consent = Counter(c for c in a.consent if c)
    assert consent[Consent.given] > consent[Consent.unknown] > consent[Consent.withdrawn] > 0
    # buurt codes and street labels both occur
    assert any(x and x.startswith("BU0363") for x in a.area)
    assert any(x and not x[:2].isupper() for x in a.area)


def test_tie_values_follow_the_model(synth: SynthNetwork) -> None:
    t = synth.ties
    ids = set(synth.actors.id)
    assert len(set(t.id)) == len(t)
    end = synth.info["end"]
    supports = {s.value for s in SupportKind}
    for i in range(len(t)):
        assert t.source_id[i] in ids and t.target_id[i] in ids
        assert t.source_id[i] != t.target_id[i]
        assert 1 <= t.strength[i] <= 5
        assert set(t.support[i]) <= supports and len(set(t.support[i])) == len(t.support[i])
        since, until = t.since[i], t.until[i]
        if since is not None:
            assert START <= since <= end
        if until is not None:
            assert since is not None and since <= until < end
    history = sum(u is not None for u in t.until) / len(t)
    assert 0.03 <= history <= 0.07
    assert Counter(t.strength).keys() == {1, 2, 3, 4, 5}


def test_no_self_loops_or_duplicates(synth: SynthNetwork) -> None:
    t = synth.ties
    triples = list(zip(t.source_id, t.target_id, t.kind, strict=True))
    assert len(set(triples)) == len(triples)
    pairs = [
        (s, d) if k == TieKind.refers_to else (min(s, d), max(s, d), "") for s, d, k in triples
    ]
    assert len(set(pairs)) == len(pairs)


def test_tie_kinds_connect_the_right_actors(synth: SynthNetwork) -> None:
    kind = dict(zip(synth.actors.id, synth.actors.kind, strict=True))
    t = synth.ties
    persons = {k.value for k in PERSON_KINDS}
    for s, d, k in zip(t.source_id, t.target_id, t.kind, strict=True):
        if k == TieKind.works_for:
            assert (kind[s], kind[d]) == (ActorKind.professional, ActorKind.organisation)
        elif k == TieKind.refers_to:
            assert kind[s] == kind[d] == ActorKind.professional
        elif k in (TieKind.family, TieKind.friend, TieKind.neighbour):
            assert kind[s] in persons and kind[d] in persons
        elif k == TieKind.meets_at:
            assert kind[d] == ActorKind.place
        elif k in (TieKind.participates_in, TieKind.volunteers_at):
            assert kind[d] == ActorKind.initiative


def _adjacency(synth: SynthNetwork) -> dict[str, set[str]]:
    adj: dict[str, set[str]] = defaultdict(set)
    for s, d in zip(synth.ties.source_id, synth.ties.target_id, strict=True):
        adj[s].add(d)
        adj[d].add(s)
    return adj


def test_isolated_and_professional_only_residents(synth: SynthNetwork) -> None:
    adj = _adjacency(synth)
    kind = dict(zip(synth.actors.id, synth.actors.kind, strict=True))
    isolated, prof_only = synth.info["isolated"], synth.info["professional_only"]
    assert len(isolated) >= 0.02 * len(synth.actors)
    assert all(not adj.get(x) for x in isolated)
    assert prof_only and all(adj[x] for x in prof_only)
    assert all(kind[y] == ActorKind.professional for x in prof_only for y in adj[x])
    # the isolated are found from the ties alone, too
    residents = [i for i, k in kind.items() if k == ActorKind.resident]
    assert {r for r in residents if not adj.get(r)} == set(isolated)


def test_key_figures_are_hubs_across_groups(synth: SynthNetwork) -> None:
    adj = _adjacency(synth)
    a = synth.actors
    degree = {k: [len(adj.get(i, ())) for i, kk in zip(a.id, a.kind, strict=True) if kk == k]
              for k in (ActorKind.resident, ActorKind.key_figure)}  # fmt: skip
    mean = {k: sum(v) / len(v) for k, v in degree.items()}
    assert mean[ActorKind.key_figure] > 3 * mean[ActorKind.resident]
    hidden = synth.info["hidden_key_figures"]
    assert hidden and sum(len(adj[h]) for h in hidden) / len(hidden) > 2 * mean["resident"]
    # their contacts speak more different languages than an average resident's
    langs = dict(zip(a.id, a.languages, strict=True))

    def spread(actor: str) -> int:
        return len({lang for other in adj.get(actor, ()) for lang in langs[other]})

    kf = [i for i, k in zip(a.id, a.kind, strict=True) if k == ActorKind.key_figure]
    res = [i for i, k in zip(a.id, a.kind, strict=True) if k == ActorKind.resident][:300]
    assert sum(map(spread, kf)) / len(kf) > sum(map(spread, res)) / len(res)


def test_friends_mostly_share_a_language(synth: SynthNetwork) -> None:
    langs = dict(zip(synth.actors.id, synth.actors.languages, strict=True))
    t = synth.ties
    friends = [
        (s, d) for s, d, k in zip(t.source_id, t.target_id, t.kind, strict=True) if k == "friend"
    ]
    shared = sum(bool(set(langs[s]) & set(langs[d])) for s, d in friends) / len(friends)
    non_dutch = [i for i, v in langs.items() if v and "nl" not in v]
    assert non_dutch  # groups that differ in language exist
    assert shared > 0.85


def test_some_needs_are_met_nearby_and_some_not(synth: SynthNetwork) -> None:
    adj = _adjacency(synth)
    assets = dict(zip(synth.actors.id, synth.actors.assets, strict=True))
    met = unmet = 0
    for actor, needs in zip(synth.actors.id, synth.actors.needs, strict=True):
        if not needs:
            continue
        near = set(adj.get(actor, ()))
        for other in list(near):
            near |= adj[other]
        near.discard(actor)
        offered = {theme for other in near for theme in assets[other]}
        for need in needs:
            if need in offered:
                met += 1
            else:
                unmet += 1
    assert met > 0 and unmet > 0
    assert 0.02 < unmet / (met + unmet) < 0.6


def test_ages_and_themes_vary(synth: SynthNetwork) -> None:
    assert synth.actors.attributes is not None
    bands = Counter(
        x.get("age_band") for x in synth.actors.attributes if x.get("age_band") is not None
    )
    assert set(bands) == set(AGE_BANDS)
    needs = Counter(theme for needs in synth.actors.needs for theme in needs)
    assert len(needs) >= 12


def test_random_ids_unique() -> None:
    import numpy as np

    ids = random_ids(np.random.default_rng(0), 50_000)
    assert len(set(ids)) == 50_000
    assert all(len(i) == 16 for i in ids[:100])


def _digest(s: SynthNetwork) -> str:
    """A digest of everything ``generate`` returns: the actor and tie columns, the info and
    the latent traits (sets in sorted order, so the digest does not depend on hashing)."""
    import hashlib

    import numpy as np

    d = hashlib.sha256()
    for columns in (s.actors, s.ties):
        for name, values in vars(columns).items():
            d.update(repr((name, values)).encode())
    info = dict(s.info)
    latent = info.pop("latent")
    d.update(repr(sorted((k, repr(v)) for k, v in info.items())).encode())
    for name, value in vars(latent).items():
        if isinstance(value, np.ndarray):
            d.update(name.encode() + value.tobytes() + str(value.dtype).encode())
        elif name in ("languages", "needs", "assets"):
            d.update(repr((name, [sorted(x) for x in value])).encode())
        else:
            d.update(repr((name, value)).encode())
    return d.hexdigest()


def test_same_seed_same_network_in_another_process() -> None:
    """The whole output (columns, info, latent traits) for a seed is the same twice in one
    process and in a fresh process with another hash seed: nothing depends on set order,
    on state left by an earlier call, or on the process."""
    import os
    import subprocess
    import sys

    here = _digest(generate(600, seed=5, start=START))
    assert _digest(generate(600, seed=5, start=START)) == here
    assert _digest(generate(600, seed=6, start=START)) != here
    code = (
        "import datetime as dt, sys; sys.path.insert(0, 'tests');"
        "from test_synth import _digest; from netwerk.synth import generate;"
        "print(_digest(generate(600, seed=5, start=dt.date(2020, 1, 1))))"
    )
    env = {**os.environ, "PYTHONHASHSEED": "12345"}
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    out = subprocess.run(
        [sys.executable, "-c", code], env=env, cwd=root, capture_output=True, text=True, check=True
    )
    assert out.stdout.strip() == here


def test_tables_are_package_data() -> None:
    """The generator's tables are a data file inside the package, named by pyproject's
    package-data so that an installed wheel has them."""
    import tomllib
    from fnmatch import fnmatch
    from importlib import resources
    from pathlib import Path

    from netwerk.synth import tables

    assert resources.files("netwerk.synth").joinpath("tables.toml").is_file()
    pyproject = tomllib.loads((Path(__file__).parents[1] / "pyproject.toml").read_text())
    patterns = pyproject["tool"]["setuptools"]["package-data"]["netwerk"]
    assert any(fnmatch("synth/tables.toml", p) for p in patterns)
    assert tables.THEMES[0] == "taal" and len(tables.THEMES) == 15
    assert {g.key for g in tables.GROUPS} >= {"nl", "ma", "tr"}
    assert all(len(g.age) == len(tables.AGE_BANDS) for g in tables.GROUPS)
