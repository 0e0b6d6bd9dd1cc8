"""Small-count suppression for published tables, so that no person can be recognised.

A count from 1 to ``threshold - 1`` (default: 1–4) is shown as ``<5`` (primary suppression). When a row (or, with
``column_totals``, a column) has exactly one suppressed cell, the total would reveal it, so the smallest other
non-zero cell of that row or column is hidden too and shown as ``x`` (complementary suppression). This repeats until
no row or column has a single suppressed cell. Zeros are shown: they identify nobody.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from . import formatting

PRIMARY = "<5"
COMPLEMENT = "x"
NOTE = ("Tal under 5 vises som «<5», og hvor en sum eller en andel ellers ville afsløre dem, er også den skjult "
        "(vist som «x»), så ingen enkeltperson kan genkendes.")


def suppression_mask(counts: pd.DataFrame, threshold: int = 5, row_totals: bool = True,
                     column_totals: bool = False) -> tuple[np.ndarray, np.ndarray]:
    """Boolean arrays (primary, complementary) over the cells of ``counts`` (whole numbers)."""
    values = counts.to_numpy(dtype=float)
    primary = (values > 0) & (values < threshold)
    hidden = primary.copy()
    changed = True
    while changed:
        changed = False
        axes = [0] if row_totals else []
        if column_totals:
            axes.append(1)
        for axis in axes:
            lines = hidden if axis == 0 else hidden.T
            vals = values if axis == 0 else values.T
            for i in range(lines.shape[0]):
                if lines[i].sum() == 1:
                    candidates = np.where(~lines[i] & (vals[i] > 0) & ~np.isnan(vals[i]))[0]
                    if len(candidates):
                        j = candidates[np.argmin(vals[i][candidates])]
                        lines[i, j] = True
                        changed = True
    return primary, hidden & ~primary


def suppress(counts: pd.DataFrame, threshold: int = 5, row_totals: bool = True,
             column_totals: bool = False) -> tuple[pd.DataFrame, bool]:
    """The table formatted for publication (strings) and whether anything was hidden."""
    primary, complement = suppression_mask(counts, threshold, row_totals, column_totals)
    out = counts.apply(lambda col: col.map(formatting.count)).astype(object)
    arr = out.to_numpy(dtype=object, copy=True)
    arr[primary] = PRIMARY
    arr[complement] = COMPLEMENT
    return pd.DataFrame(arr, index=counts.index, columns=counts.columns), bool(primary.any())
