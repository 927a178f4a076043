"""The talks' PDF decks: rendered to images once at upload, stored by content hash, shown on stage.

``render_deck(pdf)`` checks and renders a PDF in a worker process (``services/slide_worker``, with
a time and a memory limit): it touches no database, so a caller may run it before opening its
write. ``store_deck(talk_id, pdf)`` records the deck of a talk (rendering it first if given bytes)
in the caller's write, and the live state learns the talk's page count. Images live in
``<PITCHDAY_DATA_DIR>/slides/<sha256 of the PDF>/{width}-{page}.webp``: the same PDF is rendered
once, and a replaced deck gets new URLs, so the browser may cache every image for ever.
"""
from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

from flask import current_app
from sqlalchemy import select

import pitchday

from ..domain import show as show_domain
from ..domain.slides import DISPLAYS, RENDER_SECONDS, SIZES, DeckRefused, check_upload
from ..extensions import db
from ..models import Deck, Edition, Talk, utcnow
from ..timeutil import now_ms
from . import broadcast

MANIFEST = "deck.json"
_DIGEST_CHARS = frozenset("0123456789abcdef")


class NotFound(Exception):
    """No such talk (in this edition)."""


@dataclass(frozen=True)
class RenderedDeck:
    digest: str
    pages: int
    width: int
    height: int
    size_bytes: int


def slides_root() -> Path:
    root = Path(current_app.config["PITCHDAY_DATA_DIR"]) / "slides"
    root.mkdir(parents=True, exist_ok=True)
    return root


def image_path(digest: str, width: int, page: int) -> Path | None:
    """The file of one rendered page, or None if there is no such image."""
    if len(digest) != 64 or not set(digest) <= _DIGEST_CHARS or width not in SIZES or page < 1:
        return None
    path = slides_root() / digest / f"{width}-{page}.webp"
    return path if path.is_file() else None


def render_deck(pdf: bytes) -> RenderedDeck:
    """Check and render ``pdf`` (bytes of the upload); raise ``DeckRefused`` with the reason.

    Runs the worker as a subprocess and waits for it without blocking the event loop (eventlet and
    gevent green ``subprocess``). A deck already rendered (same SHA-256) is not rendered again."""
    check_upload(pdf)
    digest = hashlib.sha256(pdf).hexdigest()
    root = slides_root()
    done = _read_manifest(root / digest)
    if done is not None:
        return done
    with tempfile.TemporaryDirectory(dir=root, prefix=".render-") as work:
        source, pages = Path(work) / "deck.pdf", Path(work) / digest
        source.write_bytes(pdf)
        pages.mkdir()
        answer = _run_worker(source, pages)
        rendered = RenderedDeck(digest=digest, pages=answer["pages"], width=answer["width"], height=answer["height"],
                                size_bytes=len(pdf))
        (pages / MANIFEST).write_text(json.dumps(rendered.__dict__), "utf-8")
        try:
            os.rename(pages, root / digest)  # whole or not at all: a reader never sees half a deck
        except OSError:
            if _read_manifest(root / digest) is None:  # not another upload of the same PDF that won
                raise
    return rendered


def _run_worker(source: Path, out: Path) -> dict:
    package_parent = str(Path(pitchday.__file__).resolve().parent.parent)
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "PYTHONPATH": package_parent, "LANG": "C.UTF-8"}
    try:
        done = subprocess.run([sys.executable, "-m", "pitchday.services.slide_worker", str(source), str(out)],
                              capture_output=True, timeout=RENDER_SECONDS + 10, env=env, cwd=out, stdin=subprocess.DEVNULL)
    except subprocess.TimeoutExpired:
        raise DeckRefused("render_timeout") from None
    if done.returncode < 0 and -done.returncode in (9, 24):  # SIGKILL / SIGXCPU: the CPU limit
        raise DeckRefused("render_timeout")
    try:
        answer = json.loads(done.stdout.decode("utf-8", "replace").strip().splitlines()[-1])
    except (ValueError, IndexError):
        answer = None
    if done.returncode == 2 and isinstance(answer, dict) and answer.get("error") in DeckRefused.CODES:
        raise DeckRefused(answer["error"], answer.get("detail", ""))
    if done.returncode != 0 or not isinstance(answer, dict) or not isinstance(answer.get("pages"), int):
        current_app.logger.warning("slide render failed (status %s): %s", done.returncode,
                                   done.stderr.decode("utf-8", "replace")[-300:].replace("\n", " | "))
        raise DeckRefused("render_failed", f"status {done.returncode}")
    return answer


def _read_manifest(folder: Path) -> RenderedDeck | None:
    try:
        return RenderedDeck(**json.loads((folder / MANIFEST).read_text("utf-8")))
    except (OSError, ValueError, TypeError):
        return None


def store_deck(talk_id: int, pdf: bytes | RenderedDeck) -> Deck:
    """The talk's deck is now ``pdf`` (replacing any), in the caller's write; raise ``DeckRefused``
    or ``NotFound``. Given bytes it renders them first (seconds, while the caller's write is open:
    a view renders with ``render_deck`` before its write and passes the result)."""
    rendered = pdf if isinstance(pdf, RenderedDeck) else render_deck(pdf)
    session = db.current()
    talk = session.get(Talk, talk_id)
    if talk is None:
        raise NotFound(talk_id)
    deck = session.get(Deck, talk_id) or Deck(talk_id=talk_id, display="slides")
    deck.digest, deck.page_count, deck.width, deck.height = rendered.digest, rendered.pages, rendered.width, rendered.height
    deck.size_bytes = rendered.size_bytes
    deck.uploaded_at = utcnow()
    session.add(deck)
    session.flush()
    _live_decks_changed(talk.edition_id)
    return deck


def remove_deck(talk_id: int) -> None:
    """The talk has no deck any more (its display choice stays); its images stay on disk, shared by hash."""
    session = db.current()
    deck = session.get(Deck, talk_id)
    if deck is None or deck.digest is None:
        return
    deck.digest, deck.page_count, deck.width, deck.height, deck.size_bytes = None, 0, 0, 0, 0
    session.flush()
    _live_decks_changed(session.get(Talk, talk_id).edition_id)


def set_display(talk_id: int, display: str) -> None:
    """How the projector shows the talk: ``slides``, ``countdown`` (only) or ``hdmi`` (a discreet strip)."""
    if display not in DISPLAYS:
        raise ValueError(display)
    session = db.current()
    talk = session.get(Talk, talk_id)
    if talk is None:
        raise NotFound(talk_id)
    deck = session.get(Deck, talk_id)
    if deck is None:
        deck = Deck(talk_id=talk_id, page_count=0, width=0, height=0, size_bytes=0)
        session.add(deck)
    if deck.display == display:
        return
    deck.display = display
    session.flush()
    broadcast.show_changed(talk.edition_id)  # the screens show the talk another way


def decks_of(session, edition_id: int) -> dict[int, Deck]:
    rows = session.scalars(select(Deck).join(Talk, Talk.id == Deck.talk_id).where(Talk.edition_id == edition_id))
    return {deck.talk_id: deck for deck in rows}


def page_counts(session, edition_id: int) -> dict[int, int]:
    """``{talk_id: pages}`` of the talks with a deck, for the live state's bounds."""
    return {t: d.page_count for t, d in decks_of(session, edition_id).items() if d.digest and d.page_count}


def _live_decks_changed(edition_id: int) -> None:
    from .show import _locked_row, save  # show imports this module's page_counts: imported when needed

    session = db.current()
    row = _locked_row(session, edition_id)
    stored = show_domain.settle(show_domain.from_dict(row.state), now_ms())
    changed = show_domain.with_decks(stored, page_counts(session, edition_id))
    if changed is not stored:
        save(row, changed)
    broadcast.show_changed(edition_id)  # the URLs changed even when the page count did not


def deck_base(slug: str, talk_id: int, digest: str) -> str:
    """The URL prefix of a deck's images (web/slides.py serves ``{base}/{width}/{page}.webp``)."""
    return f"/e/{slug}/slides/{talk_id}/{digest}"


def deck_view(slug: str, deck: Deck | None, talk_id: int) -> dict:
    has = deck is not None and deck.digest is not None and deck.page_count > 0
    return {"talk_id": talk_id, "display": deck.display if deck is not None else "slides",
            "pages": deck.page_count if has else 0, "base": deck_base(slug, talk_id, deck.digest) if has else None,
            "ratio": round(deck.width / deck.height, 4) if has and deck.height else None}


def screen_view(session, edition: Edition, show: show_domain.Show) -> dict:
    """What the screens need of the slides: the deck of the talk on stage with the slide shown (from 1), and
    the first slide of the talk after it (to preload). ``current`` is null when no talk is on stage."""
    decks = decks_of(session, edition.id)
    current = None
    if show.current is not None:
        current = {**deck_view(edition.slug, decks.get(show.current), show.current), "page": show.slide + 1}
        if current["pages"] == 0:
            current["page"] = 0
    following = show.next_talk()
    upcoming = decks.get(following) if following is not None else None
    return {"current": current,
            "next": deck_view(edition.slug, upcoming, following) if following is not None else None}


def talk_decks(edition_id: int) -> dict[int, Deck]:
    """The programme page: each talk's deck row (if any)."""
    return decks_of(db.current(), edition_id)


def talk_of_edition(edition_id: int, talk_id: int) -> Talk | None:
    talk = db.current().get(Talk, talk_id)
    return talk if talk is not None and talk.edition_id == edition_id else None


def deck_digest(edition_slug: str, talk_id: int) -> str | None:
    """The digest of the deck a talk of the edition ``edition_slug`` has now (what its images are served under)."""
    session = db.current()
    return session.scalar(select(Deck.digest).join(Talk, Talk.id == Deck.talk_id).join(Edition, Edition.id == Talk.edition_id)
                          .where(Deck.talk_id == talk_id, Edition.slug == edition_slug))
