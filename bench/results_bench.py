"""Results benchmark: a cold computation and a cached results page at 100k and 1M responses.

    .venv/bin/python bench/results_bench.py                  # 100,000 and 1,000,000
    .venv/bin/python bench/results_bench.py --sizes 100000   # quicker
    BENCH_DATABASE_URL=postgresql://postgres@127.0.0.1:5432/postgres .venv/bin/python bench/results_bench.py

For each database (SQLite; then PostgreSQL when ``--postgres`` or ``BENCH_DATABASE_URL`` names a
server: a scratch database ``results_bench_*`` is made next to it and dropped afterwards) the
default survey gets N responses from ``survey demo-data``'s generator (its bulk path), then:

- **cold**: a fresh child process calls ``compute_results(survey)`` (load, weight, every summary)
  with no cache (and the results cache cleared when the app has one). Just before, the child
  resets its peak-RSS counter (``/proc/self/clear_refs``), so ``peak MB`` is the peak resident
  memory during the computation; ``base MB`` is the resident memory before it.
- **page**: another child logs a viewer in through the test client, opens the results page and
  its chart images once (``computations`` counts the answer loads that took: one per computation),
  then opens the page again ``--views`` times: the median of those is the cached page view,
  and ``cached computations`` must be 0.

Targets on the 2-core machine: 1M cold under 10 s with peak memory under 2 GB; a cached page
under 100 ms; one computation per page view.
"""

import argparse
import contextlib
import io
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import harness  # noqa: E402


def _app(url):
    from surveyapp import create_app

    return create_app({"TESTING": True, "SECRET_KEY": "bench", "SQLALCHEMY_DATABASE_URI": url})


def build(url, n):
    """Migrate ``url``, load the default survey and insert ``n`` demo responses; seconds taken."""
    import flask_migrate

    from surveyapp.definitions import builtin_path
    from surveyapp.definitions import load_file
    from surveyapp.definitions.store import save_definition
    from surveyapp.demo import insert_demo_responses
    from surveyapp.extensions import db

    app = _app(url)
    with app.app_context():
        with contextlib.redirect_stderr(io.StringIO()):
            flask_migrate.upgrade()
        key = app.config["DEFAULT_SURVEY"]
        survey = save_definition(load_file(builtin_path(key)))[0].survey
        start = time.perf_counter()
        insert_demo_responses(survey, n, seed=1)
        db.session.commit()
        seconds = time.perf_counter() - start
        db.session.remove()
        db.engine.dispose()
    return seconds


def _status(field):
    """A memory figure of this process from /proc/self/status, in MB."""
    with open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith(field + ":"):
                return int(line.split()[1]) / 1024
    return float("nan")


def _count_loads():
    """Count answer loads (one per computation) wherever ``load_frame`` was imported."""
    from surveyapp.results import data

    calls = {"n": 0}
    original = data.load_frame

    def counted(*args, **kwargs):
        calls["n"] += 1
        return original(*args, **kwargs)

    for module in list(sys.modules.values()):
        if getattr(module, "__name__", "").startswith("surveyapp") and (
            getattr(module, "load_frame", None) is original
        ):
            module.load_frame = counted
    return calls


def _clear_cache():
    from surveyapp.results import compute

    clear = getattr(compute, "clear_cache", None)
    if clear is not None:
        clear()


def child_cold(url):
    """One cold ``compute_results`` in this process; prints JSON figures."""
    from surveyapp.definitions.store import get_survey
    from surveyapp.results.compute import compute_results

    app = _app(url)
    with app.app_context():
        survey = get_survey(app.config["DEFAULT_SURVEY"])
        _clear_cache()
        base = _status("VmRSS")
        with open("/proc/self/clear_refs", "w") as fh:
            fh.write("5")
        start = time.perf_counter()
        compute_results(survey)
        seconds = time.perf_counter() - start
        peak = _status("VmHWM")
    print(json.dumps({"seconds": seconds, "peak_mb": peak, "base_mb": base}))


def child_page(url, views):
    """First and cached views of the results page as a viewer; prints JSON figures."""
    from surveyapp.extensions import db
    from surveyapp.models import User

    app = _app(url)
    key = app.config["DEFAULT_SURVEY"]
    with app.app_context():
        user = User(username="bench-viewer", role="viewer")
        user.set_password("bench viewer password")
        db.session.add(user)
        db.session.commit()
        user_id = user.id
        _clear_cache()
    calls = _count_loads()
    client = app.test_client()
    with client.session_transaction() as session:
        session["_user_id"] = str(user_id)
        session["_fresh"] = True
    page_url = f"/console/surveys/{key}/results"
    start = time.perf_counter()
    with client.get(page_url) as response:
        assert response.status_code == 200, response.status_code
        images = sorted(set(re.findall(r'<img src="(/console/[^"]+)"', response.text)))
    for image in images:
        with client.get(image) as response:
            assert response.status_code == 200, (image, response.status_code)
    first = time.perf_counter() - start
    computations = calls["n"]
    times = []
    for _ in range(views):
        start = time.perf_counter()
        with client.get(page_url) as response:
            assert response.status_code == 200
        times.append(time.perf_counter() - start)
    print(
        json.dumps(
            {
                "first_seconds": first,
                "images": len(images),
                "computations": computations,
                "cached_ms": statistics.median(times) * 1000,
                "cached_computations": calls["n"] - computations,
            }
        )
    )


def _child(*args):
    done = subprocess.run(
        [sys.executable, __file__, "--child", *map(str, args)],
        check=True,
        capture_output=True,
        text=True,
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


def measure(label, url, n, views):
    seconds = build(url, n)
    print(f"{label:<10} {n:>9} demo data {n / seconds:>10,.0f} responses/s ({seconds:.1f} s)")
    cold = _child("cold", url)
    print(
        f"{label:<10} {n:>9} cold      {cold['seconds']:>8.2f} s  peak {cold['peak_mb']:>6.0f} MB"
        f"  (base {cold['base_mb']:.0f} MB)",
        flush=True,
    )
    page = _child("page", url, views)
    print(
        f"{label:<10} {n:>9} page      first {page['first_seconds']:.2f} s with "
        f"{page['images']} images: {page['computations']} computations; "
        f"cached {page['cached_ms']:.0f} ms (median of {views}), "
        f"{page['cached_computations']} computations",
        flush=True,
    )


def main():
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--sizes", type=int, nargs="+", default=[100_000, 1_000_000])
    parser.add_argument("--views", type=int, default=5)
    parser.add_argument(
        "--postgres",
        default=os.environ.get("BENCH_DATABASE_URL"),
        help="a PostgreSQL server URL; a scratch database is made next to it",
    )
    parser.add_argument(
        "--backends", nargs="+", default=["sqlite", "postgresql"], choices=["sqlite", "postgresql"]
    )
    parser.add_argument("--child", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        kind, url, *rest = args.child
        if kind == "cold":
            child_cold(url)
        else:
            child_page(url, int(rest[0]))
        return
    print("results benchmark (targets: 1M cold < 10 s, peak < 2 GB; cached page < 100 ms)")
    for n in args.sizes:
        if "sqlite" in args.backends:
            with tempfile.TemporaryDirectory() as tmp, harness.sqlite_url(tmp) as url:
                measure("SQLite", url, n, args.views)
        if args.postgres and "postgresql" in args.backends:
            name = harness.unique_name("results_bench")
            url = harness.postgres_database(args.postgres, name)
            try:
                measure("PostgreSQL", url, n, args.views)
            finally:
                harness.drop_postgres_database(args.postgres, name)
    if not args.postgres:
        print("PostgreSQL: not run (pass --postgres URL or set BENCH_DATABASE_URL)")


if __name__ == "__main__":
    main()
