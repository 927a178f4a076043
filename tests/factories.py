"""Small worlds for the tests: an edition and its talks in one call, with names of their own.

Plain builder functions over the models and services (no factory library): a test creates what it
needs instead of leaning on the demo edition, whose data may change for the demo's sake. Call
them inside an application context. Every name here is fictional.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from pitchday.extensions import db
from pitchday.models import Application, Edition, Talk
from pitchday.services import show as show_service
from pitchday.timeutil import PARIS

SLUG = "soiree-essai"
# An evening already past (like a replayed archive): nothing in it depends on today's date.
EVENING = datetime(2021, 3, 11, 17, 0, tzinfo=PARIS)


@dataclass(frozen=True)
class TalkSpec:
    title: str
    kind: str = "solution"
    organisation: str = ""
    speaker: str = ""
    email: str = ""  # the referent of its application, when the edition is built with applications


# Three talks, one of each kind, in running order.
TALKS = (
    TalkSpec("Lampadaires bavards", "solution", "Lueur Urbaine SCOP", "Noé Fictif, gérant",
             "noe@lueur-urbaine.example.org"),
    TalkSpec("Cantines sans plastique", "besoin", "Commune de Bourg-Essai", "Maëlle Inventée, adjointe",
             "maelle@bourg-essai.example.org"),
    TalkSpec("Retour du terrain : la navette autonome", "retour_experience", "Navette d'Essai", "Sacha Supposé",
             "sacha@navette-essai.example.org"),
)
TITLES = [talk.title for talk in TALKS]


def make_edition(*, slug: str = SLUG, number: int = 1, talks: tuple[TalkSpec, ...] = TALKS,
                 starts_at: datetime = EVENING, pitch_ms: int = 300_000, qa_ms: int = 300_000,
                 changeover_ms: int = 60_000, applications_close_at: datetime | None = EVENING - timedelta(days=10),
                 applications: bool = False, **fields) -> Edition:
    """A stored edition with ``talks`` in running order and its live show at the welcome screen.

    Its application form closed ten days before the evening (``applications_close_at=None``: no
    public form at all). With ``applications``, each talk comes from a retained application
    (references ``ESSAI-001``…), whose referent is the talk's contact. ``fields`` set any other
    column of the edition (``talks_wanted``…).
    """
    with db.write() as session:
        edition = Edition(
            slug=slug, number=number, series="Soirées d'essai", title=f"Soirée d'essai n° {number}",
            theme="Villes et numérique", starts_at=starts_at, ends_at=starts_at + timedelta(hours=3),
            talks_start_at=starts_at + timedelta(minutes=25), venue="Salle des Essais, 1 rue Fictive, Lille",
            partners=["Partenaire Imaginaire"], pitch_ms=pitch_ms, qa_ms=qa_ms, changeover_ms=changeover_ms,
            applications_close_at=applications_close_at, **fields,
        )
        edition.talks = [make_talk(spec, position) for position, spec in enumerate(talks, start=1)]
        session.add(edition)
        if applications:
            session.flush()
            for position, talk in enumerate(edition.talks, start=1):
                talk.application = make_application(edition, talks[position - 1], f"ESSAI-{position:03d}")
                talk.contact_email = talk.application.referent_email
        session.flush()
        show_service.reset_show(edition.id)
    return edition


def make_talk(spec: TalkSpec, position: int) -> Talk:
    """An unsaved talk (add it to an edition's ``talks``)."""
    return Talk(position=position, title=spec.title, kind=spec.kind, organisation=spec.organisation or spec.title,
                speaker=spec.speaker, summary=f"Résumé de « {spec.title} ».")


def make_application(edition: Edition, spec: TalkSpec, reference: str, *, status: str = "retained") -> Application:
    """An application (imported, decided) proposing ``spec``; added to the session with ``edition``."""
    received = edition.applications_close_at or edition.starts_at
    return Application(
        edition_id=edition.id, reference=reference, received_at=received - timedelta(days=3), source="import",
        status=status, decided_at=received + timedelta(days=2), project_name=spec.title,
        organisation=spec.organisation or spec.title, applicant_type="entreprise", address="1 rue Fictive, Lille",
        referent_name=spec.speaker.split(",")[0] or "Référent Fictif", referent_role="Porteur du projet",
        referent_phone=f"01 99 00 30 {reference[-2:]}", referent_email=spec.email or f"{reference.lower()}@example.org",
        talk_kind=spec.kind, description=f"Résumé de « {spec.title} ».", situation="Un prototype en essai.",
    )


# The team's test password: long and uncommon enough for the password rules (services/accounts).
PASSWORD = "correct horse battery"


def make_account(email: str = "admin@equipe-essai.example.org", *, role: str | None = "admin",
                 edition_id: int | None = None, name: str = "", password: str | None = PASSWORD):
    """A stored account with one role (``role`` None: none), for ``edition_id`` (None: every edition)."""
    from pitchday.services import accounts

    with db.write():
        account = accounts.create_account(email, name or email.partition("@")[0], password=password)
        if role is not None:
            accounts.grant(account.id, role, edition_id)
    return account
