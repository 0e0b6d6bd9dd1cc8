"""Small-count suppression in published tables, including values derived from a hidden count."""

from __future__ import annotations

import pandas as pd

from kvalitet import organisation as org_mod
from kvalitet.present import Report


def make_report() -> Report:
    org = org_mod.Organisation(municipality="Testkommune", forvaltninger=[{"code": "SOF", "name": "S"}])
    return Report(con=None, organisation=org, as_of=None, demo=False)


def test_shares_next_to_a_hidden_count_are_hidden_too():
    rep = make_report()
    table = pd.DataFrame({"Tjekpunkt": ["begrundelse", "partshøring", "samtykke"],
                          "Fejl": [2, 12, 0], "Vurderet": [30, 40, 25],
                          "Fejlandel": ["6,7 %", "30,0 %", "0,0 %"], "95 %-konfidensinterval": ["a", "b", "c"]})
    rep.table(table, "Fejl", counts=["Fejl", "Vurderet"], row_totals=False,
              derived=["Fejlandel", "95 %-konfidensinterval"])
    (title, shown), = rep.tables
    assert shown["Fejl"].tolist() == ["<5", "12", "0"]
    # 2 of 30 would be readable from 6,7 % and 30: the share and its interval are hidden in that row only
    assert shown["Fejlandel"].tolist() == ["x", "30,0 %", "0,0 %"]
    assert shown["95 %-konfidensinterval"].tolist() == ["x", "b", "c"]
    assert shown["Vurderet"].tolist() == ["30", "40", "25"]
    assert rep.suppressed_any


def test_nothing_hidden_when_no_count_is_small():
    rep = make_report()
    table = pd.DataFrame({"Område": ["A"], "Klager": [1234], "Andel": ["12,0 %"]})
    rep.table(table, "Klager", counts=["Klager"], derived=["Andel"])
    (_, shown), = rep.tables
    assert shown.iloc[0].tolist() == ["A", "1.234", "12,0 %"]
    assert not rep.suppressed_any
