"""The suspect-word vocabulary: a maintained French and English list, ours, and the organisers' additions.

The lists come from the glin-profanity package (MIT licence), whose dictionaries are plain JSON
files: they are read from the installed package, without importing its code. The organisers add
their own words or phrases with ``PITCHDAY_SUSPECT_WORDS`` (comma-separated). Suspect words only
hold a question for the moderator (domain.audience); nothing is blocked.
"""
from __future__ import annotations

import importlib.util
import json
from functools import lru_cache
from pathlib import Path

from flask import current_app

from ..domain import audience as rules

PACKAGE = "glin_profanity"
LANGUAGES = ("french", "english")


@lru_cache(maxsize=1)
def package_entries() -> tuple[str, ...]:
    """The package's French and English words and phrases, as listed."""
    spec = importlib.util.find_spec(PACKAGE)  # finds the package without running it
    folder = Path(next(iter(spec.submodule_search_locations))) / "data" / "dictionaries"
    entries: list[str] = []
    for language in LANGUAGES:
        entries.extend(json.loads((folder / f"{language}.json").read_text(encoding="utf-8"))["words"])
    return tuple(entries)


def organisers_entries(setting: str | None) -> tuple[str, ...]:
    return tuple(part.strip() for part in (setting or "").split(",") if part.strip())


@lru_cache(maxsize=4)
def _vocabulary(setting: str | None) -> frozenset[tuple[str, ...]]:
    return rules.suspect_vocabulary((*rules.SUSPECT_WORDS, *package_entries(), *organisers_entries(setting)))


def vocabulary() -> frozenset[tuple[str, ...]]:
    """Every suspect word and phrase of this instance (built once per setting)."""
    return _vocabulary(current_app.config.get("PITCHDAY_SUSPECT_WORDS"))


def suspect_words(text: str) -> list[str]:
    return rules.suspect_words(text, vocabulary())
