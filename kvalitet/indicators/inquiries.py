"""Inquiry indicators (Borgerrådgiveren): inquiries received by category, and the share closed with criticism."""

from __future__ import annotations

import pandas as pd

from .frames import counts_with_total, simple_share
from .query import Query, where_sql


def inquiries_received(q: Query, ind: str) -> pd.DataFrame:
    w, p = q.filters("inquiries", "received")
    df = q.run(
        f"SELECT {q.groups('inquiries')}, {q.label('received')} AS period, category AS subgroup, "
        f"count(*) AS numerator, min(received) AS first FROM inquiries {where_sql(w)} GROUP BY ALL", p)
    return counts_with_total(df, q)


def inquiry_criticism_share(q: Query, ind: str) -> pd.DataFrame:
    return simple_share(q, ind, "inquiries", "closed", "criticism IS TRUE", "TRUE")

