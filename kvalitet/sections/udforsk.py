"""Exploration inside a report: what the store holds, a table loaded with filters and any indicator as a quick
chart, computed by :mod:`kvalitet.explore` (the analyst's API, which returns data) and shown with the report's
disclosure rule applied."""

from __future__ import annotations

import numpy as np
import pandas as pd

from .. import catalogue, charts, disclosure, explore, formatting, periods
from ..present import Report
from . import common


def overview(rep: Report) -> pd.DataFrame:
    """Rows, first and last date per table in the store (:func:`kvalitet.explore.tables`), as a report table."""
    t = explore.tables(rep.con)
    out = pd.DataFrame({
        "Tabel": t["table"], "Dansk navn": t["danish"], "Rækker": t["rows"].map(formatting.count),
        "Første dato": [formatting.long_date(d) if d else formatting.MISSING for d in t["first"]],
        "Seneste dato": [formatting.long_date(d) if d else formatting.MISSING for d in t["last"]],
    })
    rep.table(disclosure.disclose(out), "Data i databasen")  # numbers of rows, not of persons in a group
    return out


def load(rep: Report, table: str, limit: int | None = None, **filters) -> pd.DataFrame:
    """A table from the store as a DataFrame, filtered as :func:`kvalitet.explore.load` filters, e.g.
    ``load(rep, "complaints", forvaltning="SOF", area="Hjemmehjælp")``."""
    return explore.load(table, db=rep.con, organisation=rep.organisation, limit=limit, **filters)


def indicator(rep: Report, indicator_id: str, period: str = "year", by=("forvaltning",), start=None, end=None,
              **where) -> pd.DataFrame:
    """An indicator from the engine (see docs/indikatorer.md), filtered on forvaltning, unit or area
    (:func:`kvalitet.explore.indicator` with the report's store, organisation and as-of date)."""
    return explore.indicator(indicator_id, by=by, period=period, start=start, end=end, as_of=rep.as_of,
                             db=rep.con, organisation=rep.organisation, **where)


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
