"""Prepared statements on the driver's cursor behave like ``Connection.execute``: same values in
and out, SQLAlchemy's exceptions, the SQLite write lock, an invalidated connection on a lost one."""

from datetime import datetime

import pytest
from flask import g
from sqlalchemy import bindparam
from sqlalchemy import create_engine
from sqlalchemy import func
from sqlalchemy import insert
from sqlalchemy import select
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.exc import InvalidRequestError
from sqlalchemy.exc import OperationalError

from surveyapp.database import _DEFERRED
from surveyapp.extensions import db as _db
from surveyapp.models import Answer
from surveyapp.models import Response
from surveyapp.models import Survey
from surveyapp.models import SurveyVersion
from surveyapp.models._types import utcnow
from surveyapp.prepared import PreparedStatement
from surveyapp.public.services import ANSWER_COLUMNS
from tests.conftest import fresh_database
from tests.conftest import make_app

# With a literal parameter (LIMIT's), which SQLAlchemy names itself.
SURVEY_BY_KEY = (
    select(Survey.id, Survey.key, Survey.requires_token, Survey.created_at)
    .where(Survey.key == bindparam("key"))
    .limit(1)
)
GIVEN = ("survey_id", "version_id", "submission_token", "channel", "language", "started_at")


def _version(db):
    return db.session.execute(select(SurveyVersion.id, SurveyVersion.survey_id)).one()


def _response_values(db, token):
    version_id, survey_id = _version(db)
    return {
        "survey_id": survey_id,
        "version_id": version_id,
        "submission_token": token,
        "channel": "direct",
        "language": "zh_CN",
        "started_at": datetime(2026, 3, 1, 8, 30, 15),  # no microseconds: see the stored text
    }


def _stored(db, columns, order_by):
    """Rows as the driver returns them (SQLite: the stored text of datetimes, 0/1 for booleans)."""
    sql = f"SELECT {', '.join(columns)} FROM {order_by[0]} ORDER BY {order_by[1]}"
    return [tuple(row) for row in db.session.connection().exec_driver_sql(sql)]


def test_select_returns_what_core_returns(db):
    connection = db.session.connection()
    rows = PreparedStatement(SURVEY_BY_KEY).rows(connection, {"key": "nanyang-dcm"})
    expected = [tuple(row) for row in connection.execute(SURVEY_BY_KEY, {"key": "nanyang-dcm"})]
    assert rows == expected
    (_id, key, requires_token, created_at) = rows[0]
    # Converted by the column types as SQLAlchemy would (SQLite stores 0 and text).
    assert requires_token is False
    assert isinstance(created_at, datetime)
    assert PreparedStatement(SURVEY_BY_KEY).first(connection, {"key": "no-such-survey"}) is None


def test_insert_stores_what_core_stores_and_fills_defaults(db):
    statement = PreparedStatement(insert(Response.__table__), column_keys=GIVEN)
    connection = db.session.connection()
    before = utcnow()
    prepared_id = statement.inserted_id(connection, _response_values(db, "prepared"))
    connection.execute(insert(Response.__table__), _response_values(db, "core"))
    db.session.commit()
    columns = ["survey_id", "version_id", "channel", "language", "started_at", "status"]
    prepared_row, core_row = _stored(db, columns, ("responses", "id"))
    assert prepared_row == core_row
    # submitted_at (a Python default) and status (a scalar default) were filled as Core fills them.
    token, status, submitted_at = db.session.execute(
        select(Response.submission_token, Response.status, Response.submitted_at).where(
            Response.id == prepared_id
        )
    ).one()
    assert token == "prepared"  # inserted_id is the new row's key
    assert status == "valid"
    assert before <= submitted_at <= utcnow()


def test_executemany_stores_what_core_stores(db):
    responses = PreparedStatement(insert(Response.__table__), column_keys=GIVEN)
    connection = db.session.connection()
    first = responses.inserted_id(connection, _response_values(db, "a"))
    second = responses.inserted_id(connection, _response_values(db, "b"))
    survey_id = _version(db)[1]
    rows = [
        ("q1", "2", None, None, True),
        ("q2", None, 3.5, None, False),
        ("q3", None, None, "很好 fine", False),
    ]
    PreparedStatement(insert(Answer.__table__), column_keys=ANSWER_COLUMNS).executemany(
        connection, [(first, survey_id, *row) for row in rows]
    )
    connection.execute(
        insert(Answer.__table__),
        [dict(zip(ANSWER_COLUMNS, (second, survey_id, *row))) for row in rows],
    )
    db.session.commit()
    stored = _stored(db, ANSWER_COLUMNS, ("answers", "response_id, question"))
    by_response = {}
    for row in stored:
        by_response.setdefault(row[0], []).append(row[1:])
    assert by_response[first] == by_response[second]
    assert len(by_response[first]) == 3


def test_driver_errors_are_sqlalchemy_errors_and_lose_nothing(db):
    statement = PreparedStatement(insert(Response.__table__), column_keys=GIVEN)
    statement.inserted_id(db.session.connection(), _response_values(db, "once"))
    db.session.commit()
    with pytest.raises(IntegrityError):
        statement.inserted_id(db.session.connection(), _response_values(db, "once"))
    db.session.rollback()
    count = select(func.count()).select_from(Response)
    assert db.session.scalar(count) == 1
    with pytest.raises(InvalidRequestError, match="key"):
        PreparedStatement(SURVEY_BY_KEY).first(db.session.connection(), {})


@pytest.fixture
def app_on(request, tmp_path):
    """``app_on(backend)``: the application on a fresh database of ``backend``."""
    made = []

    def build(backend):
        made.append(make_app(fresh_database(request, backend, tmp_path)))
        return made[-1]

    yield build
    for app in made:
        with app.app_context():
            _db.engine.dispose()


def test_a_write_in_a_deferred_sqlite_request_takes_the_write_lock(app_on):
    app = app_on("sqlite")
    statement = PreparedStatement(insert(Response.__table__), column_keys=GIVEN)
    with app.test_request_context("/"):
        g.setdefault(_DEFERRED, True)
        connection = _db.session.connection()
        driver = connection.connection.dbapi_connection
        assert not driver.in_transaction  # reads run outside a transaction in such a request
        statement.inserted_id(connection, _response_values(_db, "rolled-back"))
        assert driver.in_transaction
        _db.session.rollback()
        assert _db.session.scalar(select(func.count()).select_from(Response)) == 0


def test_a_lost_postgresql_connection_is_invalidated(app_on):
    app = app_on("postgresql")
    url = app.config["SQLALCHEMY_DATABASE_URI"]
    with app.app_context():
        connection = _db.session.connection()
        pid = connection.exec_driver_sql("SELECT pg_backend_pid()").scalar()
        killer = create_engine(url)
        with killer.begin() as other:
            other.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
        killer.dispose()
        with pytest.raises(OperationalError) as raised:
            PreparedStatement(SURVEY_BY_KEY).first(connection, {"key": "nanyang-dcm"})
        assert raised.value.connection_invalidated
        _db.session.rollback()
        # The next statement gets a new connection.
        assert PreparedStatement(SURVEY_BY_KEY).first(
            _db.session.connection(), {"key": "nanyang-dcm"}
        )
