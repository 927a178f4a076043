"""Reviewing applications by several people: the criteria, a review's form, who may score what,
what a reviewer may see, and the figures of the review list. Pure: no Flask, no SQLAlchemy.

- Each criterion is scored 0–5 (``SCORE_MIN``…``SCORE_MAX``) with an optional comment.
- A reviewer scores the applications assigned to them, or every application of the edition when
  none is assigned to them (``in_scope``).
- A reviewer sees the others' scores only once they gave their own; whoever decides sees them all
  (``others_visible``).
- Blind review: the applicant's identity (``BLIND_FIELDS``) is left out for whoever does not
  decide (``identity_hidden``); the view never receives those values.
- Figures: per criterion and overall, the number of reviews, the mean and the spread, given as the
  lowest and the highest score (min–max: with two or three reviewers, it reads better than a
  standard deviation). A review's overall score is the mean of its criteria's scores; an
  application's overall figures are over its reviews' overall scores.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Iterable

from pydantic import Field, create_model

from .shapes import Schema, Text, field
from .text import InvalidField

SCORE_MIN, SCORE_MAX = 0, 5
COMMENT_MAX_CHARS = 1000
CRITERION_MAX_CHARS = 120
MAX_CRITERIA = 12
# The call for applications' (AMI) criteria: an edition's until an organiser changes them.
DEFAULT_CRITERIA = (
    ("c1", "Adéquation au thème qualité de l'air"),
    ("c2", "Prêt à l'expérimentation"),
    ("c3", "Caractère innovant / non industrialisé"),
    ("c4", "Intérêt pour le territoire"),
)
# What blind review hides: who the applicant is and how to find them.
BLIND_FIELDS = frozenset({"organisation", "website", "referent_name", "referent_role", "referent_phone",
                          "referent_email", "address", "applicant_type_detail"})
_KEY = re.compile(r"c[1-9][0-9]{0,3}")


def others_visible(*, has_own_review: bool, may_decide: bool) -> bool:
    """Whether the others' scores may be shown: after one's own review, or to whoever decides."""
    return may_decide or has_own_review


def identity_hidden(*, blind: bool, may_decide: bool) -> bool:
    return blind and not may_decide


def blind_values(values: dict[str, Any], *, hidden: bool) -> dict[str, Any]:
    """An application's values as a reviewer may receive them: the identity left out when ``hidden``."""
    return {name: (None if hidden and name in BLIND_FIELDS else value) for name, value in values.items()}


def in_scope(application_id: int, assigned: frozenset[int] | set[int]) -> bool:
    """A reviewer's scope: the applications assigned to them, or all when none is."""
    return not assigned or application_id in assigned


def next_key(keys: Iterable[str]) -> str:
    """The key of a new criterion (``c<n>``, one more than the highest of ``keys``): a form posted
    while the criteria changed scores the criteria it names, not the ones added since."""
    numbers = [int(k[1:]) for k in keys if _KEY.fullmatch(k)]
    return f"c{max(numbers, default=0) + 1}"


# -- the figures ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Figures:
    """How many scores, their mean, and their spread (lowest and highest); ``count`` 0: no figures."""

    count: int
    mean: float | None
    low: float | None
    high: float | None


NO_FIGURES = Figures(0, None, None, None)


def figures(scores: Iterable[float]) -> Figures:
    values = list(scores)
    if not values:
        return NO_FIGURES
    return Figures(len(values), sum(values) / len(values), min(values), max(values))


def review_overall(scores: Iterable[int]) -> float | None:
    """One review's overall score: the mean of the criteria it scored."""
    values = list(scores)
    return sum(values) / len(values) if values else None


@dataclass(frozen=True)
class Summary:
    """An application's figures: per criterion key, and overall (over its reviews' overall scores)."""

    reviews: int
    by_criterion: dict[str, Figures]
    overall: Figures


def summarise(reviews: Iterable[dict[str, int]], criterion_keys: Iterable[str]) -> Summary:
    """``reviews``: each review's scores by criterion key."""
    reviews = [r for r in reviews if r]
    keys = list(criterion_keys)
    by_criterion = {key: figures(r[key] for r in reviews if key in r) for key in keys}
    overall = figures(o for o in (review_overall(r.values()) for r in reviews) if o is not None)
    return Summary(len(reviews), by_criterion, overall)


# -- the review list's order --------------------------------------------------------------------------

SORTS = ("reference", "project", "status", "reviews", "overall", "spread")
DEFAULT_SORT = ("overall", True)


def sort_key_names(criterion_keys: Iterable[str]) -> tuple[str, ...]:
    return SORTS + tuple(criterion_keys)


def sorted_rows(rows: list[dict[str, Any]], key: str, descending: bool) -> list[dict[str, Any]]:
    """Rows (``reference``, ``project``, ``status``, ``summary``) in the order asked; rows without a
    figure for the key stay last whichever the direction, then by reference."""
    def value(row):
        summary: Summary = row["summary"]
        if key in ("reference", "project", "status"):
            return str(row[key]).casefold()
        if key == "reviews":
            return summary.reviews
        if key == "overall":
            return summary.overall.mean
        if key == "spread":
            o = summary.overall
            return None if o.count == 0 else o.high - o.low
        found = summary.by_criterion.get(key)
        return found.mean if found is not None else None

    present = [r for r in rows if value(r) is not None]
    absent = [r for r in rows if value(r) is None]
    present.sort(key=lambda r: str(r["reference"]))
    present.sort(key=value, reverse=descending)
    return present + sorted(absent, key=lambda r: str(r["reference"]))


def best_scored(candidates: Iterable[tuple[Any, float | None]]) -> Any | None:
    """The replacement to suggest: the best overall mean; without any score, the first given (the
    caller orders them by today's rule, earliest received first)."""
    candidates = list(candidates)
    scored = [(mean, -i, item) for i, (item, mean) in enumerate(candidates) if mean is not None]
    if scored:
        return max(scored, key=lambda s: (s[0], s[1]))[2]
    return candidates[0][0] if candidates else None


# -- the forms -------------------------------------------------------------------------------------


def _score(value: Any) -> int:
    if value is not None and not isinstance(value, str):
        raise InvalidField("", "not_text")
    text = (value or "").strip()
    if not text:
        raise InvalidField("", "required")
    if not text.isascii() or not text.isdigit() or len(text) > 1 or not SCORE_MIN <= int(text) <= SCORE_MAX:
        raise InvalidField("", "out_of_range")
    return int(text)


Score = field(_score, {"type": "string", "enum": [str(n) for n in range(SCORE_MIN, SCORE_MAX + 1)]},
              required=True, python_type=int)


class ReviewForm(Schema):
    """A review: ``review_form`` adds a score and a comment per criterion (``score-<key>``, ``comment-<key>``)."""


def review_form(keys: Iterable[str]) -> type[ReviewForm]:
    fields = {}
    for key in keys:
        fields[f"score_{key}"] = (Score, Field(None, alias=f"score-{key}"))
        fields[f"comment_{key}"] = (Text(COMMENT_MAX_CHARS, required=False, multiline=True),
                                    Field(None, alias=f"comment-{key}"))
    return create_model("EditionReview", __base__=ReviewForm, **fields)


def review_values(parsed: ReviewForm, keys: Iterable[str]) -> dict[str, tuple[int, str | None]]:
    """A parsed review as ``{key: (score, comment)}``."""
    return {key: (getattr(parsed, f"score_{key}"), getattr(parsed, f"comment_{key}")) for key in keys}


def _checkbox(value: Any) -> bool:
    if value in (None, ""):
        return False
    if value in ("on", "1", "yes"):
        return True
    raise InvalidField("", "invalid_choice")


Checkbox = field(_checkbox, {"type": "string", "enum": ["", "on"]}, required=False, python_type=bool)


class CriteriaForm(Schema):
    """The review settings: blind review, and ``criteria_form`` adds a label per criterion
    (``label-<key>``; blank: removed) and one for a new criterion (``label-new``)."""

    blind: Checkbox = None


def criteria_form(keys: Iterable[str]) -> type[CriteriaForm]:
    fields = {f"label_{key}": (Text(CRITERION_MAX_CHARS, required=False), Field(None, alias=f"label-{key}"))
              for key in keys}
    fields["label_new"] = (Text(CRITERION_MAX_CHARS, required=False), Field(None, alias="label-new"))
    return create_model("EditionCriteria", __base__=CriteriaForm, **fields)


@dataclass(frozen=True)
class CriteriaChange:
    """What the settings form asks: labels kept (by key, in order), keys removed, a new label."""

    kept: dict[str, str]
    removed: tuple[str, ...]
    new: str | None


def criteria_change(parsed: CriteriaForm, keys: list[str], *, scored: set[str]) -> CriteriaChange:
    """The change asked, or ``CriteriaRefused`` with each field's error: a scored criterion cannot be removed (rename it instead), at least one must remain, at most
    ``MAX_CRITERIA``."""
    kept = {k: getattr(parsed, f"label_{k}") for k in keys if getattr(parsed, f"label_{k}")}
    removed = tuple(k for k in keys if k not in kept)
    errors = [InvalidField(f"label-{k}", "has_scores") for k in removed if k in scored]
    new = parsed.label_new
    if not kept and not new:
        errors.append(InvalidField(f"label-{keys[0]}" if keys else "label-new", "required"))
    if new and len(kept) >= MAX_CRITERIA:
        errors.append(InvalidField("label-new", "too_many", MAX_CRITERIA))
    if errors:
        raise CriteriaRefused(errors)
    return CriteriaChange(kept, removed, new)


class CriteriaRefused(ValueError):
    def __init__(self, errors: list[InvalidField]):
        super().__init__("criteria refused")
        self.errors = errors


_ASSIGNMENT = re.compile(r"([1-9][0-9]{0,8})-([1-9][0-9]{0,8})")
MAX_ASSIGNMENTS = 5000


def parse_assignments(values: Iterable[str]) -> set[tuple[int, int]]:
    """The ticked boxes of the assignment table (``<reviewer id>-<application id>``), or ValueError."""
    pairs = set()
    for i, value in enumerate(values):
        match = _ASSIGNMENT.fullmatch(value) if isinstance(value, str) else None
        if match is None or i >= MAX_ASSIGNMENTS:
            raise ValueError(value)
        pairs.add((int(match.group(1)), int(match.group(2))))
    return pairs
