"""Browser tests: the real server, the small demo city, Debian Chromium driven by Playwright.

``live_server`` builds the small demo city into a SQLite file (the same commands ``make run``
uses), rebuilds the analytics mart, creates one user per role and serves the application with
uvicorn on a free loopback port in this process. ``page`` is a fresh Chromium context per test
(zh-CN, 1280×900). ``make test`` installs Chromium and a CJK font when they are missing
(``.ci/ensure-browser``); without them these tests fail and say so.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import uvicorn
from playwright.sync_api import Browser, Page, Playwright, expect, sync_playwright
from sqlalchemy import Engine, func, select

from qcity.accounts import _passwords
from qcity.db import make_engine
from qcity.inspection.models import SamplingInspection
from qcity.registry.models import MarketEntity
from qcity.settings import Settings
from qcity.web.app import create_app
from tests.accounts.conftest import FAST
from tests.accounts.helpers import add_user

CHROMIUM = Path(os.environ.get("QCITY_CHROMIUM", "/usr/bin/chromium"))
ARTIFACTS = Path(__file__).parents[1] / "artifacts"
PASSWORD = "browser-test-password-1"
# Without the background-networking flags Chromium keeps dialling Google on a closed network.
CHROMIUM_ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]
# The suite runs the server, Chromium and another pytest worker on two cores: give assertions
# the same 15 s as actions rather than Playwright's 5 s default.
expect.set_options(timeout=15_000)
ROLES = ("admin", "analyst", "inspector", "enterprise", "enterprise_other")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Browser tests share one worker (one demo city build) under ``pytest -n``."""
    here = Path(__file__).parent
    for item in items:
        if here in Path(item.path).parents:
            item.add_marker(pytest.mark.browser)
            item.add_marker(pytest.mark.xdist_group("browser"))


@dataclass
class LiveServer:
    """The running application: its base ``url``, database and one user per role."""

    url: str
    db_url: str
    data_dir: Path
    engine: Engine
    users: dict[str, tuple[str, str]] = field(default_factory=dict)
    inspector_town: str = ""
    enterprise_uscc: str = ""
    other_enterprise_uscc: str = ""


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _qcity(env: dict[str, str], *args: str) -> None:
    command = [str(Path(sys.executable).with_name("qcity")), *args]
    done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        pytest.fail(f"{' '.join(args)} failed ({done.returncode}):\n{done.stdout}\n{done.stderr}")


def _build_city(db_url: str, data_dir: Path) -> None:
    env = {**os.environ, "QCITY_DATABASE_URL": db_url, "QCITY_DATA_DIR": str(data_dir)}
    env["QCITY_ENV"] = "development"
    _qcity(env, "db", "upgrade")
    _qcity(env, "demo", "build", "--scale", "small")
    _qcity(env, "analytics", "rebuild")


def _busiest_town_and_entities(engine: Engine) -> tuple[str, str, str]:
    """The town with most inspections and its two most-inspected entities' credit codes."""
    with engine.connect() as connection:
        town = connection.execute(
            select(SamplingInspection.town_code)
            .group_by(SamplingInspection.town_code)
            .order_by(func.count().desc(), SamplingInspection.town_code)
            .limit(1)
        ).scalar_one()
        usccs = connection.execute(
            select(MarketEntity.uscc)
            .join(SamplingInspection, SamplingInspection.sampled_entity_id == MarketEntity.id)
            .where(SamplingInspection.town_code == town)
            .group_by(MarketEntity.uscc)
            .order_by(func.count().desc(), MarketEntity.uscc)
            .limit(2)
        ).scalars()
        first, second = list(usccs)
    return str(town), str(first), str(second)


def _add_users(server: LiveServer) -> None:
    town, own, other = _busiest_town_and_entities(server.engine)
    server.inspector_town, server.enterprise_uscc, server.other_enterprise_uscc = town, own, other
    scopes: dict[str, dict[str, object]] = {
        "admin": {},
        "analyst": {},
        "inspector": {"towns": [town]},
        "enterprise": {"uscc": own},
        "enterprise_other": {"uscc": other},
    }
    for role in ROLES:
        username = f"browser_{role}"
        kind = "enterprise" if role.startswith("enterprise") else role
        add_user(server.engine, username, kind, password=PASSWORD, **scopes[role])  # type: ignore[arg-type]
        server.users[role] = (username, PASSWORD)


def _serve(app: object, port: int) -> tuple[uvicorn.Server, threading.Thread]:
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning")  # type: ignore[arg-type]
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, name="live-server", daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            pytest.fail("the live server did not start within 30 s")
        time.sleep(0.05)
    return server, thread


@pytest.fixture(scope="session")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    previous = _passwords.set_hasher(FAST)  # logins in the server thread use the fast hasher
    data_dir = tmp_path_factory.mktemp("live")
    db_url = f"sqlite:///{data_dir / 'qcity.sqlite3'}"
    _build_city(db_url, data_dir)
    engine = make_engine(db_url)
    port = _free_port()
    server = LiveServer(
        url=f"http://127.0.0.1:{port}", db_url=db_url, data_dir=data_dir, engine=engine
    )
    _add_users(server)
    settings = Settings(env="development", database_url=db_url, data_dir=data_dir)  # type: ignore[arg-type]
    uvicorn_server, thread = _serve(create_app(settings, engine), port)
    try:
        yield server
    finally:
        uvicorn_server.should_exit = True
        thread.join(timeout=10)
        engine.dispose()
        _passwords.set_hasher(previous)


@pytest.fixture(scope="session")
def playwright() -> Iterator[Playwright]:
    with sync_playwright() as driver:
        yield driver


@pytest.fixture(scope="session")
def browser(playwright: Playwright) -> Iterator[Browser]:
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} is missing: `make test` installs it (.ci/ensure-browser)")
    launched = playwright.chromium.launch(
        executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
    )
    yield launched
    launched.close()


@pytest.fixture
def page(browser: Browser, live_server: LiveServer) -> Iterator[Page]:
    context = browser.new_context(
        base_url=live_server.url, locale="zh-CN", viewport={"width": 1280, "height": 900}
    )
    context.set_default_timeout(15_000)
    opened = context.new_page()
    errors: list[str] = []
    opened.on("pageerror", lambda error: errors.append(str(error)))
    yield opened
    context.close()
    assert errors == [], f"JavaScript errors on the page: {errors}"


@pytest.fixture
def login(live_server: LiveServer) -> Callable[[Page, str], None]:
    """``login(page, role)``: log in through the form as the user of ``role``."""

    def log_in(page: Page, role: str) -> None:
        username, password = live_server.users[role]
        page.goto("/login")
        page.fill("input[name=username]", username)
        page.fill("input[name=password]", password)
        page.click("form[action='/login'] button[type=submit]")
        page.wait_for_url(lambda url: "/login" not in url)

    return log_in


@pytest.fixture
def screenshot() -> Callable[[Page, str], Path]:
    """``screenshot(page, name)``: a full-page PNG under tests/artifacts/ (ignored by git)."""

    def take(page: Page, name: str) -> Path:
        ARTIFACTS.mkdir(exist_ok=True)
        path = ARTIFACTS / f"{name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return take
