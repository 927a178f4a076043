"""The report of an edition (page, CSV, XLSX): what was planned, what happened, what the room did.

The figures come from the live run of show (``domain.report``) and from counts in the database:
questions by status, votes, connect requests (counted, never read: no personal data here).
"""
from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from ..domain import report as rules
from ..domain import show as domain
from ..domain.audience import QuestionStatus
from ..extensions import db
from ..models import ConnectRequest, Edition, ErasedRequestCount, LiveState, Question, Talk
from ..timeutil import PARIS, as_utc, from_ms, now_ms, to_ms
from . import editions, exports
from . import show as show_service

OUTCOME_LABELS = {
    rules.Outcome.PLAYED: _l("jouée"),
    rules.Outcome.ON_STAGE: _l("en cours"),
    rules.Outcome.SKIPPED: _l("annulée"),
    rules.Outcome.NOT_PLAYED: _l("non jouée"),
}
QUESTION_STATUS_LABELS = {
    QuestionStatus.PUBLISHED.value: _l("publiée"),
    QuestionStatus.ANSWERED.value: _l("répondue"),
    QuestionStatus.PENDING.value: _l("en attente de modération"),
    QuestionStatus.REJECTED.value: _l("non retenue"),
}
QUESTION_STATUSES = tuple(s.value for s in (QuestionStatus.PUBLISHED, QuestionStatus.ANSWERED,
                                            QuestionStatus.PENDING, QuestionStatus.REJECTED))
CHART_WIDTH = 640  # units of the time axis of the chart (the talks' names sit to its left)


@dataclass(frozen=True)
class Counts:
    """What the room did for one talk (or the whole evening)."""

    questions: dict[str, int] = field(default_factory=dict)  # by status
    votes: int = 0
    requests: int = 0

    @property
    def total_questions(self) -> int:
        return sum(self.questions.values())

    def by_status(self, status: str) -> int:
        return self.questions.get(status, 0)


@dataclass(frozen=True)
class ReportRow:
    position: int  # in the running order, from 1
    talk: Talk
    timing: rules.TalkTiming
    counts: Counts


@dataclass(frozen=True)
class Report:
    edition: Edition
    timing: rules.EveningTiming
    rows: list[ReportRow]
    totals: Counts
    chart: rules.Chart | None


def edition_report(edition_id: int, *, now: int | None = None) -> Report | None:
    """Everything the report shows, read in the caller's unit of work; None for an unknown edition."""
    now = now_ms() if now is None else now
    session = db.current()
    edition = session.get(Edition, edition_id)
    if edition is None:
        return None
    talks = {t.id: t for t in edition.talks}
    live = session.get(LiveState, edition_id)
    stored = domain.from_dict(live.state) if live is not None else show_service.initial_show(edition)
    questions = session.execute(
        select(Question.talk_id, Question.status, func.count(), func.coalesce(func.sum(Question.votes), 0))
        .where(Question.edition_id == edition_id).group_by(Question.talk_id, Question.status)).all()
    requests = dict(session.execute(
        select(ConnectRequest.talk_id, func.count()).where(ConnectRequest.edition_id == edition_id)
        .group_by(ConnectRequest.talk_id)).all())
    # Requests erased since (a person's erasure, retention) still count, anonymously.
    for talk_id, count in session.execute(select(ErasedRequestCount.talk_id, ErasedRequestCount.count)
                                          .where(ErasedRequestCount.edition_id == edition_id)).all():
        requests[talk_id] = requests.get(talk_id, 0) + count
    show = domain.settle(stored, now)  # an automatic switch to questions that fell due counts
    timing = rules.evening(show, plan_start=to_ms(edition.talks_start_at), changeover_ms=edition.changeover_ms,
                           now=now)
    # A talk deleted since the evening has nothing left to show: its row and its bars go together.
    timing = replace(timing, talks=tuple(t for t in timing.talks if t.talk_id in talks))
    per_talk: dict[int, dict[str, int]] = {}
    votes: dict[int, int] = {}
    for talk_id, status, count, vote_sum in questions:
        per_talk.setdefault(talk_id, {})[status] = count
        votes[talk_id] = votes.get(talk_id, 0) + int(vote_sum)
    rows = [ReportRow(position=i, talk=talks[t.talk_id], timing=t,
                      counts=Counts(per_talk.get(t.talk_id, {}), votes.get(t.talk_id, 0), requests.get(t.talk_id, 0)))
            for i, t in enumerate(timing.talks, start=1)]
    totals = Counts(
        questions={s: sum(r.counts.by_status(s) for r in rows) for s in QUESTION_STATUSES},
        votes=sum(r.counts.votes for r in rows), requests=sum(r.counts.requests for r in rows))
    return Report(edition=edition, timing=timing, rows=rows, totals=totals,
                  chart=rules.chart(timing, width=CHART_WIDTH))


# -- files -----------------------------------------------------------------------------------------


def _clock(ms: int | None) -> exports.TimeOfDay | str:
    return "" if ms is None else exports.TimeOfDay(from_ms(ms))


def _moment(moment: datetime | None) -> datetime | str:
    return "" if moment is None else as_utc(moment)


def _length(ms: int | None) -> timedelta | str:
    """A length in whole seconds, typed so that a spreadsheet adds it up ("" when unknown)."""
    return "" if ms is None else timedelta(seconds=rules.signed_seconds(ms))


def _seconds(ms: int | None) -> int | str:
    """Signed whole seconds ("" when unknown): Excel cannot show a negative duration, so an
    overtime, which is negative when early, stays a number."""
    if ms is None:
        return ""
    return rules.signed_seconds(ms)


def table(report: Report) -> tuple[list[str], list[list]]:
    """The header and one row per talk of the CSV and of the XLSX's first sheet.

    Times are Paris time; lengths are durations; overtimes are signed whole seconds (numbers, so
    that a "+" or "−" sign never reads as a formula).
    """
    header = [
        _("Ordre"), _("Intervention"), _("Organisation"), _("Type"), _("Statut"),
        _("Début prévu"), _("Pitch prévu"), _("Questions prévues"),
        _("Début réel"), _("Pitch réel"), _("Questions réelles"),
        _("Dépassement pitch (s)"), _("Dépassement questions (s)"),
        _("Questions posées"), _("Publiées"), _("Répondues"), _("En attente"), _("Refusées"),
        _("Votes"), _("Demandes d'échange"),
    ]
    rows = []
    for row in report.rows:
        t, c = row.timing, row.counts
        rows.append([
            row.position, row.talk.title, row.talk.organisation, editions.item_label(row.talk), str(OUTCOME_LABELS[t.outcome]),
            _clock(t.planned_start), _length(t.planned_pitch_ms), _length(t.planned_qa_ms),
            _clock(t.actual_start), _length(t.pitch_ms), _length(t.qa_ms),
            _seconds(t.pitch_overtime_ms), _seconds(t.qa_overtime_ms),
            c.total_questions, *(c.by_status(s) for s in QUESTION_STATUSES), c.votes, c.requests,
        ])
    return header, rows


def summary(report: Report) -> list[list]:
    """The figures of the whole evening, one per line (the XLSX's second sheet)."""
    timing, totals, edition = report.timing, report.totals, report.edition
    return [
        [_("Édition"), edition.title],
        [_("Date"), as_utc(edition.starts_at).astimezone(PARIS).date()],
        [_("Début prévu des interventions"), _moment(from_ms(timing.planned_start))],
        [_("Fin prévue des interventions"), _moment(from_ms(timing.planned_end))],
        [_("Début réel"), _moment(from_ms(timing.actual_start))],
        [_("Fin réelle"), _moment(from_ms(timing.actual_end))],
        [_("Dépassement total (s)"), rules.signed_seconds(timing.overtime_ms)],
        [_("Écart de fin (s)"), _seconds(timing.end_drift_ms)],
        [_("Questions posées"), totals.total_questions],
        [_("Votes"), totals.votes],
        [_("Demandes d'échange"), totals.requests],
        [_("Pic de téléphones connectés"), edition.peak_audience],
        [_("Heure du pic"), _moment(edition.peak_audience_at)],
    ]


def questions(report: Report) -> tuple[list[str], list[list]]:
    """The room's questions, talk by talk in running order (the XLSX's third sheet). No asker's
    name and no phone id: the report holds no personal data."""
    header = [_("Ordre"), _("Intervention"), _("Question"), _("Statut"), _("Votes"), _("Posée à"),
              _("Publiée à"), _("Répondue à")]
    order = {row.talk.id: row for row in report.rows}
    found = db.current().scalars(select(Question).where(Question.edition_id == report.edition.id,
                                                        Question.talk_id.in_(list(order)))
                                 .order_by(Question.created_at, Question.id))
    listed = sorted(found, key=lambda q: order[q.talk_id].position)  # stable: by time within a talk
    return header, [
        [order[q.talk_id].position, order[q.talk_id].talk.title, q.text,
         str(QUESTION_STATUS_LABELS.get(q.status, q.status)), q.votes, _moment(q.created_at),
         _moment(q.published_at), _moment(q.answered_at)]
        for q in listed]


def report_csv(report: Report) -> tuple[str, bytes]:
    header, rows = table(report)
    return f"bilan-{report.edition.slug}.csv", exports.csv_bytes(header, rows)


def report_xlsx(report: Report) -> tuple[str, bytes]:
    header, rows = table(report)
    return f"bilan-{report.edition.slug}.xlsx", exports.xlsx_bytes([
        (_("Interventions"), header, rows),
        (_("Soirée"), [_("Indicateur"), _("Valeur")], summary(report)),
        (_("Questions"), *questions(report)),
    ])


# -- the public programme ----------------------------------------------------------------------------
