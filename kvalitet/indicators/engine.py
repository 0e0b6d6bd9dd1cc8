"""The engine: :func:`compute` runs each requested indicator's function (the catalogue entry's ``compute``) on a
:class:`~kvalitet.indicators.query.Query`, adds targets and statuses and returns the rows in order. The checks of
its arguments live here too."""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import replace
from datetime import date

import numpy as np
import pandas as pd

from .. import catalogue, periods, shared
from .. import targets as targets_mod
from ..errors import UserError
from ..organisation import Organisation
from .asof import indicator_tables, tables_as_of, to_date
from .frames import ensure_cols
from .query import GROUP_COLUMNS, OUTPUT_COLUMNS, Query
from .sorting import factorize_columns, sort_order


def function_of(indicator_id: str) -> Callable[[Query, str], pd.DataFrame]:
    """The function that computes an indicator (its catalogue entry's ``compute``)."""
    f = catalogue.get(indicator_id).compute
    if callable(f):
        return f
    module, _, name = f.rpartition(".")
    return getattr(importlib.import_module(f"{__package__}.{module}"), name)


def check_by(by) -> tuple[str, ...]:
    """Normalise ``by``: a tuple/list of group columns, a comma string, or 'none'/''/None for no grouping."""
    if by is None:
        return ()
    if isinstance(by, str):
        parts = [b.strip().casefold() for b in by.split(",") if b.strip()]
    else:
        parts = [str(b).strip().casefold() for b in by]
    danish = {"enhed": "unit", "område": "area", "omraade": "area"}
    parts = [danish.get(b, b) for b in parts]
    if parts in ([], ["none"], ["ingen"]):
        return ()
    bad = [b for b in parts if b not in GROUP_COLUMNS]
    if bad:
        raise UserError(f"ukendt gruppering {', '.join(bad)}: vælg blandt forvaltning, unit, area eller none")
    return tuple(g for g in GROUP_COLUMNS if g in parts)


def check_where(where: dict | None) -> dict[str, list]:
    out: dict[str, list] = {}
    for k, v in (where or {}).items():
        col = {"enhed": "unit", "område": "area"}.get(str(k).casefold(), str(k).casefold())
        if col not in GROUP_COLUMNS:
            raise UserError(f"kan ikke filtrere på {k!r}: vælg blandt forvaltning, unit og area")
        vals = [v] if isinstance(v, str) or not hasattr(v, "__iter__") else list(v)
        out[col] = [str(x) for x in vals]
    return out


def check_indicators(indicators) -> list[str]:
    if indicators is None:
        return list(catalogue.IDS)
    if isinstance(indicators, str):
        indicators = [x.strip() for x in indicators.split(",") if x.strip()]
    return [catalogue.get(i).id for i in indicators]


def make_query(con, period="year", by=("forvaltning",), start=None, end=None, as_of=None, organisation=None,
               where=None, tables=None) -> Query:
    """Validate the arguments of :func:`compute` and build its :class:`Query`.

    The query's as-of date is the earliest as-of of ``tables`` (:func:`tables_as_of`: the exports' as-of dates in
    ``ingest_log``, capped by a given ``as_of``); without ``tables``, the latest as-of of the tables an indicator
    reads (the date the store as a whole is seen from).
    """
    grain = periods.check_period(period)
    per = tables_as_of(con, tables, as_of)
    as_of_d = min(per.values()) if tables is not None else max(per.values())
    start_d = to_date(start, "start")
    end_d = to_date(end, "end") or as_of_d
    if start_d is not None and start_d > end_d:
        raise UserError(f"startdatoen {start_d} ligger efter slutdatoen {end_d}")
    bstart = periods.check_biennium_start(organisation.biennium_start if organisation is not None else "odd")
    conf = organisation.thresholds.conf if organisation is not None else 0.95
    return Query(
        con=con, period=grain, by=check_by(by), start=start_d, end=end_d, as_of=as_of_d, organisation=organisation,
        where=check_where(where), biennium_start=bstart, conf=conf,
        servicemaal=dict(organisation.servicemaal) if organisation is not None else {},
    )


@shared.memo
def compute(con, indicators: list[str] | None = None, period: str = "year", by=("forvaltning",), start=None,
            end=None, as_of=None, organisation: Organisation | None = None,
            where: dict | None = None) -> pd.DataFrame:
    """Compute indicators from the store; see the module docstring for the table returned."""
    ids = check_indicators(indicators)
    per = tables_as_of(con, indicator_tables(), as_of)
    q = make_query(con, period, by, start, end, max(per.values()), organisation, where)
    # each indicator is seen from the as-of date of the tables it reads (the earliest of them); indicators with
    # the same date share one query (and so its shared scans)
    queries: dict[date, Query] = {}
    frames = []
    for ind in ids:
        d = min(per[t] for t in catalogue.get(ind).tables)
        qi = queries.get(d)
        if qi is None:
            qi = queries[d] = replace(q, as_of=d, end=q.end if end is not None else d, shared={})
        df = function_of(ind)(qi, ind)
        df = ensure_cols(df)
        for c in ("value", "ci_low", "ci_high"):
            if c not in df:
                df[c] = np.nan
        df["indicator"] = ind
        df["partial"] = partial_flags(df["period"], qi)
        frames.append(df)
    frames = [f for f in frames if not f.empty]
    if not frames:
        out = pd.DataFrame({c: pd.Series(dtype=object) for c in OUTPUT_COLUMNS})
        return output_types(out)
    # the indicator of each row as an integer code from its frame (numbered as pd.factorize would: in the order
    # the indicators first appear); the column itself is not concatenated
    names = [str(f["indicator"].iat[0]) for f in frames]
    first_of = {}
    ind_code = np.repeat(np.array([first_of.setdefault(n, len(first_of)) for n in names], dtype=np.int32),
                         [len(f) for f in frames])
    out = pd.concat([f.drop(columns="indicator") for f in frames], ignore_index=True)
    # the other text key columns as integer codes (factorized once), for the targets, the sort and the output
    codes = {"indicator": (ind_code, np.array(list(first_of), dtype=object)),
             **factorize_columns(out, [c for c in KEY_TEXT if c != "indicator"])}
    out = targets_mod.apply(out, organisation, q.period, codes=codes)
    idx = sort_order(out, ids, codes)  # the order of the finished rows, taken column by column (one copy)
    cols = {}
    for c in OUTPUT_COLUMNS:
        if c in codes:  # the texts of the codes in the final order; a missing value (code -1) as None
            k, u = codes[c]
            cols[c] = pd.Series(np.append(np.asarray(u, dtype=object), None)[k[idx]], dtype=object, copy=False)
        else:
            cols[c] = out[c].take(idx).reset_index(drop=True)
    return output_types(pd.DataFrame(cols), done=KEY_TEXT)


def partial_flags(labels: pd.Series, q: Query) -> np.ndarray:
    """Per row: True when its period is not wholly inside the data range [start, min(end, as_of)] of ``q`` (a
    period not over at the as-of date, or cut by ``start``/``end``)."""
    hi = min(q.end, q.as_of)
    codes, uniq = pd.factorize(labels.to_numpy(dtype=object), use_na_sentinel=True)
    flags = []
    for lab in uniq:
        p = periods.parse(lab)
        flags.append(p.end > hi or (q.start is not None and p.start < q.start))
    return np.append(np.array(flags, dtype=bool), False)[codes]


#: the text columns that identify a row (factorized once in :func:`compute`)
KEY_TEXT = ("indicator", "period", "forvaltning", "unit", "area", "subgroup")


def output_types(out: pd.DataFrame, done=()) -> pd.DataFrame:
    """The output columns' types (text columns: objects with None for missing); ``done``: text columns already
    so."""
    for c in ("numerator", "denominator"):
        out[c] = pd.to_numeric(out[c], errors="coerce").round().astype("Int64")
    for c in ("value", "ci_low", "ci_high", "target_low", "target_high"):
        out[c] = pd.to_numeric(out[c], errors="coerce").astype(float)
    for c in ("indicator", "period", "forvaltning", "unit", "area", "subgroup", "status", "note"):
        if c in done:
            continue
        if c == "status" and out[c].dtype == object and not out[c].isna().any():  # words only: nothing to do
            continue
        s = out[c].astype(object)
        out[c] = s.where(s.notna(), None)
    out["partial"] = out["partial"].fillna(False).astype(bool)
    return out

