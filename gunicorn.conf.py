"""gunicorn settings for surveyapp (``gunicorn -c gunicorn.conf.py surveyapp.wsgi:app``).

Everything machine-specific comes from the environment:

- ``SURVEYAPP_BIND`` (e.g. ``unix:/run/surveyapp.sock`` or ``0.0.0.0:8000``), else
  ``127.0.0.1:$PORT`` (``PORT`` defaults to 8000): behind a reverse proxy, listen on loopback.
- ``SURVEYAPP_WORKERS``: processes, default ``cores + 1`` (3 on two cores) when
  ``SURVEYAPP_RATELIMIT_STORAGE_URI`` names a shared store (Redis), else 1 (see below). A submission is
  almost all CPU (parsing, validation, a short write), so one process per core plus one that runs
  while another waits for the database lock.
- ``SURVEYAPP_THREADS``: threads per process, default 1: gunicorn's ``sync`` worker, one request
  at a time. Threads in one process share one interpreter lock, and a thread woken from a
  database wait queues behind the others' Python for up to 5 ms: on two cores 4 threads per
  worker took 30% fewer submissions per second than 1 (``bench/submit_bench.py --threads``). With
  more than 1, gunicorn uses its ``gthread`` worker, which also keeps connections alive; worth it
  when requests wait on a remote database for long.
- ``SURVEYAPP_TIMEOUT``: seconds before a silent worker is killed and replaced (default 30).
- ``SURVEYAPP_ACCESS_LOG``: a path or ``-`` for stdout; off by default (the proxy logs requests).
"""

import multiprocessing
import os
import sys


def _int(name, default):
    value = os.environ.get(name, "").strip()
    return int(value) if value else default


def _default_workers():
    """``cores + 1``, or 1 while rate limits are counted in each process's memory.

    With ``memory://`` (the default storage) several workers would each count their own limits,
    so the app refuses to boot that way (``surveyapp.serving.check_rate_limit_storage``); one
    worker keeps ``make serve-prod`` working out of the box, and says how to get more.
    """
    storage = os.environ.get("SURVEYAPP_RATELIMIT_STORAGE_URI", "").strip()
    if storage and not storage.startswith("memory://"):
        return multiprocessing.cpu_count() + 1
    print(
        "surveyapp: 1 worker, because rate limits are counted in memory; set "
        "SURVEYAPP_RATELIMIT_STORAGE_URI=redis://HOST:6379/0 for one worker per core "
        "(or SURVEYAPP_WORKERS=N with a shared store).",
        file=sys.stderr,
    )
    return 1


bind = os.environ.get("SURVEYAPP_BIND") or f"127.0.0.1:{_int('PORT', 8000)}"
workers = _int("SURVEYAPP_WORKERS", 0) or _default_workers()
threads = _int("SURVEYAPP_THREADS", 1)
worker_class = "sync" if threads == 1 else "gthread"
timeout = _int("SURVEYAPP_TIMEOUT", 30)
graceful_timeout = 30
# gthread only: keep-alive to the proxy (nginx reuses upstream connections with `keepalive`).
keepalive = 5
# Recycle workers now and then so slow leaks cannot grow without bound; jitter avoids all at once.
# Not often: a new worker spends about two seconds of CPU importing and warming up.
max_requests = _int("SURVEYAPP_MAX_REQUESTS", 50000)
max_requests_jitter = max_requests // 10
# Each worker builds its own app and connection pool after the fork (never share connections).
preload_app = False
# Heartbeat files in memory, not on a disk that may stall.
worker_tmp_dir = "/dev/shm" if os.path.isdir("/dev/shm") else None
accesslog = os.environ.get("SURVEYAPP_ACCESS_LOG") or None
errorlog = "-"
loglevel = os.environ.get("SURVEYAPP_LOG_LEVEL", "info")
# gunicorn sets wsgi.url_scheme from X-Forwarded-Proto only for these addresses; the app's
# ProxyFix (SURVEYAPP_PROXY_FIX_*) handles the rest of X-Forwarded-*.
forwarded_allow_ips = os.environ.get("SURVEYAPP_FORWARDED_ALLOW_IPS", "127.0.0.1,::1")
proc_name = "surveyapp"
# gunicorn 27's control socket defaults to one path per user, which several instances on a
# machine (app servers, tests, benchmarks) would fight over: off unless a path is given.
control_socket = os.environ.get("SURVEYAPP_CONTROL_SOCKET") or "gunicorn.ctl"
control_socket_disable = not os.environ.get("SURVEYAPP_CONTROL_SOCKET")


def on_starting(server):
    """Tell the workers how many of them there are: each refuses to boot when several would
    count rate limits in their own memory (surveyapp.serving.check_rate_limit_storage)."""
    os.environ["SURVEYAPP_GUNICORN_WORKERS"] = str(server.cfg.workers)
