"""Static files under content-hashed URLs: cached for good, gzipped when asked, one release for all."""
from __future__ import annotations

import gzip
import re

import pytest

from pitchday import resources
from pitchday.web.assets import IMMUTABLE, Manifest

pytestmark = pytest.mark.integration

GZIP = {"Accept-Encoding": "gzip, deflate, br"}


def page_assets(client, path: str) -> list[str]:
    html = client.get(path).get_data(as_text=True)
    return re.findall(r'(?:src|href)="(/a/[^"]+)"', html)


def test_the_audience_page_names_its_files_by_content_and_they_are_immutable(client, edition):
    urls = page_assets(client, f"/e/{edition.slug}/")
    assert {url.split("/", 3)[3] for url in urls} == {"css/base.css", "css/audience.css", "js/audience.js"}
    assert len({url.split("/")[2] for url in urls}) == 1  # one release for the whole page
    for url in urls:
        plain = client.get(url)
        assert plain.status_code == 200 and plain.headers["Cache-Control"] == IMMUTABLE
        assert "Content-Encoding" not in plain.headers  # not asked for: sent as it is
        on_disk = (resources.STATIC / url.split("/", 3)[3]).read_bytes()
        assert plain.data == on_disk

        packed = client.get(url, headers=GZIP)
        assert packed.headers["Content-Encoding"] == "gzip" and packed.headers["Vary"] == "Accept-Encoding"
        assert packed.headers["Cache-Control"] == IMMUTABLE
        assert len(packed.data) < len(on_disk) and gzip.decompress(packed.data) == on_disk


def test_modules_and_the_socket_client_resolve_inside_the_same_release(client, edition):
    release = page_assets(client, f"/e/{edition.slug}/")[0].split("/")[2]
    live = client.get(f"/a/{release}/js/live.js")
    assert live.headers["Cache-Control"] == IMMUTABLE
    assert 'from "../vendor/socket.io.esm.min.js"' in live.get_data(as_text=True)  # -> /a/<release>/vendor/…
    vendor = client.get(f"/a/{release}/vendor/socket.io.esm.min.js", headers=GZIP)
    assert vendor.status_code == 200 and vendor.headers["Cache-Control"] == IMMUTABLE
    assert vendor.mimetype == "text/javascript" and vendor.headers["Content-Encoding"] == "gzip"
    assert len(gzip.decompress(vendor.data)) > 10_000
    # The unhashed scripts still find the client beside them (revalidated, not immutable).
    assert client.get("/static/vendor/socket.io.esm.min.js").headers["Cache-Control"] == "no-cache"


def test_an_address_of_another_release_is_served_but_never_cached(client, edition):
    stale = client.get("/a/000000000000/css/base.css")
    assert stale.status_code == 200 and stale.headers["Cache-Control"] == "no-cache"
    assert stale.data == (resources.STATIC / "css/base.css").read_bytes()
    release = page_assets(client, f"/e/{edition.slug}/")[0].split("/")[2]
    assert client.get(f"/a/{release}/css/none.css").status_code == 404
    assert client.get(f"/a/{release}/../pitchday/app.py").status_code == 404


def test_a_revalidation_with_the_etag_is_answered_without_the_file(client, edition):
    url = page_assets(client, f"/e/{edition.slug}/")[0]
    etag = client.get(url).headers["ETag"]
    again = client.get(url, headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.data == b""


def test_the_release_id_changes_with_any_file_and_only_then(tmp_path):
    static, vendor = tmp_path / "static", tmp_path / "vendor"
    (static / "js").mkdir(parents=True)
    vendor.mkdir()
    (static / "js" / "a.js").write_text("export const a = 1;\n")
    (vendor / "socket.io.esm.min.js").write_text("export const io = 0;\n")
    first = Manifest.of_directories(static, vendor)
    assert Manifest.of_directories(static, vendor).release == first.release
    assert first.url("js/a.js") == f"/a/{first.release}/js/a.js" and first.url("js/b.js") is None
    assert first.url("vendor/socket.io.esm.min.js") is not None
    (static / "js" / "a.js").write_text("export const a = 2;\n")
    assert Manifest.of_directories(static, vendor).release != first.release
    (vendor / "socket.io.esm.min.js").write_text("export const io = 1;\n")
    assert len({first.release, Manifest.of_directories(static, vendor).release}) == 2
