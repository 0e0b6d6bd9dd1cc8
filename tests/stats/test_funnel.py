"""Tests for kvalitet.stats.funnel against PHEindicatormethods and FunnelPlotR reference values (tests/stats/refs/)."""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

REFS = Path(__file__).parent / "refs"
PHE = REFS / "pheindicatormethods"
FPR = REFS / "funnelplotr"



from kvalitet.stats import funnel  # noqa: E402
funnel_limits = funnel.funnel_limits
funnel_outliers = funnel.funnel_outliers

# PHE significance labels -> kvalitet flag codes
PHE_FLAG = {
    "High (0.001)": "high_99_8",
    "High (0.025)": "high_95",
    "Low (0.025)": "low_95",
    "Low (0.001)": "low_99_8",
    "Not significant": "none",
}


def phe(name):
    return pd.read_csv(PHE / name, encoding="utf-8-sig")


def fpr():
    return json.loads((FPR / "funnelplotr_test_vectors.json").read_text())


# ----------------------------------------------------------------------------------------------------------------
# proportions: PHEindicatormethods calculate_funnel_limits / assign_funnel_significance
# ----------------------------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "outputs, max_denominator, atol",
    [
        ("testdata_funnel_prop_outputs.csv", None, 5.1e-7),  # printed to 6 decimals
        ("testdata_funnel_prop_outputs_with_axis_variation.csv", 31000, 5.1e-9),  # printed to 8 decimals
    ],
)
def test_proportion_limits_match_phe(outputs, max_denominator, atol):
    inp = phe("testdata_funnel_prop_inputs.csv")
    if max_denominator:
        inp = inp[inp["denominator"] < max_denominator]
    out = phe(outputs)
    target = inp["numerator"].sum() / inp["denominator"].sum()
    lim = funnel_limits(out["Population"], target, kind="proportion", multiplier=100)
    np.testing.assert_allclose(lim["target"], out["Baseline"], atol=atol, rtol=0)
    np.testing.assert_allclose(lim["lower_95"], out["Lower2s0025limit"], atol=atol, rtol=0)
    np.testing.assert_allclose(lim["upper_95"], out["Upper2s0025limit"], atol=atol, rtol=0)
    np.testing.assert_allclose(lim["lower_99_8"], out["Lower3s0001limit"], atol=atol, rtol=0)
    np.testing.assert_allclose(lim["upper_99_8"], out["Upper3s0001limit"], atol=atol, rtol=0)


def test_proportion_limits_clipped_to_0_and_1():
    out = phe("testdata_funnel_prop_outputs.csv")
    lim = funnel_limits(out["Population"], 0.8064244785714955, multiplier=100)
    # PHE clips at 0 and 100: first rows (population 1, 2) have upper 100 and lower 0 at 99.8 %
    assert lim["upper_95"].iloc[0] == 100 and lim["lower_99_8"].iloc[0] == 0
    assert ((lim["lower_99_8"] >= 0) & (lim["upper_99_8"] <= 100)).all()


def test_proportion_significance_matches_phe():
    inp = phe("testdata_funnel_prop_inputs.csv")
    res = funnel_outliers(inp["numerator"], inp["denominator"], kind="proportion")
    expected = inp["significance"].map(PHE_FLAG)
    assert expected.notna().all()
    np.testing.assert_array_equal(res["flag"], expected)
    # the boolean columns agree with the flag
    np.testing.assert_array_equal(res["over_99_8"], expected == "high_99_8")
    np.testing.assert_array_equal(res["under_95"], expected.isin(["low_95", "low_99_8"]))


# ----------------------------------------------------------------------------------------------------------------
# ratios (indirectly standardised): FunnelPlotR exact limits, PHE poisson_funnel
# ----------------------------------------------------------------------------------------------------------------
def test_sr_limits_match_funnelplotr():
    v = fpr()["poisson_limits_SR_unadjusted"]
    lim = funnel_limits(v["expected_E"], 1, kind="sr")
    e = v["expected"]
    np.testing.assert_allclose(lim["lower_95"], e["ll95_round7"], atol=5.1e-8, rtol=0)
    np.testing.assert_allclose(lim["upper_95"], e["ul95_round6"], atol=5.1e-7, rtol=0)
    np.testing.assert_allclose(lim["lower_99_8"], e["ll998_round7"], atol=5.1e-8, rtol=0)
    np.testing.assert_allclose(lim["upper_99_8"], e["ul998_round6"], atol=5.1e-7, rtol=0)
    # quick-reference example from the refs README: E = 20
    assert lim["lower_95"].iloc[1] == pytest.approx(0.6108260, abs=5.1e-8)
    assert lim["upper_99_8"].iloc[1] == pytest.approx(1.902094, abs=5.1e-7)


@pytest.mark.parametrize(
    "level, side, exp_col, isr_col",
    [
        (0.95, "lower", "lower_2s_exp_events", "lower_2s_isr"),
        (0.95, "upper", "upper_2s_exp_events", "upper_2s_isr"),
        (0.998, "lower", "lower_3s_exp_events", "lower_3s_isr"),
        (0.998, "upper", "upper_3s_exp_events", "upper_3s_isr"),
    ],
)
def test_ratio_limits_inverse_method_match_phe(level, side, exp_col, isr_col):
    """PHE gives, per observed count O, the expected count E at which O lies exactly on the limit.

    So at denominator E our limit must be O/E (PHE's ``*_isr`` = 100·O/E). PHE finds E by bisection to 1e-7 on
    v = E/(1+O+E), which limits its precision to about 1e-5 relative for the smallest E.
    """
    out = phe("testdata_funnel_ratio_outputs.csv")
    obs = out.iloc[:, 0].to_numpy()
    lim = funnel_limits(out[exp_col], 1, kind="ratio", levels=(level,), method="inverse", multiplier=100)
    suf = funnel.level_suffix(level)
    np.testing.assert_allclose(lim[f"{side}_{suf}"], out[isr_col], rtol=1e-5)
    np.testing.assert_allclose(lim[f"{side}_{suf}"], 100 * obs / out[exp_col], rtol=1e-5)


def test_ratio_significance_matches_phe_with_inverse_method():
    inp = phe("testdata_funnel_ratio_inputs.csv")
    res = funnel_outliers(inp["obs"], inp["expected"], kind="ratio", method="inverse")
    np.testing.assert_array_equal(res["flag"], inp["significance"].map(PHE_FLAG))
    assert (res["target"] == 1).all()


def test_ratio_chisq_and_inverse_methods_differ_only_near_the_limits():
    inp = phe("testdata_funnel_ratio_inputs.csv")
    a = funnel_outliers(inp["obs"], inp["expected"], kind="ratio", method="chisq")
    b = funnel_outliers(inp["obs"], inp["expected"], kind="ratio", method="inverse")
    agree = (a["flag"] == b["flag"]).mean()
    assert agree > 0.9
    assert (a["z"] == b["z"]).all()


# ----------------------------------------------------------------------------------------------------------------
# crude rates: PHE rate funnels (Poisson, by number of events)
# ----------------------------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "name",
    ["testdata_funnel_rate_outputs.csv", "testdata_funnel_rate_outputs_2.csv", "testdata_funnel_rate_outputs_3.csv"],
)
@pytest.mark.parametrize(
    "level, side, pop_col, lim_col",
    [
        (0.95, "lower", "lower_2s_population_1_year", "lower_2s_limit"),
        (0.95, "upper", "upper_2s_population_1_year", "upper_2s_limit"),
        (0.998, "lower", "lower_3s_population_1_year", "lower_3s_limit"),
        (0.998, "upper", "upper_3s_population_1_year", "upper_3s_limit"),
    ],
)
def test_rate_limits_match_phe(name, level, side, pop_col, lim_col):
    """PHE gives, per event count, the population at which that count lies on the limit (years_of_data = 3)."""
    out = phe(name)
    ok = out[pop_col].notna() & (out["Events"] > 0)
    out = out[ok]
    pop = out[pop_col] * 3
    target = out["baseline"].iloc[0] / 1e5  # baseline is per 100,000
    lim = funnel_limits(pop, target, kind="rate", levels=(level,), multiplier=1e5)
    suf = funnel.level_suffix(level)
    np.testing.assert_allclose(lim[f"{side}_{suf}"], out[lim_col], rtol=1e-5)
    np.testing.assert_allclose(lim[f"{side}_{suf}"], out["Events"] / pop * 1e5, rtol=1e-5)


@pytest.mark.parametrize("which", ["with_0", "without_0"])
def test_rate_significance_matches_phe(which):
    d = phe("testdata_funnel_rate_dsr_inputs.csv")
    if which == "without_0":
        d = d[d["count"] > 0]
    res = funnel_outliers(d["count"], d["pop"], kind="rate", multiplier=1e5)
    np.testing.assert_array_equal(res["flag"], d[f"crude_per_100000_{which}"].map(PHE_FLAG))
    np.testing.assert_allclose(res["value"], d["rate_crude_per_100000"], rtol=1e-9)


# ----------------------------------------------------------------------------------------------------------------
# over-dispersion (Spiegelhalter 2005; FunnelPlotR)
# ----------------------------------------------------------------------------------------------------------------
def test_shmi_phi_matches_funnelplotr():
    v = fpr()["phi_overdispersion_SR_SHMI"]
    res = funnel_outliers(v["input"]["num"], v["input"]["denom"], kind="sr", z_method="log")
    assert res["phi"].iloc[0] == pytest.approx(v["expected"]["phi_round6"], abs=5.1e-7)
    assert len(res) == v["expected"]["n_groups"]
    # z = sqrt(E) log(O/E) (SHMI)
    num, den = np.array(v["input"]["num"], float), np.array(v["input"]["denom"], float)
    np.testing.assert_allclose(res["z"], np.sqrt(den) * np.log(num / den), rtol=1e-12)


def test_adjusted_limit_ordering_matches_funnelplotr_checks():
    """test-funnel_plot.R: unadjusted LCL95[5] > SHMI-adjusted OD95LCL[5].

    The second FunnelPlotR check (CQC-adjusted OD95LCL[5] > SHMI-adjusted) is deliberately not reproduced:
    FunnelPlotR's CQC limits are ``1 ± z·sqrt(s² + τ²)`` on the square-root scale and are not squared back to
    the ratio scale, so they are too narrow (at E = 20 without τ² their upper 95 % limit is 1.219 against the
    exact 1.544). kvalitet back-transforms, ``(1 ± z·sqrt(s² + τ²))²`` (Spiegelhalter 2005).
    """
    v = fpr()["phi_overdispersion_SR_SHMI"]["input"]
    unadj = funnel_outliers(v["num"], v["denom"], kind="sr")
    shmi = funnel_outliers(v["num"], v["denom"], kind="sr", z_method="log", overdispersion="additive")
    assert unadj["lower_95"].iloc[4] > shmi["lower_95"].iloc[4]
    sqrt_scale = funnel_limits([20], 1, kind="sr", overdispersion="additive", tau2=0.0)
    assert sqrt_scale["upper_95"].iloc[0] == pytest.approx(1.544419, abs=5.1e-7)  # tau2 = 0: exact limits kept


def test_tau2_formula_and_additive_limits():
    v = fpr()["phi_overdispersion_SR_SHMI"]["input"]
    o, e = np.array(v["num"], float), np.array(v["denom"], float)
    res = funnel_outliers(o, e, kind="sr", z_method="log", overdispersion="additive")
    phi, n, w = res["phi"].iloc[0], len(o), e  # SHMI: s = 1/sqrt(E), w = E
    tau2 = (n * phi - (n - 1)) / (w.sum() - (w**2).sum() / w.sum())
    assert res["tau2"].iloc[0] == pytest.approx(tau2, rel=1e-12)
    # FunnelPlotR SHMI adjusted limits: exp(±z sqrt(1/E + tau2))
    np.testing.assert_allclose(res["upper_99_8"], np.exp(3.090232 * np.sqrt(1 / e + tau2)), rtol=1e-6)
    np.testing.assert_allclose(res["lower_95"], np.exp(-1.959964 * np.sqrt(1 / e + tau2)), rtol=1e-6)
    lim = funnel_limits(e, 1, kind="sr", overdispersion="additive", tau2=tau2, z_method="log")
    np.testing.assert_allclose(lim["upper_95"], res["upper_95"], rtol=1e-12)


def test_sqrt_z_score_and_multiplicative_adjustment():
    v = fpr()["phi_overdispersion_SR_SHMI"]["input"]
    o, e = np.array(v["num"], float), np.array(v["denom"], float)
    res = funnel_outliers(o, e, kind="sr", overdispersion="multiplicative", winsorise=0)
    z = 2 * (np.sqrt(o) - np.sqrt(e))
    np.testing.assert_allclose(res["z"], z, rtol=1e-12)
    phi = np.mean(z**2)  # no Winsorising
    assert res["phi"].iloc[0] == pytest.approx(phi, rel=1e-12)
    np.testing.assert_allclose(res["z_adjusted"], z / np.sqrt(phi), rtol=1e-12)
    s = 1 / (2 * np.sqrt(e))
    np.testing.assert_allclose(res["upper_95"], (1 + 1.959963984540054 * np.sqrt(phi) * s) ** 2, rtol=1e-12)


def test_winsorising_uses_type7_quantiles():
    rng = np.random.default_rng(3)
    n = rng.integers(200, 2000, 40)
    y = rng.binomial(n, rng.beta(20, 80, 40))
    res = funnel_outliers(y, n)
    t = y.sum() / n.sum()
    z = (y / n - t) / np.sqrt(t * (1 - t) / n)
    lo, hi = np.quantile(z, [0.1, 0.9])  # R quantile(type = 7)
    assert res["phi"].iloc[0] == pytest.approx(np.mean(np.clip(z, lo, hi) ** 2), rel=1e-12)
    assert res["phi"].iloc[0] > 1  # beta-binomial data are over-dispersed


def test_no_adjustment_when_phi_below_one():
    n = np.full(10, 1000)
    y = np.array([200, 201, 199, 200, 202, 198, 200, 201, 199, 200])
    plain = funnel_outliers(y, n)
    adj = funnel_outliers(y, n, overdispersion="multiplicative")
    assert plain["phi"].iloc[0] < 1 and plain["tau2"].iloc[0] == 0
    np.testing.assert_allclose(adj["upper_95"], plain["upper_95"])


# ----------------------------------------------------------------------------------------------------------------
# edge cases and validation
# ----------------------------------------------------------------------------------------------------------------
def test_column_names():
    lim = funnel_limits([10, 100], 0.2)
    assert list(lim.columns) == ["denominator", "target", "lower_95", "upper_95", "lower_99_8", "upper_99_8"]
    res = funnel_outliers([1, 20, 30], [10, 100, 100])
    for col in ("z", "z_adjusted", "phi", "tau2", "over_95", "under_95", "over_99_8", "under_99_8", "flag"):
        assert col in res.columns
    assert set(funnel_limits([10], 0.2, levels=(0.9,)).columns) >= {"lower_90", "upper_90"}


def test_zero_and_huge_denominators():
    lim = funnel_limits([0, 1e9], 0.3)
    assert lim.iloc[0, 2:].isna().all()
    assert lim["upper_99_8"].iloc[1] == pytest.approx(0.3, abs=1e-4)
    res = funnel_outliers([0, 5, 50], [0, 100, 1000])
    assert np.isnan(res["z"].iloc[0]) and res["flag"].iloc[0] == "none"
    assert res["target"].iloc[0] == pytest.approx(55 / 1100)
    rl = funnel_limits([0.0, 1e8], 1, kind="ratio")
    assert rl.iloc[0, 2:].isna().all() and rl["lower_95"].iloc[1] == pytest.approx(1, abs=1e-3)


def test_zero_events_ratio():
    res = funnel_outliers([0, 10, 12, 9], [8, 10, 11, 10], kind="ratio")
    assert res["value"].iloc[0] == 0 and res["flag"].iloc[0] in ("low_95", "low_99_8")
    assert np.isfinite(res["phi"].iloc[0])


def test_rates_may_exceed_denominator():
    res = funnel_outliers([250, 20, 30], [220, 100, 100], kind="rate")
    assert res["value"].iloc[0] == pytest.approx(250 / 220)
