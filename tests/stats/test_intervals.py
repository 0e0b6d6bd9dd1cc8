"""Tests for kvalitet.stats.intervals (Wilson, exact Poisson, Byar) against external reference values.

References (copied into tests/stats/refs/, provenance in each README):
- PHEindicatormethods testdata_B_W (Wilson and Byar's, legacy PHE Excel tools), testdata_Rate (exact Poisson x<10 /
  Byar x≥10), testdata_Prop (Wilson) — ukhsa-collaboration/PHEindicatormethods @093fd288.
- statsmodels' stored R results: binom::binom.confint(method="wilson"), DescTools::BinomCI(wilson) incl. one-sided,
  DescTools::PoissonCI(exact) for 15 events — statsmodels/statsmodels @82c59e37.
"""
from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

REFS = Path(__file__).parent / "refs"
PHE = REFS / "pheindicatormethods"
SM = json.loads((REFS / "statsmodels" / "statsmodels_proportion_vectors.json").read_text())



from kvalitet.stats import intervals as iv
wilson_ci, poisson_ci = iv.wilson_ci, iv.poisson_ci

RTOL = 1e-6


def _bw():
    df = pd.read_csv(PHE / "testdata_Byars_Wilson__testdata_B_W.csv", encoding="utf-8-sig")
    df["conf"] = df["confidence"].str.rstrip("%").astype(float) / 100
    return df


# ---------------------------------------------------------------- Wilson

@pytest.mark.parametrize("row", [r for _, r in _bw().iterrows() if r["method"] == "Wilson" and float(r["x"]).is_integer()],
                         ids=lambda r: f"{r['x']:g}/{r['n']:g}@{r['confidence']}")
def test_wilson_matches_phe_testdata_bw(row):
    low, high = wilson_ci(int(row["x"]), int(row["n"]), conf=row["conf"])
    assert low == pytest.approx(row["lowercl"], rel=RTOL)
    assert high == pytest.approx(row["uppercl"], rel=RTOL)


def test_wilson_rejects_phe_non_integer_numerator():
    # PHE testdata_B_W row 9 uses x = 0.445, n = 1; kvalitet only accepts whole-number counts (documented).
    with pytest.raises(ValueError, match="successes"):
        wilson_ci(0.445, 1)


def test_wilson_matches_phe_proportion_including_missing_rows():
    df = pd.read_csv(PHE / "testdata_Proportion__testdata_Prop.csv", encoding="utf-8-sig")
    mult = df["multiplier"].to_numpy(float)
    for conf, lo_col, hi_col in ((0.95, "lower95_0cl", "upper95_0cl"), (0.998, "lower99_8cl", "upper99_8cl")):
        low, high = wilson_ci(df["Numerator"].to_numpy(float), df["Denominator"].to_numpy(float), conf=conf)
        exp_lo, exp_hi = df[lo_col].to_numpy(float), df[hi_col].to_numpy(float)
        # missing inputs (Area09-11) must give NaN, exactly where PHE gives NA
        np.testing.assert_array_equal(np.isnan(low), np.isnan(exp_lo))
        np.testing.assert_allclose(low * mult, exp_lo, rtol=RTOL)
        np.testing.assert_allclose(high * mult, exp_hi, rtol=RTOL)


@pytest.mark.parametrize("case", SM["binom_confint_R"]["cases"], ids=lambda c: f"{c['x']}/{c['n']}")
def test_wilson_matches_r_binom_confint(case):
    low, high = wilson_ci(case["x"], case["n"], conf=case["conf_level"])
    assert low == pytest.approx(case["ci_low"]["wilson"], rel=RTOL, abs=1e-12)
    assert high == pytest.approx(case["ci_upp"]["wilson"], rel=RTOL, abs=1e-12)


def test_wilson_19_of_38_statsmodels_gh7386():
    ref = SM["wilson_19_38"]["expected"]
    low, high = wilson_ci(19, 38)
    assert (low, high) == pytest.approx(ref, rel=1e-12)


@pytest.mark.parametrize("case", [c for c in SM["proportion_confint_R433"]["cases"] if c["method"] == "wilson"],
                         ids=lambda c: c["alternative"])
def test_wilson_matches_r433_desctools(case):
    # A one-sided (1-α) bound equals the matching bound of the two-sided (1-2α) interval.
    alpha = case["alpha"]
    if case["alternative"] == "two-sided":
        low, high = wilson_ci(case["count"], case["nobs"], conf=1 - alpha)
        assert (low, high) == pytest.approx(case["expected"], rel=RTOL)
    elif case["alternative"] == "larger":
        _, high = wilson_ci(case["count"], case["nobs"], conf=1 - 2 * alpha)
        assert high == pytest.approx(case["expected"][1], rel=RTOL)
    else:
        low, _ = wilson_ci(case["count"], case["nobs"], conf=1 - 2 * alpha)
        assert low == pytest.approx(case["expected"][0], rel=RTOL)


def test_wilson_edge_cases():
    # zero successes: low exactly 0; all successes: high exactly 1 (R binom 0/30 and 30/30 in the refs agree)
    assert wilson_ci(0, 30).low == 0.0
    assert wilson_ci(30, 30).high == 1.0
    # trials == 0: no information -> NaN limits (documented), not an error
    low, high = wilson_ci(0, 0)
    assert math.isnan(low) and math.isnan(high)
    # NaN input -> NaN output for that element only
    low, high = wilson_ci(np.array([np.nan, 5.0]), np.array([10.0, 10.0]))
    assert np.isnan(low[0]) and np.isnan(high[0]) and not np.isnan(low[1])
    # very large counts stay accurate: 5e8/1e9 -> centre 0.5, half-width ≈ z·√(0.25/1e9)
    low, high = wilson_ci(500_000_000, 1_000_000_000)
    assert (high - low) / 2 == pytest.approx(1.959963984540054 * math.sqrt(0.25 / 1e9), rel=1e-6)


@pytest.mark.parametrize("conf", [0, 1, 95, -0.1, "x"])
def test_conf_validation(conf):
    with pytest.raises(ValueError, match="conf"):
        wilson_ci(1, 10, conf=conf)
    with pytest.raises(ValueError, match="conf"):
        poisson_ci(1, conf=conf)


def test_result_type_unpacks_and_carries_method():
    ci = wilson_ci(65, 100)
    low, high = ci
    assert (ci.low, ci.high) == (low, high)
    assert ci.method == "wilson" and ci.conf == 0.95
    assert isinstance(low, float)
    with pytest.raises(AttributeError):
        ci.method = "x"
    s = pd.Series([1, 2], index=["a", "b"])
    out = wilson_ci(s, 10)
    assert isinstance(out.low, pd.Series) and list(out.low.index) == ["a", "b"]


@settings(max_examples=200, deadline=None)
@given(st.integers(1, 10**7).flatmap(lambda n: st.tuples(st.integers(0, n), st.just(n))),
       st.sampled_from([0.8, 0.9, 0.95, 0.99, 0.998]))
def test_wilson_agrees_with_statsmodels(xn, conf):
    from statsmodels.stats.proportion import proportion_confint
    x, n = xn
    low, high = wilson_ci(x, n, conf)
    ref = proportion_confint(x, n, alpha=1 - conf, method="wilson")
    assert (low, high) == pytest.approx(ref, rel=1e-9, abs=1e-14)
    assert low <= x / n <= high


# ---------------------------------------------------------------- Poisson

@pytest.mark.parametrize("row", [r for _, r in _bw().iterrows() if r["method"] == "Byars"],
                         ids=lambda r: f"{r['x']:g}@{r['confidence']}")
def test_byar_matches_phe_testdata_bw(row):
    low, high = poisson_ci(int(row["x"]), conf=row["conf"], method="byar")
    assert high == pytest.approx(row["uppercl"], rel=RTOL)
    if pd.isna(row["lowercl"]):
        # PHE returns NA when Byar's lower bracket is negative (x=1 at 99.8 %); kvalitet returns 0 (documented)
        assert low == 0.0
    else:
        assert low == pytest.approx(row["lowercl"], rel=RTOL)


def test_phe_rate_exact_below_10_byar_from_10():
    df = pd.read_csv(PHE / "testdata_Rate__testdata_Rate.csv", encoding="utf-8-sig")
    x, den, mult = (df[c].to_numpy(float) for c in ("Numerator", "Denominator", "multiplier"))
    for conf, lo_col, hi_col in ((0.95, "lower95_0cl", "upper95_0cl"), (0.998, "lower99_8cl", "upper99_8cl")):
        exact = poisson_ci(x, conf=conf, method="exact")
        byar = poisson_ci(x, conf=conf, method="byar")
        use_exact = x < 10
        low = np.where(use_exact, exact.low, byar.low) / den * mult
        high = np.where(use_exact, exact.high, byar.high) / den * mult
        exp_lo, exp_hi = df[lo_col].to_numpy(float), df[hi_col].to_numpy(float)
        np.testing.assert_array_equal(np.isnan(low), np.isnan(exp_lo))  # Area09-11 missing -> NaN
        np.testing.assert_allclose(low, exp_lo, rtol=RTOL)
        np.testing.assert_allclose(high, exp_hi, rtol=RTOL)
    assert use_exact.sum() == 4  # the exact branch really is exercised (Area1, Area2 at both multipliers)


def test_exact_poisson_matches_r_desctools_15_events():
    ref = SM["poisson_rate_ci_R"]
    low, high = poisson_ci(ref["count"])
    exp = ref["ci"]["exact (exact-c, Garwood chi-square)"]
    assert (low / ref["exposure"], high / ref["exposure"]) == pytest.approx(exp, rel=RTOL)


def test_exact_poisson_zero_events_by_hand():
    # x = 0: low = 0; high = χ²(0.975; 2)/2 = -ln(0.025) = 3.688879454113936 (χ² with 2 df is exponential)
    low, high = poisson_ci(0)
    assert low == 0.0
    assert high == pytest.approx(-math.log(0.025), rel=1e-12)
    # Byar at x = 0: low 0, high = 1·(1 - 1/9 + z/3)³
    z = 1.959963984540054
    assert poisson_ci(0, method="byar") == pytest.approx((0.0, (1 - 1 / 9 + z / 3) ** 3), rel=1e-12)


def test_poisson_large_counts_and_nan():
    low, high = poisson_ci(1e9)
    # for huge counts the exact interval ≈ x ± z√x (normal approximation), to ~1e-9 relative
    assert low == pytest.approx(1e9 - 1.959964 * math.sqrt(1e9), rel=1e-8)
    assert high == pytest.approx(1e9 + 1.959964 * math.sqrt(1e9), rel=1e-8)
    lo, hi = poisson_ci(np.array([np.nan, 3.0]))
    assert np.isnan(lo[0]) and np.isnan(hi[0]) and lo[1] > 0


def test_poisson_vectorised_lookup_path_equals_direct():
    rng = np.random.default_rng(2)
    x = rng.integers(0, 500, 200_000).astype(float)
    x[::97] = np.nan
    lo, hi = poisson_ci(x)
    lo_direct, hi_direct = iv._exact_poisson(x, 0.95)
    np.testing.assert_array_equal(lo, lo_direct)
    np.testing.assert_array_equal(hi, hi_direct)


