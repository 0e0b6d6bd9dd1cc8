"""Tests for kvalitet.stats.compare against external reference values.

References:
- R exactci::poisson.exact(c(60,30), c(51477.5,54308.7), tsmethod="minlike") — statsmodels results_rates.py
  (tests/stats/refs/statsmodels). Same p-value as R poisson.test (binom.test, minlike two-sided rule).
- R binom.test(51, 235, p=1/6): p-value and Clopper-Pearson CI (statsmodels test_proportion.py). R poisson.test
  reduces a two-sample rate comparison to exactly this binomial test, so compare_rates(51, 1, 184, 5) must
  reproduce it (π0 = 1/(1+5) = 1/6; RR = π/(1-π)·5).
- Newcombe RG (1998). Interval estimation for the difference between independent proportions: comparison of
  eleven methods. Statistics in Medicine 17:873-890, Table II, method 10 (printed to 4 decimals).
- statsmodels proportions_ztest GH 2969 and R prop.test / pairwise raw p-values (correct=FALSE).
"""
from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pytest

REFS = Path(__file__).parent / "refs"
SM = json.loads((REFS / "statsmodels" / "statsmodels_proportion_vectors.json").read_text())



from kvalitet.stats import compare as cmp
compare_rates, compare_proportions = cmp.compare_rates, cmp.compare_proportions


# ---------------------------------------------------------------- rates

def test_compare_rates_matches_exactci_two_sample():
    ref = SM["poisson_2sample_exact_R"]["expected"]
    r = compare_rates(60, 51477.5, 30, 54308.7)
    assert r.rate_ratio == pytest.approx(ref["rate_ratio_estimate"], rel=1e-9)
    assert r.p == pytest.approx(ref["p_value"], rel=1e-6)
    # exactci's minlike CI [1.3498, 3.2776] inverts the minlike test; we follow R poisson.test (Clopper-Pearson
    # based), which is slightly wider here; both contain the estimate.
    assert r.ci_low < ref["conf_int"][0] and r.ci_high > ref["conf_int"][1]
    assert "exact" in r.method and r.note is None


def test_compare_rates_reproduces_r_binom_test_51_of_235():
    ref = SM["binom_test_R"]["expected"]["two.sided"]
    r = compare_rates(51, 1.0, 184, 5.0)  # π0 = 1/6
    assert r.p == pytest.approx(ref["p_value"], rel=1e-6)
    p_lo, p_hi = ref["conf_int_clopper_pearson"]
    assert r.ci_low == pytest.approx(p_lo / (1 - p_lo) * 5.0, rel=1e-6)
    assert r.ci_high == pytest.approx(p_hi / (1 - p_hi) * 5.0, rel=1e-6)
    assert r.rate_ratio == pytest.approx((51 / 1) / (184 / 5), rel=1e-12)


@pytest.mark.parametrize("x1, t1, x2, t2", [(0, 10, 7, 12), (3, 100, 3, 100), (12, 50.5, 30, 80), (200, 1e4, 150, 9e3)])
def test_compare_rates_p_equals_statsmodels_exact_cond(x1, t1, x2, t2):
    from statsmodels.stats.rates import test_poisson_2indep
    ref = test_poisson_2indep(x1, t1, x2, t2, method="exact-cond")
    assert compare_rates(x1, t1, x2, t2).p == pytest.approx(ref.pvalue, rel=1e-9)


def test_compare_rates_edge_cases():
    r = compare_rates(0, 10, 3, 10)
    assert r.rate_ratio == 0 and r.ci_low == 0 and math.isfinite(r.ci_high) and r.note
    r = compare_rates(5, 10, 0, 10)
    assert r.rate_ratio == math.inf and r.ci_high == math.inf and r.ci_low > 0 and r.note
    r = compare_rates(0, 10, 0, 10)
    assert math.isnan(r.rate_ratio) and math.isnan(r.p) and "ingen hændelser" in r.note
    # equal rates: ratio 1, p = 1
    r = compare_rates(3, 100, 3, 100)
    assert r.rate_ratio == 1 and r.p == pytest.approx(1.0)
    # very large counts work and give a tight interval around 1
    r = compare_rates(10**9, 1.0, 10**9, 1.0)
    assert r.ci_low < 1 < r.ci_high and r.ci_high - r.ci_low < 2e-4


def test_compare_rates_vectorised_and_nan():
    r = compare_rates(np.array([60, 0, np.nan]), np.array([51477.5, 10, 5]), 30, 54308.7)
    assert r.rate_ratio.shape == (3,)
    assert r.p[0] == pytest.approx(SM["poisson_2sample_exact_R"]["expected"]["p_value"], rel=1e-6)
    assert np.isnan(r.p[2]) and r.note[2] == "manglende værdi" and r.note[0] is None


# ---------------------------------------------------------------- proportions

# Newcombe (1998) Table II, method 10 (hybrid score, no continuity correction), 95 %, printed to 4 decimals.
NEWCOMBE_TABLE_II = [
    ((56, 70, 48, 80), (0.0524, 0.3339)),    # (a)
    ((9, 10, 3, 10), (0.1705, 0.8090)),      # (b)
    ((6, 7, 2, 7), (0.0582, 0.8062)),        # (c)
    ((5, 56, 0, 29), (-0.0381, 0.1926)),     # (d)
    ((0, 10, 0, 20), (-0.1611, 0.2775)),     # (e)
    ((0, 10, 0, 10), (-0.2775, 0.2775)),     # (f)
    ((10, 10, 0, 20), (0.6791, 1.0000)),     # (g)
    ((10, 10, 0, 10), (0.6075, 1.0000)),     # (h)
]


@pytest.mark.parametrize("args, expected", NEWCOMBE_TABLE_II, ids="abcdefgh")
def test_newcombe_table_ii_method_10(args, expected):
    r = compare_proportions(*args)
    assert r.ci_low == pytest.approx(expected[0], abs=5e-5)
    assert r.ci_high == pytest.approx(expected[1], abs=5e-5)
    assert r.difference == pytest.approx(args[0] / args[1] - args[2] / args[3], abs=1e-12)


def test_newcombe_vectorised_equals_table():
    a = np.array([c[0] for c in NEWCOMBE_TABLE_II])
    r = compare_proportions(a[:, 0], a[:, 1], a[:, 2], a[:, 3])
    np.testing.assert_allclose(r.ci_low, [c[1][0] for c in NEWCOMBE_TABLE_II], atol=5e-5)
    np.testing.assert_allclose(r.ci_high, [c[1][1] for c in NEWCOMBE_TABLE_II], atol=5e-5)


def test_newcombe_equals_square_and_add_of_wilson_limits():
    # Newcombe's construction written out from Wilson limits (independent of statsmodels' implementation)
    from kvalitet.stats import intervals as iv
    x1, n1, x2, n2 = 37, 112, 19, 95
    p1, p2 = x1 / n1, x2 / n2
    l1, u1 = iv.wilson_ci(x1, n1)
    l2, u2 = iv.wilson_ci(x2, n2)
    r = compare_proportions(x1, n1, x2, n2)
    assert r.ci_low == pytest.approx(p1 - p2 - math.hypot(p1 - l1, u2 - p2), rel=1e-12)
    assert r.ci_high == pytest.approx(p1 - p2 + math.hypot(u1 - p1, p2 - l2), rel=1e-12)


def test_ztest_matches_statsmodels_gh2969():
    ref = SM["proportions_ztest"][0]["expected"]
    r = compare_proportions(5, 83, 12, 99)
    assert r.p == pytest.approx(ref["pvalue"], rel=1e-9)


def test_ztest_matches_r_pairwise_prop_test():
    x = np.array([73, 90, 114, 75])
    n = np.array([86, 93, 136, 82])
    pairs = [(0, 1), (0, 2), (0, 3), (1, 2), (1, 3), (2, 3)]  # order of statsmodels' allpairs
    i, j = np.array(pairs).T
    r = compare_proportions(x[i], n[i], x[j], n[j])
    np.testing.assert_allclose(r.p, SM["prop_test_R"][3]["expected"]["pvals_raw"], rtol=1e-6)


def test_compare_proportions_edge_cases():
    r = compare_proportions(0, 10, 0, 20)        # both shares 0: z undefined (R: NaN); we give p = 1 + note
    assert r.p == 1.0 and r.note
    r = compare_proportions(10, 10, 20, 20)
    assert r.p == 1.0 and r.difference == 0 and r.note
    r = compare_proportions(0, 0, 2, 10)
    assert math.isnan(r.difference) and math.isnan(r.ci_low) and "n = 0" in r.note
    r = compare_proportions(np.nan, 10, 2, 10)
    assert math.isnan(r.p) and r.note == "manglende værdi"
    r = compare_proportions(10**9, 2 * 10**9, 10**9 + 10**5, 2 * 10**9)
    assert r.ci_low < r.difference < r.ci_high < 0 and r.p < 0.01


