"""As-of dates: the date each table (and so each indicator) is seen from, and what "Metode og data" says about it.

A table's as-of date is the latest export as-of among its loads in ``ingest_log``; a table never loaded through
``kvalitet ingest`` falls back to the newest date in the data. An indicator is seen from the earliest as-of date of
the tables it reads (catalogue ``tables``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

import numpy as np
import pandas as pd

from .. import catalogue, contract, formatting, periods
from ..errors import UserError
from ..organisation import Organisation


def to_date(value, name: str) -> date | None:
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
            if c.type in ("date", "month") and c.name not in ("updated", "assessed") and not c.deadline:
                parts.append(f'SELECT max("{c.name}") AS d FROM "{t.name}"')
    try:
        row = con.execute(f"SELECT max(d) FROM ({' UNION ALL '.join(parts)})").fetchone()
    except Exception:  # a store without some table: fall back table by table
        row = None
    if row and row[0] is not None:
        return row[0] if isinstance(row[0], date) else pd.Timestamp(row[0]).date()
    return None


def indicator_tables() -> tuple[str, ...]:
    """Every table an indicator of the catalogue reads (the default set of :func:`data_as_of`)."""
    return tuple(dict.fromkeys(t for i in catalogue.CATALOGUE.values() for t in i.tables))


def tables_as_of(con, tables=None, as_of=None) -> dict[str, date]:
    """The as-of date of each of ``tables``: the latest export as-of of the table's loads in ``ingest_log``
    (:func:`kvalitet.store.table_as_of`). A table with no loads in the log falls back to the newest date in the data
    (:func:`newest_date`, the rule before exports recorded their as-of), and to today when the store has no dates at
    all. A given ``as_of`` caps every table's date: data are never seen from a date later than their export.

    Without ``tables``: the tables an indicator reads that have loads in the log (all of them when none has)."""
    from .. import store

    given = to_date(as_of, "as_of")
    logged = store.table_as_of(con)
    if tables is None:
        tables = [t for t in indicator_tables() if t in logged] or indicator_tables()
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
    from .. import store

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

