"""Dependencies cannot change under the suite unannounced: every direct dependency has a lower
and an upper bound, CI installs the exact versions of requirements.lock (./run install), the
lock covers every direct dependency within its bounds, and the test client runs on its
supported transport (httpx2) without a deprecation warning."""

from __future__ import annotations

import subprocess
import sys
import tomllib
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parents[1]


def _direct() -> list[Requirement]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    names = [*project["dependencies"], *project["optional-dependencies"]["dev"]]
    return [Requirement(r) for r in names]


def _locked() -> dict[str, str]:
    pins: dict[str, str] = {}
    for line in (ROOT / "requirements.lock").read_text().splitlines():
        line = line.split("#")[0].strip()
        if "==" in line:
            name, version = line.split(";")[0].strip().split("==")
            pins[canonicalize_name(name)] = version.strip()
    return pins


def test_every_direct_dependency_has_a_lower_and_an_upper_bound() -> None:
    for req in _direct():
        ops = {spec.operator for spec in req.specifier}
        assert ops & {">=", ">", "==", "~="}, f"{req}: no lower bound"
        assert ops & {"<", "<=", "==", "~="}, f"{req}: no upper bound"


def test_the_lock_pins_every_direct_dependency_within_its_bounds() -> None:
    pins = _locked()
    for req in _direct():
        name = canonicalize_name(req.name)
        assert name in pins, f"{req.name} is not in requirements.lock: run ./run lock"
        assert req.specifier.contains(pins[name], prereleases=True), (
            f"requirements.lock has {req.name}=={pins[name]}, outside {req.specifier}: "
            "run ./run lock"
        )


def test_the_test_client_uses_its_supported_transport() -> None:
    done = subprocess.run(
        [
            sys.executable,
            "-W",
            "error::starlette.exceptions.StarletteDeprecationWarning",
            "-c",
            "import fastapi.testclient",
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr


def test_install_and_lock_are_verbs_of_run() -> None:
    run = (ROOT / "run").read_text()
    assert 'pip install -q -r "$LOCK"' in run and 'uv" pip compile' in run
