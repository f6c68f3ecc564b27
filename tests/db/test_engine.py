"""Database URLs: normalisation and one-line errors."""

from __future__ import annotations

import pytest

from qcity.db import database_label, parse_database_url
from qcity.errors import ConfigurationError


@pytest.mark.parametrize(
    ("raw", "driver"),
    [
        ("postgresql://u:p@db.example:5432/qcity", "postgresql+psycopg"),
        ("postgres://u@localhost/qcity", "postgresql+psycopg"),
        ("postgresql+psycopg://u@localhost/qcity", "postgresql+psycopg"),
        ("sqlite:///var/qcity.sqlite3", "sqlite"),
    ],
)
def test_supported_urls_are_normalised(raw: str, driver: str) -> None:
    assert parse_database_url(raw).drivername == driver


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ("not a url", "is not a database URL"),
        ("mysql://u@h/db", "supports SQLite and PostgreSQL"),
        ("sqlite://", "in-memory SQLite"),
        ("postgresql:///qcity", "names no host"),
    ],
)
def test_bad_urls_say_what_to_use(raw: str, message: str) -> None:
    with pytest.raises(ConfigurationError, match=message) as caught:
        parse_database_url(raw)
    assert "\n" not in str(caught.value)


def test_password_is_hidden_in_labels() -> None:
    label = database_label("postgresql+psycopg://qcity:s3cret@h:5432/qcity")
    assert "s3cret" not in label
    assert "qcity:***@h:5432/qcity" in label
