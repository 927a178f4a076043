"""The accessibility statement: its settings and their checks, its RGAA structure in French and
English, and the link to it in the footer of every kind of page."""
from __future__ import annotations

import html
import re

import pytest

from .conftest import post_form
from .test_speaker_space import retained  # noqa: F401 (a fixture: a speaker space to open)

pytestmark = pytest.mark.integration

SETTINGS = "/organiser/accessibility"
AUDITED = {"entity": "Métropole Exemple", "conformity": "partiel", "audit_date": "2026-11-02",
           "audited_by": "Audit Fictif SARL", "rate": "72", "non_accessible": "Le graphique du bilan n'a pas d'alternative.",
           "derogations": "", "contact": "accessibilite@metropole.example.org", "established_on": "2026-11-20"}
RGAA_HEADINGS = ["État de conformité", "Résultats des tests", "Contenus non accessibles",
                 "Établissement de cette déclaration", "Retour d'information et contact", "Voies de recours"]


def headings(page: str) -> list[str]:
    return [html.unescape(h) for h in re.findall(r"<h2[^>]*>([^<]+)</h2>", page)]


def footer_link(page: str) -> str | None:
    found = re.search(r'<a href="/accessibilite">([^<]+)</a>', page)
    return html.unescape(found.group(1)) if found else None


def test_statement_by_default_declares_non_conformity_without_audit_and_the_recourse(client, edition):
    page = html.unescape(client.get("/accessibilite").text)

    assert headings(page) == RGAA_HEADINGS
    assert "la Métropole Européenne de Lille s'engage à rendre ses services en ligne accessibles" in page
    assert "est non conforme avec le référentiel général d'amélioration de l'accessibilité (RGAA), version 4.1.2" in page
    assert "Aucun audit n'a encore été réalisé" in page
    assert "Contact : à renseigner par l'équipe organisatrice" in page
    assert "Défenseur des droits, Libre réponse 71120, 75342 Paris CEDEX 07" in page
    assert footer_link(page) == "Accessibilité : non conforme"


def test_organiser_sets_an_audited_level_and_the_statement_and_footers_follow(client, organiser, edition):
    response = post_form(organiser, SETTINGS, AUDITED)

    assert response.status_code == 303
    page = html.unescape(client.get("/accessibilite").text)
    assert "Métropole Exemple s'engage" in page
    assert "est partiellement conforme avec le référentiel" in page
    assert "L'audit de conformité réalisé par Audit Fictif SARL le 2 novembre 2026 révèle que 72 % des critères" in page
    assert "Le graphique du bilan n'a pas d'alternative." in page
    assert "Contact : accessibilite@metropole.example.org" in page
    assert "Cette déclaration a été établie le 20 novembre 2026." in page
    assert footer_link(client.get(f"/e/{edition.slug}/programme").text) == "Accessibilité : partiellement conforme"


def test_statement_in_english_keeps_the_structure(client, organiser, edition):
    post_form(organiser, SETTINGS, AUDITED)

    page = html.unescape(client.get("/accessibilite?lang=en").text)

    assert headings(page) == ["Compliance status", "Test results", "Non-accessible content",
                              "Preparation of this statement", "Feedback and contact", "Remedies"]
    assert "is partially compliant with the French accessibility framework (RGAA), version 4.1.2" in page
    assert "carried out by Audit Fictif SARL on November 2, 2026 shows that 72% of the RGAA criteria are met" in page
    assert footer_link(page) == "Accessibility: partially compliant"


@pytest.mark.parametrize("changes, field, message", [
    ({"audit_date": "", "rate": ""}, "audit_date", "Sans audit, le service se déclare « non conforme »"),
    ({"rate": ""}, "rate", "Sans audit, le service se déclare « non conforme »"),
    ({"conformity": "total", "rate": "90"}, "rate", "« Totalement conforme » demande un taux de 100, tous les critères respectés."),
    ({"rate": "120"}, "rate", "Valeur hors des limites."),
    ({"audit_date": "02/13/2026"}, "audit_date", "Date attendue"),
    ({"conformity": "excellent"}, "conformity", "Choisissez l'une des propositions."),
])
def test_settings_refuse_a_level_the_audit_does_not_support_and_keep_what_was_typed(organiser, edition, changes,
                                                                                     field, message):
    response = post_form(organiser, SETTINGS, {**AUDITED, **changes})

    assert response.status_code == 400
    page = html.unescape(response.text)
    assert re.search(rf'id="{field}-error">{re.escape(message)}', page)
    assert 'value="Audit Fictif SARL"' in page  # what was typed stays
    assert 'value="accessibilite@metropole.example.org"' in page


def test_settings_warn_while_the_contact_is_a_placeholder_and_need_the_admin(client, organiser, edition):
    page = html.unescape(organiser.get(SETTINGS).text)
    assert "Aucun contact n'est renseigné" in page

    post_form(organiser, SETTINGS, AUDITED)
    assert "Aucun contact n'est renseigné" not in html.unescape(organiser.get(SETTINGS).text)
    assert client.get(SETTINGS).status_code == 302


def test_every_kind_of_page_links_the_statement_in_its_footer(app, client, organiser, retained):  # noqa: F811
    edition, _ids, space = retained
    pages = {
        "statement": "/accessibilite",
        "programme": f"/e/{edition.slug}/programme",
        "phone": f"/e/{edition.slug}/",
        "privacy notice": f"/e/{edition.slug}/confidentialite",
        "application form": f"/e/{edition.slug}/candidater",
        "speaker space": space,
    }
    found = {name: footer_link(client.get(path).text) for name, path in pages.items()}
    found["organiser login"] = footer_link(app.test_client().get("/organiser/login").text)
    found["organiser dashboard"] = footer_link(organiser.get("/organiser/").text)
    found["organiser report"] = footer_link(organiser.get(f"/organiser/editions/{edition.id}/report").text)

    assert found == {name: "Accessibilité : non conforme" for name in found}
