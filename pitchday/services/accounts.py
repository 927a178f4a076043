"""The organising team's accounts: who they are, their roles, their passwords, their links.

Every function takes part in the caller's unit of work (``db.current()``) and never commits. What
a role allows is decided by ``domain/access`` only; ``can`` asks it with the account's grants.
Passwords are stored hashed with scrypt and never logged, nor put in an error.
"""
from __future__ import annotations

import secrets
from datetime import datetime, timedelta, timezone

from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy import func, select
from werkzeug.security import check_password_hash, generate_password_hash

from ..domain import access as rules
from ..extensions import db
from ..models import Account, AccountToken, Edition, RoleGrant
from ..timeutil import as_utc
from . import access

MIN_PASSWORD_CHARS = 12
MAX_PASSWORD_CHARS = 200
MAX_EMAIL_CHARS = 254
MAX_NAME_CHARS = 100
INVITATION_LIFETIME = timedelta(days=7)
RESET_LIFETIME = timedelta(hours=1)
PURPOSES = {"invitation": INVITATION_LIFETIME, "reset": RESET_LIFETIME}
# Hashing a throw-away password when there is no such account costs as much as checking a real
# one: the time of an answer does not tell whether the address has an account.
_DUMMY_HASH = generate_password_hash("pitchday-no-such-account", method="scrypt")


class AccountRefused(ValueError):
    """An account change refused; ``field`` names the form field, ``code`` what was wrong."""

    def __init__(self, field: str, code: str):
        super().__init__(f"{field}: {code}")
        self.field = field
        self.code = code


def normalise_email(email: str) -> str:
    return (email or "").strip().lower()


def account_by_email(email: str) -> Account | None:
    """The account of this address, whatever its case; None when there is none."""
    address = normalise_email(email)
    if not address or len(address) > MAX_EMAIL_CHARS or "\x00" in address:
        return None
    return db.current().scalar(select(Account).where(func.lower(Account.email) == address))


def account_by_id(account_id) -> Account | None:
    if not isinstance(account_id, int) or isinstance(account_id, bool) or not 0 < account_id < 2**63:
        return None
    return db.current().get(Account, account_id)


def all_accounts() -> list[Account]:
    return list(db.current().scalars(select(Account).order_by(func.lower(Account.display_name), Account.id)))


def password_problem(password: str) -> str | None:
    """Why ``password`` may not be chosen ("too_short", "too_long", "common"), or None.

    "common": in the list of 30,000 common passwords that zxcvbn ships, or guessable by its
    estimate (a score under 3 of 4: keyboard walks, a word and a year, repeats)."""
    if len(password) < MIN_PASSWORD_CHARS:
        return "too_short"
    if len(password) > MAX_PASSWORD_CHARS:
        return "too_long"
    from zxcvbn import zxcvbn
    from zxcvbn.frequency_lists import FREQUENCY_LISTS

    if password.lower() in _common_passwords(FREQUENCY_LISTS):
        return "common"
    if zxcvbn(password[:100])["score"] < 3:
        return "common"
    return None


_COMMON: set[str] = set()


def _common_passwords(lists) -> set[str]:
    if not _COMMON:
        _COMMON.update(lists["passwords"])
    return _COMMON


def _check_name(display_name: str) -> str:
    """A name as screens show it (the console names who is at the controls): the audience's cleaning."""
    from ..domain.text import InvalidField, clean_text

    try:
        return clean_text(display_name, field="display_name", max_chars=MAX_NAME_CHARS)
    except InvalidField as invalid:
        raise AccountRefused("display_name", "too_long" if invalid.code == "too_long" else "required") from None


def create_account(email: str, display_name: str, *, password: str | None = None, one_time: bool = False) -> Account:
    """A new account (no role yet). Refused: an address already used, or not an address; a
    password that ``password_problem`` refuses. ``one_time``: the password was printed for the person
    (the command line), who must choose their own at first sign-in."""
    from email_validator import EmailNotValidError, validate_email

    address = normalise_email(email)
    if not address:
        raise AccountRefused("email", "required")
    try:
        validate_email(address, check_deliverability=False)
    except EmailNotValidError:
        raise AccountRefused("email", "invalid") from None
    if len(address) > MAX_EMAIL_CHARS:
        raise AccountRefused("email", "invalid")
    if account_by_email(address) is not None:
        raise AccountRefused("email", "taken")
    name = _check_name(display_name or address.partition("@")[0])
    account = Account(email=address, display_name=name, session_generation=0)
    if password is not None:
        _set_hash(account, password)
        account.password_must_change = one_time
    session = db.current()
    session.add(account)
    session.flush()
    return account


def _set_hash(account: Account, password: str) -> None:
    problem = password_problem(password)
    if problem:
        raise AccountRefused("password", problem)
    account.password_hash = generate_password_hash(password, method="scrypt")


def set_password(account: Account, password: str, *, one_time: bool = False) -> None:
    """A new password; every session of the account ends. ``one_time``: printed for the person (the
    command line), to be changed at first sign-in; a password the person chose clears that."""
    _set_hash(account, password)
    account.password_must_change = one_time
    end_sessions(account)


def must_change_password(account: Account | None) -> bool:
    """Whether this account signed in with a one-time password it has not replaced yet."""
    return account is not None and bool(account.password_must_change)


def end_sessions(account: Account) -> None:
    """Every session cookie of this account stops working at its next request (logout everywhere)."""
    account.session_generation = (account.session_generation or 0) + 1
    from . import broadcast

    broadcast.account_access_changed(account.id)


def grant(account_id: int, role: str, edition_id: int | None = None) -> RoleGrant:
    """Give ``role`` (for ``edition_id``, None: every edition); giving it again changes nothing."""
    if role not in rules.ROLES:
        raise AccountRefused("role", "unknown")
    session = db.current()
    if session.get(Account, account_id) is None:
        raise AccountRefused("account", "unknown")
    if edition_id is not None and session.get(Edition, edition_id) is None:
        raise AccountRefused("edition", "unknown")
    existing = session.scalar(select(RoleGrant).where(
        RoleGrant.account_id == account_id, RoleGrant.role == role,
        RoleGrant.edition_id.is_(None) if edition_id is None else RoleGrant.edition_id == edition_id))
    if existing is not None:
        return existing
    row = RoleGrant(account_id=account_id, role=role, edition_id=edition_id)
    session.add(row)
    session.flush()
    session.expire(session.get(Account, account_id), ["grants"])
    return row


def revoke(account_id: int, role: str, edition_id: int | None = None) -> bool:
    """Take a role back; refused when it would leave no enabled admin. True if there was one."""
    session = db.current()
    row = session.scalar(select(RoleGrant).where(
        RoleGrant.account_id == account_id, RoleGrant.role == role,
        RoleGrant.edition_id.is_(None) if edition_id is None else RoleGrant.edition_id == edition_id))
    if row is None:
        return False
    if role == rules.ADMIN and edition_id is None and _admins_left(without=account_id) == 0:
        raise AccountRefused("role", "last_admin")
    session.delete(row)
    session.flush()
    session.expire(session.get(Account, account_id), ["grants"])
    from . import broadcast

    broadcast.account_access_changed(account_id)
    return True


def _admins_left(*, without: int) -> int:
    return db.current().scalar(
        select(func.count(func.distinct(Account.id))).join(RoleGrant).where(
            RoleGrant.role == rules.ADMIN, RoleGrant.edition_id.is_(None), Account.disabled_at.is_(None),
            Account.id != without)) or 0


def admin_count() -> int:
    return _admins_left(without=0)


def disable(account: Account) -> None:
    """The account opens nothing from its next request or socket event; refused for the last admin."""
    if account.disabled_at is not None:
        return
    if is_admin(account) and _admins_left(without=account.id) == 0:
        raise AccountRefused("account", "last_admin")
    account.disabled_at = datetime.now(timezone.utc)
    end_sessions(account)


def enable(account: Account) -> None:
    account.disabled_at = None


def grants_of(account: Account) -> list[tuple[str, int | None]]:
    return [(g.role, g.edition_id) for g in account.grants]


def is_admin(account: Account) -> bool:
    return (rules.ADMIN, None) in grants_of(account)


def can(account: Account | None, permission: str, edition_id: int | None = None) -> bool:
    """Whether this (enabled) account may ``permission`` for ``edition_id`` (domain/access decides)."""
    if account is None or account.disabled_at is not None:
        return False
    return rules.allows(grants_of(account), permission, edition_id)


def editions_allowed(account: Account, permission: str = "area") -> set[int] | None:
    """The ids of the editions where ``account`` has ``permission``; None: every edition."""
    if account is None or account.disabled_at is not None:
        return set()
    giving = [g for g in account.grants if permission in rules.ROLE_PERMISSIONS.get(g.role, ())]
    if any(g.edition_id is None for g in giving):
        return None
    return {g.edition_id for g in giving}


def console_accounts(edition_id: int) -> list[Account]:
    """The enabled accounts that may run the console of ``edition_id`` (a link can be minted for them)."""
    return [a for a in all_accounts() if can(a, "live", edition_id)]


def check_password(email: str, password: str) -> Account | None:
    """The enabled account with this address and password; None otherwise (same cost either way)."""
    if not isinstance(password, str) or len(password) > MAX_PASSWORD_CHARS:
        return None
    account = account_by_email(email) if isinstance(email, str) else None
    stored = account.password_hash if account is not None else None
    matches = check_password_hash(stored or _DUMMY_HASH, password)
    if account is None or stored is None or not matches or account.disabled_at is not None:
        return None
    return account


def session_matches(account_id, generation) -> Account | None:
    """The account of a session cookie, if the cookie is still good (same generation, enabled)."""
    account = account_by_id(account_id)
    if account is None or account.disabled_at is not None:
        return None
    if not isinstance(generation, int) or generation != account.session_generation:
        return None
    return account


# -- invitations and password resets: signed, single use, expiring ------------------------------

def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(access.signing_secret(), salt="pitchday.account-token")


def issue_token(account: Account, purpose: str) -> str:
    """A signed single-use token for ``purpose`` ("invitation": 7 days, "reset": 1 hour)."""
    lifetime = PURPOSES[purpose]
    token_id = secrets.token_urlsafe(24)
    session = db.current()
    session.add(AccountToken(account_id=account.id, token_id=token_id, purpose=purpose,
                             expires_at=datetime.now(timezone.utc) + lifetime))
    session.flush()
    return _serializer().dumps([purpose, token_id])


def token_account(token: str, purpose: str) -> tuple[AccountToken, Account] | None:
    """The (unused, unexpired) token row and its account; None if forged, used, expired or disabled."""
    if not isinstance(token, str) or len(token) > 512:
        return None
    try:
        loaded = _serializer().loads(token, max_age=int(PURPOSES[purpose].total_seconds()) + 60)
    except (BadSignature, SignatureExpired):
        return None
    if not (isinstance(loaded, list) and len(loaded) == 2 and loaded[0] == purpose and isinstance(loaded[1], str)):
        return None
    session = db.current()
    row = session.scalar(select(AccountToken).where(AccountToken.token_id == loaded[1]))
    if row is None or row.purpose != purpose or row.used_at is not None:
        return None
    if as_utc(row.expires_at) <= datetime.now(timezone.utc):
        return None
    account = session.get(Account, row.account_id)
    if account is None or account.disabled_at is not None:
        return None
    return row, account


def use_token(token: str, purpose: str, password: str) -> Account:
    """Set the password through a token, once: refused (``AccountRefused``) if the token is not
    good any more or the password is refused; the token is spent only when it succeeds."""
    found = token_account(token, purpose)
    if found is None:
        raise AccountRefused("token", "invalid")
    row, account = found
    set_password(account, password)
    row.used_at = datetime.now(timezone.utc)
    return account


def invite(email: str, display_name: str, *, role: str, edition_id: int | None = None) -> tuple[Account, str]:
    """A new account without a password, its first role, and its invitation token."""
    if role not in rules.ROLES:
        raise AccountRefused("role", "unknown")
    if edition_id is not None and db.current().get(Edition, edition_id) is None:
        raise AccountRefused("edition", "unknown")
    account = create_account(email, display_name)
    grant(account.id, role, edition_id)
    return account, issue_token(account, "invitation")


# -- the shared organiser password of earlier versions -----------------------------------------

def shared_password_pending() -> bool:
    """An instance upgraded from the shared password, without any account yet: whoever knows the
    old password may create the first admin account (then the old password stops working)."""
    return access.organiser_password_is_set() and not _any_account()


def _any_account() -> bool:
    return db.current().scalar(select(func.count(Account.id))) > 0


def create_first_admin(email: str, display_name: str, password: str) -> Account:
    """The first admin account (only while there is none); the shared password is forgotten."""
    if _any_account():
        raise AccountRefused("email", "not_first")
    account = create_account(email, display_name, password=password)
    grant(account.id, rules.ADMIN, None)
    access.forget_organiser_password()
    return account


def ensure_admin(email: str, password: str) -> Account | None:
    """``PITCHDAY_ADMIN_EMAIL`` + ``PITCHDAY_ADMIN_PASSWORD`` on first start: the admin, created
    when there is no account with this address (an existing account is left as it is)."""
    if admin_count() > 0 or account_by_email(email) is not None:
        return None
    account = create_account(email, email.partition("@")[0], password=password)
    grant(account.id, rules.ADMIN, None)
    access.forget_organiser_password()
    return account
