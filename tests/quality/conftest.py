"""Shared helpers: the quality commands under a root app, reference files, a small API app."""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import typer
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from typer.testing import CliRunner, Result

from qcity._cli_support import QcityGroup
from qcity.quality.cli import app as spc_app
from qcity.quality.cli import haccp_app
from qcity.settings import Settings
from qcity.web.app import create_app
from tests.api_authz.helpers import authorise

FIXTURES = Path(__file__).parents[1] / "fixtures" / "spc"
CHARTS = FIXTURES / "charts"
MSA = FIXTURES / "msa"
VALID_USCC = "91350100M000100Y43"


def root_app() -> typer.Typer:
    """``qcity spc`` and ``qcity haccp`` as the lead registers them (QcityGroup at the root)."""
    root = typer.Typer(cls=QcityGroup, pretty_exceptions_enable=False, add_completion=False)
    root.add_typer(spc_app, name="spc")
    root.add_typer(haccp_app, name="haccp")

    @root.callback()
    def _root() -> None:
        """qcity."""

    return root


ROOT = root_app()


def invoke(*args: str) -> Result:
    """Run a command; stdout and stderr are kept apart."""
    return CliRunner().invoke(ROOT, list(args))


def invoke_json(*args: str) -> dict[str, Any]:
    result = invoke(*args, "--json")
    assert result.exit_code == 0, result.stderr
    data: dict[str, Any] = json.loads(result.stdout)
    return data


def load_json(path: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return data


def subset_csv(source: Path, target: Path, keep: str = "trial", value: str = "TRUE") -> Path:
    """Copy the rows of ``source`` whose ``keep`` column equals ``value`` (qcc's trial rows)."""
    with source.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    with target.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(r for r in rows if r[keep] == value)
    return target


@pytest.fixture
def spc_client(tmp_path: Path) -> Iterator[TestClient]:
    """The web app with the SPC routers; SPC endpoints use no database tables."""
    settings = Settings(env="development", database_url=f"sqlite:///{tmp_path / 'q.sqlite3'}")
    with TestClient(create_app(settings)) as client:
        yield client


@pytest.fixture
def haccp_client(engine: Engine) -> Iterator[TestClient]:
    """The web app on a fresh migrated database (SQLite and PostgreSQL)."""
    settings = Settings(env="development", database_url=str(engine.url))
    with TestClient(create_app(settings, engine)) as client:
        yield authorise(client, engine)
