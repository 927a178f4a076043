"""SQLAlchemy engine and per-request session, SQLite tuned for a live evening."""
from __future__ import annotations

from contextlib import contextmanager
from typing import Iterator

from sqlalchemy import create_engine, event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, scoped_session, sessionmaker


def make_engine(url: str) -> Engine:
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 10})
        event.listen(engine, "connect", _sqlite_pragmas)
        # Write transactions must take the write lock at BEGIN, or two concurrent
        # read-then-write transactions deadlock instead of waiting (busy_timeout).
        event.listen(engine, "begin", lambda conn: conn.exec_driver_sql("BEGIN IMMEDIATE"))
        return engine
    return create_engine(url, pool_pre_ping=True, pool_size=10, max_overflow=20)


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    dbapi_connection.isolation_level = None  # SQLAlchemy emits BEGIN itself (see above)
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


class Database:
    """Holds the engine and a session scoped to the current greenlet/request."""

    def __init__(self) -> None:
        self.engine: Engine | None = None
        self.session: scoped_session[Session] | None = None

    def init_app(self, app) -> None:
        url = app.config["PITCHDAY_DATABASE_URL"]
        if url.startswith("sqlite:///") and not url.startswith("sqlite:////"):
            import os

            os.makedirs(os.path.dirname(url.removeprefix("sqlite:///")) or ".", exist_ok=True)
        self.engine = make_engine(url)
        self.session = scoped_session(sessionmaker(bind=self.engine, expire_on_commit=False))
        app.teardown_appcontext(lambda _exc: self.session.remove())
        app.extensions["pitchday_db"] = self

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        """A short transaction: commit on success, roll back on error."""
        session = self.session()
        if session.in_transaction():  # a read the request began earlier: end it first
            session.commit()
        with session.begin():
            yield session
