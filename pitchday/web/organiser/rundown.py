"""The running order in and out of a spreadsheet: export (CSV, XLSX), then an import with its preview."""
from __future__ import annotations

import base64
import binascii

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext

from ...domain import rundown as sheet
from ...domain.sheets import FileRefused
from ...extensions import db
from ...services import programme as programme_service
from ...services import rundown as rundown_service
from ..i18n import ITEM_KIND_LABELS, field_error, plain
from . import bp, requires
from .applications import EVENING_STARTED, refusal_message
from .editions import edition_or_404
from .report import XLSX_MIMETYPE, download

MAX_FILE_BYTES = 256 * 1024  # 200 rows of a stage manager's sheet fit many times over

ROW_ERRORS = {
    "unknown_kind": _l("Type inconnu : pitch, accueil, mot d'ouverture, intervention, pause, clôture ou networking."),
    "unknown_talk_title": _l("Aucun pitch de la soirée ne porte ce titre (les pitchs viennent des candidatures retenues)."),
    "duplicate_in_file": _l("Ce pitch apparaît plusieurs fois dans le fichier."),
    "start_mismatch": _l("Ne suit pas les durées des lignes précédentes : ajoutez une pause ou corrigez l'heure."),
}
IMPORT_REFUSED = {
    "invalid": _l("Rien n'a été importé : corrigez les lignes signalées dans le fichier, puis importez-le à nouveau."),
    "changed": _l("Rien n'a été importé : ce n'est pas le fichier de l'aperçu. Recommencez l'import."),
}


def row_error(code: str, limit: int | None) -> str:
    if code == "talk_length":
        return _("Un pitch dure ici %(minutes)d min (pitch et questions) : changez-le dans « Durées ».",
                 minutes=limit or 0)
    return str(ROW_ERRORS[code]) if code in ROW_ERRORS else field_error(code, limit)


@bp.get("/editions/<int:edition_id>/rundown.csv")
@requires("programme")
@db.read()
def rundown_export(edition_id: int):
    edition = edition_or_404(edition_id)
    return download(f"conducteur-{edition.slug}.csv", rundown_service.export_csv(edition_id), "text/csv; charset=utf-8")


@bp.get("/editions/<int:edition_id>/rundown.xlsx")
@requires("programme")
@db.read()
def rundown_export_xlsx(edition_id: int):
    edition = edition_or_404(edition_id)
    return download(f"conducteur-{edition.slug}.xlsx", rundown_service.export_xlsx(edition_id), XLSX_MIMETYPE)


def _render(edition, *, preview=None, data: bytes = b"", error: str | None = None, status: int = 200):
    return render_template(
        "organiser/rundown_import.html", edition=edition, preview=preview, error=error, row_error=row_error,
        content=base64.b64encode(data).decode() if preview else "", kinds=plain(ITEM_KIND_LABELS),
        columns=sheet.COLUMNS, column_of=sheet.COLUMN_OF_FIELD, clock=sheet.clock, duration=sheet.sheet_duration), status


@bp.route("/editions/<int:edition_id>/rundown/import", methods=["GET", "POST"])
@requires("programme")
def rundown_import(edition_id: int):
    """GET: the upload form; POST with a file: its preview (nothing stored); POST with ``content``: the import."""
    if request.method == "GET":
        with db.read():
            return _render(edition_or_404(edition_id))
    if "content" in request.form:
        return _confirm(edition_id)
    with db.read():
        edition = edition_or_404(edition_id)
        upload = request.files.get("file")
        if upload is None or not upload.filename:
            return _render(edition, error=_("Choisissez un fichier CSV ou XLSX."), status=400)
        data = upload.read(MAX_FILE_BYTES + 1)
        if len(data) > MAX_FILE_BYTES:
            return _render(edition, error=_("Fichier trop gros pour un conducteur."), status=400)
        try:
            preview = rundown_service.preview_rundown(edition_id, data, upload.filename)
        except FileRefused as refused:
            return _render(edition, error=_rundown_refusal(refused), status=400)
        return _render(edition, preview=preview, data=data)


def _rundown_refusal(refused: FileRefused) -> str:
    if refused.code == "too_many_rows":
        return _("Trop de lignes : %(max)d au plus dans un conducteur.", max=sheet.MAX_ROWS)
    return refusal_message(refused)


def _confirm(edition_id: int):
    try:
        data = base64.b64decode(request.form.get("content", "")[: MAX_FILE_BYTES * 2], validate=True)
    except (binascii.Error, ValueError):
        abort(400)
    try:
        with db.write():
            count = rundown_service.import_rundown(edition_id, data, fingerprint=request.form.get("fingerprint", "")[:64])
    except programme_service.EveningStarted:
        with db.read():
            return _render(edition_or_404(edition_id), error=str(EVENING_STARTED), status=409)
    except rundown_service.ImportRefused as refused:
        with db.read():
            return _render(edition_or_404(edition_id), preview=refused.preview, data=data,
                           error=str(IMPORT_REFUSED[refused.code]), status=409)
    except FileRefused as refused:
        with db.read():
            return _render(edition_or_404(edition_id), error=_rundown_refusal(refused), status=400)
    flash(ngettext("Conducteur importé : %(num)d ligne.", "Conducteur importé : %(num)d lignes.", count))
    return redirect(url_for(".programme", edition_id=edition_id), code=303)
