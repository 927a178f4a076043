"""Reviews by several people (issue 10): a reviewer sees the others' scores only after giving their
own, blind review hides the identity server-side, the assignments bound what a reviewer reviews, the
review list gives the mean and the spread (min–max) per criterion and overall, bad input keeps what
was typed, the settings refuse removing a scored criterion, the suggested replacement is the
best-scored deferred application, and the scores go with the person's export and erasure."""
from __future__ import annotations

import json

import pytest
from sqlalchemy import func, select

from pitchday.extensions import db
from pitchday.models import Review, ReviewAssignment, ReviewCriterion, ReviewScore
from pitchday.services import reviews, speakers
from tests import factories

from .conftest import post_form, signed_in
from .test_outbox import CANDIDATES, build, decide

pytestmark = pytest.mark.integration

KEYS = ("c1", "c2", "c3", "c4")
WJ = "\u2060"  # the word joiners of a spread: "(2–4)" never breaks inside


@pytest.fixture()
def world(app, organiser):
    """An edition with three applications under review and two reviewers of it: (edition, ids, ana, ben)."""
    edition, ids = build(app)
    ana = signed_in(app, role="relecteur", edition_id=edition.id, email="ana@relecture-essai.example.org", name="Ana Relit")
    ben = signed_in(app, role="relecteur", edition_id=edition.id, email="ben@relecture-essai.example.org", name="Ben Relit")
    return edition, ids, ana, ben


def dossier_url(edition, application_id: int) -> str:
    return f"/organiser/editions/{edition.id}/applications/{application_id}"


def score(http, edition, application_id: int, scores, comments=None):
    data = {f"score-{k}": str(s) for k, s in zip(KEYS, scores)}
    data |= {f"comment-{k}": c for k, c in zip(KEYS, comments or ())}
    return post_form(http, dossier_url(edition, application_id) + "/review", data,
                     page=dossier_url(edition, application_id))


def list_url(edition, **query) -> str:
    args = "&".join(f"{k}={v}" for k, v in query.items())
    return f"/organiser/editions/{edition.id}/reviews" + (f"?{args}" if args else "")


def account_id(app, email: str) -> int:
    from pitchday.services import accounts

    with app.app_context(), db.read():
        return accounts.account_by_email(email).id


def test_reviewer_sees_the_others_scores_only_after_giving_their_own(app, world):
    edition, ids, ana, ben = world
    assert score(ana, edition, ids[0], (4, 3, 5, 2), ("Thème très bien traité",)).status_code == 303

    before = ben.get(dossier_url(edition, ids[0])).text
    assert "1 autre relecture : vous la verrez après avoir donné la vôtre." in before
    assert "Thème très bien traité" not in before and 'id="review-figures"' not in before
    listed = ben.get(list_url(edition)).text
    assert "Notez d'abord cette candidature pour voir les notes." in listed

    assert score(ben, edition, ids[0], (2, 3, 1, 2)).status_code == 303
    after = ben.get(dossier_url(edition, ids[0])).text
    assert "Thème très bien traité" in after and "Ana Relit" in after
    assert "Merci : votre relecture est enregistrée." in after


def test_organiser_sees_every_score_without_reviewing(app, world, organiser):
    edition, ids, ana, _ben = world
    score(ana, edition, ids[0], (4, 3, 5, 2), ("Thème très bien traité",))

    page = organiser.get(dossier_url(edition, ids[0])).text

    assert "Thème très bien traité" in page
    assert "Note globale 3,5 sur 5, 1 relecture" in page
    assert '<details class="review-details" id="review-details">' in page  # an organiser's own form is folded
    assert 'id="review-details"' not in ana.get(dossier_url(edition, ids[0])).text


def test_review_list_gives_the_mean_and_the_spread_per_criterion_and_overall(app, world, organiser):
    edition, ids, ana, ben = world
    score(ana, edition, ids[0], (4, 3, 5, 2))  # overall 3.5
    score(ben, edition, ids[0], (2, 3, 1, 2))  # overall 2
    score(ana, edition, ids[1], (5, 5, 5, 4))  # overall 4.75

    with app.app_context(), db.read():
        who = reviews.reader(edition.id, factories_admin(app))
        rows = reviews.board(edition.id, who, sort="overall", descending=True)
    assert [r.application_id for r in rows] == [ids[1], ids[0], ids[2]]
    first = {r.application_id: r for r in rows}[ids[0]].summary
    assert (first.reviews, first.overall.mean, first.overall.low, first.overall.high) == (2, 2.75, 2.0, 3.5)
    assert first.by_criterion["c1"] == reviews.rules.Figures(2, 3.0, 2, 4)
    assert first.by_criterion["c2"] == reviews.rules.Figures(2, 3.0, 3, 3)

    page = organiser.get(list_url(edition, sort="overall", order="desc")).text
    row = page.split(f'id="review-row-{ids[0]}"')[1].split("</tr>")[0]
    assert '<td class="figure" data-label="Relectures">2</td>' in row  # two reviews
    assert f'data-label="Adéquation au thème qualité de l&#39;air">3 (2{WJ}–{WJ}4)</td>' in row  # c1
    assert '<td class="figure" data-label="Prêt à l&#39;expérimentation">3</td>' in row  # c2: both gave 3, no spread
    assert f"<strong>2,8 (2{WJ}–{WJ}3,5)</strong>" in row  # overall: mean of 3.5 and 2, lowest and highest
    assert page.index(f'id="review-row-{ids[1]}"') < page.index(f'id="review-row-{ids[0]}"') \
        < page.index(f'id="review-row-{ids[2]}"')
    ascending = organiser.get(list_url(edition, sort="overall", order="asc")).text
    assert ascending.index(f'id="review-row-{ids[0]}"') < ascending.index(f'id="review-row-{ids[1]}"') \
        < ascending.index(f'id="review-row-{ids[2]}"')  # never scored: last in both directions
    assert 'aria-sort="ascending"' in ascending
    by_spread = organiser.get(list_url(edition, sort="spread", order="desc")).text  # 3.5 − 2, then one review
    assert by_spread.index(f'id="review-row-{ids[0]}"') < by_spread.index(f'id="review-row-{ids[1]}"') \
        < by_spread.index(f'id="review-row-{ids[2]}"')


def factories_admin(app):
    from pitchday.services import accounts

    from .conftest import ORGANISER_EMAIL

    return accounts.account_by_email(ORGANISER_EMAIL)


def test_blind_review_never_sends_the_identity_to_reviewers(app, world, organiser):
    edition, ids, ana, _ben = world
    settings_url = f"/organiser/editions/{edition.id}/reviews/settings"
    labels = {f"label-{k}": label for k, label in reviews.rules.DEFAULT_CRITERIA}
    assert post_form(organiser, settings_url, {**labels, "blind": "on"}).status_code == 303
    with app.app_context(), db.write() as session:
        application = session.get(reviews.Application, ids[0])
        application.website = "https://air-clair.example.org"
    secrets = ("Jeanne Fictive", "Air Clair SCOP", "jeanne@air-clair.example.org", "air-clair.example.org",
               "01 99 00 30 01", "1 rue Fictive")

    for page in (ana.get(dossier_url(edition, ids[0])).text, ana.get(list_url(edition)).text,
                 ana.get(dossier_url(edition, ids[0]), follow_redirects=True).text):
        assert [s for s in secrets if s in page] == []
    reviewer_dossier = ana.get(dossier_url(edition, ids[0])).text
    assert CANDIDATES[0].title in reviewer_dossier  # the project itself is what is reviewed
    assert "masqué (relecture anonyme)" in reviewer_dossier
    shown_to_organiser = organiser.get(dossier_url(edition, ids[0])).text
    assert all(s in shown_to_organiser for s in secrets)


def test_a_reviewer_with_assignments_reviews_only_those(app, world, organiser):
    edition, ids, ana, ben = world
    ana_id = account_id(app, "ana@relecture-essai.example.org")
    labels = {f"label-{k}": label for k, label in reviews.rules.DEFAULT_CRITERIA}
    settings_url = f"/organiser/editions/{edition.id}/reviews/settings"
    assert post_form(organiser, settings_url, {**labels, "assign": f"{ana_id}-{ids[1]}"}).status_code == 303

    listed = ana.get(list_url(edition)).text
    assert f'id="review-row-{ids[1]}"' in listed
    assert f'id="review-row-{ids[0]}"' not in listed and f'id="review-row-{ids[2]}"' not in listed
    assert "1 candidature vous est confiée." in listed
    assert ana.get(dossier_url(edition, ids[0])).status_code == 404
    out_of_scope = post_form(ana, dossier_url(edition, ids[0]) + "/review", {f"score-{k}": "1" for k in KEYS},
                             page=list_url(edition))  # the CSRF token of a page she may open
    assert out_of_scope.status_code == 404
    assert score(ana, edition, ids[1], (1, 1, 1, 1)).status_code == 303
    unassigned = ben.get(list_url(edition)).text  # nothing assigned to Ben: he reviews them all
    assert all(f'id="review-row-{i}"' in unassigned for i in ids)
    with app.app_context(), db.read() as session:
        assert session.scalar(select(func.count(Review.id))) == 1
    # The organiser's list for reviewers is the review list.
    assert ana.get(f"/organiser/editions/{edition.id}/applications").headers["Location"].endswith(
        f"/organiser/editions/{edition.id}/reviews")


def test_assignment_to_someone_who_does_not_review_is_refused(app, world, organiser):
    edition, ids, _ana, _ben = world
    admin_id = account_id(app, "admin@equipe-essai.example.org")
    labels = {f"label-{k}": label for k, label in reviews.rules.DEFAULT_CRITERIA}
    settings_url = f"/organiser/editions/{edition.id}/reviews/settings"
    assert post_form(organiser, settings_url, {**labels, "assign": f"{admin_id}-{ids[0]}"}).status_code == 400
    assert post_form(organiser, settings_url, {**labels, "assign": "pas-un-couple"}).status_code == 400
    with app.app_context(), db.read() as session:
        assert session.scalar(select(func.count(ReviewAssignment.id))) == 0


def test_bad_review_input_gets_field_errors_and_keeps_what_was_typed(app, world):
    edition, ids, ana, _ben = world
    response = post_form(ana, dossier_url(edition, ids[0]) + "/review",
                         {"score-c1": "7", "score-c2": "3", "comment-c2": "Mon avis détaillé", "score-c3": "",
                          "score-c4": "4", "comment-c4": "x" * 1001}, page=dossier_url(edition, ids[0]))

    assert response.status_code == 400
    page = response.text
    assert page.count("Choisissez une note de 0 à 5.") == 2  # in the summary and under the field
    assert page.count("Ce champ est obligatoire.") == 2
    assert "1000 caractères au plus." in page
    assert 'href="#score-c1-0"' in page  # the summary links to the field
    assert "Mon avis détaillé" in page
    assert 'value="3" id="score-c2-3"\n          checked' in page
    with app.app_context(), db.read() as session:
        assert session.scalar(select(func.count(Review.id))) == 0


def test_a_second_review_replaces_the_first(app, world, organiser):
    edition, ids, ana, _ben = world
    score(ana, edition, ids[0], (1, 1, 1, 1), ("premier avis",))
    score(ana, edition, ids[0], (5, 4, 3, 2), ("second avis",))
    with app.app_context(), db.read() as session:
        assert session.scalar(select(func.count(Review.id))) == 1
        assert sorted(session.scalars(select(ReviewScore.score))) == [2, 3, 4, 5]
    assert "second avis" in ana.get(dossier_url(edition, ids[0])).text


def test_settings_rename_add_and_refuse_removing_a_scored_criterion(app, world, organiser):
    edition, ids, ana, _ben = world
    settings_url = f"/organiser/editions/{edition.id}/reviews/settings"
    score(ana, edition, ids[0], (4, 3, 5, 2))
    refused = post_form(organiser, settings_url, {"label-c1": "", "label-c2": "Prêt", "label-c3": "Innovant",
                                                  "label-c4": "Territoire", "label-new": "Équipe solide"})
    assert refused.status_code == 400
    assert "Ce critère a déjà des notes : renommez-le plutôt que de le retirer." in refused.text
    assert 'value="Équipe solide"' in refused.text  # what was typed stays
    done = post_form(organiser, settings_url, {"label-c1": "Thème : qualité de l'air", "label-c2": "Prêt",
                                               "label-c3": "Innovant", "label-c4": "Territoire",
                                               "label-new": "Équipe solide"})
    assert done.status_code == 303
    with app.app_context(), db.read() as session:
        stored = session.execute(select(ReviewCriterion.key, ReviewCriterion.label).where(
            ReviewCriterion.edition_id == edition.id).order_by(ReviewCriterion.position)).all()
    assert stored == [("c1", "Thème : qualité de l'air"), ("c2", "Prêt"), ("c3", "Innovant"),
                      ("c4", "Territoire"), ("c5", "Équipe solide")]
    page = ana.get(dossier_url(edition, ids[0])).text
    assert "Équipe solide" in page and 'id="score-c5-0"' in page


def test_replacement_is_the_best_scored_deferred_application(app, world, organiser):
    edition, ids, ana, _ben = world
    decide(organiser, edition, ids[0], "defer")
    decide(organiser, edition, ids[2], "defer")
    with app.app_context(), db.read():
        assert speakers.replacement_for(edition.id).id == ids[0]  # no scores: the earliest received
    score(ana, edition, ids[0], (2, 2, 2, 2))
    score(ana, edition, ids[2], (4, 4, 5, 5))
    with app.app_context(), db.read():
        assert speakers.replacement_for(edition.id).id == ids[2]


def test_scores_are_exported_and_erased_with_the_person(app, world, organiser):
    edition, ids, ana, _ben = world
    score(ana, edition, ids[0], (4, 3, 5, 2), ("Thème très bien traité",))
    score(ana, edition, ids[1], (1, 1, 1, 1))
    url = "/organiser/personal-data"
    exported = post_form(organiser, url, {"email": "jeanne@air-clair.example.org", "action": "export"})
    data = json.loads(exported.data)
    [review] = data["evaluations"]
    assert review["notes"][0] == {"critere": "Adéquation au thème qualité de l'air", "note": 4,
                                  "commentaire": "Thème très bien traité"}
    assert "Ana Relit" not in exported.get_data(as_text=True)

    assert post_form(organiser, url, {"email": "jeanne@air-clair.example.org", "action": "erase", "confirm": "yes"}).status_code == 303
    with app.app_context(), db.read() as session:
        assert session.scalar(select(func.count(Review.id))) == 1  # Paul's stays
        assert session.scalar(select(func.count(ReviewScore.id))) == 4


def test_scores_are_kept_as_long_as_the_applications_and_purged_with_them(app, world):
    from datetime import timedelta

    from pitchday.services import privacy

    edition, ids, ana, _ben = world
    score(ana, edition, ids[0], (4, 3, 5, 2), ("Thème très bien traité",))
    kept_until = edition.ends_at + timedelta(days=edition.applications_retention_days)
    with app.app_context(), db.write() as session:
        privacy.purge(now=kept_until - timedelta(minutes=1))
        assert session.scalar(select(func.count(ReviewScore.id))) == 4
    with app.app_context(), db.write() as session:
        privacy.purge(now=kept_until + timedelta(minutes=1))
        assert session.scalar(select(func.count(Review.id))) == 0
        assert session.scalar(select(func.count(ReviewScore.id))) == 0


def test_a_too_long_criterion_is_refused_under_its_field_and_kept(app, world, organiser):
    edition, _ids, _ana, _ben = world
    settings_url = f"/organiser/editions/{edition.id}/reviews/settings"
    labels = {f"label-{k}": label for k, label in reviews.rules.DEFAULT_CRITERIA}
    refused = post_form(organiser, settings_url, {**labels, "label-new": "é" * 121, "blind": "on"})
    assert refused.status_code == 400
    assert '<p class="error" id="label-new-error">120 caractères au plus.</p>' in refused.text
    assert f'value="{"é" * 121}"' in refused.text
    assert 'id="blind" checked' in refused.text
    with app.app_context(), db.read() as session:
        assert session.scalar(select(func.count(ReviewCriterion.id))) == 0  # nothing stored, not even the defaults


def test_the_review_reads_in_english(app, world):
    edition, ids, ana, _ben = world
    page = ana.get(dossier_url(edition, ids[0]) + "?lang=en").text
    assert "My review" in page and "Save my review" in page and "Comment" in page
    listed = ana.get(list_url(edition)).text  # the language is remembered
    assert "Score this application first to see the scores." in listed
    assert "best scored first" in listed
