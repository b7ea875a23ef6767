"""Only the app's user may read the instance folder, its config, the SQLite database and its
WAL and SHM files."""

import os
import stat

import flask_migrate
from sqlalchemy import text

from surveyapp import create_app


def _mode(path):
    return stat.S_IMODE(os.stat(path).st_mode)


def test_instance_config_and_database_are_private(tmp_path, monkeypatch):
    instance = tmp_path / "instance"
    instance.mkdir(mode=0o755)
    os.chmod(instance, 0o755)
    config = instance / "config.py"
    config.write_text("SECRET_KEY = 'x'\n")
    os.chmod(config, 0o644)
    monkeypatch.setenv("SURVEYAPP_INSTANCE_PATH", str(instance))
    app = create_app({"TESTING": True, "SECRET_KEY": "k", "RATELIMIT_ENABLED": False})
    database = instance / "surveyapp.sqlite"
    assert app.config["SQLALCHEMY_DATABASE_URI"].endswith(str(database))
    with app.app_context():
        flask_migrate.upgrade()
        db = app.extensions["sqlalchemy"]
        with db.engine.begin() as connection:
            assert connection.execute(text("PRAGMA journal_mode")).scalar() == "wal"
            connection.execute(
                text("INSERT INTO audit_log (at, action, detail) VALUES ('2026-01-01', 'x', '{}')")
            )
        assert os.path.exists(str(database) + "-wal")
        modes = {
            name: _mode(instance / name)
            for name in ("config.py", "surveyapp.sqlite", "surveyapp.sqlite-wal")
        }
        db.engine.dispose()
    assert _mode(instance) == 0o700
    assert modes == dict.fromkeys(modes, 0o600)


def test_an_existing_database_is_made_private(tmp_path, monkeypatch):
    instance = tmp_path / "instance"
    instance.mkdir()
    for name in ("surveyapp.sqlite", "surveyapp.sqlite-wal", "surveyapp.sqlite-shm"):
        (instance / name).write_bytes(b"")
        os.chmod(instance / name, 0o644)
    monkeypatch.setenv("SURVEYAPP_INSTANCE_PATH", str(instance))
    create_app({"TESTING": True, "SECRET_KEY": "k"})
    for name in ("surveyapp.sqlite", "surveyapp.sqlite-wal", "surveyapp.sqlite-shm"):
        assert _mode(instance / name) == 0o600, name
