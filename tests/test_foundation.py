"""The application factory, configuration, health check and migrations."""

import pytest
from itsdangerous import BadSignature
from sqlalchemy import inspect

from surveyapp import create_app
from surveyapp.config import ConfigurationError
from surveyapp.extensions import db as _db


def test_refuses_to_start_without_secret_key(tmp_path, monkeypatch):
    monkeypatch.delenv("SURVEYAPP_SECRET_KEY", raising=False)
    monkeypatch.setenv("SURVEYAPP_INSTANCE_PATH", str(tmp_path))
    monkeypatch.setenv("SURVEYAPP_DATABASE_URL", f"sqlite:///{tmp_path}/x.sqlite")
    with pytest.raises(ConfigurationError, match="SECRET_KEY"):
        create_app()


def test_instance_config_supplies_the_key(tmp_path, monkeypatch):
    monkeypatch.delenv("SURVEYAPP_SECRET_KEY", raising=False)
    monkeypatch.setenv("SURVEYAPP_INSTANCE_PATH", str(tmp_path))
    (tmp_path / "config.py").write_text("SECRET_KEY = 'from-instance'\n")
    assert create_app().config["SECRET_KEY"] == "from-instance"


def test_environment_overrides_database_and_key(tmp_path, monkeypatch):
    monkeypatch.setenv("SURVEYAPP_SECRET_KEY", "from-env")
    monkeypatch.setenv("SURVEYAPP_DATABASE_URL", "postgresql://u@h/d")
    app = create_app()
    assert app.config["SECRET_KEY"] == "from-env"
    assert app.config["SQLALCHEMY_DATABASE_URI"] == "postgresql+psycopg://u@h/d"


def test_healthz_ok(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json()["database"] == "ok"


def test_healthz_503_when_database_unreachable(tmp_path):
    app = create_app(
        {"TESTING": True, "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/missing/dir/x.sqlite"}
    )
    response = app.test_client().get("/healthz")
    assert response.status_code == 503


def test_migrations_build_every_model_table(db):
    tables = set(inspect(db.engine).get_table_names())
    assert {t.name for t in _db.metadata.sorted_tables} <= tables
    assert "alembic_version" in tables


def test_static_served_from_top_level_folder(app, client):
    assert app.static_folder.endswith("static")
    with client.get("/static/css/survey.css") as response:
        assert response.status_code == 200


def test_models_and_migrations_agree(db):
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    with db.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"render_as_batch": True})
        assert compare_metadata(context, _db.metadata) == []


def test_session_cookie_signer_follows_the_secret_key(app):
    interface = app.session_interface
    first = interface.get_signing_serializer(app)
    assert interface.get_signing_serializer(app) is first  # built once, not per request
    cookie = first.dumps({"lang": "en"})
    app.secret_key = "another-secret-key"
    second = interface.get_signing_serializer(app)
    assert second is not first
    with pytest.raises(BadSignature):
        second.loads(cookie)
    app.config["SECRET_KEY_FALLBACKS"] = ["test-secret-key"]  # rotation: the old key still reads
    assert interface.get_signing_serializer(app).loads(cookie) == {"lang": "en"}


@pytest.mark.parametrize(
    "module",
    ["surveyapp.evaluation.views", "surveyapp.results.views", "surveyapp.reporting.survey_report"],
)
def test_each_feature_imports_first_in_a_fresh_interpreter(module):
    """Import order must not matter (gunicorn's workers import the app in their own order)."""
    import subprocess
    import sys

    done = subprocess.run(
        [sys.executable, "-c", f"import {module}"], capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr[-2000:]
