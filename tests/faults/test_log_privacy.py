"""No personal data in the log, on any error path, even at DEBUG (DESIGN.md 6, README
"NETWERK_LOG_LEVEL"). Every logger is captured at DEBUG while requests carrying a name, a
note, an area, a search term and a token secret fail in every way we can force: validation
errors, 404s, a database error in the middle of a request (its parameters would be in the
exception), and an exception inside an analysis that had just loaded the network."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from typing import Any

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient

from netwerk.analysis import service

NAME = "Zyxwvu Geheimnaam"
NOTE = "geheime notitie qjxq"
AREA = "Zyxwvstraat"
SEARCH = "zyxwv-zoekterm"
SECRETS = (NAME, NOTE, AREA, SEARCH, "Zyxwvu", "qjxq", "zyxwv")
CLIENT_SIDE = {
    "httpx",
    "httpx2",
    "httpcore",
    "httpcore2",
}  # the test's own HTTP client logs its URLs; no server log


class _Everything(logging.Handler):
    def __init__(self) -> None:
        super().__init__(level=logging.DEBUG)
        self.lines: list[str] = []
        self.setFormatter(logging.Formatter("%(name)s %(levelname)s %(message)s"))

    def emit(self, record: logging.LogRecord) -> None:
        if record.name.split(".")[0] in CLIENT_SIDE:
            return
        self.lines.append(self.format(record))  # the traceback and exception text included


@pytest.fixture
def log() -> Iterator[_Everything]:
    """The root logger at DEBUG, as ``NETWERK_LOG_LEVEL=DEBUG`` makes it."""
    handler = _Everything()
    root = logging.getLogger()
    level = root.level
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    try:
        yield handler
    finally:
        root.removeHandler(handler)
        root.setLevel(level)


@pytest.fixture
def broken_sql(app: Any) -> Iterator[dict[str, bool]]:
    """While ``on``: statements touching actors fail in the database itself, the way a
    failing disk or a killed connection would, with the request's real parameters bound."""
    engine = app.state.engine
    state = {"on": False}

    def spoil(conn: Any, cursor: Any, statement: str, params: Any, context: Any, many: bool):
        if state["on"] and "actors" in statement:
            # PostgreSQL: an unknown column; SQLite: a placeholder too many (a
            # ProgrammingError there, since its "no such column" is an OperationalError)
            sqlite = conn.dialect.name == "sqlite"
            statement += " AND ? = 1" if sqlite else " AND no_such_column_zz = 1"
        return statement, params

    sa.event.listen(engine, "before_cursor_execute", spoil, retval=True)
    try:
        yield state
    finally:
        sa.event.remove(engine, "before_cursor_execute", spoil)


def _leaks(lines: list[str], extra: tuple[str, ...] = ()) -> list[str]:
    return [line[:300] for line in lines if any(s in line for s in (*SECRETS, *extra))]


def test_no_personal_data_reaches_the_log_on_any_error_path(
    client: TestClient,
    admin: dict,
    network: str,
    log: _Everything,
    broken_sql: dict[str, bool],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    base = f"/api/v1/networks/{network}"
    person = {"kind": "resident", "name": NAME, "note": NOTE, "area": AREA, "consent": "given"}
    r = client.post(f"{base}/actors", json=person, headers=admin)
    assert r.status_code == 201, r.text
    aid = r.json()["id"]
    secret = client.post(
        "/api/v1/tokens",
        json={"role": "broker", "name": "balie", "networks": [network]},
        headers=admin,
    ).json()["secret"]
    assert secret.startswith("nw_")
    statuses: list[int] = []

    def call(method: str, url: str, **kw: Any) -> None:
        headers = kw.pop("headers", admin)
        statuses.append(client.request(method, url, headers=headers, **kw).status_code)

    # validation errors that carry the data
    call("POST", f"{base}/actors", json={**person, "kind": "onbekend"})
    call("POST", f"{base}/actors", json={**person, "area": AREA + "@!"})
    call("PATCH", f"{base}/actors/{aid}", json={"note": NOTE * 200})
    call("GET", f"{base}/actors?q={SEARCH}&limit=0")
    # 404s naming what was looked for
    call("GET", f"{base}/actors/{SEARCH}")
    call("GET", f"/api/v1/networks/{SEARCH}/actors?q={SEARCH}")
    call("GET", f"{base}/analysis/what-if?remove={SEARCH}")
    # the token secret: valid, and a wrong one
    call("GET", f"{base}/actors?q={SEARCH}", headers={"Authorization": f"Bearer {secret}"})
    call("GET", f"{base}/actors", headers={"Authorization": f"Bearer {secret}x"})
    # a database error in the middle of a request, with the search term and a name bound
    broken_sql["on"] = True
    call("GET", f"{base}/actors?q={SEARCH}")
    call("POST", f"{base}/actors", json={**person, "name": NAME + " twee"})
    call("PATCH", f"{base}/actors/{aid}", json={"note": NOTE, "area": AREA})
    broken_sql["on"] = False

    # an exception inside an analysis that has just loaded every name
    def failing(source: Any, network_id: str, **kw: Any) -> Any:
        service._snapshot(source, network_id, None, "nl")
        raise RuntimeError("analysis failed")

    monkeypatch.setattr(service, "summary", failing)
    call("GET", f"{base}/analysis/summary?lang=nl")

    assert 500 in statuses and 422 in statuses and 404 in statuses and 401 in statuses, statuses
    assert len(log.lines) >= 12, "the capture saw nothing: is the root logger at DEBUG?"
    assert not _leaks(log.lines, (secret,)), "\n".join(_leaks(log.lines, (secret,)))


def test_engines_hide_parameters(app: Any) -> None:
    assert app.state.engine.hide_parameters
