"""The organiser area: one blueprint, a module per part of the work.

``__init__`` holds the login and the list of editions; ``editions`` the settings of an edition and
its moderator links; ``applications``, ``followup``, ``report`` and ``privacy`` the rest. Every
view but the login needs the organiser's session (``organiser_required``).
"""
from __future__ import annotations

import math
import re
from functools import wraps
from urllib.parse import quote, unquote, urlsplit

from flask import Blueprint, current_app, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_babel import lazy_gettext as _l
from ...extensions import db, rate_limits
from ...services import access
from ...services import editions as editions_service
from ..pages import public_base_url
from ..unit import by_method

bp = Blueprint("organiser", __name__, url_prefix="/organiser")

# The sections of an edition's pages and of the whole area, in the order of the work; a section
# appears once its module has registered its view.
EDITION_SECTIONS = (
    ("organiser.edition", _l("Vue d'ensemble")),
    ("organiser.applications", _l("Candidatures")),
    ("organiser.programme", _l("Programme")),
    ("organiser.durations", _l("Durées")),
    ("organiser.connections", _l("Échanges")),
    ("organiser.report", _l("Bilan")),
    ("organiser.edit_edition", _l("Réglages")),
)
# Pages that belong to a section without being its first page keep its tab highlighted.
SUBPAGES = {
    "organiser.application": "organiser.applications",
    "organiser.import_applications": "organiser.applications",
    "organiser.import_preview": "organiser.applications",
    "organiser.introduce": "organiser.connections",
    "organiser.digest": "organiser.connections",
}
AREA_LINKS = (
    ("organiser.dashboard", _l("Éditions")),
    ("organiser.privacy_settings", _l("Confidentialité")),
    ("organiser.personal_data", _l("Données personnelles")),
    ("organiser.audit_log", _l("Journal d'audit")),
)


@bp.context_processor
def navigation():
    def present(links):
        return [(endpoint, str(label)) for endpoint, label in links if endpoint in current_app.view_functions]
    return {"edition_sections": present(EDITION_SECTIONS), "area_links": present(AREA_LINKS),
            "current_section": SUBPAGES.get(request.endpoint, request.endpoint)}


def organiser_required(view):
    @wraps(view)
    def wrapper(*args, **kwargs):
        with db.read():
            valid = access.organiser_session_valid(session.get("organiser"))
        if not valid:
            session.pop("organiser", None)  # a stale generation: gone (the CSRF token stays)
            return redirect(url_for("organiser.login", next=quote(request.path)))
        return view(*args, **kwargs)
    return wrapper


# A path of this site: printable ASCII, no backslash (browsers read it as "/"), and not "//" (another
# host); once percent-decoded, still no control character, backslash or leading "//".
_SAFE_PATH = re.compile(r"/(?![/\\])[\x21-\x5b\x5d-\x7e]*")
_SAFE_DECODED = re.compile(r"/(?![/\\])[^\x00-\x1f\x7f\\]*")
MAX_NEXT_CHARS = 2000


def same_site_path(target: str) -> str | None:
    """``target`` if it is a relative path of this site, else None: never an open redirect."""
    if len(target) > MAX_NEXT_CHARS or not _SAFE_PATH.fullmatch(target):
        return None
    decoded = unquote(target)
    if not _SAFE_DECODED.fullmatch(decoded):
        return None
    if any(urlsplit(form).scheme or urlsplit(form).netloc for form in (target, decoded)):
        return None
    return target


def _attempt_login(password: str):
    """(error, status, throttle decision); no error means the session is open."""
    throttle = rate_limits.login_allowed(request.remote_addr)
    if not throttle.allowed:
        # Whatever the password: a throttled address learns nothing, not even a right guess.
        minutes = max(1, math.ceil(throttle.retry_after_s / 60))
        return ngettext("Trop de tentatives de connexion. Réessayez dans %(num)d minute.",
                        "Trop de tentatives de connexion. Réessayez dans %(num)d minutes.",
                        minutes), 429, throttle
    if len(password) <= 200 and access.check_organiser_password(password):
        session.clear()
        session["organiser"] = access.organiser_session_generation()
        return None, 302, throttle
    rate_limits.login_failed(request.remote_addr)
    if not access.organiser_password_is_set():
        return _("Aucun mot de passe organisateur n'est défini : lancez « pitchday set-password »."), 401, throttle
    return _("Mot de passe incorrect."), 401, throttle


@bp.route("/login", methods=["GET", "POST"])
@by_method
def login():
    error, status, throttle = None, 200, None
    if request.method == "POST":
        with rate_limits.login_lock:
            error, status, throttle = _attempt_login(request.form.get("password", ""))
        if error is None:
            return redirect(same_site_path(request.args.get("next", "")) or url_for(".dashboard"))
    response = current_app.make_response((render_template("organiser/login.html", error=error), status))
    if status == 429:
        response.headers["Retry-After"] = str(throttle.retry_after_s)
    return response


@bp.post("/logout")
@db.write()
def logout():
    # The cookie is signed, not stored: ending the session server-side means that no cookie of
    # this generation opens the area any more (one shared password: every organiser session).
    if access.organiser_session_valid(session.get("organiser")):
        access.end_organiser_sessions()
    session.clear()
    return redirect(url_for(".login"))


@bp.get("/")
@organiser_required
@db.read()
def dashboard():
    return render_template("organiser/dashboard.html", editions=editions_service.all_editions(),
                           base_url=public_base_url())


# The modules add their views to ``bp`` when imported (at the end: they import ``bp`` from here).
from . import applications, audit, editions, followup, privacy, report  # noqa: E402,F401
