"""Accepted questionnaire submissions per second under gunicorn, against the floor.

Run from the repository root::

    .venv/bin/python bench/submit_bench.py [--seconds 10] [--connections 16 64] [--rounds 3]
        [--postgres postgresql://postgres@127.0.0.1:5432/h_serving] [--flow post|get-post]

For each database (SQLite, then PostgreSQL when ``--postgres`` or ``BENCH_DATABASE_URL`` names a
server; a dedicated database ``h_serving_bench_*`` is created next to it and dropped afterwards)
the app runs under gunicorn with the settings of ``gunicorn.conf.py`` on loopback, and a load
generator in separate processes (one keep-alive connection per simulated respondent) posts
complete, valid answers to the default survey for a fixed time: each POST carries the session's
CSRF token and a fresh signed submission token. ``--flow post`` (default) mints the submission
token in the client, as the form page would, so every request is one submission;
``--flow get-post`` fetches the form page before every submission instead.

Printed per run: accepted submissions/s, p50/p99 latency of the submitting POST, errors, and the
responses found in the database afterwards (must equal the accepted count: zero lost). The floor
is bench/floor_app.py (raw form body inserted into SQLite) under the same gunicorn settings.
Floor and SQLite runs alternate for ``--rounds`` rounds; each round's ratio is its app rate over
the floor rate measured just before, and the median of the rounds is the figure to quote (on a
shared virtual machine both rates drift by a fifth within minutes). PostgreSQL runs once per
connection count and is compared with the median floor.
"""

import argparse
import multiprocessing
import os
import random
import runpy
import sqlite3
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import harness  # noqa: E402

SECRET = "bench-secret-key"
FLOOR_PAGE = None  # the questionnaire page, for the floor's request bodies (set in main)
FORM_PATH = f"/s/{harness.SURVEY}"


def _respondent_loop(kind, base_url, version_id, window, flow, seed, out):
    """One simulated respondent: open the form, wait for the start of ``window``, then submit
    until its end; append the results to ``out``."""
    start, deadline = window
    rng = random.Random(seed)
    client = harness.Respondent(base_url)
    latencies, accepted, errors = [], [], {}
    try:
        if kind == "floor":
            # The floor stores bodies of the same shape and size as real submissions.
            form = harness.parse_form(FLOOR_PAGE)
        else:
            status, _resp, page = client.get(FORM_PATH)
            if status != 200:
                raise RuntimeError(f"GET {FORM_PATH} answered {status}")
            form = harness.parse_form(page)
        csrf = form.hidden["csrf_token"]
        time.sleep(max(0.0, start - time.monotonic()))
        while time.monotonic() < deadline:
            answers = harness.complete_answers(form, rng)
            if kind == "floor":
                token, nonce = "floor", None
            elif flow == "get-post":
                _status, _resp, page = client.get(FORM_PATH)
                token = harness.parse_form(page).hidden["_st"]
                nonce = harness.nonce_of(token)
            else:
                token, nonce = harness.mint_token(SECRET, version_id)
            body = harness.encode(answers, csrf, token)
            path = "/submit" if kind == "floor" else FORM_PATH
            started = time.perf_counter()
            try:
                status, response, _data = client.post(path, body)
            except OSError as exc:
                errors[type(exc).__name__] = errors.get(type(exc).__name__, 0) + 1
                client.close()
                continue
            elapsed = time.perf_counter() - started
            ok = (
                status == 201
                if kind == "floor"
                else (status == 303 and response.getheader("Location", "").endswith("/thanks"))
            )
            if ok:
                latencies.append(elapsed)
                accepted.append(nonce)
            else:
                errors[status] = errors.get(status, 0) + 1
    finally:
        client.close()
    out.append((latencies, accepted, errors))


def _load_process(kind, base_url, version_id, window, flow, threads, seed, queue):
    out = []
    # This process's CPU time from the start of the window (setup, opening forms, excluded).
    cpu_at_start = []
    timer = threading.Timer(
        max(0.0, window[0] - time.monotonic()), lambda: cpu_at_start.append(time.process_time())
    )
    timer.start()
    workers = [
        threading.Thread(
            target=_respondent_loop,
            args=(kind, base_url, version_id, window, flow, seed * 1000 + i, out),
        )
        for i in range(threads)
    ]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    timer.join()
    latencies, accepted, errors = [], [], {}
    for lat, acc, err in out:
        latencies += lat
        accepted += acc
        for key, count in err.items():
            errors[key] = errors.get(key, 0) + count
    queue.put((latencies, accepted, errors, time.process_time() - cpu_at_start[0]))


def drive(kind, base_url, version_id, connections, seconds, flow, server):
    """Run the load generator (separate processes) for ``seconds``; return the merged results.

    Besides the requests' results, CPU seconds used during the window by the ``server``'s workers
    and by the load generator.
    """
    processes = min(4, connections)
    per_process = [
        connections // processes + (i < connections % processes) for i in range(processes)
    ]
    # Measure from a common start a moment from now, once every process is up and every
    # respondent has opened its form (and every server worker has served a first page), so the
    # window holds submissions only. CLOCK_MONOTONIC is shared by all processes of the machine.
    start = time.monotonic() + 2.0
    window = (start, start + seconds)
    queue = multiprocessing.Queue()
    procs = [
        multiprocessing.Process(
            target=_load_process,
            args=(kind, base_url, version_id, window, flow, n, i + 1, queue),
        )
        for i, n in enumerate(per_process)
    ]
    server_at_start = []
    timer = threading.Timer(2.0, lambda: server_at_start.append(server.cpu_seconds()))
    timer.start()
    for proc in procs:
        proc.start()
    results = [queue.get() for _ in procs]
    for proc in procs:
        proc.join()
    timer.join()
    server_cpu = server.cpu_seconds() - server_at_start[0]
    latencies, accepted, errors, load_cpu = [], [], {}, 0.0
    for lat, acc, err, cpu in results:
        latencies += lat
        accepted += acc
        load_cpu += cpu
        for key, count in err.items():
            errors[key] = errors.get(key, 0) + count
    return {
        "latencies": latencies,
        "accepted": accepted,
        "errors": errors,
        "seconds": seconds,
        "cpu": (server_cpu, load_cpu),
    }


def quantile(values, q):
    """The ``q`` quantile of ``values`` (0 when empty)."""
    if not values:
        return 0.0
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=100, method="inclusive")[round(q * 100) - 1]


def report(label, connections, result, stored):
    """Print one run's line; return its accepted rate."""
    accepted = len(result["accepted"])
    rate = accepted / result["seconds"]
    lost = accepted - stored if stored is not None else 0
    errors = sum(result["errors"].values())

    def per_accepted(seconds):
        return f"{seconds / accepted * 1000:.2f} ms" if accepted else "-"

    detail = ", ".join(f"{k}: {v}" for k, v in sorted(result["errors"].items(), key=str))
    print(
        f"  {label:<22} c={connections:<3} {rate:8.1f} accepted/s   "
        f"p50 {quantile(result['latencies'], 0.50) * 1000:6.1f} ms   "
        f"p99 {quantile(result['latencies'], 0.99) * 1000:6.1f} ms   "
        f"errors {errors}{' (' + detail + ')' if detail else ''}   "
        f"accepted {accepted} stored {stored} lost {lost}   "
        f"CPU per accepted: server {per_accepted(result['cpu'][0])}, "
        f"load generator {per_accepted(result['cpu'][1])}",
        flush=True,
    )
    return rate


def run_app(label, url, connections, args):
    """Benchmark surveyapp on database ``url`` at ``connections``; return (rate, p99 seconds)."""
    if url.startswith("sqlite"):
        Path(url[len("sqlite:///") :]).unlink(missing_ok=True)
        for suffix in ("-wal", "-shm"):
            Path(url[len("sqlite:///") :] + suffix).unlink(missing_ok=True)
    else:
        _reset_postgres(url)
    version_id = harness.prepare_database(url)
    env = {
        "SURVEYAPP_SECRET_KEY": SECRET,
        "SURVEYAPP_DATABASE_URL": url,
        "SURVEYAPP_RATELIMIT_ENABLED": "false",
    }
    with harness.Server(env=env, workers=args.workers, threads=args.threads) as server:
        server.wait_ready()
        result = drive("app", server.url, version_id, connections, args.seconds, args.flow, server)
    tokens = harness.stored_tokens(url)
    missing = set(result["accepted"]) - set(tokens)
    if missing:
        print(f"  !! {len(missing)} accepted submissions are not in the database")
    rate = report(label, connections, result, len(tokens))
    return rate, quantile(result["latencies"], 0.99)


def _reset_postgres(url):
    from sqlalchemy import create_engine
    from sqlalchemy import text

    engine = create_engine(url)
    with engine.begin() as conn:
        conn.execute(text("DROP SCHEMA public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
    engine.dispose()


def run_floor(directory, connections, args):
    """Benchmark the floor app at ``connections``; return its rate."""
    path = Path(directory) / "floor.sqlite"
    for suffix in ("", "-wal", "-shm"):
        Path(str(path) + suffix).unlink(missing_ok=True)
    env = {"FLOOR_DATABASE": str(path)}
    with harness.Server(
        "floor_app:app", env=env, workers=args.workers, threads=args.threads
    ) as server:
        server.wait_ready()
        result = drive("floor", server.url, None, connections, args.seconds, args.flow, server)
    with sqlite3.connect(path) as conn:
        stored = conn.execute("SELECT count(*) FROM submission").fetchone()[0]
    return report("floor (raw insert)", connections, result, stored)


def main(argv=None):
    """Run every configuration and print figures and ratios."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--connections", type=int, nargs="+", default=[16, 64])
    parser.add_argument("--flow", choices=["post", "get-post"], default="post")
    parser.add_argument("--workers", type=int, default=None, help="default: gunicorn.conf.py's")
    parser.add_argument("--threads", type=int, default=None, help="default: gunicorn.conf.py's")
    parser.add_argument(
        "--postgres",
        default=os.environ.get("BENCH_DATABASE_URL"),
        help="a PostgreSQL server URL; a scratch database is made next to it",
    )
    parser.add_argument("--no-floor", action="store_true")
    parser.add_argument(
        "--rounds", type=int, default=3, help="floor and SQLite runs, alternating (default 3)"
    )
    args = parser.parse_args(argv)
    settings = runpy.run_path(str(harness.ROOT / "gunicorn.conf.py"))
    args.workers = args.workers or settings["workers"]
    args.threads = args.threads or settings["threads"]
    print(
        f"submit_bench: {args.seconds:g} s per run, flow={args.flow}, gunicorn "
        f"{args.workers} workers x {args.threads} threads "
        f"({args.rounds} rounds of floor then SQLite) "
        f"({'sync' if args.threads == 1 else 'gthread'}), {os.cpu_count()} CPUs, "
        f"load generator in {min(4, max(args.connections))} separate processes",
        flush=True,
    )
    with tempfile.TemporaryDirectory(prefix="submit-bench-") as directory:
        global FLOOR_PAGE
        FLOOR_PAGE = harness.form_page(directory)
        # Floor and app alternate, round after round: on a shared machine the speed of both
        # drifts by a fifth within minutes, and a ratio of runs minutes apart drifts with it.
        floor, sqlite = {}, {}
        for connections in args.connections:
            for _round in range(args.rounds):
                if not args.no_floor:
                    floor.setdefault(connections, []).append(
                        run_floor(directory, connections, args)
                    )
                sqlite.setdefault(connections, []).append(
                    run_app(
                        "surveyapp on SQLite",
                        f"sqlite:///{directory}/app.sqlite",
                        connections,
                        args,
                    )
                )
        postgres = {}
        if args.postgres:
            name = harness.unique_name("h_serving_bench")
            try:
                url = harness.postgres_database(args.postgres, name)
                for connections in args.connections:
                    postgres[connections] = run_app(
                        "surveyapp on PostgreSQL", url, connections, args
                    )
            except Exception as exc:  # noqa: BLE001 - a missing server is reported, not fatal
                print(f"  PostgreSQL run skipped: {exc}")
            finally:
                try:
                    harness.drop_postgres_database(args.postgres, name)
                except Exception:  # noqa: BLE001
                    pass
        else:
            print("  PostgreSQL: not run (pass --postgres URL or set BENCH_DATABASE_URL)")
    print(
        "ratios (full submission / floor, SQLite, each round's app run over the floor run "
        "just before it; target >= 0.25, p99 < 100 ms at c=16):"
    )
    for connections in args.connections:
        runs = sqlite[connections]
        worst_p99 = max(p99 for _rate, p99 in runs) * 1000
        if floor.get(connections):
            ratios = [rate / base for (rate, _p99), base in zip(runs, floor[connections])]
            each = " ".join(f"{r:.2f}" for r in ratios)
            print(
                f"  c={connections:<3} SQLite/floor median {statistics.median(ratios):5.2f} "
                f"(rounds: {each})   p99 worst round {worst_p99:.1f} ms"
            )
            if connections in postgres:
                ratio = postgres[connections][0] / statistics.median(floor[connections])
                print(f"  c={connections:<3} PostgreSQL/median floor {ratio:5.2f}")
        else:
            print(f"  c={connections:<3} (no floor run)   p99 worst round {worst_p99:.1f} ms")


if __name__ == "__main__":
    main()
