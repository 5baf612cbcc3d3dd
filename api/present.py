"""What each role may see of an analysis or suggestion result (DESIGN.md section 6).

The domain returns results with actor ids, kinds and a ``person`` flag, never names.

* Brokers and admins get the names joined in: every ``actor_id`` gains a sibling ``name``,
  every ``<x>_id`` an ``<x>_name``; a person with withdrawn consent appears as a pseudonym.
  The person ids shown are named to the audit log.
* Viewers get aggregates: every list entry about a person (``person: true``, a person at
  either end of a tie, or a person nested in the entry) is removed, and every count that could
  be a count of persons is suppressed below the network's threshold — directly, and in maps
  of counts by secondary suppression, so that no small count can be recomputed by
  subtraction (:func:`netwerk.privacy.suppress_counts`).

The declared response schema of a route is derived from the domain result type by
:func:`response_schema`: counts may be ``null`` (suppressed) and the name fields appear.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from typing import Any

import sqlalchemy as sa
from fastapi import Request
from fastapi.responses import JSONResponse
from pydantic import TypeAdapter
from sqlalchemy.orm import Session

from api.deps import Scope, audit_objects, language
from netwerk.errors import Timeout
from netwerk.i18n import text
from netwerk.model import PERSON_KINDS
from netwerk.privacy import anonymous_label, suppress_counts
from netwerk.store.tables import Actor, Network

__all__ = [
    "documented",
    "for_broker",
    "for_viewer",
    "network_threshold",
    "response_schema",
    "to_data",
]

PERSON_KIND_VALUES = {k.value for k in PERSON_KINDS}

# Integers that are never counts of persons: positions, identifiers, parameters, structure.
STRUCTURAL = {
    "rank",
    "community",
    "a",
    "b",
    "number",
    "steps",
    "revision",
    "seed",
    "pivots",
    "batches",
    "iterations",
    "reach",
    "min_size",
    "limit",
    "top",
    "core_k",
    "hub_threshold",
    "components",
    "components_before",
    "components_after",
    "count",
    "community_parts_before",
    "community_parts_after",
    "candidate_help_distance",
    "weight",
    "score",
    "communities",
    "lost_community_links",
}
SKIP = {"provenance", "parameters", "thresholds", "sampling", "matrix"}


def to_data(result: Any) -> Any:
    """A domain result (frozen dataclasses) as plain JSON data."""
    return TypeAdapter(type(result)).dump_python(result, mode="json")


def _id_fields(node: Any, out: set[str]) -> None:
    if isinstance(node, dict):
        for key, value in node.items():
            if key in SKIP:
                continue
            if key.endswith("_id") and key != "network_id" and isinstance(value, str):
                out.add(value)
            else:
                _id_fields(value, out)
    elif isinstance(node, list):
        for item in node:
            _id_fields(item, out)


def _name_key(id_key: str) -> str:
    return "name" if id_key == "actor_id" else id_key[: -len("_id")] + "_name"


def for_broker(data: Any, session: Session, network_id: str, lang: str) -> tuple[Any, list[str]]:
    """Join names in; returns the data and the person ids it shows (for the audit log)."""
    ids: set[str] = set()
    _id_fields(data, ids)
    labels: dict[str, str] = {}
    persons: list[str] = []
    if ids:
        rows = session.execute(
            sa.select(Actor.id, Actor.name, Actor.kind, Actor.consent).where(
                Actor.network_id == network_id, Actor.id.in_(sorted(ids))
            )
        ).all()
        for aid, name, kind, consent in rows:
            labels[aid] = anonymous_label(aid, lang) if consent == "withdrawn" else name
            if kind in PERSON_KIND_VALUES:
                persons.append(aid)

    def walk(node: Any) -> Any:
        if isinstance(node, dict):
            out = {}
            for key, value in node.items():
                out[key] = value if key in SKIP else walk(value)
                if key.endswith("_id") and key != "network_id" and isinstance(value, str):
                    out[_name_key(key)] = labels.get(value)
            return out
        if isinstance(node, list):
            return [walk(v) for v in node]
        return node

    return walk(data), persons


def _about_a_person(item: Any) -> bool:
    if not isinstance(item, dict):
        return False
    if item.get("person") is True or item.get("person_pair") is True:
        return True
    if (
        item.get("source_kind") in PERSON_KIND_VALUES
        or item.get("target_kind") in PERSON_KIND_VALUES
    ):
        return True
    return any(isinstance(v, dict) and v.get("person") is True for v in item.values())


def _small(value: Any, threshold: int) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and 0 < value < threshold


TEXTS = {"sentence", "summary", "explanation", "reasons"}
"""Sentences (or lists of them) that may restate the counts beside them in words
(``4 bewoners``): a viewer gets one only when it names none of the counts suppressed there."""


def _suppressed(before: Any, after: Any, out: set[int]) -> None:
    """Collect the counts in ``before`` that became ``None`` (suppressed) in ``after``."""
    if isinstance(before, dict) and isinstance(after, dict):
        for k, v in before.items():
            if k in after:
                _suppressed(v, after[k], out)
    elif isinstance(before, int) and not isinstance(before, bool) and after is None:
        out.add(before)


def _is_text(key: str, value: Any) -> bool:
    if key not in TEXTS:
        return False
    return isinstance(value, str) or (
        isinstance(value, list) and all(isinstance(x, str) for x in value) and bool(value)
    )


def _names_a_count(sentence: str, counts: set[int]) -> bool:
    return any(int(n) in counts for n in re.findall(r"(?<![\d.,])\d+(?![\d.,]\d)", sentence))


def for_viewer(data: Any, threshold: int, lang: str = "nl") -> Any:
    """Remove person entries and suppress small counts; a sentence that names a count
    suppressed beside it is withheld (``summary.withheld``)."""
    withheld = text("summary.withheld", lang)

    def walk(node: Any, key: str | None = None) -> Any:
        if isinstance(node, dict):
            values = [v for v in node.values()]
            if (
                values
                and all(isinstance(v, int) and not isinstance(v, bool) for v in values)
                and key not in SKIP
            ):
                cells = suppress_counts(list(node.items()), threshold)
                return {c.label: c.count for c in cells}
            out = {k: (v if k in SKIP or _is_text(k, v) else walk(v, k)) for k, v in node.items()}
            hidden: set[int] = set()
            for k, v in node.items():
                if k not in SKIP and not _is_text(k, v):
                    _suppressed(v, out[k], hidden)
            for k in TEXTS & set(out):
                if isinstance(out[k], str) and _names_a_count(out[k], hidden):
                    out[k] = withheld
                elif isinstance(out[k], list):
                    out[k] = [
                        withheld if isinstance(x, str) and _names_a_count(x, hidden) else x
                        for x in out[k]
                    ]
            return out
        if isinstance(node, list):
            return [walk(v, key) for v in node if not _about_a_person(v)]
        if key not in STRUCTURAL and _small(node, threshold):
            return None
        return node

    return walk(copy.deepcopy(data))


def network_threshold(session: Session, network_id: str) -> int:
    value = session.scalar(sa.select(Network.small_cell_threshold).where(Network.id == network_id))
    return int(value or 5)


# --- schema -----------------------------------------------------------------------------


def _inline(schema: Any, defs: dict[str, Any]) -> Any:
    if isinstance(schema, dict):
        ref = schema.get("$ref")
        if isinstance(ref, str) and ref.startswith("#/$defs/"):
            return _inline(defs[ref.split("/")[-1]], defs)
        return {k: _inline(v, defs) for k, v in schema.items() if k != "$defs"}
    if isinstance(schema, list):
        return [_inline(v, defs) for v in schema]
    return schema


def _widen(schema: Any) -> Any:
    """Counts may be suppressed (null); names are added beside ids."""
    if isinstance(schema, dict):
        out = {k: _widen(v) for k, v in schema.items()}
        prefix = out.pop("prefixItems", None)
        if isinstance(prefix, list):
            # a fixed-length tuple: one item schema (tools differ in reading prefixItems)
            distinct = [p for i, p in enumerate(prefix) if p not in prefix[:i]]
            out["items"] = distinct[0] if len(distinct) == 1 else {"anyOf": distinct}

        if out.get("type") in ("integer", "number"):
            widened: dict[str, Any] = {
                "anyOf": [{k: v for k, v in out.items() if k != "title"}, {"type": "null"}]
            }
            if "title" in out:
                widened["title"] = out["title"]
            return widened
        props = out.get("properties")
        if isinstance(props, dict):
            extra: dict[str, Any] = {}
            for key in props:
                if key.endswith("_id") and key != "network_id":
                    extra[_name_key(key)] = {
                        "anyOf": [{"type": "string"}, {"type": "null"}],
                        "description": "joined in for brokers and admins",
                    }
            props.update(extra)
            if "additionalProperties" in out and isinstance(out["additionalProperties"], dict):
                out["additionalProperties"] = _widen(out["additionalProperties"])
        return out
    if isinstance(schema, list):
        return [_widen(v) for v in schema]
    return schema


def response_schema(result_type: Any) -> dict[str, Any]:
    raw = TypeAdapter(result_type).json_schema(mode="serialization")
    return dict(_widen(_inline(raw, raw.get("$defs", {}))))


def documented(
    result_type: Any, description: str, status: int = 200
) -> dict[int | str, dict[str, Any]]:
    """``responses=`` for a route returning ``result_type`` through this module."""
    schema = response_schema(result_type)
    return {
        status: {"description": description, "content": {"application/json": {"schema": schema}}}
    }


# --- running a domain call for a route ---------------------------------------------------

_pool = ThreadPoolExecutor(max_workers=4, thread_name_prefix="analysis")


def show(request: Request, session: Session, s: Scope, result: Any, lang: str) -> JSONResponse:
    """A domain result as the caller's role may see it."""
    data = to_data(result)
    if s.sees_persons:
        data, persons = for_broker(data, session, s.network_id, lang)
        audit_objects(request, persons)
    else:
        data = for_viewer(data, network_threshold(session, s.network_id), lang)
    return JSONResponse(data)


def respond(
    request: Request,
    session: Session,
    s: Scope,
    timeout: float,
    fn: Callable[..., Any],
    **params: Any,
) -> JSONResponse:
    """Run a read-only analysis within the time limit (in a worker thread, on the app's
    engine) and present it for the caller's role."""
    lang = language(request, params.pop("lang", None))
    future = _pool.submit(fn, request.app.state.engine, s.network_id, lang=lang, **params)
    try:
        result = future.result(timeout=timeout)
    except FutureTimeout:
        raise Timeout(
            f"the analysis took longer than {timeout:g} s; it goes on in the "
            "background and a repeat of this request will be answered from the "
            "cache"
        ) from None
    return show(request, session, s, result, lang)
