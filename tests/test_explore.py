"""kvalitet.explore (the analyst's API) on Småby (tests/tiny_store.py): every expected value is counted by hand from
the rows tiny_store.py writes, or computed here from its definition or with scipy/statsmodels.

Småby's complaints per quarter (received date; tiny_store._complaints): 2023: 12, 13, 12, 10; 2024: 11, 12, 11, 9
(90 in all); decisions: 900 a quarter (SOF 100 and BIF 200 a month), 3,600 a year.
"""

from __future__ import annotations

import math

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest
import tiny_store
from scipy.stats import binomtest
from statsmodels.stats.proportion import proportions_ztest

from kvalitet import explore, screening, store
from kvalitet.errors import UserError
from kvalitet.indicators import compute
from kvalitet.organisation import load as load_organisation

QUARTERLY = [12, 13, 12, 10, 11, 12, 11, 9]


@pytest.fixture(scope="module")
def smaaby(tmp_path_factory):
    return tiny_store.build(tmp_path_factory.mktemp("smaaby_explore"))


@pytest.fixture
def where(smaaby):
    db, org = smaaby
    return {"db": db, "organisation": org}


# ------------------------------------------------------------------------------------------------ load
def test_load_filters(where):
    assert len(explore.load("complaints", **where)) == 90                               # 12 + 3 + 35 + 40
    assert len(explore.load("complaints", forvaltning="SOF", **where)) == 15             # 12 + 3
    assert len(explore.load("complaints", forvaltning=["SOF", "BIF"], **where)) == 90
    assert len(explore.load("complaints", received=("2023-01-01", "2023-12-31"), **where)) == 47   # 12 + 35
    assert len(explore.load("complaints", received=("2024-01-01", None), forvaltning="BIF", **where)) == 40
    # the Danish names of the contract: table klager, columns modtaget and udfald
    medhold = explore.load("klager", udfald="medhold", **where)
    assert len(medhold) == 6 + 1 + 10 + 10
    q1 = explore.load("klager", modtaget=("2023-01-01", "2023-03-31"), columns=["klage_id", "modtaget"], **where)
    assert list(q1.columns) == ["complaint_id", "received"] and len(q1) == 12
    assert len(explore.load("complaints", outcome=["medhold", "delvis medhold"], forvaltning="SOF", **where)) == 7
    assert len(explore.load("complaints", limit=5, **where)) == 5


def test_load_from_the_default_store_read_only(smaaby, monkeypatch):
    db, org = smaaby
    monkeypatch.setenv(store.ENV_DB, str(db))
    monkeypatch.setenv("KVALITET_ORGANISATION", str(org))
    assert len(explore.load("complaints", forvaltning="BIF")) == 75
    con = store.connect(db, read_only=True)
    try:
        assert len(explore.load("complaints", db=con)) == 90
        assert con.execute("SELECT 1").fetchone() == (1,)  # a connection given is left open
    finally:
        con.close()
    t = explore.tables(db).set_index("table")
    assert t.loc["complaints", "rows"] == 90 and t.loc["appeals", "rows"] == 400 and t.loc["audits", "rows"] == 33
    assert str(t.loc["complaints", "first"]) == "2023-01-05"


# ------------------------------------------------------------------------------------------------ indicator
def test_indicator_equals_the_engine_and_a_hand_count(smaaby, where):
    db, org = smaaby
    got = explore.indicator("complaint_rate", by=["forvaltning"], period="year", **where)
    con = store.connect(db, read_only=True)
    try:
        want = compute(con, ["complaint_rate"], "year", by=("forvaltning",), organisation=load_organisation(org))
    finally:
        con.close()
    pd.testing.assert_frame_equal(got, want)
    v = got.set_index(["forvaltning", "period"])["value"]
    assert v[("SOF", "2023")] == pytest.approx(12 / 1200 * 1000)
    assert v[("BIF", "2024")] == pytest.approx(40 / 2400 * 1000)
    q = explore.indicator("complaint_rate", by=(), period="quarter", **where)
    assert q["numerator"].tolist() == QUARTERLY and q["denominator"].tolist() == [900] * 8
    # Danish filter names and a list of values
    bif = explore.indicator("complaint_upheld_share", by="area", område="Kontanthjælp", **where)
    assert bif["area"].unique().tolist() == ["Kontanthjælp"]
    assert bif.set_index("period").loc["2024", "value"] == pytest.approx(10 / 40)
    both = explore.indicator("complaints_received", by=(), forvaltning=["SOF", "BIF"], **where)
    both = both[both["subgroup"].isna()].set_index("period")["numerator"]
    assert both.to_dict() == {"2023": 47, "2024": 43}


# ------------------------------------------------------------------------------------------------ groups
def test_compare_groups_share_is_the_pooled_z_test(where):
    c = explore.compare_groups("complaint_upheld_share", by="forvaltning", **where).set_index("forvaltning")
    assert c["period"].unique().tolist() == ["2024"]
    # 2024: SOF 1 of 3 upheld, BIF 10 of 40; each against the other (the rest)
    _, p = proportions_ztest([1, 10], [3, 40])
    assert c.loc["SOF", "p_value"] == pytest.approx(p, rel=1e-9)
    assert c.loc["BIF", "p_value"] == pytest.approx(p, rel=1e-9)
    assert c.loc["SOF", "effect"] == pytest.approx(1 / 3 - 10 / 40)
    assert (c.loc["SOF", "rest_numerator"], c.loc["SOF", "rest_denominator"]) == (10, 40)
    assert c["test"].unique().tolist() == [explore.TEST_PROPORTIONS]
    y2023 = explore.compare_groups("complaint_upheld_share", at="2023", **where).set_index("forvaltning")
    _, p23 = proportions_ztest([6, 10], [12, 35])
    assert y2023.loc["SOF", "p_value"] == pytest.approx(p23, rel=1e-9)


def test_compare_groups_rate_is_the_exact_conditional_test(where):
    c = explore.compare_groups("complaint_rate", by="forvaltning", **where).set_index("forvaltning")
    # 2024: SOF 3 complaints / 1,200 decisions, BIF 40 / 2,400: given 43 complaints, SOF's share is
    # Binomial(43, 1200/3600) under equal rates
    p = binomtest(3, 43, 1200 / 3600).pvalue
    assert c.loc["SOF", "p_value"] == pytest.approx(p, rel=1e-9)
    assert c.loc["SOF", "effect"] == pytest.approx((3 / 1200) / (40 / 2400))   # rate ratio 0.15
    assert c.loc["SOF", "q_value"] == pytest.approx(p, rel=1e-9)             # BH over two equal p-values
    assert c["test"].unique().tolist() == [explore.TEST_RATES]


def test_against_rest_with_a_given_rest():
    # equal shares (5 of 10 against 5 of 10): no difference, p = 1; a rest other than "all the others" is used as
    # given (the report compares each shown group with all the groups' sum, hidden ones included)
    eq = explore.against_rest("share", [5], [10], [5], [10])
    assert eq["effect"].tolist() == [0.0] and eq["p_value"].iloc[0] == pytest.approx(1.0)
    r = explore.against_rest("rate", [3, 40], [1200, 2400], [40, 3], [2400, 1200])
    assert r["p_value"].iloc[0] == pytest.approx(binomtest(3, 43, 1200 / 3600).pvalue, rel=1e-9)
    assert r["effect"].iloc[0] == pytest.approx((3 / 1200) / (40 / 2400))
    assert (r["rest_numerator"].tolist(), r["rest_denominator"].tolist()) == ([40, 3], [2400, 1200])


# ------------------------------------------------------------------------------------------------ trends
def test_trend_test_hand_values():
    # 1, 3, 2, 5, 4, 6: S = 5 + 2 + 3 + 0 + 1 = 11 (pairs counted by hand), Var(S) = 6·5·17/18 (no ties),
    # z = (S - 1)/√Var(S); Sen's slope: the median of the 15 pairwise slopes is 1
    r = explore.trend_test([1, 3, 2, 5, 4, 6]).iloc[0]
    var = 6 * 5 * 17 / 18
    z = (11 - 1) / math.sqrt(var)
    assert (r["s"], r["var_s"]) == (11, pytest.approx(var))
    assert r["z"] == pytest.approx(z)
    assert r["p_value"] == pytest.approx(math.erfc(z / math.sqrt(2)))
    assert r["slope"] == pytest.approx(1.0)


def test_trend_of_an_indicator_frame(where):
    frame = explore.indicator("complaint_rate", by=(), period="quarter", **where)
    tr = explore.trend(frame).set_index("method")
    assert set(tr.index) == {"mann_kendall", "poisson_glm"}
    # Mann–Kendall of 12, 13, 12, 10, 11, 12, 11, 9 (per 900 decisions): S = -3 - 6 - 4 + 2 + 0 - 2 - 1 = -14;
    # ties (12 three times, 11 twice): Var(S) = (8·7·21 - 3·2·11 - 2·1·9)/18
    var = (8 * 7 * 21 - 3 * 2 * 11 - 2 * 1 * 9) / 18
    z = (-14 + 1) / math.sqrt(var)
    assert tr.loc["mann_kendall", "p_value"] == pytest.approx(math.erfc(abs(z) / math.sqrt(2)))
    assert tr.loc["mann_kendall", "n_periods"] == 8
    # the GLM's rate ratio per year: a Poisson fit with log(decisions) as offset (quasi-Poisson has the same
    # estimate), time the mid-point of each quarter in years
    import statsmodels.api as sm

    t = np.array([screening.period_time(p) for p in frame["period"]])
    fit = sm.GLM(np.array(QUARTERLY, dtype=float), sm.add_constant(t), family=sm.families.Poisson(),
                 offset=np.log(np.full(8, 900.0))).fit()
    assert tr.loc["poisson_glm", "estimate"] == pytest.approx(math.exp(fit.params[1]), rel=1e-6)
    only = explore.trend(frame, method="mann_kendall")
    assert only["method"].tolist() == ["mann_kendall"]


# ------------------------------------------------------------------------------------------------ control chart
def test_control_chart_data(where):
    c = explore.control_chart("complaint_rate", period="quarter", laney=False, **where)
    assert c["period"].tolist() == [f"{y}Q{q}" for y in (2023, 2024) for q in (1, 2, 3, 4)]
    assert c["value"].to_numpy() == pytest.approx(np.array(QUARTERLY) / 900 * 1000)
    # u chart: CL = 90/7,200 = 0.0125 per decision (12.5 per 1,000); σ = √(0.0125/900)
    assert c["center"].to_numpy() == pytest.approx(np.full(8, 12.5))
    sigma = math.sqrt(0.0125 / 900) * 1000
    assert c["ucl"].to_numpy() == pytest.approx(np.full(8, 12.5 + 3 * sigma))
    assert c["lcl"].to_numpy() == pytest.approx(np.full(8, 12.5 - 3 * sigma))
    assert not c["sigma_signal"].any()
    # 13.3 14.4 13.3 | 11.1 12.2 | 13.3 | 12.2 10.0 against 12.5: sides + + + - - + - -, the longest run 3 (the limit
    # for 8 useful points is round(log2 8 + 3) = 6), 3 crossings (the least expected is 1: qbinom(0.05, 7, 0.5))
    assert (c["longest_run"].iloc[0], c["longest_run_max"].iloc[0]) == (3, 6)
    assert (c["crossings"].iloc[0], c["crossings_min"].iloc[0]) == (3, 1)
    assert not c["runs_signal"].any() and not c["anhoej_signal"].any()


# ------------------------------------------------------------------------------------------------ plots
def test_plot_helpers_return_a_figure_and_draw_nothing_else(where):
    before = plt.get_fignums()
    rate = explore.indicator("complaint_rate", by="forvaltning", **where)
    fig = explore.plot_lines(rate, group="forvaltning")
    lines = fig.axes[0].get_lines()
    assert len(lines) == 2 and all(len(ln.get_xdata()) == 2 for ln in lines)        # SOF, BIF × 2023, 2024
    assert {t.get_text() for t in fig.axes[0].get_legend().get_texts()} == {"SOF", "BIF"}
    one = explore.plot_lines(explore.indicator("complaint_rate", by=(), period="quarter", **where))
    assert len(one.axes[0].get_lines()) == 1 and len(one.axes[0].get_lines()[0].get_xdata()) == 8
    assert len(one.axes[0].collections) == 1                                           # the CI band
    chart = explore.plot_control(explore.control_chart("complaint_rate", **where))
    drawn = chart.axes[0].get_lines()
    assert len(drawn) == 4 and all(len(ln.get_xdata()) == 8 for ln in drawn)         # values, centre, UCL, LCL
    groups = explore.plot_groups(explore.compare_groups("complaint_rate", **where))
    assert len(groups.axes[0].get_lines()[0].get_xdata()) == 2
    assert plt.get_fignums() == before                                                # nothing left in pyplot


# ------------------------------------------------------------------------------------------------ errors
@pytest.mark.parametrize("call, allowed", [
    (lambda w: explore.load("colours", **w), "complaints (klager), decisions (afgørelser)"),
    (lambda w: explore.load("klager", farve="rød", **w), "received (modtaget)"),
    (lambda w: explore.load("complaints", forvaltning="XYZ", **w), "forvaltningerne i organisationsfilen er: SOF, BIF"),
    (lambda w: explore.load("complaints", received=("2023-01-01",), **w), "et interval er (fra, til)"),
    (lambda w: explore.indicator("klagerate", **w), "kendte indikatorer: complaints_received, complaint_rate"),
    (lambda w: explore.indicator("complaint_rate", forvaltning=["SOF", "XYZ"], **w), "er: SOF, BIF"),
    (lambda w: explore.indicator("complaint_rate", farve="rød", **w), "der kan filtreres på: forvaltning, unit, area"),
    (lambda w: explore.indicator("complaint_rate", by="farve", **w), "vælg blandt forvaltning, unit, area"),
    (lambda w: explore.compare_groups("complaints_received", **w), "grupper kan sammenlignes for: complaint_rate"),
    (lambda w: explore.compare_groups("complaint_rate", by=(), **w), "vælg blandt forvaltning, unit, area"),
    (lambda w: explore.compare_groups("complaint_rate", at="1999", **w), "perioderne er: 2023, 2024"),
    (lambda w: explore.trend(explore.indicator("complaint_rate", **w), method="arima"),
     "metoderne er: mann_kendall, poisson_glm, binomial_glm"),
    (lambda w: explore.trend(explore.indicator("complaint_rate", **w), method="binomial_glm"),
     "brug: poisson_glm, mann_kendall"),
    (lambda w: explore.control_chart("complaints_received", **w), "kontroldiagrammer findes for: complaint_rate"),
    (lambda w: explore.plot_lines(explore.indicator("complaint_rate", **w), group="area"),
     "grupperingerne er: forvaltning"),
    (lambda w: explore.plot_lines(explore.indicator("complaint_rate", **w)), "vælg group blandt: forvaltning"),
])
def test_errors_name_what_is_allowed(where, call, allowed):
    with pytest.raises(UserError) as err:
        call(where)
    assert allowed in str(err.value)
