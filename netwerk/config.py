"""Settings, read once from the environment (prefix ``NETWERK_``) or a ``.env`` file.

Every setting is listed in README.md under "Configuration".
"""

from __future__ import annotations

from functools import lru_cache

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

__all__ = ["Settings", "get_settings"]


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="NETWERK_", env_file=".env", extra="ignore")

    database_url: str = Field(
        "sqlite:///./netwerk.db",
        description="SQLAlchemy URL: sqlite:///path.db (default) or postgresql+psycopg://...",
    )
    environment: str = Field("development", description="development | test | production")
    page_size_max: int = Field(500, ge=1, le=10_000, description="largest page a list returns")
    page_size_default: int = Field(50, ge=1, le=10_000)
    max_body_bytes: int = Field(
        2_000_000, ge=1_000, description="largest JSON request body accepted"
    )
    max_import_bytes: int = Field(200_000_000, ge=1_000, description="largest import file accepted")
    snapshot_cache_size: int = Field(8, ge=1, description="network snapshots kept in memory")
    result_cache_size: int = Field(256, ge=1, description="analysis results kept in memory")
    exact_betweenness_max: int = Field(
        5_000, ge=10, description="above this many actors betweenness is sampled"
    )
    analysis_timeout_s: float = Field(120.0, gt=0, description="longest analysis allowed")
    redis_url: str | None = Field(
        None, description="redis://host:port/db for rate limits across workers (optional)"
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

    @field_validator("database_url")
    @classmethod
    def _normalise_url(cls, value: str) -> str:
        # Plain postgresql:// URLs use the psycopg 3 driver that we install.
        if value.startswith("postgresql://") or value.startswith("postgres://"):
            return "postgresql+psycopg://" + value.split("://", 1)[1]
        return value


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()
