"""Named look-ups in the store that the report sections need next to the indicators: the topics of the complaints
received in a period, the outcome mix of the appeals decided in a period, the Borgerrådgiver's criticism by category,
the status of the Borgerrådgiver's recommendations, the findings register, the case durations behind the
Kaplan–Meier curves, the quarantine counts per table, and whether a table holds rows. The sections only arrange what
these return; they run no SQL of their own."""

from __future__ import annotations

from datetime import date

import duckdb
import pandas as pd

from .. import contract
from .engine import make_query

#: the topic shown for a complaint without one
NO_TOPIC = "(intet emne)"


def _forvaltning_filter(column: str, forvaltning: str | None) -> tuple[str, list]:
    """`` AND <column> = ?`` and its parameter when a forvaltning is given; nothing otherwise."""
    return (f" AND {column} = ?", [forvaltning]) if forvaltning else ("", [])


def topics_in_period(con, lo: date, hi: date, forvaltning: str | None = None) -> pd.DataFrame:
    """The complaints received from ``lo`` to ``hi`` (both included) per topic: columns ``topic`` (a complaint
    without one under :data:`NO_TOPIC`) and ``n``, the most frequent first (ties by topic)."""
    extra, params = _forvaltning_filter("forvaltning", forvaltning)
    return con.execute(
        f"SELECT coalesce(topic, '{NO_TOPIC}') AS topic, count(*) AS n FROM complaints "
        f"WHERE received BETWEEN ? AND ?{extra} GROUP BY 1 ORDER BY n DESC, topic", [lo, hi] + params).df()


def outcome_mix(con, lo: date, hi: date, forvaltning: str | None = None) -> pd.DataFrame:
    """The appeals decided from ``lo`` to ``hi`` (both included) per group and outcome: columns ``grp`` (the area
    within a given forvaltning, else the forvaltning), ``outcome`` and ``n``; in no particular order."""
    gcol = "area" if forvaltning else "forvaltning"
    extra, params = _forvaltning_filter("forvaltning", forvaltning)
    return con.execute(
        f"SELECT {gcol} AS grp, outcome, count(*) AS n FROM appeals WHERE decided BETWEEN ? AND ?{extra} "
        "GROUP BY ALL", [lo, hi] + params).df()


def criticism_by_category(con, lo: date, hi: date, forvaltning: str | None = None) -> pd.DataFrame:
    """The Borgerrådgiver inquiries closed from ``lo`` to ``hi`` (both included) per category: columns ``category``,
    ``closed`` (inquiries closed) and ``criticism`` (of them, closed with criticism); by category."""
    extra, params = _forvaltning_filter("forvaltning", forvaltning)
    return con.execute(
        "SELECT category, count(*) AS closed, count(*) FILTER (WHERE criticism IS TRUE) AS criticism "
        f"FROM inquiries WHERE closed BETWEEN ? AND ?{extra} GROUP BY 1 ORDER BY 1", [lo, hi] + params).df()


def recommendation_status(con, forvaltning: str | None = None) -> pd.DataFrame:
    """The Borgerrådgiver's recommendations (the register's findings from Borgerrådgiveren of the kind anbefaling)
    per forvaltning, evaluation year and status: columns ``forvaltning``, ``evaluation_year``, ``status`` and ``n``;
    in no particular order."""
    extra, params = _forvaltning_filter("forvaltning", forvaltning)
    return con.execute(
        "SELECT forvaltning, evaluation_year, status, count(*) AS n FROM recommendations "
        f"WHERE source = ? AND kind = ?{extra} GROUP BY ALL",
        [contract.FINDING_SOURCES[0], contract.FINDING_KINDS[0]] + params).df()


#: the columns of :func:`findings`, in order
FINDING_COLUMNS = ["forvaltning", "source", "kind", "area", "year", "number", "text", "status", "due", "closed",
                   "action", "indicators", "updated", "overdue"]


def findings(con, forvaltning: str | None = None, as_of: date | None = None) -> pd.DataFrame:
    """The findings register (table ``recommendations``) of ``forvaltning`` (every forvaltning when None), seen
    from ``as_of`` (default: the as-of date of the register's export): columns :data:`FINDING_COLUMNS`, where
    ``year`` is the evaluation year (a finding's year for other sources), ``indicators`` a list of catalogue ids
    and ``overdue`` is True for an open finding (status neither gennemført nor opgivet) whose ``due`` lies before
    ``as_of``. Ordered: the overdue findings first (the oldest due date first), then the other open ones (the
    earliest due date first, those without one last), then the closed ones; within that by year, forvaltning,
    source (in the contract's order) and number."""
    from .asof import tables_as_of

    as_of = tables_as_of(con, ("recommendations",), as_of)["recommendations"]
    extra, params = _forvaltning_filter("forvaltning", forvaltning)
    df = con.execute(
        "SELECT forvaltning, source, kind, area, evaluation_year AS year, number, text, status, due, closed, action, "
        f"indicators, updated FROM recommendations WHERE TRUE{extra}", params).df()
    is_open = ~df["status"].isin(contract.RECOMMENDATION_CLOSED)
    df["overdue"] = (is_open & (df["due"] < pd.Timestamp(as_of))).astype(bool)
    df["indicators"] = pd.Series([v.split(",") if isinstance(v, str) and v else [] for v in df["indicators"]],
                                 index=df.index, dtype=object)
    group = pd.Series(2, index=df.index).mask(is_open, 1).mask(df["overdue"], 0)
    source_rank = df["source"].map({s: i for i, s in enumerate(contract.FINDING_SOURCES)})
    order = pd.DataFrame({"g": group, "due": df["due"].where(group < 2), "y": df["year"], "f": df["forvaltning"],
                          "s": source_rank, "n": df["number"]}).sort_values(["g", "due", "y", "f", "s", "n"],
                                                                            na_position="last", kind="stable")
    return df.loc[order.index, FINDING_COLUMNS].reset_index(drop=True)


def case_durations(con, as_of: date | None = None, organisation=None, forvaltning: str | None = None,
                   opened_from: date | None = None, opened_to: date | None = None) -> pd.DataFrame:
    """Case-level durations seen from the as-of date of the ``cases`` export (capped by ``as_of``): one row per
    case opened by then (and from ``opened_from`` to ``opened_to`` when given), with ``forvaltning``, ``unit``,
    ``area``, ``opened``, ``decided``, ``decided_by_as_of``, ``days`` (opened to decided, or to the as-of date when
    still open then) and ``target`` (the case's own target days, else its area's servicemål; NaN when neither)."""
    q = make_query(con, "year", (), None, None, as_of, organisation, None, tables=("cases",))
    src, params = q.cases_with_target()
    where = ["c.opened <= ?"]
    params_w: list = [q.as_of]
    for cond, value in (("c.forvaltning = ?", forvaltning or None), ("c.opened >= ?", opened_from),
                        ("c.opened <= ?", opened_to)):
        if value is not None:
            where.append(cond)
            params_w.append(value)
    sql = (
        "SELECT c.forvaltning, c.unit, c.area, c.opened, c.decided, "
        "(c.decided IS NOT NULL AND c.decided <= ?) AS decided_by_as_of, "
        "datediff('day', c.opened, CASE WHEN c.decided IS NOT NULL AND c.decided <= ? THEN c.decided "
        f"ELSE ?::DATE END) AS days, c.target FROM {src} AS c WHERE {' AND '.join(where)}")
    return con.execute(sql, [q.as_of, q.as_of, q.as_of] + params + params_w).df()


def quarantine_counts(con, tables: list[str]) -> list[tuple[str, int]]:
    """The number of quarantined rows of each of ``tables`` that has any: ``(table, n)`` pairs by table name."""
    if not tables:
        return []
    placeholders = ", ".join("?" for _ in tables)
    return [(t, int(n)) for t, n in con.execute(
        f'SELECT "table", count(*) FROM quarantine WHERE "table" IN ({placeholders}) GROUP BY 1 ORDER BY 1',
        list(tables)).fetchall()]


def table_has_rows(con, table: str, forvaltning: str | None = None) -> bool:
    """Whether the store holds any row of ``table`` (of ``forvaltning`` when given and the table has that column);
    a table that was never created counts as empty."""
    try:
        if forvaltning and "forvaltning" in contract.TABLES[table].by_name:
            return con.execute(f"SELECT count(*) FROM {table} WHERE forvaltning = ?",
                               [forvaltning]).fetchone()[0] > 0
        return con.execute(f"SELECT count(*) FROM {table}").fetchone()[0] > 0
    except duckdb.Error:
        return False
