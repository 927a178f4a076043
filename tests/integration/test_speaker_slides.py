"""A speaker's slides from their speaker space: upload a real PDF (tests/pdfs.py), see its page count and
first page, replace it until the edition's slides deadline, read-only after it; the organisers see who
has not uploaded, and the outbox proposes a slides reminder two days before (sent only on a click).
"""
from __future__ import annotations

import html
import io
import re
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import select

from pitchday.extensions import db
from pitchday.models import Deck, Edition, Talk
from pitchday.services import slides
from pitchday.timeutil import PARIS
from tests.pdfs import broken_pdf, make_pdf

from .conftest import csrf_token, post_form
from .test_outbox import build, decide, outbox_url, send, smtp, stored_messages  # noqa: F401 (smtp: a fixture)
from .test_speaker_space import link_path, retained  # noqa: F401 (retained: a fixture)

pytestmark = pytest.mark.integration


@pytest.fixture(autouse=True)
def data_dir(app, tmp_path):
    """Each test renders into a folder of its own."""
    before = app.config["PITCHDAY_DATA_DIR"]
    app.config["PITCHDAY_DATA_DIR"] = str(tmp_path / "data")
    yield tmp_path / "data"
    app.config["PITCHDAY_DATA_DIR"] = before


def upload(client, path: str, data: bytes, filename: str = "supports.pdf"):
    token = csrf_token(client.get(path).text)
    return client.post(f"{path}/deck", data={"csrf_token": token, "deck": (io.BytesIO(data), filename)},
                       content_type="multipart/form-data")


def talk_id_of(app, application_id: int) -> int:
    with app.app_context(), db.read() as session:
        return session.scalar(select(Talk.id).where(Talk.application_id == application_id))


def deck_of(app, talk_id: int) -> tuple | None:
    with app.app_context(), db.read() as session:
        deck = session.get(Deck, talk_id)
        return None if deck is None or deck.digest is None else (deck.digest, deck.page_count)


def set_slides_deadline(app, edition_id: int, moment: datetime | None) -> None:
    with app.app_context(), db.write() as session:
        session.get(Edition, edition_id).slides_deadline_at = moment


def test_speaker_uploads_a_pdf_and_sees_its_page_count_and_first_page(app, client, retained):
    edition, ids, path = retained
    before = client.get(path).text

    response = upload(client, path, make_pdf(3, title="Air Clair"))
    page = client.get(response.headers["Location"]).text

    assert "Nous n'avons pas encore reçu votre présentation." in before
    assert 'id="deck-upload"' in before
    assert response.status_code == 303 and response.headers["Location"].endswith("#slides")
    assert "Merci : votre présentation est enregistrée (3 pages)." in html.unescape(page)
    assert "Présentation reçue : 3 pages." in html.unescape(page)
    digest, pages = deck_of(app, talk_id_of(app, ids[0]))
    assert pages == 3
    thumbnail = f"/e/{edition.slug}/slides/{talk_id_of(app, ids[0])}/{digest}/320/1.webp"
    assert f'src="{thumbnail}"' in page
    image = client.get(thumbnail)
    assert image.status_code == 200 and image.mimetype == "image/webp"
    assert "Remplacer ma présentation" in page


def test_speaker_replaces_their_deck_until_the_deadline(app, client, retained):
    edition, ids, path = retained
    talk_id = talk_id_of(app, ids[0])
    upload(client, path, make_pdf(2, title="v1"))
    first = deck_of(app, talk_id)

    response = upload(client, path, make_pdf(5, title="v2"))

    assert response.status_code == 303
    second = deck_of(app, talk_id)
    assert second[1] == 5 and second[0] != first[0]
    assert "Présentation reçue : 5 pages." in html.unescape(client.get(path).text)


def test_after_the_deadline_the_deck_is_read_only_and_an_upload_is_refused(app, client, retained):
    edition, ids, path = retained
    talk_id = talk_id_of(app, ids[0])
    upload(client, path, make_pdf(2))
    kept = deck_of(app, talk_id)
    token = csrf_token(client.get(path).text)
    set_slides_deadline(app, edition.id, datetime.now(timezone.utc) - timedelta(minutes=1))

    page = html.unescape(client.get(path).text)
    response = client.post(f"{path}/deck", data={"csrf_token": token, "deck": (io.BytesIO(make_pdf(4)), "v2.pdf")},
                           content_type="multipart/form-data")

    assert "Présentation reçue : 2 pages." in page
    assert 'id="deck-closed"' in page and "Le dépôt des présentations est clos depuis le" in page
    assert 'id="deck-upload"' not in page
    assert response.status_code == 409
    assert "La date limite de dépôt des présentations est passée" in html.unescape(response.text)
    assert deck_of(app, talk_id) == kept


@pytest.mark.parametrize("data, reason", [
    (broken_pdf(), "Ce PDF est illisible ou endommagé"),
    (b"PK\x03\x04 a zip, not a PDF", "Ce fichier n'est pas un PDF"),
    (b"", "Le fichier est vide."),
])
def test_a_broken_file_is_refused_with_the_reason_and_changes_nothing(app, client, retained, data, reason):
    edition, ids, path = retained
    talk_id = talk_id_of(app, ids[0])
    upload(client, path, make_pdf(1))
    kept = deck_of(app, talk_id)

    response = upload(client, path, data, filename="cassé.pdf")

    assert response.status_code == 400
    text = html.unescape(response.text)
    assert 'id="deck-error"' in text and f"Présentation refusée : {reason}" in text
    assert deck_of(app, talk_id) == kept


def test_an_upload_without_the_form_token_is_refused(app, client, retained):
    edition, ids, path = retained
    client.get(path)
    response = client.post(f"{path}/deck", data={"deck": (io.BytesIO(make_pdf(1)), "d.pdf")},
                           content_type="multipart/form-data")
    assert response.status_code == 400
    assert deck_of(app, talk_id_of(app, ids[0])) is None


def test_a_link_reaches_only_its_own_talks_deck(app, client, retained):
    edition, ids, path = retained
    other_path = link_path(app, edition.id, ids[1])
    deferred_path = link_path(app, edition.id, ids[2])
    upload(client, other_path, make_pdf(2, title="other"))
    others = deck_of(app, talk_id_of(app, ids[1]))

    mine = upload(client, path, make_pdf(4, title="mine"))
    token = csrf_token(client.get(path).text)
    forged = path[:-3] + ("aaa" if not path.endswith("aaa") else "bbb")
    tampered = client.post(f"{forged}/deck", data={"csrf_token": token, "deck": (io.BytesIO(make_pdf(1)), "d.pdf")},
                           content_type="multipart/form-data")
    token = csrf_token(client.get(deferred_path).text)
    deferred = client.post(f"{deferred_path}/deck", data={"csrf_token": token, "deck": (io.BytesIO(make_pdf(1)), "d.pdf")},
                           content_type="multipart/form-data")

    assert mine.status_code == 303
    assert deck_of(app, talk_id_of(app, ids[0]))[1] == 4
    assert deck_of(app, talk_id_of(app, ids[1])) == others  # the other speaker's deck is untouched
    assert tampered.status_code == 404  # a forged link opens nothing
    assert deferred.status_code == 404  # a deferred applicant has no talk, hence no deck
    assert 'id="slides"' not in client.get(deferred_path).text


def test_organisers_see_who_has_not_uploaded(app, organiser, client, retained):
    edition, ids, path = retained
    upload(client, path, make_pdf(3))

    page = organiser.get(outbox_url(edition)).text
    programme = html.unescape(organiser.get(f"/organiser/editions/{edition.id}/programme").text)

    assert f'id="speaker-deck-{ids[0]}" data-deck="yes">3 pages' in page
    assert "reçue le" in page
    assert f'id="speaker-deck-{ids[1]}" data-deck="missing"' in page
    assert f'id="deck-pages-{talk_id_of(app, ids[0])}"' in programme
    assert f'id="deck-missing-{talk_id_of(app, ids[1])}"' in programme
    assert "Les intervenants déposent leur présentation depuis leur espace jusqu'au" in html.unescape(page)


def test_the_default_deadline_is_the_day_before_at_six_pm_in_paris_and_the_settings_change_it(app, organiser, client,
                                                                                               retained):
    edition, ids, path = retained
    day_before = (edition.starts_at.astimezone(PARIS) - timedelta(days=1)).date()
    form_url = f"/organiser/editions/{edition.id}/edit"
    values = {}
    for name, value in re.findall(r'<input id="([a-z_]+)" name="[a-z_]+" type="[a-z]+" value="([^"]*)"',
                                  organiser.get(form_url).text):
        values[name] = html.unescape(value)
    values["partners"] = ""

    shown = html.unescape(client.get(path).text)
    half = post_form(organiser, form_url, {**values, "slides_day": day_before.isoformat(), "slides_time": ""})
    late = post_form(organiser, form_url, {**values, "slides_day": (day_before + timedelta(days=2)).isoformat(),
                                           "slides_time": "09:00"})
    with app.app_context(), db.read() as session:
        refused_left = session.get(Edition, edition.id).slides_deadline_at
    saved = post_form(organiser, form_url, {**values, "slides_day": day_before.isoformat(), "slides_time": "09:30"})

    assert values["slides_day"] == "" and values["slides_time"] == ""  # not set: the default applies
    assert "à 18:00 (heure de Paris)" in shown
    assert half.status_code == 400
    assert late.status_code == 400 and refused_left is None  # a refused form changes nothing
    assert "La date limite des présentations doit précéder la fin de la soirée." in html.unescape(late.text)
    assert saved.status_code == 303
    with app.app_context(), db.read() as session:
        stored = session.get(Edition, edition.id).slides_deadline_at
    assert stored.astimezone(PARIS).replace(tzinfo=None) == datetime.combine(day_before, datetime.min.time()).replace(
        hour=9, minute=30)
    assert "à 09:30 (heure de Paris)" in html.unescape(client.get(path).text)


def test_outbox_proposes_a_slides_reminder_two_days_before_and_never_sends_it_alone(app, organiser, client, smtp):
    edition, ids = build(app, starts_at=datetime.now(timezone.utc) + timedelta(days=1, hours=12))
    for application_id in ids:
        decide(organiser, edition, application_id, "retain")
    send(organiser, edition)
    with app.app_context(), db.write():
        slides.store_deck(talk_id_of(app, ids[0]), make_pdf(1))  # the first speaker has sent theirs
    decline_path = link_path(app, edition.id, ids[2])
    post_form(client, decline_path, {"action": "answer", "answer": "declined"})
    page = html.unescape(organiser.get(outbox_url(edition)).text)

    response = post_form(organiser, outbox_url(edition) + "/slides-reminders", {}, page=outbox_url(edition))
    again = post_form(organiser, outbox_url(edition) + "/slides-reminders", {}, page=outbox_url(edition))
    after = organiser.get(outbox_url(edition)).text

    assert "1 intervenant n'a pas encore déposé sa présentation. Paul Imaginaire" in " ".join(page.split())
    assert response.status_code == 303 and again.status_code == 303
    reminders = [m for m in stored_messages(app, edition.id) if m.kind == "slides_reminder"]
    assert [(m.state, m.subject, m.to_email) for m in reminders] == [
        ("prepared", "Rappel : votre présentation pour le Soirée d'essai n° 1", "paul@ventose-essai.example.org")]
    assert "/s/" in reminders[0].body and "avant le" in reminders[0].body
    assert len(smtp.envelopes) == 3  # the decisions only: the reminder waits for a click
    assert 'id="slides-reminders"' not in after


def test_no_slides_reminder_three_weeks_before(app, organiser, smtp):
    edition, ids = build(app)
    decide(organiser, edition, ids[0], "retain")
    send(organiser, edition)
    assert 'id="slides-reminders"' not in organiser.get(outbox_url(edition)).text


def test_a_file_over_twenty_megabytes_is_refused_and_changes_nothing(app, client, retained):
    from pitchday.domain.slides import MAX_DECK_BYTES

    edition, ids, path = retained
    response = upload(client, path, make_pdf(1) + b"%" * (MAX_DECK_BYTES + 300 * 1024))

    assert response.status_code == 413
    assert "Ce fichier dépasse 20 Mo" in html.unescape(response.text)
    assert deck_of(app, talk_id_of(app, ids[0])) is None
