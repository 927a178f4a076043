"""The outbox: what a decision or a reminder prepares for an applicant, read by an organiser, sent once.

Deciding sends nothing. ``decision_taken`` (called by ``programme.decide_application``, in its unit
of work) prepares one message from the edition's templates, or rewrites the one not yet sent when
the decision changes. An organiser reads, edits or drops each message, then sends all or some.

Nothing is sent twice. Each message has its own random key (also its Message-ID header). Sending
one takes three units of work, opened by the caller (services never commit):

1. ``claim``: the row goes from prepared / failed / bounced to *sending* with one conditional UPDATE,
   committed. Only one caller wins it, whichever process or tab it is in.
2. the SMTP call, outside any transaction (``mail.send``).
3. ``mark_sent`` or ``mark_failed``, committed.

A restart between 1 and 3 leaves the row in *sending*: it is never claimed again by "send all" nor
by a resend; once ``SENDING_GRACE`` has passed (before it, another tab may be sending it: "envoi en
cours"), the outbox shows it as "à vérifier" and a person decides (``resolve``). This is the one
ambiguous window: the server may have accepted the message (250 after DATA) just before the process
died, or never have seen it. Nothing here can tell which without a receipt the SMTP protocol does not
give, so pitchday never guesses: a duplicate is worse than a message a person re-sends after checking
the mailbox's "sent" folder or the SMTP server's log (the Message-ID identifies it there). If it is
sent again, it carries the same Message-ID, so most mail programs show it once.
"""
from __future__ import annotations

import io
import secrets
import zipfile
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from email.headerregistry import Address

from flask import current_app, has_request_context, request
from flask_babel import force_locale, format_datetime
from flask_babel import gettext as _
from sqlalchemy import delete, select, update

from ..domain import messages as rules
from ..domain import speakers as speaker_rules
from ..extensions import db
from ..models import Application, Deck, Edition, MessageTemplate, OutboxMessage, SpeakerAnswer, Talk
from . import mail, privacy

STATES = ("prepared", "sending", "sent", "failed", "bounced")
# A message "sending" for longer than this was interrupted (an SMTP call gives up well before: see
# mail.TIMEOUT_S per network operation); before it, it is most likely being sent by another tab.
SENDING_GRACE = timedelta(minutes=2)
SENDABLE = ("prepared", "failed", "bounced")  # what "send" may claim; never "sending" nor "sent"
DECISION_KINDS = ("retained", "deferred", "declined")


class NotFound(Exception):
    """No such message in this edition."""


class NotEditable(Exception):
    """The message is being sent or was sent: it can no longer be changed or dropped."""


class TemplateRefused(ValueError):
    def __init__(self, problems: list[rules.TemplateProblem]):
        super().__init__(", ".join(p.code for p in problems))
        self.problems = problems


# -- templates ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class EditionTemplate:
    kind: str
    language: str
    subject: str
    body: str
    custom: bool  # the edition's own wording (else the default)


def templates(edition_id: int) -> dict[tuple[str, str], EditionTemplate]:
    session = db.current()
    own = {(t.kind, t.language): t for t in session.scalars(
        select(MessageTemplate).where(MessageTemplate.edition_id == edition_id))}
    found = {}
    for kind in rules.KINDS:
        for language in rules.LANGUAGES:
            row = own.get((kind, language))
            default = rules.DEFAULTS[(kind, language)]
            found[(kind, language)] = EditionTemplate(kind, language, row.subject if row else default.subject,
                                                      row.body if row else default.body, row is not None)
    return found


def save_template(edition_id: int, kind: str, language: str, subject: str, body: str) -> None:
    """Store the edition's wording, or raise ``TemplateRefused`` (nothing stored)."""
    if kind not in rules.KINDS or language not in rules.LANGUAGES:
        raise ValueError(kind)
    problems = rules.check_template(kind, subject, body)
    if problems:
        raise TemplateRefused(problems)
    session = db.current()
    row = session.scalar(select(MessageTemplate).where(
        MessageTemplate.edition_id == edition_id, MessageTemplate.kind == kind, MessageTemplate.language == language))
    if row is None:
        session.add(MessageTemplate(edition_id=edition_id, kind=kind, language=language, subject=subject, body=body))
    else:
        row.subject, row.body = subject, body


def reset_template(edition_id: int, kind: str, language: str) -> None:
    session = db.current()
    session.execute(delete(MessageTemplate).where(
        MessageTemplate.edition_id == edition_id, MessageTemplate.kind == kind, MessageTemplate.language == language))


# -- preparing -----------------------------------------------------------------------------------------


def base_url() -> str:
    """The address people open links at (the same rule as the web layer's ``public_base_url``)."""
    configured = current_app.config.get("PITCHDAY_PUBLIC_URL")
    if configured:
        return configured.rstrip("/")
    return request.host_url.rstrip("/") if has_request_context() else "http://localhost:5000"


def _minutes(ms: int) -> str:
    minutes, seconds = divmod(ms // 1000, 60)
    return f"{minutes}" if not seconds else f"{minutes}:{seconds:02d}"


def placeholder_values(edition: Edition, application: Application, talk: Talk | None, language: str) -> dict[str, str]:
    """The value of every placeholder for one applicant, written in ``language``."""
    from . import speakers  # the link's signing lives with the speaker space

    pitch = talk.effective_pitch_ms if talk else edition.pitch_ms
    qa = talk.effective_qa_ms if talk else edition.qa_ms
    with force_locale(language):
        if talk is not None:
            planned = speakers.planned_start(edition, talk)
            slot = _("intervention n° %(position)d, vers %(time)s", position=talk.position,
                     time=format_datetime(planned, "HH:mm"))
        else:
            slot = _("à préciser")
        return {
            "prenom": rules.first_name(application.referent_name),
            "nom": application.referent_name,
            "titre": talk.title if talk else application.project_name,
            "organisation": application.organisation or "",
            "edition": edition.title,
            "date": format_datetime(edition.starts_at, "EEEE d MMMM y"),
            "heure": format_datetime(edition.starts_at, "HH:mm"),
            "lieu": edition.venue,
            "creneau": slot,
            "format": _("%(pitch)s min de présentation, puis %(qa)s min de questions du public",
                        pitch=_minutes(pitch), qa=_minutes(qa)),
            "lien": speakers.link_url(application),
            "date_limite": format_datetime(speaker_rules.confirm_by(edition.starts_at), "EEEE d MMMM y"),
            "limite_supports": format_datetime(speaker_rules.slides_deadline(edition.starts_at, edition.slides_deadline_at),
                                               "EEEE d MMMM y, HH:mm"),
        }


def _compose_fields(edition: Edition, application: Application, kind: str) -> dict:
    session = db.current()
    language = rules.language_for(application.language)
    talk = session.scalar(select(Talk).where(Talk.application_id == application.id, Talk.edition_id == edition.id))
    template = templates(edition.id)[(kind, language)]
    values = placeholder_values(edition, application, talk, language)
    subject = " ".join(rules.render(template.subject, values).split())[:rules.SUBJECT_MAX_CHARS]
    return {"kind": kind, "language": language, "to_name": application.referent_name[:200],
            "to_email": application.referent_email, "subject": subject,
            "body": rules.render(template.body, values)[:rules.BODY_MAX_CHARS]}


def _unsent(session, application_id: int, kinds) -> OutboxMessage | None:
    return session.scalar(select(OutboxMessage).where(
        OutboxMessage.application_id == application_id, OutboxMessage.kind.in_(kinds),
        OutboxMessage.state.in_(SENDABLE)).order_by(OutboxMessage.id.desc()))


def decision_taken(edition_id: int, application: Application) -> OutboxMessage | None:
    """The message a decision prepares, in the decision's unit of work (``edition_id``: where it was
    taken, even if a deferral moved the application to another pool).

    A message not yet sent is rewritten for the new decision (same key: it never left); one being
    sent or already sent stays as it is, and the new decision gets a message of its own. Putting an
    application back under review drops the unsent one.
    """
    session = db.current()
    session.flush()  # the talk a retention has just added: its slot goes in the message
    status = application.status
    if status == "received" and application.deferred_from_edition_id == edition_id:
        status = "deferred"  # deferred into a later edition's pool
    pending = _unsent(session, application.id, DECISION_KINDS)
    if status not in rules.DECISION_KINDS:
        if pending is not None:
            session.delete(pending)
        return None
    edition = session.get(Edition, edition_id)
    fields = _compose_fields(edition, application, rules.DECISION_KINDS[status])
    if pending is None:
        pending = OutboxMessage(edition_id=edition_id, application_id=application.id,
                                idempotency_key=secrets.token_hex(16), attempts=0, **fields)
        session.add(pending)
    else:
        for name, value in fields.items():
            setattr(pending, name, value)
        pending.edition_id = edition_id  # decided again in the pool it was deferred to: that outbox now
        pending.state, pending.reason = "prepared", None
    session.flush()
    return pending


# -- the outbox page -------------------------------------------------------------------------------


def messages(edition_id: int) -> list[OutboxMessage]:
    session = db.current()
    return list(session.scalars(select(OutboxMessage).where(OutboxMessage.edition_id == edition_id)
                                .order_by(OutboxMessage.created_at, OutboxMessage.id)))


def message(edition_id: int, message_id: int) -> OutboxMessage:
    found = db.current().get(OutboxMessage, message_id)
    if found is None or found.edition_id != edition_id:
        raise NotFound()
    return found


def update_message(edition_id: int, message_id: int, *, subject: str, body: str) -> OutboxMessage:
    """The organiser's own wording of one message (already cleaned and limited by the form)."""
    found = message(edition_id, message_id)
    if found.state not in SENDABLE:
        raise NotEditable()
    found.subject, found.body = subject, body
    return found


def drop(edition_id: int, message_id: int) -> None:
    found = message(edition_id, message_id)
    if found.state not in SENDABLE:
        raise NotEditable()
    db.current().delete(found)


def _domain() -> str:
    return mail.sender().rpartition("@")[2] or "localhost"


def email_of(found: OutboxMessage, *, draft: bool = False):
    composed = mail.compose(to=[Address(display_name=found.to_name, addr_spec=found.to_email)],
                            subject=found.subject, body=found.body, draft=draft)
    del composed["Message-ID"]
    composed["Message-ID"] = f"<{found.idempotency_key}@{_domain()}>"  # the same at every attempt
    return composed


def claim(edition_id: int, message_id: int, *, now: datetime | None = None):
    """Mark one message *sending* and give its e-mail, or ``None`` if it is not sendable (sent,
    being sent, dropped, another edition's). Commit before sending: that is the guard."""
    now = now or datetime.now(timezone.utc)
    session = db.current()
    won = session.execute(update(OutboxMessage).where(
        OutboxMessage.id == message_id, OutboxMessage.edition_id == edition_id,
        OutboxMessage.state.in_(SENDABLE)).values(
            state="sending", sending_at=now, attempts=OutboxMessage.attempts + 1, reason=None,
            updated_at=now).execution_options(synchronize_session=False)).rowcount
    if won != 1:
        return None
    found = session.get(OutboxMessage, message_id)
    session.refresh(found)
    return email_of(found)


def shown_state(found: OutboxMessage, now: datetime | None = None) -> str:
    """The state as the outbox shows it: a "sending" row is "in_progress" during ``SENDING_GRACE``,
    then "to_check" (interrupted: a person decides, see the module's docstring)."""
    if found.state != "sending":
        return found.state
    now = now or datetime.now(timezone.utc)
    return "in_progress" if found.sending_at is not None and now - found.sending_at < SENDING_GRACE else "to_check"


def mark_sent(message_id: int, *, now: datetime | None = None) -> None:
    found = db.current().get(OutboxMessage, message_id)
    if found is not None:
        found.state, found.sent_at, found.reason = "sent", now or datetime.now(timezone.utc), None


def mark_failed(message_id: int, reason: str, *, bounced: bool) -> None:
    found = db.current().get(OutboxMessage, message_id)
    if found is not None and found.state == "sending":
        found.state, found.reason = ("bounced" if bounced else "failed"), reason


def resolve(edition_id: int, message_id: int, outcome: str) -> OutboxMessage:
    """A person's decision on a message left *sending*: it was "sent" (found in the sent mail or the
    server's log), or "unsent" (it can be sent again)."""
    found = message(edition_id, message_id)
    if shown_state(found) != "to_check" or outcome not in ("sent", "unsent"):
        raise NotEditable()  # one still being sent is left alone: "unsent" would let it go twice
    if outcome == "sent":
        found.state, found.sent_at = "sent", datetime.now(timezone.utc)
    else:
        found.state, found.reason = "failed", _("Envoi interrompu : non reçu d'après la vérification.")
    return found


def sendable_ids(edition_id: int) -> list[int]:
    return list(db.current().scalars(select(OutboxMessage.id).where(
        OutboxMessage.edition_id == edition_id, OutboxMessage.state.in_(SENDABLE)).order_by(OutboxMessage.id)))


def eml_zip(edition_id: int, message_ids: list[int]) -> tuple[bytes, int]:
    """The chosen messages not yet sent as .eml drafts in one zip (their state does not change)."""
    session = db.current()
    chosen = [m for m in session.scalars(select(OutboxMessage).where(
        OutboxMessage.edition_id == edition_id, OutboxMessage.id.in_(message_ids),
        OutboxMessage.state.in_(SENDABLE)).order_by(OutboxMessage.id))]
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for found in chosen:
            archive.writestr(f"message-{found.id:04d}-{found.kind}.eml", mail.as_eml(email_of(found, draft=True)))
    privacy.audit(session, "outbox_drafts", edition_id=edition_id, messages=len(chosen))
    return buffer.getvalue(), len(chosen)


# -- speakers' answers and reminders -------------------------------------------------------------


@dataclass(frozen=True)
class SpeakerRow:
    application: Application
    talk: Talk | None
    answer: SpeakerAnswer | None
    told: bool  # a decision message was sent
    reminded: bool  # a reminder was prepared or sent
    deck: Deck | None = None  # the talk's slides, when uploaded (by the speaker or an organiser)
    slides_reminded: bool = False  # a slides reminder was prepared or sent


def speaker_rows(edition_id: int) -> list[SpeakerRow]:
    """Every retained application of the edition with its speaker's answer, in running order."""
    session = db.current()
    found = list(session.scalars(select(Application).where(
        Application.edition_id == edition_id, Application.status == "retained")))
    ids = [a.id for a in found]
    talks = {t.application_id: t for t in session.scalars(select(Talk).where(Talk.application_id.in_(ids)))}
    answers = {a.application_id: a for a in session.scalars(
        select(SpeakerAnswer).where(SpeakerAnswer.application_id.in_(ids)))}
    sent = set(session.scalars(select(OutboxMessage.application_id).where(
        OutboxMessage.application_id.in_(ids), OutboxMessage.kind == "retained", OutboxMessage.state == "sent")))
    reminded = set(session.scalars(select(OutboxMessage.application_id).where(
        OutboxMessage.application_id.in_(ids), OutboxMessage.kind == "reminder")))
    slides_reminded = set(session.scalars(select(OutboxMessage.application_id).where(
        OutboxMessage.application_id.in_(ids), OutboxMessage.kind == "slides_reminder")))
    decks = {d.talk_id: d for d in session.scalars(select(Deck).where(
        Deck.talk_id.in_([t.id for t in talks.values()]), Deck.digest.is_not(None), Deck.page_count > 0))}
    rows = [SpeakerRow(a, talks.get(a.id), answers.get(a.id), a.id in sent, a.id in reminded,
                       decks.get(talks[a.id].id) if a.id in talks else None, a.id in slides_reminded) for a in found]
    return sorted(rows, key=lambda r: (r.talk.position if r.talk else 10**6, r.application.id))


def answered(row: SpeakerRow) -> bool:
    return row.answer is not None and row.answer.answer in speaker_rules.ANSWERS


def proposed_reminders(edition_id: int, now: datetime | None = None) -> list[SpeakerRow]:
    """The retained speakers a reminder should go to now (never sent without a click)."""
    now = now or datetime.now(timezone.utc)
    edition = db.current().get(Edition, edition_id)
    return [row for row in speaker_rows(edition_id) if speaker_rules.reminder_due(
        evening_starts_at=edition.starts_at, now=now, answered=answered(row), told=row.told, reminded=row.reminded)]


def proposed_slides_reminders(edition_id: int, now: datetime | None = None) -> list[SpeakerRow]:
    """The retained speakers without a deck a slides reminder should go to now (never sent without a click)."""
    now = now or datetime.now(timezone.utc)
    edition = db.current().get(Edition, edition_id)
    return [row for row in speaker_rows(edition_id) if row.talk is not None and speaker_rules.slides_reminder_due(
        evening_starts_at=edition.starts_at, now=now, has_deck=row.deck is not None, told=row.told,
        declined=row.answer is not None and row.answer.answer == "declined", reminded=row.slides_reminded)]


def prepare_reminders(edition_id: int, now: datetime | None = None, *, kind: str = "reminder") -> int:
    """Prepare the proposed reminders of ``kind`` (``reminder``: confirm; ``slides_reminder``: send the
    slides) in the outbox; they are sent like any other message. A second call prepares none again."""
    session = db.current()
    edition = session.get(Edition, edition_id)
    rows = proposed_slides_reminders(edition_id, now) if kind == "slides_reminder" else proposed_reminders(edition_id, now)
    for row in rows:
        session.add(OutboxMessage(edition_id=edition_id, application_id=row.application.id,
                                  idempotency_key=secrets.token_hex(16), attempts=0,
                                  **_compose_fields(edition, row.application, kind)))
    session.flush()
    return len(rows)
