"""A phone's identity: a random id in a signed cookie, not its socket or its address.

The whole room shares one public address on the venue Wi-Fi, and a socket id changes at every
reconnection; the device id stays, so "my questions", one vote per question and the per-phone
rate limits survive a flaky connection. It is random and names nobody.
"""
from __future__ import annotations

import secrets

from itsdangerous import BadSignature, Signer

from .access import signing_secret

DEVICE_COOKIE = "pitchday_device"
DEVICE_COOKIE_DAYS = 30
MAX_COOKIE_CHARS = 200


def _signer() -> Signer:
    return Signer(signing_secret(), salt="pitchday.device")


def new_device() -> tuple[str, str]:
    """A new ``(device_id, cookie_value)``."""
    device_id = secrets.token_urlsafe(16)
    return device_id, _signer().sign(device_id).decode()


def device_from_cookie(value: str | None) -> str | None:
    """The device id in a cookie we signed, else None (absent, forged or mangled)."""
    if not value or len(value) > MAX_COOKIE_CHARS:
        return None
    try:
        return _signer().unsign(value).decode()
    except (BadSignature, UnicodeDecodeError):
        return None
