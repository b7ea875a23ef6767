"""Configuration: defaults here, then ``instance/config.py``, then ``SURVEYAPP_*`` variables."""

import os

# Defaults. Anything secret or machine-specific is deliberately absent.
DEFAULTS = {
    "SECRET_KEY": None,
    # Filled per database by surveyapp.database.apply_engine_defaults.
    "SQLALCHEMY_ENGINE_OPTIONS": {},
    "SQLALCHEMY_TRACK_MODIFICATIONS": False,
    # A whole questionnaire is a few KB; anything far larger is abuse (answered 413).
    "MAX_CONTENT_LENGTH": 256 * 1024,
    "MAX_FORM_PARTS": 500,
    "BABEL_DEFAULT_LOCALE": "zh_CN",
    "BABEL_DEFAULT_TIMEZONE": "Asia/Shanghai",
    "LANGUAGES": ["zh_CN", "en"],
    # Each feature package keeps its own catalogue (relative to surveyapp/); Flask-Babel merges them.
    "BABEL_TRANSLATION_DIRECTORIES": (
        "public/translations;console/translations;dataops/translations;results/translations;"
        "evaluation/translations"
    ),
    # A citizen may leave the questionnaire open for a long while before submitting.
    "WTF_CSRF_TIME_LIMIT": 12 * 3600,
    "SESSION_COOKIE_HTTPONLY": True,
    "SESSION_COOKIE_SAMESITE": "Lax",
    "REMEMBER_COOKIE_HTTPONLY": True,
    "REMEMBER_COOKIE_SAMESITE": "Lax",
    "RATELIMIT_STORAGE_URI": "memory://",
    "RATELIMIT_HEADERS_ENABLED": True,
    "RATELIMIT_SUBMIT": "60 per minute",
    # Questionnaire pages (GET /s/<key>) per client address; a start counts once per client
    # and survey within the window.
    "RATELIMIT_FORM": "120 per minute",
    "FORM_START_WINDOW_MINUTES": 60,
    "RATELIMIT_LOGIN": "10 per minute",
    # Login back-off per account (surveyapp/auth/backoff.py): free wrong passwords, then a
    # cool-down doubling from the base up to the maximum (seconds).
    "LOGIN_FREE_FAILURES": 5,
    "LOGIN_BACKOFF_BASE_SECONDS": 2,
    "LOGIN_BACKOFF_MAX_SECONDS": 900,
    # API tokens expire after this many days unless created with another --days.
    "API_TOKEN_DAYS": 90,
    "DEFAULT_SURVEY": "nanyang-dcm",
    "DEFAULT_EVALUATION": "nanyang-dcm-2021",
    "SQLITE_BUSY_TIMEOUT_MS": 15000,
    # Console: Secure session/remember cookies (also implied by PREFERRED_URL_SCHEME = "https").
    "SECURE_COOKIES": False,
    # Console: base of the public links and QR codes (e.g. https://survey.example.gov.cn); None = this site.
    "PUBLIC_BASE_URL": None,
    # Writers take SQLite's lock when their transaction begins (see surveyapp/database.py).
    "SQLITE_BEGIN_IMMEDIATE": True,
    # PostgreSQL pool per worker process: one connection per thread plus headroom.
    "DATABASE_POOL_SIZE": 8,
    "DATABASE_MAX_OVERFLOW": 4,
    "DATABASE_POOL_TIMEOUT": 10,
    "DATABASE_CONNECT_TIMEOUT": 5,
    # Number of reverse proxies whose X-Forwarded-* headers to trust (0 = none; see README).
    "PROXY_FIX_X_FOR": 0,
    "PROXY_FIX_X_PROTO": 0,
    "PROXY_FIX_X_HOST": 0,
    "PROXY_FIX_X_PORT": 0,
    "PROXY_FIX_X_PREFIX": 0,
}


def database_url_default(instance_path):
    """The embedded default: an SQLite file in the instance folder."""
    return "sqlite:///" + os.path.join(instance_path, "surveyapp.sqlite")


def normalise_database_url(url):
    """Use psycopg 3 for plain ``postgresql://`` URLs (SQLAlchemy would pick psycopg2)."""
    for prefix in ("postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def apply_environment(config):
    """Read ``SURVEYAPP_*`` variables, mapping the documented names onto Flask's keys."""
    config.from_prefixed_env("SURVEYAPP")
    if config.get("DATABASE_URL"):
        config["SQLALCHEMY_DATABASE_URI"] = config["DATABASE_URL"]
    config["SQLALCHEMY_DATABASE_URI"] = normalise_database_url(config["SQLALCHEMY_DATABASE_URI"])


class ConfigurationError(RuntimeError):
    """The application cannot start safely with the configuration it was given."""


def check_secret_key(app):
    """Refuse to run outside debug/testing with no secret key (sessions and CSRF depend on it)."""
    if app.config.get("SECRET_KEY") or app.debug or app.testing:
        return
    raise ConfigurationError(
        "No SECRET_KEY is configured. Set SURVEYAPP_SECRET_KEY in the environment or "
        "SECRET_KEY in instance/config.py (for example: python -c 'import secrets; "
        "print(secrets.token_hex(32))'). The app will not run with a known key."
    )
