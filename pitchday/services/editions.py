"""Editions and their talks."""
from __future__ import annotations

import json
from datetime import datetime
from importlib import resources

from sqlalchemy import select

from ..extensions import db
from ..models import Edition, Talk
from . import show as show_service


def load_demo_edition() -> Edition:
    """The 10th Jeudi du numérique (fictional talks), created once; returns it."""
    data = json.loads(resources.files("pitchday.data").joinpath("demo_edition.json").read_text("utf-8"))
    with db.transaction() as session:
        existing = session.scalar(select(Edition).where(Edition.slug == data["slug"]))
        if existing is not None:
            return existing
        edition = Edition(
            slug=data["slug"], number=data["number"], title=data["title"], theme=data["theme"],
            starts_at=datetime.fromisoformat(data["starts_at"]), ends_at=datetime.fromisoformat(data["ends_at"]),
            talks_start_at=datetime.fromisoformat(data["talks_start_at"]), venue=data["venue"],
            partners=data["partners"], pitch_ms=data["pitch_ms"], qa_ms=data["qa_ms"],
            changeover_ms=data["changeover_ms"],
        )
        edition.talks = [
            Talk(position=i, title=t["title"], organisation=t["organisation"], kind=t["kind"],
                 speaker=t["speaker"], summary=t["summary"])
            for i, t in enumerate(data["talks"], start=1)
        ]
        session.add(edition)
    show_service.reset_show(edition.id)
    return edition


def get_edition(edition_id: int) -> Edition | None:
    with db.transaction() as session:
        edition = session.get(Edition, edition_id)
        if edition is not None:
            list(edition.talks)  # loaded while the session is open
        return edition
