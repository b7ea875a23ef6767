"""Serving configuration: Redis-backed rate limits, 503 during outages, proxy headers, gunicorn."""

import runpy
import socket
import uuid

import pytest
from reliability_support import ROOT
from reliability_support import harness

from surveyapp import create_app
from surveyapp.config import normalise_database_url

REDIS = ("127.0.0.1", 6379)


def _redis_reachable():
    try:
        with socket.create_connection(REDIS, timeout=0.5):
            return True
    except OSError:
        return False


def test_submission_limit_is_enforced_through_redis(tmp_path):
    if not _redis_reachable():
        pytest.skip("no Redis at 127.0.0.1:6379 (the limiter's production storage)")
    import redis

    prefix = f"surveyapp-test-{uuid.uuid4().hex[:8]}"
    url = f"sqlite:///{tmp_path}/limit.sqlite"
    harness.prepare_database(url)
    config = {
        "TESTING": True,
        "SECRET_KEY": "k",
        "SQLALCHEMY_DATABASE_URI": url,
        "RATELIMIT_ENABLED": True,
        "RATELIMIT_STORAGE_URI": "redis://127.0.0.1:6379/0",
        "RATELIMIT_KEY_PREFIX": prefix,
        "RATELIMIT_SUBMIT": "3 per minute",
    }
    # Two app instances share the counter, as gunicorn workers and several servers do.
    first, second = create_app(config).test_client(), create_app(config).test_client()
    statuses = []
    for client in (first, second, first, second):
        with client.post("/s/nanyang-dcm", data={"district": "1"}) as response:
            statuses.append(response.status_code)
    assert 429 not in statuses[:3]
    assert statuses[3] == 429
    store = redis.Redis(*REDIS)
    try:
        keys = store.keys(f"*{prefix}*")
        assert keys, "the limiter kept its counters somewhere other than Redis"
        store.delete(*keys)
    finally:
        store.close()


@pytest.fixture
def unreachable_app():
    """An app whose PostgreSQL server refuses connections (nothing listens on the port)."""
    url = normalise_database_url(f"postgresql://postgres@127.0.0.1:{harness.free_port()}/x")
    app = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "k",
            "SQLALCHEMY_DATABASE_URI": url,
            "RATELIMIT_ENABLED": False,
        }
    )
    return app


def test_database_outage_is_a_friendly_503_not_a_500(unreachable_app):
    client = unreachable_app.test_client()
    with client.get("/s/nanyang-dcm") as page:
        assert page.status_code == 503
        assert page.headers["Retry-After"]
        assert "服务暂时不可用" in page.get_data(as_text=True)
        assert "Temporarily unavailable" in page.get_data(as_text=True)
    with client.post(
        "/s/nanyang-dcm", data={"district": "1"}, headers={"Accept": "application/json"}
    ) as answer:
        assert answer.status_code == 503
        assert answer.get_json() == {"error": "database unavailable", "status": 503}
    with client.get("/healthz") as health:
        assert health.status_code == 503


def test_proxy_headers_are_trusted_only_when_configured(tmp_path):
    url = f"sqlite:///{tmp_path}/proxy.sqlite"

    def seen(**overrides):
        app = create_app(
            {"TESTING": True, "SECRET_KEY": "k", "SQLALCHEMY_DATABASE_URI": url, **overrides}
        )

        @app.get("/_seen")
        def _seen():
            from flask import request

            return f"{request.remote_addr} {request.scheme}"

        headers = {"X-Forwarded-For": "203.0.113.7", "X-Forwarded-Proto": "https"}
        with app.test_client().get("/_seen", headers=headers) as response:
            return response.get_data(as_text=True)

    assert seen() == "127.0.0.1 http"
    assert seen(PROXY_FIX_X_FOR=1, PROXY_FIX_X_PROTO=1) == "203.0.113.7 https"


def test_gunicorn_settings_come_from_the_environment(monkeypatch):
    monkeypatch.delenv("SURVEYAPP_BIND", raising=False)
    monkeypatch.setenv("PORT", "8123")
    monkeypatch.setenv("SURVEYAPP_WORKERS", "5")
    monkeypatch.setenv("SURVEYAPP_THREADS", "7")
    settings = runpy.run_path(str(ROOT / "gunicorn.conf.py"))
    assert (settings["bind"], settings["workers"], settings["threads"]) == ("127.0.0.1:8123", 5, 7)
    assert settings["worker_class"] == "gthread"  # threads need gunicorn's threaded worker
    monkeypatch.setenv("SURVEYAPP_BIND", "unix:/run/surveyapp.sock")
    monkeypatch.delenv("SURVEYAPP_WORKERS")
    monkeypatch.delenv("SURVEYAPP_THREADS")
    monkeypatch.setenv("SURVEYAPP_RATELIMIT_STORAGE_URI", "redis://127.0.0.1:6379/0")
    settings = runpy.run_path(str(ROOT / "gunicorn.conf.py"))
    assert settings["bind"] == "unix:/run/surveyapp.sock"
    assert settings["workers"] >= 2
    # Limits counted in memory: one worker by default (several would each count their own).
    monkeypatch.delenv("SURVEYAPP_RATELIMIT_STORAGE_URI")
    assert runpy.run_path(str(ROOT / "gunicorn.conf.py"))["workers"] == 1
    assert (settings["threads"], settings["worker_class"]) == (1, "sync")


def test_postgres_engine_gets_a_pre_pinged_pool_with_short_timeouts(unreachable_app):
    options = unreachable_app.config["SQLALCHEMY_ENGINE_OPTIONS"]
    assert options["pool_pre_ping"] is True
    assert options["connect_args"]["connect_timeout"] <= 10
    assert options["pool_timeout"] <= 30


def test_a_new_worker_warms_up_without_recording_anything(tmp_path, monkeypatch):
    from surveyapp.extensions import db
    from surveyapp.models import FormStart
    from surveyapp.public import forms
    from surveyapp.serving import warm_up

    url = f"sqlite:///{tmp_path}/warm.sqlite"
    harness.prepare_database(url)
    app = create_app({"TESTING": True, "SECRET_KEY": "k", "SQLALCHEMY_DATABASE_URI": url})
    monkeypatch.setattr(forms, "_FORM_CLASSES", {})
    warm_up(app)
    # Both languages' forms of the open survey were built; no questionnaire was handed out.
    assert {locale[:2] for _id, locale in forms._FORM_CLASSES} == {"zh", "en"}
    with app.app_context():
        assert db.session.query(FormStart).count() == 0


def test_warm_up_skips_a_database_that_is_not_there_yet(unreachable_app, caplog):
    from surveyapp.serving import warm_up

    warm_up(unreachable_app)  # no exception: the worker starts and answers 503 until it is back
    assert "warm-up skipped" in caplog.text
