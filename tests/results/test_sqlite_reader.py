"""Reading SQLite for the results never harms the app's own connections.

connectorx links a copy of SQLite of its own; closing its connection in the app's process deleted
the WAL under the app's connections (later commits unseen, then "disk I/O error"). It now reads
in a helper process.
"""

import sqlite3

import pytest

from surveyapp.definitions.store import get_survey
from surveyapp.demo import insert_demo_responses
from surveyapp.extensions import db
from surveyapp.results import data
from surveyapp.results.compute import clear_cache
from surveyapp.results.compute import compute_results
from tests.conftest import fresh_database
from tests.conftest import make_app

KEY = "nanyang-dcm"


@pytest.fixture
def sqlite_app(request, tmp_path):
    """The app on a SQLite file (what the helper process reads), whatever the backends."""
    app = make_app(fresh_database(request, "sqlite", tmp_path))
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def test_commits_after_a_results_read_are_seen_and_the_file_stays_sound(sqlite_app):
    app = sqlite_app
    path = app.config["SQLALCHEMY_DATABASE_URI"].removeprefix("sqlite:///")
    with app.app_context():
        assert data._connectorx_uri(db.engine.url).startswith("sqlite://")
        survey = get_survey(KEY)
        insert_demo_responses(survey, 40, seed=3)
        db.session.commit()
        assert compute_results(survey).n == 40
        for round_ in range(3):
            insert_demo_responses(get_survey(KEY), 10, seed=4 + round_)
            db.session.commit()
            clear_cache()
            assert compute_results(get_survey(KEY)).n == 50 + 10 * round_
    with sqlite3.connect(path) as other:  # a connection of its own sees every commit
        assert other.execute("select count(*) from responses").fetchone()[0] == 70
        assert other.execute("pragma integrity_check").fetchone()[0] == "ok"
