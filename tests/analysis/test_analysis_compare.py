"""Differences between domains and waves, chi-square edge cases, key drivers."""

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from analysis import Design
from analysis import SurveyError
from analysis import chisq_test
from analysis import difference
from analysis import dimension_index
from analysis import domain_difference
from analysis import key_drivers
from analysis import mean
from analysis import proportion
from analysis import ratio
from analysis import score


def test_domain_difference_uses_covariance(dclus1):
    by = mean(dclus1, "api00", by="stype")
    diff = domain_difference(by, "E", "H")
    e, h = by["E"], by["H"]
    i, j = by.index("E"), by.index("H")
    cov = by.covariance[i, j]
    assert cov != 0  # domains share PSUs
    assert diff.estimate == pytest.approx(e.estimate - h.estimate)
    assert diff.se == pytest.approx(np.sqrt(e.se**2 + h.se**2 - 2 * cov))
    t = diff.estimate / diff.se
    assert diff.p_value == pytest.approx(2 * stats.t.sf(abs(t), 14))
    low, high = diff.ci(0.95)
    assert low < diff.estimate < high
    assert set(diff.to_dict()) >= {"estimate", "se", "p_value", "ci_low", "ci_high"}


def test_domain_difference_equals_ratio_contrast(apiclus1):
    """The domain covariance agrees with a direct linearisation of the contrast."""
    frame = apiclus1.assign(
        isE=(apiclus1["stype"] == "E").astype(float), isH=(apiclus1["stype"] == "H").astype(float)
    )
    frame["yE"] = frame["api00"] * frame["isE"]
    frame["yH"] = frame["api00"] * frame["isH"]
    d = Design(frame, weights="pw", clusters="dnum", fpc="fpc")
    by = mean(d, "api00", by="stype")
    assert ratio(d, "yE", "isE").se == pytest.approx(by["E"].se, rel=1e-10)
    assert ratio(d, "yH", "isH").se == pytest.approx(by["H"].se, rel=1e-10)


def test_wave_difference_independent_samples(dstrat, dclus1):
    a, b = mean(dstrat, "api00"), mean(dclus1, "api00")
    diff = difference(a, b)
    assert diff.se == pytest.approx(np.hypot(a.se, b.se))
    va, vb = a.se**2, b.se**2
    df = (va + vb) ** 2 / (va**2 / a.df + vb**2 / b.df)
    assert diff.df == pytest.approx(df)
    assert 0 < diff.p_value < 1


def test_share_difference_between_domains(dclus1):
    shares = proportion(dclus1, "awards", by="stype")
    diff = domain_difference(shares, ("E", "Yes"), ("M", "Yes"))
    e, m = shares[("E", "Yes")], shares[("M", "Yes")]
    i, j = shares.index(("E", "Yes")), shares.index(("M", "Yes"))
    cov = shares.covariance[i, j]
    assert cov != 0  # domains share PSUs
    assert diff.estimate == pytest.approx(e.estimate - m.estimate)
    assert diff.se == pytest.approx(np.sqrt(e.se**2 + m.se**2 - 2 * cov))


def test_chisq_requires_two_levels(dclus1, apiclus1):
    d = Design(apiclus1.assign(one="x"), weights="pw", clusters="dnum", fpc="fpc")
    with pytest.raises(SurveyError):
        chisq_test(d, "one", "stype")


def test_chisq_independent_data_not_significant():
    rng = np.random.default_rng(3)
    frame = pd.DataFrame(
        {
            "a": rng.choice(["x", "y"], 2000),
            "b": rng.choice(["p", "q", "r"], 2000),
            "w": rng.uniform(1, 3, 2000),
        }
    )
    res = chisq_test(Design(frame, weights="w"), "a", "b")
    assert res.p_value > 0.001
    dependent = frame.assign(b=np.where(frame["a"] == "x", "p", frame["b"]))
    assert chisq_test(Design(dependent, weights="w"), "a", "b").p_value < 1e-6


def test_key_drivers_ranks_the_strongest_aspect():
    rng = np.random.default_rng(11)
    n = 2000
    frame = pd.DataFrame(
        {
            "speed": rng.normal(60, 15, n),
            "staff": rng.normal(70, 10, n),
            "price": rng.normal(50, 20, n),
            "w": rng.uniform(0.5, 2, n),
            "psu": rng.integers(0, 100, n),
        }
    )
    frame["overall"] = (
        0.6 * frame["speed"] + 0.1 * frame["staff"] + 0.02 * frame["price"] + rng.normal(0, 5, n)
    )
    res = key_drivers(
        Design(frame, weights="w", clusters="psu"), "overall", ["speed", "staff", "price"]
    )
    table = res.table.set_index("driver")
    assert table.loc["speed", "rank"] == 1
    assert table.loc["speed", "coef"] == pytest.approx(0.6, abs=0.03)
    assert "design-based" in res.se_method
    assert 0.72 < res.r_squared < 0.82  # population R^2 = 82.16 / 107.16 = 0.767
    assert res.to_dict()["n"] == n


def _clustered_likert(seed=3, n=1200):
    rng = np.random.default_rng(seed)
    cluster = rng.integers(0, 40, n)
    shift = rng.normal(0, 0.8, 40)[cluster]  # clusters move all their members together
    frame = pd.DataFrame(
        {
            "a": np.clip(np.rint(3 + shift + rng.normal(0, 1, n)), 1, 5).astype(int),
            "b": np.clip(np.rint(3.4 + shift + rng.normal(0, 1, n)), 1, 5).astype(int),
            "district": rng.integers(1, 5, n),
            "psu": cluster,
            "w": rng.uniform(1, 3, n),
        }
    )
    return Design(frame, weights="w", clusters="psu")


def test_index_by_domain_carries_the_covariance_of_its_item_scores():
    design = _clustered_likert()
    one_item = dimension_index(design, ["a"], levels=[1, 2, 3, 4, 5], by="district")
    item = score(design, "a", levels=[1, 2, 3, 4, 5], by="district")
    np.testing.assert_allclose(one_item.covariance, item.covariance, rtol=1e-10)
    assert one_item.covariance[0, 1] != 0  # districts share clusters


def test_integer_domain_codes_are_labels_not_positions():
    design = _clustered_likert()
    index = dimension_index(design, ["a", "b"], levels=[1, 2, 3, 4, 5], by="district")
    diff = domain_difference(index, 1, 4)
    assert diff.estimate == pytest.approx(index[1].estimate - index[4].estimate)
    assert [e.domain for e in index.estimates] == [1, 2, 3, 4]
    assert index[1] is index.estimates[0]
