"""The weighting report: what post-stratification, raking or trimming did to the weights."""

from __future__ import annotations

from dataclasses import dataclass
from dataclasses import field

import numpy as np


@dataclass(frozen=True)
class WeightingReport:
    """What a calibration did to the weights.

    Attributes
    ----------
    method : str
        ``"poststratify"``, ``"rake"`` or ``"trim"``.
    iterations : int
        Raking sweeps (over all margins) used in the last raking pass.
    converged : bool
    max_margin_error : float
        Largest relative difference between an achieved margin and its target.
    targets, achieved : dict
        ``{variable: {category: count}}``.
    min_weight, max_weight, weight_ratio : float
        Smallest and largest weight and their ratio.
    kish_deff : float
        Design effect due to unequal weighting,
        :math:`n\\sum w_i^2/(\\sum w_i)^2` (Kish 1965).
    n_eff : float
        Effective sample size :math:`(\\sum w_i)^2/\\sum w_i^2`.
    trimmed : int
        Number of weights set to a trimming bound in the final pass.
    """

    method: str
    iterations: int
    converged: bool
    max_margin_error: float
    targets: dict = field(repr=False)
    achieved: dict = field(repr=False)
    n: int
    min_weight: float
    max_weight: float
    weight_ratio: float
    kish_deff: float
    n_eff: float
    trimmed: int = 0

    def to_dict(self) -> dict:
        """JSON-ready dictionary (an infinite weight ratio becomes None)."""
        out = {k: getattr(self, k) for k in self.__dataclass_fields__}
        if not np.isfinite(out["weight_ratio"]):
            out["weight_ratio"] = None
        return out


def weighting_report(w, method, iterations, converged, error, targets, achieved, trimmed=0):
    """Build a :class:`WeightingReport` from final weights."""
    s1 = float(np.sum(w))
    s2 = float(np.sum(w * w))
    positive = w[w > 0]
    wmin = float(positive.min()) if positive.size else 0.0
    wmax = float(w.max())
    return WeightingReport(
        method=method,
        iterations=int(iterations),
        converged=bool(converged),
        max_margin_error=float(error),
        targets=targets,
        achieved=achieved,
        n=int(w.size),
        min_weight=wmin,
        max_weight=wmax,
        weight_ratio=wmax / wmin if wmin > 0 else float("inf"),
        kish_deff=w.size * s2 / s1**2,
        n_eff=s1**2 / s2,
        trimmed=trimmed,
    )
