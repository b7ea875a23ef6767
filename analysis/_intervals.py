"""Confidence intervals for means, totals and proportions.

Every proportion interval stays inside [0, 1] and is defined at p = 0 and p = 1.
"""

from __future__ import annotations

import math

import numpy as np
from scipy import special

PROPORTION_METHODS = (
    "logit",
    "korn-graubard",
    "wilson",
    "clopper-pearson",
    "wald",
    "likelihood",
    "asin",
)
_ALIASES = {
    "beta": "korn-graubard",
    "kg": "korn-graubard",
    "exact": "clopper-pearson",
    "cp": "clopper-pearson",
    "mean": "wald",
}


def _check_level(level: float) -> float:
    if not 0 < level < 1:
        raise ValueError(f"level must be in (0, 1), got {level!r}")
    return 1.0 - level


#: An SE at most this fraction of the estimate's scale (1 for a share) is round-off of a
#: zero variance (e.g. two sampled clusters with the same count give an SE of ~1e-17).
ZERO_SE = 1e-10


def negligible(se, scale=1.0):
    """True where ``se`` is round-off of an exactly zero variance (relative to ``scale``)."""
    return np.asarray(se, dtype=np.float64) <= ZERO_SE * np.abs(np.asarray(scale, dtype=np.float64))


def t_quantile(level: float, df):
    """Two-sided critical value: Student t with ``df`` (normal when df is inf, None or < 1).

    ``df`` may be an array (one value per estimate); the result then is an array.
    """
    alpha = _check_level(level)
    normal = -special.ndtri(alpha / 2)
    if df is None:
        return float(normal)
    d = np.asarray(df, dtype=np.float64)
    valid = np.isfinite(d) & (d >= 1)
    q = np.where(valid, -special.stdtrit(np.where(valid, d, 1.0), alpha / 2), normal)
    return float(q) if q.ndim == 0 else q


def t_interval(estimate: float, se: float, df: float, level: float = 0.95) -> tuple[float, float]:
    """Wald interval ``estimate +/- t_{df, 1-alpha/2} * se`` (means, totals, differences).

    Notes
    -----
    Uses the design degrees of freedom (PSUs minus strata; a domain's own
    PSUs minus strata for domain estimates), as ``confint`` on ``svymean``
    with ``df=degf(design)`` in R's survey package (Lumley 2010).
    """
    q = t_quantile(level, df)
    return (estimate - q * se, estimate + q * se)


def wilson_interval(p: float, n: float, level: float = 0.95) -> tuple[float, float]:
    """Wilson (1927) score interval for a proportion ``p`` observed on ``n`` trials.

    Notes
    -----
    .. math::

        \\frac{\\hat p + z^2/(2n)}{1 + z^2/n} \\pm
        \\frac{z}{1 + z^2/n}\\sqrt{\\frac{\\hat p(1-\\hat p)}{n} + \\frac{z^2}{4n^2}}

    References
    ----------
    Wilson, E. B. (1927). Probable inference, the law of succession, and
    statistical inference. *JASA*, 22, 209-212.
    """
    low, high = _wilson(np.array([p], dtype=np.float64), np.array([n], dtype=np.float64), level)
    return (float(low[0]), float(high[0]))


def clopper_pearson_interval(x: float, n: float, level: float = 0.95) -> tuple[float, float]:
    """Clopper & Pearson (1934) exact (beta) interval for ``x`` successes in ``n`` trials.

    Notes
    -----
    Lower bound :math:`B^{-1}(\\alpha/2; x, n-x+1)`, upper bound
    :math:`B^{-1}(1-\\alpha/2; x+1, n-x)`; 0 when ``x = 0`` and 1 when ``x = n``.
    ``x`` and ``n`` may be non-integer (effective counts).

    References
    ----------
    Clopper, C. J., & Pearson, E. S. (1934). The use of confidence or fiducial
    limits illustrated in the case of the binomial. *Biometrika*, 26, 404-413.
    """
    low, high = _cp(np.array([x], dtype=np.float64), np.array([n], dtype=np.float64), level)
    return (float(low[0]), float(high[0]))


def korn_graubard_interval(
    p: float, se: float, n: int, df: float, level: float = 0.95
) -> tuple[float, float]:
    """Korn & Graubard (1998) interval: Clopper-Pearson on the df-adjusted effective sample size.

    Notes
    -----
    As ``svyciprop(method="beta")`` in R's survey package:
    :math:`n^* = \\hat p(1-\\hat p)/\\hat V \\cdot
    (t_{n-1,\\alpha/2}/t_{df,\\alpha/2})^2` (not capped at ``n``), then
    :math:`[B^{-1}(\\alpha/2; n^*\\hat p, n^*(1-\\hat p)+1),\\;
    B^{-1}(1-\\alpha/2; n^*\\hat p+1, n^*(1-\\hat p))]`.
    With zero variance (p = 0 or 1) Clopper-Pearson on ``n``.

    References
    ----------
    Korn, E. L., & Graubard, B. I. (1998). Confidence intervals for proportions
    with small expected number of positive counts estimated from survey data.
    *Survey Methodology*, 24, 193-201.
    """
    return _scalar(p, se, df, n, None, False, level, "korn-graubard")


def logit_interval(
    p: float, se: float, df: float, n: float, level: float = 0.95
) -> tuple[float, float]:
    """Logit-transformed Wald interval (``svyciprop(method="logit")`` in R).

    Notes
    -----
    :math:`\\operatorname{expit}\\{\\operatorname{logit}\\hat p \\pm
    t_{df}\\, \\widehat{se}/(\\hat p(1-\\hat p))\\}` (delta method on the log
    odds).  At p = 0 or 1, or with zero variance, the logit is undefined and the
    Clopper-Pearson interval on ``n`` is returned instead.

    References
    ----------
    Lumley (2010), sec. 2.4; Korn & Graubard (1998).
    """
    return _scalar(p, se, df, n, None, False, level, "logit")


def wald_interval(p: float, se: float, df: float, level: float = 0.95) -> tuple[float, float]:
    """Wald interval ``p +/- t_{df} se`` clipped to [0, 1] (only on request)."""
    low, high = t_interval(p, se, df, level)
    return (max(0.0, low), min(1.0, high))


def normalize_method(method: str) -> str:
    method = _ALIASES.get(method, method)
    if method not in PROPORTION_METHODS:
        raise ValueError(f"unknown interval method {method!r}; choose from {PROPORTION_METHODS}")
    return method


def proportion_interval(
    p: float,
    se: float,
    df: float,
    n: int,
    n_eff: float,
    count: int | None,
    unweighted: bool,
    level: float = 0.95,
    method: str = "logit",
) -> tuple[float, float]:
    """One share's interval (see :func:`share_intervals`, of which it is the scalar case)."""
    return _scalar(p, se, df, n, count, unweighted, level, method)


def _scalar(p, se, df, n, count, unweighted, level, method):
    low, high = share_intervals(
        np.array([p], dtype=np.float64),
        np.array([se], dtype=np.float64),
        df,
        n,
        None,
        None if count is None else np.array([count], dtype=np.float64),
        unweighted and count is not None,
        level,
        method,
    )
    return (float(low[0]), float(high[0]))


def effective_n(p, se, n, df, level: float = 0.95):
    """Korn & Graubard's df-adjusted effective sample size (``svyciprop(method="beta")``).

    :math:`n^* = \\hat p(1-\\hat p)/\\hat V\\,(t_{n-1,\\alpha/2}/t_{df,\\alpha/2})^2`;
    ``n`` where the variance is zero (the Clopper-Pearson fallback).
    """
    alpha = _check_level(level)
    p = np.asarray(p, dtype=np.float64)
    se = np.asarray(se, dtype=np.float64)
    n = np.asarray(n, dtype=np.float64) * np.ones_like(p)
    inner = (p > 0) & (p < 1) & ~negligible(se)
    with np.errstate(divide="ignore", invalid="ignore"):
        ne = np.where(inner, p * (1 - p) / np.where(inner, se, 1.0) ** 2, n)
    d = np.asarray(np.inf if df is None else df, dtype=np.float64) * np.ones_like(p)
    use = inner & np.isfinite(d) & (d >= 1) & (n > 1)
    top = -special.stdtrit(np.where(use, n - 1, 1.0), alpha / 2)
    ratio = np.where(use, (top / t_quantile(level, np.where(use, d, 1.0))) ** 2, 1.0)
    return ne * ratio


def share_intervals(
    p, se, df, n, n_eff=None, count=None, unweighted=False, level=0.95, method="logit"
):
    """Intervals of many shares at once (one formula for :meth:`Estimate.ci` and tables).

    Parameters
    ----------
    p, se : array-like
        Shares and their linearised standard errors.
    df : float or array-like
        Degrees of freedom (design df, or each domain's own df).
    n : int or array-like
        Unweighted base of each share.
    n_eff : array-like, optional
        Not used (kept for callers): the effective sample size is recomputed as
        Korn & Graubard's df-adjusted :func:`effective_n`.
    count : array-like, optional
        Unweighted respondents in the category (raw counts of an unweighted
        simple random sample).
    unweighted : bool
        The design is an unweighted simple random sample: ``"wilson"`` and
        ``"clopper-pearson"`` use the raw counts ``count`` of ``n``.
    level : float
    method : {"logit", "korn-graubard", "wilson", "clopper-pearson", "wald", "likelihood", "asin"}

    Returns
    -------
    (low, high) : arrays

    Notes
    -----
    * ``logit``: :math:`\\operatorname{expit}(\\operatorname{logit}\\hat p \\pm
      t_{df}\\,se/(\\hat p(1-\\hat p)))` (``svyciprop(method="logit")``).
    * ``korn-graubard``: Clopper-Pearson on :func:`effective_n`
      (``svyciprop(method="beta")``).
    * ``clopper-pearson``: exact interval on the raw counts of an unweighted
      simple random sample; on a weighted or complex design the effective
      counts need the same df adjustment, and Clopper-Pearson on the
      df-adjusted effective sample size *is* Korn & Graubard's interval, so
      the two coincide there.
    * ``wilson``: Wilson's score interval with the normal quantile on the raw
      counts (unweighted SRS) or on the df-adjusted effective sample size
      :func:`effective_n` (Korn & Graubard 1998; Dean & Pagano 2015), so that
      small-df designs get wider intervals as with the t quantile.  R's
      ``svyciprop`` has no Wilson interval.
    * ``wald``: :math:`\\hat p \\pm t_{df}\\,se`, clipped to [0, 1].

    A zero variance (p = 0 or 1, or a domain whose sampled clusters all give
    the same share; an SE below ``ZERO_SE`` counts as zero) makes every method
    fall back to Clopper-Pearson on ``n``.  An empty base (``p`` is NaN) gives
    ``(nan, nan)``.

    References
    ----------
    Korn & Graubard (1998); Wilson (1927); Clopper & Pearson (1934);
    Dean, N., & Pagano, M. (2015). Evaluating confidence interval methods for
    binomial proportions in clustered surveys. *J. Survey Statistics and
    Methodology*, 3, 484-503.
    """
    method = normalize_method(method)
    p = np.asarray(p, dtype=np.float64)
    se = np.asarray(se, dtype=np.float64) * np.ones_like(p)
    n = np.asarray(n, dtype=np.float64) * np.ones_like(p)
    empty = np.isnan(p)
    p0 = np.where(empty, 0.5, p)
    zero = negligible(se) | (p0 <= 0) | (p0 >= 1)
    fb_low, fb_high = _cp(p0 * n, n, level)
    if unweighted and method in ("wilson", "clopper-pearson"):
        x = np.asarray(count, dtype=np.float64) * np.ones_like(p)
        if method == "wilson":
            low, high = _wilson(np.where(n > 0, x / np.where(n > 0, n, 1), p0), n, level)
        else:
            low, high = _cp(x, n, level)
        zero = np.zeros_like(zero)
    elif method == "logit":
        q = t_quantile(level, df)
        ps = np.where(zero, 0.5, p0)
        centre = np.log(ps / (1 - ps))
        half = q * np.where(zero, 0.0, se) / (ps * (1 - ps))
        low, high = _expit(centre - half), _expit(centre + half)
    elif method == "wald":
        q = t_quantile(level, df)
        low, high = np.clip(p0 - q * se, 0, 1), np.clip(p0 + q * se, 0, 1)
    elif method in ("asin", "likelihood"):
        low, high = _transformed(method, p0, se, df, n, zero, level)
    else:
        ne = effective_n(p0, se, n, df, level)
        if method == "wilson":
            low, high = _wilson(p0, ne, level)
        else:
            low, high = _cp(ne * p0, ne, level)
    low = np.where(zero, fb_low, low)
    high = np.where(zero, fb_high, high)
    return np.where(empty, np.nan, low), np.where(empty, np.nan, high)


def _transformed(method, p, se, df, n, zero, level):
    """The asin or likelihood interval of every cell (each a root-finding or scalar formula)."""
    one = asin_interval if method == "asin" else likelihood_interval
    d = np.broadcast_to(np.asarray(np.inf if df is None else df, dtype=np.float64), p.shape)
    low, high = np.zeros(p.shape), np.ones(p.shape)
    for i in np.ndindex(p.shape):
        if not zero[i]:
            low[i], high[i] = one(float(p[i]), float(se[i]), float(d[i]), float(n[i]), level)
    return low, high


def _expit(x):
    return 0.5 * (1.0 + np.tanh(0.5 * np.asarray(x, dtype=np.float64)))


def _wilson(p, n, level):
    z = t_quantile(level, None)
    with np.errstate(divide="ignore", invalid="ignore"):
        denom = 1 + z * z / n
        centre = (p + z * z / (2 * n)) / denom
        half = z / denom * np.sqrt(np.maximum(p * (1 - p), 0) / n + z * z / (4 * n**2))
    low = np.where(p <= 0, 0.0, np.clip(centre - half, 0, 1))
    high = np.where(p >= 1, 1.0, np.clip(centre + half, 0, 1))
    none = ~(n > 0)
    return np.where(none, 0.0, low), np.where(none, 1.0, high)


def _cp(x, n, level):
    alpha = _check_level(level)
    n = np.asarray(n, dtype=np.float64)
    x = np.minimum(np.clip(np.asarray(x, dtype=np.float64), 0, None), n)
    with np.errstate(divide="ignore", invalid="ignore"):
        # scipy.special's inverse regularised incomplete beta: stats.beta.ppf / .isf
        # without the distribution machinery (one ufunc call)
        low = np.where(x > 0, special.betaincinv(np.maximum(x, 1e-300), n - x + 1, alpha / 2), 0.0)
        high = np.where(
            x < n, special.betainccinv(x + 1, np.maximum(n - x, 1e-300), alpha / 2), 1.0
        )
    none = ~(n > 0)
    low = np.where(none, 0.0, np.nan_to_num(low, nan=0.0))
    high = np.where(none, 1.0, np.nan_to_num(high, nan=1.0))
    return low, high


# ---------------------------------------------------------------------------
# Likelihood and arcsine intervals (svyciprop methods "likelihood" and "asin").


def asin_interval(
    p: float, se: float, df: float, n: float, level: float = 0.95
) -> tuple[float, float]:
    """Arcsine-square-root interval (``svyciprop(method="asin")`` in R).

    Notes
    -----
    :math:`\\sin^2\\{\\arcsin\\sqrt{\\hat p} \\pm t_{df}\\,
    \\widehat{se}/(2\\sqrt{\\hat p(1-\\hat p)})\\}` (delta method on the
    variance-stabilising transform).  The ends are clipped to
    :math:`[0, \\pi/2]` before squaring so that the interval stays ordered
    inside [0, 1] (R squares unclipped ends; the two agree whenever R's
    interval is ordered).  At p = 0 or 1, or with zero variance, the
    Clopper-Pearson interval on ``n`` is returned, as for the logit interval.

    References
    ----------
    Lumley (2010), sec. 2.4; Anscombe, F. J. (1948). The transformation of
    Poisson, binomial and negative-binomial data. *Biometrika*, 35, 246-254.
    """
    if not (0 < p < 1) or not se > 0:
        return clopper_pearson_interval(p * n, n, level)
    q = t_quantile(level, df)
    centre = math.asin(math.sqrt(p))
    half = q * se / (2.0 * math.sqrt(p * (1.0 - p)))
    low = max(centre - half, 0.0)
    high = min(centre + half, math.pi / 2)
    return (math.sin(low) ** 2, math.sin(high) ** 2)


def likelihood_interval(
    p: float, se: float, df: float, n: float, level: float = 0.95
) -> tuple[float, float]:
    """Design-scaled profile-likelihood interval (``svyciprop(method="likelihood")``).

    Notes
    -----
    R fits the intercept-only quasibinomial ``svyglm`` (weights rescaled to
    mean 1) and inverts its profile deviance, scaled by the Pearson
    dispersion :math:`n/(n-1)` and compared with :math:`t_{df}^2\\lambda`,
    where :math:`\\lambda = n\\hat V/\\{\\hat p(1-\\hat p)\\}` is the
    design effect of the log odds (Rao & Scott 1984).  The ends are the two
    roots :math:`\\mu` of

    .. math::

        2(n-1)\\Big\\{\\hat p\\log\\frac{\\hat p}{\\mu}
        + (1-\\hat p)\\log\\frac{1-\\hat p}{1-\\mu}\\Big\\}
        = t_{df}^2\\,\\lambda,

    found exactly here; R interpolates a spline through ten profile points,
    which moves its printed ends by about 1e-5.  At p = 0 or 1 (zero
    variance) the Clopper-Pearson interval on ``n`` is returned, as for the
    logit interval.

    References
    ----------
    Lumley (2010), sec. 2.4; Rao, J. N. K., & Scott, A. J. (1984), *Annals of
    Statistics* 12, 46-60; Venables & Ripley (2002), *MASS*, sec. 8.4.
    """
    from scipy import optimize

    if not (0 < p < 1) or not se > 0 or n <= 1:
        return clopper_pearson_interval(p * n, n, level)
    q = t_quantile(level, df)
    target = q * q * n * se * se / (p * (1.0 - p))

    def excess(mu: float) -> float:
        kl = p * math.log(p / mu) + (1.0 - p) * math.log((1.0 - p) / (1.0 - mu))
        return 2.0 * (n - 1.0) * kl - target

    tiny = 1e-300
    low = 0.0 if excess(tiny) <= 0 else optimize.brentq(excess, tiny, p, xtol=1e-15, rtol=1e-15)
    top = 1.0 - 1e-16
    high = 1.0 if excess(top) <= 0 else optimize.brentq(excess, p, top, xtol=1e-15, rtol=1e-15)
    return (low, high)
