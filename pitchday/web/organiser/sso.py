"""Single sign-on with OpenID Connect: "Se connecter avec <nom>" on the login page.

Off unless ``PITCHDAY_OIDC_ISSUER`` and ``PITCHDAY_OIDC_CLIENT_ID`` are set (the routes are then 404).
Authlib's Flask client does the protocol: the endpoints come from the issuer's discovery document
(fetched at the first sign-in, not at start); the authorization code flow carries a state, a nonce
and a PKCE challenge (S256), all kept in the signed session cookie; the callback checks the state,
exchanges the code with the client secret and verifies the id_token (signature against the
provider's keys, issuer, audience, expiry, nonce). Who may then sign in is ``services/oidc``'s rule.
The callback is a GET (the provider redirects the browser there) and writes nothing to the database:
it keeps the verified account in the session and answers a form that the page posts at once to
``finish``, which writes the sign-in to the audit trail (as a password sign-in does) and signs in.
"""
from __future__ import annotations

import logging
import re
import time

import requests
from authlib.integrations.base_client import OAuthError
from flask import Blueprint, abort, current_app, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from joserfc.errors import JoseError

from ...extensions import db
from ...services import accounts, oidc
from . import auth, same_site_path

bp = Blueprint("sso", __name__, url_prefix="/organiser/login/sso")
log = logging.getLogger(__name__)

EXTENSION = "pitchday_sso"
NEXT_KEY = "sso_next"
PENDING_KEY = "sso_verified"  # [account id, session generation, when verified (epoch s)]
PENDING_MAX_S = 120  # the page posts at once; a verified sign-in left longer is started again
PROVIDER_TIMEOUT_S = 10


def init_app(app) -> None:
    """Register the provider with Authlib when single sign-on is configured (one client per app)."""
    issuer, client_id = app.config.get("PITCHDAY_OIDC_ISSUER"), app.config.get("PITCHDAY_OIDC_CLIENT_ID")
    if not (issuer and client_id):
        return
    from authlib.integrations.flask_client import OAuth

    oauth = OAuth(app)
    oauth.register(
        "sso",
        client_id=client_id,
        client_secret=app.config.get("PITCHDAY_OIDC_CLIENT_SECRET"),
        server_metadata_url=issuer.rstrip("/") + "/.well-known/openid-configuration",
        client_kwargs={"scope": "openid email profile", "code_challenge_method": "S256",
                       "default_timeout": PROVIDER_TIMEOUT_S},
    )
    app.extensions[EXTENSION] = oauth.sso


def _client():
    client = current_app.extensions.get(EXTENSION)
    if client is None:
        abort(404)
    return client


@bp.app_context_processor
def sso_button():
    """The login page's button label, when single sign-on is on."""
    if EXTENSION not in current_app.extensions:
        return {"sso_label": None}
    name = current_app.config.get("PITCHDAY_OIDC_NAME")
    return {"sso_label": _("Se connecter avec %(name)s", name=name) if name else _("Connexion unique (SSO)")}


_ERROR_CODE = re.compile(r"[a-z_]{1,40}")


def _plain(code) -> str:
    """An OAuth error code as it may go to the log (it comes from a URL): a word, or "unexpected"."""
    return code if isinstance(code, str) and _ERROR_CODE.fullmatch(code) else "unexpected"


def _refused(message: str, status: int):
    return render_template("organiser/sso_refused.html", message=message), status


REFUSAL_MESSAGES = {
    "no_email": lambda: _("Le fournisseur d'identité n'a pas donné d'adresse e-mail."),
    "unverified": lambda: _("Le fournisseur d'identité ne garantit pas votre adresse e-mail : "
                            "la connexion unique n'est pas possible avec ce compte."),
    "unknown": lambda: _("Aucun compte de l'équipe ne correspond à cette adresse. Demandez une invitation "
                         "à un administrateur : la connexion unique ne crée pas de compte."),
    "disabled": lambda: _("Ce compte est désactivé."),
    "no_role": lambda: _("Ce compte n'a encore aucun rôle : un administrateur doit vous en donner un."),
}


@bp.get("")
def start():
    client = _client()
    target = same_site_path(request.args.get("next", ""))
    if target:
        session[NEXT_KEY] = target
    else:
        session.pop(NEXT_KEY, None)
    try:
        return client.authorize_redirect(url_for(".callback", _external=True))
    except (requests.RequestException, ValueError, KeyError, RuntimeError) as error:
        # The discovery document could not be fetched or read.
        log.warning("single sign-on: the provider's discovery failed (%s)", type(error).__name__)
        return _refused(_("Le fournisseur d'identité ne répond pas. Réessayez plus tard ou connectez-vous "
                          "avec votre mot de passe."), 502)


@bp.get("/callback")
@db.read()
def callback():
    client = _client()
    try:
        token = client.authorize_access_token()
    except OAuthError as error:
        # A state that this browser did not start (a forged or replayed callback), an error from the
        # provider (the person cancelled), or a refused code exchange.
        log.warning("single sign-on refused: %s", _plain(error.error))
        return _refused(_("La connexion unique n'a pas abouti (demande expirée, annulée ou ne venant pas de "
                          "ce navigateur). Recommencez depuis la page de connexion."), 400)
    except JoseError as error:
        log.warning("single sign-on refused: the id_token is not valid (%s)", _plain(error.error))
        return _refused(_("La réponse du fournisseur d'identité n'est pas valide."), 400)
    except requests.RequestException as error:
        log.warning("single sign-on: the provider could not be reached (%s)", type(error).__name__)
        return _refused(_("Le fournisseur d'identité ne répond pas. Réessayez plus tard."), 502)
    claims = token.get("userinfo")
    if not claims:
        log.warning("single sign-on refused: no id_token")
        return _refused(_("La réponse du fournisseur d'identité n'est pas valide."), 400)
    try:
        account = oidc.account_for(dict(claims))
    except oidc.SsoRefused as refusal:
        log.warning("single sign-on refused: %s", refusal.code)  # the code only: never the address
        return _refused(REFUSAL_MESSAGES[refusal.code](), 403)
    session[PENDING_KEY] = [account.id, account.session_generation, int(time.time())]
    return render_template("organiser/sso_finish.html")


@bp.post("/finish")
@db.write()
def finish():
    """The verified sign-in of the callback (once): audited, then the session opens."""
    pending = session.pop(PENDING_KEY, None)
    account = None
    if isinstance(pending, list) and len(pending) == 3 and isinstance(pending[2], int) \
            and 0 <= time.time() - pending[2] <= PENDING_MAX_S:
        account = accounts.session_matches(pending[0], pending[1])  # still enabled, nothing changed since
    if account is None:
        return _refused(_("La connexion unique a expiré ou a déjà servi. Recommencez depuis la page de "
                          "connexion."), 400)
    target = session.pop(NEXT_KEY, None)
    auth.open_session(account, method="sso")
    return redirect(same_site_path(target or "") or url_for("organiser.dashboard"), code=303)
