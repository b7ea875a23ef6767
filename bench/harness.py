"""Running surveyapp under gunicorn on loopback and filling its questionnaire like a respondent.

Shared by ``bench/submit_bench.py`` and the reliability tests (``tests/reliability/``), which load
this file by path. Standard library only, plus surveyapp itself for preparing databases and
minting submission tokens.
"""

import contextlib
import http.client
import io
import os
import random
import signal
import socket
import subprocess
import sys
import time
import uuid
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlencode
from urllib.parse import urlsplit
from urllib.parse import urlunsplit

ROOT = Path(__file__).resolve().parent.parent
SURVEY = "nanyang-dcm"


def free_port():
    """A TCP port on loopback that nothing listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def prepare_database(url):
    """Migrate ``url`` and load the default survey; return the id of its current version."""
    import flask_migrate

    from surveyapp import create_app
    from surveyapp.definitions import builtin_path
    from surveyapp.definitions import load_file
    from surveyapp.definitions.store import save_definition
    from surveyapp.extensions import db

    app = create_app({"TESTING": True, "SECRET_KEY": "prepare", "SQLALCHEMY_DATABASE_URI": url})
    with app.app_context():
        # Alembic's logging configuration prints every migration; a benchmark has no use for it.
        with contextlib.redirect_stderr(io.StringIO()):
            flask_migrate.upgrade()
        version, _created = save_definition(
            load_file(builtin_path(SURVEY)), source_name="builtin", status="open"
        )
        db.session.commit()
        version_id = version.id
        db.session.remove()
        db.engine.dispose()
    return version_id


def form_page(directory):
    """The default survey's questionnaire page, rendered once on a scratch SQLite database."""
    from surveyapp import create_app

    url = f"sqlite:///{directory}/form-page.sqlite"
    prepare_database(url)
    app = create_app({"TESTING": True, "SECRET_KEY": "page", "SQLALCHEMY_DATABASE_URI": url})
    with app.test_client() as client:
        response = client.get(f"/s/{SURVEY}")
        page = response.get_data(as_text=True)
        response.close()
    from surveyapp.extensions import db

    with app.app_context():
        db.engine.dispose()
    return page


def postgres_database(base_url, name):
    """Create (after dropping) database ``name`` on the server of ``base_url``; return its URL."""
    from sqlalchemy import create_engine
    from sqlalchemy import text

    from surveyapp.config import normalise_database_url

    base = normalise_database_url(base_url)
    engine = create_engine(base, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    finally:
        engine.dispose()
    parts = urlsplit(base)
    return urlunsplit(parts._replace(path="/" + name))


def drop_postgres_database(base_url, name):
    """Drop database ``name`` on the server of ``base_url`` (closing its connections)."""
    from sqlalchemy import create_engine
    from sqlalchemy import text

    from surveyapp.config import normalise_database_url

    engine = create_engine(normalise_database_url(base_url), isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    finally:
        engine.dispose()


def unique_name(prefix):
    """A database name nobody else uses."""
    return f"{prefix}_{uuid.uuid4().hex[:10]}"


class Server:
    """A gunicorn process serving ``app`` on a free loopback port."""

    def __init__(self, app="surveyapp.wsgi:app", env=None, workers=2, threads=4, log_path=None):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        environ = dict(os.environ)
        environ.update(env or {})
        environ.update(
            PORT=str(self.port),
            SURVEYAPP_BIND=f"127.0.0.1:{self.port}",
            SURVEYAPP_WORKERS=str(workers),
            SURVEYAPP_THREADS=str(threads),
            SURVEYAPP_LOG_LEVEL="warning",
            PYTHONPATH=os.pathsep.join([str(ROOT), str(ROOT / "bench")]),
        )
        self.log = open(log_path or os.devnull, "ab")
        command = [sys.executable, "-m", "gunicorn", "-c", str(ROOT / "gunicorn.conf.py"), app]
        self.process = subprocess.Popen(
            command, cwd=ROOT, env=environ, stdout=self.log, stderr=subprocess.STDOUT
        )

    def wait_ready(self, path="/healthz", timeout=30):
        """Block until ``path`` answers 200 (raise if the server dies or the time runs out)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn exited with {self.process.returncode}")
            try:
                status, _headers, _body = request("GET", self.url + path)
                if status == 200:
                    return self
            except OSError:
                pass
            time.sleep(0.1)
        raise TimeoutError(f"{self.url}{path} not ready after {timeout}s")

    def worker_pids(self):
        """The process ids of the gunicorn workers (children of the arbiter)."""
        children = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children")
        return [int(pid) for pid in children.read_text().split()]

    def cpu_seconds(self):
        """User plus system CPU seconds used so far by the arbiter and its live workers."""
        ticks = os.sysconf("SC_CLK_TCK")
        total = 0
        for pid in [self.process.pid, *self.worker_pids()]:
            try:
                fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue  # a worker that exited in the meantime
            total += int(fields[11]) + int(fields[12])  # utime, stime
        return total / ticks

    def stop(self):
        """Stop gracefully, then forcibly."""
        if self.process.poll() is None:
            # SIGINT: gunicorn's quick shutdown (SIGTERM would wait for idle keep-alive clients).
            self.process.send_signal(signal.SIGINT)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.log.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.stop()


def request(method, url, body=None, headers=None, timeout=10):
    """One request on a fresh connection: ``(status, headers, body)``."""
    parts = urlsplit(url)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=timeout)
    try:
        conn.request(
            method, parts.path + ("?" + parts.query if parts.query else ""), body, headers or {}
        )
        response = conn.getresponse()
        return response.status, dict(response.getheaders()), response.read()
    finally:
        conn.close()


class Respondent:
    """One keep-alive connection with a session cookie, like one browser."""

    def __init__(self, base_url, timeout=30):
        parts = urlsplit(base_url)
        self.host, self.port, self.timeout = parts.hostname, parts.port, timeout
        self.conn = None
        self.cookie = None

    def _send(self, method, path, body=None, headers=None):
        headers = dict(headers or {})
        if self.cookie:
            headers["Cookie"] = self.cookie
        for attempt in (1, 2):
            if self.conn is None:
                self.conn = http.client.HTTPConnection(self.host, self.port, timeout=self.timeout)
            try:
                self.conn.request(method, path, body, headers)
                response = self.conn.getresponse()
                data = response.read()
                break
            except (http.client.RemoteDisconnected, BrokenPipeError, ConnectionResetError):
                # A keep-alive connection the server closed while idle: retry once, fresh.
                # (Only safe because every caller's POST is idempotent by its token.)
                self.close()
                if attempt == 2:
                    raise
        cookie = response.getheader("Set-Cookie")
        if cookie:
            self.cookie = cookie.split(";", 1)[0]
        if response.getheader("Connection", "").lower() == "close":
            self.close()
        return response.status, response, data

    def get(self, path):
        """GET ``path``: ``(status, response, body)``."""
        return self._send("GET", path)

    def post(self, path, body):
        """POST an urlencoded ``body``: ``(status, response, body)``."""
        return self._send("POST", path, body, {"Content-Type": "application/x-www-form-urlencoded"})

    def close(self):
        """Close the connection (the session cookie is kept)."""
        if self.conn is not None:
            self.conn.close()
            self.conn = None


class _FormParser(HTMLParser):
    """The questionnaire's inputs: hidden values, radio/checkbox options, text boxes."""

    def __init__(self):
        super().__init__()
        self.hidden, self.choices, self.multi, self.numbers, self.texts = {}, {}, {}, {}, {}

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        name = a.get("name")
        if not name:
            return
        if tag == "textarea":
            self.texts[name] = int(a.get("maxlength") or 200)
        elif tag == "input":
            kind = a.get("type", "text")
            if kind == "hidden":
                self.hidden[name] = a.get("value", "")
            elif kind == "radio":
                self.choices.setdefault(name, []).append(a["value"])
            elif kind == "checkbox":
                self.multi.setdefault(name, []).append(a["value"])
            elif a.get("inputmode") in ("decimal", "numeric") or kind == "number":
                self.numbers[name] = a
            else:
                self.texts[name] = int(a.get("maxlength") or 200)


def parse_form(html):
    """The questionnaire's inputs found in a page (see :class:`_FormParser`)."""
    parser = _FormParser()
    parser.feed(html if isinstance(html, str) else html.decode("utf-8"))
    return parser


_WORDS = ["路面", "干净", "停车", "热线", "很好", "clean", "roads", "ok", "满意", "希望改进"]


def complete_answers(form, rng=random):
    """Valid answers to every question of the parsed ``form``, as ``(name, value)`` pairs.

    Irrelevant questions are answered too; the server ignores what a condition hides.
    """
    pairs = [(name, rng.choice(values)) for name, values in form.choices.items()]
    for name, values in form.multi.items():
        pairs.extend((name, value) for value in rng.sample(values, rng.randint(1, 2)))
    pairs.extend((name, str(rng.randint(0, 60))) for name in form.numbers)
    for name, limit in form.texts.items():
        text = " ".join(rng.choice(_WORDS) for _ in range(rng.randint(1, 6)))
        pairs.append((name, text[:limit]))
    return pairs


def encode(pairs, csrf_token, submission_token):
    """The urlencoded POST body of ``pairs`` with both tokens."""
    return urlencode(pairs + [("csrf_token", csrf_token), ("_st", submission_token)])


def mint_token(secret_key, version_id, channel="bench"):
    """A fresh signed submission token, exactly as the questionnaire page would issue it.

    Returns ``(token string, nonce)``. Lets load generators skip a GET per submission.
    """
    from flask import Flask

    from surveyapp.public.tokens import SubmissionToken

    app = _token_apps.get(secret_key)
    if app is None:
        app = _token_apps[secret_key] = Flask("tokens")
        app.config["SECRET_KEY"] = secret_key
    with app.app_context():
        token = SubmissionToken.issue(version_id, channel)
        return token.dumps(), token.nonce


_token_apps = {}


def nonce_of(signed):
    """The nonce inside a signed submission token (read without checking the signature)."""
    import base64
    import json

    payload = signed.split(".", 1)[0]
    payload += "=" * (-len(payload) % 4)
    return json.loads(base64.urlsafe_b64decode(payload))["n"]


@contextlib.contextmanager
def sqlite_url(directory, name="bench"):
    """An SQLite URL in ``directory`` (removed with its WAL files afterwards)."""
    path = Path(directory) / f"{name}.sqlite"
    try:
        yield f"sqlite:///{path}"
    finally:
        for suffix in ("", "-wal", "-shm"):
            Path(str(path) + suffix).unlink(missing_ok=True)


def stored_tokens(url):
    """Submission tokens of the responses stored in the surveyapp database at ``url``."""
    from sqlalchemy import create_engine
    from sqlalchemy import text

    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            return [row[0] for row in conn.execute(text("SELECT submission_token FROM responses"))]
    finally:
        engine.dispose()
