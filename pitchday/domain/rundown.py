"""The running order in and out of a spreadsheet, with the columns a stage manager uses.

One row per item, in running order: ``titre``, ``type``, ``intervenant``, ``début prévu``,
``durée``, ``note``. The type is a word of the sheet (``pitch``, ``accueil``, ``mot d'ouverture``,
``intervention``, ``pause``, ``clôture``, ``networking``), read without regard to case or accents.

Importing a sheet replaces the items of the evening other than talks and sets the order of every
item; the talks themselves come from the selection: a ``pitch`` row names one of the edition's talks
by its title, each talk appears once, and its length is changed on the durations page, not here.
The first row's planned start, when given, moves the start of the evening; every other planned start
given must be the one the lengths give (no gap is left unexplained: add a pause). Any error in any
row, and nothing is imported.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import time
from typing import Any, Mapping, Sequence

from .sheets import FileRefused, Table, fold, records
from .editions import Duration, _time, format_duration
from .forms import ITEM_NOTE_MAX_CHARS
from .selection import TALK_TEXT_MAX_CHARS
from .shapes import Schema, Text, field
from .show import ItemKind
from .text import InvalidField, clean_text

__all__ = ["COLUMNS", "KIND_WORDS", "KnownTalk", "MAX_ROWS", "FileRefused", "Plan", "PlannedRow", "SheetRow", "kind_word",
           "parse_rundown", "plan_rundown"]

COLUMNS = ("titre", "type", "intervenant", "début prévu", "durée", "note")
# Also read under these names (the organiser's and stage managers' words, fr and en).
COLUMN_LABELS = {
    "titre": ("Titre", "Title"),
    "type": ("Type", "Kind"),
    "intervenant": ("Intervenant", "Intervenante", "Speaker"),
    "début prévu": ("Début", "Heure", "Début prévu", "Planned start", "Start"),
    "durée": ("Durée", "Duration", "Length"),
    "note": ("Note", "Notes", "Remarque"),
}
REQUIRED_COLUMNS = ("titre", "type", "durée")
MAX_ROWS = 200  # an evening of many more items is not an evening

# The sheet's word for each kind (the first is written on export; all are read).
KIND_WORDS: dict[ItemKind, tuple[str, ...]] = {
    ItemKind.TALK: ("pitch", "talk", "intervention pitch"),
    ItemKind.WELCOME: ("accueil", "welcome"),
    ItemKind.OPENING: ("mot d'ouverture", "ouverture", "opening"),
    ItemKind.ADDRESS: ("intervention", "keynote", "address"),
    ItemKind.BREAK: ("pause", "break"),
    ItemKind.CLOSING: ("clôture", "closing"),
    ItemKind.NETWORKING: ("networking", "cocktail", "temps d'échanges"),  # the last: the interface's word
}


_fold = fold  # how a type and a talk's title are compared


_KIND_OF_WORD = {_fold(word): kind for kind, words in KIND_WORDS.items() for word in words}


def kind_word(kind: str) -> str:
    return KIND_WORDS[ItemKind(kind)][0]


def _kind(value: Any) -> str:
    text = clean_text(value, field="type", max_chars=40)
    kind = _KIND_OF_WORD.get(_fold(text))
    if kind is None:
        raise InvalidField("type", "unknown_kind")
    return kind.value


class SheetLine(Schema):
    """One row of the sheet, as written (the talks are matched in ``plan_rundown``)."""

    titre: Text(TALK_TEXT_MAX_CHARS) = None
    type: field(_kind, {"type": "string", "description": "pitch, accueil, mot d'ouverture, intervention, pause, "
                                                           "clôture or networking"}, required=True) = None
    intervenant: Text(TALK_TEXT_MAX_CHARS, required=False) = None
    début_prévu: _time(required=False) = None
    durée: Duration(required=False) = None
    note: Text(ITEM_NOTE_MAX_CHARS, required=False) = None


@dataclass(frozen=True)
class SheetRow:
    line: int
    values: dict[str, Any]  # title, kind, speaker, planned_start (time or None), duration_ms (or None), note
    errors: tuple[InvalidField, ...]


_FIELD_OF_COLUMN = {"titre": "title", "type": "kind", "intervenant": "speaker", "début_prévu": "planned_start",
                    "durée": "duration_ms", "note": "note"}
COLUMN_OF_FIELD = {value: key.replace("_", " ") for key, value in _FIELD_OF_COLUMN.items()}


def parse_rundown(table: Table) -> list[SheetRow]:
    """Every row of a rundown sheet (read by ``services.spreadsheets``) with its clean values or its errors;
    ``FileRefused`` when a required column is missing."""
    rows = []
    for line, record in records(table, REQUIRED_COLUMNS, aliases=COLUMN_LABELS):
        record = {key.replace(" ", "_"): value for key, value in record.items() if key}
        _values, errors = SheetLine.fields_of(record)
        values = {_FIELD_OF_COLUMN[k]: v for k, v in SheetLine.partial(record).items()}
        errors = [InvalidField(_FIELD_OF_COLUMN.get(e.field, e.field), e.code, e.limit) for e in errors]
        rows.append(SheetRow(line, values, tuple(errors)))
    return rows


@dataclass(frozen=True)
class KnownTalk:
    """What the plan needs of a talk of the edition."""

    id: int
    title: str
    length_ms: int  # pitch + questions


@dataclass(frozen=True)
class PlannedRow:
    line: int
    kind: str
    title: str
    speaker: str
    note: str
    duration_ms: int | None
    talk_id: int | None  # the edition's talk this row names (pitch rows)
    planned_start: int | None  # minutes after midnight, as the plan computes it
    errors: tuple[InvalidField, ...]


@dataclass(frozen=True)
class Plan:
    rows: list[PlannedRow]
    missing_talks: list[KnownTalk]  # talks of the edition the sheet leaves out (the import is refused)
    start: time | None  # the first row's planned start, if given: the new start of the evening

    @property
    def valid(self) -> bool:
        return not self.missing_talks and all(not r.errors for r in self.rows)


def plan_rundown(rows: Sequence[SheetRow], talks: Sequence[KnownTalk], *, start: time, changeover_ms: int) -> Plan:
    """Match the pitch rows to the talks and check the planned starts against the lengths."""
    by_title: Mapping[str, KnownTalk] = {_fold(t.title): t for t in talks}
    used: set[int] = set()
    planned = []
    first = rows[0].values.get("planned_start") if rows else None
    cursor = ((first or start).hour * 60 + (first or start).minute) * 60_000
    previous_talk = None
    for row in rows:
        errors = list(row.errors)
        v = row.values
        kind, duration, talk_id = v.get("kind"), v.get("duration_ms"), None
        if kind == ItemKind.TALK.value and "title" in v:
            talk = by_title.get(_fold(v["title"]))
            if talk is None:
                errors.append(InvalidField("title", "unknown_talk_title"))
            elif talk.id in used:
                errors.append(InvalidField("title", "duplicate_in_file"))
            else:
                used.add(talk.id)
                talk_id = talk.id
                if duration is not None and duration != talk.length_ms:
                    errors.append(InvalidField("duration_ms", "talk_length", talk.length_ms // 60_000))
                duration = talk.length_ms
        elif kind is not None and kind != ItemKind.TALK.value and duration is None and "duration_ms" not in {
                e.field for e in errors}:
            errors.append(InvalidField("duration_ms", "required"))
        if kind == ItemKind.TALK.value and previous_talk:
            cursor += changeover_ms
        given = v.get("planned_start")
        if given is not None and row is not rows[0] and (given.hour * 60 + given.minute) * 60_000 != cursor:
            errors.append(InvalidField("planned_start", "start_mismatch"))
        planned.append(PlannedRow(row.line, kind or "", v.get("title", ""), v.get("speaker") or "", v.get("note") or "",
                                  duration, talk_id, cursor // 60_000, tuple(errors)))
        cursor += duration or 0
        previous_talk = kind == ItemKind.TALK.value
    return Plan(planned, [t for t in talks if t.id not in used], first)


def clock(minutes: int | None) -> str:
    """Minutes after midnight as "17:30" (a sheet's planned start)."""
    return "" if minutes is None else f"{minutes // 60 % 24:02d}:{minutes % 60:02d}"


def sheet_duration(ms: int) -> str:
    return format_duration(ms)
