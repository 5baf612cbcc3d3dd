"""The demo story of the broker's workspace, added through the API on top of a synthetic
neighbourhood: Lina (a new resident of the Kerkstraat who asks for taal and ontmoeting),
Karim (a key figure in the Kerkstraat who knows her well and volunteers at the taalcafé) and
the Taalcafé De Kerk (an initiative in the Kerkstraat that offers taal and ontmoeting).

Used by the browser tests and ``bench/web.py``; it passes whether or not ``netwerk demo``
itself tells the story (the names here do not occur in the synthetic data)."""

from __future__ import annotations

from dataclasses import dataclass

import httpx

LINA = "Lina Mansour"
KARIM = "Karim Boukhari"
CAFE = "Taalcafé De Kerk"
STREET = "Kerkstraat"


@dataclass(frozen=True)
class Story:
    lina: str
    karim: str
    cafe: str


def add_story(base: str, network_id: str, admin_token: str) -> Story:
    headers = {"Authorization": f"Bearer {admin_token}"}
    root = f"{base}/api/v1/networks/{network_id}"

    def post(path: str, body: dict) -> str:
        r = httpx.post(f"{root}{path}", json=body, headers=headers, timeout=60)
        assert r.status_code == 201, r.text
        return str(r.json()["id"])

    lina = post(
        "/actors",
        {
            "kind": "resident",
            "name": LINA,
            "area": STREET,
            "languages": ["ar"],
            "needs": ["taal", "ontmoeting"],
            "consent": "given",
            "consent_basis": "consent",
        },
    )
    karim = post(
        "/actors",
        {
            "kind": "key_figure",
            "name": KARIM,
            "area": STREET,
            "languages": ["nl", "ar"],
            "assets": ["klussen"],
            "consent": "given",
        },
    )
    cafe = post(
        "/actors",
        {"kind": "initiative", "name": CAFE, "area": STREET, "assets": ["taal", "ontmoeting"]},
    )
    post("/ties", {"source": lina, "target": karim, "kind": "neighbour", "strength": 4})
    post("/ties", {"source": karim, "target": cafe, "kind": "volunteers_at", "strength": 5})
    return Story(lina=lina, karim=karim, cafe=cafe)
