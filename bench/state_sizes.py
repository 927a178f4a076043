#!/usr/bin/env python3
"""How many bytes each view receives per state change, for the demo edition once its first talk started.

Sizes are of the Socket.IO event as python-socketio encodes it (``42["state",…]``: compact JSON,
non-ASCII escaped), the same bytes for every socket of a room. No server is started: the demo is
loaded into a temporary SQLite file and the messages are built as ``services/broadcast`` builds them.

    .venv/bin/python bench/state_sizes.py
"""
from __future__ import annotations

import json
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from pitchday import create_app  # noqa: E402
from pitchday.config import Config  # noqa: E402
from pitchday.extensions import db  # noqa: E402
from pitchday.migrate import upgrade  # noqa: E402


def encoded(message: dict) -> int:
    return len('42["state",'.encode()) + len(json.dumps(message, separators=(",", ":")).encode()) + 1


def main() -> int:
    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite:///{folder}/sizes.sqlite3"
        upgrade(url)
        app = create_app(Config(DATABASE_URL=url, ASYNC_MODE="threading", TESTING=True))
        from pitchday.services import broadcast, editions
        from pitchday.services import show as show_service

        with app.app_context():
            with db.write():
                edition_id = editions.load_demo_edition().id
            with db.write():
                show_service.run_command(edition_id, command_id="sizes-start", name="start", args={}, version=0)
            message = broadcast.snapshot(edition_id, moderator=True)
            extras = message.pop("moderator")
            rows = [("audience (phones)", encoded(broadcast.for_view(message, "audience"))),
                    ("projector, stage", encoded(broadcast.for_view(message, "projector"))),
                    ("moderator console", encoded({**message, "moderator": extras}))]
            state = message["state"]
            print("bytes per state message, demo edition, first talk started")
            for view, size in rows:
                print(f"  {view:<20} {size:>6}")
            print("of the whole public state, by field:")
            for name, value in sorted(state.items(), key=lambda kv: -len(json.dumps(kv[1]))):
                print(f"  {name:<20} {len(json.dumps(value, separators=(',', ':'))):>6}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
