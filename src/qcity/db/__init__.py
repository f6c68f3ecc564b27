"""Database plumbing: engine, sessions, declarative base and migrations."""

from qcity.db.base import Base
from qcity.db.engine import database_label, make_engine, parse_database_url
from qcity.db.migrations import (
    check_schema_current,
    current_revision,
    head_revision,
    upgrade,
)
from qcity.db.session import unit_of_work

__all__ = [
    "Base",
    "check_schema_current",
    "current_revision",
    "database_label",
    "head_revision",
    "make_engine",
    "parse_database_url",
    "unit_of_work",
    "upgrade",
]
