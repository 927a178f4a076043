"""The follow-up board of connect requests at a laptop's and a phone's width: no word cut in two,
one way of writing dates, saved as screenshots."""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from .layout import broken_words, overflowing
from .test_audience import open_phone
from .test_organiser_pages import login

pytestmark = pytest.mark.e2e

# The one style of the follow-up pages (the ``paris`` filter's "datetime"): "23 janvier 2020 à 18:32".
FRENCH_MOMENT = re.compile(r"^\d{1,2} [a-zéû]+ \d{4} à \d{2}:\d{2}$")


# Two requests as people send them from their phones: long names, a long address, a long message.
REQUESTS = (
    ("Ville d'Exempleville", "J'ai une solution pour ce besoin", "Dominique Longuenom-Essai",
     "Établissement public de coopération intercommunale fictif", "dominique.longuenom-essai@intercommunalite-fictive.example.org",
     "Nous équipons déjà deux écoles de capteurs ; pouvons-nous en parler après la soirée ?"),
    ("Ville d'Exempleville", "Je veux en savoir plus", "Sacha Test", "Capteurs du Nord (fictif)",
     "sacha@capteurs-nord.example.org", ""),
)


def send_requests(open_view, server) -> None:
    for talk, intent, name, organisation, email, message in REQUESTS:
        phone = open_phone(open_view, server)
        phone.get_by_role("link", name=re.compile(f"^{re.escape(talk)}")).click()
        phone.get_by_label(intent).check()
        phone.fill("#name", name)
        phone.fill("#organisation", organisation)
        phone.fill("#email", email)
        phone.fill("#message", message)
        phone.check("#consent")
        phone.click("#connect-form button[type=submit]")
        expect(phone.locator("h1")).to_have_text("Demande envoyée")
        phone.close()


_sent_to: set[str] = set()  # the module's server, once it holds the requests


@pytest.mark.parametrize("width, height", [(1280, 800), (390, 844)])
def test_followup_board_cuts_no_word_and_writes_dates_one_way(module_server, open_view, screenshots, width, height):
    if module_server.url("/") not in _sent_to:
        send_requests(open_view, module_server)
        _sent_to.add(module_server.url("/"))
    page = login(open_view, module_server, width, height)
    page.get_by_role("link", name="Jeudi du numérique n° 10").click()
    page.get_by_role("link", name="Échanges", exact=True).click()
    expect(page.locator("h1")).to_contain_text("Demandes d'échange")
    expect(page.locator("table.requests tbody tr").first).to_be_visible()

    page.screenshot(path=screenshots / f"organiser-followup-{width}x{height}.png", full_page=True)

    assert broken_words(page, "table.requests, .talk-head, .talk-counts, .status-filter") == []
    assert overflowing(page, vertical=False) == []
    moments = [m.strip() for m in page.locator("table.requests time").all_inner_texts()]
    assert moments and [m for m in moments if not FRENCH_MOMENT.match(m)] == []
