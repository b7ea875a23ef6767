"""Helpers shared by the estimators added for R parity: domain masks and domain degrees of freedom."""

from __future__ import annotations

import numpy as np

from ._errors import DesignError


def domain_masks(design, by: str | None, available: np.ndarray):
    """Yield ``(label, mask)`` per domain (``label`` None without ``by``).

    ``mask`` selects the rows of the domain that are ``available`` (non-missing)
    and have a positive weight -- the rows R keeps in ``subset(design, ...)``.
    """
    usable = available & (design.weights > 0)
    if by is None:
        yield None, usable
        return
    f = design.factor(by)
    for code, label in enumerate(f.levels):
        yield label, usable & (f.codes == code)


def domain_df(design, mask: np.ndarray) -> float:
    """Degrees of freedom of a domain as R's ``degf(subset(design, ...))``.

    Notes
    -----
    The number of PSUs holding at least one member of the domain minus the
    number of strata holding at least one (survey 4.x ``degf.survey.design2``
    on a subset design).
    """
    if not mask.any():
        return float("nan")
    psus = np.unique(design.psu[mask])
    strata = np.unique(design.stratum[mask])
    return float(psus.size - strata.size)


def numeric_column(design, variable: str) -> np.ndarray:
    """The numeric column ``variable``; raise :class:`DesignError` naming it when it is text."""
    values = design.numeric(variable)
    raw = design.data[variable]
    if np.isnan(values).all() and raw.notna().any():
        raise DesignError(f"column {variable!r} is not numeric")
    return values
