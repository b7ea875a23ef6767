"""Design-based quantiles with Woodruff intervals for the results: one call of ``analysis``."""

import numpy as np

import analysis


def quantile(design, column, p, level):
    """``(estimate, se, ci_low, ci_high, n, flags)`` of the ``p`` quantile of a numeric ``column``.

    :func:`analysis.quantile` is R's ``svyquantile`` (``qrule="math"``, Woodruff interval of
    ``interval.type="mean"``); fewer than two answers give no quantile (flagged: no base).
    """
    n = int((~np.isnan(design.numeric(column))).sum())
    if n < 2:
        return np.nan, np.nan, np.nan, np.nan, n, (analysis.NO_BASE,)
    est = next(iter(analysis.quantile(design, column, (p,), level=level)))
    return est.estimate, est.se, est.low, est.high, est.n, est.flags
