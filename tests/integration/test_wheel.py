"""A wheel that runs: built from the checkout, installed into a fresh virtual environment, serving.

Slow (a build and an install): select it with ``-m packaging``, or leave it out with ``-m "not packaging"``.
The build runs on a copy of the checkout, so that a second test run beside this one never shares
setuptools' build/ folder; the install takes the pinned dependencies from the package index (and
pip's cache), without the system's or our own virtual environment's packages.
"""
from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import requests

from tests.serverproc import REQUEST_TIMEOUT_S, Server

pytestmark = [pytest.mark.integration, pytest.mark.packaging]

ROOT = Path(__file__).resolve().parents[2]
# What the wheel is built from (pyproject.toml maps the top-level folders into the package).
SOURCES = ["pitchday", "templates", "static", "migrations", "translations", "pyproject.toml", "README.md",
           "node_modules/socket.io-client/dist"]
BUILD_TIMEOUT_S = 600  # on a loaded machine, with an index to ask


def run(*command, cwd: Path) -> str:
    done = subprocess.run([str(c) for c in command], cwd=cwd, capture_output=True, text=True, timeout=BUILD_TIMEOUT_S)
    assert done.returncode == 0, f"{command} failed:\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}"
    return done.stdout


def copy_checkout(target: Path) -> Path:
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc", "*.egg-info")
    for name in SOURCES:
        source = ROOT / name
        assert source.exists(), f"{name} is missing: run ./scripts/setup.sh test first"
        if source.is_dir():
            shutil.copytree(source, target / name, ignore=ignore)
        else:
            (target / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target / name)
    return target


@pytest.fixture(scope="module")
def installed(tmp_path_factory) -> Path:
    """The ``bin/`` of a fresh virtual environment where only the built wheel (and its dependencies) is installed."""
    work = tmp_path_factory.mktemp("wheel")
    source = copy_checkout(work / "source")
    run(sys.executable, "-m", "pip", "wheel", "--no-deps", "--disable-pip-version-check", "-q", "-w", work / "dist",
        source, cwd=work)
    wheels = list((work / "dist").glob("pitchday-*.whl"))
    assert len(wheels) == 1, wheels
    run(sys.executable, "-m", "venv", work / "venv", cwd=work)
    bin_dir = work / "venv" / "bin"
    run(bin_dir / "python", "-m", "pip", "install", "--disable-pip-version-check", "-q", wheels[0], cwd=work)
    return bin_dir


def test_wheel_installs_the_package_with_its_pages_and_files(installed, tmp_path):
    where = run(installed / "python", "-c",
                "import pitchday, pitchday.resources as r; print(pitchday.__file__);"
                "print(*(p for p in (r.TEMPLATES, r.STATIC, r.MIGRATIONS, r.TRANSLATIONS, r.SOCKETIO_CLIENT)), sep='\\n')",
                cwd=tmp_path).split()
    package = Path(where[0]).parent

    assert package.is_relative_to(installed.parent)  # the wheel's copy, not the checkout
    assert where[1:] == [str(package / name) for name in ("templates", "static", "migrations", "translations", "vendor")]


def test_wheel_runs_the_demo_and_serves_the_pages_with_their_css_and_the_socket_client(installed, tmp_path):
    server = Server(f"sqlite:///{tmp_path / 'pitchday.sqlite3'}", executable=installed / "pitchday", cwd=tmp_path)
    server.start()
    try:
        pages = {path: requests.get(server.url(path), timeout=REQUEST_TIMEOUT_S)
                 for path in ("/e/jdn10/projector", "/e/jdn10/", "/organiser/login")}
        assert {path: page.status_code for path, page in pages.items()} == dict.fromkeys(pages, 200)
        stylesheets = {href for page in pages.values()
                       for href in re.findall(r'<link rel="stylesheet" href="([^"]+)"', page.text)}
        scripts = set(re.findall(r'<script[^>]* src="([^"]+)"', pages["/e/jdn10/projector"].text))
        css = {href: requests.get(server.url(href), timeout=REQUEST_TIMEOUT_S) for href in stylesheets}
        release = next(iter(stylesheets)).split("/")[2]  # /a/<release>/css/…: content-hashed (web/assets.py)
        live = requests.get(server.url(f"/a/{release}/js/live.js"), timeout=REQUEST_TIMEOUT_S)
        client = requests.get(server.url(f"/a/{release}/vendor/socket.io.esm.min.js"), timeout=REQUEST_TIMEOUT_S)
        english = requests.get(server.url("/organiser/login?lang=en"), timeout=REQUEST_TIMEOUT_S)
    finally:
        server.stop()

    assert {f"/a/{release}/css/{name}.css" for name in ("base", "projector", "audience")} <= stylesheets
    assert {href: (r.status_code, r.headers["Content-Type"].split(";")[0]) for href, r in css.items()} == dict.fromkeys(
        css, (200, "text/css"))
    assert any(src.startswith(f"/a/{release}/js/") for src in scripts), scripts
    assert live.status_code == 200 and 'from "../vendor/socket.io.esm.min.js"' in live.text
    assert client.status_code == 200 and "javascript" in client.headers["Content-Type"]
    assert len(client.content) > 10_000  # the real client, not an empty file
    assert english.status_code == 200 and "Password" in english.text  # the compiled catalogues came along
    assert server.database.exists()  # the demo ran its migrations (from the wheel) on our database
