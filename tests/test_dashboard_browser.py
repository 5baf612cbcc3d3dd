"""The dashboard in a real browser (Debian's chromium, installed by ``./run test``): a viewer
opens the page of a synthetic neighbourhood and sees figures and gaps in Dutch (or English),
and no name of any person."""

from __future__ import annotations

import os
import shutil
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa

from netwerk import synth
from netwerk.store.db import make_engine, make_sessionmaker, transaction
from netwerk.store.migrate import upgrade
from netwerk.store.networks import create_network
from netwerk.store.tables import Actor
from netwerk.store.tokens import create_token
from netwerk.suggest.feedback import record_feedback
from tests.conftest import live_server

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict]:
    if CHROMIUM is None:
        pytest.fail("chromium is missing: ./run test installs Debian's chromium")
    folder = tmp_path_factory.mktemp("dashboard")
    url = f"sqlite:///{folder / 'dash.db'}"
    engine = make_engine(url)
    upgrade(engine)
    factory = make_sessionmaker(engine)
    with transaction(factory) as session:
        nid = create_network(session, name="Browserwijk", area_code="WK036300").id
    with engine.begin() as conn:
        synth.load(conn, nid, synth.generate(400, seed=3, fresh_ids=True))
    with engine.connect() as conn:
        a, b = conn.execute(
            sa.select(Actor.id)
            .where(Actor.network_id == nid, Actor.kind == "resident", Actor.consent == "given")
            .order_by(Actor.id)
            .limit(2)
        ).scalars()
    with transaction(factory) as session:
        viewer = create_token(session, role="viewer", name="dash", networks=[nid]).secret
        admin = create_token(session, role="admin", name="dash-admin").secret
        # one accepted suggestion that led to a new tie: the activation line counts it
        record_feedback(session, nid, source=a, target=b, decision="accepted", outcome="tie_formed")
    with engine.connect() as conn:
        names = list(
            conn.execute(
                sa.select(Actor.name).where(
                    Actor.network_id == nid,
                    Actor.kind.in_(["resident", "key_figure", "professional"]),
                )
            ).scalars()
        )
    engine.dispose()
    with live_server({"NETWERK_DATABASE_URL": url}) as base:
        yield {
            "base": base,
            "nid": nid,
            "viewer": viewer,
            "admin": admin,
            "names": names,
            "folder": folder,
        }


def _render(
    site: dict, query: str = "", screenshot: Path | None = None, role: str = "viewer"
) -> str:
    url = f"{site['base']}/dashboard/{site['nid']}{query}#token={site[role]}"
    profile = site["folder"] / f"profile-{time.monotonic_ns()}"
    flags = [
        CHROMIUM,
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        f"--user-data-dir={profile}",
        "--virtual-time-budget=20000",
        "--window-size=1200,1600",
    ]
    if screenshot is not None:
        subprocess.run(
            [*flags, f"--screenshot={screenshot}", url],
            capture_output=True,
            timeout=120,
            check=False,
        )
    done = subprocess.run(
        [*flags, "--dump-dom", url], capture_output=True, text=True, timeout=120, check=False
    )
    return done.stdout


def test_viewer_sees_aggregates_in_dutch_and_no_names(site: dict) -> None:
    shot = site["folder"] / "dashboard.png"
    dom = _render(site, screenshot=shot)
    assert 'data-loaded="true"' in dom, dom[-2000:]
    assert "Gaten in het netwerk" in dom and "Ontwikkelingsfase" in dom
    assert "Browserwijk" in dom
    assert 'id="login" hidden' in dom or 'id="login" hidden=""' in dom  # token accepted
    # where each kind of gap is: areas with counts, hidden ones as the dot
    assert '<div class="where" data-areas=' in dom and "Waar: " in dom
    leaked = [n for n in site["names"] if n in dom]
    assert not leaked, f"person names on the dashboard: {leaked[:5]}"
    assert shot.exists() and shot.stat().st_size > 10_000
    if keep := os.environ.get("NETWERK_KEEP_SCREENSHOT"):
        shutil.copy(shot, keep)


def test_english_on_request(site: dict) -> None:
    dom = _render(site, "?lang=en")
    assert 'data-loaded="true"' in dom
    assert "Gaps in the network" in dom and "Development stage" in dom


def test_activation_line_counts_an_admins_formed_tie(site: dict) -> None:
    """One accepted suggestion with the outcome ``tie_formed``: the admin reads "1 voorstel
    aangenomen · 1 nieuwe relatie ontstaan", not the suppression dot (issue 9)."""
    dom = _render(site, role="admin")
    assert 'data-loaded="true"' in dom
    assert (
        '<span data-count="accepted"><span class="n">1</span> voorstel aangenomen</span>' in dom
    ), dom[dom.find('id="activation"') :][:400]
    assert (
        '<span data-count="tie_formed"><span class="n">1</span> nieuwe relatie ontstaan</span>'
        in dom
    ), dom[dom.find('id="activation"') :][:400]
    # the viewer sees the same counts, or the dot where they are below the threshold
    viewer = _render(site)
    activation = viewer[viewer.find('id="activation"') :][:400]
    assert 'data-count="tie_formed"><span class="n">•</span>' in activation, activation
