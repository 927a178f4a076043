"""WSGI entry point for gunicorn in gevent mode: ``gunicorn -k gevent -w 1 pitchday.wsgi:app``.

gunicorn's gevent worker has already patched the standard library when this is imported.
"""
import os

os.environ.setdefault("PITCHDAY_ASYNC_MODE", "gevent")

from .config import Config  # noqa: E402
from .migrate import upgrade  # noqa: E402

upgrade(Config().DATABASE_URL)

from . import create_app  # noqa: E402
from .realtime import scheduler  # noqa: E402

app = create_app()
from .extensions import db  # noqa: E402

with app.app_context(), db.write():
    from .services import privacy

    privacy.purge()  # retention is enforced at every start (as `pitchday serve` does)
scheduler.start(app)

from .process import prepare_for_serving  # noqa: E402

prepare_for_serving()
