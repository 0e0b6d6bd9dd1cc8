"""Tests for kvalitet.stats.spc against qicharts2 and PowerBI-SPC golden reference values (tests/stats/refs/)."""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

REFS = Path(__file__).parent / "refs"
QIC = REFS / "qicharts2"
GOLD = REFS / "powerbi_spc_golden"



from kvalitet.stats import spc  # noqa: E402
anhoej_rules = spc.anhoej_rules
control_limits = spc.control_limits


def qic(name):
    return pd.read_csv(QIC / name)


def gold(name):
    return json.loads((GOLD / f"{name}.qicharts2.json").read_text())


def assert_runs_match(res, ref_row):
    """Compare an AnhoejResult with one row of a qic() data frame or summary."""
    assert res.n_useful == ref_row["n.useful"]
    assert res.longest_run == ref_row["longest.run"]
    assert res.longest_run_max == ref_row["longest.run.max"]
    assert res.crossings == ref_row["n.crossings"]
    assert res.crossings_min == ref_row["n.crossings.min"]
    assert res.signal == bool(ref_row["runs.signal"])


# ----------------------------------------------------------------------------------------------------------------
# Anhøj rules: small pure functions
# ----------------------------------------------------------------------------------------------------------------
def test_limits_match_qicharts2_vignette_table():
    t = qic("anhoej_runs_limits_vignette_table.csv")
    for n, lr, cr in t.itertuples(index=False):
        assert spc.longest_run_limit(n) == lr
        assert spc.crossings_limit(n) == cr


def test_limits_quick_reference_examples():
    # refs README quick reference: n=24 -> longest run > 8, crossings < 8; n=20 -> 7 / 6
    assert (spc.longest_run_limit(24), spc.crossings_limit(24)) == (8, 8)
    assert (spc.longest_run_limit(20), spc.crossings_limit(20)) == (7, 6)


def test_limit_functions_reject_zero():
    with pytest.raises(ValueError):
        spc.longest_run_limit(0)
    with pytest.raises(ValueError):
        spc.crossings_limit(0)


@pytest.mark.parametrize(
    "values, center, expected",
    [
        ([1, 2, 3, 4], 2.5, 2),
        ([1, 3, 1, 3], 2, 1),
        ([1, 1, 2, 1, 1, 3, 3], 2, 4),  # point on the centre line skipped, does not break the run
        ([2, 2, 2], 2, 0),  # all on the line
        ([], 0, 0),
        ([np.nan, 5, 5, np.nan, 5], 1, 3),  # missing dropped
        ([5], 1, 1),
    ],
)
def test_longest_run(values, center, expected):
    assert spc.longest_run(values, center) == expected


@pytest.mark.parametrize(
    "values, center, expected",
    [
        ([1, 2, 3, 4], 2.5, 1),
        ([1, 3, 1, 3], 2, 3),
        ([1, 2, 3], 2, 1),  # 1 -> (on line) -> 3 is one crossing
        ([1, 2, 1], 2, 0),  # touching the line is not a crossing
        ([2, 2], 2, 0),
        ([], 0, 0),
        ([5], 1, 0),
    ],
)
def test_n_crossings(values, center, expected):
    assert spc.n_crossings(values, center) == expected


def test_useful_signs_drops_line_and_nan():
    np.testing.assert_array_equal(spc.useful_signs([1, 2, np.nan, 3], 2), [-1, 1])


# ----------------------------------------------------------------------------------------------------------------
# anhoej_rules against qicharts2 runs analysis
# ----------------------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("name", ["tbl_7.4_1.csv", "ex_7.4_1.csv", "ex_7.5_1.csv", "ex_6.5_3.csv"])
def test_anhoej_rules_match_qic_runs_analysis(name):
    d = qic(name)
    res = anhoej_rules(d["y"], d["cl"].iloc[0])
    assert_runs_match(res, d.iloc[0])
    assert res.runs_signal == (res.longest_run > res.longest_run_max)
    assert res.crossings_signal == (res.crossings < res.crossings_min)


def test_anhoej_rules_with_excluded_points_as_nan():
    # ex_7.3_3: c chart, exclude=c(6,20), freeze=26 -> runs signal TRUE (crossings 14 < 16)
    d = qic("ex_7.3_3.csv")
    y = d["y"].where(d["include"])
    res = anhoej_rules(y, d["cl"].iloc[0])
    assert_runs_match(res, d.iloc[0])
    assert res.crossings_signal and not res.runs_signal


def test_anhoej_rules_default_center_is_median_run_chart():
    g = gold("run__basic")
    y = np.array(g["inputs"]["numerators"], float)
    res = anhoej_rules(y)
    assert res.center == g["expected"]["targets"][0] == 14
    # 18 points, 3 on the median -> 15 useful
    assert res.n_useful == 15
    assert res.longest_run_max == spc.longest_run_limit(15)


def test_anhoej_rules_hospital_infections_summary():
    # hai_1: summary(qic(month, n, days, data = hospital_infections, chart = 'u'))
    h = pd.read_csv(QIC / "inputs" / "data_hospital_infections.csv")
    agg = h.groupby("month", sort=True)[["n", "days"]].sum()
    out = control_limits("u", agg["n"], agg["days"])
    ref = qic("hai_1.csv").iloc[0]
    assert_runs_match(out.anhoej, ref)
    assert out.points["center"].iloc[0] == pytest.approx(ref["CL"], rel=1e-12)
    assert out.points["lcl"].mean() == pytest.approx(ref["aLCL"], rel=1e-9)
    assert out.points["ucl"].mean() == pytest.approx(ref["aUCL"], rel=1e-9)
    assert out.points["sigma_signal"].sum() == ref["sigma.signal"]


def test_anhoej_rules_hospital_infections_facets():
    h = pd.read_csv(QIC / "inputs" / "data_hospital_infections.csv")
    ref = qic("hai_2.csv").set_index("facet1")
    for infection, sub in h.groupby("infection"):
        agg = sub.groupby("month", sort=True)[["n", "days"]].sum()
        out = control_limits("u", agg["n"], agg["days"])
        r = ref.loc[infection]
        assert_runs_match(out.anhoej, r)
        assert out.points["center"].iloc[0] == pytest.approx(r["CL"], rel=1e-12)
        assert out.points["lcl"].mean() == pytest.approx(r["aLCL"], rel=1e-9)
        assert out.points["ucl"].mean() == pytest.approx(r["aUCL"], rel=1e-9)
        assert out.points["sigma_signal"].sum() == r["sigma.signal"]


def test_anhoej_edge_cases():
    single = anhoej_rules([3.0], center=1.0)
    assert (single.n_useful, single.longest_run, single.longest_run_max) == (1, 1, 3)
    assert (single.crossings, single.crossings_min, single.signal) == (0, 0, False)
    const = anhoej_rules([4.0] * 12)  # all points on the median
    assert const.n_useful == 0 and const.longest_run_max is None and const.signal is False
    shift = anhoej_rules([1.0] * 10 + [5.0] * 10, center=3.0)
    assert shift.longest_run == 10 and shift.runs_signal and shift.crossings == 1 and shift.crossings_signal
    with pytest.raises(ValueError):
        anhoej_rules([np.nan, np.nan])


# ----------------------------------------------------------------------------------------------------------------
# control_limits against qicharts2 test-suite .rds snapshots
# ----------------------------------------------------------------------------------------------------------------
def assert_limits(out, d, scale=1.0, rtol=1e-12):
    np.testing.assert_allclose(out.points["value"] * scale, d["y"], rtol=rtol)
    np.testing.assert_allclose(out.points["center"] * scale, d["cl"], rtol=rtol)
    np.testing.assert_allclose(out.points["lcl"] * scale, d["lcl"], rtol=rtol, atol=1e-15)
    np.testing.assert_allclose(out.points["ucl"] * scale, d["ucl"], rtol=rtol)
    np.testing.assert_array_equal(out.points["sigma_signal"], d["sigma.signal"])


def test_p_chart_variable_n_tbl_7_4():
    d = qic("tbl_7.4_1.csv")
    t = pd.read_csv(QIC / "inputs" / "sysdata_tbl_07.04.csv")
    out = control_limits("p", t["count"], t["size"])
    assert_limits(out, d)
    assert (out.points["lcl"] >= 0).all()
    assert_runs_match(out.anhoej, d.iloc[0])


def test_p_chart_parts_and_excluded_points_ex_7_1():
    # part=30 -> two independent charts; exclude=c(15,23) -> pass NaN for those points
    d = qic("ex_7.1_5.csv")
    t = pd.read_csv(QIC / "inputs" / "sysdata_tbl_07.03.csv")
    count = t["count"].astype(float).copy()
    count[d["include"].to_numpy() == False] = np.nan  # noqa: E712
    for part, idx in ((1, slice(0, 30)), (2, slice(30, None))):
        ref = d[d["part"] == part].reset_index(drop=True)
        out = control_limits("p", count[idx].to_numpy(), t["size"][idx].to_numpy())
        np.testing.assert_allclose(out.points["center"], ref["cl"], rtol=1e-12)
        np.testing.assert_allclose(out.points["lcl"], ref["lcl"], rtol=1e-12)
        np.testing.assert_allclose(out.points["ucl"], ref["ucl"], rtol=1e-12)
        inc = ref["include"].to_numpy()
        np.testing.assert_allclose(out.points["value"][inc], ref["y"][inc], rtol=1e-12)
        assert out.points["value"][~inc].isna().all()
        # excluded points still get limits (denominator known)
        assert out.points["ucl"][~inc].notna().all()
        assert_runs_match(out.anhoej, ref.iloc[0])
        np.testing.assert_array_equal(out.points["sigma_signal"][inc], ref["sigma.signal"][inc])


def test_u_chart_ex_7_4():
    d = qic("ex_7.4_1.csv")
    t = pd.read_csv(QIC / "inputs" / "sysdata_tbl_07.10.csv")
    out = control_limits("u", t["count"], t["size"])
    assert_limits(out, d)


def test_u_chart_multiply_ex_7_5():
    # multiply=50 only rescales the plotted numbers
    d = qic("ex_7.5_1.csv")
    t = pd.read_csv(QIC / "inputs" / "sysdata_tbl_07.11.csv")
    out = control_limits("u", t["count"], t["meters"])
    assert_limits(out, d, scale=50, rtol=1e-12)


def test_i_chart_freeze_ex_6_5():
    d = qic("ex_6.5_3.csv")
    t = pd.read_csv(QIC / "inputs" / "sysdata_tbl_06.07.csv")
    out = control_limits("i", t["cost"], freeze=20)
    assert_limits(out, d)
    np.testing.assert_array_equal(out.points["baseline"], d["baseline"])
    assert_runs_match(out.anhoej, d.iloc[0])
    # freeze really matters: limits from all 40 points differ
    assert control_limits("i", t["cost"]).points["center"].iloc[0] != pytest.approx(d["cl"].iloc[0])


def test_c_chart_freeze_and_excluded_ex_7_3():
    d = qic("ex_7.3_3.csv")
    t = pd.read_csv(QIC / "inputs" / "sysdata_tbl_07.08.csv")
    count = t["count"].astype(float).where(d["include"].to_numpy())
    out = control_limits("c", count, freeze=26)
    inc = d["include"].to_numpy()
    np.testing.assert_allclose(out.points["center"], d["cl"], rtol=1e-12)
    np.testing.assert_allclose(out.points["lcl"], d["lcl"], rtol=1e-12)
    np.testing.assert_allclose(out.points["ucl"], d["ucl"], rtol=1e-12)
    np.testing.assert_allclose(out.points["value"][inc], d["y"][inc], rtol=1e-12)
    np.testing.assert_array_equal(out.points["sigma_signal"][inc], d["sigma.signal"][inc])
    np.testing.assert_array_equal(out.points["baseline"], d["baseline"])
    assert_runs_match(out.anhoej, d.iloc[0])
    assert out.points["runs_signal"].eq(False).all() and out.points["crossings_signal"].all()


# ----------------------------------------------------------------------------------------------------------------
# control_limits against PowerBI-SPC golden files (qicharts2 0.8.1 / Laney custom R), 1, 2 and 3 sigma
# ----------------------------------------------------------------------------------------------------------------
GOLDEN = [
    ("p__basic", "p", False),
    ("u__basic", "u", False),
    ("c__basic-group1", "c", False),
    ("i__basic-ratio", "i", False),
    ("pp__basic", "p", True),
    ("up__basic", "u", True),
]


@pytest.mark.parametrize("name, kind, laney", GOLDEN)
@pytest.mark.parametrize("k, lo, hi", [(3, "ll99", "ul99"), (2, "ll95", "ul95"), (1, "ll68", "ul68")])
def test_golden_limits(name, kind, laney, k, lo, hi):
    g = gold(name)
    num = g["inputs"]["numerators"]
    den = g["inputs"].get("denominators")
    out = control_limits(kind, num, den, laney=laney, multiplier=k)
    e = g["expected"]
    # expected values are rounded (to 4-8 decimals depending on the file): compare to the printed digits
    for col, key in (("value", "values"), ("lcl", lo), ("ucl", hi), ("center", "targets")):
        np.testing.assert_allclose(out.points[col], e[key], atol=printed_tol(e[key]), rtol=0, err_msg=f"{name} {col}")


def printed_tol(xs):
    """Half a unit in the last printed decimal of the array (the most decimals any element shows)."""
    dec = max(len(repr(float(x)).split(".")[1]) for x in xs)
    return 0.5 * 10.0**-dec * 1.001


def test_laney_matters_with_large_denominators():
    g = gold("pp__basic")
    num, den = g["inputs"]["numerators"], g["inputs"]["denominators"]
    plain = control_limits("p", num, den)
    prime = control_limits("p", num, den, laney=True)
    assert plain.points["sigma_signal"].sum() >= 10  # ~280,000 attendances per week: p limits far too narrow
    assert prime.points["sigma_signal"].sum() == 0
    assert ((prime.points["ucl"] - prime.points["lcl"]) > (plain.points["ucl"] - plain.points["lcl"])).all()


def test_laney_nhs_accidents_input_matches_golden_input():
    a = pd.read_csv(QIC / "inputs" / "data_nhs_accidents.csv")
    g = gold("pp__basic")
    np.testing.assert_array_equal(a["r"], g["inputs"]["numerators"])
    np.testing.assert_array_equal(a["n"], g["inputs"]["denominators"])


def test_run_chart_golden_center():
    g = gold("run__basic")
    out = control_limits("run", g["inputs"]["numerators"])
    np.testing.assert_array_equal(out.points["center"], g["expected"]["targets"])
    np.testing.assert_array_equal(out.points["value"], g["expected"]["values"])
    assert out.points["lcl"].isna().all() and out.points["ucl"].isna().all() and not out.points["sigma_signal"].any()


# ----------------------------------------------------------------------------------------------------------------
# moving-range screening (Nelson 1982), edge cases and validation
# ----------------------------------------------------------------------------------------------------------------
NHS = REFS / "nhsrplotthedots"
MDC = 2.66 * 1.128  # Making Data Count uses mean ± 2.66·MR̄; kvalitet uses mean ± multiplier·MR̄/1.128


@pytest.mark.parametrize("case_id, screen", [("r1", True), ("r2", True), ("r3", False)])
def test_screen_mr_matches_nhsrplotthedots_snapshot(case_id, screen):
    snap = json.loads((NHS / "ptd_spc_standard_snapshot.json").read_text())
    y = np.array(snap["y_rnorm20_seed123"])
    if case_id != "r1":
        y[14] = 10.0  # y[15] <- 10 in R
    exp = next(c for c in snap["cases"] if c["id"] == case_id)["expected"]
    out = control_limits("i", y, multiplier=MDC, screen_mr=screen)
    # snapshot printed to 7 significant digits; input printed to 8 decimals
    assert out.points["center"].iloc[0] == pytest.approx(exp["mean_col"], rel=2e-6)
    assert out.points["lcl"].iloc[0] == pytest.approx(exp["lpl"], rel=2e-6)
    assert out.points["ucl"].iloc[0] == pytest.approx(exp["upl"], rel=2e-6)


def test_screen_mr_matches_nhspy_plotthedots():
    vec = json.loads((NHS / "nhspy_plotthedots_xmr_vectors.json").read_text())
    for case in vec["limits_calculations"]:
        out = control_limits("i", case["values"], multiplier=MDC, screen_mr=True)
        e = case["expected"]
        assert out.points["center"].iloc[0] == pytest.approx(e["mean"], rel=1e-12)
        assert out.points["lcl"].iloc[0] == pytest.approx(e["lpl"], rel=1e-9, abs=1e-12)
        assert out.points["ucl"].iloc[0] == pytest.approx(e["upl"], rel=1e-9)
    for case in vec["pandas_spc_x_calc"]:
        out = control_limits("i", case["values"], freeze=case["fix_after_n_points"] and min(
            case["fix_after_n_points"], len(case["values"])), multiplier=MDC, screen_mr=True)
        e = case["expected"]
        assert out.points["center"].iloc[0] == pytest.approx(e["mean"], rel=1e-12), case["test"]
        assert out.points["lcl"].iloc[0] == pytest.approx(e["lpl"], rel=1e-9), case["test"]
        assert out.points["ucl"].iloc[0] == pytest.approx(e["upl"], rel=1e-9), case["test"]
        np.testing.assert_array_equal(out.points["sigma_signal"], e["outside_limits"], err_msg=case["test"])


def test_single_point():
    out = control_limits("p", [3], [10])
    assert out.points["center"].iloc[0] == pytest.approx(0.3)
    assert out.points["ucl"].iloc[0] == pytest.approx(0.3 + 3 * np.sqrt(0.3 * 0.7 / 10))
    assert out.points["lcl"].iloc[0] == 0.0
    assert len(control_limits("run", [5.0]).points) == 1
    with pytest.raises(ValueError, match="need at least 2 non-missing baseline points"):
        control_limits("i", [5.0])


def test_constant_series():
    out = control_limits("i", [7.0] * 10)
    assert (out.points["lcl"] == 7).all() and (out.points["ucl"] == 7).all() and not out.points["sigma_signal"].any()
    assert out.anhoej.n_useful == 0 and not out.points["runs_signal"].any()
    c0 = control_limits("c", [0] * 5)
    assert (c0.points["ucl"] == 0).all()
    p0 = control_limits("p", [0, 0, 0], [10, 20, 30], laney=True)
    assert (p0.points["ucl"] == 0).all() and (p0.points["lcl"] == 0).all()
    p1 = control_limits("p", [10, 20, 30], [10, 20, 30])
    assert (p1.points["ucl"] == 1).all()


def test_zero_and_missing_denominators():
    out = control_limits("u", [3, 4, 0, 5], [100, 120, 0, np.nan])
    assert out.points["value"].iloc[2:].isna().all()
    assert out.points["ucl"].iloc[2:].isna().all()
    assert out.points["center"].iloc[0] == pytest.approx(7 / 220)
    assert not out.points["sigma_signal"].iloc[2:].any()


def test_very_large_denominators_laney_limits_finite():
    rng = np.random.default_rng(1)
    n = np.full(60, 5e6)
    p = 0.3 + rng.normal(0, 0.002, 60)
    out = control_limits("p", np.round(p * n), n, laney=True)
    assert np.isfinite(out.points[["lcl", "ucl"]].to_numpy()).all()
    assert out.points["sigma_signal"].sum() <= 2


# ----------------------------------------------------------------------------------------------------------------
# properties (hypothesis)
# ----------------------------------------------------------------------------------------------------------------
@settings(max_examples=200, deadline=None)
@given(st.lists(st.integers(min_value=0, max_value=6), min_size=1, max_size=60))
def test_anhoej_properties(xs):
    y = np.array(xs, float)
    res = anhoej_rules(y)
    signs = spc.useful_signs(y, np.median(y))
    assert res.n_useful == signs.size == np.count_nonzero(y != np.median(y))
    if res.n_useful:
        # runs = crossings + 1, and the runs partition the useful points
        assert 1 <= res.longest_run <= res.n_useful
        assert res.crossings <= res.n_useful - 1
        assert res.signal == (res.runs_signal or res.crossings_signal)
        # reversing the series does not change either statistic
        rev = anhoej_rules(y[::-1])
        assert (rev.longest_run, rev.crossings) == (res.longest_run, res.crossings)


@settings(max_examples=100, deadline=None)
@given(
    st.lists(st.tuples(st.integers(0, 50), st.integers(1, 80)), min_size=2, max_size=40),
    st.sampled_from([1, 2, 3]),
)
def test_p_limits_properties(pairs, k):
    num = np.array([min(a, b) for a, b in pairs], float)
    den = np.array([b for _, b in pairs], float)
    out = control_limits("p", num, den, multiplier=k).points
    assert ((out["lcl"] >= 0) & (out["ucl"] <= 1) & (out["lcl"] <= out["center"]) & (out["center"] <= out["ucl"])).all()
    assert out["center"].iloc[0] == pytest.approx(num.sum() / den.sum())
    lap = control_limits("p", num, den, laney=True, multiplier=k)
    assert np.isfinite(lap.points[["lcl", "ucl"]].to_numpy()).all()
