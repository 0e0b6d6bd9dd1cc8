"""The order of the rows of :func:`compute`: catalogue order, then forvaltning, unit, area (empty first), total row
first, sub-group, period (chronological), computed column by column on integer codes."""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd

from .. import periods


def period_order(labels: pd.Series, factorized=None) -> np.ndarray:
    """Chronological rank of each period label (an empty label first), computed once per distinct label
    (``factorized``: the labels' ``pd.factorize``, when the caller has it)."""
    codes, uniq = factorized if factorized is not None else pd.factorize(labels, use_na_sentinel=True)
    keys = [periods.sort_key(x) if x else (date.min, date.min) for x in uniq]
    rank = np.empty(len(uniq) + 1, dtype=np.int64)
    rank[-1] = 0  # missing labels (code -1) sort with the empty label, first
    if keys:
        order = sorted(range(len(keys)), key=lambda i: keys[i])
        r, prev = 0, None
        for i in order:
            if keys[i] != prev:
                r += 1
                prev = keys[i]
            rank[i] = r if keys[i] != (date.min, date.min) else 0
    return rank[codes]


def indicator_rank(col: pd.Series, order: dict[str, int], factorized=None) -> np.ndarray:
    codes, uniq = factorized if factorized is not None else pd.factorize(col.to_numpy(dtype=object))
    return np.array([order[u] for u in uniq], dtype=np.int64)[codes]


def factorize_columns(out: pd.DataFrame, cols) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """``pd.factorize`` (missing values as code -1) of each of ``cols``: computed once, used by the sort, the
    targets and the output columns."""
    out_codes = {}
    for c in cols:
        k, u = pd.factorize(out[c].to_numpy(dtype=object), use_na_sentinel=True)
        out_codes[c] = (k.astype(np.int32) if len(u) < 2**31 - 1 else k, u)  # half the memory of the codes
    return out_codes


def sort_order(out: pd.DataFrame, ids: list[str], codes: dict | None = None) -> np.ndarray:
    """The row positions that put the rows in catalogue order, then forvaltning, unit, area (empty first), total
    row first, sub-group, period (missing values of the text columns sort as the empty text). ``codes``: the
    :func:`factorize_columns` of some of the columns, when the caller has them."""
    order = {i: k for k, i in enumerate(ids)}
    given = codes or {}

    def rank(col: str) -> np.ndarray:  # the position of each value among the column's sorted distinct values
        codes, uniq = (given[col] if col in given
                       else pd.factorize(out[col].to_numpy(dtype=object), use_na_sentinel=True))
        # a missing value ranks as the empty text (first); ranks of equal texts are equal
        names = np.array([""] + ["" if x is None else x for x in uniq], dtype=object)
        _, r = np.unique(names, return_inverse=True)
        return r.astype(np.int64)[codes + 1]

    keys = (
        period_order(out["period"], given.get("period")),
        rank("subgroup"),
        (given["subgroup"][0] >= 0).astype(np.int8) if "subgroup" in given
        else out["subgroup"].notna().to_numpy(dtype=np.int8),
        rank("area"),
        rank("unit"),
        rank("forvaltning"),
        indicator_rank(None if "indicator" in given else out["indicator"], order, given.get("indicator")),
    )
    # one number per row combining the keys (the last key most significant), sorted stably: the order of
    # np.lexsort(keys), in one pass; lexsort itself when the number could overflow
    sizes = [int(k.max()) + 1 if len(k) else 1 for k in keys]
    if float(np.prod([float(x) for x in sizes])) < 2.0 ** 62:
        combined = np.zeros(len(out), dtype=np.int64)
        for k, size in zip(reversed(keys), reversed(sizes)):
            combined = combined * size + k.astype(np.int64)
        idx = np.argsort(combined, kind="stable")
    else:
        idx = np.lexsort(keys)  # stable; the last key sorts first
    return idx

