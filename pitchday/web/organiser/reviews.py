"""Reviews by several people: the review list (sortable figures), scoring from a dossier, and the
edition's review settings (criteria, blind review, who reviews what). The rules are in
``domain/reviews.py``; the dossier itself is ``applications.application``, which shows the review."""
from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import format_decimal
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from ...domain import reviews as rules
from ...domain.shapes import Refused
from ...extensions import db
from ...services import review as review_service
from ...services import reviews
from ..i18n import field_error
from ..unit import by_method
from . import bp, requires
from .applications import _labels, _render_dossier
from .auth import current_account
from .editions import edition_or_404

REVIEW_ERRORS = {
    "has_scores": _l("Ce critère a déjà des notes : renommez-le plutôt que de le retirer."),
    "too_many": _l("%(limit)d critères au plus."),
    "out_of_range": _l("Choisissez une note de 0 à 5."),
}
SORT_LABELS = {"reference": _l("Référence"), "project": _l("Projet"), "status": _l("Statut"),
               "reviews": _l("Relectures"), "overall": _l("Note globale"), "spread": _l("Écart (max − min)")}


def review_error(code: str, limit: int | None = None) -> str:
    if code in REVIEW_ERRORS:
        return str(REVIEW_ERRORS[code]) % {"limit": limit or 0} if code == "too_many" else str(REVIEW_ERRORS[code])
    return field_error(code, limit)


def number(value: float | None) -> str:
    """A mean or a score as people read it here: one decimal at most ("3,5" in French)."""
    if value is None:
        return "—"
    # Half up, as people round by hand (4.25 → 4.3), not the float's half-even.
    return format_decimal(Decimal(repr(value)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP), format="#,##0.#")


def figure(found: rules.Figures | None) -> str:
    """A mean and its spread: "3,5 (2–5)"; a dash without any score."""
    if found is None or found.count == 0:
        return "—"
    if found.low == found.high:
        return number(found.mean)
    # Word joiners: a narrow cell breaks before the spread, never inside "(4–5)".
    return f"{number(found.mean)} ({number(found.low)}\u2060–\u2060{number(found.high)})"


def review_context(edition_id: int, application, *, values: dict | None = None, errors: dict | None = None) -> dict:
    """What the dossier shows of the review: the application as this person may see it, the sheet."""
    from .auth import may

    who = reviews.reader(edition_id, current_account())
    if not who.in_scope(application.id):
        abort(404)  # not among this reviewer's applications: as if it did not exist
    sheet = reviews.sheet(edition_id, application, who, may_review=may("applications.review", edition_id))
    if values is None and sheet.mine is not None:
        values = {f"score-{k}": str(s) for k, (s, _c) in sheet.mine.scores.items()} | {
            f"comment-{k}": c or "" for k, (_s, c) in sheet.mine.scores.items()}
    return {"shown": reviews.application_values(application, who), "hidden": rules.BLIND_FIELDS if who.blind else frozenset(),
            "sheet": sheet, "folded": who.may_decide and sheet.mine is None and not errors, "review_values": values or {}, "review_errors": errors or {}, "figure": figure,
            "number": number, "scores": range(rules.SCORE_MIN, rules.SCORE_MAX + 1),
            "comment_max": rules.COMMENT_MAX_CHARS}


@bp.post("/editions/<int:edition_id>/applications/<int:application_id>/review")
@requires("applications.review")
@db.write()
def review_application(edition_id: int, application_id: int):
    edition = edition_or_404(edition_id)
    found = review_service.dossier(edition_id, application_id)
    if found is None:
        abort(404)
    keys = [c.key for c in reviews.criteria(edition_id)]
    names = [f"{part}-{k}" for k in keys for part in ("score", "comment")]
    values = {name: request.form.get(name, "")[:rules.COMMENT_MAX_CHARS * 2] for name in names}
    try:
        parsed = rules.review_form(keys).parse(values)
    except Refused as refused:
        errors = {e.field: review_error(e.code, e.limit) for e in refused.errors}
        return _render_dossier(edition, found, status=400, review=review_context(
            edition_id, found.application, values=values, errors=errors))
    try:
        reviews.save_review(edition_id, application_id, current_account().id, rules.review_values(parsed, keys))
    except reviews.NotFound:
        abort(404)
    except reviews.OutOfScope:
        abort(404)
    flash(_("Merci : votre relecture est enregistrée."))
    return redirect(url_for(".application", edition_id=edition_id, application_id=application_id) + "#review", code=303)


@bp.get("/editions/<int:edition_id>/reviews")
@requires("applications.review")
@db.read()
def reviews_page(edition_id: int):
    edition = edition_or_404(edition_id)
    shown = reviews.criteria(edition_id)
    allowed = rules.sort_key_names([c.key for c in shown])
    sort = request.args.get("sort", "")
    if sort not in allowed:
        sort = rules.DEFAULT_SORT[0]
    order = request.args.get("order", "")
    descending = order != "asc" if order in ("asc", "desc") else (
        rules.DEFAULT_SORT[1] if sort not in ("reference", "project", "status") else False)
    who = reviews.reader(edition_id, current_account())
    rows = reviews.board(edition_id, who, sort=sort, descending=descending)
    return render_template("organiser/reviews/list.html", edition=edition, rows=rows, criteria=shown, who=who,
                           sort=sort, descending=descending, sort_labels={k: str(v) for k, v in SORT_LABELS.items()},
                           labels=_labels(), figure=figure, number=number, blind=reviews.is_blind(edition_id))


def _render_settings(edition, *, values=None, errors=None, pairs=None, blind=None, status: int = 200):
    shown = reviews.criteria(edition.id)
    return render_template(
        "organiser/reviews/settings.html", edition=edition, criteria=shown,
        values=values or {f"label-{c.key}": c.label for c in shown}, errors=errors or {},
        blind=reviews.is_blind(edition.id) if blind is None else blind,
        reviewers=reviews.reviewers(edition.id),
        applications=review_service.pool(edition.id).applications,
        pairs=reviews.assignments(edition.id) if pairs is None else pairs,
        max_chars=rules.CRITERION_MAX_CHARS), status


@bp.route("/editions/<int:edition_id>/reviews/settings", methods=["GET", "POST"])
@requires("applications.decide")
@by_method
def review_settings(edition_id: int):
    edition = edition_or_404(edition_id)
    if request.method == "GET":
        return _render_settings(edition)
    keys = [c.key for c in reviews.criteria(edition_id)]
    values = {f"label-{k}": request.form.get(f"label-{k}", "")[:rules.CRITERION_MAX_CHARS * 4] for k in keys + ["new"]}
    blind_value = request.form.get("blind", "")[:10]
    try:
        pairs = rules.parse_assignments(request.form.getlist("assign"))
    except ValueError:
        abort(400)
    try:
        parsed = rules.criteria_form(keys).parse({**values, "blind": blind_value})
        reviews.save_settings(edition_id, parsed, keys, pairs)
    except Refused as refused:
        errors = {e.field: review_error(e.code, e.limit) for e in refused.errors}
        return _render_settings(edition, values=values, errors=errors, pairs=pairs, blind=blind_value == "on", status=400)
    except rules.CriteriaRefused as refused:
        errors = {e.field: review_error(e.code, e.limit) for e in refused.errors}
        return _render_settings(edition, values=values, errors=errors, pairs=pairs, blind=blind_value == "on", status=400)
    except ValueError:
        abort(400)
    flash(_("Réglages de la relecture enregistrés."))
    return redirect(url_for(".review_settings", edition_id=edition_id), code=303)
