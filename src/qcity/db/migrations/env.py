"""Alembic environment: qcity passes the connection in ``config.attributes``."""

from alembic import context

import qcity.models  # noqa: F401  (registers every table on Base.metadata)
from qcity.db.base import Base

connection = context.config.attributes.get("connection")
if connection is None:
    raise RuntimeError("run migrations through `qcity db upgrade`")

context.configure(
    connection=connection,
    target_metadata=Base.metadata,
    render_as_batch=connection.dialect.name == "sqlite",
    compare_type=True,
)
with context.begin_transaction():
    context.run_migrations()
