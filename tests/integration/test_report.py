"""The report of an edition: a scripted evening played with explicit times, then the page, CSV and XLSX."""
from __future__ import annotations

import csv
import io
import re
import uuid
from datetime import date, datetime, time, timedelta, timezone
from html.parser import HTMLParser

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from pitchday.domain import events
from pitchday.extensions import db
from pitchday.models import Edition, Talk
from pitchday.services import connections, presence, questions
from pitchday.services import show as show_service
from pitchday.timeutil import PARIS
from tests.factories import TalkSpec

from .conftest import fresh_edition, phone

pytestmark = pytest.mark.integration


# Ten talks, of the kinds the scripted evening's rows expect, on the evening of 23 January 2020.
KINDS = ["solution", "besoin", "solution", "retour_experience", "solution", "besoin", "solution", "solution", "besoin",
         "retour_experience"]
TEN_TALKS = tuple(TalkSpec(f"Projet fictif {n}", kind, f"Structure fictive {n}") for n, kind in enumerate(KINDS, start=1))
SLUG = "bilan-essai"


@pytest.fixture()
def edition(app):
    """Doors at 17:00 in Lille, first pitch at 17:25, 5 + 5 minutes per talk and 1 between them."""
    return fresh_edition(app, slug=SLUG, talks=TEN_TALKS, starts_at=datetime(2020, 1, 23, 17, 0, tzinfo=PARIS))


P = 1_579_796_700_000  # 2020-01-23T16:25:00Z: 17:25 in Lille, the edition's first planned pitch
SEC, MIN = 1_000, 60_000
FORMULA_TITLE = '=HYPERLINK("http://evil.example","clic")'


def talks_by_position(app) -> dict[int, Talk]:
    with app.app_context():
        with db.write() as session:
            return {t.position: t for t in session.scalars(select(Talk).order_by(Talk.position))}


def play(app, edition_id: int, steps) -> None:
    """Moderator commands at the given instants, as the console would send them."""
    with app.app_context(), db.write():
        version = show_service.current_show(edition_id, now=P).version
        for name, args, now in steps:
            result = show_service.run_command(edition_id, command_id=str(uuid.uuid4()), name=name, args=args,
                                              version=version, now=now)
            assert result["ok"], result
            version = result["version"]


def scripted_evening(app, edition) -> dict[int, Talk]:
    """Talk 1 starts 30 s late and is short of questions; talk 2 runs over; talk 3 is cancelled
    (its speaker is absent); talk 4 is early with its pitch; networking after it."""
    talks = talks_by_position(app)
    play(app, edition.id, [
        ("start", {}, P + 30 * SEC),
        ("questions", {}, P + 5 * MIN + 30 * SEC),
        ("next", {}, P + 10 * MIN),
        ("start", {}, P + 11 * MIN),
        ("questions", {}, P + 17 * MIN + 30 * SEC),
        ("next", {}, P + 23 * MIN),
        ("absent", {"talk_id": talks[3].id, "mode": "skip"}, P + 23 * MIN + 10 * SEC),
        ("start", {}, P + 24 * MIN),
        ("questions", {}, P + 28 * MIN),
        ("next", {}, P + 33 * MIN),
        ("networking", {}, P + 35 * MIN),
    ])
    return talks


def room(app, edition, talks) -> None:
    """What the room did: five questions (each status), six votes, three connect requests."""
    with app.test_request_context(), db.write():
        def ask(talk, text):
            answer = questions.ask(edition.id, device_id=f"asker-{uuid.uuid4()}", address="192.0.2.10",
                                   asked=events.Ask.parse({"client_id": str(uuid.uuid4()), "talk_id": talk.id,
                                                           "text": text}))
            assert answer["ok"], answer
            return answer["question"]["id"]

        def moderate(question_id, action):
            moderation = events.Moderate.parse({"question_id": question_id, "action": action})
            assert questions.moderate(edition.id, moderation)["ok"]

        def votes(question_id, count):
            for _ in range(count):
                answer = questions.vote(edition.id, device_id=f"voter-{uuid.uuid4()}", address="192.0.2.10",
                                        voted=events.Vote.parse({"question_id": question_id}))
                assert answer["voted"] is True, answer

        published, answered = ask(talks[1], "Quel coût par école ?"), ask(talks[1], "Quelle autonomie ?")
        rejected = ask(talks[1], "Hors sujet")
        ask(talks[1], "Et la maintenance ?")  # left pending
        other = ask(talks[2], "Quelle rue d'abord ?")
        for question_id in (published, answered, other):
            moderate(question_id, "approve")
        moderate(rejected, "reject")
        votes(published, 3)
        votes(answered, 1)
        votes(other, 2)
        moderate(answered, "answer")
        for talk, intent in ((talks[1], "want_to_experiment"), (talks[1], "learn_more"), (talks[4], "learn_more")):
            sent = events.ConnectRequest.parse({
                "client_id": str(uuid.uuid4()), "talk_id": talk.id, "name": "Alex Testeur",
                "organisation": "Commune de Fictiveville", "email": "alex@fictiveville.example.org",
                "phone": "", "intent": intent, "message": "", "consent": True})
            answer = connections.submit(edition.id, device_id=f"phone-{uuid.uuid4()}", address="192.0.2.10",
                                        sent=sent, locale="fr")
            assert answer["ok"], answer


def record_peak(app, phones: int, moment: datetime) -> None:
    for _ in range(phones):
        phone(app)
    with app.app_context(), db.write():
        presence.record_peaks(now=moment)


class ReportTable(HTMLParser):
    """The report table's cells as ``{talk_id: {column: text}}``, in the order of the rows."""

    def __init__(self):
        super().__init__()
        self.rows: dict[int, dict[str, str]] = {}
        self._row: int | None = None
        self._col: str | None = None
        self._depth = 0

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "tr" and "data-talk" in attrs:
            self._row = int(attrs["data-talk"])
            self.rows[self._row] = {}
        elif self._row is not None and tag in ("td", "th") and "data-col" in attrs:
            self._col = attrs["data-col"]
            self.rows[self._row][self._col] = ""
        elif tag == "br":
            self.handle_data(" ")

    def handle_endtag(self, tag):
        if tag in ("td", "th"):
            self._col = None
        elif tag == "tr":
            self._row = None

    def handle_data(self, data):
        if self._row is not None and self._col is not None:
            self.rows[self._row][self._col] += data

    @classmethod
    def parse(cls, html: str) -> dict[int, dict[str, str]]:
        parser = cls()
        parser.feed(html)
        return {talk: {col: " ".join(text.split()) for col, text in cols.items()} for talk, cols in parser.rows.items()}


def summary(html: str, name: str) -> str:
    match = re.search(rf'<dd id="summary-{name}">(.*?)</dd>', html, re.S)
    return " ".join(re.sub(r"<[^>]+>", " ", match.group(1)).split())


def report_url(edition, suffix: str = "") -> str:
    return f"/organiser/editions/{edition.id}/report{suffix}"


# -- the page ---------------------------------------------------------------------------------------


def test_report_gives_each_talk_its_exact_times_and_overtimes(app, edition, organiser):
    talks = scripted_evening(app, edition)

    response = organiser.get(report_url(edition))

    assert response.status_code == 200
    rows = ReportTable.parse(response.text)
    # Running order after the evening: the cancelled talk went to the end.
    assert list(rows) == [talks[p].id for p in (1, 2, 4, 5, 6, 7, 8, 9, 10, 3)]
    cells = ("position", "planned-start", "planned-pitch", "planned-qa", "actual-start", "pitch", "pitch-overtime",
             "qa", "qa-overtime")
    assert [rows[talks[p].id][c] for c in cells for p in (1,)] == [
        "1", "17:25:00", "5:00", "5:00", "17:25:30", "5:00", "0:00", "4:30", "\u22120:30"]
    assert [rows[talks[2].id][c] for c in cells] == [
        "2", "17:36:00", "5:00", "5:00", "17:36:00", "6:30", "+1:30", "5:30", "+0:30"]
    assert [rows[talks[4].id][c] for c in cells] == [
        "3", "17:47:00", "5:00", "5:00", "17:49:00", "4:00", "\u22121:00", "5:00", "0:00"]
    assert [rows[talks[5].id][c] for c in cells] == [
        "4", "17:58:00", "5:00", "5:00", "—", "—", "—", "—", "—"]
    assert [rows[talks[3].id][c] for c in cells] == [
        "10", "—", "5:00", "5:00", "—", "—", "annulée", "—", "annulée"]
    assert rows[talks[1].id]["talk"] == "Projet fictif 1 Structure fictive 1 · Pitch projet · jouée"
    assert rows[talks[3].id]["talk"] == "Projet fictif 3 Structure fictive 3 · Pitch projet · annulée"


def test_report_sums_up_the_evening(app, edition, organiser):
    presence.forget_peaks()
    talks = scripted_evening(app, edition)
    room(app, edition, talks)
    record_peak(app, 3, datetime(2020, 1, 23, 16, 42, 10, tzinfo=timezone.utc))

    html = organiser.get(report_url(edition)).text

    assert summary(html, "start") == "prévu 17:25:00 · réel 17:25:30"
    # Plan: nine talks of 10 min with 1-min changeovers from 17:25 (the cancelled one takes no time).
    assert summary(html, "end") == "prévue 19:03:00 · réelle 17:58:00 (écart \u221265:00)"
    assert summary(html, "overtime").startswith("+0:30 ")  # 0 − 0:30 + 1:30 + 0:30 − 1:00 + 0
    assert summary(html, "questions") == "5 questions (2 publiées, 1 répondue, 1 en attente, 1 refusée)"
    assert summary(html, "votes") == "6"
    assert summary(html, "requests") == "3"
    assert summary(html, "peak") == "3 le 23 janvier 2020 à 17:42:10"


def test_report_counts_questions_votes_and_requests_per_talk(app, edition, organiser):
    talks = scripted_evening(app, edition)
    room(app, edition, talks)

    rows = ReportTable.parse(organiser.get(report_url(edition)).text)

    assert [(rows[talks[p].id]["questions"], rows[talks[p].id]["votes"], rows[talks[p].id]["requests"])
            for p in (1, 2, 4, 5)] == [
        ("4 publiées : 1 répondues : 1 en attente : 1 refusées : 1", "4", "2"),
        ("1 publiées : 1 répondues : 0 en attente : 0 refusées : 0", "2", "0"),
        ("0 publiées : 0 répondues : 0 en attente : 0 refusées : 0", "0", "1"),
        ("0 publiées : 0 répondues : 0 en attente : 0 refusées : 0", "0", "0"),
    ]


def test_report_chart_is_an_accessible_svg_with_one_row_per_talk(app, edition, organiser):
    talks = scripted_evening(app, edition)

    html = organiser.get(report_url(edition)).text

    svg = re.search(r"<svg id=\"report-chart\".*?</svg>", html, re.S).group(0)
    assert 'role="img"' in svg and 'aria-labelledby="chart-title chart-desc"' in svg
    assert '<title id="chart-title">' in svg and '<desc id="chart-desc">' in svg
    assert re.findall(r'<g class="chart-row" data-talk="(\d+)">', svg) == [
        str(talks[p].id) for p in (1, 2, 4, 5, 6, 7, 8, 9, 10, 3)]
    # Three talks played, each with its pitch and its questions; the others have no bar of their own.
    assert svg.count('class="bar-pitch"') == 3 and svg.count('class="bar-questions"') == 3
    assert svg.count('class="bar-planned"') == 9  # the cancelled talk has no slot in the plan
    # Time marks in Paris time every 10 minutes, around the plan (17:25–19:03).
    assert re.findall(r'text-anchor="middle" fill="#111827">(\d\d:\d\d)<', svg) == [
        "17:20", "17:30", "17:40", "17:50", "18:00", "18:10", "18:20", "18:30", "18:40", "18:50", "19:00", "19:10"]
    assert "<script" not in html.split("<main", 1)[1].split("</main>", 1)[0]


def test_report_shows_talk_titles_as_text(app, edition, organiser):
    with app.app_context():
        with db.write() as session:
            session.scalar(select(Talk).where(Talk.position == 1)).title = '<script>alert("x")</script>'

    html = organiser.get(report_url(edition)).text

    assert '<script>alert("x")</script>' not in html
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in html


def test_report_page_is_printable_without_navigation(app, edition, organiser):
    html = organiser.get(report_url(edition)).text
    css = app.test_client().get("/static/css/report.css").text

    assert "css/report.css" in html
    print_rules = css.split("@media print", 1)[1]
    assert ".org-head, .edition-nav, .skip, .downloads, .flash, .btn, button, form { display: none !important; }" \
        in print_rules


# -- the files --------------------------------------------------------------------------------------

HEADER = ["Ordre", "Intervention", "Organisation", "Type", "Statut", "Début prévu", "Pitch prévu",
          "Questions prévues", "Début réel", "Pitch réel", "Questions réelles", "Dépassement pitch (s)",
          "Dépassement questions (s)", "Questions posées", "Publiées", "Répondues", "En attente", "Refusées", "Votes",
          "Demandes d'échange"]


def expected_rows(talks) -> list[list]:
    """The ten rows of the scripted evening with the room's activity; talk 5's title looks like a formula."""
    def talk(p):
        return [talks[p].title if p != 5 else "'" + FORMULA_TITLE, talks[p].organisation]

    return [
        [1, *talk(1), "Pitch projet", "jouée", "17:25:00", 300, 300, "17:25:30", 300, 270, 0, -30, 4, 1, 1, 1, 1, 4, 2],
        [2, *talk(2), "Pitch inversé", "jouée", "17:36:00", 300, 300, "17:36:00", 390, 330, 90, 30, 1, 1, 0, 0, 0, 2, 0],
        [3, *talk(4), "Retour d'expérience", "jouée", "17:47:00", 300, 300, "17:49:00", 240, 300, -60, 0,
         0, 0, 0, 0, 0, 0, 1],
        [4, *talk(5), "Pitch projet", "non jouée", "17:58:00", 300, 300, "", "", "", "", "", 0, 0, 0, 0, 0, 0, 0],
        [5, *talk(6), "Pitch inversé", "non jouée", "18:09:00", 300, 300, "", "", "", "", "", 0, 0, 0, 0, 0, 0, 0],
        [6, *talk(7), "Pitch projet", "non jouée", "18:20:00", 300, 300, "", "", "", "", "", 0, 0, 0, 0, 0, 0, 0],
        [7, *talk(8), "Pitch projet", "non jouée", "18:31:00", 300, 300, "", "", "", "", "", 0, 0, 0, 0, 0, 0, 0],
        [8, *talk(9), "Pitch inversé", "non jouée", "18:42:00", 300, 300, "", "", "", "", "", 0, 0, 0, 0, 0, 0, 0],
        [9, *talk(10), "Retour d'expérience", "non jouée", "18:53:00", 300, 300, "", "", "", "", "", 0, 0, 0, 0, 0,
         0, 0],
        [10, *talk(3), "Pitch projet", "annulée", "", 300, 300, "", "", "", "", "", 0, 0, 0, 0, 0, 0, 0],
    ]


CLOCKS, LENGTHS = (5, 8), (6, 7, 9, 10)  # columns of expected_rows: times of day, lengths in seconds


def as_csv(column: int, value) -> str:
    if column in LENGTHS and value != "":
        return f"{value // 3600}:{value // 60 % 60:02d}:{value % 60:02d}"
    return str(value)


def as_xlsx(column: int, value):
    """What openpyxl reads back: the evening's times as Paris datetimes, lengths as timedeltas."""
    if value == "":
        return None
    if column in CLOCKS:
        return datetime.combine(date(2020, 1, 23), time.fromisoformat(value))
    if column in LENGTHS:
        return timedelta(seconds=value)
    return value


def formula_title_on_talk_5(app) -> None:
    with app.app_context():
        with db.write() as session:
            session.scalar(select(Talk).where(Talk.position == 5)).title = FORMULA_TITLE


def test_report_csv_has_the_rows_of_the_page_and_neutralises_formulas(app, edition, organiser):
    talks = scripted_evening(app, edition)
    room(app, edition, talks)
    formula_title_on_talk_5(app)

    response = organiser.get(report_url(edition, ".csv"))

    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert response.headers["Content-Disposition"] == f'attachment; filename="bilan-{SLUG}.csv"'
    assert response.data.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(response.data.decode("utf-8-sig")), delimiter=";"))
    assert rows[0] == HEADER
    assert rows[1:] == [[as_csv(i, v) for i, v in enumerate(row)] for row in expected_rows(talks)]
    assert rows[1][5:11] == ["17:25:00", "0:05:00", "0:05:00", "17:25:30", "0:05:00", "0:04:30"]


def test_report_xlsx_has_the_same_rows_and_the_evening_figures(app, edition, organiser):
    presence.forget_peaks()
    talks = scripted_evening(app, edition)
    room(app, edition, talks)
    formula_title_on_talk_5(app)
    record_peak(app, 2, datetime(2020, 1, 23, 16, 50, 0, tzinfo=timezone.utc))

    response = organiser.get(report_url(edition, ".xlsx"))

    assert response.status_code == 200
    assert response.headers["Content-Disposition"] == f'attachment; filename="bilan-{SLUG}.xlsx"'
    book = load_workbook(io.BytesIO(response.data))
    assert book.sheetnames == ["Interventions", "Soirée", "Questions"]
    sheet = [list(row) for row in book["Interventions"].iter_rows(values_only=True)]
    assert sheet[0] == HEADER
    assert sheet[1:] == [[as_xlsx(i, v) for i, v in enumerate(row)] for row in expected_rows(talks)]
    formula_cell = book["Interventions"]["B5"]
    assert (formula_cell.value, formula_cell.data_type) == ("'" + FORMULA_TITLE, "s")
    assert [list(row) for row in book["Soirée"].iter_rows(values_only=True)] == [
        ["Indicateur", "Valeur"],
        ["Édition", "Soirée d'essai n° 1"],
        ["Date", datetime(2020, 1, 23)],
        ["Début prévu des interventions", datetime(2020, 1, 23, 17, 25)],
        ["Fin prévue des interventions", datetime(2020, 1, 23, 19, 3)],
        ["Début réel", datetime(2020, 1, 23, 17, 25, 30)],
        ["Fin réelle", datetime(2020, 1, 23, 17, 58)],
        ["Dépassement total (s)", 30],
        ["Écart de fin (s)", -3900],
        ["Questions posées", 5],
        ["Votes", 6],
        ["Demandes d'échange", 3],
        ["Pic de téléphones connectés", 2],
        ["Heure du pic", datetime(2020, 1, 23, 17, 50)],
    ]


def test_report_xlsx_cells_are_typed_for_a_french_spreadsheet(app, edition, organiser):
    talks = scripted_evening(app, edition)
    room(app, edition, talks)

    book = load_workbook(io.BytesIO(organiser.get(report_url(edition, ".xlsx")).data))

    sheet = book["Interventions"]
    assert sheet.freeze_panes == "A2"
    assert [sheet[f"{c}1"].font.b for c in "ABT"] == [True, True, True]
    first = sheet[2]
    assert (first[5].is_date, first[5].number_format) == (True, "hh:mm:ss")  # planned start, a time of day
    assert (first[6].value, first[6].number_format) == (timedelta(minutes=5), "[h]:mm:ss")  # a duration
    assert (first[10].value, first[10].number_format) == (timedelta(minutes=4, seconds=30), "[h]:mm:ss")
    assert (first[12].value, first[12].data_type) == (-30, "n")  # an overtime: signed seconds, a number
    assert sheet.column_dimensions["B"].width == len("Projet fictif 10") + 2
    assert sheet.column_dimensions["A"].width == 10  # never narrower than 10 characters
    evening = book["Soirée"]
    assert (evening["B2"].value, evening["B2"].data_type) == ("Soirée d'essai n° 1", "s")
    assert (evening["B3"].is_date, evening["B3"].number_format) == (True, "dd/mm/yyyy")
    assert (evening["B4"].is_date, evening["B4"].number_format) == (True, "dd/mm/yyyy hh:mm:ss")
    assert evening.freeze_panes == "A2"


def test_report_xlsx_has_a_questions_sheet_in_running_order_without_names(app, edition, organiser):
    talks = scripted_evening(app, edition)
    room(app, edition, talks)

    book = load_workbook(io.BytesIO(organiser.get(report_url(edition, ".xlsx")).data))

    sheet = book["Questions"]
    rows = [list(row) for row in sheet.iter_rows(values_only=True)]
    assert rows[0] == ["Ordre", "Intervention", "Question", "Statut", "Votes", "Posée à", "Publiée à", "Répondue à"]
    assert [row[:5] for row in rows[1:]] == [
        [1, talks[1].title, "Quel coût par école ?", "publiée", 3],
        [1, talks[1].title, "Quelle autonomie ?", "répondue", 1],
        [1, talks[1].title, "Hors sujet", "non retenue", 0],
        [1, talks[1].title, "Et la maintenance ?", "en attente de modération", 0],
        [2, talks[2].title, "Quelle rue d'abord ?", "publiée", 2],
    ]
    assert all(isinstance(row[5], datetime) for row in rows[1:])
    assert rows[2][7] is not None and rows[1][7] is None  # only the answered one has an answer time
    assert (sheet["F2"].number_format, sheet.freeze_panes) == ("dd/mm/yyyy hh:mm:ss", "A2")


@pytest.mark.parametrize("suffix", ["", ".csv", ".xlsx"])
def test_report_needs_the_organiser_login(client, edition, suffix):
    response = client.get(report_url(edition, suffix))

    assert response.status_code == 302
    assert response.headers["Location"].startswith("/organiser/login")


@pytest.mark.parametrize("suffix", ["", ".csv", ".xlsx"])
def test_report_of_an_unknown_edition_is_404(edition, organiser, suffix):
    assert organiser.get(f"/organiser/editions/{edition.id + 1000}/report{suffix}").status_code == 404


def test_report_tab_appears_in_the_edition_sections(edition, organiser):
    html = organiser.get(f"/organiser/editions/{edition.id}/").text

    assert f'href="/organiser/editions/{edition.id}/report"' in html


# -- the peak of connected phones ------------------------------------------------------------------------


def stored_peak(app, edition) -> tuple[int, datetime | None]:
    with app.app_context():
        with db.write() as session:
            found = session.get(Edition, edition.id)
            return found.peak_audience, found.peak_audience_at


def test_peak_of_phones_is_stored_with_its_time(app, edition):
    presence.forget_peaks()
    for _ in range(3):
        phone(app)
    moment = datetime(2020, 1, 23, 16, 40, tzinfo=timezone.utc)

    with app.app_context(), db.write():
        presence.record_peaks(now=moment)

    assert stored_peak(app, edition) == (3, moment)


def test_peak_of_phones_is_not_lowered_when_phones_leave(app, edition):
    presence.forget_peaks()
    phones = [phone(app)[1] for _ in range(3)]
    first = datetime(2020, 1, 23, 16, 40, tzinfo=timezone.utc)
    with app.app_context(), db.write():
        presence.record_peaks(now=first)
    for sio in phones[:2]:
        sio.disconnect()

    with app.app_context(), db.write():
        presence.record_peaks(now=datetime(2020, 1, 23, 17, 0, tzinfo=timezone.utc))
        presence.forget_peaks()  # another process, which never saw the peak, counts one phone
        presence.record_peaks(now=datetime(2020, 1, 23, 17, 5, tzinfo=timezone.utc))

    assert stored_peak(app, edition) == (3, first)


def test_peak_of_phones_rises_with_more_phones(app, edition):
    presence.forget_peaks()
    phone(app)
    with app.app_context(), db.write():
        presence.record_peaks(now=datetime(2020, 1, 23, 16, 30, tzinfo=timezone.utc))
    phone(app)
    later = datetime(2020, 1, 23, 16, 45, tzinfo=timezone.utc)

    with app.app_context(), db.write():
        presence.record_peaks(now=later)

    assert stored_peak(app, edition) == (2, later)


def test_peak_of_phones_counts_only_the_audience(app, edition):
    from .conftest import connect

    presence.forget_peaks()
    connect(app, "projector")
    connect(app, "stage")
    phone(app)

    with app.app_context(), db.write():
        presence.record_peaks(now=datetime(2020, 1, 23, 16, 30, tzinfo=timezone.utc))

    assert stored_peak(app, edition)[0] == 1


@pytest.mark.parametrize("title", ["Capteurs;=2+5;écoles", "Capteurs,=2+5,écoles", "＝HYPERLINK(\"http://evil.example\")",
                                   "＋33 1 99 00 10 01", "＠SUM(A1:A2)"])
def test_report_csv_opened_by_a_french_spreadsheet_starts_no_cell_with_a_formula(app, edition, organiser, title):
    talks = scripted_evening(app, edition)
    with app.app_context(), db.write() as session:
        session.scalar(select(Talk).where(Talk.position == 5)).title = title

    response = organiser.get(report_url(edition, ".csv"))

    text = response.data.decode("utf-8-sig")
    for separator in (";", ","):  # a French Excel splits on ";", another region's on ","
        cells = [cell for row in csv.reader(io.StringIO(text), delimiter=separator) for cell in row]
        formulas = [cell for cell in cells if cell.lstrip()[:1] in ("=", "+", "-", "@", "＝", "＋", "－", "＠")]
        assert [cell for cell in formulas if not cell.lstrip("-").isdigit()] == []  # numbers stay numbers
    titles = [row[1] for row in csv.reader(io.StringIO(text), delimiter=";")][1:]
    assert EXPORTED_TITLES[title] in titles and title not in titles


EXPORTED_TITLES = {
    "Capteurs;=2+5;écoles": "Capteurs;'=2+5;écoles", "Capteurs,=2+5,écoles": "Capteurs,'=2+5,écoles",
    "＝HYPERLINK(\"http://evil.example\")": "'＝HYPERLINK(\"http://evil.example\")",
    "＋33 1 99 00 10 01": "'＋33 1 99 00 10 01", "＠SUM(A1:A2)": "'＠SUM(A1:A2)",
}
