"""Design-based quantiles with Woodruff intervals: the ONE place quantiles are computed.

When the analysis library offers ``analysis.quantile`` it is used; until then a minimal
Woodruff (1952) interval is built from public ``analysis`` calls: the quantile of the weighted
distribution function (R's ``qrule="math"``: the smallest value whose cumulative share reaches
p), the linearised SE of the share at or below it (``analysis.mean`` of the indicator under the
same, possibly calibrated, weights), and the interval of that share mapped back through the
distribution function, as ``svyquantile(..., interval.type="mean")`` does.
"""

import numpy as np
import pandas as pd
from scipy import stats

import analysis


def quantile(design, column, p, level):
    """``(estimate, se, ci_low, ci_high, n)`` of the ``p`` quantile of a numeric ``column``."""
    library = getattr(analysis, "quantile", None)
    if library is not None:  # pragma: no cover - used once the library has it
        est = library(design, column, p)
        low, high = est.ci(level)
        return est.estimate, est.se, low, high, est.n
    y = design.numeric(column)
    ok = ~np.isnan(y)
    n = int(ok.sum())
    if n < 2:
        return np.nan, np.nan, np.nan, np.nan, n
    w = np.asarray(design.weights)[ok]
    values = y[ok]
    order = np.argsort(values, kind="stable")
    values, cum = values[order], np.cumsum(w[order]) / w.sum()

    def inverse(share):
        share = min(max(share, 0.0), 1.0)
        i = int(np.searchsorted(cum, share - 1e-12, side="left"))
        return float(values[min(i, len(values) - 1)])

    estimate = inverse(p)
    indicator = np.where(np.isnan(y), np.nan, (y <= estimate).astype(float))
    frame = pd.DataFrame({"_at_or_below": indicator})
    probe = analysis.Design(frame).with_weights(
        design.weights, calibration=design.calibration, report=design.weighting_report
    )
    share = analysis.mean(probe, "_at_or_below")
    t = stats.t.ppf(0.5 + level / 2, share.df) if share.df > 0 else stats.norm.ppf(0.5 + level / 2)
    low, high = inverse(p - t * share.se), inverse(p + t * share.se)
    se = (high - low) / (2 * t) if t > 0 else np.nan
    return estimate, se, low, high, n
