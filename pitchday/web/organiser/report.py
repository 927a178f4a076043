"""The report of an edition: what was planned, what happened, what the room said (page, CSV, XLSX)."""
from __future__ import annotations

from flask import Response, abort, render_template

from ...domain.report import duration, signed_duration
from ...extensions import db
from ...services import audit, editions
from ...services import report as report_service
from ..i18n import plain
from . import bp, requires

XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _report_or_404(edition_id: int) -> report_service.Report:
    found = report_service.edition_report(edition_id)
    if found is None:
        abort(404)
    return found


def download(filename: str, content: bytes, mimetype: str) -> Response:
    response = Response(content, mimetype=mimetype)
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/editions/<int:edition_id>/report")
@requires("report")
@db.read()
def report(edition_id: int):
    found = _report_or_404(edition_id)
    return render_template(
        "organiser/report.html", edition=found.edition, report=found, from_ms=report_service.from_ms,
        duration=duration, signed_duration=signed_duration, chart_width=report_service.CHART_WIDTH,
        kinds=plain(editions.KIND_LABELS), item_label=editions.item_label,
        outcomes={outcome.value: str(label) for outcome, label in report_service.OUTCOME_LABELS.items()},
    )


@bp.get("/editions/<int:edition_id>/report.csv")
@requires("exports")
@db.write()  # a GET that writes, on purpose: the audit trail records every export
def report_csv(edition_id: int):
    filename, content = report_service.report_csv(_report_or_404(edition_id))
    audit.record(db.current(), "report_export_csv", edition_id=edition_id, object_type="edition",
                 object_id=edition_id)
    return download(filename, content, "text/csv; charset=utf-8")


@bp.get("/editions/<int:edition_id>/report.xlsx")
@requires("exports")
@db.write()  # a GET that writes, on purpose: the audit trail records every export
def report_xlsx(edition_id: int):
    filename, content = report_service.report_xlsx(_report_or_404(edition_id))
    audit.record(db.current(), "report_export_xlsx", edition_id=edition_id, object_type="edition",
                 object_id=edition_id)
    return download(filename, content, XLSX_MIMETYPE)
