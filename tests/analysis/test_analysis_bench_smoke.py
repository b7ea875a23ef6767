"""The benchmark script runs (small n, without samplics) and prints its figures."""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_benchmark_runs_on_a_small_sample():
    script = str(ROOT / "bench" / "analysis_bench.py")
    proc = subprocess.run(
        [sys.executable, "-W", "error", script, "--n", "20000", "--no-samplics"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr
    needles = ("rake 20,000 x 3 margins", "all item shares", "peak memory", "samplics: skipped")
    for needle in needles:
        assert needle in proc.stdout
