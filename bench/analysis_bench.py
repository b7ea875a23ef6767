"""Benchmark of the analysis package on 1,000,000 synthetic respondents.

Run from the repository root::

    .venv/bin/python bench/analysis_bench.py [--n 1000000] [--rep-n 200000] [--seed 1] [--no-svy]

Reports, from one run on 1,000,000 synthetic respondents: time to set up the
design, rake to three margins (district, age group, gender), compute every
item's shares and every Likert item's satisfaction score and top-two rate
with SEs and CIs, and the plain weighted mean, total, ratio and domain means
of a numeric variable; peak memory (tracemalloc peak of the analysis and the
process's maximum RSS); and beside every task the time of the same task done
with ``svy`` 0.35 (pip extra ``bench``), with the ratio.  svy reads polars
data, prepared outside the timings; it has no Likert scoring, so it is given
the scores as columns.  The scalar estimates are timed warm (best of 5), as
svy compiles and caches on its first call.  svy is optional: without it the
benchmark says so and prints the rest.

The estimators added later are timed on a stratified clustered design
derived from the same respondents: the 10 districts are the strata and each
holds 40 PSUs (column ``psu``: 400 PSUs, 390 df), weights ``w``:

* the median of income with its Woodruff 95% interval (``quantile``, R's
  ``svyquantile``; svy's ``estimation.median``), warm, best of 3;
* a logistic regression of a yes/no outcome (``recommend``) on district, age
  group and gender: 16 coefficients with design-based SEs (``regression(...,
  family="quasibinomial")``, R's ``svyglm``; svy's ``glm.fit(family=
  "binomial")``), warm, best of 3;
* JKn replicate weights, one replicate per PSU (400), created
  (``as_replicate_design(type="JKn")``; svy's ``weighting.create_jk_wgts``),
  then the replicate mean of income with its replicate SE (``mean`` on the
  replicate design; svy's ``method="replication"``), warm, best of 3; the
  same with 200 bootstrap replicates (ours R's ``bootweights``, svy's Rao-Wu
  ``create_bs_wgts``: different random replicates, so the SEs agree only to
  Monte Carlo error).  svy stores a column per replicate (400 columns of n
  rows) and needs seconds per 100,000 rows to create them, so the replicate
  tasks use the first ``--rep-n`` respondents (200,000 by default; the table
  prints the n); all 400 PSUs are represented;
* linear (GREG) calibration of the weights-only design to the district, age
  group and gender margins (``calibrate``; svy's ``weighting.calibrate`` with
  ``Cat`` controls), best of 3; the agreement line compares the weights and
  the calibrated mean of income and its SE.

Below the table, each added task prints how closely the two libraries'
estimates and SEs agree.
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
LIKERT_ITEMS = [f"q{j + 1:02d}" for j in range(N_LIKERT)]
ITEMS = LIKERT_ITEMS + [f"c{j + 1:02d}" for j in range(N_CHOICE)]
# svy takes seconds per item at 1M rows: the comparison uses a few items (2 minute budget)
COMPARE_ITEMS = ["q01", "q02", "c01", "c02"]
COMPARE_LIKERT = ["q01", "q02"]
PSUS_PER_DISTRICT = 40  # the clustered design: districts are strata, 400 PSUs in all
BOOTSTRAP_REPLICATES = 200
LOGISTIC_PREDICTORS = ["district", "age_group", "gender"]


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
    data["income"] = np.where(rng.random(n) < 0.01, np.nan, rng.lognormal(8 + 0.02 * district, 0.6))
    data["household"] = rng.integers(1, 6, n).astype(np.float64)
    # drawn last, so the columns above do not depend on them
    data["psu"] = district * PSUS_PER_DISTRICT + rng.integers(0, PSUS_PER_DISTRICT, n)
    eta = -0.5 + 0.1 * district - 0.15 * age + 0.3 * gender
    yes = rng.random(n) < 1.0 / (1.0 + np.exp(-eta))
    data["recommend"] = pd.Categorical.from_codes(yes.astype(np.int8), ["no", "yes"])
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


SCALAR_TASKS = ("mean", "total", "ratio", "mean by district")


def run_analysis(frame, margins):
    t0 = time.perf_counter()
    design = analysis.Design(frame, weights="w")
    t1 = time.perf_counter()
    raked = analysis.rake(design, margins)
    t2 = time.perf_counter()
    one_share = analysis.proportion(raked, "q01")  # cold: factorises and sums the item
    t3 = time.perf_counter()
    shares = analysis.describe_items(raked, ITEMS)
    t4 = time.perf_counter()
    scores = analysis.score_items(raked, LIKERT_ITEMS, levels=[1, 2, 3, 4, 5])
    t5 = time.perf_counter()
    # The comparison with svy on a few items, on a fresh raked design (no cached factors)
    fresh = analysis.rake(analysis.Design(frame, weights="w"), margins)
    t6 = time.perf_counter()
    analysis.describe_items(fresh, COMPARE_ITEMS)
    t7 = time.perf_counter()
    analysis.score_items(fresh, COMPARE_LIKERT, levels=[1, 2, 3, 4, 5])
    t8 = time.perf_counter()
    scalar = {
        "mean": lambda: analysis.mean(design, "income"),
        "total": lambda: analysis.total(design, "income"),
        "ratio": lambda: analysis.ratio(design, "income", "household"),
        "mean by district": lambda: analysis.mean(design, "income", by="district"),
    }
    times, values = {}, {}
    for task, run in scalar.items():
        times[task], result = best_of(run)
        values[task] = result if task != "mean by district" else result["D01"]
    return {
        "design": t1 - t0,
        "rake": t2 - t1,
        "one_share": t3 - t2,
        "shares": t4 - t3,
        "scores": t5 - t4,
        "items": t5 - t2,
        "few_shares": t7 - t6,
        "few_scores": t8 - t7,
        "raked": raked,
        "share_table": shares,
        "score_table": scores,
        "share": one_share,
        "weights": np.asarray(raked.weights),
        "scalar_times": times,
        "scalar_values": values,
    }


ADDED_TASKS = ("median", "logistic", "jkn", "jkn_mean", "boot", "boot_mean", "calibrate")


def run_added(frame, margins, rep_n):
    """The estimators added later (see the module docstring): times and results."""
    clustered = analysis.Design(frame, weights="w", strata="district", clusters="psu")
    head = analysis.Design(frame.head(rep_n), weights="w", strata="district", clusters="psu")
    plain = analysis.Design(frame, weights="w")
    times, values = {}, {}
    times["median"], values["median"] = best_of(
        lambda: analysis.quantile(clustered, "income", 0.5)[0.5], 3
    )
    times["logistic"], values["logistic"] = best_of(
        lambda: analysis.regression(
            clustered, "recommend", LOGISTIC_PREDICTORS, family="quasibinomial", positive="yes"
        ),
        3,
    )
    start = time.perf_counter()
    jkn = analysis.as_replicate_design(head, type="JKn")
    times["jkn"] = time.perf_counter() - start
    times["jkn_mean"], values["jkn_mean"] = best_of(lambda: analysis.mean(jkn, "income"), 3)
    start = time.perf_counter()
    boot = analysis.as_replicate_design(
        head, type="bootstrap", replicates=BOOTSTRAP_REPLICATES, seed=1
    )
    times["boot"] = time.perf_counter() - start
    times["boot_mean"], values["boot_mean"] = best_of(lambda: analysis.mean(boot, "income"), 3)
    times["calibrate"], calibrated = best_of(lambda: analysis.calibrate(plain, margins), 3)
    values["calibrate"] = calibrated
    values["calibrated_mean"] = analysis.mean(calibrated, "income")
    values["replicates"] = (jkn.n_replicates, boot.n_replicates)
    return times, values


def run_svy_added(frame, margins, rep_n, ours):
    """The added tasks with svy, on the same data (polars, prepared outside the timings)."""
    import polars as pl
    import svy

    data = frame[[*LOGISTIC_PREDICTORS, "w", "income", "psu"]].copy()
    for column in LOGISTIC_PREDICTORS:
        data[column] = data[column].astype(str)
    data["recommend"] = (frame["recommend"] == "yes").astype(np.float64)
    polars_frame = pl.from_pandas(data)
    design = svy.Design(stratum="district", psu="psu", wgt="w")
    clustered = svy.Sample(polars_frame, design)
    head = svy.Sample(polars_frame.head(rep_n), design)
    plain = svy.Sample(polars_frame, svy.Design(wgt="w"))
    x = [svy.Cat(column) for column in LOGISTIC_PREDICTORS]
    controls = {svy.Cat(var): {str(k): v for k, v in t.items()} for var, t in margins.items()}
    tasks = {
        "median": lambda: clustered.estimation.median("income", drop_nulls=True),
        "logistic": lambda: clustered.glm.fit(y="recommend", x=x, family="binomial"),
    }
    times, values = {}, {}
    for task, run in tasks.items():
        run()  # warm, as ours
        times[task], values[task] = best_of(run, 3)
    start = time.perf_counter()
    jkn = head.weighting.create_jk_wgts()
    times["jkn"] = time.perf_counter() - start
    start = time.perf_counter()
    boot = head.weighting.create_bs_wgts(n_reps=BOOTSTRAP_REPLICATES, rstate=1)
    times["boot"] = time.perf_counter() - start
    for task, sample in (("jkn_mean", jkn), ("boot_mean", boot)):

        def run(sample=sample):
            return sample.estimation.mean("income", method="replication", drop_nulls=True)

        run()
        times[task], values[task] = best_of(run, 3)
    times["calibrate"], calibrated = best_of(
        lambda: plain.weighting.calibrate(controls=controls), 3
    )
    values["calibrate"] = calibrated.data["calib_wgt"].to_numpy()
    values["calibrated_mean"] = calibrated.estimation.mean("income", drop_nulls=True)
    return times, _agreement(ours, values)


def _rel(a, b) -> float:
    return float(np.max(np.abs(np.asarray(a, float) - np.asarray(b, float)) / np.abs(b)))


def _agreement(ours, theirs) -> list[str]:
    """One line per added task: how closely svy's estimates and SEs agree with ours."""
    q, m = ours["median"], theirs["median"].estimates[0]
    lines = [
        f"median: estimate, interval ends and SE agree with svy to "
        f"{_rel([m.est, m.lci, m.uci, m.se], [q.estimate, q.low, q.high, q.se]):.1e} (relative)"
    ]
    fit, table = ours["logistic"], theirs["logistic"].to_polars()
    coef, se = table["estimate"].to_numpy(), table["std_err"].to_numpy()
    lines.append(
        f"logistic: {len(fit.coef)} coefficients agree to "
        f"{float(np.max(np.abs(coef - fit.coef) / fit.se)):.1e} SE, SEs to "
        f"{_rel(se, fit.se):.1e} (relative); df {fit.df:g}"
    )
    for task, label in (("jkn_mean", "JKn"), ("boot_mean", "bootstrap")):
        e, s = ours[task], theirs[task].estimates[0]
        note = "" if task == "jkn_mean" else " (different random replicates)"
        lines.append(
            f"{label} replicate mean: estimate agrees to {_rel(s.est, e.estimate):.1e}, "
            f"SE to {_rel(s.se, e.se):.1e} (relative){note}; df {e.df:g}"
        )
    w = np.asarray(ours["calibrate"].weights)
    c, s = ours["calibrated_mean"], theirs["calibrated_mean"].estimates[0]
    lines.append(
        f"calibration: weights agree to {_rel(theirs['calibrate'], w):.1e}, calibrated mean "
        f"to {_rel(s.est, c.estimate):.1e} and its SE to {_rel(s.se, c.se):.1e} (relative)"
    )
    return lines


def best_of(run, repeat: int = 5):
    """Fastest of ``repeat`` runs (the machine is shared) and the last result."""
    best = np.inf
    for _ in range(repeat):
        start = time.perf_counter()
        result = run()
        best = min(best, time.perf_counter() - start)
    return best, result


def run_svy(frame, margins, ours, rep_n):
    """The same tasks with svy (polars data prepared outside the timings)."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            import polars as pl
            import svy
    except Exception as exc:  # pragma: no cover - depends on the environment
        return {"error": f"svy not available ({type(exc).__name__}: {exc})"}
    data = frame.copy()
    for column in ("district", "age_group", "gender", *COMPARE_ITEMS):
        data[column] = data[column].astype(str).replace("nan", None)
    for item in COMPARE_LIKERT:  # svy has no Likert scoring: give it the scores as columns
        codes = pd.to_numeric(frame[item].astype(object), errors="coerce")
        substantive = codes.where(codes <= 5)
        data[f"{item}_score"] = (substantive - 1) * 25.0
        data[f"{item}_top2"] = (substantive >= 4).astype(float).where(substantive.notna())
    polars_frame = pl.from_pandas(data)
    controls = {var: {str(k): v for k, v in t.items()} for var, t in margins.items()}
    out = {}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        t0 = time.perf_counter()
        sample = svy.Sample(polars_frame, svy.Design(wgt="w"))
        t1 = time.perf_counter()
        raked = sample.weighting.rake(controls=controls, tol=1e-7, max_iter=100)
        t2 = time.perf_counter()
        raked.estimation.prop("q01", drop_nulls=True)
        t3 = time.perf_counter()
        for item in COMPARE_ITEMS:
            raked.estimation.prop(item, drop_nulls=True)
        t4 = time.perf_counter()
        for item in COMPARE_LIKERT:
            raked.estimation.mean(f"{item}_score", drop_nulls=True)
            raked.estimation.mean(f"{item}_top2", drop_nulls=True)
        t5 = time.perf_counter()
        out.update(design=t1 - t0, rake=t2 - t1, one_share=t3 - t2, few_shares=t4 - t3)
        out.update(few_scores=t5 - t4)
        scalar = {
            "mean": lambda: sample.estimation.mean("income", drop_nulls=True),
            "total": lambda: sample.estimation.total("income", drop_nulls=True),
            "ratio": lambda: sample.estimation.ratio("income", "household", drop_nulls=True),
            "mean by district": lambda: sample.estimation.mean(
                "income", by="district", drop_nulls=True
            ),
        }
        for task, run in scalar.items():
            run()  # svy compiles and caches on the first call: time it warm, as ours
            out[task], result = best_of(run)
            if task == "mean":
                ref = ours["scalar_values"]["mean"]
                out["mean_agreement"] = max(
                    abs(result.estimates[0].est - ref.estimate) / abs(ref.estimate),
                    abs(result.estimates[0].se - ref.se) / ref.se,
                )
    out["weights"] = raked.data["rk_wgt"].to_numpy()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        added, out["agreement"] = run_svy_added(frame, margins, rep_n, ours["added_values"])
    out.update(added)
    return out


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=1_000_000)
    parser.add_argument(
        "--rep-n", type=int, default=200_000, help="respondents of the replicate-weight tasks"
    )
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--no-svy", action="store_true")
    args = parser.parse_args(argv)

    frame, margins = make_data(args.n, args.seed)
    run_analysis(frame.head(1000), margins and _scaled(margins, frame.head(1000)))  # warm-up
    tracemalloc.start()
    result = run_analysis(frame, margins)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    maxrss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0
    rep_n = min(args.rep_n, args.n)
    added_times, result["added_values"] = run_added(frame, margins, rep_n)

    report = result["raked"].weighting_report
    whole = result["design"] + result["rake"] + result["items"]
    print(
        f"respondents: {args.n:,}; items: {N_LIKERT} Likert + {N_CHOICE} choice; "
        f"margins: district({len(DISTRICTS)}) x age_group({len(AGES)}) x gender(2)"
    )
    print(
        f"rake: {report.iterations} sweeps, max margin error {report.max_margin_error:.1e}, "
        f"Kish deff {report.kish_deff:.3f}"
    )
    print(
        f"whole analysis (design + rake + all items): {whole:.3f} s "
        f"({'under' if whole < 1 else 'OVER'} the 1 s target for 1M)"
    )
    print(
        f"peak memory: tracemalloc peak during analysis {peak / 2**20:.0f} MiB; "
        f"process max RSS {maxrss_mb:.0f} MiB"
    )
    theirs = {} if args.no_svy else run_svy(frame, margins, result, rep_n)
    if "error" in theirs:
        print(f"svy: {theirs['error']} -- comparison not run")
        theirs = {}
    labels = {
        "design": "design setup",
        "rake": "rake to 3 margins",
        "one_share": "one share estimate, cold (q01)",
        "shares": f"shares of all {len(ITEMS)} items (describe_items)",
        "scores": f"{N_LIKERT} scores + top-2 rates (score_items)",
        "few_shares": f"shares of {len(COMPARE_ITEMS)} items, cold (describe_items)",
        "few_scores": f"{len(COMPARE_LIKERT)} scores + top-2 rates, cold",
    }
    times = {**{k: result[k] for k in labels}, **result["scalar_times"], **added_times}
    labels.update({task: f"{task} of income (warm, best of 5)" for task in SCALAR_TASKS})
    jkn_reps, boot_reps = result["added_values"]["replicates"]
    labels.update(
        {
            "median": "median of income + Woodruff CI (400 PSUs)",
            "logistic": "logistic regression, 3 factors (400 PSUs)",
            "jkn": f"JKn replicate weights, {jkn_reps} (n={rep_n:,})",
            "jkn_mean": f"mean of income, {jkn_reps} JKn replicates (warm)",
            "boot": f"bootstrap weights, {boot_reps} (n={rep_n:,})",
            "boot_mean": f"mean of income, {boot_reps} bootstrap replicates",
            "calibrate": "calibrate (linear) to 3 margins",
        }
    )
    width = max(len(label) for label in labels.values())
    print(f"{'task':<{width}} {'ours':>9} {'svy 0.35':>9} {'svy/ours':>9}")
    slower = []
    for key, label in labels.items():
        ours = times[key]
        if key in theirs:
            ratio = theirs[key] / ours
            slower += [label] if ratio < 1 else []
            print(f"{label:<{width}} {ours:>8.3f}s {theirs[key]:>8.3f}s {ratio:>8.1f}x")
        else:
            print(f"{label:<{width}} {ours:>8.3f}s {'-':>9} {'-':>9}")
    if theirs:
        diff = float(np.max(np.abs(theirs["weights"] - result["weights"]) / result["weights"]))
        print(
            f"raked weights agree with svy to {diff:.1e} (relative); mean and SE to "
            f"{theirs['mean_agreement']:.1e}"
        )
        for line in theirs["agreement"]:
            print(line)
        print("ours slower than svy: " + (", ".join(slower) if slower else "none"))
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
