"""Audience questions through the Socket.IO test client: ask, moderate, vote, spotlight, limits, roles."""
from __future__ import annotations

import json
from datetime import datetime, timezone
import uuid

import pytest
from sqlalchemy import func, select

from pitchday.extensions import db
from pitchday.models import Question, QuestionVote, Talk
from pitchday.services import broadcast

from .conftest import connect, events, moderator_socket, phone

pytestmark = pytest.mark.integration

HOSTILE = '<script>alert("x")</script><img src=x onerror=alert(1)>'


def talk_id(app, position: int = 1) -> int:
    with app.app_context():
        with db.write() as session:
            return session.scalar(select(Talk.id).where(Talk.position == position))


def ask(sio, talk, text="Quel est le coût par école ?", client_id=None, **extra):
    return sio.emit("ask", {"client_id": client_id or str(uuid.uuid4()), "talk_id": talk, "text": text, **extra},
                    callback=True)


def moderate(sio, question_id, action, **extra):
    return sio.emit("moderate", {"question_id": question_id, "action": action, **extra}, callback=True)


def stored_questions(app) -> list[Question]:
    with app.app_context():
        with db.write() as session:
            return list(session.scalars(select(Question).order_by(Question.id)))


def flush(app) -> None:
    """What the server's scheduler does five times a second."""
    with app.app_context():
        broadcast.flush()


def frames(sio) -> list[tuple[str, str]]:
    """Every event received, as raw JSON text: what crossed the wire, not what a page chose to show."""
    return [(e["name"], json.dumps(e["args"], ensure_ascii=False)) for e in sio.get_received()]


def inbox(sio) -> dict[str, list]:
    """Every event received since the last read, by name (reading empties the socket's inbox)."""
    received: dict[str, list] = {}
    for event in sio.get_received():
        received.setdefault(event["name"], []).append(event["args"][0])
    return received


# -- asking ------------------------------------------------------------------------------------------


def test_ask_stores_a_pending_question_seen_by_its_asker_and_the_moderators_only(app, edition, moderator_http):
    talk = talk_id(app)
    _http, asker = phone(app)
    _other_http, other = phone(app)
    projector = connect(app, "projector")
    moderator = moderator_socket(app, moderator_http)
    for sio in (asker, other, projector, moderator):
        sio.get_received()

    ack = ask(asker, talk, "Quel est le coût par école ?", author="Léa")
    flush(app)

    assert ack["ok"] is True
    assert ack["question"]["status"] == "pending"
    assert ack["question"]["text"] == "Quel est le coût par école ?"
    assert ack["question"]["author"] == "Léa"
    received = inbox(moderator)
    assert [q["text"] for q in received["moderation"][-1]["questions"]] == ["Quel est le coût par école ?"]
    assert received["moderation_counts"][-1]["pending"] == {str(talk): 1}
    for sio in (other, projector):
        assert not any("coût par école" in raw for _name, raw in frames(sio))
    assert [q["status"] for q in asker.emit("mine", callback=True)["questions"]] == ["pending"]


def test_ask_retried_with_the_same_client_id_is_stored_once_with_the_same_answer(app, edition):
    talk = talk_id(app)
    _http, asker = phone(app)
    client_id = str(uuid.uuid4())

    first = ask(asker, talk, "Première version", client_id=client_id)
    again = ask(asker, talk, "Première version", client_id=client_id)
    replayed = ask(asker, talk, "Autre texte rejoué", client_id=client_id)

    assert first == again == replayed
    assert [q.text for q in stored_questions(app)] == ["Première version"]


def test_ask_same_client_id_from_another_phone_gets_the_first_answer_and_stores_nothing(app, edition):
    # A replayed frame captured from someone else cannot create a second question either.
    talk = talk_id(app)
    _h1, first_phone = phone(app)
    _h2, second_phone = phone(app)
    client_id = str(uuid.uuid4())

    original = ask(first_phone, talk, "La mienne", client_id=client_id)
    replay = ask(second_phone, talk, "La mienne", client_id=client_id)

    assert replay == original
    assert len(stored_questions(app)) == 1


@pytest.mark.parametrize("payload, fields", [
    ({"text": ""}, {"text"}),
    ({"text": "   \u202e  "}, {"text"}),
    ({"text": "x" * 281}, {"text"}),
    ({"text": 42}, {"text"}),
    ({"text": ["a"]}, {"text"}),
    ({"author": "y" * 41}, {"author"}),
    ({"talk_id": 999_999}, {"talk_id"}),
    ({"talk_id": "1"}, {"talk_id"}),
    ({"talk_id": None, "text": ""}, {"talk_id", "text"}),
])
def test_ask_invalid_fields_get_a_message_each_and_store_nothing(app, edition, payload, fields):
    _http, asker = phone(app)
    body = {"client_id": str(uuid.uuid4()), "talk_id": talk_id(app), "text": "Une question", **payload}

    ack = asker.emit("ask", body, callback=True)

    assert ack["ok"] is False
    assert ack["error"]["code"] == "invalid"
    assert ack["error"]["message"] == "Vérifiez les champs signalés."
    assert set(ack["error"]["fields"]) == fields
    assert all(isinstance(m, str) and m for m in ack["error"]["fields"].values())
    assert stored_questions(app) == []


def test_ask_too_long_says_the_limit(app, edition):
    _http, asker = phone(app)

    ack = ask(asker, talk_id(app), "x" * 281)

    assert ack["error"]["fields"] == {"text": "280 caractères au plus."}


@pytest.mark.parametrize("payload", [None, "question", 5, [], {"talk_id": 1, "text": "sans id"},
                                     {"client_id": "short", "talk_id": 1, "text": "x"},
                                     {"client_id": "<script>" * 3, "talk_id": 1, "text": "x"}])
def test_ask_malformed_envelope_is_refused(app, edition, payload):
    _http, asker = phone(app)

    ack = asker.emit("ask", payload, callback=True)

    assert ack == {"ok": False, "error": {"code": "bad_request", "message": "Requête mal formée."}}
    assert stored_questions(app) == []


def test_ask_in_english_gets_english_errors(app, edition):
    http = app.test_client()
    assert http.get(f"/e/{edition.slug}/?lang=en").status_code == 200
    asker = connect(app, "audience", http=http)

    ack = ask(asker, talk_id(app), "")

    assert ack["error"]["message"] == "Check the fields marked."
    assert ack["error"]["fields"] == {"text": "This field is required."}


def test_ask_strips_bidi_controls_and_keeps_markup_as_plain_text(app, edition, moderator_http):
    _http, asker = phone(app)
    moderator = moderator_socket(app, moderator_http)

    ack = ask(asker, talk_id(app), "\u202eabc " + HOSTILE, author="\u2066Zoé\u2069")
    approved = moderate(moderator, ack["question"]["id"], "approve")

    assert ack["question"]["text"] == "abc " + HOSTILE
    assert ack["question"]["author"] == "Zoé"
    assert approved["question"]["text"] == "abc " + HOSTILE


def test_ask_without_a_device_cookie_is_refused_with_a_reason(app, edition):
    cookieless = connect(app, "audience")  # never loaded the page: no device cookie

    ack = ask(cookieless, talk_id(app))

    assert ack["ok"] is False
    assert ack["error"]["code"] == "no_device"
    assert "cookies" in ack["error"]["message"]
    assert stored_questions(app) == []


def test_ask_with_a_forged_device_cookie_is_refused(app, edition):
    http = app.test_client()
    http.set_cookie("pitchday_device", "someone-else.forged-signature")
    forged = connect(app, "audience", http=http)

    assert ask(forged, talk_id(app))["error"]["code"] == "no_device"


@pytest.mark.parametrize("view", ["projector", "stage"])
def test_ask_from_a_screen_that_is_not_a_phone_is_refused(app, edition, view):
    screen = connect(app, view)

    assert ask(screen, talk_id(app))["error"]["code"] == "forbidden"
    assert stored_questions(app) == []


def test_ask_for_another_talk_of_the_evening_goes_to_that_talk(app, edition, moderator_http):
    third = talk_id(app, 3)
    _http, asker = phone(app)
    moderator = moderator_socket(app, moderator_http)

    ack = ask(asker, third, "Pour la navette")
    listed = moderator.emit("moderation_list", {"talk_id": third}, callback=True)

    assert ack["question"]["talk_id"] == third
    assert [q["text"] for q in listed["questions"]] == ["Pour la navette"]


def test_ask_with_suspect_words_is_flagged_for_the_moderator_not_blocked(app, edition, moderator_http):
    moderator = moderator_socket(app, moderator_http)
    assert moderator.emit("question_settings", {"enabled": True}, callback=True)["ok"] is True
    _http, asker = phone(app)

    clean = ask(asker, talk_id(app), "Quel budget ?")
    rude = ask(asker, talk_id(app), "Ce projet c'est de la merde, non ?")
    listed = moderator.emit("moderation_list", {"talk_id": talk_id(app)}, callback=True)

    assert clean["question"]["status"] == "published"  # auto-publish is on
    assert rude["question"]["status"] == "pending"  # held, despite auto-publish
    flagged = {q["text"]: q["suspect"] for q in listed["questions"]}
    assert flagged == {"Ce projet c'est de la merde, non ?": ["merde"], "Quel budget ?": []}


@pytest.mark.parametrize("text, flagged", [
    ("Espèce de pouffiasse, ça sert à quoi ?", ["pouffiasse"]),  # French, from the packaged list
    ("Fils de pute de capteur !", ["fils de pute"]),  # a phrase of the packaged list
    ("What an asshat idea", ["asshat"]),  # English, from the packaged list
    ("C'est du greenwashing de bouseux", ["greenwashing", "bouseux"]),  # the organisers' own additions
    ("Allez-vous bosser avec les écoles ?", []),  # everyday French, though slang in the list
])
def test_suspect_words_come_from_the_packaged_lists_and_the_organisers_and_only_flag(
        app, edition, moderator_http, monkeypatch, text, flagged):
    monkeypatch.setitem(app.config, "PITCHDAY_SUSPECT_WORDS", "greenwashing, bouseux")
    moderator = moderator_socket(app, moderator_http)
    assert moderator.emit("question_settings", {"enabled": True}, callback=True)["ok"] is True
    _http, asker = phone(app)

    answer = ask(asker, talk_id(app), text)
    listed = moderator.emit("moderation_list", {"talk_id": talk_id(app)}, callback=True)

    assert answer["ok"] is True  # never blocked
    assert answer["question"]["status"] == ("pending" if flagged else "published")
    assert [q["suspect"] for q in listed["questions"]] == [flagged]


def test_auto_publish_is_off_by_default(app, edition, moderator_http):
    moderator = moderator_socket(app, moderator_http)
    _http, asker = phone(app)

    listed = moderator.emit("moderation_list", {"talk_id": talk_id(app)}, callback=True)
    ack = ask(asker, talk_id(app))

    assert listed["counts"]["auto_publish"] is False
    assert ack["question"]["status"] == "pending"


# -- moderation --------------------------------------------------------------------------------------


def test_approve_publishes_to_every_screen_and_tells_the_asker(app, edition, moderator_http):
    talk = talk_id(app)
    _http, asker = phone(app)
    _other_http, other = phone(app)
    projector = connect(app, "projector")
    moderator = moderator_socket(app, moderator_http)
    question = ask(asker, talk, "Combien de capteurs ?")["question"]
    flush(app)
    for sio in (asker, other, projector):
        sio.get_received()

    ack = moderate(moderator, question["id"], "approve")
    flush(app)

    assert ack["ok"] is True and ack["question"]["status"] == "published"
    for sio in (other, projector):
        board = events(sio, "board")[-1]
        assert board["talk_id"] == talk
        assert [(q["text"], q["votes"], q["status"]) for q in board["questions"]] == [
            ("Combien de capteurs ?", 0, "published")]
        assert "client_id" not in board["questions"][0] and "suspect" not in board["questions"][0]
    mine = events(asker, "my_question")[-1]
    assert (mine["client_id"], mine["status"]) == (question["client_id"], "published")


def test_approve_with_an_edited_text_publishes_the_edit_and_keeps_the_original_for_moderators(
        app, edition, moderator_http):
    _http, asker = phone(app)
    moderator = moderator_socket(app, moderator_http)
    question = ask(asker, talk_id(app), "combien ca coute ???? et pour les écoles")["question"]

    ack = moderate(moderator, question["id"], "approve", text="Combien ça coûte pour les écoles ?")
    listed = moderator.emit("moderation_list", {"talk_id": talk_id(app)}, callback=True)

    assert ack["question"]["text"] == "Combien ça coûte pour les écoles ?"
    assert listed["questions"][0]["original_text"] == "combien ca coute ???? et pour les écoles"
    assert asker.emit("board", {"talk_id": talk_id(app)}, callback=True)["questions"][0]["text"] == \
        "Combien ça coûte pour les écoles ?"


def test_approve_with_an_edit_too_long_is_refused_and_changes_nothing(app, edition, moderator_http):
    _http, asker = phone(app)
    moderator = moderator_socket(app, moderator_http)
    question = ask(asker, talk_id(app))["question"]

    ack = moderate(moderator, question["id"], "approve", text="x" * 281)

    assert ack["error"]["code"] == "invalid"
    assert [(q.status, q.text) for q in stored_questions(app)] == [("pending", "Quel est le coût par école ?")]


def test_reject_keeps_the_question_from_every_other_screen_and_tells_the_asker(app, edition, moderator_http):
    _http, asker = phone(app)
    _other_http, other = phone(app)
    projector = connect(app, "projector")
    moderator = moderator_socket(app, moderator_http)
    question = ask(asker, talk_id(app), "Question hors sujet sur le parking")["question"]

    assert moderate(moderator, question["id"], "reject")["question"]["status"] == "rejected"
    flush(app)

    assert events(asker, "my_question")[-1]["status"] == "rejected"
    for sio in (other, projector):
        assert not any("parking" in raw for _name, raw in frames(sio))
    assert other.emit("board", {"talk_id": talk_id(app)}, callback=True)["questions"] == []


def test_unpublishing_removes_the_question_from_the_boards(app, edition, moderator_http):
    _http, asker = phone(app)
    _other_http, other = phone(app)
    moderator = moderator_socket(app, moderator_http)
    question = ask(asker, talk_id(app))["question"]
    moderate(moderator, question["id"], "approve")
    flush(app)
    other.get_received()

    moderate(moderator, question["id"], "reject")
    flush(app)

    assert events(other, "board")[-1]["questions"] == []


def test_answer_then_reopen(app, edition, moderator_http):
    _http, asker = phone(app)
    moderator = moderator_socket(app, moderator_http)
    question = ask(asker, talk_id(app))["question"]
    moderate(moderator, question["id"], "approve")

    answered = moderate(moderator, question["id"], "answer")
    reopened = moderate(moderator, question["id"], "reopen")

    assert answered["question"]["status"] == "answered"
    assert reopened["question"]["status"] == "published"


@pytest.mark.parametrize("action", ["answer", "reopen", "delete", 5])
def test_moderation_that_does_not_apply_is_refused_and_changes_nothing(app, edition, moderator_http, action):
    _http, asker = phone(app)
    moderator = moderator_socket(app, moderator_http)
    question = ask(asker, talk_id(app))["question"]

    ack = moderate(moderator, question["id"], action)

    assert ack["ok"] is False
    assert ack["error"]["code"] in {"wrong_status", "unknown_action", "bad_request"}
    assert ack["error"]["message"]
    assert [q.status for q in stored_questions(app)] == ["pending"]


def test_moderating_an_unknown_question_is_refused(app, edition, moderator_http):
    moderator = moderator_socket(app, moderator_http)

    assert moderate(moderator, 999_999, "approve")["error"]["code"] == "unknown_question"


# -- roles --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("event, payload", [
    ("moderate", {"question_id": 1, "action": "approve"}),
    ("moderation_list", {"talk_id": 1}),
    ("question_settings", {"enabled": True}),
    ("command", {"command_id": str(uuid.uuid4()), "name": "spotlight", "args": {"question_id": 1}, "version": 0}),
])
@pytest.mark.parametrize("view", ["audience", "projector", "stage"])
def test_only_moderators_moderate(app, edition, view, event, payload):
    if view == "audience":
        _http, sio = phone(app)
    else:
        sio = connect(app, view)
    _asker_http, asker = phone(app)
    ask(asker, talk_id(app))

    ack = sio.emit(event, payload, callback=True)

    assert ack["ok"] is False
    assert ack["error"]["code"] == "forbidden"
    assert [q.status for q in stored_questions(app)] == ["pending"]
    assert events(connect(app, "projector"), "snapshot")[-1]["state"]["spotlight"] is None


def test_a_revoked_moderator_link_stops_moderation_at_once(app, edition, moderator_http):
    from pitchday.models import ModeratorLink

    moderator = moderator_socket(app, moderator_http)
    _http, asker = phone(app)
    question = ask(asker, talk_id(app))["question"]
    with app.app_context(), db.write() as session:
        # Revoked by another process (whose revocation cannot cut this process's socket off at once):
        # the link is checked again at the event.
        session.scalar(select(ModeratorLink)).revoked_at = datetime.now(timezone.utc)

    assert moderate(moderator, question["id"], "approve")["error"]["code"] == "forbidden"


# -- votes --------------------------------------------------------------------------------------------


def published_question(app, moderator, asker, text="Quel budget ?") -> dict:
    question = ask(asker, talk_id(app), text)["question"]
    return moderate(moderator, question["id"], "approve")["question"]


def vote(sio, question_id):
    return sio.emit("vote", {"question_id": question_id}, callback=True)


def test_vote_counts_once_per_phone(app, edition, moderator_http):
    moderator = moderator_socket(app, moderator_http)
    _h, asker = phone(app)
    question = published_question(app, moderator, asker)
    _h2, voter = phone(app)
    _h3, second_voter = phone(app)

    first = vote(voter, question["id"])
    again = vote(voter, question["id"])
    other = vote(second_voter, question["id"])

    assert first == {"ok": True, "question_id": question["id"], "votes": 1, "voted": True}
    assert again == first
    assert other["votes"] == 2
    with app.app_context():
        with db.write() as session:
            assert session.scalar(select(func.count()).select_from(QuestionVote)) == 2
    assert voter.emit("mine", callback=True)["voted"] == [question["id"]]


def test_votes_are_coalesced_into_one_broadcast_per_flush(app, edition, moderator_http):
    moderator = moderator_socket(app, moderator_http)
    _h, asker = phone(app)
    question = published_question(app, moderator, asker)
    voters = [phone(app)[1] for _ in range(12)]
    projector = connect(app, "projector")
    flush(app)
    projector.get_received()

    for sio in voters:
        assert vote(sio, question["id"])["ok"] is True
    flush(app)

    assert events(projector, "votes") == [{"counts": {str(question["id"]): 12},
                                           "order": {str(talk_id(app)): [question["id"]]}}]
    assert [q["votes"] for q in projector.emit("board", {"talk_id": talk_id(app)}, callback=True)["questions"]] \
        == [12]


def test_votes_broadcast_carries_the_new_order_of_the_board(app, edition, moderator_http):
    moderator = moderator_socket(app, moderator_http)
    _h, asker = phone(app)
    first = published_question(app, moderator, asker, "Posée la première")
    second = published_question(app, moderator, asker, "Posée la seconde")
    projector = connect(app, "projector")
    flush(app)
    projector.get_received()

    vote(phone(app)[1], second["id"])
    flush(app)

    assert events(projector, "votes") == [{"counts": {str(second["id"]): 1},
                                           "order": {str(talk_id(app)): [second["id"], first["id"]]}}]


def test_moderation_list_offers_the_actions_of_each_status(app, edition, moderator_http):
    moderator = moderator_socket(app, moderator_http)
    _h, asker = phone(app)
    published = published_question(app, moderator, asker, "Publiée")
    waiting = ask(asker, talk_id(app), "En attente")["question"]

    listed = moderator.emit("moderation_list", {"talk_id": talk_id(app)}, callback=True)["questions"]

    assert [(q["id"], q["actions"], q["main_action"]) for q in listed] == [
        (waiting["id"], ["approve", "edit", "reject"], "approve"),
        (published["id"], ["spotlight", "answer", "reject"], "spotlight"),
    ]


def test_board_is_sorted_by_votes(app, edition, moderator_http):
    moderator = moderator_socket(app, moderator_http)
    _h, asker = phone(app)
    few = published_question(app, moderator, asker, "Peu soutenue")
    many = published_question(app, moderator, asker, "Très soutenue")
    for _ in range(3):
        vote(phone(app)[1], many["id"])
    vote(phone(app)[1], few["id"])

    board = asker.emit("board", {"talk_id": talk_id(app)}, callback=True)["questions"]

    assert [(q["text"], q["votes"]) for q in board] == [("Très soutenue", 3), ("Peu soutenue", 1)]


def test_vote_for_a_pending_or_rejected_question_is_as_if_it_did_not_exist(app, edition, moderator_http):
    moderator = moderator_socket(app, moderator_http)
    _h, asker = phone(app)
    pending = ask(asker, talk_id(app), "En attente")["question"]
    rejected = ask(asker, talk_id(app), "Refusée")["question"]
    moderate(moderator, rejected["id"], "reject")
    _h2, voter = phone(app)

    for question in (pending, rejected):
        assert vote(voter, question["id"])["error"]["code"] == "unknown_question"
    assert vote(voter, 999_999)["error"]["code"] == "unknown_question"


def test_vote_for_an_answered_question_is_closed(app, edition, moderator_http):
    moderator = moderator_socket(app, moderator_http)
    _h, asker = phone(app)
    question = published_question(app, moderator, asker)
    moderate(moderator, question["id"], "answer")

    ack = vote(phone(app)[1], question["id"])

    assert ack["error"]["code"] == "not_votable"


@pytest.mark.parametrize("payload", [None, {}, {"question_id": "1"}, {"question_id": True}, {"question_id": -1},
                                     {"question_id": 2**40}])
def test_vote_malformed_is_refused(app, edition, payload):
    _h, voter = phone(app)

    assert voter.emit("vote", payload, callback=True)["error"]["code"] == "bad_request"


# -- spotlight ---------------------------------------------------------------------------------------


def spotlight(moderator, question_id):
    version = moderator.emit("resync", callback=True)["snapshot"]["version"]
    return moderator.emit("command", {"command_id": str(uuid.uuid4()), "name": "spotlight",
                                      "args": {"question_id": question_id}, "version": version}, callback=True)


def test_spotlight_puts_a_published_question_on_the_projector_with_its_votes(app, edition, moderator_http):
    moderator = moderator_socket(app, moderator_http)
    _h, asker = phone(app)
    question = published_question(app, moderator, asker, "Et la maintenance ?")
    vote(phone(app)[1], question["id"])
    projector = connect(app, "projector")

    ack = spotlight(moderator, question["id"])

    assert ack["ok"] is True
    shown = events(projector, "state")[-1]["state"]["spotlight"]
    assert shown == {"id": question["id"], "talk_id": talk_id(app), "text": "Et la maintenance ?", "author": None,
                     "votes": 1, "status": "published"}
    assert events(connect(app, "stage"), "snapshot")[-1]["state"]["spotlight"]["id"] == question["id"]


def test_spotlight_of_a_pending_question_is_refused_and_shows_nothing(app, edition, moderator_http):
    moderator = moderator_socket(app, moderator_http)
    _h, asker = phone(app)
    pending = ask(asker, talk_id(app), "Pas encore relue")["question"]

    ack = spotlight(moderator, pending["id"])

    assert ack["ok"] is False and ack["error"]["code"] == "unknown_question"
    snapshot = events(connect(app, "projector"), "snapshot")[-1]
    assert snapshot["state"]["spotlight"] is None
    assert "Pas encore relue" not in json.dumps(snapshot, ensure_ascii=False)


@pytest.mark.parametrize("action", ["reject", "answer"])
def test_rejecting_or_answering_the_spotlighted_question_takes_it_down(app, edition, moderator_http, action):
    moderator = moderator_socket(app, moderator_http)
    _h, asker = phone(app)
    question = published_question(app, moderator, asker)
    spotlight(moderator, question["id"])
    projector = connect(app, "projector")

    moderate(moderator, question["id"], action)

    assert events(projector, "state")[-1]["state"]["spotlight"] is None


def test_clear_spotlight_takes_the_question_down(app, edition, moderator_http):
    moderator = moderator_socket(app, moderator_http)
    _h, asker = phone(app)
    question = published_question(app, moderator, asker)
    spotlight(moderator, question["id"])
    version = moderator.emit("resync", callback=True)["snapshot"]["version"]

    ack = moderator.emit("command", {"command_id": str(uuid.uuid4()), "name": "clear_spotlight", "args": {},
                                     "version": version}, callback=True)

    assert ack["ok"] is True
    assert events(connect(app, "projector"), "snapshot")[-1]["state"]["spotlight"] is None


# -- rate limits -------------------------------------------------------------------------------------


def test_a_flooding_phone_is_slowed_with_a_clear_message_and_nobody_else_is(app, edition):
    talk = talk_id(app)
    _h, flooder = phone(app)
    _h2, neighbour = phone(app)  # same venue address

    answers = [ask(flooder, talk, f"Question {i}") for i in range(4)]
    neighbour_ack = ask(neighbour, talk, "Ma seule question")

    assert [a["ok"] for a in answers] == [True, True, True, False]
    refused = answers[-1]["error"]
    assert refused["code"] == "rate_limited"
    assert 1 <= refused["retry_after"] <= 60
    assert refused["message"] == f"Doucement : trop d'envois d'un coup. Réessayez dans {refused['retry_after']} s."
    assert neighbour_ack["ok"] is True
    assert len(stored_questions(app)) == 4


def test_three_hundred_phones_behind_one_address_all_get_through(app, edition):
    talk = talk_id(app)
    # The room's phones opened the page before the talk (new devices share a budget: test_new_devices.py).
    phones = [phone(app, address="198.51.100.7", opened_page_s_ago=600)[1] for _ in range(300)]

    answers = [ask(sio, talk, f"Question du téléphone {i}") for i, sio in enumerate(phones)]

    assert all(a["ok"] for a in answers), [a for a in answers if not a["ok"]][:3]
    assert len(stored_questions(app)) == 300


def test_a_retry_of_a_stored_question_is_never_rate_limited(app, edition):
    talk = talk_id(app)
    _h, asker = phone(app)
    first = [ask(asker, talk, f"Q{i}", client_id=f"client-{i:04d}") for i in range(3)]

    retries = [ask(asker, talk, f"Q{i}", client_id=f"client-{i:04d}") for i in range(3)]

    assert retries == first


@pytest.mark.parametrize("event, payload", [
    ("question_settings", None), ("question_settings", {"enabled": "yes"}), ("question_settings", {"enabled": 1}),
    ("moderation_list", None), ("moderation_list", {"talk_id": "1"}), ("moderation_list", {"talk_id": -1}),
    ("moderate", None), ("moderate", {"question_id": "1", "action": "approve"}), ("moderate", ["approve"]),
])
def test_malformed_moderation_events_are_refused_and_change_nothing(app, edition, moderator_http, event, payload):
    moderator = moderator_socket(app, moderator_http)
    _h, asker = phone(app)
    ask(asker, talk_id(app))

    ack = moderator.emit(event, payload, callback=True)

    assert ack == {"ok": False, "error": {"code": "bad_request", "message": "Requête mal formée."}}
    assert [q.status for q in stored_questions(app)] == ["pending"]
    assert moderator.emit("moderation_list", {"talk_id": talk_id(app)}, callback=True)["counts"]["auto_publish"] is False


@pytest.mark.parametrize("payload", [None, {}, {"talk_id": "1"}, {"talk_id": 0}, ["x"]])
def test_malformed_board_request_is_refused(app, edition, payload):
    _h, sio = phone(app)

    assert sio.emit("board", payload, callback=True)["error"]["code"] == "bad_request"


def test_board_of_another_editions_talk_is_empty_and_mine_is_for_phones_only(app, edition):
    _h, sio = phone(app)

    assert sio.emit("board", {"talk_id": 999_999}, callback=True) == {"ok": True, "talk_id": 999_999, "questions": []}
    assert connect(app, "projector").emit("mine", callback=True)["error"]["code"] == "forbidden"
