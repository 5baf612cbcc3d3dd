"""The workspace's pages without a browser: a strict Content-Security-Policy and the API's
security headers on every page, assets served from the package (never its Python files),
no inline script or style, and catalogues that hold every key the pages use, in both
languages."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from api.routers.web import ASSET_FOLDERS
from web import page

ROOT = Path(__file__).resolve().parents[1]
WEB = ROOT / "web"
STRICT = {
    "default-src 'none'",
    "script-src 'self'",
    "style-src 'self'",
    "connect-src 'self'",
    "frame-ancestors 'none'",
    "base-uri 'none'",
    "form-action 'self'",
}


@pytest.mark.parametrize(
    "path", ["/app", "/app/", "/app/abc", "/app/abc/actor/xyz", "/app/abc/map?lang=en"]
)
def test_every_page_has_a_strict_csp_and_security_headers(client: TestClient, path: str) -> None:
    r = client.get(path)
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")
    csp = {part.strip() for part in r.headers["content-security-policy"].split(";")}
    assert csp >= STRICT
    assert not any("unsafe" in part for part in csp)
    assert r.headers["x-frame-options"] == "DENY"
    assert r.headers["x-content-type-options"] == "nosniff"
    assert r.headers["referrer-policy"] == "no-referrer"
    assert r.headers["cache-control"] == "no-store"
    assert "set-cookie" not in r.headers


def test_assets_are_served_and_python_files_are_not(client: TestClient) -> None:
    for path in [
        "/web/js/app/main.js",
        "/web/css/app.css",
        "/web/i18n/nl.json",
        "/web/vendor/sigma-3.0.3.min.js",
        "/web/img/icon.svg",
    ]:
        r = client.get(path)
        assert r.status_code == 200, path
        assert r.headers["x-content-type-options"] == "nosniff"
    assert (
        client.get("/web/js/app/main.js")
        .headers["content-type"]
        .startswith(("text/javascript", "application/javascript"))
    )
    vendor = client.get("/web/vendor/sigma-3.0.3.min.js").headers["cache-control"]
    assert "immutable" in vendor  # versioned file names
    page = client.get("/web/js/app/main.js")
    assert page.headers["cache-control"] == "no-cache"  # revalidated: a release shows at once
    again = client.get("/web/js/app/main.js", headers={"if-none-match": page.headers["etag"]})
    assert again.status_code == 304
    for path in ["/web/__init__.py", "/web/js/../__init__.py", "/web/vendor/../../api/app.py"]:
        assert client.get(path).status_code == 404, path


def test_no_inline_script_or_style() -> None:
    for html in WEB.glob("*.html"):
        text = html.read_text(encoding="utf-8")
        assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", text), html
        assert "<style" not in text and " style=" not in text and "javascript:" not in text
        assert not re.search(r"\son[a-z]+=", text), f"inline event handler in {html}"
    for js in (WEB / "js").rglob("*.js"):
        text = js.read_text(encoding="utf-8")
        assert "innerHTML" not in text and "eval(" not in text and "new Function" not in text, js
        assert "localStorage.setItem" not in text and "document.cookie" not in text, js


def _flat(node: dict, prefix: str = "") -> dict[str, object]:
    out: dict[str, object] = {}
    for key, value in node.items():
        path = f"{prefix}{key}"
        if isinstance(value, dict) and not set(value) <= {"one", "other"}:
            out.update(_flat(value, path + "."))
        else:
            out[path] = value
    return out


def _catalogue(lang: str) -> dict[str, object]:
    return _flat(json.loads((WEB / "i18n" / f"{lang}.json").read_text(encoding="utf-8")))


def test_catalogues_have_the_same_keys_and_placeholders() -> None:
    nl, en = _catalogue("nl"), _catalogue("en")
    assert set(nl) == set(en), set(nl) ^ set(en)
    for key in nl:
        holes = [set(re.findall(r"\{(\w+)\}", json.dumps(c[key]))) for c in (nl, en)]
        assert holes[0] == holes[1], key


def test_every_key_the_pages_use_is_in_the_catalogue() -> None:
    nl = _catalogue("nl")
    keys = set()
    for js in (WEB / "js").rglob("*.js"):
        keys |= set(re.findall(r"""\bt\(\s*["']([a-z_]+\.[a-z_.]+)["']""", js.read_text()))
    for html in WEB.glob("*.html"):
        keys |= set(re.findall(r'data-i18n(?:-label)?="([^"]+)"', html.read_text()))
    assert len(keys) > 100
    missing = sorted(k for k in keys if k not in nl)
    assert not missing, missing
    # keys built at run time: every value of the model has its word
    for group in ("kinds", "tie_kinds", "support", "consent", "basis", "roles"):
        assert any(k.startswith(f"common.{group}.") for k in nl)


def test_dutch_by_default() -> None:
    shell = page("app")
    assert '<html lang="nl">' in shell
    assert 'LANG = sessionStorage.getItem("netwerk-lang") === "en" ? "en" : "nl"' in (
        WEB / "js" / "core" / "i18n.js"
    ).read_text(encoding="utf-8")


def test_the_package_and_the_image_carry_the_pages() -> None:
    pyproject = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    assert '"web*"' in pyproject
    (line,) = [x for x in pyproject.splitlines() if x.startswith("web = [")]
    for folder in ASSET_FOLDERS:
        assert f'"{folder}/' in line, folder
    assert "COPY web ./web" in (ROOT / "Dockerfile").read_text(encoding="utf-8")
