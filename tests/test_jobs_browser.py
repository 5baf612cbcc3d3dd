"""The pages follow a ``202 Accepted`` (issue 12, item 6): on a server that waits a microsecond
for every analysis (``NETWERK_ANALYSIS_TIMEOUT_S``), so that each first answer is a 202 with a
status URL, the dashboard says *De figuren worden berekend…* and then shows the figures, and
a person's page in the workspace shows its suggestions; no script error, no 5xx."""

from __future__ import annotations

from typing import Any

import pytest

from tests.browser_kit import watch_console
from tests.conftest import live_server

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def patient_site(demo_site: dict[str, Any]) -> Any:
    """A second server on the demo's database that answers every analysis with a 202 first."""
    env = {
        "NETWERK_DATABASE_URL": demo_site["url"],
        "NETWERK_RATE_LIMIT_PER_MINUTE": "0",
        "NETWERK_ANALYSIS_TIMEOUT_S": "0.000001",
    }
    with live_server(env) as base:
        yield {**demo_site, "base": base}


def test_the_dashboard_says_it_computes_then_shows_the_figures(
    browser: Any, patient_site: dict[str, Any]
) -> None:
    site = patient_site
    page = browser.new_context(viewport={"width": 1400, "height": 1000}).new_page()
    page.set_default_timeout(60_000)
    errors: list[str] = []
    watch_console(page, errors)
    statuses: list[int] = []
    page.on("response", lambda r: statuses.append(r.status) if "/api/v1/" in r.url else None)
    page.goto(f"{site['base']}/dashboard/{site['nid']}#token={site['tokens']['viewer']}")
    note = page.wait_for_selector("#computing")
    assert "wordt berekend" in note.inner_text() or "worden berekend" in note.inner_text()
    page.wait_for_selector("main[data-ready=true][data-view=dashboard]")
    assert page.query_selector("#computing") is None
    assert page.query_selector("#stamp") is not None
    assert 202 in statuses and 200 in statuses
    assert not [s for s in statuses if s >= 500], statuses
    assert errors == []


def test_a_persons_page_shows_its_suggestions_after_a_202(
    browser: Any, patient_site: dict[str, Any]
) -> None:
    site = patient_site
    page = browser.new_context(viewport={"width": 1400, "height": 1000}).new_page()
    page.set_default_timeout(60_000)
    errors: list[str] = []
    watch_console(page, errors)
    accepted: list[str] = []
    page.on("response", lambda r: accepted.append(r.url) if r.status == 202 else None)
    aid = site["ids"]["lina"]
    page.goto(f"{site['base']}/app/{site['nid']}/actor/{aid}#token={site['tokens']['broker']}")
    page.wait_for_selector("main[data-person=ready]")
    page.wait_for_selector("#suggestion-list article", timeout=60_000)
    assert any("/suggestions" in u for u in accepted), accepted
    assert errors == []
