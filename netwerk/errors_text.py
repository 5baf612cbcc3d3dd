"""The words of errors in the reader's language (Dutch by default): problem details of the API
and the messages of the CLI.

Three sources of sentences, three ways to put them into Dutch:

* **titles** — one per problem type (``problem.title.*``);
* **pydantic's validation errors** — by error *type* (``missing``, ``string_too_long``,
  ``int_parsing``, ...; ``problem.field.*``), filled with the error's context (limits,
  expected values); a type without a sentence gets a general one that names the type;
* **the domain's messages** (``netwerk`` raises them in English, the language of code and
  logs) — matched by the patterns below (``problem.domain.*``), whose named groups fill the
  sentence. A message no pattern knows keeps its English words behind a Dutch lead-in, so it
  is never silently wrong; the catalogue test and ``tests/test_problem_language.py`` keep
  the table complete for the messages the API can produce.

The language is the request's: ``lang=en`` or ``lang=nl`` in the query, else the first of
``en``/``nl`` in ``Accept-Language`` by its q-values, else Dutch (:func:`api.deps.language`).
"""

from __future__ import annotations

import re
from typing import Any

from netwerk.i18n import catalogue, text

__all__ = ["domain_message", "field_message", "join_detail", "message", "title", "what"]

_WHAT_NL = {
    "network": "netwerk",
    "actor": "actor",
    "tie": "relatie",
    "token": "token",
    "feedback": "feedback",
    "suggestion": "voorstel",
    "route": "adres",
    "job": "berekening",
}


def title(type_: str, lang: str, english: str) -> str:
    entry = catalogue(lang).get(f"problem.title.{type_}")
    return entry if isinstance(entry, str) else english


def what(name: str, lang: str) -> str:
    return _WHAT_NL.get(name, name) if lang == "nl" else name


# (pattern over the whole English message, catalogue key under problem.domain)
_DOMAIN: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(p, re.S), k)
    for p, k in (
        (r"(?P<what>\w+) '(?P<id>.*)' not found", "not_found_id"),
        (r"(?P<what>\w+) not found", "not_found"),
        (r"the role '(?P<role>\w+)' may not do this", "role_forbidden"),
        (r"a valid bearer token is required", "token_required"),
        (r"this token is revoked or expired", "token_revoked"),
        (r"too many requests for this token; slow down", "rate_limited"),
        (r"the analysis took longer than (?P<seconds>[\d.]+) s; .*", "timeout"),
        (r"no pseudonym key is configured.*", "no_key"),
        (r"the pseudonym key must be at least (?P<count>\d+) bytes long", "short_key"),
        (r"(?P<where>.+?): (?P<message>.+?)(?: \(and (?P<more>\d+) more\))?", "field_detail"),
    )
)

# field messages (ValidationFailed and import errors): pattern → key under problem.message
_MESSAGES: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(p, re.S), k)
    for p, k in (
        (r"required", "required"),
        (r"required: an actor id", "required_actor"),
        (r"must not be empty", "not_empty"),
        (r"may not be null", "not_null"),
        (r"control characters are not allowed", "control_characters"),
        (r"at most (?P<n>\d+) characters", "max_chars"),
        (r"at most (?P<n>\d+) themes", "max_themes"),
        (r"at most (?P<n>\d+) languages", "max_languages"),
        (r"at most (?P<n>\d+) attributes", "max_attributes"),
        (r"at most (?P<n>\d+) codes", "max_codes"),
        (r"attribute names are 1 to (?P<n>\d+) characters", "attribute_names"),
        (r"attribute values are strings, numbers, booleans or null", "attribute_values"),
        (r"not a field of (?:a |an )?(?P<what>\w+)", "not_a_field"),
        (r"not a JSON object", "not_object"),
        (r"not a cursor returned by this API", "bad_cursor"),
        (r"a date as YYYY-MM-DD", "date"),
        (r"use an ISO 8601 date \(YYYY-MM-DD\)", "date"),
        (r"use an ISO 8601 date-time", "datetime"),
        (r"a finite number", "finite"),
        (r"a theme is a string", "theme_string"),
        (r"a language is a string", "language_string"),
        (r"'(?P<value>.*)' is not a theme: .*", "not_a_theme"),
        (r"'(?P<value>.*)' is not an ISO 639 language code.*", "not_a_language"),
        (r"'(?P<value>.*)' is not a CBS area code: .*", "not_an_area_code"),
        (r"an area is a CBS code .*", "area"),
        (r"'(?P<value>.*)' is not an actor kind: use one of (?P<allowed>.+)", "not_one_of"),
        (r"'(?P<value>.*)' is not one of:? (?P<allowed>.+)", "not_one_of"),
        (r"'(?P<value>.*)' is not a known reason code", "not_a_reason"),
        (r"use one of (?P<allowed>.+)", "use_one_of"),
        (r"a whole number from (?P<low>\d+) \(weak\) to (?P<high>\d+) \(strong\)", "strength"),
        (r"a whole number from (?P<low>\d+) to (?P<high>\d+)", "whole_between"),
        (r"must be a whole number of at least 1(?: and at most (?P<high>\d+))?", "whole_min1"),
        (r"between (?P<low>\d+) and (?P<high>\d+)", "between"),
        (r"must be between (?P<low>[\d.]+) and (?P<high>[\d.]+)", "between"),
        (r"must be at least (?P<low>\d+)", "at_least"),
        (r"must be greater than (?P<low>\d+)", "greater_than"),
        (r"must be in the future", "future"),
        (r"at least 30 days, or null for no purge", "retention"),
        (r"at least one theme", "one_theme"),
        (r"a list of reason codes", "reason_list"),
        (r"until is before since", "until_before_since"),
        (r"'from' must not be after 'to'", "from_after_to"),
        (r"a network needs a name", "network_name"),
        (r"a (?P<role>\w+) token needs at least one network", "token_network"),
        (r"network '(?P<value>.*)' does not exist", "network_missing"),
        (r"actor '(?P<value>.*)' is not in this network", "actor_elsewhere"),
        (r"a tie needs two different actors", "two_actors"),
        (r"a pair needs two different actors", "two_actors"),
        (r"a suggestion pairs two different actors", "two_actors"),
        (r"the introducer is a third actor", "third_actor"),
        (r"an open '(?P<kind>\w+)' tie between these actors exists: (?P<value>.*)", "open_tie"),
        (r"external_ref '(?P<value>.*)' is already used by another actor", "external_ref"),
        (r"only persons .* carry consent", "consent_persons"),
        (r"only an accepted suggestion has an outcome", "outcome_accepted"),
        (r"a tie is created only .*", "tie_only_formed"),
        (r"give either a focus actor or an area", "focus_or_area"),
        (r"language must be 'nl' or 'en'", "language"),
        (r"reach is 1, 2 or 3 steps", "reach"),
        (r"steps is 1 to 4", "steps"),
        # import and export (netwerk.exchange)
        (r"'(?P<value>.*)' is not a format; use one of:? (?P<allowed>.+)", "not_a_format"),
        (r"'(?P<value>.*)' cannot be (?:exported|imported)", "format_unsupported"),
        (
            r"'(?P<value>.*)' is not a known (?P<what>[\w ]+); use one of:? (?P<allowed>.+)",
            "not_one_of",
        ),
        (r"'(?P<value>.*)' is not a date \(use YYYY-MM-DD\)", "not_a_date"),
        (r"'?(?P<value>.*?)'? is not a strength: .*", "not_a_strength"),
        (r"a tie needs a (?P<end>\w+)", "tie_needs_end"),
        (r"at most (?P<n>\d+) vertices", "max_vertices"),
        (r"(?P<n>\d+) more errors not listed", "more_errors"),
        (r"not UTF-8 text .*", "not_utf8"),
        (r"not UTF-8 encoded JSON", "not_utf8"),
        (r"'(?P<value>.*)' is not UTF-8 XML", "not_utf8"),
        (r"not valid JSON: .*", "not_json"),
        (r"expected .*JSON.*|expected a list or an object", "json_shape"),
        (r"not well-formed XML .*", "not_xml"),
        (r"not a (?P<what>GraphML|GEXF) document .*", "wrong_document"),
        (
            r"XML with a document type declaration .*|'.*' declares a DTD or entities: .*"
            r"|refused for safety .*|'.*' expands more than 1000-fold: refused",
            "unsafe",
        ),
        (r"not a readable CSV: .*|the CSV file is empty", "bad_csv"),
        (r"not a readable zip archive|the zip holds no \.csv tables", "bad_zip"),
        (
            r"not a readable XLSX workbook .*|the workbook has no sheet with a header row",
            "bad_xlsx",
        ),
        (r"the archive unpacks to (?P<n>\d+) bytes, .*", "too_big_unpacked"),
        (r"table=actors\|ties applies to the csv format only", "table_csv"),
        (r"not a field; map any of: (?P<allowed>.+)", "mapping_field"),
        (r"give the column name in the file", "mapping_column"),
        (r"'(?P<value>.*)' sections are not supported .*", "pajek_section"),
        (r"'\*Vertices' needs the number of vertices", "pajek_vertices"),
    )
)


def _match(
    table: tuple[tuple[re.Pattern[str], str], ...], message: str
) -> tuple[str, dict[str, str]] | None:
    for pattern, key in table:
        m = pattern.fullmatch(message.strip())
        if m:
            return key, {k: v for k, v in m.groupdict().items() if v is not None}
    return None


def message(english: str, lang: str) -> str:
    """A field message (domain validation, import rows) in ``lang``."""
    if lang == "en":
        return english
    found = _match(_MESSAGES, english)
    if found is None:
        return text("problem.message.unknown", lang, message=english)
    key, values = found
    if "allowed" in values:
        values["allowed"] = values["allowed"].replace(" or ", " of ")
    if "what" in values:
        values["what"] = what(values["what"], lang)
    return text(f"problem.message.{key}", lang, **values)


def domain_message(english: str, lang: str) -> str:
    """The ``detail`` of a domain error in ``lang``."""
    if lang == "en":
        return english
    found = _match(_DOMAIN, english)
    if found is None:
        return message(english, lang)
    key, values = found
    if key == "field_detail":
        return join_detail(values["where"], message(values["message"], lang), values, lang)
    if "what" in values:
        values["what"] = what(values["what"], lang)
    return text(f"problem.domain.{key}", lang, **values)


def join_detail(where: str, sentence: str, values: dict[str, Any], lang: str) -> str:
    """``"<where>: <sentence>"`` with "row 3" / "line 4" and "(and 2 more)" in ``lang``."""
    m = re.fullmatch(r"(row|line) (\d+), (.*)", where)
    if m and lang == "nl":
        where = f"{'rij' if m.group(1) == 'row' else 'regel'} {m.group(2)}, {m.group(3)}"
    more = values.get("more")
    tail = text("problem.more", lang, count=int(more)) if more else ""
    return f"{where}: {sentence}{tail}"


def field_message(error: dict[str, Any], lang: str) -> str:
    """One pydantic validation error in ``lang``, by its type and context."""
    english = str(error.get("msg", "invalid"))
    if english.startswith("Value error, "):
        english = english[len("Value error, ") :]
    if lang == "en":
        return english
    kind = str(error.get("type", ""))
    if kind in ("value_error", "assertion_error"):
        return message(english, lang)
    ctx = {k: _plain(v, lang) for k, v in (error.get("ctx") or {}).items()}
    entry = catalogue(lang).get(f"problem.field.{kind}")
    if entry is None:
        return text("problem.field.other", lang, type=kind)
    try:
        return text(f"problem.field.{kind}", lang, **ctx)
    except (KeyError, IndexError):
        return text("problem.field.other", lang, type=kind)


def _plain(value: Any, lang: str) -> Any:
    if isinstance(value, str) and lang == "nl":
        return value.replace(" or ", " of ")
    return value
