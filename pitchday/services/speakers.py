"""The speaker space: a personal link per application, and what its holder does with it.

The link is signed with the instance's one secret (``access.signing_secret``) and names one
application by its id and its reference together: changing either breaks the signature, and an id
reused after an erasure does not open someone else's space. It needs no account and works until
the day after the evening of the application's pool (``domain.speakers.link_usable``). Everything
a speaker changes goes through the same cleaning as every screen text (the schemas of
``domain.speakers``) and, for what the audience sees, the same lock as the organiser's programme.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone

from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy import select

from ..domain import speakers as rules
from ..domain.reviews import best_scored
from ..extensions import db
from ..models import Application, Deck, Edition, OutboxMessage, SpeakerAnswer, Talk
from . import access
from . import slides as slides_service
from . import editions as editions_service
from . import show as show_service
from .programme import EveningStarted, _lock_programme

__all__ = ["EveningStarted", "SlidesClosed", "Space", "answer", "deck_of", "slides_deadline", "store_deck", "link_token", "link_url", "open_space", "planned_start",
           "replacement_for", "update_details", "update_needs"]

MAX_TOKEN_CHARS = 300


class SlidesClosed(Exception):
    """The edition's slides deadline has passed (or the space has no talk): the deck stays as it is."""


def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(access.signing_secret(), salt="pitchday.speaker-link")


def link_token(application: Application) -> str:
    return _serializer().dumps({"a": application.id, "r": application.reference})


def link_url(application: Application) -> str:
    from .outbox import base_url

    language = "?lang=en" if application.language == "en" else ""  # the page opens in the applicant's language
    return f"{base_url()}/s/{link_token(application)}{language}"


def planned_start(edition: Edition, talk: Talk) -> datetime:
    """When the talk is announced to start (the published programme's plan)."""
    db.current().expire(edition, ["talks"])  # a talk added in this unit of work is in it
    for item in editions_service.public_programme(edition):
        if item.talk.id == talk.id:
            return item.planned_start
    return edition.talks_start_at


@dataclass(frozen=True)
class Space:
    application: Application
    edition: Edition
    talk: Talk | None
    answer: SpeakerAnswer | None
    planned_start: datetime | None
    role: str  # "speaker" (retained) or "deferred"

    @property
    def answered(self) -> str | None:
        return self.answer.answer if self.answer else None


def _role(application: Application) -> str | None:
    if application.status == "retained":
        return "speaker"
    if application.status == "deferred" or (application.status == "received"
                                            and application.deferred_from_edition_id is not None):
        return "deferred"
    return None


def open_space(token: str, *, now: datetime | None = None) -> Space | None:
    """The space a link opens, or ``None``: forged, tampered, an application gone or no longer
    retained or deferred, or its evening over."""
    if not isinstance(token, str) or len(token) > MAX_TOKEN_CHARS:
        return None
    try:
        claims = _serializer().loads(token)
    except BadSignature:
        return None
    if not isinstance(claims, dict) or not isinstance(claims.get("a"), int) or not isinstance(claims.get("r"), str):
        return None
    session = db.current()
    application = session.get(Application, claims["a"])
    if application is None or application.reference != claims["r"]:
        return None
    edition = session.get(Edition, application.edition_id)
    role = _role(application)
    if role is None or not rules.link_usable(edition.ends_at, now or datetime.now(timezone.utc)):
        return None
    talk = session.scalar(select(Talk).where(Talk.application_id == application.id, Talk.edition_id == edition.id))
    return Space(application, edition, talk, session.get(SpeakerAnswer, application.id),
                 planned_start(edition, talk) if talk else None, role)


def _answer_row(application_id: int) -> SpeakerAnswer:
    session = db.current()
    row = session.get(SpeakerAnswer, application_id)
    if row is None:
        row = SpeakerAnswer(application_id=application_id)
        session.add(row)
    return row


def answer(space: Space, choice: str, *, now: datetime | None = None) -> None:
    """Confirm or decline (a retained speaker), keep or withdraw (a deferred applicant).
    The same answer twice changes nothing; another one replaces it (people change their minds)."""
    allowed = rules.ANSWERS if space.role == "speaker" else rules.DEFERRED_ANSWERS
    if choice not in allowed:
        raise ValueError(choice)
    row = _answer_row(space.application.id)
    if row.answer != choice:
        row.answer, row.answered_at = choice, now or datetime.now(timezone.utc)


def update_details(space: Space, details: rules.TalkDetails, *, now: datetime | None = None) -> None:
    """The speaker's corrections of what the audience sees; refused once the evening has started."""
    if space.talk is None:
        raise ValueError("no talk")
    session = db.current()
    _lock_programme(session, space.edition.id)
    talk = space.talk
    talk.title, talk.organisation, talk.summary = details.title, details.organisation or "", details.summary
    talk.speaker = rules.speaker_line(details.speaker_name, details.speaker_role)
    _answer_row(space.application.id).details_at = now or datetime.now(timezone.utc)
    session.flush()
    show_service.reset_show(space.edition.id)  # every screen shows the new texts once it commits


def update_needs(space: Space, needs: rules.TechnicalNeeds, *, now: datetime | None = None) -> None:
    row = _answer_row(space.application.id)
    row.equipment, row.microphone, row.accessibility = needs.equipment, needs.microphone, needs.accessibility
    row.needs_at = now or datetime.now(timezone.utc)


def replacement_for(edition_id: int) -> Application | None:
    """The deferred application to propose when a speaker declines, among those its applicant has not
    withdrawn: the best overall mean of the reviews (``domain.reviews.best_scored``); without any
    score, the earliest received."""
    from .reviews import overall_means

    session = db.current()
    withdrawn = select(SpeakerAnswer.application_id).where(SpeakerAnswer.answer == "withdrawn")
    candidates = list(session.scalars(select(Application).where(
        Application.edition_id == edition_id, Application.status == "deferred",
        Application.id.not_in(withdrawn)).order_by(Application.received_at, Application.id)))
    means = overall_means(edition_id, [a.id for a in candidates]) if candidates else {}
    return best_scored((a, means.get(a.id)) for a in candidates)


def told(application_id: int) -> bool:
    return db.current().scalar(select(OutboxMessage.id).where(
        OutboxMessage.application_id == application_id, OutboxMessage.state == "sent").limit(1)) is not None


# -- the speaker's slides --------------------------------------------------------------------------


def slides_deadline(edition: Edition) -> datetime:
    return rules.slides_deadline(edition.starts_at, edition.slides_deadline_at)


def deck_of(space: Space) -> Deck | None:
    """The deck of the space's talk, if one was uploaded (by the speaker or an organiser)."""
    if space.talk is None:
        return None
    deck = db.current().get(Deck, space.talk.id)
    return deck if deck is not None and deck.digest is not None and deck.page_count > 0 else None


def store_deck(space: Space, rendered: slides_service.RenderedDeck, *, now: datetime | None = None) -> Deck:
    """The speaker's deck replaces the talk's (in the caller's write), until the edition's slides
    deadline. ``rendered`` comes from ``slides.render_deck``, run before the write. The talk is the
    one of the link's application: a link never reaches another talk's deck."""
    if space.role != "speaker" or space.talk is None or not rules.slides_open(
            slides_deadline(space.edition), now or datetime.now(timezone.utc)):
        raise SlidesClosed()
    return slides_service.store_deck(space.talk.id, rendered)
