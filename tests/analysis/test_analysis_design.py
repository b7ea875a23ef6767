"""Design construction, fpc, lonely PSUs, missing values."""

import numpy as np
import pandas as pd
import pytest

from analysis import Design
from analysis import DesignError
from analysis import LonelyPSUError
from analysis import mean
from analysis import proportion
from analysis import total
from analysis._variance import variance_from_totals


def test_mapping_input_and_weights_only():
    data = {"y": [1.0, 2.0, 3.0, 4.0], "w": [1.0, 1.0, 2.0, 2.0]}
    d = Design(data, weights="w")
    m = mean(d, "y")
    assert m.estimate == pytest.approx((1 + 2 + 6 + 8) / 6)
    # with-replacement SRS variance of a ratio estimator, by hand
    z = np.array([1, 1, 2, 2]) * (np.array([1, 2, 3, 4]) - m.estimate) / 6
    expected = 4 / 3 * np.sum((z - z.mean()) ** 2)
    assert m.se == pytest.approx(np.sqrt(expected))
    assert m.df == 3


def test_fpc_as_fraction_equals_fpc_as_population(apistrat):
    frac = apistrat.assign(f=apistrat.groupby("stype")["pw"].transform(lambda w: 1 / w.iloc[0]))
    frac["f"] = apistrat["stype"].map(apistrat.groupby("stype").size()) / apistrat["fpc"]
    d1 = Design(apistrat, weights="pw", strata="stype", fpc="fpc")
    d2 = Design(frac, weights="pw", strata="stype", fpc="f")
    assert mean(d1, "api00").se == pytest.approx(mean(d2, "api00").se, rel=1e-12)


def test_no_fpc_is_larger_than_fpc(apistrat):
    with_fpc = Design(apistrat, weights="pw", strata="stype", fpc="fpc")
    without = Design(apistrat, weights="pw", strata="stype")
    assert mean(without, "api00").se > mean(with_fpc, "api00").se


def test_missing_values_use_available_cases(apiclus1):
    frame = apiclus1.copy()
    frame.loc[:9, "api00"] = np.nan
    d = Design(frame, weights="pw", clusters="dnum", fpc="fpc")
    est = mean(d, "api00")
    assert est.n == len(frame) - 10
    complete = Design(frame.dropna(subset=["api00"]), weights="pw", clusters="dnum", fpc="fpc")
    assert est.estimate == pytest.approx(mean(complete, "api00").estimate)
    # domain (not subset) variance: all 15 PSUs still count
    assert est.df == 14


def test_bad_inputs_raise_clear_errors(apistrat):
    with pytest.raises(DesignError, match="not found"):
        Design(apistrat, weights="nope")
    bad = apistrat.assign(pw=-apistrat["pw"])
    with pytest.raises(DesignError, match="negative"):
        Design(bad, weights="pw")
    with pytest.raises(DesignError, match="lonely_psu"):
        Design(apistrat, lonely_psu="sometimes")
    with pytest.raises(DesignError, match="varies within"):
        Design(apistrat.assign(fpc=np.arange(len(apistrat)) + 500.0), strata="stype", fpc="fpc")


def lonely_frame():
    return pd.DataFrame(
        {
            "h": ["a", "a", "a", "a", "b", "b", "c", "c"],
            "psu": [1, 1, 2, 2, 3, 3, 4, 4],
            "y": [1.0, 2.0, 3.0, 5.0, 4.0, 6.0, 2.0, 8.0],
            "w": [10.0] * 8,
        }
    )


def test_lonely_psu_fail_raises():
    with pytest.raises(LonelyPSUError, match="single PSU"):
        Design(lonely_frame(), weights="w", strata="h", clusters="psu")


def test_lonely_psu_options_are_documented_and_ordered():
    frame = lonely_frame()
    designs = {
        opt: Design(frame, weights="w", strata="h", clusters="psu", lonely_psu=opt)
        for opt in ("remove", "certainty", "adjust", "average")
    }
    se = {opt: total(d, "y").se for opt, d in designs.items()}
    assert se["remove"] == se["certainty"]
    assert se["adjust"] > se["remove"]
    assert se["average"] > se["remove"]
    # "remove": only stratum a contributes: PSU totals 30 and 80
    assert se["remove"] == pytest.approx(np.sqrt(2 * ((30 - 55) ** 2 + (80 - 55) ** 2)))
    # "average": strata b and c get stratum a's contribution too
    assert se["average"] == pytest.approx(se["remove"] * np.sqrt(3))
    # "adjust": lonely PSU totals centred at zero (R's onestrat), scale 1 without fpc
    expected = 2 * ((30 - 55) ** 2 + (80 - 55) ** 2) + 2 * 100**2
    assert se["adjust"] == pytest.approx(np.sqrt(expected))


def test_certainty_stratum_by_fpc_is_not_lonely():
    frame = lonely_frame().assign(N=[10, 10, 10, 10, 1, 1, 1, 1])
    d = Design(frame, weights="w", strata="h", clusters="psu", fpc="N")
    assert np.isfinite(total(d, "y").se)


def test_design_repr_and_properties(dclus1):
    assert "psus=15" in repr(dclus1)
    assert dclus1.n_psu == 15 and dclus1.df == 14
    assert not dclus1.is_calibrated
    with pytest.raises(ValueError):
        dclus1.weights[0] = 1.0  # read-only


def test_variance_from_totals_matches_formula(dclus1):
    totals = np.arange(15, dtype=float)[:, None] ** 2
    v = variance_from_totals(dclus1, totals)
    f = 15 / 757
    expected = (1 - f) * 15 / 14 * np.sum((totals - totals.mean()) ** 2)
    assert v[0] == pytest.approx(expected)


def test_shares_sum_to_one_with_missing(apiclus1):
    frame = apiclus1.assign(stype=apiclus1["stype"].where(np.arange(len(apiclus1)) % 7 != 0))
    d = Design(frame, weights="pw", clusters="dnum", fpc="fpc")
    shares = proportion(d, "stype")
    assert sum(e.estimate for e in shares) == pytest.approx(1.0)
    assert all(e.n == int(frame["stype"].notna().sum()) for e in shares)
