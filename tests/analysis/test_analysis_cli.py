"""python -m analysis on a small CSV (run as a subprocess)."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
DATA = Path(__file__).resolve().parent / "data"

CONFIG = """
design: {weights: pw, clusters: dnum, fpc: fpc}
weighting:
  method: rake
  margins:
    stype: {E: 4421, H: 755, M: 1018}
    sch.wide: {"No": 1072, "Yes": 5122}
level: 0.95
estimates:
  - {type: mean, variable: api00}
  - {type: total, variable: enroll}
  - {type: proportion, variable: awards, method: korn-graubard}
  - {type: mean, variable: api00, by: stype}
"""


def run(*args):
    return subprocess.run(
        [sys.executable, "-W", "error", "-m", "analysis", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )


@pytest.fixture()
def config(tmp_path):
    path = tmp_path / "design.yaml"
    path.write_text(CONFIG)
    return path


def test_json_output(config):
    proc = run(str(DATA / "apiclus1.csv"), str(config), "--json")
    assert proc.returncode == 0, proc.stderr
    out = json.loads(proc.stdout)
    first = out["estimates"][0]
    # raked mean and SE: R survey rakecheck.Rout.save prints 641.23 and 23.704
    assert round(first["estimate"], 2) == 641.23
    assert round(first["se"], 3) == 23.704
    assert first["ci_low"] < first["estimate"] < first["ci_high"]
    assert out["weighting"]["converged"] is True
    kinds = [e["kind"] for e in out["estimates"]]
    assert kinds == ["mean", "total", "proportion", "proportion", "mean", "mean", "mean"]


def test_table_output(config):
    proc = run(str(DATA / "apiclus1.csv"), str(config), "--level", "0.9")
    assert proc.returncode == 0, proc.stderr
    assert "api00" in proc.stdout and "ci_low" in proc.stdout and "enroll" in proc.stdout


def test_errors_are_reported_not_raised(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("design: {weights: nope}\nestimates: []\n")
    proc = run(str(DATA / "apiclus1.csv"), str(bad))
    assert proc.returncode == 2
    assert "nope" in proc.stderr and "Traceback" not in proc.stderr
