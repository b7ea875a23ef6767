"""describe_items: the bulk entry point."""

import numpy as np
import pandas as pd
import pytest

from analysis import Design
from analysis import describe_items
from analysis import proportion
from analysis._estimators import _generic_share_arrays
from analysis._estimators import share_arrays

COLUMNS = [
    "item",
    "domain",
    "category",
    "estimate",
    "se",
    "ci_low",
    "ci_high",
    "df",
    "n",
    "count",
    "n_eff",
    "deff",
    "flags",
    "reliable",
]


def test_columns_and_agreement_with_proportion(dclus1):
    table = describe_items(dclus1, ["stype", "awards"], by="sch.wide")
    assert list(table.columns) == COLUMNS
    for item in ("stype", "awards"):
        shares = proportion(dclus1, item, by="sch.wide")
        rows = table[table["item"] == item]
        for row, est in zip(rows.itertuples(), shares):
            assert (row.domain, row.category) == (est.domain, est.category)
            assert row.estimate == pytest.approx(est.estimate)
            assert row.se == pytest.approx(est.se)
            assert row.n == est.n and row.count == est.count
            assert row.n_eff == pytest.approx(est.n_eff, nan_ok=True)
            assert row.deff == pytest.approx(est.deff, nan_ok=True)


def test_shares_sum_to_one_within_each_domain(dstrat):
    table = describe_items(dstrat, ["awards", "yr.rnd"], by="stype")
    sums = table.groupby(["item", "domain"])["estimate"].sum()
    np.testing.assert_allclose(sums.to_numpy(), 1.0)


def test_fast_path_equals_psu_total_path(apistrat):
    for strata in (None, "stype"):
        d = Design(apistrat, weights="pw", strata=strata)
        f = d.factor("awards")
        dom = d.factor("sch.wide")
        fast = share_arrays(d, f.codes, f.n_levels, dom.codes, dom.n_levels, covariance=True)
        slow = _generic_share_arrays(d, f.codes, f.n_levels, dom.codes, dom.n_levels, True)
        np.testing.assert_allclose(fast["var"], slow["var"], rtol=1e-10)
        np.testing.assert_allclose(fast["cov"], slow["cov"], rtol=1e-9, atol=1e-15)


def test_deff_and_n_eff_definitions(dclus1):
    row = describe_items(dclus1, ["awards"]).iloc[0]
    p, var, n = row.estimate, row.se**2, row.n
    assert row.n_eff == pytest.approx(p * (1 - p) / var)
    assert row.deff == pytest.approx(var / (p * (1 - p) / (n - 1)))  # R's n/(n-1)


def test_empty_item_list(dclus1):
    assert list(describe_items(dclus1, []).columns) == COLUMNS


def test_item_levels_order(dclus1):
    table = describe_items(dclus1, ["awards"], levels={"awards": ["Yes", "No"]})
    assert list(table["category"]) == ["Yes", "No"]


@pytest.mark.parametrize("method", ["logit", "korn-graubard", "wilson", "clopper-pearson", "wald"])
@pytest.mark.parametrize("weighted", [False, True])
def test_empty_domain_has_no_interval_in_both_paths(method, weighted):
    """A domain with no answers has no estimate, so no interval: NaN in bulk and scalar."""
    frame = pd.DataFrame(
        {
            "a": ["yes", "no", "yes", "no", None, None],
            "g": ["x", "x", "x", "x", "y", "y"],
            "w": [1.0, 2.0, 1.0, 3.0, 1.0, 2.0],
        }
    )
    design = Design(frame, weights="w" if weighted else None)
    est = proportion(design, "a", by="g")[("y", "yes")]
    assert est.n == 0 and np.isnan(est.estimate)
    low, high = est.ci(0.95, method=method)
    assert np.isnan(low) and np.isnan(high)
    table = describe_items(design, ["a"], by="g", method=method)
    empty = table[table["domain"] == "y"]
    assert len(empty) == 2
    assert empty[["estimate", "ci_low", "ci_high"]].isna().all().all()
    # the non-empty domain still gets proper intervals, equal in both paths
    for row in table[table["domain"] == "x"].itertuples():
        scalar = proportion(design, "a", by="g")[("x", row.category)].ci(0.95, method=method)
        assert (row.ci_low, row.ci_high) == pytest.approx(scalar, rel=1e-10, abs=1e-12)
        assert 0 <= row.ci_low <= row.estimate <= row.ci_high <= 1
