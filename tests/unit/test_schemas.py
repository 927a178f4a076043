"""Every declared shape (domain.events, domain.forms): a valid payload, each invalid field and its code,
non-finite numbers, NUL bytes, oversize values."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from jsonschema import Draft202012Validator

from pitchday.domain import events, forms
from pitchday.domain.applications import ApplicationForm, RowHead
from pitchday.domain.editions import EditionForm
from pitchday.domain.shapes import MAX_ID, Refused

pytestmark = pytest.mark.unit

NAN, INF = float("nan"), float("inf")
ID = "3f1c2a9e-0000-4000-8000-000000000001"
BAD_ARGS = "args must be an object of finite numbers, strings, lists and objects"


def refusal(schema, payload) -> dict:
    """The answer a service would give for ``payload``: code, and each field's code (and limit)."""
    with pytest.raises(Refused) as refused:
        schema.parse(payload)
    return refused.value.answer()["error"]


def field_codes(schema, payload) -> dict[str, tuple[str, int | None]]:
    error = refusal(schema, payload)
    assert error["code"] == "invalid", error
    return {name: (e["code"], e["limit"]) for name, e in error["fields"].items()}


# -- the moderator command -------------------------------------------------------------------------


def command(**changes):
    return {"command_id": ID, "name": "extend", "args": {"delta_ms": 30000}, "version": 12, **changes}


def test_command_valid_is_typed():
    parsed = events.Command.parse(command())

    assert (parsed.command_id, parsed.name, parsed.args, parsed.version) == (ID, "extend", {"delta_ms": 30000}, 12)


def test_command_without_args_has_empty_args():
    assert events.Command.parse({"command_id": ID, "name": "start", "version": 0}).args == {}


@pytest.mark.parametrize("payload, reason", [
    (None, "The command must be an object"),
    (["start"], "The command must be an object"),
    (command(command_id="short"), "command_id must be 8 to 64 letters, digits or dashes"),
    (command(command_id="x" * 65), "command_id must be 8 to 64 letters, digits or dashes"),
    (command(command_id="abcdefgh\x00"), "command_id must be 8 to 64 letters, digits or dashes"),
    (command(command_id=12345678), "command_id must be 8 to 64 letters, digits or dashes"),
    (command(name="explode"), "Unknown command"),
    (command(name=None), "Unknown command"),
    (command(args=[]), BAD_ARGS),
    (command(args={"delta_ms": NAN}), BAD_ARGS),
    (command(args={"order": [1, INF]}), BAD_ARGS),
    (command(args={"deep": {"x": -INF}}), BAD_ARGS),
    (command(args={"order": list(range(2000))}), BAD_ARGS),
    (command(version="1"), "version must be a non-negative integer"),
    (command(version=-1), "version must be a non-negative integer"),
    (command(version=True), "version must be a non-negative integer"),
    (command(version=1.0), "version must be a non-negative integer"),
    (command(version=NAN), "version must be a non-negative integer"),
    (command(version=INF), "version must be a non-negative integer"),
    (command(version=2**53), "version must be a non-negative integer"),
])
def test_command_malformed_is_a_bad_request_with_its_reason(payload, reason):
    assert refusal(events.Command, payload) == {"code": "bad_request", "message": reason}


def test_command_args_keep_a_nul_byte_for_the_domain_to_judge():
    assert events.Command.parse(command(name="message", args={"text": "a\x00b"})).args == {"text": "a\x00b"}


# -- ask -------------------------------------------------------------------------------------------


def ask(**changes):
    return {"client_id": ID, "talk_id": 7, "text": "Quel coût par école ?", "author": "Zoé", **changes}


def test_ask_valid_is_cleaned():
    parsed = events.Ask.parse(ask(text="  Quel\u202e  coût\x00 ?\n", author="  "))

    assert (parsed.client_id, parsed.talk_id, parsed.text, parsed.author) == (ID, 7, "Quel coût ?", None)


@pytest.mark.parametrize("payload", [None, "question", 5, [], ask(client_id=None), ask(client_id="short"),
                                     ask(client_id="<script>" * 3), ask(client_id="a" * 65),
                                     ask(client_id="abcdefgh\x00"), ask(client_id="abcdefgh\n")])
def test_ask_malformed_envelope_is_a_bad_request(payload):
    assert refusal(events.Ask, payload) == {"code": "bad_request"}


@pytest.mark.parametrize("changes, expected", [
    ({"talk_id": None}, {"talk_id": ("unknown_talk", None)}),
    ({"talk_id": "7"}, {"talk_id": ("unknown_talk", None)}),
    ({"talk_id": True}, {"talk_id": ("unknown_talk", None)}),
    ({"talk_id": 0}, {"talk_id": ("unknown_talk", None)}),
    ({"talk_id": MAX_ID + 1}, {"talk_id": ("unknown_talk", None)}),
    ({"talk_id": NAN}, {"talk_id": ("unknown_talk", None)}),
    ({"talk_id": INF}, {"talk_id": ("unknown_talk", None)}),
    ({"text": ""}, {"text": ("required", None)}),
    ({"text": "\x00\x00"}, {"text": ("required", None)}),
    ({"text": 42}, {"text": ("not_text", None)}),
    ({"text": NAN}, {"text": ("not_text", None)}),
    ({"text": "x" * 281}, {"text": ("too_long", 280)}),
    ({"text": "x" * 100_000}, {"text": ("too_long", 280)}),
    ({"author": "y" * 41}, {"author": ("too_long", 40)}),
    ({"talk_id": None, "text": ""}, {"talk_id": ("unknown_talk", None), "text": ("required", None)}),
])
def test_ask_invalid_field_gets_its_code(changes, expected):
    assert field_codes(events.Ask, ask(**changes)) == expected


def test_ask_at_the_limit_is_accepted():
    assert events.Ask.parse(ask(text="x" * 280, author="y" * 40)).text == "x" * 280


# -- vote, boards, moderation ----------------------------------------------------------------------


@pytest.mark.parametrize("schema, name", [(events.Vote, "question_id"), (events.TalkBoard, "talk_id"),
                                          (events.ModerationList, "talk_id")])
def test_an_id_payload_valid_is_typed(schema, name):
    assert getattr(schema.parse({name: MAX_ID}), name) == MAX_ID


@pytest.mark.parametrize("schema, name", [(events.Vote, "question_id"), (events.TalkBoard, "talk_id"),
                                          (events.ModerationList, "talk_id")])
@pytest.mark.parametrize("value", [None, "1", True, -1, 0, 1.0, NAN, INF, -INF, MAX_ID + 1, 2**64, [1]])
def test_an_id_payload_invalid_is_a_bad_request(schema, name, value):
    assert refusal(schema, {name: value}) == {"code": "bad_request"}


@pytest.mark.parametrize("schema", [events.Vote, events.TalkBoard, events.ModerationList, events.QuestionSettings,
                                    events.Moderate])
@pytest.mark.parametrize("payload", [None, "x", ["x"], 5])
def test_a_payload_that_is_not_an_object_is_a_bad_request(schema, payload):
    assert refusal(schema, payload) == {"code": "bad_request"}


def test_question_settings_takes_a_bool_only():
    assert events.QuestionSettings.parse({"enabled": False}).enabled is False
    for value in ("yes", 1, None, NAN):
        assert refusal(events.QuestionSettings, {"enabled": value}) == {"code": "bad_request"}


def test_moderate_valid_with_an_edit_is_cleaned():
    parsed = events.Moderate.parse({"question_id": 3, "action": "approve", "text": " Une\x00 question "})

    assert (parsed.question_id, parsed.action, parsed.text) == (3, "approve", "Une question")


def test_moderate_unknown_action_is_left_to_the_domain():
    assert events.Moderate.parse({"question_id": 3, "action": "delete"}).action == "delete"


@pytest.mark.parametrize("payload", [{"question_id": "1", "action": "approve"}, {"question_id": 1, "action": 5},
                                     {"question_id": 1}, {"question_id": 1, "action": "x" * 21},
                                     {"question_id": NAN, "action": "approve"}])
def test_moderate_malformed_is_a_bad_request(payload):
    assert refusal(events.Moderate, payload) == {"code": "bad_request"}


def test_moderate_edit_is_checked_with_approve_only():
    assert field_codes(events.Moderate, {"question_id": 1, "action": "approve", "text": "x" * 281}) == {
        "text": ("too_long", 280)}
    assert field_codes(events.Moderate, {"question_id": 1, "action": "approve", "text": ""}) == {
        "text": ("required", None)}
    assert events.Moderate.parse({"question_id": 1, "action": "reject", "text": 42}).text is None


# -- connect requests ------------------------------------------------------------------------------


def connect_request(**changes):
    return {"client_id": ID, "talk_id": 4, "name": "Alex Testeur", "organisation": "Commune de Fictiveville",
            "email": "Alex@Fictiveville.EXAMPLE.org", "phone": "01 99 00 20 02", "intent": "learn_more",
            "message": "Bonjour,\n\nà bientôt", "consent": True, **changes}


def test_connect_request_valid_is_cleaned_and_normalised():
    parsed = events.ConnectRequest.parse(connect_request(name="Alex\x00 Testeur",
                                                         email="Alex@Fictive\x00ville.example.org"))

    assert parsed.name == "Alex Testeur"
    assert parsed.email == "Alex@fictiveville.example.org"
    assert parsed.message == "Bonjour,\n\nà bientôt"


@pytest.mark.parametrize("changes, expected", [
    ({"talk_id": "4"}, {"talk_id": ("unknown_talk", None)}),
    ({"name": ""}, {"name": ("required", None)}),
    ({"name": "n" * 101}, {"name": ("too_long", 100)}),
    ({"organisation": "o" * 151}, {"organisation": ("too_long", 150)}),
    ({"email": "pas-une-adresse"}, {"email": ("invalid_email", None)}),
    ({"email": "a" * 250 + "@example.org"}, {"email": ("too_long", 254)}),
    ({"email": NAN}, {"email": ("not_text", None)}),
    ({"phone": "appelez-moi"}, {"phone": ("invalid_phone", None)}),
    ({"intent": "marry_me"}, {"intent": ("invalid_choice", None)}),
    ({"intent": None}, {"intent": ("invalid_choice", None)}),
    ({"message": "m" * 1001}, {"message": ("too_long", 1000)}),
    ({"consent": "yes"}, {"consent": ("consent_required", None)}),
    ({"consent": 1}, {"consent": ("consent_required", None)}),
])
def test_connect_request_invalid_field_gets_its_code(changes, expected):
    assert field_codes(events.ConnectRequest, connect_request(**changes)) == expected


def test_connect_request_without_client_id_is_a_bad_request():
    assert refusal(events.ConnectRequest, connect_request(client_id="x")) == {"code": "bad_request"}


# -- connect ---------------------------------------------------------------------------------------


def test_auth_valid_is_typed():
    parsed = events.Auth.parse({"view": "audience", "edition": "jdn10"})

    assert (parsed.view, parsed.edition) == ("audience", "jdn10")


@pytest.mark.parametrize("auth, code", [({}, "bad_view"), ({"view": "admin", "edition": "jdn10"}, "bad_view"),
                                        ({"view": "stage"}, "unknown_edition"),
                                        ({"view": "stage", "edition": "e" * 41}, "unknown_edition"),
                                        ({"view": "stage", "edition": 10}, "unknown_edition")])
def test_auth_invalid_gives_the_connect_error(auth, code):
    _parsed, errors = events.Auth.fields_of(auth)

    assert errors[0].code == code


# -- the organisers' forms -------------------------------------------------------------------------


def test_talk_correction_valid_and_speaker_optional():
    parsed = forms.TalkCorrection.parse({"title": " Capteurs\x00 ", "organisation": "Fictiveville", "speaker": ""})

    assert (parsed.title, parsed.organisation, parsed.speaker) == ("Capteurs", "Fictiveville", None)


def test_talk_correction_invalid_fields_get_their_codes():
    assert field_codes(forms.TalkCorrection, {"title": "", "organisation": "o" * 201, "speaker": "s" * 201}) == {
        "title": ("required", None), "organisation": ("too_long", 200), "speaker": ("too_long", 200)}


def test_notice_settings_keep_paragraphs_and_require_the_controller():
    parsed = forms.NoticeSettings.parse({"controller": "Métropole fictive", "purposes": "Un.\n\nDeux."})

    assert (parsed.controller, parsed.purposes, parsed.rights) == ("Métropole fictive", "Un.\n\nDeux.", None)
    assert field_codes(forms.NoticeSettings, {"controller": " ", "rights": "r" * 2001}) == {
        "controller": ("required", None), "rights": ("too_long", 2000)}


def test_introduction_valid_and_each_field_checked():
    parsed = forms.Introduction.parse({"team_email": "equipe@fictive.example.org", "subject": "Mise en relation",
                                       "body": "Bonjour,\n\nVoici."})

    assert (parsed.team_email, parsed.body) == ("equipe@fictive.example.org", "Bonjour,\n\nVoici.")
    assert field_codes(forms.Introduction, {"team_email": "nope", "subject": "s" * 201, "body": ""}) == {
        "team_email": ("invalid_email", None), "subject": ("too_long", 200), "body": ("required", None)}


def test_person_lookup_normalises_the_domain_only():
    assert forms.PersonLookup.parse({"email": " Zoe@Exemple.FR "}).email == "Zoe@exemple.fr"
    assert field_codes(forms.PersonLookup, {"email": "zoe@"}) == {"email": ("invalid_email", None)}


def test_durations_form_reads_each_talk_and_leaves_blank_to_the_default():
    schema = forms.durations_form([3, 4])

    parsed = schema.parse({"pitch": "5:00", "qa": "4", "pitch-3": "7:30", "qa-3": "", "pitch-4": "", "qa-4": "1:05"})

    assert (parsed.pitch, parsed.qa) == (300_000, 240_000)
    assert (parsed.pitch_3, parsed.qa_3, parsed.pitch_4, parsed.qa_4) == (450_000, None, None, 65_000)


@pytest.mark.parametrize("changes, expected", [
    ({"pitch": ""}, {"pitch": ("required", None)}),
    ({"qa": "5:60"}, {"qa": ("invalid_duration", None)}),
    ({"pitch-3": "61:00"}, {"pitch-3": ("invalid_duration", None)}),
    ({"qa-3": "0:00"}, {"qa-3": ("invalid_duration", None)}),
    ({"qa-3": "\x005:00"}, {"qa-3": ("invalid_duration", None)}),
    ({"pitch": 300}, {"pitch": ("invalid_duration", None)}),
])
def test_durations_form_invalid_field_gets_its_code(changes, expected):
    values = {"pitch": "5:00", "qa": "5:00", "pitch-3": "", "qa-3": "", **changes}

    assert field_codes(forms.durations_form([3]), values) == expected


def test_row_head_reads_reference_and_moment():
    parsed = RowHead.parse({"reference": "T-001", "recu_le": "2020-01-10T10:00:00+01:00"})

    assert parsed.reference == "T-001"
    assert parsed.recu_le == datetime(2020, 1, 10, 10, tzinfo=timezone(timedelta(hours=1)))
    assert field_codes(RowHead, {"reference": "T 001", "recu_le": "2020-01-10T10:00:00"}) == {
        "reference": ("invalid_reference", None), "recu_le": ("invalid_datetime", None)}


def test_every_event_schema_exports_a_json_schema_with_its_required_fields():
    required = {name: schema.model_json_schema()["required"] for name, schema in events.EVENTS.items()}

    assert required == {
        "connect (auth)": ["view", "edition"],
        "command": ["command_id", "name", "version"],
        "ask": ["client_id", "talk_id", "text"],
        "vote": ["question_id"],
        "connect_request": ["client_id", "talk_id", "name", "organisation", "email", "intent", "consent"],
        "board": ["talk_id"],
        "moderate": ["question_id", "action"],
        "moderation_list": ["talk_id"],
        "question_settings": ["enabled"],
    }



@pytest.mark.parametrize("schema", [EditionForm, ApplicationForm, RowHead, forms.TalkCorrection, forms.NoticeSettings,
                                    forms.Introduction, forms.PersonLookup, forms.durations_form([1, 2])])
def test_every_form_schema_exports_a_valid_json_schema(schema):
    json_schema = schema.model_json_schema(by_alias=True)

    Draft202012Validator.check_schema(json_schema)
    assert set(json_schema["required"]) <= set(json_schema["properties"])
