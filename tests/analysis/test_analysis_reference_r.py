"""Agreement with published outputs of R's survey package (see data/r_survey_reference.yaml)."""

import numpy as np
import pytest

import analysis
from analysis import Design
from analysis import chisq_test
from analysis import key_drivers
from analysis import mean
from analysis import poststratify
from analysis import proportion
from analysis import rake
from analysis import total


def printed_tol(value):
    """Half a unit in the last printed digit: 662.29 -> 0.005, 3687178 -> 0.5."""
    text = repr(float(value)) if isinstance(value, float) else str(value)
    if "e" in text.lower():
        raise ValueError("use relative tolerances for values printed in scientific notation")
    if "." in text and not text.endswith(".0"):
        return 0.5 * 10 ** (-len(text.split(".")[1]))
    return 0.5


def close(actual, published):
    return abs(actual - published) <= printed_tol(published) * 1.0000001


@pytest.fixture(scope="module")
def designs(reference, apistrat, apiclus1):
    frames = {"apistrat.csv": apistrat, "apiclus1.csv": apiclus1}
    out = {}
    for name, spec in reference["designs"].items():
        spec = dict(spec)
        out[name] = Design(frames[spec.pop("file")], **spec)
    return out


def weighted(design, case, reference):
    pop = reference["population"]
    if case.get("weighting") == "poststratify":
        return poststratify(design, "stype", pop["stype"])
    if case.get("weighting") == "rake":
        return rake(design, {"stype": pop["stype"], "sch.wide": pop["sch.wide"]})
    return design


def test_printed_tolerance_helper():
    assert printed_tol(662.29) == pytest.approx(0.005)
    assert printed_tol(3687178) == pytest.approx(0.5)
    assert printed_tol(114642) == pytest.approx(0.5)
    assert printed_tol(0.0463) == pytest.approx(0.00005)
    assert not close(662.30, 662.29)


@pytest.mark.parametrize("index", range(11))
def test_mean_and_total_cases(reference, designs, index):
    case = reference["cases"][index]
    design = weighted(designs[case["design"]], case, reference)
    fn = {"mean": mean, "total": total}[case["kind"]]
    est = fn(design, case["variable"])
    assert close(est.estimate, case["estimate"]), (case["id"], est.estimate)
    if "se_tolerance" in case:
        assert abs(est.se - case["se"]) <= case["se_tolerance"], (case["id"], est.se)
    else:
        assert close(est.se, case["se"]), (case["id"], est.se)


@pytest.mark.parametrize("index", [0, 1])
def test_shares_match_svymean_factor(reference, designs, apiclus1, index):
    case = reference["shares"][index]
    design = designs[case["design"]]
    variable = case["variable"]
    if isinstance(variable, list):  # interaction(a, b): one factor with labels "a.b"
        frame = apiclus1.assign(cell=apiclus1[variable[0]] + "." + apiclus1[variable[1]])
        design = Design(frame, weights="pw", clusters="dnum", fpc="fpc")
        variable = "cell"
    result = proportion(design, variable)
    for category, (p, se) in case["values"].items():
        assert close(result[category].estimate, p), category
        assert close(result[category].se, se), category


def test_category_totals_match_svytotal_factor(reference, apiclus1):
    case = reference["category_totals"][0]
    for category, (est, se) in case["values"].items():
        frame = apiclus1.assign(ind=(apiclus1[case["variable"]] == category).astype(float))
        design = Design(frame, weights="pw", clusters="dnum", fpc="fpc")
        result = total(design, "ind")
        assert close(result.estimate, est), category
        assert close(result.se, se), category


def test_domain_means_match_svyby(reference, designs, apiclus1):
    case = reference["domains"][0]
    frame = apiclus1.assign(domain=apiclus1["stype"] + "." + apiclus1["sch.wide"])
    design = Design(frame, weights="pw", clusters="dnum", fpc="fpc")
    m99 = mean(design, "api99", by="domain")
    m00 = mean(design, "api00", by="domain")
    for domain, (e99, e00, se99, se00) in case["values"].items():
        assert close(m99[domain].estimate, e99)
        assert close(m00[domain].estimate, e00)
        assert close(m99[domain].se, se99)
        assert close(m00[domain].se, se00)


def test_domain_means_estimates_only(reference, designs):
    case = reference["domains"][1]
    result = mean(designs[case["design"]], "api99", by="stype")
    for domain, value in case["means_only"].items():
        assert close(result[domain].estimate, value)


def test_domain_total(reference, apiclus1):
    case = reference["domain_totals"][0]
    flag = np.ones(len(apiclus1), dtype=bool)
    for var, level in case["domain"].items():
        flag &= (apiclus1[var] == level).to_numpy()
    frame = apiclus1.assign(dom=np.where(flag, "in", "out"))
    design = Design(frame, weights="pw", clusters="dnum", fpc="fpc")
    est = total(design, case["variable"], by="dom")["in"]
    assert close(est.estimate, case["estimate"])
    assert close(est.se, case["se"])


def test_rao_scott_chisq(reference, designs):
    case = reference["chisq"][0]
    result = chisq_test(designs[case["design"]], case["row"], case["col"])
    assert close(result.statistic, case["F"])
    assert close(result.ndf, case["ndf"])
    assert close(result.ddf, case["ddf"])
    assert close(result.p_value, case["p_value"])
    assert close(result.pearson, case["pearson"])
    assert close(result.chisq_p_value, case["chisq_p_value"])
    for row, cols in case["table"].items():
        for col, value in cols.items():
            assert close(result.table.loc[row, col], value)


@pytest.mark.parametrize("index", [0, 1])
def test_key_driver_regression_matches_svyglm(reference, designs, index):
    case = reference["regression"][index]
    drivers = list(case["coefficients"])
    result = key_drivers(designs[case["design"]], case["outcome"], drivers)
    table = result.table.set_index("driver")
    for driver, (coef, se, p) in case["coefficients"].items():
        assert table.loc[driver, "coef"] == pytest.approx(coef, rel=1e-9)
        assert table.loc[driver, "se"] == pytest.approx(se, rel=1e-9)
        assert table.loc[driver, "p_value"] == pytest.approx(p, rel=1e-6)


def test_mean_ci_uses_design_df(dclus1):
    est = mean(dclus1, "api00")
    low, high = est.ci(0.95)
    from scipy import stats

    q = stats.t.isf(0.025, 14)
    assert low == pytest.approx(est.estimate - q * est.se)
    assert high == pytest.approx(est.estimate + q * est.se)
    assert est.df == 14
    assert analysis.__all__  # public API listed
