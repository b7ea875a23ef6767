"""describe_items: the bulk entry point."""

import numpy as np
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
    assert row.deff == pytest.approx(var / (p * (1 - p) / n))


def test_empty_item_list(dclus1):
    assert list(describe_items(dclus1, []).columns) == COLUMNS


def test_item_levels_order(dclus1):
    table = describe_items(dclus1, ["awards"], levels={"awards": ["Yes", "No"]})
    assert list(table["category"]) == ["Yes", "No"]
