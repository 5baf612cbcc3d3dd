"""What the browser tests share (tests/test_web_browser.py, tests/test_dashboard_browser.py):
the demo as a new user gets it — ``netwerk demo`` into a fresh SQLite database, a broker's
sign-in link from ``netwerk token create`` — served by a real uvicorn; Debian's chromium
(``executable_path``, never a downloaded browser); and axe-core run inside the page.

The fixtures are registered in tests/conftest.py; they are module-scoped, so each test file
gets its own freshly loaded demo."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
AXE = ROOT / "tests" / "vendor" / "axe-core-4.14.1.min.js"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--use-angle=swiftshader",  # WebGL (sigma.js) without a GPU
    "--enable-unsafe-swiftshader",
]
# the demo's story (netwerk/demo.py), as README.md tells it
STORY_NAMES = {
    "lina": "Lina Haddad",
    "karim": "Karim Bouali",
    "taalcafe": "Taalcafé Kerkstraat",
}
BROKER = "Sanne de Vries"
OTHER_NETWORK = "Tweede wijk"
PERSON_KINDS = ("resident", "key_figure", "professional")


def _cli(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    netwerk = Path(sys.executable).with_name("netwerk")
    done = subprocess.run(
        [str(netwerk), *args],
        env={**os.environ, "NETWERK_LOG_LEVEL": "WARNING", "COLUMNS": "400", **env},
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=600,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return done


def load_demo(folder: Path) -> dict[str, Any]:
    """``netwerk demo`` into a new database, as README.md has a new user do; then the
    tokens the journeys need: a broker's sign-in link (``netwerk token create``), a viewer,
    a researcher, and a second network the broker may switch to."""
    from netwerk.store.db import make_engine, make_sessionmaker, transaction
    from netwerk.store.networks import create_network
    from netwerk.store.tables import Actor
    from netwerk.store.tokens import create_token

    url = f"sqlite:///{folder / 'demo.db'}"
    env = {"NETWERK_DATABASE_URL": url}
    shown = _cli(env, "demo")
    out = shown.stdout + shown.stderr
    nid = re.search(r"/dashboard/(\w+)#token=", out)
    admin = re.search(r"/app#token=(\S+)", out)
    assert nid and admin, out
    engine = make_engine(url)
    factory = make_sessionmaker(engine)
    with transaction(factory) as session:
        other = create_network(session, name=OTHER_NETWORK, area_code="WK036301").id
        tokens = {
            "admin": admin.group(1),
            "viewer": create_token(
                session, role="viewer", name="Wijkteam Noord", networks=[nid.group(1)]
            ).secret,
            "researcher": create_token(
                session, role="researcher", name="Onderzoek UvA", networks=[nid.group(1)]
            ).secret,
            "broker2": create_token(
                session, role="broker", name=BROKER, networks=[nid.group(1), other]
            ).secret,
        }
    made = _cli(env, "token", "create", "--role", "broker", "--network", nid.group(1),
                "--name", BROKER, "--url", "http://demo")  # fmt: skip
    link = re.search(r"http://demo/app#token=(\S+)", made.stdout + made.stderr)
    assert link, made.stderr
    tokens["broker"] = link.group(1)
    with engine.connect() as conn:
        rows = conn.execute(
            sa.select(Actor.id, Actor.name, Actor.kind).where(Actor.network_id == nid.group(1))
        ).all()
    engine.dispose()
    by_name = {n: i for i, n, _ in rows}
    return {
        "url": url,
        "nid": nid.group(1),
        "other_nid": other,
        "tokens": tokens,
        "ids": {key: by_name[name] for key, name in STORY_NAMES.items()},
        "persons": {i: n for i, n, k in rows if k in PERSON_KINDS},
    }


@pytest.fixture(scope="module")
def demo_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    """A freshly loaded demo behind a live server: ``base``, ``nid``, ``tokens`` by role,
    story ``ids``, ``persons`` (id → name), the database ``url``."""
    from tests.conftest import live_server

    if CHROMIUM is None:
        pytest.fail("chromium is missing: ./run test installs Debian's chromium")
    site = load_demo(tmp_path_factory.mktemp("demo"))
    env = {"NETWERK_DATABASE_URL": site["url"], "NETWERK_RATE_LIMIT_PER_MINUTE": "0"}
    with live_server(env) as base:
        yield {**site, "base": base}


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    import playwright.sync_api as playwright_api  # a dev dependency: missing is a failure

    with playwright_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield b
        b.close()


def watch_console(page: Any, problems: list[str]) -> None:
    """Collect script errors and console errors; refused requests (4xx) are part of the
    journeys (a validation error, a refused role), a CSP violation or a 5xx never is."""

    def console(message: Any) -> None:
        if message.type == "error" and not re.search(r"status of 4\d\d", message.text):
            problems.append(message.text)

    page.on("console", console)
    page.on("pageerror", lambda e: problems.append(f"page error: {e}"))


def axe(page: Any, name: str, folder: Path) -> None:
    """axe-core, injected through the DevTools protocol (the page's CSP still holds for the
    page's own scripts): no serious or critical violation of WCAG 2.1 A/AA."""
    page.evaluate(AXE.read_text(encoding="utf-8") + "\n;true")
    result = page.evaluate(
        """async () => (await axe.run(document, {runOnly: {type: 'tag',
            values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}})).violations
            .filter(v => v.impact === 'serious' || v.impact === 'critical')
            .map(v => ({id: v.id, impact: v.impact, help: v.help,
                        nodes: v.nodes.slice(0, 3).map(n => n.target.join(' '))}))"""
    )
    (folder / f"{name}.axe.json").write_text(json.dumps(result, indent=2))
    assert result == [], f"axe on {name}: {result}"
