"""Login, logout, session rotation, timeouts, lockout, CSRF and API tokens, on both databases."""

from __future__ import annotations

import datetime as dt

from argon2 import PasswordHasher
from fastapi.testclient import TestClient
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from qcity.accounts import _passwords, service
from qcity.accounts.models import LoginAttempt, User, UserSession
from qcity.db import unit_of_work
from tests.accounts.helpers import (
    PASSWORD,
    FakeClock,
    add_user,
    csrf_of,
    login,
    make_client,
    session_cookie,
)


def me_with(client: TestClient, cookie: str) -> dict[str, object]:
    """``/api/accounts/me`` as a browser holding only ``cookie``."""
    other = TestClient(client.app, cookies={"qcity_session": cookie})
    body: dict[str, object] = other.get("/api/accounts/me").json()
    return body


def test_login_rotates_the_session_and_logout_revokes_it(engine: Engine) -> None:
    add_user(engine, "alice", "analyst")
    with make_client(engine) as client:
        page = client.get("/login")
        assert page.status_code == 200 and 'name="csrf_token"' in page.text
        anonymous = session_cookie(client)
        assert anonymous and anonymous.startswith("a.")
        set_cookie = page.headers["set-cookie"]
        assert "HttpOnly" in set_cookie and "SameSite=Lax" in set_cookie
        assert "Secure" not in set_cookie  # development

        response = login(client, "alice", next="/account")
        assert response.status_code == 303 and response.headers["location"] == "/account"
        first = session_cookie(client)
        assert first and first.startswith("s.") and first != anonymous
        me = client.get("/api/accounts/me").json()
        assert me["authenticated"] and me["username"] == "alice" and me["via"] == "session"
        home = client.get("/").text
        assert 'data-user="alice"' in home and 'action="/logout"' in home

        # Logging in again (e.g. as someone else on the same browser) rotates once more.
        login(client, "alice")
        second = session_cookie(client)
        assert second and second not in (first, anonymous)
        assert not me_with(client, first)["authenticated"]  # the old session was revoked
        assert me_with(client, second)["authenticated"]

        token = csrf_of(client.get("/account").text)
        out = client.post("/logout", data={"csrf_token": token}, follow_redirects=False)
        assert out.status_code == 303
        after = session_cookie(client)
        assert after and after.startswith("a.") and after != second
        assert not client.get("/api/accounts/me").json()["authenticated"]
        assert not me_with(client, second)["authenticated"]
    with Session(engine) as session:
        revoked = session.scalar(select(func.count()).where(UserSession.revoked_at.is_not(None)))
    assert revoked == 2


def test_session_cookie_is_secure_in_production(engine: Engine) -> None:
    add_user(engine, "alice", "analyst")
    with make_client(engine, env="production") as client:
        assert "Secure" in client.get("/login").headers["set-cookie"]
        response = login(client, "alice")
        assert response.status_code == 303
        assert "Secure" in response.headers["set-cookie"]
        assert "HttpOnly" in response.headers["set-cookie"]


def test_wrong_password_and_unknown_user_look_the_same(engine: Engine) -> None:
    add_user(engine, "alice", "analyst")
    with make_client(engine) as client:
        wrong = login(client, "alice", "not the password")
        unknown = login(client, "mallory", "not the password")
        assert wrong.status_code == unknown.status_code == 401
        assert "用户名或密码错误" in wrong.text and "用户名或密码错误" in unknown.text
        assert not client.get("/api/accounts/me").json()["authenticated"]


def test_rehash_on_login_when_parameters_change(
    engine: Engine, fast_hasher: PasswordHasher
) -> None:
    old = PasswordHasher(time_cost=1, memory_cost=512, parallelism=1)
    previous = _passwords.set_hasher(old)
    try:
        add_user(engine, "alice", "analyst")
    finally:
        _passwords.set_hasher(previous)
    with Session(engine) as session:
        before = session.scalars(select(User.password_hash)).one()
    assert "m=512" in before
    with make_client(engine) as client:
        assert login(client, "alice").status_code == 303
    with Session(engine) as session:
        after = session.scalars(select(User.password_hash)).one()
    assert after != before and "m=1024" in after and after.startswith("$argon2id$")
    assert _passwords.verify_password(after, PASSWORD)


def test_idle_timeout(engine: Engine) -> None:
    add_user(engine, "alice", "analyst")
    clock = FakeClock()
    with make_client(engine, clock=clock) as client:
        login(client, "alice")
        clock.advance(minutes=29)
        assert client.get("/api/accounts/me").json()["authenticated"]  # touches the session
        clock.advance(minutes=29)
        assert client.get("/api/accounts/me").json()["authenticated"]
        clock.advance(minutes=30, seconds=1)
        assert not client.get("/api/accounts/me").json()["authenticated"]
        clock.advance(seconds=1)
        assert not client.get("/api/accounts/me").json()["authenticated"]  # stays revoked


def test_absolute_timeout(engine: Engine) -> None:
    add_user(engine, "alice", "analyst")
    clock = FakeClock()
    with make_client(engine, clock=clock) as client:
        login(client, "alice")
        for _ in range(12 * 4 - 1):  # active every 15 minutes for almost 12 hours
            clock.advance(minutes=15)
            assert client.get("/api/accounts/me").json()["authenticated"]
        clock.advance(minutes=15, seconds=1)
        assert not client.get("/api/accounts/me").json()["authenticated"]


def test_lockout_after_five_failures_for_known_and_unknown_names(engine: Engine) -> None:
    add_user(engine, "alice", "analyst")
    clock = FakeClock()
    with make_client(engine, clock=clock) as client:
        for name in ("nobody", "alice"):
            for _ in range(4):
                clock.advance(minutes=2)
                assert login(client, name, "wrong password!").status_code == 401
            clock.advance(minutes=2)
            fifth = login(client, name, "wrong password!")
            assert fifth.status_code == 429
        assert login(client, "nobody", PASSWORD).status_code == 429  # unknown names lock too
        locked = login(client, "alice")  # the right password does not help while locked
        assert locked.status_code == 429 and "15 分钟" in locked.text
        clock.advance(minutes=14)
        assert login(client, "alice").status_code == 429
        clock.advance(minutes=2)
        assert login(client, "alice").status_code == 303
    with Session(engine) as session:
        attempts = session.scalars(select(LoginAttempt).where(LoginAttempt.username == "alice"))
        assert [a.succeeded for a in attempts] == [False] * 5 + [True]


def test_failures_spread_over_more_than_the_window_do_not_lock(engine: Engine) -> None:
    add_user(engine, "alice", "analyst")
    clock = FakeClock()
    with make_client(engine, clock=clock) as client:
        for _ in range(8):
            clock.advance(minutes=4)
            assert login(client, "alice", "wrong password!").status_code == 401
        assert login(client, "alice").status_code == 303


def test_success_resets_the_failure_count(engine: Engine) -> None:
    add_user(engine, "alice", "analyst")
    with make_client(engine) as client:
        for _ in range(4):
            assert login(client, "alice", "wrong password!").status_code == 401
        assert login(client, "alice").status_code == 303
        for _ in range(4):
            assert login(client, "alice", "wrong password!").status_code == 401
        assert login(client, "alice").status_code == 303


def test_csrf_refuses_missing_and_wrong_tokens_and_accepts_the_right_one(engine: Engine) -> None:
    add_user(engine, "alice", "analyst")
    with make_client(engine) as client:
        login(client, "alice")
        good = csrf_of(client.get("/account").text)
        missing = client.post("/account/tokens", data={"name": "ci"})
        wrong = client.post("/account/tokens", data={"name": "ci", "csrf_token": "0" * 64})
        assert missing.status_code == wrong.status_code == 403
        assert "CSRF" in missing.json()["detail"]
        accepted = client.post("/account/tokens", data={"name": "ci", "csrf_token": good})
        assert accepted.status_code == 200 and "qct_" in accepted.text
        # HTMX sends the token from <body hx-headers> as X-CSRF-Token.
        htmx = client.post(
            "/account/tokens",
            data={"name": "htmx"},
            headers={"HX-Request": "true", "X-CSRF-Token": good},
        )
        assert htmx.status_code == 200
        bad_htmx = client.post(
            "/account/tokens", data={"name": "x"}, headers={"X-CSRF-Token": good[:-1] + "0"}
        )
        assert bad_htmx.status_code == 403
        body = client.get("/account").text
        assert f'hx-headers=\'{{"X-CSRF-Token": "{good}"}}\'' in body
        # multipart forms (uploads) carry the field too
        multipart = client.post(
            "/account/tokens", data={"name": "upload", "csrf_token": good}, files={"f": b"x"}
        )
        assert multipart.status_code == 200


def test_csrf_token_changes_with_the_session(engine: Engine) -> None:
    add_user(engine, "alice", "analyst")
    with make_client(engine) as client:
        before = csrf_of(client.get("/login").text)
        login(client, "alice")
        after = csrf_of(client.get("/account").text)
        assert before != after
        refused = client.post("/account/tokens", data={"name": "x", "csrf_token": before})
        assert refused.status_code == 403


def test_login_form_needs_the_csrf_token(engine: Engine) -> None:
    add_user(engine, "alice", "analyst")
    with make_client(engine) as client:
        no_cookie = client.post("/login", data={"username": "alice", "password": PASSWORD})
        assert no_cookie.status_code == 403
        client.get("/login")
        no_token = client.post("/login", data={"username": "alice", "password": PASSWORD})
        assert no_token.status_code == 403
        assert not client.get("/api/accounts/me").json()["authenticated"]


def test_api_tokens_authenticate_without_csrf_and_can_be_revoked(engine: Engine) -> None:
    add_user(engine, "alice", "analyst")
    with unit_of_work(engine) as session:
        user = session.scalars(select(User)).one()
        token, clear = service.create_api_token(session, user.id, "script")
        token_id = token.id
    with Session(engine) as session:
        from qcity.accounts.models import ApiToken

        stored = session.get(ApiToken, token_id)
        assert stored is not None and stored.token_hash != clear and clear not in stored.token_hash
    with make_client(engine) as client:
        headers = {"Authorization": f"Bearer {clear}"}
        me = client.get("/api/accounts/me", headers=headers).json()
        assert me["authenticated"] and me["via"] == "token"
        posted = client.post("/account/tokens", data={"name": "more"}, headers=headers)
        assert posted.status_code == 200  # bearer clients are exempt from CSRF
        assert "set-cookie" not in posted.headers
        bad = client.get("/api/accounts/me", headers={"Authorization": "Bearer qct_nope"})
        assert bad.status_code == 401
    with unit_of_work(engine) as session:
        service.revoke_api_token(session, user.id, token_id, dt.datetime.now(dt.UTC))
    with make_client(engine) as client:
        assert client.get("/api/accounts/me", headers=headers).status_code == 401


def test_disabled_user_loses_sessions_and_cannot_log_in(engine: Engine) -> None:
    add_user(engine, "alice", "analyst")
    with make_client(engine) as client:
        login(client, "alice")
        assert client.get("/api/accounts/me").json()["authenticated"]
        with unit_of_work(engine) as session:
            service.disable_user(session, "alice")
        assert not client.get("/api/accounts/me").json()["authenticated"]
        assert login(client, "alice").status_code == 401


def test_change_own_password(engine: Engine) -> None:
    add_user(engine, "alice", "analyst")
    with make_client(engine) as client:
        login(client, "alice")
        token = csrf_of(client.get("/account").text)
        wrong = client.post(
            "/account/password",
            data={"current": "nope nope nope", "new": "another password", "csrf_token": token},
        )
        assert wrong.status_code == 400
        ok = client.post(
            "/account/password",
            data={"current": PASSWORD, "new": "another password", "csrf_token": token},
        )
        assert ok.status_code == 200
    with make_client(engine) as client:
        assert login(client, "alice", "another password").status_code == 303


def test_open_redirects_are_refused(engine: Engine) -> None:
    add_user(engine, "alice", "analyst")
    with make_client(engine) as client:
        response = login(client, "alice", next="//evil.example/")
        assert response.headers["location"] == "/"


def test_login_page_in_three_languages(engine: Engine) -> None:
    with make_client(engine) as client:
        assert "登录" in client.get("/login").text
        assert "登入" in client.get("/login?lang=zh-Hant").text
        assert "Log in" in client.get("/login?lang=en").text
