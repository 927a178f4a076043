"""A script that takes a fresh device cookie before each vote or question, against a room of honest phones.

A fresh cookie costs one page load, so it must not buy a fresh vote: a new device's socket must be
open a few seconds before it may submit (``too_soon`` until then), and devices under a minute old
share, per address, a budget far below the address's ceiling (ratelimit.YOUNG_LIMITS). Phones that
opened the page earlier in the evening, as a room's do, are not slowed at all.
"""
from __future__ import annotations

import uuid

import pytest
from sqlalchemy import func, select

from pitchday.domain.audience import DEVICE_WARMUP_MS
from pitchday.extensions import db
from pitchday.models import Question, QuestionVote, Talk
from pitchday.services import devices
from pitchday.services.ratelimit import YOUNG_LIMITS
from tests.serverproc import wait_until

from .conftest import moderator_socket, phone

pytestmark = pytest.mark.integration

VENUE = "198.51.100.7"  # the room's one public address
YOUNG_VOTES = int(YOUNG_LIMITS["vote"].split("/")[0])
YOUNG_QUESTIONS = int(YOUNG_LIMITS["ask"].split("/")[0])


def first_talk(app) -> int:
    with app.app_context():
        with db.read() as session:
            return session.scalar(select(Talk.id).where(Talk.position == 1))


def count(app, model) -> int:
    with app.app_context():
        with db.read() as session:
            return session.scalar(select(func.count()).select_from(model))


def ask(sio, talk: int, text: str) -> dict:
    return sio.emit("ask", {"client_id": str(uuid.uuid4()), "talk_id": talk, "text": text}, callback=True)


def vote(sio, question_id: int) -> dict:
    return sio.emit("vote", {"question_id": question_id}, callback=True)


@pytest.fixture()
def question(app, edition, moderator_http) -> int:
    """A published question of the first talk, asked by a phone of the room."""
    _http, asker = phone(app, opened_page_s_ago=600)
    asked = ask(asker, first_talk(app), "Quel budget ?")["question"]
    moderator = moderator_socket(app, moderator_http)
    return moderator.emit("moderate", {"question_id": asked["id"], "action": "approve"}, callback=True)["question"]["id"]


@pytest.fixture()
def warmup(app, monkeypatch):
    """The server's real warm-up (the other integration tests run without one)."""
    monkeypatch.setitem(app.config, "PITCHDAY_DEVICE_WARMUP_MS", DEVICE_WARMUP_MS)


def test_a_vote_from_a_socket_opened_a_moment_ago_is_refused_for_now_and_stores_nothing(app, question, warmup):
    _http, script = phone(app, address=VENUE)

    ack = vote(script, question)

    assert ack["ok"] is False
    assert ack["error"]["code"] == "too_soon"
    assert 0 < ack["error"]["retry_after_ms"] <= DEVICE_WARMUP_MS
    assert ack["error"]["message"] == "Un instant : envoi dans quelques secondes."
    assert count(app, QuestionVote) == 0


def test_a_vote_sent_again_after_the_warmup_is_counted(app, question, warmup):
    _http, person = phone(app, address=VENUE)
    first = vote(person, question)

    counted = wait_until(lambda: (lambda ack: ack if ack["ok"] else None)(vote(person, question)),
                         interval_s=0.5, message="the vote accepted once the socket is warm")

    assert first["error"]["code"] == "too_soon"
    assert counted == {"ok": True, "question_id": question, "votes": 1, "voted": True}


def test_a_script_taking_a_fresh_cookie_per_vote_is_bounded_by_the_budget_of_new_devices(app, question):
    answers = [vote(phone(app, address=VENUE)[1], question) for _ in range(YOUNG_VOTES + 10)]

    assert [a["ok"] for a in answers] == [True] * YOUNG_VOTES + [False] * 10
    assert {a["error"]["code"] for a in answers[YOUNG_VOTES:]} == {"rate_limited"}
    assert count(app, QuestionVote) == YOUNG_VOTES
    # The budget is the address's: a new phone elsewhere, and a phone of the room, still vote.
    assert vote(phone(app, address="203.0.113.9")[1], question)["ok"] is True
    assert vote(phone(app, address=VENUE, opened_page_s_ago=600)[1], question)["ok"] is True


def test_a_script_taking_a_fresh_cookie_per_question_is_bounded_by_the_budget_of_new_devices(app, edition):
    talk = first_talk(app)
    answers = [ask(phone(app, address=VENUE)[1], talk, f"Question {i}") for i in range(YOUNG_QUESTIONS + 20)]

    assert sum(a["ok"] for a in answers) == YOUNG_QUESTIONS
    assert count(app, Question) == YOUNG_QUESTIONS


def test_three_hundred_phones_of_the_room_behind_one_address_all_vote(app, question):
    phones = [phone(app, address=VENUE, opened_page_s_ago=120)[1] for _ in range(300)]

    answers = [vote(sio, question) for sio in phones]

    assert [a for a in answers if not a["ok"]] == []
    assert answers[-1]["votes"] == 300
    assert count(app, QuestionVote) == 300


def test_a_cookie_whose_date_was_changed_is_not_a_device(app, edition):
    with app.app_context():
        device_id, cookie = devices.new_device(born_s=1_900_000_000)
        forged = cookie.replace(":1900000000.", ":1.")
        before_dates = devices._signer().sign("an-older-phone").decode()  # a cookie made before dates were kept

        assert devices.device_and_birth(cookie) == (device_id, 1_900_000_000_000)
        assert forged != cookie and devices.device_and_birth(forged) is None
        assert devices.device_from_cookie(forged) is None
        assert devices.device_and_birth(before_dates) == ("an-older-phone", 0)  # an old device
