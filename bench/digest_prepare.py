"""How long preparing the speakers' digests takes after an evening, and that each leaves once.

In one process, on a fresh SQLite database (or ``--database-url``): an evening already over with T
talks, each with Q audience questions (half published, a quarter answered, the rest pending or
rejected) and R connect requests. Through the organiser's real views: "Préparer les bilans" (new
messages), again before sending (rewritten, none added), "send all" to a real SMTP server on
loopback (aiosmtpd), once more (nothing prepared: already sent), and the outbox page and the
public schedule.json are timed. Prints its figures and saves them in ``bench/results/``.

    .venv/bin/python bench/digest_prepare.py --talks 10 --questions 40 --requests 15
"""
from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
import uuid
from datetime import datetime, timedelta, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from aiosmtpd.controller import Controller  # noqa: E402
from sqlalchemy import func, select  # noqa: E402

from bench.outbox_send import ADMIN, PASSWORD, Inbox, csrf, free_port  # noqa: E402
from pitchday import create_app  # noqa: E402
from pitchday.config import Config  # noqa: E402
from pitchday.extensions import db  # noqa: E402
from pitchday.migrate import upgrade  # noqa: E402
from pitchday.models import ConnectRequest, Edition, OutboxMessage, Question, Talk  # noqa: E402

STATUSES = ("published", "published", "answered", "pending")


def timed(call):
    began = time.perf_counter()
    result = call()
    return result, round(time.perf_counter() - began, 3)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--talks", type=int, default=10)
    parser.add_argument("--questions", type=int, default=40)
    parser.add_argument("--requests", type=int, default=15)
    parser.add_argument("--database-url")
    args = parser.parse_args()
    url = args.database_url or f"sqlite:///{tempfile.mkdtemp(prefix='pitchday-bench-')}/digest.sqlite3"
    upgrade(url)
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    app = create_app(Config(DATABASE_URL=url, ASYNC_MODE="threading", ADMIN_EMAIL=ADMIN, ADMIN_PASSWORD=PASSWORD,
                            SECRET_KEY=None, SMTP_HOST="127.0.0.1", SMTP_PORT=controller.port, SMTP_SECURITY="none",
                            MAIL_FROM="bench@pitchday.example.org"))
    starts = datetime.now(timezone.utc) - timedelta(days=1)  # yesterday's evening: digests are open
    with app.app_context(), db.write() as session:
        edition = Edition(slug="banc-bilans", number=1, title="Banc d'essai", theme="Mesure", starts_at=starts,
                          ends_at=starts + timedelta(hours=3), talks_start_at=starts + timedelta(minutes=20),
                          venue="Salle Fictive, Lille", partners=[])
        edition.talks = [Talk(position=n + 1, title=f"Intervention fictive {n}", kind="solution",
                              organisation=f"Équipe {n}", speaker=f"Personne Fictive{n}, gérante", summary="Un résumé.",
                              contact_email=f"equipe{n}@example.org") for n in range(args.talks)]
        session.add(edition)
        session.flush()
        for talk in edition.talks:
            for q in range(args.questions):
                status = STATUSES[q % 4] if q % 8 else "rejected"
                session.add(Question(edition_id=edition.id, talk_id=talk.id, client_id=str(uuid.uuid4()),
                                     device_id="d" * 16, text=f"Question fictive {q} ?", status=status, votes=q % 7))
            for r in range(args.requests):
                session.add(ConnectRequest(edition_id=edition.id, talk_id=talk.id, client_id=str(uuid.uuid4()),
                                           device_id="d" * 16, name=f"Visiteur Fictif{r}", organisation="Essai SAS",
                                           email=f"visiteur{talk.id}-{r}@example.org", intent="learn_more",
                                           consent_text="J'accepte…", consented_at=starts, message="Bonjour."))
        edition_id = edition.id

    http = app.test_client()
    http.post("/organiser/login", data={"email": ADMIN, "password": PASSWORD,
                                        "csrf_token": csrf(http.get("/organiser/login").text)})
    page = f"/organiser/editions/{edition_id}/outbox"
    token = csrf(http.get(page).text)
    _first, prepare_s = timed(lambda: http.post(page + "/digests", data={"csrf_token": token}))
    _again, rewrite_s = timed(lambda: http.post(page + "/digests", data={"csrf_token": token}))
    _page, page_s = timed(lambda: http.get(page))
    _sent, send_s = timed(lambda: http.post(page + "/send", data={"action": "send_all", "csrf_token": token}))
    _after, after_s = timed(lambda: http.post(page + "/digests", data={"csrf_token": token}))
    schedule, schedule_s = timed(lambda: http.get("/e/banc-bilans/schedule.json"))
    controller.stop()
    with app.app_context(), db.read() as session:
        states = dict(session.execute(select(OutboxMessage.state, func.count()).group_by(OutboxMessage.state)).all())
    once = len(inbox.recipients) == len(set(inbox.recipients)) == args.talks
    figures = {
        "talks": args.talks, "questions_per_talk": args.questions, "requests_per_talk": args.requests,
        "database": url.split(":", 1)[0],
        "prepare_s": prepare_s, "prepare_per_talk_ms": round(1000 * prepare_s / args.talks, 1),
        "prepare_again_unsent_s": rewrite_s, "outbox_page_s": page_s, "send_all_s": send_s,
        "prepare_after_sent_s": after_s, "schedule_json_s": schedule_s,
        "schedule_json_bytes": len(schedule.get_data()),
        "received": len(inbox.recipients), "each_received_once": once, "states_after": states,
    }
    for name, value in figures.items():
        print(f"{name:>24}: {value}")
    results = Path(__file__).resolve().parent / "results"
    stem = f"digest_prepare-{datetime.now().date().isoformat()}"
    path, n = results / f"{stem}.json", 2
    while path.exists():
        path, n = results / f"{stem}-{n}.json", n + 1
    path.write_text(json.dumps({"command": " ".join(sys.argv), "figures": figures}, indent=2) + "\n", encoding="utf-8")
    print(f"saved {path.relative_to(Path(__file__).resolve().parent.parent)}")
    if not once or states != {"sent": args.talks}:
        sys.exit(1)


if __name__ == "__main__":
    main()
