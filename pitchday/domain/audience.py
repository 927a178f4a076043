"""What the audience sends, as pure rules: limits, suspect words, question states, intents."""
from __future__ import annotations

import re
import unicodedata
from enum import StrEnum

from .text import EMAIL_MAX_CHARS, InvalidField, N_  # noqa: F401 (the audience's limits, read from here)

QUESTION_MAX_CHARS = 280
AUTHOR_MAX_CHARS = 40
NAME_MAX_CHARS = 100
ORGANISATION_MAX_CHARS = 150
MESSAGE_MAX_CHARS = 1000

# -- suspect words -------------------------------------------------------------------------------
# Questions containing one are held for the moderator with the words highlighted, even when
# questions are published without moderation; nothing is blocked. The vocabulary is a maintained
# French and English list (services/suspects.py reads it from its package), this short list of
# insults the package lists miss, and the organisers' own additions; words and phrases both.

SUSPECT_WORDS = frozenset("""
con conne connard connasse salaud salope pute putain merde emmerde enfoire encule enculer nique niquer
batard pd pede tapette bouffon debile abruti cretin gogol mongol negre bougnoule youpin nazi facho
fuck fucking fucker shit bullshit bitch bastard asshole dick cunt whore slut nigger faggot
""".split())
# Everyday words of a public evening that the package lists hold as slang ("bosser" is to work, a
# "veuve" a widow, a "gerbe" a wreath, a "tanche" a fish): flagging them would only hold honest questions.
NOT_SUSPECT = frozenset("bosser cailler drague gerbe jouir meuf tanche teuf veuve".split())
LINK = re.compile(r"(https?://|www\.)\S+", re.IGNORECASE)
_ENTRY = re.compile(r"[\w' -]+")  # a listed word or phrase; entries with symbols ("a$$") are spellings of others


def _folded_words(text: str) -> list[str]:
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    return re.findall(r"[a-z0-9]+", plain)


def suspect_vocabulary(entries) -> frozenset[tuple[str, ...]]:
    """The listed words and phrases as the folded word sequences ``suspect_words`` looks for."""
    vocabulary = set()
    for entry in entries:
        if not isinstance(entry, str) or not _ENTRY.fullmatch(entry.strip()):
            continue
        words = tuple(_folded_words(entry))
        if words and not (len(words) == 1 and words[0] in NOT_SUSPECT):
            vocabulary.add(words)
    return frozenset(vocabulary)


OWN_VOCABULARY = suspect_vocabulary(SUSPECT_WORDS)


def suspect_words(text: str, vocabulary: frozenset[tuple[str, ...]] = OWN_VOCABULARY) -> list[str]:
    """Suspect words, phrases and links in ``text``, in order of appearance, each once."""
    words = _folded_words(text)
    lengths = sorted({len(entry) for entry in vocabulary}, reverse=True)  # the longest phrase first
    found: list[str] = []
    start = 0
    while start < len(words):
        matched = next((n for n in lengths if tuple(words[start:start + n]) in vocabulary), 0)
        if matched and " ".join(words[start:start + matched]) not in found:
            found.append(" ".join(words[start:start + matched]))
        start += matched or 1  # the words of a phrase found are not looked at again on their own
    found.extend(m.group(0) for m in LINK.finditer(text) if m.group(0) not in found)
    return found


# -- questions -------------------------------------------------------------------------------------


class QuestionStatus(StrEnum):
    PENDING = "pending"  # waiting for the moderator; seen by its asker only
    PUBLISHED = "published"
    ANSWERED = "answered"
    REJECTED = "rejected"  # seen by its asker only


PUBLIC_STATUSES = frozenset({QuestionStatus.PUBLISHED, QuestionStatus.ANSWERED})

# action → (statuses it applies to, resulting status)
MODERATION = {
    "approve": (frozenset({QuestionStatus.PENDING, QuestionStatus.REJECTED}), QuestionStatus.PUBLISHED),
    "reject": (frozenset({QuestionStatus.PENDING, QuestionStatus.PUBLISHED, QuestionStatus.ANSWERED}),
               QuestionStatus.REJECTED),
    "answer": (frozenset({QuestionStatus.PUBLISHED}), QuestionStatus.ANSWERED),
    "reopen": (frozenset({QuestionStatus.ANSWERED}), QuestionStatus.PUBLISHED),
}


# The buttons of a question in the moderators' list, in this order, where their action applies:
# the moderation actions above, plus "edit" (an approve with a new text, offered while the question
# waits) and "spotlight" (the show command that puts a published question on the projector).
MODERATOR_BUTTONS = ("spotlight", "approve", "edit", "reopen", "answer", "reject")
_BUTTON_APPLIES = {"edit": frozenset({QuestionStatus.PENDING}), "spotlight": frozenset({QuestionStatus.PUBLISHED}),
                   **{action: allowed for action, (allowed, _) in MODERATION.items()}}
# The highlighted button: the step that moves the question forward.
MAIN_BUTTON = {QuestionStatus.PENDING: "approve", QuestionStatus.PUBLISHED: "spotlight"}


def moderator_actions(status: QuestionStatus | str) -> list[str]:
    """What the moderators may do with a question in ``status``, in the order the console shows it."""
    return [b for b in MODERATOR_BUTTONS if QuestionStatus(status) in _BUTTON_APPLIES[b]]


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


def board_ids(questions: list[dict]) -> list[int]:
    """The ids of a talk's public questions in the room's order (sent with vote updates)."""
    return [q["id"] for q in board_order(questions)]


# -- new devices -------------------------------------------------------------------------------
# A device cookie costs a script one page load: taking a fresh one before every vote or question
# would make one script a crowd. So a new device pays in time, which only a person spends freely:
# its socket must have been open a few seconds before it may submit (a person reads first; a
# resend after a reconnection waits that long), and during its first minute it shares with every
# other new device of its address a budget far below the address's ceiling (ratelimit.YOUNG_LIMITS).
# A phone that opened the page earlier in the evening, as a room's phones have, pays nothing.

DEVICE_WARMUP_MS = 3_000  # a socket open this long before its device may submit
YOUNG_DEVICE_MS = 60_000  # a device cookie this recent counts in its address's budget of new devices


class DeviceStanding(StrEnum):
    WARMING = "warming"  # refused for now (``too_soon``): its socket opened moments ago
    YOUNG = "young"  # accepted within the address's budget of new devices
    SETTLED = "settled"  # accepted within its own and its address's usual limits


def device_standing(*, now_ms: int, socket_opened_ms: int, device_born_ms: int,
                    warmup_ms: int = DEVICE_WARMUP_MS) -> tuple[DeviceStanding, int]:
    """Where a device stands for a submission, with the milliseconds to wait when ``WARMING``.

    Only a young device waits for its socket to warm up: a phone known for over a minute that
    reconnects after a Wi-Fi drop sends its pending question or vote at once."""
    if now_ms - device_born_ms >= YOUNG_DEVICE_MS:
        return DeviceStanding.SETTLED, 0
    wait = socket_opened_ms + warmup_ms - now_ms
    if wait > 0:
        return DeviceStanding.WARMING, wait
    return DeviceStanding.YOUNG, 0


# -- connect requests ("Je veux échanger") --------------------------------------------------------

# What someone may want from a talk's team (French; translated where shown).
INTENT_LABELS = {
    "have_solution": N_("J'ai une solution pour ce besoin"),
    "want_to_experiment": N_("Je souhaite expérimenter"),
    "offer_test_site": N_("Je peux proposer un terrain d'expérimentation"),
    "learn_more": N_("Je veux en savoir plus"),
}
# Where the organisers are with a request (ConnectRequest.status).
REQUEST_STATUS_LABELS = {"new": N_("nouvelle"), "introduced": N_("mise en relation faite"),
                         "no_follow_up": N_("sans suite")}
# What someone may want from a talk's team, by kind of talk.
INTENTS_BY_KIND = {
    "besoin": ("have_solution", "learn_more"),
    "solution": ("want_to_experiment", "offer_test_site", "learn_more"),
    "retour_experience": ("learn_more",),
}


def check_intent(kind: str, intent: object) -> str:
    if not isinstance(intent, str) or intent not in INTENTS_BY_KIND.get(kind, ()):
        raise InvalidField("intent", "invalid_choice")
    return intent
