"""What the input guard (api/inputguard.py) costs per request, against the same ASGI call
without it, in the same run: route matching, query parsing and, for routes with a JSON body,
buffering and re-reading the body (parsed only when it could hold a forbidden character:
non-ASCII or with a backslash escape).

    .venv/bin/python bench/inputguard.py [--rounds 2000]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from api.app import create_app
from api.inputguard import InputGuard
from netwerk.config import Settings


async def _endpoint(scope: Any, receive: Any, send: Any) -> None:
    """Stands in for the router: reads the body, answers 204."""
    more = True
    while more:
        message = await receive()
        more = message.get("more_body", False)
    await send({"type": "http.response.start", "status": 204, "headers": []})
    await send({"type": "http.response.body", "body": b""})


def _scope(app: Any, method: str, path: str, query: str, body: bytes) -> dict[str, Any]:
    return {
        "type": "http",
        "method": method,
        "path": path,
        "raw_path": path.encode(),
        "root_path": "",
        "query_string": query.encode(),
        "headers": [(b"content-type", b"application/json"), (b"content-length", b"%d" % len(body))],
        "app": app,
    }


async def _time(handler: Any, scope: dict[str, Any], body: bytes, rounds: int) -> float:
    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": body, "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        return None

    for _ in range(50):
        await handler(dict(scope), receive, send)
    samples = []
    for _ in range(rounds):
        start = time.perf_counter()
        await handler(dict(scope), receive, send)
        samples.append((time.perf_counter() - start) * 1e6)
    return statistics.median(samples)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=2000)
    args = parser.parse_args()
    app = create_app(Settings(database_url="sqlite://", environment="test"))
    guarded = InputGuard(_endpoint)
    actor = {
        "kind": "resident",
        "name": "Fatima el Amrani",
        "note": "Spreekt Arabisch en Nederlands; zoekt een taalmaatje. " * 10,
        "attributes": {f"kenmerk_{i}": "waarde " * 5 for i in range(40)},
    }
    zoe = {**actor, "name": "Zoë Ğüneş"}
    big = {"kind": "resident", "name": "X", "note": "n" * 1_900_000}
    cases = [
        (
            "GET actors ?q=&kind=&limit=",
            "GET",
            "/api/v1/networks/n1/actors",
            "q=fat&kind=resident&limit=20",
            {},
        ),
        ("GET analysis (no query)", "GET", "/api/v1/networks/n1/analysis/summary", "", {}),
        ("POST actor, 3 KB ASCII", "POST", "/api/v1/networks/n1/actors", "", actor),
        ("POST actor, 3 KB with 'Zoë'", "POST", "/api/v1/networks/n1/actors", "", zoe),
        ("POST actor, 1.9 MB body", "POST", "/api/v1/networks/n1/actors", "", big),
    ]
    print(f"{'request':<30}{'without guard µs':>18}{'with guard µs':>16}{'extra µs':>10}")
    for label, method, path, query, document in cases:
        raw = json.dumps(document, ensure_ascii=False) if method == "POST" else ""
        body = raw.encode()
        scope = _scope(app, method, path, query, body)
        rounds = max(20, args.rounds // 100) if len(body) > 100_000 else args.rounds
        bare = asyncio.run(_time(_endpoint, scope, body, rounds))
        with_guard = asyncio.run(_time(guarded, scope, body, rounds))
        print(f"{label:<30}{bare:>18.1f}{with_guard:>16.1f}{with_guard - bare:>10.1f}")


if __name__ == "__main__":
    main()
