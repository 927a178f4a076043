"""Static files under a content-hashed URL, cached for good and compressed once.

A phone on the venue's Wi-Fi should load the audience page's scripts and styles once, not
revalidate them at every visit. At start-up every file of ``static/`` and of the browser's
Socket.IO client is read, hashed together into one *release* id and gzipped once; pages name
them ``/a/<release>/<path>`` (``url_for("static", …)`` does, see ``Pitchday.url_for`` in app.py),
served with ``Cache-Control: immutable`` for a year, and gzipped to a client that accepts it.

One id for the whole release, not one per file, because the scripts are ES modules importing one
another by relative paths (``./live.js``, ``../vendor/socket.io.esm.min.js``): an import resolved
from ``/a/<release>/js/audience.js`` lands in the same release, and a changed file changes every
URL at once (a new deployment is loaded anew, once). An address of another release (a page loaded
before a deployment) is answered with the current file, never cached.
"""
from __future__ import annotations

import gzip
import hashlib
import mimetypes
from dataclasses import dataclass
from pathlib import Path

from flask import Blueprint, Response, abort, current_app, request

from .. import resources

bp = Blueprint("assets", __name__)

PREFIX = "/a"
VENDOR_DIR = "vendor"  # the Socket.IO client, beside js/ and css/ in a release
VENDOR_FILES = ("socket.io.esm.min.js", "socket.io.esm.min.js.map")
IMMUTABLE = "public, max-age=31536000, immutable"
COMPRESSIBLE = (".js", ".css", ".map", ".svg", ".json", ".txt", ".html")
MIN_COMPRESSED_BYTES = 256  # a smaller file is sent as it is


@dataclass(frozen=True)
class Asset:
    body: bytes
    gzipped: bytes | None
    mimetype: str
    etag: str


class Manifest:
    """Every static file of this release, read, hashed and compressed once."""

    def __init__(self, files: dict[str, bytes]):
        digest = hashlib.sha256()
        for name in sorted(files):
            digest.update(name.encode() + b"\0" + hashlib.sha256(files[name]).digest())
        self.release = digest.hexdigest()[:12]
        self.assets = {name: _asset(name, body) for name, body in files.items()}

    @classmethod
    def of_directories(cls, static: Path, vendor: Path) -> "Manifest":
        files = {path.relative_to(static).as_posix(): path.read_bytes()
                 for path in sorted(static.rglob("*")) if path.is_file() and not path.name.startswith(".")}
        for name in VENDOR_FILES:
            if (vendor / name).is_file():
                files[f"{VENDOR_DIR}/{name}"] = (vendor / name).read_bytes()
        return cls(files)

    def url(self, filename: str) -> str | None:
        """The hashed URL of a static file, None if it is not part of the release."""
        return f"{PREFIX}/{self.release}/{filename}" if filename in self.assets else None


def _asset(name: str, body: bytes) -> Asset:
    mimetype = mimetypes.guess_type(name)[0] or "application/octet-stream"
    if name.endswith((".js", ".mjs")):
        mimetype = "text/javascript"
    gzipped = None
    if name.endswith(COMPRESSIBLE) and len(body) >= MIN_COMPRESSED_BYTES:
        packed = gzip.compress(body, compresslevel=9, mtime=0)
        gzipped = packed if len(packed) < len(body) else None
    if mimetype.startswith("text/") or mimetype in ("application/json", "image/svg+xml"):
        mimetype += "; charset=utf-8"
    return Asset(body, gzipped, mimetype, hashlib.sha256(body).hexdigest()[:16])


def manifest() -> Manifest:
    return current_app.extensions["pitchday_assets"]


def init_app(app) -> None:
    app.extensions["pitchday_assets"] = Manifest.of_directories(resources.STATIC, resources.SOCKETIO_CLIENT)
    app.register_blueprint(bp)


def accepts_gzip() -> bool:
    return any(part.split(";")[0].strip() in ("gzip", "*")
               and not part.replace(" ", "").endswith(";q=0")
               for part in request.headers.get("Accept-Encoding", "").split(","))


def send(filename: str, *, cache_control: str) -> Response:
    asset = manifest().assets.get(filename)
    if asset is None:
        abort(404)
    if request.if_none_match.contains(asset.etag):
        response = Response(status=304)
    elif asset.gzipped is not None and accepts_gzip():
        response = Response(asset.gzipped, mimetype=asset.mimetype)
        response.headers["Content-Encoding"] = "gzip"
    else:
        response = Response(asset.body, mimetype=asset.mimetype)
    if asset.gzipped is not None:
        response.headers["Vary"] = "Accept-Encoding"
    response.set_etag(asset.etag)
    response.headers["Cache-Control"] = cache_control
    return response


@bp.get(f"{PREFIX}/<release>/<path:filename>")
def hashed(release: str, filename: str):
    current = release == manifest().release
    return send(filename, cache_control=IMMUTABLE if current else "no-cache")


@bp.get(f"/static/{VENDOR_DIR}/<name>")
def unhashed_vendor(name: str):
    """The Socket.IO client beside the unhashed scripts (``/static/js/live.js`` imports
    ``../vendor/…``), revalidated at each use like them."""
    return send(f"{VENDOR_DIR}/{name}", cache_control="no-cache")
