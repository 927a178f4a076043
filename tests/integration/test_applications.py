"""Reviewing an edition's applications: the list, a dossier, and the decisions on it."""
from __future__ import annotations

import html
import re
import uuid

import pytest
from sqlalchemy import select
from werkzeug.datastructures import MultiDict

from pitchday.extensions import db
from pitchday.models import Application, Talk

from .conftest import connect, csrf_token, events, post_form
from .test_apply_form import new_edition

pytestmark = pytest.mark.integration


@pytest.fixture()
def edition(demo_edition):
    """The demo edition: these tests review the pool imported from the sample spreadsheet
    (pitchday/data/candidatures-qualite-air.csv: fourteen applications, its filters and decisions)."""
    return demo_edition


def applications(app) -> dict[str, Application]:
    with app.app_context():
        with db.write() as session:
            return {a.reference: a for a in session.scalars(select(Application))}


def talks(app, edition_id: int) -> list[Talk]:
    with app.app_context():
        with db.write() as session:
            return list(session.scalars(select(Talk).where(Talk.edition_id == edition_id).order_by(Talk.position)))


def pitches(app, edition_id: int) -> list[Talk]:
    """The talks of the programme, without its other items (the demo's welcome, closing…)."""
    return [t for t in talks(app, edition_id) if t.is_talk]


def dossier_url(app, edition, reference: str) -> str:
    return f"/organiser/editions/{edition.id}/applications/{applications(app)[reference].id}"


def decide(organiser, app, edition, reference: str, decision: str, target: str = ""):
    return post_form(organiser, dossier_url(app, edition, reference), {"decision": decision, "target": target})


def listed_references(page: str) -> list[str]:
    return re.findall(r'data-reference="([^"]+)"', page)


def projector_agenda(app) -> list[str]:
    snapshot = events(connect(app, "projector"), "snapshot")[-1]
    return [row["title"] for row in snapshot["state"]["agenda"]]


def start_evening(app, edition) -> None:
    from pitchday.services import show as show_service

    with app.app_context(), db.write():
        show = show_service.current_show(edition.id)
        result = show_service.run_command(edition.id, command_id=str(uuid.uuid4()), name="start", args={},
                                          version=show.version)
    assert result["ok"], result


def test_review_list_shows_the_pool_with_counts_and_badges(organiser, edition):
    response = organiser.get(f"/organiser/editions/{edition.id}/applications")

    assert response.status_code == 200
    page, text = response.text, html.unescape(response.text)
    assert listed_references(page) == [f"AMI-QA-{n:03d}" for n in range(1, 15)]  # in the order received
    counts = " ".join(re.sub(r"<[^>]+>", "", re.search(r'id="counts">(.*?)</p>', text, re.S).group(1)).split())
    assert counts == "14 candidatures : 0 à l'étude · 10 retenues · 2 reportées · 2 non retenues · 1 hors délai"
    row = re.search(r'<tr id="application-\d+" data-reference="AMI-QA-014">(.*?)</tr>', page, re.S).group(1)
    assert "13 janv. 2020 11:20" in row and "hors délai" in row and "Non retenue" in row
    assert "Purificateur de rue" in row and ">Entreprise</td>" in row and "Pitch projet" in row
    first = re.search(r'data-reference="AMI-QA-001">(.*?)</tr>', page, re.S).group(1)
    assert "6 janv. 2020 09:14" in first and "hors délai" not in first
    assert f'href="/organiser/editions/{edition.id}/applications/import"' in page
    assert 'id="over-retained"' not in page  # 10 retained for 10 wanted


@pytest.mark.parametrize(("query", "expected"), [
    ("talk_kind=besoin", ["AMI-QA-002", "AMI-QA-008", "AMI-QA-010"]),
    ("applicant_type=association", ["AMI-QA-004", "AMI-QA-009", "AMI-QA-013"]),
    ("status=declined", ["AMI-QA-012", "AMI-QA-014"]),
    ("talk_kind=solution&status=deferred", ["AMI-QA-011"]),
    ("talk_kind=<script>&status=nope", [f"AMI-QA-{n:03d}" for n in range(1, 15)]),  # unknown values: no filter
])
def test_review_list_filters(organiser, edition, query, expected):
    response = organiser.get(f"/organiser/editions/{edition.id}/applications?{query}")

    assert response.status_code == 200
    assert listed_references(response.text) == expected
    assert "<script>" not in response.text


def test_dossier_shows_every_field_readable(app, organiser, edition):
    response = organiser.get(dossier_url(app, edition, "AMI-QA-001"))

    assert response.status_code == 200
    page = response.text
    assert ('<dd id="value-description" class="multiline">Réseau de micro-capteurs NO2 et PM2,5 installés dans '
            "les cours d&#39;école, reliés en LoRaWAN.\nTableau de bord") in page
    assert '<a href="https://capteurecole.example.org" rel="noopener noreferrer" target="_blank">' in page
    assert '<dd id="value-referent_phone">01 99 00 10 01</dd>' in page
    assert 'id="application-status">Retenue</span>' in page
    assert "Proposition d'expérimentation" in html.unescape(page)
    assert "Proposition d'un retour" not in html.unescape(page)
    assert "Au programme, en position 4." in page  # after the demo's welcome, opening address and ATMO


def test_dossier_of_another_edition_is_not_found(app, organiser, edition):
    later = new_edition(app, number=11, day="2020-03-19", deadline_day="2020-03-09")

    response = organiser.get(f"/organiser/editions/{later.id}/applications/{applications(app)['AMI-QA-001'].id}")

    assert response.status_code == 404


def test_retain_adds_a_talk_at_the_end_and_the_live_agenda_follows(app, organiser, edition):
    response = decide(organiser, app, edition, "AMI-QA-011", "retain")

    assert response.status_code == 303
    assert applications(app)["AMI-QA-011"].status == "retained"
    last = pitches(app, edition.id)[-1]
    assert (last.position, last.title, last.organisation, last.kind, last.speaker, last.contact_email) == (
        14, "Façades dépolluantes", "", "solution", f"{applications(app)['AMI-QA-011'].referent_name}, "
        f"{applications(app)['AMI-QA-011'].referent_role}", applications(app)["AMI-QA-011"].referent_email)
    assert last.application_id == applications(app)["AMI-QA-011"].id
    assert len(last.summary) <= 200 and applications(app)["AMI-QA-011"].description.startswith(last.summary.rstrip("…"))
    agenda = projector_agenda(app)
    # After the last talk, before the demo's closing and networking items.
    assert len(agenda) == 16 and agenda[-3:] == ["Façades dépolluantes", "Clôture", "Networking et cocktail"]
    assert "Candidature retenue" in html.unescape(organiser.get(response.headers["Location"]).text)


def test_more_retained_than_wanted_is_warned_on_the_list_and_the_programme(app, organiser, edition):
    decide(organiser, app, edition, "AMI-QA-011", "retain")

    for path in ("applications", "programme"):
        page = html.unescape(organiser.get(f"/organiser/editions/{edition.id}/{path}").text)
        assert "11 retenues pour 10 souhaitées" in page, path


def test_retaining_twice_adds_one_talk(app, organiser, edition):
    decide(organiser, app, edition, "AMI-QA-006", "retain")
    decide(organiser, app, edition, "AMI-QA-006", "retain")

    assert [t.title for t in talks(app, edition.id)].count("Modèle urbain fine échelle") == 1


def test_decline_a_retained_application_takes_its_talk_off(app, organiser, edition):
    response = decide(organiser, app, edition, "AMI-QA-001", "decline")

    assert response.status_code == 303
    assert applications(app)["AMI-QA-001"].status == "declined"
    remaining = talks(app, edition.id)
    assert [t.position for t in remaining] == list(range(1, 15))  # 9 talks and the demo's 5 other items
    assert "CapteurÉcole" not in [t.title for t in remaining]
    assert projector_agenda(app)[3] == "Respirer près de l'école"  # after the welcome, the opening, ATMO


def test_back_to_review_takes_the_talk_off_and_keeps_the_application(app, organiser, edition):
    decide(organiser, app, edition, "AMI-QA-002", "reconsider")

    assert applications(app)["AMI-QA-002"].status == "received"
    assert len(pitches(app, edition.id)) == 9
    page = organiser.get(dossier_url(app, edition, "AMI-QA-002")).text
    assert 'id="application-status">À l&#39;étude</span>' in page


def test_defer_to_an_existing_later_edition_moves_it_into_that_pool(app, organiser, edition):
    later = new_edition(app, number=11, day="2020-03-19", deadline_day="2020-03-09")

    response = decide(organiser, app, edition, "AMI-QA-003", "defer", target=str(later.id))

    assert response.status_code == 303
    assert response.headers["Location"] == f"/organiser/editions/{edition.id}/applications"
    moved = applications(app)["AMI-QA-003"]
    assert (moved.edition_id, moved.status, moved.deferred_from_edition_id) == (later.id, "received", edition.id)
    assert "AirData Croisée" not in [t.title for t in talks(app, edition.id)]
    assert "AMI-QA-003" not in listed_references(organiser.get(f"/organiser/editions/{edition.id}/applications").text)
    later_list = organiser.get(f"/organiser/editions/{later.id}/applications").text
    # with the two the MEL had deferred "to a later edition", adopted when n° 11 was created
    assert listed_references(later_list) == ["AMI-QA-003", "AMI-QA-006", "AMI-QA-011"]
    assert html.unescape(later_list).count("reportée de Jeudi du numérique n° 10") == 3
    assert "reportée de Jeudi du numérique n° 10" in html.unescape(organiser.get(dossier_url(app, later, "AMI-QA-003")).text)


def test_defer_offers_only_later_editions(app, organiser, edition):
    later = new_edition(app, number=11, day="2020-03-19", deadline_day="2020-03-09")
    earlier = new_edition(app, number=9, day="2019-11-21", deadline_day="2019-11-10")

    page = organiser.get(dossier_url(app, edition, "AMI-QA-012")).text
    response = decide(organiser, app, edition, "AMI-QA-012", "defer", target=str(earlier.id))

    assert f'<option value="{later.id}">' in page and f'<option value="{earlier.id}">' not in page
    assert response.status_code == 400
    assert (applications(app)["AMI-QA-012"].edition_id, applications(app)["AMI-QA-012"].status) == (edition.id, "declined")


def test_defer_with_no_later_edition_waits_for_the_next_one_created(app, organiser, edition):
    response = decide(organiser, app, edition, "AMI-QA-012", "defer")

    assert response.status_code == 303
    waiting = applications(app)["AMI-QA-012"]
    assert (waiting.edition_id, waiting.status) == (edition.id, "deferred")
    assert "rejoindra la prochaine édition" in html.unescape(organiser.get(response.headers["Location"]).text)
    later = new_edition(app, number=11, day="2020-03-19", deadline_day="2020-03-09")
    joined = applications(app)["AMI-QA-012"]
    assert (joined.edition_id, joined.status, joined.deferred_from_edition_id) == (later.id, "received", edition.id)
    assert "AMI-QA-012" in listed_references(organiser.get(f"/organiser/editions/{later.id}/applications").text)


def test_decision_that_changes_the_programme_is_refused_once_the_evening_started(app, organiser, edition):
    start_evening(app, edition)

    retain = decide(organiser, app, edition, "AMI-QA-011", "retain")
    decline = decide(organiser, app, edition, "AMI-QA-001", "decline")

    for response in (retain, decline):
        assert response.status_code == 409
        assert "La soirée a commencé : changez l&#39;ordre depuis la régie." in response.text
    found = applications(app)
    assert (found["AMI-QA-011"].status, found["AMI-QA-001"].status) == ("deferred", "retained")
    assert len(pitches(app, edition.id)) == 10
    snapshot = events(connect(app, "projector"), "snapshot")[-1]["state"]
    assert snapshot["phase"] == "segment"  # the welcome on stage was not reset


def test_decision_that_leaves_the_programme_alone_is_allowed_during_the_evening(app, organiser, edition):
    start_evening(app, edition)

    response = decide(organiser, app, edition, "AMI-QA-011", "decline")

    assert response.status_code == 303
    assert applications(app)["AMI-QA-011"].status == "declined"


@pytest.mark.parametrize("decision", ["<script>alert(1)</script>", "", "retained"])
def test_unknown_decision_is_refused_and_changes_nothing(app, organiser, edition, decision):
    response = decide(organiser, app, edition, "AMI-QA-006", decision)

    assert response.status_code == 400
    assert "<script>alert(1)</script>" not in response.text
    assert applications(app)["AMI-QA-006"].status == "deferred"


def test_defer_to_an_unknown_edition_is_not_found(app, organiser, edition):
    response = decide(organiser, app, edition, "AMI-QA-006", "defer", target="999999")

    assert response.status_code == 404
    assert applications(app)["AMI-QA-006"].status == "deferred"


@pytest.mark.parametrize("target", ["abc", "99999999999999999999", "-1", "<script>"])
def test_defer_to_a_malformed_edition_is_refused(app, organiser, edition, target):
    response = decide(organiser, app, edition, "AMI-QA-012", "defer", target=target)

    assert response.status_code == 400
    assert (applications(app)["AMI-QA-012"].edition_id, applications(app)["AMI-QA-012"].status) == (
        edition.id, "declined")


def test_organiser_pages_need_the_login(app, client, edition):
    url = f"/organiser/editions/{edition.id}"
    application_id = applications(app)["AMI-QA-006"].id
    token = csrf_token(client.get("/organiser/login").text)

    for path in (f"{url}/applications", f"{url}/applications/{application_id}", f"{url}/programme",
                 f"{url}/applications/import", f"{url}/applications/import/1"):
        response = client.get(path)
        assert response.status_code == 302 and "/organiser/login" in response.headers["Location"], path
    for path, data in ((f"{url}/applications/{application_id}", {"decision": "retain"}),
                       (f"{url}/programme", {"action": "up", "talk_id": "1"}),
                       (f"{url}/applications/import/1", {"fingerprint": "x"}),
                       (f"{url}/applications/import/1/cancel", {})):
        response = client.post(path, data={**data, "csrf_token": token})
        assert response.status_code == 302 and "/organiser/login" in response.headers["Location"], path
    assert applications(app)["AMI-QA-006"].status == "deferred"


# -- decisions for a selection of the list (intake) ---------------------------------------------------

def bulk(organiser, app, edition, references: list[str], decision: str):
    found = applications(app)
    page = organiser.get(f"/organiser/editions/{edition.id}/applications").text
    data = MultiDict([("csrf_token", csrf_token(page)), ("decision", decision)]
                     + [("application_id", str(found[r].id)) for r in references])
    return organiser.post(f"/organiser/editions/{edition.id}/applications/bulk", data=data)


def outbox_of(app, edition_id: int) -> list[tuple[str, str]]:
    from pitchday.models import OutboxMessage

    with app.app_context(), db.read() as session:
        ids = {a.id: a.reference for a in session.scalars(select(Application))}
        return sorted((ids[m.application_id], m.kind) for m in session.scalars(
            select(OutboxMessage).where(OutboxMessage.edition_id == edition_id)))


def test_review_list_offers_a_checkbox_per_application_and_the_bulk_bar(app, organiser, edition):
    page = organiser.get(f"/organiser/editions/{edition.id}/applications").text

    first = applications(app)["AMI-QA-001"]
    assert re.search(rf'<input type="checkbox" name="application_id" value="{first.id}" form="bulk-form" '
                     rf'id="select-{first.id}" aria-label="Sélectionner AMI-QA-001">', page)
    assert page.count('form="bulk-form"') == 14
    for value, label in (("retain", "Retenir la sélection"), ("defer", "Reporter la sélection"),
                         ("decline", "Refuser la sélection")):
        assert f'name="decision" value="{value}">{label}</button>' in page


def test_retaining_a_selection_decides_each_one_with_its_talk_and_its_message(app, organiser, edition):
    before = len(pitches(app, edition.id))

    response = bulk(organiser, app, edition, ["AMI-QA-006", "AMI-QA-011", "AMI-QA-012"], "retain")

    assert response.status_code == 303
    found = applications(app)
    assert [found[r].status for r in ("AMI-QA-006", "AMI-QA-011", "AMI-QA-012")] == ["retained"] * 3
    titles = [t.title for t in pitches(app, edition.id)]
    assert len(titles) == before + 3 and titles[-3:] == [
        "Modèle urbain fine échelle", "Façades dépolluantes", "Covoiturage les jours de pic"]
    assert [m for m in outbox_of(app, edition.id) if m[0] in ("AMI-QA-006", "AMI-QA-011", "AMI-QA-012")] == [
        ("AMI-QA-006", "retained"), ("AMI-QA-011", "retained"), ("AMI-QA-012", "retained")]
    page = html.unescape(organiser.get(response.headers["Location"]).text)
    assert "3 candidatures retenues : elles sont ajoutées à la fin du programme." in page
    assert "13 retenues pour 10 souhaitées" in page  # the over-retained warning, as for one decision


def test_declining_a_selection_takes_the_retained_ones_talks_off(app, organiser, edition):
    response = bulk(organiser, app, edition, ["AMI-QA-001", "AMI-QA-006"], "decline")

    assert response.status_code == 303
    found = applications(app)
    assert (found["AMI-QA-001"].status, found["AMI-QA-006"].status) == ("declined", "declined")
    assert "CapteurÉcole" not in [t.title for t in talks(app, edition.id)]
    assert ("AMI-QA-001", "declined") in outbox_of(app, edition.id)
    assert "2 candidatures non retenues." in html.unescape(organiser.get(response.headers["Location"]).text)


def test_a_selection_with_one_refused_decision_changes_nothing_and_keeps_the_boxes_checked(app, organiser, edition):
    start_evening(app, edition)
    found = applications(app)

    # Declining AMI-QA-011 alone would be allowed during the evening; AMI-QA-001 is on the programme.
    response = bulk(organiser, app, edition, ["AMI-QA-011", "AMI-QA-001"], "decline")

    assert response.status_code == 409
    assert "La soirée a commencé : changez l&#39;ordre depuis la régie." in response.text
    after = applications(app)
    assert (after["AMI-QA-011"].status, after["AMI-QA-001"].status) == ("deferred", "retained")
    assert outbox_of(app, edition.id) == []
    for reference in ("AMI-QA-011", "AMI-QA-001"):
        assert re.search(rf'value="{found[reference].id}" form="bulk-form" id="select-{found[reference].id}" checked',
                         response.text)


def test_a_selection_without_any_box_checked_or_with_a_bad_decision_is_refused(app, organiser, edition):
    nothing = bulk(organiser, app, edition, [], "retain")
    unknown = bulk(organiser, app, edition, ["AMI-QA-011"], "reconsider")

    assert nothing.status_code == 400
    assert re.search(r'<p class="error" id="bulk-error" role="alert">Cochez d&#39;abord les candidatures à décider.',
                     nothing.text)
    assert unknown.status_code == 400
    assert applications(app)["AMI-QA-011"].status == "deferred"


def test_a_selection_with_another_editions_application_is_not_found_and_changes_nothing(app, organiser, edition):
    other = new_edition(app, number=12, day="2099-03-19", deadline_day="2099-03-09")
    with app.app_context(), db.write() as session:
        from tests.factories import TalkSpec, make_application

        stranger = make_application(session.get(type(other), other.id), TalkSpec("Ailleurs", "solution"), "AUTRE-001",
                                   status="received")
        session.add(stranger)
        session.flush()
        stranger_id = stranger.id
    found = applications(app)
    page = organiser.get(f"/organiser/editions/{edition.id}/applications").text

    response = organiser.post(f"/organiser/editions/{edition.id}/applications/bulk", data=MultiDict([
        ("csrf_token", csrf_token(page)), ("decision", "retain"), ("application_id", str(found["AMI-QA-012"].id)),
        ("application_id", str(stranger_id))]))

    assert response.status_code == 404
    assert applications(app)["AMI-QA-012"].status == "declined"
    assert applications(app)["AUTRE-001"].status == "received"


def test_a_selection_decided_is_audited_once_with_its_decision(app, organiser, edition):
    from pitchday.models import AuditEntry

    bulk(organiser, app, edition, ["AMI-QA-006", "AMI-QA-011"], "defer")

    with app.app_context(), db.read() as session:
        entries = [(e.action, e.edition_id, e.detail) for e in session.scalars(
            select(AuditEntry).where(AuditEntry.action == "organiser.bulk_decision"))]
    assert entries == [("organiser.bulk_decision", edition.id, {"decision": "defer"})]


def test_a_talk_without_an_organisation_shows_only_what_exists(app, organiser, client, edition):
    decide(organiser, app, edition, "AMI-QA-011", "retain")  # the MEL's sheet has no organisation column
    [talk] = [t for t in pitches(app, edition.id) if t.title == "Façades dépolluantes"]
    assert talk.organisation == ""

    programme = client.get(f"/e/{edition.slug}/programme").text
    item = programme[programme.index("Façades dépolluantes"):]
    assert re.match(r'Façades dépolluantes</\w+>\s*<p class="org"><span class="kind kind-solution">', item), item[:200]
    phone = client.get(f"/e/{edition.slug}/").text
    assert f'<option value="{talk.id}">Façades dépolluantes</option>' in phone
    assert re.search(rf'href="/e/{edition.slug}/echanger/{talk.id}">Façades dépolluantes</a>', phone)
    connect_page = html.unescape(client.get(f"/e/{edition.slug}/echanger/{talk.id}").text)
    assert "Je veux échanger avec « Façades dépolluantes »" in connect_page
    snapshot = events(connect(app, "projector"), "snapshot")[-1]["state"]
    [card] = [row for row in snapshot["agenda"] if row["title"] == "Façades dépolluantes"]
    assert card["organisation"] == ""
    report = organiser.get(f"/organiser/editions/{edition.id}/report.csv").data.decode("utf-8-sig")
    assert '"Façades dépolluantes";"";"Pitch projet";' in report  # an empty cell, not the title twice
