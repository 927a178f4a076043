"""The rendered slides of a talk, served only for a talk of the edition in the URL and its current deck.

The URL holds the PDF's SHA-256: a replaced deck has new URLs, so every image is cached for ever."""
from __future__ import annotations

from flask import Blueprint, abort, send_file

from ..extensions import db
from ..services import slides

bp = Blueprint("slides", __name__)

YEAR_S = 365 * 24 * 3600


@bp.get("/e/<slug>/slides/<int:talk_id>/<digest>/<int:width>/<int:page>.webp")
@db.read()
def slide_image(slug: str, talk_id: int, digest: str, width: int, page: int):
    if len(slug) > 40 or slides.deck_digest(slug, talk_id) != digest:
        abort(404)
    path = slides.image_path(digest, width, page)
    if path is None:
        abort(404)
    response = send_file(path, mimetype="image/webp", max_age=YEAR_S, conditional=True, etag=True)
    response.headers["Cache-Control"] = f"public, max-age={YEAR_S}, immutable"
    return response
