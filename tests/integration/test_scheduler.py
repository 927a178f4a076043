"""The scheduler: only editions with something due, in a read; moderators' refresh only where one is connected."""
from __future__ import annotations

import pytest

from pitchday.extensions import db
from pitchday.realtime import scheduler
from pitchday.timeutil import now_ms

from .conftest import connect, events
from .test_reads_never_write import overdue, stored_row  # noqa: F401 -- a fixture and a helper

pytestmark = pytest.mark.integration


def test_scheduler_stores_the_due_transition_once(app, overdue):
    version, _phase = stored_row(app, overdue["edition"])

    with app.app_context():
        assert scheduler.due_editions(now_ms()) == [overdue["edition"]]
        scheduler.run_pass()
        assert scheduler.due_editions(now_ms()) == []
        scheduler.run_pass()  # nothing due any more: nothing changes

    assert stored_row(app, overdue["edition"]) == (version + 1, "questions")


def test_scheduler_finds_no_edition_due_when_nothing_runs(app, edition):
    with app.app_context():
        assert scheduler.due_editions(now_ms()) == []


def test_scheduler_refreshes_the_moderators_of_an_edition_one_has_open(app, edition, moderator_http):
    moderator, projector = connect(app, "moderator", http=moderator_http), connect(app, "projector")
    moderator.get_received(), projector.get_received()
    with app.app_context():
        scheduler.run_pass(refresh_moderators=True)

    refreshed = events(moderator, "state")
    assert [(m["version"], "moderator" in m) for m in refreshed] == [(0, True)]
    assert events(projector, "state") == []

