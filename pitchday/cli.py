"""The ``pitchday`` command: serve, demo, database migrations, organiser password, links, purge."""
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


@main.command("set-password")
@click.option("--password", prompt=True, hide_input=True, confirmation_prompt=True,
              help="The organiser password (asked for when omitted).")
def set_password(password: str) -> None:
    """Set the organiser password (stored hashed with scrypt)."""
    app = _app()
    from .services import access

    with app.app_context(), db_write():
        try:
            access.set_organiser_password(password)
        except ValueError as error:
            raise click.BadParameter(str(error)) from error
    click.echo("Organiser password set.")


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
@click.option("--base-url", default="http://127.0.0.1:5000", show_default=True)
@click.option("--label", default="")
def moderator_link(slug: str, base_url: str, label: str) -> None:
    """Create a moderator link for an edition and print it with its QR code."""
    app = _app()
    with app.app_context(), db_write():
        _print_moderator_link(app, slug, base_url, label)


def _print_moderator_link(app, slug: str, base_url: str, label: str) -> None:
    from .services import access, qr
    from .services import editions

    edition = editions.edition_by_slug(slug)
    if edition is None:
        raise click.BadParameter(f"no edition {slug!r}")
    _link, token = access.create_moderator_link(edition.id, hours=app.config["PITCHDAY_MODERATOR_LINK_HOURS"],
                                                label=label or "terminal")
    url = f"{base_url.rstrip('/')}/m/{token}"
    click.echo(f"  Régie (moderator) : {url}")
    click.echo(qr.terminal(url))


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
    """Load the demo edition (10th Jeudi du numérique), print its links, and serve it."""
    app = _app()
    from .services import editions

    shown_host = "127.0.0.1" if host in ("0.0.0.0", "::") else host
    base = app.config.get("PITCHDAY_PUBLIC_URL") or f"http://{shown_host}:{port}"
    with app.app_context(), db_write():
        edition = editions.load_demo_edition()
        click.echo(f"\npitchday — {edition.title} : {edition.theme}\n")
        click.echo(f"  Projecteur        : {base}/e/{edition.slug}/projector")
        click.echo(f"  Scène (orateur)   : {base}/e/{edition.slug}/stage")
        click.echo(f"  Public (QR code)  : {base}/e/{edition.slug}/")
        click.echo(f"  Organisateurs     : {base}/organiser/")
        _demo_password_hint()
        _print_moderator_link(app, edition.slug, base, "demo")
    _run(app, host, port)


def _demo_password_hint() -> None:
    """A new user gets a working organiser login; an existing password is never printed."""
    import secrets

    from .services import access

    if access.organiser_password_is_set():
        click.echo("                      (mot de passe organisateur déjà défini)")
        return
    password = secrets.token_urlsafe(12)
    access.set_organiser_password(password)
    click.echo(f"  Mot de passe org. : {password}   (changez-le : pitchday set-password)")


def _run(app, host: str, port: int) -> None:
    from .extensions import socketio
    from .process import prepare_for_serving
    from .realtime import scheduler

    with app.app_context(), db_write():
        _purge()  # retention is enforced at every start, not only when someone remembers the command
    scheduler.start(app)
    prepare_for_serving()
    click.echo(f"Serving on http://{host}:{port} (async mode: {socketio.async_mode}). Ctrl+C to stop.")
    socketio.run(app, host=host, port=port, log_output=False, allow_unsafe_werkzeug=True)


if __name__ == "__main__":
    main()
