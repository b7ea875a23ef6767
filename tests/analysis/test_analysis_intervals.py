"""Share and mean intervals: exact agreement with statsmodels, bounds, edge cases."""

import math

import numpy as np
import pandas as pd
import pytest
from scipy import stats
from statsmodels.stats.proportion import proportion_confint

from analysis import Design
from analysis import describe_items
from analysis import mean
from analysis import proportion
from analysis._bulk import share_intervals
from analysis._intervals import clopper_pearson_interval
from analysis._intervals import korn_graubard_interval
from analysis._intervals import logit_interval
from analysis._intervals import wilson_interval

METHODS = ["logit", "korn-graubard", "wilson", "clopper-pearson", "wald"]


def unweighted_design(count, n):
    answers = np.array(["yes"] * count + ["no"] * (n - count))
    return Design(pd.DataFrame({"a": answers}))


@pytest.mark.parametrize("count,n", [(0, 20), (1, 20), (7, 20), (20, 20), (13, 57), (250, 400)])
@pytest.mark.parametrize("level", [0.9, 0.95, 0.99])
@pytest.mark.parametrize("ours,theirs", [("clopper-pearson", "beta"), ("wilson", "wilson")])
def test_unweighted_matches_statsmodels(count, n, level, ours, theirs):
    design = unweighted_design(count, n)
    expected = proportion_confint(count, n, alpha=1 - level, method=theirs)
    shares = proportion(design, "a")
    if count > 0:
        low, high = shares["yes"].ci(level, method=ours)
        assert low == pytest.approx(expected[0], abs=1e-12)
        assert high == pytest.approx(expected[1], abs=1e-12)
    table = describe_items(design, ["a"], level=level, method=ours).set_index("category")
    if count > 0:
        assert table.loc["yes", "ci_low"] == pytest.approx(expected[0], abs=1e-12)
        assert table.loc["yes", "ci_high"] == pytest.approx(expected[1], abs=1e-12)


def test_unweighted_counts_are_reported():
    shares = proportion(unweighted_design(7, 20), "a")
    assert shares["yes"].count == 7 and shares["yes"].n == 20
    assert shares["yes"].unweighted


def test_logit_interval_formula():
    p, se, df = 0.2, 0.05, 14
    q = stats.t.isf(0.025, df)
    centre = math.log(p / (1 - p))
    half = q * se / (p * (1 - p))
    low, high = logit_interval(p, se, df, 100)
    assert low == pytest.approx(1 / (1 + math.exp(-(centre - half))))
    assert high == pytest.approx(1 / (1 + math.exp(-(centre + half))))


def test_korn_graubard_formula():
    p, se, n, df = 0.1, 0.03, 200, 14
    ratio = (stats.t.isf(0.025, n - 1) / stats.t.isf(0.025, df)) ** 2
    n_eff = p * (1 - p) / se**2 * ratio  # not capped at n, as R
    low, high = korn_graubard_interval(p, se, n, df)
    assert low == pytest.approx(stats.beta.ppf(0.025, n_eff * p, n_eff * (1 - p) + 1))
    assert high == pytest.approx(stats.beta.ppf(0.975, n_eff * p + 1, n_eff * (1 - p)))


@pytest.mark.parametrize("method", METHODS)
@pytest.mark.parametrize("p", [0.0, 1.0])
def test_extreme_shares_give_valid_intervals(method, p):
    count = 0 if p == 0 else 30
    design = Design(
        pd.DataFrame({"a": ["yes"] * count + ["no"] * (30 - count), "w": np.linspace(1, 3, 30)}),
        weights="w",
    )
    est = proportion(design, "a", levels=["yes", "no"])["yes"]
    assert est.estimate == p and est.se == 0
    low, high = est.ci(0.95, method=method)
    assert 0.0 <= low <= est.estimate <= high <= 1.0
    if method != "wald":
        assert high - low > 0.01  # not a degenerate zero-width interval
    if p == 0:
        assert low == 0.0
    else:
        assert high == 1.0


def test_vectorised_intervals_equal_scalar_ones(apiclus1):
    design = Design(apiclus1, weights="pw", clusters="dnum", fpc="fpc")
    for method in METHODS:
        table = describe_items(design, ["stype", "awards"], method=method, level=0.9)
        shares = list(proportion(design, "stype")) + list(proportion(design, "awards"))
        for row, est in zip(table.itertuples(), shares):
            low, high = est.ci(0.9, method=method)
            assert row.ci_low == pytest.approx(low, rel=1e-10, abs=1e-12)
            assert row.ci_high == pytest.approx(high, rel=1e-10, abs=1e-12)


def test_helper_edge_cases():
    assert clopper_pearson_interval(0, 10)[0] == 0.0
    assert clopper_pearson_interval(10, 10)[1] == 1.0
    assert wilson_interval(0.0, 0) == (0.0, 1.0)
    low, high = share_intervals(
        np.array([0.0, 0.5]), np.array([0.0, 0.1]), 10, 20, 20, np.array([0, 10]), False
    )
    assert low[0] == 0.0 and 0 < low[1] < 0.5 < high[1] < 1


def test_unknown_method_rejected(dclus1):
    with pytest.raises(ValueError):
        proportion(dclus1, "stype")["E"].ci(method="bogus")
    with pytest.raises(ValueError):
        mean(dclus1, "api00").ci(method="logit")
    with pytest.raises(ValueError):
        mean(dclus1, "api00").ci(level=1.5)
