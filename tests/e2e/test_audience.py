"""The audience on real phones (Chromium, mobile viewports) with a moderator and a projector."""
from __future__ import annotations

import re
import sqlite3

import pytest
from playwright.sync_api import expect

from .helpers import (SLUG, Wifi, axe_violations, click_command, eventually, open_moderator, open_public,
                      play_the_opening, settled)

pytestmark = pytest.mark.e2e

QUESTION = "Combien coûte un capteur par école ?"
HOSTILE = '<script>alert("x")</script><img src=x onerror="alert(1)">'
PHONE = {"is_mobile": True, "has_touch": True}


def open_phone(open_view, server, width=390, height=844, **options):
    page = open_public(open_view, server, "audience", width, height, **PHONE, **options)
    wait_connected(page)
    return page


def wait_connected(page):
    """The agenda is drawn from the server's snapshot: once it is there, the socket is up."""
    expect(page.locator("#agenda .row")).to_have_count(15)  # the demo rundown: 3 opening items, 10 talks, the closing, the networking


def ask(page, text, author=""):
    page.fill("#ask-text", text)
    page.fill("#ask-author", author)
    page.click("#ask-form button[type=submit]")


def stored(server, sql, *args):
    with sqlite3.connect(server.database) as db:
        return db.execute(sql, args).fetchall()


def moderator_questions_tab(moderator):
    moderator.click("#tab-questions")
    expect(moderator.locator("#panel-questions")).to_be_visible()


def test_questions_asked_moderated_voted_spotlighted_and_answered(server, open_view, screenshots):
    projector = open_public(open_view, server, "projector", 1920, 1080)
    moderator = open_moderator(open_view, server, 1280, 800)
    asker, voter, other = (open_phone(open_view, server) for _ in range(3))
    play_the_opening(moderator)  # the welcome, the opening address, ATMO: the first talk up next
    click_command(moderator, "#btn-main")  # the first talk's pitch
    for phone in (asker, voter, other):
        expect(phone.locator("#talk-select")).to_have_value(re.compile(r"^\d+$"))

    ask(asker, QUESTION, "Léa")

    expect(asker.locator("#ask-status")).to_have_text("Question envoyée : elle sera publiée après relecture.")
    expect(asker.locator("#my-questions .q-status")).to_have_text(["en attente de modération"])
    moderator_questions_tab(moderator)
    expect(moderator.locator("#pending-badge")).to_have_text("1")
    waiting = moderator.locator("#mod-questions .mod-item")
    expect(waiting.locator(".mod-text")).to_have_text([QUESTION])
    expect(waiting.locator(".mod-meta").first).to_have_text("en attente de modération · Léa")
    for page in (voter, other, projector):  # a pending question reaches no other screen
        assert QUESTION not in page.evaluate("document.body.innerText")

    waiting.locator("button[data-action=approve]").click()

    for phone in (asker, voter, other):
        expect(phone.locator("#board .q-text")).to_have_text([QUESTION])
    expect(asker.locator("#my-questions .q-status")).to_have_text(["publiée"])
    expect(moderator.locator("#pending-badge")).to_have_text("")

    voter.click("#board button.vote")
    other.click("#board button.vote")

    for phone in (asker, voter, other):
        expect(phone.locator("#board .vote .count")).to_have_text(["2"])
    expect(voter.locator("#board button.vote")).to_have_attribute("aria-pressed", "true")
    expect(asker.locator("#board button.vote")).to_have_attribute("aria-pressed", "false")
    voter.click("#board button.vote")  # a second tap counts for nothing: the asker's vote below makes 3, not 4

    moderator.locator("#mod-questions button[data-action=spotlight]").click()

    expect(projector.locator("#spotlight-text")).to_have_text(QUESTION)
    expect(projector.locator("#spotlight-author")).to_have_text("— Léa")
    expect(projector.locator("#spotlight-votes")).to_have_text("2 votes")
    expect(moderator.locator("#spotlight-now-text")).to_have_text(f"« {QUESTION} »")
    asker.click("#board button.vote")
    expect(projector.locator("#spotlight-votes")).to_have_text("3 votes")  # live, without a new state
    expect(other.locator("#board .vote .count")).to_have_text(["3"])
    assert stored(server, "select count(*) from question_votes") == [(3,)]
    projector.screenshot(path=screenshots / "projector-spotlight-1920x1080.png")
    moderator.screenshot(path=screenshots / "moderator-questions-1280x800.png")
    voter.screenshot(path=screenshots / "audience-questions-390x844.png", full_page=True)

    moderator.locator("#mod-questions button[data-action=answer]").click()

    expect(projector.locator("#spotlight")).to_be_hidden()
    expect(asker.locator("#my-questions .q-status")).to_have_text(["répondue"])
    expect(voter.locator("#board button.vote")).to_be_disabled()


def test_script_and_image_payloads_show_as_plain_text_on_every_view(server, open_view):
    projector = open_public(open_view, server, "projector", 1920, 1080)
    moderator = open_moderator(open_view, server, 1280, 800)
    phones = [open_phone(open_view, server) for _ in range(3)]
    pages = [projector, moderator, *phones]
    dialogs = []
    for page in pages:
        page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    play_the_opening(moderator)  # the welcome, the opening address, ATMO: the first talk up next
    click_command(moderator, "#btn-main")
    ask(phones[0], HOSTILE, '<b onmouseover="alert(2)">Eve</b>')
    moderator_questions_tab(moderator)
    moderator.locator("#mod-questions button[data-action=approve]").click()
    moderator.locator("#mod-questions button[data-action=spotlight]").click()

    for phone in phones:
        expect(phone.locator("#board .q-text")).to_have_text([HOSTILE])
    expect(phones[0].locator("#my-questions .q-text")).to_have_text([HOSTILE])
    expect(moderator.locator("#mod-questions .mod-text")).to_have_text([HOSTILE])
    expect(projector.locator("#spotlight-text")).to_have_text(HOSTILE)
    expect(projector.locator("#spotlight-author")).to_have_text('— <b onmouseover="alert(2)">Eve</b>')
    for page in pages:
        assert page.locator("#board img, #board script, #board b, #spotlight img, #spotlight b, "
                            "#mod-questions img, #mod-questions b, #my-questions img").count() == 0
    for page in pages:
        settled(page)  # any handler the payload smuggled in would have run by now
    assert dialogs == []


def test_board_reorders_on_every_phone_when_votes_change(server, open_view):
    moderator = open_moderator(open_view, server, 1280, 800)
    asker, voter, other = (open_phone(open_view, server) for _ in range(3))
    play_the_opening(moderator)  # the welcome, the opening address, ATMO: the first talk up next
    click_command(moderator, "#btn-main")
    ask(asker, "Première question posée")
    expect(asker.locator("#my-questions .q-status")).to_have_text(["en attente de modération"])
    ask(asker, "Seconde question posée")
    expect(asker.locator("#my-questions .q-status")).to_have_text(["en attente de modération"] * 2)
    moderator_questions_tab(moderator)
    approve = moderator.locator("#mod-questions button[data-action=approve]")
    for left in (1, 0):
        approve.first.click()
        expect(approve).to_have_count(left)
    for phone in (asker, voter, other):  # no votes yet: oldest first
        expect(phone.locator("#board .q-text")).to_have_text(["Première question posée", "Seconde question posée"])

    voter.locator("#board .question", has_text="Seconde").locator("button.vote").click()

    for phone in (asker, voter, other):  # the server's order, sent with the new counts
        expect(phone.locator("#board .q-text")).to_have_text(["Seconde question posée", "Première question posée"])
        expect(phone.locator("#board .vote .count")).to_have_text(["1", "0"])


def test_question_asked_offline_is_kept_and_delivered_once(server, open_view, screenshots):
    wifi = []
    phone = open_phone(open_view, server, before=lambda context: wifi.append(Wifi(context)))
    moderator = open_moderator(open_view, server, 1280, 800)
    play_the_opening(moderator)  # the welcome, the opening address, ATMO: the first talk up next
    click_command(moderator, "#btn-main")

    wifi[0].cut()
    expect(phone.locator("#connection")).to_be_visible()
    ask(phone, "Question posée sans réseau")

    expect(phone.locator("#ask-status")).to_have_text("Hors ligne : envoi dès le retour du réseau.")
    expect(phone.locator("#my-questions .q-status")).to_have_text(
        ["en attente de réseau : elle partira dès le retour de la connexion"])
    phone.screenshot(path=screenshots / "audience-offline-pending-390x844.png")
    assert stored(server, "select count(*) from questions") == [(0,)]

    wifi[0].restore()

    expect(phone.locator("#connection")).to_be_hidden()
    expect(phone.locator("#my-questions .q-status")).to_have_text(["en attente de modération"])
    assert stored(server, "select text from questions") == [("Question posée sans réseau",)]
    phone.reload()
    expect(phone.locator("#my-questions .mine-item")).to_have_count(1)
    expect(phone.locator("#my-questions .q-status")).to_have_text(["en attente de modération"])
    assert stored(server, "select count(*) from questions") == [(1,)]


def test_question_whose_answer_was_lost_is_sent_again_and_stored_once(server, open_view):
    lose_answers = {"on": False}

    def answers_may_vanish(context):
        def route(ws):
            upstream = ws.connect_to_server()
            # "43…" is a Socket.IO acknowledgement: the server's answer to the question.
            upstream.on_message(lambda m: None if lose_answers["on"] and str(m).startswith("43") else ws.send(m))
        context.route_web_socket(re.compile(r"/socket\.io/"), route)

    phone = open_phone(open_view, server, before=answers_may_vanish)
    lose_answers["on"] = True

    ask(phone, "Ma réponse s'est perdue")
    # The route above runs in this thread: each evaluate lets Playwright pass the frames on meanwhile
    # (a new device's first try is answered "too soon", and that answer is lost too: the phone tries again).
    eventually(lambda: phone.evaluate("true") and stored(server, "select count(*) from questions") == [(1,)])
    assert stored(server, "select count(*) from questions") == [(1,)]  # stored, but the phone does not know
    expect(phone.locator("#my-questions .q-status")).to_have_text(["envoi en cours…"])

    lose_answers["on"] = False  # the phone's next try (same client id) gets its answer

    expect(phone.locator("#my-questions .q-status")).to_have_text(["en attente de modération"])
    assert stored(server, "select count(*) from questions") == [(1,)]


def test_connect_request_for_a_reverse_pitch_reaches_the_organisers(server, open_view, screenshots):
    phone = open_phone(open_view, server)
    phone.get_by_role("link", name=re.compile("^Ville d'Exempleville")).click()

    expect(phone.locator("h1")).to_have_text("Je veux échanger avec « Ville d'Exempleville »")
    expect(phone.get_by_label("J'ai une solution pour ce besoin")).to_be_visible()
    expect(phone.get_by_label("Je souhaite expérimenter")).to_have_count(0)
    expect(phone.locator("#consent")).not_to_be_checked()
    consent = phone.locator("label[for=consent]")
    expect(consent).to_contain_text("à l'équipe « Ville d'Exempleville »")
    expect(consent).to_contain_text("la Métropole Européenne de Lille")

    phone.click("#connect-form button[type=submit]")  # nothing filled in
    expect(phone.locator("#name-error")).to_have_text("Ce champ est obligatoire.")
    expect(phone.locator("#consent-error")).to_have_text("Cochez la case pour accepter la transmission de vos coordonnées.")
    expect(phone.locator("#email")).to_have_attribute("aria-invalid", "true")
    expect(phone.locator("#intent-error")).to_have_text("Choisissez l'une des propositions.")
    phone.screenshot(path=screenshots / "connect-errors-390x844.png", full_page=True)

    phone.get_by_label("J'ai une solution pour ce besoin").check()
    phone.fill("#name", "Nour Essai")
    phone.fill("#organisation", "Capteurs du Nord (fictif)")
    phone.fill("#email", "nour@capteurs-nord.example.org")
    phone.fill("#message", "Nous équipons déjà deux écoles.")
    phone.check("#consent")
    phone.click("#connect-form button[type=submit]")

    expect(phone).to_have_url(re.compile(r"/echanger/\d+/envoye$"))
    expect(phone.locator("h1")).to_have_text("Demande envoyée")
    assert stored(server, "select name, intent from connect_requests") == [("Nour Essai", "have_solution")]

    organiser = open_view(server.url("/organiser/login"), 1280, 800)
    organiser.fill("#email", server.organiser_email)
    organiser.fill("#password", server.organiser_password)
    organiser.click("button[type=submit]")
    organiser.get_by_role("link", name="Jeudi du numérique n° 10").click()
    organiser.get_by_role("link", name="Échanges").click()
    section = organiser.locator("section.talk-requests", has_text="Respirer près de l'école")
    expect(section).to_contain_text("Nour Essai")
    expect(section).to_contain_text("nour@capteurs-nord.example.org")
    expect(section).to_contain_text("J'ai une solution pour ce besoin")
    organiser.screenshot(path=screenshots / "organiser-connections-1280x800.png", full_page=True)


def test_keyboard_alone_can_ask_a_question(server, open_view):
    phone = open_public(open_view, server, "audience", 390, 844)
    wait_connected(phone)
    for _ in range(20):
        phone.keyboard.press("Tab")
        if phone.evaluate("document.activeElement.id") == "ask-text":
            break
    assert phone.evaluate("document.activeElement.id") == "ask-text"

    phone.keyboard.type("Au clavier seulement ?")
    phone.keyboard.press("Tab")
    phone.keyboard.type("Sam")
    phone.keyboard.press("Tab")
    phone.keyboard.press("Enter")

    expect(phone.locator("#my-questions .q-text")).to_have_text(["Au clavier seulement ?"])
    expect(phone.locator("#my-questions .q-status")).to_have_text(["en attente de modération"])
    assert stored(server, "select text, author from questions") == [("Au clavier seulement ?", "Sam")]


@pytest.mark.parametrize("width, height", [(390, 844), (320, 640)])
def test_audience_pages_have_no_serious_accessibility_violation(module_server, open_view, screenshots, width, height):
    problems = {}
    phone = open_phone(open_view, module_server, width, height, bypass_csp=True)
    phone.fill("#ask-text", "")
    phone.click("#ask-form button[type=submit]")  # an error shown under its field
    expect(phone.locator("#ask-text-error")).to_be_visible()
    phone.screenshot(path=screenshots / f"audience-{width}x{height}-full.png", full_page=True)
    problems["audience"] = axe_violations(phone)
    connect_url = phone.get_by_role("link", name=re.compile("^Ville d'Exempleville")).get_attribute("href")

    form = open_view(module_server.url(connect_url), width, height, **PHONE, bypass_csp=True)
    problems["connect"] = axe_violations(form)
    form.click("#connect-form button[type=submit]")
    expect(form.locator("#consent-error")).to_be_visible()
    form.screenshot(path=screenshots / f"connect-{width}x{height}-full.png", full_page=True)
    problems["connect with errors"] = axe_violations(form)

    privacy = open_view(module_server.url(f"/e/{SLUG}/confidentialite"), width, height, **PHONE, bypass_csp=True)
    privacy.screenshot(path=screenshots / f"privacy-{width}x{height}-full.png", full_page=True)
    problems["privacy"] = axe_violations(privacy)

    agenda = open_view(module_server.url(f"/e/{SLUG}/programme"), width, height, **PHONE, bypass_csp=True)
    agenda.screenshot(path=screenshots / f"public-agenda-{width}x{height}-full.png", full_page=True)
    problems["agenda"] = axe_violations(agenda)
    from .layout import overflowing
    problems["agenda layout"] = overflowing(agenda, vertical=False)

    assert {page: found for page, found in problems.items() if found} == {}


def test_long_words_and_combining_floods_stay_in_their_boxes(server, open_view, screenshots):
    from .layout import overflowing

    long_word = "Pneumonoultramicroscopicsilicovolcanoconiose" * 6  # 264 letters, no space
    zalgo = "Z" + "\u0336\u0337\u0338\u0303\u0304\u0305" * 30 + "algo !"
    projector = open_public(open_view, server, "projector", 1920, 1080)
    moderator = open_moderator(open_view, server, 1280, 800)
    phone = open_phone(open_view, server, 320, 640)
    play_the_opening(moderator)  # the welcome, the opening address, ATMO: the first talk up next
    click_command(moderator, "#btn-main")
    ask(phone, long_word)
    expect(phone.locator("#my-questions .q-status")).to_have_text(["en attente de modération"])
    ask(phone, zalgo, author="W" * 40)
    expect(phone.locator("#my-questions .q-status")).to_have_text(["en attente de modération"] * 2)
    moderator_questions_tab(moderator)
    for left in (1, 0):
        moderator.locator("#mod-questions button[data-action=approve]").first.click()
        expect(moderator.locator("#mod-questions button[data-action=approve]")).to_have_count(left)
    expect(phone.locator("#board .question")).to_have_count(2)
    moderator.locator("#mod-questions button[data-action=spotlight]").first.click()
    expect(projector.locator("#spotlight")).to_be_visible()

    phone.screenshot(path=screenshots / "audience-long-words-320x640.png", full_page=True)
    projector.screenshot(path=screenshots / "projector-spotlight-long-word-1920x1080.png")
    moderator.screenshot(path=screenshots / "moderator-long-words-1280x800.png")
    assert overflowing(phone, vertical=False) == []
    assert overflowing(moderator, vertical=False) == []
    assert overflowing(projector, vertical=True) == []
    # The flood was cut to two marks per letter: it cannot climb over the lines around it.
    shown = phone.locator("#board .q-text", has_text="algo").text_content()
    assert shown == "Z\u0336\u0337algo !"


def test_phone_offers_the_choice_of_team_between_talks_and_says_when_a_talk_is_paused(server, open_view, screenshots):
    moderator = open_moderator(open_view, server, 1280, 800)
    phone = open_phone(open_view, server)
    button = phone.locator("#connect-current")

    # Before the first talk: not a dead link, the choice of every team further down.
    expect(button).to_be_visible()
    expect(button).to_have_text("Je veux échanger avec une équipe")
    button.click()
    expect(phone).to_have_url(re.compile(r"#connect-title$"))
    expect(phone.locator(".connect-list a").first).to_be_in_viewport()

    play_the_opening(moderator)  # the welcome and the addresses; then the first talk is up next
    click_command(moderator, "#btn-main")  # the first talk's pitch
    expect(button).to_have_text("Je veux échanger avec cette équipe")
    expect(button).to_have_attribute("href", re.compile(rf"/e/{SLUG}/echanger/\d+$"))
    expect(phone.locator("#phase")).to_have_text("Pitch")

    click_command(moderator, "#btn-main")  # pause
    expect(phone.locator("#phase")).to_have_text("Pitch · En pause")
    expect(phone.locator("#countdown")).to_have_attribute("data-wrap", "paused")
    phone.evaluate("window.scrollTo(0, 0)")
    phone.screenshot(path=screenshots / "audience-paused-390x844.png")
