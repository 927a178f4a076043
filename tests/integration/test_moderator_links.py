"""How long a moderator link lasts: until its evening is over, unless the organisers fix a lifetime."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from pitchday.config import Config
from pitchday.extensions import db
from pitchday.services import access
from pitchday.timeutil import as_utc

from .conftest import fresh_edition

pytestmark = pytest.mark.integration


def _made(app, edition, **kwargs):
    with app.app_context(), db.write():
        before = datetime.now(timezone.utc)
        link, _token = access.create_moderator_link(edition.id, label="test", **kwargs)
        after = datetime.now(timezone.utc)
        return as_utc(link.expires_at), before, after


def test_moderator_link_made_a_week_ahead_lasts_until_six_hours_after_its_evening(app):
    evening = datetime.now(timezone.utc).replace(microsecond=0) + timedelta(days=7)
    edition = fresh_edition(app, starts_at=evening)  # the factory's evening lasts 3 hours

    expires, _before, _after = _made(app, edition)

    assert expires == evening + timedelta(hours=3 + 6)


def test_moderator_link_of_a_past_evening_lasts_twelve_hours_from_its_making(app):
    edition = fresh_edition(app)  # an evening of 2021

    expires, before, after = _made(app, edition)

    assert before + timedelta(hours=12) <= expires <= after + timedelta(hours=12)


def test_moderator_link_with_hours_set_lasts_exactly_that(app):
    edition = fresh_edition(app, starts_at=datetime.now(timezone.utc) + timedelta(days=7))

    expires, before, after = _made(app, edition, hours=3)

    assert before + timedelta(hours=3) <= expires <= after + timedelta(hours=3)


def test_moderator_link_hours_are_unset_unless_the_environment_sets_them(monkeypatch):
    monkeypatch.delenv("PITCHDAY_MODERATOR_LINK_HOURS", raising=False)
    assert Config().MODERATOR_LINK_HOURS is None
    assert Config().as_flask()["PITCHDAY_MODERATOR_LINK_HOURS"] is None

    monkeypatch.setenv("PITCHDAY_MODERATOR_LINK_HOURS", "5")
    assert Config().MODERATOR_LINK_HOURS == 5
