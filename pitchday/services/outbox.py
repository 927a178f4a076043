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
from typing import Mapping

from flask import current_app, has_request_context, request
from flask_babel import force_locale, format_datetime
from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy import delete, select, update

from ..domain import messages as rules
from ..domain import speakers as speaker_rules
from ..extensions import db
from ..models import (Application, ConnectRequest, Deck, Edition, MessageTemplate, OutboxMessage, Question,
                      SpeakerAnswer, Talk)
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


# -- the speakers' digests after the evening (branch digest) ------------------------------------------


class DigestNotOpen(Exception):
    """The evening is not over yet: no digest is prepared (``domain.messages.digest_open``)."""


@dataclass(frozen=True)
class DigestTalk:
    talk: Talk
    latest: OutboxMessage | None  # its latest digest, if one was prepared
    questions: int  # what it would hold now
    contacts: int


@dataclass(frozen=True)
class DigestsPrepared:
    prepared: int  # new messages
    rewritten: int  # unsent ones written again with what is known now
    skipped: int  # already sent (or being sent), not asked again


def digests_open(edition_id: int, now: datetime | None = None) -> bool:
    from ..domain.show import Phase
    from ..timeutil import to_ms
    from . import show as show_service

    now = now or datetime.now(timezone.utc)
    edition = db.current().get(Edition, edition_id)
    show = show_service.current_show(edition_id, now=to_ms(now))
    return rules.digest_open(show_ended=show.phase is Phase.ENDED, evening_ends_at=edition.ends_at, now=now)


def _digest_talks(session, edition_id: int) -> list[Talk]:
    """The talks of the rundown (not its other items) whose team has a contact address, in running order."""
    return list(session.scalars(select(Talk).where(
        Talk.edition_id == edition_id, Talk.item_kind == "talk", Talk.contact_email.is_not(None),
        Talk.contact_email != "").order_by(Talk.position, Talk.id)))


def _digest_content(session, talk: Talk) -> tuple[list[Question], list[ConnectRequest]]:
    questions = [q for q in session.scalars(select(Question).where(Question.talk_id == talk.id)
                                            .order_by(Question.votes.desc(), Question.id))
                 if rules.question_in_digest(q.status)]
    requests = [r for r in session.scalars(select(ConnectRequest).where(ConnectRequest.talk_id == talk.id)
                                           .order_by(ConnectRequest.id))
                if rules.contact_in_digest(consent_text=r.consent_text, consented_at=r.consented_at, status=r.status)]
    return questions, requests


def _speaker_name(talk: Talk) -> str:
    """"Noé Fictif, gérant" → "Noé Fictif": the talk's speaker without the role, else the referent, else the team."""
    name = talk.speaker.split(",")[0].strip()
    if not name and talk.application is not None:
        name = talk.application.referent_name
    return name or talk.organisation or talk.title


def _digest_values(edition: Edition, talk: Talk, language: str) -> dict[str, str]:
    """Every placeholder's value for a talk's speaker (a talk added without an application has no link)."""
    from . import speakers

    if talk.application is not None:
        values = placeholder_values(edition, talk.application, talk, language)
    else:
        with force_locale(language):
            planned = speakers.planned_start(edition, talk)
            values = {
                "titre": talk.title, "organisation": talk.organisation, "edition": edition.title,
                "date": format_datetime(edition.starts_at, "EEEE d MMMM y"),
                "heure": format_datetime(edition.starts_at, "HH:mm"), "lieu": edition.venue,
                "creneau": _("intervention n° %(position)d, vers %(time)s", position=talk.position,
                             time=format_datetime(planned, "HH:mm")),
                "format": _("%(pitch)s min de présentation, puis %(qa)s min de questions du public",
                            pitch=_minutes(talk.effective_pitch_ms), qa=_minutes(talk.effective_qa_ms)),
                "lien": "",
                "date_limite": format_datetime(speaker_rules.confirm_by(edition.starts_at), "EEEE d MMMM y"),
                "limite_supports": format_datetime(speaker_rules.slides_deadline(
                    edition.starts_at, edition.slides_deadline_at), "EEEE d MMMM y, HH:mm"),
            }
    name = _speaker_name(talk)
    return {**values, "prenom": rules.first_name(name), "nom": name}


def _questions_text(questions: list[Question]) -> str:
    if not questions:
        return _("Aucune question du public n'a été publiée pour votre intervention.")
    lines = []
    for question in questions:
        answered = question.status == "answered"
        state = _("répondue sur scène") if answered else _("pas traitée sur scène")
        votes = ngettext("%(num)d vote", "%(num)d votes", question.votes)
        lines.append("- " + _("« %(text)s »", text=" ".join(question.text.split())) + f" ({votes}, {state})")
    return "\n".join(lines)


def _contacts_text(requests: list[ConnectRequest], intent_labels: Mapping[str, object]) -> str:
    if not requests:
        return _("Personne n'a demandé à échanger avec vous lors de la soirée.")
    blocks = []
    for request in requests:
        lines = ["- " + request.name + (f" ({request.organisation})" if request.organisation else ""),
                 "  " + _("E-mail : %(email)s", email=request.email)]
        if request.phone:
            lines.append("  " + _("Téléphone : %(phone)s", phone=request.phone))
        if request.intent in intent_labels:
            lines.append("  " + _("Sa demande : « %(intent)s »", intent=str(intent_labels[request.intent])))
        if request.message:
            lines.append("  " + _("Son message : « %(message)s »", message=" ".join(request.message.split())))
        blocks.append("\n".join(lines))
    return "\n".join(blocks)


def _digest_fields(session, edition: Edition, talk: Talk, intent_labels: Mapping[str, object]) -> dict:
    language = rules.language_for(talk.application.language if talk.application is not None else None)
    questions, requests = _digest_content(session, talk)
    template = templates(edition.id)[("digest", language)]
    values = _digest_values(edition, talk, language)
    with force_locale(language):
        values |= {"questions": _questions_text(questions), "contacts": _contacts_text(requests, intent_labels)}
    subject = " ".join(rules.render(template.subject, values).split())[:rules.SUBJECT_MAX_CHARS]
    return {"kind": "digest", "language": language, "to_name": _speaker_name(talk)[:200],
            "to_email": talk.contact_email, "subject": subject,
            "body": rules.render(template.body, values)[:rules.BODY_MAX_CHARS]}


def _digests_of(session, talk_ids: list[int]) -> dict[int, list[OutboxMessage]]:
    found: dict[int, list[OutboxMessage]] = {talk_id: [] for talk_id in talk_ids}
    for row in session.scalars(select(OutboxMessage).where(OutboxMessage.kind == "digest",
                                                           OutboxMessage.talk_id.in_(talk_ids))
                               .order_by(OutboxMessage.id)):
        found[row.talk_id].append(row)
    return found


def digest_talks(edition_id: int) -> list[DigestTalk]:
    """Every talk a digest goes to, with its latest digest and what one would hold now (the outbox page)."""
    session = db.current()
    talks = _digest_talks(session, edition_id)
    digests = _digests_of(session, [t.id for t in talks])
    rows = []
    for talk in talks:
        questions, requests = _digest_content(session, talk)
        rows.append(DigestTalk(talk, digests[talk.id][-1] if digests[talk.id] else None, len(questions), len(requests)))
    return rows


def prepare_digests(edition_id: int, *, intent_labels: Mapping[str, object], again: bool = False,
                    now: datetime | None = None) -> DigestsPrepared:
    """Prepare each speaker's digest in the outbox, in the caller's write, once the evening is over.

    Exactly once per talk: an unsent digest is written again (same key: it never left); a talk whose
    digest was sent, or is being sent, gets none unless ``again`` (then a new message of its own).
    ``intent_labels``: the wording of each connect request's intent (lazy, read in the speaker's
    language). Raises ``DigestNotOpen`` before the evening is over.
    """
    session = db.current()
    # The edition's row, locked: two organisers preparing at once queue here instead of both creating.
    edition = session.scalars(select(Edition).where(Edition.id == edition_id).with_for_update()).one()
    if not digests_open(edition_id, now):
        raise DigestNotOpen()
    talks = _digest_talks(session, edition_id)
    digests = _digests_of(session, [t.id for t in talks])
    prepared = rewritten = skipped = 0
    for talk in talks:
        unsent = [m for m in digests[talk.id] if m.state in SENDABLE]
        action = rules.digest_action(unsent=bool(unsent), sent=any(m.state in ("sending", "sent")
                                                                   for m in digests[talk.id]), again=again)
        if action == "skip":
            skipped += 1
            continue
        fields = _digest_fields(session, edition, talk, intent_labels)
        if action == "rewrite":
            for name, value in fields.items():
                setattr(unsent[-1], name, value)
            unsent[-1].state, unsent[-1].reason, unsent[-1].application_id = "prepared", None, talk.application_id
            rewritten += 1
        else:
            session.add(OutboxMessage(edition_id=edition_id, application_id=talk.application_id, talk_id=talk.id,
                                      idempotency_key=secrets.token_hex(16), attempts=0, **fields))
            prepared += 1
    # A talk that lost its contact address since (changed on the programme page) keeps no unsent digest
    # to the old one.
    dropped = session.execute(delete(OutboxMessage).where(
        OutboxMessage.edition_id == edition_id, OutboxMessage.kind == "digest", OutboxMessage.state.in_(SENDABLE),
        OutboxMessage.talk_id.not_in([t.id for t in talks])).execution_options(synchronize_session=False)).rowcount
    session.flush()
    privacy.audit(session, "digests_prepared", edition_id=edition_id, prepared=prepared, rewritten=rewritten,
                  skipped=skipped, dropped=dropped)
    return DigestsPrepared(prepared, rewritten, skipped)
