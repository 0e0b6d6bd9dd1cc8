"""The satisfaction indicator (tilfredshed): satisfied respondents of the surveys, each counted in the period that
holds its own."""

from __future__ import annotations

import pandas as pd

from .frames import labelled_share
from .query import Query, where_sql


def satisfaction_share(q: Query, ind: str) -> pd.DataFrame:
    w, p = q.filters("satisfaction", None)
    raw = q.run(
        f"SELECT {q.groups('satisfaction')}, NULL::VARCHAR AS subgroup, period AS label, "
        f"sum(satisfied) AS numerator, sum(respondents) AS denominator FROM satisfaction {where_sql(w)} GROUP BY ALL", p)
    return labelled_share(q, ind, raw)

