"""Engine set-up that differs by database.

SQLite (the zero-set-up default) must survive several gunicorn worker processes writing at once:
WAL lets readers proceed beside the single writer, the busy timeout makes a writer wait for the
lock instead of failing, and every transaction starts with ``BEGIN IMMEDIATE`` so it takes the
write lock up front. A deferred transaction that reads and then writes (the questionnaire does)
cannot wait for the lock once another process has committed since its read: SQLite answers
"database is locked" at once, whatever the busy timeout.

PostgreSQL gets a pool sized for the worker's threads, pre-ping (a restarted server costs one
failed check, not a failed request) and short connect and pool timeouts, so requests during an
outage fail fast (answered 503 by :mod:`surveyapp.serving`) instead of piling up.
"""

from sqlalchemy import event

from .extensions import db


def apply_engine_defaults(config):
    """Fill ``SQLALCHEMY_ENGINE_OPTIONS`` with pool settings for the configured database."""
    options = dict(config.get("SQLALCHEMY_ENGINE_OPTIONS") or {})
    options.setdefault("pool_pre_ping", True)
    if config["SQLALCHEMY_DATABASE_URI"].startswith("postgresql"):
        options.setdefault("pool_size", int(config["DATABASE_POOL_SIZE"]))
        options.setdefault("max_overflow", int(config["DATABASE_MAX_OVERFLOW"]))
        options.setdefault("pool_timeout", int(config["DATABASE_POOL_TIMEOUT"]))
        # Connections older than this are replaced: survives idle-timeouts of proxies and servers.
        options.setdefault("pool_recycle", 1800)
        connect_args = dict(options.get("connect_args") or {})
        connect_args.setdefault("connect_timeout", int(config["DATABASE_CONNECT_TIMEOUT"]))
        options["connect_args"] = connect_args
    config["SQLALCHEMY_ENGINE_OPTIONS"] = options


def configure_engine_events(app):
    """Attach per-connection settings once the engine exists."""
    if not app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        return
    busy_ms = int(app.config["SQLITE_BUSY_TIMEOUT_MS"])
    begin = "BEGIN IMMEDIATE" if app.config["SQLITE_BEGIN_IMMEDIATE"] else "BEGIN"
    with app.app_context():
        engine = db.engine

    @event.listens_for(engine, "connect")
    def _sqlite_pragmas(dbapi_connection, _record):
        # Let SQLAlchemy, not the driver, decide when a transaction begins (see _sqlite_begin).
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute(f"PRAGMA busy_timeout = {busy_ms}")
        cursor.execute("PRAGMA foreign_keys = ON")
        if ":memory:" not in app.config["SQLALCHEMY_DATABASE_URI"]:
            cursor.execute("PRAGMA journal_mode = WAL")
            cursor.execute("PRAGMA synchronous = NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _sqlite_begin(connection):
        connection.exec_driver_sql(begin)
