"""Tests for kvalitet.stats.kendall and kvalitet.stats.trend.

External references (copied to tests/stats/refs/, provenance in each README.md):
* refs/pymannkendall/: pyMannKendall @ec2e3ab1 tests/test_pymannkendall.py vectors and the Examples notebook outputs.
* refs/trend_R/: R package trend 1.1.6 vignette outputs (mk.test, smk.test, sens.slope, sea.sens.slope).
GLM, ITS and BH results are checked against independent computations written out here (numpy IRLS, the
Benjamini–Hochberg definition), against scipy.stats.kendalltau, and by recovery of known simulated effects.
"""
from __future__ import annotations

import json
import math
from decimal import Decimal
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats as sst

from kvalitet.stats.kendall import mann_kendall, seasonal_mann_kendall, sen_slope
from kvalitet.stats.trend import bh_qvalues, binomial_trend, interrupted_time_series, poisson_trend

REFS = Path(__file__).parent / "refs"
RTOL = 1e-6


# ----------------------------------------------------------------------------------------------------------
# reference loading
# ----------------------------------------------------------------------------------------------------------
def _pmk():
    return json.loads((REFS / "pymannkendall" / "pymannkendall_test_vectors.json").read_text())


def _pmk_case(function: str, data: str, **kwargs):
    for case in _pmk()["cases"]:
        if case["function"] == function and case["input"] == data and case["kwargs"] == kwargs:
            return case["expected"]
    raise KeyError((function, data, kwargs))


def _arbitrary_1d() -> np.ndarray:
    vals = _pmk()["fixtures"]["arbitrary_1d_data"]
    return np.array([np.nan if v is None else v for v in vals], dtype=float)


def _notebook(call_prefix: str):
    d = json.loads((REFS / "pymannkendall" / "pymannkendall_notebook_examples.json").read_text())
    for case in d["cases"]:
        if case["call"].startswith(call_prefix):
            return case["expected"]
    raise KeyError(call_prefix)


def _trend_r(call: str):
    d = json.loads((REFS / "trend_R" / "trend_vignette_expected.json").read_text())
    for case in d["cases"]:
        if case["call"] == call:
            return case["expected"]
    raise KeyError(call)


def assert_printed(actual: float, printed: float) -> None:
    """actual rounds to the value R printed: |actual − printed| ≤ half a unit in the last printed digit."""
    dec = Decimal(repr(printed))
    exp = dec.as_tuple().exponent
    if "e" in repr(printed).lower():  # e.g. 4.221e-09: last digit is 10^(exponent of the mantissa's last place)
        digits = len(dec.as_tuple().digits)
        exp = dec.adjusted() - digits + 1
    tol = 0.5 * 10.0**exp * (1 + 1e-9)
    assert abs(actual - printed) <= tol, f"{actual} does not round to printed {printed} (tol {tol})"


# pyMannKendall test fixtures: NoTrendData = np.ones(360)*randint(10); TrendData = np.arange(360)+rand(360)/1e13
NO_TREND = np.ones(360) * 7
TREND = np.arange(360, dtype=float)


# ----------------------------------------------------------------------------------------------------------
# Mann–Kendall vs pyMannKendall
# ----------------------------------------------------------------------------------------------------------
def test_mk_arbitrary_1d_matches_pymannkendall():
    exp = _pmk_case("original_test", "arbitrary_1d_data")
    r = mann_kendall(_arbitrary_1d())
    assert r.s == exp["s"]
    assert r.var_s == pytest.approx(exp["var_s"], rel=RTOL)
    assert r.z == pytest.approx(exp["z"], rel=RTOL)
    assert r.p == pytest.approx(exp["p"], rel=RTOL)
    assert r.trend == exp["trend"]
    # pymannkendall's Tau = S / (n(n-1)/2) without tie correction: checks that n (NaNs dropped) is the same
    assert r.s / (r.n * (r.n - 1) / 2) == pytest.approx(exp["Tau"], rel=RTOL)
    assert r.n == 360 - 7


def test_sen_slope_arbitrary_1d_matches_pymannkendall():
    exp = _pmk_case("sens_slope", "arbitrary_1d_data")
    x = _arbitrary_1d()
    for r in (mann_kendall(x), sen_slope(x)):
        assert r.slope == pytest.approx(exp["slope"], rel=RTOL)
        assert r.intercept == pytest.approx(exp["intercept"], rel=RTOL)


def test_mk_no_trend_fixture_matches_pymannkendall():
    exp = _pmk_case("original_test", "NoTrendData")
    r = mann_kendall(NO_TREND)
    assert (r.s, r.var_s, r.z, r.p, r.tau) == (exp["s"], exp["var_s"], exp["z"], exp["p"], exp["Tau"])
    assert r.trend == "no trend"
    assert r.slope == _pmk_case("sens_slope", "NoTrendData")["slope"]


def test_mk_trend_fixture_matches_pymannkendall():
    exp = _pmk_case("original_test", "TrendData")
    r = mann_kendall(TREND)
    assert r.s == exp["s"]
    assert r.tau == exp["Tau"]
    assert r.trend == exp["trend"]
    assert r.p < 1e-100  # pymannkendall prints 0.0 (it computes 1 − Φ, which underflows); we use Φ's tail
    sexp = _pmk_case("sens_slope", "TrendData")
    assert r.slope == pytest.approx(sexp["slope"], rel=RTOL)
    assert round(r.intercept) == sexp["round(intercept)"]


def test_mk_births_notebook():
    exp = _notebook("mk.original_test")
    x = pd.read_csv(REFS / "pymannkendall" / "example_input_daily-total-female-births.csv")["Births"]
    r = mann_kendall(x)
    for field in ("s", "var_s", "z", "p", "slope", "intercept"):
        assert getattr(r, field) == pytest.approx(exp[field], rel=RTOL), field
    assert r.trend == exp["trend"]
    assert r.s / (r.n * (r.n - 1) / 2) == pytest.approx(exp["Tau"], rel=RTOL)


# ----------------------------------------------------------------------------------------------------------
# Mann–Kendall and Sen vs R trend (vignette, printed digits)
# ----------------------------------------------------------------------------------------------------------
def test_mk_maxau_q_matches_r_trend():
    exp = _trend_r("mk.test(maxau[,'Q'])")
    r = mann_kendall(pd.read_csv(REFS / "trend_R" / "input_maxau.csv")["Q"])
    assert r.n == exp["n"]
    assert r.s == exp["S"]
    assert r.var_s == exp["varS"]
    assert_printed(r.z, exp["z"])
    assert_printed(r.p, exp["p_value"])
    assert_printed(r.tau, exp["tau"])


@pytest.mark.parametrize("col", ["we", "ka", "mz", "ko", "bh", "bi"])
def test_mk_hcb_matches_r_trend(col):
    exp = _trend_r(f"mk.test(hcb[,'{col}'], continuity=TRUE)")
    r = mann_kendall(pd.read_csv(REFS / "trend_R" / "input_hcb.csv")[col])
    assert r.n == exp["n"]
    assert r.s == exp["S"]
    assert_printed(r.var_s, exp["varS"])  # hcb has ties: checks the tie correction
    assert_printed(r.z, exp["z"])
    assert_printed(r.p, exp["p_value"])
    assert_printed(r.tau, exp["tau"])  # tie-corrected tau = S/D
    assert r.trend == ("decreasing" if exp["p_value"] < 0.05 else "no trend")


def test_sen_slope_ci_matches_r_trend():
    exp = _trend_r("sens.slope(maxau[,'s'])")
    df = pd.read_csv(REFS / "trend_R" / "input_maxau.csv")
    r = sen_slope(df["s"])
    assert r.n == exp["n"]
    assert_printed(r.slope, exp["slope"])
    assert_printed(r.ci_low, exp["ci95_lower"])
    assert_printed(r.ci_high, exp["ci95_upper"])
    mk = mann_kendall(df["s"])  # sens.slope also prints the MK z and p
    assert_printed(mk.z, exp["z"])
    assert_printed(mk.p, exp["p_value"])
    # with times = calendar years (consecutive) the slope per year is the same
    ry = sen_slope(df["s"], times=df["year"])
    assert (ry.slope, ry.ci_low, ry.ci_high) == pytest.approx((r.slope, r.ci_low, r.ci_high), rel=1e-12)


def test_sen_slope_times_scale():
    """Slope and CI are per unit of ``times``: monthly steps expressed in years multiply them by 12."""
    df = pd.read_csv(REFS / "trend_R" / "input_maxau.csv")
    per_step = sen_slope(df["s"])
    per_year = sen_slope(df["s"], times=np.arange(len(df)) / 12.0)
    assert per_year.slope == pytest.approx(12 * per_step.slope, rel=1e-12)
    assert per_year.ci_low == pytest.approx(12 * per_step.ci_low, rel=1e-12)
    assert per_year.ci_high == pytest.approx(12 * per_step.ci_high, rel=1e-12)


def test_sen_slope_conf_changes_width():
    df = pd.read_csv(REFS / "trend_R" / "input_maxau.csv")
    r90, r99 = sen_slope(df["s"], conf=0.90), sen_slope(df["s"], conf=0.99)
    assert r99.ci_low <= r90.ci_low <= r90.slope <= r90.ci_high <= r99.ci_high


# ----------------------------------------------------------------------------------------------------------
# seasonal Mann–Kendall
# ----------------------------------------------------------------------------------------------------------
def test_seasonal_arbitrary_1d_matches_pymannkendall():
    exp = _pmk_case("seasonal_test", "arbitrary_1d_data", period=12)
    r = seasonal_mann_kendall(_arbitrary_1d(), period=12)
    assert r.s == exp["s"]
    assert r.var_s == pytest.approx(exp["var_s"], rel=RTOL)
    assert r.z == pytest.approx(exp["z"], rel=RTOL)
    assert r.p == pytest.approx(exp["p"], rel=RTOL)
    assert r.trend == exp["trend"]
    sexp = _pmk_case("seasonal_sens_slope", "arbitrary_1d_data")
    assert r.slope == pytest.approx(sexp["slope"], rel=RTOL)
    assert r.intercept == pytest.approx(sexp["intercept"], rel=RTOL)


def test_seasonal_fixtures_match_pymannkendall():
    exp = _pmk_case("seasonal_test", "NoTrendData", period=12)
    r = seasonal_mann_kendall(NO_TREND)
    assert (r.s, r.z, r.p, r.tau, r.trend) == (exp["s"], exp["z"], exp["p"], exp["Tau"], exp["trend"])
    exp = _pmk_case("seasonal_test", "TrendData", period=12)
    r = seasonal_mann_kendall(TREND)
    assert (r.s, r.tau, r.trend) == (exp["s"], exp["Tau"], exp["trend"])
    sexp = _pmk_case("seasonal_sens_slope", "TrendData")
    assert r.slope == pytest.approx(sexp["slope"], rel=RTOL)  # 12 per cycle
    assert round(r.intercept) == sexp["round(intercept)"]


def test_seasonal_airpassengers_notebook():
    exp = _notebook("mk.seasonal_test")
    x = pd.read_csv(REFS / "pymannkendall" / "example_input_AirPassengers.csv")["#Passengers"]
    r = seasonal_mann_kendall(x, period=12)
    for field in ("s", "var_s", "z", "slope", "intercept"):
        assert getattr(r, field) == pytest.approx(exp[field], rel=RTOL), field
    assert r.p < 1e-50  # printed as 0.0 by pymannkendall
    assert r.trend == exp["trend"]


def test_seasonal_nottem_matches_r_trend():
    exp = _trend_r("smk.test(nottem)")
    x = pd.read_csv(REFS / "trend_R" / "input_nottem.csv")["value"]
    r = seasonal_mann_kendall(x, period=12)
    assert r.s == exp["S"]
    assert r.var_s == exp["varS"]
    assert_printed(r.z, exp["z"])
    assert_printed(r.p, exp["p_value"])
    assert_printed(r.slope, _trend_r("sea.sens.slope(nottem)")["slope"])


# ----------------------------------------------------------------------------------------------------------
# Mann–Kendall properties (independent: scipy.stats.kendalltau)
# ----------------------------------------------------------------------------------------------------------
@settings(max_examples=60, deadline=None)
@given(st.lists(st.integers(min_value=-5, max_value=5), min_size=3, max_size=60))
def test_mk_s_and_tau_agree_with_scipy_kendalltau(xs):
    x = np.array(xs, dtype=float)
    r = mann_kendall(x)
    if np.unique(x).size == 1:
        assert (r.s, r.p, r.tau, r.slope) == (0.0, 1.0, 0.0, 0.0)
        return
    tau_b = sst.kendalltau(np.arange(x.size), x).statistic  # tau-b; time has no ties
    assert r.tau == pytest.approx(tau_b, rel=1e-9, abs=1e-12)
    # S from tau-b: S = tau_b * D
    n0 = x.size * (x.size - 1) / 2
    _, t = np.unique(x, return_counts=True)
    d = math.sqrt(n0 - np.sum(t * (t - 1)) / 2) * math.sqrt(n0)
    assert r.s == pytest.approx(round(tau_b * d), abs=1e-9)
    # reversing the series flips the sign of S
    assert mann_kendall(x[::-1]).s == -r.s
    assert 0.0 <= r.p <= 1.0


def test_mk_long_series_blockwise_equals_direct():
    rng = np.random.default_rng(3)
    x = rng.integers(0, 50, 2500).astype(float)  # above the block size, so the blockwise path runs
    r = mann_kendall(x)
    tau_b = sst.kendalltau(np.arange(x.size), x).statistic
    assert r.tau == pytest.approx(tau_b, rel=1e-9)


# ----------------------------------------------------------------------------------------------------------
# edge cases and validation for MK / Sen
# ----------------------------------------------------------------------------------------------------------
def test_mk_constant_series():
    r = mann_kendall([4, 4, 4, 4, 4])
    assert (r.s, r.var_s, r.z, r.p, r.tau, r.slope, r.trend) == (0.0, 0.0, 0.0, 1.0, 0.0, 0.0, "no trend")


def test_mk_nan_dropped_and_counted():
    r = mann_kendall([1.0, np.nan, 3.0, 2.0, np.nan, 5.0])
    assert r.n == 4
    assert r.s == mann_kendall([1.0, 3.0, 2.0, 5.0]).s
    # Sen's slope keeps the positions (0, 2, 3, 5): median of pairwise slopes over those positions
    pos, x = np.array([0, 2, 3, 5.0]), np.array([1, 3, 2, 5.0])
    i, j = np.triu_indices(4, 1)
    assert r.slope == pytest.approx(np.median((x[j] - x[i]) / (pos[j] - pos[i])))


@pytest.mark.parametrize("bad", [[1, 2], [1, np.nan, 2, np.nan], []])
def test_mk_too_short(bad):
    with pytest.raises(ValueError, match="values: need at least 3"):
        mann_kendall(bad)


def test_sen_slope_too_short_for_the_interval():
    r = sen_slope([1.0, 2.0, 4.0])  # too short for a 95 % rank interval: limits NaN, as R's NA
    assert r.slope == 1.5 and math.isnan(r.ci_low) and math.isnan(r.ci_high)


def test_seasonal_validation():
    with pytest.raises(ValueError, match="period"):
        seasonal_mann_kendall(np.arange(48.0), period=1)
    with pytest.raises(ValueError, match="two full cycles"):
        seasonal_mann_kendall(np.arange(20.0), period=12)


# ----------------------------------------------------------------------------------------------------------
# GLMs: independent IRLS written out here (McCullagh & Nelder 1989, §2.5)
# ----------------------------------------------------------------------------------------------------------
def irls_quasi(y, X, family, offset=None, weights=None, iters=100):
    """Fisher scoring by hand; returns beta, dispersion (Pearson χ²/df) and the dispersion-scaled SEs."""
    n, k = X.shape
    off = np.zeros(n) if offset is None else offset
    w_prior = np.ones(n) if weights is None else weights
    if family == "poisson":
        mu = y + 0.5
        eta = np.log(mu) - off
    else:
        mu = (w_prior * y + 0.5) / (w_prior + 1)
        eta = np.log(mu / (1 - mu))
    beta = np.zeros(k)
    for _ in range(iters):
        if family == "poisson":
            mu = np.exp(X @ beta + off) if _ else mu
            w = w_prior * mu
            z = (X @ beta if _ else eta) + (y - mu) / mu
        else:
            mu = 1 / (1 + np.exp(-(X @ beta))) if _ else mu
            v = mu * (1 - mu)
            w = w_prior * v
            z = (X @ beta if _ else eta) + (y - mu) / v
        new = np.linalg.solve(X.T @ (w[:, None] * X), X.T @ (w * z))
        if _ and np.max(np.abs(new - beta)) < 1e-13:
            beta = new
            break
        beta = new
    eta = X @ beta + off
    if family == "poisson":
        mu = np.exp(eta)
        w = w_prior * mu
        pearson = np.sum(w_prior * (y - mu) ** 2 / mu)
    else:
        mu = 1 / (1 + np.exp(-eta))
        w = w_prior * mu * (1 - mu)
        pearson = np.sum(w_prior * (y - mu) ** 2 / (mu * (1 - mu)))
    phi = pearson / (n - k)
    cov = phi * np.linalg.inv(X.T @ (w[:, None] * X))
    return beta, phi, np.sqrt(np.diag(cov))


def ratio_ci_p(b, se, df, conf=0.95):
    q = sst.t.ppf(1 - (1 - conf) / 2, df)
    return math.exp(b), math.exp(b - q * se), math.exp(b + q * se), 2 * sst.t.sf(abs(b / se), df)


COUNTS = np.array([31, 28, 35, 22, 30, 26, 19, 24, 21, 18, 25, 14], dtype=float)
EXPOSURE = np.array([1000, 950, 1100, 900, 1050, 980, 870, 1010, 990, 940, 1200, 860], dtype=float)
YEARS = 2015 + np.arange(12) / 2.0  # half-yearly periods, times in years


def test_poisson_trend_matches_hand_irls():
    r = poisson_trend(COUNTS, EXPOSURE, YEARS)
    X = np.column_stack([np.ones(12), YEARS - 2015])
    beta, phi, se = irls_quasi(COUNTS, X, "poisson", offset=np.log(EXPOSURE))
    est, lo, hi, p = ratio_ci_p(beta[1], se[1], 10)
    assert r.df_resid == 10
    assert r.dispersion == pytest.approx(phi, rel=1e-8)
    assert (r.estimate, r.ci_low, r.ci_high, r.p) == pytest.approx((est, lo, hi, p), rel=1e-7)
    # the dispersion is Σ pearson residual² / df, with fitted means from the reported rate ratio
    mu = EXPOSURE * np.exp(beta[0]) * r.estimate ** (YEARS - 2015)
    assert r.dispersion == pytest.approx(np.sum((COUNTS - mu) ** 2 / mu) / 10, rel=1e-7)
    assert r.estimate < 1 and r.p < 0.05


def test_poisson_trend_with_season_matches_hand_irls():
    rng = np.random.default_rng(11)
    t = np.arange(48) / 12.0
    month = np.arange(48) % 12 + 1
    e = rng.uniform(400, 600, 48)
    y = rng.poisson(e * 0.03 * 0.85**t * (1 + 0.3 * np.sin(2 * np.pi * month / 12))).astype(float)
    r = poisson_trend(y, e, t, season=month)
    dummies = (month[:, None] == np.arange(2, 13)[None, :]).astype(float)
    X = np.column_stack([np.ones(48), t, dummies])
    beta, phi, se = irls_quasi(y, X, "poisson", offset=np.log(e))
    assert r.df_resid == 48 - 13
    assert r.dispersion == pytest.approx(phi, rel=1e-7)
    assert (r.estimate, r.ci_low, r.ci_high, r.p) == pytest.approx(ratio_ci_p(beta[1], se[1], 35), rel=1e-6)


def test_binomial_trend_matches_hand_irls():
    s = np.array([40, 44, 39, 50, 52, 49, 58, 61, 57, 66], dtype=float)
    m = np.array([100, 105, 98, 110, 104, 99, 112, 115, 101, 118], dtype=float)
    t = np.arange(10, dtype=float)
    r = binomial_trend(s, m, t)
    X = np.column_stack([np.ones(10), t])
    beta, phi, se = irls_quasi(s / m, X, "binomial", weights=m)
    assert r.df_resid == 8
    assert r.dispersion == pytest.approx(phi, rel=1e-8)
    pi = 1 / (1 + np.exp(-(X @ beta)))
    assert r.dispersion == pytest.approx(np.sum((s - m * pi) ** 2 / (m * pi * (1 - pi))) / 8, rel=1e-8)
    assert (r.estimate, r.ci_low, r.ci_high, r.p) == pytest.approx(ratio_ci_p(beta[1], se[1], 8), rel=1e-7)
    assert r.estimate > 1


def test_poisson_trend_recovers_known_rate_ratio():
    rng = np.random.default_rng(2024)
    t = np.arange(120) / 12.0  # ten years, monthly
    e = np.full(120, 50_000.0)
    y = rng.poisson(e * 0.02 * 0.9**t)
    r = poisson_trend(y, e, t)
    assert r.ci_low < 0.9 < r.ci_high
    assert r.estimate == pytest.approx(0.9, rel=0.01)
    assert r.dispersion == pytest.approx(1.0, abs=0.4)


def test_poisson_trend_ci_coverage_under_overdispersion():
    """Gamma–Poisson data (φ≈3): the quasi-Poisson 95 % CI should still cover the true ratio ~95 % of the time."""
    rng = np.random.default_rng(7)
    t = np.arange(60) / 12.0
    e = np.full(60, 2000.0)
    mu = e * 0.01 * 0.9**t
    covered, phis = 0, []
    nsim = 300
    for _ in range(nsim):
        lam = rng.gamma(shape=mu / 2.0, scale=2.0)  # mean mu, variance mu + 2mu → overdispersion φ≈3
        r = poisson_trend(rng.poisson(lam), e, t)
        covered += r.ci_low < 0.9 < r.ci_high
        phis.append(r.dispersion)
    assert 0.90 <= covered / nsim <= 0.99
    assert np.mean(phis) == pytest.approx(3.0, rel=0.15)


def test_binomial_trend_recovers_known_odds_ratio():
    rng = np.random.default_rng(5)
    t = np.arange(96) / 12.0
    m = np.full(96, 20_000)
    pi = 1 / (1 + np.exp(-(-1.0 + np.log(1.1) * t)))
    s = rng.binomial(m, pi)
    r = binomial_trend(s, m, t)
    assert r.ci_low < 1.1 < r.ci_high
    assert r.estimate == pytest.approx(1.1, rel=0.01)


def test_poisson_trend_very_large_counts():
    t = np.arange(24) / 12.0
    e = np.full(24, 1e9)
    y = np.round(e * 0.5 * 0.95**t)
    r = poisson_trend(y, e, t)
    assert r.estimate == pytest.approx(0.95, rel=1e-6)
    assert np.isfinite([r.ci_low, r.ci_high, r.p, r.dispersion]).all()


# ----------------------------------------------------------------------------------------------------------
# interrupted time series
# ----------------------------------------------------------------------------------------------------------
def test_its_noise_free_poisson_recovers_exact_effects():
    t = np.arange(36) / 12.0
    start = 1.5
    after = (t >= start).astype(float)
    since = (t - start) * after
    e = np.linspace(800, 1200, 36)
    mu = e * np.exp(np.log(0.02) + np.log(0.95) * t + np.log(0.7) * after + np.log(1.2) * since)
    r = interrupted_time_series(mu, e, t, start=start)
    assert r.pre_trend.estimate == pytest.approx(0.95, rel=1e-8)
    assert r.level_change.estimate == pytest.approx(0.7, rel=1e-8)
    assert r.slope_change.estimate == pytest.approx(1.2, rel=1e-8)
    assert r.dispersion == pytest.approx(0.0, abs=1e-12)
    assert (r.n_before, r.n_after, r.df_resid) == (18, 18, 32)


def test_its_noise_free_binomial_recovers_exact_effects():
    t = np.arange(24, dtype=float)
    start = 12
    after = (t >= start).astype(float)
    since = (t - start) * after
    m = np.full(24, 1000.0)
    pi = 1 / (1 + np.exp(-(-0.5 + np.log(1.02) * t + np.log(1.5) * after + np.log(0.9) * since)))
    r = interrupted_time_series(m * pi, None, t, start=start, family="binomial", trials=m)
    assert r.pre_trend.estimate == pytest.approx(1.02, rel=1e-8)
    assert r.level_change.estimate == pytest.approx(1.5, rel=1e-8)
    assert r.slope_change.estimate == pytest.approx(0.9, rel=1e-8)
    # trials may also be passed as exposure
    r2 = interrupted_time_series(m * pi, m, t, start=start, family="binomial")
    assert r2.level_change.estimate == pytest.approx(r.level_change.estimate, rel=1e-12)


def test_its_matches_hand_irls():
    rng = np.random.default_rng(9)
    t = np.arange(30, dtype=float)
    start = 18.0
    after = (t >= start).astype(float)
    since = (t - start) * after
    e = rng.uniform(300, 500, 30)
    y = rng.poisson(e * 0.05 * np.exp(-0.01 * t - 0.3 * after + 0.02 * since)).astype(float)
    r = interrupted_time_series(y, e, t, start=start)
    X = np.column_stack([np.ones(30), t - t.mean(), after, since])
    beta, phi, se = irls_quasi(y, X, "poisson", offset=np.log(e))
    assert r.dispersion == pytest.approx(phi, rel=1e-7)
    for eff, k in ((r.pre_trend, 1), (r.level_change, 2), (r.slope_change, 3)):
        expected = ratio_ci_p(beta[k], se[k], 26)
        assert (eff.estimate, eff.ci_low, eff.ci_high, eff.p) == pytest.approx(expected, rel=1e-6)


def test_its_separation_is_a_clear_error():
    t = np.arange(10, dtype=float)
    e = np.full(10, 100.0)
    # zero events in every period before the start: the level change is infinite (separation) -> clear error
    y0 = np.r_[np.zeros(5), [5, 6, 4, 7, 5]]
    for family in ("poisson", "binomial"):
        with pytest.raises(ValueError, match="could not be fitted \\(separation"):
            interrupted_time_series(y0, e, t, start=5, family=family)


# ----------------------------------------------------------------------------------------------------------
# GLM validation and edge cases
# ----------------------------------------------------------------------------------------------------------
# ----------------------------------------------------------------------------------------------------------
# Benjamini–Hochberg
# ----------------------------------------------------------------------------------------------------------
def bh_by_definition(p):
    """q_(i) = min_{k≥i} min(1, m p_(k)/k) on the non-missing values; NaN stays NaN."""
    p = np.asarray(p, dtype=float)
    out = np.full(p.shape, np.nan)
    idx = np.flatnonzero(~np.isnan(p))
    m = idx.size
    order = idx[np.argsort(p[idx], kind="stable")]
    q = np.empty(m)
    running = 1.0
    for rank in range(m, 0, -1):
        running = min(running, p[order[rank - 1]] * m / rank)
        q[rank - 1] = running
    out[order] = q
    return out


def test_bh_matches_definition_with_nan():
    p = np.array([0.01, 0.04, np.nan, 0.03, 0.005, 0.2, 0.04, 0.9, np.nan, 0.0001])
    q = bh_qvalues(p)
    np.testing.assert_allclose(q, bh_by_definition(p), rtol=1e-12, equal_nan=True)
    assert np.isnan(q[2]) and np.isnan(q[8])
    # hand values for the 8 non-missing p (R: p.adjust(p, "BH")): sorted 1e-4, .005, .01, .03, .04, .04, .2, .9
    assert q[9] == pytest.approx(0.0008)  # 1e-4 * 8 / 1
    assert q[4] == pytest.approx(0.02)  # .005 * 8 / 2
    assert q[0] == pytest.approx(0.08 / 3)  # .01 * 8 / 3
    assert q[1] == q[6] == q[3] == pytest.approx(0.0533333333333)  # min(.03*8/4, .04*8/6)
    assert q[5] == pytest.approx(0.2 * 8 / 7)
    assert q[7] == pytest.approx(0.9)


@settings(max_examples=50, deadline=None)
@given(st.lists(st.one_of(st.floats(0, 1), st.just(float("nan"))), min_size=0, max_size=40))
def test_bh_property(ps):
    p = np.array(ps, dtype=float)
    np.testing.assert_allclose(bh_qvalues(p), bh_by_definition(p), rtol=1e-12, atol=1e-15, equal_nan=True)


def test_bh_validation():
    with pytest.raises(ValueError, match="pvalues"):
        bh_qvalues([0.1, 1.5])
    assert bh_qvalues([]).shape == (0,)


def test_glm_accepts_pandas_with_season():
    t = pd.Series(np.arange(24) / 12.0)
    month = pd.Series(np.arange(24) % 12 + 1)
    y = pd.Series([5, 7, 6, 8, 4, 6, 7, 5, 9, 6, 5, 7] * 2, dtype=float)
    e = pd.Series(np.full(24, 100.0))
    r = poisson_trend(y, e, t, season=month)
    assert r.estimate == pytest.approx(1.0, abs=1e-9)  # each month repeats its value: no trend within months
    assert r.df_resid == 24 - 13
