"""Shared helpers for the accounts and audit tests: a clock, users, a small registry, clients."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass

from fastapi.testclient import TestClient
from sqlalchemy import Engine

from qcity.accounts import service
from qcity.db import unit_of_work
from qcity.registry import service as registry_service
from qcity.registry.models import EntityStatus, MarketEntity, SizeClass
from qcity.registry.uscc import make_uscc
from qcity.settings import Settings
from qcity.web.app import create_app

PASSWORD = "correct horse battery"
DONGCHENG, NANCHENG, WANJIANG = "441900003000", "441900004000", "441900005000"
START = dt.datetime(2026, 11, 27, 9, 0, tzinfo=dt.UTC)


class FakeClock:
    """An injectable clock: ``app.state.clock = FakeClock()``; ``advance(minutes=31)``."""

    def __init__(self, start: dt.datetime = START) -> None:
        self.now = start

    def __call__(self) -> dt.datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += dt.timedelta(**delta)


@dataclass(frozen=True)
class Registry:
    uscc_a: str  # Dongcheng
    uscc_b: str  # Dongcheng
    uscc_c: str  # Nancheng


def seed_registry(engine: Engine) -> Registry:
    """Towns, industries and three entities with valid credit codes (A, B in Dongcheng)."""
    codes = [make_uscc("91", "441900", body) for body in ("MA000001", "MA000002", "MA000003")]
    with unit_of_work(engine) as session:
        registry_service.load_towns(
            session,
            registry_service.packaged_file("dongguan_towns.csv"),
            registry_service.DONGGUAN,
        )
        registry_service.load_industries(session)
        for code, town, rep in zip(
            codes, (DONGCHENG, DONGCHENG, NANCHENG), ("张三丰", "李四", "欧阳明华"), strict=True
        ):
            session.add(
                MarketEntity(
                    uscc=code,
                    name=f"东莞测试{code[-4:]}有限公司",
                    town_code=town,
                    industry_code="18",
                    address="东莞市某路1号",
                    size_class=SizeClass.SMALL,
                    registered_on=dt.date(2020, 1, 1),
                    status=EntityStatus.ACTIVE,
                    legal_representative=rep,
                )
            )
    return Registry(*codes)


def add_user(
    engine: Engine,
    username: str,
    role: str,
    *,
    password: str = PASSWORD,
    towns: Sequence[str] = (),
    uscc: str | None = None,
    permissions: Sequence[str] = (),
) -> None:
    with unit_of_work(engine) as session:
        service.create_user(
            session, username, role, password, towns=towns, uscc=uscc, permissions=permissions
        )


def make_client(
    engine: Engine, *, env: str = "development", clock: FakeClock | None = None
) -> TestClient:
    secret = "s" * 48 if env != "development" else Settings().secret_key
    settings = Settings(env=env, database_url=str(engine.url), secret_key=secret)  # type: ignore[arg-type]
    app = create_app(settings, engine)
    if clock is not None:
        app.state.clock = clock
    base_url = "https://testserver" if env == "production" else "http://testserver"
    return TestClient(app, base_url=base_url)


def csrf_of(html: str) -> str:
    match = re.search(r'<meta name="csrf-token" content="([0-9a-f]*)">', html)
    assert match, "no csrf meta tag"
    return match.group(1)


def login(client: TestClient, username: str, password: str = PASSWORD, next: str = "/"):  # type: ignore[no-untyped-def]
    token = csrf_of(client.get("/login").text)
    return client.post(
        "/login",
        data={"username": username, "password": password, "next": next, "csrf_token": token},
        follow_redirects=False,
    )


def session_cookie(client: TestClient) -> str | None:
    return client.cookies.get("qcity_session")
