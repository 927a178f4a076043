"""The organiser area: one blueprint, a module per part of the work.

``__init__`` holds the login and the list of editions; ``auth`` who is signed in and what they may
open; ``accounts`` the team's accounts; ``editions`` the settings of an edition and its moderator
links; ``applications``, ``followup``, ``report`` and ``privacy`` the rest. Every view but the
sign-in pages declares its permission (``@requires``); the blueprint refuses any that did not.
"""
from __future__ import annotations

import math
import re
from urllib.parse import quote, unquote, urlsplit

from flask import Blueprint, current_app, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_babel import lazy_gettext as _l
from ...extensions import db, rate_limits
from ...services import access
from ...services import accounts as accounts_service
from ...services import editions as editions_service
from ..pages import public_base_url
from ..unit import by_method
from .auth import current_account, may, open_session, requires

bp = Blueprint("organiser", __name__, url_prefix="/organiser")

# The sections of an edition's pages and of the whole area, in the order of the work; a section
# appears once its module has registered its view.
EDITION_SECTIONS = (
    ("organiser.edition", _l("Vue d'ensemble")),
    ("organiser.applications", _l("Candidatures")),
    ("organiser.reviews_page", _l("Relecture")),
    ("organiser.programme", _l("Programme")),
    ("organiser.outbox_page", _l("Messages")),
    ("organiser.durations", _l("Durées")),
    ("organiser.connections", _l("Échanges")),
    ("organiser.report", _l("Bilan")),
    ("organiser.edit_edition", _l("Réglages")),
    ("organiser.console", _l("Console")),
    ("organiser.control_devices", _l("Télécommandes")),  # branch control
)
# A tab shown only to who may also do this: a reviewer's "Candidatures" would lead to the review list.
TAB_NEEDS_TOO = {"organiser.applications": "applications.decide"}
# Pages that belong to a section without being its first page keep its tab highlighted.
SUBPAGES = {
    "organiser.application": "organiser.applications",
    "organiser.import_applications": "organiser.applications",
    "organiser.import_preview": "organiser.applications",
    "organiser.rundown_import": "organiser.programme",
    "organiser.introduce": "organiser.connections",
    "organiser.digest": "organiser.connections",
    "organiser.review_settings": "organiser.reviews_page",
    "organiser.outbox_message": "organiser.outbox_page",
    "organiser.outbox_templates": "organiser.outbox_page",
    "organiser.outbox_template": "organiser.outbox_page",
}
AREA_LINKS = (
    ("organiser.dashboard", _l("Éditions")),
    ("organiser.privacy_settings", _l("Confidentialité")),
    ("organiser.personal_data", _l("Données personnelles")),
    ("organiser.accessibility_settings", _l("Accessibilité")),
    ("organiser.accounts", _l("Comptes")),
    ("organiser.audit_log", _l("Journal d'audit")),
    ("organiser.my_sessions", _l("Mon compte")),
)


def _permission_of(endpoint: str) -> str | None:
    from .auth import PERMISSION_ATTRIBUTE

    return getattr(current_app.view_functions.get(endpoint), PERMISSION_ATTRIBUTE, None)


@bp.context_processor
def navigation():
    """The links the signed-in person may open, and only those (each page checks again)."""
    edition_id = (request.view_args or {}).get("edition_id")
    account = current_account()

    def present(links, edition_id):
        shown = []
        for endpoint, label in links:
            permission = _permission_of(endpoint) if endpoint in current_app.view_functions else None
            if permission is None:
                continue
            also = TAB_NEEDS_TOO.get(endpoint)
            if also and not accounts_service.can(account, also, edition_id):
                continue
            if permission == "signed_in" or accounts_service.can(account, permission, edition_id):
                shown.append((endpoint, str(label)))
        return shown
    section = SUBPAGES.get(request.endpoint, request.endpoint)
    with db.read():
        if section == "organiser.applications" and edition_id is not None \
                and not accounts_service.can(account, "applications.decide", edition_id):
            section = "organiser.reviews_page"  # a reviewer's applications are the review list
        return {"edition_sections": present(EDITION_SECTIONS, edition_id), "area_links": present(AREA_LINKS, None),
                "current_section": section,
                "current_account": account, "may": may}


@bp.before_request
def _check_access():
    from .auth import check_access

    return check_access()


@bp.errorhandler(403)
def forbidden(_error):
    """A refusal says so in the person's language, and shows nothing of what was asked for."""
    return render_template("organiser/forbidden.html", edition=None), 403


def organiser_required(view):
    """Kept for the modules that still import it: the checking is ``@requires`` + ``check_access``
    (a view with only this decorator declares no permission, so it answers 403: fail closed)."""
    return view


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


LOGIN_FIELD_CHARS = 254


def _attempt_login(email: str, password: str):
    """(error, status, throttle decision, account); no error means the account may be signed in.

    One answer for every failure: whether the address has an account is never told."""
    account_key = email if len(email) <= LOGIN_FIELD_CHARS else email[:LOGIN_FIELD_CHARS]
    throttle = rate_limits.login_allowed(request.remote_addr, account_key)
    if not throttle.allowed:
        # Whatever the password: a throttled address learns nothing, not even a right guess.
        minutes = max(1, math.ceil(throttle.retry_after_s / 60))
        return ngettext("Trop de tentatives de connexion. Réessayez dans %(num)d minute.",
                        "Trop de tentatives de connexion. Réessayez dans %(num)d minutes.",
                        minutes), 429, throttle, None
    account = None
    if len(email) <= LOGIN_FIELD_CHARS and len(password) <= accounts_service.MAX_PASSWORD_CHARS:
        account = accounts_service.check_password(email, password)
        if account is None and accounts_service.shared_password_pending() \
                and access.check_organiser_password(password):
            return None, 302, throttle, "first_admin"
    if account is not None:
        return None, 302, throttle, account
    rate_limits.login_failed(request.remote_addr, account_key)
    return _("Adresse e-mail ou mot de passe incorrect."), 401, throttle, None


@bp.route("/login", methods=["GET", "POST"])
@by_method
def login():
    error, status, throttle, email = None, 200, None, ""
    if request.method == "POST":
        email = request.form.get("email", "")
        with rate_limits.login_lock:
            error, status, throttle, account = _attempt_login(email, request.form.get("password", ""))
        if account == "first_admin":
            # The shared password of an earlier version: it opens one thing, the first admin's creation.
            session.clear()
            session["first_admin"] = True
            return redirect(url_for(".first_admin"))
        if error is None:
            open_session(account, method="password")
            return redirect(same_site_path(request.args.get("next", "")) or url_for(".dashboard"))
    response = current_app.make_response((render_template(
        "organiser/login.html", error=error, email=email[:LOGIN_FIELD_CHARS],
        first_start=not accounts_service.admin_count() and not accounts_service.shared_password_pending(),
        reset_possible=True), status))
    if status == 429:
        response.headers["Retry-After"] = str(throttle.retry_after_s)
    return response


@bp.post("/logout")
@db.write()
def logout():
    # The cookie is signed, not stored: ending the session server-side means that no cookie of this
    # account's generation opens the area any more (the same person's other sessions end with it).
    account = current_account()
    if account is not None:
        accounts_service.end_sessions(db.current().merge(account))
    session.clear()
    return redirect(url_for(".login"))


@bp.get("/")
@requires("area")
@db.read()
def dashboard():
    allowed = accounts_service.editions_allowed(current_account())
    shown = [e for e in editions_service.all_editions() if allowed is None or e.id in allowed]
    from ...services import privacy

    return render_template("organiser/dashboard.html", editions=shown, base_url=public_base_url(),
                           privacy_contact_missing=not privacy.notice_settings()["dpo_contact"])


# The modules add their views to ``bp`` when imported (at the end: they import ``bp`` from here).
from . import accounts, applications, audit, editions, followup, outbox, privacy, report, reviews, rundown, slides  # noqa: E402,F401
from . import control  # noqa: E402,F401 -- branch control
from . import schedule_export  # noqa: E402,F401  (branch digest)
