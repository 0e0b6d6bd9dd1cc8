"""The indicator engine on small hand-made stores whose answers are written out here."""

from __future__ import annotations

import math
from datetime import date, timedelta
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from kvalitet import catalogue, indicators, organisation, periods, store
from kvalitet.errors import UserError
from kvalitet.indicators import OUTPUT_COLUMNS, compute

from conftest import PUBLIC, write_csv

COLS = {
    "complaints": ["complaint_id", "forvaltning", "unit", "area", "received", "closed", "kind", "outcome"],
    "decisions": ["forvaltning", "unit", "area", "month", "decisions"],
    "appeals": ["appeal_id", "forvaltning", "unit", "area", "decided", "outcome"],
    "cases": ["case_id", "forvaltning", "unit", "area", "opened", "decided", "target_days"],
    "audits": ["audit_id", "forvaltning", "unit", "area", "audit_date", "item", "result"],
    "inquiries": ["inquiry_id", "forvaltning", "received", "closed", "category", "criticism"],
    "satisfaction": ["forvaltning", "unit", "survey", "period", "respondents", "satisfied"],
    "municipal_appeals": ["municipality", "year", "area", "upheld", "changed", "remitted"],
}


def make_store(path: Path, **tables):
    """A store with the given rows (tuples in the order of COLS[table]); returns an open connection."""
    con = store.connect(path)
    for name, rows in tables.items():
        cols = COLS[name]
        ph = ", ".join("?" for _ in cols)
        names = ", ".join(f'"{c}"' for c in cols)
        for r in rows:
            con.execute(f'INSERT INTO "{name}" ({names}) VALUES ({ph})', list(r))
    return con


def org_with(tmp_path: Path, extra: str = ""):
    p = tmp_path / "organisation.yaml"
    p.write_text(
        "municipality: Testkommune\nforvaltninger:\n  - {code: SOF, name: Socialforvaltningen}\n"
        "  - {code: BIF, name: Beskæftigelsesforvaltningen}\n" + extra, encoding="utf-8")
    return organisation.load(p)


def one(df: pd.DataFrame, **kw) -> pd.Series:
    m = np.ones(len(df), bool)
    for k, v in kw.items():
        m &= (df[k].isna() if v is None else (df[k] == v)).to_numpy()
    sel = df[m]
    assert len(sel) == 1, f"{kw}: {len(sel)} rows\n{df}"
    return sel.iloc[0]


D = date


# ---------------------------------------------------------------------------------------------- periods
@pytest.mark.parametrize("bstart", ["odd", "even"])
def test_period_labels_sql_and_python_agree(tmp_path, bstart):
    con = store.connect(tmp_path / "p.duckdb")
    days = [D(2019, 12, 31) + timedelta(days=k * 17) for k in range(120)]
    for grain in periods.PERIODS:
        expr = periods.label_sql("d", grain, bstart)
        got = [r[0] for r in con.execute(f"SELECT {expr} FROM (SELECT unnest(?::DATE[]) AS d)", [days]).fetchall()]
        assert got == [periods.label_of(d, grain, bstart) for d in days]
        for d, lab in zip(days, got):
            a, b = periods.bounds(lab)
            assert a <= d <= b


def test_period_label_examples():
    d = D(2024, 5, 17)
    assert [periods.label_of(d, g) for g in periods.PERIODS] == ["2024-05", "2024Q2", "2024H1", "2024", "2023-2024"]
    assert periods.label_of(d, "biennium", "even") == "2024-2025"
    assert periods.bounds("2024Q2") == (D(2024, 4, 1), D(2024, 6, 30))
    assert periods.bounds("2023-2024") == (D(2023, 1, 1), D(2024, 12, 31))
    assert periods.fits("2024H1", "year") == "2024"
    assert periods.fits("2024", "quarter") is None
    assert [p.label for p in periods.periods_between(D(2024, 2, 10), D(2024, 7, 1), "quarter")] == [
        "2024Q1", "2024Q2", "2024Q3"]
    with pytest.raises(UserError):
        periods.check_period("uge")


# ---------------------------------------------------------------------------------------------- complaints
def _complaints_store(tmp_path):
    c = [
        ("K1", "SOF", "U1", "Hjemmehjælp", D(2023, 3, 1), D(2023, 4, 1), "formalitet", "medhold"),
        ("K2", "SOF", "U1", "Hjemmehjælp", D(2023, 5, 1), D(2024, 1, 20), "realitet", "ikke medhold"),
        ("K3", "SOF", "U1", "Hjemmehjælp", D(2024, 2, 1), D(2024, 2, 11), "formalitet og realitet", "delvis medhold"),
        ("K4", "SOF", "U1", "Hjemmehjælp", D(2024, 3, 1), D(2024, 3, 21), "realitet", "afvist"),
        ("K5", "SOF", "U1", "Hjemmehjælp", D(2024, 6, 1), D(2024, 7, 11), "realitet", "ikke medhold"),
        ("K6", "BIF", None, "Kontanthjælp", D(2024, 1, 5), None, "formalitet", None),
    ]
    d = [
        ("SOF", "U1", "Hjemmehjælp", D(2024, 1, 1), 600),
        ("SOF", "U1", "Hjemmehjælp", D(2024, 2, 1), 400),
        ("BIF", None, "Kontanthjælp", D(2024, 1, 1), 0),
    ]
    return make_store(tmp_path / "k.duckdb", complaints=c, decisions=d)


def test_complaints_received_by_kind_with_total(tmp_path):
    con = _complaints_store(tmp_path)
    df = compute(con, ["complaints_received"], as_of=D(2024, 12, 31))
    assert list(df.columns) == OUTPUT_COLUMNS
    # SOF 2024: K3 (formalitet og realitet), K4 and K5 (realitet) -> total 3
    assert one(df, forvaltning="SOF", period="2024", subgroup=None)["value"] == 3
    assert one(df, forvaltning="SOF", period="2024", subgroup="realitet")["numerator"] == 2
    assert one(df, forvaltning="SOF", period="2024", subgroup="formalitet og realitet")["numerator"] == 1
    # a kind seen in another period gets an explicit 0, not a missing row
    assert one(df, forvaltning="SOF", period="2024", subgroup="formalitet")["value"] == 0
    assert one(df, forvaltning="SOF", period="2023", subgroup=None)["value"] == 2
    # the three kinds are disjoint: they add up to the total
    sof24 = df[(df.forvaltning == "SOF") & (df.period == "2024")]
    assert sof24[sof24.subgroup.notna()]["numerator"].sum() == 3
    # not grouped on unit/area: empty
    assert df["unit"].isna().all() and df["area"].isna().all()
    assert pd.isna(one(df, forvaltning="SOF", period="2024", subgroup=None)["denominator"])


def test_whole_municipality_and_where(tmp_path):
    con = _complaints_store(tmp_path)
    df = compute(con, ["complaints_received"], by=(), as_of=D(2024, 12, 31))
    # the whole municipality in 2024: K3, K4, K5 (SOF) + K6 (BIF) = 4
    assert one(df, period="2024", subgroup=None)["value"] == 4
    assert df["forvaltning"].isna().all()
    df = compute(con, ["complaints_received"], by=("forvaltning", "area"), where={"forvaltning": "BIF"},
                 as_of=D(2024, 12, 31))
    assert set(df["forvaltning"]) == {"BIF"}
    assert one(df, period="2024", subgroup=None)["area"] == "Kontanthjælp"


def test_complaint_rate_garwood_and_zero_denominator(tmp_path):
    con = _complaints_store(tmp_path)
    df = compute(con, ["complaint_rate"], period="year", as_of=D(2024, 12, 31))
    r = one(df, forvaltning="SOF", period="2024")
    # 3 complaints / 1000 decisions * 1000 = 3.0; Garwood 95 % CI for 3 events: 0.6187, 8.7673
    assert (r["numerator"], r["denominator"]) == (3, 1000)
    assert r["value"] == pytest.approx(3.0)
    assert r["ci_low"] == pytest.approx(0.6186721, abs=1e-6)
    assert r["ci_high"] == pytest.approx(8.7672731, abs=1e-6)
    # SOF 2023: complaints but no decisions; BIF 2024: decisions = 0 -> no value, with the reason
    for fv, per in (("SOF", "2023"), ("BIF", "2024")):
        z = one(df, forvaltning=fv, period=per)
        assert math.isnan(z["value"]) and math.isnan(z["ci_low"])
        assert z["note"] == "ingen afgørelser i perioden"
        assert z["status"] == "ingen data"


def test_complaint_rate_monthly(tmp_path):
    con = _complaints_store(tmp_path)
    df = compute(con, ["complaint_rate"], period="month", by=("forvaltning", "unit", "area"),
                 where={"forvaltning": "SOF"}, start=D(2024, 1, 1), as_of=D(2024, 3, 31))
    assert list(df["period"]) == ["2024-01", "2024-02", "2024-03"]
    # February: K3 / 400 decisions * 1000 = 2.5; January: no complaint / 600 decisions = 0;
    # March: K4 but no decisions exported for the month -> no rate
    assert one(df, period="2024-02")["value"] == pytest.approx(2.5)
    assert one(df, period="2024-01")["value"] == 0.0
    assert math.isnan(one(df, period="2024-03")["value"])


def test_complaint_upheld_share_and_response_days(tmp_path):
    con = _complaints_store(tmp_path)
    df = compute(con, ["complaint_upheld_share", "complaint_response_days_median"], as_of=D(2024, 12, 31))
    # closed in 2024 (SOF): K2 ikke medhold, K3 delvis medhold, K4 afvist (left out), K5 ikke medhold -> 1/3
    r = one(df, indicator="complaint_upheld_share", forvaltning="SOF", period="2024")
    assert (r["numerator"], r["denominator"]) == (1, 3)
    assert r["value"] == pytest.approx(1 / 3)
    # Wilson 95 % for 1 of 3 (z = 1.96): (1/3 + z^2/6 -/+ z*sqrt(2/27 + z^2/36)) / (1 + z^2/3) = 0.0615, 0.7923
    assert (r["ci_low"], r["ci_high"]) == (pytest.approx(0.0615, abs=1e-4), pytest.approx(0.7923, abs=1e-4))
    # median days received -> closed for SOF complaints closed in 2024: K2 264, K3 10, K4 20, K5 40 -> (20+40)/2
    m = one(df, indicator="complaint_response_days_median", forvaltning="SOF", period="2024")
    assert m["value"] == 30.0 and m["denominator"] == 4
    assert one(df, indicator="complaint_response_days_median", forvaltning="SOF", period="2023")["value"] == 31.0


def test_as_of_hides_later_records(tmp_path):
    con = _complaints_store(tmp_path)
    df = compute(con, ["complaints_received", "complaint_upheld_share"], as_of=D(2024, 2, 5))
    # K3 (received 2024-02-01) is in, K4/K5 are after the as-of date
    assert one(df, indicator="complaints_received", forvaltning="SOF", period="2024", subgroup=None)["value"] == 1
    # K3 closed 2024-02-11 is after as-of: only K2 (ikke medhold) is closed in 2024
    assert one(df, indicator="complaint_upheld_share", forvaltning="SOF", period="2024")["value"] == 0.0


def test_default_as_of_is_newest_date(tmp_path):
    con = _complaints_store(tmp_path)
    assert indicators.newest_date(con) == D(2024, 7, 11)
    df = compute(con, ["complaints_received"], period="quarter", by=())
    assert df["period"].max() == "2024Q3"


def test_default_as_of_is_the_exports_as_of(tmp_path, org_file):
    """DESIGN/issue 8: the default as-of is the latest as-of among the loads of the tables used (ingest_log)."""
    from kvalitet.ingest import ingest_file
    from kvalitet.pii import Pseudonymiser

    path = write_csv(tmp_path / "klager.csv", ["klage_id", "forvaltning", "område", "modtaget", "afsluttet",
                                               "klagetype", "udfald"],
                     [["K1", "SOF", "Handicap", "01-02-2024", "11-02-2024", "realitet", "medhold"],
                      ["K2", "SOF", "Handicap", "02-05-2024", "11-07-2024", "realitet", "ikke medhold"]])
    org = organisation.load(org_file)
    db = tmp_path / "asof.duckdb"
    con = store.connect(db)
    res = ingest_file(con, path, org, Pseudonymiser.for_database(db), as_of=D(2024, 9, 30))
    assert res.inserted == 2
    # newest date in the data: 2024-07-11; the export's as-of: 2024-09-30 -> months run to 2024-09
    df = compute(con, ["complaints_received"], period="month", by=(), organisation=org)
    assert df["period"].max() == "2024-09"


# ---------------------------------------------------------------------------------------------- appeals
def test_appeal_shares_exclude_dismissed(tmp_path):
    outcomes = ["stadfæstet"] * 6 + ["ændret", "ophævet", "hjemvist", "hjemvist", "afvist", "henvist", "bortfaldet"]
    rows = [(f"A{i}", "SOF", None, "Handicap", D(2024, 1 + i % 12, 1), o) for i, o in enumerate(outcomes)]
    rows.append(("A99", "SOF", None, "Handicap", D(2023, 6, 1), "afvist"))
    con = make_store(tmp_path / "a.duckdb", appeals=rows)
    df = compute(con, ["appeal_reversal_share", "appeal_upheld_share"], as_of=D(2024, 12, 31))
    # realitetsbehandlede in 2024: 6 stadfæstet + ændret + ophævet + 2 hjemvist = 10 (afvist, henvist and
    # bortfaldet are left out); reversed: ændret + ophævet + 2 hjemvist = 4 -> 4 / 10 = 0.4, upheld 6 / 10 = 0.6
    rev = one(df, indicator="appeal_reversal_share", period="2024")
    assert (rev["numerator"], rev["denominator"]) == (4, 10)
    assert rev["value"] == pytest.approx(0.4)
    # Wilson 95 % for 4 of 10: 0.1682, 0.6873
    assert (rev["ci_low"], rev["ci_high"]) == (pytest.approx(0.1682, abs=1e-4), pytest.approx(0.6873, abs=1e-4))
    up = one(df, indicator="appeal_upheld_share", period="2024")
    assert (up["numerator"], up["denominator"]) == (6, 10)
    assert up["value"] == pytest.approx(0.6)
    # default target band 80-85 %; 60 % with n = 10: Wilson upper limit 0.8318 > 0.80 -> not surely under
    assert (up["target_low"], up["target_high"]) == (0.80, 0.85)
    assert up["status"] == "under målet"
    # 2023: only a dismissed appeal -> no realitetsbehandlede -> no value
    z = one(df, indicator="appeal_reversal_share", period="2023")
    assert math.isnan(z["value"]) and z["note"] == "ingen realitetsbehandlede ankesager i perioden"
    assert z["denominator"] == 0


# ---------------------------------------------------------------------------------------------- cases
def _cases_store(tmp_path):
    o = D(2024, 1, 1)
    rows = [
        # decided cases (days 10, 20, 30) in area Byg (servicemål 25 from the organisation file) and one own target
        ("C1", "SOF", None, "Byg", o, o + timedelta(days=10), None),
        ("C2", "SOF", None, "Byg", o, o + timedelta(days=20), None),
        ("C3", "SOF", None, "Byg", o, o + timedelta(days=30), None),
        # still open at the as-of date 2024-01-31 (30 days) and decided after it (censored at 30 days too)
        ("C4", "SOF", None, "Byg", o, None, None),
        ("C5", "SOF", None, "Byg", o, D(2024, 3, 1), None),
        # own target of 5 days overrides the servicemål; decided in 8 days: not within
        ("C6", "SOF", None, "Andet", D(2024, 1, 10), D(2024, 1, 18), 5),
        # no target at all: left out of service_target_share, counted in the note
        ("C7", "SOF", None, "Andet", D(2024, 1, 2), D(2024, 1, 4), None),
    ]
    return make_store(tmp_path / "c.duckdb", cases=rows)


def test_processing_time_median_and_service_target(tmp_path):
    con = _cases_store(tmp_path)
    org = org_with(tmp_path, "servicemaal: {Byg: 25}\n")
    df = compute(con, ["processing_days_median", "service_target_share"], period="month", by=("area",),
                 as_of=D(2024, 1, 31), organisation=org)
    m = one(df, indicator="processing_days_median", area="Byg", period="2024-01")
    assert m["value"] == 20.0 and m["denominator"] == 3   # C5 is decided after the as-of date
    s = one(df, indicator="service_target_share", area="Byg", period="2024-01")
    assert (s["numerator"], s["denominator"]) == (2, 3)   # 10 and 20 days within 25; 30 not
    a = one(df, indicator="service_target_share", area="Andet", period="2024-01")
    assert (a["numerator"], a["denominator"]) == (0, 1)
    # C7 (no target of its own, area Andet has no servicemål) is left out and counted in the note
    # (its wording is checked in test_notes_in_correct_danish)
    assert a["note"].startswith("1 ") and "servicemål" in a["note"]


def test_km_median_censors_open_cases_at_as_of(tmp_path):
    con = _cases_store(tmp_path)
    df = compute(con, ["processing_days_km_median"], period="month", by=("area",), as_of=D(2024, 1, 31))
    r = one(df, area="Byg", period="2024-01")
    # events at 10, 20, 30 days; two censored at 30 days (C4 open, C5 decided after as-of):
    # S(10) = 4/5, S(20) = 3/5, S(30) = 3/5 * 2/3 = 0.4 -> median 30 (the naive median of decided cases is 20)
    assert r["value"] == 30.0
    assert (r["numerator"], r["denominator"]) == (3, 5)
    # Brookmeyer-Crowley interval, log transform (R survfit's default): t is inside when
    # |log S(t) - log 0.5| <= 1.96 * sqrt(Greenwood sum), Greenwood terms d/(n(n-d)) = 1/20, 1/12, 1/6:
    #   t = 10: |log 1.6| = 0.470 > 1.96 * sqrt(0.05) = 0.438            -> outside
    #   t = 20: |log 1.2| = 0.182 <= 1.96 * sqrt(0.1333) = 0.716           -> inside: lower limit 20
    #   t = 30: |log 0.8| = 0.223 <= 1.96 * sqrt(0.3) = 1.074, no later event -> upper limit not reached
    assert r["ci_low"] == 20.0 and math.isnan(r["ci_high"])
    # seen later (2024-03-31): C5 decided after 60 days (an event), C4 open for 90 days (censored);
    # S(30) = 3/5 * 2/3 = 0.4 still, so the median stays 30; S(60) = 0.4 * 1/2 = 0.2
    later = compute(con, ["processing_days_km_median"], period="month", by=("area",), as_of=D(2024, 3, 31))
    r = one(later, area="Byg", period="2024-01")
    assert (r["numerator"], r["denominator"]) == (4, 5)
    assert r["value"] == 30.0


def test_km_median_not_reached(tmp_path):
    o = D(2024, 1, 1)
    rows = [("C1", "SOF", None, "Byg", o, o + timedelta(days=5), None)] + [
        (f"O{i}", "SOF", None, "Byg", o, None, None) for i in range(3)]
    con = make_store(tmp_path / "c.duckdb", cases=rows)
    r = one(compute(con, ["processing_days_km_median"], by=(), as_of=D(2024, 1, 31)), period="2024")
    assert math.isnan(r["value"]) and "medianen er ikke nået" in r["note"]


def test_open_cases_over_target(tmp_path):
    o = D(2024, 1, 1)
    rows = [
        ("C1", "SOF", None, "Byg", o, D(2024, 2, 15), 30),            # open at Jan end (30 d, not > 30)
        ("C2", "SOF", None, "Byg", D(2023, 12, 1), D(2024, 2, 15), 30),  # open at Jan end, 61 d > 30
        ("C3", "SOF", None, "Byg", D(2023, 12, 1), None, 30),        # open throughout
        ("C4", "SOF", None, "Byg", D(2024, 2, 20), None, None),      # no target: note
    ]
    con = make_store(tmp_path / "c.duckdb", cases=rows)
    df = compute(con, ["open_cases_over_target"], period="month", by=(), as_of=D(2024, 2, 29))
    assert list(df["period"]) == ["2023-12", "2024-01", "2024-02"]
    jan = one(df, period="2024-01")
    assert (jan["numerator"], jan["denominator"]) == (2, 3)  # C2 and C3 (both 61 days) over 30; C1 is 30
    assert jan["value"] == 2                                 # a count: the open cases over their target
    feb = one(df, period="2024-02")
    assert (feb["numerator"], feb["denominator"]) == (1, 1)  # only C3 open at Feb 29 with a target
    assert feb["value"] == 1
    # C4 (open, no target) is counted in the note (its wording is checked in test_notes_in_correct_danish)
    assert feb["note"].startswith("1 ") and "servicemål" in feb["note"]
    # 2023-12-31: C2 and C3 are open, both 30 days old: not over 30
    dec = one(df, period="2023-12")
    assert (dec["value"], dec["denominator"]) == (0, 2)


# ---------------------------------------------------------------------------------------------- audits
def test_audit_error_share_per_case_and_per_item(tmp_path):
    d = D(2024, 5, 1)
    rows = [
        ("T1", "SOF", None, "Byg", d, "begrundelse", "ok"), ("T1", "SOF", None, "Byg", d, "partshøring", "fejl"),
        ("T2", "SOF", None, "Byg", d, "begrundelse", "ok"),
        ("T2", "SOF", None, "Byg", d, "partshøring", "ikke relevant"),
        ("T3", "SOF", None, "Byg", d, "begrundelse", "ikke relevant"),
        ("T4", "SOF", None, "Byg", d, "begrundelse", "fejl"), ("T4", "SOF", None, "Byg", d, "partshøring", "fejl"),
    ]
    con = make_store(tmp_path / "t.duckdb", audits=rows)
    df = compute(con, ["audit_error_share", "audit_item_error_share"], as_of=D(2024, 12, 31))
    # cases with >= 1 fejl: T1, T4; cases with >= 1 ok/fejl: T1, T2, T4 (T3 only 'ikke relevant')
    a = one(df, indicator="audit_error_share", period="2024")
    assert (a["numerator"], a["denominator"]) == (2, 3)
    assert a["value"] == pytest.approx(2 / 3)
    # Wilson 95 % for 2 of 3: 0.2077, 0.9385; 2/3 is over the 25 % threshold, but the lower limit 0.2077 is not:
    # "over", not "sikkert over"
    assert a["ci_low"] == pytest.approx(0.2077, abs=1e-4)
    assert a["target_high"] == 0.25 and a["status"] == "over tærsklen"
    items = df[df.indicator == "audit_item_error_share"]
    # per item, fejl / (ok + fejl): begrundelse T1 ok, T2 ok, T4 fejl (T3 ikke relevant) -> 1/3;
    # partshøring T1 fejl, T4 fejl (T2 ikke relevant) -> 2/2; all items together (1 + 2) / (3 + 2) = 3/5
    b = one(items, subgroup="begrundelse")
    assert (b["numerator"], b["denominator"]) == (1, 3)
    p = one(items, subgroup="partshøring")
    assert (p["numerator"], p["denominator"]) == (2, 2) and p["value"] == 1.0
    t = one(items, subgroup=None)
    assert (t["numerator"], t["denominator"]) == (3, 5)
    assert t["value"] == pytest.approx(0.6)


def test_audit_surely_over_threshold(tmp_path):
    d = D(2024, 5, 1)
    rows = [(f"T{i}", "SOF", None, "Byg", d, "begrundelse", "fejl" if i < 12 else "ok") for i in range(20)]
    con = make_store(tmp_path / "t.duckdb", audits=rows)
    a = one(compute(con, ["audit_error_share"], as_of=D(2024, 12, 31)), period="2024")
    # 12 of 20 cases with an error = 0.6; Wilson 95 %: 0.3866, 0.7812; the lower limit is over 0.25
    assert a["value"] == pytest.approx(0.6) and a["ci_low"] == pytest.approx(0.3866, abs=1e-4)
    assert a["status"] == "sikkert over tærsklen"


# ---------------------------------------------------------------------------------------------- inquiries, surveys
def test_inquiries(tmp_path):
    rows = [
        ("B1", "SOF", D(2024, 1, 3), D(2024, 2, 1), "Vejledning", True),
        ("B2", "SOF", D(2024, 1, 4), D(2024, 3, 1), "Vejledning", False),
        ("B3", "SOF", D(2024, 2, 4), None, "Sagsbehandlingstid", None),
        ("B4", "SOF", D(2024, 2, 5), D(2024, 2, 7), "Aktindsigt", None),
    ]
    con = make_store(tmp_path / "i.duckdb", inquiries=rows)
    df = compute(con, ["inquiries_received", "inquiry_criticism_share"], by=("forvaltning", "area"),
                 as_of=D(2024, 12, 31))
    r = df[df.indicator == "inquiries_received"]
    assert one(r, subgroup=None)["value"] == 4
    assert one(r, subgroup="Vejledning")["value"] == 2
    assert r["area"].isna().all()  # inquiries have no area
    # with criticism / closed in the period: B1 (kritik), B2 (no kritik), B4 (closed, kritik not stated) are
    # closed, B3 is open -> 1 / 3
    c = one(df, indicator="inquiry_criticism_share")
    assert (c["numerator"], c["denominator"]) == (1, 3)
    assert c["value"] == pytest.approx(1 / 3)


def test_satisfaction_periods(tmp_path):
    rows = [
        ("SOF", "U1", "Brugerundersøgelse", "2024H1", 100, 70),
        ("SOF", "U1", "Brugerundersøgelse", "2024H2", 100, 80),
        ("SOF", "U2", "Brugerundersøgelse", "2024", 50, 10),
    ]
    con = make_store(tmp_path / "s.duckdb", satisfaction=rows)
    y = one(compute(con, ["satisfaction_share"], as_of=D(2024, 12, 31)), period="2024")
    # the year holds all three surveys: (70 + 80 + 10) / (100 + 100 + 50) = 160 / 250 = 0.64
    assert (y["numerator"], y["denominator"]) == (160, 250)
    assert y["value"] == pytest.approx(0.64)
    # Wilson 95 % for 160 of 250: 0.5788, 0.6970
    assert (y["ci_low"], y["ci_high"]) == (pytest.approx(0.5788, abs=1e-4), pytest.approx(0.6970, abs=1e-4))
    # by half-year, U2's whole-year survey fits neither half: H1 = 70 / 100, H2 = 80 / 100, U2 left out, said
    h = compute(con, ["satisfaction_share"], period="half", as_of=D(2024, 12, 31))
    assert one(h, period="2024H1")["value"] == pytest.approx(0.7)
    h2 = one(h, period="2024H2")
    assert (h2["numerator"], h2["denominator"]) == (80, 100)
    assert h2["note"].startswith("1 ") and "udeladt" in h2["note"]   # wording: test_notes_in_correct_danish


def test_municipal_reversal_share(tmp_path):
    rows = [("En kommune", 2017, "Socialområdet", 105, 5, 19), ("Anden kommune", 2017, "Socialområdet", 50, 0, 0)]
    con = make_store(tmp_path / "m.duckdb", municipal_appeals=rows)
    df = compute(con, ["municipal_reversal_share"], by=("forvaltning", "area"), as_of=D(2017, 12, 31))
    r = one(df, subgroup="En kommune")
    # (changed + remitted) / (upheld + changed + remitted) = (5 + 19) / (105 + 5 + 19) = 24 / 129 = 0.18605
    assert (r["numerator"], r["denominator"]) == (24, 129)
    assert r["value"] == pytest.approx(0.18605, abs=5e-6)
    # Wilson 95 % for 24 of 129: 0.1283, 0.2619
    assert (r["ci_low"], r["ci_high"]) == (pytest.approx(0.1283, abs=1e-4), pytest.approx(0.2619, abs=1e-4))
    assert r["area"] == "Socialområdet" and r["forvaltning"] is None
    assert one(df, subgroup="Anden kommune")["value"] == 0.0


# ---------------------------------------------------------------------------------------------- Danish notes
def _note_of(tmp_path, case: str) -> str:
    o = D(2024, 1, 1)
    if case == "decided_without_target":   # one decided case, no target of its own, no servicemål for its area
        con = make_store(tmp_path / "n.duckdb", cases=[("C1", "SOF", None, "Andet", o, D(2024, 1, 9), None)])
        return one(compute(con, ["service_target_share"], by=(), as_of=D(2024, 12, 31)), period="2024")["note"]
    if case == "open_without_target":      # one open case without a target
        con = make_store(tmp_path / "n.duckdb", cases=[("C1", "SOF", None, "Andet", o, None, None)])
        df = compute(con, ["open_cases_over_target"], period="month", by=(), as_of=D(2024, 1, 31))
        return one(df, period="2024-01")["note"]
    grain = {"survey_over_half": "half", "survey_over_quarter": "quarter", "survey_over_month": "month"}[case]
    # a whole-year survey (fits no shorter period) and a March survey (fits every grain)
    con = make_store(tmp_path / "n.duckdb", satisfaction=[("SOF", "U1", "Brugerundersøgelse", "2024", 100, 70),
                                                          ("SOF", "U2", "Brugerundersøgelse", "2024-03", 50, 40)])
    df = compute(con, ["satisfaction_share"], period=grain, by=(), as_of=D(2024, 12, 31))
    return df["note"].dropna().iloc[0]


#: the correct Danish (singular after 1; ét with the neuter nouns halvår and kvartal, én with måned)
CORRECT_NOTES = {
    "decided_without_target": "1 afgjort sag uden servicemål",
    "open_without_target": "1 åben sag uden servicemål",
    "survey_over_half": "mere end ét halvår",
    "survey_over_quarter": "mere end ét kvartal",
    "survey_over_month": "mere end én måned",
}


@pytest.mark.parametrize("case", sorted(CORRECT_NOTES))
def test_notes_in_correct_danish(tmp_path, case):
    assert CORRECT_NOTES[case] in _note_of(tmp_path, case)


# ---------------------------------------------------------------------------------------------- targets
def test_targets_from_organisation_file(tmp_path):
    con = _complaints_store(tmp_path)
    org = org_with(tmp_path, "targets:\n  complaint_rate: {high: 2.0, per_forvaltning: {BIF: {high: 50}}}\n"
                             "  complaints_received: {high: 12}\n")
    df = compute(con, ["complaint_rate", "complaints_received"], as_of=D(2024, 12, 31), organisation=org)
    r = one(df, indicator="complaint_rate", forvaltning="SOF", period="2024")
    assert r["target_high"] == 2.0 and r["status"] == "over målet"  # 3.0 > 2.0 but CI low 0.62 < 2.0
    assert one(df, indicator="complaint_rate", forvaltning="BIF", period="2024")["target_high"] == 50
    # count måltal per year, scaled to half-years
    h = compute(con, ["complaints_received"], period="half", as_of=D(2024, 12, 31), organisation=org)
    assert one(h, forvaltning="SOF", period="2024H1", subgroup=None)["target_high"] == 6.0


def test_organisation_typos_are_named(tmp_path):
    p = tmp_path / "o.yaml"
    p.write_text("municipality: X\nforvaltninger: [{code: SOF, name: S}]\ntargets:\n  complaint_rat: {high: 2}\n",
                 encoding="utf-8")
    with pytest.raises(UserError, match="targets.complaint_rat: ukendt nøgle"):
        organisation.load(p)
    p.write_text("municipality: X\nforvaltninger: [{code: SOF, name: S}]\nthresholds: {audit_error_shar: 0.2}\n",
                 encoding="utf-8")
    with pytest.raises(UserError, match="thresholds.audit_error_shar"):
        organisation.load(p)


def test_service_tiers(tmp_path):
    o = D(2024, 1, 1)
    rows = [(f"C{i}", "SOF", None, "Byg", o, o + timedelta(days=d), None) for i, d in enumerate([50, 80, 100, 200])]
    con = make_store(tmp_path / "c.duckdb", cases=rows)
    org = org_with(tmp_path, "targets:\n  service_tiers:\n    Byg: [{days: 90, share: 0.5}, {days: 180, share: 0.75}]\n")
    df = compute(con, ["service_target_share"], by=("area",), as_of=D(2024, 12, 31), organisation=org)
    # within 90 days: 50, 80 -> 2/4 = 0.5, the tier's share 0.5 is met; within 180: 50, 80, 100 -> 3/4 = 0.75
    t90 = one(df, subgroup="inden for 90 dage")
    assert (t90["numerator"], t90["denominator"]) == (2, 4) and t90["target_low"] == 0.5
    assert t90["status"] == "opfyldt"
    t180 = one(df, subgroup="inden for 180 dage")
    assert t180["value"] == 0.75 and t180["status"] == "opfyldt"


# ---------------------------------------------------------------------------------------------- the whole path
def test_ankestyrelsen_worked_example_through_ingest(tmp_path, org_file):
    """CSV file -> ingest -> store -> appeal_reversal_share = (19 + 5) / 129 = 0.186."""
    from kvalitet.ingest import ingest_file
    from kvalitet.pii import Pseudonymiser

    ex = pd.read_csv(PUBLIC / "ast_official_worked_example.csv").iloc[0]
    counts = {"hjemvist": int(ex.n_hjemvist), "ændret": int(ex.n_aendret), "stadfæstet": int(ex.n_stadfaestet),
              "afvist": 7}  # dismissed appeals do not count
    rows, k = [], 0
    for outcome, n in counts.items():
        for _ in range(n):
            k += 1
            rows.append([f"AN-{k:04d}", "SOF", "Handicap", "Ankestyrelsen", "15.03.2017", outcome])
    path = write_csv(tmp_path / "ankesager.csv", ["anke_id", "forvaltning", "område", "ankeinstans", "afgjort",
                                                   "resultat"], rows)
    org = organisation.load(org_file)
    db = tmp_path / "ast.duckdb"
    con = store.connect(db)
    res = ingest_file(con, path, org, Pseudonymiser.for_database(db), as_of=D(2017, 12, 31))
    assert res.inserted == 136 and res.quarantined == 0
    df = compute(con, ["appeal_reversal_share"], as_of=D(2017, 12, 31), organisation=org)
    r = one(df, forvaltning="SOF", period="2017")
    assert (r["numerator"], r["denominator"]) == (24, 129) == (19 + 5, int(ex.n_realitetsbehandlede))
    assert round(r["value"], 3) == 0.186
    assert round(r["value"] * 100) == int(ex.omgoerelse_pct_published)


# ---------------------------------------------------------------------------------------------- API edges
def test_every_catalogue_indicator_on_demo(demo_db):
    con = store.connect(demo_db, read_only=True)
    org = organisation.load(Path(__file__).resolve().parents[1] / "parameters" / "organisation.yaml")
    df = compute(con, organisation=org)
    assert set(df["indicator"]) == set(catalogue.IDS)
    assert list(df.columns) == OUTPUT_COLUMNS
    # no value without a note
    assert df[df["value"].isna()]["note"].notna().all()
    shares = df[df["indicator"].map(lambda i: catalogue.get(i).unit == catalogue.UNIT_SHARE)]
    v = shares["value"].dropna()
    assert ((v >= 0) & (v <= 1)).all()
    con.close()


def test_bad_arguments(tmp_path):
    con = _complaints_store(tmp_path)
    with pytest.raises(UserError, match="ukendt indikator"):
        compute(con, ["klagerate"])
    with pytest.raises(UserError, match="ukendt gruppering"):
        compute(con, by=("kommune",))
    with pytest.raises(UserError, match="ukendt periode"):
        compute(con, period="uge")
    assert indicators.check_by("forvaltning, area") == ("forvaltning", "area")
    assert indicators.check_by("none") == ()


def test_docs_cover_the_catalogue():
    text = (Path(__file__).resolve().parents[1] / "docs" / "indikatorer.md").read_text(encoding="utf-8")
    for i in catalogue.CATALOGUE.values():
        assert f"`{i.id}`" in text and i.name in text, i.id
