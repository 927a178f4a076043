""""Je veux échanger": connect requests from the audience to a talk's team (personal data).

A request is stored only with the person's consent, and with the exact sentence they agreed to
(built here, on the server, in their language: never taken from what the phone sends). Nothing
of it is ever logged.
"""
from __future__ import annotations

from datetime import datetime, timezone

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from ..domain import audience as rules
from ..domain import events
from ..domain.text import InvalidField
from ..extensions import db, rate_limits
from ..models import ConnectRequest, Talk
from . import broadcast
from .privacy import controller_name
from .questions import invalid, refused_answer, talk_of_edition


def consent_sentence(talk: Talk, controller: str) -> str:
    """What the person agrees to, naming who receives their details (in the request's language)."""
    return _("J'accepte que mes coordonnées et mon message soient transmis à l'équipe « %(organisation)s » "
             "(%(talk)s) et à %(controller)s, organisateur de la soirée, pour organiser cette mise en relation. "
             "Ils sont conservés %(days)d jours après la soirée.",
             organisation=talk.organisation or talk.title, talk=talk.title, controller=controller,
             days=talk.edition.connect_retention_days)


def _stored(session, edition_id: int, client_id: str) -> ConnectRequest | None:
    return session.scalar(select(ConnectRequest).where(
        ConnectRequest.edition_id == edition_id, ConnectRequest.client_id == client_id))


def submit(edition_id: int, *, device_id: str, address: str | None, sent: events.ConnectRequest,
           locale: str) -> dict:
    """Store a parsed request whose talk is of this edition and whose intent fits the talk's kind."""
    client_id = sent.client_id
    controller = controller_name()
    session = db.current()
    stored = _stored(session, edition_id, client_id)
    if stored is not None:
        return {"ok": True, "request_id": stored.id}
    try:
        talk = talk_of_edition(session, edition_id, sent.talk_id)
        rules.check_intent(talk.kind, sent.intent)
    except InvalidField as error:
        return invalid([error])
    consent_text = consent_sentence(talk, controller)
    talk_id = talk.id
    decision = rate_limits.check("connect", device_id=device_id, address=address)
    if not decision.allowed:
        return refused_answer("rate_limited", retry_after=decision.retry_after_s)
    now = datetime.now(timezone.utc)
    try:
        with session.begin_nested():  # a savepoint: if the other copy won, only this insert is undone
            request = ConnectRequest(edition_id=edition_id, talk_id=talk_id, client_id=client_id,
                                     device_id=device_id, consent_text=consent_text, consented_at=now,
                                     locale=locale if locale in ("fr", "en") else "fr",
                                     **sent.model_dump(include={"name", "organisation", "email", "phone", "intent",
                                                                "message"}))
            session.add(request)
    except IntegrityError:  # the same request twice at the same moment: the first copy won
        return {"ok": True, "request_id": _stored(session, edition_id, client_id).id}
    broadcast.counts_changed(edition_id)
    return {"ok": True, "request_id": request.id}


def by_talk(edition_id: int) -> list[tuple[Talk, list[ConnectRequest]]]:
    """Every talk of the edition in running order, with its connect requests (oldest first)."""
    session = db.current()
    talks = list(session.scalars(select(Talk).where(Talk.edition_id == edition_id, Talk.item_kind == "talk")
                                 .order_by(Talk.position)))
    requests = list(session.scalars(select(ConnectRequest).where(
        ConnectRequest.edition_id == edition_id).order_by(ConnectRequest.id)))
    grouped = {talk.id: [] for talk in talks}
    for request in requests:
        grouped.setdefault(request.talk_id, []).append(request)
    return [(talk, grouped[talk.id]) for talk in talks]
