"""The outbox of an edition: the messages decisions and reminders prepared, read, edited, sent once;
the edition's message templates; the speakers' answers.

Sending opens its own units of work, three per message (``services/outbox.py`` says why): the
views that send are not wrapped in one.
"""
from __future__ import annotations

from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext

from ...domain import messages as message_rules
from ...domain import speakers as speaker_rules
from ...domain.messages import MessageText
from ...domain.shapes import Refused
from ...extensions import db
from ...services import mail, outbox, speakers
from ..i18n import field_error, plain
from ..unit import by_method
from . import bp, requires
from .editions import edition_or_404

STATE_LABELS = {code: _l(label) for code, label in message_rules.STATE_LABELS.items()}
KIND_LABELS = {code: _l(label) for code, label in message_rules.KIND_LABELS.items()}
LANGUAGE_LABELS = {"fr": _l("français"), "en": _l("anglais")}
ANSWER_LABELS = {code: _l(label) for code, label in speaker_rules.ANSWER_LABELS.items()}
EQUIPMENT_LABELS = {"own_laptop": _l("son ordinateur"), "projector": _l("supports sur l'ordinateur de la salle")}
PLACEHOLDER_LABELS = {
    "prenom": _l("prénom du référent"),
    "nom": _l("nom complet du référent"),
    "titre": _l("titre de l'intervention"),
    "organisation": _l("structure"),
    "edition": _l("nom de l'édition"),
    "date": _l("date de la soirée"),
    "heure": _l("heure d'ouverture"),
    "lieu": _l("lieu"),
    "creneau": _l("place dans l'ordre de passage et heure prévue"),
    "format": _l("durées de présentation et de questions"),
    "lien": _l("lien personnel vers l'espace intervenant"),
    "date_limite": _l("date limite de confirmation"),
    "limite_supports": _l("date et heure limites de dépôt des présentations"),
    "questions": _l("questions du public publiées, avec leurs votes et si elles ont été traitées sur scène"),
    "contacts": _l("personnes qui souhaitent échanger et ont accepté de transmettre leurs coordonnées"),
}
MAX_SELECTED = 500
NOT_EDITABLE = _l("Ce message est en cours d'envoi ou déjà envoyé : il ne peut plus être modifié.")


def _labels() -> dict:
    return {"states": plain(STATE_LABELS), "kinds": plain(KIND_LABELS), "languages": plain(LANGUAGE_LABELS),
            "answers": {code: str(label) for code, label in ANSWER_LABELS.items()},
            "equipment": plain(EQUIPMENT_LABELS)}


def _ids(values: list[str]) -> list[int]:
    return [int(v) for v in values[:MAX_SELECTED] if v.isdigit() and len(v) <= 9]


@bp.get("/editions/<int:edition_id>/outbox")
@requires("applications.decide")
@db.read()
def outbox_page(edition_id: int):
    edition = edition_or_404(edition_id)
    rows = outbox.speaker_rows(edition_id)
    declined = [row for row in rows if row.answer is not None and row.answer.answer == "declined"]
    return render_template(
        "organiser/outbox/list.html", edition=edition, messages=outbox.messages(edition_id), speakers=rows,
        declined=declined, replacement=speakers.replacement_for(edition_id) if declined else None,
        reminders=outbox.proposed_reminders(edition_id), slides_reminders=outbox.proposed_slides_reminders(edition_id),
        slides_deadline=speakers.slides_deadline(edition), smtp=mail.smtp_settings(), labels=_labels(),
        shown_state=outbox.shown_state, digests=outbox.digest_talks(edition_id),
        digests_open=outbox.digests_open(edition_id),
        without_contact=[t for t in edition.pitches if not t.contact_email])


def _send(edition_id: int, message_ids: list[int], settings: mail.SmtpSettings) -> tuple[int, int]:
    """Send each message once: claim (committed), SMTP, then its outcome (committed)."""
    sent = failed = 0
    for message_id in message_ids:
        with db.write():
            composed = outbox.claim(edition_id, message_id)
        if composed is None:
            continue  # sent, being sent or dropped meanwhile: never twice
        try:
            mail.send(composed, settings)
        except mail.MailError as error:
            with db.write():
                outbox.mark_failed(message_id, error.reason, bounced=error.refused_recipient)
            failed += 1
            continue
        with db.write():
            outbox.mark_sent(message_id)
        sent += 1
    return sent, failed


@bp.post("/editions/<int:edition_id>/outbox/send")
@requires("applications.decide")
def outbox_send(edition_id: int):
    """Send the selected messages (or all those not yet sent), or download them as .eml files."""
    action = request.form.get("action", "")
    with db.read():
        edition_or_404(edition_id)
        chosen = outbox.sendable_ids(edition_id) if action in ("send_all", "zip_all") else \
            _ids(request.form.getlist("message"))
    if action not in ("send_all", "send", "zip_all", "zip"):
        abort(400)
    if not chosen:
        flash(_("Aucun message à envoyer : cochez-en au moins un.") if action in ("send", "zip")
              else _("Aucun message en attente : tous sont déjà envoyés."))
        return redirect(url_for(".outbox_page", edition_id=edition_id), code=303)
    if action.startswith("zip"):
        with db.write():
            data, count = outbox.eml_zip(edition_id, chosen)
        return Response(data, mimetype="application/zip", headers={
            "Content-Disposition": f"attachment; filename=messages-edition-{edition_id}.zip"})
    settings = mail.smtp_settings()
    if settings is None:
        flash(_("Envoi impossible : aucun serveur d'envoi n'est configuré. Téléchargez les messages (.eml)."))
        return redirect(url_for(".outbox_page", edition_id=edition_id), code=303)
    sent, failed = _send(edition_id, chosen, settings)
    text = ngettext("%(num)d message envoyé.", "%(num)d messages envoyés.", sent)
    if failed:
        text += " " + ngettext("%(num)d échec : voyez la raison dans la liste.",
                               "%(num)d échecs : voyez la raison dans la liste.", failed)
    flash(text)
    return redirect(url_for(".outbox_page", edition_id=edition_id), code=303)


@bp.post("/editions/<int:edition_id>/outbox/reminders")
@requires("applications.decide")
@db.write()
def outbox_reminders(edition_id: int):
    edition_or_404(edition_id)
    count = outbox.prepare_reminders(edition_id)
    flash(ngettext("%(num)d relance préparée : relisez-la puis envoyez-la.",
                   "%(num)d relances préparées : relisez-les puis envoyez-les.", count))
    return redirect(url_for(".outbox_page", edition_id=edition_id), code=303)


@bp.post("/editions/<int:edition_id>/outbox/slides-reminders")
@requires("applications.decide")
@db.write()
def outbox_slides_reminders(edition_id: int):
    edition_or_404(edition_id)
    count = outbox.prepare_reminders(edition_id, kind="slides_reminder")
    flash(ngettext("%(num)d relance pour la présentation préparée : relisez-la puis envoyez-la.",
                   "%(num)d relances pour les présentations préparées : relisez-les puis envoyez-les.", count))
    return redirect(url_for(".outbox_page", edition_id=edition_id), code=303)


def _message_page(edition, found, *, values=None, errors=None, error=None, status=200):
    return render_template("organiser/outbox/message.html", edition=edition, message=found,
                           values=values or {"subject": found.subject, "body": found.body}, errors=errors or {},
                           error=error, editable=found.state in outbox.SENDABLE, labels=_labels(),
                           shown=outbox.shown_state(found)), status


@bp.route("/editions/<int:edition_id>/outbox/<int:message_id>", methods=["GET", "POST"])
@requires("applications.decide")
@by_method
def outbox_message(edition_id: int, message_id: int):
    """Read one message; edit it, drop it, or settle one left "à vérifier"."""
    edition = edition_or_404(edition_id)
    try:
        found = outbox.message(edition_id, message_id)
    except outbox.NotFound:
        abort(404)
    if request.method == "GET":
        return _message_page(edition, found)
    action = request.form.get("action", "")
    try:
        if action == "save":
            values = {name: request.form.get(name, "")[:100_000] for name in ("subject", "body")}
            try:
                edit = MessageText.parse(values)
            except Refused as refused:
                return _message_page(edition, found, values=values, status=400,
                                     errors={e.field: field_error(e.code, e.limit) for e in refused.errors})
            outbox.update_message(edition_id, message_id, subject=edit.subject, body=edit.body)
            flash(_("Message modifié."))
        elif action == "drop":
            outbox.drop(edition_id, message_id)
            flash(_("Message supprimé : il ne sera pas envoyé."))
            return redirect(url_for(".outbox_page", edition_id=edition_id), code=303)
        elif action in ("resolve_sent", "resolve_unsent"):
            outbox.resolve(edition_id, message_id, action.removeprefix("resolve_"))
            flash(_("Message marqué envoyé.") if action == "resolve_sent"
                  else _("Message remis à envoyer : il partira au prochain envoi."))
        else:
            abort(400)
    except outbox.NotEditable:
        return _message_page(edition, found, error=str(NOT_EDITABLE), status=409)
    return redirect(url_for(".outbox_message", edition_id=edition_id, message_id=message_id), code=303)


@bp.get("/editions/<int:edition_id>/outbox/templates")
@requires("applications.decide")
@db.read()
def outbox_templates(edition_id: int):
    edition = edition_or_404(edition_id)
    return render_template("organiser/outbox/templates.html", edition=edition, templates=outbox.templates(edition_id),
                           kinds=message_rules.KINDS, languages=message_rules.LANGUAGES, labels=_labels())


def template_error(problem: message_rules.TemplateProblem, kind: str = "") -> str:
    names = ", ".join(problem.names)
    if problem.code == "unknown_placeholder":
        return ngettext("Champ inconnu : %(names)s. Utilisez l'un des champs de la liste.",
                        "Champs inconnus : %(names)s. Utilisez l'un des champs de la liste.",
                        len(problem.names), names=names)
    if problem.code == "missing_placeholder" and kind == "digest":
        return _("Il manque %(names)s : c'est le contenu du bilan.", names=names)
    if problem.code == "missing_placeholder":
        return _("Il manque %(names)s : sans lui, le destinataire ne peut pas répondre.", names=names)
    return _("Accolade seule : écrivez {{ ou }} pour afficher une accolade.")


@bp.route("/editions/<int:edition_id>/outbox/templates/<kind>/<language>", methods=["GET", "POST"])
@requires("applications.decide")
@by_method
def outbox_template(edition_id: int, kind: str, language: str):
    edition = edition_or_404(edition_id)
    if kind not in message_rules.KINDS or language not in message_rules.LANGUAGES:
        abort(404)
    current = outbox.templates(edition_id)[(kind, language)]
    values, errors, status = {"subject": current.subject, "body": current.body}, {}, 200
    if request.method == "POST":
        if request.form.get("action") == "reset":
            outbox.reset_template(edition_id, kind, language)
            flash(_("Modèle remis au texte proposé par défaut."))
            return redirect(url_for(".outbox_template", edition_id=edition_id, kind=kind, language=language), code=303)
        values = {name: request.form.get(name, "")[:100_000] for name in ("subject", "body")}
        try:
            parsed = MessageText.parse(values)
            outbox.save_template(edition_id, kind, language, parsed.subject, parsed.body)
        except Refused as refused:
            errors, status = {e.field: field_error(e.code, e.limit) for e in refused.errors}, 400
        except outbox.TemplateRefused as refused:
            for problem in refused.problems:
                errors.setdefault(problem.field, template_error(problem, kind))
            status = 400
        else:
            flash(_("Modèle enregistré : il servira aux prochains messages préparés."))
            return redirect(url_for(".outbox_templates", edition_id=edition_id), code=303)
    return render_template("organiser/outbox/template.html", edition=edition, kind=kind, language=language,
                           values=values, errors=errors, custom=current.custom, labels=_labels(),
                           placeholders=[(name, str(PLACEHOLDER_LABELS[name])) for name in
                                         message_rules.PLACEHOLDERS + message_rules.KIND_PLACEHOLDERS.get(kind, ())],
                           ), status


# -- the speakers' digests after the evening (branch digest) -------------------------------------------


@bp.post("/editions/<int:edition_id>/outbox/digests")
@requires("applications.decide", write="followup")
@db.write()
def outbox_digests(edition_id: int):
    """Prepare (or write again, if not yet sent) each speaker's digest; sends nothing."""
    from ..i18n import INTENT_LABELS

    edition_or_404(edition_id)
    try:
        done = outbox.prepare_digests(edition_id, intent_labels=INTENT_LABELS, again=request.form.get("again") == "yes")
    except outbox.DigestNotOpen:
        flash(_("Les bilans se préparent après la soirée : une fois la soirée terminée sur la console, ou sa date passée."))
        return redirect(url_for(".outbox_page", edition_id=edition_id) + "#digests", code=303)
    text = ngettext("%(num)d bilan préparé : relisez-le puis envoyez-le.",
                    "%(num)d bilans préparés : relisez-les puis envoyez-les.", done.prepared + done.rewritten)
    if done.skipped:
        text += " " + ngettext("%(num)d déjà envoyé, non préparé à nouveau.",
                               "%(num)d déjà envoyés, non préparés à nouveau.", done.skipped)
    flash(text)
    return redirect(url_for(".outbox_page", edition_id=edition_id) + "#digests", code=303)
