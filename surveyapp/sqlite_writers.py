"""SQLite writers queue in the kernel instead of in SQLite's sleeping busy handler.

SQLite lets one writer in at a time. The others wait in its busy handler, which polls by sleeping
1, 2, 5, 10, 15, 20, 25, 25, 25, 50, 50 and then 100 ms between tries, so under a burst of
submissions a writer often sleeps long after the lock was free: most of the tail latency is
those sleeps, not work. The app's connections are therefore :class:`GatedConnection` objects:
before ``BEGIN IMMEDIATE`` they take a thread lock (inside the process) and an exclusive
``flock`` on ``<database>-writers`` (between processes), both released the moment the
transaction ends. A waiting thread is woken as soon as the holder commits; a waiting process
looks again every millisecond at most. Either wait ends after the busy timeout with SQLite's
own "database is locked".

SQLite's own lock and busy timeout stay as they are, so other writers (the CLI, a backup, the
``sqlite3`` shell) are still waited for, and a thread that already writes through one connection
and opens a second one falls back to them instead of waiting for itself.
"""

import fcntl
import os
import sqlite3
import threading
import time

SUFFIX = "-writers"

_GATES = {}
_GATES_LOCK = threading.Lock()


class WriterGate:
    """One writer at a time for a database file: a thread lock, then a ``flock``."""

    def __init__(self, database_path):
        self.path = database_path + SUFFIX
        self._thread_lock = threading.Lock()
        self._owner = None
        self._fd = None

    def acquire(self, timeout):
        """Wait up to ``timeout`` seconds for the gate.

        True once held; False when this thread holds it already (through another connection),
        so the caller falls back to SQLite's own lock; :class:`TimeoutError` when the time runs out.
        """
        me = threading.get_ident()
        if self._owner == me:
            return False
        deadline = time.monotonic() + timeout
        if not self._thread_lock.acquire(timeout=timeout):
            raise TimeoutError(f"no turn to write within {timeout:g} s")
        try:
            if self._fd is None:
                self._fd = os.open(self.path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
            self._lock_file(deadline, timeout)
        except BaseException:
            self._thread_lock.release()
            raise
        self._owner = me
        return True

    def _lock_file(self, deadline, timeout):
        # Polled, so that the wait has a bound (a blocking flock has none), in pauses that grow
        # from 50 microseconds to 1 ms: a waiter gets in within a millisecond of the release.
        # Only one thread per process waits here; the others wait on the thread lock.
        pause = 0.00005
        while True:
            try:
                fcntl.flock(self._fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                return
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    raise TimeoutError(f"no turn to write within {timeout:g} s") from None
                time.sleep(pause)
                pause = min(pause * 2, 0.001)

    def release(self):
        """Let the next writer in."""
        self._owner = None
        try:
            fcntl.flock(self._fd, fcntl.LOCK_UN)
        finally:
            self._thread_lock.release()


def gate_for(database_path):
    """The gate of a database file in this process (one per file; a fresh one after a fork)."""
    key = (os.getpid(), os.path.realpath(database_path))
    with _GATES_LOCK:
        gate = _GATES.get(key)
        if gate is None:
            gate = _GATES[key] = WriterGate(key[1])
        return gate


class GatedConnection(sqlite3.Connection):
    """An ``sqlite3`` connection whose write transactions pass the database's :class:`WriterGate`.

    Pass as ``factory`` to :func:`sqlite3.connect`; :meth:`attach` it to its file's gate once
    connected (an in-memory database has none and behaves like a plain connection).
    """

    gate = None
    gate_timeout = 15.0
    _holding = False

    def attach(self, timeout):
        """Use the gate of this connection's main database file, waiting at most ``timeout`` s."""
        path = next(
            (row[2] for row in self.execute("PRAGMA database_list") if row[1] == "main"), ""
        )
        if path:
            self.gate = gate_for(path)
            self.gate_timeout = timeout

    def begin_immediate(self):
        """``BEGIN IMMEDIATE`` after passing the gate, unless a transaction is already open."""
        if self.in_transaction:
            return
        try:
            held = self.gate is not None and self.gate.acquire(self.gate_timeout)
        except TimeoutError as exc:
            # What SQLite itself says when its busy timeout runs out (answered 503 by the app).
            raise sqlite3.OperationalError(f"database is locked ({exc})") from exc
        try:
            self.execute("BEGIN IMMEDIATE")
        except BaseException:
            if held:
                self.gate.release()
            raise
        self._holding = held

    def commit(self):
        try:
            super().commit()
        finally:
            self._release_when_done()

    def rollback(self):
        try:
            super().rollback()
        finally:
            self._release_when_done()

    def close(self):
        try:
            super().close()
        finally:
            self._release_when_done(closed=True)

    def _release_when_done(self, closed=False):
        if self._holding and (closed or not self.in_transaction):
            self._holding = False
            self.gate.release()
