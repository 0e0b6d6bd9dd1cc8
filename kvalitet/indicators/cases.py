"""Case indicators (sagsbehandling): the processing-time median of decided cases, the share within servicemål,
the Kaplan–Meier median with open cases censored, and the backlog of open cases over their target (sagspukkel).

One scan of the decided cases (:func:`cases_decided`) serves the share and the median."""

from __future__ import annotations

import numpy as np
import pandas as pd

from .. import catalogue, periods
from ..stats.survival import km_fit, km_medians
from .frames import complete, count_notes, ensure_cols, join_notes, median_from, share_values
from .query import GROUP_COLUMNS, Query, where_sql


def cases_decided(q: Query) -> pd.DataFrame:
    """Cases by group and period decided: the servicemål counts and the processing-time median (one scan)."""
    def make():
        src, sp = q.cases_with_target()
        w, p = q.filters("cases", "decided")
        w.append("decided <= ?")
        p.append(q.as_of)
        return q.run(
            f"SELECT {q.groups('cases')}, {q.label('decided')} AS period, "
            "count(*) FILTER (WHERE target IS NOT NULL AND datediff('day', opened, decided) <= target) "
            "AS numerator, count(*) FILTER (WHERE target IS NOT NULL) AS denominator, "
            "count(*) FILTER (WHERE target IS NULL) AS no_target, "
            "median(datediff('day', opened, decided))::DOUBLE AS value, count(*) AS n, min(decided) AS first "
            f"FROM {src} AS c {where_sql(w)} GROUP BY ALL", sp + p)
    return q.once("cases_decided", make)


def service_target_share(q: Query, ind: str) -> pd.DataFrame:
    df = cases_decided(q)[["forvaltning", "unit", "area", "period", "numerator", "denominator", "no_target",
                            "first"]]
    df = complete(df, q, {"numerator": 0, "denominator": 0, "no_target": 0})
    if "no_target" in df:
        nt = pd.to_numeric(df["no_target"]).fillna(0).astype(int).to_numpy()
        df["note"] = join_notes(df["note"], pd.Series(count_notes(
            nt, lambda k: f"{k} {'afgjort sag' if k == 1 else 'afgjorte sager'} uden servicemål er udeladt"),
            index=df.index))
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
            f"{where_sql(w2)} GROUP BY ALL", tp + p2)
        tdf = complete(tdf, q, {"numerator": 0, "denominator": 0})
        df = pd.concat([df, tdf], ignore_index=True)
    return share_values(df, ind, q.conf)


def processing_days_km_median(q: Query, ind: str) -> pd.DataFrame:
    w, p = q.filters("cases", "opened")
    obs = "(decided IS NOT NULL AND decided <= ?)"
    base = (
        f"SELECT {q.groups('cases')}, {q.label('opened')} AS period, "
        f"datediff('day', opened, CASE WHEN {obs} THEN decided ELSE ?::DATE END) AS d, {obs} AS obs, opened "
        f"FROM cases {where_sql(w)}")
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
        fit = km_fit(gid, np.asarray(rows["d"], dtype=float), np.asarray(rows["ev"], dtype=np.int64),
                     np.asarray(rows["n"], dtype=np.int64), ngroups=len(groups))
        km = km_medians(fit, q.conf)
        out = groups[keys].reset_index(drop=True)
        out["numerator"] = fit.events
        out["denominator"] = fit.n
        out["value"] = km["median"]
        out["ci_low"] = km["ci_low"]
        out["ci_high"] = np.where(np.isfinite(km["ci_high"]), km["ci_high"], np.nan)
        out["note"] = km["note"]
        out["first"] = first
        out = out[cols]
    out = complete(out, q, {"numerator": 0, "denominator": 0})
    empty = pd.to_numeric(out["denominator"]).fillna(0) == 0
    out.loc[empty, "note"] = catalogue.get(ind).no_value_note
    return out



def open_cases_over_target(q: Query, ind: str) -> pd.DataFrame:
    src, sp = q.cases_with_target()
    w, p = q.filters("cases", None, alias="c")
    first_row = q.con.execute(
        f"SELECT min(opened) FROM cases c {where_sql(w + ['opened <= ?'])}", p + [min(q.end, q.as_of)]).fetchone()
    first = first_row[0] if first_row else None
    grid = q.period_grid(first)
    cols = ["forvaltning", "unit", "area", "period", "numerator", "denominator"]
    if not grid:
        return ensure_cols(pd.DataFrame(columns=cols))
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
        f"FROM {src} AS c {where_sql(w)}) WHERE a < b), "
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
    df = complete(df, q, {"numerator": 0, "denominator": 0, "no_target": 0})
    nt = pd.to_numeric(df.get("no_target", pd.Series(0, index=df.index))).fillna(0).astype(int).to_numpy()
    df["note"] = pd.Series(count_notes(
        nt, lambda k: f"{k} {'åben sag' if k == 1 else 'åbne sager'} uden servicemål er ikke talt med"),
        index=df.index, dtype=object)
    df = df.drop(columns=[c for c in ["no_target"] if c in df])
    df["value"] = pd.to_numeric(df["numerator"]).astype(float)
    return df


def processing_days_median(q: Query, ind: str) -> pd.DataFrame:
    return median_from(q, ind, cases_decided(q))
