"""The survey design object: weights, strata, PSUs, finite population correction.

A :class:`Design` is built once and then passed to the estimators
(:func:`analysis.mean`, :func:`analysis.total`, ...), as ``svydesign`` is in
R's ``survey`` package.  It never changes after construction; calibration
returns a new design that shares the data.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from ._data import Factor
from ._data import as_frame
from ._data import column
from ._data import factorize
from ._data import numeric
from ._data import restrict_factor
from ._errors import DesignError
from ._errors import LonelyPSUError

LONELY_PSU_OPTIONS = ("fail", "remove", "adjust", "certainty", "average")


class Design:
    """A probability sample design (stratified, clustered, weighted).

    Parameters
    ----------
    data : pandas.DataFrame or mapping of str to array-like
        One row per respondent.
    weights : str, optional
        Column of sampling (or analysis) weights.  Omitted: the inverse of the
        sampling fractions the ``fpc`` columns give (R's rule: :math:`N_h/n_h`
        at each stage, multiplied over stages), or 1 without ``fpc``.
    strata : str, optional
        Column identifying the (first-stage) sampling strata.
    clusters : str or sequence of str, optional
        Column identifying the primary sampling units (PSUs), or one column per
        sampling stage (``["district", "school"]``), as R's
        ``id=~dnum+snum``.  Labels are taken within strata and within the
        previous stage's unit (R's ``nest=TRUE``).  Omitted: each row is a PSU.
    fpc : str or sequence of str, optional
        Finite population correction, one column per stage: per row, either the
        population number of units (PSUs in the stratum at stage one, units in
        the row's previous-stage unit later; values > 1) or the sampling
        fraction (all values <= 1).  Omitted: with-replacement variance from
        the PSUs alone (the "ultimate cluster" approximation).
    lonely_psu : {"fail", "remove", "adjust", "certainty", "average"}
        What to do with a stratum holding a single PSU (R's
        ``options(survey.lonely.psu)``):

        * ``"fail"`` -- raise :class:`LonelyPSUError` when the design is built;
        * ``"remove"`` / ``"certainty"`` -- the stratum adds nothing to the
          variance (``"certainty"`` documents that the PSU was sampled with
          certainty);
        * ``"adjust"`` -- the lonely PSU total is centred at zero instead of its
          stratum mean (conservative), as R's ``onestrat``;
        * ``"average"`` -- the stratum receives the average variance
          contribution of the strata with two or more PSUs.

    Notes
    -----
    The design never changes after construction; integer codes of categorical
    columns and per-item cell sums are memoised on it (and not shared with the
    calibrated designs derived from it, whose weights differ).

    The variance of a linearised statistic with weighted influence values
    :math:`z_i = w_i u_i` is (Lumley 2010, sec. 2.2; Binder 1983)

    .. math::

        \\hat V = \\sum_h (1-f_h) \\frac{n_h}{n_h-1}
                  \\sum_{j=1}^{n_h} (z_{hj} - \\bar z_h)^2,

    where :math:`z_{hj}` is the total of :math:`z_i` over PSU :math:`j` of
    stratum :math:`h`, :math:`n_h` the number of sampled PSUs and
    :math:`f_h` the sampling fraction (0 without ``fpc``).  Design degrees of
    freedom are the number of PSUs minus the number of strata.

    With an fpc at every stage of a multistage design, each later stage adds
    the same formula applied to its units within each unit of the previous
    stage, multiplied by the product of the earlier stages' sampling fractions
    (R's ``svyrecvar``/``multistage``; Särndal, Swensson & Wretman 1992,
    sec. 4.3).  A later-stage unit holding a single sampled unit follows
    ``lonely_psu`` unless its fpc says it was fully sampled; ``"average"`` is
    taken as ``"remove"`` there (R returns NaN).

    References
    ----------
    Lumley, T. (2010). *Complex Surveys: A Guide to Analysis Using R*. Wiley.
    Binder, D. A. (1983). On the variances of asymptotically normal estimators
    from complex surveys. *International Statistical Review*, 51, 279-292.
    """

    def __init__(
        self,
        data,
        weights: str | None = None,
        strata: str | None = None,
        clusters: str | Sequence[str] | None = None,
        fpc: str | Sequence[str] | None = None,
        lonely_psu: str = "fail",
    ):
        frame = as_frame(data)
        if lonely_psu not in LONELY_PSU_OPTIONS:
            raise DesignError(f"lonely_psu must be one of {LONELY_PSU_OPTIONS}, got {lonely_psu!r}")
        n = len(frame)
        if n == 0:
            raise DesignError("the data has no rows")
        cluster_names = _names(clusters)
        fpc_names = _names(fpc)
        if fpc_names and len(fpc_names) != max(len(cluster_names), 1):
            raise DesignError(
                f"fpc {list(fpc_names)} must name one column per sampling stage "
                f"(clusters {list(cluster_names)})"
            )
        self._data = frame
        self.n = n
        self.weights_column = weights
        self.strata_column = strata
        self.cluster_columns = cluster_names
        self.fpc_columns = fpc_names
        self.clusters_column = cluster_names[0] if cluster_names else None
        self.fpc_column = fpc_names[0] if fpc_names else None
        self.lonely_psu = lonely_psu
        self._factor_cache: dict[Any, Factor] = {}
        self._numeric_cache: dict[str, np.ndarray] = {}
        self._moment_cache: dict = {}
        self.calibration = None
        self.weighting_report = None

        if strata is None:
            stratum = np.zeros(n, dtype=np.int64)
            self.strata_levels: tuple = (None,)
        else:
            f = factorize(column(frame, strata))
            if np.any(f.codes < 0):
                raise DesignError(f"strata column {strata!r} has missing values")
            stratum, self.strata_levels = f.codes, f.levels
        self.n_strata = len(self.strata_levels)

        if not cluster_names:
            order = np.argsort(stratum, kind="stable")
            psu = np.empty(n, dtype=np.int64)
            psu[order] = np.arange(n)
            psu_stratum = stratum[order]
            self._row_of_psu = order
        else:
            f = _stage_factor(frame, cluster_names[0])
            key = stratum * (f.n_levels + 1) + f.codes
            uniq, psu = np.unique(key, return_inverse=True)
            psu = psu.astype(np.int64)
            psu_stratum = uniq // (f.n_levels + 1)
            self._row_of_psu = None
        self.stratum = _readonly(stratum)
        self.psu = _readonly(psu)
        self.n_psu = int(psu_stratum.size)
        self.psu_stratum = _readonly(psu_stratum)
        self.psus_per_stratum = _readonly(np.bincount(psu_stratum, minlength=self.n_strata))
        self._stratum_starts = np.searchsorted(psu_stratum, np.arange(self.n_strata))
        self.sampling_fraction = _readonly(
            self._fractions(frame, fpc_names[0] if fpc_names else None, stratum)
        )
        self.df = float(self.n_psu - self.n_strata)
        lonely = (self.psus_per_stratum == 1) & (self.sampling_fraction < 1)
        if lonely_psu == "fail" and np.any(lonely):
            bad = [self.strata_levels[h] for h in np.flatnonzero(lonely)]
            raise LonelyPSUError(
                f"strata {bad} have a single PSU; choose lonely_psu='remove', 'adjust', "
                "'certainty' or 'average'"
            )
        self.stages, row_fraction = _later_stages(
            frame, cluster_names, fpc_names, psu, self.sampling_fraction[psu_stratum], lonely_psu
        )
        row_fraction = row_fraction * self.sampling_fraction[stratum]
        self.weights = _readonly(_weights(frame, weights, fpc_names, row_fraction))
        self._base_weights = self.weights
        self.is_unweighted_srs = (
            weights is None and strata is None and not cluster_names and not fpc_names
        )

    # ------------------------------------------------------------------ helpers
    def _fractions(self, frame, fpc, stratum) -> np.ndarray:
        if fpc is None:
            return np.zeros(self.n_strata)
        values = numeric(frame, fpc)
        if not np.all(np.isfinite(values)) or np.any(values <= 0):
            raise DesignError(f"fpc column {fpc!r} has missing or non-positive values")
        first = np.full(self.n_strata, np.nan)
        first[stratum[::-1]] = values[::-1]
        if np.any(np.abs(values - first[stratum]) > 1e-9 * np.abs(first[stratum])):
            raise DesignError(f"fpc column {fpc!r} varies within a stratum")
        if np.all(values <= 1):
            fractions = first
        else:
            if np.any(first < self.psus_per_stratum):
                raise DesignError(
                    f"fpc column {fpc!r}: population smaller than the sample in a stratum"
                )
            fractions = self.psus_per_stratum / first
        return fractions

    @property
    def data(self) -> pd.DataFrame:
        """The respondent data the design was built on (do not modify)."""
        return self._data

    @property
    def has_fpc(self) -> bool:
        return self.fpc_column is not None

    @property
    def is_calibrated(self) -> bool:
        return self.calibration is not None

    def factor(self, name: str, levels=None) -> Factor:
        """Integer codes of a categorical column, computed once per design."""
        key = (name, None if levels is None else tuple(levels))
        cached = self._factor_cache.get(key)
        if cached is None:
            if levels is None:
                cached = factorize(column(self._data, name))
            else:
                # What factorize(values, levels) does, from the column's one factorisation.
                cached = restrict_factor(self.factor(name), tuple(levels))
            self._factor_cache[key] = cached
        return cached

    def numeric(self, name: str) -> np.ndarray:
        """A numeric column as float64 with NaN for missing, computed once per design."""
        cached = self._numeric_cache.get(name)
        if cached is None:
            cached = _readonly(numeric(self._data, name))
            self._numeric_cache[name] = cached
        return cached

    def with_weights(self, weights: np.ndarray, calibration=None, report=None) -> Design:
        """Return a copy of the design with new weights (used by calibration)."""
        new = object.__new__(Design)
        new.__dict__.update(self.__dict__)
        new.weights = _readonly(np.asarray(weights, dtype=np.float64))
        new.calibration = calibration
        new.weighting_report = report
        new._moment_cache = {}
        new.is_unweighted_srs = False
        return new

    @property
    def weight_sum(self) -> float:
        """Sum of the weights (the estimated population size), computed once per design."""
        cached = self._moment_cache.get("__weight_sum__")
        if cached is None:
            cached = self._moment_cache["__weight_sum__"] = float(self.weights.sum())
        return cached

    @property
    def base_weights(self) -> np.ndarray:
        """The design weights before any calibration."""
        return self._base_weights

    def __repr__(self) -> str:
        parts = [f"n={self.n}", f"strata={self.n_strata}", f"psus={self.n_psu}", f"df={self.df:g}"]
        if self.stages:
            parts.append(f"stages={1 + len(self.stages)}")
        if self.has_fpc:
            parts.append("fpc")
        if self.is_calibrated:
            parts.append("calibrated")
        return f"Design({', '.join(parts)})"


def _readonly(array: np.ndarray) -> np.ndarray:
    array = np.asarray(array)
    array.setflags(write=False)
    return array


@dataclass(frozen=True)
class Stage:
    """A later sampling stage (2, 3, ...): its units nested within the previous stage's units.

    Attributes
    ----------
    unit : ndarray of int
        Unit of this stage of each row (``0..n_units-1``).
    parent : ndarray of int
        Unit of the previous stage (the PSU for stage 2) holding each unit.
    units_per_parent : ndarray of float
        Sampled units of this stage in each parent.
    fraction : ndarray of float
        Sampling fraction of this stage in each parent.
    multiplier : ndarray of float
        Product of the earlier stages' sampling fractions, per parent (R's
        ``multistage`` weights the stage's variance by it).
    """

    unit: np.ndarray
    n_units: int
    parent: np.ndarray
    n_parents: int
    units_per_parent: np.ndarray
    fraction: np.ndarray
    multiplier: np.ndarray


def _names(value) -> tuple:
    if value is None:
        return ()
    if isinstance(value, str):
        return (value,)
    return tuple(value)


def _stage_factor(frame, name) -> Factor:
    f = factorize(column(frame, name))
    if np.any(f.codes < 0):
        raise DesignError(f"clusters column {name!r} has missing values")
    return f


def _later_stages(frame, cluster_names, fpc_names, psu, psu_fraction, lonely_psu):
    """Stages 2, 3, ... (only with an fpc per stage: otherwise stage one carries the variance).

    Returns the stages and each row's product of later-stage sampling fractions.
    """
    row_fraction = np.ones(len(frame))
    if len(cluster_names) < 2 or not fpc_names:
        return (), row_fraction
    stages = []
    parent_of_row, n_parents, multiplier = psu, int(psu.max()) + 1, psu_fraction
    for s in range(1, len(cluster_names)):
        f = _stage_factor(frame, cluster_names[s])
        key = parent_of_row * (f.n_levels + 1) + f.codes
        uniq, unit = np.unique(key, return_inverse=True)
        unit = unit.astype(np.int64).reshape(-1)
        parent = (uniq // (f.n_levels + 1)).astype(np.int64)
        m = np.bincount(parent, minlength=n_parents).astype(np.float64)
        fraction = _stage_fractions(frame, fpc_names[s], parent_of_row, n_parents, m)
        lonely = (m == 1) & (1.0 - fraction >= 1e-7)
        if lonely_psu == "fail" and np.any(lonely):
            raise LonelyPSUError(
                f"{int(lonely.sum())} units of stage {s} hold a single sampled unit of "
                f"{cluster_names[s]!r} (fpc {fpc_names[s]!r} says it is not a census); choose "
                "lonely_psu='remove', 'adjust' or 'certainty'"
            )
        stages.append(
            Stage(
                unit=_readonly(unit),
                n_units=len(uniq),
                parent=_readonly(parent),
                n_parents=n_parents,
                units_per_parent=_readonly(m),
                fraction=_readonly(fraction),
                multiplier=_readonly(np.asarray(multiplier, dtype=np.float64)),
            )
        )
        row_fraction = row_fraction * fraction[parent_of_row]
        multiplier = (multiplier * fraction)[parent]
        parent_of_row, n_parents = unit, len(uniq)
    return tuple(stages), row_fraction


def _stage_fractions(frame, name, parent_of_row, n_parents, m) -> np.ndarray:
    """Sampling fraction of a later stage in each parent unit, from its fpc column."""
    values = numeric(frame, name)
    if not np.all(np.isfinite(values)) or np.any(values <= 0):
        raise DesignError(f"fpc column {name!r} has missing or non-positive values")
    first = np.full(n_parents, np.nan)
    first[parent_of_row[::-1]] = values[::-1]
    if np.any(np.abs(values - first[parent_of_row]) > 1e-9 * first[parent_of_row]):
        raise DesignError(f"fpc column {name!r} varies within a unit of the previous stage")
    if np.all(values <= 1):
        return first
    if np.any(first < m):
        raise DesignError(f"fpc column {name!r}: population smaller than the sample in a unit")
    return m / first


def _weights(frame, weights, fpc_names, row_fraction) -> np.ndarray:
    """Sampling weights: the weights column, or (R's rule) the inverse sampling fractions."""
    if weights is None:
        return 1.0 / row_fraction if fpc_names else np.ones(len(frame))
    w = numeric(frame, weights)
    if not np.all(np.isfinite(w)) or np.any(w < 0):
        raise DesignError(f"weights column {weights!r} has missing, infinite or negative values")
    if not np.any(w > 0):
        raise DesignError(f"weights column {weights!r}: every weight is zero")
    return w
