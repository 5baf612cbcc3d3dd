"""Third-party JavaScript is vendored, pinned and checked: every file in ``web/vendor/`` and
``tests/vendor/`` is listed in that folder's MANIFEST.json with its licence, and its SHA-256
matches (a changed byte fails the suite)."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
FOLDERS = [ROOT / "web" / "vendor", ROOT / "tests" / "vendor"]
PAPERWORK = {"MANIFEST.json", "README.md"}


@pytest.mark.parametrize("folder", FOLDERS, ids=lambda p: p.parent.name)
def test_every_vendored_file_is_listed_licensed_and_unchanged(folder: Path) -> None:
    manifest = json.loads((folder / "MANIFEST.json").read_text(encoding="utf-8"))
    listed: set[str] = set()
    for pkg in manifest["packages"]:
        assert pkg["version"] and pkg["licence"] and pkg["npm_integrity"].startswith("sha512-")
        licence = folder / pkg["licence_file"]
        assert licence.is_file() and licence.stat().st_size > 500, licence
        data = (folder / pkg["file"]).read_bytes()
        assert hashlib.sha256(data).hexdigest() == pkg["sha256"], f"{pkg['file']} was changed"
        assert pkg["version"] in pkg["file"]
        listed |= {pkg["file"], pkg["licence_file"]}
    present = {p.name for p in folder.iterdir() if p.is_file()} - PAPERWORK
    assert present == listed, f"unlisted or missing files: {present ^ listed}"


def test_the_app_serves_no_cdn_script() -> None:
    for path in (ROOT / "web").rglob("*"):
        if path.suffix in {".html", ".js", ".css"} and "vendor" not in path.parts:
            text = path.read_text(encoding="utf-8")
            assert "https://" not in text and "http://" not in text.replace(
                "http://www.w3.org/2000/svg", ""
            ), path
