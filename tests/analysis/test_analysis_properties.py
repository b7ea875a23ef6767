"""Property tests (hypothesis): invariants that must hold for any data."""

import numpy as np
import pandas as pd
from hypothesis import HealthCheck
from hypothesis import assume
from hypothesis import given
from hypothesis import settings
from hypothesis import strategies as st

from analysis import Design
from analysis import mean
from analysis import proportion
from analysis import rake

SETTINGS = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@st.composite
def survey_frames(draw, min_rows=8, max_rows=60):
    n = draw(st.integers(min_rows, max_rows))
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    frame = pd.DataFrame(
        {
            "y": rng.normal(50, 10, n),
            "a": rng.choice(["x", "y", "z"], n),
            "g": np.tile(["m", "f"], n)[:n],
            "r": rng.choice(["north", "south"], n),
            "w": rng.uniform(0.5, 5.0, n),
            "psu": rng.integers(0, max(2, n // 3), n),
            "h": np.repeat([0, 1], (n + 1) // 2)[:n],
        }
    )
    clustered = draw(st.booleans())
    return frame, clustered


def make_design(frame, clustered, scale=1.0):
    frame = frame.assign(w=frame["w"] * scale)
    if clustered:
        counts = frame.groupby("h")["psu"].nunique()
        if (counts < 2).any():
            return Design(frame, weights="w", strata="h")
        return Design(frame, weights="w", strata="h", clusters="psu")
    return Design(frame, weights="w", strata="h")


@SETTINGS
@given(survey_frames(), st.floats(0.01, 1000.0))
def test_estimates_invariant_to_weight_scaling(data, scale):
    frame, clustered = data
    d1, d2 = make_design(frame, clustered), make_design(frame, clustered, scale)
    m1, m2 = mean(d1, "y"), mean(d2, "y")
    assert np.isclose(m1.estimate, m2.estimate, rtol=1e-9)
    assert np.isclose(m1.se, m2.se, rtol=1e-7, atol=1e-12)
    for e1, e2 in zip(proportion(d1, "a"), proportion(d2, "a")):
        assert np.isclose(e1.estimate, e2.estimate, rtol=1e-9)
        assert np.isclose(e1.se, e2.se, rtol=1e-7, atol=1e-12)


@SETTINGS
@given(survey_frames(min_rows=12), st.floats(0.2, 0.8), st.floats(0.2, 0.8))
def test_raking_hits_its_margins(data, share_m, share_north):
    frame, clustered = data
    # IPF converges to any margins when every cell of the g x r table is occupied
    assume(
        pd.crosstab(frame["g"], frame["r"]).shape == (2, 2)
        and (pd.crosstab(frame["g"], frame["r"]).to_numpy() > 0).all()
    )
    design = make_design(frame, clustered)
    total = 1000.0
    margins = {
        "g": {"m": total * share_m, "f": total * (1 - share_m)},
        "r": {"north": total * share_north, "south": total * (1 - share_north)},
    }
    raked = rake(design, margins, tol=1e-9, max_iter=1000)
    w = np.asarray(raked.weights)
    for var, targets in margins.items():
        for level, target in targets.items():
            achieved = w[(frame[var] == level).to_numpy()].sum()
            assert np.isclose(achieved, target, rtol=1e-7)
    assert raked.weighting_report.converged


@SETTINGS
@given(
    survey_frames(),
    st.sampled_from(["logit", "korn-graubard", "wilson", "clopper-pearson", "wald"]),
    st.floats(0.5, 0.999),
)
def test_intervals_contain_the_estimate(data, method, level):
    frame, clustered = data
    design = make_design(frame, clustered)
    for est in proportion(design, "a"):
        low, high = est.ci(level, method=method)
        assert 0.0 <= low <= high <= 1.0
        if method in ("logit", "korn-graubard", "wald"):
            assert low <= est.estimate + 1e-12 and est.estimate - 1e-12 <= high
    m = mean(design, "y")
    low, high = m.ci(level)
    assert low <= m.estimate <= high
