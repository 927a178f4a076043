"""Applications of an edition: the review list, a dossier, decisions, the CSV import, the running order."""
from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext

from ...domain import applications as application_rules
from ...domain import selection
from ...domain.applications import (APPLICANT_TYPES, CHOICE_LABELS, COLUMN_LABELS, CSV_COLUMNS, MAX_ROWS,
                                    REQUIRED_CSV_COLUMNS, STATUSES, TALK_KINDS, FileRefused)
from ...domain.forms import ITEM_KINDS, RundownItem, TalkCorrection
from ...domain.shapes import Refused
from ...extensions import db
from ...services import application_import, review
from ...services import programme as programme_service
from ..apply import labels
from ..i18n import ITEM_KIND_LABELS, field_error, plain
from ..unit import by_method
from . import bp, requires
from .auth import may
from .editions import edition_or_404
from .report import XLSX_MIMETYPE, download

STATUS_LABELS = {code: _l(label) for code, label in application_rules.STATUS_LABELS.items()}
DECISION_DONE = {
    "retained": _l("Candidature retenue : elle est ajoutée à la fin du programme."),
    "deferred": _l("Candidature reportée : elle rejoindra la prochaine édition dès sa création."),
    "declined": _l("Candidature non retenue."),
    "received": _l("Candidature remise à l'étude."),
}
# What the applicant is, as the organiser reads it in a list (the form asks "Vous êtes : une commune…").
APPLICANT_KINDS = {
    "commune": _l("Commune"),
    "entreprise": _l("Entreprise"),
    "association": _l("Association"),
    "acteur_academique": _l("Acteur académique"),
    "autre": _l("Autre"),
}
EVENING_STARTED = _l("La soirée a commencé : changez l'ordre depuis la régie.")


def _labels() -> dict:
    return labels() | {"status": plain(STATUS_LABELS),
                       "applicant_kind": plain(APPLICANT_KINDS), "item_kind": plain(ITEM_KIND_LABELS),
                       "applicant_kinds": [(code, str(APPLICANT_KINDS[code])) for code in APPLICANT_TYPES]}


def _over_retained(retained: int, wanted: int) -> str | None:
    if not selection.over_retained(retained, wanted):
        return None
    return ngettext("%(retained)d retenues pour %(num)d souhaitée", "%(retained)d retenues pour %(num)d souhaitées",
                    wanted, retained=retained)


def _row_id(text: str) -> int | None:
    """An id typed in a form field: digits that fit the database's integer, or None."""
    return int(text) if text.isdigit() and len(text) <= 9 else None


def _choice(name: str, allowed: tuple[str, ...]) -> str | None:
    value = request.args.get(name, "")
    return value if value in allowed else None


def _render_list(edition, *, selected: frozenset[int] = frozenset(), bulk_error: str | None = None,
                 status: int = 200):
    filters = {"talk_kind": _choice("talk_kind", TALK_KINDS), "applicant_type": _choice("applicant_type", APPLICANT_TYPES),
               "status": _choice("status", STATUSES)}
    found = review.pool(edition.id, **filters)
    return render_template("organiser/applications/list.html", edition=edition, pool=found, filters=filters,
                           labels=_labels(), statuses=STATUSES, selected=selected, bulk_error=bulk_error,
                           warning=_over_retained(found.by_status.get("retained", 0), edition.talks_wanted)), status


@bp.get("/editions/<int:edition_id>/applications")
@requires("applications.read")
@db.read()
def applications(edition_id: int):
    edition = edition_or_404(edition_id)
    if not may("applications.decide", edition_id):
        # A reviewer's list is the review list: their applications only, as blind review shows them.
        return redirect(url_for(".reviews_page", edition_id=edition_id), code=303)
    return _render_list(edition)


def _bulk_done(decision: str, count: int) -> str:
    if decision == "retain":
        return ngettext("%(num)d candidature retenue : elle est ajoutée à la fin du programme.",
                        "%(num)d candidatures retenues : elles sont ajoutées à la fin du programme.", count)
    if decision == "defer":
        return ngettext("%(num)d candidature reportée : elle rejoindra la prochaine édition dès sa création.",
                        "%(num)d candidatures reportées : elles rejoindront la prochaine édition dès sa création.",
                        count)
    return ngettext("%(num)d candidature non retenue.", "%(num)d candidatures non retenues.", count)


@bp.post("/editions/<int:edition_id>/applications/bulk")
@requires("applications.decide")
@db.write()
def bulk_decision(edition_id: int):
    """The same decision for every checked application of the list, all of them or none; each one
    prepares its applicant's message in the outbox, as a single decision does."""
    edition = edition_or_404(edition_id)
    chosen = request.form.getlist("application_id")[: programme_service.MAX_BULK + 1]
    ids = [_row_id(text) for text in chosen]
    if None in ids or len(ids) > programme_service.MAX_BULK:
        abort(400)
    decision = request.form.get("decision", "")
    if decision not in selection.BULK_DECISIONS:
        abort(400)
    if not ids:
        return _render_list(edition, bulk_error=_("Cochez d'abord les candidatures à décider."), status=400)
    try:
        decided = programme_service.decide_applications(edition_id, ids, decision)
    except programme_service.EveningStarted:
        return _render_list(edition, selected=frozenset(ids), bulk_error=str(EVENING_STARTED), status=409)
    except programme_service.NotFound:
        abort(404)
    flash(_bulk_done(decision, len(decided)))
    return redirect(url_for(".applications", edition_id=edition_id), code=303)


def _render_dossier(edition, found, *, error: str | None = None, status: int = 200, review: dict | None = None):
    from .reviews import review_context

    # The review part decides what this person may see of the application (blind review, scope).
    review = review or review_context(edition.id, found.application)
    return render_template("organiser/applications/dossier.html", edition=edition, dossier=found,
                           application=review["shown"], labels=_labels(), error=error, **review), status


@bp.route("/editions/<int:edition_id>/applications/<int:application_id>", methods=["GET", "POST"])
@requires("applications.read", write="applications.decide")
@by_method
def application(edition_id: int, application_id: int):
    edition = edition_or_404(edition_id)
    found = review.dossier(edition_id, application_id)
    if found is None:
        abort(404)
    if request.method == "GET":
        return _render_dossier(edition, found)
    decision = request.form.get("decision", "")
    target = request.form.get("target", "").strip()
    try:
        if decision == "defer" and target and _row_id(target) is None:
            raise ValueError(target)
        decided = programme_service.decide_application(
            edition_id, application_id, decision,
            target_edition_id=_row_id(target) if decision == "defer" and target else None)
    except programme_service.EveningStarted:
        return _render_dossier(edition, found, error=str(EVENING_STARTED), status=409)
    except programme_service.NotFound:
        abort(404)
    except ValueError:
        return _render_dossier(edition, found, error=_("Décision inconnue ou édition cible invalide."), status=400)
    if decided.moved_to is not None:
        flash(_("Candidature reportée à « %(title)s » : elle est maintenant dans ses candidatures.",
                title=decided.moved_to.title))
        return redirect(url_for(".applications", edition_id=edition_id), code=303)
    flash(str(DECISION_DONE[decided.status]))
    return redirect(url_for(".application", edition_id=edition_id, application_id=application_id), code=303)


# -- the running order ----------------------------------------------------------------------------

def _render_programme(edition, *, values=None, errors=None, error: str | None = None, status: int = 200):
    found = programme_service.running_order(edition.id)
    values = values or {}
    return render_template(
        "organiser/applications/programme.html", edition=edition, programme=found, labels=_labels(),
        values={t.id: values.get(t.id) or (programme_service.item_values(t) if not t.is_talk else
                                           {name: getattr(t, name) for name in programme_service.TALK_FIELDS})
                for t in found.talks},
        new_item=values.get("new") or {"title": "", "item_kind": "welcome", "speaker": "", "duration": "", "note": ""},
        item_kinds=[(code, str(ITEM_KIND_LABELS[code])) for code in ITEM_KINDS],
        errors=errors or {}, error=error, warning=_over_retained(found.retained, edition.talks_wanted)), status


@bp.route("/editions/<int:edition_id>/programme", methods=["GET", "POST"])
@requires("programme")
@by_method
def programme(edition_id: int):
    edition = edition_or_404(edition_id)
    if request.method == "GET":
        return _render_programme(edition)
    action, talk_id = request.form.get("action", ""), _row_id(request.form.get("talk_id", ""))
    if action in ("item_add", "item_save"):
        return _save_item(edition, None if action == "item_add" else talk_id)
    if talk_id is None or action not in ("up", "down", "save", "item_delete"):
        abort(400)
    try:
        if action == "item_delete":
            programme_service.delete_item(edition_id, talk_id)
            flash(_("Séquence retirée du programme."))
            return redirect(url_for(".programme", edition_id=edition_id) + "#programme", code=303)
        if action == "save":
            values = {name: request.form.get(name, "")[:1000] for name in programme_service.TALK_FIELDS}
            try:
                programme_service.update_talk(edition_id, talk_id, TalkCorrection.parse(values))
            except Refused as refused:
                return _render_programme(edition, values={talk_id: values}, status=400, errors={
                    talk_id: {e.field: field_error(e.code, e.limit) for e in refused.errors}})
            flash(_("Intervention modifiée."))
        else:
            programme_service.move_talk(edition_id, talk_id, action)
            flash(_("Ordre de passage modifié."))
    except programme_service.EveningStarted:
        return _render_programme(edition, error=str(EVENING_STARTED), status=409)
    except programme_service.NotFound:
        abort(404)
    return redirect(url_for(".programme", edition_id=edition_id) + f"#talk-{talk_id}", code=303)


def _save_item(edition, item_id: int | None):
    """Add an item of the rundown (``item_id`` None) or change one; a refused form is shown again."""
    key = "new" if item_id is None else item_id
    if key != "new" and item_id is None:
        abort(400)
    values = {name: request.form.get(name, "")[:1000] for name in programme_service.ITEM_FIELDS}
    try:
        parsed = RundownItem.parse(values)
        if item_id is None:
            item_id = programme_service.add_item(edition.id, parsed).id
            flash(_("Séquence ajoutée au programme."))
        else:
            programme_service.update_item(edition.id, item_id, parsed)
            flash(_("Séquence modifiée."))
    except Refused as refused:
        return _render_programme(edition, values={key: values}, status=400, errors={
            key: {e.field: field_error(e.code, e.limit) for e in refused.errors}})
    except programme_service.EveningStarted:
        return _render_programme(edition, error=str(EVENING_STARTED), status=409)
    except programme_service.NotFound:
        abort(404)
    return redirect(url_for(".programme", edition_id=edition.id) + f"#talk-{item_id}", code=303)


# -- the CSV import --------------------------------------------------------------------------------

def refusal_message(refused: FileRefused, labels: dict[str, tuple[str, ...]] | None = None) -> str:
    """Why a file is refused as a whole; ``labels``: how the missing columns are also named (first label)."""
    if refused.code == "not_utf8":
        return _("Ce fichier n'est pas enregistré en UTF-8 : les accents seraient mal lus. Enregistrez-le à nouveau "
                 "au format « CSV UTF-8 » : dans Excel, Fichier › Enregistrer sous › « CSV UTF-8 (délimité par des "
                 "virgules) » ; dans LibreOffice, Enregistrer sous › « Texte CSV », jeu de caractères "
                 "« Unicode (UTF-8) ».")
    if refused.code == "missing_columns":
        return ngettext("Il manque une colonne : %(columns)s. La première ligne du fichier doit donner le nom des "
                        "colonnes, comme dans le modèle.",
                        "Il manque %(num)d colonnes : %(columns)s. La première ligne du fichier doit donner le nom "
                        "des colonnes, comme dans le modèle.", len(refused.detail),
                        columns=", ".join(f"{c} (« {labels[c][0]} »)" if labels and c in labels else c
                                          for c in refused.detail))
    if refused.code == "too_many_rows":
        return _("Trop de lignes : %(max)d candidatures au plus par fichier. Découpez-le en plusieurs fichiers.",
                 max=MAX_ROWS)
    if refused.code == "cell_too_large":
        return _("Une cellule du fichier est bien trop longue (ligne %(line)s) : ce n'est sans doute pas un fichier "
                 "de candidatures. Vérifiez-le, puis importez-le à nouveau.", line=refused.detail[0])
    if refused.code == "not_xlsx":
        return _("Ce fichier n'est pas un classeur XLSX lisible. Enregistrez-le à nouveau au format « Classeur "
                 "Excel (.xlsx) » ou « CSV UTF-8 ».")
    if refused.code == "too_large":
        return _("Fichier trop gros : 2 Mo au plus.")
    return _("Le fichier est vide : aucune candidature à importer.")


def import_columns() -> list[dict]:
    """The accepted columns as the import page lists them: the code, the labels also read, required or not."""
    return [{"code": code, "labels": COLUMN_LABELS[code], "required": code in REQUIRED_CSV_COLUMNS}
            for code in CSV_COLUMNS]


def choice_words(name: str) -> str:
    """The values a choice column accepts, as an error lists them: "commune (Une commune, Commune…) ; …"."""
    return " ; ".join(f"{code} ({', '.join(words)})" for code, words in CHOICE_LABELS[name].items())


def import_row_error(name: str, code: str, limit: int | None) -> str:
    if code == "invalid_choice" and name in CHOICE_LABELS:
        return _("Valeur non reconnue. Valeurs acceptées : %(values)s.", values=choice_words(name))
    if code == "invalid_datetime":
        return _("Date non reconnue : écrivez-la comme 10/12/2026 14:32, 10/12/2026 (heure de Paris) ou "
                 "2026-12-10T14:32:00+01:00.")
    return field_error(code, limit)


def _render_import(edition, error: str | None):
    return render_template("organiser/applications/import.html", edition=edition, error=error,
                           columns=import_columns(), choice_words=choice_words,
                           max_rows=MAX_ROWS), 400 if error else 200


@bp.route("/editions/<int:edition_id>/applications/import", methods=["GET", "POST"])
@requires("applications.decide")
@by_method
def import_applications(edition_id: int):
    edition = edition_or_404(edition_id)
    error = None
    if request.method == "POST":
        upload = request.files.get("file")
        if upload is None or not upload.filename:
            error = _("Choisissez un fichier CSV ou XLSX.")
        else:
            try:
                draft_id = application_import.start_import(edition_id, upload.filename, upload.read())
                return redirect(url_for(".import_preview", edition_id=edition_id, draft_id=draft_id), code=303)
            except FileRefused as refused:
                error = refusal_message(refused, COLUMN_LABELS)
    return _render_import(edition, error)


@bp.get("/editions/<int:edition_id>/applications/import/template.csv")
@requires("applications.decide")
@db.read()
def import_template_csv(edition_id: int):
    edition_or_404(edition_id)
    return download("modele-candidatures.csv", application_import.template_csv(), "text/csv; charset=utf-8")


@bp.get("/editions/<int:edition_id>/applications/import/template.xlsx")
@requires("applications.decide")
@db.read()
def import_template_xlsx(edition_id: int):
    edition_or_404(edition_id)
    return download("modele-candidatures.xlsx", application_import.template_xlsx(), XLSX_MIMETYPE)


IMPORT_FAILED = {
    "changed": _l("Rien n'a été importé : entre l'aperçu et votre confirmation, des candidatures de ce fichier ont "
                  "été enregistrées par ailleurs. Vérifiez l'aperçu mis à jour ci-dessous, puis recommencez."),
    "conflict": _l("Rien n'a été importé : une autre importation a enregistré certaines de ces candidatures au même "
                   "moment. Vérifiez l'aperçu mis à jour ci-dessous, puis recommencez."),
    "nothing": _l("Rien n'a été importé : aucune candidature de ce fichier n'est prête (déjà importées ou en "
                  "erreur)."),
}


@bp.route("/editions/<int:edition_id>/applications/import/<int:draft_id>", methods=["GET", "POST"])
@requires("applications.decide")
@by_method
def import_preview(edition_id: int, draft_id: int):
    edition = edition_or_404(edition_id)
    error = None
    if request.method == "POST":
        try:
            done = application_import.confirm_import(edition_id, draft_id, fingerprint=request.form.get("fingerprint", "")[:64])
        except application_import.NotFound:
            abort(404)
        except application_import.ImportFailed as failed:
            error = str(IMPORT_FAILED[failed.code])
        else:
            message = ngettext("%(num)d candidature importée.", "%(num)d candidatures importées.", done.imported)
            if done.skipped:
                message += " " + ngettext("%(num)d ligne ignorée (déjà importée ou en erreur).",
                                          "%(num)d lignes ignorées (déjà importées ou en erreur).", done.skipped)
            flash(message)
            return redirect(url_for(".applications", edition_id=edition_id), code=303)
    preview = application_import.preview_import(edition_id, draft_id)
    if preview is None:
        abort(404)
    return render_template("organiser/applications/preview.html", edition=edition, preview=preview, error=error,
                           labels=_labels(), row_error=import_row_error), 409 if error else 200


@bp.post("/editions/<int:edition_id>/applications/import/<int:draft_id>/cancel")
@requires("applications.decide")
@db.write()
def cancel_import(edition_id: int, draft_id: int):
    edition_or_404(edition_id)
    application_import.cancel_import(edition_id, draft_id)
    flash(_("Importation annulée : le fichier n'est pas conservé."))
    return redirect(url_for(".import_applications", edition_id=edition_id), code=303)
