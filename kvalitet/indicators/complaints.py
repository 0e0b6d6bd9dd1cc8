"""Complaint indicators (klager): received, the complaint rate, the upheld share and the response-time median.

Two scans are shared: complaints by period received (:func:`received_by_kind`, for the count and the rate) and by
period closed (:func:`complaints_closed`, for the upheld share and the median)."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import numpy as np
import pandas as pd

from .. import formatting, periods
from ..stats import poisson_ci
from .asof import data_end
from .frames import (SHARE_COLS, complete, counts_with_total, join_notes, median_from, note_missing,
                     share_from)
from .query import Query, where_sql


def received_by_kind(q: Query) -> pd.DataFrame:
    """Complaints by group, period received and kind (one scan for complaints_received and complaint_rate)."""
    def make():
        w, p = q.filters("complaints", "received")
        return q.run(
            f"SELECT {q.groups('complaints')}, {q.label('received')} AS period, kind AS subgroup, "
            f"count(*) AS numerator, min(received) AS first FROM complaints {where_sql(w)} GROUP BY ALL", p)
    return q.once("complaints_received", make)


def complaints_received(q: Query, ind: str) -> pd.DataFrame:
    df = received_by_kind(q)
    return counts_with_total(df, q)


def complaint_rate(q: Query, ind: str) -> pd.DataFrame:
    # numerator and denominator both stop at the end of the last whole month (decisions are counted by month)
    hi = min(q.end, q.as_of)
    cut = data_end(ind, hi)
    # the numerator: the complaints of every kind together (the key columns as they came from the store)
    rb = received_up_to(q, cut) if cut < hi else received_by_kind(q)
    g = rb.groupby(["forvaltning", "unit", "area", "period"], dropna=False, sort=False)
    _, first_rows = np.unique(g.ngroup().to_numpy(), return_index=True)
    num = rb.iloc[first_rows][["forvaltning", "unit", "area", "period"]].reset_index(drop=True)
    num["numerator"] = g["numerator"].sum().to_numpy()
    num["first"] = g["first"].min().to_numpy()
    w2, p2 = q.filters("decisions", None)
    w2.append("month <= ?")
    p2.append(cut)
    if q.start is not None:
        w2.append("month >= date_trunc('month', ?::DATE)")
        p2.append(q.start)
    den = q.run(
        f"SELECT {q.groups('decisions')}, {q.label('month')} AS period, sum(decisions)::BIGINT AS denominator, "
        f"min(month) AS first FROM decisions {where_sql(w2)} GROUP BY ALL", p2)
    keys = ["forvaltning", "unit", "area", "period"]
    df = num.merge(den, on=keys, how="outer", suffixes=("", "_d"))
    if "first_d" in df:
        df["first"] = pd.concat([pd.to_datetime(df["first"]), pd.to_datetime(df["first_d"])], axis=1).min(axis=1)
        df = df.drop(columns="first_d")
    df = complete(df, q, {"numerator": 0, "denominator": 0})
    n = pd.to_numeric(df["numerator"]).fillna(0).to_numpy(dtype=float)
    d = pd.to_numeric(df["denominator"]).fillna(0).to_numpy(dtype=float)
    df["numerator"], df["denominator"] = n, d
    safe = np.where(d > 0, d, np.nan)
    df["value"] = n / safe * 1000.0
    low, high = poisson_ci(n, conf=q.conf, method="exact")
    df["ci_low"] = np.asarray(low, dtype=float) / safe * 1000.0
    df["ci_high"] = np.asarray(high, dtype=float) / safe * 1000.0
    if cut < hi:
        note_cut(df, cut)
    note_missing(df, ind)
    return df


def received_up_to(q: Query, cut: date) -> pd.DataFrame:
    """:func:`received_by_kind` counting only the complaints received by ``cut``: the rows of the shared scan
    whose period ends by ``cut`` when no period straddles it (a monthly grain, or a cut at the end of a period),
    else a scan of its own."""
    rb = received_by_kind(q)
    codes, uniq = pd.factorize(rb["period"].to_numpy(dtype=object), use_na_sentinel=True)
    spans = [periods.parse(lab) for lab in uniq]
    if codes.size and (codes >= 0).all() and all(sp.end <= cut or sp.start > cut for sp in spans):
        keep = np.array([sp.end <= cut for sp in spans], dtype=bool)[codes]
        return rb[keep].reset_index(drop=True)
    return received_by_kind(replace(q, end=cut, shared={}))


def note_cut(df: pd.DataFrame, cut: date) -> None:
    """Note on the periods that end after ``cut`` (a rate's last whole month) what they hold."""
    # one note per distinct period label, spread to the rows by its code
    codes, uniq = pd.factorize(df["period"].to_numpy(dtype=object), use_na_sentinel=True)
    spans = [periods.parse(lab) for lab in uniq]
    per_label = [None if sp.end <= cut
                 else "ingen hele måneder i perioden endnu" if sp.start > cut
                 else f"opgjort til og med {formatting.long_date(cut)} (sidste hele måned)"
                 for sp in spans]
    notes = np.array(per_label + [None], dtype=object)[codes]
    df["note"] = join_notes(df["note"], pd.Series(notes, index=df.index, dtype=object))


def complaints_closed(q: Query) -> pd.DataFrame:
    """Complaints by group and period closed: the upheld share's counts and the response-time median (one scan)."""
    def make():
        w, p = q.filters("complaints", "closed")
        return q.run(
            f"SELECT {q.groups('complaints')}, {q.label('closed')} AS period, "
            "count(*) FILTER (WHERE outcome IN ('medhold', 'delvis medhold')) AS numerator, "
            "count(*) FILTER (WHERE outcome IN ('medhold', 'delvis medhold', 'ikke medhold')) AS denominator, "
            "median(datediff('day', received, closed))::DOUBLE AS value, count(*) AS n, "
            f"min(closed) AS first FROM complaints {where_sql(w)} GROUP BY ALL", p)
    return q.once("complaints_closed", make)


def complaint_upheld_share(q: Query, ind: str) -> pd.DataFrame:
    return share_from(q, ind, complaints_closed(q)[SHARE_COLS])



def complaint_response_days_median(q: Query, ind: str) -> pd.DataFrame:
    return median_from(q, ind, complaints_closed(q))
