"""Engine set-up that differs by database.

SQLite (the zero-set-up default) must survive several gunicorn worker processes writing at once:
WAL lets readers proceed beside the single writer, the busy timeout makes a writer wait for the
lock instead of failing, and every transaction starts with ``BEGIN IMMEDIATE`` so it takes the
write lock up front. A deferred transaction that reads and then writes (the questionnaire does)
cannot wait for the lock once another process has committed since its read: SQLite answers
"database is locked" at once, whatever the busy timeout.

A request that mostly reads and writes once at the end (the public questionnaire) would hold that
lock for its whole length, so every worker would queue behind its validation and rendering.
A view marked with :func:`defers_write_lock` reads without a transaction (each statement sees the
latest committed data) and takes the lock only for its writes: :func:`take_write_lock` begins
``BEGIN IMMEDIATE`` at the point the caller chooses, and any data-changing statement issued before
that begins it first, so no write ever runs outside a transaction.

PostgreSQL gets a pool sized for the worker's threads, pre-ping (a restarted server costs one
failed check, not a failed request) and short connect and pool timeouts, so requests during an
outage fail fast (answered 503 by :mod:`surveyapp.serving`) instead of piling up.
"""

import sqlite3

from flask import g
from flask import has_app_context
from flask import request
from sqlalchemy import event
from sqlalchemy.exc import OperationalError

from .extensions import db
from .sqlite_writers import GatedConnection

_DEFERRED = "_sqlite_defer_write_lock"
_READS = ("SELECT", "PRAGMA")


def defers_write_lock(view):
    """Mark a view whose SQLite transactions begin at their first write, not at once.

    From the first query of such a request (the mark is read before any ``before_request``
    function runs), reads run outside a transaction; the write lock is taken by
    :func:`take_write_lock` or, failing that, just before the first statement that changes data.
    No effect on PostgreSQL, whose transactions never block readers.
    """
    view.defers_write_lock = True
    return view


def take_write_lock(connection=None):
    """Begin the write transaction now (SQLite: ``BEGIN IMMEDIATE``), if not already begun.

    Whatever the caller reads after this sees no concurrent writer until the commit, so checks
    made here (quotas, duplicates) and the writes they decide on cannot interleave with another
    submission's. ``connection`` is the session's (``db.session.connection()``, the default).
    """
    connection = connection if connection is not None else db.session.connection()
    if connection.dialect.name == "sqlite":
        try:
            _begin_immediate(connection.connection.dbapi_connection)
        except sqlite3.OperationalError as error:
            # As if SQLAlchemy had run it: the app answers its OperationalError with a 503.
            raise OperationalError("BEGIN IMMEDIATE", None, error) from error


def _begin_immediate(dbapi_connection):
    if isinstance(dbapi_connection, GatedConnection):
        dbapi_connection.begin_immediate()
    elif not dbapi_connection.in_transaction:
        dbapi_connection.execute("BEGIN IMMEDIATE")


def _deferred():
    return has_app_context() and g.get(_DEFERRED, False)


def apply_engine_defaults(config):
    """Fill ``SQLALCHEMY_ENGINE_OPTIONS`` with pool settings for the configured database."""
    options = dict(config.get("SQLALCHEMY_ENGINE_OPTIONS") or {})
    if config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        # A file on this machine cannot have gone away: no ping before each checkout.
        options.setdefault("pool_pre_ping", False)
        # Writers queue on a file lock rather than in SQLite's busy handler (sqlite_writers.py).
        connect_args = dict(options.get("connect_args") or {})
        connect_args.setdefault("factory", GatedConnection)
        options["connect_args"] = connect_args
    if config["SQLALCHEMY_DATABASE_URI"].startswith("postgresql"):
        options.setdefault("pool_pre_ping", True)
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
    immediate = bool(app.config["SQLITE_BEGIN_IMMEDIATE"])
    with app.app_context():
        engine = db.engine

    # Registered before any other before_request function, so it precedes their queries.
    @app.before_request
    def _defer_for_marked_views():
        view = app.view_functions.get(request.endpoint)
        if getattr(view, "defers_write_lock", False):
            g.setdefault(_DEFERRED, True)

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
        if isinstance(dbapi_connection, GatedConnection):
            dbapi_connection.attach(timeout=busy_ms / 1000)

    @event.listens_for(engine, "begin")
    def _sqlite_begin(connection):
        if _deferred():
            return
        if immediate:
            _begin_immediate(connection.connection.dbapi_connection)
        else:
            connection.exec_driver_sql("BEGIN")

    @event.listens_for(engine, "before_cursor_execute")
    def _sqlite_write_needs_lock(connection, _cursor, statement, _params, _context, _many):
        # In a deferred request, a write first takes the lock (it never runs in autocommit).
        if not statement.lstrip()[:6].upper().startswith(_READS) and _deferred():
            _begin_immediate(connection.connection.dbapi_connection)
