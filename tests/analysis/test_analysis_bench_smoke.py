"""The benchmark script runs (small n, without svy) and prints its figures."""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_benchmark_runs_on_a_small_sample():
    script = str(ROOT / "bench" / "analysis_bench.py")
    proc = subprocess.run(
        [sys.executable, "-W", "error", script, "--n", "20000", "--no-svy"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr
    needles = ("rake to 3 margins", "shares of all 20 items", "mean of income", "peak memory")
    added = (
        "median of income + Woodruff CI",
        "logistic regression, 3 factors",
        "JKn replicate weights, 400 (n=20,000)",
        "mean of income, 400 JKn replicates",
        "bootstrap weights, 200",
        "mean of income, 200 bootstrap replicates",
        "calibrate (linear) to 3 margins",
    )
    for needle in (*needles, *added):
        assert needle in proc.stdout


def test_coverage_script_runs_with_few_replicates():
    script = str(ROOT / "bench" / "coverage.py")
    proc = subprocess.run(
        [sys.executable, "-W", "error", script, "--reps", "3", "--by-zone"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr
    needles = ("whole city", "rate", "index", "heard total", "heard (wilson)", "flagged")
    for needle in (*needles, "Estimable cells:", "D8 (9 nbhds)"):
        assert needle in proc.stdout
