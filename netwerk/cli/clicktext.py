"""Click's and Typer's own words ("Usage:", "Options", "Show this message and exit.",
"Missing option", ...) in the CLI's language.

Typer (0.29) carries its own copy of Click whose sentences are plain strings, and computes
its panel titles once at import. They are put into the CLI's language at five seams, each
with the sentence from the catalogue (``cli.click.*``):

* the panel titles and hints of ``typer.rich_utils`` (module constants);
* the ``Usage:`` prefix (``HelpFormatter.write_usage``) and the help option's text
  (``decorators.help_option``);
* the type shown next to a flag (``<bool>``) is left out: a flag takes no value;
* error messages: :func:`translate_error` rewrites the English message of every Click error
  (missing option, unknown option, bad value, ...) by pattern before Typer prints it.

English (``NETWERK_LANG=en``) changes nothing. The CLI test fails when ``--help`` or a usage
error shows one of these English phrases in Dutch mode.
"""

from __future__ import annotations

import importlib
import re
from collections.abc import Callable
from typing import Any

from netwerk.i18n import catalogue

__all__ = ["install", "translate_error"]

_CONSTANTS = {
    "DEPRECATED_STRING": "deprecated",
    "DEFAULT_STRING": "default_rich",
    "ENVVAR_STRING": "envvar_rich",
    "REQUIRED_LONG_STRING": "required_rich",
    "ARGUMENTS_PANEL_TITLE": "arguments",
    "OPTIONS_PANEL_TITLE": "options",
    "COMMANDS_PANEL_TITLE": "commands",
    "ERRORS_PANEL_TITLE": "error",
    "ABORTED_TEXT": "aborted",
    "RICH_HELP": "try_help_rich",
}

# English message (a whole-message pattern) → catalogue key; named groups fill the sentence.
_ERRORS: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(pattern, re.S), key)
    for pattern, key in (
        (r"Missing option (?P<name>.+?)\.(?: .*)?", "missing_option"),
        (r"Missing argument (?P<name>.+?)\.(?: .*)?", "missing_argument"),
        (r"Missing parameter:? (?P<name>.+?)\.?", "missing_parameter"),
        (r"Missing command\.", "missing_command"),
        (r"No such command (?P<name>.+?)\.", "no_such_command"),
        (r"No such option: (?P<name>\S+)(?: Did you mean (?P<hint>\S+)\?)?\.?", "no_such_option"),
        (r"No such option: (?P<name>\S+) \(Possible options: (?P<options>.+)\)",
         "no_such_option"),
        (r"Input should be a valid (?P<type>integer|number|boolean)\b.*", "input_type"),
        (r"Option (?P<name>.+?) requires an argument\.", "requires_argument"),
        (r"Option (?P<name>.+?) requires (?P<count>\d+) arguments\.", "requires_arguments"),
        (r"Option (?P<name>.+?) does not take a value\.", "no_value"),
        (r"Got unexpected extra arguments? \((?P<args>.+)\)", "extra_arguments"),
        (r"Invalid value for (?P<name>.+?): (?P<message>.+)", "invalid_value_for"),
        (r"Invalid value: (?P<message>.+)", "invalid_value"),
        (r"'?(?P<value>.*?)'? is not a valid (?P<type>integer|float|int|boolean|bool)\.?",
         "not_a_number"),
        (r"(?P<value>.+?) is not in the range (?P<range>.+?)\.", "not_in_range"),
        (r"'?(?P<value>.*?)'? is not one of (?P<choices>.+?)\.", "not_choice"),
    )
)  # fmt: skip


def translate_error(message: str, lang: str) -> str:
    """Click's English error ``message`` in ``lang`` (unchanged when no pattern matches)."""
    if lang == "en":
        return message
    words = catalogue(lang)
    for pattern, key in _ERRORS:
        match = pattern.fullmatch(message.strip())
        if match is None:
            continue
        values = {k: v for k, v in match.groupdict().items() if v is not None}
        if "message" in values:
            values["message"] = translate_error(values["message"], lang)
        if "type" in values:
            values["type"] = str(words[f"cli.click.type_{values['type'][:3]}"])
        sentence = str(words[f"cli.click.{key}"]).format_map(_Blank(values))
        if key == "no_such_option" and values.get("hint"):
            sentence += " " + str(words["cli.click.did_you_mean"]).format_map(_Blank(values))
        if key == "no_such_option" and values.get("options"):
            sentence += " " + str(words["cli.click.possible_options"]).format_map(_Blank(values))
        return sentence
    return message


class _Blank(dict[str, str]):
    def __missing__(self, key: str) -> str:
        return ""


def install(lang: str) -> None:
    """Make Typer speak ``lang`` (English is what it speaks already)."""
    if lang == "en":
        return
    words = catalogue(lang)

    def word(key: str) -> str:
        return str(words[f"cli.click.{key}"])

    rich_utils: Any = importlib.import_module("typer.rich_utils")
    for const, key in _CONSTANTS.items():
        if hasattr(rich_utils, const):
            # Typer fills these with str.format(value): a positional field
            setattr(rich_utils, const, word(key).replace("{value}", "{}"))

    formatting: Any = importlib.import_module("typer._click.formatting")
    write_usage: Callable[..., None] = formatting.HelpFormatter.write_usage

    def localised_usage(self: Any, prog: str, args: str = "", prefix: str | None = None) -> None:
        write_usage(self, prog, args, word("usage") + " " if prefix is None else prefix)

    formatting.HelpFormatter.write_usage = localised_usage
    # rich_utils highlights the prefix with this pattern
    highlighter = rich_utils.OptionHighlighter
    highlighter.highlights = [
        rf"(?P<usage>{re.escape(word('usage'))} )" if "?P<usage>" in h else h
        for h in highlighter.highlights
    ]

    decorators: Any = importlib.import_module("typer._click.decorators")
    help_option: Callable[..., Any] = decorators.help_option

    def localised_help_option(*args: Any, **kwargs: Any) -> Any:
        decorate = help_option(*args, **kwargs)

        def apply(target: Any) -> Any:
            result = decorate(target)
            params = getattr(target, "params", None) or getattr(target, "__click_params__", [])
            if params:
                params[-1].help = word("help_option")
            return result

        return apply

    decorators.help_option = localised_help_option

    core: Any = importlib.import_module("typer.core")
    display_type: Callable[..., str] = core._TyperParameter.display_type

    def localised_type(self: Any, ctx: Any) -> str:
        shown = display_type(self, ctx)
        return "" if shown == "<bool>" else shown

    core._TyperParameter.display_type = localised_type

    rich_format_error: Callable[[Any], None] = rich_utils.rich_format_error

    def localised_error(exc: Any) -> None:
        english = exc.format_message()
        exc.format_message = lambda: translate_error(english, lang)
        rich_format_error(exc)

    rich_utils.rich_format_error = localised_error
