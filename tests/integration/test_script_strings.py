"""The strings the live views' scripts show: every key a script asks for exists, and counts take
the plural of the page's language (French: 0 and 1 singular; English: 1 only)."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from pitchday.web.i18n import script_strings

pytestmark = pytest.mark.integration

JS = Path(__file__).resolve().parents[2] / "static" / "js"


def keys_asked(function: str) -> set[str]:
    """The keys in the first argument of each call (``tn(mine ? "vote.done" : "vote.label", n)`` gives both)."""
    first_argument = re.compile(rf"(?<![\w.]){function}\(([^,()]*)[,)]")
    return {key for path in JS.glob("*.js") for argument in first_argument.findall(path.read_text(encoding="utf-8"))
            for key in re.findall(r'"([a-z_.]+)"', argument)}


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_every_count_a_script_shows_has_both_forms_in_each_language(app, lang):
    with app.test_request_context(f"/?lang={lang}"):
        strings = script_strings()

    counted = keys_asked("tn")
    assert {"votes", "vote.label", "vote.done", "agenda.before", "agenda.after", "mod.connect"} <= counted
    assert [key for key in sorted(counted) if f"{key}.one" not in strings or f"{key}.other" not in strings] == []
    assert [key for key in sorted(counted) if "{count}" not in strings[f"{key}.other"]] == []


def test_plural_forms_and_rule_follow_the_language(app):
    with app.test_request_context("/?lang=fr"):
        french = script_strings()
    with app.test_request_context("/?lang=en"):
        english = script_strings()

    assert (french["votes.one"], french["votes.other"], french["plural.zero_is_one"]) == (
        "{count} vote", "{count} votes", True)
    assert (french["mod.connect.one"], french["mod.connect.other"]) == (
        "{count} demande d'échange", "{count} demandes d'échange")
    assert (english["agenda.before.one"], english["agenda.before.other"], english["plural.zero_is_one"]) == (
        "… {count} earlier item", "… {count} earlier items", False)


def test_no_script_builds_a_count_from_a_singular_string_of_its_own(app):
    """The old way ("1 vote" as a key of its own, then "{n} votes") is gone: counts go through tn."""
    with app.test_request_context("/"):
        strings = script_strings()

    assert not {"vote.one", "mod.connect_one"} & set(strings)
    assert not {"vote.one", "mod.connect_one", "votes", "mod.connect"} & keys_asked("t")
