"""The named look-ups the report sections use (kvalitet.indicators.lookups), each on a small store whose rows are
written out here; the expected answers are counted by hand from those rows."""

from __future__ import annotations

from datetime import date as D
from datetime import timedelta
from pathlib import Path

import pandas as pd

from kvalitet import store
from kvalitet.indicators import lookups

from test_indicators import org_with


def _store(path: Path, **tables) -> object:
    """A store with the given rows: {table: (columns, rows)}."""
    con = store.connect(path)
    for name, (cols, rows) in tables.items():
        names = ", ".join(f'"{c}"' for c in cols)
        ph = ", ".join("?" for _ in cols)
        for r in rows:
            con.execute(f'INSERT INTO "{name}" ({names}) VALUES ({ph})', list(r))
    return con


COMPLAINT_COLS = ["complaint_id", "forvaltning", "area", "received", "kind", "topic"]


def test_topics_in_period(tmp_path):
    rows = [
        ("K1", "SOF", "Handicap", D(2024, 2, 1), "realitet", "ventetid"),
        ("K2", "SOF", "Handicap", D(2024, 3, 1), "realitet", "afslag"),
        ("K3", "SOF", "Handicap", D(2024, 4, 1), "realitet", "afslag"),
        ("K4", "BIF", "Kontanthjælp", D(2024, 5, 1), "realitet", "afslag"),
        ("K5", "BIF", "Kontanthjælp", D(2024, 6, 1), "realitet", None),
        ("K6", "BIF", "Kontanthjælp", D(2023, 12, 31), "realitet", "ventetid"),   # before the period
    ]
    con = _store(tmp_path / "t.duckdb", complaints=(COMPLAINT_COLS, rows))
    got = lookups.topics_in_period(con, D(2024, 1, 1), D(2024, 12, 31))
    # afslag 3 (K2, K3, K4), then the ties of 1 by topic: "(intet emne)" (K5) before "ventetid" (K1)
    assert list(zip(got["topic"], got["n"])) == [("afslag", 3), ("(intet emne)", 1), ("ventetid", 1)]
    sof = lookups.topics_in_period(con, D(2024, 1, 1), D(2024, 12, 31), "SOF")
    assert list(zip(sof["topic"], sof["n"])) == [("afslag", 2), ("ventetid", 1)]
    # both ends of the period count: only K1 (1 February) from 1 to 1 February
    one_day = lookups.topics_in_period(con, D(2024, 2, 1), D(2024, 2, 1))
    assert list(zip(one_day["topic"], one_day["n"])) == [("ventetid", 1)]


def test_outcome_mix(tmp_path):
    cols = ["appeal_id", "forvaltning", "area", "decided", "outcome"]
    rows = [
        ("A1", "BIF", "Kontanthjælp", D(2024, 1, 5), "stadfæstet"),
        ("A2", "BIF", "Kontanthjælp", D(2024, 2, 5), "stadfæstet"),
        ("A3", "BIF", "Sygedagpenge", D(2024, 3, 5), "ændret"),
        ("A4", "SOF", "Handicap", D(2024, 4, 5), "hjemvist"),
        ("A5", "SOF", "Handicap", D(2025, 1, 5), "ændret"),          # after the period
    ]
    con = _store(tmp_path / "a.duckdb", appeals=(cols, rows))
    whole = lookups.outcome_mix(con, D(2024, 1, 1), D(2024, 12, 31))
    assert sorted(zip(whole["grp"], whole["outcome"], whole["n"])) == [
        ("BIF", "stadfæstet", 2), ("BIF", "ændret", 1), ("SOF", "hjemvist", 1)]
    bif = lookups.outcome_mix(con, D(2024, 1, 1), D(2024, 12, 31), "BIF")   # per area within BIF
    assert sorted(zip(bif["grp"], bif["outcome"], bif["n"])) == [
        ("Kontanthjælp", "stadfæstet", 2), ("Sygedagpenge", "ændret", 1)]


def test_recommendation_status(tmp_path):
    cols = ["forvaltning", "evaluation_year", "number", "text", "status"]
    rows = [
        ("SOF", 2024, 1, "a", "gennemført"), ("SOF", 2024, 2, "b", "i gang"), ("SOF", 2024, 3, "c", "i gang"),
        ("SOF", 2023, 1, "d", "gennemført"), ("BIF", 2024, 1, "e", "ikke påbegyndt"),
    ]
    con = _store(tmp_path / "r.duckdb", recommendations=(cols, rows))
    got = lookups.recommendation_status(con)
    assert sorted(zip(got["forvaltning"], got["evaluation_year"], got["status"], got["n"])) == [
        ("BIF", 2024, "ikke påbegyndt", 1), ("SOF", 2023, "gennemført", 1), ("SOF", 2024, "gennemført", 1),
        ("SOF", 2024, "i gang", 2)]
    bif = lookups.recommendation_status(con, "BIF")
    assert list(zip(bif["forvaltning"], bif["status"], bif["n"])) == [("BIF", "ikke påbegyndt", 1)]


def test_case_durations(tmp_path):
    o = D(2024, 1, 1)
    cols = ["case_id", "forvaltning", "area", "opened", "decided", "target_days"]
    rows = [
        ("C1", "SOF", "Byg", o, o + timedelta(days=10), None),        # decided in 10 days; servicemål 25
        ("C2", "SOF", "Byg", o, None, None),                           # open: 30 days at the as-of date
        ("C3", "SOF", "Andet", o, D(2024, 3, 1), 5),                   # decided after the as-of date: 30 days
        ("C4", "BIF", "Andet", D(2024, 1, 20), D(2024, 1, 22), None),  # 2 days, no target
        ("C5", "BIF", "Andet", D(2024, 2, 10), None, None),            # opened after the as-of date: left out
    ]
    con = _store(tmp_path / "c.duckdb", cases=(cols, rows))
    org = org_with(tmp_path, "servicemaal: {Byg: 25}\n")
    got = lookups.case_durations(con, D(2024, 1, 31), org).sort_values("opened", kind="stable")
    got = got.set_index(got["days"].astype(int).astype(str) + got["forvaltning"] + got["area"])
    assert sorted(got.index) == ["10SOFByg", "2BIFAndet", "30SOFAndet", "30SOFByg"]
    assert [bool(got.loc[k, "decided_by_as_of"]) for k in ["10SOFByg", "30SOFByg", "30SOFAndet", "2BIFAndet"]] \
        == [True, False, False, True]
    assert got.loc["10SOFByg", "target"] == 25 and got.loc["30SOFAndet", "target"] == 5
    assert pd.isna(got.loc["2BIFAndet", "target"])   # neither an own target nor a servicemål
    sof = lookups.case_durations(con, D(2024, 1, 31), org, forvaltning="SOF")
    assert sorted(sof["days"].astype(int)) == [10, 30, 30]
    late = lookups.case_durations(con, D(2024, 1, 31), org, opened_from=D(2024, 1, 2))
    assert list(late["days"].astype(int)) == [2]                       # only C4 opened from 2 January


def test_quarantine_counts_and_table_has_rows(tmp_path):
    con = _store(tmp_path / "q.duckdb", complaints=(COMPLAINT_COLS, [
        ("K1", "SOF", "Handicap", D(2024, 2, 1), "realitet", None)]))
    for table, row in [("complaints", 3), ("complaints", 7), ("cases", 2), ("audits", 4)]:
        con.execute("INSERT INTO quarantine VALUES (?, 'f.csv', 'x', ?, NULL, 'grund', NULL, now())", [table, row])
    assert lookups.quarantine_counts(con, ["complaints", "cases", "appeals"]) == [("cases", 1), ("complaints", 2)]
    assert lookups.quarantine_counts(con, []) == []
    assert lookups.table_has_rows(con, "complaints")
    assert lookups.table_has_rows(con, "complaints", "SOF")
    assert not lookups.table_has_rows(con, "complaints", "BIF")
    assert not lookups.table_has_rows(con, "cases")
    # municipal_appeals has no forvaltning column: the forvaltning is not a filter there
    con.execute("INSERT INTO municipal_appeals (municipality, year, area, upheld, changed, remitted) "
                "VALUES ('Småby', 2024, 'Handicap', 1, 0, 0)")
    assert lookups.table_has_rows(con, "municipal_appeals", "SOF")
