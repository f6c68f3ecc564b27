"""The ``qcity`` command: help, exit codes and one-line errors (no tracebacks)."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from qcity.cli import app
from qcity.settings import get_settings
from tests.pgserver import free_port

runner = CliRunner()


@pytest.fixture
def environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[pytest.MonkeyPatch]:
    monkeypatch.setenv("QCITY_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("QCITY_DATABASE_URL", raising=False)
    get_settings.cache_clear()
    yield monkeypatch
    get_settings.cache_clear()


def _qcity(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    """Run the installed entry point as a user would."""
    full_env = {**os.environ, **env}
    executable = Path(sys.executable).parent / "qcity"
    return subprocess.run(
        [str(executable), *args], capture_output=True, text=True, env=full_env, timeout=120
    )


def test_help_lists_every_command() -> None:
    result = runner.invoke(app, ["--help"], terminal_width=200)
    assert result.exit_code == 0
    for command in (
        "serve:",
        "db upgrade:",
        "db current:",
        "registry check-uscc:",
        "registry load-towns:",
        "demo build:",
    ):
        assert command in result.output


def test_check_uscc_prints_a_verdict_per_code_and_exit_status(environment: object) -> None:
    ok = runner.invoke(app, ["registry", "check-uscc", "91350100M000100Y43"])
    assert (ok.exit_code, ok.output) == (0, "91350100M000100Y43: valid\n")
    bad = runner.invoke(app, ["registry", "check-uscc", "91350100M000100Y43", "914403001922038217"])
    assert bad.exit_code == 1
    assert bad.output.splitlines() == [
        "91350100M000100Y43: valid",
        "914403001922038217: invalid: check character is '7', expected '6'",
    ]


def test_upgrade_build_and_list(environment: object) -> None:
    assert runner.invoke(app, ["db", "upgrade"]).exit_code == 0
    assert "up to date" in runner.invoke(app, ["db", "current"]).output
    built = runner.invoke(app, ["demo", "build", "--seed", "5"])
    assert built.exit_code == 0 and "20,000 market entities" in built.output
    again = runner.invoke(app, ["demo", "build", "--if-missing"])
    assert again.exit_code == 0 and "nothing to do" in again.output
    refused = runner.invoke(app, ["demo", "build"])
    assert refused.exit_code == 1 and "--replace" in refused.output
    towns = runner.invoke(app, ["registry", "towns"], terminal_width=200)
    assert "虎门镇" in towns.output


def test_malformed_database_url_is_one_line(tmp_path: Path) -> None:
    result = _qcity("db", "current", env={"QCITY_DATABASE_URL": "postgres//oops"})
    assert result.returncode == 2
    assert result.stderr.startswith("error: QCITY_DATABASE_URL 'postgres//oops' is not a database")
    assert len(result.stderr.strip().splitlines()) == 1 and "Traceback" not in result.stderr


def test_unreachable_postgres_is_one_line() -> None:
    url = f"postgresql://qcity@127.0.0.1:{free_port()}/qcity"
    result = _qcity("db", "upgrade", env={"QCITY_DATABASE_URL": url})
    assert result.returncode == 3
    assert "cannot reach the database" in result.stderr
    assert "start the database server or correct QCITY_DATABASE_URL" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1 and "Traceback" not in result.stderr


def test_serving_a_database_behind_the_migrations_is_refused(empty_db_url: str) -> None:
    result = _qcity("serve", "--port", str(free_port()), env={"QCITY_DATABASE_URL": empty_db_url})
    assert result.returncode == 4
    assert result.stderr.strip().endswith("run `qcity db upgrade`")
    assert len(result.stderr.strip().splitlines()) == 1 and "Traceback" not in result.stderr


def test_default_secret_is_refused_outside_development(tmp_path: Path) -> None:
    env = {"QCITY_ENV": "production", "QCITY_DATA_DIR": str(tmp_path)}
    result = _qcity("serve", env=env)
    assert result.returncode == 2
    assert "QCITY_SECRET_KEY is the development default" in result.stderr


def test_bad_setting_value_is_one_line(tmp_path: Path) -> None:
    result = _qcity("db", "current", env={"QCITY_PORT": "eighty", "QCITY_DATA_DIR": str(tmp_path)})
    assert result.returncode == 2
    assert result.stderr.startswith("error: QCITY_PORT:")
