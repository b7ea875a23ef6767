"""Benchmark of the analysis package on 1,000,000 synthetic respondents.

Run from the repository root::

    .venv/bin/python bench/analysis_bench.py [--n 1000000] [--seed 1] [--no-samplics]

Reports, from one run: time to rake to three margins (district, age group,
gender); time to compute every item's shares and every Likert item's
satisfaction score and top-two rate with SEs and CIs; peak memory
(tracemalloc peak of the analysis and the process's maximum RSS); and the
same raking and one share estimate done with ``samplics``, as a ratio.
samplics is optional: without it the benchmark says so and prints the rest.
"""

from __future__ import annotations

import argparse
import resource
import sys
import time
import tracemalloc
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import analysis  # noqa: E402

N_LIKERT = 15
N_CHOICE = 5
DISTRICTS = [f"D{i:02d}" for i in range(1, 11)]
AGES = ["18-24", "25-34", "35-44", "45-54", "55-64", "65+"]
GENDERS = ["female", "male"]


def make_data(n: int, seed: int) -> tuple[pd.DataFrame, dict]:
    """Synthetic respondents: 3 weighting variables, 15 Likert and 5 choice items."""
    rng = np.random.default_rng(seed)
    district = rng.choice(len(DISTRICTS), n, p=np.linspace(1, 2, len(DISTRICTS)) / 15.0)
    age = rng.choice(len(AGES), n, p=[0.08, 0.14, 0.18, 0.2, 0.2, 0.2])
    gender = rng.choice(2, n, p=[0.56, 0.44])
    data = {
        "district": pd.Categorical.from_codes(district, DISTRICTS),
        "age_group": pd.Categorical.from_codes(age, AGES),
        "gender": pd.Categorical.from_codes(gender, GENDERS),
        "w": rng.gamma(4.0, 25.0, n),
    }
    latent = rng.normal(0, 1, n) + 0.05 * district
    for j in range(N_LIKERT):
        x = latent + rng.normal(0, 1, n)
        answer = np.digitize(x, [-1.5, -0.5, 0.5, 1.5])  # 0..4 -> 1..5
        codes = answer.copy()
        codes[rng.random(n) < 0.05] = 5  # don't know
        codes[rng.random(n) < 0.02] = -1  # missing
        data[f"q{j + 1:02d}"] = pd.Categorical.from_codes(codes, [1, 2, 3, 4, 5, 9])
    for j in range(N_CHOICE):
        codes = rng.choice(4, n, p=[0.4, 0.3, 0.2, 0.1])
        codes[rng.random(n) < 0.03] = -1
        data[f"c{j + 1:02d}"] = pd.Categorical.from_codes(codes, list("ABCD"))
    frame = pd.DataFrame(data)
    total = float(frame["w"].sum()) * 1.1
    shares = {
        "district": np.linspace(1.5, 1, len(DISTRICTS)),
        "age_group": np.array([0.12, 0.17, 0.17, 0.18, 0.18, 0.18]),
        "gender": np.array([0.51, 0.49]),
    }
    margins = {}
    for var, levels in (("district", DISTRICTS), ("age_group", AGES), ("gender", GENDERS)):
        s = shares[var] / shares[var].sum()
        margins[var] = {lv: total * p for lv, p in zip(levels, s)}
    return frame, margins


def run_analysis(frame, margins):
    t0 = time.perf_counter()
    design = analysis.Design(frame, weights="w")
    t1 = time.perf_counter()
    raked = analysis.rake(design, margins)
    t2 = time.perf_counter()
    one_share = analysis.proportion(raked, "q01")  # cold: factorises and sums the item
    t3 = time.perf_counter()
    items = [f"q{j + 1:02d}" for j in range(N_LIKERT)] + [f"c{j + 1:02d}" for j in range(N_CHOICE)]
    shares = analysis.describe_items(raked, items)
    scores = analysis.score_items(raked, items[:N_LIKERT], levels=[1, 2, 3, 4, 5])
    t4 = time.perf_counter()
    return {
        "design": t1 - t0,
        "rake": t2 - t1,
        "items": t4 - t2,
        "one_share": t3 - t2,
        "raked": raked,
        "shares": shares,
        "scores": scores,
        "share": one_share,
        "weights": np.asarray(raked.weights),
    }


def run_samplics(frame, margins, our_weights):
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            from samplics import PopParam
            from samplics import SampleWeight
            from samplics import TaylorEstimator
    except Exception as exc:  # pragma: no cover - depends on the environment
        return {"error": f"samplics not available ({type(exc).__name__}: {exc})"}
    w = frame["w"].to_numpy()
    margin_arrays = {var: frame[var].astype(str).to_numpy() for var in margins}
    control = {var: {str(k): v for k, v in targets.items()} for var, targets in margins.items()}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        t0 = time.perf_counter()
        sw = SampleWeight().rake(
            samp_weight=w, margins=margin_arrays, control=control, tol=1e-7, max_iter=100
        )
        t1 = time.perf_counter()
        answers = frame["q01"]
        ok = answers.notna().to_numpy()
        est = TaylorEstimator(PopParam.prop)
        est.estimate(y=answers[ok].astype(str).to_numpy(), samp_weight=np.asarray(sw)[ok])
        t2 = time.perf_counter()
    diff = float(np.max(np.abs(np.asarray(sw) - our_weights) / our_weights))
    return {"rake": t1 - t0, "one_share": t2 - t1, "max_rel_weight_diff": diff}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--no-samplics", action="store_true")
    args = parser.parse_args(argv)

    frame, margins = make_data(args.n, args.seed)
    run_analysis(frame.head(1000), margins and _scaled(margins, frame.head(1000)))  # warm-up
    tracemalloc.start()
    result = run_analysis(frame, margins)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    maxrss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0

    report = result["raked"].weighting_report
    n_rows = len(result["shares"])
    whole = result["design"] + result["rake"] + result["items"]
    print(
        f"respondents: {args.n:,}; items: {N_LIKERT} Likert + {N_CHOICE} choice; "
        f"margins: district({len(DISTRICTS)}) x age_group({len(AGES)}) x gender(2)"
    )
    print(f"design setup: {result['design']:.3f} s")
    size = "1M" if args.n == 1_000_000 else f"{args.n:,}"
    print(
        f"rake {size} x 3 margins: {result['rake']:.3f} s "
        f"({report.iterations} sweeps, max margin error {report.max_margin_error:.1e}, "
        f"Kish deff {report.kish_deff:.3f})"
    )
    print(
        f"all item shares ({n_rows} rows) + {N_LIKERT} scores and top-2 rates with SE/CI: "
        f"{result['items']:.3f} s (includes the first, cold share estimate below)"
    )
    print(
        f"one share estimate, cold (proportion of q01's 6 categories): {result['one_share']:.3f} s"
    )
    print(
        f"whole analysis (design + rake + all items): {whole:.3f} s "
        f"({'under' if whole < 1 else 'OVER'} the 1 s target for 1M)"
    )
    print(
        f"peak memory: tracemalloc peak during analysis {peak / 2**20:.0f} MiB; "
        f"process max RSS {maxrss_mb:.0f} MiB"
    )
    if args.no_samplics:
        print("samplics: skipped (--no-samplics)")
        return 0
    sam = run_samplics(frame, margins, result["weights"])
    if "error" in sam:
        print(f"samplics: {sam['error']} -- comparison not run")
        return 0
    print(
        f"rake {size} x 3 margins: {result['rake']:.3f} s (samplics {sam['rake']:.2f} s, "
        f"ratio {sam['rake'] / result['rake']:.0f}x); weights agree to "
        f"{sam['max_rel_weight_diff']:.1e} (relative)"
    )
    print(
        f"one share estimate (q01, all categories): {result['one_share']:.3f} s "
        f"(samplics {sam['one_share']:.2f} s, "
        f"ratio {sam['one_share'] / result['one_share']:.0f}x)"
    )
    return 0


def _scaled(margins, small):
    """Margins rescaled to a small frame (warm-up run only)."""
    total = float(small["w"].sum())
    out = {}
    for var, targets in margins.items():
        present = set(small[var].astype(str))
        kept = {k: v for k, v in targets.items() if k in present}
        s = sum(kept.values())
        out[var] = {k: v * total / s for k, v in kept.items()}
    return out


if __name__ == "__main__":
    sys.exit(main())
