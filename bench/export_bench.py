"""Export benchmark: rows per second and peak memory for every format at 100k and 1M responses.

    .venv/bin/python bench/export_bench.py                 # 100,000 and 1,000,000
    .venv/bin/python bench/export_bench.py --sizes 20000   # quicker

The data are generated with ``survey demo-data``'s generator straight into a temporary SQLite
file (migrated the normal way). Each export runs in a fresh child process. Just before the export
the child resets its peak-RSS counter (``echo 5 > /proc/self/clear_refs``, Linux) so that
``VmHWM`` afterwards is the peak resident memory *during the export*; ``base MB`` is the resident
memory just before it (interpreter, numpy/pandas/matplotlib, the app), so the export's own
working set is the difference.
"""

import argparse
import contextlib
import io
import json
import os
import resource
import subprocess
import sys
import tempfile
import time

FORMATS = ("csv", "json", "xlsx", "sav", "dta")


def _app(url):
    from surveyapp import create_app

    return create_app({"TESTING": True, "SECRET_KEY": "bench", "SQLALCHEMY_DATABASE_URI": url})


def build(path, n):
    """A migrated SQLite database at ``path`` with the default survey and ``n`` demo responses."""
    import flask_migrate

    from surveyapp.definitions import builtin_path
    from surveyapp.definitions import load_file
    from surveyapp.definitions.store import save_definition
    from surveyapp.demo import insert_demo_responses
    from surveyapp.extensions import db

    app = _app(f"sqlite:///{path}")
    with app.app_context():
        # Alembic's logging configuration prints every migration; a benchmark has no use for it.
        with contextlib.redirect_stderr(io.StringIO()):
            flask_migrate.upgrade()
        survey = save_definition(load_file(builtin_path("nanyang-dcm")), status="open")[0].survey
        start = time.perf_counter()
        insert_demo_responses(survey, n, seed=1)
        db.session.commit()
        return time.perf_counter() - start


def child(path, fmt, out):
    """Run one export in this (child) process and print JSON figures."""
    from surveyapp.definitions.store import get_survey
    from surveyapp.exports.services import export_responses_to

    app = _app(f"sqlite:///{path}")
    with app.app_context():
        survey = get_survey("nanyang-dcm")
        base = _status("VmRSS")
        with open("/proc/self/clear_refs", "w") as fh:
            fh.write("5")
        start = time.perf_counter()
        rows = export_responses_to(survey, fmt, out)
        seconds = time.perf_counter() - start
        peak = _status("VmHWM")
    print(
        json.dumps(
            {"rows": rows, "seconds": seconds, "peak_mb": peak / 1024, "base_mb": base / 1024}
        )
    )


def _status(field):
    """A memory figure of this process from /proc/self/status, in kB."""
    with open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def run(path, fmt, tmp):
    out = os.path.join(tmp, f"out.{fmt}")
    done = subprocess.run(
        [sys.executable, __file__, "--child", path, fmt, out],
        check=True,
        capture_output=True,
        text=True,
    )
    figures = json.loads(done.stdout.strip().splitlines()[-1])
    figures["size_mb"] = os.path.getsize(out) / 1e6 if os.path.exists(out) else 0
    return figures


def main():
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--sizes", type=int, nargs="+", default=[100_000, 1_000_000])
    parser.add_argument("--formats", nargs="+", default=list(FORMATS), choices=FORMATS)
    parser.add_argument("--child", nargs=3, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(*args.child)
        return
    print(
        f"{'responses':>10} {'format':>6} {'rows/s':>10} {'seconds':>8} {'peak MB':>8} {'base MB':>8} {'file MB':>8}"
    )
    for n in args.sizes:
        with tempfile.TemporaryDirectory() as tmp:
            path = os.path.join(tmp, "bench.sqlite")
            seconds = build(path, n)
            print(
                f"{n:>10} {'demo':>6} {n / seconds:>10,.0f} {seconds:>8.1f}   (generating + inserting)",
                flush=True,
            )
            for fmt in args.formats:
                f = run(path, fmt, tmp)
                print(
                    f"{n:>10} {fmt:>6} {f['rows'] / f['seconds']:>10,.0f} {f['seconds']:>8.1f} "
                    f"{f['peak_mb']:>8.0f} {f['base_mb']:>8.0f} {f['size_mb']:>8.1f}",
                    flush=True,
                )


if __name__ == "__main__":
    main()
