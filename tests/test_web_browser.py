"""The broker's workspace in a real browser: Playwright for Python driving Debian's chromium
(``executable_path``; no downloaded browser), on a synthetic neighbourhood with the demo story
added through the API (:mod:`tests.web_story`). The journey of issue 13: sign in with a link;
find Lina; her suggestions with the key figure as introducer and the route on her ego map;
*voorgesteld*, then *band ontstaan*, and the new tie on her page; a new resident with two
contacts; a validation error that writes nothing; a plan printed on one A4 page; the map,
filtered and clicked through; a viewer refused; the keyboard-only path. axe-core runs on every
page (no serious or critical violation), the pages raise no CSP violation, and a screenshot of
each step is kept under ``test-artifacts/web/``."""

from __future__ import annotations

import json
import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import httpx
import playwright.sync_api as playwright_api  # a dev dependency: missing is a failure, not a skip
import pytest

from netwerk import synth
from netwerk.store.db import make_engine, make_sessionmaker, transaction
from netwerk.store.migrate import upgrade
from netwerk.store.networks import create_network
from netwerk.store.tokens import create_token
from tests.conftest import live_server
from tests.web_story import CAFE, KARIM, LINA, STREET, Story, add_story

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
ROOT = Path(__file__).resolve().parents[1]
ARTIFACTS = ROOT / "test-artifacts" / "web"
AXE = ROOT / "tests" / "vendor" / "axe-core-4.14.1.min.js"
pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict]:
    if CHROMIUM is None:
        pytest.fail("chromium is missing: ./run test installs Debian's chromium")
    folder = tmp_path_factory.mktemp("workspace")
    url = f"sqlite:///{folder / 'web.db'}"
    engine = make_engine(url)
    upgrade(engine)
    factory = make_sessionmaker(engine)
    with transaction(factory) as session:
        nid = create_network(session, name="Demo wijk", area_code="WK036300").id
    with engine.begin() as conn:
        synth.load(conn, nid, synth.generate(400, seed=3, fresh_ids=True))
    with transaction(factory) as session:
        tokens = {
            role: create_token(session, role=role, name=name, networks=[nid]).secret
            for role, name in [
                ("admin", "Beheer"),
                ("broker", "Sanne de Vries"),
                ("viewer", "Wijkteam Noord"),
                ("researcher", "Onderzoek UvA"),
            ]
        }
    engine.dispose()
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    with live_server({"NETWERK_DATABASE_URL": url, "NETWERK_RATE_LIMIT_PER_MINUTE": "0"}) as base:
        story = add_story(base, nid, tokens["admin"])
        yield {"base": base, "nid": nid, "tokens": tokens, "story": story}


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    with playwright_api.sync_playwright() as p:
        b = p.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--use-angle=swiftshader",
                "--enable-unsafe-swiftshader",
            ],
        )
        yield b
        b.close()


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
        self.page.on("console", self._console)
        self.page.on("pageerror", lambda e: self.problems.append(f"page error: {e}"))
        query = f"?lang={lang}" if lang else ""
        self.page.goto(f"{site['base']}/app{query}#token={site['tokens'][role]}")
        self.ready()

    def _console(self, message: object) -> None:
        # Refused requests (4xx) are part of the journey (a validation error, a refused
        # role); a CSP violation, a script error or a server error never is.
        text = message.text  # type: ignore[attr-defined]
        refused = re.search(r"status of 4\d\d", text)
        if message.type == "error" and not refused:  # type: ignore[attr-defined]
            self.problems.append(text)

    def ready(self) -> None:
        self.page.wait_for_selector("main[data-ready=true]")

    def go(self, path: str) -> None:
        self.page.goto(f"{self.site['base']}/app/{self.site['nid']}{path}")
        self.ready()

    def shot(self, name: str) -> None:
        self.page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)

    def axe(self, name: str) -> None:
        """axe-core, injected through the DevTools protocol (the page's CSP still holds for
        the page's own scripts): no serious or critical violation of WCAG 2.1 A/AA."""
        self.page.evaluate(AXE.read_text(encoding="utf-8") + "\n;true")
        result = self.page.evaluate(
            """async () => (await axe.run(document, {runOnly: {type: 'tag',
                values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}})).violations
                .filter(v => v.impact === 'serious' || v.impact === 'critical')
                .map(v => ({id: v.id, impact: v.impact, help: v.help,
                            nodes: v.nodes.slice(0, 3).map(n => n.target.join(' '))}))"""
        )
        (ARTIFACTS / f"{name}.axe.json").write_text(json.dumps(result, indent=2))
        assert result == [], f"axe on {name}: {result}"

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
    assert "Sanne de Vries" in page.inner_text("header")
    assert page.inner_text("h1").startswith("Zoeken in Demo wijk")
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
    assert "Vastgelegd door Beheer" in page.inner_text("#consent-provenance")
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
    page.fill("#c0-find", "karim boukh")
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
    before = api(site, "/ties", actor=site["story"].karim, limit=500).json()["items"]
    page.fill("#p-name", "Foutje Testpersoon")
    page.fill("#p-area", "Kerkstraat #12")  # '#' is not allowed in a street label
    page.fill("#c0-find", "karim boukh")
    page.wait_for_selector("#c0-find-list li")
    page.keyboard.press("Enter")
    page.click("#person-form button[type=submit]")
    page.wait_for_selector("#p-area[aria-invalid=true]")
    error_id = page.get_attribute("#p-area", "aria-describedby")
    assert page.locator(f"#{error_id}").inner_text() != ""
    assert page.input_value("#p-name") == "Foutje Testpersoon"  # the form keeps what was typed
    assert "Niets is opgeslagen" in page.inner_text("#status")
    tab.shot("08-validation-error")
    assert api(site, "/search", q="Foutje").json()["items"] == []
    after = api(site, "/ties", actor=site["story"].karim, limit=500).json()["items"]
    assert len(after) == len(before)
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
    assert page.inner_text("h1").startswith("Search in Demo wijk")
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
