"""Small-count suppression for everything published (tables, chart data and titles, alt text, sentences, XLSX), so
that no person can be recognised. :func:`disclose` is the one gate: it returns a :class:`Disclosed` table, and
:mod:`kvalitet.present`, :mod:`kvalitet.charts` and :mod:`kvalitet.narrative` accept nothing else.

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


# ------------------------------------------------------------------------------------------------ the one gate


class Disclosed:
    """A table that has passed the disclosure rule: the numbers behind it, which cells may not be published, and
    the strings a reader sees. Made only by :func:`disclose`; tables, charts, sentences and the XLSX take their
    numbers from it (:meth:`number`, :meth:`text`) and refuse a raw DataFrame.

    Columns whose name starts with ``_`` are carried for charts and sentences (e.g. an interval's limits) and are
    not shown in the table.
    """

    __slots__ = ("values", "hidden", "display", "suppressed")

    def __init__(self, values: pd.DataFrame, hidden: pd.DataFrame, display: pd.DataFrame, suppressed: bool,
                 _token=None):
        if _token is not _TOKEN:
            raise TypeError("a Disclosed table is made only by kvalitet.disclosure.disclose()")
        self.values, self.hidden, self.display, self.suppressed = values, hidden, display, suppressed

    def __len__(self) -> int:
        return len(self.values)

    @property
    def columns(self) -> list[str]:
        return list(self.values.columns)

    @property
    def any_hidden(self) -> bool:
        return bool(self.hidden.to_numpy().any())

    def number(self, col: str) -> np.ndarray:
        """The column as floats, NaN where the cell is hidden."""
        v = pd.to_numeric(self.values[col], errors="coerce").to_numpy(dtype=float, na_value=np.nan)
        return np.where(self.hidden[col].to_numpy(), np.nan, v)

    def raw(self, col: str) -> pd.Series:
        """A column that holds no person count and nothing computed from one (labels, periods, flags); raises
        for a column that has a hidden cell."""
        if self.hidden[col].any():
            raise ValueError(f"column '{col}' has hidden cells; use number() or text()")
        return self.values[col]

    def is_hidden(self, i: int, col: str) -> bool:
        return bool(self.hidden[col].iloc[i])

    def text(self, i: int, col: str, fmt=None, **kw) -> str:
        """The cell as a reader may see it: ``fmt(value)`` when it may be published, else ``<5`` or ``x``."""
        if self.is_hidden(i, col):
            return self.display[col].iloc[i] if col in self.display else COMPLEMENT
        v = self.values[col].iloc[i]
        if fmt is not None:
            return fmt(v, **kw)
        return self.display[col].iloc[i] if col in self.display else str(v)

    def shown(self, cols=None) -> np.ndarray:
        """Rows in which none of ``cols`` (default: any column) is hidden."""
        h = self.hidden[list(cols)] if cols is not None else self.hidden
        return ~h.to_numpy().any(axis=1)

    def hidden_labels(self, label_col: str, cols=None) -> list[str]:
        """The labels of the rows that have a hidden cell among ``cols`` (for the note under a chart)."""
        return [str(x) for x in self.values.loc[~self.shown(cols), label_col]]

    def subset(self, rows) -> "Disclosed":
        """The same table restricted to some rows (a boolean array or positions); the hiding is kept."""
        rows = np.asarray(rows)
        idx = np.flatnonzero(rows) if rows.dtype == bool else rows
        take = (lambda f: f.iloc[idx].reset_index(drop=True))
        return Disclosed(take(self.values), take(self.hidden), take(self.display), self.suppressed, _token=_TOKEN)

    def transposed(self, label: str, columns, name: str, names=None, heads=None) -> "Disclosed":
        """Rows become columns: the values of ``label`` (or ``heads``) become the column names, ``columns`` the rows
        (their names, or ``names``, in a new first column ``name``); the hiding is kept cell by cell."""
        cols = list(columns)
        heads = list(heads) if heads is not None else [str(x) for x in self.values[label]]
        row_names = list(names) if names is not None else cols

        def flip(frame):
            out = frame[cols].T.reset_index(drop=True)
            out.columns = heads
            out.insert(0, name, row_names)
            return out

        hidden = flip(self.hidden)
        hidden[name] = False
        return Disclosed(flip(self.values), hidden.astype(bool), flip(self.display), self.suppressed, _token=_TOKEN)


_TOKEN = object()


def hidden_note(labels) -> str:
    """The visible note for groups left out of a chart: 'Skjult (under 5): A, B' ('' when none)."""
    labels = [str(x) for x in labels]
    return f"Skjult (under 5): {', '.join(labels)}" if labels else ""


def require(data, what: str = "") -> "Disclosed":
    """``data`` itself when it is a :class:`Disclosed`; a TypeError otherwise (a chart, a sentence or a table may
    not take its numbers from a raw frame)."""
    if not isinstance(data, Disclosed):
        raise TypeError(f"{what or 'this function'} takes a Disclosed table from kvalitet.disclosure.disclose(), "
                        f"not a {type(data).__name__}: every published number passes the disclosure rule")
    return data


def stack(parts) -> Disclosed:
    """Disclosed tables with the same columns one under the other, each cell keeping its hiding (e.g. the same
    group's row from two periods' tables, each disclosed with the other groups of its period)."""
    parts = [require(p, "stack") for p in parts]

    def cat(attr):
        return pd.concat([getattr(p, attr) for p in parts], ignore_index=True)

    return Disclosed(cat("values"), cat("hidden").astype(bool), cat("display"), any(p.suppressed for p in parts),
                     _token=_TOKEN)


def disclose(frame: pd.DataFrame, counts=(), derived=(), totals: dict | None = None,
             denominators: dict | None = None, formats: dict | None = None, row_totals: bool = True,
             column_totals: bool = False, threshold: int = 5) -> Disclosed:
    """The one place where the disclosure rule is applied.

    ``counts``: columns that count persons or cases (complaints, appeals, cases, audited cases, inquiries,
    respondents): 1 to ``threshold - 1`` is hidden (``<5``), and a complementary cell where a row total (or, with
    ``column_totals``, a column total) would reveal it (``x``). Counts of other things (recommendations,
    municipalities, units) are not listed here and are shown as they are.
    ``derived``: columns computed from the row's counts (a share, a rate, an interval, a change, a status): hidden
    (``x``) in every row where one of its counts is hidden; or ``{column: [its sources]}`` when a row holds
    several groups side by side, so each value is hidden only with its own counts.
    ``totals``: ``{total: [parts]}``, a subtotal that is the sum of some of the row's counts (besides the row
    total ``row_totals`` already protects): when exactly one of its parts is hidden, the subtotal is hidden too.
    ``denominators``: ``{denominator: [parts]}`` where the denominator is the parts plus a remainder not shown (a
    share's denominator: its numerator and the rest); when that remainder is a small count the parts are hidden.
    ``formats``: column → function giving the reader's string for a value (counts default to whole numbers with
    thousands dots); other columns are shown as given.
    """
    values = frame.reset_index(drop=True).copy()
    counts = [c for c in counts if c in values]
    n = len(values)
    hidden = pd.DataFrame(False, index=values.index, columns=values.columns)
    primary_any = False
    primary = np.zeros((n, len(counts)), dtype=bool)
    complement = np.zeros((n, len(counts)), dtype=bool)
    if counts and n:
        num = values[counts].apply(pd.to_numeric, errors="coerce")
        primary, complement = suppression_mask(num, threshold, row_totals, column_totals)
        hidden_now = primary | complement
        changed = True
        while changed:  # a stated total must not reveal a single hidden part
            changed = False
            for total, parts in (totals or {}).items():
                if total not in counts:
                    continue
                t, js = counts.index(total), [counts.index(p) for p in parts if p in counts]
                lone = (hidden_now[:, js].sum(axis=1) == 1) & ~hidden_now[:, t] & (num[total].to_numpy() > 0)
                if lone.any():
                    complement[lone, t] = True
                    hidden_now[lone, t] = True
                    changed = True
        for den, parts in (denominators or {}).items():
            if den not in counts:
                continue
            parts = [p for p in parts if p in counts]
            rest = num[den].to_numpy(dtype=float) - num[parts].to_numpy(dtype=float).sum(axis=1)
            small = (rest > 0) & (rest < threshold)
            for p in parts:
                j = counts.index(p)
                complement[:, j] |= small & ~primary[:, j] & (num[p].to_numpy(dtype=float) > 0)
        primary_any = bool(primary.any())
        for j, c in enumerate(counts):
            hidden[c] = primary[:, j] | complement[:, j]
    row_hidden = hidden[counts].to_numpy().any(axis=1) if counts else np.zeros(n, dtype=bool)
    if isinstance(derived, dict):  # each derived column from its own sources (counts or derived columns before it)
        for c, sources in derived.items():
            if c in hidden:
                src = [x for x in sources if x in hidden]
                hidden[c] = hidden[c].to_numpy() | (hidden[src].to_numpy().any(axis=1) if src else False)
    else:
        for c in derived:
            if c in hidden:
                hidden[c] = hidden[c].to_numpy() | row_hidden
    formats = dict(formats or {})
    display = pd.DataFrame(index=values.index)
    for c in values.columns:
        if str(c).startswith("_"):
            continue
        f = formats.get(c, formatting.count if c in counts else None)
        col = values[c]
        shown_col = col.map(lambda v, f=f: f(v)) if f is not None else col
        shown_col = shown_col.astype(object)
        if c in counts:
            j = counts.index(c)
            shown_col = shown_col.where(~primary[:, j], PRIMARY)
            shown_col = shown_col.where(~complement[:, j], COMPLEMENT)
        elif hidden[c].any():
            shown_col = shown_col.where(~hidden[c].to_numpy(), COMPLEMENT)
        display[c] = shown_col
    return Disclosed(values, hidden, display, primary_any, _token=_TOKEN)
