"""Fixtures of the reliability tests: a fresh database per test and the app under gunicorn."""

import sys
from pathlib import Path

import pytest

# The test modules import their helpers from this folder (it has no __init__.py).
sys.path.insert(0, str(Path(__file__).resolve().parent))

from reliability_support import POSTGRES_URL  # noqa: E402
from reliability_support import SERVER_BACKENDS  # noqa: E402
from reliability_support import harness  # noqa: E402
from reliability_support import start_server  # noqa: E402


@pytest.fixture
def database_of(request, tmp_path):
    """``database_of(backend)``: a fresh migrated database with the default survey loaded."""
    made = []

    def make(backend):
        if backend == "sqlite":
            url = f"sqlite:///{tmp_path}/served.sqlite"
        else:
            name = harness.unique_name("h_rel")
            url = harness.postgres_database(POSTGRES_URL, name)
            made.append(name)
        return url, harness.prepare_database(url)

    yield make
    for name in made:
        harness.drop_postgres_database(POSTGRES_URL, name)


@pytest.fixture(params=SERVER_BACKENDS)
def served(request, tmp_path, database_of):
    """The app under gunicorn (2 workers x 4 threads) on a fresh database of each backend."""
    url, version_id = database_of(request.param)
    running = start_server(url, version_id, tmp_path)
    yield running
    running.server.stop()
