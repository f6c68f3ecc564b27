"""``qcity users``: create (the first admin), list, set-password, disable, ensure-demo-admin."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import typer
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from qcity._cli_support import QcityGroup
from qcity.accounts import _passwords
from qcity.accounts.cli import app as users_app
from qcity.accounts.models import User
from qcity.settings import get_settings
from tests.accounts.helpers import DONGCHENG, PASSWORD, seed_registry

runner = CliRunner()
qcity = typer.Typer(cls=QcityGroup)
qcity.add_typer(users_app, name="users")


@pytest.fixture
def configured(monkeypatch: pytest.MonkeyPatch, db_url: str) -> Iterator[pytest.MonkeyPatch]:
    monkeypatch.setenv("QCITY_DATABASE_URL", db_url)
    monkeypatch.setenv("QCITY_ENV", "development")
    get_settings.cache_clear()
    yield monkeypatch
    get_settings.cache_clear()


def _users(engine: Engine) -> dict[str, User]:
    with Session(engine) as session:
        return {u.username: u for u in session.scalars(select(User))}


def test_create_list_set_password_disable(configured: object, engine: Engine) -> None:
    seed_registry(engine)
    first = runner.invoke(
        qcity, ["users", "create", "boss", "--role", "admin", "--password-stdin"], input=PASSWORD
    )
    assert first.exit_code == 0, first.output
    assert first.output == "created admin boss\n"
    inspector = runner.invoke(
        qcity,
        ["users", "create", "Li", "--role", "inspector", "--towns", DONGCHENG, "--password-stdin"],
        input=PASSWORD + "\n",
    )
    assert inspector.exit_code == 0, inspector.output
    prompted = runner.invoke(
        qcity, ["users", "create", "ana", "--role", "analyst"], input=f"{PASSWORD}\n{PASSWORD}\n"
    )
    assert prompted.exit_code == 0, prompted.output
    users = _users(engine)
    assert users["boss"].role == "admin" and users["li"].towns == [DONGCHENG]
    assert users["boss"].password_hash.startswith("$argon2id$")
    assert PASSWORD not in first.output + inspector.output + prompted.output

    listed = runner.invoke(qcity, ["users", "list"], terminal_width=200)
    assert listed.exit_code == 0 and "boss" in listed.output and DONGCHENG in listed.output

    changed = runner.invoke(
        qcity, ["users", "set-password", "li", "--password-stdin"], input="a new password 42\n"
    )
    assert changed.exit_code == 0, changed.output
    assert _passwords.verify_password(_users(engine)["li"].password_hash, "a new password 42")

    disabled = runner.invoke(qcity, ["users", "disable", "li"])
    assert disabled.exit_code == 0 and _users(engine)["li"].disabled

    granted = runner.invoke(qcity, ["users", "grant", "ana", "unmask_personal_data"])
    assert granted.exit_code == 0 and _users(engine)["ana"].permissions == ["unmask_personal_data"]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["x", "--role", "king"], "unknown role 'king'"),
        (["x1", "--role", "inspector"], "an inspector needs --towns"),
        (
            ["x1", "--role", "inspector", "--towns", "441900999000"],
            "unknown town code(s) 441900999000",
        ),
        (["x1", "--role", "enterprise"], "an enterprise user needs --uscc"),
        (["x1", "--role", "enterprise", "--uscc", "914403001922038217"], "check character"),
        (["x1", "--role", "analyst", "--towns", DONGCHENG], "--towns applies to inspectors only"),
        (["Bad Name", "--role", "analyst"], "user name 'Bad Name'"),
    ],
)
def test_create_refuses_bad_input_in_one_line(
    configured: object, engine: Engine, args: list[str], message: str
) -> None:
    seed_registry(engine)
    result = runner.invoke(qcity, ["users", "create", *args, "--password-stdin"], input=PASSWORD)
    assert result.exit_code != 0
    assert message in result.output and "Traceback" not in result.output
    assert len(result.output.strip().splitlines()) == 1


def test_short_password_and_duplicates_are_refused(configured: object, engine: Engine) -> None:
    short = runner.invoke(
        qcity, ["users", "create", "ana", "--role", "analyst", "--password-stdin"], input="short"
    )
    assert short.exit_code == 2 and "too short" in short.output
    args = ["users", "create", "ana", "--role", "analyst", "--password-stdin"]
    assert runner.invoke(qcity, args, input=PASSWORD).exit_code == 0
    again = runner.invoke(qcity, args, input=PASSWORD)
    assert again.exit_code == 2 and "exists already" in again.output
    missing = runner.invoke(qcity, ["users", "disable", "nobody"])
    assert missing.exit_code == 1 and "no user 'nobody'" in missing.output


def test_ensure_demo_admin_prints_the_password_once(configured: object, engine: Engine) -> None:
    first = runner.invoke(qcity, ["users", "ensure-demo-admin"])
    assert first.exit_code == 0
    assert first.output.startswith("demo administrator: admin / ")
    password = first.output.split(" / ")[1].split()[0]
    admin = _users(engine)["admin"]
    assert admin.role == "admin" and _passwords.verify_password(admin.password_hash, password)
    second = runner.invoke(qcity, ["users", "ensure-demo-admin"])
    assert (second.exit_code, second.output) == (0, "")


def test_ensure_demo_admin_is_silent_when_an_admin_exists(
    configured: object, engine: Engine
) -> None:
    runner.invoke(
        qcity, ["users", "create", "boss", "--role", "admin", "--password-stdin"], input=PASSWORD
    )
    result = runner.invoke(qcity, ["users", "ensure-demo-admin"])
    assert (result.exit_code, result.output) == (0, "")
    assert "admin" not in _users(engine)


def test_ensure_demo_admin_does_nothing_outside_development(
    configured: pytest.MonkeyPatch, engine: Engine
) -> None:
    configured.setenv("QCITY_ENV", "production")
    configured.setenv("QCITY_SECRET_KEY", "k" * 48)
    get_settings.cache_clear()
    result = runner.invoke(qcity, ["users", "ensure-demo-admin"])
    assert (result.exit_code, result.output) == (0, "")
    assert _users(engine) == {}
