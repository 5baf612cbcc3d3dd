"""The layering of the house (issue 11): SQL lives in ``netwerk/store/``, ``netwerk/`` never
imports FastAPI, and ``netwerk.graph`` is a pure in-memory module below the store.

Read from the source with :mod:`ast` (every ``import`` and ``from ... import`` statement,
including those inside functions), so a lazy import cannot hide.
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

ALLOWED_SQLALCHEMY = {
    "api/deps.py": "the API's session dependency (FastAPI's Depends needs the Session type)",
}
"""Modules outside ``netwerk/store/`` allowed to import SQLAlchemy, each with the reason.
(``migrations/`` is outside ``netwerk/`` and ``api/`` and is not scanned.)"""


def _modules() -> list[Path]:
    return sorted(p for d in ("netwerk", "api") for p in (ROOT / d).rglob("*.py"))


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
    return found


def _imports_package(path: Path, package: str) -> bool:
    return any(m == package or m.startswith(package + ".") for m in _imports(path))


def _rel(path: Path) -> str:
    return path.relative_to(ROOT).as_posix()


def test_sqlalchemy_is_imported_only_in_the_store() -> None:
    offenders = [
        _rel(p)
        for p in _modules()
        if not _rel(p).startswith("netwerk/store/")
        and _rel(p) not in ALLOWED_SQLALCHEMY
        and _imports_package(p, "sqlalchemy")
    ]
    assert offenders == [], (
        f"SQL outside netwerk/store/: move it into a store function: {offenders}"
    )


def test_the_exceptions_still_need_sqlalchemy() -> None:
    stale = sorted(
        m
        for m in ALLOWED_SQLALCHEMY
        if not (ROOT / m).exists() or not _imports_package(ROOT / m, "sqlalchemy")
    )
    assert stale == [], f"no longer imports SQLAlchemy: take it off the list: {stale}"


def test_the_store_is_where_sqlalchemy_is() -> None:
    store = [p for p in _modules() if _rel(p).startswith("netwerk/store/")]
    assert sum(_imports_package(p, "sqlalchemy") for p in store) >= 10


def test_netwerk_never_imports_fastapi() -> None:
    offenders = [
        _rel(p)
        for p in _modules()
        if _rel(p).startswith("netwerk/")
        and any(_imports_package(p, pkg) for pkg in ("fastapi", "starlette"))
    ]
    assert offenders == []


def test_graph_and_its_projections_stay_below_the_store() -> None:
    for module in ("netwerk/graph.py", "netwerk/projections.py"):
        imports = _imports(ROOT / module)
        assert not any(m.startswith(("netwerk.store", "sqlalchemy")) for m in imports), module


def test_the_moved_modules_query_through_the_store() -> None:
    """The feedback, the exclusions and the API's name join read through store functions."""
    for module in (
        "netwerk/suggest/feedback.py",
        "netwerk/suggest/exclusions.py",
        "netwerk/exchange/parquet_rows.py",
        "netwerk/cache.py",
        "api/present.py",
    ):
        assert not _imports_package(ROOT / module, "sqlalchemy"), module
