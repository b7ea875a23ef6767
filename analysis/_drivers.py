"""Key drivers of a yes/no outcome (satisfied or not) from a design-based logistic regression."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from ._regression import Regression
from ._regression import regression
from ._replicates import plain
from ._replicates import run


@dataclass(frozen=True)
class LogisticDrivers:
    """Drivers of a yes/no outcome, ranked by their standardised log odds ratio.

    Attributes
    ----------
    table : pandas.DataFrame
        One row per driver: ``driver, coef, se, p_value, or, or_low, or_high,
        std_coef, rank`` (rank 1 = largest absolute standardised coefficient).
    model : Regression
        The fitted quasibinomial ``svyglm`` (intercept, covariance, df).
    level : float
        Level of the odds ratios' intervals.
    """

    table: pd.DataFrame
    model: Regression
    level: float

    def to_dict(self) -> dict:
        return {
            "drivers": self.table.to_dict(orient="records"),
            "outcome": self.model.outcome,
            "n": self.model.n,
            "df": self.model.df,
            "level": self.level,
        }


def logistic_drivers(
    design, outcome: str, drivers, positive=None, level: float = 0.95, subset=None
) -> LogisticDrivers:
    """Which aspects drive a yes/no outcome (e.g. satisfied or not): design-based logistic regression.

    Parameters
    ----------
    design : Design
    outcome : str
        The yes/no outcome: a 0/1 column, or a categorical column with
        ``positive`` naming the "yes" category.
    drivers : sequence of str
        Numeric aspect scores (complete cases are used).
    positive : optional
        The outcome category coded 1.
    level : float
        Level of the odds ratios' intervals.
    subset : (str, object), optional
        ``(column, category)``: drivers within one domain (one area of the city, say).

    Returns
    -------
    LogisticDrivers

    Notes
    -----
    Fits :func:`analysis.regression` with ``family="quasibinomial"`` (R's
    ``svyglm(y ~ x1 + ..., family=quasibinomial)``): odds ratios
    :math:`e^{\\hat\\beta_j}` with intervals :math:`e^{\\hat\\beta_j \\pm
    t_{df} se_j}` from the design-based sandwich.  Importance is the
    partially standardised coefficient :math:`\\hat\\beta_j s_{x_j}` (change
    in log odds per standard deviation of the driver; weighted SD of the
    complete cases), ranked by absolute value.  The linear-model version for
    a numeric outcome is :func:`analysis.key_drivers`.

    References
    ----------
    Lumley (2010), ch. 6; Menard, S. (2004). Six approaches to calculating
    standardized logistic regression coefficients. *The American
    Statistician*, 58, 218-223.
    """
    drivers = list(drivers)
    model = run(
        regression,
        design,
        outcome,
        drivers,
        family="quasibinomial",
        positive=positive,
        subset=subset,
    )
    table = model.table(level).iloc[1:].reset_index(drop=True)
    design = plain(design)
    X = np.column_stack([design.numeric(d) for d in drivers])
    ok = ~np.isnan(X).any(axis=1) & (design.weights > 0)
    y_ok = (
        ~np.isnan(design.numeric(outcome))
        if positive is None
        else design.factor(outcome).codes >= 0
    )
    ok &= y_ok
    if subset is not None:
        f = design.factor(subset[0])
        ok &= f.codes == [str(v) for v in f.levels].index(str(subset[1]))
    w = design.weights[ok] / design.weights[ok].sum()
    sd = np.sqrt(w @ (X[ok] - w @ X[ok]) ** 2)
    std = table["coef"].to_numpy() * sd
    order = np.argsort(-np.abs(std))
    rank = np.empty(len(drivers), dtype=int)
    rank[order] = np.arange(1, len(drivers) + 1)
    out = pd.DataFrame(
        {
            "driver": drivers,
            "coef": table["coef"],
            "se": table["se"],
            "p_value": table["p_value"],
            "or": table["or"],
            "or_low": table["or_low"],
            "or_high": table["or_high"],
            "std_coef": std,
            "rank": rank,
        }
    )
    return LogisticDrivers(table=out, model=model, level=level)
