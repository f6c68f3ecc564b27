"""Settings read from the environment (prefix ``QCITY_``) and an optional ``.env`` file."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field, ValidationError, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from qcity.errors import ConfigurationError

DEVELOPMENT_SECRET = "development-only-secret-do-not-use-in-production"


class Settings(BaseSettings):
    """qcity's configuration. Every field is settable as ``QCITY_<NAME>``."""

    model_config = SettingsConfigDict(env_prefix="QCITY_", env_file=".env", extra="ignore")

    env: Literal["development", "test", "production"] = "development"
    data_dir: Path = Field(default=Path("var"))
    database_url: str = ""
    secret_key: str = DEVELOPMENT_SECRET
    host: str = "127.0.0.1"
    port: int = 8000
    default_locale: str = "zh_Hans"
    # Threads per server process for blocking work (database, rendering). Pages are mostly
    # CPU under one GIL: a few threads serve as many requests as forty, with less switching.
    web_threads: int = Field(default=8, ge=1, le=200)
    # Accounts: sessions expire after this much inactivity, and in any case after the absolute
    # lifetime; an account (or unknown name) is locked after repeated failed logins.
    session_idle_minutes: int = Field(default=30, ge=1)
    session_absolute_hours: int = Field(default=12, ge=1)
    login_max_failures: int = Field(default=5, ge=1)
    login_failure_window_minutes: int = Field(default=15, ge=1)
    login_lockout_minutes: int = Field(default=15, ge=1)

    @model_validator(mode="after")
    def _derive_defaults(self) -> Settings:
        if not self.database_url:
            self.database_url = f"sqlite:///{self.data_dir / 'qcity.sqlite3'}"
        return self

    def require_safe_secrets(self) -> None:
        """Refuse the development secret anywhere but development."""
        if self.env != "development" and self.secret_key == DEVELOPMENT_SECRET:
            raise ConfigurationError(
                f"QCITY_SECRET_KEY is the development default but QCITY_ENV={self.env}; "
                "set QCITY_SECRET_KEY to a long random value"
            )


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process-wide settings (read once); a bad value is a one-line ConfigurationError."""
    try:
        return Settings()
    except ValidationError as exc:
        first = exc.errors()[0]
        name = "QCITY_" + str(first["loc"][0]).upper() if first["loc"] else "a QCITY_ setting"
        raise ConfigurationError(f"{name}: {first['msg']}") from exc
