"""Tests for kvalitet.stats.audit: sample size for an audit, and error share vs threshold.

References: hand computations written out below (Cochran WG (1977), Sampling Techniques, 3rd ed., eqs. 4.1-4.2);
Wilson limits from R binom::binom.confint / PHEindicatormethods (via tests/stats/refs, see test_intervals.py).
"""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np

REFS = Path(__file__).parent / "refs"



from kvalitet.stats import audit as au
audit_sample_size, threshold_status = au.audit_sample_size, au.threshold_status


def test_sample_size_by_hand_without_fpc():
    # n0 = z²·p(1-p)/e² = 1.959964² · 0.25·0.75 / 0.05² = 3.841459 · 0.1875 / 0.0025 = 288.11 -> 289
    assert audit_sample_size(0.05) == 289
    assert audit_sample_size(0.05, expected=0.25) == 289
    # p = 0.5 (most cautious), e = 0.05: 3.841459 · 0.25 / 0.0025 = 384.15 -> 385 (the classic "385")
    assert audit_sample_size(0.05, expected=0.5) == 385
    # p = 0.1, e = 0.03: 3.841459 · 0.09 / 0.0009 = 384.15 -> 385
    assert audit_sample_size(0.03, expected=0.1) == 385


def test_sample_size_by_hand_with_fpc():
    # n = n0 / (1 + (n0 - 1)/N) with the unrounded n0 = 288.1094:
    #   N = 1000: 288.1094 / 1.2871094 = 223.84 -> 224
    #   (rounding n0 up to 289 first would give 289/1.288 = 224.38 -> 225; Cochran's formula uses n0 unrounded)
    assert audit_sample_size(0.05, population=1000) == 224
    #   N = 200, p = 0.5: n0 = 384.146; 384.146 / (1 + 383.146/200) = 384.146 / 2.91573 = 131.75 -> 132
    assert audit_sample_size(0.05, expected=0.5, population=200) == 132
    # never more than the population
    assert audit_sample_size(0.01, expected=0.5, population=30) <= 30
    assert audit_sample_size(0.05, population=1) == 1


def test_sample_size_conf_99():
    # z = 2.575829; 2.575829² · 0.1875 / 0.0025 = 497.6 -> 498
    assert audit_sample_size(0.05, conf=0.99) == 498


def test_threshold_status_uses_wilson_lower_limit_from_references():
    sm = json.loads((REFS / "statsmodels" / "statsmodels_proportion_vectors.json").read_text())
    case = next(c for c in sm["binom_confint_R"]["cases"] if (c["x"], c["n"]) == (4, 20))
    wilson_low = case["ci_low"]["wilson"]  # R binom: 4/20 -> lower 0.0807
    # estimate 0.2; threshold just below the R Wilson lower limit -> "sikkert over"; just above -> "over"
    assert threshold_status(4, 20, threshold=wilson_low - 1e-6) == "sikkert over"
    assert threshold_status(4, 20, threshold=wilson_low + 1e-6) == "over"
    assert threshold_status(4, 20, threshold=0.2) == "under"     # estimate equal to threshold is not over


def test_threshold_status_phe_example():
    # PHE testdata_B_W: 1045/5000 has Wilson 95 % lower limit 0.19795549880013297, estimate 0.209
    assert threshold_status(1045, 5000, threshold=0.19) == "sikkert over"
    assert threshold_status(1045, 5000, threshold=0.20) == "over"
    assert threshold_status(1045, 5000, threshold=0.25) == "under"


def test_threshold_status_vectorised_and_no_data():
    out = threshold_status(np.array([30, 40, 10, 0, np.nan]), np.array([100, 100, 100, 0, 50]))
    # 30/100: Wilson low 0.2189 < 0.25 -> over; 40/100: low 0.3094 > 0.25 -> sikkert over
    assert out.tolist() == ["over", "sikkert over", "under", "ingen data", "ingen data"]
    assert threshold_status(0, 0) == "ingen data"
    assert isinstance(threshold_status(3, 10), str)


