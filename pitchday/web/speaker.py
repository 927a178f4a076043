"""The speaker space: what a retained (or deferred) applicant's personal link opens, on a phone first.

No account: the signed link is the key (``services/speakers.py``). It shows only its holder's own
application. A retained speaker confirms or declines, corrects what the audience will see and gives
their technical needs, and uploads their slides (a PDF, until the edition's slides deadline); a
deferred applicant keeps or withdraws their application.
"""
from __future__ import annotations

from datetime import datetime, timezone

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from flask_wtf.csrf import validate_csrf
from werkzeug.exceptions import RequestEntityTooLarge
from wtforms.validators import ValidationError

from ..domain import speakers as rules
from ..domain.shapes import Refused
from ..domain.slides import MAX_DECK_BYTES, DeckRefused
from ..extensions import csrf, db
from ..services import slides, speakers
from .i18n import field_error, plain
from .organiser.slides import refusal_message
from .unit import by_method

bp = Blueprint("speaker", __name__)

DONE = {
    "confirmed": _l("Merci : votre venue est confirmée."),
    "declined": _l("C'est noté : vous ne viendrez pas. L'équipe organisatrice est prévenue."),
    "kept": _l("C'est noté : votre candidature est maintenue pour une prochaine édition."),
    "withdrawn": _l("C'est noté : votre candidature est retirée."),
}
EQUIPMENT = {code: _l(label) for code, label in rules.EQUIPMENT_LABELS.items()}
MICROPHONE = {code: _l(label) for code, label in rules.MICROPHONE_LABELS.items()}
DETAIL_FIELDS = tuple(rules.TalkDetails.model_fields)
NEEDS_FIELDS = tuple(rules.TechnicalNeeds.model_fields)


def _values(space: speakers.Space) -> dict:
    talk, answer = space.talk, space.answer
    values = {}
    if talk is not None:
        name, role = rules.split_speaker(talk.speaker or "")
        values = {"title": talk.title, "organisation": talk.organisation, "speaker_name": name,
                  "speaker_role": role, "summary": talk.summary or ""}
    values |= {"equipment": (answer.equipment if answer else None) or "",
               "microphone": (answer.microphone if answer else None) or "",
               "accessibility": (answer.accessibility if answer else None) or ""}
    return values


def _deck(space: speakers.Space) -> dict:
    """The "Vos supports" section: the deck uploaded (pages, when, first page) and whether it may change."""
    deck = speakers.deck_of(space)
    deadline = speakers.slides_deadline(space.edition)
    view = slides.deck_view(space.edition.slug, deck, space.talk.id) if deck is not None else None
    return {"deck": deck, "view": view, "deadline": deadline, "max_mb": MAX_DECK_BYTES // (1024 * 1024),
            "open": rules.slides_open(deadline, datetime.now(timezone.utc))}


def _page(token: str, space: speakers.Space, *, values=None, errors=None, error=None, deck_error=None, status=200):
    return render_template("speaker/space.html", token=token, space=space, edition=space.edition,
                           values=values or _values(space), errors=errors or {}, error=error, deck_error=deck_error,
                           equipment=plain(EQUIPMENT), microphone=plain(MICROPHONE), rules_=rules,
                           slides_=_deck(space) if space.role == "speaker" and space.talk is not None else None,
                           confirm_by=rules.confirm_by(space.edition.starts_at)), status


@bp.route("/s/<token>", methods=["GET", "POST"])
@by_method
def space(token: str):
    found = speakers.open_space(token)
    if found is None:
        return render_template("speaker/invalid.html"), 404
    if request.method == "GET":
        return _page(token, found)
    action = request.form.get("action", "")
    if action == "answer":
        try:
            speakers.answer(found, request.form.get("answer", ""))
        except ValueError:
            return _page(token, found, error=_("Choisissez l'une des réponses proposées."), status=400)
        flash(str(DONE[request.form["answer"]]))
        return redirect(url_for(".space", token=token) + "#answer", code=303)
    if action in ("details", "needs") and found.role == "speaker":
        names, schema = (DETAIL_FIELDS, rules.TalkDetails) if action == "details" else \
            (NEEDS_FIELDS, rules.TechnicalNeeds)
        typed = {name: request.form.get(name, "")[:10_000] for name in names}
        try:
            parsed = schema.parse(typed)
        except Refused as refused:
            return _page(token, found, values=_values(found) | typed, status=400,
                         errors={e.field: field_error(e.code, e.limit) for e in refused.errors})
        if action == "details":
            try:
                speakers.update_details(found, parsed)
            except (speakers.EveningStarted, ValueError):
                return _page(token, found, values=_values(found) | typed, status=409, error=_(
                    "La soirée a commencé : ces textes ne peuvent plus changer. Parlez-en à l'équipe sur place."))
            flash(_("Merci : le public verra ces textes."))
        else:
            speakers.update_needs(found, parsed)
            flash(_("Merci : vos besoins techniques sont enregistrés."))
        return redirect(url_for(".space", token=token) + f"#{action}", code=303)
    return _page(token, found, error=_("Action inconnue."), status=400)


CLOSED = _l("La date limite de dépôt des présentations est passée : votre présentation ne peut plus changer. "
            "Parlez-en à l'équipe organisatrice.")


def _deck_page(token: str, status: int, message: str):
    with db.read():
        found = speakers.open_space(token)
        if found is None:
            return render_template("speaker/invalid.html"), 404
        return _page(token, found, deck_error=message, status=status)


@bp.post("/s/<token>/deck")
@csrf.exempt  # checked below, once the larger limit of this upload applies (CSRFProtect reads the form first)
def upload_deck(token: str):
    """The speaker's PDF: checked and rendered before the write, stored in it (replacing any) until the deadline.
    The talk is the link's own: the URL names no talk, so no link reaches another talk's deck."""
    request.max_content_length = MAX_DECK_BYTES + 256 * 1024  # the PDF and the form around it
    try:
        validate_csrf(request.form.get("csrf_token"))
        upload = request.files.get("deck")
        data = upload.read(MAX_DECK_BYTES + 1) if upload is not None and upload.filename else b""
    except RequestEntityTooLarge:
        return _deck_page(token, 413, _("Présentation refusée : %(reason)s", reason=refusal_message(DeckRefused("too_large"))))
    except ValidationError:  # no token, or not this session's
        abort(400)
    with db.read():
        found = speakers.open_space(token)
        if found is None or found.role != "speaker" or found.talk is None:
            return render_template("speaker/invalid.html"), 404
        closed = not rules.slides_open(speakers.slides_deadline(found.edition), datetime.now(timezone.utc))
    if closed:
        return _deck_page(token, 409, str(CLOSED))
    try:
        rendered = slides.render_deck(data)  # seconds, in a worker process, before the write
    except DeckRefused as refused:
        return _deck_page(token, 400, _("Présentation refusée : %(reason)s", reason=refusal_message(refused)))
    try:
        with db.write():
            found = speakers.open_space(token)
            if found is None:
                return render_template("speaker/invalid.html"), 404
            pages = speakers.store_deck(found, rendered).page_count
    except speakers.SlidesClosed:
        return _deck_page(token, 409, str(CLOSED))
    flash(ngettext("Merci : votre présentation est enregistrée (%(num)d page).",
                   "Merci : votre présentation est enregistrée (%(num)d pages).", pages))
    return redirect(url_for(".space", token=token) + "#slides", code=303)
