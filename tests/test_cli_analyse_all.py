"""``netwerk analyse all``: the full analysis in one JSON document, progress on stderr
(issue 12, item 6)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.test_cli import _no_english, _run

pytestmark = pytest.mark.slow

KEYS = ["summary", "stage", "key-figures", "brokers", "bridges", "communities", "gaps"]
STEPS_NL = ["Netwerk laden", "Samenvatting", "Sleutelfiguren", "Gaten"]
STEPS_EN = ["Loading the network", "Summary", "Key figures", "Gaps"]


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    db = tmp_path_factory.mktemp("all") / "all.db"
    _run(["demo", "--actors", "300"], db)
    return db


def test_all_is_one_document_with_every_analysis_and_progress_on_stderr(demo: Path) -> None:
    done = _run(["analyse", "--network", "Demo wijk", "all"], demo, env={"NETWERK_PROGRESS": "1"})
    doc = json.loads(done.stdout)  # stdout holds the JSON and nothing else
    assert list(doc) == KEYS
    assert doc["summary"]["actors"] == 300
    assert doc["stage"]["stage"]["code"] == doc["summary"]["stage"]["code"]
    assert {"recognised", "unrecognised"} <= set(doc["key-figures"])
    assert doc["communities"]["communities"] and doc["gaps"]["gaps"] is not None
    for step in STEPS_NL:
        assert step in done.stderr, done.stderr
        assert step not in done.stdout
    assert "Klaar in" in done.stderr and "Traceback" not in done.stderr

    # the same results as the analyses one by one (one snapshot, shared building blocks)
    for key in ("summary", "key-figures", "gaps"):
        alone = json.loads(_run(["analyse", "--network", "Demo wijk", key], demo).stdout)
        assert alone == doc[key], key


def test_all_to_a_file_in_english(demo: Path, tmp_path: Path) -> None:
    target = tmp_path / "analyse.json"
    done = _run(
        ["analyse", "--network", "Demo wijk", "all", "--output", str(target)],
        demo,
        lang="en",
        env={"NETWERK_PROGRESS": "1"},
    )
    assert done.stdout == ""
    assert list(json.loads(target.read_text(encoding="utf-8"))) == KEYS
    for step in STEPS_EN:
        assert step in done.stderr, done.stderr
    assert "Done in" in done.stderr

    bad = _run(
        ["analyse", "--network", "Demo wijk", "all", "--output", str(tmp_path / "no" / "x.json")],
        demo,
        lang="en",
        check=False,
    )
    assert bad.returncode == 2 and "Cannot write" in bad.stderr and "Traceback" not in bad.stderr


def test_all_without_a_terminal_shows_no_bar(demo: Path) -> None:
    done = _run(["analyse", "--network", "Demo wijk", "all"], demo)
    assert "Netwerk laden" not in done.stderr  # no terminal, no NETWERK_PROGRESS: quiet bar
    assert list(json.loads(done.stdout)) == KEYS


def test_analyse_help_names_all_and_output_in_both_languages(demo: Path) -> None:
    dutch = _run(["analyse", "--help"], demo).stdout
    assert "all" in dutch and "--output" in dutch and "naar dit bestand" in dutch
    _no_english(dutch)
    english = _run(["analyse", "--help"], demo, lang="en").stdout
    assert "every analysis but what-if" in english and "Write the JSON to this file" in english
    wrong = _run(["analyse", "--network", "Demo wijk", "alles"], demo, check=False)
    assert wrong.returncode == 2 and "what-if, all" in wrong.stderr
