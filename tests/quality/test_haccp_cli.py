"""``qcity haccp`` on SQLite and PostgreSQL."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest

from qcity.settings import get_settings
from tests.quality.conftest import VALID_USCC, invoke, invoke_json


@pytest.fixture
def configured(db_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("QCITY_DATABASE_URL", db_url)
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


def test_the_haccp_cycle_from_the_command_line(configured: None) -> None:
    ccp = invoke_json(
        "haccp", "add-ccp", "--uscc", VALID_USCC, "--product", "酸奶", "--step", "fermentation",
        "--hazard", "pH too high", "--upper", "4.6", "--unit", "pH", "--frequency", "每批",
    )  # fmt: skip
    ccp_id = str(ccp["id"])
    within = invoke("haccp", "record", ccp_id, "4.6", "--by", "李工", "--at", "2026-11-27T08:00")
    assert within.exit_code == 0 and "within the critical limits" in within.stdout
    deviation = invoke_json(
        "haccp", "record", ccp_id, "4.9", "--by", "李工", "--at", "2026-11-27T09:00Z"
    )["deviation"]  # a fixed time inside the verification period below, whatever the clock says
    assert deviation["status"] == "open"
    opened = invoke_json("haccp", "deviations", "--open")["deviations"]
    assert [d["id"] for d in opened] == [deviation["id"]]

    refused = invoke("haccp", "verify", ccp_id, "--start", "2000-01-01T00:00Z", "--end",
                     "2026-11-27T23:00Z", "--by", "张三", "--at", "2099-01-01T00:00Z")  # fmt: skip
    assert refused.exit_code == 1 and refused.stderr.startswith("error: cannot sign off CCP")

    done = invoke("haccp", "correct", str(deviation["id"]), "--action", "extended fermentation",
                  "--by", "王主管", "--disposition", "re-tested")  # fmt: skip
    assert done.exit_code == 0, done.stderr
    assert invoke_json("haccp", "deviations", "--open") == {"deviations": []}
    signed = invoke("haccp", "verify", ccp_id, "--start", "2000-01-01T00:00Z", "--end",
                    "2026-11-27T23:00Z", "--by", "张三", "--at", "2099-01-01T00:00Z")  # fmt: skip
    assert signed.exit_code == 0 and "signed off" in signed.stdout
    listing = invoke("haccp", "ccps")
    assert listing.exit_code == 0 and "酸奶" in listing.stdout


def test_haccp_input_errors_are_one_line(configured: None) -> None:
    bad = invoke("haccp", "add-ccp", "--uscc", "123", "--product", "p", "--step", "s",
                 "--hazard", "h", "--upper", "1", "--unit", "u", "--frequency", "f")  # fmt: skip
    assert bad.exit_code == 2 and len(bad.stderr.splitlines()) == 1
    assert "enterprise credit code '123' is invalid" in bad.stderr
    missing = invoke("haccp", "record", "42", "1.0", "--by", "x", "--json")
    assert missing.exit_code == 1 and missing.stdout == ""
    assert missing.stderr == "error: no critical control point with id 42\n"
    when = invoke("haccp", "record", "42", "1.0", "--by", "x", "--at", "yesterday")
    assert when.exit_code == 2 and "is not an ISO 8601 time" in when.stderr
    assert json.loads(invoke("haccp", "ccps", "--json").stdout) == {"ccps": []}
