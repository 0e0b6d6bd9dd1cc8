"""The indicator cube (compute() by forvaltning × area × month, every row of a random store) against independent
computations in plain pandas and a Kaplan–Meier written out here: counts with their totals, the complaint rate's
numerator cut at the last whole month (on a monthly and a quarterly grain), both appeal shares from their one
scan, the audit items' total row, the servicemål notes and the Kaplan–Meier median of every group."""
from __future__ import annotations

from datetime import date, timedelta

import numpy as np
import pandas as pd
import pytest

from kvalitet import catalogue, periods
from kvalitet.indicators import compute

from test_indicators import make_store, org_with

AS_OF = date(2024, 6, 15)  # mid-month: the rate counts to 31 May
FORV = ("SOF", "BIF")
AREAS = ("Byg", "Handicap", "Andet")


def _rows(rng, n, first=date(2023, 1, 1), days=560):
    return [first + timedelta(days=int(x)) for x in rng.integers(0, days, n)]


@pytest.fixture(scope="module")
def cube_store(tmp_path_factory):
    rng = np.random.default_rng(20261201)
    tmp = tmp_path_factory.mktemp("cube")
    n = 400
    rec = _rows(rng, n)
    complaints = []
    for i in range(n):
        closed = rec[i] + timedelta(days=int(rng.integers(0, 90))) if rng.random() < 0.9 else None
        complaints.append((f"K{i}", FORV[i % 2], None, AREAS[int(rng.integers(0, 3))], rec[i], closed,
                           ("realitet", "formalitet", "formalitet og realitet")[int(rng.integers(0, 3))],
                           ("medhold", "ikke medhold", "afvist")[int(rng.integers(0, 3))] if closed else None))
    decisions = [(f, None, a, date(2023 + m // 12, m % 12 + 1, 1), int(rng.integers(50, 300)))
                 for f in FORV for a in AREAS for m in range(18)]
    dec = _rows(rng, 150)
    appeals = [(f"A{i}", FORV[i % 2], None, AREAS[i % 3], dec[i],
                ("stadfæstet", "ændret", "ophævet", "hjemvist", "afvist", "bortfaldet")[int(rng.integers(0, 6))])
               for i in range(150)]
    opened = _rows(rng, 300)
    cases = []
    for i in range(300):
        decided = opened[i] + timedelta(days=int(rng.integers(0, 120))) if rng.random() < 0.8 else None
        cases.append((f"C{i}", FORV[i % 2], None, AREAS[int(rng.integers(0, 3))], opened[i], decided,
                      30 if i % 7 == 0 else None))
    ad = _rows(rng, 80)
    audits = [(f"T{i}", FORV[i % 2], None, AREAS[i % 3], ad[i], item,
               ("ok", "fejl", "ikke relevant")[int(rng.integers(0, 3))])
              for i in range(80) for item in ("begrundelse", "partshøring")]
    con = make_store(tmp / "cube.duckdb", complaints=complaints, decisions=decisions, appeals=appeals, cases=cases,
                     audits=audits)
    org = org_with(tmp, "servicemaal: {Byg: 25, Handicap: 60}\n")
    frames = {name: pd.DataFrame(rows, columns=cols) for name, rows, cols in (
        ("complaints", complaints, ["id", "forvaltning", "unit", "area", "received", "closed", "kind", "outcome"]),
        ("appeals", appeals, ["id", "forvaltning", "unit", "area", "decided", "outcome"]),
        ("cases", cases, ["id", "forvaltning", "unit", "area", "opened", "decided", "target_days"]),
        ("audits", audits, ["id", "forvaltning", "unit", "area", "audit_date", "item", "result"]))}
    return con, org, frames


def _cube(cube_store, period="month"):
    con, org, _ = cube_store
    return compute(con, None, period=period, by=("forvaltning", "area"), as_of=AS_OF, organisation=org)


def _month(d) -> str:
    return f"{d.year}-{d.month:02d}"


def _quarter(d) -> str:
    return f"{d.year}Q{(d.month - 1) // 3 + 1}"


def _rows_of(df, ind, subgroup="any"):
    sel = df[df["indicator"] == ind]
    if subgroup != "any":
        sel = sel[sel["subgroup"].isna()] if subgroup is None else sel[sel["subgroup"] == subgroup]
    return sel.set_index(["forvaltning", "area", "period"])


def test_complaints_received_counts_and_totals(cube_store):
    df = _cube(cube_store)
    c = cube_store[2]["complaints"]
    c = c[c["received"] <= AS_OF].assign(period=lambda x: x["received"].map(_month))
    by_kind = c.groupby(["forvaltning", "area", "period", "kind"]).size()
    total = c.groupby(["forvaltning", "area", "period"]).size()
    got = df[df["indicator"] == "complaints_received"]
    for (f, a, p, k), n in by_kind.items():
        r = got[(got.forvaltning == f) & (got.area == a) & (got.period == p) & (got.subgroup == k)]
        assert r["numerator"].tolist() == [n]
    tot = _rows_of(df, "complaints_received", None)["numerator"]
    assert tot[tot > 0].sort_index().astype(int).to_dict() == total.sort_index().to_dict()
    # every group with data has every month from the first complaint to the as-of date; empty months count 0
    months = periods.periods_between(c["received"].min(), AS_OF, "month", "odd")
    assert len(tot) == len(total.droplevel(2).index.unique()) * len(months)


@pytest.mark.parametrize("period, label", [("month", _month), ("quarter", _quarter)])
def test_complaint_rate_numerator_stops_at_the_last_whole_month(cube_store, period, label):
    df = _cube(cube_store, period)
    cut = date(2024, 5, 31)
    c = cube_store[2]["complaints"]
    c = c[c["received"] <= cut].assign(period=lambda x: x["received"].map(label))
    want = c.groupby(["forvaltning", "area", "period"]).size()
    got = _rows_of(df, "complaint_rate")["numerator"]
    assert got[got > 0].sort_index().astype(int).to_dict() == want.sort_index().to_dict()
    # June 2024 (monthly) or the second quarter of 2024: nothing after 31 May is counted
    last = got.xs(label(AS_OF), level="period")
    assert (last == (0 if period == "month" else last)).all()
    if period == "quarter":
        assert last.sum() == (c["period"] == "2024Q2").sum()


def test_appeal_shares_from_one_scan(cube_store):
    df = _cube(cube_store)
    a = cube_store[2]["appeals"]
    a = a[a["decided"] <= AS_OF].assign(period=lambda x: x["decided"].map(_month))
    merits = a[a["outcome"].isin(["stadfæstet", "ændret", "ophævet", "hjemvist"])]
    den = merits.groupby(["forvaltning", "area", "period"]).size()
    for ind, outcomes in (("appeal_reversal_share", ["ændret", "ophævet", "hjemvist"]),
                          ("appeal_upheld_share", ["stadfæstet"])):
        num = merits[merits["outcome"].isin(outcomes)].groupby(["forvaltning", "area", "period"]).size()
        got = _rows_of(df, ind)
        g_den = got["denominator"]
        assert g_den[g_den > 0].sort_index().astype(int).to_dict() == den.sort_index().to_dict()
        g_num = got["numerator"]
        assert g_num[g_num > 0].sort_index().astype(int).to_dict() == num.sort_index().to_dict()
        share = got["value"].dropna()
        assert np.allclose(share, (got["numerator"] / got["denominator"]).loc[share.index].astype(float))


def test_audit_item_total_row_sums_the_items(cube_store):
    df = _cube(cube_store)
    t = cube_store[2]["audits"]
    t = t[t["audit_date"] <= AS_OF].assign(period=lambda x: x["audit_date"].map(_month))
    fejl = t[t["result"] == "fejl"].groupby(["forvaltning", "area", "period"]).size()
    judged = t[t["result"].isin(["ok", "fejl"])].groupby(["forvaltning", "area", "period"]).size()
    tot = _rows_of(df, "audit_item_error_share", None)
    assert tot["numerator"][tot["numerator"] > 0].sort_index().astype(int).to_dict() == fejl.sort_index().to_dict()
    den = tot["denominator"]
    assert den[den > 0].sort_index().astype(int).to_dict() == judged.sort_index().to_dict()


def test_service_target_notes_count_the_cases_without_a_target(cube_store):
    df = _cube(cube_store)
    c = cube_store[2]["cases"]
    c = c[c["decided"].notna()]
    c = c[c["decided"] <= AS_OF].assign(period=lambda x: x["decided"].map(_month))
    none = c[c["target_days"].isna() & ~c["area"].isin(["Byg", "Handicap"])]
    want = none.groupby(["forvaltning", "area", "period"]).size()
    rows = _rows_of(df, "service_target_share", None)
    got = rows["note"].dropna()
    got = got[got.str.contains("uden servicemål")]
    assert {k: int(v.split()[0]) for k, v in got.items()} == want.to_dict()
    for k, v in got.items():
        first, *rest = v.split("; ")
        assert first == (f"{want[k]} afgjort sag uden servicemål er udeladt" if want[k] == 1
                         else f"{want[k]} afgjorte sager uden servicemål er udeladt")
        # with no case with a servicemål in the period, the share has no value and says so as well
        assert rest == ([] if rows.loc[k, "denominator"] > 0 else [catalogue.get("service_target_share").no_value_note])


def _km_median(durations, observed) -> float:
    """The Kaplan–Meier median written out: walk the distinct times, multiply (1 − d/n), stop below 0.5;
    exactly 0.5 on a stretch gives the midpoint to the next event time."""
    s, at_risk = 1.0, len(durations)
    pairs = sorted(zip(durations, observed))
    times = sorted(set(durations))
    events = [t for t in times if any(o for d, o in pairs if d == t)]
    for t in times:
        d = sum(1 for x, o in pairs if x == t and o)
        if d:
            s *= 1 - d / at_risk
            if abs(s - 0.5) < 1e-12:
                later = [e for e in events if e > t]
                return (t + later[0]) / 2 if later else float("nan")
            if s < 0.5:
                return float(t)
        at_risk -= sum(1 for x, _ in pairs if x == t)
    return float("nan")


def test_km_median_of_every_group(cube_store):
    df = _cube(cube_store)
    c = cube_store[2]["cases"]
    c = c[c["opened"] <= AS_OF].assign(period=lambda x: x["opened"].map(_month))
    got = _rows_of(df, "processing_days_km_median")
    checked = 0
    for (f, a, p), g in c.groupby(["forvaltning", "area", "period"]):
        obs = [d is not None and not pd.isna(d) and d <= AS_OF for d in g["decided"]]
        dur = [((d if o else AS_OF) - op).days for d, o, op in zip(g["decided"], obs, g["opened"])]
        r = got.loc[(f, a, p)]
        assert (r["numerator"], r["denominator"]) == (sum(obs), len(g))
        want = _km_median(dur, obs)
        assert (np.isnan(want) and np.isnan(r["value"])) or r["value"] == want, (f, a, p, dur, obs)
        checked += 1
    assert checked > 50
