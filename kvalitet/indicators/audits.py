"""Audit indicators (stikprøver): the error share per audited case and per checklist item."""

from __future__ import annotations

import pandas as pd

from .frames import complete, share_values, simple_share
from .query import Query, where_sql


def audit_error_share(q: Query, ind: str) -> pd.DataFrame:
    w, p = q.filters("audits", "audit_date")
    df = q.run(
        f"WITH per_case AS (SELECT {q.groups('audits')}, {q.label('audit_date')} AS period, audit_id, "
        "bool_or(result = 'fejl') AS has_error, bool_or(result IN ('ok', 'fejl')) AS judged, "
        f"min(audit_date) AS first FROM audits {where_sql(w)} GROUP BY ALL) "
        "SELECT forvaltning, unit, area, period, count(*) FILTER (WHERE has_error) AS numerator, "
        "count(*) FILTER (WHERE judged) AS denominator, min(first) AS first FROM per_case GROUP BY ALL", p)
    df = complete(df, q, {"numerator": 0, "denominator": 0})
    return share_values(df, ind, q.conf)


def audit_item_error_share(q: Query, ind: str) -> pd.DataFrame:
    return simple_share(q, ind, "audits", "audit_date", "result = 'fejl'", "result IN ('ok', 'fejl')",
                         subgroup="item", totals=True)

