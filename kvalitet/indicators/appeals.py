"""Appeal indicators (ankesager): the reversal share (omgørelsesprocent) and the upheld share
(stadfæstelsesprocent), both of the appeals decided on their merits (realitetsbehandlede).

One scan of the appeals (:func:`appeals_decided`) serves both."""

from __future__ import annotations

import pandas as pd

from .. import contract
from .frames import SHARE_COLS, share_from
from .query import Query, in_list, where_sql


def appeals_decided(q: Query) -> pd.DataFrame:
    """Appeals by group and period decided: the reversed, the upheld and those decided on their merits."""
    def make():
        w, p = q.filters("appeals", "decided")
        return q.run(
            f"SELECT {q.groups('appeals')}, {q.label('decided')} AS period, "
            f"count(*) FILTER (WHERE outcome IN {in_list(contract.APPEAL_REVERSED)}) AS reversed, "
            f"count(*) FILTER (WHERE outcome IN {in_list(('stadfæstet',))}) AS upheld, "
            f"count(*) FILTER (WHERE outcome IN {in_list(contract.APPEAL_MERITS)}) AS denominator, "
            f"min(decided) AS first FROM appeals {where_sql(w)} GROUP BY ALL", p)
    return q.once("appeals_decided", make)


def appeal_share(q: Query, ind: str, numerator: str) -> pd.DataFrame:
    """The share of the appeals decided on their merits that were ``numerator`` (a column of
    :func:`appeals_decided`: ``reversed`` or ``upheld``)."""
    return share_from(q, ind, appeals_decided(q).rename(columns={numerator: "numerator"})[SHARE_COLS])


def appeal_reversal_share(q: Query, ind: str) -> pd.DataFrame:
    return appeal_share(q, ind, "reversed")


def appeal_upheld_share(q: Query, ind: str) -> pd.DataFrame:
    return appeal_share(q, ind, "upheld")
