"""The talks' PDF decks: upload and render real PDFs, serve the images, turn the slides (SQLite and PostgreSQL)."""
from __future__ import annotations

import io
import uuid

import pytest
from PIL import Image
from sqlalchemy import select

from pitchday.domain.slides import MAX_DECK_BYTES
from pitchday.extensions import db
from pitchday.models import Deck, Talk
from pitchday.services import slides

from tests import factories
from tests.pdfs import LANDSCAPE, PORTRAIT, band_rgb, broken_pdf, make_pdf

from .conftest import connect, csrf_token, events, moderator_socket

pytestmark = pytest.mark.integration


@pytest.fixture(autouse=True)
def data_dir(app, tmp_path):
    """Each test renders into a folder of its own."""
    before = app.config["PITCHDAY_DATA_DIR"]
    app.config["PITCHDAY_DATA_DIR"] = str(tmp_path / "data")
    yield tmp_path / "data"
    app.config["PITCHDAY_DATA_DIR"] = before


def talk_ids(app, edition_id):
    with app.app_context(), db.read() as session:
        return list(session.scalars(select(Talk.id).where(Talk.edition_id == edition_id).order_by(Talk.position)))


def upload(organiser, edition_id, talk_id, data: bytes, filename="deck.pdf"):
    page = f"/organiser/editions/{edition_id}/programme"
    token = csrf_token(organiser.get(page).text)
    return organiser.post(f"{page}/{talk_id}/deck", data={"csrf_token": token, "deck": (io.BytesIO(data), filename)},
                          content_type="multipart/form-data")


def deck_row(app, talk_id) -> Deck | None:
    with app.app_context(), db.read() as session:
        deck = session.get(Deck, talk_id)
        if deck is not None:
            session.expunge(deck)
        return deck


def command(sio, name, version, args=None):
    return sio.emit("command", {"command_id": str(uuid.uuid4()), "name": name, "args": args or {},
                                "version": version}, callback=True)


def image_at(http, url: str) -> Image.Image:
    response = http.get(url)
    assert response.status_code == 200, url
    assert response.mimetype == "image/webp"
    return Image.open(io.BytesIO(response.data))


# -- upload and render ----------------------------------------------------------------------------

def test_a_one_page_deck_is_rendered_at_both_sizes_and_shown_back(app, edition, organiser):
    first = talk_ids(app, edition.id)[0]
    response = upload(organiser, edition.id, first, make_pdf(1))
    assert response.status_code == 303
    deck = deck_row(app, first)
    assert deck.page_count == 1 and (deck.width, deck.height) == (1920, 1080)
    page = organiser.get(f"/organiser/editions/{edition.id}/programme").text
    assert 'id="deck-pages-%d">1 page<' % first in page
    base = slides.deck_base(edition.slug, first, deck.digest)
    assert f'src="{base}/320/1.webp"' in page  # the first page's preview
    big, thumb = image_at(organiser, f"{base}/1920/1.webp"), image_at(organiser, f"{base}/320/1.webp")
    assert big.size == (1920, 1080) and thumb.size == (320, 180)
    assert big.convert("RGB").getpixel((10, 10)) == pytest.approx(band_rgb(1), abs=12)


def test_sixty_pages_landscape_and_portrait_are_all_rendered(app, edition, organiser, data_dir):
    first, second = talk_ids(app, edition.id)[:2]
    assert upload(organiser, edition.id, first, make_pdf(60)).status_code == 303
    deck = deck_row(app, first)
    assert deck.page_count == 60
    files = sorted(p.name for p in (data_dir / "slides" / deck.digest).glob("*.webp"))
    assert len(files) == 120
    http = app.test_client()  # anyone may load the slides of a talk of the edition: the projector has no login
    last = image_at(http, f"{slides.deck_base(edition.slug, first, deck.digest)}/1920/60.webp")
    assert last.convert("RGB").getpixel((10, 10)) == pytest.approx(band_rgb(60), abs=12)
    assert upload(organiser, edition.id, second, make_pdf(2, sizes=[PORTRAIT, LANDSCAPE])).status_code == 303
    mixed = deck_row(app, second)
    assert mixed.page_count == 2 and mixed.width == 1920 and abs(mixed.height - 1920 * 842 / 595) <= 1  # portrait first
    base = slides.deck_base(edition.slug, second, mixed.digest)
    assert image_at(http, f"{base}/1920/2.webp").size == (1920, 1080)


@pytest.mark.parametrize("data, reason", [
    (broken_pdf(), "illisible"),
    (b"GIF89a not a pdf at all", "pas un PDF"),
    (b"", "vide"),
    (make_pdf(1, (960, 20)), "proportions"),
])
def test_a_deck_that_cannot_be_rendered_is_refused_with_the_reason_and_changes_nothing(app, edition, organiser,
                                                                                      data, reason):
    first = talk_ids(app, edition.id)[0]
    assert upload(organiser, edition.id, first, make_pdf(3)).status_code == 303
    before = deck_row(app, first)
    response = upload(organiser, edition.id, first, data)
    assert response.status_code == 400
    assert "Présentation refusée" in response.text and reason in response.text
    after = deck_row(app, first)
    assert (after.digest, after.page_count) == (before.digest, before.page_count)


def test_a_deck_over_twenty_megabytes_is_refused(app, edition, organiser):
    first = talk_ids(app, edition.id)[0]
    response = upload(organiser, edition.id, first, make_pdf(1) + b"%" * (MAX_DECK_BYTES + 300 * 1024))
    assert response.status_code == 413 and "20 Mo" in response.text
    assert deck_row(app, first) is None


def test_an_upload_without_the_form_token_is_refused(app, edition, organiser):
    first = talk_ids(app, edition.id)[0]
    response = organiser.post(f"/organiser/editions/{edition.id}/programme/{first}/deck",
                              data={"deck": (io.BytesIO(make_pdf(1)), "d.pdf")}, content_type="multipart/form-data")
    assert response.status_code == 400 and deck_row(app, first) is None


def _worker_running(monkeypatch, code: str, **run_changes):
    """The render worker replaced by ``code`` (a worker stuck in PDFium, as a hostile file would make it)."""
    real_run = slides.subprocess.run
    finished = []

    def worker(args, **kwargs):
        finished.append(real_run([args[0], "-c", code], **{**kwargs, **run_changes}))
        return finished[-1]

    monkeypatch.setattr(slides.subprocess, "run", worker)
    return finished


def test_a_worker_over_its_cpu_limit_is_killed_and_the_deck_refused(app, edition, monkeypatch):
    import signal

    finished = _worker_running(monkeypatch, "from pitchday.services.slide_worker import limit_self; limit_self(1)\n"
                                            "while True: pass")
    with app.app_context(), pytest.raises(slides.DeckRefused) as refused:
        slides.render_deck(make_pdf(1, title="cpu"))
    assert refused.value.code == "render_timeout"
    assert finished[0].returncode in (-signal.SIGXCPU, -signal.SIGKILL)  # its own CPU limit, not the parent's wait


def test_a_worker_over_its_memory_limit_fails_and_the_deck_is_refused(app, edition, monkeypatch):
    finished = _worker_running(monkeypatch, "from pitchday.services.slide_worker import limit_self; "
                                            "limit_self(30, 300 * 2**20)\n"
                                 "hog = bytearray(600 * 2**20)")
    with app.app_context(), pytest.raises(slides.DeckRefused) as refused:
        slides.render_deck(make_pdf(1, title="memory"))
    assert refused.value.code == "render_failed"
    assert b"MemoryError" in finished[0].stderr  # its own address-space limit refused the allocation


def test_a_worker_that_never_answers_is_stopped_at_the_time_limit(app, edition, monkeypatch):
    _worker_running(monkeypatch, "import time; time.sleep(60)", timeout=1)  # asleep: no CPU spent, the wall clock stops it
    with app.app_context(), pytest.raises(slides.DeckRefused) as refused:
        slides.render_deck(make_pdf(1, title="asleep"))
    assert refused.value.code == "render_timeout"


def test_the_worker_limits_its_own_cpu_and_memory():
    import subprocess
    import sys

    probe = ("import resource; from pitchday.services.slide_worker import limit_self; limit_self(7, 900 * 2**20); "
             "print(resource.getrlimit(resource.RLIMIT_CPU)[0], resource.getrlimit(resource.RLIMIT_AS)[0])")
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True).stdout.split()
    assert out == ["7", str(900 * 2**20)]


def test_replacing_a_deck_changes_its_urls_and_the_old_ones_are_no_longer_served(app, edition, organiser):
    first = talk_ids(app, edition.id)[0]
    upload(organiser, edition.id, first, make_pdf(2, title="v1"))
    old = deck_row(app, first)
    assert upload(organiser, edition.id, first, make_pdf(4, title="v2")).status_code == 303
    new = deck_row(app, first)
    assert new.digest != old.digest and new.page_count == 4
    assert organiser.get(f"{slides.deck_base(edition.slug, first, old.digest)}/1920/1.webp").status_code == 404
    response = organiser.get(f"{slides.deck_base(edition.slug, first, new.digest)}/1920/1.webp")
    assert response.status_code == 200
    assert "immutable" in response.headers["Cache-Control"] and "max-age=31536000" in response.headers["Cache-Control"]


def test_images_are_served_only_for_a_talk_of_the_edition_in_the_url(app, edition, organiser):
    first = talk_ids(app, edition.id)[0]
    upload(organiser, edition.id, first, make_pdf(2))
    digest = deck_row(app, first).digest
    with app.app_context():
        other = factories.make_edition(slug="autre-soiree", number=2)
    other_talk = talk_ids(app, other.id)[0]
    http = app.test_client()
    assert http.get(f"/e/{edition.slug}/slides/{first}/{digest}/1920/1.webp").status_code == 200
    for url in (f"/e/autre-soiree/slides/{first}/{digest}/1920/1.webp",  # the talk is not of this edition
                f"/e/{edition.slug}/slides/{other_talk}/{digest}/1920/1.webp",  # a talk of another edition
                f"/e/{edition.slug}/slides/{first}/{digest}/1920/3.webp",  # no such page
                f"/e/{edition.slug}/slides/{first}/{digest}/1000/1.webp",  # no such size
                f"/e/{edition.slug}/slides/{first}/{'0' * 64}/1920/1.webp",
                f"/e/{edition.slug}/slides/{first}/..%2F..%2Fetc/1920/1.webp"):
        assert http.get(url).status_code == 404, url


def test_store_deck_is_a_service_the_speaker_space_can_call(app, edition):
    first = talk_ids(app, edition.id)[0]
    with app.app_context(), db.write():
        deck = slides.store_deck(first, make_pdf(3))
        assert deck.page_count == 3
    with app.app_context(), db.write(), pytest.raises(slides.DeckRefused) as refused:
        slides.store_deck(first, broken_pdf())
    assert refused.value.code == "unreadable"
    with app.app_context(), db.write(), pytest.raises(slides.NotFound):
        slides.store_deck(10**9, make_pdf(1))


# -- live: the slide shown -----------------------------------------------------------------------

def test_slide_commands_move_the_deck_on_stage_and_every_screen_follows(app, edition, organiser, moderator_http):
    first = talk_ids(app, edition.id)[0]
    upload(organiser, edition.id, first, make_pdf(3))
    digest = deck_row(app, first).digest
    moderator, projector = moderator_socket(app, moderator_http), connect(app, "projector")
    version = events(moderator, "snapshot")[-1]["version"]
    assert command(moderator, "slide_next", version)["error"]["code"] == "wrong_phase"  # nothing on stage yet
    version = command(moderator, "start", version)["version"]
    state = events(projector, "state")[-1]["state"]
    assert state["slides"]["current"] == {"talk_id": first, "display": "slides", "pages": 3, "page": 1,
                                          "base": slides.deck_base(edition.slug, first, digest), "ratio": 1.7778}
    assert "slide_next" in events(moderator, "state")[-1]["moderator"]["allowed"]
    version = command(moderator, "slide_next", version)["version"]
    assert events(projector, "state")[-1]["state"]["slides"]["current"]["page"] == 2
    stale = command(moderator, "slide_next", version - 1)
    assert stale["ok"] is False and stale["error"]["code"] == "stale"
    out_of_range = command(moderator, "slide_goto", version, {"page": 4})
    assert out_of_range["error"]["code"] == "bad_page" and out_of_range["error"]["message"]
    version = command(moderator, "slide_goto", version, {"page": 3})["version"]
    assert command(moderator, "slide_next", version)["error"]["code"] == "last_slide"
    version = command(moderator, "undo", version)["version"]
    assert events(projector, "state")[-1]["state"]["slides"]["current"]["page"] == 2


def test_a_retried_slide_command_turns_one_slide(app, edition, organiser, moderator_http):
    first = talk_ids(app, edition.id)[0]
    upload(organiser, edition.id, first, make_pdf(5))
    moderator = moderator_socket(app, moderator_http)
    version = command(moderator, "start", events(moderator, "snapshot")[-1]["version"])["version"]
    payload = {"command_id": str(uuid.uuid4()), "name": "slide_next", "args": {}, "version": version}
    first_ack = moderator.emit("command", payload, callback=True)
    assert moderator.emit("command", payload, callback=True) == first_ack
    assert events(connect(app, "projector"), "snapshot")[-1]["state"]["slides"]["current"]["page"] == 2


def test_the_stage_view_turns_slides_only_with_the_moderators_cookie(app, edition, organiser, moderator_http):
    first = talk_ids(app, edition.id)[0]
    upload(organiser, edition.id, first, make_pdf(3))
    moderator = moderator_socket(app, moderator_http)
    version = command(moderator, "start", events(moderator, "snapshot")[-1]["version"])["version"]
    plain_stage = connect(app, "stage")
    assert command(plain_stage, "slide_next", version)["error"]["code"] == "forbidden"
    remote_stage = connect(app, "stage", http=moderator_http)
    assert command(remote_stage, "pause", version)["error"]["code"] == "forbidden"  # slides only
    ack = command(remote_stage, "slide_next", version)
    assert ack["ok"] is True
    assert events(remote_stage, "state")[-1]["state"]["slides"]["current"]["page"] == 2
    assert 'data-remote="true"' in moderator_http.get(f"/e/{edition.slug}/stage").text
    assert 'data-remote="false"' in app.test_client().get(f"/e/{edition.slug}/stage").text


def test_the_next_talks_first_slide_and_the_display_choice_reach_the_screens(app, edition, organiser, moderator_http):
    first, second, third = talk_ids(app, edition.id)
    upload(organiser, edition.id, second, make_pdf(2))
    page = f"/organiser/editions/{edition.id}/programme"
    token = csrf_token(organiser.get(page).text)
    assert organiser.post(f"{page}/{first}/display", data={"csrf_token": token, "display": "hdmi",
                                                            "action": "display"}).status_code == 303
    assert organiser.post(f"{page}/{first}/display", data={"csrf_token": token, "display": "disco",
                                                            "action": "display"}).status_code == 400
    moderator = moderator_socket(app, moderator_http)
    command(moderator, "start", events(moderator, "snapshot")[-1]["version"])
    state = events(connect(app, "projector"), "snapshot")[-1]["state"]
    assert state["slides"]["current"]["display"] == "hdmi" and state["slides"]["current"]["pages"] == 0
    assert state["slides"]["next"]["talk_id"] == second and state["slides"]["next"]["pages"] == 2


def test_a_deck_uploaded_during_the_talk_reaches_the_live_state(app, edition, organiser, moderator_http):
    first = talk_ids(app, edition.id)[0]
    moderator = moderator_socket(app, moderator_http)
    version = command(moderator, "start", events(moderator, "snapshot")[-1]["version"])["version"]
    assert command(moderator, "slide_next", version)["error"]["code"] == "no_deck"
    upload(organiser, edition.id, first, make_pdf(2))
    latest = events(moderator, "state")[-1]
    assert latest["version"] > version and latest["state"]["slides"]["current"]["pages"] == 2
    assert command(moderator, "slide_next", latest["version"])["ok"] is True
