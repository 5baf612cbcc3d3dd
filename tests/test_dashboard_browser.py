"""The wijkteam dashboard in a real browser (Playwright for Python driving Debian's chromium),
on a freshly loaded demo (``netwerk demo``; :mod:`tests.browser_kit`), for a viewer and for a
broker: the viewer's map draws no person and no count below the threshold (checked against
the database); groups carry readable names, never a bare CBS code; the monthly charts carry
the compare route's figures; a broker's gap opens exactly those people in the workspace; a
wrong token is refused in words; the print view has the map on page 1; axe-core finds no
serious or critical violation. Screenshots in Dutch and English at 1400 and 390 px are kept
under ``test-artifacts/dashboard/``."""

from __future__ import annotations

import io
import re
from pathlib import Path
from typing import Any

import httpx
import pypdf
import pytest
import sqlalchemy as sa

from netwerk.store.db import make_engine, make_sessionmaker, transaction
from netwerk.store.tables import Actor
from netwerk.suggest.feedback import record_feedback
from tests.browser_kit import axe, watch_console

ROOT = Path(__file__).resolve().parents[1]
ARTIFACTS = ROOT / "test-artifacts" / "dashboard"
CBS = re.compile(r"\b(GM\d{4}|WK\d{6}|BU\d{8})\b")
pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def site(demo_site: dict[str, Any]) -> dict[str, Any]:
    """The demo, with one accepted suggestion that led to a new tie (the activation line)."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    nid = demo_site["nid"]
    engine = make_engine(demo_site["url"])
    with engine.connect() as conn:
        a, b = conn.execute(
            sa.select(Actor.id)
            .where(Actor.network_id == nid, Actor.kind == "resident", Actor.consent == "given")
            .order_by(Actor.id)
            .limit(2)
        ).scalars()
    with transaction(make_sessionmaker(engine)) as session:
        record_feedback(session, nid, source=a, target=b, decision="accepted", outcome="tie_formed")
    engine.dispose()
    return demo_site


def _open(browser: object, site: dict, role: str, *, width: int = 1400, lang: str = "nl") -> object:
    context = browser.new_context(viewport={"width": width, "height": 1000})  # type: ignore[attr-defined]
    page = context.new_page()
    page.set_default_timeout(60_000)
    errors: list[str] = []
    watch_console(page, errors)
    page.errors = errors  # type: ignore[attr-defined]
    page.goto(f"{site['base']}/dashboard/{site['nid']}?lang={lang}#token={site['tokens'][role]}")
    page.wait_for_selector("main[data-ready=true][data-view=dashboard]")
    return page


def _axe(page: object, name: str) -> None:
    axe(page, name, ARTIFACTS)


def _api(site: dict, path: str, role: str = "broker", **params: object) -> dict:
    r = httpx.get(
        f"{site['base']}/api/v1/networks/{site['nid']}{path}",
        params=params,  # type: ignore[arg-type]
        headers={"Authorization": f"Bearer {site['tokens'][role]}"},
        timeout=120,
    )
    assert r.status_code == 200, r.text
    return r.json()


def test_viewer_map_has_no_person_and_no_small_count(browser: object, site: dict) -> None:
    page = _open(browser, site, "viewer")
    html = page.content()  # type: ignore[attr-defined]
    leaked = [n for n in site["persons"].values() if n in html]
    assert not leaked, f"person names on the viewer's dashboard: {leaked[:5]}"
    assert not [i for i in site["persons"] if i in html], "a person id on the page"
    # every count in the group table is either hidden or at least the threshold
    cells = page.eval_on_selector_all(  # type: ignore[attr-defined]
        "#group-table tbody td.num, #gap-table td.num", "els => els.map(e => e.textContent)"
    )
    assert cells
    for cell in cells:
        if cell != "•":
            assert int(cell.replace(".", "")) == 0 or int(cell.replace(".", "")) >= 5, cell
    # the drawn points are organisations, initiatives and places only
    kinds = page.eval_on_selector_all(  # type: ignore[attr-defined]
        "#group-map circle.point", "els => els.map(e => e.getAttribute('class'))"
    )
    assert kinds and all(re.search(r"kind-(organisation|initiative|place)$", k) for k in kinds), (
        kinds[:5]
    )
    assert page.locator("#action-list li").count() >= 1  # type: ignore[attr-defined]
    # groups have readable names: never a bare CBS code (the demo names its codes)
    names = page.eval_on_selector_all(  # type: ignore[attr-defined]
        "#group-table tbody th", "els => els.map(e => e.textContent)"
    )
    assert names and not [n for n in names if CBS.search(n)], names
    _axe(page, "viewer-nl")
    assert page.errors == []  # type: ignore[attr-defined]
    page.context.close()  # type: ignore[attr-defined]


@pytest.mark.parametrize("role", ["viewer", "broker"])
@pytest.mark.parametrize("lang", ["nl", "en"])
@pytest.mark.parametrize("width", [1400, 390])
def test_screenshots(browser: object, site: dict, role: str, lang: str, width: int) -> None:
    page = _open(browser, site, role, width=width, lang=lang)
    heading = page.inner_text("h1")  # type: ignore[attr-defined]
    assert heading.startswith("Wijkdashboard" if lang == "nl" else "Neighbourhood dashboard")
    page.screenshot(path=str(ARTIFACTS / f"{role}-{lang}-{width}.png"), full_page=True)  # type: ignore[attr-defined]
    # nothing widens the page beyond the screen (a table scrolls inside its own frame)
    assert page.evaluate("document.documentElement.scrollWidth") <= width  # type: ignore[attr-defined]
    if width == 390:
        _axe(page, f"{role}-{lang}-{width}")
    page.context.close()  # type: ignore[attr-defined]


def test_monthly_charts_match_the_compare_route(browser: object, site: dict) -> None:
    page = _open(browser, site, "broker")
    rows = page.eval_on_selector_all(  # type: ignore[attr-defined]
        "table.series[data-series=ties_gained] tbody tr,"
        " table.series[data-series=ties_lost] tbody tr",
        "els => els.map(e => [e.closest('table').dataset.series, e.dataset.from,"
        " e.dataset.to, e.querySelector('td').textContent])",
    )
    gained = {(f, t): v for s, f, t, v in rows if s == "ties_gained"}
    lost = {(f, t): v for s, f, t, v in rows if s == "ties_lost"}
    assert len(gained) == 12
    for f, t in list(gained)[-3:]:
        c = _api(site, "/analysis/compare", **{"from": f, "to": t})
        assert int(gained[(f, t)].replace(".", "")) == c["ties_gained_count"]
        assert int(lost[(f, t)].replace(".", "")) == c["ties_lost_count"]
    page.context.close()  # type: ignore[attr-defined]


def test_broker_gap_opens_exactly_those_people(browser: object, site: dict) -> None:
    page = _open(browser, site, "broker")
    d = _api(site, "/dashboard")
    row = next(
        r
        for r in d["gaps"]["areas"]
        if r["kind"] == "isolated_person" and r["area"] and r["persons"]
    )
    link = page.locator(  # type: ignore[attr-defined]
        f"#gap-table tr[data-kind=isolated_person][data-area='{row['area']}'] a.gap-link"
    )
    link.click()
    page.wait_for_url(re.compile(r"/app/.+/map"))  # type: ignore[attr-defined]
    page.wait_for_selector("#sigma[data-ready=true]")  # type: ignore[attr-defined]
    ids = page.eval_on_selector_all(  # type: ignore[attr-defined]
        "#map-list tbody tr", "els => els.map(e => e.dataset.id)"
    )
    assert sorted(ids) == sorted(row["actor_ids"])
    page.context.close()  # type: ignore[attr-defined]


def test_a_wrong_token_is_refused_in_words(browser: object, site: dict) -> None:
    context = browser.new_context()  # type: ignore[attr-defined]
    page = context.new_page()
    page.goto(f"{site['base']}/dashboard/{site['nid']}#token=nw_wrong")
    page.wait_for_selector("#refused")
    assert "Dit token is geweigerd" in page.inner_text("#refused")
    assert page.get_attribute("main", "data-refused") == "true"
    assert page.evaluate("sessionStorage.getItem('netwerk-token')") is None
    context.close()


def test_print_view_has_the_map_on_page_one(browser: object, site: dict) -> None:
    page = _open(browser, site, "viewer")
    pdf = page.pdf(format="A4", print_background=True)  # type: ignore[attr-defined]
    (ARTIFACTS / "print-viewer-nl.pdf").write_bytes(pdf)
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    assert len(reader.pages) >= 2
    first = reader.pages[0].extract_text()
    assert "Groepen in de wijk" in first
    assert "revisie" in first and "revisie" in reader.pages[-1].extract_text()
    page.context.close()  # type: ignore[attr-defined]


def test_activation_line_counts_an_admins_formed_tie(browser: object, site: dict) -> None:
    """One accepted suggestion with the outcome ``tie_formed``: the admin reads "1 voorstel
    aangenomen · 1 nieuwe relatie ontstaan", the viewer the suppression dot (issue 9)."""
    page = _open(browser, site, "admin")
    line = page.inner_text("#activation")  # type: ignore[attr-defined]
    assert "1 voorstel aangenomen" in line and "1 nieuwe relatie ontstaan" in line, line
    page.context.close()  # type: ignore[attr-defined]
    page = _open(browser, site, "viewer")
    assert page.inner_text("#activation [data-count=tie_formed] .n") == "•"  # type: ignore[attr-defined]
    page.context.close()  # type: ignore[attr-defined]


@pytest.mark.parametrize("width", [1400, 390])
def test_map_labels_neither_overlap_nor_leave_the_frame(
    browser: object, site: dict, width: int
) -> None:
    """Every group has a label; no two labels' boxes (as drawn, halo included) overlap, and
    each lies inside the map's frame; a shortened label carries the full name as its
    tooltip, and the table under the map has every full name."""
    page = _open(browser, site, "viewer", width=width)
    d = _api(site, "/dashboard", role="viewer")
    boxes = page.eval_on_selector_all(  # type: ignore[attr-defined]
        "#group-map text.label",
        """els => els.map(e => { const r = e.getBoundingClientRect();
            const title = e.querySelector('title');
            return {group: e.dataset.group, x: r.left, y: r.top, r: r.right, b: r.bottom,
                    shown: [...e.querySelectorAll('tspan')].map(s => s.textContent).join(' '),
                    title: title ? title.textContent : null}; })""",
    )
    frame = page.eval_on_selector(  # type: ignore[attr-defined]
        "#group-map",
        "e => { const r = e.getBoundingClientRect();"
        " return {x: r.left, y: r.top, r: r.right, b: r.bottom}; }",
    )
    names = {str(g["group"]): g["name"] for g in d["map"]["groups"]}
    assert sorted(b["group"] for b in boxes) == sorted(names)
    for b in boxes:
        inside = (b["x"] >= frame["x"] and b["y"] >= frame["y"]
                  and b["r"] <= frame["r"] and b["b"] <= frame["b"])  # fmt: skip
        assert inside, (width, b, frame)
        full = names[b["group"]]
        if b["shown"] != full:
            assert b["shown"].endswith("…") and b["title"] == full, b
    for i, a in enumerate(boxes):
        for b in boxes[i + 1 :]:
            w = min(a["r"], b["r"]) - max(a["x"], b["x"])
            h = min(a["b"], b["b"]) - max(a["y"], b["y"])
            assert w <= 0 or h <= 0, f"labels overlap at {width} px: {a['shown']!r}, {b['shown']!r}"
    table = page.eval_on_selector_all(  # type: ignore[attr-defined]
        "#group-table tbody th", "els => els.map(e => e.firstChild.textContent)"
    )
    assert sorted(table) == sorted(names.values())
    page.screenshot(path=str(ARTIFACTS / f"map-labels-{width}.png"), full_page=True)  # type: ignore[attr-defined]
    page.context.close()  # type: ignore[attr-defined]


def test_map_colours_and_legend_follow_the_api(browser: object, site: dict) -> None:
    """A bubble's colour is the API's ``lacks`` of its group (nothing invented), and the
    legend names exactly the colours drawn, after the sentence saying what a colour means."""
    page = _open(browser, site, "viewer")
    d = _api(site, "/dashboard", role="viewer")
    drawn = dict(
        page.eval_on_selector_all(  # type: ignore[attr-defined]
            "#group-map circle.bubble",
            "els => els.map(e => [e.dataset.group,"
            " e.getAttribute('class').match(/lacks-(\\w+)/)[1]])",
        )
    )
    want = {str(g["group"]): g["lacks"] or "hidden" for g in d["map"]["groups"]}
    assert drawn == want
    legend = page.eval_on_selector_all(  # type: ignore[attr-defined]
        "#map-legend li[data-lacks]", "els => els.map(e => e.dataset.lacks)"
    )
    assert sorted(legend) == sorted(set(want.values()))
    assert "in deze volgorde" in page.inner_text("#legend-rule")  # type: ignore[attr-defined]
    page.context.close()  # type: ignore[attr-defined]
