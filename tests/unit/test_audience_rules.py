"""What the audience sends, as pure rules (pitchday.domain.audience)."""
from __future__ import annotations

import unicodedata

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pitchday.domain.audience import (
    DEVICE_WARMUP_MS,
    MAIN_BUTTON,
    YOUNG_DEVICE_MS,
    DeviceStanding,
    device_standing,
    MODERATION,
    QUESTION_MAX_CHARS,
    ModerationRefused,
    QuestionStatus,
    board_ids,
    board_order,
    check_intent,
    first_status,
    moderate,
    moderator_actions,
    suspect_vocabulary,
    suspect_words,
)
from pitchday.domain.text import BIDI_CONTROLS, MAX_COMBINING_RUN, InvalidField, clean_phone, clean_text

pytestmark = pytest.mark.unit

P, A, R, X = QuestionStatus.PENDING, QuestionStatus.PUBLISHED, QuestionStatus.ANSWERED, QuestionStatus.REJECTED


def question(text, **kwargs):
    return clean_text(text, field="text", max_chars=QUESTION_MAX_CHARS, **kwargs)


# -- clean_text ------------------------------------------------------------------------------------


def test_clean_text_collapses_whitespace_and_trims():
    assert question("  Quel  coût\tpar\n école ?  ") == "Quel coût par école ?"


def test_clean_text_normalises_to_nfc():
    decomposed = "e\u0301cole"  # e + combining acute accent

    assert question(decomposed) == "école"


def test_clean_text_strips_every_bidi_control():
    # U+202E would show "?evil" reversed to the moderator; isolates and marks go too.
    hostile = "abc\u202edef\u2066ghi\u2069\u200fjkl\u061c"

    assert question(hostile) == "abcdefghijkl"
    assert not set(question("".join(BIDI_CONTROLS) + "x")) & BIDI_CONTROLS


def test_clean_text_strips_control_and_invisible_characters():
    assert question("a\x00b\x07c\u200bd\ufeffe\u00adf") == "abcdef"


def test_clean_text_keeps_emoji_sequences_with_zero_width_joiners():
    family = "👩\u200d👩\u200d👧"

    assert question(f"Merci {family}") == f"Merci {family}"


def test_clean_text_cuts_combining_mark_floods():
    zalgo = "Z" + "\u0336\u0337\u0338\u0303\u0304" * 20 + "a"

    cleaned = question(zalgo)

    assert cleaned == "Z\u0336\u0337a"
    assert max(len(run) for run in _combining_runs(cleaned)) == MAX_COMBINING_RUN


def test_clean_text_keeps_ordinary_accents_of_several_languages():
    text = "Ça coûte combien ? Việt Nam, Ελλάδα, Ærø"

    assert question(text) == unicodedata.normalize("NFC", text)


def test_clean_text_multiline_keeps_paragraphs_but_not_blank_runs():
    text = "Ligne 1\r\n  Ligne   2\n\n\n\n\nLigne 3  "

    assert clean_text(text, field="message", max_chars=100, multiline=True) == "Ligne 1\nLigne 2\n\nLigne 3"


def test_clean_text_at_the_limit_is_accepted_one_more_is_refused():
    assert question("é" * QUESTION_MAX_CHARS) == "é" * QUESTION_MAX_CHARS
    with pytest.raises(InvalidField) as refused:
        question("é" * (QUESTION_MAX_CHARS + 1))
    assert (refused.value.field, refused.value.code, refused.value.limit) == ("text", "too_long", QUESTION_MAX_CHARS)


def test_clean_text_counts_after_cleaning():
    # 280 characters plus invisible padding is still 280 characters.
    assert question("a" * QUESTION_MAX_CHARS + "\u202e" * 50 + "   ") == "a" * QUESTION_MAX_CHARS


def test_clean_text_refuses_absurd_sizes_before_working():
    with pytest.raises(InvalidField) as refused:
        question("\u202e" * 1_000_000)
    assert refused.value.code == "too_long"


@pytest.mark.parametrize("value", ["", "   ", "\u202e\u200b", None])
def test_clean_text_blank_required_is_refused(value):
    with pytest.raises(InvalidField) as refused:
        question(value)
    assert refused.value.code == "required"


@pytest.mark.parametrize("value", ["", "  ", None])
def test_clean_text_blank_optional_is_none(value):
    assert clean_text(value, field="author", max_chars=40, required=False) is None


@pytest.mark.parametrize("value", [5, ["a"], {"a": 1}, True, b"bytes"])
def test_clean_text_not_text_is_refused(value):
    with pytest.raises(InvalidField) as refused:
        question(value)
    assert refused.value.code == "not_text"


def test_clean_text_leaves_markup_as_text():
    # Escaping is the renderer's job (textContent, Jinja autoescape): the text itself is kept.
    payload = '<img src=x onerror="alert(1)"><script>alert(2)</script>'

    assert question(payload) == payload


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=400))
def test_clean_text_result_is_clean_whatever_the_input(value):
    try:
        cleaned = question(value)
    except InvalidField as refused:
        assert refused.code in {"required", "too_long"}
        return
    assert 0 < len(cleaned) <= QUESTION_MAX_CHARS
    assert cleaned == cleaned.strip()
    assert not set(cleaned) & BIDI_CONTROLS
    assert not any(unicodedata.category(c) in ("Cc", "Cs", "Co") for c in cleaned)
    assert all(len(run) <= MAX_COMBINING_RUN for run in _combining_runs(cleaned))
    assert question(cleaned) == cleaned  # idempotent


def _combining_runs(text):
    runs, run = [], ""
    for char in text:
        if unicodedata.combining(char) or unicodedata.category(char) == "Me":
            run += char
        else:
            runs.append(run)
            run = ""
    return runs + [run]


# -- phone -------------------------------------------------------------------------------------------


@pytest.mark.parametrize("value, expected", [("01 99 00 10 01", "01 99 00 10 01"), ("+33 1 99 00 10 01", "+33 1 99 00 10 01"),
                                             ("", None), (None, None)])
def test_clean_phone_accepts_usual_forms(value, expected):
    assert clean_phone(value) == expected


@pytest.mark.parametrize("value", ["call me", "12345", "0199<script>", "+33 1 99 00 10 01 ext. 4"])
def test_clean_phone_refuses_what_is_not_a_number(value):
    with pytest.raises(InvalidField) as refused:
        clean_phone(value)
    assert (refused.value.field, refused.value.code) == ("phone", "invalid_phone")


# -- suspect words -------------------------------------------------------------------------------


@pytest.mark.parametrize("text, expected", [
    ("Votre capteur, c'est de la merde", ["merde"]),
    ("ENCULÉ", ["encule"]),
    ("What the fuck is this shit?", ["fuck", "shit"]),
    ("Voir http://spam.example.org et www.promo.example.org", ["http://spam.example.org", "www.promo.example.org"]),
    ("merde merde", ["merde"]),
])
def test_suspect_words_are_found_whatever_the_case_and_accents(text, expected):
    assert suspect_words(text) == expected


@pytest.mark.parametrize("text", [
    "Quel est le retard de livraison des capteurs ?",  # "retard" is French for "delay"
    "Concernant la consommation, quel est le coût ?",  # "con" inside words
    "Comment documentez-vous la méthode ?",
    "Peut-on passer à l'échelle ?",
])
def test_suspect_words_leave_ordinary_questions_alone(text):
    assert suspect_words(text) == []


# -- moderation --------------------------------------------------------------------------------------


@pytest.mark.parametrize("status, action, expected", [
    (P, "approve", A), (X, "approve", A), (P, "reject", X), (A, "reject", X), (R, "reject", X),
    (A, "answer", R), (R, "reopen", A),
])
def test_moderate_allowed_transitions(status, action, expected):
    assert moderate(status, action) is expected


@pytest.mark.parametrize("status, action", [
    (A, "approve"), (R, "approve"), (X, "reject"), (P, "answer"), (X, "answer"), (R, "answer"),
    (P, "reopen"), (A, "reopen"),
])
def test_moderate_refuses_what_does_not_apply(status, action):
    with pytest.raises(ModerationRefused) as refused:
        moderate(status, action)
    assert refused.value.code == "wrong_status"


def test_moderate_unknown_action_is_refused():
    with pytest.raises(ModerationRefused) as refused:
        moderate(P, "delete")
    assert refused.value.code == "unknown_action"


@pytest.mark.parametrize("auto, suspect, expected", [(False, [], P), (True, [], A), (True, ["merde"], P),
                                                     (False, ["merde"], P)])
def test_first_status_publishes_only_clean_questions_when_auto(auto, suspect, expected):
    assert first_status(auto_publish=auto, suspect=suspect) is expected


def test_board_order_is_votes_then_age_with_answered_last():
    questions = [
        {"id": 1, "votes": 2, "status": A}, {"id": 2, "votes": 9, "status": R}, {"id": 3, "votes": 5, "status": A},
        {"id": 4, "votes": 5, "status": A}, {"id": 5, "votes": 0, "status": A},
    ]

    assert [q["id"] for q in board_order(questions)] == [3, 4, 1, 5, 2]


# -- intents ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("kind, intent", [("besoin", "have_solution"), ("solution", "want_to_experiment"),
                                          ("solution", "offer_test_site"), ("retour_experience", "learn_more")])
def test_check_intent_accepts_the_wording_of_the_kind(kind, intent):
    assert check_intent(kind, intent) == intent


@pytest.mark.parametrize("kind, intent", [("besoin", "want_to_experiment"), ("solution", "have_solution"),
                                          ("retour_experience", "offer_test_site"), ("solution", None),
                                          ("solution", ["learn_more"]), ("unknown", "learn_more")])
def test_check_intent_refuses_a_wording_of_another_kind(kind, intent):
    with pytest.raises(InvalidField) as refused:
        check_intent(kind, intent)
    assert (refused.value.field, refused.value.code) == ("intent", "invalid_choice")


@pytest.mark.parametrize(("status", "actions"), [
    ("pending", ["approve", "edit", "reject"]),
    ("published", ["spotlight", "answer", "reject"]),
    ("answered", ["reopen", "reject"]),
    ("rejected", ["approve"]),
])
def test_moderator_actions_by_status(status, actions):
    assert moderator_actions(status) == actions


@pytest.mark.parametrize("status", list(QuestionStatus))
def test_moderator_actions_offer_only_moderations_that_apply(status):
    for action in moderator_actions(status):
        if action in MODERATION:
            moderate(status, action)  # raises ModerationRefused if the button lied
    assert MAIN_BUTTON.get(status) in moderator_actions(status) + [None]


def test_board_ids_are_the_board_order():
    questions = [{"id": 1, "status": "answered", "votes": 9}, {"id": 2, "status": "published", "votes": 1},
                 {"id": 3, "status": "published", "votes": 4}, {"id": 4, "status": "published", "votes": 1}]

    assert board_ids(questions) == [3, 2, 4, 1]


# -- new devices -------------------------------------------------------------------------------

NOW = 1_750_000_000_000


@pytest.mark.parametrize("opened_ago_ms, born_ago_ms, expected", [
    (0, 0, (DeviceStanding.WARMING, DEVICE_WARMUP_MS)),
    (DEVICE_WARMUP_MS - 1, DEVICE_WARMUP_MS - 1, (DeviceStanding.WARMING, 1)),
    # An old phone's new socket (a reconnect after a Wi-Fi drop) sends its pending question at once.
    (100, 3_600_000, (DeviceStanding.SETTLED, 0)),
    (100, YOUNG_DEVICE_MS - 1, (DeviceStanding.WARMING, DEVICE_WARMUP_MS - 100)),
    (DEVICE_WARMUP_MS, DEVICE_WARMUP_MS, (DeviceStanding.YOUNG, 0)),
    (DEVICE_WARMUP_MS, YOUNG_DEVICE_MS - 1, (DeviceStanding.YOUNG, 0)),
    (DEVICE_WARMUP_MS, YOUNG_DEVICE_MS, (DeviceStanding.SETTLED, 0)),
    (DEVICE_WARMUP_MS, NOW, (DeviceStanding.SETTLED, 0)),  # a cookie made before its date was kept
])
def test_device_standing_waits_for_the_socket_then_counts_the_cookies_age(opened_ago_ms, born_ago_ms, expected):
    assert device_standing(now_ms=NOW, socket_opened_ms=NOW - opened_ago_ms, device_born_ms=NOW - born_ago_ms) \
        == expected


def test_device_standing_without_warmup_never_waits():
    assert device_standing(now_ms=NOW, socket_opened_ms=NOW, device_born_ms=NOW, warmup_ms=0) \
        == (DeviceStanding.YOUNG, 0)


VOCABULARY = suspect_vocabulary(["fils de pute", "pouffiasse", "trou du cul", "a$$", "sh!t", "🖕", "Veuve", "asshat"])


def test_suspect_vocabulary_keeps_words_and_phrases_folded_and_drops_symbol_spellings_and_everyday_words():
    assert VOCABULARY == {("fils", "de", "pute"), ("pouffiasse",), ("trou", "du", "cul"), ("asshat",)}


@pytest.mark.parametrize("text, expected", [
    ("Espèce de POUFFIASSE", ["pouffiasse"]),
    ("Fils de pute, va", ["fils de pute"]),
    ("Le trou du cul du monde ?", ["trou du cul"]),
    ("What an asshat www.spam.example.org", ["asshat", "www.spam.example.org"]),
    ("Le fils de la voisine, une veuve", []),  # a phrase only whole; an everyday word never
])
def test_suspect_words_find_phrases_of_a_vocabulary(text, expected):
    assert suspect_words(text, VOCABULARY) == expected
