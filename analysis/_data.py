"""Column access and factorisation shared by the design and the estimators.

Categorical columns are turned into integer codes once (``-1`` marks a missing
value) so that every categorical sum is one :func:`numpy.bincount`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ._errors import DesignError
from ._errors import VariableError


def as_frame(data) -> pd.DataFrame:
    """Return ``data`` as a :class:`pandas.DataFrame` (no copy for a DataFrame)."""
    if isinstance(data, pd.DataFrame):
        return data
    if isinstance(data, Mapping):
        return pd.DataFrame({str(k): np.asarray(v) for k, v in data.items()})
    raise DesignError("data must be a pandas DataFrame or a mapping of column name -> array")


def column(frame: pd.DataFrame, name: str) -> pd.Series:
    """Return one column, raising :class:`DesignError` with the name when it is absent."""
    if name not in frame.columns:
        raise DesignError(f"column {name!r} not found in the data")
    return frame[name]


def numeric(frame: pd.DataFrame, name: str) -> np.ndarray:
    """Return a float64 array of a column; missing values become NaN."""
    series = column(frame, name)
    if isinstance(series.dtype, pd.CategoricalDtype):
        series = series.astype(object)
    values = pd.to_numeric(series, errors="coerce")
    bad = np.asarray(values.isna() & series.notna())
    if bad.any():
        example = series[bad].iloc[0]
        raise VariableError(
            f"column {name!r} is not numeric: {int(bad.sum())} values such as {example!r} "
            "are text; use proportion() for a categorical column"
        )
    return np.asarray(values, dtype=np.float64)


@dataclass(frozen=True)
class Factor:
    """A categorical column as integer codes.

    Attributes
    ----------
    codes : numpy.ndarray
        int64 codes in ``0..len(levels)-1``; ``-1`` marks a missing value.
    levels : tuple
        The category labels in code order (sorted when sortable).
    """

    codes: np.ndarray
    levels: tuple

    @property
    def n_levels(self) -> int:
        return len(self.levels)


def factorize(values, levels=None) -> Factor:
    """Factorise an array-like to integer codes.

    Parameters
    ----------
    values : array-like
        The raw column (strings, numbers or a pandas Categorical).
    levels : sequence, optional
        Fixed category order; values outside it are treated as missing.
    """
    series = values if isinstance(values, pd.Series) else pd.Series(np.asarray(values))
    if levels is not None:
        return restrict_factor(factorize(series), tuple(levels))
    if isinstance(series.dtype, pd.CategoricalDtype):
        codes = np.asarray(series.cat.codes, dtype=np.int64)
        categories = list(series.cat.categories)
        used = np.bincount(codes[codes >= 0], minlength=len(categories)) > 0
        if not used.all():
            remap = np.full(len(categories) + 1, -1, dtype=np.int64)
            remap[:-1][used] = np.arange(int(used.sum()))
            codes = remap[codes]
            categories = [c for c, u in zip(categories, used) if u]
        return Factor(codes, tuple(_plain(c) for c in categories))
    try:
        codes, uniques = pd.factorize(series, sort=True, use_na_sentinel=True)
    except TypeError:  # mixed types (numbers and text) cannot be sorted
        codes, uniques = pd.factorize(series, sort=False, use_na_sentinel=True)
    return Factor(np.asarray(codes, dtype=np.int64), tuple(_plain(u) for u in uniques))


def restrict_factor(full: Factor, levels: tuple) -> Factor:
    """Recode a factor to ``levels`` (matched by value, then by text); others become -1."""
    by_value, by_text = {}, {}
    for j, level in enumerate(levels):
        try:
            by_value.setdefault(level, j)
        except TypeError:
            pass
        by_text.setdefault(str(level), j)
    remap = np.full(full.n_levels + 1, -1, dtype=np.int64)
    for i, level in enumerate(full.levels):
        j = None
        try:
            j = by_value.get(level)
        except TypeError:
            j = None
        if j is None:
            j = by_text.get(str(level), -1)
        remap[i] = j
    return Factor(remap[full.codes], levels)


def _plain(value):
    """Turn numpy scalars into plain Python values (for JSON and dict keys)."""
    if isinstance(value, np.generic):
        return value.item()
    return value
