"""The library's docstring examples: every public analysis function has one, pytest runs
them (``--doctest-modules`` over ``netwerk/`` in pyproject's pytest options), and importing
any module of the library to collect them has no side effects and needs no database."""

from __future__ import annotations

import ast
import os
import subprocess
import sys
from pathlib import Path

import pytest

import netwerk

ROOT = Path(netwerk.__file__).parent
# functions that take a database (an Engine or Connection) rather than a snapshot: their
# examples are the README's; each has a snapshot twin with an example
NEEDS_A_DATABASE = {("compare.py", "compare")}
WHOLE_MODULES_ON_A_DATABASE = {"service.py"}


def _public_functions(path: Path) -> list[str]:
    """Functions defined in ``path`` and named in its ``__all__``."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: list[str] = []
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(
            isinstance(t, ast.Name) and t.id == "__all__" for t in node.targets
        ):
            names = [e.value for e in node.value.elts if isinstance(e, ast.Constant)]  # type: ignore[attr-defined]
    return [
        node.name for node in tree.body if isinstance(node, ast.FunctionDef) and node.name in names
    ]


ANALYSIS = sorted(
    (path.name, name)
    for path in (ROOT / "analysis").glob("*.py")
    if path.name not in WHOLE_MODULES_ON_A_DATABASE
    for name in _public_functions(path)
    if (path.name, name) not in NEEDS_A_DATABASE
)


def test_the_doctest_run_is_configured() -> None:
    import tomllib

    options = tomllib.loads((ROOT.parent / "pyproject.toml").read_text())["tool"]["pytest"][
        "ini_options"
    ]
    assert "--doctest-modules" in options["addopts"].split()
    assert "netwerk" in options["testpaths"]
    assert len(ANALYSIS) > 20


@pytest.mark.parametrize(("module", "name"), ANALYSIS)
def test_every_public_analysis_function_has_an_example(module: str, name: str) -> None:
    import importlib

    fn = getattr(importlib.import_module(f"netwerk.analysis.{module[:-3]}"), name)
    assert ">>> " in (fn.__doc__ or ""), f"{module}: {name} has no docstring example"


def test_the_library_entry_points_have_examples() -> None:
    from netwerk.graph import snapshot_from_networkx
    from netwerk.synth import generate

    for fn in (snapshot_from_networkx, generate):
        assert ">>> " in (fn.__doc__ or ""), fn.__name__


def test_importing_every_module_has_no_side_effects(tmp_path: Path) -> None:
    """In a fresh process whose database is unreachable and whose home, data and working
    directories are empty: every module of ``netwerk`` imports, and nothing is written."""
    home, work = tmp_path / "home", tmp_path / "work"
    home.mkdir()
    work.mkdir()
    code = (
        "import importlib, pkgutil, netwerk\n"
        "names = [m.name for m in pkgutil.walk_packages(netwerk.__path__, 'netwerk.')\n"
        "         if not m.name.endswith('__main__')]\n"
        "for name in names: importlib.import_module(name)\n"
        "print(len(names))\n"
    )
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith("NETWERK_") and key != "PROMETHEUS_MULTIPROC_DIR"
    }
    env.update(
        HOME=str(home),
        XDG_DATA_HOME=str(home / "data"),
        XDG_CONFIG_HOME=str(home / "config"),
        XDG_CACHE_HOME=str(home / "cache"),
        # a database that is not there: an import that connected would fail
        NETWERK_DATABASE_URL="postgresql://nobody@127.0.0.1:9/none",
    )
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=work, env=env, capture_output=True, text=True
    )
    assert out.returncode == 0, out.stderr
    assert int(out.stdout) > 100
    assert not any(home.iterdir()) and not any(work.iterdir())
