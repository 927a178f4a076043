"""Audience questions: ask, vote, moderate. Each use case: check → store → mark for broadcast, in the
caller's unit of work (the marks take effect after its commit).

The handler has parsed the payload (``domain.events``); what needs the database is checked here.

Answers are plain dicts, language-neutral (codes, limits); the realtime layer words them. A
submission carries a ``client_id`` made by the phone: a retry, a double tap or a replay is
answered with what the first copy got, and stored once (a unique constraint guarantees it when
two copies race).
"""
from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any

from sqlalchemy import bindparam, select, text, update
from sqlalchemy.exc import IntegrityError

from ..domain import audience as rules
from ..domain.audience import ModerationRefused, QuestionStatus
from ..domain.events import Ask, Moderate, QuestionSettings, Vote
from ..domain.text import InvalidField
from ..extensions import db, rate_limits
from ..models import Edition, Question, QuestionVote, Talk, UTCDateTime
from . import boards, broadcast, suspects
from . import show as show_service


def refused_answer(code: str, **details: Any) -> dict:
    """A refusal as the services answer it: a code and its details, worded later by realtime.replies."""
    return {"ok": False, "error": {"code": code, **details}}


def invalid(errors: list[InvalidField]) -> dict:
    return refused_answer("invalid", fields={e.field: {"code": e.code, "limit": e.limit} for e in errors})


def talk_of_edition(session, edition_id: int, talk_id: int, field: str = "talk_id") -> Talk:
    """The talk ``talk_id`` names, if it belongs to the edition and is a talk (not a welcome, a break…);
    else ``InvalidField``."""
    talk = session.get(Talk, talk_id)
    if talk is None or talk.edition_id != edition_id or not talk.is_talk:
        raise InvalidField(field, "unknown_talk")
    return talk


# -- ask -------------------------------------------------------------------------------------------


def _stored_question(session, edition_id: int, client_id: str) -> Question | None:
    return session.scalar(select(Question).where(Question.edition_id == edition_id, Question.client_id == client_id))


def ask(edition_id: int, *, device_id: str, address: str | None, asked: Ask, young: bool = False) -> dict:
    client_id = asked.client_id
    session = db.current()
    stored = _stored_question(session, edition_id, client_id)
    if stored is not None:
        return {"ok": True, "question": boards.own_view(stored)}
    try:
        talk = talk_of_edition(session, edition_id, asked.talk_id)
    except InvalidField as error:
        return invalid([error])
    decision = rate_limits.check("ask", device_id=device_id, address=address, young=young)
    if not decision.allowed:
        return refused_answer("rate_limited", retry_after=decision.retry_after_s)
    suspect = suspects.suspect_words(" ".join(filter(None, (asked.text, asked.author))))
    try:
        with session.begin_nested():  # a savepoint: if the other copy won, only this insert is undone
            auto_publish = session.scalar(select(Edition.questions_auto_publish).where(Edition.id == edition_id))
            status = rules.first_status(auto_publish=bool(auto_publish), suspect=suspect)
            question = Question(
                edition_id=edition_id, talk_id=talk.id, client_id=client_id, device_id=device_id,
                text=asked.text, author=asked.author, status=status.value, suspect=suspect,
                published_at=datetime.now(timezone.utc) if status is QuestionStatus.PUBLISHED else None,
            )
            session.add(question)
    except IntegrityError:  # the same submission twice at the same moment: the first copy won
        return {"ok": True, "question": boards.own_view(_stored_question(session, edition_id, client_id))}
    broadcast.question_changed(edition_id, question.talk_id, public=status is QuestionStatus.PUBLISHED)
    return {"ok": True, "question": boards.own_view(question)}


# -- vote ------------------------------------------------------------------------------------------


_questions, _votes = Question.__table__, QuestionVote.__table__

# A group of votes is one statement whatever its size (a statement per size would be compiled for
# each new size, and its cache key walked at every run): the ballots go in as one JSON parameter,
# ``[{"q": question, "d": device, "e": edition}, ...]``, read as rows by each database's JSON table function.
# Stored are those whose question is published in their edition, minus a phone's second vote;
# RETURNING names the (question, device) pairs stored. A second vote of a phone is skipped with ON
# CONFLICT DO NOTHING rather than raised: a raised error would need a savepoint, or it would abort
# the caller's transaction on PostgreSQL.
_GROUP_ROWS = {
    "sqlite": "SELECT json_extract(b.value, '$.q') AS q, json_extract(b.value, '$.d') AS d, "
              "json_extract(b.value, '$.e') AS e FROM json_each(:ballots) AS b",
    "postgresql": "SELECT b.q, b.d, b.e FROM json_to_recordset(CAST(:ballots AS json)) AS b(q integer, d text, e integer)",
}
_ADD_VOTES = {
    dialect: text(
        "INSERT INTO question_votes (question_id, device_id, created_at) "
        f"SELECT ballots.q, ballots.d, :now FROM ({rows}) AS ballots "
        "JOIN questions ON questions.id = ballots.q AND questions.edition_id = ballots.e "
        "WHERE questions.status = :published "
        "ON CONFLICT (question_id, device_id) DO NOTHING RETURNING question_id, device_id"
    ).bindparams(bindparam("now", type_=UTCDateTime()), published=QuestionStatus.PUBLISHED.value)
    for dialect, rows in _GROUP_ROWS.items()
}
_COUNT_VOTES = (update(_questions).where(_questions.c.id == bindparam("question_id"))
                .values(votes=_questions.c.votes + bindparam("added")).returning(_questions.c.votes))


@dataclass(frozen=True)
class Ballot:
    """One phone's vote as the handler parsed it, its rate limits passed (``vote_refused``)."""

    edition_id: int
    device_id: str
    question_id: int


def vote_refused(*, device_id: str, address: str | None, young: bool = False) -> dict | None:
    """The rate limits' refusal of a phone's vote, or None (the vote is then counted as a hit).

    Checked before the vote joins a write: it reads only this process's memory (or Redis)."""
    decision = rate_limits.check("vote", device_id=device_id, address=address, young=young)
    if not decision.allowed:
        return refused_answer("rate_limited", retry_after=decision.retry_after_s)
    return None


def vote(edition_id: int, *, device_id: str, address: str | None, voted: Vote, young: bool = False) -> dict:
    """One vote per phone per question, in the caller's write; voting again answers as the first vote did."""
    refused = vote_refused(device_id=device_id, address=address, young=young)
    if refused is not None:
        return refused
    return record_votes([Ballot(edition_id, device_id, voted.question_id)])[0]


def record_votes(ballots: list[Ballot]) -> list[dict]:
    """Store ``ballots`` in the caller's write; each one's answer, as if they had come one after the other.

    In a vote storm (hundreds of votes a second on one process) the realtime layer groups the
    votes that arrive together into one write (realtime/votes.py). One statement for the group:
    insert each vote whose question is published in its edition (the unique constraint skips a
    second vote of a phone, within the group too); then one count per question, by the votes it
    gained. The n-th vote of the group counted for a question is answered with the count it
    made, as if stored alone. Only a ballot that inserted nothing costs a read, to find out why.
    """
    if not ballots:
        return []
    session = db.current()  # session.execute: what the unit changed before is flushed first
    params = {"now": datetime.now(timezone.utc),
              "ballots": json.dumps([{"q": b.question_id, "d": b.device_id, "e": b.edition_id} for b in ballots])}
    stored = session.execute(_ADD_VOTES[session.get_bind().dialect.name], params).all()
    copies: dict[tuple[int, str], list[int]] = {}
    for n, b in enumerate(ballots):
        copies.setdefault((b.question_id, b.device_id), []).append(n)
    inserted = [False] * len(ballots)
    for question_id, device_id in stored:
        found = copies[(question_id, device_id)]
        if len({ballots[n].edition_id for n in found}) > 1:  # the same phone in two editions: whose question?
            edition_id = session.scalar(select(Question.edition_id).where(Question.id == question_id))
            found = [n for n in found if ballots[n].edition_id == edition_id]
        inserted[found[0]] = True  # a double tap within the group: its first copy is the one counted
    gained = Counter((b.edition_id, b.question_id) for b, counted in zip(ballots, inserted) if counted)
    # Each question's count before the group's votes; one more at each of them, in the order they came.
    counts = {key: session.execute(_COUNT_VOTES, {"question_id": key[1], "added": n}).scalar_one() - n
              for key, n in gained.items()}
    answers: list[dict | None] = []
    for ballot, counted in zip(ballots, inserted):
        if counted:
            key = (ballot.edition_id, ballot.question_id)
            counts[key] += 1
            answers.append({"ok": True, "question_id": ballot.question_id, "votes": counts[key], "voted": True})
        else:
            answers.append(None)  # answered below, once every count of the group is made
    for key in gained:
        broadcast.votes_changed(*key)
    return [answer or _vote_not_counted(b.edition_id, b.question_id, b.device_id)
            for b, answer in zip(ballots, answers)]


def _vote_not_counted(edition_id: int, question_id: int, device_id: str) -> dict:
    """Why a vote was not added: already there (same answer as the first time), or not votable."""
    session = db.current()
    question = session.get(Question, question_id)
    # Pending and rejected questions do not exist for the audience: same answer as an unknown id.
    if question is None or question.edition_id != edition_id or question.status not in boards.PUBLIC:
        return refused_answer("unknown_question")
    already = session.scalar(select(QuestionVote.id).where(
        QuestionVote.question_id == question_id, QuestionVote.device_id == device_id))
    if already is not None:
        return {"ok": True, "question_id": question_id, "votes": question.votes, "voted": True}
    return refused_answer("not_votable")


# -- moderation ------------------------------------------------------------------------------------


def moderate(edition_id: int, moderation: Moderate) -> dict:
    """approve (optionally with an edited text), reject, answer, reopen."""
    question_id, action, edited = moderation.question_id, moderation.action, moderation.text
    session = db.current()
    question = session.get(Question, question_id, with_for_update=True)
    if question is None or question.edition_id != edition_id:
        return refused_answer("unknown_question")
    was_public = question.status in boards.PUBLIC
    try:
        status = rules.moderate(QuestionStatus(question.status), action)
    except ModerationRefused as refused:
        return refused_answer(refused.code)
    if edited is not None and edited != question.text:
        question.original_text = question.original_text or question.text
        question.text = edited
    now = datetime.now(timezone.utc)
    question.status = status.value
    if status is QuestionStatus.PUBLISHED and question.published_at is None:
        question.published_at = now
    question.answered_at = now if status is QuestionStatus.ANSWERED else None
    talk_id, device_id, view = question.talk_id, question.device_id, boards.own_view(question)
    if action in ("reject", "answer"):
        # A question rejected, or answered, leaves the projector with it.
        show_service.run_internal(edition_id, "clear_spotlight", {}, only_if=lambda s: s.spotlight == question_id)
    broadcast.question_changed(edition_id, talk_id, public=was_public or status in rules.PUBLIC_STATUSES)
    broadcast.own_question_changed(device_id, view)
    return {"ok": True, "question": view}


def set_auto_publish(edition_id: int, settings: QuestionSettings) -> dict:
    enabled = settings.enabled
    session = db.current()
    session.get(Edition, edition_id).questions_auto_publish = enabled
    broadcast.counts_changed(edition_id)
    return {"ok": True, "auto_publish": enabled}
