"""The "dossier de candidature" as pure rules: its fields, their limits, and the CSV that carries them.

One set of rules for the public form, the CSV import and the organiser's edits. The proposal
part depends on the kind of talk: an experimentation proposal for a solution or a need, the
experience-feedback questions for a feedback talk; the other part is dropped, not stored.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Mapping
from urllib.parse import urlsplit

from pydantic import ValidationInfo

from .editions import PARIS
from .sheets import FileRefused, Table, fold, records  # noqa: F401 (FileRefused: the imports catch it from here)
from .shapes import Choice, Email, Phone, Schema, Text, field
from .text import InvalidField, N_, clean_text

APPLICANT_TYPES = ("commune", "entreprise", "association", "acteur_academique", "autre")
TALK_KINDS = ("solution", "besoin", "retour_experience")
# What every page, screen and export calls each kind of talk (one set of words, translated where shown).
TALK_KIND_LABELS = {"solution": N_("Pitch projet"), "besoin": N_("Pitch inversé"),
                    "retour_experience": N_("Retour d'expérience")}
APPLICANT_TYPE_LABELS = {"commune": N_("Une commune"), "entreprise": N_("Une entreprise"),
                         "association": N_("Une association"), "acteur_academique": N_("Un acteur académique"),
                         "autre": N_("Autre (précisez)")}
STATUS_LABELS = {"received": N_("À l'étude"), "retained": N_("Retenue"), "deferred": N_("Reportée"),
                 "declined": N_("Non retenue")}
STATUSES = ("received", "retained", "deferred", "declined")
DESCRIPTION_MAX_LINES = 15
EXPERIMENT_FIELDS = ("exp_what_why", "exp_site", "exp_target", "needs")
FEEDBACK_FIELDS = ("fb_positive", "fb_negative", "fb_advice", "fb_next")


@dataclass(frozen=True)
class Field:
    name: str
    csv: str  # column of the MEL's spreadsheet (a fictional sample: pitchday/data/candidatures-qualite-air.csv)
    max_chars: int
    multiline: bool = False


FIELDS = (
    Field("project_name", "nom_projet", 200),
    Field("organisation", "structure", 200),  # optional column: the MEL's sheet has none
    Field("applicant_type", "type_porteur", 30),
    Field("applicant_type_detail", "type_porteur_precision", 200),
    Field("address", "adresse", 500, multiline=True),
    Field("website", "site_internet", 300),
    Field("referent_name", "referent_nom", 120),
    Field("referent_role", "referent_fonction", 120),
    Field("referent_phone", "referent_telephone", 30),
    Field("referent_email", "referent_email", 254),
    Field("talk_kind", "type_presentation", 30),
    Field("description", "description", 2000, multiline=True),
    Field("situation", "situation", 1000, multiline=True),
    Field("exp_what_why", "experimentation_quoi_pourquoi", 1500, multiline=True),
    Field("exp_site", "experimentation_terrain", 1000, multiline=True),
    Field("exp_target", "experimentation_cible", 1000, multiline=True),
    Field("needs", "besoins", 1500, multiline=True),
    Field("fb_positive", "retour_positif", 1500, multiline=True),
    Field("fb_negative", "retour_negatif", 1500, multiline=True),
    Field("fb_advice", "retour_conseils", 1500, multiline=True),
    Field("fb_next", "retour_poursuites", 1500, multiline=True),
)
BY_NAME = {f.name: f for f in FIELDS}
CSV_COLUMNS = ("reference", "recu_le") + tuple(f.csv for f in FIELDS)
REQUIRED_CSV_COLUMNS = tuple(c for c in CSV_COLUMNS if c != "structure")

ALWAYS_REQUIRED = ("project_name", "applicant_type", "address", "referent_name", "referent_role",
                   "referent_email", "talk_kind", "description", "situation")
REQUIRED_BY_KIND = {
    "solution": ("exp_what_why", "exp_site", "exp_target"),
    "besoin": ("exp_what_why", "exp_site", "exp_target"),
    "retour_experience": ("fb_positive", "fb_negative", "fb_advice"),
}


def _text(name: str, *, required: bool = True) -> Any:
    spec = BY_NAME[name]
    return Text(spec.max_chars, required=required, multiline=spec.multiline)


def _website(value: Any) -> str | None:
    url = clean_text(value, field="website", max_chars=BY_NAME["website"].max_chars, required=False)
    if url is None:
        return None
    if "://" not in url:
        url = "https://" + url  # "capteurecole.example.org" is what people type
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or "." not in parts.netloc or " " in url:
        raise InvalidField("website", "invalid_url")
    return url


def _description(value: Any) -> str:
    spec = BY_NAME["description"]
    text = clean_text(value, field="description", max_chars=spec.max_chars, multiline=True)
    if text.count("\n") + 1 > DESCRIPTION_MAX_LINES:
        raise InvalidField("description", "too_many_lines", DESCRIPTION_MAX_LINES)
    return text


def _detail(value: Any, info: ValidationInfo) -> str | None:
    """Required for "autre", dropped for any other type (kept when the type itself is wrong)."""
    applicant_type = info.data.get("applicant_type")
    text = clean_text(value, field="applicant_type_detail", max_chars=BY_NAME["applicant_type_detail"].max_chars,
                      required=applicant_type == "autre")
    return text if applicant_type in (None, "autre") else None


def _proposal(name: str) -> Any:
    """A part of the proposal: the kind of talk says whether it is asked for, and whether it is required."""
    spec = BY_NAME[name]

    def check(value: Any, info: ValidationInfo) -> str | None:
        kind = info.data.get("talk_kind")
        wanted = FEEDBACK_FIELDS if kind == "retour_experience" else EXPERIMENT_FIELDS if kind else ()
        if name not in wanted:
            return None  # the other part of the proposal is dropped, not stored
        return clean_text(value, field=name, max_chars=spec.max_chars, required=name in REQUIRED_BY_KIND[kind],
                          multiline=spec.multiline)

    return field(check, {"type": "string", "maxLength": spec.max_chars,
                         "description": "asked for by the kind of talk (talk_kind)"}, required=False, with_info=True)


class ApplicationForm(Schema):
    """The dossier: the public form, a row of the CSV import, the organiser's copy. Fields in checking order:
    the type and the kind come before the fields that depend on them."""

    project_name: _text("project_name") = None
    organisation: _text("organisation", required=False) = None
    applicant_type: Choice(APPLICANT_TYPES, max_chars=BY_NAME["applicant_type"].max_chars) = None
    address: _text("address") = None
    website: field(_website, {"type": "string", "maxLength": BY_NAME["website"].max_chars}, required=False) = None
    referent_name: _text("referent_name") = None
    referent_role: _text("referent_role") = None
    referent_phone: Phone() = None
    referent_email: Email(BY_NAME["referent_email"].max_chars) = None
    talk_kind: Choice(TALK_KINDS, max_chars=BY_NAME["talk_kind"].max_chars) = None
    description: field(_description, {"type": "string", "maxLength": BY_NAME["description"].max_chars},
                       required=True) = None
    situation: _text("situation") = None
    applicant_type_detail: field(_detail, {"type": "string", "maxLength": BY_NAME["applicant_type_detail"].max_chars,
                                           "description": "required when applicant_type is autre"},
                                 required=False, with_info=True) = None
    exp_what_why: _proposal("exp_what_why") = None
    exp_site: _proposal("exp_site") = None
    exp_target: _proposal("exp_target") = None
    needs: _proposal("needs") = None
    fb_positive: _proposal("fb_positive") = None
    fb_negative: _proposal("fb_negative") = None
    fb_advice: _proposal("fb_advice") = None
    fb_next: _proposal("fb_next") = None


def validate(values: Mapping[str, Any]) -> tuple[dict[str, Any], list[InvalidField]]:
    """Every field checked at once: ``(clean values, errors)``; the clean values are complete only without errors.

    The part of the proposal that does not belong to the kind of talk is set to None.
    """
    form, errors = ApplicationForm.fields_of(values)
    return (ApplicationForm.partial(values), errors) if form is None else (form.model_dump(), [])


# -- the labels people use: the interface's own words (fr, en), read back from a spreadsheet -------------
# The organiser's pages and the form show these (web/apply.py, web/organiser/applications.py translate
# the French; tests/integration/test_import.py checks both languages still match these tables).

COLUMN_LABELS: dict[str, tuple[str, ...]] = {
    "reference": ("Référence", "Reference", "Réf."),
    "recu_le": ("Reçue le", "Received", "Reçu le", "Date de réception", "Date"),
    "nom_projet": ("Nom du projet", "Project name", "Projet"),
    "structure": ("Nom de la structure", "Organisation name", "Structure", "Organisation", "Entreprise"),
    "type_porteur": ("Vous êtes", "You are", "Type de porteur"),
    "type_porteur_precision": ("Précisez", "Please specify"),
    "adresse": ("Adresse", "Address"),
    "site_internet": ("Site internet", "Website", "Site web"),
    "referent_nom": ("Nom et prénom du référent du projet", "Full name of the project contact", "Référent"),
    "referent_fonction": ("Fonction du référent", "Contact's job title"),
    "referent_telephone": ("Téléphone du référent", "Contact's phone", "Téléphone"),
    "referent_email": ("E-mail du référent", "Contact's e-mail", "E-mail", "Courriel"),
    "type_presentation": ("Type de présentation", "Type of presentation"),
    "description": ("Description et objectif du projet", "Project description and goal"),
    "situation": ("Où en êtes-vous ?", "What stage are you at?"),
    "experimentation_quoi_pourquoi": ("Que souhaitez-vous expérimenter, et pourquoi ?",
                                      "What would you like to experiment with, and why?"),
    "experimentation_terrain": ("Sur quel terrain ?", "On which site?"),
    "experimentation_cible": ("Pour quel public cible ?", "For which target audience?"),
    "besoins": ("De quoi avez-vous besoin pour cette expérimentation ?", "What do you need for this experiment?"),
    "retour_positif": ("Qu'est-ce qui a bien fonctionné ?", "What worked well?"),
    "retour_negatif": ("Qu'est-ce qui a moins bien fonctionné ?", "What worked less well?"),
    "retour_conseils": ("Quels conseils donneriez-vous à qui voudrait se lancer ?",
                        "What advice would you give to someone who wants to get started?"),
    "retour_poursuites": ("Quelles suites envisagez-vous ?", "What next steps do you have in mind?"),
}
# The words shown for each choice: the form's ("Une entreprise"), the lists' ("Entreprise"), in fr and en.
CHOICE_LABELS: dict[str, dict[str, tuple[str, ...]]] = {
    "applicant_type": {
        "commune": ("Une commune", "Commune", "A municipality", "Municipality"),
        "entreprise": ("Une entreprise", "Entreprise", "A company", "Company"),
        "association": ("Une association", "Association", "An association"),
        "acteur_academique": ("Un acteur académique", "Acteur académique", "An academic institution",
                              "Academic institution"),
        "autre": ("Autre (précisez)", "Autre", "Other (please specify)", "Other"),
    },
    "talk_kind": {
        "solution": ("Pitch projet", "Solution", "Project pitch"),
        "besoin": ("Pitch inversé", "Besoin", "Reverse pitch"),
        "retour_experience": ("Retour d'expérience", "Experience feedback"),
    },
}
_CHOICE_OF_WORD = {name: {fold(word): code for code, words in table.items() for word in (code, *words)}
                   for name, table in CHOICE_LABELS.items()}


def from_csv_row(row: Mapping[str, str]) -> dict[str, str]:
    """The form's field names from a spreadsheet row (absent optional columns read as empty); a choice given
    by its label ("Entreprise", "Pitch projet") reads as its code."""
    values = {f.name: row.get(f.csv) or "" for f in FIELDS}
    for name, words in _CHOICE_OF_WORD.items():
        values[name] = words.get(fold(values[name]), values[name])
    return values


_FRENCH_MOMENT = re.compile(r"(\d{1,2})/(\d{1,2})/(\d{4})(?:\s+(\d{1,2})[:hH](\d{2})(?::(\d{2}))?)?")


def parse_received_at(value: Any) -> datetime:
    """When an application was received (the spreadsheet's ``recu_le``): an ISO 8601 moment with its
    offset, or as French people type it, ``10/12/2026 14:32`` or ``10/12/2026`` (Paris time; a day alone
    is its midnight)."""
    if not isinstance(value, str) or not value.strip():
        raise InvalidField("recu_le", "required")
    text = value.strip()
    french = _FRENCH_MOMENT.fullmatch(text)
    if french:
        day, month, year, hour, minute, second = (int(part) if part else 0 for part in french.groups())
        try:
            moment = datetime(year, month, day, hour, minute, second)
        except ValueError:
            raise InvalidField("recu_le", "invalid_datetime") from None
        return _paris_moment(moment)
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise InvalidField("recu_le", "invalid_datetime") from None
    if moment.tzinfo is None:
        raise InvalidField("recu_le", "invalid_datetime")  # without an offset the moment is ambiguous
    return moment


def _paris_moment(moment: datetime) -> datetime:
    """A wall-clock time in Paris as a moment (the earlier one in the autumn's repeated hour)."""
    return moment.replace(tzinfo=PARIS)


def is_late(received_at: datetime, deadline: datetime | None) -> bool:
    return deadline is not None and received_at > deadline


# -- the spreadsheet ---------------------------------------------------------------------------------

MAX_ROWS = 1000
REFERENCE_CHARS = set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")


@dataclass(frozen=True)
class Row:
    """One application of the file: its clean values, or why it cannot be imported."""

    line: int  # where the row starts in the file (the header is line 1; cells may span lines)
    reference: str | None
    received_at: datetime | None
    values: dict[str, Any]
    errors: tuple[InvalidField, ...]

    @property
    def valid(self) -> bool:
        return not self.errors


def _reference(value: Any) -> str:
    text = clean_text(value, field="reference", max_chars=30)
    if not set(text) <= REFERENCE_CHARS:
        raise InvalidField("reference", "invalid_reference")
    return text


class RowHead(Schema):
    """What a spreadsheet row has besides the dossier: its reference and when it was received."""

    reference: field(_reference, {"type": "string", "pattern": "^[A-Za-z0-9_-]{1,30}$"}, required=True) = None
    recu_le: field(parse_received_at, {"type": "string", "format": "date-time"}, required=True,
                   python_type=datetime) = None


def parse_table(table: Table) -> list[Row]:
    """Every row of an applications sheet (read by ``services.spreadsheets``), each valid or with its errors;
    ``FileRefused`` when a column is missing. Columns are found by their code or their label (``COLUMN_LABELS``)."""
    rows: list[Row] = []
    seen: set[str] = set()
    for start, record in records(table, REQUIRED_CSV_COLUMNS, aliases=COLUMN_LABELS):
        _head, errors = RowHead.fields_of(record)
        head = RowHead.partial(record)
        reference, received_at = head.get("reference"), head.get("recu_le")
        if reference is not None:
            if reference in seen:
                errors.append(InvalidField("reference", "duplicate_in_file"))
            seen.add(reference)
        values, invalid = validate(from_csv_row(record))
        rows.append(Row(start, reference, received_at, values, tuple(errors + invalid)))
    return rows
