"""Settings, read from PITCHDAY_* environment variables with safe defaults."""
from __future__ import annotations

import os
from dataclasses import dataclass, field

from .domain.audience import DEVICE_WARMUP_MS


def _env(name: str, default: str | None = None) -> str | None:
    value = os.environ.get(f"PITCHDAY_{name}")
    return value if value not in (None, "") else default


def _optional_int(value: str | None) -> int | None:
    return None if value is None else int(value)


def _env_bool(name: str, default: bool) -> bool:
    value = _env(name)
    return default if value is None else value.lower() in ("1", "true", "yes", "on")


@dataclass
class Config:
    # sqlite file in ./instance by default; postgresql+psycopg2://… for PostgreSQL
    DATABASE_URL: str = field(default_factory=lambda: _env("DATABASE_URL", "sqlite:///instance/pitchday.sqlite3"))
    # Signs the session, moderator links and device cookies. Generated once and stored in the
    # database when unset, so cookies survive restarts.
    SECRET_KEY: str | None = field(default_factory=lambda: _env("SECRET_KEY"))
    # The first admin account, created on the first start when no admin exists (for a PaaS, where
    # nobody runs ``pitchday user add``); ignored once an admin exists.
    ADMIN_EMAIL: str | None = field(default_factory=lambda: _env("ADMIN_EMAIL"))
    ADMIN_PASSWORD: str | None = field(default_factory=lambda: _env("ADMIN_PASSWORD"))
    # Public base URL printed in links and QR codes (e.g. https://pitch.example.org).
    PUBLIC_URL: str | None = field(default_factory=lambda: _env("PUBLIC_URL"))
    ASYNC_MODE: str = field(default_factory=lambda: _env("ASYNC_MODE", "eventlet"))
    MESSAGE_QUEUE: str | None = field(default_factory=lambda: _env("MESSAGE_QUEUE"))
    # The queue's pub/sub channel: two instances sharing one Redis (or two test runs) need distinct ones.
    MESSAGE_QUEUE_CHANNEL: str = field(default_factory=lambda: _env("MESSAGE_QUEUE_CHANNEL", "flask-socketio"))
    # Comma-separated origins allowed to open a Socket.IO connection; empty = same origin only.
    # Where rate-limit counters live: memory:// (one process) or redis://… (several); default: the queue.
    RATE_LIMIT_STORAGE: str | None = field(default_factory=lambda: _env("RATE_LIMIT_STORAGE"))
    # How many proxies in front of pitchday set X-Forwarded-For (0: none; the address is the peer's).
    TRUSTED_PROXIES: int = field(default_factory=lambda: int(_env("TRUSTED_PROXIES", "0")))
    ALLOWED_ORIGINS: str | None = field(default_factory=lambda: _env("ALLOWED_ORIGINS"))
    # Who is responsible for the personal data collected (named in every consent and privacy notice).
    PRIVACY_CONTROLLER: str = field(default_factory=lambda: _env("PRIVACY_CONTROLLER", "la Métropole Européenne de Lille"))
    # How people exercise their rights (an e-mail address or a postal address), shown in the privacy notice.
    PRIVACY_CONTACT: str | None = field(default_factory=lambda: _env("PRIVACY_CONTACT"))
    # Lifetime of every moderator link when set; unset: each link lasts until its evening is over
    # (services/access.create_moderator_link).
    MODERATOR_LINK_HOURS: int | None = field(default_factory=lambda: _optional_int(_env("MODERATOR_LINK_HOURS")))
    DEFAULT_LOCALE: str = field(default_factory=lambda: _env("DEFAULT_LOCALE", "fr"))
    SECURE_COOKIES: bool = field(default_factory=lambda: _env_bool("SECURE_COOKIES", False))
    # permessage-deflate on WebSockets: off, it costs ~110 KB of memory per phone (docs/benchmarks.md).
    WEBSOCKET_COMPRESSION: bool = field(default_factory=lambda: _env_bool("WEBSOCKET_COMPRESSION", False))
    # Outgoing e-mail (the introductions after the evening). No host: nothing is sent, the organiser
    # downloads each message as a draft (.eml) instead.
    SMTP_HOST: str | None = field(default_factory=lambda: _env("SMTP_HOST"))
    SMTP_PORT: int = field(default_factory=lambda: int(_env("SMTP_PORT", "587")))
    SMTP_USERNAME: str | None = field(default_factory=lambda: _env("SMTP_USERNAME"))
    SMTP_PASSWORD: str | None = field(default_factory=lambda: _env("SMTP_PASSWORD"))
    # starttls (port 587), ssl (port 465) or none (a relay on the same machine or network only).
    SMTP_SECURITY: str = field(default_factory=lambda: _env("SMTP_SECURITY", "starttls"))
    MAIL_FROM: str = field(default_factory=lambda: _env("MAIL_FROM", "pitchday@localhost"))
    # Files pitchday keeps beside its database (the talks' rendered slides, in slides/<sha256>/).
    DATA_DIR: str = field(default_factory=lambda: _env("DATA_DIR", "instance/data"))
    # The organisers' own suspect words or phrases, comma-separated, added to the packaged lists
    # (services/suspects.py): a question containing one waits for the moderator, flagged.
    SUSPECT_WORDS: str | None = field(default_factory=lambda: _env("SUSPECT_WORDS"))
    # Sockets one process holds; beyond, a new client is refused at once (services/capacity.py). The
    # green-thread pool, gunicorn's worker connections and the open-files limit are set above it.
    MAX_CLIENTS: int = field(default_factory=lambda: int(_env("MAX_CLIENTS", "6000")))
    # Single sign-on (OpenID Connect), off unless the issuer and the client id are set. The issuer's
    # discovery document (ISSUER/.well-known/openid-configuration) gives every endpoint; NAME is the
    # provider's name on the login page ("Se connecter avec <NAME>").
    OIDC_ISSUER: str | None = field(default_factory=lambda: _env("OIDC_ISSUER"))
    OIDC_CLIENT_ID: str | None = field(default_factory=lambda: _env("OIDC_CLIENT_ID"))
    OIDC_CLIENT_SECRET: str | None = field(default_factory=lambda: _env("OIDC_CLIENT_SECRET"))
    OIDC_NAME: str | None = field(default_factory=lambda: _env("OIDC_NAME"))
    # Largest Socket.IO frame accepted (bytes): commands are tiny.
    MAX_FRAME_BYTES: int = 16 * 1024
    # How long a phone's socket must be open before its device may submit (domain.audience).
    DEVICE_WARMUP_MS: int = DEVICE_WARMUP_MS
    TESTING: bool = False

    def as_flask(self) -> dict:
        return {
            "PITCHDAY_DATABASE_URL": self.DATABASE_URL,
            "SECRET_KEY": self.SECRET_KEY,
            "PITCHDAY_ADMIN_EMAIL": self.ADMIN_EMAIL,
            "PITCHDAY_ADMIN_PASSWORD": self.ADMIN_PASSWORD,
            "PITCHDAY_PUBLIC_URL": self.PUBLIC_URL,
            "PITCHDAY_ASYNC_MODE": self.ASYNC_MODE,
            "PITCHDAY_MESSAGE_QUEUE": self.MESSAGE_QUEUE,
            "PITCHDAY_MESSAGE_QUEUE_CHANNEL": self.MESSAGE_QUEUE_CHANNEL,
            "PITCHDAY_ALLOWED_ORIGINS": self.ALLOWED_ORIGINS,
            "PITCHDAY_RATE_LIMIT_STORAGE": self.RATE_LIMIT_STORAGE or (
                self.MESSAGE_QUEUE if (self.MESSAGE_QUEUE or "").startswith("redis") else "memory://"),
            "PITCHDAY_TRUSTED_PROXIES": self.TRUSTED_PROXIES,
            "PITCHDAY_MODERATOR_LINK_HOURS": self.MODERATOR_LINK_HOURS,
            "PITCHDAY_PRIVACY_CONTROLLER": self.PRIVACY_CONTROLLER,
            "PITCHDAY_PRIVACY_CONTACT": self.PRIVACY_CONTACT,
            "BABEL_DEFAULT_LOCALE": self.DEFAULT_LOCALE,
            "BABEL_DEFAULT_TIMEZONE": "Europe/Paris",
            "PITCHDAY_MAX_FRAME_BYTES": self.MAX_FRAME_BYTES,
            "PITCHDAY_DATA_DIR": self.DATA_DIR,
            "PITCHDAY_DEVICE_WARMUP_MS": self.DEVICE_WARMUP_MS,
            "PITCHDAY_SUSPECT_WORDS": self.SUSPECT_WORDS,
            "PITCHDAY_MAX_CLIENTS": self.MAX_CLIENTS,
            "PITCHDAY_WEBSOCKET_COMPRESSION": self.WEBSOCKET_COMPRESSION,
            "PITCHDAY_SMTP_HOST": self.SMTP_HOST,
            "PITCHDAY_SMTP_PORT": self.SMTP_PORT,
            "PITCHDAY_SMTP_USERNAME": self.SMTP_USERNAME,
            "PITCHDAY_SMTP_PASSWORD": self.SMTP_PASSWORD,
            "PITCHDAY_SMTP_SECURITY": self.SMTP_SECURITY,
            "PITCHDAY_MAIL_FROM": self.MAIL_FROM,
            "PITCHDAY_OIDC_ISSUER": self.OIDC_ISSUER,
            "PITCHDAY_OIDC_CLIENT_ID": self.OIDC_CLIENT_ID,
            "PITCHDAY_OIDC_CLIENT_SECRET": self.OIDC_CLIENT_SECRET,
            "PITCHDAY_OIDC_NAME": self.OIDC_NAME,
            "SESSION_COOKIE_HTTPONLY": True,
            "SESSION_COOKIE_SAMESITE": "Lax",
            # Secure when asked, and whenever the public address is https (a proxy in front).
            "SESSION_COOKIE_SECURE": self.SECURE_COOKIES or (self.PUBLIC_URL or "").lower().startswith("https://"),
            "MAX_CONTENT_LENGTH": 2 * 1024 * 1024,
            "TESTING": self.TESTING,
        }
