#!/usr/bin/env python3
"""French is the source language, so it needs no catalogue, except for plurals.

Without a French catalogue gettext applies the English rule and writes "0 demandes"; French
counts 0 and 1 in the singular ("0 demande"). This fills the French catalogue's plural entries
from the source strings themselves (run by ``make translations``); other entries stay empty,
which means "the source text".
"""
from pathlib import Path

from babel.messages.pofile import read_po, write_po

CATALOGUE = Path(__file__).resolve().parent.parent / "translations" / "fr" / "LC_MESSAGES" / "messages.po"

with CATALOGUE.open("rb") as f:
    catalogue = read_po(f, locale="fr")
for message in catalogue:
    if message.id and isinstance(message.id, tuple):
        message.string = message.id  # singular, plural: the French plural rule picks
    elif message.id:
        message.string = ""
    message.flags.discard("fuzzy")
with CATALOGUE.open("wb") as f:
    write_po(f, catalogue, width=0, omit_header=False)
