"""After the evening: who wants to meet whom, the introductions, and each team's digest."""
from __future__ import annotations

from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from ...domain import forms
from ...domain.audience import REQUEST_STATUS_LABELS
from ...domain.shapes import Refused
from ...extensions import db
from ...services import exports, followup, mail, privacy
from ...timeutil import as_utc
from ..i18n import INTENT_LABELS, field_error, plain
from ..unit import by_method
from . import bp, requires
from .editions import edition_or_404

STATUS_LABELS = {code: _l(label) for code, label in REQUEST_STATUS_LABELS.items()}
QUESTION_STATUS_LABELS = {
    "pending": _l("jamais modérée"),
    "published": _l("publiée"),
    "answered": _l("répondue"),
}
FORM_FIELDS = ("team_email", "subject", "body")


def _labels() -> dict:
    # Lazy strings count as safe markup in Jinja: made plain strings so that they are escaped.
    return {"intents": plain(INTENT_LABELS),
            "statuses": plain(STATUS_LABELS),
            "question_statuses": plain(QUESTION_STATUS_LABELS)}


def _request_or_404(edition_id: int, request_id: int):
    found = followup.find_request(edition_id, request_id)
    if found is None:
        abort(404)
    return found


@bp.get("/editions/<int:edition_id>/connections")
@requires("followup")
@db.read()
def connections(edition_id: int):
    """Every connect request by talk, with its status and what to do next; a filter by status."""
    edition = edition_or_404(edition_id)
    status = request.args.get("status")
    status = status if status in followup.STATUSES else None
    board = followup.board(edition_id, status)
    return render_template("organiser/connections.html", edition=edition, board=board, status=status, **_labels())


@bp.post("/editions/<int:edition_id>/connections/<int:request_id>/status")
@requires("followup")
@db.write()
def connection_status(edition_id: int, request_id: int):
    """"Sans suite", "Rouvrir" and "Marquer comme mise en relation faite"."""
    status = request.form.get("status")
    if status not in followup.STATUSES:
        abort(400)
    changed = followup.set_status(edition_id, request_id, status)
    if changed is None:
        abort(404)
    flash(_("Demande de %(name)s : %(status)s.", name=changed.name, status=STATUS_LABELS[status]))
    shown = request.form.get("filter")
    return redirect(url_for(".connections", edition_id=edition_id,
                            status=shown if shown in followup.STATUSES else None) + f"#request-{request_id}", code=303)


def _introduce_page(edition, connect_request, talk, values: dict, errors: dict, *, failure: str | None = None,
                    status: int = 200):
    return render_template("organiser/introduce.html", edition=edition, connect_request=connect_request, talk=talk,
                           values=values, errors=errors, failure=failure, smtp=mail.smtp_settings(),
                           **_labels()), status


@bp.route("/editions/<int:edition_id>/connections/<int:request_id>/introduce", methods=["GET", "POST"])
@requires("followup")
@by_method
def introduce(edition_id: int, request_id: int):
    """One e-mail to both the requester and the team, proposed, edited, then sent (or downloaded)."""
    edition = edition_or_404(edition_id)
    connect_request, talk = _request_or_404(edition_id, request_id)
    if request.method == "GET":
        draft = followup.draft_introduction(
            edition, connect_request, talk, intent_label=str(INTENT_LABELS.get(connect_request.intent, "")),
            signature=privacy.controller_name())  # the same organisation as in the consent people gave
        return _introduce_page(edition, connect_request, talk, vars(draft), {})
    values = {name: request.form.get(name, "")[:100_000] for name in FORM_FIELDS}
    try:
        introduction = forms.Introduction.parse(values)
    except Refused as refused:
        return _introduce_page(edition, connect_request, talk, values,
                               {e.field: field_error(e.code, e.limit) for e in refused.errors}, status=400)
    if request.form.get("action") == "draft":
        data = followup.introduction_draft_file(edition_id, connect_request, talk, introduction)
        return Response(data, mimetype="message/rfc822", headers={
            "Content-Disposition": f"attachment; filename=mise-en-relation-{request_id}.eml"})
    settings = mail.smtp_settings()
    if settings is None:
        return _introduce_page(edition, connect_request, talk, values, {}, status=400, failure=_(
            "Envoi impossible : aucun serveur d'envoi n'est configuré. Téléchargez le brouillon."))
    try:
        followup.send_introduction(edition_id, connect_request, talk, introduction, settings)
    except mail.MailError as error:
        return _introduce_page(edition, connect_request, talk, values, {}, failure=error.reason, status=502)
    flash(_("E-mail envoyé : %(name)s et l'équipe « %(team)s » sont mis en relation.",
            name=connect_request.name, team=talk.organisation))
    return redirect(url_for(".connections", edition_id=edition_id) + f"#request-{request_id}", code=303)


def _digest_or_404(edition_id: int, talk_id: int, *, exported: bool = False) -> dict:
    found = followup.digest(edition_id, talk_id, exported=exported)
    if found is None:
        abort(404)
    return found


@bp.get("/editions/<int:edition_id>/talks/<int:talk_id>/digest")
@requires("followup")
@db.read()
def digest(edition_id: int, talk_id: int):
    """A printable page for one team: who wants to meet them, and the room's questions."""
    edition = edition_or_404(edition_id)
    return render_template("organiser/digest.html", edition=edition, digest=_digest_or_404(edition_id, talk_id),
                           **_labels())


@bp.get("/editions/<int:edition_id>/talks/<int:talk_id>/digest.csv")
@requires("exports")
@db.write()  # a GET that writes, on purpose: the audit log records that personal data left pitchday
def digest_csv(edition_id: int, talk_id: int):
    """The same digest as one spreadsheet: a row per request, then a row per question."""
    edition = edition_or_404(edition_id)
    found = _digest_or_404(edition_id, talk_id, exported=True)
    labels = _labels()
    header = [_("type"), _("date"), _("nom"), _("organisation"), _("e-mail"), _("téléphone"), _("souhait"),
              _("texte"), _("votes"), _("statut")]
    rows = [[_("demande"), as_utc(r.created_at), r.name, r.organisation, r.email, r.phone or "",
             labels["intents"].get(r.intent, r.intent), r.message or "", "", labels["statuses"].get(r.status, r.status)]
            for r in found["requests"]]
    rows += [[_("question"), as_utc(q.created_at), q.author or "", "", "", "", "", q.text, q.votes,
              labels["question_statuses"].get(q.status, q.status)]
             for q in found["questions"]]
    filename = f"bilan-{edition.slug}-intervention-{found['talk'].position}.csv"
    return Response(exports.csv_bytes(header, rows), mimetype="text/csv",
                    headers={"Content-Disposition": f"attachment; filename={filename}"})

