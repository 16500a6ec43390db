"""Database engine and sessions (SQLAlchemy 2), one :class:`Database` per app, attached with ``init_app``.

Services own their transactions: ``with db.transaction() as session:`` commits once at the end
of a use case and rolls back on any exception. Reads use ``with db.session() as session:``.
"""

from __future__ import annotations

import os
import threading
import time
import weakref
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from datetime import UTC, datetime

from flask import Flask, current_app, has_app_context
from sqlalchemy import JSON, DateTime, Engine, create_engine, event
from sqlalchemy import exc as sa_exc
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker
from sqlalchemy.types import TypeDecorator

from app import jsonio


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
    """The engine and session factory of one application (``app.extensions["housing.db"]``)."""

    def __init__(self, url: str, echo: bool = False) -> None:
        self.url = url
        self.is_sqlite = url.startswith("sqlite")
        if url.startswith("postgresql://"):
            url = "postgresql+psycopg2://" + url[len("postgresql://"):]
        kwargs: dict = {"echo": echo, "future": True, "json_serializer": jsonio.dumps}
        if self.is_sqlite:
            kwargs["connect_args"] = {"check_same_thread": False, "timeout": 30}
        else:
            # an UPDATE or DELETE run with many parameter sets (a batch's job results) goes to
            # the server in pages of statements, not one round trip per row; nothing here reads
            # the row count of such an executemany, and versioned ORM updates stay row by row
            kwargs.update(pool_size=10, max_overflow=20, executemany_mode="values_plus_batch")
        self.engine: Engine = create_engine(url, **kwargs)
        if self.is_sqlite:
            event.listen(self.engine, "connect", _sqlite_pragmas)
        else:  # a connection idle for a while is pinged before use; a busy one is not
            event.listen(self.engine, "checkin", _note_idle)
            event.listen(self.engine, "checkout", _ping_if_idle)
        self.session_factory: sessionmaker[Session] = sessionmaker(self.engine, expire_on_commit=False)
        self._stripes = _sqlite_stripes(self.engine.url.database or "") if self.is_sqlite else []

    def dispose(self) -> None:
        """Close every pooled connection (after fork, or at shutdown)."""
        self.engine.dispose()

    @contextmanager
    def session(self) -> Iterator[Session]:
        """A session for reads; closing it discards anything uncommitted.

        Objects read stay usable (detached) after the block.
        """
        session = self.session_factory()
        try:
            yield session
        finally:
            session.close()

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        """A session whose work is committed once at the end, or rolled back on error."""
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
        if not self._stripes:
            raise RuntimeError("instance_lock stands in for row locks on SQLite only")
        return self._stripes[hash(instance_id) % len(self._stripes)]


class NoApplicationDatabase(RuntimeError):
    """``db`` was used outside an application context, or in an app without a database."""


class CurrentDatabase:
    """``db``: the :class:`Database` of the running app, resolved on every use.

    Each app owns its engine (``create_app`` calls :meth:`init_app`), so two apps in one process
    never share connections. Web requests, CLI commands, RQ jobs and the scheduler all run inside
    an app context; outside one every use raises :class:`NoApplicationDatabase`.
    """

    EXTENSION = "housing.db"

    def init_app(self, app: Flask, url: str, echo: bool = False) -> Database:
        """Create ``app``'s database for ``url``; its pooled connections close when the app is collected."""
        database = Database(url, echo)
        app.extensions[self.EXTENSION] = database
        weakref.finalize(app, database.dispose)
        return database

    def get(self) -> Database:
        """The current app's database."""
        if not has_app_context():
            raise NoApplicationDatabase(
                "the database belongs to an application: use it inside `with app.app_context():`")
        database = current_app.extensions.get(self.EXTENSION)
        if database is None:
            raise NoApplicationDatabase(f"app {current_app.name!r} has no database (create it with create_app)")
        return database

    @property
    def engine(self) -> Engine:
        return self.get().engine

    @property
    def is_sqlite(self) -> bool:
        return self.get().is_sqlite

    def session(self) -> AbstractContextManager[Session]:
        """See :meth:`Database.session`."""
        return self.get().session()

    def transaction(self) -> AbstractContextManager[Session]:
        """See :meth:`Database.transaction`."""
        return self.get().transaction()

    def instance_lock(self, instance_id: str) -> threading.RLock:
        """See :meth:`Database.instance_lock`."""
        return self.get().instance_lock(instance_id)

    def dispose(self) -> None:
        """Close the current app's pooled connections."""
        self.get().dispose()


_stripes_lock = threading.Lock()
_stripes_by_file: dict[str, list[threading.RLock]] = {}


def _sqlite_stripes(path: str) -> list[threading.RLock]:
    """Striped locks standing in for row locks on one SQLite file.

    Keyed by the file, not the app: two apps in one process on the same file must still
    serialise their writes to one instance. A lock holds no data, so sharing it shares no state.
    """
    if not path or path == ":memory:":  # a private database per connection: nothing to share
        return [threading.RLock() for _ in range(64)]
    with _stripes_lock:
        return _stripes_by_file.setdefault(os.path.abspath(path), [threading.RLock() for _ in range(64)])


#: A pooled connection idle longer than this is pinged when checked out (PostgreSQL restarted,
#: a firewall dropped it). A connection in steady use is not: a ping on every checkout was one
#: extra round trip per transaction.
IDLE_PING_SECONDS = 5.0


def _note_idle(_dbapi_connection, record) -> None:
    record.info["idle_since"] = time.monotonic()


def _ping_if_idle(dbapi_connection, record, _proxy) -> None:
    since = record.info.get("idle_since")
    if since is None or time.monotonic() - since < IDLE_PING_SECONDS:
        return
    try:
        cursor = dbapi_connection.cursor()
        try:
            cursor.execute("SELECT 1")
        finally:
            cursor.close()
        dbapi_connection.rollback()
    except Exception as exc:  # the pool throws this connection away and takes another
        raise sa_exc.DisconnectionError(str(exc)) from exc


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()


#: The running app's database: ``with db.transaction() as session: ...``
db = CurrentDatabase()
