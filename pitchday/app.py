"""The application factory.

``create_app`` reads as the table of contents of the application.
"""
from __future__ import annotations

from pathlib import Path

from flask import Flask

from . import resources
from .config import Config
from .extensions import babel, csrf, db, rate_limits, socketio


class Pitchday(Flask):
    def url_for(self, endpoint: str, /, **values) -> str:
        """``url_for("static", filename=…)`` names the file's content-hashed URL (web/assets.py),
        which browsers cache for good; other endpoints as Flask does."""
        if endpoint == "static" and "pitchday_assets" in self.extensions and set(values) == {"filename"}:
            hashed = self.extensions["pitchday_assets"].url(values["filename"])
            if hashed is not None:
                return hashed
        return super().url_for(endpoint, **values)


def create_app(config: Config | None = None) -> Flask:
    config = config or Config()
    # The instance folder is where the default SQLite file goes: ./instance, as DATABASE_URL's default.
    app = Pitchday(__name__, template_folder=str(resources.TEMPLATES), static_folder=str(resources.STATIC),
                instance_path=str(Path("instance").resolve()))
    app.config.update(config.as_flask())
    register_extensions(app)
    register_blueprints(app)
    register_hooks(app)
    return app


def register_extensions(app: Flask) -> None:
    from .realtime import audience, handlers, moderation  # noqa: F401 -- handlers must exist before init_app
    from .services import access
    from .web.i18n import select_locale

    db.init_app(app)
    with app.app_context(), db.write():
        if not app.config.get("SECRET_KEY"):  # the one secret (access.signing_secret)
            app.config["SECRET_KEY"] = access.instance_secret()
        email, password = app.config.get("PITCHDAY_ADMIN_EMAIL"), app.config.get("PITCHDAY_ADMIN_PASSWORD")
        if email and password:
            from .services import accounts

            accounts.ensure_admin(email, password)  # the first admin, on a first start only
    babel.init_app(app, locale_selector=select_locale, default_translation_directories=str(resources.TRANSLATIONS))
    csrf.init_app(app)
    rate_limits.init_app(app)
    origins = app.config.get("PITCHDAY_ALLOWED_ORIGINS")
    socketio.init_app(
        app,
        async_mode=app.config["PITCHDAY_ASYNC_MODE"],
        message_queue=app.config.get("PITCHDAY_MESSAGE_QUEUE"),
        channel=app.config.get("PITCHDAY_MESSAGE_QUEUE_CHANNEL") or "flask-socketio",
        cors_allowed_origins=[o.strip() for o in origins.split(",")] if origins else None,
        max_http_buffer_size=app.config["PITCHDAY_MAX_FRAME_BYTES"],
        ping_interval=10, ping_timeout=10,  # notice a dead venue Wi-Fi link quickly
    )
    audience.install(app)  # the vote storm's event, on python-socketio itself (realtime/audience.py)
    # Every middleware below is chained by its bound ``__call__``, not the object: calling an object
    # goes through C (slot_tp_call) and nests a C frame of the interpreter, which every socket's
    # green thread, parked inside this chain for the socket's life, keeps saved: ~0.8 KB per layer
    # and per client (docs/benchmarks.md §5). A bound method is called without nesting.
    app.wsgi_app = app.wsgi_app.__call__  # Flask-SocketIO's middleware
    if app.config["PITCHDAY_TRUSTED_PROXIES"]:
        from werkzeug.middleware.proxy_fix import ProxyFix

        # Behind a reverse proxy the peer is the proxy: take the phone's address from X-Forwarded-For.
        proxies = app.config["PITCHDAY_TRUSTED_PROXIES"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies, x_host=proxies).__call__
    from .realtime.transport import RefuseUnknownPollingPackets

    # Before Engine.IO: a packet of unknown type would hang its POST and 500 the next (transport.py).
    app.wsgi_app = RefuseUnknownPollingPackets(app.wsgi_app,
                                               max_bytes=app.config["PITCHDAY_MAX_FRAME_BYTES"]).__call__

    from .realtime.transport import AdmitClients

    # Outside ProxyFix and the Socket.IO middleware: a client over the ceiling costs nothing more.
    app.wsgi_app = AdmitClients(app.wsgi_app, app).__call__
    if not app.config["PITCHDAY_WEBSOCKET_COMPRESSION"]:
        from .realtime.transport import DeclineWebSocketCompression

        # Outermost, so that the Socket.IO middleware installed by init_app never sees the offer.
        app.wsgi_app = DeclineWebSocketCompression(app.wsgi_app).__call__


def register_blueprints(app: Flask) -> None:
    from .web import api, apply, assets, audience, control_api, converters, organiser, pages, public, slides, speaker

    converters.register(app)
    assets.init_app(app)
    app.register_blueprint(pages.bp)
    app.register_blueprint(audience.bp)
    app.register_blueprint(apply.bp)
    app.register_blueprint(public.bp)
    app.register_blueprint(control_api.bp)  # before api.bp: its catch-all must not shadow /api/v1/control
    app.register_blueprint(api.bp)
    app.register_blueprint(organiser.bp)
    app.register_blueprint(speaker.bp)
    app.register_blueprint(slides.bp)
    from .web.organiser import audit, sso

    audit.init_app(app)  # the audit trail's hook on every write of the organiser area
    sso.init_app(app)
    app.register_blueprint(sso.bp)


def register_hooks(app: Flask) -> None:
    from .web.i18n import remember_language
    from .web.security import add_security_headers
    from flask_babel import get_locale

    from .realtime.transport import socket_event_sessions
    from .web.organiser.auth import SessionCookie

    # Secure behind HTTPS too, and opened once per socket rather than at every Socket.IO event.
    app.session_interface = socket_event_sessions(SessionCookie)
    app.after_request(add_security_headers)
    app.after_request(remember_language)
    app.jinja_env.globals["current_locale"] = lambda: str(get_locale())
    app.jinja_env.filters["paris"] = paris_time
    app.jinja_env.globals["accessibility_mention"] = accessibility_mention
    app.jinja_env.filters["breakable_address"] = breakable_address
    # French puts a (non-breaking) space before a colon, English does not: "Total : 3" / "Total: 3".
    app.jinja_env.globals["colon"] = lambda: "\u00a0: " if str(get_locale()) == "fr" else ": "


def breakable_address(address: str):
    """An e-mail address that may wrap after its "@" and its dots, never inside a word."""
    import re

    from markupsafe import Markup, escape

    return Markup("<wbr>").join(escape(part) for part in re.split(r"(?<=[@.])", address or ""))


def accessibility_mention() -> str:
    """The footer's link text, as the RGAA asks: "Accessibilité : partiellement conforme"."""
    from flask import g
    from flask_babel import gettext as _
    from sqlalchemy.exc import SQLAlchemyError

    from .domain.accessibility import CONFORMITY_LABELS
    from .extensions import db
    from .services import accessibility

    if "accessibility_level" not in g:
        try:
            with db.read():
                g.accessibility_level = accessibility.level()
        except SQLAlchemyError:  # an error page while the database is away still gets its footer
            g.accessibility_level = None
    level = g.accessibility_level
    if level is None:
        return _("Accessibilité")
    return _("Accessibilité : %(level)s", level=_(CONFORMITY_LABELS[level]))


# Named styles for the ``paris`` filter, whose patterns hold words ("à", "at") that depend on the language.
DATE_STYLES = {
    "fr": {"date": "d MMMM y", "datetime": "d MMMM y 'à' HH:mm", "datetime_seconds": "d MMMM y 'à' HH:mm:ss",
           "day_datetime": "EEEE d MMMM y 'à' HH:mm"},
    "en": {"date": "d MMMM y", "datetime": "d MMMM y 'at' HH:mm", "datetime_seconds": "d MMMM y 'at' HH:mm:ss",
           "day_datetime": "EEEE d MMMM y 'at' HH:mm"},
}


def paris_time(moment, pattern: str = "d MMMM y HH:mm") -> str:
    """A stored moment as people in Lille read it, in the page's language (Jinja filter ``paris``).

    ``pattern`` is a Babel date pattern, or a style of ``DATE_STYLES`` ("datetime", …).
    """
    from flask_babel import format_datetime, get_locale

    from .timeutil import as_utc

    if moment is None:
        return ""
    styles = DATE_STYLES.get(str(get_locale()), DATE_STYLES["fr"])
    return format_datetime(as_utc(moment), styles.get(pattern, pattern))
