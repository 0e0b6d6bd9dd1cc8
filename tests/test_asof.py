"""As-of dates from the exports and partial periods, on tiny stores loaded through ``kvalitet.ingest`` with
``--as-of``. Every expected number is counted by hand from the rows written below."""

from __future__ import annotations

import io
import math
from datetime import date as D
from datetime import timedelta
from pathlib import Path

import pandas as pd
import pytest

from conftest import write_csv
from kvalitet import indicators, organisation, screening, store
from kvalitet.cli import main
from kvalitet.ingest import ingest_files
from kvalitet.report import default_as_of_label
from kvalitet.stats import km_median, mann_kendall

COMPLAINT_HEADER = ["complaint_id", "forvaltning", "area", "received", "closed", "kind", "outcome"]

# complaints received: 4 in 2022, 6 in 2023 (2 of them in January), 3 in January 2024
RECEIVED = {
    2022: ["2022-03-10", "2022-06-10", "2022-09-10", "2022-12-10"],
    2023: ["2023-01-10", "2023-01-20", "2023-04-10", "2023-07-10", "2023-10-10", "2023-12-20"],
    2024: ["2024-01-05", "2024-01-12", "2024-01-25"],
}


def complaint_rows(received: list[str]) -> list[list]:
    return [[f"K{i}", "SOF", "Handicap", d, None, "realitet", None] for i, d in enumerate(received, 1)]


def decision_rows(months: dict[str, int]) -> list[list]:
    return [["SOF", "Handicap", m, n] for m, n in months.items()]


def months_between(first: str, last: str) -> list[str]:
    return [p.strftime("%Y-%m") for p in pd.period_range(first, last, freq="M")]


def load(tmp_path: Path, org_file: Path, files: list[tuple[str, list[str], list[list], D]]) -> Path:
    """Write each export and ingest it with its own --as-of; every file must load without quarantine."""
    db = tmp_path / "asof.duckdb"
    org = organisation.load(org_file)
    for name, header, rows, as_of in files:
        path = write_csv(tmp_path / "exports" / name, header, rows)
        (result,) = ingest_files([path], db=db, organisation=org, as_of=as_of)
        assert result.exit_code == 0, result.line()
    return db


@pytest.fixture
def january(tmp_path, org_file):
    """Complaints exported to 31 January 2024, decisions to 15 January 2024 (100 a month, 50 so far in January)."""
    received = RECEIVED[2022] + RECEIVED[2023] + RECEIVED[2024]
    decisions = {m: 100 for m in months_between("2022-01", "2023-12")} | {"2024-01": 50}
    db = load(tmp_path, org_file, [
        ("klager.csv", COMPLAINT_HEADER, complaint_rows(received), D(2024, 1, 31)),
        ("afgørelser.csv", ["forvaltning", "area", "month", "decisions"], decision_rows(decisions), D(2024, 1, 15)),
    ])
    con = store.connect(db, read_only=True)
    yield con
    con.close()


def totals(frame: pd.DataFrame) -> dict[str, dict]:
    """The total row (no sub-group) of each period, as a dict."""
    t = frame[frame["subgroup"].isna()]
    return {r["period"]: r for r in t.to_dict("records")}


def test_as_of_per_table_from_ingest_log(january):
    assert store.table_as_of(january) == {"complaints": D(2024, 1, 31), "decisions": D(2024, 1, 15)}
    # the newest date in the data (the old default) is the last complaint received, a date no export has
    assert indicators.newest_date(january) == D(2024, 1, 25)
    assert indicators.indicator_as_of(january, "complaints_received") == D(2024, 1, 31)
    assert indicators.indicator_as_of(january, "complaint_rate") == D(2024, 1, 15)  # the earlier of its two tables
    # a given as-of caps the exports' dates, it never moves them later
    assert indicators.indicator_as_of(january, "complaints_received", as_of=D(2024, 1, 20)) == D(2024, 1, 20)
    assert indicators.indicator_as_of(january, "complaints_received", as_of=D(2024, 6, 30)) == D(2024, 1, 31)


def test_latest_complete_period_judged_by_the_earliest(january):
    both = indicators.data_as_of(january, ("complaints", "decisions"))
    assert (both.earliest, both.latest, both.differ) == (D(2024, 1, 15), D(2024, 1, 31), True)
    assert both.complete("year").label == "2023"
    assert both.complete("month").label == "2023-12"  # January is over for complaints, not for decisions
    assert both.current("year").label == "2024"
    complaints = indicators.data_as_of(january, ("complaints",))
    assert complaints.complete("month").label == "2024-01"
    assert complaints.current("month") is None
    assert both.label == "15. januar–31. januar 2024"
    assert both.sentences("year") == [
        "Tabellerne er opgjort på forskellige datoer: afgørelser pr. 15. januar 2024; klager pr. 31. januar 2024.",
        "Seneste hele år er 2023, vurderet efter den tidligste opgørelsesdato (15. januar 2024); 2024 er kun "
        "delvist med (1. januar–15. januar 2024) og sammenlignes kun med samme del af året før.",
    ]
    # the report's "opgjort pr." (no --as-of given): the range of the loaded exports
    assert default_as_of_label(january) == "15. januar–31. januar 2024"
    assert default_as_of_label(january, D(2024, 1, 10)) == "10. januar 2024"


def test_partial_flag_and_counts(january):
    rows = totals(indicators.compute(january, ["complaints_received"], by=()))
    assert {p: (r["numerator"], r["partial"]) for p, r in rows.items()} == {
        "2022": (4, False), "2023": (6, False), "2024": (3, True)}


def test_rate_cut_at_the_last_whole_month_both_cover(january):
    # complaints to 31 January, decisions to 15 January: the last whole month both cover is December 2023, so
    # neither the 3 complaints nor the 50 decisions of January 2024 are counted
    rows = totals(indicators.compute(january, ["complaint_rate"], by=()))
    assert (rows["2022"]["numerator"], rows["2022"]["denominator"]) == (4, 1200)
    assert rows["2022"]["value"] == pytest.approx(4 / 1200 * 1000)
    assert (rows["2023"]["numerator"], rows["2023"]["denominator"]) == (6, 1200)
    assert rows["2023"]["value"] == pytest.approx(5.0)
    assert (rows["2024"]["numerator"], rows["2024"]["denominator"]) == (0, 0)
    assert math.isnan(rows["2024"]["value"])
    assert rows["2024"]["partial"] and not rows["2023"]["partial"]
    assert "ingen hele måneder i perioden endnu" in rows["2024"]["note"]
    months = totals(indicators.compute(january, ["complaint_rate"], period="month", by=()))
    assert (months["2023-12"]["numerator"], months["2023-12"]["denominator"]) == (1, 100)
    assert months["2023-12"]["value"] == pytest.approx(10.0)
    assert (months["2024-01"]["numerator"], months["2024-01"]["denominator"], months["2024-01"]["partial"]) == (
        0, 0, True)


def test_compare_periods_partial_with_same_part_of_year_before(january):
    c = indicators.compare_periods(january, "complaints_received", by=())
    assert (c.as_of, c.latest.label, c.previous.label) == (D(2024, 1, 31), "2023", "2022")
    assert c.partial == (D(2024, 1, 1), D(2024, 1, 31))
    assert c.year_before == (D(2023, 1, 1), D(2023, 1, 31))
    assert (c.partial_label, c.year_before_label) == ("1. januar–31. januar 2024", "1. januar–31. januar 2023")
    got = {role: totals(c.rows(role)) for role in indicators.COMPARISON_ROLES}
    assert [r["numerator"] for r in got["previous"].values()] == [4]
    assert [r["numerator"] for r in got["latest"].values()] == [6]
    assert [r["numerator"] for r in got["year_before"].values()] == [2]  # 10 and 20 January 2023
    assert [r["numerator"] for r in got["partial"].values()] == [3]
    assert [r["label"] for r in got["partial"].values()] == ["1. januar–31. januar 2024"]
    assert [c.days(r) for r in indicators.COMPARISON_ROLES] == [365, 365, 31, 31]  # 2022, 2023, two Januaries
    # the whole periods are never flagged partial, the partial ones always
    assert not c.rows("latest")["partial"].any() and c.rows("partial")["partial"].all()


def test_compare_many_agrees_with_one_at_a_time(january):
    many = indicators.compare_many(january, ["complaints_received", "complaint_rate"], by=())
    for ind in ("complaints_received", "complaint_rate"):
        one = indicators.compare_periods(january, ind, by=())
        assert (many[ind].as_of, many[ind].latest, many[ind].partial) == (one.as_of, one.latest, one.partial)
        pd.testing.assert_frame_equal(many[ind].frame.reset_index(drop=True), one.frame.reset_index(drop=True))


def test_compare_periods_rate_without_a_whole_month(january):
    c = indicators.compare_periods(january, "complaint_rate", by=())
    assert (c.as_of, c.latest.label, c.previous.label) == (D(2024, 1, 15), "2023", "2022")
    assert c.partial is None and c.year_before is None and c.rows("partial").empty
    assert c.rows("latest")["value"].tolist() == [pytest.approx(5.0)]


def test_rate_partial_year_counts_whole_months_only(tmp_path, org_file):
    """Complaints to 29 February, decisions to 15 February 2024: both cover January; February is left out of both."""
    received = RECEIVED[2023] + RECEIVED[2024] + ["2024-02-10", "2024-02-20"]
    decisions = {m: 100 for m in months_between("2023-01", "2024-01")} | {"2024-02": 40}
    db = load(tmp_path, org_file, [
        ("klager.csv", COMPLAINT_HEADER, complaint_rows(received), D(2024, 2, 29)),
        ("afgørelser.csv", ["forvaltning", "area", "month", "decisions"], decision_rows(decisions), D(2024, 2, 15)),
    ])
    con = store.connect(db, read_only=True)
    try:
        rows = totals(indicators.compute(con, ["complaint_rate"], by=()))
        assert (rows["2024"]["numerator"], rows["2024"]["denominator"]) == (3, 100)
        assert rows["2024"]["value"] == pytest.approx(30.0)
        assert "opgjort til og med 31. januar 2024 (sidste hele måned)" in rows["2024"]["note"]
        c = indicators.compare_periods(con, "complaint_rate", by=())
        assert (c.partial_label, c.year_before_label) == ("1. januar–31. januar 2024", "1. januar–31. januar 2023")
        yb, part = totals(c.rows("year_before")), totals(c.rows("partial"))
        assert [(r["numerator"], r["denominator"], r["value"]) for r in yb.values()] == [(2, 100, 20.0)]
        assert [(r["numerator"], r["denominator"], r["value"]) for r in part.values()] == [(3, 100, 30.0)]
    finally:
        con.close()


def test_screening_ignores_the_partial_period(tmp_path, org_file):
    """Response days 40, 38, 39, 36, 37, 35 in 2018–2023 and 5 in the partial January 2024."""
    days = {2018: 40, 2019: 38, 2020: 39, 2021: 36, 2022: 37, 2023: 35}
    rows = []
    for y, n in days.items():
        closed = D(y, 6, 30)
        rows.append([f"K{y}", "SOF", "Handicap", (closed - timedelta(days=n)).isoformat(), closed.isoformat(),
                     "realitet", "ikke medhold"])
    rows.append(["K2024", "SOF", "Handicap", "2024-01-10", "2024-01-15", "realitet", "ikke medhold"])
    db = load(tmp_path, org_file, [("klager.csv", COMPLAINT_HEADER, rows, D(2024, 1, 31))])
    # Mann–Kendall by hand: the six whole years give S = -11, var(S) = 6·5·17/18 = 28,33, z = 10/√28,33 = 1,879,
    # p = 0,060: no sure change. With the partial point S = -17, var(S) = 7·6·19/18 = 44,33, z = 16/√44,33 = 2,403,
    # p = 0,016: it alone would make the series "faldende".
    assert mann_kendall([40, 38, 39, 36, 37, 35]).p == pytest.approx(0.0603, abs=5e-4)
    assert mann_kendall([40, 38, 39, 36, 37, 35, 5]).p == pytest.approx(0.0163, abs=5e-4)
    con = store.connect(db, read_only=True)
    try:
        trends, _ = screening.run(con, ["complaint_response_days_median"], by=(), initiatives=False)
    finally:
        con.close()
    (row,) = trends.to_dict("records")
    assert (row["method"], row["n_periods"], row["first_period"], row["last_period"]) == (
        "mann_kendall", 6, "2018", "2023")
    assert row["p_value"] == pytest.approx(0.0603, abs=5e-4)
    assert row["direction"] == screening.NO_CHANGE


def test_km_censors_at_the_cases_export(tmp_path, org_file):
    """Cases exported to 31 January 2024, complaints to 31 March 2024 (newest date in the data: 20 March)."""
    cases = [  # servicemål 30 days for every case
        ["A", "SOF", "Handicap", "2023-10-01", "2023-10-11", 30],  # 10 days
        ["B", "SOF", "Handicap", "2023-12-01", None, 30],          # open: 61 days at 31 January 2024
        ["C", "SOF", "Handicap", "2023-11-01", "2024-01-10", 30],  # 70 days
        ["D", "SOF", "Handicap", "2023-11-01", "2024-01-20", 30],  # 80 days
        ["E", "SOF", "Handicap", "2024-01-10", None, 30],          # open: 21 days at 31 January, 70 at 20 March
    ]
    db = load(tmp_path, org_file, [
        ("sager.csv", ["case_id", "forvaltning", "area", "opened", "decided", "target_days"], cases,
         D(2024, 1, 31)),
        ("klager.csv", COMPLAINT_HEADER, complaint_rows(["2024-03-20"]), D(2024, 3, 31)),
    ])
    # Kaplan–Meier by hand. B censored at 61 days: S(10) = 3/4, S(70) = 3/4 · 1/2 = 0,375 < 0,5 → median 70.
    # B censored at 110 days (20 March, the newest date in the data): S(70) = 3/4 · 2/3 = 0,5, S(80) = 0,25 →
    # median (70 + 80)/2 = 75.
    assert km_median([10, 61, 70, 80], [True, False, True, True]).median == 70
    assert km_median([10, 110, 70, 80], [True, False, True, True]).median == 75
    con = store.connect(db, read_only=True)
    try:
        assert indicators.newest_date(con) == D(2024, 3, 20)
        for as_of in (None, D(2024, 3, 20)):  # a later as-of given by hand is capped at the cases export
            rows = totals(indicators.compute(con, ["processing_days_km_median"], by=(), as_of=as_of))
            assert list(rows) == ["2023", "2024"]
            assert (rows["2023"]["numerator"], rows["2023"]["denominator"], rows["2023"]["value"]) == (3, 4, 70.0)
            assert (rows["2023"]["partial"], rows["2024"]["partial"]) == (False, True)
            # the sagspukkel: open cases older than 30 days. At 31 December 2023: B (30 days, not over), C and D
            # (60 days) → 2 of 3. At 31 January 2024 (the cases export): B (61 days) and E (21) open → 1 of 2; at
            # 20 March (the newest date in the data) it would have been 2 of 2.
            pile = totals(indicators.compute(con, ["open_cases_over_target"], by=(), as_of=as_of))
            assert [(p, r["numerator"], r["denominator"], r["partial"]) for p, r in pile.items()] == [
                ("2023", 2, 3, False), ("2024", 1, 2, True)]
        # a range that ends before its period does: the pile is counted at the range's end (30 November 2023: C and
        # D open, 29 days old, not over; B not opened yet)
        pile = totals(indicators.compute(con, ["open_cases_over_target"], by=(), start=D(2023, 1, 1),
                                         end=D(2023, 11, 30)))
        assert [(p, r["numerator"], r["denominator"], r["partial"]) for p, r in pile.items()] == [
            ("2023", 0, 2, True)]
    finally:
        con.close()


def test_cli_says_when_tables_differ(january, tmp_path, org_file, capsys):
    db = tmp_path / "asof.duckdb"
    january.close()
    code = main(["indicators", "--db", str(db), "--organisation", str(org_file), "--indicator", "complaint_rate",
                 "--by", "none"])
    out, err = capsys.readouterr()
    assert code == 0
    assert ("bemærk: Tabellerne er opgjort på forskellige datoer: afgørelser pr. 15. januar 2024; klager pr. "
            "31. januar 2024. Seneste hele år er 2023") in err
    frame = pd.read_csv(io.StringIO(out), dtype={"period": str})
    assert frame.set_index("period")["partial"].to_dict() == {"2022": False, "2023": False, "2024": True}


def test_metode_og_data_leaves_out_tables_never_loaded(january):
    asof = indicators.data_as_of(january, ("complaints", "decisions", "appeals", "recommendations"))
    assert asof.tables == {"complaints": D(2024, 1, 31), "decisions": D(2024, 1, 15)}
    assert asof.logged == ("complaints", "decisions")


def test_store_without_ingest_log_keeps_the_newest_date(tmp_path):
    """Rows inserted directly (no ingest_log): every table is seen from the newest date in the data, as before."""
    con = store.connect(tmp_path / "direct.duckdb")
    con.execute("INSERT INTO complaints (complaint_id, forvaltning, area, received, kind) VALUES "
                "('K1', 'SOF', 'Handicap', DATE '2023-05-01', 'realitet'), "
                "('K2', 'SOF', 'Handicap', DATE '2024-01-31', 'realitet')")
    con.execute("INSERT INTO decisions (forvaltning, area, month, decisions) VALUES "
                "('SOF', 'Handicap', DATE '2024-01-01', 10)")
    try:
        assert store.table_as_of(con) == {}
        assert indicators.indicator_as_of(con, "complaint_rate") == D(2024, 1, 31)
        asof = indicators.data_as_of(con, ("complaints", "decisions"))
        assert (asof.earliest, asof.logged) == (D(2024, 1, 31), ())
        assert asof.sentences()[-1] == ("Uden registreret eksportdato (opgjort til nyeste dato i data): klager, "
                                        "afgørelser.")
        rows = totals(indicators.compute(con, ["complaint_rate"], period="month", by=()))
        # 31 January is the last day of January: the whole month counts, 1 complaint per 10 decisions
        assert (rows["2024-01"]["numerator"], rows["2024-01"]["denominator"], rows["2024-01"]["partial"]) == (
            1, 10, False)
        assert rows["2024-01"]["value"] == pytest.approx(100.0)
    finally:
        con.close()


def test_no_partial_comparison_for_period_labelled_tables(january):
    # satisfaction surveys carry a period, not a date: no part of a period can be cut out of them
    c = indicators.compare_periods(january, "satisfaction_share", by=())
    assert c.latest.label == "2023" and c.partial is None and c.year_before is None


def test_period_labels_name_what_a_partial_period_holds(january):
    f = indicators.compute(january, ["complaints_received", "complaint_rate"], by=())
    f = f[f["subgroup"].isna()]
    got = dict(zip(zip(f["indicator"], f["period"]), indicators.period_labels(january, f)))
    assert got[("complaints_received", "2023")] == "2023"
    assert got[("complaints_received", "2024")] == "1. januar–31. januar 2024"
    # the rate counts whole months only, and decisions are exported to 15 January: nothing of 2024 yet
    assert got[("complaint_rate", "2024")] == "2024 (ingen hele måneder endnu)"
    h = indicators.compute(january, ["complaints_received"], period="half", by=(), start=D(2023, 3, 1))
    h = h[h["subgroup"].isna()]
    assert indicators.period_labels(january, h, start=D(2023, 3, 1)) == [
        "1. marts–30. juni 2023", "2. halvår 2023", "1. januar–31. januar 2024"]
    assert h["numerator"].tolist() == [1, 3, 3]  # 10 April; 10 July, 10 October, 20 December; January 2024
