"""What each screen may read of the questions and connect requests (read-only queries).

Three views of a question, from the widest audience to the narrowest:
- ``public_view``: projector and every phone; only published or answered questions ever get here;
- ``own_view``: the phone that asked it, whatever its status;
- ``moderation_view``: moderators, with the suspect words and the text as first asked.
"""
from __future__ import annotations

from sqlalchemy import func, select

from ..domain.audience import MAIN_BUTTON, PUBLIC_STATUSES, QuestionStatus, board_ids, board_order, moderator_actions
from ..extensions import db
from ..models import ConnectRequest, Edition, Question, QuestionVote
from ..timeutil import to_ms

PUBLIC = tuple(s.value for s in PUBLIC_STATUSES)
MAX_LISTED = 300  # per talk: far more than a 5-minute Q&A can use


def public_view(q: Question) -> dict:
    return {"id": q.id, "talk_id": q.talk_id, "text": q.text, "author": q.author, "votes": q.votes,
            "status": q.status}


def own_view(q: Question) -> dict:
    return {**public_view(q), "client_id": q.client_id}


def moderation_view(q: Question) -> dict:
    return {**public_view(q), "suspect": list(q.suspect or []), "original_text": q.original_text,
            "created_at": to_ms(q.created_at), "actions": moderator_actions(q.status),
            "main_action": MAIN_BUTTON.get(q.status)}


def public_board(edition_id: int, talk_id: int) -> list[dict]:
    """Published and answered questions of a talk, in the room's order."""
    session = db.current()
    rows = session.scalars(select(Question).where(
        Question.edition_id == edition_id, Question.talk_id == talk_id, Question.status.in_(PUBLIC),
    ).order_by(Question.votes.desc(), Question.id).limit(MAX_LISTED))
    return board_order([public_view(q) for q in rows])


def moderation_list(edition_id: int, talk_id: int) -> list[dict]:
    """Every question of a talk: waiting ones first (oldest first), then the room's order, then rejected."""
    session = db.current()
    rows = list(session.scalars(select(Question).where(
        Question.edition_id == edition_id, Question.talk_id == talk_id).order_by(Question.id).limit(MAX_LISTED)))
    waiting = [moderation_view(q) for q in rows if q.status == QuestionStatus.PENDING]
    public = board_order([moderation_view(q) for q in rows if q.status in PUBLIC])
    rejected = [moderation_view(q) for q in rows if q.status == QuestionStatus.REJECTED]
    return waiting + public + rejected


def own_questions(edition_id: int, device_id: str) -> dict:
    """A phone's own questions (newest first) and the questions it voted for."""
    session = db.current()
    mine = session.scalars(select(Question).where(
        Question.edition_id == edition_id, Question.device_id == device_id,
    ).order_by(Question.id.desc()).limit(50))
    questions = [own_view(q) for q in mine]
    voted = list(session.scalars(select(QuestionVote.question_id).join(Question).where(
        Question.edition_id == edition_id, QuestionVote.device_id == device_id)))
    return {"questions": questions, "voted": voted}


def vote_counts(question_ids: set[int]) -> dict:
    """``{"counts": {question_id: votes}, "order": {talk_id: [question ids]}}``: the new counts of
    public questions, and the room's order of their talks' boards, which votes reshuffle (JSON
    object keys are strings)."""
    if not question_ids:
        return {"counts": {}, "order": {}}
    session = db.current()
    rows = list(session.execute(select(Question.id, Question.talk_id, Question.votes).where(
        Question.id.in_(question_ids), Question.status.in_(PUBLIC))))
    talks = {talk_id for _, talk_id, _ in rows}
    public = session.execute(select(Question.id, Question.talk_id, Question.status, Question.votes).where(
        Question.talk_id.in_(talks), Question.status.in_(PUBLIC)))
    by_talk: dict[int, list[dict]] = {}
    for question_id, talk_id, status, votes in public:
        by_talk.setdefault(talk_id, []).append({"id": question_id, "status": status, "votes": votes})
    return {"counts": {str(question_id): votes for question_id, _, votes in rows},
            "order": {str(talk_id): board_ids(listed)[:MAX_LISTED] for talk_id, listed in by_talk.items()}}


def spotlight_view(session, edition_id: int, question_id: int | None) -> dict | None:
    """The spotlighted question as the projector shows it, if it is (still) public.

    Read in the caller's transaction: the snapshot it belongs to is read all at once.
    """
    if question_id is None:
        return None
    q = session.get(Question, question_id)
    if q is None or q.edition_id != edition_id or q.status not in PUBLIC:
        return None
    return public_view(q)


def moderation_counts(edition_id: int) -> dict:
    """Per talk: questions waiting for the moderator and connect requests; the auto-publish setting."""
    session = db.current()
    pending = session.execute(select(Question.talk_id, func.count()).where(
        Question.edition_id == edition_id, Question.status == QuestionStatus.PENDING.value,
    ).group_by(Question.talk_id))
    connect = session.execute(select(ConnectRequest.talk_id, func.count()).where(
        ConnectRequest.edition_id == edition_id).group_by(ConnectRequest.talk_id))
    auto_publish = session.scalar(select(Edition.questions_auto_publish).where(Edition.id == edition_id))
    return {"pending": {str(t): n for t, n in pending}, "connect": {str(t): n for t, n in connect},
            "auto_publish": bool(auto_publish)}
