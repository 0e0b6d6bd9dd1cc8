"""Appeal indicators (ankesager): the reversal share (omgørelsesprocent) and the upheld share
(stadfæstelsesprocent), both of the appeals decided on their merits (realitetsbehandlede)."""

from __future__ import annotations

import pandas as pd

from .. import contract
from .frames import simple_share
from .query import Query, in_list


def appeal_share(q: Query, ind: str, numerator_outcomes) -> pd.DataFrame:
    return simple_share(
        q, ind, "appeals", "decided", f"outcome IN {in_list(numerator_outcomes)}",
        f"outcome IN {in_list(contract.APPEAL_MERITS)}")



def appeal_reversal_share(q: Query, ind: str) -> pd.DataFrame:
    return appeal_share(q, ind, contract.APPEAL_REVERSED)


def appeal_upheld_share(q: Query, ind: str) -> pd.DataFrame:
    return appeal_share(q, ind, ("stadfæstet",))
