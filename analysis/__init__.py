"""Design-based survey estimation: weights, strata, clusters, calibration and intervals.

Build a :class:`Design` once, then call small functions on it (modelled on
R's ``survey`` package, Lumley 2010)::

    from analysis import Design, mean, total, proportion, rake
    d = Design(data, weights="pw", strata="stype", clusters="dnum", fpc="fpc")
    mean(d, "api00").ci(0.95)

See ``analysis/README.md`` for the full guide.  This package imports no web
framework; it depends on numpy, scipy, pandas and statsmodels only (PyYAML
for the command line).
"""

from ._bulk import describe_items
from ._calibration import WeightingReport, poststratify, rake, trim_weights
from ._compare import (ChisqResult, Difference, KeyDrivers, Reliability, chisq_test,
                       cronbach_alpha, difference, domain_difference, key_drivers)
from ._design import Design
from ._errors import (CalibrationError, ConvergenceError, DesignError, LonelyPSUError,
                      SurveyError)
from ._estimators import mean, proportion, ratio, total
from ._planning import margin_of_error, sample_size
from ._results import Estimate, EstimateSet
from ._scoring import dimension_index, satisfaction_rate, score, score_items

__all__ = [
    # design and estimators
    "Design", "mean", "total", "proportion", "ratio",
    # weighting
    "rake", "poststratify", "trim_weights", "WeightingReport",
    # bulk
    "describe_items", "score_items",
    # satisfaction scoring
    "score", "satisfaction_rate", "dimension_index",
    # comparisons and models
    "difference", "domain_difference", "chisq_test", "cronbach_alpha", "key_drivers",
    # planning
    "sample_size", "margin_of_error",
    # result types
    "Estimate", "EstimateSet", "Difference", "ChisqResult", "Reliability", "KeyDrivers",
    # errors
    "SurveyError", "DesignError", "LonelyPSUError", "CalibrationError", "ConvergenceError",
]
