"""Frame completion: the pandas steps every indicator shares after its SQL.

:func:`complete` gives every group with data a row for every period in the range (a period without records shows 0
for counts and no value for shares); :func:`add_totals` adds a total row over sub-groups; :func:`share_values` turns
counts into shares with Wilson intervals; :func:`note_missing` and :func:`join_notes` write the Danish notes;
:func:`simple_share`, :func:`median_from` and :func:`labelled_share` are the three shapes most indicators take.
"""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd

from .. import catalogue, periods
from ..stats import wilson_ci
from .query import Query, where_sql

KEYS = ["forvaltning", "unit", "area", "subgroup"]


def ensure_cols(df: pd.DataFrame) -> pd.DataFrame:
    for c in ["forvaltning", "unit", "area", "subgroup", "period"]:
        if c not in df:
            df[c] = None
    for c in ["numerator", "denominator"]:
        if c not in df:
            df[c] = np.nan
    if "note" not in df:
        df["note"] = None
    return df


def first_date(df: pd.DataFrame) -> date | None:
    if "first" not in df or df.empty or df["first"].isna().all():
        return None
    v = df["first"].min()
    return pd.Timestamp(v).date()


def group_codes(df: pd.DataFrame, cols: list[str]) -> tuple[np.ndarray, np.ndarray]:
    """A code per row for its combination of ``cols`` (missing values equal each other), numbered in the order
    the combinations first appear; and the first row of each combination."""
    combined = np.zeros(len(df), dtype=np.int64)
    for c in cols:
        k, u = pd.factorize(df[c].to_numpy(dtype=object), use_na_sentinel=True)
        combined = combined * (len(u) + 1) + (k.astype(np.int64) + 1)
        combined, _ = pd.factorize(combined)  # keep the numbers small (no overflow)
        combined = combined.astype(np.int64)
    # the codes are numbered by first appearance: a row is the first of its code when it exceeds all before it
    before = np.maximum.accumulate(np.concatenate(([-1], combined[:-1])))
    return combined, np.flatnonzero(combined > before)


def complete(df: pd.DataFrame, q: Query, fill: dict) -> pd.DataFrame:
    """Every (group, sub-group) with data × every period in the range; missing cells filled with ``fill``.

    The groups come in the order they first appear in ``df``, each with the periods in order (as a cross join
    of the distinct keys and the periods, left-merged with ``df``, would give); cells are placed by integer
    positions rather than by merging on the text keys.
    """
    df = ensure_cols(df)
    grid = q.period_grid(first_date(df))
    if "first" in df:
        df = df.drop(columns="first")
    if df.empty or not grid:
        return df
    labels = np.array([p.label for p in grid], dtype=object)
    n_p = len(labels)
    gcode, first_rows = group_codes(df, KEYS)
    n_g = len(first_rows)
    pos = pd.Index(labels).get_indexer(df["period"].to_numpy(dtype=object))
    ok = pos >= 0
    target = gcode[ok] * n_p + pos[ok]
    seen = np.zeros(n_g * n_p, dtype=bool)
    seen[target] = True
    every = bool(seen.all())
    out = {c: df[c].take(first_rows).repeat(n_p).reset_index(drop=True) for c in KEYS}
    out["period"] = pd.Series(np.tile(labels, n_g))
    for c in df.columns:
        if c in out:
            continue
        col = df[c]
        vals = col.to_numpy()[ok]
        if every:
            arr = np.empty(n_g * n_p, dtype=vals.dtype)
        elif col.dtype.kind in "iuf":
            arr = np.full(n_g * n_p, np.nan)
        else:
            arr = np.full(n_g * n_p, np.nan, dtype=object)
        arr[target] = vals
        out[c] = pd.Series(arr)
    out = pd.DataFrame(out)
    for c, v in fill.items():
        if c in out:
            out[c] = out[c].fillna(v) if v is not None else out[c]
    return out


def add_totals(df: pd.DataFrame, cols=("numerator", "denominator")) -> pd.DataFrame:
    """Append a total row (subgroup None) per group and period, summing ``cols`` over the sub-groups."""
    if df.empty:
        return df
    keys = ["forvaltning", "unit", "area", "period"]
    # the groups by integer codes (as groupby(keys, dropna=False, sort=False) numbers them), summed with
    # bincount: the columns hold whole numbers, so the sums are exact whatever the order of the additions
    code, first_rows = group_codes(df, keys)
    n = len(first_rows)
    tot = {k: df[k].take(first_rows).reset_index(drop=True) for k in keys}
    for c in cols:
        v = df[c].to_numpy()
        if v.dtype.kind in "iub":
            tot[c] = np.bincount(code, weights=v, minlength=n).astype(np.int64)
        else:  # sum(min_count=1): NaN where a group has no value
            v = pd.to_numeric(pd.Series(v), errors="coerce").to_numpy(dtype=float)
            ok = ~np.isnan(v)
            sums = np.bincount(code, weights=np.where(ok, v, 0.0), minlength=n)
            sums[np.bincount(code, weights=ok, minlength=n) == 0] = np.nan
            tot[c] = sums
    tot = pd.DataFrame(tot)
    tot["subgroup"] = None
    return pd.concat([tot, df], ignore_index=True)


def counts_with_total(df: pd.DataFrame, q: Query) -> pd.DataFrame:
    """A count indicator from its per-subgroup counts (``numerator``): every period filled in, the total over the
    subgroups added, the count itself as the value (no denominator)."""
    df = complete(df, q, {"numerator": 0})
    df = add_totals(df, cols=("numerator",))
    df["denominator"] = np.nan
    df["value"] = pd.to_numeric(df["numerator"]).astype(float)
    return df


def share_values(df: pd.DataFrame, ind: str, conf: float) -> pd.DataFrame:
    num = pd.to_numeric(df["numerator"], errors="coerce").fillna(0).to_numpy(dtype=float)
    den = pd.to_numeric(df["denominator"], errors="coerce").fillna(0).to_numpy(dtype=float)
    df["numerator"] = num
    df["denominator"] = den
    with np.errstate(divide="ignore", invalid="ignore"):
        value = np.where(den > 0, num / np.where(den > 0, den, 1), np.nan)
    low, high = wilson_ci(num, den, conf=conf)
    df["value"] = value
    df["ci_low"] = np.asarray(low, dtype=float)
    df["ci_high"] = np.asarray(high, dtype=float)
    note_missing(df, ind)
    return df


def note_missing(df: pd.DataFrame, ind: str) -> None:
    missing = df["value"].isna().to_numpy()
    if missing.any():
        text = catalogue.get(ind).no_value_note
        df["note"] = join_notes(df["note"], pd.Series(np.where(missing, text, None), index=df.index))


def join_notes(a: pd.Series, b: pd.Series) -> pd.Series:
    """``a; b`` row by row; a missing or empty note is left out (None when both are)."""
    x = a.astype(object).to_numpy()
    y = b.astype(object).to_numpy()
    x_ok = pd.notna(x) & (x != "")
    y_ok = pd.notna(y) & (y != "")
    out = np.full(len(x), None, dtype=object)
    out[x_ok] = x[x_ok]
    only_y = y_ok & ~x_ok
    out[only_y] = y[only_y]
    both = x_ok & y_ok
    if both.any():
        out[both] = [f"{p}; {q}" for p, q in zip(x[both], y[both])]
    return pd.Series(out, index=a.index, dtype=object)


def count_notes(counts: np.ndarray, text) -> np.ndarray:
    """Per row: ``text(k)`` for a count ``k`` > 0, None for 0 (``text`` called once per distinct count)."""
    out = np.full(len(counts), None, dtype=object)
    some = counts > 0
    if some.any():
        uniq, at = np.unique(counts[some], return_inverse=True)
        out[some] = np.array([text(int(k)) for k in uniq], dtype=object)[at]
    return out


def share_from(q: Query, ind: str, df: pd.DataFrame, totals: bool = False) -> pd.DataFrame:
    df = complete(df, q, {"numerator": 0, "denominator": 0})
    if totals:
        df = add_totals(df)
    return share_values(df, ind, q.conf)


def simple_share(q: Query, ind: str, table: str, date_col: str, num_expr: str, den_expr: str,
                  extra_where: str | None = None, extra_params: list | None = None, subgroup: str | None = None,
                  totals: bool = False) -> pd.DataFrame:
    w, p = q.filters(table, date_col)
    if extra_where:
        w.append(extra_where)
        p.extend(extra_params or [])
    sg = f", {subgroup} AS subgroup" if subgroup else ""
    df = q.run(
        f"SELECT {q.groups(table)}, {q.label(date_col)} AS period{sg}, "
        f"count(*) FILTER (WHERE {num_expr}) AS numerator, count(*) FILTER (WHERE {den_expr}) AS denominator, "
        f"min({date_col}) AS first FROM {table} {where_sql(w)} GROUP BY ALL", p)
    df = complete(df, q, {"numerator": 0, "denominator": 0})
    if totals:
        df = add_totals(df)
    return share_values(df, ind, q.conf)



MEDIAN_COLS = ["forvaltning", "unit", "area", "period", "value", "denominator", "first"]
SHARE_COLS = ["forvaltning", "unit", "area", "period", "numerator", "denominator", "first"]


def median_from(q: Query, ind: str, scan: pd.DataFrame) -> pd.DataFrame:
    """A median indicator from a scan shared with a share indicator (its ``value`` is the median, ``n`` the number
    of records behind it)."""
    df = scan.drop(columns="denominator").rename(columns={"n": "denominator"})[MEDIAN_COLS]
    df = complete(df, q, {"denominator": 0})
    df["numerator"] = np.nan
    df["ci_low"] = np.nan
    df["ci_high"] = np.nan
    note_missing(df, ind)
    return df


def labelled_share(q: Query, ind: str, raw: pd.DataFrame) -> pd.DataFrame:
    """Place rows labelled with their own period (``label``) into the requested grain; sum and compute shares."""
    keys = ["forvaltning", "unit", "area", "subgroup"]
    if raw.empty:
        return ensure_cols(raw.drop(columns=["label"]))
    spans = {lab: periods.parse(lab) for lab in raw["label"].unique()}
    hi = min(q.end, q.as_of)
    keep = raw["label"].map(lambda lab: (q.start is None or spans[lab].start >= q.start) and spans[lab].start <= hi)
    raw = raw[keep.to_numpy(dtype=bool)].copy()
    raw["period"] = raw["label"].map(lambda lab: periods.fits(lab, q.period, q.biennium_start))
    unfit = raw[raw["period"].isna()]
    raw = raw[raw["period"].notna()]
    raw["first"] = raw["label"].map(lambda lab: pd.Timestamp(spans[lab].start))
    df = raw.groupby(keys + ["period"], dropna=False, sort=False).agg(
        numerator=("numerator", "sum"), denominator=("denominator", "sum"), first=("first", "min")).reset_index()
    df = complete(df, q, {"numerator": 0, "denominator": 0})
    out = share_values(df, ind, q.conf)
    if len(unfit) and not out.empty:
        n = len(unfit)
        what = "1 opgørelse dækker" if n == 1 else f"{n} opgørelser dækker"
        note = f"{what} mere end {periods.ONE_DA[q.period]} og er udeladt"
        out["note"] = join_notes(out["note"], pd.Series(note, index=out.index))
    return out

