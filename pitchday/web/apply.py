"""The public application form of an open edition ("dossier de candidature").

A real HTML form that works without JavaScript; the script only hides the part of the proposal
that does not belong to the chosen kind of talk and counts the description's lines. The
application is stored before the confirmation is shown, once per form (a hidden client id),
and the confirmation's address carries the reference signed, so that nobody can read another
applicant's confirmation by guessing.
"""
from __future__ import annotations

import uuid
from datetime import datetime, timezone

from flask import Blueprint, abort, current_app, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from flask_wtf.csrf import CSRFError
from itsdangerous import BadSignature, URLSafeSerializer
from werkzeug.exceptions import NotFound

from ..domain import applications as applicant_rules
from ..domain import selection
from ..domain.applications import (ALWAYS_REQUIRED, APPLICANT_TYPES, BY_NAME, DESCRIPTION_MAX_LINES, REQUIRED_BY_KIND,
                                   TALK_KINDS)
from ..domain.shapes import is_request_id
from ..extensions import db
from ..services import application_form, editions
from .i18n import field_error, plain, rate_limited
from .unit import by_method

bp = Blueprint("apply", __name__)

FORM_FIELDS = tuple(BY_NAME)

# The form's wording, close to the MEL's call for applications (also used by the organiser's pages).
FIELD_LABELS = {
    "reference": _l("Référence"),
    "recu_le": _l("Reçue le"),
    "project_name": _l("Nom du projet"),
    "organisation": _l("Nom de la structure"),
    "applicant_type": _l("Vous êtes"),
    "applicant_type_detail": _l("Précisez"),
    "address": _l("Adresse"),
    "website": _l("Site internet"),
    "referent_name": _l("Nom et prénom du référent du projet"),
    "referent_role": _l("Fonction du référent"),
    "referent_phone": _l("Téléphone du référent"),
    "referent_email": _l("E-mail du référent"),
    "talk_kind": _l("Type de présentation"),
    "description": _l("Description et objectif du projet"),
    "situation": _l("Où en êtes-vous ?"),
    "exp_what_why": _l("Que souhaitez-vous expérimenter, et pourquoi ?"),
    "exp_site": _l("Sur quel terrain ?"),
    "exp_target": _l("Pour quel public cible ?"),
    "needs": _l("De quoi avez-vous besoin pour cette expérimentation ?"),
    "fb_positive": _l("Qu'est-ce qui a bien fonctionné ?"),
    "fb_negative": _l("Qu'est-ce qui a moins bien fonctionné ?"),
    "fb_advice": _l("Quels conseils donneriez-vous à qui voudrait se lancer ?"),
    "fb_next": _l("Quelles suites envisagez-vous ?"),
}
FIELD_HINTS = {
    "organisation": _l("Entreprise, commune, association, laboratoire… qui porte le projet."),
    "address": _l("Adresse postale de la structure."),
    "website": _l("Par exemple : https://exemple.fr"),
    "referent_phone": _l("Par exemple : 03 20 00 00 00"),
    "description": _l("%(max)d lignes au maximum.", max=DESCRIPTION_MAX_LINES),
    "situation": _l("Pour une solution : son état commercial (prototype, premiers clients…). Pour un besoin : "
                    "son échéance. Pour un retour d'expérience : les dates de l'expérimentation."),
    "exp_site": _l("Lieu, équipement ou territoire où mener l'expérimentation."),
    "needs": _l("Accès à un site, données, partenaires, financement…"),
}
APPLICANT_TYPE_LABELS = {code: _l(label) for code, label in applicant_rules.APPLICANT_TYPE_LABELS.items()}
TALK_KIND_LABELS = editions.KIND_LABELS
TALK_KIND_HINTS = {
    "solution": _l("Vous présentez une solution numérique innovante, non encore industrialisée, à expérimenter."),
    "besoin": _l("Vous exprimez un besoin : vous souhaitez expérimenter et cherchez des solutions, des "
                 "partenaires, un terrain."),
    "retour_experience": _l("Vous partagez le retour d'une expérimentation menée ou en cours."),
}
# Marked "obligatoire" on the form: what the rules require, whatever the kind of talk chosen.
REQUIRED = set(ALWAYS_REQUIRED).union(*REQUIRED_BY_KIND.values())


def labels() -> dict:
    """Every label of the dossier in the request's language (plain strings: autoescaped in templates)."""
    return {
        "fields": {name: str(label) for name, label in FIELD_LABELS.items()},
        "hints": {name: str(hint) for name, hint in FIELD_HINTS.items()},
        "applicant_types": [(code, str(APPLICANT_TYPE_LABELS[code])) for code in APPLICANT_TYPES],
        "talk_kinds": [(code, str(TALK_KIND_LABELS[code]), str(TALK_KIND_HINTS[code])) for code in TALK_KINDS],
        "applicant_type": plain(APPLICANT_TYPE_LABELS),
        "talk_kind": plain(TALK_KIND_LABELS),
    }


def spoken_length(ms: int) -> str:
    """A talk's length as the call words it: "5 minutes", "4 min 30 s", "45 secondes"."""
    minutes, seconds = divmod(ms // 1000, 60)
    if not seconds:
        return ngettext("%(num)d minute", "%(num)d minutes", minutes)
    if not minutes:
        return ngettext("%(num)d seconde", "%(num)d secondes", seconds)
    return _("%(minutes)d min %(seconds)02d s", minutes=minutes, seconds=seconds)


def _error_summary(errors: dict) -> list[dict]:
    """The summary's entries in the form's order, each linking to its field (a choice: its first option)."""
    first_option = {"applicant_type": f"applicant_type-{APPLICANT_TYPES[0]}", "talk_kind": f"talk_kind-{TALK_KINDS[0]}"}
    return [{"target": first_option.get(name, name), "label": str(FIELD_LABELS[name]), "message": errors[name]}
            for name in FORM_FIELDS if errors.get(name)]


def _signer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt="application-confirmation")


def _edition_with_form(slug: str):
    """The edition and whether its form is open now, or None when it has no public form."""
    found = editions.edition_by_slug(slug)
    if found is None or found.applications_close_at is None:
        return None
    return found, selection.form_is_open(found.applications_close_at, datetime.now(timezone.utc))


def _open_edition(slug: str):
    found = _edition_with_form(slug)
    if found is None:
        abort(404)
    return found


def _closed(edition, status: int):
    return render_template("apply/closed.html", edition=edition), status


def _render_form(edition, values: dict, errors: dict, status: int = 200, notice: str | None = None):
    return render_template(
        "apply/form.html", edition=edition, values=values, errors=errors, notice=notice, labels=labels(),
        required=REQUIRED, max_chars={name: f.max_chars for name, f in BY_NAME.items()},
        description_max_lines=DESCRIPTION_MAX_LINES, view="apply", error_summary=_error_summary(errors),
        pitch_length=spoken_length(edition.pitch_ms), qa_length=spoken_length(edition.qa_ms),
        i18n={"lines": _("{count}/{max} lignes")},
    ), status


def _posted_values() -> dict:
    values = {name: request.form.get(name, "")[:BY_NAME[name].max_chars * 2] for name in FORM_FIELDS}
    client_id = request.form.get("client_id", "")
    # Without a usable id the form cannot be recognised if sent again: it is still stored (once here).
    values["client_id"] = client_id if is_request_id(client_id) else str(uuid.uuid4())
    return values


@bp.route("/e/<slug>/candidater", methods=["GET", "POST"])
@by_method
def form(slug: str):
    edition, is_open = _open_edition(slug)
    if not is_open:
        return _closed(edition, 200 if request.method == "GET" else 403)
    if request.method == "GET":
        return _render_form(edition, {name: "" for name in FORM_FIELDS} | {"client_id": str(uuid.uuid4())}, {})
    values = _posted_values()
    result = application_form.submit_form(edition.id, values, client_id=values["client_id"], address=request.remote_addr,
                                          language=str(get_locale()))
    if result.outcome == "closed":
        return _closed(edition, 403)
    if result.outcome == "rate_limited":
        return _render_form(edition, values, {}, 429, notice=rate_limited(result.retry_after_s))
    if result.outcome == "invalid":
        errors = {e.field: field_error(e.code, e.limit) for e in result.errors}
        return _render_form(edition, values, errors, 400)
    token = _signer().dumps({"e": edition.id, "r": result.reference})
    return redirect(url_for(".confirmation", slug=slug, token=token), code=303)


@bp.errorhandler(CSRFError)
@db.read()  # the CSRF check runs before the view, outside its unit of work
def stale_form(_error):
    """A form left open for hours (its CSRF token expired): keep what was typed, ask to send again."""
    found = _edition_with_form(request.view_args["slug"]) if request.endpoint == "apply.form" else None
    if found is None:
        return NotFound()
    edition, is_open = found
    if not is_open:
        return _closed(edition, 403)
    return _render_form(edition, _posted_values(), {}, 400, notice=_(
        "La page est restée ouverte longtemps : rien n'a encore été envoyé. Vérifiez puis renvoyez le formulaire."))


@bp.get("/e/<slug>/candidater/confirmation/<token>")
@db.read()
def confirmation(slug: str, token: str):
    found = editions.edition_by_slug(slug)
    try:
        signed = _signer().loads(token) if len(token) < 300 else None
    except BadSignature:
        signed = None
    if found is None or not isinstance(signed, dict) or signed.get("e") != found.id:
        abort(404)
    application = application_form.confirmation(str(signed.get("r")))
    if application is None:
        abort(404)
    response = current_app.make_response(render_template(
        "apply/confirmation.html", edition=editions.get_edition(found.id), application=application))
    response.headers["Cache-Control"] = "no-store"
    return response
