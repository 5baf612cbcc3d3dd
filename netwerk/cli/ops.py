"""``netwerk backup`` and ``netwerk restore``: the embedded SQLite database, online
(:mod:`netwerk.backup`). PostgreSQL: ``pg_dump``/``pg_restore``, see README."""

from __future__ import annotations

from typing import Annotated, Any, NoReturn

import typer

from netwerk.backup import BackupError, backup, restore
from netwerk.cli import app
from netwerk.cli.terminal import LANG, fail, msg, out
from netwerk.config import get_settings
from netwerk.i18n import text


def _t(key: str, **values: Any) -> str:
    return text(f"ops.{key}", LANG, **values)


def _fail(exc: BackupError) -> NoReturn:
    fail(text(exc.key, LANG, **exc.values))


@app.command("backup", help=_t("cli.backup_help"))
def backup_cmd(
    out_file: Annotated[
        str, typer.Option("--out", help=_t("cli.out_help"), metavar=msg("metavar.file"))
    ],
) -> None:
    try:
        info = backup(get_settings().database_url, out_file)
    except BackupError as exc:
        _fail(exc)
    out.print(_t("backup.done", path=info.path, networks=info.networks, size=info.bytes))


@app.command("restore", help=_t("cli.restore_help"))
def restore_cmd(
    file: Annotated[str, typer.Argument(help=_t("cli.file_help"), metavar=msg("metavar.file"))],
    yes: Annotated[bool, typer.Option("--yes", help=_t("cli.yes_help"))] = False,
) -> None:
    url = get_settings().database_url
    if not yes and not typer.confirm(_t("backup.confirm", path=url)):
        raise typer.Exit(code=1)
    try:
        info = restore(url, file)
    except BackupError as exc:
        _fail(exc)
    out.print(_t("backup.restored", networks=info.networks))
