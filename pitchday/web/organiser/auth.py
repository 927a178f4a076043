"""Who is signed in to the organiser area, and whether they may open what they asked for.

- ``open_session(account)``: after a password or single sign-on login; the session is cleared
  (rotated) and then holds the account id and its ``session_generation``.
- ``current_account()``: the signed-in, enabled account of this request (cached on ``flask.g``),
  or None. ``g.account_id`` is set for every organiser request (the audit trail reads it).
- ``@requires(permission)`` declares what a view needs (``domain/access.PERMISSIONS``). The
  blueprint's ``check_access`` (a ``before_request``) does the checking, FAIL CLOSED: a view of
  the blueprint that declared nothing (and is not in ``PUBLIC_ENDPOINTS``) answers 403.
  The edition a permission is asked for comes from the view's arguments: ``edition_id``, or the
  edition of the moderator link (``link_id``).
"""
from __future__ import annotations

from urllib.parse import quote

from flask import abort, current_app, g, redirect, request, session, url_for

from ...extensions import db
from ...models import ModeratorLink
from ...services import accounts

SESSION_KEY = "account"  # [account id, session generation]
PERMISSION_ATTRIBUTE = "required_permission"
# The endpoints of the organiser blueprint that anybody may open (signing in and its links).
PUBLIC_ENDPOINTS = {"organiser.login", "organiser.logout", "organiser.first_admin", "organiser.accept_invitation",
                    "organiser.forgot_password", "organiser.reset_password", "organiser.static"}
# Endpoints that need a signed-in person but no particular permission (the person's own sessions).
SIGNED_IN = "signed_in"
# What an account with a one-time password may open until it has chosen its own: "Mon compte"
# (where the password is changed) and signing out; any other page leads there.
PASSWORD_CHANGE_ENDPOINTS = {"organiser.my_sessions", "organiser.change_password", "organiser.sign_out_everywhere"}


WRITE_PERMISSION_ATTRIBUTE = "required_write_permission"


def requires(permission: str, *, write: str | None = None):
    """Declare the permission a view needs (checked by ``check_access`` before the view runs);
    ``write``: what a POST to it needs as well (a page that anyone who reads may open, whose form
    only some may send)."""
    from ...domain.access import PERMISSIONS

    for name in (permission, write):
        if name is not None and name not in PERMISSIONS and name != SIGNED_IN:
            raise ValueError(f"unknown permission {name!r}")

    def mark(view):
        setattr(view, PERMISSION_ATTRIBUTE, permission)
        setattr(view, WRITE_PERMISSION_ATTRIBUTE, write)
        return view
    return mark


def permissions_of(view, method: str) -> list[str]:
    """What a request with ``method`` to ``view`` needs, in order; [] when it declared nothing."""
    permission = getattr(view, PERMISSION_ATTRIBUTE, None)
    if permission is None:
        return []
    write = getattr(view, WRITE_PERMISSION_ATTRIBUTE, None)
    return [permission] + ([write] if write and method not in ("GET", "HEAD", "OPTIONS") else [])


def open_session(account, *, method: str | None = None) -> None:
    """Sign ``account`` in: a new session (the old one's content, CSRF token included, is gone).

    ``method`` ("password", "sso"): a sign-in, written to the audit trail in the caller's write (the
    account is its actor); None: the same person's session renewed (after a password change)."""
    if method is not None:
        from ...services import audit

        audit.record(db.current(), "organiser.sign_in", object_type="account", object_id=account.id,
                     actor_id=account.id, detail={"method": method})
    session.clear()
    session[SESSION_KEY] = [account.id, account.session_generation]
    session.permanent = False
    g.pop("account", None)
    g.account_id = account.id


def close_session() -> None:
    session.clear()
    g.pop("account", None)
    g.account_id = None


def _session_account():
    stored = session.get(SESSION_KEY)
    if not (isinstance(stored, list) and len(stored) == 2):
        return None
    return accounts.session_matches(stored[0], stored[1])


def current_account():
    """The signed-in, enabled account of this request, or None (read once per request)."""
    if "account" not in g:
        with db.read():  # takes part in the view's unit of work when one is open
            g.account = _session_account()
        g.account_id = g.account.id if g.account is not None else None
    return g.account


def may(permission: str, edition_id: int | None = None) -> bool:
    """For templates and views: whether the signed-in person may ``permission`` (for an edition)."""
    return accounts.can(current_account(), permission, edition_id)


def edition_of_request(view_args: dict) -> int | None:
    """The edition a request is about, from its view arguments (None: no edition in particular)."""
    if "edition_id" in view_args:
        return view_args["edition_id"]
    if "link_id" in view_args:
        link = db.current().get(ModeratorLink, view_args["link_id"])
        return link.edition_id if link is not None else None
    return None


def check_access():
    """``before_request`` of the organiser blueprint: every endpoint declared, every check made."""
    endpoint = request.endpoint
    g.account_id = None
    if endpoint is None:
        return None  # a 404: nothing to check
    if endpoint in PUBLIC_ENDPOINTS:
        return None
    needed = permissions_of(current_app.view_functions.get(endpoint), request.method)
    if not needed:
        abort(403)  # fail closed: a view that declared no permission opens for nobody
    with db.read():
        account = current_account()
        if account is None:
            session.pop(SESSION_KEY, None)  # a stale or ended session: gone (the CSRF token stays)
            if request.method in ("GET", "HEAD"):
                return redirect(url_for("organiser.login", next=quote(request.full_path.rstrip("?"))))
            return redirect(url_for("organiser.login"))
        if accounts.must_change_password(account) and endpoint not in PASSWORD_CHANGE_ENDPOINTS:
            return redirect(url_for("organiser.my_sessions"), code=303)
        needed = [p for p in needed if p != SIGNED_IN]
        edition_id = edition_of_request(request.view_args or {}) if needed else None
        allowed = all(accounts.can(account, p, edition_id) for p in needed)
    if not allowed:
        abort(403)
    return None


def console_holder() -> str:
    """The name of the signed-in person, shown to the consoles as who is at the controls."""
    account = current_account()
    return account.display_name if account is not None else ""


def console_key(edition_id: int) -> str | None:
    """What opens the moderator console of ``edition_id`` for the signed-in account (a régie or
    organiser of it): the key its presence record holds in place of a link's, checked at every
    event (``access.link_still_valid``); None when the account may not."""
    from ...services import access

    account = current_account()
    if account is None or accounts.must_change_password(account) or not accounts.can(account, "live", edition_id):
        return None
    return access.account_console_key(account.id, account.session_generation, edition_id)


from flask.sessions import SecureCookieSessionInterface  # noqa: E402


class SessionCookie(SecureCookieSessionInterface):
    """The Flask session cookie, ``Secure`` also whenever the request came over HTTPS (a proxy in
    front, trusted through ``PITCHDAY_TRUSTED_PROXIES``), not only when the config says so."""

    def get_cookie_secure(self, app) -> bool:
        from flask import has_request_context

        return super().get_cookie_secure(app) or (has_request_context() and request.is_secure)
