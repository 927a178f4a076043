"""Two writers contending for SQLite must not freeze the event loop (issue 8, "the server can freeze").

The scenario runs in a fresh interpreter, monkey-patched first like ``pitchday serve``: two writer
greenlets each hold a write unit of work while they yield cooperatively (as a handler does when it
waits on the network), and a third greenlet measures how late the hub wakes it. Before the fix a
writer's ``BEGIN IMMEDIATE`` waited inside SQLite's C busy handler, which blocks the whole hub:
the holder could never finish and the lag reached busy_timeout (10 s), or "database is locked".
"""
from __future__ import annotations

import json
import subprocess
import sys
import textwrap

import pytest

pytestmark = pytest.mark.integration

SCENARIO = textwrap.dedent("""
    import json, sys, time
    MODE = sys.argv[1]
    if MODE == "eventlet":
        import eventlet
        eventlet.monkey_patch()
        spawn, sleep, joinall = eventlet.spawn, eventlet.sleep, lambda gs: [g.wait() for g in gs]
    else:
        from gevent import monkey
        monkey.patch_all()
        import gevent
        spawn, sleep, joinall = gevent.spawn, gevent.sleep, gevent.joinall

    from pitchday import create_app
    from pitchday.config import Config
    from pitchday.extensions import db
    from pitchday.migrate import upgrade
    from pitchday.models import Setting

    url = "sqlite:///" + sys.argv[2]
    upgrade(url)
    app = create_app(Config(DATABASE_URL=url, ASYNC_MODE=MODE, SECRET_KEY="contention-test"))
    ROUNDS, HOLD_S = 10, 0.05
    errors, lags, done = [], [], []

    def writer(name):
        try:
            with app.app_context():
                for i in range(ROUNDS):
                    with db.write():
                        db.current().add(Setting(key=f"{name}-{i}", value="x"))
                        db.current().flush()
                        sleep(HOLD_S)  # yield while holding the write transaction
        except Exception as error:
            errors.append(f"{name}: {type(error).__name__}: {error}")
        finally:
            done.append(name)

    def watcher():
        while len(done) < 2:
            started = time.monotonic()
            sleep(0.01)
            lags.append(time.monotonic() - started - 0.01)

    joinall([spawn(watcher), spawn(writer, "a"), spawn(writer, "b")])
    with app.app_context(), db.read():
        stored = db.current().query(Setting).filter(Setting.value == "x").count()
    print(json.dumps({"errors": errors, "max_lag_s": max(lags), "stored": stored}))
""")


@pytest.mark.parametrize("mode", ["eventlet", "gevent"])
def test_sqlite_writers_contending_keep_the_event_loop_responsive(tmp_path, mode):
    completed = subprocess.run([sys.executable, "-c", SCENARIO, mode, str(tmp_path / "contention.sqlite3")],
                               capture_output=True, text=True, timeout=120)
    assert completed.returncode == 0, completed.stderr
    result = json.loads(completed.stdout.strip().splitlines()[-1])
    assert result["errors"] == []
    assert result["stored"] == 20
    assert result["max_lag_s"] < 0.5, result
