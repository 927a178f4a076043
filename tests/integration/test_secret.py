"""One secret signs everything: the Flask session, moderator links and cookies, device cookies.

Run in a fresh interpreter: an app configured with its own PITCHDAY_SECRET_KEY (the suite's app
uses the secret stored in the database, which would hide the difference).
"""
from __future__ import annotations

import json
import subprocess
import sys
import textwrap

import pytest

pytestmark = pytest.mark.integration

SCENARIO = textwrap.dedent("""
    import json, sys
    from datetime import datetime, timezone
    from itsdangerous import BadSignature, Signer, URLSafeTimedSerializer
    from pitchday import create_app
    from pitchday.config import Config
    from pitchday.extensions import db
    from pitchday.migrate import upgrade
    from pitchday.models import Edition
    from pitchday.services import access, devices

    url = "sqlite:///" + sys.argv[1]
    upgrade(url)
    app = create_app(Config(DATABASE_URL=url, ASYNC_MODE="threading", SECRET_KEY="the-configured-secret"))
    with app.app_context(), db.write() as session:
        stored = access.instance_secret()
        now = datetime.now(timezone.utc)
        edition = Edition(slug="e1", number=1, title="Soirée", theme="", starts_at=now, ends_at=now,
                          talks_start_at=now, venue="Lille")
        session.add(edition)
        session.flush()
        link, token = access.create_moderator_link(edition.id, hours=1)
        device_id, cookie = devices.new_device()

    def signed_by(secret):
        try:
            return [URLSafeTimedSerializer(secret, salt="pitchday.moderator-link").loads(token) == link.token_id,
                    Signer(secret, salt="pitchday.device").unsign(cookie).decode() == device_id]
        except BadSignature:
            return False
    print(json.dumps({"configured": signed_by("the-configured-secret"), "stored": signed_by(stored),
                      "distinct": stored != "the-configured-secret"}))
""")


def test_configured_secret_signs_moderator_links_and_device_cookies(tmp_path):
    completed = subprocess.run([sys.executable, "-c", SCENARIO, str(tmp_path / "secret.sqlite3")],
                               capture_output=True, text=True, timeout=120)
    assert completed.returncode == 0, completed.stderr

    assert json.loads(completed.stdout.strip().splitlines()[-1]) == {
        "configured": [True, True], "stored": False, "distinct": True}
