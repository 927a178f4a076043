"""The evening as a rundown: items besides talks on the programme page, in a spreadsheet (export and
import with broken rows), on the live screens and in the public programme (iCal, JSON-LD, API)."""
from __future__ import annotations

import base64
import html
import io
import json
import re

import pytest

from pitchday.extensions import db
from pitchday.timeutil import to_ms
from tests.factories import TALKS, TITLES, ItemSpec

from .conftest import connect, csrf_token, events, fresh_edition, login, post_form
from .test_applications import start_evening, talks

pytestmark = pytest.mark.integration

FIRST, SECOND, THIRD = TITLES
HEADER = "titre;type;intervenant;début prévu;durée;note"


def url(edition) -> str:
    return f"/organiser/editions/{edition.id}/programme"


def import_url(edition) -> str:
    return f"/organiser/editions/{edition.id}/rundown/import"


@pytest.fixture()
def evening(app):
    """17:25 welcome (15 min), an address (10 min), the three talks, then networking (45 min)."""
    return fresh_edition(app, talks=(ItemSpec("Accueil café", "welcome", 15),
                                     ItemSpec("Le mot de la Métropole", "address", 10, "Alix Fictive, élue"),
                                     *TALKS, ItemSpec("Cocktail", "networking", 45)))


@pytest.fixture()
def staff(app, evening):
    http = app.test_client()
    assert login(http).status_code == 302
    return http


def live_show(app, edition):
    from pitchday.services import show as show_service

    with app.app_context(), db.read():
        return show_service.current_show(edition.id)


def rundown(app, edition) -> list[tuple[str, str, int | None]]:
    return [(t.item_kind, t.title, t.pitch_ms) for t in talks(app, edition.id)]


# -- the programme page ----------------------------------------------------------------------------


def test_adding_a_break_puts_it_at_the_end_of_the_live_rundown(app, organiser, edition):
    response = post_form(organiser, url(edition), {"action": "item_add", "item_kind": "break", "title": "Pause café",
                                                   "speaker": "", "duration": "15", "note": "Buffet au fond"})

    assert response.status_code == 303
    stored = talks(app, edition.id)
    assert [(t.item_kind, t.title) for t in stored] == [("talk", FIRST), ("talk", SECOND), ("talk", THIRD),
                                                        ("break", "Pause café")]
    assert (stored[-1].pitch_ms, stored[-1].qa_ms, stored[-1].note) == (900_000, None, "Buffet au fond")
    show = live_show(app, edition)
    assert show.order[-1] == stored[-1].id
    assert (show.talks[stored[-1].id].kind.value, show.talks[stored[-1].id].qa_ms) == ("break", 0)
    page = html.unescape(organiser.get(url(edition)).text)
    assert "Pause café" in page and "15:00 min" in page and "Buffet au fond" in page


def test_an_item_refused_by_its_form_changes_nothing_and_says_why(app, organiser, edition):
    response = post_form(organiser, url(edition), {"action": "item_add", "item_kind": "talk", "title": "",
                                                   "speaker": "", "duration": "90", "note": ""})

    assert response.status_code == 400
    page = html.unescape(response.text)
    assert 'id="title-new-error">Ce champ est obligatoire.' in page
    assert 'id="item_kind-new-error">Choisissez l\'une des propositions.' in page
    assert 'id="duration-new-error">Durée au format minutes:secondes' in page
    assert len(talks(app, edition.id)) == 3


def test_editing_then_moving_then_removing_an_item(app, staff, evening):
    address = talks(app, evening.id)[1]

    saved = post_form(staff, url(evening), {"action": "item_save", "talk_id": str(address.id), "item_kind": "opening",
                                            "title": "Mot d'ouverture", "speaker": "Alix Fictive", "duration": "8:30",
                                            "note": ""})
    moved = post_form(staff, url(evening), {"action": "down", "talk_id": str(address.id)})

    assert (saved.status_code, moved.status_code) == (303, 303)
    assert rundown(app, evening)[:3] == [("welcome", "Accueil café", 900_000), ("talk", FIRST, None),
                                         ("opening", "Mot d'ouverture", 510_000)]
    assert live_show(app, evening).order == tuple(t.id for t in talks(app, evening.id))

    removed = post_form(staff, url(evening), {"action": "item_delete", "talk_id": str(address.id)})

    assert removed.status_code == 303
    assert [kind for kind, _t, _ms in rundown(app, evening)] == ["welcome", "talk", "talk", "talk", "networking"]
    assert [t.position for t in talks(app, evening.id)] == [1, 2, 3, 4, 5]


def test_a_talk_cannot_be_removed_as_an_item(app, staff, evening):
    talk = talks(app, evening.id)[2]

    response = post_form(staff, url(evening), {"action": "item_delete", "talk_id": str(talk.id)})

    assert response.status_code == 404
    assert len(talks(app, evening.id)) == 6


def test_items_cannot_change_once_the_evening_started(app, staff, evening):
    start_evening(app, evening)

    response = post_form(staff, url(evening), {"action": "item_add", "item_kind": "break", "title": "Pause",
                                               "speaker": "", "duration": "10", "note": ""})

    assert response.status_code == 409
    assert len(talks(app, evening.id)) == 6


# -- the live screens ------------------------------------------------------------------------------


def test_the_projector_gets_each_item_with_its_kind_and_screen(app, evening):
    start_evening(app, evening)  # the welcome starts

    state = events(connect(app, "projector"), "snapshot")[-1]["state"]

    assert (state["phase"], state["current"]["item_kind"], state["current"]["title"]) == (
        "segment", "welcome", "Accueil café")
    assert [row["item_kind"] for row in state["agenda"]] == ["welcome", "address", "talk", "talk", "talk", "networking"]
    assert [s["phase"] for s in state["timeline"]] == ["segment"]
    page = app.test_client().get(f"/e/{evening.slug}/projector")
    rules = json.loads(re.search(r'<script type="application/json" id="rules">(.*?)</script>', page.text, re.S).group(1))
    assert rules["item_screens"] == {"talk": "talk", "welcome": "qr", "opening": "speaker", "address": "speaker",
                                     "break": "qr", "closing": "speaker", "networking": "networking"}


def test_the_projector_warns_when_the_rundown_ends_after_the_evening(app):
    # 17:25 + 60 + 60 + 60 + 10 + 3 × 10 + 2 min: 21:07, past the planned 20:00
    edition = fresh_edition(app, talks=(ItemSpec("Accueil", "welcome", 60), ItemSpec("Table ronde", "address", 60),
                                        ItemSpec("Pause", "break", 60), ItemSpec("Keynote", "address", 10), *TALKS))

    state = events(connect(app, "projector"), "snapshot")[-1]["state"]

    # The evening of 2021 is replayed now: its plan, and its end, count from now (domain.schedule).
    late = state["late_end"]
    assert late["projected_end"] - late["evening_end"] == 67 * 60_000
    assert late["evening_end"] - to_ms(edition.ends_at) == state["agenda"][0]["planned_start"] - to_ms(
        edition.talks_start_at)


def test_the_projector_has_no_late_warning_when_the_evening_fits(app, evening):
    state = events(connect(app, "projector"), "snapshot")[-1]["state"]

    assert state["late_end"] is None


def test_phones_cannot_ask_a_question_to_an_item(app, evening):
    from pitchday.domain import events as event_shapes
    from pitchday.services import questions

    welcome = talks(app, evening.id)[0]
    with app.test_request_context(), db.write():
        asked = event_shapes.Ask.parse({"client_id": "4b1d7a0c-0000-4000-8000-000000000001", "talk_id": welcome.id,
                                        "text": "Où est le vestiaire ?"})
        answer = questions.ask(evening.id, device_id="phone-1", address="192.0.2.1", asked=asked)

    assert answer["ok"] is False
    assert answer["error"]["code"] == "invalid"


# -- the spreadsheet -------------------------------------------------------------------------------


def test_rundown_export_lists_every_item_with_its_planned_start(app, staff, evening):
    response = staff.get(f"/organiser/editions/{evening.id}/rundown.csv")

    assert response.status_code == 200
    lines = response.data.decode("utf-8-sig").splitlines()
    assert lines[0] == '"titre";"type";"intervenant";"début prévu";"durée";"note"'
    assert lines[1:] == [
        '"Accueil café";"accueil";"";"17:25";"15:00";""',
        '"Le mot de la Métropole";"intervention";"Alix Fictive, élue";"17:40";"10:00";""',
        f'"{FIRST}";"pitch";"{TALKS[0].speaker}";"17:50";"10:00";""',
        f'"{SECOND}";"pitch";"{TALKS[1].speaker}";"18:01";"10:00";""',
        f'"{THIRD}";"pitch";"{TALKS[2].speaker}";"18:12";"10:00";""',
        '"Cocktail";"networking";"";"18:22";"45:00";""',
    ]


def test_rundown_export_as_xlsx_holds_the_same_rows(app, staff, evening):
    from openpyxl import load_workbook

    response = staff.get(f"/organiser/editions/{evening.id}/rundown.xlsx")

    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.data)).active
    rows = [[c.value for c in row] for row in sheet.iter_rows()]
    assert rows[0] == ["titre", "type", "intervenant", "début prévu", "durée", "note"]
    assert rows[1] == ["Accueil café", "accueil", None, "17:25", "15:00", None]
    assert len(rows) == 7


def upload(http, edition, text: str | bytes, filename: str = "conducteur.csv"):
    token = csrf_token(http.get(import_url(edition)).text)
    data = text.encode("utf-8") if isinstance(text, str) else text
    return http.post(import_url(edition), data={"csrf_token": token, "file": (io.BytesIO(data), filename)},
                     content_type="multipart/form-data")


def confirm(http, edition, preview_html: str):
    page = html.unescape(preview_html)
    content = re.search(r'name="content" value="([^"]*)"', page).group(1)
    fingerprint = re.search(r'name="fingerprint" value="([^"]*)"', page).group(1)
    return http.post(import_url(edition), data={"csrf_token": csrf_token(preview_html), "content": content,
                                                "fingerprint": fingerprint})


GOOD_SHEET = "\n".join([
    HEADER,
    "Accueil des invités;Accueil;;17:00;20;badges",
    "Mot d'ouverture;mot d’ouverture;Alix Fictive, élue;17:20;10;micro HF",
    f"{THIRD};Pitch;;17:30;10:00;",
    f"{FIRST};pitch;;;;démo sur son portable",
    "Pause;pause;;17:51;10;",
    f"{SECOND};PITCH;;;;",
    "Clôture;Clôture;Alix Fictive;;5;",
    "Networking;networking;;;40;",
])


def test_a_good_sheet_replaces_the_rundown_after_its_preview(app, staff, evening):
    preview = upload(staff, evening, GOOD_SHEET)

    assert preview.status_code == 200
    assert 'id="rundown-confirm"' in preview.text
    assert rundown(app, evening)[0] == ("welcome", "Accueil café", 900_000)  # nothing yet

    done = confirm(staff, evening, preview.text)

    assert done.status_code == 303
    stored = talks(app, evening.id)
    assert [(t.item_kind, t.title) for t in stored] == [
        ("welcome", "Accueil des invités"), ("opening", "Mot d'ouverture"), ("talk", THIRD), ("talk", FIRST),
        ("break", "Pause"), ("talk", SECOND), ("closing", "Clôture"), ("networking", "Networking")]
    assert stored[3].note == "démo sur son portable"
    assert stored[1].speaker == "Alix Fictive, élue"
    from pitchday.timeutil import PARIS
    with app.app_context(), db.read():
        from pitchday.services import editions
        edition = editions.get_edition(evening.id)
        assert f"{edition.talks_start_at.astimezone(PARIS):%H:%M}" == "17:00"
        times = [f"{p.planned_start.astimezone(PARIS):%H:%M}" for p in editions.public_programme(edition)]
    assert times == ["17:00", "17:20", "17:30", "17:41", "17:51", "18:01", "18:11", "18:16"]
    assert live_show(app, evening).order == tuple(t.id for t in stored)


def test_an_xlsx_sheet_with_the_cells_excel_makes_replaces_the_rundown(app, staff, evening):
    from datetime import time

    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    # Excel's own cells: "17:00" and "10:00" typed become times of day, "20" a number; labels as headers.
    for values in (["Titre", "Type", "Intervenant", "Début prévu", "Durée", "Note"],
                   ["Accueil des invités", "Accueil", None, time(17, 0), 20, "badges"],
                   [THIRD, "pitch", None, time(17, 20), time(10, 0), None],
                   [FIRST, "pitch", None, None, None, None],
                   [SECOND, "pitch", None, None, None, None],
                   ["Networking", "networking", None, None, 40, None]):
        sheet.append(values)
    out = io.BytesIO()
    book.save(out)

    preview = upload(staff, evening, out.getvalue(), "conducteur.xlsx")

    assert preview.status_code == 200, html.unescape(preview.text)
    assert 'id="rundown-confirm"' in preview.text
    done = confirm(staff, evening, preview.text)
    assert done.status_code == 303
    stored = talks(app, evening.id)
    assert [(t.item_kind, t.title) for t in stored] == [
        ("welcome", "Accueil des invités"), ("talk", THIRD), ("talk", FIRST), ("talk", SECOND),
        ("networking", "Networking")]
    assert (stored[0].pitch_ms, stored[0].note) == (20 * 60_000, "badges")


def test_a_file_that_is_not_a_workbook_is_refused_as_a_whole(app, staff, evening):
    response = upload(staff, evening, b"PK\x03\x04 truncated", "conducteur.xlsx")

    assert response.status_code == 400
    assert "n'est pas un classeur XLSX lisible" in html.unescape(response.text)


BROKEN_SHEET = "\n".join([
    HEADER,
    "Accueil;accueil;;17:00;20;",
    "Apéritif;cocktail dînatoire;;;10;",  # unknown kind
    "Projet inconnu;pitch;;;;",  # no such talk
    f"{FIRST};pitch;;;7:00;",  # a talk's length is changed on the durations page
    f"{FIRST};pitch;;;;",  # twice
    "Pause;pause;;18:45;;",  # no duration, and a start the lengths do not give
    ";intervention;;;5;",  # no title
])


def test_a_sheet_with_broken_rows_is_previewed_with_each_error_and_imports_nothing(app, staff, evening):
    before = rundown(app, evening)

    preview = upload(staff, evening, BROKEN_SHEET)

    assert preview.status_code == 200
    page = html.unescape(preview.text)
    assert 'id="rundown-confirm"' not in page and 'id="rundown-blocked"' in page
    rows = {line: re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", cell))
            for line, cell in re.findall(r'<tr class="row-\w+" id="line-(\d+)">(.*?)</tr>', page, re.S)}
    assert "prête" in rows["2"]
    assert "Type inconnu" in rows["3"]
    assert "Aucun pitch de la soirée ne porte ce titre" in rows["4"]
    assert "Un pitch dure ici 10 min" in rows["5"]
    assert "apparaît plusieurs fois" in rows["6"]
    assert "durée : Ce champ est obligatoire." in rows["7"]
    assert "début prévu : Ne suit pas les durées" in rows["7"]
    assert "titre : Ce champ est obligatoire." in rows["8"]
    assert f"« {SECOND} », « {THIRD} »" in page  # talks left out
    assert rundown(app, evening) == before


def test_a_broken_sheet_sent_to_the_confirmation_is_refused_whole(app, staff, evening):
    before = rundown(app, evening)
    data = BROKEN_SHEET.encode()
    from hashlib import sha256

    response = staff.post(import_url(evening), data={
        "csrf_token": csrf_token(staff.get(import_url(evening)).text), "content": base64.b64encode(data).decode(),
        "fingerprint": sha256(data).hexdigest()[:32]})

    assert response.status_code == 409
    assert "Rien n'a été importé" in html.unescape(response.text)
    assert rundown(app, evening) == before


def test_a_confirmation_of_another_file_than_the_preview_is_refused(app, staff, evening):
    preview = upload(staff, evening, GOOD_SHEET)
    page = html.unescape(preview.text)
    fingerprint = re.search(r'name="fingerprint" value="([^"]*)"', page).group(1)
    other = GOOD_SHEET.replace("Accueil des invités", "Accueil changé").encode()

    response = staff.post(import_url(evening), data={
        "csrf_token": csrf_token(preview.text), "content": base64.b64encode(other).decode(), "fingerprint": fingerprint})

    assert response.status_code == 409
    assert rundown(app, evening)[0] == ("welcome", "Accueil café", 900_000)


@pytest.mark.parametrize("text, message", [
    ("titre;intervenant\nAccueil;\n", "Il manque 2 colonnes : type, durée"),
    (HEADER + "\n", "Le fichier est vide"),
], ids=["missing_columns", "empty"])
def test_an_unreadable_sheet_is_refused_as_a_whole(app, staff, evening, text, message):
    response = upload(staff, evening, text)

    assert response.status_code == 400
    assert message in html.unescape(response.text)


def test_a_sheet_cannot_replace_the_rundown_once_the_evening_started(app, staff, evening):
    preview = upload(staff, evening, GOOD_SHEET)
    start_evening(app, evening)

    response = confirm(staff, evening, preview.text)

    assert response.status_code == 409
    assert rundown(app, evening)[0] == ("welcome", "Accueil café", 900_000)


# -- the public programme --------------------------------------------------------------------------


def test_public_programme_lists_the_items_with_their_kind(app, evening):
    response = app.test_client().get(f"/e/{evening.slug}/programme")

    page = html.unescape(response.text)
    assert response.status_code == 200
    assert "17:00 – 20:00, premier pitch à 17:50" in page
    assert "3 interventions : pour chacune, un pitch puis les questions du public." in page
    assert re.search(r'id="talk-\d+">\s*<time class="time" datetime="[^"]+">17:25</time>\s*<div>\s*'
                     r'<h3 class="title">Accueil café</h3>\s*<p class="org"><span class="kind kind-welcome">Accueil',
                     page)
    event = json.loads(re.search(r'<script type="application/ld\+json">(.*?)</script>', response.text, re.S).group(1))
    names = [(e["name"], e["startDate"][11:16]) for e in event["subEvent"]]
    assert names == [("Accueil café", "17:25"), ("Le mot de la Métropole", "17:40"), (FIRST, "17:50"),
                     (SECOND, "18:01"), (THIRD, "18:12"), ("Cocktail", "18:22")]
    assert event["subEvent"][1]["performer"] == [{"@type": "Person", "name": "Alix Fictive, élue"}]
    assert "performer" not in event["subEvent"][0]


def test_ical_has_one_event_per_item(app, evening):
    from icalendar import Calendar

    response = app.test_client().get(f"/e/{evening.slug}/programme.ics")

    calendar = Calendar.from_ical(response.data)
    items = [c for c in calendar.walk("VEVENT") if "-talk-" in str(c["uid"])]
    assert [str(c["summary"]) for c in items] == [
        "Accueil café — Accueil", "Le mot de la Métropole — Intervention", f"{FIRST} — {TALKS[0].organisation}",
        f"{SECOND} — {TALKS[1].organisation}", f"{THIRD} — {TALKS[2].organisation}", "Cocktail — Temps d'échanges"]
    assert [(c["dtstart"].dt.strftime("%H:%M"), c["dtend"].dt.strftime("%H:%M")) for c in items][-1] == (
        "18:22", "19:07")
    evening_event = next(c for c in calendar.walk("VEVENT") if "-soiree" in str(c["uid"]))
    assert "17:25 Accueil café (Accueil)" in str(evening_event["description"])


def test_api_gives_each_item_its_kind(app, evening):
    body = app.test_client().get(f"/api/v1/editions/{evening.slug}").get_json()

    assert [(t["item_kind"], t["kind"], t["planned_start"][11:16]) for t in body["talks"]] == [
        ("welcome", "", "17:25"), ("address", "", "17:40"), ("talk", "solution", "17:50"),
        ("talk", "besoin", "18:01"), ("talk", "retour_experience", "18:12"), ("networking", "", "18:22")]


# -- the console at the edges ----------------------------------------------------------------------


def moderator_snapshot(app, edition) -> dict:
    from pitchday.services import broadcast

    with app.app_context():
        return broadcast.snapshot(edition.id, moderator=True)


def test_console_of_an_evening_with_no_talk_offers_neither_questions_nor_next(app):
    edition = fresh_edition(app, talks=())

    extras = moderator_snapshot(app, edition)["moderator"]

    assert extras["coming_next"] == "no_talk"
    assert extras["main_action"] == {"command": None, "label": "start"}
    assert "questions" not in extras["allowed"] and "next" not in extras["allowed"]


def test_console_during_the_networking_item_names_the_end_and_offers_no_questions(app):
    edition = fresh_edition(app, talks=(TALKS[0], ItemSpec("Cocktail", "networking", 30)))
    from pitchday.services import show as show_service

    for name in ("start", "next", "start"):  # the talk, then the networking item on
        with app.app_context(), db.write():
            show = show_service.current_show(edition.id)
            assert show_service.run_command(edition.id, command_id=f"c-{show.version}", name=name, args={},
                                            version=show.version)["ok"]

    message = moderator_snapshot(app, edition)

    assert (message["state"]["phase"], message["state"]["current"]["item_kind"]) == ("segment", "networking")
    assert message["state"]["next"] is None
    extras = message["moderator"]
    assert extras["coming_next"] == "end"
    assert "questions" not in extras["allowed"] and "networking" not in extras["allowed"]
    assert "next" in extras["allowed"]  # it closes the item: the free networking, then the end


def test_edition_overview_gives_the_first_pitch_after_the_opening_items(app, staff, evening):
    page = html.unescape(staff.get(f"/organiser/editions/{evening.id}/").text)

    assert "premier pitch à 17:50" in page  # 17:25 welcome (15 min), 17:40 address (10 min)
    assert "3 interventions" in page  # the talks: the welcome and the address are not counted as talks


# -- the report ------------------------------------------------------------------------------------


def test_report_gives_each_item_its_planned_and_actual_times(app, staff, evening):
    import csv

    from pitchday.services import show as show_service
    from pitchday.timeutil import PARIS

    welcome_start = None
    for name in ("start", "next", "start", "next"):  # the welcome, then the address, each played
        with app.app_context(), db.write():
            show = show_service.current_show(evening.id)
            assert show_service.run_command(evening.id, command_id=f"r-{show.version}", name=name, args={},
                                            version=show.version)["ok"]
            welcome_start = welcome_start or show_service.current_show(evening.id).talks[show.order[0]].pitch_started_at

    response = staff.get(f"/organiser/editions/{evening.id}/report.csv")
    page = html.unescape(staff.get(f"/organiser/editions/{evening.id}/report").text)

    rows = list(csv.reader(io.StringIO(response.data.decode("utf-8-sig")), delimiter=";"))
    welcome, address = rows[1], rows[2]
    assert welcome[1:5] == ["Accueil café", "", "Accueil", "jouée"]
    assert address[1:5] == ["Le mot de la Métropole", "", "Intervention", "jouée"]
    assert (welcome[6], welcome[7], address[6], address[7]) == ("0:15:00", "0:00:00", "0:10:00", "0:00:00")  # planned: one phase each
    from datetime import datetime
    assert welcome[8] == datetime.fromtimestamp(welcome_start / 1000, PARIS).strftime("%H:%M:%S")
    assert welcome[10] == "" and address[10] == ""  # no questions phase, so no questions time
    assert "Accueil café" in page and "Alix Fictive, élue · Intervention" in page
