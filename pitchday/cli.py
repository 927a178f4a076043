"""The ``pitchday`` command: serve, demo, database migrations, team accounts, links, purge."""
import os

# eventlet must patch the standard library before anything else is imported.
if os.environ.get("PITCHDAY_ASYNC_MODE", "eventlet") == "eventlet":  # pragma: no branch
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # eventlet announces its bugfix-only status on import
        import eventlet

    eventlet.monkey_patch()
elif os.environ.get("PITCHDAY_ASYNC_MODE") == "gevent":
    from gevent import monkey

    monkey.patch_all()

import click  # noqa: E402


@click.group()
def main() -> None:
    """pitchday — run a live pitch evening."""


@main.group()
def db() -> None:
    """Database schema (Alembic migrations)."""


@db.command("upgrade")
def db_upgrade() -> None:
    """Create or update the schema to the latest migration."""
    from .config import Config
    from .migrate import upgrade

    upgrade(Config().DATABASE_URL)
    click.echo("Schema up to date.")


@main.group()
def user() -> None:
    """The organising team's accounts (each person their own; roles global or per edition)."""


ROLE_CHOICES = ("admin", "organisateur", "relecteur", "regie")


@user.command("add")
@click.argument("email")
@click.option("--role", type=click.Choice(ROLE_CHOICES), required=True, help="The role to give.")
@click.option("--edition", "edition_slug", default=None, help="Slug of the edition (default: every edition).")
@click.option("--name", default=None, help="The person's name (default: the part of the address before the @).")
@click.option("--ask", is_flag=True, help="Ask for the password instead of printing a generated one.")
def user_add(email: str, role: str, edition_slug: str | None, name: str | None, ask: bool) -> None:
    """Create an account with a role; prints its one-time password (or asks for one with --ask)."""
    password = click.prompt("Password", hide_input=True, confirmation_prompt=True) if ask else _one_time_password()
    app = _app()
    from .services import accounts, editions

    with app.app_context(), db_write():
        edition_id = None
        if edition_slug is not None:
            edition = editions.edition_by_slug(edition_slug)
            if edition is None:
                raise click.BadParameter(f"no edition {edition_slug!r}", param_hint="--edition")
            edition_id = edition.id
        try:
            # A printed password is one-time: the person chooses their own at first sign-in.
            account = accounts.create_account(email, name or email.partition("@")[0], password=password,
                                              one_time=not ask)
            accounts.grant(account.id, role, edition_id)
        except accounts.AccountRefused as refused:
            raise click.BadParameter(f"{refused.field}: {refused.code}") from None
        from .extensions import db as database
        from .services import audit

        # No actor: the command line (whoever holds the server's shell).
        audit.record(database.current(), "cli.user_add", edition_id=edition_id, object_type="account",
                     object_id=account.id, detail={"role": role})
        if role == "admin" and edition_id is None:
            from .services import access

            access.forget_organiser_password()  # an admin exists: the shared password of old opens nothing
    click.echo(f"Account {account.email} created ({role}{' of ' + edition_slug if edition_slug else ''}).")
    if not ask:
        click.echo(f"One-time password: {password}   (change it in « Mon compte » after signing in)")


@user.command("password")
@click.argument("email")
@click.option("--ask", is_flag=True, help="Ask for the password instead of printing a generated one.")
def user_password(email: str, ask: bool) -> None:
    """Give an account a new password (its sessions end); prints it, or asks for it with --ask."""
    password = click.prompt("Password", hide_input=True, confirmation_prompt=True) if ask else _one_time_password()
    app = _app()
    from .services import accounts

    with app.app_context(), db_write():
        account = accounts.account_by_email(email)
        if account is None:
            raise click.BadParameter(f"no account {email!r}")
        try:
            accounts.set_password(account, password, one_time=not ask)
        except accounts.AccountRefused as refused:
            raise click.BadParameter(f"{refused.field}: {refused.code}") from None
        from .extensions import db as database
        from .services import audit

        audit.record(database.current(), "cli.user_password", object_type="account", object_id=account.id)
    click.echo(f"New password set for {account.email}; its sessions have ended.")
    if not ask:
        click.echo(f"One-time password: {password}   (change it in « Mon compte » after signing in)")


@user.command("list")
def user_list() -> None:
    """The accounts and their roles."""
    app = _app()
    from .services import accounts

    with app.app_context(), db_write():
        for account in accounts.all_accounts():
            roles = ", ".join(f"{g.role}" + (f"@{g.edition_id}" if g.edition_id else "") for g in account.grants)
            state = " (disabled)" if account.disabled_at else ""
            click.echo(f"{account.email}\t{account.display_name}\t{roles or '-'}{state}")


def _one_time_password() -> str:
    import secrets

    return secrets.token_urlsafe(15)  # 20 characters, about 120 bits


@main.command()
def purge() -> None:
    """Erase personal data past its retention period (also done at every start of the server)."""
    app = _app()
    with app.app_context(), db_write():
        _purge()


def _purge() -> None:
    from .services import privacy

    erased = privacy.purge()
    if any(erased.values()):
        click.echo("Données personnelles échues effacées : " + ", ".join(f"{k} {v}" for k, v in erased.items() if v))
    else:
        click.echo("Aucune donnée personnelle échue.")


@main.command("moderator-link")
@click.argument("slug")
@click.option("--base-url", default=None,
              help="Address the tablet opens (default: PITCHDAY_PUBLIC_URL, else this machine's LAN address).")
@click.option("--port", default=5000, type=int, show_default=True, help="Port of the server, for the default address.")
@click.option("--hours", default=None, type=int,
              help="Lifetime in hours (default: PITCHDAY_MODERATOR_LINK_HOURS, else until 6 h after the evening).")
@click.option("--label", default="")
def moderator_link(slug: str, base_url: str | None, port: int, hours: int | None, label: str) -> None:
    """Create a moderator link for an edition and print it with its QR code."""
    app = _app()
    if base_url is None:
        from .lan import demo_address

        base_url = _announce_address(demo_address(public_url=app.config.get("PITCHDAY_PUBLIC_URL"),
                                                  host="0.0.0.0", port=port))
    with app.app_context(), db_write():
        _print_moderator_link(app, slug, base_url, label, hours=hours)


def _print_moderator_link(app, slug: str, base_url: str, label: str, *, hours: int | None = None) -> None:
    from .services import access, qr
    from .services import editions

    edition = editions.edition_by_slug(slug)
    if edition is None:
        raise click.BadParameter(f"no edition {slug!r}")
    if hours is None:
        hours = app.config.get("PITCHDAY_MODERATOR_LINK_HOURS")  # None: until the evening is over
    link, token = access.create_moderator_link(edition.id, hours=hours, label=label or "terminal")
    url = f"{base_url.rstrip('/')}/m/{token}"
    click.echo(f"  Régie (moderator) : {url}")
    click.echo(f"                      (valable jusqu'au {_paris(link.expires_at)})")
    click.echo(qr.terminal(url))


def _paris(moment) -> str:
    from .timeutil import PARIS, as_utc

    return as_utc(moment).astimezone(PARIS).strftime("%d/%m/%Y %H:%M")


def _announce_address(address) -> str:
    """Say where the links point and whether the venue's phones can open them; the base URL."""
    if address.source == "public_url":
        click.echo(f"  Adresse publique (PITCHDAY_PUBLIC_URL) : {address.base_url}")
    elif address.source == "lan":
        click.echo(f"  Adresse sur le réseau local : {address.base_url} "
                   "(téléphones et tablette sur le même Wi-Fi ; PITCHDAY_PUBLIC_URL pour une autre adresse)")
    else:
        click.secho(f"  ATTENTION : {address.base_url} n'est joignable que depuis cette machine : les téléphones "
                    "et la tablette ne pourront pas ouvrir ces liens ni leurs QR codes. Reliez la machine au réseau "
                    "de la salle (et servez sur --host 0.0.0.0) ou définissez PITCHDAY_PUBLIC_URL.", fg="yellow", err=True)
    return address.base_url


def db_write():
    """A write unit of work of the database bound by ``_app()`` (imported late: see the top)."""
    from .extensions import db

    return db.write()


def _app():
    from .config import Config
    from .migrate import upgrade

    upgrade(Config().DATABASE_URL)  # the schema exists before any code touches it
    from . import create_app

    return create_app()


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, type=int, show_default=True)
def serve(host: str, port: int) -> None:
    """Serve pitchday (Socket.IO with eventlet unless PITCHDAY_ASYNC_MODE says otherwise)."""
    app = _app()
    _run(app, host, port)


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, type=int, show_default=True)
def demo(host: str, port: int) -> None:
    """Load the demo edition (10th Jeudi du numérique), print its links, and serve it.

    The links and QR codes name PITCHDAY_PUBLIC_URL, else (serving on every interface, as
    ``make demo`` does) this machine's address on the local network, else 127.0.0.1 with a warning."""
    app = _app()
    from .lan import demo_address
    from .services import editions

    address = demo_address(public_url=app.config.get("PITCHDAY_PUBLIC_URL"), host=host, port=port)
    with app.app_context(), db_write():
        edition = editions.load_demo_edition()
        click.echo(f"\npitchday — {edition.title} : {edition.theme}\n")
        base = _announce_address(address)
        if address.source == "lan":
            # The projector's QR code and short address name it too, whichever address the projector opened.
            app.config["PITCHDAY_PUBLIC_URL"] = base
        click.echo(f"  Projecteur        : {base}/e/{edition.slug}/projector")
        click.echo(f"  Scène (orateur)   : {base}/e/{edition.slug}/stage")
        click.echo(f"  Public (QR code)  : {base}/e/{edition.slug}/")
        click.echo(f"  Organisateurs     : {base}/organiser/")
        _demo_password_hint()
        _print_moderator_link(app, edition.slug, base, "demo")
    _run(app, host, port)


DEMO_ADMIN_EMAIL = "admin@demo-pitchday.example.org"


def _demo_password_hint() -> None:
    """A new user gets a working admin account; an existing password is never printed."""
    from .services import accounts

    click.echo(f"  Compte admin      : {DEMO_ADMIN_EMAIL}")
    if accounts.account_by_email(DEMO_ADMIN_EMAIL) is not None:
        click.echo(f"                      (mot de passe déjà défini ; nouveau : pitchday user password {DEMO_ADMIN_EMAIL})")
        return
    password = _one_time_password()
    account = accounts.create_account(DEMO_ADMIN_EMAIL, "Admin démo", password=password, one_time=True)
    accounts.grant(account.id, "admin", None)
    click.echo(f"  Mot de passe org. : {password}   (à usage unique : changez-le dans « Mon compte »)")


def _run(app, host: str, port: int) -> None:
    from .extensions import socketio
    from .process import prepare_for_serving
    from .realtime import scheduler

    with app.app_context(), db_write():
        _purge()  # retention is enforced at every start, not only when someone remembers the command
    scheduler.start(app)
    prepare_for_serving()
    limits = _raise_limits(app)
    click.echo(f"Serving on http://{host}:{port} (async mode: {socketio.async_mode}, up to "
               f"{limits.max_clients} clients). Ctrl+C to stop.")
    if socketio.async_mode == "eventlet":
        _serve_eventlet(app, host, port, limits)
    else:
        socketio.run(app, host=host, port=port, log_output=False, allow_unsafe_werkzeug=True)


def _raise_limits(app):
    """The process's ceilings above PITCHDAY_MAX_CLIENTS (services/capacity.py): open files now."""
    from .services import capacity

    limits = capacity.server_limits(app.config["PITCHDAY_MAX_CLIENTS"])
    soft, _hard = capacity.raise_open_files(limits.open_files)
    if soft < limits.open_files:
        click.echo(f"Warning: {soft} open files allowed (ulimit -n), {limits.open_files} needed for "
                   f"{limits.max_clients} clients: raise the hard limit (LimitNOFILE= in the systemd unit).", err=True)
    return limits


def _serve_eventlet(app, host: str, port: int, limits) -> None:
    """What ``socketio.run`` does in eventlet mode, with the pool and the backlog sized for the
    process's clients: eventlet's defaults (1024 green threads, a backlog of 50) would leave the
    1025th phone hanging, never refused."""
    import eventlet
    import eventlet.green.socket
    import eventlet.wsgi

    addresses = eventlet.green.socket.getaddrinfo(host, port)
    if not addresses:
        raise click.ClickException(f"Cannot resolve {host}")
    listener = eventlet.listen(addresses[0][4], addresses[0][0], backlog=limits.backlog)
    # The app's bound __call__, not the app: no nested C frame kept by every socket's green thread (app.py).
    eventlet.wsgi.server(listener, getattr(app, "__call__", app), log_output=False, max_size=limits.pool_size)


if __name__ == "__main__":
    main()
