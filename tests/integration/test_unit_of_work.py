"""db.write() / db.read() / db.current() / db.after_commit(): the unit of work its caller opens."""
from __future__ import annotations

import pytest
from sqlalchemy import create_engine, delete, select

from pitchday.db import UnitOfWorkError
from pitchday.extensions import db
from pitchday.models import Setting

pytestmark = pytest.mark.integration

KEY = "test-unit-of-work"


@pytest.fixture()
def ctx(app):
    with app.app_context():
        with db.write() as session:
            session.execute(delete(Setting).where(Setting.key.startswith(KEY)))
        yield


@pytest.fixture()
def outside(database_url):
    """A connection of its own, as another process would read the database."""
    engine = create_engine(database_url)

    def stored(key: str = KEY) -> str | None:
        with engine.connect() as conn:
            return conn.execute(select(Setting.value).where(Setting.key == key)).scalar_one_or_none()

    yield stored
    engine.dispose()


def test_write_commits_then_runs_its_callbacks_once_durable(ctx, outside):
    seen_by_callback = []

    with db.write() as session:
        session.add(Setting(key=KEY, value="écrit"))
        db.after_commit(lambda: seen_by_callback.append(outside()))
        assert outside() is None  # not committed yet, so not visible outside

    assert seen_by_callback == ["écrit"]
    assert outside() == "écrit"


def test_write_that_fails_rolls_back_and_drops_its_callbacks(ctx, outside):
    ran = []

    with pytest.raises(ZeroDivisionError):
        with db.write() as session:
            session.add(Setting(key=KEY, value="perdu"))
            db.after_commit(lambda: ran.append("sent"))
            session.flush()
            1 / 0

    assert ran == []
    assert outside() is None


def test_write_decorator_opens_one_unit_per_call(ctx, outside):
    @db.write()
    def store(value: str) -> None:
        db.current().add(Setting(key=f"{KEY}-{value}", value=value))

    store("un")
    store("deux")

    assert (outside(f"{KEY}-un"), outside(f"{KEY}-deux")) == ("un", "deux")


def test_write_nested_in_a_write_is_refused_and_nothing_is_committed(ctx, outside):
    with pytest.raises(UnitOfWorkError):
        with db.write() as session:
            session.add(Setting(key=KEY, value="dehors"))
            with db.write():
                pass

    assert outside() is None


def test_write_nested_in_a_read_is_refused(ctx):
    with pytest.raises(UnitOfWorkError):
        with db.read():
            with db.write():
                pass


def test_read_refuses_to_flush_a_change(ctx, outside):
    with pytest.raises(UnitOfWorkError):
        with db.read() as session:
            session.add(Setting(key=KEY, value="interdit"))
            session.flush()

    assert outside() is None


def test_read_inside_a_write_takes_part_in_it(ctx, outside):
    with db.write() as session:
        session.add(Setting(key=KEY, value="vu"))
        with db.read() as inner:
            assert inner is session
            assert inner.scalar(select(Setting.value).where(Setting.key == KEY)) == "vu"
        assert outside() is None  # the read committed nothing: the write is still open

    assert outside() == "vu"


def test_current_without_a_unit_of_work_raises(ctx):
    with pytest.raises(UnitOfWorkError):
        db.current()


def test_after_commit_outside_a_write_raises(ctx):
    with pytest.raises(UnitOfWorkError):
        db.after_commit(lambda: None)
    with db.read():
        with pytest.raises(UnitOfWorkError):
            db.after_commit(lambda: None)
