"""The render worker: one PDF to images, in a process of its own with a time and a memory limit.

    python -m pitchday.services.slide_worker DECK.pdf OUT_DIR

Started by ``services.slides.render_deck`` (never inside the server's event loop). It limits itself
first (``resource.setrlimit``: CPU seconds, address space, no core file) and only then loads PDFium,
so a hostile PDF is killed, not the server frozen. Every page is written twice as WebP:
``{width}-{page}.webp`` for each width of ``domain.slides.SIZES`` (pages counted from 1). It prints one
JSON line: ``{"pages", "width", "height"}`` (the first page at projector size), or ``{"error": code}``
with exit status 2 for a deck refused for a reason the organiser can act on.
"""
from __future__ import annotations

import json
import resource
import sys
from pathlib import Path

from ..domain.slides import (MAX_PAGES, PROJECTOR_WIDTH, RENDER_MEMORY_BYTES, RENDER_SECONDS, SIZES, DeckRefused,
                             render_height)

WEBP_QUALITY = 80
WEBP_METHOD = 2  # 0 (fastest) … 6 (smallest): 2 keeps a 60-page deck to seconds at a size close to the default's


def limit_self(seconds: int = RENDER_SECONDS, memory: int = RENDER_MEMORY_BYTES) -> None:
    resource.setrlimit(resource.RLIMIT_CPU, (seconds, seconds + 1))  # SIGXCPU, then SIGKILL a second later
    resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))


def render(pdf_path: Path, out_dir: Path) -> dict:
    import pypdfium2 as pdfium
    from PIL import Image

    try:
        pdf = pdfium.PdfDocument(str(pdf_path))
    except pdfium.PdfiumError as error:
        raise DeckRefused("unreadable", str(error)) from None
    pages = len(pdf)
    if pages == 0:
        raise DeckRefused("no_pages")
    if pages > MAX_PAGES:
        raise DeckRefused("too_many_pages", str(pages))
    first = None
    for index in range(pages):
        page = pdf[index]
        width, height = page.get_size()
        render_height(width, height, PROJECTOR_WIDTH)  # refuses a page of no size or absurd proportions
        image = page.render(scale=PROJECTOR_WIDTH / width, fill_color=(255, 255, 255, 255)).to_pil().convert("RGB")
        page.close()
        if first is None:
            first = image.size
        for size in SIZES:
            scaled = image if size == image.width else image.resize(
                (size, max(1, round(image.height * size / image.width))), Image.Resampling.LANCZOS)
            scaled.save(out_dir / f"{size}-{index + 1}.webp", "WEBP", quality=WEBP_QUALITY, method=WEBP_METHOD)
    pdf.close()
    return {"pages": pages, "width": first[0], "height": first[1]}


def main(argv: list[str]) -> int:
    limit_self()
    pdf_path, out_dir = Path(argv[0]), Path(argv[1])
    try:
        result = render(pdf_path, out_dir)
    except DeckRefused as refused:
        print(json.dumps({"error": refused.code, "detail": refused.detail[:200]}))
        return 2
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
