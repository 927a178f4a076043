"""The organiser area: login, moderator links and their QR codes."""
from __future__ import annotations

import base64
from functools import wraps

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from sqlalchemy import select

from ..extensions import db
from ..models import Edition
from ..services import access, qr
from ..timeutil import PARIS, as_utc
from .pages import public_base_url

bp = Blueprint("organiser", __name__, url_prefix="/organiser")


def organiser_required(view):
    @wraps(view)
    def wrapper(*args, **kwargs):
        if not session.get("organiser"):
            return redirect(url_for("organiser.login", next=request.path))
        return view(*args, **kwargs)
    return wrapper


@bp.route("/login", methods=["GET", "POST"])
def login():
    error = None
    if request.method == "POST":
        password = request.form.get("password", "")
        if len(password) <= 200 and access.check_organiser_password(password):
            session.clear()
            session["organiser"] = True
            target = request.args.get("next", "")
            # Only local paths: never an open redirect.
            return redirect(target if target.startswith("/") and not target.startswith("//") else url_for(".dashboard"))
        error = _("Mot de passe incorrect.") if access.organiser_password_is_set() else \
            _("Aucun mot de passe organisateur n'est défini : lancez « pitchday set-password ».")
    return render_template("organiser/login.html", error=error), (401 if error else 200)


@bp.post("/logout")
def logout():
    session.clear()
    return redirect(url_for(".login"))


def _link_view(link):
    url = f"{public_base_url()}/m/{access.moderator_token(link)}"
    return {
        "id": link.id, "label": link.label, "url": url,
        "qr": "data:image/svg+xml;base64," + base64.b64encode(qr.svg(url)).decode(),
        "expires": as_utc(link.expires_at).astimezone(PARIS).strftime("%d/%m/%Y %H:%M"),
        "revoked": link.revoked_at is not None,
    }


@bp.get("/")
@organiser_required
def dashboard():
    with db.transaction() as s:
        all_editions = list(s.scalars(select(Edition).order_by(Edition.starts_at.desc())))
    links = {e.id: [_link_view(link) for link in access.moderator_links(e.id)] for e in all_editions}
    return render_template("organiser/dashboard.html", editions=all_editions, links=links,
                           base_url=public_base_url())


@bp.post("/editions/<int:edition_id>/moderator-links")
@organiser_required
def create_link(edition_id: int):
    with db.transaction() as s:
        if s.get(Edition, edition_id) is None:
            abort(404)
    label = request.form.get("label", "").strip()[:100]
    access.create_moderator_link(edition_id, hours=current_app.config["PITCHDAY_MODERATOR_LINK_HOURS"], label=label)
    flash(_("Lien de régie créé."))
    return redirect(url_for(".dashboard"))


@bp.post("/moderator-links/<int:link_id>/revoke")
@organiser_required
def revoke_link(link_id: int):
    if access.revoke_moderator_link(link_id):
        flash(_("Lien révoqué : les tablettes qui l'utilisaient n'ont plus accès à la régie."))
    return redirect(url_for(".dashboard"))


def parse_duration(text: str) -> int | None:
    """"5:00" or "5" (minutes) to milliseconds; None when blank; ValueError when malformed."""
    text = text.strip()
    if not text:
        return None
    if len(text) > 6:
        raise ValueError
    minutes, _, seconds = text.partition(":")
    if not minutes.isdigit() or (seconds and (not seconds.isdigit() or len(seconds) != 2 or int(seconds) > 59)):
        raise ValueError
    ms = (int(minutes) * 60 + int(seconds or 0)) * 1000
    if not 0 < ms <= 60 * 60 * 1000:
        raise ValueError
    return ms


def format_duration(ms: int | None) -> str:
    return "" if ms is None else f"{ms // 60000}:{ms // 1000 % 60:02d}"


@bp.route("/editions/<int:edition_id>/durations", methods=["GET", "POST"])
@organiser_required
def durations(edition_id: int):
    from ..services import editions
    from ..services import show as show_service

    edition = editions.get_edition(edition_id)
    if edition is None:
        abort(404)
    values = {"pitch": format_duration(edition.pitch_ms), "qa": format_duration(edition.qa_ms)}
    for talk in edition.talks:
        values[f"pitch-{talk.id}"] = format_duration(talk.pitch_ms)
        values[f"qa-{talk.id}"] = format_duration(talk.qa_ms)
    errors: dict[str, str] = {}
    if request.method == "POST":
        values = {key: request.form.get(key, "")[:10] for key in values}
        parsed = {}
        for key, text in values.items():
            try:
                parsed[key] = parse_duration(text)
            except ValueError:
                errors[key] = _("Durée entre 0:01 et 60:00, au format minutes:secondes (ex. 5:00).")
        for key in ("pitch", "qa"):
            if key not in errors and parsed[key] is None:
                errors[key] = _("Indiquez une durée (ex. 5:00).")
        if not errors:
            show_service.set_durations(
                edition_id, pitch_ms=parsed["pitch"], qa_ms=parsed["qa"],
                overrides={t.id: (parsed[f"pitch-{t.id}"], parsed[f"qa-{t.id}"]) for t in edition.talks})
            flash(_("Durées enregistrées."))
            return redirect(url_for(".durations", edition_id=edition_id))
    return render_template("organiser/durations.html", edition=edition, values=values, errors=errors), \
        (400 if errors else 200)


@bp.get("/editions/<int:edition_id>/connections")
@organiser_required
def connections(edition_id: int):
    """The connect requests of the evening, grouped by talk (who wants to meet whom, and why)."""
    from ..services import connections as connection_service
    from ..services import editions
    from .i18n import INTENT_LABELS

    edition = editions.get_edition(edition_id)
    if edition is None:
        abort(404)
    groups = connection_service.by_talk(edition_id)
    # Lazy strings count as safe markup in Jinja: made plain strings so that they are escaped.
    intents = {code: str(label) for code, label in INTENT_LABELS.items()}
    return render_template("organiser/connections.html", edition=edition, groups=groups, intents=intents,
                           paris=lambda moment: as_utc(moment).astimezone(PARIS).strftime("%d/%m/%Y %H:%M"),
                           total=sum(len(requests) for _talk, requests in groups))
