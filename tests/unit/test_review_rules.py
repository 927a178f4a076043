"""Reviews by several people: visibility, blind review, scope, figures and forms (pitchday.domain.reviews)."""
from __future__ import annotations

import pytest

from pitchday.domain import reviews as rules
from pitchday.domain.shapes import Refused

pytestmark = pytest.mark.unit

KEYS = [key for key, _label in rules.DEFAULT_CRITERIA]


def test_default_criteria_are_the_calls_four():
    assert [label for _key, label in rules.DEFAULT_CRITERIA] == [
        "Adéquation au thème qualité de l'air", "Prêt à l'expérimentation",
        "Caractère innovant / non industrialisé", "Intérêt pour le territoire"]


@pytest.mark.parametrize(("own", "decide", "visible"), [(False, False, False), (True, False, True),
                                                          (False, True, True), (True, True, True)])
def test_others_visible_after_ones_own_review_or_to_whoever_decides(own, decide, visible):
    assert rules.others_visible(has_own_review=own, may_decide=decide) is visible


def test_blind_review_hides_the_identity_from_reviewers_only():
    values = {"project_name": "Capteurs", "organisation": "Air Clair", "referent_name": "Jeanne Fictive",
              "referent_email": "jeanne@air-clair.example.org", "website": "https://air-clair.example.org",
              "description": "Des capteurs."}
    hidden = rules.blind_values(values, hidden=rules.identity_hidden(blind=True, may_decide=False))
    assert hidden == {"project_name": "Capteurs", "organisation": None, "referent_name": None,
                      "referent_email": None, "website": None, "description": "Des capteurs."}
    assert rules.blind_values(values, hidden=rules.identity_hidden(blind=True, may_decide=True)) == values
    assert rules.blind_values(values, hidden=rules.identity_hidden(blind=False, may_decide=False)) == values


def test_scope_is_the_assigned_applications_or_all_when_none():
    assert rules.in_scope(7, frozenset())
    assert rules.in_scope(7, frozenset({7, 9}))
    assert not rules.in_scope(8, frozenset({7, 9}))


def test_figures_give_the_mean_and_the_lowest_and_highest():
    assert rules.figures([2, 5, 4, 5]) == rules.Figures(4, 4.0, 2, 5)
    assert rules.figures([]) == rules.NO_FIGURES


def test_summary_per_criterion_and_overall_over_each_reviews_mean():
    summary = rules.summarise([{"c1": 4, "c2": 2}, {"c1": 5, "c2": 5}, {"c1": 0}], ["c1", "c2", "c3"])
    assert summary.reviews == 3
    assert summary.by_criterion["c1"] == rules.Figures(3, 3.0, 0, 5)
    assert summary.by_criterion["c2"] == rules.Figures(2, 3.5, 2, 5)
    assert summary.by_criterion["c3"] == rules.NO_FIGURES
    assert summary.overall == rules.Figures(3, (3.0 + 5.0 + 0.0) / 3, 0.0, 5.0)


def _row(reference, overall=None):
    reviews = [] if overall is None else [{"c1": overall}]
    return {"reference": reference, "project": reference, "status": "received",
            "summary": rules.summarise(reviews, ["c1"])}


def test_sorting_puts_rows_without_figures_last_in_both_directions():
    rows = [_row("A-1", 3), _row("A-2"), _row("A-3", 5), _row("A-4", 3)]
    assert [r["reference"] for r in rules.sorted_rows(rows, "overall", True)] == ["A-3", "A-1", "A-4", "A-2"]
    assert [r["reference"] for r in rules.sorted_rows(rows, "overall", False)] == ["A-1", "A-4", "A-3", "A-2"]
    assert [r["reference"] for r in rules.sorted_rows(rows, "c1", True)] == ["A-3", "A-1", "A-4", "A-2"]
    assert [r["reference"] for r in rules.sorted_rows(rows, "reference", True)] == ["A-4", "A-3", "A-2", "A-1"]


def test_best_scored_replacement_or_the_first_without_scores():
    assert rules.best_scored([("early", None), ("good", 4.5), ("better", 4.75), ("tie", 4.75)]) == "better"
    assert rules.best_scored([("early", None), ("late", None)]) == "early"
    assert rules.best_scored([]) is None


def test_review_form_takes_a_score_per_criterion_and_optional_comments():
    form = rules.review_form(["c1", "c2"])
    parsed = form.parse({"score-c1": "0", "score-c2": "5", "comment-c1": "  Bien  vu \n", "comment-c2": ""})
    assert rules.review_values(parsed, ["c1", "c2"]) == {"c1": (0, "Bien vu"), "c2": (5, None)}


def test_review_form_refuses_missing_out_of_range_and_long_comments_field_by_field():
    form = rules.review_form(["c1", "c2", "c3"])
    with pytest.raises(Refused) as refused:
        form.parse({"score-c1": "", "score-c2": "6", "score-c3": "4", "comment-c3": "x" * 1001})
    assert {e.field: e.code for e in refused.value.errors} == {
        "score-c1": "required", "score-c2": "out_of_range", "comment-c3": "too_long"}
    with pytest.raises(Refused) as refused:
        form.parse({"score-c1": "-1", "score-c2": "٣", "score-c3": "3.5"})
    assert {e.field: e.code for e in refused.value.errors} == {
        "score-c1": "out_of_range", "score-c2": "out_of_range", "score-c3": "out_of_range"}


def test_criteria_change_keeps_renames_removes_and_adds():
    form = rules.criteria_form(KEYS)
    parsed = form.parse({"label-c1": "Thème", "label-c2": "", "label-c3": "Innovation", "label-c4": "Territoire",
                         "label-new": "Équipe", "blind": "on"})
    change = rules.criteria_change(parsed, KEYS, scored=set())
    assert change == rules.CriteriaChange({"c1": "Thème", "c3": "Innovation", "c4": "Territoire"}, ("c2",), "Équipe")
    assert parsed.blind is True


def test_criteria_change_refuses_removing_a_scored_one_or_all():
    form = rules.criteria_form(["c1", "c2"])
    with pytest.raises(rules.CriteriaRefused) as refused:
        rules.criteria_change(form.parse({"label-c1": "", "label-c2": "Gardé"}), ["c1", "c2"], scored={"c1"})
    assert [(e.field, e.code) for e in refused.value.errors] == [("label-c1", "has_scores")]
    with pytest.raises(rules.CriteriaRefused) as refused:
        rules.criteria_change(form.parse({"label-c1": " ", "label-c2": ""}), ["c1", "c2"], scored=set())
    assert [(e.field, e.code) for e in refused.value.errors] == [("label-c1", "required")]


def test_new_criterion_keys_are_never_reused():
    assert rules.next_key(["c1", "c2", "c4"]) == "c5"
    assert rules.next_key([]) == "c1"


def test_assignments_are_pairs_of_ids_or_refused():
    assert rules.parse_assignments(["3-10", "3-11", "3-10"]) == {(3, 10), (3, 11)}
    for bad in (["3_10"], ["0-1"], ["3-"], ["1-2-3"], ["9999999999-1"]):
        with pytest.raises(ValueError):
            rules.parse_assignments(bad)
