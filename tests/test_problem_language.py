"""Problem details follow the request's language: Dutch by default, English with lang=en or
an Accept-Language that prefers English (api/errors.py, api/problem_text.py)."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from netwerk import errors_text as problem_text
from netwerk.i18n import keys


def _post_actor(client: TestClient, network: str, admin: dict, body: dict, **kw: Any) -> Any:
    headers = {**admin, **kw.pop("headers", {})}
    return client.post(f"/api/v1/networks/{network}/actors", json=body, headers=headers, **kw)


def test_validation_errors_are_dutch_by_default(
    client: TestClient, network: str, admin: dict
) -> None:
    r = _post_actor(client, network, admin, {"kind": "resident"})
    assert r.status_code == 422
    body = r.json()
    assert body["title"] == "Ongeldige invoer"
    assert body["errors"][0] == {
        "field": "name",
        "message": "verplicht veld ontbreekt",
        "in": "body",
    }
    assert body["detail"] == "name: verplicht veld ontbreekt"

    long = _post_actor(client, network, admin, {"kind": "resident", "name": "x" * 500})
    assert "hoogstens 200 tekens" in long.json()["errors"][0]["message"]
    several = _post_actor(client, network, admin, {"kind": "alien", "name": "", "area": 5})
    assert several.json()["detail"].endswith("(en nog 2 fouten)")
    assert "moet een van deze waarden zijn: 'resident', 'key_figure'" in str(several.json())
    assert " of 'place'" in str(several.json())  # Dutch "of", not "or"


@pytest.mark.parametrize(
    ("params", "header", "lang"),
    [
        ({"lang": "en"}, None, "en"),
        ({"lang": "nl"}, "en", "nl"),
        ({}, "en-GB,en;q=0.9", "en"),
        ({}, "fr, en;q=0.8, nl;q=0.5", "en"),
        ({}, "en;q=0.5, nl", "nl"),
        ({}, "de, fr", "nl"),
        ({}, None, "nl"),
    ],
)
def test_the_language_is_chosen_per_request(
    client: TestClient, network: str, admin: dict, params: dict, header: str | None, lang: str
) -> None:
    headers = {"Accept-Language": header} if header else {}
    r = _post_actor(client, network, admin, {"kind": "resident"}, params=params, headers=headers)
    expected = {"en": "Field required", "nl": "verplicht veld ontbreekt"}[lang]
    assert r.json()["errors"][0]["message"] == expected


def test_domain_errors_are_dutch_too(client: TestClient, network: str, admin: dict) -> None:
    bad_area = _post_actor(
        client, network, admin, {"kind": "resident", "name": "A", "area": "BU12"}
    )
    assert bad_area.status_code == 422
    assert "is geen CBS-gebiedscode" in bad_area.json()["errors"][0]["message"]
    consent = _post_actor(
        client, network, admin, {"kind": "place", "name": "P", "consent": "given"}
    )
    assert "alleen personen" in consent.json()["detail"]

    missing = client.get(f"/api/v1/networks/{network}/actors/nope", headers=admin)
    assert missing.status_code == 404
    assert missing.json()["detail"] == "actor 'nope' niet gevonden"
    assert missing.json()["title"] == "Niet gevonden"
    english = client.get(f"/api/v1/networks/{network}/actors/nope?lang=en", headers=admin)
    assert english.json()["detail"] == "actor 'nope' not found"

    anonymous = client.get("/api/v1/networks")
    assert anonymous.status_code == 401 and anonymous.json()["title"] == "Niet aangemeld"
    assert "geldig token" in anonymous.json()["detail"]

    nowhere = client.get("/api/v1/nergens", headers=admin)
    assert nowhere.status_code == 404 and "bestaat niet" in nowhere.json()["detail"]
    wrong_method = client.put("/api/v1/networks", headers=admin)
    assert wrong_method.status_code == 405
    assert "niet toegestaan" in wrong_method.json()["detail"]

    tie = client.post(
        f"/api/v1/networks/{network}/ties",
        headers=admin,
        json={"source": "a", "target": "a", "kind": "knows"},
    )
    assert tie.status_code in (404, 422)
    assert "not" not in tie.json()["detail"].split()  # no English words


def test_every_pattern_has_a_sentence_in_both_languages() -> None:
    for table, section in ((problem_text._MESSAGES, "message"), (problem_text._DOMAIN, "domain")):
        for _, key in table:
            if key == "field_detail":
                continue
            for lang in ("nl", "en"):
                assert f"problem.{section}.{key}" in keys(lang), (lang, key)


@pytest.mark.parametrize(
    "english",
    [
        "must not be empty",
        "at most 200 characters",
        "'xx' is not a theme: use at most 40 lower-case letters, digits, '_' or '-', ...",
        "'zz' is not an ISO 639 language code such as nl, ar, tr, pap",
        "'q' is not one of: given, unknown, withdrawn",
        "a whole number from 1 (weak) to 5 (strong)",
        "until is before since",
        "an open 'knows' tie between these actors exists: abc",
        "a broker token needs at least one network",
        "only an accepted suggestion has an outcome",
        "give either a focus actor or an area",
    ],
)
def test_domain_messages_have_a_dutch_sentence(english: str) -> None:
    dutch = problem_text.message(english, "nl")
    assert not dutch.startswith("ongeldige waarde ("), dutch
    assert problem_text.message(english, "en") == english
