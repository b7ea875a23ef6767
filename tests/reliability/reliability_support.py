"""Helpers of the reliability tests: a real server (gunicorn in a subprocess on a free loopback
port), respondents, threads and the stored submission tokens. Server helpers come from
``bench/harness.py``. The submission rate limit is off: these tests are about storage.
"""

import importlib.util
import os
import threading
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
_spec = importlib.util.spec_from_file_location("bench_harness", ROOT / "bench" / "harness.py")
harness = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(harness)

POSTGRES_URL = os.environ.get("TEST_DATABASE_URL")
SERVER_BACKENDS = ["sqlite"] + (["postgresql"] if POSTGRES_URL else [])
SECRET = "reliability-secret-key"
FORM = f"/s/{harness.SURVEY}"


@dataclass
class Served:
    """A running server and the database behind it."""

    server: object
    database_url: str
    version_id: int

    @property
    def url(self):
        return self.server.url

    def stored_tokens(self):
        """Submission tokens of all stored responses (a list: duplicates would show)."""
        return harness.stored_tokens(self.database_url)

    def submit(self, respondent, form, csrf, rng, token=None):
        """POST one complete answer set; return ``(status, nonce, location)``."""
        if token is None:
            token, nonce = harness.mint_token(SECRET, self.version_id)
        else:
            nonce = harness.nonce_of(token)
        body = harness.encode(harness.complete_answers(form, rng), csrf, token)
        status, response, _data = respondent.post(FORM, body)
        return status, nonce, response.getheader("Location", "")


def start_server(url, version_id, tmp_path, workers=2, threads=4, **env):
    """Start gunicorn on ``url`` and wait until it answers."""
    environ = {
        "SURVEYAPP_SECRET_KEY": SECRET,
        "SURVEYAPP_DATABASE_URL": url,
        "SURVEYAPP_RATELIMIT_ENABLED": "false",
    }
    environ.update(env)
    server = harness.Server(
        env=environ, workers=workers, threads=threads, log_path=tmp_path / "gunicorn.log"
    )
    try:
        server.wait_ready()
    except Exception:
        server.stop()
        raise
    return Served(server, url, version_id)


def open_form(base_url):
    """A respondent that has opened the questionnaire: ``(respondent, parsed form, csrf token)``."""
    respondent = harness.Respondent(base_url)
    status, _response, page = respondent.get(FORM)
    assert status == 200
    form = harness.parse_form(page)
    return respondent, form, form.hidden["csrf_token"]


def run_threads(count, target):
    """Run ``target(index)`` in ``count`` threads; re-raise the first failure."""
    failures = []

    def wrapped(index):
        try:
            target(index)
        except BaseException as exc:  # noqa: BLE001 - reported in the main thread
            failures.append(exc)

    threads = [threading.Thread(target=wrapped, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if failures:
        raise failures[0]
