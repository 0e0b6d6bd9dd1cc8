"""Ledelsesinformation: which indicators have data for which areas and years of the FOKUS periods, and what is
missing.

:func:`coverage_grid` returns a tidy frame, one row per indicator × area × year (every combination, also those
without data, so a section can pivot it and show the gaps): ``records`` is the number of records behind the year's
value (the denominator, or for a count the count itself), ``has_data`` whether the year has a value. An indicator
whose table has no area (Borgerrådgiver inquiries) has one row per year with ``area`` None (the forvaltning as a
whole). Areas are every area of the forvaltning that any indicator has data for. A year has data when at least one
record lies behind it (``records`` > 0): the grid cannot tell a year without complaints from a year whose export is
missing, so a count of 0 shows as no data, and a rate or share needs its denominator (a complaint rate without
decisions has no data).
"""

from __future__ import annotations

import pandas as pd

from .. import catalogue, contract
from ..organisation import Organisation
from .plan import FokusPlan
from .values import role_of, yearly

#: the indicators of the grid: every indicator of the catalogue that is computed per forvaltning
GRID_INDICATORS = tuple(i for i in catalogue.IDS if i != "municipal_reversal_share")

COVERAGE_COLUMNS = ["indicator", "name", "family", "area", "year", "role", "records", "has_data"]


def _has_area(indicator_id: str) -> bool:
    return all("area" in contract.TABLES[t].by_name for t in catalogue.get(indicator_id).tables)


def coverage_grid(con, organisation: Organisation | None, forvaltning: str | None, plan: FokusPlan,
                  indicators=GRID_INDICATORS, as_of=None) -> pd.DataFrame:
    """Indicator × area × year for the years of both FOKUS periods (and the years between them in a status year):
    ``records`` (the person count behind the value: disclose it) and ``has_data``; ``role`` is 'current',
    'comparison' or 'between'. Columns :data:`COVERAGE_COLUMNS`, in catalogue order, areas sorted, years
    ascending."""
    ids = [catalogue.get(i).id for i in indicators]
    df = yearly(con, organisation, forvaltning, plan, ids, as_of, level="area")
    df = df[df["subgroup"].isna() & df["role"].notna()]
    years = list(range(plan.first_year, plan.end_year + 1))
    areas = sorted({a for a in df["area"] if isinstance(a, str)})
    rows = []
    got = {}
    for r in df.itertuples():
        kind = catalogue.get(r.indicator).kind
        n = r.numerator if kind == "count" else r.denominator
        n = 0 if pd.isna(n) else int(n)
        has = n > 0
        area = r.area if isinstance(r.area, str) else None
        got[(r.indicator, area, r.year)] = (n, has)
    for i in ids:
        ind = catalogue.get(i)
        for a in (areas if _has_area(i) else [None]) or [None]:
            for y in years:
                n, has = got.get((i, a, y), (0, False))
                rows.append({"indicator": i, "name": ind.name, "family": ind.family, "area": a, "year": y,
                             "role": role_of(y, plan), "records": n, "has_data": has})
    out = pd.DataFrame(rows, columns=COVERAGE_COLUMNS)
    out["records"] = out["records"].astype("Int64")
    out["has_data"] = out["has_data"].astype(bool)
    return out


def missing(grid: pd.DataFrame) -> pd.DataFrame:
    """The gaps of a :func:`coverage_grid`: per indicator × area, the years without data (a list) and whether
    the indicator has no data at all for the forvaltning; only combinations with at least one missing year."""
    g = grid.assign(_area=grid["area"].fillna("\0"))
    out = []
    for (ind, area), rows in g.groupby(["indicator", "_area"], sort=False):
        gaps = rows.loc[~rows["has_data"], "year"].tolist()
        if gaps:
            out.append({"indicator": ind, "name": rows["name"].iloc[0], "area": None if area == "\0" else area,
                        "missing_years": gaps, "no_data_at_all": len(gaps) == len(rows)})
    return pd.DataFrame(out, columns=["indicator", "name", "area", "missing_years", "no_data_at_all"])
