"""The messages told to applicants, as pure rules: the templates, their placeholders, the checks.

A decision (retained, deferred, declined), a reminder to confirm and a reminder to send the slides each have a template per edition, in
French and in English. A template is plain text with placeholders such as ``{prenom}``; ``{{`` and
``}}`` write a brace. A template is checked before it is saved: an unknown placeholder, a lone
brace or a missing personal link is refused, with the field it is in. Values are computed by the
caller (dates in the applicant's language, the link); rendering only replaces names by values,
never evaluates anything (no ``str.format``: ``{0.__class__}`` means nothing here).
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from typing import Mapping

from .shapes import Schema, Text
from .text import N_

# A message's state as the organisers read it (services/outbox adds "in_progress" and "to_check").
STATE_LABELS = {"prepared": N_("préparé"), "in_progress": N_("envoi en cours"), "to_check": N_("à vérifier"),
                "sent": N_("envoyé"), "failed": N_("échec"), "bounced": N_("adresse refusée")}
KIND_LABELS = {"retained": N_("Retenue"), "deferred": N_("Reportée"), "declined": N_("Non retenue"),
               "reminder": N_("Relance"), "slides_reminder": N_("Relance présentation"),
               "digest": N_("Bilan intervenant")}
KINDS = ("retained", "deferred", "declined", "reminder", "slides_reminder", "digest")
DECISION_KINDS = {"retained": "retained", "deferred": "deferred", "declined": "declined"}  # status → kind
LANGUAGES = ("fr", "en")
SUBJECT_MAX_CHARS = 200
BODY_MAX_CHARS = 10_000

# Every placeholder a template may use; the caller gives a value for each.
PLACEHOLDERS = ("prenom", "nom", "titre", "organisation", "edition", "date", "heure", "lieu", "creneau", "format",
                "lien", "date_limite", "limite_supports")
# A message that asks for an answer must carry the personal link that gives it.
REQUIRED = {"retained": ("lien",), "deferred": ("lien",), "reminder": ("lien",), "slides_reminder": ("lien",),
            "declined": (), "digest": ("questions", "contacts")}
# Placeholders only one kind of message has a value for: the speaker's digest after the evening.
KIND_PLACEHOLDERS = {"digest": ("questions", "contacts")}

_TOKEN = re.compile(r"\{\{|\}\}|\{([^{}\n]{0,40})\}|[{}]")


@dataclass(frozen=True)
class TemplateProblem:
    """Why a template field is refused: ``code`` is unknown_placeholder / lone_brace / missing_placeholder."""

    field: str
    code: str
    names: tuple[str, ...] = ()


def problems(field: str, text: str, *, required: tuple[str, ...] = (),
             extra: tuple[str, ...] = ()) -> list[TemplateProblem]:
    """What is wrong with the placeholders of ``text`` (an empty list when nothing is); ``extra``:
    the placeholders only this kind of message knows (``KIND_PLACEHOLDERS``)."""
    unknown: list[str] = []
    used: set[str] = set()
    for match in _TOKEN.finditer(text):
        token = match.group(0)
        if token in ("{{", "}}"):
            continue
        name = match.group(1)
        if name is None:
            return [TemplateProblem(field, "lone_brace")]
        if name in PLACEHOLDERS or name in extra:
            used.add(name)
        elif token not in unknown:
            unknown.append(token)
    found = []
    if unknown:
        found.append(TemplateProblem(field, "unknown_placeholder", tuple(unknown)))
    missing = tuple(f"{{{name}}}" for name in required if name not in used)
    if missing:
        found.append(TemplateProblem(field, "missing_placeholder", missing))
    return found


def check_template(kind: str, subject: str, body: str) -> list[TemplateProblem]:
    """Both fields of a template: the subject may use any placeholder, the body must carry the link
    (a digest's body: its questions and contacts). A placeholder of another kind is unknown here."""
    extra = KIND_PLACEHOLDERS.get(kind, ())
    return problems("subject", subject, extra=extra) + problems("body", body, required=REQUIRED[kind], extra=extra)


def render(text: str, values: Mapping[str, str]) -> str:
    """``text`` with each placeholder replaced by its value (a checked template: no unknown name)."""
    def replace(match: re.Match) -> str:
        token = match.group(0)
        if token == "{{":
            return "{"
        if token == "}}":
            return "}"
        name = match.group(1)
        if name is None or name not in values:
            return token  # not reached for a checked template; kept visible rather than lost
        return values[name]
    return _TOKEN.sub(replace, text)


class MessageText(Schema):
    """A message or a template as the organiser edits it (the placeholders are checked apart:
    ``check_template``, since a message already rendered has none)."""

    subject: Text(SUBJECT_MAX_CHARS) = None
    body: Text(BODY_MAX_CHARS, multiline=True) = None


def language_for(chosen: str | None) -> str:
    """The language of the messages to an applicant: English if they chose it, else French."""
    return "en" if chosen == "en" else "fr"


def first_name(full_name: str) -> str:
    """"Maëlle Inventée" → "Maëlle" (the whole name when it is one word)."""
    words = full_name.split()
    return words[0] if words else full_name


@dataclass(frozen=True)
class Template:
    subject: str
    body: str


DEFAULTS: dict[tuple[str, str], Template] = {
    ("retained", "fr"): Template(
        "Votre intervention est retenue pour le {edition}",
        "Bonjour {prenom},\n\n"
        "Bonne nouvelle : « {titre} » fait partie des interventions retenues pour le {edition}, "
        "le {date} à {heure}, {lieu}.\n\n"
        "Votre passage : {creneau}.\n"
        "Le format : {format}.\n\n"
        "Merci de nous confirmer votre venue avant le {date_limite}, depuis votre espace intervenant. "
        "Vous pourrez y relire ce que le public verra de votre intervention et nous dire ce dont vous avez "
        "besoin sur place :\n{lien}\n\n"
        "Ce lien vous est personnel : merci de ne pas le transférer.\n\n"
        "Au plaisir de vous accueillir,\nL'équipe organisatrice"),
    ("retained", "en"): Template(
        "Your talk is selected for the {edition}",
        "Hello {prenom},\n\n"
        "Good news: \"{titre}\" is one of the talks selected for the {edition}, on {date} at {heure}, {lieu}.\n\n"
        "Your slot: {creneau}.\n"
        "The format: {format}.\n\n"
        "Please confirm that you will come before {date_limite}, from your speaker page. You can also check there "
        "what the audience will see of your talk and tell us what you need on site:\n{lien}\n\n"
        "This link is personal: please do not forward it.\n\n"
        "We look forward to welcoming you,\nThe organising team"),
    ("deferred", "fr"): Template(
        "Votre candidature au {edition} : une prochaine édition ?",
        "Bonjour {prenom},\n\n"
        "Merci pour votre candidature « {titre} ». Elle a retenu notre attention, mais le programme du "
        "{edition} est complet. Nous vous proposons de la présenter lors d'une prochaine édition.\n\n"
        "Dites-nous si vous souhaitez la maintenir pour une prochaine soirée ou la retirer :\n{lien}\n\n"
        "Ce lien vous est personnel : merci de ne pas le transférer.\n\n"
        "Bien cordialement,\nL'équipe organisatrice"),
    ("deferred", "en"): Template(
        "Your application to the {edition}: a later edition?",
        "Hello {prenom},\n\n"
        "Thank you for your application \"{titre}\". We liked it, but the programme of the {edition} is full. "
        "We suggest that you present it at a later edition.\n\n"
        "Tell us whether you wish to keep it for a later evening or withdraw it:\n{lien}\n\n"
        "This link is personal: please do not forward it.\n\n"
        "Kind regards,\nThe organising team"),
    ("declined", "fr"): Template(
        "Votre candidature au {edition}",
        "Bonjour {prenom},\n\n"
        "Merci d'avoir proposé « {titre} » pour le {edition}. Nous avons reçu de nombreuses candidatures "
        "et la vôtre n'a pas été retenue pour cette soirée.\n\n"
        "Vous restez la bienvenue parmi le public le {date} à {heure}, {lieu}, et lors des prochains appels "
        "à candidatures.\n\n"
        "Bien cordialement,\nL'équipe organisatrice"),
    ("declined", "en"): Template(
        "Your application to the {edition}",
        "Hello {prenom},\n\n"
        "Thank you for proposing \"{titre}\" for the {edition}. We received many applications and yours was not "
        "selected for this evening.\n\n"
        "You are welcome in the audience on {date} at {heure}, {lieu}, and in our future calls for "
        "applications.\n\n"
        "Kind regards,\nThe organising team"),
    ("reminder", "fr"): Template(
        "Rappel : confirmez votre venue au {edition}",
        "Bonjour {prenom},\n\n"
        "Le {edition} approche : il a lieu le {date} à {heure}, {lieu}. Nous n'avons pas encore reçu votre "
        "confirmation pour « {titre} » ({creneau}).\n\n"
        "Merci de nous répondre dès que possible, même si vous ne pouvez pas venir :\n{lien}\n\n"
        "Bien cordialement,\nL'équipe organisatrice"),
    ("reminder", "en"): Template(
        "Reminder: confirm your talk at the {edition}",
        "Hello {prenom},\n\n"
        "The {edition} is coming soon: on {date} at {heure}, {lieu}. We have not yet received your confirmation "
        "for \"{titre}\" ({creneau}).\n\n"
        "Please answer as soon as you can, even if you cannot come:\n{lien}\n\n"
        "Kind regards,\nThe organising team"),
    ("slides_reminder", "fr"): Template(
        "Rappel : votre présentation pour le {edition}",
        "Bonjour {prenom},\n\n"
        "Le {edition} approche : il a lieu le {date} à {heure}, {lieu}. Nous n'avons pas encore reçu la "
        "présentation de « {titre} » ({creneau}).\n\n"
        "Merci de la déposer en PDF depuis votre espace intervenant avant le {limite_supports} : elle sera "
        "projetée depuis l'ordinateur de la salle.\n{lien}\n\n"
        "Si vous présentez sans support ou depuis votre ordinateur, dites-le-nous simplement en répondant à ce "
        "message.\n\n"
        "Bien cordialement,\nL'équipe organisatrice"),
    ("slides_reminder", "en"): Template(
        "Reminder: your slides for the {edition}",
        "Hello {prenom},\n\n"
        "The {edition} is coming soon: on {date} at {heure}, {lieu}. We have not yet received the slides for "
        "\"{titre}\" ({creneau}).\n\n"
        "Please upload them as a PDF from your speaker page before {limite_supports}: they will be shown from "
        "the venue's computer.\n{lien}\n\n"
        "If you present without slides or from your own laptop, just tell us by answering this message.\n\n"
        "Kind regards,\nThe organising team"),
}


# -- the speaker's digest, after the evening (branch digest) ----------------------------------------
# Each talk with a contact address gets one digest: the audience's questions to it and the people who
# asked to meet its team. Prepared on an organiser's click, never before the evening is over.

# The questions the room saw (published, and answered on stage); pending and rejected ones stay out.
DIGEST_QUESTION_STATUSES = ("published", "answered")
# A connect request the organisers closed without follow-up is not passed on.
DIGEST_LEFT_OUT_REQUESTS = ("no_follow_up",)


def digest_open(*, show_ended: bool, evening_ends_at: datetime, now: datetime) -> bool:
    """Digests are prepared only after the evening: its show reached its end, or its planned end has
    passed (an evening run without the console, or one not played to its last screen)."""
    return show_ended or now >= evening_ends_at


def question_in_digest(status: str) -> bool:
    return status in DIGEST_QUESTION_STATUSES


def contact_in_digest(*, consent_text: str | None, consented_at: datetime | None, status: str) -> bool:
    """A requester's details go to the team only with the consent they gave (the stored sentence names
    that team) and while the organisers have not closed the request."""
    return bool(consent_text) and consented_at is not None and status not in DIGEST_LEFT_OUT_REQUESTS


def digest_action(*, unsent: bool, sent: bool, again: bool) -> str:
    """What preparing does for one talk: ``rewrite`` its digest not yet sent (it never left), ``skip``
    a talk whose digest was sent or is being sent (unless asked ``again``), else ``create`` one."""
    if unsent:
        return "rewrite"
    if sent and not again:
        return "skip"
    return "create"


DEFAULTS.update({
    ("digest", "fr"): Template(
        "Votre bilan du {edition} : questions du public et contacts",
        "Bonjour {prenom},\n\n"
        "Merci encore pour « {titre} » au {edition}, le {date}, {lieu}.\n\n"
        "Les questions que le public vous a posées :\n{questions}\n\n"
        "Les personnes qui souhaitent échanger avec vous et ont accepté que leurs coordonnées vous soient "
        "transmises :\n{contacts}\n\n"
        "N'hésitez pas à les contacter directement. Ces coordonnées ne vous sont confiées que pour cet échange : "
        "merci de ne pas les utiliser à d'autres fins.\n\n"
        "Bien cordialement,\nL'équipe organisatrice"),
    ("digest", "en"): Template(
        "Your summary of the {edition}: audience questions and contacts",
        "Hello {prenom},\n\n"
        "Thank you again for \"{titre}\" at the {edition}, on {date}, {lieu}.\n\n"
        "The questions the audience asked you:\n{questions}\n\n"
        "The people who wish to talk with you and agreed that their details be passed on to you:\n{contacts}\n\n"
        "Feel free to contact them directly. These details are given to you for this exchange only: please do "
        "not use them for anything else.\n\n"
        "Kind regards,\nThe organising team"),
})
