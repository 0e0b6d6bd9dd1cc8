"""Tests for kvalitet.stats.survival (Kaplan–Meier median, share within target).

References:
- Hand computation of the product-limit estimate and Greenwood variance on a small data set (written out below).
- Freireich EJ et al. (1963). The effect of 6-mercaptopurine on the duration of steroid-induced remissions in
  acute leukemia. Blood 21:699-716. Remission times in weeks, as tabulated in Kleinbaum DG & Klein M, Survival
  Analysis: A Self-Learning Text (ch. 2), and in R as `gehan`/`drug6mp`. Textbook KM medians: 6-MP 23 weeks,
  placebo 8 weeks.
- R survival::survfit (default conf.type = "log") printed output for these data:
      n events median 0.95LCL 0.95UCL
      group=Placebo   21 21  8  4 12
      group=Treatment 21  9 23 16 NA
  (public R output, https://rstudio-pubs-static.s3.amazonaws.com/1434825_b3600a2a460b48caadb66dbfb4891e2c.html)
"""
from __future__ import annotations

import math

import numpy as np
import pytest



from kvalitet.stats import survival as sv
km_median, share_within = sv.km_median, sv.share_within
Z95 = 1.959963984540054

# 6-MP group (+ = censored): 6 6 6 6+ 7 9+ 10 10+ 11+ 13 16 17+ 19+ 20+ 22 23 25+ 32+ 32+ 34+ 35+
SIX_MP_T = [6, 6, 6, 6, 7, 9, 10, 10, 11, 13, 16, 17, 19, 20, 22, 23, 25, 32, 32, 34, 35]
SIX_MP_E = [1, 1, 1, 0, 1, 0, 1, 0, 0, 1, 1, 0, 0, 0, 1, 1, 0, 0, 0, 0, 0]
# placebo group: all relapsed
PLACEBO_T = [1, 1, 2, 2, 3, 4, 4, 5, 5, 8, 8, 8, 8, 11, 11, 12, 12, 15, 17, 22, 23]

# Small data set for the hand computation
SMALL_T = [2, 3, 3, 5, 6, 8, 9, 12]
SMALL_E = [True, True, False, True, False, True, True, False]
# Product-limit by hand (a case censored at 3 is still at risk at 3):
#   t  at risk  finished   S(t)                      Greenwood Σ d/(n(n-d))
#   2     8        1       7/8        = 0.875         1/56
#   3     7        1       7/8·6/7    = 0.75          1/56 + 1/42 = 1/24
#   5     5        1       0.75·4/5   = 0.6           1/24 + 1/20 = 11/120
#   8     3        1       0.6·2/3    = 0.4           11/120 + 1/6 = 31/120
#   9     2        1       0.4·1/2    = 0.2           31/120 + 1/2 = 91/120
# Median = first time S < 0.5 = 8.
# 95 % CI (log scale): t is inside when |ln S(t) - ln 0.5| ≤ z·√Σ:
#   t=3: ln(1.5) = 0.4055 > 1.96·√(1/24) = 0.4001 -> outside;  t=5: ln(1.2) = 0.1823 ≤ 0.5934 -> inside;
#   t=8, t=9 inside (0.2231 ≤ 0.9962; 0.9163 ≤ 1.7068) and t=9 is the last event -> upper limit not reached.
#   So CI = (5, ∞).


def test_km_median_small_data_by_hand():
    r = km_median(SMALL_T, SMALL_E)
    assert r.median == 8
    assert r.ci_low == 5 and r.ci_high == math.inf
    assert (r.n, r.events) == (8, 5)
    assert r.note and "øvre" in r.note
    assert "log" in r.method


def test_share_within_small_data_by_hand():
    # target 6: S(6) = S(5) = 0.6 -> share 0.4. σ = √(11/120); S·exp(±zσ), upper capped at 1.
    r = share_within(SMALL_T, SMALL_E, 6)
    sigma = math.sqrt(11 / 120)
    assert r.share == pytest.approx(0.4, rel=1e-12)
    assert r.ci_low == pytest.approx(1 - min(1.0, 0.6 * math.exp(Z95 * sigma)), abs=1e-12)  # = 0 (capped)
    assert r.ci_high == pytest.approx(1 - 0.6 * math.exp(-Z95 * sigma), rel=1e-9)
    # a target exactly at an event time includes that event (duration ≤ target)
    assert share_within(SMALL_T, SMALL_E, 8).share == pytest.approx(0.6, rel=1e-12)


def test_share_within_6mp_by_hand_uncapped():
    # S(10) = 18/21 · 16/17 · 14/15; Greenwood Σ = 3/(21·18) + 1/(17·16) + 1/(15·14)
    s = 18 / 21 * 16 / 17 * 14 / 15
    sigma = math.sqrt(3 / (21 * 18) + 1 / (17 * 16) + 1 / (15 * 14))
    r = share_within(SIX_MP_T, SIX_MP_E, 10)
    assert r.share == pytest.approx(1 - s, rel=1e-12)
    assert r.ci_low == pytest.approx(1 - s * math.exp(Z95 * sigma), rel=1e-9)
    assert r.ci_high == pytest.approx(1 - s * math.exp(-Z95 * sigma), rel=1e-9)
    assert s * math.exp(Z95 * sigma) < 1  # the cap is not active here


def test_km_median_6mp_textbook_and_r_survfit():
    r = km_median(SIX_MP_T, SIX_MP_E)
    assert r.median == 23
    assert (r.n, r.events) == (21, 9)
    assert r.ci_low == 16 and r.ci_high == math.inf  # R: 16, NA
    p = km_median(PLACEBO_T, [1] * 21)
    assert (p.median, p.ci_low, p.ci_high) == (8, 4, 12)
    assert p.note is None


@pytest.mark.filterwarnings("ignore::RuntimeWarning")
def test_log_transform_is_what_matches_r():
    # statsmodels' default transform (cloglog, SAS) would give 13 and 11 here instead of R's 16 and 12.
    from statsmodels.duration.survfunc import SurvfuncRight
    assert SurvfuncRight(SIX_MP_T, SIX_MP_E).quantile_ci(0.5)[0] == 13
    assert SurvfuncRight(PLACEBO_T, np.ones(21)).quantile_ci(0.5)[1] == 11
    assert km_median(SIX_MP_T, SIX_MP_E).ci_low == 16


def test_median_without_censoring_equals_sample_median():
    # S = 0.75, 0.5, 0.25, 0: S is exactly 0.5 on [2, 3) -> midpoint 2.5 (R survival rule) = ordinary median
    assert km_median([1, 2, 3, 4], [1, 1, 1, 1]).median == 2.5
    assert km_median([4, 1, 9, 7, 3], [1] * 5).median == 4


def test_median_not_reached_has_note():
    r = km_median([1, 2, 3, 4], [1, 0, 0, 0])
    assert math.isnan(r.median)
    assert r.note and "ikke nået" in r.note
    r = km_median([5, 6], [False, False])
    assert math.isnan(r.median) and r.events == 0 and "ingen afsluttede" in r.note


def test_share_within_edge_cases():
    r = share_within(SMALL_T, SMALL_E, 1)          # before first finished case
    assert r.share == 0 and r.note
    r = share_within(SMALL_T, SMALL_E, 20)         # beyond follow-up with open cases
    assert math.isnan(r.share) and "efter sidste observation" in r.note
    r = share_within([1, 2, 3], [1, 1, 1], 10)     # everyone finished
    assert r.share == 1 and r.note


@pytest.mark.parametrize("args, match", [
    (([], []), "empty"),
    (([1, 2], [1]), "same length"),
    (([1, np.nan], [1, 1]), "missing"),
    (([1, -2], [1, 1]), "non-negative"),
    (([1, 2], [1, 2]), "observed"),
])
def test_km_validation(args, match):
    with pytest.raises(ValueError, match=match):
        km_median(*args)


def test_share_within_target_validation():
    with pytest.raises(ValueError, match="target"):
        share_within(SMALL_T, SMALL_E, -1)
    with pytest.raises(ValueError, match="target"):
        share_within(SMALL_T, SMALL_E, "tre")


def test_grouped_km_equals_r_survfit_per_group():
    # both Freireich groups in one km_fit call (cases interleaved, so the function must sort and group them):
    # R survfit(Surv(time, status) ~ group): Placebo 21 21 8 (4, 12); Treatment 21 9 23 (16, NA)
    t = np.array(SIX_MP_T + PLACEBO_T, dtype=float)
    e = np.array(SIX_MP_E + [1] * 21)
    g = np.array([1] * 21 + [0] * 21)
    order = np.random.default_rng(3).permutation(t.size)
    fit = sv.km_fit(g[order], t[order], e[order])
    r = sv.km_medians(fit)
    assert list(fit.n) == [21, 21] and list(fit.events) == [21, 9]
    assert list(r["median"]) == [8, 23]
    assert list(r["ci_low"]) == [4, 16]
    assert r["ci_high"][0] == 12 and r["ci_high"][1] == math.inf
    assert r["note"][0] is None and "øvre" in r["note"][1]
    # the 6-MP curve by hand: S(6) = 18/21, S(7) = 18/21·16/17, S(10) = ·14/15
    times, surv = fit.curve(1)
    assert list(times[:3]) == [6, 7, 10]
    assert surv[:3] == pytest.approx([18 / 21, 18 / 21 * 16 / 17, 18 / 21 * 16 / 17 * 14 / 15], rel=1e-12)


def test_grouped_km_from_counts_equals_per_case():
    # rows per group × duration (events, cases) give the hand-computed small data set: S = .875, .75, .6, .4, .2
    fit = sv.km_fit([0, 0, 0, 0, 0, 0, 0], [2, 3, 5, 6, 8, 9, 12], [1, 1, 1, 0, 1, 1, 0], [1, 2, 1, 1, 1, 1, 1])
    assert fit.surv == pytest.approx([0.875, 0.75, 0.6, 0.4, 0.2], rel=1e-12)
    assert fit.se[3] == pytest.approx(0.4 * math.sqrt(31 / 120), rel=1e-12)  # Greenwood, by hand above
    r = sv.km_medians(fit)
    assert (r["median"][0], r["ci_low"][0], r["ci_high"][0]) == (8, 5, math.inf)
