"""Sample-size planning for a target margin of error on a share."""

from __future__ import annotations

import math

from ._intervals import t_quantile


def sample_size(
    margin: float,
    p: float = 0.5,
    deff: float = 1.0,
    population: float | None = None,
    level: float = 0.95,
) -> int:
    """Respondents needed for a margin of error ``margin`` on a share.

    Parameters
    ----------
    margin : float
        Target half-width of the interval, as a proportion (0.03 = 3 points).
    p : float
        Expected share (0.5 is the conservative choice).
    deff : float
        Expected design effect (weighting, clustering).
    population : float, optional
        Population size for the finite population correction.
    level : float
        Confidence level.

    Returns
    -------
    int
        Respondents needed (rounded up).

    Notes
    -----
    :math:`n_0 = z^2 p(1-p)\\,deff/e^2`; with a population of size :math:`N`,
    :math:`n = n_0/(1 + (n_0-1)/N)` (Cochran 1977, sec. 4.4; Kish 1965, sec. 2.8).

    References
    ----------
    Cochran, W. G. (1977). *Sampling Techniques*, 3rd ed. Wiley.
    Kish, L. (1965). *Survey Sampling*. Wiley.
    """
    if not 0 < margin < 1:
        raise ValueError("margin must be between 0 and 1")
    if not 0 <= p <= 1:
        raise ValueError("p must be between 0 and 1")
    if deff <= 0:
        raise ValueError("deff must be positive")
    z = t_quantile(level, math.inf)  # normal quantile; validates level
    n0 = z * z * max(p * (1 - p), 1e-12) * deff / (margin * margin)
    if population is not None:
        if population <= 0:
            raise ValueError("population must be positive")
        n0 = n0 / (1 + (n0 - 1) / population)
    return int(math.ceil(n0 - 1e-9))


def margin_of_error(
    n: float,
    p: float = 0.5,
    deff: float = 1.0,
    population: float | None = None,
    level: float = 0.95,
) -> float:
    """Margin of error of a share from ``n`` respondents (inverse of :func:`sample_size`).

    Parameters
    ----------
    n : float
        Respondents.
    p, deff, population, level
        As for :func:`sample_size`.

    Returns
    -------
    float
        Half-width of the normal interval.

    Notes
    -----
    :math:`e = z\\sqrt{deff\\,p(1-p)/n \\cdot (N-n)/(N-1)}`, the last factor
    omitted without :math:`N`; exactly inverts :func:`sample_size`.

    References
    ----------
    Cochran (1977), sec. 4.4; Kish (1965).
    """
    if n <= 0:
        raise ValueError("n must be positive")
    z = t_quantile(level, math.inf)  # normal quantile; validates level
    fpc = 1.0 if population is None else max(population - n, 0.0) / max(population - 1, 1.0)
    return float(z * math.sqrt(deff * p * (1 - p) / n * fpc))
