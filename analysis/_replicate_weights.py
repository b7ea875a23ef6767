"""Creating replicate weights: from a design (``as.svrepdesign``) or supplied (``svrepdesign``)."""

from __future__ import annotations

import numpy as np
from scipy.linalg import hadamard

from ._data import as_frame
from ._data import numeric
from ._design import Design
from ._errors import DesignError
from ._replicates import TYPES
from ._replicates import ReplicateDesign


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
    return ReplicateDesign(design, factors, type, scale, rscales, mse, index=design.psu)


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
