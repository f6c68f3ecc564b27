"""Fixtures of the analytics tests: seeded records and the CLI environment."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine

from qcity.settings import get_settings
from tests.analytics.records import add_batches, seed_reference, standard_batches


@pytest.fixture
def records(engine: Engine) -> Engine:
    """The engine of a fresh database holding :func:`standard_batches`."""
    seed_reference(engine)
    add_batches(engine, standard_batches())
    return engine


@pytest.fixture
def cli_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, db_url: str) -> Iterator[Path]:
    """QCITY_DATABASE_URL = the test database, QCITY_DATA_DIR = a temporary directory."""
    data = tmp_path / "data"
    monkeypatch.setenv("QCITY_DATA_DIR", str(data))
    monkeypatch.setenv("QCITY_DATABASE_URL", db_url)
    get_settings.cache_clear()
    yield data
    get_settings.cache_clear()
