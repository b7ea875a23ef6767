"""Design-based quantiles with Woodruff intervals for the results: one call of ``analysis``."""

import numpy as np

import analysis


def quantiles(design, column, probs, level):
    """``(estimate, se, ci_low, ci_high, n)`` of each ``probs`` quantile of a numeric ``column``.

    :func:`analysis.quantile` is R's ``svyquantile`` (``qrule="math"``, Woodruff interval of
    ``interval.type="mean"``), called once for all ``probs`` (one sort of the values); fewer
    than two answers give no quantile.
    """
    n = int((~np.isnan(design.numeric(column))).sum())
    if n < 2:
        return [(np.nan, np.nan, np.nan, np.nan, n) for _ in probs]
    found = analysis.quantile(design, column, tuple(probs), level=level)
    return [(est.estimate, est.se, est.low, est.high, est.n) for est in found]
