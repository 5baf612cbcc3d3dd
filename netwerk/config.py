"""Settings, read once from the environment (prefix ``NETWERK_``) or a ``.env`` file.

Every setting is listed in README.md under "Configuration".

``environment`` means something:

* ``development`` (default) and ``test``: without a configured database the embedded SQLite
  file ``netwerk.db`` in the per-user data folder is used, and without a configured pseudonym
  key a random one is generated once into ``pseudonym.key`` in that folder (mode 0600, never
  in the database), so that every role works right after ``netwerk demo``;
* ``production``: nothing is generated. The service refuses to start without a configured
  pseudonym key (:func:`startup_problems`), because a key made up on one host would give
  researchers pseudonyms that change with the host.
"""

from __future__ import annotations

import os
import secrets
from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

__all__ = [
    "KEY_FILE_NAME",
    "ConfigurationError",
    "Settings",
    "default_data_dir",
    "ensure_key_file",
    "get_settings",
    "startup_problems",
]

KEY_FILE_NAME = "pseudonym.key"
DB_FILE_NAME = "netwerk.db"


def default_data_dir() -> Path:
    """The per-user data folder (``~/.local/share/netwerk`` on Linux, the platform's
    equivalent elsewhere)."""
    from platformdirs import user_data_dir

    return Path(user_data_dir("netwerk", appauthor=False))


class ConfigurationError(RuntimeError):
    """The settings do not allow the service to start; the message says what to set."""


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="NETWERK_", env_file=".env", extra="ignore")

    data_dir: Path = Field(
        default_factory=default_data_dir,
        description="folder of the embedded database and the generated pseudonym key",
    )
    database_url: str = Field(
        "",
        description="SQLAlchemy URL; empty: sqlite:///<data_dir>/netwerk.db (embedded default)",
    )
    environment: Literal["development", "test", "production"] = Field(
        "development", description="development | test | production"
    )
    page_size_max: int = Field(500, ge=1, le=10_000, description="largest page a list returns")
    page_size_default: int = Field(50, ge=1, le=10_000)
    max_body_bytes: int = Field(
        2_000_000, ge=1_000, description="largest JSON request body accepted"
    )
    max_import_bytes: int = Field(200_000_000, ge=1_000, description="largest import file accepted")
    snapshot_cache_size: int = Field(8, ge=1, description="network snapshots kept in memory")
    result_cache_size: int = Field(256, ge=1, description="analysis results kept in memory")
    suggest_refit_changes: int = Field(
        100,
        ge=1,
        description="refit a network's suggestion model (feasibility weights, communities) in "
        "the background once it is this many changes (revisions) behind",
    )
    suggest_refit_minutes: float = Field(
        10.0,
        gt=0,
        description="refit a network's suggestion model in the background once it is this many "
        "minutes old and the network changed since",
    )
    exact_betweenness_max: int = Field(
        5_000, ge=10, description="above this many actors betweenness is sampled"
    )
    analysis_timeout_s: float = Field(
        120.0,
        gt=0,
        description="how long a request waits for an analysis; a longer one goes on and is "
        "answered 202 Accepted with a status URL",
    )
    redis_url: str | None = Field(
        None,
        description="redis://host:port/db for rate limits and global results across workers "
        "(optional)",
    )
    result_lease_s: float = Field(
        30.0,
        gt=0,
        le=3600,
        description="with Redis: the lease on computing a global result, renewed while the "
        "computation runs; a dead holder's lease ends after it",
    )
    rate_limit_per_minute: int = Field(600, ge=0, description="requests per token; 0 = off")
    cors_origins: list[str] = Field(default_factory=list, description="allowed CORS origins")
    pseudonym_key: str | None = Field(
        None, description="secret key for research pseudonyms (required in production)"
    )
    pseudonym_key_file: str | None = Field(
        None, description="file holding the pseudonym key (instead of pseudonym_key)"
    )
    log_level: str = Field("INFO")
    log_format: str = Field(
        "text", pattern="^(text|json)$", description="text, or json: one JSON object per line"
    )
    metrics: bool = Field(False, description="serve Prometheus metrics at GET /metrics")
    db_busy_timeout_s: float = Field(
        5.0,
        gt=0,
        le=120,
        description="SQLite busy timeout; also the longest wait for an audit row to be written",
    )
    pool_size: int = Field(5, ge=1, le=200, description="database connections kept per worker")
    pool_max_overflow: int = Field(10, ge=0, le=200, description="extra connections under load")
    pool_timeout_s: float = Field(
        5.0, gt=0, le=120, description="longest wait for a free database connection (then 503)"
    )
    max_concurrent_requests: int = Field(
        8, ge=1, le=10_000, description="API requests handled at once per worker (others queue)"
    )
    queue_timeout_s: float = Field(
        10.0, gt=0, le=300, description="longest wait for a request slot (then 503)"
    )
    analysis_threads: int = Field(4, ge=1, le=64, description="analysis threads per worker")
    analysis_process: bool = Field(
        True,
        description="recompute global analyses after a write in a child process of each "
        "worker (it holds its own snapshot: as much memory again), so they do not stall "
        "the worker's requests; false: in a thread of the worker",
    )
    analysis_process_nice: int = Field(
        10,
        ge=0,
        le=19,
        description="the analysis process's niceness (added to the worker's): its recomputes "
        "give the cores to the worker's requests first; 0: the worker's priority",
    )
    shutdown_timeout_s: float = Field(
        20.0, gt=0, le=600, description="on SIGTERM: longest wait for requests in flight"
    )

    @field_validator("database_url")
    @classmethod
    def _normalise_url(cls, value: str) -> str:
        # Plain postgresql:// URLs use the psycopg 3 driver that we install.
        if value.startswith("postgresql://") or value.startswith("postgres://"):
            return "postgresql+psycopg://" + value.split("://", 1)[1]
        return value

    @field_validator("data_dir")
    @classmethod
    def _absolute(cls, value: Path) -> Path:
        return value.expanduser().resolve()

    @model_validator(mode="after")
    def _embedded_default(self) -> Settings:
        if not self.database_url:
            self.database_url = f"sqlite:///{self.data_dir / DB_FILE_NAME}"
        return self

    @property
    def embedded_database(self) -> bool:
        """True when the database is the default SQLite file in the data folder."""
        return self.database_url == f"sqlite:///{self.data_dir / DB_FILE_NAME}"

    @property
    def has_pseudonym_key(self) -> bool:
        return bool(self.pseudonym_key or self.pseudonym_key_file)

    def with_pseudonym_key(self) -> Settings:
        """These settings, with a generated key file when none is configured outside
        production (see the module docstring); unchanged otherwise."""
        if self.has_pseudonym_key or self.environment == "production":
            return self
        path = ensure_key_file(self.data_dir / KEY_FILE_NAME)
        return self.model_copy(update={"pseudonym_key_file": str(path)})


def ensure_key_file(path: Path) -> Path:
    """A random 32-byte key (hex) in ``path``, made once with mode 0600; an existing file is
    kept as it is, so pseudonyms stay stable."""
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return path
    with os.fdopen(fd, "w", encoding="ascii") as fh:
        fh.write(secrets.token_hex(32) + "\n")
    return path


def startup_problems(settings: Settings) -> list[str]:
    """What keeps the service from starting with these settings (English, for logs and the
    exception; the CLI shows its own sentence)."""
    problems = []
    if settings.environment == "production" and not settings.has_pseudonym_key:
        problems.append(
            "NETWERK_ENVIRONMENT=production needs a pseudonym key: set NETWERK_PSEUDONYM_KEY "
            "or NETWERK_PSEUDONYM_KEY_FILE (a secret of at least 16 bytes, kept apart from "
            "the database)"
        )
    return problems


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()
