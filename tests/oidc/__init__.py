"""A real OpenID Connect provider on loopback (the npm package oidc-provider, pinned by the lockfile).

``Provider(port, redirect_uri).start()`` runs ``node tests/oidc/provider.mjs``; ``sign_in`` drives its
sign-in form with an HTTP client, as a browser would, and returns the last answer.
"""
from __future__ import annotations

import re
import shutil
import subprocess
import threading
from html import unescape
from pathlib import Path

import requests

from tests.serverproc import REQUEST_TIMEOUT_S, START_TIMEOUT_S

SCRIPT = Path(__file__).with_name("provider.mjs")
ROOT = SCRIPT.parents[2]
CLIENT_ID = "pitchday-test"
CLIENT_SECRET = "pitchday-test-secret"
_FORM = re.compile(r'<form[^>]*action="([^"]+)"[^>]*method="post"', re.I)


class Provider:
    def __init__(self, port: int, redirect_uri: str):
        self.port, self.redirect_uri = port, redirect_uri
        self.process: subprocess.Popen | None = None
        self.output: list[str] = []
        self.ready = threading.Event()

    @property
    def issuer(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> "Provider":
        node = shutil.which("node")
        assert node, "node is needed for the OpenID provider (scripts/setup.sh installs the npm packages)"
        self.process = subprocess.Popen([node, str(SCRIPT), str(self.port), self.redirect_uri], cwd=ROOT,
                                        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)

        def pump():
            for line in self.process.stdout:
                self.output.append(line)
                if line.startswith("ready "):
                    self.ready.set()

        threading.Thread(target=pump, daemon=True).start()
        if not self.ready.wait(START_TIMEOUT_S):
            self.stop()
            raise RuntimeError("the OpenID provider did not start:\n" + "".join(self.output))
        return self

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=30)


def sign_in(http: requests.Session, start_url: str, login: str, *, follow_callback: bool = True) -> requests.Response:
    """From pitchday's "Se connecter avec…" link, through the provider's sign-in form, back to pitchday.

    With ``follow_callback`` False, stops at the provider's redirect to pitchday's callback (the
    answer's ``Location`` is the callback URL, with its code and state)."""
    form_page = http.get(start_url, timeout=REQUEST_TIMEOUT_S)
    assert form_page.status_code == 200, form_page.text[:500]
    action = _FORM.search(form_page.text)
    assert action, form_page.text[:500]
    answer = http.post(unescape(action.group(1)), data={"prompt": "login", "login": login, "password": "peu importe"},
                       allow_redirects=False, timeout=REQUEST_TIMEOUT_S)
    # The provider's own redirects (back to its authorization endpoint), until the one to pitchday.
    for _hop in range(10):
        assert answer.status_code in (302, 303), (answer.status_code, answer.text[:500])
        location = requests.compat.urljoin(answer.url, answer.headers["Location"])
        if "/organiser/login/sso/callback" in location:
            if not follow_callback:
                return answer
            return finish(http, http.get(location, timeout=REQUEST_TIMEOUT_S))
        answer = http.get(location, allow_redirects=False, timeout=REQUEST_TIMEOUT_S)
    raise AssertionError("the provider never sent the browser back to pitchday")


_FINISH = re.compile(r'<form method="post" action="([^"]+)" id="sso-finish">\s*<input type="hidden" name="csrf_token" '
                     r'value="([^"]+)"')


def finish(http: requests.Session, callback: requests.Response) -> requests.Response:
    """What the browser does with the callback's answer: the page posts its form at once (a refusal has none)."""
    form = _FINISH.search(callback.text)
    if callback.status_code != 200 or form is None:
        return callback
    return http.post(requests.compat.urljoin(callback.url, unescape(form.group(1))),
                     data={"csrf_token": unescape(form.group(2))}, timeout=REQUEST_TIMEOUT_S)
