"""After the evening: the networking follow-up (personal data).

The organisers go through the connect requests talk by talk, introduce each requester and the
team to each other with one e-mail to both (sent here through SMTP, or downloaded as a draft),
close the ones that lead nowhere, and hand each team a digest of who wants to meet them and of
the questions the room asked them. Nothing of a request (name, address, text) is ever logged;
the audit log gets counts only.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone
from email.headerregistry import Address

from flask_babel import force_locale, format_datetime
from flask_babel import gettext as _
from sqlalchemy import select

from ..domain.audience import QuestionStatus
from ..domain import forms
from ..domain.forms import INTRODUCTION_SUBJECT_MAX_CHARS as SUBJECT_MAX_CHARS
from ..extensions import db
from ..models import ConnectRequest, Edition, Question, Talk
from . import connections, mail, privacy

STATUSES = ("new", "introduced", "no_follow_up")
DIGEST_QUESTION_STATUSES = (QuestionStatus.PUBLISHED.value, QuestionStatus.ANSWERED.value,
                            QuestionStatus.PENDING.value)


# -- the board ----------------------------------------------------------------------------------------


def count_by_status(requests: list[ConnectRequest]) -> dict[str, int]:
    counts = dict.fromkeys(STATUSES, 0)
    for request in requests:
        counts[request.status] = counts.get(request.status, 0) + 1
    counts["total"] = len(requests)
    return counts


def board(edition_id: int, status: str | None = None) -> dict:
    """Every talk in running order with its requests (only those of ``status`` if given) and the counts.

    The counts are always of every request, whatever the filter: they are what the filter offers.
    """
    groups, everything = [], []
    for talk, requests in connections.by_talk(edition_id):
        everything.extend(requests)
        groups.append({"talk": talk, "counts": count_by_status(requests),
                       "requests": [r for r in requests if status is None or r.status == status]})
    return {"groups": groups, "counts": count_by_status(everything)}


def find_request(edition_id: int, request_id: int) -> tuple[ConnectRequest, Talk] | None:
    """A request of this edition and its talk; ``None`` if there is none (or it is another edition's)."""
    session = db.current()
    request = session.get(ConnectRequest, request_id)
    if request is None or request.edition_id != edition_id:
        return None
    return request, session.get(Talk, request.talk_id)


def set_status(edition_id: int, request_id: int, status: str, *,
               now: datetime | None = None) -> ConnectRequest | None:
    """Move a request to ``status`` (one of ``STATUSES``); ``None`` if the edition has no such request."""
    if status not in STATUSES:
        raise ValueError(status)
    session = db.current()
    request = session.get(ConnectRequest, request_id)
    if request is None or request.edition_id != edition_id:
        return None
    if request.status != status:
        request.status = status
        request.status_changed_at = now or datetime.now(timezone.utc)
    return request


# -- the introduction ------------------------------------------------------------------------------------


@dataclass
class Introduction:
    """What the organiser sends: the team's address, the subject, the body (as edited)."""

    team_email: str
    subject: str
    body: str


def draft_introduction(edition: Edition, request: ConnectRequest, talk: Talk, *, intent_label: str,
                       signature: str) -> Introduction:
    """The introduction e-mail as first proposed, in French (the teams and the MEL write in French).

    ``intent_label`` is the wording the requester chose; ``signature`` the organiser's name.
    """
    team = talk.organisation or talk.title  # a talk without an organisation: its team is named by its title
    with force_locale("fr"):
        subject = _("Mise en relation : %(requester)s et %(team)s — %(edition)s",
                    requester=request.name, team=team, edition=edition.title)
        lines = [
            _("Bonjour %(requester)s,", requester=request.name),
            _("Bonjour l'équipe « %(team)s »,", team=team),
            "",
            _("Lors du %(edition)s (« %(theme)s ») du %(day)s, %(requester)s (%(organisation)s) a souhaité "
              "échanger avec l'équipe « %(team)s » à la suite de l'intervention « %(talk)s ».",
              edition=edition.title, theme=edition.theme, day=format_datetime(edition.starts_at, "d MMMM y"),
              requester=request.name, organisation=request.organisation, team=team, talk=talk.title),
            "",
            _("Sa demande : « %(intent)s ».", intent=intent_label),
        ]
        if request.message:
            lines += ["", _("Son message :")] + [f"> {line}".rstrip() for line in request.message.split("\n")]
        lines += ["", _("Nous vous mettons en relation pour que vous poursuiviez l'échange directement. "
                        "Voici les coordonnées de chacun :"),
                  "", f"{request.name} — {request.organisation}", _("E-mail : %(email)s", email=request.email)]
        if request.phone:
            lines.append(_("Téléphone : %(phone)s", phone=request.phone))
        lines += ["", " — ".join(part for part in (talk.organisation, talk.speaker) if part) or talk.title]
        if talk.contact_email:
            lines.append(_("E-mail : %(email)s", email=talk.contact_email))
        lines += ["", _("Bien cordialement,"), signature[:1].upper() + signature[1:]]
    if len(subject) > SUBJECT_MAX_CHARS:
        subject = subject[:SUBJECT_MAX_CHARS - 1] + "…"
    return Introduction(team_email=talk.contact_email or "", subject=subject, body="\n".join(lines))


def _message(request: ConnectRequest, talk: Talk, introduction: forms.Introduction, *, draft: bool):
    to = [Address(display_name=request.name, addr_spec=request.email),
          Address(display_name=talk.organisation or talk.title, addr_spec=introduction.team_email)]
    return mail.compose(to=to, subject=introduction.subject, body=introduction.body, draft=draft)


def send_introduction(edition_id: int, request: ConnectRequest, talk: Talk, introduction: forms.Introduction,
                      settings: mail.SmtpSettings) -> None:
    """Send one e-mail to both, then mark the request introduced; ``mail.MailError`` changes nothing.

    In the caller's write: this process's other writers wait (cooperatively, the event loop runs on)
    while the SMTP server answers; acceptable for a message sent after the evening.
    """
    mail.send(_message(request, talk, introduction, draft=False), settings)
    set_status(edition_id, request.id, "introduced")
    _audit("introduction_sent", edition_id, requests=1)


def introduction_draft_file(edition_id: int, request: ConnectRequest, talk: Talk,
                            introduction: forms.Introduction) -> bytes:
    """The same message as an .eml file, for the organiser's mail program; the status does not change."""
    data = mail.as_eml(_message(request, talk, introduction, draft=True))
    _audit("introduction_draft", edition_id, requests=1)
    return data


def _audit(action: str, edition_id: int, **counts: int) -> None:
    session = db.current()
    privacy.audit(session, action, edition_id=edition_id, **counts)


# -- the speaker digest ----------------------------------------------------------------------------


def digest(edition_id: int, talk_id: int, *, exported: bool = False) -> dict | None:
    """For one talk's team: who wants to meet them, and the questions the room asked them.

    Requests closed without follow-up and questions the moderator rejected are left out (only
    counted). Questions: published, answered and never-moderated ones, most votes first.
    ``exported``: the digest leaves pitchday (CSV), which the audit log records.
    """
    session = db.current()
    talk = session.get(Talk, talk_id)
    if talk is None or talk.edition_id != edition_id:
        return None
    requests = list(session.scalars(select(ConnectRequest).where(
        ConnectRequest.edition_id == edition_id, ConnectRequest.talk_id == talk_id).order_by(ConnectRequest.id)))
    questions = list(session.scalars(select(Question).where(
        Question.edition_id == edition_id, Question.talk_id == talk_id).order_by(
            Question.votes.desc(), Question.id)))
    kept_requests = [r for r in requests if r.status != "no_follow_up"]
    kept_questions = [q for q in questions if q.status in DIGEST_QUESTION_STATUSES]
    if exported:
        privacy.audit(session, "digest_export", edition_id=edition_id, requests=len(kept_requests),
                      questions=len(kept_questions))
    return {"talk": talk, "requests": kept_requests, "questions": kept_questions,
            "requests_left_out": len(requests) - len(kept_requests),
            "questions_left_out": sum(q.status == QuestionStatus.REJECTED.value for q in questions)}
