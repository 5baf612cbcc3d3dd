"""What each role may see of an analysis or suggestion result (DESIGN.md section 6).

The domain returns results with actor ids, kinds and a ``person`` flag, never names.

* Brokers and admins get the names joined in: every ``actor_id`` gains a sibling ``name``,
  every ``<x>_id`` an ``<x>_name``; a person with withdrawn consent appears as a pseudonym.
  The person ids shown are named to the audit log.
* Viewers get aggregates only: every route's domain function has an aggregate view
  (:mod:`netwerk.aggregate.routes`) built from aggregate types, whose person counts are
  marked on the types and suppressed below the network's threshold, with secondary
  suppression in tables (:func:`netwerk.privacy.suppress`). A result that is not an
  aggregate never reaches a viewer (:func:`netwerk.privacy.check_aggregate`), and a
  sentence that names a count hidden beside it is withheld (:func:`withhold`; the sentences
  are marked on the types too, :data:`netwerk.privacy.SAYS`).

The declared response schema of a route is derived from the domain result type and its
viewer type by :func:`response_schema`: counts may be ``null`` (suppressed) and the name
fields appear.
"""

from __future__ import annotations

import functools
import re
import time
from collections.abc import Callable, Hashable
from concurrent.futures import TimeoutError as FutureTimeout
from typing import Any, TypeVar, cast

from fastapi import Request
from fastapi.responses import JSONResponse
from pydantic import TypeAdapter

from api import jobs
from api.deps import Scope, audit_objects, language, release
from netwerk.aggregate import routes as viewer_routes
from netwerk.aggregate import types as views
from netwerk.analysis.bridges import BridgesResult
from netwerk.analysis.brokers import BrokersResult
from netwerk.analysis.centrality import CentralityResult
from netwerk.analysis.communities import CommunitiesResult
from netwerk.analysis.compare import CompareResult
from netwerk.analysis.gaps import GapsResult
from netwerk.analysis.key_figures import KeyFiguresResult
from netwerk.analysis.resilience import WhatIfResult
from netwerk.errors import Timeout
from netwerk.graph import params_key
from netwerk.i18n import text
from netwerk.privacy import SAYS, display_name, is_person, marked_fields
from netwerk.store.actors import actor_labels
from netwerk.store.networks import small_cell_threshold
from netwerk.store.revision import current_revision
from netwerk.store.session import Session
from netwerk.suggest.feedback import FeedbackStats

__all__ = [
    "VIEWER_TYPES",
    "compute",
    "documented",
    "for_broker",
    "network_threshold",
    "response_schema",
    "run",
    "to_data",
]

T = TypeVar("T")

SKIP = {"provenance", "parameters", "thresholds", "sampling", "matrix"}

# What a viewer receives instead of each domain result (summary and stage are aggregates).
VIEWER_TYPES: dict[Any, Any] = {
    CentralityResult: views.CentralityView,
    KeyFiguresResult: views.KeyFiguresView,
    BrokersResult: views.BrokersView,
    BridgesResult: views.BridgesView,
    CommunitiesResult: views.CommunitiesView,
    GapsResult: views.GapsView,
    WhatIfResult: views.WhatIfView,
    CompareResult: views.CompareView,
    FeedbackStats: views.FeedbackStatsView,
}


_ADAPTERS: dict[type, TypeAdapter[Any]] = {}


def _adapter(kind: type) -> TypeAdapter[Any]:
    """One adapter per result type: building one takes ~15 ms (its schema)."""
    adapter = _ADAPTERS.get(kind)
    if adapter is None:
        adapter = _ADAPTERS[kind] = TypeAdapter(kind)
    return adapter


def to_data(result: Any) -> Any:
    """A domain result (frozen dataclasses) as plain JSON data."""
    return _adapter(type(result)).dump_python(result, mode="json")


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
        for aid, name, kind, consent in actor_labels(session, network_id, ids):
            labels[aid] = display_name(aid, kind, consent, name, lang)
            if is_person(kind):
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


def _suppressed(before: Any, after: Any, out: set[int]) -> None:
    """Collect the counts in ``before`` that became ``None`` (suppressed) in ``after``."""
    if isinstance(before, dict) and isinstance(after, dict):
        for k, v in before.items():
            if k in after:
                _suppressed(v, after[k], out)
    elif isinstance(before, int) and not isinstance(before, bool) and after is None:
        out.add(before)


def _is_text(key: str, value: Any, texts: frozenset[str]) -> bool:
    if key not in texts:
        return False
    return isinstance(value, str) or (
        isinstance(value, list) and all(isinstance(x, str) for x in value) and bool(value)
    )


def _names_a_count(sentence: str, counts: set[int]) -> bool:
    return any(int(n) in counts for n in re.findall(r"(?<![\d.,])\d+(?![\d.,]\d)", sentence))


def withhold(before: Any, after: Any, lang: str, texts: frozenset[str]) -> Any:
    """``after`` (a view once suppressed) with every sentence that names a count suppressed
    beside it (compared with ``before``, the same view unsuppressed) replaced by
    ``summary.withheld``: the words must not give back what the figures hide. ``texts``: the
    fields that are such sentences, as the view's type marks them
    (:data:`netwerk.privacy.SAYS`, read with :func:`netwerk.privacy.marked_fields`)."""
    withheld = text("summary.withheld", lang)

    def walk(b: Any, a: Any) -> Any:
        if isinstance(a, dict) and isinstance(b, dict):
            out = {k: (v if k in SKIP else walk(b.get(k), v)) for k, v in a.items()}
            hidden: set[int] = set()
            for k, v in b.items():
                if k in a and k not in SKIP and not _is_text(k, v, texts):
                    _suppressed(v, a[k], hidden)
            for k in texts & set(out):
                if isinstance(out[k], str) and _names_a_count(out[k], hidden):
                    out[k] = withheld
                elif isinstance(out[k], list):
                    out[k] = [
                        withheld if isinstance(x, str) and _names_a_count(x, hidden) else x
                        for x in out[k]
                    ]
            return out
        if isinstance(a, list) and isinstance(b, list) and len(a) == len(b):
            return [walk(x, y) for x, y in zip(b, a, strict=True)]
        return a

    return walk(before, after)


def network_threshold(session: Session, network_id: str) -> int:
    return small_cell_threshold(session, network_id) or 5


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
    result_type: Any,
    description: str,
    status: int = 200,
    headers: dict[str, Any] | None = None,
) -> dict[int | str, dict[str, Any]]:
    """``responses=`` for a route returning ``result_type`` through this module: that type for
    brokers and admins, its aggregate view (when viewers may call the route) for viewers;
    with ``headers`` documented when given."""
    schema = response_schema(result_type)
    viewer_type = VIEWER_TYPES.get(result_type)
    if viewer_type is not None and viewer_type is not result_type:
        viewer = response_schema(viewer_type)
        schema = {
            "anyOf": [
                {**schema, "title": f"{schema.get('title', 'Result')} (brokers, admins)"},
                {**viewer, "title": f"{viewer.get('title', 'View')} (viewers)"},
            ]
        }
    response: dict[str, Any] = {
        "description": description,
        "content": {"application/json": {"schema": schema}},
    }
    if headers:
        response["headers"] = headers
    return {status: response}


# --- running a domain call for a route ---------------------------------------------------


def show(request: Request, session: Session, s: Scope, result: Any, lang: str) -> JSONResponse:
    """A domain result as the caller's role may see it. For a viewer the result must be an
    aggregate already (see :func:`respond`); it is suppressed here, and a sentence that
    names a hidden count is withheld."""
    if s.sees_persons:
        data, persons = for_broker(to_data(result), session, s.network_id, lang)
        audit_objects(request, persons)
        return JSONResponse(data)
    view = viewer_routes.present(result, network_threshold(session, s.network_id))
    texts = marked_fields(type(view), SAYS)
    return JSONResponse(withhold(to_data(result), to_data(view), lang, texts))


def compute(
    request: Request,
    session: Session,
    s: Scope,
    timeout: float,
    fn: Callable[..., Any],
    **params: Any,
) -> tuple[Any, str]:
    """Run a read-only analysis within the request's wait (in one of the app's analysis
    threads, on the app's engine): for a viewer the route's aggregate view of it. Returns the
    result and the language of the answer.

    When it is not done within ``timeout`` seconds it goes on: a resumable route
    (:mod:`api.jobs`) answers ``202 Accepted`` with its status URL (:class:`api.jobs.Accepted`),
    any other route a ``503`` problem (:class:`~netwerk.errors.Timeout`). A replay of the
    route by its status URL waits at most :data:`api.jobs.POLL_WAIT_S` and joins the
    computation of its job when that still runs in this process.

    The request's session gives its connection back first: the analysis thread needs one of
    its own, and a request that held one while waiting for another jammed the pool as soon as
    as many requests were in flight as the pool had connections."""
    lang = language(request, params.pop("lang", None))
    if not s.sees_persons:  # viewers: the route's aggregate view, never the person rows
        params["threshold"] = network_threshold(session, s.network_id)
        if "fresh" in params:  # joined with the current snapshot: never a stale result
            params["fresh"] = True
        fn = viewer_routes.for_viewer(fn)
    call = functools.partial(fn, request.app.state.engine, s.network_id, lang=lang, **params)
    key = (fn, lang, params_key(params))
    return run(request, session, s, timeout, key, call), lang


def run(
    request: Request,
    session: Session,
    s: Scope,
    timeout: float,
    key: Hashable,
    call: Callable[[], T],
) -> T:
    """``call()`` in one of the app's analysis threads, waited for at most ``timeout`` seconds
    (a replay by a status URL: at most :data:`api.jobs.POLL_WAIT_S`); ``key`` names the
    computation with its parameters (the network, its revision and the role's view are added
    here). Not done in time: :class:`api.jobs.Accepted` for a resumable route, else
    :class:`~netwerk.errors.Timeout`. Gives the session's connection back before it waits."""
    started = time.time()
    job = jobs.job_for(request, s.network_id, started)
    replay = jobs.JOB_SCOPE_KEY in request.scope
    flight = None
    if job is not None:  # one computation per revision, role view and parameters
        revision = current_revision(session, s.network_id)
        flight = (key, s.network_id, revision, s.sees_persons)
    release(session)
    pool = request.app.state.analysis_pool
    if flight is None:
        future = pool.submit(call)
    else:
        future = request.app.state.flights.submit(pool, flight, call, join=replay)
    try:
        return cast(T, future.result(timeout=min(timeout, jobs.POLL_WAIT_S) if replay else timeout))
    except FutureTimeout:
        if job is not None and flight is not None:
            request.app.state.flights.abandon(flight, future)
            raise jobs.Accepted(job, s.network_id) from None
        raise Timeout(
            f"the analysis took longer than {timeout:g} s; it goes on in the "
            "background and a repeat of this request will be answered from the "
            "cache"
        ) from None


def respond(
    request: Request,
    session: Session,
    s: Scope,
    timeout: float,
    fn: Callable[..., Any],
    **params: Any,
) -> JSONResponse:
    """:func:`compute`, then present the result for the caller's role, with the revision
    headers of :data:`REVISION_HEADERS` when the result has a provenance."""
    result, lang = compute(request, session, s, timeout, fn, **params)
    response = show(request, session, s, result, lang)
    provenance = getattr(result, "provenance", None)
    if provenance is not None:
        current = provenance.current_revision
        response.headers["X-Netwerk-Revision"] = str(provenance.revision)
        response.headers["X-Netwerk-Current-Revision"] = str(
            provenance.revision if current is None else current
        )
        response.headers["X-Netwerk-Stale"] = "true" if provenance.stale else "false"
    return response


REVISION_HEADERS: dict[str, Any] = {
    "X-Netwerk-Stale": {
        "description": "true when the result is of the revision before the last write and "
        "the current one is being computed (ask again, or pass fresh=true to wait)",
        "schema": {"type": "string", "enum": ["true", "false"]},
    },
    "X-Netwerk-Revision": {
        "description": "the network revision the result was computed from",
        "schema": {"type": "integer"},
    },
    "X-Netwerk-Current-Revision": {
        "description": "the network's revision when answered",
        "schema": {"type": "integer"},
    },
}
"""The response headers of an analysis result (documented on every analysis route)."""
