"""Reviewing applications by several people: the edition's criteria and options, who reviews what,
saving a review, what a person may see of the others', and the review list's figures.

The rules are in ``domain.reviews``; here they meet the rows. A person's "view" of an application
(``Reader``) says what the rules let them see: the caller never gets a value it may not show, so
a blind reviewer's page cannot print the applicant's identity.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any

from sqlalchemy import delete, func, select

from ..domain import reviews as rules
from ..extensions import db
from ..models import (Account, Application, ReviewAssignment, ReviewCriterion, Review, ReviewScore,
                      ReviewSettings)
from . import accounts

__all__ = ["Criterion", "Reader", "NotFound", "OutOfScope", "board", "criteria", "export_of", "is_blind",
           "overall_means", "reader", "reviewers", "save_review", "save_settings", "scope", "sheet"]


class NotFound(Exception):
    """No such application in this edition."""


class OutOfScope(Exception):
    """The application is not one this reviewer reviews (assigned to them, or all when none is)."""


@dataclass(frozen=True)
class Criterion:
    key: str
    label: str
    id: int | None  # None: a default not stored yet


def criteria(edition_id: int) -> list[Criterion]:
    """The edition's criteria in order; the AMI's defaults while it has none of its own."""
    rows = db.current().scalars(select(ReviewCriterion).where(ReviewCriterion.edition_id == edition_id)
                                .order_by(ReviewCriterion.position, ReviewCriterion.id)).all()
    if rows:
        return [Criterion(r.key, r.label, r.id) for r in rows]
    return [Criterion(key, label, None) for key, label in rules.DEFAULT_CRITERIA]


def _stored_criteria(session, edition_id: int) -> dict[str, ReviewCriterion]:
    """The edition's criteria rows, the defaults stored first if it has none (in the caller's write)."""
    rows = session.scalars(select(ReviewCriterion).where(ReviewCriterion.edition_id == edition_id)
                           .order_by(ReviewCriterion.position, ReviewCriterion.id)).all()
    if not rows:
        rows = [ReviewCriterion(edition_id=edition_id, key=key, label=label, position=i)
                for i, (key, label) in enumerate(rules.DEFAULT_CRITERIA, start=1)]
        session.add_all(rows)
        session.flush()
    return {r.key: r for r in rows}


def is_blind(edition_id: int) -> bool:
    row = db.current().get(ReviewSettings, edition_id)
    return bool(row and row.blind)


def reviewers(edition_id: int) -> list[Account]:
    """The accounts that review this edition's applications without deciding (whom to assign)."""
    return [a for a in accounts.all_accounts() if accounts.can(a, "applications.review", edition_id)
            and not accounts.can(a, "applications.decide", edition_id)]


def assignments(edition_id: int) -> set[tuple[int, int]]:
    """(reviewer id, application id) of every assignment in the edition's pool."""
    return set(db.current().execute(select(ReviewAssignment.reviewer_id, ReviewAssignment.application_id)
                                    .join(Application, Application.id == ReviewAssignment.application_id)
                                    .where(Application.edition_id == edition_id)).all())


def scope(edition_id: int, reviewer_id: int) -> frozenset[int]:
    """The applications of the pool assigned to this reviewer (empty: none, so every one)."""
    return frozenset(a for r, a in assignments(edition_id) if r == reviewer_id)


def _scored_keys(session, edition_id: int) -> set[str]:
    return set(session.scalars(select(ReviewCriterion.key).join(ReviewScore, ReviewScore.criterion_id == ReviewCriterion.id)
                               .where(ReviewCriterion.edition_id == edition_id)))


def save_settings(edition_id: int, parsed: rules.CriteriaForm, keys: list[str],
                  pairs: set[tuple[int, int]]) -> None:
    """Criteria (renamed, removed, one added), blind review and the assignments, as the form asks.
    Raises ``rules.CriteriaRefused``; ``ValueError`` for an assignment to someone or something unknown."""
    session = db.current()
    change = rules.criteria_change(parsed, keys, scored=_scored_keys(session, edition_id))
    stored = _stored_criteria(session, edition_id)
    allowed_reviewers = {a.id for a in reviewers(edition_id)}
    pool = set(session.scalars(select(Application.id).where(Application.edition_id == edition_id)))
    if any(r not in allowed_reviewers or a not in pool for r, a in pairs):
        raise ValueError("assignment outside the edition")
    for key in change.removed:
        if key in stored:
            session.delete(stored.pop(key))
    for position, (key, label) in enumerate(change.kept.items(), start=1):
        if key in stored:
            stored[key].label, stored[key].position = label, position
    if change.new:
        session.add(ReviewCriterion(edition_id=edition_id, key=rules.next_key(keys + list(stored)),
                                    label=change.new, position=len(change.kept) + 1))
    row = session.get(ReviewSettings, edition_id)
    if row is None:
        session.add(ReviewSettings(edition_id=edition_id, blind=parsed.blind))
    else:
        row.blind = parsed.blind
    existing = assignments(edition_id)
    for reviewer_id, application_id in existing - pairs:
        session.execute(delete(ReviewAssignment).where(ReviewAssignment.reviewer_id == reviewer_id,
                                                       ReviewAssignment.application_id == application_id))
    session.add_all(ReviewAssignment(reviewer_id=r, application_id=a) for r, a in pairs - existing)


# -- one application, as one person sees it ------------------------------------------------------------


@dataclass(frozen=True)
class Reader:
    """Who looks, and what the rules let them see in this edition."""

    account_id: int
    may_decide: bool
    blind: bool  # the identity is hidden from this person
    assigned: frozenset[int]

    def in_scope(self, application_id: int) -> bool:
        return self.may_decide or rules.in_scope(application_id, self.assigned)


def reader(edition_id: int, account: Account) -> Reader:
    may_decide = accounts.can(account, "applications.decide", edition_id)
    return Reader(account.id, may_decide, rules.identity_hidden(blind=is_blind(edition_id), may_decide=may_decide),
                  scope(edition_id, account.id))


def application_values(application: Application, who: Reader) -> dict[str, Any]:
    """The application's columns as this person may receive them (the identity left out when blind)."""
    values = {c.key: getattr(application, c.key) for c in Application.__table__.columns}
    return rules.blind_values(values, hidden=who.blind)


@dataclass(frozen=True)
class ReviewShown:
    reviewer: str
    mine: bool
    scores: dict[str, tuple[int, str | None]]  # key → (score, comment)
    overall: float | None
    updated_at: datetime


@dataclass(frozen=True)
class Sheet:
    """The review part of a dossier: the criteria, one's own review, the others' when visible, the figures."""

    criteria: list[Criterion]
    may_review: bool
    mine: ReviewShown | None
    others: list[ReviewShown]  # empty unless visible
    others_visible: bool
    others_count: int
    summary: rules.Summary | None  # None unless visible


def _reviews_of(session, application_ids, *, labels: dict | None = None
                ) -> list[tuple[Review, dict[str, tuple[int, str | None]]]]:
    """The reviews of these applications, each with its scores by criterion key (``labels``, if given,
    receives each key's label)."""
    found = session.scalars(select(Review).where(Review.application_id.in_(list(application_ids)))
                            .order_by(Review.created_at, Review.id)).all()
    used = {s.criterion_id for r in found for s in r.scores}
    rows = dict(((i, (k, label)) for i, k, label in session.execute(
        select(ReviewCriterion.id, ReviewCriterion.key, ReviewCriterion.label).where(ReviewCriterion.id.in_(used))))
    ) if used else {}
    if labels is not None:
        labels.update(rows.values())
    return [(r, {rows[s.criterion_id][0]: (s.score, s.comment) for s in r.scores if s.criterion_id in rows})
            for r in found]


def sheet(edition_id: int, application: Application, who: Reader, *, may_review: bool) -> Sheet:
    session = db.current()
    shown = criteria(edition_id)
    keys = [c.key for c in shown]
    names = dict(session.execute(select(Account.id, Account.display_name)).all())
    mine, others = None, []
    for review, scores in _reviews_of(session, [application.id]):
        item = ReviewShown(names.get(review.reviewer_id, "—"), review.reviewer_id == who.account_id, scores,
                           rules.review_overall(score for score, _c in scores.values()), review.updated_at)
        if item.mine:
            mine = item
        else:
            others.append(item)
    visible = rules.others_visible(has_own_review=mine is not None, may_decide=who.may_decide)
    summary = rules.summarise([{k: s for k, (s, _c) in r.scores.items()} for r in ([mine] if mine else []) + others],
                              keys) if visible else None
    return Sheet(shown, may_review and who.in_scope(application.id), mine, others if visible else [], visible,
                 len(others), summary)


def save_review(edition_id: int, application_id: int, reviewer_id: int, values: dict[str, tuple[int, str | None]],
                *, now: datetime | None = None) -> Review:
    """Store (or replace) this reviewer's review: a score and a comment per criterion of ``values``.
    Raises ``NotFound``, ``OutOfScope`` for an application not in the reviewer's scope."""
    session = db.current()
    application = session.get(Application, application_id)
    if application is None or application.edition_id != edition_id:
        raise NotFound()
    account = session.get(Account, reviewer_id)
    if not accounts.can(account, "applications.decide", edition_id) and not rules.in_scope(
            application_id, scope(edition_id, reviewer_id)):
        raise OutOfScope()
    stored = _stored_criteria(session, edition_id)
    now = now or datetime.now(timezone.utc)
    review = session.scalar(select(Review).where(Review.application_id == application_id,
                                                 Review.reviewer_id == reviewer_id))
    if review is None:
        review = Review(application_id=application_id, reviewer_id=reviewer_id, created_at=now, updated_at=now)
        session.add(review)
        session.flush()
    else:
        review.updated_at = now
    existing = {s.criterion_id: s for s in review.scores}
    for key, (score, comment) in values.items():
        criterion = stored.get(key)
        if criterion is None:
            continue  # a criterion removed meanwhile: nothing to score
        row = existing.get(criterion.id)
        if row is None:
            review.scores.append(ReviewScore(criterion_id=criterion.id, score=score, comment=comment))
        else:
            row.score, row.comment = score, comment
    return review


# -- the review list -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class BoardRow:
    application_id: int
    reference: str
    project: str
    organisation: str | None  # None when hidden
    status: str
    summary: rules.Summary  # empty (no reviews) when the person may not see it yet
    mine: float | None  # the person's own overall score
    reviewed_by_me: bool
    visible: bool


def board(edition_id: int, who: Reader, *, sort: str, descending: bool) -> list[BoardRow]:
    """Per application in the person's scope: the number of reviews and the figures per criterion and
    overall, once the person may see them (``others_visible``), in the order asked."""
    session = db.current()
    keys = [c.key for c in criteria(edition_id)]
    pool = [a for a in session.scalars(select(Application).where(Application.edition_id == edition_id)
                                       .order_by(Application.reference)) if who.in_scope(a.id)]
    by_application: dict[int, list[tuple[Review, dict]]] = {}
    for review, scores in _reviews_of(session, [a.id for a in pool]):
        by_application.setdefault(review.application_id, []).append((review, scores))
    rows = []
    for application in pool:
        found = by_application.get(application.id, [])
        mine = next((s for r, s in found if r.reviewer_id == who.account_id), None)
        visible = rules.others_visible(has_own_review=mine is not None, may_decide=who.may_decide)
        summary = rules.summarise([{k: v for k, (v, _c) in s.items()} for _r, s in found], keys) if visible \
            else rules.summarise([], keys)
        rows.append({"reference": application.reference, "project": application.project_name,
                     "status": application.status, "summary": summary, "row": BoardRow(
                         application.id, application.reference, application.project_name,
                         None if who.blind else application.organisation, application.status, summary,
                         rules.review_overall(v for v, _c in mine.values()) if mine else None, mine is not None,
                         visible)})
    return [r["row"] for r in rules.sorted_rows(rows, sort, descending)]


def overall_means(edition_id: int, application_ids: list[int] | None = None) -> dict[int, float]:
    """The overall mean of each reviewed application of the pool (for the replacement's choice)."""
    session = db.current()
    ids = application_ids if application_ids is not None else list(
        session.scalars(select(Application.id).where(Application.edition_id == edition_id)))
    by_application: dict[int, list[dict]] = {}
    for review, scores in _reviews_of(session, ids):
        by_application.setdefault(review.application_id, []).append({k: v for k, (v, _c) in scores.items()})
    means = {}
    for application_id, found in by_application.items():
        overall = rules.summarise(found, []).overall
        if overall.mean is not None:
            means[application_id] = overall.mean
    return means


# -- personal data ------------------------------------------------------------------------------------


def export_of(application_ids: list[int]) -> list[dict[str, Any]]:
    """The reviews of these applications, for their referent's export: scores and comments per
    criterion (the reviewers are not named: their identity is not the applicant's data)."""
    session = db.current()
    labels: dict[str, str] = {}
    exported = []
    for number, (review, scores) in enumerate(_reviews_of(session, application_ids, labels=labels), start=1):
        # French keys, as the rest of the person's export (docs/personal-data-export.md).
        exported.append({"candidature": review.application_id, "evaluation": number,
                         "modifiee_le": review.updated_at.isoformat(timespec="seconds"),
                         "notes": [{"critere": labels.get(key, key), "note": score, "commentaire": comment}
                                   for key, (score, comment) in scores.items()]})
    return exported
