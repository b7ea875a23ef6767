"""The floor for bench/submit_bench.py: a bare Flask endpoint storing the raw form body in SQLite.

Same server, same gunicorn settings, same SQLite settings (WAL, busy timeout, BEGIN IMMEDIATE) as
surveyapp, but no parsing, validation, CSRF, templates or ORM: the fastest a submission could be
stored here. ``FLOOR_DATABASE`` names the SQLite file (created on first use).
"""

import os
import sqlite3
import threading

from flask import Flask
from flask import request

_local = threading.local()


def _connection(path):
    conn = getattr(_local, "conn", None)
    if conn is None:
        conn = sqlite3.connect(path, isolation_level=None, timeout=15)
        conn.execute("PRAGMA journal_mode = WAL")
        conn.execute("PRAGMA synchronous = NORMAL")
        conn.execute("CREATE TABLE IF NOT EXISTS submission (id INTEGER PRIMARY KEY, body BLOB)")
        _local.conn = conn
    return conn


def create_app():
    """The floor application."""
    app = Flask(__name__)
    path = os.environ.get("FLOOR_DATABASE", "floor.sqlite")

    @app.get("/healthz")
    def healthz():
        _connection(path).execute("SELECT 1")
        return "ok"

    @app.post("/submit")
    def submit():
        conn = _connection(path)
        conn.execute("BEGIN IMMEDIATE")
        conn.execute("INSERT INTO submission (body) VALUES (?)", (request.get_data(),))
        conn.execute("COMMIT")
        return "stored", 201

    return app


app = create_app()
