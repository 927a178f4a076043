"""Votes written together (realtime/votes.py): each keeps its own answer, counted once, failures its own."""
from __future__ import annotations

import threading
import time

import pytest
from sqlalchemy import func, select

from pitchday.extensions import db
from pitchday.models import Question, QuestionVote
from pitchday.realtime import votes as vote_writer
from pitchday.services import questions
from pitchday.services.questions import Ballot

from .conftest import events, moderator_socket, phone
from .test_questions import ask, flush, moderate, published_question, talk_id, vote

pytestmark = pytest.mark.integration

DEADLINE_S = 30  # generous: the machine is shared; every wait below ends as soon as its condition holds


def wait_until(condition, what: str) -> None:
    end = time.monotonic() + DEADLINE_S
    while not condition():
        if time.monotonic() > end:
            raise AssertionError(f"still waiting after {DEADLINE_S} s: {what}")
        time.sleep(0.005)


def stored_votes(app, question_id: int) -> tuple[int, int]:
    """(the question's count, its rows of votes)."""
    with app.app_context(), db.read() as session:
        return (session.get(Question, question_id).votes,
                session.scalar(select(func.count()).select_from(QuestionVote)
                               .where(QuestionVote.question_id == question_id)))


def test_a_group_is_answered_as_if_its_votes_had_come_one_after_the_other(app, edition, moderator_http):
    moderator = moderator_socket(app, moderator_http)
    _h, asker = phone(app)
    _h2, other_asker = phone(app)  # three questions a minute per phone
    first = published_question(app, moderator, asker, "La première")
    second = published_question(app, moderator, asker, "La seconde")
    pending = ask(asker, talk_id(app), "En attente")["question"]
    answered = published_question(app, moderator, other_asker, "Déjà répondue")
    moderate(moderator, answered["id"], "answer")
    edition_id = edition.id

    group = [Ballot(edition_id, "phone-a", first["id"]),
             Ballot(edition_id, "phone-b", first["id"]),
             Ballot(edition_id, "phone-a", first["id"]),  # a double tap, in the same group
             Ballot(edition_id, "phone-a", second["id"]),
             Ballot(edition_id, "phone-a", pending["id"]),
             Ballot(edition_id, "phone-a", 999_999),
             Ballot(edition_id + 1000, "phone-c", first["id"]),  # another edition's phone
             Ballot(edition_id, "phone-a", answered["id"]),
             Ballot(edition_id, "phone-c", first["id"])]
    with app.app_context(), db.write():
        answers = questions.record_votes(group)

    def counted(question, n):
        return {"ok": True, "question_id": question["id"], "votes": n, "voted": True}

    assert answers[:4] == [counted(first, 1), counted(first, 2), counted(first, 3), counted(second, 1)]
    assert [a["error"]["code"] if "error" in a else a for a in answers[4:8]] == ["unknown_question"] * 3 + ["not_votable"]
    assert answers[8] == counted(first, 3)
    assert stored_votes(app, first["id"]) == (3, 3)
    assert stored_votes(app, second["id"]) == (1, 1)
    # A phone that votes again, later, is answered as its first vote was: counted, with today's count.
    with app.app_context(), db.write():
        assert questions.record_votes([Ballot(edition_id, "phone-b", first["id"])]) == [counted(first, 3)]
    assert stored_votes(app, first["id"]) == (3, 3)


def test_votes_arriving_while_a_group_is_written_are_written_together(app, edition, moderator_http, monkeypatch):
    moderator = moderator_socket(app, moderator_http)
    _h, asker = phone(app)
    question = published_question(app, moderator, asker)
    writer = vote_writer.writer(app)
    groups: list[int] = []
    held, release = threading.Event(), threading.Event()
    library = questions.record_votes

    def recorded(ballots):
        groups.append(len(ballots))
        if len(groups) == 1:  # the first group waits, as if its write were slow: the others queue
            held.set()
            assert release.wait(DEADLINE_S)
        return library(ballots)

    monkeypatch.setattr(questions, "record_votes", recorded)
    answers: list[tuple[str, dict]] = []

    def one_phone(device: str) -> None:
        with app.app_context():
            answers.append((device, writer.submit(Ballot(edition.id, device, question["id"]))))

    threads = [threading.Thread(target=one_phone, args=("phone-0",))]
    threads[0].start()
    wait_until(held.is_set, "the first group's write")
    # Twenty phones, one of them twice (a double tap): 21 votes, all queued behind the first group.
    devices = [f"phone-{n}" for n in range(1, 21)] + ["phone-7"]
    threads += [threading.Thread(target=one_phone, args=(device,)) for device in devices]
    for thread in threads[1:]:
        thread.start()
    wait_until(lambda: writer.queue.qsize() == len(devices), "21 votes waiting")
    release.set()
    for thread in threads:
        thread.join(DEADLINE_S)

    assert groups == [1, 21]
    assert stored_votes(app, question["id"]) == (21, 21)
    assert all(answer["ok"] and answer["voted"] for _device, answer in answers)
    # Each vote its own answer: the count it made (1, then 2..21 in the order they queued), and the
    # double tap the count once the group was written, as a second vote is answered.
    assert sorted(answer["votes"] for _device, answer in answers) == list(range(1, 22)) + [21]
    assert [answer["votes"] for device, answer in answers if device == "phone-0"] == [1]


def test_a_failed_group_is_written_again_vote_by_vote_and_only_the_culprit_fails(app, edition, moderator_http,
                                                                                  monkeypatch):
    moderator = moderator_socket(app, moderator_http)
    _h, asker = phone(app)
    question = published_question(app, moderator, asker)
    writer = vote_writer.writer(app)
    library = questions.record_votes
    written: list[list[str]] = []

    def recorded(ballots):
        written.append([b.device_id for b in ballots])
        result = library(ballots)  # stored, then the write fails: it must be rolled back entirely
        if any(b.device_id == "culprit" for b in ballots):
            raise RuntimeError("this vote breaks its write")
        return result

    monkeypatch.setattr(questions, "record_votes", recorded)
    writer_group = [writer_waiting(device, edition.id, question["id"]) for device in ("a", "culprit", "b")]
    with app.app_context():
        writer._write(writer_group)

    assert written == [["a", "culprit", "b"], ["a"], ["culprit"], ["b"]]
    a, culprit, b = writer_group
    assert (a.answer["votes"], b.answer["votes"]) == (1, 2) and a.error is None and b.error is None
    assert isinstance(culprit.error, RuntimeError) and culprit.answer is None
    assert all(w.done.is_set() for w in writer_group)
    assert stored_votes(app, question["id"]) == (2, 2)


def writer_waiting(device: str, edition_id: int, question_id: int):
    from pitchday.extensions import socketio

    return vote_writer._Waiting(Ballot(edition_id, device, question_id), socketio.server.eio.create_event())


def test_the_handler_answers_a_failed_vote_by_its_error_handler(app, edition, moderator_http, monkeypatch):
    """An error in the writer reaches the phone's handler: the database gone is refused in words."""
    from sqlalchemy.exc import OperationalError

    moderator = moderator_socket(app, moderator_http)
    _h, asker = phone(app)
    question = published_question(app, moderator, asker)

    def unreachable(_ballots):
        raise OperationalError("INSERT", {}, Exception("server closed the connection unexpectedly"))

    monkeypatch.setattr(questions, "record_votes", unreachable)
    _h2, voter = phone(app)
    ack = vote(voter, question["id"])
    assert ack["ok"] is False and ack["error"]["code"] == "database_unavailable" and ack["error"]["message"]
    monkeypatch.undo()
    assert vote(voter, question["id"])["votes"] == 1  # the writer goes on


def test_votes_through_the_writer_reach_the_screens_once_per_flush(app, edition, moderator_http):
    moderator = moderator_socket(app, moderator_http)
    _h, asker = phone(app)
    question = published_question(app, moderator, asker)
    voters = [phone(app)[1] for _ in range(5)]
    flush(app)
    moderator.get_received()

    for sio in voters:
        assert vote(sio, question["id"])["ok"] is True
    flush(app)

    assert [m["counts"] for m in events(moderator, "votes")] == [{str(question["id"]): 5}]


def test_a_refused_vote_is_worded_in_the_phones_language_and_only_phones_vote(app, edition):
    """The vote's handler runs without a Flask request (realtime/audience.py): its refusals still are."""
    from .conftest import connect

    _h, french = phone(app)
    english_http = app.test_client()
    assert english_http.get(f"/e/{edition.slug}/?lang=en").status_code == 200
    english = connect(app, "audience", http=english_http)
    projector = connect(app, "projector")

    assert vote(french, 999_999)["error"] == {"code": "unknown_question",
                                              "message": "Cette question n'existe pas ou n'est pas publiée."}
    assert vote(english, 999_999)["error"] == {"code": "unknown_question",
                                               "message": "This question does not exist or is not published."}
    assert vote(projector, 1)["error"]["code"] == "forbidden"
    assert english.emit("vote", {"question_id": "x"}, callback=True)["error"]["code"] == "bad_request"
