"""Time to first meaningful paint of the broker's workspace in headless chromium (Debian's,
driven by Playwright), on the demo neighbourhood (``netwerk.demo``: its story of Lina Haddad
woven into a synthetic wijk) at each size.

    .venv/bin/python bench/web.py [--actors 1500 10000] [--repeat 3] [--seed 7]

* person page: from navigation to Lina's page showing her suggestions, ties and ego map
  (``main[data-person=ready]``); cold = the first visit after the server started (snapshot,
  communities and suggestion model computed), warm = the median of the next visits.
* map: from navigation to the map drawn by sigma.js with its filters and list ready
  (``#sigma[data-ready=true]``): interactive. Cold includes the igraph layout of the
  revision; warm is the median of later visits.
* baseline (same run): the same data fetched over HTTP without a browser (httpx), so that the
  table shows what the page adds to the API's own time.
* per API call of the last warm person page (Resource Timing in the page): when the page
  asked it (ms after navigation), the server's time (request sent → first byte) and when
  the answer was complete; and the same call alone over httpx (best of three), the server's
  time without the page's other calls competing for the same CPU.

Targets (issue 13): person page with suggestions ≤ 1 s warm; a 10,000-actor map
interactive ≤ 3 s.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from netwerk import demo
from netwerk.store.db import make_engine, make_sessionmaker, transaction
from netwerk.store.migrate import upgrade
from netwerk.store.networks import create_network
from netwerk.store.tokens import create_token
from tests.conftest import live_server


def say(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


def build(folder: Path, actors: int, seed: int) -> tuple[str, str, dict[str, str], str]:
    url = f"sqlite:///{folder / f'web-{actors}.db'}"
    engine = make_engine(url)
    upgrade(engine)
    factory = make_sessionmaker(engine)
    with transaction(factory) as session:
        nid = create_network(session, name="Benchwijk").id
    data = demo.generate(actors, seed=seed, fresh_ids=True)
    with engine.begin() as conn:
        demo.load(conn, nid, data)
    with transaction(factory) as session:
        tokens = {
            r: create_token(session, role=r, name=f"bench {r}", networks=[nid]).secret
            for r in ("admin", "broker")
        }
    engine.dispose()
    return url, nid, tokens, demo.story_ids(data)["lina"]


def paint(page: object, url: str, selector: str) -> float:
    """Seconds from the start of navigation until ``selector`` is on the page. The tab first
    goes to about:blank, so that tearing down the previous page (a WebGL context) is not
    counted; the token stays in the tab's sessionStorage."""
    page.goto("about:blank")  # type: ignore[attr-defined]
    page.goto(url)  # type: ignore[attr-defined]
    page.wait_for_selector(selector, timeout=600_000)  # type: ignore[attr-defined]
    return float(page.evaluate("performance.now()")) / 1000  # type: ignore[attr-defined]


CALLS_JS = """() => performance.getEntriesByType('resource')
    .filter(e => e.name.includes('/api/v1/'))
    .map(e => ({path: new URL(e.name).pathname.replace(/^.*\\/api\\/v1/, '')
                  + (new URL(e.name).search.replace(/[?&]lang=[a-z]+/, '') || ''),
                start: e.startTime, server: e.responseStart - e.requestStart,
                end: e.responseEnd}))"""


def one_call(base: str, token: str, path: str) -> float:
    """Seconds for one API call alone (best of three: the server's own time)."""
    headers = {"Authorization": f"Bearer {token}"}
    best = float("inf")
    for _ in range(3):
        start = time.perf_counter()
        httpx.get(f"{base}/api/v1{path}", headers=headers, timeout=300)
        best = min(best, time.perf_counter() - start)
    return best


def api_time(base: str, nid: str, token: str, paths: list[str]) -> float:
    headers = {"Authorization": f"Bearer {token}"}
    start = time.perf_counter()
    for path in paths:
        httpx.get(f"{base}/api/v1/networks/{nid}{path}", headers=headers, timeout=300)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--actors", type=int, nargs="+", default=[1500, 10000])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if chromium is None:
        raise SystemExit("Debian's chromium is needed (apt-get install chromium)")
    say(f"seed {args.seed}")
    rows = []
    calls: dict[int, list[dict]] = {}
    with tempfile.TemporaryDirectory() as tmp, sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=chromium,
            args=["--no-sandbox", "--use-angle=swiftshader", "--enable-unsafe-swiftshader"],
        )
        for n in args.actors:
            say(f"{n} actors: generating …")
            url, nid, tokens, lina_id = build(Path(tmp), n, args.seed)
            env = {"NETWERK_DATABASE_URL": url, "NETWERK_RATE_LIMIT_PER_MINUTE": "0"}
            with live_server(env) as base:
                page = browser.new_page(viewport={"width": 1280, "height": 900})
                page.goto(f"{base}/app#token={tokens['broker']}")
                page.wait_for_selector("main[data-ready=true]")
                person_url = f"{base}/app/{nid}/actor/{lina_id}"
                map_url = f"{base}/app/{nid}/map"
                say(f"{n} actors: person page …")
                person = [paint(page, person_url, "main[data-person=ready]")]
                person += [
                    paint(page, person_url, "main[data-person=ready]") for _ in range(args.repeat)
                ]
                calls[n] = [
                    {**c, "alone": one_call(base, tokens["broker"], c["path"])}
                    for c in page.evaluate(CALLS_JS)
                ]
                say(f"{n} actors: map …")
                mapped = [paint(page, map_url, "#sigma[data-ready=true]")]
                mapped += [
                    paint(page, map_url, "#sigma[data-ready=true]") for _ in range(args.repeat)
                ]
                lina = f"/actors/{lina_id}"
                base_person = api_time(
                    base,
                    nid,
                    tokens["broker"],
                    [lina, f"{lina}/ego", f"{lina}/suggestions?limit=10", f"{lina}/decisions"],
                )
                base_map = api_time(base, nid, tokens["broker"], ["/map"])
                page.close()
            rows.append(
                (n, "person page", person[0], statistics.median(person[1:]), base_person, 1.0)
            )
            rows.append((n, "map", mapped[0], statistics.median(mapped[1:]), base_map, 3.0))
        browser.close()
    print(
        f"{'actors':>7} | {'page':<12} | {'cold s':>7} | {'warm s':>7} | "
        f"{'API only s':>10} | {'target s':>8} | ok"
    )
    print("-" * 72)
    for n, what, cold, warm, base_s, target in rows:
        ok = "yes" if warm <= target else "NO"
        print(
            f"{n:>7} | {what:<12} | {cold:7.2f} | {warm:7.2f} | {base_s:10.2f} | "
            f"{target:8.1f} | {ok}"
        )
    for n, made in calls.items():
        print(f"\nperson page at {n} actors, API calls of the last warm visit (ms):")
        print(f"{'asked at':>9} | {'server':>7} | {'done at':>8} | {'alone':>7} | call")
        for c in sorted(made, key=lambda c: c["start"]):
            print(
                f"{c['start']:9.0f} | {c['server']:7.0f} | {c['end']:8.0f} | "
                f"{c['alone'] * 1000:7.0f} | {c['path'][:70]}"
            )


if __name__ == "__main__":
    main()
