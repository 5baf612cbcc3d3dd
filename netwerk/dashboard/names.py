"""Broker names of dashboard groups, and how a name follows its group across revisions.

Leiden numbers its communities afresh on every revision, so a name cannot be stored under a
community number. It is stored with the group's members at the moment it was named; on
every later revision each stored name goes to the current group with the largest Jaccard
overlap ``|A ∩ B| / |A ∪ B|`` with those members, if that overlap is at least
:data:`MIN_OVERLAP`, best matches first and one name per group (the greedy matching used to
track communities over time by Greene, Doyle and Cunningham 2010). Complexity: O(N·G) set
operations for N stored names and G groups.

Reference: Greene D., Doyle D., Cunningham P. (2010) Tracking the evolution of communities
in dynamic social networks. ASONAM 2010:176-183. doi:10.1109/ASONAM.2010.17.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from netwerk.errors import ValidationFailed
from netwerk.model import new_id
from netwerk.store.group_names import (
    add_group_name,
    delete_group_names,
    group_members,
    group_names,
    set_group_members,
)
from netwerk.store.session import Conn, Session

__all__ = [
    "MIN_OVERLAP",
    "StoredName",
    "clean_name",
    "erase_member",
    "forget",
    "match",
    "store",
    "stored",
]

MIN_OVERLAP = 0.5
MAX_LENGTH = 80


@dataclass(frozen=True)
class StoredName:
    id: str
    name: str
    members: frozenset[str]


def clean_name(name: str) -> str:
    value = " ".join(str(name).split())
    if not value:
        raise ValidationFailed("name", "a group name may not be empty")
    if len(value) > MAX_LENGTH:
        raise ValidationFailed("name", f"at most {MAX_LENGTH} characters")
    if any(ord(ch) < 32 for ch in value):
        raise ValidationFailed("name", "no control characters")
    return value


def overlap(a: frozenset[str], b: frozenset[str]) -> float:
    union = len(a | b)
    return len(a & b) / union if union else 0.0


def match(
    names: Sequence[StoredName], groups: Mapping[int, frozenset[str]]
) -> dict[int, StoredName]:
    """Stored names to current groups (see the module doc)."""
    scored = []
    for n in names:
        for g, members in groups.items():
            score = overlap(n.members, members)
            if score >= MIN_OVERLAP:
                scored.append((-score, n.id, g, n))
    scored.sort(key=lambda x: (x[0], x[1], x[2]))
    taken_names: set[str] = set()
    out: dict[int, StoredName] = {}
    for _, nid, g, n in scored:
        if g in out or nid in taken_names:
            continue
        out[g] = n
        taken_names.add(nid)
    return out


def stored(session: Conn, network_id: str) -> list[StoredName]:
    rows = group_names(session, network_id)
    return [StoredName(i, n, frozenset(m or ())) for i, n, m in rows]


def forget(session: Session, network_id: str, members: frozenset[str]) -> int:
    """Drop the stored names that belong to the group with these members; how many."""
    gone = [n.id for n in stored(session, network_id) if overlap(n.members, members) >= MIN_OVERLAP]
    if gone:
        delete_group_names(session, gone)
    return len(gone)


def store(
    session: Session,
    network_id: str,
    *,
    name: str,
    members: frozenset[str],
    revision: int,
    token_id: str | None,
) -> str:
    """Name the group with these members (replacing its earlier name); the new row's id."""
    value = clean_name(name)
    forget(session, network_id, members)
    return add_group_name(
        session,
        id=new_id(),
        network_id=network_id,
        name=value,
        members=sorted(members),
        revision=revision,
        token_id=token_id,
    )


def erase_member(session: Session, network_id: str, actor_id: str) -> int:
    """Erasure (DESIGN.md 6): drop an erased actor from every stored group; how many rows
    changed. The name keeps following the group by the members that remain."""
    changed = 0
    for row_id, members in group_members(session, network_id):
        if actor_id in (members or ()):
            kept = [m for m in members or () if m != actor_id]
            set_group_members(session, row_id, kept)
            changed += 1
    return changed
