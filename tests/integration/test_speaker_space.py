"""The speaker space opened by the personal link of a decision's message: its scope, its expiry,
the answers (confirm, decline, keep, withdraw), the corrections of what the audience sees and their limits.
"""
from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone

import pytest
from itsdangerous import URLSafeSerializer
from sqlalchemy import select

from pitchday.extensions import db
from pitchday.models import Application, SpeakerAnswer, Talk
from pitchday.services import speakers

from .conftest import csrf_token
from .test_outbox import CANDIDATES, build, decide, outbox_url, stored_messages

pytestmark = pytest.mark.integration


def link_path(app, edition_id: int, application_id: int) -> str:
    [message] = [m for m in stored_messages(app, edition_id) if m.application_id == application_id]
    return re.search(r"http://localhost(/s/\S+)", message.body).group(1)


@pytest.fixture()
def retained(app, organiser):
    """Two retained applications and one deferred: (edition, ids, link path of the first)."""
    edition, ids = build(app)
    decide(organiser, edition, ids[0], "retain")
    decide(organiser, edition, ids[1], "retain")
    decide(organiser, edition, ids[2], "defer")
    return edition, ids, link_path(app, edition.id, ids[0])


def post_space(client, path: str, data: dict):
    token = csrf_token(client.get(path).text)
    return client.post(path, data={**data, "csrf_token": token})


def answer_of(app, application_id: int) -> SpeakerAnswer | None:
    with app.app_context(), db.read() as session:
        return session.get(SpeakerAnswer, application_id)


def talk_of(app, application_id: int) -> Talk:
    with app.app_context(), db.read() as session:
        return session.scalar(select(Talk).where(Talk.application_id == application_id))


def test_speaker_space_shows_its_holder_their_slot_rules_and_nothing_of_another(app, client, retained):
    edition, ids, path = retained

    page = client.get(path)

    assert page.status_code == 200
    assert "Bonjour Jeanne Fictive" in page.text
    assert "intervention n° 1 sur 2, vers" in page.text
    assert "5 minutes de présentation, puis 5 minutes de questions du public." in page.text
    assert 'id="slides"' in page.text and "Vos supports" in page.text
    assert "Paul Imaginaire" not in page.text and "Cours d" not in page.text
    assert page.headers["Referrer-Policy"] == "no-referrer"


def test_speaker_space_refuses_a_tampered_link(app, client, retained):
    edition, ids, path = retained
    token = path.removeprefix("/s/")
    tampered = token[:-2] + ("AA" if token[-2:] != "AA" else "BB")

    response = client.get(f"/s/{tampered}")

    assert response.status_code == 404 and "Ce lien n'est pas valable" in response.text


def test_speaker_space_refuses_another_applicants_id_signed_without_the_secret(app, client, retained):
    edition, ids, _path = retained
    with app.app_context(), db.read() as session:
        other = session.get(Application, ids[1])
        forged = URLSafeSerializer("not-the-secret", salt="pitchday.speaker-link").dumps(
            {"a": other.id, "r": other.reference})
        swapped = speakers._serializer().dumps({"a": other.id, "r": "QA-001"})  # the id of one, the reference of another

    assert client.get(f"/s/{forged}").status_code == 404
    assert client.get(f"/s/{swapped}").status_code == 404


def test_speaker_space_link_expires_after_the_evening(app, organiser, client):
    edition, ids = build(app, starts_at=datetime.now(timezone.utc) - timedelta(days=2))
    decide(organiser, edition, ids[0], "retain")
    path = link_path(app, edition.id, ids[0])

    response = client.get(path)

    assert response.status_code == 404 and "Il a peut-être expiré" in response.text


def test_speaker_space_link_stops_when_the_decision_changes_to_declined(app, organiser, client, retained):
    edition, ids, path = retained

    decide(organiser, edition, ids[0], "decline")

    assert client.get(path).status_code == 404


def test_speaker_confirms_then_organisers_see_it(app, organiser, client, retained):
    edition, ids, path = retained

    response = post_space(client, path, {"action": "answer", "answer": "confirmed"})
    again = post_space(client, path, {"action": "answer", "answer": "confirmed"})
    page = client.get(path).text

    assert response.status_code == 303 and again.status_code == 303
    stored = answer_of(app, ids[0])
    assert stored.answer == "confirmed" and stored.answered_at is not None
    assert "Merci : votre venue est confirmée." in page and "Vous avez confirmé votre venue." in page
    board = organiser.get(outbox_url(edition)).text
    assert re.search(rf'id="speaker-{ids[0]}" data-answer="confirmed"', board)
    assert re.search(rf'id="speaker-{ids[1]}" data-answer="none"', board)


def test_speaker_decline_alerts_organisers_with_the_deferred_replacement(app, organiser, client, retained):
    edition, ids, path = retained

    post_space(client, path, {"action": "answer", "answer": "declined"})
    board = organiser.get(outbox_url(edition)).text

    assert f'id="declined-{ids[0]}"' in board
    assert "Jeanne Fictive a décliné sa participation" in board
    assert "Remplacement possible : la candidature reportée « Bus au biogaz : un an après »" in board
    assert f'/applications/{ids[2]}" id="replacement-link"' in board


def test_speaker_unknown_answer_changes_nothing(app, client, retained):
    edition, ids, path = retained

    response = post_space(client, path, {"action": "answer", "answer": "maybe"})

    assert response.status_code == 400 and answer_of(app, ids[0]) is None


def test_speaker_corrects_what_the_audience_sees_cleaned_like_every_screen(app, client, retained):
    edition, ids, path = retained

    response = post_space(client, path, {
        "action": "details", "title": "Capteurs\u202e citoyens  de poussières", "organisation": "Air Clair",
        "speaker_name": "Jeanne Fictive", "speaker_role": "cogérante", "summary": "Des capteurs prêtés aux écoles."})

    assert response.status_code == 303
    talk = talk_of(app, ids[0])
    assert (talk.title, talk.organisation, talk.speaker, talk.summary) == (
        "Capteurs citoyens de poussières", "Air Clair", "Jeanne Fictive, cogérante", "Des capteurs prêtés aux écoles.")


def test_speaker_summary_over_280_characters_is_refused_and_kept_as_typed(app, client, retained):
    edition, ids, path = retained
    before = talk_of(app, ids[0])

    response = post_space(client, path, {"action": "details", "title": "Nouveau titre", "organisation": "Air Clair",
                                         "speaker_name": "Jeanne Fictive", "speaker_role": "", "summary": "é" * 281})

    assert response.status_code == 400
    assert "280 caractères au plus." in response.text and 'href="#summary"' in response.text
    assert 'value="Nouveau titre"' in response.text
    after = talk_of(app, ids[0])
    assert (after.title, after.summary) == (before.title, before.summary)


def test_speaker_gives_technical_needs_and_a_missing_choice_is_a_field_error(app, organiser, client, retained):
    edition, ids, path = retained

    missing = post_space(client, path, {"action": "needs", "microphone": "yes"})
    saved = post_space(client, path, {"action": "needs", "equipment": "projector", "microphone": "yes",
                                      "accessibility": "Accès en fauteuil roulant."})

    assert missing.status_code == 400 and 'id="equipment-error">Ce champ est obligatoire.' in missing.text
    assert saved.status_code == 303
    stored = answer_of(app, ids[0])
    assert (stored.equipment, stored.microphone, stored.accessibility) == (
        "projector", "yes", "Accès en fauteuil roulant.")
    board = organiser.get(outbox_url(edition)).text
    assert "supports sur l&#39;ordinateur de la salle · micro" in board and "Accès en fauteuil roulant." in board


def test_deferred_applicant_keeps_or_withdraws_and_cannot_edit_talk_texts(app, client, retained):
    edition, ids, _path = retained
    path = link_path(app, edition.id, ids[2])

    page = client.get(path).text
    withdrawn = post_space(client, path, {"action": "answer", "answer": "withdrawn"})
    refused = post_space(client, path, {"action": "answer", "answer": "confirmed"})
    details = post_space(client, path, {"action": "details", "title": "x", "organisation": "y",
                                        "speaker_name": "z", "summary": "w"})

    assert "Je maintiens ma candidature" in page and 'id="details"' not in page
    assert withdrawn.status_code == 303 and refused.status_code == 400 and details.status_code == 400
    assert answer_of(app, ids[2]).answer == "withdrawn"


def test_withdrawn_deferred_application_is_not_proposed_as_replacement(app, organiser, client, retained):
    edition, ids, path = retained
    post_space(client, link_path(app, edition.id, ids[2]), {"action": "answer", "answer": "withdrawn"})

    post_space(client, path, {"action": "answer", "answer": "declined"})

    assert "Aucune candidature reportée à proposer en remplacement." in organiser.get(outbox_url(edition)).text


def test_speaker_space_at_phone_width_keeps_french_first(app, client, retained):
    _edition, _ids, path = retained

    page = client.get(path).text

    assert '<html lang="fr">' in page and 'name="viewport" content="width=device-width, initial-scale=1"' in page
    assert CANDIDATES[0].title in page


def test_speaker_space_get_writes_nothing(app, client, retained):
    from sqlalchemy import event

    _edition, _ids, path = retained
    statements: list[str] = []

    def record(_conn, _cursor, statement, *_args):
        statements.append(statement.lstrip().split(None, 1)[0].upper())

    event.listen(db.engine, "before_cursor_execute", record)
    try:
        status = client.get(path).status_code
    finally:
        event.remove(db.engine, "before_cursor_execute", record)

    assert status == 200
    assert "SELECT" in statements and [s for s in statements if s in ("INSERT", "UPDATE", "DELETE")] == []


def test_speaker_space_opens_in_english_for_an_english_applicant(app, organiser, client):
    edition, ids = build(app, languages=("en", "fr", "fr"))
    decide(organiser, edition, ids[0], "retain")
    path = link_path(app, edition.id, ids[0])

    page = client.get(path).text

    assert path.endswith("?lang=en")
    assert '<html lang="en">' in page and "I confirm that I will come" in page and "Your slides" in page
