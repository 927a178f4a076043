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
