"""seasonal_mann_kendall_many: the seasonal Mann–Kendall test of many series at once gives, for each series, the
reference values (pyMannKendall, R trend) and exactly the numbers of seasonal_mann_kendall on that series alone."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from kvalitet.stats.kendall import seasonal_mann_kendall, seasonal_mann_kendall_many

from test_trend import NO_TREND, REFS, RTOL, TREND, _arbitrary_1d, _pmk_case, _trend_r, assert_printed


def test_many_matches_the_references():
    air = pd.read_csv(REFS / "pymannkendall" / "example_input_AirPassengers.csv")["#Passengers"].to_numpy(float)
    nottem = pd.read_csv(REFS / "trend_R" / "input_nottem.csv")["value"].to_numpy(float)
    s, p, slope = seasonal_mann_kendall_many([_arbitrary_1d(), NO_TREND, TREND, air, nottem])
    exp = _pmk_case("seasonal_test", "arbitrary_1d_data", period=12)
    assert s[0] == exp["s"]
    assert p[0] == pytest.approx(exp["p"], rel=RTOL)
    assert slope[0] == pytest.approx(_pmk_case("seasonal_sens_slope", "arbitrary_1d_data")["slope"], rel=RTOL)
    exp = _pmk_case("seasonal_test", "NoTrendData", period=12)
    assert (s[1], p[1], slope[1]) == (exp["s"], exp["p"], 0.0)
    assert s[2] == _pmk_case("seasonal_test", "TrendData", period=12)["s"]
    assert slope[2] == pytest.approx(_pmk_case("seasonal_sens_slope", "TrendData")["slope"], rel=RTOL)
    assert p[3] < 1e-50
    r = _trend_r("smk.test(nottem)")
    assert s[4] == r["S"]
    assert_printed(p[4], r["p_value"])
    assert_printed(slope[4], _trend_r("sea.sens.slope(nottem)")["slope"])


def test_many_equals_one_at_a_time_bit_for_bit():
    rng = np.random.default_rng(20261201)
    series = []
    for k in range(600):
        n = int(rng.integers(20, 150))
        if k % 3 == 0:  # small counts: many ties
            x = rng.integers(0, 5, n).astype(float)
        else:
            x = np.round(rng.normal(size=n), 2 if k % 3 == 1 else 12)
        x[rng.random(n) < 0.2] = np.nan
        series.append(x)
    series += [np.full(30, np.nan), np.ones(30), np.r_[np.ones(25), np.inf], np.arange(23.0)]
    s, p, slope = seasonal_mann_kendall_many(series)
    checked = 0
    for k, x in enumerate(series):
        try:
            r = seasonal_mann_kendall(x)
        except ValueError:  # refused alone: NaN together
            assert np.isnan(s[k]) and np.isnan(p[k]) and np.isnan(slope[k])
            continue
        assert (s[k], p[k]) == (r.s, r.p)
        assert slope[k] == r.slope or (np.isnan(slope[k]) and np.isnan(r.slope))
        checked += 1
    assert checked > 500
