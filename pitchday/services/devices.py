"""A phone's identity: a random id in a signed cookie, not its socket or its address.

The whole room shares one public address on the venue Wi-Fi, and a socket id changes at every
reconnection; the device id stays, so "my questions", one vote per question and the per-phone
rate limits survive a flaky connection. It is random and names nobody.

The cookie also carries, signed with the id, the second it was made: a new device waits its
turn to submit (``domain.audience.device_standing``), and the signature stops a script from
making its cookies look old. A cookie made before the date was added counts as an old device.
"""
from __future__ import annotations

import secrets
import time

from itsdangerous import BadSignature, Signer

from .access import signing_secret

DEVICE_COOKIE = "pitchday_device"
DEVICE_COOKIE_DAYS = 30
MAX_COOKIE_CHARS = 200


def _signer() -> Signer:
    return Signer(signing_secret(), salt="pitchday.device")


BORN = ":"  # between the id (URL-safe base64: never a colon) and the second the cookie was made


def new_device(*, born_s: int | None = None) -> tuple[str, str]:
    """A new ``(device_id, cookie_value)``, born now (or at ``born_s``, in seconds since the epoch)."""
    device_id = secrets.token_urlsafe(16)
    born = int(time.time()) if born_s is None else born_s
    return device_id, _signer().sign(f"{device_id}{BORN}{born}").decode()


def device_and_birth(value: str | None) -> tuple[str, int] | None:
    """``(device_id, born_ms)`` from a cookie we signed, else None (absent, forged or mangled)."""
    if not value or len(value) > MAX_COOKIE_CHARS:
        return None
    try:
        signed = _signer().unsign(value).decode()
    except (BadSignature, UnicodeDecodeError):
        return None
    device_id, _sep, born = signed.partition(BORN)
    if not device_id:
        return None
    return device_id, (int(born) * 1000 if born.isdigit() and born.isascii() else 0)


def device_from_cookie(value: str | None) -> str | None:
    """The device id in a cookie we signed, else None (absent, forged or mangled)."""
    found = device_and_birth(value)
    return found[0] if found else None
