"""Personal data: the privacy notice's settings, retention, and one person's export and erasure.

A French public body is the controller. What is held about people: connect requests (name,
organisation, e-mail, phone, message, consent), applications (the referent's details), a talk's
contact e-mail, and on questions a first name if one was given and the phone's random id.
Every export, erasure and purge is written to the audit log with counts only, never the data.
"""
from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone
from typing import Any

from flask import current_app
from flask_babel import force_locale, get_locale
from flask_babel import gettext as _
from sqlalchemy import delete, func, select, update

from ..domain import applications as application_rules
from ..domain import audience as audience_rules
from ..domain import messages as message_rules
from ..domain import privacy as rules
from ..domain import speakers as speaker_rules
from ..domain.forms import NOTICE_LIMITS, NoticeSettings
from ..extensions import db
from ..models import (Application, AuditEntry, ConnectRequest, Edition, ErasedRequestCount, ImportDraft, LiveState,
                      OutboxMessage, Question, QuestionVote, Setting, SpeakerAnswer, Talk)
from . import audit as trail

SETTINGS_KEY = "privacy_notice"
SETTING_FIELDS = NOTICE_LIMITS
DRAFT_LIFETIME = timedelta(days=1)


# -- the notice's settings ------------------------------------------------------------------------


def notice_settings() -> dict[str, str]:
    """What the organisers set; an empty value means the notice's default wording."""
    session = db.current()
    row = session.get(Setting, SETTINGS_KEY)
    stored = json.loads(row.value) if row else {}
    settings = {name: stored.get(name, "") for name in SETTING_FIELDS}
    if not settings["controller"]:
        settings["controller"] = current_app.config["PITCHDAY_PRIVACY_CONTROLLER"]
    if not settings["dpo_contact"]:
        settings["dpo_contact"] = current_app.config.get("PITCHDAY_PRIVACY_CONTACT") or ""
    return settings


def save_notice_settings(settings: NoticeSettings) -> None:
    clean = {name: value or "" for name, value in settings.model_dump().items()}
    session = db.current()
    row = session.get(Setting, SETTINGS_KEY)
    if row is None:
        session.add(Setting(key=SETTINGS_KEY, value=json.dumps(clean, ensure_ascii=False)))
    else:
        row.value = json.dumps(clean, ensure_ascii=False)


def controller_name() -> str:
    return notice_settings()["controller"]


# -- audit ------------------------------------------------------------------------------------------


def audit(session, action: str, *, edition_id: int | None = None, **counts: int) -> None:
    """Write what was done, with counts only: the log itself must hold no personal data. The actor
    is the signed-in account, if any (services/audit)."""
    trail.record(session, action, edition_id=edition_id, **counts)


def audit_log(limit: int = 50) -> list[AuditEntry]:
    """The privacy log: exports, erasures and purges (the full audit trail has its own page)."""
    session = db.current()
    return list(session.scalars(select(AuditEntry).where(AuditEntry.action.in_(rules.PRIVACY_ACTIONS))
                                .order_by(AuditEntry.at.desc(), AuditEntry.id.desc()).limit(limit)))


# -- one person: find, export, erase ------------------------------------------------------------------


def _matching(model, column, email: str):
    return select(model).where(func.lower(column) == email)


def held_about(email: str) -> dict[str, int]:
    """How many records of each kind name this address."""
    session = db.current()
    count = lambda model, column: session.scalar(  # noqa: E731
        select(func.count()).select_from(model).where(func.lower(column) == email))
    return {"connect_requests": count(ConnectRequest, ConnectRequest.email),
            "applications": count(Application, Application.referent_email),
            "talk_contacts": count(Talk, Talk.contact_email)}


def _value(value: Any) -> Any:
    return value.isoformat(timespec="seconds") if isinstance(value, datetime) else value


def _keyed(row, keys: dict[str, str], labels: dict[str, dict]) -> dict[str, Any]:
    """A record under the export's keys (domain.privacy), codes replaced by their labels."""
    data = {}
    for column, key in keys.items():
        value = getattr(row, column)
        if column in labels and value in labels[column]:
            value = _(labels[column][value])
        data[key] = _value(value)
    return data


def export_for(email: str, language: str = "fr") -> dict[str, Any]:
    """Everything held about one address (the person's right of access): stable French keys
    (domain.privacy, docs/personal-data-export.md), labels in ``language`` (fr or en)."""
    with force_locale(language if language in rules.EXPORT_LANGUAGES else "fr"):
        return _export(email)


def _export(email: str) -> dict[str, Any]:
    session = db.current()
    editions = {e.id: e.title for e in session.scalars(select(Edition))}
    talks_by_id = {t.id: t.title for t in session.scalars(select(Talk))}
    request_labels = {"intent": audience_rules.INTENT_LABELS, "status": audience_rules.REQUEST_STATUS_LABELS}
    requests = [{"edition": editions.get(r.edition_id), "intervention": talks_by_id.get(r.talk_id),
                 **_keyed(r, rules.REQUEST_KEYS, request_labels)}
                for r in session.scalars(_matching(ConnectRequest, ConnectRequest.email, email))]
    application_rows = list(session.scalars(_matching(Application, Application.referent_email, email)))
    application_labels = {"status": application_rules.STATUS_LABELS, "talk_kind": application_rules.TALK_KIND_LABELS,
                          "applicant_type": application_rules.APPLICANT_TYPE_LABELS}
    applications = [{"edition": editions.get(a.edition_id), **_keyed(a, rules.APPLICATION_KEYS, application_labels)}
                    for a in application_rows]
    talks = [{"edition": editions.get(t.edition_id), "intervention": t.title, "email": t.contact_email}
             for t in session.scalars(_matching(Talk, Talk.contact_email, email))]
    application_ids = [a.id for a in application_rows]
    # A speaker's digest may be about a talk that came from no application: found by its recipient too.
    messages = [_keyed(m, rules.MESSAGE_KEYS, {"kind": message_rules.KIND_LABELS, "state": message_rules.STATE_LABELS})
                for m in session.scalars(select(OutboxMessage).where(
                    OutboxMessage.application_id.in_(application_ids) | (func.lower(OutboxMessage.to_email) == email))
                    .order_by(OutboxMessage.id))]
    answers = [_keyed(a, rules.ANSWER_KEYS, {"answer": speaker_rules.ANSWER_LABELS,
                                             "equipment": speaker_rules.EQUIPMENT_LABELS,
                                             "microphone": speaker_rules.MICROPHONE_LABELS})
               for a in session.scalars(select(SpeakerAnswer).where(SpeakerAnswer.application_id.in_(application_ids)))]
    from .reviews import export_of  # the review scores and comments, retained and erased with the application

    audit(session, "export_person", connect_requests=len(requests), applications=len(applications),
          talk_contacts=len(talks))
    return {"format": rules.EXPORT_VERSION, "adresse": email,
            "exporte_le": datetime.now(timezone.utc).isoformat(timespec="seconds"),
            "langue": str(get_locale()), "responsable_du_traitement": controller_name(),
            "demandes_echange": requests, "candidatures": applications, "contacts_intervention": talks,
            "messages": messages, "reponses_intervenant": answers,
            "evaluations": export_of(application_ids)}


def _keep_request_counts(session, where) -> None:
    """Before connect requests go, add them to their talks' anonymous counts: the report keeps counting them."""
    for edition_id, talk_id, count in session.execute(
            select(ConnectRequest.edition_id, ConnectRequest.talk_id, func.count()).where(where)
            .group_by(ConnectRequest.edition_id, ConnectRequest.talk_id)).all():
        kept = session.get(ErasedRequestCount, talk_id)
        if kept is None:
            session.add(ErasedRequestCount(talk_id=talk_id, edition_id=edition_id, count=count))
        else:
            kept.count += count
    session.flush()


def erase(email: str) -> dict[str, int]:
    """Erase everything held about one address (right to erasure); a talk already announced keeps
    its title and speaker but loses the contact address and its link to the application. The
    report's counts stay: the erased requests are kept as anonymous counts per talk."""
    session = db.current()
    _keep_request_counts(session, func.lower(ConnectRequest.email) == email)
    requests = session.execute(delete(ConnectRequest).where(func.lower(ConnectRequest.email) == email)).rowcount
    application_ids = list(session.scalars(select(Application.id).where(func.lower(Application.referent_email) == email)))
    session.execute(update(Talk).where(Talk.application_id.in_(application_ids)).values(application_id=None))
    applications = session.execute(delete(Application).where(Application.id.in_(application_ids))).rowcount
    contacts = session.execute(update(Talk).where(func.lower(Talk.contact_email) == email)
                               .values(contact_email=None)).rowcount
    # Speakers' digests sent to this address, or listing it as a contact (a copy of their request).
    digests = session.execute(delete(OutboxMessage).where(
        OutboxMessage.kind == "digest",
        (func.lower(OutboxMessage.to_email) == email) | func.lower(OutboxMessage.body).contains(email, autoescape=True))
        .execution_options(synchronize_session=False)).rowcount
    counts = {"connect_requests": requests, "applications": applications, "talk_contacts": contacts}
    if digests:
        counts["digests"] = digests
    audit(session, "erase_person", **counts)
    return counts


# -- retention ------------------------------------------------------------------------------------------


def evening_end(planned_end: datetime, last_run: datetime | None) -> datetime:
    """When retention starts counting: the planned end, or the last change of the run of show if
    later. A real evening runs on its day; a rehearsal or a replay (the demo edition is dated 2020)
    is counted from when it was really played, so that data typed during it is not kept less long.
    """
    return max(planned_end, last_run) if last_run is not None else planned_end


def purge(now: datetime | None = None) -> dict[str, int]:
    """Erase what is past its retention period (``pitchday purge``, and at every start of the server).

    Per edition, counted from the end of the evening (``evening_end``): connect requests, the phones' ids and the
    askers' first names after ``connect_retention_days``; applications (and the talks' contact
    addresses) after ``applications_retention_days``. Import drafts after a day. Anonymous
    questions and vote counts stay for the report.
    """
    now = now or datetime.now(timezone.utc)
    totals = {"connect_requests": 0, "applications": 0, "votes": 0, "questions_anonymised": 0, "import_drafts": 0}
    session = db.current()
    last_runs = dict(session.execute(select(LiveState.edition_id, LiveState.updated_at)).all())
    for edition in session.scalars(select(Edition)):
        ended = evening_end(edition.ends_at, last_runs.get(edition.id))
        if ended + timedelta(days=edition.connect_retention_days) <= now:
            _keep_request_counts(session, ConnectRequest.edition_id == edition.id)
            totals["connect_requests"] += session.execute(
                delete(ConnectRequest).where(ConnectRequest.edition_id == edition.id)).rowcount
            # The speakers' digests copy those requests' details: kept no longer than the requests.
            digests = session.execute(delete(OutboxMessage).where(
                OutboxMessage.edition_id == edition.id, OutboxMessage.kind == "digest")).rowcount
            if digests:
                totals["digests"] = totals.get("digests", 0) + digests
            question_ids = select(Question.id).where(Question.edition_id == edition.id)
            totals["votes"] += session.execute(
                delete(QuestionVote).where(QuestionVote.question_id.in_(question_ids))).rowcount
            totals["questions_anonymised"] += session.execute(
                update(Question).where(Question.edition_id == edition.id,
                                       (Question.device_id != "") | Question.author.is_not(None))
                .values(device_id="", author=None)).rowcount
        if ended + timedelta(days=edition.applications_retention_days) <= now:
            session.execute(update(Talk).where(Talk.edition_id == edition.id)
                            .values(contact_email=None, application_id=None))
            totals["applications"] += session.execute(
                delete(Application).where(Application.edition_id == edition.id)).rowcount
    totals["import_drafts"] = session.execute(
        delete(ImportDraft).where(ImportDraft.created_at < now - DRAFT_LIFETIME)).rowcount
    if any(totals.values()):
        audit(session, "purge", **totals)
    return totals
