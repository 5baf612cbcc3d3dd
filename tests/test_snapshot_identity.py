"""In-memory snapshots (``snapshot_from_networkx``) have their own identity in the
process-wide caches: two different graphs never share cached results."""

from __future__ import annotations

import networkx as nx

from netwerk import cache
from netwerk.graph import snapshot_from_networkx
from netwerk.suggest.suggestions import suggest_for_actor


def test_two_graphs_in_one_process_do_not_share_cached_results() -> None:
    """Suggesting on the karate club and then on a 40-node path graph in one process: the
    second call used to receive the first graph's cached context (34 scores for 40 actors)
    and raised ``ValueError: operands could not be broadcast together``."""
    cache.clear()
    graphs = nx.karate_club_graph(), nx.path_graph(40)
    for G in graphs:
        nx.set_node_attributes(G, "given", "consent")
    karate, path = (snapshot_from_networkx(G) for G in graphs)
    first = suggest_for_actor(karate, "0", limit=5)
    second = suggest_for_actor(path, "0", limit=5)
    assert first.suggestions and second.suggestions
    assert {s.target.actor_id for s in first.suggestions} <= set(karate.ids)
    # on a path, the one candidate is the actor two steps away, introduced by the one between
    assert [
        (s.target.actor_id, s.introduction.introducer.actor_id) for s in second.suggestions
    ] == [("2", "1")]
    # and the karate club's answer is unchanged by the path graph's
    again = suggest_for_actor(karate, "0", limit=5)
    assert [s.target.actor_id for s in again.suggestions] == [
        s.target.actor_id for s in first.suggestions
    ]


def test_in_memory_snapshots_have_distinct_identities() -> None:
    a = snapshot_from_networkx(nx.path_graph(5))
    b = snapshot_from_networkx(nx.path_graph(5))
    assert (a.network_id, a.revision) != (b.network_id, b.revision)
    named = snapshot_from_networkx(nx.path_graph(5), network_id="wijk", revision=3)
    assert (named.network_id, named.revision) == ("wijk", 3)


def test_column_snapshots_have_distinct_identities() -> None:
    """The same rule for :func:`snapshot_from_columns` (synthetic networks in benches and
    tests): two different generated networks never share cached results."""
    from netwerk.columns import snapshot_from_columns
    from netwerk.synth import generate

    small, large = generate(60, seed=1), generate(90, seed=2)
    a = snapshot_from_columns(small.actors, small.ties)
    b = snapshot_from_columns(large.actors, large.ties)
    assert a.network_id.startswith("columns:") and a.network_id != b.network_id
    cache.clear()
    first = suggest_for_actor(a, a.ids[0], limit=3)
    second = suggest_for_actor(b, b.ids[0], limit=3)
    assert {s.target.actor_id for s in first.suggestions} <= set(a.ids)
    assert {s.target.actor_id for s in second.suggestions} <= set(b.ids)
