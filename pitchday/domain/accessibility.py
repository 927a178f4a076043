"""The accessibility statement (déclaration d'accessibilité) a public body's online service must
publish (article 47 of law 2005-102, RGAA): its settings, their checks, and the rule that binds the
conformity level to an audit. Pure: French wording marked for the catalogue, translated where shown.

Without an audit, the RGAA allows only "non conforme": a level other than that needs the audit's
date and its rate of criteria met; "totalement conforme" means every criterion is met (100 %).
"""
from __future__ import annotations

from datetime import date
from typing import Any

from .shapes import Choice, Refused, Schema, Text, field
from .text import InvalidField, N_, clean_text

RGAA_VERSION = "4.1.2"
CONFORMITY_LEVELS = ("non", "partiel", "total")
CONFORMITY_LABELS = {"non": N_("non conforme"), "partiel": N_("partiellement conforme"),
                     "total": N_("totalement conforme")}
LIMITS = {"entity": 200, "audited_by": 200, "non_accessible": 4000, "derogations": 2000, "contact": 300}


def _day(value: Any) -> date | None:
    """A day as the date input sends it (AAAA-MM-JJ), or nothing."""
    text = clean_text(value, field="", max_chars=10, required=False)
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise InvalidField("", "invalid_date") from None


def _rate(value: Any) -> int | None:
    """A percentage of criteria met, 0 to 100, or nothing."""
    text = clean_text(value, field="", max_chars=5, required=False)
    if not text:
        return None
    text = text.rstrip("% \u00a0")
    if not text.isdigit() or not 0 <= int(text) <= 100:
        raise InvalidField("", "out_of_range", 100)
    return int(text)


Day = field(_day, {"type": "string", "format": "date"}, required=False, python_type=date)
Rate = field(_rate, {"type": "integer", "minimum": 0, "maximum": 100}, required=False, python_type=int)


class StatementSettings(Schema):
    """What the organisers set; ``entity`` blank: the privacy notice's controller."""

    entity: Text(LIMITS["entity"], required=False) = None
    conformity: Choice(CONFORMITY_LEVELS) = None
    audit_date: Day = None
    audited_by: Text(LIMITS["audited_by"], required=False) = None
    rate: Rate = None
    non_accessible: Text(LIMITS["non_accessible"], required=False, multiline=True) = None
    derogations: Text(LIMITS["derogations"], required=False, multiline=True) = None
    contact: Text(LIMITS["contact"], required=False) = None
    established_on: Day = None



def parse_settings(values: dict[str, Any]) -> StatementSettings:
    """The settings, or ``Refused`` with every field's error, the level checked against the audit."""
    settings, errors = StatementSettings.fields_of(values)
    if settings is not None:
        if settings.conformity != "non" and settings.audit_date is None:
            errors.append(InvalidField("audit_date", "audit_required"))
        if settings.conformity != "non" and settings.rate is None:
            errors.append(InvalidField("rate", "audit_required"))
        if settings.conformity == "total" and settings.rate is not None and settings.rate < 100:
            errors.append(InvalidField("rate", "total_needs_100"))
    if errors:
        raise Refused("invalid", errors)
    return settings


DEFAULTS = {"entity": "", "conformity": "non", "audit_date": "", "audited_by": "", "rate": "",
            "non_accessible": "", "derogations": "", "contact": "", "established_on": ""}
