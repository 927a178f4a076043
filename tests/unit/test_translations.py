"""French is the source language; every user-facing string also exists in English.

The strings are extracted from the sources again (as ``make translations`` does), so a string
added without updating the catalogue fails here, not in front of an English-speaking guest.
"""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

pytestmark = pytest.mark.unit

ROOT = Path(__file__).resolve().parents[2]
KEYWORDS = ["-k", "_l", "-k", "lazy_gettext", "-k", "N_plural:1,2"]  # as the Makefile: on top of Babel's defaults (_, ngettext…)


def msgids(catalog) -> set[str]:
    return {m.id if isinstance(m.id, str) else m.id[0] for m in catalog if m.id}


@pytest.fixture(scope="module")
def extracted(tmp_path_factory) -> set[str]:
    out = tmp_path_factory.mktemp("pot") / "messages.pot"
    pybabel = Path(sys.executable).parent / "pybabel"
    subprocess.run([str(pybabel), "-q", "extract", "-F", "babel.cfg", *KEYWORDS, "-o", str(out), "."],
                   cwd=ROOT, check=True)
    with out.open("rb") as f:
        return msgids(read_po(f))


@pytest.fixture(scope="module")
def english():
    with (ROOT / "translations/en/LC_MESSAGES/messages.po").open("rb") as f:
        return read_po(f)


def test_translations_extraction_finds_the_strings(extracted):
    assert {"Démarrer", "Je veux échanger", "Ce champ est obligatoire."} <= extracted


def test_translations_every_string_of_the_sources_is_in_the_english_catalogue(extracted, english):
    assert sorted(extracted - msgids(english)) == []


def test_translations_every_english_entry_is_translated_and_none_is_a_guess(english):
    untranslated = [m.id for m in english if m.id and not (all(m.string) if isinstance(m.string, tuple) else m.string)]
    fuzzy = [m.id for m in english if m.id and m.fuzzy]

    assert untranslated == []
    assert fuzzy == []


def test_translations_french_plurals_follow_the_french_rule():
    """French counts 0 in the singular: the French catalogue carries every plural of the sources."""
    with (ROOT / "translations/fr/LC_MESSAGES/messages.po").open("rb") as f:
        french = read_po(f)
    with (ROOT / "translations/messages.pot").open("rb") as f:
        plurals = {m.id for m in read_po(f) if isinstance(m.id, tuple)}

    filled = {m.id for m in french if isinstance(m.id, tuple) and m.string == m.id}
    assert plurals and plurals <= filled
    assert french.plural_expr == "(n > 1)"
