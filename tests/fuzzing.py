"""Schemathesis hooks and checks shared by the suite (tests/test_schema_fuzz.py, derandomised)
and the random exploration (bench/fuzz.py, which prints its seed). Loaded by schemathesis
through ``hooks = "tests.fuzzing"`` in the generated config file.

Two additions to schemathesis' own generation and checks:

* **Hostile strings.** A quarter of the generated path parameters, query strings and JSON
  bodies get one string (a value or an object key) with a character the product refuses:
  NUL, another control character, or a noncharacter XML 1.0 forbids (``netwerk.safetext``).
  The check ``hostile_strings_are_refused`` asserts that a request whose wire form holds such
  a character is answered 422, whatever else is wrong with it.
* **Negative data judged on the wire.** Schemathesis' ``negative_data_rejection`` flags a
  2xx answer to a request generated to violate the schema. But a query or path parameter
  reaches the server as text: the boolean ``true`` drawn for the string parameter ``theme``
  arrives as ``theme=true``, which is a valid theme slug, and the server is right to accept
  it. The rule: a case is a violation only if *what the server received* violates the
  schema. ``negative_data_rejection_on_the_wire`` re-validates the sent URL's parameters
  (each value read as the text it is, or as the number or boolean that text spells, as the
  server reads it) and defers to schemathesis' own check when something in it is still
  invalid, or when the negative part was the JSON body or a header (JSON keeps its types).
"""

from __future__ import annotations

import contextlib
import copy
import json
from functools import cache
from typing import Any
from urllib.parse import parse_qsl, unquote, urlsplit

import jsonschema_rs
import schemathesis
from hypothesis import strategies as st
from schemathesis.generation.meta import CaseMetadata
from schemathesis.specs.openapi.checks import negative_data_rejection

from netwerk.safetext import first_flaw

HOSTILE = ["\x00", "\x1b", "\x7f", "\x85", "\ufffe", "\uffff", "\U0010fffe"]
"""Characters the product refuses. Lone surrogates are left out here: they cannot be encoded
as UTF-8 on the wire; tests/faults/test_input_sweep.py sends them as JSON escapes."""

# -- hostile strings -----------------------------------------------------------------------

Spot = tuple[tuple[Any, ...], bool]  # path to a string inside a JSON value, is it a key?


def _spots(value: Any, path: tuple[Any, ...] = ()) -> list[Spot]:
    if isinstance(value, str):
        return [(path, False)]
    if isinstance(value, list):
        return [s for i, item in enumerate(value) for s in _spots(item, (*path, i))]
    if isinstance(value, dict):
        out: list[Spot] = []
        for key, item in value.items():
            if isinstance(key, str):
                out.append(((*path, key), True))
            out.extend(_spots(item, (*path, key)))
        return out
    return []


def _taint(text: str, char: str) -> str:
    if not text:
        return char
    middle = len(text) // 2
    return text[:middle] + char + text[middle + 1 :]  # same length: maxLength still holds


def _spoil(value: Any, spot: Spot, char: str) -> Any:
    out = copy.deepcopy(value)
    path, is_key = spot
    if not path:
        return _taint(out, char)
    parent = out
    for step in path[:-1]:
        parent = parent[step]
    last = path[-1]
    if is_key:
        parent[_taint(last, char)] = parent.pop(last)
    else:
        parent[last] = _taint(parent[last], char)
    return out


def _hostile(value: Any, *, keys: bool = True) -> Any:
    spots = [spot for spot in _spots(value) if keys or not spot[1]]
    if not spots:
        return st.just(value)
    spoiled = st.tuples(st.sampled_from(spots), st.sampled_from(HOSTILE)).map(
        lambda choice: _spoil(value, *choice)
    )
    return st.integers(0, 3).flatmap(lambda k: spoiled if k == 0 else st.just(value))


@schemathesis.hook
def flatmap_query(context: Any, query: Any) -> Any:
    return _hostile(query)


@schemathesis.hook
def flatmap_path_parameters(context: Any, path_parameters: Any) -> Any:
    return _hostile(path_parameters, keys=False)  # a key here is the parameter's name


@schemathesis.hook
def flatmap_body(context: Any, body: Any) -> Any:
    return _hostile(body)


def _wire_strings(response: Any) -> tuple[list[str], list[str]]:
    """(one-line strings: path and query names and values, multi-line: body strings)."""
    request = response.request
    url = urlsplit(request.url)
    one_line = [unquote(part) for part in url.path.split("/")]
    for name, value in parse_qsl(url.query, keep_blank_values=True):
        one_line += [name, value]
    multi: list[str] = []
    body = request.body
    if body:
        raw = body.decode("utf-8", "replace") if isinstance(body, bytes) else str(body)
        try:
            document = json.loads(raw)
        except ValueError:
            document = None
        stack = [document]
        while stack:
            item = stack.pop()
            if isinstance(item, str):
                multi.append(item)
            elif isinstance(item, list):
                stack.extend(item)
            elif isinstance(item, dict):
                one_line.extend(k for k in item if isinstance(k, str))
                stack.extend(item.values())
    return one_line, multi


@schemathesis.check
def hostile_strings_are_refused(ctx: Any, response: Any, case: Any) -> bool | None:
    """A request holding a character the product refuses is answered 422, naming it."""
    one_line, multi = _wire_strings(response)
    flawed = any(first_flaw(s, multiline=False) for s in one_line) or any(
        first_flaw(s) for s in multi
    )
    if flawed and response.status_code != 422:
        raise AssertionError(
            f"a request with a forbidden character was answered {response.status_code}, not 422"
        )
    return None


# -- negative data judged on the wire ---------------------------------------------------------


@cache
def _validator(schema_json: str) -> Any:
    return jsonschema_rs.validator_for(json.loads(schema_json))


def _resolve(node: Any, root: dict[str, Any], depth: int = 0) -> Any:
    """``node`` with every local ``$ref`` replaced by what it points at."""
    if depth > 20:
        return node
    if isinstance(node, dict):
        ref = node.get("$ref")
        if isinstance(ref, str) and ref.startswith("#/"):
            target: Any = root
            for part in ref[2:].split("/"):
                target = target[part]
            rest = {k: v for k, v in node.items() if k != "$ref"}
            return _resolve({**target, **rest}, root, depth + 1)
        return {k: _resolve(v, root, depth + 1) for k, v in node.items()}
    if isinstance(node, list):
        return [_resolve(v, root, depth + 1) for v in node]
    return node


def _readings(text: str) -> list[Any]:
    """What a server may read a parameter's text as: the text, or the number or boolean it
    spells (FastAPI's reading of query and path parameters)."""
    out: list[Any] = [text]
    with contextlib.suppress(ValueError):
        out.append(int(text))
    with contextlib.suppress(ValueError):
        out.append(float(text))
    low = text.lower()
    if low in ("true", "1", "yes", "on"):
        out.append(True)
    if low in ("false", "0", "no", "off"):
        out.append(False)
    return out


def _accepts(schema: dict[str, Any], instance: Any) -> bool:
    return bool(_validator(json.dumps(schema, sort_keys=True)).is_valid(instance))


def _is_array(schema: dict[str, Any]) -> bool:
    options = schema.get("anyOf") or schema.get("oneOf") or [schema]
    return any(isinstance(o, dict) and o.get("type") == "array" for o in options)


def _param_ok(schema: dict[str, Any], values: list[str], required: bool) -> bool:
    if not values:
        return not required
    if _is_array(schema):
        options = [
            o for o in (schema.get("anyOf") or [schema]) if isinstance(o, dict) and "items" in o
        ]
        for option in options:
            items = option.get("items", {})
            if all(any(_accepts(items, r) for r in _readings(v)) for v in values) and _accepts(
                {k: v for k, v in option.items() if k != "items"}, list(values)
            ):
                return True
        return False
    return any(_accepts(schema, r) for r in _readings(values[-1]))  # the last one wins


def sent_request_conforms(case: Any, response: Any) -> bool:
    """Whether the query and path parameters the server received satisfy the schema."""
    root = case.operation.schema.raw_schema
    operation = root["paths"][case.operation.path][case.operation.method.lower()]
    url = urlsplit(response.request.url)
    query: dict[str, list[str]] = {}
    for name, value in parse_qsl(url.query, keep_blank_values=True):
        query.setdefault(name, []).append(value)
    template = case.operation.path.strip("/").split("/")
    sent = url.path.strip("/").split("/")
    path = {
        t[1:-1]: unquote(s)
        for t, s in zip(template[-len(sent) :], sent[-len(template) :], strict=False)
        if t.startswith("{")
    }
    for param in operation.get("parameters", []):
        param = _resolve(param, root)
        schema = _resolve(param.get("schema", {}), root)
        where, name = param.get("in"), param.get("name")
        if where == "query":
            values = query.get(name, [])
        elif where == "path":
            values = [path[name]] if name in path else []
        else:
            continue
        if not _param_ok(schema, values, bool(param.get("required"))):
            return False
    return True


@schemathesis.check
def negative_data_rejection_on_the_wire(ctx: Any, response: Any, case: Any) -> bool | None:
    """schemathesis' ``negative_data_rejection``, except for cases whose negative part the
    HTTP layer has turned back into valid text (see the module's docstring)."""
    meta: CaseMetadata | None = case.meta
    if meta is not None and meta.generation.mode.is_negative and response.status_code < 400:
        negative_where = {
            str(getattr(loc, "name", loc)).lower()
            for loc, info in meta.components.items()
            if info.mode.is_negative
        }
        if negative_where <= {"query", "path"} and sent_request_conforms(case, response):
            return None
    return negative_data_rejection(ctx, response, case)  # type: ignore[no-any-return]
