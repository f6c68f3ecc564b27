"""Units of work. Services never commit; the caller that opens the unit of work does."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker


@contextmanager
def unit_of_work(engine: Engine) -> Iterator[Session]:
    """A session committed when the block succeeds and rolled back when it raises."""
    session = sessionmaker(bind=engine, expire_on_commit=False)()
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()
