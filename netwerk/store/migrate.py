"""Run Alembic migrations from code (CLI, app start-up, tests)."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.engine import Engine

__all__ = [
    "alembic_config",
    "current_heads",
    "downgrade",
    "is_current",
    "script_revisions",
    "upgrade",
]


def _root() -> Path:
    """The folder holding ``alembic.ini`` and ``migrations/``: the source tree in a checkout or
    editable install, else the working directory (the Docker image runs from /app)."""
    for candidate in (Path(__file__).resolve().parents[2], Path.cwd()):
        if (candidate / "migrations" / "env.py").is_file():
            return candidate
    raise FileNotFoundError("migrations/ not found; run from the project folder")


ROOT = _root()


def alembic_config(url: str) -> Config:
    cfg = Config(str(ROOT / "alembic.ini"))
    cfg.set_main_option("script_location", str(ROOT / "migrations"))
    cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return cfg


def upgrade(engine: Engine, revision: str = "head") -> None:
    cfg = alembic_config(engine.url.render_as_string(hide_password=False))
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, revision)


def downgrade(engine: Engine, revision: str) -> None:
    cfg = alembic_config(engine.url.render_as_string(hide_password=False))
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.downgrade(cfg, revision)


def script_heads(url: str = "sqlite://") -> tuple[str, ...]:
    return tuple(ScriptDirectory.from_config(alembic_config(url)).get_heads())


def script_revisions(url: str = "sqlite://") -> set[str]:
    """Every migration revision this version knows."""
    return {s.revision for s in ScriptDirectory.from_config(alembic_config(url)).walk_revisions()}


def current_heads(engine: Engine) -> tuple[str, ...]:
    with engine.connect() as conn:
        return tuple(MigrationContext.configure(conn).get_current_heads())


def is_current(engine: Engine) -> bool:
    """True when the database is at the head revision(s) of the migration scripts."""
    return set(current_heads(engine)) == set(script_heads())
