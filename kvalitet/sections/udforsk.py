"""Helpers for interactive exploration (the udforsk notebook): what the store holds, a table loaded with filters,
and any indicator as a quick chart."""

from __future__ import annotations

import duckdb
import numpy as np
import pandas as pd

from .. import catalogue, charts, contract, disclosure, formatting, periods
from ..present import Report
from . import common


def overview(rep: Report) -> pd.DataFrame:
    """Rows, first and last date per table in the store."""
    rows = []
    for name, table in contract.TABLES.items():
        date_cols = [c.name for c in table.columns if c.type in ("date", "month")]
        try:
            n = rep.con.execute(f"SELECT count(*) FROM {name}").fetchone()[0]
        except duckdb.Error:
            continue
        first = last = None
        if date_cols and n:
            first, last = rep.con.execute(f"SELECT min({date_cols[0]}), max({date_cols[0]}) FROM {name}").fetchone()
        rows.append({"Tabel": name, "Dansk navn": common._TABLE_DA.get(name, name), "Rækker": formatting.count(n),
                     "Første dato": formatting.long_date(first) if first else formatting.MISSING,
                     "Seneste dato": formatting.long_date(last) if last else formatting.MISSING})
    out = pd.DataFrame(rows)
    rep.table(disclosure.disclose(out), "Data i databasen")  # numbers of rows, not of persons in a group
    return out


def load(rep: Report, table: str, limit: int | None = None, **filters) -> pd.DataFrame:
    """A table from the store as a DataFrame, filtered on equal values, e.g. ``load(rep, "complaints",
    forvaltning="SOF", area="Hjemmehjælp")``."""
    if table not in contract.TABLES:
        from ..errors import UserError

        raise UserError(f"ukendt tabel '{table}' (findes: {', '.join(contract.TABLES)})")
    cols = contract.TABLES[table].by_name
    where, params = [], []
    for k, v in filters.items():
        if k not in cols:
            from ..errors import UserError

            raise UserError(f"tabellen {table} har ingen kolonne '{k}'")
        where.append(f'"{k}" = ?')
        params.append(v)
    sql = f"SELECT * FROM {table}" + (" WHERE " + " AND ".join(where) if where else "")
    if limit:
        sql += f" LIMIT {int(limit)}"
    return rep.con.execute(sql, params).df()


def indicator(rep: Report, indicator_id: str, period: str = "year", by=("forvaltning",), start=None, end=None,
              **where) -> pd.DataFrame:
    """An indicator from the engine (see docs/indikatorer.md), filtered on forvaltning, unit or area."""
    return common.compute(rep, [indicator_id], period, start, end, by=by, where=where or None)


def chart(rep: Report, frame: pd.DataFrame, group: str | None = None, title: str | None = None) -> None:
    """A quick chart of one indicator from :func:`indicator`: one line per group (or the series with its CI); a
    partial period is left out (see the table for it)."""
    frame = common.complete(common.totals(frame))
    if frame.empty:
        rep.text("*Ingen data at tegne.*")
        return
    ind = catalogue.get(frame["indicator"].iloc[0])
    share = ind.unit == catalogue.UNIT_SHARE
    ps = sorted(frame["period"].unique(), key=periods.sort_key)
    if group and frame[group].nunique() > 1:
        values = frame.pivot_table(index="period", columns=group, values="value", aggfunc="first").reindex(ps)
        nums = frame.pivot_table(index="period", columns=group, values="numerator", aggfunc="first").reindex(ps)
        dens = frame.pivot_table(index="period", columns=group, values="denominator", aggfunc="first").reindex(ps)
        wide = pd.DataFrame({"_period": [str(p) for p in ps]})
        groups = [str(g) for g in values.columns]
        for g, key in zip(groups, values.columns):
            wide[g] = values[key].to_numpy()
            wide[f"_n_{g}"] = nums[key].to_numpy() if key in nums else np.nan
            wide[f"_d_{g}"] = dens[key].to_numpy() if key in dens else np.nan
        d = disclosure.disclose(wide, counts=[f"_{k}_{g}" for g in groups for k in "nd"], row_totals=False,
                                derived={g: [f"_n_{g}", f"_d_{g}"] for g in groups})
        fig = charts.multi_line(d, "_period", groups, title=title or ind.name, ylabel=ind.unit, percent=share,
                                source=rep.source, as_of_label=rep.as_of_label)
    else:
        f = frame.set_index("period").reindex(ps).reset_index()
        d = common.disclose_indicator(f, ind.id)
        fig = charts.series_with_ci(d, "period", "value", "ci_low", "ci_high", title=title or ind.name,
                                    ylabel=ind.unit, percent=share, source=rep.source, as_of_label=rep.as_of_label)
    rep.figure(fig, alt=f"Linjediagram over {ind.name.lower()} pr. periode.")
