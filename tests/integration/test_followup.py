"""The networking follow-up: the board of connect requests, the introduction e-mail, each team's digest.

The introduction is sent to a real SMTP server on loopback (aiosmtpd), and refused by a closed port.
"""
from __future__ import annotations

import csv
import email
import email.policy
import html
import io
import logging
import re
import socket
import uuid
from datetime import datetime, timezone

import pytest
from sqlalchemy import select

from pitchday.extensions import db
from pitchday.models import AuditEntry, ConnectRequest, Edition, Question, Talk

from pitchday.timeutil import PARIS
from tests.factories import SLUG, TALKS, TalkSpec

from .conftest import csrf_token, fresh_edition, post_form

pytestmark = pytest.mark.integration
# Four talks, each from an application whose referent is the talk's contact, on 23 January 2020.
FOUR_TALKS = (*TALKS, TalkSpec("Jardins sur les toits", "solution", "Toits Verts Fictifs", "Lou Hypothèse",
                               "lou@toits-verts.example.org"))


@pytest.fixture()
def edition(app):
    return fresh_edition(app, talks=FOUR_TALKS, applications=True, starts_at=datetime(2020, 1, 23, 17, 0, tzinfo=PARIS))


HOSTILE = '<script>alert("x")</script><img src=x onerror=alert(1)>'
RECEIVED = datetime(2020, 1, 23, 18, 5, tzinfo=timezone.utc)  # 19:05 in Lille
TEAM_EMAIL = "equipe@exempleville.example.org"


# -- arrange -----------------------------------------------------------------------------------------


def talk_at(app, position: int) -> Talk:
    with app.app_context():
        with db.write() as session:
            return session.scalars(select(Talk).join(Edition).where(
                Edition.slug == SLUG, Talk.position == position)).one()


def set_contact(app, talk_id: int, address: str | None) -> None:
    with app.app_context():
        with db.write() as session:
            session.get(Talk, talk_id).contact_email = address


def add_request(app, edition_id: int, talk_id: int, *, name: str = "Alex Testeur", status: str = "new",
                received: datetime = RECEIVED, **changes) -> int:
    values = {"organisation": "Commune de Fictiveville", "email": "alex@fictiveville.example.org",
              "phone": "01 99 00 20 02", "intent": "have_solution", "message": "Nous avons un terrain.\nÀ bientôt",
              **changes}
    with app.app_context():
        with db.write() as session:
            request = ConnectRequest(edition_id=edition_id, talk_id=talk_id, client_id=str(uuid.uuid4()),
                                     device_id="d" * 16, name=name, consent_text="J'accepte…", consented_at=received,
                                     created_at=received, status=status, **values)
            session.add(request)
        return request.id


def add_question(app, edition_id: int, talk_id: int, text: str, *, status: str, votes: int,
                 author: str | None = None) -> int:
    with app.app_context():
        with db.write() as session:
            question = Question(edition_id=edition_id, talk_id=talk_id, client_id=str(uuid.uuid4()),
                                device_id="d" * 16, text=text, author=author, status=status, votes=votes,
                                created_at=RECEIVED)
            session.add(question)
        return question.id


def request_row(app, request_id: int) -> ConnectRequest:
    with app.app_context():
        with db.write() as session:
            return session.get(ConnectRequest, request_id)


def other_edition(app) -> tuple[int, int, int]:
    """Another evening with one talk and one request: (edition id, talk id, request id)."""
    with app.app_context():
        with db.write() as session:
            edition = Edition(slug="jdn11", number=11, title="Jeudi du numérique n° 11", theme="Mobilités",
                              starts_at=RECEIVED, ends_at=RECEIVED, talks_start_at=RECEIVED, venue="Lille")
            edition.talks = [Talk(position=1, title="Autre", organisation="Autre SAS", kind="besoin")]
            session.add(edition)
        edition_id, talk_id = edition.id, edition.talks[0].id
    return edition_id, talk_id, add_request(app, edition_id, talk_id, name="Bob Ailleurs")


def section(page: str, talk_id: int) -> str:
    return page.split(f'id="talk-{talk_id}"', 1)[1].split("</section>", 1)[0]


def row(page: str, request_id: int) -> str:
    return page.split(f'id="request-{request_id}"', 1)[1].split("</tr>", 1)[0]


def board(organiser, edition_id: int, query: str = "") -> str:
    response = organiser.get(f"/organiser/editions/{edition_id}/connections{query}")
    assert response.status_code == 200
    return response.text


def change_status(organiser, edition_id: int, request_id: int, status: str, **extra):
    token = csrf_token(organiser.get(f"/organiser/editions/{edition_id}/connections").text)
    return organiser.post(f"/organiser/editions/{edition_id}/connections/{request_id}/status",
                          data={"status": status, "csrf_token": token, **extra})


# -- the board ---------------------------------------------------------------------------------------


def test_board_groups_requests_by_talk_in_running_order(app, edition, organiser):
    first, third = talk_at(app, 1), talk_at(app, 3)
    late = add_request(app, edition.id, third.id, name="Chloé Tardive", intent="learn_more", phone=None, message=None)
    early = add_request(app, edition.id, first.id, name="Alex Testeur", intent="offer_test_site")

    page = board(organiser, edition.id)

    assert page.index(f'id="talk-{first.id}"') < page.index(f'id="talk-{third.id}"')
    assert f'id="request-{early}"' in section(page, first.id)
    assert f'id="request-{late}"' in section(page, third.id) and "Alex Testeur" not in section(page, third.id)
    cells = re.findall(r"<td[^>]*>(.*?)</td>", row(page, early), re.S)
    assert [re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", c.replace("<wbr>", ""))).strip() for c in cells[:6]] == [
        "23 janvier 2020 à 19:05", "Alex Testeur Commune de Fictiveville", "alex@fictiveville.example.org 01 99 00 20 02",
        "Je peux proposer un terrain d&#39;expérimentation", "Nous avons un terrain. À bientôt", "nouvelle"]
    assert 'href="mailto:alex@fictiveville.example.org"' in cells[2]
    assert '<td role="cell" class="message" data-label="Message">Nous avons un terrain.\nÀ bientôt</td>' in row(page, early)  # line break kept
    assert f'/organiser/editions/{edition.id}/connections/{early}/introduce' in row(page, early)
    assert f'/organiser/editions/{edition.id}/talks/{first.id}/digest' in section(page, first.id)


def test_board_counts_requests_per_status_for_the_edition_and_per_talk(app, edition, organiser):
    first, second = talk_at(app, 1), talk_at(app, 2)
    add_request(app, edition.id, first.id, status="new")
    add_request(app, edition.id, first.id, status="introduced")
    add_request(app, edition.id, first.id, status="no_follow_up")
    add_request(app, edition.id, second.id, status="new")

    page = board(organiser, edition.id)

    counts = dict(re.findall(r'<span class="count" id="count-(\w+)">(\d+)</span>', page))
    assert counts == {"total": "4", "new": "2", "introduced": "1", "no_follow_up": "1"}
    talk_counts = re.search(r'<p class="talk-counts">(.*?)</p>', section(page, first.id), re.S).group(1)
    assert " ".join(talk_counts.split()) == "3 demandes : 1 nouvelle, 1 mise en relation faite, 1 sans suite"
    assert "talk-counts" not in section(page, talk_at(app, 4).id)
    assert "Aucune demande pour l'instant." in section(page, talk_at(app, 4).id)


def test_board_filter_by_status_shows_only_those_and_keeps_every_count(app, edition, organiser):
    first = talk_at(app, 1)
    kept = add_request(app, edition.id, first.id, name="Dana Close", status="no_follow_up")
    hidden = add_request(app, edition.id, first.id, name="Eve Neuve", status="new")

    page = board(organiser, edition.id, "?status=no_follow_up")

    assert f'id="request-{kept}"' in page and f'id="request-{hidden}"' not in page
    assert "Eve Neuve" not in page
    assert re.search(r'status=no_follow_up" aria-current="page"', page)
    assert dict(re.findall(r'id="count-(\w+)">(\d+)<', page)) == {
        "total": "2", "new": "1", "introduced": "0", "no_follow_up": "1"}


def test_board_unknown_filter_shows_every_request(app, edition, organiser):
    first = talk_at(app, 1)
    ids = [add_request(app, edition.id, first.id, status=s) for s in ("new", "introduced")]

    page = board(organiser, edition.id, "?status=everything")

    assert all(f'id="request-{i}"' in page for i in ids)


def test_status_no_follow_up_then_reopen(app, edition, organiser):
    request_id = add_request(app, edition.id, talk_at(app, 1).id)

    closed = change_status(organiser, edition.id, request_id, "no_follow_up", filter="new")
    after_close = request_row(app, request_id)
    reopened = change_status(organiser, edition.id, request_id, "new")

    assert closed.status_code == 303
    assert closed.headers["Location"].endswith(f"/organiser/editions/{edition.id}/connections?status=new#request-{request_id}")
    assert after_close.status == "no_follow_up" and after_close.status_changed_at is not None
    assert reopened.status_code == 303 and request_row(app, request_id).status == "new"
    page = board(organiser, edition.id)
    assert "Demande de Alex Testeur : nouvelle." in page
    assert ">Sans suite<span class=\"sr-only\">\u00a0: Alex Testeur</span>" in row(page, request_id)


def test_status_rouvrir_is_offered_for_an_introduced_request(app, edition, organiser):
    request_id = add_request(app, edition.id, talk_at(app, 1).id, status="introduced")

    cells = row(board(organiser, edition.id), request_id)

    assert 'name="status" value="new"' in cells and ">Rouvrir<" in cells and "/introduce" not in cells


def test_status_of_an_unknown_request_is_404(app, edition, organiser):
    request_id = add_request(app, edition.id, talk_at(app, 1).id)

    response = change_status(organiser, edition.id, request_id + 1000, "no_follow_up")

    assert response.status_code == 404
    assert request_row(app, request_id).status == "new"


def test_status_of_another_editions_request_is_404_and_changes_nothing(app, edition, organiser):
    _edition_id, _talk_id, foreign = other_edition(app)

    response = change_status(organiser, edition.id, foreign, "no_follow_up")
    introduce = organiser.get(f"/organiser/editions/{edition.id}/connections/{foreign}/introduce")

    assert (response.status_code, introduce.status_code) == (404, 404)
    assert request_row(app, foreign).status == "new" and request_row(app, foreign).status_changed_at is None


def test_status_unknown_value_is_refused(app, edition, organiser):
    request_id = add_request(app, edition.id, talk_at(app, 1).id)

    response = change_status(organiser, edition.id, request_id, "deleted")

    assert response.status_code == 400 and request_row(app, request_id).status == "new"


def test_board_shows_hostile_text_as_text(app, edition, organiser):
    first = talk_at(app, 1)
    request_id = add_request(app, edition.id, first.id, name=HOSTILE, organisation=HOSTILE, message=HOSTILE)

    page = board(organiser, edition.id)

    assert "<script>alert" not in page and "<img src=x" not in page
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;&lt;img src=x onerror=alert(1)&gt;" in row(page, request_id)


def test_board_and_status_changes_need_the_login(app, edition, client):
    request_id = add_request(app, edition.id, talk_at(app, 1).id)
    token = csrf_token(client.get("/organiser/login").text)

    page = client.get(f"/organiser/editions/{edition.id}/connections")
    change = client.post(f"/organiser/editions/{edition.id}/connections/{request_id}/status",
                         data={"status": "no_follow_up", "csrf_token": token})
    introduce = client.get(f"/organiser/editions/{edition.id}/connections/{request_id}/introduce")

    for response in (page, change, introduce):
        assert response.status_code == 302 and "/organiser/login" in response.headers["Location"]
    assert request_row(app, request_id).status == "new"


# -- the introduction -------------------------------------------------------------------------------


class KeepMessages:
    """An aiosmtpd handler that keeps every envelope it accepts."""

    def __init__(self):
        self.envelopes = []

    async def handle_DATA(self, server, session, envelope):
        self.envelopes.append(envelope)
        return "250 Message accepted for delivery"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def point_smtp_at(app, monkeypatch, port: int) -> None:
    monkeypatch.setitem(app.config, "PITCHDAY_SMTP_HOST", "127.0.0.1")
    monkeypatch.setitem(app.config, "PITCHDAY_SMTP_PORT", port)
    monkeypatch.setitem(app.config, "PITCHDAY_SMTP_SECURITY", "none")
    monkeypatch.setitem(app.config, "PITCHDAY_MAIL_FROM", "jeudis@mel.example.org")


@pytest.fixture()
def smtp_server(app, monkeypatch):
    """A real SMTP server on loopback; the app sends through it for this test."""
    from aiosmtpd.controller import Controller

    handler = KeepMessages()
    controller = Controller(handler, hostname="127.0.0.1", port=free_port())
    controller.start()
    point_smtp_at(app, monkeypatch, controller.port)
    yield handler
    controller.stop()


@pytest.fixture()
def need(app, edition):
    """The reverse pitch of Commune de Bourg-Essai (talk 2), with a known team address, and one request to it."""
    talk = talk_at(app, 2)
    set_contact(app, talk.id, TEAM_EMAIL)
    return talk, add_request(app, edition.id, talk.id)


def introduce_url(edition, request_id: int) -> str:
    return f"/organiser/editions/{edition.id}/connections/{request_id}/introduce"


def field_value(page: str, name: str) -> str:
    if name == "body":
        return html.unescape(re.search(r'<textarea id="body"[^>]*>(.*?)</textarea>', page, re.S).group(1))
    return html.unescape(re.search(rf'<input id="{name}"[^>]*value="([^"]*)"', page).group(1))


EDITED = {"team_email": TEAM_EMAIL, "subject": "Présentations : Alex et Commune de Bourg-Essai",
          "body": "Bonjour à tous deux,\n\nJe vous présente l'un à l'autre.\n> Nous avons un terrain.\n\n— L'équipe"}


def test_introduce_page_proposes_a_french_draft_for_both(app, edition, organiser, need):
    talk, request_id = need

    page = organiser.get(introduce_url(edition, request_id)).text

    assert field_value(page, "team_email") == TEAM_EMAIL
    assert field_value(page, "subject") == \
        "Mise en relation : Alex Testeur et Commune de Bourg-Essai — Soirée d'essai n° 1"
    assert field_value(page, "body") == "\n".join([
        "Bonjour Alex Testeur,",
        "Bonjour l'équipe « Commune de Bourg-Essai »,",
        "",
        "Lors du Soirée d'essai n° 1 (« Villes et numérique ») du 23 janvier 2020, Alex Testeur "
        "(Commune de Fictiveville) a souhaité échanger avec l'équipe « Commune de Bourg-Essai » à la suite de "
        "l'intervention « Cantines sans plastique ».",
        "",
        "Sa demande : « J'ai une solution pour ce besoin ».",
        "",
        "Son message :",
        "> Nous avons un terrain.",
        "> À bientôt",
        "",
        "Nous vous mettons en relation pour que vous poursuiviez l'échange directement. "
        "Voici les coordonnées de chacun :",
        "",
        "Alex Testeur — Commune de Fictiveville",
        "E-mail : alex@fictiveville.example.org",
        "Téléphone : 01 99 00 20 02",
        "",
        "Commune de Bourg-Essai — Maëlle Inventée, adjointe",
        f"E-mail : {TEAM_EMAIL}",
        "",
        "Bien cordialement,",
        "La Métropole Européenne de Lille",
    ])
    assert "alex@fictiveville.example.org" in page.split('class="field recipient"', 1)[1].split("</p>", 1)[0]


def test_introduce_team_address_missing_is_an_empty_required_field(app, edition, organiser):
    talk = talk_at(app, 2)
    set_contact(app, talk.id, None)
    request_id = add_request(app, edition.id, talk.id)

    page = organiser.get(introduce_url(edition, request_id)).text

    assert field_value(page, "team_email") == ""
    assert re.search(r'<input id="team_email" name="team_email" type="email" value="" required', page)
    assert "E-mail : \n" not in field_value(page, "body") and TEAM_EMAIL not in page


def test_introduce_sends_one_message_to_both_and_marks_the_request(app, edition, organiser, need, smtp_server):
    talk, request_id = need

    response = post_form(organiser, introduce_url(edition, request_id), {**EDITED, "action": "send"})

    assert response.status_code == 303
    assert response.headers["Location"].endswith(f"/organiser/editions/{edition.id}/connections#request-{request_id}")
    [envelope] = smtp_server.envelopes
    assert envelope.mail_from == "jeudis@mel.example.org"
    assert envelope.rcpt_tos == ["alex@fictiveville.example.org", TEAM_EMAIL]
    message = email.message_from_bytes(envelope.content, policy=email.policy.default)
    assert [a.addr_spec for a in message["To"].addresses] == ["alex@fictiveville.example.org", TEAM_EMAIL]
    assert [a.display_name for a in message["To"].addresses] == ["Alex Testeur", "Commune de Bourg-Essai"]
    assert message["Subject"] == EDITED["subject"]
    assert message.get_content() == EDITED["body"].replace("\n", "\r\n") + "\r\n"  # CRLF: the wire format
    assert message.get_content_charset() == "utf-8"
    assert re.fullmatch(r"<[^<>@\s]+@mel\.example\.org>", message["Message-ID"])
    assert message["Date"].datetime is not None and "X-Unsent" not in message
    stored = request_row(app, request_id)
    assert stored.status == "introduced" and stored.status_changed_at is not None
    page = board(organiser, edition.id)
    assert "E-mail envoyé : Alex Testeur et l&#39;équipe « Commune de Bourg-Essai » sont mis en relation." in page
    assert '<span class="status status-introduced">mise en relation faite</span>' in row(page, request_id)


def test_introduce_to_a_closed_port_changes_nothing_and_keeps_the_text(app, edition, organiser, need, monkeypatch):
    talk, request_id = need
    port = free_port()  # nothing listens there any more
    point_smtp_at(app, monkeypatch, port)

    response = post_form(organiser, introduce_url(edition, request_id), {**EDITED, "action": "send"})

    assert response.status_code == 502
    assert f'id="failure">Envoi impossible : le serveur SMTP 127.0.0.1:{port} a refusé la connexion.</p>' in response.text
    assert field_value(response.text, "subject") == EDITED["subject"]
    assert field_value(response.text, "body") == EDITED["body"]
    stored = request_row(app, request_id)
    assert (stored.status, stored.status_changed_at) == ("new", None)


def test_introduce_to_a_server_that_never_answers_times_out_and_changes_nothing(app, edition, organiser, need,
                                                                               monkeypatch):
    from pitchday.services import mail

    talk, request_id = need
    monkeypatch.setattr(mail, "TIMEOUT_S", 0.5)  # the real limit is a few seconds
    with socket.socket() as silent:  # accepts connections (backlog) but never greets
        silent.bind(("127.0.0.1", 0))
        silent.listen(1)
        port = silent.getsockname()[1]
        point_smtp_at(app, monkeypatch, port)

        response = post_form(organiser, introduce_url(edition, request_id), {**EDITED, "action": "send"})

    assert response.status_code == 502
    assert f'id="failure">Envoi impossible : le serveur SMTP 127.0.0.1:{port} n&#39;a pas répondu à temps.</p>' \
        in response.text
    assert request_row(app, request_id).status == "new"


def test_introduce_with_starttls_to_a_server_without_it_changes_nothing(app, edition, organiser, need, smtp_server,
                                                                      monkeypatch):
    talk, request_id = need
    monkeypatch.setitem(app.config, "PITCHDAY_SMTP_SECURITY", "starttls")

    response = post_form(organiser, introduce_url(edition, request_id), {**EDITED, "action": "send"})

    assert response.status_code == 502
    assert "ne propose pas de connexion chiffrée (STARTTLS) ou d&#39;identification." in response.text
    assert smtp_server.envelopes == [] and request_row(app, request_id).status == "new"


def test_introduce_with_invalid_fields_shows_each_error_and_sends_nothing(app, edition, organiser, need, smtp_server):
    talk, request_id = need
    data = {"team_email": "pas-une-adresse", "subject": "s" * 201, "body": "  \n ", "action": "send"}

    response = post_form(organiser, introduce_url(edition, request_id), data)

    assert response.status_code == 400
    page = response.text
    assert 'id="team_email-error">Adresse e-mail invalide (exemple : prenom.nom@exemple.fr).</p>' in page
    assert 'id="subject-error">200 caractères au plus.</p>' in page
    assert 'id="body-error">Ce champ est obligatoire.</p>' in page
    assert re.search(r'<input id="team_email"[^>]*aria-invalid="true"', page)
    assert field_value(page, "team_email") == "pas-une-adresse" and field_value(page, "subject") == "s" * 201
    assert smtp_server.envelopes == [] and request_row(app, request_id).status == "new"


def test_introduce_body_over_ten_thousand_characters_is_refused(app, edition, organiser, need, smtp_server):
    talk, request_id = need

    response = post_form(organiser, introduce_url(edition, request_id), {**EDITED, "body": "b" * 10_001,
                                                                         "action": "send"})

    assert response.status_code == 400 and 'id="body-error">10000 caractères au plus.</p>' in response.text
    assert smtp_server.envelopes == []


def test_introduce_logs_no_personal_data(app, edition, organiser, need, smtp_server, caplog):
    talk, request_id = need
    caplog.set_level(logging.DEBUG)

    post_form(organiser, introduce_url(edition, request_id), {**EDITED, "action": "send"})

    ours = "\n".join(r.getMessage() for r in caplog.records if not r.name.startswith("mail.log"))  # not aiosmtpd's
    for secret in ("Alex", "alex@fictiveville.example.org", TEAM_EMAIL, "Je vous présente", "Présentations"):
        assert secret not in ours
    assert len(smtp_server.envelopes) == 1


def test_introduce_without_smtp_offers_the_draft_and_the_manual_mark(app, edition, organiser, need):
    talk, request_id = need

    page = organiser.get(introduce_url(edition, request_id)).text

    assert "L'envoi d'e-mails n'est pas configuré" in page
    assert '<button type="submit" name="action" value="draft" class="btn btn-main">Télécharger le brouillon (.eml)</button>' in page
    assert 'value="send"' not in page
    assert ">Marquer comme mise en relation faite</button>" in page


def test_introduce_draft_is_an_rfc5322_message_for_both_and_changes_nothing(app, edition, organiser, need):
    talk, request_id = need

    response = post_form(organiser, introduce_url(edition, request_id), {**EDITED, "action": "draft"})

    assert response.status_code == 200 and response.mimetype == "message/rfc822"
    assert response.headers["Content-Disposition"] == f"attachment; filename=mise-en-relation-{request_id}.eml"
    data = response.data
    assert b"\n" not in data.replace(b"\r\n", b"") and max(len(line) for line in data.split(b"\r\n")) <= 998
    message = email.message_from_bytes(data, policy=email.policy.default)
    assert message.defects == [] and all(not message[h].defects for h in message.keys())
    assert [a.addr_spec for a in message["To"].addresses] == ["alex@fictiveville.example.org", TEAM_EMAIL]
    assert (message["From"], message["Subject"]) == ("pitchday@localhost", EDITED["subject"])
    assert message.get_content() == EDITED["body"].replace("\n", "\r\n") + "\r\n"  # CRLF: the wire format
    assert message["Date"].datetime is not None and message["Message-ID"].endswith("@localhost>")
    assert message["X-Unsent"] == "1"  # opens as a message to send in the mail program
    assert request_row(app, request_id).status == "new"


def test_introduce_send_without_smtp_is_refused_and_changes_nothing(app, edition, organiser, need):
    talk, request_id = need

    response = post_form(organiser, introduce_url(edition, request_id), {**EDITED, "action": "send"})

    assert response.status_code == 400 and "aucun serveur d&#39;envoi n&#39;est configuré" in response.text
    assert request_row(app, request_id).status == "new"


def test_introduce_marked_by_hand_after_the_draft(app, edition, organiser, need):
    talk, request_id = need
    token = csrf_token(organiser.get(introduce_url(edition, request_id)).text)

    response = organiser.post(f"/organiser/editions/{edition.id}/connections/{request_id}/status",
                              data={"status": "introduced", "csrf_token": token})

    assert response.status_code == 303 and request_row(app, request_id).status == "introduced"


# -- the speaker digest -------------------------------------------------------------------------------


@pytest.fixture()
def digest_talk(app, edition):
    """Talk 2 with two requests (one with a formula-looking message) and three questions, one rejected."""
    talk = talk_at(app, 2)
    first = add_request(app, edition.id, talk.id, name="Alex Testeur", status="introduced")
    second = add_request(app, edition.id, talk.id, name="Bea Formule", organisation="Labo Air",
                         email="bea@labo.example.org", phone=None, intent="learn_more",
                         message='=HYPERLINK("http://evil.example","clic")',
                         received=datetime(2020, 1, 23, 19, 40, tzinfo=timezone.utc))
    add_question(app, edition.id, talk.id, "Combien coûte un capteur ?", status="published", votes=2, author="Zoé")
    add_question(app, edition.id, talk.id, "Question écartée", status="rejected", votes=9)
    add_question(app, edition.id, talk.id, "Et les données, à qui ?", status="pending", votes=0)
    add_question(app, talk_at(app, 1).edition_id, talk_at(app, 1).id, "Pas pour eux", status="published", votes=5)
    return talk, first, second


def test_digest_lists_who_wants_to_meet_the_team_and_the_questions_by_votes(app, edition, organiser, digest_talk):
    talk, first, second = digest_talk

    response = organiser.get(f"/organiser/editions/{edition.id}/talks/{talk.id}/digest")

    assert response.status_code == 200
    page = response.text
    requests = page.split('id="digest-requests"', 1)[1].split("</section>", 1)[0]
    assert requests.index(f'id="request-{first}"') < requests.index(f'id="request-{second}"')
    assert "Alex Testeur" in requests and "alex@fictiveville.example.org" in requests and "01 99 00 20 02" in requests
    assert "J&#39;ai une solution pour ce besoin" in requests and "Je veux en savoir plus" in requests
    assert "Nous avons un terrain.\nÀ bientôt" in requests and "Reçue le 23 janvier 2020 à 20:40" in requests
    questions = page.split('id="digest-questions"', 1)[1].split("</section>", 1)[0]
    rows = [[re.sub(r"<[^>]+>", "", c).strip() for c in re.findall(r"<td[^>]*>(.*?)</td>", r, re.S)]
            for r in re.findall(r"<tr id=\"question-\d+\">(.*?)</tr>", questions, re.S)]
    assert rows == [["2", "Combien coûte un capteur ?", "Zoé", "publiée"],
                    ["0", "Et les données, à qui ?", "anonyme", "jamais modérée"]]
    assert "1 question refusée par la modération ne figure pas ici." in questions
    assert "Question écartée" not in page and "Pas pour eux" not in page
    assert "css/followup.css" in page


def test_digest_leaves_out_requests_closed_without_follow_up(app, edition, organiser):
    talk = talk_at(app, 2)
    add_request(app, edition.id, talk.id, name="Carl Classé", status="no_follow_up")

    page = organiser.get(f"/organiser/editions/{edition.id}/talks/{talk.id}/digest").text

    assert "Carl Classé" not in page
    assert "1 demande classée sans suite par les organisateurs ne figure pas ici." in page


def test_digest_csv_has_one_row_per_request_and_question_with_formulas_neutralised(app, edition, organiser,
                                                                                  digest_talk):
    talk, first, second = digest_talk

    response = organiser.get(f"/organiser/editions/{edition.id}/talks/{talk.id}/digest.csv")

    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert response.headers["Content-Disposition"] == f"attachment; filename=bilan-{SLUG}-intervention-2.csv"
    assert list(csv.reader(io.StringIO(response.data.decode("utf-8-sig")), delimiter=";")) == [
        ["type", "date", "nom", "organisation", "e-mail", "téléphone", "souhait", "texte", "votes", "statut"],
        ["demande", "23/01/2020 19:05:00", "Alex Testeur", "Commune de Fictiveville", "alex@fictiveville.example.org",
         "01 99 00 20 02", "J'ai une solution pour ce besoin", "Nous avons un terrain.\nÀ bientôt", "",
         "mise en relation faite"],
        ["demande", "23/01/2020 20:40:00", "Bea Formule", "Labo Air", "bea@labo.example.org", "",
         "Je veux en savoir plus", "'=HYPERLINK(\"http://evil.example\",\"clic\")", "", "nouvelle"],
        ["question", "23/01/2020 19:05:00", "Zoé", "", "", "", "", "Combien coûte un capteur ?", "2", "publiée"],
        ["question", "23/01/2020 19:05:00", "", "", "", "", "", "Et les données, à qui ?", "0", "jamais modérée"],
    ]


def test_digest_csv_is_recorded_in_the_audit_log_with_counts_only(app, edition, organiser, digest_talk):
    talk, _first, _second = digest_talk

    organiser.get(f"/organiser/editions/{edition.id}/talks/{talk.id}/digest.csv")

    with app.app_context():
        with db.write() as session:
            entries = [(e.action, e.edition_id, e.detail) for e in session.scalars(
                select(AuditEntry).where(AuditEntry.action != "organiser.sign_in"))]  # the organiser's sign-in aside
    assert entries == [("digest_export", edition.id, {"requests": 2, "questions": 2})]


def test_digest_of_another_editions_talk_or_an_unknown_talk_is_404(app, edition, organiser):
    _edition_id, foreign_talk, _request = other_edition(app)

    for url in (f"/organiser/editions/{edition.id}/talks/{foreign_talk}/digest",
                f"/organiser/editions/{edition.id}/talks/{foreign_talk}/digest.csv",
                f"/organiser/editions/{edition.id}/talks/999999/digest"):
        assert organiser.get(url).status_code == 404


def test_digest_needs_the_login(app, edition, client):
    talk = talk_at(app, 2)

    for url in (f"/organiser/editions/{edition.id}/talks/{talk.id}/digest",
                f"/organiser/editions/{edition.id}/talks/{talk.id}/digest.csv"):
        response = client.get(url)
        assert response.status_code == 302 and "/organiser/login" in response.headers["Location"]


# -- settings -----------------------------------------------------------------------------------------


def test_smtp_settings_default_to_drafts_only_and_are_read_from_the_environment(monkeypatch):
    from pitchday.config import Config

    for name in ("SMTP_HOST", "SMTP_PORT", "SMTP_USERNAME", "SMTP_PASSWORD", "SMTP_SECURITY", "MAIL_FROM"):
        monkeypatch.delenv(f"PITCHDAY_{name}", raising=False)
    defaults = Config().as_flask()
    monkeypatch.setenv("PITCHDAY_SMTP_HOST", "smtp.mel.example.org")
    monkeypatch.setenv("PITCHDAY_SMTP_PORT", "465")
    monkeypatch.setenv("PITCHDAY_SMTP_SECURITY", "ssl")
    monkeypatch.setenv("PITCHDAY_MAIL_FROM", "jeudis@mel.example.org")
    configured = Config().as_flask()

    assert [defaults[f"PITCHDAY_{n}"] for n in ("SMTP_HOST", "SMTP_PORT", "SMTP_USERNAME", "SMTP_PASSWORD",
                                                 "SMTP_SECURITY", "MAIL_FROM")] == [
        None, 587, None, None, "starttls", "pitchday@localhost"]
    assert [configured[f"PITCHDAY_{n}"] for n in ("SMTP_HOST", "SMTP_PORT", "SMTP_SECURITY", "MAIL_FROM")] == [
        "smtp.mel.example.org", 465, "ssl", "jeudis@mel.example.org"]
