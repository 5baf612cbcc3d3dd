"""The character rule of netwerk/safetext.py, code point by code point."""

from __future__ import annotations

import pytest

from netwerk.safetext import first_flaw, flaws, message

REFUSED = [
    ("\x00", "control"),
    ("\x08", "control"),
    ("\x1b", "control"),
    ("\x7f", "control"),
    ("\x85", "control"),
    ("\x9f", "control"),
    ("\ud800", "surrogate"),
    ("\udfff", "surrogate"),
    ("\ufdd0", "noncharacter"),
    ("\ufdef", "noncharacter"),
    ("\ufffe", "noncharacter"),
    ("\uffff", "noncharacter"),
    ("\U0001fffe", "noncharacter"),
    ("\U0010ffff", "noncharacter"),
]
ACCEPTED = [
    "a",
    "é",
    "ß",
    "ي",
    "中",
    "\u00a0",
    "\u202e",
    "\ufdcf",
    "\ufdf0",
    "\ufffd",
    "\U0001f600",
    "\U00020000",
    "\U0001fffd",
    "\U0010fffd",
]


@pytest.mark.parametrize(("char", "kind"), REFUSED)
def test_refused_everywhere(char: str, kind: str) -> None:
    for multiline in (True, False):
        flaw = first_flaw(f"ab{char}cd", multiline=multiline)
        assert flaw is not None and flaw.kind == kind and flaw.char == char


@pytest.mark.parametrize("char", ACCEPTED)
def test_text_is_text(char: str) -> None:
    assert first_flaw(f"ab{char}cd", multiline=False) is None


def test_line_breaks_only_in_multi_line_values() -> None:
    for char in "\t\n\r":
        assert first_flaw(f"a{char}b") is None
        assert first_flaw(f"a{char}b", multiline=False) is not None


def test_flaws_name_the_field_and_report_keys_on_their_object() -> None:
    document = {"name": "A\x00", "attributes": {"k\x00": 1, "ok": ["x", "y\ufffe"]}}
    found = [(field, flaw.code, key) for field, flaw, key in flaws(document)]
    assert found == [
        ("name", "U+0000", False),
        ("attributes", "U+0000", True),
        ("attributes.ok[1]", "U+FFFE", False),
    ]
    flaw = first_flaw("\x00")
    assert flaw is not None
    assert message(flaw, "nl", key=True).startswith("een sleutel bevat een stuurteken (U+0000)")


def test_the_library_applies_the_rule_without_http(engine) -> None:
    """The CLI and other callers of the library meet the same rule as the API."""
    from netwerk.errors import ValidationFailed
    from netwerk.store.actors import create_actor
    from netwerk.store.db import make_sessionmaker
    from netwerk.store.networks import create_network

    with make_sessionmaker(engine)() as session:
        for fields in ({"name": "Wijk\x00"}, {"name": "Wijk", "description": "a\ufffeb"}):
            with pytest.raises(ValidationFailed) as err:
                create_network(session, **fields)
            assert err.value.errors[0].field in fields
        network = create_network(session, name="Wijk")
        with pytest.raises(ValidationFailed) as err:
            create_actor(
                session, network.id, {"kind": "place", "name": "Plein", "attributes": {"k\x00": 1}}
            )
        assert err.value.errors[0].field == "attributes"
        session.rollback()
