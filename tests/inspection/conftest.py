"""Shared helpers for the inspection tests: a prepared database and a CLI like `qcity`."""

from __future__ import annotations

import csv
from collections.abc import Iterator, Sequence
from pathlib import Path

import pytest
import typer
from sqlalchemy import Engine

from qcity._cli_support import QcityGroup
from qcity.db import unit_of_work
from qcity.inspection import service
from qcity.inspection.cli import app as inspection_app
from qcity.registry import service as registry_service
from qcity.settings import get_settings

FIXTURES = Path(__file__).parents[1] / "fixtures" / "inspection"
PUBLISHED = FIXTURES / "published_failed_2025.csv"

# The root command as src/qcity/cli.py composes it (`qcity inspection ...`).
root = typer.Typer(cls=QcityGroup, pretty_exceptions_enable=False, add_completion=False)
root.add_typer(inspection_app, name="inspection")

CLI_SCRIPT = (
    "import typer\n"
    "from qcity._cli_support import QcityGroup\n"
    "from qcity.inspection.cli import app\n"
    "root = typer.Typer(cls=QcityGroup, pretty_exceptions_enable=False)\n"
    "root.add_typer(app, name='inspection')\n"
    "root()\n"
)


@pytest.fixture
def cli_env(db_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """QCITY_DATABASE_URL pointing at this test's database, with fresh settings."""
    monkeypatch.setenv("QCITY_DATABASE_URL", db_url)
    get_settings.cache_clear()
    yield db_url
    get_settings.cache_clear()


@pytest.fixture
def prepared(engine: Engine) -> Engine:
    """A database with Dongguan's towns, GB/T 4754 industries and the inspection categories."""
    with unit_of_work(engine) as session:
        registry_service.load_towns(
            session,
            registry_service.packaged_file("dongguan_towns.csv"),
            registry_service.DONGGUAN,
        )
        registry_service.load_industries(session)
        service.load_categories(session)
    return engine


def write_csv(path: Path, headers: Sequence[str], rows: Sequence[Sequence[str]]) -> Path:
    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(headers)
        writer.writerows(rows)
    return path


def read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))
