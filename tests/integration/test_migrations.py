"""The Alembic migrations build exactly the schema the models describe, on SQLite and PostgreSQL."""
from __future__ import annotations

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import create_engine, inspect

from pitchday.migrate import alembic_config, upgrade
from pitchday.models import Base

pytestmark = pytest.mark.integration


def test_migrations_at_head_match_the_models(app, database_url):
    engine = create_engine(database_url)
    with engine.connect() as connection:
        differences = compare_metadata(MigrationContext.configure(connection), Base.metadata)
    engine.dispose()

    assert differences == []


def test_migrations_go_down_to_the_first_and_up_again(tmp_path):
    url = f"sqlite:///{tmp_path / 'round-trip.sqlite3'}"
    config = alembic_config(url)
    first = ScriptDirectory.from_config(config).get_base()
    upgrade(url)

    command.downgrade(config, first)
    engine = create_engine(url)
    after_down = set(inspect(engine).get_table_names())
    upgrade(url)
    after_up = set(inspect(engine).get_table_names())
    engine.dispose()

    assert "questions" not in after_down and "editions" in after_down
    assert after_up >= {t.name for t in Base.metadata.sorted_tables}


def test_due_at_migration_fills_in_the_rows_saved_before_it(tmp_path):
    """Live states stored before ``due_at`` existed get theirs from their state (the scheduler reads only it)."""
    from datetime import datetime, timezone

    from sqlalchemy import insert, select

    from pitchday.domain import show as domain
    from pitchday.models import Edition, LiveState

    url = f"sqlite:///{tmp_path / 'due-at.sqlite3'}"
    upgrade(url)
    moment = datetime(2020, 1, 23, 17, 0, tzinfo=timezone.utc)
    running = domain.apply(domain.new_show([(1, 300_000, 300_000)], auto_questions=True), "start", {},
                           now=1_579_798_800_000)
    idle = domain.new_show([(1, 300_000, 300_000)], auto_questions=True)
    engine = create_engine(url)
    with engine.begin() as conn:
        for edition_id, show in ((1, running), (2, idle)):
            conn.execute(insert(Edition.__table__).values(
                id=edition_id, slug=f"e{edition_id}", series="", number=edition_id, title="Soirée", theme="",
                starts_at=moment, ends_at=moment, talks_start_at=moment, venue="Lille", partners=[],
                pitch_ms=300_000, qa_ms=300_000, changeover_ms=0, auto_questions=True, talks_wanted=1,
                questions_auto_publish=False, connect_retention_days=30, applications_retention_days=365,
                peak_audience=0))
            conn.execute(insert(LiveState.__table__).values(edition_id=edition_id, version=show.version,
                                                            state=domain.to_dict(show), updated_at=moment))
    command.downgrade(alembic_config(url), "bf1cf99cc256")
    upgrade(url)
    with engine.connect() as conn:
        due = dict(conn.execute(select(LiveState.edition_id, LiveState.due_at)).all())
    engine.dispose()

    assert due == {1: datetime(2020, 1, 23, 17, 5, tzinfo=timezone.utc), 2: None}  # the pitch's end; nothing due
