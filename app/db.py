"""Database engine and sessions (SQLAlchemy 2), created unbound and attached with ``init_app``.

Services own their transactions: ``with db.transaction() as session:`` commits once at the end
of a use case and rolls back on any exception. Reads use ``with db.session() as session:``.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime

from sqlalchemy import JSON, DateTime, Engine, create_engine, event
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker
from sqlalchemy.types import TypeDecorator


class UTCDateTime(TypeDecorator):
    """Timezone-aware UTC datetimes on every backend (stored naive, in UTC)."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given; use datetime.now(UTC)")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        return value.replace(tzinfo=UTC)


#: JSON everywhere, JSONB on PostgreSQL.
JSON_TYPE = JSON().with_variant(JSONB(), "postgresql")


class Base(DeclarativeBase):
    """Declarative base of every model."""

    type_annotation_map = {dict: JSON_TYPE, list: JSON_TYPE, datetime: UTCDateTime}


def utcnow() -> datetime:
    """The current time, aware, in UTC."""
    return datetime.now(UTC)


class Database:
    """Holds the engine and session factory for one application."""

    def __init__(self) -> None:
        self.engine: Engine | None = None
        self.session_factory: sessionmaker[Session] | None = None
        self.is_sqlite = False
        #: Striped locks standing in for row locks on SQLite (one process only).
        self._stripes = [threading.RLock() for _ in range(64)]

    def init(self, url: str, echo: bool = False) -> None:
        """Create the engine for ``url`` (replacing any earlier one)."""
        self.dispose()
        self.is_sqlite = url.startswith("sqlite")
        if url.startswith("postgresql://"):
            url = "postgresql+psycopg2://" + url[len("postgresql://"):]
        kwargs: dict = {"echo": echo, "future": True}
        if self.is_sqlite:
            kwargs["connect_args"] = {"check_same_thread": False, "timeout": 30}
        else:
            kwargs.update(pool_size=10, max_overflow=20, pool_pre_ping=True)
        self.engine = create_engine(url, **kwargs)
        if self.is_sqlite:
            event.listen(self.engine, "connect", _sqlite_pragmas)
        self.session_factory = sessionmaker(self.engine, expire_on_commit=False)

    def dispose(self) -> None:
        """Close every pooled connection (after fork, or at shutdown)."""
        if self.engine is not None:
            self.engine.dispose()

    @contextmanager
    def session(self) -> Iterator[Session]:
        """A session for reads; closing it discards anything uncommitted.

        Objects read stay usable (detached) after the block.
        """
        assert self.session_factory is not None, "db.init() was not called"
        session = self.session_factory()
        try:
            yield session
        finally:
            session.close()

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        """A session whose work is committed once at the end, or rolled back on error."""
        assert self.session_factory is not None, "db.init() was not called"
        session = self.session_factory()
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise
        finally:
            session.close()

    def instance_lock(self, instance_id: str) -> threading.RLock:
        """A process-local lock covering one instance (SQLite has no row locks)."""
        return self._stripes[hash(instance_id) % len(self._stripes)]


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()


db = Database()
