"""Settings: defaults derived from the data directory, secrets refused outside development."""

from __future__ import annotations

from pathlib import Path

import pytest

from qcity.errors import ConfigurationError
from qcity.settings import DEVELOPMENT_SECRET, Settings


def test_database_defaults_to_sqlite_under_the_data_dir(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path, database_url="")
    assert settings.database_url == f"sqlite:///{tmp_path / 'qcity.sqlite3'}"


@pytest.mark.parametrize("env", ["test", "production"])
def test_default_secret_refused_outside_development(env: str) -> None:
    with pytest.raises(ConfigurationError, match="QCITY_SECRET_KEY"):
        Settings(env=env, secret_key=DEVELOPMENT_SECRET).require_safe_secrets()  # type: ignore[arg-type]
    Settings(env=env, secret_key="x" * 40).require_safe_secrets()  # type: ignore[arg-type]


def test_default_secret_allowed_in_development() -> None:
    Settings(env="development").require_safe_secrets()
