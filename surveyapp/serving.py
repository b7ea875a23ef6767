"""Running behind a reverse proxy; answering 503 (not a traceback) while the database is down;
warming a new worker up before it takes requests."""

from flask import current_app
from flask import jsonify
from flask import render_template
from flask import request
from sqlalchemy.exc import InterfaceError
from sqlalchemy.exc import OperationalError
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.exc import TimeoutError as PoolTimeoutError
from werkzeug.middleware.proxy_fix import ProxyFix

from .config import ConfigurationError
from .definitions.store import open_surveys_with_latest_version
from .extensions import db

PROXY_FIX_KEYS = ("X_FOR", "X_PROTO", "X_HOST", "X_PORT", "X_PREFIX")
# Seconds a client (or the proxy) should wait before retrying during an outage.
RETRY_AFTER = "5"
# A worker warms up on this many open surveys at most (the first by key).
WARM_UP_SURVEYS = 20


def init_app(app):
    """Trust ``X-Forwarded-*`` from the configured number of proxies; map outages to 503."""
    counts = {key.lower(): int(app.config.get(f"PROXY_FIX_{key}") or 0) for key in PROXY_FIX_KEYS}
    if any(counts.values()):
        app.wsgi_app = ProxyFix(app.wsgi_app, **counts)
    for error in (OperationalError, InterfaceError, PoolTimeoutError):
        app.register_error_handler(error, database_unavailable)


def database_unavailable(error):
    """503 with a short message: the database is down, locked too long or has no free connection."""
    try:
        db.session.rollback()
    except SQLAlchemyError:
        # The connection is gone; removing the session returns what is left of it to the pool.
        db.session.remove()
    current_app.logger.warning("database unavailable: %s", getattr(error, "orig", error))
    wants_json = request.path.startswith("/api/") or (
        request.accept_mimetypes.best_match(["text/html", "application/json"]) == "application/json"
    )
    if wants_json:
        response = jsonify(error="database unavailable", status=503)
        response.status_code = 503
    else:
        response = current_app.make_response((render_template("serving/unavailable.html"), 503))
    response.headers["Retry-After"] = RETRY_AFTER
    return response


# Set by gunicorn.conf.py's on_starting hook for the workers it forks.
WORKERS_VARIABLE = "SURVEYAPP_GUNICORN_WORKERS"


def check_rate_limit_storage(app, workers):
    """Refuse to serve with several processes each counting rate limits in its own memory.

    With ``memory://`` every worker keeps its own counters, so each limit (form posts, logins,
    form pages) would in effect be multiplied by the number of workers.
    """
    uri = str(app.config.get("RATELIMIT_STORAGE_URI") or "memory://")
    if workers <= 1 or not app.config.get("RATELIMIT_ENABLED", True):
        return
    if uri.startswith("memory://"):
        raise ConfigurationError(
            f"Rate limits are counted in each worker's own memory (RATELIMIT_STORAGE_URI is "
            f"{uri!r}) but gunicorn runs {workers} workers, so every limit would be {workers} "
            "times higher than configured. Set SURVEYAPP_RATELIMIT_STORAGE_URI=redis://HOST:6379/0 "
            "so the workers share one count, or run one worker (SURVEYAPP_WORKERS=1)."
        )


def warm_up(app):
    """Render each open survey's questionnaire once in every language, as a worker starts.

    The first page costs tens of milliseconds (templates compile, the definition is parsed, its
    form class is built); under a burst, a new worker's first respondents would queue behind that.
    The pages are requested with HEAD, which records nothing. A database that is not reachable
    yet only skips the warm-up.
    """
    with app.app_context():
        try:
            keys = [survey.key for survey, _version in open_surveys_with_latest_version()]
        except SQLAlchemyError as error:
            app.logger.warning("warm-up skipped: %s", getattr(error, "orig", error))
            return
        finally:
            db.session.remove()
    client = app.test_client()
    for key in keys[:WARM_UP_SURVEYS]:
        for language in app.config["LANGUAGES"]:
            client.head(f"/s/{key}?lang={language}")
