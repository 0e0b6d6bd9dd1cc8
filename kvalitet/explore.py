"""The analyst's API for JupyterLab: pure functions that return DataFrames, and plot helpers that return a
matplotlib Figure.

::

    from kvalitet import explore
    explore.tables()                                           # what the store holds
    explore.load("complaints", forvaltning=["SOF", "BIF"], received=("2023-01-01", "2023-12-31"))
    rate = explore.indicator("complaint_rate", by=["forvaltning", "area"], period="quarter")
    explore.compare_groups("complaint_upheld_share", by="forvaltning")   # each group against the rest
    explore.trend(explore.indicator("complaint_rate", by=()))            # Mann–Kendall/Sen and the screening GLM
    explore.control_chart("complaint_rate", period="quarter")            # Laney u′/p′ limits and Anhøj runs
    explore.plot_lines(rate, group="area")                               # a Figure; nothing is drawn elsewhere

Every function opens the store **read-only**: ``db`` is a path, an open DuckDB connection, or None for the usual
default (``KVALITET_DB``, else ``data/kvalitet.duckdb``; :func:`kvalitet.store.resolve_db`); ``organisation`` is a
path, an :class:`~kvalitet.organisation.Organisation`, or None for ``KVALITET_ORGANISATION`` /
``parameters/organisation.yaml``. Table and column names are the canonical ones or the Danish ones of the data
contract (``klager``, ``modtaget``, ``enhed``…). A mistake (an unknown table, column, indicator, grouping or
forvaltning) raises :class:`kvalitet.errors.UserError` whose message names what is allowed.

Filters (:func:`load`, and ``forvaltning``/``unit``/``area`` of :func:`indicator`): ``column=value`` (equal),
``column=[a, b]`` (any of the values), ``column=(low, high)`` (an inclusive range, e.g. of dates; ``None`` leaves
that end open).

What these functions return is the analyst's own working data, not a publication: **no counts are suppressed**
(unlike the reports, which apply :mod:`kvalitet.disclosure`). Check the disclosure rule before passing a number on.
"""

from __future__ import annotations

from contextlib import contextmanager
from datetime import date

import duckdb
import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from . import catalogue, contract, periods, screening, store
from . import organisation as org_mod
from .errors import UserError
from .indicators import GROUP_COLUMNS, check_by, compute
from .stats import (ControlChart, bh_qvalues, compare_proportions, compare_rates, control_limits, mann_kendall,
                    sen_slope)

__all__ = ["tables", "columns", "load", "indicator", "compare_groups", "against_rest", "trend", "trend_test",
           "control_chart", "plot_lines", "plot_groups", "plot_control"]

TEST_PROPORTIONS = "z-test for two proportions (pooled variance)"
TEST_RATES = "exact conditional test for two Poisson rates"
#: the trend methods of :func:`trend` (as the screening names them)
TREND_METHODS = ("mann_kendall", "poisson_glm", "binomial_glm")


# ------------------------------------------------------------------------------------------------ the store
@contextmanager
def _connection(db):
    """A read-only connection: ``db`` itself when it is one (left open), else the store at ``db`` (closed after)."""
    if isinstance(db, duckdb.DuckDBPyConnection):
        yield db
        return
    con = store.connect(store.resolve_db(db), read_only=True)
    try:
        yield con
    finally:
        con.close()


def _organisation(organisation) -> org_mod.Organisation:
    if isinstance(organisation, org_mod.Organisation):
        return organisation
    return org_mod.load(organisation)


def _table(name: str) -> contract.Table:
    t = contract.table_for_name(str(name))
    if t is None:
        allowed = ", ".join(f"{t.name} ({t.danish})" for t in contract.TABLES.values())
        raise UserError(f"ukendt tabel {name!r}; tabellerne er: {allowed}")
    return t


def _column(table: contract.Table, name: str) -> str:
    col = contract.header_map(table).get(contract.normalise_header(name))
    if col is None:
        allowed = ", ".join(f"{c.name}" + (f" ({', '.join(c.aliases)})" if c.aliases else "")
                            for c in table.columns if c.type != "pii")
        raise UserError(f"tabellen {table.name} har ingen kolonne {name!r}; kolonnerne er: {allowed}")
    return col


def _check_forvaltninger(values, organisation: org_mod.Organisation) -> None:
    bad = [v for v in values if v not in organisation.codes]
    if bad:
        raise UserError(f"ukendt forvaltning {', '.join(map(repr, bad))}; forvaltningerne i organisationsfilen er: "
                        f"{', '.join(organisation.codes)}")


def _values(value) -> list | None:
    """The values of an 'any of' filter (a list, set or array), else None."""
    if isinstance(value, (list, set, frozenset, np.ndarray, pd.Series, pd.Index)):
        return list(value)
    return None


def _condition(col: str, value) -> tuple[str, list]:
    """SQL condition and parameters for one filter (see the module docstring)."""
    q = f'"{col}"'
    if isinstance(value, tuple):
        if len(value) != 2:
            raise UserError(f"filteret på {col} er en tuple med {len(value)} værdier; et interval er (fra, til)")
        parts, params = [], []
        if value[0] is not None:
            parts.append(f"{q} >= ?")
            params.append(value[0])
        if value[1] is not None:
            parts.append(f"{q} <= ?")
            params.append(value[1])
        return (" AND ".join(parts) or "TRUE"), params
    many = _values(value)
    if many is not None:
        if not many:
            return "FALSE", []
        return f"{q} IN ({', '.join('?' * len(many))})", many
    if value is None:
        return f"{q} IS NULL", []
    return f"{q} = ?", [value]


def tables(db=None) -> pd.DataFrame:
    """Per table of the data contract in the store: its Danish name, number of rows, first and last date (of its
    first date column)."""
    rows = []
    with _connection(db) as con:
        for t in contract.TABLES.values():
            try:
                n = con.execute(f'SELECT count(*) FROM "{t.name}"').fetchone()[0]
            except duckdb.Error:
                continue
            dates = [c.name for c in t.columns if c.type in ("date", "month")]
            first = last = None
            if dates and n:
                first, last = con.execute(f'SELECT min("{dates[0]}"), max("{dates[0]}") FROM "{t.name}"').fetchone()
            rows.append({"table": t.name, "danish": t.danish, "rows": int(n), "date_column": dates[0] if dates else None,
                         "first": first, "last": last})
    return pd.DataFrame(rows, columns=["table", "danish", "rows", "date_column", "first", "last"])


def columns(table: str) -> pd.DataFrame:
    """The columns of a table: canonical name, the Danish names accepted for it, type, allowed categories."""
    t = _table(table)
    return pd.DataFrame([{"column": c.name, "aliases": ", ".join(c.aliases), "type": c.type,
                          "categories": ", ".join(c.categories)} for c in t.columns if c.type != "pii"])


def load(table: str, db=None, organisation=None, columns: list[str] | None = None, limit: int | None = None,
         **filters) -> pd.DataFrame:
    """A table of the store as a DataFrame, filtered (see the module docstring), e.g.
    ``load("klager", forvaltning=["SOF", "BIF"], modtaget=("2023-01-01", "2023-12-31"))``.

    A ``forvaltning`` filter is checked against the organisation file. ``columns`` picks columns (canonical or
    Danish names); ``limit`` caps the number of rows."""
    t = _table(table)
    where, params = [], []
    for name, value in filters.items():
        col = _column(t, name)
        if col == "forvaltning" and value is not None:
            vals = _values(value) or ([] if isinstance(value, tuple) else [value])
            if vals:
                _check_forvaltninger(vals, _organisation(organisation))
        sql, p = _condition(col, value)
        where.append(sql)
        params.extend(p)
    cols = ", ".join(f'"{_column(t, c)}"' for c in columns) if columns else "*"
    sql = f'SELECT {cols} FROM "{t.name}"' + (" WHERE " + " AND ".join(where) if where else "")
    key = ", ".join(f'"{k}"' for k in t.key)
    sql += f" ORDER BY {key}" if key and not columns else ""
    if limit:
        sql += f" LIMIT {int(limit)}"
    with _connection(db) as con:
        return con.execute(sql, params).df()


# ------------------------------------------------------------------------------------------------ indicators
def _where(filters: dict, organisation: org_mod.Organisation) -> dict | None:
    """``indicator``'s filters on forvaltning, unit and area (Danish names too), forvaltninger checked."""
    out = {}
    danish = {"enhed": "unit", "område": "area", "omraade": "area"}
    for name, value in filters.items():
        col = danish.get(str(name).casefold(), str(name).casefold())
        if col not in GROUP_COLUMNS:
            raise UserError(f"kan ikke filtrere en indikator på {name!r}; der kan filtreres på: "
                            f"{', '.join(GROUP_COLUMNS)} (enhed, område)")
        vals = _values(value) if _values(value) is not None else [value]
        if col == "forvaltning":
            _check_forvaltninger(vals, organisation)
        out[col] = vals
    return out or None


def indicator(indicator_id: str, by=("forvaltning",), period: str = "year", start=None, end=None, as_of=None,
              db=None, organisation=None, **filters) -> pd.DataFrame:
    """One indicator of the catalogue (``docs/indikatorer.md``) by any grouping of ``forvaltning``, ``unit``,
    ``area`` (``by=()`` for the whole municipality) and period (month, quarter, half, year, biennium), filtered on
    forvaltning, unit or area: exactly :func:`kvalitet.indicators.compute` for the same call (its columns; a period
    not yet over, or cut by ``start``/``end``, has ``partial`` True)."""
    catalogue.get(indicator_id)  # an unknown id names the known ones
    org = _organisation(organisation)
    where = _where(filters, org)
    with _connection(db) as con:
        return compute(con, [indicator_id], period=period, by=by, start=start, end=end, as_of=as_of,
                       organisation=org, where=where)


def _totals(frame: pd.DataFrame) -> pd.DataFrame:
    return frame[frame["subgroup"].isna()] if "subgroup" in frame else frame


def _group_cols(frame: pd.DataFrame) -> list[str]:
    return [c for c in GROUP_COLUMNS if c in frame and frame[c].notna().any()]


def _one_indicator(frame: pd.DataFrame) -> catalogue.Indicator:
    ids = frame["indicator"].unique()
    if len(ids) != 1:
        raise UserError(f"rammen skal rumme én indikator; den rummer {len(ids)}: {', '.join(map(str, ids))}")
    return catalogue.get(ids[0])


def _by(by) -> tuple[str, ...]:
    out = check_by(by)
    if not out:
        raise UserError("en sammenligning kræver en gruppering: vælg blandt forvaltning, unit, area")
    return out


def compare_groups(indicator_id: str, by="forvaltning", period: str = "year", at: str | None = None,
                   conf: float = 0.95, db=None, organisation=None, **filters) -> pd.DataFrame:
    """Each group against all the other groups together, in one period (``at``, default the latest whole
    period): a share by the pooled z-test for two proportions, a rate by the exact conditional test for two
    Poisson rates (:mod:`kvalitet.stats.compare`); p-values and Benjamini–Hochberg q-values over the groups
    tested. Columns: the group columns, ``numerator``, ``denominator``, ``value``, ``rest_numerator``,
    ``rest_denominator``, ``effect`` (difference of shares, or rate ratio), ``ci_low``, ``ci_high``, ``p_value``,
    ``q_value``, ``test``. Other indicators (counts, medians) have no such test: a UserError says which do."""
    ind = catalogue.get(indicator_id)
    if ind.kind not in ("share", "rate"):
        allowed = [i.id for i in catalogue.CATALOGUE.values() if i.kind in ("share", "rate")]
        raise UserError(f"{indicator_id} er ikke en andel eller rate; grupper kan sammenlignes for: "
                        f"{', '.join(allowed)}")
    by = _by(by)
    frame = _totals(indicator(indicator_id, by=by, period=period, db=db, organisation=organisation, **filters))
    if at is None:
        whole = frame[~frame["partial"].astype(bool) & frame["denominator"].fillna(0).gt(0)]
        if whole.empty:
            raise UserError(f"{indicator_id}: ingen hel periode med data at sammenligne")
        at = max(whole["period"], key=periods.sort_key)
    elif at not in set(frame["period"]):
        raise UserError(f"perioden {at!r} findes ikke; perioderne er: "
                        f"{', '.join(sorted(set(frame['period']), key=periods.sort_key))}")
    cur = frame[(frame["period"] == at) & frame["denominator"].fillna(0).gt(0)].reset_index(drop=True)
    x = cur["numerator"].to_numpy(dtype=float)
    n = cur["denominator"].to_numpy(dtype=float)
    tests = against_rest(ind.kind, x, n, x.sum() - x, n.sum() - n, conf=conf)
    out = cur[["indicator", "period", *by, "numerator", "denominator", "value"]].copy()
    for col in tests.columns:
        out[col] = tests[col].to_numpy()
    return out


def against_rest(kind: str, numerator, denominator, rest_numerator, rest_denominator, conf: float = 0.95
                 ) -> pd.DataFrame:
    """Each group against the rest (``rest_numerator``/``rest_denominator``, e.g. all the other groups together):
    a share (``kind`` "share") by the pooled z-test for two proportions, a rate by the exact conditional test for
    two Poisson rates; one row per group with ``rest_numerator``, ``rest_denominator``, ``effect`` (difference of
    shares, or rate ratio), ``ci_low``, ``ci_high``, ``p_value``, the Benjamini–Hochberg ``q_value`` over the groups
    given, and ``test``."""
    x, n = np.asarray(numerator, dtype=float), np.asarray(denominator, dtype=float)
    rx, rn = np.asarray(rest_numerator, dtype=float), np.asarray(rest_denominator, dtype=float)
    if kind == "share":
        res = compare_proportions(x.astype(int), n.astype(int), rx.astype(int), rn.astype(int), conf=conf)
        effect, test = res.difference, TEST_PROPORTIONS
    else:
        res = compare_rates(x.astype(int), n, rx.astype(int), rn, conf=conf)
        effect, test = res.rate_ratio, TEST_RATES
    p = np.atleast_1d(np.asarray(res.p, dtype=float))
    return pd.DataFrame({
        "rest_numerator": rx.astype("int64"), "rest_denominator": rn.astype("int64"),
        "effect": np.atleast_1d(np.asarray(effect, dtype=float)),
        "ci_low": np.atleast_1d(np.asarray(res.ci_low, dtype=float)),
        "ci_high": np.atleast_1d(np.asarray(res.ci_high, dtype=float)),
        "p_value": p, "q_value": bh_qvalues(p) if len(p) else p, "test": test,
    }, index=range(len(x)))


# ------------------------------------------------------------------------------------------------ trends
def trend_test(values, times=None, conf: float = 0.95) -> pd.DataFrame:
    """Mann–Kendall test and Sen's slope of one series of numbers (``times`` default 0, 1, 2, …): one row with
    ``n``, ``s``, ``var_s``, ``z``, ``p_value``, ``slope`` (per unit of ``times``), ``ci_low``, ``ci_high``."""
    v = np.asarray(values, dtype=float)
    mk = mann_kendall(v)
    sen = sen_slope(v, times=times, conf=conf)
    return pd.DataFrame([{"n": len(v), "s": mk.s, "var_s": mk.var_s, "z": mk.z, "p_value": mk.p,
                          "slope": sen.slope, "ci_low": sen.ci_low, "ci_high": sen.ci_high}])


def trend(frame: pd.DataFrame, method: str | None = None, organisation=None) -> pd.DataFrame:
    """The screening's trend tests (:mod:`kvalitet.screening`) of every series in an indicator frame from
    :func:`indicator`: whole periods only, one row per group and method (``mann_kendall``: Mann–Kendall with
    Sen's slope per year; ``poisson_glm``/``binomial_glm``: the quasi-Poisson/quasi-binomial GLM, estimate a
    rate or odds ratio per year). ``method`` keeps one of them; q-values (Benjamini–Hochberg) are over the rows
    returned. ``direction`` and ``note`` are filled where a series could not be tested (too short, or not
    computable) and say why."""
    ind = _one_indicator(frame)
    if method is not None and method not in TREND_METHODS:
        raise UserError(f"ukendt metode {method!r}; metoderne er: {', '.join(TREND_METHODS)}")
    fits = screening.methods_for(ind.id)
    if method is not None and method not in fits:
        raise UserError(f"metoden {method} passer ikke til {ind.id}; brug: {', '.join(fits)}")
    grain = periods.parse(str(frame["period"].iloc[0])).grain if len(frame) else "year"
    org = _organisation(organisation) if organisation is not None else None
    out = screening.screen_frame(frame, grain, date.max, org.thresholds if org else None)
    if method is not None and len(out):
        out = out[out["method"] == method]
    out = out.drop(columns=["sign"], errors="ignore").reset_index(drop=True)
    out["q_value"] = bh_qvalues(pd.to_numeric(out["p_value"], errors="coerce").to_numpy(dtype=float)) \
        if len(out) else pd.Series(dtype=float)
    return out


# ------------------------------------------------------------------------------------------------ control chart
def _anhoej_columns(chart: ControlChart) -> dict:
    """The Anhøj runs analysis of a :func:`kvalitet.stats.control_limits` result (its ``anhoej`` field), as
    columns."""
    runs = chart.anhoej
    return {"longest_run": runs.longest_run, "longest_run_max": runs.longest_run_max, "crossings": runs.crossings,
            "crossings_min": runs.crossings_min}


def control_chart(indicator_id: str, period: str = "quarter", start=None, end=None, laney: bool = True, db=None,
                  organisation=None, **filters) -> pd.DataFrame:
    """Control-chart data of a rate (u′ chart) or share (p′ chart) for the whole of what ``filters`` select,
    whole periods only: ``period``, ``numerator``, ``denominator``, ``value``, ``center``, ``lcl``, ``ucl`` (a
    rate per 1,000 as the indicator), ``sigma_signal`` (outside the limits), the Anhøj rules (``runs_signal``,
    ``crossings_signal``, ``anhoej_signal``, ``longest_run``, ``longest_run_max``, ``crossings``,
    ``crossings_min``). Laney's correction by default (``laney=False``: plain Shewhart limits)."""
    ind = catalogue.get(indicator_id)
    if ind.kind not in ("share", "rate"):
        allowed = [i.id for i in catalogue.CATALOGUE.values() if i.kind in ("share", "rate")]
        raise UserError(f"{indicator_id} er ikke en andel eller rate; kontroldiagrammer findes for: "
                        f"{', '.join(allowed)}")
    frame = _totals(indicator(indicator_id, by=(), period=period, start=start, end=end, db=db,
                              organisation=organisation, **filters))
    frame = frame[~frame["partial"].astype(bool) & frame["denominator"].fillna(0).gt(0)]
    frame = frame.sort_values("period", key=lambda s: s.map(periods.sort_key)).reset_index(drop=True)
    kind = "u" if ind.kind == "rate" else "p"
    scale = 1000.0 if kind == "u" else 1.0
    if len(frame) < 2:
        raise UserError(f"{indicator_id}: for få hele perioder ({len(frame)}) til et kontroldiagram; mindst 2")
    chart = control_limits(kind, frame["numerator"].astype(float), frame["denominator"].astype(float), laney=laney)
    points = chart.points
    out = pd.DataFrame({"period": frame["period"].astype(str), "numerator": frame["numerator"],
                        "denominator": frame["denominator"]})
    for c in ("value", "center", "lcl", "ucl"):
        out[c] = points[c].to_numpy(dtype=float) * scale
    for c in ("sigma_signal", "runs_signal", "crossings_signal", "anhoej_signal"):
        out[c] = points[c].to_numpy(dtype=bool)
    for c, v in _anhoej_columns(chart).items():
        out[c] = v
    return out


# ------------------------------------------------------------------------------------------------ plots
def _figure(title: str, ylabel: str):
    fig = Figure(figsize=(7.0, 3.8), layout="constrained")
    ax = fig.add_subplot()
    ax.set_title(title, loc="left", fontsize=11)
    ax.set_ylabel(ylabel)
    ax.grid(axis="y", alpha=0.3)
    return fig, ax


def _ticks(ax, labels: list[str]) -> None:
    x = np.arange(len(labels))
    step = max(1, len(labels) // 12)
    ax.set_xticks(x[::step], [labels[i] for i in range(0, len(labels), step)], rotation=45, ha="right")


def plot_lines(frame: pd.DataFrame, group: str | None = None, title: str | None = None,
               partial: bool = False) -> Figure:
    """An indicator frame from :func:`indicator` as lines over the periods: one line per value of ``group`` (a
    group column), or one line (with its confidence band, when the indicator has one) without. Partial periods are
    left out unless ``partial=True``."""
    ind = _one_indicator(frame)
    f = _totals(frame)
    if not partial:
        f = f[~f["partial"].astype(bool)]
    ps = sorted(f["period"].unique(), key=periods.sort_key)
    fig, ax = _figure(title or ind.name, ind.unit)
    x = np.arange(len(ps))
    if group is not None:
        if group not in _group_cols(frame):
            raise UserError(f"{group!r} er ikke en gruppering i rammen; grupperingerne er: "
                            f"{', '.join(_group_cols(frame)) or 'ingen'}")
        wide = f.pivot_table(index="period", columns=group, values="value", aggfunc="first", dropna=False)
        wide = wide.reindex(ps)
        for g in wide.columns:
            ax.plot(x, wide[g].to_numpy(dtype=float), marker="o", markersize=3, label=str(g))
        ax.legend(fontsize=8)
    else:
        if len(_group_cols(f)) and f.groupby(_group_cols(f), dropna=False).ngroups > 1:
            raise UserError(f"rammen har flere grupper; vælg group blandt: {', '.join(_group_cols(f))}")
        s = f.set_index("period").reindex(ps)
        ax.plot(x, s["value"].to_numpy(dtype=float), marker="o")
        if s["ci_low"].notna().any():
            ax.fill_between(x, s["ci_low"].to_numpy(dtype=float), s["ci_high"].to_numpy(dtype=float), alpha=0.2,
                            label="konfidensinterval")
    _ticks(ax, [str(p) for p in ps])
    return fig


def plot_groups(comparison: pd.DataFrame, title: str | None = None) -> Figure:
    """The groups of :func:`compare_groups` as dots with their value, a marker ring on each group whose q-value is
    under 0.05, and the overall value as a dashed line."""
    by = [c for c in GROUP_COLUMNS if c in comparison]
    labels = comparison[by].astype(str).agg(" / ".join, axis=1).tolist()
    fig, ax = _figure(title or f"Grupper, {comparison['period'].iloc[0] if len(comparison) else ''}", "")
    y = np.arange(len(labels))
    value = comparison["value"].to_numpy(dtype=float)
    ax.plot(value, y, "o", linestyle="none")
    sure = comparison["q_value"].to_numpy(dtype=float) < 0.05
    if sure.any():
        ax.plot(value[sure], y[sure], "o", markersize=12, fillstyle="none", linestyle="none", label="q < 0,05")
    if len(comparison):
        scale = 1000.0 if catalogue.get(comparison["indicator"].iloc[0]).kind == "rate" else 1.0
        whole = comparison["numerator"].sum() / comparison["denominator"].sum() * scale
        ax.axvline(whole, linestyle="--", color="grey", label="alle grupper")
    ax.set_yticks(y, labels)
    ax.legend(fontsize=8)
    return fig


def plot_control(chart: pd.DataFrame, title: str | None = None) -> Figure:
    """Control-chart data from :func:`control_chart`: the values, the centre line and the limits as steps;
    points outside the limits marked."""
    labels = chart["period"].astype(str).tolist()
    x = np.arange(len(labels))
    sig = bool(chart["anhoej_signal"].any()) if len(chart) else False
    fig, ax = _figure(title or ("Kontroldiagram" + (" – Anhøj-signal" if sig else "")), "")
    v = chart["value"].to_numpy(dtype=float)
    ax.plot(x, v, marker="o", markersize=4, label="værdi")
    ax.plot(x, chart["center"].to_numpy(dtype=float), linestyle="--" if sig else "-", label="centerlinje")
    ax.step(x, chart["ucl"].to_numpy(dtype=float), where="mid", color="grey", label="kontrolgrænser")
    ax.step(x, chart["lcl"].to_numpy(dtype=float), where="mid", color="grey")
    out = chart["sigma_signal"].to_numpy(dtype=bool)
    if out.any():
        ax.plot(x[out], v[out], "o", color="red", linestyle="none", label="uden for grænserne")
    _ticks(ax, labels)
    ax.legend(fontsize=8)
    return fig
