"""The public application form: stored once per submission, before anything is confirmed."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any, Mapping

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from ..domain import selection
from ..domain.applications import validate
from ..domain.text import InvalidField
from ..extensions import db, rate_limits
from ..models import Application, Edition

REFERENCE_ATTEMPTS = 5  # two forms numbered at the same moment: the loser takes the next number


@dataclass(frozen=True)
class Submission:
    """What became of a form: ``closed``, ``invalid`` (with ``errors``) or stored (``reference``)."""

    outcome: str  # "stored" / "invalid" / "closed" / "rate_limited"
    reference: str | None = None
    project_name: str | None = None
    errors: list[InvalidField] = field(default_factory=list)
    retry_after_s: int = 0


def submit_form(edition_id: int, values: Mapping[str, Any], *, client_id: str, address: str | None = None,
                now: datetime | None = None, language: str = "fr") -> Submission:
    """Store an application from the public form, once per ``client_id``, before anything is confirmed.

    A form sent again (double click, back and resend) answers with the first one's reference.
    ``language``: the form's, which the messages about the application will be written in.
    """
    now = now or datetime.now(timezone.utc)
    clean, errors = validate(values)
    session = db.current()
    for _attempt in range(REFERENCE_ATTEMPTS):
        try:
            with session.begin_nested():  # a savepoint: a number taken meanwhile undoes this try only
                edition = session.get(Edition, edition_id)
                if not selection.form_is_open(edition.applications_close_at, now):
                    return Submission("closed")
                stored = _stored_form(session, edition_id, client_id)
                if stored is not None:
                    return Submission("stored", stored.reference, stored.project_name)
                if errors:
                    return Submission("invalid", errors=errors)
                if _attempt == 0:  # a retry of the numbering is the same submission
                    decision = rate_limits.check("apply", device_id=f"address:{address}", address=address)
                    if not decision.allowed:
                        return Submission("rate_limited", retry_after_s=decision.retry_after_s)
                prefix = selection.reference_prefix(edition.slug)
                taken = session.scalars(select(Application.reference).where(
                    Application.reference.startswith(prefix + "-", autoescape=True)))
                application = Application(
                    edition_id=edition_id, reference=selection.next_reference(prefix, taken), client_id=client_id,
                    received_at=now, source="form", late=False, status="received",
                    language="en" if language == "en" else "fr", **clean)
                session.add(application)
                session.flush()
                return Submission("stored", application.reference, application.project_name)
        except IntegrityError:
            continue  # the same form stored meanwhile (found on the next turn), or its number taken: try again
    raise RuntimeError("could not number the application")


def _stored_form(session, edition_id: int, client_id: str) -> Application | None:
    return session.scalar(select(Application).where(Application.edition_id == edition_id,
                                                    Application.client_id == client_id))


def confirmation(reference: str) -> Application | None:
    """The application a (signed) confirmation link points to."""
    session = db.current()
    return session.scalar(select(Application).where(Application.reference == reference))
