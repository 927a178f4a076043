"""A talk's slides: the limits of an uploaded deck and how the projector shows a talk (pure rules)."""
from __future__ import annotations

MAX_DECK_BYTES = 20 * 1024 * 1024  # a PDF of 20 MB at most
MAX_PAGES = 300
PDF_MAGIC = b"%PDF-"
# Image widths rendered once at upload: the projector's (1920 px) and the console's and stage's thumbnails.
PROJECTOR_WIDTH = 1920
THUMB_WIDTH = 320
SIZES = (PROJECTOR_WIDTH, THUMB_WIDTH)
MAX_ASPECT = 4.0  # a page more than 4 times wider than high (or the reverse) is no slide
# The render worker's limits: a hostile PDF costs at most this, then it is killed and the upload refused.
RENDER_SECONDS = 120
RENDER_MEMORY_BYTES = 1536 * 1024 * 1024
# How the projector shows a talk on stage: its current slide with the countdown as a corner badge,
# the big countdown only, or only a discreet countdown strip (the speaker's own laptop on the HDMI).
DISPLAYS = ("slides", "countdown", "hdmi")


class DeckRefused(Exception):
    """An uploaded deck that cannot be used; ``code`` says why (the organiser's page words it)."""

    CODES = ("empty", "too_large", "not_pdf", "unreadable", "no_pages", "too_many_pages", "bad_page_size",
             "render_timeout", "render_failed")

    def __init__(self, code: str, detail: str = ""):
        assert code in self.CODES, code
        super().__init__(f"{code}: {detail}" if detail else code)
        self.code = code
        self.detail = detail


def check_upload(data: bytes) -> None:
    """What can be judged before parsing: size and the PDF header."""
    if not data:
        raise DeckRefused("empty")
    if len(data) > MAX_DECK_BYTES:
        raise DeckRefused("too_large")
    if not data.startswith(PDF_MAGIC):
        raise DeckRefused("not_pdf")


def render_height(width: float, height: float, target_width: int) -> int:
    """The height of a page of ``width`` × ``height`` points rendered ``target_width`` pixels wide."""
    if width <= 0 or height <= 0 or max(width / height, height / width) > MAX_ASPECT:
        raise DeckRefused("bad_page_size")
    return max(1, round(target_width * height / width))
