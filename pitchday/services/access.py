"""The shared organiser password of earlier versions (kept only until the first admin account
exists: services/accounts), the secret that signs links and cookies, and moderator links."""
from __future__ import annotations

import secrets
from datetime import datetime, timedelta, timezone

from flask import current_app
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy import select
from werkzeug.security import check_password_hash, generate_password_hash

from ..extensions import db
from . import broadcast
from ..models import Edition, ModeratorLink, Setting
from ..timeutil import as_utc

PASSWORD_KEY = "organiser_password_hash"
SECRET_KEY = "secret_key"
MIN_PASSWORD_CHARS = 10
MODERATOR_COOKIE = "pitchday_moderator"


def _get(session, key: str) -> str | None:
    row = session.get(Setting, key)
    return row.value if row else None


def _put(session, key: str, value: str) -> None:
    row = session.get(Setting, key)
    if row is None:
        session.add(Setting(key=key, value=value))
    else:
        row.value = value


def instance_secret() -> str:
    """The secret generated once and kept in the database (read at start-up, see ``signing_secret``)."""
    session = db.current()
    value = _get(session, SECRET_KEY)
    if value is None:
        value = secrets.token_urlsafe(48)
        _put(session, SECRET_KEY, value)
    return value


def signing_secret() -> str:
    """The one secret that signs everything: the Flask session, moderator links and cookies, device
    cookies. It is ``PITCHDAY_SECRET_KEY`` when set, else the instance secret (the app factory puts
    it in ``SECRET_KEY`` at start-up); read from the config, so a cookie check costs no query."""
    return current_app.config["SECRET_KEY"]


def set_organiser_password(password: str) -> None:
    """The shared password of earlier versions (tests of the migration to accounts use it)."""
    if len(password) < MIN_PASSWORD_CHARS:
        raise ValueError(f"The password needs at least {MIN_PASSWORD_CHARS} characters")
    session = db.current()
    _put(session, PASSWORD_KEY, generate_password_hash(password, method="scrypt"))


def check_organiser_password(password: str) -> bool:
    session = db.current()
    stored = _get(session, PASSWORD_KEY)
    return stored is not None and check_password_hash(stored, password)


def forget_organiser_password() -> None:
    """The shared password of earlier versions stops opening anything (the first admin exists)."""
    session = db.current()
    row = session.get(Setting, PASSWORD_KEY)
    if row is not None:
        session.delete(row)


def organiser_password_is_set() -> bool:
    session = db.current()
    return _get(session, PASSWORD_KEY) is not None


def _link_serializer(secret: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(secret, salt="pitchday.moderator-link")


def _cookie_serializer(secret: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(secret, salt="pitchday.moderator-cookie")


# A moderator link made for an evening lasts until the evening is over plus this margin (the last
# speaker runs late, the stage is cleared), whenever it was made: printed a week ahead, it works on the night.
LINK_AFTER_EVENING = timedelta(hours=6)
# ...and at least this long from its making (a rehearsal, or the demo edition, replayed after its date).
LINK_AT_LEAST = timedelta(hours=12)


def moderator_link_expiry(evening_ends_at: datetime, now: datetime, *, hours: int | None = None) -> datetime:
    """When a link made at ``now`` expires: ``hours`` after it when set (the organisers'
    ``PITCHDAY_MODERATOR_LINK_HOURS``), else ``LINK_AFTER_EVENING`` after its evening, and never
    sooner than ``LINK_AT_LEAST`` after ``now``."""
    if hours is not None:
        return now + timedelta(hours=hours)
    return max(as_utc(evening_ends_at) + LINK_AFTER_EVENING, now + LINK_AT_LEAST)


def create_moderator_link(edition_id: int, *, hours: int | None = None, label: str = "", holder_name: str = "",
                          account_id: int | None = None) -> tuple[ModeratorLink, str]:
    """A new link and its signed token (what goes in the URL and the QR code); its lifetime is
    ``moderator_link_expiry`` of its edition's evening (``hours``: a fixed lifetime instead).
    ``holder_name`` names the person it is for, ``account_id`` the régie account it is for."""
    token_id = secrets.token_urlsafe(24)
    session = db.current()
    edition = session.get(Edition, edition_id)
    if edition is None:
        raise ValueError(f"no edition {edition_id}")
    expires = moderator_link_expiry(edition.ends_at, datetime.now(timezone.utc), hours=hours)
    from ..domain.text import clean_text

    holder = clean_text(holder_name[:100], field="holder_name", max_chars=100, required=False) or ""  # shown on consoles
    link = ModeratorLink(edition_id=edition_id, token_id=token_id, label=label[:100], expires_at=expires,
                         holder_name=holder, account_id=account_id)
    session.add(link)
    session.flush()  # its id, for the caller (the organiser's page links to it)
    return link, moderator_token(link)


def moderator_token(link: ModeratorLink) -> str:
    return _link_serializer(signing_secret()).dumps(link.token_id)


def _usable(token_id: str) -> ModeratorLink | None:
    session = db.current()
    link = session.scalar(select(ModeratorLink).where(ModeratorLink.token_id == token_id))
    if link is None or link.revoked_at is not None:
        return None
    if as_utc(link.expires_at) <= datetime.now(timezone.utc):
        return None
    if link.account_id is not None:
        from . import accounts  # accounts signs with this module's secret: imported when needed

        holder = accounts.account_by_id(link.account_id)
        if holder is None or holder.disabled_at is not None:
            return None  # a link minted for a régie account stops with the account
    return link


# A console opened by an account's own session (no link): what its presence record holds in place
# of a link's token id, checked again at every event like a link.
ACCOUNT_CONSOLE_PREFIX = "account:"


def account_console_key(account_id: int, generation: int, edition_id: int) -> str:
    return f"{ACCOUNT_CONSOLE_PREFIX}{account_id}:{generation}:{edition_id}"


def _account_console_valid(key: str) -> bool:
    from . import accounts

    try:
        account_id, generation, edition_id = (int(part) for part in key[len(ACCOUNT_CONSOLE_PREFIX):].split(":"))
    except ValueError:
        return False
    account = accounts.session_matches(account_id, generation)
    return account is not None and accounts.can(account, "live", edition_id)


def cookie_lifetime_s(link: ModeratorLink) -> int:
    """The cookie lives as long as the link it came from."""
    return max(0, int((as_utc(link.expires_at) - datetime.now(timezone.utc)).total_seconds()))


def redeem_token(token: str) -> tuple[ModeratorLink, str] | None:
    """Exchange a link token for (link, cookie value); None if forged, expired or revoked."""
    secret = signing_secret()
    try:
        token_id = _link_serializer(secret).loads(token, max_age=31 * 24 * 3600)
    except (BadSignature, SignatureExpired):
        return None
    link = _usable(token_id) if isinstance(token_id, str) else None
    if link is None:
        return None
    return link, _cookie_serializer(secret).dumps(link.token_id)


def moderator_from_cookie(cookie: str | None, edition_id: int) -> ModeratorLink | None:
    """The link behind a moderator cookie, if still valid for this edition."""
    if not cookie or len(cookie) > 512:
        return None
    try:
        token_id = _cookie_serializer(signing_secret()).loads(cookie, max_age=31 * 24 * 3600)
    except (BadSignature, SignatureExpired):
        return None
    link = _usable(token_id) if isinstance(token_id, str) else None
    return link if link is not None and link.edition_id == edition_id else None


def link_still_valid(token_id: str | None) -> bool:
    if token_id is not None and token_id.startswith(ACCOUNT_CONSOLE_PREFIX):
        return _account_console_valid(token_id)
    return token_id is not None and _usable(token_id) is not None


def revoke_moderator_link(link_id: int) -> ModeratorLink | None:
    """Revoke a link (again is harmless); the link, or None if there is no such link."""
    session = db.current()
    link = session.get(ModeratorLink, link_id)
    if link is not None and link.revoked_at is None:
        link.revoked_at = datetime.now(timezone.utc)
        broadcast.moderator_link_revoked(link.token_id)  # open consoles are cut off after the commit
    return link


def moderator_links(edition_id: int) -> list[ModeratorLink]:
    session = db.current()
    return list(session.scalars(select(ModeratorLink).where(ModeratorLink.edition_id == edition_id)
                                .order_by(ModeratorLink.created_at.desc())))
