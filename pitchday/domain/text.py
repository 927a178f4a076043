"""Text from outside (phones, forms, files), as pure rules: one cleaning for every screen.

Everything a phone or a form sends may be hostile. Text is normalised here once, so every screen
shows the same thing: NFC, no bidi controls (which can reverse what a moderator reads), no other
control characters, no runs of combining marks (the "Zalgo" floods that draw over other lines).
"""
from __future__ import annotations

import re
import unicodedata

from email_validator import EmailNotValidError, validate_email

def N_(message: str) -> str:
    """Marks a French wording for the catalogue (one of pybabel's default keywords): the domain holds
    the words, the page that shows them translates them (``gettext(label)``)."""
    return message


def N_plural(singular: str, plural: str) -> tuple[str, str]:
    """A count's French singular and plural, for ``ngettext(*label, n)`` where shown (extracted with
    ``-k N_plural:1,2``, see the Makefile)."""
    return singular, plural


MAX_COMBINING_RUN = 2  # enough for any real language, too few to draw over the next line

# Explicit direction marks, embeddings, overrides and isolates (Unicode bidi controls).
BIDI_CONTROLS = frozenset("\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
# Invisible characters with no business in a question (ZWJ/ZWNJ are kept: emoji and scripts need them).
INVISIBLE = frozenset("\u200b\u2060\ufeff\u00ad")
PHONE_MAX_CHARS = 30
EMAIL_MAX_CHARS = 254  # RFC 5321's longest path
PHONE = re.compile(r"^\+?[0-9 .()\-]{6,30}$")


class InvalidField(ValueError):
    """A field that cannot be accepted. ``code`` is stable, for clients and translations."""

    def __init__(self, field: str, code: str, limit: int | None = None):
        super().__init__(f"{field}: {code}")
        self.field = field
        self.code = code
        self.limit = limit


def _strip_combining_floods(text: str) -> str:
    kept: list[str] = []
    run = 0
    for char in text:
        if unicodedata.combining(char) or unicodedata.category(char) == "Me":
            run += 1
            if run > MAX_COMBINING_RUN:
                continue
        else:
            run = 0
        kept.append(char)
    return "".join(kept)


def clean_text(value: object, *, field: str, max_chars: int, required: bool = True,
               multiline: bool = False) -> str | None:
    """The text as it will be stored and shown, or ``InvalidField``.

    Whitespace runs collapse to one space (newlines too, unless ``multiline``); the length
    is counted in characters after cleaning. Blank and optional gives ``None``.
    """
    if value is None:
        value = ""
    if not isinstance(value, str):
        raise InvalidField(field, "not_text")
    if len(value) > max_chars * 8:  # refuse absurd input before doing any work on it
        raise InvalidField(field, "too_long", max_chars)
    text = unicodedata.normalize("NFC", value)
    text = "".join(c for c in text if c not in BIDI_CONTROLS and c not in INVISIBLE)
    text = "".join(c for c in text if c in "\n\t" or unicodedata.category(c) not in ("Cc", "Cs", "Co"))
    text = _strip_combining_floods(text)
    if multiline:
        lines = [" ".join(line.split()) for line in text.replace("\r\n", "\n").split("\n")]
        text = re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()
    else:
        text = " ".join(text.split())
    if not text:
        if required:
            raise InvalidField(field, "required")
        return None
    if len(text) > max_chars:
        raise InvalidField(field, "too_long", max_chars)
    return text


def clean_phone(value: object, *, field: str = "phone") -> str | None:
    phone = clean_text(value, field=field, max_chars=PHONE_MAX_CHARS, required=False)
    if phone is not None and (not PHONE.match(phone) or sum(c.isdigit() for c in phone) < 6):
        raise InvalidField(field, "invalid_phone")
    return phone


def clean_email(value: object, *, field: str = "email", max_chars: int = EMAIL_MAX_CHARS) -> str:
    """A required e-mail address, normalised (domain lower-cased, Unicode NFC), or ``InvalidField``."""
    text = clean_text(value, field=field, max_chars=max_chars)
    try:
        return validate_email(text, check_deliverability=False).normalized  # no DNS: the venue may be offline
    except EmailNotValidError:
        raise InvalidField(field, "invalid_email") from None
