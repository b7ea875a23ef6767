"""Replicate-weight designs (R's ``svrepdesign`` / ``as.svrepdesign``).

A :class:`ReplicateDesign` holds the full-sample design and a matrix of
replicate weights.  Every estimator runs unchanged: :func:`run` calls it once
with the full-sample weights and once per replicate with that replicate's
weights (an estimator linear in the weights, once with every replicate's
weights as a :class:`~analysis._weight_block.WeightBlock`), and replaces the
linearised variance by the replicate variance
(:meth:`ReplicateDesign.variance`).  There is one implementation of each
estimator; the public API wraps them with :func:`replicable`.
"""

from __future__ import annotations

import dataclasses
import functools

import numpy as np

from ._design import Design
from ._errors import DesignError
from ._errors import SurveyError
from ._regression import Regression
from ._results import Estimate
from ._results import EstimateSet
from ._weight_block import WeightBlock

TYPES = ("JK1", "JKn", "bootstrap", "subbootstrap", "BRR", "Fay", "other")


class ReplicateDesign:
    """A design whose variances come from replicate weights.

    Parameters
    ----------
    full : Design
        The full-sample design (its weights are the full-sample weights).
    replicate_weights : ndarray, shape (n, R) or (m, R)
        Analysis weights of each replicate (combined with the sampling
        weights); with ``index``, one row of weight *factors* per PSU.
    index : ndarray of int, optional
        The row of ``replicate_weights`` of each respondent (its PSU); then
        replicate weights are factor x full-sample weight, and the n x R
        matrix is never stored (R's ``repweights_compressed``).
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

    def __init__(
        self, full: Design, replicate_weights, type: str, scale, rscales, mse=False, index=None
    ):
        factors = np.asarray(replicate_weights, dtype=np.float64)
        rows = full.n if index is None else int(np.max(index)) + 1
        if factors.ndim != 2 or factors.shape[0] != rows or factors.shape[1] < 2:
            raise DesignError("replicate weights must be a matrix with one row per respondent")
        if not np.all(np.isfinite(factors)) or np.any(factors < 0):
            raise DesignError("replicate weights have missing, infinite or negative values")
        self.full = full
        # Compressed like R's repweights_compressed: with ``index`` (the PSU of each row) the
        # matrix holds one row of factors per PSU, multiplied by the full-sample weights.
        self._factors = factors
        self._factors.setflags(write=False)
        self._index = index
        self.type = type
        self.scale = float(scale)
        self.rscales = np.broadcast_to(np.asarray(rscales, dtype=np.float64), (factors.shape[1],))
        self.mse = bool(mse)
        used = factors if index is None else factors[np.unique(index[full.weights > 0])]
        s = np.linalg.svd(used, compute_uv=False)
        self.df = float(np.sum(s > 1e-5 * s[0]) - 1)

    @functools.cached_property
    def _factors_by_replicate(self) -> np.ndarray:
        """The factors with one contiguous row per replicate."""
        return np.ascontiguousarray(self._factors.T)

    @property
    def n_replicates(self) -> int:
        return self._factors.shape[1]

    @property
    def replicate_weights(self) -> np.ndarray:
        """Analysis weights of every replicate, shape (n, R) (materialised on request)."""
        if self._index is None:
            return self._factors
        return self._factors[self._index] * self.full.weights[:, None]

    def replicate(self, r: int) -> Design:
        """The full-sample design carrying replicate ``r``'s weights (estimates only)."""
        if self._index is None:
            weights = self._factors[:, r]
        else:  # the PSUs' factors are a short contiguous row: gather, then scale in place
            weights = self._factors_by_replicate[r][self._index]
            weights *= self.full.weights
        design = self.full.with_weights(weights)
        design.estimate_only = True  # analysis._variance skips the linearised variance
        return design

    def weight_block(self) -> Design:
        """The full-sample design carrying every replicate's weights (a :class:`WeightBlock`).

        For estimators marked :func:`~analysis._weight_block.takes_weight_block`: one call
        gives every replicate's estimates.
        """
        if self._index is None:
            block = WeightBlock(None, self._factors)
        else:
            block = WeightBlock(self.full.weights, self._factors, self._index)
        design = self.full.with_weights(self.full.weights)
        design.weights = block
        design.estimate_only = True
        return design

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
    if getattr(fn, "takes_weight_block", False):  # every replicate's estimates from one call
        thetas = np.asarray(fn(design.weight_block(), *args, **kwargs)).T
        reps = None
    else:
        reps = [fn(design.replicate(r), *args, **kwargs) for r in range(design.n_replicates)]
    if isinstance(full, Estimate):
        if reps is not None:
            thetas = np.array([[e.estimate] for e in reps])
        cov = design.variance(thetas, np.array([full.estimate]))
        return _updated(full, float(cov[0, 0]), design.df)
    if isinstance(full, EstimateSet):
        estimate = np.array([e.estimate for e in full])
        if reps is not None:
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
