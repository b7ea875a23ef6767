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
from ._calibrate import calibrate
from ._calibration import poststratify
from ._calibration import rake
from ._calibration import trim_weights
from ._compare import ChisqResult
from ._compare import Difference
from ._compare import KeyDrivers
from ._compare import Reliability
from ._compare import chisq_test
from ._compare import cronbach_alpha
from ._compare import difference
from ._compare import domain_difference
from ._compare import key_drivers
from ._counts import counts
from ._counts import population_variance
from ._design import Design
from ._drivers import LogisticDrivers
from ._drivers import logistic_drivers
from ._errors import CalibrationError
from ._errors import ConvergenceError
from ._errors import DesignError
from ._errors import LonelyPSUError
from ._errors import SurveyError
from ._errors import VariableError
from ._estimators import mean
from ._estimators import proportion
from ._estimators import ratio
from ._estimators import total
from ._intervals import PROPORTION_METHODS
from ._planning import margin_of_error
from ._planning import sample_size
from ._quantiles import Quantile
from ._quantiles import Quantiles
from ._quantiles import quantile
from ._regression import Regression
from ._regression import regression
from ._reliability import EMPTY as NO_BASE
from ._reliability import FLAGS as RELIABILITY_FLAGS
from ._replicate_weights import as_replicate_design
from ._replicate_weights import replicate_design
from ._replicates import ReplicateDesign
from ._replicates import replicable
from ._replicates import reweighted
from ._results import Estimate
from ._results import EstimateSet
from ._scoring import dimension_index
from ._scoring import satisfaction_rate
from ._scoring import score
from ._scoring import score_items
from ._weighting_report import WeightingReport

# Replicate-weight designs (analysis/_replicates.py): on a ReplicateDesign the public estimators
# re-run themselves with each replicate's weights, weighting steps reweight every replicate,
# and the functions that cannot use replicates refuse one clearly.
mean = replicable(mean)
total = replicable(total)
ratio = replicable(ratio)
proportion = replicable(proportion)
score = replicable(score)
satisfaction_rate = replicable(satisfaction_rate)
dimension_index = replicable(dimension_index)
counts = replicable(counts)
population_variance = replicable(population_variance)
regression = replicable(regression)
describe_items = replicable(describe_items, supported=False)
score_items = replicable(score_items, supported=False)
chisq_test = replicable(chisq_test, supported=False)
cronbach_alpha = replicable(cronbach_alpha, supported=False)
key_drivers = replicable(key_drivers, supported=False)
rake = reweighted(rake)
poststratify = reweighted(poststratify)
trim_weights = reweighted(trim_weights)
calibrate = reweighted(calibrate)

__all__ = [
    # design and estimators
    "Design",
    "mean",
    "total",
    "proportion",
    "ratio",
    # weighting
    "rake",
    "poststratify",
    "trim_weights",
    "WeightingReport",
    # bulk
    "describe_items",
    "score_items",
    # satisfaction scoring
    "score",
    "satisfaction_rate",
    "dimension_index",
    # comparisons and models
    "difference",
    "domain_difference",
    "chisq_test",
    "cronbach_alpha",
    "key_drivers",
    # planning
    "sample_size",
    "margin_of_error",
    # result types and their share-interval methods
    "Estimate",
    "PROPORTION_METHODS",
    "RELIABILITY_FLAGS",
    "NO_BASE",
    "EstimateSet",
    "Difference",
    "ChisqResult",
    "Reliability",
    "KeyDrivers",
    # errors
    "SurveyError",
    "DesignError",
    "LonelyPSUError",
    "CalibrationError",
    "ConvergenceError",
    "VariableError",
]

__all__ += [
    # R-parity estimators (issue 15, items 12-15)
    "quantile",
    "Quantile",
    "Quantiles",
    "counts",
    "population_variance",
    "regression",
    "Regression",
    "logistic_drivers",
    "LogisticDrivers",
    "calibrate",
    "ReplicateDesign",
    "as_replicate_design",
    "replicate_design",
]
