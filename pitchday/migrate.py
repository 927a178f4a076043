"""Run the Alembic migrations programmatically (``pitchday db upgrade`` and at start-up)."""
from __future__ import annotations

import os

from alembic import command
from alembic.config import Config

from .resources import MIGRATIONS


def alembic_config(url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def upgrade(url: str) -> None:
    if url.startswith("sqlite:///") and not url.startswith("sqlite:////"):
        os.makedirs(os.path.dirname(url.removeprefix("sqlite:///")) or ".", exist_ok=True)
    command.upgrade(alembic_config(url), "head")
