"""Socket.IO events of the moderator console for audience questions (spotlight is a show command)."""
from __future__ import annotations

from ..domain.events import Moderate, ModerationList, QuestionSettings
from ..domain.shapes import Refused
from ..extensions import db, socketio
from ..services import boards, questions
from .handlers import moderator_client
from .replies import localised, refusal


@socketio.on("moderate")
@db.write()
def on_moderate(payload=None, *_extra):
    client = moderator_client()
    if client is None:
        return refusal("forbidden")
    try:
        moderation = Moderate.parse(payload)
    except Refused as refused:
        return localised(refused.answer())
    return localised(questions.moderate(client.edition_id, moderation))


@socketio.on("moderation_list")
@db.read()
def on_moderation_list(payload=None, *_extra):
    """Every question of one talk, waiting ones first, with the counters of the whole evening."""
    client = moderator_client()
    if client is None:
        return refusal("forbidden")
    try:
        talk_id = ModerationList.parse(payload).talk_id
    except Refused as refused:
        return localised(refused.answer())
    return {"ok": True, "talk_id": talk_id, "questions": boards.moderation_list(client.edition_id, talk_id),
            "counts": boards.moderation_counts(client.edition_id)}


@socketio.on("question_settings")
@db.write()
def on_question_settings(payload=None, *_extra):
    client = moderator_client()
    if client is None:
        return refusal("forbidden")
    try:
        settings = QuestionSettings.parse(payload)
    except Refused as refused:
        return localised(refused.answer())
    return localised(questions.set_auto_publish(client.edition_id, settings))
