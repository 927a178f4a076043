"""The control API's pure rules: actions as console commands, the body's shape, tokens and keys."""
from __future__ import annotations

import pytest

from pitchday.domain import control as rules
from pitchday.domain import show as domain
from pitchday.domain.shapes import Refused
from pitchday.domain.text import InvalidField

pytestmark = pytest.mark.unit

NOW = 1_000_000


def evening() -> domain.Show:
    return domain.new_show([(1, 300_000, 300_000), (2, 300_000, 300_000)])


def test_every_action_is_a_console_command():
    for action, (name, _args) in rules.ACTIONS.items():
        assert action == "toggle" or name in domain.COMMANDS, action


def test_plus30_and_minus30_are_the_consoles_extensions():
    show = evening()
    assert rules.command_for("plus30", show) == ("extend", {"delta_ms": 30_000})
    assert rules.command_for("minus30", show) == ("extend", {"delta_ms": -30_000})


def test_toggle_is_the_consoles_big_button_as_the_state_calls_for():
    show = evening()
    assert rules.command_for("toggle", show)[0] == "start"
    running = domain.apply(show, "start", {}, now=NOW)
    assert rules.command_for("toggle", running)[0] == "pause"
    paused = domain.apply(running, "pause", {}, now=NOW + 1000)
    assert rules.command_for("toggle", paused)[0] == "resume"
    over = domain.apply(paused, "networking", {}, now=NOW + 2000)
    assert rules.command_for("toggle", over)[0] == "start"  # nothing to toggle: the domain refuses "start"


def test_message_takes_its_text_from_the_body_and_a_table_entry_is_never_changed():
    assert rules.command_for("message", evening(), text="Plus fort") == ("message", {"text": "Plus fort"})
    args = rules.command_for("plus30", evening())[1]
    args["delta_ms"] = 1
    assert rules.ACTIONS["plus30"][1] == {"delta_ms": 30_000}


def test_an_unknown_action_is_refused():
    with pytest.raises(rules.UnknownAction):
        rules.command_for("explode", evening())


def test_allowed_actions_follow_the_state():
    show = evening()
    assert rules.allowed_actions(show, now=NOW) == ["start", "toggle", "next", "message"]
    running = domain.apply(show, "start", {}, now=NOW)
    allowed = rules.allowed_actions(running, now=NOW)
    assert {"pause", "toggle", "next", "questions", "plus30", "minus30", "message", "undo"} <= set(allowed)
    assert {"start", "resume", "previous", "slide_next", "dismiss_message"}.isdisjoint(allowed)


@pytest.mark.parametrize(("remaining", "shown"), [
    (None, ""), (300_000, "5:00"), (272_001, "4:33"), (1, "0:01"), (0, "0:00"), (-999, "0:00"),
    (-1000, "-0:01"), (-83_500, "-1:23"),
])
def test_countdown_text_rounds_up_while_time_remains_and_counts_overtime(remaining, shown):
    assert rules.countdown_text(remaining) == shown


def test_body_takes_an_optional_version_key_and_text():
    assert rules.ControlBody.parse({}).version is None
    body = rules.ControlBody.parse({"version": 7, "command_id": "a" * 8, "text": "Bonjour", "other": 1})
    assert (body.version, body.command_id, body.text) == (7, "a" * 8, "Bonjour")


@pytest.mark.parametrize("payload", [[], "x", {"version": -1}, {"version": True}, {"version": 2**53},
                                     {"version": 1.5}, {"command_id": "court"}, {"command_id": "a b c d e f"}])
def test_a_malformed_body_is_a_bad_request(payload):
    with pytest.raises(Refused) as refused:
        rules.ControlBody.parse(payload)
    assert refused.value.code == "bad_request"


@pytest.mark.parametrize(("header", "token"), [
    ("Bearer pdc_" + "A" * 43, "pdc_" + "A" * 43), ("bearer  pdc_" + "-" * 43 + " ", "pdc_" + "-" * 43),
    (None, None), ("", None), ("Basic pdc_" + "A" * 43, None), ("Bearer pdc_" + "A" * 42, None),
    ("Bearer xyz_" + "A" * 43, None), ("Bearer pdc_" + "A" * 43 + "\n", "pdc_" + "A" * 43),
    ("Bearer " + "pdc_" + "A" * 300, None),
])
def test_bearer_token_reads_only_a_well_formed_token(header, token):
    assert rules.bearer_token(header) == token


def test_token_digest_is_sha256_and_keys_are_per_device():
    import hashlib

    assert rules.token_digest("pdc_x") == hashlib.sha256(b"pdc_x").hexdigest()
    assert rules.token_digest("pdc_x") != rules.token_digest("pdc_y")
    first, second = rules.command_id_for(1, "k" * 16), rules.command_id_for(2, "k" * 16)
    assert first != second and first == rules.command_id_for(1, "k" * 16)
    assert first.startswith("ctl-") and len(first) == 60


def test_idempotency_key_header_is_a_request_id():
    assert rules.parse_key(None) is None
    assert rules.parse_key(" 123e4567-e89b-12d3-a456-426614174000 ") == "123e4567-e89b-12d3-a456-426614174000"
    for bad in ("", "court", "a" * 65, "clé-accentuée"):
        with pytest.raises(InvalidField):
            rules.parse_key(bad)


def test_public_body_flattens_a_stored_answer():
    assert rules.public_body({"ok": True, "version": 4}) == {"ok": True, "version": 4}
    assert rules.public_body({"ok": False, "version": 4, "error": {"code": "stale", "message": "Changé"}}) == {
        "ok": False, "error": "stale", "message": "Changé", "version": 4}
