from __future__ import annotations

import pytest
from sqlalchemy import delete, select

from pitchday import create_app
from pitchday.config import Config
from pitchday.extensions import db, socketio
from pitchday.migrate import upgrade
from pitchday.models import Base, Setting
from pitchday.services import access, audit, privacy
from tests import factories

ORGANISER_PASSWORD = factories.PASSWORD  # every test account's password
ORGANISER_EMAIL = "admin@equipe-essai.example.org"  # the admin of the ``organiser`` fixture


@pytest.fixture(scope="session")
def app(database_url):
    upgrade(database_url)
    # DEVICE_WARMUP_MS=0: a test's phone submits as soon as connected (test_new_devices.py sets it back).
    application = create_app(Config(DATABASE_URL=database_url, ASYNC_MODE="threading", TESTING=True,
                                    SECRET_KEY=None, DEVICE_WARMUP_MS=0))
    application.config["WTF_CSRF_ENABLED"] = True
    return application


def clean_database(app, *, admin: bool = True) -> None:
    """Every table emptied but the instance's settings (its secret stays; the notice goes) and, with
    ``admin``, the world's admin account (``ORGANISER_EMAIL``, ``ORGANISER_PASSWORD``, admin of
    every edition), kept as it was so that a client signed in before the clean stays signed in."""
    from pitchday.models import Account, RoleGrant
    from pitchday.services import accounts

    with app.app_context():
        with db.write() as session:
            audit.permit_clearing(session)  # the trail is append-only for the application
            keep = session.scalar(select(Account.id).where(Account.email == ORGANISER_EMAIL)) if admin else None
            for table in reversed(Base.metadata.sorted_tables):
                if table.name == "accounts" and keep is not None:
                    session.execute(delete(table).where(table.c.id != keep))
                elif table.name == "role_grants" and keep is not None:
                    session.execute(delete(RoleGrant).where(
                        (RoleGrant.account_id != keep) | (RoleGrant.role != "admin") | RoleGrant.edition_id.is_not(None)))
                elif table.name != "settings":
                    session.execute(delete(table))
            session.execute(delete(Setting).where(Setting.key == privacy.SETTINGS_KEY))
            session.execute(delete(Setting).where(Setting.key == "accessibility_statement"))  # wording
            session.execute(delete(Setting).where(Setting.key == access.PASSWORD_KEY))
            if keep is not None:
                kept = session.get(Account, keep)
                kept.disabled_at = None
                if accounts.check_password(ORGANISER_EMAIL, ORGANISER_PASSWORD) is None:
                    kept.password_hash = None
                    accounts.set_password(kept, ORGANISER_PASSWORD)
        if admin and keep is None:
            factories.make_account(ORGANISER_EMAIL, role="admin", name="Admin d'Essai")
    from pitchday.extensions import rate_limits
    from pitchday.services import broadcast

    rate_limits.reset()  # counters are per process: each test starts with none
    broadcast.forget_snapshots()  # the shared snapshots of editions that no longer exist


# The slug of the edition the current test built: the default of connect() and phone().
_world = {"slug": factories.SLUG}


def fresh_edition(app, **fields):
    """A clean database holding one edition built by ``factories.make_edition(**fields)``."""
    clean_database(app)
    with app.app_context():
        built = factories.make_edition(**fields)
    _world["slug"] = built.slug
    return built


@pytest.fixture()
def edition(app):
    """A clean database holding one small edition of three talks (tests/factories.py)."""
    return fresh_edition(app)


@pytest.fixture()
def demo_edition(app):
    """A clean database holding the demo edition only: for the tests of the demo itself
    (test_demo.py) and those whose subject is its imported pool of applications."""
    from pitchday.services import editions

    clean_database(app)
    with app.app_context(), db.write():
        demo = editions.load_demo_edition()
    _world["slug"] = demo.slug
    return demo


@pytest.fixture()
def client(app):
    return app.test_client()


@pytest.fixture()
def moderator_http(app, edition):
    """An HTTP client holding a moderator cookie, obtained through a real moderator link."""
    from pitchday.services import access

    with app.app_context(), db.write():
        _link, token = access.create_moderator_link(edition.id, hours=2, label="test")
    http = app.test_client()
    response = http.get(f"/m/{token}")
    assert response.status_code == 303
    return http


_open_clients: list = []


def connect(app, view, *, http=None, edition_slug=None):
    """A Socket.IO test client for ``view`` (of the test's edition by default); disconnected after the test."""
    kwargs = {"auth": {"edition": edition_slug or _world["slug"], "view": view}}
    if http is not None:
        kwargs["flask_test_client"] = http
    sio = socketio.test_client(app, **kwargs)
    _open_clients.append(sio)
    return sio


@pytest.fixture(autouse=True)
def _disconnect_clients():
    yield
    while _open_clients:
        sio = _open_clients.pop()
        if sio.is_connected():
            sio.disconnect()


def events(sio, name):
    return [e["args"][0] for e in sio.get_received() if e["name"] == name]


def phone(app, *, address: str = "192.0.2.10", opened_page_s_ago: int | None = None):
    """A phone that opened the audience page (it holds its device cookie) and its socket.

    ``address`` is the peer address the server sees (the venue's public address, shared by the room).
    ``opened_page_s_ago``: the phone got its cookie that long ago (a phone of the room, not a new one).
    """
    http = app.test_client()
    http.environ_base["REMOTE_ADDR"] = address
    if opened_page_s_ago is not None:
        import time

        from pitchday.services import devices

        with app.app_context():
            _device, cookie = devices.new_device(born_s=int(time.time()) - opened_page_s_ago)
        http.set_cookie(devices.DEVICE_COOKIE, cookie)
    assert http.get(f"/e/{_world['slug']}/").status_code == 200
    sio = connect(app, "audience", http=http)
    return http, sio


def moderator_socket(app, moderator_http):
    return connect(app, "moderator", http=moderator_http)


def csrf_token(html: str) -> str:
    import re

    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)


def login(http, email: str = ORGANISER_EMAIL, password: str = ORGANISER_PASSWORD, *, next_path: str | None = None):
    """Sign ``http`` in through the real login form (its CSRF token included); the response."""
    token = csrf_token(http.get("/organiser/login").text)
    url = "/organiser/login" + (f"?next={next_path}" if next_path is not None else "")
    return http.post(url, data={"email": email, "password": password, "csrf_token": token})


def signed_in(app, *, role: str | None = "admin", edition_id: int | None = None,
              email: str = ORGANISER_EMAIL, name: str = ""):
    """A new account with ``role`` (for ``edition_id``; None: every edition) and an HTTP client
    signed in as it through the real login form."""
    if email != ORGANISER_EMAIL:  # that one, every world's admin, exists already
        with app.app_context():
            factories.make_account(email, role=role, edition_id=edition_id, name=name)
    http = app.test_client()
    assert login(http, email).status_code == 302
    return http


@pytest.fixture()
def organiser(app, edition):
    """An HTTP client signed in as an admin account (through the real login form)."""
    return signed_in(app)


def post_form(http, url: str, data: dict, *, page: str | None = None):
    """POST ``data`` with the CSRF token of ``page`` (by default the form's own page)."""
    token = csrf_token(http.get(page or url).text)
    return http.post(url, data={**data, "csrf_token": token})
