"""Issue 15: agreement with R's survey package to 1e-6 relative.

Every reference value comes from ``data/r_parity_reference.R`` (run with R 4.2 and survey
4.1.1) and is kept, with the R call that produced it, in ``data/r_parity_reference.csv``;
R is not needed to run these tests.
"""

import csv

import numpy as np
import pandas as pd
import pytest

from analysis import Design
from analysis import describe_items
from analysis import domain_difference
from analysis import mean
from analysis import poststratify
from analysis import proportion
from analysis import rake
from analysis import ratio
from analysis import satisfaction_rate
from analysis import total
from analysis import trim_weights

from .conftest import DATA

REL = 1e-6


@pytest.fixture(scope="module")
def r():
    values = {}
    with open(DATA / "r_parity_reference.csv", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            values.setdefault(row["id"], {})[row["quantity"]] = float(row["value"])
    return values


@pytest.fixture(scope="module")
def apiclus2():
    return pd.read_csv(DATA / "apiclus2.csv")


def agree(actual, expected):
    return actual == pytest.approx(expected, rel=REL, abs=1e-12)


def check(ref, est, method=None):
    """Estimate, SE, df and both interval ends of ``est`` against R's values."""
    low, high = est.ci(0.95, method) if method else est.ci(0.95)
    assert agree(est.estimate, ref["estimate"])
    assert agree(est.se, ref["se"])
    assert agree(est.df, ref["df"])
    assert agree(low, ref["ci_low"])
    assert agree(high, ref["ci_high"])


# ---- 1. multistage designs, fpc at each stage; weights inferred from the fpc (item 11)
@pytest.fixture(scope="module")
def dclus2(apiclus2):
    return Design(apiclus2, clusters=["dnum", "snum"], fpc=["fpc1", "fpc2"])


def test_two_stage_mean_total_share_and_ratio(r, dclus2):
    check(r["clus2_mean_api00"], mean(dclus2, "api00"))
    check(r["clus2_total_enroll"], total(dclus2, "enroll"))
    check(r["clus2_mean_ell"], mean(dclus2, "ell"))
    check(r["clus2_ratio"], ratio(dclus2, "api00", "api99"))
    check(r["clus2_share_schwide"], proportion(dclus2, "sch.wide")["Yes"], "logit")


def test_two_stage_weights_are_inferred_from_the_fpc(r, dclus2):
    for row in (1, 4, 126):
        assert agree(dclus2.weights[row - 1], r[f"clus2_weight_row{row}"]["weight"])


def test_two_stage_calibrated(r, dclus2):
    types = {"E": 4421, "H": 755, "M": 1018}
    post = poststratify(dclus2, "stype", types)
    check(r["clus2_poststrat_mean_api00"], mean(post, "api00"))
    check(r["clus2_poststrat_total_enroll"], total(post, "enroll"))
    raked = rake(dclus2, {"stype": types, "sch.wide": {"No": 1072, "Yes": 5122}}, tol=1e-12)
    check(r["clus2_rake_mean_api00"], mean(raked, "api00"))


def test_two_stage_with_given_weights(r, apiclus2):
    d = Design(apiclus2, weights="pw", clusters=["dnum", "snum"], fpc=["fpc1", "fpc2"])
    check(r["clus2w_mean_api00"], mean(d, "api00"))


def test_stratified_two_stage_with_lonely_second_stage_units(r, apiclus2):
    frame = apiclus2.assign(fpc1=300)
    d = Design(
        frame,
        weights="pw",
        strata="stype",
        clusters=["dnum", "snum"],
        fpc=["fpc1", "fpc2"],
        lonely_psu="adjust",
    )
    check(r["strat2_total_enroll"], total(d, "enroll"))


def test_one_stage_fpc_without_weights(r, apistrat):
    d = Design(apistrat, strata="stype", fpc="fpc")
    check(r["strat_noweights_total_enroll"], total(d, "enroll"))


# ---- 4. lonely PSUs as R's options(survey.lonely.psu=)
@pytest.mark.parametrize("option", ["adjust", "remove", "certainty", "average"])
def test_lonely_psu_options_match_r(r, apistrat, option):
    first_h = apistrat.index[apistrat["stype"] == "H"][0]
    frame = apistrat[(apistrat["stype"] != "H") | (apistrat.index == first_h)]
    d = Design(frame, weights="pw", strata="stype", lonely_psu=option)
    check(r[f"lonely_{option}_total_enroll"], total(d, "enroll"))
    check(r[f"lonely_{option}_mean_api00"], mean(d, "api00"))
    df = Design(frame, weights="pw", strata="stype", fpc="fpc", lonely_psu=option)
    check(r[f"lonely_{option}_fpc_total_enroll"], total(df, "enroll"))


# ---- 2. Korn-Graubard without capping the effective n; 9. Clopper-Pearson on a weighted
# design is Korn-Graubard (the same df-adjusted effective n)
@pytest.mark.parametrize(
    "case,design,variable",
    [
        ("clus1_beta_schwide", "dclus1", "sch.wide"),
        ("clus1_beta_awards", "dclus1", "awards"),
        ("strat_beta_awards", "dstrat", "awards"),
    ],
)
def test_korn_graubard_matches_svyciprop_beta(r, request, case, design, variable):
    est = proportion(request.getfixturevalue(design), variable)["Yes"]
    check(r[case], est, "korn-graubard")
    check(r[case], est, "clopper-pearson")


def test_logit_matches_svyciprop(r, dclus1):
    check(r["clus1_logit_schwide"], proportion(dclus1, "sch.wide")["Yes"], "logit")


# ---- 3. domain intervals with each domain's own df, as svyby(..., svyciprop)
@pytest.mark.parametrize("stype", ["E", "H", "M"])
def test_domain_shares_and_means_use_the_domains_df(r, dclus1, dstrat, stype):
    shares = proportion(dclus1, "awards", by="stype")[(stype, "Yes")]
    check(r[f"clus1_awards_logit_{stype}"], shares, "logit")
    check(r[f"clus1_awards_beta_{stype}"], shares, "korn-graubard")
    check(r[f"clus1_api00_by_{stype}"], mean(dclus1, "api00", by="stype")[stype])
    check(
        r[f"strat_awards_logit_{stype}"], proportion(dstrat, "awards", by="stype")[(stype, "Yes")]
    )
    table = describe_items(dclus1, ["awards"], by="stype", method="logit")
    row = table[(table["domain"] == stype) & (table["category"] == "Yes")].iloc[0]
    ref = r[f"clus1_awards_logit_{stype}"]
    assert agree(row["df"], ref["df"])
    assert agree(row["ci_low"], ref["ci_low"]) and agree(row["ci_high"], ref["ci_high"])
    rate = satisfaction_rate(dclus1, "awards", levels=["No", "Yes"], top=1, by="stype")[stype]
    check(ref, rate, "logit")


def test_svyby_interval_for_h(r):
    assert agree(r["clus1_awards_logit_svyby_H"]["ci_low"], r["clus1_awards_logit_H"]["ci_low"])
    assert round(r["clus1_awards_logit_H"]["ci_low"], 4) == 0.1552  # the figure
    assert round(r["clus1_awards_logit_H"]["ci_high"], 4) == 0.7537


# ---- 5. domain_difference of satisfaction rates (svyby + svycontrast)
def test_domain_difference_of_satisfaction_rates(r, dclus1):
    rates = satisfaction_rate(dclus1, "awards", levels=["No", "Yes"], top=1, by="stype")
    diff = domain_difference(rates, "E", "H")
    ref = r["clus1_awards_diff_E_H"]
    assert agree(diff.estimate, ref["estimate"])
    assert agree(diff.se, ref["se"])
    assert diff.df == dclus1.df


# ---- 7. design effects with R's n/(n-1) (svymean/svytotal/svyby, deff="replace")
def test_design_effects_match_r(r, dclus1, dstrat):
    assert agree(mean(dclus1, "api00").deff, r["clus1_deff_api00"]["deff"])
    assert agree(mean(dstrat, "api00").deff, r["strat_deff_api00"]["deff"])
    assert agree(total(dclus1, "enroll").deff, r["clus1_deff_total_enroll"]["deff"])
    shares = proportion(dclus1, "stype")
    for s in ("E", "H", "M"):
        assert agree(shares[s].deff, r[f"clus1_deff_stype_{s}"]["deff"])
        assert agree(
            mean(dclus1, "api00", by="stype")[s].deff, r[f"clus1_deff_api00_by_{s}"]["deff"]
        )
        by_share = proportion(dclus1, "awards", by="stype")[(s, "Yes")]
        assert agree(by_share.deff, r[f"clus1_deff_awards_Yes_by_{s}"]["deff"])
    assert agree(proportion(dstrat, "awards")["Yes"].deff, r["strat_deff_awards_Yes"]["deff"])
    table = describe_items(dclus1, ["stype"]).set_index("category")
    for s in ("E", "H", "M"):
        assert agree(table.loc[s, "deff"], r[f"clus1_deff_stype_{s}"]["deff"])


# ---- 6. trim_weights as R's trimWeights (spread the trimmed amount, keep the bounds)
@pytest.mark.parametrize(
    "case,lower,upper,strict",
    [
        ("upper40", None, 40, False),
        ("upper40_lower18", 18, 40, False),
        ("upper32", None, 32, False),
        ("upper32_strict", None, 32, True),
    ],
)
def test_trim_weights_matches_trimweights(r, dstrat, apistrat, case, lower, upper, strict):
    d = trim_weights(dstrat, lower=lower, upper=upper, strict=strict)
    for s in ("E", "H", "M"):
        first = int(np.flatnonzero(apistrat["stype"].to_numpy() == s)[0])
        assert agree(d.weights[first], r[f"trim_{case}_weight_{s}"]["weight"])
    assert agree(d.weights.sum(), dstrat.weights.sum())
    check(r[f"trim_{case}_mean_api00"], mean(d, "api00"))
    check(r[f"trim_{case}_total_enroll"], total(d, "enroll"))
