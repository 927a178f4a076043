"""What the audience sends, as pure rules: clean text, suspect words, question states, intents.

Everything a phone sends may be hostile. Text is normalised here once, so every screen shows
the same thing: NFC, no bidi controls (which can reverse what the moderator reads), no other
control characters, no runs of combining marks (the "Zalgo" floods that draw over other lines).
"""
from __future__ import annotations

import re
import unicodedata
from enum import StrEnum

QUESTION_MAX_CHARS = 280
AUTHOR_MAX_CHARS = 40
NAME_MAX_CHARS = 100
ORGANISATION_MAX_CHARS = 150
EMAIL_MAX_CHARS = 254
PHONE_MAX_CHARS = 30
MESSAGE_MAX_CHARS = 1000
MAX_COMBINING_RUN = 2  # enough for any real language, too few to draw over the next line

# Explicit direction marks, embeddings, overrides and isolates (Unicode bidi controls).
BIDI_CONTROLS = frozenset("\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
# Invisible characters with no business in a question (ZWJ/ZWNJ are kept: emoji and scripts need them).
INVISIBLE = frozenset("\u200b\u2060\ufeff\u00ad")
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


def clean_phone(value: object) -> str | None:
    phone = clean_text(value, field="phone", max_chars=PHONE_MAX_CHARS, required=False)
    if phone is not None and (not PHONE.match(phone) or sum(c.isdigit() for c in phone) < 6):
        raise InvalidField("phone", "invalid_phone")
    return phone


# -- suspect words -------------------------------------------------------------------------------
# A short French and English list. Questions containing one are held for the moderator with the
# words highlighted, even when questions are published without moderation; nothing is blocked.

SUSPECT_WORDS = frozenset("""
con conne connard connasse salaud salope pute putain merde emmerde enfoire encule enculer nique niquer
batard pd pede tapette bouffon debile abruti cretin gogol mongol negre bougnoule youpin nazi facho
fuck fucking fucker shit bullshit bitch bastard asshole dick cunt whore slut nigger faggot
""".split())
LINK = re.compile(r"(https?://|www\.)\S+", re.IGNORECASE)


def _folded_words(text: str) -> list[str]:
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    return re.findall(r"[a-z0-9]+", plain)


def suspect_words(text: str) -> list[str]:
    """Suspect words and links in ``text``, in order of appearance, each once."""
    found: list[str] = []
    for word in _folded_words(text):
        if word in SUSPECT_WORDS and word not in found:
            found.append(word)
    found.extend(m.group(0) for m in LINK.finditer(text) if m.group(0) not in found)
    return found


# -- questions -------------------------------------------------------------------------------------


class QuestionStatus(StrEnum):
    PENDING = "pending"  # waiting for the moderator; seen by its asker only
    PUBLISHED = "published"
    ANSWERED = "answered"
    REJECTED = "rejected"  # seen by its asker only


PUBLIC_STATUSES = frozenset({QuestionStatus.PUBLISHED, QuestionStatus.ANSWERED})
VOTABLE_STATUSES = frozenset({QuestionStatus.PUBLISHED})

# action → (statuses it applies to, resulting status)
MODERATION = {
    "approve": (frozenset({QuestionStatus.PENDING, QuestionStatus.REJECTED}), QuestionStatus.PUBLISHED),
    "reject": (frozenset({QuestionStatus.PENDING, QuestionStatus.PUBLISHED, QuestionStatus.ANSWERED}),
               QuestionStatus.REJECTED),
    "answer": (frozenset({QuestionStatus.PUBLISHED}), QuestionStatus.ANSWERED),
    "reopen": (frozenset({QuestionStatus.ANSWERED}), QuestionStatus.PUBLISHED),
}


class ModerationRefused(ValueError):
    def __init__(self, code: str):
        super().__init__(code)
        self.code = code


def moderate(status: QuestionStatus, action: str) -> QuestionStatus:
    """The status after the moderator's ``action``; ``ModerationRefused`` if it does not apply."""
    if action not in MODERATION:
        raise ModerationRefused("unknown_action")
    allowed, result = MODERATION[action]
    if status not in allowed:
        raise ModerationRefused("wrong_status")
    return result


def first_status(*, auto_publish: bool, suspect: list[str]) -> QuestionStatus:
    """A new question waits for the moderator, unless auto-publishing is on and nothing is suspect."""
    return QuestionStatus.PUBLISHED if auto_publish and not suspect else QuestionStatus.PENDING


def board_order(questions: list[dict]) -> list[dict]:
    """Public questions as the room sees them: open ones by votes, then answered ones; oldest first on ties."""
    return sorted(questions, key=lambda q: (q["status"] == QuestionStatus.ANSWERED, -q["votes"], q["id"]))


# -- connect requests ("Je veux échanger") --------------------------------------------------------

TALK_KINDS = ("solution", "besoin", "retour_experience")
# What someone may want from a talk's team, by kind of talk (the wording is the web layer's).
INTENTS_BY_KIND = {
    "besoin": ("have_solution", "learn_more"),
    "solution": ("want_to_experiment", "offer_test_site", "learn_more"),
    "retour_experience": ("learn_more",),
}


def check_intent(kind: str, intent: object) -> str:
    if not isinstance(intent, str) or intent not in INTENTS_BY_KIND.get(kind, ()):
        raise InvalidField("intent", "invalid_choice")
    return intent
