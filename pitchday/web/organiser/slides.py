"""A talk's PDF deck from the programme page: upload (or replace), remove, and how the projector shows it."""
from __future__ import annotations

from flask import abort, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from flask_wtf.csrf import validate_csrf
from werkzeug.exceptions import RequestEntityTooLarge
from wtforms.validators import ValidationError

from ...domain.slides import DISPLAYS, MAX_DECK_BYTES, MAX_PAGES, DeckRefused
from ...extensions import csrf, db
from ...services import slides
from . import bp, requires
from .applications import _render_programme
from .editions import edition_or_404

REFUSALS = {
    "empty": _l("Le fichier est vide."),
    "too_large": _l("Ce fichier dépasse 20 Mo : exportez le PDF en qualité « écran » ou allégez ses images."),
    "not_pdf": _l("Ce fichier n'est pas un PDF : exportez la présentation au format PDF."),
    "unreadable": _l("Ce PDF est illisible ou endommagé : exportez-le à nouveau."),
    "no_pages": _l("Ce PDF ne contient aucune page."),
    "too_many_pages": _l("Ce PDF a trop de pages : %(max)d au plus."),
    "bad_page_size": _l("Une page de ce PDF n'a pas un format de diapositive (taille nulle ou proportions extrêmes)."),
    "render_timeout": _l("Ce PDF est trop long à afficher : le rendu a été arrêté. Exportez-le à nouveau, en allégeant ses images."),
    "render_failed": _l("Ce PDF n'a pas pu être affiché : exportez-le à nouveau."),
}
DISPLAY_LABELS = {
    "slides": _l("Diapositives, avec le décompte en incrustation"),
    "countdown": _l("Décompte seul"),
    "hdmi": _l("HDMI du speaker : un bandeau discret du décompte"),
}


def refusal_message(refused: DeckRefused) -> str:
    return _(str(REFUSALS[refused.code]), max=MAX_PAGES) if refused.code == "too_many_pages" else str(REFUSALS[refused.code])


def _talk_or_404(edition_id: int, talk_id: int):
    with db.read():
        if slides.talk_of_edition(edition_id, talk_id) is None:
            abort(404)


def _back(edition_id: int, talk_id: int):
    return redirect(url_for(".programme", edition_id=edition_id) + f"#talk-{talk_id}", code=303)


@bp.post("/editions/<int:edition_id>/programme/<int:talk_id>/deck")
@csrf.exempt  # checked below, once the larger limit of this upload applies (CSRFProtect reads the form first)
@requires("programme")
def upload_deck(edition_id: int, talk_id: int):
    request.max_content_length = MAX_DECK_BYTES + 256 * 1024  # the PDF and the form around it
    try:
        validate_csrf(request.form.get("csrf_token"))
        upload = request.files.get("deck")
        data = upload.read(MAX_DECK_BYTES + 1) if upload is not None and upload.filename else b""
    except RequestEntityTooLarge:
        return _refused(edition_id, DeckRefused("too_large"), 413)
    except ValidationError:  # no token, or not this session's
        abort(400)
    _talk_or_404(edition_id, talk_id)
    try:
        rendered = slides.render_deck(data)  # seconds, in a worker process, before the write
        with db.write():
            deck = slides.store_deck(talk_id, rendered)
            pages = deck.page_count
    except DeckRefused as refused:
        return _refused(edition_id, refused, 400)
    flash(ngettext("Présentation enregistrée : %(num)d page.", "Présentation enregistrée : %(num)d pages.", pages))
    return _back(edition_id, talk_id)


def _refused(edition_id: int, refused: DeckRefused, status: int):
    with db.read():
        edition = edition_or_404(edition_id)
        return _render_programme(edition, error=_("Présentation refusée : %(reason)s", reason=refusal_message(refused)),
                                 status=status)


@bp.post("/editions/<int:edition_id>/programme/<int:talk_id>/display")
@requires("programme")
@db.write()
def deck_display(edition_id: int, talk_id: int):
    if slides.talk_of_edition(edition_id, talk_id) is None:
        abort(404)
    if request.form.get("action") == "remove":
        slides.remove_deck(talk_id)
        flash(_("Présentation retirée."))
        return _back(edition_id, talk_id)
    display = request.form.get("display", "")
    if display not in DISPLAYS:
        abort(400)
    slides.set_display(talk_id, display)
    flash(_("Affichage au projecteur enregistré."))
    return _back(edition_id, talk_id)


@bp.context_processor
def deck_helpers():
    """The programme page's per-talk deck block (templates/organiser/applications/_deck.html)."""
    def decks_of(edition):
        found = slides.talk_decks(edition.id)
        return {talk_id: {"deck": deck, **slides.deck_view(edition.slug, deck, talk_id)} for talk_id, deck in found.items()}
    return {"decks_of": decks_of, "deck_display_labels": DISPLAY_LABELS, "deck_max_mb": MAX_DECK_BYTES // (1024 * 1024)}
