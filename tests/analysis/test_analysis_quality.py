"""Issue 15 items 8-11: zero variance, small-sample intervals, reliability flags, bad input."""

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from analysis import RELIABILITY_FLAGS
from analysis import Design
from analysis import DesignError
from analysis import SurveyError
from analysis import VariableError
from analysis import describe_items
from analysis import mean
from analysis import proportion
from analysis import quantile
from analysis import score
from analysis import total
from analysis._intervals import clopper_pearson_interval
from analysis._intervals import wilson_interval


# ---- 8. a zero variance that comes out as round-off takes the documented fallback
@pytest.fixture
def zero_variance_design():
    # Domain "b" sits in clusters 1 and 2 with the same count of "yes" (1 of 2 each), so its
    # share's variance is exactly zero; weights that are not powers of two leave round-off.
    frame = pd.DataFrame(
        {
            "psu": [1, 1, 1, 2, 2, 2, 3, 3, 4, 4],
            "dom": ["b", "b", "a", "b", "b", "a", "a", "a", "a", "a"],
            "y": ["yes", "no", "no", "yes", "no", "yes", "yes", "no", "no", "no"],
            "w": [1.1, 1.1, 2.3, 1.1, 1.1, 2.3, 2.3, 2.3, 2.3, 2.3],
        }
    )
    return Design(frame, weights="w", clusters="psu")


@pytest.mark.parametrize("method", ["logit", "korn-graubard", "wilson", "clopper-pearson", "wald"])
def test_zero_variance_falls_back_to_clopper_pearson_on_n(zero_variance_design, method):
    est = proportion(zero_variance_design, "y", by="dom")[("b", "yes")]
    assert est.estimate == pytest.approx(0.5) and est.se == 0.0
    expected = clopper_pearson_interval(2, 4)
    assert est.ci(0.95, method) == pytest.approx(expected)
    table = describe_items(zero_variance_design, ["y"], by="dom", method=method)
    row = table[(table["domain"] == "b") & (table["category"] == "yes")].iloc[0]
    assert row["se"] == 0.0
    assert (row["ci_low"], row["ci_high"]) == pytest.approx(expected)


# ---- 9. Wilson on the df-adjusted effective sample size; CP on a weighted design = KG
def test_wilson_uses_the_df_adjusted_effective_n(dclus1):
    est = proportion(dclus1, "awards")["Yes"]
    p, se, n, df = est.estimate, est.se, est.n, est.df
    n_star = p * (1 - p) / se**2 * (stats.t.isf(0.025, n - 1) / stats.t.isf(0.025, df)) ** 2
    assert est.ci(0.95, "wilson") == pytest.approx(wilson_interval(p, n_star))
    assert est.ci(0.95, "clopper-pearson") == pytest.approx(est.ci(0.95, "korn-graubard"))
    # fewer df -> smaller n* -> wider interval than with the normal-theory n_eff
    plain = wilson_interval(p, p * (1 - p) / se**2)
    assert est.ci(0.95, "wilson")[0] < plain[0]


# ---- 10. reliability flags (NCHS data presentation standards)
def test_share_flags_follow_the_nchs_rules(dclus1):
    shares = proportion(dclus1, "awards", by="stype")
    h = shares[("H", "Yes")]  # 14 schools in 8 districts: n_eff < 30, df 7, wide CI
    assert "effective n < 30" in h.flags and "df < 8" in h.flags
    assert "CI width >= 30 points" in h.flags
    assert not h.reliable
    whole = proportion(dclus1, "sch.wide")["Yes"]  # 183 schools, df 14, KG width ~0.09
    low, high = whole.ci(0.95, "korn-graubard")
    assert 0.05 < high - low < 0.30 and (high - low) / whole.estimate < 1.3
    assert min(whole.n, whole.estimate * (1 - whole.estimate) / whole.se**2) >= 30
    assert whole.flags == () and whole.reliable
    table = describe_items(dclus1, ["awards"], by="stype")
    row = table[(table["domain"] == "H") & (table["category"] == "Yes")].iloc[0]
    assert row["flags"] == h.flags and not row["reliable"]
    assert h.to_dict()["flags"] == list(h.flags)


def test_relative_width_rule_for_a_rare_category():
    rng = np.random.default_rng(3)
    y = np.where(rng.random(400) < 0.02, "rare", "common")
    y[:4] = "rare"
    d = Design(pd.DataFrame({"y": y, "w": rng.uniform(1, 2, 400)}), weights="w")
    est = proportion(d, "y")["rare"]
    low, high = est.ci(0.95, "korn-graubard")
    assert 0.05 < high - low < 0.30 or high - low <= 0.05
    assert ("relative CI width > 130%" in est.flags) == (
        0.05 < high - low < 0.30 and (high - low) / est.estimate > 1.3
    )


def test_mean_flags_use_the_relative_standard_error(dclus1):
    m = mean(dclus1, "api00")
    assert m.se / m.estimate < 0.3 and m.df >= 8 and m.reliable
    small = mean(dclus1, "api00", by="stype")["H"]  # df 7
    assert small.flags == ("df < 8",)
    frame = pd.DataFrame({"y": [0.0] * 18 + [1.0, 30.0]})
    noisy = mean(Design(frame), "y")
    assert noisy.se / noisy.estimate > 0.3 and "relative SE > 30%" in noisy.flags


def test_quantile_flags_use_the_relative_standard_error_and_df(dclus1):
    median = quantile(dclus1, "api00", (0.5,))[0.5]
    assert median.df >= 8 and median.se / median.estimate < 0.3 and median.reliable
    small = quantile(dclus1, "api00", (0.5,), by="stype")[("H", 0.5)]  # df 7
    assert small.flags == ("df < 8",) and not small.reliable
    assert small.to_dict()["flags"] == ["df < 8"]
    frame = pd.DataFrame({"y": [0.0] * 9 + [1.0] * 2 + [30.0] * 9})
    noisy = quantile(Design(frame), "y", (0.5,))[0.5]
    assert noisy.se / noisy.estimate > 0.3 and "relative SE > 30%" in noisy.flags
    assert set(RELIABILITY_FLAGS) >= set(small.flags + noisy.flags)


# ---- 11. bad input
def test_total_of_a_text_column_names_the_column(dclus1):
    with pytest.raises(VariableError, match="'stype'"):
        total(dclus1, "stype")
    with pytest.raises(SurveyError, match="'sch.wide'"):
        mean(dclus1, "sch.wide")


def test_empty_domain_has_nan_estimate_and_se():
    # domain "b" answered nothing: no base, so no estimate and no SE (not an SE of 0)
    frame = pd.DataFrame(
        {"g": ["a", "a", "b", "b"], "y": [1.0, 2.0, np.nan, np.nan], "z": ["u", "v", None, None]}
    )
    d = Design(frame)
    m = mean(d, "y", by="g")
    assert np.isnan(m["b"].estimate) and np.isnan(m["b"].se)
    assert m["b"].flags == ("no base",)
    shares = describe_items(d, ["z"], by="g")
    empty = shares[shares["domain"] == "b"]
    assert empty["estimate"].isna().all() and empty["se"].isna().all()
    assert all(f == ("no base",) for f in empty["flags"])
    assert np.isnan(proportion(d, "z", by="g")[("b", "u")].se)


def test_all_zero_weights_are_refused():
    with pytest.raises(DesignError, match="'w'.*zero"):
        Design(pd.DataFrame({"y": [1.0, 2.0], "w": [0.0, 0.0]}), weights="w")


def test_fpc_without_weights_infers_n_over_n(apistrat):
    d = Design(apistrat, strata="stype", fpc="fpc")
    assert d.weights == pytest.approx(apistrat["pw"].to_numpy(), rel=1e-6)


def test_score_requires_levels_when_codes_are_not_contiguous():
    frame = pd.DataFrame({"q": [1, 2, 3, 4, 5, 9, 5, 4]})
    with pytest.raises(VariableError, match="'q'.*levels"):
        score(Design(frame), "q")
    assert score(Design(frame), "q", levels=[1, 2, 3, 4, 5]).n == 7
    assert score(Design(frame[frame["q"] != 9]), "q").n == 7


def test_multistage_needs_one_fpc_per_stage(dclus1):
    with pytest.raises(DesignError, match="one column per sampling stage"):
        Design(dclus1.data, clusters=["dnum", "snum"], fpc="fpc")


# ---- 16. the fast variance (every row a PSU) is the PSU-total estimator
@pytest.mark.parametrize("by", [None, "sch.wide"])
def test_row_variance_equals_the_psu_total_route(apistrat, by):
    from analysis import _variance

    frame = apistrat.assign(y=apistrat["api00"].where(apistrat.index % 7 != 0))
    d = Design(frame, weights="pw", strata="stype", fpc="fpc")
    result = mean(d, "y", by=by)
    estimates = [result] if by is None else list(result)
    y = d.numeric("y")
    dom = np.zeros(d.n, dtype=np.int64) if by is None else d.factor(by).codes
    dense = np.zeros((d.n, len(estimates)))
    for k, est in enumerate(estimates):
        ok = ~np.isnan(y) & (dom == k)
        dense[:, k] = np.where(ok, d.weights * (np.nan_to_num(y) - est.estimate), 0.0)
        dense[:, k] /= d.weights[ok].sum()
    scores = _variance.Scores(len(estimates), dense=dense)
    assert not _variance._rows_are_psus(d, scores)  # dense scores take the PSU-total route
    general = _variance.variance(d, scores, covariance=True)
    assert [e.se**2 for e in estimates] == pytest.approx(np.diag(general), rel=1e-10)
    if by is not None:
        assert result.covariance == pytest.approx(general, rel=1e-10)
        assert general[0, 1] != 0
