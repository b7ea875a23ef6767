"""Monte Carlo: 95% share intervals cover the true share about 95% of the time."""

import numpy as np
import pandas as pd
import pytest

from analysis import Design
from analysis._bulk import share_intervals
from analysis._estimators import share_arrays


def simulate(method, reps=600, seed=20240601):
    """Stratified sample with unequal weights from a finite population of 20,000."""
    rng = np.random.default_rng(seed)
    sizes = np.array([12000, 6000, 2000])
    true_p = np.array([0.15, 0.30, 0.55])
    population = [rng.random(N) < p for N, p in zip(sizes, true_p)]
    truth = sum(x.sum() for x in population) / sizes.sum()
    n_h = np.array([150, 150, 150])
    stratum = np.repeat(np.arange(3), n_h)
    weights = np.repeat(sizes / n_h, n_h)
    fpc = np.repeat(sizes, n_h)
    hits = 0
    for _ in range(reps):
        y = np.concatenate(
            [rng.choice(pop, size=n, replace=False) for pop, n in zip(population, n_h)]
        )
        design = Design(
            pd.DataFrame({"y": y.astype(np.int64), "h": stratum, "w": weights, "N": fpc}),
            weights="w",
            strata="h",
            fpc="N",
        )
        res = share_arrays(design, y.astype(np.int64), 2, np.zeros(len(y), dtype=np.int64), 1)
        p = res["p"][0, 1]
        se = np.sqrt(res["var"][0, 1])
        n_eff = p * (1 - p) / se**2 if se > 0 else len(y)
        low, high = share_intervals(
            np.array([p]),
            np.array([se]),
            design.df,
            len(y),
            np.array([n_eff]),
            np.array([y.sum()]),
            False,
            0.95,
            method,
        )
        hits += low[0] <= truth <= high[0]
    return hits / reps


@pytest.mark.parametrize("method", ["logit", "korn-graubard", "wilson"])
def test_share_interval_coverage_close_to_nominal(method):
    coverage = simulate(method)
    # 600 replications: binomial SD of the coverage is about 0.009
    assert 0.925 <= coverage <= 0.975, coverage
