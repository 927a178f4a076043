"""SQLAlchemy engine and the unit of work, SQLite tuned for a live evening.

The caller of a use case (a socket handler, a view, the CLI, the scheduler) opens one unit of
work; services take part in it through ``db.current()`` and never commit themselves:

    @db.write()                       # or: with db.write(): ...
    def on_command(payload): ...      # BEGIN IMMEDIATE on SQLite, commit, then after_commit callbacks

    with db.read():                   # a plain (deferred) BEGIN: WAL readers never wait
        edition = db.current().get(Edition, edition_id)

``db.after_commit(fn)`` queues ``fn`` (a broadcast) to run once the write has committed, and drops
it if the write rolls back: nothing reaches a client that is not durable.
"""
from __future__ import annotations

import logging
import threading
from contextlib import ContextDecorator
from typing import Callable

from sqlalchemy import create_engine, event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, scoped_session, sessionmaker

log = logging.getLogger(__name__)


class UnitOfWorkError(RuntimeError):
    """The unit of work was misused: none open, a write nested in a unit of work, a flush in a read."""


def make_engine(url: str) -> Engine:
    if url.startswith("sqlite"):
        # busy_timeout only matters across processes (a CLI command beside the server): writers of
        # one process queue on Database's write lock and never reach SQLite's busy handler.
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 10})
        event.listen(engine, "connect", _sqlite_pragmas)
        # Write transactions take the write lock at BEGIN, or two concurrent read-then-write
        # transactions deadlock instead of waiting; reads begin deferred, so they never wait.
        event.listen(engine, "begin", _sqlite_begin)
        return engine
    return create_engine(url, pool_pre_ping=True, pool_size=10, max_overflow=20)


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    dbapi_connection.isolation_level = None  # SQLAlchemy emits BEGIN itself (see _sqlite_begin)
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


class _Local:
    """The open unit of work of each greenlet (or thread), like the scoped session.

    The ``threading.local`` is made in ``init_app``, after any monkey-patching: made at import it
    could be a real thread-local that every greenlet shares."""

    def __init__(self) -> None:
        self.storage: threading.local | None = None

    def reset(self) -> None:
        self.storage = threading.local()

    @property
    def unit(self) -> "_Unit | None":
        return getattr(self.storage, "unit", None)

    @unit.setter
    def unit(self, value: "_Unit | None") -> None:
        self.storage.unit = value


_local = _Local()


def _open_unit() -> "_Unit | None":
    return _local.unit


def _sqlite_begin(conn) -> None:
    unit = _open_unit()
    if unit is not None and unit.writes:
        # Taken here, once the pooled connection is in hand (checking one out may yield): between
        # this and the commit only SQLite's own calls run, so the holder is never kept waiting.
        unit.take_write_lock()
        conn.exec_driver_sql("BEGIN IMMEDIATE")
    else:
        conn.exec_driver_sql("BEGIN")


class _Unit:
    """One open unit of work: its session, whether it may write, and what to do after the commit."""

    def __init__(self, session: Session, writes: bool, write_lock: threading.Lock | None) -> None:
        self.session, self.writes = session, writes
        self.after_commit: list[Callable[[], None]] = []
        self._write_lock, self._locked = write_lock, False

    def take_write_lock(self) -> None:
        if self._write_lock is not None and not self._locked:
            self._write_lock.acquire()  # green after monkey-patching: the other greenlets go on
            self._locked = True

    def release_write_lock(self) -> None:
        if self._locked:
            self._locked = False
            self._write_lock.release()


class _UnitOfWork(ContextDecorator):
    """``db.write()`` / ``db.read()``: a context manager, or a decorator (a fresh one per call)."""

    def __init__(self, database: "Database", writes: bool) -> None:
        self.database, self.writes = database, writes
        self.joined = False

    def _recreate_cm(self):
        return _UnitOfWork(self.database, self.writes)

    def __enter__(self) -> Session:
        outer = _open_unit()
        if outer is not None:
            if self.writes:
                raise UnitOfWorkError("a write cannot be nested in another unit of work (use a savepoint)")
            self.joined = True  # a read inside a read or a write: it sees what the outer one sees
            return outer.session
        session = self.database.session()
        if session.in_transaction():
            # A lazy load after an earlier unit of work began a read (it cannot have written: see
            # _refuse_flush_outside_write); end it so that this unit sees the latest commits.
            session.commit()
        unit = _local.unit = _Unit(session, self.writes, self.database.write_lock)
        try:
            # BEGIN (and, for a write on SQLite, the write lock) comes with the first statement: what
            # a handler checks before touching the database (a rate limit) holds no lock.
            session.begin()
        except BaseException:
            self._close(unit)
            raise
        return session

    def __exit__(self, exc_type, exc, tb) -> bool:
        if self.joined:
            return False
        unit = _open_unit()
        session = unit.session
        try:
            if exc_type is None:
                session.commit()
            else:
                session.rollback()
        except BaseException:
            session.rollback()
            self._close(unit)
            raise
        self._close(unit)
        if exc_type is None:
            for callback in unit.after_commit:
                try:
                    callback()
                except Exception:  # the change is committed: a failed broadcast must not undo the answer
                    log.exception("after-commit callback failed")
        return False

    @staticmethod
    def _close(unit: _Unit) -> None:
        _local.unit = None
        unit.release_write_lock()


class Database:
    """Holds the engine, a session scoped to the current greenlet/request, and the unit of work."""

    def __init__(self) -> None:
        self.engine: Engine | None = None
        self.session: scoped_session[Session] | None = None
        # SQLite has one writer at a time: the writers of this process queue here, cooperatively.
        self.write_lock: threading.Lock | None = None

    def init_app(self, app) -> None:
        url = app.config["PITCHDAY_DATABASE_URL"]
        if url.startswith("sqlite:///") and not url.startswith("sqlite:////"):
            import os

            os.makedirs(os.path.dirname(url.removeprefix("sqlite:///")) or ".", exist_ok=True)
        _local.reset()
        self.engine = make_engine(url)
        # Created here, after any monkey-patching, so that under eventlet/gevent it is a green lock.
        self.write_lock = threading.Lock() if url.startswith("sqlite") else None
        self.session = scoped_session(sessionmaker(bind=self.engine, expire_on_commit=False))
        event.listen(self.session, "before_flush", _refuse_flush_outside_write)
        app.teardown_appcontext(self._teardown)
        app.extensions["pitchday_db"] = self

    def _teardown(self, _exc) -> None:
        if _open_unit() is None:
            self.session.remove()

    def write(self) -> _UnitOfWork:
        """A write unit of work: BEGIN IMMEDIATE on SQLite, commit on success, roll back on error,
        then the ``after_commit`` callbacks (only after a successful commit)."""
        return _UnitOfWork(self, writes=True)

    def read(self) -> _UnitOfWork:
        """A read unit of work: a deferred BEGIN (it never waits for a writer); a flush of changes raises.
        Inside an open unit of work it simply takes part in it."""
        return _UnitOfWork(self, writes=False)

    def current(self) -> Session:
        """The session of the open unit of work; raises if none is open."""
        unit = _open_unit()
        if unit is None:
            raise UnitOfWorkError("no unit of work is open: the caller opens db.write() or db.read()")
        return unit.session

    def writing(self) -> bool:
        unit = _open_unit()
        return unit is not None and unit.writes

    def after_commit(self, callback: Callable[[], None]) -> None:
        """Run ``callback`` once the open write has committed; dropped if it rolls back."""
        unit = _open_unit()
        if unit is None or not unit.writes:
            raise UnitOfWorkError("after_commit needs an open db.write()")
        unit.after_commit.append(callback)


def _refuse_flush_outside_write(session: Session, _context, _instances) -> None:
    unit = _open_unit()
    if (session.new or session.dirty or session.deleted) and (unit is None or not unit.writes):
        raise UnitOfWorkError("a change was flushed outside a db.write() unit of work")
