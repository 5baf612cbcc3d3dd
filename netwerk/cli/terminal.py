"""The command line's side of the terminal: its language, the consoles, sentences from the
catalogue, failing with one clear line, and progress bars."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, NoReturn

import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from netwerk.errors import NetwerkError
from netwerk.i18n import text

__all__ = [
    "LANG",
    "err",
    "fail",
    "fail_domain",
    "kind_label",
    "msg",
    "out",
    "progress_bar",
]

LANG = "en" if os.environ.get("NETWERK_LANG", "nl").lower().startswith("en") else "nl"

err = Console(stderr=True, highlight=False, soft_wrap=True)
out = Console(highlight=False, soft_wrap=True)


def msg(key: str, **values: Any) -> str:
    """The sentence ``cli.<key>`` in the CLI's language."""
    return text(f"cli.{key}", LANG, **values)


def fail(message: str, code: int = 2) -> NoReturn:
    """One line on stderr, then exit: no traceback for anything a user can cause."""
    err.print(f"[red]{escape(msg('error'))}:[/red] {escape(message)}", soft_wrap=True)
    raise typer.Exit(code=code)


def fail_domain(exc: NetwerkError) -> NoReturn:
    """A domain error in the CLI's language (the same sentences as the API's problems)."""
    from netwerk.errors import ValidationFailed
    from netwerk.errors_text import domain_message, message

    detail = domain_message(exc.detail, LANG)
    if isinstance(exc, ValidationFailed) and len(exc.errors) > 1:
        detail += "".join(f"\n  {e.field}: {message(e.message, LANG)}" for e in exc.errors[1:10])
    fail(detail)


@contextmanager
def progress_bar(label: str, total: int | None) -> Iterator[Any]:
    """A progress bar on stderr; yields ``advance(n)``."""
    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=err,
        transient=False,
        disable=not err.is_terminal and os.environ.get("NETWERK_PROGRESS") != "1",
    ) as p:
        task = p.add_task(label, total=total)
        yield lambda n: p.advance(task, n)


def kind_label(kind: str) -> str:
    return msg(f"kind.{kind}")
