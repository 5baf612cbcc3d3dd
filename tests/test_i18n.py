"""The catalogues: both languages complete, the same placeholders, Dutch number format."""

from __future__ import annotations

import string

import pytest

from netwerk.i18n import LANGS, catalogue, keys, number, percent, text


def _fields(entry: str | dict[str, str]) -> set[str]:
    parts = entry.values() if isinstance(entry, dict) else [entry]
    return {f for p in parts for _, f, _, _ in string.Formatter().parse(p) if f}


def test_every_key_is_in_every_language() -> None:
    assert keys("nl") == keys("en")


@pytest.mark.parametrize("key", sorted(keys("nl")))
def test_placeholders_agree(key: str) -> None:
    names = [{f.split(":")[0] for f in _fields(catalogue(lang)[key])} for lang in LANGS]
    assert names[0] == names[1], key


def test_numbers_follow_the_language() -> None:
    assert number(1234.5, "nl") == "1.234,5"
    assert number(1234.5, "en") == "1,234.5"
    assert number(0.11, "nl", 2) == "0,11"
    assert number(3.0, "nl") == "3"
    assert percent(0.0011, "nl", 2) == "0,11%"


def test_plural_agreement() -> None:
    assert text("demo.example", "nl", count=1, share=0.5) == "Een los deel van 1 actor (50%)."
    assert text("demo.example", "nl", count=4, share=0.5) == "Een los deel van 4 actoren (50%)."
