#!/usr/bin/env python3
"""How long a talk's deck takes to render at upload (issue "the whole evening on one screen").

Makes a PDF of ``--pages`` pages (default 60) with the tests' own PDF writer (tests/pdfs.py: a coloured
band, a big number and a title per page), then renders it ``--runs`` times (default 3) through the
upload's own path, ``services.slides.render_deck``: the worker process started with its time and
memory limits, PDFium, two WebP sizes per page (1920 px and 320 px), the manifest. Each run's PDF
differs by its title, so no run reuses another's images (the same PDF is rendered only once).

Prints the wall time of each run, the median, the time per page and the size of the images, and saves
them as JSON in bench/results/render-<date>.json. Nothing here is asserted by the test suite.

    .venv/bin/python bench/render_deck.py [--pages 60] [--runs 3]
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import statistics
import sys
import tempfile
import time
from importlib import metadata
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from flask import Flask  # noqa: E402

from pitchday.services import slides  # noqa: E402
from tests.pdfs import make_pdf  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pages", type=int, default=60)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--out", help="JSON file (default: bench/results/render-<date>.json)")
    args = parser.parse_args()
    app = Flask("render-bench")
    runs = []
    with tempfile.TemporaryDirectory() as data, app.app_context():
        app.config["PITCHDAY_DATA_DIR"] = data
        for run in range(args.runs):
            pdf = make_pdf(args.pages, title=f"Banc d'essai {run + 1}")
            started = time.perf_counter()
            rendered = slides.render_deck(pdf)
            seconds = time.perf_counter() - started
            folder = Path(data) / "slides" / rendered.digest
            sizes = {width: sum(p.stat().st_size for p in folder.glob(f"{width}-*.webp")) for width in (1920, 320)}
            runs.append({"seconds": round(seconds, 3), "pages": rendered.pages, "pdf_bytes": len(pdf),
                         "image_bytes": sizes})
            print(f"run {run + 1}: {args.pages} pages in {seconds:.2f} s ({1000 * seconds / args.pages:.0f} ms a page); "
                  f"images {sizes[1920] / 1024:.0f} KiB at 1920 px, {sizes[320] / 1024:.0f} KiB at 320 px")
    median = statistics.median(r["seconds"] for r in runs)
    print(f"median: {median:.2f} s for {args.pages} pages ({1000 * median / args.pages:.0f} ms a page)")
    document = {
        "benchmark": "render_deck", "date": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
        "command": " ".join([Path(sys.executable).name, *sys.argv]), "pages": args.pages, "runs": runs,
        "median_s": median,
        "machine": {"cpus": os.cpu_count(), "platform": platform.platform(), "python": platform.python_version(),
                    "packages": {d: metadata.version(d) for d in ("pypdfium2", "pillow")}},
    }
    path = Path(args.out) if args.out else ROOT / "bench" / "results" / f"render-{dt.date.today().isoformat()}.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(document, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"saved {path.relative_to(ROOT) if path.is_relative_to(ROOT) else path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
