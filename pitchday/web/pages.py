"""The live screens: projector, stage, moderator console and audience page."""
from __future__ import annotations

from flask import Blueprint, Response, abort, current_app, redirect, render_template, request, send_from_directory, url_for
from flask_babel import format_date, format_time

from .. import resources
from ..extensions import db
from ..services import access, editions, presenter, qr
from ..timeutil import PARIS, as_utc
from .i18n import script_strings

bp = Blueprint("pages", __name__)

# Files of the Socket.IO browser client we serve (from node_modules, installed from npm at set-up,
# or from the wheel: see pitchday/resources.py).
VENDOR_FILES = frozenset({"socket.io.esm.min.js", "socket.io.esm.min.js.map"})


def public_base_url() -> str:
    return (current_app.config.get("PITCHDAY_PUBLIC_URL") or request.host_url).rstrip("/")


def audience_url(slug: str) -> str:
    return f"{public_base_url()}/e/{slug}/"


def edition_or_404(slug: str):
    found = editions.with_talks_by_slug(slug)
    if found is None:
        abort(404)
    return found


def render_view(view: str, slug: str, **extra):
    edition = edition_or_404(slug)
    starts, ends = as_utc(edition.starts_at).astimezone(PARIS), as_utc(edition.ends_at).astimezone(PARIS)
    url = audience_url(edition.slug)
    if view == "audience":
        extra.setdefault("talks", presenter.talk_cards(edition))  # what the phones' state leaves out
    return render_template(
        f"{view}.html", view=view, edition=edition, i18n=script_strings(), rules=presenter.view_rules(),
        date_label=format_date(starts, "full"), hours_label=f"{format_time(starts, 'HH:mm')}–{format_time(ends, 'HH:mm')}",
        audience_url=url, short_url=url.split("://", 1)[-1].rstrip("/"), **extra,
    )


@bp.get("/")
def index():
    return render_template("index.html")


@bp.get("/e/<slug>/projector")
@db.read()
def projector(slug: str):
    return render_view("projector", slug)


@bp.get("/e/<slug>/stage")
@db.read()
def stage(slug: str):
    edition = edition_or_404(slug)
    # With the moderator's cookie, a presenter remote (PageDown / PageUp, arrows) turns the slides from here.
    remote = access.moderator_from_cookie(request.cookies.get(access.MODERATOR_COOKIE), edition.id) is not None
    return render_view("stage", slug, remote=remote)


@bp.get("/e/<slug>/moderator")
@db.read()
def moderator(slug: str):
    edition = edition_or_404(slug)
    if access.moderator_from_cookie(request.cookies.get(access.MODERATOR_COOKIE), edition.id) is None:
        from .organiser.auth import console_key  # a signed-in régie or organiser needs no link

        if console_key(edition.id) is None:
            return render_template("moderator_locked.html", edition=edition), 403
    return render_view("moderator", slug)


@bp.get("/m/<token>")
@db.read()
def redeem_moderator_link(token: str):
    """Swap the link's token for an HttpOnly cookie, then drop the token from the URL."""
    redeemed = access.redeem_token(token) if len(token) < 512 else None
    if redeemed is None:
        return render_template("moderator_locked.html", edition=None, expired=True), 403
    link, cookie = redeemed
    edition = editions.get_edition(link.edition_id)
    response = redirect(url_for("pages.moderator", slug=edition.slug), code=303)
    response.set_cookie(access.MODERATOR_COOKIE, cookie, max_age=access.cookie_lifetime_s(link), httponly=True,
                        samesite="Lax", secure=current_app.config["SESSION_COOKIE_SECURE"], path="/")
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/qr/<slug>.svg")
@db.read()
def audience_qr(slug: str):
    edition = edition_or_404(slug)
    quiet = 2 if request.args.get("quiet") == "2" else 4  # ?quiet=2: a thinner margin, for a code on a white card
    response = Response(qr.svg(audience_url(edition.slug), quiet=quiet), mimetype="image/svg+xml")
    response.headers["Cache-Control"] = "public, max-age=300"
    return response


@bp.get("/vendor/<name>")
def vendor(name: str):
    if name not in VENDOR_FILES:
        abort(404)
    return send_from_directory(resources.SOCKETIO_CLIENT, name, max_age=3600)


@bp.get("/healthz")
def healthz():
    return {"ok": True}
