"""Backup and restore: a consistent snapshot, refused restores, and round trips across databases."""

import gzip
import json
import random
from datetime import datetime
from datetime import timedelta

import pytest
from sqlalchemy import insert
from sqlalchemy import select

from surveyapp import create_app
from surveyapp.backup import tables
from surveyapp.extensions import db as _db
from surveyapp.models import AnalysisSettings
from surveyapp.models import Answer
from surveyapp.models import ApiToken
from surveyapp.models import AuditEntry
from surveyapp.models import DeletionRequest
from surveyapp.models import Evaluation
from surveyapp.models import EvaluationVersion
from surveyapp.models import FormStart
from surveyapp.models import Invitation
from surveyapp.models import Quota
from surveyapp.models import Response
from surveyapp.models import ResponseFlag
from surveyapp.models import SpentForm
from surveyapp.models import Survey
from surveyapp.models import User
from tests.conftest import BACKENDS
from tests.conftest import SAT_ITEMS
from tests.conftest import fresh_database
from tests.conftest import make_app
from tests.conftest import make_config

N_RESPONSES = 3000
BACKUP_ACTIONS = ("backup.create", "backup.restore")


def populate(app, n=N_RESPONSES):
    """Rows in every table, with thousands of responses, inserted in bulk."""
    rng = random.Random(20261127)
    base = datetime(2026, 11, 1, 8, 0, 0, 123456)
    with app.app_context():
        survey = _db.session.scalar(select(Survey))
        version = survey.latest_version
        admin = User(username="admin", role="admin")
        admin.set_password("pw")
        other = User(username="审核员", role="evaluator", active=False)
        other.set_password("pw2")
        _db.session.add_all([admin, other])
        _db.session.flush()
        _db.session.add_all(
            [
                ApiToken(
                    user_id=admin.id, name="exporter", token_sha256="ab" * 32, last_used_at=base
                ),
                Invitation(survey_id=survey.id, token="inv-1", used_at=base),
                Invitation(survey_id=survey.id, token="inv-2"),
                Quota(survey_id=survey.id, question="district", code=1, target=120),
                SpentForm(survey_id=survey.id, submission_token="spent-1", reason="quota"),
                AnalysisSettings(
                    survey_id=survey.id,
                    number=1,
                    settings={"ci": "wilson", "margins": {"1": 0.25}},
                    created_by_id=admin.id,
                ),
            ]
        )
        evaluation = Evaluation(key="city-2026", title="某项目2026年度绩效评价")
        _db.session.add(evaluation)
        _db.session.flush()
        _db.session.add(
            EvaluationVersion(
                evaluation_id=evaluation.id,
                number=1,
                document={"indicators": [{"name": "决策", "points": 15}]},
                note="载入",
                created_by_id=admin.id,
            )
        )
        _db.session.execute(
            insert(FormStart),
            [
                {"survey_id": survey.id, "channel": "qr", "started_at": base + timedelta(seconds=i)}
                for i in range(200)
            ],
        )
        responses, answers = [], []
        for i in range(1, n + 1):
            duration = None if i % 97 == 0 else round(rng.uniform(20, 900), 3)
            responses.append(
                {
                    "id": i,
                    "survey_id": survey.id,
                    "version_id": version.id,
                    "submission_token": f"s{i}",
                    "channel": rng.choice(["direct", "qr", "test"]),
                    "language": rng.choice(["zh_CN", "en"]),
                    "started_at": base + timedelta(minutes=i),
                    "duration_seconds": duration,
                    "submitted_at": base + timedelta(minutes=i, seconds=duration or 0),
                    "client_hash": f"{rng.getrandbits(64):016x}",
                    "answers_hash": f"{i:064x}",
                    "status": "excluded" if i % 50 == 0 else "valid",
                    "status_reason": "太快了 <b>" if i % 50 == 0 else None,
                }
            )
            answers.append(
                {
                    "response_id": i,
                    "survey_id": survey.id,
                    "question": "district",
                    "code": rng.randint(1, 4),
                    "demographic": True,
                }
            )
            answers.extend(
                {
                    "response_id": i,
                    "survey_id": survey.id,
                    "question": key,
                    "code": rng.choice([1, 2, 3, 4, 5, 9]),
                    "demographic": False,
                }
                for key in SAT_ITEMS
            )
            answers.append(
                {
                    "response_id": i,
                    "survey_id": survey.id,
                    "question": "years_lived",
                    "number": rng.uniform(0, 60),
                    "demographic": False,
                }
            )
            if i % 10 == 0:
                answers.append(
                    {
                        "response_id": i,
                        "survey_id": survey.id,
                        "question": "suggestion",
                        "text": '希望多设停车位，"引号"\n换行 <script>x</script>',
                        "demographic": False,
                    }
                )
        _db.session.execute(insert(Response), responses)
        _db.session.execute(insert(Answer), answers)
        _db.session.execute(
            insert(ResponseFlag),
            [
                {"response_id": i, "kind": "speeder", "reason": "took 20 s", "created_at": base}
                for i in range(1, n, 7)
            ],
        )
        _db.session.add(
            DeletionRequest(
                survey_id=survey.id,
                response_ids=[3, 4, 5],
                reason="test batch",
                requested_by_id=admin.id,
            )
        )
        _db.session.add(
            AuditEntry(
                action="response.exclude",
                user_id=admin.id,
                username="admin",
                survey_id=survey.id,
                response_id=50,
                detail={"reason": "太快了", "n": [1, 2]},
            )
        )
        _db.session.commit()
        _db.session.remove()
        _db.engine.dispose()


def _normal(value):
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, (dict, list)):
        return json.dumps(value, sort_keys=True, ensure_ascii=False)
    return value


def snapshot(app):
    """``{table: sorted tuples of every column}``, without the backup/restore audit entries."""
    found = {}
    with app.app_context():
        for table in tables():
            rows = _db.session.execute(select(table)).all()
            if table.name == "audit_log":
                rows = [r for r in rows if r.action not in BACKUP_ACTIONS]
            found[table.name] = sorted((tuple(_normal(v) for v in row) for row in rows), key=repr)
        _db.session.remove()
        _db.engine.dispose()
    return found


def empty_app(url):
    return create_app(make_config(url))


def run(app, *args):
    result = app.test_cli_runner().invoke(args=list(args))
    with app.app_context():
        _db.session.remove()
        _db.engine.dispose()
    return result


def round_trip(source, target, path):
    assert run(source, "backup", str(path)).exit_code == 0
    result = run(target, "restore", str(path))
    assert result.exit_code == 0, result.output
    assert snapshot(target) == snapshot(source)
    with target.app_context():
        last = _db.session.scalars(select(AuditEntry).order_by(AuditEntry.id.desc())).first()
        assert last.action == "backup.restore"
        # Sequences were moved past the restored ids: new rows get fresh ids.
        survey = _db.session.scalar(select(Survey))
        user = User(username="after-restore", role="viewer", password_hash="x")
        _db.session.add(user)
        _db.session.add(
            Response(
                survey_id=survey.id, version_id=survey.latest_version.id, submission_token="new"
            )
        )
        _db.session.commit()
        assert (
            _db.session.scalar(select(Response.id).where(Response.submission_token == "new"))
            > N_RESPONSES
        )
        _db.session.remove()
        _db.engine.dispose()


@pytest.mark.slow
def test_round_trip_sqlite_postgresql_sqlite(request, tmp_path):
    postgres_url = fresh_database(
        request, "postgresql", tmp_path
    )  # skips without TEST_DATABASE_URL
    source = make_app(fresh_database(request, "sqlite", tmp_path, name="source"))
    populate(source)
    expected = snapshot(source)
    assert len(expected["responses"]) == N_RESPONSES and len(expected["answers"]) > 8 * N_RESPONSES
    assert all(expected[t.name] for t in tables()), "every table holds rows"
    middle = empty_app(postgres_url)
    round_trip(source, middle, tmp_path / "from-sqlite.jsonl.gz")
    final = empty_app(fresh_database(request, "sqlite", tmp_path, name="final"))
    # The PostgreSQL copy now also holds the rows added after restoring; compare against it.
    run(middle, "backup", str(tmp_path / "from-postgresql.jsonl.gz"))
    result = run(final, "restore", str(tmp_path / "from-postgresql.jsonl.gz"))
    assert result.exit_code == 0, result.output
    assert snapshot(final) == snapshot(middle)


def test_round_trip_sqlite_to_sqlite_and_header(request, tmp_path):
    source = make_app(fresh_database(request, "sqlite", tmp_path, name="source"))
    populate(source, n=300)
    path = tmp_path / "b.jsonl.gz"
    result = run(source, "backup", str(path))
    assert result.exit_code == 0 and "backup written" in result.output
    with gzip.open(path, "rt", encoding="utf-8") as handle:
        header = json.loads(handle.readline())
    assert header["format_version"] == 1 and header["app_version"]
    assert header["tables"]["responses"]["rows"] == 300
    assert set(header["tables"]) == {t.name for t in tables()}
    with source.app_context():
        created = _db.session.scalars(
            select(AuditEntry).where(AuditEntry.action == "backup.create")
        ).one()
        assert created.detail["rows"]["responses"] == 300
    target = empty_app(fresh_database(request, "sqlite", tmp_path, name="target"))
    assert run(target, "restore", str(path)).exit_code == 0
    assert snapshot(target) == snapshot(source)


def test_restore_refuses_a_database_with_rows(request, tmp_path):
    source = make_app(fresh_database(request, "sqlite", tmp_path, name="source"))
    path = tmp_path / "b.jsonl.gz"
    assert run(source, "backup", str(path)).exit_code == 0
    busy = make_app(
        fresh_database(request, "sqlite", tmp_path, name="busy")
    )  # has the default survey
    result = run(busy, "restore", str(path))
    assert result.exit_code != 0
    assert "empty" in result.output and "surveys" in result.output


def test_restore_refuses_corrupt_or_altered_files(request, tmp_path):
    source = make_app(fresh_database(request, "sqlite", tmp_path, name="source"))
    populate(source, n=30)
    path = tmp_path / "b.jsonl.gz"
    assert run(source, "backup", str(path)).exit_code == 0
    with gzip.open(path, "rt", encoding="utf-8") as handle:
        lines = handle.read().splitlines()
    altered = tmp_path / "altered.jsonl.gz"
    with gzip.open(altered, "wt", encoding="utf-8") as handle:
        handle.write("\n".join(line.replace('"valid"', '"excluded"', 1) for line in lines) + "\n")
    truncated = tmp_path / "truncated.jsonl.gz"
    truncated.write_bytes(path.read_bytes()[:-200])
    garbage = tmp_path / "garbage.jsonl.gz"
    garbage.write_bytes(b"not a backup at all")
    target = empty_app(fresh_database(request, "sqlite", tmp_path, name="target"))
    for bad, message in (
        (altered, "checksum"),
        (truncated, "damaged"),
        (garbage, "not a readable backup"),
    ):
        result = run(target, "restore", str(bad))
        assert result.exit_code != 0 and message in result.output, result.output
    with target.app_context():
        assert _db.session.scalar(select(Survey)) is None  # nothing was loaded
        _db.session.remove()
        _db.engine.dispose()


@pytest.mark.parametrize("backend", BACKENDS)
def test_backup_is_one_snapshot_while_the_app_keeps_writing(request, tmp_path, backend):
    from sqlalchemy import event
    from sqlalchemy import func
    from sqlalchemy.engine import Engine

    from surveyapp.backup import write_backup

    app = make_app(fresh_database(request, backend, tmp_path, name="live"))
    populate(app, n=20)
    writes = []
    with app.app_context():
        engine = _db.engine
        before = {t.name: _db.session.scalar(select(func.count()).select_from(t)) for t in tables()}
        _db.session.rollback()  # the app's SQLite transactions take the write lock at BEGIN

        def write_meanwhile(conn, cursor, statement, parameters, context, executemany):
            # After the backup's first read, another connection commits new rows.
            if writes or not statement.lstrip().upper().startswith("SELECT"):
                return
            writes.append(statement)
            with engine.begin() as other:
                other.execute(
                    insert(AuditEntry.__table__), {"action": "during.backup", "detail": {}}
                )
                other.execute(insert(FormStart.__table__), {"survey_id": 1, "channel": "late"})

        # On every engine: on SQLite the backup reads through an engine of its own.
        event.listen(Engine, "after_cursor_execute", write_meanwhile)
        try:
            header = write_backup(str(tmp_path / "live.jsonl.gz"))
        finally:
            event.remove(Engine, "after_cursor_execute", write_meanwhile)
        after = _db.session.scalar(select(func.count()).select_from(AuditEntry))
        _db.session.remove()
        _db.engine.dispose()
    assert writes, "the concurrent write happened during the backup"
    assert after == before["audit_log"] + 1
    assert {name: info["rows"] for name, info in header["tables"].items()} == before


def test_restore_into_an_unmigrated_database_says_so(request, tmp_path):
    source = make_app(fresh_database(request, "sqlite", tmp_path, name="source"))
    path = tmp_path / "b.jsonl.gz"
    assert run(source, "backup", str(path)).exit_code == 0
    bare = create_app(make_config(f"sqlite:///{tmp_path}/bare.sqlite"))
    result = run(bare, "restore", str(path))
    assert result.exit_code != 0 and "db upgrade" in result.output
