"""The indicator engine: every indicator of the catalogue computed from the store, by group and period.

::

    compute(con, indicators=None, period="year", by=("forvaltning",), start=None, end=None, as_of=None,
            organisation=None, where=None) -> pandas.DataFrame

returns the tidy table with the columns :data:`OUTPUT_COLUMNS`:

``indicator, period, forvaltning, unit, area, subgroup, numerator, denominator, value, ci_low, ci_high,
target_low, target_high, status, note, partial``

* One row per indicator × group × period (× sub-group). Groups are any subset of ``forvaltning``, ``unit``,
  ``area`` (``by=()`` for the whole municipality); columns not grouped on are empty (None). Every period from the
  first with data (or ``start``) to ``end``/``as_of`` is present for every group that has data, so a period
  without records shows 0 for counts and no value (with a note) for shares, rates and medians.
* Sub-groups where DESIGN.md names them: complaint kind (``complaints_received``), audit item
  (``audit_item_error_share``), inquiry category (``inquiries_received``), each with a total row whose ``subgroup``
  is empty; ``municipal_reversal_share`` has one row per municipality (in ``subgroup``) and no total;
  ``service_target_share`` grouped by area has a row per servicemål tier (``targets.service_tiers``).
* Shares are fractions (0.186), rates per 1,000 decisions, medians in days. Missing values are NaN (never 0) and
  ``note`` says why in Danish (e.g. "ingen afgørelser i perioden").
* ``numerator``/``denominator`` are whole numbers (pandas ``Int64``; empty where not defined). For the medians
  ``denominator`` is the number of records behind the median; for the Kaplan–Meier median ``numerator`` is the
  number of cases decided (events) and ``denominator`` the number of cases opened; for
  ``open_cases_over_target`` the denominator is the number of open cases with a servicemål at the period's end.
* ``as_of`` is the date the data are seen from: records dated after it are left out, and a case decided after it
  counts as open (censored at ``as_of``). By default each indicator is seen from the as-of date of the exports of
  the tables it reads (``ingest_log``: the latest ``--as-of`` among a table's loads; the earliest of its tables when
  it reads two, as the complaint rate does); a table never loaded through ``kvalitet ingest`` falls back to the
  newest date in the data. A given ``as_of`` caps those dates (:func:`tables_as_of`). ``start``/``end`` limit the
  date that places a record in a period (the catalogue's ``period_date``).
* ``partial`` is True for a period that is not whole: not over at the indicator's as-of date, or cut by
  ``start``/``end``. Partial periods are listed (with what they hold so far) but never tested for trends
  (:mod:`kvalitet.screening`) and never compared with a whole period (:func:`compare_periods`: the latest complete
  period against the one before, a partial one against the same part of the year before).
* A rate (complaints per 1,000 decisions) counts numerator and denominator up to the end of the last whole month
  at its as-of date (decisions are counted by month): at 15 January 2024 no day of January 2024 is counted.
* ``where`` filters on ``forvaltning``, ``unit`` and ``area`` (a value or a list of values). A table without the
  column (inquiries have no area, Danmarkskort no forvaltning) is not filtered on it.

The grouping and counting are done in DuckDB SQL; pandas does the intervals, targets and statuses that follow.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date, datetime

import numpy as np
import pandas as pd

from . import catalogue, contract, formatting, periods
from . import targets as targets_mod
from .errors import UserError
from .organisation import Organisation
from .stats import km_median, poisson_ci, wilson_ci

OUTPUT_COLUMNS = [
    "indicator", "period", "forvaltning", "unit", "area", "subgroup", "numerator", "denominator", "value",
    "ci_low", "ci_high", "target_low", "target_high", "status", "note", "partial",
]
GROUP_COLUMNS = ("forvaltning", "unit", "area")

#: why a row has no value (zero denominator), per indicator
NO_VALUE_NOTES = {
    "complaint_rate": "ingen afgørelser i perioden",
    "complaint_upheld_share": "ingen klager afsluttet med medhold, delvis medhold eller ikke medhold i perioden",
    "complaint_response_days_median": "ingen klager afsluttet i perioden",
    "appeal_reversal_share": "ingen realitetsbehandlede ankesager i perioden",
    "appeal_upheld_share": "ingen realitetsbehandlede ankesager i perioden",
    "processing_days_median": "ingen sager afgjort i perioden",
    "service_target_share": "ingen sager med servicemål afgjort i perioden",
    "processing_days_km_median": "ingen sager oprettet i perioden",
    "audit_error_share": "ingen stikprøvesager med et punkt vurderet ok eller fejl i perioden",
    "audit_item_error_share": "ingen punkter vurderet ok eller fejl i perioden",
    "inquiry_criticism_share": "ingen henvendelser afsluttet i perioden",
    "satisfaction_share": "ingen besvarelser i perioden",
    "municipal_reversal_share": "ingen realitetsbehandlede sager i Danmarkskortet for perioden",
}


# ---------------------------------------------------------------------------------------------------- the query
def _to_date(value, name: str) -> date | None:
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, pd.Timestamp):
        return value.date()
    try:
        return pd.Timestamp(str(value).strip()).date()
    except (ValueError, TypeError):
        raise UserError(f"{name}: {value!r} er ikke en dato (ÅÅÅÅ-MM-DD)") from None


def newest_date(con) -> date | None:
    """The newest date in the data: the default as-of date of a table never loaded through ``kvalitet ingest``
    (no rows in ``ingest_log``, e.g. a test store filled directly); see :func:`tables_as_of`."""
    parts = []
    for t in contract.TABLES.values():
        for c in t.columns:
            if c.type in ("date", "month") and c.name not in ("updated", "assessed"):
                parts.append(f'SELECT max("{c.name}") AS d FROM "{t.name}"')
    try:
        row = con.execute(f"SELECT max(d) FROM ({' UNION ALL '.join(parts)})").fetchone()
    except Exception:  # a store without some table: fall back table by table
        row = None
    if row and row[0] is not None:
        return row[0] if isinstance(row[0], date) else pd.Timestamp(row[0]).date()
    return None


#: every table an indicator reads (the default set of :func:`data_as_of`)
INDICATOR_TABLES = tuple(dict.fromkeys(t for i in catalogue.CATALOGUE.values() for t in i.tables))


def tables_as_of(con, tables=None, as_of=None) -> dict[str, date]:
    """The as-of date of each of ``tables``: the latest export as-of of the table's loads in ``ingest_log``
    (:func:`kvalitet.store.table_as_of`). A table with no loads in the log falls back to the newest date in the data
    (:func:`newest_date`, the rule before exports recorded their as-of), and to today when the store has no dates at
    all. A given ``as_of`` caps every table's date: data are never seen from a date later than their export.

    Without ``tables``: the tables an indicator reads that have loads in the log (all of them when none has)."""
    from . import store

    given = _to_date(as_of, "as_of")
    logged = store.table_as_of(con)
    if tables is None:
        tables = [t for t in INDICATOR_TABLES if t in logged] or INDICATOR_TABLES
    names = list(dict.fromkeys(tables))
    fallback = None
    out = {}
    for t in names:
        d = logged.get(t)
        if d is None:
            if fallback is None:
                fallback = given or newest_date(con) or date.today()
            d = fallback
        out[t] = min(d, given) if given is not None else d
    return out


@dataclass(frozen=True)
class DataAsOf:
    """The as-of dates behind a computation or a report: per table, and the earliest of them (the date that
    decides which periods are complete); what "Metode og data" states (:meth:`sentences`)."""

    #: table → as-of date (see :func:`tables_as_of`)
    tables: dict[str, date]
    #: tables whose date comes from ``ingest_log`` (the others fall back to the newest date in the data)
    logged: tuple[str, ...]
    biennium_start: str = "odd"

    @property
    def earliest(self) -> date:
        return min(self.tables.values())

    @property
    def latest(self) -> date:
        return max(self.tables.values())

    @property
    def differ(self) -> bool:
        return len(set(self.tables.values())) > 1

    def complete(self, period: str) -> periods.Period:
        """The latest complete period of grain ``period``, judged by the earliest as-of date."""
        return periods.latest_complete(self.earliest, period, self.biennium_start)

    def current(self, period: str) -> periods.Period | None:
        """The period that contains the earliest as-of date when it is partial there (else None)."""
        p = periods.parse(periods.label_of(self.earliest, period, self.biennium_start))
        return p if p.end > self.earliest else None

    @property
    def label(self) -> str:
        """``31. januar 2024``, or the range of dates when the tables differ (``15. januar–31. januar 2024``)."""
        if not self.differ:
            return formatting.long_date(self.earliest)
        return periods.range_label(self.earliest, self.latest)

    def sentences(self, period: str | None = None) -> list[str]:
        """The Danish lines for "Metode og data": the date of each table's export, and, when ``period`` is
        given, the latest complete period and why."""
        names = {t: contract.TABLES[t].danish for t in self.tables}
        if not self.differ:
            what = ", ".join(names[t] for t in self.tables)
            lines = [f"Data er opgjort pr. {formatting.long_date(self.earliest)} ({what})."]
        else:
            parts = [f"{names[t]} pr. {formatting.long_date(d)}"
                     for t, d in sorted(self.tables.items(), key=lambda kv: (kv[1], kv[0]))]
            lines = ["Tabellerne er opgjort på forskellige datoer: " + "; ".join(parts) + "."]
        unlogged = [names[t] for t in self.tables if t not in self.logged]
        if unlogged:
            lines.append("Uden registreret eksportdato (opgjort til nyeste dato i data): " + ", ".join(unlogged) + ".")
        if period is not None:
            grain = periods.check_period(period)
            c = self.complete(grain)
            cur = self.current(grain)
            text = f"Seneste hele {periods.PERIOD_NAMES_DA[grain]} er {formatting.period_label(c.label)}"
            if self.differ:
                text += f", vurderet efter den tidligste opgørelsesdato ({formatting.long_date(self.earliest)})"
            if cur is not None:
                text += (f"; {formatting.period_label(cur.label)} er kun delvist med "
                         f"({periods.partial_label(cur.label, self.earliest)}) og sammenlignes kun med samme "
                         "del af året før")
            lines.append(text + ".")
        return lines


def data_as_of(con, tables=None, as_of=None, organisation: Organisation | None = None) -> DataAsOf:
    """The as-of dates of ``tables`` (default: every table an indicator reads that was loaded; see
    :func:`tables_as_of`). When some of them were loaded through ``kvalitet ingest``, a table that was not and is
    empty is left out (it has no data to date)."""
    from . import store

    per = tables_as_of(con, tables, as_of)
    logged = store.table_as_of(con)
    if any(t in logged for t in per):  # a table never loaded and empty has no date to state
        per = {t: d for t, d in per.items() if t in logged or _has_rows(con, t)}
    bstart = periods.check_biennium_start(organisation.biennium_start if organisation is not None else "odd")
    return DataAsOf(per, tuple(t for t in per if t in logged), bstart)


def _has_rows(con, table: str) -> bool:
    try:
        return con.execute(f'SELECT EXISTS (SELECT 1 FROM "{table}")').fetchone()[0]
    except Exception:  # a store without the table
        return False


def indicator_as_of(con, indicator_id: str, as_of=None) -> date:
    """The as-of date of one indicator: the earliest as-of of the tables it reads (catalogue ``tables``)."""
    return min(tables_as_of(con, catalogue.get(indicator_id).tables, as_of).values())


def data_end(indicator_id: str, as_of: date) -> date:
    """The last date an indicator counts data up to at ``as_of``: ``as_of`` itself, except for a rate, whose
    numerator and denominator both stop at the end of the last whole month (decisions are counted by month)."""
    if catalogue.get(indicator_id).kind == "rate":
        return periods.last_whole_month_end(as_of)
    return as_of


@dataclass
class Query:
    """Everything one compute() call needs; the SQL helpers build the shared pieces of each indicator's query."""

    con: object
    period: str
    by: tuple[str, ...]
    start: date | None
    end: date
    as_of: date
    organisation: Organisation | None
    where: dict[str, list]
    biennium_start: str = "odd"
    conf: float = 0.95
    servicemaal: dict[str, int] = field(default_factory=dict)
    #: results of scans shared by several indicators (one pass over a table computes them all), by name
    shared: dict = field(default_factory=dict)

    def once(self, name: str, make) -> pd.DataFrame:
        """``make()`` the first time ``name`` is asked for in this query, a copy of that result afterwards."""
        if name not in self.shared:
            self.shared[name] = make()
        return self.shared[name].copy()

    def groups(self, table: str, alias: str = "") -> str:
        """SELECT list of the three group columns (NULL where not grouped on or not in the table)."""
        cols = contract.TABLES[table].by_name
        a = f"{alias}." if alias else ""
        out = []
        for g in GROUP_COLUMNS:
            if g in self.by and g in cols:
                out.append(f'{a}"{g}" AS "{g}"')
            else:
                out.append(f'NULL::VARCHAR AS "{g}"')
        return ", ".join(out)

    def filters(self, table: str, date_expr: str | None, alias: str = "") -> tuple[list[str], list]:
        """WHERE pieces and parameters: the ``where`` filter, and start ≤ date ≤ min(end, as_of)."""
        cols = contract.TABLES[table].by_name
        a = f"{alias}." if alias else ""
        sql, params = [], []
        for col, values in self.where.items():
            if col in cols:
                sql.append(f'{a}"{col}" IN ({", ".join("?" for _ in values)})')
                params.extend(values)
        if date_expr is not None:
            sql.append(f"{date_expr} IS NOT NULL")
            if self.start is not None:
                sql.append(f"{date_expr} >= ?")
                params.append(self.start)
            sql.append(f"{date_expr} <= ?")
            params.append(min(self.end, self.as_of))
        return sql, params

    def label(self, date_expr: str) -> str:
        """The period of a date in SQL, as a whole number (:func:`periods.index_sql`: cheaper to group on than
        the label); :meth:`run` turns a ``period`` column of these into the labels."""
        return periods.index_sql(date_expr, self.period, self.biennium_start)

    def run(self, sql: str, params: list) -> pd.DataFrame:
        df = self.con.execute(sql, params).df()
        if "period" in df and pd.api.types.is_numeric_dtype(df["period"]):
            codes, uniq = pd.factorize(df["period"].to_numpy())
            labels = [periods.label_of_index(i, self.period, self.biennium_start) for i in uniq]
            df["period"] = np.array(labels + [None], dtype=object)[codes]
        return df

    def servicemaal_sql(self) -> tuple[str, list]:
        """A subquery (area, days) of the organisation's servicemål per area."""
        if not self.servicemaal:
            return "(SELECT NULL::VARCHAR AS area, NULL::BIGINT AS days WHERE FALSE)", []
        values = ", ".join("(?, ?)" for _ in self.servicemaal)
        params = [x for k, v in self.servicemaal.items() for x in (k, int(v))]
        return f"(SELECT area, days::BIGINT AS days FROM (VALUES {values}) AS s(area, days))", params

    def period_grid(self, first: date | None) -> list[periods.Period]:
        lo = self.start or first
        if lo is None:
            return []
        return periods.periods_between(lo, min(self.end, self.as_of), self.period, self.biennium_start)


# ---------------------------------------------------------------------------------------------------- helpers
_KEYS = ["forvaltning", "unit", "area", "subgroup"]


def _where(pieces: list[str]) -> str:
    return ("WHERE " + " AND ".join(pieces)) if pieces else ""


def _ensure_cols(df: pd.DataFrame) -> pd.DataFrame:
    for c in ["forvaltning", "unit", "area", "subgroup", "period"]:
        if c not in df:
            df[c] = None
    for c in ["numerator", "denominator"]:
        if c not in df:
            df[c] = np.nan
    if "note" not in df:
        df["note"] = None
    return df


def _first_date(df: pd.DataFrame) -> date | None:
    if "first" not in df or df.empty or df["first"].isna().all():
        return None
    v = df["first"].min()
    return pd.Timestamp(v).date()


def _group_codes(df: pd.DataFrame, cols: list[str]) -> tuple[np.ndarray, np.ndarray]:
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


def _complete(df: pd.DataFrame, q: Query, fill: dict) -> pd.DataFrame:
    """Every (group, sub-group) with data × every period in the range; missing cells filled with ``fill``.

    The groups come in the order they first appear in ``df``, each with the periods in order (as a cross join
    of the distinct keys and the periods, left-merged with ``df``, would give); cells are placed by integer
    positions rather than by merging on the text keys.
    """
    df = _ensure_cols(df)
    grid = q.period_grid(_first_date(df))
    if "first" in df:
        df = df.drop(columns="first")
    if df.empty or not grid:
        return df
    labels = np.array([p.label for p in grid], dtype=object)
    n_p = len(labels)
    gcode, first_rows = _group_codes(df, _KEYS)
    n_g = len(first_rows)
    pos = pd.Index(labels).get_indexer(df["period"].to_numpy(dtype=object))
    ok = pos >= 0
    target = gcode[ok] * n_p + pos[ok]
    seen = np.zeros(n_g * n_p, dtype=bool)
    seen[target] = True
    every = bool(seen.all())
    out = {c: df[c].take(first_rows).repeat(n_p).reset_index(drop=True) for c in _KEYS}
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


def _add_totals(df: pd.DataFrame, cols=("numerator", "denominator")) -> pd.DataFrame:
    """Append a total row (subgroup None) per group and period, summing ``cols`` over the sub-groups."""
    if df.empty:
        return df
    keys = ["forvaltning", "unit", "area", "period"]
    tot = df.groupby(keys, dropna=False, sort=False)[list(cols)].sum(min_count=1).reset_index()
    tot["subgroup"] = None
    return pd.concat([tot, df], ignore_index=True)


def _share_values(df: pd.DataFrame, ind: str, conf: float) -> pd.DataFrame:
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
    _note_missing(df, ind)
    return df


def _note_missing(df: pd.DataFrame, ind: str) -> None:
    missing = df["value"].isna().to_numpy()
    if missing.any():
        text = NO_VALUE_NOTES.get(ind, "ingen data i perioden")
        df["note"] = _join_notes(df["note"], pd.Series(np.where(missing, text, None), index=df.index))


def _join_notes(a: pd.Series, b: pd.Series) -> pd.Series:
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


# ---------------------------------------------------------------------------------------------------- indicators
def _received_by_kind(q: Query) -> pd.DataFrame:
    """Complaints by group, period received and kind (one scan for complaints_received and complaint_rate)."""
    def make():
        w, p = q.filters("complaints", "received")
        return q.run(
            f"SELECT {q.groups('complaints')}, {q.label('received')} AS period, kind AS subgroup, "
            f"count(*) AS numerator, min(received) AS first FROM complaints {_where(w)} GROUP BY ALL", p)
    return q.once("complaints_received", make)


def _complaints_received(q: Query, ind: str) -> pd.DataFrame:
    df = _received_by_kind(q)
    df = _complete(df, q, {"numerator": 0})
    df = _add_totals(df, cols=("numerator",))
    df["denominator"] = np.nan
    df["value"] = pd.to_numeric(df["numerator"]).astype(float)
    return df


def _complaint_rate(q: Query, ind: str) -> pd.DataFrame:
    # numerator and denominator both stop at the end of the last whole month (decisions are counted by month)
    hi = min(q.end, q.as_of)
    cut = data_end(ind, hi)
    qc = q if cut == hi else replace(q, end=cut, shared={})
    # the numerator: the complaints of every kind together (the key columns as they came from the store)
    rb = _received_by_kind(qc)
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
        f"min(month) AS first FROM decisions {_where(w2)} GROUP BY ALL", p2)
    keys = ["forvaltning", "unit", "area", "period"]
    df = num.merge(den, on=keys, how="outer", suffixes=("", "_d"))
    if "first_d" in df:
        df["first"] = pd.concat([pd.to_datetime(df["first"]), pd.to_datetime(df["first_d"])], axis=1).min(axis=1)
        df = df.drop(columns="first_d")
    df = _complete(df, q, {"numerator": 0, "denominator": 0})
    n = pd.to_numeric(df["numerator"]).fillna(0).to_numpy(dtype=float)
    d = pd.to_numeric(df["denominator"]).fillna(0).to_numpy(dtype=float)
    df["numerator"], df["denominator"] = n, d
    safe = np.where(d > 0, d, np.nan)
    df["value"] = n / safe * 1000.0
    low, high = poisson_ci(n, conf=q.conf, method="exact")
    df["ci_low"] = np.asarray(low, dtype=float) / safe * 1000.0
    df["ci_high"] = np.asarray(high, dtype=float) / safe * 1000.0
    if cut < hi:
        _note_cut(df, cut)
    _note_missing(df, ind)
    return df


def _note_cut(df: pd.DataFrame, cut: date) -> None:
    """Note on the periods that end after ``cut`` (a rate's last whole month) what they hold."""
    spans = {lab: periods.parse(lab) for lab in df["period"].dropna().unique()}
    notes = [None if lab not in spans or spans[lab].end <= cut
             else "ingen hele måneder i perioden endnu" if spans[lab].start > cut
             else f"opgjort til og med {formatting.long_date(cut)} (sidste hele måned)"
             for lab in df["period"]]
    df["note"] = _join_notes(df["note"], pd.Series(notes, index=df.index, dtype=object))


def _share_from(q: Query, ind: str, df: pd.DataFrame, totals: bool = False) -> pd.DataFrame:
    df = _complete(df, q, {"numerator": 0, "denominator": 0})
    if totals:
        df = _add_totals(df)
    return _share_values(df, ind, q.conf)


def _simple_share(q: Query, ind: str, table: str, date_col: str, num_expr: str, den_expr: str,
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
        f"min({date_col}) AS first FROM {table} {_where(w)} GROUP BY ALL", p)
    df = _complete(df, q, {"numerator": 0, "denominator": 0})
    if totals:
        df = _add_totals(df)
    return _share_values(df, ind, q.conf)


def _in(values) -> str:
    return "(" + ", ".join("'" + v.replace("'", "''") + "'" for v in values) + ")"


_MEDIAN_COLS = ["forvaltning", "unit", "area", "period", "value", "denominator", "first"]
_SHARE_COLS = ["forvaltning", "unit", "area", "period", "numerator", "denominator", "first"]


def _complaints_closed(q: Query) -> pd.DataFrame:
    """Complaints by group and period closed: the upheld share's counts and the response-time median (one scan)."""
    def make():
        w, p = q.filters("complaints", "closed")
        return q.run(
            f"SELECT {q.groups('complaints')}, {q.label('closed')} AS period, "
            "count(*) FILTER (WHERE outcome IN ('medhold', 'delvis medhold')) AS numerator, "
            "count(*) FILTER (WHERE outcome IN ('medhold', 'delvis medhold', 'ikke medhold')) AS denominator, "
            "median(datediff('day', received, closed))::DOUBLE AS value, count(*) AS n, "
            f"min(closed) AS first FROM complaints {_where(w)} GROUP BY ALL", p)
    return q.once("complaints_closed", make)


def _complaint_upheld_share(q: Query, ind: str) -> pd.DataFrame:
    return _share_from(q, ind, _complaints_closed(q)[_SHARE_COLS])


def _appeal_share(q: Query, ind: str, numerator_outcomes) -> pd.DataFrame:
    return _simple_share(
        q, ind, "appeals", "decided", f"outcome IN {_in(numerator_outcomes)}",
        f"outcome IN {_in(contract.APPEAL_MERITS)}")


def _median(q: Query, ind: str, table: str) -> pd.DataFrame:
    """The median days of closed complaints or decided cases (from the scan shared with the share indicator)."""
    df = (_complaints_closed(q) if table == "complaints" else _cases_decided(q))
    df = df.drop(columns="denominator").rename(columns={"n": "denominator"})[_MEDIAN_COLS]
    df = _complete(df, q, {"denominator": 0})
    df["numerator"] = np.nan
    df["ci_low"] = np.nan
    df["ci_high"] = np.nan
    _note_missing(df, ind)
    return df


def _case_target_sql(q: Query) -> tuple[str, list]:
    """cases with their target days: own target_days, else the servicemål of their area."""
    sm, sp = q.servicemaal_sql()
    return (
        f"(SELECT c.*, COALESCE(c.target_days, s.days) AS target FROM cases c LEFT JOIN {sm} s ON c.area = s.area)",
        sp,
    )


def _cases_decided(q: Query) -> pd.DataFrame:
    """Cases by group and period decided: the servicemål counts and the processing-time median (one scan)."""
    def make():
        src, sp = _case_target_sql(q)
        w, p = q.filters("cases", "decided")
        w.append("decided <= ?")
        p.append(q.as_of)
        return q.run(
            f"SELECT {q.groups('cases')}, {q.label('decided')} AS period, "
            "count(*) FILTER (WHERE target IS NOT NULL AND datediff('day', opened, decided) <= target) "
            "AS numerator, count(*) FILTER (WHERE target IS NOT NULL) AS denominator, "
            "count(*) FILTER (WHERE target IS NULL) AS no_target, "
            "median(datediff('day', opened, decided))::DOUBLE AS value, count(*) AS n, min(decided) AS first "
            f"FROM {src} AS c {_where(w)} GROUP BY ALL", sp + p)
    return q.once("cases_decided", make)


def _service_target_share(q: Query, ind: str) -> pd.DataFrame:
    df = _cases_decided(q)[["forvaltning", "unit", "area", "period", "numerator", "denominator", "no_target",
                            "first"]]
    df = _complete(df, q, {"numerator": 0, "denominator": 0, "no_target": 0})
    if "no_target" in df:
        nt = pd.to_numeric(df["no_target"]).fillna(0).astype(int)
        df["note"] = _join_notes(
            df["note"],
            pd.Series(np.where(nt > 0, [f"{k} {'afgjort sag' if k == 1 else 'afgjorte sager'} uden servicemål "
                                        "er udeladt" for k in nt], None), index=df.index))
        df = df.drop(columns="no_target")
    tiers = q.organisation.targets.service_tiers if q.organisation is not None else {}
    if tiers and "area" in q.by:
        rows = [(a, t.days, t.share) for a, ts in tiers.items() for t in ts]
        values = ", ".join("(?, ?, ?)" for _ in rows)
        tp = [x for r in rows for x in r]
        w2, p2 = q.filters("cases", "decided", alias="c")
        w2.append("c.decided <= ?")
        p2.append(q.as_of)
        tdf = q.run(
            f"SELECT {q.groups('cases', 'c')}, {q.label('c.decided')} AS period, "
            "'inden for ' || t.days::VARCHAR || ' dage' AS subgroup, max(t.share) AS _target_low, "
            "count(*) FILTER (WHERE datediff('day', c.opened, c.decided) <= t.days) AS numerator, "
            "count(*) AS denominator, min(c.decided) AS first "
            f"FROM cases c JOIN (SELECT * FROM (VALUES {values}) AS v(area, days, share)) t ON c.area = t.area "
            f"{_where(w2)} GROUP BY ALL", tp + p2)
        tdf = _complete(tdf, q, {"numerator": 0, "denominator": 0})
        df = pd.concat([df, tdf], ignore_index=True)
    return _share_values(df, ind, q.conf)


def _km_median(q: Query, ind: str) -> pd.DataFrame:
    w, p = q.filters("cases", "opened")
    obs = "(decided IS NOT NULL AND decided <= ?)"
    base = (
        f"SELECT {q.groups('cases')}, {q.label('opened')} AS period, "
        f"datediff('day', opened, CASE WHEN {obs} THEN decided ELSE ?::DATE END) AS d, {obs} AS obs, opened "
        f"FROM cases {_where(w)}")
    bp = [q.as_of, q.as_of, q.as_of] + p
    h = "hash(forvaltning, unit, area, period)"
    keys = ["forvaltning", "unit", "area", "period"]
    cols = keys + ["numerator", "denominator", "value", "ci_low", "ci_high", "note", "first"]
    # the groups (with a 64-bit hash of their key), then per group × duration the cases decided by the as-of date
    # (events) and all cases, as numbers only, in the order of the hash and the duration
    groups = q.run(f"SELECT forvaltning, unit, area, period, {h} AS h, min(opened) AS first FROM ({base}) "
                   "GROUP BY ALL ORDER BY h", bp)
    if groups.empty:
        out = pd.DataFrame(columns=cols)
    else:
        gh = groups["h"].to_numpy(dtype=np.uint64)
        rows = q.con.execute(
            f"SELECT {h} AS h, d, count(*) FILTER (WHERE obs) AS ev, count(*) AS n FROM ({base}) GROUP BY ALL "
            "ORDER BY h, d", bp).fetchnumpy()
        if np.unique(gh).size == gh.size:
            gid = np.searchsorted(gh, np.asarray(rows["h"], dtype=np.uint64))
        else:  # two groups with the same hash (practically never): number the groups by their key instead
            groups = groups.drop(columns="h").reset_index(drop=True)
            found = q.run(
                f"SELECT forvaltning, unit, area, period, d, count(*) FILTER (WHERE obs) AS ev, count(*) AS n "
                f"FROM ({base}) GROUP BY ALL", bp)
            numbered = groups[keys].astype(object).assign(_gid=np.arange(len(groups)))
            found = found.astype({k: object for k in keys}).merge(numbered, on=keys, how="left")
            order = np.lexsort((found["d"].to_numpy(), found["_gid"].to_numpy()))
            rows = {c: found[c].to_numpy()[order] for c in ("d", "ev", "n")}
            gid = found["_gid"].to_numpy(dtype=np.int64)[order]
        first = groups["first"].min()
        out = _km_groups(groups[keys].reset_index(drop=True), gid,
                         np.asarray(rows["d"], dtype=float), np.asarray(rows["ev"], dtype=np.int64),
                         np.asarray(rows["n"], dtype=np.int64), q.conf)
        out["first"] = first
        out = out[cols]
    out = _complete(out, q, {"numerator": 0, "denominator": 0})
    empty = pd.to_numeric(out["denominator"]).fillna(0) == 0
    out.loc[empty, "note"] = NO_VALUE_NOTES[ind]
    return out


def _segmented_cumsum(values: np.ndarray, starts: np.ndarray, lengths: np.ndarray) -> np.ndarray:
    """Cumulative sums restarting at each segment (contiguous ``values[start:start + length]``).

    Each segment's sums are added in the same order as ``np.cumsum`` of that segment alone (the running sum plus
    the next value), so the results are bit-for-bit those of a loop over the segments; the loop here runs over the
    positions within a segment instead, for all segments at once.
    """
    out = np.array(values, dtype=float, copy=True)
    if out.size == 0:
        return out
    order = np.argsort(-lengths, kind="stable")
    lens = lengths[order]
    sts = starts[order]
    neg = -lens
    for pos in range(1, int(lens[0])):
        k = int(np.searchsorted(neg, -pos, side="left"))  # segments longer than pos
        idx = sts[:k] + pos
        out[idx] += out[idx - 1]
    return out


def _km_groups(uniques: pd.DataFrame, gid: np.ndarray, d: np.ndarray, ev: np.ndarray, n: np.ndarray,
               conf: float) -> pd.DataFrame:
    """Kaplan–Meier median and CI of every group (row ``g`` of ``uniques``).

    Input: one element per group × duration, sorted by group (``gid``) and duration ``d``; ``ev`` cases decided
    after ``d`` days (events), ``n`` cases with that duration (events and censored).
    The same numbers, floating point operation for floating point operation, as :func:`kvalitet.stats.km_median`
    on each group's cases (statsmodels ``SurvfuncRight``: product-limit estimate over the event times, Greenwood
    standard errors, ``quantile(0.5)``, ``quantile_ci(0.5, method="log")``), computed for all groups at once.
    """
    from scipy.stats import norm

    if (d < 0).any() or not np.isfinite(d).all():  # km_median raises the error that explains it
        bad = np.flatnonzero((d < 0) | ~np.isfinite(d))[0]
        km_median([d[bad]], [bool(ev[bad])], conf=conf)
    ngroups = len(uniques)
    g_n = np.bincount(gid, weights=n, minlength=ngroups).astype(np.int64)
    g_ev = np.bincount(gid, weights=ev, minlength=ngroups).astype(np.int64)
    g_tmax = d[np.cumsum(np.bincount(gid, minlength=ngroups)) - 1]  # the longest duration: each group's last
    # at risk just before each time: the group's cases minus those with a shorter time (integers: exact)
    csum = np.cumsum(n)
    g_start_c = np.concatenate(([0], np.cumsum(g_n)[:-1]))
    at_risk = g_n[gid] - (csum - n - g_start_c[gid])
    # event times only (SurvfuncRight compresses to them)
    keep = ev > 0
    kg, kt, kd, kn = gid[keep], d[keep], ev[keep].astype(float), at_risk[keep]
    k_len = np.bincount(kg, minlength=ngroups)
    k_start = np.concatenate(([0], np.cumsum(k_len)[:-1]))
    sp = 1 - kd / kn.astype(np.float64)
    tiny = sp < 1e-16
    sp[tiny] = 1e-16
    sp = np.exp(_segmented_cumsum(np.log(sp), k_start, k_len))
    sp[tiny] = 0
    denom = np.clip(kn * (kn - kd), 1e-12, np.inf)
    se = kd / denom.astype(np.float64)
    se[(kn == kd) | (kn == 0)] = np.nan
    se = np.sqrt(_segmented_cumsum(se, k_start, k_len))
    locs = np.isfinite(se) | (sp != 0)
    se[locs] *= sp[locs]
    se[~locs] = np.nan
    pos = np.arange(kg.size) - k_start[kg]
    last = k_len - 1

    def first_where(mask):
        """Per group: position of the first element where mask holds, or -1."""
        res = np.full(ngroups, -1, dtype=np.int64)
        g, i = np.unique(kg[mask], return_index=True)
        res[g] = pos[mask][i]
        return res

    def last_where(mask):
        res = np.full(ngroups, -1, dtype=np.int64)
        m = np.flatnonzero(mask)[::-1]
        g, i = np.unique(kg[m], return_index=True)
        res[g] = pos[m][i]
        return res

    has = g_ev > 0
    median = np.full(ngroups, np.nan)
    below = first_where(sp < 0.5)
    ok = has & (below >= 0)
    median[ok] = kt[k_start[ok] + below[ok]]
    half = first_where(np.isclose(sp, 0.5, rtol=0.0, atol=1e-12))
    ok = has & (half >= 0) & (half + 1 < k_len)
    median[ok] = (kt[k_start[ok] + half[ok]] + kt[k_start[ok] + half[ok] + 1]) / 2.0
    surv_min = np.full(ngroups, np.nan)
    if kg.size:
        surv_min[k_len > 0] = np.minimum.reduceat(sp, k_start[k_len > 0])
    tr = norm.ppf(1 - (1.0 - conf) / 2)
    with np.errstate(divide="ignore", invalid="ignore"):
        r = np.log(sp) - np.log(0.5)
        r /= ((1 / sp) * se)
        inside = np.abs(r) <= tr
    lo_i, hi_i = first_where(inside), last_where(inside)
    lo = np.full(ngroups, np.nan)
    hi = np.full(ngroups, np.nan)
    ok = has & (lo_i >= 0)
    lo[ok] = kt[k_start[ok] + lo_i[ok]]
    inf = ok & (hi_i == last)
    fin = ok & (hi_i < last)
    hi[inf] = np.inf
    hi[fin] = kt[k_start[fin] + hi_i[fin] + 1]
    notes = np.full(ngroups, None, dtype=object)
    for g in np.flatnonzero(~has | np.isnan(median) | np.isinf(hi) | np.isnan(lo)):
        if not has[g]:
            notes[g] = "ingen afsluttede sager: medianen kan ikke beregnes (alle sager er stadig åbne)"
            continue
        parts = []
        if np.isnan(median[g]):
            parts.append(
                f"medianen er ikke nået: mindst halvdelen af sagerne var stadig åbne ved sidste observation "
                f"(t = {float(g_tmax[g]):g}; laveste Ŝ = {float(surv_min[g]):.3f})")
        if np.isinf(hi[g]):
            parts.append("øvre konfidensgrænse ikke nået inden for opfølgningstiden (uendelig; R viser NA)")
        if np.isnan(lo[g]):
            parts.append("konfidensinterval kan ikke beregnes (for få afsluttede sager omkring 50 %)")
        notes[g] = "; ".join(parts) or None
    out = uniques.reset_index(drop=True)
    out["numerator"] = g_ev
    out["denominator"] = g_n
    out["value"] = median
    out["ci_low"] = lo
    out["ci_high"] = np.where(np.isfinite(hi), hi, np.nan)
    out["note"] = notes
    return out


def _open_cases_over_target(q: Query, ind: str) -> pd.DataFrame:
    src, sp = _case_target_sql(q)
    w, p = q.filters("cases", None, alias="c")
    first_row = q.con.execute(
        f"SELECT min(opened) FROM cases c {_where(w + ['opened <= ?'])}", p + [min(q.end, q.as_of)]).fetchone()
    first = first_row[0] if first_row else None
    grid = q.period_grid(first)
    cols = ["forvaltning", "unit", "area", "period", "numerator", "denominator"]
    if not grid:
        return _ensure_cols(pd.DataFrame(columns=cols))
    # A case is open at the end of period i (pend_i, the as-of date for the last period) when opened <= pend_i <
    # decided: for i in [a, b), a and b the first periods whose pend is on or after opened and decided. It is over
    # its target there when also pend_i - opened > target: from c, the first period with pend >= opened + target + 1.
    # Counting +1 at the first and -1 at the end of each case's span, the running sum over the periods gives the
    # same counts as joining every case with every period end, in one pass over the cases.
    n = len(grid)
    k = periods.MONTHS[q.period]
    s0, pend_last = grid[0].start, min(grid[-1].end, q.end, q.as_of)

    def first_on_or_after(x: str) -> str:
        idx = f"(((year({x}) - {s0.year}) * 12 + month({x}) - {s0.month}) // {k})"
        return (f"(CASE WHEN {x} IS NULL OR {x} > ?::DATE THEN {n} WHEN {x} < ?::DATE THEN 0 "
                f"ELSE {idx} END)")

    bp = [pend_last, s0]
    labels = ", ".join("(?, ?)" for _ in grid)
    lp = [x for i, g in enumerate(grid) for x in (i, g.label)]
    keys = ", ".join(f'"{g}"' for g in GROUP_COLUMNS)
    same = " AND ".join(f'f."{g}" IS NOT DISTINCT FROM e."{g}"' for g in GROUP_COLUMNS)
    df = q.run(
        f"WITH spans AS MATERIALIZED (SELECT *, greatest(a, c) AS m FROM ("
        f"SELECT {q.groups('cases', 'c')}, {first_on_or_after('c.opened')} AS a, "
        f"{first_on_or_after('c.decided')} AS b, "
        f"{first_on_or_after('(c.opened + (c.target + 1)::INTEGER)')} AS c, c.target IS NOT NULL AS t "
        f"FROM {src} AS c {_where(w)}) WHERE a < b), "
        "steps AS ("
        "SELECT " + keys + ", a AS i, count(*) FILTER (WHERE t) AS dden, count(*) FILTER (WHERE NOT t) AS dnt, "
        "0 AS dnum FROM spans GROUP BY ALL "
        "UNION ALL SELECT " + keys + ", b, -count(*) FILTER (WHERE t), -count(*) FILTER (WHERE NOT t), 0 "
        "FROM spans GROUP BY ALL "
        "UNION ALL SELECT " + keys + ", m, 0, 0, count(*) FROM spans WHERE t AND m < b GROUP BY ALL "
        "UNION ALL SELECT " + keys + ", b, 0, 0, -count(*) FROM spans WHERE t AND m < b GROUP BY ALL), "
        "e AS (SELECT " + keys + ", i, sum(dden) AS dden, sum(dnt) AS dnt, sum(dnum) AS dnum FROM steps "
        "GROUP BY ALL), "
        f"g AS (SELECT i::BIGINT AS i, label FROM (VALUES {labels}) AS v(i, label)), "
        "f AS (SELECT * FROM (SELECT DISTINCT " + keys + " FROM spans), g), "
        "r AS (SELECT " + ", ".join(f'f."{g}"' for g in GROUP_COLUMNS) + ", f.i, f.label AS period, "
        "sum(coalesce(e.dnum, 0)) OVER w AS numerator, sum(coalesce(e.dden, 0)) OVER w AS denominator, "
        f"sum(coalesce(e.dnt, 0)) OVER w AS no_target FROM f LEFT JOIN e ON {same} AND f.i = e.i "
        "WINDOW w AS (PARTITION BY " + ", ".join(f'f."{g}"' for g in GROUP_COLUMNS) + " ORDER BY f.i "
        "ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW)) "
        "SELECT " + keys + ", period, numerator::BIGINT AS numerator, denominator::BIGINT AS denominator, "
        "no_target::BIGINT AS no_target FROM r WHERE denominator + no_target > 0",
        bp * 3 + sp + p + lp)
    df["first"] = first
    df = _complete(df, q, {"numerator": 0, "denominator": 0, "no_target": 0})
    nt = pd.to_numeric(df.get("no_target", pd.Series(0, index=df.index))).fillna(0).astype(int)
    note = np.full(len(df), None, dtype=object)
    some = (nt > 0).to_numpy()
    note[some] = [f"{k} {'åben sag' if k == 1 else 'åbne sager'} uden servicemål er ikke talt med" for k in nt[some]]
    df["note"] = pd.Series(note, index=df.index, dtype=object)
    df = df.drop(columns=[c for c in ["no_target"] if c in df])
    df["value"] = pd.to_numeric(df["numerator"]).astype(float)
    return df


def _audit_error_share(q: Query, ind: str) -> pd.DataFrame:
    w, p = q.filters("audits", "audit_date")
    df = q.run(
        f"WITH per_case AS (SELECT {q.groups('audits')}, {q.label('audit_date')} AS period, audit_id, "
        "bool_or(result = 'fejl') AS has_error, bool_or(result IN ('ok', 'fejl')) AS judged, "
        f"min(audit_date) AS first FROM audits {_where(w)} GROUP BY ALL) "
        "SELECT forvaltning, unit, area, period, count(*) FILTER (WHERE has_error) AS numerator, "
        "count(*) FILTER (WHERE judged) AS denominator, min(first) AS first FROM per_case GROUP BY ALL", p)
    df = _complete(df, q, {"numerator": 0, "denominator": 0})
    return _share_values(df, ind, q.conf)


def _audit_item_error_share(q: Query, ind: str) -> pd.DataFrame:
    return _simple_share(q, ind, "audits", "audit_date", "result = 'fejl'", "result IN ('ok', 'fejl')",
                         subgroup="item", totals=True)


def _inquiries_received(q: Query, ind: str) -> pd.DataFrame:
    w, p = q.filters("inquiries", "received")
    df = q.run(
        f"SELECT {q.groups('inquiries')}, {q.label('received')} AS period, category AS subgroup, "
        f"count(*) AS numerator, min(received) AS first FROM inquiries {_where(w)} GROUP BY ALL", p)
    df = _complete(df, q, {"numerator": 0})
    df = _add_totals(df, cols=("numerator",))
    df["denominator"] = np.nan
    df["value"] = pd.to_numeric(df["numerator"]).astype(float)
    return df


def _inquiry_criticism_share(q: Query, ind: str) -> pd.DataFrame:
    return _simple_share(q, ind, "inquiries", "closed", "criticism IS TRUE", "TRUE")


def _labelled_share(q: Query, ind: str, raw: pd.DataFrame) -> pd.DataFrame:
    """Place rows labelled with their own period (``label``) into the requested grain; sum and compute shares."""
    keys = ["forvaltning", "unit", "area", "subgroup"]
    if raw.empty:
        return _ensure_cols(raw.drop(columns=["label"]))
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
    df = _complete(df, q, {"numerator": 0, "denominator": 0})
    out = _share_values(df, ind, q.conf)
    if len(unfit) and not out.empty:
        n = len(unfit)
        what = "1 opgørelse dækker" if n == 1 else f"{n} opgørelser dækker"
        note = f"{what} mere end {periods.ONE_DA[q.period]} og er udeladt"
        out["note"] = _join_notes(out["note"], pd.Series(note, index=out.index))
    return out


def _satisfaction_share(q: Query, ind: str) -> pd.DataFrame:
    w, p = q.filters("satisfaction", None)
    raw = q.run(
        f"SELECT {q.groups('satisfaction')}, NULL::VARCHAR AS subgroup, period AS label, "
        f"sum(satisfied) AS numerator, sum(respondents) AS denominator FROM satisfaction {_where(w)} GROUP BY ALL", p)
    return _labelled_share(q, ind, raw)


def _municipal_reversal_share(q: Query, ind: str) -> pd.DataFrame:
    w, p = q.filters("municipal_appeals", None)
    raw = q.run(
        f"SELECT {q.groups('municipal_appeals')}, municipality AS subgroup, year::VARCHAR AS label, "
        "sum(changed + remitted) AS numerator, sum(upheld + changed + remitted) AS denominator "
        f"FROM municipal_appeals {_where(w)} GROUP BY ALL", p)
    return _labelled_share(q, ind, raw)


#: indicators whose records carry a period label rather than a date: a part of a period cannot be taken from them
PERIOD_LABELLED = ("satisfaction_share", "municipal_reversal_share")

_FUNCS = {
    "complaints_received": _complaints_received,
    "complaint_rate": _complaint_rate,
    "complaint_upheld_share": _complaint_upheld_share,
    "complaint_response_days_median": lambda q, i: _median(q, i, "complaints"),
    "appeal_reversal_share": lambda q, i: _appeal_share(q, i, contract.APPEAL_REVERSED),
    "appeal_upheld_share": lambda q, i: _appeal_share(q, i, ("stadfæstet",)),
    "processing_days_median": lambda q, i: _median(q, i, "cases"),
    "service_target_share": _service_target_share,
    "processing_days_km_median": _km_median,
    "open_cases_over_target": _open_cases_over_target,
    "audit_error_share": _audit_error_share,
    "audit_item_error_share": _audit_item_error_share,
    "inquiries_received": _inquiries_received,
    "inquiry_criticism_share": _inquiry_criticism_share,
    "satisfaction_share": _satisfaction_share,
    "municipal_reversal_share": _municipal_reversal_share,
}
assert set(_FUNCS) == set(catalogue.IDS)


# ---------------------------------------------------------------------------------------------------- public API
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
    start_d = _to_date(start, "start")
    end_d = _to_date(end, "end") or as_of_d
    if start_d is not None and start_d > end_d:
        raise UserError(f"startdatoen {start_d} ligger efter slutdatoen {end_d}")
    bstart = periods.check_biennium_start(organisation.biennium_start if organisation is not None else "odd")
    conf = organisation.thresholds.conf if organisation is not None else 0.95
    return Query(
        con=con, period=grain, by=check_by(by), start=start_d, end=end_d, as_of=as_of_d, organisation=organisation,
        where=check_where(where), biennium_start=bstart, conf=conf,
        servicemaal=dict(organisation.servicemaal) if organisation is not None else {},
    )


def compute(con, indicators: list[str] | None = None, period: str = "year", by=("forvaltning",), start=None,
            end=None, as_of=None, organisation: Organisation | None = None,
            where: dict | None = None) -> pd.DataFrame:
    """Compute indicators from the store; see the module docstring for the table returned."""
    ids = check_indicators(indicators)
    per = tables_as_of(con, INDICATOR_TABLES, as_of)
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
        df = _FUNCS[ind](qi, ind)
        df = _ensure_cols(df)
        for c in ("value", "ci_low", "ci_high"):
            if c not in df:
                df[c] = np.nan
        df["indicator"] = ind
        df["partial"] = _partial_flags(df["period"], qi)
        frames.append(df)
    frames = [f for f in frames if not f.empty]
    if not frames:
        out = pd.DataFrame({c: pd.Series(dtype=object) for c in OUTPUT_COLUMNS})
        return _types(out)
    out = pd.concat(frames, ignore_index=True)
    out = targets_mod.apply(out, organisation, q.period)
    idx = _sort_order(out, ids)  # the order of the finished rows, taken column by column (one copy)
    return _types(pd.DataFrame({c: out[c].take(idx).reset_index(drop=True) for c in OUTPUT_COLUMNS}))


def _partial_flags(labels: pd.Series, q: Query) -> np.ndarray:
    """Per row: True when its period is not wholly inside the data range [start, min(end, as_of)] of ``q`` (a
    period not over at the as-of date, or cut by ``start``/``end``)."""
    hi = min(q.end, q.as_of)
    codes, uniq = pd.factorize(labels.to_numpy(dtype=object), use_na_sentinel=True)
    flags = []
    for lab in uniq:
        p = periods.parse(lab)
        flags.append(p.end > hi or (q.start is not None and p.start < q.start))
    return np.append(np.array(flags, dtype=bool), False)[codes]


def _types(out: pd.DataFrame) -> pd.DataFrame:
    for c in ("numerator", "denominator"):
        out[c] = pd.to_numeric(out[c], errors="coerce").round().astype("Int64")
    for c in ("value", "ci_low", "ci_high", "target_low", "target_high"):
        out[c] = pd.to_numeric(out[c], errors="coerce").astype(float)
    for c in ("indicator", "period", "forvaltning", "unit", "area", "subgroup", "status", "note"):
        s = out[c].astype(object)
        out[c] = s.where(s.notna(), None)
    out["partial"] = out["partial"].fillna(False).astype(bool)
    return out


def _period_order(labels: pd.Series) -> np.ndarray:
    """Chronological rank of each period label (an empty label first), computed once per distinct label."""
    codes, uniq = pd.factorize(labels, use_na_sentinel=True)
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


def _indicator_rank(col: pd.Series, order: dict[str, int]) -> np.ndarray:
    codes, uniq = pd.factorize(col.to_numpy(dtype=object))
    return np.array([order[u] for u in uniq], dtype=np.int64)[codes]


def _sort_order(out: pd.DataFrame, ids: list[str]) -> np.ndarray:
    """The row positions that put the rows in catalogue order, then forvaltning, unit, area (empty first), total
    row first, sub-group, period (missing values of the text columns sort as the empty text)."""
    order = {i: k for k, i in enumerate(ids)}

    def rank(col: str) -> np.ndarray:  # the position of each value among the column's sorted distinct values
        codes, uniq = pd.factorize(out[col].to_numpy(dtype=object), use_na_sentinel=True)
        # a missing value ranks as the empty text (first); ranks of equal texts are equal
        names = np.array([""] + ["" if x is None else x for x in uniq], dtype=object)
        _, r = np.unique(names, return_inverse=True)
        return r.astype(np.int64)[codes + 1]

    keys = (
        _period_order(out["period"]),
        rank("subgroup"),
        out["subgroup"].notna().to_numpy(dtype=np.int8),
        rank("area"),
        rank("unit"),
        rank("forvaltning"),
        _indicator_rank(out["indicator"], order),
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


# ---------------------------------------------------------------------------------------------------- labels
def period_labels(con, frame: pd.DataFrame, as_of=None, start=None, end=None) -> list[str]:
    """The Danish label of each row's period, as a reader must see it: ``2023``, ``1. halvår 2024`` for a whole
    period; for a partial one (``partial``) the dates it holds, ``1. januar–31. januar 2024`` (from ``start`` when
    that cuts it; to the indicator's as-of date, ``end`` or, for a rate, the last whole month). Pass the ``as_of``,
    ``start`` and ``end`` given to :func:`compute` for ``frame``."""
    start_d, end_d = _to_date(start, "start"), _to_date(end, "end")
    per = tables_as_of(con, INDICATOR_TABLES, as_of)
    out = []
    for ind, lab, part in zip(frame["indicator"], frame["period"], frame["partial"]):
        if lab is None or (isinstance(lab, float) and np.isnan(lab)):
            out.append(formatting.MISSING)
            continue
        if not part:
            out.append(formatting.period_label(lab))
            continue
        d = min(per[t] for t in catalogue.get(ind).tables)
        p = periods.parse(lab)
        lo = max(p.start, start_d) if start_d else p.start
        hi = min(p.end, data_end(ind, min(d, end_d) if end_d else d))
        out.append(periods.range_label(lo, hi) if hi >= lo
                   else f"{formatting.period_label(lab)} (ingen hele måneder endnu)")
    return out


# ---------------------------------------------------------------------------------------------------- comparisons
#: the roles of the rows of :func:`compare_periods`
COMPARISON_ROLES = ("previous", "latest", "year_before", "partial")


@dataclass(frozen=True)
class PeriodComparison:
    """The comparisons to make for one indicator at its as-of date. A partial period is never compared with a whole
    one: the latest complete period is compared with the one before it, and the current partial period (when there
    is one with data) with the same part of the year before (år til dato).

    ``frame`` holds compute()'s rows for these periods with two more columns: ``comparison`` (one of
    :data:`COMPARISON_ROLES`) and ``label`` (the Danish label: ``2023``, ``1. halvår 2024``, or for the partial rows
    the date range, ``1. januar–31. januar 2024`` and ``1. januar–31. januar 2023``). The rows' ``period`` is the
    period that contains the range (``2024`` for the partial rows above).
    """

    indicator: str
    period: str
    #: the indicator's as-of date (the earliest of its tables'; :func:`indicator_as_of`)
    as_of: date
    latest: periods.Period
    previous: periods.Period
    #: the current period's range with data, (first day, last day counted), when the current period is partial and
    #: has data yet (for a rate: whole months only); else None (also for the indicators whose records carry a
    #: period rather than a date, :data:`PERIOD_LABELLED`)
    partial: tuple[date, date] | None
    #: the same part of the year before (two years for a biennium), when ``partial`` is set
    year_before: tuple[date, date] | None
    frame: pd.DataFrame

    @property
    def partial_label(self) -> str | None:
        return periods.range_label(*self.partial) if self.partial else None

    @property
    def year_before_label(self) -> str | None:
        return periods.range_label(*self.year_before) if self.year_before else None

    def range(self, role: str) -> tuple[date, date] | None:
        """The first and last day of one role's data (None for a partial role without a partial period)."""
        return {"previous": (self.previous.start, self.previous.end), "latest": (self.latest.start, self.latest.end),
                "partial": self.partial, "year_before": self.year_before}[role]

    def days(self, role: str) -> int:
        """The number of days one role covers (the exposure when counts are compared as counts per day)."""
        r = self.range(role)
        return (r[1] - r[0]).days + 1 if r else 0

    def rows(self, role: str) -> pd.DataFrame:
        """The rows of one role (``previous``, ``latest``, ``year_before`` or ``partial``)."""
        return self.frame[self.frame["comparison"] == role]


def compare_periods(con, indicator: str, period: str = "year", by=("forvaltning",), as_of=None,
                    organisation: Organisation | None = None, where: dict | None = None) -> PeriodComparison:
    """The latest complete period vs the one before, and the partial current period vs the same part of the year
    before, for ``indicator`` by ``by`` (see :class:`PeriodComparison`).

    31 January 2024, by year: 2023 vs 2022, and 1 January–31 January 2024 vs 1 January–31 January 2023. The
    complaint rate counts whole months only: with decisions exported to 15 January 2024 there is no partial
    comparison (no whole month of 2024 yet).
    """
    return compare_many(con, [indicator], period, by, as_of, organisation, where)[catalogue.get(indicator).id]


def compare_many(con, indicators_: list[str], period: str = "year", by=("forvaltning",), as_of=None,
                 organisation: Organisation | None = None, where: dict | None = None) -> dict[str, PeriodComparison]:
    """:func:`compare_periods` for several indicators; those with the same dates are computed together."""
    ids = check_indicators(indicators_)
    grain = periods.check_period(period)
    bstart = periods.check_biennium_start(organisation.biennium_start if organisation is not None else "odd")
    per = tables_as_of(con, INDICATOR_TABLES, as_of)
    plans = {}
    for ind in ids:
        d = min(per[t] for t in catalogue.get(ind).tables)
        latest = periods.latest_complete(d, grain, bstart)
        prev = periods.previous(latest, bstart)
        current = periods.parse(periods.label_of(d, grain, bstart))
        cut = data_end(ind, d)
        partial = year_before = None
        if current.end > d and cut >= current.start and ind not in PERIOD_LABELLED:
            partial = (current.start, cut)
            year_before = periods.same_part_before(current.label, cut)
        plans[ind] = (d, latest, prev, partial, year_before)
    # one compute() per distinct range, for every indicator that needs it
    ranges: dict[tuple[date, date], list[str]] = {}
    for ind, (d, latest, prev, partial, year_before) in plans.items():
        for r in ((prev.start, latest.end), partial, year_before):
            if r is not None:
                ranges.setdefault(r, []).append(ind)
    frames = {r: compute(con, ids_r, period=grain, by=by, start=r[0], end=r[1], as_of=as_of,
                         organisation=organisation, where=where) for r, ids_r in ranges.items()}
    out = {}
    for ind, (d, latest, prev, partial, year_before) in plans.items():
        parts = []
        for role, r, label in (("previous", (prev.start, latest.end), formatting.period_label(prev.label)),
                               ("latest", (prev.start, latest.end), formatting.period_label(latest.label)),
                               ("year_before", year_before, periods.range_label(*year_before) if year_before else None),
                               ("partial", partial, periods.range_label(*partial) if partial else None)):
            if r is None:
                continue
            f = frames[r]
            f = f[f["indicator"] == ind]
            if role in ("previous", "latest"):
                f = f[f["period"] == (prev.label if role == "previous" else latest.label)]
            parts.append(f.assign(comparison=role, label=label))
        frame = pd.concat(parts, ignore_index=True)
        out[ind] = PeriodComparison(ind, grain, d, latest, prev, partial, year_before, frame)
    return out
