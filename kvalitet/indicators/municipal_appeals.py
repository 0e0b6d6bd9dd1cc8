"""The Danmarkskort indicator: Ankestyrelsen's reversal share per municipality and year."""

from __future__ import annotations

import pandas as pd

from .frames import labelled_share
from .query import Query, where_sql


def municipal_reversal_share(q: Query, ind: str) -> pd.DataFrame:
    w, p = q.filters("municipal_appeals", None)
    raw = q.run(
        f"SELECT {q.groups('municipal_appeals')}, municipality AS subgroup, year::VARCHAR AS label, "
        "sum(changed + remitted) AS numerator, sum(upheld + changed + remitted) AS denominator "
        f"FROM municipal_appeals {where_sql(w)} GROUP BY ALL", p)
    return labelled_share(q, ind, raw)

