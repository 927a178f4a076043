"""The real eventlet server renders a deck in its worker process while it keeps answering."""
from __future__ import annotations

import re
import threading

import pytest
import requests

from tests.pdfs import make_pdf
from tests.serverproc import Server, wait_until

pytestmark = pytest.mark.integration

TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')


@pytest.fixture()
def server(tmp_path):
    running = Server(f"sqlite:///{tmp_path / 'pitchday.sqlite3'}", env={"PITCHDAY_DATA_DIR": str(tmp_path / "data")})
    running.data_dir = tmp_path / "data"
    yield running.start()
    running.stop()


def organiser_session(server: Server) -> requests.Session:
    http = requests.Session()
    token = TOKEN.search(http.get(server.url("/organiser/login"), timeout=30).text).group(1)
    answer = http.post(server.url("/organiser/login"), data={"email": server.organiser_email, "password": server.organiser_password, "csrf_token": token},
                       timeout=30, allow_redirects=False)
    assert answer.status_code == 302
    return http


def test_the_server_answers_while_a_sixty_page_deck_renders(server):
    http = organiser_session(server)
    dashboard = http.get(server.url("/organiser/"), timeout=30).text
    edition_id = re.search(r"/organiser/editions/(\d+)", dashboard).group(1)
    page = server.url(f"/organiser/editions/{edition_id}/programme")
    programme = http.get(page, timeout=30).text
    talk_id = re.search(r'data-talk="(\d+)"', programme).group(1)
    token = TOKEN.search(programme).group(1)
    answers = []

    def upload():
        answers.append(http.post(f"{page}/{talk_id}/deck", data={"csrf_token": token},
                                 files={"deck": ("deck.pdf", make_pdf(60), "application/pdf")},
                                 timeout=300, allow_redirects=False))

    uploading = threading.Thread(target=upload)
    uploading.start()
    slides = server.data_dir / "slides"
    # The worker is at work: its folder exists and its images appear one by one...
    wait_until(lambda: any(slides.glob(".render-*/*/1920-1.webp")), timeout_s=120, message="the render to start")
    health = requests.get(server.url("/healthz"), timeout=30)
    # ...and the server answered meanwhile: the render was not finished (it is not done inside the event loop).
    still_rendering = any(slides.glob(".render-*/*/1920-1.webp")) and not any(p.name != ".render" and not p.name.startswith(".")
                                                                                for p in slides.iterdir())
    uploading.join(timeout=300)
    assert health.json() == {"ok": True}
    assert still_rendering
    assert answers and answers[0].status_code == 303
    rendered = [p for p in slides.iterdir() if not p.name.startswith(".")]
    assert len(rendered) == 1 and len(list(rendered[0].glob("1920-*.webp"))) == 60
