"""The query builder: everything one :func:`compute` call needs, and the SQL pieces every indicator's query shares
(group columns, filters, period numbers, the organisation's servicemål, cases with their target days)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import numpy as np
import pandas as pd

from .. import contract, periods
from ..organisation import Organisation

#: the columns of the tidy table :func:`compute` returns, in this order
OUTPUT_COLUMNS = [
    "indicator", "period", "forvaltning", "unit", "area", "subgroup", "numerator", "denominator", "value",
    "ci_low", "ci_high", "target_low", "target_high", "status", "note", "partial",
]
#: the columns a computation can be grouped on
GROUP_COLUMNS = ("forvaltning", "unit", "area")


def where_sql(pieces: list[str]) -> str:
    """``WHERE a AND b`` from the pieces (empty without any)."""
    return ("WHERE " + " AND ".join(pieces)) if pieces else ""


def in_list(values) -> str:
    """An SQL list of quoted text constants: ``('a', 'b')``."""
    return "(" + ", ".join("'" + v.replace("'", "''") + "'" for v in values) + ")"


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

    def cases_with_target(self) -> tuple[str, list]:
        """A subquery of the cases with their target days, ``target``: the case's own ``target_days``, else the
        organisation's servicemål for its area (NULL when neither); and its parameters."""
        sm, sp = self.servicemaal_sql()
        return (
            f"(SELECT c.*, COALESCE(c.target_days, s.days) AS target FROM cases c LEFT JOIN {sm} s ON c.area = s.area)",
            sp,
        )

    def period_grid(self, first: date | None) -> list[periods.Period]:
        lo = self.start or first
        if lo is None:
            return []
        return periods.periods_between(lo, min(self.end, self.as_of), self.period, self.biennium_start)

