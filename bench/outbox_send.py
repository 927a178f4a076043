"""How long the outbox takes to prepare and send an evening's decisions, exactly once each.

In one process, on a fresh SQLite database (or ``--database-url``): N applications are decided
(each decision prepares its message), then "send all" goes through the organiser's real view to a
real SMTP server on loopback (aiosmtpd). Each message is three committed units of work and one SMTP
connection. The script checks that every message arrived exactly once, then a second "send all"
that must send nothing. It prints its figures and saves them in ``bench/results/``.

    .venv/bin/python bench/outbox_send.py --messages 100
"""
from __future__ import annotations

import argparse
import re
import socket
import sys
import tempfile
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from aiosmtpd.controller import Controller  # noqa: E402
from sqlalchemy import func, select  # noqa: E402

from pitchday import create_app  # noqa: E402
from pitchday.config import Config  # noqa: E402
from pitchday.extensions import db  # noqa: E402
from pitchday.migrate import upgrade  # noqa: E402
from pitchday.models import Application, Edition, OutboxMessage  # noqa: E402
from pitchday.services import programme  # noqa: E402

PASSWORD = "mot de passe du banc d'essai"
ADMIN = "admin@banc-essai.example.org"


class Inbox:
    def __init__(self):
        self.recipients: list[str] = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd's hook name)
        self.recipients.extend(envelope.rcpt_tos)
        return "250 OK"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def csrf(html: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--messages", type=int, default=100)
    parser.add_argument("--database-url")
    args = parser.parse_args()
    url = args.database_url or f"sqlite:///{tempfile.mkdtemp(prefix='pitchday-bench-')}/outbox.sqlite3"
    upgrade(url)
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    app = create_app(Config(DATABASE_URL=url, ASYNC_MODE="threading", ADMIN_EMAIL=ADMIN, ADMIN_PASSWORD=PASSWORD, SECRET_KEY=None,
                            SMTP_HOST="127.0.0.1", SMTP_PORT=controller.port, SMTP_SECURITY="none",
                            MAIL_FROM="bench@pitchday.example.org"))
    starts = datetime.now(timezone.utc) + timedelta(days=20)
    with app.app_context():
        with db.write() as session:
            edition = Edition(slug="banc", number=1, title="Banc d'essai", theme="Mesure", starts_at=starts,
                              ends_at=starts + timedelta(hours=3), talks_start_at=starts + timedelta(minutes=20),
                              venue="Salle Fictive, Lille", partners=[])
            session.add(edition)
            session.flush()
            for n in range(args.messages):
                session.add(Application(
                    edition_id=edition.id, reference=f"BANC-{n:04d}", received_at=starts - timedelta(days=30),
                    source="import", status="received", project_name=f"Projet fictif {n}", organisation="Essai SAS",
                    applicant_type="entreprise", address="Lille", referent_name=f"Personne Fictive{n}",
                    referent_role="Gérante", referent_email=f"personne{n}@example.org", talk_kind="solution",
                    description="Un projet.", situation="En essai."))
            edition_id = edition.id
        with db.read() as session:
            ids = list(session.scalars(select(Application.id).where(Application.edition_id == edition_id)))
        began = time.perf_counter()
        for index, application_id in enumerate(ids):
            with db.write():  # one unit of work per decision, as the organiser's page does
                programme.decide_application(edition_id, application_id, "retain" if index < 10 else "decline")
        prepare_s = time.perf_counter() - began

    http = app.test_client()
    http.post("/organiser/login", data={"email": ADMIN, "password": PASSWORD, "csrf_token": csrf(http.get("/organiser/login").text)})
    page = f"/organiser/editions/{edition_id}/outbox"
    token = csrf(http.get(page).text)
    began = time.perf_counter()
    first = http.post(page + "/send", data={"action": "send_all", "csrf_token": token})
    send_s = time.perf_counter() - began
    second = http.post(page + "/send", data={"action": "send_all", "csrf_token": token})
    controller.stop()
    with app.app_context(), db.read() as session:
        states = dict(session.execute(select(OutboxMessage.state, func.count()).group_by(OutboxMessage.state)).all())
    once = len(inbox.recipients) == len(set(inbox.recipients)) == args.messages
    figures = {
        "messages": args.messages,
        "database": url.split(":", 1)[0],
        "prepare_total_s": round(prepare_s, 3),
        "prepare_per_decision_ms": round(1000 * prepare_s / args.messages, 2),
        "send_all_total_s": round(send_s, 3),
        "send_per_message_ms": round(1000 * send_s / args.messages, 2),
        "messages_per_s": round(args.messages / send_s, 1),
        "received": len(inbox.recipients),
        "each_received_once": once,
        "states_after": states,
        "second_send_status": second.status_code,
        "first_send_status": first.status_code,
    }
    for name, value in figures.items():
        print(f"{name:>26}: {value}")
    results = Path(__file__).resolve().parent / "results"
    stem = f"outbox_send-{datetime.now().date().isoformat()}"
    path = results / f"{stem}.json"
    n = 2
    while path.exists():
        path, n = results / f"{stem}-{n}.json", n + 1
    import json

    path.write_text(json.dumps({"command": " ".join(sys.argv), "figures": figures}, indent=2) + "\n", encoding="utf-8")
    print(f"saved {path.relative_to(Path(__file__).resolve().parent.parent)}")
    if not once or states != {"sent": args.messages}:
        sys.exit(1)


if __name__ == "__main__":
    main()
