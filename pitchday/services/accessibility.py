"""The accessibility statement's settings (one ``Setting`` row, JSON), read by its public page."""
from __future__ import annotations

import json
from datetime import date
from typing import Any

from ..domain import accessibility as rules
from ..extensions import db
from ..models import Setting
from . import privacy

SETTINGS_KEY = "accessibility_statement"


def stored() -> dict[str, str]:
    """What the organisers typed (the form's values), blanks for what they did not."""
    row = db.current().get(Setting, SETTINGS_KEY)
    values = json.loads(row.value) if row else {}
    return {name: str(values.get(name) or default) for name, default in rules.DEFAULTS.items()}


def level() -> str:
    """The conformity level the statement declares (one of domain.accessibility.CONFORMITY_LEVELS)."""
    row = db.current().get(Setting, SETTINGS_KEY)
    level = json.loads(row.value).get("conformity") if row else None
    return level if level in rules.CONFORMITY_LEVELS else "non"


def statement() -> dict[str, Any]:
    """What the public page shows: typed values, the entity defaulting to the privacy notice's controller."""
    values = rules.parse_settings(stored()).model_dump()
    notice = privacy.notice_settings()
    values["entity"] = values["entity"] or notice["controller"]
    values["contact_missing"] = not values["contact"]
    return values


def save(settings: rules.StatementSettings) -> None:
    clean = {name: (value.isoformat() if isinstance(value, date) else value if value is not None else "")
             for name, value in settings.model_dump().items()}
    session = db.current()
    row = session.get(Setting, SETTINGS_KEY)
    text = json.dumps(clean, ensure_ascii=False)
    if row is None:
        session.add(Setting(key=SETTINGS_KEY, value=text))
    else:
        row.value = text
