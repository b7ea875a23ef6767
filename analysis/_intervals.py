"""Confidence intervals for means, totals and proportions.

Every proportion interval stays inside [0, 1] and is defined at p = 0 and p = 1.
"""

from __future__ import annotations

import math

import numpy as np
from scipy import stats

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


def t_quantile(level: float, df: float) -> float:
    """Two-sided critical value: Student t with ``df`` (normal when df is inf or < 1)."""
    alpha = _check_level(level)
    if df is None or not np.isfinite(df) or df < 1:
        return float(stats.norm.isf(alpha / 2))
    return float(stats.t.isf(alpha / 2, df))


def t_interval(estimate: float, se: float, df: float, level: float = 0.95) -> tuple[float, float]:
    """Wald interval ``estimate +/- t_{df, 1-alpha/2} * se`` (means, totals, differences).

    Notes
    -----
    Uses the design degrees of freedom (PSUs minus strata), as ``confint`` on
    ``svymean`` with ``df=degf(design)`` in R's survey package (Lumley 2010).
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
    alpha = _check_level(level)
    if n <= 0:
        return (0.0, 1.0)
    z = float(stats.norm.isf(alpha / 2))
    denom = 1.0 + z * z / n
    centre = (p + z * z / (2 * n)) / denom
    half = z / denom * math.sqrt(max(p * (1 - p), 0.0) / n + z * z / (4 * n * n))
    low = 0.0 if p <= 0 else max(0.0, centre - half)
    high = 1.0 if p >= 1 else min(1.0, centre + half)
    return (low, high)


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
    alpha = _check_level(level)
    if n <= 0:
        return (0.0, 1.0)
    x = min(max(x, 0.0), n)
    low = 0.0 if x <= 0 else float(stats.beta.ppf(alpha / 2, x, n - x + 1))
    high = 1.0 if x >= n else float(stats.beta.isf(alpha / 2, x + 1, n - x))
    return (low, high)


def korn_graubard_interval(
    p: float, se: float, n: int, df: float, level: float = 0.95
) -> tuple[float, float]:
    """Korn & Graubard (1998) interval: Clopper-Pearson on the effective sample size.

    Notes
    -----
    As ``svyciprop(method="beta")`` in R's survey package:
    :math:`n^* = \\min\\{n, \\hat p(1-\\hat p)/\\hat V \\cdot
    (t_{n-1,\\alpha/2}/t_{df,\\alpha/2})^2\\}`, then
    :math:`[B^{-1}(\\alpha/2; n^*\\hat p, n^*(1-\\hat p)+1),\\;
    B^{-1}(1-\\alpha/2; n^*\\hat p+1, n^*(1-\\hat p))]`.
    With zero variance (p = 0 or 1) :math:`n^* = n`.

    References
    ----------
    Korn, E. L., & Graubard, B. I. (1998). Confidence intervals for proportions
    with small expected number of positive counts estimated from survey data.
    *Survey Methodology*, 24, 193-201.
    """
    alpha = _check_level(level)
    if se > 0 and 0 < p < 1:
        n_eff = p * (1 - p) / se**2
        if df is not None and np.isfinite(df) and df >= 1 and n > 1:
            ratio = (stats.t.isf(alpha / 2, n - 1) / stats.t.isf(alpha / 2, df)) ** 2
            n_eff *= ratio
        n_eff = min(float(n), n_eff)
    else:
        n_eff = float(n)
    return clopper_pearson_interval(n_eff * p, n_eff, level)


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
    if not (0 < p < 1) or not se > 0:
        return clopper_pearson_interval(p * n, n, level)
    q = t_quantile(level, df)
    centre = math.log(p / (1 - p))
    half = q * se / (p * (1 - p))
    return (_expit(centre - half), _expit(centre + half))


def wald_interval(p: float, se: float, df: float, level: float = 0.95) -> tuple[float, float]:
    """Wald interval ``p +/- t_{df} se`` clipped to [0, 1] (only on request)."""
    low, high = t_interval(p, se, df, level)
    return (max(0.0, low), min(1.0, high))


def _expit(x: float) -> float:
    if x >= 0:
        return 1.0 / (1.0 + math.exp(-x))
    e = math.exp(x)
    return e / (1.0 + e)


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
    """Dispatch to one proportion interval.

    ``"wilson"`` and ``"clopper-pearson"`` use the unweighted counts
    (``count`` of ``n``) for an unweighted simple random sample, and the
    effective sample size ``n_eff`` (count ``p * n_eff``) otherwise.

    A share with no base (an empty domain: ``p`` is NaN) has no estimate and
    so no interval: ``(nan, nan)`` for every method, as in
    :func:`analysis._bulk.share_intervals`.
    """
    method = normalize_method(method)
    _check_level(level)
    if not math.isfinite(p):
        return (math.nan, math.nan)
    if method == "logit":
        return logit_interval(p, se, df, n, level)
    if method == "korn-graubard":
        return korn_graubard_interval(p, se, n, df, level)
    if method == "wald":
        return wald_interval(p, se, df, level)
    if method == "likelihood":
        return likelihood_interval(p, se, df, n, level)
    if method == "asin":
        return asin_interval(p, se, df, n, level)
    if unweighted and count is not None:
        x, trials = float(count), float(n)
    else:
        trials = float(n_eff)
        x = p * trials
    if method == "wilson":
        return wilson_interval(x / trials if trials > 0 else p, trials, level)
    return clopper_pearson_interval(x, trials, level)


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
