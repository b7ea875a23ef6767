"""SQLite writers: the writer gate, and requests that hold the write lock only while writing."""

import sqlite3
import subprocess
import sys
import threading
import time

import pytest

from surveyapp.sqlite_writers import GatedConnection
from surveyapp.sqlite_writers import gate_for
from tests.conftest import fresh_database
from tests.conftest import make_app
from tests.public.conftest import COMPLETE
from tests.public.conftest import hidden_value


def _connect(path, timeout=5.0):
    conn = sqlite3.connect(path, factory=GatedConnection, isolation_level=None, timeout=timeout)
    conn.execute("PRAGMA journal_mode = WAL")
    conn.attach(timeout=timeout)
    return conn


@pytest.fixture
def database(tmp_path):
    path = str(tmp_path / "gate.sqlite")
    with sqlite3.connect(path) as conn:
        conn.execute("CREATE TABLE t (x INTEGER)")
    return path


def _write_in_another_thread(database, timeout):
    """Begin and commit a write from a new thread; return the error it met, or None."""
    errors = []

    def write():
        conn = _connect(database, timeout=timeout)
        try:
            conn.begin_immediate()
            conn.commit()
        except sqlite3.Error as exc:
            errors.append(exc)
        finally:
            conn.close()

    thread = threading.Thread(target=write)
    thread.start()
    thread.join(timeout + 5)
    return errors[0] if errors else None


def test_a_waiting_writer_gets_in_as_soon_as_the_holder_commits(database):
    delays = []
    for round_ in range(10):
        holder = _connect(database)
        holder.begin_immediate()
        holder.execute("INSERT INTO t VALUES (?)", (round_,))
        entered = []

        def write(entered=entered):
            waiter = _connect(database)
            waiter.begin_immediate()
            entered.append(time.monotonic())
            waiter.rollback()
            waiter.close()

        thread = threading.Thread(target=write)
        thread.start()
        time.sleep(0.25)
        assert not entered, "the second writer got in while the first held the lock"
        released = time.monotonic()
        holder.commit()
        holder.close()
        thread.join(5)
        assert entered, "the waiting writer never got in"
        delays.append(entered[0] - released)
    # Handed over at once each time. SQLite's busy handler sleeps 100 ms apart by then, so plain
    # connections take about 50 ms a handover (0.5 s for ten; measured 0.8 s).
    assert sum(delays) < 0.25, delays
    with sqlite3.connect(database) as conn:
        assert conn.execute("SELECT count(*) FROM t").fetchone()[0] == 10


def test_rollback_and_close_release_the_gate(database):
    first = _connect(database)
    first.begin_immediate()
    first.rollback()
    # Another thread must pass the gate: it would time out if the rollback had kept it.
    assert _write_in_another_thread(database, timeout=0.5) is None
    first.begin_immediate()
    first.execute("INSERT INTO t VALUES (3)")
    first.close()  # closing mid-transaction lets the next writer in too
    assert _write_in_another_thread(database, timeout=0.5) is None


def test_a_writer_kept_out_by_the_gate_times_out_as_locked(database):
    holder = _connect(database)
    holder.begin_immediate()
    error = _write_in_another_thread(database, timeout=0.3)
    assert isinstance(error, sqlite3.OperationalError) and "locked" in str(error)
    holder.rollback()
    holder.close()


def test_a_thread_writing_through_two_connections_falls_back_to_sqlites_own_lock(database):
    outer, inner = _connect(database), _connect(database, timeout=0.2)
    outer.begin_immediate()
    # The gate is this thread's already: the inner writer does not wait for itself forever,
    # it meets SQLite's lock and busy timeout, as it would without the gate.
    with pytest.raises(sqlite3.OperationalError, match="locked"):
        inner.begin_immediate()
    outer.commit()
    inner.begin_immediate()
    inner.commit()


def test_one_gate_per_database_file_and_process(database, tmp_path):
    alias = tmp_path / "alias"
    alias.symlink_to(tmp_path, target_is_directory=True)
    assert gate_for(database) is gate_for(f"{tmp_path}/./gate.sqlite")
    assert gate_for(database) is gate_for(str(alias / "gate.sqlite"))
    assert gate_for(database) is not gate_for(str(tmp_path / "other.sqlite"))


def test_the_questionnaire_answers_while_another_process_holds_the_write_lock(request, tmp_path):
    """Pages and refused posts read outside a transaction, so a writer elsewhere (a backup, the
    CLI, another worker mid-commit) does not stall them for the busy timeout."""
    url = fresh_database(request, "sqlite", tmp_path)
    app = make_app(url, SQLITE_BUSY_TIMEOUT_MS=3000)
    client = app.test_client()
    page = client.get("/s/nanyang-dcm")
    assert page.status_code == 200
    other = sqlite3.connect(url[len("sqlite:///") :], isolation_level=None)
    other.execute("BEGIN IMMEDIATE")
    try:
        started = time.monotonic()
        assert client.head("/s/nanyang-dcm").status_code == 200
        assert client.get("/s/nanyang-dcm/thanks").status_code == 200
        refused = client.post("/s/nanyang-dcm", data={"district": "2"})  # no tokens: refused
        assert refused.status_code == 400
        assert time.monotonic() - started < 2.0  # the busy timeout is 3 s
    finally:
        other.execute("ROLLBACK")
        other.close()


@pytest.fixture
def other_process_writing():
    """``hold(database_path)``: another process takes the writer gate of that file and keeps it
    until the test ends."""
    held = []

    def hold(path):
        code = (
            "import fcntl, os, sys, time\n"
            "fd = os.open(sys.argv[1] + '-writers', os.O_RDWR | os.O_CREAT)\n"
            "fcntl.flock(fd, fcntl.LOCK_EX)\n"
            "print('held', flush=True)\n"
            "sys.stdin.read()\n"
        )
        proc = subprocess.Popen(
            [sys.executable, "-c", code, path],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        assert proc.stdout.readline().strip() == "held"
        held.append(proc)
        return proc

    yield hold
    for proc in held:
        proc.communicate("")


def test_a_writer_gives_up_after_the_busy_timeout_as_sqlite_would(database, other_process_writing):
    other_process_writing(database)
    waiter = _connect(database, timeout=0.3)
    started = time.monotonic()
    with pytest.raises(sqlite3.OperationalError, match="database is locked"):
        waiter.begin_immediate()
    assert 0.3 <= time.monotonic() - started < 2.0
    assert not waiter.in_transaction


def test_a_submission_that_cannot_get_the_lock_is_a_503_and_stores_nothing(
    request, tmp_path, other_process_writing
):
    url = fresh_database(request, "sqlite", tmp_path)
    app = make_app(url, SQLITE_BUSY_TIMEOUT_MS=300)
    client = app.test_client()
    page = client.get("/s/nanyang-dcm").get_data(as_text=True)
    answers = {name: hidden_value(page, name) for name in ("csrf_token", "_st")}
    answers.update(COMPLETE)
    holder = other_process_writing(url[len("sqlite:///") :])
    busy = client.post("/s/nanyang-dcm", data=answers)
    assert busy.status_code == 503 and busy.headers["Retry-After"]
    holder.communicate("")  # the other writer is done: the respondent's retry goes through
    again = client.post("/s/nanyang-dcm", data=answers)
    assert again.status_code == 303
    with sqlite3.connect(url[len("sqlite:///") :]) as conn:
        assert conn.execute("SELECT count(*) FROM responses").fetchone()[0] == 1
