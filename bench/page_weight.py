"""Weight of the default survey's questionnaire page: HTML + CSS + JS, raw and gzipped.

Run from the repository root::

    .venv/bin/python bench/page_weight.py

Fetches ``/s/nanyang-dcm`` with the Flask test client and every ``/static`` asset the page (and
its CSS, through ``url()``) references. Target: HTML + CSS + JS under 60 KB uncompressed.
"""

import gzip
import re
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import harness  # noqa: E402

TARGET = 60 * 1024
REFERENCE = re.compile(r"""(?:href|src)="(/static/[^"?#]+)""")
CSS_URL = re.compile(r"""url\(\s*['"]?(/static/[^'")?#]+)""")
KINDS = {".css": "CSS", ".js": "JS"}


def fetch(client, path):
    """The body of ``path`` (asserting 200)."""
    with client.get(path) as response:
        if response.status_code != 200:
            raise SystemExit(f"{path}: HTTP {response.status_code}")
        return response.get_data()


def main():
    """Print each file's raw and gzip size and the totals against the target."""
    from surveyapp import create_app
    from surveyapp.extensions import db

    with tempfile.TemporaryDirectory(prefix="page-weight-") as directory:
        url = f"sqlite:///{directory}/page.sqlite"
        harness.prepare_database(url)
        app = create_app({"TESTING": True, "SECRET_KEY": "page", "SQLALCHEMY_DATABASE_URI": url})
        client = app.test_client()
        page_path = f"/s/{harness.SURVEY}"
        files = [(page_path, "HTML", fetch(client, page_path))]
        seen, queue = set(), REFERENCE.findall(files[0][2].decode("utf-8"))
        while queue:
            path = queue.pop(0)
            if path in seen:
                continue
            seen.add(path)
            body = fetch(client, path)
            kind = KINDS.get(Path(path).suffix, "other")
            files.append((path, kind, body))
            if kind == "CSS":
                queue += CSS_URL.findall(body.decode("utf-8"))
        with app.app_context():
            db.engine.dispose()

    print(f"page_weight: {page_path} and the /static assets it references")
    totals = {}
    for path, kind, body in files:
        packed = len(gzip.compress(body, compresslevel=6))
        raw_total, gz_total = totals.get(kind, (0, 0))
        totals[kind] = (raw_total + len(body), gz_total + packed)
        print(f"  {kind:<5} {path:<28} {len(body):>8,} B   gzip {packed:>7,} B")
    text_raw = sum(totals.get(k, (0, 0))[0] for k in ("HTML", "CSS", "JS"))
    text_gz = sum(totals.get(k, (0, 0))[1] for k in ("HTML", "CSS", "JS"))
    verdict = "within" if text_raw < TARGET else "OVER"
    print(
        f"  HTML+CSS+JS {text_raw:,} B ({text_raw / 1024:.1f} KB) uncompressed, "
        f"{text_gz:,} B ({text_gz / 1024:.1f} KB) gzip; target < {TARGET // 1024} KB: {verdict} "
        f"({text_raw / TARGET:.0%} of the budget)"
    )
    other = totals.get("other")
    if other:
        print(f"  other assets (images): {other[0]:,} B, gzip {other[1]:,} B")


if __name__ == "__main__":
    main()
