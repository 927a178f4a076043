"""One set of words, in French first and in English: the kinds of talk, undo against cancelling a
talk, the networking time, and counts with the plural of each language (0, 1, 2)."""
from __future__ import annotations

import html
import re

import pytest

from pitchday.extensions import db
from pitchday.models import Edition

from .conftest import fresh_edition
from .test_apply_form import open_edition  # noqa: F401 (a fixture: an edition whose form is open)

pytestmark = pytest.mark.integration


def page(http, path: str) -> str:
    response = http.get(path)
    assert response.status_code == 200, path
    return html.unescape(response.text)


@pytest.mark.parametrize("lang, label", [("fr", "Pitch projet"), ("en", "Project pitch")])
def test_a_solution_talk_has_the_same_name_on_the_form_the_programme_the_report_and_the_screens(
        client, organiser, edition, open_edition, lang, label):  # noqa: F811
    form = page(client, f"/e/{open_edition.slug}/candidater?lang={lang}")
    programme = page(client, f"/e/{edition.slug}/programme?lang={lang}")
    report = page(organiser, f"/organiser/editions/{edition.id}/report?lang={lang}")
    phone = page(client, f"/e/{edition.slug}/?lang={lang}")

    assert re.search(rf'id="talk_kind-solution"[^>]*>\s*<span><strong>{label}</strong>', form)
    assert f'<span class="kind kind-solution">{label}</span>' in programme
    assert f" · {label} · " in report
    assert f'"kind.solution": "{label}"' in phone
    assert ("Solution" in programme, "Solution" in report) == (False, False)


@pytest.mark.parametrize("lang, undo, cancel, networking", [
    ("fr", "↶ Défaire", "Annuler l'intervention", "Temps d'échanges"),
    ("en", "↶ Undo", "Cancel the talk", "Networking"),
])
def test_the_console_says_undo_and_cancelling_a_talk_with_two_different_words(moderator_http, edition, lang, undo,
                                                                               cancel, networking):
    console = page(moderator_http, f"/e/{edition.slug}/moderator?lang={lang}")

    assert f'aria-keyshortcuts="Control+z">{undo}</button>' in console
    assert f'data-action="absent-skip">{cancel}</button>' in console
    assert f'data-mode="networking">{networking}</button>' in console
    if lang == "fr":
        assert ">↶ Annuler<" not in console and ">Networking" not in console


@pytest.mark.parametrize("lang, peak, expected", [
    ("fr", 0, "jusqu'à 0 téléphone connecté"), ("fr", 1, "jusqu'à 1 téléphone connecté"),
    ("fr", 2, "jusqu'à 2 téléphones connectés"),
    ("en", 0, "up to 0 phones connected"), ("en", 1, "up to 1 phone connected"), ("en", 2, "up to 2 phones connected"),
])
def test_edition_overview_counts_phones_with_the_plural_of_its_language(app, organiser, lang, peak, expected):
    built = fresh_edition(app)
    with app.app_context(), db.write() as session:
        session.get(Edition, built.id).peak_audience = peak

    overview = page(organiser, f"/organiser/editions/{built.id}/?lang={lang}")

    assert expected in overview
