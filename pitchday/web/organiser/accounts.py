"""The team's accounts: the admin's page (invite, roles, disable), the invited person's and the
forgetful person's password pages, "my account" (sign out everywhere), the first admin of an
instance upgraded from the shared password, and the console opened from an account."""
from __future__ import annotations

from email.headerregistry import Address

from flask import abort, current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from ...domain import access as rules
from ...extensions import db, rate_limits
from ...models import Edition
from ...services import accounts as service
from ...services import editions as editions_service
from ...services import mail
from ..pages import public_base_url
from ..unit import by_method
from . import bp, requires
from .auth import current_account, open_session

ROLE_LABELS = {rules.ADMIN: _l("Administrateur"), rules.ORGANISER: _l("Organisateur"),
               rules.REVIEWER: _l("Relecteur"), rules.REGIE: _l("Régie")}


def _messages() -> dict:
    """What each refusal of the accounts service says, per (field, code)."""
    return {
        ("email", "required"): _("Indiquez une adresse e-mail."),
        ("email", "invalid"): _("Cette adresse e-mail n'est pas valide."),
        ("email", "taken"): _("Un compte existe déjà avec cette adresse."),
        ("email", "not_first"): _("Le premier compte administrateur existe déjà."),
        ("display_name", "required"): _("Indiquez un nom."),
        ("display_name", "too_long"): _("Le nom ne doit pas dépasser %(num)d caractères.", num=service.MAX_NAME_CHARS),
        ("password", "too_short"): _("Le mot de passe doit compter au moins %(num)d caractères.",
                                     num=service.MIN_PASSWORD_CHARS),
        ("password", "too_long"): _("Le mot de passe ne doit pas dépasser %(num)d caractères.",
                                    num=service.MAX_PASSWORD_CHARS),
        ("password", "common"): _("Ce mot de passe est trop courant ou trop facile à deviner : choisissez-en un autre."),
        ("password", "mismatch"): _("Les deux mots de passe ne sont pas identiques."),
        ("role", "unknown"): _("Rôle inconnu."),
        ("role", "last_admin"): _("C'est le dernier compte administrateur : donnez d'abord ce rôle à quelqu'un d'autre."),
        ("account", "last_admin"): _("C'est le dernier compte administrateur : il ne peut pas être désactivé."),
        ("account", "unknown"): _("Compte inconnu."),
        ("edition", "unknown"): _("Édition inconnue."),
        ("token", "invalid"): _("Ce lien n'est plus valable (déjà utilisé, expiré ou révoqué)."),
    }


def _refusal(refused: service.AccountRefused) -> str:
    return _messages().get((refused.field, refused.code), _("Saisie refusée."))


def _field(name: str, limit: int = 300) -> str:
    return request.form.get(name, "")[:limit]


def _new_password() -> str:
    password, again = _field("password", 400), _field("password_again", 400)
    if password != again:
        raise service.AccountRefused("password", "mismatch")
    return password


def _edition_field() -> int | None:
    """The edition chosen in a role form: "" for every edition; an unknown one is refused."""
    value = _field("edition", 20).strip()
    if value == "":
        return None
    if not value.isdigit() or len(value) > 18:
        raise service.AccountRefused("edition", "unknown")
    return int(value)


def _role_field() -> str:
    role = _field("role", 20)
    if role not in rules.ROLES:
        raise service.AccountRefused("role", "unknown")
    return role


def _link(endpoint: str, token: str) -> str:
    return public_base_url() + url_for(endpoint, token=token)


def _send(to_email: str, to_name: str, subject: str, body: str) -> bool:
    """Send through the configured SMTP server; False when there is none (the page shows the link)."""
    settings = mail.smtp_settings()
    if settings is None:
        return False
    message = mail.compose(to=[Address(display_name=to_name, addr_spec=to_email)], subject=subject, body=body)
    mail.send(message, settings)
    return True


# -- the admin's page ----------------------------------------------------------------------------

def _accounts_page(*, error: str | None = None, status: int = 200, shown_link: str | None = None, values=None):
    editions = editions_service.all_editions()
    titles = {e.id: e.title for e in editions}
    return render_template("organiser/accounts/list.html", accounts=service.all_accounts(), editions=editions,
                           titles=titles, role_labels={k: str(v) for k, v in ROLE_LABELS.items()},
                           roles=rules.ROLES, error=error, shown_link=shown_link, values=values or {},
                           me=current_account()), status


@bp.get("/accounts")
@requires("accounts")
@db.read()
def accounts():
    return _accounts_page()


@bp.post("/accounts/invite")
@requires("accounts")
@db.write()
def invite():
    values = {"email": _field("email", 300), "display_name": _field("display_name", 200),
              "role": _field("role", 20), "edition": _field("edition", 20)}
    try:
        with db.current().begin_nested():  # a failed e-mail leaves no account behind
            account, token = service.invite(values["email"], values["display_name"], role=_role_field(),
                                            edition_id=_edition_field())
            link = _link("organiser.accept_invitation", token)
            body = _("Bonjour %(name)s,\n\nVous êtes invité·e à rejoindre l'équipe d'organisation sur pitchday.\n"
                     "Choisissez votre mot de passe en ouvrant ce lien (valable 7 jours, une seule fois) :\n\n"
                     "%(link)s\n", name=account.display_name, link=link)
            sent = _send(account.email, account.display_name, _("Invitation à l'espace organisateurs pitchday"), body)
    except service.AccountRefused as refused:
        return _accounts_page(error=_refusal(refused), status=400, values=values)
    except mail.MailError as failure:
        return _accounts_page(error=failure.reason, status=502, values=values)
    if sent:
        flash(_("Invitation envoyée par e-mail."))
        return redirect(url_for(".accounts"), code=303)
    flash(_("Pas de serveur d'envoi configuré : copiez ce lien et transmettez-le à la personne invitée."))
    return _accounts_page(shown_link=link)


def _account_or_404(account_id: int):
    account = service.account_by_id(account_id)
    if account is None:
        abort(404)
    return account


@bp.post("/accounts/<int:account_id>/roles")
@requires("accounts")
@db.write()
def add_role(account_id: int):
    _account_or_404(account_id)
    try:
        service.grant(account_id, _role_field(), _edition_field())
    except service.AccountRefused as refused:
        return _accounts_page(error=_refusal(refused), status=400)
    flash(_("Rôle donné."))
    return redirect(url_for(".accounts"), code=303)


@bp.post("/accounts/<int:account_id>/roles/remove")
@requires("accounts")
@db.write()
def remove_role(account_id: int):
    _account_or_404(account_id)
    try:
        removed = service.revoke(account_id, _role_field(), _edition_field())
    except service.AccountRefused as refused:
        return _accounts_page(error=_refusal(refused), status=400)
    flash(_("Rôle retiré.") if removed else _("Ce compte n'avait pas ce rôle."))
    return redirect(url_for(".accounts"), code=303)


@bp.post("/accounts/<int:account_id>/disable")
@requires("accounts")
@db.write()
def disable_account(account_id: int):
    account = _account_or_404(account_id)
    try:
        service.disable(account)
    except service.AccountRefused as refused:
        return _accounts_page(error=_refusal(refused), status=400)
    flash(_("Compte désactivé : ses sessions et sa console sont coupées."))
    return redirect(url_for(".accounts"), code=303)


@bp.post("/accounts/<int:account_id>/enable")
@requires("accounts")
@db.write()
def enable_account(account_id: int):
    service.enable(_account_or_404(account_id))
    flash(_("Compte réactivé."))
    return redirect(url_for(".accounts"), code=303)


@bp.post("/accounts/<int:account_id>/reset-link")
@requires("accounts")
@db.write()
def reset_link(account_id: int):
    """A password-reset link made by an admin, shown to copy (for an instance without SMTP)."""
    account = _account_or_404(account_id)
    if account.disabled_at is not None:
        return _accounts_page(error=_("Ce compte est désactivé."), status=400)
    link = _link("organiser.reset_password", service.issue_token(account, "reset"))
    flash(_("Lien de réinitialisation (valable 1 heure, une seule fois) : transmettez-le à la personne."))
    return _accounts_page(shown_link=link)


# -- links that set a password: an invitation, a reset ------------------------------------------

def _password_page(token: str, purpose: str, endpoint: str):
    found = service.token_account(token, purpose)
    if found is None:
        return render_template("organiser/accounts/set_password.html", invalid=True, purpose=purpose), 410
    _row, account = found
    if request.method == "GET":
        return render_template("organiser/accounts/set_password.html", account=account, purpose=purpose)
    try:
        account = service.use_token(token, purpose, _new_password())
    except service.AccountRefused as refused:
        return render_template("organiser/accounts/set_password.html", account=account, purpose=purpose,
                               error=_refusal(refused)), 400
    open_session(account)
    flash(_("Mot de passe enregistré : vous êtes connecté·e."))
    return redirect(url_for(".dashboard"), code=303)


@bp.route("/invitation/<token>", methods=["GET", "POST"])
@by_method
def accept_invitation(token: str):
    return _password_page(token, "invitation", ".accept_invitation")


@bp.route("/password/reset/<token>", methods=["GET", "POST"])
@by_method
def reset_password(token: str):
    return _password_page(token, "reset", ".reset_password")


@bp.route("/password/forgot", methods=["GET", "POST"])
@by_method
def forgot_password():
    """The same answer whether or not the address has an account; a link by e-mail when it has."""
    if request.method == "GET":
        return render_template("organiser/accounts/forgot.html", smtp=mail.smtp_settings() is not None)
    email = _field("email", 300)
    throttle = rate_limits.login_allowed(request.remote_addr, email)
    if throttle.allowed:
        rate_limits.login_failed(request.remote_addr, email)  # a reset request costs like a failed login
        account = service.account_by_email(email)
        if account is not None and account.disabled_at is None and mail.smtp_settings() is not None:
            link = _link("organiser.reset_password", service.issue_token(account, "reset"))
            body = _("Bonjour %(name)s,\n\nPour choisir un nouveau mot de passe pitchday, ouvrez ce lien "
                     "(valable 1 heure, une seule fois) :\n\n%(link)s\n\nSi vous n'avez rien demandé, ignorez ce message.\n",
                     name=account.display_name, link=link)
            try:
                _send(account.email, account.display_name, _("Nouveau mot de passe pitchday"), body)
            except mail.MailError:
                current_app.logger.warning("password reset e-mail not sent (SMTP failure)")
    return render_template("organiser/accounts/forgot.html", smtp=mail.smtp_settings() is not None, sent=True)


# -- my account ----------------------------------------------------------------------------------

@bp.get("/me")
@requires("signed_in")
@db.read()
def my_sessions():
    account = current_account()
    titles = {e.id: e.title for e in editions_service.all_editions()}
    return render_template("organiser/accounts/me.html", account=account, titles=titles,
                           role_labels={k: str(v) for k, v in ROLE_LABELS.items()})


@bp.post("/me/sign-out-everywhere")
@requires("signed_in")
@db.write()
def sign_out_everywhere():
    service.end_sessions(db.current().merge(current_account()))
    session.clear()
    flash(_("Toutes vos sessions sont fermées."))
    return redirect(url_for(".login"), code=303)


@bp.post("/me/password")
@requires("signed_in")
@db.write()
def change_password():
    account = db.current().merge(current_account())
    if service.check_password(account.email, _field("current_password", 400)) is None:
        return render_template("organiser/accounts/me.html", account=account, titles={}, role_labels={},
                               error=_("Mot de passe actuel incorrect.")), 400
    try:
        service.set_password(account, _new_password())
    except service.AccountRefused as refused:
        return render_template("organiser/accounts/me.html", account=account, titles={}, role_labels={},
                               error=_refusal(refused)), 400
    open_session(account)  # this browser stays signed in; every other session has ended
    flash(_("Mot de passe changé : vos autres sessions sont fermées."))
    return redirect(url_for(".my_sessions"), code=303)


# -- the first admin of an instance that had the shared password ---------------------------------

@bp.route("/first-admin", methods=["GET", "POST"])
@by_method
def first_admin():
    if not session.get("first_admin") or not service.shared_password_pending():
        return redirect(url_for(".login"))
    if request.method == "GET":
        return render_template("organiser/accounts/first_admin.html", values={})
    values = {"email": _field("email", 300), "display_name": _field("display_name", 200)}
    try:
        account = service.create_first_admin(values["email"], values["display_name"], _new_password())
    except service.AccountRefused as refused:
        return render_template("organiser/accounts/first_admin.html", values=values, error=_refusal(refused)), 400
    open_session(account)
    flash(_("Compte administrateur créé : l'ancien mot de passe partagé ne fonctionne plus."))
    return redirect(url_for(".accounts"), code=303)


# -- the console, opened by a signed-in régie or organiser ---------------------------------------

@bp.get("/editions/<int:edition_id>/console")
@requires("live")
@db.read()
def console(edition_id: int):
    edition = db.current().get(Edition, edition_id)
    if edition is None:
        abort(404)
    return redirect(url_for("pages.moderator", slug=edition.slug), code=303)
