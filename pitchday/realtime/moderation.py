"""Socket.IO events of the moderator console for audience questions (spotlight is a show command)."""
from __future__ import annotations

from ..extensions import db, socketio
from ..services import boards, questions
from ..services.questions import positive_int
from .handlers import moderator_client
from .replies import localised, refusal


@socketio.on("moderate")
@db.write()
def on_moderate(payload=None, *_extra):
    client = moderator_client()
    if client is None:
        return refusal("forbidden")
    return localised(questions.moderate(client.edition_id, payload))


@socketio.on("moderation_list")
@db.read()
def on_moderation_list(payload=None, *_extra):
    """Every question of one talk, waiting ones first, with the counters of the whole evening."""
    client = moderator_client()
    if client is None:
        return refusal("forbidden")
    talk_id = positive_int(payload.get("talk_id")) if isinstance(payload, dict) else None
    if talk_id is None:
        return refusal("bad_request")
    return {"ok": True, "talk_id": talk_id, "questions": boards.moderation_list(client.edition_id, talk_id),
            "counts": boards.moderation_counts(client.edition_id)}


@socketio.on("question_settings")
@db.write()
def on_question_settings(payload=None, *_extra):
    client = moderator_client()
    if client is None:
        return refusal("forbidden")
    return localised(questions.set_auto_publish(client.edition_id, payload))
