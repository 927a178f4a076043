"""Single sign-on (OpenID Connect): who the provider's verified claims name, if anyone.

The protocol itself (discovery, PKCE, state, nonce, the id_token's signature and claims) is
Authlib's, in ``web/organiser/sso.py``. This module holds the rules of the match only:

- the e-mail address must be vouched for by the provider (``email_verified`` is exactly true);
- it must be the address of an existing account, whatever its case: single sign-on creates no account;
- the account must not be disabled, and must have a role, given by an administrator.

A refusal names why with a code (``SsoRefused.code``); nothing is written either way.
"""
from __future__ import annotations

from typing import Any

from . import accounts

# Refusal codes, in the order they are checked.
REFUSALS = ("no_email", "unverified", "unknown", "disabled", "no_role")
MAX_EMAIL_CHARS = 254


class SsoRefused(Exception):
    def __init__(self, code: str):
        assert code in REFUSALS, code
        super().__init__(code)
        self.code = code


def verified_email(claims: dict[str, Any]) -> str:
    """The claims' e-mail address, lower-cased, if the provider vouches for it; else SsoRefused."""
    email = claims.get("email")
    if not isinstance(email, str) or not email.strip() or len(email) > MAX_EMAIL_CHARS or "\x00" in email:
        raise SsoRefused("no_email")
    # Exactly true: a missing claim, "true" as a string or 1 are not a provider's word.
    if claims.get("email_verified") is not True:
        raise SsoRefused("unverified")
    return email.strip().lower()


def account_for(claims: dict[str, Any]):
    """The account these verified id_token claims sign in, or SsoRefused."""
    account = accounts.account_by_email(verified_email(claims))
    if account is None:
        raise SsoRefused("unknown")
    if account.disabled_at is not None:
        raise SsoRefused("disabled")
    if not account.grants:
        raise SsoRefused("no_role")
    return account
