"""Design-based survey estimation: weights, strata, clusters, calibration and intervals.

Build a :class:`Design` once, then call small functions on it (modelled on
R's ``survey`` package, Lumley 2010)::

    from analysis import Design, mean, total, proportion, rake
    d = Design(data, weights="pw", strata="stype", clusters="dnum", fpc="fpc")
    mean(d, "api00").ci(0.95)

See ``analysis/README.md`` for the full guide.
"""

from ._calibration import WeightingReport, poststratify, rake, trim_weights
from ._design import Design
from ._errors import (CalibrationError, ConvergenceError, DesignError, LonelyPSUError,
                      SurveyError)
from ._estimators import mean, proportion, ratio, total
from ._results import Estimate, EstimateSet

__all__ = [
    "Design", "mean", "total", "proportion", "ratio", "rake", "poststratify", "trim_weights",
    "Estimate", "EstimateSet", "WeightingReport",
    "SurveyError", "DesignError", "LonelyPSUError", "CalibrationError", "ConvergenceError",
]
