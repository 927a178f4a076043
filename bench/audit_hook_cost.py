"""Cost of the audit trail's hook: N decision POSTs through the test client, with the hook's
listeners and without them, alternated (best of 3). Run: .venv/bin/python bench/audit_hook_cost.py"""
import sys
import tempfile
import time
from sqlalchemy import event, select
sys.path.insert(0, str(__import__("pathlib").Path(__file__).resolve().parents[1]))
from pitchday import create_app
from pitchday.config import Config
from pitchday.migrate import upgrade
from pitchday.extensions import db
from pitchday.models import Application
from pitchday.web.organiser import audit as hook
from tests import factories

url = f"sqlite:///{tempfile.mkdtemp()}/b.sqlite3"
upgrade(url)
app = create_app(Config(DATABASE_URL=url, ASYNC_MODE="threading", TESTING=True))
app.config["WTF_CSRF_ENABLED"] = False
with app.app_context():
    edition = factories.make_edition(applications=True)
    factories.make_account("bench@example.org", role="admin")
    with db.read() as s:
        app_id = s.scalars(select(Application.id).where(Application.edition_id == edition.id)).first()
http = app.test_client()
assert http.post("/organiser/login", data={"email": "bench@example.org", "password": factories.PASSWORD}).status_code == 302
path = f"/organiser/editions/{edition.id}/applications/{app_id}"
N = 200
def run():
    t = time.perf_counter()
    for i in range(N):
        r = http.post(path, data={"decision": "decline" if i % 2 else "reconsider"})
        assert r.status_code == 303, r.status_code
    return (time.perf_counter() - t) / N * 1000
LISTENERS = (("before_flush", hook._note_changes), ("do_orm_execute", hook._note_statement),
             ("before_commit", hook._record_request), ("after_transaction_end", hook._forget))
run()  # warm up
on, off = [], []
for _round in range(3):
    on.append(run())
    for name, fn in LISTENERS:
        event.remove(db.session, name, fn)
    off.append(run())
    for name, fn in LISTENERS:
        event.listen(db.session, name, fn)
print(f"per decision POST: hook on {min(on):.2f} ms, hook off {min(off):.2f} ms (best of 3 x {N})")
