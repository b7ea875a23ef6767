"""Quantiles, counts per category, population variance and the likelihood/arcsine share
intervals against R's survey package (values in data/r_reference_estimators.csv, produced by
data/r_reference_estimators.R; each row names the R call)."""

import math

import numpy as np
import pytest

from analysis import Design
from analysis import SurveyError
from analysis import VariableError
from analysis import counts
from analysis import population_variance
from analysis import proportion
from analysis import quantile
from analysis._quantiles import weighted_quantile

from .r_reference import api_designs
from .r_reference import load_reference
from .r_reference import near


@pytest.fixture(scope="module")
def r():
    return load_reference()


@pytest.fixture(scope="module")
def designs(dstrat, dclus1):
    return api_designs(dstrat, dclus1)


QUANTILE_CASES = [
    ("q_strat_api00", "strat", "api00", (0.1, 0.25, 0.5, 0.75, 0.9), "mean"),
    ("q_clus1_api00", "clus1", "api00", (0.25, 0.5, 0.9), "mean"),
    ("q_clus1_enroll", "clus1", "enroll", (0.5, 0.8), "mean"),
    ("q_clus1_acs46", "clus1", "acs.46", (0.5,), "mean"),
    ("q_clus1p_api00", "clus1p", "api00", (0.5, 0.75), "mean"),
    ("q_clus1_xlogit", "clus1", "api00", (0.5, 0.9), "xlogit"),
    ("q_strat_asin", "strat", "api00", (0.25, 0.5), "asin"),
]


@pytest.mark.parametrize("case", QUANTILE_CASES, ids=[c[0] for c in QUANTILE_CASES])
def test_quantile_matches_svyquantile(r, designs, case):
    cid, design, variable, probs, interval = case
    result = quantile(designs[design], variable, probs, interval=interval)
    assert len(result) == len(probs)
    for q in result:
        key = f"{cid}_{q.probability:g}"
        assert near(q.estimate, r[key, "quantile"]), key
        assert near(q.low, r[key, "ci_low"]), key
        assert near(q.high, r[key, "ci_high"]), key
        assert near(q.se, r[key, "se"]), key
        assert q.ci() == (q.low, q.high)


def test_quantile_by_domain_uses_domain_df(r, designs):
    result = quantile(designs["clus1"], "api00", (0.5,), by="stype")
    for label in ("E", "H", "M"):
        q = result[label, 0.5]
        key = f"qby_clus1_api00_{label}"
        assert q.df == r[key, "df"]
        for attr, quantity in [("estimate", "quantile"), ("se", "se"), ("low", "ci_low")]:
            assert near(getattr(q, attr), r[key, quantity]), (key, attr)
        assert near(q.high, r[key, "ci_high"]), key


def test_quantile_rule_is_the_inverse_weighted_cdf():
    x = np.array([3.0, 1.0, 2.0, 4.0])
    w = np.array([1.0, 1.0, 1.0, 1.0])
    assert weighted_quantile(x, w, 0.5) == 2.0  # C_2 = 2 = 0.5 * 4: the tie takes x_(2)
    assert weighted_quantile(x, w, 0.51) == 3.0
    heavy = np.array([1.0, 5.0, 1.0, 1.0])  # x = 1 carries 5/8 of the weight
    assert weighted_quantile(x, heavy, 0.7) == 2.0
    # R's qrule_math below the first value's share returns the second smallest value
    assert weighted_quantile(x, heavy, 0.5) == 2.0


def test_stable_order_is_a_stable_argsort():
    """The int64-key sort behind the quantiles orders as np.argsort(kind="stable")."""
    from analysis._quantiles import stable_order

    rng = np.random.default_rng(5)
    cases = [
        rng.lognormal(8, 0.6, 50_000),
        rng.normal(size=20_000),
        rng.integers(-5, 5, 30_000).astype(float),  # ties: by position
        np.array([0.0, -0.0, 0.0, -0.0, 1.0, -1.0]),  # -0.0 and 0.0 are a tie
        np.array([np.inf, -np.inf, 1e308, -1e-308, 5e-324, -5e-324, 0.0]),
        np.array([3.0]),
        np.array([2.0, 1.0]),
        1 + rng.integers(0, 1 << 22, 40_000) * 2.0**-52,  # differ only in the low bits
    ]
    for x in cases:
        np.testing.assert_array_equal(stable_order(x), np.argsort(x, kind="stable"))


def test_quantile_bad_input_names_the_column(dclus1):
    with pytest.raises(VariableError, match="'name'"):
        quantile(dclus1, "name")
    with pytest.raises(SurveyError, match="api00"):
        quantile(dclus1, "api00", (1.5,))


COUNT_CASES = [
    ("count_strat_stype", "strat", "stype"),
    ("count_clus1_awards", "clus1", "awards"),
    ("count_clus1p_schwide", "clus1p", "sch.wide"),
]


@pytest.mark.parametrize("case", COUNT_CASES, ids=[c[0] for c in COUNT_CASES])
def test_counts_match_svytotal_of_a_factor(r, designs, case):
    cid, design, variable = case
    result = counts(designs[design], variable)
    for est in result:
        key = f"{cid}_{variable}{est.category}"
        assert near(est.estimate, r[key, "total"]), key
        assert near(est.se, r[key, "se"]), key
        assert est.kind == "total"


def test_counts_by_domain_match_svyby(r, designs):
    result = counts(designs["clus1"], "awards", by="stype")
    for est in result:
        key = f"countby_clus1_awards_{est.domain}_awards{est.category}"
        assert near(est.estimate, r[key, "total"]), key
        assert near(est.se, r[key, "se"]), key
    assert result["H", "Yes"].df == 7


def test_counts_add_up_to_the_population(designs):
    result = counts(designs["clus1p"], "stype")
    assert [e.estimate for e in result] == pytest.approx([4421, 755, 1018])
    assert max(e.se for e in result) < 1e-6


VAR_CASES = [
    ("var_strat_api00", "strat", "api00"),
    ("var_clus1_api00", "clus1", "api00"),
    ("var_clus1_enroll", "clus1", "enroll"),
    ("var_clus1p_api00", "clus1p", "api00"),
    ("var_clus1_acs46", "clus1", "acs.46"),
]


@pytest.mark.parametrize("case", VAR_CASES, ids=[c[0] for c in VAR_CASES])
def test_population_variance_matches_svyvar(r, designs, case):
    cid, design, variable = case
    est = population_variance(designs[design], variable)
    assert near(est.estimate, r[cid, "variance"])
    assert near(est.se, r[cid, "se"])
    assert est.kind == "variance"


def test_population_variance_by_domain(r, designs):
    result = population_variance(designs["clus1"], "api00", by="stype")
    for est in result:
        key = f"varby_clus1_api00_{est.domain}"
        assert near(est.estimate, r[key, "variance"]), key
        assert near(est.se, r[key, "se"]), key


def test_population_variance_of_text_raises(dclus1):
    with pytest.raises(VariableError, match="'sname'"):
        population_variance(dclus1, "sname")


SHARE_CASES = [
    ("clus1_schwide", "clus1", "sch.wide", 0.95),
    ("strat_awards", "strat", "awards", 0.95),
    ("clus1p_awards", "clus1p", "awards", 0.95),
    ("strat_level90", "strat", "both", 0.9),
]


@pytest.mark.parametrize("case", SHARE_CASES, ids=[c[0] for c in SHARE_CASES])
def test_asin_interval_matches_svyciprop(r, designs, case):
    cid, design, variable, level = case
    est = proportion(designs[design], variable)["Yes"]
    key = f"ciprop_asin_{cid}"
    assert near(est.estimate, r[key, "estimate"])
    low, high = est.ci(level, method="asin")
    assert near(low, r[key, "ci_low"]) and near(high, r[key, "ci_high"])


@pytest.mark.parametrize("case", SHARE_CASES, ids=[c[0] for c in SHARE_CASES])
def test_likelihood_interval_matches_svyciprop(r, designs, case):
    cid, design, variable, level = case
    low, high = proportion(designs[design], variable)["Yes"].ci(level, method="likelihood")
    # The exact roots of R's profile equation (uniroot in the R script) to 1e-6; R's own
    # svyciprop interpolates a spline through ten profile points, about 1e-5 away.
    exact = f"ciprop_likelihood_exact_{cid}"
    assert near(low, r[exact, "ci_low"]) and near(high, r[exact, "ci_high"])
    printed = f"ciprop_likelihood_{cid}"
    assert near(low, r[printed, "ci_low"], 2e-5) and near(high, r[printed, "ci_high"], 2e-5)


def test_new_share_intervals_stay_in_the_unit_interval():
    data = {"y": ["a"] * 3 + ["b"] * 97, "w": np.linspace(1, 3, 100)}
    design = Design(data, weights="w")
    for method in ("asin", "likelihood"):
        for category in ("a", "b"):
            low, high = proportion(design, "y")[category].ci(0.95, method=method)
            assert 0 <= low < high <= 1
        everyone = Design({"y": ["a"] * 10}, weights=None)
        low, high = proportion(everyone, "y")["a"].ci(0.95, method=method)
        assert high == 1 and 0 < low < 1 and not math.isnan(low)


def test_describe_items_uses_the_same_new_intervals(designs):
    from analysis import describe_items

    for method in ("asin", "likelihood"):
        table = describe_items(designs["clus1"], ["sch.wide"], method=method)
        row = table[table.category == "Yes"].iloc[0]
        expected = proportion(designs["clus1"], "sch.wide")["Yes"].ci(0.95, method=method)
        assert (row.ci_low, row.ci_high) == pytest.approx(expected, rel=1e-12)


@pytest.mark.parametrize("method", ["asin", "likelihood"])
def test_domain_intervals_with_the_domains_df_match_svyby(r, designs, method):
    """The interval formulas with each domain's df (R's degf of the subset design)."""
    from analysis._intervals import proportion_interval

    shares = proportion(designs["clus1"], "awards", by="stype")
    for domain, df in [("E", 14), ("H", 7), ("M", 11)]:
        est = shares[domain, "Yes"]
        key = f"cipropby_{method}_clus1_awards_{domain}"
        assert near(est.estimate, r[key, "estimate"])
        low, high = proportion_interval(
            est.estimate, est.se, df, est.n, est.n_eff, est.count, False, 0.95, method
        )
        if method == "likelihood":  # exact roots to 1e-6, R's spline-interpolated ends to 2e-4
            exact = key.replace("likelihood", "likelihood_exact")
            assert near(low, r[exact, "ci_low"]) and near(high, r[exact, "ci_high"])
        rel = 1e-6 if method == "asin" else 2e-4
        assert near(low, r[key, "ci_low"], rel) and near(high, r[key, "ci_high"], rel)
