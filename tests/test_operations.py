"""Operations: Prometheus metrics (off by default, no token, no ids in labels), request ids
in a response header, the logs and the audit row, JSON logs, and readiness details."""

from __future__ import annotations

import io
import json
import logging
import re
from collections.abc import Callable

import sqlalchemy as sa
from fastapi.testclient import TestClient

from api.app import create_app
from netwerk.config import Settings
from netwerk.logs import JsonFormatter, RequestIdFilter, configure_logging
from tests.conftest import auth

ROUTE_LABEL = re.compile(r'route="([^"]*)"')
ACTOR_ROWS = re.compile(r'^netwerk_import_rows_total\{table="actors"\} (\S+)$', re.MULTILINE)


def actor_rows_imported(text: str) -> float:
    """The import-rows counter for actors in an exposition: process-global, so other tests'
    imports are in it too (0 before the first import labels it)."""
    found = ACTOR_ROWS.search(text)
    return float(found.group(1)) if found else 0.0


def test_metrics_are_off_unless_switched_on(client: TestClient) -> None:
    assert client.get("/metrics").status_code == 404


def test_metrics_in_prometheus_format_without_ids(
    engine: sa.Engine, settings: Settings, make_token: Callable[..., str]
) -> None:
    app = create_app(
        settings.model_copy(update={"metrics": True, "rate_limit_per_minute": 12}), engine=engine
    )
    admin = auth(make_token("admin"))
    with TestClient(app, raise_server_exceptions=False) as c:
        nid = c.post("/api/v1/networks", json={"name": "Metriekwijk"}, headers=admin).json()["id"]
        aid = c.post(
            f"/api/v1/networks/{nid}/actors",
            json={"kind": "resident", "name": "Mila Metriek"},
            headers=admin,
        ).json()["id"]
        rows_before = actor_rows_imported(c.get("/metrics").text)
        c.post(
            f"/api/v1/networks/{nid}/import",
            params={"format": "csv", "table": "actors"},
            content=b"name,kind\nTaalcafe,initiative\nBuurthuis,place\n",
            headers=admin,
        )
        c.get(f"/api/v1/networks/{nid}/analysis/summary", headers=admin)
        c.get(f"/api/v1/networks/{nid}/analysis/summary", headers=admin)
        c.get(f"/api/v1/networks/{nid}/actors", params={"q": "Mila"}, headers=admin)
        codes = [c.get("/api/v1/networks", headers=admin).status_code for _ in range(12)]
        assert 429 in codes
        r = c.get("/metrics")  # no token needed
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("text/plain")
    text = r.text
    assert (
        'netwerk_http_requests_total{method="POST",route="/api/v1/networks/{nid}/actors",'
        'status="201"}' in text
    )
    assert 'netwerk_http_request_duration_seconds_bucket{le="0.005",method="GET",' in text
    assert 'netwerk_analysis_duration_seconds_count{analysis="route.summary"}' in text
    assert "netwerk_snapshot_load_duration_seconds_count" in text
    assert 'netwerk_cache_hits_total{cache="results"}' in text
    assert 'netwerk_cache_misses_total{cache="snapshots"}' in text
    assert ACTOR_ROWS.search(text)
    assert actor_rows_imported(text) - rows_before == 2  # this test's import, whatever ran before
    assert re.search(r"netwerk_rate_limit_refusals_total [1-9]", text)
    assert "netwerk_audit_write_failures_total" in text
    # labels are route templates and fixed words only: never an id, a name or a search term
    for forbidden in (nid, aid, "Mila", "Metriekwijk", "Taalcafe"):
        assert forbidden not in text
    routes = set(ROUTE_LABEL.findall(text))
    assert routes and all(r.startswith("/") or r == "(unmatched)" for r in routes)
    assert all(("{" in r) or ("/networks/" not in r) for r in routes), routes


def test_request_id_goes_back_into_the_header_the_log_and_the_audit_row(
    client: TestClient, admin: dict, network: str, engine: sa.Engine, caplog: object
) -> None:
    mine = client.get(
        f"/api/v1/networks/{network}", headers={**admin, "X-Request-ID": "ticket-4711.a"}
    )
    assert mine.headers["x-request-id"] == "ticket-4711.a"
    fresh = client.get(f"/api/v1/networks/{network}", headers=admin)
    assert re.fullmatch(r"[0-9a-f]{32}", fresh.headers["x-request-id"])
    hostile = client.get(
        f"/api/v1/networks/{network}", headers={**admin, "X-Request-ID": "a b\tc" + "x" * 80}
    )
    assert re.fullmatch(r"[0-9a-f]{32}", hostile.headers["x-request-id"])  # replaced
    with engine.connect() as conn:
        rows = conn.execute(
            sa.text("SELECT route, status FROM audit_events WHERE request_id = :r"),
            {"r": "ticket-4711.a"},
        ).all()
    assert rows == [("/api/v1/networks/{nid}", 200)]
    listed = client.get(
        "/api/v1/audit", params={"network": network, "limit": 5}, headers=admin
    ).json()["items"]
    assert fresh.headers["x-request-id"] in {e["request_id"] for e in listed}


def test_json_log_lines_carry_the_request_id(client: TestClient, admin: dict, network: str) -> None:
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    handler.addFilter(RequestIdFilter())
    access = logging.getLogger("netwerk.access")
    access.addHandler(handler)
    old = access.level
    access.setLevel(logging.INFO)
    try:
        client.get(
            f"/api/v1/networks/{network}/actors",
            params={"q": "Geheimenaam"},
            headers={**admin, "X-Request-ID": "json-log-1"},
        )
    finally:
        access.removeHandler(handler)
        access.setLevel(old)
    lines = [json.loads(x) for x in stream.getvalue().splitlines()]
    mine = [x for x in lines if x.get("request_id") == "json-log-1"]
    assert mine, lines
    line = mine[0]
    assert line["route"] == "/api/v1/networks/{nid}/actors"
    assert line["status"] == 200 and line["method"] == "GET"
    assert line["level"] == "INFO" and "time" in line and "duration_ms" in line
    assert "Geheimenaam" not in stream.getvalue() and network not in stream.getvalue()


def test_log_format_setting_installs_one_json_handler() -> None:
    root = logging.getLogger()
    before = list(root.handlers)
    level = root.level
    try:
        configure_logging("INFO", "json")
        configure_logging("INFO", "json")
        ours = [h for h in root.handlers if getattr(h, "_netwerk", False)]
        assert len(ours) == 1 and isinstance(ours[0].formatter, JsonFormatter)
    finally:
        for h in list(root.handlers):
            if h not in before:
                root.removeHandler(h)
        root.setLevel(level)
