"""One helper for atomic writes, shared by every storage module."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlite_utils import Database


@contextmanager
def write_transaction(db: Database) -> Iterator[Database]:
    """One atomic write; nested uses become savepoints of the outer transaction.

    The outermost level takes the write lock up front (`BEGIN IMMEDIATE`), so a concurrent
    writer makes it wait `busy_timeout` rather than fail half-way with "database is locked".
    """
    if db.conn.in_transaction:
        with db.atomic():
            yield db
        return
    db.conn.execute("BEGIN IMMEDIATE")
    try:
        yield db
    except BaseException:
        db.rollback()
        raise
    db.commit()
