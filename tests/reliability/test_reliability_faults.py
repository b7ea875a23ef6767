"""Faults during load: a worker killed mid-request, PostgreSQL stopped and started again."""

import glob
import http.client
import os
import pwd
import random
import shutil
import signal
import subprocess
import tempfile
import threading
import time

import pytest
from reliability_support import FORM
from reliability_support import harness
from reliability_support import open_form
from reliability_support import run_threads
from reliability_support import start_server

pytestmark = pytest.mark.slow


def test_killing_a_worker_loses_no_acknowledged_response(served):
    acknowledged, lock = set(), threading.Lock()
    deadline = time.monotonic() + 5.0

    def respondent(index):
        rng = random.Random(index)
        client, form, csrf = open_form(served.url)
        try:
            while time.monotonic() < deadline:
                try:
                    status, nonce, location = served.submit(client, form, csrf, rng)
                except (OSError, http.client.HTTPException):
                    # The worker died under this request (no answer, or a cut-off one): not
                    # acknowledged.
                    client.close()
                    continue
                if status == 303 and location.endswith("/thanks"):
                    with lock:
                        acknowledged.add(nonce)
        finally:
            client.close()

    def killer(_index):
        time.sleep(1.5)
        os.kill(served.server.worker_pids()[0], signal.SIGKILL)

    run_threads(13, lambda i: killer(i) if i == 12 else respondent(i))

    stored = served.stored_tokens()
    assert acknowledged, "no submission was acknowledged"
    lost = acknowledged - set(stored)
    assert not lost, f"{len(lost)} acknowledged responses are not stored"
    assert len(stored) == len(set(stored))
    # The arbiter replaced the worker: the server still answers.
    status, _headers, _body = harness.request("GET", served.url + "/healthz")
    assert status == 200


def _postgres_bin():
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"))
    return os.path.dirname(found[-1]) if found else None


@pytest.fixture
def own_postgres():
    """A throw-away PostgreSQL server on a free port: ``(url, start, stop)``."""
    bindir = _postgres_bin()
    if bindir is None:
        pytest.skip("initdb/pg_ctl not found under /usr/lib/postgresql/*/bin")
    run_as = []
    if os.geteuid() == 0:
        # initdb refuses to run as root: run the server as the 'postgres' system user.
        try:
            user = pwd.getpwnam("postgres")
        except KeyError:
            pytest.skip("running as root and there is no 'postgres' user to run initdb as")
        if not shutil.which("runuser"):
            pytest.skip("running as root without runuser to drop privileges for initdb")
        run_as = ["runuser", "-u", "postgres", "--"]
    base = tempfile.mkdtemp(prefix="reliability-pg-")
    data = os.path.join(base, "data")
    if run_as:
        os.chown(base, user.pw_uid, user.pw_gid)
    port = harness.free_port()

    def pg(*args):
        subprocess.run(
            run_as + [os.path.join(bindir, args[0]), *args[1:]],
            check=True,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            timeout=60,
        )

    options = f"-p {port} -k {base} -c listen_addresses=127.0.0.1 -c fsync=off"

    def start():
        pg("pg_ctl", "-D", data, "-o", options, "-l", os.path.join(base, "log"), "-w", "start")

    def stop():
        pg("pg_ctl", "-D", data, "-m", "fast", "-w", "stop")

    pg("initdb", "-D", data, "-A", "trust", "-U", "postgres", "--no-sync")
    start()
    try:
        yield f"postgresql://postgres@127.0.0.1:{port}/postgres", start, stop
    finally:
        subprocess.run(
            run_as + [os.path.join(bindir, "pg_ctl"), "-D", data, "-m", "immediate", "stop"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        shutil.rmtree(base, ignore_errors=True)


def _wait_for(url, wanted, timeout=20):
    deadline = time.monotonic() + timeout
    status = None
    while time.monotonic() < deadline:
        status, _headers, _body = harness.request("GET", url + "/healthz")
        if status == wanted:
            return status
        time.sleep(0.2)
    return status


def test_a_postgresql_restart_costs_503s_while_down_and_nothing_after(own_postgres, tmp_path):
    server_url, start_db, stop_db = own_postgres
    url = harness.postgres_database(server_url, "app")
    running = start_server(url, harness.prepare_database(url), tmp_path, workers=2, threads=2)
    acknowledged = set()
    try:
        client, form, csrf = open_form(running.url)
        rng = random.Random(1)
        for _ in range(5):
            status, nonce, _location = running.submit(client, form, csrf, rng)
            assert status == 303
            acknowledged.add(nonce)

        stop_db()
        assert _wait_for(running.url, 503) == 503
        status, nonce, _location = running.submit(client, form, csrf, rng)
        assert status == 503  # a friendly "try again", not a 500 or a dead worker
        status, response, page = client.get(FORM)
        assert status == 503 and response.getheader("Retry-After")
        assert "服务暂时不可用" in page.decode("utf-8")
        headers = {
            "Accept": "application/json",
            "Content-Type": "application/x-www-form-urlencoded",
        }
        status, _headers, body = harness.request("POST", running.url + FORM, b"x=1", headers)
        assert status == 503 and b"database unavailable" in body

        start_db()
        assert _wait_for(running.url, 200) == 200
        for _ in range(5):
            status, nonce, _location = running.submit(client, form, csrf, rng)
            assert status == 303
            acknowledged.add(nonce)
        client.close()
        assert set(running.stored_tokens()) == acknowledged
    finally:
        running.server.stop()
