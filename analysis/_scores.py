"""Weighted influence values ("scores") in a compact, bincount-friendly form.

A linearised estimator's weighted influence matrix ``Z`` (rows = respondents,
columns = statistics) is stored as

* a *sparse* part: row ``i`` adds ``value[i]`` to column ``column[i]``
  (``column`` None: every row adds to column 0)
  (``-1``: nothing), and
* an *offset* part: row ``i`` subtracts ``offset_value[i] * offset_coef[g_i]``
  from its row, with ``g_i = offset_group[i]`` (``-1``: nothing), and
* an optional *dense* part ``(n, k)``.

Group totals of ``Z`` (per PSU, per calibration category) are then a couple
of :func:`numpy.bincount` calls over (group, column) pairs -- never a Python
loop over rows.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Scores:
    """Weighted influence values of ``n_columns`` statistics (see module docstring)."""

    n_columns: int
    value: np.ndarray | None = None
    column: np.ndarray | None = None
    offset_value: np.ndarray | None = None
    offset_group: np.ndarray | None = None
    offset_coef: np.ndarray | None = None
    dense: np.ndarray | None = None

    def group_totals(
        self, groups: np.ndarray, n_groups: int, row_scale: np.ndarray | None = None
    ) -> np.ndarray:
        """Totals of the score columns within groups.

        Parameters
        ----------
        groups : ndarray of int
            Group code of each row (``0..n_groups-1``).
        n_groups : int
            Number of groups.
        row_scale : ndarray, optional
            Multiply each row's scores by this factor first.

        Returns
        -------
        ndarray, shape (n_groups, n_columns)
        """
        k = self.n_columns
        out = np.zeros((n_groups, k))
        if self.value is not None:
            values = self.value if row_scale is None else self.value * row_scale
            if self.column is None:  # every row adds to the one column
                out[:, 0] += np.bincount(groups, weights=values, minlength=n_groups)
            else:
                out += _pair_sums(groups, self.column, values, n_groups, k)
        if self.offset_value is not None:
            g = self.offset_coef.shape[0]
            values = self.offset_value if row_scale is None else self.offset_value * row_scale
            sums = _pair_sums(groups, self.offset_group, values, n_groups, g)
            out -= sums @ self.offset_coef
        if self.dense is not None:
            dense = self.dense if row_scale is None else self.dense * row_scale[:, None]
            # columns made contiguous once: bincount would copy each strided column
            for c, values in enumerate(np.ascontiguousarray(dense.T)):
                out[:, c] += np.bincount(groups, weights=values, minlength=n_groups)
        return out


def _pair_sums(groups, columns, values, n_groups, n_columns) -> np.ndarray:
    """Sum ``values`` over (group, column) pairs with one bincount; column -1 is skipped."""
    valid = columns >= 0
    if valid.all():
        index = groups * n_columns + columns
        sums = np.bincount(index, weights=values, minlength=n_groups * n_columns)
    else:
        index = np.where(valid, groups * n_columns + columns, n_groups * n_columns)
        sums = np.bincount(index, weights=values, minlength=n_groups * n_columns + 1)[:-1]
    return sums.reshape(n_groups, n_columns)
