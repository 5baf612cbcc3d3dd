"""The pages a newcomer opens first, in a real browser without internet: the API docs
(/docs, /redoc) and the dashboard with a wrong token."""

from __future__ import annotations

import re
import shutil
import subprocess
import time
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from netwerk.store.db import make_engine, make_sessionmaker, transaction
from netwerk.store.migrate import upgrade
from netwerk.store.networks import create_network
from tests.conftest import live_server

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


def test_docs_pages_use_only_local_assets_and_no_inline_script(client: TestClient) -> None:
    for page in ("/docs", "/redoc"):
        r = client.get(page)
        assert r.status_code == 200
        csp = r.headers["content-security-policy"]
        assert "script-src 'self';" in csp and "unsafe-eval" not in csp
        assert "'unsafe-inline'" not in csp.split("script-src")[1].split(";")[0]
        scripts = re.findall(r"<script([^>]*)>(.*?)</script>", r.text, re.S)
        assert scripts and all('src="/' in attrs and not body.strip() for attrs, body in scripts)
        assert "http" not in " ".join(re.findall(r'(?:src|href)="([^"]*)"', r.text))
    for asset in (
        "/docs-static/vendor/swagger-ui-bundle.js",
        "/docs-static/vendor/swagger-ui.css",
        "/docs-static/vendor/redoc.standalone.js",
        "/docs-static/swagger-init.js",
    ):
        got = client.get(asset)
        assert got.status_code == 200 and len(got.content) > 300, asset


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict]:
    if CHROMIUM is None:
        pytest.fail("chromium is missing: ./run test installs Debian's chromium")
    folder = tmp_path_factory.mktemp("first-run")
    url = f"sqlite:///{folder / 'first.db'}"
    engine = make_engine(url)
    upgrade(engine)
    with transaction(make_sessionmaker(engine)) as session:
        nid = create_network(session, name="Eerste keer").id
    engine.dispose()
    with live_server({"NETWERK_DATABASE_URL": url}) as base:
        yield {"base": base, "nid": nid, "folder": folder}


def _dom(site: dict, url: str) -> str:
    profile = site["folder"] / f"profile-{time.monotonic_ns()}"
    done = subprocess.run(
        [
            CHROMIUM or "chromium",
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            # no internet: every host but the local server fails to resolve
            "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
            f"--user-data-dir={profile}",
            "--virtual-time-budget=20000",
            "--window-size=1200,1600",
            "--dump-dom",
            url,
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    return done.stdout


@pytest.mark.slow
def test_swagger_ui_and_redoc_render_without_internet(site: dict) -> None:
    swagger = _dom(site, f"{site['base']}/docs")
    assert "swagger-ui" in swagger and "opblock" in swagger, swagger[-1500:]
    assert "/api/v1/networks" in swagger
    redoc = _dom(site, f"{site['base']}/redoc")
    assert "Spinnen in het web" in redoc and "api-content" in redoc, redoc[-1500:]


@pytest.mark.slow
def test_a_refused_token_on_the_dashboard_is_said_so(site: dict) -> None:
    dom = _dom(site, f"{site['base']}/dashboard/{site['nid']}#token=nw_geen-echt-token")
    assert 'data-refused="true"' in dom, dom[-1500:]
    assert "Dit token is geweigerd" in dom
    english = _dom(site, f"{site['base']}/dashboard/{site['nid']}?lang=en#token=nw_wrong")
    assert "This token was refused" in english
