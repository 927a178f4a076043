"""docs/protocol.md describes the payloads the server actually parses (pitchday/domain/events.py)."""
from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import pytest
from jsonschema import Draft202012Validator

from pitchday.domain.events import EVENTS

pytestmark = pytest.mark.unit

ROOT = Path(__file__).resolve().parents[2]


def generator():
    spec = importlib.util.spec_from_file_location("protocol_payloads", ROOT / "scripts" / "protocol_payloads.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_protocol_payload_section_matches_the_schemas():
    doc = (ROOT / "docs" / "protocol.md").read_text("utf-8")

    assert generator().written(doc) == doc, "run .venv/bin/python scripts/protocol_payloads.py"


def test_protocol_payload_section_names_every_event_once():
    doc = (ROOT / "docs" / "protocol.md").read_text("utf-8")

    assert [name for name in EVENTS if doc.count(f"### `{name}`") == 1] == list(EVENTS)


@pytest.mark.parametrize("name", list(EVENTS))
def test_event_json_schema_is_a_valid_json_schema(name):
    schema = EVENTS[name].model_json_schema()

    Draft202012Validator.check_schema(schema)
    assert json.loads(json.dumps(schema)) == schema


def test_protocol_examples_fit_their_schemas():
    """The examples the document gives (command, auth) are accepted as they are written."""
    assert EVENTS["command"].parse({"command_id": "0f8fad5b-d9cb-469f-a165-70867728950e", "name": "extend",
                                    "args": {"delta_ms": 30000}, "version": 12}).args == {"delta_ms": 30000}
    assert EVENTS["connect (auth)"].parse({"edition": "jdn10", "view": "audience"}).view == "audience"
