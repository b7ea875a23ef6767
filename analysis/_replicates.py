"""Replicate-weight designs (R's ``svrepdesign`` / ``as.svrepdesign``).

A :class:`ReplicateDesign` holds the full-sample design and a matrix of
replicate weights.  Every estimator runs unchanged: :func:`run` calls it once
with the full-sample weights and once per replicate with that replicate's
weights, and replaces the linearised variance by the replicate variance
(:meth:`ReplicateDesign.variance`).  There is one implementation of each
estimator; the public API wraps them with :func:`replicable`.
"""

from __future__ import annotations

import dataclasses
import functools

import numpy as np
from scipy.linalg import hadamard

from ._data import as_frame
from ._data import numeric
from ._design import Design
from ._errors import DesignError
from ._errors import SurveyError
from ._regression import Regression
from ._results import Estimate
from ._results import EstimateSet

TYPES = ("JK1", "JKn", "bootstrap", "subbootstrap", "BRR", "Fay", "other")


class ReplicateDesign:
    """A design whose variances come from replicate weights.

    Parameters
    ----------
    full : Design
        The full-sample design (its weights are the full-sample weights).
    replicate_weights : ndarray, shape (n, R)
        Analysis weights of each replicate (combined with the sampling
        weights).
    type : str
        One of ``TYPES`` (for the record and the defaults).
    scale : float
    rscales : ndarray, shape (R,)
    mse : bool
        Centre the replicates at the full-sample estimate (True) or at their
        mean (False, R's default ``options(survey.replicates.mse=FALSE)``).

    Notes
    -----
    R's ``svrVar``: :math:`\\hat V = s\\sum_r c_r(\\hat\\theta_r-\\bar\\theta)
    (\\hat\\theta_r-\\bar\\theta)^\\top`, with :math:`\\bar\\theta` the mean of
    the replicates with :math:`c_r > 0` (or :math:`\\hat\\theta` when ``mse``).
    Degrees of freedom: the rank of the replicate weight matrix minus one
    (R's ``degf.svyrep.design``).

    References
    ----------
    Wolter, K. M. (2007). *Introduction to Variance Estimation*, 2nd ed.
    Springer.  Lumley (2010), ch. 2.8.
    """

    def __init__(self, full: Design, replicate_weights, type: str, scale, rscales, mse=False):
        weights = np.asarray(replicate_weights, dtype=np.float64)
        if weights.ndim != 2 or weights.shape[0] != full.n or weights.shape[1] < 2:
            raise DesignError("replicate weights must be a matrix with one row per respondent")
        if not np.all(np.isfinite(weights)) or np.any(weights < 0):
            raise DesignError("replicate weights have missing, infinite or negative values")
        self.full = full
        self.replicate_weights = weights
        self.replicate_weights.setflags(write=False)
        self.type = type
        self.scale = float(scale)
        self.rscales = np.broadcast_to(np.asarray(rscales, dtype=np.float64), (weights.shape[1],))
        self.mse = bool(mse)
        s = np.linalg.svd(weights, compute_uv=False)
        self.df = float(np.sum(s > 1e-5 * s[0]) - 1)

    @property
    def n_replicates(self) -> int:
        return self.replicate_weights.shape[1]

    def replicate(self, r: int) -> Design:
        """The full-sample design carrying replicate ``r``'s weights."""
        return self.full.with_weights(self.replicate_weights[:, r])

    def variance(self, thetas: np.ndarray, estimate: np.ndarray) -> np.ndarray:
        """Replicate covariance of estimates ``thetas`` (R x k) around their centre (R's ``svrVar``)."""
        if self.mse:
            centre = estimate
        else:
            centre = thetas[self.rscales > 0].mean(axis=0)
        dev = (thetas - centre) * np.sqrt(self.rscales)[:, None]
        return self.scale * dev.T @ dev

    def __repr__(self) -> str:
        return f"ReplicateDesign({self.type}, n={self.full.n}, replicates={self.n_replicates})"


def plain(design) -> Design:
    """The full-sample :class:`Design` of a design or replicate design."""
    return design.full if isinstance(design, ReplicateDesign) else design


def run(fn, design, *args, **kwargs):
    """Call estimator ``fn``; on a :class:`ReplicateDesign`, with replicate variances.

    ``fn(design, *args, **kwargs)`` must return an :class:`Estimate`,
    :class:`EstimateSet` or :class:`Regression`; on a replicate design it is
    run with the full-sample weights and with each replicate's weights, and
    the result carries the replicate (co)variance and degrees of freedom.
    """
    if not isinstance(design, ReplicateDesign):
        return fn(design, *args, **kwargs)
    full = fn(design.full, *args, **kwargs)
    reps = [fn(design.replicate(r), *args, **kwargs) for r in range(design.n_replicates)]
    if isinstance(full, Estimate):
        cov = design.variance(np.array([[e.estimate] for e in reps]), np.array([full.estimate]))
        return _updated(full, float(cov[0, 0]), design.df)
    if isinstance(full, EstimateSet):
        estimate = np.array([e.estimate for e in full])
        thetas = np.array([[e.estimate for e in rep] for rep in reps])
        cov = design.variance(thetas, estimate)
        updated = tuple(_updated(e, float(cov[i, i]), design.df) for i, e in enumerate(full))
        return EstimateSet(name=full.name, estimates=updated, covariance=cov)
    if isinstance(full, Regression):
        cov = design.variance(np.array([rep.coef for rep in reps]), full.coef)
        df = design.df + 1 - len(full.coef)
        return dataclasses.replace(full, covariance=cov, df=float(df))
    raise SurveyError(f"{fn.__name__} does not support replicate-weight designs")


def _updated(e: Estimate, v: float, df: float) -> Estimate:
    v = max(v, 0.0)
    if e.kind == "proportion":
        pq = e.estimate * (1 - e.estimate)
        deff = v / (pq / e.n) if (e.n > 0 and pq > 0) else float("nan")
        n_eff = pq / v if v > 0 else float(e.n)
    else:
        vsrs = e.se**2 / e.deff if (np.isfinite(e.deff) and e.deff > 0) else float("nan")
        deff = v / vsrs if vsrs > 0 else float("nan")
        n_eff = e.n / deff if deff > 0 else float(e.n)
    return dataclasses.replace(e, se=float(np.sqrt(v)), df=df, deff=deff, n_eff=n_eff)


def replicable(fn, supported: bool = True):
    """Public form of estimator ``fn``: replicate variances on a :class:`ReplicateDesign`."""

    @functools.wraps(fn)
    def wrapper(design, *args, **kwargs):
        if not isinstance(design, ReplicateDesign):
            return fn(design, *args, **kwargs)
        if not supported:
            raise SurveyError(f"{fn.__name__} does not support replicate-weight designs")
        return run(fn, design, *args, **kwargs)

    return wrapper


def reweighted(fn):
    """Public form of a weighting step (calibrate, rake, poststratify, trim_weights).

    On a :class:`ReplicateDesign` the step is applied to the full-sample
    weights and again to every replicate's weights (R's
    ``calibrate.svyrep.design``, ``postStratify.svyrep.design``), so the
    replicate variance reflects the weighting; the degrees of freedom are
    kept.
    """

    @functools.wraps(fn)
    def wrapper(design, *args, **kwargs):
        if not isinstance(design, ReplicateDesign):
            return fn(design, *args, **kwargs)
        full = fn(design.full, *args, **kwargs)
        weights = np.column_stack(
            [fn(design.replicate(r), *args, **kwargs).weights for r in range(design.n_replicates)]
        )
        new = ReplicateDesign(full, weights, design.type, design.scale, design.rscales, design.mse)
        new.df = design.df
        return new

    return wrapper


# --------------------------------------------------------------------- creation
def as_replicate_design(
    design: Design,
    type: str = "JK1",
    replicates: int = 50,
    rho: float | None = None,
    seed=None,
    mse: bool = False,
) -> ReplicateDesign:
    """Replicate weights from a design (R's ``as.svrepdesign``).

    Parameters
    ----------
    design : Design
        An uncalibrated design with strata and PSUs.
    type : {"JK1", "JKn", "bootstrap", "subbootstrap", "BRR", "Fay"}
        * ``"JK1"``: delete-one-PSU jackknife (unstratified designs),
          factors :math:`n/(n-1)`, scale :math:`(1-f)(n-1)/n`;
        * ``"JKn"``: stratified jackknife, one replicate per PSU, factors
          :math:`n_h/(n_h-1)` in the PSU's stratum, rscale
          :math:`(1-f_h)(n_h-1)/n_h`;
        * ``"bootstrap"``: R's ``bootweights`` (Canty & Davison 1999): per
          stratum :math:`n_h` PSUs drawn with replacement (without
          replacement from the population-size list when there is an fpc),
          factor = times drawn, scale :math:`\\bar n/((\\bar n-1)(R-1))` with
          :math:`\\bar n` the harmonic mean of :math:`n_h`;
        * ``"subbootstrap"``: Rao & Wu (1988) rescaling bootstrap: :math:`n_h-1`
          draws with replacement, factor :math:`\\text{times}\\cdot n_h/(n_h-1)`,
          scale :math:`1/(R-1)` (R's ``subbootweights``);
        * ``"BRR"`` / ``"Fay"``: balanced repeated replication for two PSUs per
          stratum from a Sylvester Hadamard matrix (full orthogonal balance),
          factors :math:`1 \\pm (1-\\rho)`, scale :math:`1/(R(1-\\rho)^2)`; the
          fpc is not used (as in R).
    replicates : int
        Number of bootstrap replicates.
    rho : float, optional
        Fay's coefficient (required for ``"Fay"``).
    seed : optional
        Seed of :func:`numpy.random.default_rng` for the bootstraps.
    mse : bool
        See :class:`ReplicateDesign`.

    Returns
    -------
    ReplicateDesign

    Notes
    -----
    Replicate :math:`r` has weights :math:`w_i a_{r,j(i)}` with the factor
    :math:`a_{rj}` of the respondent's PSU :math:`j` (formulas above, R's
    ``jk1weights``, ``jknweights``, ``bootweights``, ``subbootweights`` and
    ``brrweights``); variances as :meth:`ReplicateDesign.variance`.

    References
    ----------
    Rao, J. N. K., & Wu, C. F. J. (1988). Resampling inference with complex
    survey data. *JASA*, 83, 231-241.  Canty, A. J., & Davison, A. C. (1999).
    Resampling-based variance estimation for labour force surveys. *The
    Statistician*, 48, 379-391.  McCarthy, P. J. (1969). Pseudo-replication:
    half samples. *Review of the ISI*, 37, 239-264.  Judkins, D. R. (1990).
    Fay's method for variance estimation. *JOS*, 6, 223-239.
    """
    if type not in TYPES[:-1]:
        raise DesignError(f"type must be one of {TYPES[:-1]}, got {type!r}")
    if design.is_calibrated:
        raise DesignError("create replicate weights from the design before calibrating it")
    builders = {
        "JK1": _jk1,
        "JKn": _jkn,
        "bootstrap": _bootstrap,
        "subbootstrap": _subbootstrap,
        "BRR": _brr,
        "Fay": _brr,
    }
    if type == "Fay" and rho is None:
        raise DesignError("type='Fay' needs rho (e.g. 0.5)")
    rho = 0.0 if type == "BRR" else rho
    factors, scale, rscales = builders[type](design, replicates, rho, np.random.default_rng(seed))
    weights = factors[design.psu] * design.weights[:, None]
    return ReplicateDesign(design, weights, type, scale, rscales, mse)


def _strata_psus(design):
    starts = design._stratum_starts
    for h in range(design.n_strata):
        n_h = int(design.psus_per_stratum[h])
        yield h, np.arange(starts[h], starts[h] + n_h), float(design.sampling_fraction[h])


def _jk1(design, replicates, rho, rng):
    if design.n_strata > 1:
        raise DesignError("JK1 is for unstratified designs; use JKn")
    n = design.n_psu
    factors = np.full((n, n), n / (n - 1))
    np.fill_diagonal(factors, 0.0)
    return factors, (1 - design.sampling_fraction[0]) * (n - 1) / n, 1.0


def _jkn(design, replicates, rho, rng):
    columns, rscales = [], []
    n_strata = design.n_strata
    for h, psus, f in _strata_psus(design):
        n_h = psus.size
        if n_h == 1 and f < 1:
            if design.lonely_psu != "adjust":
                continue
            col = np.where(design.psu_stratum == h, 0.0, n_strata / (n_strata - 1))
            columns.append(col)
            rscales.append((n_strata - 1) / n_strata)
            continue
        if f >= 1:
            continue
        for j in psus:
            col = np.ones(design.n_psu)
            col[psus] = n_h / (n_h - 1)
            col[j] = 0.0
            columns.append(col)
            rscales.append((1 - f) * (n_h - 1) / n_h)
    if not columns:
        raise DesignError("every stratum was sampled exhaustively: there is nothing to replicate")
    scale = 1.0
    if design.lonely_psu == "average" and len(columns) < design.n_psu:
        scale = design.n_psu / len(columns)
    return np.column_stack(columns), scale, np.array(rscales)


def _bootstrap(design, replicates, rho, rng):
    factors = np.zeros((design.n_psu, replicates))
    for _, psus, f in _strata_psus(design):
        n_h = psus.size
        for r in range(replicates):
            if design.has_fpc and f > 0:
                population = np.resize(rng.permutation(psus), int(round(n_h / f)))
                drawn = rng.choice(population, size=n_h, replace=False)
            else:
                drawn = rng.choice(psus, size=n_h, replace=True)
            factors[:, r] += np.bincount(drawn, minlength=design.n_psu)
    n_bar = 1.0 / np.mean(1.0 / design.psus_per_stratum)
    return factors, n_bar / ((n_bar - 1) * (replicates - 1)), 1.0


def _subbootstrap(design, replicates, rho, rng):
    factors = np.zeros((design.n_psu, replicates))
    for _, psus, _ in _strata_psus(design):
        n_h = psus.size
        if n_h < 2:
            raise DesignError("the subbootstrap needs two or more PSUs in every stratum")
        for r in range(replicates):
            drawn = rng.choice(psus, size=n_h - 1, replace=True)
            factors[:, r] += np.bincount(drawn, minlength=design.n_psu) * n_h / (n_h - 1)
    return factors, 1.0 / (replicates - 1), 1.0


def _brr(design, replicates, rho, rng):
    if np.any(design.psus_per_stratum != 2):
        raise DesignError("BRR and Fay need exactly two PSUs in every stratum")
    H = design.n_strata
    size = 4
    while size < H + 1:
        size *= 2
    signs = hadamard(size)[1 : H + 1]  # (H, R): row 0 (all ones) left out
    factors = np.empty((design.n_psu, size))
    for h, psus, _ in _strata_psus(design):
        factors[psus[0]] = 1 + signs[h] * (1 - rho)
        factors[psus[1]] = 1 - signs[h] * (1 - rho)
    return factors, 1.0 / (size * (1 - rho) ** 2), 1.0


def replicate_design(
    data,
    weights: str | None,
    replicate_weights,
    type: str,
    scale: float | None = None,
    rscales=None,
    rho: float | None = None,
    combined: bool = True,
    mse: bool = False,
) -> ReplicateDesign:
    """A design from supplied replicate weights (R's ``svrepdesign``).

    Parameters
    ----------
    data : DataFrame or mapping
    weights : str or None
        Full-sample weight column.
    replicate_weights : sequence of str or ndarray (n, R)
        Replicate weight columns (or the matrix).
    type : {"BRR", "Fay", "JK1", "JKn", "bootstrap", "other"}
    scale, rscales : optional
        R's defaults: BRR ``1/R``; Fay ``1/(R(1-rho)^2)``; bootstrap
        ``1/(R-1)``; JK1 ``(R-1)/R``; JKn and "other" need ``rscales`` /
        ``scale`` (default 1).
    rho : float, optional
        Fay's coefficient (required for ``"Fay"``).
    combined : bool
        True when the replicate weights already include the sampling weights
        (R's ``combined.weights=TRUE``); False when they are factors.
    mse : bool

    Returns
    -------
    ReplicateDesign

    Notes
    -----
    Each replicate's estimate is the estimator re-run with that replicate's
    weights; :math:`\\hat V = s\\sum_r c_r(\\hat\\theta_r-\\bar\\theta)^2`
    (:meth:`ReplicateDesign.variance`), df = rank of the replicate weights
    minus one.

    References
    ----------
    Lumley (2010), sec. 2.8; Wolter, K. M. (2007). *Introduction to Variance
    Estimation*, 2nd ed. Springer.
    """
    frame = as_frame(data)
    if type not in TYPES or type == "subbootstrap":
        raise DesignError(f"type must be one of BRR, Fay, JK1, JKn, bootstrap, other; got {type!r}")
    if isinstance(replicate_weights, np.ndarray):
        matrix = replicate_weights.astype(np.float64)
    else:
        matrix = np.column_stack([numeric(frame, c) for c in replicate_weights])
        bad = [c for c, col in zip(replicate_weights, matrix.T) if not np.all(np.isfinite(col))]
        if bad:
            raise DesignError(f"replicate weight columns {bad} have missing values")
    full = Design(frame, weights=weights)
    if not combined:
        matrix = matrix * full.weights[:, None]
    R = matrix.shape[1]
    if type == "Fay" and rho is None:
        raise DesignError("type='Fay' needs rho")
    if type == "BRR":
        scale = 1.0 / R
    elif type == "Fay":
        scale = 1.0 / (R * (1 - rho) ** 2)
    elif type == "bootstrap" and scale is None:
        scale = 1.0 / (R - 1)
    elif type == "JK1" and scale is None:
        scale = (R - 1) / R
    elif type == "JKn" and rscales is None:
        raise DesignError("type='JKn' needs rscales ((n_h - 1)/n_h of each replicate's stratum)")
    return ReplicateDesign(
        full,
        matrix,
        type,
        1.0 if scale is None else scale,
        1.0 if rscales is None else rscales,
        mse,
    )
