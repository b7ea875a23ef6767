"""Quantiles with Woodruff confidence intervals, as ``svyquantile`` in R's survey package (4.x)."""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats

from ._domains import domain_masks
from ._domains import mask_df
from ._domains import numeric_column
from ._errors import SurveyError
from ._estimators import mean_of_values
from ._intervals import _check_level
from ._intervals import asin_interval
from ._intervals import korn_graubard_interval
from ._intervals import logit_interval
from ._reliability import estimate_flags
from ._replicates import ReplicateDesign
from ._replicates import plain
from ._replicates import run

QUANTILE_INTERVALS = ("mean", "xlogit", "asin", "beta")


@dataclass(frozen=True)
class Quantile:
    """One estimated quantile with its Woodruff interval.

    Attributes
    ----------
    name : str
        The variable.
    probability : float
        The quantile's probability (0.5 for the median).
    estimate : float
    se : float
        ``(high - low) / (2 t_{df})``, as R reports it.
    low, high : float
        Woodruff interval at ``level`` (NaN where the share interval leaves [0, 1]).
    level : float
    df : float
        Degrees of freedom of the design (of the domain's subset with ``by=``).
    n : int
        Respondents used (available cases, positive weight).
    domain : object, optional
    """

    name: str
    probability: float
    estimate: float
    se: float
    low: float
    high: float
    level: float
    df: float
    n: int
    domain: object = None

    @property
    def flags(self) -> tuple[str, ...]:
        """Reasons the quantile falls short of the presentation standards (empty: none).

        The rule of other non-share estimates (:func:`analysis._reliability.estimate_flags`):
        a relative SE above 30% or fewer than 8 degrees of freedom.
        """
        return estimate_flags(self.estimate, self.se, self.df, "quantile")[0]

    @property
    def reliable(self) -> bool:
        """True when the quantile has no reliability flag (fit to cite)."""
        return not self.flags

    def ci(self, level: float | None = None) -> tuple[float, float]:
        """The Woodruff interval computed at ``self.level`` (another level needs a new call)."""
        if level is not None and not math.isclose(level, self.level):
            raise ValueError(f"this quantile's interval was computed at level {self.level}")
        return (self.low, self.high)

    def to_dict(self) -> dict:
        return {
            "name": self.name,
            "kind": "quantile",
            "category": self.probability,
            "probability": self.probability,
            "domain": _plain(self.domain),
            "estimate": self.estimate,
            "se": self.se,
            "ci_low": self.low,
            "ci_high": self.high,
            "ci_level": self.level,
            "df": self.df,
            "n": self.n,
            "flags": list(self.flags),
            "reliable": self.reliable,
        }


@dataclass(frozen=True)
class Quantiles:
    """Quantiles from one call; index by probability or ``(domain, probability)``."""

    name: str
    quantiles: tuple

    def __iter__(self) -> Iterator[Quantile]:
        return iter(self.quantiles)

    def __len__(self) -> int:
        return len(self.quantiles)

    def __getitem__(self, key) -> Quantile:
        for q in self.quantiles:
            if isinstance(key, tuple) and (q.domain, q.probability) == key:
                return q
            if not isinstance(key, tuple) and q.domain is None and q.probability == key:
                return q
        raise KeyError(key)

    def to_frame(self) -> pd.DataFrame:
        return pd.DataFrame([q.to_dict() for q in self.quantiles])


def _plain(value):
    return value.item() if isinstance(value, np.generic) else value


def weighted_quantile(x: np.ndarray, w: np.ndarray, p: float) -> float:
    """R's ``qrule_math``: the smallest ``x`` whose weighted CDF reaches ``p``.

    Notes
    -----
    With the values sorted and cumulative weights :math:`C_k`,
    :math:`\\hat q_p = x_{(k)}` for the smallest :math:`k` with
    :math:`C_k \\ge p\\,C_n` (the inverse of the weighted empirical CDF,
    Hyndman & Fan type 1).  Cumulative sums are accumulated in extended
    precision as R's ``cumsum`` and ``sum`` are, so exact ties with
    :math:`p\\,C_n` resolve as in R.  Below the first value's share
    (:math:`p\\,C_n < C_1`) R's rule returns the second smallest value, and
    so does this function (it matters only for the lower end of a Woodruff
    interval in a small domain).
    """
    return _WeightedCDF(x, w).quantile(p)


class _WeightedCDF:
    """Sorted values and cumulative weights of one domain, for :func:`weighted_quantile`."""

    def __init__(self, x: np.ndarray, w: np.ndarray):
        keep = w != 0
        if not keep.all():
            x, w = x[keep], w[keep]
        self._x = x
        self._order = stable_order(x)
        self.cumw = np.cumsum(w[self._order], dtype=np.longdouble).astype(np.float64)
        self.total = float(np.sum(w.astype(np.longdouble)))

    def quantile(self, p: float) -> float:
        # the last k with C_k <= p C_n (cumulative weights increase: zero weights were dropped)
        pos = max(int(np.searchsorted(self.cumw, p * self.total, side="right")) - 1, 0)
        if p - self.cumw[pos] / self.total != 0:
            pos = min(pos + 1, self.cumw.size - 1)
        return float(self._x[self._order[pos]])


def stable_order(x: np.ndarray) -> np.ndarray:
    """``np.argsort(x, kind="stable")`` of values without NaN, by one sort of int64 keys.

    Each key is the value's bit pattern made an integer in the values' order,
    its low bits replaced by the row's position; sorting the keys (numpy's
    vectorised integer sort) orders the rows by value, ties by position.  Rows
    whose values differ only in the replaced bits are then checked: if any is
    out of order, a stable sort of the (nearly sorted) values finishes the job.
    """
    n = x.size
    bits = max(int(n - 1).bit_length(), 1)
    key = (x + 0.0).view(np.int64)  # + 0.0: -0.0 becomes 0.0 (they are a tie)
    key = key ^ ((key >> 63) & np.int64(0x7FFFFFFFFFFFFFFF))  # negative floats count down
    low = np.int64((1 << bits) - 1)
    key &= ~low
    key |= np.arange(n, dtype=np.int64)
    key.sort()
    order = key & low
    same = np.flatnonzero((key[1:] ^ key[:-1]) <= low)  # neighbours with the same high bits
    if same.size and np.any(x[order[same + 1]] < x[order[same]]):
        order = order[np.argsort(x[order], kind="stable")]
    return order


def quantile(
    design,
    variable: str,
    probs=(0.5,),
    by: str | None = None,
    level: float = 0.95,
    interval: str = "mean",
) -> Quantiles:
    """Weighted quantiles with Woodruff (1952) confidence intervals.

    Parameters
    ----------
    design : Design
    variable : str
        Numeric column; missing values are left out (R's ``na.rm=TRUE``).
    probs : sequence of float
        Probabilities in [0, 1], e.g. ``(0.25, 0.5, 0.75)``.
    by : str, optional
        Domain variable: quantiles within each domain, each with the domain's
        own degrees of freedom (R's ``svyby(..., svyquantile)``).
    level : float
        Confidence level.
    interval : {"mean", "xlogit", "asin", "beta"}
        Interval for the share below the quantile (R's ``interval.type``;
        default ``"mean"``, the default of survey 4.1).

    Returns
    -------
    Quantiles

    Notes
    -----
    On a :class:`ReplicateDesign` the share's SE comes from the replicates and
    the df is the replicate design's (``svyquantile.svyrep.design``).
    Matches ``svyquantile(~x, design, probs, ci=TRUE)`` of R's survey 4.x with
    its defaults ``qrule="math"`` and ``interval.type="mean"``:

    * estimate: :func:`weighted_quantile` (``qrule_math``, the inverse of the
      weighted empirical CDF, no interpolation);
    * interval (Woodruff 1952): estimate the share
      :math:`\\hat F = \\hat P(x \\le \\hat q_p)` with its linearised SE, form
      its interval :math:`[F_L, F_U]` (``"mean"``:
      :math:`\\hat F \\pm t_{df}\\,\\widehat{se}`), and map the ends back
      through the same quantile rule, :math:`[\\hat q_{F_L}, \\hat q_{F_U}]`;
      an end outside [0, 1] gives NaN;
    * SE: :math:`(\\hat q_{F_U} - \\hat q_{F_L})/(2 t_{df})`.

    References
    ----------
    Woodruff, R. S. (1952). Confidence intervals for medians and other
    position measures. *JASA*, 47, 635-646.
    Hyndman, R. J., & Fan, Y. (1996). Sample quantiles in statistical
    packages. *The American Statistician*, 50, 361-365.
    Lumley (2010), sec. 2.4.1.
    """
    if interval not in QUANTILE_INTERVALS:
        raise SurveyError(f"interval must be one of {QUANTILE_INTERVALS}, got {interval!r}")
    alpha = _check_level(level)
    probs = [float(p) for p in np.atleast_1d(probs)]
    if any(not 0 <= p <= 1 for p in probs):
        raise SurveyError(f"quantile probabilities for {variable!r} must lie in [0, 1]")
    base = plain(design)
    x = numeric_column(base, variable)
    w = base.weights
    out = []
    for label, mask in domain_masks(base, by, ~np.isnan(x)):
        df = design.df if isinstance(design, ReplicateDesign) else mask_df(base, mask)
        if not mask.any():
            for p in probs:
                nan = float("nan")
                out.append(Quantile(variable, p, nan, nan, nan, nan, level, df, 0, label))
            continue
        crit = stats.norm.isf(alpha / 2) if not np.isfinite(df) else stats.t.isf(alpha / 2, df)
        cdf = _WeightedCDF(x[mask], w[mask])
        for p in probs:
            q = cdf.quantile(p)
            below = np.where(mask, (x <= q).astype(np.float64), np.nan)
            share = run(mean_of_values, design, below, variable)
            f_low, f_high = _share_interval(
                interval, share.estimate, share.se, df, int(mask.sum()), level, crit
            )
            low = cdf.quantile(f_low) if 0 <= f_low <= 1 else float("nan")
            high = cdf.quantile(f_high) if 0 <= f_high <= 1 else float("nan")
            out.append(
                Quantile(
                    name=variable,
                    probability=p,
                    estimate=q,
                    se=(high - low) / (2 * crit),
                    low=low,
                    high=high,
                    level=level,
                    df=df,
                    n=int(mask.sum()),
                    domain=label,
                )
            )
    return Quantiles(name=variable, quantiles=tuple(out))


def _share_interval(method, p, se, df, n, level, crit):
    if method == "mean":
        return (p - crit * se, p + crit * se)
    if method == "xlogit":
        return logit_interval(p, se, df, n, level)
    if method == "asin":
        return asin_interval(p, se, df, n, level)
    return korn_graubard_interval(p, se, n, df, level)
