"""Object authorisation on the server: enterprise users see only their own entity, inspectors
only their towns; personal data masked unless unmasked with permission, and every unmask
audited. On both databases."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from qcity.accounts import (
    PUBLIC,
    Forbidden,
    Principal,
    Unauthenticated,
    can_see_entity,
    require,
    visible_towns,
)
from qcity.audit.models import AuditLog
from qcity.errors import NotFound
from tests.accounts.helpers import (
    DONGCHENG,
    NANCHENG,
    WANJIANG,
    Registry,
    add_user,
    login,
    make_client,
    seed_registry,
)


def test_policy_scopes_without_a_database() -> None:
    inspector = Principal("ins", "inspector", 1, towns=frozenset({DONGCHENG}))
    enterprise = Principal("ent", "enterprise", 2, uscc="A" * 18)
    analyst = Principal("ana", "analyst", 3)
    assert visible_towns(analyst) is None and visible_towns(inspector) == {DONGCHENG}
    assert visible_towns(enterprise) == frozenset() and visible_towns(PUBLIC) == frozenset()
    assert can_see_entity(inspector, "X" * 18, DONGCHENG)
    assert not can_see_entity(inspector, "X" * 18, NANCHENG)
    assert not can_see_entity(inspector, "X" * 18)  # no town, no access
    assert can_see_entity(enterprise, "A" * 18) and not can_see_entity(enterprise, "B" * 18)
    assert not can_see_entity(PUBLIC, "A" * 18)
    require(enterprise, "upload_entity_data", "A" * 18)
    with pytest.raises(Forbidden):
        require(enterprise, "upload_entity_data", "B" * 18)
    with pytest.raises(NotFound):
        require(enterprise, "view_entity", "B" * 18, hide="no market entity")
    with pytest.raises(Unauthenticated):
        require(PUBLIC, "view_audit")
    with pytest.raises(Forbidden):
        require(analyst, "unmask_personal_data")
    with pytest.raises(Forbidden):
        require(analyst, "no_such_action")  # unknown actions are denied
    granted = Principal("ana", "analyst", 3, granted=frozenset({"unmask_personal_data"}))
    require(granted, "unmask_personal_data")


@pytest.fixture
def registry(engine: Engine) -> Registry:
    seeded = seed_registry(engine)
    add_user(engine, "ent-a", "enterprise", uscc=seeded.uscc_a)
    add_user(engine, "ent-b", "enterprise", uscc=seeded.uscc_b)
    add_user(engine, "ins-nc", "inspector", towns=[NANCHENG, WANJIANG])
    add_user(engine, "admin", "admin")
    add_user(engine, "ana", "analyst")
    return seeded


def test_enterprise_user_sees_only_its_own_entity(engine: Engine, registry: Registry) -> None:
    with make_client(engine) as client:
        login(client, "ent-a")
        own = client.get(f"/api/registry/entities/{registry.uscc_a}")
        assert own.status_code == 200 and own.json()["uscc"] == registry.uscc_a
        other = client.get(f"/api/registry/entities/{registry.uscc_b}")
        missing = client.get("/api/registry/entities/91441900MA00000000")
        assert other.status_code == missing.status_code == 404
        assert other.json()["detail"] == f"no market entity with credit code {registry.uscc_b}"
        assert registry.uscc_b not in str(other.json()).replace(
            f"credit code {registry.uscc_b}", ""
        )
        listing = client.get("/api/registry/entities", params={"town": DONGCHENG}).json()
        assert listing["total"] == 1
        assert [e["uscc"] for e in listing["items"]] == [registry.uscc_a]
        assert client.get("/api/registry/entities").json()["total"] == 1


def test_inspector_is_refused_outside_their_towns(engine: Engine, registry: Registry) -> None:
    with make_client(engine) as client:
        login(client, "ins-nc")
        inside = client.get(f"/api/registry/entities/{registry.uscc_c}")
        assert inside.status_code == 200
        outside = client.get(f"/api/registry/entities/{registry.uscc_a}")
        assert outside.status_code == 404
        assert client.get("/api/registry/entities", params={"town": DONGCHENG}).status_code == 403
        listing = client.get("/api/registry/entities").json()
        assert {e["town_code"] for e in listing["items"]} == {NANCHENG}
        assert listing["total"] == 1


def test_public_register_stays_masked(engine: Engine, registry: Registry) -> None:
    with make_client(engine) as client:
        items = client.get("/api/registry/entities").json()["items"]
        assert len(items) == 3 and all("*" in e["legal_representative"] for e in items)
        assert client.get("/api/registry/entities", params={"unmask": "true"}).status_code == 401


def test_unmask_needs_the_permission_and_is_audited(engine: Engine, registry: Registry) -> None:
    with make_client(engine) as client:
        login(client, "ana")
        masked = client.get(f"/api/registry/entities/{registry.uscc_c}").json()
        assert masked["legal_representative"] == "欧**华"
        refused = client.get(f"/api/registry/entities/{registry.uscc_c}?unmask=true")
        assert refused.status_code == 403
    with make_client(engine) as client:
        login(client, "admin")
        default = client.get(f"/api/registry/entities/{registry.uscc_c}").json()
        assert default["legal_representative"] == "欧**华"  # masked unless asked
        clear = client.get(f"/api/registry/entities/{registry.uscc_c}?unmask=true").json()
        assert clear["legal_representative"] == "欧阳明华"
        listing = client.get("/api/registry/entities", params={"unmask": "true"}).json()
        assert {e["legal_representative"] for e in listing["items"]} == {
            "张三丰",
            "李四",
            "欧阳明华",
        }
    with Session(engine) as session:
        unmasks = session.scalars(
            select(AuditLog).where(AuditLog.action == "unmask").order_by(AuditLog.id)
        ).all()
    assert len(unmasks) == 4
    assert {u.actor for u in unmasks} == {"user:admin"}
    assert {u.table_name for u in unmasks} == {"market_entity"}
    assert unmasks[0].after == {"field": "legal_representative", "purpose": "registry API"}
    assert all("欧阳明华" not in str(u.after) for u in unmasks)  # the value is never logged


def test_granted_analyst_may_unmask(engine: Engine, registry: Registry) -> None:
    add_user(engine, "ana2", "analyst", permissions=["unmask_personal_data"])
    with make_client(engine) as client:
        login(client, "ana2")
        clear = client.get(f"/api/registry/entities/{registry.uscc_a}?unmask=true").json()
        assert clear["legal_representative"] == "张三丰"


def test_audit_page_is_for_admins_only(engine: Engine, registry: Registry) -> None:
    with make_client(engine) as client:
        anonymous = client.get("/admin/audit", follow_redirects=False)
        assert anonymous.status_code == 303
        assert anonymous.headers["location"] == "/login?next=/admin/audit"
        assert client.get("/api/audit").status_code == 401
        login(client, "ana")
        assert client.get("/admin/audit").status_code == 403
        assert client.get("/api/audit").status_code == 403
    with make_client(engine) as client:
        login(client, "admin")
        page = client.get("/admin/audit?lang=en")
        assert page.status_code == 200 and "Audit log" in page.text
        assert "market_entity" in page.text and "app_user" in page.text
        filtered = client.get("/admin/audit", params={"table": "market_entity"}).text
        assert 'data-audit-id="' in filtered and "[redacted]" not in filtered
        users = client.get("/admin/audit", params={"table": "app_user"}).text
        assert "[redacted]" in users and "$argon2" not in users  # hashes never reach the log
        api = client.get("/api/audit", params={"table": "market_entity", "limit": 2}).json()
        assert api["total"] == 3 and len(api["items"]) == 2
        assert {i["action"] for i in api["items"]} == {"insert"}
        by_actor = client.get("/api/audit", params={"actor": "nobody"}).json()
        assert by_actor["total"] == 0
        dated = client.get(
            "/api/audit", params={"date_from": "2000-01-01", "date_to": "2000-01-02"}
        )
        assert dated.json()["total"] == 0
        assert client.get("/api/audit", params={"date_from": "yesterday"}).status_code == 422
        assert client.get("/admin/audit", params={"offset": 50}).status_code == 200
