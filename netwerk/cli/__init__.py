"""The ``netwerk`` command. Every word it shows is Dutch by default, English with
``NETWERK_LANG=en`` — its own sentences (catalogue section ``cli``) and Click's and Typer's
("Usage", "Options", ...; see :mod:`netwerk.cli.clicktext`)."""

from __future__ import annotations

import sys

import typer

from netwerk.cli import clicktext
from netwerk.cli.terminal import LANG, err, msg
from netwerk.store.session import OperationalError

clicktext.install(LANG)

SUBCOMMAND = msg("click.subcommand")

app = typer.Typer(
    help=msg("help.app"),
    subcommand_metavar=SUBCOMMAND,
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    options_metavar=msg("metavar.options"),
    context_settings={"help_option_names": ["--help", "-h"]},
)
db_app = typer.Typer(help=msg("help.db"), no_args_is_help=True, subcommand_metavar=SUBCOMMAND)
token_app = typer.Typer(help=msg("help.token"), no_args_is_help=True, subcommand_metavar=SUBCOMMAND)
retention_app = typer.Typer(
    help=msg("help.retention"), no_args_is_help=True, subcommand_metavar=SUBCOMMAND
)
app.add_typer(db_app, name="db")
app.add_typer(token_app, name="token")
app.add_typer(retention_app, name="retention")

from netwerk.cli import admin, ops, work  # noqa: E402  (the commands register themselves)

__all__ = ["admin", "app", "main", "ops", "work"]


def main() -> None:
    try:
        app()
    except OperationalError as exc:
        # A database that went away or was never made: one line, never a traceback.
        err.print(msg("db.failed", reason=type(exc.orig).__name__ if exc.orig else "?"))
        sys.exit(2)
