"""python -m analysis on a small CSV (run as a subprocess)."""

import json
import subprocess
import sys
from pathlib import Path

import pandas as pd
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


def test_new_estimators_and_calibrate_from_the_command_line(tmp_path):
    from analysis import Design
    from analysis import calibrate
    from analysis import counts
    from analysis import quantile

    path = tmp_path / "design.yaml"
    path.write_text(
        """
design: {weights: pw, clusters: dnum, fpc: fpc}
weighting:
  method: calibrate
  calfun: raking
  population: {stype: {E: 4421, H: 755, M: 1018}, api99: 3914069}
estimates:
  - {type: quantile, variable: api00, probs: [0.5], by: stype}
  - {type: counts, variable: awards}
  - {type: variance, variable: api00}
""",
        encoding="utf-8",
    )
    result = run(str(DATA / "apiclus1.csv"), str(path), "--json")
    assert result.returncode == 0, result.stderr
    rows = json.loads(result.stdout)["estimates"]
    design = calibrate(
        Design(pd.read_csv(DATA / "apiclus1.csv"), weights="pw", clusters="dnum", fpc="fpc"),
        {"stype": {"E": 4421, "H": 755, "M": 1018}, "api99": 3914069},
        calfun="raking",
    )
    medians = [row for row in rows if row["kind"] == "quantile"]
    assert [row["domain"] for row in medians] == ["E", "H", "M"]
    assert medians[1]["ci_low"] == quantile(design, "api00", by="stype")["H", 0.5].low
    yes = [row for row in rows if row["kind"] == "total" and row["category"] == "Yes"][0]
    assert yes["se"] == pytest.approx(counts(design, "awards")["Yes"].se, rel=1e-12)
    assert [row["kind"] for row in rows].count("variance") == 1
