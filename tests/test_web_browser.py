"""The broker's workspace in a real browser: Playwright for Python driving Debian's chromium
(``executable_path``; no downloaded browser), on a freshly loaded demo (``netwerk demo``, its
story of Lina Haddad, Karim Bouali and the Taalcafé Kerkstraat; :mod:`tests.browser_kit`).
The journey of issue 13: sign in with the link ``netwerk token create`` prints; find Lina;
her suggestions with the key figure as introducer and the route on her ego map;
*voorgesteld*, then *band ontstaan*, and the new tie on her page; a new resident with two
contacts; a validation error that writes nothing (checked in the database); a plan printed
on one A4 page; the map, filtered and clicked through; a viewer refused; the keyboard-only
path; switching network; the admin's audit extract. axe-core runs on every page (no serious
or critical violation), the pages raise no CSP violation, and a screenshot of each step is
kept under ``test-artifacts/web/``."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
import sqlalchemy as sa

from tests.browser_kit import BROKER, OTHER_NETWORK, STORY_NAMES, axe, watch_console

ROOT = Path(__file__).resolve().parents[1]
ARTIFACTS = ROOT / "test-artifacts" / "web"
LINA, KARIM, CAFE = STORY_NAMES["lina"], STORY_NAMES["karim"], STORY_NAMES["taalcafe"]
STREET = "Kerkstraat"
DEMO = "Demo wijk"
pytestmark = pytest.mark.slow


@dataclass(frozen=True)
class Story:
    lina: str
    karim: str
    cafe: str


@pytest.fixture(scope="module")
def site(demo_site: dict[str, Any]) -> dict[str, Any]:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    ids = demo_site["ids"]
    return {**demo_site, "story": Story(ids["lina"], ids["karim"], ids["taalcafe"])}


def rows_in(site: dict, table: str, where: str = "1=1", **params: object) -> int:
    """Rows of a table of the demo's network, counted in the database itself."""
    from netwerk.store.db import make_engine

    engine = make_engine(site["url"])
    try:
        with engine.connect() as conn:
            return int(
                conn.execute(
                    sa.text(f"SELECT count(*) FROM {table} WHERE network_id = :nid AND {where}"),
                    {"nid": site["nid"], **params},
                ).scalar_one()
            )
    finally:
        engine.dispose()


class Tab:
    """One browser tab with a role's sign-in, console watch, screenshots and axe."""

    def __init__(
        self,
        browser: object,
        site: dict,
        role: str = "broker",
        *,
        width: int = 1280,
        lang: str | None = None,
    ) -> None:
        self.site = site
        self.context = browser.new_context(  # type: ignore[attr-defined]
            viewport={"width": width, "height": 900}, locale="nl-NL"
        )
        self.page = self.context.new_page()
        self.page.set_default_timeout(20_000)
        self.problems: list[str] = []
        watch_console(self.page, self.problems)
        query = f"?lang={lang}" if lang else ""
        self.page.goto(f"{site['base']}/app{query}#token={site['tokens'][role]}")
        self.ready()

    def ready(self) -> None:
        self.page.wait_for_selector("main[data-ready=true]")

    def go(self, path: str) -> None:
        self.page.goto(f"{self.site['base']}/app/{self.site['nid']}{path}")
        self.ready()

    def shot(self, name: str) -> None:
        self.page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)

    def axe(self, name: str) -> None:
        axe(self.page, name, ARTIFACTS)

    def close(self) -> None:
        assert self.problems == [], self.problems
        self.context.close()


def api(site: dict, path: str, role: str = "broker", **params: object) -> httpx.Response:
    return httpx.get(
        f"{site['base']}/api/v1/networks/{site['nid']}{path}",
        params=params,  # type: ignore[arg-type]
        headers={"Authorization": f"Bearer {site['tokens'][role]}"},
        timeout=60,
    )


def test_sign_in_with_a_link_keeps_the_token_only_in_the_tab(browser: object, site: dict) -> None:
    tab = Tab(browser, site)
    page = tab.page
    assert "token" not in page.url and "#" not in page.url
    assert page.evaluate("sessionStorage.getItem('netwerk-token')") == site["tokens"]["broker"]
    assert page.evaluate("localStorage.length") == 0
    assert page.evaluate("document.cookie") == ""
    assert BROKER in page.inner_text("header")
    assert page.inner_text("h1").startswith(f"Zoeken in {DEMO}")
    tab.shot("01-signed-in")
    tab.axe("01-search")
    page.click("#signout")
    page.wait_for_selector("#token-input")
    assert page.evaluate("sessionStorage.getItem('netwerk-token')") is None
    tab.axe("00-sign-in")
    tab.close()


def test_a_bad_token_is_refused_with_a_clear_message(browser: object, site: dict) -> None:
    context = browser.new_context(locale="nl-NL")  # type: ignore[attr-defined]
    page = context.new_page()
    page.goto(f"{site['base']}/app#token=nw_not-a-real-token")
    page.wait_for_selector("main[data-ready=true]")
    assert "Deze sleutel werkt niet" in page.inner_text("main")
    assert "token" not in page.url
    context.close()


def _open_lina(tab: Tab) -> None:
    page = tab.page
    page.fill("#q", "lina")
    page.wait_for_selector(f"#results a:has-text('{LINA}')")
    assert "lina" not in page.url.lower()  # a typed name never goes in the address
    tab.shot("02-search-lina")
    page.click(f"#results a:has-text('{LINA}')")
    page.wait_for_selector("main[data-person=ready]")


def test_lina_suggestion_feedback_and_new_tie(browser: object, site: dict) -> None:
    story: Story = site["story"]
    tab = Tab(browser, site)
    page = tab.page
    _open_lina(tab)
    assert page.inner_text("h1") == LINA
    # who recorded her consent (the demo was loaded in bulk: "Niet vastgelegd")
    assert re.match(r"(Niet v|V)astgelegd", page.inner_text("#consent-provenance"))
    assert "Arabisch" in page.inner_text("#details")  # languages by name, not by code
    # among her top suggestions: the taalcafé (her needs meet its offer, same street)
    first = page.locator(f"#suggestion-list article[data-target='{story.cafe}']")
    if first.count() == 0 and page.locator("#more-suggestions").count():
        page.click("#more-suggestions")
    assert first.count() == 1, page.inner_text("#suggestion-list")
    assert CAFE in first.inner_text()
    assert f"Via {KARIM}" in first.locator(".via").inner_text()
    # the introducer's route, highlighted on the ego map
    first.locator("button.show-route").click()
    ego = page.locator("#egomap")
    assert ego.get_attribute("data-highlight") == f"{story.lina},{story.karim},{story.cafe}"
    assert page.locator("#egomap .edge.path").count() == 2
    assert page.locator(f"#egomap .node.on-path[data-id='{story.cafe}']").count() == 1
    tab.shot("03-person-lina-route")
    tab.axe("03-person")

    # voorgesteld → recorded, and shown with the outcome buttons
    first.locator("button[data-decision=accepted]").click()
    row = page.locator(".decision[data-decision=accepted]").first
    row.wait_for()
    assert CAFE in row.inner_text()
    assert page.locator("#status").inner_text() != ""
    tab.shot("04-voorgesteld")
    # band ontstaan → the tie is in her ties and on her ego map
    row.locator("button[data-outcome=tie_formed]").click()
    page.wait_for_selector(f"#ties tr[data-other='{story.cafe}']")
    page.wait_for_selector(f"#egomap .node.step-1[data-id='{story.cafe}']")
    assert page.locator(".decision[data-outcome=tie_formed]").count() == 1
    ties = api(site, "/ties", actor=story.lina).json()["items"]
    assert {t["target"] for t in ties} | {t["source"] for t in ties} >= {story.cafe}
    tab.shot("05-band-ontstaan")
    # the decision shows in the stats too
    stats = api(site, "/suggestions/stats").json()
    assert stats["total"]["accepted"] >= 1
    tab.close()


def test_new_resident_with_two_contacts_on_the_netwerkkaart(browser: object, site: dict) -> None:
    story: Story = site["story"]
    tab = Tab(browser, site)
    page = tab.page
    tab.go("/new")
    page.fill("#p-name", "Noor Vermeulen")
    page.fill("#p-area", STREET)
    page.fill("#p-languages", "nl, tr")
    page.fill("#p-needs", "ontmoeting")
    page.fill("#p-assets", "koken")
    # contact 1: Karim, a neighbour, found by name
    page.check("input[name=c0-sector][value=friends_neighbours]")
    page.fill("#c0-find", "karim boua")
    page.wait_for_selector("#c0-find-list li")
    page.keyboard.press("Enter")
    assert KARIM in page.inner_text(".picked")
    page.select_option("#c0-kind", "neighbour")
    page.select_option("#c0-strength", "4")
    page.check("input[name=c0-support][value=practical]")
    # contact 2: her daughter, someone new, in the family sector
    page.click("#another-contact")
    page.check("input[name=c1-sector][value=family]")
    page.check("input[name=c1-who][value=new]")
    page.fill("#c1-name", "Elif Vermeulen")
    page.check("input[name=c1-consent][value=given]")
    page.check("input[name=c1-support][value=emotional]")
    tab.axe("06-new-person")
    tab.shot("06-new-person-form")
    page.click("#person-form button[type=submit]")
    page.wait_for_selector("main[data-person=ready]")
    assert page.inner_text("h1") == "Noor Vermeulen"
    rows = page.locator("#ties tbody tr")
    assert rows.count() == 2
    text = page.inner_text("#ties")
    assert KARIM in text and "Elif Vermeulen" in text and "familie" in text
    assert page.locator(f"#egomap .node[data-id='{story.karim}']").count() == 1
    tab.shot("07-new-person-saved")
    # change a tie, then end one: the ended tie is history, not deleted
    karim_row = page.locator(f"#ties tr[data-other='{story.karim}']")
    karim_row.locator("button", has_text="Wijzigen").click()
    page.select_option(".edit-tie select", "2")
    page.click(".edit-tie button[type=submit]")
    karim_strength = f"#ties tr[data-other='{story.karim}'] .strength"
    page.wait_for_selector(f"{karim_strength}[aria-label*='sterkte 2']")
    elif_row = page.locator("#ties tbody tr", has_text="Elif Vermeulen")
    elif_row.locator("button", has_text="Beëindigen").click()
    page.wait_for_selector("#ties tbody tr:has-text('Elif Vermeulen')", state="detached")
    assert page.locator("#ties tbody tr").count() == 1
    noor = page.url.rsplit("/", 1)[-1]
    ties = api(site, "/ties", actor=noor).json()["items"]
    assert len(ties) == 2 and sum(1 for t in ties if t["until"]) == 1
    tab.close()


def test_a_validation_error_shows_at_its_field_and_writes_nothing(
    browser: object, site: dict
) -> None:
    tab = Tab(browser, site)
    page = tab.page
    tab.go("/new")
    karim = site["story"].karim
    ties_of_karim = "(source_id = :k OR target_id = :k)"
    before = (rows_in(site, "actors"), rows_in(site, "ties", ties_of_karim, k=karim))
    page.fill("#p-name", "Foutje Testpersoon")
    page.fill("#p-area", "Kerkstraat #12")  # '#' is not allowed in a street label
    page.fill("#c0-find", "karim boua")
    page.wait_for_selector("#c0-find-list li")
    page.keyboard.press("Enter")
    page.click("#person-form button[type=submit]")
    page.wait_for_selector("#p-area[aria-invalid=true]")
    error_id = page.get_attribute("#p-area", "aria-describedby")
    assert page.locator(f"#{error_id}").inner_text() != ""
    assert page.input_value("#p-name") == "Foutje Testpersoon"  # the form keeps what was typed
    assert "Niets is opgeslagen" in page.inner_text("#status")
    tab.shot("08-validation-error")
    # nothing half written: no actor, no tie, checked in the database itself
    assert rows_in(site, "actors", "name = :n", n="Foutje Testpersoon") == 0
    assert (rows_in(site, "actors"), rows_in(site, "ties", ties_of_karim, k=karim)) == before
    tab.close()


def test_plan_for_kerkstraat_taal_prints_on_one_a4_page(browser: object, site: dict) -> None:
    tab = Tab(browser, site)
    page = tab.page
    tab.go("/plan")
    page.fill("#plan-area", STREET)
    page.fill("#plan-themes", "taal")
    page.click("#plan-form button[type=submit]")
    page.wait_for_selector("#plan-result .plan-items li")
    assert CAFE in page.inner_text("#plan-result")
    assert "Eerste belletje" in page.inner_text("#plan-result")
    tab.shot("09-plan")
    tab.axe("09-plan")
    pdf = page.pdf(format="A4", print_background=False)
    (ARTIFACTS / "09-plan.pdf").write_bytes(pdf)
    pages = len(re.findall(rb"/Type\s*/Page(?!s)", pdf))
    assert pages == 1, f"the plan printed on {pages} pages"
    tab.close()


def test_map_filter_on_a_theme_and_click_through(browser: object, site: dict) -> None:
    story: Story = site["story"]
    tab = Tab(browser, site)
    page = tab.page
    tab.go("/map")
    page.wait_for_selector("#sigma[data-ready=true]")
    assert page.locator("#sigma canvas").count() >= 1  # drawn by sigma (WebGL)
    total = int(page.get_attribute("#sigma", "data-shown") or 0)
    assert total > 400
    tab.shot("10-map")
    tab.axe("10-map")
    page.select_option("#map-theme", "ontmoeting")
    page.wait_for_selector(f"#map-list tr[data-id='{story.cafe}']")
    assert int(page.get_attribute("#sigma", "data-shown") or 0) < total
    assert page.locator(f"#map-list tr[data-id='{story.cafe}']").count() == 1
    page.check("#map-controls input[value=key_figure]")
    tab.shot("11-map-ontmoeting")
    page.uncheck("#map-controls input[value=key_figure]")
    page.click(f"#map-list tr[data-id='{story.cafe}'] a")
    page.wait_for_selector("main[data-person=ready]")
    assert page.inner_text("h1") == CAFE
    tab.close()


def test_a_viewer_is_refused_person_pages(browser: object, site: dict) -> None:
    story: Story = site["story"]
    context = browser.new_context(locale="nl-NL")  # type: ignore[attr-defined]
    page = context.new_page()
    page.goto(
        f"{site['base']}/app/{site['nid']}/actor/{story.lina}#token={site['tokens']['viewer']}"
    )
    page.wait_for_url(re.compile(r"/dashboard/"))
    page.wait_for_selector("body[data-loaded=true], [data-loaded=true]", timeout=30_000)
    assert LINA not in page.content()
    page.screenshot(path=str(ARTIFACTS / "12-viewer-refused.png"), full_page=True)
    # the API refuses it too, whatever the page does
    assert api(site, f"/actors/{story.lina}", role="viewer").status_code == 404
    assert api(site, f"/actors/{story.lina}/ego", role="viewer").status_code == 403
    context.close()


def test_a_researcher_gets_the_export_page_only(browser: object, site: dict) -> None:
    tab = Tab(browser, site, "researcher")
    page = tab.page
    tab.go(f"/actor/{site['story'].lina}")
    page.wait_for_url(re.compile(r"/export$"))
    tab.ready()
    assert page.locator("#nav a").all_inner_texts() == ["Export"]
    assert LINA not in page.content()
    tab.axe("13-export")
    tab.shot("13-export")
    tab.close()


def test_keyboard_only_search_person_suggestion(browser: object, site: dict) -> None:
    tab = Tab(browser, site)
    page = tab.page
    tab.go("?kb=1")
    assert page.evaluate("document.activeElement.id") == "q"
    page.keyboard.type("Lína")  # an accent the name does not have

    def tab_to(selector: str, limit: int = 80) -> None:
        for _ in range(limit):
            page.keyboard.press("Tab")
            if page.evaluate(f"document.activeElement.matches({json.dumps(selector)})"):
                return
        raise AssertionError(f"Tab never reached {selector}")

    page.wait_for_selector(f"#results a:has-text('{LINA}')")
    tab_to(f"#results a.name[href$='{site['story'].lina}']")
    page.keyboard.press("Enter")
    page.wait_for_selector("main[data-person=ready]")
    tab_to("#suggestion-list article button[data-decision=not_now]")
    target = page.evaluate("document.activeElement.closest('article').dataset.target")
    page.keyboard.press("Enter")
    page.wait_for_selector(".decision[data-decision=not_now]")
    assert "niet nu" in page.inner_text("#status").lower()
    assert target
    tab.shot("14-keyboard")
    tab.close()


def test_english_on_request(browser: object, site: dict) -> None:
    tab = Tab(browser, site, lang="en")
    page = tab.page
    assert page.inner_text("h1").startswith(f"Search in {DEMO}")
    assert page.evaluate("document.documentElement.lang") == "en"
    tab.go(f"/actor/{site['story'].lina}")
    page.wait_for_selector("main[data-person=ready]")
    assert "Whom could" in page.inner_text("#suggestions")
    tab.shot("15-person-english")
    tab.close()


def test_phone_width_has_no_sideways_scrolling(browser: object, site: dict) -> None:
    tab = Tab(browser, site, width=390)
    page = tab.page
    for path in ["", f"/actor/{site['story'].lina}", "/new", "/plan", "/weave"]:
        tab.go(path)
        if "actor" in path:
            page.wait_for_selector("main[data-person=ready]")
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 390, f"{path or 'search'} is {width}px wide on a phone"
    tab.shot("16-phone-weave")
    tab.axe("16-weave")
    tab.go(f"/actor/{site['story'].lina}")
    page.wait_for_selector("main[data-person=ready]")
    tab.shot("17-phone-person")
    tab.close()


def test_switching_network(browser: object, site: dict) -> None:
    """A broker with two networks chooses one after signing in, and switches in the header
    without signing in again; the search then looks in the other network only."""
    tab = Tab(browser, site, "broker2")
    page = tab.page
    assert page.get_attribute("main", "data-view") == "choose"
    assert page.locator("main a").all_inner_texts() == [DEMO, OTHER_NETWORK]
    tab.axe("18-choose-network")
    page.click(f"main a:has-text('{DEMO}')")
    page.wait_for_selector("#network-switch")
    tab.ready()
    assert page.inner_text("h1").startswith(f"Zoeken in {DEMO}")
    page.select_option("#network-switch", site["other_nid"])
    page.wait_for_url(re.compile(rf"/app/{site['other_nid']}$"))
    tab.ready()
    assert page.inner_text("h1").startswith(f"Zoeken in {OTHER_NETWORK}")
    assert page.evaluate("sessionStorage.getItem('netwerk-token')") == site["tokens"]["broker2"]
    page.fill("#q", "lina")
    page.wait_for_selector("#results")
    page.wait_for_timeout(500)
    assert LINA not in page.inner_text("main")  # the other network has no Lina
    tab.shot("18-switched-network")
    tab.close()


def test_admin_sees_the_audit_extract_on_the_person_page(browser: object, site: dict) -> None:
    """Only an admin's person page has the audit extract: who read or changed this
    person's data, when, and by which route; a broker's page has none."""
    story: Story = site["story"]
    broker = Tab(browser, site)
    broker.go(f"/actor/{story.lina}")
    broker.page.wait_for_selector("main[data-person=ready]")
    assert broker.page.locator("#audit").count() == 0
    broker.close()
    tab = Tab(browser, site, "admin")
    page = tab.page
    tab.go(f"/actor/{story.lina}")
    page.wait_for_selector("main[data-person=ready]")
    page.wait_for_selector("#audit li")
    extract = page.inner_text("#audit")
    # the broker's visit a moment ago is in it, by role (a token's name is not shown)
    assert re.search(r"GET /actors/\S+ door verbinder", extract), extract
    tab.shot("19-admin-audit")
    tab.axe("19-admin-person")
    tab.close()


@pytest.mark.parametrize("lang", ["nl", "en"])
@pytest.mark.parametrize("width", [1400, 390])
def test_screenshots_of_the_person_page_and_the_map(
    browser: object, site: dict, lang: str, width: int
) -> None:
    """Lina's page (with the route of her first suggestion) and the map, in Dutch and
    English, on a laptop and a phone: kept as artefacts (README's pictures come from here)
    and checked for sideways scrolling."""
    tab = Tab(browser, site, width=width, lang=lang)
    page = tab.page
    tab.go(f"/actor/{site['story'].lina}")
    page.wait_for_selector("main[data-person=ready]")
    page.wait_for_selector("#position h3, #position p:not(.loading)")
    page.wait_for_selector("#suggestion-list article[data-highlighted=true]")
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    tab.shot(f"person-{lang}-{width}")
    tab.go("/map")
    page.wait_for_selector("#sigma[data-ready=true]")
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    tab.shot(f"map-{lang}-{width}")
    tab.close()
