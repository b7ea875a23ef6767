"""Migrations that move data: what was stored before them is still right after them."""

import uuid
from urllib.parse import urlsplit
from urllib.parse import urlunsplit

import flask_migrate
import pytest
from sqlalchemy import create_engine
from sqlalchemy import text

from surveyapp import create_app
from surveyapp.config import normalise_database_url
from surveyapp.definitions import builtin_path
from surveyapp.definitions import load_file
from tests.conftest import BACKENDS
from tests.conftest import POSTGRES_URL
from tests.conftest import make_config

BEFORE_DEMOGRAPHIC = "164188d8be87"


@pytest.fixture(params=BACKENDS)
def empty_database(request, tmp_path):
    """The URL of an empty database of its own (PostgreSQL: created next to the test one)."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'migrations.sqlite'}"
        return
    base = normalise_database_url(POSTGRES_URL)
    name = f"migrations_{uuid.uuid4().hex[:10]}"
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield urlunsplit(urlsplit(base)._replace(path="/" + name))
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def test_answers_to_demographic_questions_are_marked_from_their_version(empty_database):
    app = create_app(make_config(empty_database))
    with app.app_context():
        flask_migrate.upgrade(revision=BEFORE_DEMOGRAPHIC)
        from surveyapp.extensions import db

        definition = load_file(builtin_path("nanyang-dcm")).to_dict()
        # A second version in which "gender" is not demographic: its answers stay unmarked.
        other = {
            **definition,
            "questions": [
                {**q, "type": "single"} if q["key"] == "gender" else q
                for q in definition["questions"]
            ],
        }
        tables = db.metadata.tables  # unchanged by the migration, but for answers
        with db.engine.begin() as conn:
            conn.execute(tables["surveys"].insert().values(id=1, key="nanyang-dcm"))
            for vid, data in ((1, definition), (2, other)):
                conn.execute(
                    tables["survey_versions"]
                    .insert()
                    .values(id=vid, survey_id=1, number=vid, sha256=f"{vid:064x}", definition=data)
                )
            for rid, vid in ((1, 1), (2, 2)):
                conn.execute(
                    tables["responses"]
                    .insert()
                    .values(id=rid, survey_id=1, version_id=vid, submission_token=f"tok-{rid}")
                )
                for question, code in (("district", 2), ("gender", 1), ("sat_roads", 4)):
                    conn.execute(
                        text(
                            "INSERT INTO answers (response_id, survey_id, question, code) "
                            "VALUES (:rid, 1, :question, :code)"
                        ),
                        {"rid": rid, "question": question, "code": code},
                    )
        flask_migrate.upgrade()
        with db.engine.connect() as conn:
            marked = {
                (rid, question): bool(flag)
                for rid, question, flag in conn.execute(
                    text("SELECT response_id, question, demographic FROM answers")
                )
            }
        db.engine.dispose()
    assert marked == {
        (1, "district"): True,
        (1, "gender"): True,
        (1, "sat_roads"): False,
        (2, "district"): True,
        (2, "gender"): False,
        (2, "sat_roads"): False,
    }
