"""Shared fixtures: ``app`` (on SQLite, and on PostgreSQL when TEST_DATABASE_URL is set),
``client``, ``runner`` and ``db``. The schema always comes from running the migrations."""

import os
import shutil

import flask_migrate
import pytest
from sqlalchemy import create_engine
from sqlalchemy import text
from sqlalchemy.exc import OperationalError

from surveyapp import create_app
from surveyapp.config import normalise_database_url
from surveyapp.definitions import builtin_path
from surveyapp.definitions import load_file
from surveyapp.definitions.store import save_definition
from surveyapp.extensions import db as _db

POSTGRES_URL = os.environ.get("TEST_DATABASE_URL")
BACKENDS = ["sqlite"] + (["postgresql"] if POSTGRES_URL else [])

# The items of the default survey's Likert group, read from the shipped definition.
SAT_ITEMS = tuple(
    item.key for item in load_file(builtin_path("nanyang-dcm")).question("satisfaction").items
)


def make_config(url, **overrides):
    """The test configuration for a database URL."""
    config = {
        "TESTING": True,
        "SECRET_KEY": "test-secret-key",
        "SQLALCHEMY_DATABASE_URI": url,
        "RATELIMIT_ENABLED": False,
    }
    config.update(overrides)
    return config


def migrate_database(url):
    """Build the schema the only supported way: by running the migrations."""
    app = create_app(make_config(url))
    with app.app_context():
        flask_migrate.upgrade()
        _db.engine.dispose()


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory):
    """A migrated SQLite file, copied for each test (much faster than migrating each time)."""
    path = tmp_path_factory.mktemp("template") / "template.sqlite"
    migrate_database(f"sqlite:///{path}")
    return path


@pytest.fixture(scope="session")
def postgres_url():
    """The migrated PostgreSQL test database, or a skip saying why there is none."""
    if not POSTGRES_URL:
        pytest.skip(
            "PostgreSQL tests need TEST_DATABASE_URL (e.g. postgresql://postgres@127.0.0.1/test)"
        )
    url = normalise_database_url(POSTGRES_URL)
    engine = create_engine(url)
    try:
        with engine.begin() as conn:
            conn.execute(text("DROP SCHEMA public CASCADE"))
            conn.execute(text("CREATE SCHEMA public"))
    except OperationalError as exc:
        pytest.skip(f"PostgreSQL at TEST_DATABASE_URL is unreachable: {exc.orig}")
    finally:
        engine.dispose()
    migrate_database(url)
    return url


def _empty_postgres(url):
    engine = create_engine(url)
    tables = ", ".join(t.name for t in _db.metadata.sorted_tables)
    with engine.begin() as conn:
        # The audit log's triggers refuse TRUNCATE; a superuser's replica role skips triggers.
        conn.execute(text("SET LOCAL session_replication_role = replica"))
        conn.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
    engine.dispose()


def fresh_database(request, backend, tmp_path, name="app"):
    """The URL of a fresh, migrated, empty database of ``backend`` ("sqlite" or "postgresql")."""
    if backend == "sqlite":
        path = tmp_path / f"{name}.sqlite"
        shutil.copyfile(request.getfixturevalue("sqlite_template"), path)
        return f"sqlite:///{path}"
    url = request.getfixturevalue("postgres_url")
    _empty_postgres(url)
    return url


def make_app(url, **overrides):
    """An application on ``url`` with the default survey loaded."""
    app = create_app(make_config(url, **overrides))
    with app.app_context():
        save_definition(
            load_file(builtin_path("nanyang-dcm")), source_name="builtin:nanyang-dcm", status="open"
        )
        _db.session.commit()
    return app


@pytest.fixture(params=BACKENDS)
def app(request, tmp_path):
    """The application with the default survey loaded, on each available backend."""
    app = make_app(fresh_database(request, request.param, tmp_path))
    yield app
    with app.app_context():
        _db.session.remove()
        _db.engine.dispose()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def db(app):
    """The SQLAlchemy handle inside an application context."""
    with app.app_context():
        yield _db


def create_user(username, role, password="correct horse battery staple"):
    """Add a console user (inside an app context) and return it."""
    from surveyapp.models import User

    user = User(username=username, role=role)
    user.set_password(password)
    _db.session.add(user)
    _db.session.commit()
    return user


def login_as(client, user):
    """Log ``client`` in as ``user`` through the Flask-Login session, without the login form."""
    with client.session_transaction() as session:
        session["_user_id"] = str(user.id)
        session["_fresh"] = True


@pytest.fixture
def users(app):
    """One user of each role: ``users["admin"]``, ``users["evaluator"]``, ``users["viewer"]``."""
    with app.app_context():
        made = {role: create_user(f"{role}1", role) for role in ("admin", "evaluator", "viewer")}
        for user in made.values():
            _db.session.refresh(user)
            _db.session.expunge(user)
    return made


@pytest.fixture
def live_server(app):
    """``app`` served by werkzeug in a thread on a free loopback port; yields the base URL."""
    import threading

    from werkzeug.serving import make_server

    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="live-server", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=10)
        server.server_close()


@pytest.fixture(params=BACKENDS)
def app_with(request, tmp_path):
    """``app_with(**config)``: an app like ``app`` (fresh database, default survey), overridden.

    For settings read when the app is created (RATELIMIT_ENABLED, say). Use it instead of ``app``.
    """
    made = []

    def build(**overrides):
        url = fresh_database(request, request.param, tmp_path, name=f"app_with{len(made)}")
        made.append(make_app(url, **overrides))
        return made[-1]

    yield build
    for built in made:
        with built.app_context():
            _db.session.remove()
            _db.engine.dispose()


CHROMIUM = "/usr/bin/chromium"
# Marks for a module of browser tests: they skip, saying why, where Debian's Chromium is absent.
BROWSER_TESTS = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not os.path.exists(CHROMIUM),
        reason="Debian's chromium is not installed (apt-get install chromium)",
    ),
]


@pytest.fixture(scope="module")
def browser():
    """Debian's Chromium driven by Playwright (never a downloaded browser)."""
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        yield chromium
        chromium.close()
