"""SQLAlchemy 2.0 typed models. Times are stored in UTC."""
from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

import sqlalchemy as sa
from sqlalchemy import DateTime, JSON, Boolean, ForeignKey, Integer, String, Text, TypeDecorator, UniqueConstraint
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


class UTCDateTime(TypeDecorator):
    """Aware datetimes in, aware UTC datetimes out, stored as UTC on every database.

    SQLite keeps no offset: without this, 17:00+01:00 would come back as 17:00 UTC.
    """

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime: give a time zone")
        return value.astimezone(timezone.utc).replace(tzinfo=None)

    def process_result_value(self, value, dialect):
        return None if value is None else value.replace(tzinfo=timezone.utc)


class Base(DeclarativeBase):
    type_annotation_map = {datetime: UTCDateTime()}


class Edition(Base):
    """One evening of the series (e.g. the 10th Jeudi du numérique)."""

    __tablename__ = "editions"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(40), unique=True)  # in every public URL
    series: Mapped[str] = mapped_column(String(120), default="Jeudis du numérique", server_default="Jeudis du numérique")
    number: Mapped[int] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(String(200))
    theme: Mapped[str] = mapped_column(String(200))
    starts_at: Mapped[datetime] = mapped_column()  # doors open
    ends_at: Mapped[datetime] = mapped_column()
    talks_start_at: Mapped[datetime] = mapped_column()  # first talk, as planned
    venue: Mapped[str] = mapped_column(String(300))
    partners: Mapped[list[str]] = mapped_column(JSON, default=list)
    pitch_ms: Mapped[int] = mapped_column(Integer, default=300_000)  # default pitch length
    qa_ms: Mapped[int] = mapped_column(Integer, default=300_000)  # default Q&A length
    changeover_ms: Mapped[int] = mapped_column(Integer, default=60_000)  # planned gap between talks
    auto_questions: Mapped[bool] = mapped_column(Boolean, default=False)  # switch to Q&A at 0:00
    # Publish audience questions without moderation (suspect ones still wait for the moderator).
    questions_auto_publish: Mapped[bool] = mapped_column(Boolean, default=False, server_default=sa.false())
    # Applications: the public form closes at this moment (Europe/Paris when shown); None: no form.
    applications_close_at: Mapped[datetime | None] = mapped_column(nullable=True)
    talks_wanted: Mapped[int] = mapped_column(Integer, default=10, server_default="10")  # talks to retain
    # Personal data is erased this many days after the evening (``pitchday purge`` and at start-up).
    connect_retention_days: Mapped[int] = mapped_column(Integer, default=30, server_default="30")
    applications_retention_days: Mapped[int] = mapped_column(Integer, default=365, server_default="365")
    # The most phones connected at once, as counted by the server processes (for the report).
    peak_audience: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    peak_audience_at: Mapped[datetime | None] = mapped_column(nullable=True)
    # Speakers upload or replace their slides until this moment; None: the day before, 18:00 in Paris
    # (``domain.speakers.slides_deadline``).
    slides_deadline_at: Mapped[datetime | None] = mapped_column(nullable=True)

    talks: Mapped[list["Talk"]] = relationship(back_populates="edition", order_by="Talk.position")

    @property
    def pitches(self) -> list["Talk"]:
        """The talks of the rundown (pitch then questions), without its other items: what questions,
        connect requests and per-talk lengths are about."""
        return [talk for talk in self.talks if talk.is_talk]


class Talk(Base):
    """A talk of the evening, in the planned running order (``position``)."""

    __tablename__ = "talks"

    id: Mapped[int] = mapped_column(primary_key=True)
    edition_id: Mapped[int] = mapped_column(ForeignKey("editions.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(String(200))
    organisation: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(30))  # solution / besoin / retour_experience
    speaker: Mapped[str] = mapped_column(String(200), default="")
    summary: Mapped[str] = mapped_column(Text, default="")
    pitch_ms: Mapped[int | None] = mapped_column(Integer, nullable=True)  # overrides the edition's
    qa_ms: Mapped[int | None] = mapped_column(Integer, nullable=True)
    # The retained application this talk comes from, if any, and whom to introduce people to.
    application_id: Mapped[int | None] = mapped_column(ForeignKey("applications.id", ondelete="SET NULL", name="fk_talks_application_id"),
                                                       nullable=True, index=True)
    contact_email: Mapped[str | None] = mapped_column(String(254), nullable=True)
    # The rundown: a talk (pitch then questions) or another item of the evening with one timed phase
    # (domain.show.ItemKind: welcome, opening, address, break, closing, networking), of ``pitch_ms``.
    # One table for every item keeps one running order (``position``), one reorder and one id space
    # for the live state; ``kind`` above is the talk's type, empty for other items.
    item_kind: Mapped[str] = mapped_column(String(20), default="talk", server_default="talk")
    note: Mapped[str] = mapped_column(Text, default="", server_default="")  # the stage manager's note (rundown)

    edition: Mapped[Edition] = relationship(back_populates="talks")
    application: Mapped["Application | None"] = relationship()

    @property
    def effective_pitch_ms(self) -> int:
        return self.pitch_ms or self.edition.pitch_ms

    @property
    def effective_qa_ms(self) -> int:
        """The questions' length; 0 for an item with one phase."""
        return 0 if self.item_kind != "talk" else self.qa_ms or self.edition.qa_ms

    @property
    def is_talk(self) -> bool:
        return self.item_kind == "talk"


class LiveState(Base):
    """The live run of show of an edition: one row, the domain ``Show`` as JSON."""

    __tablename__ = "live_states"

    edition_id: Mapped[int] = mapped_column(ForeignKey("editions.id", ondelete="CASCADE"), primary_key=True)
    version: Mapped[int] = mapped_column(Integer)  # mirrors state["version"], for compare-and-set
    state: Mapped[dict[str, Any]] = mapped_column(JSON)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)  # last change of the run of show
    # When the scheduler must next look at it (domain.next_due), None if nothing is due: it reads only
    # the rows due, not every edition ever created. Kept by services.show.save with the state.
    due_at: Mapped[datetime | None] = mapped_column(index=True, default=None)


class ShowCommand(Base):
    """Every moderator command received: the history, and idempotency for retries."""

    __tablename__ = "show_commands"
    __table_args__ = (UniqueConstraint("edition_id", "command_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    edition_id: Mapped[int] = mapped_column(ForeignKey("editions.id", ondelete="CASCADE"), index=True)
    command_id: Mapped[str] = mapped_column(String(64))  # generated by the client
    name: Mapped[str] = mapped_column(String(40))
    args: Mapped[dict[str, Any]] = mapped_column(JSON)
    result: Mapped[dict[str, Any]] = mapped_column(JSON)  # the acknowledgement sent back
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class ModeratorLink(Base):
    """A signed, expiring, revocable link that opens the moderator console."""

    __tablename__ = "moderator_links"

    id: Mapped[int] = mapped_column(primary_key=True)
    edition_id: Mapped[int] = mapped_column(ForeignKey("editions.id", ondelete="CASCADE"), index=True)
    token_id: Mapped[str] = mapped_column(String(64), unique=True)  # random, inside the signed token
    label: Mapped[str] = mapped_column(String(100), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime] = mapped_column()
    revoked_at: Mapped[datetime | None] = mapped_column(nullable=True)
    # Who holds it: a named person (``holder_name``) or a régie account (``account_id``).
    holder_name: Mapped[str] = mapped_column(String(100), default="")
    account_id: Mapped[int | None] = mapped_column(ForeignKey("accounts.id", ondelete="SET NULL"), nullable=True)


class Question(Base):
    """A question from the audience to one talk. Anonymous unless the asker gives a first name."""

    __tablename__ = "questions"
    __table_args__ = (UniqueConstraint("edition_id", "client_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    edition_id: Mapped[int] = mapped_column(ForeignKey("editions.id", ondelete="CASCADE"), index=True)
    talk_id: Mapped[int] = mapped_column(ForeignKey("talks.id", ondelete="CASCADE"), index=True)
    client_id: Mapped[str] = mapped_column(String(64))  # made by the phone: a retried submission is stored once
    device_id: Mapped[str] = mapped_column(String(64), index=True)  # the phone's random id: "my questions", limits
    text: Mapped[str] = mapped_column(Text)  # cleaned, at most 280 characters, possibly edited by the moderator
    original_text: Mapped[str | None] = mapped_column(Text, nullable=True)  # as asked, when the moderator edited it
    author: Mapped[str | None] = mapped_column(String(40), nullable=True)  # a first name, only if given
    status: Mapped[str] = mapped_column(String(16), default="pending")  # domain.audience.QuestionStatus
    suspect: Mapped[list[str]] = mapped_column(JSON, default=list)  # suspect words shown to the moderator
    votes: Mapped[int] = mapped_column(Integer, default=0)  # = its QuestionVote rows, updated in the same transaction
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    published_at: Mapped[datetime | None] = mapped_column(nullable=True)
    answered_at: Mapped[datetime | None] = mapped_column(nullable=True)


class QuestionVote(Base):
    """One phone's vote for one question: the unique constraint is the "once per phone" rule."""

    __tablename__ = "question_votes"
    __table_args__ = (UniqueConstraint("question_id", "device_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    question_id: Mapped[int] = mapped_column(ForeignKey("questions.id", ondelete="CASCADE"), index=True)
    device_id: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class ConnectRequest(Base):
    """"Je veux échanger": someone asks to be put in touch with a talk's team (personal data)."""

    __tablename__ = "connect_requests"
    __table_args__ = (UniqueConstraint("edition_id", "client_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    edition_id: Mapped[int] = mapped_column(ForeignKey("editions.id", ondelete="CASCADE"), index=True)
    talk_id: Mapped[int] = mapped_column(ForeignKey("talks.id", ondelete="CASCADE"), index=True)
    client_id: Mapped[str] = mapped_column(String(64))  # made by the phone (or the form): stored once
    device_id: Mapped[str] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(String(100))
    organisation: Mapped[str] = mapped_column(String(150))
    email: Mapped[str] = mapped_column(String(254), index=True)  # normalised; export and erasure look it up
    phone: Mapped[str | None] = mapped_column(String(30), nullable=True)
    intent: Mapped[str] = mapped_column(String(30))  # domain.audience.INTENTS_BY_KIND
    message: Mapped[str | None] = mapped_column(Text, nullable=True)
    consent_text: Mapped[str] = mapped_column(Text)  # the exact sentence the person agreed to
    consented_at: Mapped[datetime] = mapped_column()
    locale: Mapped[str] = mapped_column(String(5), default="fr")  # language of the form, for the follow-up
    status: Mapped[str] = mapped_column(String(20), default="new")  # new / introduced / no_follow_up
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    status_changed_at: Mapped[datetime | None] = mapped_column(nullable=True)


class Application(Base):
    """A "dossier de candidature" to speak at an edition (personal data: the referent's details).

    ``edition_id`` is the pool the application is in now: deferring it to a later edition moves it
    there (``deferred_from_edition_id`` remembers where it came from).
    """

    __tablename__ = "applications"
    __table_args__ = (UniqueConstraint("edition_id", "client_id", name="uq_applications_edition_client"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    edition_id: Mapped[int] = mapped_column(ForeignKey("editions.id", ondelete="CASCADE"), index=True)
    reference: Mapped[str] = mapped_column(String(30), unique=True)  # "AMI-QA-001", or made at submission
    # Made by the public form's page: a form sent twice (double click, resubmit) is stored once.
    client_id: Mapped[str | None] = mapped_column(String(64), nullable=True)
    received_at: Mapped[datetime] = mapped_column()
    source: Mapped[str] = mapped_column(String(10))  # form / import
    late: Mapped[bool] = mapped_column(Boolean, default=False)  # received after the deadline: flagged, not refused
    status: Mapped[str] = mapped_column(String(12), default="received")  # received / retained / deferred / declined
    decided_at: Mapped[datetime | None] = mapped_column(nullable=True)
    deferred_from_edition_id: Mapped[int | None] = mapped_column(ForeignKey("editions.id", ondelete="SET NULL"),
                                                                 nullable=True)
    # The project and who carries it
    project_name: Mapped[str] = mapped_column(String(200))
    organisation: Mapped[str | None] = mapped_column(String(200), nullable=True)  # name of the structure
    applicant_type: Mapped[str] = mapped_column(String(30))  # commune / entreprise / association / acteur_academique / autre
    applicant_type_detail: Mapped[str | None] = mapped_column(String(200), nullable=True)  # "autre, précisez"
    address: Mapped[str] = mapped_column(Text)
    website: Mapped[str | None] = mapped_column(String(300), nullable=True)
    referent_name: Mapped[str] = mapped_column(String(120))
    referent_role: Mapped[str] = mapped_column(String(120))
    referent_phone: Mapped[str | None] = mapped_column(String(30), nullable=True)
    referent_email: Mapped[str] = mapped_column(String(254), index=True)
    # The talk proposed
    talk_kind: Mapped[str] = mapped_column(String(30))  # solution / besoin / retour_experience
    description: Mapped[str] = mapped_column(Text)  # 15 lines at most
    situation: Mapped[str] = mapped_column(Text)
    # Experimentation proposal (solution and besoin)
    exp_what_why: Mapped[str | None] = mapped_column(Text, nullable=True)
    exp_site: Mapped[str | None] = mapped_column(Text, nullable=True)
    exp_target: Mapped[str | None] = mapped_column(Text, nullable=True)
    needs: Mapped[str | None] = mapped_column(Text, nullable=True)
    # Experience feedback (retour_experience)
    fb_positive: Mapped[str | None] = mapped_column(Text, nullable=True)
    fb_negative: Mapped[str | None] = mapped_column(Text, nullable=True)
    fb_advice: Mapped[str | None] = mapped_column(Text, nullable=True)
    fb_next: Mapped[str | None] = mapped_column(Text, nullable=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # The language the applicant chose (the form's): the messages about it are written in it.
    language: Mapped[str] = mapped_column(String(5), default="fr", server_default="fr")


class ImportDraft(Base):
    """An uploaded CSV of applications between its preview and its import (kept a day at most)."""

    __tablename__ = "import_drafts"

    id: Mapped[int] = mapped_column(primary_key=True)
    edition_id: Mapped[int] = mapped_column(ForeignKey("editions.id", ondelete="CASCADE"), index=True)
    filename: Mapped[str] = mapped_column(String(200))
    content: Mapped[str] = mapped_column(Text)  # decoded text of the file
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class AuditEntry(Base):
    """Who did what to which object, and when: every write of the organiser area, every export,
    erasure, purge and import (services/audit). Never the personal data itself: ids, kinds and counts.
    The application never updates nor deletes a row (no route, and the purge leaves them)."""

    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    action: Mapped[str] = mapped_column(String(40))
    edition_id: Mapped[int | None] = mapped_column(ForeignKey("editions.id", ondelete="SET NULL"), nullable=True,
                                                   index=True)
    detail: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)  # counts and kinds only, never a name or address
    # The account that acted; None: the CLI or the system (the purge at start). No foreign key on
    # purpose: the trail keeps naming an account that was removed since.
    actor_id: Mapped[int | None] = mapped_column(Integer, nullable=True, index=True)
    # What it acted on: a kind ("application", "talk", "account"…) and that row's id.
    object_type: Mapped[str | None] = mapped_column(String(40), nullable=True)
    object_id: Mapped[int | None] = mapped_column(sa.BigInteger, nullable=True)


class Setting(Base):
    """Instance-wide settings (organiser password hash, generated secret key)."""

    __tablename__ = "settings"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[str] = mapped_column(Text)


class MessageTemplate(Base):
    """An edition's own wording of one message (domain.messages.DEFAULTS when it has none)."""

    __tablename__ = "message_templates"
    __table_args__ = (UniqueConstraint("edition_id", "kind", "language", name="uq_message_templates_kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    edition_id: Mapped[int] = mapped_column(ForeignKey("editions.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(20))  # domain.messages.KINDS
    language: Mapped[str] = mapped_column(String(5))  # fr / en
    subject: Mapped[str] = mapped_column(String(200))  # checked placeholders (domain.messages.check_template)
    body: Mapped[str] = mapped_column(Text)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class OutboxMessage(Base):
    """One e-mail to an applicant, prepared by a decision or a reminder (or to a speaker: their digest
    after the evening), read by an organiser, sent once.

    ``state``: prepared → sending → sent, or failed / bounced (with ``reason``), which can be sent
    again. "sending" is committed before the SMTP call: a row left in it after a crash is shown
    "à vérifier" and never sent again without a person's decision (services/outbox.py).
    Personal data: erased with its application (a digest also with its recipient, and with the
    connect requests it lists: services/privacy).
    """

    __tablename__ = "outbox_messages"

    id: Mapped[int] = mapped_column(primary_key=True)
    edition_id: Mapped[int] = mapped_column(ForeignKey("editions.id", ondelete="CASCADE"), index=True)
    # The applicant it is about; None for a speaker's digest of a talk that came from no application.
    application_id: Mapped[int | None] = mapped_column(ForeignKey("applications.id", ondelete="CASCADE"), index=True,
                                                       nullable=True)
    # branch digest: the talk a speaker's digest is about (kind "digest"), None for the other kinds.
    talk_id: Mapped[int | None] = mapped_column(ForeignKey("talks.id", ondelete="CASCADE", name="fk_outbox_messages_talk_id"),
                                                index=True, nullable=True)
    kind: Mapped[str] = mapped_column(String(20))  # domain.messages.KINDS
    language: Mapped[str] = mapped_column(String(5))
    to_name: Mapped[str] = mapped_column(String(200))
    to_email: Mapped[str] = mapped_column(String(254))
    subject: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)
    state: Mapped[str] = mapped_column(String(12), default="prepared", index=True)
    reason: Mapped[str | None] = mapped_column(Text, nullable=True)  # why it failed, as the organiser reads it
    # Random, made once per message: its Message-ID header; a message is claimed for sending by it once.
    idempotency_key: Mapped[str] = mapped_column(String(64), unique=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    sending_at: Mapped[datetime | None] = mapped_column(nullable=True)
    sent_at: Mapped[datetime | None] = mapped_column(nullable=True)


class SpeakerAnswer(Base):
    """What an applicant answered in their speaker space (one row per application, once they answer)."""

    __tablename__ = "speaker_answers"

    application_id: Mapped[int] = mapped_column(ForeignKey("applications.id", ondelete="CASCADE"), primary_key=True)
    answer: Mapped[str | None] = mapped_column(String(12), nullable=True)  # confirmed / declined / kept / withdrawn
    answered_at: Mapped[datetime | None] = mapped_column(nullable=True)
    equipment: Mapped[str | None] = mapped_column(String(20), nullable=True)  # domain.speakers.EQUIPMENT
    microphone: Mapped[str | None] = mapped_column(String(5), nullable=True)
    accessibility: Mapped[str | None] = mapped_column(Text, nullable=True)
    needs_at: Mapped[datetime | None] = mapped_column(nullable=True)
    details_at: Mapped[datetime | None] = mapped_column(nullable=True)  # last correction of the talk's texts
class Deck(Base):
    """A talk's slides: its PDF rendered once to images (named by the PDF's SHA-256), and how the projector
    shows the talk. A row without ``digest`` has no deck, only a display choice (e.g. the speaker's HDMI)."""

    __tablename__ = "decks"

    talk_id: Mapped[int] = mapped_column(ForeignKey("talks.id", ondelete="CASCADE"), primary_key=True)
    digest: Mapped[str | None] = mapped_column(String(64), nullable=True)  # folder of the images (services/slides)
    page_count: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    width: Mapped[int] = mapped_column(Integer, default=0, server_default="0")  # first page at projector size, px
    height: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    size_bytes: Mapped[int] = mapped_column(Integer, default=0, server_default="0")  # of the PDF uploaded
    display: Mapped[str] = mapped_column(String(12), default="slides", server_default="slides")  # domain/slides.DISPLAYS
    uploaded_at: Mapped[datetime | None] = mapped_column(nullable=True)
class Account(Base):
    """A person of the organising team: signs in with an e-mail and a password (or single sign-on).

    Its rights come from its ``grants`` only; a disabled account opens nothing. ``session_generation``
    is stored in each of its session cookies and bumped to end them all (logout everywhere, new
    password, disabling)."""

    __tablename__ = "accounts"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)  # lower-cased on the way in
    display_name: Mapped[str] = mapped_column(String(100))
    # scrypt hash; None: invited and not yet set, or single sign-on only.
    password_hash: Mapped[str | None] = mapped_column(String(255), nullable=True)
    disabled_at: Mapped[datetime | None] = mapped_column(nullable=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    session_generation: Mapped[int] = mapped_column(Integer, default=0)
    # qrwall: a password printed by the command line (one-time): every organiser page leads to
    # "Mon compte" until the person has chosen their own.
    password_must_change: Mapped[bool] = mapped_column(Boolean, default=False, server_default=sa.false())
    grants: Mapped[list["RoleGrant"]] = relationship(back_populates="account", cascade="all, delete-orphan",
                                                     lazy="selectin")


class RoleGrant(Base):
    """A role given to an account, for one edition or (``edition_id`` None) for every edition."""

    __tablename__ = "role_grants"
    # NULLs are distinct in a unique constraint: the partial index makes a global grant unique too.
    __table_args__ = (UniqueConstraint("account_id", "role", "edition_id", name="uq_role_grants_account_role_edition"),
                      sa.Index("uq_role_grants_global", "account_id", "role", unique=True,
                               sqlite_where=sa.text("edition_id IS NULL"),
                               postgresql_where=sa.text("edition_id IS NULL")))

    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"), index=True)
    role: Mapped[str] = mapped_column(String(20))  # domain/access.ROLES
    edition_id: Mapped[int | None] = mapped_column(ForeignKey("editions.id", ondelete="CASCADE"), nullable=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    account: Mapped[Account] = relationship(back_populates="grants")


class AccountToken(Base):
    """A single-use invitation or password-reset link: the signed token carries ``token_id``;
    ``used_at`` makes it single use, ``expires_at`` bounds it (7 days, 1 hour)."""

    __tablename__ = "account_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"), index=True)
    token_id: Mapped[str] = mapped_column(String(64), unique=True)
    purpose: Mapped[str] = mapped_column(String(20))  # "invitation" or "reset"
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime] = mapped_column()
    used_at: Mapped[datetime | None] = mapped_column(nullable=True)


# -- branch control: the hardware control API's devices -------------------------------------------


class ControlDevice(Base):
    """A device (a Stream Deck through Companion, a script) allowed to drive one edition's run of show
    over HTTP. Its bearer token is shown once, at creation; only its SHA-256 is kept."""

    __tablename__ = "control_devices"

    id: Mapped[int] = mapped_column(primary_key=True)
    edition_id: Mapped[int] = mapped_column(ForeignKey("editions.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(60))  # shown on the organiser page and the console
    token_digest: Mapped[str] = mapped_column(String(64), unique=True)  # domain.control.token_digest
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("accounts.id", ondelete="SET NULL"), nullable=True)
    last_used_at: Mapped[datetime | None] = mapped_column(nullable=True)  # its last command (a GET never writes)
    revoked_at: Mapped[datetime | None] = mapped_column(nullable=True)
# -- reviews (branch reviews): several people score the applications (domain/reviews.py) -----------


class ReviewSettings(Base):
    """An edition's review options (no row: the defaults, open review)."""

    __tablename__ = "review_settings"

    edition_id: Mapped[int] = mapped_column(ForeignKey("editions.id", ondelete="CASCADE"), primary_key=True)
    # Blind review: the applicant's identity (domain.reviews.BLIND_FIELDS) is never sent to reviewers.
    blind: Mapped[bool] = mapped_column(Boolean, default=False, server_default=sa.false())


class ReviewCriterion(Base):
    """One criterion an edition's applications are scored on, 0–5 (none stored: the AMI's defaults,
    domain.reviews.DEFAULT_CRITERIA, stored at the edition's first review or settings change)."""

    __tablename__ = "review_criteria"
    __table_args__ = (UniqueConstraint("edition_id", "key", name="uq_review_criteria_edition_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    edition_id: Mapped[int] = mapped_column(ForeignKey("editions.id", ondelete="CASCADE"), index=True)
    key: Mapped[str] = mapped_column(String(12))  # "c1"…, the form's field names; never reused in an edition
    label: Mapped[str] = mapped_column(String(120))
    position: Mapped[int] = mapped_column(Integer)


class Review(Base):
    """One reviewer's review of one application (personal data with it: erased and purged with it)."""

    __tablename__ = "reviews"
    __table_args__ = (UniqueConstraint("application_id", "reviewer_id", name="uq_reviews_application_reviewer"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("applications.id", ondelete="CASCADE"), index=True)
    reviewer_id: Mapped[int] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    scores: Mapped[list["ReviewScore"]] = relationship(cascade="all, delete-orphan", lazy="selectin",
                                                       passive_deletes=True)


class ReviewScore(Base):
    """A review's score (0–5) of one criterion, and its optional comment."""

    __tablename__ = "review_scores"
    __table_args__ = (UniqueConstraint("review_id", "criterion_id", name="uq_review_scores_review_criterion"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    review_id: Mapped[int] = mapped_column(ForeignKey("reviews.id", ondelete="CASCADE"), index=True)
    criterion_id: Mapped[int] = mapped_column(ForeignKey("review_criteria.id", ondelete="CASCADE"), index=True)
    score: Mapped[int] = mapped_column(Integer)
    comment: Mapped[str | None] = mapped_column(Text, nullable=True)


class ReviewAssignment(Base):
    """An application given to a reviewer to score (a reviewer with none scores every application)."""

    __tablename__ = "review_assignments"
    __table_args__ = (UniqueConstraint("application_id", "reviewer_id", name="uq_review_assignments_application_reviewer"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("applications.id", ondelete="CASCADE"), index=True)
    reviewer_id: Mapped[int] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"), index=True)
# -- end of branch reviews
# -- wording: counts kept when personal data is erased -----------------------------------------------


class ErasedRequestCount(Base):
    """How many of a talk's connect requests were erased since (at a person's request or at the end of
    their retention): the report counts them still, without any personal data."""

    __tablename__ = "erased_request_counts"

    talk_id: Mapped[int] = mapped_column(ForeignKey("talks.id", ondelete="CASCADE"), primary_key=True)
    edition_id: Mapped[int] = mapped_column(ForeignKey("editions.id", ondelete="CASCADE"), index=True)
    count: Mapped[int] = mapped_column(Integer, default=0)
